// ParseCondition: node contents, spans, keyword tables and error positions. The golden files
// (golden_test.cc) cover the tree shapes and the exact error texts of many more inputs.
#include "grammar/condition_parser.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace cf::grammar {
namespace {

std::string Dump(std::string_view text) {
  ParseResult result = ParseCondition(text);
  if (!result.ok()) {
    return "error: " + (result.diagnostics.empty() ? std::string("?")
                                                   : result.diagnostics[0].message);
  }
  return DumpTree(*result.expression);
}

Node ParseOk(std::string_view text, uint32_t base_offset = 0) {
  ParseResult result = ParseCondition(text, {}, base_offset);
  EXPECT_TRUE(result.ok()) << FormatDiagnostics({"<test>", text}, result.diagnostics);
  return result.ok() ? *result.expression : Node{};
}

Diagnostic FirstError(std::string_view text) {
  ParseResult result = ParseCondition(text);
  EXPECT_FALSE(result.ok()) << text;
  return result.diagnostics.empty() ? Diagnostic{} : result.diagnostics[0];
}

std::string_view Slice(std::string_view text, SourceSpan span, uint32_t base_offset = 0) {
  return text.substr(span.begin - base_offset, span.end - span.begin);
}

TEST(ConditionParserTest, NumberKeepsItsDigits) {
  Node node = ParseOk("1234.50");
  EXPECT_EQ(node.kind, NodeKind::kNumber);
  EXPECT_EQ(node.text, "1234.50");
  EXPECT_FALSE(node.currency);
}

TEST(ConditionParserTest, CurrencyDropsDollarAndCommas) {
  Node node = ParseOk("$1,234,567.50");
  EXPECT_EQ(node.kind, NodeKind::kNumber);
  EXPECT_EQ(node.text, "1234567.50");
  EXPECT_TRUE(node.currency);
  EXPECT_EQ(ParseOk("$500000").text, "500000");
}

TEST(ConditionParserTest, StringTextResolvesEscapesAndRawTextKeepsThem) {
  Node node = ParseOk(R"('it\'s \"50\%\" of a\_b\\c\n\t')");
  EXPECT_EQ(node.kind, NodeKind::kString);
  EXPECT_EQ(node.text, "it's \"50%\" of a_b\\c\n\t");
  EXPECT_EQ(node.raw_text, R"(it\'s \"50\%\" of a\_b\\c\n\t)");
}

TEST(ConditionParserTest, StringsMayHoldAnyUtf8) {
  EXPECT_EQ(ParseOk("\"Zürich – 東京 😀\"").text, "Zürich – 東京 😀");
}

TEST(ConditionParserTest, BooleansAndNullAreCaseInsensitive) {
  EXPECT_TRUE(ParseOk("TRUE").boolean_value);
  EXPECT_TRUE(ParseOk("tRuE").boolean_value);
  Node no = ParseOk("False");
  EXPECT_EQ(no.kind, NodeKind::kBool);
  EXPECT_FALSE(no.boolean_value);
  EXPECT_EQ(ParseOk("nULL").kind, NodeKind::kNull);
}

TEST(ConditionParserTest, DatesAndDateTimesKeepTheirText) {
  Node date = ParseOk("2024-02-29");
  EXPECT_EQ(date.kind, NodeKind::kDate);
  EXPECT_EQ(date.text, "2024-02-29");
  for (const char* text : {"2024-03-31T10:00:00Z", "2024-03-31T10:00:00.000Z",
                           "2024-03-31T23:59:59+02:00", "2024-03-31T00:00:00-0530",
                           "2024-03-31T10:00:00.5+14:00"}) {
    Node node = ParseOk(text);
    EXPECT_EQ(node.kind, NodeKind::kDateTime) << text;
    EXPECT_EQ(node.text, text);
  }
}

// Guards the no_case symbol table: every date literal, in every case, with and without ':n'.
TEST(ConditionParserTest, EveryDateLiteralIsRecognisedInAnyCase) {
  const struct {
    const char* name;
    bool takes_n;
  } kLiterals[] = {
      {"YESTERDAY", false},       {"TODAY", false},           {"TOMORROW", false},
      {"LAST_WEEK", false},       {"THIS_WEEK", false},       {"NEXT_WEEK", false},
      {"LAST_MONTH", false},      {"THIS_MONTH", false},      {"NEXT_MONTH", false},
      {"LAST_90_DAYS", false},    {"NEXT_90_DAYS", false},    {"LAST_QUARTER", false},
      {"THIS_QUARTER", false},    {"NEXT_QUARTER", false},    {"LAST_YEAR", false},
      {"THIS_YEAR", false},       {"NEXT_YEAR", false},       {"LAST_N_DAYS", true},
      {"NEXT_N_DAYS", true},      {"N_DAYS_AGO", true},       {"N_DAYS_FROM_NOW", true},
      {"LAST_N_WEEKS", true},     {"NEXT_N_WEEKS", true},     {"N_WEEKS_AGO", true},
      {"N_WEEKS_FROM_NOW", true}, {"LAST_N_MONTHS", true},    {"NEXT_N_MONTHS", true},
      {"N_MONTHS_AGO", true},     {"N_MONTHS_FROM_NOW", true}, {"LAST_N_QUARTERS", true},
      {"NEXT_N_QUARTERS", true},  {"N_QUARTERS_AGO", true},   {"N_QUARTERS_FROM_NOW", true},
      {"LAST_N_YEARS", true},     {"NEXT_N_YEARS", true},     {"N_YEARS_AGO", true},
      {"N_YEARS_FROM_NOW", true},
  };
  for (const auto& literal : kLiterals) {
    std::string upper = literal.name;
    std::string lower = upper;
    std::string mixed = upper;
    for (size_t i = 0; i < upper.size(); ++i) {
      lower[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(upper[i])));
      if (i % 2 == 1) mixed[i] = lower[i];
    }
    for (const std::string& spelling : {upper, lower, mixed}) {
      std::string text = spelling + (literal.takes_n ? ":12" : "");
      Node node = ParseOk(text);
      EXPECT_EQ(node.kind, NodeKind::kDateLiteral) << text;
      EXPECT_EQ(node.text, upper) << text;
      EXPECT_EQ(node.number, literal.takes_n ? 12 : -1) << text;
      // As the start of a longer identifier it is a field.
      EXPECT_EQ(ParseOk(spelling + "_x").kind, NodeKind::kPath) << spelling;
    }
  }
}

