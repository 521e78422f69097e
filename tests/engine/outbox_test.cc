// The outbox on a real SQLite state file, and the dispatcher driving it through a scripted
// Connector (a real implementation of the interface whose outcomes the test chooses; the
// Salesforce connector against the emulator is tested in tests/salesforce/dispatch_test.cc).
#include "engine/outbox.h"

#include <sqlite3.h>

#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "engine/dispatcher.h"
#include "engine/sqlite_state_store.h"
#include "engine/sync_sink.h"
#include "tests/engine/state_test_support.h"
#include "tests/support/action_builders.h"

namespace cf::engine {
namespace {

using testing::TempDir;
using test_support::Value;
using test_support::Ref;
using test_support::Create;
using test_support::Update;

Action Host(ActionKind kind, std::string argument) {
  Action a;
  a.kind = kind;
  a.arguments.push_back(std::move(argument));
  return a;
}

class OutboxTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    outbox_.reset();
    store_.reset();
    std::unique_ptr<SqliteStateStore> store;
    ASSERT_TRUE(SqliteStateStore::Open(dir_.File("state.db"), {}, &store).ok());
    store_ = std::move(store);
    OutboxOptions options;
    options.now_ms = [this] { return now_ms_; };
    ASSERT_TRUE(Outbox::Open(store_, options, &outbox_).ok());
  }

  std::vector<int64_t> Accept(const std::vector<Action>& actions) {
    std::vector<int64_t> ids;
    Status s = outbox_->Accept(actions, &ids);
    EXPECT_TRUE(s.ok()) << s.message();
    return ids;
  }

  OutboxItem Get(int64_t id) {
    std::optional<OutboxItem> item;
    EXPECT_TRUE(outbox_->Get(id, &item).ok());
    EXPECT_TRUE(item.has_value());
    return item.value_or(OutboxItem{});
  }

  int64_t Count(OutboxState state) {
    int64_t n = -1;
    EXPECT_TRUE(outbox_->Count(state, &n).ok());
    return n;
  }

  std::vector<int64_t> ClaimIds(size_t max = 100) {
    std::vector<OutboxItem> items;
    EXPECT_TRUE(outbox_->Claim(max, &items).ok());
    std::vector<int64_t> ids;
    for (const OutboxItem& i : items) ids.push_back(i.entry.id);
    return ids;
  }

  static OutboxUpdate Outcome(int64_t id, OutboxState state, std::string error = {},
                              int64_t not_before = 0) {
    OutboxUpdate u;
    u.id = id;
    u.state = state;
    u.error = std::move(error);
    u.not_before_ms = not_before;
    return u;
  }

  TempDir dir_;
  int64_t now_ms_ = 1'700'000'000'000;
  std::shared_ptr<SqliteStateStore> store_;
  std::unique_ptr<Outbox> outbox_;
};

TEST_F(OutboxTest, AcceptGivesIdsKeysAndTurnsReferencesIntoIds) {
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Ng"), Value("Company", "Acme")}),
      Create("Task", {Value("Subject", "Call back"), Ref("WhoId", 0)}),
      Update("Case", "500000000000001AAA", {Value("Status", "Closed")}),
      Host(ActionKind::kRouteToTeam, "Billing"),
  });
  ASSERT_EQ(ids.size(), 4u);
  for (size_t i = 1; i < ids.size(); ++i) EXPECT_EQ(ids[i], ids[0] + static_cast<int64_t>(i));

  OutboxItem lead = Get(ids[0]);
  OutboxItem task = Get(ids[1]);
  OutboxItem update = Get(ids[2]);
  OutboxItem host = Get(ids[3]);
  EXPECT_EQ(lead.action.key, "cf-" + outbox_->nonce() + "-" + std::to_string(ids[0]));
  EXPECT_EQ(lead.entry.state, OutboxState::kPending);
  EXPECT_EQ(lead.action.fields[1].text, "Acme");
  ASSERT_EQ(task.action.fields.size(), 2u);
  EXPECT_EQ(task.action.fields[1].kind, OutboundField::Kind::kRef);
  EXPECT_EQ(task.action.fields[1].ref, ids[0]);
  // The Task rides in its Lead's lane: it can never leave before the Lead.
  EXPECT_EQ(task.entry.lane, lead.entry.lane);
  EXPECT_EQ(update.entry.lane, "r:Case:500000000000001");
  EXPECT_EQ(host.action.arguments, std::vector<std::string>{"Billing"});
  EXPECT_EQ(lead.entry.group, ids[0]);
  EXPECT_EQ(host.entry.group, ids[0]);
  EXPECT_EQ(Count(OutboxState::kPending), 4);
}

