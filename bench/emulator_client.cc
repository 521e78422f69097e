#include "bench/emulator_client.h"

#include <cstdint>
#include <memory>
#include <optional>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/session.h"
#include "tools/sfemu/seed.h"

namespace cf::bench {

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
    const sfemu::ConnectedApp& app = s->org->connected_app();
    auto oauth = std::make_shared<sf::OAuthClient>(
        http, s->server->url(),
        sf::OAuthApp{app.client_id, sf::SecretString(app.client_secret), app.redirect_uri});
    const sfemu::OrgUser* user = nullptr;
    for (const sfemu::OrgUser& u : s->org->users()) {
      if (u.integration) user = &u;
    }
    if (user == nullptr) {
      s->error = "the org has no integration user";
      return s;
    }
    sf::TokenResult grant = oauth->PasswordGrant(user->username, sf::SecretString(user->password));
    if (!grant.ok()) {
      s->error = grant.failure.Describe();
      return s;
    }
    auto session = std::make_shared<sf::Session>(grant.grant->access_token, std::nullopt, oauth);
    s->client = std::make_unique<sf::SalesforceClient>(http, grant.grant->instance_url, session,
                                                       nullptr);
    return s;
  }();
  return *setup;
}

}  // namespace cf::bench
