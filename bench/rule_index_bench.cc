// The rule index: 10,000 rules against one event, evaluated through the index and by linear
// scan (the baseline) in the same binary (docs/evaluation.md, "Rule index").
//
//   BM_RuleIndex_Indexed      Evaluator::Evaluate with the rule index (the default)
//   BM_RuleIndex_LinearScan   the same call with EvaluateOptions::use_index = false: every rule
//                             of the trigger is evaluated, as before the index
//       One iteration is one whole event: bind the event to the cached Account (by the Id the
//       event carries), select and evaluate the rules, produce the fired rules' actions, free
//       the result. Each iteration is timed on its own (steady_clock), and the per-event
//       percentiles are reported as counters p50_us and p99_us besides the mean time;
//       allocs_per_event counts heap allocations per event; fired is the rules fired per
//       event. Before timing, both must fire the same rules in the same order, else the
//       benchmark fails with an error.
//
// The rule set (generated from a fixed seed; priorities 0..9, no `stop`), all on
// conversation.created; `N`, `n` vary per rule:
//   4,000  Account.Industry = <one of 32> AND Account.Type = <one of 10> AND Account.AnnualRevenue > N
//   3,000  conversation.team = "team<0..999>" AND conversation.channel = <one of 4>
//   1,000  Account.Id = <one of 1,000 cached accounts> AND conversation.message_count >= n
//   1,000  Account.BillingCountry = <one of 50> AND Account.NumberOfEmployees >= n
//     500  Account.AnnualRevenue >= N (log-uniform $1M..$10B) AND Account.NumberOfEmployees > n
//     200  conversation.channel = <one of 4> AND conversation.message_count > n
//     200  Account.NumberOfEmployees = n
//     100  not indexable: CONTAINS, an OR across fields, LOWER(...) =
// The event: a Banking "Customer" Account with $2.5M revenue in the US with 250 employees,
// team "team7", channel "phone", 4 messages. After the run a summary prints both p50s, their
// ratio and the targets (p50 <= 10 us with the index, >= 10x faster than the scan).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <initializer_list>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "bench/bench_support.h"
#include "engine/evaluator.h"
#include "engine/record_cache.h"
#include "engine/rule_set.h"

namespace cf::bench {
namespace {

using namespace cf::engine;  // NOLINT: the bench reads like engine code

constexpr int kRules = 10000;
constexpr int kAccounts = 1000;
constexpr double kTargetP50Micros = 10.0;
constexpr double kTargetRatio = 10.0;
constexpr size_t kMaxSamples = size_t{1} << 21;
// 2026-11-30T12:00:00Z
constexpr Millis kNow = 1796040000000;

struct Fixture {
  std::string error;
  std::shared_ptr<const Environment> env;
  std::unique_ptr<RecordCache> cache;
  RecordSnapshotPtr snapshot;
  RuleSetHolder holder;
  Event event;
  std::unique_ptr<FixedClock> clock;
  size_t candidates = 0;  // the index's candidates for the event
  size_t always = 0;      // of which rules without an indexable test
};

// Concatenation by appending (GCC 12 -O3 warns falsely on "literal" + std::string).
std::string Cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::string Quoted(std::string_view s) { return Cat({"\"", s, "\""}); }

std::string AccountId(int i) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "001B%011d", i);
  return buf;
}

