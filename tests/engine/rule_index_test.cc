// The rule index (engine/rule_index.h): which conjuncts are indexed, and that evaluating only
// the index's candidates fires exactly the rules of the linear scan, in the same order. Records
// live in a record cache on a real SQLite file and are bound from events as in production.
#include "engine/rule_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "engine/evaluator.h"
#include "tests/engine/evaluation_test_support.h"

namespace cf::engine {
namespace {

using testing::CacheOnDisk;
using testing::ExampleRuleEnv;
using testing::ReadEvent;

// 2026-11-30T12:00:00Z
constexpr Millis kNow = 1796040000000;

std::string Rule(const std::string& name, const std::string& when, const std::string& settings = "") {
  std::string text = "rule \"" + name + "\"\n  on conversation.created\n";
  if (!when.empty()) text += "  when " + when + "\n";
  if (!settings.empty()) text += "  " + settings + "\n";
  text += "then\n  add tag \"" + name + "\"\nend\n";
  return text;
}

std::shared_ptr<const RuleSet> Compile(const std::string& text) {
  RuleSetResult r = CompileRuleSet({{"index.rule", text}}, ExampleRuleEnv());
  EXPECT_TRUE(r.ok()) << r.FormatDiagnostics() << "\n" << text;
  return r.rule_set;
}

std::vector<std::string> FiredNames(const EvaluationResult& r) {
  std::vector<std::string> names;
  for (const FiredRule& f : r.fired) names.push_back(f.rule->name);
  return names;
}

std::vector<std::string> Tags(const EvaluationResult& r) {
  std::vector<std::string> tags;
  for (const Action& a : r.actions) {
    tags.push_back(std::to_string(a.fired_rule) + ":" + (a.arguments.empty() ? "" : a.arguments[0]));
  }
  return tags;
}

std::string Conversation(const std::string& fields) {
  return R"({"type": "conversation.created", "conversation": {)" + fields + "}}";
}

// The index's term for each rule of conversation.created, by rule name ("" when the rule is
// evaluated for every event).
std::map<std::string, std::string> TermsByRule(const RuleSet& set) {
  std::map<std::string, std::string> out;
  const std::vector<const CompiledRule*>& rules = set.RulesFor(Trigger::kConversationCreated);
  const RuleIndex& index = set.IndexFor(Trigger::kConversationCreated);
  for (size_t i = 0; i < rules.size(); ++i) {
    const IndexTerm* t = index.TermFor(i);
    out[rules[i]->name] = t == nullptr ? "" : t->text;
  }
  return out;
}

class RuleIndexTest : public ::testing::Test {
 protected:
  RuleIndexTest() : clock_(kNow) {}

  // Evaluates with the index and by linear scan; both must fire the same rules in the same
  // order with the same actions. Returns the fired rule names.
  std::vector<std::string> Fire(const std::shared_ptr<const RuleSet>& set, const std::string& json) {
    if (set == nullptr) return {"<no rule set>"};
    Event event = ReadEvent(json);
    RecordSnapshotPtr snapshot = cache_.sink().Snapshot();
    EvaluateOptions options;
    options.clock = &clock_;
    EvaluationResult indexed = evaluator_.Evaluate(set, event, snapshot, options);
    options.use_index = false;
    EvaluationResult scan = evaluator_.Evaluate(set, event, snapshot, options);
    EXPECT_EQ(FiredNames(indexed), FiredNames(scan)) << json;
    EXPECT_EQ(Tags(indexed), Tags(scan)) << json;
    return FiredNames(indexed);
  }

