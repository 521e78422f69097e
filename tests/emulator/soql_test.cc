// SOQL: parsing, binding errors with Salesforce's exact messages, and execution on the default
// org (every operator, date literals, relationships, ORDER BY, LIMIT/OFFSET, COUNT(), child
// subqueries, FLS).
#include "tools/sfemu/soql.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sfemu/seed.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;

const Org& SeedOrg() {
  static std::unique_ptr<Org> org = [] {
    std::string error;
    auto o = LoadSeedOrg(DefaultOrgDir(), &error);
    EXPECT_NE(o, nullptr) << error;
    return o;
  }();
  return *org;
}

// 2026-11-27T16:20:00Z, the day the default org's data is dated to.
constexpr engine::Millis kSeedNow = 1795796400000;

struct Result {
  SoqlError error;
  std::vector<json> records;
  int64_t total = -1;
  bool ok() const { return error.error_code.empty(); }
};

Result Query(const Org& org, std::string_view soql, bool all = false, bool fls = true) {
  Result r;
  std::set<std::string> hidden = HiddenFieldSet(org);
  auto q = CompileSoql(org.schema(), soql, fls ? &hidden : nullptr, &r.error);
  if (!q) return r;
  SoqlRunOptions options;
  options.include_deleted = all;
  options.now = kSeedNow;
  auto lock = org.Lock();
  SoqlRows rows = RunSoqlLocked(org, *q, options);
  r.total = rows.total_size;
  const std::string text = "[" + RenderRecordsLocked(org, *q, rows.ids, 0, rows.ids.size(),
                                                     "v59.0", options) + "]";
  json parsed = json::parse(text);
  for (json& j : parsed) r.records.push_back(std::move(j));
  return r;
}

std::vector<std::string> Names(const Result& r, const char* key = "Name") {
  std::vector<std::string> out;
  for (const json& j : r.records) out.push_back(j[key].is_null() ? "<null>" : j[key].get<std::string>());
  return out;
}

size_t Count(std::string_view soql) {
  Result r = Query(SeedOrg(), soql);
  EXPECT_TRUE(r.ok()) << soql << ": " << r.error.message;
  return r.records.size();
}

// ---- Parsing ----

TEST(SoqlParseTest, ParsesTheSubset) {
  SoqlError error;
  auto s = ParseSoql(
      "select Id, Account.Owner.Name, (SELECT LastName FROM Contacts WHERE Email != null "
      "ORDER BY LastName LIMIT 5), COUNT() FROM Account WHERE (Industry IN ('Banking', "
      "'Insurance') OR AnnualRevenue >= -1.5e3) AND NOT Name LIKE 'K\\%%' AND CreatedDate > "
      "LAST_N_DAYS:30 AND CloseDate__x = 2026-01-31 AND SystemModstamp >= "
      "2026-01-01T00:00:00.000+0000 ORDER BY Name DESC NULLS LAST, Id LIMIT 10 OFFSET 5",
      &error);
  ASSERT_TRUE(s) << error.message;
  ASSERT_EQ(s->items.size(), 4u);
  EXPECT_EQ(s->items[1].field.parts, (std::vector<std::string>{"Account", "Owner", "Name"}));
  EXPECT_EQ(s->items[2].kind, SoqlItem::Kind::kSubquery);
  EXPECT_EQ(s->items[2].subquery->from, "Contacts");
  EXPECT_EQ(s->items[2].subquery->limit, 5);
  EXPECT_EQ(s->items[3].kind, SoqlItem::Kind::kCount);
  EXPECT_EQ(s->from, "Account");
  ASSERT_TRUE(s->where);
  EXPECT_EQ(s->where->kind, SoqlCondition::Kind::kAnd);
  ASSERT_EQ(s->where->children.size(), 5u);
  const SoqlCondition& in = s->where->children[0].children[0];
  EXPECT_EQ(in.op, SoqlOp::kIn);
  EXPECT_EQ(in.values.size(), 2u);
  EXPECT_EQ(s->where->children[0].children[1].values[0].number, -1500);
  const SoqlCondition& like = s->where->children[1];
  EXPECT_EQ(like.kind, SoqlCondition::Kind::kNot);
  EXPECT_EQ(like.children[0].values[0].text, "K\\%%");
  EXPECT_EQ(s->where->children[2].values[0].kind, SoqlLiteral::Kind::kDateLiteral);
  EXPECT_EQ(s->where->children[2].values[0].n, 30);
  EXPECT_EQ(s->where->children[3].values[0].kind, SoqlLiteral::Kind::kDate);
  EXPECT_EQ(s->where->children[4].values[0].kind, SoqlLiteral::Kind::kDateTime);
  ASSERT_EQ(s->order_by.size(), 2u);
  EXPECT_TRUE(s->order_by[0].descending);
  EXPECT_TRUE(s->order_by[0].nulls_last);
  EXPECT_FALSE(s->order_by[1].nulls_last);
  EXPECT_EQ(s->limit, 10);
  EXPECT_EQ(s->offset, 5);
}

