// Events per second through the plugin's C ABI (JSON in, JSON out) beside the same work
// through the C++ API, in the same binary (docs/benchmarks.md).
//
//   Setup: the example org's schema (examples/org), its records stored in a state directory
//   (SQLite) the way a sync leaves them, 100 rules (the 16 example rules and 84 generated ones
//   on conversation events), and the 27 lines of examples/events/day.jsonl (one malformed).
//   No connection: Salesforce actions stay in the outbox, host actions are delivered to a no-op
//   callback by the plugin's dispatcher thread.
//
//   BM_Abi_SendEvent    the plugin loaded with dlopen: send_event on each line, the result
//                       string freed with free_string.
//   BM_Cpp_SameWork     the same through the C++ API: ReadHostEvent, Evaluator::Evaluate on a
//                       PersistentRecordSink loaded from an identical state file, and
//                       Outbox::Accept of the actions (the durable accept send_event does
//                       before it returns). What it does not do: the JSON of the result.
// Reported: items_per_second (events/s) and the ratio. Both accept into SQLite with
// synchronous=FULL; the state directories are in /dev/shm (memory) when it exists, so that the
// disk's flush, the same for both, does not hide what the ABI adds. They are removed at exit.
#include <benchmark/benchmark.h>
#include <dlfcn.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/record_json.h"
#include "engine/evaluator.h"
#include "engine/host_event.h"
#include "engine/outbox.h"
#include "engine/rule_set.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "include/connectflo/salesforce_plugin.h"

