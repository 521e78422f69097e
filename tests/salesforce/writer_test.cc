// The batch writer against the emulator over real sockets (TLS): what lands, what each write
// reports, how many API calls a batch costs, and how whole-call faults come back.
#include <set>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "connectors/salesforce/writer.h"
#include "tests/salesforce/connector_fixture.h"

namespace cf::sf {
namespace {

using json = nlohmann::json;
using testing::ConnectorFixture;

class WriterTest : public ConnectorFixture {
 protected:
  void Connect(bool refresh_token = false) {
    client_ = refresh_token ? ConnectWithRefreshToken() : ConnectWithPassword();
    ASSERT_NE(client_, nullptr);
    emu().control().Reset();  // count only the writes' calls
  }

  WriteBatch Write(const std::vector<WriteOp>& ops, WriterOptions options = {}) {
    BatchWriter writer(*client_, options);
    return writer.Write(ops);
  }

  // GET /sobjects/X/ID; null when absent.
  json Record(const std::string& object, const std::string& id) {
    ApiResult r = client_->Get("sobjects/" + object + "/" + id);
    if (!r.ok()) return nullptr;
    std::string error;
    return r.Json(&error).value_or(json());
  }

  json Query(const std::string& soql) {
    ApiResult r = client_->Get("query?q=" + FormEncode(soql));
    EXPECT_TRUE(r.ok()) << r.failure->Describe();
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

  int64_t ApiCalls() { return emu().control().TotalApiCalls(); }

  static json LeadFields(const std::string& last) {
    return {{"LastName", last}, {"Company", "Writer Test Co"}};
  }

  static std::string Codes(const WriteResult& r) {
    std::string out;
    if (!r.failure) return out;
    for (const SalesforceError& e : r.failure->errors) out += e.error_code + " ";
    return out;
  }

  std::unique_ptr<SalesforceClient> client_;
};

TEST_F(WriterTest, CreatesOfMixedObjectsLandInOneCall) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("a1", "Lead", LeadFields("Mixed-Lead")));
  ops.push_back(WriteOp::Create("a2", "Account", {{"Name", "Mixed Account"}, {"Tier__c", "Gold"}}));
  ops.push_back(WriteOp::Create("a3", "Contact",
                                {{"LastName", "Mixed-Contact"}, {"Email", "mixed@example.com"}}));
  ops.push_back(WriteOp::Create("a4", "Case", {{"Subject", "Mixed case"}}));
  WriteBatch batch = Write(ops);
  ASSERT_EQ(batch.results.size(), 4u);
  EXPECT_EQ(batch.calls, 1);
  EXPECT_EQ(ApiCalls(), 1);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.create"), 1);
  const char* objects[] = {"Lead", "Account", "Contact", "Case"};
  for (size_t i = 0; i < 4; ++i) {
    const WriteResult& r = batch.results[i];
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    EXPECT_EQ(r.key, ops[i].key);
    EXPECT_EQ(r.id.size(), 18u);
    EXPECT_EQ(r.call, 0);
    json record = Record(objects[i], r.id);
    ASSERT_TRUE(record.is_object()) << objects[i];
    EXPECT_EQ(record["attributes"]["type"], objects[i]);
  }
  EXPECT_EQ(Record("Account", batch.results[1].id)["Tier__c"], "Gold");
}

TEST_F(WriterTest, UpdatesAndUpsertsLand) {
  Connect();
  const std::string account = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  const std::string contact = FirstId("SELECT Id FROM Contact ORDER BY LastName LIMIT 1");
  ASSERT_FALSE(account.empty());
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Update("u1", "Account", account, {{"SLA_Hours__c", 12}}));
  ops.push_back(WriteOp::Update("u2", "Contact", contact, {{"Title", "Head of Writes"}}));
  ops.push_back(WriteOp::Upsert("u3", "Case", "ConnectFlo_Action_Id__c", "act-new-1",
                                {{"Subject", "Upserted, new"}}));
  ops.push_back(WriteOp::Upsert("u4", "Case", "ConnectFlo_Action_Id__c", "act-1a2b-3c4d",
                                {{"Subject", "Upserted, existing"}}));
  ops.push_back(WriteOp::Upsert("u5", "Lead", "ConnectFlo_Conversation_Id__c", "conv-new-1",
                                LeadFields("Upserted-Lead")));
  WriteBatch batch = Write(ops);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  EXPECT_EQ(batch.results[0].id, account);
  EXPECT_EQ(Record("Account", account)["SLA_Hours__c"], 12);
  EXPECT_EQ(Record("Contact", contact)["Title"], "Head of Writes");
  EXPECT_EQ(batch.results[2].created, std::optional<bool>(true));
  EXPECT_EQ(batch.results[3].created, std::optional<bool>(false));
  EXPECT_EQ(batch.results[3].id, "500Dn0000g8bnzGIAQ");
  EXPECT_EQ(Record("Case", batch.results[2].id)["ConnectFlo_Action_Id__c"], "act-new-1");
  EXPECT_EQ(Record("Case", "500Dn0000g8bnzGIAQ")["Subject"], "Upserted, existing");
  EXPECT_EQ(Record("Lead", batch.results[4].id)["ConnectFlo_Conversation_Id__c"], "conv-new-1");
  EXPECT_EQ(batch.results[4].created, std::optional<bool>(true));
  // Updates: one collections call. Upserts: one collections upsert per object and field.
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.update"), 1);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.upsert"), 2);
  EXPECT_EQ(emu().control().ApiCalls("composite"), 0);
  EXPECT_EQ(batch.calls, 3);
}

