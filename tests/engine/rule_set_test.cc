// CompileRuleSet / LoadRuleSet: the example rules, ordering, whole-set refusal, the compiled
// form of actions, and evaluation of a compiled field value.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "connectors/salesforce/describe_json.h"
#include "engine/record.h"
#include "engine/rule_set.h"

namespace cf::engine {
namespace {

std::shared_ptr<const Schema> ExampleSchema() {
  static const std::shared_ptr<const Schema> schema = [] {
    std::string error;
    auto loaded = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
    EXPECT_NE(loaded, nullptr) << error;
    return loaded;
  }();
  return schema;
}

std::shared_ptr<const Environment> ExampleEnv() {
  static const std::shared_ptr<const Environment> env = MakeRuleEnvironment(ExampleSchema());
  return env;
}

RuleSetResult Compile(const std::string& text) {
  return CompileRuleSet({{"test.rule", text}}, ExampleEnv());
}

std::vector<std::string> Names(const std::vector<const CompiledRule*>& rules) {
  std::vector<std::string> names;
  for (const CompiledRule* r : rules) names.push_back(r->name);
  return names;
}

TEST(RuleSetTest, ExampleRulesCheckClean) {
  RuleSetResult result = LoadRuleSet(std::string(CF_SOURCE_DIR) + "/examples/rules", ExampleEnv());
  ASSERT_TRUE(result.ok()) << result.FormatDiagnostics();
  EXPECT_EQ(result.rule_set->files().size(), 8u);
  EXPECT_GE(result.rule_set->rules().size(), 8u);
  // The three workflows of the product guide.
  EXPECT_NE(result.rule_set->Find("Lead qualification"), nullptr);
  EXPECT_NE(result.rule_set->Find("Account insights"), nullptr);
  EXPECT_NE(result.rule_set->Find("Opportunity tracking"), nullptr);
}

TEST(RuleSetTest, RulesForOrdersByPriorityThenFileOrderAndSkipsDisabled) {
  RuleSetResult result = CompileRuleSet(
      {{"a.rule",
        "rule \"low\" on conversation.created priority -1 then add tag \"a\" end\n"
        "rule \"first default\" on conversation.created then add tag \"b\" end\n"
        "rule \"high\" on conversation.created, call.ended priority 10 stop then add tag \"c\" end\n"},
       {"b.rule",
        "rule \"second default\" on conversation.created then add tag \"d\" end\n"
        "rule \"off\" on conversation.created disabled priority 99 then add tag \"e\" end\n"
        "rule \"calls\" on call.ended then add tag \"f\" end\n"}},
      ExampleEnv());
  ASSERT_TRUE(result.ok()) << result.FormatDiagnostics();
  const RuleSet& set = *result.rule_set;
  EXPECT_EQ(Names(set.RulesFor(Trigger::kConversationCreated)),
            (std::vector<std::string>{"high", "first default", "second default", "low"}));
  EXPECT_EQ(Names(set.RulesFor(Trigger::kCallEnded)), (std::vector<std::string>{"high", "calls"}));
  EXPECT_TRUE(set.RulesFor(Trigger::kDealClosed).empty());
  EXPECT_TRUE(set.Find("high")->stop);
  EXPECT_FALSE(set.Find("off")->enabled);
  EXPECT_EQ(set.Find("off")->priority, 99);
  EXPECT_EQ(set.Find("second default")->file, 1);
  EXPECT_EQ(set.rules().size(), 6u);
}

TEST(RuleSetTest, ReferencedFieldsCoverConditionsAndValuesOfEnabledRules) {
  RuleSetResult result = CompileRuleSet(
      {{"a.rule",
        "rule \"on\" on conversation.created when Account.AnnualRevenue > 1 then\n"
        "  update Account { Description = Account.Name & conversation.subject }\nend\n"
        "rule \"off\" on conversation.created disabled when Account.Industry = \"Banking\" then\n"
        "  add tag \"x\"\nend\n"}},
      ExampleEnv());
  ASSERT_TRUE(result.ok()) << result.FormatDiagnostics();
  const RuleSet& set = *result.rule_set;
  const Schema& schema = set.environment().schema();
  auto field = [&](const char* object, const char* name) {
    int o = schema.IndexOf(object);
    return std::make_pair(o, schema.object(o).FieldIndex(name));
  };
  const auto& fields = set.referenced_fields();
  auto has = [&](std::pair<int, int> f) {
    return std::find(fields.begin(), fields.end(), f) != fields.end();
  };
  EXPECT_TRUE(has(field("Account", "AnnualRevenue")));
  EXPECT_TRUE(has(field("Account", "Name")));
  EXPECT_TRUE(has(field("conversation", "subject")));
  EXPECT_FALSE(has(field("Account", "Industry")));
  EXPECT_TRUE(std::is_sorted(fields.begin(), fields.end()));
}

TEST(RuleSetTest, AnErrorInAnyFileRefusesTheWholeSetAndReportsEveryFile) {
  RuleSetResult result = CompileRuleSet(
      {{"good.rule", "rule \"good\" on conversation.created then add tag \"a\" end\n"},
       {"syntax.rule", "rule \"syntax\" on conversation.created then add tag end\n"},
       {"check.rule", "rule \"check\" on conversation.created when Account.AnnualRevnue > 1 then add tag \"a\" end\n"
                      "rule \"check 2\" on deal.closed then update Opportunity { StageName = \"Won\" } end\n"}},
      ExampleEnv());
  EXPECT_FALSE(result.ok());
  ASSERT_EQ(result.files.size(), 2u);
  EXPECT_EQ(result.files[0].name, "syntax.rule");
  EXPECT_EQ(result.files[1].name, "check.rule");
  EXPECT_EQ(result.error_count(), 3u);
  std::string text = result.FormatDiagnostics();
  EXPECT_NE(text.find("check.rule:1:"), std::string::npos) << text;
  EXPECT_NE(text.find("did you mean 'AnnualRevenue'?"), std::string::npos) << text;
  EXPECT_NE(text.find("check.rule:2:"), std::string::npos) << text;
}

TEST(RuleSetTest, RuleNamesAreUniqueAcrossFiles) {
  RuleSetResult result = CompileRuleSet(
      {{"a.rule", "rule \"same\" on conversation.created then add tag \"a\" end\n"},
       {"b.rule", "\n\nrule \"same\" on call.ended then add tag \"b\" end\n"}},
      ExampleEnv());
  EXPECT_FALSE(result.ok());
  std::string text = result.FormatDiagnostics();
  EXPECT_NE(text.find("b.rule:3:6: error: there is already a rule named \"same\""), std::string::npos) << text;
  EXPECT_NE(text.find("the other one is at a.rule:1:6"), std::string::npos) << text;
}

TEST(RuleSetTest, CompiledActionsResolveFieldsAliasesAndLinks) {
  RuleSetResult result = Compile(R"(
rule "r" on conversation.created when Contact.Id IS NULL then
  create Lead as lead { LastName = "Doe", Company = "Acme", LeadSource = "Web" }
  create Case as support_case { Subject = "Help", Origin = "Web" }
  log task on lead, support_case { Subject = "Call" }
  log task { WhatId = support_case.Id, Subject = "Follow up" }
  update Lead { Status = "Working - Contacted" }
  upsert Lead by ConnectFlo_Conversation_Id__c {
    ConnectFlo_Conversation_Id__c = conversation.id, LastName = "Doe", Company = "Acme" }
  log task { Subject = "Logged" }
  notify "sales" with "New lead " & conversation.customer.email
end
)");
  ASSERT_TRUE(result.ok()) << result.FormatDiagnostics();
  const CompiledRule& rule = result.rule_set->rules()[0];
  const Schema& schema = result.rule_set->environment().schema();
  ASSERT_EQ(rule.actions.size(), 8u);
  ASSERT_NE(rule.condition, nullptr);

  const CompiledAction& create = rule.actions[0];
  EXPECT_EQ(create.kind, ActionKind::kCreate);
  EXPECT_EQ(create.object_index, schema.IndexOf("Lead"));
  EXPECT_EQ(create.alias, "lead");
  ASSERT_EQ(create.assignments.size(), 3u);
  EXPECT_EQ(create.assignments[1].field_name, "Company");
  EXPECT_EQ(create.assignments[1].field_index, schema.object(create.object_index).FieldIndex("Company"));
  EXPECT_EQ(create.assignments[2].value->type(), ValueType::kString);

  const CompiledAction& log = rule.actions[2];
  EXPECT_EQ(log.kind, ActionKind::kLogTask);
  EXPECT_EQ(log.object_index, schema.IndexOf("Task"));
  EXPECT_EQ(log.who.action, 0);
  EXPECT_EQ(log.what.action, 1);

  const CompiledAction& task = rule.actions[3];
  ASSERT_EQ(task.assignments.size(), 2u);
  EXPECT_EQ(task.assignments[0].from_action, 1);
  EXPECT_EQ(task.assignments[0].value, nullptr);
  // WhatId is set by hand: no default WhatId link; WhoId still defaults.
  EXPECT_FALSE(task.what.valid());
  EXPECT_EQ(task.who.root, static_cast<int>(RuleRoot::kContact));

  const CompiledAction& update = rule.actions[4];
  EXPECT_EQ(update.target.root, static_cast<int>(RuleRoot::kLead));

  const CompiledAction& upsert = rule.actions[5];
  EXPECT_EQ(upsert.key_field_index,
            schema.object(upsert.object_index).FieldIndex("ConnectFlo_Conversation_Id__c"));

  const CompiledAction& defaults = rule.actions[6];
  EXPECT_EQ(defaults.who.root, static_cast<int>(RuleRoot::kContact));
  ASSERT_EQ(defaults.who_fallbacks.size(), 1u);
  EXPECT_EQ(defaults.who_fallbacks[0].root, static_cast<int>(RuleRoot::kLead));
  EXPECT_EQ(defaults.what.root, static_cast<int>(RuleRoot::kCase));
  ASSERT_EQ(defaults.what_fallbacks.size(), 2u);
  EXPECT_EQ(defaults.what_fallbacks[0].root, static_cast<int>(RuleRoot::kOpportunity));
  EXPECT_EQ(defaults.what_fallbacks[1].root, static_cast<int>(RuleRoot::kAccount));

  EXPECT_EQ(rule.actions[7].kind, ActionKind::kNotify);
  EXPECT_EQ(rule.actions[7].arguments.size(), 2u);
}

TEST(RuleSetTest, CompiledValuesEvaluateOnBoundRecords) {
  RuleSetResult result = Compile(R"(
rule "r" on conversation.created then
  create Lead {
    LastName = BLANKVALUE(conversation.customer.last_name, "Unknown")
    Company = "Acme"
    Description = "Chat: " & conversation.subject
    NumberOfEmployees = conversation.message_count * 2
  }
end
)");
  ASSERT_TRUE(result.ok()) << result.FormatDiagnostics();
  const RuleSet& set = *result.rule_set;
  const Environment& env = set.environment();
  int root = set.root_index(RuleRoot::kConversation);
  ASSERT_GE(root, 0);
  int object = env.roots()[root].object_index;
  const Object& conversation = env.schema().object(object);
  RecordBuilder builder(env.layout(object));
  builder.SetString(*env.layout(object)->SlotForField(conversation.FieldIndex("subject")), "Refund");
  builder.SetNumber(*env.layout(object)->SlotForField(conversation.FieldIndex("message_count")),
                    Decimal::FromInt(21));
  RecordPtr record = builder.Finish();
  std::vector<const Record*> roots(env.roots().size(), nullptr);
  roots[root] = record.get();
  EvalContext ctx;
  ctx.roots = roots.data();
  ctx.root_count = roots.size();

  const std::vector<CompiledAssignment>& values = set.rules()[0].actions[0].assignments;
  std::string out;
  ASSERT_TRUE(values[0].value->EvaluateText(ctx, &out));
  EXPECT_EQ(out, "Unknown");
  ASSERT_TRUE(values[2].value->EvaluateText(ctx, &out));
  EXPECT_EQ(out, "Chat: Refund");
  ASSERT_TRUE(values[3].value->EvaluateText(ctx, &out));
  EXPECT_EQ(out, "42");
  // Nothing bound: the string building treats null as "", the arithmetic gives null.
  EvalContext empty;
  ASSERT_TRUE(values[2].value->EvaluateText(empty, &out));
  EXPECT_EQ(out, "Chat: ");
  EXPECT_FALSE(values[3].value->EvaluateText(empty, &out));
}

TEST(RuleSetTest, AnOrgWithoutAnObjectHasNoRootForIt) {
  auto schema = std::make_shared<Schema>();
  for (const Object& o : ExampleSchema()->objects()) {
    if (o.name != "Case") schema->Add(o);
  }
  auto env = MakeRuleEnvironment(schema);
  RuleSetResult result = CompileRuleSet(
      {{"t.rule", "rule \"r\" on conversation.closed then update Case { Subject = \"x\" } end\n"}}, env);
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.FormatDiagnostics().find("the org has no Case object"), std::string::npos)
      << result.FormatDiagnostics();
  RuleSetResult clean = CompileRuleSet(
      {{"t.rule", "rule \"r\" on conversation.closed then log task { Subject = \"x\" } end\n"}}, env);
  ASSERT_TRUE(clean.ok()) << clean.FormatDiagnostics();
  EXPECT_EQ(clean.rule_set->root_index(RuleRoot::kCase), -1);
  EXPECT_EQ(clean.rule_set->rules()[0].actions[0].what.root, static_cast<int>(RuleRoot::kOpportunity));
}

TEST(RuleSetTest, DealClosedBindsTheConversationToo) {
  EXPECT_TRUE(Compile("rule \"r\" on deal.closed when conversation.channel = \"phone\" AND "
                      "deal.amount > 0 then add tag \"a\" end\n").ok());
  RuleSetResult both = Compile(
      "rule \"r\" on deal.closed, call.ended when conversation.channel = \"phone\" then add tag \"a\" end\n");
  EXPECT_FALSE(both.ok());
  EXPECT_NE(both.FormatDiagnostics().find("not available in a rule that runs on deal.closed, call.ended"),
            std::string::npos)
      << both.FormatDiagnostics();
}

TEST(RuleSetTest, MissingFolderIsAnError) {
  RuleSetResult result = LoadRuleSet("/nonexistent/rules", ExampleEnv());
  EXPECT_FALSE(result.ok());
  EXPECT_NE(result.error.find("not a folder"), std::string::npos);
}

}  // namespace
}  // namespace cf::engine
