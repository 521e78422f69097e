// Sync: keeps the engine's record cache (engine/sync_sink.h) equal to the org's records of the
// objects and fields the rules need: a full load once, then incremental runs by SystemModstamp
// and deletions, with a cursor stored atomically with every page so a restart resumes where the
// last applied page stopped.
//
// Start here:
//   std::vector<SyncPlan> plans;
//   std::string error;
//   if (!BuildSyncPlans(*schema, {{"Contact", "Tier__c"}, {"Case", ""}}, &plans, &error)) ...
//   Syncer syncer(client, schema, sink, {.progress = show, .cancel = &stop});
//   SyncResult r = syncer.Sync(plans);          // full load or incremental, per object
//   if (!r.ok()) report(r.Describe());          // "API Limit Exceeded: ..." and what to do
//
// One run of one object (SyncObject), in order:
//  1. the stored cursor (SyncCursor) says where the object stands: never loaded, in the middle
//     of a run, or complete up to an instant U. A cursor for another field list (the rules now
//     need another field) or one that does not decode means: ResetObject, then a full load
//     (the plugin passes an engine::ReloadOnResetSink, which turns the reset into a reload
//     that keeps the old records visible until the load completes: docs/sync.md);
//  2. an incremental run first reads deletions, GET sobjects/X/deleted/?start=U-overlap&end=now
//     (see "Deletions" below), and applies them in one batch with the run's cursor; its
//     latestDateCovered, C, is the run's bound. A full load takes C = now - overlap;
//  3. SELECT <fields> FROM X [WHERE SystemModstamp >= U-overlap] ORDER BY SystemModstamp, Id
//     with "Sforce-Query-Options: batchSize=N", every page through nextRecordsUrl; each page
//     is read into typed records (record_json.h) and applied as one SyncBatch whose cursor is
//     the position (SystemModstamp, Id) of its last record stamped before C; the last page's
//     cursor says "complete up to C". Records counted over the pages must equal totalSize;
//  4. a run resumed from a position P adds (SystemModstamp > P.stamp OR (SystemModstamp =
//     P.stamp AND Id > P.id)) and goes on from there.
// Why "stamped before C": a record changed while the query pages are read comes back with its
// new stamp, out of order; only records older than the run's start are known to be in query
// order, so only they move the resume position. Newer ones are applied too (upserts are
// idempotent) and are read again by the next run, whose window starts at C - overlap.
//
// Deletions: through sobjects/X/deleted, not queryAll with IsDeleted. The deleted resource
// reads Salesforce's delete log and says, with earliestDateAvailable, when that log no longer
// covers the cursor (it is purged after 15 days, or earlier when an admin empties the Recycle
// Bin, or sooner for very large logs): then the object is reset and fully reloaded, so no
// deletion is ever missed silently. queryAll sees only what is still in the Recycle Bin and
// cannot tell that something was purged. The price is one extra API call per incremental run.
//
// Failures: every failure comes back in the SyncResult (nothing throws): the Salesforce or
// transport failure (sf_errors.h) as the client classified it after its retries, a malformed
// answer (which object, page and record), a totalSize mismatch, or the sink's error. Nothing
// applied is lost: the cursor stays at the last applied page and the next run resumes there.
// On REQUEST_LIMIT_EXCEEDED or a disconnected session the run stops at once (retry_at says
// when to try again).
//
// Thread safety: a Syncer runs one sync at a time (not thread-safe); the sink and the client
// may be shared with other threads. Plans are values.
#ifndef CF_CONNECTORS_SALESFORCE_SYNC_H_
#define CF_CONNECTORS_SALESFORCE_SYNC_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/sf_errors.h"
#include "engine/rule_set.h"
#include "engine/schema.h"
#include "engine/sync_sink.h"
#include "engine/value.h"

namespace cf::sf {

// ---- Plans ------------------------------------------------------------------------------------

// A field the rules reference: ("Contact", "Tier__c"). An empty field asks for the object with
// only the keys binding needs.
struct FieldRef {
  std::string object;
  std::string field;
};

// What to sync of one object.
struct SyncPlan {
  std::string object;       // API name as the schema spells it
  int object_index = -1;    // in the schema the plan was built from (the sink's schema)
  // API names as the schema spells them: Id and SystemModstamp first, then the binding keys
  // and the referenced fields, each once.
  std::vector<std::string> fields;
};

// The fields context binding needs, added to every plan when the object has them: Id,
// SystemModstamp; for Contact and Lead Email, Phone, MobilePhone, HomePhone, OtherPhone,
// AssistantPhone, IsConverted; everywhere AccountId, ContactId, OwnerId, WhoId, WhatId,
// IsClosed, IsWon, StageName, Status, LastModifiedDate. (engine/binding.h's BindingFieldNames
// is the authority; RuleSetFieldRefs adds it.)
std::vector<std::string_view> BindingKeys(std::string_view object);

// One plan per object named in `referenced` (in first-mention order). Fields absent from the
// schema (hidden by field-level security, or deleted) are skipped and listed in *skipped
// ("Contact.Secret__c"), which may be null. Fails, naming the object (and the closest name),
// for an object the schema lacks or one without Id and SystemModstamp (it cannot be synced
// incrementally).
bool BuildSyncPlans(const engine::Schema& schema, const std::vector<FieldRef>& referenced,
                    std::vector<SyncPlan>* out, std::string* error,
                    std::vector<std::string>* skipped = nullptr);

// The fields a rule set reads (RuleSet::referenced_fields), by name, for BuildSyncPlans: the
// default selective sync. Event pseudo-objects (conversation, call, deal) are left out; the five
// objects binding looks records up in (Contact, Lead, Account, Opportunity, Case) are always
// included when the rule set's schema has them, even if no rule reads their fields.
std::vector<FieldRef> RuleSetFieldRefs(const engine::RuleSet& rules);

// ---- The cursor -------------------------------------------------------------------------------

// Where one object's sync stands; stored by the sink with every batch. Text form:
//   "v1;<fields>;<U>;<C>;<P stamp>;<P id>"   e.g. "v1;9f3a...;2026-11-30T10:00:00.000Z;;;"
// fields: a fingerprint of the plan's field list; U: complete up to this instant (empty: never
// fully loaded); C: the bound of the run in progress (empty: none); P: the position reached
// by that run (empty: none yet). Instants are ISO 8601 UTC with milliseconds.
struct SyncCursor {
  std::string fields;
  std::optional<engine::Millis> complete_until;  // U
  std::optional<engine::Millis> run_until;       // C
  std::optional<engine::Millis> position_stamp;  // P.stamp
  std::string position_id;                       // P.id, 18 characters