TEST_F(WriterTest, ThousandUpsertsCostFiveCollectionsCalls) {
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 1000; ++i) {
    ops.push_back(WriteOp::Upsert("k" + std::to_string(i), "Case", "ConnectFlo_Action_Id__c",
                                  "act-bulk-" + std::to_string(i), {{"Subject", "Bulk upsert"}}));
  }
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 5);
  EXPECT_EQ(ApiCalls(), 5);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.upsert"), 5);
  for (const WriteResult& r : batch.results) {
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    EXPECT_EQ(r.created, std::optional<bool>(true));
  }
  // Again: the same records, updated.
  emu().control().Reset();
  WriteBatch again = Write(ops);
  EXPECT_EQ(again.calls, 5);
  for (const WriteResult& r : again.results) {
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    EXPECT_EQ(r.created, std::optional<bool>(false));
  }
  EXPECT_EQ(
      Query("SELECT COUNT() FROM Case WHERE ConnectFlo_Action_Id__c LIKE 'act-bulk-%'")["totalSize"],
      1000);
}

TEST_F(WriterTest, UpsertsThroughCompositeWhenAskedCostOneCall) {
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 20; ++i) {
    ops.push_back(WriteOp::Upsert("k" + std::to_string(i), "Case", "ConnectFlo_Action_Id__c",
                                  "act-up-" + std::to_string(i), {{"Subject", "Case"}}));
  }
  WriterOptions options;
  options.upsert_through_collections = false;
  WriteBatch batch = Write(ops, options);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.failure->Describe();
  EXPECT_EQ(batch.calls, 1);
  EXPECT_EQ(ApiCalls(), 1);
  WriteBatch again = Write(ops, options);
  for (const WriteResult& r : again.results) {
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    EXPECT_EQ(r.created, std::optional<bool>(false));
  }
  EXPECT_EQ(Query("SELECT Id FROM Case WHERE ConnectFlo_Action_Id__c LIKE 'act-up-%'")["totalSize"],
            20);
}

