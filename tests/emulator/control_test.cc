// The test-control API (/__control/) over real sockets: request log, per-endpoint counters,
// reset, clock, token expiry and revocation, limits, fault rule management, its token and its
// separation from the Salesforce paths.
#include <string>

#include <gtest/gtest.h>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

class ControlTest : public EmulatorFixture {};

TEST_F(ControlTest, LogRecordsEveryRequestWithEndpointStatusAndCounting) {
  emu().AccessToken();  // oauth.token, not counted
  emu().Raw("GET", "/services/data");  // versions, not counted
  emu().Get(Emulator::ApiPath(""));  // resources, counted
  emu().Get(Emulator::ApiPath("nothing"));  // 404, counted
  emu().Raw("GET", Emulator::ApiPath(""));  // 401, not counted
  ClientResponse r = emu().ControlRequest("GET", "log");
  ASSERT_EQ(r.status, 200) << r.body;
  json entries = r.Json()["entries"];
  ASSERT_EQ(entries.size(), 5u) << r.body;
  EXPECT_EQ(entries[0]["endpoint"], "oauth.token");
  EXPECT_EQ(entries[0]["method"], "POST");
  EXPECT_EQ(entries[0]["status"], 200);
  EXPECT_EQ(entries[0]["counted"], false);
  EXPECT_EQ(entries[1]["endpoint"], "versions");
  EXPECT_EQ(entries[1]["counted"], false);
  EXPECT_EQ(entries[2]["endpoint"], "resources");
  EXPECT_EQ(entries[2]["counted"], true);
  EXPECT_EQ(entries[2]["target"], "/services/data/v59.0/");
  EXPECT_EQ(entries[3]["status"], 404);
  EXPECT_EQ(entries[3]["counted"], true);
  EXPECT_EQ(entries[4]["status"], 401);
  EXPECT_EQ(entries[4]["counted"], false);
  for (const json& e : entries) {
    EXPECT_TRUE(e["seq"].is_number_integer());
    EXPECT_TRUE(e["time"].is_string());
    EXPECT_TRUE(e["time_ms"].is_number_integer());
    EXPECT_TRUE(e["duration_ms"].is_number());
    EXPECT_TRUE(e["fault"].is_null());
    EXPECT_EQ(e["remote"].get<std::string>().rfind("127.0.0.1:", 0), 0u);
  }
  // ?since= returns the later entries only; control requests themselves are never logged.
  int64_t third = entries[2]["seq"];
  ClientResponse since = emu().ControlRequest("GET", "log?since=" + std::to_string(third));
  EXPECT_EQ(since.Json()["entries"].size(), 2u) << since.body;
}

TEST_F(ControlTest, CountersCountApiCallsPerEndpoint) {
  for (int i = 0; i < 3; ++i) emu().Get(Emulator::ApiPath(""));
  emu().Get(Emulator::ApiPath("query?q=SELECT+Id+FROM+Account"));
  emu().Call("POST", Emulator::ApiPath("composite"), R"({"compositeRequest":[]})");
  ClientResponse r = emu().ControlRequest("GET", "counters");
  ASSERT_EQ(r.status, 200);
  json c = r.Json();
  EXPECT_EQ(c["api_calls"]["resources"], 3);
  EXPECT_EQ(c["api_calls"]["query"], 1);
  EXPECT_EQ(c["api_calls"]["composite"], 1) << "a composite request is one call";
  EXPECT_EQ(c["total_api_calls"], 5);
  EXPECT_EQ(c["requests"]["oauth.token"], 1);
  EXPECT_FALSE(c["api_calls"].contains("oauth.token"));
  EXPECT_EQ(c["total_requests"], 6);
  EXPECT_EQ(c["statuses"]["200"].get<int>() >= 4, true) << c.dump();
  EXPECT_EQ(c["api_usage"]["used"], emu().org().api_used());
  EXPECT_EQ(c["api_usage"]["max"], emu().org().api_max());
  // The in-process view agrees.
  EXPECT_EQ(emu().control().ApiCalls("resources"), 3);
  EXPECT_EQ(emu().control().Requests("oauth.token"), 1);
}

