// Describe and describeGlobal parsing against real captured Salesforce bodies, and its
// behaviour on malformed input.
#include "connectors/salesforce/describe_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

namespace cf::sf {
namespace {

using engine::FieldType;
using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Sample(const std::string& name) {
  return ReadFile(std::string(CF_TEST_DATA_DIR) + "/salesforce-samples/describe/" + name);
}

engine::Object MustParse(const std::string& text) {
  std::string error;
  std::optional<engine::Object> o = ParseDescribe(text, &error);
  EXPECT_TRUE(o.has_value()) << error;
  return o ? std::move(*o) : engine::Object();
}

const engine::Field& MustFind(const engine::Object& o, std::string_view name) {
  const engine::Field* f = o.FindField(name);
  if (f == nullptr) {
    ADD_FAILURE() << "no field " << name << " on " << o.name;
    static const engine::Field kNone;
    return kNone;
  }
  return *f;
}

std::vector<std::string> Values(const engine::Field& f) {
  std::vector<std::string> out;
  for (const engine::PicklistValue& v : f.picklist_values) out.push_back(v.value);
  return out;
}

// --- Real samples ---------------------------------------------------------------------------

TEST(DescribeJson, AccountSampleObjectAttributes) {
  engine::Object account = MustParse(Sample("sobject_describe_Account.json"));
  EXPECT_EQ(account.name, "Account");
  EXPECT_EQ(account.label, "Account");
  EXPECT_EQ(account.label_plural, "Accounts");
  EXPECT_EQ(account.key_prefix, "001");
  EXPECT_FALSE(account.custom);
  EXPECT_TRUE(account.createable);
  EXPECT_TRUE(account.updateable);
  EXPECT_TRUE(account.queryable);
  EXPECT_FALSE(account.is_event);
  // The capture has 68 fields, none of them deprecatedAndHidden.
  EXPECT_EQ(account.fields.size(), 68u);
  EXPECT_EQ(account.fields.front().name, "Id");
  EXPECT_EQ(account.fields.back().name, "OperatingHoursId");
}

TEST(DescribeJson, AccountSampleFields) {
  engine::Object account = MustParse(Sample("sobject_describe_Account.json"));

  const engine::Field& id = MustFind(account, "Id");
  EXPECT_EQ(id.type, FieldType::kId);
  EXPECT_TRUE(id.id_lookup);
  EXPECT_FALSE(id.nillable);
  EXPECT_FALSE(id.createable);
  EXPECT_EQ(id.length, 18);

  const engine::Field& revenue = MustFind(account, "annualrevenue");  // any case
  EXPECT_EQ(revenue.name, "AnnualRevenue");
  EXPECT_EQ(revenue.label, "Annual Revenue");
  EXPECT_EQ(revenue.type, FieldType::kCurrency);
  EXPECT_EQ(revenue.precision, 18);
  EXPECT_EQ(revenue.scale, 0);
  EXPECT_TRUE(revenue.nillable);
  EXPECT_TRUE(revenue.createable);
  EXPECT_TRUE(revenue.updateable);

  const engine::Field& employees = MustFind(account, "NumberOfEmployees");
  EXPECT_EQ(employees.type, FieldType::kInt);
  EXPECT_EQ(employees.digits, 8);

  const engine::Field& name = MustFind(account, "Name");
  EXPECT_EQ(name.type, FieldType::kString);
  EXPECT_TRUE(name.name_field);
  EXPECT_FALSE(name.nillable);
  EXPECT_EQ(name.length, 255);

  const engine::Field& latitude = MustFind(account, "BillingLatitude");
  EXPECT_EQ(latitude.type, FieldType::kDouble);
  EXPECT_EQ(latitude.precision, 18);
  EXPECT_EQ(latitude.scale, 15);

  EXPECT_EQ(MustFind(account, "BillingAddress").type, FieldType::kAddress);
  EXPECT_EQ(MustFind(account, "Description").type, FieldType::kTextArea);
  EXPECT_EQ(MustFind(account, "Description").length, 32000);
  EXPECT_EQ(MustFind(account, "Website").type, FieldType::kUrl);
  EXPECT_EQ(MustFind(account, "Phone").type, FieldType::kPhone);
  EXPECT_EQ(MustFind(account, "CreatedDate").type, FieldType::kDateTime);
  EXPECT_EQ(MustFind(account, "LastActivityDate").type, FieldType::kDate);
  EXPECT_EQ(MustFind(account, "IsDeleted").type, FieldType::kBoolean);
  EXPECT_TRUE(MustFind(account, "IsDeleted").defaulted_on_create);
}

TEST(DescribeJson, AccountSamplePicklists) {
  engine::Object account = MustParse(Sample("sobject_describe_Account.json"));
  const engine::Field& type = MustFind(account, "Type");
  EXPECT_EQ(type.type, FieldType::kPicklist);
  EXPECT_EQ(type.label, "Account Type");
  EXPECT_FALSE(type.restricted_picklist);
  EXPECT_FALSE(type.dependent_picklist);
  EXPECT_EQ(Values(type),
            (std::vector<std::string>{"Prospect", "Customer - Direct", "Customer - Channel",
                                      "Channel Partner / Reseller", "Installation Partner",
                                      "Technology Partner", "Other"}));
  for (const engine::PicklistValue& v : type.picklist_values) {
    EXPECT_TRUE(v.active);
    EXPECT_FALSE(v.default_value);
    EXPECT_EQ(v.label, v.value);
    EXPECT_TRUE(v.valid_for.empty());
  }
  EXPECT_EQ(type.FindPicklistValue("Customer - Direct"), 1);

  const engine::Field& industry = MustFind(account, "Industry");
  EXPECT_EQ(industry.picklist_values.size(), 32u);
  EXPECT_EQ(industry.FindPicklistValue("Banking"), 2);
  EXPECT_EQ(industry.FindPicklistValue("Insurance"), 19);

  // Geocode accuracy is a restricted picklist in the capture.
  EXPECT_TRUE(MustFind(account, "BillingGeocodeAccuracy").restricted_picklist);
}

TEST(DescribeJson, AccountSampleLookupsAndChildren) {
  engine::Object account = MustParse(Sample("sobject_describe_Account.json"));

  const engine::Field& primary = MustFind(account, "Primary_Contact__c");
  EXPECT_EQ(primary.type, FieldType::kReference);
  EXPECT_EQ(primary.reference_to, std::vector<std::string>{"Contact"});
  EXPECT_EQ(primary.relationship_name, "PrimaryContact");
  // The capture (a CumulusCI cassette) says custom: false for this __c field; the parser
  // reports what the org says rather than guessing from the name.
  EXPECT_FALSE(primary.custom);

  const engine::Field& owner = MustFind(account, "OwnerId");
  EXPECT_EQ(owner.reference_to, std::vector<std::string>{"User"});
  EXPECT_EQ(owner.relationship_name, "Owner");
  EXPECT_EQ(account.FindLookupByRelationship("owner"), &owner);
  EXPECT_EQ(account.FindLookupByRelationship("Parent"), account.FindField("ParentId"));

  // 102 child relationships in the capture, 41 of them without a relationshipName.
  EXPECT_EQ(account.child_relationships.size(), 61u);
  const engine::ChildRelationship* opportunities = account.FindChildRelationship("Opportunities");
  ASSERT_NE(opportunities, nullptr);
  EXPECT_EQ(opportunities->child_object, "Opportunity");
  EXPECT_EQ(opportunities->field, "AccountId");
  const engine::ChildRelationship* cases = account.FindChildRelationship("cases");
  ASSERT_NE(cases, nullptr);
  EXPECT_EQ(cases->child_object, "Case");
  EXPECT_EQ(cases->field, "AccountId");
  const engine::ChildRelationship* contacts = account.FindChildRelationship("Contacts");
  ASSERT_NE(contacts, nullptr);
  EXPECT_EQ(contacts->child_object, "Contact");
  const engine::ChildRelationship* children = account.FindChildRelationship("ChildAccounts");
  ASSERT_NE(children, nullptr);
  EXPECT_EQ(children->child_object, "Account");
  EXPECT_EQ(children->field, "ParentId");
  for (const engine::ChildRelationship& c : account.child_relationships) {
    EXPECT_FALSE(c.relationship_name.empty());
  }
}

TEST(DescribeJson, ContactSample) {
  engine::Object contact = MustParse(Sample("sobject_describe_Contact.json"));
  EXPECT_EQ(contact.name, "Contact");
  EXPECT_EQ(contact.key_prefix, "003");
  EXPECT_EQ(contact.fields.size(), 59u);
  const engine::Field& account = MustFind(contact, "AccountId");
  EXPECT_EQ(account.type, FieldType::kReference);
  EXPECT_EQ(account.relationship_name, "Account");
  EXPECT_EQ(account.reference_to, std::vector<std::string>{"Account"});
  const engine::Field& email = MustFind(contact, "Email");
  EXPECT_EQ(email.type, FieldType::kEmail);
  EXPECT_TRUE(email.id_lookup);
  EXPECT_EQ(email.length, 80);
  EXPECT_EQ(MustFind(contact, "MobilePhone").type, FieldType::kPhone);
  EXPECT_EQ(MustFind(contact, "Birthdate").type, FieldType::kDate);
  EXPECT_FALSE(MustFind(contact, "LastName").nillable);
  EXPECT_EQ(Values(MustFind(contact, "Salutation")),
            (std::vector<std::string>{"Mr.", "Ms.", "Mrs.", "Dr.", "Prof."}));
  const engine::ChildRelationship* cases = contact.FindChildRelationship("Cases");
  ASSERT_NE(cases, nullptr);
  EXPECT_EQ(cases->field, "ContactId");
  const engine::ChildRelationship* tasks = contact.FindChildRelationship("Tasks");
  ASSERT_NE(tasks, nullptr);
  EXPECT_EQ(tasks->child_object, "Task");
  EXPECT_EQ(tasks->field, "WhoId");
}

TEST(DescribeJson, LeadSample) {
  engine::Object lead = MustParse(Sample("sobject_describe_Lead.json"));
  EXPECT_EQ(lead.name, "Lead");
  EXPECT_EQ(lead.key_prefix, "00Q");
  EXPECT_EQ(lead.fields.size(), 54u);
  const engine::Field& status = MustFind(lead, "Status");
  EXPECT_EQ(Values(status),
            (std::vector<std::string>{"Open - Not Contacted", "Working - Contacted",
                                      "Closed - Converted", "Closed - Not Converted"}));
  EXPECT_TRUE(status.picklist_values[0].default_value);
  EXPECT_FALSE(status.picklist_values[1].default_value);
  EXPECT_FALSE(status.nillable);
  EXPECT_TRUE(status.defaulted_on_create);
  // A polymorphic lookup.
  const engine::Field& owner = MustFind(lead, "OwnerId");
  EXPECT_EQ(owner.reference_to, (std::vector<std::string>{"Group", "User"}));
  EXPECT_EQ(owner.relationship_name, "Owner");
  EXPECT_EQ(MustFind(lead, "AnnualRevenue").type, FieldType::kCurrency);
  EXPECT_FALSE(MustFind(lead, "Company").nillable);
}

TEST(DescribeJson, DescribeGlobalSample) {
  std::string error;
  std::optional<std::vector<GlobalObject>> all =
      ParseDescribeGlobal(Sample("describeGlobal.json"), &error);
  ASSERT_TRUE(all.has_value()) << error;
  ASSERT_EQ(all->size(), 110u);
  const GlobalObject& account = all->front();
  EXPECT_EQ(account.name, "Account");
  EXPECT_EQ(account.label, "Account");
  EXPECT_EQ(account.label_plural, "Accounts");
  EXPECT_EQ(account.key_prefix, "001");
  EXPECT_FALSE(account.custom);
  EXPECT_TRUE(account.queryable);
  EXPECT_TRUE(account.createable);
  EXPECT_TRUE(account.updateable);
  auto find = [&](std::string_view name) -> const GlobalObject* {
    for (const GlobalObject& g : *all) {
      if (g.name == name) return &g;
    }
    return nullptr;
  };
  ASSERT_NE(find("Case"), nullptr);
  EXPECT_EQ(find("Case")->key_prefix, "500");
  ASSERT_NE(find("User"), nullptr);
  EXPECT_EQ(find("User")->key_prefix, "005");
  // keyPrefix null in the capture becomes empty.
  ASSERT_NE(find("Lead"), nullptr);
  EXPECT_EQ(find("Lead")->key_prefix, "");
}

// --- Deprecated fields, defaults, minimal describes ----------------------------------------

TEST(DescribeJson, SkipsDeprecatedAndHiddenFields) {
  json d = json::parse(Sample("sobject_describe_Account.json"));
  d["fields"][1]["deprecatedAndHidden"] = true;  // IsDeleted
  std::string error;
  std::optional<engine::Object> account = DescribeFromJson(d, &error);
  ASSERT_TRUE(account) << error;
  EXPECT_EQ(account->fields.size(), 67u);
  EXPECT_EQ(account->FindField("IsDeleted"), nullptr);
  EXPECT_NE(account->FindField("Name"), nullptr);
}

TEST(DescribeJson, MinimalDescribeTakesDefaults) {
  std::string error;
  std::optional<engine::Object> o = ParseDescribe(
      R"({"name": "Thing__c", "fields": [{"name": "Id", "type": "id"},
          {"name": "Size__c", "type": "double", "label": null},
          {"name": "Shape__c", "type": "someFutureType"}]})",
      &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->label, "Thing__c");
  EXPECT_TRUE(o->queryable);
  EXPECT_TRUE(o->child_relationships.empty());
  ASSERT_EQ(o->fields.size(), 3u);
  EXPECT_EQ(o->fields[1].label, "Size__c");
  EXPECT_TRUE(o->fields[1].nillable);
  EXPECT_EQ(o->fields[2].type, FieldType::kUnknown);
}

