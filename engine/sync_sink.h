// RecordSink: where the connector's sync hands records to the engine; PersistentRecordSink:
// the sink that writes them through to a StateStore and keeps an in-memory view that rules
// read while batches arrive.
//
//   auto sink = std::make_shared<PersistentRecordSink>(store, schema);
//   Status s = sink->Load();                        // warm restart: records from the store
//   std::optional<std::string> cursor;
//   s = sink->LoadCursor(contact, &cursor);         // nullopt: do a full sync of Contact
//   s = sink->Apply({contact, records, deleted_ids, next_cursor});   // one page or delta
//   RecordSnapshotPtr snap = sink->Snapshot();      // for evaluation: snap->Find(...)
//   s = sink->BeginReload(contact);                 // load Contact again, records stay visible
//   ... a full sync of Contact (through ReloadOnResetSink) ...
//   s = sink->FinishReload(contact);                // drops what the reload did not bring
//
// Contract with the sync (connectors/salesforce):
//   - Apply is atomic: the records, the deletes and the cursor are stored in one transaction
//     and become visible in Snapshot() together, or the batch fails and nothing changes. A
//     cursor is opaque to the engine; store it with the last batch whose data it covers, so a
//     restart resumes exactly where the data stops.
//   - Records may be built with any layout of the batch's object (e.g. the connector's
//     RecordReader layouts); the sink converts them to its own layout (the one evaluation
//     uses) by name. Each needs its Id.
//   - When an object must be loaded again in full (the fields synced for it changed, its
//     delete log was lost, or a user asked for it), PersistentRecordSink::BeginReload keeps
//     its records visible while the load runs and FinishReload then drops the records the
//     load did not bring (docs/sync.md, "Full reloads"). ResetObject drops everything at
//     once (the object is empty until the load is done).
//   - A schema refresh builds a new sink on the same store and Load()s it: stored records are
//     decoded against the new layouts by field name.
#ifndef CF_ENGINE_SYNC_SINK_H_
#define CF_ENGINE_SYNC_SINK_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/condition.h"
#include "engine/record.h"
#include "engine/record_cache.h"
#include "engine/schema.h"
#include "engine/state_store.h"
#include "engine/status.h"
#include "engine/value.h"

namespace cf::engine {

// The StateStore namespace of sync cursors; the key is the object's API name.
inline constexpr std::string_view kSyncCursorNamespace = "sync.cursor";
// The StateStore namespace of reload marks (BeginReload); the key is the object's API name,
// the value "1". A mark means: a full reload of the object has begun and not finished.
inline constexpr std::string_view kSyncReloadNamespace = "sync.reload";

// One step of a sync for one object. Deletes are applied before upserts, so an Id in both
// ends up present (it was undeleted after the delete was listed).
struct SyncBatch {
  int object_index = -1;             // index in the sink's Schema
  std::vector<RecordPtr> upserts;    // records of that object, each with its Id
  std::vector<SfId> deletes;         // absent Ids are ignored
  std::optional<std::string> cursor;  // stored with the batch; nullopt keeps the stored one
};

// The interface the sync calls. Implementations must be safe to call from many threads (a
// sync typically runs one thread; Apply calls are serialised by the implementation).
class RecordSink {
 public:
  virtual ~RecordSink() = default;
  // Stores and publishes a batch atomically. kInvalidArgument (nothing applied) for an
  // object_index out of range, a null record, a record of another object or without an Id;
  // a store error otherwise (nothing applied).
  virtual Status Apply(const SyncBatch& batch) = 0;
  // The cursor stored by the last Apply of the object; nullopt if none (sync fully).
  virtual Status LoadCursor(int object_index, std::optional<std::string>* cursor) = 0;
  // The object must be loaded again in full: the cursor is dropped, so the next sync is a
  // full one. What happens to the records meanwhile is the implementation's (see
  // PersistentRecordSink::ResetObject and ReloadOnResetSink).
  virtual Status ResetObject(int object_index) = 0;
};

// Where a full reload of one object stands (PersistentRecordSink::GetReloadState).
enum class ReloadState : uint8_t {
  kNone,         // no reload pending
  kRunning,      // begun by this sink (BeginReload), which tracks the Ids it brings
  kInterrupted,  // the durable mark is set but this sink did not begin the reload (the
                 // process stopped mid-reload): call BeginReload before syncing the object
};

// Writes batches through to a StateStore (records encoded with record_codec.h, Id as key,
// cursor under kSyncCursorNamespace in the same transaction), then applies them to its
// RecordCache (record_cache.h), which publishes each as a new RecordSnapshot, swapped
// atomically: readers never wait for a batch to be written.
//
// Full reloads (BeginReload ... FinishReload) keep the object's old records visible while the
// new load arrives; see BeginReload.
//
// Thread safety: every method may be called from many threads. Apply, ResetObject, Load,
// BeginReload and FinishReload are serialised among themselves; Snapshot never waits for them.
// Cost: the store's transaction, plus the shards of the cache the batch touches.
class PersistentRecordSink final : public RecordSink {
 public:
  // `layouts[i]` is the layout records of object i are kept in (the Environment's, so that
  // compiled conditions read them); a missing or null entry means every field of the object
  // (RecordLayout::BuildAll). REQUIRES: store and schema non-null; each given layout is of
  // the corresponding schema object and stores its Id field. The snapshot starts empty:
  // call Load.
  PersistentRecordSink(std::shared_ptr<StateStore> store, std::shared_ptr<const Schema> schema,
                       std::vector<std::shared_ptr<const RecordLayout>> layouts = {});

