// When to try a failed Salesforce call again: exponential backoff with full jitter, bounded in
// attempts and in total waiting, honouring Retry-After, never retrying what cannot succeed.
//
// Start here:
//   RetryPolicy policy;                       // defaults below; thread-safe, share one
//   RetryState state = policy.Begin();        // one per logical call
//   for (;;) {
//     Result r = Call();
//     if (r.ok) break;
//     RetryDecision d = state.Next(r.failure);   // SfFailure from sf_errors.h
//     if (d.action == RetryDecision::kGiveUp) { report(r.failure, d.reason); break; }
//     if (d.action == RetryDecision::kRefreshThenRetry) RefreshToken();
//     sleep(d.delay);
//   }
//
// Delay before retry n (n = 1, 2, ...): uniform in [0, min(max_delay, base_delay * 2^(n-1))]
// ("full jitter"), raised to Retry-After when the answer carries one. A retry whose delay would
// pass max_total_delay is not made. Deterministic when the random source is (tests seed it).
#ifndef CF_CONNECTORS_SALESFORCE_RETRY_POLICY_H_
#define CF_CONNECTORS_SALESFORCE_RETRY_POLICY_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "connectors/salesforce/sf_errors.h"

namespace cf::sf {

struct RetryOptions {
  // Tries in all, the first included. Default: 5.
  int max_attempts = 5;
  // First retry's delay cap. Default: 500 ms.
  std::chrono::milliseconds base_delay{500};
  // Cap of any one computed delay. Default: 30 s.
  std::chrono::milliseconds max_delay{30'000};
  // Cap of the sum of all delays of one call. Default: 2 min.
  std::chrono::milliseconds max_total_delay{120'000};
  // Wait at least the answer's Retry-After; when it exceeds what remains of max_total_delay,
  // give up instead. Default: true.
  bool honour_retry_after = true;
};

struct RetryDecision {
  enum Action : uint8_t {
    kRetry,             // wait `delay`, then call again
    kRefreshThenRetry,  // refresh the access token, then call again (delay is 0)
    kGiveUp,            // report the failure; `reason` says why no retry
  };
  Action action = kGiveUp;
  std::chrono::milliseconds delay{0};
  std::string reason;
};

class RetryPolicy;

// The retry state of one logical call. Not thread-safe (one call, one thread at a time).
class RetryState {
 public:
  // Decides after a failed attempt. Counts the attempt.
  RetryDecision Next(const SfFailure& failure);

  int attempts() const { return attempts_; }  // attempts made so far (failed ones reported)
  std::chrono::milliseconds total_delay() const { return total_delay_; }

 private:
  friend class RetryPolicy;
  explicit RetryState(const RetryPolicy* policy) : policy_(policy) {}

  const RetryPolicy* policy_;
  int attempts_ = 0;
  int backoff_retries_ = 0;
  bool refreshed_ = false;
  std::chrono::milliseconds total_delay_{0};
};

class RetryPolicy {
 public:
  // A source of uniformly distributed 64-bit values. Must be thread-safe if the policy is
  // shared between threads. Default: a per-thread generator seeded from std::random_device.
  using Random = std::function<uint64_t()>;

  explicit RetryPolicy(RetryOptions options = {}, Random random = {});

  // REQUIRES: the policy outlives the state (Begin on a temporary does not compile).
  RetryState Begin() const& { return RetryState(this); }
  RetryState Begin() const&& = delete;

  const RetryOptions& options() const { return options_; }

  // The jittered delay before backoff retry `n` (1-based), without Retry-After: uniform in
  // [0, min(max_delay, base_delay * 2^(n-1))] milliseconds.
  std::chrono::milliseconds BackoffDelay(int n) const;

 private:
  RetryOptions options_;
  Random random_;
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_RETRY_POLICY_H_