TEST_F(WriterTest, PerRecordFailuresAreReportedWhileTheGoodOnesLand) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("good1", "Lead", LeadFields("Good-One")));
  ops.push_back(WriteOp::Create("required", "Lead", {{"FirstName", "Nameless"}}));
  ops.push_back(WriteOp::Create("rule", "Account", {{"Name", "Negative"}, {"AnnualRevenue", -5}}));
  ops.push_back(WriteOp::Create("picklist", "Account", {{"Name", "Diamond"}, {"Tier__c", "Diamond"}}));
  ops.push_back(WriteOp::Create("unknown", "Lead", {{"LastName", "X"}, {"Company", "Y"},
                                                    {"No_Such_Field__c", 1}}));
  ops.push_back(WriteOp::Create("duplicate", "Lead",
                                {{"LastName", "Dup"}, {"Company", "Dup Co"},
                                 {"ConnectFlo_Conversation_Id__c", "conv-7f3a9c21"}}));
  ops.push_back(WriteOp::Create("good2", "Account", {{"Name", "Good Two"}}));
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 1);
  const auto& r = batch.results;
  ASSERT_TRUE(r[0].ok()) << r[0].failure->Describe();
  ASSERT_TRUE(r[6].ok()) << r[6].failure->Describe();
  EXPECT_TRUE(Record("Lead", r[0].id).is_object());
  EXPECT_TRUE(Record("Account", r[6].id).is_object());

  ASSERT_FALSE(r[1].ok());
  EXPECT_EQ(r[1].failure->category, ErrorCategory::kValidation);
  EXPECT_EQ(r[1].failure->retry, RetryAdvice::kNever);
  ASSERT_EQ(r[1].failure->errors.size(), 1u) << Codes(r[1]);
  EXPECT_EQ(r[1].failure->errors[0].error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(r[1].failure->errors[0].fields, (std::vector<std::string>{"LastName", "Company"}));

  ASSERT_FALSE(r[2].ok());
  EXPECT_EQ(r[2].failure->errors.at(0).error_code, "FIELD_CUSTOM_VALIDATION_EXCEPTION");
  EXPECT_EQ(r[2].failure->category, ErrorCategory::kValidation);
  ASSERT_FALSE(r[3].ok());
  EXPECT_EQ(r[3].failure->errors.at(0).error_code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(r[3].failure->errors.at(0).fields, std::vector<std::string>{"Tier__c"});
  ASSERT_FALSE(r[4].ok());
  EXPECT_EQ(r[4].failure->errors.at(0).error_code, "INVALID_FIELD");
  EXPECT_EQ(r[4].failure->category, ErrorCategory::kMalformedRequest);
  ASSERT_FALSE(r[5].ok());
  EXPECT_EQ(r[5].failure->errors.at(0).error_code, "DUPLICATE_VALUE");
  for (size_t i = 1; i <= 5; ++i) {
    EXPECT_FALSE(r[i].failure->retryable()) << i;
    EXPECT_FALSE(r[i].outcome_unknown) << i;
    EXPECT_TRUE(r[i].id.empty()) << i;
  }
}

TEST_F(WriterTest, EveryErrorOfARecordIsKept) {
  Connect();
  // Missing required fields and a restricted picklist value at once.
  WriteBatch batch = Write({WriteOp::Create(
      "two", "Account", {{"Tier__c", "Diamond"}, {"AnnualRevenue", -1}})});
  ASSERT_FALSE(batch.results[0].ok());
  EXPECT_GE(batch.results[0].failure->errors.size(), 2u) << Codes(batch.results[0]);
  const std::string described = batch.results[0].failure->Describe();
  for (const SalesforceError& e : batch.results[0].failure->errors) {
    EXPECT_NE(described.find(e.error_code), std::string::npos) << described;
  }
}

TEST_F(WriterTest, AllOrNoneRollsTheCallBack) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("g1", "Lead", LeadFields("AllOrNone-1")));
  ops.push_back(WriteOp::Create("bad", "Lead", {{"FirstName", "Nameless"}}));
  ops.push_back(WriteOp::Create("g2", "Lead", LeadFields("AllOrNone-2")));
  WriterOptions options;
  options.all_or_none = true;
  WriteBatch batch = Write(ops, options);
  for (size_t i : {0u, 2u}) {
    ASSERT_FALSE(batch.results[i].ok());
    EXPECT_EQ(batch.results[i].failure->category, ErrorCategory::kNotProcessed);
    EXPECT_EQ(batch.results[i].failure->retry, RetryAdvice::kResubmitSeparately);
    EXPECT_EQ(batch.results[i].failure->errors.at(0).error_code,
              "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  }
  EXPECT_EQ(batch.results[1].failure->category, ErrorCategory::kValidation);
  EXPECT_EQ(Query("SELECT Id FROM Lead WHERE LastName LIKE 'AllOrNone-%'")["totalSize"], 0);
}

std::vector<WriteOp> LinkedOps() {
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("lead", "Lead", {{"LastName", "Referenced"}, {"Company", "Co"}})
                    .As("newLead"));
  ops.push_back(WriteOp::Create("task", "Task",
                                {{"Subject", "Follow up"}, {"WhoId", RefId("newLead")}}));
  ops.push_back(WriteOp::Update("touch", "Lead", RefId("newLead"), {{"Title", "Buyer"}}));
  ops.push_back(WriteOp::Create("other", "Account", {{"Name", "Unlinked"}}));
  return ops;
}

