// Deletes over real sockets as Salesforce does them: the children of cascade-delete
// relationships go with their parent (an Account's Contacts and Opportunities, the Tasks of
// every deleted record), a Case pointing at a record stops the delete with DELETE_FAILED, and
// every deleted record shows in queryAll with IsDeleted true and in /sobjects/X/deleted/.
// Through every delete path: DELETE /sobjects/X/ID, DELETE /sobjects/X/Field/Value, DELETE
// /composite/sobjects?ids= (with allOrNone) and a composite subrequest.
#include <gtest/gtest.h>

#include <ctime>
#include <set>
#include <string>
#include <vector>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

// Seed records (examples/org/records.json).
constexpr char kHelios[] = "001Dn0000v5rAYVIA2";         // Account, no cases
constexpr char kHeliosContact[] = "003Dn0000s5H1mWIAS";  // Lucia Navarro
constexpr char kHeliosOpp[] = "006Dn0000KN72G3IQJ";
constexpr char kHeliosTask[] = "00TDn0000tBeEfhMAF";     // WhoId: Lucia Navarro
constexpr char kKestrel[] = "001Dn00001NRuOUIA1";        // Account with Cases 00001001, 00001002
constexpr char kOlivia[] = "003Dn0000yHOVUVIA5";         // Ms. Olivia Hart, Kestrel, Case 00001001
constexpr char kQuantum[] = "001Dn0000bSHBV9IAP";        // Account, one Contact, no cases
constexpr char kQuantumContact[] = "003Dn0000TfjgtMIQQ";
constexpr char kGranite[] = "001Dn0000Cp4yn4IQA";        // Account, one Opportunity
constexpr char kGraniteOpp[] = "006Dn0000Dkh4plIQA";

class DeleteTest : public EmulatorFixture {
 protected:
  ClientResponse Delete(const std::string& rest) {
    return emu().Call("DELETE", Emulator::ApiPath(rest));
  }
  // true: deleted, false: live; fails the test when the record does not exist.
  bool IsDeleted(const std::string& object, const std::string& id) {
    Org& org = emu().org();
    auto lock = org.Lock();
    auto row = org.FindRowLocked(*org.schema().Find(object), id);
    EXPECT_TRUE(row.has_value()) << object << " " << id;
    return row && row->deleted();
  }
  // The Ids queryAll reports with IsDeleted = true for `object`.
  std::set<std::string> DeletedByQueryAll(const std::string& object) {
    ClientResponse r = emu().Get(Emulator::ApiPath(
        "queryAll?q=SELECT+Id,IsDeleted+FROM+" + object + "+WHERE+IsDeleted+=+true"));
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    const json body = r.Json();
    for (const json& rec : body["records"]) {
      EXPECT_EQ(rec["IsDeleted"], true);
      out.insert(rec["Id"].get<std::string>());
    }
    return out;
  }
  // The Ids /sobjects/X/deleted/ lists for the last day.
  std::set<std::string> DeletedByGetDeleted(const std::string& object) {
    const json clock = emu().ControlRequest("GET", "clock").Json();
    const int64_t now = clock["now_ms"].get<int64_t>();
    auto iso = [](int64_t ms) {
      std::time_t t = static_cast<std::time_t>(ms / 1000);
      std::tm tm{};
      gmtime_r(&t, &tm);
      char text[32];
      std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S%%2B00:00", &tm);
      return std::string(text);
    };
    ClientResponse r = emu().Get(Emulator::ApiPath("sobjects/" + object + "/deleted/?start=" +
                                                   iso(now - 86400000) + "&end=" +
                                                   iso(now + 120000)));
    EXPECT_EQ(r.status, 200) << r.body;
    std::set<std::string> out;
    const json body = r.Json();
    for (const json& d : body["deletedRecords"]) out.insert(d["id"].get<std::string>());
    return out;
  }
};

