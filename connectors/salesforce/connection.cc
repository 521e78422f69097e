#include "connectors/salesforce/connection.h"

#include <utility>
#include <vector>

namespace cf::sf {
namespace {

SfFailure ConfigProblem(std::string message) {
  SfFailure f;
  f.category = ErrorCategory::kMalformedRequest;
  f.summary = "Configuration: " + std::move(message);
  return f;
}

SfFailure UrlFailure(const UrlProblem& problem) {
  SfFailure f;
  f.category = ErrorCategory::kInvalidInstanceUrl;
  f.troubleshooting = TroubleshootingCase::kInvalidInstanceUrl;
  f.summary = problem.message;
  if (!problem.suggestion.empty()) f.summary += " (use " + problem.suggestion + ")";
  return f;
}

SfFailure StoreFailure(const engine::Status& status) {
  SfFailure f;
  f.category = ErrorCategory::kUnknown;
  f.summary = "the connection's state could not be saved: " + status.message();
  return f;
}

InstanceUrlOptions UrlOptions(const ConnectionConfig& config) {
  InstanceUrlOptions options;
  options.allow_loopback = config.allow_loopback_for_testing ||
                           config.allow_insecure_loopback_for_testing;
  options.allow_insecure_loopback = config.allow_insecure_loopback_for_testing;
  return options;
}

// What the auth method needs that the configuration lacks; empty when complete.
std::string MissingFields(const ConnectionConfig& c) {
  std::vector<std::string> missing;
  auto need = [&](bool present, const char* field) {
    if (!present) missing.emplace_back(field);
  };
  switch (c.auth) {
    case AuthMethod::kAccessToken:
      need(!c.access_token.empty(), "access_token");
      if (!c.refresh_token.empty()) need(!c.client_id.empty(), "client_id (to use the refresh token)");
      break;
    case AuthMethod::kPassword:
      need(!c.client_id.empty(), "client_id");
      need(!c.client_secret.empty(), "client_secret");
      need(!c.username.empty(), "username");
      need(!c.password.empty(), "password");
      break;
    case AuthMethod::kAuthorizationCode:
      need(!c.client_id.empty(), "client_id");
      need(!c.client_secret.empty(), "client_secret");
      need(!c.redirect_uri.empty(), "redirect_uri");
      need(!c.authorization_code.empty(), "authorization_code");
      break;
    case AuthMethod::kRefreshToken:
      need(!c.client_id.empty(), "client_id");
      need(!c.refresh_token.empty(), "refresh_token");
      break;
  }
  std::string out;
  for (const std::string& m : missing) out += (out.empty() ? "" : ", ") + m;
  return out;
}

struct Prepared {
  InstanceUrl instance;
  std::string login_url;
  std::shared_ptr<HttpTransport> http;
  std::shared_ptr<OAuthClient> oauth;  // null without a client id
};

std::optional<Prepared> Prepare(const ConnectionConfig& config, SfFailure* failure) {
  if (config.name.empty()) {
    *failure = ConfigProblem("the connection needs a name");
    return std::nullopt;
  }
  Prepared p;
  UrlProblem problem;
  std::optional<InstanceUrl> instance = ParseInstanceUrl(config.instance_url, UrlOptions(config), &problem);
  if (!instance) {
    *failure = UrlFailure(problem);
    return std::nullopt;
  }
  p.instance = std::move(*instance);
  if (config.login_url.empty()) {
    p.login_url = LoginUrlFor(p.instance);
  } else {
    std::optional<InstanceUrl> login = ParseLoginUrl(config.login_url, UrlOptions(config), &problem);
    if (!login) {
      *failure = UrlFailure(problem);
      failure->summary = "login URL: " + failure->summary;
      return std::nullopt;
    }
    p.login_url = login->url;
  }
  TransportOptions transport;
  transport.timeout = config.timeout;
  transport.ca_file = config.ca_file;
  transport.allow_insecure_loopback = config.allow_insecure_loopback_for_testing;
  std::string error;
  p.http = MakeHttpTransport(transport, &error);
  if (!p.http) {
    *failure = ConfigProblem(error);
    return std::nullopt;
  }
  if (!config.client_id.empty()) {
    OAuthApp app{config.client_id, config.client_secret, config.redirect_uri};
    p.oauth = std::make_shared<OAuthClient>(p.http, p.login_url, std::move(app),
                                            RetryPolicy(config.retry));
  }
  return p;
}

// Seals `value` for `field` and adds it to `batch`; an empty value deletes the key.
bool SealInto(const Vault& vault, const std::string& connection, const char* field,
              const SecretString& value, engine::RecordBatch* batch, SfFailure* failure) {
  if (value.empty()) {
    batch->values.push_back({kCredentialsNamespace, field, std::nullopt});
    return true;
  }
  std::string error;
  std::optional<std::string> sealed = vault.Seal(value, {connection, field}, &error);
  if (!sealed) {
    *failure = ConfigProblem("cannot seal the " + std::string(field) + ": " + error);
    return false;
  }
  batch->values.push_back({kCredentialsNamespace, field, std::move(*sealed)});
  return true;
}

}  // namespace

const char* AuthMethodName(AuthMethod method) {
  switch (method) {
    case AuthMethod::kAccessToken: return "access_token";
    case AuthMethod::kPassword: return "password";
    case AuthMethod::kAuthorizationCode: return "authorization_code";
    case AuthMethod::kRefreshToken: return "refresh_token";
  }
  return "unknown";
}


ConnectResult Connection::Open(const ConnectionConfig& config,
                               std::shared_ptr<engine::StateStore> store,
                               std::shared_ptr<const Vault> vault) {
  ConnectResult result;
  std::optional<Prepared> p = Prepare(config, &result.failure);
  if (!p) return result;
  if (std::string missing = MissingFields(config); !missing.empty()) {
    result.failure = ConfigProblem(std::string(AuthMethodName(config.auth)) +
                                   " authentication needs: " + missing);
    return result;
  }

  SecretString access_token;
  std::optional<SecretString> refresh_token;
  std::string identity_url;
  if (config.auth == AuthMethod::kAccessToken) {
    access_token = config.access_token;
    if (!config.refresh_token.empty()) refresh_token = config.refresh_token;
  } else {
    TokenResult token;
    switch (config.auth) {
      case AuthMethod::kPassword:
        token = p->oauth->PasswordGrant(config.username, config.password);
        break;
      case AuthMethod::kAuthorizationCode:
        token = p->oauth->AuthorizationCodeGrant(config.authorization_code);
        break;
      default:
        token = p->oauth->RefreshGrant(config.refresh_token);
        break;
    }
    if (!token.ok()) {
      result.failure = std::move(token.failure);
      return result;
    }
    // Salesforce says where the org lives; it must pass the same checks.
    UrlProblem problem;
    std::optional<InstanceUrl> answered =
        ParseInstanceUrl(token.grant->instance_url, UrlOptions(config), &problem);
    if (!answered) {
      result.failure = UrlFailure(problem);
      result.failure.summary = "the token answer's instance_url: " + result.failure.summary;
      return result;
    }
    p->instance = std::move(*answered);
    access_token = std::move(token.grant->access_token);
    refresh_token = std::move(token.grant->refresh_token);
    if (!refresh_token && config.auth == AuthMethod::kRefreshToken) {
      refresh_token = config.refresh_token;  // not rotated: keep using the one given
    }
    identity_url = token.grant->identity_url;
  }

  engine::RecordBatch batch;
  if (!SealInto(*vault, config.name, "access_token", access_token, &batch, &result.failure) ||
      !SealInto(*vault, config.name, "refresh_token", refresh_token.value_or(SecretString()),
                &batch, &result.failure)) {
    return result;
  }
  batch.values.push_back({kCredentialsNamespace, "instance_url", p->instance.url});
  batch.values.push_back({kCredentialsNamespace, "identity_url", identity_url});
  if (engine::Status s = store->ApplyRecordBatch(batch); !s.ok()) {
    result.failure = StoreFailure(s);
    return result;
  }
  result.connection = Assemble(config, std::move(p->instance), std::move(p->http),
                               std::move(p->oauth), std::move(access_token),
                               std::move(refresh_token), std::move(identity_url), store, vault);
  return result;
}

ConnectResult Connection::Resume(const ConnectionConfig& config,
                                 std::shared_ptr<engine::StateStore> store,
                                 std::shared_ptr<const Vault> vault) {
  ConnectResult result;
  std::optional<Prepared> p = Prepare(config, &result.failure);
  if (!p) return result;
  auto read = [&](const char* key, std::optional<std::string>* value) {
    engine::Status s = store->Get(kCredentialsNamespace, key, value);
    if (!s.ok()) result.failure = StoreFailure(s);
    return s.ok();
  };
  std::optional<std::string> sealed_access, sealed_refresh, instance_url, identity_url;
  if (!read("access_token", &sealed_access) || !read("refresh_token", &sealed_refresh) ||
      !read("instance_url", &instance_url) || !read("identity_url", &identity_url)) {
    return result;
  }
  if (!sealed_access && !sealed_refresh) {
    result.failure = ConfigProblem("connection '" + config.name +
                                   "' is not connected yet: connect it first");
    return result;
  }
  auto open = [&](const std::optional<std::string>& sealed, const char* field,
                  std::optional<SecretString>* out) {
    if (!sealed) return true;
    std::string error;
    *out = vault->Open(*sealed, {config.name, field}, &error);
    if (!*out) {
      result.failure.category = ErrorCategory::kAuthenticationFailed;
      result.failure.troubleshooting = TroubleshootingCase::kAuthenticationFailed;
      result.failure.reconnect_required = true;
      result.failure.summary = "Authentication Failed: the stored " + std::string(field) +
                               " cannot be opened (" + error + "): reconnect the org";
      return false;
    }
    return true;
  };
  std::optional<SecretString> access, refresh;
  if (!open(sealed_access, "access_token", &access) ||
      !open(sealed_refresh, "refresh_token", &refresh)) {
    return result;
  }
  if (instance_url && !instance_url->empty()) {
    UrlProblem problem;
    if (std::optional<InstanceUrl> stored =
            ParseInstanceUrl(*instance_url, UrlOptions(config), &problem)) {
      p->instance = std::move(*stored);
    }
  }
  result.connection = Assemble(config, std::move(p->instance), std::move(p->http),
                               std::move(p->oauth), access.value_or(SecretString()),
                               std::move(refresh), identity_url.value_or(""), store, vault);
  return result;
}

std::unique_ptr<Connection> Connection::Assemble(
    const ConnectionConfig& config, InstanceUrl instance, std::shared_ptr<HttpTransport> http,
    std::shared_ptr<OAuthClient> oauth, SecretString access_token,
    std::optional<SecretString> refresh_token, std::string identity_url,
    std::shared_ptr<engine::StateStore> store, std::shared_ptr<const Vault> vault) {
  std::unique_ptr<Connection> c(new Connection());
  c->name_ = config.name;
  c->instance_ = std::move(instance);
  c->identity_url_ = std::move(identity_url);
  c->http_ = std::move(http);
  std::string name = config.name;
  // Rotated tokens are sealed and saved before any call uses them. A failure to save is not
  // fatal for the running process (the token in memory works) but a restart would need a
  // reconnect; it cannot be reported from here, so the next Resume reports it.
  auto save = [store, vault, name](const TokenGrant& grant) {
    engine::RecordBatch batch;
    SfFailure ignored;
    if (!SealInto(*vault, name, "access_token", grant.access_token, &batch, &ignored)) return;
    if (grant.refresh_token &&
        !SealInto(*vault, name, "refresh_token", *grant.refresh_token, &batch, &ignored)) {
      return;
    }
    store->ApplyRecordBatch(batch);
  };
  c->session_ = std::make_shared<Session>(std::move(access_token), std::move(refresh_token),
                                          std::move(oauth), save);
  c->budget_ = std::make_shared<ApiBudget>(config.budget);
  ClientOptions options;
  options.api_version = config.api_version;
  options.retry = config.retry;
  c->client_ = std::make_unique<SalesforceClient>(c->http_, c->instance_.url, c->session_,
                                                  c->budget_, options);
  return c;
}

ConnectionTestResult Connection::Test() const { return TestConnection(*client_, identity_url_); }

std::string Connection::StatusLine() const {
  if (session_->state() == SessionState::kConnected) return "connected";
  std::string why = session_->disconnect_reason();
  return why.rfind("disconnected", 0) == 0 ? why : "disconnected: reconnect needed: " + why;
}

}  // namespace cf::sf
