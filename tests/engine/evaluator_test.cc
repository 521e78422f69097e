// Evaluator: the example rules against the example org's records in a record cache on a real
// SQLite file; priority, stop, disabled rules, explanations, reload under concurrent evaluation.
#include "engine/evaluator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "tests/engine/evaluation_test_support.h"

namespace cf::engine {
namespace {

using testing::CacheOnDisk;
using testing::ExampleRuleEnv;
using testing::ReadEvent;

// 2026-11-30T12:00:00Z
constexpr Millis kNow = 1796040000000;

std::vector<std::string> FiredNames(const EvaluationResult& r) {
  std::vector<std::string> names;
  for (const FiredRule& f : r.fired) names.push_back(f.rule->name);
  return names;
}

// Field name -> value text ("null", "#<action>" for another action's record).
std::map<std::string, std::string> Fields(const Action& a) {
  std::map<std::string, std::string> out;
  for (const ActionField& f : a.fields) {
    switch (f.kind) {
      case ActionField::Kind::kValue: out[f.name] = f.text; break;
      case ActionField::Kind::kNull: out[f.name] = "null"; break;
      case ActionField::Kind::kActionId: out[f.name] = "#" + std::to_string(f.action); break;
    }
  }
  return out;
}

std::vector<std::string> HostActions(const EvaluationResult& r) {
  std::vector<std::string> out;
  for (const Action& a : r.actions) {
    std::string s;
    switch (a.kind) {
      case ActionKind::kRouteToTeam: s = "route:"; break;
      case ActionKind::kAddTag: s = "tag:"; break;
      case ActionKind::kSetPriority: s = "priority:"; break;
      case ActionKind::kNotify: s = "notify:"; break;
      default: continue;
    }
    for (size_t i = 0; i < a.arguments.size(); ++i) s += (i ? "|" : "") + a.arguments[i];
    out.push_back(s);
  }
  return out;
}

class ExampleRulesTest : public ::testing::Test {
 protected:
  ExampleRulesTest() : clock_(kNow) {
    cache_.LoadExampleRecords();
    LoadedRules loaded = LoadRulesWithExplainer(std::string(CF_SOURCE_DIR) + "/examples/rules", ExampleRuleEnv());
    EXPECT_TRUE(loaded.result.ok()) << loaded.result.FormatDiagnostics();
    holder_.Set(loaded.result.rule_set, loaded.explainer);
  }

  EvaluationResult Run(const std::string& json, bool explain = false) {
    EvaluateOptions options;
    options.clock = &clock_;
    options.explain = explain;
    EvaluationResult r = evaluator_.Evaluate(holder_.Get(), ReadEvent(json), cache_.sink().Snapshot(), options);
    EXPECT_TRUE(r.ok()) << r.error;
    return r;
  }

  FixedClock clock_;
  CacheOnDisk cache_;
  RuleSetHolder holder_;
  Evaluator evaluator_;
};

TEST_F(ExampleRulesTest, LeadQualificationCreatesALeadAndLogsATaskOnIt) {
  EvaluationResult r = Run(R"({"type": "conversation.created",
    "conversation": {"id": "conv-77", "channel": "web_chat", "subject": "Pricing",
                     "customer": {"email": "new.person@startup.example", "first_name": "Nia",
                                  "last_name": "Okafor", "company": "Startup Ltd"}}})");
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"Lead qualification"})) << FormatResult(r);
  ASSERT_EQ(r.actions.size(), 2u) << FormatResult(r);
  const Action& lead = r.actions[0];
  EXPECT_EQ(lead.kind, ActionKind::kCreate);
  EXPECT_EQ(lead.object, "Lead");
  EXPECT_EQ(Fields(lead), (std::map<std::string, std::string>{
                              {"FirstName", "Nia"},
                              {"LastName", "Okafor"},
                              {"Company", "Startup Ltd"},
                              {"Email", "new.person@startup.example"},
                              {"Phone", "null"},
                              {"LeadSource", "Web"},
                              {"Description", "First contact by web_chat: Pricing"},
                              {"ConnectFlo_Conversation_Id__c", "conv-77"}}));
  const Action& task = r.actions[1];
  EXPECT_EQ(task.kind, ActionKind::kLogTask);
  EXPECT_EQ(task.object, "Task");
  std::map<std::string, std::string> fields = Fields(task);
  EXPECT_EQ(fields["Subject"], "New lead from a web_chat conversation");
  EXPECT_EQ(fields["Status"], "Completed");
  EXPECT_EQ(fields["WhoId"], "#0");  // the Lead just created, resolved by the outbox
  EXPECT_EQ(fields.count("WhatId"), 0u);
  for (const ActionField& f : lead.fields) EXPECT_EQ(f.json_type, JsonType::kString) << f.name;
}