TEST_F(OutboxTest, MalformedActionsAreRefusedAndNothingIsAccepted) {
  std::vector<int64_t> ids;
  Status s = outbox_->Accept({Create("Task", {Ref("WhoId", 1)}), Create("Lead", {})}, &ids);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("refers to an action that is not before it"), std::string::npos)
      << s.message();
  Action upsert;
  upsert.kind = ActionKind::kUpsert;
  upsert.object = "Case";
  upsert.key_field = "ConnectFlo_Action_Id__c";
  s = outbox_->Accept({upsert}, &ids);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("external-id field"), std::string::npos) << s.message();
  s = outbox_->Accept({Update("Case", "", {})}, &ids);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Count(OutboxState::kPending), 0);
}

TEST_F(OutboxTest, AcceptedActionsSurviveReopeningTheFile) {
  std::vector<int64_t> ids = Accept({Create("Lead", {Value("LastName", "Durable")})});
  const std::string nonce = outbox_->nonce();
  Open();
  EXPECT_EQ(outbox_->nonce(), nonce);
  EXPECT_EQ(Get(ids[0]).action.fields[0].text, "Durable");
  // Ids are never reused, even after the entry is gone.
  ASSERT_EQ(ClaimIds(), ids);
  ASSERT_TRUE(outbox_->Finish({Outcome(ids[0], OutboxState::kDone)}).ok());
  int64_t purged = 0;
  now_ms_ += 1000;
  ASSERT_TRUE(outbox_->PurgeDone(std::chrono::milliseconds(0), &purged).ok());
  EXPECT_EQ(purged, 1);
  std::vector<int64_t> more = Accept({Create("Lead", {Value("LastName", "Next")})});
  EXPECT_GT(more[0], ids[0]);
}

TEST_F(OutboxTest, OneRecordsActionsLeaveInOrderAndARetryHoldsItsLane) {
  const std::string id = "500000000000001AAA";
  std::vector<int64_t> a = Accept({Update("Case", id, {Value("Status", "Working")})});
  std::vector<int64_t> b = Accept({Update("Case", id, {Value("Status", "Closed")})});
  std::vector<int64_t> other = Accept({Update("Case", "500000000000002AAA", {})});
  // All three are due: the two of one record are claimed together, in order.
  EXPECT_EQ(ClaimIds(), (std::vector<int64_t>{a[0], b[0], other[0]}));
  // The first fails and waits for a retry: the second must not overtake it.
  ASSERT_TRUE(outbox_->Finish({Outcome(a[0], OutboxState::kPending, "busy", now_ms_ + 5000),
                               Outcome(b[0], OutboxState::kPending, "not processed", 0),
                               Outcome(other[0], OutboxState::kPending, "busy", 0)})
                  .ok());
  EXPECT_EQ(ClaimIds(), std::vector<int64_t>{other[0]});
  now_ms_ += 5000;
  EXPECT_EQ(ClaimIds(), (std::vector<int64_t>{a[0], b[0]}));
  // While one is in flight, nothing else of its lane is claimed.
  std::vector<int64_t> c = Accept({Update("Case", id, {Value("Priority", "High")})});
  EXPECT_TRUE(ClaimIds().empty());
  ASSERT_TRUE(outbox_->Finish({Outcome(a[0], OutboxState::kDone),
                               Outcome(b[0], OutboxState::kDone)}).ok());
  EXPECT_EQ(ClaimIds(), c);
}

