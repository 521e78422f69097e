// Record writes over real sockets: create, update, delete and upsert, their success shapes
// against the captured samples, the stamps and Ids they leave, their path-level errors, and
// concurrent writers losing nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "engine/value.h"
#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

const std::regex kSalesforceDateTime(R"(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}\+0000)");

class WriteApiTest : public EmulatorFixture {
 protected:
  // A call with a JSON body; the answer's body parsed (null when empty or not JSON).
  ClientResponse Send(std::string_view method, std::string_view rest, const json& body) {
    return emu().Call(method, Emulator::ApiPath(rest), body.is_null() ? "" : body.dump());
  }
  std::string CreateOk(const std::string& object, const json& body) {
    ClientResponse r = Send("POST", "sobjects/" + object, body);
    EXPECT_EQ(r.status, 201) << r.body;
    json j = r.Json();
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : std::string();
  }
  // The stored record (a copy), or null JSON.
  json Stored(const std::string& object, const std::string& id) {
    Org& org = emu().org();
    auto lock = org.Lock();
    const StoredRecord* r = org.FindLocked(*org.schema().Find(object), id);
    if (r == nullptr) return nullptr;
    json out = r->fields;
    out["__deleted"] = r->deleted;
    return out;
  }
  static json Sample(std::string_view path) {
    return json::parse(ReadTestData(std::string("salesforce-samples/") + std::string(path)));
  }
  // The single error of an error answer as "CODE: message".
  static std::string OneError(const ClientResponse& r) {
    json j = r.Json();
    if (!j.is_array() || j.size() != 1) return "not one error: " + r.body;
    return j[0].value("errorCode", "?") + ": " + j[0].value("message", "?");
  }
};

