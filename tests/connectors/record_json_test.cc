// Record JSON <-> engine::Record: the REST query samples (parent and child relationships),
// type-directed conversion and its errors, and round trips.
#include "connectors/salesforce/record_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "engine/value.h"

namespace cf::sf {
namespace {

using engine::Decimal;
using engine::Record;
using engine::RecordPtr;
using nlohmann::json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

json Sample(const std::string& name) {
  return json::parse(ReadFile(std::string(CF_TEST_DATA_DIR) + "/salesforce-samples/query/" + name));
}

std::shared_ptr<const engine::Schema> MustSchema(std::string_view text) {
  std::string error;
  std::shared_ptr<const engine::Schema> s = ParseSchemaJson(text, &error);
  EXPECT_NE(s, nullptr) << error;
  return s;
}

std::shared_ptr<const engine::Schema> OrgSchema() {
  static std::shared_ptr<const engine::Schema> schema = [] {
    std::string error;
    auto s = LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org/describe", &error);
    EXPECT_NE(s, nullptr) << error;
    return s;
  }();
  return schema;
}

// The objects of restforce's query fixtures ("Whizbang"), described by hand.
constexpr std::string_view kWhizbangSchema = R"json({"objects": [
  {"name": "Whizbang", "fields": [
    {"name": "Id", "type": "id"},
    {"name": "Name", "type": "string"},
    {"name": "Checkbox_Label", "type": "boolean"},
    {"name": "Text_Label", "type": "string"},
    {"name": "Date_Label", "type": "date"},
    {"name": "DateTime_Label", "type": "datetime"},
    {"name": "Picklist_Multiselect_Label", "type": "multipicklist"},
    {"name": "ParentWhizbang__c", "type": "reference", "referenceTo": ["Whizbang"],
     "relationshipName": "ParentWhizbang__r"}],
   "childRelationships": [
    {"childSObject": "Whizbang__c", "field": "Whizbang__c", "relationshipName": "Whizbangs__r"}]},
  {"name": "Whizbang__c", "fields": [
    {"name": "Id", "type": "id"},
    {"name": "Name", "type": "string"},
    {"name": "Whizbang__c", "type": "reference", "referenceTo": ["Whizbang"],
     "relationshipName": "Whizbang__r"}]}]})json";

const engine::Slot& SlotOf(const Record& r, std::string_view field) {
  const engine::Slot* s = r.layout().SlotForField(field);
  EXPECT_NE(s, nullptr) << field;
  static const engine::Slot kNone;
  return s ? *s : kNone;
}

std::string Str(const Record& r, std::string_view field) {
  return std::string(r.GetString(SlotOf(r, field)));
}

bool IsNull(const Record& r, std::string_view field) { return r.IsNull(SlotOf(r, field)); }

// --- The query samples ---------------------------------------------------------------------

TEST(RecordJson, QueryWithParentAndChildRelationships) {
  auto schema = MustSchema(kWhizbangSchema);
  RecordReader reader(schema);
  RecordsByObject out;
  std::string error;
  ASSERT_TRUE(reader.ReadQueryResult(
      Sample("query_with_parent_and_child_relationships_restforce.json"), "", &out, &error))
      << error;
  ASSERT_EQ(out["Whizbang"].size(), 2u);  // the record, then its parent
  ASSERT_EQ(out["Whizbang__c"].size(), 1u);

  const Record& top = *out["Whizbang"][0];
  EXPECT_FALSE(top.GetBool(SlotOf(top, "Checkbox_Label")));
  EXPECT_FALSE(IsNull(top, "Checkbox_Label"));
  EXPECT_EQ(Str(top, "Text_Label"), "Hi there!");
  EXPECT_EQ(top.GetDate(SlotOf(top, "Date_Label")), engine::DaysFromCivil({2010, 1, 1}));
  EXPECT_EQ(top.GetDateTime(SlotOf(top, "DateTime_Label")),
            engine::DaysFromCivil({2011, 7, 7}) * int64_t{86400000} + 37 * 60000);
  EXPECT_EQ(Str(top, "Picklist_Multiselect_Label"), "four;six");
  EXPECT_TRUE(IsNull(top, "Name"));
  EXPECT_TRUE(IsNull(top, "Id"));  // the fixture's url ends in "foo", and there is no Id key
  EXPECT_TRUE(IsNull(top, "ParentWhizbang__c"));

  const Record& parent = *out["Whizbang"][1];
  EXPECT_EQ(Str(parent, "Name"), "Parent Whizbang");
  EXPECT_EQ(Str(parent, "Text_Label"), "Hello");
  EXPECT_TRUE(IsNull(parent, "Checkbox_Label"));

  const Record& child = *out["Whizbang__c"][0];
  EXPECT_EQ(Str(child, "Name"), "Child Whizbang");
}

