// Reads of several records or by external Id over real sockets: GET and POST
// /composite/sobjects/X (sObject Collections retrieve), GET /sobjects/X/Field/Value, and how
// every record answer writes numbers (Java's Double.toString for double-kind fields: 2.4E9,
// 2.0; integers for int fields), the same in record GET, query, retrieve and composite.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

constexpr char kKestrel[] = "001Dn00001NRuOUIA1";  // AnnualRevenue 2400000000, SLA_Hours__c 2
constexpr char kHelios[] = "001Dn0000v5rAYVIA2";

class RetrieveTest : public EmulatorFixture {};

TEST_F(RetrieveTest, CollectionsGetAnswersRecordsInIdOrderWithNullForMissingOnes) {
  const std::string deleted = [&] {
    ClientResponse r = emu().Call("POST", Emulator::ApiPath("sobjects/Account"), R"({"Name":"Gone"})");
    const std::string id = r.Json()["id"];
    EXPECT_EQ(emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/" + id)).status, 204);
    return id;
  }();
  ClientResponse r = emu().Get(Emulator::ApiPath(
      std::string("composite/sobjects/Account?ids=") + kHelios + "," + kKestrel +
      ",001Dn00000ZZZZZAAA,003Dn0000yHOVUVIA5,nonsense," + deleted + "&fields=Id,Name,AnnualRevenue"));
  ASSERT_EQ(r.status, 200) << r.body;
  const json j = r.Json();
  ASSERT_EQ(j.size(), 6u) << r.body;
  EXPECT_EQ(j[0]["Id"], kHelios);
  EXPECT_EQ(j[0]["attributes"],
            (json{{"type", "Account"}, {"url", std::string("/services/data/v59.0/sobjects/Account/") + kHelios}}));
  EXPECT_EQ(j[1]["Name"], "Kestrel Banking Group");
  for (size_t i = 2; i < 6; ++i) EXPECT_TRUE(j[i].is_null()) << i << ": " << r.body;
  // Keys: attributes first, then the fields in the order asked; numbers as Salesforce writes them.
  EXPECT_NE(r.body.find(std::string(R"({"attributes":{"type":"Account","url":"/services/data/v59.0/sobjects/Account/)") +
                        kKestrel + R"("},"Id":")" + kKestrel +
                        R"(","Name":"Kestrel Banking Group","AnnualRevenue":2.4E9})"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.retrieve"), 1);

  // The POST form takes the lists in a body.
  r = emu().Call("POST", Emulator::ApiPath("composite/sobjects/Account"),
                 json{{"ids", {kKestrel, "001Dn00000ZZZZZAAA"}}, {"fields", {"Name"}}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()[0]["Name"], "Kestrel Banking Group");
  EXPECT_TRUE(r.Json()[1].is_null());
}

TEST_F(RetrieveTest, CollectionsGetErrors) {
  // A field the integration user cannot see (FLS) or that does not exist: 400 INVALID_FIELD.
  for (const char* fields : {"Name,Health_Score__c", "Nope"}) {
    ClientResponse r = emu().Get(Emulator::ApiPath(std::string("composite/sobjects/Account?ids=") +
                                                   kKestrel + "&fields=" + fields));
    EXPECT_EQ(r.status, 400) << r.body;
    EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_FIELD") << r.body;
  }
  ClientResponse r = emu().Get(Emulator::ApiPath(std::string("composite/sobjects/Account?ids=") + kKestrel));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "MISSING_ARGUMENT") << r.body;
  r = emu().Get(Emulator::ApiPath("composite/sobjects/Nope?ids=001Dn00000ZZZZZAAA&fields=Id"));
  EXPECT_EQ(r.status, 404);
  r = emu().Call("PATCH", Emulator::ApiPath("composite/sobjects/Account"), "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "HEAD,GET,POST");
}