  FixedClock clock_;
  CacheOnDisk cache_;
  Evaluator evaluator_;
};

// ---------------------------------------------------------------------------------------------
// Which tests are indexed.

TEST(RuleIndexTermsTest, PicksTheMostSelectiveIndexableConjunct) {
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("picklist over range", "Account.AnnualRevenue > 500000 AND Account.Industry = \"Banking\"") +
      Rule("range", "Account.AnnualRevenue > $500,000") +
      Rule("mirrored", "500000 < Account.AnnualRevenue") +
      Rule("negative", "Account.AnnualRevenue >= -12.5") +
      Rule("in", "Account.Industry IN (\"Banking\", \"Insurance\")") +
      Rule("or of equalities", "Account.Industry = \"Banking\" OR Account.Industry = \"Insurance\"") +
      Rule("text over boolean", "Account.IsPartner AND conversation.team = \"support\"") +
      Rule("boolean", "Account.IsPartner != true") +
      Rule("event field", "conversation.customer.email = \"a@b.example\"") +
      Rule("id", "Account.Id = \"001Dn00001NRuOU\"") +
      Rule("date", "Account.LastActivityDate <= 2026-11-30") +
      Rule("date/time", "conversation.started_at = 2026-11-30T13:00:00+01:00") +
      Rule("inside a larger AND", "Contact.Id IS NOT NULL AND (Account.Rating = \"Hot\") AND NOT Account.IsPartner"));
  ASSERT_NE(set, nullptr);
  std::map<std::string, std::string> terms = TermsByRule(*set);
  EXPECT_EQ(terms["picklist over range"], "Account.Industry = \"Banking\"");
  EXPECT_EQ(terms["range"], "Account.AnnualRevenue > 500000");
  EXPECT_EQ(terms["mirrored"], "Account.AnnualRevenue > 500000");
  EXPECT_EQ(terms["negative"], "Account.AnnualRevenue >= -12.5");
  EXPECT_EQ(terms["in"], "Account.Industry IN (\"Banking\", \"Insurance\")");
  EXPECT_EQ(terms["or of equalities"], "Account.Industry = \"Banking\" OR Account.Industry = \"Insurance\"");
  EXPECT_EQ(terms["text over boolean"], "conversation.team = \"support\"");
  EXPECT_EQ(terms["boolean"], "Account.IsPartner = false");
  EXPECT_EQ(terms["event field"], "conversation.customer.email = \"a@b.example\"");
  EXPECT_EQ(terms["id"], "Account.Id = \"001Dn00001NRuOU\"");
  EXPECT_EQ(terms["date"], "Account.LastActivityDate <= 2026-11-30");
  EXPECT_EQ(terms["date/time"], "conversation.started_at = 2026-11-30T13:00:00+01:00");
  EXPECT_EQ(terms["inside a larger AND"], "Account.Rating = \"Hot\"");
  EXPECT_EQ(set->IndexFor(Trigger::kConversationCreated).always_count(), 0u);
}

TEST(RuleIndexTermsTest, LeavesWhatItCannotIndexExactlyToTheAlwaysList) {
  const std::vector<std::string> conditions = {
      "Account.AnnualRevenue > 5 OR Account.Industry = \"Banking\"",  // OR across fields
      "NOT Account.IsPartner",
      "Account.Industry != \"Banking\"",
      "Account.Industry NOT IN (\"Banking\")",
      "Account.Industry IN (\"Banking\", null)",  // a null field matches
      "Account.Name = null",
      "Account.Name IS NOT NULL",
      "Contact.Account.Name = \"Acme\"",          // through a lookup
      "Account.CreatedDate = THIS_QUARTER",       // a date literal is a range of days
      "Account.Name CONTAINS \"Ac\"",
      "Account.Name > \"A\"",                     // text ranges are not indexed
      "LOWER(Account.Name) = \"acme\"",
      "Account.AnnualRevenue = Account.NumberOfEmployees",
      "Account.AnnualRevenue + 1 > 5",
      "",  // no condition
  };
  std::string text;
  for (size_t i = 0; i < conditions.size(); ++i) text += Rule("r" + std::to_string(i), conditions[i]);
  std::shared_ptr<const RuleSet> set = Compile(text);
  ASSERT_NE(set, nullptr);
  std::map<std::string, std::string> terms = TermsByRule(*set);
  for (size_t i = 0; i < conditions.size(); ++i) {
    EXPECT_EQ(terms["r" + std::to_string(i)], "") << conditions[i];
  }
  EXPECT_EQ(set->IndexFor(Trigger::kConversationCreated).always_count(), conditions.size());
}

// The point of the index: with thousands of rules on one field, an event's candidates are the
// rules its value matches, not all of them.
TEST(RuleIndexTermsTest, CandidatesAreTheMatchingRulesOnly) {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += Rule("eq" + std::to_string(i), "Account.NumberOfEmployees = " + std::to_string(i));
  }
  for (int i = 0; i < 1000; ++i) {
    text += Rule("gt" + std::to_string(i), "Account.AnnualRevenue > " + std::to_string(i * 1000));
  }
  // Filed under the employee count, with the revenue range checked before evaluation.
  for (int i = 0; i < 10; ++i) {
    text += Rule("checked" + std::to_string(i),
                 "Account.NumberOfEmployees = 1234 AND Account.AnnualRevenue > " + std::to_string(i * 5000));
  }
  text += Rule("always", "Account.Name CONTAINS \"x\"");
  std::shared_ptr<const RuleSet> set = Compile(text);
  ASSERT_NE(set, nullptr);
  const RuleIndex& index = set->IndexFor(Trigger::kConversationCreated);
  ASSERT_EQ(index.size(), 3011u);
  EXPECT_EQ(index.always_count(), 1u);
  EXPECT_EQ(index.CheckCount(0), 0u);     // eq0: one term
  EXPECT_EQ(index.CheckCount(3000), 1u);  // checked0
  EXPECT_EQ(index.TermFor(3000)->text, "Account.NumberOfEmployees = 1234");