TEST_F(OutboxTest, RecoverPutsInFlightEntriesBackMarkedMaybeSent) {
  std::vector<int64_t> ids = Accept({Create("Lead", {Value("LastName", "Crash")})});
  ASSERT_EQ(ClaimIds(), ids);
  Open();  // the process died with the entry in flight
  EXPECT_TRUE(ClaimIds().empty());
  int64_t recovered = 0;
  ASSERT_TRUE(outbox_->Recover(&recovered).ok());
  EXPECT_EQ(recovered, 1);
  std::vector<OutboxItem> items;
  ASSERT_TRUE(outbox_->Claim(10, &items).ok());
  ASSERT_EQ(items.size(), 1u);
  EXPECT_TRUE(items[0].entry.maybe_sent);
  EXPECT_TRUE(items[0].action.maybe_sent);
  // A stale outcome for an entry that is no longer in flight changes nothing.
  ASSERT_TRUE(outbox_->Recover(&recovered).ok());
  ASSERT_TRUE(outbox_->Finish({Outcome(ids[0], OutboxState::kDead, "stale")}).ok());
  EXPECT_EQ(Get(ids[0]).entry.state, OutboxState::kPending);
}

TEST_F(OutboxTest, DeadLettersKeepTheirErrorAndReplayWithTheirDependentsInOneCall) {
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Refused")}),
      Create("Task", {Ref("WhoId", 0)}),
  });
  ASSERT_EQ(ClaimIds(), ids);
  ASSERT_TRUE(outbox_->Finish({Outcome(ids[0], OutboxState::kDead,
                                       "REQUIRED_FIELD_MISSING: Company"),
                               Outcome(ids[1], OutboxState::kDead, "depends on a failure")})
                  .ok());
  std::vector<OutboxItem> dead;
  ASSERT_TRUE(outbox_->ListDeadLetters(0, 10, &dead).ok());
  ASSERT_EQ(dead.size(), 2u);
  EXPECT_EQ(dead[0].entry.error, "REQUIRED_FIELD_MISSING: Company");
  EXPECT_EQ(dead[0].entry.attempts, 1);
  int64_t replayed = 0;
  ASSERT_TRUE(outbox_->Replay(ids[0], &replayed).ok());
  EXPECT_EQ(replayed, 2);
  EXPECT_EQ(Count(OutboxState::kDead), 0);
  OutboxItem lead = Get(ids[0]);
  EXPECT_EQ(lead.entry.state, OutboxState::kPending);
  EXPECT_EQ(lead.entry.attempts, 0);
  EXPECT_EQ(ClaimIds(), ids);
  // Replaying something that is not a dead letter does nothing.
  ASSERT_TRUE(outbox_->Replay(ids[0], &replayed).ok());
  EXPECT_EQ(replayed, 0);
}

TEST_F(OutboxTest, LeadCreatesForOneCustomerMergeIntoTheFirst) {
  std::vector<int64_t> first =
      Accept({Create("Lead", {Value("LastName", "Ng"), Value("Email", "ann@x.example")})});
  std::vector<int64_t> second = Accept({
      Create("Lead", {Value("LastName", "Ng"), Value("Email", "  ANN@x.example ")}),
      Create("Task", {Value("Subject", "Chat"), Ref("WhoId", 0)}),
  });
  std::vector<int64_t> other =
      Accept({Create("Lead", {Value("LastName", "Bo"), Value("Phone", "+1 (415) 555-0100")})});
  std::vector<int64_t> same_phone =
      Accept({Create("Lead", {Value("LastName", "Bo"), Value("Phone", "415.555.0100")})});
  OutboxItem merged = Get(second[0]);
  EXPECT_EQ(merged.entry.alias_of, first[0]);
  EXPECT_EQ(Get(second[1]).entry.lane, Get(first[0]).entry.lane);
  EXPECT_EQ(Get(other[0]).entry.alias_of, 0);
  EXPECT_EQ(Get(same_phone[0]).entry.alias_of, other[0]);
  // Once the first is done and the window has passed, a new create stands alone.
  ASSERT_FALSE(ClaimIds().empty());
  ASSERT_TRUE(outbox_->Finish({Outcome(first[0], OutboxState::kDone)}).ok());
  now_ms_ += std::chrono::milliseconds(std::chrono::minutes(11)).count();
  std::vector<int64_t> later =
      Accept({Create("Lead", {Value("LastName", "Ng"), Value("Email", "ann@x.example")})});
  EXPECT_EQ(Get(later[0]).entry.alias_of, 0);
}