TEST(SoqlParseTest, NotStartingWithSelectIsTheLiveMessage) {
  // tests/data/salesforce-samples/errors/error_400_MALFORMED_QUERY_live.json, for q=invalid.
  SoqlError error;
  EXPECT_FALSE(ParseSoql("invalid", &error));
  EXPECT_EQ(error.error_code, "MALFORMED_QUERY");
  EXPECT_EQ(error.message, "unexpected token: 'invalid'");
}

TEST(SoqlParseTest, SyntaxErrorsPointAtTheToken) {
  struct Case {
    const char* soql;
    const char* message;
  } cases[] = {
      {"SELECT Id FROM Account WHERE",
       "\nSELECT Id FROM Account WHERE\n                            ^\nERROR at Row:1:Column:29\n"
       "unexpected token: '<EOF>'"},
      {"SELECT Id FROM Account WHERE Name = 'a' AND Phone = 'b' OR Fax = 'c'",
       "\nWHERE Name = 'a' AND Phone = 'b' OR Fax = 'c'\n"
       "                                 ^\nERROR at Row:1:Column:57\n"
       "unexpected token: 'OR'"},
      {"SELECT FROM Account",
       "\nSELECT FROM Account\n       ^\nERROR at Row:1:Column:8\nunexpected token: 'FROM'"},
      {"SELECT Id FROM Account WHERE Name = :name",
       "\nSELECT Id FROM Account WHERE Name = :name\n                                    ^\n"
       "ERROR at Row:1:Column:37\nBind variables only allowed in Apex code"},
      {"SELECT Id\nFROM Account\nWHERE Name == 'x'",
       "\nWHERE Name == 'x'\n            ^\nERROR at Row:3:Column:13\nunexpected token: '='"},
  };
  for (const Case& c : cases) {
    SoqlError error;
    EXPECT_FALSE(ParseSoql(c.soql, &error)) << c.soql;
    EXPECT_EQ(error.error_code, "MALFORMED_QUERY") << c.soql;
    EXPECT_EQ(error.message, c.message) << c.soql;
  }
  SoqlError error;
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account OFFSET 2001", &error));
  EXPECT_EQ(error.error_code, "NUMBER_OUTSIDE_VALID_RANGE");
  EXPECT_NE(error.message.find("Maximum SOQL offset allowed is 2000"), std::string::npos);
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account WHERE Name = 'open", &error));
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account WHERE Name = 'a\\qb'", &error));
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account WHERE CreatedDate > LAST_N_DAYS", &error));
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account WHERE CreatedDate > TODAY:3", &error));
  EXPECT_FALSE(ParseSoql("SELECT Id FROM Account WHERE Id IN (SELECT AccountId FROM Contact)", &error));
}

// ---- Binding errors: messages as real orgs wrote them ----

