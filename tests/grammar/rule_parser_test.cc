// ParseRuleFile: positions of embedded expressions, limits, and inputs that must not crash.
#include <gtest/gtest.h>

#include <string>

#include "grammar/rule_parser.h"

namespace cf::grammar {
namespace {

std::string Text(std::string_view source, SourceSpan span) {
  return std::string(source.substr(span.begin, span.end - span.begin));
}

TEST(RuleParserTest, EmbeddedExpressionsKeepFilePositions) {
  const std::string text =
      "# comment\n"
      "rule \"r\" on conversation.created\n"
      "  when Account.AnnualRevenue > $500,000   # trailing\n"
      "then\n"
      "  create Lead as lead { LastName = \"a\" & conversation.id,\n"
      "    Company = \"b\" }\n"
      "end\n";
  RuleParseResult result = ParseRuleFile(text);
  ASSERT_TRUE(result.ok()) << FormatDiagnostics({"t", text}, result.diagnostics);
  const Rule& rule = result.file->rules.at(0);
  EXPECT_EQ(Text(text, rule.condition->span), "Account.AnnualRevenue > $500,000");
  EXPECT_EQ(Text(text, rule.triggers[0].span), "conversation.created");
  const RuleAction& create = rule.actions.at(0);
  EXPECT_EQ(Text(text, create.object.span), "Lead");
  EXPECT_EQ(Text(text, create.alias.span), "lead");
  ASSERT_EQ(create.assignments.size(), 2u);
  EXPECT_EQ(Text(text, create.assignments[0].span), "LastName = \"a\" & conversation.id");
  EXPECT_EQ(Text(text, create.assignments[0].value.span), "\"a\" & conversation.id");
  EXPECT_EQ(Text(text, create.assignments[1].field.span), "Company");
}

TEST(RuleParserTest, EmptyAndCommentOnlyFilesHoldNoRules) {
  for (const char* text : {"", "   \n", "# only a comment\n# another"}) {
    RuleParseResult result = ParseRuleFile(text);
    ASSERT_TRUE(result.ok()) << text;
    EXPECT_TRUE(result.file->rules.empty());
  }
}

TEST(RuleParserTest, DeepNestingIsADiagnosticNotACrash) {
  std::string deep(200000, '(');
  std::string text = "rule \"r\" on call.ended then add tag " + deep + "\"a\" end\n";
  RuleParseResult result = ParseRuleFile(text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.diagnostics[0].message.find("nest"), std::string::npos)
      << result.diagnostics[0].message;
}

TEST(RuleParserTest, LimitsAreDiagnostics) {
  RuleParseLimits limits;
  limits.max_rules = 2;
  std::string rule = "rule \"r\" on call.ended then add tag \"a\" end\n";
  RuleParseResult too_many = ParseRuleFile(rule + rule + rule, limits);
  ASSERT_FALSE(too_many.ok());
  EXPECT_EQ(too_many.diagnostics[0].message, "too many rules in one file (the limit is 2)");
  EXPECT_EQ(too_many.diagnostics[0].span.begin, 2 * rule.size());

  limits = {};
  limits.max_file_bytes = 10;
  RuleParseResult too_long = ParseRuleFile(rule, limits);
  ASSERT_FALSE(too_long.ok());
  EXPECT_NE(too_long.diagnostics[0].message.find("too long"), std::string::npos);

  limits = {};
  limits.max_assignments = 1;
  RuleParseResult fields = ParseRuleFile(
      "rule \"r\" on call.ended then create Lead { A = 1, B = 2 } end", limits);
  ASSERT_FALSE(fields.ok());
  EXPECT_NE(fields.diagnostics[0].message.find("too many fields"), std::string::npos);
}

TEST(RuleParserTest, ManyRulesParse) {
  std::string text;
  for (int i = 0; i < 5000; ++i) {
    text += "rule \"r" + std::to_string(i) + "\" on call.ended when call.duration_seconds > " +
            std::to_string(i) + " then add tag \"t\" end\n";
  }
  RuleParseResult result = ParseRuleFile(text);
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(result.file->rules.size(), 5000u);
}

TEST(RuleParserTest, TruncatedFilesNeverCrash) {
  const std::string text =
      "rule \"r\" on conversation.created, call.ended when (A.B > 1 OR C IN (\"x\", 'y'))\n"
      "priority -3 stop disabled then\n"
      "  create Lead as l { LastName = IF(a, \"b\", \"c\"), Company = 'd' }\n"
      "  upsert Lead by Ext__c as m { Ext__c = 1 }\n"
      "  log task on l, Case { Subject = \"s\" }\n"
      "  route to team \"t\" add tag \"g\" set priority \"p\" notify \"n\" with \"m\"\n"
      "end\n";
  ASSERT_TRUE(ParseRuleFile(text).ok());
  for (size_t n = 0; n < text.size(); ++n) {
    RuleParseResult result = ParseRuleFile(text.substr(0, n));
    if (!result.ok()) {
      ASSERT_FALSE(result.diagnostics.empty()) << n;
      EXPECT_LE(result.diagnostics[0].span.begin, n);
    }
  }
}

}  // namespace
}  // namespace cf::grammar
