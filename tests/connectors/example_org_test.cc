// LoadSchemaFile, and the example org in examples/org: its describes have the real shape and
// its records are consistent (valid Ids, lookups that resolve, valid picklist values).
#include <gtest/gtest.h>

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/record_json.h"
#include "engine/value.h"

namespace cf::sf {
namespace {

namespace fs = std::filesystem;
using engine::FieldType;
using engine::Record;
using nlohmann::json;

const std::string kOrgDir = std::string(CF_SOURCE_DIR) + "/examples/org";
const std::string kSamplesDir = std::string(CF_TEST_DATA_DIR) + "/salesforce-samples/describe";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// A fresh directory under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    const testing::TestInfo* t = testing::UnitTest::GetInstance()->current_test_info();
    path_ = fs::temp_directory_path() /
            ("cf_sf_" + std::string(t->name()) + "_" + std::to_string(::getpid()));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::shared_ptr<const engine::Schema> Org() {
  static std::shared_ptr<const engine::Schema> schema = [] {
    std::string error;
    auto s = LoadSchemaFile(kOrgDir + "/describe", &error);
    EXPECT_NE(s, nullptr) << error;
    return s;
  }();
  return schema;
}

const engine::Field& F(std::string_view object, std::string_view field) {
  const engine::Object* o = Org()->Find(object);
  const engine::Field* f = o ? o->FindField(field) : nullptr;
  if (f == nullptr) {
    ADD_FAILURE() << "no field " << object << "." << field;
    static const engine::Field kNone;
    return kNone;
  }
  return *f;
}

// --- LoadSchemaFile --------------------------------------------------------------------------

TEST(LoadSchemaFile, ExampleOrgDirectory) {
  auto schema = Org();
  ASSERT_NE(schema, nullptr);
  EXPECT_EQ(schema->size(), 8);
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case", "Task", "User",
                           "Support_Contract__c"}) {
    EXPECT_NE(schema->Find(name), nullptr) << name;
  }
  EXPECT_EQ(schema->Find("support_contract__C")->key_prefix, "a0C");
}

TEST(LoadSchemaFile, OrgDirectoryReadsItsDescribeSubdirectory) {
  std::string error;
  auto schema = LoadSchemaFile(kOrgDir, &error);  // holds describe/ and records.json
  ASSERT_NE(schema, nullptr) << error;
  EXPECT_EQ(schema->size(), 8);
}

TEST(LoadSchemaFile, SamplesDirectorySkipsDescribeGlobal) {
  std::string error;
  auto schema = LoadSchemaFile(kSamplesDir, &error);
  ASSERT_NE(schema, nullptr) << error;
  EXPECT_EQ(schema->size(), 3);
  EXPECT_NE(schema->Find("Lead"), nullptr);
}

TEST(LoadSchemaFile, SingleFileWithObjectsAndSingleDescribe) {
  TempDir dir;
  json objects = {{"objects", json::array()}};
  for (const char* name : {"Account", "Case", "Task"}) {
    objects["objects"].push_back(json::parse(ReadFile(kOrgDir + "/describe/" + name + ".json")));
  }
  WriteFile(dir.path() / "schema.json", objects.dump());
  std::string error;
  auto schema = LoadSchemaFile((dir.path() / "schema.json").string(), &error);
  ASSERT_NE(schema, nullptr) << error;
  EXPECT_EQ(schema->size(), 3);
  EXPECT_EQ(schema->object(1).name, "Case");

  schema = LoadSchemaFile(kSamplesDir + "/sobject_describe_Contact.json", &error);
  ASSERT_NE(schema, nullptr) << error;
  EXPECT_EQ(schema->size(), 1);

  schema = ParseSchemaJson(objects.dump(), &error);
  ASSERT_NE(schema, nullptr) << error;
  EXPECT_EQ(schema->size(), 3);
}