// A schema with the objects of three real error messages quoted in public issue trackers.
std::shared_ptr<const engine::Schema> RealErrorSchema() {
  auto schema = std::make_shared<engine::Schema>();
  auto object = [](const char* name, std::vector<std::pair<const char*, engine::FieldType>> fields) {
    engine::Object o;
    o.name = name;
    o.key_prefix = "a00";
    for (auto& [n, t] : fields) {
      engine::Field f;
      f.name = n;
      f.type = t;
      o.fields.push_back(f);
    }
    return o;
  };
  using engine::FieldType;
  schema->Add(object("ApexLog", {{"Id", FieldType::kId}, {"Status", FieldType::kString},
                                 {"Location", FieldType::kPicklist}}));
  schema->Add(object("Product2", {{"Id", FieldType::kId}, {"ProductCode", FieldType::kString}}));
  schema->Add(object("OCE__ActivityPlan__c",
                     {{"Id", FieldType::kId}, {"CreatedById", FieldType::kReference},
                      {"OCE__ActualCap__c", FieldType::kDouble}, {"Name", FieldType::kString},
                      {"OCE__JobId__c", FieldType::kString}}));
  return schema;
}

TEST(SoqlErrorTest, NoSuchColumnMatchesARealOrg) {
  // forcedotcom/soql-tooling issue #86.
  SoqlError error;
  EXPECT_FALSE(CompileSoql(*RealErrorSchema(), "Select Id, Status, Location, Body from ApexLog",
                           nullptr, &error));
  EXPECT_EQ(error.error_code, "INVALID_FIELD");
  EXPECT_EQ(error.message,
            "\nSelect Id, Status, Location, Body from ApexLog\n                             ^\n"
            "ERROR at Row:1:Column:30\nNo such column 'Body' on entity 'ApexLog'. If you are "
            "attempting to use a custom field, be sure to append the '__c' after the custom field "
            "name. Please reference your WSDL or the describe call for the appropriate names.");
}

TEST(SoqlErrorTest, LongQueriesShowAWindowAroundTheError) {
  // The excerpt of a real INVALID_FIELD at column 114: 30 characters before, whole words.
  std::string prefix = "SELECT Id, OCE__JobId__c, Name, OCE__ActualCap__c, CreatedById, Name, ";
  while (prefix.size() < 83) prefix.insert(prefix.size() - 2, " ");
  const std::string soql = prefix +
                           "CreatedById,OCE__ActualCap__c,TPI_Product__c,Name,OCE__JobId__c "
                           "FROM OCE__ActivityPlan__c";
  SoqlError error;
  EXPECT_FALSE(CompileSoql(*RealErrorSchema(), soql, nullptr, &error));
  EXPECT_EQ(error.message.substr(0, error.message.find("No such")),
            "\nCreatedById,OCE__ActualCap__c,TPI_Product__c,Name,OCE__JobId__c\n"
            "                              ^\nERROR at Row:1:Column:114\n");
}

TEST(SoqlErrorTest, FilterValueOfTheWrongTypeMatchesARealOrg) {
  // roblesterjr04/EloquentSalesForce issue #68.
  SoqlError error;
  EXPECT_FALSE(CompileSoql(*RealErrorSchema(),
                           "select Id, ProductCode from Product2 where ProductCode = 3999",
                           nullptr, &error));
  EXPECT_EQ(error.error_code, "INVALID_FIELD");
  EXPECT_EQ(error.message,
            "\nProductCode from Product2 where ProductCode = 3999\n"
            "                                ^\nERROR at Row:1:Column:44\n"
            "value of filter criterion for field 'ProductCode' must be of type string and should "
            "be enclosed in quotes");
}

TEST(SoqlErrorTest, UnknownObjectIsInvalidType) {
  SoqlError error;
  EXPECT_FALSE(CompileSoql(SeedOrg().schema(), "SELECT Id FROM Acount", nullptr, &error));
  EXPECT_EQ(error.error_code, "INVALID_TYPE");
  EXPECT_EQ(error.message,
            "\nSELECT Id FROM Acount\n               ^\nERROR at Row:1:Column:16\nsObject type "
            "'Acount' is not supported. If you are attempting to use a custom object, be sure to "
            "append the '__c' after the entity name. Please reference your WSDL or the describe "
            "call for the appropriate names.");
}

