// Events per second through binding and evaluation with 100 rules, beside a hand-written C++
// baseline in the same binary (docs/benchmarks.md).
//
//   Org: examples/org's schema; a RecordCache (in memory) of 5,000 Accounts, 20,000 Contacts
//   (four per Account, unique emails), 10,000 Opportunities (one open, one closed per Account)
//   and 5,000 Cases (every other one open).
//   Rules: 100 generated rules on conversation.created, half
//     `Account.Industry = "<industry>" AND Account.AnnualRevenue > <n>`, half
//     `Account.Type = "<type>" AND Account.NumberOfEmployees >= <n>`, each `add tag "r<i>"`,
//   with ten priority levels.
//   Events: 4,096 conversation.created events, 80% from a known customer's email, 20% from an
//   unknown one (nothing bound).
//
//   BM_Evaluate_100Rules   engine::Evaluator::Evaluate: bind (Contact by email, Account, open
//                          Opportunity, open Case, Lead when no Contact) and evaluate the rule
//                          set, producing the fired rules and their actions.
//   BM_Baseline_100Rules   hand-written: the same lookups through the same snapshot (email
//                          index, Id, the Account's children scanned for the open ones) and
//                          the 100 rules as a table of (field code, threshold) tests, collecting
//                          the fired rules' tags.
// Reported: items_per_second (events/s) and allocs_per_event. Before timing, the engine and
// the baseline must fire the same number of rules on every event, else the benchmark fails.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bench/bench_support.h"
#include "connectors/salesforce/describe_json.h"
#include "engine/evaluator.h"
#include "engine/record_cache.h"
#include "engine/rule_set.h"

