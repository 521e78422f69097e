// Discovery against the emulator over TLS: describeGlobal, describes through Composite,
// validation rules through the Tooling API, and the schema cache in a real SQLite file.
#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "connectors/salesforce/discovery.h"
#include "engine/condition.h"
#include "engine/sqlite_state_store.h"
#include "tests/salesforce/connector_fixture.h"

namespace cf::sf {
namespace {

using engine::Field;
using engine::Object;

class DiscoveryTest : public testing::ConnectorFixture {
 protected:
  const engine::ValidationRule* Rule(const Object& o, std::string_view name) {
    for (const engine::ValidationRule& r : o.validation_rules) {
      if (r.name == name) return &r;
    }
    return nullptr;
  }
};

TEST_F(DiscoveryTest, DescribesTheStandardAndCustomObjectsInThreeCalls) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  int64_t before = emu().control().TotalApiCalls();
  DiscoveryResult r = Discover(*client, {});
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  const engine::Schema& schema = *r.org->schema;
  for (const std::string& name : StandardObjects()) {
    EXPECT_NE(schema.Find(name), nullptr) << name;
  }
  EXPECT_NE(schema.Find("Support_Contract__c"), nullptr);
  // describeGlobal, one Composite with every describe, one Tooling query.
  EXPECT_EQ(r.org->api_calls, 3);
  EXPECT_EQ(emu().control().TotalApiCalls() - before, 3);
  EXPECT_TRUE(r.org->warnings.empty()) << r.org->warnings.front();
}

TEST_F(DiscoveryTest, TheSchemaHoldsWhatDescribeSays) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  DiscoveryResult r = Discover(*client, {});
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  const engine::Schema& schema = *r.org->schema;

  const Object* account = schema.Find("Account");
  ASSERT_NE(account, nullptr);
  // Field-level security: hidden from the integration user, so absent.
  EXPECT_EQ(account->FindField("Health_Score__c"), nullptr);
  const Field* revenue = account->FindField("AnnualRevenue");
  ASSERT_NE(revenue, nullptr);
  EXPECT_EQ(revenue->type, engine::FieldType::kCurrency);
  EXPECT_NE(account->FindChildRelationship("Opportunities"), nullptr);

  const Object* contact = schema.Find("Contact");
  ASSERT_NE(contact, nullptr);
  const Field* account_id = contact->FindField("AccountId");
  ASSERT_NE(account_id, nullptr);
  EXPECT_EQ(account_id->relationship_name, "Account");
  ASSERT_EQ(account_id->reference_to.size(), 1u);
  EXPECT_EQ(account_id->reference_to[0], "Account");
  EXPECT_EQ(contact->FindField("Birthdate"), nullptr);  // hidden

  const Object* kase = schema.Find("Case");
  ASSERT_NE(kase, nullptr);
  const Field* sub_product = kase->FindField("Sub_Product__c");
  ASSERT_NE(sub_product, nullptr);
  EXPECT_TRUE(sub_product->dependent_picklist);
  EXPECT_TRUE(sub_product->restricted_picklist);
  EXPECT_EQ(sub_product->controller_name, "Product__c");
  ASSERT_FALSE(sub_product->picklist_values.empty());
  EXPECT_EQ(sub_product->picklist_values[0].valid_for, std::vector<uint16_t>{0});  // "gAAA"
  const Field* reason = kase->FindField("Escalation_Reason__c");
  ASSERT_NE(reason, nullptr);
  EXPECT_EQ(reason->controller_name, "IsEscalated");

  const Field* lead_company = schema.Find("Lead")->FindField("Company");
  ASSERT_NE(lead_company, nullptr);
  EXPECT_TRUE(lead_company->createable);
  EXPECT_FALSE(lead_company->nillable);

  // Validation rules, listed through the Tooling API, on their objects.
  const Object* opportunity = schema.Find("Opportunity");
  const engine::ValidationRule* closed_won = Rule(*opportunity, "Closed_Won_Requires_Amount");
  ASSERT_NE(closed_won, nullptr);
  EXPECT_TRUE(closed_won->active);
  EXPECT_FALSE(closed_won->error_message.empty());
  EXPECT_TRUE(closed_won->error_condition_formula.empty());  // formulas only on request
  const engine::ValidationRule* https = Rule(*account, "Website_Must_Use_HTTPS");
  ASSERT_NE(https, nullptr);
  EXPECT_FALSE(https->active);
}

