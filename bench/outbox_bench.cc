// Actions dispatched from the durable outbox to the in-process Salesforce emulator over
// loopback HTTP, beside a hand-written baseline that sends one REST call per action, in the
// same run. Reports actions per second (items_per_second) and API calls per 1,000 actions
// (counter calls_per_1000; target: at most 6).
//
//   cmake --preset release -B build/write-rel && cmake --build build/write-rel --target outbox_bench -j2
//   build/write-rel/bench/outbox_bench
//
// Each iteration dispatches 1,000 actions, the mix of a busy hour: 500 Lead creates, 300 Case
// creates (upserts by their action key: Case has ConnectFlo_Action_Id__c), and 100 Leads each
// with a Task on it (the Task refers to its Lead). Accepting them into the outbox (a real
// SQLite file, synchronous=FULL) is done with the timer paused; BM_Outbox_Accept measures it.
// The dispatch runs on the benchmark thread (Dispatcher::RunOnce until the outbox is empty):
// claim, send, record every outcome durably.
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "bench/emulator_client.h"
#include "connectors/salesforce/salesforce_connector.h"
#include "connectors/salesforce/sf_client.h"
#include "engine/dispatcher.h"
#include "engine/outbox.h"
#include "engine/sqlite_state_store.h"

namespace cf::bench {
namespace {

using engine::Action;
using engine::ActionField;
using engine::ActionKind;


std::atomic<int64_t> next_name{0};

ActionField Value(std::string name, std::string text) {
  ActionField f;
  f.name = std::move(name);
  f.kind = ActionField::Kind::kValue;
  f.text = std::move(text);
  return f;
}

Action Lead(int64_t n) {
  Action a;
  a.object = "Lead";
  a.fields = {Value("LastName", "OutboxBench-" + std::to_string(n)), Value("Company", "Bench Co"),
              Value("LeadSource", "Web")};
  return a;
}
Action Case(int64_t n) {
  Action a;
  a.object = "Case";
  a.fields = {Value("Subject", "Outbox bench " + std::to_string(n)), Value("Origin", "Web")};
  return a;
}
Action TaskOn(int lead_action) {
  Action a;
  a.kind = ActionKind::kLogTask;
  a.object = "Task";
  ActionField who;
  who.name = "WhoId";
  who.kind = ActionField::Kind::kActionId;
  who.action = lead_action;
  a.fields = {Value("Subject", "Call back"), who};
  return a;
}

// The 1,000 actions of one iteration, as events: one action per event, and a Lead with its
// Task per event for the linked pairs.
std::vector<std::vector<Action>> Events() {
  std::vector<std::vector<Action>> events;
  for (int i = 0; i < 500; ++i) events.push_back({Lead(next_name++)});
  for (int i = 0; i < 300; ++i) events.push_back({Case(next_name++)});
  for (int i = 0; i < 100; ++i) events.push_back({Lead(next_name++), TaskOn(0)});
  return events;
}

// A state file in a fresh temporary directory, removed at the end.
struct StateDir {
  std::string path;
  StateDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cf-outbox-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path = tmpl;
  }
  ~StateDir() {
    std::error_code ec;
    if (!path.empty()) std::filesystem::remove_all(path, ec);
  }
};

struct OutboxSetup {
  StateDir dir;
  std::shared_ptr<engine::SqliteStateStore> store;
  std::unique_ptr<engine::Outbox> outbox;
  std::string error;
  OutboxSetup() {
    std::unique_ptr<engine::SqliteStateStore> raw;
    engine::Status s = engine::SqliteStateStore::Open(dir.path + "/state.db", {}, &raw);
    if (!s.ok()) {
      error = s.message();
      return;
    }
    store = std::move(raw);
    s = engine::Outbox::Open(store, {}, &outbox);
    if (!s.ok()) error = s.message();
  }
};

void BM_Outbox_Dispatch(benchmark::State& state) {
  Setup& s = Emulator();
  OutboxSetup o;
  if (!s.client || !o.error.empty()) {
    state.SkipWithError((s.error + o.error).c_str());
    return;
  }
  sf::SalesforceConnector connector(*s.client);
  int64_t failed = 0;
  engine::DispatcherCallbacks callbacks;
  callbacks.on_outcome = [&failed](const engine::ActionReport& r) { failed += r.ok ? 0 : 1; };
  engine::DispatcherOptions options;
  options.batch_size = 1000;
  engine::Dispatcher dispatcher(o.outbox.get(), &connector, callbacks, options);
  int64_t actions = 0;
  uint64_t calls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    for (const std::vector<Action>& event : Events()) {
      engine::Status st = o.outbox->Accept(event);
      if (!st.ok()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
    }
    const uint64_t before = s.client->requests_sent();
    state.ResumeTiming();
    for (int rounds = 0; rounds < 100; ++rounds) {
      size_t finished = 0;
      engine::Status st = dispatcher.RunOnce(&finished);
      if (!st.ok()) {
        state.SkipWithError(st.message().c_str());
        return;
      }
      if (finished == 0) break;
    }
    calls += s.client->requests_sent() - before;
    actions += 1000;
  }
  int64_t pending = 0;
  o.outbox->Count(engine::OutboxState::kPending, &pending);
  if (failed > 0 || pending > 0) {
    state.SkipWithError("some actions failed or were left pending");
    return;
  }
  state.SetItemsProcessed(actions);
  state.counters["calls_per_1000"] = benchmark::Counter(
      actions > 0 ? 1000.0 * static_cast<double>(calls) / static_cast<double>(actions) : 0);
}
BENCHMARK(BM_Outbox_Dispatch)->Unit(benchmark::kMillisecond)->UseRealTime();

// The baseline: what a C++ engineer would write without an outbox or batching: one REST call
// per action (POST /sobjects/{Object}), the Task after its Lead with the Lead's Id. Nothing is
// durable and an unknown outcome is not handled.
void BM_Outbox_Baseline_OneCallPerAction(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  int64_t actions = 0;
  int64_t calls = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<std::vector<Action>> events = Events();
    state.ResumeTiming();
    for (const std::vector<Action>& event : events) {
      std::string lead_id;
      for (const Action& a : event) {
        nlohmann::json body = nlohmann::json::object();
        for (const ActionField& f : a.fields) {
          body[f.name] = f.kind == ActionField::Kind::kActionId ? lead_id : f.text;
        }
        sf::ApiResult r = s.client->Post("sobjects/" + a.object, body.dump());
        ++calls;
        ++actions;
        std::string error;
        std::optional<nlohmann::json> answer = r.Json(&error);
        if (!r.ok() || !answer) {
          state.SkipWithError(r.failure ? r.failure->Describe().c_str() : error.c_str());
          return;
        }
        lead_id = (*answer)["id"].get<std::string>();
      }
    }
  }
  state.SetItemsProcessed(actions);
  state.counters["calls_per_1000"] = benchmark::Counter(
      actions > 0 ? 1000.0 * static_cast<double>(calls) / static_cast<double>(actions) : 0);
}
BENCHMARK(BM_Outbox_Baseline_OneCallPerAction)->Unit(benchmark::kMillisecond)->UseRealTime();

// Accepting one event's action durably (one transaction on a synchronous=FULL file, ids
// reserved 256 at a time): the cost an event call pays before it returns.
void BM_Outbox_Accept(benchmark::State& state) {
  OutboxSetup o;
  if (!o.error.empty()) {
    state.SkipWithError(o.error.c_str());
    return;
  }
  int64_t n = 0;
  for (auto _ : state) {
    engine::Status st = o.outbox->Accept({Lead(n++)});
    if (!st.ok()) {
      state.SkipWithError(st.message().c_str());
      return;
    }
  }
  state.SetItemsProcessed(n);
}
BENCHMARK(BM_Outbox_Accept)->Unit(benchmark::kMicrosecond)->UseRealTime();

}  // namespace
}  // namespace cf::bench

BENCHMARK_MAIN();