TEST_F(WriterTest, ReferencesAreFilledInByRoundsOfCollectionsCalls) {
  Connect();
  WriteBatch batch = Write(LinkedOps());
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  // Round 1: the Lead and the Account (one create call). Round 2: the Task (creates) and the
  // update by reference (updates).
  EXPECT_EQ(batch.calls, 3);
  EXPECT_EQ(emu().control().ApiCalls("composite"), 0);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.create"), 2);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.update"), 1);
  EXPECT_EQ(batch.results[0].call, 0);
  EXPECT_EQ(batch.results[3].call, 0);
  const std::string lead = batch.results[0].id;
  EXPECT_EQ(lead.substr(0, 3), "00Q");
  EXPECT_EQ(batch.results[2].id, lead);
  EXPECT_EQ(Record("Task", batch.results[1].id)["WhoId"], lead);
  EXPECT_EQ(Record("Lead", lead)["Title"], "Buyer");
}

TEST_F(WriterTest, ReferencesGoInOneCompositeCallWhenAsked) {
  Connect();
  WriterOptions options;
  options.linked_writes = LinkedWrites::kComposite;
  WriteBatch batch = Write(LinkedOps(), options);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  EXPECT_EQ(batch.calls, 2);
  EXPECT_EQ(emu().control().ApiCalls("composite"), 1);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.create"), 1);
  const std::string lead = batch.results[0].id;
  EXPECT_EQ(lead.substr(0, 3), "00Q");
  EXPECT_EQ(batch.results[2].id, lead);
  json task = Record("Task", batch.results[1].id);
  EXPECT_EQ(task["WhoId"], lead);
  EXPECT_EQ(Record("Lead", lead)["Title"], "Buyer");
}

TEST_F(WriterTest, WithCompositeLinkedGroupsArePackedIntoCallsOf25) {
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 30; ++i) {
    const std::string name = "lead" + std::to_string(i);
    ops.push_back(WriteOp::Create("l" + std::to_string(i), "Lead",
                                  LeadFields("Packed-" + std::to_string(i)))
                      .As(name));
    ops.push_back(WriteOp::Create("t" + std::to_string(i), "Task",
                                  {{"Subject", "Packed"}, {"WhoId", RefId(name)}}));
  }
  WriterOptions options;
  options.linked_writes = LinkedWrites::kComposite;
  WriteBatch batch = Write(ops, options);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  EXPECT_EQ(batch.calls, 3);  // 12 pairs, 12 pairs, 6 pairs: a pair is never split
  EXPECT_EQ(emu().control().ApiCalls("composite"), 3);
  for (size_t i = 0; i < ops.size(); i += 2) {
    EXPECT_EQ(batch.results[i].call, batch.results[i + 1].call);
    EXPECT_EQ(Record("Task", batch.results[i + 1].id)["WhoId"], batch.results[i].id);
  }
}

TEST_F(WriterTest, ALinkedGroupLargerThanACompositeCallIsRefused) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("lead", "Lead", LeadFields("Big-Group")).As("big"));
  for (int i = 0; i < 25; ++i) {
    ops.push_back(WriteOp::Create("t" + std::to_string(i), "Task",
                                  {{"Subject", "Too many"}, {"WhoId", RefId("big")}}));
  }
  ops.push_back(WriteOp::Create("alone", "Lead", LeadFields("Not-In-The-Group")));
  WriterOptions options;
  options.linked_writes = LinkedWrites::kComposite;
  WriteBatch batch = Write(ops, options);
  for (size_t i = 0; i + 1 < ops.size(); ++i) {
    ASSERT_FALSE(batch.results[i].ok());
    EXPECT_EQ(batch.results[i].failure->category, ErrorCategory::kMalformedRequest);
  }
  EXPECT_TRUE(batch.results.back().ok());
  EXPECT_EQ(batch.calls, 1);

  // Phased, the same group is no problem: the Lead in one call, its 25 Tasks in the next.
  batch = Write(ops);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  EXPECT_EQ(batch.calls, 2);
}

