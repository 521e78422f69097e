#include "connectors/salesforce/oauth_client.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <thread>
#include <utility>
#include <vector>

#include "connectors/salesforce/describe_json.h"

namespace cf::sf {
namespace {

std::string Base64(const unsigned char* data, size_t size) {
  std::string out(4 * ((size + 2) / 3), '\0');
  int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data,
                          static_cast<int>(size));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

// base64(HMAC-SHA256(key, message)).
std::string HmacSha256Base64(std::string_view key, std::string_view message) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest,
           &length) == nullptr) {
    return {};
  }
  std::string out = Base64(digest, length);
  OPENSSL_cleanse(digest, sizeof digest);
  return out;
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string StringMember(const nlohmann::json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

// Appends "&name=value" (form-encoded) to a form being built in a SecretString-backed buffer.
void AddField(std::string* form, std::string_view name, std::string_view value) {
  if (!form->empty()) *form += '&';
  *form += FormEncode(name);
  *form += '=';
  *form += FormEncode(value);
}

}  // namespace

std::optional<TokenGrant> ParseTokenAnswer(std::string_view body,
                                           const SecretString& client_secret,
                                           std::string* problem) {
  std::string parse_error;
  std::optional<nlohmann::json> json = ParseJson(body, &parse_error);
  if (!json || !json->is_object()) {
    *problem = "the token answer is not a JSON object (" + std::to_string(body.size()) +
               " bytes): check that the login URL is a Salesforce login host";
    return std::nullopt;
  }
  TokenGrant grant;
  std::string access = StringMember(*json, "access_token");
  if (access.empty()) {
    *problem = "the token answer has no access_token";
    return std::nullopt;
  }
  grant.access_token = SecretString::Take(&access);
  if (std::string refresh = StringMember(*json, "refresh_token"); !refresh.empty()) {
    grant.refresh_token = SecretString::Take(&refresh);
  }
  grant.instance_url = StringMember(*json, "instance_url");
  grant.identity_url = StringMember(*json, "id");
  grant.issued_at = StringMember(*json, "issued_at");
  if (grant.instance_url.empty() || grant.identity_url.empty()) {
    *problem = "the token answer lacks instance_url or id";
    return std::nullopt;
  }
  // id: ".../id/<orgId>/<userId>".
  if (size_t at = grant.identity_url.rfind("/id/"); at != std::string::npos) {
    std::string_view tail = std::string_view(grant.identity_url).substr(at + 4);
    size_t slash = tail.find('/');
    if (slash != std::string_view::npos) {
      grant.org_id = std::string(tail.substr(0, slash));
      grant.user_id = std::string(tail.substr(slash + 1));
    }
  }
  if (!client_secret.empty()) {
    std::string signature = StringMember(*json, "signature");
    std::string expected =
        HmacSha256Base64(client_secret.Reveal(), grant.identity_url + grant.issued_at);
    if (signature.empty() || expected.empty() || !ConstantTimeEquals(signature, expected)) {
      *problem =
          "the token answer's signature does not match the client secret: the answer did not "
          "come from the org this connected app belongs to, or the client secret is wrong";
      return std::nullopt;
    }
  }
  return grant;
}

OAuthClient::OAuthClient(std::shared_ptr<HttpTransport> http, std::string login_url,
                         OAuthApp app, RetryPolicy retry,
                         std::function<void(std::chrono::milliseconds)> sleep)
    : http_(std::move(http)),
      login_url_(std::move(login_url)),
      app_(std::move(app)),
      retry_(std::move(retry)),
      sleep_(std::move(sleep)) {
  while (!login_url_.empty() && login_url_.back() == '/') login_url_.pop_back();
  if (!sleep_) sleep_ = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
}

TokenResult OAuthClient::PasswordGrant(std::string_view username,
                                       const SecretString& password) const {
  std::string form;
  AddField(&form, "grant_type", "password");
  AddField(&form, "client_id", app_.client_id);
  AddField(&form, "client_secret", app_.client_secret.Reveal());
  AddField(&form, "username", username);
  AddField(&form, "password", password.Reveal());
  return RequestToken(SecretString::Take(&form));
}

TokenResult OAuthClient::AuthorizationCodeGrant(std::string_view code) const {
  std::string form;
  AddField(&form, "grant_type", "authorization_code");
  AddField(&form, "code", code);
  AddField(&form, "client_id", app_.client_id);
  AddField(&form, "client_secret", app_.client_secret.Reveal());
  AddField(&form, "redirect_uri", app_.redirect_uri);
  return RequestToken(SecretString::Take(&form));
}

TokenResult OAuthClient::RefreshGrant(const SecretString& refresh_token) const {
  std::string form;
  AddField(&form, "grant_type", "refresh_token");
  AddField(&form, "refresh_token", refresh_token.Reveal());
  AddField(&form, "client_id", app_.client_id);
  if (!app_.client_secret.empty()) AddField(&form, "client_secret", app_.client_secret.Reveal());
  return RequestToken(SecretString::Take(&form));
}

std::string OAuthClient::AuthorizeUrl(std::string_view state) const {
  std::string url = login_url_ + "/services/oauth2/authorize?response_type=code";
  url += "&client_id=" + FormEncode(app_.client_id);
  url += "&redirect_uri=" + FormEncode(app_.redirect_uri);
  if (!state.empty()) url += "&state=" + FormEncode(state);
  return url;
}

TokenResult OAuthClient::RequestToken(const SecretString& form) const {
  HttpRequest request;
  request.method = "POST";
  request.url = login_url_ + "/services/oauth2/token";
  request.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                     {"Accept", "application/json"}};
  request.body = std::string(form.Reveal());
  RetryState state = retry_.Begin();
  TokenResult result;
  for (;;) {
    HttpResult answer = http_->Send(request);
    SfFailure failure;
    if (const TransportError* e = answer.error()) {
      failure = ClassifyTransport(e->failure, e->detail);
    } else if (answer.response().status == 200) {
      std::string problem;
      std::optional<TokenGrant> grant =
          ParseTokenAnswer(answer.response().body, app_.client_secret, &problem);
      if (grant) {
        result.grant = std::move(grant);
        break;
      }
      failure.http_status = 200;
      failure.category = ErrorCategory::kAuthenticationFailed;
      failure.troubleshooting = TroubleshootingCase::kAuthenticationFailed;
      failure.summary = "Authentication Failed: " + problem;
      result.failure = std::move(failure);
      break;
    } else {
      failure = ClassifyResponse(answer.response().status, answer.response().body,
                                 answer.response().Header("Retry-After"));
    }
    RetryDecision decision = state.Next(failure);
    if (decision.action != RetryDecision::kRetry) {
      result.failure = std::move(failure);
      break;
    }
    sleep_(decision.delay);
  }
  // The request body held the secrets; wipe the copy.
  OPENSSL_cleanse(request.body.data(), request.body.size());
  return result;
}

}  // namespace cf::sf