namespace cf::bench {
namespace {

using engine::Decimal;
using engine::Record;
using engine::RecordBuilder;
using engine::RecordPtr;
using engine::RecordSpan;
using engine::SfId;
using engine::Slot;

constexpr int kAccounts = 5000;
constexpr int kRules = 100;
constexpr int kEvents = 4096;

SfId MakeId(const char* prefix, int n) {
  char text[16];
  std::snprintf(text, sizeof text, "%s%012d", prefix, n);
  return *SfId::Parse(text);
}

// prefix + n + suffix, built with append (GCC 12 -O3 warns falsely on `"lit" + std::string`).
std::string Text(const char* prefix, int n, const char* suffix = "") {
  std::string s(prefix);
  s.append(std::to_string(n)).append(suffix);
  return s;
}

// The hand-written form of one generated rule.
struct HandRule {
  bool industry_rule = false;  // else a Type + NumberOfEmployees rule
  uint32_t code = 0;           // picklist code of the Industry or Type value
  Decimal threshold;
  int tag = 0;
};

struct World {
  std::string error;
  std::shared_ptr<const engine::Environment> env;
  std::unique_ptr<engine::RecordCache> cache;
  engine::RecordSnapshotPtr snapshot;
  engine::RuleSetHolder rules;
  std::vector<engine::Event> events;
  std::vector<std::string> emails;  // the customer email of each event
  std::vector<HandRule> hand_rules;
  int account = -1, contact = -1, opportunity = -1, kase = -1;
};

const Slot& SlotOf(const engine::Environment& env, int object, const char* field) {
  const Slot* s = env.layout(object)->SlotForField(field);
  if (s == nullptr) {
    std::fprintf(stderr, "event_bench: the layout lacks %s\n", field);
    std::abort();
  }
  return *s;
}

std::string BuildWorld(World* w) {
  std::string error;
  auto schema = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
  if (schema == nullptr) return "examples/org: " + error;
  w->env = engine::MakeRuleEnvironment(schema);
  const engine::Environment& env = *w->env;
  w->account = schema->IndexOf("Account");
  w->contact = schema->IndexOf("Contact");
  w->opportunity = schema->IndexOf("Opportunity");
  w->kase = schema->IndexOf("Case");
  std::vector<std::shared_ptr<const engine::RecordLayout>> layouts;
  for (int i = 0; i < schema->size(); ++i) layouts.push_back(env.layout(i));
  w->cache = std::make_unique<engine::RecordCache>(schema, layouts);

  const engine::Field& industry = *schema->object(w->account).FindField("Industry");
  const engine::Field& type = *schema->object(w->account).FindField("Type");
  const size_t industries = industry.picklist_values.size();
  const size_t types = type.picklist_values.size();
  if (industries < 4 || types < 4) return "the example org's Industry/Type have too few values";

  // Records.
  std::vector<RecordPtr> accounts, contacts, opportunities, cases;
  {
    RecordBuilder b(env.layout(w->account));
    for (int i = 0; i < kAccounts; ++i) {
      b.SetId(SlotOf(env, w->account, "Id"), MakeId("001", i));
      b.SetString(SlotOf(env, w->account, "Name"), Text("Account ", i));
      b.SetPicklist(SlotOf(env, w->account, "Industry"),
                    industry.picklist_values[static_cast<size_t>(i) % industries].value);
      b.SetPicklist(SlotOf(env, w->account, "Type"),
                    type.picklist_values[static_cast<size_t>(i / 3) % types].value);
      b.SetNumber(SlotOf(env, w->account, "AnnualRevenue"), Decimal::FromInt((i % 100) * 20000));
      b.SetNumber(SlotOf(env, w->account, "NumberOfEmployees"), Decimal::FromInt((i % 50) * 40));
      accounts.push_back(b.Finish());
    }
  }
  {
    RecordBuilder b(env.layout(w->contact));
    for (int i = 0; i < kAccounts * 4; ++i) {
      b.SetId(SlotOf(env, w->contact, "Id"), MakeId("003", i));
      b.SetId(SlotOf(env, w->contact, "AccountId"), MakeId("001", i / 4));
      b.SetString(SlotOf(env, w->contact, "LastName"), Text("Person ", i));
      b.SetString(SlotOf(env, w->contact, "Email"), Text("c", i, "@bench.example"));
      b.SetDateTime(SlotOf(env, w->contact, "LastModifiedDate"), 1700000000000 + i);
      contacts.push_back(b.Finish());
    }
  }
  {
    RecordBuilder b(env.layout(w->opportunity));
    for (int i = 0; i < kAccounts * 2; ++i) {
      b.SetId(SlotOf(env, w->opportunity, "Id"), MakeId("006", i));
      b.SetId(SlotOf(env, w->opportunity, "AccountId"), MakeId("001", i / 2));
      b.SetString(SlotOf(env, w->opportunity, "Name"), Text("Deal ", i));
      b.SetPicklist(SlotOf(env, w->opportunity, "StageName"), i % 2 == 0 ? "Prospecting" : "Closed Won");
      b.SetBool(SlotOf(env, w->opportunity, "IsClosed"), i % 2 != 0);
      b.SetDateTime(SlotOf(env, w->opportunity, "LastModifiedDate"), 1700000000000 + i);
      opportunities.push_back(b.Finish());
    }
  }
  {
    RecordBuilder b(env.layout(w->kase));
    for (int i = 0; i < kAccounts; ++i) {
      b.SetId(SlotOf(env, w->kase, "Id"), MakeId("500", i));
      b.SetId(SlotOf(env, w->kase, "AccountId"), MakeId("001", i));
      b.SetBool(SlotOf(env, w->kase, "IsClosed"), i % 2 != 0);
      b.SetDateTime(SlotOf(env, w->kase, "LastModifiedDate"), 1700000000000 + i);
      cases.push_back(b.Finish());
    }
  }
  for (auto [object, records] : {std::pair{w->account, &accounts}, std::pair{w->contact, &contacts},
                                 std::pair{w->opportunity, &opportunities},
                                 std::pair{w->kase, &cases}}) {
    engine::Status s = w->cache->Replace(object, *records);
    if (!s.ok()) return s.message();
  }
  w->snapshot = w->cache->Snapshot();

  // Rules, and their hand-written twins.
  std::string text;
  for (int i = 0; i < kRules; ++i) {
    HandRule h;
    h.tag = i;
    h.industry_rule = i % 2 == 0;
    const size_t value = static_cast<size_t>(i / 2);
    char rule[512];
    if (h.industry_rule) {
      h.code = static_cast<uint32_t>(value % industries);
      h.threshold = Decimal::FromInt((i % 7) * 250000);
      std::snprintf(rule, sizeof rule,
                    "rule \"r%d\"\n  on conversation.created\n"
                    "  when Account.Industry = \"%s\" AND Account.AnnualRevenue > %d\n"
                    "  priority %d\nthen\n  add tag \"r%d\"\nend\n\n",
                    i, industry.picklist_values[h.code].value.c_str(), (i % 7) * 250000,
                    10 * (i % 10), i);
    } else {
      h.code = static_cast<uint32_t>(value % types);
      h.threshold = Decimal::FromInt((i % 5) * 400);
      std::snprintf(rule, sizeof rule,
                    "rule \"r%d\"\n  on conversation.created\n"
                    "  when Account.Type = \"%s\" AND Account.NumberOfEmployees >= %d\n"
                    "  priority %d\nthen\n  add tag \"r%d\"\nend\n\n",
                    i, type.picklist_values[h.code].value.c_str(), (i % 5) * 400, 10 * (i % 10),
                    i);
    }
    text += rule;
    w->hand_rules.push_back(h);
  }
  engine::RuleSetResult compiled = engine::CompileRuleSet({{"bench.rule", text}}, w->env);
  if (!compiled.ok()) return "the generated rules do not compile:\n" + compiled.FormatDiagnostics();
  w->rules.Set(compiled.rule_set);

  // Events.
  engine::EventBuilder builder(w->env);
  std::mt19937 rng(20261130);
  for (int i = 0; i < kEvents; ++i) {
    builder.Reset(engine::Trigger::kConversationCreated);
    std::string email;
    if (rng() % 5 != 0) {
      email.append("c").append(std::to_string(rng() % (kAccounts * 4))).append("@bench.example");
    } else {
      email.append("stranger").append(std::to_string(i)).append("@elsewhere.example");
    }
    if (!builder.Set(engine::RuleRoot::kConversation, "customer.email", email, &error)) {
      return "customer.email: " + error;
    }
    w->events.push_back(builder.Finish());
    w->emails.push_back(std::move(email));
  }
  return "";
}

const World& GetWorld() {
  static World* world = [] {
    auto* w = new World;
    w->error = BuildWorld(w);
    return w;
  }();
  return *world;
}

// The baseline: what a hand-written integration would do for the same rules.
class HandEngine {
 public:
  explicit HandEngine(const World& w)
      : w_(w),
        contact_account_(SlotOf(*w.env, w.contact, "AccountId")),
        opp_closed_(SlotOf(*w.env, w.opportunity, "IsClosed")),
        opp_modified_(SlotOf(*w.env, w.opportunity, "LastModifiedDate")),
        case_closed_(SlotOf(*w.env, w.kase, "IsClosed")),
        case_modified_(SlotOf(*w.env, w.kase, "LastModifiedDate")),
        industry_(SlotOf(*w.env, w.account, "Industry")),
        type_(SlotOf(*w.env, w.account, "Type")),
        revenue_(SlotOf(*w.env, w.account, "AnnualRevenue")),
        employees_(SlotOf(*w.env, w.account, "NumberOfEmployees")) {
    const engine::Object& opp = w.env->schema().object(w.opportunity);
    const engine::Object& kase = w.env->schema().object(w.kase);
    opp_account_field_ = opp.FieldIndex("AccountId");
    case_account_field_ = kase.FieldIndex("AccountId");
    tags_.reserve(kRules);
  }

