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

#include "grammar/rule_parser.h"

namespace cf::grammar {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir(const char* kind) { return fs::path(CF_SOURCE_DIR) / "tests/golden" / kind; }

std::vector<std::string> ListCases(const char* kind) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(GoldenDir(kind), error)) {
    if (entry.path().extension() == ".rule") names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

bool Updating() {
  const char* value = std::getenv("CF_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

void CheckGolden(const fs::path& expected_path, const std::string& actual) {
  if (Updating()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path))
      << expected_path << " is missing; run with CF_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(ReadFile(expected_path), actual) << "golden file: " << expected_path;
}

std::string TestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

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