  struct LoadStats {
    int64_t records = 0;
    // Objects whose stored records could not all be decoded: their records, cursor and reload
    // mark were dropped so that the next sync loads them fully again.
    std::vector<std::string> objects_reset;
    // Objects whose full reload was begun and not finished (ReloadState::kInterrupted): their
    // old records are loaded and stay visible; BeginReload them before the next sync.
    std::vector<std::string> reloads_interrupted;
  };
  // Replaces the in-memory view with every record of the schema's objects in the store
  // (records of objects the schema lacks stay stored, unread). An object with damaged
  // records is reset (see LoadStats). Errors: the store's, or kNotSupported for records
  // written by a newer plugin (nothing is dropped then).
  Status Load(LoadStats* stats = nullptr);

  // While a reload of the object runs (kRunning), the Ids of the batch's upserts count as
  // brought by the reload (write-through records included: they exist in the org).
  Status Apply(const SyncBatch& batch) override;
  // nullopt while the object's reload is kInterrupted: the Ids brought before the stop are
  // lost, so the load must start over rather than resume.
  Status LoadCursor(int object_index, std::optional<std::string>* cursor) override;
  // Drops the object's records, cursor and reload mark (one transaction) and publishes the
  // empty object; the next sync is a full one. Readers see no records of the object until it
  // is loaded again: prefer BeginReload.
  Status ResetObject(int object_index) override;

  // Begins a full reload of the object that keeps its records visible: in one transaction,
  // drops the cursor (so the next sync loads everything) and sets the durable reload mark;
  // then tracks the Ids that batches bring. Records are not touched: each upsert replaces its
  // record as usual, so a reader sees every record either old or new, never missing. Calling
  // it while a reload runs starts that reload over (the Ids seen so far are forgotten).
  // Errors: kInvalidArgument for an object index out of range; the store's (nothing changes).
  Status BeginReload(int object_index);
  // Ends a reload whose load completed: in one transaction, deletes every stored record of
  // the object that no batch brought since BeginReload and clears the mark; then publishes
  // the same deletions in one snapshot. *removed (optional) gets their count. REQUIRES: the
  // sync of the object completed since BeginReload (its cursor says complete); calling it
  // earlier deletes records the load has not reached yet. Errors: kInvalidArgument for an
  // object index out of range or an object whose reload is not kRunning (nothing changes);
  // the store's (nothing changes, the reload stays kRunning: call it again).
  Status FinishReload(int object_index, int64_t* removed = nullptr);
  // Where the object's reload stands: reads the mark from the store. Errors: as BeginReload.
  Status GetReloadState(int object_index, ReloadState* state);

  // The current view; never null. Cheap (a shared_ptr copy under a short lock).
  RecordSnapshotPtr Snapshot() const { return cache_.Snapshot(); }

  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const RecordLayout>& layout(int object_index) const {
    return cache_.layout(object_index);
  }

 private:
  Status CheckObject(int object_index, const char* what) const;

  const std::shared_ptr<StateStore> store_;
  const std::shared_ptr<const Schema> schema_;
  RecordCache cache_;

  // Serialises Apply, ResetObject, Load, BeginReload, FinishReload (store and cache in one
  // order) and guards reloads_.
  std::mutex write_mu_;
  // By object index: the Ids (15 characters) brought since BeginReload, unsorted, maybe
  // repeated; nullopt when this sink runs no reload of the object. In memory only: a restart
  // loses it, which is why the mark makes the reload start over.
  std::vector<std::optional<std::vector<SfId>>> reloads_;
};

// The RecordSink to hand a sync (connectors/salesforce/sync.h) when records must stay visible
// while an object is loaded again in full: ResetObject begins a reload
// (PersistentRecordSink::BeginReload) instead of dropping the records; Apply and LoadCursor
// are forwarded. Whoever runs the sync calls FinishReload on the sink for each object whose
// load completed. Holds a reference: the sink must outlive it. Thread safety: as the sink.
class ReloadOnResetSink final : public RecordSink {
 public:
  explicit ReloadOnResetSink(PersistentRecordSink& sink) : sink_(sink) {}
  Status Apply(const SyncBatch& batch) override { return sink_.Apply(batch); }
  Status LoadCursor(int object_index, std::optional<std::string>* cursor) override {
    return sink_.LoadCursor(object_index, cursor);
  }
  Status ResetObject(int object_index) override { return sink_.BeginReload(object_index); }

 private:
  PersistentRecordSink& sink_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_SYNC_SINK_H_
