// The retry policy with a seeded random source: full-jitter bounds, bounded attempts and total
// delay, Retry-After, refresh-then-retry-once, and no retry of permanent failures.
#include "connectors/salesforce/retry_policy.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <vector>

namespace cf::sf {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

SfFailure Failure(RetryAdvice retry, ErrorCategory category = ErrorCategory::kTransient) {
  SfFailure f;
  f.retry = retry;
  f.category = category;
  return f;
}

RetryPolicy::Random Seeded(uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng] { return (*rng)(); };
}

TEST(RetryPolicyTest, FullJitterStaysWithinTheExponentialCap) {
  RetryOptions o;
  o.base_delay = milliseconds(100);
  o.max_delay = milliseconds(1000);
  RetryPolicy policy(o, Seeded(1));
  const std::vector<int64_t> caps = {100, 200, 400, 800, 1000, 1000, 1000};
  for (size_t n = 1; n <= caps.size(); ++n) {
    int64_t max_seen = 0;
    int64_t min_seen = caps[n - 1];
    for (int i = 0; i < 2000; ++i) {
      int64_t d = policy.BackoffDelay(static_cast<int>(n)).count();
      ASSERT_GE(d, 0);
      ASSERT_LE(d, caps[n - 1]) << "retry " << n;
      max_seen = std::max(max_seen, d);
      min_seen = std::min(min_seen, d);
    }
    // Full jitter spreads over the whole range.
    EXPECT_GT(max_seen, caps[n - 1] * 9 / 10) << n;
    EXPECT_LT(min_seen, caps[n - 1] / 10) << n;
  }
  EXPECT_EQ(RetryPolicy(RetryOptions{.base_delay = milliseconds(0)}, Seeded(1)).BackoffDelay(3),
            milliseconds(0));
  // Huge retry numbers do not overflow.
  EXPECT_LE(policy.BackoffDelay(1000).count(), 1000);
}

TEST(RetryPolicyTest, DeterministicUnderASeed) {
  auto delays = [](uint64_t seed) {
    RetryPolicy policy(RetryOptions{.max_attempts = 6}, Seeded(seed));
    RetryState state = policy.Begin();
    std::vector<int64_t> out;
    for (;;) {
      RetryDecision d = state.Next(Failure(RetryAdvice::kRetryWithBackoff));
      if (d.action != RetryDecision::kRetry) break;
      out.push_back(d.delay.count());
    }
    return out;
  };
  EXPECT_EQ(delays(42), delays(42));
  EXPECT_NE(delays(42), delays(43));
  EXPECT_EQ(delays(42).size(), 5u);  // 6 attempts: 5 retries
}

TEST(RetryPolicyTest, BoundedAttempts) {
  RetryPolicy policy(RetryOptions{.max_attempts = 3}, Seeded(7));
  RetryState state = policy.Begin();
  EXPECT_EQ(state.Next(Failure(RetryAdvice::kRetryWithBackoff)).action, RetryDecision::kRetry);
  EXPECT_EQ(state.Next(Failure(RetryAdvice::kRetryWithBackoff)).action, RetryDecision::kRetry);
  RetryDecision d = state.Next(Failure(RetryAdvice::kRetryWithBackoff));
  EXPECT_EQ(d.action, RetryDecision::kGiveUp);
  EXPECT_EQ(d.reason, "gave up after 3 attempts");
  EXPECT_EQ(state.attempts(), 3);

  RetryPolicy single(RetryOptions{.max_attempts = 1});
  RetryState once = single.Begin();
  EXPECT_EQ(once.Next(Failure(RetryAdvice::kRetryWithBackoff)).action, RetryDecision::kGiveUp);
}

TEST(RetryPolicyTest, BoundedTotalDelay) {
  // A random source that draws the top of each range (r % (cap + 1) == cap for r == cap):
  // delays 1000, 2000, 4000, then 4000 would bring the total to 11 s.
  RetryOptions o;
  o.max_attempts = 100;
  o.base_delay = milliseconds(1000);
  o.max_delay = milliseconds(4000);
  o.max_total_delay = milliseconds(10000);
  auto draws =
      std::make_shared<std::vector<uint64_t>>(std::vector<uint64_t>{1000, 2000, 4000, 4000, 4000});
  auto next = std::make_shared<size_t>(0);
  RetryPolicy policy(o, [draws, next] { return (*draws)[(*next)++ % draws->size()]; });
  RetryState state = policy.Begin();
  std::vector<int64_t> delays;
  RetryDecision d;
  for (;;) {
    d = state.Next(Failure(RetryAdvice::kRetryWithBackoff));
    if (d.action != RetryDecision::kRetry) break;
    delays.push_back(d.delay.count());
  }
  EXPECT_EQ(delays, (std::vector<int64_t>{1000, 2000, 4000}));
  EXPECT_EQ(state.total_delay(), milliseconds(7000));
  EXPECT_EQ(d.action, RetryDecision::kGiveUp);
  EXPECT_EQ(d.reason, "gave up: waiting 4.0 s more would pass the retry budget of 10.0 s");
}