TEST(LoadSchemaFile, Errors) {
  TempDir dir;
  std::string error;
  EXPECT_EQ(LoadSchemaFile((dir.path() / "missing").string(), &error), nullptr);
  EXPECT_EQ(error, (dir.path() / "missing").string() + ": no such file or directory");

  EXPECT_EQ(LoadSchemaFile(dir.path().string(), &error), nullptr);
  EXPECT_EQ(error, dir.path().string() + ": the directory holds no *.json describe files");

  WriteFile(dir.path() / "a.json", ReadFile(kOrgDir + "/describe/Lead.json"));
  WriteFile(dir.path() / "notes.txt", "not json, and not looked at");
  EXPECT_NE(LoadSchemaFile(dir.path().string(), &error), nullptr) << error;

  WriteFile(dir.path() / "b.json", ReadFile(kSamplesDir + "/sobject_describe_Lead.json"));
  EXPECT_EQ(LoadSchemaFile(dir.path().string(), &error), nullptr);
  EXPECT_EQ(error, (dir.path() / "b.json").string() + ": object Lead is described twice");

  WriteFile(dir.path() / "b.json", R"({"name": "Broken", "fields": [{"name": "X", "type": 1}]})");
  EXPECT_EQ(LoadSchemaFile(dir.path().string(), &error), nullptr);
  EXPECT_EQ(error, (dir.path() / "b.json").string() +
                       ": describe of Broken: fields[0].type is not a string");

  WriteFile(dir.path() / "b.json", R"({"objects": [{"name": "Ok", "fields": []}, 4]})");
  EXPECT_EQ(LoadSchemaFile(dir.path().string(), &error), nullptr);
  EXPECT_EQ(error, (dir.path() / "b.json").string() +
                       ": objects[1]: describe: expected a JSON object, got 4");

  WriteFile(dir.path() / "b.json", "{\"objects\": [");
  EXPECT_EQ(LoadSchemaFile(dir.path().string(), &error), nullptr);
  EXPECT_EQ(error.rfind((dir.path() / "b.json").string() + ": invalid JSON: ", 0), 0u) << error;

  EXPECT_EQ(ParseSchemaJson("[]", &error), nullptr);
  EXPECT_EQ(error, "schema: expected a JSON object, got an array");
}

// --- The org's schema --------------------------------------------------------------------------

TEST(ExampleOrg, DescribesHaveTheShapeOfTheRealSamples) {
  json sample = json::parse(ReadFile(kSamplesDir + "/sobject_describe_Contact.json"));
  std::set<std::string> object_keys, field_keys, picklist_keys, child_keys;
  for (const auto& [k, v] : sample.items()) object_keys.insert(k);
  for (const auto& [k, v] : sample["fields"][0].items()) field_keys.insert(k);
  for (const auto& [k, v] : sample["fields"][6]["picklistValues"][0].items()) {
    picklist_keys.insert(k);
  }
  for (const auto& [k, v] : sample["childRelationships"][0].items()) child_keys.insert(k);
  ASSERT_EQ(field_keys.size(), 57u);

  for (const auto& entry : fs::directory_iterator(kOrgDir + "/describe")) {
    json d = json::parse(ReadFile(entry.path().string()));
    std::set<std::string> keys;
    for (const auto& [k, v] : d.items()) keys.insert(k);
    EXPECT_EQ(keys, object_keys) << entry.path();
    EXPECT_EQ(d["name"].get<std::string>() + ".json", entry.path().filename().string());
    for (const json& f : d["fields"]) {
      std::set<std::string> fk;
      for (const auto& [k, v] : f.items()) fk.insert(k);
      EXPECT_EQ(fk, field_keys) << d["name"] << "." << f["name"];
      for (const json& p : f["picklistValues"]) {
        std::set<std::string> pk;
        for (const auto& [k, v] : p.items()) pk.insert(k);
        EXPECT_EQ(pk, picklist_keys) << d["name"] << "." << f["name"];
      }
    }
    for (const json& c : d["childRelationships"]) {
      std::set<std::string> ck;
      for (const auto& [k, v] : c.items()) ck.insert(k);
      EXPECT_EQ(ck, child_keys) << d["name"];
    }
  }
}

TEST(ExampleOrg, CustomFields) {
  const engine::Field& tier = F("Account", "Tier__c");
  EXPECT_TRUE(tier.custom);
  EXPECT_EQ(tier.type, FieldType::kPicklist);
  EXPECT_TRUE(tier.restricted_picklist);
  EXPECT_EQ(tier.FindPicklistValue("Platinum"), 0);
  EXPECT_EQ(tier.FindPicklistValue("Bronze"), 3);
  EXPECT_EQ(F("Account", "SLA_Hours__c").type, FieldType::kDouble);
  const engine::Field& regions = F("Account", "Regions__c");
  EXPECT_EQ(regions.type, FieldType::kMultiPicklist);
  EXPECT_EQ(regions.picklist_values.size(), 4u);
  EXPECT_EQ(F("Account", "Health_Score__c").type, FieldType::kPercent);
  EXPECT_EQ(F("Contact", "Preferred_Channel__c").type, FieldType::kPicklist);
  for (auto [object, field] : {std::pair{"Lead", "ConnectFlo_Conversation_Id__c"},
                               std::pair{"Case", "ConnectFlo_Action_Id__c"}}) {
    const engine::Field& f = F(object, field);
    EXPECT_EQ(f.type, FieldType::kString);
    EXPECT_TRUE(f.external_id) << object;
    EXPECT_TRUE(f.unique) << object;
    EXPECT_TRUE(f.id_lookup) << object;
    EXPECT_EQ(f.length, 80);
  }
}

