// Golden files of the rule-file parser, one test per file:
//   tests/golden/rules_parse/NAME.rule   a rule file that must parse; NAME.tree holds its
//                                        DumpRuleFile rendering.
//   tests/golden/rules_syntax/NAME.rule  a rule file that must fail; NAME.err holds the exact
//                                        FormatDiagnostics output, the source named "NAME.rule".
// CF_UPDATE_GOLDEN=1 rewrites the expected files from the actual output; review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/golden.h"

#include "grammar/rule_parser.h"

namespace cf::grammar {
namespace {

namespace fs = std::filesystem;

using golden::CheckGolden;
using golden::GoldenDir;
using golden::ReadFile;
using golden::TestName;
std::vector<std::string> ListCases(const char* kind) { return golden::ListCases(kind, ".rule"); }

class RuleParseGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(RuleParseGoldenTest, MatchesTreeFile) {
  const fs::path dir = GoldenDir("rules_parse");
  const std::string name = GetParam() + ".rule";
  const std::string text = ReadFile(dir / name);
  RuleParseResult result = ParseRuleFile(text);
  std::string actual;
  if (result.ok()) {
    actual = DumpRuleFile(*result.file);
  } else {
    actual = "ERROR " + FormatDiagnostics({name, text}, result.diagnostics);
    ADD_FAILURE() << actual;
  }
  CheckGolden(dir / (GetParam() + ".tree"), actual);
}

INSTANTIATE_TEST_SUITE_P(Golden, RuleParseGoldenTest, testing::ValuesIn(ListCases("rules_parse")),
                         TestName);

class RuleSyntaxGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(RuleSyntaxGoldenTest, MatchesErrorFile) {
  const fs::path dir = GoldenDir("rules_syntax");
  const std::string name = GetParam() + ".rule";
  const std::string text = ReadFile(dir / name);
  RuleParseResult result = ParseRuleFile(text);
  EXPECT_FALSE(result.ok()) << name << " parsed as\n" << DumpRuleFile(*result.file);
  EXPECT_TRUE(HasErrors(result.diagnostics));
  CheckGolden(dir / (GetParam() + ".err"), FormatDiagnostics({name, text}, result.diagnostics));
}

INSTANTIATE_TEST_SUITE_P(Golden, RuleSyntaxGoldenTest,
                         testing::ValuesIn(ListCases("rules_syntax")), TestName);

// Guards against an empty or misplaced golden directory silently running no tests.
TEST(RuleGoldenFilesTest, BothDirectoriesHoldCases) {
  EXPECT_GE(ListCases("rules_parse").size(), 3u);
  EXPECT_GE(ListCases("rules_syntax").size(), 15u);
}

}  // namespace
}  // namespace cf::grammar
