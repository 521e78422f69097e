// Org: Ids (prefix, checksum, uniqueness), stamps, the compact row store round trip,
// snapshots (undo log), tokens, the API counter; the seed loader and the generator.
#include "tools/sfemu/org.h"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>

#include "connectors/salesforce/describe_json.h"
#include "tools/sfemu/seed.h"
#include "tools/sfemu/validation.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;

std::shared_ptr<const engine::Schema> OrgSchema() {
  static std::shared_ptr<const engine::Schema> schema = [] {
    std::string error;
    auto s = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
    EXPECT_NE(s, nullptr) << error;
    return s;
  }();
  return schema;
}

// Character-class matching for a fixed layout: 'd' digit, 'a' letter or digit, 'U' the
// checksum alphabet (A-Z, 0-5), 't' a token character (letters, digits, '.', '_'), '*' any
// number (1 or more) of token characters at the end; anything else must match itself.
bool MatchesLayout(std::string_view text, std::string_view layout) {
  size_t i = 0;
  for (size_t k = 0; k < layout.size(); ++k) {
    const char want = layout[k];
    if (want == '*') {
      if (i >= text.size()) return false;
      for (; i < text.size(); ++i) {
        if (!std::isalnum(static_cast<unsigned char>(text[i])) && text[i] != '.' && text[i] != '_') return false;
      }
      return true;
    }
    if (i >= text.size()) return false;
    const unsigned char c = static_cast<unsigned char>(text[i++]);
    switch (want) {
      case 'd': if (!std::isdigit(c)) return false; break;
      case 'a': if (!std::isalnum(c)) return false; break;
      case 'U': if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '5'))) return false; break;
      case 't': if (!std::isalnum(c) && c != '.' && c != '_') return false; break;
      default: if (c != static_cast<unsigned char>(want)) return false;
    }
  }
  return i == text.size();
}

class OrgTest : public testing::Test {
 protected:
  OrgTest() {
    org_.SetSchema(OrgSchema());
    account_ = org_.schema().Find("Account");
  }
  Org org_;
  const engine::Object* account_ = nullptr;
};

TEST_F(OrgTest, NewIdsHaveKeyPrefixValidChecksumAndAreUnique) {
  auto lock = org_.Lock();
  std::set<std::string> seen;
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case", "Task",
                           "Support_Contract__c"}) {
    const engine::Object* o = org_.schema().Find(name);
    ASSERT_NE(o, nullptr);
    for (int i = 0; i < 500; ++i) {
      const std::string id = org_.NewIdLocked(*o);
      ASSERT_EQ(id.size(), 18u);
      EXPECT_EQ(id.substr(0, 3), o->key_prefix);
      auto parsed = engine::SfId::Parse(id);
      ASSERT_TRUE(parsed) << id;
      EXPECT_EQ(parsed->To18(), id) << "checksum of " << id;
      EXPECT_TRUE(seen.insert(id).second) << id;
      EXPECT_EQ(org_.ObjectOfId(id), o);
    }
  }
  // Looks like a real org's Id: prefix, pod "Dn", zeros, base-62 digits, checksum.
  EXPECT_TRUE(MatchesLayout(*seen.begin(), "aaaDn000aaaaaaaUUU")) << *seen.begin();
}