TEST_F(ExampleRulesTest, AccountInsightsRoutesEnterpriseAccountsAndOtherRulesFollowInOrder) {
  EvaluationResult r = Run(R"({"type": "conversation.created",
    "conversation": {"id": "conv-1", "channel": "web_chat", "customer": {"email": "olivia.hart@kestrel.example"}}})");
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"Account insights", "Platinum customers first",
                                                     "Greet known contacts", "Contacts who prefer the phone"}))
      << FormatResult(r);
  EXPECT_EQ(HostActions(r), (std::vector<std::string>{
                                "route:Enterprise Support", "tag:enterprise", "priority:high", "tag:platinum",
                                "tag:known-contact",
                                "notify:support|You are talking to Olivia Hart, Head of Customer Operations at "
                                "Kestrel Banking Group",
                                "tag:prefers-phone"}));
  EXPECT_EQ(r.bound_ids[static_cast<int>(RuleRoot::kAccount)], "001Dn00001NRuOUIA1");

  // Helios has no AnnualRevenue: the condition is NULL, and NULL does not fire.
  EvaluationResult unknown_revenue = Run(R"({"type": "conversation.created",
    "conversation": {"channel": "phone", "customer": {"email": "lucia.navarro@helios.example"}}})", true);
  EXPECT_EQ(unknown_revenue.explanations[0].rule->name, "Account insights");
  EXPECT_EQ(unknown_revenue.explanations[0].outcome, RuleExplanation::Outcome::kUnknown);
  EXPECT_EQ(FiredNames(unknown_revenue), (std::vector<std::string>{"Greet known contacts"}))
      << FormatResult(unknown_revenue);
}

TEST_F(ExampleRulesTest, OpportunityTrackingClosesTheOpenOpportunityAsWon) {
  EvaluationResult r = Run(R"({"type": "deal.closed",
    "deal": {"name": "EMEA Contact Center", "amount": 1300000, "outcome": "won", "close_date": "2026-12-01"},
    "conversation": {"id": "conv-5", "customer": {"email": "olivia.hart@kestrel.example"}}})");
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"Opportunity tracking"})) << FormatResult(r);
  ASSERT_EQ(r.actions.size(), 1u);
  const Action& update = r.actions[0];
  EXPECT_EQ(update.kind, ActionKind::kUpdate);
  EXPECT_EQ(update.object, "Opportunity");
  EXPECT_EQ(update.target_id, "006Dn00006fQjeWIAS");
  EXPECT_EQ(Fields(update), (std::map<std::string, std::string>{
                                {"StageName", "Closed Won"}, {"Amount", "1300000"}, {"CloseDate", "2026-12-01"}}));
  EXPECT_EQ(update.fields[1].json_type, JsonType::kNumber);

  // Without an amount in the deal: the opportunity's own, and today for the close date.
  EvaluationResult keep = Run(R"({"type": "deal.closed", "deal": {"outcome": "won",
    "opportunity_id": "006Dn0000s2U7sXIAS"}})");
  ASSERT_EQ(keep.actions.size(), 1u) << FormatResult(keep);
  EXPECT_EQ(Fields(keep.actions[0]), (std::map<std::string, std::string>{
                                         {"StageName", "Closed Won"}, {"Amount", "320000"}, {"CloseDate", "2026-11-30"}}));
  // A lost deal: the other rule.
  EvaluationResult lost = Run(R"({"type": "deal.closed", "deal": {"outcome": "lost",
    "opportunity_id": "006Dn0000s2U7sXIAS"}})");
  EXPECT_EQ(FiredNames(lost), (std::vector<std::string>{"Deal lost"}));
  EXPECT_EQ(Fields(lost.actions[0]), (std::map<std::string, std::string>{{"StageName", "Closed Lost"}, {"NextStep", ""}}));
}

