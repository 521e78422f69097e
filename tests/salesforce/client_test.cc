// The transport, OAuth flows, session and client against the emulator over real sockets.
#include <atomic>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/salesforce/connector_fixture.h"

namespace cf::sf {
namespace {

using testing::ConnectorFixture;

class TransportTest : public ConnectorFixture {};

TEST_F(TransportTest, TlsWithTheTestCaWorks) {
  std::shared_ptr<HttpTransport> http = Transport();
  HttpResult r = http->Send({"GET", emu().base_url() + "/services/data", {}, ""});
  ASSERT_TRUE(r.ok()) << r.error()->detail;
  EXPECT_EQ(r.response().status, 200);
  EXPECT_NE(r.response().body.find("\"version\""), std::string::npos);
}

TEST_F(TransportTest, UntrustedCertificateIsRefused) {
  std::string error;
  std::shared_ptr<HttpTransport> http = MakeHttpTransport({}, &error);  // system store only
  ASSERT_NE(http, nullptr) << error;
  HttpResult r = http->Send({"GET", emu().base_url() + "/services/data", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.error()->failure == TransportFailure::kCertificate ||
              r.error()->failure == TransportFailure::kTlsHandshake)
      << r.error()->detail;
}

TEST_F(TransportTest, BadCaFileIsReportedWhenMade) {
  TransportOptions options;
  options.ca_file = "/nonexistent/ca.pem";
  std::string error;
  EXPECT_EQ(MakeHttpTransport(options, &error), nullptr);
  EXPECT_NE(error.find("cannot read the CA file"), std::string::npos) << error;
}

TEST_F(TransportTest, PlainHttpIsRefusedUnlessLoopbackIsAllowed) {
  std::string error;
  std::shared_ptr<HttpTransport> http = MakeHttpTransport({}, &error);
  HttpResult r = http->Send({"GET", "http://127.0.0.1:9/services/data", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error()->detail.find("plain http is refused"), std::string::npos);
  HttpResult remote = http->Send({"GET", "http://example.com/services/data", {}, ""});
  ASSERT_FALSE(remote.ok());
  EXPECT_NE(remote.error()->detail.find("plain http is refused"), std::string::npos);
}

TEST_F(TransportTest, ErrorDetailsCarryNoQueryString) {
  std::string error;
  TransportOptions options;
  options.allow_insecure_loopback = true;
  options.timeout = std::chrono::seconds(2);
  std::shared_ptr<HttpTransport> http = MakeHttpTransport(options, &error);
  // Port 9 (discard) on loopback: nothing listens in the test environment.
  HttpResult r = http->Send({"GET", "http://127.0.0.1:9/x?access_token=SECRET123", {}, ""});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error()->detail.find("SECRET123"), std::string::npos) << r.error()->detail;
  EXPECT_EQ(r.error()->failure, TransportFailure::kConnectionRefused) << r.error()->detail;
}

TEST_F(TransportTest, EncodesFormsAndPaths) {
  EXPECT_EQ(FormEncode("a b+c@d.com"), "a+b%2Bc%40d.com");
  EXPECT_EQ(PercentEncode("A/B C"), "A%2FB%20C");
}

class OAuthTest : public ConnectorFixture {};

TEST_F(OAuthTest, PasswordGrantGivesAVerifiedToken) {
  std::shared_ptr<OAuthClient> oauth = OAuth(Transport());
  TokenGrant grant = PasswordGrant(oauth);
  EXPECT_FALSE(grant.access_token.empty());
  EXPECT_FALSE(grant.refresh_token.has_value());
  EXPECT_EQ(grant.instance_url, emu().base_url());
  EXPECT_EQ(grant.org_id.substr(0, 3), "00D");
  EXPECT_EQ(grant.user_id, emu().integration_user().id);
}

TEST_F(OAuthTest, WrongPasswordIsAuthenticationFailedWithoutTheSecret) {
  std::shared_ptr<OAuthClient> oauth = OAuth(Transport());
  TokenResult r = oauth->PasswordGrant(emu().integration_user().username,
                                       SecretString("wrong-password-XYZ"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
  ASSERT_EQ(r.failure.errors.size(), 1u);
  EXPECT_EQ(r.failure.errors[0].error_code, "invalid_grant");
  EXPECT_EQ(r.failure.Describe().find("wrong-password-XYZ"), std::string::npos);
  EXPECT_EQ(Requests("oauth.token"), 1);  // not retried
}

TEST_F(OAuthTest, UnknownClientAndBadSecretAreReported) {
  std::shared_ptr<HttpTransport> http = Transport();
  OAuthApp unknown = App();
  unknown.client_id = "nope";
  OAuthClient a(http, emu().base_url(), unknown, RetryPolicy(FastRetry()), RecordSleep());
  TokenResult r1 = a.PasswordGrant(emu().integration_user().username,
                                   SecretString(emu().integration_user().password));
  ASSERT_FALSE(r1.ok());
  EXPECT_EQ(r1.failure.errors.at(0).error_code, "invalid_client_id");

  OAuthApp bad_secret = App();
  bad_secret.client_secret = SecretString("not-the-secret");
  OAuthClient b(http, emu().base_url(), bad_secret, RetryPolicy(FastRetry()), RecordSleep());
  TokenResult r2 = b.PasswordGrant(emu().integration_user().username,
                                   SecretString(emu().integration_user().password));
  ASSERT_FALSE(r2.ok());
  EXPECT_EQ(r2.failure.errors.at(0).error_code, "invalid_client");
  EXPECT_EQ(r2.failure.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
}

TEST_F(OAuthTest, AuthorizationCodeThenRefresh) {
  std::shared_ptr<OAuthClient> oauth = OAuth(Transport());
  TokenGrant grant = AuthorizationCodeGrant(oauth);
  ASSERT_TRUE(grant.refresh_token.has_value());
  TokenResult refreshed = oauth->RefreshGrant(*grant.refresh_token);
  ASSERT_TRUE(refreshed.ok()) << refreshed.failure.Describe();
  EXPECT_FALSE(refreshed.grant->access_token == grant.access_token);
}

TEST_F(OAuthTest, ARevokedRefreshTokenNeedsAReconnect) {
  std::shared_ptr<OAuthClient> oauth = OAuth(Transport());
  TokenGrant grant = AuthorizationCodeGrant(oauth);
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/revoke-refresh").status, 200);
  TokenResult r = oauth->RefreshGrant(*grant.refresh_token);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.failure.reconnect_required);
  EXPECT_EQ(r.failure.errors.at(0).message, "expired access/refresh token");
}

TEST_F(OAuthTest, ASignatureFromAnotherSecretIsRefused) {
  std::string problem;
  std::string body =
      R"({"access_token":"00D!x","instance_url":"https://a.my.salesforce.com",)"
      R"("id":"https://login.salesforce.com/id/00D/005","issued_at":"1","signature":"AAAA"})";
  EXPECT_FALSE(ParseTokenAnswer(body, SecretString("secret"), &problem).has_value());
  EXPECT_NE(problem.find("signature"), std::string::npos);
  EXPECT_TRUE(ParseTokenAnswer(body, SecretString(), &problem).has_value());
}

TEST_F(OAuthTest, RealSamplesParse) {
  std::string problem;
  std::optional<TokenGrant> grant = ParseTokenAnswer(
      sfemu::testing::ReadTestData("salesforce-samples/oauth/oauth_token_password_success.json"),
      SecretString(), &problem);
  ASSERT_TRUE(grant.has_value()) << problem;
  EXPECT_EQ(grant->instance_url, "https://na1.salesforce.com");
  EXPECT_EQ(grant->org_id, "00Dx0000000BV7z");
  EXPECT_EQ(grant->user_id, "005x00000012Q9P");
  std::optional<TokenGrant> refreshed = ParseTokenAnswer(
      sfemu::testing::ReadTestData("salesforce-samples/oauth/oauth_token_refresh_success.json"),
      SecretString(), &problem);
  ASSERT_TRUE(refreshed.has_value()) << problem;
  EXPECT_FALSE(refreshed->refresh_token.has_value());
}

class ClientTest : public ConnectorFixture {};

TEST_F(ClientTest, GetsAndTracksUsageFromEveryAnswer) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ApiResult r = client->Get("sobjects");
  ASSERT_TRUE(r.ok()) << r.failure->Describe();
  std::string error;
  std::optional<nlohmann::json> body = r.Json(&error);
  ASSERT_TRUE(body.has_value()) << error;
  EXPECT_TRUE(body->contains("sobjects"));
  ApiBudgetState state = budget()->State();
  ASSERT_TRUE(state.org.has_value());
  EXPECT_EQ(state.org->used, emu().org().api_used());
}

TEST_F(ClientTest, TestConnectionReportsOrgUserAndUsage) {
  std::shared_ptr<HttpTransport> http = Transport();
  std::shared_ptr<OAuthClient> oauth = OAuth(http);
  TokenGrant grant = PasswordGrant(oauth);
  auto session = std::make_shared<Session>(grant.access_token, std::nullopt, oauth);
  SalesforceClient client(http, grant.instance_url, session, nullptr, FastClientOptions());
  int before = static_cast<int>(emu().control().TotalApiCalls());
  ConnectionTestResult r = TestConnection(client, grant.identity_url);
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  EXPECT_EQ(r.report->username, emu().integration_user().username);
  EXPECT_EQ(r.report->user_id, emu().integration_user().id);
  EXPECT_EQ(r.report->org_id.substr(0, 3), "00D");
  ASSERT_TRUE(r.report->api_usage.has_value());
  EXPECT_GT(r.report->api_usage->max, 0);
  EXPECT_EQ(emu().control().TotalApiCalls() - before, 1);  // one counted call
  EXPECT_NE(r.report->Describe().find(emu().integration_user().username), std::string::npos);
}

TEST_F(ClientTest, ExpiredTokenWithoutRefreshTokenDisconnects) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  ApiResult r = client->Get("limits");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.failure->reconnect_required);
  EXPECT_EQ(session()->state(), SessionState::kDisconnected);
  EXPECT_NE(session()->disconnect_reason().find("reconnect"), std::string::npos);
  // No further request leaves while disconnected.
  int sent = static_cast<int>(client->requests_sent());
  EXPECT_FALSE(client->Get("limits").ok());
  EXPECT_EQ(static_cast<int>(client->requests_sent()), sent);
}

TEST_F(ClientTest, ExpiredTokenRefreshesOnceForManyThreads) {
  std::unique_ptr<SalesforceClient> client = ConnectWithRefreshToken();
  ASSERT_TRUE(client->Get("limits").ok());
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  int token_calls_before = Requests("oauth.token");
  constexpr int kThreads = 8;
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&] {
      if (client->Get("sobjects/Account/describe").ok()) ok.fetch_add(1);
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(ok.load(), kThreads);
  EXPECT_EQ(Requests("oauth.token") - token_calls_before, 1);
  EXPECT_EQ(session()->refresh_requests(), 1u);
}

TEST_F(ClientTest, RevokedRefreshTokenDisconnectsWithoutLooping) {
  std::unique_ptr<SalesforceClient> client = ConnectWithRefreshToken();
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/revoke-refresh").status, 200);
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  int token_calls_before = Requests("oauth.token");
  for (int i = 0; i < 3; ++i) {
    ApiResult r = client->Get("limits");
    ASSERT_FALSE(r.ok());
    EXPECT_TRUE(r.failure->reconnect_required);
    EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kAuthenticationFailed);
    EXPECT_NE(r.failure->summary.find("disconnected: reconnect needed"), std::string::npos)
        << r.failure->summary;
  }
  EXPECT_EQ(Requests("oauth.token") - token_calls_before, 1);
}

TEST_F(ClientTest, RotatedRefreshTokensAreHandedOverAndUsed) {
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"rotate_refresh_tokens", true}}).status, 200);
  std::shared_ptr<HttpTransport> http = Transport();
  std::shared_ptr<OAuthClient> oauth = OAuth(http);
  TokenGrant grant = AuthorizationCodeGrant(oauth);
  std::vector<std::string> saved;
  auto session = std::make_shared<Session>(
      grant.access_token, grant.refresh_token, oauth, [&](const TokenGrant& g) {
        if (g.refresh_token) saved.emplace_back(g.refresh_token->Reveal());
      });
  SalesforceClient client(http, grant.instance_url, session, nullptr, FastClientOptions());
  for (int round = 0; round < 3; ++round) {
    ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
    ApiResult r = client.Get("limits");
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
  }
  ASSERT_EQ(saved.size(), 3u);  // each refresh rotated, and the new one was used next time
  EXPECT_NE(saved[0], saved[1]);
  EXPECT_NE(saved[1], saved[2]);
}