// The generated rule files (1,000 rules each) and the values the event's Account has.
std::vector<RuleSource> GenerateRules(const Object& account) {
  std::mt19937 rng(20261130);
  auto pick = [&rng](size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); };
  auto number = [&pick](size_t n) { return std::to_string(pick(n)); };
  auto log_uniform = [&rng](double lo, double hi) {
    const double v = std::exp(std::uniform_real_distribution<double>(std::log(lo), std::log(hi))(rng));
    return std::to_string(static_cast<long long>(v));
  };
  std::vector<std::string> industries, types;
  for (const auto& v : account.FindField("Industry")->picklist_values) industries.push_back(Quoted(v.value));
  for (const auto& v : account.FindField("Type")->picklist_values) types.push_back(Quoted(v.value));
  std::vector<std::string> countries;
  for (const char* c : {"US", "United States", "USA", "Canada", "United Kingdom", "Germany", "France", "Japan",
                        "Australia", "Brazil", "India", "Mexico", "Netherlands"}) {
    countries.push_back(Quoted(c));
  }
  while (countries.size() < 50) countries.push_back(Quoted(Cat({"Country ", std::to_string(countries.size())})));
  const std::vector<std::string> channels = {"\"phone\"", "\"web_chat\"", "\"email\"", "\"sms\""};
  auto one_of = [&pick](const std::vector<std::string>& v) -> const std::string& { return v[pick(v.size())]; };

  std::vector<RuleSource> files;
  std::string text;
  for (int i = 0; i < kRules; ++i) {
    std::string when;
    if (i < 4000) {
      when = Cat({"Account.Industry = ", one_of(industries), " AND Account.Type = ", one_of(types),
                  " AND Account.AnnualRevenue > $", log_uniform(1e4, 1e8)});
    } else if (i < 7000) {
      when = Cat({"conversation.team = \"team", number(1000), "\" AND conversation.channel = ", one_of(channels)});
    } else if (i < 8000) {
      when = Cat({"Account.Id = ", Quoted(AccountId(i - 7000)), " AND conversation.message_count >= ", number(10)});
    } else if (i < 9000) {
      when = Cat({"Account.BillingCountry = ", one_of(countries), " AND Account.NumberOfEmployees >= ",
                  number(1000)});
    } else if (i < 9500) {
      when = Cat({"Account.AnnualRevenue >= ", log_uniform(1e6, 1e10), " AND Account.NumberOfEmployees > ",
                  std::to_string(100 + pick(10000))});
    } else if (i < 9700) {
      when = Cat({"conversation.channel = ", one_of(channels), " AND conversation.message_count > ",
                  std::to_string(5 + pick(45))});
    } else if (i < 9900) {
      when = Cat({"Account.NumberOfEmployees = ", number(100000)});
    } else {
      switch (i % 3) {
        case 0: when = Cat({"Account.Name CONTAINS \"w", number(1000), "\""}); break;
        case 1:
          when = Cat({"conversation.team = \"team", number(1000), "\" OR Account.Industry = ", one_of(industries)});
          break;
        default: when = Cat({"LOWER(Account.Name) = \"account ", number(kAccounts), "\""}); break;
      }
    }
    const std::string name = Quoted(Cat({"r", std::to_string(i)}));
    text.append(Cat({"rule ", name, " on conversation.created when ", when, " priority ", number(10),
                     " then add tag ", name, " end\n"}));
    if ((i + 1) % 1000 == 0) {
      files.push_back(RuleSource{Cat({"rules", std::to_string(files.size()), ".rule"}), std::move(text)});
      text.clear();
    }
  }
  return files;
}

