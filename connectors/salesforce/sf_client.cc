#include "connectors/salesforce/sf_client.h"

#include <thread>
#include <utility>

#include "connectors/salesforce/describe_json.h"

namespace cf::sf {
namespace {

bool DefaultIdempotent(std::string_view method) { return method != "POST"; }

// Whether a request that failed this way may still have been carried out by Salesforce.
// Connection refused, DNS and TLS failures happen before the request leaves; 420 (rate limited)
// and 503 (unavailable) are refused before any work. Resets, timeouts and other 5xx may come
// after the work was done.
bool MaybeCarriedOut(const TransportError* transport, int http_status) {
  if (transport != nullptr) {
    return transport->failure == TransportFailure::kConnectionReset ||
           transport->failure == TransportFailure::kTimeout ||
           transport->failure == TransportFailure::kOther;
  }
  return http_status >= 500 && http_status != 503;
}

SfFailure BudgetRefusal(const AcquireResult& refusal) {
  SfFailure failure;
  failure.category = ErrorCategory::kApiLimitExceeded;
  failure.troubleshooting = TroubleshootingCase::kApiLimitExceeded;
  failure.retry = RetryAdvice::kWaitForLimitReset;
  failure.summary = "API Limit Exceeded: " + refusal.message;
  return failure;
}

}  // namespace

std::optional<nlohmann::json> ApiResult::Json(std::string* error) const {
  if (response.body.empty()) return nlohmann::json();
  return ParseJson(response.body, error);
}

SalesforceClient::SalesforceClient(std::shared_ptr<HttpTransport> http, std::string instance_url,
                                   std::shared_ptr<Session> session,
                                   std::shared_ptr<ApiBudget> budget, ClientOptions options)
    : http_(std::move(http)),
      instance_url_(std::move(instance_url)),
      session_(std::move(session)),
      budget_(std::move(budget)),
      options_(std::move(options)),
      retry_(options_.retry, options_.random) {}

std::string SalesforceClient::DataPath(std::string_view relative) const {
  std::string path = "/services/data/v" + options_.api_version + "/";
  path += relative;
  return path;
}

std::string SalesforceClient::UrlFor(std::string_view path) const {
  if (path.substr(0, 8) == "https://" || path.substr(0, 7) == "http://") return std::string(path);
  if (!path.empty() && path.front() == '/') return instance_url_ + std::string(path);
  return instance_url_ + DataPath(path);
}

ApiResult SalesforceClient::Send(const ApiRequest& request) const {
  HttpRequest http;
  http.method = request.method;
  http.url = UrlFor(request.path);
  http.body = request.body;
  http.headers = request.headers;
  http.headers.push_back({"Accept", "application/json"});
  if (!request.body.empty()) http.headers.push_back({"Content-Type", "application/json"});
  const size_t auth_header = http.headers.size();
  http.headers.push_back({"Authorization", ""});
  const bool idempotent = request.idempotent.value_or(DefaultIdempotent(request.method));
  auto sleep = [this](std::chrono::milliseconds d) {
    if (options_.sleep) {
      options_.sleep(d);
    } else {
      std::this_thread::sleep_for(d);
    }
  };

  ApiResult result;
  RetryState retry = retry_.Begin();
  for (;;) {
    if (budget_ && request.counted) {
      AcquireResult granted = budget_->TryAcquire(1);
      if (!granted) {
        result.failure = BudgetRefusal(granted);
        result.retry_at = granted.retry_at;
        return result;
      }
    }
    std::optional<Session::Token> token = session_->Current();
    if (token && token->access_token.empty()) {
      // A session started from a refresh token alone: renew before the first call.
      if (std::optional<SfFailure> f = session_->RefreshAfterRejection(token->generation)) {
        if (budget_ && request.counted) budget_->Release(1);
        result.failure = std::move(f);
        return result;
      }
      token = session_->Current();
    }
    if (!token) {
      if (budget_ && request.counted) budget_->Release(1);
      SfFailure failure;
      failure.category = ErrorCategory::kAuthenticationFailed;
      failure.troubleshooting = TroubleshootingCase::kAuthenticationFailed;
      failure.reconnect_required = true;
      failure.summary = session_->disconnect_reason();
      if (failure.summary.empty()) failure.summary = "disconnected: reconnect needed";
      result.failure = std::move(failure);
      return result;
    }
    http.headers[auth_header].value = "Bearer ";
    http.headers[auth_header].value += token->access_token.Reveal();

    ++result.attempts;
    requests_sent_.fetch_add(1, std::memory_order_relaxed);
    HttpResult answer = http_->Send(http);
    SfFailure failure;
    bool maybe_carried_out = false;
    if (const TransportError* e = answer.error()) {
      failure = ClassifyTransport(e->failure, e->detail);
      maybe_carried_out = MaybeCarriedOut(e, 0);
      result.response = HttpResponse();
    } else {
      result.response = std::move(answer.response());
      if (budget_) {
        std::string_view limit_info = result.response.Header("Sforce-Limit-Info");
        if (!limit_info.empty()) budget_->ObserveHeader(limit_info);
      }
      int status = result.response.status;
      if (status < 300 || (status == 300 && request.method == "PATCH")) {
        result.failure.reset();
        break;
      }
      failure = ClassifyResponse(status, result.response.body,
                                 result.response.Header("Retry-After"));
      maybe_carried_out = MaybeCarriedOut(nullptr, status);
    }
    if (failure.category == ErrorCategory::kApiLimitExceeded && budget_) {
      result.retry_at = budget_->MarkLimitExceeded();
    }
    if (!idempotent && maybe_carried_out && failure.retryable()) {
      result.outcome_unknown = true;
      failure.summary += " (the request may have been carried out: check before sending again)";
      result.failure = std::move(failure);
      break;
    }
    RetryDecision decision = retry.Next(failure);
    if (decision.action == RetryDecision::kRefreshThenRetry) {
      if (std::optional<SfFailure> refresh = session_->RefreshAfterRejection(token->generation)) {
        result.failure = std::move(refresh);
        break;
      }
      continue;
    }
    if (decision.action == RetryDecision::kRetry) {
      sleep(decision.delay);
      continue;
    }
    if (result.attempts > 1) failure.summary += " (" + decision.reason + ")";
    result.failure = std::move(failure);
    break;
  }
  // The request held the access token; do not leave copies around longer than needed.
  std::string& auth = http.headers[auth_header].value;
  std::fill(auth.begin(), auth.end(), '\0');
  return result;
}

ApiResult SalesforceClient::Get(std::string_view path) const {
  ApiRequest request;
  request.path = std::string(path);
  return Send(request);
}

ApiResult SalesforceClient::Post(std::string_view path, std::string body) const {
  ApiRequest request;
  request.method = "POST";
  request.path = std::string(path);
  request.body = std::move(body);
  return Send(request);
}

ApiResult SalesforceClient::Patch(std::string_view path, std::string body) const {
  ApiRequest request;
  request.method = "PATCH";
  request.path = std::string(path);
  request.body = std::move(body);
  return Send(request);
}

ApiResult SalesforceClient::Delete(std::string_view path) const {
  ApiRequest request;
  request.method = "DELETE";
  request.path = std::string(path);
  return Send(request);
}

std::string ConnectionReport::Describe() const {
  std::string out = "connected to org " + (org_id.empty() ? std::string("(unknown)") : org_id);
  if (!username.empty()) out += " as " + username;
  out += " (API v" + api_version + ")";
  if (api_usage) {
    out += "; API usage " + std::to_string(api_usage->used) + " of " +
           std::to_string(api_usage->max) + " calls in 24 h";
  }
  return out;
}

ConnectionTestResult TestConnection(const SalesforceClient& client,
                                    std::string_view identity_url) {
  ConnectionTestResult out;
  ApiResult limits = client.Get("limits");
  if (!limits.ok()) {
    out.failure = std::move(*limits.failure);
    return out;
  }
  ConnectionReport report;
  report.api_version = client.api_version();
  std::string error;
  if (std::optional<DailyApiRequests> daily = ParseLimitsBody(limits.response.body, &error)) {
    report.api_usage = daily->usage();
    if (client.budget() != nullptr) client.budget()->Observe(*daily);
  } else if (std::string_view h = limits.response.Header("Sforce-Limit-Info"); !h.empty()) {
    if (std::optional<LimitInfo> info = ParseLimitInfo(h, &error)) report.api_usage = info->api_usage;
  }
  if (!identity_url.empty()) {
    ApiRequest request;
    request.path = std::string(identity_url);
    request.counted = false;
    ApiResult identity = client.Send(request);
    if (!identity.ok()) {
      out.failure = std::move(*identity.failure);
      return out;
    }
    if (std::optional<nlohmann::json> body = identity.Json(&error); body && body->is_object()) {
      report.org_id = body->value("organization_id", "");
      report.user_id = body->value("user_id", "");
      report.username = body->value("username", "");
      report.display_name = body->value("display_name", "");
    }
  }
  if (report.org_id.empty()) {
    // Access tokens start with the 15-character org id and '!'.
    if (std::optional<Session::Token> token = client.session().Current()) {
      std::string_view text = token->access_token.Reveal();
      size_t bang = text.find('!');
      if (bang == 15 && text.substr(0, 3) == "00D") report.org_id = std::string(text.substr(0, 15));
    }
  }
  out.report = std::move(report);
  return out;
}

}  // namespace cf::sf