// --- validFor -------------------------------------------------------------------------------

TEST(DescribeJson, ValidForVectorsFromTheSpec) {
  EXPECT_EQ(DecodeValidFor("gAAA"), (std::vector<uint16_t>{0}));
  EXPECT_EQ(DecodeValidFor("QAAA"), (std::vector<uint16_t>{1}));
  EXPECT_EQ(DecodeValidFor("AEAA"), (std::vector<uint16_t>{9}));
  EXPECT_EQ(DecodeValidFor("oAAA"), (std::vector<uint16_t>{0, 2}));
  EXPECT_EQ(DecodeValidFor(""), (std::vector<uint16_t>{}));
  EXPECT_EQ(DecodeValidFor("AAAA"), (std::vector<uint16_t>{}));
  // Any length, padded or not: one byte 0xFF, two bytes 0x00 0x01.
  EXPECT_EQ(DecodeValidFor("/w=="), (std::vector<uint16_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(DecodeValidFor("/w"), (std::vector<uint16_t>{0, 1, 2, 3, 4, 5, 6, 7}));
  EXPECT_EQ(DecodeValidFor("AAE="), (std::vector<uint16_t>{15}));
  // Not base64.
  EXPECT_FALSE(DecodeValidFor("g*AA"));
  EXPECT_FALSE(DecodeValidFor("gAAAA"));  // a length no base64 text has
  EXPECT_FALSE(DecodeValidFor("gA=A"));
}

TEST(DescribeJson, ValidForEncodeRoundTrips) {
  EXPECT_EQ(EncodeValidFor({0}, 5), "gAAA");
  EXPECT_EQ(EncodeValidFor({1}, 2), "QAAA");
  EXPECT_EQ(EncodeValidFor({9}, 12), "AEAA");
  EXPECT_EQ(EncodeValidFor({0, 2}, 3), "oAAA");
  std::vector<uint16_t> many = {0, 7, 8, 30, 31, 200};
  EXPECT_EQ(DecodeValidFor(EncodeValidFor(many, 201)), many);
  EXPECT_EQ(EncodeValidFor({}, 0), "AAAA");
}

TEST(DescribeJson, ValidForBeyondUint16IsRejected) {
  // 8193 bytes whose last bit is index 65543.
  std::string bytes(8193, '\0');
  bytes.back() = 1;
  static const char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string b64;
  bytes.append(2, '\0');  // 8195 = 3 * 2732 (the extra zero bytes set no bits)
  for (size_t i = 0; i < bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) b64.push_back(kAlphabet[(v >> s) & 63]);
  }
  EXPECT_FALSE(DecodeValidFor(b64));
}

TEST(DescribeJson, DependentPicklistDecodesValidFor) {
  std::string error;
  std::optional<engine::Object> o = ParseDescribe(R"json({
    "name": "Case", "fields": [
      {"name": "Product__c", "type": "picklist", "picklistValues": [
        {"value": "Voice", "label": "Voice", "active": true, "defaultValue": false, "validFor": null},
        {"value": "Messaging", "label": "Messaging", "active": true, "defaultValue": false, "validFor": null},
        {"value": "Analytics", "label": "Analytics", "active": false, "defaultValue": false, "validFor": null}]},
      {"name": "Sub_Product__c", "type": "picklist", "dependentPicklist": true,
       "controllerName": "Product__c", "picklistValues": [
        {"value": "IVR", "label": "IVR (legacy)", "active": true, "defaultValue": false, "validFor": "gAAA"},
        {"value": "API Access", "label": "API Access", "active": true, "defaultValue": true, "validFor": "YAAA"},
        {"value": "Nothing", "label": "Nothing", "active": true, "defaultValue": false, "validFor": "AAAA"}]},
      {"name": "Other__c", "type": "picklist", "picklistValues": [
        {"value": "X", "label": "X", "active": true, "defaultValue": false, "validFor": "gAAA"}]}]})json",
                                                  &error);
  ASSERT_TRUE(o) << error;
  const engine::Field& sub = MustFind(*o, "Sub_Product__c");
  EXPECT_TRUE(sub.dependent_picklist);
  EXPECT_EQ(sub.controller_name, "Product__c");
  ASSERT_EQ(sub.picklist_values.size(), 3u);
  EXPECT_EQ(sub.picklist_values[0].label, "IVR (legacy)");
  EXPECT_EQ(sub.picklist_values[0].valid_for, (std::vector<uint16_t>{0}));
  EXPECT_EQ(sub.picklist_values[1].valid_for, (std::vector<uint16_t>{1, 2}));
  EXPECT_TRUE(sub.picklist_values[1].default_value);
  EXPECT_TRUE(sub.picklist_values[2].valid_for.empty());
  EXPECT_FALSE(MustFind(*o, "Product__c").picklist_values[2].active);
  // validFor on a field that is not dependent is dropped, as the model documents.
  EXPECT_TRUE(MustFind(*o, "Other__c").picklist_values[0].valid_for.empty());
}

