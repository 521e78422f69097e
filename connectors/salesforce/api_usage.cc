#include "connectors/salesforce/api_usage.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/soql_builder.h"

namespace cf::sf {
namespace {

using nlohmann::json;
using Clock = std::chrono::system_clock;

bool Fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x + 32);
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y + 32);
    if (x != y) return false;
  }
  return true;
}

bool ParseCount(std::string_view s, int64_t* out) {
  s = Trim(s);
  if (s.empty() || s.size() > 18) return false;
  int64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

// "25/5000" -> {25, 5000}.
bool ParseUsage(std::string_view s, ApiUsage* out) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return false;
  return ParseCount(s.substr(0, slash), &out->used) && ParseCount(s.substr(slash + 1), &out->max);
}

std::string Time(Clock::time_point t) {
  return FormatSoqlDateTime(std::chrono::time_point_cast<std::chrono::milliseconds>(t));
}

bool ReadLimitPair(const json& obj, const std::string& path, int64_t* max, int64_t* remaining,
                   std::string* error) {
  for (auto [key, out] : {std::pair{"Max", max}, std::pair{"Remaining", remaining}}) {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null())
      return Fail(error, "limits: " + path + "." + key + " is missing");
    if (!it->is_number_integer())
      return Fail(error, "limits: " + path + "." + key + " is not an integer");
    *out = it->get<int64_t>();
  }
  return true;
}

}  // namespace

// ---- Reports -----------------------------------------------------------------------------------

std::optional<LimitInfo> ParseLimitInfo(std::string_view header_value, std::string* error) {
  LimitInfo info;
  bool understood = false;
  size_t pos = 0;
  while (pos <= header_value.size()) {
    size_t end = header_value.find_first_of(";,", pos);
    if (end == std::string_view::npos) end = header_value.size();
    std::string_view part = Trim(header_value.substr(pos, end - pos));
    pos = end + 1;
    if (part.empty()) continue;
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = Trim(part.substr(0, eq));
    std::string_view value = Trim(part.substr(eq + 1));
    if (EqualsNoCase(key, "api-usage")) {
      ApiUsage usage;
      if (!ParseUsage(value, &usage)) {
        Fail(error, "Sforce-Limit-Info: api-usage is not USED/MAX");
        return std::nullopt;
      }
      info.api_usage = usage;
      understood = true;
    } else if (EqualsNoCase(key, "per-app-api-usage")) {
      // 17/250(appName=sample-connected-app)
      AppApiUsage app;
      size_t open = value.find('(');
      std::string_view numbers = value.substr(0, open);
      if (open != std::string_view::npos) {
        std::string_view inside = value.substr(open + 1);
        if (inside.empty() || inside.back() != ')') {
          Fail(error, "Sforce-Limit-Info: per-app-api-usage has an unclosed '('");
          return std::nullopt;
        }
        inside.remove_suffix(1);
        size_t name_eq = inside.find('=');
        if (name_eq != std::string_view::npos &&
            EqualsNoCase(Trim(inside.substr(0, name_eq)), "appName")) {
          app.app = std::string(Trim(inside.substr(name_eq + 1)));
        }
      }
      if (!ParseUsage(numbers, &app.usage)) {
        Fail(error, "Sforce-Limit-Info: per-app-api-usage is not USED/MAX(appName=...)");
        return std::nullopt;
      }
      info.per_app.push_back(std::move(app));
      understood = true;
    }
  }
  if (!understood) {
    Fail(error, "Sforce-Limit-Info: no api-usage=USED/MAX part");
    return std::nullopt;
  }
  return info;
}

std::optional<DailyApiRequests> DailyApiRequestsFromJson(const json& limits, std::string* error) {
  if (!limits.is_object()) {
    Fail(error, "limits: the body is not a JSON object");
    return std::nullopt;
  }
  auto it = limits.find("DailyApiRequests");
  if (it == limits.end() || !it->is_object()) {
    Fail(error, "limits: DailyApiRequests is missing or not an object");
    return std::nullopt;
  }
  DailyApiRequests out;
  if (!ReadLimitPair(*it, "DailyApiRequests", &out.max, &out.remaining, error)) {
    return std::nullopt;
  }
  for (auto member = it->begin(); member != it->end(); ++member) {
    if (!member->is_object()) continue;
    DailyApiRequests::App app;
    app.name = member.key();
    if (!ReadLimitPair(*member, "DailyApiRequests." + app.name, &app.max, &app.remaining, error)) {
      return std::nullopt;
    }
    out.apps.push_back(std::move(app));
  }
  return out;
}

