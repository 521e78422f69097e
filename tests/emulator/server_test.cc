// The emulator's transport and router over real loopback sockets: unauthenticated versions,
// authentication errors, Sforce-Limit-Info, 404/405/410, malformed and oversized requests,
// keep-alive, TLS with CA verification (Beast and cpprestsdk clients).
#include <openssl/ssl.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <gtest/gtest.h>

#include "tests/emulator/emulator_fixture.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/oauth.h"

#ifdef CF_HAVE_CPPREST
#include <cpprest/http_client.h>
#endif

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

// The single error of a Salesforce error array.
void ExpectSfError(const ClientResponse& r, int status, std::string_view code, std::string_view message) {
  EXPECT_EQ(r.status, status) << r.error << " " << r.body;
  json body = r.Json();
  ASSERT_TRUE(body.is_array()) << r.body;
  ASSERT_EQ(body.size(), 1u) << r.body;
  EXPECT_EQ(body[0].value("errorCode", ""), code) << r.body;
  if (!message.empty()) {
    EXPECT_EQ(body[0].value("message", ""), message) << r.body;
  }
  EXPECT_EQ(r.Header("content-type"), "application/json;charset=UTF-8");
}

class ServerTest : public EmulatorFixture {};

TEST_F(ServerTest, VersionsNeedNoTokenAndAreNotCounted) {
  int64_t used = emu().org().api_used();
  ClientResponse r = emu().Raw("GET", "/services/data");
  ASSERT_EQ(r.status, 200) << r.error << r.body;
  json sample = json::parse(ReadTestData("salesforce-samples/versions/versions_list_restforce.json"));
  json body = r.Json();
  ASSERT_TRUE(body.is_array());
  ASSERT_FALSE(body.empty());
  EXPECT_EQ(CompareShape(sample, body), "");
  EXPECT_EQ(r.Header("sforce-limit-info"), "") << "the versions list carries no limit info";
  EXPECT_EQ(emu().org().api_used(), used);
  // The trailing-slash form is the same resource.
  EXPECT_EQ(emu().Raw("GET", "/services/data/").status, 200);
  std::vector<LogEntry> log = emu().control().Log();
  ASSERT_FALSE(log.empty());
  EXPECT_EQ(log.back().endpoint, "versions");
  EXPECT_FALSE(log.back().counted);
}

TEST_F(ServerTest, MissingOrGarbledAuthorizationIsInvalidAuthHeader) {
  std::string path = Emulator::ApiPath("");
  ExpectSfError(emu().Raw("GET", path), 401, "INVALID_AUTH_HEADER", "INVALID_HEADER_TYPE");
  for (const char* header : {"Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Bearer a b", "token123"}) {
    SCOPED_TRACE(header);
    ExpectSfError(emu().Raw("GET", path, {}, {{"Authorization", header}}), 401, "INVALID_AUTH_HEADER",
                  "INVALID_HEADER_TYPE");
  }
}

TEST_F(ServerTest, UnknownOrExpiredTokenIsInvalidSessionIdLikeTheSample) {
  ClientResponse r = emu().Raw("GET", Emulator::ApiPath(""), {}, {{"Authorization", "Bearer 00Dx!nope"}});
  ExpectSfError(r, 401, "INVALID_SESSION_ID", "Session expired or invalid");
  json sample = json::parse(ReadTestData("salesforce-samples/errors/error_401_INVALID_SESSION_ID.json"));
  EXPECT_EQ(r.Json(), sample);

  std::string token = emu().AccessToken();
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
  emu().org().ExpireAllAccessTokens();
  ExpectSfError(emu().Get(Emulator::ApiPath("")), 401, "INVALID_SESSION_ID", "Session expired or invalid");
  // The "OAuth" scheme is accepted as Salesforce does.
  emu().AccessToken(/*refresh=*/true);
  ClientResponse oauth_scheme =
      emu().Raw("GET", Emulator::ApiPath(""), {}, {{"Authorization", "OAuth " + emu().AccessToken()}});
  EXPECT_EQ(oauth_scheme.status, 200) << oauth_scheme.body;
}

