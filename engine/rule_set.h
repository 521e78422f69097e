// Rule files checked against the schema and compiled into an immutable RuleSet.
//
//   std::shared_ptr<const Environment> env = MakeRuleEnvironment(schema);
//   RuleSetResult r = LoadRuleSet("rules/", env);
//   if (!r.ok()) { std::cerr << r.FormatDiagnostics(); return; }   // the old set stays
//   std::shared_ptr<const RuleSet> rules = r.rule_set;             // swap in atomically
//
// Parsing is grammar/rule_parser.h; this stage resolves every name against the schema and
// compiles every expression with the condition compiler (engine/condition.h), and finds each
// condition's indexable tests for the rule index (engine/rule_index.h). A source set
// with any error gives no RuleSet and every diagnostic of every file: files are checked
// independently, and a file's syntax error stops only that file. The syntax, the checks and
// what each trigger binds are documented in docs/rule-files.md.
//
// Thread safety: the functions are thread-safe; a RuleSet is immutable and may be read from
// any number of threads.
#ifndef CF_ENGINE_RULE_SET_H_
#define CF_ENGINE_RULE_SET_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/condition.h"
#include "engine/rule_index.h"
#include "engine/schema.h"
#include "grammar/diagnostic.h"
#include "grammar/rule_parser.h"

namespace cf::engine {

// The records and event objects a rule may read, in the order of the rule Environment's
// roots (MakeRuleEnvironment). Records are found by the evaluator's binding step; events are
// the host's event pseudo-objects (engine/event_schema.h).
enum class RuleRoot : uint8_t {
  kContact, kLead, kAccount, kOpportunity, kCase, kConversation, kCall, kDeal,
};
inline constexpr int kRuleRootCount = 8;
const char* RuleRootName(RuleRoot root);  // "Contact", ..., "conversation", "call", "deal"

// Host event types a rule can be triggered by.
enum class Trigger : uint8_t {
  kConversationCreated, kConversationMessage, kConversationClosed, kCallEnded, kDealClosed,
};
inline constexpr int kTriggerCount = 5;
const char* TriggerName(Trigger trigger);  // "conversation.created", ...
std::optional<Trigger> TriggerFromName(std::string_view name);  // case-insensitive
// The roots bound for an event of this type, as a bit mask of (1 << RuleRoot). Every trigger
// binds the five records; conversation.* binds conversation, call.ended binds call,
// deal.closed binds deal and conversation (the conversation the deal closed in, if any).
uint32_t RootsBoundBy(Trigger trigger);

// The Environment rules compile against: `schema` plus the event objects if it lacks them,
// with the roots of RuleRoot in order (a root whose object the schema lacks is skipped; see
// RuleSet::root_index). Share it between rule sets and with the record cache that binds
// records for them (records must have its layouts).
std::shared_ptr<const Environment> MakeRuleEnvironment(std::shared_ptr<const Schema> schema);

// Where an action finds a record it updates or links to.
struct RecordRef {
  int root = -1;    // a RuleRoot (as int), or -1
  int action = -1;  // or the index (in the rule's actions) of an earlier create/upsert
  bool valid() const { return root >= 0 || action >= 0; }
};

struct CompiledAssignment {
  int field_index = -1;    // index in the target object's Object::fields
  std::string field_name;  // as the org spells it
  // The value; null when `from_action` is set.
  std::shared_ptr<const CompiledValue> value;
  // When >= 0: the value is the Id of the record created by that earlier action of the rule
  // (`WhatId = case.Id` after `create Case as case`).
  int from_action = -1;
  grammar::SourceSpan span;
};

enum class ActionKind : uint8_t {
  kCreate, kUpdate, kUpsert, kLogTask, kRouteToTeam, kAddTag, kSetPriority, kNotify,
};
// "create", "update", "upsert", "log task", "route to team", "add tag", "set priority",
// "notify": as rule files write them.
const char* ActionKindText(ActionKind kind);

struct CompiledAction {
  ActionKind kind = ActionKind::kCreate;
  // Salesforce actions: the object written (create, update, upsert; Task for log task).
  int object_index = -1;
  RecordRef target;          // update: the record updated
  int key_field_index = -1;  // upsert: the external-id field (also among the assignments)
  std::string alias;         // create, upsert: `as alias`, or empty
  // log task: the record for WhoId (a Contact or Lead) and for WhatId (Account, Opportunity,
  // Case or another WhatId target). When `on` is absent, who is the bound Contact or else
  // the bound Lead (who_fallback) and what is the bound Case, else Opportunity, else Account
  // (what_fallbacks, tried in order). A null record leaves the link empty.
  RecordRef who;
  std::vector<RecordRef> who_fallbacks;
  RecordRef what;
  std::vector<RecordRef> what_fallbacks;
  // Field values in source order. log task: WhoId/WhatId only when written explicitly.
  std::vector<CompiledAssignment> assignments;
  // Host actions: one text value; notify: recipient, then message.
  std::vector<std::shared_ptr<const CompiledValue>> arguments;
  grammar::SourceSpan span;
};

struct CompiledRule {
  std::string name;
  int file = 0;        // index in RuleSet::files()
  int order = 0;       // position in the set: files in the given order, rules in file order
  int64_t priority = 0;
  bool stop = false;
  bool enabled = true;
  uint32_t triggers = 0;  // bit mask of (1 << Trigger)
  std::shared_ptr<const CompiledCondition> condition;  // null: the rule has no `when`
  // The condition's necessary tests the rule index can file it under (FindIndexTerms; filled
  // by CompileRuleSet). Empty: the rule is evaluated for every event of its triggers.
  std::vector<IndexTerm> index_terms;
  std::vector<CompiledAction> actions;
  grammar::SourceSpan span;  // the `rule` keyword in its file
};

// An immutable, checked and compiled set of rules. Thread-safe: every method is const and
// may be called from any number of threads. Share it as std::shared_ptr<const RuleSet>; a
// reload builds a new one and swaps the pointer.
class RuleSet {
 public:
  RuleSet(std::shared_ptr<const Environment> environment, std::vector<std::string> files,
          std::vector<CompiledRule> rules, std::array<int, kRuleRootCount> root_index);