TEST_F(OutboxTest, BodiesRoundTripAndDamagedBodiesAreRefused) {
  OutboundAction a;
  a.id = 42;
  a.key = "cf-abc-42";
  a.kind = ActionKind::kUpsert;
  a.object = "Case";
  a.target_id = "";
  a.target_ref = 7;
  a.key_field = "ConnectFlo_Action_Id__c";
  a.fields = {{"Subject", OutboundField::Kind::kValue, JsonType::kString, "Refund \xE2\x82\xAC", 0},
              {"Amount__c", OutboundField::Kind::kValue, JsonType::kNumber, "-12.5", 0},
              {"ContactId", OutboundField::Kind::kRef, JsonType::kString, "", 3},
              {"Reason", OutboundField::Kind::kNull, JsonType::kString, "", 0}};
  a.arguments = {"x", ""};
  const std::string bytes = Outbox::EncodeAction(a);
  OutboundAction b;
  ASSERT_TRUE(Outbox::DecodeAction(bytes, &b));
  b.id = 42;  // the id comes from the entry, not the body
  EXPECT_EQ(a, b);
  for (size_t n = 0; n < bytes.size(); ++n) {
    OutboundAction c;
    EXPECT_FALSE(Outbox::DecodeAction(std::string_view(bytes).substr(0, n), &c)) << n;
  }
}

// A file written by the previous build (state schema 1) gains the outbox when opened.
TEST(OutboxMigrationTest, ASchemaOneFileIsMigrated) {
  TempDir dir;
  const std::string path = dir.File("v1.db");
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db,
                         "CREATE TABLE cf_schema_version(version INTEGER NOT NULL);"
                         "INSERT INTO cf_schema_version VALUES(1);"
                         "CREATE TABLE kv(ns TEXT NOT NULL, key TEXT NOT NULL, value BLOB NOT "
                         "NULL, PRIMARY KEY(ns, key));"
                         "CREATE TABLE records(object TEXT NOT NULL COLLATE NOCASE, id TEXT NOT "
                         "NULL, body BLOB NOT NULL, PRIMARY KEY(object, id));"
                         "INSERT INTO kv VALUES('settings', 'a', 'kept');"
                         "PRAGMA application_id = 1128682324;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK);
  sqlite3_close(db);
  std::unique_ptr<SqliteStateStore> raw;
  Status s = SqliteStateStore::Open(path, {}, &raw);
  ASSERT_TRUE(s.ok()) << s.message();
  std::shared_ptr<SqliteStateStore> store = std::move(raw);
  std::optional<std::string> kept;
  ASSERT_TRUE(store->Get("settings", "a", &kept).ok());
  EXPECT_EQ(kept, "kept");
  std::unique_ptr<Outbox> outbox;
  ASSERT_TRUE(Outbox::Open(store, {}, &outbox).ok());
  std::vector<int64_t> ids;
  ASSERT_TRUE(outbox->Accept({Create("Lead", {Value("LastName", "Migrated")})}, &ids).ok());
  EXPECT_EQ(ids, std::vector<int64_t>{1});
}

// ------------------------------------------------------------------ dispatcher, scripted

