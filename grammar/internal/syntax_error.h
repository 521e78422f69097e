// Internal to cf::grammar; include only from grammar/*.cc. Callers use condition_parser.h.
//
// SyntaxError is how the parser's parts (literal decoding, tree building) report a problem in
// the user's text: they throw it, and ParseCondition catches it and returns its diagnostics.
// It never leaves ParseCondition.
#ifndef CF_GRAMMAR_INTERNAL_SYNTAX_ERROR_H_
#define CF_GRAMMAR_INTERNAL_SYNTAX_ERROR_H_

#include <string>
#include <utility>
#include <vector>

#include "grammar/diagnostic.h"

namespace cf::grammar::internal {

struct SyntaxError {
  std::vector<Diagnostic> diagnostics;  // the error first, then any notes
};

inline SyntaxError MakeSyntaxError(SourceSpan span, std::string message, std::string hint = {}) {
  Diagnostic error;
  error.span = span;
  error.message = std::move(message);
  error.hint = std::move(hint);
  return SyntaxError{{std::move(error)}};
}

inline Diagnostic MakeNote(SourceSpan span, std::string message) {
  Diagnostic note;
  note.severity = Severity::kNote;
  note.span = span;
  note.message = std::move(message);
  return note;
}

}  // namespace cf::grammar::internal

#endif  // CF_GRAMMAR_INTERNAL_SYNTAX_ERROR_H_