  // Returns the number of rules fired for the event's customer.
  size_t Run(const std::string& email) {
    tags_.clear();
    const engine::RecordSnapshot& snap = *w_.snapshot;
    RecordSpan contacts = snap.FindByEmail(w_.contact, email);
    const Record* contact = nullptr;
    for (size_t i = 0; i < contacts.size && contact == nullptr; ++i) {
      if (!contacts.data[i]->IsNull(contact_account_)) contact = contacts.data[i];
    }
    if (contact == nullptr && contacts.size > 0) contact = contacts.data[0];
    const Record* account =
        contact == nullptr || contact->IsNull(contact_account_)
            ? nullptr
            : snap.Find(w_.account, contact->GetId(contact_account_));
    if (account != nullptr) {
      const SfId& id = *account->id();
      open_opportunity_ = Latest(snap.Children(w_.opportunity, opp_account_field_, id),
                                 opp_closed_, opp_modified_);
      open_case_ =
          Latest(snap.Children(w_.kase, case_account_field_, id), case_closed_, case_modified_);
    }
    if (account == nullptr) return 0;
    for (const HandRule& r : w_.hand_rules) {
      if (r.industry_rule) {
        if (account->IsNull(industry_) || account->IsNull(revenue_)) continue;
        if (account->GetPicklistCode(industry_) == r.code &&
            account->GetNumber(revenue_) > r.threshold) {
          tags_.push_back(r.tag);
        }
      } else {
        if (account->IsNull(type_) || account->IsNull(employees_)) continue;
        if (account->GetPicklistCode(type_) == r.code &&
            !(account->GetNumber(employees_) < r.threshold)) {
          tags_.push_back(r.tag);
        }
      }
    }
    return tags_.size();
  }

