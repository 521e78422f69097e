#include "engine/record_cache.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/binding_keys.h"
#include "tests/engine/state_test_support.h"

namespace cf::engine {
namespace {

using testing::Id;
using testing::IdText;
using testing::MakeAccount;
using testing::MakeStateSchema;

constexpr int kAccounts = 12;
const char* const kEmails[] = {"ann@example.com", "Ann@Example.COM ", "bob@example.com",
                               "carol@example.org", ""};

// What one Contact holds in the model.
struct ContactModel {
  int account = 0;  // 0: no AccountId
  std::string email;
  int version = 0;
};
using Model = std::map<int, ContactModel>;  // Contact number -> fields

class RecordCacheTest : public ::testing::Test {
 protected:
  RecordCacheTest() : schema_(MakeStateSchema(1)), cache_(schema_) {
    account_ = schema_->IndexOf("Account");
    contact_ = schema_->IndexOf("Contact");
    account_id_field_ = schema_->object(contact_).FieldIndex("AccountId");
  }

  RecordPtr Contact(int n, const ContactModel& m) {
    const auto& layout = cache_.layout(contact_);
    RecordBuilder b(layout);
    b.SetFromText(*layout->SlotForField("Id"), IdText("003", n));
    if (m.account > 0) b.SetFromText(*layout->SlotForField("AccountId"), IdText("001", m.account));
    if (!m.email.empty()) b.SetFromText(*layout->SlotForField("Email"), m.email);
    b.SetFromText(*layout->SlotForField("LastName"), "v" + std::to_string(m.version));
    return b.Finish();
  }

  std::vector<std::string> Ids(RecordSpan span) {
    std::vector<std::string> ids;
    for (size_t i = 0; i < span.size; ++i) ids.push_back(span.data[i]->id()->To15());
    return ids;
  }

  // Checks every lookup of `snap` against `model`.
  void ExpectMatches(const RecordSnapshot& snap, const Model& model, const std::string& when) {
    SCOPED_TRACE(when);
    ASSERT_EQ(snap.Count(contact_), model.size());
    const Slot& last_name = *cache_.layout(contact_)->SlotForField("LastName");
    for (int n = 1; n <= 300; ++n) {
      const Record* r = snap.Find(contact_, Id(IdText("003", n)));
      auto it = model.find(n);
      if (it == model.end()) {
        EXPECT_EQ(r, nullptr) << n;
        continue;
      }
      ASSERT_NE(r, nullptr) << n;
      EXPECT_EQ(r->GetString(last_name), "v" + std::to_string(it->second.version)) << n;
    }
    std::map<int, std::vector<std::string>> children;
    std::map<std::string, std::vector<std::string>> by_email;
    for (const auto& [n, m] : model) {  // model order is Id order: numbers are zero-padded
      if (m.account > 0) children[m.account].push_back(IdText("003", n));
      std::string key = NormalizeEmail(m.email);
      if (!key.empty()) by_email[key].push_back(IdText("003", n));
    }
    for (int a = 1; a <= kAccounts; ++a) {
      EXPECT_EQ(Ids(snap.Children(contact_, account_id_field_, Id(IdText("001", a)))), children[a])
          << "children of account " << a;
    }
    for (const char* email : kEmails) {
      std::string key = NormalizeEmail(email);
      std::vector<std::string> expected = key.empty() ? std::vector<std::string>{} : by_email[key];
      EXPECT_EQ(Ids(snap.FindByEmail(contact_, email)), expected) << "email " << email;
    }
    std::set<std::string> scanned;
    size_t visits = 0;
    for (size_t c = 0; c < snap.ChunkCount(contact_); ++c) {
      for (const RecordPtr& r : snap.Chunk(contact_, c)) {
        scanned.insert(r->id()->To15());
        ++visits;
      }
    }
    EXPECT_EQ(visits, model.size());
    EXPECT_EQ(scanned.size(), model.size());
  }

