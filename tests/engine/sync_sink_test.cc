#include "engine/sync_sink.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <thread>
#include <vector>

#include "engine/record_codec.h"
#include "engine/sqlite_state_store.h"
#include "tests/engine/state_test_support.h"

namespace cf::engine {
namespace {

using testing::Id;
using testing::IdText;
using testing::MakeAccount;
using testing::MakeContact;
using testing::MakeStateSchema;
using testing::TempDir;

class SyncSinkTest : public ::testing::Test {
 protected:
  SyncSinkTest() : schema_(MakeStateSchema(1)) {
    account_ = schema_->IndexOf("Account");
    contact_ = schema_->IndexOf("Contact");
    account_id_field_ = schema_->object(contact_).FieldIndex("AccountId");
    Reopen();
  }

  // A new store and sink on the same file, as after a restart, loaded.
  void Reopen(SqliteStateStore::Options options = {}) {
    sink_.reset();
    store_.reset();
    std::unique_ptr<SqliteStateStore> store;
    Status s = SqliteStateStore::Open(dir_.File("conn.db"), options, &store);
    ASSERT_TRUE(s.ok()) << s.message();
    store_ = std::move(store);
    sink_ = std::make_unique<PersistentRecordSink>(store_, schema_);
    s = sink_->Load(&stats_);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  std::optional<std::string> Cursor(int object_index) {
    std::optional<std::string> cursor;
    Status s = sink_->LoadCursor(object_index, &cursor);
    EXPECT_TRUE(s.ok()) << s.message();
    return cursor;
  }

  const std::shared_ptr<const RecordLayout>& layout(int oi) { return sink_->layout(oi); }

  TempDir dir_;
  std::shared_ptr<const Schema> schema_;
  int account_ = -1, contact_ = -1, account_id_field_ = -1;
  std::shared_ptr<StateStore> store_;
  std::unique_ptr<PersistentRecordSink> sink_;
  PersistentRecordSink::LoadStats stats_;
};

TEST_F(SyncSinkTest, ApplyPublishesRecordsChildrenAndCursor) {
  EXPECT_EQ(Cursor(account_), std::nullopt);
  RecordSnapshotPtr before = sink_->Snapshot();
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  ASSERT_TRUE(sink_->Apply({contact_,
                            {MakeContact(layout(contact_), 2, 1, "Beta"),
                             MakeContact(layout(contact_), 1, 1, "Alpha"),
                             MakeContact(layout(contact_), 3, 0, "Orphan")},
                            {},
                            "con-1"})
                  .ok());
  RecordSnapshotPtr snap = sink_->Snapshot();
  const Record* acme = snap->Find(account_, Id(IdText("001", 1)));
  ASSERT_NE(acme, nullptr);
  EXPECT_EQ(acme->GetString(*layout(account_)->SlotForField("Name")), "Acme");
  EXPECT_EQ(&acme->layout(), layout(account_).get());
  EXPECT_EQ(snap->Find(account_, Id(IdText("001", 2))), nullptr);
  EXPECT_EQ(snap->Count(contact_), 3u);
  RecordSpan kids = snap->Children(contact_, account_id_field_, Id(IdText("001", 1)));
  ASSERT_EQ(kids.size, 2u);  // in Id order
  EXPECT_EQ(kids.data[0]->id()->To15(), IdText("003", 1));
  EXPECT_EQ(kids.data[1]->id()->To15(), IdText("003", 2));
  EXPECT_EQ(Cursor(account_), "acc-1");
  EXPECT_EQ(Cursor(contact_), "con-1");
  // An older snapshot is unchanged.
  EXPECT_EQ(before->Count(account_), 0u);
  EXPECT_EQ(before->Find(account_, Id(IdText("001", 1))), nullptr);
}

TEST_F(SyncSinkTest, DeletesAndUpdatesInLaterBatches) {
  ASSERT_TRUE(sink_->Apply({contact_,
                            {MakeContact(layout(contact_), 1, 1), MakeContact(layout(contact_), 2, 1),
                             MakeContact(layout(contact_), 3, 1)},
                            {},
                            "c1"})
                  .ok());
  // 2 deleted, 3 moves to another account, 1 deleted and undeleted in the same window.
  ASSERT_TRUE(sink_->Apply({contact_,
                            {MakeContact(layout(contact_), 3, 9), MakeContact(layout(contact_), 1, 1, "Back")},
                            {Id(IdText("003", 2)), Id(IdText("003", 1))},
                            std::nullopt})
                  .ok());
  RecordSnapshotPtr snap = sink_->Snapshot();
  EXPECT_EQ(snap->Count(contact_), 2u);
  EXPECT_EQ(snap->Find(contact_, Id(IdText("003", 2))), nullptr);
  ASSERT_NE(snap->Find(contact_, Id(IdText("003", 1))), nullptr);
  EXPECT_EQ(snap->Children(contact_, account_id_field_, Id(IdText("001", 1))).size, 1u);
  EXPECT_EQ(snap->Children(contact_, account_id_field_, Id(IdText("001", 9))).size, 1u);
  EXPECT_EQ(Cursor(contact_), "c1");  // nullopt cursor keeps the stored one
  int64_t stored = 0;
  ASSERT_TRUE(store_->CountRecords("Contact", &stored).ok());
  EXPECT_EQ(stored, 2);
}

TEST_F(SyncSinkTest, RestartResumesCursorAndRecords) {
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  ASSERT_TRUE(sink_->Apply({contact_, {MakeContact(layout(contact_), 1, 1)}, {}, "con-1"}).ok());
  ASSERT_TRUE(sink_->Apply({contact_, {MakeContact(layout(contact_), 2, 1)}, {}, "con-2"}).ok());
  Reopen();
  EXPECT_EQ(stats_.records, 3);
  EXPECT_TRUE(stats_.objects_reset.empty());
  EXPECT_EQ(Cursor(account_), "acc-1");
  EXPECT_EQ(Cursor(contact_), "con-2");
  RecordSnapshotPtr snap = sink_->Snapshot();
  EXPECT_NE(snap->Find(account_, Id(IdText("001", 1))), nullptr);
  EXPECT_EQ(snap->Children(contact_, account_id_field_, Id(IdText("001", 1))).size, 2u);
}

TEST_F(SyncSinkTest, ABadRecordRejectsTheWholeBatch) {
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  RecordBuilder no_id(layout(account_));
  no_id.SetString(*layout(account_)->SlotForField("Name"), "Nameless");
  Status s = sink_->Apply({account_,
                           {MakeAccount(layout(account_), 2), no_id.Finish()},
                           {Id(IdText("001", 1))},
                           "acc-2"});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("record 1 has no Id"), std::string::npos) << s.message();
  // A record of another object, a null record, an unknown object.
  EXPECT_EQ(sink_->Apply({account_, {MakeContact(layout(contact_), 1, 1)}, {}, "x"}).code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(sink_->Apply({account_, {nullptr}, {}, "x"}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(sink_->Apply({7, {}, {}, "x"}).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(sink_->Apply({-1, {}, {}, "x"}).code(), Status::Code::kInvalidArgument);

  RecordSnapshotPtr snap = sink_->Snapshot();
  EXPECT_EQ(snap->Count(account_), 1u);
  EXPECT_NE(snap->Find(account_, Id(IdText("001", 1))), nullptr);
  EXPECT_EQ(Cursor(account_), "acc-1");
  Reopen();
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);
  EXPECT_EQ(Cursor(account_), "acc-1");
}

TEST_F(SyncSinkTest, AStoreFailureChangesNothing) {
  Reopen({50, true});  // short busy timeout
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  // Another process holds the write lock: the batch fails, nothing is published.
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(dir_.File("conn.db").c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  Status s = sink_->Apply({account_, {MakeAccount(layout(account_), 2)}, {}, "acc-2"});
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_EQ(s.code(), Status::Code::kBusy) << s.message();
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);
  EXPECT_EQ(Cursor(account_), "acc-1");
  // Retrying the same batch works.
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 2)}, {}, "acc-2"}).ok());
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 2u);
}

