// OAuth 2.0 token requests to Salesforce: the username-password flow, the authorization-code
// flow (exchanging a code) and the refresh-token flow.
//
// Start here:
//   OAuthApp app{"3MVG9...", SecretString(secret), "https://connectflo.example/oauth/callback"};
//   OAuthClient oauth(http, "https://login.salesforce.com", app);
//   TokenResult r = oauth.RefreshGrant(refresh_token);
//   if (!r.ok()) report(r.failure.Describe());          // never contains the token
//   else use(r.grant->access_token, r.grant->instance_url);
//
// Every answer is checked: the access token must be present, instance_url must be a URL, and
// when the client secret is known the `signature` (base64 HMAC-SHA256 of id + issued_at keyed
// with the secret) must match, which proves the answer came from the org the app is registered
// with. Transport failures and 5xx answers are retried by `retry` (retry_policy.h); OAuth
// errors (400 invalid_grant ...) are not. Failures are classified by ClassifyResponse: a
// revoked or expired refresh token gives reconnect_required.
//
// Thread safety: all members are const after construction; calls may run concurrently.
#ifndef CF_CONNECTORS_SALESFORCE_OAUTH_CLIENT_H_
#define CF_CONNECTORS_SALESFORCE_OAUTH_CLIENT_H_

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/retry_policy.h"
#include "connectors/salesforce/sf_errors.h"
#include "connectors/salesforce/vault.h"

namespace cf::sf {

// The connected app the plugin authenticates as.
struct OAuthApp {
  std::string client_id;       // the consumer key
  SecretString client_secret;  // the consumer secret; may be empty for the refresh flow
  std::string redirect_uri;    // the callback URL registered with the app (code flow)
};

// What a successful token request gives.
struct TokenGrant {
  SecretString access_token;
  std::optional<SecretString> refresh_token;  // code flow; refresh flow only when rotated
  std::string instance_url;                   // "https://acme.my.salesforce.com"
  std::string identity_url;                   // "https://login.../id/00D.../005..."
  std::string issued_at;                      // epoch milliseconds, as sent
  std::string org_id;                         // from identity_url
  std::string user_id;                        // from identity_url
};

struct TokenResult {
  std::optional<TokenGrant> grant;  // set on success
  SfFailure failure;                // set on failure
  bool ok() const { return grant.has_value(); }
};

class OAuthClient {
 public:
  // `login_url`: where token requests go, e.g. "https://login.salesforce.com",
  // "https://test.salesforce.com" or the org's My Domain URL (see instance_url.h). `http` must
  // not be null. `sleep` waits between retries; default std::this_thread::sleep_for.
  OAuthClient(std::shared_ptr<HttpTransport> http, std::string login_url, OAuthApp app,
              RetryPolicy retry = RetryPolicy(),
              std::function<void(std::chrono::milliseconds)> sleep = {});

  // grant_type=password. `password` is the user's password followed by their security token
  // when the org requires one.
  TokenResult PasswordGrant(std::string_view username, const SecretString& password) const;
  // grant_type=authorization_code: exchanges the code the authorize redirect delivered.
  TokenResult AuthorizationCodeGrant(std::string_view code) const;
  // grant_type=refresh_token.
  TokenResult RefreshGrant(const SecretString& refresh_token) const;

  // The URL to send the user's browser to for the authorization-code flow.
  std::string AuthorizeUrl(std::string_view state) const;

  const std::string& login_url() const { return login_url_; }
  const OAuthApp& app() const { return app_; }

 private:
  // Posts a form (name=value pairs already encoded into `form`) to the token endpoint.
  TokenResult RequestToken(const SecretString& form) const;

  std::shared_ptr<HttpTransport> http_;
  std::string login_url_;
  OAuthApp app_;
  RetryPolicy retry_;
  std::function<void(std::chrono::milliseconds)> sleep_;
};

// Parses and checks a token answer body (HTTP 200). On failure returns nullopt and sets
// *problem (no secret in it). `client_secret` empty skips the signature check.
std::optional<TokenGrant> ParseTokenAnswer(std::string_view body,
                                           const SecretString& client_secret,
                                           std::string* problem);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_OAUTH_CLIENT_H_