// --- Errors ---------------------------------------------------------------------------------

std::string DescribeError(const std::string& text) {
  std::string error;
  std::optional<engine::Object> o = ParseDescribe(text, &error);
  EXPECT_FALSE(o.has_value()) << "parsed: " << text.substr(0, 200);
  EXPECT_FALSE(error.empty());
  return error;
}

std::string DescribeError(const json& j) {
  std::string error;
  std::optional<engine::Object> o = DescribeFromJson(j, &error);
  EXPECT_FALSE(o.has_value());
  EXPECT_FALSE(error.empty());
  return error;
}

TEST(DescribeJsonErrors, NamesTheJsonPath) {
  json d = json::parse(Sample("sobject_describe_Account.json"));
  json bad = d;
  bad["fields"][3]["type"] = 5;
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[3].type is not a string");
  bad = d;
  bad["fields"][7]["nillable"] = "yes";
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[7].nillable is not a boolean");
  bad = d;
  bad["fields"][33]["precision"] = 1.5;
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[33].precision is not an integer");
  bad = d;
  bad["fields"][33]["length"] = 1e12;
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[33].length is not an integer");
  bad = d;
  bad["fields"][33]["length"] = int64_t{1} << 40;
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[33].length is out of range");
  bad = d;
  bad["fields"][4]["picklistValues"][2]["value"] = json::array();
  EXPECT_EQ(DescribeError(bad),
            "describe of Account: fields[4].picklistValues[2].value is not a string");
  bad = d;
  bad["fields"][4]["picklistValues"][2]["validFor"] = "@@@@";
  EXPECT_EQ(DescribeError(bad),
            "describe of Account: fields[4].picklistValues[2].validFor is not a valid base64 "
            "bitset");
  bad = d;
  bad["fields"][4]["picklistValues"] = "Prospect";
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[4].picklistValues is not an array");
  bad = d;
  bad["fields"][2]["referenceTo"] = json::array({"Account", 7});
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[2].referenceTo[1] is not a string");
  bad = d;
  bad["fields"][5] = 12;
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[5] is not an object");
  bad = d;
  bad["fields"][5].erase("name");
  EXPECT_EQ(DescribeError(bad), "describe of Account: fields[5].name is missing");
  bad = d;
  bad["fields"][9]["name"] = "name";
  EXPECT_EQ(DescribeError(bad),
            "describe of Account: fields[9].name \"name\" repeats fields[3].name");
  bad = d;
  bad["childRelationships"][0]["childSObject"] = false;
  EXPECT_EQ(DescribeError(bad),
            "describe of Account: childRelationships[0].childSObject is not a string");
  bad = d;
  bad["childRelationships"] = json::object();
  EXPECT_EQ(DescribeError(bad), "describe of Account: childRelationships is not an array");
  bad = d;
  bad["keyPrefix"] = 1;
  EXPECT_EQ(DescribeError(bad), "describe of Account: keyPrefix is not a string");
}