TEST_F(ExampleRulesTest, DefaultTaskLinksComeFromTheBoundRecords) {
  // Olivia: Contact, her open Case. A stranger: no links at all.
  EvaluationResult r = Run(R"({"type": "conversation.closed",
    "conversation": {"id": "c-2", "channel": "email", "outcome": "resolved", "transcript": "Thanks!",
                     "customer": {"email": "olivia.hart@kestrel.example"}}})");
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"Close the case when the conversation is resolved",
                                                     "Log every conversation"}))
      << FormatResult(r);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].target_id, "500Dn0000g8bnzGIAQ");
  std::map<std::string, std::string> task = Fields(r.actions[1]);
  EXPECT_EQ(task["WhoId"], "003Dn0000yHOVUVIA5");
  EXPECT_EQ(task["WhatId"], "500Dn0000g8bnzGIAQ");
  EXPECT_EQ(task["Subject"], "Conversation (email)");
  EXPECT_EQ(task["ActivityDate"], "2026-11-30");
  // Grace Kim's contact has an Escalated case and Brightwater has an open opportunity: Case wins.
  // A lead: WhoId the Lead, no WhatId.
  EvaluationResult lead = Run(R"({"type": "conversation.closed",
    "conversation": {"channel": "web_chat", "customer": {"email": "marco.rossi@trattoria.example"}}})");
  std::map<std::string, std::string> lead_task = Fields(lead.actions.back());
  EXPECT_EQ(lead_task["WhoId"], "00QDn0000fgaptMMAQ");
  EXPECT_EQ(lead_task.count("WhatId"), 0u);
  // Account only (no contact, given by id), no opportunity or case open: WhatId the Account.
  EvaluationResult account = Run(R"({"type": "conversation.closed", "conversation": {"channel": "x"},
    "records": {"Account": "001Dn0000bSHBV9IAP"}})");
  std::map<std::string, std::string> account_task = Fields(account.actions.back());
  EXPECT_EQ(account_task.count("WhoId"), 0u);
  EXPECT_EQ(account_task["WhatId"], "001Dn0000bSHBV9IAP");
}