TEST_F(DiscoveryTest, ConditionsCompileAgainstTheDiscoveredSchema) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  DiscoveryResult r = Discover(*client, {});
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  engine::Environment env(r.org->schema);
  env.AddAllObjectsAsRoots();
  engine::CompileResult compiled = engine::CompileCondition(
      "Account.AnnualRevenue > $500,000 AND Account.Type = \"Customer - Direct\"", env);
  EXPECT_TRUE(compiled.ok()) << (compiled.diagnostics.empty() ? std::string()
                                                               : compiled.diagnostics[0].message);
  // A field hidden by field-level security is unknown to rules, with a clear message.
  engine::CompileResult hidden = engine::CompileCondition("Account.Health_Score__c > 5", env);
  EXPECT_FALSE(hidden.ok());
  ASSERT_FALSE(hidden.diagnostics.empty());
}

TEST_F(DiscoveryTest, FormulasOnRequestAtOneCallPerRule) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  DiscoveryOptions options;
  options.objects = {"Opportunity"};
  options.validation_rule_formulas = true;
  DiscoveryResult r = Discover(*client, options);
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  const Object* opportunity = r.org->schema->Find("Opportunity");
  ASSERT_NE(opportunity, nullptr);
  EXPECT_EQ(r.org->schema->Find("Account"), nullptr);  // only what was asked
  const engine::ValidationRule* closed_won = Rule(*opportunity, "Closed_Won_Requires_Amount");
  ASSERT_NE(closed_won, nullptr);
  EXPECT_NE(closed_won->error_condition_formula.find("Closed Won"), std::string::npos)
      << closed_won->error_condition_formula;
  // global + composite + rule list + one per rule.
  EXPECT_EQ(r.org->api_calls, 3 + static_cast<int>(opportunity->validation_rules.size()));
}

TEST_F(DiscoveryTest, AnUnknownObjectIsAClearError) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  DiscoveryOptions options;
  options.objects = {"Invoice__c"};
  DiscoveryResult r = Discover(*client, options);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.failure.summary.find("Invoice__c is not in this org"), std::string::npos)
      << r.failure.summary;
}

TEST_F(DiscoveryTest, TheCacheRoundTripsThroughSqliteWithoutCalls) {
  std::string dir = ::testing::TempDir() + "cf-discovery-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  std::unique_ptr<engine::SqliteStateStore> store;
  ASSERT_TRUE(engine::SqliteStateStore::Open(dir + "/state.db", {}, &store).ok());

  std::string error;
  EXPECT_FALSE(LoadSchemaCache(*store, &error).has_value());
  EXPECT_TRUE(error.empty()) << error;

  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  DiscoveryResult r = Discover(*client, {});
  ASSERT_TRUE(r.ok()) << r.failure.Describe();
  ASSERT_TRUE(SaveSchemaCache(*store, *r.org).ok());
  store.reset();

  ASSERT_TRUE(engine::SqliteStateStore::Open(dir + "/state.db", {}, &store).ok());
  int64_t before = emu().control().TotalApiCalls();
  std::optional<DiscoveredOrg> cached = LoadSchemaCache(*store, &error);
  ASSERT_TRUE(cached.has_value()) << error;
  EXPECT_EQ(emu().control().TotalApiCalls(), before);
  EXPECT_EQ(cached->schema->size(), r.org->schema->size());
  EXPECT_EQ(cached->global.size(), r.org->global.size());
  EXPECT_EQ(cached->fetched_at, r.org->fetched_at);
  const Object* opportunity = cached->schema->Find("Opportunity");
  ASSERT_NE(opportunity, nullptr);
  EXPECT_EQ(opportunity->validation_rules.size(),
            r.org->schema->Find("Opportunity")->validation_rules.size());

  // A damaged cache is reported, not trusted.
  ASSERT_TRUE(store->Put(kSchemaCacheNamespace, "org", "{not json").ok());
  EXPECT_FALSE(LoadSchemaCache(*store, &error).has_value());
  EXPECT_NE(error.find("discover the org again"), std::string::npos) << error;
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace cf::sf
