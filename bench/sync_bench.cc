// Full-sync benchmarks against the emulator in this process (plain HTTP on loopback, 4 server
// threads), beside a hand-written baseline in the same binary (docs/benchmarks.md).
//
//   Org: examples/org plus 100,000 generated records (GenerateOrg): 10,000 Accounts, 30,000
//   Contacts, 20,000 Opportunities, 20,000 Cases, 20,000 Leads. Synced: those five objects with
//   the binding keys plus a few referenced fields, pages of 2,000.
//
//   BM_Sync_Full_Sqlite     one iteration = a full sync (Syncer::Sync) into PersistentRecordSink
//                           on a new SQLite file (synchronous=FULL, one transaction per page)
//   BM_Sync_Full_NullSink   the same into a sink that only counts (no store): the connector's
//                           own cost
//   BM_Baseline_FetchParse  hand-written: the same queries and pages with the same client and
//                           transport, each page parsed with ParseJson and its records counted;
//                           nothing typed, nothing stored. The floor any sync pays.
// Reported: items_per_second (records ingested per second) and allocs_per_record. After the
// run a summary prints each rate and its ratio to the baseline. Every iteration checks that
// it saw every record, else the benchmark fails.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "bench/emulator_client.h"
#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/soql_builder.h"
#include "connectors/salesforce/sync.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/org.h"
#include "tools/sfemu/router.h"
#include "tools/sfemu/seed.h"

namespace cf::bench {
namespace {

constexpr int64_t kGenerated = 100000;
const char* const kObjects[] = {"Account", "Contact", "Opportunity", "Case", "Lead"};

// The emulator, a logged-in client, the schema and the plans, built once.
struct World {
  std::unique_ptr<sfemu::Org> org;
  std::unique_ptr<sfemu::Router> router;
  std::unique_ptr<sfemu::HttpServer> server;
  std::shared_ptr<sf::HttpTransport> http;
  std::unique_ptr<sf::SalesforceClient> client;
  std::shared_ptr<const engine::Schema> schema;
  std::vector<sf::SyncPlan> plans;
  int64_t records = 0;  // live records of the planned objects
  std::string dir;
  std::string error;
};

World* MakeWorld() {
  auto w = new World;
  sfemu::GenerateOptions generate;
  generate.records = kGenerated;
  w->org = sfemu::GenerateOrg(sfemu::DefaultOrgDir(), generate, &w->error);
  if (!w->org) return w;
  w->org->SetApiUsage(0, int64_t{1} << 40);
  w->router = std::make_unique<sfemu::Router>(*w->org);
  sfemu::ServerOptions server_options;
  sfemu::Router* router = w->router.get();
  w->server = std::make_unique<sfemu::HttpServer>(
      server_options, [router](const sfemu::HttpRequest& req) { return router->Handle(req); });
  if (!w->server->Listen(&w->error)) return w;
  w->router->SetInstanceUrl(w->server->url());
  w->server->Start();

  sf::TransportOptions transport;
  transport.allow_insecure_loopback = true;
  transport.timeout = std::chrono::seconds(60);
  w->http = sf::MakeHttpTransport(transport, &w->error);
  if (!w->http) return w;
  w->client = LogInAsIntegrationUser(*w->org, w->server->url(), w->http, &w->error);
  if (!w->client) return w;
  auto schema = std::make_shared<engine::Schema>();
  for (const char* name : kObjects) {
    sf::ApiResult r = w->client->Get(std::string("sobjects/") + name + "/describe");
    if (!r.ok()) {
      w->error = r.failure->Describe();
      return w;
    }
    std::optional<engine::Object> o = sf::ParseDescribe(r.response.body, &w->error);
    if (!o) return w;
    schema->Add(std::move(*o));
  }
  w->schema = schema;
  if (!sf::BuildSyncPlans(*w->schema,
                          {{"Account", "Name"}, {"Account", "AnnualRevenue"}, {"Account", "Industry"},
                           {"Contact", "LastName"}, {"Contact", "Title"},
                           {"Opportunity", "Amount"}, {"Opportunity", "CloseDate"},
                           {"Case", "Priority"}, {"Case", "Subject"},
                           {"Lead", "Company"}, {"Lead", "LastName"}},
                          &w->plans, &w->error)) {
    return w;
  }
  {
    auto lock = w->org->Lock();
    for (const char* name : kObjects) {
      w->org->ScanRowsLocked(*w->org->schema().Find(name), [&](const sfemu::RecordView& row) {
        if (!row.deleted()) ++w->records;
        return true;
      });
    }
  }
  std::string pattern = std::filesystem::temp_directory_path().string() + "/sync_bench_XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) {
    w->error = "cannot make a temporary directory";
    return w;
  }
  w->dir = pattern;
  return w;
}

World& TheWorld() {
  static World* world = MakeWorld();
  return *world;
}

// Counts what it is given; stores nothing.
class CountingSink final : public engine::RecordSink {
 public:
  engine::Status Apply(const engine::SyncBatch& batch) override {
    records += static_cast<int64_t>(batch.upserts.size());
    return engine::Status::Ok();
  }
  engine::Status LoadCursor(int, std::optional<std::string>* cursor) override {
    cursor->reset();
    return engine::Status::Ok();
  }
  engine::Status ResetObject(int) override { return engine::Status::Ok(); }
  int64_t records = 0;
};

std::map<std::string, double> g_rates;  // benchmark name -> records/s (last run)

void Report(benchmark::State& state, const char* name, int64_t records, uint64_t allocs,
            double seconds) {
  state.SetItemsProcessed(records);
  state.counters["allocs_per_record"] =
      records > 0 ? static_cast<double>(allocs) / static_cast<double>(records) : 0.0;
  if (seconds > 0) g_rates[name] = static_cast<double>(records) / seconds;
}

void BM_Sync_Full_Sqlite(benchmark::State& state) {
  World& w = TheWorld();
  if (!w.error.empty() || !w.client) return state.SkipWithError(w.error.c_str());
  int64_t records = 0;
  uint64_t allocs = 0;
  double seconds = 0;
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string path = w.dir + "/state-" + std::to_string(round++) + ".db";
    std::unique_ptr<engine::SqliteStateStore> opened;
    engine::Status s = engine::SqliteStateStore::Open(path, {}, &opened);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    std::shared_ptr<engine::SqliteStateStore> store = std::move(opened);
    engine::PersistentRecordSink sink(store, w.schema);
    state.ResumeTiming();
    const uint64_t a0 = AllocationCount();
    const auto t0 = std::chrono::steady_clock::now();
    sf::Syncer syncer(*w.client, w.schema, sink, {});
    sf::SyncResult r = syncer.Sync(w.plans);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    allocs += AllocationCount() - a0;
    if (!r.ok()) return state.SkipWithError(r.Describe().c_str());
    int64_t n = 0;
    for (const sf::SyncPlan& p : w.plans) {
      n += static_cast<int64_t>(sink.Snapshot()->Count(p.object_index));
    }
    if (n != w.records) return state.SkipWithError("the sync missed records");
    records += n;
    state.PauseTiming();
    std::error_code ec;
    std::filesystem::remove(path, ec);
    std::filesystem::remove(path + "-wal", ec);
    std::filesystem::remove(path + "-shm", ec);
    state.ResumeTiming();
  }
  Report(state, "BM_Sync_Full_Sqlite", records, allocs, seconds);
}
BENCHMARK(BM_Sync_Full_Sqlite)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void BM_Sync_Full_NullSink(benchmark::State& state) {
  World& w = TheWorld();
  if (!w.error.empty() || !w.client) return state.SkipWithError(w.error.c_str());
  int64_t records = 0;
  uint64_t allocs = 0;
  double seconds = 0;
  for (auto _ : state) {
    CountingSink sink;
    const uint64_t a0 = AllocationCount();
    const auto t0 = std::chrono::steady_clock::now();
    sf::Syncer syncer(*w.client, w.schema, sink, {});
    sf::SyncResult r = syncer.Sync(w.plans);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    allocs += AllocationCount() - a0;
    if (!r.ok()) return state.SkipWithError(r.Describe().c_str());
    if (sink.records != w.records) return state.SkipWithError("the sync missed records");
    records += sink.records;
  }
  Report(state, "BM_Sync_Full_NullSink", records, allocs, seconds);
}
BENCHMARK(BM_Sync_Full_NullSink)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

