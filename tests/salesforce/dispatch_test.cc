// The outbox and dispatcher carrying actions to the emulator over TLS through the Salesforce
// connector: chained actions, order per record, dead letters and replay, the API limit hold,
// token expiry mid-batch, unknown outcomes that must not duplicate, one Lead per customer.
#include <atomic>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/salesforce_connector.h"
#include "engine/dispatcher.h"
#include "engine/outbox.h"
#include "engine/sqlite_state_store.h"
#include "tests/engine/state_test_support.h"
#include "tests/salesforce/connector_fixture.h"
#include "tests/support/action_builders.h"

namespace cf::sf {
namespace {

using engine::Action;
using engine::ActionField;
using engine::ActionKind;
using engine::ActionReport;
using engine::OutboxState;
using json = nlohmann::json;
using test_support::Value;
using test_support::Ref;
using test_support::Create;
using test_support::Update;

class DispatchTest : public testing::ConnectorFixture {
 protected:
  // `own_budget`: the client spends this budget instead of the fixture's.
  void Connect(bool refresh_token = false, std::shared_ptr<ApiBudget> own_budget = nullptr) {
    client_ = refresh_token ? ConnectWithRefreshToken() : ConnectWithPassword();
    ASSERT_NE(client_, nullptr);
    if (own_budget) {
      client_ = std::make_unique<SalesforceClient>(Transport(), client_->instance_url(),
                                                   session(), own_budget, FastClientOptions());
    }
    std::unique_ptr<engine::SqliteStateStore> store;
    ASSERT_TRUE(engine::SqliteStateStore::Open(dir_.File("state.db"), {}, &store).ok());
    store_ = std::move(store);
    ASSERT_TRUE(engine::Outbox::Open(store_, {}, &outbox_).ok());
    connector_ = std::make_unique<SalesforceConnector>(*client_);
    engine::DispatcherCallbacks callbacks;
    callbacks.on_outcome = [this](const ActionReport& r) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_[r.id] = r;
    };
    engine::DispatcherOptions options;
    options.backoff_base = std::chrono::milliseconds(5);
    options.backoff_max = std::chrono::milliseconds(20);
    options.idle_wait = std::chrono::milliseconds(20);
    dispatcher_ = std::make_unique<engine::Dispatcher>(outbox_.get(), connector_.get(),
                                                       callbacks, options);
    emu().control().Reset();
  }
  void TearDown() override {
    dispatcher_.reset();
    ConnectorFixture::TearDown();
  }

  std::vector<int64_t> Accept(const std::vector<Action>& actions) {
    std::vector<int64_t> ids;
    engine::Status s = outbox_->Accept(actions, &ids);
    EXPECT_TRUE(s.ok()) << s.message();
    return ids;
  }

  // Runs the dispatcher in the background until the outbox is idle.
  void Dispatch() {
    ASSERT_TRUE(dispatcher_->Start().ok());
    dispatcher_->Wake();
    EXPECT_TRUE(dispatcher_->WaitIdle(std::chrono::seconds(30)));
    dispatcher_->Stop();
  }

  ActionReport Report(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_.count(id) ? reports_[id] : ActionReport{};
  }

  json Query(const std::string& soql) {
    ApiResult r = client_->Get("query?q=" + FormEncode(soql));
    EXPECT_TRUE(r.ok()) << r.failure->Describe();
    std::string error;
    return r.Json(&error).value_or(json());
  }
  json Record(const std::string& object, const std::string& id) {
    ApiResult r = client_->Get("sobjects/" + object + "/" + id);
    EXPECT_TRUE(r.ok()) << (r.failure ? r.failure->Describe() : "");
    std::string error;
    return r.Json(&error).value_or(json());
  }
  std::string FirstId(const std::string& soql) {
    json q = Query(soql);
    return q["records"].empty() ? std::string() : q["records"][0]["Id"].get<std::string>();
  }
  void AddFault(const json& rule) {
    sfemu::ClientResponse r = emu().ControlRequest("POST", "faults", rule);
    ASSERT_EQ(r.status, 201) << r.body;
  }

  engine::testing::TempDir dir_;
  std::unique_ptr<SalesforceClient> client_;
  std::shared_ptr<engine::SqliteStateStore> store_;
  std::unique_ptr<engine::Outbox> outbox_;
  std::unique_ptr<SalesforceConnector> connector_;
  std::unique_ptr<engine::Dispatcher> dispatcher_;
  std::mutex mu_;
  std::map<int64_t, ActionReport> reports_;
};

TEST_F(DispatchTest, ALeadAndItsTaskLandLinkedAndCasesCarryTheActionKey) {
  Connect();
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Dispatch-Ng"), Value("Company", "Outbox Co")}),
      Create("Task", {Value("Subject", "Follow up"), Ref("WhoId", 0)}),
      Create("Case", {Value("Subject", "Outbox case")}),
  });
  Dispatch();
  for (int64_t id : ids) ASSERT_TRUE(Report(id).ok) << Report(id).error;
  const std::string lead = Report(ids[0]).record_id;
  EXPECT_EQ(Record("Task", Report(ids[1]).record_id)["WhoId"], lead);
  // The Case was written by upsert on its action-id field, so a resend cannot duplicate it.
  const std::string key = outbox_->KeyFor(ids[2]);
  EXPECT_EQ(FirstId("SELECT Id FROM Case WHERE ConnectFlo_Action_Id__c = '" + key + "'"),
            Report(ids[2]).record_id);
  EXPECT_EQ(Requests("composite.sobjects.create") + Requests("composite.sobjects.upsert"), 3)
      << "Lead, then Task (phased); Case by collections upsert";
}

