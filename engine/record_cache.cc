#include "engine/record_cache.h"

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "engine/binding_keys.h"

namespace cf::engine {
namespace internal {

constexpr size_t kShards = RecordSnapshot::kShards;
static_assert((kShards & (kShards - 1)) == 0, "kShards must be a power of two");

struct IdHash {
  size_t operator()(const SfId& id) const {
    return std::hash<std::string_view>()(std::string_view(id.chars, sizeof(id.chars)));
  }
};

struct TextHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

size_t ShardOf(size_t hash) { return hash & (kShards - 1); }

bool ByIdOrder(const Record* a, const Record* b) { return *a->id() < *b->id(); }

// Records of one Id shard, sorted by Id, and their columns once a scan asked for them.
struct IdShard {
  std::vector<RecordPtr> records;
  mutable std::mutex columns_mu;                      // guards columns
  mutable std::shared_ptr<const ColumnBlock> columns;  // RecordSnapshot::ChunkColumns
};

// key -> records, sharded by the key's hash. Lists are in Id order, each record once.
template <typename Key, typename Hash>
struct KeyIndex {
  using Map = std::unordered_map<Key, std::vector<const Record*>, Hash, std::equal_to<>>;
  std::array<std::shared_ptr<const Map>, kShards> shards;

  KeyIndex() {
    static const auto empty = std::make_shared<const Map>();
    shards.fill(empty);
  }
  template <typename Lookup>
  RecordSpan Find(const Lookup& key) const {
    const Map& map = *shards[ShardOf(Hash()(key))];
    auto it = map.find(key);
    if (it == map.end()) return {};
    return {it->second.data(), it->second.size()};
  }
};

using ChildIndex = KeyIndex<SfId, IdHash>;
using TextIndex = KeyIndex<std::string, TextHash>;

struct ObjectRecords {
  std::array<std::shared_ptr<const IdShard>, kShards> by_id;
  size_t count = 0;
  // Lookup field index (Object::fields) -> parent Id -> children.
  std::unordered_map<int, ChildIndex> children;
  // NormalizeEmail of every email field / NormalizePhone of every phone field but Fax.
  TextIndex by_email;
  TextIndex by_phone;

  ObjectRecords() {
    static const auto empty = std::make_shared<const IdShard>();
    by_id.fill(empty);
  }
};

// Collects the removals and additions of one batch for one KeyIndex, then writes them into
// copies of the shards they touch (the others stay shared with the previous snapshot).
template <typename Key, typename Hash>
class KeyIndexEditor {
 public:
  void Remove(Key key, const Record* r) { pending_[std::move(key)].removes.push_back(r); }
  void Add(Key key, const Record* r) { pending_[std::move(key)].adds.push_back(r); }

  void CommitTo(KeyIndex<Key, Hash>* index) {
    using Map = typename KeyIndex<Key, Hash>::Map;
    std::array<std::shared_ptr<Map>, kShards> copies;
    for (auto& [key, change] : pending_) {
      const size_t s = ShardOf(Hash()(key));
      if (copies[s] == nullptr) copies[s] = std::make_shared<Map>(*index->shards[s]);
      std::vector<const Record*>& list = (*copies[s])[key];
      if (!change.removes.empty()) {
        std::sort(change.removes.begin(), change.removes.end());
        list.erase(std::remove_if(list.begin(), list.end(),
                                  [&](const Record* r) {
                                    return std::binary_search(change.removes.begin(),
                                                              change.removes.end(), r);
                                  }),
                   list.end());
      }
      list.insert(list.end(), change.adds.begin(), change.adds.end());
      std::sort(list.begin(), list.end(), ByIdOrder);
      list.erase(std::unique(list.begin(), list.end()), list.end());  // Phone == MobilePhone
      if (list.empty()) copies[s]->erase(key);
    }
    for (size_t s = 0; s < kShards; ++s) {
      if (copies[s] != nullptr) index->shards[s] = std::move(copies[s]);
    }
  }

