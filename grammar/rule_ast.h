// The abstract syntax tree of rule files (docs/rule-files.md).
//
// Plain C++ value types, like grammar/ast.h: no Boost.Spirit type appears here. Every element
// carries the byte span of its source text in the file; embedded expressions are condition
// language trees (grammar::Node) whose spans are offsets into the same file. Names are kept
// as written; the engine resolves them against the schema (engine/rule_set.h).
#ifndef CF_GRAMMAR_RULE_AST_H_
#define CF_GRAMMAR_RULE_AST_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "grammar/ast.h"

namespace cf::grammar {

// A word of the rule file as written: a rule name, trigger, object, field or alias.
struct RuleName {
  std::string text;
  SourceSpan span;
};

// `Field = expression` inside an action's braces.
struct RuleAssignment {
  RuleName field;
  Node value;
  SourceSpan span;  // from the field name to the end of the expression
};

enum class RuleActionKind : uint8_t {
  kCreate,       // create Object [as alias] { assignments }
  kUpdate,       // update Target { assignments }
  kUpsert,       // upsert Object by KeyField [as alias] { assignments }
  kLogTask,      // log task [on Target, Target] { assignments }
  kRouteToTeam,  // route to team <expression>
  kAddTag,       // add tag <expression>
  kSetPriority,  // set priority <expression>
  kNotify,       // notify <recipient expression> with <message expression>
};
const char* RuleActionKindName(RuleActionKind kind);  // "create", "route to team", ...

struct RuleAction {
  RuleActionKind kind = RuleActionKind::kCreate;
  SourceSpan span;         // the keyword(s) that start the action
  RuleName object;         // create, upsert: the object; update: the target record
  RuleName alias;          // create, upsert: `as alias`; empty text when absent
  RuleName key_field;      // upsert: the external-id field after `by`
  std::vector<RuleName> links;  // log task: the records after `on`
  std::vector<RuleAssignment> assignments;  // create, update, upsert, log task
  std::vector<Node> arguments;  // host actions: one expression; notify: recipient, message
};

struct Rule {
  RuleName name;             // the text of the quoted name (or the bare word)
  SourceSpan span;           // the `rule` keyword
  std::vector<RuleName> triggers;  // as written, e.g. "conversation.created"
  std::optional<Node> condition;   // `when <condition>`
  int64_t priority = 0;      // `priority N`; 0 when absent
  SourceSpan priority_span;  // empty when absent
  bool stop = false;         // `stop`
  bool enabled = true;       // `disabled` clears it
  std::vector<RuleAction> actions;
};

struct RuleFile {
  std::vector<Rule> rules;  // in file order
};

// A multi-line rendering for golden tests and debugging, one element per line:
//   rule "Lead qualification"
//     on conversation.created
//     when (AND (IS-NULL Contact.Id) (IS-NULL Lead.Id))
//     priority 10 stop disabled          (each only when set)
//     create Lead as lead
//       LastName = (BLANKVALUE ...)
//     log task on lead
//       Subject = "New lead"
//     route to team "Enterprise Support"
// Expressions are DumpTree renderings.
std::string DumpRuleFile(const RuleFile& file);

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_RULE_AST_H_
