#include "engine/sync_sink.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <utility>

#include "engine/binding_keys.h"
#include "engine/record_codec.h"

namespace cf::engine {
namespace internal {

struct IdHash {
  size_t operator()(const SfId& id) const {
    return std::hash<std::string_view>()(std::string_view(id.chars, sizeof(id.chars)));
  }
};

struct KeyHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
};

bool ByIdOrder(const Record* a, const Record* b) { return *a->id() < *b->id(); }

struct ObjectRecords {
  using ByParent = std::unordered_map<SfId, std::vector<const Record*>, IdHash>;
  using ByKey = std::unordered_map<std::string, std::vector<const Record*>, KeyHash, std::equal_to<>>;
  std::unordered_map<SfId, RecordPtr, IdHash> by_id;
  // Lookup field index -> parent Id -> children (pointers into by_id's records), by Id.
  std::unordered_map<int, ByParent> children;
  // NormalizeEmail of every email field / NormalizePhone of every phone field but Fax ->
  // records (by Id, each once per key).
  ByKey by_email;
  ByKey by_phone;

  // Rebuilds every index from by_id (children and keys).
  void BuildIndexes() {
    BuildChildren();
    BuildKeys();
  }

  void BuildKeys() {
    by_email.clear();
    by_phone.clear();
    for (const auto& [id, r] : by_id) {
      const RecordLayout& layout = r->layout();
      for (const Slot& s : layout.slots()) {
        if (s.kind != StorageKind::kString || r->IsNull(s)) continue;
        const Field& field = layout.object().fields[s.field_index];
        if (field.type == FieldType::kEmail) {
          AddKey(&by_email, NormalizeEmail(r->GetString(s)), r.get());
        } else if (field.type == FieldType::kPhone && !IsFaxField(field.name)) {
          AddKey(&by_phone, NormalizePhone(r->GetString(s)), r.get());
        }
      }
    }
    for (ByKey* index : {&by_email, &by_phone}) {
      for (auto& [key, list] : *index) std::sort(list.begin(), list.end(), ByIdOrder);
    }
  }

  static void AddKey(ByKey* index, std::string key, const Record* r) {
    if (key.empty()) return;
    std::vector<const Record*>& list = (*index)[std::move(key)];
    if (list.empty() || list.back() != r) list.push_back(r);  // Phone == MobilePhone: once
  }

  void BuildChildren() {
    children.clear();
    for (const auto& [id, r] : by_id) {
      const RecordLayout& layout = r->layout();
      for (const Slot& s : layout.slots()) {
        if (s.kind != StorageKind::kId || &s == layout.id_slot() || r->IsNull(s)) continue;
        children[s.field_index][r->GetId(s)].push_back(r.get());
      }
    }
    for (auto& [field, by_parent] : children) {
      for (auto& [parent, list] : by_parent) {
        std::sort(list.begin(), list.end(), ByIdOrder);
      }
    }
  }
};

}  // namespace internal

using internal::ObjectRecords;

// --- RecordSnapshot -------------------------------------------------------------------------

RecordSnapshot::RecordSnapshot(std::shared_ptr<const Schema> schema,
                               std::vector<std::shared_ptr<const ObjectRecords>> objects)
    : schema_(std::move(schema)), objects_(std::move(objects)) {}

RecordSnapshot::~RecordSnapshot() = default;

const Record* RecordSnapshot::Find(int object_index, const SfId& id) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return nullptr;
  const auto& by_id = objects_[object_index]->by_id;
  auto it = by_id.find(id);
  return it == by_id.end() ? nullptr : it->second.get();
}

RecordSpan RecordSnapshot::Children(int child_object_index, int child_field_index,
                                    const SfId& parent_id) const {
  if (child_object_index < 0 || child_object_index >= static_cast<int>(objects_.size())) {
    return {};
  }
  const auto& children = objects_[child_object_index]->children;
  auto it = children.find(child_field_index);
  if (it == children.end()) return {};
  auto jt = it->second.find(parent_id);
  if (jt == it->second.end()) return {};
  return {jt->second.data(), jt->second.size()};
}

