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
//
// Contract with the sync (connectors/salesforce):
//   - Apply is atomic: the records, the deletes and the cursor are stored in one transaction
//     and become visible in Snapshot() together, or the batch fails and nothing changes. A
//     cursor is opaque to the engine; store it with the last batch whose data it covers, so a
//     restart resumes exactly where the data stops.
//   - Records may be built with any layout of the batch's object (e.g. the connector's
//     RecordReader layouts); the sink converts them to its own layout (the one evaluation
//     uses) by name. Each needs its Id.
//   - When the fields synced for an object change (schema refresh, a rule needs a new field),
//     stored records lack the new fields (null): call ResetObject and sync the object fully.
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
  // Drops the object's records and cursor (one transaction); the next sync is a full one.
  virtual Status ResetObject(int object_index) = 0;
};

// Writes batches through to a StateStore (records encoded with record_codec.h, Id as key,
// cursor under kSyncCursorNamespace in the same transaction), then applies them to its
// RecordCache (record_cache.h), which publishes each as a new RecordSnapshot, swapped
// atomically: readers never wait for a batch to be written.
//
// Thread safety: every method may be called from many threads. Apply, ResetObject and Load
// are serialised among themselves; Snapshot never waits for them.
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
    // Objects whose stored records could not all be decoded: their records and cursor were
    // dropped so that the next sync loads them fully again.
    std::vector<std::string> objects_reset;
  };
  // Replaces the in-memory view with every record of the schema's objects in the store
  // (records of objects the schema lacks stay stored, unread). An object with damaged
  // records is reset (see LoadStats). Errors: the store's, or kNotSupported for records
  // written by a newer plugin (nothing is dropped then).
  Status Load(LoadStats* stats = nullptr);

  Status Apply(const SyncBatch& batch) override;
  Status LoadCursor(int object_index, std::optional<std::string>* cursor) override;
  Status ResetObject(int object_index) override;

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

  std::mutex write_mu_;  // serialises Apply, ResetObject, Load (store and cache in one order)
};

}  // namespace cf::engine

#endif  // CF_ENGINE_SYNC_SINK_H_
