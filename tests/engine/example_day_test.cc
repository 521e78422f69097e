// examples/events/day.jsonl against examples/rules and examples/org/records.json: every event
// reads (but the one malformed on purpose), and the rules the demo relies on fire for the events
// written for them. Each event is evaluated on the example cache as synced (no write-through),
// so this checks the example data, not the outbox.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "engine/evaluator.h"
#include "engine/host_event.h"
#include "tests/engine/evaluation_test_support.h"

namespace cf::engine {
namespace {

using testing::CacheOnDisk;
using testing::ExampleRuleEnv;

class ExampleDayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_.LoadExampleRecords();
    LoadedRules loaded =
        LoadRulesWithExplainer(std::string(CF_SOURCE_DIR) + "/examples/rules", ExampleRuleEnv());
    ASSERT_TRUE(loaded.result.ok()) << loaded.result.FormatDiagnostics();
    rules_.Set(loaded.result.rule_set, loaded.explainer);

    std::ifstream in(std::string(CF_SOURCE_DIR) + "/examples/events/day.jsonl");
    ASSERT_TRUE(in) << "examples/events/day.jsonl is missing";
    FixedClock clock(1795000000000);  // 2026-11-18: any fixed day will do
    EvaluateOptions options;
    options.clock = &clock;
    std::string line;
    EventBuilder builder(ExampleRuleEnv());
    for (int n = 1; std::getline(in, line); ++n) {
      Event event;
      HostEventError error;
      if (!ReadHostEvent(line, builder, &event, &error)) {
        errors_.push_back(error.ToString());
        continue;
      }
      EvaluationResult r = evaluator_.Evaluate(rules_.Get(), event, cache_.sink().Snapshot(), options);
      ASSERT_TRUE(r.ok()) << r.error;
      std::set<std::string>& fired = fired_[event.id];
      for (const FiredRule& f : r.fired) fired.insert(f.rule->name);
      ++events_;
    }
  }

  bool Fired(const std::string& event_id, const std::string& rule) {
    return fired_[event_id].count(rule) > 0;
  }

  CacheOnDisk cache_;
  RuleSetHolder rules_;
  Evaluator evaluator_;
  int events_ = 0;
  std::vector<std::string> errors_;
  std::map<std::string, std::set<std::string>> fired_;  // event id -> rule names
};

TEST_F(ExampleDayTest, EveryEventReadsButTheMalformedOne) {
  EXPECT_EQ(events_, 26);
  ASSERT_EQ(errors_.size(), 1u);
  EXPECT_NE(errors_[0].find("started_at"), std::string::npos) << errors_[0];
}

TEST_F(ExampleDayTest, TheExampleRulesFireForTheEventsWrittenForThem) {
  // A Platinum banking contact's support chat.
  EXPECT_TRUE(Fired("evt-001-created", "Account insights"));
  EXPECT_TRUE(Fired("evt-001-created", "Platinum customers first"));
  EXPECT_TRUE(Fired("evt-001-created", "Greet known contacts"));
  EXPECT_FALSE(Fired("evt-001-created", "Open a case for a support conversation"));  // has one
  EXPECT_TRUE(Fired("evt-001-message", "Escalate a case at churn risk"));
  EXPECT_TRUE(Fired("evt-001-closed", "Close the case when the conversation is resolved"));
  EXPECT_TRUE(Fired("evt-001-closed", "Log every conversation"));
  // New visitors.
  EXPECT_TRUE(Fired("evt-002-created", "Lead qualification"));
  EXPECT_FALSE(Fired("evt-002-created", "Greet known contacts"));
  EXPECT_TRUE(Fired("evt-012-message", "Lead capture from web chat"));
  EXPECT_FALSE(Fired("evt-011-created", "Lead capture from web chat"));
  // Known contacts: by email in another case, and by a phone number written differently.
  EXPECT_TRUE(Fired("evt-004-created", "Greet known contacts"));
  EXPECT_TRUE(Fired("evt-call-005", "Proposal requested on a call"));
  EXPECT_TRUE(Fired("evt-call-005", "Log every call"));
  EXPECT_FALSE(Fired("evt-call-005", "Lead capture from phone calls"));
  EXPECT_TRUE(Fired("evt-call-006", "Lead capture from phone calls"));
  // An existing Lead writes in: no second Lead.
  EXPECT_FALSE(Fired("evt-008-created", "Lead qualification"));
  // Deals.
  EXPECT_TRUE(Fired("evt-deal-009", "Opportunity tracking"));
  EXPECT_TRUE(Fired("evt-deal-014", "Deal lost"));
}

}  // namespace
}  // namespace cf::engine