TEST_F(ExampleRulesTest, CasesOpenWithTheirLinksAndUpdatesOfMissingRecordsDoNothing) {
  // Sophie (Kestrel) has no case of her own but the account has: Case is bound, no new case.
  // Lucia (Helios) has none: a case is created and the task links to it by reference.
  EvaluationResult r = Run(R"({"type": "conversation.created",
    "conversation": {"id": "c-3", "channel": "email", "team": "support", "subject": "Broken",
                     "customer": {"email": "lucia.navarro@helios.example"}}})");
  ASSERT_EQ(FiredNames(r).size(), 3u) << FormatResult(r);
  EXPECT_EQ(FiredNames(r)[0], "Open a case for a support conversation");
  const Action& create = r.actions[0];
  EXPECT_EQ(create.object, "Case");
  std::map<std::string, std::string> fields = Fields(create);
  EXPECT_EQ(fields["Origin"], "Email");
  EXPECT_EQ(fields["Priority"], "Medium");
  EXPECT_EQ(fields["ContactId"], "003Dn0000s5H1mWIAS");
  EXPECT_EQ(fields["AccountId"], "001Dn0000v5rAYVIA2");
  std::map<std::string, std::string> task = Fields(r.actions[1]);
  EXPECT_EQ(task["WhoId"], "003Dn0000s5H1mWIAS");
  EXPECT_EQ(task["WhatId"], "#0");

  RuleSetResult set = CompileRuleSet({{"t.rule", R"(
rule "update what is not there" on conversation.message then
  update Opportunity { NextStep = "Call" }
  add tag "still runs"
end
)"}}, ExampleRuleEnv());
  ASSERT_TRUE(set.ok()) << set.FormatDiagnostics();
  EvaluationResult none = evaluator_.Evaluate(set.rule_set, ReadEvent(R"({"type": "conversation.message",
    "conversation": {"customer": {"email": "nobody@x.example"}}})"), cache_.sink().Snapshot());
  ASSERT_EQ(none.fired.size(), 1u);
  ASSERT_EQ(none.fired[0].skipped.size(), 1u);
  EXPECT_EQ(none.fired[0].skipped[0], "action 0 (update Opportunity): no Opportunity is bound");
  EXPECT_EQ(HostActions(none), (std::vector<std::string>{"tag:still runs"}));
}

TEST_F(ExampleRulesTest, LeadCaptureFromCallsAndWebChats) {
  EvaluationResult call = Run(R"({"type": "call.ended",
    "call": {"direction": "inbound", "from": "+1 415 555 0199", "notes": "Wants pricing", "duration_seconds": 95,
             "customer": {"phone": "+1 415 555 0199"}}})");
  EXPECT_EQ(FiredNames(call), (std::vector<std::string>{"Lead capture from phone calls", "Log every call"}))
      << FormatResult(call);
  ASSERT_EQ(call.actions.size(), 3u);
  EXPECT_EQ(Fields(call.actions[0]), (std::map<std::string, std::string>{
                                         {"LastName", "Caller +1 415 555 0199"},
                                         {"Company", "Unknown"},
                                         {"Phone", "+1 415 555 0199"},
                                         {"LeadSource", "Phone Inquiry"},
                                         {"Description", "Wants pricing"}}));
  EXPECT_EQ(Fields(call.actions[1])["WhoId"], "#0");
  std::map<std::string, std::string> logged = Fields(call.actions[2]);
  EXPECT_EQ(logged["CallDurationInSeconds"], "95");
  EXPECT_EQ(logged["CallType"], "Inbound");
  EXPECT_EQ(logged.count("WhoId"), 0u);  // the Lead is created by another rule: not bound
  // A known caller (Hannah Berg's lead, by phone) is not captured again.
  EvaluationResult known = Run(R"({"type": "call.ended", "call": {"direction": "inbound", "from": "+1 555 0230"}})");
  EXPECT_EQ(FiredNames(known), (std::vector<std::string>{"Log every call"}));
  EXPECT_EQ(Fields(known.actions[0])["WhoId"], "00QDn0000eQ52aFMAR");

  EvaluationResult chat = Run(R"({"type": "conversation.message",
    "conversation": {"id": "chat-9", "channel": "web_chat", "customer": {"email": "visitor@web.example"}}})");
  EXPECT_EQ(FiredNames(chat), (std::vector<std::string>{"Lead capture from web chat"}));
  ASSERT_EQ(chat.actions.size(), 1u);
  EXPECT_EQ(chat.actions[0].kind, ActionKind::kUpsert);
  EXPECT_EQ(chat.actions[0].key_field, "ConnectFlo_Conversation_Id__c");
  EXPECT_EQ(Fields(chat.actions[0])["ConnectFlo_Conversation_Id__c"], "chat-9");
  EXPECT_EQ(Fields(chat.actions[0])["LastName"], "Web visitor");
}

TEST_F(ExampleRulesTest, ChurnRiskEscalatesTheOpenCase) {
  EvaluationResult r = Run(R"({"type": "conversation.message",
    "conversation": {"channel": "email", "message": {"text": "I want to cancel my plan"},
                     "customer": {"email": "grace.kim@brightwater.example"}}})");
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"Escalate a case at churn risk"})) << FormatResult(r);
  ASSERT_EQ(r.actions.size(), 2u);
  EXPECT_EQ(r.actions[0].target_id, "500Dn0000NYEir0IQD");
  std::map<std::string, std::string> fields = Fields(r.actions[0]);
  EXPECT_EQ(fields["IsEscalated"], "true");
  EXPECT_EQ(fields["Escalation_Reason__c"], "Churn Risk");
  EXPECT_EQ(r.actions[0].fields[2].json_type, JsonType::kBoolean);
  EXPECT_EQ(HostActions(r), (std::vector<std::string>{"route:Retention"}));
}

