// Record writes to the in-process Salesforce emulator over loopback HTTP: the batch writer
// (sObject Collections, Composite) beside a hand-written baseline that sends one REST call per
// record (POST /sobjects/Lead), in the same run. Reports writes per second (items_per_second)
// and API calls per 1,000 writes (counter calls_per_1000; target: at most 6).
//
//   cmake --preset release -B build/write-rel && cmake --build build/write-rel --target write_bench -j2
//   build/write-rel/bench/write_bench
//
// One emulator serves every benchmark (plain HTTP, 4 threads, the example org with a daily API
// limit raised out of the way). Every iteration writes new Leads, so the org grows during the
// run; the writes are real (validated, stored), the network is loopback.
#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/oauth_client.h"
#include "connectors/salesforce/session.h"
#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/writer.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/org.h"
#include "tools/sfemu/router.h"
#include "tools/sfemu/seed.h"

namespace cf::bench {
namespace {

using nlohmann::json;

// The emulator and a logged-in client, made once.
struct Setup {
  std::unique_ptr<sfemu::Org> org;
  std::unique_ptr<sfemu::Router> router;
  std::unique_ptr<sfemu::HttpServer> server;
  std::unique_ptr<sf::SalesforceClient> client;
  std::string error;
};

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

json LeadFields(int64_t n) {
  return {{"LastName", "Bench-" + std::to_string(n)},
          {"Company", "Bench Co"},
          {"Email", "bench" + std::to_string(n) + "@example.com"},
          {"LeadSource", "Web"}};
}

std::atomic<int64_t> next_lead{0};

// Writes per iteration: state.range(0). Creates only: the outbox's common case.
void BM_Write_Batched(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  const int64_t n = state.range(0);
  sf::BatchWriter writer(*s.client);
  int64_t calls = 0;
  int64_t writes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<sf::WriteOp> ops;
    ops.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      ops.push_back(sf::WriteOp::Create("k" + std::to_string(i), "Lead", LeadFields(next_lead++)));
    }
    state.ResumeTiming();
    sf::WriteBatch batch = writer.Write(ops);
    calls += batch.calls;
    writes += n;
    for (const sf::WriteResult& r : batch.results) {
      if (!r.ok()) {
        state.SkipWithError(r.failure->Describe().c_str());
        return;
      }
    }
  }
  state.SetItemsProcessed(writes);
  state.counters["calls_per_1000"] =
      benchmark::Counter(writes > 0 ? 1000.0 * static_cast<double>(calls) / static_cast<double>(writes) : 0);
}
BENCHMARK(BM_Write_Batched)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

// Mixed: per 1,000 writes, 500 creates, 300 updates of records created before the timed loop,
// and 100 Leads each with a Task on it (references: Composite).
void BM_Write_BatchedMixed(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  sf::BatchWriter writer(*s.client);
  std::vector<sf::WriteOp> seed_ops;
  for (int i = 0; i < 300; ++i) {
    seed_ops.push_back(sf::WriteOp::Create("s" + std::to_string(i), "Lead", LeadFields(next_lead++)));
  }
  sf::WriteBatch seeded = writer.Write(seed_ops);
  std::vector<std::string> ids;
  for (const sf::WriteResult& r : seeded.results) ids.push_back(r.id);
  int64_t calls = 0;
  int64_t writes = 0;
  int64_t round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<sf::WriteOp> ops;
    for (int i = 0; i < 500; ++i) {
      ops.push_back(sf::WriteOp::Create("c" + std::to_string(i), "Lead", LeadFields(next_lead++)));
    }
    for (int i = 0; i < 300; ++i) {
      ops.push_back(sf::WriteOp::Update("u" + std::to_string(i), "Lead", ids[static_cast<size_t>(i)],
                                        {{"Title", "Round " + std::to_string(round)}}));
    }
    for (int i = 0; i < 100; ++i) {
      const std::string name = "lead" + std::to_string(i);
      ops.push_back(sf::WriteOp::Create("l" + std::to_string(i), "Lead", LeadFields(next_lead++))
                        .As(name));
      ops.push_back(sf::WriteOp::Create("t" + std::to_string(i), "Task",
                                        {{"Subject", "Call back"}, {"WhoId", sf::RefId(name)}}));
    }
    ++round;
    state.ResumeTiming();
    sf::WriteBatch batch = writer.Write(ops);
    calls += batch.calls;
    writes += static_cast<int64_t>(ops.size());
    for (const sf::WriteResult& r : batch.results) {
      if (!r.ok()) {
        state.SkipWithError(r.failure->Describe().c_str());
        return;
      }
    }
  }
  state.SetItemsProcessed(writes);
  state.counters["calls_per_1000"] =
      benchmark::Counter(writes > 0 ? 1000.0 * static_cast<double>(calls) / static_cast<double>(writes) : 0);
}
BENCHMARK(BM_Write_BatchedMixed)->Unit(benchmark::kMillisecond)->UseRealTime();

// Baseline, hand-written: one POST /sobjects/Lead per record, as a client without batching does.
void BM_Write_OneCallPerRecord(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  const int64_t n = state.range(0);
  int64_t calls = 0;
  int64_t writes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::string> bodies;
    bodies.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) bodies.push_back(LeadFields(next_lead++).dump());
    state.ResumeTiming();
    for (std::string& body : bodies) {
      sf::ApiResult r = s.client->Post("sobjects/Lead", std::move(body));
      ++calls;
      if (!r.ok()) {
        state.SkipWithError(r.failure->Describe().c_str());
        return;
      }
    }
    writes += n;
  }
  state.SetItemsProcessed(writes);
  state.counters["calls_per_1000"] =
      benchmark::Counter(writes > 0 ? 1000.0 * static_cast<double>(calls) / static_cast<double>(writes) : 0);
}
BENCHMARK(BM_Write_OneCallPerRecord)->Arg(1000)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace cf::bench

BENCHMARK_MAIN();