TEST(ConditionParserTest, DateLiteralNumberBounds) {
  EXPECT_EQ(ParseOk("LAST_N_DAYS:0").number, 0);
  EXPECT_EQ(ParseOk("LAST_N_DAYS:100000").number, 100000);
  EXPECT_EQ(ParseOk("LAST_N_DAYS:000007").number, 7);
  EXPECT_EQ(FirstError("LAST_N_DAYS:100001").message, "LAST_N_DAYS:n takes n from 0 to 100000");
  EXPECT_EQ(FirstError("LAST_N_DAYS:99999999999999999999999").message,
            "LAST_N_DAYS:n takes n from 0 to 100000");
}

TEST(ConditionParserTest, KeywordsAreCaseInsensitive) {
  const std::string expected =
      "(OR (AND (NOT (LIKE a \"x\")) (IS-NOT-NULL b)) (NOT-IN c 1 2))";
  EXPECT_EQ(Dump("NOT a LIKE 'x' AND b IS NOT NULL OR c NOT IN (1, 2)"), expected);
  EXPECT_EQ(Dump("not a like 'x' and b is not null or c not in (1, 2)"), expected);
  EXPECT_EQ(Dump("Not a Like 'x' And b Is Not Null Or c Not In (1, 2)"), expected);
  EXPECT_EQ(Dump("a starts with 'x' || a Ends With 'y' && a contains 'z'"),
            "(OR (STARTS-WITH a \"x\") (AND (ENDS-WITH a \"y\") (CONTAINS a \"z\")))");
}

TEST(ConditionParserTest, KeywordsAreNotPrefixesOfIdentifiers) {
  EXPECT_EQ(Dump("ANDroid AND Account.ORDERS__c OR NOTE = ISLAND"),
            "(OR (AND ANDroid Account.ORDERS__c) (= NOTE ISLAND))");
  EXPECT_EQ(Dump("INx IN (Nullable, TRUEish, likely)"), "(IN INx Nullable TRUEish likely)");
}

TEST(ConditionParserTest, ReservedWordsAreFieldsAfterADot) {
  EXPECT_EQ(Dump("Account.Today = Account.Not.Null"), "(= Account.Today Account.Not.Null)");
}