TEST_F(ServerTest, EveryAuthenticatedAnswerCarriesLimitInfoAndCountsOneCall) {
  emu().AccessToken();
  int64_t used = emu().org().api_used();
  int64_t max = emu().org().api_max();
  for (int i = 1; i <= 3; ++i) {
    ClientResponse r = emu().Get(Emulator::ApiPath(""));
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Header("sforce-limit-info"),
              "api-usage=" + std::to_string(used + i) + "/" + std::to_string(max));
  }
  // Errors after authentication count and carry the header too.
  ClientResponse missing = emu().Get(Emulator::ApiPath("nothing/here"));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Header("sforce-limit-info"),
            "api-usage=" + std::to_string(used + 4) + "/" + std::to_string(max));
  EXPECT_EQ(emu().control().TotalApiCalls(), 4);
  EXPECT_EQ(emu().control().ApiCalls("resources"), 3);
}

TEST_F(ServerTest, ResourcesListsTheServedResources) {
  ClientResponse r = emu().Get(Emulator::ApiPath(""));
  ASSERT_EQ(r.status, 200);
  json body = r.Json();
  EXPECT_EQ(body.value("sobjects", ""), "/services/data/v59.0/sobjects");
  EXPECT_EQ(body.value("query", ""), "/services/data/v59.0/query");
}

TEST_F(ServerTest, UnknownPathsAreNotFound) {
  ExpectSfError(emu().Get(Emulator::ApiPath("nothing")), 404, "NOT_FOUND",
                "The requested resource does not exist");
  ExpectSfError(emu().Get(Emulator::ApiPath("sobjects/Account/a/b/c")), 404, "NOT_FOUND",
                "The requested resource does not exist");
  ExpectSfError(emu().Raw("GET", "/"), 404, "NOT_FOUND", "The requested resource does not exist");
  ExpectSfError(emu().Raw("GET", "/services/apexrest/x"), 404, "NOT_FOUND", "");
  // Not a version, or a version Salesforce has not released: 404.
  ExpectSfError(emu().Get("/services/data/59.0/sobjects"), 404, "NOT_FOUND", "");
  ExpectSfError(emu().Get("/services/data/vabc/sobjects"), 404, "NOT_FOUND", "");
  ExpectSfError(emu().Get("/services/data/v999.0/sobjects"), 404, "NOT_FOUND", "");
}

TEST_F(ServerTest, RetiredVersionsAreGone) {
  ClientResponse r = emu().Get("/services/data/v20.0/sobjects");
  EXPECT_EQ(r.status, 410) << r.body;
  ClientResponse r2 = emu().Get("/services/data/v7.0/query?q=SELECT+Id+FROM+Account");
  EXPECT_EQ(r2.status, 410) << r2.body;
}

TEST_F(ServerTest, WrongMethodIsMethodNotAllowed) {
  ClientResponse r = emu().Call("DELETE", Emulator::ApiPath("query?q=SELECT+Id+FROM+Account"));
  ExpectSfError(r, 405, "METHOD_NOT_ALLOWED", "HTTP Method 'DELETE' not allowed. Allowed are HEAD,GET");
  EXPECT_EQ(r.Header("allow"), "HEAD,GET");
  ClientResponse put = emu().Call("PUT", Emulator::ApiPath("sobjects/Account"), "{}");
  ExpectSfError(put, 405, "METHOD_NOT_ALLOWED", "");
  ClientResponse post_limits = emu().Call("POST", Emulator::ApiPath("limits"), "{}");
  ExpectSfError(post_limits, 405, "METHOD_NOT_ALLOWED", "");
  ClientResponse post_versions = emu().Raw("POST", "/services/data", "{}");
  ExpectSfError(post_versions, 405, "METHOD_NOT_ALLOWED", "");
}

TEST_F(ServerTest, HeadAnswersTheGetHeadersWithoutBody) {
  ClientResponse get = emu().Get(Emulator::ApiPath(""));
  ClientResponse head = emu().Call("HEAD", Emulator::ApiPath(""));
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.Header("content-length"), std::to_string(get.body.size()));
  EXPECT_NE(head.Header("sforce-limit-info"), "");
  // The connection stays usable.
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
}

TEST_F(ServerTest, UserWithoutApiPermissionIsRefused) {
  const OrgUser* no_api = nullptr;
  for (const OrgUser& u : emu().org().users()) {
    if (!u.api_enabled) no_api = &u;
  }
  ASSERT_NE(no_api, nullptr) << "the example org has a user without API access";
  ClientResponse login = emu().PasswordGrant(no_api->username, no_api->password);
  ASSERT_EQ(login.status, 200) << login.body;
  std::string token = login.Json()["access_token"];
  ClientResponse r = emu().Raw("GET", Emulator::ApiPath(""), {}, {{"Authorization", "Bearer " + token}});
  ExpectSfError(r, 403, "API_DISABLED_FOR_ORG", "API is not enabled for this Organization or Partner");
}