TEST(SoqlErrorTest, BindingErrors) {
  const Org& org = SeedOrg();
  struct Case {
    const char* soql;
    const char* code;
    const char* tail;  // end of the message
  } cases[] = {
      {"SELECT Id, Acount.Name FROM Contact", "INVALID_FIELD",
       "Didn't understand relationship 'Acount' in field path. If you are attempting to use a "
       "custom relationship, be sure to append the '__r' after the custom relationship name. "
       "Please reference your WSDL or the describe call for the appropriate names."},
      {"SELECT Id, (SELECT Id FROM Contactz) FROM Account", "INVALID_TYPE",
       "Didn't understand relationship 'Contactz' in FROM part of query call. If you are "
       "attempting to use a custom relationship, be sure to append the '__r' after the custom "
       "relationship name. Please reference your WSDL or the describe call for the appropriate "
       "names."},
      {"SELECT Id FROM Account WHERE Tier = 'Gold'", "INVALID_FIELD",
       "No such column 'Tier' on entity 'Account'. If you are attempting to use a custom field, "
       "be sure to append the '__c' after the custom field name. Please reference your WSDL or "
       "the describe call for the appropriate names."},
      {"SELECT Id FROM Account WHERE AnnualRevenue > '5'", "INVALID_FIELD",
       "value of filter criterion for field 'AnnualRevenue' must be of type double and should "
       "not be enclosed in quotes"},
      {"SELECT Id FROM Account WHERE CreatedDate > 2026-01-01", "INVALID_FIELD",
       "value of filter criterion for field 'CreatedDate' must be of type dateTime and should "
       "not be enclosed in quotes"},
      {"SELECT Id FROM Opportunity WHERE CloseDate > 2026-01-01T00:00:00Z", "INVALID_FIELD",
       "value of filter criterion for field 'CloseDate' must be of type date and should not be "
       "enclosed in quotes"},
      {"SELECT Id FROM Account WHERE IsDeleted = 'false'", "INVALID_FIELD",
       "value of filter criterion for field 'IsDeleted' must be of type boolean and should not "
       "be enclosed in quotes"},
      {"SELECT Id FROM Contact WHERE AccountId = '001xyz'", "INVALID_QUERY_FILTER_OPERATOR",
       "invalid ID field: 001xyz"},
      // Field-level security: hidden fields do not exist for the integration user.
      {"SELECT Id, Health_Score__c FROM Account", "INVALID_FIELD",
       "No such column 'Health_Score__c' on entity 'Account'. If you are attempting to use a "
       "custom field, be sure to append the '__c' after the custom field name. Please reference "
       "your WSDL or the describe call for the appropriate names."},
      {"SELECT Id FROM Contact WHERE Birthdate = null", "INVALID_FIELD",
       "No such column 'Birthdate' on entity 'Contact'."},
      {"SELECT Id, Account.Health_Score__c FROM Contact", "INVALID_FIELD",
       "No such column 'Health_Score__c' on entity 'Account'."},
  };
  for (const Case& c : cases) {
    Result r = Query(org, c.soql);
    EXPECT_EQ(r.error.error_code, c.code) << c.soql;
    EXPECT_EQ(r.error.status, 400);
    const std::string tail = c.tail;
    EXPECT_NE(r.error.message.find("\nERROR at Row:1:Column:"), std::string::npos) << c.soql;
    EXPECT_NE(r.error.message.find(tail), std::string::npos)
        << c.soql << "\n" << r.error.message;
  }
  // Without FLS (an admin) the hidden fields are there.
  EXPECT_TRUE(Query(org, "SELECT Id, Health_Score__c FROM Account", false, false).ok());
}

TEST(SoqlErrorTest, ParentPathsDeeperThanFiveLevelsAreRefused) {
  const Org& org = SeedOrg();
  // Five hops: the SOQL reference's limit, still served.
  Result five = Query(org, "SELECT Id, Parent.Parent.Parent.Parent.Parent.Name FROM Account");
  EXPECT_TRUE(five.ok()) << five.error.message;
  EXPECT_TRUE(Query(org, "SELECT Id FROM Account WHERE Account.Parent.Parent.Parent.Parent.Parent.Name = null").ok());
  // Six hops, in SELECT, WHERE, ORDER BY or a child subquery: MALFORMED_QUERY at the path.
  for (const char* soql :
       {"SELECT Id, Parent.Parent.Parent.Parent.Parent.Parent.Name FROM Account",
        "SELECT Id FROM Account WHERE Parent.Parent.Parent.Parent.Parent.Parent.Name = null",
        "SELECT Id FROM Account ORDER BY Parent.Parent.Parent.Parent.Parent.Parent.Name",
        "SELECT Id, (SELECT Id FROM Contacts WHERE ReportsTo.ReportsTo.ReportsTo.ReportsTo."
        "ReportsTo.ReportsTo.Name = null) FROM Account"}) {
    Result r = Query(org, soql);
    EXPECT_EQ(r.error.error_code, "MALFORMED_QUERY") << soql;
    EXPECT_NE(r.error.message.find("\nERROR at Row:1:Column:"), std::string::npos) << r.error.message;
    EXPECT_NE(r.error.message.find("SOQL statements cannot query foreign key relationships more "
                                   "than 5 levels away from the root entity object."),
              std::string::npos)
        << r.error.message;
  }
}

