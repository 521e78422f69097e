// Conformance of the read API's success and error shapes with the real samples in
// tests/data/salesforce-samples, over real sockets: same keys, same JSON types, same status
// codes. And the round trip the issue asks for: the describe JSON the emulator serves parses
// (cf::sf::ParseDescribe) to the same engine::Object as the file it came from.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;
using testing::CompareShape;
using testing::Emulator;
using testing::ReadTestData;

json Sample(const std::string& path) { return json::parse(ReadTestData("salesforce-samples/" + path)); }

std::string ReadOrgFile(const std::string& name) {
  std::ifstream in(std::string(CF_SOURCE_DIR) + "/examples/org/describe/" + name, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::set<std::string> Keys(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// JSON types of the values a key takes across a list of objects (null excluded).
std::map<std::string, std::set<std::string>> TypesByKey(const json& list) {
  std::map<std::string, std::set<std::string>> out;
  for (const json& item : list) {
    for (auto it = item.begin(); it != item.end(); ++it) {
      if (it.value().is_null()) continue;
      out[it.key()].insert(it.value().is_number() ? "number" : it.value().type_name());
    }
  }
  return out;
}

class ConformanceTest : public testing::EmulatorFixture {
 protected:
  // A token of the org's System Administrator (no field-level security applies).
  std::string AdminToken() {
    const OrgUser* admin = emu().org().FindUser("ann.rivera@connectflo-demo.example");
    EXPECT_NE(admin, nullptr);
    ClientResponse r = emu().PasswordGrant(admin->username, admin->password);
    EXPECT_EQ(r.status, 200) << r.body;
    return r.Json().value("access_token", "");
  }
  ClientResponse AdminGet(const std::string& target) {
    return emu().Raw("GET", target, {}, {{"Authorization", "Bearer " + AdminToken()}});
  }
};

TEST_F(ConformanceTest, DescribeMatchesTheSamplesKeyForKey) {
  for (const char* name : {"Account", "Contact", "Lead"}) {
    SCOPED_TRACE(name);
    const json sample = Sample(std::string("describe/sobject_describe_") + name + ".json");
    ClientResponse r = emu().Get(Emulator::ApiPath(std::string("sobjects/") + name + "/describe"));
    ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
    EXPECT_EQ(r.Header("content-type"), "application/json;charset=UTF-8");
    const json served = r.Json();
    // Object level: the sample's keys and types; v59.0 adds three keys to the v48.0 capture.
    EXPECT_EQ(CompareShape(sample, served, /*allow_extra=*/true), "");
    std::set<std::string> extra;
    for (const std::string& k : Keys(served)) {
      if (!sample.contains(k)) extra.insert(k);
    }
    EXPECT_TRUE(extra.empty() || extra == std::set<std::string>({"associateEntityType",
                                                                "associateParentEntity",
                                                                "sobjectDescribeOption"}));
    // Every field has exactly the sample's 57 keys, and each key takes the sample's types.
    const std::set<std::string> field_keys = Keys(sample["fields"][0]);
    ASSERT_EQ(field_keys.size(), 57u);
    for (const json& f : served["fields"]) EXPECT_EQ(Keys(f), field_keys) << f["name"];
    const auto sample_types = TypesByKey(sample["fields"]);
    for (const auto& [key, types] : TypesByKey(served["fields"])) {
      auto it = sample_types.find(key);
      if (it == sample_types.end()) continue;  // always null in the sample
      for (const std::string& t : types) {
        EXPECT_EQ(it->second.count(t), 1u) << key << " is " << t;
      }
    }
    const std::set<std::string> child_keys = Keys(sample["childRelationships"][0]);
    for (const json& c : served["childRelationships"]) EXPECT_EQ(Keys(c), child_keys);
    EXPECT_EQ(Keys(served["urls"]), Keys(sample["urls"]));
    // URLs carry the requested version and the emulator's host.
    EXPECT_EQ(served["urls"]["describe"], std::string("/services/data/v59.0/sobjects/") + name + "/describe");
    EXPECT_EQ(served["urls"]["uiDetailTemplate"].get<std::string>().rfind(emu().base_url(), 0), 0u);
  }
  // Another version: URLs follow it.
  ClientResponse v60 = emu().Get("/services/data/v60.0/sobjects/Lead/describe");
  ASSERT_EQ(v60.status, 200);
  EXPECT_EQ(v60.Json()["urls"]["sobject"], "/services/data/v60.0/sobjects/Lead");
}

TEST_F(ConformanceTest, DescribeGlobalMatchesTheSample) {
  const json sample = Sample("describe/describeGlobal.json");
  ClientResponse r = emu().Get(Emulator::ApiPath("sobjects"));
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 300);
  const json served = r.Json();
  EXPECT_EQ(CompareShape(sample, served), "");
  const std::set<std::string> entry_keys = Keys(sample["sobjects"][0]);
  std::set<std::string> names;
  for (const json& o : served["sobjects"]) {
    EXPECT_EQ(Keys(o), entry_keys) << o["name"];
    names.insert(o["name"]);
    // The urls of describeGlobal are a subset of the sample's kinds (no UI templates).
    for (const std::string& k : Keys(o["urls"])) {
      EXPECT_TRUE(k != "uiDetailTemplate" && k != "uiEditTemplate" && k != "uiNewRecord") << k;
    }
  }
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case", "Task", "User",
                           "Support_Contract__c"}) {
    EXPECT_EQ(names.count(name), 1u) << name;
  }
  // Account's entry equals the sample's, value for value, but for the version in the URLs.
  json account;
  for (const json& o : served["sobjects"]) {
    if (o["name"] == "Account") account = o;
  }
  json expected = sample["sobjects"][0];
  std::string text = expected.dump();
  for (size_t at; (at = text.find("/v52.0/")) != std::string::npos;) text.replace(at, 7, "/v59.0/");
  expected = json::parse(text);
  for (const char* key : {"label", "labelPlural", "keyPrefix", "custom", "queryable", "createable",
                          "updateable", "deletable", "layoutable", "searchable", "urls"}) {
    EXPECT_EQ(account[key], expected[key]) << key;
  }
}