TEST(RecordJson, RecordFromJsonReturnsNestedRelationships) {
  auto schema = MustSchema(kWhizbangSchema);
  json record = Sample("query_with_parent_and_child_relationships_restforce.json")["records"][0];
  std::string error;
  std::optional<ConvertedRecord> c =
      RecordFromJson(record, engine::RecordLayout::BuildAll(*schema->Find("Whizbang")), &error);
  ASSERT_TRUE(c) << error;
  ASSERT_NE(c->record, nullptr);
  ASSERT_EQ(c->nested.size(), 2u);
  const NestedJson* parent = nullptr;
  const NestedJson* children = nullptr;
  for (const NestedJson& n : c->nested) {
    (n.kind == NestedJson::Kind::kParent ? parent : children) = &n;
  }
  ASSERT_NE(parent, nullptr);
  ASSERT_NE(children, nullptr);
  EXPECT_EQ(parent->relationship, "ParentWhizbang__r");
  EXPECT_EQ(parent->object, "Whizbang");
  EXPECT_EQ(parent->field, "ParentWhizbang__c");
  EXPECT_EQ(parent->json["Name"], "Parent Whizbang");
  EXPECT_EQ(children->relationship, "Whizbangs__r");
  EXPECT_EQ(children->object, "Whizbang__c");
  EXPECT_EQ(children->field, "Whizbang__c");
  EXPECT_EQ(children->json["records"].size(), 1u);
}

TEST(RecordJson, PaginatedQuerySamples) {
  auto schema = MustSchema(kWhizbangSchema);
  RecordReader reader(schema);
  RecordsByObject out;
  std::string error;
  json first = Sample("query_page1_nextRecordsUrl_restforce.json");
  EXPECT_FALSE(first["done"].get<bool>());
  ASSERT_TRUE(reader.ReadQueryResult(first, "Whizbang", &out, &error)) << error;
  ASSERT_TRUE(reader.ReadQueryResult(Sample("query_page2_last_restforce.json"), "Whizbang", &out,
                                     &error))
      << error;
  ASSERT_EQ(out["Whizbang"].size(), 2u);
  EXPECT_EQ(Str(*out["Whizbang"][0], "Text_Label"), "First Page");
  EXPECT_EQ(Str(*out["Whizbang"][1], "Text_Label"), "Last Page");
}

// --- Type-directed conversion on the example org -------------------------------------------

std::optional<ConvertedRecord> Read(std::string_view object, const json& record,
                                    std::string* error) {
  RecordReader reader(OrgSchema());
  return reader.ReadRecord(record, object, error);
}

std::string ReadError(std::string_view object, const json& record) {
  std::string error;
  EXPECT_FALSE(Read(object, record, &error).has_value()) << record.dump();
  return error;
}

