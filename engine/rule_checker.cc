#include "engine/rule_checker.h"

#include <algorithm>
#include <map>
#include <utility>

namespace cf::engine::internal {
namespace {

using grammar::Node;
using grammar::NodeKind;
using grammar::RuleActionKind;
using grammar::SourceSpan;

constexpr int kFirstEventRoot = static_cast<int>(RuleRoot::kConversation);

ValueType FieldValueType(const Field& f) {
  switch (f.storage()) {
    case StorageKind::kBool: return ValueType::kBool;
    case StorageKind::kNumber: return ValueType::kNumber;
    case StorageKind::kString:
      return f.type == FieldType::kMultiPicklist ? ValueType::kMultiPicklist : ValueType::kString;
    case StorageKind::kPicklist: return ValueType::kPicklist;
    case StorageKind::kId: return ValueType::kId;
    case StorageKind::kDate: return ValueType::kDate;
    case StorageKind::kDateTime: return ValueType::kDateTime;
    case StorageKind::kTime: return ValueType::kTime;
    case StorageKind::kNone: break;
  }
  return ValueType::kNull;
}

bool IsText(ValueType t) {
  return t == ValueType::kString || t == ValueType::kPicklist || t == ValueType::kMultiPicklist;
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

// The string literals an expression can result in, when it is built only of literals, null,
// IF and BLANKVALUE. Returns false when some result is not a literal.
bool CollectLiterals(const Node& n, std::vector<const Node*>* out) {
  switch (n.kind) {
    case NodeKind::kString:
      out->push_back(&n);
      return true;
    case NodeKind::kNull:
      return true;
    case NodeKind::kCall:
      if (n.text == "IF" && n.children.size() == 3) {
        bool a = CollectLiterals(n.children[1], out);
        return CollectLiterals(n.children[2], out) && a;
      }
      if (n.text == "BLANKVALUE" && n.children.size() == 2) {
        bool a = CollectLiterals(n.children[0], out);
        return CollectLiterals(n.children[1], out) && a;
      }
      return false;
    default:
      return false;
  }
}

std::string Quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string JoinValues(const Field& f, const std::vector<uint16_t>* only = nullptr) {
  std::string out;
  size_t shown = 0;
  for (size_t i = 0; i < f.picklist_values.size(); ++i) {
    if (only != nullptr && std::find(only->begin(), only->end(), i) == only->end()) continue;
    if (shown == 12) {
      out += ", ...";
      break;
    }
    out += (shown == 0 ? "\"" : ", \"") + f.picklist_values[i].value + "\"";
    ++shown;
  }
  return out;
}

std::string DidYouMean(std::string_view name, const std::vector<std::string_view>& candidates) {
  std::string best = ClosestName(name, candidates);
  return best.empty() ? "" : "did you mean '" + best + "'?";
}

std::vector<std::string_view> FieldNames(const Object& o) {
  std::vector<std::string_view> names;
  for (const Field& f : o.fields) names.push_back(f.name);
  return names;
}

bool RefersTo(const Field& f, std::string_view object_name) {
  for (const std::string& target : f.reference_to) {
    if (EqualsIgnoreCase(target, object_name)) return true;
  }
  return false;
}

std::string JoinNames(const std::vector<std::string>& names, const char* last = " or ") {
  std::string out;
  for (size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += i + 1 == names.size() ? last : ", ";
    out += names[i];
  }
  return out;
}

ActionKind KindOf(RuleActionKind kind) {
  switch (kind) {
    case RuleActionKind::kCreate: return ActionKind::kCreate;
    case RuleActionKind::kUpdate: return ActionKind::kUpdate;
    case RuleActionKind::kUpsert: return ActionKind::kUpsert;
    case RuleActionKind::kLogTask: return ActionKind::kLogTask;
    case RuleActionKind::kRouteToTeam: return ActionKind::kRouteToTeam;
    case RuleActionKind::kAddTag: return ActionKind::kAddTag;
    case RuleActionKind::kSetPriority: return ActionKind::kSetPriority;
    case RuleActionKind::kNotify: return ActionKind::kNotify;
  }
  return ActionKind::kCreate;
}

}  // namespace

void RuleChecker::Error(SourceSpan span, std::string message, std::string hint) {
  grammar::Diagnostic d;
  d.span = span;
  d.message = std::move(message);
  d.hint = std::move(hint);
  diagnostics_->push_back(std::move(d));
  ++errors_;
}

void RuleChecker::Note(SourceSpan span, std::string message) {
  grammar::Diagnostic d;
  d.severity = grammar::Severity::kNote;
  d.span = span;
  d.message = std::move(message);
  diagnostics_->push_back(std::move(d));
}

std::optional<CompiledRule> RuleChecker::Check(const grammar::Rule& rule,
                                               std::vector<grammar::Diagnostic>* diagnostics) {
  diagnostics_ = diagnostics;
  errors_ = 0;
  aliases_.clear();
  CompiledRule out;
  out.name = rule.name.text;
  out.priority = rule.priority;
  out.stop = rule.stop;
  out.enabled = rule.enabled;
  out.span = rule.span;
  CheckTriggers(rule, &out);
  if (rule.condition && CheckNames(*rule.condition)) {
    CompileResult compiled = CompileExpression(*rule.condition, env_);
    for (grammar::Diagnostic& d : compiled.diagnostics) {
      if (d.severity == grammar::Severity::kError) ++errors_;
      diagnostics_->push_back(std::move(d));
    }
    out.condition = compiled.condition;
  }
  for (size_t i = 0; i < rule.actions.size(); ++i) {
    CompiledAction action;
    CheckAction(rule.actions[i], static_cast<int>(i), &action);
    out.actions.push_back(std::move(action));
  }
  if (errors_ > 0) return std::nullopt;
  return out;
}

void RuleChecker::CheckTriggers(const grammar::Rule& rule, CompiledRule* out) {
  allowed_roots_ = 0;
  trigger_names_.clear();
  if (rule.triggers.empty()) {
    Error(rule.name.span, "the rule has no trigger",
          "add a line such as: on conversation.created");
  }
  std::vector<std::string_view> known;
  for (int t = 0; t < kTriggerCount; ++t) known.push_back(TriggerName(static_cast<Trigger>(t)));
  bool any = false;
  uint32_t allowed = ~0u;
  for (const grammar::RuleName& name : rule.triggers) {
    std::optional<Trigger> trigger = TriggerFromName(name.text);
    if (!trigger) {
      std::string hint = DidYouMean(name.text, known);
      if (hint.empty()) {
        hint = "the triggers are conversation.created, conversation.message, "
               "conversation.closed, call.ended and deal.closed";
      }
      Error(name.span, "unknown trigger '" + name.text + "'", hint);
      continue;
    }
    if ((out->triggers & (1u << static_cast<int>(*trigger))) != 0) continue;
    out->triggers |= 1u << static_cast<int>(*trigger);
    allowed &= RootsBoundBy(*trigger);
    trigger_names_ += (any ? ", " : "") + std::string(TriggerName(*trigger));
    any = true;
  }
  // Without a known trigger, allow every root so that one mistake gives one error.
  allowed_roots_ = any ? allowed : ~0u;
}

bool RuleChecker::CheckNames(const Node& expression) {
  bool ok = true;
  if (expression.kind == NodeKind::kPath && !expression.path.empty()) {
    const grammar::PathSegment& first = expression.path[0];
    for (const Alias& alias : aliases_) {
      if (alias.name == first.name) {
        Error(first.span, "'" + alias.name + "' is the record created by an earlier action",
              "only its Id can be used, on its own: Field = " + alias.name + ".Id");
        return false;
      }
    }
    int root = env_.FindRoot(first.name);
    for (int r = 0; root >= 0 && r < kRuleRootCount; ++r) {
      if (root_index_[r] != root || (allowed_roots_ & (1u << r)) != 0) continue;
      std::vector<std::string> bound;
      for (int b = 0; b < kRuleRootCount; ++b) {
        if ((allowed_roots_ & (1u << b)) != 0 && root_index_[b] >= 0) {
          bound.push_back(RuleRootName(static_cast<RuleRoot>(b)));
        }
      }
      Error(first.span,
            "'" + first.name + "' is not available in a rule that runs on " + trigger_names_,
            "these triggers bind " + JoinNames(bound, " and "));
      ok = false;
    }
  }
  for (const Node& child : expression.children) ok = CheckNames(child) && ok;
  return ok;
}

std::optional<RuleChecker::ResolvedRecord> RuleChecker::ResolveRecord(
    const grammar::RuleName& name, const char* what) {
  for (auto it = aliases_.rbegin(); it != aliases_.rend(); ++it) {
    if (it->name == name.text) return ResolvedRecord{RecordRef{-1, it->action}, it->object_index};
  }
  for (int r = 0; r < kRuleRootCount; ++r) {
    if (!EqualsIgnoreCase(name.text, RuleRootName(static_cast<RuleRoot>(r)))) continue;
    if (r >= kFirstEventRoot) {
      Error(name.span, "'" + name.text + "' is the event, not a Salesforce record",
            std::string(what) + " takes Contact, Lead, Account, Opportunity, Case or a record "
                                "created earlier in the rule with 'as'");
      return std::nullopt;
    }
    if (root_index_[r] < 0) {
      Error(name.span, "the org has no " + std::string(RuleRootName(static_cast<RuleRoot>(r))) +
                           " object");
      return std::nullopt;
    }
    return ResolvedRecord{RecordRef{r, -1}, env_.schema().IndexOf(RuleRootName(static_cast<RuleRoot>(r)))};
  }
  std::vector<std::string_view> candidates;
  for (int r = 0; r < kFirstEventRoot; ++r) candidates.push_back(RuleRootName(static_cast<RuleRoot>(r)));
  for (const Alias& alias : aliases_) candidates.push_back(alias.name);
  std::string hint = DidYouMean(name.text, candidates);
  if (hint.empty()) {
    hint = std::string(what) + " takes Contact, Lead, Account, Opportunity, Case or a record "
                               "created earlier in the rule with 'as'";
  }
  Error(name.span, "unknown record '" + name.text + "'", hint);
  return std::nullopt;
}

const Object* RuleChecker::ResolveObject(const grammar::RuleName& name, const char* verb) {
  const Object* object = env_.schema().Find(name.text);
  if (object != nullptr && !object->is_event) return object;
  std::vector<std::string_view> candidates;
  for (const Object& o : env_.schema().objects()) {
    if (!o.is_event) candidates.push_back(o.name);
  }
  if (object != nullptr) {
    Error(name.span, "'" + name.text + "' is the event, not a Salesforce object",
          std::string("name the object to ") + verb + ", such as Lead or Case");
  } else {
    Error(name.span, "unknown object '" + name.text + "'", DidYouMean(name.text, candidates));
  }
  return nullptr;
}

bool RuleChecker::CheckAction(const grammar::RuleAction& action, int index, CompiledAction* out) {
  size_t errors_before = errors_;
  out->kind = KindOf(action.kind);
  out->span = action.span;
  out->alias = action.alias.text;
  const Schema& schema = env_.schema();
  switch (action.kind) {
    case RuleActionKind::kCreate:
    case RuleActionKind::kUpsert: {
      const Object* object = ResolveObject(action.object, RuleActionKindName(action.kind));
      if (object == nullptr) break;
      out->object_index = schema.IndexOf(object->name);
      bool upsert = action.kind == RuleActionKind::kUpsert;
      if (!object->createable || (upsert && !object->updateable)) {
        Error(action.object.span, "records of " + object->name + " cannot be " +
                                      (upsert ? "created and updated" : "created") +
                                      " by the integration user");
        break;
      }
      if (upsert) {
        out->key_field_index = object->FieldIndex(action.key_field.text);
        if (out->key_field_index < 0) {
          Error(action.key_field.span,
                "unknown field '" + action.key_field.text + "' on " + object->name,
                DidYouMean(action.key_field.text, FieldNames(*object)));
        } else if (!object->fields[out->key_field_index].external_id) {
          std::vector<std::string> external;
          for (const Field& f : object->fields) {
            if (f.external_id) external.push_back(f.name);
          }
          Error(action.key_field.span,
                object->name + "." + object->fields[out->key_field_index].name +
                    " is not an external-id field, so upsert cannot match on it",
                external.empty() ? object->name + " has no external-id field"
                                 : "its external-id fields: " + JoinNames(external, " and "));
        }
      }
      key_field_ = out->key_field_index;
      CheckAssignments(action, *object, out->kind, out);
      key_field_ = -1;
      if (upsert && out->key_field_index >= 0) {
        bool set = false;
        for (const grammar::RuleAssignment& a : action.assignments) {
          set |= object->FieldIndex(a.field.text) == out->key_field_index;
        }
        if (!set) {
          Error(action.key_field.span,
                "set " + object->fields[out->key_field_index].name + " in the braces: upsert matches on its value");
        }
      }
      CheckRequired(action, *object);
      break;
    }
    case RuleActionKind::kUpdate: {
      std::optional<ResolvedRecord> target = ResolveRecord(action.object, "update");
      if (!target || target->object_index < 0) break;
      out->target = target->ref;
      out->object_index = target->object_index;
      const Object& object = schema.object(target->object_index);
      if (!object.updateable) {
        Error(action.object.span,
              "records of " + object.name + " cannot be updated by the integration user");
        break;
      }
      if (action.assignments.empty()) {
        Error(action.span, "update " + action.object.text + " sets no field",
              "write the fields to change in the braces: { Field = value }");
      }
      CheckAssignments(action, object, out->kind, out);
      break;
    }
    case RuleActionKind::kLogTask: {
      int task = schema.IndexOf("Task");
      if (task < 0 || schema.object(task).is_event) {
        Error(action.span, "the org has no Task object to log");
        break;
      }
      out->object_index = task;
      const Object& object = schema.object(task);
      if (!object.createable) {
        Error(action.span, "Tasks cannot be created by the integration user");
        break;
      }
      CheckAssignments(action, object, out->kind, out);
      CheckLinks(action, out);
      CheckRequired(action, object);
      break;
    }
    case RuleActionKind::kRouteToTeam:
    case RuleActionKind::kAddTag:
    case RuleActionKind::kSetPriority:
    case RuleActionKind::kNotify: {
      static constexpr const char* kWhat[] = {"the team", "the tag", "the priority"};
      for (size_t i = 0; i < action.arguments.size(); ++i) {
        const char* what = action.kind == RuleActionKind::kNotify
                               ? (i == 0 ? "the recipient" : "the message")
                               : kWhat[static_cast<int>(action.kind) -
                                       static_cast<int>(RuleActionKind::kRouteToTeam)];
        out->arguments.push_back(CompileText(action.arguments[i], what));
      }
      break;
    }
  }
  if (!action.alias.text.empty()) {
    bool taken = false;
    for (int r = 0; r < kRuleRootCount; ++r) {
      taken |= action.alias.text == RuleRootName(static_cast<RuleRoot>(r));
    }
    for (const Alias& alias : aliases_) taken |= alias.name == action.alias.text;
    if (taken) {
      Error(action.alias.span, "the name '" + action.alias.text + "' is already taken in this rule",
            "choose another name, such as new_" + action.alias.text);
    } else {
      aliases_.push_back(Alias{action.alias.text, index, out->object_index});
    }
  }
  return errors_ == errors_before;
}

bool RuleChecker::CheckAssignments(const grammar::RuleAction& action, const Object& object,
                                   ActionKind kind, CompiledAction* out) {
  size_t errors_before = errors_;
  std::map<int, SourceSpan> seen;
  for (const grammar::RuleAssignment& assignment : action.assignments) {
    int field_index = object.FieldIndex(assignment.field.text);
    if (field_index < 0) {
      Error(assignment.field.span, "unknown field '" + assignment.field.text + "' on " + object.name,
            DidYouMean(assignment.field.text, FieldNames(object)));
      continue;
    }
    const Field& field = object.fields[field_index];
    auto [it, inserted] = seen.emplace(field_index, assignment.field.span);
    if (!inserted) {
      Error(assignment.field.span, object.name + "." + field.name + " is set twice");
      Note(it->second, "it is first set here");
      continue;
    }
    CompiledAssignment compiled;
    compiled.field_index = field_index;
    compiled.field_name = field.name;
    compiled.span = assignment.span;
    if (CheckAssignment(assignment, object, field, kind, &compiled)) {
      out->assignments.push_back(std::move(compiled));
    }
  }
  if (errors_ == errors_before) CheckDependentPicklists(action, object);
  return errors_ == errors_before;
}

bool RuleChecker::CheckAssignment(const grammar::RuleAssignment& assignment, const Object& object,
                                  const Field& field, ActionKind kind, CompiledAssignment* out) {
  std::string name = object.name + "." + field.name;
  bool creates = kind != ActionKind::kUpdate;
  bool updates = kind == ActionKind::kUpdate || kind == ActionKind::kUpsert;
  bool is_key = kind == ActionKind::kUpsert && out->field_index == key_field_;
  std::string why = field.calculated ? " (it is a formula field)" : "";
  if (creates && !field.createable) {
    Error(assignment.field.span, name + " cannot be set when a record is created" + why);
    return false;
  }
  if (updates && !field.updateable && !is_key) {
    Error(assignment.field.span, name + " cannot be updated" + why);
    return false;
  }
  if (field.storage() == StorageKind::kNone) {
    Error(assignment.field.span,
          name + " is of type " + std::string(FieldTypeName(field.type)) + ", which rules cannot set",
          field.type == FieldType::kAddress ? "set its parts, such as the Street and City fields" : "");
    return false;
  }
  const Node& value = assignment.value;
  // `Field = alias.Id`: the Id of a record created by an earlier action.
  if (value.kind == NodeKind::kPath && value.path.size() == 2 &&
      EqualsIgnoreCase(value.path[1].name, "Id")) {
    for (auto it = aliases_.rbegin(); it != aliases_.rend(); ++it) {
      if (it->name != value.path[0].name) continue;
      std::string target = it->object_index >= 0 ? env_.schema().object(it->object_index).name : "";
      if (field.type != FieldType::kReference || (!target.empty() && !RefersTo(field, target))) {
        Error(value.span, name + " cannot hold the Id of a " + target,
              field.reference_to.empty() ? "" : "it refers to " + JoinNames(field.reference_to));
        return false;
      }
      out->from_action = it->action;
      return true;
    }
  }
  if (!CheckNames(value)) return false;
  ValueCompileResult compiled = CompileValue(value, env_);
  bool ok = compiled.ok();
  for (grammar::Diagnostic& d : compiled.diagnostics) {
    if (d.severity == grammar::Severity::kError) ++errors_;
    diagnostics_->push_back(std::move(d));
  }
  if (!ok || !CheckValueType(assignment, object, field, *compiled.value)) return false;
  out->value = std::move(compiled.value);
  return true;
}

bool RuleChecker::CheckValueType(const grammar::RuleAssignment& assignment, const Object& object,
                                 const Field& field, const CompiledValue& compiled) {
  const Node& value = assignment.value;
  ValueType type = compiled.type();
  std::string name = object.name + "." + field.name;
  ValueType want = FieldValueType(field);
  auto mismatch = [&](std::string hint) {
    Error(value.span,
          name + " is a " + std::string(FieldTypeName(field.type)) + " field, but this value is " +
              ValueTypeName(type),
          std::move(hint));
    return false;
  };
  if (type == ValueType::kNull) {
    if (!field.nillable) {
      Error(value.span, name + " cannot be null", "Salesforce requires a value for it");
      return false;
    }
    return true;
  }
  std::vector<const Node*> literals;
  bool all_literal = CollectLiterals(value, &literals);
  // A text value that reads no record (`"Closed " & "Won"`) is checked like a literal.
  Node folded;
  if (!all_literal && IsText(type) && compiled.referenced_roots().empty()) {
    EvalContext empty;
    std::string text;
    if (compiled.EvaluateText(empty, &text)) {
      folded.kind = NodeKind::kString;
      folded.text = std::move(text);
      folded.span = value.span;
      literals = {&folded};
      all_literal = true;
    }
  }
  switch (want) {
    case ValueType::kBool:
      return type == ValueType::kBool || mismatch("");
    case ValueType::kNumber:
      return type == ValueType::kNumber ||
             mismatch(IsText(type) ? "convert text with VALUE(...)" : "");
    case ValueType::kString:
      if (!IsText(type)) return mismatch("convert it to text with TEXT(...)");
      for (const Node* literal : literals) {
        size_t length = CodePoints(literal->text);
        if (field.length > 0 && length > static_cast<size_t>(field.length)) {
          Error(literal->span, "this text has " + std::to_string(length) + " characters, but " +
                                   name + " holds at most " + std::to_string(field.length));
          return false;
        }
      }
      return true;
    case ValueType::kMultiPicklist: {
      if (!IsText(type)) return mismatch("");
      bool ok = true;
      for (const Node* literal : literals) {
        std::string_view text = literal->text;
        while (ok) {
          size_t semicolon = text.find(';');
          Node part = *literal;
          part.text = std::string(text.substr(0, semicolon));
          ok = CheckPicklistLiteral(part, object, field);
          if (semicolon == std::string_view::npos) break;
          text.remove_prefix(semicolon + 1);
        }
      }
      return ok;
    }
    case ValueType::kPicklist: {
      if (!IsText(type) || type == ValueType::kMultiPicklist) return mismatch("");
      bool ok = true;
      for (const Node* literal : literals) ok = CheckPicklistLiteral(*literal, object, field) && ok;
      if (ok && field.restricted_picklist && !all_literal) {
        Error(value.span,
              name + " is a restricted picklist, so its value must be written as one of its values",
              "write a value in quotes, such as \"" +
                  (field.picklist_values.empty() ? std::string("...") : field.picklist_values[0].value) +
                  "\", or choose between values with IF(...)");
        return false;
      }
      return ok;
    }
    case ValueType::kId: {
      if (type == ValueType::kId) {
        // `Field = Root.Id` or `Field = Root.LookupField`: the record it names must be of an
        // object the field refers to.
        if (value.kind == NodeKind::kPath && value.path.size() == 2 &&
            field.type == FieldType::kReference && !field.reference_to.empty()) {
          int root = env_.FindRoot(value.path[0].name);
          if (root >= 0) {
            const Object& source = env_.schema().object(env_.roots()[root].object_index);
            std::vector<std::string> targets;
            if (EqualsIgnoreCase(value.path[1].name, "Id")) {
              targets.push_back(source.name);
            } else if (const Field* lookup = source.FindField(value.path[1].name);
                       lookup != nullptr && lookup->type == FieldType::kReference) {
              targets = lookup->reference_to;
            }
            bool fits = targets.empty();
            for (const std::string& target : targets) fits |= RefersTo(field, target);
            if (!fits) {
              Error(value.span, name + " cannot hold the Id of a " + JoinNames(targets),
                    "it refers to " + JoinNames(field.reference_to));
              return false;
            }
          }
        }
        return true;
      }
      if (type == ValueType::kString && all_literal) {
        for (const Node* literal : literals) {
          if (!SfId::Parse(literal->text)) {
            Error(literal->span, "'" + literal->text + "' is not a record Id",
                  "an Id has 15 or 18 letters and digits");
            return false;
          }
        }
        return true;
      }
      return mismatch("use an Id, such as Contact.Id");
    }
    case ValueType::kDate:
      return type == ValueType::kDate ||
             mismatch(type == ValueType::kDateTime ? "take its date with DATEVALUE(...)" : "");
    case ValueType::kDateTime:
      return type == ValueType::kDateTime || mismatch("");
    case ValueType::kTime:
      return type == ValueType::kTime || mismatch("");
    case ValueType::kNull:
      break;
  }
  return mismatch("");
}

bool RuleChecker::CheckPicklistLiteral(const Node& literal, const Object& object, const Field& field) {
  int index = field.FindPicklistValue(literal.text);
  std::string name = object.name + "." + field.name;
  if (index < 0) {
    std::vector<std::string_view> values;
    for (const PicklistValue& v : field.picklist_values) values.push_back(v.value);
    std::string hint = DidYouMean(literal.text, values);
    if (hint.empty() && !values.empty()) hint = "its values are " + JoinValues(field);
    Error(literal.span, Quoted(literal.text) + " is not a value of picklist " + name, hint);
    return false;
  }
  if (field.restricted_picklist && !field.picklist_values[index].active) {
    Error(literal.span, Quoted(literal.text) + " is an inactive value of restricted picklist " + name);
    return false;
  }
  return true;
}

void RuleChecker::CheckDependentPicklists(const grammar::RuleAction& action, const Object& object) {
  bool creates = action.kind != RuleActionKind::kUpdate;
  for (const grammar::RuleAssignment& assignment : action.assignments) {
    const Field* field = object.FindField(assignment.field.text);
    if (field == nullptr || !field->dependent_picklist || field->controller_name.empty() ||
        assignment.value.kind != NodeKind::kString) {
      continue;
    }
    const Field* controller = object.FindField(field->controller_name);
    int value_index = field->FindPicklistValue(assignment.value.text);
    if (controller == nullptr || value_index < 0) continue;
    const grammar::RuleAssignment* set = nullptr;
    for (const grammar::RuleAssignment& other : action.assignments) {
      if (EqualsIgnoreCase(other.field.text, controller->name)) set = &other;
    }
    int controller_index = -1;
    std::string controller_text;
    if (set != nullptr) {
      if (set->value.kind == NodeKind::kString && controller->type != FieldType::kBoolean) {
        controller_index = controller->FindPicklistValue(set->value.text);
        controller_text = "'" + set->value.text + "'";
      } else if (set->value.kind == NodeKind::kBool && controller->type == FieldType::kBoolean) {
        controller_index = set->value.boolean_value ? 1 : 0;
        controller_text = set->value.boolean_value ? "true" : "false";
      }
    } else if (creates) {
      // A new record starts with the controller's default: false for a checkbox, the
      // default picklist value if any.
      if (controller->type == FieldType::kBoolean) {
        controller_index = 0;
        controller_text = "false (its default)";
      } else {
        for (size_t i = 0; i < controller->picklist_values.size(); ++i) {
          if (controller->picklist_values[i].default_value) {
            controller_index = static_cast<int>(i);
            controller_text = "'" + controller->picklist_values[i].value + "' (its default)";
          }
        }
        if (controller_index < 0) {
          Error(assignment.field.span,
                object.name + "." + field->name + " depends on " + controller->name + ", which is not set",
                "set " + controller->name + " too, to a value " + Quoted(assignment.value.text) +
                    " is valid for");
          continue;
        }
      }
    }
    if (controller_index < 0) continue;
    const std::vector<uint16_t>& valid_for = field->picklist_values[value_index].valid_for;
    if (std::find(valid_for.begin(), valid_for.end(), controller_index) != valid_for.end()) continue;
    std::vector<uint16_t> valid;
    for (size_t i = 0; i < field->picklist_values.size(); ++i) {
      const std::vector<uint16_t>& v = field->picklist_values[i].valid_for;
      if (std::find(v.begin(), v.end(), controller_index) != v.end()) valid.push_back(static_cast<uint16_t>(i));
    }
    Error(assignment.value.span,
          Quoted(assignment.value.text) + " is not valid for " + object.name + "." + field->name +
              " when " + controller->name + " is " + controller_text,
          valid.empty() ? "no value is valid for it"
                        : "valid values then: " + JoinValues(*field, &valid));
  }
}

void RuleChecker::CheckRequired(const grammar::RuleAction& action, const Object& object) {
  // A misspelt field is already reported; "must set" it again would be noise.
  for (const grammar::RuleAssignment& a : action.assignments) {
    if (object.FindField(a.field.text) == nullptr) return;
  }
  std::vector<std::string> missing;
  for (const Field& field : object.fields) {
    if (!field.createable || field.nillable || field.defaulted_on_create ||
        field.storage() == StorageKind::kNone) {
      continue;
    }
    bool set = false;
    for (const grammar::RuleAssignment& a : action.assignments) {
      set |= EqualsIgnoreCase(a.field.text, field.name);
    }
    if (!set) missing.push_back(field.name);
  }
  if (missing.empty()) return;
  SourceSpan span = action.object.text.empty() ? action.span : action.object.span;
  Error(span,
        std::string(RuleActionKindName(action.kind)) + " " + object.name + " must set " +
            JoinNames(missing, " and ") + ": Salesforce requires " +
            (missing.size() == 1 ? "it" : "them") + " on a new record",
        "add " + missing[0] + " = ... in the braces");
}

bool RuleChecker::CheckLinks(const grammar::RuleAction& action, CompiledAction* out) {
  const Object& task = env_.schema().object(out->object_index);
  const Field* who = task.FindField("WhoId");
  const Field* what = task.FindField("WhatId");
  bool explicit_who = false;
  bool explicit_what = false;
  for (const grammar::RuleAssignment& a : action.assignments) {
    explicit_who |= EqualsIgnoreCase(a.field.text, "WhoId");
    explicit_what |= EqualsIgnoreCase(a.field.text, "WhatId");
  }
  size_t errors_before = errors_;
  for (const grammar::RuleName& link : action.links) {
    std::optional<ResolvedRecord> record = ResolveRecord(link, "log task on");
    if (!record || record->object_index < 0) continue;
    const std::string& object = env_.schema().object(record->object_index).name;
    bool is_who = who != nullptr && RefersTo(*who, object);
    bool is_what = !is_who && what != nullptr && RefersTo(*what, object);
    RecordRef* slot = is_who ? &out->who : is_what ? &out->what : nullptr;
    if (slot == nullptr) {
      Error(link.span, "a task cannot be linked to a " + object,
            "it links to a person (" + (who ? JoinNames(who->reference_to) : std::string("none")) +
                ") and to a record (" + (what ? JoinNames(what->reference_to) : std::string("none")) + ")");
      continue;
    }
    if (slot->valid()) {
      Error(link.span, std::string("the task is already linked to a ") +
                           (is_who ? "person (WhoId)" : "record (WhatId)"),
            "a task links to one person and one record");
      continue;
    }
    if ((is_who && explicit_who) || (is_what && explicit_what)) {
      Error(link.span, std::string(is_who ? "WhoId" : "WhatId") + " is also set in the braces",
            "link the task either with 'on' or with the field");
      continue;
    }
    *slot = record->ref;
  }
  if (action.links.empty()) {
    auto root = [this](RuleRoot r) {
      return root_index_[static_cast<int>(r)] >= 0 ? RecordRef{static_cast<int>(r), -1} : RecordRef{};
    };
    auto add = [&](RecordRef ref, RecordRef* first, std::vector<RecordRef>* rest) {
      if (!ref.valid()) return;
      if (!first->valid()) {
        *first = ref;
      } else {
        rest->push_back(ref);
      }
    };
    if (!explicit_who && who != nullptr) {
      if (RefersTo(*who, "Contact")) add(root(RuleRoot::kContact), &out->who, &out->who_fallbacks);
      if (RefersTo(*who, "Lead")) add(root(RuleRoot::kLead), &out->who, &out->who_fallbacks);
    }
    if (!explicit_what && what != nullptr) {
      for (RuleRoot r : {RuleRoot::kCase, RuleRoot::kOpportunity, RuleRoot::kAccount}) {
        if (RefersTo(*what, RuleRootName(r))) add(root(r), &out->what, &out->what_fallbacks);
      }
    }
  }
  return errors_ == errors_before;
}

std::shared_ptr<const CompiledValue> RuleChecker::CompileText(const Node& expression,
                                                              const char* what) {
  if (!CheckNames(expression)) return nullptr;
  ValueCompileResult compiled = CompileValue(expression, env_);
  bool ok = compiled.ok();
  for (grammar::Diagnostic& d : compiled.diagnostics) {
    if (d.severity == grammar::Severity::kError) ++errors_;
    diagnostics_->push_back(std::move(d));
  }
  if (!ok) return nullptr;
  ValueType type = compiled.value->type();
  if (!IsText(type) && type != ValueType::kNull) {
    Error(expression.span, std::string(what) + " must be text, but this is " + ValueTypeName(type),
          "convert it with TEXT(...)");
    return nullptr;
  }
  return std::move(compiled.value);
}

}  // namespace cf::engine::internal