TEST_F(WriterTest, AWriteThatRefersToAFailedCreateIsNotProcessed) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("lead-key", "Lead", {{"FirstName", "Nameless"}}).As("l"));
  ops.push_back(WriteOp::Create("task", "Task", {{"Subject", "On nothing"}, {"WhoId", RefId("l")}}));
  ops.push_back(WriteOp::Update("touch", "Lead", RefId("l"), {{"Title", "Never"}}));
  for (LinkedWrites mode : {LinkedWrites::kPhased, LinkedWrites::kComposite}) {
    SCOPED_TRACE(mode == LinkedWrites::kPhased ? "phased" : "composite");
    WriterOptions options;
    options.linked_writes = mode;
    WriteBatch batch = Write(ops, options);
    ASSERT_FALSE(batch.results[0].ok());
    EXPECT_EQ(batch.results[0].failure->errors.at(0).error_code, "REQUIRED_FIELD_MISSING");
    for (size_t i : {1u, 2u}) {
      ASSERT_FALSE(batch.results[i].ok());
      EXPECT_EQ(batch.results[i].failure->category, ErrorCategory::kNotProcessed);
    }
    EXPECT_EQ(batch.calls, 1);
    if (mode == LinkedWrites::kPhased) {
      EXPECT_EQ(batch.results[1].call, -1);
      EXPECT_NE(batch.results[1].failure->summary.find("\"lead-key\""), std::string::npos)
          << batch.results[1].failure->summary;
    }
  }
}

TEST_F(WriterTest, PhasedAFailedLeadHoldsBackOnlyItsOwnTask) {
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 150; ++i) {
    const std::string n = std::to_string(i);
    json lead = i == 70 ? json{{"FirstName", "Nameless"}} : LeadFields("Pair-" + n);
    ops.push_back(WriteOp::Create("l" + n, "Lead", lead).As("lead" + n));
    ops.push_back(WriteOp::Create("t" + n, "Task", {{"Subject", "Pair"}, {"WhoId", RefId("lead" + n)}}));
  }
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 2);
  for (size_t i = 0; i < ops.size(); ++i) {
    if (i == 140 || i == 141) continue;
    ASSERT_TRUE(batch.results[i].ok()) << ops[i].key << batch.results[i].failure->Describe();
  }
  EXPECT_EQ(batch.results[140].failure->errors.at(0).error_code, "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(batch.results[141].failure->category, ErrorCategory::kNotProcessed);
  EXPECT_EQ(Record("Task", batch.results[3].id)["WhoId"], batch.results[2].id);
}

TEST_F(WriterTest, ThousandLinkedWritesCostSixCalls) {
  // Issue 4's target: at most 6 API calls per 1,000 record writes, linked ones included.
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 500; ++i) {
    const std::string n = std::to_string(i);
    ops.push_back(WriteOp::Create("l" + n, "Lead", LeadFields("Linked-" + n)).As("lead" + n));
  }
  for (int i = 0; i < 500; ++i) {
    const std::string n = std::to_string(i);
    ops.push_back(WriteOp::Create("t" + n, "Task",
                                  {{"Subject", "Linked " + n}, {"WhoId", RefId("lead" + n)}}));
  }
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 6);
  EXPECT_EQ(ApiCalls(), 6);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.create"), 6);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  for (int i = 0; i < 500; i += 37) {
    EXPECT_EQ(Record("Task", batch.results[500 + i].id)["WhoId"], batch.results[i].id);
  }
  EXPECT_EQ(Query("SELECT COUNT() FROM Task WHERE Subject LIKE 'Linked %'")["totalSize"], 500);
}

TEST_F(WriterTest, PhasedWritesByReferenceToOneRecordKeepTheirOrder) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Upsert("up", "Lead", "ConnectFlo_Conversation_Id__c", "conv-order-1",
                                LeadFields("Ordered")).As("u"));
  ops.push_back(WriteOp::Update("by-ref-1", "Lead", RefId("u"), {{"Title", "first"}}));
  ops.push_back(WriteOp::Upsert("up-again", "Lead", "ConnectFlo_Conversation_Id__c",
                                "CONV-ORDER-1", {{"Title", "second"}}));
  ops.push_back(WriteOp::Update("by-ref-2", "Lead", RefId("u"), {{"Title", "third"}}));
  WriteBatch batch = Write(ops);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.key << r.failure->Describe();
  EXPECT_EQ(batch.calls, 4);
  for (int i = 0; i < 4; ++i) EXPECT_EQ(batch.results[static_cast<size_t>(i)].call, i);
  EXPECT_EQ(batch.results[2].id, batch.results[0].id);
  EXPECT_EQ(Record("Lead", batch.results[0].id)["Title"], "third");
}

