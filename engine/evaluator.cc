#include "engine/evaluator.h"

#include <cstdint>
#include <utility>
#include <vector>

#include "engine/record_codec.h"

namespace cf::engine {
namespace {

JsonType JsonTypeOf(FieldType type) {
  switch (type) {
    case FieldType::kBoolean: return JsonType::kBoolean;
    case FieldType::kInt:
    case FieldType::kLong:
    case FieldType::kDouble:
    case FieldType::kCurrency:
    case FieldType::kPercent: return JsonType::kNumber;
    default: return JsonType::kString;
  }
}


// Scratch for computed strings, one per evaluating thread.
EvalScratch& ThreadScratch() {
  thread_local EvalScratch scratch(16 * 1024);
  return scratch;
}

// The rule index's candidate bits, one per evaluating thread (grows to the largest trigger).
std::vector<uint64_t>& ThreadCandidates() {
  thread_local std::vector<uint64_t> bits;
  return bits;
}

// One evaluation's state.
struct Run {
  const RuleSet& set;
  const Binding& binding;
  const EvalContext& ctx;
  EvaluationResult* result;

  // The text of a value; false for null.
  bool Text(const CompiledValue& value, std::string* out) const { return value.EvaluateText(ctx, out); }

  // A link target: the bound record's Id or an earlier action's record. False when null.
  bool Resolve(const RecordRef& ref, const std::vector<int>& produced, ActionField* f) const {
    if (ref.action >= 0) {
      if (produced[ref.action] < 0) return false;
      f->kind = ActionField::Kind::kActionId;
      f->action = produced[ref.action];
      return true;
    }
    if (ref.root < 0 || ref.root >= kRecordRootCount) return false;
    const Record* r = binding.records[ref.root];
    if (r == nullptr || r->id() == nullptr) return false;
    f->kind = ActionField::Kind::kValue;
    f->text = r->id()->To18();
    return true;
  }

  void Link(const Object& task, const char* field_name, const RecordRef& first,
            const std::vector<RecordRef>& fallbacks, const std::vector<int>& produced, Action* out) const {
    if (!first.valid()) return;  // set by hand among the assignments
    ActionField f;
    f.field_index = task.FieldIndex(field_name);
    f.name = f.field_index >= 0 ? task.fields[f.field_index].name : field_name;
    bool found = Resolve(first, produced, &f);
    for (size_t i = 0; !found && i < fallbacks.size(); ++i) found = Resolve(fallbacks[i], produced, &f);
    if (found) out->fields.push_back(std::move(f));
  }

  void Produce(const CompiledRule& rule, int fired_index) {
    const Schema& schema = set.environment().schema();
    std::vector<int> produced(rule.actions.size(), -1);
    FiredRule& fired = result->fired[fired_index];
    for (size_t i = 0; i < rule.actions.size(); ++i) {
      const CompiledAction& a = rule.actions[i];
      Action out;
      out.kind = a.kind;
      out.fired_rule = fired_index;
      out.rule_action = static_cast<int>(i);
      const Object* object = a.object_index >= 0 ? &schema.object(a.object_index) : nullptr;
      if (object != nullptr) {
        out.object_index = a.object_index;
        out.object = object->name;
      }
      if (a.kind == ActionKind::kUpdate) {
        if (a.target.action >= 0) {
          out.target_action = produced[a.target.action];
        } else if (a.target.root >= 0 && a.target.root < kRecordRootCount &&
                   binding.records[a.target.root] != nullptr && binding.records[a.target.root]->id() != nullptr) {
          out.target_id = binding.records[a.target.root]->id()->To18();
        }
        if (out.target_action < 0 && out.target_id.empty()) {
          const char* what = a.target.root >= 0 ? RuleRootName(static_cast<RuleRoot>(a.target.root)) : "record";
          fired.skipped.push_back(std::string("action ") + std::to_string(i) + " (update " + what +
                                  "): no " + what + " is bound");
          continue;
        }
      }
      if (a.kind == ActionKind::kUpsert && object != nullptr && a.key_field_index >= 0) {
        out.key_field = object->fields[a.key_field_index].name;
      }
      for (const CompiledAssignment& assignment : a.assignments) {
        ActionField f;
        f.field_index = assignment.field_index;
        f.name = assignment.field_name;
        if (object != nullptr && f.field_index >= 0) f.json_type = JsonTypeOf(object->fields[f.field_index].type);
        if (assignment.from_action >= 0) {
          f.kind = ActionField::Kind::kActionId;
          f.action = produced[assignment.from_action];
        } else if (assignment.value != nullptr && Text(*assignment.value, &f.text)) {
          f.kind = ActionField::Kind::kValue;
        } else {
          f.kind = ActionField::Kind::kNull;
          f.text.clear();
        }
        out.fields.push_back(std::move(f));
      }
      if (a.kind == ActionKind::kLogTask && object != nullptr) {
        Link(*object, "WhoId", a.who, a.who_fallbacks, produced, &out);
        Link(*object, "WhatId", a.what, a.what_fallbacks, produced, &out);
      }
      bool null_argument = false;
      for (size_t k = 0; k < a.arguments.size(); ++k) {
        std::string text;
        if (!Text(*a.arguments[k], &text)) {
          // notify's message may be empty; every other argument is required.
          if (!(a.kind == ActionKind::kNotify && k == 1)) null_argument = true;
        }
        out.arguments.push_back(std::move(text));
      }
      if (null_argument) {
        fired.skipped.push_back(std::string("action ") + std::to_string(i) + " (" + ActionKindText(a.kind) +
                                "): its value is null");
        continue;
      }
      produced[i] = static_cast<int>(result->actions.size());
      result->actions.push_back(std::move(out));
    }
  }

