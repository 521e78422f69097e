// Golden files of the rule checker, one test per file:
//   tests/golden/rules_check/NAME.rule  a rule file that parses but must not check against the
//                                       example org; NAME.err holds the exact diagnostics,
//                                       the source named "NAME.rule".
// Each file is checked on its own (the folder as a whole is cf-rules' broken-folder test).
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

#include "connectors/salesforce/describe_json.h"
#include "engine/rule_set.h"
#include "tests/support/golden.h"

namespace cf::engine {
namespace {

namespace fs = std::filesystem;

fs::path GoldenDir() { return golden::GoldenDir("rules_check"); }
std::vector<std::string> ListCases() { return golden::ListCases("rules_check", ".rule"); }
using golden::CheckGolden;
using golden::ReadFile;
using golden::TestName;

std::shared_ptr<const Environment> ExampleOrg() {
  static const std::shared_ptr<const Environment> env = [] {
    std::string error;
    auto schema = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
    EXPECT_NE(schema, nullptr) << error;
    return MakeRuleEnvironment(schema);
  }();
  return env;
}


class RuleCheckGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(RuleCheckGoldenTest, MatchesErrorFile) {
  const std::string name = GetParam() + ".rule";
  RuleSetResult result = CompileRuleSet({{name, ReadFile(GoldenDir() / name)}}, ExampleOrg());
  EXPECT_FALSE(result.ok()) << name << " checked clean";
  std::string actual = result.FormatDiagnostics();
  const fs::path expected = GoldenDir() / (GetParam() + ".err");
  CheckGolden(expected, actual);
}

INSTANTIATE_TEST_SUITE_P(Golden, RuleCheckGoldenTest, testing::ValuesIn(ListCases()), TestName);

TEST(RuleCheckGoldenFilesTest, DirectoryHoldsCases) { EXPECT_GE(ListCases().size(), 15u); }

}  // namespace
}  // namespace cf::engine
