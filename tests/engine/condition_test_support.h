// A small hand-built org for the condition semantics tests: Account (with custom fields),
// Contact -> Account -> User, Opportunity and Case children of Account, and the event objects.
#ifndef CF_TESTS_ENGINE_CONDITION_TEST_SUPPORT_H_
#define CF_TESTS_ENGINE_CONDITION_TEST_SUPPORT_H_

#include <gtest/gtest.h>

#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/condition.h"
#include "engine/event_schema.h"
#include "engine/record_store.h"

namespace cf::engine::testing {

inline Field MakeField(const std::string& name, FieldType type,
                       std::vector<std::string> picklist = {}) {
  Field f;
  f.name = name;
  f.label = name;
  f.type = type;
  f.custom = name.size() > 3 && name.substr(name.size() - 3) == "__c";
  for (auto& v : picklist) {
    PicklistValue pv;
    pv.value = v;
    pv.label = v;
    f.picklist_values.push_back(pv);
  }
  return f;
}

inline Field MakeLookup(const std::string& name, const std::string& target,
                        const std::string& relationship) {
  Field f = MakeField(name, FieldType::kReference);
  f.reference_to = {target};
  f.relationship_name = relationship;
  return f;
}

inline std::shared_ptr<Schema> MakeTestSchema() {
  auto schema = std::make_shared<Schema>();
  Object user;
  user.name = "User";
  user.fields = {MakeField("Id", FieldType::kId), MakeField("Name", FieldType::kString),
                 MakeField("Email", FieldType::kEmail)};
  schema->Add(user);

  Object account;
  account.name = "Account";
  account.fields = {
      MakeField("Id", FieldType::kId),
      MakeField("Name", FieldType::kString),
      MakeField("AnnualRevenue", FieldType::kCurrency),
      MakeField("NumberOfEmployees", FieldType::kInt),
      MakeField("Type", FieldType::kPicklist, {"Customer", "Prospect", "Partner", "Other"}),
      MakeField("Industry", FieldType::kPicklist, {"Banking", "Insurance", "Retail"}),
      MakeField("Regions__c", FieldType::kMultiPicklist, {"EMEA", "AMER", "APAC"}),
      MakeField("Tier__c", FieldType::kPicklist, {"Platinum", "Gold", "Silver"}),
      MakeField("SLA_Hours__c", FieldType::kDouble),
      MakeField("Active__c", FieldType::kBoolean),
      MakeField("Vip__c", FieldType::kBoolean),
      MakeField("LastActivityDate", FieldType::kDate),
      MakeField("CreatedDate", FieldType::kDateTime),
      MakeField("BillingCountry", FieldType::kString),
      MakeField("BillingAddress", FieldType::kAddress),
      MakeLookup("OwnerId", "User", "Owner"),
      MakeLookup("ParentId", "Account", "Parent"),
  };
  account.child_relationships = {{"Opportunities", "Opportunity", "AccountId"},
                                 {"Cases", "Case", "AccountId"},
                                 {"Contacts", "Contact", "AccountId"}};
  schema->Add(account);

  Object contact;
  contact.name = "Contact";
  contact.fields = {MakeField("Id", FieldType::kId),
                    MakeField("LastName", FieldType::kString),
                    MakeField("Email", FieldType::kEmail),
                    MakeField("Phone", FieldType::kPhone),
                    MakeField("MobilePhone", FieldType::kPhone),
                    MakeLookup("AccountId", "Account", "Account")};
  Field who = MakeField("ReportsToId", FieldType::kReference);
  who.reference_to = {"Contact", "Lead"};
  who.relationship_name = "ReportsTo";
  contact.fields.push_back(who);
  schema->Add(contact);

  Object lead;
  lead.name = "Lead";
  lead.fields = {MakeField("Id", FieldType::kId), MakeField("Email", FieldType::kEmail),
                 MakeField("Status", FieldType::kPicklist,
                           {"Open - Not Contacted", "Working - Contacted", "Closed - Converted",
                            "Closed - Not Converted"}),
                 MakeField("Rating", FieldType::kPicklist, {"Hot", "Warm", "Cold"})};
  schema->Add(lead);

  Object opp;
  opp.name = "Opportunity";
  opp.fields = {MakeField("Id", FieldType::kId),
                MakeField("Name", FieldType::kString),
                MakeField("Amount", FieldType::kCurrency),
                MakeField("IsWon", FieldType::kBoolean),
                MakeField("StageName", FieldType::kPicklist,
                          {"Prospecting", "Negotiation/Review", "Closed Won", "Closed Lost"}),
                MakeField("CloseDate", FieldType::kDate),
                MakeLookup("AccountId", "Account", "Account")};
  schema->Add(opp);

  Object kase;
  kase.name = "Case";
  kase.fields = {MakeField("Id", FieldType::kId),
                 MakeField("Status", FieldType::kPicklist, {"New", "Working", "Closed"}),
                 MakeField("Priority", FieldType::kPicklist, {"High", "Medium", "Low"}),
                 MakeField("CreatedDate", FieldType::kDateTime),
                 MakeLookup("AccountId", "Account", "Account")};
  schema->Add(kase);
  AddStandardEventObjects(schema.get());
  return schema;
}

// Builds records from field -> text maps and evaluates conditions against them.
class ConditionFixture : public ::testing::Test {
 protected:
  ConditionFixture() : schema_(MakeTestSchema()), env_(schema_), store_(*schema_) {
    env_.AddAllObjectsAsRoots();
  }