TEST_F(ClientTest, TransientFailuresAreRetriedWithBackoff) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "limits"}, {"kind", "http503"}, {"times", 2}})
                .status,
            201);
  ApiResult r = client->Get("limits");
  ASSERT_TRUE(r.ok()) << r.failure->Describe();
  EXPECT_EQ(r.attempts, 3);
  EXPECT_EQ(sleeps().size(), 2u);
}

TEST_F(ClientTest, ResetsAndTimeoutsAreRetriedForReads) {
  std::unique_ptr<SalesforceClient> client =
      ConnectWithPassword(Transport(std::chrono::milliseconds(800)));
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "query"}, {"kind", "reset"}, {"times", 1}})
                .status,
            201);
  ApiResult r1 = client->Get("query?q=" + FormEncode("SELECT Id FROM Account LIMIT 1"));
  ASSERT_TRUE(r1.ok()) << r1.failure->Describe();
  EXPECT_EQ(Requests("query"), 2);
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "limits"},
                                  {"kind", "slow"},
                                  {"delay_ms", 3000},
                                  {"times", 1}})
                .status,
            201);
  ApiResult r2 = client->Get("limits");
  ASSERT_TRUE(r2.ok()) << r2.failure->Describe();
  // The slow answer timed out and the call was made again (by our retry, or by cpprestsdk's
  // own resend on a fresh connection when the timed-out one was a reused one).
  EXPECT_EQ(Requests("limits"), 2);
}