TEST_F(OrgTest, InsertStampsAuditFieldsInSalesforceFormat) {
  auto lock = org_.Lock();
  const std::string user = "005Dn0000Arm1RhIQI";
  const std::string id = org_.InsertLocked(*account_, {{"Name", "Acme"}, {"AnnualRevenue", 1.5e6}}, user);
  const StoredRecord* r = org_.FindLocked(*account_, id);
  ASSERT_NE(r, nullptr);
  EXPECT_FALSE(r->deleted);
  const json& f = r->fields;
  EXPECT_EQ(f["Id"], id);
  EXPECT_EQ(f["Name"], "Acme");
  EXPECT_EQ(f["AnnualRevenue"], 1.5e6);
  EXPECT_EQ(f["IsDeleted"], false);
  EXPECT_EQ(f["OwnerId"], user);
  EXPECT_EQ(f["CreatedById"], user);
  EXPECT_EQ(f["LastModifiedById"], user);
  for (const char* k : {"CreatedDate", "LastModifiedDate", "SystemModstamp"}) {
    ASSERT_TRUE(f[k].is_string()) << k;
    EXPECT_TRUE(MatchesLayout(f[k].get<std::string>(), "dddd-dd-ddTdd:dd:dd.000+0000")) << f[k];
  }
  EXPECT_EQ(f["CreatedDate"], f["SystemModstamp"]);
  // Every field of the object is present, null when not set.
  EXPECT_TRUE(f.contains("Phone"));
  EXPECT_TRUE(f["Phone"].is_null());
  EXPECT_EQ(f.size(), account_->fields.size());
}

TEST_F(OrgTest, UpdateRestampsAndMergesAndClockMoves) {
  auto lock = org_.Lock();
  const std::string id = org_.InsertLocked(*account_, {{"Name", "Acme"}, {"Phone", "1"}}, "");
  const StoredRecord* r = org_.FindLocked(*account_, id);
  const std::string created = r->fields["CreatedDate"];
  org_.AdvanceClock(61000);
  ASSERT_TRUE(org_.UpdateLocked(*account_, id, {{"phone", nullptr}, {"Industry", "Banking"}}, ""));
  // The cached StoredRecord is refreshed in place.
  EXPECT_EQ(r->fields["Industry"], "Banking");
  EXPECT_TRUE(r->fields["Phone"].is_null());
  EXPECT_EQ(r->fields["Name"], "Acme");
  EXPECT_EQ(r->fields["CreatedDate"], created);
  EXPECT_GT(r->fields["SystemModstamp"].get<std::string>(), created);
  EXPECT_EQ(r->fields["LastModifiedDate"], r->fields["SystemModstamp"]);
  EXPECT_FALSE(org_.UpdateLocked(*account_, "001Dn0000000000AAA", {{"Name", "x"}}, ""));
}

TEST_F(OrgTest, FindAcceptsFifteenAndAnyCaseEighteen) {
  auto lock = org_.Lock();
  const std::string id = org_.InsertLocked(*account_, {{"Name", "Acme"}}, "");
  EXPECT_NE(org_.FindLocked(*account_, id.substr(0, 15)), nullptr);
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_NE(org_.FindLocked(*account_, lower), nullptr);
  EXPECT_EQ(org_.FindLocked(*account_, "nonsense"), nullptr);
}

TEST_F(OrgTest, DeleteKeepsRecordForQueryAll) {
  auto lock = org_.Lock();
  const std::string id = org_.InsertLocked(*account_, {{"Name", "Acme"}}, "");
  ASSERT_TRUE(org_.DeleteLocked(*account_, id));
  EXPECT_FALSE(org_.DeleteLocked(*account_, id));
  EXPECT_FALSE(org_.UpdateLocked(*account_, id, {{"Name", "x"}}, ""));
  const StoredRecord* r = org_.FindLocked(*account_, id);
  ASSERT_NE(r, nullptr);
  EXPECT_TRUE(r->deleted);
  EXPECT_GT(r->deleted_at, 0);
  EXPECT_EQ(r->fields["IsDeleted"], true);
  EXPECT_EQ(org_.CountLocked(*account_), 1u);
}

