#include "engine/column_block.h"

#include <algorithm>
#include <unordered_map>

namespace cf::engine {

size_t Column::ValueWidth(StorageKind kind) {
  switch (kind) {
    case StorageKind::kBool:
      return sizeof(bool);
    case StorageKind::kNumber:
      return sizeof(Decimal);
    case StorageKind::kString:
      return sizeof(uint32_t);  // a code into the column's dictionary
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

// Copies slot `s` of every row into `column`. Text columns get their codes from `codes`.
void Fill(const Slot& s, const std::vector<const Record*>& rows, Column* column,
          uint8_t* nulls, unsigned char* values,
          const std::unordered_map<std::string_view, uint32_t>& codes) {
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
        Put(values, row, codes.at(r.GetString(s)));
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

// The distinct texts of slot `s` over `rows`, coded from 1 in order of first appearance (0 is
// the empty text); `dictionary` gets the texts by code, copied into `*text`.
std::unordered_map<std::string_view, uint32_t> BuildDictionary(
    const Slot& s, const std::vector<const Record*>& rows,
    std::vector<std::string_view>* dictionary, std::unique_ptr<char[]>* text, size_t* bytes) {
  std::unordered_map<std::string_view, uint32_t> codes;
  std::vector<std::string_view> distinct{std::string_view()};
  codes.emplace(std::string_view(), 0);
  size_t total = 0;
  for (const Record* r : rows) {
    if (r->IsNull(s)) continue;
    const std::string_view v = r->GetString(s);
    if (codes.emplace(v, static_cast<uint32_t>(distinct.size())).second) {
      distinct.push_back(v);
      total += v.size();
    }
  }
  // kTextPadding zero bytes after the last text, so that 16 bytes can be read at any entry.
  text->reset(new char[total + Column::kTextPadding]());
  char* at = text->get();
  dictionary->clear();
  for (std::string_view v : distinct) {
    if (!v.empty()) std::memcpy(at, v.data(), v.size());
    dictionary->emplace_back(at, v.size());
    at += v.size();
  }
  *bytes = total + (distinct.size() - 1) * sizeof(std::string_view);  // the texts found
  return codes;  // keys view the records' texts: valid while they are
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
    size_t dictionary_bytes = 0;
    std::unordered_map<std::string_view, uint32_t> codes;
    if (s->kind == StorageKind::kString) {
      codes = BuildDictionary(*s, block->rows_, &column->dictionary_, &column->text_,
                              &dictionary_bytes);
    }
    Fill(*s, block->rows_, column.get(), column->nulls_.get(), column->values_.get(), codes);
    block->column_bytes_ += count * (1 + Column::ValueWidth(s->kind)) + dictionary_bytes;
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
