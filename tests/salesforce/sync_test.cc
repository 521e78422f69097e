// The sync (connectors/salesforce/sync.h) against the emulator over TLS, with a real SQLite
// state file behind PersistentRecordSink: plans, full load over several pages, incremental
// runs, deletions, restarts, injected faults and malformed answers.
#include "connectors/salesforce/sync.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/soql_builder.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "tests/salesforce/connector_fixture.h"
#include "tools/sfemu/seed.h"

namespace cf::sf {
namespace {

using engine::PersistentRecordSink;
using engine::SqliteStateStore;
using testing::ConnectorFixture;

// ---- Plans, cursors, pages (no network) --------------------------------------------------------

std::shared_ptr<const engine::Schema> ExampleSchema() {
  std::string error;
  std::shared_ptr<const engine::Schema> schema =
      LoadSchemaFile(sfemu::DefaultOrgDir(), &error);
  EXPECT_NE(schema, nullptr) << error;
  return schema;
}

bool Has(const SyncPlan& plan, std::string_view field) {
  for (const std::string& f : plan.fields) {
    if (f == field) return true;
  }
  return false;
}

TEST(SyncPlanTest, AddsBindingKeysAndReferencedFields) {
  std::shared_ptr<const engine::Schema> schema = ExampleSchema();
  ASSERT_NE(schema, nullptr);
  std::vector<SyncPlan> plans;
  std::string error;
  std::vector<std::string> skipped;
  ASSERT_TRUE(BuildSyncPlans(*schema,
                             {{"Contact", "Title"}, {"opportunity", "Amount"}, {"Contact", "title"},
                              {"Contact", "No_Such_Field__c"}, {"Case", ""}},
                             &plans, &error, &skipped))
      << error;
  ASSERT_EQ(plans.size(), 3u);
  const SyncPlan& contact = plans[0];
  EXPECT_EQ(contact.object, "Contact");
  EXPECT_EQ(contact.fields[0], "Id");
  EXPECT_EQ(contact.fields[1], "SystemModstamp");
  for (const char* f : {"Email", "Phone", "MobilePhone", "AccountId", "OwnerId", "Title"}) {
    EXPECT_TRUE(Has(contact, f)) << f;
  }
  EXPECT_EQ(std::count(contact.fields.begin(), contact.fields.end(), "Title"), 1);
  EXPECT_EQ(plans[1].object, "Opportunity");
  for (const char* f : {"AccountId", "IsClosed", "IsWon", "StageName", "Amount"}) {
    EXPECT_TRUE(Has(plans[1], f)) << f;
  }
  EXPECT_FALSE(Has(plans[1], "Email"));
  EXPECT_TRUE(Has(plans[2], "Status"));
  EXPECT_TRUE(Has(plans[2], "IsClosed"));
  EXPECT_EQ(skipped, std::vector<std::string>{"Contact.No_Such_Field__c"});
}

TEST(SyncPlanTest, UnknownObjectIsAClearError) {
  std::shared_ptr<const engine::Schema> schema = ExampleSchema();
  ASSERT_NE(schema, nullptr);
  std::vector<SyncPlan> plans;
  std::string error;
  EXPECT_FALSE(BuildSyncPlans(*schema, {{"Contatc", "Email"}}, &plans, &error));
  EXPECT_NE(error.find("cannot sync Contatc"), std::string::npos) << error;
  EXPECT_NE(error.find("did you mean Contact?"), std::string::npos) << error;
  // A name that tries to smuggle SOQL is just an unknown object.
  EXPECT_FALSE(BuildSyncPlans(*schema, {{"Contact WHERE Id != null", ""}}, &plans, &error));
}

TEST(SyncCursorTest, RoundTripsAndRefusesGarbage) {
  SyncCursor c;
  c.fields = FieldsFingerprint({"Id", "SystemModstamp", "Email"});
  c.complete_until = 1795796400000;
  c.run_until = 1795796460000;
  c.position_stamp = 1795796400000;
  c.position_id = "003000000000001AAA";
  std::optional<SyncCursor> back = SyncCursor::Decode(c.Encode());
  ASSERT_TRUE(back.has_value()) << c.Encode();
  EXPECT_EQ(*back, c);
  EXPECT_EQ(FieldsFingerprint({"email", "Id", "SystemModstamp"}), c.fields);
  EXPECT_NE(FieldsFingerprint({"Id", "SystemModstamp"}), c.fields);
  EXPECT_FALSE(SyncCursor::Decode("").has_value());
  EXPECT_FALSE(SyncCursor::Decode("v2;x;;;;").has_value());
  EXPECT_FALSE(SyncCursor::Decode("v1;x;not a date;;;").has_value());
  // A position whose Id carries SOQL is refused, so it can never reach a query.
  EXPECT_FALSE(SyncCursor::Decode("v1;x;;2026-01-01T00:00:00.000Z;2026-01-01T00:00:00.000Z;"
                                  "' OR Id != '")
                   .has_value());
}

TEST(SyncPageTest, TotalSizeMismatchIsDetected) {
  nlohmann::json last = nlohmann::json::parse(
      R"({"totalSize": 5, "done": true, "records": [{"Id": "a"}, {"Id": "b"}]})");
  QueryPageView page;
  std::string error;
  ASSERT_TRUE(ParseQueryPage(last, &page, &error)) << error;
  PageCounter counter;
  EXPECT_FALSE(counter.Add(page, &error));
  EXPECT_NE(error.find("ended after 2 records but totalSize is 5"), std::string::npos) << error;

  nlohmann::json first = nlohmann::json::parse(
      R"({"totalSize": 1, "done": false, "nextRecordsUrl": "/services/data/v60.0/query/x-1",
          "records": [{"Id": "a"}, {"Id": "b"}]})");
  ASSERT_TRUE(ParseQueryPage(first, &page, &error)) << error;
  PageCounter over;
  EXPECT_FALSE(over.Add(page, &error));
  EXPECT_NE(error.find("more records"), std::string::npos) << error;

