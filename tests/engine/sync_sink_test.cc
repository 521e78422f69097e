#include "engine/sync_sink.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <atomic>
#include <set>
#include <string>
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

  ReloadState State(int object_index) {
    ReloadState state = ReloadState::kNone;
    Status s = sink_->GetReloadState(object_index, &state);
    EXPECT_TRUE(s.ok()) << s.message();
    return state;
  }

  // Contacts numbered `ns` (under Account 1), named `last_name`, as one batch.
  SyncBatch Contacts(const std::vector<int>& ns, std::string_view last_name,
                     std::optional<std::string> cursor) {
    SyncBatch batch{contact_, {}, {}, std::move(cursor)};
    for (int n : ns) batch.upserts.push_back(MakeContact(layout(contact_), n, 1, last_name));
    return batch;
  }

  // The Ids (15 characters) of the cached contacts, and of the stored ones.
  std::set<std::string> CachedContacts() {
    std::set<std::string> ids;
    sink_->Snapshot()->ForEach(contact_, [&](const RecordPtr& r) { ids.insert(r->id()->To15()); });
    return ids;
  }
  std::set<std::string> StoredContacts() {
    std::set<std::string> ids;
    Status s = store_->ScanRecords("Contact", [&](std::string_view id, std::string_view) {
      ids.insert(std::string(id));
      return true;
    });
    EXPECT_TRUE(s.ok()) << s.message();
    return ids;
  }
  static std::set<std::string> ContactIds(const std::vector<int>& ns) {
    std::set<std::string> ids;
    for (int n : ns) ids.insert(IdText("003", n));
    return ids;
  }
  std::string LastName(int n) {
    const Record* r = sink_->Snapshot()->Find(contact_, Id(IdText("003", n)));
    if (r == nullptr) return "<missing>";
    return std::string(r->GetString(*layout(contact_)->SlotForField("LastName")));
  }

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

  // A reset also ends a reload: nothing is left to finish.
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 2)}, {}, "acc-2"}).ok());
  ASSERT_TRUE(sink_->BeginReload(account_).ok());
  ASSERT_TRUE(sink_->ResetObject(account_).ok());
  EXPECT_EQ(State(account_), ReloadState::kNone);
  EXPECT_EQ(sink_->FinishReload(account_).code(), Status::Code::kInvalidArgument);
  Reopen();
  EXPECT_TRUE(stats_.reloads_interrupted.empty());
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 0u);
}

TEST_F(SyncSinkTest, ReloadKeepsRecordsVisibleAndReplacesThemAsPagesArrive) {
  const std::vector<int> before = {1, 2, 3, 4, 5};
  ASSERT_TRUE(sink_->Apply(Contacts(before, "Old", "c-old")).ok());
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  EXPECT_EQ(State(contact_), ReloadState::kNone);

  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  EXPECT_EQ(State(contact_), ReloadState::kRunning);
  EXPECT_EQ(Cursor(contact_), std::nullopt);  // the sync loads everything
  EXPECT_EQ(CachedContacts(), ContactIds(before));
  EXPECT_EQ(StoredContacts(), ContactIds(before));

  // The org now holds 1, 2, 4 and 6 (3 and 5 were deleted while the delete log was lost).
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2}, "New", "page-1")).ok());
  EXPECT_EQ(CachedContacts(), ContactIds(before));  // nothing missing
  EXPECT_EQ(LastName(1), "New");
  EXPECT_EQ(LastName(2), "New");
  EXPECT_EQ(LastName(3), "Old");
  EXPECT_EQ(Cursor(contact_), "page-1");
  ASSERT_TRUE(sink_->Apply(Contacts({4, 6}, "New", "done")).ok());
  EXPECT_EQ(CachedContacts(), ContactIds({1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(LastName(4), "New");

  int64_t removed = -1;
  ASSERT_TRUE(sink_->FinishReload(contact_, &removed).ok());
  EXPECT_EQ(removed, 2);
  const std::set<std::string> brought = ContactIds({1, 2, 4, 6});
  EXPECT_EQ(CachedContacts(), brought);
  EXPECT_EQ(StoredContacts(), brought);
  EXPECT_EQ(State(contact_), ReloadState::kNone);
  EXPECT_EQ(Cursor(contact_), "done");
  EXPECT_EQ(sink_->Snapshot()->Children(contact_, account_id_field_, Id(IdText("001", 1))).size,
            brought.size());
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);  // other objects are not touched

  // The store agrees: a fresh sink on the same file sees exactly the reloaded records.
  Reopen();
  EXPECT_TRUE(stats_.reloads_interrupted.empty());
  EXPECT_EQ(CachedContacts(), brought);
  EXPECT_EQ(LastName(6), "New");
  EXPECT_EQ(Cursor(contact_), "done");
  EXPECT_EQ(State(contact_), ReloadState::kNone);
}

TEST_F(SyncSinkTest, ReloadDeletionsAndWritesDuringItAreKept) {
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2, 3}, "Old", "c-old")).ok());
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  // A write-through of a record just created (7) and a deletion of 2 arrive mid-reload.
  ASSERT_TRUE(sink_->Apply(Contacts({7}, "Written", std::nullopt)).ok());
  ASSERT_TRUE(sink_->Apply({contact_, {}, {Id(IdText("003", 2))}, std::nullopt}).ok());
  ASSERT_TRUE(sink_->Apply(Contacts({1}, "New", "done")).ok());
  int64_t removed = -1;
  ASSERT_TRUE(sink_->FinishReload(contact_, &removed).ok());
  EXPECT_EQ(removed, 1);  // 3: neither brought nor written
  EXPECT_EQ(CachedContacts(), ContactIds({1, 7}));
  EXPECT_EQ(StoredContacts(), ContactIds({1, 7}));
}

