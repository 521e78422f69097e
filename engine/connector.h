// Connector: how the engine's dispatcher (dispatcher.h) sees the system it writes to. The
// engine knows no HTTP and no Salesforce wire format; connectors/salesforce implements this
// interface with its batch writer (salesforce_connector.h). Tests may implement it too.
//
//   std::vector<ActionOutcome> outcomes = connector.Write(batch);   // one per action, in order
//
// Contract:
//  - Write gets Salesforce actions only (create, update, upsert, log task); host actions go to
//    the host through the dispatcher's callback, never to a connector.
//  - An action's `key` is its durable id ("cf-1a2b3c4d-17"). A connector writes it into an
//    external-id field where the object has one (so that sending it again updates the record
//    it created instead of creating another) and otherwise follows a documented best effort
//    when `maybe_sent` says an earlier attempt may have been carried out.
//  - Fields of kind kRef name another action of the same batch by its outbox id (the record
//    that action creates or upserts); the dispatcher has already replaced references to
//    actions of earlier batches by their record Ids. The connector sends referenced actions
//    first; when a referenced action fails, the referring one is kRetry (not sent).
//  - Actions of one record (same lane in the outbox) come in id order; the connector keeps
//    that order.
//  - Write returns exactly one outcome per action, in input order. It does not throw.
//
// Thread safety: Write may be called from several dispatcher workers at once.
#ifndef CF_ENGINE_CONNECTOR_H_
#define CF_ENGINE_CONNECTOR_H_

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "engine/evaluator.h"
#include "engine/rule_set.h"

namespace cf::engine {

// A field value of an outbound action.
struct OutboundField {
  enum class Kind : uint8_t {
    kValue,  // `text` holds Salesforce's text form of the value, written as `json_type`
    kNull,   // clear the field
    kRef,    // the Id of the record written by the action with outbox id `ref` (same batch)
  };
  std::string name;
  Kind kind = Kind::kNull;
  JsonType json_type = JsonType::kString;
  std::string text;
  int64_t ref = 0;

  bool operator==(const OutboundField&) const = default;
};

// One durable action, as the outbox stores it and a connector receives it.
struct OutboundAction {
  int64_t id = 0;   // outbox id
  std::string key;  // durable action id, unique across stores: "cf-<store nonce>-<id>"
  ActionKind kind = ActionKind::kCreate;
  std::string object;  // Salesforce actions: the object written (Task for log task)
  // kUpdate: the record's Id, or (target_ref != 0) the record written by that action.
  std::string target_id;
  int64_t target_ref = 0;
  std::string key_field;  // kUpsert: the external-id field (its value is among `fields`)
  std::vector<OutboundField> fields;
  std::vector<std::string> arguments;  // host actions
  // An earlier attempt may have been carried out (its outcome is unknown: a timeout, a reset,
  // a 500 on a create, or a crash while it was in flight).
  bool maybe_sent = false;

  bool operator==(const OutboundAction&) const = default;
};

// Whether `kind` goes to Salesforce (create, update, upsert, log task) or to the host.
inline bool IsSalesforceAction(ActionKind kind) {
  return kind == ActionKind::kCreate || kind == ActionKind::kUpdate ||
         kind == ActionKind::kUpsert || kind == ActionKind::kLogTask;
}

// ActionKindText (engine/rule_set.h) names an action's kind in messages.

// What became of one action of a Write.
struct ActionOutcome {
  enum class Kind : uint8_t {
    kDone,     // carried out; record_id is the record written
    kRetry,    // not carried out, may succeed later (transient failure, not sent)
    kUnknown,  // may or may not have been carried out (resolve before sending again)
    kFailed,   // refused for good (validation rule, required field, access): a dead letter
    kHold,     // not sent: the API budget is spent or the org's limit is reached; the
               // dispatcher stops sending until `retry_at`
  };
  Kind kind = Kind::kRetry;
  std::string record_id;  // kDone: the 18-character Id
  // Failures: what went wrong, for people (Salesforce's error codes and messages; no secrets).
  std::string error;
  // kHold (and optionally kRetry): do not send again before then.
  std::optional<std::chrono::system_clock::time_point> retry_at;
};

class Connector {
 public:
  virtual ~Connector() = default;
  // Carries out `batch` (Salesforce actions); one outcome per action, in order.
  virtual std::vector<ActionOutcome> Write(const std::vector<OutboundAction>& batch) = 0;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_CONNECTOR_H_