TEST_F(WriterTest, PhasedRefusesReferencesOtherThanTheId) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("lead", "Lead", LeadFields("Odd-Ref")).As("l"));
  ops.push_back(WriteOp::Create("task", "Task", {{"Subject", "@{l.success}"}, {"WhoId", RefId("l")}}));
  WriteBatch batch = Write(ops);
  ASSERT_TRUE(batch.results[0].ok());
  ASSERT_FALSE(batch.results[1].ok());
  EXPECT_EQ(batch.results[1].failure->category, ErrorCategory::kMalformedRequest);
  EXPECT_EQ(batch.calls, 1);
}

TEST_F(WriterTest, MalformedWritesAreRefusedWithoutACall) {
  Connect();
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("unknown-ref", "Task", {{"WhoId", RefId("nobody")}}));
  ops.push_back(WriteOp::Update("no-id", "Lead", "", {{"Title", "x"}}));
  ops.push_back(WriteOp::Create("bad-object", "Lead/../Account", LeadFields("x")));
  ops.push_back(WriteOp::Create("not-object", "Lead", json::array()));
  ops.push_back(WriteOp::Update("named-update", "Lead", "00QDn0000eQ52aFMAR", {}).As("u"));
  ops.push_back(WriteOp::Create("uses-refused", "Task", {{"WhoId", RefId("u")}}));
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 0);
  EXPECT_EQ(ApiCalls(), 0);
  for (const WriteResult& r : batch.results) {
    ASSERT_FALSE(r.ok()) << r.key;
    EXPECT_EQ(r.failure->category, ErrorCategory::kMalformedRequest) << r.key;
    EXPECT_EQ(r.call, -1);
  }
  EXPECT_NE(batch.results[0].failure->summary.find("nobody"), std::string::npos);
  EXPECT_NE(batch.results[5].failure->summary.find("refused"), std::string::npos);
}

TEST_F(WriterTest, ThousandCreatesCostFiveCalls) {
  Connect();
  std::vector<WriteOp> ops;
  for (int i = 0; i < 1000; ++i) {
    ops.push_back(WriteOp::Create("c" + std::to_string(i), "Lead",
                                  LeadFields("Bulk-" + std::to_string(i))));
  }
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 5);
  EXPECT_EQ(ApiCalls(), 5);
  std::set<std::string> ids;
  for (const WriteResult& r : batch.results) {
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    ids.insert(r.id);
  }
  EXPECT_EQ(ids.size(), 1000u);
  EXPECT_EQ(batch.results[199].call, 0);
  EXPECT_EQ(batch.results[200].call, 1);
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE LastName LIKE 'Bulk-%'")["totalSize"], 1000);
}

TEST_F(WriterTest, ThousandUpdatesCostFiveCalls) {
  Connect();
  std::vector<WriteOp> creates;
  for (int i = 0; i < 1000; ++i) {
    creates.push_back(WriteOp::Create("c" + std::to_string(i), "Lead",
                                      LeadFields("ToUpdate-" + std::to_string(i))));
  }
  WriteBatch created = Write(creates);
  std::vector<WriteOp> updates;
  for (const WriteResult& r : created.results) {
    ASSERT_TRUE(r.ok()) << r.failure->Describe();
    updates.push_back(WriteOp::Update("u" + r.key, "Lead", r.id, {{"Title", "Updated"}}));
  }
  emu().control().Reset();
  WriteBatch batch = Write(updates);
  EXPECT_EQ(batch.calls, 5);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.update"), 5);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.failure->Describe();
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE Title = 'Updated'")["totalSize"], 1000);
}