  nlohmann::json no_next =
      nlohmann::json::parse(R"({"totalSize": 3, "done": false, "records": []})");
  EXPECT_FALSE(ParseQueryPage(no_next, &page, &error));
  EXPECT_NE(error.find("nextRecordsUrl"), std::string::npos) << error;
}

// ---- Against the emulator -----------------------------------------------------------------------

// Forwards to a real transport; `tamper` may rewrite answers (a malformed page, a lost record).
class TamperingTransport : public HttpTransport {
 public:
  using Tamper = std::function<void(const HttpRequest&, HttpResponse&)>;
  explicit TamperingTransport(std::shared_ptr<HttpTransport> real) : real_(std::move(real)) {}
  HttpResult Send(const HttpRequest& request) override {
    HttpResult r = real_->Send(request);
    std::lock_guard<std::mutex> lock(mu_);
    if (r.ok() && tamper_) tamper_(request, r.response());
    return r;
  }
  void Set(Tamper tamper) {
    std::lock_guard<std::mutex> lock(mu_);
    tamper_ = std::move(tamper);
  }

 private:
  std::shared_ptr<HttpTransport> real_;
  std::mutex mu_;
  Tamper tamper_;
};

constexpr int kBatch = 200;

class SyncTest : public ConnectorFixture {
 protected:
  // A Contact load in pages of 200 takes two pages.
  sfemu::testing::EmulatorOptions EmulatorOptions() override { return WithGeneratedRecords(1000); }

  void SetUp() override {
    ConnectorFixture::SetUp();
    std::string pattern = ::testing::TempDir() + "sync_test_XXXXXX";
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
  }
  void TearDown() override {
    sink_.reset();
    store_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    ConnectorFixture::TearDown();
  }