 private:
  struct Change {
    std::vector<const Record*> removes;
    std::vector<const Record*> adds;
  };
  std::unordered_map<Key, Change, Hash, std::equal_to<>> pending_;
};

// The index edits of one batch: every key a removed record had is removed, every key an
// added record has is added.
class IndexEdits {
 public:
  void Removed(const Record& r) { Visit(r, /*add=*/false); }
  void Added(const Record& r) { Visit(r, /*add=*/true); }

  void CommitTo(ObjectRecords* records) {
    for (auto& [field, editor] : children_) editor.CommitTo(&records->children[field]);
    email_.CommitTo(&records->by_email);
    phone_.CommitTo(&records->by_phone);
  }

 private:
  void Visit(const Record& r, bool add) {
    const RecordLayout& layout = r.layout();
    for (const Slot& s : layout.slots()) {
      if (r.IsNull(s)) continue;
      if (s.kind == StorageKind::kId) {
        if (&s == layout.id_slot()) continue;
        Edit(&children_[s.field_index], r.GetId(s), r, add);
        continue;
      }
      if (s.kind != StorageKind::kString) continue;
      const Field& field = layout.object().fields[s.field_index];
      if (field.type == FieldType::kEmail) {
        std::string key = NormalizeEmail(r.GetString(s));
        if (!key.empty()) Edit(&email_, std::move(key), r, add);
      } else if (field.type == FieldType::kPhone && !IsFaxField(field.name)) {
        std::string key = NormalizePhone(r.GetString(s));
        if (!key.empty()) Edit(&phone_, std::move(key), r, add);
      }
    }
  }
  template <typename Editor, typename Key>
  static void Edit(Editor* editor, Key key, const Record& r, bool add) {
    if (add) {
      editor->Add(std::move(key), &r);
    } else {
      editor->Remove(std::move(key), &r);
    }
  }

  std::unordered_map<int, KeyIndexEditor<SfId, IdHash>> children_;
  KeyIndexEditor<std::string, TextHash> email_;
  KeyIndexEditor<std::string, TextHash> phone_;
};

// One change of a batch: an upsert (record set) or a delete, in batch order (`seq`).
struct Change {
  size_t shard;
  SfId id;
  size_t seq;
  const RecordPtr* record;  // nullptr: delete
};

// Returns `old` with the batch applied; shards and index shards the batch does not touch are
// shared with `old`.
std::shared_ptr<const ObjectRecords> ApplyChanges(const ObjectRecords& old,
                                                  const std::vector<SfId>& deletes,
                                                  const std::vector<RecordPtr>& upserts) {
  std::vector<Change> changes;
  changes.reserve(deletes.size() + upserts.size());
  for (const SfId& id : deletes) {
    changes.push_back({ShardOf(IdHash()(id)), id, changes.size(), nullptr});
  }
  for (const RecordPtr& r : upserts) {
    const SfId& id = *r->id();
    changes.push_back({ShardOf(IdHash()(id)), id, changes.size(), &r});
  }
  // By shard, then Id, then batch order: the last change of an Id decides.
  std::sort(changes.begin(), changes.end(), [](const Change& a, const Change& b) {
    if (a.shard != b.shard) return a.shard < b.shard;
    if (a.id != b.id) return a.id < b.id;
    return a.seq < b.seq;
  });

  auto next = std::make_shared<ObjectRecords>(old);
  IndexEdits edits;
  size_t removed = 0, added = 0;
  for (size_t begin = 0; begin < changes.size();) {
    const size_t shard = changes[begin].shard;
    size_t end = begin;
    while (end < changes.size() && changes[end].shard == shard) ++end;

    const std::vector<RecordPtr>& before = old.by_id[shard]->records;
    auto merged = std::make_shared<IdShard>();
    merged->records.reserve(before.size() + (end - begin));
    size_t i = 0;
    for (size_t c = begin; c < end; ++c) {
      if (c + 1 < end && changes[c + 1].id == changes[c].id) continue;  // a later one wins
      const Change& change = changes[c];
      while (i < before.size() && *before[i]->id() < change.id) merged->records.push_back(before[i++]);
      if (i < before.size() && *before[i]->id() == change.id) {
        edits.Removed(*before[i]);
        ++removed;
        ++i;
      }
      if (change.record != nullptr) {
        merged->records.push_back(*change.record);
        edits.Added(**change.record);
        ++added;
      }
    }
    merged->records.insert(merged->records.end(), before.begin() + static_cast<ptrdiff_t>(i),
                           before.end());
    next->by_id[shard] = std::move(merged);
    begin = end;
  }
  next->count = old.count - removed + added;
  edits.CommitTo(next.get());
  return next;
}

}  // namespace internal

using internal::ObjectRecords;

// --- RecordSnapshot -------------------------------------------------------------------------

RecordSnapshot::RecordSnapshot(std::shared_ptr<const Schema> schema,
                               std::vector<std::shared_ptr<const ObjectRecords>> objects)
    : schema_(std::move(schema)), objects_(std::move(objects)) {}

RecordSnapshot::~RecordSnapshot() = default;

const Record* RecordSnapshot::Find(int object_index, const SfId& id) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return nullptr;
  const std::vector<RecordPtr>& shard =
      objects_[object_index]->by_id[internal::ShardOf(internal::IdHash()(id))]->records;
  auto it = std::lower_bound(shard.begin(), shard.end(), id,
                             [](const RecordPtr& r, const SfId& key) { return *r->id() < key; });
  return it != shard.end() && *(*it)->id() == id ? it->get() : nullptr;
}

