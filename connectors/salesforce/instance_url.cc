#include "connectors/salesforce/instance_url.h"

#include <algorithm>
#include <array>
#include <cstddef>
#include <utility>

namespace cf::sf {
namespace {

enum class Purpose { kInstance, kLogin };

constexpr std::string_view kExample = "https://yourcompany.my.salesforce.com";
constexpr std::string_view kSandboxExample =
    "https://yourcompany--sandboxname.sandbox.my.salesforce.com";

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[i]) != prefix[i]) return false;
  }
  return true;
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return c >= 'a' && c <= 'z'; }

std::vector<std::string_view> SplitLabels(std::string_view host) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    size_t dot = host.find('.', pos);
    if (dot == std::string_view::npos) {
      out.push_back(host.substr(pos));
      return out;
    }
    out.push_back(host.substr(pos, dot - pos));
    pos = dot + 1;
  }
}

// Quotes a piece of user input for a message, cut after 60 bytes.
// Built with append: GCC 12 at -O3 reports `"\"" + std::string(...)` as an overlapping memcpy
// (-Wrestrict false positive, GCC bug 105651).
std::string Quote(std::string_view s) {
  std::string out = "\"";
  if (s.size() > 60) {
    out.append(s.substr(0, 57)).append("...");
  } else {
    out.append(s);
  }
  out += '"';
  return out;
}

bool IsValidLabel(std::string_view label) {
  if (label.empty() || label.size() > 63) return false;
  if (label.front() == '-' || label.back() == '-') return false;
  for (char c : label) {
    if (!IsAlpha(c) && !IsDigit(c) && c != '-') return false;
  }
  return true;
}

bool IsIpv4(std::string_view host, int* first_octet) {
  std::vector<std::string_view> parts = SplitLabels(host);
  if (parts.size() != 4) return false;
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    if (p.empty() || p.size() > 3) return false;
    int v = 0;
    for (char c : p) {
      if (!IsDigit(c)) return false;
      v = v * 10 + (c - '0');
    }
    if (v > 255) return false;
    if (i == 0 && first_octet != nullptr) *first_octet = v;
  }
  return true;
}

bool IsLoopback(std::string_view host) {
  int first = -1;
  if (IsIpv4(host, &first)) return first == 127;
  return host == "localhost" || host == "::1";
}

// "na1", "cs42", "eu12", "um5", "ap4", "gs0": a legacy instance name.
bool IsInstanceName(std::string_view label) {
  size_t letters = 0;
  while (letters < label.size() && IsAlpha(label[letters])) ++letters;
  size_t digits = label.size() - letters;
  if (letters < 2 || letters > 4 || digits < 1 || digits > 3) return false;
  for (size_t i = letters; i < label.size(); ++i) {
    if (!IsDigit(label[i])) return false;
  }
  return true;
}

