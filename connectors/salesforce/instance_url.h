// Instance and login URL validation, before any call is made.
//
// Start here:
//   UrlProblem problem;
//   std::optional<InstanceUrl> url = ParseInstanceUrl(text, {}, &problem);
//   if (!url) show(problem.message);           // "Invalid Instance URL: remove the path ..."
//   else call(url->url + "/services/data/...");
//   std::string login = LoginUrlFor(*url);       // where the OAuth token request goes
//
// What is accepted (after trimming surrounding whitespace):
//  - https only; the host only. A trailing "/" and the default port ":443" are accepted and
//    dropped; any other path, a query, a fragment, user info or another port is an error that
//    names the part to remove. Scheme and host are lowercased; a trailing '.' on the host is
//    dropped.
//  - Salesforce hosts: My Domain (acme.my.salesforce.com; acme--uat.sandbox.my.salesforce.com;
//    acme.develop|scratch|demo|patch|trailblaze|free.my.salesforce.com; the older
//    acme--uat.cs42.my.salesforce.com) and legacy instances (na1.salesforce.com,
//    cs42.salesforce.com). login.salesforce.com and test.salesforce.com are login hosts: valid
//    for ParseLoginUrl, an error for ParseInstanceUrl (they serve no org's data).
//  - Hosts users paste by mistake get an error with the host to use instead: Lightning
//    (acme.lightning.force.com -> acme.my.salesforce.com), Visualforce, Setup
//    (my.salesforce-setup.com), Experience Cloud sites (my.site.com, force.com sites), typos
//    (salesforce.co, salesforse.com).
//  - Anything else only through the testing options below (the emulator on 127.0.0.1).
//
// Messages start with "Invalid Instance URL: " (the product's troubleshooting case), say what is
// wrong and what to do, and never repeat user info, a query or a fragment (a pasted URL may
// carry a password or an access token there). Thread-safe; nothing throws.
#ifndef CF_CONNECTORS_SALESFORCE_INSTANCE_URL_H_
#define CF_CONNECTORS_SALESFORCE_INSTANCE_URL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cf::sf {

enum class HostKind : uint8_t {
  kMyDomain,        // acme.my.salesforce.com and its sandbox/partition forms
  kLegacyInstance,  // na1.salesforce.com, cs42.salesforce.com
  kLoginHost,       // login.salesforce.com, test.salesforce.com
  kLoopback,        // 127.0.0.0/8, ::1, localhost (testing option)
  kCustom,          // a host listed in InstanceUrlOptions::additional_hosts
};

enum class OrgEnvironment : uint8_t {
  kProduction,  // includes Developer Edition, demo, patch, Trailhead and free orgs
  kSandbox,     // includes scratch orgs
  kUnknown,     // loopback and custom hosts
};

const char* HostKindName(HostKind kind);
const char* OrgEnvironmentName(OrgEnvironment environment);

struct InstanceUrl {
  std::string url;     // normalised "https://acme.my.salesforce.com" (no path, no default port)
  std::string scheme;  // "https", or "http" for loopback under allow_insecure_loopback
  std::string host;    // lowercase; IPv6 without brackets
  uint16_t port = 0;   // 0: the scheme's default
  HostKind kind = HostKind::kMyDomain;
  OrgEnvironment environment = OrgEnvironment::kUnknown;
  std::string my_domain;  // kMyDomain: the first label, e.g. "acme" or "acme--uat"
};

struct InstanceUrlOptions {
  // Testing only: accept loopback hosts (127.0.0.0/8, ::1, localhost) over https, any port.
  // Default: false.
  bool allow_loopback = false;
  // Testing only: also accept plain http for loopback hosts (never for any other host).
  // Implies allow_loopback. Default: false.
  bool allow_insecure_loopback = false;
  // Further hosts to accept over https with any port (lowercase, exact match), e.g. a test
  // server's name. Default: none.
  std::vector<std::string> additional_hosts;
};

struct UrlProblem {
  std::string message;     // "Invalid Instance URL: ..."
  std::string suggestion;  // the corrected URL when it is certain, else empty
};

// Validates the URL of the org's API host (the instance URL, as OAuth's instance_url returns
// it). On failure returns nullopt and fills *problem (when not null).
std::optional<InstanceUrl> ParseInstanceUrl(std::string_view text,
                                            const InstanceUrlOptions& options, UrlProblem* problem);

// Validates a URL to send OAuth token requests to: login.salesforce.com, test.salesforce.com,
// a My Domain host, or what the testing options allow. Legacy instance hosts are refused.
std::optional<InstanceUrl> ParseLoginUrl(std::string_view text, const InstanceUrlOptions& options,
                                         UrlProblem* problem);

// The login URL for an org: its own host for My Domain, loopback and custom hosts (orgs may
// forbid login through the generic hosts), else GenericLoginUrl of its environment.
std::string LoginUrlFor(const InstanceUrl& instance);
// "https://test.salesforce.com" for kSandbox, else "https://login.salesforce.com".
std::string GenericLoginUrl(OrgEnvironment environment);
// login.url + "/services/oauth2/token".
std::string TokenEndpoint(const InstanceUrl& login);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_INSTANCE_URL_H_
