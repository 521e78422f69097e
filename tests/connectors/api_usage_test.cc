// API usage: the Sforce-Limit-Info header, the /limits sample, and the budget (share of the
// daily limit over a rolling 24 hours, the org ceiling, the hold after REQUEST_LIMIT_EXCEEDED
// and its resumption), including many threads acquiring at once.
#include "connectors/salesforce/api_usage.h"

#include <gtest/gtest.h>

#include <atomic>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

namespace cf::sf {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using TimePoint = std::chrono::system_clock::time_point;

std::string Sample(const std::string& path) {
  std::ifstream in(std::string(CF_TEST_DATA_DIR) + "/salesforce-samples/" + path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(LimitInfoTest, HeaderForms) {
  std::string error;
  std::optional<LimitInfo> info = ParseLimitInfo("api-usage=18/5000", &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->api_usage, (ApiUsage{18, 5000}));
  EXPECT_TRUE(info->per_app.empty());

  // Salesforce's documented example with a connected app quota.
  info = ParseLimitInfo("api-usage=25/5000; per-app-api-usage=17/250(appName=sample-connected-app)",
                        &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->api_usage, (ApiUsage{25, 5000}));
  ASSERT_EQ(info->per_app.size(), 1u);
  EXPECT_EQ(info->per_app[0], (AppApiUsage{"sample-connected-app", {17, 250}}));

  // Over the limit (bursts), unknown parts skipped, spacing and case tolerated.
  info = ParseLimitInfo("api-usage=110018/100000; api-bursts=1/750", &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->api_usage, (ApiUsage{110018, 100000}));
  info = ParseLimitInfo("  API-Usage = 5 / 10 ,per-app-api-usage=1/2", &error);
  ASSERT_TRUE(info) << error;
  EXPECT_EQ(info->api_usage, (ApiUsage{5, 10}));
  EXPECT_EQ(info->per_app[0].app, "");

  for (const char* bad :
       {"", "api-bursts=1/750", "api-usage=abc", "api-usage=5", "api-usage=5/", "api-usage=-1/10",
        "per-app-api-usage=1/2(appName=x", "api-usage=1/99999999999999999999"}) {
    EXPECT_FALSE(ParseLimitInfo(bad, &error)) << bad;
    EXPECT_EQ(error.rfind("Sforce-Limit-Info: ", 0), 0u) << error;
  }
}

TEST(LimitsTest, RealDeveloperOrgSample) {
  std::string error;
  std::optional<DailyApiRequests> daily =
      ParseLimitsBody(Sample("limits/limits_v50_devorg_real.json"), &error);
  ASSERT_TRUE(daily) << error;
  EXPECT_EQ(daily->max, 15000);
  EXPECT_EQ(daily->remaining, 14988);
  EXPECT_EQ(daily->usage(), (ApiUsage{12, 15000}));
  ASSERT_FALSE(daily->apps.empty());
  EXPECT_EQ(daily->apps[0].name, "Ant Migration Tool");
  bool found = false;
  for (const DailyApiRequests::App& app : daily->apps) {
    if (app.name == "Salesforce Mobile Dashboards") found = true;
  }
  EXPECT_TRUE(found);
}

TEST(LimitsTest, MalformedBodies) {
  std::string error;
  EXPECT_FALSE(ParseLimitsBody("[]", &error));
  EXPECT_EQ(error, "limits: the body is not a JSON object");
  EXPECT_FALSE(ParseLimitsBody("{}", &error));
  EXPECT_EQ(error, "limits: DailyApiRequests is missing or not an object");
  EXPECT_FALSE(ParseLimitsBody(R"({"DailyApiRequests": {"Max": 10}})", &error));
  EXPECT_EQ(error, "limits: DailyApiRequests.Remaining is missing");
  EXPECT_FALSE(ParseLimitsBody(R"({"DailyApiRequests": {"Max": "10", "Remaining": 1}})", &error));
  EXPECT_EQ(error, "limits: DailyApiRequests.Max is not an integer");
  EXPECT_FALSE(ParseLimitsBody("{", &error));
  EXPECT_EQ(error.rfind("limits: ", 0), 0u);
}

// A clock the test moves by hand.
struct FakeClock {
  std::shared_ptr<std::atomic<int64_t>> seconds_since_epoch =
      std::make_shared<std::atomic<int64_t>>(1767225600);  // 2026-01-01T00:00:00Z
  TimePoint Now() const { return TimePoint(seconds(seconds_since_epoch->load())); }
  void Advance(std::chrono::seconds s) { *seconds_since_epoch += s.count(); }
  std::function<TimePoint()> Fn() const {
    auto p = seconds_since_epoch;
    return [p] { return TimePoint(seconds(p->load())); };
  }
};

ApiBudgetOptions Options(const FakeClock& clock, double share = 0.5) {
  ApiBudgetOptions o;
  o.share = share;
  o.clock = clock.Fn();
  return o;
}

int64_t Grant(ApiBudget& budget, int64_t calls) {
  int64_t granted = 0;
  for (int64_t i = 0; i < calls; ++i) {
    if (budget.TryAcquire(1)) ++granted;
  }
  return granted;
}

TEST(ApiBudgetTest, GrantsUntilTheLimitIsKnown) {
  FakeClock clock;
  ApiBudget budget(Options(clock));
  EXPECT_EQ(Grant(budget, 100), 100);
  ApiBudgetState s = budget.State();
  EXPECT_EQ(s.budget, 0);
  EXPECT_EQ(s.used_24h, 100);
  EXPECT_EQ(s.Describe(),
            "ok: 100 calls used in 24 h (budget unknown until Salesforce reports the limit)");
}

TEST(ApiBudgetTest, ShareOfTheDailyLimitOverARolling24Hours) {
  FakeClock clock;
  ApiBudget budget(Options(clock, 0.5));
  EXPECT_TRUE(budget.ObserveHeader("api-usage=0/1000"));
  EXPECT_EQ(budget.State().budget, 500);
  EXPECT_EQ(Grant(budget, 300), 300);
  clock.Advance(hours(6));
  budget.Observe(ApiUsage{300, 1000});
  EXPECT_EQ(Grant(budget, 300), 200);
  AcquireResult r = budget.TryAcquire(1);
  EXPECT_FALSE(r);
  EXPECT_EQ(r.reason, AcquireResult::kOverBudget);
  // The first 300 calls leave the window 24 h after they were made.
  EXPECT_EQ(r.retry_at, TimePoint(seconds(1767225600)) + hours(24));
  EXPECT_EQ(r.message,
            "API budget used: this connection may spend 500 calls in 24 hours (50% of the org's "
            "1000 daily requests); calls resume at 2026-01-02T00:00:00Z");
  // Asking for more than can ever fit waits for the whole window.
  EXPECT_FALSE(budget.TryAcquire(600));

  clock.Advance(hours(18));  // 24 h after the first calls
  budget.Observe(ApiUsage{200, 1000});
  EXPECT_EQ(budget.State().used_24h, 200);
  EXPECT_EQ(Grant(budget, 400), 300);

  // Released calls (granted, never made) are available again.
  budget.Release(50);
  EXPECT_EQ(Grant(budget, 100), 50);
}

TEST(ApiBudgetTest, PausesAtTheOrgCeilingAndProbes) {
  FakeClock clock;
  ApiBudgetOptions o = Options(clock, 1.0);
  o.org_ceiling = 0.95;
  ApiBudget budget(o);
  budget.Observe(ApiUsage{940, 1000});
  EXPECT_EQ(Grant(budget, 10), 10);  // up to 950
  // Over the ceiling: one probe call goes through to learn the current usage.
  EXPECT_TRUE(budget.TryAcquire(1));
  AcquireResult r = budget.TryAcquire(1);
  EXPECT_EQ(r.reason, AcquireResult::kOrgNearLimit);
  EXPECT_EQ(r.retry_at, clock.Now() + minutes(5));
  EXPECT_NE(r.message.find("the org has used 951 of its 1000 daily API requests"),
            std::string::npos)
      << r.message;
  // The probe's answer says others freed calls (the window rolled): calls resume.
  budget.Observe(ApiUsage{600, 1000});
  EXPECT_EQ(Grant(budget, 100), 100);
  // Still over after the interval: another probe.
  budget.Observe(ApiUsage{990, 1000});
  EXPECT_TRUE(budget.TryAcquire(1));
  EXPECT_FALSE(budget.TryAcquire(1));
  clock.Advance(minutes(5));
  EXPECT_TRUE(budget.TryAcquire(1));
  EXPECT_FALSE(budget.TryAcquire(1));
}

TEST(ApiBudgetTest, HoldsAfterRequestLimitExceededThenResumes) {
  FakeClock clock;
  ApiBudget budget(Options(clock));
  budget.Observe(ApiUsage{100, 15000});
  const TimePoint until = budget.MarkLimitExceeded();
  EXPECT_EQ(until, clock.Now() + minutes(30));
  // Other calls failing the same way while holding do not extend the hold.
  clock.Advance(minutes(1));
  EXPECT_EQ(budget.MarkLimitExceeded(), until);

  AcquireResult r = budget.TryAcquire(1);
  EXPECT_EQ(r.reason, AcquireResult::kLimitExceeded);
  EXPECT_EQ(r.retry_at, until);
  EXPECT_EQ(r.message,
            "API Limit Exceeded: Salesforce refused calls (REQUEST_LIMIT_EXCEEDED); exhausted "
            "until 2026-01-01T00:30:00Z; work is kept and resumes then");
  ApiBudgetState s = budget.State();
  EXPECT_TRUE(s.exhausted);
  EXPECT_EQ(s.Describe(),
            "exhausted until 2026-01-01T00:30:00Z (REQUEST_LIMIT_EXCEEDED); work is kept and "
            "resumes then");

  // The hold ends: one probe call, the rest wait for its answer.
  clock.Advance(minutes(29));
  EXPECT_TRUE(budget.TryAcquire(1));
  EXPECT_EQ(budget.TryAcquire(1).reason, AcquireResult::kLimitExceeded);
  EXPECT_FALSE(budget.State().exhausted);
  // The probe is refused again: hold twice as long.
  const TimePoint second = budget.MarkLimitExceeded();
  EXPECT_EQ(second, clock.Now() + minutes(60));
  clock.Advance(minutes(60));
  EXPECT_TRUE(budget.TryAcquire(1));  // probe
  // The probe succeeds: normal calls resume and the next hold starts from 30 min again.
  budget.Observe(ApiUsage{14000, 15000});
  EXPECT_EQ(Grant(budget, 10), 10);
  EXPECT_EQ(budget.MarkLimitExceeded(), clock.Now() + minutes(30));

  // A probe whose answer never comes: another probe after probe_interval.
  clock.Advance(minutes(30));
  EXPECT_TRUE(budget.TryAcquire(1));
  EXPECT_FALSE(budget.TryAcquire(1));
  clock.Advance(minutes(5));
  EXPECT_TRUE(budget.TryAcquire(1));

  // An explicit end of hold.
  ApiBudget other(Options(clock));
  EXPECT_EQ(other.MarkLimitExceeded(clock.Now() + hours(2)), clock.Now() + hours(2));
}

TEST(ApiBudgetTest, HoldDoublingIsCapped) {
  FakeClock clock;
  ApiBudgetOptions o = Options(clock);
  o.limit_hold = minutes(30);
  o.max_limit_hold = hours(4);
  ApiBudget budget(o);
  std::vector<int64_t> holds;
  for (int i = 0; i < 7; ++i) {
    TimePoint until = budget.MarkLimitExceeded();
    holds.push_back(std::chrono::duration_cast<minutes>(until - clock.Now()).count());
    clock.Advance(std::chrono::duration_cast<seconds>(until - clock.Now()));
    ASSERT_TRUE(budget.TryAcquire(1));  // the probe, refused again
  }
  EXPECT_EQ(holds, (std::vector<int64_t>{30, 60, 120, 240, 240, 240, 240}));
}

TEST(ApiBudgetTest, ConcurrentAcquisitionsNeverExceedTheBudget) {
  FakeClock clock;
  ApiBudget budget(Options(clock, 0.25));
  budget.Observe(ApiUsage{0, 10000});  // budget 2500; the org ceiling is far
  std::atomic<int64_t> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 1000; ++i) {
        if (budget.TryAcquire(1 + (i % 2))) granted += 1 + (i % 2);
        if (i % 100 == t) budget.State();
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_LE(granted.load(), 2500);
  EXPECT_GE(granted.load(), 2499);  // a 2-call request may not fit the last call
  EXPECT_EQ(budget.State().used_24h, granted.load());
}

TEST(ApiBudgetTest, ConcurrentHoldAndResume) {
  FakeClock clock;
  ApiBudget budget(Options(clock));
  budget.Observe(ApiUsage{0, 100000});
  budget.MarkLimitExceeded();
  std::atomic<bool> stop{false};
  std::atomic<int64_t> granted{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&] {
      while (!stop) {
        if (budget.TryAcquire(1)) ++granted;
        std::this_thread::yield();
      }
    });
  }
  // Answers of calls that were in flight, and further refusals, while holding.
  std::thread reporter([&] {
    for (int i = 0; i < 200; ++i) {
      budget.MarkLimitExceeded();
      budget.Observe(ApiUsage{10, 100000});
      budget.ObserveHeader("api-usage=11/100000");
    }
  });
  reporter.join();
  EXPECT_EQ(granted.load(), 0);
  EXPECT_TRUE(budget.State().exhausted);

  clock.Advance(minutes(30));
  // One worker's probe goes through; its answer resumes everyone.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (granted.load() < 1 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  EXPECT_EQ(granted.load(), 1);
  budget.Observe(ApiUsage{12, 100000});
  while (granted.load() < 100 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  stop = true;
  for (std::thread& th : workers) th.join();
  EXPECT_GE(granted.load(), 100);
}

}  // namespace
}  // namespace cf::sf