// A Connector whose outcomes the test scripts: per call, by the action's first field value.
class ScriptedConnector : public Connector {
 public:
  // The outcome for actions whose first field's text is `marker`; others are done with the Id
  // "001" + their outbox id.
  void Script(const std::string& marker, ActionOutcome outcome) {
    std::lock_guard<std::mutex> lock(mu_);
    script_[marker] = std::move(outcome);
  }
  void Unscript(const std::string& marker) {
    std::lock_guard<std::mutex> lock(mu_);
    script_.erase(marker);
  }
  std::vector<ActionOutcome> Write(const std::vector<OutboundAction>& batch) override {
    std::lock_guard<std::mutex> lock(mu_);
    batches_.push_back(batch);
    std::vector<ActionOutcome> out;
    std::map<int64_t, bool> ok;  // this batch's results, for references
    for (const OutboundAction& a : batch) {
      ActionOutcome o;
      auto it = a.fields.empty() ? script_.end() : script_.find(a.fields[0].text);
      bool ref_failed = false;
      for (const OutboundField& f : a.fields) {
        if (f.kind == OutboundField::Kind::kRef) ref_failed = ref_failed || !ok[f.ref];
      }
      if (ref_failed) {
        o.kind = ActionOutcome::Kind::kRetry;
        o.error = "its reference failed";
      } else if (it != script_.end()) {
        o = it->second;
      } else {
        o.kind = ActionOutcome::Kind::kDone;
        o.record_id = "00Q" + std::to_string(a.id);
      }
      ok[a.id] = o.kind == ActionOutcome::Kind::kDone;
      out.push_back(o);
    }
    return out;
  }
  std::vector<std::vector<OutboundAction>> batches() {
    std::lock_guard<std::mutex> lock(mu_);
    return batches_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, ActionOutcome> script_;
  std::vector<std::vector<OutboundAction>> batches_;
};

class DispatcherTest : public OutboxTest {
 protected:
  DispatcherCallbacks Callbacks() {
    DispatcherCallbacks c;
    c.on_outcome = [this](const ActionReport& r) {
      std::lock_guard<std::mutex> lock(mu_);
      reports_[r.id] = r;
    };
    c.on_host_action = [this](const OutboundAction& a) {
      std::lock_guard<std::mutex> lock(mu_);
      host_.push_back(a);
      return true;
    };
    c.on_written = [this](const OutboundAction& a, const std::string& id) {
      std::lock_guard<std::mutex> lock(mu_);
      written_[a.id] = id;
    };
    return c;
  }
  static DispatcherOptions Options() {
    DispatcherOptions o;
    o.backoff_base = std::chrono::milliseconds(10);
    o.backoff_max = std::chrono::milliseconds(40);
    o.max_attempts = 3;
    return o;
  }
  ActionReport Report(int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    return reports_.count(id) ? reports_[id] : ActionReport{};
  }
  // Runs rounds until nothing is due (the test's clock moves past every backoff).
  void Drain(Dispatcher& d, int rounds = 20) {
    for (int i = 0; i < rounds; ++i) {
      size_t n = 0;
      ASSERT_TRUE(d.RunOnce(&n).ok());
      now_ms_ += 1000;
    }
  }

  ScriptedConnector connector_;
  std::mutex mu_;
  std::map<int64_t, ActionReport> reports_;
  std::vector<OutboundAction> host_;
  std::map<int64_t, std::string> written_;
};

TEST_F(DispatcherTest, OneRoundSendsOneBatchAndReportsEveryOutcome) {
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Ng")}),
      Create("Task", {Value("Subject", "Call"), Ref("WhoId", 0)}),
      Host(ActionKind::kAddTag, "vip"),
  });
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), Options());
  size_t finished = 0;
  ASSERT_TRUE(d.RunOnce(&finished).ok());
  EXPECT_EQ(finished, 3u);
  ASSERT_EQ(connector_.batches().size(), 1u);
  const std::vector<OutboundAction> batch = connector_.batches()[0];
  ASSERT_EQ(batch.size(), 2u);  // the host action went to the host
  EXPECT_EQ(batch[1].fields[1].kind, OutboundField::Kind::kRef);
  EXPECT_EQ(batch[1].fields[1].ref, ids[0]);
  EXPECT_TRUE(Report(ids[0]).ok);
  EXPECT_EQ(Report(ids[0]).record_id, "00Q" + std::to_string(ids[0]));
  EXPECT_TRUE(Report(ids[2]).ok);
  ASSERT_EQ(host_.size(), 1u);
  EXPECT_EQ(host_[0].arguments[0], "vip");
  EXPECT_EQ(written_[ids[1]], "00Q" + std::to_string(ids[1]));
  EXPECT_EQ(Count(OutboxState::kDone), 3);
  EXPECT_EQ(Get(ids[0]).entry.result, "00Q" + std::to_string(ids[0]));
}