TEST_F(OrgTest, RowStoreRoundTripsEveryJsonKind) {
  auto lock = org_.Lock();
  json in = {{"Name", "Ünïcode \"quoted\" name that is longer than fifteen"},
             {"AnnualRevenue", 123456789012},
             {"NumberOfEmployees", -42},
             {"Health_Score__c", 87.25},
             {"ParentId", "001Dn0000Arm1RhIQI"},  // an Id
             {"Description", "001Dn0000Arm1RhIQJ"},  // 18 chars, not a valid checksum: text
             {"LastActivityDate", "2026-02-29"},     // not a date (2026 is no leap year): text
             {"SLA_Hours__c", 0},
             {"Tier__c", "Gold"},
             {"BillingAddress", {{"city", "Leeds"}, {"country", "UK"}}},
             {"Unknown_Key__x", "kept"}};
  const std::string id = org_.LoadRecordLocked(*account_, in);
  const StoredRecord* r = org_.FindLocked(*account_, id);
  ASSERT_NE(r, nullptr);
  for (auto it = in.begin(); it != in.end(); ++it) {
    EXPECT_EQ(r->fields[it.key()], it.value()) << it.key();
    EXPECT_EQ(r->fields[it.key()].dump(), it.value().dump()) << it.key();
  }
  auto view = org_.FindRowLocked(*account_, id);
  ASSERT_TRUE(view);
  EXPECT_EQ(view->Get(account_->FieldIndex("ParentId")).kind, FieldValue::Kind::kId);
  EXPECT_EQ(view->Get(account_->FieldIndex("Description")).kind, FieldValue::Kind::kString);
  EXPECT_EQ(view->Get(account_->FieldIndex("Phone")).kind, FieldValue::Kind::kNull);
  EXPECT_EQ(view->Get(account_->FieldIndex("Id")).id.To18(), id);
}

TEST_F(OrgTest, LoadKeepsGivenIdAndStamps) {
  auto lock = org_.Lock();
  json in = {{"attributes", {{"type", "Account"}}},
             {"Id", "001Dn0000Arm1RhIQI"},
             {"Name", "Seeded"},
             {"CreatedDate", "2025-12-01T08:00:00.000+0000"}};
  EXPECT_EQ(org_.LoadRecordLocked(*account_, in), "001Dn0000Arm1RhIQI");
  const StoredRecord* r = org_.FindLocked(*account_, "001Dn0000Arm1RhIQI");
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->fields["CreatedDate"], "2025-12-01T08:00:00.000+0000");
  EXPECT_FALSE(r->fields.contains("attributes"));
}

TEST_F(OrgTest, ScanIsInIdOrder) {
  auto lock = org_.Lock();
  org_.LoadRecordLocked(*account_, {{"Id", "001Dn0000zzzzzzAAA"}, {"Name", "z"}});
  org_.LoadRecordLocked(*account_, {{"Id", "001Dn00000AAAAAAAA"}, {"Name", "a"}});
  for (int i = 0; i < 5; ++i) org_.InsertLocked(*account_, {{"Name", std::to_string(i)}}, "");
  std::vector<std::string> ids;
  org_.ScanLocked(*account_, [&](const StoredRecord& r) {
    ids.push_back(r.fields["Id"]);
    return true;
  });
  ASSERT_EQ(ids.size(), 7u);
  for (size_t i = 1; i < ids.size(); ++i) {
    EXPECT_LT(*engine::SfId::Parse(ids[i - 1]), *engine::SfId::Parse(ids[i]));
  }
  size_t n = 0;
  org_.ScanRowsLocked(*account_, [&](const RecordView&) { return ++n < 3; });
  EXPECT_EQ(n, 3u);
}

