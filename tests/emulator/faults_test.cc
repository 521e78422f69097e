// Injected faults observed by a real client over loopback: each kind's status and body,
// connection resets, answers slower than the client's timeout, token expiry in the middle of a
// batch, revoked refresh tokens, the API limit reached mid-sync, and deterministic rates.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/emulator/emulator_fixture.h"
#include "tools/sfemu/http_server.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

class FaultsTest : public EmulatorFixture {
 protected:
  // Adds a rule through the control API; returns its id.
  int64_t AddFault(const json& rule) {
    ClientResponse r = emu().ControlRequest("POST", "faults", rule);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.Json().value("id", int64_t{0});
  }
  // The resources list: a REST call that needs only the router.
  ClientResponse Resources() { return emu().Get(Emulator::ApiPath("")); }
  void ExpectError(const ClientResponse& r, int status, const std::string& code, const std::string& message) {
    EXPECT_EQ(r.status, status) << r.error << r.body;
    json body = r.Json();
    ASSERT_TRUE(body.is_array()) << r.body;
    EXPECT_EQ(body[0]["errorCode"], code);
    EXPECT_EQ(body[0]["message"], message);
  }
};

TEST_F(FaultsTest, Http500OnTheNextCallOnly) {
  AddFault({{"endpoint", "resources"}, {"kind", "http500"}});
  ClientResponse r = Resources();
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()[0]["errorCode"], "UNKNOWN_EXCEPTION");
  EXPECT_NE(r.Header("sforce-limit-info"), "");
  EXPECT_EQ(Resources().status, 200);
  EXPECT_EQ(emu().control().Log()[1].fault, "http500");
}

TEST_F(FaultsTest, Http503CarriesRetryAfter) {
  AddFault({{"endpoint", "resources"}, {"kind", "http503"}, {"times", 2}});
  for (int i = 0; i < 2; ++i) {
    ClientResponse r = Resources();
    ExpectError(r, 503, "SERVER_UNAVAILABLE", "Server is temporarily unavailable. Please try again later.");
    EXPECT_EQ(r.Header("retry-after"), "1");
  }
  EXPECT_EQ(Resources().status, 200);
}

TEST_F(FaultsTest, Http420) {
  emu().AccessToken();
  AddFault({{"kind", "http420"}});  // every endpoint
  ClientResponse r = Resources();
  EXPECT_EQ(r.status, 420);
  EXPECT_TRUE(r.Json().is_array());
}

TEST_F(FaultsTest, QueryTimeoutHitsQueriesOnly) {
  AddFault({{"endpoint", "query"}, {"kind", "query_timeout"}, {"times", -1}});
  EXPECT_EQ(Resources().status, 200);
  ExpectError(emu().Get(Emulator::ApiPath("query?q=SELECT+Id+FROM+Account")), 400, "QUERY_TIMEOUT",
              "Your query request was running for too long.");
  ExpectError(emu().Get(Emulator::ApiPath("query?q=SELECT+Name+FROM+Contact")), 400, "QUERY_TIMEOUT",
              "Your query request was running for too long.");
  // queryMore is another endpoint.
  EXPECT_NE(emu().Get(Emulator::ApiPath("query/01gXX0000000001-2000")).Json()[0]["errorCode"], "QUERY_TIMEOUT");
}

TEST_F(FaultsTest, ResetMidResponseIsAClientErrorAndTheNextCallWorks) {
  AddFault({{"endpoint", "resources"}, {"kind", "reset"}});
  HttpClient client = emu().NewClient();
  HeaderList auth = {{"Authorization", "Bearer " + emu().AccessToken()}};
  ClientResponse r = client.Get(Emulator::ApiPath(""), auth);
  EXPECT_FALSE(r.ok()) << r.status << " " << r.body;
  EXPECT_EQ(r.status, 0);
  // The call was served (and counted) before the connection broke: as on a real network.
  EXPECT_EQ(emu().control().ApiCalls("resources"), 1);
  ClientResponse again = client.Get(Emulator::ApiPath(""), auth);
  EXPECT_EQ(again.status, 200) << again.error;
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(FaultsTest, ResetOnAnEmptyAnswerAndOverTls) {
  // Even an answer without a body is cut (inside its headers).
  AddFault({{"endpoint", "versions"}, {"kind", "reset"}});
  ClientResponse r = emu().Raw("GET", "/services/data");
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(emu().Raw("GET", "/services/data").status, 200);
}

class TlsFaultsTest : public FaultsTest {
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.tls = true;
    return o;
  }
};