TEST_F(ExampleRulesTest, ExplanationNamesTheClausesAndTheValuesRead) {
  EvaluationResult r = Run(R"({"type": "deal.closed", "deal": {"outcome": "won", "amount": 10},
    "conversation": {"customer": {"email": "james.whitaker@brightwater.example"}}})", true);
  std::string text = FormatResult(r);
  // Every rule of deal.closed, in evaluation order.
  ASSERT_EQ(r.explanations.size(), 2u) << text;
  const RuleExplanation& lost = r.explanations[0];
  EXPECT_EQ(lost.rule->name, "Deal lost");
  EXPECT_EQ(lost.outcome, RuleExplanation::Outcome::kFalse);
  EXPECT_EQ(lost.join, "AND");
  ASSERT_EQ(lost.clauses.size(), 3u);
  EXPECT_EQ(lost.clauses[0].text, "Opportunity.Id IS NOT NULL");
  EXPECT_EQ(lost.clauses[0].value, Tri::kTrue);
  EXPECT_EQ(lost.clauses[1].text, "deal.outcome = \"lost\"");
  EXPECT_EQ(lost.clauses[1].value, Tri::kFalse);
  ASSERT_EQ(lost.clauses[1].values.size(), 1u);
  EXPECT_EQ(lost.clauses[1].values[0], std::make_pair(std::string("deal.outcome"), std::string("won")));
  EXPECT_EQ(lost.clauses[2].text, "NOT Opportunity.IsClosed");
  EXPECT_EQ(r.explanations[1].outcome, RuleExplanation::Outcome::kFired);
  EXPECT_NE(text.find("rule \"Deal lost\": not fired: condition FALSE\n"
                      "  TRUE   Opportunity.Id IS NOT NULL   [Opportunity.Id = 006Dn0000s2U7sXIAS]\n"
                      "  FALSE  deal.outcome = \"lost\"   [deal.outcome = won]\n"),
            std::string::npos)
      << text;

  // Without sources: the rule's outcome only.
  EvaluateOptions options;
  options.explain = true;
  EvaluationResult bare = evaluator_.Evaluate(holder_.Get().rules, ReadEvent(R"({"type": "deal.closed", "deal": {}})"),
                                              cache_.sink().Snapshot(), options);
  ASSERT_EQ(bare.explanations.size(), 2u);
  EXPECT_TRUE(bare.explanations[0].clauses.empty());
  EXPECT_EQ(bare.explanations[0].outcome, RuleExplanation::Outcome::kFalse);
}

RuleSetResult CompileText(const std::string& text) { return CompileRuleSet({{"t.rule", text}}, ExampleRuleEnv()); }

TEST(EvaluatorTest, PriorityStopAndDisabledRules) {
  RuleSetResult set = CompileText(R"(
rule "low" on call.ended priority -5 then add tag "low" end
rule "default a" on call.ended then add tag "a" end
rule "high" on call.ended priority 10 then add tag "high" end
rule "off" on call.ended priority 50 disabled then add tag "off" end
rule "stopper" on call.ended priority 1 when call.outcome = "stop" stop then add tag "stopper" end
rule "default b" on call.ended then add tag "b" end
rule "null is not true" on call.ended priority 2 when call.duration_seconds > 10 then add tag "long" end
)");
  ASSERT_TRUE(set.ok()) << set.FormatDiagnostics();
  Evaluator evaluator;
  EvaluationResult go = evaluator.Evaluate(set.rule_set, ReadEvent(R"({"type": "call.ended", "call": {}})"), nullptr);
  EXPECT_EQ(FiredNames(go), (std::vector<std::string>{"high", "default a", "default b", "low"}));
  EXPECT_EQ(HostActions(go), (std::vector<std::string>{"tag:high", "tag:a", "tag:b", "tag:low"}));
  EvaluateOptions explain;
  explain.explain = true;
  EvaluationResult stop = evaluator.Evaluate(
      set.rule_set, ReadEvent(R"({"type": "call.ended", "call": {"outcome": "stop", "duration_seconds": 11}})"),
      nullptr, explain);
  EXPECT_EQ(FiredNames(stop), (std::vector<std::string>{"high", "null is not true", "stopper"}));
  ASSERT_EQ(stop.explanations.size(), 6u);  // the disabled rule is not listed
  EXPECT_EQ(stop.explanations[3].outcome, RuleExplanation::Outcome::kNotReached);
  EXPECT_EQ(stop.explanations[5].rule->name, "low");
  EXPECT_EQ(evaluator.Evaluate(std::shared_ptr<const RuleSet>(), Event(), nullptr).error, "no rule set is loaded");
}