TEST(DescribeJsonErrors, TopLevelShape) {
  EXPECT_EQ(DescribeError(json::array()), "describe: expected a JSON object, got an array");
  EXPECT_EQ(DescribeError(json("Account")),
            "describe: expected a JSON object, got \"Account\"");
  EXPECT_EQ(DescribeError(json::object()), "describe: name is missing");
  EXPECT_EQ(DescribeError(json{{"name", 3}}), "describe: name is not a string");
  EXPECT_EQ(DescribeError(json{{"name", "Account"}}), "describe of Account: fields is missing");
  EXPECT_EQ(DescribeError(json{{"name", "Account"}, {"fields", json::object()}}),
            "describe of Account: fields is not an array");
}

TEST(DescribeJsonErrors, NotJson) {
  EXPECT_EQ(DescribeError(std::string("")).rfind("describe: invalid JSON: ", 0), 0u);
  EXPECT_EQ(DescribeError(std::string("<html>502 Bad Gateway</html>"))
                .rfind("describe: invalid JSON: parse error at line 1, column 1", 0),
            0u);
  EXPECT_EQ(DescribeError(std::string("{\"name\": \"Account\", \"fields\": [}"))
                .rfind("describe: invalid JSON: ", 0),
            0u);
  EXPECT_EQ(DescribeError(std::string("{\"name\": \"Acc\xff\"}")).rfind("describe: invalid JSON", 0),
            0u);
}

