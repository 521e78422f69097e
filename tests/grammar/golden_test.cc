// Golden files, one test per file:
//   tests/golden/parse/NAME.cond   conditions separated by blank lines (a condition may span
//                                  several lines); NAME.tree holds one DumpTree line each.
//   tests/golden/syntax/NAME.cond  one condition that must fail; NAME.err holds the exact
//                                  FormatDiagnostics output, the source named "NAME.cond".
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

#include "grammar/condition_parser.h"

namespace cf::grammar {
namespace {

namespace fs = std::filesystem;

using golden::CheckGolden;
using golden::GoldenDir;
using golden::ReadFile;
using golden::TestName;
std::vector<std::string> ListCases(const char* kind) { return golden::ListCases(kind, ".cond"); }

// Spans of a parsed tree stay inside the condition and children stay inside their parent.
void CheckSpans(const Node& node, SourceSpan outer, const std::string& where) {
  EXPECT_LE(node.span.begin, node.span.end) << where;
  EXPECT_GE(node.span.begin, outer.begin) << where;
  EXPECT_LE(node.span.end, outer.end) << where;
  for (const Node& child : node.children) CheckSpans(child, node.span, where);
  for (const PathSegment& segment : node.path) {
    EXPECT_GE(segment.span.begin, node.span.begin) << where;
    EXPECT_LE(segment.span.end, node.span.end) << where;
  }
}

class ParseGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(ParseGoldenTest, MatchesTreeFile) {
  const fs::path dir = GoldenDir("parse");
  const std::string name = GetParam() + ".cond";
  const std::string text = ReadFile(dir / name);

  // Split at blank lines, keeping each condition's offset for spans and messages.
  std::string trees;
  size_t begin = std::string::npos;
  size_t line_start = 0;
  auto finish = [&](size_t end) {
    if (begin == std::string::npos) return;
    std::string_view condition = std::string_view(text).substr(begin, end - begin);
    ParseResult result = ParseCondition(condition, {}, static_cast<uint32_t>(begin));
    if (result.ok()) {
      trees += DumpTree(*result.expression) + "\n";
      CheckSpans(*result.expression,
                 {static_cast<uint32_t>(begin), static_cast<uint32_t>(end)},
                 name + " at byte " + std::to_string(begin));
    } else {
      std::string message = FormatDiagnostics({name, text}, result.diagnostics);
      ADD_FAILURE() << message;
      trees += "ERROR " + message;
    }
    begin = std::string::npos;
  };
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string_view line = std::string_view(text).substr(line_start, line_end - line_start);
    bool blank = line.find_first_not_of(" \t\r") == std::string_view::npos;
    if (blank) {
      finish(line_start);
    } else if (begin == std::string::npos) {
      begin = line_start;
    }
    line_start = line_end + 1;
  }
  finish(text.size());
  CheckGolden(dir / (GetParam() + ".tree"), trees);
}

INSTANTIATE_TEST_SUITE_P(Golden, ParseGoldenTest, testing::ValuesIn(ListCases("parse")),
                         TestName);

class SyntaxGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(SyntaxGoldenTest, MatchesErrorFile) {
  const fs::path dir = GoldenDir("syntax");
  const std::string name = GetParam() + ".cond";
  const std::string text = ReadFile(dir / name);
  ParseResult result = ParseCondition(text);
  EXPECT_FALSE(result.ok()) << name << " parsed as " << DumpTree(*result.expression);
  EXPECT_TRUE(HasErrors(result.diagnostics));
  CheckGolden(dir / (GetParam() + ".err"), FormatDiagnostics({name, text}, result.diagnostics));
}

INSTANTIATE_TEST_SUITE_P(Golden, SyntaxGoldenTest, testing::ValuesIn(ListCases("syntax")),
                         TestName);

// Guards against an empty or misplaced golden directory silently running no tests.
TEST(GoldenFilesTest, BothDirectoriesHoldCases) {
  EXPECT_GE(ListCases("parse").size(), 5u);
  EXPECT_GE(ListCases("syntax").size(), 25u);
}

}  // namespace
}  // namespace cf::grammar