  const Environment& env = set->environment();
  const int account = env.schema().IndexOf("Account");
  RecordBuilder b(env.layout(account));
  ASSERT_TRUE(b.SetFromText(*env.layout(account)->SlotForField("NumberOfEmployees"), "1234"));
  ASSERT_TRUE(b.SetFromText(*env.layout(account)->SlotForField("AnnualRevenue"), "10000.5"));
  RecordPtr record = b.Finish();
  std::vector<const Record*> roots(env.roots().size(), nullptr);
  roots[set->root_index(RuleRoot::kAccount)] = record.get();
  std::vector<uint64_t> bits;
  index.Candidates(roots.data(), roots.size(), &bits);
  std::vector<std::string> names;
  const std::vector<const CompiledRule*>& rules = set->RulesFor(Trigger::kConversationCreated);
  for (size_t i = 0; i < rules.size(); ++i) {
    if ((bits[i / 64] >> (i % 64)) & 1) names.push_back(rules[i]->name);
  }
  // eq1234, gt0 .. gt10 (10000.5 > 10000), always.
  std::vector<std::string> expected = {"eq1234"};
  for (int i = 0; i <= 10; ++i) expected.push_back("gt" + std::to_string(i));
  for (int i = 0; i <= 2; ++i) expected.push_back("checked" + std::to_string(i));  // 10000.5 > 10000
  expected.push_back("always");
  EXPECT_EQ(names, expected);

  // No Account bound: only the always-evaluated rule.
  roots.assign(roots.size(), nullptr);
  index.Candidates(roots.data(), roots.size(), &bits);
  size_t count = 0;
  for (uint64_t w : bits) count += static_cast<size_t>(std::popcount(w));
  EXPECT_EQ(count, 1u);
}

// ---------------------------------------------------------------------------------------------
// Same results as the linear scan, case by case.

