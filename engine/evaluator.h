// Evaluation: one event against a RuleSet and the record cache, giving the rules that fired
// and the actions they produce, with every field value computed. docs/evaluation.md.
//
//   RuleSetHolder rules(LoadRuleSet(...).rule_set);    // reload: rules.Set(new_set)
//   Evaluator evaluator;
//   EvaluationResult r = evaluator.Evaluate(rules.Get(), event, sink->Snapshot());
//   for (const Action& a : r.actions) outbox.Add(a);  // records of earlier actions: symbolic
//
// Order: RuleSet::RulesFor(event.type) (priority, then set order); a rule fires when its
// condition is TRUE (Kleene logic: FALSE and NULL do not fire); a fired rule with `stop`
// ends the event. Actions come out in firing order, each rule's in the order written. Only
// the rules the trigger's RuleIndex allows for the bound records are evaluated (the others
// cannot fire), so the cost grows with the rules that can match (docs/evaluation.md).
//
// Thread safety: Evaluate may run from many threads at once (each uses its own scratch
// buffer). RuleSetHolder's Get and Set may be called from any thread; an evaluation keeps the
// RuleSet it started with (the result holds it), so a reload never changes an event in flight.
#ifndef CF_ENGINE_EVALUATOR_H_
#define CF_ENGINE_EVALUATOR_H_

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "engine/binding.h"
#include "engine/event.h"
#include "engine/rule_set.h"
#include "engine/sync_sink.h"
#include "engine/time_zone.h"

namespace cf::engine {

class ConditionExplainer;

// The current RuleSet, swapped atomically on reload.
class RuleSetHolder {
 public:
  RuleSetHolder() = default;
  explicit RuleSetHolder(std::shared_ptr<const RuleSet> rules,
                         std::shared_ptr<const ConditionExplainer> explainer = nullptr);
  struct Current {
    std::shared_ptr<const RuleSet> rules;                // null before the first Set
    std::shared_ptr<const ConditionExplainer> explainer;  // null: explanations per rule only
    std::shared_ptr<const Binder> binder;                 // for rules' Environment (made by Set)
  };
  // The set in force now (a copy of two shared_ptrs under a short lock).
  Current Get() const;
  // Replaces the set (and its explainer, built from the same sources, or null), and makes the
  // Binder for its Environment (kept when the Environment is the previous set's). Evaluations
  // that already called Get finish on the old set, which is freed when the last one ends.
  void Set(std::shared_ptr<const RuleSet> rules, std::shared_ptr<const ConditionExplainer> explainer = nullptr);

