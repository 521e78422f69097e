// OAuth over real sockets: each grant, each error row of the spec, refresh-token rotation and
// revocation, token expiry, the authorize step and the identity URL; answers compared key by
// key and type by type with the captured samples.
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "tests/emulator/emulator_fixture.h"
#include "tools/sfemu/oauth.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

std::string Form(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += "&";
    out += PercentEncode(name) + "=" + PercentEncode(value);
  }
  return out;
}

json Sample(const char* name) {
  return json::parse(ReadTestData(std::string("salesforce-samples/oauth/") + name));
}

// base64(HMAC-SHA256(secret, data)), computed here independently of oauth.cc.
std::string ExpectedSignature(const std::string& secret, const std::string& data) {
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), mac, &size);
  std::string out(4 * ((size + 2) / 3) + 1, '\0');
  out.resize(static_cast<size_t>(EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(size))));
  return out;
}

class OAuthTest : public EmulatorFixture {
 protected:
  ClientResponse Token(const std::vector<std::pair<std::string, std::string>>& params) {
    return emu().Raw("POST", "/services/oauth2/token", Form(params),
                     {{"Content-Type", "application/x-www-form-urlencoded"}});
  }
  ClientResponse Password(const std::string& username, const std::string& password,
                          const std::string& client_id, const std::string& secret) {
    return Token({{"grant_type", "password"}, {"client_id", client_id}, {"client_secret", secret},
                  {"username", username}, {"password", password}});
  }
  const OrgUser& user() { return emu().integration_user(); }
  const ConnectedApp& app() { return emu().app(); }

  // The authorize step: the code from the redirect.
  std::string AuthorizeCode(const std::string& state = "") {
    std::string target = "/services/oauth2/authorize?" +
                         Form({{"response_type", "code"}, {"client_id", app().client_id},
                               {"redirect_uri", app().redirect_uri}, {"state", state},
                               {"username", user().username}, {"password", user().password}});
    ClientResponse r = emu().Raw("GET", target);
    EXPECT_EQ(r.status, 302) << r.body;
    std::string location = r.Header("location");
    std::string prefix = app().redirect_uri + "?code=";
    EXPECT_EQ(location.rfind(prefix, 0), 0u) << location;
    std::string code = location.substr(prefix.size());
    code = code.substr(0, code.find('&'));
    return PercentDecode(code, true);
  }
  ClientResponse ExchangeCode(const std::string& code) {
    return Token({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", app().client_id},
                  {"client_secret", app().client_secret}, {"redirect_uri", app().redirect_uri}});
  }
  ClientResponse Refresh(const std::string& refresh_token, bool with_secret = true) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"grant_type", "refresh_token"}, {"client_id", app().client_id}, {"refresh_token", refresh_token}};
    if (with_secret) params.emplace_back("client_secret", app().client_secret);
    return Token(params);
  }
  void ExpectOAuthError(const ClientResponse& r, const std::string& error, const std::string& description) {
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Header("content-type"), "application/json;charset=UTF-8");
    EXPECT_EQ(r.Json(), json({{"error", error}, {"error_description", description}})) << r.body;
  }
  // The token answer's shape and values that do not depend on the grant.
  void ExpectTokenAnswer(const ClientResponse& r, const json& sample, bool with_refresh) {
    ASSERT_EQ(r.status, 200) << r.body;
    json body = r.Json();
    json expected = sample;
    expected["token_type"] = "Bearer";  // the older captures predate token_type
    if (with_refresh) expected["refresh_token"] = "x";
    EXPECT_EQ(CompareShape(expected, body), "") << r.body;
    EXPECT_EQ(body["token_type"], "Bearer");
    EXPECT_EQ(body["instance_url"], emu().base_url());
    std::string id = body["id"];
    EXPECT_EQ(id, emu().base_url() + "/id/" + emu().org().org_id() + "/" + user().id);
    std::string issued_at = body["issued_at"];
    ASSERT_FALSE(issued_at.empty());
    EXPECT_EQ(issued_at.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_NEAR(static_cast<double>(std::stoll(issued_at)), static_cast<double>(emu().org().Now()), 60000.0);
    EXPECT_EQ(body["signature"], ExpectedSignature(app().client_secret, id + issued_at));
    std::string token = body["access_token"];
    EXPECT_EQ(token.substr(0, 16), emu().org().org_id().substr(0, 15) + "!");
    EXPECT_EQ(r.Header("cache-control").find("no-store") != std::string::npos, true);
  }
};