TEST(EvaluatorTest, ExplainsOrChainsSingleClausesAndPathsThroughLookups) {
  const std::vector<RuleSource> sources = {{"t.rule", R"(
rule "or" on conversation.created
  when conversation.channel = "phone" OR Contact.Account.Name = "Acme"
    OR (Contact.LastName = "X" AND conversation.team = "a")
then add tag "or" end
rule "single" on conversation.created when NOT ISBLANK(conversation.subject) then add tag "s" end
rule "always" on conversation.created then add tag "all" end
)"}};
  RuleSetResult set = CompileRuleSet(sources, ExampleRuleEnv());
  ASSERT_TRUE(set.ok()) << set.FormatDiagnostics();
  CacheOnDisk cache;
  cache.Put("Account", {{{"Id", "001000000000001"}, {"Name", "Acme"}}});
  cache.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "X"}, {"Email", "x@x.example"},
                         {"AccountId", "001000000000001"}}});
  RuleSetHolder holder(set.rule_set, ConditionExplainer::Build(*set.rule_set, sources));
  EvaluateOptions options;
  options.explain = true;
  EvaluationResult r = Evaluator().Evaluate(
      holder.Get(), ReadEvent(R"({"type": "conversation.created", "conversation": {"channel": "web",
        "customer": {"email": "x@x.example"}}})"), cache.sink().Snapshot(), options);
  ASSERT_EQ(r.explanations.size(), 3u);
  const RuleExplanation& any = r.explanations[0];
  EXPECT_EQ(any.outcome, RuleExplanation::Outcome::kFired);
  EXPECT_EQ(any.join, "OR");
  ASSERT_EQ(any.clauses.size(), 3u);
  EXPECT_EQ(any.clauses[0].value, Tri::kFalse);
  EXPECT_EQ(any.clauses[1].text, "Contact.Account.Name = \"Acme\"");
  EXPECT_EQ(any.clauses[1].value, Tri::kTrue);
  EXPECT_EQ(any.clauses[1].values[0], std::make_pair(std::string("Contact.Account.Name"), std::string("Acme")));
  EXPECT_EQ(any.clauses[2].value, Tri::kUnknown);  // conversation.team is null
  EXPECT_EQ(any.clauses[2].values.size(), 2u);
  const RuleExplanation& single = r.explanations[1];
  EXPECT_EQ(single.outcome, RuleExplanation::Outcome::kFalse);
  EXPECT_EQ(single.join, "");
  ASSERT_EQ(single.clauses.size(), 1u);
  EXPECT_EQ(single.clauses[0].text, "NOT ISBLANK(conversation.subject)");
  EXPECT_EQ(single.clauses[0].values[0].second, "null");
  EXPECT_EQ(r.explanations[2].outcome, RuleExplanation::Outcome::kFired);
  EXPECT_TRUE(r.explanations[2].clauses.empty());
}

TEST(EvaluatorTest, ActionsReferToEarlierRecordsSymbolically) {
  RuleSetResult set = CompileText(R"(
rule "r" on call.ended then
  create Lead as caller { LastName = "Caller", Company = "Unknown", Phone = call.from }
  update caller { Status = "Working - Contacted" }
  create Case as c { Subject = "Call", Origin = "Phone" }
  log task { WhatId = c.Id, Subject = "Inbound", CallDurationInSeconds = call.duration_seconds }
  notify "ops" with call.notes
end
)");
  ASSERT_TRUE(set.ok()) << set.FormatDiagnostics();
  EvaluationResult r = Evaluator().Evaluate(
      set.rule_set, ReadEvent(R"({"type": "call.ended", "call": {"from": "+1 555 0100", "duration_seconds": 42}})"),
      nullptr);
  ASSERT_EQ(r.actions.size(), 5u) << FormatResult(r);
  EXPECT_EQ(r.actions[1].target_action, 0);
  EXPECT_TRUE(r.actions[1].target_id.empty());
  std::map<std::string, std::string> task = Fields(r.actions[3]);
  EXPECT_EQ(task["WhatId"], "#2");
  EXPECT_EQ(task["CallDurationInSeconds"], "42");
  EXPECT_EQ(task.count("WhoId"), 0u);  // no Contact or Lead bound
  EXPECT_EQ(r.actions[3].fields[2].json_type, JsonType::kNumber);
  EXPECT_EQ(HostActions(r), (std::vector<std::string>{"notify:ops|"}));
}