TEST_F(ConformanceTest, QueryPagesMatchTheSamples) {
  const json page1 = Sample("query/query_page1_nextRecordsUrl_restforce.json");
  const json last = Sample("query/query_page2_last_restforce.json");
  const json nested = Sample("query/query_with_parent_and_child_relationships_restforce.json");
  // Envelopes: the sample records' own fields are the fixture object's, so only attributes
  // are compared inside records.
  auto envelope = [](json j) {
    for (json& r : j["records"]) r = json{{"attributes", r["attributes"]}};
    return j;
  };
  ClientResponse first = emu().Raw("GET", Emulator::ApiPath("query?q=" + Encode("SELECT Id, Name FROM Contact")),
                                   {}, {{"Authorization", "Bearer " + emu().AccessToken()},
                                        {"Sforce-Query-Options", "batchSize=200"}});
  ASSERT_EQ(first.status, 200);
  // 15 contacts fit in one page of 200: done, no nextRecordsUrl, as the last-page sample.
  EXPECT_EQ(CompareShape(envelope(last), envelope(first.Json())), "");

  // A first page with a next one: enough records for two pages of 200.
  {
    auto lock = emu().org().Lock();
    const engine::Object& lead = *emu().org().schema().Find("Lead");
    for (int i = 0; i < 300; ++i) {
      emu().org().InsertLocked(lead, {{"LastName", "L" + std::to_string(i)}, {"Company", "C"}}, "");
    }
  }
  ClientResponse p1 = emu().Raw("GET", Emulator::ApiPath("query?q=" + Encode("SELECT Id FROM Lead")), {},
                                {{"Authorization", "Bearer " + emu().AccessToken()},
                                 {"Sforce-Query-Options", "batchSize=200"}});
  ASSERT_EQ(p1.status, 200);
  EXPECT_EQ(CompareShape(envelope(page1), envelope(p1.Json())), "");
  ClientResponse p2 = emu().Get(p1.Json()["nextRecordsUrl"].get<std::string>());
  ASSERT_EQ(p2.status, 200);
  EXPECT_EQ(CompareShape(envelope(last), envelope(p2.Json())), "");

  // Parent record and child subquery, shaped as the sample's.
  ClientResponse rel = emu().Get(Emulator::ApiPath("query?q=" + Encode(
      "SELECT Name, Owner.Name, (SELECT LastName FROM Contacts) FROM Account WHERE Name = "
      "'Kestrel Banking Group'")));
  ASSERT_EQ(rel.status, 200) << rel.body;
  const json record = rel.Json()["records"][0];
  const json& sample_record = nested["records"][0];
  EXPECT_EQ(Keys(record["Owner"]["attributes"]), Keys(sample_record["ParentWhizbang__r"]["attributes"]));
  EXPECT_EQ(Keys(record["Contacts"]), Keys(sample_record["Whizbangs__r"]));
  EXPECT_EQ(CompareShape(envelope(sample_record["Whizbangs__r"]), envelope(record["Contacts"])), "");
  // A record GET has the attributes of a query record.
  ClientResponse get = emu().Get(Emulator::ApiPath("sobjects/Account/" + record["attributes"]["url"].get<std::string>().substr(
      record["attributes"]["url"].get<std::string>().rfind('/') + 1)));
  ASSERT_EQ(get.status, 200);
  EXPECT_EQ(Keys(get.Json()["attributes"]), Keys(sample_record["attributes"]));
  EXPECT_EQ(get.Json()["attributes"], record["attributes"]);
}

