// Internal to cf::grammar; include only from grammar/*.cc. Callers use condition_parser.h.
//
// Turns lexemes the grammar has recognised into AST nodes, checking what a grammar cannot
// (escapes, calendar dates, ranges, lengths). Each function takes the lexeme exactly as
// written and its absolute span, and returns the node or throws SyntaxError pointing into it.
#ifndef CF_GRAMMAR_INTERNAL_LITERALS_H_
#define CF_GRAMMAR_INTERNAL_LITERALS_H_

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "grammar/ast.h"
#include "grammar/internal/syntax_error.h"

namespace cf::grammar::internal {

// SOQL date literals, in their canonical upper-case spelling.
struct DateLiteralName {
  const char* name;
  bool takes_n;  // written NAME:n
};
inline constexpr DateLiteralName kDateLiteralNames[] = {
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
// The largest n of NAME:n.
inline constexpr int64_t kMaxDateLiteralN = 100000;

Node MakeNumber(std::string_view lexeme, SourceSpan span, size_t max_bytes);    // 12.5
Node MakeCurrency(std::string_view lexeme, SourceSpan span, size_t max_bytes);  // $1,234.50
Node MakeString(std::string_view lexeme, SourceSpan span, size_t max_bytes);    // "a\n" 'b'
Node MakeDate(std::string_view lexeme, SourceSpan span);                       // 2024-03-31
Node MakeDateTime(std::string_view lexeme, SourceSpan span);  // 2024-03-31T10:00:00.000+02:00
Node MakeDateLiteral(std::string_view lexeme, SourceSpan span);  // THIS_QUARTER, last_n_days:7
Node MakePath(std::string_view lexeme, SourceSpan span);         // Account.Owner.Name

// Offset of the first byte of `text` that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view text);

}  // namespace cf::grammar::internal

#endif  // CF_GRAMMAR_INTERNAL_LITERALS_H_