TEST_F(SyncSinkTest, ResetObjectDropsRecordsAndCursorDurably) {
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  ASSERT_TRUE(sink_->Apply({contact_, {MakeContact(layout(contact_), 1, 1)}, {}, "con-1"}).ok());
  ASSERT_TRUE(sink_->ResetObject(contact_).ok());
  EXPECT_EQ(sink_->Snapshot()->Count(contact_), 0u);
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);
  EXPECT_EQ(Cursor(contact_), std::nullopt);
  Reopen();
  EXPECT_EQ(sink_->Snapshot()->Count(contact_), 0u);
  EXPECT_EQ(Cursor(contact_), std::nullopt);
  EXPECT_EQ(Cursor(account_), "acc-1");
  EXPECT_EQ(sink_->ResetObject(42).code(), Status::Code::kInvalidArgument);
}

TEST_F(SyncSinkTest, RecordsOfAnotherLayoutAreConvertedToTheSinks) {
  const Object& account = schema_->object(account_);
  auto narrow = RecordLayout::Build(schema_, account_,
                                    {account.FieldIndex("Name"), account.FieldIndex("Id")});
  RecordPtr r = MakeAccount(narrow, 1, "Narrow");
  ASSERT_TRUE(sink_->Apply({account_, {r}, {}, std::nullopt}).ok());
  const Record* got = sink_->Snapshot()->Find(account_, Id(IdText("001", 1)));
  ASSERT_NE(got, nullptr);
  EXPECT_EQ(&got->layout(), layout(account_).get());
  EXPECT_EQ(got->GetString(*layout(account_)->SlotForField("Name")), "Narrow");
  EXPECT_TRUE(got->IsNull(*layout(account_)->SlotForField("AnnualRevenue")));
}