TEST_F(RuleIndexTest, NullFieldsAndUnboundRecordsMatchNoIndexedTest) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "Empty"}},
                         {{"Id", "001000000000002"}, {"Name", "Full"}, {"AnnualRevenue", "10"},
                          {"Industry", "Banking"}, {"IsPartner", "false"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "E"}, {"Email", "e@x.example"},
                          {"AccountId", "001000000000001"}},
                         {{"Id", "003000000000002"}, {"LastName", "F"}, {"Email", "f@x.example"},
                          {"AccountId", "001000000000002"}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("revenue > 0", "Account.AnnualRevenue > 0") + Rule("revenue < 100", "Account.AnnualRevenue < 100") +
      Rule("revenue in", "Account.AnnualRevenue IN (10, 20)") +
      Rule("banking", "Account.Industry = \"Banking\"") + Rule("not partner", "Account.IsPartner = false") +
      Rule("revenue null", "Account.AnnualRevenue IS NULL") +
      Rule("industry or null", "Account.Industry IN (\"Banking\", null)") +
      Rule("team", "conversation.team = \"support\""));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "e@x.example"})")),
            (std::vector<std::string>{"revenue null", "industry or null"}));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "f@x.example"}, "team": "support")")),
            (std::vector<std::string>{"revenue > 0", "revenue < 100", "revenue in", "banking", "not partner",
                                      "industry or null", "team"}));
  // Nobody bound: no Account test can be TRUE.
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "who@x.example"}, "team": "support")")),
            (std::vector<std::string>{"revenue null", "industry or null", "team"}));
}

TEST_F(RuleIndexTest, RangesAtTheirBoundariesWithExactDecimals) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "A"}, {"AnnualRevenue", "500000"},
                          {"LastActivityDate", "2026-11-30"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "A"}, {"Email", "a@x.example"},
                          {"AccountId", "001000000000001"}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("gt", "Account.AnnualRevenue > 500000") + Rule("ge", "Account.AnnualRevenue >= $500,000") +
      Rule("lt", "Account.AnnualRevenue < 500000") + Rule("le", "Account.AnnualRevenue <= 500000.000") +
      Rule("gt just below", "Account.AnnualRevenue > 499999.999999999") +
      Rule("lt just above", "Account.AnnualRevenue < 500000.000000001") +
      Rule("ge just above", "Account.AnnualRevenue >= 500000.000000001") +
      Rule("eq", "Account.AnnualRevenue = 500000.0") + Rule("in", "Account.AnnualRevenue IN (1, 500000)") +
      Rule("mirrored le", "500000 >= Account.AnnualRevenue") + Rule("mirrored lt", "500000 > Account.AnnualRevenue") +
      Rule("date gt", "Account.LastActivityDate > 2026-11-29") +
      Rule("date ge", "Account.LastActivityDate >= 2026-11-30") +
      Rule("date lt", "Account.LastActivityDate < 2026-11-30") +
      Rule("date eq", "Account.LastActivityDate = 2026-11-30") +
      Rule("instant ge", "conversation.started_at >= 2026-11-30T12:00:00Z") +
      Rule("instant gt", "conversation.started_at > 2026-11-30T12:00:00Z") +
      Rule("instant eq other zone", "conversation.started_at = 2026-11-30T13:00:00+01:00") +
      Rule("count le", "conversation.message_count <= 3"));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "a@x.example"}, "started_at": "2026-11-30T12:00:00Z",
                                     "message_count": 3)")),
            (std::vector<std::string>{"ge", "le", "gt just below", "lt just above", "eq", "in", "mirrored le",
                                      "date gt", "date ge", "date eq", "instant ge", "instant eq other zone",
                                      "count le"}));
}