TEST_F(ConformanceTest, LimitsMatchTheSample) {
  json sample = Sample("limits/limits_v50_devorg_real.json");
  ClientResponse r = emu().Get(Emulator::ApiPath("limits"));
  ASSERT_EQ(r.status, 200);
  const json served = r.Json();
  EXPECT_EQ(Keys(served), Keys(sample));
  // The capture lists that org's own connected apps; the emulator lists its own.
  for (const char* per_app : {"DailyApiRequests", "DailyBulkApiBatches",
                              "DailyGenericStreamingApiEvents", "DailyStreamingApiEvents"}) {
    for (const char* own : {"JWTTest", "mohansun4ConnApp", "mohansunCApp"}) sample[per_app].erase(own);
  }
  EXPECT_EQ(CompareShape(sample, served, /*allow_extra=*/true), "");
  for (auto it = served.begin(); it != served.end(); ++it) {
    EXPECT_TRUE(it.value()["Max"].is_number_integer()) << it.key();
    EXPECT_TRUE(it.value()["Remaining"].is_number_integer()) << it.key();
    for (auto app = it.value().begin(); app != it.value().end(); ++app) {
      if (app.value().is_object()) {
        EXPECT_EQ(Keys(app.value()), (std::set<std::string>{"Max", "Remaining"}));
      }
    }
  }
}

TEST_F(ConformanceTest, VersionsMatchTheSample) {
  const json sample = Sample("versions/versions_list_restforce.json");
  ClientResponse r = emu().Raw("GET", "/services/data", {}, {});
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(CompareShape(sample, r.Json()), "");
  for (const json& v : r.Json()) EXPECT_EQ(Keys(v), Keys(sample[0]));
}

