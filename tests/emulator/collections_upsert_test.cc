// sObject Collections upsert (PATCH /composite/sobjects/{Object}/{ExternalIdField}) over real
// sockets: created true/false, per-record errors, allOrNone rollback, a key that matches several
// records, the same key twice in one call, request-level errors, and the resource inside
// Composite. Also: upsert values holding %2F inside Composite subrequest URLs.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr char kLeadUpsert[] = "composite/sobjects/Lead/ConnectFlo_Conversation_Id__c";
constexpr char kTaskUpsert[] = "composite/sobjects/Task/ConnectFlo_Conversation_Id__c";

class CollectionsUpsertTest : public EmulatorFixture {
 protected:
  ClientResponse Send(std::string_view method, std::string_view rest, const json& body) {
    return emu().Call(method, Emulator::ApiPath(rest), body.dump());
  }
  static json Lead(const std::string& conv, const std::string& last_name) {
    return {{"attributes", {{"type", "Lead"}}},
            {"ConnectFlo_Conversation_Id__c", conv},
            {"LastName", last_name},
            {"Company", "Upsert Co"}};
  }
  std::string CreateOk(const std::string& object, const json& body) {
    ClientResponse r = Send("POST", "sobjects/" + object, body);
    EXPECT_EQ(r.status, 201) << r.body;
    json j = r.Json();
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : std::string();
  }
  json Stored(const std::string& object, const std::string& id) {
    Org& org = emu().org();
    auto lock = org.Lock();
    const StoredRecord* r = org.FindLocked(*org.schema().Find(object), id);
    return r == nullptr ? json(nullptr) : json(r->fields);
  }
  // Live Leads with this conversation id.
  size_t LeadsWith(const std::string& conv) {
    Org& org = emu().org();
    auto lock = org.Lock();
    return org.FindByFieldLocked(*org.schema().Find("Lead"), "ConnectFlo_Conversation_Id__c",
                                 json(conv), false)
        .size();
  }
  // "CODE" of a failed result's only error.
  static std::string Code(const json& result) {
    if (!result.is_object() || !result.contains("errors") || result["errors"].size() != 1) {
      return "not one error: " + result.dump();
    }
    return result["errors"][0].value("statusCode", "?");
  }
};