  std::shared_ptr<const Schema> schema_;
  RecordCache cache_;
  int account_ = -1, contact_ = -1, account_id_field_ = -1;
};

// Random batches of upserts (new and existing Ids, moving between parents and emails) and
// deletes, each checked against a plain model, and every earlier snapshot still showing the
// state it was taken in.
TEST_F(RecordCacheTest, RandomBatchesMatchAModelAndOldSnapshotsStayUnchanged) {
  std::mt19937 rng(20261130);
  Model model;
  std::vector<std::pair<RecordSnapshotPtr, Model>> history;
  for (int batch = 0; batch < 120; ++batch) {
    std::vector<SfId> deletes;
    std::vector<RecordPtr> upserts;
    Model next = model;
    const int deletes_wanted = static_cast<int>(rng() % 6);
    for (int i = 0; i < deletes_wanted; ++i) {
      int n = 1 + static_cast<int>(rng() % 300);
      deletes.push_back(Id(IdText("003", n)));
      next.erase(n);
    }
    const int upserts_wanted = static_cast<int>(rng() % (batch % 10 == 0 ? 200 : 12));
    for (int i = 0; i < upserts_wanted; ++i) {
      int n = 1 + static_cast<int>(rng() % 300);
      ContactModel m;
      m.account = static_cast<int>(rng() % (kAccounts + 1));
      m.email = kEmails[rng() % std::size(kEmails)];
      m.version = batch * 1000 + i;
      upserts.push_back(Contact(n, m));
      next[n] = m;  // an Id given twice keeps the last
    }
    ASSERT_TRUE(cache_.Apply(contact_, deletes, upserts).ok());
    model = std::move(next);
    ExpectMatches(*cache_.Snapshot(), model, "after batch " + std::to_string(batch));
    if (batch % 15 == 0) history.emplace_back(cache_.Snapshot(), model);
  }
  for (size_t i = 0; i < history.size(); ++i) {
    ExpectMatches(*history[i].first, history[i].second, "snapshot " + std::to_string(i));
  }
}

TEST_F(RecordCacheTest, DeleteAndUpsertOfOneIdInOneBatchLeavesItPresent) {
  ContactModel m{1, "ann@example.com", 1};
  ASSERT_TRUE(cache_.Apply(contact_, {}, {Contact(7, m)}).ok());
  m.version = 2;
  ASSERT_TRUE(cache_.Apply(contact_, {Id(IdText("003", 7))}, {Contact(7, m)}).ok());
  RecordSnapshotPtr snap = cache_.Snapshot();
  EXPECT_EQ(snap->Count(contact_), 1u);
  EXPECT_NE(snap->Find(contact_, Id(IdText("003", 7))), nullptr);
  EXPECT_EQ(snap->FindByEmail(contact_, "ANN@example.com").size, 1u);
}

TEST_F(RecordCacheTest, FindAcceptsEighteenCharacterIds) {
  ASSERT_TRUE(cache_.Apply(account_, {}, {MakeAccount(cache_.layout(account_), 3)}).ok());
  SfId id = Id(IdText("001", 3));
  EXPECT_NE(cache_.Snapshot()->Find(account_, Id(id.To18())), nullptr);
}

TEST_F(RecordCacheTest, ReplaceAndReplaceAllSwapWholeObjects) {
  ASSERT_TRUE(cache_.Apply(contact_, {}, {Contact(1, {1, "", 0}), Contact(2, {1, "", 0})}).ok());
  ASSERT_TRUE(cache_.Replace(contact_, {Contact(3, {2, "", 0})}).ok());
  RecordSnapshotPtr snap = cache_.Snapshot();
  EXPECT_EQ(snap->Count(contact_), 1u);
  EXPECT_EQ(snap->Children(contact_, account_id_field_, Id(IdText("001", 1))).size, 0u);
  EXPECT_EQ(snap->Children(contact_, account_id_field_, Id(IdText("001", 2))).size, 1u);

  ASSERT_TRUE(cache_.ReplaceAll({{MakeAccount(cache_.layout(account_), 1)}}).ok());
  snap = cache_.Snapshot();
  EXPECT_EQ(snap->Count(account_), 1u);
  EXPECT_EQ(snap->Count(contact_), 0u);  // objects past the end are emptied
}

TEST_F(RecordCacheTest, RefusesBadRecordsAndChangesNothing) {
  ASSERT_TRUE(cache_.Apply(account_, {}, {MakeAccount(cache_.layout(account_), 1)}).ok());
  RecordSnapshotPtr before = cache_.Snapshot();

  Status s = cache_.Apply(7, {}, {});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("object index 7"), std::string::npos) << s.message();

  s = cache_.Apply(account_, {}, {MakeAccount(cache_.layout(account_), 2), nullptr});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("Account record 1 is null"), std::string::npos) << s.message();

  auto other_layout = RecordLayout::BuildAll(schema_, account_);
  s = cache_.Apply(account_, {}, {MakeAccount(other_layout, 2)});
  EXPECT_NE(s.message().find("not in the cache's layout"), std::string::npos) << s.message();

  RecordBuilder no_id(cache_.layout(account_));
  no_id.SetFromText(*cache_.layout(account_)->SlotForField("Name"), "Nameless");
  s = cache_.Apply(account_, {}, {no_id.Finish()});
  EXPECT_NE(s.message().find("has no Id"), std::string::npos) << s.message();

  s = cache_.ReplaceAll({{}, {nullptr}});
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);

  EXPECT_EQ(cache_.Snapshot(), before);
  EXPECT_EQ(cache_.Snapshot()->Count(account_), 1u);
}

// Readers take snapshots and check that each is internally consistent (every child list
// member is findable by Id, counts match the scan) while a writer applies batches. Run under
// ThreadSanitizer too.
TEST_F(RecordCacheTest, ReadersSeeConsistentSnapshotsWhileBatchesArrive) {
  std::atomic<bool> done{false};
  std::atomic<int> checks{0};
  std::atomic<int> inconsistencies{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        RecordSnapshotPtr snap = cache_.Snapshot();
        size_t scanned = 0;
        for (size_t c = 0; c < snap->ChunkCount(contact_); ++c) scanned += snap->Chunk(contact_, c).size;
        size_t children = 0;
        for (int a = 1; a <= kAccounts; ++a) {
          RecordSpan span = snap->Children(contact_, account_id_field_, Id(IdText("001", a)));
          for (size_t i = 0; i < span.size; ++i) {
            if (snap->Find(contact_, *span.data[i]->id()) != span.data[i]) ++inconsistencies;
          }
          children += span.size;
        }
        if (scanned != snap->Count(contact_) || children > scanned) ++inconsistencies;
        ++checks;
      }
    });
  }
  std::mt19937 rng(7);
  for (int batch = 0; batch < 200; ++batch) {
    std::vector<RecordPtr> upserts;
    std::vector<SfId> deletes;
    for (int i = 0; i < 20; ++i) {
      ContactModel m{1 + static_cast<int>(rng() % kAccounts), "", batch};
      upserts.push_back(Contact(1 + static_cast<int>(rng() % 300), m));
    }
    deletes.push_back(Id(IdText("003", 1 + static_cast<int>(rng() % 300))));
    ASSERT_TRUE(cache_.Apply(contact_, deletes, upserts).ok());
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (checks.load() < 30 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
  }
  done = true;
  for (std::thread& t : readers) t.join();
  EXPECT_EQ(inconsistencies.load(), 0);
}

}  // namespace
}  // namespace cf::engine