TEST(DescribeJsonErrors, TruncatedBodies) {
  std::string body = Sample("sobject_describe_Account.json");
  for (size_t cut : {size_t{1}, size_t{100}, body.size() / 3, body.size() / 2, body.size() - 2}) {
    std::string error;
    EXPECT_FALSE(ParseDescribe(std::string_view(body).substr(0, cut), &error)) << cut;
    EXPECT_NE(error.find("invalid JSON"), std::string::npos) << error;
  }
}

TEST(DescribeJsonErrors, DeepNestingIsAnErrorNotACrash) {
  std::string deep(200000, '[');
  std::string error;
  EXPECT_FALSE(ParseJson(deep, &error));
  EXPECT_NE(error.find("nesting deeper than 256"), std::string::npos) << error;
  std::string deep_object = "{\"name\": \"A\", \"fields\": [";
  for (int i = 0; i < 100000; ++i) deep_object += "{\"x\":";
  EXPECT_FALSE(ParseDescribe(deep_object, &error));
  EXPECT_NE(error.find("nesting deeper"), std::string::npos) << error;
}

TEST(DescribeJsonErrors, HugeArrays) {
  // 200,000 empty field objects: the first one is reported.
  std::string text = "{\"name\": \"Big\", \"fields\": [";
  for (int i = 0; i < 200000; ++i) text += i ? ",{}" : "{}";
  text += "]}";
  EXPECT_EQ(DescribeError(text), "describe of Big: fields[0].name is missing");
  // 20,000 well-formed fields parse.
  json d = {{"name", "Wide__c"}, {"fields", json::array()}};
  for (int i = 0; i < 20000; ++i) {
    d["fields"].push_back({{"name", "F" + std::to_string(i) + "__c"}, {"type", "string"}});
  }
  std::string error;
  std::optional<engine::Object> o = DescribeFromJson(d, &error);
  ASSERT_TRUE(o) << error;
  EXPECT_EQ(o->fields.size(), 20000u);
  EXPECT_EQ(o->FieldIndex("f19999__C"), 19999);
}