TEST_F(CollectionsUpsertTest, CreatesThenUpdatesWithCreatedInSalesforceKeyOrder) {
  ClientResponse r = Send("PATCH", kLeadUpsert,
                          {{"allOrNone", false},
                           {"records", {Lead("cu-1", "One"), Lead("cu-2", "Two")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const ojson first = ojson::parse(r.body);
  ASSERT_EQ(first.size(), 2u);
  std::vector<std::string> keys;
  for (auto it = first[0].begin(); it != first[0].end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"id", "success", "errors", "created"}));
  EXPECT_EQ(first[0]["created"], true);
  EXPECT_EQ(first[1]["created"], true);
  const std::string id1 = first[0]["id"].get<std::string>();
  EXPECT_EQ(id1.substr(0, 3), "00Q");
  EXPECT_EQ(Stored("Lead", id1)["LastName"], "One");

  // cu-1 exists now (matched case-insensitively: the field is not case-sensitive), cu-3 does not.
  r = Send("PATCH", kLeadUpsert,
           {{"records", {Lead("CU-1", "Uno"), Lead("cu-3", "Three")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json second = r.Json();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0]["success"], true) << r.body;
  EXPECT_EQ(second[0]["created"], false);
  EXPECT_EQ(second[0]["id"], id1);
  EXPECT_EQ(second[1]["created"], true);
  EXPECT_EQ(Stored("Lead", id1)["LastName"], "Uno");
  EXPECT_EQ(Stored("Lead", id1)["ConnectFlo_Conversation_Id__c"], "cu-1");  // the key stays
  EXPECT_EQ(LeadsWith("cu-1"), 1u);
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.upsert"), 2);
}

TEST_F(CollectionsUpsertTest, PerRecordErrorsLeaveTheOtherRecordsWritten) {
  json no_last_name = Lead("cu-bad", "x");
  no_last_name.erase("LastName");
  json no_key = Lead("ignored", "NoKey");
  no_key.erase("ConnectFlo_Conversation_Id__c");
  ClientResponse r = Send("PATCH", kLeadUpsert,
                          {{"allOrNone", false},
                           {"records", {Lead("cu-ok", "Fine"), no_last_name, no_key}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["success"], true);
  EXPECT_EQ(results[1]["success"], false);
  EXPECT_FALSE(results[1].contains("id"));
  EXPECT_EQ(Code(results[1]), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(results[1]["errors"][0]["fields"], json({"LastName"}));
  EXPECT_EQ(Code(results[2]), "MISSING_ARGUMENT");
  EXPECT_EQ(LeadsWith("cu-ok"), 1u);
  EXPECT_EQ(LeadsWith("cu-bad"), 0u);
}

TEST_F(CollectionsUpsertTest, AllOrNoneRollsBackCreatesAndUpdates) {
  ClientResponse r = Send("PATCH", kLeadUpsert, {{"records", {Lead("cu-keep", "Before")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  const std::string kept = r.Json()[0]["id"].get<std::string>();

  json bad = Lead("cu-bad", "x");
  bad["Company"] = nullptr;
  r = Send("PATCH", kLeadUpsert,
           {{"allOrNone", true},
            {"records", {Lead("cu-keep", "After"), Lead("cu-new", "New"), bad}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(Code(results[0]), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(Code(results[1]), "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(Code(results[2]), "REQUIRED_FIELD_MISSING");
  for (const json& item : results) EXPECT_EQ(item["success"], false);
  EXPECT_EQ(Stored("Lead", kept)["LastName"], "Before");
  EXPECT_EQ(LeadsWith("cu-new"), 0u);
}

TEST_F(CollectionsUpsertTest, AKeyMatchingSeveralRecordsIsDuplicateExternalId) {
  // Task's external Id is not unique: two Tasks made through the API share one.
  const std::string a =
      CreateOk("Task", {{"Subject", "A"}, {"ConnectFlo_Conversation_Id__c", "twin"}});
  const std::string b =
      CreateOk("Task", {{"Subject", "B"}, {"ConnectFlo_Conversation_Id__c", "twin"}});
  const json twin = {{"attributes", {{"type", "Task"}}},
                     {"ConnectFlo_Conversation_Id__c", "twin"},
                     {"Subject", "C"}};
  const json solo = {{"attributes", {{"type", "Task"}}},
                     {"ConnectFlo_Conversation_Id__c", "solo"},
                     {"Subject", "S"}};
  ClientResponse r = Send("PATCH", kTaskUpsert, {{"records", {twin, solo}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["success"], false);
  EXPECT_EQ(Code(results[0]), "DUPLICATE_EXTERNAL_ID");
  const std::string message = results[0]["errors"][0].value("message", "");
  EXPECT_NE(message.find("more than one record found for external id field: ["), std::string::npos)
      << message;
  EXPECT_NE(message.find(a), std::string::npos) << message;
  EXPECT_NE(message.find(b), std::string::npos) << message;
  EXPECT_EQ(results[1]["created"], true);
  EXPECT_EQ(Stored("Task", a)["Subject"], "A");
  EXPECT_EQ(Stored("Task", b)["Subject"], "B");
}

TEST_F(CollectionsUpsertTest, TheSameKeyTwiceInOneCallFailsBoth) {
  ClientResponse r = Send("PATCH", kLeadUpsert,
                          {{"records", {Lead("cu-dup", "A"), Lead("CU-DUP", "B"), Lead("cu-x", "X")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(Code(results[0]), "DUPLICATE_VALUE");
  EXPECT_EQ(Code(results[1]), "DUPLICATE_VALUE");
  EXPECT_EQ(results[2]["success"], true);
  EXPECT_EQ(LeadsWith("cu-dup"), 0u);
}

TEST_F(CollectionsUpsertTest, RequestLevelErrors) {
  // Another object's record: refused whole.
  json contact = {{"attributes", {{"type", "Contact"}}},
                  {"ConnectFlo_Conversation_Id__c", "c"}, {"LastName", "C"}};
  ClientResponse r = Send("PATCH", kLeadUpsert, {{"records", {contact}}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_TYPE");
  // More than 200 records.
  json many = json::array();
  for (int i = 0; i < 201; ++i) many.push_back(Lead("cu-m" + std::to_string(i), "M"));
  r = Send("PATCH", kLeadUpsert, {{"records", many}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "EXCEEDED_ID_LIMIT");
  EXPECT_EQ(LeadsWith("cu-m0"), 0u);
  // Unknown field, a field that is not an external Id, the wrong method.
  r = Send("PATCH", "composite/sobjects/Lead/Nope__c", {{"records", json::array()}});
  EXPECT_EQ(r.status, 404);
  r = Send("PATCH", "composite/sobjects/Lead/LastName", {{"records", json::array()}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_FIELD");
  r = Send("POST", kLeadUpsert, {{"records", json::array()}});
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "HEAD,PATCH");
}

TEST_F(CollectionsUpsertTest, InsideCompositeUnderAllOrNoneRollsBackWithTheEnvelope) {
  json bad = Lead("cu-cbad", "x");
  bad.erase("LastName");
  const json envelope = {
      {"allOrNone", true},
      {"compositeRequest",
       {{{"method", "PATCH"},
         {"url", Emulator::ApiPath(kLeadUpsert)},
         {"referenceId", "ups"},
         {"body", {{"records", {Lead("cu-c1", "C1")}}}}},
        {{"method", "PATCH"},
         {"url", Emulator::ApiPath(kLeadUpsert)},
         {"referenceId", "ups2"},
         {"body", {{"records", {bad}}}}}}}};
  ClientResponse r = Send("POST", "composite", envelope);
  ASSERT_EQ(r.status, 200) << r.body;
  json out = r.Json()["compositeResponse"];
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[1]["httpStatusCode"], 200) << r.body;
  EXPECT_EQ(Code(out[1]["body"][0]), "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(LeadsWith("cu-c1"), 0u);

  // Without allOrNone the first one is written, with created true.
  json loose = envelope;
  loose["allOrNone"] = false;
  r = Send("POST", "composite", loose);
  ASSERT_EQ(r.status, 200) << r.body;
  out = r.Json()["compositeResponse"];
  EXPECT_EQ(out[0]["body"][0]["created"], true) << r.body;
  EXPECT_EQ(LeadsWith("cu-c1"), 1u);
}

// Regression: Composite decoded a subrequest URL before splitting it, so "conv%2F9" became two
// segments and the upsert answered 404 inside Composite (never at the top level).
TEST_F(CollectionsUpsertTest, CompositeSubrequestUpsertValueMayHoldAnEncodedSlash) {
  const json envelope = {
      {"compositeRequest",
       {{{"method", "PATCH"},
         {"url", Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv%2F9%20y")},
         {"referenceId", "lead"},
         {"body", {{"LastName", "Slash"}, {"Company", "C"}}}},
        {{"method", "GET"},
         {"url", Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv%2F9%20y")},
         {"referenceId", "read"}}}}};
  ClientResponse r = Send("POST", "composite", envelope);
  ASSERT_EQ(r.status, 200) << r.body;
  json out = r.Json()["compositeResponse"];
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0]["httpStatusCode"], 201) << r.body;
  EXPECT_EQ(out[1]["httpStatusCode"], 200) << r.body;
  EXPECT_EQ(out[1]["body"]["ConnectFlo_Conversation_Id__c"], "conv/9 y");
  EXPECT_EQ(LeadsWith("conv/9 y"), 1u);
}

}  // namespace
}  // namespace cf::sfemu::testing
