// Connection: configuration checks before any call, every auth method against the emulator
// over TLS, tokens sealed in a real SQLite file, resume after a restart, rotation saved.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include <gtest/gtest.h>

#include "connectors/salesforce/connection.h"
#include "engine/sqlite_state_store.h"
#include "tests/salesforce/connector_fixture.h"

namespace cf::sf {
namespace {

class ConnectionTest : public testing::ConnectorFixture {
 protected:
  void SetUp() override {
    ConnectorFixture::SetUp();
    dir_ = ::testing::TempDir() + "cf-connection-" + std::to_string(::getpid()) + "-" +
           ::testing::UnitTest::GetInstance()->current_test_info()->name();
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    OpenStore();
    vault_ = MakeVault('k');
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
    ConnectorFixture::TearDown();
  }

  void OpenStore() {
    store_.reset();
    std::unique_ptr<engine::SqliteStateStore> store;
    engine::Status s = engine::SqliteStateStore::Open(dir_ + "/state.db", {}, &store);
    ASSERT_TRUE(s.ok()) << s.message();
    store_ = std::move(store);
  }

  static std::shared_ptr<const Vault> MakeVault(char fill) {
    KeyRing keys;
    std::string error;
    EXPECT_TRUE(keys.Add("test", SecretString(std::string(32, fill)), &error)) << error;
    return std::make_shared<Vault>(std::move(keys));
  }

  ConnectionConfig BaseConfig() {
    ConnectionConfig c;
    c.name = "emulator-org";
    c.instance_url = emu().base_url();
    c.ca_file = emu().certs().ca_cert;
    c.allow_loopback_for_testing = true;
    c.client_id = emu().app().client_id;
    c.client_secret = SecretString(emu().app().client_secret);
    c.redirect_uri = emu().app().redirect_uri;
    c.retry = FastRetry();
    c.budget.share = 1.0;
    return c;
  }
  ConnectionConfig PasswordConfig() {
    ConnectionConfig c = BaseConfig();
    c.auth = AuthMethod::kPassword;
    c.username = emu().integration_user().username;
    c.password = SecretString(emu().integration_user().password);
    return c;
  }

  // Every byte SQLite wrote for the store (database and WAL).
  std::string StoreBytes() {
    std::string all;
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream in(dir_ + "/state.db" + suffix, std::ios::binary);
      all.append(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
    return all;
  }

  std::string dir_;
  std::shared_ptr<engine::StateStore> store_;
  std::shared_ptr<const Vault> vault_;
};

TEST_F(ConnectionTest, AnInstanceUrlWithAPathIsRefusedBeforeAnyCall) {
  ConnectionConfig c = PasswordConfig();
  c.instance_url = "https://acme.my.salesforce.com/lightning/page/home";
  ConnectResult r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.troubleshooting, TroubleshootingCase::kInvalidInstanceUrl);
  EXPECT_NE(r.failure.summary.find("Invalid Instance URL"), std::string::npos);
  EXPECT_NE(r.failure.summary.find("path"), std::string::npos) << r.failure.summary;
  EXPECT_EQ(emu().control().Requests("oauth.token"), 0);
}

TEST_F(ConnectionTest, LoopbackAndPlainHttpOnlyBehindTheTestingOptions) {
  ConnectionConfig c = PasswordConfig();
  c.allow_loopback_for_testing = false;
  ConnectResult r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.troubleshooting, TroubleshootingCase::kInvalidInstanceUrl);
  c = PasswordConfig();
  c.instance_url = "http://acme.my.salesforce.com";
  r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.troubleshooting, TroubleshootingCase::kInvalidInstanceUrl);
  EXPECT_NE(r.failure.summary.find("https"), std::string::npos) << r.failure.summary;
}

TEST_F(ConnectionTest, MissingSettingsAreNamed) {
  ConnectionConfig c = PasswordConfig();
  c.username.clear();
  ConnectResult r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failure.summary.find("password authentication needs: username"), std::string::npos)
      << r.failure.summary;
  c = BaseConfig();
  c.auth = AuthMethod::kAccessToken;
  r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failure.summary.find("access_token"), std::string::npos) << r.failure.summary;
  c = PasswordConfig();
  c.ca_file = dir_ + "/missing-ca.pem";
  r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failure.summary.find("CA file"), std::string::npos) << r.failure.summary;
}