TEST_F(RuleIndexTest, IdsMatchIn15And18CharactersAsTheCompilerCompares) {
  const std::string id15 = "001Dn00001NRuOU";
  const std::string id18 = SfId::Parse(id15)->To18();
  std::string upper18 = id18, lower18 = id18, lower15 = id15;
  for (char& c : upper18) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : lower18) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (char& c : lower15) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  cache_.Put("Account", {{{"Id", id15}, {"Name", "A"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "A"}, {"Email", "a@x.example"}, {"AccountId", id18}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("15", "Account.Id = \"" + id15 + "\"") + Rule("18", "Account.Id = \"" + id18 + "\"") +
      Rule("18 upper", "Account.Id = \"" + upper18 + "\"") + Rule("18 lower", "Account.Id = \"" + lower18 + "\"") +
      Rule("15 lower", "Account.Id = \"" + lower15 + "\"") +
      Rule("lookup field", "Contact.AccountId IN (\"001000000000009\", \"" + id18 + "\")") +
      Rule("mirrored", "\"" + id15 + "\" = Contact.AccountId"));
  std::vector<std::string> fired = Fire(set, Conversation(R"("customer": {"email": "a@x.example"})"));
  // A 15-character Id is case-sensitive: lower-casing it names another record.
  EXPECT_EQ(std::count(fired.begin(), fired.end(), "15 lower"), 0) << ::testing::PrintToString(fired);
  for (const char* name : {"15", "18", "18 upper", "18 lower", "lookup field", "mirrored"}) {
    EXPECT_EQ(std::count(fired.begin(), fired.end(), name), 1) << name << ": " << ::testing::PrintToString(fired);
  }
}

TEST_F(RuleIndexTest, TextIsCaseSensitiveAndPicklistsCompareByCode) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "Acme"}, {"Industry", "Banking"}},
                         {{"Id", "001000000000002"}, {"Name", "acme"}, {"Industry", "banking"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "A"}, {"Email", "a@x.example"},
                          {"AccountId", "001000000000001"}},
                         {{"Id", "003000000000002"}, {"LastName", "B"}, {"Email", "b@x.example"},
                          {"AccountId", "001000000000002"}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("Acme", "Account.Name = \"Acme\"") + Rule("acme", "Account.Name = \"acme\"") +
      Rule("ACME in", "Account.Name IN (\"ACME\", \"Acme\")") + Rule("Banking", "Account.Industry = \"Banking\"") +
      Rule("Support", "conversation.team = \"Support\"") + Rule("support", "conversation.team = \"support\""));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "a@x.example"}, "team": "Support")")),
            (std::vector<std::string>{"Acme", "ACME in", "Banking", "Support"}));
  // "banking" is not one of the picklist's values: its code matches no literal.
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "b@x.example"}, "team": "support")")),
            (std::vector<std::string>{"acme", "support"}));
}

TEST_F(RuleIndexTest, BooleansBareComparedAndNegated) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "T"}, {"IsPartner", "true"}},
                         {{"Id", "001000000000002"}, {"Name", "F"}, {"IsPartner", "false"}},
                         {{"Id", "001000000000003"}, {"Name", "N"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "T"}, {"Email", "t@x.example"}, {"AccountId", "001000000000001"}},
                         {{"Id", "003000000000002"}, {"LastName", "F"}, {"Email", "f@x.example"}, {"AccountId", "001000000000002"}},
                         {{"Id", "003000000000003"}, {"LastName", "N"}, {"Email", "n@x.example"}, {"AccountId", "001000000000003"}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("bare", "Account.IsPartner") + Rule("= false", "Account.IsPartner = false") +
      Rule("!= true", "Account.IsPartner != true") + Rule("true =", "true = Account.IsPartner") +
      Rule("not", "NOT Account.IsPartner"));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "t@x.example"})")),
            (std::vector<std::string>{"bare", "true ="}));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "f@x.example"})")),
            (std::vector<std::string>{"= false", "!= true", "not"}));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "n@x.example"})")), std::vector<std::string>{});
}

TEST_F(RuleIndexTest, StopEndsTheEventOnlyWhenItsRuleFires) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "B"}, {"Industry", "Banking"}},
                         {{"Id", "001000000000002"}, {"Name", "I"}, {"Industry", "Insurance"}},
                         {{"Id", "001000000000003"}, {"Name", "R"}, {"Industry", "Retail"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "B"}, {"Email", "b@x.example"}, {"AccountId", "001000000000001"}},
                         {{"Id", "003000000000002"}, {"LastName", "I"}, {"Email", "i@x.example"}, {"AccountId", "001000000000002"}},
                         {{"Id", "003000000000003"}, {"LastName", "R"}, {"Email", "r@x.example"}, {"AccountId", "001000000000003"}}});
  std::shared_ptr<const RuleSet> set = Compile(
      Rule("insurance stops", "Account.Industry = \"Insurance\"", "priority 20 stop") +
      Rule("banking stops", "Account.Industry = \"Banking\"", "priority 10 stop") +
      Rule("banking too", "Account.Industry = \"Banking\"", "priority 5") +
      Rule("everyone", "", "priority 1") +
      Rule("first of equals", "Account.Industry = \"Retail\"", "priority 1 stop") +
      Rule("after equals", "Account.Name = \"R\"", "priority 1"));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "b@x.example"})")),
            (std::vector<std::string>{"banking stops"}));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "i@x.example"})")),
            (std::vector<std::string>{"insurance stops"}));
  EXPECT_EQ(Fire(set, Conversation(R"("customer": {"email": "r@x.example"})")),
            (std::vector<std::string>{"everyone", "first of equals"}));
}