TEST_F(OrgTest, SnapshotRestoreUndoesInsertsUpdatesDeletes) {
  auto lock = org_.Lock();
  const std::string keep = org_.InsertLocked(*account_, {{"Name", "Keep"}}, "");
  const std::string gone = org_.InsertLocked(*account_, {{"Name", "Gone"}}, "");
  const json before = org_.FindLocked(*account_, keep)->fields;
  {
    auto snap = org_.SnapshotLocked();
    const std::string added = org_.InsertLocked(*account_, {{"Name", "Added"}}, "");
    ASSERT_TRUE(org_.UpdateLocked(*account_, keep, {{"Name", "Changed"}}, ""));
    ASSERT_TRUE(org_.DeleteLocked(*account_, gone));
    {
      auto inner = org_.SnapshotLocked();
      org_.InsertLocked(*account_, {{"Name", "Inner"}}, "");
      org_.RestoreLocked(*inner);
      EXPECT_EQ(org_.CountLocked(*account_), 3u);
    }
    org_.RestoreLocked(*snap);
    EXPECT_EQ(org_.FindLocked(*account_, added), nullptr);
    // Ids are not reused after a rollback.
    EXPECT_NE(org_.InsertLocked(*account_, {{"Name", "Again"}}, ""), added);
    org_.RestoreLocked(*snap);
  }
  EXPECT_EQ(org_.CountLocked(*account_), 2u);
  EXPECT_EQ(org_.FindLocked(*account_, keep)->fields, before);
  EXPECT_FALSE(org_.FindLocked(*account_, gone)->deleted);
  // Scans see the restored state in order.
  std::vector<std::string> names;
  org_.ScanRowsLocked(*account_, [&](const RecordView& v) {
    names.push_back(v.ToJson()["Name"]);
    return true;
  });
  EXPECT_EQ(names, (std::vector<std::string>{"Keep", "Gone"}));
}

TEST_F(OrgTest, FindByFieldComparesTextIgnoringCase) {
  auto lock = org_.Lock();
  const engine::Object* lead = org_.schema().Find("Lead");
  const std::string a = org_.InsertLocked(*lead, {{"LastName", "A"}, {"ConnectFlo_Conversation_Id__c", "Conv-1"}}, "");
  const std::string b = org_.InsertLocked(*lead, {{"LastName", "B"}, {"ConnectFlo_Conversation_Id__c", "conv-2"}}, "");
  EXPECT_EQ(org_.FindByFieldLocked(*lead, "ConnectFlo_Conversation_Id__c", "CONV-1"),
            std::vector<std::string>{a});
  EXPECT_TRUE(org_.FindByFieldLocked(*lead, "ConnectFlo_Conversation_Id__c", "CONV-2", true).empty());
  ASSERT_TRUE(org_.DeleteLocked(*lead, b));
  EXPECT_TRUE(org_.FindByFieldLocked(*lead, "ConnectFlo_Conversation_Id__c", "conv-2").empty());
}

TEST_F(OrgTest, TokensAreRandomAndExpire) {
  org_.limits().access_token_ttl_seconds = 60;
  const std::string t1 = org_.IssueAccessToken("005Dn0000Arm1RhIQI");
  const std::string t2 = org_.IssueAccessToken("005Dn0000Arm1RhIQI");
  EXPECT_NE(t1, t2);
  EXPECT_TRUE(MatchesLayout(t1, "00Daaaaaaaaaaaa!AQ*")) << t1;
  EXPECT_GE(t1.size(), 118u);
  EXPECT_EQ(t1.substr(0, 15), org_.org_id().substr(0, 15));
  auto info = org_.CheckAccessToken(t1);
  ASSERT_TRUE(info);
  EXPECT_EQ(info->user_id, "005Dn0000Arm1RhIQI");
  EXPECT_FALSE(org_.CheckAccessToken(t1 + "x"));
  org_.AdvanceClock(61000);
  EXPECT_FALSE(org_.CheckAccessToken(t1));
  const std::string t3 = org_.IssueAccessToken("u");
  EXPECT_TRUE(org_.CheckAccessToken(t3));
  org_.ExpireAllAccessTokens();
  EXPECT_FALSE(org_.CheckAccessToken(t3));

  const std::string r1 = org_.IssueRefreshToken("u");
  EXPECT_EQ(r1.rfind("5Aep861", 0), 0u);
  EXPECT_TRUE(org_.CheckRefreshToken(r1));
  org_.RevokeRefreshToken(r1);
  EXPECT_FALSE(org_.CheckRefreshToken(r1));
  const std::string r2 = org_.IssueRefreshToken("u");
  org_.RevokeAllRefreshTokens();
  EXPECT_FALSE(org_.CheckRefreshToken(r2));

  const std::string code = org_.IssueAuthorizationCode("u");
  EXPECT_EQ(org_.RedeemAuthorizationCode(code), std::optional<std::string>("u"));
  EXPECT_FALSE(org_.RedeemAuthorizationCode(code));  // single use
}

