// The columnar scan form of the record cache (engine/column_block.h, RecordSnapshot::
// ChunkColumns) and evaluation on (block, row) (EvalContext::columns).
//
//   ColumnBlockTest         Build copies every storage kind with its nulls, exactly as the
//                           records' own getters read them; what it ignores; Covers; count 0.
//   ChunkColumnsTest        blocks kept with a real RecordCache's chunks: reuse, union rebuild,
//                           copy-on-write after Apply, lifetime, invalid chunks, 4 threads.
//   ColumnDifferentialTest  Evaluate on (block, row) gives the same Tri as with the row's
//                           record bound through roots[], for random conditions of the
//                           differential test (tests/engine/differential_test.cc) and for
//                           hand-written fused shapes over every field kind, with blocks of all
//                           fields, of the condition's referenced fields only, and of none.
//
// Environment variables (ColumnDifferentialTest):
//   CF_COLUMN_DIFFERENTIAL_PAIRS  random (condition, row) pairs (default 100000; lower it for
//                                 slow builds)
//   CF_DIFFERENTIAL_SEED          seed of the generator and of the data (shared with the
//                                 differential test)
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "engine/column_block.h"
#include "engine/condition.h"
#include "engine/record.h"
#include "engine/record_cache.h"
#include "engine/schema.h"
#include "engine/value.h"
#include "grammar/diagnostic.h"
#include "tests/engine/state_test_support.h"
#include "tests/support/differential_schema.h"
#include "tests/support/random_condition.h"

namespace cf::engine {
namespace {

using testing::Id;
using testing::IdText;
using testing::MakeStateSchema;

// True if column `field` of `block` holds, row by row, exactly what the block's records hold:
// the same null flags and, for non-null rows, the value the record's getter returns. Otherwise
// false with the first difference in *why.
bool ColumnMatchesRecords(const ColumnBlock& block, int field, std::string* why) {
  const Column* c = block.column(field);
  const Slot* s = block.layout().SlotForField(field);
  if (c == nullptr || s == nullptr) {
    *why = "no column or no slot for field " + std::to_string(field);
    return false;
  }
  if (c->kind() != s->kind) {
    *why = "column kind differs from the slot's for field " + std::to_string(field);
    return false;
  }
  for (size_t row = 0; row < block.size(); ++row) {
    const Record& r = *block.record(row);
    const std::string where = "field " + std::to_string(field) + " row " + std::to_string(row);
    if (c->IsNull(row) != r.IsNull(*s)) {
      *why = where + ": null flag differs";
      return false;
    }
    if (c->IsNull(row)) continue;
    bool same = false;
    switch (c->kind()) {
      case StorageKind::kBool:
        same = c->Get<bool>(row) == r.GetBool(*s);
        break;
      case StorageKind::kNumber:
        same = c->Get<Decimal>(row) == r.GetNumber(*s);
        break;
      case StorageKind::kString:
        same = c->Get<std::string_view>(row) == r.GetString(*s);
        break;
      case StorageKind::kPicklist:
        same = c->Get<uint32_t>(row) == r.GetPicklistCode(*s);
        break;
      case StorageKind::kId:
        same = c->Get<SfId>(row) == r.GetId(*s);
        break;
      case StorageKind::kDate:
        same = c->Get<Days>(row) == r.GetDate(*s);
        break;
      case StorageKind::kDateTime:
        same = c->Get<Millis>(row) == r.GetDateTime(*s);
        break;
      case StorageKind::kTime:
        same = c->Get<TimeOfDay>(row) == r.GetTime(*s);
        break;
      case StorageKind::kNone:
        break;
    }
    if (!same) {
      *why = where + ": value differs";
      return false;
    }
  }
  return true;
}

// True if every null row of `column` reads as zero (the empty text for kString): the fused
// tests evaluate a column's value before looking at its null flag.
bool NullRowsReadAsZero(const Column& column, size_t rows) {
  for (size_t row = 0; row < rows; ++row) {
    if (!column.IsNull(row)) continue;
    bool zero = false;
    switch (column.kind()) {
      case StorageKind::kBool:
        zero = !column.Get<bool>(row);
        break;
      case StorageKind::kNumber:
        zero = column.Get<Decimal>(row) == Decimal::FromInt(0);
        break;
      case StorageKind::kString:
        zero = column.Get<std::string_view>(row).empty();
        break;
      case StorageKind::kPicklist:
        zero = column.Get<uint32_t>(row) == 0;
        break;
      case StorageKind::kId:
        zero = column.Get<SfId>(row) == SfId{};
        break;
      case StorageKind::kDate:
      case StorageKind::kTime:
        zero = column.Get<int32_t>(row) == 0;
        break;
      case StorageKind::kDateTime:
        zero = column.Get<Millis>(row) == 0;
        break;
      case StorageKind::kNone:
        break;
    }
    if (!zero) return false;
  }
  return true;
}

std::vector<int> AllFieldIndexes(const Object& o) {
  std::vector<int> fields;
  for (size_t f = 0; f < o.fields.size(); ++f) fields.push_back(static_cast<int>(f));
  return fields;
}

// ---------------------------------------------------------------------------------------------
// ColumnBlockTest

class ColumnBlockTest : public ::testing::Test {
 protected:
  ColumnBlockTest() : schema_(MakeStateSchema(1)) {
    account_ = schema_->IndexOf("Account");
    layout_ = RecordLayout::BuildAll(schema_, account_);
  }

  const Object& account() const { return schema_->object(account_); }
  int Field(std::string_view name) const { return account().FieldIndex(name); }

  // `count` Accounts in which every stored field but the Id is null in some rows and set in
  // others, the values varying by row; picklists also hold a value the schema does not list.
  std::vector<RecordPtr> Rows(int count) const {
    std::vector<RecordPtr> rows;
    RecordBuilder b(layout_);
    for (int i = 0; i < count; ++i) {
      for (const Slot& s : layout_->slots()) {
        if ((i + s.field_index) % 3 == 0 && s.kind != StorageKind::kId) continue;  // null
        switch (s.kind) {
          case StorageKind::kBool:
            b.SetBool(s, i % 2 == 0);
            break;
          case StorageKind::kNumber:
            b.SetNumber(s, Decimal::FromInt(1000 * i - 2500 + s.field_index));
            break;
          case StorageKind::kString:
            b.SetString(s, std::string(static_cast<size_t>(i), 'a' + static_cast<char>(i)));
            break;
          case StorageKind::kPicklist: {
            const auto& values = account().fields[s.field_index].picklist_values;
            b.SetPicklist(s, i % 4 == 1 ? "Unlisted" : values[i % values.size()].value);
            break;
          }
          case StorageKind::kId:
            b.SetId(s, Id(IdText("001", i + 1)));
            break;
          case StorageKind::kDate:
            b.SetDate(s, 19000 + 31 * i);
            break;
          case StorageKind::kDateTime:
            b.SetDateTime(s, Millis{1700000000000} + Millis{3600000} * i);
            break;
          case StorageKind::kTime:
            b.SetTime(s, 1000 * 60 * 17 * i);
            break;
          case StorageKind::kNone:
            break;
        }
      }
      rows.push_back(b.Finish());
    }
    return rows;
  }