TEST_F(RuleIndexTest, ExplanationsStillCoverEveryRule) {
  std::shared_ptr<const RuleSet> set = Compile(Rule("support", "conversation.team = \"support\"") +
                                               Rule("sales", "conversation.team = \"sales\"", "stop") +
                                               Rule("last", "conversation.team = \"sales\"", "priority -1"));
  EvaluateOptions options;
  options.clock = &clock_;
  options.explain = true;
  EvaluationResult r = evaluator_.Evaluate(set, ReadEvent(Conversation(R"("team": "sales")")),
                                           cache_.sink().Snapshot(), options);
  ASSERT_EQ(r.explanations.size(), 3u);
  EXPECT_EQ(r.explanations[0].outcome, RuleExplanation::Outcome::kFalse);
  EXPECT_EQ(r.explanations[1].outcome, RuleExplanation::Outcome::kFired);
  EXPECT_EQ(r.explanations[2].outcome, RuleExplanation::Outcome::kNotReached);
  EXPECT_EQ(FiredNames(r), (std::vector<std::string>{"sales"}));
}

// ---------------------------------------------------------------------------------------------
// Differential: random rule sets and events, indexed against the linear scan.

struct FieldSpec {
  enum Kind { kPicklist, kText, kNumber, kBool, kId, kDate, kDateTime };
  std::string path;
  Kind kind;
  std::vector<std::string> literals;  // as written in a rule
};

class RandomRules {
 public:
  RandomRules(uint32_t seed, std::vector<FieldSpec> fields) : rng_(seed), fields_(std::move(fields)) {}

  std::string RuleSetText(int rules) {
    std::string text;
    for (int i = 0; i < rules; ++i) {
      std::string settings;
      if (Pick(3) > 0) settings += "priority " + std::to_string(static_cast<int>(Pick(4)) - 1);
      if (Pick(10) == 0) settings += " stop";
      std::string when;
      if (Pick(20) > 0) {
        const int conjuncts = 1 + static_cast<int>(Pick(3));
        for (int c = 0; c < conjuncts; ++c) when += (c ? " AND " : "") + Conjunct();
        if (Pick(10) == 0) when = "(" + when + ") OR " + Conjunct();
      }
      text += Rule("r" + std::to_string(i), when, settings);
    }
    return text;
  }

  uint32_t Pick(uint32_t n) { return std::uniform_int_distribution<uint32_t>(0, n - 1)(rng_); }
  std::mt19937& rng() { return rng_; }

 private:
  const std::string& Literal(const FieldSpec& f) { return f.literals[Pick(static_cast<uint32_t>(f.literals.size()))]; }
  static bool Ordered(const FieldSpec& f) {
    return f.kind == FieldSpec::kNumber || f.kind == FieldSpec::kDate || f.kind == FieldSpec::kDateTime;
  }

