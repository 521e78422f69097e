// The default selective sync: the plans for what the loaded rules read, plus binding's keys.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/sync.h"
#include "engine/rule_set.h"

namespace cf::sf {
namespace {

const SyncPlan* PlanFor(const std::vector<SyncPlan>& plans, std::string_view object) {
  for (const SyncPlan& p : plans) {
    if (p.object == object) return &p;
  }
  return nullptr;
}

bool Has(const SyncPlan& plan, std::string_view field) {
  for (const std::string& f : plan.fields) {
    if (f == field) return true;
  }
  return false;
}

TEST(SyncPlanRulesTest, TheExampleRulesGiveThePlans) {
  std::string error;
  std::shared_ptr<const engine::Schema> schema =
      LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
  ASSERT_NE(schema, nullptr) << error;
  engine::RuleSetResult rules = engine::LoadRuleSet(std::string(CF_SOURCE_DIR) + "/examples/rules",
                                                    engine::MakeRuleEnvironment(schema));
  ASSERT_TRUE(rules.ok()) << rules.FormatDiagnostics();

  std::vector<FieldRef> refs = RuleSetFieldRefs(*rules.rule_set);
  for (const FieldRef& r : refs) {
    EXPECT_NE(r.object, "conversation");
    EXPECT_NE(r.object, "deal");
    EXPECT_NE(r.object, "call");
  }
  std::vector<SyncPlan> plans;
  ASSERT_TRUE(BuildSyncPlans(*schema, refs, &plans, &error)) << error;
  for (const char* bound : {"Contact", "Lead", "Account", "Opportunity", "Case"}) {
    const SyncPlan* plan = PlanFor(plans, bound);
    ASSERT_NE(plan, nullptr) << bound;
    EXPECT_TRUE(Has(*plan, "Id"));
    EXPECT_TRUE(Has(*plan, "SystemModstamp"));
  }
  // Account insights reads AnnualRevenue; binding needs Contact.Email and Opportunity.StageName.
  EXPECT_TRUE(Has(*PlanFor(plans, "Account"), "AnnualRevenue"));
  EXPECT_TRUE(Has(*PlanFor(plans, "Contact"), "Email"));
  EXPECT_TRUE(Has(*PlanFor(plans, "Opportunity"), "StageName"));
  // What binding reads: converted leads skipped, ties broken by LastModifiedDate.
  EXPECT_TRUE(Has(*PlanFor(plans, "Lead"), "IsConverted"));
  EXPECT_TRUE(Has(*PlanFor(plans, "Contact"), "LastModifiedDate"));
  // Only what is needed: an Account field no rule reads is not synced.
  EXPECT_FALSE(Has(*PlanFor(plans, "Account"), "Description"));
}

}  // namespace
}  // namespace cf::sf