TEST(ConditionParserTest, CallNamesAreUpperCasedAndMayBeReservedFunctions) {
  Node node = ParseOk("isBlank(x)");
  EXPECT_EQ(node.kind, NodeKind::kCall);
  EXPECT_EQ(node.text, "ISBLANK");
  EXPECT_EQ(Dump("contains(a, 'b') AND today() = TODAY"),
            "(AND (CALL CONTAINS a \"b\") (= (CALL TODAY) TODAY))");
  EXPECT_EQ(Dump("NOW ( )"), "(CALL NOW)");
}

TEST(ConditionParserTest, PathSegmentsAndSpans) {
  std::string text = "  Contact.Account.Owner__r.Name  ";
  Node node = ParseOk(text);
  ASSERT_EQ(node.kind, NodeKind::kPath);
  ASSERT_EQ(node.path.size(), 4u);
  EXPECT_EQ(node.path[0].name, "Contact");
  EXPECT_EQ(node.path[2].name, "Owner__r");
  EXPECT_EQ(Slice(text, node.span), "Contact.Account.Owner__r.Name");
  for (const PathSegment& segment : node.path) {
    EXPECT_EQ(Slice(text, segment.span), segment.name);
  }
}

TEST(ConditionParserTest, SpansCoverOperandsAndOperators) {
  std::string text = "NOT (a.b = 'x') AND f(1, -c) >= $1,000 OR d IN (1,2) OR e IS NOT NULL";
  Node root = ParseOk(text);
  EXPECT_EQ(Slice(text, root.span), text);
  ASSERT_EQ(root.children.size(), 2u);
  const Node& first_or = root.children[0];
  EXPECT_EQ(Slice(text, first_or.span),
            "NOT (a.b = 'x') AND f(1, -c) >= $1,000 OR d IN (1,2)");
  const Node& conjunction = first_or.children[0];
  EXPECT_EQ(Slice(text, conjunction.span), "NOT (a.b = 'x') AND f(1, -c) >= $1,000");
  const Node& negation = conjunction.children[0];
  EXPECT_EQ(Slice(text, negation.span), "NOT (a.b = 'x')");
  // A parenthesised node's own span excludes the parentheses.
  EXPECT_EQ(Slice(text, negation.children[0].span), "a.b = 'x'");
  EXPECT_EQ(Slice(text, negation.children[0].children[1].span), "'x'");
  const Node& comparison = conjunction.children[1];
  EXPECT_EQ(Slice(text, comparison.span), "f(1, -c) >= $1,000");
  EXPECT_EQ(Slice(text, comparison.children[0].span), "f(1, -c)");
  EXPECT_EQ(Slice(text, comparison.children[0].children[1].span), "-c");
  EXPECT_EQ(Slice(text, comparison.children[1].span), "$1,000");
  EXPECT_EQ(Slice(text, first_or.children[1].span), "d IN (1,2)");
  EXPECT_EQ(Slice(text, root.children[1].span), "e IS NOT NULL");
}

TEST(ConditionParserTest, SpansIncludeParenthesesAroundOperands) {
  std::string text = "(a) + ((b))";
  Node root = ParseOk(text);
  EXPECT_EQ(Slice(text, root.span), "(a) + ((b))");
  EXPECT_EQ(Slice(text, root.children[0].span), "a");
  EXPECT_EQ(Slice(text, root.children[1].span), "b");
}

TEST(ConditionParserTest, BaseOffsetShiftsEverySpan) {
  constexpr uint32_t kBase = 1000;
  std::string text = "a.b = 'x'";
  Node root = ParseOk(text, kBase);
  EXPECT_EQ(root.span.begin, kBase);
  EXPECT_EQ(root.span.end, kBase + text.size());
  EXPECT_EQ(Slice(text, root.children[0].path[1].span, kBase), "b");
  EXPECT_EQ(Slice(text, root.children[1].span, kBase), "'x'");

  ParseResult failed = ParseCondition("a = ", {}, kBase);
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.diagnostics[0].span.begin, kBase + 3);
}

TEST(ConditionParserTest, CommentsAndLineBreaksAreSkipped) {
  std::string text = "# leading comment\n  a = 1   # trailing\n\tAND # between\r\n b = 2 #";
  EXPECT_EQ(Dump(text), "(AND (= a 1) (= b 2))");
  Node root = ParseOk(text);
  EXPECT_EQ(Slice(text, root.span), "a = 1   # trailing\n\tAND # between\r\n b = 2");
}

