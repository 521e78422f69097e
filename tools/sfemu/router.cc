#include "tools/sfemu/router.h"

#include <algorithm>
#include <chrono>
#include <cctype>
#include <exception>
#include <utility>

#include <nlohmann/json.hpp>

#include "tools/sfemu/api.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/oauth.h"

namespace cf::sfemu {

namespace {

// One REST resource pattern: its segments after the version ("*" matches any one segment)
// and, per method, the endpoint name.
struct RestPattern {
  std::vector<std::string_view> segments;
  std::vector<std::pair<std::string_view, std::string_view>> methods;
};

// Order matters: the first pattern that matches the path decides (literal segments before
// "*" where both could match).
const std::vector<RestPattern>& RestPatterns() {
  static const std::vector<RestPattern> kPatterns = {
      {{}, {{"GET", "resources"}}},
      {{"sobjects"}, {{"GET", "describeGlobal"}}},
      {{"sobjects", "*"}, {{"GET", "describe"}, {"POST", "sobjects.create"}}},
      {{"sobjects", "*", "describe"}, {{"GET", "describe"}}},
      {{"sobjects", "*", "updated"}, {{"GET", "sobjects.updated"}}},
      {{"sobjects", "*", "deleted"}, {{"GET", "sobjects.deleted"}}},
      {{"sobjects", "*", "*"},
       {{"GET", "sobjects.get"}, {"PATCH", "sobjects.update"}, {"DELETE", "sobjects.delete"}}},
      {{"sobjects", "*", "*", "*"},
       {{"GET", "sobjects.getByExternalId"},
        {"PATCH", "sobjects.upsert"},
        {"DELETE", "sobjects.deleteByExternalId"}}},
      {{"query"}, {{"GET", "query"}}},
      {{"query", "*"}, {{"GET", "queryMore"}}},
      {{"queryAll"}, {{"GET", "queryAll"}}},
      {{"queryAll", "*"}, {{"GET", "queryAllMore"}}},
      {{"tooling", "query"}, {{"GET", "tooling.query"}}},
      {{"composite"}, {{"POST", "composite"}}},
      {{"composite", "sobjects"},
       {{"POST", "composite.sobjects.create"},
        {"PATCH", "composite.sobjects.update"},
        {"DELETE", "composite.sobjects.delete"}}},
      {{"composite", "sobjects", "*"},
       {{"GET", "composite.sobjects.retrieve"}, {"POST", "composite.sobjects.retrieve"}}},
      {{"composite", "sobjects", "*", "*"}, {{"PATCH", "composite.sobjects.upsert"}}},
      {{"limits"}, {{"GET", "limits"}}},
  };
  return kPatterns;
}

const RestPattern* MatchPattern(const std::vector<std::string>& rest) {
  for (const RestPattern& p : RestPatterns()) {
    if (p.segments.size() != rest.size()) continue;
    bool match = true;
    for (size_t i = 0; i < rest.size() && match; ++i) {
      match = p.segments[i] == "*" || p.segments[i] == rest[i];
    }
    if (match) return &p;
  }
  return nullptr;
}

std::string AllowedMethods(const RestPattern& p) {
  std::string out = "HEAD";
  for (const auto& [method, endpoint] : p.methods) {
    out += ",";
    out += method;
  }
  return out;
}

// "v59.0" -> "59.0"; empty if the segment is not a version.
std::string ParseVersion(std::string_view segment) {
  if (segment.size() < 4 || segment[0] != 'v') return {};
  std::string_view v = segment.substr(1);
  size_t dot = v.find('.');
  if (dot == std::string_view::npos || dot == 0 || dot + 1 >= v.size()) return {};
  auto digits = [](std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(v.substr(0, dot)) || !digits(v.substr(dot + 1))) return {};
  return std::string(v);
}

HttpResponse NotFound() {
  return ErrorResponse(404, "NOT_FOUND", "The requested resource does not exist");
}

HttpResponse FaultAnswer(FaultKind kind) {
  switch (kind) {
    case FaultKind::kHttp500:
      return ErrorResponse(500, "UNKNOWN_EXCEPTION",
                           "An unexpected error occurred. Please include this ErrorId if you "
                           "contact support: 1185937651-4242 (-1424836733)");
    case FaultKind::kHttp503: {
      HttpResponse r = ErrorResponse(503, "SERVER_UNAVAILABLE",
                                     "Server is temporarily unavailable. Please try again later.");
      r.headers.emplace_back("Retry-After", "1");
      return r;
    }
    case FaultKind::kHttp420:
      return ErrorResponse(420, "REQUEST_LIMIT_EXCEEDED",
                           "ConcurrentPerOrgLongTxn Limit exceeded.");
    case FaultKind::kQueryTimeout:
      return ErrorResponse(400, "QUERY_TIMEOUT", "Your query request was running for too long.");
    case FaultKind::kExpireToken:
      return ErrorResponse(401, "INVALID_SESSION_ID", "Session expired or invalid");
    case FaultKind::kLimitReached:
      return ErrorResponse(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
    case FaultKind::kReset:
    case FaultKind::kSlow:
    case FaultKind::kRevokeRefresh:
      break;
  }
  return ErrorResponse(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.");
}

// Applies a fault that ends the call before the handler runs, if it is one. Returns true and
// sets `out` in that case.
bool FaultEndsCall(Org& org, const Fault& fault, HttpResponse* out) {
  switch (fault.kind) {
    case FaultKind::kExpireToken:
      org.ExpireAllAccessTokens();
      *out = FaultAnswer(fault.kind);
      return true;
    case FaultKind::kLimitReached:
      org.SetApiUsage(org.api_max(), org.api_max());
      *out = FaultAnswer(fault.kind);
      return true;
    case FaultKind::kRevokeRefresh:
      org.RevokeAllRefreshTokens();
      return false;
    case FaultKind::kReset:
    case FaultKind::kSlow:
      return false;
    default:
      *out = FaultAnswer(fault.kind);
      return true;
  }
}

// Applies the transport part of a fault (reset, slow) to the handler's answer.
void ApplyTransportFault(const Fault& fault, HttpResponse* resp) {
  if (fault.kind == FaultKind::kReset) resp->reset_mid_body = true;
  if (fault.kind == FaultKind::kSlow) resp->delay = fault.delay;
}

}  // namespace

std::vector<std::string> SplitPath(std::string_view raw_path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= raw_path.size()) {
    size_t slash = raw_path.find('/', start);
    if (slash == std::string_view::npos) slash = raw_path.size();
    if (slash > start) out.push_back(PercentDecode(raw_path.substr(start, slash - start), false));
    start = slash + 1;
  }
  return out;
}

std::string RestEndpointName(std::string_view method, const std::vector<std::string>& rest) {
  const RestPattern* p = MatchPattern(rest);
  if (p == nullptr) return {};
  for (const auto& [m, endpoint] : p->methods) {
    if (m == method || (method == "HEAD" && m == "GET")) return std::string(endpoint);
  }
  return {};
}

Router::Router(Org& org, RouterOptions options)
    : org_(org), options_(std::move(options)), control_(org, options_.control_token) {}

void Router::SetInstanceUrl(std::string url) { instance_url_ = std::move(url); }

HttpResponse Router::Handle(const HttpRequest& req) {
  try {
    std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
    if (options_.control_enabled && raw_path.rfind(Control::kPrefix, 0) == 0) {
      return control_.Handle(req);
    }
    auto start = std::chrono::steady_clock::now();
    LogEntry entry;
    entry.method = req.method;
    entry.target = req.target;
    entry.remote = req.remote;
    entry.time_ms = org_.Now();
    HttpResponse resp = HandleUnlogged(req, entry);
    entry.status = resp.status;
    entry.duration_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    if (entry.endpoint.empty()) entry.endpoint = "unknown";
    control_.Record(std::move(entry));
    return resp;
  } catch (const std::exception& e) {
    return ErrorResponse(500, "UNKNOWN_EXCEPTION", std::string("An unexpected error occurred: ") + e.what());
  } catch (...) {
    return ErrorResponse(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.");
  }
}

HttpResponse Router::HandleUnlogged(const HttpRequest& req, LogEntry& entry) {
  std::string_view raw_path = std::string_view(req.target).substr(0, req.target.find('?'));
  std::vector<std::string> segments = SplitPath(raw_path);
  OAuthContext oauth{instance_url_, org_.org_id()};

  // Non-REST paths: their faults are the transport and HTTP-status kinds.
  auto with_faults = [&](const char* endpoint, auto&& handler) -> HttpResponse {
    entry.endpoint = endpoint;
    std::optional<Fault> fault = control_.TakeFault(endpoint, req.method, req.path);
    HttpResponse resp;
    if (fault) {
      entry.fault = FaultKindName(fault->kind);
      if (FaultEndsCall(org_, *fault, &resp)) return resp;
    }
    resp = handler();
    if (fault) ApplyTransportFault(*fault, &resp);
    return resp;
  };

  if (segments.size() >= 2 && segments[0] == "services" && segments[1] == "data") {
    if (segments.size() == 2) {
      return with_faults("versions", [&] {
        if (req.method != "GET" && req.method != "HEAD") {
          HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                         "HTTP Method '" + req.method + "' not allowed. Allowed are HEAD,GET");
          r.headers.emplace_back("Allow", "HEAD,GET");
          return r;
        }
        return HandleVersions(org_, req, instance_url_);
      });
    }
    return HandleRest(req, segments, entry);
  }
  if (segments.size() == 3 && segments[0] == "services" && segments[1] == "oauth2") {
    if (segments[2] == "token") {
      return with_faults("oauth.token", [&] { return HandleOAuthToken(org_, req, oauth); });
    }
    if (segments[2] == "authorize") {
      return with_faults("oauth.authorize", [&] { return HandleOAuthAuthorize(org_, req, oauth); });
    }
  }
  if (segments.size() == 3 && segments[0] == "id") {
    return with_faults("identity", [&] {
      return HandleIdentity(org_, req, oauth, segments[1], segments[2]);
    });
  }
  entry.endpoint = "unknown";
  return NotFound();
}

HttpResponse Router::HandleRest(const HttpRequest& req, const std::vector<std::string>& segments,
                                LogEntry& entry) {
  // /services/data/{version}/...
  const std::string version = ParseVersion(segments[2]);
  std::vector<std::string> rest(segments.begin() + 3, segments.end());
  entry.endpoint = RestEndpointName(req.method, rest);
  if (version.empty()) return NotFound();
  if (IsRetiredApiVersion(version)) {
    return ErrorResponse(410, "GONE", "The requested resource has been retired or removed: API version " + version + " is retired.");
  }
  const auto& versions = SupportedApiVersions();
  if (std::find(versions.begin(), versions.end(), version) == versions.end()) return NotFound();

  // Authentication.
  std::string authorization = req.Header("authorization");
  std::string token = BearerToken(authorization);
  if (token.empty()) return ErrorResponse(401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE");
  std::optional<TokenInfo> info = org_.CheckAccessToken(token);
  const OrgUser* user = info ? org_.FindUserById(info->user_id) : nullptr;
  if (!info || user == nullptr) {
    return ErrorResponse(401, "INVALID_SESSION_ID", "Session expired or invalid");
  }

  auto add_limit_info = [&](HttpResponse r) {
    r.SetHeader("Sforce-Limit-Info",
                "api-usage=" + std::to_string(org_.api_used()) + "/" + std::to_string(org_.api_max()));
    return r;
  };
  if (!user->api_enabled) {
    return add_limit_info(ErrorResponse(403, "API_DISABLED_FOR_ORG",
                                        "API is not enabled for this Organization or Partner"));
  }

  std::optional<Fault> fault =
      control_.TakeFault(entry.endpoint.empty() ? "unknown" : entry.endpoint, req.method, req.path);
  HttpResponse early;
  if (fault) {
    entry.fault = FaultKindName(fault->kind);
    // Token expiry and the limit are refusals, which Salesforce does not count.
    if (fault->kind == FaultKind::kExpireToken || fault->kind == FaultKind::kLimitReached) {
      FaultEndsCall(org_, *fault, &early);
      if (fault->kind == FaultKind::kExpireToken) return early;
      return add_limit_info(std::move(early));
    }
  }

  if (!org_.CountApiCall()) {
    return add_limit_info(ErrorResponse(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."));
  }
  entry.counted = true;
  if (fault && FaultEndsCall(org_, *fault, &early)) return add_limit_info(std::move(early));

  HttpResponse resp;
  try {
    resp = Dispatch(req, version, rest, user);
  } catch (const std::exception& e) {
    resp = ErrorResponse(500, "UNKNOWN_EXCEPTION", std::string("An unexpected error occurred: ") + e.what());
  } catch (...) {
    resp = ErrorResponse(500, "UNKNOWN_EXCEPTION", "An unexpected error occurred.");
  }
  if (fault) ApplyTransportFault(*fault, &resp);
  return add_limit_info(std::move(resp));
}

HttpResponse Router::Dispatch(const HttpRequest& req, const std::string& version,
                              const std::vector<std::string>& rest, const OrgUser* user) {
  const RestPattern* pattern = MatchPattern(rest);
  if (pattern == nullptr) return NotFound();
  std::string endpoint = RestEndpointName(req.method, rest);
  if (endpoint.empty()) {
    std::string allowed = AllowedMethods(*pattern);
    HttpResponse r = ErrorResponse(405, "METHOD_NOT_ALLOWED",
                                   "HTTP Method '" + req.method + "' not allowed. Allowed are " + allowed);
    r.headers.emplace_back("Allow", allowed);
    return r;
  }
  RequestContext ctx;
  ctx.api_version = version;
  ctx.instance_url = instance_url_;
  ctx.user = user;

  if (endpoint == "resources") {
    std::string base = "/services/data/v" + version + "/";
    nlohmann::ordered_json body;
    for (const char* name : {"tooling", "query", "queryAll", "sobjects", "composite", "limits"}) {
      body[name] = base + name;
    }
    body["identity"] = instance_url_ + "/id/" + org_.org_id() + "/" + user->id;
    return HttpResponse::Json(200, body.dump());
  }
  if (endpoint == "describeGlobal") return HandleDescribeGlobal(org_, req, ctx);
  if (endpoint == "describe") return HandleDescribe(org_, req, ctx, rest[1]);
  if (endpoint == "sobjects.create") return HandleCreate(org_, req, ctx, rest[1]);
  if (endpoint == "sobjects.updated") return HandleGetUpdated(org_, req, ctx, rest[1], false);
  if (endpoint == "sobjects.deleted") return HandleGetUpdated(org_, req, ctx, rest[1], true);
  if (endpoint == "sobjects.get") return HandleGetRecord(org_, req, ctx, rest[1], rest[2]);
  if (endpoint == "sobjects.update") return HandleUpdate(org_, req, ctx, rest[1], rest[2]);
  if (endpoint == "sobjects.delete") return HandleDelete(org_, req, ctx, rest[1], rest[2]);
  if (endpoint == "sobjects.upsert") return HandleUpsert(org_, req, ctx, rest[1], rest[2], rest[3]);
  if (endpoint == "sobjects.getByExternalId") {
    return HandleGetByExternalId(org_, req, ctx, rest[1], rest[2], rest[3]);
  }
  if (endpoint == "sobjects.deleteByExternalId") {
    return HandleDeleteByExternalId(org_, req, ctx, rest[1], rest[2], rest[3]);
  }
  if (endpoint == "query") return HandleQuery(org_, req, ctx, false);
  if (endpoint == "queryAll") return HandleQuery(org_, req, ctx, true);
  if (endpoint == "queryMore") return HandleQueryMore(org_, req, ctx, rest[1], false);
  if (endpoint == "queryAllMore") return HandleQueryMore(org_, req, ctx, rest[1], true);
  if (endpoint == "tooling.query") return HandleToolingQuery(org_, req, ctx);
  if (endpoint == "composite") return HandleComposite(org_, req, ctx);
  if (endpoint == "composite.sobjects.create" || endpoint == "composite.sobjects.update" ||
      endpoint == "composite.sobjects.delete") {
    return HandleCollections(org_, req, ctx);
  }
  if (endpoint == "composite.sobjects.retrieve") return HandleCollectionsRetrieve(org_, req, ctx, rest[2]);
  if (endpoint == "composite.sobjects.upsert") {
    return HandleCollectionsUpsert(org_, req, ctx, rest[2], rest[3]);
  }
  if (endpoint == "limits") return HandleLimits(org_, req, ctx);
  return NotFound();
}

}  // namespace cf::sfemu
