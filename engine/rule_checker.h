// INTERNAL to the engine: checks one parsed rule against the schema and compiles it. Use
// engine/rule_set.h (CompileRuleSet, LoadRuleSet).
#ifndef CF_ENGINE_RULE_CHECKER_H_
#define CF_ENGINE_RULE_CHECKER_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "engine/condition.h"
#include "engine/rule_set.h"
#include "grammar/diagnostic.h"
#include "grammar/rule_ast.h"

namespace cf::engine::internal {

// Not thread-safe; one per file being checked. The Environment must outlive it.
class RuleChecker {
 public:
  RuleChecker(const Environment& env, const std::array<int, kRuleRootCount>& root_index)
      : env_(env), root_index_(root_index) {}

  // Checks and compiles `rule`, appending its problems to *diagnostics. Returns the compiled
  // rule when it has no error.
  std::optional<CompiledRule> Check(const grammar::Rule& rule,
                                    std::vector<grammar::Diagnostic>* diagnostics);

 private:
  // A record an action may name: created by an earlier action (alias) or bound to the event.
  struct Alias {
    std::string name;
    int action;
    int object_index;
  };
  struct ResolvedRecord {
    RecordRef ref;
    int object_index = -1;
  };

  void Error(grammar::SourceSpan span, std::string message, std::string hint = "");
  void Note(grammar::SourceSpan span, std::string message);

  void CheckTriggers(const grammar::Rule& rule, CompiledRule* out);
  // Reports every path of `expression` that starts at a root the rule's triggers do not
  // bind, or at an alias (aliases are usable only as `alias.Id` on their own).
  bool CheckNames(const grammar::Node& expression);
  std::optional<ResolvedRecord> ResolveRecord(const grammar::RuleName& name, const char* what);
  const Object* ResolveObject(const grammar::RuleName& name, const char* verb);

  bool CheckAction(const grammar::RuleAction& action, int index, CompiledAction* out);
  bool CheckAssignments(const grammar::RuleAction& action, const Object& object,
                        ActionKind kind, CompiledAction* out);
  bool CheckAssignment(const grammar::RuleAssignment& assignment, const Object& object,
                       const Field& field, ActionKind kind, CompiledAssignment* out);
  bool CheckValueType(const grammar::RuleAssignment& assignment, const Object& object,
                      const Field& field, const CompiledValue& value);
  bool CheckPicklistLiteral(const grammar::Node& literal, const Object& object, const Field& field);
  void CheckDependentPicklists(const grammar::RuleAction& action, const Object& object);
  void CheckRequired(const grammar::RuleAction& action, const Object& object);
  bool CheckLinks(const grammar::RuleAction& action, CompiledAction* out);
  std::shared_ptr<const CompiledValue> CompileText(const grammar::Node& expression,
                                                   const char* what);

  const Environment& env_;
  const std::array<int, kRuleRootCount>& root_index_;
  std::vector<grammar::Diagnostic>* diagnostics_ = nullptr;
  size_t errors_ = 0;
  uint32_t allowed_roots_ = 0;  // bit mask of RuleRoot
  std::string trigger_names_;   // "call.ended" for messages
  std::vector<Alias> aliases_;
  int key_field_ = -1;  // upsert being checked: its key field's index
};

}  // namespace cf::engine::internal

#endif  // CF_ENGINE_RULE_CHECKER_H_