TEST_F(DeleteTest, DeletingAnAccountDeletesItsContactsOpportunitiesAndTheirTasks) {
  ClientResponse r = Delete(std::string("sobjects/Account/") + kHelios);
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(IsDeleted("Account", kHelios));
  EXPECT_TRUE(IsDeleted("Contact", kHeliosContact));
  EXPECT_TRUE(IsDeleted("Opportunity", kHeliosOpp));
  EXPECT_TRUE(IsDeleted("Task", kHeliosTask));
  // Records of other accounts stay.
  EXPECT_FALSE(IsDeleted("Account", kQuantum));
  EXPECT_FALSE(IsDeleted("Contact", kQuantumContact));

  // Every cascaded record is visible to a sync: queryAll with IsDeleted true, and getDeleted.
  for (const auto& [object, id] : std::vector<std::pair<std::string, std::string>>{
           {"Account", kHelios}, {"Contact", kHeliosContact}, {"Opportunity", kHeliosOpp},
           {"Task", kHeliosTask}}) {
    EXPECT_EQ(DeletedByQueryAll(object).count(id), 1u) << object;
    EXPECT_EQ(DeletedByGetDeleted(object).count(id), 1u) << object;
  }
  // query (not queryAll) no longer sees them; the record GET says ENTITY_IS_DELETED.
  r = emu().Get(Emulator::ApiPath(std::string("query?q=SELECT+Id+FROM+Contact+WHERE+Id+=+'") +
                                  kHeliosContact + "'"));
  EXPECT_EQ(r.Json()["totalSize"], 0) << r.body;
  r = emu().Get(Emulator::ApiPath(std::string("sobjects/Opportunity/") + kHeliosOpp));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()[0]["errorCode"], "ENTITY_IS_DELETED");
}

TEST_F(DeleteTest, ACaseStopsTheDeleteWithDeleteFailedAndNothingIsDeleted) {
  ClientResponse r = Delete(std::string("sobjects/Account/") + kKestrel);
  ASSERT_EQ(r.status, 400) << r.body;
  const json e = r.Json();
  ASSERT_EQ(e.size(), 1u) << r.body;
  EXPECT_EQ(e[0]["errorCode"], "DELETE_FAILED");
  EXPECT_EQ(e[0]["message"],
            "Your attempt to delete Kestrel Banking Group could not be completed because it is "
            "associated with the following cases.: 00001002, 00001001\n");
  EXPECT_FALSE(IsDeleted("Account", kKestrel));
  EXPECT_FALSE(IsDeleted("Contact", kOlivia));

  // A Contact with a Case: named with its salutation, as a real org's answer shows.
  r = Delete(std::string("sobjects/Contact/") + kOlivia);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0]["message"],
            "Your attempt to delete Ms. Olivia Hart could not be completed because it is "
            "associated with the following cases.: 00001001\n");
  EXPECT_FALSE(IsDeleted("Contact", kOlivia));

  // Once the cases are gone, the account goes, with its contacts.
  for (const char* c : {"00001001", "00001002"}) {
    ClientResponse q = emu().Get(Emulator::ApiPath(
        std::string("query?q=SELECT+Id+FROM+Case+WHERE+CaseNumber+=+'") + c + "'"));
    ASSERT_EQ(q.Json()["totalSize"], 1) << q.body;
    ASSERT_EQ(Delete("sobjects/Case/" + q.Json()["records"][0]["Id"].get<std::string>()).status,
              204);
  }
  // Kestrel still has a Support_Contract__c (Account__c restricts deletes too).
  r = Delete(std::string("sobjects/Account/") + kKestrel);
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0]["message"],
            "Your attempt to delete Kestrel Banking Group could not be completed because it is "
            "associated with the following support contracts.: SC-Kestrel-2026\n");
}