  std::shared_ptr<const Schema> schema_;
  int account_ = -1;
  std::shared_ptr<const RecordLayout> layout_;
};

TEST_F(ColumnBlockTest, CopiesEveryStorageKindWithItsNulls) {
  const std::vector<RecordPtr> rows = Rows(9);
  const std::vector<int> all = AllFieldIndexes(account());
  std::unique_ptr<const ColumnBlock> block =
      ColumnBlock::Build(*layout_, rows.data(), rows.size(), all);
  ASSERT_EQ(block->size(), rows.size());
  for (size_t row = 0; row < rows.size(); ++row) EXPECT_EQ(block->record(row), rows[row].get());

  std::set<StorageKind> kinds;
  std::vector<int> expected_fields;
  for (int f : all) {
    const Slot* s = layout_->SlotForField(f);
    if (s == nullptr || s->kind == StorageKind::kNone) {
      EXPECT_EQ(block->column(f), nullptr) << account().fields[f].name;
      continue;
    }
    expected_fields.push_back(f);
    kinds.insert(s->kind);
    std::string why;
    EXPECT_TRUE(ColumnMatchesRecords(*block, f, &why)) << account().fields[f].name << ": " << why;
    EXPECT_TRUE(NullRowsReadAsZero(*block->column(f), block->size())) << account().fields[f].name;
    // The data has both nulls and values in every column but the Id, so both paths are read.
    size_t nulls = 0;
    for (size_t row = 0; row < block->size(); ++row) nulls += block->column(f)->IsNull(row);
    EXPECT_LT(nulls, block->size()) << account().fields[f].name;
    if (s->kind != StorageKind::kId) {
      EXPECT_GT(nulls, 0u) << account().fields[f].name;
    }
  }
  EXPECT_EQ(kinds.size(), 8u) << "the schema must have a field of every storage kind";
  EXPECT_EQ(block->field_indexes(), expected_fields);
  // Row 5 holds a picklist value the schema does not list: its code is copied as is.
  const Slot* industry = layout_->SlotForField(Field("Industry"));
  ASSERT_FALSE(rows[5]->IsNull(*industry));
  EXPECT_EQ(rows[5]->GetPicklistCode(*industry), kUnknownPicklistCode);
  EXPECT_EQ(block->column(Field("Industry"))->Get<uint32_t>(5), kUnknownPicklistCode);
  EXPECT_EQ(block->column(Field("BillingAddress")), nullptr);
}

TEST_F(ColumnBlockTest, IgnoresUnstoredNoneAndDuplicateFields) {
  // A layout without Industry (and, as always, without the kNone BillingAddress).
  auto narrow =
      RecordLayout::Build(schema_, account_, {Field("Id"), Field("Name"), Field("Rating__c")});
  ASSERT_EQ(narrow->SlotForField(Field("Industry")), nullptr);
  RecordBuilder b(narrow);
  std::vector<RecordPtr> rows;
  for (int i = 0; i < 5; ++i) {
    b.SetId(*narrow->SlotForField("Id"), Id(IdText("001", i + 1)));
    if (i != 2) b.SetString(*narrow->SlotForField("Name"), "n" + std::to_string(i));
    if (i != 3) b.SetNumber(*narrow->SlotForField("Rating__c"), Decimal::FromInt(i));
    rows.push_back(b.Finish());
  }
  std::unique_ptr<const ColumnBlock> block =
      ColumnBlock::Build(*narrow, rows.data(), rows.size(),
                         {Field("Industry"), Field("BillingAddress"), Field("Name"),
                          Field("Rating__c"), Field("Name"), Field("Rating__c")});
  const std::vector<int> expected = {Field("Name"), Field("Rating__c")};
  EXPECT_EQ(block->field_indexes(), expected);
  EXPECT_EQ(block->column(Field("Industry")), nullptr);
  EXPECT_EQ(block->column(Field("BillingAddress")), nullptr);
  EXPECT_EQ(block->column(Field("Id")), nullptr);  // stored, but not asked for
  // Each duplicate is copied once: the block is the one built without them.
  std::unique_ptr<const ColumnBlock> plain =
      ColumnBlock::Build(*narrow, rows.data(), rows.size(), expected);
  EXPECT_EQ(block->column_bytes(), plain->column_bytes());
  EXPECT_GE(block->column_bytes(), rows.size() * (2 + Column::ValueWidth(StorageKind::kString) +
                                                  Column::ValueWidth(StorageKind::kNumber)));
  for (int f : expected) {
    std::string why;
    EXPECT_TRUE(ColumnMatchesRecords(*block, f, &why)) << why;
  }
  EXPECT_TRUE(block->column(Field("Name"))->IsNull(2));
  EXPECT_TRUE(block->column(Field("Rating__c"))->IsNull(3));
}

TEST_F(ColumnBlockTest, TextColumnsKeepRepeatedEmptyAndDistinctTexts) {
  // Repeats, the empty text beside null, prefixes of one another, an embedded NUL, UTF-8 and a
  // long text: each row reads back exactly its record's text.
  const std::vector<std::optional<std::string>> texts = {"x",
                                                         "",
                                                         std::nullopt,
                                                         "x",
                                                         "xy",
                                                         std::string("x\0y", 3),
                                                         "",
                                                         "Z\xC3\xBCrich",
                                                         std::string(1000, 'q'),
                                                         std::nullopt,
                                                         "xy",
                                                         "X"};
  const Slot& name = *layout_->SlotForField("Name");
  RecordBuilder b(layout_);
  std::vector<RecordPtr> rows;
  for (size_t i = 0; i < texts.size(); ++i) {
    b.SetId(*layout_->SlotForField("Id"), Id(IdText("001", static_cast<int>(i) + 1)));
    if (texts[i].has_value()) b.SetString(name, *texts[i]);
    rows.push_back(b.Finish());
  }
  std::unique_ptr<const ColumnBlock> block =
      ColumnBlock::Build(*layout_, rows.data(), rows.size(), {Field("Name"), Field("Id")});
  const Column& column = *block->column(Field("Name"));
  for (size_t row = 0; row < texts.size(); ++row) {
    EXPECT_EQ(column.IsNull(row), !texts[row].has_value()) << row;
    if (texts[row].has_value()) {
      EXPECT_EQ(column.Get<std::string_view>(row), *texts[row]) << row;
    }
  }
  EXPECT_TRUE(NullRowsReadAsZero(column, block->size()));

  // A text column in which every row is null.
  std::vector<RecordPtr> nulls;
  for (int i = 1; i <= 3; ++i) {
    b.SetId(*layout_->SlotForField("Id"), Id(IdText("001", i)));
    nulls.push_back(b.Finish());
  }
  std::unique_ptr<const ColumnBlock> all_null =
      ColumnBlock::Build(*layout_, nulls.data(), nulls.size(), {Field("Name")});
  for (size_t row = 0; row < nulls.size(); ++row) {
    EXPECT_TRUE(all_null->column(Field("Name"))->IsNull(row));
  }
  EXPECT_TRUE(NullRowsReadAsZero(*all_null->column(Field("Name")), all_null->size()));
}

TEST_F(ColumnBlockTest, CoversWhatItHasAndWhatItWouldNotCopy) {
  auto narrow = RecordLayout::Build(
      schema_, account_, {Field("Id"), Field("Name"), Field("Rating__c"), Field("AnnualRevenue")});
  RecordBuilder b(narrow);
  b.SetId(*narrow->SlotForField("Id"), Id(IdText("001", 1)));
  std::vector<RecordPtr> rows = {b.Finish()};
  std::unique_ptr<const ColumnBlock> block =
      ColumnBlock::Build(*narrow, rows.data(), rows.size(), {Field("Name"), Field("Rating__c")});
  EXPECT_TRUE(block->Covers({}));
  EXPECT_TRUE(block->Covers({Field("Name")}));
  EXPECT_TRUE(block->Covers({Field("Rating__c"), Field("Name"), Field("Name")}));
  // Not in the layout, or kNone: a block would never copy them, so it covers them.
  EXPECT_TRUE(block->Covers({Field("Industry"), Field("BillingAddress")}));
  EXPECT_TRUE(block->Covers({Field("Name"), Field("Industry")}));
  // Stored but without a column.
  EXPECT_FALSE(block->Covers({Field("AnnualRevenue")}));
  EXPECT_FALSE(block->Covers({Field("Name"), Field("AnnualRevenue")}));
  EXPECT_FALSE(block->Covers({Field("Id")}));
}

TEST_F(ColumnBlockTest, EmptyBlockHasNoRowsAndItsColumns) {
  const std::vector<RecordPtr> none;
  const std::vector<int> all = AllFieldIndexes(account());
  std::unique_ptr<const ColumnBlock> block = ColumnBlock::Build(*layout_, none.data(), 0, all);
  EXPECT_EQ(block->size(), 0u);
  EXPECT_EQ(block->column_bytes(), 0u);
  EXPECT_EQ(&block->layout(), layout_.get());
  EXPECT_TRUE(block->Covers(all));
  std::vector<int> stored;
  for (int f : all) {
    const Slot* s = layout_->SlotForField(f);
    if (s != nullptr && s->kind != StorageKind::kNone) stored.push_back(f);
  }
  EXPECT_EQ(block->field_indexes(), stored);
  ASSERT_NE(block->column(Field("Name")), nullptr);
  EXPECT_EQ(block->column(Field("Name"))->kind(), StorageKind::kString);
}

// ---------------------------------------------------------------------------------------------
// ChunkColumnsTest

class ChunkColumnsTest : public ::testing::Test {
 protected:
  static constexpr int kAccounts = 300;