TEST_F(DispatcherTest, AReferenceToAnEarlierBatchIsFilledWithItsRecordId) {
  std::vector<int64_t> ids = Accept({
      Create("Lead", {Value("LastName", "Ng")}),
      Create("Task", {Value("Subject", "Call"), Ref("WhoId", 0)}),
  });
  DispatcherOptions o = Options();
  o.batch_size = 1;
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), o);
  Drain(d, 2);
  ASSERT_EQ(connector_.batches().size(), 2u);
  const OutboundAction task = connector_.batches()[1][0];
  EXPECT_EQ(task.fields[1].kind, OutboundField::Kind::kValue);
  EXPECT_EQ(task.fields[1].text, "00Q" + std::to_string(ids[0]));
}

TEST_F(DispatcherTest, TransientFailuresRetryUnknownOutcomesAreMarkedAndPermanentOnesDie) {
  connector_.Script("flaky", {ActionOutcome::Kind::kRetry, "", "UNABLE_TO_LOCK_ROW", {}});
  connector_.Script("maybe", {ActionOutcome::Kind::kUnknown, "", "connection reset", {}});
  connector_.Script("bad", {ActionOutcome::Kind::kFailed, "", "FIELD_CUSTOM_VALIDATION_EXCEPTION", {}});
  std::vector<int64_t> flaky = Accept({Create("Lead", {Value("LastName", "flaky")})});
  std::vector<int64_t> maybe = Accept({Create("Lead", {Value("LastName", "maybe")})});
  std::vector<int64_t> bad = Accept({Create("Lead", {Value("LastName", "bad")}),
                                     Create("Task", {Value("Subject", "x"), Ref("WhoId", 0)})});
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), Options());
  ASSERT_TRUE(d.RunOnce().ok());
  EXPECT_EQ(Get(flaky[0]).entry.state, OutboxState::kPending);
  EXPECT_EQ(Get(flaky[0]).entry.error, "UNABLE_TO_LOCK_ROW");
  EXPECT_TRUE(Get(maybe[0]).entry.maybe_sent);
  EXPECT_EQ(Get(bad[0]).entry.state, OutboxState::kDead);
  EXPECT_FALSE(Report(bad[0]).ok);
  EXPECT_EQ(Report(bad[0]).error, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  connector_.Unscript("maybe");
  Drain(d, 5);
  // The next attempt of the unknown one tells the connector it may have been sent.
  bool saw_maybe_sent = false;
  for (const auto& batch : connector_.batches()) {
    for (const OutboundAction& a : batch) saw_maybe_sent |= a.id == maybe[0] && a.maybe_sent;
  }
  EXPECT_TRUE(saw_maybe_sent);
  EXPECT_TRUE(Report(maybe[0]).ok);
  // The task that depends on the dead letter is a dead letter too, naming why.
  EXPECT_EQ(Get(bad[1]).entry.state, OutboxState::kDead);
  EXPECT_NE(Report(bad[1]).error.find("FIELD_CUSTOM_VALIDATION_EXCEPTION"), std::string::npos);
  // Still transient after max_attempts: a dead letter that says so.
  EXPECT_EQ(Get(flaky[0]).entry.state, OutboxState::kDead);
  EXPECT_NE(Report(flaky[0]).error.find("gave up after 3 attempts"), std::string::npos);
  // The cause is fixed: one call replays the Lead and its Task, and both land.
  connector_.Unscript("bad");
  int64_t replayed = 0;
  ASSERT_TRUE(outbox_->Replay(bad[0], &replayed).ok());
  EXPECT_EQ(replayed, 2);
  Drain(d, 2);
  EXPECT_TRUE(Report(bad[0]).ok);
  EXPECT_TRUE(Report(bad[1]).ok);
}