bool IsSandboxInstanceName(std::string_view label) {
  return IsInstanceName(label) && label.substr(0, 2) == "cs";
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

// What a host is, or what is wrong with it.
struct HostClass {
  bool ok = false;
  HostKind kind = HostKind::kMyDomain;
  OrgEnvironment environment = OrgEnvironment::kUnknown;
  std::string my_domain;
  std::string problem;         // when !ok: what is wrong and what to do
  std::string suggested_host;  // when !ok and the right host is known
};

HostClass Ok(HostKind kind, OrgEnvironment environment, std::string my_domain = {}) {
  HostClass c;
  c.ok = true;
  c.kind = kind;
  c.environment = environment;
  c.my_domain = std::move(my_domain);
  return c;
}

HostClass Problem(std::string problem, std::string suggested_host = {}) {
  HostClass c;
  c.problem = std::move(problem);
  c.suggested_host = std::move(suggested_host);
  return c;
}

std::string UseMyDomain() {
  return "use your org's My Domain URL, e.g. " + std::string(kExample) +
         " (Setup > My Domain shows it)";
}

HostClass ClassifyMyDomain(std::string_view host, std::string_view prefix) {
  std::vector<std::string_view> labels = SplitLabels(prefix);
  const std::string name(labels[0]);
  const bool sandbox_name = name.find("--") != std::string::npos;
  if (labels.size() == 1) {
    return Ok(HostKind::kMyDomain,
              sandbox_name ? OrgEnvironment::kSandbox : OrgEnvironment::kProduction, name);
  }
  if (labels.size() == 2) {
    std::string_view part = labels[1];
    if (part == "sandbox" || part == "scratch") {
      return Ok(HostKind::kMyDomain, OrgEnvironment::kSandbox, name);
    }
    if (part == "develop" || part == "demo" || part == "patch" || part == "trailblaze" ||
        part == "free") {
      return Ok(HostKind::kMyDomain, OrgEnvironment::kProduction, name);
    }
    if (IsSandboxInstanceName(part)) return Ok(HostKind::kMyDomain, OrgEnvironment::kSandbox, name);
    if (IsInstanceName(part)) {
      return Ok(HostKind::kMyDomain,
                sandbox_name ? OrgEnvironment::kSandbox : OrgEnvironment::kProduction, name);
    }
  }
  return Problem(Quote(host) +
                 " is not a My Domain host; one looks like yourcompany.my.salesforce.com or "
                 "yourcompany--sandboxname.sandbox.my.salesforce.com");
}

// "acme--uat--c" -> "acme--uat": drops a Visualforce package suffix.
std::string DropPackage(std::string_view label) {
  size_t sep = label.rfind("--");
  if (sep == std::string_view::npos || sep == 0) return std::string(label);
  return std::string(label.substr(0, sep));
}

// The My Domain host for the partition labels between an org label and a Lightning,
// Visualforce or site suffix: "sandbox" stays, legacy instance names go.
std::string MyDomainHostFor(std::string_view org_label, const std::vector<std::string_view>& mid) {
  std::string host(org_label);
  for (std::string_view part : mid) {
    if (part == "sandbox" || part == "scratch" || part == "develop" || part == "demo" ||
        part == "patch" || part == "trailblaze" || part == "free") {
      host += '.';
      host += part;
    }
  }
  return host + ".my.salesforce.com";
}

HostClass ClassifyHost(std::string_view host, Purpose purpose, const InstanceUrlOptions& options) {
  if (IsLoopback(host)) {
    if (options.allow_loopback || options.allow_insecure_loopback) {
      return Ok(HostKind::kLoopback, OrgEnvironment::kUnknown);
    }
    return Problem(Quote(host) +
                   " is this computer, not Salesforce (loopback hosts are accepted only for "
                   "local testing, with the testing option allow_loopback); " +
                   UseMyDomain());
  }
  for (const std::string& extra : options.additional_hosts) {
    if (ToLower(extra) == host) return Ok(HostKind::kCustom, OrgEnvironment::kUnknown);
  }

  if (host == "login.salesforce.com" || host == "test.salesforce.com") {
    const bool sandbox = host[0] == 't';
    if (purpose == Purpose::kLogin) {
      return Ok(HostKind::kLoginHost,
                sandbox ? OrgEnvironment::kSandbox : OrgEnvironment::kProduction);
    }
    return Problem(Quote(host) +
                   " is Salesforce's login page, not your org's address; use your org's My "
                   "Domain URL, e.g. " +
                   std::string(sandbox ? kSandboxExample : kExample) +
                   " (Setup > My Domain shows it)");
  }
  if (host == "my.salesforce.com") {
    return Problem("add your My Domain name before \".my.salesforce.com\", e.g. " +
                   std::string(kExample));
  }
  if (EndsWith(host, ".my.salesforce.com")) {
    return ClassifyMyDomain(host, host.substr(0, host.size() - 18));
  }
  if (EndsWith(host, ".my.salesforce-setup.com")) {
    std::string fixed(host.substr(0, host.size() - 24));
    fixed += ".my.salesforce.com";
    return Problem(Quote(host) + " is the Setup address, not the API's; use " + fixed, fixed);
  }
  if (EndsWith(host, ".lightning.force.com")) {
    std::vector<std::string_view> labels = SplitLabels(host.substr(0, host.size() - 20));
    std::vector<std::string_view> mid(labels.begin() + 1, labels.end());
    std::string fixed = MyDomainHostFor(labels[0], mid);
    return Problem(
        Quote(host) + " is the Lightning Experience address, not the API's; use " + fixed, fixed);
  }
  for (std::string_view vf : {".vf.force.com", ".visual.force.com", ".visualforce.com"}) {
    if (EndsWith(host, vf)) {
      std::vector<std::string_view> labels = SplitLabels(host.substr(0, host.size() - vf.size()));
      std::vector<std::string_view> mid(labels.begin() + 1, labels.end());
      std::string fixed = MyDomainHostFor(DropPackage(labels[0]), mid);
      return Problem(Quote(host) + " is a Visualforce page address, not the API's; use " + fixed,
                     fixed);
    }
  }
  if (EndsWith(host, ".my.site.com")) {
    std::vector<std::string_view> labels = SplitLabels(host.substr(0, host.size() - 12));
    std::vector<std::string_view> mid(labels.begin() + 1, labels.end());
    std::string fixed = MyDomainHostFor(labels[0], mid);
    return Problem(Quote(host) +
                       " is an Experience Cloud site, not your org's API address; use your "
                       "org's My Domain URL (Setup > My Domain), probably " +
                       fixed,
                   fixed);
  }
  if (EndsWith(host, ".force.com") || host == "force.com" ||
      EndsWith(host, ".salesforce-sites.com") || EndsWith(host, ".site.com") ||
      EndsWith(host, ".salesforce-experience.com")) {
    return Problem(Quote(host) +
                   " is a Salesforce site or content address, not your org's API address; " +
                   UseMyDomain());
  }
  if (EndsWith(host, ".salesforce.com") || host == "salesforce.com") {
    std::vector<std::string_view> labels = SplitLabels(host);
    if (labels.size() == 3 && IsInstanceName(labels[0])) {
      const bool sandbox = IsSandboxInstanceName(labels[0]);
      const OrgEnvironment env = sandbox ? OrgEnvironment::kSandbox : OrgEnvironment::kProduction;
      if (purpose == Purpose::kLogin) {
        std::string login = GenericLoginUrl(env);
        return Problem(Quote(host) + " is an instance host, not a login host; use " + login +
                           " or your org's My Domain URL",
                       login.substr(8));
      }
      return Ok(HostKind::kLegacyInstance, env);
    }
    return Problem(Quote(host) + " is a Salesforce web site, not an org; " + UseMyDomain());
  }

  // Typos of Salesforce's domains: "salesforce.co", "salesforse.com", "acme.my.salesforce".
  std::vector<std::string_view> labels = SplitLabels(host);
  std::string fixed;
  if (labels.back() == "salesforce" && labels.size() >= 2) {
    fixed = std::string(host) + ".com";
  } else if (labels.size() >= 2) {
    std::string tail = std::string(labels[labels.size() - 2]) + "." + std::string(labels.back());
    size_t d = EditDistance(tail, "salesforce.com");
    if (d > 0 && d <= 2) {
      fixed = std::string(host.substr(0, host.size() - tail.size())) + "salesforce.com";
    }
  }
  if (!fixed.empty()) {
    HostClass check = ClassifyHost(fixed, purpose, options);
    if (check.ok) {
      return Problem(Quote(host) + " is not a Salesforce host; did you mean " + fixed + "?", fixed);
    }
  }
  return Problem(Quote(host) + " is not a Salesforce host; " + UseMyDomain());
}

// The end of the host as messages name it: ".com" for names, the whole host[:port] for
// addresses.
std::string HostEnd(std::string_view host, std::string_view port_text) {
  std::vector<std::string_view> labels = SplitLabels(host);
  std::string_view last = labels.back();
  bool alpha = !last.empty() && std::all_of(last.begin(), last.end(), IsAlpha);
  std::string out = "\"";
  if (alpha && labels.size() > 1 && port_text.empty()) {
    out.append(".").append(last);
  } else {
    const bool ipv6 = host.find(':') != std::string_view::npos;
    if (ipv6) {
      out.append("[").append(host).append("]");
    } else {
      out.append(host);
    }
    if (!port_text.empty()) out.append(":").append(port_text);
  }
  out += '"';
  return out;
}

std::string Trim(std::string_view s) {
  auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::optional<InstanceUrl> Parse(std::string_view text, const InstanceUrlOptions& options,
                                 Purpose purpose, UrlProblem* problem, int depth = 0);

// The normalised URL that `candidate` parses to, or empty; used for suggestions.
std::string SuggestionFor(std::string_view candidate, const InstanceUrlOptions& options,
                          Purpose purpose, int depth) {
  if (depth > 3) return {};
  UrlProblem inner;
  std::optional<InstanceUrl> url = Parse(candidate, options, purpose, &inner, depth + 1);
  if (url) return url->url;
  return inner.suggestion;
}

std::optional<InstanceUrl> Parse(std::string_view text, const InstanceUrlOptions& options,
                                 Purpose purpose, UrlProblem* problem, int depth) {
  const std::string lead =
      purpose == Purpose::kInstance ? "Invalid Instance URL: " : "Invalid Login URL: ";
  auto fail = [&](std::string message, std::string suggestion = {}) -> std::optional<InstanceUrl> {
    if (problem != nullptr) {
      problem->message = lead + message;
      problem->suggestion = std::move(suggestion);
    }
    return std::nullopt;
  };

  const std::string s = Trim(text);
  if (s.empty()) {
    return fail("the URL is empty; enter your org's My Domain URL, e.g. " + std::string(kExample) +
                " (Setup > My Domain shows it)");
  }
  for (unsigned char c : s) {
    if (c >= 0x80) {
      return fail(
          "the URL contains non-ASCII characters (often a look-alike letter or an invisible "
          "character picked up by copying); Salesforce hosts are plain ASCII: type the URL "
          "again");
    }
  }
  static constexpr std::array<std::pair<char, char>, 3> kQuotes = {
      {{'"', '"'}, {'\'', '\''}, {'<', '>'}}};
  for (auto [open, close] : kQuotes) {
    if (s.size() >= 2 && s.front() == open && s.back() == close) {
      return fail(
          "remove the quotes around the URL",
          SuggestionFor(std::string_view(s).substr(1, s.size() - 2), options, purpose, depth));
    }
  }
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '\t') return fail("the URL contains a space; remove it");
    if (u < 0x20 || u == 0x7F) return fail("the URL contains a control character; type it again");
  }

  size_t sep = s.find("://");
  const size_t first_special = s.find_first_of("/?#@");
  if (sep == std::string::npos || (first_special != std::string::npos && first_special < sep)) {
    // "https:/host", "https//host", "https:\\host", or no scheme at all.
    for (std::string_view bad : {"https:", "https/", "https\\", "http:", "http/", "http\\"}) {
      if (StartsWithNoCase(s, bad)) {
        size_t rest = bad.size();
        while (rest < s.size() && (s[rest] == '/' || s[rest] == '\\' || s[rest] == ':')) ++rest;
        return fail("the URL must start with https:// (a colon and two forward slashes)",
                    SuggestionFor("https://" + s.substr(rest), options, purpose, depth));
      }
    }
    return fail("add https:// before the host, e.g. " + std::string(kExample),
                SuggestionFor("https://" + s, options, purpose, depth));
  }
  const std::string scheme = ToLower(std::string_view(s).substr(0, sep));
  std::string_view rest = std::string_view(s).substr(sep + 3);
  if (scheme != "https" && scheme != "http") {
    bool simple = !scheme.empty() && scheme.size() <= 10 &&
                  std::all_of(scheme.begin(), scheme.end(), IsAlpha);
    return fail("use https://" + (simple ? std::string(", not ") + scheme + "://" : std::string()),
                SuggestionFor("https://" + std::string(rest), options, purpose, depth));
  }
  if (StartsWithNoCase(rest, "https://") || StartsWithNoCase(rest, "http://")) {
    return fail("the URL has the scheme twice; remove the first \"" + scheme + "://\"",
                SuggestionFor(rest, options, purpose, depth));
  }

  const size_t authority_end = std::min(rest.find_first_of("/?#"), rest.size());
  std::string_view authority = rest.substr(0, authority_end);
  std::string_view tail = rest.substr(authority_end);

  // User info may hold a password: never quoted.
  size_t at = authority.rfind('@');
  if (at != std::string_view::npos) {
    std::string without =
        scheme + "://" + std::string(authority.substr(at + 1)) + std::string(tail);
    return fail(
        "remove the user name and password (the part before \"@\"): the connector signs in "
        "with OAuth, never with credentials in the URL",
        SuggestionFor(without, options, purpose, depth));
  }

  std::string host;
  std::string_view port_text;
  bool has_port = false;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail("the IPv6 address is missing its \"]\"");
    host = ToLower(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("unexpected text after the IPv6 address");
      port_text = after.substr(1);
      has_port = true;
    }
    bool valid = !host.empty() && host.find(':') != std::string::npos;
    for (char c : host) {
      if (!IsDigit(c) && !(c >= 'a' && c <= 'f') && c != ':' && c != '.') valid = false;
    }
    if (!valid) return fail("the host " + Quote(host) + " is not a valid IPv6 address");
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      port_text = authority.substr(colon + 1);
      has_port = true;
      authority = authority.substr(0, colon);
    }
    host = ToLower(authority);
    if (!host.empty() && host.back() == '.') host.pop_back();
  }
  if (host.empty()) return fail("the URL has no host; enter e.g. " + std::string(kExample));

  uint32_t port = 0;
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), IsDigit)) {
      return fail("the port " + Quote(":" + std::string(port_text)) + " is not a number");
    }
    for (char c : port_text) port = port * 10 + static_cast<uint32_t>(c - '0');
    if (port == 0 || port > 65535) {
      return fail("the port " + Quote(":" + std::string(port_text)) + " is out of range");
    }
  }
  if (host.find(':') == std::string::npos) {
    if (host.size() > 253) return fail("the host name is longer than 253 characters");
    for (std::string_view label : SplitLabels(host)) {
      if (!IsValidLabel(label)) {
        return fail("the host " + Quote(host) +
                    " is not a valid host name (letters, digits, '-' and dots between them)");
      }
    }
  }

  HostClass hc = ClassifyHost(host, purpose, options);
  if (!hc.ok) {
    std::string suggestion;
    if (!hc.suggested_host.empty()) {
      suggestion = SuggestionFor("https://" + hc.suggested_host, options, purpose, depth);
    }
    return fail(hc.problem, suggestion);
  }
  const bool local = hc.kind == HostKind::kLoopback || hc.kind == HostKind::kCustom;
  const std::string bare_url =
      "https://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host);
  if (scheme == "http") {
    if (hc.kind == HostKind::kLoopback && options.allow_insecure_loopback) {
      // Accepted: testing against a local plain-HTTP server.
    } else if (hc.kind == HostKind::kLoopback) {
      return fail(
          "use https://; plain http is accepted only for a local test server with the testing "
          "option allow_insecure_loopback");
    } else {
      return fail("use https://, not http://: Salesforce accepts only HTTPS",
                  SuggestionFor("https" + s.substr(4), options, purpose, depth));
    }
  }
  const uint16_t default_port = scheme == "https" ? 443 : 80;
  if (has_port && port != default_port && !local) {
    return fail("remove the port " + Quote(":" + std::string(port_text)) +
                    ": Salesforce serves the API on the standard HTTPS port",
                SuggestionFor(bare_url + std::string(tail), options, purpose, depth));
  }

  // Path, query, fragment. A lone "/" is accepted and dropped.
  size_t q = tail.find_first_of("?#");
  std::string_view path = tail.substr(0, q == std::string_view::npos ? tail.size() : q);
  std::string_view after_path = q == std::string_view::npos ? std::string_view() : tail.substr(q);
  const bool has_query = after_path.find('?') == 0;
  const bool has_fragment = after_path.find('#') != std::string_view::npos;
  std::vector<std::string> parts;
  if (path.size() > 1) parts.push_back("the path " + Quote(path));
  if (has_query) parts.push_back("the query (from \"?\")");
  if (has_fragment) parts.push_back("the fragment (from \"#\")");
  const std::string normalised_port =
      (has_port && port != default_port) ? ":" + std::string(port_text) : std::string();
  if (!parts.empty()) {
    std::string list = parts[0];
    for (size_t i = 1; i < parts.size(); ++i) {
      list += (i + 1 == parts.size() ? " and " : ", ") + parts[i];
    }
    std::string base = scheme + "://" +
                       (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
                       normalised_port;
    return fail("remove " + list + " after " +
                    HostEnd(host, normalised_port.empty() ? std::string_view() : port_text) +
                    ": the instance URL is the host only, e.g. " + base,
                base);
  }

  InstanceUrl out;
  out.scheme = scheme;
  out.host = host;
  out.port = has_port && port != default_port ? static_cast<uint16_t>(port) : 0;
  out.url = scheme + "://" + (host.find(':') != std::string::npos ? "[" + host + "]" : host) +
            normalised_port;
  out.kind = hc.kind;
  out.environment = hc.environment;
  out.my_domain = std::move(hc.my_domain);
  return out;
}

}  // namespace