TEST(RecordJson, TypeErrorsNameTheField) {
  EXPECT_EQ(ReadError("Account", {{"AnnualRevenue", "abc"}}),
            "Account.AnnualRevenue: expected a number, got \"abc\"");
  EXPECT_EQ(ReadError("Account", {{"annualrevenue", true}}),
            "Account.AnnualRevenue: expected a number, got true");
  EXPECT_EQ(ReadError("Account", {{"Name", 42}}), "Account.Name: expected a string, got 42");
  EXPECT_EQ(ReadError("Account", {{"Type", json::array()}}),
            "Account.Type: expected a picklist value (a string), got an array");
  EXPECT_EQ(ReadError("Account", {{"OwnerId", "005XYZ"}}),
            "Account.OwnerId: expected a 15- or 18-character Id, got \"005XYZ\"");
  EXPECT_EQ(ReadError("Account", {{"LastActivityDate", "31/01/2024"}}),
            "Account.LastActivityDate: expected a date (YYYY-MM-DD), got \"31/01/2024\"");
  EXPECT_EQ(ReadError("Account", {{"CreatedDate", "2024-01-31"}}),
            "Account.CreatedDate: expected a datetime (YYYY-MM-DDTHH:MM:SS.sss+0000), got "
            "\"2024-01-31\"");
  EXPECT_EQ(ReadError("Account", {{"IsDeleted", 1}}),
            "Account.IsDeleted: expected a boolean, got 1");
  EXPECT_EQ(ReadError("Account", {{"IsDeleted", "maybe"}}),
            "Account.IsDeleted: expected a boolean, got \"maybe\"");
  EXPECT_EQ(ReadError("Account", {{"Regions__c", {{"EMEA", true}}}}),
            "Account.Regions__c: expected a string, got an object");
  EXPECT_EQ(ReadError("Account", {{"AnnualRevenue", 1e30}}),
            "Account.AnnualRevenue: the number 1e+30 is out of range");
  std::string long_text(500, 'x');
  EXPECT_EQ(ReadError("Account", {{"NumberOfEmployees", long_text}}),
            "Account.NumberOfEmployees: expected a number, got \"" + std::string(60, 'x') +
                "...\"");
}

TEST(RecordJson, ShapeErrors) {
  EXPECT_EQ(ReadError("Account", json::array()),
            "Account: a record must be a JSON object, got an array");
  EXPECT_EQ(ReadError("Account", {{"attributes", {{"type", "Contact"}}}, {"Name", "X"}}),
            "Account: the record's attributes.type is \"Contact\", not Account");
  EXPECT_EQ(ReadError("Nope__c", json::object()), "object Nope__c is not in the schema");
  EXPECT_EQ(ReadError("", json::object()),
            "the record has no attributes.type and no object was given");
}

TEST(RecordJson, NumbersAreExact) {
  std::string error;
  std::optional<json> j = ParseJson(R"({"AnnualRevenue": 1234567890123456.78,
      "NumberOfEmployees": 9007199254740993, "SLA_Hours__c": 0.1, "Health_Score__c": "75.50"})",
                                    &error);
  ASSERT_TRUE(j) << error;
  std::optional<ConvertedRecord> c = Read("Account", *j, &error);
  ASSERT_TRUE(c) << error;
  const Record& r = *c->record;
  EXPECT_EQ(r.GetNumber(SlotOf(r, "AnnualRevenue")), *Decimal::Parse("1234567890123456.78"));
  EXPECT_EQ(r.GetNumber(SlotOf(r, "NumberOfEmployees")), Decimal::FromInt(9007199254740993));
  EXPECT_EQ(r.GetNumber(SlotOf(r, "SLA_Hours__c")), *Decimal::Parse("0.1"));
  EXPECT_EQ(r.GetNumber(SlotOf(r, "Health_Score__c")), *Decimal::Parse("75.5"));

  // Through nlohmann's own parser the shortest round-trip form still gives 0.1 exactly.
  c = Read("Account", json::parse(R"({"SLA_Hours__c": 0.1, "AnnualRevenue": 18446744073709551615})"),
           &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->record->GetNumber(SlotOf(*c->record, "SLA_Hours__c")), *Decimal::Parse("0.1"));
  EXPECT_EQ(c->record->GetNumber(SlotOf(*c->record, "AnnualRevenue")),
            *Decimal::Parse("18446744073709551615"));
}

