// Record writes to the in-process Salesforce emulator over loopback HTTP: the batch writer
// (sObject Collections; linked writes phased or through Composite) beside a hand-written baseline that sends one REST call per
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

#include "bench/emulator_client.h"
#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/writer.h"

namespace cf::bench {
namespace {

using nlohmann::json;


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

// Sends the batch that make_ops builds, per iteration (building it is not timed); counts
// writes/s and calls per 1,000 writes. Fails the benchmark on any failed write.
template <typename MakeOps>
void RunBatches(benchmark::State& state, const sf::BatchWriter& writer, MakeOps make_ops) {
  int64_t calls = 0;
  int64_t writes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::vector<sf::WriteOp> ops = make_ops();
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

sf::WriterOptions Linked(int64_t mode) {
  sf::WriterOptions options;
  options.linked_writes = mode == 0 ? sf::LinkedWrites::kPhased : sf::LinkedWrites::kComposite;
  return options;
}

// Mixed: per 1,000 writes, 500 creates, 300 updates of records created before the timed loop,
// and 100 Leads each with a Task on it (references). Arg: 0 phased (the default), 1 Composite.
void BM_Write_BatchedMixed(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  sf::BatchWriter writer(*s.client, Linked(state.range(0)));
  std::vector<sf::WriteOp> seed_ops;
  for (int i = 0; i < 300; ++i) {
    seed_ops.push_back(sf::WriteOp::Create("s" + std::to_string(i), "Lead", LeadFields(next_lead++)));
  }
  sf::WriteBatch seeded = writer.Write(seed_ops);
  std::vector<std::string> ids;
  for (const sf::WriteResult& r : seeded.results) ids.push_back(r.id);
  int64_t round = 0;
  RunBatches(state, writer, [&] {
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
    return ops;
  });
}
BENCHMARK(BM_Write_BatchedMixed)->ArgName("composite")->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// Linked only: 500 Leads, then 500 Tasks each naming one of them (issue 4's worst case).
// Arg: 0 phased (the default), 1 Composite.
void BM_Write_BatchedLinked(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  sf::BatchWriter writer(*s.client, Linked(state.range(0)));
  RunBatches(state, writer, [&] {
    std::vector<sf::WriteOp> ops;
    for (int i = 0; i < 500; ++i) {
      ops.push_back(sf::WriteOp::Create("l" + std::to_string(i), "Lead", LeadFields(next_lead++))
                        .As("lead" + std::to_string(i)));
    }
    for (int i = 0; i < 500; ++i) {
      ops.push_back(sf::WriteOp::Create("t" + std::to_string(i), "Task",
                                        {{"Subject", "Call back"},
                                         {"WhoId", sf::RefId("lead" + std::to_string(i))}}));
    }
    return ops;
  });
}
BENCHMARK(BM_Write_BatchedLinked)->ArgName("composite")->Arg(0)->Arg(1)
    ->Unit(benchmark::kMillisecond)->UseRealTime();

// 1,000 upserts by external id (Case.ConnectFlo_Action_Id__c, the outbox's exactly-once key)
// of Cases that exist: an outbox resending actions. sObject Collections upsert, 5 calls. The
// Cases are made once, before the timed loop, by the same upserts. Updates, not creates: the
// emulator checks a new record's unique fields by scanning the object's rows, so timed creates
// would measure that scan as the table grows, not the writer (a real org indexes them).
void BM_Write_BatchedUpserts(benchmark::State& state) {
  Setup& s = Emulator();
  if (!s.client) {
    state.SkipWithError(s.error.c_str());
    return;
  }
  sf::BatchWriter writer(*s.client);
  int64_t round = 0;
  auto make_ops = [&] {
    std::vector<sf::WriteOp> ops;
    for (int i = 0; i < 1000; ++i) {
      // Built with append: "literal" + std::string trips GCC 12's false -Wrestrict at -O3
      // (bug 105651).
      std::string action = "bench-act-";
      action += std::to_string(i);
      std::string subject = "Bench upsert ";
      subject += std::to_string(round);
      ops.push_back(sf::WriteOp::Upsert("k" + std::to_string(i), "Case", "ConnectFlo_Action_Id__c",
                                        std::move(action),
                                        {{"Subject", std::move(subject)}, {"Origin", "Web"}}));
    }
    ++round;
    return ops;
  };
  sf::WriteBatch seeded = writer.Write(make_ops());
  for (const sf::WriteResult& r : seeded.results) {
    if (!r.ok()) {
      state.SkipWithError(r.failure->Describe().c_str());
      return;
    }
  }
  RunBatches(state, writer, make_ops);
}
BENCHMARK(BM_Write_BatchedUpserts)->Unit(benchmark::kMillisecond)->UseRealTime();

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