namespace {

RecordSpan FindKey(const ObjectRecords::ByKey& index, const std::string& key) {
  if (key.empty()) return {};
  auto it = index.find(std::string_view(key));
  if (it == index.end()) return {};
  return {it->second.data(), it->second.size()};
}

}  // namespace

RecordSpan RecordSnapshot::FindByEmail(int object_index, std::string_view email) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return {};
  return FindKey(objects_[object_index]->by_email, NormalizeEmail(email));
}

RecordSpan RecordSnapshot::FindByPhone(int object_index, std::string_view phone) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return {};
  return FindKey(objects_[object_index]->by_phone, NormalizePhone(phone));
}

size_t RecordSnapshot::Count(int object_index) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return 0;
  return objects_[object_index]->by_id.size();
}

void RecordSnapshot::ForEach(int object_index,
                             const std::function<void(const RecordPtr&)>& fn) const {
  if (object_index < 0 || object_index >= static_cast<int>(objects_.size())) return;
  for (const auto& [id, r] : objects_[object_index]->by_id) fn(r);
}

// --- PersistentRecordSink -------------------------------------------------------------------

PersistentRecordSink::PersistentRecordSink(
    std::shared_ptr<StateStore> store, std::shared_ptr<const Schema> schema,
    std::vector<std::shared_ptr<const RecordLayout>> layouts)
    : store_(std::move(store)), schema_(std::move(schema)), layouts_(std::move(layouts)) {
  layouts_.resize(schema_->size());
  for (int i = 0; i < schema_->size(); ++i) {
    if (layouts_[i] == nullptr) layouts_[i] = RecordLayout::BuildAll(schema_, i);
  }
  auto empty = std::make_shared<const ObjectRecords>();
  snapshot_ = std::make_shared<const RecordSnapshot>(
      schema_, std::vector<std::shared_ptr<const ObjectRecords>>(schema_->size(), empty));
}

RecordSnapshotPtr PersistentRecordSink::Snapshot() const {
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  return snapshot_;
}

void PersistentRecordSink::Publish(int object_index,
                                   std::shared_ptr<const ObjectRecords> records) {
  // Only writers (holding write_mu_) replace snapshot_, so reading it here is stable.
  std::vector<std::shared_ptr<const ObjectRecords>> objects = Snapshot()->objects_;
  objects[object_index] = std::move(records);
  auto next = std::make_shared<const RecordSnapshot>(schema_, std::move(objects));
  std::lock_guard<std::mutex> lock(snapshot_mu_);
  snapshot_ = std::move(next);
}

Status PersistentRecordSink::CheckObject(int object_index, const char* what) const {
  if (object_index < 0 || object_index >= schema_->size()) {
    return Status::InvalidArgument(std::string(what) + ": object index " +
                                   std::to_string(object_index) + " is not in the schema");
  }
  return Status::Ok();
}

Status PersistentRecordSink::Load(LoadStats* stats) {
  std::lock_guard<std::mutex> lock(write_mu_);
  LoadStats local;
  std::vector<std::shared_ptr<const ObjectRecords>> objects;
  for (int oi = 0; oi < schema_->size(); ++oi) {
    const std::string& name = schema_->object(oi).name;
    auto records = std::make_shared<ObjectRecords>();
    Status decode_error;
    Status s = store_->ScanRecords(name, [&](std::string_view id, std::string_view bytes) {
      RecordPtr r;
      decode_error = DecodeRecord(bytes, layouts_[oi], &r);
      if (decode_error.ok() && (r->id() == nullptr || r->id()->To15() != id)) {
        decode_error = Status::Corruption("stored record " + name + "/" + std::string(id) +
                                          " holds another Id");
      }
      if (!decode_error.ok()) return false;
      records->by_id[*r->id()] = std::move(r);
      return true;
    });
    if (!s.ok()) return s;
    if (decode_error.code() == Status::Code::kNotSupported) {
      return Status::NotSupported(store_->Describe() + ": " + name + ": " +
                                  decode_error.message());
    }
    if (!decode_error.ok()) {
      RecordBatch reset;
      reset.clear_objects.push_back(name);
      reset.values.push_back({std::string(kSyncCursorNamespace), name, std::nullopt});
      s = store_->ApplyRecordBatch(reset);
      if (!s.ok()) return s;
      local.objects_reset.push_back(name);
      records = std::make_shared<ObjectRecords>();
    }
    records->BuildIndexes();
    local.records += static_cast<int64_t>(records->by_id.size());
    objects.push_back(std::move(records));
  }
  auto next = std::make_shared<const RecordSnapshot>(schema_, std::move(objects));
  {
    std::lock_guard<std::mutex> snap_lock(snapshot_mu_);
    snapshot_ = std::move(next);
  }
  if (stats != nullptr) *stats = std::move(local);
  return Status::Ok();
}

