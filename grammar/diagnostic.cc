#include "grammar/diagnostic.h"

#include <algorithm>

namespace cf::grammar {
namespace {

// Long source lines are shown as a window of this many code points around the caret, with
// "..." marking the cut ends, so a diagnostic in a 1 MiB one-line condition stays readable.
constexpr size_t kMaxShownCodePoints = 120;
// Code points shown before the caret when a long line is cut.
constexpr size_t kLeadCodePoints = 40;

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

const char* SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
    case Severity::kNote: return "note";
  }
  return "error";
}

// Byte offsets at which the code points of `line` start, plus line.size() at the end.
std::vector<size_t> CodePointStarts(std::string_view line) {
  std::vector<size_t> starts;
  for (size_t i = 0; i < line.size(); ++i) {
    if (i == 0 || !IsContinuationByte(line[i])) starts.push_back(i);
  }
  starts.push_back(line.size());
  return starts;
}

// Index of the code point containing byte `offset` (starts.size() - 1 at the end).
size_t CodePointIndex(const std::vector<size_t>& starts, size_t offset) {
  auto it = std::upper_bound(starts.begin(), starts.end(), offset);
  return static_cast<size_t>(it - starts.begin()) - 1;
}

// The line's text as shown: control characters other than tab become '?', so that a stray
// byte cannot garble a terminal; every code point keeps its width of one column.
void AppendShown(std::string& out, std::string_view text) {
  for (char c : text) {
    unsigned char u = static_cast<unsigned char>(c);
    out += (u < 0x20 && c != '\t') || u == 0x7f ? '?' : c;
  }
}

void TrimTrailingBlanks(std::string& s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.pop_back();
}

}  // namespace

LineColumn LocateOffset(std::string_view text, uint32_t offset) {
  size_t end = std::min<size_t>(offset, text.size());
  int line = 1;
  int column = 1;
  for (size_t i = 0; i < end; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if (!IsContinuationByte(text[i])) {
      ++column;
    }
  }
  return {line, column};
}

std::string FormatDiagnostic(const SourceText& source, const Diagnostic& diagnostic) {
  std::string_view text = source.text;
  size_t begin = std::min<size_t>(diagnostic.span.begin, text.size());
  size_t end = std::clamp<size_t>(diagnostic.span.end, begin, text.size());
  LineColumn where = LocateOffset(text, static_cast<uint32_t>(begin));

  std::string out = source.name.empty() ? "<condition>" : source.name;
  out += ':' + std::to_string(where.line) + ':' + std::to_string(where.column) + ": ";
  out += SeverityName(diagnostic.severity);
  out += ": ";
  out += diagnostic.message;
  out += '\n';

  // The line holding span.begin, without its line break.
  size_t newline = text.substr(0, begin).rfind('\n');
  size_t line_begin = newline == std::string_view::npos ? 0 : newline + 1;
  size_t line_end = text.find('\n', begin);
  if (line_end == std::string_view::npos) line_end = text.size();
  std::string_view line = text.substr(line_begin, line_end - line_begin);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  std::vector<size_t> starts = CodePointStarts(line);
  size_t length = starts.size() - 1;  // code points in the line
  size_t caret = CodePointIndex(starts, std::min(begin - line_begin, line.size()));
  size_t span_end = CodePointIndex(starts, std::min(end - line_begin, line.size()));
  if (end > begin && starts[span_end] < std::min(end - line_begin, line.size())) {
    ++span_end;  // the span ends inside a code point: underline all of it
  }
  size_t tildes = span_end > caret + 1 ? span_end - caret - 1 : 0;

  // Window [first, last) of code points shown.
  size_t first = 0;
  size_t last = length;
  if (length > kMaxShownCodePoints) {
    first = caret > kLeadCodePoints ? caret - kLeadCodePoints : 0;
    first = std::min(first, length - kMaxShownCodePoints);
    last = first + kMaxShownCodePoints;
  }
  std::string shown = "    ";
  if (first > 0) shown += "...";
  AppendShown(shown, line.substr(starts[first], starts[last] - starts[first]));
  if (last < length) shown += "...";
  TrimTrailingBlanks(shown);
  out += shown;
  out += '\n';

  std::string marker = "    ";
  if (first > 0) marker += "   ";
  for (size_t i = first; i < caret; ++i) marker += line[starts[i]] == '\t' ? '\t' : ' ';
  marker += '^';
  size_t shown_tildes = std::min(tildes, last > caret + 1 ? last - caret - 1 : 0);
  marker.append(shown_tildes, '~');
  out += marker;
  out += '\n';

  if (!diagnostic.hint.empty()) {
    out += "hint: ";
    out += diagnostic.hint;
    out += '\n';
  }
  return out;
}

std::string FormatDiagnostics(const SourceText& source,
                              const std::vector<Diagnostic>& diagnostics) {
  std::string out;
  for (const Diagnostic& diagnostic : diagnostics) out += FormatDiagnostic(source, diagnostic);
  return out;
}

bool HasErrors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [](const Diagnostic& d) {
    return d.severity == Severity::kError;
  });
}

}  // namespace cf::grammar
