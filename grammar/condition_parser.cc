// ParseCondition: checks the limits that need no parse, runs the X3 grammar
// (internal/condition_grammar.h) whose actions feed the TreeBuilder, and turns every failure
// into diagnostics. The only translation unit that instantiates Boost.Spirit X3.
#include "grammar/condition_parser.h"

#include <cstdio>
#include <limits>
#include <string>
#include <utility>

#include "grammar/internal/condition_grammar.h"

namespace cf::grammar {
namespace internal::condition_grammar {
namespace {

struct Expectation {
  const char* which;   // rule name
  bool token_level;    // true: describe the next token; false: point inside the literal
  const char* message; // replaces "expected <which>" when set
  const char* hint;
};

constexpr Expectation kExpectations[] = {
    {kValue, true, nullptr, nullptr},
    {kOperatorOrEnd, true, nullptr, nullptr},
    {kInAfterNot, true, nullptr, "to negate a comparison, put NOT before it: NOT a LIKE b"},
    {kParenAfterIn, true, nullptr, "IN takes a list in parentheses: x IN (\"a\", \"b\")"},
    {kWithAfterStarts, true, nullptr, nullptr},
    {kWithAfterEnds, true, nullptr, nullptr},
    {kNullAfterIs, true, nullptr, nullptr},
    {kNullAfterIsNot, true, nullptr, nullptr},
    {kAmount, false, nullptr, nullptr},
    {kGroup, false, nullptr, "to separate arguments, put a space after the ','"},
    {kFraction, false, nullptr, nullptr},
    {kField, false, nullptr, nullptr},
    {kTime, false, nullptr, nullptr},
    {kZone, false, nullptr, nullptr},
    {kDoubleQuote, false, "unterminated string: add the closing \"",
     "a string ends on its line; write \\n for a line break"},
    {kSingleQuote, false, "unterminated string: add the closing '",
     "a string ends on its line; write \\n for a line break"},
};

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

size_t CodePointLength(Iterator p, Iterator end) {
  size_t length = 1;
  while (p + length != end && (static_cast<unsigned char>(p[length]) & 0xC0) == 0x80) ++length;
  return length;
}

// Describes the token starting at `p` ("'AND'", "')'", "a string") and returns where it ends.
std::string DescribeFound(Iterator p, Iterator end, Iterator* token_end) {
  constexpr size_t kMaxShown = 32;
  if (IsIdentChar(*p)) {
    Iterator q = p;
    while (q != end && IsIdentChar(*q)) ++q;
    *token_end = q;
    std::string word(p, static_cast<size_t>(q - p));
    if (word.size() > kMaxShown) word = word.substr(0, kMaxShown) + "...";
    return "'" + word + "'";
  }
  if (*p == '"' || *p == '\'') {
    *token_end = p + 1;
    return "a string";
  }
  *token_end = p + CodePointLength(p, end);
  unsigned char c = static_cast<unsigned char>(*p);
  if (c < 0x20 || c == 0x7f) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "the control character U+%04X", static_cast<unsigned>(c));
    return buffer;
  }
  return "'" + std::string(p, *token_end) + "'";
}

// End of the last non-blank text before `where` (which X3 leaves after skipped blanks), so
// that "expected ... after X" at the end of the input points right after X, not after a
// trailing comment. Scans forward from the last accepted token, a known token boundary.
Iterator EndOfText(const ParseState& state, Iterator where) {
  Iterator p = state.text.data() + (state.builder.last_end() - state.base_offset);
  if (state.builder.last_end() < state.base_offset) p = state.text.data();
  Iterator mark = p;
  while (true) {
    Iterator q = SkipBlanks(p, where);
    if (q >= where) return mark;
    while (q != where && *q != ' ' && *q != '\t' && *q != '\r' && *q != '\n' && *q != '\v' &&
           *q != '\f' && *q != '#') {
      ++q;
    }
    mark = p = q;
  }
}

}  // namespace