TEST_F(DispatcherTest, AHoldStopsSendingUntilItsTimeAndDropsNothing) {
  std::vector<int64_t> ids = Accept({Create("Lead", {Value("LastName", "held")}),
                                     Create("Lead", {Value("LastName", "other")})});
  const auto until = std::chrono::system_clock::time_point(
      std::chrono::milliseconds(now_ms_ + 60'000));
  connector_.Script("held", {ActionOutcome::Kind::kHold, "", "REQUEST_LIMIT_EXCEEDED", until});
  connector_.Script("other", {ActionOutcome::Kind::kHold, "", "REQUEST_LIMIT_EXCEEDED", until});
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), Options());
  ASSERT_TRUE(d.RunOnce().ok());
  EXPECT_EQ(d.held_until(), until);
  connector_.Unscript("held");
  connector_.Unscript("other");
  now_ms_ += 30'000;
  ASSERT_TRUE(d.RunOnce().ok());
  EXPECT_EQ(connector_.batches().size(), 1u);  // still holding: nothing sent
  now_ms_ += 31'000;
  ASSERT_TRUE(d.RunOnce().ok());
  EXPECT_EQ(connector_.batches().size(), 2u);
  EXPECT_EQ(Count(OutboxState::kDone), 2);
  EXPECT_EQ(Get(ids[0]).entry.attempts, 1);  // the held round did not count
}

TEST_F(DispatcherTest, AMergedLeadReportsTheFirstLeadsRecordAndItsTaskUsesIt) {
  std::vector<int64_t> first =
      Accept({Create("Lead", {Value("LastName", "Ng"), Value("Email", "ann@x.example")})});
  std::vector<int64_t> second = Accept({
      Create("Lead", {Value("LastName", "Ng"), Value("Email", "ann@x.example")}),
      Create("Task", {Value("Subject", "Chat"), Ref("WhoId", 0)}),
  });
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), Options());
  Drain(d, 2);
  size_t leads = 0;
  for (const auto& batch : connector_.batches()) {
    for (const OutboundAction& a : batch) leads += a.object == "Lead";
  }
  EXPECT_EQ(leads, 1u);
  const std::string lead_id = "00Q" + std::to_string(first[0]);
  EXPECT_EQ(Report(second[0]).record_id, lead_id);
  EXPECT_EQ(Report(second[0]).merged_into, first[0]);
  EXPECT_TRUE(Report(second[1]).ok);
  // The Task was sent pointing at the first Lead (same batch: by reference to it).
  bool task_points_at_lead = false;
  for (const auto& batch : connector_.batches()) {
    for (const OutboundAction& a : batch) {
      if (a.id != second[1]) continue;
      task_points_at_lead = (a.fields[1].kind == OutboundField::Kind::kRef &&
                             a.fields[1].ref == first[0]) ||
                            a.fields[1].text == lead_id;
    }
  }
  EXPECT_TRUE(task_points_at_lead);
}