TEST_F(ClientTest, AnUnknownOutcomeOfACreateIsNotRetried) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "sobjects.create"}, {"kind", "http500"}, {"times", 1}})
                .status,
            201);
  ApiResult r = client->Post("sobjects/Lead", R"({"LastName":"Doe","Company":"Acme"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.outcome_unknown);
  EXPECT_EQ(r.attempts, 1);
  EXPECT_NE(r.failure->summary.find("may have been carried out"), std::string::npos);
  // 503 means "not done": retried.
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "sobjects.create"}, {"kind", "http503"}, {"times", 1}})
                .status,
            201);
  ApiResult r2 = client->Post("sobjects/Lead", R"({"LastName":"Doe","Company":"Acme"})");
  ASSERT_TRUE(r2.ok()) << r2.failure->Describe();
  EXPECT_EQ(r2.attempts, 2);
  EXPECT_EQ(r2.response.status, 201);
}

TEST_F(ClientTest, ACreateThatTimesOutIsSentOnceAndReportedUnknown) {
  std::unique_ptr<SalesforceClient> client =
      ConnectWithPassword(Transport(std::chrono::milliseconds(500)));
  // Warm the keep-alive pool so that a resend on a reused connection would be possible.
  ASSERT_TRUE(client->Get("limits").ok());
  ASSERT_TRUE(client->Post("sobjects/Lead", R"({"LastName":"Warm","Company":"Acme"})").ok());
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "sobjects.create"},
                                  {"kind", "slow"},
                                  {"delay_ms", 2000},
                                  {"times", 1}})
                .status,
            201);
  ApiResult r = client->Post("sobjects/Lead", R"({"LastName":"Slow","Company":"Acme"})");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.outcome_unknown);
  EXPECT_EQ(r.failure->category, ErrorCategory::kTransient);
  EXPECT_EQ(Requests("sobjects.create"), 2);  // the warm-up and the slow one: no resend
}