TEST_F(DeleteTest, CollectionsDeleteCascadesAndAllOrNoneRestoresEverything) {
  // allOrNone: Kestrel fails, so Granite and its Opportunity come back too.
  ClientResponse r = Delete(std::string("composite/sobjects?ids=") + kGranite + "," + kKestrel +
                            "&allOrNone=true");
  ASSERT_EQ(r.status, 200) << r.body;
  json results = r.Json();
  ASSERT_EQ(results.size(), 2u) << r.body;
  EXPECT_EQ(results[0]["errors"][0]["statusCode"], "ALL_OR_NONE_OPERATION_ROLLED_BACK");
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "DELETE_FAILED");
  EXPECT_FALSE(IsDeleted("Account", kGranite));
  EXPECT_FALSE(IsDeleted("Opportunity", kGraniteOpp));

  // Without allOrNone, Granite goes with its Opportunity; a malformed Id has no "id".
  r = Delete(std::string("composite/sobjects?ids=") + kGranite + "," + kKestrel + ",nonsense");
  ASSERT_EQ(r.status, 200) << r.body;
  results = r.Json();
  ASSERT_EQ(results.size(), 3u) << r.body;
  EXPECT_EQ(results[0], (json{{"id", kGranite}, {"success", true}, {"errors", json::array()}}));
  EXPECT_EQ(results[1]["id"], kKestrel);
  EXPECT_EQ(results[1]["success"], false);
  EXPECT_EQ(results[1]["errors"][0]["statusCode"], "DELETE_FAILED");
  EXPECT_EQ(results[2], json::parse(R"({"success":false,"errors":[{"statusCode":"MALFORMED_ID",)"
                                    R"("message":"malformed id nonsense","fields":[]}]})"));
  EXPECT_TRUE(IsDeleted("Account", kGranite));
  EXPECT_TRUE(IsDeleted("Opportunity", kGraniteOpp));
  EXPECT_EQ(emu().control().ApiCalls("composite.sobjects.delete"), 2);
  // Keys in Salesforce's order: id, success, errors.
  EXPECT_EQ(r.body.rfind("[{\"id\":", 0), 0u) << r.body;
  EXPECT_NE(r.body.find("\"success\":true,\"errors\":[]"), std::string::npos) << r.body;
}

TEST_F(DeleteTest, DeleteByExternalIdCascadesToo) {
  // A Lead keyed by ConnectFlo_Conversation_Id__c, with a Task on it.
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("sobjects/Lead"),
                                R"({"LastName":"Ext","Company":"Ext Co",)"
                                R"("ConnectFlo_Conversation_Id__c":"conv-delete-1"})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string lead = r.Json()["id"];
  r = emu().Call("POST", Emulator::ApiPath("sobjects/Task"),
                 R"({"Subject":"Call","WhoId":")" + lead + R"("})");
  ASSERT_EQ(r.status, 201) << r.body;
  const std::string task = r.Json()["id"];

  r = Delete("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv-delete-1");
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_TRUE(IsDeleted("Lead", lead));
  EXPECT_TRUE(IsDeleted("Task", task));
  EXPECT_EQ(emu().control().ApiCalls("sobjects.deleteByExternalId"), 1);
  r = Delete("sobjects/Lead/ConnectFlo_Conversation_Id__c/conv-delete-1");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.Json()[0]["errorCode"], "NOT_FOUND");
}

TEST_F(DeleteTest, CompositeDeleteSubrequestCascadesAndRollsBack) {
  // allOrNone: the second subrequest fails, so the first one's cascade is undone.
  json body = {{"allOrNone", true},
               {"compositeRequest",
                {{{"method", "DELETE"},
                  {"url", Emulator::ApiPath(std::string("sobjects/Account/") + kQuantum)},
                  {"referenceId", "q"}},
                 {{"method", "DELETE"},
                  {"url", Emulator::ApiPath(std::string("sobjects/Account/") + kKestrel)},
                  {"referenceId", "k"}}}}};
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("composite"), body.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json out = r.Json()["compositeResponse"];
  EXPECT_EQ(out[0]["body"][0]["errorCode"], "PROCESSING_HALTED");
  EXPECT_EQ(out[1]["httpStatusCode"], 400);
  EXPECT_EQ(out[1]["body"][0]["errorCode"], "DELETE_FAILED");
  EXPECT_FALSE(IsDeleted("Account", kQuantum));
  EXPECT_FALSE(IsDeleted("Contact", kQuantumContact));

  body["allOrNone"] = false;
  r = emu().Call("POST", Emulator::ApiPath("composite"), body.dump());
  out = r.Json()["compositeResponse"];
  EXPECT_EQ(out[0]["httpStatusCode"], 204) << r.body;
  EXPECT_TRUE(out[0]["body"].is_null());
  EXPECT_TRUE(IsDeleted("Account", kQuantum));
  EXPECT_TRUE(IsDeleted("Contact", kQuantumContact));
}

}  // namespace
}  // namespace cf::sfemu::testing