TEST_F(DispatcherTest, BackgroundWorkersDrainTheOutboxAndStopCleanly) {
  OutboxOptions options;  // the real clock: workers wait for real backoffs
  ASSERT_TRUE(Outbox::Open(store_, options, &outbox_).ok());
  std::vector<int64_t> all;
  for (int i = 0; i < 50; ++i) {
    std::vector<int64_t> ids = Accept({Create("Lead", {Value("LastName", "bg" + std::to_string(i))}),
                                       Host(ActionKind::kNotify, "ops")});
    all.insert(all.end(), ids.begin(), ids.end());
  }
  DispatcherOptions o = Options();
  o.workers = 2;
  o.batch_size = 7;
  Dispatcher d(outbox_.get(), &connector_, Callbacks(), o);
  ASSERT_TRUE(d.Start().ok());
  d.Wake();
  EXPECT_TRUE(d.WaitIdle(std::chrono::seconds(20)));
  d.Stop();
  EXPECT_EQ(Count(OutboxState::kDone), 100);
  for (int64_t id : all) EXPECT_TRUE(Report(id).ok) << id;
  EXPECT_EQ(host_.size(), 50u);
}

TEST_F(DispatcherTest, DoneWritesAreVisibleInTheCacheAtOnce) {
  std::shared_ptr<const Schema> schema = testing::MakeStateSchema();
  auto sink = std::make_shared<PersistentRecordSink>(store_, schema);
  ASSERT_TRUE(sink->Load().ok());
  const int account = schema->IndexOf("Account");
  const int contact = schema->IndexOf("Contact");
  // A cached Account with a name and a rating.
  {
    RecordBuilder b(sink->layout(account));
    b.SetFromText(*sink->layout(account)->SlotForField("Id"), testing::IdText("001", 7));
    b.SetFromText(*sink->layout(account)->SlotForField("Name"), "Acme");
    b.SetFromText(*sink->layout(account)->SlotForField("Rating__c"), "4");
    SyncBatch batch;
    batch.object_index = account;
    batch.upserts.push_back(b.Finish());
    ASSERT_TRUE(sink->Apply(batch).ok());
  }
  // The scripted connector gives creates the Id "00Q<id>", which is no Contact Id: give
  // the create a real one.
  std::vector<int64_t> ids = Accept({
      Create("Contact", {Value("LastName", "Cached"), Value("Email", "C@x.example")}),
      Update("Account", testing::IdText("001", 7), {Value("Name", "Acme Renamed")}),
  });
  connector_.Script("Cached", {ActionOutcome::Kind::kDone, testing::IdText("003", 9), "", {}});
  DispatcherCallbacks callbacks = Callbacks();
  callbacks.on_written = [sink](const OutboundAction& a, const std::string& id) {
    ASSERT_TRUE(WriteThrough(*sink, a, id).ok());
  };
  // The update's outcome: the scripted default Id is not an Account Id; script it too.
  connector_.Script("Acme Renamed",
                    {ActionOutcome::Kind::kDone, testing::IdText("001", 7), "", {}});
  Dispatcher d(outbox_.get(), &connector_, callbacks, Options());
  ASSERT_TRUE(d.RunOnce().ok());
  RecordSnapshotPtr snap = sink->Snapshot();
  RecordSpan by_email = snap->FindByEmail(contact, "c@x.example");
  ASSERT_EQ(by_email.size, 1u);
  const Record* made = snap->Find(contact, testing::Id(testing::IdText("003", 9)));
  ASSERT_NE(made, nullptr);
  EXPECT_EQ(made->GetString(*made->layout().SlotForField("LastName")), "Cached");
  const Record* renamed = snap->Find(account, testing::Id(testing::IdText("001", 7)));
  ASSERT_NE(renamed, nullptr);
  EXPECT_EQ(renamed->GetString(*renamed->layout().SlotForField("Name")), "Acme Renamed");
  // Fields the update did not write are kept.
  EXPECT_EQ(renamed->GetNumber(*renamed->layout().SlotForField("Rating__c")),
            *Decimal::Parse("4"));
  // And the store has them: a restart sees them too.
  auto reloaded = std::make_shared<PersistentRecordSink>(store_, schema);
  ASSERT_TRUE(reloaded->Load().ok());
  EXPECT_NE(reloaded->Snapshot()->Find(contact, testing::Id(testing::IdText("003", 9))), nullptr);
}

}  // namespace
}  // namespace cf::engine