TEST(RetryPolicyTest, HonoursRetryAfter) {
  RetryOptions o;
  o.base_delay = milliseconds(100);
  o.max_total_delay = milliseconds(60000);
  RetryPolicy policy(o, Seeded(3));
  RetryState state = policy.Begin();
  SfFailure f = Failure(RetryAdvice::kRetryWithBackoff);
  f.retry_after = seconds(20);
  RetryDecision d = state.Next(f);
  EXPECT_EQ(d.action, RetryDecision::kRetry);
  EXPECT_EQ(d.delay, milliseconds(20000));  // at least what Salesforce asked
  d = state.Next(f);
  EXPECT_EQ(d.delay, milliseconds(20000));
  // A third wait of 20 s would pass 60 s of total waiting? 40 + 20 = 60: allowed.
  d = state.Next(f);
  EXPECT_EQ(d.action, RetryDecision::kRetry);
  d = state.Next(f);
  EXPECT_EQ(d.action, RetryDecision::kGiveUp);
  EXPECT_EQ(d.reason,
            "gave up: Salesforce asked to wait 20.0 s (Retry-After), beyond the retry budget of "
            "60.0 s");

  // Ignored when told to.
  o.honour_retry_after = false;
  RetryPolicy ignoring(o, Seeded(3));
  RetryState s2 = ignoring.Begin();
  EXPECT_LE(s2.Next(f).delay, milliseconds(100));
}

TEST(RetryPolicyTest, NeverRetriesPermanentFailures) {
  RetryPolicy policy(RetryOptions{}, Seeded(1));
  for (ErrorCategory c : {ErrorCategory::kValidation, ErrorCategory::kMalformedRequest,
                          ErrorCategory::kAuthenticationFailed, ErrorCategory::kNotFound,
                          ErrorCategory::kInsufficientPrivileges}) {
    RetryState state = policy.Begin();
    RetryDecision d = state.Next(Failure(RetryAdvice::kNever, c));
    EXPECT_EQ(d.action, RetryDecision::kGiveUp);
    EXPECT_EQ(d.reason,
              std::string("not retried: a ") + ErrorCategoryName(c) + " fails the same way again");
  }
  RetryState limit = policy.Begin();
  EXPECT_EQ(limit.Next(Failure(RetryAdvice::kWaitForLimitReset)).action, RetryDecision::kGiveUp);
  RetryState rolled = policy.Begin();
  EXPECT_EQ(rolled.Next(Failure(RetryAdvice::kResubmitSeparately)).action, RetryDecision::kGiveUp);
}

TEST(RetryPolicyTest, RealClassificationsDriveIt) {
  RetryPolicy policy(RetryOptions{}, Seeded(9));
  RetryState a = policy.Begin();
  EXPECT_EQ(
      a.Next(ClassifyResponse(400, R"([{"errorCode":"REQUIRED_FIELD_MISSING","message":"x"}])"))
          .action,
      RetryDecision::kGiveUp);
  RetryState b = policy.Begin();
  EXPECT_EQ(b.Next(ClassifyResponse(503, "")).action, RetryDecision::kRetry);
  EXPECT_EQ(b.Next(ClassifyTransport(TransportFailure::kConnectionReset)).action,
            RetryDecision::kRetry);
  EXPECT_EQ(
      b.Next(ClassifyResponse(400, R"([{"errorCode":"QUERY_TIMEOUT","message":"x"}])")).action,
      RetryDecision::kRetry);
  EXPECT_EQ(
      b.Next(ClassifyResponse(400, R"([{"errorCode":"INVALID_FIELD","message":"x"}])")).action,
      RetryDecision::kGiveUp);
}

TEST(RetryPolicyTest, SessionExpiryRefreshesOnceOnly) {
  RetryPolicy policy(RetryOptions{}, Seeded(1));
  RetryState state = policy.Begin();
  SfFailure expired = ClassifyResponse(
      401, R"([{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}])");
  RetryDecision d = state.Next(expired);
  EXPECT_EQ(d.action, RetryDecision::kRefreshThenRetry);
  EXPECT_EQ(d.delay, milliseconds(0));
  // A transient failure in between still retries.
  EXPECT_EQ(state.Next(Failure(RetryAdvice::kRetryWithBackoff)).action, RetryDecision::kRetry);
  d = state.Next(expired);
  EXPECT_EQ(d.action, RetryDecision::kGiveUp);
  EXPECT_NE(d.reason.find("refreshed once"), std::string::npos);
}

}  // namespace
}  // namespace cf::sf
