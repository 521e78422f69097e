#include "bench/emulator_client.h"

#include <cstdint>
#include <memory>
#include <optional>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/session.h"
#include "tools/sfemu/seed.h"

namespace cf::bench {

std::unique_ptr<sf::SalesforceClient> LogInAsIntegrationUser(
    const sfemu::Org& org, const std::string& server_url, std::shared_ptr<sf::HttpTransport> http,
    std::string* error) {
  const sfemu::ConnectedApp& app = org.connected_app();
  auto oauth = std::make_shared<sf::OAuthClient>(
      http, server_url,
      sf::OAuthApp{app.client_id, sf::SecretString(app.client_secret), app.redirect_uri});
  const sfemu::OrgUser* user = nullptr;
  for (const sfemu::OrgUser& u : org.users()) {
    if (u.integration) user = &u;
  }
  if (user == nullptr) {
    *error = "the org has no integration user";
    return nullptr;
  }
  sf::TokenResult grant = oauth->PasswordGrant(user->username, sf::SecretString(user->password));
  if (!grant.ok()) {
    *error = grant.failure.Describe();
    return nullptr;
  }
  auto session = std::make_shared<sf::Session>(grant.grant->access_token, std::nullopt, oauth);
  return std::make_unique<sf::SalesforceClient>(std::move(http), grant.grant->instance_url,
                                                session, nullptr);
}

Setup& Emulator() {
  static Setup* setup = [] {
    auto* s = new Setup;
    s->org = std::make_unique<sfemu::Org>();
    if (!sfemu::LoadSeedInto(*s->org, sfemu::DefaultOrgDir(), &s->error)) return s;
    s->org->limits().daily_api_max = int64_t{1} << 40;
    s->router = std::make_unique<sfemu::Router>(*s->org, sfemu::RouterOptions{});
    sfemu::ServerOptions server_options;
    server_options.threads = 4;
    sfemu::Router* router = s->router.get();
    s->server = std::make_unique<sfemu::HttpServer>(
        server_options, [router](const sfemu::HttpRequest& req) { return router->Handle(req); });
    if (!s->server->Listen(&s->error)) return s;
    s->router->SetInstanceUrl(s->server->url());
    s->server->Start();
    sf::TransportOptions transport_options;
    transport_options.allow_insecure_loopback = true;
    std::shared_ptr<sf::HttpTransport> http = sf::MakeHttpTransport(transport_options, &s->error);
    if (!http) return s;
    s->client = LogInAsIntegrationUser(*s->org, s->server->url(), http, &s->error);
    return s;
  }();
  return *setup;
}

}  // namespace cf::bench
