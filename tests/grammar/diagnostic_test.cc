// LocateOffset, FormatDiagnostic(s) and HasErrors: the exact rendering documented in
// grammar/diagnostic.h.
#include "grammar/diagnostic.h"

#include <gtest/gtest.h>

#include <string>

namespace cf::grammar {
namespace {

Diagnostic Error(uint32_t begin, uint32_t end, std::string message, std::string hint = {}) {
  Diagnostic d;
  d.span = {begin, end};
  d.message = std::move(message);
  d.hint = std::move(hint);
  return d;
}

TEST(LocateOffsetTest, LinesAndColumnsStartAtOne) {
  std::string_view text = "ab\ncd\n\nef";
  EXPECT_EQ(LocateOffset(text, 0).line, 1);
  EXPECT_EQ(LocateOffset(text, 0).column, 1);
  EXPECT_EQ(LocateOffset(text, 2).column, 3);  // the '\n' itself
  EXPECT_EQ(LocateOffset(text, 3).line, 2);
  EXPECT_EQ(LocateOffset(text, 3).column, 1);
  EXPECT_EQ(LocateOffset(text, 6).line, 3);
  EXPECT_EQ(LocateOffset(text, 8).line, 4);
  EXPECT_EQ(LocateOffset(text, 8).column, 2);
}

TEST(LocateOffsetTest, ColumnsCountCodePoints) {
  std::string_view text = "é = 'ü東😀x'";
  // é is 2 bytes, ü 2, 東 3, 😀 4.
  EXPECT_EQ(LocateOffset(text, 2).column, 2);   // after é
  EXPECT_EQ(LocateOffset(text, 6).column, 6);   // ü
  EXPECT_EQ(LocateOffset(text, 8).column, 7);   // 東
  EXPECT_EQ(LocateOffset(text, 11).column, 8);  // 😀
  EXPECT_EQ(LocateOffset(text, 15).column, 9);  // x
}

TEST(LocateOffsetTest, OffsetsPastTheEndClamp) {
  EXPECT_EQ(LocateOffset("abc", 99).column, 4);
  EXPECT_EQ(LocateOffset("", 5).line, 1);
  EXPECT_EQ(LocateOffset("", 5).column, 1);
}

TEST(FormatDiagnosticTest, MatchesTheDocumentedExample) {
  std::string text = "# VIP accounts\nrule vip\n  when Account.Revnue > 500000\n";
  uint32_t begin = static_cast<uint32_t>(text.find("Revnue"));
  Diagnostic d = Error(begin, begin + 6, "unknown field 'Revnue' on Account",
                       "did you mean 'AnnualRevenue'?");
  EXPECT_EQ(FormatDiagnostic({"rules/vip.rule", text}, d),
            "rules/vip.rule:3:16: error: unknown field 'Revnue' on Account\n"
            "      when Account.Revnue > 500000\n"
            "                   ^~~~~~\n"
            "hint: did you mean 'AnnualRevenue'?\n");
}

TEST(FormatDiagnosticTest, EmptySpanIsALoneCaret) {
  EXPECT_EQ(FormatDiagnostic({"c", "a >"}, Error(3, 3, "expected a value after '>'")),
            "c:1:4: error: expected a value after '>'\n"
            "    a >\n"
            "       ^\n");
}

TEST(FormatDiagnosticTest, TabsAreKeptInTheCaretLine) {
  EXPECT_EQ(FormatDiagnostic({"c", "\ta =\t\tbad"}, Error(6, 9, "m")),
            "c:1:7: error: m\n"
            "    \ta =\t\tbad\n"
            "    \t   \t\t^~~\n");
}

TEST(FormatDiagnosticTest, Utf8CodePointsAreOneColumnEach) {
  std::string text = "Name = 'Zürich' AND 東京 = 1";
  uint32_t begin = static_cast<uint32_t>(text.find("東京"));
  EXPECT_EQ(FormatDiagnostic({"c", text}, Error(begin, begin + 6, "unknown field")),
            "c:1:21: error: unknown field\n"
            "    Name = 'Zürich' AND 東京 = 1\n"
            "                        ^~\n");
}

TEST(FormatDiagnosticTest, SpanInsideACodePointUnderlinesAllOfIt) {
  // The span ends in the middle of 'é' (2 bytes): the caret line still covers it.
  EXPECT_EQ(FormatDiagnostic({"c", "aé b"}, Error(0, 2, "m")),
            "c:1:1: error: m\n"
            "    aé b\n"
            "    ^~\n");
}

TEST(FormatDiagnosticTest, SpanAcrossLinesStopsAtTheEndOfTheFirst) {
  EXPECT_EQ(FormatDiagnostic({"c", "a = (1 +\n  2)\n"}, Error(4, 12, "m")),
            "c:1:5: error: m\n"
            "    a = (1 +\n"
            "        ^~~~\n");
}

TEST(FormatDiagnosticTest, CrLfLineEndingsAreNotShown) {
  EXPECT_EQ(FormatDiagnostic({"c", "a = 1\r\nb ? 2\r\n"}, Error(9, 10, "m")),
            "c:2:3: error: m\n"
            "    b ? 2\n"
            "      ^\n");
}

TEST(FormatDiagnosticTest, CaretAtTheEndOfTheText) {
  EXPECT_EQ(FormatDiagnostic({"c", "a = (1\n"}, Error(7, 7, "m")),
            "c:2:1: error: m\n"
            "\n"
            "    ^\n");
}

TEST(FormatDiagnosticTest, SeveritiesAndEmptyName) {
  Diagnostic warning = Error(0, 1, "w");
  warning.severity = Severity::kWarning;
  Diagnostic note = Error(0, 1, "n");
  note.severity = Severity::kNote;
  EXPECT_EQ(FormatDiagnostic({"", "x"}, warning), "<condition>:1:1: warning: w\n    x\n    ^\n");
  EXPECT_EQ(FormatDiagnostic({"f", "x"}, note), "f:1:1: note: n\n    x\n    ^\n");
}

TEST(FormatDiagnosticTest, ControlCharactersAreShownAsQuestionMarks) {
  EXPECT_EQ(FormatDiagnostic({"c", std::string_view("a\0b\x1b", 4)}, Error(2, 3, "m")),
            "c:1:3: error: m\n"
            "    a?b?\n"
            "      ^\n");
}

TEST(FormatDiagnosticTest, LongLinesAreCutAroundTheCaret) {
  std::string text = std::string(200, 'a') + " = " + std::string(200, 'b');
  std::string out = FormatDiagnostic({"c", text}, Error(201, 202, "m"));
  // 40 code points before the caret, 120 in all, "..." at both cut ends.
  std::string expected_line = "    ..." + std::string(40, 'a').replace(39, 1, " ") + "= " +
                              std::string(78, 'b') + "...\n";
  std::string expected_caret = "       " + std::string(40, ' ') + "^\n";
  EXPECT_EQ(out, "c:1:202: error: m\n" + expected_line + expected_caret);
}

TEST(FormatDiagnosticTest, LongLineCutAtItsEnd) {
  std::string text = std::string(300, 'x');
  std::string out = FormatDiagnostic({"c", text}, Error(300, 300, "m"));
  EXPECT_EQ(out, "c:1:301: error: m\n    ..." + std::string(120, 'x') + "\n       " +
                     std::string(120, ' ') + "^\n");
}

TEST(FormatDiagnosticsTest, ConcatenatesInOrder) {
  std::vector<Diagnostic> list = {Error(0, 1, "first"), Error(2, 3, "second", "h")};
  EXPECT_EQ(FormatDiagnostics({"c", "a b"}, list),
            "c:1:1: error: first\n    a b\n    ^\n"
            "c:1:3: error: second\n    a b\n      ^\nhint: h\n");
  EXPECT_EQ(FormatDiagnostics({"c", "a"}, {}), "");
}

TEST(HasErrorsTest, OnlyErrorsCount) {
  Diagnostic warning = Error(0, 0, "w");
  warning.severity = Severity::kWarning;
  Diagnostic note = Error(0, 0, "n");
  note.severity = Severity::kNote;
  EXPECT_FALSE(HasErrors({}));
  EXPECT_FALSE(HasErrors({warning, note}));
  EXPECT_TRUE(HasErrors({warning, Error(0, 0, "e")}));
}

}  // namespace
}  // namespace cf::grammar