TEST_F(ClientTest, ValidationErrorsAreNotRetriedAndKeepEveryError) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ApiResult r = client->Post("sobjects/Lead", R"({"Email":"x@y.com"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.attempts, 1);
  EXPECT_EQ(r.failure->category, ErrorCategory::kValidation);
  ASSERT_FALSE(r.failure->errors.empty());
  EXPECT_EQ(r.failure->errors[0].error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_NE(r.failure->Describe().find("REQUIRED_FIELD_MISSING"), std::string::npos);
}

TEST_F(ClientTest, LimitExceededStopsCallingUntilTheHoldEnds) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "limits"}, {"kind", "limit_reached"}, {"times", 1}})
                .status,
            201);
  ApiResult r = client->Get("limits");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kApiLimitExceeded);
  ASSERT_TRUE(r.retry_at.has_value());
  uint64_t sent = client->requests_sent();
  ApiResult held = client->Get("sobjects");
  ASSERT_FALSE(held.ok());
  EXPECT_EQ(held.failure->troubleshooting, TroubleshootingCase::kApiLimitExceeded);
  EXPECT_EQ(held.attempts, 0);
  EXPECT_EQ(client->requests_sent(), sent);  // nothing was sent
  EXPECT_TRUE(budget()->State().exhausted);
}