TEST_F(OrgTest, ApiCounterStopsAtTheLimit) {
  org_.SetApiUsage(0, 3);
  EXPECT_TRUE(org_.CountApiCall());
  EXPECT_TRUE(org_.CountApiCall());
  EXPECT_TRUE(org_.CountApiCall());
  EXPECT_FALSE(org_.CountApiCall());
  EXPECT_EQ(org_.api_used(), 3);
  EXPECT_EQ(org_.api_max(), 3);
}

TEST_F(OrgTest, HiddenFieldsAndUsers) {
  org_.HideField("Account", "Health_Score__c");
  EXPECT_TRUE(org_.IsHidden("account", "health_score__C"));
  EXPECT_FALSE(org_.IsHidden("Account", "Name"));
  OrgUser u;
  u.id = "005Dn0000Arm1RhIQI";
  u.username = "integration@connectflo-demo.example";
  org_.AddUser(u);
  EXPECT_NE(org_.FindUser("Integration@ConnectFlo-Demo.example"), nullptr);
  EXPECT_NE(org_.FindUserById("005Dn0000Arm1Rh"), nullptr);
  EXPECT_EQ(org_.FindUserById("005Dn0000Arm1Ri"), nullptr);
}

}  // namespace
}  // namespace cf::sfemu

// ---- The seed loader and the generator (seed.h) ----