TEST_F(ConformanceTest, ErrorShapesMatchTheSamples) {
  const json malformed = Sample("errors/error_400_MALFORMED_QUERY_live.json");
  for (const std::string& soql : {std::string("invalid"), std::string("SELECT Id FROM Account WHERE"),
                                  std::string("SELECT Nope FROM Account"), std::string("SELECT Id FROM Nope")}) {
    ClientResponse r = emu().Get(Emulator::ApiPath("query?q=" + Encode(soql)));
    EXPECT_EQ(r.status, 400) << soql;
    EXPECT_EQ(CompareShape(malformed, r.Json()), "") << soql << ": " << r.body;
    // Key order as the live capture has it: message first, then errorCode.
    EXPECT_EQ(r.body.rfind("[{\"message\":", 0), 0u) << r.body;
    EXPECT_NE(r.body.find("\",\"errorCode\":\""), std::string::npos) << r.body;
  }
  // The same order on every error answer: 401, 404, 405, a write error with fields.
  const json expired = Sample("errors/error_401_INVALID_SESSION_ID.json");
  ClientResponse r = emu().Raw("GET", Emulator::ApiPath("limits"), "",
                               {{"Authorization", "Bearer not-a-token"}});
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(r.Json(), expired);
  // Byte for byte: [{"message":...,"errorCode":...}].
  EXPECT_EQ(r.body, nlohmann::ordered_json::parse(
                        ReadTestData("salesforce-samples/errors/error_401_INVALID_SESSION_ID.json"))
                        .dump());
  for (const auto& [method, rest, body] :
       std::vector<std::tuple<std::string, std::string, std::string>>{
           {"GET", "sobjects/Nope/describe", ""},
           {"PUT", "limits", ""},
           {"POST", "sobjects/Lead", R"({"Company":"No Name"})"}}) {
    r = emu().Call(method, Emulator::ApiPath(rest), body);
    EXPECT_GE(r.status, 400) << rest;
    EXPECT_EQ(r.body.rfind("[{\"message\":", 0), 0u) << r.body;
  }
  EXPECT_NE(r.body.find(R"("errorCode":"REQUIRED_FIELD_MISSING","fields":["LastName"])"),
            std::string::npos)
      << r.body;
}

// ---- The describe round trip ----

void ExpectSameObject(const engine::Object& a, const engine::Object& b,
                      const std::set<std::string>& hidden_in_b = {}) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.label_plural, b.label_plural);
  EXPECT_EQ(a.key_prefix, b.key_prefix);
  EXPECT_EQ(a.custom, b.custom);
  EXPECT_EQ(a.createable, b.createable);
  EXPECT_EQ(a.updateable, b.updateable);
  EXPECT_EQ(a.queryable, b.queryable);
  std::vector<const engine::Field*> expected;
  for (const engine::Field& f : a.fields) {
    if (!hidden_in_b.count(f.name)) expected.push_back(&f);
  }
  ASSERT_EQ(expected.size(), b.fields.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    const engine::Field& x = *expected[i];
    const engine::Field& y = b.fields[i];
    SCOPED_TRACE(x.name);
    EXPECT_EQ(x.name, y.name);
    EXPECT_EQ(x.label, y.label);
    EXPECT_EQ(x.type, y.type);
    EXPECT_EQ(x.custom, y.custom);
    EXPECT_EQ(x.createable, y.createable);
    EXPECT_EQ(x.updateable, y.updateable);
    EXPECT_EQ(x.nillable, y.nillable);
    EXPECT_EQ(x.defaulted_on_create, y.defaulted_on_create);
    EXPECT_EQ(x.unique, y.unique);
    EXPECT_EQ(x.external_id, y.external_id);
    EXPECT_EQ(x.calculated, y.calculated);
    EXPECT_EQ(x.name_field, y.name_field);
    EXPECT_EQ(x.id_lookup, y.id_lookup);
    EXPECT_EQ(x.case_sensitive, y.case_sensitive);
    EXPECT_EQ(x.restricted_picklist, y.restricted_picklist);
    EXPECT_EQ(x.dependent_picklist, y.dependent_picklist);
    EXPECT_EQ(x.length, y.length);
    EXPECT_EQ(x.precision, y.precision);
    EXPECT_EQ(x.scale, y.scale);
    EXPECT_EQ(x.digits, y.digits);
    EXPECT_EQ(x.controller_name, y.controller_name);
    EXPECT_EQ(x.reference_to, y.reference_to);
    EXPECT_EQ(x.relationship_name, y.relationship_name);
    ASSERT_EQ(x.picklist_values.size(), y.picklist_values.size());
    for (size_t k = 0; k < x.picklist_values.size(); ++k) {
      EXPECT_EQ(x.picklist_values[k].value, y.picklist_values[k].value);
      EXPECT_EQ(x.picklist_values[k].label, y.picklist_values[k].label);
      EXPECT_EQ(x.picklist_values[k].active, y.picklist_values[k].active);
      EXPECT_EQ(x.picklist_values[k].default_value, y.picklist_values[k].default_value);
      EXPECT_EQ(x.picklist_values[k].valid_for, y.picklist_values[k].valid_for);
    }
  }
  ASSERT_EQ(a.child_relationships.size(), b.child_relationships.size());
  for (size_t i = 0; i < a.child_relationships.size(); ++i) {
    EXPECT_EQ(a.child_relationships[i].relationship_name, b.child_relationships[i].relationship_name);
    EXPECT_EQ(a.child_relationships[i].child_object, b.child_relationships[i].child_object);
    EXPECT_EQ(a.child_relationships[i].field, b.child_relationships[i].field);
  }
}

