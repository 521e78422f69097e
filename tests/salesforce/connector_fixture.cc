#include "tests/salesforce/connector_fixture.h"

namespace cf::sf::testing {

TokenGrant ConnectorFixture::AuthorizationCodeGrant(const std::shared_ptr<OAuthClient>& oauth) {
  const sfemu::OrgUser& user = emu_->integration_user();
  std::string url = oauth->AuthorizeUrl("state-1");
  std::string target = url.substr(emu_->base_url().size());
  target += "&username=" + FormEncode(user.username) + "&password=" + FormEncode(user.password);
  sfemu::ClientResponse authorize = emu_->Raw("GET", target);
  EXPECT_EQ(authorize.status, 302) << authorize.body;
  std::string location = authorize.Header("location");
  size_t at = location.find("code=");
  EXPECT_NE(at, std::string::npos) << location;
  if (at == std::string::npos) return {};
  std::string code = location.substr(at + 5);
  code = code.substr(0, code.find('&'));
  // The code is form-encoded in the redirect; decode the few characters it may hold.
  std::string decoded;
  for (size_t i = 0; i < code.size(); ++i) {
    if (code[i] == '%' && i + 2 < code.size()) {
      decoded += static_cast<char>(std::stoi(code.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      decoded += code[i] == '+' ? ' ' : code[i];
    }
  }
  TokenResult r = oauth->AuthorizationCodeGrant(decoded);
  EXPECT_TRUE(r.ok()) << r.failure.Describe();
  return r.ok() ? std::move(*r.grant) : TokenGrant{};
}

std::unique_ptr<SalesforceClient> ConnectorFixture::ConnectWithPassword(
    std::shared_ptr<HttpTransport> http) {
  if (!http) http = Transport();
  std::shared_ptr<OAuthClient> oauth = OAuth(http);
  TokenGrant grant = PasswordGrant(oauth);
  session_ = std::make_shared<Session>(grant.access_token, std::nullopt, oauth);
  budget_ = std::make_shared<ApiBudget>(ApiBudgetOptions{.share = 1.0, .org_ceiling = 1.0});
  return std::make_unique<SalesforceClient>(http, grant.instance_url, session_, budget_,
                                            FastClientOptions());
}

std::unique_ptr<SalesforceClient> ConnectorFixture::ConnectWithRefreshToken(
    std::shared_ptr<HttpTransport> http) {
  if (!http) http = Transport();
  std::shared_ptr<OAuthClient> oauth = OAuth(http);
  TokenGrant grant = AuthorizationCodeGrant(oauth);
  session_ = std::make_shared<Session>(grant.access_token, grant.refresh_token, oauth);
  budget_ = std::make_shared<ApiBudget>(ApiBudgetOptions{.share = 1.0, .org_ceiling = 1.0});
  return std::make_unique<SalesforceClient>(http, grant.instance_url, session_, budget_,
                                            FastClientOptions());
}

int ConnectorFixture::Requests(const std::string& endpoint) {
  return static_cast<int>(emu_->control().Requests(endpoint));
}

}  // namespace cf::sf::testing