TEST_F(ClientTest, TheBudgetKeepsTheConnectionWithinItsShare) {
  std::shared_ptr<HttpTransport> http = Transport();
  std::shared_ptr<OAuthClient> oauth = OAuth(http);
  TokenGrant grant = PasswordGrant(oauth);
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"max", 100}, {"used", 0}}).status, 200);
  auto session = std::make_shared<Session>(grant.access_token, std::nullopt, oauth);
  auto budget = std::make_shared<ApiBudget>(ApiBudgetOptions{.share = 0.05});  // 5 of 100
  SalesforceClient client(http, grant.instance_url, session, budget, FastClientOptions());
  int granted = 0;
  for (int i = 0; i < 20; ++i) {
    ApiResult r = client.Get("limits");
    if (!r.ok()) {
      EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kApiLimitExceeded);
      break;
    }
    ++granted;
  }
  EXPECT_LE(granted, 6);  // the first call learns the maximum, then 5% of 100
  EXPECT_GE(granted, 4);
  EXPECT_EQ(emu().org().api_used(), granted);
}

}  // namespace
}  // namespace cf::sf

namespace cf::sf {
namespace {

// Every transient fault the emulator can inject, once, on a read: the client comes through.
class ClientFaultTest : public testing::ConnectorFixture,
                        public ::testing::WithParamInterface<const char*> {};

TEST_P(ClientFaultTest, AReadComesThroughOneFault) {
  std::unique_ptr<SalesforceClient> client =
      ConnectWithPassword(Transport(std::chrono::milliseconds(800)));
  nlohmann::json rule = {{"endpoint", "query"}, {"kind", GetParam()}, {"times", 1}};
  if (std::string(GetParam()) == "slow") rule["delay_ms"] = 3000;
  ASSERT_EQ(emu().ControlRequest("POST", "faults", rule).status, 201);
  ApiResult r = client->Get("query?q=" + FormEncode("SELECT Id, Name FROM Account LIMIT 5"));
  ASSERT_TRUE(r.ok()) << GetParam() << ": " << r.failure->Describe();
  std::string error;
  EXPECT_EQ((*r.Json(&error))["records"].size(), 5u);
  EXPECT_EQ(Requests("query"), 2) << GetParam();
}

INSTANTIATE_TEST_SUITE_P(Faults, ClientFaultTest,
                         ::testing::Values("http500", "http503", "http420", "query_timeout",
                                           "reset", "slow"));

class ClientTokenFaultTest : public testing::ConnectorFixture {};

TEST_F(ClientTokenFaultTest, TokenExpiryMidBatchIsRenewedOnce) {
  std::unique_ptr<SalesforceClient> client = ConnectWithRefreshToken();
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "query"}, {"kind", "expire_token"}, {"skip", 2},
                                  {"times", 1}})
                .status,
            201);
  for (int i = 0; i < 5; ++i) {
    ApiResult r = client->Get("query?q=" + FormEncode("SELECT Id FROM Contact LIMIT 1"));
    ASSERT_TRUE(r.ok()) << i << ": " << r.failure->Describe();
  }
  EXPECT_EQ(session()->refresh_requests(), 1u);
}

TEST_F(ClientTokenFaultTest, ARefreshTokenRevokedMidRunDisconnects) {
  std::unique_ptr<SalesforceClient> client = ConnectWithRefreshToken();
  ASSERT_EQ(emu().ControlRequest("POST", "faults",
                                 {{"endpoint", "limits"}, {"kind", "revoke_refresh"}, {"times", 1}})
                .status,
            201);
  ASSERT_TRUE(client->Get("limits").ok());  // served; the refresh token is revoked meanwhile
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  ApiResult r = client->Get("limits");
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.failure->reconnect_required);
  EXPECT_EQ(session()->state(), SessionState::kDisconnected);
}

}  // namespace
}  // namespace cf::sf