TEST_F(SyncSinkTest, ReloadOfAnEmptyObjectAndBadCalls) {
  ASSERT_TRUE(sink_->BeginReload(account_).ok());
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "done"}).ok());
  int64_t removed = -1;
  ASSERT_TRUE(sink_->FinishReload(account_, &removed).ok());
  EXPECT_EQ(removed, 0);
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);

  // Finishing what was not begun (or twice) is refused and deletes nothing.
  Status s = sink_->FinishReload(account_);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("call BeginReload"), std::string::npos) << s.message();
  EXPECT_EQ(sink_->Snapshot()->Count(account_), 1u);
  for (int bad : {-1, 2, 42}) {
    ReloadState state;
    EXPECT_EQ(sink_->BeginReload(bad).code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(sink_->FinishReload(bad).code(), Status::Code::kInvalidArgument);
    EXPECT_EQ(sink_->GetReloadState(bad, &state).code(), Status::Code::kInvalidArgument);
  }
}

TEST_F(SyncSinkTest, BeginReloadAgainStartsTheReloadOver) {
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2, 3}, "Old", "c-old")).ok());
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  ASSERT_TRUE(sink_->Apply(Contacts({1}, "New", "page-1")).ok());
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());  // forgets 1
  EXPECT_EQ(Cursor(contact_), std::nullopt);
  ASSERT_TRUE(sink_->Apply(Contacts({2, 3}, "New", "done")).ok());
  ASSERT_TRUE(sink_->FinishReload(contact_).ok());
  EXPECT_EQ(CachedContacts(), ContactIds({2, 3}));
}

// The process stops mid-reload: the Ids brought so far are lost with it. The old records stay
// visible, the mark says the reload is pending, the cursor of the interrupted run is not
// offered (resuming could not tell which records the reload brought), and finishing without
// beginning again is refused.
TEST_F(SyncSinkTest, AnInterruptedReloadKeepsOldRecordsAndStartsOver) {
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2, 3, 4}, "Old", "c-old")).ok());
  ASSERT_TRUE(sink_->Apply({account_, {MakeAccount(layout(account_), 1)}, {}, "acc-1"}).ok());
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2}, "New", "page-1")).ok());

  Reopen();  // the sink is dropped without FinishReload, as in a crash
  EXPECT_EQ(stats_.reloads_interrupted, std::vector<std::string>{"Contact"});
  EXPECT_EQ(CachedContacts(), ContactIds({1, 2, 3, 4}));
  EXPECT_EQ(LastName(1), "New");
  EXPECT_EQ(LastName(3), "Old");
  EXPECT_EQ(State(contact_), ReloadState::kInterrupted);
  EXPECT_EQ(State(account_), ReloadState::kNone);
  EXPECT_EQ(Cursor(contact_), std::nullopt);  // "page-1" is stored but not offered
  EXPECT_EQ(Cursor(account_), "acc-1");
  EXPECT_EQ(sink_->FinishReload(contact_).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(CachedContacts(), ContactIds({1, 2, 3, 4}));
  EXPECT_EQ(StoredContacts(), ContactIds({1, 2, 3, 4}));

  // Begun again, the reload brings everything the org holds (1, 2, 3 now) and ends cleanly.
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  EXPECT_EQ(State(contact_), ReloadState::kRunning);
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2}, "Newer", "page-1")).ok());
  ASSERT_TRUE(sink_->Apply(Contacts({3}, "Newer", "done")).ok());
  ASSERT_TRUE(sink_->FinishReload(contact_).ok());
  EXPECT_EQ(CachedContacts(), ContactIds({1, 2, 3}));
  Reopen();
  EXPECT_TRUE(stats_.reloads_interrupted.empty());
  EXPECT_EQ(StoredContacts(), ContactIds({1, 2, 3}));
  EXPECT_EQ(LastName(3), "Newer");
  EXPECT_EQ(Cursor(contact_), "done");
}