  // Every rule, disabled ones included, in set order (CompiledRule::order).
  const std::vector<CompiledRule>& rules() const { return rules_; }
  // The rules an event of this type may fire, enabled only, ordered by priority (higher
  // first) then set order. This is the evaluation order; `stop` cuts it.
  const std::vector<const CompiledRule*>& RulesFor(Trigger trigger) const {
    return by_trigger_[static_cast<int>(trigger)];
  }
  // The index over RulesFor(trigger): which of those rules an event's bound records allow to
  // fire (engine/rule_index.h). The evaluator evaluates only those, in the same order.
  const RuleIndex& IndexFor(Trigger trigger) const { return index_[static_cast<int>(trigger)]; }
  const CompiledRule* Find(std::string_view name) const;  // nullptr if absent
  const std::vector<std::string>& files() const { return files_; }
  const Environment& environment() const { return *environment_; }
  const std::shared_ptr<const Environment>& environment_ptr() const { return environment_; }
  // The Environment root of a RuleRoot (EvalContext::roots index), or -1 when the schema has
  // no such object.
  int root_index(RuleRoot root) const { return root_index_[static_cast<int>(root)]; }
  // Every (object index, field index) that an enabled rule's condition or values read, sorted,
  // without duplicates: the fields the record cache must hold for this set.
  const std::vector<std::pair<int, int>>& referenced_fields() const { return fields_; }

 private:
  std::shared_ptr<const Environment> environment_;
  std::vector<std::string> files_;
  std::vector<CompiledRule> rules_;
  std::array<int, kRuleRootCount> root_index_;
  std::array<std::vector<const CompiledRule*>, kTriggerCount> by_trigger_;
  std::array<RuleIndex, kTriggerCount> index_;
  std::vector<std::pair<int, int>> fields_;
};

// One rule file's text, named for diagnostics ("rules/leads.rule").
struct RuleSource {
  std::string name;
  std::string text;
};

// The problems of one file, with its text so that they can be formatted.
struct FileDiagnostics {
  std::string name;
  std::string text;
  std::vector<grammar::Diagnostic> diagnostics;
};

struct RuleSetOptions {
  grammar::RuleParseLimits limits;
  // Files in a folder (LoadRuleSet). Default: 10000.
  size_t max_files = 10000;
};

struct RuleSetResult {
  std::shared_ptr<const RuleSet> rule_set;  // set iff there is no error
  std::vector<FileDiagnostics> files;       // files with diagnostics, in source order
  std::string error;                        // a folder that cannot be read, or empty
  bool ok() const { return rule_set != nullptr; }
  size_t error_count() const;
  // Every diagnostic, formatted with grammar::FormatDiagnostic, and `error` if set.
  std::string FormatDiagnostics() const;
};

// Parses, checks and compiles rule files into one set; rule names must be unique across all
// of them. REQUIRES: `environment` comes from MakeRuleEnvironment.
RuleSetResult CompileRuleSet(const std::vector<RuleSource>& sources,
                             std::shared_ptr<const Environment> environment,
                             const RuleSetOptions& options = {});

// Reads every "*.rule" file directly in `folder`, in name order, and compiles them as one set.
// Diagnostics name the files by their path as `folder` + "/" + file name.
RuleSetResult LoadRuleSet(const std::string& folder, std::shared_ptr<const Environment> environment,
                          const RuleSetOptions& options = {});

}  // namespace cf::engine

#endif  // CF_ENGINE_RULE_SET_H_
