// SalesforceConnector: the engine's Connector (engine/connector.h) over the REST client's
// batch writer (writer.h). The dispatcher hands it batches of durable actions; it sends them
// through sObject Collections (200 records a call; linked actions in phased rounds) and
// classifies each outcome for the outbox.
//
//   SalesforceConnector connector(client, {});   // client: sf_client.h, must outlive it
//   engine::Dispatcher dispatcher(outbox.get(), &connector, callbacks, {});
//
// Exactly once (docs/outbox.md):
//  - A create of an object that has an action-id field (an external-id text field,
//    ConnectFlo_Action_Id__c by default; see action_id_fields) is sent as an upsert on that
//    field with the action's key: sending it again, after a timeout or a crash, finds the
//    record it made instead of making another.
//  - A create of another object whose earlier attempt may have been carried out (maybe_sent)
//    is looked up first (best effort): a SOQL query for a record of that object with the same
//    text field values. One match: that record is the outcome, nothing is sent. None: the
//    create is sent. Several: a dead letter asking a person to check (nothing is sent).
//    With no text field to look by, also a dead letter: sending again could make a duplicate.
//  - Updates and upserts are idempotent and are simply sent again.
// Outcome mapping: success -> kDone; a spent budget, REQUEST_LIMIT_EXCEEDED or a connection
// that needs the user to reconnect -> kHold (with the time to resume); outcome_unknown ->
// kUnknown; transient errors, not processed (another record failed), an expired session ->
// kRetry; validation, required field, access, malformed, not found -> kFailed with every
// Salesforce error of the record.
//
// Thread safety: Write may be called from many threads (the client and writer are).
#ifndef CF_CONNECTORS_SALESFORCE_SALESFORCE_CONNECTOR_H_
#define CF_CONNECTORS_SALESFORCE_SALESFORCE_CONNECTOR_H_

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/writer.h"
#include "engine/connector.h"
#include "engine/schema.h"

namespace cf::sf {

// The field name the plugin's docs ask admins to add (docs/outbox.md).
inline constexpr const char* kActionIdField = "ConnectFlo_Action_Id__c";

struct SalesforceConnectorOptions {
  // Object API name -> the external-id field that carries the action's key. Matched ignoring
  // ASCII case. Default: Case's ConnectFlo_Action_Id__c (the example org's); use
  // ActionIdFieldsFromSchema to take every object that has the field.
  std::map<std::string, std::string> action_id_fields = {{"Case", kActionIdField}};
  WriterOptions writer;
  // How long to hold when the connection needs the user to reconnect. Default: 5 minutes.
  std::chrono::seconds reconnect_hold{300};
};

// Every object of `schema` with an external-id field named kActionIdField.
std::map<std::string, std::string> ActionIdFieldsFromSchema(const engine::Schema& schema);

class SalesforceConnector final : public engine::Connector {
 public:
  SalesforceConnector(const SalesforceClient& client, SalesforceConnectorOptions options = {});

  std::vector<engine::ActionOutcome> Write(
      const std::vector<engine::OutboundAction>& batch) override;

  // The action-id field of `object`, or "" if it has none.
  std::string ActionIdField(const std::string& object) const;

 private:
  // Best-effort lookup of a create that may have been carried out. Sets *found to the
  // record's Id when exactly one matches; returns the outcome when the action must not be sent.
  std::optional<engine::ActionOutcome> LookUp(const engine::OutboundAction& action,
                                              std::string* found) const;

  const SalesforceClient& client_;
  const SalesforceConnectorOptions options_;
  const BatchWriter writer_;
};

// The outcome an engine Dispatcher should record for a failed write (exposed for tests).
engine::ActionOutcome OutcomeOfFailure(const SfFailure& failure, bool outcome_unknown,
                                       std::optional<std::chrono::system_clock::time_point> retry_at,
                                       std::chrono::seconds reconnect_hold);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SALESFORCE_CONNECTOR_H_