  ChunkColumnsTest() : schema_(MakeStateSchema(1)), cache_(std::make_unique<RecordCache>(schema_)) {
    account_ = schema_->IndexOf("Account");
    contact_ = schema_->IndexOf("Contact");
    const Object& o = schema_->object(account_);
    name_ = o.FieldIndex("Name");
    rating_ = o.FieldIndex("Rating__c");
    industry_ = o.FieldIndex("Industry");
  }

  // Account n, named `name`, Rating__c n (null for every 7th), Industry by n.
  RecordPtr Account(int n, std::string_view name) const {
    const auto& layout = cache_->layout(account_);
    RecordBuilder b(layout);
    b.SetId(*layout->SlotForField("Id"), Id(IdText("001", n)));
    b.SetString(*layout->SlotForField("Name"), name);
    if (n % 7 != 0) b.SetNumber(*layout->SlotForField("Rating__c"), Decimal::FromInt(n));
    if (n % 5 != 0) b.SetPicklist(*layout->SlotForField("Industry"), n % 2 ? "Energy" : "Media");
    return b.Finish();
  }

  void FillAccounts() {
    std::vector<RecordPtr> records;
    for (int n = 1; n <= kAccounts; ++n) records.push_back(Account(n, "a" + std::to_string(n)));
    ASSERT_TRUE(cache_->Apply(account_, {}, records).ok());
  }

  // True if `block` is the columnar form of `chunk`: its rows are the chunk's records in order
  // and each of `fields` has a column that matches them. Else false with the reason in *why.
  static bool IsFormOf(const ColumnBlock& block, OwnedRecordSpan chunk,
                       const std::vector<int>& fields, std::string* why) {
    if (block.size() != chunk.size) {
      *why = "size " + std::to_string(block.size()) + " != " + std::to_string(chunk.size);
      return false;
    }
    for (size_t row = 0; row < chunk.size; ++row) {
      if (block.record(row) != chunk.data[row].get()) {
        *why = "row " + std::to_string(row) + " is another record";
        return false;
      }
    }
    for (int f : fields) {
      if (!ColumnMatchesRecords(block, f, why)) return false;
    }
    return true;
  }

  // The chunk of `snap` holding account n, or kShards.
  size_t ChunkOf(const RecordSnapshot& snap, int n) const {
    const SfId id = Id(IdText("001", n));
    for (size_t c = 0; c < snap.ChunkCount(account_); ++c) {
      for (const RecordPtr& r : snap.Chunk(account_, c)) {
        if (*r->id() == id) return c;
      }
    }
    return RecordSnapshot::kShards;
  }