  // The integration user's schema of the synced objects, from describe calls.
  std::shared_ptr<const engine::Schema> FetchSchema(const SalesforceClient& client) {
    auto schema = std::make_shared<engine::Schema>();
    for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case"}) {
      ApiResult r = client.Get(std::string("sobjects/") + name + "/describe");
      EXPECT_TRUE(r.ok()) << name;
      std::string error;
      std::optional<engine::Object> o = ParseDescribe(r.response.body, &error);
      EXPECT_TRUE(o.has_value()) << error;
      if (o) schema->Add(std::move(*o));
    }
    return schema;
  }

  // Connects (password or refresh-token flow), reads the schema, opens the state file.
  void Connect(bool refresh_token = false) {
    http_ = std::make_shared<TamperingTransport>(Transport());
    client_ = refresh_token ? ConnectWithRefreshToken(http_) : ConnectWithPassword(http_);
    ASSERT_NE(client_, nullptr);
    schema_ = FetchSchema(*client_);
    std::string error;
    ASSERT_TRUE(BuildSyncPlans(*schema_,
                               {{"Contact", "Title"}, {"Contact", "LastName"}, {"Account", "Name"},
                                {"Account", "AnnualRevenue"}, {"Opportunity", "Amount"}},
                               &plans_, &error))
        << error;
    OpenSink();
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
    s = sink_->Load();
    ASSERT_TRUE(s.ok()) << s.message();
  }

  SyncOptions Options() {
    SyncOptions options;
    options.batch_size = kBatch;
    options.overlap = std::chrono::seconds(60);
    options.clock = [this] { return emu().org().Now(); };
    return options;
  }

  SyncResult Run(const SalesforceClient& client, SyncOptions options) {
    Syncer syncer(client, schema_, *sink_, std::move(options));
    return syncer.Sync(plans_);
  }
  SyncResult Run() { return Run(*client_, Options()); }

  // The number of live records of `object` in the org (through the control-free org API).
  int64_t OrgCount(const std::string& object) {
    int64_t n = 0;
    auto lock = emu().org().Lock();
    emu().org().ScanRowsLocked(*emu().org().schema().Find(object), [&](const sfemu::RecordView& row) {
      if (!row.deleted()) ++n;
      return true;
    });
    return n;
  }
  int64_t CacheCount(const std::string& object) {
    return static_cast<int64_t>(sink_->Snapshot()->Count(schema_->IndexOf(object)));
  }
  const ObjectSyncStats* Stats(const SyncResult& r, const std::string& object) {
    for (const ObjectSyncStats& s : r.objects) {
      if (s.object == object) return &s;
    }
    return nullptr;
  }
  void ExpectCacheMatchesOrg() {
    for (const SyncPlan& plan : plans_) EXPECT_EQ(CacheCount(plan.object), OrgCount(plan.object)) << plan.object;
  }
  int64_t Calls(const char* endpoint) { return emu().control().ApiCalls(endpoint); }
  std::string AnyContactId(const std::string& except = "") {
    std::string id;
    sink_->Snapshot()->ForEach(schema_->IndexOf("Contact"), [&](const engine::RecordPtr& r) {
      if (id.empty() && r->id()->To18() != except) id = r->id()->To18();
    });
    return id;
  }
  const engine::Record* FindContact(const std::string& id) {
    snapshot_ = sink_->Snapshot();
    return snapshot_->Find(schema_->IndexOf("Contact"), *engine::SfId::Parse(id));
  }
  std::string Text(const engine::Record& r, std::string_view field) {
    const engine::Slot* slot = r.layout().SlotForField(field);
    if (slot == nullptr || r.IsNull(*slot)) return "<null>";
    return std::string(r.GetString(*slot));
  }
  void Advance(int seconds) {
    ASSERT_EQ(emu().ControlRequest("POST", "clock/advance", {{"seconds", seconds}}).status, 200);
  }
  void RunThroughFault(const char* kind, bool refresh_token);
  void AddFault(const nlohmann::json& rule) {
    ASSERT_EQ(emu().ControlRequest("POST", "faults", rule).status, 201);
  }