TEST_F(ServerTest, DailyLimitReachedIsRequestLimitExceeded) {
  emu().AccessToken();
  emu().org().SetApiUsage(10, 10);
  ClientResponse r = emu().Get(Emulator::ApiPath(""));
  ExpectSfError(r, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.");
  EXPECT_EQ(r.Header("sforce-limit-info"), "api-usage=10/10");
  EXPECT_EQ(emu().org().api_used(), 10) << "a refused call is not counted";
  emu().org().SetApiUsage(9, 10);
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 403);
}

TEST_F(ServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  HttpClient client = emu().NewClient();
  for (int i = 0; i < 25; ++i) {
    ClientResponse r = client.Get("/services/data");
    ASSERT_EQ(r.status, 200) << r.error;
  }
  EXPECT_EQ(client.connections_opened(), 1);
  // "Connection: close" is honoured: the answer says so and the next call reconnects.
  ClientResponse closing = client.Get("/services/data", {{"Connection", "close"}});
  EXPECT_EQ(closing.status, 200);
  EXPECT_EQ(closing.Header("connection"), "close");
  EXPECT_EQ(client.Get("/services/data").status, 200);
  EXPECT_EQ(client.connections_opened(), 2);
}

TEST_F(ServerTest, Http10WithoutKeepAliveIsClosedAfterTheAnswer) {
  bool closed = false;
  std::string out = RawExchange(emu().port(), "GET /services/data HTTP/1.0\r\n\r\n",
                                std::chrono::seconds(5), &closed);
  EXPECT_TRUE(closed);
  EXPECT_EQ(out.rfind("HTTP/1.0 200", 0), 0u) << out;
}

TEST_F(ServerTest, GarbageGetsBadRequestAndTheServerLivesOn) {
  const std::string inputs[] = {
      "GARBAGE\r\n\r\n",
      "GET\r\n\r\n",
      "GET / HTTP/9.9\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "GET / HTTP/1.1\r\nBad Header Line\r\n\r\n",
      "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZZ\r\n",
      std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11),  // a TLS hello to plain HTTP
      std::string(1000, '\0'),
  };
  for (const std::string& input : inputs) {
    SCOPED_TRACE(::testing::PrintToString(input.substr(0, 40)));
    bool closed = false;
    std::string out = RawExchange(emu().port(), input, std::chrono::seconds(5), &closed);
    EXPECT_TRUE(closed) << "the server closes a connection it cannot parse";
    EXPECT_EQ(out.rfind("HTTP/1.1 400", 0), 0u) << out;
  }
  // Abrupt disconnects: half a request line, half a header block, half a body.
  for (const char* partial : {"GET /serv", "GET /services/data HTTP/1.1\r\nHost: x\r\n",
                              "POST /services/oauth2/token HTTP/1.1\r\nContent-Length: 100\r\n\r\nabc"}) {
    RawExchange(emu().port(), partial, std::chrono::milliseconds(50));
  }
  EXPECT_EQ(emu().Raw("GET", "/services/data").status, 200);
}

TEST_F(ServerTest, UrisOverSixteenKilobytesGet431LikeSalesforce) {
  std::string long_query = Emulator::ApiPath("query?q=SELECT+") + std::string(17 * 1024, 'x') + "+FROM+Account";
  ClientResponse r = emu().Get(long_query);
  EXPECT_EQ(r.status, 431) << r.error;
  std::string fits = Emulator::ApiPath("query?q=SELECT+") + std::string(8 * 1024, 'x') + "+FROM+Account";
  EXPECT_NE(emu().Get(fits).status, 431);
}

TEST_F(ServerTest, OversizedHeadersGet431) {
  std::string request = "GET /services/data HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(100 * 1024, 'a') + "\r\n\r\n";
  bool closed = false;
  std::string out = RawExchange(emu().port(), request, std::chrono::seconds(5), &closed);
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out.substr(0, 100);
}