TEST(EvaluatorTest, AnEventBuiltOnAnotherEnvironmentIsConverted) {
  RuleSetResult set = CompileText(
      "rule \"r\" on conversation.message when conversation.channel = \"web\" AND Contact.Id IS NOT NULL "
      "then add tag conversation.customer.email end\n");
  ASSERT_TRUE(set.ok()) << set.FormatDiagnostics();
  // Same schema, other layouts (as after a rule environment is rebuilt).
  std::shared_ptr<const Environment> other = MakeRuleEnvironment(ExampleRuleEnv()->schema_ptr());
  ASSERT_NE(other.get(), ExampleRuleEnv().get());
  CacheOnDisk cache;
  cache.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "X"}, {"Email", "x@x.example"}}});
  Event event = ReadEvent(R"({"type": "conversation.message",
    "conversation": {"channel": "web", "customer": {"email": "x@x.example"}}})", other);
  EvaluationResult r = Evaluator().Evaluate(set.rule_set, event, cache.sink().Snapshot());
  EXPECT_EQ(HostActions(r), (std::vector<std::string>{"tag:x@x.example"})) << FormatResult(r);
}

// Threads evaluate while another swaps rule sets: every result comes whole from one set.
TEST(EvaluatorTest, ReloadUnderConcurrentEvaluation) {
  auto make = [](const std::string& tag) {
    RuleSetResult set = CompileText("rule \"one\" on conversation.message then add tag \"" + tag + "1\" end\n"
                                    "rule \"two\" on conversation.message when conversation.channel = \"web\" then "
                                    "add tag \"" + tag + "2\" end\n");
    EXPECT_TRUE(set.ok()) << set.FormatDiagnostics();
    return set.rule_set;
  };
  std::shared_ptr<const RuleSet> a = make("a"), b = make("b");
  RuleSetHolder holder(a);
  Evaluator evaluator;
  CacheOnDisk cache;
  cache.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "X"}, {"Email", "x@x.example"}}});
  const Event event = ReadEvent(R"({"type": "conversation.message",
    "conversation": {"channel": "web", "customer": {"email": "x@x.example"}}})");
  std::atomic<bool> done{false};
  std::atomic<int> bad{0}, evaluated{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 3; ++t) {
    threads.emplace_back([&] {
      while (!done.load()) {
        RuleSetHolder::Current current = holder.Get();
        EvaluationResult r = evaluator.Evaluate(current, event, cache.sink().Snapshot());
        // Both tags from one set, and the fired rules are that set's own.
        const bool whole = r.actions.size() == 2 && r.fired.size() == 2 && r.rules == current.rules &&
                           r.fired[0].rule == &r.rules->rules()[0] && r.fired[1].rule == &r.rules->rules()[1] &&
                           r.actions[0].arguments[0].size() == 2 &&
                           r.actions[1].arguments[0] == r.actions[0].arguments[0].substr(0, 1) + "2";
        if (!whole || r.bound_ids[0] != "003000000000001AAA") {
          ++bad;
        }
        ++evaluated;
      }
    });
  }
  // Swap until the evaluating threads have done 1,000 events between swaps.
  for (int i = 0; evaluated.load() < 1000 || i < 200; ++i) {
    holder.Set(i % 2 == 0 ? b : a);
    // Now and then a fresh set, freed when the last evaluation holding it ends.
    if (i % 50 == 0) holder.Set(make(i % 100 == 0 ? "a" : "b"));
    std::this_thread::yield();
  }
  done = true;
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(bad.load(), 0);
}

}  // namespace
}  // namespace cf::engine