  std::shared_ptr<const Schema> schema_;
  std::unique_ptr<RecordCache> cache_;
  int account_ = -1, contact_ = -1, name_ = -1, rating_ = -1, industry_ = -1;
};

TEST_F(ChunkColumnsTest, SecondRequestReturnsTheSameBlock) {
  FillAccounts();
  RecordSnapshotPtr snap = cache_->Snapshot();
  size_t rows = 0, blocks = 0;
  for (size_t c = 0; c < snap->ChunkCount(account_); ++c) {
    std::shared_ptr<const ColumnBlock> first = snap->ChunkColumns(account_, c, {name_});
    if (snap->Chunk(account_, c).size == 0) {
      EXPECT_EQ(first, nullptr) << c;
      continue;
    }
    ASSERT_NE(first, nullptr) << c;
    std::string why;
    EXPECT_TRUE(IsFormOf(*first, snap->Chunk(account_, c), {name_}, &why)) << c << ": " << why;
    EXPECT_EQ(snap->ChunkColumns(account_, c, {name_}).get(), first.get()) << c;
    EXPECT_EQ(snap->ChunkColumns(account_, c, {}).get(), first.get()) << c;
    // Another snapshot of the same, unchanged state shares the chunk and so the block.
    EXPECT_EQ(cache_->Snapshot()->ChunkColumns(account_, c, {name_}).get(), first.get()) << c;
    rows += first->size();
    ++blocks;
  }
  EXPECT_EQ(rows, static_cast<size_t>(kAccounts));
  EXPECT_GT(blocks, RecordSnapshot::kShards / 2);
}

TEST_F(ChunkColumnsTest, RequestForAnExtraFieldReturnsABlockCoveringBoth) {
  FillAccounts();
  RecordSnapshotPtr snap = cache_->Snapshot();
  for (size_t c = 0; c < snap->ChunkCount(account_); ++c) {
    if (snap->Chunk(account_, c).size == 0) continue;
    std::shared_ptr<const ColumnBlock> names = snap->ChunkColumns(account_, c, {name_});
    ASSERT_NE(names, nullptr);
    std::shared_ptr<const ColumnBlock> both = snap->ChunkColumns(account_, c, {rating_});
    ASSERT_NE(both, nullptr);
    EXPECT_NE(both.get(), names.get()) << c;
    EXPECT_TRUE(both->Covers({name_, rating_})) << c;
    std::string why;
    EXPECT_TRUE(IsFormOf(*both, snap->Chunk(account_, c), {name_, rating_}, &why)) << why;
    // The earlier block is unchanged and still readable.
    EXPECT_EQ(names->field_indexes(), std::vector<int>{name_});
    EXPECT_TRUE(IsFormOf(*names, snap->Chunk(account_, c), {name_}, &why)) << why;
    // The union is kept: asking for either field again returns it.
    EXPECT_EQ(snap->ChunkColumns(account_, c, {name_}).get(), both.get());
    EXPECT_EQ(snap->ChunkColumns(account_, c, {rating_, name_}).get(), both.get());
    std::shared_ptr<const ColumnBlock> three = snap->ChunkColumns(account_, c, {industry_});
    EXPECT_TRUE(three->Covers({name_, rating_, industry_}));
  }
}

TEST_F(ChunkColumnsTest, ApplyRebuildsOnlyTheTouchedChunk) {
  FillAccounts();
  const std::vector<int> fields = {name_, rating_};
  RecordSnapshotPtr before = cache_->Snapshot();
  std::vector<std::shared_ptr<const ColumnBlock>> old_blocks;
  for (size_t c = 0; c < before->ChunkCount(account_); ++c) {
    old_blocks.push_back(before->ChunkColumns(account_, c, fields));
  }
  constexpr int kTouched = 42;
  const size_t touched = ChunkOf(*before, kTouched);
  ASSERT_LT(touched, RecordSnapshot::kShards);
  ASSERT_TRUE(cache_->Apply(account_, {}, {Account(kTouched, "renamed")}).ok());
  RecordSnapshotPtr after = cache_->Snapshot();
  ASSERT_EQ(ChunkOf(*after, kTouched), touched);

  const Slot& name_slot = *cache_->layout(account_)->SlotForField(name_);
  for (size_t c = 0; c < after->ChunkCount(account_); ++c) {
    std::shared_ptr<const ColumnBlock> now = after->ChunkColumns(account_, c, fields);
    if (c != touched) {
      EXPECT_EQ(now.get(), old_blocks[c].get()) << "untouched chunk " << c;
      continue;
    }
    ASSERT_NE(now, nullptr);
    ASSERT_NE(old_blocks[c], nullptr);
    EXPECT_NE(now.get(), old_blocks[c].get());
    std::string why;
    EXPECT_TRUE(IsFormOf(*now, after->Chunk(account_, c), fields, &why)) << why;
    EXPECT_TRUE(IsFormOf(*old_blocks[c], before->Chunk(account_, c), fields, &why)) << why;
    // The changed record reads its new name in the new block, its old one in the old block.
    const SfId id = Id(IdText("001", kTouched));
    int new_hits = 0, old_hits = 0;
    for (size_t row = 0; row < now->size(); ++row) {
      if (*now->record(row)->id() != id) continue;
      EXPECT_EQ(now->column(name_)->Get<std::string_view>(row), "renamed");
      EXPECT_EQ(now->record(row)->GetString(name_slot), "renamed");
      ++new_hits;
    }
    for (size_t row = 0; row < old_blocks[c]->size(); ++row) {
      if (*old_blocks[c]->record(row)->id() != id) continue;
      EXPECT_EQ(old_blocks[c]->column(name_)->Get<std::string_view>(row),
                "a" + std::to_string(kTouched));
      ++old_hits;
    }
    EXPECT_EQ(new_hits, 1);
    EXPECT_EQ(old_hits, 1);
    // The old snapshot still hands out its own block.
    EXPECT_EQ(before->ChunkColumns(account_, c, fields).get(), old_blocks[c].get());
  }
}

TEST_F(ChunkColumnsTest, BlockOutlivesItsSnapshotAndTheCache) {
  FillAccounts();
  RecordSnapshotPtr snap = cache_->Snapshot();
  std::vector<std::shared_ptr<const ColumnBlock>> blocks;
  std::vector<std::vector<std::string>> names;  // copies, per block and row
  for (size_t c = 0; c < snap->ChunkCount(account_); ++c) {
    std::shared_ptr<const ColumnBlock> b = snap->ChunkColumns(account_, c, {name_, rating_});
    if (b == nullptr) continue;
    std::vector<std::string> n;
    for (size_t row = 0; row < b->size(); ++row) {
      n.emplace_back(b->column(name_)->Get<std::string_view>(row));
    }
    blocks.push_back(std::move(b));
    names.push_back(std::move(n));
  }
  ASSERT_FALSE(blocks.empty());
  // Replace every record, then drop the snapshot and the cache: the blocks alone keep their
  // columns and records alive (AddressSanitizer reports any use after free).
  std::vector<RecordPtr> replacement;
  for (int n = 1; n <= 3; ++n) replacement.push_back(Account(n, "new"));
  ASSERT_TRUE(cache_->Replace(account_, replacement).ok());
  snap.reset();
  cache_.reset();
  size_t rows = 0;
  for (size_t i = 0; i < blocks.size(); ++i) {
    std::string why;
    EXPECT_TRUE(ColumnMatchesRecords(*blocks[i], name_, &why)) << why;
    EXPECT_TRUE(ColumnMatchesRecords(*blocks[i], rating_, &why)) << why;
    for (size_t row = 0; row < blocks[i]->size(); ++row) {
      EXPECT_EQ(blocks[i]->column(name_)->Get<std::string_view>(row), names[i][row]);
      EXPECT_NE(blocks[i]->record(row)->id(), nullptr);
      ++rows;
    }
  }
  EXPECT_EQ(rows, static_cast<size_t>(kAccounts));
}

TEST_F(ChunkColumnsTest, NullForEmptyAndInvalidChunks) {
  FillAccounts();
  RecordSnapshotPtr snap = cache_->Snapshot();
  ASSERT_EQ(snap->Count(contact_), 0u);
  for (size_t c = 0; c < snap->ChunkCount(contact_); ++c) {
    EXPECT_EQ(snap->ChunkColumns(contact_, c, {0}), nullptr) << c;
  }
  for (size_t c = 0; c < snap->ChunkCount(account_); ++c) {
    if (snap->Chunk(account_, c).size == 0) {
      EXPECT_EQ(snap->ChunkColumns(account_, c, {name_}), nullptr) << c;
    }
  }
  EXPECT_EQ(snap->ChunkColumns(-1, 0, {name_}), nullptr);
  EXPECT_EQ(snap->ChunkColumns(schema_->size(), 0, {name_}), nullptr);
  EXPECT_EQ(snap->ChunkColumns(account_, RecordSnapshot::kShards, {name_}), nullptr);
  EXPECT_EQ(snap->ChunkColumns(account_, static_cast<size_t>(-1), {name_}), nullptr);
  // An empty cache: every chunk is empty.
  RecordCache empty(schema_);
  for (size_t c = 0; c < RecordSnapshot::kShards; ++c) {
    EXPECT_EQ(empty.Snapshot()->ChunkColumns(account_, c, {name_}), nullptr) << c;
  }
}

TEST_F(ChunkColumnsTest, ConcurrentRequestsGetOneConsistentBlockEach) {
  FillAccounts();
  constexpr int kThreads = 4;
  constexpr int kRounds = 25;
  const std::vector<std::vector<int>> field_sets = {
      {name_}, {rating_}, {industry_}, {name_, rating_}, {rating_, industry_}, {}};
  RecordSnapshotPtr snap = cache_->Snapshot();
  const size_t chunks = snap->ChunkCount(account_);

  // Phase 1, on chunks no scan has asked for yet: all threads ask for the same fields at once
  // and must all get the one block built.
  std::vector<std::vector<const ColumnBlock*>> seen(kThreads,
                                                    std::vector<const ColumnBlock*>(chunks));
  std::vector<std::vector<std::shared_ptr<const ColumnBlock>>> held(kThreads);
  std::atomic<int> ready{0};
  std::atomic<int> failures{0};
  std::vector<std::string> first_failure(kThreads);
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        ready.fetch_add(1);
        while (ready.load() < kThreads) std::this_thread::yield();
        for (size_t c = 0; c < chunks; ++c) {
          std::shared_ptr<const ColumnBlock> b = snap->ChunkColumns(account_, c, {name_});
          seen[t][c] = b.get();
          held[t].push_back(std::move(b));
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  for (size_t c = 0; c < chunks; ++c) {
    for (int t = 1; t < kThreads; ++t) EXPECT_EQ(seen[t][c], seen[0][c]) << "chunk " << c;
  }

  // Phase 2: each thread asks for changing field sets (forcing rebuilds while other threads
  // read the blocks they got) and checks each block it gets against the chunk.
  {
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int round = 0; round < kRounds; ++round) {
          for (size_t c = 0; c < chunks; ++c) {
            const std::vector<int>& fields =
                field_sets[(static_cast<size_t>(t + round) + c) % field_sets.size()];
            std::shared_ptr<const ColumnBlock> b = snap->ChunkColumns(account_, c, fields);
            std::string why;
            const OwnedRecordSpan chunk = snap->Chunk(account_, c);
            bool ok = chunk.size == 0 ? b == nullptr
                                      : b != nullptr && b->Covers(fields) &&
                                            IsFormOf(*b, chunk, b->field_indexes(), &why);
            if (!ok && failures.fetch_add(1) == 0) {
              first_failure[t] = "thread " + std::to_string(t) + " chunk " + std::to_string(c) +
                                 ": " + (why.empty() ? "null or not covering" : why);
            }
          }
        }
      });
    }
    for (std::thread& th : threads) th.join();
  }
  EXPECT_EQ(failures.load(), 0);
  for (const std::string& f : first_failure) {
    if (!f.empty()) ADD_FAILURE() << f;
  }
  // Afterwards each non-empty chunk keeps one block with the union of every field asked for.
  for (size_t c = 0; c < chunks; ++c) {
    if (snap->Chunk(account_, c).size == 0) continue;
    std::shared_ptr<const ColumnBlock> b = snap->ChunkColumns(account_, c, {});
    ASSERT_NE(b, nullptr);
    EXPECT_TRUE(b->Covers({name_, rating_, industry_})) << c;
    EXPECT_EQ(snap->ChunkColumns(account_, c, {name_, rating_, industry_}).get(), b.get()) << c;
  }
  // The blocks held from phase 1 are still what they were.
  for (size_t c = 0; c < chunks; ++c) {
    if (held[0][c] == nullptr) continue;
    std::string why;
    EXPECT_TRUE(IsFormOf(*held[0][c], snap->Chunk(account_, c), {name_}, &why)) << why;
  }
}

}  // namespace
}  // namespace cf::engine