std::optional<DailyApiRequests> ParseLimitsBody(std::string_view body, std::string* error) {
  std::string parse_error;
  std::optional<json> parsed = ParseJson(body, &parse_error);
  if (!parsed) {
    Fail(error, "limits: " + parse_error);
    return std::nullopt;
  }
  return DailyApiRequestsFromJson(*parsed, error);
}

// ---- ApiBudgetState ----------------------------------------------------------------------------

std::string ApiBudgetState::Describe() const {
  if (exhausted) {
    return "exhausted until " + Time(exhausted_until) +
           " (REQUEST_LIMIT_EXCEEDED); work is kept and resumes then";
  }
  std::string out = "ok: " + std::to_string(used_24h);
  out += budget > 0 ? " of " + std::to_string(budget) + " calls used in 24 h"
                    : " calls used in 24 h (budget unknown until Salesforce reports the limit)";
  if (org) {
    out += "; org at " + std::to_string(org_used_estimate) + "/" + std::to_string(org->max);
  }
  return out;
}

// ---- ApiBudget ---------------------------------------------------------------------------------

ApiBudget::ApiBudget(ApiBudgetOptions options) : options_(std::move(options)) {
  if (!(options_.share > 0.0) || options_.share > 1.0) options_.share = 0.5;
  if (!(options_.org_ceiling > 0.0) || options_.org_ceiling > 1.0) options_.org_ceiling = 0.95;
  if (options_.limit_hold.count() < 1) options_.limit_hold = std::chrono::seconds(1);
  if (options_.max_limit_hold < options_.limit_hold) options_.max_limit_hold = options_.limit_hold;
  if (options_.probe_interval.count() < 1) options_.probe_interval = std::chrono::seconds(1);
  stamps_.fill(-1);
}

ApiBudget::TimePoint ApiBudget::Now() const {
  return options_.clock ? options_.clock() : Clock::now();
}

namespace {
int64_t MinuteOf(Clock::time_point t) {
  return std::chrono::floor<std::chrono::minutes>(t.time_since_epoch()).count();
}
size_t Slot(int64_t minute, int n) {
  int64_t m = minute % n;
  return static_cast<size_t>(m < 0 ? m + n : m);
}
}  // namespace

int64_t ApiBudget::UsedLocked(int64_t minute) const {
  int64_t used = 0;
  for (int i = 0; i < kMinutes; ++i) {
    if (stamps_[i] > minute - kMinutes && stamps_[i] <= minute) used += counts_[i];
  }
  return used;
}

int64_t ApiBudget::BudgetLocked() const {
  if (!org_ || org_->max <= 0) return 0;
  return std::max<int64_t>(1, static_cast<int64_t>(std::floor(options_.share * org_->max)));
}

ApiBudget::TimePoint ApiBudget::OwnRetryAtLocked(int64_t minute, int64_t n) const {
  const int64_t budget = BudgetLocked();
  const int64_t need = UsedLocked(minute) + n - budget;  // calls that must leave the window
  int64_t freed = 0;
  for (int64_t m = minute - kMinutes + 1; m <= minute; ++m) {
    size_t slot = Slot(m, kMinutes);
    if (stamps_[slot] == m) freed += counts_[slot];
    if (freed >= need) {
      return TimePoint(
          std::chrono::duration_cast<Clock::duration>(std::chrono::minutes(m + kMinutes)));
    }
  }
  return TimePoint(
      std::chrono::duration_cast<Clock::duration>(std::chrono::minutes(minute + kMinutes)));
}