void ReportExpectation(ParseState& state, const std::string& which, Iterator where) {
  const Expectation* expectation = nullptr;
  for (const Expectation& e : kExpectations) {
    if (which == e.which) expectation = &e;
  }
  Iterator end = state.text.data() + state.text.size();
  SyntaxError error;
  if (expectation == nullptr || expectation->token_level) {
    Iterator p = SkipBlanks(where, end);
    std::string found;
    Iterator after = EndOfText(state, where);
    SourceSpan span = state.Span(after, after);
    if (p != end) {
      Iterator token_end = p;
      found = DescribeFound(p, end, &token_end);
      span = state.Span(p, token_end);
    }
    if (which == kValue) {
      error = state.builder.ExpectedValue(span, found);
    } else if (which == kOperatorOrEnd) {
      error = state.builder.ExpectedOperator(span, found);
    } else {
      std::string message = "expected " + which;
      if (!found.empty()) message += ", found " + found;
      error = MakeSyntaxError(span, std::move(message),
                              expectation != nullptr && expectation->hint ? expectation->hint : "");
    }
  } else {
    SourceSpan span = state.Span(where, where);
    if (where != end && *where != '\n' && *where != '\r') {
      span = state.Span(where, where + CodePointLength(where, end));
    }
    std::string message = expectation->message ? expectation->message : "expected " + which;
    error = MakeSyntaxError(span, std::move(message), expectation->hint ? expectation->hint : "");
  }
  Diagnostic& main = error.diagnostics.front();
  Iterator found = SkipBlanks(where, end);
  if (main.hint.empty() && found != end && static_cast<unsigned char>(*found) >= 0x80 &&
      expectation != nullptr && expectation->token_level) {
    main.hint = "names of fields and functions are ASCII letters, digits and '_'";
  }
  state.diagnostics = std::move(error.diagnostics);
}

}  // namespace internal::condition_grammar

namespace {

namespace cg = internal::condition_grammar;

ParseResult Fail(internal::SyntaxError error) {
  ParseResult result;
  result.diagnostics = std::move(error.diagnostics);
  return result;
}

}  // namespace

ParseResult ParseCondition(std::string_view text, const ParseLimits& limits,
                           uint32_t base_offset) {
  auto at = [base_offset](size_t offset) {
    return SourceSpan{base_offset + static_cast<uint32_t>(offset),
                      base_offset + static_cast<uint32_t>(offset)};
  };
  size_t max_bytes = std::min<size_t>(limits.max_source_bytes,
                                      std::numeric_limits<uint32_t>::max() - base_offset);
  if (text.size() > max_bytes) {
    return Fail(internal::MakeSyntaxError(
        at(max_bytes), "condition is too long (" + std::to_string(text.size()) +
                           " bytes; the limit is " + std::to_string(max_bytes) + ")",
        "split it into several rules"));
  }
  if (size_t bad = internal::FindInvalidUtf8(text); bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    SourceSpan span = at(bad);
    ++span.end;
    return Fail(internal::MakeSyntaxError(
        span, std::string("the condition is not valid UTF-8 (byte ") + byte + ")"));
  }
  const char* first = text.data();
  const char* last = first + text.size();
  if (cg::SkipBlanks(first, last) == last) {
    return Fail(internal::MakeSyntaxError(at(0), "empty condition",
                                          "write an expression such as Account.Type = \"Customer\""));
  }

  cg::ParseState state(text, base_offset, limits);
  ParseResult result;
  try {
    namespace x3 = boost::spirit::x3;
    bool parsed = x3::phrase_parse(first, last, x3::with<cg::state_tag>(state)[cg::condition],
                                   cg::skipper);
    if (!parsed) {
      if (state.diagnostics.empty()) {
        state.diagnostics = internal::MakeSyntaxError(at(first - text.data()),
                                                      "cannot parse the condition here")
                                .diagnostics;
      }
      result.diagnostics = std::move(state.diagnostics);
      return result;
    }
    result.expression = state.builder.Finish();
  } catch (internal::SyntaxError& error) {
    result.diagnostics = std::move(error.diagnostics);
  }
  return result;
}

PrefixParseResult ParseExpressionPrefix(std::string_view text, const ParseLimits& limits,
                                        uint32_t base_offset) {
  PrefixParseResult result;
  const char* first = text.data();
  const char* last = first + text.size();
  cg::ParseState state(text, base_offset, limits);
  try {
    namespace x3 = boost::spirit::x3;
    bool parsed = x3::phrase_parse(
        first, last, x3::with<cg::state_tag>(state)[cg::expression_prefix], cg::skipper);
    if (!parsed) {
      if (state.diagnostics.empty()) {
        uint32_t at = base_offset + static_cast<uint32_t>(first - text.data());
        state.diagnostics =
            internal::MakeSyntaxError({at, at}, "expected an expression").diagnostics;
      }
      result.diagnostics = std::move(state.diagnostics);
      return result;
    }
    result.expression = state.builder.Finish();
    result.end = state.builder.last_end();
  } catch (internal::SyntaxError& error) {
    result.expression.reset();
    result.diagnostics = std::move(error.diagnostics);
  }
  return result;
}

}  // namespace cf::grammar
