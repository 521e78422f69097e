// Problems in a user's text (condition, rule file) as data, and the one formatter that prints
// them as file:line:column, the source line, and a caret under the culprit.
#ifndef CF_GRAMMAR_DIAGNOSTIC_H_
#define CF_GRAMMAR_DIAGNOSTIC_H_

#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.h"

namespace cf::grammar {

enum class Severity { kError, kWarning, kNote };

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceSpan span;       // where; an empty span points at span.begin
  std::string message;   // one sentence, no trailing period: "unknown field 'Revnue' on Account"
  std::string hint;      // optional: "did you mean 'AnnualRevenue'?"
};

// The text a diagnostic points into: a name for messages ("rules/vip.rule", "<condition>")
// and the full text. Line and column are computed from byte offsets; columns count UTF-8
// code points and start at 1.
struct SourceText {
  std::string name;
  std::string_view text;
};

struct LineColumn {
  int line;
  int column;
};
LineColumn LocateOffset(std::string_view text, uint32_t offset);

// Renders:
//   rules/vip.rule:3:12: error: unknown field 'Revnue' on Account
//       Account.Revnue > 500000
//               ^~~~~~
//   hint: did you mean 'AnnualRevenue'?
// Tabs in the source line are kept so the caret lines up. Ends with a newline.
// Exactly: "<name>:<line>:<column>: <error|warning|note>: <message>\n" (name "<condition>"
// when empty; line and column of span.begin, as LocateOffset); then the source line holding
// span.begin, indented by four spaces, trailing blanks removed, control characters other than
// tab shown as '?'; then the caret line, indented by four spaces: '^' under span.begin and '~'
// under the rest of the span up to the end of that line (an empty span is a lone '^'); then
// "hint: <hint>\n" at column 1 when the hint is not empty. A line longer than 120 code points
// is cut to 120 around the caret, with "..." at each cut end. Offsets past the text clamp.
std::string FormatDiagnostic(const SourceText& source, const Diagnostic& diagnostic);
std::string FormatDiagnostics(const SourceText& source, const std::vector<Diagnostic>& diagnostics);

bool HasErrors(const std::vector<Diagnostic>& diagnostics);

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_DIAGNOSTIC_H_