  // Adds a record; fields are given in Salesforce's text form. Returns it.
  const Record* Add(const std::string& object,
                    std::initializer_list<std::pair<const char*, const char*>> fields) {
    int oi = schema_->IndexOf(object);
    RecordBuilder b(env_.layout(oi));
    for (const auto& [name, text] : fields) {
      const Slot* s = env_.layout(oi)->SlotForField(name);
      EXPECT_NE(s, nullptr) << object << "." << name;
      if (s != nullptr) {
        EXPECT_TRUE(b.SetFromText(*s, text)) << object << "." << name << " = " << text;
      }
    }
    RecordPtr r = b.Finish();
    const Record* raw = r.get();
    store_.Add(oi, std::move(r));
    store_.Freeze();
    return raw;
  }

  void Bind(const std::string& root, const Record* r) {
    int i = env_.FindRoot(root);
    ASSERT_GE(i, 0);
    if (roots_.size() < env_.roots().size()) roots_.resize(env_.roots().size(), nullptr);
    roots_[i] = r;
  }

  // Compiles; fails the test with the diagnostics if it does not compile.
  std::shared_ptr<const CompiledCondition> Compile(const std::string& text) {
    CompileResult r = CompileCondition(text, env_);
    EXPECT_TRUE(r.ok()) << text << "\n"
                        << grammar::FormatDiagnostics({"<condition>", text}, r.diagnostics);
    return r.condition;
  }

  // The diagnostics of a condition that must not compile.
  std::string Errors(const std::string& text) {
    CompileResult r = CompileCondition(text, env_);
    EXPECT_FALSE(r.ok()) << text;
    return grammar::FormatDiagnostics({"<condition>", text}, r.diagnostics);
  }

  Tri Eval(const std::string& text) {
    auto c = Compile(text);
    if (!c) return Tri::kUnknown;
    if (roots_.size() < env_.roots().size()) roots_.resize(env_.roots().size(), nullptr);
    EvalContext ctx;
    ctx.roots = roots_.data();
    ctx.root_count = roots_.size();
    ctx.source = &store_;
    ctx.now = now_;
    ctx.today = zone_ ? zone_->LocalDay(now_) : static_cast<Days>(now_ / 86400000);
    ctx.time_zone = zone_.get();
    ctx.scratch = &scratch_;
    return c->Evaluate(ctx);
  }

  void SetNow(const std::string& iso, const std::string& zone = "UTC") {
    now_ = *ParseIsoDateTime(iso);
    std::string error;
    zone_ = TimeZone::Load(zone, &error);
    ASSERT_NE(zone_, nullptr) << error;
  }

  std::shared_ptr<Schema> schema_;
  Environment env_;
  RecordStore store_;
  std::vector<const Record*> roots_;
  Millis now_ = 1717243200000;  // 2024-06-01T12:00:00Z
  std::shared_ptr<const TimeZone> zone_;
  EvalScratch scratch_;
};

}  // namespace cf::engine::testing

#endif  // CF_TESTS_ENGINE_CONDITION_TEST_SUPPORT_H_