  std::string Conjunct() {
    const FieldSpec& f = fields_[Pick(static_cast<uint32_t>(fields_.size()))];
    switch (Pick(8)) {
      case 0:
      case 1:
      case 2: {  // comparison, sometimes with the literal first
        std::vector<std::string> ops = {"=", "="};
        if (f.kind != FieldSpec::kDateTime || Pick(2) == 0) ops.push_back("!=");
        if (Ordered(f)) ops.insert(ops.end(), {">", ">=", "<", "<="});
        if (f.kind == FieldSpec::kText && Pick(4) == 0) ops.push_back(">");
        const std::string& op = ops[Pick(static_cast<uint32_t>(ops.size()))];
        if (Pick(5) == 0) {
          std::string mirrored = op == ">" ? "<" : op == ">=" ? "<=" : op == "<" ? ">" : op == "<=" ? ">=" : op;
          return Literal(f) + " " + mirrored + " " + f.path;
        }
        return f.path + " " + op + " " + Literal(f);
      }
      case 3: {  // IN / NOT IN, sometimes with null
        if (f.kind == FieldSpec::kBool) return f.path + " = " + Literal(f);
        std::string list;
        const int n = 1 + static_cast<int>(Pick(3));
        for (int i = 0; i < n; ++i) list += (i ? ", " : "") + Literal(f);
        if (Pick(6) == 0) list += ", null";
        return f.path + (Pick(6) == 0 ? " NOT IN (" : " IN (") + list + ")";
      }
      case 4: {  // OR of equalities: on one field, or on two
        const FieldSpec& g = Pick(3) == 0 ? fields_[Pick(static_cast<uint32_t>(fields_.size()))] : f;
        return "(" + f.path + " = " + Literal(f) + " OR " + g.path + " = " + Literal(g) + ")";
      }
      case 5:
        return f.path + (Pick(2) ? " IS NULL" : " IS NOT NULL");
      case 6:
        if (f.kind == FieldSpec::kBool) return Pick(2) ? f.path : "NOT " + f.path;
        return f.path + (Pick(2) ? " = null" : " != null");
      default:
        return f.path + " = " + Literal(f);
    }
  }

  std::mt19937 rng_;
  std::vector<FieldSpec> fields_;
};

