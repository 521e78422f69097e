// Bad input never crashes: the example rule files, mutated at random (fixed seed), go through
// the parser and the checker. Each result is either a rule set or diagnostics with spans
// inside the text.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "connectors/salesforce/describe_json.h"
#include "engine/rule_set.h"

namespace cf::engine {
namespace {

namespace fs = std::filesystem;

TEST(RuleMutationTest, MutatedExampleRulesNeverCrash) {
  std::string error;
  auto schema = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
  ASSERT_NE(schema, nullptr) << error;
  auto env = MakeRuleEnvironment(schema);

  std::vector<std::string> texts;
  for (const auto& entry : fs::directory_iterator(fs::path(CF_SOURCE_DIR) / "examples/rules")) {
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    texts.push_back(text.str());
  }
  ASSERT_FALSE(texts.empty());

  static constexpr const char* kPieces[] = {
      "(", ")", "{", "}", ",", "=", "\"", "'", "#", "\n", " AND ", " end ", " then ", "rule ",
      "as x", ".Id", "null", "$1,000", "IF(", "&", "Lead", "Case", "WhoId", "\xff", "\t"};
  std::mt19937 random(20261130);
  for (int i = 0; i < 3000; ++i) {
    std::string text = texts[random() % texts.size()];
    int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      size_t at = random() % text.size();
      switch (random() % 3) {
        case 0: text.erase(at, 1 + random() % 8); break;
        case 1: text.insert(at, kPieces[random() % std::size(kPieces)]); break;
        default: text[at] = static_cast<char>(random() % 128); break;
      }
    }
    RuleSetResult result = CompileRuleSet({{"m.rule", text}}, env);
    if (result.ok()) continue;
    ASSERT_FALSE(result.files.empty()) << text;
    for (const grammar::Diagnostic& d : result.files[0].diagnostics) {
      ASSERT_LE(d.span.begin, text.size()) << d.message << "\n" << text;
      ASSERT_LE(d.span.end, text.size()) << d.message << "\n" << text;
    }
    (void)result.FormatDiagnostics();
  }
}

}  // namespace
}  // namespace cf::engine
