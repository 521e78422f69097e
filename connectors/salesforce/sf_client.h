// The Salesforce REST client: one logical call in, one answer or one classified failure out,
// with authentication, token renewal, API budgeting, usage tracking and retries done inside.
//
// Start here:
//   SalesforceClient client(http, "https://acme.my.salesforce.com", session, budget, {});
//   ApiResult r = client.Get("sobjects/Account/describe");       // under /services/data/v60.0/
//   if (!r.ok()) report(r.failure->Describe());
//   std::optional<nlohmann::json> body = r.Json(&error);
//   client.Get(next_records_url);                                 // absolute paths also work
//
// What one call goes through, in order:
//  1. the API budget (api_usage.h): no call is sent when the connection's share is spent, the
//     org is near its limit or Salesforce said REQUEST_LIMIT_EXCEEDED; the result is then a
//     kApiLimitExceeded failure with `retry_at`, and nothing was sent;
//  2. the session's access token (session.h) as "Authorization: Bearer"; a disconnected
//     session fails at once with reconnect_required;
//  3. the request; Sforce-Limit-Info of every answer feeds the budget;
//  4. on 401 INVALID_SESSION_ID: one token refresh (shared with every other waiting call), then
//     the call again, once;
//  5. transient failures (420, 500, 502, 503, 504, QUERY_TIMEOUT, resets, timeouts) are retried
//     with exponential backoff and jitter (retry_policy.h), except when the request is not
//     idempotent and its outcome is unknown (a POST that timed out or got a 500 may have been
//     done): then the failure comes back with outcome_unknown set, for the caller to resolve
//     (e.g. by looking the record up); 420 and 503 mean "not done" and are always retried;
//  6. REQUEST_LIMIT_EXCEEDED marks the budget exhausted and comes back at once.
// Failures keep every Salesforce error of the answer (sf_errors.h).
//
// Thread safety: all members may be called from many threads at once. The transport, session
// and budget are shared (std::shared_ptr) and may be shared with other clients.
#ifndef CF_CONNECTORS_SALESFORCE_SF_CLIENT_H_
#define CF_CONNECTORS_SALESFORCE_SF_CLIENT_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/api_usage.h"
#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/retry_policy.h"
#include "connectors/salesforce/session.h"
#include "connectors/salesforce/sf_errors.h"

namespace cf::sf {

// The API version this client speaks unless configured otherwise.
inline constexpr const char* kDefaultApiVersion = "60.0";

struct ClientOptions {
  std::string api_version = kDefaultApiVersion;  // "60.0"
  RetryOptions retry;
  // Waits between retries. Default: std::this_thread::sleep_for. Tests pass a recorder.
  std::function<void(std::chrono::milliseconds)> sleep;
  // Random source for retry jitter (retry_policy.h). Default: per-thread random.
  RetryPolicy::Random random;
};

struct ApiRequest {
  std::string method = "GET";
  // Relative to the data root ("query?q=...", "sobjects/Account") or absolute on the instance
  // ("/services/data/v60.0/query/01g...-2000", "/services/data"), or a full https URL (the
  // identity URL, which lives on the login host).
  std::string path;
  std::string body;  // JSON; sent with Content-Type: application/json
  std::vector<HttpHeader> headers;  // extra headers, e.g. Sforce-Query-Options
  // Whether sending twice has the effect of sending once. Default (nullopt): true for GET,
  // PATCH, PUT, DELETE and HEAD, false for POST.
  std::optional<bool> idempotent;
  // Whether Salesforce counts the request against the daily API limit (the identity URL and
  // the versions list are not counted). Uncounted requests skip the budget.
  bool counted = true;
};

struct ApiResult {
  HttpResponse response;            // the last answer (status 0 if none)
  std::optional<SfFailure> failure;  // nullopt on success (2xx, or 300 for upsert matches)
  // Set with a failure of a non-idempotent request when Salesforce may have done it.
  bool outcome_unknown = false;
  // When a budget refusal ends: do not call before then.
  std::optional<std::chrono::system_clock::time_point> retry_at;
  int attempts = 0;  // requests sent for this call

  bool ok() const { return !failure.has_value(); }
  // The body parsed (ParseJson: bounded nesting, exact numbers). An empty body gives null.
  std::optional<nlohmann::json> Json(std::string* error) const;
};

class SalesforceClient {
 public:
  // `instance_url`: the org's API host, validated (instance_url.h), e.g.
  // "https://acme.my.salesforce.com". `budget` may be null (no budget: only Salesforce's own
  // limit applies). `http` and `session` must not be null.
  SalesforceClient(std::shared_ptr<HttpTransport> http, std::string instance_url,
                   std::shared_ptr<Session> session, std::shared_ptr<ApiBudget> budget,
                   ClientOptions options = {});

  ApiResult Send(const ApiRequest& request) const;
  ApiResult Get(std::string_view path) const;
  ApiResult Post(std::string_view path, std::string body) const;
  ApiResult Patch(std::string_view path, std::string body) const;
  ApiResult Delete(std::string_view path) const;

  // "/services/data/v60.0/" + relative.
  std::string DataPath(std::string_view relative) const;

  const std::string& instance_url() const { return instance_url_; }
  const std::string& api_version() const { return options_.api_version; }
  Session& session() const { return *session_; }
  ApiBudget* budget() const { return budget_.get(); }
  // Requests sent to the org's REST paths by this client (every attempt counts).
  uint64_t requests_sent() const { return requests_sent_.load(std::memory_order_relaxed); }

 private:
  std::string UrlFor(std::string_view path) const;

  const std::shared_ptr<HttpTransport> http_;
  const std::string instance_url_;
  const std::shared_ptr<Session> session_;
  const std::shared_ptr<ApiBudget> budget_;
  const ClientOptions options_;
  const RetryPolicy retry_;
  mutable std::atomic<uint64_t> requests_sent_{0};
};

// What Test Connection reports.
struct ConnectionReport {
  std::string org_id;        // "00D..." (18 characters when the identity is known)
  std::string user_id;       // "005...", empty when unknown
  std::string username;      // "integration@acme.com", empty when unknown
  std::string display_name;  // empty when unknown
  std::optional<ApiUsage> api_usage;  // DailyApiRequests: used/max
  std::string api_version;
  std::string Describe() const;  // "connected to org 00D... as integration@acme.com; API 12/15000"
};

struct ConnectionTestResult {
  std::optional<ConnectionReport> report;
  SfFailure failure;
  bool ok() const { return report.has_value(); }
};

// Test Connection: one counted call (GET /limits: proves the token, reports API usage) plus,
// when `identity_url` is known (OAuth's "id"), the identity (not counted by Salesforce) for the
// user and org. Without it, the org id comes from the access token's prefix.
ConnectionTestResult TestConnection(const SalesforceClient& client, std::string_view identity_url);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SF_CLIENT_H_