TEST_F(RuleIndexTest, RandomRuleSetsFireExactlyAsTheLinearScan) {
  const std::vector<std::string> account_ids = {"001000000000001", "001000000000002", "001000000000003",
                                                "001000000000004", "001Dn00001NRuOU"};
  std::vector<std::string> id_literals;
  for (const std::string& id : account_ids) {
    id_literals.push_back("\"" + id + "\"");
    std::string id18 = SfId::Parse(id)->To18();
    id_literals.push_back("\"" + id18 + "\"");
    for (char& c : id18) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    id_literals.push_back("\"" + id18 + "\"");
  }
  id_literals.push_back("\"001dn00001nruou\"");
  const std::vector<FieldSpec> fields = {
      {"Account.Industry", FieldSpec::kPicklist, {"\"Banking\"", "\"Insurance\"", "\"Retail\"", "\"Technology\""}},
      {"Account.Rating", FieldSpec::kPicklist, {"\"Hot\"", "\"Warm\"", "\"Cold\""}},
      {"Account.AnnualRevenue", FieldSpec::kNumber,
       {"0", "-5", "500000", "500000.5", "$1,000,000", "499999.999999999", "12"}},
      {"Account.NumberOfEmployees", FieldSpec::kNumber, {"0", "10", "100", "-1"}},
      {"Account.Name", FieldSpec::kText, {"\"Acme\"", "\"acme\"", "\"Globex\"", "\"\""}},
      {"Account.IsPartner", FieldSpec::kBool, {"true", "false"}},
      {"Account.Id", FieldSpec::kId, id_literals},
      {"Contact.AccountId", FieldSpec::kId, id_literals},
      {"Account.LastActivityDate", FieldSpec::kDate, {"2026-11-29", "2026-11-30", "2026-12-01"}},
      {"Account.CreatedDate", FieldSpec::kDateTime,
       {"2026-11-30T12:00:00Z", "2026-11-30T13:00:00+01:00", "2026-11-30T12:00:00.001Z"}},
      {"Contact.Title", FieldSpec::kText, {"\"CEO\"", "\"CTO\""}},
      {"conversation.team", FieldSpec::kText, {"\"support\"", "\"Support\"", "\"sales\""}},
      {"conversation.channel", FieldSpec::kText, {"\"phone\"", "\"web_chat\""}},
      {"conversation.message_count", FieldSpec::kNumber, {"0", "3", "10"}},
      {"conversation.started_at", FieldSpec::kDateTime, {"2026-11-30T12:00:00Z", "2026-01-01T00:00:00Z"}},
  };
  RandomRules gen(20261130, fields);
  auto maybe = [&](std::map<std::string, std::string>* record, const std::string& field,
                   const std::vector<std::string>& values) {
    if (gen.Pick(5) == 0) return;  // null
    (*record)[field] = values[gen.Pick(static_cast<uint32_t>(values.size()))];
  };
  std::vector<std::map<std::string, std::string>> accounts;
  for (const std::string& id : account_ids) {
    std::map<std::string, std::string> a{{"Id", id}, {"Name", "x"}};
    maybe(&a, "Name", {"Acme", "acme", "Globex", ""});
    maybe(&a, "Industry", {"Banking", "Insurance", "Retail", "Technology", "banking"});
    maybe(&a, "Rating", {"Hot", "Warm", "Cold"});
    maybe(&a, "AnnualRevenue", {"0", "-5", "500000", "500000.5", "1000000", "499999.999999999", "12"});
    maybe(&a, "NumberOfEmployees", {"0", "10", "100", "-1", "7"});
    maybe(&a, "IsPartner", {"true", "false"});
    maybe(&a, "LastActivityDate", {"2026-11-29", "2026-11-30", "2026-12-01", "2025-01-01"});
    maybe(&a, "CreatedDate", {"2026-11-30T12:00:00.000Z", "2026-11-30T12:00:00.001Z", "2020-01-01T00:00:00.000Z"});
    accounts.push_back(std::move(a));
  }
  cache_.Put("Account", accounts);
  std::vector<std::map<std::string, std::string>> contacts;
  for (int i = 0; i < 8; ++i) {
    std::map<std::string, std::string> c{{"Id", "00300000000000" + std::to_string(i)}, {"LastName", "C"},
                                         {"Email", "c" + std::to_string(i) + "@x.example"}};
    if (gen.Pick(6) > 0) c["AccountId"] = account_ids[gen.Pick(static_cast<uint32_t>(account_ids.size()))];
    maybe(&c, "Title", {"CEO", "CTO", "ceo"});
    contacts.push_back(std::move(c));
  }
  cache_.Put("Contact", contacts);

  auto event = [&] {
    std::string json = R"("customer": {"email": "c)" + std::to_string(gen.Pick(10)) + R"(@x.example"})";
    const std::vector<std::string> teams = {"support", "Support", "sales"};
    if (gen.Pick(4) > 0) json += R"(, "team": ")" + teams[gen.Pick(3)] + "\"";
    if (gen.Pick(4) > 0) json += gen.Pick(2) ? R"(, "channel": "phone")" : R"(, "channel": "web_chat")";
    const std::vector<std::string> counts = {"0", "3", "10", "11"};
    if (gen.Pick(4) > 0) json += R"(, "message_count": )" + counts[gen.Pick(4)];
    if (gen.Pick(4) > 0) json += gen.Pick(2) ? R"(, "started_at": "2026-11-30T12:00:00Z")"
                                               : R"(, "started_at": "2026-11-30T11:59:59.999Z")";
    return Conversation(json);
  };

  size_t fired = 0, evaluations = 0, indexed_rules = 0, rules = 0;
  for (int set_number = 0; set_number < 30; ++set_number) {
    const std::string text = gen.RuleSetText(80);
    std::shared_ptr<const RuleSet> set = Compile(text);
    ASSERT_NE(set, nullptr);
    const RuleIndex& index = set->IndexFor(Trigger::kConversationCreated);
    rules += index.size();
    indexed_rules += index.size() - index.always_count();
    for (int e = 0; e < 25; ++e) {
      const std::string json = event();
      fired += Fire(set, json).size();
      ++evaluations;
      if (HasFailure()) {
        ADD_FAILURE() << "rule set " << set_number << ":\n" << text;
        return;
      }
    }
  }
  // The comparison is not vacuous: most rules are indexed, and rules do fire.
  EXPECT_EQ(evaluations, 750u);
  EXPECT_GT(indexed_rules * 2, rules) << indexed_rules << " of " << rules;
  EXPECT_GT(fired, evaluations) << "rules fired: " << fired;
}

}  // namespace
}  // namespace cf::engine