TEST_F(ServerTest, ExpectContinueIsAnswered) {
  std::string body = "grant_type=nope";
  std::string request = "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                        "Content-Type: application/x-www-form-urlencoded\r\nConnection: close\r\n"
                        "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  std::string out = RawExchange(emu().port(), request, std::chrono::seconds(5));
  EXPECT_EQ(out.rfind("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 400", 0), 0u) << out;
  EXPECT_NE(out.find("unsupported_grant_type"), std::string::npos) << out;
}

class SmallBodyLimitTest : public EmulatorFixture {
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.body_limit = 4096;
    return o;
  }
};

TEST_F(SmallBodyLimitTest, BodiesOverTheLimitGet413WithAJsonError) {
  emu().AccessToken();
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("composite"), std::string(5000, ' '));
  EXPECT_EQ(r.status, 413) << r.error << r.body;
  json body = r.Json();
  ASSERT_TRUE(body.is_array()) << r.body;
  EXPECT_EQ(body[0].value("errorCode", ""), "REQUEST_ENTITY_TOO_LARGE");
  // A chunked body over the limit too.
  std::string chunked = "POST /services/oauth2/token HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 3; ++i) chunked += "800\r\n" + std::string(0x800, 'a') + "\r\n";
  chunked += "0\r\n\r\n";
  std::string out = RawExchange(emu().port(), chunked, std::chrono::seconds(5));
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out.substr(0, 200);
  EXPECT_EQ(emu().Raw("GET", "/services/data").status, 200);
}

TEST_F(ServerTest, AHugeDeclaredBodyGets413BeforeItIsSent) {
  // 60 MB declared, a little sent: the default 50 MB limit answers at once.
  std::string request = "POST /services/data/v59.0/composite HTTP/1.1\r\nHost: x\r\n"
                        "Content-Type: application/json\r\nContent-Length: 60000000\r\n\r\n[[[[";
  std::string out = RawExchange(emu().port(), request, std::chrono::seconds(5));
  EXPECT_EQ(out.rfind("HTTP/1.1 413", 0), 0u) << out;
  EXPECT_NE(out.find("REQUEST_ENTITY_TOO_LARGE"), std::string::npos);
}

TEST(HttpServerTest, RefusesNonLoopbackAddresses) {
  for (const char* host : {"0.0.0.0", "192.0.2.1", "::", "example.com"}) {
    ServerOptions options;
    options.host = host;
    HttpServer server(options, [](const HttpRequest&) { return HttpResponse(); });
    std::string error;
    EXPECT_FALSE(server.Listen(&error)) << host;
    EXPECT_FALSE(error.empty());
  }
}

TEST(HttpServerTest, ServesIpv6LoopbackWhenAvailable) {
  ServerOptions options;
  options.host = "::1";
  HttpServer server(options, [](const HttpRequest&) { return HttpResponse::Json(200, "{}"); });
  std::string error;
  if (!server.Listen(&error)) GTEST_SKIP() << "no IPv6 loopback here: " << error;
  server.Start();
  EXPECT_EQ(server.url().rfind("http://[::1]:", 0), 0u) << server.url();
  HttpClient client(server.url());
  EXPECT_EQ(client.Get("/").status, 200);
}

TEST(HttpServerTest, AThrowingHandlerGives500AndTheServerLivesOn) {
  std::atomic<int> calls{0};
  HttpServer server({}, [&](const HttpRequest& req) -> HttpResponse {
    ++calls;
    if (req.path == "/throw") throw std::runtime_error("boom");
    if (req.path == "/throw-int") throw 42;
    return HttpResponse::Json(200, "{}");
  });
  std::string error;
  ASSERT_TRUE(server.Listen(&error)) << error;
  server.Start();
  HttpClient client(server.url());
  ClientResponse r = client.Get("/throw");
  EXPECT_EQ(r.status, 500);
  EXPECT_EQ(r.Json()[0].value("errorCode", ""), "UNKNOWN_EXCEPTION");
  EXPECT_EQ(client.Get("/throw-int").status, 500);
  EXPECT_EQ(client.Get("/fine").status, 200);
  EXPECT_EQ(calls.load(), 3);
}

TEST(HttpServerTest, StopClosesOpenConnectionsAndIsIdempotent) {
  auto server = std::make_unique<HttpServer>(ServerOptions{}, [](const HttpRequest&) {
    return HttpResponse::Json(200, "{}");
  });
  std::string error;
  ASSERT_TRUE(server->Listen(&error));
  server->Start();
  HttpClient client(server->url());
  ASSERT_EQ(client.Get("/").status, 200);
  auto start = std::chrono::steady_clock::now();
  server->Stop();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
  ClientResponse after = client.Get("/");
  EXPECT_FALSE(after.ok());
  server.reset();
}

