#include "connectors/salesforce/salesforce_connector.h"

#include <unordered_map>
#include <utility>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/soql_builder.h"

namespace cf::sf {
namespace {

using engine::ActionKind;
using engine::ActionOutcome;
using engine::OutboundAction;
using engine::OutboundField;

char Lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; }
std::string LowerCase(std::string s) {
  for (char& c : s) c = Lower(c);
  return s;
}

// The writer's reference name of an action (WriteOp::As).
std::string RefName(int64_t id) {
  std::string name = "a";  // built with append: GCC 12 -O3 warns -Wrestrict on "a" + string
  name.append(std::to_string(id));
  return name;
}

nlohmann::json FieldJson(const OutboundField& f) {
  switch (f.json_type) {
    case engine::JsonType::kNumber: {
      nlohmann::json v = nlohmann::json::parse(f.text, nullptr, /*allow_exceptions=*/false);
      return v.is_number() ? v : nlohmann::json(f.text);
    }
    case engine::JsonType::kBoolean:
      return f.text == "true";
    case engine::JsonType::kString:
      break;
  }
  return f.text;
}

bool IsCreate(ActionKind k) { return k == ActionKind::kCreate || k == ActionKind::kLogTask; }

}  // namespace

std::map<std::string, std::string> ActionIdFieldsFromSchema(const engine::Schema& schema) {
  std::map<std::string, std::string> out;
  for (const engine::Object& o : schema.objects()) {
    for (const engine::Field& f : o.fields) {
      if (f.external_id && LowerCase(f.name) == LowerCase(kActionIdField)) out[o.name] = f.name;
    }
  }
  return out;
}

ActionOutcome OutcomeOfFailure(const SfFailure& failure, bool outcome_unknown,
                               std::optional<std::chrono::system_clock::time_point> retry_at,
                               std::chrono::seconds reconnect_hold) {
  ActionOutcome o;
  o.error = failure.Describe();
  if (failure.reconnect_required) {
    o.kind = ActionOutcome::Kind::kHold;
    o.retry_at = std::chrono::system_clock::now() + reconnect_hold;
    return o;
  }
  if (failure.category == ErrorCategory::kApiLimitExceeded ||
      failure.retry == RetryAdvice::kWaitForLimitReset) {
    o.kind = ActionOutcome::Kind::kHold;
    o.retry_at = retry_at;
    return o;
  }
  if (outcome_unknown) {
    o.kind = ActionOutcome::Kind::kUnknown;
    return o;
  }
  switch (failure.category) {
    case ErrorCategory::kValidation:
    case ErrorCategory::kInsufficientPrivileges:
    case ErrorCategory::kMalformedRequest:
    case ErrorCategory::kNotFound:
      o.kind = failure.retryable() ? ActionOutcome::Kind::kRetry : ActionOutcome::Kind::kFailed;
      return o;
    default:
      o.kind = ActionOutcome::Kind::kRetry;
      o.retry_at = retry_at;
      return o;
  }
}

SalesforceConnector::SalesforceConnector(const SalesforceClient& client,
                                         SalesforceConnectorOptions options)
    : client_(client), options_(std::move(options)), writer_(client, options_.writer) {}

std::string SalesforceConnector::ActionIdField(const std::string& object) const {
  const std::string lower = LowerCase(object);
  for (const auto& [o, f] : options_.action_id_fields) {
    if (LowerCase(o) == lower) return f;
  }
  return {};
}

std::optional<ActionOutcome> SalesforceConnector::LookUp(const OutboundAction& a,
                                                         std::string* found) const {
  std::string error;
  if (!ValidateObjectName(a.object, &error)) {
    return ActionOutcome{ActionOutcome::Kind::kFailed, "", error, {}};
  }
  std::string where;
  for (const OutboundField& f : a.fields) {
    // Text values only: they compare exactly in SOQL. Long text cannot be filtered.
    if (f.kind != OutboundField::Kind::kValue || f.json_type != engine::JsonType::kString ||
        f.text.empty() || f.text.size() > 255 || !IsValidApiName(f.name) ||
        LowerCase(f.name) == "description") {
      continue;
    }
    where += where.empty() ? " WHERE " : " AND ";
    where += f.name + " = " + QuoteSoqlString(f.text);
  }
  if (where.empty()) {
    return ActionOutcome{ActionOutcome::Kind::kFailed, "",
                         "an earlier attempt may have created this " + a.object +
                             " and it has no text field to look it up by: check whether it "
                             "exists, then replay this dead letter only if it does not "
                             "(or add " + std::string(kActionIdField) + " to " + a.object +
                             ", docs/outbox.md)",
                         {}};
  }
  const std::string soql = "SELECT Id FROM " + a.object + where + " LIMIT 2";
  ApiResult r = client_.Get("query?q=" + FormEncode(soql));
  if (!r.ok()) {
    ActionOutcome o = OutcomeOfFailure(*r.failure, false, r.retry_at, options_.reconnect_hold);
    o.error = "looking up whether an earlier attempt created this " + a.object + ": " + o.error;
    return o;
  }
  std::optional<nlohmann::json> body = r.Json(&error);
  if (!body || !body->is_object() || !body->contains("records") ||
      !(*body)["records"].is_array()) {
    return ActionOutcome{ActionOutcome::Kind::kRetry, "", "the lookup answer is unreadable", {}};
  }
  const nlohmann::json& records = (*body)["records"];
  if (records.size() > 1) {
    return ActionOutcome{ActionOutcome::Kind::kFailed, "",
                         "an earlier attempt may have created this " + a.object +
                             ", and several records match it: check them for a duplicate",
                         {}};
  }
  if (records.size() == 1 && records[0].contains("Id") && records[0]["Id"].is_string()) {
    *found = records[0]["Id"].get<std::string>();
  }
  return std::nullopt;
}

