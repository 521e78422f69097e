// Full reloads end to end: the Syncer (connectors/salesforce/sync.h) against the emulator over
// TLS, through ReloadOnResetSink into a PersistentRecordSink on a real SQLite file, driven the
// way the plugin's Instance::RunSync drives it (BeginReload for a forced or interrupted
// reload, FinishReload once the object's load completed). What it guards: rules never see an
// object emptied while it is loaded again, and the records the org no longer holds leave the
// cache only when the load is complete.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/sync.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "tests/salesforce/connector_fixture.h"
#include "tools/sfemu/seed.h"

namespace cf::sf {
namespace {

using engine::PersistentRecordSink;
using engine::ReloadState;
using engine::SqliteStateStore;

constexpr int kBatch = 200;

class FullReloadTest : public testing::ConnectorFixture {
 protected:
  // A Contact load in pages of 200 takes two pages.
  sfemu::testing::EmulatorOptions EmulatorOptions() override { return WithGeneratedRecords(1000); }

  void SetUp() override {
    ConnectorFixture::SetUp();
    std::string pattern = ::testing::TempDir() + "full_reload_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    client_ = ConnectWithPassword();
    ASSERT_NE(client_, nullptr);
    auto schema = std::make_shared<engine::Schema>();
    for (const char* name : {"Account", "Contact"}) {
      ApiResult r = client_->Get(std::string("sobjects/") + name + "/describe");
      ASSERT_TRUE(r.ok()) << name;
      std::string error;
      std::optional<engine::Object> o = ParseDescribe(r.response.body, &error);
      ASSERT_TRUE(o.has_value()) << error;
      schema->Add(std::move(*o));
    }
    schema_ = schema;
    contact_ = schema_->IndexOf("Contact");
    Plan({{"Contact", "LastName"}});
    OpenSink();
  }
  void TearDown() override {
    sink_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    ConnectorFixture::TearDown();
  }

  void Plan(const std::vector<FieldRef>& refs) {
    std::string error;
    ASSERT_TRUE(BuildSyncPlans(*schema_, refs, &plans_, &error)) << error;
  }

  // A new store and sink on the same file (a restart).
  void OpenSink() {
    sink_.reset();
    store_.reset();
    std::unique_ptr<SqliteStateStore> store;
    engine::Status s = SqliteStateStore::Open(dir_ + "/state.db", {}, &store);
    ASSERT_TRUE(s.ok()) << s.message();
    store_ = std::move(store);
    sink_ = std::make_shared<PersistentRecordSink>(store_, schema_);
    s = sink_->Load(&load_stats_);
    ASSERT_TRUE(s.ok()) << s.message();
  }

  // One sync as the plugin runs it: reloads begun first (forced, or interrupted by a
  // restart), the Syncer's resets turned into reloads, reloads finished for objects whose
  // load completed. *removed gets what FinishReload removed (-1 if no reload finished).
  SyncResult Sync(bool full, const std::atomic<bool>* cancel = nullptr, int64_t* removed = nullptr) {
    for (const SyncPlan& p : plans_) {
      ReloadState state = ReloadState::kNone;
      EXPECT_TRUE(sink_->GetReloadState(p.object_index, &state).ok());
      if (full || state == ReloadState::kInterrupted) {
        EXPECT_TRUE(sink_->BeginReload(p.object_index).ok());
      }
    }
    SyncOptions options;
    options.batch_size = kBatch;
    options.overlap = std::chrono::seconds(60);
    options.clock = [this] { return emu().org().Now(); };
    options.cancel = cancel;
    engine::ReloadOnResetSink reload_sink(*sink_);
    Syncer syncer(*client_, schema_, reload_sink, options);
    SyncResult r = syncer.Sync(plans_);
    if (removed != nullptr) *removed = -1;
    for (const SyncPlan& p : plans_) {
      ReloadState state = ReloadState::kNone;
      EXPECT_TRUE(sink_->GetReloadState(p.object_index, &state).ok());
      if (state != ReloadState::kRunning || !r.ok()) continue;
      int64_t n = 0;
      engine::Status s = sink_->FinishReload(p.object_index, &n);
      EXPECT_TRUE(s.ok()) << s.message();
      if (removed != nullptr) *removed = n;
    }
    return r;
  }

  int64_t OrgContacts() {
    int64_t n = 0;
    auto lock = emu().org().Lock();
    emu().org().ScanRowsLocked(*emu().org().schema().Find("Contact"),
                               [&](const sfemu::RecordView& row) {
                                 if (!row.deleted()) ++n;
                                 return true;
                               });
    return n;
  }
  int64_t CachedContacts() { return static_cast<int64_t>(sink_->Snapshot()->Count(contact_)); }
  bool Cached(const std::string& id) {
    return sink_->Snapshot()->Find(contact_, *engine::SfId::Parse(id)) != nullptr;
  }
  ReloadState State() {
    ReloadState state = ReloadState::kNone;
    EXPECT_TRUE(sink_->GetReloadState(contact_, &state).ok());
    return state;
  }
  // A Contact created in the org (the org's validation rule wants a phone or an email); its
  // Id, or "" after a failed expectation.
  std::string CreateContact(const std::string& last_name) {
    ApiResult r = client_->Post("sobjects/Contact",
                                "{\"LastName\": \"" + last_name + "\", \"Phone\": \"555\"}");
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.failure->Describe());
    if (!r.ok()) return "";
    std::string error;
    std::optional<nlohmann::json> body = r.Json(&error);
    EXPECT_TRUE(body && body->is_object() && body->contains("id")) << error;
    if (!body || !body->is_object() || !body->contains("id")) return "";
    return (*body)["id"].get<std::string>();
  }

