// API usage: what Salesforce reports (the Sforce-Limit-Info header on every answer, the /limits
// resource), and the budget that keeps the connector within its share of the org's daily limit.
//
// Start here:
//   ApiBudget budget({.share = 0.5});
//   if (AcquireResult r = budget.TryAcquire(1); !r) { defer(r.retry_at); report(r.message); }
//   Answer a = Call();
//   budget.ObserveHeader(a.header("Sforce-Limit-Info"));   // "api-usage=18/15000"
//   if (failure.category == ErrorCategory::kApiLimitExceeded) budget.MarkLimitExceeded();
//
// The org's daily API limit is a rolling 24-hour count shared by every integration of the org.
// The budget enforces two bounds:
//  1. this connection spends at most `share` of the org's daily maximum in any 24 hours
//     (counted locally, per minute);
//  2. it pauses when the org as a whole (last Sforce-Limit-Info, plus calls granted since)
//     reaches `org_ceiling` of the maximum, leaving the rest to other integrations.
// After REQUEST_LIMIT_EXCEEDED it holds every call until a time, then lets one probe call
// through; the probe's answer either resumes normal calls or holds again, twice as long.
// Until the first answer tells the org's maximum, calls are granted (that answer carries it).
#ifndef CF_CONNECTORS_SALESFORCE_API_USAGE_H_
#define CF_CONNECTORS_SALESFORCE_API_USAGE_H_

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cf::sf {

// Calls used and the maximum. `used` may exceed `max` (Salesforce allows short bursts).
struct ApiUsage {
  int64_t used = 0;
  int64_t max = 0;
  bool operator==(const ApiUsage&) const = default;
};

struct AppApiUsage {
  std::string app;
  ApiUsage usage;
  bool operator==(const AppApiUsage&) const = default;
};

// Sforce-Limit-Info: "api-usage=25/5000; per-app-api-usage=17/250(appName=sample-app)".
struct LimitInfo {
  std::optional<ApiUsage> api_usage;
  std::vector<AppApiUsage> per_app;
};

// Parses the header's value. Parts are separated by ';' (or ','), keys are case-insensitive,
// unknown parts (e.g. api-bursts=1/750) are skipped. Fails when no part is understood or an
// understood part is malformed.
std::optional<LimitInfo> ParseLimitInfo(std::string_view header_value, std::string* error);

// /limits' "DailyApiRequests": {"Max", "Remaining", "<connected app>": {"Max", "Remaining"}}.
struct DailyApiRequests {
  int64_t max = 0;
  int64_t remaining = 0;
  struct App {
    std::string name;
    int64_t max = 0;
    int64_t remaining = 0;
  };
  std::vector<App> apps;  // in body order
  ApiUsage usage() const { return {max - remaining, max}; }
};

// From the body of GET /services/data/vXX.X/limits (or its parsed JSON).
std::optional<DailyApiRequests> ParseLimitsBody(std::string_view body, std::string* error);
std::optional<DailyApiRequests> DailyApiRequestsFromJson(const nlohmann::json& limits,
                                                         std::string* error);

struct ApiBudgetOptions {
  // Share of the org's daily maximum this connection may spend in any 24 hours, in (0, 1].
  // Default: 0.5.
  double share = 0.5;
  // Org-wide usage (all integrations) at which this connection pauses, as a fraction of the
  // maximum, in (0, 1]. Default: 0.95.
  double org_ceiling = 0.95;
  // Hold after the first REQUEST_LIMIT_EXCEEDED; doubles on each consecutive one up to
  // max_limit_hold. Defaults: 30 min, 4 h.
  std::chrono::seconds limit_hold{30 * 60};
  std::chrono::seconds max_limit_hold{4 * 3600};
  // How long a probe call (after a hold, or while the org is near its ceiling) may go without
  // an answer before another probe is allowed. Default: 5 min.
  std::chrono::seconds probe_interval{5 * 60};
  // Time source. Default: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> clock;
};

struct AcquireResult {
  enum Reason : uint8_t {
    kGranted,
    kOverBudget,     // this connection's share is spent
    kOrgNearLimit,   // the org is at org_ceiling
    kLimitExceeded,  // holding after REQUEST_LIMIT_EXCEEDED
  };
  Reason reason = kGranted;
  std::chrono::system_clock::time_point retry_at{};  // when asking again can succeed
  std::string message;                               // empty when granted
  explicit operator bool() const { return reason == kGranted; }
};

struct ApiBudgetState {
  std::optional<ApiUsage> org;    // last reported by Salesforce
  int64_t org_used_estimate = 0;  // org->used plus calls granted since that report
  int64_t used_24h = 0;           // granted to this connection in the last 24 hours
  int64_t budget = 0;             // share * org max; 0 while the max is unknown
  bool exhausted = false;         // holding after REQUEST_LIMIT_EXCEEDED
  std::chrono::system_clock::time_point exhausted_until{};
  // "ok: 120 of 7500 calls used in 24 h; org at 1200/15000" or
  // "exhausted until 2026-01-01T10:30:00Z (REQUEST_LIMIT_EXCEEDED)".
  std::string Describe() const;
};

// Thread-safe: every member may be called from any thread.
class ApiBudget {
 public:
  explicit ApiBudget(ApiBudgetOptions options = {});

  // Grants `n` calls (n >= 1) or says why not and when to ask again. Granted calls count
  // against the budget at once.
  AcquireResult TryAcquire(int64_t n = 1);
  // Gives back calls granted but never made.
  void Release(int64_t n);

  // Records what Salesforce reported. A usage below the maximum also ends a hold (the probe
  // succeeded). Malformed headers are ignored (ObserveHeader returns false).
  bool ObserveHeader(std::string_view sforce_limit_info);
  void Observe(const ApiUsage& org_usage);
  void Observe(const DailyApiRequests& limits) { Observe(limits.usage()); }

  // After REQUEST_LIMIT_EXCEEDED: holds every call until `until`, or by default for limit_hold
  // (doubled for each consecutive exceedance, up to max_limit_hold). Returns the end of the hold.
  std::chrono::system_clock::time_point MarkLimitExceeded(
      std::optional<std::chrono::system_clock::time_point> until = std::nullopt);

  ApiBudgetState State() const;

 private:
  using TimePoint = std::chrono::system_clock::time_point;
  static constexpr int kMinutes = 24 * 60;

  TimePoint Now() const;
  int64_t UsedLocked(int64_t minute) const;  // calls in the 24 h window ending at `minute`
  int64_t BudgetLocked() const;
  TimePoint OwnRetryAtLocked(int64_t minute, int64_t n) const;

  ApiBudgetOptions options_;
  mutable std::mutex mu_;
  // Calls granted per minute (since the epoch), a ring over the last 24 hours.
  std::array<int64_t, kMinutes> counts_{};
  std::array<int64_t, kMinutes> stamps_{};  // the minute each slot counts; -1 when empty
  std::optional<ApiUsage> org_;
  int64_t granted_since_report_ = 0;
  TimePoint exhausted_until_{};
  bool holding_ = false;
  int consecutive_exceeded_ = 0;
  std::optional<TimePoint> probe_at_;  // a probe was granted then
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_API_USAGE_H_
