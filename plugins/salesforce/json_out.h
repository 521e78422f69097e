// INTERNAL to the plugin: the JSON answers of the ABI (docs/abi.md has the shapes), built from
// the engine's and the connector's C++ values. Pure functions; thread-safe.
#ifndef CF_PLUGINS_SALESFORCE_JSON_OUT_H_
#define CF_PLUGINS_SALESFORCE_JSON_OUT_H_

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/evaluator.h"
#include "engine/rule_set.h"
#include "engine/schema.h"

namespace cf::plugin {

// "create", "update", "upsert", "log_task", "route_to_team", "add_tag", "set_priority", "notify".
const char* ActionKindName(engine::ActionKind kind);
bool IsHostAction(engine::ActionKind kind);

// {"name", "label", "label_plural", "key_prefix", "custom", "createable", "updateable",
//  "fields": [{"name", "label", "type", "custom", "nillable", "createable", "updateable",
//  "external_id", "length", "reference_to", "relationship_name", "controller",
//  "picklist_values": [{"value", "label", "active", "default"}]}]}
nlohmann::json ObjectToJson(const engine::Object& object);

// The diagnostics of a RuleSetResult: [{"file", "line", "column", "severity", "message",
// "hint", "formatted"}], plus {"file": "", "message": error} for a folder that cannot be read.
nlohmann::json DiagnosticsToJson(const engine::RuleSetResult& result);

// The answer of send_event. `ids[i]` is action i's id and `dispatch[i]` what became of it
// ("queued": accepted into the outbox).
nlohmann::json EvaluationToJson(const engine::EvaluationResult& result, const std::string& event_id,
                                bool explain, const std::vector<std::string>& ids,
                                const std::vector<std::string>& dispatch);

// A JSON value dumped as UTF-8 text; invalid UTF-8 from records is replaced, never thrown.
std::string Dump(const nlohmann::json& value);

}  // namespace cf::plugin

#endif  // CF_PLUGINS_SALESFORCE_JSON_OUT_H_