TEST_F(RetrieveTest, GetByExternalId) {
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("sobjects/Lead"),
                                R"({"LastName":"Keyed","Company":"Keyed Co","AnnualRevenue":480000,)"
                                R"("ConnectFlo_Conversation_Id__c":"conv-get/1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string id = r.Json()["id"];

  r = emu().Get(Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv-get%2F1"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["Id"], id);
  EXPECT_EQ(r.Json()["attributes"]["url"], "/services/data/v59.0/sobjects/Lead/" + id);
  EXPECT_NE(r.body.find(R"("AnnualRevenue":480000.0)"), std::string::npos) << r.body;
  EXPECT_EQ(emu().control().ApiCalls("sobjects.getByExternalId"), 1);

  // ?fields= narrows the answer as on a record GET.
  r = emu().Get(Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv-get%2F1?fields=LastName"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json().size(), 2u) << r.body;  // attributes, LastName

  // By Id through the same path form.
  r = emu().Get(Emulator::ApiPath("sobjects/Lead/Id/" + id));
  EXPECT_EQ(r.status, 200) << r.body;

  // None: 404; several: 300 with their URLs; not a key field: 400; unknown field: 404.
  r = emu().Get(Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/absent"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()[0]["errorCode"], "NOT_FOUND");
  // Task's external Id is not unique: two tasks may share one.
  std::vector<std::string> twins;
  for (const char* subject : {"A", "B"}) {
    r = emu().Call("POST", Emulator::ApiPath("sobjects/Task"),
                   json{{"Subject", subject}, {"ConnectFlo_Conversation_Id__c", "twin"}}.dump());
    ASSERT_EQ(r.status, 201) << r.body;
    twins.push_back(r.Json()["id"]);
  }
  r = emu().Get(Emulator::ApiPath("sobjects/Task/ConnectFlo_Conversation_Id__c/twin"));
  EXPECT_EQ(r.status, 300) << r.body;
  EXPECT_EQ(r.Json(), (json{"/services/data/v59.0/sobjects/Task/" + twins[0],
                            "/services/data/v59.0/sobjects/Task/" + twins[1]}));
  r = emu().Get(Emulator::ApiPath("sobjects/Lead/LastName/Keyed"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["message"],
            "Field name provided, LastName is not an External ID or indexed field for Lead");
  r = emu().Get(Emulator::ApiPath("sobjects/Lead/Nope__c/x"));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()[0]["message"],
            "Provided external ID field does not exist or is not accessible: Nope__c");
  r = emu().Call("POST", Emulator::ApiPath("sobjects/Lead/ConnectFlo_Conversation_Id__c/x"), "{}");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(r.Header("allow"), "HEAD,GET,PATCH,DELETE");
}

TEST_F(RetrieveTest, NumbersAreWrittenAsSalesforceDoesInEveryRecordAnswer) {
  // Currency and double fields: Java's Double.toString (2.4E9, 2.0); int fields: integers.
  const std::string expected = R"("AnnualRevenue":2.4E9,"NumberOfEmployees":12000,"SLA_Hours__c":2.0)";
  const std::string fields = "AnnualRevenue,NumberOfEmployees,SLA_Hours__c";
  ClientResponse get = emu().Get(Emulator::ApiPath(std::string("sobjects/Account/") + kKestrel +
                                                   "?fields=" + fields));
  ClientResponse query = emu().Get(Emulator::ApiPath(
      "query?q=SELECT+" + fields + "+FROM+Account+WHERE+Id+=+'" + kKestrel + "'"));
  ClientResponse retrieve = emu().Get(Emulator::ApiPath(
      std::string("composite/sobjects/Account?ids=") + kKestrel + "&fields=" + fields));
  json composite = {{"compositeRequest",
                     {{{"method", "GET"},
                       {"url", Emulator::ApiPath(std::string("sobjects/Account/") + kKestrel +
                                                 "?fields=" + fields)},
                       {"referenceId", "get"}},
                      {{"method", "GET"},
                       {"url", Emulator::ApiPath("query?q=SELECT+" + fields +
                                                 "+FROM+Account+WHERE+Id+=+'" + kKestrel + "'")},
                       {"referenceId", "q"}}}}};
  ClientResponse comp = emu().Call("POST", Emulator::ApiPath("composite"), composite.dump());
  for (const ClientResponse* r : {&get, &query, &retrieve, &comp}) {
    EXPECT_EQ(r->status, 200) << r->body;
    EXPECT_NE(r->body.find(expected), std::string::npos) << r->body;
  }
  // Composite keeps each subrequest's body as it was: attributes first, numbers untouched.
  EXPECT_EQ(comp.body.rfind(R"({"compositeResponse":[{"body":{"attributes":{"type":"Account")", 0), 0u)
      << comp.body;
}

}  // namespace
}  // namespace cf::sfemu::testing