AcquireResult ApiBudget::TryAcquire(int64_t n) {
  n = std::max<int64_t>(n, 1);
  std::lock_guard<std::mutex> lock(mu_);
  const TimePoint now = Now();
  const int64_t minute = MinuteOf(now);
  AcquireResult result;
  auto deny = [&](AcquireResult::Reason reason, TimePoint retry_at, std::string message) {
    result.reason = reason;
    result.retry_at = retry_at;
    result.message = std::move(message);
    return result;
  };
  bool probe = false;
  if (holding_) {
    if (now < exhausted_until_) {
      return deny(AcquireResult::kLimitExceeded, exhausted_until_,
                  "API Limit Exceeded: Salesforce refused calls (REQUEST_LIMIT_EXCEEDED); "
                  "exhausted until " +
                      Time(exhausted_until_) + "; work is kept and resumes then");
    }
    if (probe_at_ && now < *probe_at_ + options_.probe_interval) {
      TimePoint next = *probe_at_ + options_.probe_interval;
      return deny(AcquireResult::kLimitExceeded, next,
                  "API Limit Exceeded: a probe call is checking whether Salesforce accepts "
                  "calls again; next check at " +
                      Time(next));
    }
    probe = true;
  } else {
    const int64_t budget = BudgetLocked();
    if (budget > 0 && UsedLocked(minute) + n > budget) {
      TimePoint at = OwnRetryAtLocked(minute, n);
      return deny(AcquireResult::kOverBudget, at,
                  "API budget used: this connection may spend " + std::to_string(budget) +
                      " calls in 24 hours (" +
                      std::to_string(static_cast<int>(std::lround(options_.share * 100))) +
                      "% of the org's " + std::to_string(org_->max) +
                      " daily requests); calls resume at " + Time(at));
    }
    if (org_ && org_->max > 0) {
      const int64_t ceiling =
          static_cast<int64_t>(std::floor(options_.org_ceiling * static_cast<double>(org_->max)));
      if (org_->used + granted_since_report_ + n > ceiling) {
        if (probe_at_ && now < *probe_at_ + options_.probe_interval) {
          TimePoint next = *probe_at_ + options_.probe_interval;
          return deny(
              AcquireResult::kOrgNearLimit, next,
              "API usage near the org's limit: the org has used " +
                  std::to_string(org_->used + granted_since_report_) + " of its " +
                  std::to_string(org_->max) + " daily API requests; the connector pauses at " +
                  std::to_string(static_cast<int>(std::lround(options_.org_ceiling * 100))) +
                  "% to leave room for other integrations; next check at " + Time(next));
        }
        probe = true;
      }
    }
  }
  if (probe) probe_at_ = now;
  size_t slot = Slot(minute, kMinutes);
  if (stamps_[slot] != minute) {
    stamps_[slot] = minute;
    counts_[slot] = 0;
  }
  counts_[slot] += n;
  granted_since_report_ += n;
  return result;
}

void ApiBudget::Release(int64_t n) {
  if (n <= 0) return;
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t minute = MinuteOf(Now());
  granted_since_report_ = std::max<int64_t>(0, granted_since_report_ - n);
  // Take the calls back from the newest minutes that hold some.
  for (int64_t m = minute; m > minute - kMinutes && n > 0; --m) {
    size_t slot = Slot(m, kMinutes);
    if (stamps_[slot] != m || counts_[slot] <= 0) continue;
    int64_t take = std::min(n, counts_[slot]);
    counts_[slot] -= take;
    n -= take;
  }
}

bool ApiBudget::ObserveHeader(std::string_view sforce_limit_info) {
  std::optional<LimitInfo> info = ParseLimitInfo(sforce_limit_info, nullptr);
  if (!info || !info->api_usage) return false;
  Observe(*info->api_usage);
  return true;
}

void ApiBudget::Observe(const ApiUsage& org_usage) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimePoint now = Now();
  org_ = org_usage;
  granted_since_report_ = 0;
  if (org_usage.max > 0 && org_usage.used < org_usage.max) {
    if (holding_ && now >= exhausted_until_) {
      holding_ = false;
      consecutive_exceeded_ = 0;
    }
    const double ceiling = options_.org_ceiling * static_cast<double>(org_usage.max);
    if (!holding_ && static_cast<double>(org_usage.used) < ceiling) probe_at_.reset();
  }
}

ApiBudget::TimePoint ApiBudget::MarkLimitExceeded(std::optional<TimePoint> until) {
  std::lock_guard<std::mutex> lock(mu_);
  const TimePoint now = Now();
  if (holding_ && now < exhausted_until_) {
    // Other calls in flight when the limit was hit: the same exceedance.
    if (until && *until > exhausted_until_) exhausted_until_ = *until;
    return exhausted_until_;
  }
  std::chrono::seconds hold = options_.limit_hold;
  for (int i = 0; i < consecutive_exceeded_ && hold < options_.max_limit_hold; ++i) hold *= 2;
  hold = std::min(hold, options_.max_limit_hold);
  exhausted_until_ = until ? *until : now + hold;
  holding_ = true;
  ++consecutive_exceeded_;
  probe_at_.reset();
  return exhausted_until_;
}

ApiBudgetState ApiBudget::State() const {
  std::lock_guard<std::mutex> lock(mu_);
  const TimePoint now = Now();
  ApiBudgetState s;
  s.org = org_;
  s.org_used_estimate = org_ ? org_->used + granted_since_report_ : granted_since_report_;
  s.used_24h = UsedLocked(MinuteOf(now));
  s.budget = BudgetLocked();
  s.exhausted = holding_ && now < exhausted_until_;
  s.exhausted_until = holding_ ? exhausted_until_ : TimePoint{};
  return s;
}

}  // namespace cf::sf