// What a sync sees through ReloadOnResetSink: a reset keeps the records and begins a reload.
TEST_F(SyncSinkTest, ReloadOnResetSinkBeginsAReloadInsteadOfDropping) {
  ASSERT_TRUE(sink_->Apply(Contacts({1, 2}, "Old", "c-old")).ok());
  ReloadOnResetSink view(*sink_);
  RecordSink& as_sync_sees_it = view;
  ASSERT_TRUE(as_sync_sees_it.ResetObject(contact_).ok());
  std::optional<std::string> cursor = "unset";
  ASSERT_TRUE(as_sync_sees_it.LoadCursor(contact_, &cursor).ok());
  EXPECT_EQ(cursor, std::nullopt);
  EXPECT_EQ(CachedContacts(), ContactIds({1, 2}));
  EXPECT_EQ(State(contact_), ReloadState::kRunning);
  ASSERT_TRUE(as_sync_sees_it.Apply(Contacts({2}, "New", "done")).ok());
  ASSERT_TRUE(sink_->FinishReload(contact_).ok());
  EXPECT_EQ(CachedContacts(), ContactIds({2}));
}

// Readers never see a reloaded object empty or missing a record the org kept: 200 contacts
// are reloaded page by page (the org now holds 101..300) while 3 threads read snapshots.
TEST_F(SyncSinkTest, ConcurrentReadersNeverSeeAReloadedObjectEmpty) {
  Reopen({5000, false});
  std::vector<int> old_ids, new_ids;
  for (int n = 1; n <= 200; ++n) old_ids.push_back(n);
  for (int n = 101; n <= 300; ++n) new_ids.push_back(n);
  ASSERT_TRUE(sink_->Apply(Contacts(old_ids, "Old", "c-old")).ok());

  std::atomic<bool> done{false};
  std::atomic<int64_t> checks{0};
  std::atomic<int64_t> min_seen{1 << 30};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      const SfId kept = Id(IdText("003", 150));  // in the org before and after
      while (!done.load()) {
        RecordSnapshotPtr snap = sink_->Snapshot();
        const int64_t n = static_cast<int64_t>(snap->Count(contact_));
        int64_t m = min_seen.load();
        while (n < m && !min_seen.compare_exchange_weak(m, n)) {
        }
        EXPECT_NE(snap->Find(contact_, kept), nullptr);
        ++checks;
      }
    });
  }
  struct Stop {  // readers stop even when an ASSERT below returns early
    std::atomic<bool>& done;
    std::vector<std::thread>& threads;
    ~Stop() {
      done = true;
      for (auto& t : threads) t.join();
    }
  } stop{done, readers};

  while (checks.load() == 0) std::this_thread::yield();
  ASSERT_TRUE(sink_->BeginReload(contact_).ok());
  for (size_t i = 0; i < new_ids.size(); i += 20) {
    std::vector<int> page(new_ids.begin() + static_cast<long>(i),
                          new_ids.begin() + static_cast<long>(std::min(i + 20, new_ids.size())));
    Status s = sink_->Apply(Contacts(page, "New", "page-" + std::to_string(i)));
    ASSERT_TRUE(s.ok()) << s.message();
  }
  ASSERT_TRUE(sink_->FinishReload(contact_).ok());
  const int64_t before_stop = checks.load();
  while (checks.load() < before_stop + 3) std::this_thread::yield();  // a read after Finish
  done = true;
  EXPECT_GT(checks.load(), 0);
  EXPECT_EQ(min_seen.load(), static_cast<int64_t>(new_ids.size()));  // never fewer than now
  EXPECT_EQ(CachedContacts(), ContactIds(new_ids));
  EXPECT_EQ(StoredContacts(), ContactIds(new_ids));
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