  void Explain(const CompiledRule& rule, Tri condition, const ConditionExplainer* explainer,
               RuleExplanation* ex) const {
    ex->rule = &rule;
    ex->condition = condition;
    ex->outcome = condition == Tri::kTrue    ? RuleExplanation::Outcome::kFired
                  : condition == Tri::kFalse ? RuleExplanation::Outcome::kFalse
                                             : RuleExplanation::Outcome::kUnknown;
    const ConditionExplainer::RuleClauses* clauses =
        explainer == nullptr || rule.condition == nullptr ? nullptr : explainer->For(rule);
    if (clauses == nullptr) return;
    ex->join = clauses->join;
    for (const ConditionExplainer::Clause& clause : clauses->clauses) {
      ClauseExplanation c;
      c.text = clause.text;
      c.value = clause.condition->Evaluate(ctx);
      for (const ConditionExplainer::Path& path : clause.paths) {
        std::string text;
        if (!path.value->EvaluateText(ctx, &text)) text = "null";
        c.values.emplace_back(path.text, std::move(text));
      }
      ex->clauses.push_back(std::move(c));
    }
  }
};

}  // namespace

// --- RuleSetHolder ---------------------------------------------------------------------------

RuleSetHolder::RuleSetHolder(std::shared_ptr<const RuleSet> rules,
                             std::shared_ptr<const ConditionExplainer> explainer) {
  Set(std::move(rules), std::move(explainer));
}

RuleSetHolder::Current RuleSetHolder::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return current_;
}

void RuleSetHolder::Set(std::shared_ptr<const RuleSet> rules,
                        std::shared_ptr<const ConditionExplainer> explainer) {
  std::shared_ptr<const Binder> binder;
  if (rules != nullptr) {
    std::shared_ptr<const Binder> previous = Get().binder;
    binder = previous != nullptr && &previous->environment() == &rules->environment()
                 ? std::move(previous)
                 : std::make_shared<const Binder>(rules->environment_ptr());
  }
  Current next{std::move(rules), std::move(explainer), std::move(binder)};
  {
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(current_, next);
  }
  // The old set (in `next`) is released here, outside the lock, unless evaluations hold it.
}

// --- Evaluator -------------------------------------------------------------------------------

const char* OutcomeName(RuleExplanation::Outcome outcome) {
  switch (outcome) {
    case RuleExplanation::Outcome::kFired: return "fired";
    case RuleExplanation::Outcome::kFalse: return "not fired: condition FALSE";
    case RuleExplanation::Outcome::kUnknown: return "not fired: condition NULL";
    case RuleExplanation::Outcome::kNotReached: return "not evaluated: an earlier rule stopped the event";
  }
  return "?";
}

std::shared_ptr<const Binder> Evaluator::BinderFor(const std::shared_ptr<const Environment>& env) const {
  std::lock_guard<std::mutex> lock(binder_mu_);
  if (binder_ == nullptr || &binder_->environment() != env.get()) binder_ = std::make_shared<const Binder>(env);
  return binder_;
}

