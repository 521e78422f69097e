#include "engine/sync_sink.h"

#include <algorithm>
#include <string_view>
#include <utility>

#include "engine/record_codec.h"

namespace cf::engine {
// --- PersistentRecordSink -------------------------------------------------------------------

PersistentRecordSink::PersistentRecordSink(
    std::shared_ptr<StateStore> store, std::shared_ptr<const Schema> schema,
    std::vector<std::shared_ptr<const RecordLayout>> layouts)
    : store_(std::move(store)),
      schema_(std::move(schema)),
      cache_(schema_, std::move(layouts)),
      reloads_(static_cast<size_t>(schema_->size())) {}

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
  std::vector<std::vector<RecordPtr>> objects;
  for (int oi = 0; oi < schema_->size(); ++oi) {
    const std::string& name = schema_->object(oi).name;
    std::vector<RecordPtr> records;
    Status decode_error;
    Status s = store_->ScanRecords(name, [&](std::string_view id, std::string_view bytes) {
      RecordPtr r;
      decode_error = DecodeRecord(bytes, cache_.layout(oi), &r);
      if (decode_error.ok() && (r->id() == nullptr || r->id()->To15() != id)) {
        decode_error = Status::Corruption("stored record " + name + "/" + std::string(id) +
                                          " holds another Id");
      }
      if (!decode_error.ok()) return false;
      records.push_back(std::move(r));
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
      reset.values.push_back({std::string(kSyncReloadNamespace), name, std::nullopt});
      s = store_->ApplyRecordBatch(reset);
      if (!s.ok()) return s;
      local.objects_reset.push_back(name);
      records.clear();
      reloads_[oi].reset();
    } else if (!reloads_[oi]) {
      std::optional<std::string> mark;
      s = store_->Get(kSyncReloadNamespace, name, &mark);
      if (!s.ok()) return s;
      if (mark) local.reloads_interrupted.push_back(name);
    }
    local.records += static_cast<int64_t>(records.size());
    objects.push_back(std::move(records));
  }
  Status s = cache_.ReplaceAll(objects);
  if (!s.ok()) return s;
  if (stats != nullptr) *stats = std::move(local);
  return Status::Ok();
}

Status PersistentRecordSink::Apply(const SyncBatch& batch) {
  Status s = CheckObject(batch.object_index, "sync batch");
  if (!s.ok()) return s;
  const int oi = batch.object_index;
  const std::string& name = schema_->object(oi).name;
  const std::shared_ptr<const RecordLayout>& layout = cache_.layout(oi);

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

  // Cannot fail: every record was converted to the cache's layout and has an Id.
  s = cache_.Apply(oi, batch.deletes, upserts);
  if (!s.ok()) return s;
  if (reloads_[oi]) {
    for (const RecordPtr& r : upserts) reloads_[oi]->push_back(*r->id());
  }
  return Status::Ok();
}

Status PersistentRecordSink::LoadCursor(int object_index, std::optional<std::string>* cursor) {
  Status s = CheckObject(object_index, "LoadCursor");
  if (!s.ok()) return s;
  const std::string& name = schema_->object(object_index).name;
  std::lock_guard<std::mutex> lock(write_mu_);
  if (!reloads_[object_index]) {
    std::optional<std::string> mark;
    s = store_->Get(kSyncReloadNamespace, name, &mark);
    if (!s.ok()) return s;
    if (mark) {  // an interrupted reload: its Ids are lost, so it starts over
      cursor->reset();
      return Status::Ok();
    }
  }
  return store_->Get(kSyncCursorNamespace, name, cursor);
}

Status PersistentRecordSink::ResetObject(int object_index) {
  Status s = CheckObject(object_index, "ResetObject");
  if (!s.ok()) return s;
  const std::string& name = schema_->object(object_index).name;
  RecordBatch reset;
  reset.clear_objects.push_back(name);
  reset.values.push_back({std::string(kSyncCursorNamespace), name, std::nullopt});
  reset.values.push_back({std::string(kSyncReloadNamespace), name, std::nullopt});
  std::lock_guard<std::mutex> lock(write_mu_);
  s = store_->ApplyRecordBatch(reset);
  if (!s.ok()) return s;
  reloads_[object_index].reset();
  return cache_.Replace(object_index, {});
}

Status PersistentRecordSink::BeginReload(int object_index) {
  Status s = CheckObject(object_index, "BeginReload");
  if (!s.ok()) return s;
  const std::string& name = schema_->object(object_index).name;
  RecordBatch begin;
  begin.values.push_back({std::string(kSyncCursorNamespace), name, std::nullopt});
  begin.values.push_back({std::string(kSyncReloadNamespace), name, "1"});
  std::lock_guard<std::mutex> lock(write_mu_);
  s = store_->ApplyRecordBatch(begin);
  if (!s.ok()) return s;
  reloads_[object_index].emplace();
  return Status::Ok();
}

Status PersistentRecordSink::FinishReload(int object_index, int64_t* removed) {
  Status s = CheckObject(object_index, "FinishReload");
  if (!s.ok()) return s;
  const std::string& name = schema_->object(object_index).name;
  std::lock_guard<std::mutex> lock(write_mu_);
  if (!reloads_[object_index]) {
    return Status::InvalidArgument("FinishReload: no reload of " + name +
                                   " runs in this sink: call BeginReload, sync " + name +
                                   " fully, then FinishReload");
  }
  std::vector<SfId>& seen = *reloads_[object_index];
  std::sort(seen.begin(), seen.end());
  seen.erase(std::unique(seen.begin(), seen.end()), seen.end());

  // Every stored record the reload did not bring. The cache holds the same records as the
  // store (every change goes to both under write_mu_), so the same Ids leave the cache.
  RecordBatch finish;
  std::vector<SfId> stale;
  s = store_->ScanRecords(name, [&](std::string_view id, std::string_view) {
    std::optional<SfId> parsed = SfId::Parse(id);
    if (parsed && std::binary_search(seen.begin(), seen.end(), *parsed)) return true;
    finish.deletes.push_back({name, std::string(id)});
    if (parsed) stale.push_back(*parsed);
    return true;
  });
  if (!s.ok()) return s;
  finish.values.push_back({std::string(kSyncReloadNamespace), name, std::nullopt});
  s = store_->ApplyRecordBatch(finish);
  if (!s.ok()) return s;
  reloads_[object_index].reset();
  if (removed != nullptr) *removed = static_cast<int64_t>(finish.deletes.size());
  return cache_.Apply(object_index, stale, {});  // deletes only: cannot fail
}

Status PersistentRecordSink::GetReloadState(int object_index, ReloadState* state) {
  Status s = CheckObject(object_index, "GetReloadState");
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(write_mu_);
  if (reloads_[object_index]) {
    *state = ReloadState::kRunning;
    return Status::Ok();
  }
  std::optional<std::string> mark;
  s = store_->Get(kSyncReloadNamespace, schema_->object(object_index).name, &mark);
  if (!s.ok()) return s;
  *state = mark ? ReloadState::kInterrupted : ReloadState::kNone;
  return Status::Ok();
}

}  // namespace cf::engine
