#include "engine/record_store.h"

#include <cstring>
#include <string_view>
#include <utility>

namespace cf::engine {

size_t RecordStore::IdHash::operator()(const SfId& id) const {
  return std::hash<std::string_view>()(std::string_view(id.chars, sizeof(id.chars)));
}

void RecordStore::Add(int object_index, RecordPtr record) {
  auto& list = records_[object_index];
  if (const SfId* id = record->id()) {
    auto [it, inserted] = by_id_[object_index].emplace(*id, list.size());
    if (!inserted) {
      list[it->second] = std::move(record);
      return;
    }
  }
  list.push_back(std::move(record));
}

void RecordStore::Freeze() {
  children_.clear();
  for (int oi = 0; oi < static_cast<int>(records_.size()); ++oi) {
    for (const RecordPtr& r : records_[oi]) {
      const RecordLayout& layout = r->layout();
      for (const Slot& s : layout.slots()) {
        if (s.kind != StorageKind::kId || &s == layout.id_slot() || r->IsNull(s)) continue;
        children_[{oi, s.field_index}][r->GetId(s)].push_back(r.get());
      }
    }
  }
}

const Record* RecordStore::Find(int object_index, const SfId& id) const {
  if (object_index < 0 || object_index >= static_cast<int>(by_id_.size())) return nullptr;
  const auto& index = by_id_[object_index];
  auto it = index.find(id);
  return it == index.end() ? nullptr : records_[object_index][it->second].get();
}

RecordSpan RecordStore::Children(int child_object_index, int child_field_index,
                                 const SfId& parent_id) const {
  auto it = children_.find({child_object_index, child_field_index});
  if (it == children_.end()) return {};
  auto jt = it->second.find(parent_id);
  if (jt == it->second.end()) return {};
  return {jt->second.data(), jt->second.size()};
}

}  // namespace cf::engine