 private:
  mutable std::mutex mu_;
  Current current_;
};

// How a field value is written into Salesforce's JSON.
enum class JsonType : uint8_t { kString, kNumber, kBoolean };

struct ActionField {
  enum class Kind : uint8_t {
    kValue,     // `text` holds Salesforce's text form of the value
    kNull,      // null: clear the field (on a create, the same as not setting it)
    kActionId,  // the Id of the record written by actions[`action`] of this result
  };
  int field_index = -1;  // in the action's object (Object::fields)
  std::string name;      // as the org spells it
  Kind kind = Kind::kNull;
  JsonType json_type = JsonType::kString;
  std::string text;
  int action = -1;
};

struct Action {
  ActionKind kind = ActionKind::kCreate;
  int fired_rule = -1;   // index in EvaluationResult::fired
  int rule_action = -1;  // index in the rule's CompiledRule::actions
  // Salesforce actions: the object written (Task for log task), as index and name.
  int object_index = -1;
  std::string object;
  // update: the record, by its 18-character Id, or (target_action >= 0) the record written by
  // that earlier action of this result.
  std::string target_id;
  int target_action = -1;
  std::string key_field;  // upsert: the external-id field's name
  // Field values in the order written; log task: WhoId and WhatId (as kValue Ids or
  // kActionId) after them when resolved from links, absent when the link is empty.
  std::vector<ActionField> fields;
  // Host actions: route to team, add tag, set priority: one value; notify: recipient, message.
  std::vector<std::string> arguments;
};

struct FiredRule {
  const CompiledRule* rule = nullptr;  // in EvaluationResult::rules
  // Actions the rule has but did not produce, with why ("update Case: no Case is bound").
  std::vector<std::string> skipped;
};

// Why a rule fired or not. Clauses are the operands of the condition's top-level AND or OR
// (one clause when it is neither); they are listed only when the RuleSetHolder has a
// ConditionExplainer (it needs the rule files' text).
struct ClauseExplanation {
  std::string text;  // the clause as written in the rule file
  Tri value = Tri::kUnknown;
  // Each field path the clause reads, as written, with its value's text or "null".
  std::vector<std::pair<std::string, std::string>> values;
};
struct RuleExplanation {
  enum class Outcome : uint8_t {
    kFired,
    kFalse,       // condition FALSE
    kUnknown,     // condition NULL (unknown): does not fire
    kNotReached,  // after a fired rule with `stop`
  };
  const CompiledRule* rule = nullptr;
  Outcome outcome = Outcome::kNotReached;
  Tri condition = Tri::kTrue;  // TRUE for a rule without `when`
  std::string join;            // "AND", "OR", or "" (a single clause)
  std::vector<ClauseExplanation> clauses;
};
const char* OutcomeName(RuleExplanation::Outcome outcome);  // "fired", "false", ...

struct EvaluationResult {
  std::shared_ptr<const RuleSet> rules;  // the set evaluated; keeps the rule pointers valid
  Trigger trigger = Trigger::kConversationCreated;
  // Ids of the records bound (18 characters, empty when null), by RuleRoot, and how.
  std::array<std::string, kRecordRootCount> bound_ids;
  std::array<BindSource, kRecordRootCount> bound_sources{};
  std::vector<FiredRule> fired;
  std::vector<Action> actions;
  // With EvaluateOptions::explain: every rule RulesFor(trigger) lists, in evaluation order.
  std::vector<RuleExplanation> explanations;
  std::string error;  // set when nothing was evaluated (no rule set)
  bool ok() const { return error.empty(); }
};

// A readable report of a result (docs/evaluation.md, "Explanations"):
//   bound: Contact 003... (email), Lead null, Account 001... (related), ...
//   rule "Account insights": false
//     FALSE  Account.AnnualRevenue > $500,000   [Account.AnnualRevenue = 125500000.5]
//   rule "Greet known contacts": fired
//   action 0: add tag "known-contact"
std::string FormatResult(const EvaluationResult& result);

struct EvaluateOptions {
  // Fill EvaluationResult::explanations. Default: false (costs an evaluation per clause).
  bool explain = false;
  // Evaluate only the rules the trigger's RuleIndex gives as candidates (the others cannot
  // fire). Results are the same either way; false is the linear scan, for comparison.
  // Ignored with `explain` (every rule is evaluated so that each gets its explanation).
  // Default: true.
  bool use_index = true;
  // The clock TODAY() and NOW() read, and the zone of TODAY(). Default: system clock, UTC.
  const Clock* clock = nullptr;
  const TimeZone* time_zone = nullptr;
};

class Evaluator {
 public:
  Evaluator() = default;
  // Binds `event` to the records of `snapshot` (Binder) and evaluates `rules`. The event must
  // come from an EventBuilder on the rules' Environment (events built on another Environment
  // are converted by field name). Never fails but for a null rule set (result.error).
  EvaluationResult Evaluate(const RuleSetHolder::Current& rules, const Event& event,
                            RecordSnapshotPtr snapshot, const EvaluateOptions& options = {}) const;
  EvaluationResult Evaluate(std::shared_ptr<const RuleSet> rules, const Event& event,
                            RecordSnapshotPtr snapshot, const EvaluateOptions& options = {}) const {
    return Evaluate(RuleSetHolder::Current{std::move(rules), nullptr}, event, std::move(snapshot), options);
  }

 private:
  // The Binder for a rule set evaluated without a holder's (cached under a lock: a rule set's
  // Environment is usually shared by every reload).
  std::shared_ptr<const Binder> BinderFor(const std::shared_ptr<const Environment>& env) const;
  mutable std::mutex binder_mu_;
  mutable std::shared_ptr<const Binder> binder_;
};

// Per-clause explanations need the conditions' source: a RuleSet keeps only compiled forms.
// Built from the sources a RuleSet was compiled from; immutable, thread-safe.
class ConditionExplainer {
 public:
  // `sources` must be the texts `rules` was compiled from (same files, same order). Rules whose
  // source cannot be matched get no clauses.
  static std::shared_ptr<const ConditionExplainer> Build(const RuleSet& rules,
                                                         const std::vector<RuleSource>& sources);

  struct Path {
    std::string text;                       // "Account.AnnualRevenue"
    std::shared_ptr<const CompiledValue> value;
  };
  struct Clause {
    std::string text;
    std::shared_ptr<const CompiledCondition> condition;
    std::vector<Path> paths;
  };
  struct RuleClauses {
    std::string join;  // "AND", "OR" or ""
    std::vector<Clause> clauses;
  };
  // By CompiledRule::order; null when unknown.
  const RuleClauses* For(const CompiledRule& rule) const;

 private:
  std::vector<std::unique_ptr<RuleClauses>> by_order_;
};

// Reads every "*.rule" file of a folder (as LoadRuleSet does), compiles them, and on success
// builds the explainer from the same texts, so that both come from one read.
struct LoadedRules {
  RuleSetResult result;
  std::shared_ptr<const ConditionExplainer> explainer;  // set iff result.ok()
};
LoadedRules LoadRulesWithExplainer(const std::string& folder, std::shared_ptr<const Environment> environment,
                                   const RuleSetOptions& options = {});

}  // namespace cf::engine

#endif  // CF_ENGINE_EVALUATOR_H_
