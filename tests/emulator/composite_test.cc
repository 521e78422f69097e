// sObject Collections and Composite over real sockets: shapes, input order, allOrNone
// rollbacks, the 200-record and 25-subrequest limits, references between subrequests, and a
// composite request counting as one API call.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

constexpr char kRolledBack[] =
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header";
constexpr char kHalted[] =
    "The transaction was rolled back since another operation in the same transaction failed.";

class CompositeTest : public EmulatorFixture {
 protected:
  ClientResponse Send(std::string_view method, std::string_view rest, const json& body) {
    return emu().Call(method, Emulator::ApiPath(rest), body.dump());
  }
  size_t Count(const char* object) {
    Org& org = emu().org();
    auto lock = org.Lock();
    size_t live = 0;
    org.ScanLocked(*org.schema().Find(object), [&](const StoredRecord& r) {
      if (!r.deleted) ++live;
      return true;
    });
    return live;
  }
  json Stored(const std::string& object, const std::string& id) {
    Org& org = emu().org();
    auto lock = org.Lock();
    const StoredRecord* r = org.FindLocked(*org.schema().Find(object), id);
    return r == nullptr || r->deleted ? json() : r->fields;
  }
  static json Account(const std::string& name) {
    return {{"attributes", {{"type", "Account"}}}, {"Name", name}};
  }
  static json Sub(const std::string& method, const std::string& rest, const std::string& ref,
                  const json& body = nullptr) {
    json s = {{"method", method}, {"url", Emulator::ApiPath(rest)}, {"referenceId", ref}};
    if (!body.is_null()) s["body"] = body;
    return s;
  }
};

// ---- sObject Collections ----

TEST_F(CompositeTest, CollectionsCreateAnswersPerRecordInInputOrder) {
  const size_t accounts = Count("Account");
  json body = {{"allOrNone", false},
               {"records",
                {Account("First"),
                 {{"attributes", {{"type", "Contact"}}}, {"FirstName", "No"}},  // no LastName
                 {{"attributes", {{"type", "Lead"}}}, {"LastName", "L"}, {"Company", "C"}},
                 Account("Fourth")}}};
  ClientResponse r = Send("POST", "composite/sobjects", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_TRUE(results.is_array());
  ASSERT_EQ(results.size(), 4u);
  const json sample =
      json::parse(ReadTestData("salesforce-samples/records/create_success.json"));
  for (size_t i : {0u, 2u, 3u}) {
    EXPECT_EQ(CompareShape(sample, results[i]), "") << i;
    EXPECT_EQ(results[i]["success"], true);
  }
  EXPECT_EQ(results[0]["id"].get<std::string>().substr(0, 3), "001");
  EXPECT_EQ(results[2]["id"].get<std::string>().substr(0, 3), "00Q");
  EXPECT_EQ(results[3]["id"].get<std::string>().substr(0, 3), "001");
  // A failed create has no id; its errors carry statusCode, message and fields.
  EXPECT_EQ(results[1], (json{{"success", false},
                              {"errors",
                               {{{"statusCode", "REQUIRED_FIELD_MISSING"},
                                 {"message", "Required fields are missing: [LastName]"},
                                 {"fields", {"LastName"}}}}}}));
  EXPECT_EQ(Count("Account"), accounts + 2);
  EXPECT_EQ(Stored("Account", results[3]["id"])["Name"], "Fourth");
}

TEST_F(CompositeTest, CollectionsAllOrNoneWritesNothingWhenOneFails) {
  const size_t accounts = Count("Account");
  json body = {{"allOrNone", true},
               {"records", {Account("Good 1"), Account(std::string(300, 'x')), Account("Good 3")}}};
  ClientResponse r = Send("POST", "composite/sobjects", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 3u);
  const json rolled_back = {{"success", false},
                            {"errors",
                             {{{"statusCode", "ALL_OR_NONE_OPERATION_ROLLED_BACK"},
                               {"message", kRolledBack},
                               {"fields", json::array()}}}}};
  EXPECT_EQ(results[0], rolled_back);
  EXPECT_EQ(results[2], rolled_back);
  EXPECT_EQ(results[1]["success"], false);
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "STRING_TOO_LONG");
  EXPECT_EQ(Count("Account"), accounts);
}