TEST(ExampleOrg, StandardPicklists) {
  auto values = [](const engine::Field& f) {
    std::vector<std::string> out;
    for (const auto& v : f.picklist_values) out.push_back(v.value);
    return out;
  };
  EXPECT_EQ(values(F("Opportunity", "StageName")),
            (std::vector<std::string>{"Prospecting", "Qualification", "Needs Analysis",
                                      "Value Proposition", "Id. Decision Makers",
                                      "Perception Analysis", "Proposal/Price Quote",
                                      "Negotiation/Review", "Closed Won", "Closed Lost"}));
  EXPECT_EQ(values(F("Case", "Status")),
            (std::vector<std::string>{"New", "Working", "Escalated", "Closed"}));
  EXPECT_TRUE(F("Case", "Status").picklist_values[0].default_value);
  EXPECT_EQ(values(F("Case", "Priority")), (std::vector<std::string>{"High", "Medium", "Low"}));
  EXPECT_EQ(values(F("Case", "Origin")), (std::vector<std::string>{"Phone", "Email", "Web"}));
  EXPECT_EQ(values(F("Task", "Status")),
            (std::vector<std::string>{"Not Started", "In Progress", "Completed",
                                      "Waiting on someone else", "Deferred"}));
  EXPECT_EQ(values(F("Task", "Priority")), (std::vector<std::string>{"High", "Normal", "Low"}));
  EXPECT_EQ(F("Task", "Subject").type, FieldType::kCombobox);
  EXPECT_EQ(values(F("Lead", "Status")),
            (std::vector<std::string>{"Open - Not Contacted", "Working - Contacted",
                                      "Closed - Converted", "Closed - Not Converted"}));
}

TEST(ExampleOrg, DependentPicklists) {
  const engine::Field& product = F("Case", "Product__c");
  const engine::Field& sub = F("Case", "Sub_Product__c");
  EXPECT_TRUE(sub.dependent_picklist);
  EXPECT_TRUE(sub.restricted_picklist);
  EXPECT_EQ(sub.controller_name, "Product__c");
  auto valid_for = [&](const engine::Field& f, std::string_view value) {
    int i = f.FindPicklistValue(value);
    EXPECT_GE(i, 0) << value;
    return i < 0 ? std::vector<uint16_t>{} : f.picklist_values[i].valid_for;
  };
  uint16_t voice = static_cast<uint16_t>(product.FindPicklistValue("Voice"));
  uint16_t messaging = static_cast<uint16_t>(product.FindPicklistValue("Messaging"));
  uint16_t analytics = static_cast<uint16_t>(product.FindPicklistValue("Analytics"));
  EXPECT_EQ(valid_for(sub, "IVR"), std::vector<uint16_t>{voice});
  EXPECT_EQ(valid_for(sub, "WhatsApp"), std::vector<uint16_t>{messaging});
  EXPECT_EQ(valid_for(sub, "Dashboards"), std::vector<uint16_t>{analytics});
  EXPECT_EQ(valid_for(sub, "API Access"), (std::vector<uint16_t>{messaging, analytics}));
  for (const engine::PicklistValue& v : sub.picklist_values) {
    EXPECT_FALSE(v.valid_for.empty()) << v.value;
    for (uint16_t i : v.valid_for) EXPECT_LT(i, product.picklist_values.size()) << v.value;
  }

  // Controlled by a checkbox: index 0 is false, 1 is true.
  const engine::Field& reason = F("Case", "Escalation_Reason__c");
  EXPECT_TRUE(reason.dependent_picklist);
  EXPECT_EQ(reason.controller_name, "IsEscalated");
  EXPECT_EQ(F("Case", reason.controller_name).type, FieldType::kBoolean);
  EXPECT_EQ(valid_for(reason, "Not Escalated"), std::vector<uint16_t>{0});
  EXPECT_EQ(valid_for(reason, "SLA Breach"), std::vector<uint16_t>{1});
}