std::vector<ActionOutcome> SalesforceConnector::Write(const std::vector<OutboundAction>& batch) {
  std::vector<ActionOutcome> outcomes(batch.size());
  std::vector<bool> decided(batch.size(), false);
  std::unordered_map<int64_t, std::string> known_ids;  // actions resolved without a write
  std::unordered_map<int64_t, size_t> index;            // outbox id -> batch index
  for (size_t i = 0; i < batch.size(); ++i) index[batch[i].id] = i;

  // Unknown earlier outcomes of creates without an action-id field: look them up first.
  for (size_t i = 0; i < batch.size(); ++i) {
    const OutboundAction& a = batch[i];
    if (!a.maybe_sent || !IsCreate(a.kind) || !ActionIdField(a.object).empty()) continue;
    std::string found;
    std::optional<ActionOutcome> o = LookUp(a, &found);
    if (o) {
      outcomes[i] = std::move(*o);
      decided[i] = true;
    } else if (!found.empty()) {
      outcomes[i] = ActionOutcome{ActionOutcome::Kind::kDone, found, "", {}};
      decided[i] = true;
      known_ids[a.id] = found;
    }
  }

  std::vector<WriteOp> ops;
  std::vector<size_t> op_of;  // op index -> batch index
  std::unordered_map<int64_t, bool> nameable;  // sent as a named create or upsert
  for (size_t i = 0; i < batch.size(); ++i) {
    const OutboundAction& a = batch[i];
    if (decided[i]) continue;
    bool blocked = false;
    // A reference: to a record known now, to a named write of this call, or blocked.
    auto ref_value = [&](int64_t ref) -> std::string {
      auto k = known_ids.find(ref);
      if (k != known_ids.end()) return k->second;
      if (nameable.count(ref)) return RefId(RefName(ref));
      blocked = true;
      return {};
    };
    nlohmann::json fields = nlohmann::json::object();
    std::string key_value;
    for (const OutboundField& f : a.fields) {
      if (a.kind == ActionKind::kUpsert && f.name == a.key_field) {
        key_value = f.text;
        continue;
      }
      switch (f.kind) {
        case OutboundField::Kind::kValue: fields[f.name] = FieldJson(f); break;
        case OutboundField::Kind::kNull: fields[f.name] = nullptr; break;
        case OutboundField::Kind::kRef: fields[f.name] = ref_value(f.ref); break;
      }
    }
    WriteOp op;
    switch (a.kind) {
      case ActionKind::kCreate:
      case ActionKind::kLogTask: {
        const std::string idf = ActionIdField(a.object);
        op = idf.empty() ? WriteOp::Create(a.key, a.object, std::move(fields))
                         : WriteOp::Upsert(a.key, a.object, idf, a.key, std::move(fields));
        op.As(RefName(a.id));
        break;
      }
      case ActionKind::kUpsert:
        op = WriteOp::Upsert(a.key, a.object, a.key_field, key_value, std::move(fields));
        op.As(RefName(a.id));
        break;
      case ActionKind::kUpdate:
        op = WriteOp::Update(a.key, a.object,
                             a.target_ref != 0 ? ref_value(a.target_ref) : a.target_id,
                             std::move(fields));
        break;
      default:
        outcomes[i] = ActionOutcome{ActionOutcome::Kind::kFailed, "",
                                    "a host action was sent to Salesforce", {}};
        decided[i] = true;
        continue;
    }
    if (blocked) {
      outcomes[i] = ActionOutcome{ActionOutcome::Kind::kRetry, "",
                                  "not sent: the action it refers to is not done yet", {}};
      decided[i] = true;
      continue;
    }
    if (a.kind != ActionKind::kUpdate) nameable[a.id] = true;
    op_of.push_back(i);
    ops.push_back(std::move(op));
  }

  WriteBatch written = writer_.Write(ops);
  for (size_t k = 0; k < ops.size() && k < written.results.size(); ++k) {
    const WriteResult& r = written.results[k];
    ActionOutcome& o = outcomes[op_of[k]];
    if (r.ok()) {
      o = ActionOutcome{ActionOutcome::Kind::kDone, r.id, "", {}};
    } else {
      o = OutcomeOfFailure(*r.failure, r.outcome_unknown, r.retry_at, options_.reconnect_hold);
    }
    decided[op_of[k]] = true;
  }
  for (size_t i = 0; i < batch.size(); ++i) {
    if (!decided[i]) {
      outcomes[i] = ActionOutcome{ActionOutcome::Kind::kRetry, "", "the writer gave no result",
                                  {}};
    }
  }
  return outcomes;
}

}  // namespace cf::sf