TEST(HttpServerTest, RequestPartsArePercentDecoded) {
  HttpRequest seen;
  std::mutex mu;
  HttpServer server({}, [&](const HttpRequest& req) {
    std::lock_guard<std::mutex> lock(mu);
    seen = req;
    return HttpResponse::Json(200, "{}");
  });
  std::string error;
  ASSERT_TRUE(server.Listen(&error));
  server.Start();
  HttpClient client(server.url());
  ASSERT_EQ(client.Request("PATCH", "/a%20b/c%2Fd?q=SELECT+Id%2C+Name+FROM+Account&x=%E2%82%AC&flag",
                           "body", {{"X-Custom", "v"}})
                .status,
            200);
  std::lock_guard<std::mutex> lock(mu);
  EXPECT_EQ(seen.method, "PATCH");
  EXPECT_EQ(seen.path, "/a b/c/d");
  EXPECT_EQ(seen.query["q"], "SELECT Id, Name FROM Account");
  EXPECT_EQ(seen.query["x"], "\xE2\x82\xAC");
  EXPECT_EQ(seen.query.count("flag"), 1u);
  EXPECT_EQ(seen.Header("x-custom"), "v");
  EXPECT_EQ(seen.body, "body");
  EXPECT_EQ(seen.remote.rfind("127.0.0.1:", 0), 0u);
}