TEST(DescribeJsonErrors, RandomMutationsNeverCrash) {
  std::string body = Sample("sobject_describe_Contact.json");
  std::mt19937 rng(20261130);
  const std::string alphabet = "{}[]\",:0123456789.eE-+truefalsn \\/abc";
  int parsed = 0;
  for (int round = 0; round < 300; ++round) {
    std::string mutated = body;
    int edits = 1 + static_cast<int>(rng() % 8);
    for (int e = 0; e < edits; ++e) {
      size_t at = rng() % mutated.size();
      switch (rng() % 3) {
        case 0:
          mutated[at] = alphabet[rng() % alphabet.size()];
          break;
        case 1:
          mutated.erase(at, 1 + rng() % 40);
          break;
        default:
          mutated.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    std::string error;
    std::optional<engine::Object> o = ParseDescribe(mutated, &error);
    if (o) {
      ++parsed;
    } else {
      EXPECT_EQ(error.rfind("describe", 0), 0u) << error;
    }
  }
  SUCCEED() << parsed << " of 300 mutations still parsed";
}

TEST(DescribeJsonErrors, DescribeGlobalErrors) {
  std::string error;
  EXPECT_FALSE(ParseDescribeGlobal("[]", &error));
  EXPECT_EQ(error, "describeGlobal: expected a JSON object, got an array");
  EXPECT_FALSE(ParseDescribeGlobal("{}", &error));
  EXPECT_EQ(error, "describeGlobal: sobjects is missing");
  EXPECT_FALSE(ParseDescribeGlobal(R"({"sobjects": [{"name": "A"}, {"name": "B", "custom": 1}]})",
                                   &error));
  EXPECT_EQ(error, "describeGlobal: sobjects[1].custom is not a boolean");
  EXPECT_FALSE(ParseDescribeGlobal("{\"sobjects\": [", &error));
  EXPECT_EQ(error.rfind("describeGlobal: invalid JSON", 0), 0u);
}

// --- ParseJson ------------------------------------------------------------------------------

TEST(ParseJson, KeepsDigitsThatADoubleWouldLose) {
  std::string error;
  std::optional<json> j =
      ParseJson(R"({"a": 1234567890123456.78, "b": 12.5, "c": 7, "d": -3e2, "e": 0.1})", &error);
  ASSERT_TRUE(j) << error;
  EXPECT_TRUE((*j)["a"].is_string());
  EXPECT_EQ((*j)["a"], "1234567890123456.78");
  EXPECT_TRUE((*j)["b"].is_number_float());
  EXPECT_EQ((*j)["b"].get<double>(), 12.5);
  EXPECT_TRUE((*j)["c"].is_number_integer());
  EXPECT_EQ((*j)["d"].get<double>(), -300.0);
  EXPECT_EQ((*j)["e"].get<double>(), 0.1);
}

TEST(ParseJson, ReportsPositions) {
  std::string error;
  EXPECT_FALSE(ParseJson("{\n  \"a\": tru,\n}", &error));
  EXPECT_NE(error.find("line 2"), std::string::npos) << error;
  EXPECT_FALSE(ParseJson("{} {}", &error));
  EXPECT_FALSE(error.empty());
}

}  // namespace
}  // namespace cf::sf