TEST_F(SyncSinkTest, ASchemaRefreshDecodesStoredRecordsByName) {
  RecordBuilder b(layout(account_));
  const RecordLayout& l = *layout(account_);
  b.SetFromText(*l.SlotForField("Id"), IdText("001", 1));
  b.SetFromText(*l.SlotForField("Name"), "Acme");
  b.SetFromText(*l.SlotForField("AnnualRevenue"), "500000");
  ASSERT_TRUE(sink_->Apply({account_, {b.Finish()}, {}, "acc-1"}).ok());
  sink_.reset();
  auto schema2 = MakeStateSchema(2);
  PersistentRecordSink refreshed(store_, schema2);
  ASSERT_TRUE(refreshed.Load().ok());
  const int account2 = schema2->IndexOf("Account");
  const Record* got = refreshed.Snapshot()->Find(account2, Id(IdText("001", 1)));
  ASSERT_NE(got, nullptr);
  const RecordLayout& l2 = *refreshed.layout(account2);
  EXPECT_EQ(got->GetPicklistText(*l2.SlotForField("Name")), "Acme");
  EXPECT_EQ(got->GetPicklistCode(*l2.SlotForField("Name")), 0u);
  EXPECT_EQ(got->GetNumber(*l2.SlotForField("AnnualRevenue")), Decimal::FromInt(500000));
  EXPECT_TRUE(got->IsNull(*l2.SlotForField("Tier__c")));
}

TEST_F(SyncSinkTest, DamagedStoredRecordsResetTheirObjectOnLoad) {
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  ASSERT_TRUE(sink_->Apply({contact_, {MakeContact(layout(contact_), 1, 1)}, {}, "con-1"}).ok());
  RecordBatch damage;
  damage.upserts.push_back({"Contact", IdText("003", 2), "\x01garbage"});
  ASSERT_TRUE(store_->ApplyRecordBatch(damage).ok());
  Reopen();
  ASSERT_EQ(stats_.objects_reset, std::vector<std::string>{"Contact"});
  EXPECT_EQ(stats_.records, 1);
  EXPECT_EQ(sink_->Snapshot()->Count(contact_), 0u);
  EXPECT_EQ(Cursor(contact_), std::nullopt);  // the next sync reloads Contact fully
  EXPECT_EQ(Cursor(account_), "acc-1");
  int64_t stored = -1;
  ASSERT_TRUE(store_->CountRecords("Contact", &stored).ok());
  EXPECT_EQ(stored, 0);

  // A record stored under the wrong Id is damage too.
  RecordBatch wrong_key;
  wrong_key.upserts.push_back({"Account", IdText("001", 5), EncodeRecord(*MakeAccount(layout(account_), 6))});
  ASSERT_TRUE(store_->ApplyRecordBatch(wrong_key).ok());
  Reopen();
  EXPECT_EQ(stats_.objects_reset, std::vector<std::string>{"Account"});
}

TEST_F(SyncSinkTest, RecordsFromANewerPluginAreNotDropped) {
  std::string bytes = EncodeRecord(*MakeAccount(layout(account_), 1));
  bytes[0] = static_cast<char>(kRecordCodecVersion + 1);
  RecordBatch newer;
  newer.upserts.push_back({"Account", IdText("001", 1), bytes});
  ASSERT_TRUE(store_->ApplyRecordBatch(newer).ok());
  PersistentRecordSink sink(store_, schema_);
  Status s = sink.Load();
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  int64_t stored = -1;
  ASSERT_TRUE(store_->CountRecords("Account", &stored).ok());
  EXPECT_EQ(stored, 1);
}

// Evaluation threads read snapshots while the sync applies batches. Each batch adds one
// Contact under Account 1 and moves its cursor; every snapshot must be internally consistent
// (children of Account 1 == all contacts). Run under TSan too.
TEST_F(SyncSinkTest, ConcurrentReadersWhileBatchesApply) {
  Reopen({5000, false});
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc"}).ok());
  std::atomic<bool> done{false};
  std::atomic<int64_t> checks{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      size_t last = 0;
      while (!done.load()) {
        RecordSnapshotPtr snap = sink_->Snapshot();
        const size_t n = snap->Count(contact_);
        RecordSpan kids = snap->Children(contact_, account_id_field_, Id(IdText("001", 1)));
        EXPECT_EQ(kids.size, n);
        for (size_t i = 0; i < kids.size; ++i) {
          EXPECT_EQ(snap->Find(contact_, *kids.data[i]->id()), kids.data[i]);
        }
        EXPECT_NE(snap->Find(account_, Id(IdText("001", 1))), nullptr);
        EXPECT_GE(n, last);  // snapshots only grow here
        last = n;
        ++checks;
      }
    });
  }
  while (checks.load() == 0) std::this_thread::yield();  // readers are running
  for (int i = 1; i <= 150; ++i) {
    Status s = sink_->Apply({contact_, {MakeContact(layout(contact_), i, 1)}, {}, std::to_string(i)});
    ASSERT_TRUE(s.ok()) << s.message();
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_GT(checks.load(), 0);
  EXPECT_EQ(sink_->Snapshot()->Count(contact_), 150u);
  EXPECT_EQ(Cursor(contact_), "150");
}

}  // namespace
}  // namespace cf::engine