// The baseline: the same SOQL, header and pages; parse and count only.
void BM_Baseline_FetchParse(benchmark::State& state) {
  World& w = TheWorld();
  if (!w.error.empty() || !w.client) return state.SkipWithError(w.error.c_str());
  std::vector<std::string> paths;
  for (const sf::SyncPlan& p : w.plans) {
    std::string error;
    std::optional<std::string> soql = sf::SoqlQuery::From(p.object)
                                          .Select(p.fields)
                                          .OrderBy("SystemModstamp")
                                          .OrderBy("Id")
                                          .Build(&error);
    if (!soql) return state.SkipWithError(error.c_str());
    paths.push_back(sf::QueryPath("v" + w.client->api_version(), *soql));
  }
  int64_t records = 0;
  uint64_t allocs = 0;
  double seconds = 0;
  for (auto _ : state) {
    const uint64_t a0 = AllocationCount();
    const auto t0 = std::chrono::steady_clock::now();
    int64_t n = 0;
    for (const std::string& path : paths) {
      sf::ApiRequest request;
      request.path = path;
      request.headers.push_back({"Sforce-Query-Options", "batchSize=2000"});
      while (true) {
        sf::ApiResult r = w.client->Send(request);
        std::string error;
        std::optional<nlohmann::json> body = r.ok() ? r.Json(&error) : std::nullopt;
        if (!body) return state.SkipWithError("a baseline page failed");
        n += static_cast<int64_t>((*body)["records"].size());
        if ((*body)["done"].get<bool>()) break;
        request.path = (*body)["nextRecordsUrl"].get<std::string>();
      }
    }
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    allocs += AllocationCount() - a0;
    if (n != w.records) return state.SkipWithError("the baseline missed records");
    records += n;
  }
  Report(state, "BM_Baseline_FetchParse", records, allocs, seconds);
}
BENCHMARK(BM_Baseline_FetchParse)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

void PrintSummary() {
  auto rate = [](const char* name) {
    auto it = g_rates.find(name);
    return it == g_rates.end() ? 0.0 : it->second;
  };
  const double base = rate("BM_Baseline_FetchParse");
  std::printf("\nFull sync of %lld records (pages of 2,000), records ingested per second:\n",
              static_cast<long long>(TheWorld().records));
  for (const char* name :
       {"BM_Sync_Full_Sqlite", "BM_Sync_Full_NullSink", "BM_Baseline_FetchParse"}) {
    const double r = rate(name);
    std::printf("  %-24s %10.0f records/s   %.2fx the baseline's time\n", name, r,
                r > 0 ? base / r : 0.0);
  }
}

}  // namespace
}  // namespace cf::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  cf::bench::PrintSummary();
  benchmark::Shutdown();
  std::error_code ec;
  if (!cf::bench::TheWorld().dir.empty()) std::filesystem::remove_all(cf::bench::TheWorld().dir, ec);
  return 0;
}
