// Parses the condition language into an AST. Thread-safe (no shared state).
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
};

struct ParseResult {
  std::optional<Node> expression;       // set when parsing succeeded
  std::vector<Diagnostic> diagnostics;  // syntax errors (with spans into the text)
  bool ok() const { return expression.has_value(); }
};

// Parses a whole condition. Spans are byte offsets into `text` plus `base_offset` (so that a
// condition embedded in a rule file reports positions in the file).
ParseResult ParseCondition(std::string_view text, const ParseLimits& limits = {},
                           uint32_t base_offset = 0);

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_CONDITION_PARSER_H_
