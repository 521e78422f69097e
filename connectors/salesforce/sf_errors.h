// Salesforce error answers, classified: which of the product's troubleshooting cases a failure
// is, what the user should do, and whether retrying can help.
//
// Start here:
//   SfFailure f = ClassifyResponse(status, body);       // REST or OAuth error body, any status
//   if (f.retry == RetryAdvice::kRefreshThenRetryOnce) ...   // 401 INVALID_SESSION_ID
//   log(f.Describe());   // "Insufficient Privileges: ...\n  - API_DISABLED_FOR_ORG: ..."
//
// Bodies Salesforce sends on failure, all understood:
//   REST       [{"message": "...", "errorCode": "INVALID_FIELD", "fields": ["X"]}, ...]
//   OAuth      {"error": "invalid_grant", "error_description": "authentication failure"}
//   per record {"statusCode": "REQUIRED_FIELD_MISSING", "message": "...", "fields": [...]}
//              (sObject Collections and Composite results; see ErrorsFromJson)
//   anything else (an HTML page from a proxy, an empty body) is kept as the status alone.
// Every error of a body is kept, in order, with its code, message and fields.
//
// Messages never contain tokens or credentials: classification sees only the answer, and an
// unparseable body is summarised by size, not echoed. Nothing throws; thread-safe.
#ifndef CF_CONNECTORS_SALESFORCE_SF_ERRORS_H_
#define CF_CONNECTORS_SALESFORCE_SF_ERRORS_H_

#include <chrono>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cf::sf {

// The product's troubleshooting guide names four cases; everything else is kNone.
enum class TroubleshootingCase : uint8_t {
  kNone,
  kInvalidInstanceUrl,
  kAuthenticationFailed,
  kInsufficientPrivileges,
  kApiLimitExceeded,
};

enum class ErrorCategory : uint8_t {
  kInvalidInstanceUrl,      // wrong host: not Salesforce, no such My Domain, a redirect
  kAuthenticationFailed,    // bad credentials, client id/secret, revoked refresh token
  kSessionExpired,          // 401 INVALID_SESSION_ID: refresh the access token and retry
  kInsufficientPrivileges,  // API disabled, no access to the object, record or field
  kApiLimitExceeded,        // REQUEST_LIMIT_EXCEEDED (the daily limit)
  kValidation,              // the record was refused: required field, validation rule, ...
  kNotFound,                // no such resource, record deleted
  kTransient,               // try again later: 5xx, 420, timeouts, lock contention
  kMalformedRequest,        // the request itself is wrong: bad SOQL, unknown field, bad JSON
  kNotProcessed,            // not attempted because another record of the batch failed
  kUnknown,
};

// What the caller may do.
enum class RetryAdvice : uint8_t {
  kNever,                 // permanent: the same request fails again
  kRetryWithBackoff,      // transient: retry with backoff (retry_policy.h)
  kRefreshThenRetryOnce,  // refresh the access token, then retry once
  kWaitForLimitReset,     // stop calling; resume when the API budget is back (api_usage.h)
  kResubmitSeparately,    // send this record again, without the ones that failed
};

// Transport failures (no HTTP answer), as the HTTP client reports them.
enum class TransportFailure : uint8_t {
  kConnectionReset,    // reset or closed mid-request or mid-response
  kTimeout,            // no (complete) answer in time
  kConnectionRefused,  // nothing listening
  kHostNotFound,       // DNS: no such host
  kTlsHandshake,       // TLS failed (protocol or cipher mismatch)
  kCertificate,        // the server's certificate did not verify
  kOther,
};

const char* TroubleshootingCaseName(TroubleshootingCase c);  // "Invalid Instance URL", ...
const char* ErrorCategoryName(ErrorCategory c);              // "validation error", ...
const char* RetryAdviceName(RetryAdvice a);

// One error of an answer, as Salesforce wrote it.
struct SalesforceError {
  std::string error_code;           // "REQUIRED_FIELD_MISSING"; OAuth: "invalid_grant"
  std::string message;              // OAuth: error_description
  std::vector<std::string> fields;  // may be empty
  bool operator==(const SalesforceError&) const = default;
};

// A classified failure.
struct SfFailure {
  int http_status = 0;  // 0 for transport failures
  ErrorCategory category = ErrorCategory::kUnknown;
  TroubleshootingCase troubleshooting = TroubleshootingCase::kNone;
  RetryAdvice retry = RetryAdvice::kNever;
  // The refresh token (or the whole authorisation) is no longer valid: the connection needs
  // the user to reconnect; do not retry any flow automatically.
  bool reconnect_required = false;
  // Retry-After from the answer, when given (seconds form or HTTP-date).
  std::optional<std::chrono::seconds> retry_after;
  std::vector<SalesforceError> errors;  // every error of the body, in order
  std::string summary;                  // one actionable sentence, led by the case or category

  bool retryable() const { return retry == RetryAdvice::kRetryWithBackoff; }
  // summary, then one line per error: "  - CODE: message (fields: A, B)".
  std::string Describe() const;
};

// Parses an error body: a REST error array, a per-record error array ("statusCode" form), one
// such object, or an OAuth error object. Returns nullopt if the body is none of these.
std::optional<std::vector<SalesforceError>> ParseErrorBody(std::string_view body);
// The same for a parsed value (e.g. the "errors" of a Collections result or a Composite
// subresponse body). Entries that are not objects are skipped.
std::optional<std::vector<SalesforceError>> ErrorsFromJson(const nlohmann::json& value);

// Classifies an HTTP answer with status >= 300 (an answer below 300 gives kUnknown).
// `retry_after` is the Retry-After header's value, if any.
SfFailure ClassifyResponse(int http_status, std::string_view body,
                           std::string_view retry_after = {});
// Classifies already-parsed errors, e.g. one record's errors from sObject Collections (whose
// HTTP status is 200 for the whole batch; pass 0 or the per-record status when there is one).
SfFailure ClassifyErrors(int http_status, std::vector<SalesforceError> errors);
// Classifies a failure with no HTTP answer. `detail` is the client's message (it must not
// contain secrets; it is quoted in the summary, cut after 200 bytes).
SfFailure ClassifyTransport(TransportFailure failure, std::string_view detail = {});

// Retry-After: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT", which
// needs `now`). nullopt when unparseable; a date in the past gives 0.
std::optional<std::chrono::seconds> ParseRetryAfter(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SF_ERRORS_H_