TEST_F(ConformanceTest, ServedDescribeRoundTripsThroughParseDescribe) {
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case", "Task", "User",
                           "Support_Contract__c"}) {
    SCOPED_TRACE(name);
    std::string error;
    auto from_file = sf::ParseDescribe(ReadOrgFile(std::string(name) + ".json"), &error);
    ASSERT_TRUE(from_file) << error;
    // The admin sees the describe whole: the same Object.
    ClientResponse admin = AdminGet(Emulator::ApiPath(std::string("sobjects/") + name + "/describe"));
    ASSERT_EQ(admin.status, 200);
    auto served = sf::ParseDescribe(admin.body, &error);
    ASSERT_TRUE(served) << error;
    ExpectSameObject(*from_file, *served);
    // The integration user: the same but for the fields hidden from it.
    std::set<std::string> hidden;
    for (const engine::Field& f : from_file->fields) {
      if (emu().org().IsHidden(name, f.name)) hidden.insert(f.name);
    }
    ClientResponse integration = emu().Get(Emulator::ApiPath(std::string("sobjects/") + name + "/describe"));
    auto served_fls = sf::ParseDescribe(integration.body, &error);
    ASSERT_TRUE(served_fls) << error;
    ExpectSameObject(*from_file, *served_fls, hidden);
  }
  // The samples themselves, loaded as an org's describe files, round-trip the same way: the
  // example org's Account, Contact and Lead are the samples plus this org's custom fields.
  for (const char* name : {"Account", "Contact", "Lead"}) {
    std::string error;
    auto sample = sf::ParseDescribe(ReadTestData(std::string("salesforce-samples/describe/sobject_describe_") + name + ".json"), &error);
    ASSERT_TRUE(sample) << error;
    ClientResponse admin = AdminGet(Emulator::ApiPath(std::string("sobjects/") + name + "/describe"));
    auto served = sf::ParseDescribe(admin.body, &error);
    ASSERT_TRUE(served);
    for (const engine::Field& f : sample->fields) {
      const engine::Field* g = served->FindField(f.name);
      ASSERT_NE(g, nullptr) << name << "." << f.name;
      EXPECT_EQ(g->type, f.type) << f.name;
      EXPECT_EQ(g->picklist_values.size(), f.picklist_values.size()) << f.name;
      EXPECT_EQ(g->reference_to, f.reference_to) << f.name;
    }
  }
}

TEST_F(ConformanceTest, ToolingQueryShape) {
  ClientResponse r = emu().Get(Emulator::ApiPath("tooling/query?q=" + Encode(
      "SELECT Id, ValidationName, Active, Description, ErrorDisplayField, ErrorMessage, "
      "EntityDefinitionId, NamespacePrefix, ManageableState, CreatedDate FROM ValidationRule")));
  ASSERT_EQ(r.status, 200) << r.body;
  const json body = r.Json();
  EXPECT_EQ(Keys(body), (std::set<std::string>{"size", "totalSize", "done", "queryLocator",
                                               "entityTypeName", "records"}));
  for (const json& rec : body["records"]) {
    EXPECT_EQ(Keys(rec), (std::set<std::string>{"attributes", "Id", "ValidationName", "Active",
                                                "Description", "ErrorDisplayField", "ErrorMessage",
                                                "EntityDefinitionId", "NamespacePrefix",
                                                "ManageableState", "CreatedDate"}));
    EXPECT_TRUE(rec["Active"].is_boolean());
    EXPECT_TRUE(rec["ErrorMessage"].is_string());
    EXPECT_TRUE(rec["ManageableState"] == "unmanaged");
  }
}

}  // namespace
}  // namespace cf::sfemu
