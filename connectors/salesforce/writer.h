// Batched record writes: many creates, updates, upserts and deletes in few API calls, with one
// result per write.
//
// Start here:
//   BatchWriter writer(client);                        // client: sf_client.h, must outlive it
//   std::vector<WriteOp> ops;
//   ops.push_back(WriteOp::Create("action-1", "Lead", {{"LastName", "Ng"}, {"Company", "Acme"}})
//                     .As("lead1"));                   // later ops may use its Id
//   ops.push_back(WriteOp::Create("action-2", "Task",
//                                 {{"Subject", "Call"}, {"WhoId", RefId("lead1")}}));
//   ops.push_back(WriteOp::Update("action-3", "Case", case_id, {{"Status", "Closed"}}));
//   ops.push_back(WriteOp::Upsert("action-4", "Case", "ConnectFlo_Action_Id__c", "action-4",
//                                 {{"Subject", "Refund"}}));
//   WriteBatch batch = writer.Write(ops);
//   for (const WriteResult& r : batch.results)           // in the order of `ops`
//     if (!r.ok()) report(r.key, r.failure->Describe()); // every Salesforce error, classified
//
// How the writes travel (docs/writes.md has the details and the reasons):
//  - independent creates: POST /composite/sobjects, up to 200 records a call, objects mixed;
//  - updates: PATCH /composite/sobjects, up to 200 a call;
//  - upserts: PATCH /composite/sobjects/{Object}/{ExternalIdField}, up to 200 a call, one object
//    and field per call (API 46.0 and later; before 46.0, or when the org answers that call with
//    404 or 405, through Composite instead: 25 a call);
//  - deletes: DELETE /composite/sobjects?ids=..., up to 200 a call;
//  - writes linked by references ("@{lead1.id}" in a field or as an Id, see RefId), by default
//    (LinkedWrites::kPhased): in rounds, through the same sObject Collections calls as the
//    rest. A round sends every write whose references are resolved; the Ids it creates fill in
//    the next round's references. So 500 Leads and 500 Tasks naming them cost 3 + 3 calls. A
//    write whose referenced write failed is not sent (kNotProcessed, naming that write's key).
//  - with LinkedWrites::kComposite instead: linked writes, with every write that touches the
//    same record as one of them, go through POST /composite, up to 25 subrequests a call, in
//    input order, collateSubrequests false (run serially, in order); with all_or_none a linked
//    group then stands or falls together. Unrelated linked groups share calls; a group of more
//    than 25 writes is refused (not sent).
// Order: writes to the same record (same object and Id, or same object, external-id field and
// value; a named create and the writes addressed to RefId(its name)) never share an sObject
// Collections call and are sent in input order, each after the previous one's answer. When one
// fails, the later writes to that record in the batch are not sent (kNotProcessed,
// kResubmitSeparately), so that a retry cannot reorder them.
// Failures:
//  - per record: the record's errors, all of them, classified by ClassifyErrors (sf_errors.h):
//    retryable (kTransient), permanent (kValidation, kInsufficientPrivileges, kMalformedRequest,
//    kNotFound), or not processed because another record failed (kNotProcessed);
//  - per call (transport, 5xx after the client's retries, API limit, disconnected session, an
//    answer that cannot be read): every write of that call gets the call's failure, and
//    outcome_unknown when Salesforce may have carried out a non-idempotent call (a create that
//    got a 500 or a reset): look the record up, or upsert by an external id, before sending again;
//  - a spent API budget, REQUEST_LIMIT_EXCEEDED or a session that needs reconnecting stops the
//    batch: the writes not yet sent get the same failure, with nothing sent;
//  - a malformed write (no object, no Id, a reference to no earlier create or upsert of the
//    batch; with kPhased, a reference other than "@{name.id}") is refused before any call
//    (kMalformedRequest), as are writes that refer to it.
// all_or_none holds per call: a batch spread over several calls is not one transaction.
//
// Thread safety: Write may be called from many threads at once (the client is thread-safe);
// each call to Write sends its API calls one after another. Nothing throws.
#ifndef CF_CONNECTORS_SALESFORCE_WRITER_H_
#define CF_CONNECTORS_SALESFORCE_WRITER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/sf_errors.h"

