// Preview and record-cache benchmarks over 1,000,000 cached Account records (the records of
// condition_bench, bench_support.h), each beside a hand-written loop in the same binary
// (docs/benchmarks.md).
//
//   BM_Preview_C1 / BM_Preview_C5
//       One iteration is one editor keystroke: engine::Preview compiles the condition (C1 or C5
//       of condition_bench) and scans every cached Account of a RecordCache snapshot, counting
//       TRUE and NULL and listing the first 20 matching Ids.
//   BM_HandLoop_C1 / BM_HandLoop_C5
//       The same scan written by hand over the same data: the snapshot's chunks' columns
//       (RecordSnapshot::ChunkColumns, as PreviewScan reads them), ColumnBaselineC1/C5 on each
//       row, the same counts and the same 20 Ids. No compile.
//   BM_RecordHandLoop_C5
//       A hand loop over the records themselves (BaselineC5 on each record), as a scan would
//       run without the columns.
//   BM_CacheMemory
//       Builds the records and the cache once more and reports, per record, the heap bytes of
//       the records themselves (block and shared_ptr control block, malloc overhead included),
//       of the cache's indexes, and the raw bytes of the field values they hold (numbers 8,
//       Ids 15, text and picklist values their length, null fields 0).
// After the run a summary prints each preview's time beside the hand loop's, their ratio
// against the 2x target, and the memory figures. Every pass checks its counts against the hand
// loop's, else the benchmark fails.
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "engine/preview.h"
#include "engine/record_cache.h"