TEST_F(TlsFaultsTest, ResetOverTls) {
  AddFault({{"endpoint", "resources"}, {"kind", "reset"}});
  ClientResponse r = Resources();
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(Resources().status, 200);
}

TEST_F(FaultsTest, SlowAnswerBeyondTheClientTimeout) {
  AddFault({{"endpoint", "resources"}, {"kind", "slow"}, {"delay_ms", 1500}});
  HttpClient impatient = emu().NewClient(std::chrono::milliseconds(300));
  HeaderList auth = {{"Authorization", "Bearer " + emu().AccessToken()}};
  auto start = std::chrono::steady_clock::now();
  ClientResponse r = impatient.Get(Emulator::ApiPath(""), auth);
  auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.error, "timeout");
  EXPECT_LT(elapsed, std::chrono::milliseconds(1400));
  // A patient client gets the answer, late.
  AddFault({{"endpoint", "resources"}, {"kind", "slow"}, {"delay_ms", 400}});
  HttpClient patient = emu().NewClient(std::chrono::seconds(10));
  start = std::chrono::steady_clock::now();
  ClientResponse late = patient.Get(Emulator::ApiPath(""), auth);
  EXPECT_EQ(late.status, 200);
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
}

TEST_F(FaultsTest, SlowAnswersDoNotBlockOtherClients) {
  // With 4 server threads, 8 slow calls in flight leave room for a fast one.
  AddFault({{"endpoint", "versions"}, {"kind", "slow"}, {"delay_ms", 1000}, {"times", 8}});
  std::vector<std::thread> slow;
  for (int i = 0; i < 8; ++i) {
    slow.emplace_back([&] {
      HttpClient c = emu().NewClient();
      c.Get("/services/data");
    });
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Resources().status, 200);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(800));
  for (auto& t : slow) t.join();
}

TEST_F(FaultsTest, TokenExpiryInTheMiddleOfABatch) {
  AddFault({{"endpoint", "resources"}, {"kind", "expire_token"}, {"skip", 2}});
  int64_t used = emu().org().api_used();
  std::vector<int> statuses;
  for (int i = 0; i < 5; ++i) statuses.push_back(Resources().status);
  EXPECT_EQ(statuses, (std::vector<int>{200, 200, 401, 401, 401}));
  EXPECT_EQ(emu().org().api_used(), used + 2) << "refused calls are not counted";
  ClientResponse r = emu().Get(Emulator::ApiPath(""));
  ExpectError(r, 401, "INVALID_SESSION_ID", "Session expired or invalid");
  // A new token (what a client's refresh does) resumes the batch.
  emu().AccessToken(/*refresh=*/true);
  EXPECT_EQ(Resources().status, 200);
}

TEST_F(FaultsTest, RevokedRefreshTokenMidSync) {
  // An authorization-code login gives a refresh token.
  const ConnectedApp& app = emu().app();
  const OrgUser& user = emu().integration_user();
  ClientResponse auth = emu().Raw(
      "GET", "/services/oauth2/authorize?response_type=code&client_id=" + PercentEncode(app.client_id) +
                 "&redirect_uri=" + PercentEncode(app.redirect_uri) + "&username=" + PercentEncode(user.username) +
                 "&password=" + PercentEncode(user.password));
  ASSERT_EQ(auth.status, 302);
  std::string location = auth.Header("location");
  std::string code = PercentDecode(location.substr(location.find("code=") + 5), true);
  std::string form = "grant_type=authorization_code&code=" + PercentEncode(code) +
                     "&client_id=" + PercentEncode(app.client_id) + "&client_secret=" + PercentEncode(app.client_secret) +
                     "&redirect_uri=" + PercentEncode(app.redirect_uri);
  ClientResponse tokens = emu().Raw("POST", "/services/oauth2/token", form,
                                    {{"Content-Type", "application/x-www-form-urlencoded"}});
  ASSERT_EQ(tokens.status, 200) << tokens.body;
  std::string refresh = tokens.Json()["refresh_token"];
  std::string refresh_form = "grant_type=refresh_token&client_id=" + PercentEncode(app.client_id) +
                             "&refresh_token=" + PercentEncode(refresh);

  AddFault({{"endpoint", "resources"}, {"kind", "revoke_refresh"}});
  EXPECT_EQ(Resources().status, 200) << "the call itself goes through";
  ClientResponse r = emu().Raw("POST", "/services/oauth2/token", refresh_form,
                               {{"Content-Type", "application/x-www-form-urlencoded"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json(), json({{"error", "invalid_grant"}, {"error_description", "expired access/refresh token"}}));
}

TEST_F(FaultsTest, ApiLimitReachedMidSync) {
  AddFault({{"endpoint", "resources"}, {"kind", "limit_reached"}, {"skip", 3}});
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Resources().status, 200);
  int64_t max = emu().org().api_max();
  ClientResponse r = Resources();
  ExpectError(r, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
  EXPECT_EQ(r.Header("sforce-limit-info"), "api-usage=" + std::to_string(max) + "/" + std::to_string(max));
  // The limit stays reached for every endpoint until the control API lowers the usage.
  EXPECT_EQ(emu().Get(Emulator::ApiPath("query?q=SELECT+Id+FROM+Account")).status, 403);
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"used", 0}}).status, 200);
  EXPECT_EQ(Resources().status, 200);
}

