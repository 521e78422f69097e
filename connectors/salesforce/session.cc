#include "connectors/salesforce/session.h"

#include <utility>

namespace cf::sf {

Session::Session(SecretString access_token, std::optional<SecretString> refresh_token,
                 std::shared_ptr<const OAuthClient> oauth, TokensChanged on_tokens_changed)
    : oauth_(std::move(oauth)),
      on_tokens_changed_(std::move(on_tokens_changed)),
      access_token_(std::move(access_token)),
      refresh_token_(std::move(refresh_token)) {
  if (access_token_.empty() && (!refresh_token_ || !oauth_)) {
    state_ = SessionState::kDisconnected;
    SfFailure failure;
    failure.category = ErrorCategory::kAuthenticationFailed;
    failure.troubleshooting = TroubleshootingCase::kAuthenticationFailed;
    failure.reconnect_required = true;
    failure.summary = "Authentication Failed: no access token: connect the org again";
    disconnect_failure_ = std::move(failure);
  }
}

std::optional<Session::Token> Session::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  if (state_ == SessionState::kDisconnected) return std::nullopt;
  return Token{access_token_, generation_};
}

std::optional<SfFailure> Session::DisconnectLocked(SfFailure failure) {
  state_ = SessionState::kDisconnected;
  failure.reconnect_required = true;
  disconnect_failure_ = failure;
  return failure;
}

std::optional<SfFailure> Session::RefreshAfterRejection(uint64_t rejected_generation) {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    if (state_ == SessionState::kDisconnected) return disconnect_failure_;
    if (generation_ != rejected_generation) return std::nullopt;  // already renewed
    if (!refreshing_) break;
    refreshed_.wait(lock);
  }
  // An empty access token (a session started from a refresh token alone) is renewed the
  // same way as a rejected one.
  if (!refresh_token_ || !oauth_) {
    SfFailure failure;
    failure.http_status = 401;
    failure.category = ErrorCategory::kAuthenticationFailed;
    failure.troubleshooting = TroubleshootingCase::kAuthenticationFailed;
    failure.summary =
        "Authentication Failed: the access token expired or was revoked and this connection "
        "has no refresh token: reconnect (with OAuth, so that the token renews itself)";
    return DisconnectLocked(std::move(failure));
  }
  refreshing_ = true;
  ++refresh_requests_;
  SecretString refresh_token = *refresh_token_;
  lock.unlock();

  TokenResult result = oauth_->RefreshGrant(refresh_token);
  if (result.ok() && on_tokens_changed_) on_tokens_changed_(*result.grant);

  lock.lock();
  refreshing_ = false;
  std::optional<SfFailure> outcome;
  if (result.ok()) {
    access_token_ = std::move(result.grant->access_token);
    if (result.grant->refresh_token) refresh_token_ = std::move(result.grant->refresh_token);
    ++generation_;
  } else if (result.failure.reconnect_required ||
             result.failure.category == ErrorCategory::kAuthenticationFailed) {
    SfFailure failure = std::move(result.failure);
    failure.summary = "disconnected: reconnect needed: " + failure.summary;
    outcome = DisconnectLocked(std::move(failure));
  } else {
    outcome = std::move(result.failure);  // transient: the next rejected call tries again
  }
  refreshed_.notify_all();
  return outcome;
}

void Session::Reconnect(SecretString access_token, std::optional<SecretString> refresh_token) {
  std::lock_guard<std::mutex> lock(mu_);
  access_token_ = std::move(access_token);
  if (refresh_token) refresh_token_ = std::move(refresh_token);
  ++generation_;
  state_ = SessionState::kConnected;
  disconnect_failure_.reset();
  refreshed_.notify_all();
}

SessionState Session::state() const {
  std::lock_guard<std::mutex> lock(mu_);
  return state_;
}

std::string Session::disconnect_reason() const {
  std::lock_guard<std::mutex> lock(mu_);
  return disconnect_failure_ ? disconnect_failure_->summary : std::string();
}

uint64_t Session::refresh_requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return refresh_requests_;
}

}  // namespace cf::sf