  std::string dir_;
  std::unique_ptr<SalesforceClient> client_;
  std::shared_ptr<const engine::Schema> schema_;
  int contact_ = -1;
  std::vector<SyncPlan> plans_;
  std::shared_ptr<SqliteStateStore> store_;
  std::shared_ptr<PersistentRecordSink> sink_;
  PersistentRecordSink::LoadStats load_stats_;
};

// The rules now read another Contact field: the Syncer resets Contact and loads it again in
// full. A reader thread and every page's progress see the old count or more, never fewer; the
// Contact deleted in the org meanwhile leaves only when the load is complete.
TEST_F(FullReloadTest, NewFieldsReloadWithoutEmptyingTheCache) {
  const std::string doomed = CreateContact("Doomed");
  ASSERT_FALSE(doomed.empty());
  ASSERT_TRUE(Sync(false).ok());
  const int64_t before = CachedContacts();
  ASSERT_EQ(before, OrgContacts());
  ASSERT_GT(before, kBatch);  // at least two pages
  ASSERT_TRUE(client_->Delete("sobjects/Contact/" + doomed).ok());

  std::atomic<bool> done{false};
  std::atomic<int64_t> reads{0};
  std::atomic<int64_t> min_during{before};
  auto note = [&](int64_t n) {
    int64_t m = min_during.load();
    while (n < m && !min_during.compare_exchange_weak(m, n)) {
    }
  };
  std::thread reader([&] {
    while (!done.load()) {
      note(CachedContacts());
      ++reads;
    }
  });
  while (reads.load() == 0) std::this_thread::yield();

  Plan({{"Contact", "LastName"}, {"Contact", "Department"}});
  int64_t removed = -2;
  SyncResult r = Sync(false, nullptr, &removed);
  done = true;
  reader.join();
  ASSERT_TRUE(r.ok()) << r.Describe();
  ASSERT_EQ(r.objects.size(), 1u);
  EXPECT_TRUE(r.objects[0].reset);
  EXPECT_TRUE(r.objects[0].full_load);
  EXPECT_GE(r.objects[0].pages, 2);
  EXPECT_GE(min_during.load(), OrgContacts());  // never below what the org holds
  EXPECT_EQ(removed, 1);                        // the deleted Contact, at the end only
  EXPECT_FALSE(Cached(doomed));
  EXPECT_EQ(CachedContacts(), OrgContacts());
  EXPECT_EQ(State(), ReloadState::kNone);

  OpenSink();  // the store agrees
  EXPECT_TRUE(load_stats_.reloads_interrupted.empty());
  EXPECT_EQ(CachedContacts(), OrgContacts());
  EXPECT_FALSE(Cached(doomed));
}

// `sync --full` stopped after its first page, then the process restarts: the old records are
// all still cached, the reload is reported interrupted and starts over (not resumed: the Ids
// brought before the stop are lost), and ends with the cache equal to the org.
TEST_F(FullReloadTest, AForcedReloadInterruptedByARestartStartsOver) {
  const std::string doomed = CreateContact("Doomed");
  ASSERT_FALSE(doomed.empty());
  ASSERT_TRUE(Sync(false).ok());
  const int64_t before = CachedContacts();
  ASSERT_TRUE(client_->Delete("sobjects/Contact/" + doomed).ok());

  std::atomic<bool> cancel{true};  // stops after the first page (checked between pages)
  SyncResult stopped = Sync(true, &cancel);
  ASSERT_EQ(stopped.kind, SyncResult::Kind::kCancelled) << stopped.Describe();
  EXPECT_EQ(CachedContacts(), before);  // nothing dropped
  EXPECT_EQ(State(), ReloadState::kRunning);

  OpenSink();
  EXPECT_EQ(load_stats_.reloads_interrupted, std::vector<std::string>{"Contact"});
  EXPECT_EQ(State(), ReloadState::kInterrupted);
  EXPECT_EQ(CachedContacts(), before);
  EXPECT_TRUE(Cached(doomed));  // still shown until the reload completes

  int64_t removed = -2;
  SyncResult again = Sync(false, nullptr, &removed);
  ASSERT_TRUE(again.ok()) << again.Describe();
  ASSERT_EQ(again.objects.size(), 1u);
  EXPECT_FALSE(again.objects[0].resumed);
  EXPECT_TRUE(again.objects[0].full_load);
  EXPECT_EQ(again.objects[0].upserts, OrgContacts());  // everything brought again
  EXPECT_EQ(removed, 1);
  EXPECT_FALSE(Cached(doomed));
  EXPECT_EQ(CachedContacts(), OrgContacts());
  EXPECT_EQ(State(), ReloadState::kNone);
}

}  // namespace
}  // namespace cf::sf