TEST_F(FaultsTest, FaultsOnTheTokenEndpoint) {
  AddFault({{"endpoint", "oauth.token"}, {"kind", "http503"}});
  const OrgUser& user = emu().integration_user();
  EXPECT_EQ(emu().PasswordGrant(user.username, user.password).status, 503);
  EXPECT_EQ(emu().PasswordGrant(user.username, user.password).status, 200);
}

TEST_F(FaultsTest, PathPrefixAndMethodNarrowARule) {
  AddFault({{"path_prefix", "/services/data/v59.0/sobjects/Account"}, {"method", "POST"}, {"kind", "http500"},
            {"times", -1}});
  EXPECT_NE(emu().Get(Emulator::ApiPath("sobjects/Account/describe")).status, 500);
  EXPECT_NE(emu().Call("POST", Emulator::ApiPath("sobjects/Contact"), "{}").status, 500);
  EXPECT_EQ(emu().Call("POST", Emulator::ApiPath("sobjects/Account"), "{}").status, 500);
  // "sobjects" names every sobjects.* endpoint.
  emu().control().ClearFaults();
  AddFault({{"endpoint", "sobjects"}, {"kind", "http420"}, {"times", -1}});
  EXPECT_EQ(emu().Get(Emulator::ApiPath("sobjects/Account/001000000000000AAA")).status, 420);
  EXPECT_EQ(emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/001000000000000AAA")).status, 420);
  EXPECT_NE(emu().Get(Emulator::ApiPath("sobjects")).status, 420) << "describeGlobal is not sobjects.*";
}

// The statuses of `calls` resources calls under a rule firing at `rate` with `seed`.
std::vector<int> StatusesUnderRate(double rate, int seed, int calls) {
  Emulator emu;
  emu.AccessToken();
  emu.ControlRequest("POST", "faults",
                     {{"endpoint", "resources"}, {"kind", "http500"}, {"rate", rate}, {"seed", seed}, {"times", -1}});
  std::vector<int> statuses;
  for (int i = 0; i < calls; ++i) statuses.push_back(emu.Get(Emulator::ApiPath("")).status);
  return statuses;
}

TEST(FaultRateTest, RatesAreDeterministicForASeed) {
  std::vector<int> a = StatusesUnderRate(0.3, 7, 200);
  std::vector<int> b = StatusesUnderRate(0.3, 7, 200);
  std::vector<int> c = StatusesUnderRate(0.3, 8, 200);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int failures = static_cast<int>(std::count(a.begin(), a.end(), 500));
  EXPECT_GT(failures, 30);
  EXPECT_LT(failures, 90);
  EXPECT_EQ(std::count(a.begin(), a.end(), 200) + failures, 200);
}

TEST_F(FaultsTest, FiredCountsAreReported) {
  int64_t id = AddFault({{"endpoint", "resources"}, {"kind", "http500"}, {"times", 2}, {"skip", 1}});
  for (int i = 0; i < 5; ++i) Resources();
  json list = emu().ControlRequest("GET", "faults").Json()["faults"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["id"], id);
  EXPECT_EQ(list[0]["fired"], 2);
  EXPECT_EQ(list[0]["matched"], 3);
}

}  // namespace
}  // namespace cf::sfemu::testing
