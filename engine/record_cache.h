// The record cache: every synced record of every object, typed (record.h layouts), indexed by
// Id, by parent lookup (for child aggregates), by email and by phone, and published as
// immutable snapshots that evaluation reads while changes keep arriving.
//
//   RecordCache cache(schema, layouts);
//   cache.Apply(account, deleted_ids, new_or_changed_records);   // from the sync thread
//   RecordSnapshotPtr snap = cache.Snapshot();                    // from any event thread
//   const Record* r = snap->Find(account, id);
//
// Storage and cost (docs/record-cache.md):
//   - Per object, records sit in kShards shards chosen by a hash of the Id; each shard is a
//     vector of records sorted by Id. The parent, email and phone indexes are sharded by their
//     key the same way. A snapshot shares every shard it did not change with the previous
//     snapshot (copy-on-write), so applying a change costs the size of the shards it touches,
//     not the size of the object: a single write-through record copies 1/kShards of the
//     object, a sync page of thousands touches most shards (about a copy of the object's
//     pointers, as a rebuild would).
//   - Records stay the immutable blocks of record.h; a snapshot holds them by RecordPtr, so a
//     record lives as long as some snapshot (or caller) references it.
//
// Thread safety: Snapshot() may be called from any thread at any time and never waits for a
// writer. Apply and Replace are serialised among themselves. A RecordSnapshot is immutable:
// any number of threads may read it, and everything it returns (records, spans) stays valid
// while the snapshot is referenced.
#ifndef CF_ENGINE_RECORD_CACHE_H_
#define CF_ENGINE_RECORD_CACHE_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "engine/column_block.h"
#include "engine/condition.h"
#include "engine/record.h"
#include "engine/schema.h"
#include "engine/status.h"
#include "engine/value.h"

namespace cf::engine {

namespace internal {
struct ObjectRecords;  // one object's shards and indexes (record_cache.cc)
}

// A contiguous run of records owned by a snapshot, for scans.
struct OwnedRecordSpan {
  const RecordPtr* data = nullptr;
  size_t size = 0;
  const RecordPtr* begin() const { return data; }
  const RecordPtr* end() const { return data + size; }
};

// An immutable view of every cached record at one moment.
class RecordSnapshot final : public RecordSource {
 public:
  // Shards per object (and per key index). A power of two.
  static constexpr size_t kShards = 64;

  RecordSnapshot(std::shared_ptr<const Schema> schema,
                 std::vector<std::shared_ptr<const internal::ObjectRecords>> objects);
  ~RecordSnapshot() override;

  // RecordSource. Records have the cache's layout of their object. Find: a hash and a binary
  // search in one shard.
  const Record* Find(int object_index, const SfId& id) const override;
  // Children in Id order.
  RecordSpan Children(int child_object_index, int child_field_index,
                      const SfId& parent_id) const override;

  // Records of the object with an email field (any field of type email) equal to `email`
  // after NormalizeEmail (engine/binding_keys.h), in Id order; empty if none.
  RecordSpan FindByEmail(int object_index, std::string_view email) const;
  // The same for phone fields (every field of type phone but Fax) and NormalizePhone.
  RecordSpan FindByPhone(int object_index, std::string_view phone) const;

  size_t Count(int object_index) const;

  // Scans. Records come in cache order: shard by shard, by Id within a shard; the order is
  // the same for the same set of records. Chunk(o, i) for i < ChunkCount(o) are disjoint and
  // together hold every record of the object once.
  size_t ChunkCount(int object_index) const;
  OwnedRecordSpan Chunk(int object_index, size_t chunk) const;
  // The columnar form (column_block.h) of Chunk(object_index, chunk) with at least the fields
  // `field_indexes` (indexes in Object::fields) in columns; nullptr for an empty or invalid
  // chunk. Rows are the chunk's records in order. The block is built on the first request and
  // kept with the chunk: later scans of this snapshot, and of later snapshots that share the
  // chunk (a change copies only the chunks it touches), reuse it. A request for a field the
  // block lacks rebuilds it with the union of the fields. The returned pointer keeps the
  // block and its records alive. Thread-safe; concurrent requests for one chunk wait for one
  // build. Cost of a build: one read of every record of the chunk.
  std::shared_ptr<const ColumnBlock> ChunkColumns(int object_index, size_t chunk,
                                                  const std::vector<int>& field_indexes) const;
  // Calls fn(const RecordPtr&) for every record of the object, in cache order.
  void ForEach(int object_index, const std::function<void(const RecordPtr&)>& fn) const;

  const Schema& schema() const { return *schema_; }

 private:
  friend class RecordCache;
  std::shared_ptr<const Schema> schema_;
  std::vector<std::shared_ptr<const internal::ObjectRecords>> objects_;  // by object index
};
using RecordSnapshotPtr = std::shared_ptr<const RecordSnapshot>;

class RecordCache {
 public:
  // `layouts[i]` is the layout records of object i are kept in (the Environment's, so that
  // compiled conditions read them); a missing or null entry means every field of the object
  // (RecordLayout::BuildAll). REQUIRES: schema non-null; each given layout is of the
  // corresponding schema object and stores its Id field. Starts empty.
  RecordCache(std::shared_ptr<const Schema> schema,
              std::vector<std::shared_ptr<const RecordLayout>> layouts = {});

  // Applies one object's changes and publishes them in one new snapshot: first `deletes`
  // (absent Ids are ignored), then `upserts` (an Id already cached is replaced; an Id given
  // twice keeps the last). Errors (nothing applied): kInvalidArgument for an object index out
  // of range, a null record, a record not in this cache's layout of the object, or one
  // without an Id.
  Status Apply(int object_index, const std::vector<SfId>& deletes,
               const std::vector<RecordPtr>& upserts);
  // Replaces every record of the object (same checks as Apply).
  Status Replace(int object_index, const std::vector<RecordPtr>& records);
  // Replaces every record of every object in one snapshot: `records[i]` are object i's
  // (objects past the end are emptied). Same checks as Apply; nothing changes on error.
  Status ReplaceAll(const std::vector<std::vector<RecordPtr>>& records);

  // The current snapshot; never null. Cheap (a shared_ptr copy under a short lock).
  RecordSnapshotPtr Snapshot() const;

  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const Schema>& schema_ptr() const { return schema_; }
  const std::shared_ptr<const RecordLayout>& layout(int object_index) const {
    return layouts_[object_index];
  }

 private:
  Status Check(int object_index, const std::vector<RecordPtr>& records) const;
  void Publish(int object_index, std::shared_ptr<const internal::ObjectRecords> records);
  void PublishAll(std::vector<std::shared_ptr<const internal::ObjectRecords>> objects);

  const std::shared_ptr<const Schema> schema_;
  std::vector<std::shared_ptr<const RecordLayout>> layouts_;  // by object index, immutable

  std::mutex write_mu_;             // serialises Apply and Replace
  mutable std::mutex snapshot_mu_;  // guards snapshot_ (held only to copy or swap it)
  RecordSnapshotPtr snapshot_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_RECORD_CACHE_H_
