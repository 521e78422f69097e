// ParseLimits: every limit is a diagnostic pointing at the culprit, never a crash, and the
// documented sizes (200 levels, 1000 levels, 64 KiB literals) work. Run also under ASan: the
// parser's stack use must not grow with the nesting.
#include <gtest/gtest.h>

#include <string>

#include "grammar/condition_parser.h"

namespace cf::grammar {
namespace {

std::string Repeat(std::string_view piece, size_t n) {
  std::string out;
  out.reserve(piece.size() * n);
  for (size_t i = 0; i < n; ++i) out += piece;
  return out;
}

std::string NestedParens(size_t n) { return Repeat("(", n) + "a = 1" + Repeat(")", n); }

const char kTooDeep[] =
    "expression nests too deeply (more than 1000 levels); simplify it or split it into "
    "several rules";

TEST(ParseLimitsTest, TwoHundredNestedParenthesesParse) {
  ParseResult result = ParseCondition(NestedParens(200));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(DumpTree(*result.expression), "(= a 1)");
}

TEST(ParseLimitsTest, ExactlyMaxDepthNestedParenthesesParse) {
  ParseResult result = ParseCondition(NestedParens(1000));
  ASSERT_TRUE(result.ok());
  EXPECT_EQ(DumpTree(*result.expression), "(= a 1)");
}

TEST(ParseLimitsTest, OneLevelMoreThanMaxDepthIsRejectedAtTheCulprit) {
  ParseResult result = ParseCondition(NestedParens(1001));
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].message, kTooDeep);
  EXPECT_EQ(result.diagnostics[0].span.begin, 1000u);  // the 1001st '('
  EXPECT_EQ(result.diagnostics[0].span.end, 1001u);
}

TEST(ParseLimitsTest, NestedCallsAndInListsCountAsLevels) {
  std::string calls = Repeat("f(", 1000) + "1" + Repeat(")", 1000);
  ParseResult ok = ParseCondition(calls);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(DumpTree(*ok.expression).substr(0, 16), "(CALL F (CALL F ");
  EXPECT_EQ(ParseCondition("f(" + calls + ")").diagnostics.at(0).message, kTooDeep);

  std::string lists = "x" + Repeat(" IN (x", 1000) + Repeat(")", 1000);
  ASSERT_TRUE(ParseCondition(lists).ok());
  std::string deeper = "x" + Repeat(" IN (x", 1001) + Repeat(")", 1001);
  EXPECT_EQ(ParseCondition(deeper).diagnostics.at(0).message, kTooDeep);
}

TEST(ParseLimitsTest, PrefixChainsCountAsLevels) {
  ASSERT_TRUE(ParseCondition(Repeat("NOT ", 1000) + "a").ok());
  ASSERT_TRUE(ParseCondition(Repeat("-", 1000) + "1").ok());
  ASSERT_TRUE(ParseCondition(Repeat("NOT (", 500) + "a" + Repeat(")", 500)).ok());
  ParseResult result = ParseCondition(Repeat("!", 1001) + "a");
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].message, kTooDeep);
  EXPECT_EQ(result.diagnostics[0].span.begin, 1000u);
}

TEST(ParseLimitsTest, HundredThousandChainedNotsAreRejectedCleanly) {
  std::string text = Repeat("NOT ", 100000) + "a";
  ParseResult result = ParseCondition(text);
  ASSERT_FALSE(result.ok());
  ASSERT_EQ(result.diagnostics.size(), 1u);
  EXPECT_EQ(result.diagnostics[0].message, kTooDeep);
  EXPECT_EQ(result.diagnostics[0].span.begin, 4000u);
  // The formatter shows a window of the one-line text, not all 400 KB of it.
  EXPECT_LT(FormatDiagnostics({"c", text}, result.diagnostics).size(), 500u);
}

TEST(ParseLimitsTest, AMegabyteOfOpenParenthesesIsRejectedCleanly) {
  ParseResult result = ParseCondition(std::string(1024 * 1024, '('));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].message, kTooDeep);
}

TEST(ParseLimitsTest, SequentialNotsDoNotAddUp) {
  // Each NOT is finished before the next begins: depth stays 1.
  ParseLimits limits;
  limits.max_depth = 2;
  ParseResult result = ParseCondition(Repeat("NOT a AND ", 500) + "b", limits);
  EXPECT_TRUE(result.ok());
}

TEST(ParseLimitsTest, CustomMaxDepth) {
  ParseLimits limits;
  limits.max_depth = 3;
  EXPECT_TRUE(ParseCondition("((NOT a))", limits).ok());
  ParseResult result = ParseCondition("f((NOT NOT a))", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].message,
            "expression nests too deeply (more than 3 levels); simplify it or split it into "
            "several rules");
  EXPECT_EQ(result.diagnostics[0].span.begin, 7u);  // the second NOT
}