// ---- Execution on the default org ----

TEST(SoqlRunTest, SelectsRecordsWithAttributesAndSchemaSpelling) {
  Result r = Query(SeedOrg(), "select id, name, annualrevenue from account where name = 'kestrel banking group'");
  ASSERT_TRUE(r.ok()) << r.error.message;
  ASSERT_EQ(r.records.size(), 1u);
  const json& a = r.records[0];
  // Keys in the schema's spelling, attributes first, SELECT order.
  std::vector<std::string> keys;
  for (auto it = a.begin(); it != a.end(); ++it) keys.push_back(it.key());
  std::sort(keys.begin(), keys.end());
  EXPECT_EQ(keys, (std::vector<std::string>{"AnnualRevenue", "Id", "Name", "attributes"}));
  EXPECT_EQ(a["attributes"]["type"], "Account");
  EXPECT_EQ(a["attributes"]["url"], "/services/data/v59.0/sobjects/Account/" + a["Id"].get<std::string>());
  EXPECT_EQ(a["Name"], "Kestrel Banking Group");
  EXPECT_EQ(a["AnnualRevenue"], 2.4e9);
}

TEST(SoqlRunTest, EveryOperator) {
  EXPECT_EQ(Count("SELECT Id FROM Account"), 10u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Industry = 'BANKING'"), Count("SELECT Id FROM Account WHERE Industry = 'Banking'"));
  EXPECT_GE(Count("SELECT Id FROM Account WHERE Industry = 'Banking'"), 1u);
  // != keeps nulls (two-valued logic): every account has or lacks revenue.
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue = null"), 3u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue != null"), 7u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue != 2400000000"), 9u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue > 100000000") +
                Count("SELECT Id FROM Account WHERE AnnualRevenue <= 100000000"),
            7u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue >= 2400000000"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue < 2400000000") +
                Count("SELECT Id FROM Account WHERE AnnualRevenue >= 2400000000"),
            7u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue <> null"), 7u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name LIKE 'k%'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name LIKE '%bank%'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name LIKE 'Kestrel_Banking%'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Name LIKE 'Kestrel'"), 0u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Tier__c IN ('Gold', 'platinum')"),
            Count("SELECT Id FROM Account WHERE Tier__c = 'Gold'") +
                Count("SELECT Id FROM Account WHERE Tier__c = 'Platinum'"));
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Tier__c NOT IN ('Gold', 'Platinum')") +
                Count("SELECT Id FROM Account WHERE Tier__c IN ('Gold', 'Platinum')"),
            10u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE AnnualRevenue IN (null, 2400000000)"), 4u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE IsWon = true"), 3u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE IsWon = false AND IsClosed = true"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE NOT IsClosed = true"), 6u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE (StageName = 'Closed Won' OR StageName = "
                  "'Closed Lost') AND Amount > 200000"),
            3u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Regions__c INCLUDES ('EMEA')"),
            Count("SELECT Id FROM Account WHERE Regions__c INCLUDES ('emea', 'EMEA;AMER')"));
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Regions__c INCLUDES ('EMEA;AMER')") +
                Count("SELECT Id FROM Account WHERE Regions__c EXCLUDES ('EMEA;AMER')"),
            10u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Regions__c = 'AMER;EMEA'"),
            Count("SELECT Id FROM Account WHERE Regions__c = 'EMEA;AMER'"));
}