TEST_F(CompositeTest, CollectionsTake200RecordsAndRefuse201) {
  const size_t accounts = Count("Account");
  json records = json::array();
  for (int i = 0; i < 200; ++i) records.push_back(Account("Bulk " + std::to_string(i)));
  ClientResponse r = Send("POST", "composite/sobjects", {{"allOrNone", true}, {"records", records}});
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  json results = r.Json();
  ASSERT_EQ(results.size(), 200u);
  for (const json& one : results) EXPECT_EQ(one["success"], true) << one.dump();
  EXPECT_EQ(Count("Account"), accounts + 200);

  records.push_back(Account("One too many"));
  r = Send("POST", "composite/sobjects", {{"records", records}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json(), json::parse(R"([{"message": "record limit reached. cannot submit more than )"
                                   R"(200 records into this call", "errorCode": "EXCEEDED_ID_LIMIT"}])"));
  EXPECT_EQ(Count("Account"), accounts + 200);
}

TEST_F(CompositeTest, CollectionsUpdateAndDelete) {
  json created = Send("POST", "composite/sobjects",
                      {{"records", {Account("U1"), Account("U2")}}}).Json();
  ASSERT_EQ(created.size(), 2u);
  const std::string a = created[0]["id"], b = created[1]["id"];
  json update = {{"allOrNone", false},
                 {"records",
                  {{{"attributes", {{"type", "Account"}}}, {"id", a}, {"Phone", "111"}},
                   {{"attributes", {{"type", "Account"}}}, {"Phone", "222"}},
                   {{"attributes", {{"type", "Account"}}}, {"Id", b}, {"Tier__c", "Diamond"}}}}};
  ClientResponse r = Send("PATCH", "composite/sobjects", update);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0], (json{{"id", a}, {"success", true}, {"errors", json::array()}}));
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "MISSING_ARGUMENT");
  EXPECT_EQ(results[2]["id"], b);
  EXPECT_EQ(results[2]["errors"][0]["statusCode"], "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(Stored("Account", a)["Phone"], "111");

  // DELETE /composite/sobjects?ids=..., run here as a composite subrequest.
  r = Send("POST", "composite",
           {{"compositeRequest",
             {Sub("DELETE", "composite/sobjects?ids=" + a + "," + b +
                                ",001Dn00000ZZZZZ&allOrNone=false",
                  "del")}}});
  ASSERT_EQ(r.status, 200) << r.body;
  results = r.Json()["compositeResponse"][0]["body"];
  ASSERT_EQ(results.size(), 3u) << r.body;
  EXPECT_EQ(results[0]["success"], true);
  EXPECT_EQ(results[1]["success"], true);
  EXPECT_EQ(results[2]["success"], false);
  EXPECT_TRUE(Stored("Account", a).is_null());
}