const char* HostKindName(HostKind kind) {
  switch (kind) {
    case HostKind::kMyDomain:
      return "My Domain";
    case HostKind::kLegacyInstance:
      return "instance";
    case HostKind::kLoginHost:
      return "login";
    case HostKind::kLoopback:
      return "loopback";
    case HostKind::kCustom:
      return "custom";
  }
  return "?";
}

const char* OrgEnvironmentName(OrgEnvironment environment) {
  switch (environment) {
    case OrgEnvironment::kProduction:
      return "production";
    case OrgEnvironment::kSandbox:
      return "sandbox";
    case OrgEnvironment::kUnknown:
      return "unknown";
  }
  return "?";
}

std::optional<InstanceUrl> ParseInstanceUrl(std::string_view text,
                                            const InstanceUrlOptions& options,
                                            UrlProblem* problem) {
  return Parse(text, options, Purpose::kInstance, problem);
}

std::optional<InstanceUrl> ParseLoginUrl(std::string_view text, const InstanceUrlOptions& options,
                                         UrlProblem* problem) {
  return Parse(text, options, Purpose::kLogin, problem);
}

std::string GenericLoginUrl(OrgEnvironment environment) {
  return environment == OrgEnvironment::kSandbox ? "https://test.salesforce.com"
                                                 : "https://login.salesforce.com";
}

std::string LoginUrlFor(const InstanceUrl& instance) {
  switch (instance.kind) {
    case HostKind::kMyDomain:
    case HostKind::kLoginHost:
    case HostKind::kLoopback:
    case HostKind::kCustom:
      return instance.url;
    case HostKind::kLegacyInstance:
      break;
  }
  return GenericLoginUrl(instance.environment);
}

std::string TokenEndpoint(const InstanceUrl& login) { return login.url + "/services/oauth2/token"; }

}  // namespace cf::sf