namespace cf::bench {
namespace {

using engine::OwnedRecordSpan;
using engine::PreviewCounts;
using engine::RecordCache;
using engine::RecordPtr;
using engine::RecordSnapshot;
using engine::Tri;

constexpr size_t kRecords = 1000000;
constexpr size_t kSample = 20;
constexpr double kMaxRatio = 2.0;

constexpr char kC1[] = "Account.AnnualRevenue > 500000";
constexpr char kC5[] =
    "Account.AnnualRevenue > 500000 AND Account.Type = \"Customer\" AND "
    "(Account.Industry = \"Banking\" OR Account.Industry = \"Insurance\") AND "
    "Account.NumberOfEmployees >= 100 AND Account.BillingCountry != \"US\"";

struct World {
  const AccountFixture* fx = nullptr;
  std::unique_ptr<RecordCache> cache;
  engine::RecordSnapshotPtr snapshot;
  int account = -1;
};

// The fields C5 reads (C1's is among them): the columns the hand loops read.
std::vector<int> C5Fields(const engine::RecordLayout& layout) {
  const ColumnBaselineC5 b = ColumnBaselineC5::For(layout);
  return {b.revenue_field, b.type_field, b.industry_field, b.employees_field, b.country_field};
}

const World& GetWorld() {
  static World* world = [] {
    auto* w = new World;
    w->fx = &Accounts(kRecords);
    w->account = w->fx->schema->IndexOf("Account");
    w->cache = std::make_unique<RecordCache>(
        w->fx->schema, std::vector<std::shared_ptr<const engine::RecordLayout>>{w->fx->layout});
    engine::Status s = w->cache->Replace(w->account, w->fx->owned);
    if (!s.ok()) std::fprintf(stderr, "preview_bench: %s\n", s.message().c_str());
    w->snapshot = w->cache->Snapshot();
    // Build the chunks' columns now, as the first preview of these fields would: the timed
    // previews are later keystrokes (BM_BuildColumns measures the first one's extra cost).
    const std::vector<int> fields = C5Fields(*w->fx->layout);
    for (size_t c = 0; c < w->snapshot->ChunkCount(w->account); ++c) {
      w->snapshot->ChunkColumns(w->account, c, fields);
    }
    return w;
  }();
  return *world;
}

template <typename ColumnBaseline>
PreviewCounts ColumnHandLoop(const RecordSnapshot& snap, int object,
                             const std::vector<int>& fields, const ColumnBaseline& base) {
  PreviewCounts counts;
  for (size_t c = 0; c < snap.ChunkCount(object); ++c) {
    const std::shared_ptr<const engine::ColumnBlock> block = snap.ChunkColumns(object, c, fields);
    if (block == nullptr) continue;
    const auto eval = base.Bind(*block);
    const uint32_t rows = static_cast<uint32_t>(block->size());
    for (uint32_t row = 0; row < rows; ++row) {
      const Tri t = eval(row);
      if (t == Tri::kTrue) {
        ++counts.matched;
        if (counts.sample_ids.size() < kSample) {
          counts.sample_ids.push_back(block->record(row)->id()->To18());
        }
      } else if (t == Tri::kUnknown) {
        ++counts.unknown;
      }
    }
    counts.total += rows;
  }
  return counts;
}

template <typename Baseline>
PreviewCounts HandLoop(const RecordSnapshot& snap, int object, const Baseline& base) {
  PreviewCounts counts;
  for (size_t c = 0; c < snap.ChunkCount(object); ++c) {
    const OwnedRecordSpan chunk = snap.Chunk(object, c);
    for (size_t i = 0; i < chunk.size; ++i) {
      const RecordPtr& r = chunk.data[i];
      const Tri t = base(*r);
      if (t == Tri::kTrue) {
        ++counts.matched;
        if (counts.sample_ids.size() < kSample) counts.sample_ids.push_back(r->id()->To18());
      } else if (t == Tri::kUnknown) {
        ++counts.unknown;
      }
    }
    counts.total += static_cast<int64_t>(chunk.size);
  }
  return counts;
}

bool Same(const PreviewCounts& a, const PreviewCounts& b) {
  return a.total == b.total && a.matched == b.matched && a.unknown == b.unknown &&
         a.sample_ids == b.sample_ids;
}

struct Figures {
  double record_bytes = 0, index_bytes = 0, raw_bytes = 0;
};
Figures& Recorded() {
  static Figures f;
  return f;
}

void Report(benchmark::State& state, const char* name, const PreviewCounts& counts,
            const PreviewCounts& expected, uint64_t allocs) {
  if (!Same(counts, expected)) {
    state.SkipWithError("counts or listed Ids differ from the hand-written loop's");
    return;
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * counts.total);
  state.counters["allocs_per_pass"] =
      benchmark::Counter(static_cast<double>(allocs) / static_cast<double>(state.iterations()));
  char label[96];
  std::snprintf(label, sizeof label, "%lld of %lld match", static_cast<long long>(counts.matched),
                static_cast<long long>(counts.total));
  state.SetLabel(label);
  (void)name;
}

void RunPreview(benchmark::State& state, const char* name, const char* condition, bool five) {
  const World& w = GetWorld();
  const PreviewCounts expected =
      five ? HandLoop(*w.snapshot, w.account, BaselineC5::For(*w.fx->layout))
           : HandLoop(*w.snapshot, w.account, BaselineC1::For(*w.fx->layout));
  engine::PreviewOptions options;
  options.sample_limit = kSample;
  engine::PreviewResult result;
  const uint64_t before = AllocationCount();
  for (auto _ : state) {
    result = engine::Preview(*w.snapshot, *w.fx->env, "Account", condition, options);
    benchmark::DoNotOptimize(result.matched);
  }
  const uint64_t allocs = AllocationCount() - before;
  if (!result.ok()) return state.SkipWithError(result.error.c_str());
  Report(state, name, result, expected, allocs);
}

// `loop()` returns one pass's counts; they must equal `expected`.
template <typename Loop>
void RunHandLoop(benchmark::State& state, const char* name, const PreviewCounts& expected,
                 Loop loop) {
  PreviewCounts counts;
  const uint64_t before = AllocationCount();
  for (auto _ : state) {
    counts = loop();
    benchmark::DoNotOptimize(counts.matched);
  }
  Report(state, name, counts, expected, AllocationCount() - before);
}

template <typename ColumnBaseline, typename Baseline>
void RunColumnHandLoop(benchmark::State& state, const char* name) {
  const World& w = GetWorld();
  const engine::RecordLayout& layout = *w.fx->layout;
  const std::vector<int> fields = C5Fields(layout);
  const ColumnBaseline base = ColumnBaseline::For(layout);
  RunHandLoop(state, name, HandLoop(*w.snapshot, w.account, Baseline::For(layout)),
              [&] { return ColumnHandLoop(*w.snapshot, w.account, fields, base); });
}

void BM_Preview_C1(benchmark::State& state) { RunPreview(state, "Preview_C1", kC1, false); }
void BM_HandLoop_C1(benchmark::State& state) {
  RunColumnHandLoop<ColumnBaselineC1, BaselineC1>(state, "HandLoop_C1");
}
void BM_Preview_C5(benchmark::State& state) { RunPreview(state, "Preview_C5", kC5, true); }
void BM_HandLoop_C5(benchmark::State& state) {
  RunColumnHandLoop<ColumnBaselineC5, BaselineC5>(state, "HandLoop_C5");
}
void BM_RecordHandLoop_C5(benchmark::State& state) {
  const World& w = GetWorld();
  const BaselineC5 base = BaselineC5::For(*w.fx->layout);
  const PreviewCounts expected = HandLoop(*w.snapshot, w.account, base);
  RunHandLoop(state, "RecordHandLoop_C5", expected,
              [&] { return HandLoop(*w.snapshot, w.account, base); });
}

// Builds the columns of C5's fields for every chunk (ColumnBlock::Build, without keeping them):
// what the first preview of these fields pays on top of the scan.
void BM_BuildColumns(benchmark::State& state) {
  const World& w = GetWorld();
  const std::vector<int> fields = C5Fields(*w.fx->layout);
  size_t bytes = 0;
  for (auto _ : state) {
    bytes = 0;
    for (size_t c = 0; c < w.snapshot->ChunkCount(w.account); ++c) {
      const OwnedRecordSpan chunk = w.snapshot->Chunk(w.account, c);
      if (chunk.size == 0) continue;
      auto block = engine::ColumnBlock::Build(*w.fx->layout, chunk.data, chunk.size, fields);
      bytes += block->column_bytes();
    }
  }
  state.counters["column_bytes_per_record"] =
      static_cast<double>(bytes) / static_cast<double>(w.snapshot->Count(w.account));
}

// Heap bytes in use (small chunks and mmapped blocks), glibc's count.
double HeapBytes() {
  struct mallinfo2 m = mallinfo2();
  return static_cast<double>(m.uordblks) + static_cast<double>(m.hblkhd);
}

double RawBytes(const engine::Record& r) {
  double bytes = 0;
  for (const engine::Slot& s : r.layout().slots()) {
    if (r.IsNull(s)) continue;
    switch (s.kind) {
      case engine::StorageKind::kBool: bytes += 1; break;
      case engine::StorageKind::kNumber: bytes += 8; break;
      case engine::StorageKind::kString: bytes += static_cast<double>(r.GetString(s).size()); break;
      case engine::StorageKind::kPicklist: bytes += static_cast<double>(r.GetPicklistText(s).size()); break;
      case engine::StorageKind::kId: bytes += 15; break;
      case engine::StorageKind::kDate: bytes += 4; break;
      case engine::StorageKind::kDateTime: bytes += 8; break;
      case engine::StorageKind::kTime: bytes += 4; break;
      case engine::StorageKind::kNone: break;
    }
  }
  return bytes;
}

void BM_CacheMemory(benchmark::State& state) {
  const auto count = static_cast<size_t>(state.range(0));
  Figures& f = Recorded();
  for (auto _ : state) {
    const double start = HeapBytes();
    std::unique_ptr<AccountFixture> fx = BuildAccountFixture(count);
    // The fixture's own vectors (a RecordPtr and a pointer per record) are not the cache's.
    const double fixture_vectors = static_cast<double>(
        fx->owned.capacity() * sizeof(RecordPtr) + fx->records.capacity() * sizeof(void*));
    const double after_records = HeapBytes();
    RecordCache cache(fx->schema, {fx->layout});
    engine::Status s = cache.Replace(fx->schema->IndexOf("Account"), fx->owned);
    if (!s.ok()) return state.SkipWithError(s.message().c_str());
    const double after_cache = HeapBytes();
    double raw = 0;
    for (const RecordPtr& r : fx->owned) raw += RawBytes(*r);
    const double n = static_cast<double>(count);
    f.record_bytes = (after_records - start - fixture_vectors) / n;
    f.index_bytes = (after_cache - after_records) / n;
    f.raw_bytes = raw / n;
  }
  state.counters["record_bytes"] = f.record_bytes;
  state.counters["index_bytes"] = f.index_bytes;
  state.counters["raw_field_bytes"] = f.raw_bytes;
  state.counters["bytes_over_raw"] = (f.record_bytes + f.index_bytes) / f.raw_bytes;
}

BENCHMARK(BM_Preview_C1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandLoop_C1)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Preview_C5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_HandLoop_C5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_RecordHandLoop_C5)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_BuildColumns)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CacheMemory)->Arg(kRecords)->Iterations(1)->Unit(benchmark::kMillisecond);