Fixture* BuildFixture() {
  auto* f = new Fixture;
  f->env = MakeRuleEnvironment(MakeAccountSchema());
  const Schema& schema = f->env->schema();
  const int account = schema.IndexOf("Account");
  const std::shared_ptr<const RecordLayout>& layout = f->env->layout(account);
  std::vector<std::shared_ptr<const RecordLayout>> layouts;
  for (int i = 0; i < schema.size(); ++i) layouts.push_back(f->env->layout(i));
  f->cache = std::make_unique<RecordCache>(f->env->schema_ptr(), layouts);

  // 1,000 Accounts; the event's is number 7.
  std::mt19937 rng(7);
  const Object& object = schema.object(account);
  std::vector<RecordPtr> records;
  RecordBuilder b(layout);
  auto set = [&](const char* field, const std::string& text) {
    if (!b.SetFromText(*layout->SlotForField(field), text)) f->error = Cat({"cannot set ", field});
  };
  for (int i = 0; i < kAccounts; ++i) {
    set("Id", AccountId(i));
    set("Name", Cat({"Account ", std::to_string(i)}));
    set("Industry", object.FindField("Industry")->picklist_values[rng() % 32].value);
    set("Type", object.FindField("Type")->picklist_values[rng() % 10].value);
    set("AnnualRevenue", std::to_string(rng() % 100000000));
    set("NumberOfEmployees", std::to_string(rng() % 10000));
    set("BillingCountry", "US");
    if (i == 7) {
      set("Name", "Kestrel Banking Group");
      set("Industry", "Banking");
      set("Type", "Customer");
      set("AnnualRevenue", "2500000");
      set("NumberOfEmployees", "250");
    }
    records.push_back(b.Finish());
  }
  Status s = f->cache->Apply(account, {}, records);
  if (!s.ok()) f->error = Cat({"cache: ", s.message()});
  f->snapshot = f->cache->Snapshot();

  RuleSetResult compiled = CompileRuleSet(GenerateRules(object), f->env);
  if (!compiled.ok()) {
    f->error = Cat({"rules: ", compiled.FormatDiagnostics().substr(0, 2000)});
    return f;
  }
  f->holder.Set(compiled.rule_set);

  EventBuilder events(f->env);
  events.Reset(Trigger::kConversationCreated);
  std::string error;
  bool ok = events.Set(RuleRoot::kConversation, "team", "team7", &error) &&
            events.Set(RuleRoot::kConversation, "channel", "phone", &error) &&
            events.Set(RuleRoot::kConversation, "message_count", "4", &error) &&
            events.SetRecordId(RuleRoot::kAccount, AccountId(7), &error);
  if (!ok) f->error = Cat({"event: ", error});
  f->event = events.Finish();
  f->clock = std::make_unique<FixedClock>(kNow);

  // The index's candidates for this event, for the label.
  const RuleSet& set_ref = *compiled.rule_set;
  std::vector<const Record*> roots(f->env->roots().size(), nullptr);
  roots[set_ref.root_index(RuleRoot::kAccount)] = records[7].get();
  roots[set_ref.root_index(RuleRoot::kConversation)] = f->event.object(RuleRoot::kConversation);
  std::vector<uint64_t> bits;
  const RuleIndex& index = set_ref.IndexFor(Trigger::kConversationCreated);
  index.Candidates(roots.data(), roots.size(), &bits);
  for (uint64_t w : bits) f->candidates += static_cast<size_t>(std::popcount(w));
  f->always = index.always_count();
  return f;
}

const Fixture& GetFixture() {
  static const Fixture* fixture = BuildFixture();
  return *fixture;
}

std::vector<std::string> FiredNames(const EvaluationResult& r) {
  std::vector<std::string> names;
  for (const FiredRule& fired : r.fired) names.push_back(fired.rule->name);
  return names;
}

double Percentile(std::vector<double>* samples, double p) {
  if (samples->empty()) return 0;
  const size_t k = std::min(samples->size() - 1, static_cast<size_t>(p * static_cast<double>(samples->size())));
  std::nth_element(samples->begin(), samples->begin() + static_cast<std::ptrdiff_t>(k), samples->end());
  return (*samples)[k];
}

void RunEvent(benchmark::State& state, bool use_index) {
  const Fixture& f = GetFixture();
  if (!f.error.empty()) {
    state.SkipWithError(f.error.c_str());
    return;
  }
  Evaluator evaluator;
  const RuleSetHolder::Current current = f.holder.Get();
  EvaluateOptions options;
  options.clock = f.clock.get();
  options.use_index = use_index;
  EvaluateOptions scan = options;
  scan.use_index = false;
  EvaluateOptions indexed = options;
  indexed.use_index = true;
  const std::vector<std::string> expected = FiredNames(evaluator.Evaluate(current, f.event, f.snapshot, scan));
  if (FiredNames(evaluator.Evaluate(current, f.event, f.snapshot, indexed)) != expected) {
    state.SkipWithError("the indexed evaluation fired other rules than the linear scan");
    return;
  }
  if (expected.empty()) {
    state.SkipWithError("the event fires no rule: the generated set is not what the bench describes");
    return;
  }

  std::vector<double> samples;
  samples.reserve(std::min<size_t>(static_cast<size_t>(state.max_iterations), kMaxSamples));
  size_t fired = 0;
  const uint64_t allocations_before = AllocationCount();
  for (auto _ : state) {
    const auto start = std::chrono::steady_clock::now();
    {
      EvaluationResult r = evaluator.Evaluate(current, f.event, f.snapshot, options);
      fired += r.fired.size();
      benchmark::DoNotOptimize(r);
    }
    const auto end = std::chrono::steady_clock::now();
    if (samples.size() < samples.capacity()) {
      samples.push_back(std::chrono::duration<double, std::micro>(end - start).count());
    }
  }
  const double events = static_cast<double>(state.iterations());
  state.counters["allocs_per_event"] = static_cast<double>(AllocationCount() - allocations_before) / events;
  state.counters["fired"] = static_cast<double>(fired) / events;
  state.counters["p50_us"] = Percentile(&samples, 0.50);
  state.counters["p99_us"] = Percentile(&samples, 0.99);
  state.SetItemsProcessed(state.iterations());
  state.SetLabel(use_index ? Cat({std::to_string(kRules), " rules; ", std::to_string(f.candidates),
                                  " candidates (", std::to_string(f.always), " always)"})
                            : Cat({std::to_string(kRules), " rules; every rule evaluated"}));
}