TEST(SoqlRunTest, IdsIn15And18CharactersAndAnyCase) {
  Result all = Query(SeedOrg(), "SELECT Id FROM Account ORDER BY Name LIMIT 1");
  ASSERT_EQ(all.records.size(), 1u);
  const std::string id = all.records[0]["Id"];
  std::string lower = id;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Id = '" + id + "'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Id = '" + id.substr(0, 15) + "'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Id = '" + lower + "'"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Contact WHERE AccountId = '" + id + "'") +
                Count("SELECT Id FROM Contact WHERE AccountId != '" + id + "'"),
            15u);
  // Chunking by Id ranges, as bulk clients do.
  EXPECT_EQ(Count("SELECT Id FROM Account WHERE Id > '" + id + "'") +
                Count("SELECT Id FROM Account WHERE Id <= '" + id + "'"),
            10u);
}

TEST(SoqlRunTest, DatesDatetimesAndDateLiterals) {
  // The seed's "now" is 2026-11-27T16:20Z (a Friday); times in UTC here.
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate < 2026-07-01"), 2u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate >= 2026-07-01") +
                Count("SELECT Id FROM Opportunity WHERE CloseDate < 2026-07-01"),
            10u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate = 2026-02-27"), 1u);
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate > 2026-11-20T00:00:00Z"),
            Count("SELECT Id FROM Lead WHERE CreatedDate > 2026-11-20T01:00:00+01:00"));
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate >= 2026-11-02T10:10:00.000+0000"), 8u);
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate > 2026-11-02T10:10:00.000+0000"), 7u);
  // Leads were created on Nov 2, 5, 8, ..., 23 2026.
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate = LAST_N_DAYS:7"), 2u);   // 20, 23
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate = THIS_MONTH"), 8u);
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate = LAST_MONTH"), 0u);
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate < N_DAYS_AGO:20"), 2u);   // Nov 2, 5
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate = THIS_WEEK"), 1u);       // Nov 23
  EXPECT_EQ(Count("SELECT Id FROM Lead WHERE CreatedDate > TODAY"), 0u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate = NEXT_N_DAYS:30"), 2u);  // Dec 11, 18
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate > TODAY"), 6u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate = THIS_YEAR"), 7u);
  EXPECT_EQ(Count("SELECT Id FROM Opportunity WHERE CloseDate != THIS_YEAR"), 3u);
}

TEST(SoqlRunTest, ParentPathsNestRecords) {
  Result r = Query(SeedOrg(),
                   "SELECT LastName, Account.Name, Account.Owner.Name, ReportsTo.Name FROM Contact "
                   "WHERE Account.Industry = 'Banking' ORDER BY LastName");
  ASSERT_TRUE(r.ok()) << r.error.message;
  ASSERT_EQ(r.records.size(), 3u);
  const json& c = r.records[0];
  EXPECT_EQ(c["LastName"], "Hart");
  EXPECT_EQ(c["Account"]["attributes"]["type"], "Account");
  EXPECT_EQ(c["Account"]["Name"], "Kestrel Banking Group");
  EXPECT_EQ(c["Account"]["Owner"]["attributes"]["type"], "User");
  EXPECT_EQ(c["Account"]["Owner"]["Name"], "Ann Rivera");
  EXPECT_TRUE(c["ReportsTo"].is_null());  // an empty lookup is null, not an object
  // Polymorphic lookups: Task.Who is a Contact or a Lead.
  Result t = Query(SeedOrg(), "SELECT Subject, Who.Name, What.Name FROM Task WHERE Who.Name = 'Hannah Berg'");
  ASSERT_TRUE(t.ok()) << t.error.message;
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0]["Who"]["attributes"]["type"], "Lead");
  EXPECT_TRUE(t.records[0]["What"].is_null());
  // The object's own name as a qualifier.
  EXPECT_EQ(Count("SELECT Account.Name FROM Account WHERE Account.Industry = 'Banking'"), 1u);
}

