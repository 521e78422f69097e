#include "connectors/salesforce/retry_policy.h"

#include <algorithm>
#include <random>
#include <utility>

namespace cf::sf {
namespace {

uint64_t DefaultRandom() {
  thread_local std::mt19937_64 generator{std::random_device{}()};
  return generator();
}

std::string Seconds(std::chrono::milliseconds ms) {
  const int64_t tenths = (ms.count() + 50) / 100;
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " s";
}

}  // namespace

RetryPolicy::RetryPolicy(RetryOptions options, Random random)
    : options_(std::move(options)), random_(std::move(random)) {
  if (!random_) random_ = DefaultRandom;
  options_.max_attempts = std::max(options_.max_attempts, 1);
  options_.base_delay = std::max(options_.base_delay, std::chrono::milliseconds(0));
  options_.max_delay = std::max(options_.max_delay, std::chrono::milliseconds(0));
  options_.max_total_delay = std::max(options_.max_total_delay, std::chrono::milliseconds(0));
}

std::chrono::milliseconds RetryPolicy::BackoffDelay(int n) const {
  const int64_t max_delay = options_.max_delay.count();
  int64_t cap = options_.base_delay.count();
  for (int i = 1; i < n && cap < max_delay; ++i) cap *= 2;
  cap = std::min(cap, max_delay);
  if (cap <= 0) return std::chrono::milliseconds(0);
  const uint64_t r = random_();
  return std::chrono::milliseconds(static_cast<int64_t>(r % static_cast<uint64_t>(cap + 1)));
}

RetryDecision RetryState::Next(const SfFailure& failure) {
  using std::chrono::milliseconds;
  ++attempts_;
  const RetryOptions& o = policy_->options();
  RetryDecision d;
  auto give_up = [&](std::string reason) {
    d.action = RetryDecision::kGiveUp;
    d.delay = milliseconds(0);
    d.reason = std::move(reason);
    return d;
  };
  switch (failure.retry) {
    case RetryAdvice::kNever:
      return give_up(std::string("not retried: a ") + ErrorCategoryName(failure.category) +
                     " fails the same way again");
    case RetryAdvice::kWaitForLimitReset:
      return give_up(
          "not retried now: the API limit is reached; calls resume when the budget "
          "is back");
    case RetryAdvice::kResubmitSeparately:
      return give_up("not retried as is: resubmit the record without the failed ones");
    case RetryAdvice::kRefreshThenRetryOnce:
      if (refreshed_) {
        return give_up(
            "not retried: the session was refreshed once and Salesforce still "
            "refused it; reconnect the connection");
      }
      if (attempts_ >= o.max_attempts) {
        return give_up("gave up after " + std::to_string(attempts_) + " attempts");
      }
      refreshed_ = true;
      d.action = RetryDecision::kRefreshThenRetry;
      return d;
    case RetryAdvice::kRetryWithBackoff:
      break;
  }
  if (attempts_ >= o.max_attempts) {
    return give_up("gave up after " + std::to_string(attempts_) + " attempts");
  }
  ++backoff_retries_;
  milliseconds delay = policy_->BackoffDelay(backoff_retries_);
  bool from_retry_after = false;
  if (o.honour_retry_after && failure.retry_after) {
    milliseconds asked = std::chrono::duration_cast<milliseconds>(*failure.retry_after);
    if (asked > delay) {
      delay = asked;
      from_retry_after = true;
    }
  }
  if (total_delay_ + delay > o.max_total_delay) {
    if (from_retry_after) {
      return give_up("gave up: Salesforce asked to wait " + Seconds(delay) +
                     " (Retry-After), beyond the retry budget of " + Seconds(o.max_total_delay));
    }
    return give_up("gave up: waiting " + Seconds(delay) + " more would pass the retry budget of " +
                   Seconds(o.max_total_delay));
  }
  total_delay_ += delay;
  d.action = RetryDecision::kRetry;
  d.delay = delay;
  return d;
}

}  // namespace cf::sf