TEST_F(ConnectionTest, PasswordFlowSealsTheTokenAndTestConnectionReports) {
  ConnectResult r = Connection::Open(PasswordConfig(), store_, vault_);
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  ConnectionTestResult test = r.connection->Test();
  ASSERT_TRUE(test.ok()) << test.failure.Describe();
  EXPECT_EQ(test.report->username, emu().integration_user().username);
  EXPECT_EQ(r.connection->StatusLine(), "connected");
  std::string token(r.connection->session().Current()->access_token.Reveal());
  ASSERT_FALSE(token.empty());
  std::string bytes = StoreBytes();
  EXPECT_FALSE(bytes.empty());
  EXPECT_EQ(bytes.find(token), std::string::npos) << "the access token is stored in clear";
  EXPECT_NE(bytes.find("cfv1:test:"), std::string::npos) << "no sealed credential stored";
}

TEST_F(ConnectionTest, WrongPasswordIsAuthenticationFailedWithoutThePassword) {
  ConnectionConfig c = PasswordConfig();
  c.password = SecretString("hunter2-not-it");
  ConnectResult r = Connection::Open(c, store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.failure.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
  EXPECT_EQ(r.failure.Describe().find("hunter2"), std::string::npos);
}

TEST_F(ConnectionTest, ResumeAfterARestartNeedsNoLogin) {
  {
    ConnectResult r = Connection::Open(PasswordConfig(), store_, vault_);
    ASSERT_TRUE(r.ok()) << r.failure.Describe();
  }
  OpenStore();  // a new process would open the file again
  int logins = static_cast<int>(emu().control().Requests("oauth.token"));
  ConnectResult resumed = Connection::Resume(PasswordConfig(), store_, vault_);
  ASSERT_TRUE(resumed.ok()) << resumed.failure.Describe();
  ConnectionTestResult test = resumed.connection->Test();
  ASSERT_TRUE(test.ok()) << test.failure.Describe();
  EXPECT_EQ(static_cast<int>(emu().control().Requests("oauth.token")), logins);
}

TEST_F(ConnectionTest, ResumeWithAnotherKeyAsksForAReconnect) {
  ASSERT_TRUE(Connection::Open(PasswordConfig(), store_, vault_).ok());
  ConnectResult r = Connection::Resume(PasswordConfig(), store_, MakeVault('x'));
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.failure.reconnect_required);
  EXPECT_NE(r.failure.summary.find("reconnect"), std::string::npos) << r.failure.summary;
}

TEST_F(ConnectionTest, ResumeBeforeConnectingSaysSo) {
  ConnectResult r = Connection::Resume(PasswordConfig(), store_, vault_);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failure.summary.find("not connected yet"), std::string::npos) << r.failure.summary;
}

TEST_F(ConnectionTest, RotatedRefreshTokensAreSealedAndSurviveARestart) {
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"rotate_refresh_tokens", true}}).status, 200);
  std::shared_ptr<OAuthClient> oauth = OAuth(Transport());
  TokenGrant grant = AuthorizationCodeGrant(oauth);
  ASSERT_TRUE(grant.refresh_token.has_value());
  ConnectionConfig c = BaseConfig();
  c.auth = AuthMethod::kRefreshToken;
  c.refresh_token = *grant.refresh_token;
  std::string first_refresh(grant.refresh_token->Reveal());
  {
    ConnectResult r = Connection::Open(c, store_, vault_);  // refreshes: rotates
    ASSERT_TRUE(r.ok()) << r.failure.Describe();
    ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
    ASSERT_TRUE(r.connection->client().Get("limits").ok());  // refreshes again: rotates
  }
  EXPECT_EQ(StoreBytes().find(first_refresh), std::string::npos);
  OpenStore();
  ConnectResult resumed = Connection::Resume(c, store_, vault_);
  ASSERT_TRUE(resumed.ok()) << resumed.failure.Describe();
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  ApiResult call = resumed.connection->client().Get("limits");
  ASSERT_TRUE(call.ok()) << call.failure->Describe();  // the last rotated token was saved
}

TEST_F(ConnectionTest, AnAccessTokenAloneWorksUntilItExpires) {
  ConnectionConfig c = BaseConfig();
  c.auth = AuthMethod::kAccessToken;
  c.client_id.clear();
  c.access_token = SecretString(emu().AccessToken());
  ConnectResult r = Connection::Open(c, store_, vault_);
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  EXPECT_EQ(emu().control().Requests("oauth.token"), 1);  // the fixture's own login only
  ConnectionTestResult test = r.connection->Test();
  ASSERT_TRUE(test.ok()) << test.failure.Describe();
  EXPECT_EQ(test.report->org_id.substr(0, 3), "00D");
  ASSERT_EQ(emu().ControlRequest("POST", "tokens/expire").status, 200);
  EXPECT_FALSE(r.connection->Test().ok());
  EXPECT_EQ(r.connection->StatusLine().rfind("disconnected: reconnect needed", 0), 0u)
      << r.connection->StatusLine();
}

}  // namespace
}  // namespace cf::sf
