// Parses rule files (docs/rule-files.md) into the AST of grammar/rule_ast.h. Thread-safe (no
// shared state).
//
//   # Lead qualification: someone we do not know starts a chat.
//   rule "Lead qualification"
//     on conversation.created
//     when Contact.Id IS NULL AND Lead.Id IS NULL
//     priority 10
//   then
//     create Lead as lead {
//       LastName = BLANKVALUE(conversation.customer.last_name, "Unknown")
//       Company  = BLANKVALUE(conversation.customer.company, "Unknown")
//     }
//     log task on lead { Subject = "Chat: " & conversation.subject }
//   end
//
// Keywords are case-insensitive. Expressions (the condition, field values, host action
// arguments) are the condition language, parsed by ParseExpressionPrefix so that their
// positions are exact and their errors read as in a condition. Only the syntax is checked
// here; names, types and triggers are checked by the engine (engine/rule_set.h).
//
// Stack use does not grow with the input: the rule grammar has no recursion and expressions
// are parsed with explicit stacks. Sizes are bounded by RuleParseLimits.
#ifndef CF_GRAMMAR_RULE_PARSER_H_
#define CF_GRAMMAR_RULE_PARSER_H_

#include <cstddef>
#include <optional>
#include <string_view>
#include <vector>

#include "grammar/condition_parser.h"
#include "grammar/diagnostic.h"
#include "grammar/rule_ast.h"

namespace cf::grammar {

// Limits against hostile input. Exceeding one is a diagnostic, never a crash.
struct RuleParseLimits {
  // Limits of each embedded expression (its max_source_bytes is not used).
  ParseLimits expression;
  // Bytes of one rule file. Default: 4 MiB.
  size_t max_file_bytes = 4 * 1024 * 1024;
  // Rules in one file. Default: 10000.
  size_t max_rules = 10000;
  // Actions in one rule. Default: 100.
  size_t max_actions = 100;
  // Field assignments in one action. Default: 500.
  size_t max_assignments = 500;
  // Bytes of a rule name. Default: 255.
  size_t max_name_bytes = 255;
};

struct RuleParseResult {
  std::optional<RuleFile> file;         // set when parsing succeeded
  std::vector<Diagnostic> diagnostics;  // the syntax error (and notes), spans into the text
  bool ok() const { return file.has_value(); }
};

// Parses a whole rule file. On failure, diagnostics holds the first syntax error of each
// broken rule (after an error the parse resumes at the next line that starts with `rule`; at
// most 20 errors), each possibly followed by notes. The text must be UTF-8.
RuleParseResult ParseRuleFile(std::string_view text, const RuleParseLimits& limits = {});

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_RULE_PARSER_H_
