// An in-process Salesforce emulator for GoogleTest tests: a real server on 127.0.0.1:0 (plain
// or TLS), loaded with the example org, and a blocking client to call it over the socket.
//
//   class QueryTest : public cf::sfemu::testing::EmulatorFixture {};
//   TEST_F(QueryTest, Pages) {
//     ClientResponse r = emu().Get(emu().ApiPath("query?q=SELECT+Id+FROM+Account"));
//     EXPECT_EQ(r.status, 200) << r.body;
//     EXPECT_EQ(emu().control().ApiCalls("query"), 1);
//   }
//
// Override Options() in a fixture subclass for TLS, more threads, a control token or changes to
// the org before it serves (EmulatorOptions::customize). Or use Emulator directly.
//
// Thread safety: Emulator's accessors are thread-safe; its convenience calls (Get, Call,
// ControlRequest, AccessToken) share one client and must come from one thread; other threads use
// NewClient().
#ifndef CF_TESTS_EMULATOR_EMULATOR_FIXTURE_H_
#define CF_TESTS_EMULATOR_EMULATOR_FIXTURE_H_

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tools/sfemu/control.h"
#include "tools/sfemu/http_client.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/org.h"
#include "tools/sfemu/router.h"
#include "tools/sfemu/test_certs.h"

namespace cf::sfemu::testing {

// The API version the helpers use in paths.
inline constexpr std::string_view kApiVersion = "59.0";

struct EmulatorOptions {
  bool tls = false;
  int threads = 4;
  size_t body_limit = size_t{50} << 20;
  std::string control_token;  // empty: the control API needs no token
  bool control_enabled = true;
  // Called on the loaded org before the server starts: add users, change limits...
  std::function<void(Org&)> customize;
  // Timeout of the clients the emulator hands out. Default: 30 s.
  std::chrono::milliseconds client_timeout{30000};
};

class Emulator {
 public:
  explicit Emulator(EmulatorOptions options = {});  // fails the test (ADD_FAILURE) on error
  ~Emulator();
  Emulator(const Emulator&) = delete;
  Emulator& operator=(const Emulator&) = delete;

  bool ok() const { return ok_; }
  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  const std::string& base_url() const { return base_url_; }
  uint16_t port() const;
  // "/services/data/v59.0/" + rest.
  static std::string ApiPath(std::string_view rest);
  // The TLS files (when options.tls): the CA a client must trust, and the server's.
  const TestCertificates& certs() const { return certs_; }

  Org& org() { return *org_; }
  Router& router() { return *router_; }
  Control& control() { return router_->control(); }
  HttpServer& server() { return *server_; }

  // The user whose credentials the helpers use (the org's integration user) and the app.
  const OrgUser& integration_user() const;
  const ConnectedApp& app() const { return org_->connected_app(); }

  // A new client (trusting the test CA for TLS); one per thread.
  HttpClient NewClient() const;
  HttpClient NewClient(std::chrono::milliseconds timeout) const;

  // A password grant over HTTP; the whole token answer.
  ClientResponse PasswordGrant(std::string_view username, std::string_view password);
  // The integration user's access token, from a password grant on first use (cached; call
  // again with refresh = true after expiring tokens).
  const std::string& AccessToken(bool refresh = false);

  // Authorized calls with the integration user's token, on the shared client.
  ClientResponse Get(std::string_view target);
  ClientResponse Call(std::string_view method, std::string_view target,
                      std::string_view body = {});
  // Any request on the shared client, headers as given (no token added).
  ClientResponse Raw(std::string_view method, std::string_view target,
                     std::string_view body = {}, const HeaderList& headers = {});
  // A control request: path below /__control/ ("faults"), JSON body, the control token added.
  ClientResponse ControlRequest(std::string_view method, std::string_view path,
                         const nlohmann::json& body = nullptr);

 private:
  EmulatorOptions options_;
  bool ok_ = false;
  std::unique_ptr<Org> org_;
  std::unique_ptr<Router> router_;
  std::unique_ptr<HttpServer> server_;
  std::string base_url_;
  std::string cert_dir_;
  TestCertificates certs_;
  std::unique_ptr<HttpClient> client_;
  std::string token_;
};

// Loads the emulator's default org (examples/org, through the seed loader) into `org`.
bool LoadTestOrg(Org& org, std::string* error);

// A fixture that starts one Emulator per test.
class EmulatorFixture : public ::testing::Test {
 protected:
  virtual EmulatorOptions Options() { return {}; }
  void SetUp() override;
  void TearDown() override;
  Emulator& emu() { return *emu_; }

 private:
  std::unique_ptr<Emulator> emu_;
};

// The keys and JSON types of `actual` against `expected`, recursively through objects (arrays:
// their first elements). Returns a description of every difference, empty when they agree.
// Keys only in `actual` are listed when `allow_extra` is false. Numbers of any kind match.
std::string CompareShape(const nlohmann::json& expected, const nlohmann::json& actual,
                         bool allow_extra = false);

// Sends `bytes` on a new plain TCP connection to 127.0.0.1:port and returns everything the
// server sends back until it closes the connection or `timeout` passes (then *closed is false).
// For malformed requests that no HTTP client would send.
std::string RawExchange(uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout,
                        bool* closed = nullptr);

// Reads a file under tests/data (e.g. "salesforce-samples/oauth/oauth_token_refresh_success.json").
std::string ReadTestData(std::string_view relative_path);

}  // namespace cf::sfemu::testing

#endif  // CF_TESTS_EMULATOR_EMULATOR_FIXTURE_H_