namespace cf::sfemu {
namespace {

std::unique_ptr<Org> LoadDefault() {
  std::string error;
  auto org = LoadSeedOrg(DefaultOrgDir(), &error);
  EXPECT_NE(org, nullptr) << error;
  return org;
}

TEST(SeedTest, LoadsTheDefaultOrg) {
  auto org = LoadDefault();
  ASSERT_NE(org, nullptr);
  EXPECT_EQ(org->org_id(), "00DDn000000CfDmMAK");
  auto lock = org->Lock();
  const std::map<std::string, size_t> counts = {
      {"User", 5}, {"Account", 10}, {"Contact", 15}, {"Lead", 8}, {"Opportunity", 10},
      {"Case", 8}, {"Task", 7}, {"Support_Contract__c", 5}};
  for (const auto& [name, n] : counts) {
    const engine::Object* o = org->schema().Find(name);
    ASSERT_NE(o, nullptr) << name;
    EXPECT_EQ(org->CountLocked(*o), n) << name;
    EXPECT_NE(org->DescribeJson(name), nullptr) << name;
  }
  // Records keep their Ids and stamps.
  const StoredRecord* kestrel = org->FindLocked(*org->schema().Find("Account"), "001Dn00001NRuOUIA1");
  ASSERT_NE(kestrel, nullptr);
  EXPECT_EQ(kestrel->fields["Name"], "Kestrel Banking Group");
  EXPECT_EQ(kestrel->fields["CreatedDate"], "2026-01-10T10:00:00.000+0000");
  EXPECT_EQ(kestrel->fields["AnnualRevenue"], 2400000000);

  // Users: the integration user, an admin, a user without API access; passwords carry tokens.
  ASSERT_EQ(org->users().size(), 5u);
  const OrgUser* integration = org->FindUser("integration@connectflo-demo.example");
  ASSERT_NE(integration, nullptr);
  EXPECT_TRUE(integration->integration);
  EXPECT_TRUE(integration->api_enabled);
  EXPECT_EQ(integration->password, "ConnectFlo-Integration-2026Vq3kM8zR2tLw9XbN4cJ7hPdA");
  EXPECT_NE(org->FindRowLocked(*org->schema().Find("User"), integration->id), std::nullopt);
  const OrgUser* no_api = org->FindUser("chloe.martin@connectflo-demo.example");
  ASSERT_NE(no_api, nullptr);
  EXPECT_FALSE(no_api->api_enabled);
  int integration_users = 0;
  for (const OrgUser& u : org->users()) integration_users += u.integration ? 1 : 0;
  EXPECT_EQ(integration_users, 1);

  EXPECT_EQ(org->connected_app().name, "ConnectFlo Rules");
  EXPECT_EQ(org->connected_app().client_id.rfind("3MVG9", 0), 0u);
  EXPECT_EQ(org->connected_app().client_id.size(), 85u);
  EXPECT_EQ(org->connected_app().client_secret.size(), 64u);
  EXPECT_EQ(org->connected_app().redirect_uri, "http://localhost:8765/oauth/callback");

  EXPECT_TRUE(org->IsHidden("Account", "Health_Score__c"));
  EXPECT_TRUE(org->IsHidden("Contact", "Birthdate"));
  EXPECT_TRUE(org->IsHidden("Contact", "HomePhone"));
  EXPECT_TRUE(org->IsHidden("Support_Contract__c", "Annual_Value__c"));
  EXPECT_FALSE(org->IsHidden("Account", "Tier__c"));
  EXPECT_EQ(org->api_max(), 100000);
  EXPECT_EQ(org->api_used(), 0);
  EXPECT_EQ(org->limits().access_token_ttl_seconds, 7200);

  // Validation rules on their objects, in the Tooling org too.
  size_t rules = 0;
  for (const engine::Object& o : org->schema().objects()) rules += o.validation_rules.size();
  EXPECT_EQ(rules, 10u);
  const engine::Object& opportunity = *org->schema().Find("Opportunity");
  ASSERT_EQ(opportunity.validation_rules.size(), 3u);
  EXPECT_EQ(opportunity.validation_rules[0].name, "Closed_Won_Requires_Amount");
  EXPECT_EQ(opportunity.validation_rules[0].error_condition_formula,
            "ISPICKVAL(StageName, \"Closed Won\") && ISBLANK(Amount)");
  EXPECT_EQ(opportunity.validation_rules[0].error_display_field, "Amount");
  ASSERT_NE(org->tooling(), nullptr);
  auto tooling_lock = org->tooling()->Lock();
  EXPECT_EQ(org->tooling()->CountLocked(*org->tooling()->schema().Find("ValidationRule")), 10u);
  EXPECT_EQ(org->tooling()->CountLocked(*org->tooling()->schema().Find("EntityDefinition")), 8u);
}

TEST(SeedTest, OnlyTheRuleUsingPriorValueIsNotEnforceable) {
  auto org = LoadDefault();
  ASSERT_NE(org, nullptr);
  std::vector<std::string> problems = CheckValidationRules(org->schema_ptr());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("Opportunity.Stage_Cannot_Reopen: ", 0), 0u) << problems[0];
}

// Every record passes Salesforce's checks and the active rules: an update that changes
// nothing is accepted for each.
void ExpectEveryRecordValid(const Org& org, size_t* checked) {
  auto lock = org.Lock();
  const nlohmann::ordered_json nothing = nlohmann::ordered_json::object();
  for (const char* name : {"Account", "Contact", "Lead", "Opportunity", "Case", "Support_Contract__c"}) {
    const engine::Object& o = *org.schema().Find(name);
    std::vector<std::string> ids;
    org.ScanRowsLocked(o, [&](const RecordView& v) {
      ids.push_back(v.Id18());
      return true;
    });
    for (const std::string& id : ids) {
      WriteRequest request;
      request.object = &o;
      request.kind = WriteKind::kUpdate;
      request.body = &nothing;
      request.existing = org.FindLocked(o, id);
      WriteCheck check = ValidateWriteLocked(org, request);
      ASSERT_TRUE(check.ok()) << name << " " << id << ": " << check.errors[0].error_code << " "
                              << check.errors[0].message << "\n"
                              << request.existing->fields.dump();
      ++*checked;
    }
  }
}

TEST(SeedTest, SeedRecordsAreValid) {
  auto org = LoadDefault();
  ASSERT_NE(org, nullptr);
  size_t checked = 0;
  ExpectEveryRecordValid(*org, &checked);
  EXPECT_EQ(checked, 56u);
}

TEST(GeneratorTest, GeneratedRecordsAreValidAndConsistent) {
  std::string error;
  GenerateOptions options;
  options.records = 4000;
  options.seed = 11;
  auto org = GenerateOrg(DefaultOrgDir(), options, &error);
  ASSERT_NE(org, nullptr) << error;
  size_t checked = 0;
  ExpectEveryRecordValid(*org, &checked);
  EXPECT_EQ(checked, 56u + 4000u);

  auto lock = org->Lock();
  const std::map<std::string, size_t> counts = {
      {"Account", 10 + 400}, {"Contact", 15 + 1200}, {"Opportunity", 10 + 800},
      {"Case", 8 + 800}, {"Lead", 8 + 800}};
  for (const auto& [name, n] : counts) {
    EXPECT_EQ(org->CountLocked(*org->schema().Find(name)), n) << name;
  }
  // Ids valid and unique; case numbers unique; every lookup resolves.
  std::set<std::string> ids, case_numbers;
  for (const char* name : {"Account", "Contact", "Opportunity", "Case", "Lead"}) {
    const engine::Object& o = *org->schema().Find(name);
    org->ScanLocked(o, [&](const StoredRecord& r) {
      const std::string id = r.fields["Id"];
      EXPECT_EQ(engine::SfId::Parse(id)->To18(), id);
      EXPECT_EQ(id.substr(0, 3), o.key_prefix);
      EXPECT_TRUE(ids.insert(id).second) << id;
      if (o.name == "Case") {
        EXPECT_TRUE(case_numbers.insert(r.fields["CaseNumber"]).second);
      }
      for (const engine::Field& f : o.fields) {
        if (f.type != engine::FieldType::kReference || !r.fields[f.name].is_string()) continue;
        const std::string ref = r.fields[f.name];
        const engine::Object* target = org->ObjectOfId(ref);
        EXPECT_NE(target, nullptr) << o.name << "." << f.name << " " << ref;
        if (target != nullptr) {
          EXPECT_NE(org->FindRowLocked(*target, ref), std::nullopt) << f.name;
        }
      }
      return true;
    });
  }
}

TEST(GeneratorTest, SameSeedSameOrgOtherSeedOtherOrg) {
  auto dump = [](uint64_t seed) {
    std::string error;
    GenerateOptions options;
    options.records = 1000;
    options.seed = seed;
    auto org = GenerateOrg(DefaultOrgDir(), options, &error);
    EXPECT_NE(org, nullptr) << error;
    std::string out;
    auto lock = org->Lock();
    for (const char* name : {"Account", "Contact", "Opportunity", "Case", "Lead"}) {
      org->ScanRowsLocked(*org->schema().Find(name), [&](const RecordView& v) {
        out += v.ToJson().dump();
        return true;
      });
    }
    return out;
  };
  const std::string a = dump(5);
  EXPECT_EQ(a, dump(5));
  EXPECT_NE(a, dump(6));
}

TEST(GeneratorTest, ErrorsAreReported) {
  std::string error;
  EXPECT_EQ(LoadSeedOrg("/nonexistent/org", &error), nullptr);
  EXPECT_FALSE(error.empty());
  Org empty;
  EXPECT_FALSE(AddGeneratedRecords(empty, GenerateOptions(), &error));
  EXPECT_NE(error.find("no schema"), std::string::npos) << error;
}

}  // namespace
}  // namespace cf::sfemu