EvaluationResult Evaluator::Evaluate(const RuleSetHolder::Current& current, const Event& event,
                                     RecordSnapshotPtr snapshot, const EvaluateOptions& options) const {
  EvaluationResult result;
  result.trigger = event.type;
  if (current.rules == nullptr) {
    result.error = "no rule set is loaded";
    return result;
  }
  result.rules = current.rules;
  const RuleSet& set = *current.rules;
  const Environment& env = set.environment();
  // Event objects built on another Environment (a schema refresh) are converted by field name
  // first: the binder and the conditions read them by the rules' layouts.
  const Event* bound_event = &event;
  Event converted_event;
  for (int e = 0; e < kEventRootCount; ++e) {
    const Record* object = event.objects[e].get();
    const int root = set.root_index(static_cast<RuleRoot>(kRecordRootCount + e));
    if (object == nullptr || root < 0) continue;
    const std::shared_ptr<const RecordLayout>& layout = env.layout(env.roots()[root].object_index);
    if (&object->layout() == layout.get()) continue;
    if (bound_event == &event) {
      converted_event = event;
      bound_event = &converted_event;
    }
    RecordPtr copy;
    if (!DecodeRecord(EncodeRecord(*object), layout, &copy).ok()) copy = nullptr;
    converted_event.objects[e] = std::move(copy);
  }
  std::shared_ptr<const Binder> binder = current.binder != nullptr && &current.binder->environment() == &env
                                            ? current.binder
                                            : BinderFor(set.environment_ptr());
  Binding binding = binder->Bind(*bound_event, snapshot);
  for (int r = 0; r < kRecordRootCount; ++r) {
    const Record* rec = binding.records[r];
    if (rec != nullptr && rec->id() != nullptr) result.bound_ids[r] = rec->id()->To18();
    result.bound_sources[r] = binding.sources[r];
  }

  // Roots: the bound records (in the rules' layouts: Binder's contract), the event objects.
  std::vector<const Record*> roots(env.roots().size(), nullptr);
  for (int r = 0; r < kRuleRootCount; ++r) {
    const int index = set.root_index(static_cast<RuleRoot>(r));
    if (index < 0) continue;
    roots[index] = r < kRecordRootCount ? binding.records[r] : bound_event->objects[r - kRecordRootCount].get();
  }
  static const SystemClock kSystemClock;
  static const std::shared_ptr<const TimeZone> kUtc = TimeZone::Utc();
  EvalContext ctx;
  ctx.roots = roots.data();
  ctx.root_count = roots.size();
  ctx.source = binding.snapshot.get();
  ctx.scratch = &ThreadScratch();
  SetTimeFrame(&ctx, options.clock != nullptr ? *options.clock : kSystemClock,
               options.time_zone != nullptr ? *options.time_zone : *kUtc);

  Run run{set, binding, ctx, &result};
  // Evaluates one rule; true when it fired with `stop`.
  auto evaluate = [&](const CompiledRule* rule) {
    const Tri condition = rule->condition == nullptr ? Tri::kTrue : rule->condition->Evaluate(ctx);
    if (options.explain) {
      result.explanations.emplace_back();
      run.Explain(*rule, condition, current.explainer.get(), &result.explanations.back());
    }
    if (condition != Tri::kTrue) return false;
    result.fired.push_back(FiredRule{rule, {}});
    run.Produce(*rule, static_cast<int>(result.fired.size()) - 1);
    return rule->stop;
  };
  const std::vector<const CompiledRule*>& rules = set.RulesFor(event.type);
  if (options.use_index && !options.explain) {
    // Only the candidates, in RulesFor order: a rule left out cannot fire, so `stop` and the
    // fired list are those of the full scan.
    std::vector<uint64_t>& bits = ThreadCandidates();
    set.IndexFor(event.type).Candidates(roots.data(), roots.size(), &bits);
    for (size_t w = 0; w < bits.size(); ++w) {
      for (uint64_t word = bits[w]; word != 0; word &= word - 1) {
        const size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(word));
        if (evaluate(rules[i])) return result;
      }
    }
    return result;
  }
  bool stopped = false;
  for (const CompiledRule* rule : rules) {
    if (stopped) {
      if (!options.explain) break;
      RuleExplanation ex;
      ex.rule = rule;
      ex.outcome = RuleExplanation::Outcome::kNotReached;
      ex.condition = Tri::kUnknown;
      result.explanations.push_back(std::move(ex));
      continue;
    }
    stopped = evaluate(rule);
  }
  return result;
}

}  // namespace cf::engine