TEST_F(WriteApiTest, CreateAnswersTheSampleShapeWithAnIdOfTheObject) {
  ClientResponse r = Send("POST", "sobjects/Account", {{"Name", "Northwind Traders"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.Header("content-type").rfind("application/json", 0), 0u);
  json body = r.Json();
  EXPECT_EQ(CompareShape(Sample("records/create_success.json"), body), "");
  EXPECT_EQ(body["success"], true);
  EXPECT_EQ(body["errors"], json::array());
  const std::string id = body["id"];
  ASSERT_EQ(id.size(), 18u);
  EXPECT_EQ(id.substr(0, 3), "001");
  auto parsed = engine::SfId::Parse(id);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->To18(), id) << "the case-checksum suffix is Salesforce's";
  EXPECT_EQ(r.Header("location"), Emulator::ApiPath("sobjects/Account/" + id));
}

TEST_F(WriteApiTest, EveryObjectGetsItsKeyPrefix) {
  const std::string account = CreateOk("Account", {{"Name", "A"}});
  const std::vector<std::pair<std::string, json>> cases = {
      {"Contact", {{"LastName", "Lee"}, {"Email", "lee@example.com"}}},
      {"Lead", {{"LastName", "Lee"}, {"Company", "Lee & Co"}}},
      {"Opportunity", {{"Name", "O"}, {"StageName", "Prospecting"}, {"CloseDate", "2026-12-31"}}},
      {"Case", {{"Subject", "Broken"}}},
      {"Task", {{"Subject", "Call"}}},
      {"Support_Contract__c",
       {{"Name", "SC"}, {"Account__c", account}, {"Start_Date__c", "2026-01-01"}}},
  };
  const std::map<std::string, std::string> prefixes = {
      {"Contact", "003"}, {"Lead", "00Q"}, {"Opportunity", "006"},
      {"Case", "500"},    {"Task", "00T"}, {"Support_Contract__c", "a0C"}};
  EXPECT_EQ(account.substr(0, 3), "001");
  for (const auto& [object, body] : cases) {
    const std::string id = CreateOk(object, body);
    ASSERT_EQ(id.size(), 18u) << object;
    EXPECT_EQ(id.substr(0, 3), prefixes.at(object)) << object;
  }
}

TEST_F(WriteApiTest, CreateStampsAuditFieldsAndOwner) {
  const std::string id = CreateOk("Account", {{"Name", "Stamped"}, {"Industry", "Banking"}});
  json rec = Stored("Account", id);
  ASSERT_TRUE(rec.is_object());
  EXPECT_EQ(rec["Id"], id);
  EXPECT_EQ(rec["Name"], "Stamped");
  EXPECT_EQ(rec["IsDeleted"], false);
  for (const char* stamp : {"CreatedDate", "LastModifiedDate", "SystemModstamp"}) {
    ASSERT_TRUE(rec[stamp].is_string()) << stamp;
    EXPECT_TRUE(std::regex_match(rec[stamp].get<std::string>(), kSalesforceDateTime))
        << stamp << " " << rec[stamp];
  }
  EXPECT_EQ(rec["CreatedDate"], rec["LastModifiedDate"]);
  const std::string user = emu().integration_user().id;
  EXPECT_EQ(rec["CreatedById"], user);
  EXPECT_EQ(rec["LastModifiedById"], user);
  EXPECT_EQ(rec["OwnerId"], user);
}

TEST_F(WriteApiTest, UpdateAnswers204AndRestampsModificationOnly) {
  const std::string id = CreateOk("Account", {{"Name", "Before"}});
  const json before = Stored("Account", id);
  emu().org().AdvanceClock(61000);
  ClientResponse r = Send("PATCH", "sobjects/Account/" + id, {{"Name", "After"}, {"Phone", "555"}});
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  const json after = Stored("Account", id);
  EXPECT_EQ(after["Name"], "After");
  EXPECT_EQ(after["Phone"], "555");
  EXPECT_EQ(after["CreatedDate"], before["CreatedDate"]);
  EXPECT_GT(after["LastModifiedDate"].get<std::string>(), before["LastModifiedDate"].get<std::string>());
  EXPECT_GT(after["SystemModstamp"].get<std::string>(), before["SystemModstamp"].get<std::string>());
  // An update by the 15-character Id reaches the same record.
  r = Send("PATCH", "sobjects/Account/" + id.substr(0, 15), {{"Phone", "556"}});
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(Stored("Account", id)["Phone"], "556");
}

TEST_F(WriteApiTest, UpdateWithIdInTheBodyIsInvalidField) {
  const std::string id = CreateOk("Account", {{"Name", "X"}});
  ClientResponse r = Send("PATCH", "sobjects/Account/" + id, {{"Id", id}, {"Name", "Y"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OneError(r), "INVALID_FIELD: The Id field should not be specified in the sobject data.");
}

TEST_F(WriteApiTest, DeleteAnswers204ThenEntityIsDeleted) {
  const std::string id = CreateOk("Account", {{"Name", "Doomed"}});
  ClientResponse r = emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/" + id));
  ASSERT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(Stored("Account", id)["__deleted"], true);
  EXPECT_EQ(Stored("Account", id)["IsDeleted"], true);
  r = emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/" + id));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r), "ENTITY_IS_DELETED: entity is deleted");
  r = Send("PATCH", "sobjects/Account/" + id, {{"Name", "Zombie"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r), "ENTITY_IS_DELETED: entity is deleted");
}

TEST_F(WriteApiTest, PathIdsAndObjectsThatDoNotExist) {
  const std::string absent = engine::SfId::Parse("001Dn00000ZZZZZ")->To18();
  ClientResponse r = emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/" + absent));
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r), "NOT_FOUND: The requested resource does not exist");
  r = Send("PATCH", "sobjects/Account/" + absent, {{"Name", "X"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r), "NOT_FOUND: The requested resource does not exist");
  // Not an Id at all: Salesforce takes it for an external Id field name.
  r = Send("PATCH", "sobjects/Account/not-an-id", {{"Name", "X"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r),
            "NOT_FOUND: Provided external ID field does not exist or is not accessible: not-an-id");
  // An Id of another object.
  const std::string lead = CreateOk("Lead", {{"LastName", "L"}, {"Company", "C"}});
  r = Send("PATCH", "sobjects/Account/" + lead, {{"Name", "X"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OneError(r), "MALFORMED_ID: Account ID: id value of incorrect type: " + lead);
  EXPECT_EQ(r.Json()[0]["fields"], json::array({"Id"}));
  r = Send("POST", "sobjects/Spaceship__c", {{"Name", "X"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r), "NOT_FOUND: The requested resource does not exist");
}

TEST_F(WriteApiTest, UpsertCreatesThenUpdatesByExternalId) {
  const std::string path = "sobjects/Lead/ConnectFlo_Conversation_Id__c/conv-upsert-1";
  ClientResponse r = Send("PATCH", path, {{"LastName", "Up"}, {"Company", "Sert"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json created = r.Json();
  EXPECT_EQ(CompareShape(Sample("records/create_success.json"), created, /*allow_extra=*/true), "");
  EXPECT_EQ(created["created"], true);
  EXPECT_EQ(created["success"], true);
  const std::string id = created["id"];
  EXPECT_EQ(Stored("Lead", id)["ConnectFlo_Conversation_Id__c"], "conv-upsert-1");

  r = Send("PATCH", "sobjects/Lead/ConnectFlo_Conversation_Id__c/CONV-UPSERT-1",
           {{"Company", "Sert Inc"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json updated = r.Json();
  EXPECT_EQ(updated, (json{{"id", id}, {"success", true}, {"errors", json::array()},
                           {"created", false}}));
  EXPECT_EQ(Stored("Lead", id)["Company"], "Sert Inc");
}

TEST_F(WriteApiTest, UpsertBeforeVersion46AnswersTheOlderShapes) {
  const std::string path = "/services/data/v45.0/sobjects/Lead/ConnectFlo_Conversation_Id__c/old-1";
  ClientResponse r = emu().Call("PATCH", path, R"({"LastName": "Old", "Company": "Timer"})");
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(CompareShape(Sample("records/create_success.json"), r.Json()), "");
  r = emu().Call("PATCH", path, R"({"Company": "Timer Inc"})");
  EXPECT_EQ(r.status, 204) << r.body;
  EXPECT_EQ(r.body, "");
}

TEST_F(WriteApiTest, UpsertValueIsPercentDecoded) {
  ClientResponse r = Send("PATCH", "sobjects/Lead/ConnectFlo_Conversation_Id__c/conv%2F7%20x",
                          {{"LastName", "Slash"}, {"Company", "C"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(Stored("Lead", r.Json()["id"])["ConnectFlo_Conversation_Id__c"], "conv/7 x");
}

TEST_F(WriteApiTest, UpsertWithSeveralMatchesAnswers300WithTheirUrls) {
  // Task's external Id is not unique, so two tasks may share it.
  const std::string a = CreateOk("Task", {{"Subject", "A"}, {"ConnectFlo_Conversation_Id__c", "twin"}});
  const std::string b = CreateOk("Task", {{"Subject", "B"}, {"ConnectFlo_Conversation_Id__c", "twin"}});
  ClientResponse r = Send("PATCH", "sobjects/Task/ConnectFlo_Conversation_Id__c/twin",
                          {{"Subject", "C"}});
  ASSERT_EQ(r.status, 300) << r.body;
  json urls = r.Json();
  ASSERT_TRUE(urls.is_array());
  std::set<std::string> got(urls.begin(), urls.end());
  EXPECT_EQ(got, (std::set<std::string>{Emulator::ApiPath("sobjects/Task/" + a),
                                        Emulator::ApiPath("sobjects/Task/" + b)}));
  EXPECT_EQ(Stored("Task", a)["Subject"], "A");
}

TEST_F(WriteApiTest, UpsertFieldErrors) {
  ClientResponse r = Send("PATCH", "sobjects/Lead/Nope__c/x", {{"LastName", "L"}});
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(OneError(r),
            "NOT_FOUND: Provided external ID field does not exist or is not accessible: Nope__c");
  r = Send("PATCH", "sobjects/Lead/LastName/x", {{"Company", "C"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OneError(r), "INVALID_FIELD: Field name provided, LastName is not an External ID or "
                         "indexed field for Lead");
  r = Send("PATCH", "sobjects/Lead/ConnectFlo_Conversation_Id__c/x",
           {{"LastName", "L"}, {"Company", "C"}, {"ConnectFlo_Conversation_Id__c", "y"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OneError(r), "INVALID_FIELD: The ConnectFlo_Conversation_Id__c field should not be "
                         "specified in the sobject data.");
  // Validation applies to the record upsert creates.
  r = Send("PATCH", "sobjects/Lead/ConnectFlo_Conversation_Id__c/x", {{"Company", "C"}});
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(OneError(r), "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]");
}

TEST_F(WriteApiTest, ConcurrentWritersLoseNothing) {
  constexpr int kThreads = 8;
  constexpr int kCreatesPerThread = 25;
  // Each thread owns one field of a shared record and writes it repeatedly.
  const std::vector<std::string> fields = {"Phone",       "Fax",          "Site",
                                           "AccountNumber", "TickerSymbol", "Sic",
                                           "BillingCity", "ShippingCity"};
  const std::string shared = CreateOk("Account", {{"Name", "Shared"}});
  const std::string token = emu().AccessToken();
  size_t before;
  {
    auto lock = emu().org().Lock();
    before = emu().org().CountLocked(*emu().org().schema().Find("Account"));
  }
  std::vector<std::vector<std::string>> ids(kThreads);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      HttpClient client = emu().NewClient();
      const HeaderList headers = {{"Authorization", "Bearer " + token},
                                  {"Content-Type", "application/json"}};
      for (int i = 0; i < kCreatesPerThread; ++i) {
        json body = {{"Name", "T" + std::to_string(t) + "-" + std::to_string(i)}};
        ClientResponse r =
            client.Request("POST", Emulator::ApiPath("sobjects/Account"), body.dump(), headers);
        if (r.status != 201) {
          ++failures;
          continue;
        }
        ids[t].push_back(r.Json()["id"]);
        json change = {{fields[t], std::to_string(i)}};
        r = client.Request("PATCH", Emulator::ApiPath("sobjects/Account/" + shared), change.dump(),
                           headers);
        if (r.status != 204) ++failures;
      }
    });
  }
  for (std::thread& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  std::set<std::string> unique;
  for (const auto& v : ids) unique.insert(v.begin(), v.end());
  EXPECT_EQ(unique.size(), size_t{kThreads * kCreatesPerThread});
  {
    auto lock = emu().org().Lock();
    EXPECT_EQ(emu().org().CountLocked(*emu().org().schema().Find("Account")),
              before + kThreads * kCreatesPerThread);
  }
  const json rec = Stored("Account", shared);
  for (const std::string& f : fields) {
    EXPECT_EQ(rec[f], std::to_string(kCreatesPerThread - 1)) << f;
  }
  for (const auto& v : ids) {
    for (const std::string& id : v) EXPECT_FALSE(Stored("Account", id).is_null()) << id;
  }
}

}  // namespace
}  // namespace cf::sfemu::testing