TEST(SoqlRunTest, OrderByLimitOffset) {
  Result r = Query(SeedOrg(), "SELECT Name, AnnualRevenue FROM Account ORDER BY AnnualRevenue DESC, Name");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.records.size(), 10u);
  // DESC puts nulls last by default.
  for (size_t i = 0; i < 7; ++i) EXPECT_FALSE(r.records[i]["AnnualRevenue"].is_null()) << i;
  for (size_t i = 7; i < 10; ++i) EXPECT_TRUE(r.records[i]["AnnualRevenue"].is_null()) << i;
  for (size_t i = 1; i < 7; ++i) {
    EXPECT_GE(r.records[i - 1]["AnnualRevenue"].get<double>(), r.records[i]["AnnualRevenue"].get<double>());
  }
  std::vector<std::string> tail = {r.records[7]["Name"], r.records[8]["Name"], r.records[9]["Name"]};
  EXPECT_TRUE(std::is_sorted(tail.begin(), tail.end()));

  Result first = Query(SeedOrg(), "SELECT Name FROM Account ORDER BY AnnualRevenue NULLS FIRST, Name");
  EXPECT_TRUE(first.records[0]["Name"] == tail[0]);
  Result last = Query(SeedOrg(), "SELECT Name FROM Account ORDER BY AnnualRevenue ASC NULLS LAST");
  EXPECT_FALSE(Names(last).empty());

  // Text orders ignoring case; OFFSET then LIMIT.
  std::vector<std::string> names = Names(Query(SeedOrg(), "SELECT Name FROM Account ORDER BY Name"));
  std::vector<std::string> page = Names(Query(SeedOrg(), "SELECT Name FROM Account ORDER BY Name LIMIT 3 OFFSET 2"));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page, std::vector<std::string>(names.begin() + 2, names.begin() + 5));
  EXPECT_EQ(Count("SELECT Id FROM Account LIMIT 0"), 0u);
  EXPECT_EQ(Count("SELECT Id FROM Account OFFSET 20"), 0u);
  // Parent fields sort too.
  Result by_parent = Query(SeedOrg(), "SELECT LastName, Account.Name FROM Contact ORDER BY Account.Name DESC, LastName");
  ASSERT_EQ(by_parent.records.size(), 15u);
  EXPECT_GE(by_parent.records.front()["Account"]["Name"].get<std::string>(),
            by_parent.records.back()["Account"]["Name"].get<std::string>());
}

TEST(SoqlRunTest, AddressesAreComposedFromTheirParts) {
  Result r = Query(SeedOrg(), "SELECT BillingAddress, BillingCity, ShippingAddress FROM Account WHERE Name = 'Kestrel Banking Group'");
  ASSERT_TRUE(r.ok()) << r.error.message;
  const json& a = r.records[0];
  EXPECT_EQ(a["BillingAddress"], json::parse(R"({"city":"London","country":"United Kingdom",
      "geocodeAccuracy":null,"latitude":null,"longitude":null,"postalCode":null,"state":null,
      "street":null})"));
  EXPECT_TRUE(a["ShippingAddress"].is_null());
}

TEST(SoqlRunTest, CountOnly) {
  Result r = Query(SeedOrg(), "SELECT COUNT() FROM Contact WHERE Email LIKE '%.example'");
  ASSERT_TRUE(r.ok()) << r.error.message;
  EXPECT_EQ(r.total, 15);
  EXPECT_TRUE(r.records.empty());
}

TEST(SoqlRunTest, ChildSubqueries) {
  Result r = Query(SeedOrg(),
                   "SELECT Name, (SELECT LastName FROM Contacts ORDER BY LastName DESC), (SELECT Name "
                   "FROM Opportunities WHERE IsWon = true) FROM Account ORDER BY Name");
  ASSERT_TRUE(r.ok()) << r.error.message;
  int with_contacts = 0;
  for (const json& a : r.records) {
    if (a["Name"] == "Kestrel Banking Group") {
      ASSERT_TRUE(a["Contacts"].is_object());
      EXPECT_EQ(a["Contacts"]["totalSize"], 3);
      EXPECT_EQ(a["Contacts"]["done"], true);
      EXPECT_EQ(a["Contacts"]["records"][0]["LastName"], "Mehta");
      EXPECT_EQ(a["Contacts"]["records"][0]["attributes"]["type"], "Contact");
      EXPECT_EQ(a["Opportunities"]["totalSize"], 3);
    }
    if (a["Contacts"].is_object()) ++with_contacts;
    // An empty child result is null, as the REST API writes it.
    if (a["Name"] == "Granite Manufacturing") {
      EXPECT_TRUE(a["Opportunities"].is_null());
    }
  }
  EXPECT_GE(with_contacts, 5);
}

