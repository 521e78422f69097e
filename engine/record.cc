#include "engine/record.h"

#include <algorithm>
#include <new>
#include <utility>

namespace cf::engine {
namespace {

struct KindShape {
  uint32_t size;
  uint32_t align;
};

KindShape ShapeOf(StorageKind kind) {
  switch (kind) {
    case StorageKind::kNumber:
      return {sizeof(Decimal), 8};
    case StorageKind::kDateTime:
      return {sizeof(Millis), 8};
    case StorageKind::kString:
      return {sizeof(StringRef), 4};
    case StorageKind::kPicklist:
      return {sizeof(PicklistRef), 4};
    case StorageKind::kDate:
      return {sizeof(Days), 4};
    case StorageKind::kTime:
      return {sizeof(TimeOfDay), 4};
    case StorageKind::kId:
      return {sizeof(SfId), 1};
    case StorageKind::kBool:
      return {1, 1};
    case StorageKind::kNone:
      break;
  }
  return {0, 1};
}

uint32_t AlignUp(uint32_t v, uint32_t a) { return (v + a - 1) / a * a; }

}  // namespace

std::shared_ptr<const RecordLayout> RecordLayout::Build(const Object& object,
                                                        const std::vector<int>& field_indexes) {
  auto layout = std::shared_ptr<RecordLayout>(new RecordLayout());
  layout->object_ = &object;
  layout->slot_by_field_.assign(object.fields.size(), -1);
  for (int fi : field_indexes) {
    if (fi < 0 || fi >= static_cast<int>(object.fields.size())) continue;
    if (layout->slot_by_field_[fi] >= 0) continue;
    StorageKind kind = object.fields[fi].storage();
    if (kind == StorageKind::kNone) continue;
    Slot slot;
    slot.kind = kind;
    slot.field_index = fi;
    slot.null_mask = static_cast<uint8_t>(1u << (layout->slots_.size() % 8));
    layout->slot_by_field_[fi] = static_cast<int32_t>(layout->slots_.size());
    layout->slots_.push_back(slot);
  }
  // Header, then the null bitmap, then slots from the most to the least aligned.
  uint32_t offset = AlignUp(sizeof(Record), 8);
  layout->bitmap_offset_ = offset;
  for (size_t i = 0; i < layout->slots_.size(); ++i) {
    layout->slots_[i].null_byte = offset + static_cast<uint32_t>(i / 8);
  }
  offset += (static_cast<uint32_t>(layout->slots_.size()) + 7) / 8;
  std::vector<size_t> order(layout->slots_.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ShapeOf(layout->slots_[a].kind).align > ShapeOf(layout->slots_[b].kind).align;
  });
  for (size_t i : order) {
    KindShape shape = ShapeOf(layout->slots_[i].kind);
    offset = AlignUp(offset, shape.align);
    layout->slots_[i].offset = offset;
    offset += shape.size;
  }
  layout->fixed_size_ = AlignUp(offset, 8);
  int id_field = object.FieldIndex("Id");
  if (id_field >= 0) layout->id_slot_ = layout->slot_by_field_[id_field];
  return layout;
}

std::shared_ptr<const RecordLayout> RecordLayout::BuildAll(const Object& object) {
  std::vector<int> all(object.fields.size());
  for (size_t i = 0; i < all.size(); ++i) all[i] = static_cast<int>(i);
  return Build(object, all);
}

std::shared_ptr<const RecordLayout> RecordLayout::Build(std::shared_ptr<const Schema> schema,
                                                        int object_index,
                                                        const std::vector<int>& field_indexes) {
  auto built = Build(schema->object(object_index), field_indexes);
  std::const_pointer_cast<RecordLayout>(built)->schema_ = std::move(schema);
  return built;
}

std::shared_ptr<const RecordLayout> RecordLayout::BuildAll(std::shared_ptr<const Schema> schema,
                                                           int object_index) {
  auto built = BuildAll(schema->object(object_index));
  std::const_pointer_cast<RecordLayout>(built)->schema_ = std::move(schema);
  return built;
}

const Slot* RecordLayout::SlotForField(int field_index) const {
  if (field_index < 0 || field_index >= static_cast<int>(slot_by_field_.size())) return nullptr;
  int32_t s = slot_by_field_[field_index];
  return s < 0 ? nullptr : &slots_[s];
}

const Slot* RecordLayout::SlotForField(std::string_view field_name) const {
  return SlotForField(object_->FieldIndex(field_name));
}

const SfId* Record::id() const {
  const Slot* s = layout_->id_slot();
  if (s == nullptr || IsNull(*s)) return nullptr;
  return &GetId(*s);
}

RecordBuilder::RecordBuilder(std::shared_ptr<const RecordLayout> layout)
    : layout_(std::move(layout)) {
  fixed_.assign(layout_->fixed_size(), 0);
  for (const Slot& s : layout_->slots()) SetNull(s);
}

void RecordBuilder::SetNull(const Slot& s) {
  fixed_[s.null_byte] |= s.null_mask;
  KindShape shape = ShapeOf(s.kind);
  std::fill_n(fixed_.begin() + s.offset, shape.size, 0);
}