TEST(RecordJson, NullsEmptyStringsAndUnknownKeys) {
  std::string error;
  json account = {
      {"attributes", {{"type", "Account"}, {"url", "/services/data/v59.0/sobjects/Account/x"}}},
      {"Name", ""},
      {"Type", ""},
      {"AnnualRevenue", nullptr},
      {"NumberOfEmployees", ""},
      {"LastActivityDate", ""},
      {"OwnerId", ""},
      {"No_Such_Field__c", 12},
      {"BillingAddress", {{"city", "Paris"}, {"country", "France"}}},
      {"Owner", nullptr},
  };
  std::optional<ConvertedRecord> c = Read("Account", account, &error);
  ASSERT_TRUE(c) << error;
  const Record& r = *c->record;
  EXPECT_FALSE(IsNull(r, "Name"));  // "" is blank text, not null
  EXPECT_EQ(Str(r, "Name"), "");
  EXPECT_FALSE(IsNull(r, "Type"));
  EXPECT_TRUE(IsNull(r, "AnnualRevenue"));
  EXPECT_TRUE(IsNull(r, "NumberOfEmployees"));
  EXPECT_TRUE(IsNull(r, "LastActivityDate"));
  EXPECT_TRUE(IsNull(r, "OwnerId"));
  EXPECT_TRUE(IsNull(r, "Industry"));   // absent
  EXPECT_TRUE(c->nested.empty());       // a compound field is not a relationship
}

TEST(RecordJson, KeysMatchFieldsIgnoringCase) {
  std::string error;
  std::optional<ConvertedRecord> c = Read(
      "account",
      {{"NAME", "Acme"}, {"tier__C", "Gold"}, {"Industry", "Banking"}, {"regions__c", "EMEA;APAC"}},
      &error);
  ASSERT_TRUE(c) << error;
  const Record& r = *c->record;
  EXPECT_EQ(r.layout().object().name, "Account");
  EXPECT_EQ(Str(r, "Name"), "Acme");
  EXPECT_EQ(r.GetPicklistText(SlotOf(r, "Tier__c")), "Gold");
  EXPECT_EQ(r.GetPicklistCode(SlotOf(r, "Tier__c")), 1u);
  EXPECT_EQ(r.GetPicklistCode(SlotOf(r, "Industry")), 2u);
  EXPECT_EQ(Str(r, "Regions__c"), "EMEA;APAC");
}

TEST(RecordJson, UnknownPicklistValueIsKept) {
  std::string error;
  std::optional<ConvertedRecord> c = Read("Account", {{"Industry", "Space Mining"}}, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->record->GetPicklistCode(SlotOf(*c->record, "Industry")),
            engine::kUnknownPicklistCode);
  EXPECT_EQ(c->record->GetPicklistText(SlotOf(*c->record, "Industry")), "Space Mining");
}

TEST(RecordJson, IdsOfAnyFormAndCase) {
  std::string error;
  std::optional<ConvertedRecord> a = Read("Contact", {{"AccountId", "001Dn00001NRuOU"}}, &error);
  std::optional<ConvertedRecord> b = Read("Contact", {{"AccountId", "001DN00001NRUOUIA1"}}, &error);
  ASSERT_TRUE(a && b) << error;
  EXPECT_EQ(a->record->GetId(SlotOf(*a->record, "AccountId")),
            b->record->GetId(SlotOf(*b->record, "AccountId")));
  EXPECT_EQ(a->record->GetId(SlotOf(*a->record, "AccountId")).To18(), "001Dn00001NRuOUIA1");
}

// --- Relationships: implied lookups, flattening ---------------------------------------------