TEST_F(OAuthTest, PasswordGrantAnswersLikeSalesforceWithoutRefreshToken) {
  int64_t used = emu().org().api_used();
  ClientResponse r = Password(user().username, user().password, app().client_id, app().client_secret);
  ExpectTokenAnswer(r, Sample("oauth_token_password_success.json"), /*with_refresh=*/false);
  EXPECT_FALSE(r.Json().contains("refresh_token"));
  EXPECT_EQ(emu().org().api_used(), used) << "logins are not API calls";
  // The token works.
  std::string token = r.Json()["access_token"];
  ClientResponse api = emu().Raw("GET", Emulator::ApiPath(""), {}, {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(api.status, 200) << api.body;
}

TEST_F(OAuthTest, ErrorRowsOfTheSpec) {
  // bad username or password
  ExpectOAuthError(Password(user().username, "wrong", app().client_id, app().client_secret),
                   "invalid_grant", "authentication failure");
  ExpectOAuthError(Password("nobody@example.com", user().password, app().client_id, app().client_secret),
                   "invalid_grant", "authentication failure");
  // unknown client_id: exactly the captured answer
  ClientResponse unknown_client = Password(user().username, user().password, "test", app().client_secret);
  EXPECT_EQ(unknown_client.status, 400);
  EXPECT_EQ(unknown_client.Json(), Sample("oauth_error_invalid_client_id.json"));
  // bad client_secret
  ExpectOAuthError(Password(user().username, user().password, app().client_id, "wrong"), "invalid_client",
                   "invalid client credentials");
  // unknown or missing grant_type
  ExpectOAuthError(Token({{"grant_type", "client_credentials"}, {"client_id", app().client_id}}),
                   "unsupported_grant_type", "grant type not supported");
  ExpectOAuthError(Token({{"client_id", app().client_id}}), "unsupported_grant_type", "grant type not supported");
  // revoked, expired or unknown refresh token: exactly the captured answer
  ClientResponse bad_refresh = Refresh("5Aep861notarealtoken");
  EXPECT_EQ(bad_refresh.status, 400);
  EXPECT_EQ(bad_refresh.Json(), Sample("oauth_error_refresh_expired.json"));
}

TEST_F(OAuthTest, TokenEndpointWantsPost) {
  ClientResponse r = emu().Raw("GET", "/services/oauth2/token?grant_type=password");
  ExpectOAuthError(r, "invalid_request", "must use HTTP POST");
}

TEST_F(OAuthTest, AuthorizationCodeGrantReturnsARefreshTokenAndCodesAreSingleUse) {
  std::string code = AuthorizeCode("s1");
  ClientResponse r = ExchangeCode(code);
  ExpectTokenAnswer(r, Sample("oauth_token_password_success.json"), /*with_refresh=*/true);
  std::string refresh = r.Json()["refresh_token"];
  EXPECT_FALSE(refresh.empty());
  ExpectOAuthError(ExchangeCode(code), "invalid_grant", "invalid authorization code");
  ExpectOAuthError(ExchangeCode("aPrxnotacode"), "invalid_grant", "invalid authorization code");
}

TEST_F(OAuthTest, AuthorizationCodeGrantChecksTheClientAndRedirect) {
  std::string code = AuthorizeCode();
  ExpectOAuthError(Token({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", app().client_id},
                          {"client_secret", "wrong"}, {"redirect_uri", app().redirect_uri}}),
                   "invalid_client", "invalid client credentials");
  ExpectOAuthError(Token({{"grant_type", "authorization_code"}, {"code", code}, {"client_id", app().client_id},
                          {"client_secret", app().client_secret}, {"redirect_uri", "http://evil.example/cb"}}),
                   "invalid_grant", "redirect_uri mismatch");
  // The code survived the failed attempts.
  EXPECT_EQ(ExchangeCode(code).status, 200);
}

TEST_F(OAuthTest, AuthorizeStepRedirectsWithCodeAndState) {
  std::string target = "/services/oauth2/authorize?" +
                       Form({{"response_type", "code"}, {"client_id", app().client_id},
                             {"redirect_uri", app().redirect_uri}, {"state", "a b&c"},
                             {"username", user().username}, {"password", user().password}});
  ClientResponse r = emu().Raw("GET", target);
  ASSERT_EQ(r.status, 302);
  std::string location = r.Header("location");
  EXPECT_NE(location.find("&state=a%20b%26c"), std::string::npos) << location;
  // The same step as a form POST.
  ClientResponse posted = emu().Raw("POST", "/services/oauth2/authorize",
                                    Form({{"response_type", "code"}, {"client_id", app().client_id},
                                          {"redirect_uri", app().redirect_uri},
                                          {"username", user().username}, {"password", user().password}}),
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(posted.status, 302);
}

TEST_F(OAuthTest, AuthorizeStepErrors) {
  auto authorize = [&](std::vector<std::pair<std::string, std::string>> params) {
    return emu().Raw("GET", "/services/oauth2/authorize?" + Form(params));
  };
  // No credentials yet: the (test) login page.
  ClientResponse page = authorize({{"response_type", "code"}, {"client_id", app().client_id},
                                   {"redirect_uri", app().redirect_uri}});
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.Header("content-type"), "text/html;charset=UTF-8");
  EXPECT_EQ(page.body.find("authentication failure"), std::string::npos);
  // Bad credentials: the login page again, with the failure.
  ClientResponse bad = authorize({{"response_type", "code"}, {"client_id", app().client_id},
                                  {"redirect_uri", app().redirect_uri}, {"username", user().username},
                                  {"password", "wrong"}});
  EXPECT_EQ(bad.status, 200);
  EXPECT_NE(bad.body.find("authentication failure"), std::string::npos);
  ExpectOAuthError(authorize({{"response_type", "code"}, {"client_id", "nope"}, {"redirect_uri", app().redirect_uri}}),
                   "invalid_client_id", "client identifier invalid");
  ExpectOAuthError(authorize({{"response_type", "code"}, {"client_id", app().client_id},
                              {"redirect_uri", "http://evil.example/"}}),
                   "redirect_uri_mismatch", "redirect_uri must match configuration");
  ClientResponse token_flow = authorize({{"response_type", "token"}, {"client_id", app().client_id},
                                         {"redirect_uri", app().redirect_uri}});
  EXPECT_EQ(token_flow.status, 302);
  EXPECT_NE(token_flow.Header("location").find("error=unsupported_response_type"), std::string::npos);
}

TEST_F(OAuthTest, RefreshGrantWithoutRotationKeepsTheRefreshToken) {
  std::string refresh = ExchangeCode(AuthorizeCode()).Json()["refresh_token"];
  ClientResponse r = Refresh(refresh);
  ExpectTokenAnswer(r, Sample("oauth_token_refresh_success.json"), /*with_refresh=*/false);
  EXPECT_FALSE(r.Json().contains("refresh_token"));
  // Again, and without the (optional) secret.
  EXPECT_EQ(Refresh(refresh).status, 200);
  EXPECT_EQ(Refresh(refresh, /*with_secret=*/false).status, 200);
  ExpectOAuthError(Token({{"grant_type", "refresh_token"}, {"client_id", app().client_id},
                          {"client_secret", "wrong"}, {"refresh_token", refresh}}),
                   "invalid_client", "invalid client credentials");
  ExpectOAuthError(Token({{"grant_type", "refresh_token"}, {"client_id", "nope"}, {"refresh_token", refresh}}),
                   "invalid_client_id", "client identifier invalid");
}

TEST_F(OAuthTest, RotationIssuesANewRefreshTokenAndRevokesTheOldOne) {
  ClientResponse set = emu().ControlRequest("POST", "limits", {{"rotate_refresh_tokens", true}});
  ASSERT_EQ(set.status, 200) << set.body;
  std::string first = ExchangeCode(AuthorizeCode()).Json()["refresh_token"];
  ClientResponse r = Refresh(first);
  ExpectTokenAnswer(r, Sample("oauth_token_refresh_success.json"), /*with_refresh=*/true);
  std::string second = r.Json()["refresh_token"];
  EXPECT_NE(second, first);
  // The rotated-out token is dead (a reuse), the new one works once and rotates again.
  EXPECT_EQ(Refresh(first).Json(), Sample("oauth_error_refresh_expired.json"));
  ClientResponse third = Refresh(second);
  ASSERT_EQ(third.status, 200);
  EXPECT_NE(third.Json()["refresh_token"], second);
  EXPECT_EQ(Refresh(second).status, 400);
}

TEST_F(OAuthTest, RevokedRefreshTokensFail) {
  std::string refresh = ExchangeCode(AuthorizeCode()).Json()["refresh_token"];
  ASSERT_EQ(Refresh(refresh).status, 200);
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/revoke-refresh").status, 200);
  ClientResponse r = Refresh(refresh);
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json(), Sample("oauth_error_refresh_expired.json"));
}

TEST_F(OAuthTest, AccessTokensExpireAfterTheirLifetimeAndRefreshGivesANewOne) {
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"access_token_ttl_seconds", 60}}).status, 200);
  ClientResponse code_answer = ExchangeCode(AuthorizeCode());
  std::string token = code_answer.Json()["access_token"];
  std::string refresh = code_answer.Json()["refresh_token"];
  HeaderList auth = {{"Authorization", "Bearer " + token}};
  EXPECT_EQ(emu().Raw("GET", Emulator::ApiPath(""), {}, auth).status, 200);
  ASSERT_EQ(emu().ControlRequest("POST", "clock/advance", {{"seconds", 59}}).status, 200);
  EXPECT_EQ(emu().Raw("GET", Emulator::ApiPath(""), {}, auth).status, 200);
  ASSERT_EQ(emu().ControlRequest("POST", "clock/advance", {{"seconds", 2}}).status, 200);
  ClientResponse expired = emu().Raw("GET", Emulator::ApiPath(""), {}, auth);
  EXPECT_EQ(expired.status, 401);
  EXPECT_EQ(expired.Json()[0]["errorCode"], "INVALID_SESSION_ID");
  // The refresh token outlives access tokens.
  ClientResponse refreshed = Refresh(refresh);
  ASSERT_EQ(refreshed.status, 200);
  std::string fresh = refreshed.Json()["access_token"];
  EXPECT_EQ(emu().Raw("GET", Emulator::ApiPath(""), {}, {{"Authorization", "Bearer " + fresh}}).status, 200);
}