TEST_F(DispatchTest, UpdatesOfOneRecordLandInTheOrderTheyWereAccepted) {
  Connect();
  const std::string case_id = FirstId("SELECT Id FROM Case ORDER BY Id LIMIT 1");
  ASSERT_FALSE(case_id.empty());
  // The first collections update fails (503, retried by the client) and then a 500: the
  // later updates must wait for it, not overtake it.
  AddFault({{"endpoint", "composite.sobjects.update"}, {"kind", "http500"}, {"times", 4}});
  for (int i = 1; i <= 6; ++i) {
    Accept({Update("Case", case_id, {Value("Subject", "version " + std::to_string(i))})});
  }
  Dispatch();
  EXPECT_EQ(Record("Case", case_id)["Subject"], "version 6");
  int64_t done = 0;
  ASSERT_TRUE(outbox_->Count(OutboxState::kDone, &done).ok());
  EXPECT_EQ(done, 6);
}

TEST_F(DispatchTest, AValidationFailureIsADeadLetterAndOneReplayAfterTheFixLandsIt) {
  Connect();
  ApiResult made = client_->Post(
      "sobjects/Opportunity",
      R"({"Name":"Outbox deal","StageName":"Prospecting","CloseDate":"2026-12-31"})");
  ASSERT_TRUE(made.ok()) << made.failure->Describe();
  std::string error;
  const std::string opp = (*made.Json(&error))["id"].get<std::string>();
  std::vector<int64_t> ids = Accept({Update("Opportunity", opp, {Value("StageName", "Closed Won")})});
  Dispatch();
  ActionReport r = Report(ids[0]);
  EXPECT_FALSE(r.ok);
  EXPECT_NE(r.error.find("FIELD_CUSTOM_VALIDATION_EXCEPTION"), std::string::npos) << r.error;
  std::vector<engine::OutboxItem> dead;
  ASSERT_TRUE(outbox_->ListDeadLetters(0, 10, &dead).ok());
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_NE(dead[0].entry.error.find("must have an Amount"), std::string::npos);
  // The admin fixes the cause (the deal gets its Amount); replaying is one call.
  ASSERT_TRUE(client_->Patch("sobjects/Opportunity/" + opp, R"({"Amount": 5000})").ok());
  int64_t replayed = 0;
  ASSERT_TRUE(outbox_->Replay(ids[0], &replayed).ok());
  EXPECT_EQ(replayed, 1);
  Dispatch();
  EXPECT_TRUE(Report(ids[0]).ok);
  EXPECT_EQ(Record("Opportunity", opp)["StageName"], "Closed Won");
}

TEST_F(DispatchTest, TheApiLimitHoldsTheQueueAndNothingIsDroppedWhenItResumes) {
  // The budget's clock is the test's: the hold it takes after REQUEST_LIMIT_EXCEEDED (30
  // minutes) passes when the test says so.
  auto offset = std::make_shared<std::atomic<int64_t>>(0);
  ApiBudgetOptions budget_options{.share = 1.0, .org_ceiling = 1.0};
  budget_options.clock = [offset] {
    return std::chrono::system_clock::now() + std::chrono::seconds(offset->load());
  };
  auto budget = std::make_shared<ApiBudget>(budget_options);
  Connect(false, budget);
  AddFault({{"endpoint", "composite.sobjects"}, {"kind", "limit_reached"}, {"times", 1}});
  std::vector<int64_t> ids;
  for (int i = 0; i < 5; ++i) {
    std::vector<int64_t> one =
        Accept({Create("Lead", {Value("LastName", "Held-" + std::to_string(i)),
                                Value("Company", "Limit Co")})});
    ids.push_back(one[0]);
  }
  size_t finished = 0;
  ASSERT_TRUE(dispatcher_->RunOnce(&finished).ok());
  for (int64_t id : ids) EXPECT_EQ(Report(id).error, "") << id;
  std::optional<engine::OutboxItem> first;
  ASSERT_TRUE(outbox_->Get(ids[0], &first).ok());
  EXPECT_NE(first->entry.error.find("REQUEST_LIMIT_EXCEEDED"), std::string::npos)
      << first->entry.error;
  EXPECT_GT(dispatcher_->held_until(), std::chrono::system_clock::now());
  int64_t pending = 0, dead = 0;
  ASSERT_TRUE(outbox_->Count(OutboxState::kPending, &pending).ok());
  ASSERT_TRUE(outbox_->Count(OutboxState::kDead, &dead).ok());
  EXPECT_EQ(pending, 5);
  EXPECT_EQ(dead, 0);
  // While holding, a round sends nothing.
  const int64_t calls = emu().control().TotalApiCalls();
  ASSERT_TRUE(dispatcher_->RunOnce(&finished).ok());
  EXPECT_EQ(finished, 0u);
  EXPECT_EQ(emu().control().TotalApiCalls(), calls);
  // The hold passes and the limit is back (a new day): the org reports usage below it (as
  // the next Sforce-Limit-Info would), and the host resumes the dispatcher.
  sfemu::ClientResponse lowered = emu().ControlRequest("POST", "limits", {{"used", 0}});
  ASSERT_EQ(lowered.status, 200) << lowered.body;
  offset->store(31 * 60);
  budget->Observe(ApiUsage{0, 100000});
  dispatcher_->ResumeNow();
  Dispatch();
  for (int64_t id : ids) {
    std::optional<engine::OutboxItem> item;
    ASSERT_TRUE(outbox_->Get(id, &item).ok());
    EXPECT_TRUE(Report(id).ok) << item->entry.error << " " << budget->State().Describe();
  }
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE Company = 'Limit Co'")["totalSize"], 5);
}