TEST(ExampleOrg, Relationships) {
  auto schema = Org();
  const engine::Object& account = *schema->Find("Account");
  struct Expect {
    const char* rel;
    const char* child;
    const char* field;
  };
  for (Expect e : {Expect{"Opportunities", "Opportunity", "AccountId"},
                   Expect{"Cases", "Case", "AccountId"}, Expect{"Contacts", "Contact", "AccountId"},
                   Expect{"Support_Contracts__r", "Support_Contract__c", "Account__c"}}) {
    const engine::ChildRelationship* c = account.FindChildRelationship(e.rel);
    ASSERT_NE(c, nullptr) << e.rel;
    EXPECT_EQ(c->child_object, e.child);
    EXPECT_EQ(c->field, e.field);
    // The child object has the lookup back, pointing at Account.
    const engine::Field& back = F(e.child, e.field);
    EXPECT_EQ(back.type, FieldType::kReference) << e.rel;
    EXPECT_EQ(back.reference_to, std::vector<std::string>{"Account"}) << e.rel;
  }
  // Contact.Account.Owner.Name resolves through the schema.
  const engine::Field* to_account = schema->Find("Contact")->FindLookupByRelationship("Account");
  ASSERT_NE(to_account, nullptr);
  EXPECT_EQ(to_account->name, "AccountId");
  const engine::Field* to_owner = account.FindLookupByRelationship("Owner");
  ASSERT_NE(to_owner, nullptr);
  EXPECT_EQ(to_owner->reference_to, std::vector<std::string>{"User"});
  EXPECT_EQ(F("User", "Name").type, FieldType::kString);

  EXPECT_EQ(F("Case", "ContactId").relationship_name, "Contact");
  EXPECT_EQ(F("Case", "AccountId").relationship_name, "Account");
  EXPECT_EQ(F("Opportunity", "AccountId").relationship_name, "Account");
  EXPECT_EQ(F("Task", "WhoId").reference_to, (std::vector<std::string>{"Contact", "Lead"}));
  EXPECT_EQ(F("Task", "WhoId").relationship_name, "Who");
  EXPECT_EQ(F("Task", "WhatId").relationship_name, "What");
  EXPECT_GE(F("Task", "WhatId").reference_to.size(), 4u);
  const engine::Field& contract_account = F("Support_Contract__c", "Account__c");
  EXPECT_TRUE(contract_account.custom);
  EXPECT_EQ(contract_account.relationship_name, "Account__r");
  EXPECT_TRUE(schema->Find("Support_Contract__c")->custom);
  // Every object the org's lookups can traverse to within the org exists.
  EXPECT_NE(schema->Find(schema->Find("Opportunity")->FindChildRelationship("Tasks")->child_object),
            nullptr);
}

// --- The org's records --------------------------------------------------------------------------

class ExampleOrgRecords : public testing::Test {
 protected:
  void SetUp() override {
    RecordReader reader(Org());
    std::string error;
    ASSERT_TRUE(LoadRecordsFile(kOrgDir + "/records.json", reader, &records_, &error)) << error;
    for (const auto& [object, list] : records_) {
      for (const engine::RecordPtr& r : list) {
        ASSERT_NE(r->id(), nullptr) << object;
        ids_.insert(r->id()->To15());
      }
    }
  }
  RecordsByObject records_;
  std::set<std::string> ids_;
};

TEST_F(ExampleOrgRecords, Counts) {
  EXPECT_EQ(records_["User"].size(), 5u);
  EXPECT_EQ(records_["Account"].size(), 10u);
  EXPECT_EQ(records_["Contact"].size(), 15u);
  EXPECT_EQ(records_["Lead"].size(), 8u);
  EXPECT_EQ(records_["Opportunity"].size(), 10u);
  EXPECT_EQ(records_["Case"].size(), 8u);
  EXPECT_EQ(records_["Task"].size(), 7u);
  EXPECT_EQ(records_["Support_Contract__c"].size(), 5u);
  EXPECT_EQ(ids_.size(), 68u);  // all distinct
}

TEST_F(ExampleOrgRecords, IdsAreValid18CharacterIdsWithTheirObjectsPrefix) {
  json file = json::parse(ReadFile(kOrgDir + "/records.json"));
  for (const auto& [object, result] : file.items()) {
    const std::string& prefix = Org()->Find(object)->key_prefix;
    for (const json& r : result["records"]) {
      std::string id = r["Id"].get<std::string>();
      ASSERT_EQ(id.size(), 18u) << id;
      std::optional<engine::SfId> parsed = engine::SfId::Parse(id);
      ASSERT_TRUE(parsed) << id;
      EXPECT_EQ(parsed->To18(), id) << "checksum of " << id;
      EXPECT_EQ(parsed->KeyPrefix(), prefix) << id;
      EXPECT_EQ(r["attributes"]["url"], "/services/data/v59.0/sobjects/" + object + "/" + id);
    }
  }
}