TEST_F(OAuthTest, IdentityUrlAnswersTheUser) {
  ClientResponse login = Password(user().username, user().password, app().client_id, app().client_secret);
  json token_answer = login.Json();
  std::string id_url = token_answer["id"];
  std::string token = token_answer["access_token"];
  std::string path = id_url.substr(emu().base_url().size());
  int64_t used = emu().org().api_used();
  ClientResponse r = emu().Raw("GET", path, {}, {{"Authorization", "Bearer " + token}});
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["id"], id_url);
  EXPECT_EQ(body["user_id"], user().id);
  EXPECT_EQ(body["organization_id"], emu().org().org_id());
  EXPECT_EQ(body["username"], user().username);
  EXPECT_EQ(body["display_name"], user().name);
  EXPECT_EQ(body["email"], user().email);
  EXPECT_EQ(body["asserted_user"], true);
  EXPECT_EQ(body["active"], true);
  EXPECT_EQ(body["user_type"], "STANDARD");
  ASSERT_TRUE(body["urls"].is_object());
  EXPECT_EQ(body["urls"]["rest"], emu().base_url() + "/services/data/v{version}/");
  EXPECT_EQ(body["urls"]["query"], emu().base_url() + "/services/data/v{version}/query/");
  EXPECT_EQ(emu().org().api_used(), used) << "identity calls are not REST API calls";

  // ?version=latest fills in the newest version; the token may come as oauth_token.
  ClientResponse latest = emu().Raw("GET", path + "?version=latest&oauth_token=" + PercentEncode(token));
  ASSERT_EQ(latest.status, 200);
  EXPECT_EQ(latest.Json()["urls"]["rest"].get<std::string>().find("{version}"), std::string::npos);
}

