// OpName and DumpTree on hand-built trees (the golden files cover parsed ones).
#include "grammar/ast.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace cf::grammar {
namespace {

Node Leaf(NodeKind kind, std::string text = {}) {
  Node node;
  node.kind = kind;
  node.text = std::move(text);
  return node;
}

Node Path(std::initializer_list<const char*> segments) {
  Node node;
  node.kind = NodeKind::kPath;
  for (const char* s : segments) node.path.push_back(PathSegment{s, {}});
  return node;
}

Node With(NodeKind kind, Op op, std::vector<Node> children) {
  Node node;
  node.kind = kind;
  node.op = op;
  node.children = std::move(children);
  return node;
}

TEST(OpNameTest, EveryOperatorHasItsSpelling) {
  const std::pair<Op, const char*> kNames[] = {
      {Op::kAnd, "AND"},      {Op::kOr, "OR"},         {Op::kNot, "NOT"},
      {Op::kNeg, "-"},        {Op::kEq, "="},          {Op::kNe, "!="},
      {Op::kLt, "<"},         {Op::kLe, "<="},         {Op::kGt, ">"},
      {Op::kGe, ">="},        {Op::kAdd, "+"},         {Op::kSub, "-"},
      {Op::kMul, "*"},        {Op::kDiv, "/"},         {Op::kConcat, "&"},
      {Op::kLike, "LIKE"},    {Op::kContains, "CONTAINS"}, {Op::kStartsWith, "STARTS WITH"},
      {Op::kEndsWith, "ENDS WITH"}, {Op::kNone, ""},
  };
  for (const auto& [op, name] : kNames) EXPECT_STREQ(OpName(op), name);
}

TEST(DumpTreeTest, Atoms) {
  Node currency = Leaf(NodeKind::kNumber, "1234.50");
  currency.currency = true;
  EXPECT_EQ(DumpTree(currency), "1234.50$");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kNumber, "12")), "12");
  Node yes = Leaf(NodeKind::kBool);
  yes.boolean_value = true;
  EXPECT_EQ(DumpTree(yes), "true");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kBool)), "false");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kNull)), "null");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kDate, "2024-01-31")), "#2024-01-31");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kDateTime, "2024-01-31T10:00:00Z")), "#2024-01-31T10:00:00Z");
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kDateLiteral, "THIS_QUARTER")), "THIS_QUARTER");
  Node last_n = Leaf(NodeKind::kDateLiteral, "LAST_N_DAYS");
  last_n.number = 7;
  EXPECT_EQ(DumpTree(last_n), "LAST_N_DAYS:7");
  EXPECT_EQ(DumpTree(Path({"Account", "Owner", "Name"})), "Account.Owner.Name");
}

TEST(DumpTreeTest, StringsAreEscapedCanonically) {
  EXPECT_EQ(DumpTree(Leaf(NodeKind::kString, "a\"b\\c\n\r\t\b\f\x01\x7f'é")),
            R"("a\"b\\c\n\r\t\b\f\x01\x7F'é")");
}

TEST(DumpTreeTest, EscapedWildcardsStayEscaped) {
  Node pattern = Leaf(NodeKind::kString, "50%_'x\"");
  pattern.raw_text = R"(50\%\_\'x")";
  EXPECT_EQ(DumpTree(pattern), R"("50\%\_'x\"")");
  Node plain = Leaf(NodeKind::kString, "50%");
  plain.raw_text = "50%";
  EXPECT_EQ(DumpTree(plain), R"("50%")");
}

TEST(DumpTreeTest, Operators) {
  Node a = Path({"a"});
  Node one = Leaf(NodeKind::kNumber, "1");
  EXPECT_EQ(DumpTree(With(NodeKind::kBinary, Op::kStartsWith, {a, Leaf(NodeKind::kString, "x")})),
            "(STARTS-WITH a \"x\")");
  EXPECT_EQ(DumpTree(With(NodeKind::kUnary, Op::kNeg, {one})), "(NEG 1)");
  EXPECT_EQ(DumpTree(With(NodeKind::kUnary, Op::kNot, {a})), "(NOT a)");
  Node in = With(NodeKind::kIn, Op::kNone, {a, one, Leaf(NodeKind::kNull)});
  EXPECT_EQ(DumpTree(in), "(IN a 1 null)");
  in.negated = true;
  EXPECT_EQ(DumpTree(in), "(NOT-IN a 1 null)");
  Node is_null = With(NodeKind::kIsNull, Op::kNone, {a});
  EXPECT_EQ(DumpTree(is_null), "(IS-NULL a)");
  is_null.negated = true;
  EXPECT_EQ(DumpTree(is_null), "(IS-NOT-NULL a)");
  Node call = With(NodeKind::kCall, Op::kNone, {});
  call.text = "TODAY";
  EXPECT_EQ(DumpTree(call), "(CALL TODAY)");
  call.text = "MAX";
  call.children = {a, one};
  EXPECT_EQ(DumpTree(call), "(CALL MAX a 1)");
}

}  // namespace
}  // namespace cf::grammar