TEST(RecordJson, ParentRecordSetsItsLookup) {
  std::string error;
  json contact = {
      {"attributes", {{"type", "Contact"}}},
      {"Id", "003Dn0000yHOVUVIA5"},
      {"LastName", "Hart"},
      {"Account", {{"attributes", {{"type", "Account"}}}, {"Id", "001Dn00001NRuOUIA1"},
                   {"Name", "Kestrel Banking Group"},
                   {"Owner", {{"attributes", {{"type", "User"}}}, {"Name", "Ann Rivera"}}}}},
  };
  std::optional<ConvertedRecord> c = Read("Contact", contact, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->record->GetId(SlotOf(*c->record, "AccountId")).To18(), "001Dn00001NRuOUIA1");
  ASSERT_EQ(c->nested.size(), 1u);
  EXPECT_EQ(c->nested[0].field, "AccountId");

  // An explicit lookup value wins over the parent's Id.
  contact["AccountId"] = nullptr;
  c = Read("Contact", contact, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_TRUE(IsNull(*c->record, "AccountId"));

  // Flattening follows the chain Contact -> Account -> Owner.
  contact.erase("AccountId");
  RecordReader reader(OrgSchema());
  RecordsByObject out;
  ASSERT_TRUE(reader.ReadQueryResult(json::array({contact}), "", &out, &error)) << error;
  ASSERT_EQ(out["Contact"].size(), 1u);
  ASSERT_EQ(out["Account"].size(), 1u);
  ASSERT_EQ(out["User"].size(), 1u);
  EXPECT_EQ(Str(*out["Account"][0], "Name"), "Kestrel Banking Group");
  EXPECT_EQ(Str(*out["User"][0], "Name"), "Ann Rivera");
}

TEST(RecordJson, PolymorphicParentUsesAttributesType) {
  std::string error;
  json task = {
      {"attributes", {{"type", "Task"}}},
      {"Subject", "Call"},
      {"Who", {{"attributes", {{"type", "Lead"}}}, {"Id", "00QDn0000eQ52aFMAR"},
               {"Company", "Fjord Analytics"}}},
      {"What", nullptr},
  };
  std::optional<ConvertedRecord> c = Read("Task", task, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_EQ(c->record->GetId(SlotOf(*c->record, "WhoId")).To18(), "00QDn0000eQ52aFMAR");
  EXPECT_TRUE(IsNull(*c->record, "WhatId"));
  ASSERT_EQ(c->nested.size(), 1u);
  EXPECT_EQ(c->nested[0].object, "Lead");
  EXPECT_EQ(c->nested[0].field, "WhoId");
  EXPECT_EQ(Str(*c->record, "Subject"), "Call");  // combobox: text
}

TEST(RecordJson, ChildRecordsPointBackToTheirParent) {
  std::string error;
  json accounts = {
      {"totalSize", 1},
      {"done", true},
      {"records",
       {{{"attributes", {{"type", "Account"}}},
         {"Id", "001Dn00001NRuOUIA1"},
         {"Name", "Kestrel Banking Group"},
         {"Contacts",
          {{"totalSize", 2},
           {"done", true},
           {"records",
            {{{"attributes", {{"type", "Contact"}}}, {"LastName", "Hart"}},
             {{"attributes", {{"type", "Contact"}}},
              {"LastName", "Mehta"},
              {"AccountId", "001Dn0000x8sM3iIAE"}}}}}},
         {"Opportunities", nullptr},
         {"Cases", {{"totalSize", 0}, {"done", true}, {"records", json::array()}}}}}}};
  RecordReader reader(OrgSchema());
  RecordsByObject out;
  ASSERT_TRUE(reader.ReadQueryResult(accounts, "Account", &out, &error)) << error;
  ASSERT_EQ(out["Account"].size(), 1u);
  ASSERT_EQ(out["Contact"].size(), 2u);
  EXPECT_EQ(out.count("Case"), 0u);
  const Record& hart = *out["Contact"][0];
  EXPECT_EQ(hart.GetId(SlotOf(hart, "AccountId")).To18(), "001Dn00001NRuOUIA1");
  const Record& mehta = *out["Contact"][1];  // its own value wins
  EXPECT_EQ(mehta.GetId(SlotOf(mehta, "AccountId")).To18(), "001Dn0000x8sM3iIAE");
}

TEST(RecordJson, NestedErrorsNameThePath) {
  std::string error;
  json accounts = json::array(
      {{{"Name", "A"}},
       {{"Name", "B"},
        {"Contacts", {{"records", {{{"LastName", "X"}}, {{"Birthdate", "soon"}}}}}}}});
  RecordReader reader(OrgSchema());
  RecordsByObject out;
  EXPECT_FALSE(reader.ReadQueryResult(accounts, "Account", &out, &error));
  EXPECT_EQ(error,
            "[1].Contacts.records[1]: Contact.Birthdate: expected a date (YYYY-MM-DD), got "
            "\"soon\"");
  EXPECT_FALSE(reader.ReadQueryResult(json{{"records", 3}}, "Account", &out, &error));
  EXPECT_EQ(error, "expected a query result with a \"records\" array");
  EXPECT_FALSE(reader.ReadQueryResult(json(7), "Account", &out, &error));
  EXPECT_EQ(error, "expected a query result or an array of records, got 7");
  EXPECT_FALSE(reader.ReadQueryResult(json::array({1}), "Account", &out, &error));
  EXPECT_EQ(error, "[0]: a record must be a JSON object, got 1");
}

TEST(RecordJson, NestingIsBounded) {
  json record = {{"Name", "leaf"}};
  for (int i = 0; i < 40; ++i) record = {{"Name", "level"}, {"Parent", record}};
  RecordReader reader(OrgSchema());
  RecordsByObject out;
  std::string error;
  EXPECT_FALSE(reader.ReadQueryResult(json::array({record}), "Account", &out, &error));
  EXPECT_NE(error.find("relationships nested deeper than 16 levels"), std::string::npos) << error;
}

TEST(RecordJson, NestedObjectsOutsideTheSchemaAreSkipped) {
  json opp = {{"attributes", {{"type", "Opportunity"}}},
              {"Name", "Deal"},
              {"Campaign", {{"attributes", {{"type", "Campaign"}}}, {"Name", "Spring"}}},
              {"Weird__r", {{"Name", "no type"}}}};
  RecordReader reader(OrgSchema());
  RecordsByObject out;
  std::string error;
  ASSERT_TRUE(reader.ReadQueryResult(json::array({opp}), "", &out, &error)) << error;
  EXPECT_EQ(out.size(), 1u);
  EXPECT_EQ(out["Opportunity"].size(), 1u);
}

// --- Record -> JSON --------------------------------------------------------------------------

TEST(RecordJson, RecordToJsonUsesSalesforceFormats) {
  std::string error;
  json in = {
      {"attributes", {{"type", "Case"}}},
      {"Id", "500dN0000sCXHNG"},  // 15 characters: case-sensitive as written
      {"CaseNumber", "00001001"},
      {"CreatedDate", "2026-11-10T02:30:00.000+0200"},
      {"ClosedDate", "2026-11-10T02:30:00.123Z"},
      {"IsEscalated", true},
      {"Priority", "High"},
      {"Subject", "IVR \"menu\" drops callers\n"},
  };
  std::optional<ConvertedRecord> c = Read("Case", in, &error);
  ASSERT_TRUE(c) << error;
  json out = RecordToJson(*c->record);
  EXPECT_EQ(out["attributes"]["type"], "Case");
  std::string id18 = out["Id"].get<std::string>();
  EXPECT_EQ(id18.size(), 18u);
  EXPECT_EQ(id18.substr(0, 15), "500dN0000sCXHNG");
  EXPECT_EQ(out["attributes"]["url"], "/services/data/v59.0/sobjects/Case/" + id18);
  EXPECT_EQ(out["CreatedDate"], "2026-11-10T00:30:00.000+0000");
  EXPECT_EQ(out["ClosedDate"], "2026-11-10T02:30:00.123+0000");
  EXPECT_EQ(out["IsEscalated"], true);
  EXPECT_EQ(out["Priority"], "High");
  EXPECT_EQ(out["Subject"], "IVR \"menu\" drops callers\n");
  EXPECT_TRUE(out["AccountId"].is_null());
  EXPECT_TRUE(out.contains("Description"));

  RecordJsonOptions options;
  options.attributes = false;
  options.nulls = false;
  json compact = RecordToJson(*c->record, options);
  EXPECT_FALSE(compact.contains("attributes"));
  EXPECT_FALSE(compact.contains("AccountId"));
  EXPECT_EQ(compact.size(), 7u);

  c = Read("Account",
           {{"AnnualRevenue", 2400000000}, {"SLA_Hours__c", 1.5}, {"Health_Score__c", "92"},
            {"LastActivityDate", "2026-02-28"}, {"Name", "Kestrel"}},
           &error);
  ASSERT_TRUE(c) << error;
  out = RecordToJson(*c->record);
  EXPECT_TRUE(out["AnnualRevenue"].is_number_integer());
  EXPECT_EQ(out["AnnualRevenue"].get<int64_t>(), 2400000000);
  EXPECT_TRUE(out["SLA_Hours__c"].is_number_float());
  EXPECT_EQ(out["SLA_Hours__c"].get<double>(), 1.5);
  EXPECT_EQ(out["Health_Score__c"].get<int64_t>(), 92);
  EXPECT_EQ(out["LastActivityDate"], "2026-02-28");
  EXPECT_FALSE(out["attributes"].contains("url"));  // no Id
}

TEST(RecordJson, FormatSalesforceDateTime) {
  EXPECT_EQ(FormatSalesforceDateTime(0), "1970-01-01T00:00:00.000+0000");
  EXPECT_EQ(FormatSalesforceDateTime(-1), "1969-12-31T23:59:59.999+0000");
  EXPECT_EQ(FormatSalesforceDateTime(*engine::ParseIsoDateTime("2024-02-29T23:59:58.250Z")),
            "2024-02-29T23:59:58.250+0000");
}

TEST(RecordJson, LayoutLimitsTheFieldsStored) {
  auto schema = OrgSchema();
  const engine::Object& account = *schema->Find("Account");
  RecordReader reader(schema);
  reader.SetLayout(engine::RecordLayout::Build(
      account, {account.FieldIndex("Id"), account.FieldIndex("Name"),
                account.FieldIndex("AnnualRevenue")}));
  EXPECT_EQ(reader.LayoutFor("ACCOUNT")->slots().size(), 3u);
  std::string error;
  std::optional<ConvertedRecord> c = reader.ReadRecord(
      {{"Name", "Acme"}, {"AnnualRevenue", 5}, {"Industry", "Banking"}, {"Type", 99}}, "Account",
      &error);
  ASSERT_TRUE(c) << error;  // Type is not stored, so its bad value is not looked at
  json out = RecordToJson(*c->record);
  EXPECT_EQ(out.size(), 4u);  // attributes, Id (null), Name, AnnualRevenue
  EXPECT_EQ(out["Name"], "Acme");
  EXPECT_FALSE(out.contains("Industry"));
}

TEST(RecordJson, BuilderIsReusableAfterAnError) {
  auto schema = OrgSchema();
  engine::RecordBuilder builder(engine::RecordLayout::BuildAll(*schema->Find("Account")));
  std::string error;
  EXPECT_FALSE(RecordFromJson({{"Name", "Half"}, {"AnnualRevenue", "x"}}, builder, &error));
  std::optional<ConvertedRecord> c = RecordFromJson({{"Industry", "Banking"}}, builder, &error);
  ASSERT_TRUE(c) << error;
  EXPECT_TRUE(IsNull(*c->record, "Name"));  // nothing left over from the failed record
}

// --- Round trip over the example org ---------------------------------------------------------

TEST(RecordJson, RoundTripOfTheExampleOrgRecords) {
  RecordReader reader(OrgSchema());
  RecordsByObject records;
  std::string error;
  ASSERT_TRUE(LoadRecordsFile(std::string(CF_SOURCE_DIR) + "/examples/org/records.json", reader,
                              &records, &error))
      << error;
  size_t count = 0;
  for (const auto& [object, list] : records) {
    for (const RecordPtr& r : list) {
      json once = RecordToJson(*r);
      std::optional<ConvertedRecord> back = reader.ReadRecord(once, "", &error);
      ASSERT_TRUE(back) << error;
      EXPECT_TRUE(back->nested.empty());
      EXPECT_EQ(RecordToJson(*back->record), once) << object;
      // Byte-for-byte the same record.
      ASSERT_EQ(back->record->size_bytes(), r->size_bytes());
      ++count;
    }
  }
  EXPECT_EQ(count, 68u);
}

TEST(RecordJson, ExampleOrgJsonMatchesTheRecordsFile) {
  // Every value of records.json comes back from RecordToJson as written (Ids, dates, datetimes
  // and numbers are already in Salesforce's canonical forms there).
  json file = json::parse(ReadFile(std::string(CF_SOURCE_DIR) + "/examples/org/records.json"));
  RecordReader reader(OrgSchema());
  std::string error;
  for (const auto& [object, result] : file.items()) {
    for (const json& in : result["records"]) {
      std::optional<ConvertedRecord> c = reader.ReadRecord(in, object, &error);
      ASSERT_TRUE(c) << error;
      json out = RecordToJson(*c->record);
      for (const auto& [key, value] : in.items()) {
        if (value.is_number_float() && out[key].is_number_integer()) {
          EXPECT_EQ(value.get<double>(), out[key].get<double>()) << object << "." << key;
        } else {
          EXPECT_EQ(out[key], value) << object << "." << key;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cf::sf