RecordSpan RecordSnapshot::Children(int child_object_index, int child_field_index,
                                    const SfId& parent_id) const {
  if (child_object_index < 0 || child_object_index >= static_cast<int>(objects_.size())) {
    return {};
  }
  const auto& children = objects_[child_object_index]->children;
  auto it = children.find(child_field_index);
  if (it == children.end()) return {};
  return it->second.Find(parent_id);
}

RecordSpan RecordSnapshot::FindByEmail(int object_index, std::string_view email) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return {};
  const std::string key = NormalizeEmail(email);
  if (key.empty()) return {};
  return objects_[object_index]->by_email.Find(std::string_view(key));
}

RecordSpan RecordSnapshot::FindByPhone(int object_index, std::string_view phone) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return {};
  const std::string key = NormalizePhone(phone);
  if (key.empty()) return {};
  return objects_[object_index]->by_phone.Find(std::string_view(key));
}

size_t RecordSnapshot::Count(int object_index) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return 0;
  return objects_[object_index]->count;
}

size_t RecordSnapshot::ChunkCount(int object_index) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return 0;
  return kShards;
}

OwnedRecordSpan RecordSnapshot::Chunk(int object_index, size_t chunk) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size()) || chunk >= kShards) {
    return {};
  }
  const std::vector<RecordPtr>& records = objects_[object_index]->by_id[chunk]->records;
  return {records.data(), records.size()};
}

std::shared_ptr<const ColumnBlock> RecordSnapshot::ChunkColumns(
    int object_index, size_t chunk, const std::vector<int>& field_indexes) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size()) || chunk >= kShards) {
    return nullptr;
  }
  const std::shared_ptr<const internal::IdShard>& shard = objects_[object_index]->by_id[chunk];
  const std::vector<RecordPtr>& records = shard->records;
  if (records.empty()) return nullptr;
  std::shared_ptr<const ColumnBlock> block;
  {
    std::lock_guard<std::mutex> lock(shard->columns_mu);
    if (shard->columns == nullptr || !shard->columns->Covers(field_indexes)) {
      std::vector<int> fields = field_indexes;
      if (shard->columns != nullptr) {
        const std::vector<int> had = shard->columns->field_indexes();
        fields.insert(fields.end(), had.begin(), had.end());
      }
      shard->columns = ColumnBlock::Build(records[0]->layout(), records.data(), records.size(),
                                          fields);
    }
    block = shard->columns;
  }
  // One owner for the shard (so the records) and the block.
  struct Owner {
    std::shared_ptr<const internal::IdShard> shard;
    std::shared_ptr<const ColumnBlock> block;
  };
  auto owner = std::make_shared<const Owner>(Owner{shard, std::move(block)});
  return std::shared_ptr<const ColumnBlock>(owner, owner->block.get());
}

