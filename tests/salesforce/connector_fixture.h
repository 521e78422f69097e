// A GoogleTest fixture for the connector's network parts: an in-process emulator (TLS by
// default, its test CA trusted by the transport), the connected app, and helpers that make a
// transport, an OAuth client, a session and a SalesforceClient the way the plugin does.
//
//   class MyTest : public cf::sf::testing::ConnectorFixture {};
//   TEST_F(MyTest, Works) {
//     std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
//     ApiResult r = client->Get("limits");
//   }
//
// Retries never sleep: `sleeps()` records the delays they asked for.
#ifndef CF_TESTS_SALESFORCE_CONNECTOR_FIXTURE_H_
#define CF_TESTS_SALESFORCE_CONNECTOR_FIXTURE_H_

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/session.h"
#include "connectors/salesforce/sf_client.h"
#include "tests/emulator/emulator_fixture.h"
#include "tools/sfemu/seed.h"

namespace cf::sf::testing {

class ConnectorFixture : public ::testing::Test {
 protected:
  // Override to change the emulator (plain HTTP, customisations).
  virtual sfemu::testing::EmulatorOptions EmulatorOptions() {
    sfemu::testing::EmulatorOptions options;
    options.tls = true;
    return options;
  }

  // The default emulator with `records` generated records beside the example org (1,000 bring
  // 300 more Contacts, so that a Contact sync in pages of 200 takes two pages).
  sfemu::testing::EmulatorOptions WithGeneratedRecords(int records) {
    sfemu::testing::EmulatorOptions options = ConnectorFixture::EmulatorOptions();
    options.customize = [records](sfemu::Org& org) {
      sfemu::GenerateOptions generate;
      generate.records = records;
      std::string error;
      ASSERT_TRUE(sfemu::AddGeneratedRecords(org, generate, &error)) << error;
    };
    return options;
  }

  void SetUp() override {
    emu_ = std::make_unique<sfemu::testing::Emulator>(EmulatorOptions());
    ASSERT_TRUE(emu_->ok());
  }
  void TearDown() override { emu_.reset(); }

  sfemu::testing::Emulator& emu() { return *emu_; }

  // A transport trusting the emulator's CA (TLS) or allowing loopback http (plain).
  std::shared_ptr<HttpTransport> Transport(
      std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    TransportOptions options;
    options.timeout = timeout;
    if (emu_->base_url().rfind("https", 0) == 0) {
      options.ca_file = emu_->certs().ca_cert;
    } else {
      options.allow_insecure_loopback = true;
    }
    std::string error;
    std::shared_ptr<HttpTransport> http = MakeHttpTransport(options, &error);
    EXPECT_NE(http, nullptr) << error;
    return http;
  }

  OAuthApp App() const {
    const sfemu::ConnectedApp& app = emu_->app();
    return OAuthApp{app.client_id, SecretString(app.client_secret), app.redirect_uri};
  }

  std::shared_ptr<OAuthClient> OAuth(std::shared_ptr<HttpTransport> http) {
    return std::make_shared<OAuthClient>(std::move(http), emu_->base_url(), App(),
                                         RetryPolicy(FastRetry()), RecordSleep());
  }

  static RetryOptions FastRetry() {
    RetryOptions retry;
    retry.max_attempts = 4;
    retry.base_delay = std::chrono::milliseconds(1);
    retry.max_delay = std::chrono::milliseconds(4);
    retry.max_total_delay = std::chrono::milliseconds(1000);
    retry.honour_retry_after = false;
    return retry;
  }

  std::function<void(std::chrono::milliseconds)> RecordSleep() {
    return [this](std::chrono::milliseconds d) {
      std::lock_guard<std::mutex> lock(sleeps_mu_);
      sleeps_.push_back(d);
    };
  }
  std::vector<std::chrono::milliseconds> sleeps() {
    std::lock_guard<std::mutex> lock(sleeps_mu_);
    return sleeps_;
  }

  ClientOptions FastClientOptions() {
    ClientOptions options;
    options.retry = FastRetry();
    options.sleep = RecordSleep();
    return options;
  }

  // Password grant for the integration user; the session refreshes nothing (no refresh token
  // in a password grant) unless `refresh_token` is given.
  TokenGrant PasswordGrant(const std::shared_ptr<OAuthClient>& oauth) {
    const sfemu::OrgUser& user = emu_->integration_user();
    TokenResult r = oauth->PasswordGrant(user.username, SecretString(user.password));
    EXPECT_TRUE(r.ok()) << r.failure.Describe();
    return r.ok() ? std::move(*r.grant) : TokenGrant{};
  }

  // A refresh token for the integration user, through the test authorize step and the
  // authorization-code grant.
  TokenGrant AuthorizationCodeGrant(const std::shared_ptr<OAuthClient>& oauth);

  // A client logged in with the password flow, with a budget (share 1.0).
  std::unique_ptr<SalesforceClient> ConnectWithPassword(std::shared_ptr<HttpTransport> http = {});
  // A client with a refresh token (code flow), so that expired tokens renew.
  std::unique_ptr<SalesforceClient> ConnectWithRefreshToken(std::shared_ptr<HttpTransport> http = {});

  std::shared_ptr<ApiBudget> budget() const { return budget_; }
  std::shared_ptr<Session> session() const { return session_; }

  // Endpoint call counts from the emulator's counters ("requests" of an endpoint, counted or not).
  int Requests(const std::string& endpoint);

 private:
  std::unique_ptr<sfemu::testing::Emulator> emu_;
  std::mutex sleeps_mu_;
  std::vector<std::chrono::milliseconds> sleeps_;
  std::shared_ptr<ApiBudget> budget_;
  std::shared_ptr<Session> session_;
};

}  // namespace cf::sf::testing

#endif  // CF_TESTS_SALESFORCE_CONNECTOR_FIXTURE_H_