TEST(RouterTest, SplitPathDecodesSegmentsAfterSplitting) {
  EXPECT_EQ(SplitPath("/services/data/v59.0/sobjects/Lead/Ext__c/A%2FB"),
            (std::vector<std::string>{"services", "data", "v59.0", "sobjects", "Lead", "Ext__c", "A/B"}));
  EXPECT_EQ(SplitPath("//a///b/"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(SplitPath("/").empty());
}

TEST(RouterTest, EndpointNames) {
  using V = std::vector<std::string>;
  EXPECT_EQ(RestEndpointName("GET", V{"sobjects"}), "describeGlobal");
  EXPECT_EQ(RestEndpointName("GET", V{"sobjects", "Account", "describe"}), "describe");
  EXPECT_EQ(RestEndpointName("POST", V{"sobjects", "Account"}), "sobjects.create");
  EXPECT_EQ(RestEndpointName("GET", V{"sobjects", "Account", "001000000000000AAA"}), "sobjects.get");
  EXPECT_EQ(RestEndpointName("PATCH", V{"sobjects", "Account", "001000000000000AAA"}), "sobjects.update");
  EXPECT_EQ(RestEndpointName("DELETE", V{"sobjects", "Account", "001000000000000AAA"}), "sobjects.delete");
  EXPECT_EQ(RestEndpointName("PATCH", V{"sobjects", "Lead", "Ext__c", "x"}), "sobjects.upsert");
  EXPECT_EQ(RestEndpointName("GET", V{"sobjects", "Account", "updated"}), "sobjects.updated");
  EXPECT_EQ(RestEndpointName("GET", V{"sobjects", "Account", "deleted"}), "sobjects.deleted");
  EXPECT_EQ(RestEndpointName("GET", V{"query"}), "query");
  EXPECT_EQ(RestEndpointName("GET", V{"query", "01gxx-2000"}), "queryMore");
  EXPECT_EQ(RestEndpointName("GET", V{"queryAll"}), "queryAll");
  EXPECT_EQ(RestEndpointName("GET", V{"queryAll", "01gxx-2000"}), "queryAllMore");
  EXPECT_EQ(RestEndpointName("GET", V{"tooling", "query"}), "tooling.query");
  EXPECT_EQ(RestEndpointName("POST", V{"composite"}), "composite");
  EXPECT_EQ(RestEndpointName("POST", V{"composite", "sobjects"}), "composite.sobjects.create");
  EXPECT_EQ(RestEndpointName("PATCH", V{"composite", "sobjects"}), "composite.sobjects.update");
  EXPECT_EQ(RestEndpointName("GET", V{"limits"}), "limits");
  EXPECT_EQ(RestEndpointName("PUT", V{"limits"}), "");
  EXPECT_EQ(RestEndpointName("GET", V{"nope"}), "");
}

// ---- TLS ----

class TlsTest : public EmulatorFixture {
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.tls = true;
    return o;
  }
};

TEST_F(TlsTest, ClientTrustingTheTestCaConnects) {
  EXPECT_EQ(emu().base_url().rfind("https://127.0.0.1:", 0), 0u);
  ClientResponse r = emu().Raw("GET", "/services/data");
  EXPECT_EQ(r.status, 200) << r.error;
  // The certificate names localhost too.
  ClientOptions options;
  options.ca_file = emu().certs().ca_cert;
  HttpClient by_name("https://localhost:" + std::to_string(emu().port()), options);
  EXPECT_EQ(by_name.Get("/services/data").status, 200);
  // And the OAuth + REST path works over TLS.
  EXPECT_EQ(emu().Get(Emulator::ApiPath("")).status, 200);
}

TEST_F(TlsTest, ClientWithVerificationRefusesAnUntrustedCertificate) {
  std::string other_dir = (std::filesystem::temp_directory_path() /
                           ("sfemu-other-ca-" + std::to_string(::getpid()))).string();
  TestCertificates other;
  std::string error;
  ASSERT_TRUE(MakeTestCertificates(other_dir, &other, &error)) << error;
  ClientOptions options;
  options.ca_file = other.ca_cert;  // a CA that did not sign the server's certificate
  HttpClient client(emu().base_url(), options);
  ClientResponse r = client.Get("/services/data");
  EXPECT_FALSE(r.ok());
  EXPECT_NE(r.error.find("certificate"), std::string::npos) << r.error;
  // The system trust store does not know the test CA either.
  HttpClient system_store(emu().base_url());
  EXPECT_FALSE(system_store.Get("/services/data").ok());
  std::filesystem::remove_all(other_dir);
  // The server survives failed handshakes.
  EXPECT_EQ(emu().Raw("GET", "/services/data").status, 200);
}

TEST_F(TlsTest, PlainHttpToTheTlsPortFailsCleanly) {
  HttpClient plain("http://127.0.0.1:" + std::to_string(emu().port()));
  plain.set_timeout(std::chrono::seconds(5));
  EXPECT_NE(plain.Get("/services/data").status, 200);
  EXPECT_EQ(emu().Raw("GET", "/services/data").status, 200);
}

TEST_F(TlsTest, OnlyTls12AndUp) {
  // The server's minimum protocol is TLS 1.2: a TLS 1.1-only client fails the handshake.
  boost::asio::io_context ioc;
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_1_VERSION);
  SSL_CTX_set_security_level(ctx.native_handle(), 0);
  boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream(ioc, ctx);
  boost::system::error_code ec;
  stream.next_layer().connect({boost::asio::ip::make_address("127.0.0.1"), emu().port()}, ec);
  ASSERT_FALSE(ec) << ec.message();
  stream.handshake(boost::asio::ssl::stream_base::client, ec);
  EXPECT_TRUE(ec) << "a TLS 1.1 handshake must fail";
}

#ifdef CF_HAVE_CPPREST
TEST_F(TlsTest, CpprestsdkClientVerifiesAgainstTheTestCa) {
  std::string ca = emu().certs().ca_cert;
  web::http::client::http_client_config config;
  config.set_validate_certificates(true);
  config.set_timeout(std::chrono::seconds(10));
  config.set_ssl_context_callback([ca](boost::asio::ssl::context& ctx) { ctx.load_verify_file(ca); });
  web::http::client::http_client client(utility::conversions::to_string_t(emu().base_url()), config);
  web::http::http_response response = client.request(web::http::methods::GET, U("/services/data")).get();
  EXPECT_EQ(response.status_code(), 200);
  json body = json::parse(response.extract_string().get());
  EXPECT_TRUE(body.is_array());

  // Without the CA, verification (still on) rejects the server.
  web::http::client::http_client_config strict;
  strict.set_validate_certificates(true);
  strict.set_timeout(std::chrono::seconds(10));
  web::http::client::http_client untrusting(utility::conversions::to_string_t(emu().base_url()), strict);
  EXPECT_THROW(untrusting.request(web::http::methods::GET, U("/services/data")).get(),
               web::http::http_exception);
}
#endif

}  // namespace
}  // namespace cf::sfemu::testing