// ---------------------------------------------------------------------------------------------
// ColumnDifferentialTest

namespace cf::test_support {
namespace {

using engine::ColumnBlock;
using engine::RecordPtr;
using engine::StorageKind;
using engine::Tri;

constexpr uint64_t kDefaultSeed = 20241130;  // the differential test's
constexpr size_t kDefaultPairs = 100000;

// A text literal of the condition language: single-quoted, escapes for \ ' and controls.
std::string Quote(std::string_view s) {
  std::string out = "'";
  for (char ch : s) {
    switch (ch) {
      case '\\':
        out += "\\\\";
        break;
      case '\'':
        out += "\\'";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += ch;
    }
  }
  return out + "'";
}

// Compares evaluation on (block, row) with evaluation on roots[], over a DifferentialWorld.
class ColumnDifferential {
 public:
  explicit ColumnDifferential(uint64_t seed) : world_(seed), rng_(seed ^ 0x5851f42d4c957f2dULL) {
    const engine::Environment& env = world_.env();
    rows_.resize(env.roots().size());
    all_blocks_.resize(env.roots().size());
    none_blocks_.resize(env.roots().size());
    // Event records live in the world and are reachable only through bindings: collect them
    // (in the order first seen, so that the test is deterministic from its seed) and hold them
    // by non-owning RecordPtrs (the world outlives every block built here).
    std::vector<std::vector<const engine::Record*>> events(env.roots().size());
    for (int i = 0; i < 2000; ++i) {
      DifferentialBinding b = world_.RandomBinding(&rng_);
      for (size_t r = 0; r < b.roots.size(); ++r) {
        const engine::Record* e = b.roots[r];
        if (world_.schema().object(env.roots()[r].object_index).is_event && e != nullptr &&
            std::find(events[r].begin(), events[r].end(), e) == events[r].end()) {
          events[r].push_back(e);
        }
      }
    }
    for (size_t r = 0; r < env.roots().size(); ++r) {
      const int oi = env.roots()[r].object_index;
      const engine::Object& o = world_.schema().object(oi);
      if (o.is_event) {
        for (const engine::Record* e : events[r]) rows_[r].push_back(RecordPtr(RecordPtr(), e));
      } else {
        rows_[r] = world_.store().records(oi);
      }
      std::vector<int> all;
      for (size_t f = 0; f < o.fields.size(); ++f) all.push_back(static_cast<int>(f));
      all_blocks_[r] = Build(static_cast<int>(r), all);
      none_blocks_[r] = Build(static_cast<int>(r), {});
    }
  }

