#include "engine/column_block.h"

#include <algorithm>

namespace cf::engine {

size_t Column::ValueWidth(StorageKind kind) {
  switch (kind) {
    case StorageKind::kBool:
      return sizeof(bool);
    case StorageKind::kNumber:
      return sizeof(Decimal);
    case StorageKind::kString:
      return sizeof(std::string_view);
    case StorageKind::kPicklist:
      return sizeof(uint32_t);
    case StorageKind::kId:
      return sizeof(SfId);
    case StorageKind::kDate:
      return sizeof(Days);
    case StorageKind::kDateTime:
      return sizeof(Millis);
    case StorageKind::kTime:
      return sizeof(TimeOfDay);
    case StorageKind::kNone:
      break;
  }
  return 0;
}

Column::Column(StorageKind kind, size_t rows)
    : kind_(kind),
      nulls_(new uint8_t[rows == 0 ? 1 : rows]()),
      values_(new unsigned char[rows == 0 ? 1 : rows * ValueWidth(kind)]()) {}

namespace {

template <typename T>
void Put(unsigned char* values, size_t row, const T& v) {
  std::memcpy(values + row * sizeof(T), static_cast<const void*>(&v), sizeof(T));
}

// Copies slot `s` of every row into `column`.
void Fill(const Slot& s, const std::vector<const Record*>& rows, Column* column,
          uint8_t* nulls, unsigned char* values) {
  for (size_t row = 0; row < rows.size(); ++row) {
    const Record& r = *rows[row];
    if (r.IsNull(s)) {
      nulls[row] = 1;
      continue;
    }
    switch (column->kind()) {
      case StorageKind::kBool:
        Put(values, row, r.GetBool(s));
        break;
      case StorageKind::kNumber:
        Put(values, row, r.GetNumber(s));
        break;
      case StorageKind::kString:
        Put(values, row, r.GetString(s));
        break;
      case StorageKind::kPicklist:
        Put(values, row, r.GetPicklistCode(s));
        break;
      case StorageKind::kId:
        Put(values, row, r.GetId(s));
        break;
      case StorageKind::kDate:
        Put(values, row, r.GetDate(s));
        break;
      case StorageKind::kDateTime:
        Put(values, row, r.GetDateTime(s));
        break;
      case StorageKind::kTime:
        Put(values, row, r.GetTime(s));
        break;
      case StorageKind::kNone:
        break;
    }
  }
}

}  // namespace

std::unique_ptr<const ColumnBlock> ColumnBlock::Build(const RecordLayout& layout,
                                                      const RecordPtr* rows, size_t count,
                                                      const std::vector<int>& field_indexes) {
  std::unique_ptr<ColumnBlock> block(new ColumnBlock());
  block->rows_.reserve(count);
  for (size_t i = 0; i < count; ++i) block->rows_.push_back(rows[i].get());
  block->by_field_.assign(layout.object().fields.size(), nullptr);
  for (int field : field_indexes) {
    const Slot* s = layout.SlotForField(field);
    if (s == nullptr || s->kind == StorageKind::kNone || block->by_field_[field] != nullptr) {
      continue;
    }
    auto column = std::make_unique<Column>(s->kind, count);
    Fill(*s, block->rows_, column.get(), column->nulls_.get(), column->values_.get());
    block->column_bytes_ += count * (1 + Column::ValueWidth(s->kind));
    block->by_field_[field] = column.get();
    block->columns_.push_back(std::move(column));
  }
  block->layout_ = &layout;
  return block;
}

bool ColumnBlock::Covers(const std::vector<int>& field_indexes) const {
  return std::all_of(field_indexes.begin(), field_indexes.end(), [&](int field) {
    if (column(field) != nullptr) return true;
    const Slot* s = layout_->SlotForField(field);
    return s == nullptr || s->kind == StorageKind::kNone;  // would not be copied
  });
}

std::vector<int> ColumnBlock::field_indexes() const {
  std::vector<int> fields;
  for (size_t f = 0; f < by_field_.size(); ++f) {
    if (by_field_[f] != nullptr) fields.push_back(static_cast<int>(f));
  }
  return fields;
}

}  // namespace cf::engine