  std::string Encode() const;
  // nullopt for text that is not a v1 cursor.
  static std::optional<SyncCursor> Decode(std::string_view text);
  bool operator==(const SyncCursor&) const = default;
};

// The fingerprint of a field list (case-insensitive, order-insensitive): 16 hex digits.
std::string FieldsFingerprint(const std::vector<std::string>& fields);

// ---- Pages ------------------------------------------------------------------------------------

// One page of a query answer, checked for shape: {"totalSize", "done", "nextRecordsUrl" (when
// not done), "records": [...]}. `records` points into the parsed body.
struct QueryPageView {
  int64_t total_size = 0;
  bool done = true;
  std::string next_records_url;
  const nlohmann::json* records = nullptr;
};
bool ParseQueryPage(const nlohmann::json& body, QueryPageView* out, std::string* error);

// Counts records across the pages of one query and refuses silent truncation.
class PageCounter {
 public:
  // Adds one page; false (and *error) when the counts cannot be right: records beyond
  // totalSize, totalSize changing between pages, or, on the last page, fewer than totalSize.
  bool Add(const QueryPageView& page, std::string* error);
  int64_t seen() const { return seen_; }
  std::optional<int64_t> total() const { return total_; }

 private:
  int64_t seen_ = 0;
  std::optional<int64_t> total_;
};

// ---- Running ----------------------------------------------------------------------------------

struct SyncProgress {
  std::string_view object;
  int64_t records = 0;               // records applied so far in this run of the object
  std::optional<int64_t> total;      // the query's totalSize once known
  uint64_t api_calls = 0;            // requests sent by this Syncer so far (every attempt)
};

struct SyncOptions {
  // Records per query page (Salesforce takes 200..2000). Default: 2000.
  int batch_size = 2000;
  // Each incremental window starts this long before the last complete instant (clock skew,
  // long transactions committing with an older SystemModstamp). Default: 5 minutes.
  std::chrono::seconds overlap{300};
  // Now, as Salesforce's clock sees it (a synced clock). Default: the system clock. Tests pass
  // the emulator's clock.
  std::function<engine::Millis()> clock;
  // Called after every applied page, from the syncing thread. Default: none.
  std::function<void(const SyncProgress&)> progress;
  // Checked between pages; when true the run stops (cursor at the last applied page) with
  // SyncResult::kCancelled. Not owned. Default: none.
  const std::atomic<bool>* cancel = nullptr;
};

// What one object's run did.
struct ObjectSyncStats {
  std::string object;
  bool full_load = false;     // this run (or the one it resumed) loads everything
  bool reset = false;         // the object was reset first (new fields, lost deletions...)
  bool resumed = false;       // the run continued from a stored position
  int64_t upserts = 0;
  int64_t deletes = 0;
  int64_t pages = 0;
  uint64_t api_calls = 0;     // requests sent for this object
  std::string error;          // empty when the object is in sync
};

struct SyncResult {
  enum class Kind : uint8_t {
    kOk,
    kCancelled,      // the cancel flag was set; resume with the next run
    kSalesforce,     // Salesforce or the network refused (failure holds the classification)
    kBadAnswer,      // a page that does not parse, a record that does not convert, a count
                     // that does not match totalSize
    kStore,          // the sink could not apply a batch
    kPlan,           // a plan that does not fit the sink's schema
  };
  Kind kind = Kind::kOk;
  std::optional<SfFailure> failure;  // for kSalesforce
  // One sentence naming the object and what to do; empty when ok.
  std::string message;
  std::optional<std::chrono::system_clock::time_point> retry_at;  // from the API budget
  std::vector<ObjectSyncStats> objects;
  uint64_t api_calls = 0;

  bool ok() const { return kind == Kind::kOk; }
  // message, then the failure's Salesforce errors, if any.
  std::string Describe() const;
};

class Syncer {
 public:
  // REQUIRES: `schema` is the sink's schema (plans' object indexes are its indexes).
  // `client`, `sink` must outlive the Syncer.
  Syncer(const SalesforceClient& client, std::shared_ptr<const engine::Schema> schema,
         engine::RecordSink& sink, SyncOptions options = {});

  // Syncs each plan in turn. A failure of one object (a bad answer, an invalid field) is
  // recorded and the others go on; a failure of the connection (API limit, authentication,
  // network after retries) or cancellation stops the whole run. The result's kind is that of
  // the first failure.
  SyncResult Sync(const std::vector<SyncPlan>& plans);
  SyncResult SyncObject(const SyncPlan& plan);

 private:
  struct Run;
  SyncResult RunObject(const SyncPlan& plan, ObjectSyncStats* stats);
  engine::Millis Now() const;

  const SalesforceClient& client_;
  const std::shared_ptr<const engine::Schema> schema_;
  engine::RecordSink& sink_;
  const SyncOptions options_;
  const uint64_t calls_at_start_;
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SYNC_H_