TEST_F(WriterTest, UpdatesOfTheSameRecordKeepTheirOrderInSeparateCalls) {
  Connect();
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  const std::string b = FirstId("SELECT Id FROM Account ORDER BY Name DESC LIMIT 1");
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Update("a1", "Account", a, {{"Site", "first"}}));
  ops.push_back(WriteOp::Update("b1", "Account", b, {{"Site", "only"}}));
  ops.push_back(WriteOp::Update("a2", "Account", a.substr(0, 15), {{"Site", "second"}}));
  ops.push_back(WriteOp::Update("a3", "Account", a, {{"Site", "third"}}));
  WriteBatch batch = Write(ops);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.failure->Describe();
  EXPECT_EQ(batch.calls, 3);
  EXPECT_EQ(batch.results[0].call, 0);
  EXPECT_EQ(batch.results[1].call, 0);
  EXPECT_EQ(batch.results[2].call, 1);
  EXPECT_EQ(batch.results[3].call, 2);
  EXPECT_EQ(Record("Account", a)["Site"], "third");
  EXPECT_EQ(Record("Account", b)["Site"], "only");
}

TEST_F(WriterTest, AFailedUpdateHoldsBackLaterUpdatesOfTheSameRecord) {
  Connect();
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Update("bad", "Account", a, {{"Tier__c", "Diamond"}}));
  ops.push_back(WriteOp::Update("later", "Account", a, {{"Site", "after the bad one"}}));
  WriteBatch batch = Write(ops);
  ASSERT_FALSE(batch.results[0].ok());
  ASSERT_FALSE(batch.results[1].ok());
  EXPECT_EQ(batch.results[1].failure->category, ErrorCategory::kNotProcessed);
  EXPECT_EQ(batch.results[1].call, -1);
  EXPECT_EQ(batch.calls, 1);
  EXPECT_NE(Record("Account", a)["Site"], "after the bad one");
}

TEST_F(WriterTest, DeletesLand) {
  Connect();
  WriteBatch created = Write({WriteOp::Create("c", "Lead", LeadFields("To-Delete"))});
  ASSERT_TRUE(created.results[0].ok());
  const std::string id = created.results[0].id;
  WriteBatch batch = Write({WriteOp::Delete("d", "Lead", id),
                            WriteOp::Delete("gone", "Lead", "00QDn0000zzzzzzzzz")});
  ASSERT_TRUE(batch.results[0].ok()) << batch.results[0].failure->Describe();
  EXPECT_EQ(batch.results[0].id, id);
  EXPECT_FALSE(batch.results[1].ok());
  EXPECT_EQ(batch.calls, 1);
  EXPECT_TRUE(Record("Lead", id).is_null());
}

TEST_F(WriterTest, Http503IsRetriedInsideTheCall) {
  Connect();
  AddFault({{"endpoint", "composite.sobjects.create"}, {"kind", "http503"}, {"times", 1}});
  WriteBatch batch = Write({WriteOp::Create("c", "Lead", LeadFields("After-503"))});
  ASSERT_TRUE(batch.results[0].ok()) << batch.results[0].failure->Describe();
  EXPECT_EQ(batch.calls, 1);
  EXPECT_EQ(Requests("composite.sobjects.create"), 2);
  EXPECT_EQ(Query("SELECT Id FROM Lead WHERE LastName = 'After-503'")["totalSize"], 1);
}

TEST_F(WriterTest, Http500OnACreateLeavesTheOutcomeUnknown) {
  Connect();
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  AddFault({{"endpoint", "composite.sobjects.create"}, {"kind", "http500"}, {"times", -1}});
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("c1", "Lead", LeadFields("After-500-1")));
  ops.push_back(WriteOp::Update("u1", "Account", a, {{"Site", "updated despite 500s"}}));
  ops.push_back(WriteOp::Create("c2", "Lead", LeadFields("After-500-2")));
  WriteBatch batch = Write(ops);
  for (size_t i : {0u, 2u}) {
    ASSERT_FALSE(batch.results[i].ok());
    EXPECT_TRUE(batch.results[i].outcome_unknown);
    EXPECT_EQ(batch.results[i].failure->category, ErrorCategory::kTransient);
    EXPECT_EQ(batch.results[i].failure->errors.at(0).error_code, "UNKNOWN_EXCEPTION");
  }
  EXPECT_EQ(Requests("composite.sobjects.create"), 1);  // a POST is not sent twice
  ASSERT_TRUE(batch.results[1].ok()) << batch.results[1].failure->Describe();
  EXPECT_FALSE(batch.results[1].outcome_unknown);
}