TEST_F(ControlTest, ResetClearsLogAndCountersButNotOrgUsage) {
  emu().Get(Emulator::ApiPath(""));
  int64_t used = emu().org().api_used();
  ClientResponse r = emu().ControlRequest("POST", "reset");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json()["total_requests"], 0);
  EXPECT_TRUE(emu().ControlRequest("GET", "log").Json()["entries"].empty());
  EXPECT_EQ(emu().org().api_used(), used);
  emu().Get(Emulator::ApiPath(""));
  EXPECT_EQ(emu().control().TotalApiCalls(), 1);
  // The sequence numbers go on.
  EXPECT_GT(emu().control().Log().back().seq, 1u);
}

TEST_F(ControlTest, ClockAdvances) {
  ClientResponse before = emu().ControlRequest("GET", "clock");
  ASSERT_EQ(before.status, 200);
  int64_t t0 = before.Json()["now_ms"];
  ClientResponse after = emu().ControlRequest("POST", "clock/advance", {{"seconds", 3600}});
  ASSERT_EQ(after.status, 200) << after.body;
  int64_t t1 = after.Json()["now_ms"];
  EXPECT_GE(t1 - t0, 3600 * 1000);
  EXPECT_LT(t1 - t0, 3600 * 1000 + 60000);
  EXPECT_TRUE(after.Json()["now"].is_string());
  ClientResponse ms = emu().ControlRequest("POST", "clock/advance", {{"ms", 500}});
  EXPECT_GE(ms.Json()["now_ms"].get<int64_t>() - t1, 500);
  EXPECT_EQ(emu().ControlRequest("POST", "clock/advance", {{"seconds", "soon"}}).status, 400);
  EXPECT_EQ(emu().ControlRequest("POST", "clock/advance").status, 400);
}

TEST_F(ControlTest, ExpireAccessTokensAndRevokeRefreshTokens) {
  ASSERT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 401);
  emu().AccessToken(/*refresh=*/true);
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
  EXPECT_EQ(emu().ControlRequest("POST", "tokens/revoke-refresh").status, 200);
  EXPECT_EQ(emu().ControlRequest("GET", "tokens/expire").status, 405);
}

TEST_F(ControlTest, LimitsCanBeReadAndSet) {
  ClientResponse get = emu().ControlRequest("GET", "limits");
  ASSERT_EQ(get.status, 200);
  EXPECT_TRUE(get.Json()["max"].is_number_integer());
  EXPECT_TRUE(get.Json()["rotate_refresh_tokens"].is_boolean());
  ClientResponse set = emu().ControlRequest("POST", "limits", {{"used", 41}, {"max", 50}});
  ASSERT_EQ(set.status, 200) << set.body;
  EXPECT_EQ(set.Json()["used"], 41);
  EXPECT_EQ(set.Json()["max"], 50);
  ClientResponse call = emu().Get(Emulator::ApiPath(""));
  EXPECT_EQ(call.Header("sforce-limit-info"), "api-usage=42/50");
  EXPECT_EQ(emu().ControlRequest("POST", "limits", {{"used", -1}}).status, 400);
  EXPECT_EQ(emu().ControlRequest("POST", "limits", {{"rotate_refresh_tokens", "yes"}}).status, 400);
  EXPECT_EQ(emu().ControlRequest("POST", "limits", json::array()).status, 400);
}

TEST_F(ControlTest, FaultRulesAreAddedListedAndRemoved) {
  ClientResponse add = emu().ControlRequest(
      "POST", "faults", {{"endpoint", "query"}, {"kind", "http503"}, {"times", 2}, {"skip", 1}});
  ASSERT_EQ(add.status, 201) << add.body;
  json rule = add.Json();
  EXPECT_TRUE(rule["id"].is_number_integer());
  EXPECT_EQ(rule["kind"], "http503");
  EXPECT_EQ(rule["times"], 2);
  EXPECT_EQ(rule["skip"], 1);
  EXPECT_EQ(rule["fired"], 0);
  ClientResponse many = emu().ControlRequest(
      "POST", "faults",
      {{"faults", json::array({{{"endpoint", "composite"}, {"kind", "reset"}},
                               {{"path_prefix", "/services/data/v59.0/sobjects"}, {"method", "post"},
                                {"kind", "slow"}, {"delay_ms", 100}}})}});
  ASSERT_EQ(many.status, 201) << many.body;
  EXPECT_EQ(many.Json()["faults"].size(), 2u);
  EXPECT_EQ(many.Json()["faults"][1]["method"], "POST");
  json list = emu().ControlRequest("GET", "faults").Json()["faults"];
  ASSERT_EQ(list.size(), 3u);
  int64_t id = rule["id"];
  EXPECT_EQ(emu().ControlRequest("DELETE", "faults/" + std::to_string(id)).status, 204);
  EXPECT_EQ(emu().ControlRequest("DELETE", "faults/" + std::to_string(id)).status, 404);
  EXPECT_EQ(emu().ControlRequest("GET", "faults").Json()["faults"].size(), 2u);
  EXPECT_EQ(emu().ControlRequest("DELETE", "faults").status, 200);
  EXPECT_TRUE(emu().ControlRequest("GET", "faults").Json()["faults"].empty());
}

