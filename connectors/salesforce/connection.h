// A connection to one Salesforce org: configuration checked before any call, the OAuth flow
// it names, tokens sealed (vault.h) in the connection's state store, and the REST client that
// discovery, sync and writes use. What the plugin holds per configured org.
//
// Start here:
//   ConnectionConfig config;
//   config.name = "acme-prod";
//   config.instance_url = "https://acme.my.salesforce.com";
//   config.auth = AuthMethod::kPassword;  config.client_id = ...;  config.username = ...;
//   ConnectResult r = Connection::Open(config, store, vault);   // OAuth now; tokens sealed
//   if (!r.ok()) show(r.failure.Describe());   // "Invalid Instance URL: remove the path ..."
//   r.connection->client().Get("limits");
//   ... after a restart:
//   ConnectResult again = Connection::Resume(config, store, vault);  // sealed tokens, no login
//
// Checks before any call: the instance URL (instance_url.h: https, host only, a Salesforce
// host; loopback only with the testing options), the login URL, the fields the auth method
// needs, the CA file. Each problem is one message that says what to fix.
//
// Secrets: the access and refresh tokens are stored only sealed (AES-256-GCM, bound to the
// connection name and the field) under the state store's "credentials" namespace; rotated
// refresh tokens are sealed and saved before they are used. Nothing here logs; no message
// holds a secret.
//
// Thread safety: a Connection may be used from many threads (its client is thread-safe).
#ifndef CF_CONNECTORS_SALESFORCE_CONNECTION_H_
#define CF_CONNECTORS_SALESFORCE_CONNECTION_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "connectors/salesforce/api_usage.h"
#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/instance_url.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/retry_policy.h"
#include "connectors/salesforce/session.h"
#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/vault.h"
#include "engine/state_store.h"

namespace cf::sf {

enum class AuthMethod : uint8_t {
  kAccessToken,        // an access token pasted by the admin (the product guide's main path)
  kPassword,           // OAuth username-password flow
  kAuthorizationCode,  // OAuth web-server flow: exchange a code from the authorize redirect
  kRefreshToken,       // a refresh token obtained elsewhere
};

const char* AuthMethodName(AuthMethod method);  // "access_token", "password", ...

struct ConnectionConfig {
  // The connection's name: binds its sealed secrets (1-128 printable ASCII, no ';' or '=').
  std::string name;
  std::string instance_url;  // "https://acme.my.salesforce.com"
  // Where OAuth token requests go. Default: the instance's own host for My Domain, else
  // login.salesforce.com (test.salesforce.com for sandboxes).
  std::string login_url;
  AuthMethod auth = AuthMethod::kAccessToken;

  // kAccessToken. An access token alone cannot renew itself: when it expires the connection
  // becomes "disconnected: reconnect needed". Give a refresh token with it to renew.
  SecretString access_token;
  SecretString refresh_token;  // kRefreshToken; optional with kAccessToken
  // The connected app (every OAuth method; the secret is optional for kRefreshToken).
  std::string client_id;
  SecretString client_secret;
  std::string redirect_uri;  // kAuthorizationCode: must equal the app's callback URL
  // kPassword: the user and their password followed by the security token, if the org needs it.
  std::string username;
  SecretString password;
  std::string authorization_code;  // kAuthorizationCode

  std::string ca_file;  // extra trusted CA (PEM); the system store is always trusted
  std::chrono::milliseconds timeout{30'000};
  std::string api_version = kDefaultApiVersion;
  ApiBudgetOptions budget;
  RetryOptions retry;

  // Testing only (the emulator): accept loopback hosts, and plain http on loopback.
  bool allow_loopback_for_testing = false;
  bool allow_insecure_loopback_for_testing = false;
};

class Connection;

struct ConnectResult {
  std::unique_ptr<Connection> connection;
  SfFailure failure;  // when connection is null
  bool ok() const { return connection != nullptr; }
};

class Connection {
 public:
  // Checks the configuration, runs the auth method's flow and seals the tokens into `store`.
  // kAccessToken makes no call (Test() proves the token). REQUIRES: store and vault non-null.
  static ConnectResult Open(const ConnectionConfig& config,
                            std::shared_ptr<engine::StateStore> store,
                            std::shared_ptr<const Vault> vault);
  // Reopens with the tokens sealed in `store` by an earlier Open (no login). Fails with
  // "not connected yet" when there are none.
  static ConnectResult Resume(const ConnectionConfig& config,
                              std::shared_ptr<engine::StateStore> store,
                              std::shared_ptr<const Vault> vault);

  // Test Connection: one counted call; org, user and API usage.
  ConnectionTestResult Test() const;

  const SalesforceClient& client() const { return *client_; }
  Session& session() const { return *session_; }
  ApiBudget& budget() const { return *budget_; }
  const InstanceUrl& instance() const { return instance_; }
  const std::string& name() const { return name_; }
  // "connected", or "disconnected: reconnect needed: <why>".
  std::string StatusLine() const;

 private:
  Connection() = default;
  // Builds the connection around tokens; its session seals rotated tokens into `store`.
  static std::unique_ptr<Connection> Assemble(const ConnectionConfig& config, InstanceUrl instance,
                                              std::shared_ptr<HttpTransport> http,
                                              std::shared_ptr<OAuthClient> oauth,
                                              SecretString access_token,
                                              std::optional<SecretString> refresh_token,
                                              std::string identity_url,
                                              std::shared_ptr<engine::StateStore> store,
                                              std::shared_ptr<const Vault> vault);

  std::string name_;
  InstanceUrl instance_;
  std::string identity_url_;
  std::shared_ptr<HttpTransport> http_;
  std::shared_ptr<Session> session_;
  std::shared_ptr<ApiBudget> budget_;
  std::unique_ptr<SalesforceClient> client_;
};

// The state store namespace of sealed credentials; keys "access_token", "refresh_token",
// "identity_url", "instance_url".
inline constexpr const char* kCredentialsNamespace = "credentials";

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_CONNECTION_H_