TEST(ConditionParserTest, HashInsideAStringIsNotAComment) {
  EXPECT_EQ(ParseOk("'#1 # not a comment'").text, "#1 # not a comment");
}

TEST(ConditionParserTest, ErrorPointsAfterTheOperatorAtTheEnd) {
  Diagnostic error = FirstError("a >   # nothing follows\n");
  EXPECT_EQ(error.message, "expected a value after '>'");
  EXPECT_EQ(error.span.begin, 3u);
  EXPECT_EQ(error.span.end, 3u);
}

TEST(ConditionParserTest, ErrorSpansTheFoundToken) {
  Diagnostic error = FirstError("a = AND b");
  EXPECT_EQ(error.message, "expected a value after '=', found 'AND'");
  EXPECT_EQ(error.span.begin, 4u);
  EXPECT_EQ(error.span.end, 7u);
}

TEST(ConditionParserTest, BadEscapePointsAtTheBackslash) {
  Diagnostic error = FirstError(R"(x = "ab\qc")");
  EXPECT_EQ(error.message, "unknown escape sequence '\\q' in a string");
  EXPECT_EQ(error.span.begin, 7u);
  EXPECT_EQ(error.span.end, 9u);
}

TEST(ConditionParserTest, UnclosedParenthesisAddsANoteAtTheOpener) {
  ParseResult result = ParseCondition("x = (1 + 2");
  ASSERT_EQ(result.diagnostics.size(), 2u);
  EXPECT_EQ(result.diagnostics[0].severity, Severity::kError);
  EXPECT_EQ(result.diagnostics[0].message, "expected ')' to close '('");
  EXPECT_EQ(result.diagnostics[0].span.begin, 10u);
  EXPECT_EQ(result.diagnostics[1].severity, Severity::kNote);
  EXPECT_EQ(result.diagnostics[1].span.begin, 4u);
  EXPECT_TRUE(HasErrors(result.diagnostics));
}

TEST(ConditionParserTest, InvalidUtf8IsRejected) {
  Diagnostic error = FirstError("a = 'caf\xC3'");
  EXPECT_EQ(error.message, "the condition is not valid UTF-8 (byte 0xC3)");
  EXPECT_EQ(error.span.begin, 8u);
  EXPECT_EQ(FirstError("a = '\xED\xA0\x80'").message,
            "the condition is not valid UTF-8 (byte 0xED)");  // a surrogate
  EXPECT_EQ(FirstError("a = '\xC0\xAF'").message,
            "the condition is not valid UTF-8 (byte 0xC0)");  // overlong
}

TEST(ConditionParserTest, EmptyAndBlankConditions) {
  EXPECT_EQ(FirstError("").message, "empty condition");
  EXPECT_EQ(FirstError("  \n\t# only a comment\n").message, "empty condition");
}

TEST(ConditionParserTest, StrayBytesAreDescribed) {
  EXPECT_EQ(FirstError(std::string_view("a = \0", 5)).message,
            "expected a value after '=', found the control character U+0000");
  EXPECT_EQ(FirstError("a = é").message, "expected a value after '=', found 'é'");
}

TEST(ConditionParserTest, ResultsAreIndependentOfEachOther) {
  // No shared state: parse the same text twice, and a failure between, and compare.
  std::string first = Dump("a = 1 AND b IN (2, 3)");
  EXPECT_EQ(Dump("a = = 1").substr(0, 6), "error:");
  EXPECT_EQ(Dump("a = 1 AND b IN (2, 3)"), first);
}

TEST(ConditionParserTest, ParsesConcurrentlyFromManyThreads) {
  // Run under the tsan preset to check for races on the shared keyword tables.
  const std::string expected = Dump("NOT a.b IN (1, 'x') AND c STARTS WITH 'y' OR f(TODAY) > 2");
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        if (Dump("NOT a.b IN (1, 'x') AND c STARTS WITH 'y' OR f(TODAY) > 2") != expected) {
          ++mismatches[t];
        }
        ParseCondition("a = = 1");  // failures share nothing either
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int count : mismatches) EXPECT_EQ(count, 0);
}

}  // namespace
}  // namespace cf::grammar
