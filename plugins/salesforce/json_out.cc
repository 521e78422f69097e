#include "plugins/salesforce/json_out.h"

#include <cstdlib>
#include <vector>

#include "grammar/diagnostic.h"

namespace cf::plugin {

using nlohmann::json;

const char* ActionKindName(engine::ActionKind kind) {
  switch (kind) {
    case engine::ActionKind::kCreate: return "create";
    case engine::ActionKind::kUpdate: return "update";
    case engine::ActionKind::kUpsert: return "upsert";
    case engine::ActionKind::kLogTask: return "log_task";
    case engine::ActionKind::kRouteToTeam: return "route_to_team";
    case engine::ActionKind::kAddTag: return "add_tag";
    case engine::ActionKind::kSetPriority: return "set_priority";
    case engine::ActionKind::kNotify: return "notify";
  }
  return "unknown";
}

bool IsHostAction(engine::ActionKind kind) {
  return kind == engine::ActionKind::kRouteToTeam || kind == engine::ActionKind::kAddTag ||
         kind == engine::ActionKind::kSetPriority || kind == engine::ActionKind::kNotify;
}

json ObjectToJson(const engine::Object& object) {
  json fields = json::array();
  for (const engine::Field& f : object.fields) {
    json field = {{"name", f.name},
                  {"label", f.label},
                  {"type", std::string(engine::FieldTypeName(f.type))},
                  {"custom", f.custom},
                  {"nillable", f.nillable},
                  {"createable", f.createable},
                  {"updateable", f.updateable},
                  {"external_id", f.external_id},
                  {"unique", f.unique}};
    if (f.length > 0) field["length"] = f.length;
    if (!f.reference_to.empty()) {
      field["reference_to"] = f.reference_to;
      field["relationship_name"] = f.relationship_name;
    }
    if (!f.picklist_values.empty()) {
      json values = json::array();
      for (const engine::PicklistValue& v : f.picklist_values) {
        values.push_back({{"value", v.value}, {"label", v.label}, {"active", v.active},
                          {"default", v.default_value}});
      }
      field["picklist_values"] = std::move(values);
      field["restricted"] = f.restricted_picklist;
      if (f.dependent_picklist) field["controller"] = f.controller_name;
    }
    fields.push_back(std::move(field));
  }
  return {{"name", object.name},
          {"label", object.label},
          {"label_plural", object.label_plural},
          {"key_prefix", object.key_prefix},
          {"custom", object.custom},
          {"createable", object.createable},
          {"updateable", object.updateable},
          {"fields", std::move(fields)}};
}

json DiagnosticsToJson(const engine::RuleSetResult& result) {
  json out = json::array();
  if (!result.error.empty()) {
    out.push_back({{"file", ""}, {"line", 0}, {"column", 0}, {"severity", "error"},
                   {"message", result.error}, {"hint", ""}, {"formatted", result.error}});
  }
  for (const engine::FileDiagnostics& file : result.files) {
    grammar::SourceText source{file.name, file.text};
    for (const grammar::Diagnostic& d : file.diagnostics) {
      grammar::LineColumn at = grammar::LocateOffset(file.text, d.span.begin);
      const char* severity = d.severity == grammar::Severity::kError     ? "error"
                             : d.severity == grammar::Severity::kWarning ? "warning"
                                                                         : "note";
      out.push_back({{"file", file.name},
                     {"line", at.line},
                     {"column", at.column},
                     {"severity", severity},
                     {"message", d.message},
                     {"hint", d.hint},
                     {"formatted", grammar::FormatDiagnostic(source, d)}});
    }
  }
  return out;
}

namespace {

json FieldValue(const engine::ActionField& f, const std::vector<std::string>& ids) {
  switch (f.kind) {
    case engine::ActionField::Kind::kNull: return nullptr;
    case engine::ActionField::Kind::kActionId:
      if (f.action >= 0 && static_cast<size_t>(f.action) < ids.size()) {
        return {{"action_id", ids[f.action]}};
      }
      return nullptr;
    case engine::ActionField::Kind::kValue: break;
  }
  switch (f.json_type) {
    case engine::JsonType::kBoolean: return f.text == "true";
    case engine::JsonType::kNumber: {
      // Salesforce's text form of a number; keep integers exact, others as doubles.
      char* end = nullptr;
      long long i = std::strtoll(f.text.c_str(), &end, 10);
      if (end != nullptr && *end == '\0' && !f.text.empty()) return i;
      double d = std::strtod(f.text.c_str(), &end);
      if (end != nullptr && *end == '\0' && !f.text.empty()) return d;
      return f.text;
    }
    case engine::JsonType::kString: break;
  }
  return f.text;
}

}  // namespace

json EvaluationToJson(const engine::EvaluationResult& result, const std::string& event_id,
                      bool explain, const std::vector<std::string>& ids,
                      const std::vector<std::string>& dispatch) {
  json bound = json::object();
  for (int r = 0; r < engine::kRecordRootCount; ++r) {
    const char* root = engine::RuleRootName(static_cast<engine::RuleRoot>(r));
    if (result.bound_ids[r].empty()) {
      bound[root] = nullptr;
    } else {
      bound[root] = {{"id", result.bound_ids[r]},
                     {"source", engine::BindSourceName(result.bound_sources[r])}};
    }
  }
  json fired = json::array();
  for (const engine::FiredRule& f : result.fired) {
    fired.push_back({{"rule", f.rule->name}, {"skipped", f.skipped}});
  }
  json actions = json::array();
  for (size_t i = 0; i < result.actions.size(); ++i) {
    const engine::Action& a = result.actions[i];
    json action = {{"action_id", ids[i]},
                   {"kind", ActionKindName(a.kind)},
                   {"host_action", IsHostAction(a.kind)},
                   {"dispatch", dispatch[i]}};
    if (a.fired_rule >= 0 && static_cast<size_t>(a.fired_rule) < result.fired.size()) {
      action["rule"] = result.fired[a.fired_rule].rule->name;
    }
    if (IsHostAction(a.kind)) {
      action["arguments"] = a.arguments;
    } else {
      action["object"] = a.object;
      if (!a.target_id.empty()) action["target_id"] = a.target_id;
      if (a.target_action >= 0 && static_cast<size_t>(a.target_action) < ids.size()) {
        action["target_action_id"] = ids[a.target_action];
      }
      if (!a.key_field.empty()) action["key_field"] = a.key_field;
      json fields = json::array();
      for (const engine::ActionField& f : a.fields) {
        fields.push_back({{"name", f.name}, {"value", FieldValue(f, ids)}});
      }
      action["fields"] = std::move(fields);
    }
    actions.push_back(std::move(action));
  }
  json out = {{"event_id", event_id},
              {"trigger", engine::TriggerName(result.trigger)},
              {"bound", std::move(bound)},
              {"fired", std::move(fired)},
              {"actions", std::move(actions)}};
  if (explain) {
    json explanations = json::array();
    for (const engine::RuleExplanation& ex : result.explanations) {
      json clauses = json::array();
      for (const engine::ClauseExplanation& c : ex.clauses) {
        json values = json::object();
        for (const auto& [path, value] : c.values) values[path] = value;
        clauses.push_back({{"text", c.text}, {"value", engine::TriName(c.value)},
                           {"values", std::move(values)}});
      }
      explanations.push_back({{"rule", ex.rule->name},
                              {"outcome", engine::OutcomeName(ex.outcome)},
                              {"condition", engine::TriName(ex.condition)},
                              {"join", ex.join},
                              {"clauses", std::move(clauses)}});
    }
    out["explanations"] = std::move(explanations);
    out["report"] = engine::FormatResult(result);
  }
  return out;
}

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cf::plugin