  std::string dir_;
  std::shared_ptr<TamperingTransport> http_;
  std::unique_ptr<SalesforceClient> client_;
  std::shared_ptr<const engine::Schema> schema_;
  std::vector<SyncPlan> plans_;
  std::shared_ptr<SqliteStateStore> store_;
  std::shared_ptr<PersistentRecordSink> sink_;
  engine::RecordSnapshotPtr snapshot_;
};

TEST_F(SyncTest, FullLoadReadsEveryPageIntoTypedRecords) {
  Connect();
  emu().control().Reset();
  std::vector<SyncProgress> progress;
  SyncOptions options = Options();
  options.progress = [&](const SyncProgress& p) { progress.push_back(p); };
  SyncResult r = Run(*client_, options);
  ASSERT_TRUE(r.ok()) << r.Describe();
  ExpectCacheMatchesOrg();
  const int64_t contacts = OrgCount("Contact");
  ASSERT_GT(contacts, kBatch);  // several pages
  const ObjectSyncStats* c = Stats(r, "Contact");
  ASSERT_NE(c, nullptr);
  EXPECT_TRUE(c->full_load);
  EXPECT_EQ(c->upserts, contacts);
  EXPECT_EQ(c->pages, (contacts + kBatch - 1) / kBatch);
  // One query per object, one queryMore per further page, no deleted-records call on a full
  // load; every call counted.
  int64_t pages = 0;
  for (const ObjectSyncStats& s : r.objects) pages += s.pages;
  EXPECT_EQ(Calls("query"), static_cast<int64_t>(plans_.size()));
  EXPECT_EQ(Calls("queryMore"), pages - static_cast<int64_t>(plans_.size()));
  EXPECT_EQ(Calls("sobjects.deleted"), 0);
  EXPECT_EQ(static_cast<int64_t>(r.api_calls), pages);
  // Typed records: text, Ids and the stamp as the schema says.
  const engine::Record* contact = FindContact(AnyContactId());
  ASSERT_NE(contact, nullptr);
  EXPECT_NE(Text(*contact, "LastName"), "<null>");
  const engine::Slot* stamp = contact->layout().SlotForField("SystemModstamp");
  ASSERT_NE(stamp, nullptr);
  EXPECT_EQ(stamp->kind, engine::StorageKind::kDateTime);
  EXPECT_FALSE(contact->IsNull(*stamp));
  // Progress: per page, with the total and the calls so far.
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().api_calls, r.api_calls);
  bool saw_contact_total = false;
  for (const SyncProgress& p : progress) {
    if (p.object == "Contact" && p.total == contacts) saw_contact_total = true;
  }
  EXPECT_TRUE(saw_contact_total);
}