TEST(SoqlRunTest, QueryAllIncludesDeletedRows) {
  std::string error;
  auto org = LoadSeedOrg(DefaultOrgDir(), &error);
  ASSERT_NE(org, nullptr) << error;
  const engine::Object& lead = *org->schema().Find("Lead");
  {
    auto lock = org->Lock();
    std::string id;
    org->ScanRowsLocked(lead, [&](const RecordView& v) {
      id = v.Id18();
      return false;
    });
    ASSERT_TRUE(org->DeleteLocked(lead, id));
  }
  EXPECT_EQ(Query(*org, "SELECT Id FROM Lead").records.size(), 7u);
  Result all = Query(*org, "SELECT Id, IsDeleted FROM Lead", true);
  ASSERT_EQ(all.records.size(), 8u);
  int deleted = 0;
  for (const json& j : all.records) deleted += j["IsDeleted"].get<bool>() ? 1 : 0;
  EXPECT_EQ(deleted, 1);
  EXPECT_EQ(Query(*org, "SELECT Id FROM Lead WHERE IsDeleted = true", true).records.size(), 1u);
}

TEST(SoqlRunTest, IncrementalSyncOnAGeneratedOrg) {
  std::string error;
  GenerateOptions options;
  options.records = 5000;
  options.seed = 7;
  auto org = GenerateOrg(DefaultOrgDir(), options, &error);
  ASSERT_NE(org, nullptr) << error;
  Result full = Query(*org, "SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp, Id");
  ASSERT_TRUE(full.ok()) << full.error.message;
  ASSERT_EQ(full.records.size(), 15u + 1500u);
  for (size_t i = 1; i < full.records.size(); ++i) {
    ASSERT_LE(full.records[i - 1]["SystemModstamp"].get<std::string>(),
              full.records[i]["SystemModstamp"].get<std::string>());
  }
  // Everything after a mark, in order, exactly the tail.
  const std::string mark = full.records[1000]["SystemModstamp"];
  const std::string soql_mark = mark.substr(0, 19) + "Z";
  Result since = Query(*org, "SELECT Id, SystemModstamp FROM Contact WHERE SystemModstamp > " +
                                 soql_mark + " ORDER BY SystemModstamp");
  ASSERT_TRUE(since.ok()) << since.error.message;
  size_t expected = 0;
  for (const json& j : full.records) expected += j["SystemModstamp"].get<std::string>() > mark ? 1 : 0;
  EXPECT_EQ(since.records.size(), expected);
  for (const json& j : since.records) EXPECT_GT(j["SystemModstamp"].get<std::string>(), mark);
}

TEST(SoqlRunTest, NumbersAreWrittenAsSalesforceDoes) {
  EXPECT_EQ(JavaDoubleText(15000), "15000.0");
  EXPECT_EQ(JavaDoubleText(96000.5), "96000.5");
  EXPECT_EQ(JavaDoubleText(2.4e9), "2.4E9");
  EXPECT_EQ(JavaDoubleText(1e7), "1.0E7");
  EXPECT_EQ(JavaDoubleText(9999999), "9999999.0");
  EXPECT_EQ(JavaDoubleText(0.001), "0.001");
  EXPECT_EQ(JavaDoubleText(0.0001), "1.0E-4");
  EXPECT_EQ(JavaDoubleText(-12.5), "-12.5");
  EXPECT_EQ(JavaDoubleText(0), "0.0");
  std::string out;
  AppendFieldJson(&out, FieldValue{FieldValue::Kind::kInt, false, 12000}, engine::FieldType::kInt);
  EXPECT_EQ(out, "12000");
  out.clear();
  AppendFieldJson(&out, FieldValue{FieldValue::Kind::kInt, false, 480000}, engine::FieldType::kCurrency);
  EXPECT_EQ(out, "480000.0");
  out.clear();
  AppendJsonString(&out, "a\"b\\c\n\x01é");
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001é\"");
}

}  // namespace
}  // namespace cf::sfemu
