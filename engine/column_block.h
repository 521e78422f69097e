// The columnar form of a run of cached records, for scans.
//
// A record (record.h) is one block holding every stored field of one Salesforce record. Reading
// one field of a million such records brings a million blocks in from memory, a cache line or
// two each, and that, not evaluation, bounds a scan (docs/record-cache.md, "Columns"). A
// ColumnBlock copies chosen fields of a run of records into one dense array per field (a value
// per row and a null flag per row), so a scan reads 5 to 17 bytes per field per record instead.
//
//   std::shared_ptr<const ColumnBlock> block =
//       snapshot->ChunkColumns(account, chunk, condition->referenced_fields());
//   EvalContext ctx = ...;                 // as for one event
//   ctx.columns = block.get();
//   ctx.columns_root = account_root;       // the root whose record is the block's row
//   for (uint32_t row = 0; row < block->size(); ++row) {
//     ctx.row = row;
//     Tri t = condition->Evaluate(ctx);    // one record at a time, as with roots[]
//   }
//
// Evaluation gives the same result on (block, row) as on block->record(row): fused tests on
// the root's fields read the columns, everything else (lookups, functions, fields not copied)
// reads the record itself.
//
// Which fields get a column: every stored field of the layout whose value has a fixed size,
// that is all but kNone: numbers (16 bytes), picklists (their 4-byte code; the text stays in
// the record), Ids (15 bytes), dates, datetimes, times, booleans, and text (a 4-byte code per
// row into the block's dictionary of the column's distinct texts, which the block owns: a scan
// never reaches back into the records for them, and a field with few distinct values, such as
// a country, costs 4 bytes per row).
//
// Ownership and thread safety: a ColumnBlock is immutable after Build and may be read from any
// number of threads. It does not own its records: the caller keeps them alive as long as the
// block (RecordSnapshot::ChunkColumns returns a pointer that holds both).
#ifndef CF_ENGINE_COLUMN_BLOCK_H_
#define CF_ENGINE_COLUMN_BLOCK_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "engine/record.h"
#include "engine/schema.h"
#include "engine/value.h"

namespace cf::engine {

// One field of every row of a block.
class Column {
 public:
  Column(StorageKind kind, size_t rows);

  StorageKind kind() const { return kind_; }
  bool IsNull(size_t row) const { return nulls_[row] != 0; }
  // REQUIRES: T is the column's value type (Decimal for kNumber, uint32_t picklist code,
  // SfId, Days, Millis, TimeOfDay, bool, std::string_view for kString). A null row reads as
  // zero (an empty string_view for text), so reading before testing IsNull is safe.
  template <typename T>
  T Get(size_t row) const {
    if constexpr (std::is_same_v<T, std::string_view>) {
      return dictionary_[Get<uint32_t>(row)];
    }
    T v;
    std::memcpy(static_cast<void*>(&v), values_.get() + row * sizeof(T), sizeof(T));
    return v;
  }

  // Text columns: at least this many bytes are readable at the data() of any text Get returns
  // (the dictionary's texts are followed by zero padding), for comparisons without branches.
  static constexpr size_t kTextPadding = 16;

  // Width in bytes of one value of `kind` in a column; 0 for kNone.
  static size_t ValueWidth(StorageKind kind);

 private:
  friend class ColumnBlock;
  StorageKind kind_;
  std::unique_ptr<uint8_t[]> nulls_;           // one byte per row: 1 = null
  std::unique_ptr<unsigned char[]> values_;    // ValueWidth(kind_) bytes per row
  // kString: values_ holds codes into dictionary_, whose views point into text_. Code 0 is
  // the empty text, which null rows read.
  std::vector<std::string_view> dictionary_;
  std::unique_ptr<char[]> text_;
};

class ColumnBlock {
 public:
  // Copies the fields `field_indexes` (indexes in Object::fields; duplicates, fields the layout
  // does not store and kNone fields are ignored) of `count` records at `rows`, all of `layout`,
  // in that order. REQUIRES: every record has `layout`; the records (which keep the layout
  // alive) outlive the block.
  static std::unique_ptr<const ColumnBlock> Build(const RecordLayout& layout,
                                                  const RecordPtr* rows, size_t count,
                                                  const std::vector<int>& field_indexes);

  size_t size() const { return rows_.size(); }
  const RecordLayout& layout() const { return *layout_; }
  const Record* record(size_t row) const { return rows_[row]; }
  // The column of a field (index in Object::fields), or nullptr if the block has none.
  const Column* column(int field_index) const {
    return static_cast<size_t>(field_index) < by_field_.size() ? by_field_[field_index] : nullptr;
  }
  // The same without the range check, for the evaluator. REQUIRES: `s` is a slot of the
  // block's layout.
  const Column* ColumnForSlot(const Slot& s) const { return by_field_[s.field_index]; }
  // True if the block has a column for every field of `field_indexes` that it would copy.
  bool Covers(const std::vector<int>& field_indexes) const;
  // The fields the block has columns for, ascending.
  std::vector<int> field_indexes() const;
  // Bytes of the columns (not of the records).
  size_t column_bytes() const { return column_bytes_; }

 private:
  ColumnBlock() = default;
  const RecordLayout* layout_ = nullptr;
  std::vector<const Record*> rows_;
  std::vector<std::unique_ptr<Column>> columns_;
  std::vector<const Column*> by_field_;  // Object::fields index -> column or nullptr
  size_t column_bytes_ = 0;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_COLUMN_BLOCK_H_