TEST_F(SyncTest, IncrementalFetchesOnlyChangedRecordsAndDeletions) {
  Connect();
  // A contact nothing points at, to delete later.
  ApiResult doomed = client_->Post("sobjects/Contact", R"({"LastName": "Doomed", "Phone": "555"})");
  ASSERT_TRUE(doomed.ok()) << doomed.failure->Describe();
  std::string json_error;
  const std::string deleted = doomed.Json(&json_error)->at("id").get<std::string>();
  ASSERT_TRUE(Run().ok());
  ASSERT_NE(FindContact(deleted), nullptr);
  Advance(600);
  const std::string changed = AnyContactId(deleted);
  ASSERT_TRUE(client_->Patch("sobjects/Contact/" + changed, R"({"Title": "Chief Sync Officer"})").ok());
  ApiResult created = client_->Post("sobjects/Contact", R"({"LastName": "Newcomer", "Email": "newcomer@example.com"})");
  ASSERT_TRUE(created.ok()) << created.failure->Describe();
  std::string new_id = created.Json(&json_error)->at("id").get<std::string>();
  ASSERT_TRUE(client_->Delete("sobjects/Contact/" + deleted).ok());
  Advance(400);  // the delete log covers whole minutes; past the overlap for the next run
  emu().control().Reset();

  SyncResult r = Run();
  ASSERT_TRUE(r.ok()) << r.Describe();
  const ObjectSyncStats* c = Stats(r, "Contact");
  ASSERT_NE(c, nullptr);
  EXPECT_FALSE(c->full_load);
  EXPECT_EQ(c->upserts, 2);  // the changed and the new one, nothing else
  EXPECT_EQ(c->deletes, 1);
  EXPECT_EQ(c->api_calls, 2u);  // deleted records + one query page
  EXPECT_EQ(Calls("sobjects.deleted"), static_cast<int64_t>(plans_.size()));
  EXPECT_EQ(Calls("query"), static_cast<int64_t>(plans_.size()));
  EXPECT_EQ(Calls("queryMore"), 0);
  const engine::Record* rec = FindContact(changed);
  ASSERT_NE(rec, nullptr);
  EXPECT_EQ(Text(*rec, "Title"), "Chief Sync Officer");
  EXPECT_NE(FindContact(new_id), nullptr);
  EXPECT_EQ(FindContact(deleted), nullptr);
  ExpectCacheMatchesOrg();

  // Nothing changed: one call per object for deletions, one empty query page.
  Advance(600);
  emu().control().Reset();
  SyncResult again = Run();
  ASSERT_TRUE(again.ok()) << again.Describe();
  EXPECT_EQ(Stats(again, "Contact")->upserts, 0);
  EXPECT_EQ(static_cast<int64_t>(again.api_calls), 2 * static_cast<int64_t>(plans_.size()));
}

TEST_F(SyncTest, RestartResumesFromTheStoredCursor) {
  Connect();
  // Stop after the first Contact page, then start again on the same file.
  std::atomic<bool> cancel{false};
  SyncOptions options = Options();
  options.cancel = &cancel;
  options.progress = [&](const SyncProgress& p) {
    if (p.object == "Contact") cancel = true;
  };
  std::vector<SyncPlan> all = plans_;
  plans_ = {all[0]};  // Contact
  ASSERT_EQ(plans_[0].object, "Contact");
  SyncResult first = Run(*client_, options);
  ASSERT_EQ(first.kind, SyncResult::Kind::kCancelled) << first.Describe();
  EXPECT_EQ(CacheCount("Contact"), kBatch);

  OpenSink();
  EXPECT_EQ(CacheCount("Contact"), kBatch);  // warm from the file
  emu().control().Reset();
  SyncResult second = Run();
  ASSERT_TRUE(second.ok()) << second.Describe();
  const ObjectSyncStats* c = Stats(second, "Contact");
  EXPECT_TRUE(c->resumed);
  EXPECT_EQ(c->upserts, OrgCount("Contact") - kBatch);  // nothing pulled twice
  EXPECT_EQ(CacheCount("Contact"), OrgCount("Contact"));

  // A restart after a complete sync: incremental, nothing re-pulled.
  plans_ = all;
  ASSERT_TRUE(Run().ok());
  OpenSink();
  Advance(600);
  emu().control().Reset();
  SyncResult third = Run();
  ASSERT_TRUE(third.ok()) << third.Describe();
  for (const ObjectSyncStats& s : third.objects) {
    EXPECT_FALSE(s.full_load) << s.object;
    EXPECT_EQ(s.upserts, 0) << s.object;
  }
  EXPECT_EQ(Calls("queryMore"), 0);
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, NewFieldsReloadTheObject) {
  Connect();
  ASSERT_TRUE(Run().ok());
  std::string error;
  ASSERT_TRUE(BuildSyncPlans(*schema_, {{"Contact", "Title"}, {"Contact", "Department"}}, &plans_,
                             &error));
  emu().control().Reset();
  SyncResult r = Run();
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(Stats(r, "Contact")->reset);
  EXPECT_TRUE(Stats(r, "Contact")->full_load);
  EXPECT_EQ(Stats(r, "Contact")->upserts, OrgCount("Contact"));
}