namespace {
template <typename T>
void Store(std::vector<unsigned char>& fixed, const Slot& s, const T& v) {
  std::memcpy(fixed.data() + s.offset, &v, sizeof(T));
}
}  // namespace

#define CF_MARK_SET(s) \
  fixed_[(s).null_byte] &= static_cast<unsigned char>(~(s).null_mask)

void RecordBuilder::SetBool(const Slot& s, bool v) {
  fixed_[s.offset] = v ? 1 : 0;
  CF_MARK_SET(s);
}
void RecordBuilder::SetNumber(const Slot& s, Decimal v) {
  Store(fixed_, s, v);
  CF_MARK_SET(s);
}
void RecordBuilder::SetString(const Slot& s, std::string_view v) {
  StringRef ref{static_cast<uint32_t>(strings_.size()), static_cast<uint32_t>(v.size())};
  strings_.append(v);
  Store(fixed_, s, ref);
  CF_MARK_SET(s);
}
void RecordBuilder::SetPicklist(const Slot& s, std::string_view v) {
  int code = layout_->object().fields[s.field_index].FindPicklistValue(v);
  PicklistRef ref{code < 0 ? kUnknownPicklistCode : static_cast<uint32_t>(code),
                  {static_cast<uint32_t>(strings_.size()), static_cast<uint32_t>(v.size())}};
  strings_.append(v);
  Store(fixed_, s, ref);
  CF_MARK_SET(s);
}
void RecordBuilder::SetId(const Slot& s, const SfId& v) {
  Store(fixed_, s, v);
  CF_MARK_SET(s);
}
void RecordBuilder::SetDate(const Slot& s, Days v) {
  Store(fixed_, s, v);
  CF_MARK_SET(s);
}
void RecordBuilder::SetDateTime(const Slot& s, Millis v) {
  Store(fixed_, s, v);
  CF_MARK_SET(s);
}
void RecordBuilder::SetTime(const Slot& s, TimeOfDay v) {
  Store(fixed_, s, v);
  CF_MARK_SET(s);
}
#undef CF_MARK_SET

bool RecordBuilder::SetFromText(const Slot& s, std::string_view text) {
  switch (s.kind) {
    case StorageKind::kBool:
      if (EqualsIgnoreCase(text, "true")) {
        SetBool(s, true);
      } else if (EqualsIgnoreCase(text, "false")) {
        SetBool(s, false);
      } else {
        return false;
      }
      return true;
    case StorageKind::kNumber: {
      std::optional<Decimal> d = Decimal::Parse(text);
      if (!d) return false;
      SetNumber(s, *d);
      return true;
    }
    case StorageKind::kString:
      SetString(s, text);
      return true;
    case StorageKind::kPicklist:
      SetPicklist(s, text);
      return true;
    case StorageKind::kId: {
      std::optional<SfId> id = SfId::Parse(text);
      if (!id) return false;
      SetId(s, *id);
      return true;
    }
    case StorageKind::kDate: {
      std::optional<Days> d = ParseIsoDate(text);
      if (!d) return false;
      SetDate(s, *d);
      return true;
    }
    case StorageKind::kDateTime: {
      std::optional<Millis> m = ParseIsoDateTime(text);
      if (!m) return false;
      SetDateTime(s, *m);
      return true;
    }
    case StorageKind::kTime: {
      std::optional<TimeOfDay> t = ParseIsoTime(text);
      if (!t) return false;
      SetTime(s, *t);
      return true;
    }
    case StorageKind::kNone:
      break;
  }
  return false;
}

RecordPtr RecordBuilder::Finish() {
  const uint32_t fixed_size = layout_->fixed_size();
  // Rebase string references from tail-relative to record-relative offsets.
  for (const Slot& s : layout_->slots()) {
    if (s.kind != StorageKind::kString && s.kind != StorageKind::kPicklist) continue;
    if (fixed_[s.null_byte] & s.null_mask) continue;
    uint32_t at = s.offset + (s.kind == StorageKind::kPicklist ? offsetof(PicklistRef, text) : 0);
    uint32_t off;
    std::memcpy(&off, fixed_.data() + at, sizeof(off));
    off += fixed_size;
    std::memcpy(fixed_.data() + at, &off, sizeof(off));
  }
  const size_t total = fixed_size + strings_.size();
  void* block = ::operator new(total);
  Record* record = new (block) Record();
  unsigned char* bytes = static_cast<unsigned char*>(block);
  std::memcpy(bytes + sizeof(Record), fixed_.data() + sizeof(Record), fixed_size - sizeof(Record));
  if (!strings_.empty()) std::memcpy(bytes + fixed_size, strings_.data(), strings_.size());
  record->layout_ = layout_;
  record->size_ = static_cast<uint32_t>(total);
  // Reset for reuse.
  std::fill(fixed_.begin(), fixed_.end(), 0);
  for (const Slot& s : layout_->slots()) SetNull(s);
  strings_.clear();
  return RecordPtr(record);
}

}  // namespace cf::engine
