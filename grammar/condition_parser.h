// Parses the condition language into an AST. Thread-safe (no shared state).
//
// Syntax in brief:
//   Precedence, low to high: OR ||; AND &&; prefix NOT !; comparisons = == != <> < <= > >=
//   LIKE CONTAINS STARTS WITH ENDS WITH, x [NOT] IN (e, ...), x IS [NOT] NULL (these do not
//   chain: `a = b = c` is an error); & + - (left-assoc); * /; unary -. `NOT a = b` is
//   NOT (a = b); a prefix NOT may not follow a tighter operator (`a = NOT b` needs parentheses).
//   Literals: 12, 12.5 (plain decimals, no exponent); $500000, $500,000, $1,234.50 (groups of
//   exactly three digits); "..." or '...' with the escapes \n \r \t \b \f \" \' \\ \% \_
//   (Node::text has them resolved, \% and \_ becoming % and _; raw_text keeps them as written);
//   true false null; 2024-03-31; 2024-03-31T10:00:00Z with optional .fraction and Z, +hh:mm or
//   +hhmm; SOQL date literals (THIS_QUARTER, LAST_N_DAYS:7; n from 0 to 100000).
//   Paths: identifiers (a letter, then letters, digits, '_') joined by '.', without spaces.
//   Calls: NAME(args...), zero or more arguments; NAME is upper-cased in Node::text.
//   Keywords, literal words and date literals are case-insensitive and never prefixes of an
//   identifier (`ANDroid` is a field). Whitespace and '#' comments to the end of a line are
//   skipped. The text must be UTF-8.
//   Reserved words, which cannot be a bare field name or the first segment of a path: AND OR
//   NOT IN LIKE CONTAINS STARTS ENDS WITH IS NULL TRUE FALSE and every date literal name
//   (TODAY, THIS_QUARTER, LAST_N_DAYS, ...). After a '.' any identifier is a field
//   (`Account.Today`). CONTAINS and date literal names may still name a function (`TODAY()`).
//
// Stack use does not grow with the input: the grammar is flat and the tree is built with
// explicit stacks, so hostile nesting is a diagnostic, never a stack overflow.
#ifndef CF_GRAMMAR_CONDITION_PARSER_H_
#define CF_GRAMMAR_CONDITION_PARSER_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "grammar/ast.h"
#include "grammar/diagnostic.h"

namespace cf::grammar {

// Limits against hostile input. Exceeding one is a diagnostic, never a crash.
struct ParseLimits {
  // Nesting of parentheses, function calls, IN lists and prefix operators.
  // Default: 1000 (the language promises 200 levels work).
  size_t max_depth = 1000;
  // Bytes of one string literal after unescaping. Default: 64 KiB.
  size_t max_literal_bytes = 64 * 1024;
  // AST nodes in one expression. Default: 100000.
  size_t max_nodes = 100000;
  // Bytes of source text. Default: 1 MiB.
  size_t max_source_bytes = 1024 * 1024;
  // Height of the resulting tree, which bounds the recursion of every stage that walks it
  // (checker, compiler, DumpTree, ~Node). Unlike max_depth this counts chains: `a OR b OR c`
  // is three levels tall. Default: 2000 (1000 nested `NOT` or calls make 1001).
  size_t max_tree_height = 2000;
};

struct ParseResult {
  std::optional<Node> expression;       // set when parsing succeeded
  std::vector<Diagnostic> diagnostics;  // syntax errors (with spans into the text)
  bool ok() const { return expression.has_value(); }
};

// Parses a whole condition. Spans are byte offsets into `text` plus `base_offset` (so that a
// condition embedded in a rule file reports positions in the file). On failure, diagnostics
// holds one error, possibly followed by notes (e.g. where an unclosed '(' was opened).
ParseResult ParseCondition(std::string_view text, const ParseLimits& limits = {},
                           uint32_t base_offset = 0);

// Parses the expression at the start of `text` (after blanks and '#' comments), for
// languages that embed expressions (rule files). It takes the longest expression there and
// stops before the first token that cannot continue it: a word that is not an operator, '{',
// '}', or a ',' or ')' outside any '(', call or IN list. Spans are offsets into `text` plus
// `base_offset`; `end` is the offset (plus base_offset) just after the expression's last
// token. On failure (no expression there, an error inside it, a limit) diagnostics holds an
// error as ParseCondition reports it. Unlike ParseCondition it does not check the size or the
// UTF-8 of `text` (the rest of a file may be long): REQUIRES the caller checked the text.
struct PrefixParseResult {
  std::optional<Node> expression;
  std::vector<Diagnostic> diagnostics;
  uint32_t end = 0;
  bool ok() const { return expression.has_value(); }
};
PrefixParseResult ParseExpressionPrefix(std::string_view text, const ParseLimits& limits,
                                        uint32_t base_offset);

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_CONDITION_PARSER_H_