TEST_F(WriterTest, LimitReachedFailsEveryWriteWithApiLimitExceeded) {
  Connect();
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  AddFault({{"endpoint", "*"}, {"kind", "limit_reached"}, {"times", 1}});
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("c1", "Lead", LeadFields("Limit-1")));
  ops.push_back(WriteOp::Update("u1", "Account", a, {{"Site", "never"}}));
  ops.push_back(WriteOp::Create("t", "Task", {{"WhoId", RefId("l")}}));  // refused: no "l"
  ops.push_back(WriteOp::Create("l", "Lead", LeadFields("Limit-2")).As("lead"));
  ops.push_back(WriteOp::Create("t2", "Task", {{"WhoId", RefId("lead")}}));
  WriteBatch batch = Write(ops);
  EXPECT_EQ(batch.calls, 1);  // the first call is refused; the rest are not sent
  for (size_t i : {0u, 1u, 3u, 4u}) {
    const WriteResult& r = batch.results[i];
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kApiLimitExceeded) << r.key;
    EXPECT_EQ(r.failure->retry, RetryAdvice::kWaitForLimitReset) << r.key;
    EXPECT_TRUE(r.retry_at.has_value()) << r.key;
    EXPECT_FALSE(r.outcome_unknown);
  }
  EXPECT_EQ(batch.results[2].failure->category, ErrorCategory::kMalformedRequest);
  // Nothing was written (asked with the emulator's own client: this one's budget now holds).
  ASSERT_EQ(emu().ControlRequest("POST", "limits", {{"used", 0}}).status, 200);
  sfemu::ClientResponse q = emu().Get(sfemu::testing::Emulator::ApiPath(
      "query?q=" + FormEncode("SELECT Id FROM Lead WHERE LastName LIKE 'Limit-%'")));
  ASSERT_EQ(q.status, 200) << q.body;
  EXPECT_EQ(json::parse(q.body)["totalSize"], 0);
}

TEST_F(WriterTest, TokenExpiryMidBatchIsRefreshedAndTheBatchCompletes) {
  Connect(/*refresh_token=*/true);
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  emu().control().Reset();
  AddFault({{"endpoint", "composite.sobjects.update"}, {"kind", "expire_token"}, {"times", 1}});
  std::vector<WriteOp> ops;
  for (int i = 0; i < 250; ++i) {
    ops.push_back(WriteOp::Create("c" + std::to_string(i), "Lead",
                                  LeadFields("Expiry-" + std::to_string(i))));
  }
  ops.push_back(WriteOp::Update("u", "Account", a, {{"Site", "after expiry"}}));
  WriteBatch batch = Write(ops);
  for (const WriteResult& r : batch.results) ASSERT_TRUE(r.ok()) << r.failure->Describe();
  EXPECT_EQ(batch.calls, 3);
  EXPECT_EQ(Requests("oauth.token"), 1);
  EXPECT_EQ(Record("Account", a)["Site"], "after expiry");
  EXPECT_EQ(Query("SELECT COUNT() FROM Lead WHERE LastName LIKE 'Expiry-%'")["totalSize"], 250);
}

TEST_F(WriterTest, TokenExpiryWithoutARefreshTokenStopsTheBatch) {
  Connect();
  AddFault({{"endpoint", "composite.sobjects.create"}, {"kind", "expire_token"}, {"times", 1}});
  const std::string a = FirstId("SELECT Id FROM Account ORDER BY Name LIMIT 1");
  std::vector<WriteOp> ops;
  ops.push_back(WriteOp::Create("c", "Lead", LeadFields("No-Refresh")));
  ops.push_back(WriteOp::Update("u", "Account", a, {{"Site", "no refresh"}}));
  WriteBatch batch = Write(ops);
  for (const WriteResult& r : batch.results) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.failure->troubleshooting, TroubleshootingCase::kAuthenticationFailed)
        << r.failure->Describe();
    EXPECT_FALSE(r.outcome_unknown);
  }
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.update"), 0);
}

}  // namespace
}  // namespace cf::sf
