#include "connectors/salesforce/sf_errors.h"

#include <algorithm>
#include <array>
#include <utility>

#include "connectors/salesforce/describe_json.h"

namespace cf::sf {
namespace {

using nlohmann::json;

bool Contains(std::string_view haystack, std::string_view needle) {
  // ASCII case-insensitive.
  if (needle.size() > haystack.size()) return false;
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i + needle.size() <= haystack.size(); ++i) {
    size_t j = 0;
    while (j < needle.size() && lower(haystack[i + j]) == lower(needle[j])) ++j;
    if (j == needle.size()) return true;
  }
  return false;
}

bool OneOf(std::string_view code, std::initializer_list<std::string_view> codes) {
  return std::find(codes.begin(), codes.end(), code) != codes.end();
}

// What one error means.
struct Meaning {
  ErrorCategory category = ErrorCategory::kUnknown;
  RetryAdvice retry = RetryAdvice::kNever;
  TroubleshootingCase troubleshooting = TroubleshootingCase::kNone;
  bool reconnect = false;
  std::string summary;
};

Meaning Mean(ErrorCategory category, RetryAdvice retry, std::string summary,
             TroubleshootingCase troubleshooting = TroubleshootingCase::kNone,
             bool reconnect = false) {
  Meaning m;
  m.category = category;
  m.retry = retry;
  m.summary = std::move(summary);
  m.troubleshooting = troubleshooting;
  m.reconnect = reconnect;
  return m;
}

// ---- The four troubleshooting cases, and the others ----------------------------------------

Meaning AuthFailed(std::string what_to_do, bool reconnect = false) {
  return Mean(ErrorCategory::kAuthenticationFailed, RetryAdvice::kNever,
              "Authentication Failed: " + std::move(what_to_do),
              TroubleshootingCase::kAuthenticationFailed, reconnect);
}

Meaning NoPrivileges(std::string what_to_do) {
  return Mean(ErrorCategory::kInsufficientPrivileges, RetryAdvice::kNever,
              "Insufficient Privileges: " + std::move(what_to_do),
              TroubleshootingCase::kInsufficientPrivileges);
}

Meaning BadUrl(std::string what_to_do) {
  return Mean(ErrorCategory::kInvalidInstanceUrl, RetryAdvice::kNever,
              "Invalid Instance URL: " + std::move(what_to_do),
              TroubleshootingCase::kInvalidInstanceUrl);
}

Meaning Transient(std::string what) {
  return Mean(ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff,
              "Salesforce is temporarily unavailable: " + std::move(what) +
                  "; the connector retries with backoff");
}

Meaning Malformed(std::string what) {
  return Mean(ErrorCategory::kMalformedRequest, RetryAdvice::kNever,
              "Bad request: " + std::move(what));
}

Meaning Invalid(std::string what) {
  return Mean(ErrorCategory::kValidation, RetryAdvice::kNever,
              "Validation error: " + std::move(what));
}

Meaning NotFound(std::string what) {
  return Mean(ErrorCategory::kNotFound, RetryAdvice::kNever, "Not found: " + std::move(what));
}

const char* const kPrivilegesHelp =
    "the integration user lacks access: grant the object and field permissions (profile or "
    "permission set) and record access (sharing), then try again";

// OAuth token endpoint errors: {"error", "error_description"}.
Meaning MeanOAuth(std::string_view error, std::string_view description, int status) {
  if (error == "invalid_grant") {
    if (Contains(description, "expired access/refresh token") ||
        Contains(description, "token revoked") || Contains(description, "invalid refresh") ||
        Contains(description, "expired refresh")) {
      return AuthFailed(
          "the refresh token is expired or was revoked (or a rotated one was reused); the "
          "connection is disconnected: reconnect it to Salesforce",
          /*reconnect=*/true);
    }
    if (Contains(description, "authorization code")) {
      return AuthFailed(
          "the authorization code is invalid or expired (codes are single-use and live 15 "
          "minutes); start the connection again",
          /*reconnect=*/true);
    }
    if (Contains(description, "ip restricted") || Contains(description, "login hours")) {
      return AuthFailed(
          "the user may not log in from this IP address or at this hour: add the host's IP "
          "to the profile's Login IP Ranges (or the connected app's IP relaxation) or adjust "
          "login hours");
    }
    if (Contains(description, "approved") || Contains(description, "consumer")) {
      return AuthFailed(
          "the user has not approved this connected app: pre-authorise it for the user's "
          "profile or permission set (Manage Connected Apps), or approve it once");
    }
    if (Contains(description, "inactive")) {
      return AuthFailed("the user or the org is inactive; use an active integration user");
    }
    return AuthFailed(
        "Salesforce refused the username or password: check the username, the password and "
        "the security token (appended to the password unless the IP is trusted), and that the "
        "user is not locked out");
  }
  if (error == "invalid_client_id") {
    return AuthFailed(
        "the consumer key (client id) is unknown: copy it again from the connected app (a new "
        "connected app can take up to 10 minutes to become usable), and check that the login "
        "URL is the org's (production vs sandbox)");
  }
  if (error == "invalid_client" || error == "unauthorized_client") {
    return AuthFailed(
        "the consumer secret (client secret) is wrong, or the connected app does not allow "
        "this flow: copy the secret again from the connected app");
  }
  if (error == "unsupported_grant_type") {
    return AuthFailed(
        "the org or connected app does not allow this OAuth flow: enable it on the connected "
        "app (the username-password flow can be blocked in OAuth and OpenID Connect Settings)");
  }
  if (error == "inactive_user" || error == "inactive_org") {
    return AuthFailed("the user or the org is inactive; use an active integration user");
  }
  if (error == "invalid_app_access" || error == "access_denied") {
    return NoPrivileges(
        "the user may not use this connected app: in the connected app's policies, allow the "
        "user's profile or permission set, or let users self-authorise");
  }
  if (error == "invalid_request" || error == "redirect_uri_mismatch" || error == "invalid_scope" ||
      error == "unsupported_response_type") {
    return Malformed("the OAuth request was refused (" + std::string(error) +
                     "); check the connected app's callback URL and OAuth scopes");
  }
  if (status >= 500) return Transient("the login service failed");
  return AuthFailed("Salesforce refused the login (" + std::string(error) +
                    "); check the connected app and the user's credentials");
}

bool IsOAuthCode(std::string_view code) {
  // OAuth codes are lowercase with underscores; REST codes are uppercase.
  if (code.empty()) return false;
  return std::all_of(code.begin(), code.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

// REST errorCode (or per-record statusCode).
Meaning MeanCode(const SalesforceError& e, int status) {
  const std::string& code = e.error_code;
  if (IsOAuthCode(code)) return MeanOAuth(code, e.message, status);

  if (code == "INVALID_SESSION_ID") {
    return Mean(ErrorCategory::kSessionExpired, RetryAdvice::kRefreshThenRetryOnce,
                "Session expired: the access token expired or was revoked; the connector "
                "refreshes it and retries once (if that fails, reconnect the connection)",
                TroubleshootingCase::kAuthenticationFailed);
  }
  if (code == "INVALID_AUTH_HEADER" || code == "INVALID_HEADER_TYPE") {
    return AuthFailed(
        "the request carried no valid access token; enter a current access token or reconnect "
        "with OAuth");
  }
  if (code == "INVALID_OPERATION_WITH_EXPIRED_PASSWORD") {
    return AuthFailed(
        "the integration user's password has expired: log in once and set a new "
        "one, then reconnect");
  }
  if (code == "REQUEST_LIMIT_EXCEEDED") {
    if (Contains(e.message, "Concurrent")) {
      return Mean(ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff,
                  "API Limit Exceeded: too many long-running requests run at once in the org "
                  "(concurrent request limit); the connector retries with backoff",
                  TroubleshootingCase::kApiLimitExceeded);
    }
    return Mean(ErrorCategory::kApiLimitExceeded, RetryAdvice::kWaitForLimitReset,
                "API Limit Exceeded: the org has used its daily API requests (a rolling 24-hour "
                "limit); the connector stops calling, keeps its work and resumes when requests "
                "are available again. To avoid it, lower the connector's budget or buy more API "
                "calls",
                TroubleshootingCase::kApiLimitExceeded);
  }
  if (code == "API_DISABLED_FOR_ORG" || code == "API_CURRENTLY_DISABLED") {
    return NoPrivileges(
        "API access is disabled for this user or org: give the integration user the \"API "
        "Enabled\" permission (profile or permission set); the org's edition must include API "
        "access");
  }
  if (OneOf(code, {"INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS",
                   "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY", "INSUFFICIENT_PRIVILEGES",
                   "INVALID_FIELD_FOR_INSERT_UPDATE", "CANNOT_UPDATE_CONVERTED_LEAD",
                   "FUNCTIONALITY_NOT_ENABLED", "NO_ACCESS", "FORBIDDEN"})) {
    if (code == "INVALID_FIELD_FOR_INSERT_UPDATE") {
      return NoPrivileges(
          "a field cannot be written by the integration user: make it editable in field-level "
          "security, or remove it from the rule's action");
    }
    if (code == "CANNOT_UPDATE_CONVERTED_LEAD") {
      return Invalid("the Lead was converted and can no longer be updated");
    }
    if (code == "FUNCTIONALITY_NOT_ENABLED") {
      return NoPrivileges("the feature is not enabled in this org or edition");
    }
    return NoPrivileges(kPrivilegesHelp);
  }
  if (OneOf(code, {"QUERY_TIMEOUT", "UNABLE_TO_LOCK_ROW", "SERVER_UNAVAILABLE", "UNKNOWN_EXCEPTION",
                   "REQUEST_RUNNING_TOO_LONG", "API_TEMPORARILY_UNAVAILABLE",
                   "TXN_SECURITY_NO_ACCESS_TEMPORARY"})) {
    if (code == "QUERY_TIMEOUT") return Transient("the query timed out (QUERY_TIMEOUT)");
    if (code == "UNABLE_TO_LOCK_ROW") {
      return Transient("a record is locked by another update (UNABLE_TO_LOCK_ROW)");
    }
    if (code == "UNKNOWN_EXCEPTION") return Transient("Salesforce reported an internal error");
    return Transient("the service is unavailable (" + code + ")");
  }
  if (code == "ALL_OR_NONE_OPERATION_ROLLED_BACK" || code == "PROCESSING_HALTED") {
    return Mean(ErrorCategory::kNotProcessed, RetryAdvice::kResubmitSeparately,
                "Not processed: this record was rolled back because another record of the same "
                "request failed; it is sent again without the failed ones");
  }
  if (code == "NOT_FOUND") {
    return NotFound(
        "the object, record or resource does not exist (or the integration user "
        "cannot see it)");
  }
  if (code == "ENTITY_IS_DELETED") return NotFound("the record was deleted");
  if (code == "INVALID_FIELD") {
    return Malformed(
        "a field does not exist, or field-level security hides it from the integration user: "
        "refresh the schema and check the field's permissions");
  }
  if (code == "INVALID_TYPE") {
    return Malformed(
        "the object does not exist, or the integration user has no access to it: refresh the "
        "schema and check the object permissions");
  }
  if (code == "INVALID_QUERY_LOCATOR") {
    return Malformed("the query's next-page locator expired; the query starts again");
  }
  if (OneOf(code, {"MALFORMED_QUERY", "MALFORMED_ID", "MALFORMED_SEARCH", "JSON_PARSER_ERROR",
                   "METHOD_NOT_ALLOWED", "INVALID_QUERY_FILTER_OPERATOR", "INVALID_INPUT",
                   "MISSING_ARGUMENT", "EXCEEDED_ID_LIMIT", "REQUEST_ENTITY_TOO_LARGE",
                   "LIMIT_EXCEEDED", "INVALID_OPERATION", "INVALID_TYPE_FOR_OPERATION",
                   "UNSUPPORTED_MEDIA_TYPE", "NOT_ACCEPTABLE", "INVALID_SEARCH",
                   "OPERATION_TOO_LARGE", "INVALID_BATCH_SIZE", "UNSUPPORTED_API_VERSION"}) ||
      code.rfind("MALFORMED_", 0) == 0) {
    return Malformed("Salesforce refused the request as built (" + code +
                     "); this is a defect of the connector or a schema change: refresh the "
                     "schema, and report it if it persists");
  }
  if (code == "STORAGE_LIMIT_EXCEEDED") {
    return Invalid("the org's data storage is full: free storage or buy more");
  }
  if (code == "DUPLICATE_VALUE" || code == "DUPLICATES_DETECTED" ||
      code == "DUPLICATE_EXTERNAL_ID") {
    return Invalid(
        "the record duplicates an existing one (a unique field, an external id or a "
        "duplicate rule)");
  }
  if (code == "REQUIRED_FIELD_MISSING") {
    return Invalid("required fields are missing: set them in the rule's action");
  }
  if (code == "FIELD_CUSTOM_VALIDATION_EXCEPTION") {
    return Invalid("a validation rule of the org refused the record (its message follows)");
  }
  if (code == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST") {
    return Invalid("a picklist value is not allowed (restricted or dependent picklist)");
  }
  if (!code.empty()) {
    // Codes this table does not name: by status, since Salesforce's codes keep growing.
    if (status == 401) return AuthFailed("Salesforce refused the access token (" + code + ")");
    if (status == 403) return NoPrivileges(kPrivilegesHelp);
    if (status == 404) return NotFound("the resource does not exist (" + code + ")");
    if (status == 405 || status == 406 || status == 415 || status == 410) {
      return Malformed("Salesforce refused the request as built (" + code + ")");
    }
    if (status == 420 || status == 429 || status >= 500) {
      return Transient("Salesforce answered HTTP " + std::to_string(status) + " (" + code + ")");
    }
    return Invalid("Salesforce refused the record (" + code + ")");
  }
  return {};
}

// By HTTP status alone (no Salesforce error in the body).
Meaning MeanStatus(int status, bool body_is_json, size_t body_size) {
  if (status == 300) {
    return Invalid("the external id matches several records; make it unique");
  }
  if (status >= 301 && status <= 308) {
    return BadUrl(
        "Salesforce redirected the request, so the instance URL is not the org's API host: use "
        "the My Domain URL (https://yourcompany.my.salesforce.com) or the instance_url OAuth "
        "returned");
  }
  if (status == 401) {
    return AuthFailed("Salesforce refused the access token; reconnect the connection");
  }
  if (status == 403) return NoPrivileges(kPrivilegesHelp);
  if (status == 404) {
    if (!body_is_json && body_size > 0) {
      return BadUrl(
          "the server at the instance URL does not answer like Salesforce's API: check that it "
          "is the org's My Domain URL");
    }
    return NotFound("the resource does not exist");
  }
  if (status == 410) {
    return Malformed("Salesforce retired this API version; configure a newer API version");
  }
  if (status == 405 || status == 406 || status == 413 || status == 414 || status == 415 ||
      status == 431) {
    return Malformed("Salesforce refused the request as built (HTTP " + std::to_string(status) +
                     ")");
  }
  if (status == 409) return Invalid("the request conflicts with the record's current state");
  if (status == 408 || status == 420 || status == 429 || status >= 500) {
    return Transient("HTTP " + std::to_string(status));
  }
  if (status == 400) return Malformed("Salesforce refused the request (HTTP 400)");
  return Mean(ErrorCategory::kUnknown, RetryAdvice::kNever,
              "Unexpected answer from Salesforce: HTTP " + std::to_string(status));
}

// Which meaning speaks for a whole answer when its errors differ: the one that most changes what
// the caller must do.
int Rank(ErrorCategory c) {
  switch (c) {
    case ErrorCategory::kAuthenticationFailed:
      return 0;
    case ErrorCategory::kSessionExpired:
      return 1;
    case ErrorCategory::kApiLimitExceeded:
      return 2;
    case ErrorCategory::kInvalidInstanceUrl:
      return 3;
    case ErrorCategory::kInsufficientPrivileges:
      return 4;
    case ErrorCategory::kMalformedRequest:
      return 5;
    case ErrorCategory::kValidation:
      return 6;
    case ErrorCategory::kNotFound:
      return 7;
    case ErrorCategory::kTransient:
      return 8;
    case ErrorCategory::kNotProcessed:
      return 9;
    case ErrorCategory::kUnknown:
      return 10;
  }
  return 10;
}

SfFailure Build(int status, std::vector<SalesforceError> errors, const Meaning& m) {
  SfFailure f;
  f.http_status = status;
  f.category = m.category;
  f.troubleshooting = m.troubleshooting;
  f.retry = m.retry;
  f.reconnect_required = m.reconnect;
  f.summary = m.summary;
  f.errors = std::move(errors);
  return f;
}

bool ReadStringMember(const json& obj, const char* key, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return false;
  *out = it->get<std::string>();
  return true;
}

std::optional<SalesforceError> ErrorFromObject(const json& obj) {
  if (!obj.is_object()) return std::nullopt;
  SalesforceError e;
  std::string oauth;
  if (ReadStringMember(obj, "error", &oauth)) {
    e.error_code = std::move(oauth);
    ReadStringMember(obj, "error_description", &e.message);
    return e;
  }
  bool has_code = ReadStringMember(obj, "errorCode", &e.error_code) ||
                  ReadStringMember(obj, "statusCode", &e.error_code);
  bool has_message = ReadStringMember(obj, "message", &e.message);
  if (!has_code && !has_message) return std::nullopt;
  auto fields = obj.find("fields");
  if (fields != obj.end() && fields->is_array()) {
    for (const json& f : *fields) {
      if (f.is_string()) e.fields.push_back(f.get<std::string>());
    }
  }
  return e;
}

}  // namespace

const char* TroubleshootingCaseName(TroubleshootingCase c) {
  switch (c) {
    case TroubleshootingCase::kNone:
      return "none";
    case TroubleshootingCase::kInvalidInstanceUrl:
      return "Invalid Instance URL";
    case TroubleshootingCase::kAuthenticationFailed:
      return "Authentication Failed";
    case TroubleshootingCase::kInsufficientPrivileges:
      return "Insufficient Privileges";
    case TroubleshootingCase::kApiLimitExceeded:
      return "API Limit Exceeded";
  }
  return "?";
}

const char* ErrorCategoryName(ErrorCategory c) {
  switch (c) {
    case ErrorCategory::kInvalidInstanceUrl:
      return "invalid instance URL";
    case ErrorCategory::kAuthenticationFailed:
      return "authentication failed";
    case ErrorCategory::kSessionExpired:
      return "session expired";
    case ErrorCategory::kInsufficientPrivileges:
      return "insufficient privileges";
    case ErrorCategory::kApiLimitExceeded:
      return "API limit exceeded";
    case ErrorCategory::kValidation:
      return "validation error";
    case ErrorCategory::kNotFound:
      return "not found";
    case ErrorCategory::kTransient:
      return "transient";
    case ErrorCategory::kMalformedRequest:
      return "malformed request";
    case ErrorCategory::kNotProcessed:
      return "not processed";
    case ErrorCategory::kUnknown:
      return "unknown";
  }
  return "?";
}

const char* RetryAdviceName(RetryAdvice a) {
  switch (a) {
    case RetryAdvice::kNever:
      return "never";
    case RetryAdvice::kRetryWithBackoff:
      return "retry with backoff";
    case RetryAdvice::kRefreshThenRetryOnce:
      return "refresh then retry once";
    case RetryAdvice::kWaitForLimitReset:
      return "wait for the limit";
    case RetryAdvice::kResubmitSeparately:
      return "resubmit separately";
  }
  return "?";
}

std::string SfFailure::Describe() const {
  std::string out = summary;
  for (const SalesforceError& e : errors) {
    out += "\n  - ";
    out += e.error_code.empty() ? std::string("(no code)") : e.error_code;
    if (!e.message.empty()) {
      out += ": ";
      // Multi-line messages (MALFORMED_QUERY's excerpt and caret) stay indented.
      for (char c : e.message) {
        out += c;
        if (c == '\n') out += "    ";
      }
    }
    if (!e.fields.empty()) {
      out += " (fields: ";
      for (size_t i = 0; i < e.fields.size(); ++i) {
        if (i > 0) out += ", ";
        out += e.fields[i];
      }
      out += ')';
    }
  }
  return out;
}

std::optional<std::vector<SalesforceError>> ErrorsFromJson(const json& value) {
  std::vector<SalesforceError> out;
  if (value.is_array()) {
    for (const json& item : value) {
      if (std::optional<SalesforceError> e = ErrorFromObject(item)) out.push_back(std::move(*e));
    }
    if (out.empty() && !value.empty()) return std::nullopt;
    return out;
  }
  if (std::optional<SalesforceError> e = ErrorFromObject(value)) {
    out.push_back(std::move(*e));
    return out;
  }
  return std::nullopt;
}

std::optional<std::vector<SalesforceError>> ParseErrorBody(std::string_view body) {
  std::optional<json> parsed = ParseJson(body, nullptr);
  if (!parsed) return std::nullopt;
  return ErrorsFromJson(*parsed);
}

SfFailure ClassifyErrors(int http_status, std::vector<SalesforceError> errors) {
  Meaning best;
  bool have = false;
  for (const SalesforceError& e : errors) {
    Meaning m = MeanCode(e, http_status);
    if (m.summary.empty()) continue;
    if (!have || Rank(m.category) < Rank(best.category)) {
      best = std::move(m);
      have = true;
    }
  }
  if (!have) best = MeanStatus(http_status, /*body_is_json=*/true, 0);
  return Build(http_status, std::move(errors), best);
}

SfFailure ClassifyResponse(int http_status, std::string_view body, std::string_view retry_after) {
  SfFailure f;
  std::optional<json> parsed = body.empty() ? std::nullopt : ParseJson(body, nullptr);
  std::optional<std::vector<SalesforceError>> errors =
      parsed ? ErrorsFromJson(*parsed) : std::nullopt;
  if (errors && !errors->empty()) {
    f = ClassifyErrors(http_status, std::move(*errors));
  } else {
    f = Build(http_status, {}, MeanStatus(http_status, parsed.has_value(), body.size()));
    if (!parsed && !body.empty()) {
      f.summary += " (the answer was " + std::to_string(body.size()) +
                   " bytes that are not a Salesforce error)";
    }
  }
  if (http_status < 300) {
    f.category = ErrorCategory::kUnknown;
    f.retry = RetryAdvice::kNever;
  }
  if (!retry_after.empty()) f.retry_after = ParseRetryAfter(retry_after);
  return f;
}

SfFailure ClassifyTransport(TransportFailure failure, std::string_view detail) {
  std::string said;
  if (!detail.empty()) {
    said = " (" + std::string(detail.substr(0, 200)) + (detail.size() > 200 ? "...)" : ")");
  }
  Meaning m;
  switch (failure) {
    case TransportFailure::kConnectionReset:
      m = Transient("the connection was reset" + said);
      break;
    case TransportFailure::kTimeout:
      m = Transient("no answer in time" + said);
      break;
    case TransportFailure::kConnectionRefused:
      m = Transient("the connection was refused" + said);
      break;
    case TransportFailure::kHostNotFound:
      m = BadUrl("the instance URL's host does not exist" + said +
                 ": check the My Domain name (Setup > My Domain)");
      break;
    case TransportFailure::kTlsHandshake:
      m = Mean(ErrorCategory::kUnknown, RetryAdvice::kNever,
               "Secure connection failed: the TLS handshake did not complete" + said +
                   "; Salesforce requires TLS 1.2 or newer: check proxies between this host "
                   "and Salesforce");
      break;
    case TransportFailure::kCertificate:
      m = Mean(ErrorCategory::kUnknown, RetryAdvice::kNever,
               "Secure connection failed: the server's certificate did not verify" + said +
                   "; if a proxy inspects TLS, configure its CA file (verification is never "
                   "turned off)");
      break;
    case TransportFailure::kOther:
      m = Transient("the request failed" + said);
      break;
  }
  return Build(0, {}, m);
}

std::optional<std::chrono::seconds> ParseRetryAfter(std::string_view value,
                                                    std::chrono::system_clock::time_point now) {
  using namespace std::chrono;
  while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
  while (!value.empty() && value.back() == ' ') value.remove_suffix(1);
  if (value.empty()) return std::nullopt;
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  if (std::all_of(value.begin(), value.end(), digit)) {
    if (value.size() > 9) return seconds(999999999);
    int64_t n = 0;
    for (char c : value) n = n * 10 + (c - '0');
    return seconds(n);
  }
  // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT".
  if (value.size() != 29 || value[3] != ',' || value[4] != ' ' || value.substr(26) != "GMT") {
    return std::nullopt;
  }
  auto number = [&](size_t pos, size_t n, int* out) {
    int v = 0;
    for (size_t i = pos; i < pos + n; ++i) {
      if (!digit(value[i])) return false;
      v = v * 10 + (value[i] - '0');
    }
    *out = v;
    return true;
  };
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  int d = 0, y = 0, hh = 0, mm = 0, ss = 0;
  if (!number(5, 2, &d) || !number(12, 4, &y) || !number(17, 2, &hh) || !number(20, 2, &mm) ||
      !number(23, 2, &ss) || value[7] != ' ' || value[11] != ' ' || value[16] != ' ' ||
      value[19] != ':' || value[22] != ':' || value[25] != ' ') {
    return std::nullopt;
  }
  auto month = std::find(kMonths.begin(), kMonths.end(), value.substr(8, 3));
  if (month == kMonths.end()) return std::nullopt;
  year_month_day ymd(year(y),
                     std::chrono::month(static_cast<unsigned>(month - kMonths.begin() + 1)),
                     day(static_cast<unsigned>(d)));
  if (!ymd.ok() || hh > 23 || mm > 59 || ss > 60) return std::nullopt;
  sys_seconds at = sys_days(ymd) + hours(hh) + minutes(mm) + seconds(ss);
  sys_seconds now_s = floor<seconds>(now);
  if (at <= now_s) return seconds(0);
  return at - now_s;
}

}  // namespace cf::sf