  const DifferentialWorld& world() const { return world_; }
  const std::vector<RecordPtr>& rows(int root) const { return rows_[root]; }

  std::unique_ptr<const ColumnBlock> Build(int root, const std::vector<int>& fields) const {
    const int oi = world_.env().roots()[root].object_index;
    const std::vector<RecordPtr>& rows = rows_[root];
    return ColumnBlock::Build(*world_.env().layout(oi), rows.data(), rows.size(), fields);
  }

  struct Totals {
    size_t pairs = 0;          // (condition, row) pairs, each checked on three blocks
    size_t disagreements = 0;  // block evaluations that differ from the roots[] one
    std::map<Tri, size_t> outcomes;
    std::vector<std::string> reports;  // the first few disagreements, explained
  };

  // Checks `condition` (compiled from `text`) on every row of each root it reads (Account if
  // none), each time with the other roots, the time frame and the RecordSource of a fresh
  // random binding.
  void Check(const std::string& text, const engine::CompiledCondition& condition, Totals* totals) {
    std::vector<int> roots = condition.referenced_roots();
    if (roots.empty()) roots.push_back(world_.env().FindRoot("Account"));
    for (int root : roots) {
      const std::vector<RecordPtr>& rows = rows_[root];
      if (rows.empty()) continue;
      const int oi = world_.env().roots()[root].object_index;
      std::vector<int> referenced;
      for (const auto& [object, field] : condition.referenced_fields()) {
        if (object == oi) referenced.push_back(field);
      }
      std::unique_ptr<const ColumnBlock> some = Build(root, referenced);
      if (!some->Covers(referenced)) {
        ++totals->disagreements;
        totals->reports.push_back("block of the referenced fields does not cover them: " + text);
      }
      const struct {
        const char* name;
        const ColumnBlock* block;
      } blocks[] = {{"all fields", all_blocks_[root].get()},
                    {"referenced fields", some.get()},
                    {"no fields", none_blocks_[root].get()}};
      for (uint32_t row = 0; row < rows.size(); ++row) {
        DifferentialBinding b = world_.RandomBinding(&rng_);
        b.roots[root] = rows[row].get();
        const Tri expected = condition.Evaluate(b.Context(&world_.store(), &scratch_));
        ++totals->pairs;
        ++totals->outcomes[expected];
        // roots[root] must not be read: bind another record (or none) there.
        const engine::Record* decoy = row % 3 == 0 ? nullptr : rows[(row + 1) % rows.size()].get();
        for (const auto& [name, block] : blocks) {
          DifferentialBinding scan = b;
          scan.roots[root] = decoy;
          engine::EvalContext ctx = scan.Context(&world_.store(), &scratch_);
          ctx.columns = block;
          ctx.columns_root = root;
          ctx.row = row;
          const Tri actual = condition.Evaluate(ctx);
          if (actual == expected) continue;
          if (totals->disagreements++ < 10) {
            totals->reports.push_back("  condition: " + text +
                                      "\n  scan root: " + world_.env().roots()[root].name +
                                      ", block of " + name + ", row " + std::to_string(row) +
                                      "\n  record:    " + DescribeRecord(*rows[row]) +
                                      "\n  roots[] binding: " + world_.Describe(b) +
                                      "\n  on roots[]: " + engine::TriName(expected) +
                                      "   on (block, row): " + engine::TriName(actual) + "\n");
          }
        }
      }
    }
  }