// One transient fault in the middle of a sync: retried by the client, nothing lost.
void SyncTest::RunThroughFault(const char* kind, bool refresh_token) {
  Connect(refresh_token);
  AddFault({{"endpoint", "queryMore"}, {"kind", kind}, {"times", 1}});
  SyncResult r = Run();
  ASSERT_TRUE(r.ok()) << kind << ": " << r.Describe();
  ExpectCacheMatchesOrg();
  std::vector<sfemu::FaultRule> rules = emu().control().Faults();
  ASSERT_EQ(rules.size(), 1u);
  EXPECT_EQ(rules[0].fired, 1) << kind;
}

TEST_F(SyncTest, Http503MidSyncLosesNothing) { RunThroughFault("http503", false); }
TEST_F(SyncTest, ConnectionResetMidSyncLosesNothing) { RunThroughFault("reset", false); }
TEST_F(SyncTest, QueryTimeoutMidSyncLosesNothing) { RunThroughFault("query_timeout", false); }
TEST_F(SyncTest, TokenExpiryMidSyncLosesNothing) {
  RunThroughFault("expire_token", true);
  EXPECT_EQ(session()->refresh_requests(), 1u);
}

TEST_F(SyncTest, PersistentQueryTimeoutIsReportedThenResumed) {
  Connect();
  AddFault({{"endpoint", "queryMore"}, {"kind", "query_timeout"}, {"times", -1}});
  SyncResult r = Run();
  ASSERT_EQ(r.kind, SyncResult::Kind::kSalesforce) << r.Describe();
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->errors.at(0).error_code, "QUERY_TIMEOUT");
  EXPECT_NE(r.message.find("sync of Contact: reading page 2 failed"), std::string::npos)
      << r.message;
  EXPECT_EQ(CacheCount("Contact"), kBatch);  // the first page is kept
  ASSERT_LT(emu().ControlRequest("DELETE", "faults").status, 300);
  SyncResult again = Run();
  ASSERT_TRUE(again.ok()) << again.Describe();
  EXPECT_TRUE(Stats(again, "Contact")->resumed);
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, LimitReachedStopsAndResumesToTheSameEndState) {
  Connect();
  AddFault({{"endpoint", "queryMore"}, {"kind", "limit_reached"}, {"times", 1}});
  SyncResult r = Run();
  ASSERT_EQ(r.kind, SyncResult::Kind::kSalesforce) << r.Describe();
  ASSERT_TRUE(r.failure.has_value());
  EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kApiLimitExceeded);
  EXPECT_NE(r.Describe().find("API Limit Exceeded"), std::string::npos) << r.Describe();
  EXPECT_NE(r.message.find("next run resumes"), std::string::npos) << r.message;
  EXPECT_EQ(r.objects.size(), 1u);  // stopped: no other object tried
  EXPECT_EQ(CacheCount("Contact"), kBatch);

  // Later: the org's usage is back down; the budget's hold is over (a fresh budget here).
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"used", 0}}).status, 200);
  auto budget = std::make_shared<ApiBudget>(ApiBudgetOptions{.share = 1.0, .org_ceiling = 1.0});
  SalesforceClient later(http_, client_->instance_url(), session(), budget, FastClientOptions());
  SyncResult resumed = Run(later, Options());
  ASSERT_TRUE(resumed.ok()) << resumed.Describe();
  EXPECT_TRUE(Stats(resumed, "Contact")->resumed);
  EXPECT_EQ(Stats(resumed, "Contact")->upserts, OrgCount("Contact") - kBatch);
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, MalformedRecordIsAnErrorNamingItThenResumes) {
  Connect();
  // Page 2 of Contact: a record whose SystemModstamp is not a datetime.
  http_->Set([](const HttpRequest& req, HttpResponse& res) {
    if (req.url.find("/query/") == std::string::npos || res.status != 200) return;
    nlohmann::json body = nlohmann::json::parse(res.body);
    if (body["records"].size() < 4 || body["records"][0]["attributes"]["type"] != "Contact") return;
    body["records"][3]["SystemModstamp"] = "yesterday";
    res.body = body.dump();
  });
  SyncResult r = Run();
  ASSERT_EQ(r.kind, SyncResult::Kind::kBadAnswer) << r.Describe();
  EXPECT_NE(r.message.find("sync of Contact: page 2, record 3 (Id 003"), std::string::npos)
      << r.message;
  EXPECT_NE(r.message.find("SystemModstamp"), std::string::npos) << r.message;
  EXPECT_EQ(CacheCount("Contact"), kBatch);
  EXPECT_EQ(CacheCount("Account"), OrgCount("Account"));  // the other objects went on

  http_->Set(nullptr);
  SyncResult fine = Run();
  ASSERT_TRUE(fine.ok()) << fine.Describe();
  EXPECT_TRUE(Stats(fine, "Contact")->resumed);
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, PageThatIsNotJsonIsAnError) {
  Connect();
  http_->Set([](const HttpRequest& req, HttpResponse& res) {
    if (req.url.find("/query") != std::string::npos) res.body = "{\"totalSize\": 3, \"rec";
  });
  SyncResult r = Run();
  ASSERT_EQ(r.kind, SyncResult::Kind::kBadAnswer) << r.Describe();
  EXPECT_NE(r.message.find("sync of Contact: page 1 is not valid JSON"), std::string::npos)
      << r.message;
  http_->Set(nullptr);
  ASSERT_TRUE(Run().ok());
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, TruncatedResultIsRefusedAndReadAgain) {
  Connect();
  // The last page of every query loses its last record.
  http_->Set([](const HttpRequest& req, HttpResponse& res) {
    if (req.url.find("/query") == std::string::npos || res.status != 200) return;
    nlohmann::json body = nlohmann::json::parse(res.body);
    if (body["done"] != true || body["records"].empty()) return;
    body["records"].erase(body["records"].size() - 1);
    res.body = body.dump();
  });
  SyncResult r = Run();
  ASSERT_EQ(r.kind, SyncResult::Kind::kBadAnswer) << r.Describe();
  EXPECT_NE(r.message.find("totalSize"), std::string::npos) << r.message;
  EXPECT_LT(CacheCount("Contact"), OrgCount("Contact"));
  http_->Set(nullptr);
  SyncResult fine = Run();
  ASSERT_TRUE(fine.ok()) << fine.Describe();
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, CursorOlderThanTheDeleteLogReloadsTheObject) {
  Connect(/*refresh_token=*/true);  // the clock jump expires the access token
  ASSERT_TRUE(Run().ok());
  Advance(40 * 24 * 3600);  // past what the delete log covers
  emu().control().Reset();
  SyncResult r = Run();
  ASSERT_TRUE(r.ok()) << r.Describe();
  for (const ObjectSyncStats& s : r.objects) {
    EXPECT_TRUE(s.reset) << s.object;
    EXPECT_TRUE(s.full_load) << s.object;
  }
  ExpectCacheMatchesOrg();
}

TEST_F(SyncTest, TamperedCursorIsNotTrustedAndTheObjectReloads) {
  Connect();
  ASSERT_TRUE(Run().ok());
  // A cursor whose position smuggles SOQL: refused by the decoder, never put in a query.
  const int contact = schema_->IndexOf("Contact");
  engine::SyncBatch batch;
  batch.object_index = contact;
  batch.cursor = "v1;" + FieldsFingerprint(plans_[0].fields) +
                 ";;2026-01-01T00:00:00.000Z;2026-01-01T00:00:00.000Z;' OR Name != '";
  ASSERT_TRUE(sink_->Apply(batch).ok());
  emu().control().Reset();
  SyncResult r = Run();
  ASSERT_TRUE(r.ok()) << r.Describe();
  EXPECT_TRUE(Stats(r, "Contact")->reset);
  for (const sfemu::LogEntry& e : emu().control().Log()) {
    EXPECT_EQ(e.target.find("OR%20Name"), std::string::npos) << e.target;
  }
  ExpectCacheMatchesOrg();
}

}  // namespace
}  // namespace cf::sf