void BM_RuleIndex_Indexed(benchmark::State& state) { RunEvent(state, true); }
void BM_RuleIndex_LinearScan(benchmark::State& state) { RunEvent(state, false); }

BENCHMARK(BM_RuleIndex_Indexed)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_RuleIndex_LinearScan)->Unit(benchmark::kMicrosecond);

// ---------------------------------------------------------------------------------------------
// Console output plus a summary of the two p50s, their ratio and the targets.

class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) {
      if (run.run_type == Run::RT_Aggregate) continue;  // keep plain runs (the last one)
      Result& r = results_[run.run_name.function_name];
      r.error = run.error_occurred ? run.error_message : "";
      r.p50 = Counter(run, "p50_us");
      r.p99 = Counter(run, "p99_us");
      r.allocs = Counter(run, "allocs_per_event");
      r.fired = Counter(run, "fired");
    }
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    auto i = results_.find("BM_RuleIndex_Indexed");
    auto s = results_.find("BM_RuleIndex_LinearScan");
    if (i == results_.end() || s == results_.end()) return;  // filtered out
    if (!i->second.error.empty() || !s->second.error.empty()) {
      Print("\nSummary: error: %s\n", (!i->second.error.empty() ? i->second.error : s->second.error).c_str());
      return;
    }
    const double ratio = s->second.p50 / i->second.p50;
    Print("\nSummary: %d rules, one event, one thread (per-event p50 of every timed iteration)\n", kRules);
    Print("  indexed      p50 %8.2f us  p99 %8.2f us  allocs/event %.1f  fired %.0f\n", i->second.p50,
          i->second.p99, i->second.allocs, i->second.fired);
    Print("  linear scan  p50 %8.2f us  p99 %8.2f us  allocs/event %.1f  fired %.0f\n", s->second.p50,
          s->second.p99, s->second.allocs, s->second.fired);
    const bool met = i->second.p50 <= kTargetP50Micros && ratio >= kTargetRatio;
    Print("  ratio (scan p50 / indexed p50) %.1fx; target p50 <= %.0f us and ratio >= %.0fx: %s\n", ratio,
          kTargetP50Micros, kTargetRatio, met ? "met" : "MISSED");
  }

 private:
  struct Result {
    std::string error;
    double p50 = 0, p99 = 0, allocs = 0, fired = 0;
  };

  static double Counter(const Run& run, const char* name) {
    auto it = run.counters.find(name);
    return it == run.counters.end() ? 0.0 : it->second.value;
  }

  __attribute__((format(printf, 2, 3))) void Print(const char* format, ...) const {
    char buf[512];
    va_list args;
    va_start(args, format);
    std::vsnprintf(buf, sizeof buf, format, args);
    va_end(args);
    GetOutputStream() << buf << std::flush;
  }

  std::map<std::string, Result> results_;
};

}  // namespace
}  // namespace cf::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  const bool color = isatty(STDOUT_FILENO) != 0;
  cf::bench::SummaryReporter reporter(color ? benchmark::ConsoleReporter::OO_ColorTabular
                                            : benchmark::ConsoleReporter::OO_Tabular);
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