TEST_F(OAuthTest, IdentityUrlErrors) {
  std::string token = emu().AccessToken();
  std::string path = "/id/" + emu().org().org_id() + "/" + user().id;
  ClientResponse no_token = emu().Raw("GET", path);
  EXPECT_EQ(no_token.status, 403);
  EXPECT_EQ(no_token.body, "Bad_OAuth_Token");
  ClientResponse bad_token = emu().Raw("GET", path, {}, {{"Authorization", "Bearer nope"}});
  EXPECT_EQ(bad_token.status, 403);
  ClientResponse bad_user = emu().Raw("GET", "/id/" + emu().org().org_id() + "/005000000000000AAA", {},
                                      {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(bad_user.status, 404);
  EXPECT_EQ(bad_user.body, "Bad_Id");
  ClientResponse bad_org = emu().Raw("GET", "/id/00D000000000000AAA/" + user().id, {},
                                     {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(bad_org.status, 404);
}

TEST(OAuthUnitTest, BearerTokenParsing) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer abc"), "abc");
  EXPECT_EQ(BearerToken("OAuth 00D!x"), "00D!x");
  EXPECT_EQ(BearerToken("Bearer  abc "), "abc");
  EXPECT_EQ(BearerToken("Bearer"), "");
  EXPECT_EQ(BearerToken("Bearer a b"), "");
  EXPECT_EQ(BearerToken("Basic abc"), "");
  EXPECT_EQ(BearerToken(""), "");
}

TEST(OAuthUnitTest, SignatureIsHmacSha256OfIdAndIssuedAt) {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
  EXPECT_EQ(OAuthSignature("Jefe", "what do ya want ", "for nothing?"),
            "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM=");
}

}  // namespace
}  // namespace cf::sfemu::testing
