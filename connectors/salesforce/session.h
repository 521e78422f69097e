// The tokens of one connection and their renewal: the access token every call uses, the
// refresh token that renews it, and the connection's state.
//
// Start here:
//   auto session = std::make_shared<Session>(grant.access_token, grant.refresh_token, oauth,
//                                            [&](const TokenGrant& g) { SaveSealed(g); });
//   std::optional<Session::Token> token = session->Current();   // nullopt: reconnect needed
//   ... 401 INVALID_SESSION_ID with token->generation ...
//   if (std::optional<SfFailure> f = session->RefreshAfterRejection(token->generation)) fail(*f);
//   else retry with session->Current();
//
// Single flight: however many calls are rejected at once, one refresh request is made; the
// others wait for it and then use its token. A call rejected with a token that has already been
// replaced retries with the new one at once. A refresh that Salesforce refuses for good
// (invalid_grant: revoked, expired or rotated-out refresh token; invalid client) moves the
// session to kDisconnected ("disconnected: reconnect needed") and no further refresh is tried
// until Reconnect. A refresh that fails for a transient reason (network, 5xx) leaves the state
// alone and returns the failure; the next rejected call tries again.
//
// Rotation: when the refresh answer carries a new refresh token it replaces the old one, and
// `on_tokens_changed` receives the grant before any waiting call proceeds, so the caller can
// seal and persist it (vault.h) before the old one is used anywhere else.
//
// Thread safety: every member may be called from any thread. `on_tokens_changed` is called
// without the session's lock held, from the refreshing thread, one call at a time.
#ifndef CF_CONNECTORS_SALESFORCE_SESSION_H_
#define CF_CONNECTORS_SALESFORCE_SESSION_H_

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/sf_errors.h"
#include "connectors/salesforce/vault.h"

namespace cf::sf {

enum class SessionState : uint8_t {
  kConnected,     // calls can be made (the access token may still turn out to be stale)
  kDisconnected,  // the user must reconnect: no valid token and no way to get one
};

class Session {
 public:
  using TokensChanged = std::function<void(const TokenGrant& grant)>;

  struct Token {
    SecretString access_token;
    uint64_t generation = 0;  // changes whenever the access token does
  };

  // `refresh_token` and `oauth` may be absent (a connection made with an access token only:
  // when it expires the session becomes kDisconnected). `on_tokens_changed` may be empty.
  Session(SecretString access_token, std::optional<SecretString> refresh_token,
          std::shared_ptr<const OAuthClient> oauth, TokensChanged on_tokens_changed = {});

  // The current access token; nullopt when disconnected.
  std::optional<Token> Current() const;

  // Call after Salesforce rejected a request (401 INVALID_SESSION_ID) that was sent with the
  // token of `rejected_generation`. Returns nullopt when a fresh token is available (retry with
  // Current()), else the failure; a failure with reconnect_required means kDisconnected.
  std::optional<SfFailure> RefreshAfterRejection(uint64_t rejected_generation);

  // Installs tokens from a new authorisation (the user reconnected); back to kConnected.
  void Reconnect(SecretString access_token, std::optional<SecretString> refresh_token);

  SessionState state() const;
  // Why the session is disconnected ("disconnected: reconnect needed: ..."), else empty.
  std::string disconnect_reason() const;
  // Refresh requests made so far (tests: single flight).
  uint64_t refresh_requests() const;

 private:
  std::optional<SfFailure> DisconnectLocked(SfFailure failure);

  const std::shared_ptr<const OAuthClient> oauth_;
  const TokensChanged on_tokens_changed_;

  mutable std::mutex mu_;
  std::condition_variable refreshed_;
  SecretString access_token_;
  std::optional<SecretString> refresh_token_;
  uint64_t generation_ = 1;
  bool refreshing_ = false;
  SessionState state_ = SessionState::kConnected;
  std::optional<SfFailure> disconnect_failure_;
  uint64_t refresh_requests_ = 0;
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SESSION_H_