 private:
  DifferentialWorld world_;
  std::mt19937_64 rng_;
  engine::EvalScratch scratch_;
  std::vector<std::vector<RecordPtr>> rows_;  // by root: the records a scan of it reads
  std::vector<std::unique_ptr<const ColumnBlock>> all_blocks_;
  std::vector<std::unique_ptr<const ColumnBlock>> none_blocks_;
};

void PrintTotals(const char* what, const ColumnDifferential::Totals& t) {
  auto count = [&t](Tri v) { return t.outcomes.count(v) != 0 ? t.outcomes.at(v) : size_t{0}; };
  std::printf(
      "%s: %zu (condition, row) pairs, each on 3 blocks; %zu disagreements; "
      "TRUE %zu, FALSE %zu, NULL %zu\n",
      what, t.pairs, t.disagreements, count(Tri::kTrue), count(Tri::kFalse), count(Tri::kUnknown));
  for (const std::string& r : t.reports) std::printf("%s: disagreement\n%s", what, r.c_str());
}

TEST(ColumnDifferentialTest, RandomConditionsAgreeOnBlockRowsAndRoots) {
  const uint64_t seed = EnvNumber("CF_DIFFERENTIAL_SEED", kDefaultSeed);
  const size_t target_pairs = EnvNumber("CF_COLUMN_DIFFERENTIAL_PAIRS", kDefaultPairs);
  ColumnDifferential d(seed);
  RandomConditionGenerator generator(d.world().env(), d.world().domains(), seed);
  ColumnDifferential::Totals totals;
  size_t generated = 0, compiled = 0;
  const size_t max_generated = target_pairs + 100;  // every condition gives at least one pair
  while (totals.pairs < target_pairs && generated < max_generated) {
    const std::string text = generator.Next();
    ++generated;
    engine::CompileResult result = engine::CompileCondition(text, d.world().env());
    if (!result.ok()) continue;
    ++compiled;
    d.Check(text, *result.condition, &totals);
  }
  std::printf("column differential: seed %llu, %zu conditions generated, %zu compiled\n",
              static_cast<unsigned long long>(seed), generated, compiled);
  PrintTotals("column differential (random)", totals);
  EXPECT_GE(totals.pairs, target_pairs);
  EXPECT_EQ(totals.disagreements, 0u);
  EXPECT_GT(totals.outcomes[Tri::kTrue], totals.pairs / 20);
  EXPECT_GT(totals.outcomes[Tri::kFalse], totals.pairs / 20);
  EXPECT_GT(totals.outcomes[Tri::kUnknown], totals.pairs / 50);
}

// Conditions of one root of the shapes the compiler fuses (condition_compiler.cc: a root field
// op a constant, on either side; picklist =, !=, IN, NOT IN, with and without null, and
// = / != chains it merges into one set), over every stored field of the root's object, with
// constants taken from the records so that equality often holds; plus IS NULL, a boolean field
// alone, INCLUDES on a multi-select picklist and a time against a time (no time literals
// exist), which read the record rather than the columns.
std::vector<std::string> FusedLeaves(const ColumnDifferential& d, int root, std::mt19937_64* rng) {
  static const char* const kOps[] = {"=", "!=", "<", "<=", ">", ">="};
  const engine::Environment& env = d.world().env();
  const std::string& rn = env.roots()[root].name;
  const int oi = env.roots()[root].object_index;
  const engine::Object& o = d.world().schema().object(oi);
  const engine::RecordLayout& layout = *env.layout(oi);
  const std::vector<RecordPtr>& rows = d.rows(root);
  std::vector<std::string> leaves;
  if (rows.empty()) return leaves;
  // A random record in which `s` is not null, or nullptr.
  auto holder = [&](const engine::Slot& s) -> const engine::Record* {
    for (int tries = 0; tries < 40; ++tries) {
      const engine::Record* r =
          rows[std::uniform_int_distribution<size_t>(0, rows.size() - 1)(*rng)].get();
      if (!r->IsNull(s)) return r;
    }
    return nullptr;
  };
  std::vector<std::string> time_paths;
  for (size_t fi = 0; fi < o.fields.size(); ++fi) {
    const engine::Field& f = o.fields[fi];
    const engine::Slot* s = layout.SlotForField(static_cast<int>(fi));
    if (s == nullptr) continue;
    const std::string path = rn + "." + f.name;
    leaves.push_back(path + " = null");
    // Constants of the field's kind, from two records; `ordered` when < > apply.
    std::vector<std::string> constants;
    bool ordered = true;
    for (int k = 0; k < 2; ++k) {
      const engine::Record* r = holder(*s);
      if (r == nullptr) break;
      switch (s->kind) {
        case StorageKind::kNumber:
          constants.push_back(r->GetNumber(*s).ToString());
          break;
        case StorageKind::kString:
          if (f.type != engine::FieldType::kMultiPicklist) {
            constants.push_back(Quote(r->GetString(*s)));
          }
          break;
        case StorageKind::kId:
          constants.push_back(Quote(k == 0 ? r->GetId(*s).To15() : r->GetId(*s).To18()));
          ordered = false;
          break;
        case StorageKind::kDate:
          constants.push_back(engine::FormatIsoDate(r->GetDate(*s)));
          break;
        case StorageKind::kDateTime:
          constants.push_back(engine::FormatIsoDateTime(r->GetDateTime(*s)));
          break;
        default:
          break;
      }
    }
    for (const std::string& c : constants) {
      for (const char* op : kOps) {
        if (!ordered && op != std::string_view("=") && op != std::string_view("!=")) continue;
        leaves.push_back(path + " " + op + " " + c);
      }
      leaves.push_back(c + (ordered ? " < " : " != ") + path);  // constant on the left
    }
    switch (s->kind) {
      case StorageKind::kPicklist: {
        const auto& values = f.picklist_values;
        auto pick = [&] {
          return Quote(
              values[std::uniform_int_distribution<size_t>(0, values.size() - 1)(*rng)].value);
        };
        const std::string a = pick(), b = pick();
        std::string every;
        for (const auto& v : values) every += (every.empty() ? "" : ", ") + Quote(v.value);
        for (const std::string& leaf :
             {path + " = " + a, path + " != " + b, a + " = " + path,
              path + " IN (" + a + ", " + b + ")", path + " IN (" + a + ", null)",
              path + " NOT IN (" + a + ", " + b + ")", path + " NOT IN (" + b + ", null)",
              path + " IN (" + every + ")", path + " NOT IN (" + every + ", null)",
              "(" + path + " = " + a + " OR " + path + " = " + b + ")",
              "(" + path + " != " + a + " AND " + path + " != " + b + ")"}) {
          leaves.push_back(leaf);
        }
        break;
      }
      case StorageKind::kString:
        if (f.type == engine::FieldType::kMultiPicklist && !f.picklist_values.empty()) {
          leaves.push_back("INCLUDES(" + path + ", " + Quote(f.picklist_values[0].value) + ")");
        }
        break;
      case StorageKind::kBool:
        leaves.push_back(path);
        leaves.push_back(path + " = true");
        leaves.push_back(path + " != false");
        leaves.push_back("NOT " + path);
        break;
      case StorageKind::kTime:
        time_paths.push_back(path);
        break;
      default:
        break;
    }
  }
  for (const std::string& a : time_paths) {
    for (const std::string& b : time_paths) leaves.push_back(a + " <= " + b);
  }
  return leaves;
}

// A sub-condition on `root` that is not fused: a function or a lookup through the source.
std::string UnfusedPart(const ColumnDifferential& d, int root, std::mt19937_64* rng) {
  const engine::Environment& env = d.world().env();
  const std::string& rn = env.roots()[root].name;
  const engine::Object& o = d.world().schema().object(env.roots()[root].object_index);
  std::vector<std::string> parts = {"NOT ISNULL(" + rn + ".Id)"};
  for (const engine::Field& f : o.fields) {
    if (!f.relationship_name.empty()) {
      parts.push_back(rn + "." + f.relationship_name + ".Id != null");
    }
    if (f.type == engine::FieldType::kString) parts.push_back("ISBLANK(" + rn + "." + f.name + ")");
  }
  return parts[std::uniform_int_distribution<size_t>(0, parts.size() - 1)(*rng)];
}

TEST(ColumnDifferentialTest, FusedShapesOverEveryFieldKindAgreeOnBlockRowsAndRoots) {
  const uint64_t seed = EnvNumber("CF_DIFFERENTIAL_SEED", kDefaultSeed);
  ColumnDifferential d(seed);
  std::mt19937_64 rng(seed + 1);
  const engine::Environment& env = d.world().env();
  std::vector<int> scanned;  // the non-event roots (events have dotted field names)
  for (size_t r = 0; r < env.roots().size(); ++r) {
    if (!d.world().schema().object(env.roots()[r].object_index).is_event) {
      scanned.push_back(static_cast<int>(r));
    }
  }
  ASSERT_EQ(scanned.size(), 4u);
  std::vector<std::vector<std::string>> leaves;
  for (int r : scanned) leaves.push_back(FusedLeaves(d, r, &rng));

  std::vector<std::string> conditions;
  auto pick = [&](const std::vector<std::string>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  };
  for (size_t i = 0; i < scanned.size(); ++i) {
    ASSERT_GT(leaves[i].size(), 10u);
    for (const std::string& leaf : leaves[i]) conditions.push_back(leaf);
    // AND / OR of 2 to 5 leaves on one root (one FusedLogicNode), sometimes negated, sometimes
    // with an unfused part or a leaf of another root beside them.
    for (int k = 0; k < 250; ++k) {
      const bool is_and = rng() % 2 == 0;
      const int n = 2 + static_cast<int>(rng() % 4);
      std::string text;
      for (int j = 0; j < n; ++j) {
        text += (j == 0 ? "" : is_and ? " AND " : " OR ") + pick(leaves[i]);
      }
      switch (rng() % 5) {
        case 0:
          text = "NOT (" + text + ")";
          break;
        case 1:
          text += (is_and ? " AND " : " OR ") + UnfusedPart(d, scanned[i], &rng);
          break;
        case 2: {
          const size_t other = rng() % scanned.size();
          text = "(" + text + ")" + (is_and ? " OR " : " AND ") + pick(leaves[other]);
          break;
        }
        default:
          break;
      }
      conditions.push_back(text);
    }
  }

  ColumnDifferential::Totals totals;
  size_t compile_failures = 0;
  for (const std::string& text : conditions) {
    engine::CompileResult result = engine::CompileCondition(text, env);
    if (!result.ok()) {
      if (compile_failures++ < 5) {
        ADD_FAILURE() << "hand-written condition does not compile:\n"
                      << grammar::FormatDiagnostics({"<fused>", text}, result.diagnostics);
      }
      continue;
    }
    d.Check(text, *result.condition, &totals);
  }
  PrintTotals("column differential (fused shapes)", totals);
  std::printf("column differential (fused shapes): %zu conditions, %zu did not compile\n",
              conditions.size(), compile_failures);
  EXPECT_EQ(compile_failures, 0u);
  EXPECT_EQ(totals.disagreements, 0u);
  EXPECT_GT(totals.outcomes[Tri::kTrue], totals.pairs / 20);
  EXPECT_GT(totals.outcomes[Tri::kFalse], totals.pairs / 20);
  EXPECT_GT(totals.outcomes[Tri::kUnknown], totals.pairs / 50);
}

// Text = and != (and an order) on a text column, with texts around the 8- and 16-byte word
// boundaries, an embedded NUL and a shared 16-byte prefix, as one leaf (RootFieldConstNode)
// and as an OR of two tests on one root (FusedLogicNode). The expected value is computed here
// from the texts themselves; each must also be what evaluation on roots[] gives.
TEST(ColumnDifferentialTest, TextComparisonsAroundWordBoundaries) {
  using engine::Decimal;
  std::shared_ptr<const engine::Schema> schema = engine::testing::MakeStateSchema(1);
  engine::Environment env(schema);
  const int root = env.AddRoot("Account", "Account");
  const int account = schema->IndexOf("Account");
  const std::shared_ptr<const engine::RecordLayout>& layout = env.layout(account);
  const engine::Slot& name = *layout->SlotForField("Name");

  const std::vector<std::string> texts = {"",
                                          "a",
                                          "abcdefg",
                                          "abcdefgh",
                                          "abcdefghi",
                                          "abcdefghijklmno",
                                          "abcdefghijklmnop",
                                          "abcdefghijklmnoq",
                                          "abcdefghijklmnopq",
                                          "abcdefghijklmnopqrstuvwxyz",
                                          std::string("abcdefgh\0", 9),
                                          std::string("abcdefghijklmnop\0", 17),
                                          "Abcdefgh"};
  std::vector<RecordPtr> rows;
  engine::RecordBuilder b(layout);
  for (size_t i = 0; i <= texts.size(); ++i) {  // the last row's Name is null
    b.SetId(*layout->SlotForField("Id"),
            engine::testing::Id(engine::testing::IdText("001", static_cast<int>(i) + 1)));
    if (i < texts.size()) b.SetString(name, texts[i]);
    rows.push_back(b.Finish());
  }
  std::unique_ptr<const ColumnBlock> block = ColumnBlock::Build(
      *layout, rows.data(), rows.size(), {schema->object(account).FieldIndex("Name")});

  // Constants: every text without a NUL, and a few that no row holds.
  std::vector<std::string> constants = {"abcdefghijklmnoX", "abcdefghijklmnopqr", "b"};
  for (const std::string& t : texts) {
    if (t.find('\0') == std::string::npos) constants.push_back(t);
  }
  const std::string kNoRow = "zz-no-row";
  size_t checked = 0, disagreements = 0;
  std::map<Tri, size_t> outcomes;
  for (const std::string& c : constants) {
    for (const char* op : {"=", "!=", "<", ">="}) {
      const std::string leaf = "Account.Name " + std::string(op) + " " + Quote(c);
      for (const bool with_or : {false, true}) {
        const std::string text = with_or ? leaf + " OR Account.Name = " + Quote(kNoRow) : leaf;
        engine::CompileResult compiled = engine::CompileCondition(text, env);
        ASSERT_TRUE(compiled.ok()) << text;
        for (uint32_t row = 0; row < rows.size(); ++row) {
          Tri expected = Tri::kUnknown;
          if (row < texts.size()) {
            const std::string& v = texts[row];
            const std::string_view o(op);
            const bool r = o == "=" ? v == c : o == "!=" ? v != c : o == "<" ? v < c : v >= c;
            expected = r || (with_or && v == kNoRow) ? Tri::kTrue : Tri::kFalse;
          }
          const engine::Record* bound[] = {rows[row].get()};
          engine::EvalContext on_roots;
          on_roots.roots = bound;
          on_roots.root_count = 1;
          engine::EvalContext on_block;
          on_block.columns = block.get();
          on_block.columns_root = root;
          on_block.row = row;
          const Tri on_records = compiled.condition->Evaluate(on_roots);
          const Tri on_columns = compiled.condition->Evaluate(on_block);
          ++checked;
          ++outcomes[expected];
          if (on_records == expected && on_columns == expected) continue;
          if (disagreements++ < 10) {
            ADD_FAILURE() << text << "  on the row with Name "
                          << (row < texts.size() ? Quote(texts[row]) : "null") << " (" << row
                          << "): expected " << engine::TriName(expected) << ", on roots[] "
                          << engine::TriName(on_records) << ", on (block, row) "
                          << engine::TriName(on_columns);
          }
        }
      }
    }
  }
  EXPECT_EQ(disagreements, 0u);
  EXPECT_GT(outcomes[Tri::kTrue], checked / 10);
  EXPECT_GT(outcomes[Tri::kFalse], checked / 10);
  EXPECT_GT(outcomes[Tri::kUnknown], 0u);
}

}  // namespace
}  // namespace cf::test_support