  const Record* open_opportunity() const { return open_opportunity_; }

 private:
  static const Record* Latest(RecordSpan span, const Slot& closed, const Slot& modified) {
    const Record* best = nullptr;
    for (size_t i = 0; i < span.size; ++i) {
      const Record* r = span.data[i];
      if (!r->IsNull(closed) && r->GetBool(closed)) continue;
      if (best == nullptr || r->GetDateTime(modified) > best->GetDateTime(modified)) best = r;
    }
    return best;
  }

  const World& w_;
  Slot contact_account_, opp_closed_, opp_modified_, case_closed_, case_modified_;
  Slot industry_, type_, revenue_, employees_;
  int opp_account_field_ = -1, case_account_field_ = -1;
  const Record* open_opportunity_ = nullptr;
  const Record* open_case_ = nullptr;
  std::vector<int> tags_;
};

// Fired rules per event, from the engine; checked against the baseline before timing.
std::string Crosscheck(const World& w, uint64_t* fired_total) {
  engine::Evaluator evaluator;
  HandEngine hand(w);
  for (size_t i = 0; i < w.events.size(); ++i) {
    engine::EvaluationResult r = evaluator.Evaluate(w.rules.Get(), w.events[i], w.snapshot);
    if (!r.ok()) return r.error;
    const size_t expected = hand.Run(w.emails[i]);
    if (r.fired.size() != expected) {
      return "event " + std::to_string(i) + " (" + w.emails[i] + "): the engine fired " +
             std::to_string(r.fired.size()) + " rules, the baseline " + std::to_string(expected);
    }
    *fired_total += expected;
  }
  return "";
}

void Finish(benchmark::State& state, uint64_t allocs, uint64_t fired) {
  const double events = static_cast<double>(state.iterations()) * kEvents;
  state.SetItemsProcessed(static_cast<int64_t>(events));
  state.counters["allocs_per_event"] = benchmark::Counter(static_cast<double>(allocs) / events);
  char label[64];
  std::snprintf(label, sizeof label, "%.2f rules fired per event",
                static_cast<double>(fired) / kEvents);
  state.SetLabel(label);
}

void BM_Evaluate_100Rules(benchmark::State& state) {
  const World& w = GetWorld();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  uint64_t fired = 0;
  std::string error = Crosscheck(w, &fired);
  if (!error.empty()) return state.SkipWithError(error.c_str());
  engine::Evaluator evaluator;
  const uint64_t before = AllocationCount();
  for (auto _ : state) {
    for (const engine::Event& e : w.events) {
      engine::EvaluationResult r = evaluator.Evaluate(w.rules.Get(), e, w.snapshot);
      benchmark::DoNotOptimize(r.fired.size());
    }
  }
  Finish(state, AllocationCount() - before, fired);
}

void BM_Baseline_100Rules(benchmark::State& state) {
  const World& w = GetWorld();
  if (!w.error.empty()) return state.SkipWithError(w.error.c_str());
  uint64_t fired = 0;
  std::string error = Crosscheck(w, &fired);
  if (!error.empty()) return state.SkipWithError(error.c_str());
  HandEngine hand(w);
  const uint64_t before = AllocationCount();
  for (auto _ : state) {
    for (const std::string& email : w.emails) {
      benchmark::DoNotOptimize(hand.Run(email));
      benchmark::DoNotOptimize(hand.open_opportunity());
    }
  }
  Finish(state, AllocationCount() - before, fired);
}

BENCHMARK(BM_Evaluate_100Rules)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Baseline_100Rules)->Unit(benchmark::kMillisecond);

void PrintSummary(const TimingReporter& times) {
  const double engine = times.SecondsPerIteration("BM_Evaluate_100Rules");
  const double hand = times.SecondsPerIteration("BM_Baseline_100Rules");
  if (engine == 0 || hand == 0) return;
  std::printf("\nSummary: binding + 100 rules: engine %.0f events/s, hand-written %.0f events/s, "
              "ratio %.2fx\n",
              kEvents / engine, kEvents / hand, engine / hand);
}

}  // namespace
}  // namespace cf::bench

int main(int argc, char** argv) { return cf::bench::BenchMain(argc, argv, cf::bench::PrintSummary); }