TEST_F(ControlTest, BadFaultRulesAreRejected) {
  const json bad[] = {
      {{"kind", "meteor"}},
      {{"endpoint", "query"}},
      {{"kind", "http500"}, {"times", 0}},
      {{"kind", "http500"}, {"times", -2}},
      {{"kind", "http500"}, {"rate", 0}},
      {{"kind", "http500"}, {"rate", 1.5}},
      {{"kind", "http500"}, {"skip", -1}},
      {{"kind", "slow"}, {"delay_ms", -5}},
      {{"kind", "http500"}, {"endpoint", 5}},
      json::array(),
  };
  for (const json& rule : bad) {
    ClientResponse r = emu().ControlRequest("POST", "faults", rule);
    EXPECT_EQ(r.status, 400) << rule.dump();
    EXPECT_TRUE(r.Json()["error"].is_string()) << r.body;
  }
  ClientResponse not_json = emu().Raw("POST", "/__control/faults", "{nope", {{"Content-Type", "application/json"}});
  EXPECT_EQ(not_json.status, 400);
  EXPECT_TRUE(emu().control().Faults().empty());
}

TEST_F(ControlTest, UnknownControlPathsAndMethods) {
  ClientResponse r = emu().ControlRequest("GET", "nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_TRUE(r.Json()["error"].is_string());
  EXPECT_EQ(emu().ControlRequest("DELETE", "log").status, 405);
  EXPECT_EQ(emu().ControlRequest("GET", "health").status, 200);
}

TEST_F(ControlTest, ControlRequestsAreNeitherLoggedNorCounted) {
  int64_t used = emu().org().api_used();
  for (int i = 0; i < 5; ++i) emu().ControlRequest("GET", "counters");
  EXPECT_TRUE(emu().control().Log().empty());
  EXPECT_EQ(emu().org().api_used(), used);
}

class ControlTokenTest : public EmulatorFixture {
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.control_token = "s3cret";
    return o;
  }
};

TEST_F(ControlTokenTest, ControlNeedsTheToken) {
  ClientResponse without = emu().Raw("GET", "/__control/counters");
  EXPECT_EQ(without.status, 403);
  ClientResponse wrong = emu().Raw("GET", "/__control/counters", {}, {{"X-Sfemu-Control-Token", "guess"}});
  EXPECT_EQ(wrong.status, 403);
  EXPECT_EQ(emu().ControlRequest("GET", "counters").status, 200);
}

class ControlDisabledTest : public EmulatorFixture {
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.control_enabled = false;
    return o;
  }
};

TEST_F(ControlDisabledTest, ControlPathsAreUnknownSalesforcePaths) {
  ClientResponse r = emu().Raw("GET", "/__control/counters");
  EXPECT_EQ(r.status, 404);
  ASSERT_TRUE(r.Json().is_array());
  EXPECT_EQ(r.Json()[0]["errorCode"], "NOT_FOUND");
}

TEST(FaultKindTest, NamesRoundTrip) {
  for (const char* name : {"http500", "http503", "http420", "reset", "slow", "query_timeout", "expire_token",
                           "revoke_refresh", "limit_reached"}) {
    std::optional<FaultKind> kind = ParseFaultKind(name);
    ASSERT_TRUE(kind.has_value()) << name;
    EXPECT_STREQ(FaultKindName(*kind), name);
  }
  EXPECT_FALSE(ParseFaultKind("HTTP500").has_value());
}

}  // namespace
}  // namespace cf::sfemu::testing