TEST_F(CompositeTest, CollectionsRecordsMustSayTheirType) {
  ClientResponse r = Send("POST", "composite/sobjects", {{"records", {{{"Name", "Typeless"}}}}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_TYPE");
}

// ---- Composite ----

TEST_F(CompositeTest, CompositeResolvesReferencesBetweenSubrequests) {
  json body = {
      {"allOrNone", true},
      {"compositeRequest",
       {Sub("POST", "sobjects/Account", "acc", {{"Name", "Composite Corp"}}),
        Sub("POST", "sobjects/Contact", "con",
            {{"LastName", "Ref"}, {"Email", "ref@example.com"}, {"AccountId", "@{acc.id}"}}),
        Sub("POST", "sobjects/Task", "task",
            {{"Subject", "Follow up"}, {"WhatId", "@{acc.id}"}, {"WhoId", "@{con.id}"}}),
        Sub("PATCH", "sobjects/Account/@{acc.id}", "rename", {{"Name", "Composite Corp 2"}})}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["compositeResponse"];
  ASSERT_EQ(results.size(), 4u) << r.body;
  const json shape = {
      {"body", json::parse(ReadTestData("salesforce-samples/records/create_success.json"))},
      {"httpHeaders", {{"Location", "/services/data/v59.0/sobjects/Account/001"}}},
      {"httpStatusCode", 201},
      {"referenceId", "acc"}};
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(CompareShape(shape, results[i]), "") << results[i].dump();
    EXPECT_EQ(results[i]["httpStatusCode"], 201) << results[i].dump();
  }
  EXPECT_EQ(results[0]["referenceId"], "acc");
  EXPECT_EQ(results[1]["referenceId"], "con");
  const std::string acc = results[0]["body"]["id"], con = results[1]["body"]["id"],
                    task = results[2]["body"]["id"];
  EXPECT_EQ(results[0]["httpHeaders"]["Location"], Emulator::ApiPath("sobjects/Account/" + acc));
  EXPECT_EQ(results[3]["httpStatusCode"], 204);
  EXPECT_TRUE(results[3]["body"].is_null());
  EXPECT_EQ(Stored("Contact", con)["AccountId"], acc);
  EXPECT_EQ(Stored("Task", task)["WhatId"], acc);
  EXPECT_EQ(Stored("Task", task)["WhoId"], con);
  EXPECT_EQ(Stored("Account", acc)["Name"], "Composite Corp 2");
}

TEST_F(CompositeTest, CompositeAllOrNoneRollsBackAndHaltsTheRest) {
  const size_t accounts = Count("Account");
  json body = {{"allOrNone", true},
               {"compositeRequest",
                {Sub("POST", "sobjects/Account", "acc", {{"Name", "Rolled Back"}}),
                 Sub("POST", "sobjects/Contact", "con", {{"AccountId", "@{acc.id}"}}),
                 Sub("POST", "sobjects/Account", "after", {{"Name", "Never"}})}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["compositeResponse"];
  ASSERT_EQ(results.size(), 3u);
  const json halted = json::array({{{"errorCode", "PROCESSING_HALTED"}, {"message", kHalted}}});
  EXPECT_EQ(results[0]["httpStatusCode"], 400);
  EXPECT_EQ(results[0]["body"], halted);
  EXPECT_EQ(results[0]["httpHeaders"], json::object());
  EXPECT_EQ(results[1]["httpStatusCode"], 400);
  EXPECT_EQ(results[1]["body"][0]["errorCode"], "REQUIRED_FIELD_MISSING");
  EXPECT_EQ(results[2]["httpStatusCode"], 400);
  EXPECT_EQ(results[2]["body"], halted);
  EXPECT_EQ(Count("Account"), accounts);
}

TEST_F(CompositeTest, CompositeWithoutAllOrNoneKeepsWhatSucceeded) {
  const size_t accounts = Count("Account");
  json body = {{"compositeRequest",
                {Sub("POST", "sobjects/Contact", "con", {{"FirstName", "No last name"}}),
                 Sub("POST", "sobjects/Account", "acc", {{"Name", "Kept"}}),
                 Sub("POST", "sobjects/Task", "task", {{"WhoId", "@{con.id}"}})}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["compositeResponse"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["httpStatusCode"], 400);
  EXPECT_EQ(results[1]["httpStatusCode"], 201);
  EXPECT_EQ(results[2]["httpStatusCode"], 400);
  EXPECT_EQ(results[2]["body"],
            json::array({{{"errorCode", "PROCESSING_HALTED"},
                          {"message", "Invalid reference specified. No value for con.id found in con"}}}));
  EXPECT_EQ(Count("Account"), accounts + 1);
}

TEST_F(CompositeTest, CompositeRunsReadsAndCollections) {
  json body = {
      {"allOrNone", false},
      {"compositeRequest",
       {Sub("POST", "composite/sobjects", "pair",
            {{"records", {Account("Pair 1"), Account("Pair 2")}}}),
        Sub("GET", "sobjects/Account/@{pair[1].id}", "read"),
        Sub("DELETE", "sobjects/Account/@{pair[0].id}", "gone")}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["compositeResponse"];
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0]["httpStatusCode"], 200);
  ASSERT_EQ(results[0]["body"].size(), 2u);
  EXPECT_EQ(results[1]["httpStatusCode"], 200) << results[1].dump();
  EXPECT_EQ(results[1]["body"]["Name"], "Pair 2");
  EXPECT_EQ(results[2]["httpStatusCode"], 204);
  EXPECT_TRUE(Stored("Account", results[0]["body"][0]["id"]).is_null());
}

TEST_F(CompositeTest, CompositeCountsAsOneApiCall) {
  emu().control().Reset();
  const int64_t used = emu().org().api_used();
  json body = {{"compositeRequest",
                {Sub("POST", "sobjects/Account", "a", {{"Name", "One"}}),
                 Sub("POST", "sobjects/Account", "b", {{"Name", "Two"}}),
                 Sub("PATCH", "sobjects/Account/@{a.id}", "c", {{"Phone", "1"}})}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(emu().control().TotalApiCalls(), 1);
  EXPECT_EQ(emu().org().api_used(), used + 1);
}

TEST_F(CompositeTest, CompositeRefusesMoreThan25Subrequests) {
  json subs = json::array();
  for (int i = 0; i < 26; ++i) {
    subs.push_back(Sub("POST", "sobjects/Account", "a" + std::to_string(i),
                       {{"Name", "N" + std::to_string(i)}}));
  }
  const size_t accounts = Count("Account");
  ClientResponse r = Send("POST", "composite", {{"compositeRequest", subs}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_TRUE(r.Json().is_array());
  EXPECT_EQ(Count("Account"), accounts);
  subs.erase(subs.end() - 1);
  r = Send("POST", "composite", {{"compositeRequest", subs}});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(Count("Account"), accounts + 25);
}

TEST_F(CompositeTest, CompositeTakesAtMostFiveQueryOrCollectionsSubrequests) {
  // "Up to 5 of these subrequests can be sObject Collections or query operations, including
  // Query and QueryAll requests": five pass, a sixth of any of those kinds refuses the whole.
  json subs = json::array();
  subs.push_back(Sub("GET", "query?q=SELECT+Id+FROM+Account+LIMIT+1", "q0"));
  subs.push_back(Sub("GET", "queryAll?q=SELECT+Id+FROM+Account+LIMIT+1", "q1"));
  subs.push_back(Sub("GET", "composite/sobjects/Account?ids=001Dn00001NRuOUIA1&fields=Name", "q2"));
  subs.push_back(Sub("POST", "composite/sobjects", "q3", {{"records", {Account("C5a")}}}));
  subs.push_back(Sub("GET", "query/?q=SELECT+Id+FROM+Contact+LIMIT+1", "q4"));
  for (int i = 0; i < 10; ++i) {  // other kinds do not count
    subs.push_back(Sub("GET", "sobjects/Account/001Dn00001NRuOUIA1", "g" + std::to_string(i)));
  }
  const size_t accounts = Count("Account");
  ClientResponse r = Send("POST", "composite", {{"compositeRequest", subs}});
  ASSERT_EQ(r.status, 200) << r.body;
  const json answers = r.Json()["compositeResponse"];
  for (const json& sub : answers) {
    EXPECT_EQ(sub["httpStatusCode"], 200) << sub.dump();
  }
  EXPECT_EQ(Count("Account"), accounts + 1);

  subs.push_back(Sub("DELETE", "composite/sobjects?ids=001Dn00001NRuOUIA1", "q5"));
  r = Send("POST", "composite", {{"compositeRequest", subs}});
  EXPECT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json(), json::parse(R"([{"message":"Composite requests can have at most 5 query or )"
                                  R"(sObject Collections subrequests; this one has 6.",)"
                                  R"("errorCode":"LIMIT_EXCEEDED"}])"));
  EXPECT_EQ(Count("Account"), accounts + 1);  // nothing ran
  EXPECT_EQ(emu().control().ApiCalls("composite"), 2);
}

TEST_F(CompositeTest, CollateSubrequestsIsAcceptedAndFlagsMustBeBooleans) {
  json subs = {Sub("POST", "sobjects/Account", "a", {{"Name", "Collated"}}),
               Sub("GET", "sobjects/Account/@{a.id}?fields=Name", "b")};
  for (bool collate : {true, false}) {
    ClientResponse r = Send("POST", "composite",
                            {{"collateSubrequests", collate}, {"compositeRequest", subs}});
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.Json()["compositeResponse"][1]["body"]["Name"], "Collated") << r.body;
  }
  for (const char* flag : {"collateSubrequests", "allOrNone"}) {
    ClientResponse r = Send("POST", "composite", {{flag, "yes"}, {"compositeRequest", subs}});
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Json()[0]["errorCode"], "JSON_PARSER_ERROR");
    EXPECT_EQ(r.Json()[0]["message"].get<std::string>().rfind(
                  "Cannot deserialize instance of boolean from VALUE_STRING value yes", 0),
              0u)
        << r.body;
  }
}

TEST_F(CompositeTest, CompositeAllOrNoneAppliesToCollectionsInside) {
  const size_t accounts = Count("Account");
  json body = {{"allOrNone", true},
               {"compositeRequest",
                {Sub("POST", "composite/sobjects", "many",
                     {{"allOrNone", false},
                      {"records", {Account("Inner ok"), Account(std::string(300, 'y'))}}}),
                 Sub("POST", "sobjects/Account", "single", {{"Name", "Outer"}})}}};
  ClientResponse r = Send("POST", "composite", body);
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json()["compositeResponse"];
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0]["body"][0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(results[1]["body"][0]["errorCode"], "PROCESSING_HALTED");
  EXPECT_EQ(Count("Account"), accounts);
}

TEST_F(CompositeTest, BadEnvelopesAreJsonParserErrors) {
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("composite"), "{\"compositeRequest\": [");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "JSON_PARSER_ERROR");
  r = emu().Call("POST", Emulator::ApiPath("composite/sobjects"), "[1, 2");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "JSON_PARSER_ERROR");
}

}  // namespace
}  // namespace cf::sfemu::testing