void PrintSummary(const TimingReporter& times) {
  const Figures& f = Recorded();
  std::printf("\nSummary (target: a preview within %.0fx of the hand-written loop)\n", kMaxRatio);
  for (const char* c : {"C1", "C5"}) {
    const double p = times.SecondsPerIteration(std::string("BM_Preview_") + c);
    const double h = times.SecondsPerIteration(std::string("BM_HandLoop_") + c);
    if (p == 0 || h == 0) continue;
    std::printf("  %s over %zu Accounts: preview %.1f ms, hand loop %.1f ms, ratio %.2fx (%s)\n", c,
                kRecords, p * 1e3, h * 1e3, p / h, p / h <= kMaxRatio ? "met" : "MISSED");
  }
  const double p = times.SecondsPerIteration("BM_Preview_C5");
  const double h = times.SecondsPerIteration("BM_RecordHandLoop_C5");
  if (p != 0 && h != 0) {
    std::printf("  C5 against a hand loop over the records (no columns): %.1f ms, ratio %.2fx\n",
                h * 1e3, p / h);
  }
  if (f.raw_bytes > 0) {
    std::printf(
        "  memory per cached Account: %.0f bytes of record + %.0f bytes of cache index = %.0f, "
        "against %.0f raw field bytes (%.1fx)\n",
        f.record_bytes, f.index_bytes, f.record_bytes + f.index_bytes, f.raw_bytes,
        (f.record_bytes + f.index_bytes) / f.raw_bytes);
  }
}

}  // namespace
}  // namespace cf::bench

int main(int argc, char** argv) { return cf::bench::BenchMain(argc, argv, cf::bench::PrintSummary); }