namespace cf::bench {
namespace {

constexpr int kGeneratedRules = 84;

std::string ReadText(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<engine::RuleSource> RuleSources() {
  std::vector<engine::RuleSource> sources;
  for (const auto& entry :
       std::filesystem::directory_iterator(std::string(CF_SOURCE_DIR) + "/examples/rules")) {
    if (entry.path().extension() == ".rule") {
      sources.push_back({entry.path().filename().string(), ReadText(entry.path().string())});
    }
  }
  std::sort(sources.begin(), sources.end(),
            [](const engine::RuleSource& a, const engine::RuleSource& b) { return a.name < b.name; });
  const char* industries[] = {"Banking", "Insurance", "Healthcare", "Retail", "Technology", "Energy"};
  std::string text;
  for (int i = 0; i < kGeneratedRules; ++i) {
    char rule[400];
    std::snprintf(rule, sizeof rule,
                  "rule \"generated %d\"\n  on conversation.created, conversation.message\n"
                  "  when Account.Industry = \"%s\" AND Account.AnnualRevenue > %d\n"
                  "then\n  add tag \"g%d\"\nend\n\n",
                  i, industries[i % 6], (i % 7) * 100000000, i);
    text += rule;
  }
  sources.push_back({"generated.rule", text});
  return sources;
}

std::string TempDir();

// A new state directory holding the example org's records as a sync would leave them, and the
// org's schema. Returns "" or what failed.
std::string MakeStateDir(std::string* dir, std::shared_ptr<const engine::Schema>* schema_out) {
  std::string error;
  auto schema = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
  if (schema == nullptr) return "examples/org: " + error;
  *schema_out = schema;
  *dir = TempDir();
  if (dir->empty()) return "cannot create a temporary directory";
  std::unique_ptr<engine::SqliteStateStore> store;
  engine::Status s = engine::SqliteStateStore::Open(*dir + "/state.db", {}, &store);
  if (!s.ok()) return s.message();
  std::shared_ptr<engine::StateStore> shared = std::move(store);
  engine::PersistentRecordSink sink(shared, schema);
  sf::RecordReader reader(schema);
  sf::RecordsByObject records;
  if (!sf::LoadRecordsFile(std::string(CF_SOURCE_DIR) + "/examples/org/records.json", reader,
                           &records, &error)) {
    return error;
  }
  for (auto& [object, list] : records) {
    s = sink.Apply({schema->IndexOf(object), list, {}, std::nullopt});
    if (!s.ok()) return s.message();
  }
  return "";
}

std::vector<std::string> Events() {
  std::vector<std::string> lines;
  std::ifstream in(std::string(CF_SOURCE_DIR) + "/examples/events/day.jsonl");
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string>& TempDirs() {
  static std::vector<std::string> dirs;
  return dirs;
}

// In /dev/shm when there is one: both sides flush each accept (synchronous=FULL), and a disk's
// flush, the same for both, would hide the CPU work the ratio is about.
std::string TempDir() {
  std::error_code ec;
  const std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                         ? std::filesystem::path("/dev/shm")
                                         : std::filesystem::temp_directory_path();
  std::string tmpl = (base / "cf-abi-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) return "";
  TempDirs().push_back(tmpl);
  return tmpl;
}

void NoHostAction(void*, const char*, size_t) {}
void NoOutcome(void*, const char*, size_t) {}
void NoLog(void*, cf_sf_log_level, const char*, size_t) {}

struct AbiWorld {
  std::string error;
  const cf_sf_api* api = nullptr;
  cf_sf_instance* instance = nullptr;
};

AbiWorld& Abi() {
  static AbiWorld* w = [] {
    auto* world = new AbiWorld;
    std::string dir;
    std::shared_ptr<const engine::Schema> schema;
    world->error = MakeStateDir(&dir, &schema);
    if (!world->error.empty()) return world;
    void* lib = dlopen(CF_PLUGIN_PATH, RTLD_NOW | RTLD_LOCAL);
    auto entry = lib == nullptr ? nullptr
                                : reinterpret_cast<cf_sf_entry_fn>(dlsym(lib, CF_SF_ENTRY_SYMBOL));
    cf_sf_host_info host{sizeof(cf_sf_host_info), CF_SF_ABI_VERSION, CF_SF_ABI_VERSION, "abi_bench"};
    char entry_error[256] = {};
    if (entry == nullptr || entry(&host, &world->api, entry_error, sizeof entry_error) != CF_SF_OK) {
      world->error = std::string("cannot load the plugin: ") + (lib == nullptr ? dlerror() : entry_error);
      return world;
    }
    const cf_sf_api& api = *world->api;
    std::string config = R"({"name": "abi-bench", "state_dir": ")" + dir + R"(",
        "schema_file": ")" + std::string(CF_SOURCE_DIR) + R"(/examples/org", "log_level": "off"})";
    char* err = nullptr;
    if (api.create(config.data(), config.size(), &world->instance, &err) != CF_SF_OK) {
      world->error = std::string("create: ") + (err ? err : "");
      return world;
    }
    cf_sf_callbacks callbacks{sizeof(cf_sf_callbacks), nullptr, NoHostAction, NoOutcome, NoLog};
    api.set_callbacks(world->instance, &callbacks, &err);
    nlohmann::json sources = nlohmann::json::array();
    for (const engine::RuleSource& r : RuleSources()) sources.push_back({{"name", r.name}, {"text", r.text}});
    const std::string load = nlohmann::json{{"sources", sources}}.dump();
    char* out = nullptr;
    if (api.load_rules(world->instance, load.data(), load.size(), &out, &err) != CF_SF_OK) {
      world->error = std::string("load_rules: ") + (err ? err : "") + (out ? out : "");
    }
    api.free_string(out);
    api.free_string(err);
    return world;
  }();
  return *w;
}

struct CppWorld {
  std::string error;
  std::shared_ptr<const engine::Environment> env;
  std::shared_ptr<engine::PersistentRecordSink> sink;
  std::unique_ptr<engine::Outbox> outbox;
  engine::RuleSetHolder rules;
};

CppWorld& Cpp() {
  static CppWorld* w = [] {
    auto* world = new CppWorld;
    std::string dir;
    std::shared_ptr<const engine::Schema> schema;
    world->error = MakeStateDir(&dir, &schema);
    if (!world->error.empty()) return world;
    world->env = engine::MakeRuleEnvironment(schema);
    std::unique_ptr<engine::SqliteStateStore> store;
    engine::Status s = engine::SqliteStateStore::Open(dir + "/state.db", {}, &store);
    if (!s.ok()) {
      world->error = s.message();
      return world;
    }
    std::shared_ptr<engine::StateStore> shared = std::move(store);
    std::vector<std::shared_ptr<const engine::RecordLayout>> layouts;
    for (int i = 0; i < schema->size(); ++i) layouts.push_back(world->env->layout(i));
    world->sink = std::make_shared<engine::PersistentRecordSink>(shared, schema, layouts);
    s = world->sink->Load();
    if (s.ok()) s = engine::Outbox::Open(shared, {}, &world->outbox);
    if (!s.ok()) {
      world->error = s.message();
      return world;
    }
    engine::RuleSetResult compiled = engine::CompileRuleSet(RuleSources(), world->env);
    if (!compiled.ok()) {
      world->error = compiled.FormatDiagnostics();
      return world;
    }
    world->rules.Set(compiled.rule_set);
    return world;
  }();
  return *w;
}

void BM_Abi_SendEvent(benchmark::State& state) {
  AbiWorld& w = Abi();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  const std::vector<std::string> events = Events();
  int64_t fired_marks = 0;
  for (auto _ : state) {
    for (const std::string& e : events) {
      char* out = nullptr;
      char* err = nullptr;
      w.api->send_event(w.instance, e.data(), e.size(), 0, &out, &err);
      if (out != nullptr) fired_marks += std::strstr(out, "\"fired\"") != nullptr;
      w.api->free_string(out);
      w.api->free_string(err);
    }
  }
  benchmark::DoNotOptimize(fired_marks);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

void BM_Cpp_SameWork(benchmark::State& state) {
  CppWorld& w = Cpp();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  const std::vector<std::string> events = Events();
  engine::Evaluator evaluator;
  engine::EventBuilder builder(w.env);
  int64_t fired = 0;
  for (auto _ : state) {
    for (const std::string& e : events) {
      engine::Event event;
      engine::HostEventError error;
      if (!engine::ReadHostEvent(e, builder, &event, &error)) continue;
      engine::EvaluationResult r = evaluator.Evaluate(w.rules.Get(), event, w.sink->Snapshot());
      std::vector<int64_t> ids;
      if (!r.actions.empty() && !w.outbox->Accept(r.actions, &ids).ok()) {
        return state.SkipWithError("outbox accept failed");
      }
      fired += static_cast<int64_t>(r.fired.size());
    }
  }
  benchmark::DoNotOptimize(fired);
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * events.size()));
}

BENCHMARK(BM_Abi_SendEvent)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpp_SameWork)->Unit(benchmark::kMillisecond)->UseRealTime();

void PrintSummary(const TimingReporter& times) {
  const double abi = times.SecondsPerIteration("BM_Abi_SendEvent");
  const double cpp = times.SecondsPerIteration("BM_Cpp_SameWork");
  if (abi == 0 || cpp == 0) return;
  const double n = static_cast<double>(Events().size());
  std::printf("\nSummary: through the ABI %.0f events/s, through the C++ API %.0f events/s; "
              "the ABI takes %.2fx the C++ time\n",
              n / abi, n / cpp, abi / cpp);
}

}  // namespace
}  // namespace cf::bench

int main(int argc, char** argv) {
  const int status = cf::bench::BenchMain(argc, argv, cf::bench::PrintSummary);
  std::error_code ec;  // open files of the instance still running are fine to unlink
  for (const std::string& dir : cf::bench::TempDirs()) std::filesystem::remove_all(dir, ec);
  return status;
}