TEST_F(ExampleOrgRecords, LookupsResolveAndPointAtTheRightObject) {
  auto schema = Org();
  std::map<std::string, std::string> prefix_to_object;
  for (const engine::Object& o : schema->objects()) prefix_to_object[o.key_prefix] = o.name;
  int checked = 0;
  for (const auto& [object, list] : records_) {
    for (const engine::RecordPtr& r : list) {
      for (const engine::Slot& s : r->layout().slots()) {
        const engine::Field& f = r->layout().object().fields[s.field_index];
        if (f.type != FieldType::kReference || r->IsNull(s)) continue;
        const engine::SfId& target = r->GetId(s);
        EXPECT_TRUE(ids_.count(target.To15())) << object << "." << f.name << " -> " << target.To18();
        auto it = prefix_to_object.find(std::string(target.KeyPrefix()));
        ASSERT_NE(it, prefix_to_object.end()) << target.To18();
        EXPECT_NE(std::find(f.reference_to.begin(), f.reference_to.end(), it->second),
                  f.reference_to.end())
            << object << "." << f.name << " points at a " << it->second;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST_F(ExampleOrgRecords, PicklistValuesAreValid) {
  for (const auto& [object, list] : records_) {
    for (const engine::RecordPtr& r : list) {
      const engine::Object& o = r->layout().object();
      for (const engine::Slot& s : r->layout().slots()) {
        const engine::Field& f = o.fields[s.field_index];
        if (r->IsNull(s)) continue;
        if (f.type == FieldType::kPicklist) {
          EXPECT_NE(r->GetPicklistCode(s), engine::kUnknownPicklistCode)
              << object << "." << f.name << " = " << r->GetPicklistText(s);
        }
        if (f.type == FieldType::kMultiPicklist) {
          std::string_view text = r->GetString(s);
          size_t start = 0;
          while (start <= text.size()) {
            size_t end = text.find(';', start);
            if (end == std::string_view::npos) end = text.size();
            EXPECT_GE(f.FindPicklistValue(text.substr(start, end - start)), 0)
                << object << "." << f.name << " = " << text;
            start = end + 1;
          }
        }
        if (!f.dependent_picklist) continue;
        // The value must be valid for the controlling field's value.
        const engine::Field* controller = o.FindField(f.controller_name);
        ASSERT_NE(controller, nullptr);
        const engine::Slot* cs = r->layout().SlotForField(f.controller_name);
        ASSERT_NE(cs, nullptr);
        ASSERT_FALSE(r->IsNull(*cs)) << object << "." << f.name << " set without its controller";
        uint16_t index = controller->type == FieldType::kBoolean
                             ? (r->GetBool(*cs) ? 1 : 0)
                             : static_cast<uint16_t>(r->GetPicklistCode(*cs));
        const std::vector<uint16_t>& valid = f.picklist_values[r->GetPicklistCode(s)].valid_for;
        EXPECT_NE(std::find(valid.begin(), valid.end(), index), valid.end())
            << object << "." << f.name << " = " << r->GetPicklistText(s);
      }
    }
  }
}

TEST_F(ExampleOrgRecords, DataForTheLanguageExamples) {
  const engine::Object& account = *Org()->Find("Account");
  const engine::RecordLayout& layout = records_["Account"][0]->layout();
  const engine::Slot* revenue = layout.SlotForField("AnnualRevenue");
  const engine::Slot* name = layout.SlotForField("Name");
  int null_revenue = 0;
  std::string kestrel_id;
  for (const engine::RecordPtr& r : records_["Account"]) {
    if (r->IsNull(*revenue)) ++null_revenue;
    if (r->GetString(*name) == "Kestrel Banking Group") kestrel_id = r->id()->To15();
  }
  EXPECT_GE(null_revenue, 2);
  ASSERT_FALSE(kestrel_id.empty());
  EXPECT_EQ(account.name, "Account");
  // COUNT(Account.Opportunities, IsWon) >= 3 holds for Kestrel.
  int won = 0;
  for (const engine::RecordPtr& o : records_["Opportunity"]) {
    const engine::RecordLayout& l = o->layout();
    if (o->GetId(*l.SlotForField("AccountId")).To15() == kestrel_id &&
        o->GetBool(*l.SlotForField("IsWon"))) {
      ++won;
    }
  }
  EXPECT_EQ(won, 3);
  // An owner whose name starts with "Ann" (Contact.Account.Owner.Name STARTS WITH "Ann").
  bool ann = false;
  for (const engine::RecordPtr& u : records_["User"]) {
    ann |= u->GetString(*u->layout().SlotForField("Name")).substr(0, 3) == "Ann";
  }
  EXPECT_TRUE(ann);
}

}  // namespace
}  // namespace cf::sf
