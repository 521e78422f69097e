// Conformance of write errors over real sockets: every write row of the spec's error table
// (../shared/spec/salesforce-emulator.md), each answer compared with Salesforce's shape (the
// captured error sample: an array of {"message", "errorCode"} plus "fields"), status, code,
// exact message and fields.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "engine/value.h"
#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

struct ErrorRow {
  std::string name;
  std::string method;
  std::string rest;  // below /services/data/v59.0/
  std::string body;  // raw request text
  int status;
  std::string code;
  std::string message;
  std::vector<std::string> fields;  // expected "fields"; empty: absent or []
};

class ConformanceWriteTest : public EmulatorFixture {
 protected:
  std::string CreateOk(const std::string& object, const json& body) {
    ClientResponse r = emu().Call("POST", Emulator::ApiPath("sobjects/" + object), body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    json j = r.Json();
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : std::string();
  }

  void Check(const ErrorRow& row) {
    SCOPED_TRACE(row.name);
    ClientResponse r = emu().Call(row.method, Emulator::ApiPath(row.rest), row.body);
    EXPECT_EQ(r.status, row.status) << r.body;
    EXPECT_EQ(r.Header("content-type").rfind("application/json", 0), 0u);
    json j = r.Json();
    static const json kSample =
        json::parse(ReadTestData("salesforce-samples/errors/error_401_INVALID_SESSION_ID.json"));
    EXPECT_EQ(CompareShape(kSample, j, /*allow_extra=*/true), "") << r.body;
    ASSERT_TRUE(j.is_array() && j.size() == 1) << r.body;
    const json& e = j[0];
    EXPECT_EQ(e.value("errorCode", ""), row.code);
    EXPECT_EQ(e.value("message", ""), row.message);
    if (row.fields.empty()) {
      EXPECT_TRUE(!e.contains("fields") || e["fields"] == json::array()) << e.dump();
    } else {
      ASSERT_TRUE(e.contains("fields")) << e.dump();
      EXPECT_TRUE(e["fields"].is_array());
      EXPECT_EQ(e["fields"], json(row.fields));
    }
  }
};

TEST_F(ConformanceWriteTest, EveryWriteErrorRowAnswersLikeSalesforce) {
  const std::string account = CreateOk("Account", {{"Name", "Conformance"}});
  const std::string lead = CreateOk("Lead", {{"LastName", "Dup"},
                                             {"Company", "Dup Inc"},
                                             {"ConnectFlo_Conversation_Id__c", "conf-dup-1"}});
  const std::string doomed = CreateOk("Account", {{"Name", "Doomed"}});
  ASSERT_EQ(emu().Call("DELETE", Emulator::ApiPath("sobjects/Account/" + doomed)).status, 204);
  const std::string absent_account = engine::SfId::Parse("001Dn00000ZZZZZ")->To18();
  const std::string long_name(256, 'x');

  const std::vector<ErrorRow> rows = {
      {"required field missing", "POST", "sobjects/Lead", R"({"FirstName": "Ada"})", 400,
       "REQUIRED_FIELD_MISSING", "Required fields are missing: [LastName, Company]",
       {"LastName", "Company"}},
      {"validation rule", "POST", "sobjects/Opportunity",
       R"({"Name": "Big", "StageName": "Closed Won", "CloseDate": "2026-12-31"})", 400,
       "FIELD_CUSTOM_VALIDATION_EXCEPTION", "A Closed Won opportunity must have an Amount.",
       {"Amount"}},
      {"duplicate unique value", "POST", "sobjects/Lead",
       R"({"LastName": "B", "Company": "C", "ConnectFlo_Conversation_Id__c": "CONF-DUP-1"})", 400,
       "DUPLICATE_VALUE",
       "duplicate value found: ConnectFlo_Conversation_Id__c duplicates value on record with id: " +
           lead.substr(0, 15),
       {}},
      {"restricted picklist", "POST", "sobjects/Account",
       R"({"Name": "P", "Tier__c": "Diamond"})", 400, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
       "Tier: bad value for restricted picklist field: Diamond", {"Tier__c"}},
      {"dependent picklist", "POST", "sobjects/Case",
       R"({"Subject": "S", "Product__c": "Voice", "Sub_Product__c": "Web Chat"})", 400,
       "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
       "Sub-Product: bad value for restricted picklist field: Web Chat", {"Sub_Product__c"}},
      {"dependent picklist with a checkbox controller", "POST", "sobjects/Case",
       R"({"Subject": "S", "IsEscalated": false, "Escalation_Reason__c": "Churn Risk"})", 400,
       "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
       "Escalation Reason: bad value for restricted picklist field: Churn Risk",
       {"Escalation_Reason__c"}},
      {"malformed id in a lookup", "POST", "sobjects/Contact",
       R"({"LastName": "L", "Email": "l@example.com", "AccountId": "abc"})", 400, "MALFORMED_ID",
       "Account ID: id value of incorrect type: abc", {"AccountId"}},
      {"malformed id in the path", "PATCH", "sobjects/Account/" + lead, R"({"Name": "X"})", 400,
       "MALFORMED_ID", "Account ID: id value of incorrect type: " + lead, {"Id"}},
      {"lookup to another object", "POST", "sobjects/Contact",
       R"({"LastName": "L", "Email": "l@example.com", "AccountId": ")" + lead + R"("})", 400,
       "FIELD_INTEGRITY_EXCEPTION", "Account ID: id value of incorrect type: " + lead,
       {"AccountId"}},
      {"lookup to no record", "POST", "sobjects/Contact",
       R"({"LastName": "L", "Email": "l@example.com", "AccountId": ")" + absent_account + R"("})",
       400, "INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {"AccountId"}},
      {"string too long", "POST", "sobjects/Account", R"({"Name": ")" + long_name + R"("})", 400,
       "STRING_TOO_LONG", "Account Name: data value too large: " + long_name + " (max length=255)",
       {"Name"}},
      {"number out of range", "POST", "sobjects/Account",
       R"({"Name": "N", "NumberOfEmployees": 1431655766})", 400, "NUMBER_OUTSIDE_VALID_RANGE",
       "Employees: value outside of valid range on numeric field: 1431655766",
       {"NumberOfEmployees"}},
      {"bad email", "POST", "sobjects/Contact", R"({"LastName": "L", "Email": "nope"})", 400,
       "INVALID_EMAIL_ADDRESS", "Email: invalid email address: nope", {"Email"}},
      {"bad JSON", "POST", "sobjects/Account", R"({"Name": })", 400, "JSON_PARSER_ERROR",
       "Unexpected character ('}' (code 125)): expected a valid value (number, String, array, "
       "object, 'true', 'false' or 'null') at [line:1, column:11]",
       {}},
      {"wrong JSON type", "POST", "sobjects/Account", R"({"Name": "A", "AnnualRevenue": "lots"})",
       400, "JSON_PARSER_ERROR",
       "Cannot deserialize instance of double from VALUE_STRING value lots or request may be "
       "missing a required field at [line:1, column:38]",
       {}},
      {"array for a record", "POST", "sobjects/Account", R"([{"Name": "A"}])", 400,
       "JSON_PARSER_ERROR",
       "Cannot deserialize instance of Account from START_ARRAY value [ or request may be missing "
       "a required field at [line:1, column:2]",
       {}},
      {"empty body", "POST", "sobjects/Account", "", 400, "JSON_PARSER_ERROR",
       "The HTTP entity body is required, but this request has no entity body.", {}},
      {"unknown field", "POST", "sobjects/Account", R"({"Name": "A", "Bogus__c": 1})", 400,
       "INVALID_FIELD", "No such column 'Bogus__c' on sobject of type Account", {}},
      {"field hidden by field-level security", "POST", "sobjects/Contact",
       R"({"LastName": "L", "Email": "l@example.com", "Birthdate": "1990-01-01"})", 400,
       "INVALID_FIELD", "No such column 'Birthdate' on sobject of type Contact", {}},
      {"read-only field", "POST", "sobjects/Account",
       R"({"Name": "A", "CreatedDate": "2026-01-01T00:00:00.000+0000"})", 400,
       "INVALID_FIELD_FOR_INSERT_UPDATE",
       "Unable to create/update fields: CreatedDate. Please check the security settings of this "
       "field and verify that it is read/write for your profile or permission set.",
       {"CreatedDate"}},
      {"deleted record", "DELETE", "sobjects/Account/" + doomed, "", 404, "ENTITY_IS_DELETED",
       "entity is deleted", {}},
      {"unknown record", "DELETE", "sobjects/Account/" + absent_account, "", 404, "NOT_FOUND",
       "The requested resource does not exist", {}},
      {"unknown object", "POST", "sobjects/Spaceship__c", R"({"Name": "A"})", 404, "NOT_FOUND",
       "The requested resource does not exist", {}},
  };
  for (const ErrorRow& row : rows) Check(row);
  // None of the failed writes left a record behind.
  auto lock = emu().org().Lock();
  EXPECT_TRUE(emu()
                  .org()
                  .FindByFieldLocked(*emu().org().schema().Find("Account"), "Name", json("P"))
                  .empty());
}

// An object the integration user may not create: the org's Account made read-only.
class ReadOnlyObjectTest : public EmulatorFixture {
 protected:
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.customize = [](Org& org) {
      auto schema = std::make_shared<engine::Schema>(org.schema());
      engine::Object account = *schema->Find("Account");
      account.createable = false;
      account.updateable = false;
      schema->Add(std::move(account));
      auto lock = org.Lock();
      org.SetSchema(std::move(schema));
    };
    return o;
  }
};

TEST_F(ReadOnlyObjectTest, WritesToAnObjectWithoutAccessAreInsufficientAccess) {
  ClientResponse r = emu().Call("POST", Emulator::ApiPath("sobjects/Account"), R"({"Name": "A"})");
  EXPECT_EQ(r.status, 400) << r.body;
  json j = r.Json();
  ASSERT_TRUE(j.is_array() && j.size() == 1) << r.body;
  EXPECT_EQ(j[0]["errorCode"], "INSUFFICIENT_ACCESS_OR_READONLY");
  EXPECT_EQ(j[0]["message"], "insufficient access rights on object id");
}

}  // namespace
}  // namespace cf::sfemu::testing