Status PersistentRecordSink::Apply(const SyncBatch& batch) {
  Status s = CheckObject(batch.object_index, "sync batch");
  if (!s.ok()) return s;
  const int oi = batch.object_index;
  const std::string& name = schema_->object(oi).name;
  const std::shared_ptr<const RecordLayout>& layout = layouts_[oi];

  // Encode (and convert to our layout) before touching the store or the view.
  RecordBatch stored;
  std::vector<RecordPtr> upserts;
  stored.upserts.reserve(batch.upserts.size());
  upserts.reserve(batch.upserts.size());
  for (size_t i = 0; i < batch.upserts.size(); ++i) {
    const RecordPtr& r = batch.upserts[i];
    const std::string where = "sync batch of " + name + ", record " + std::to_string(i);
    if (r == nullptr) return Status::InvalidArgument(where + " is null");
    if (!EqualsIgnoreCase(r->layout().object().name, name)) {
      return Status::InvalidArgument(where + " is a " + r->layout().object().name);
    }
    if (r->id() == nullptr) return Status::InvalidArgument(where + " has no Id");
    StoredRecord rec{name, r->id()->To15(), EncodeRecord(*r)};
    RecordPtr ours = r;
    if (&r->layout() != layout.get()) {
      s = DecodeRecord(rec.bytes, layout, &ours);
      if (!s.ok()) return Status::InvalidArgument(where + ": " + s.message());
      if (ours->id() == nullptr) {
        return Status::InvalidArgument(where + ": the sink's layout of " + name +
                                       " does not store Id");
      }
    }
    stored.upserts.push_back(std::move(rec));
    upserts.push_back(std::move(ours));
  }
  for (const SfId& id : batch.deletes) stored.deletes.push_back({name, id.To15()});
  if (batch.cursor) {
    stored.values.push_back({std::string(kSyncCursorNamespace), name, *batch.cursor});
  }

  std::lock_guard<std::mutex> lock(write_mu_);
  s = store_->ApplyRecordBatch(stored);
  if (!s.ok()) return s;

  auto records = std::make_shared<ObjectRecords>();
  records->by_id = Snapshot()->objects_[oi]->by_id;
  for (const SfId& id : batch.deletes) records->by_id.erase(id);
  for (RecordPtr& r : upserts) {
    SfId id = *r->id();
    records->by_id[id] = std::move(r);
  }
  records->BuildIndexes();
  Publish(oi, std::move(records));
  return Status::Ok();
}

Status PersistentRecordSink::LoadCursor(int object_index, std::optional<std::string>* cursor) {
  Status s = CheckObject(object_index, "LoadCursor");
  if (!s.ok()) return s;
  return store_->Get(kSyncCursorNamespace, schema_->object(object_index).name, cursor);
}

Status PersistentRecordSink::ResetObject(int object_index) {
  Status s = CheckObject(object_index, "ResetObject");
  if (!s.ok()) return s;
  const std::string& name = schema_->object(object_index).name;
  RecordBatch reset;
  reset.clear_objects.push_back(name);
  reset.values.push_back({std::string(kSyncCursorNamespace), name, std::nullopt});
  std::lock_guard<std::mutex> lock(write_mu_);
  s = store_->ApplyRecordBatch(reset);
  if (!s.ok()) return s;
  Publish(object_index, std::make_shared<const ObjectRecords>());
  return Status::Ok();
}

}  // namespace cf::engine