void RecordSnapshot::ForEach(int object_index,
                             const std::function<void(const RecordPtr&)>& fn) const {
  for (size_t c = 0; c < ChunkCount(object_index); ++c) {
    for (const RecordPtr& r : Chunk(object_index, c)) fn(r);
  }
}

// --- RecordCache ----------------------------------------------------------------------------

RecordCache::RecordCache(std::shared_ptr<const Schema> schema,
                         std::vector<std::shared_ptr<const RecordLayout>> layouts)
    : schema_(std::move(schema)), layouts_(std::move(layouts)) {
  layouts_.resize(schema_->size());
  for (int i = 0; i < schema_->size(); ++i) {
    if (layouts_[i] == nullptr) layouts_[i] = RecordLayout::BuildAll(schema_, i);
  }
  auto empty = std::make_shared<const ObjectRecords>();
  snapshot_ = std::make_shared<const RecordSnapshot>(
      schema_, std::vector<std::shared_ptr<const ObjectRecords>>(schema_->size(), empty));
}

RecordSnapshotPtr RecordCache::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

Status RecordCache::Check(int object_index, const std::vector<RecordPtr>& records) const {
  if (object_index < 0 || object_index >= schema_->size()) {
    return Status::InvalidArgument("record cache: object index " + std::to_string(object_index) +
                                   " is not in the schema");
  }
  const RecordLayout* layout = layouts_[object_index].get();
  for (size_t i = 0; i < records.size(); ++i) {
    const RecordPtr& r = records[i];
    std::string where = "record cache: ";
    where.append(layout->object().name).append(" record ").append(std::to_string(i));
    if (r == nullptr) return Status::InvalidArgument(where + " is null");
    if (&r->layout() != layout) {
      return Status::InvalidArgument(where + " is not in the cache's layout of the object");
    }
    if (r->id() == nullptr) return Status::InvalidArgument(where + " has no Id");
  }
  return Status::Ok();
}

void RecordCache::Publish(int object_index, std::shared_ptr<const ObjectRecords> records) {
  // Only writers (holding write_mu_) replace snapshot_, so reading it here is stable.
  std::vector<std::shared_ptr<const ObjectRecords>> objects = Snapshot()->objects_;
  objects[object_index] = std::move(records);
  PublishAll(std::move(objects));
}

void RecordCache::PublishAll(std::vector<std::shared_ptr<const ObjectRecords>> objects) {
  auto next = std::make_shared<const RecordSnapshot>(schema_, std::move(objects));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(next);
}

Status RecordCache::Apply(int object_index, const std::vector<SfId>& deletes,
                          const std::vector<RecordPtr>& upserts) {
  Status s = Check(object_index, upserts);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(write_mu_);
  // Hold the current object's records: the edits read the records being replaced.
  std::shared_ptr<const ObjectRecords> old = Snapshot()->objects_[object_index];
  Publish(object_index, internal::ApplyChanges(*old, deletes, upserts));
  return Status::Ok();
}

Status RecordCache::Replace(int object_index, const std::vector<RecordPtr>& records) {
  Status s = Check(object_index, records);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(write_mu_);
  Publish(object_index, internal::ApplyChanges(ObjectRecords(), {}, records));
  return Status::Ok();
}

Status RecordCache::ReplaceAll(const std::vector<std::vector<RecordPtr>>& records) {
  for (size_t oi = 0; oi < records.size(); ++oi) {
    Status s = Check(static_cast<int>(oi), records[oi]);
    if (!s.ok()) return s;
  }
  std::vector<std::shared_ptr<const ObjectRecords>> objects;
  const auto empty = std::make_shared<const ObjectRecords>();
  for (size_t oi = 0; oi < static_cast<size_t>(schema_->size()); ++oi) {
    objects.push_back(oi < records.size() ? internal::ApplyChanges(ObjectRecords(), {}, records[oi])
                                          : empty);
  }
  std::lock_guard<std::mutex> lock(write_mu_);
  PublishAll(std::move(objects));
  return Status::Ok();
}

}  // namespace cf::engine