TEST(ParseLimitsTest, StringLiteralUpTo64KiB) {
  std::string body(64 * 1024, 'x');
  ParseResult ok = ParseCondition("a = '" + body + "'");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.expression->children[1].text.size(), body.size());

  ParseResult long_one = ParseCondition("a = '" + body + "x'");
  ASSERT_FALSE(long_one.ok());
  EXPECT_EQ(long_one.diagnostics[0].message,
            "string is too long (65537 bytes; the limit is 65536)");
  EXPECT_EQ(long_one.diagnostics[0].span.begin, 4u);
  EXPECT_EQ(long_one.diagnostics[0].span.end, 4u + body.size() + 3);
}

TEST(ParseLimitsTest, StringLimitCountsBytesAfterUnescaping) {
  // 128 KiB as written, 64 KiB of value.
  EXPECT_TRUE(ParseCondition("'" + Repeat("\\n", 64 * 1024) + "'").ok());
}

TEST(ParseLimitsTest, NumberLiteralLimit) {
  ParseLimits limits;
  limits.max_literal_bytes = 10;
  EXPECT_TRUE(ParseCondition("1234567890", limits).ok());
  EXPECT_EQ(ParseCondition("12345678901", limits).diagnostics.at(0).message,
            "number is too long (11 bytes; the limit is 10)");
}

TEST(ParseLimitsTest, NodeCount) {
  // x IN (1, ..., n) has n + 2 nodes.
  auto list = [](size_t n) {
    std::string text = "x IN (1";
    for (size_t i = 1; i < n; ++i) text += ",1";
    return text + ")";
  };
  EXPECT_TRUE(ParseCondition(list(99998)).ok());
  ParseResult result = ParseCondition(list(99999));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].message,
            "condition is too large (more than 100000 nodes); split it into several rules");
  EXPECT_EQ(result.diagnostics[0].span.begin, 6u + 2 * 99998);  // the last element
}

TEST(ParseLimitsTest, HugeExpressionOfManyCallsIsRejectedByNodeCount) {
  // Wide, not deep: 40000 arguments of 3 nodes each.
  std::string text = "f(" + Repeat("g(1, 2), ", 40000) + "0)";
  ParseResult result = ParseCondition(text);
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.diagnostics[0].message.find("more than 100000 nodes"), std::string::npos);
}

TEST(ParseLimitsTest, TreeHeight) {
  // A chain of n operands is n levels tall.
  auto chain = [](size_t n) { return "a" + Repeat(" OR a", n - 1); };
  ParseResult ok = ParseCondition(chain(2000));
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(DumpTree(*ok.expression).size(), 1999 * 4 + 1 + 1999 * 3);  // "(OR " a " a)"
  ParseResult tall = ParseCondition(chain(2001));
  ASSERT_FALSE(tall.ok());
  EXPECT_EQ(tall.diagnostics[0].message,
            "expression is too complex (its tree would be more than 2000 levels deep); simplify "
            "it or split it into several rules");
  EXPECT_EQ(tall.diagnostics[0].span.begin, 2000u * 5 - 3);  // the 2000th OR

  // 1000 nested levels each holding two operators: within max_depth, but 2001 levels tall.
  std::string mixed = Repeat("a + a * (", 1000) + "a" + Repeat(")", 1000);
  EXPECT_FALSE(ParseCondition(mixed).ok());
  ParseLimits limits;
  limits.max_tree_height = 3000;
  EXPECT_TRUE(ParseCondition(mixed, limits).ok());
}

TEST(ParseLimitsTest, TallestAllowedTreesCanBeCopiedDumpedAndDestroyed) {
  // Later stages recurse over trees up to max_tree_height; so do ~Node and DumpTree.
  std::string text = Repeat("NOT ", 999) + "a" + Repeat(" OR a", 999);
  ParseResult result = ParseCondition(text);
  ASSERT_TRUE(result.ok());
  Node copy = *result.expression;
  EXPECT_FALSE(DumpTree(copy).empty());
}

TEST(ParseLimitsTest, SourceSize) {
  ParseLimits limits;
  limits.max_source_bytes = 16;
  EXPECT_TRUE(ParseCondition("a = 123456789012", limits).ok());
  ParseResult result = ParseCondition("a = 1234567890123", limits);
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.diagnostics[0].message, "condition is too long (17 bytes; the limit is 16)");
  EXPECT_EQ(result.diagnostics[0].span.begin, 16u);
}

TEST(ParseLimitsTest, DefaultSourceLimitIsOneMebibyte) {
  std::string text = "a = 1" + std::string(1024 * 1024 - 5, ' ');
  EXPECT_TRUE(ParseCondition(text).ok());
  text += ' ';
  EXPECT_EQ(ParseCondition(text).diagnostics.at(0).message,
            "condition is too long (1048577 bytes; the limit is 1048576)");
}

}  // namespace
}  // namespace cf::grammar