TEST_F(DispatchTest, AnAccessTokenThatExpiresMidBatchIsRenewedAndEveryActionLandsOnce) {
  Connect(/*refresh_token=*/true);
  AddFault({{"endpoint", "composite.sobjects"}, {"kind", "expire_token"}, {"skip", 1},
            {"times", 1}});
  std::vector<Action> actions;
  for (int i = 0; i < 450; ++i) {
    actions.push_back(Create("Case", {Value("Subject", "Expiry " + std::to_string(i))}));
  }
  std::vector<int64_t> ids = Accept(actions);
  Dispatch();
  for (int64_t id : ids) ASSERT_TRUE(Report(id).ok) << Report(id).error;
  EXPECT_EQ(Query("SELECT COUNT() FROM Case WHERE Subject LIKE 'Expiry %'")["totalSize"], 450);
  EXPECT_GE(Requests("oauth.token"), 1);
}

TEST_F(DispatchTest, AnUnknownOutcomeIsNotWrittenTwice) {
  Connect();
  // The creates are carried out, then the connection is reset before the answer: the client
  // cannot know, and must not blindly create again.
  AddFault({{"endpoint", "composite.sobjects.create"}, {"kind", "reset"}, {"times", 1}});
  AddFault({{"endpoint", "composite.sobjects.upsert"}, {"kind", "reset"}, {"times", 1}});
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Unknown-Outcome"), Value("Company", "Reset Co")}),
      Create("Case", {Value("Subject", "Unknown outcome case")}),
  });
  Dispatch();
  EXPECT_TRUE(Report(ids[0]).ok) << Report(ids[0]).error;
  EXPECT_TRUE(Report(ids[1]).ok) << Report(ids[1]).error;
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE LastName = 'Unknown-Outcome'")["totalSize"], 1);
  EXPECT_EQ(Query("SELECT COUNT() FROM Case WHERE Subject = 'Unknown outcome case'")["totalSize"],
            1);
  EXPECT_EQ(FirstId("SELECT Id FROM Lead WHERE LastName = 'Unknown-Outcome'"),
            Report(ids[0]).record_id);
  // Both resets happened: the Lead's create was resolved by looking it up (a query), the
  // Case's upsert by sending it again (idempotent by its action key).
  json faults = json::parse(emu().ControlRequest("GET", "faults", nullptr).body);
  for (const json& f : faults["faults"]) EXPECT_EQ(f["fired"], 1) << f.dump();
  EXPECT_GE(Requests("query"), 1);
  EXPECT_EQ(Requests("composite.sobjects.create"), 1) << "the Lead is not created again";
}

TEST_F(DispatchTest, ABurstOfEventsFromOneUnknownCustomerCreatesOneLead) {
  Connect();
  std::vector<std::vector<int64_t>> events;
  for (int i = 0; i < 5; ++i) {
    events.push_back(Accept({
        Create("Lead", {Value("LastName", "Burst"), Value("Company", "Burst Co"),
                        Value("Email", i % 2 ? "Burst@Example.com" : "burst@example.com")}),
        Create("Task", {Value("Subject", "Chat " + std::to_string(i)), Ref("WhoId", 0)}),
    }));
  }
  Dispatch();
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE Company = 'Burst Co'")["totalSize"], 1);
  const std::string lead = FirstId("SELECT Id FROM Lead WHERE Company = 'Burst Co'");
  for (const auto& ids : events) {
    EXPECT_EQ(Report(ids[0]).record_id, lead);
    EXPECT_EQ(Record("Task", Report(ids[1]).record_id)["WhoId"], lead);
  }
}

}  // namespace
}  // namespace cf::sf