namespace cf::sf {

enum class WriteKind : uint8_t { kCreate, kUpdate, kUpsert, kDelete };

const char* WriteKindName(WriteKind kind);  // "create", "update", "upsert", "delete"

// "@{name.id}": the Id of the record that the write named `name` (WriteOp::As) created or
// upserted earlier in the same batch, for a field value or an update's Id.
std::string RefId(std::string_view name);

// One record write.
struct WriteOp {
  WriteKind kind = WriteKind::kCreate;
  // The caller's key for this write (e.g. the action id); copied into its result.
  std::string key;
  std::string object;  // "Lead", "Support_Contract__c"
  // kUpdate, kDelete: the record's Id (15 or 18 characters), or RefId(name).
  std::string id;
  // kUpsert: the external-id field and its value ("ConnectFlo_Action_Id__c", "a-17").
  std::string external_id_field;
  std::string external_id;
  // Field values in Salesforce's wire format (record_json.h: numbers, "2024-01-31",
  // "2024-01-31T10:00:00.000+0000", picklists as text, null to clear). A JSON object; no
  // "attributes", "Id" or external-id key (the writer adds what the call needs).
  nlohmann::json fields = nlohmann::json::object();
  // Optional name that later writes of the batch use through RefId(reference). Letters, digits
  // and '_', starting with a letter; unique in the batch. Only creates and upserts can be named.
  std::string reference;

  static WriteOp Create(std::string key, std::string object, nlohmann::json fields);
  static WriteOp Update(std::string key, std::string object, std::string id,
                        nlohmann::json fields);
  static WriteOp Upsert(std::string key, std::string object, std::string external_id_field,
                        std::string external_id, nlohmann::json fields);
  static WriteOp Delete(std::string key, std::string object, std::string id);
  // Names this write for RefId; returns *this.
  WriteOp& As(std::string name) &;
  WriteOp&& As(std::string name) &&;
};

// The outcome of one write.
struct WriteResult {
  std::string key;  // WriteOp::key
  // The record's 18-character Id on success (creates, upserts, updates, deletes); for a failed
  // update or delete, the Id it was sent for when known.
  std::string id;
  // kUpsert: whether the upsert created the record (false: it updated one). nullopt otherwise.
  std::optional<bool> created;
  std::optional<SfFailure> failure;  // nullopt on success
  // The failure came from a whole call that Salesforce may have carried out: the record may
  // exist (or the change may have been made) even though no result says so.
  bool outcome_unknown = false;
  // A budget refusal or REQUEST_LIMIT_EXCEEDED: do not send again before then.
  std::optional<std::chrono::system_clock::time_point> retry_at;
  // Index of the API call (0, 1, ... within this Write) that carried the write; -1 if none.
  int call = -1;

  bool ok() const { return !failure.has_value(); }
};

struct WriteBatch {
  std::vector<WriteResult> results;  // one per WriteOp, in input order
  int calls = 0;                     // API calls sent (a retried call counts once)
};

// How writes linked by references (RefId) travel.
enum class LinkedWrites : uint8_t {
  // In rounds through sObject Collections (200 a call), the writer filling in the Ids created
  // by earlier rounds. Failures stay per record: a failed create holds back only the writes
  // that refer to it. A linked group is never one transaction.
  kPhased,
  // Through POST /composite (25 subrequests a call), Salesforce filling in the references.
  // With all_or_none, a linked group (a Lead and its Task) is written whole or not at all.
  // About 7 times as many calls as kPhased for Lead+Task pairs (42 against 6 per 1,000 writes).
  kComposite,
};

struct WriterOptions {
  // Send sObject Collections and Composite calls with allOrNone: in each call, either every
  // write succeeds or none is kept (the others fail with ALL_OR_NONE_OPERATION_ROLLED_BACK or
  // PROCESSING_HALTED). Default: false.
  bool all_or_none = false;
  // Records per sObject Collections call, 1..200. Default: 200 (Salesforce's maximum).
  size_t max_collection_records = 200;
  // Subrequests per Composite call, 1..25. Default: 25 (Salesforce's maximum).
  size_t max_composite_subrequests = 25;
  // Upserts through PATCH /composite/sobjects/{Object}/{Field} (API 46.0+). false: through
  // Composite, 25 a call. Default: true.
  bool upsert_through_collections = true;
  // How writes that use RefId travel. Default: kPhased.
  LinkedWrites linked_writes = LinkedWrites::kPhased;
};

// Sends batches of writes. Holds a reference to the client, which must outlive the writer.
// Thread-safe (see the file comment).
class BatchWriter {
 public:
  // Out-of-range options are clamped to Salesforce's limits.
  explicit BatchWriter(const SalesforceClient& client, WriterOptions options = {});

  // Sends `ops` and reports each one. An empty batch sends nothing.
  WriteBatch Write(const std::vector<WriteOp>& ops) const;

 private:
  const SalesforceClient& client_;
  WriterOptions options_;
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_WRITER_H_
