// The read API over real sockets (EmulatorFixture): query paging across 10,000+ generated
// records, incremental sync, queryAll, locators, record GET, getUpdated/getDeleted, the Tooling
// ValidationRule query, field-level security, limits and the API counter.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <thread>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/record_json.h"
#include "tests/emulator/emulator_fixture.h"
#include "tools/sfemu/seed.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;
using testing::Emulator;
using testing::EmulatorOptions;

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string QueryPath(std::string_view soql, bool all = false) {
  return Emulator::ApiPath(std::string(all ? "queryAll" : "query") + "?q=" + Encode(soql));
}

class ReadApiTest : public testing::EmulatorFixture {
 protected:
  // GET with the integration user's token and extra headers.
  ClientResponse GetWith(const std::string& target, HeaderList headers) {
    headers.emplace_back("Authorization", "Bearer " + emu().AccessToken());
    return emu().Raw("GET", target, {}, headers);
  }
  // Every page of a query, following nextRecordsUrl.
  std::vector<json> AllPages(const std::string& soql, int batch = 0, bool all = false) {
    std::vector<json> pages;
    HeaderList headers;
    if (batch > 0) headers.emplace_back("Sforce-Query-Options", "batchSize=" + std::to_string(batch));
    std::string target = QueryPath(soql, all);
    for (int guard = 0; guard < 1000; ++guard) {
      ClientResponse r = GetWith(target, headers);
      EXPECT_EQ(r.status, 200) << target << " " << r.body.substr(0, 300);
      if (r.status != 200) break;
      json page = r.Json();
      pages.push_back(page);
      if (page["done"].get<bool>()) break;
      target = page["nextRecordsUrl"].get<std::string>();
    }
    return pages;
  }
};

// An emulator whose org has ~10,000 generated contacts besides the seed's.
class LargeOrgTest : public ReadApiTest {
 protected:
  EmulatorOptions Options() override {
    EmulatorOptions o;
    o.customize = [](Org& org) {
      GenerateOptions g;
      g.records = 33400;  // 10,020 contacts
      g.seed = 3;
      std::string error;
      ASSERT_TRUE(AddGeneratedRecords(org, g, &error)) << error;
    };
    return o;
  }
};

TEST_F(LargeOrgTest, PagingReturnsEveryRecordExactlyOnce) {
  const std::string soql = "SELECT Id, Name, Account.Name FROM Contact";
  size_t expected = 0;
  {
    auto lock = emu().org().Lock();
    expected = emu().org().CountLocked(*emu().org().schema().Find("Contact"));
  }
  ASSERT_GE(expected, 10000u);
  for (int batch : {0, 500, 1999}) {
    const int64_t calls_before = emu().org().api_used();
    std::vector<json> pages = AllPages(soql, batch);
    const size_t per_page = batch == 0 ? 2000 : static_cast<size_t>(batch);
    ASSERT_EQ(pages.size(), (expected + per_page - 1) / per_page) << "batch " << batch;
    std::set<std::string> seen;
    for (size_t i = 0; i < pages.size(); ++i) {
      const json& p = pages[i];
      EXPECT_EQ(p["totalSize"], expected);
      const bool last = i + 1 == pages.size();
      EXPECT_EQ(p["done"], last);
      EXPECT_EQ(p.contains("nextRecordsUrl"), !last);
      EXPECT_EQ(p["records"].size(), last ? expected - per_page * i : per_page);
      if (!last) {
        // /services/data/v59.0/query/01g<15>-<offset>
        const std::string url = p["nextRecordsUrl"];
        const std::string prefix = "/services/data/v59.0/query/01g";
        EXPECT_EQ(url.rfind(prefix, 0), 0u) << url;
        EXPECT_EQ(url.substr(url.rfind('-') + 1), std::to_string(per_page * (i + 1))) << url;
        EXPECT_EQ(url.size(), prefix.size() - 3 + 18 + 1 + std::to_string(per_page * (i + 1)).size());
      }
      for (const json& r : p["records"]) {
        EXPECT_TRUE(seen.insert(r["Id"].get<std::string>()).second) << "duplicate " << r["Id"];
        ASSERT_TRUE(r["Account"].is_object());
        EXPECT_EQ(r["attributes"]["type"], "Contact");
      }
    }
    EXPECT_EQ(seen.size(), expected) << "batch " << batch;
    // One API call per page.
    EXPECT_EQ(emu().org().api_used() - calls_before, static_cast<int64_t>(pages.size()));
  }
}

TEST_F(LargeOrgTest, ConcurrentClientsPageIndependently) {
  // Several clients page several queries at once (cursors, the org lock and the cursor store
  // under contention), while a writer changes records.
  const std::string token = emu().AccessToken();
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    Org& org = emu().org();
    const engine::Object& lead = *org.schema().Find("Lead");
    for (int i = 0; !stop; ++i) {
      auto lock = org.Lock();
      org.InsertLocked(lead, {{"LastName", "W" + std::to_string(i)}, {"Company", "W"}}, "");
    }
  });
  std::vector<std::thread> readers;
  std::atomic<int> failures{0};
  for (int t = 0; t < 6; ++t) {
    readers.emplace_back([&, t] {
      HttpClient client = emu().NewClient();
      const std::string soql = t % 2 ? "SELECT Id FROM Contact" : "SELECT Id, Account.Name FROM Opportunity";
      std::string target = QueryPath(soql);
      std::set<std::string> seen;
      int64_t total = -1;
      for (int guard = 0; guard < 100; ++guard) {
        ClientResponse r = client.Request("GET", target, {}, {{"Authorization", "Bearer " + token},
                                                              {"Sforce-Query-Options", "batchSize=1000"}});
        if (r.status != 200) {
          ++failures;
          return;
        }
        json page = r.Json();
        total = page["totalSize"];
        for (const json& rec : page["records"]) seen.insert(rec["Id"].get<std::string>());
        if (page["done"].get<bool>()) break;
        target = page["nextRecordsUrl"].get<std::string>();
      }
      if (static_cast<int64_t>(seen.size()) != total) ++failures;
    });
  }
  for (std::thread& r : readers) r.join();
  stop = true;
  writer.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(LargeOrgTest, IncrementalSyncSeesChangesAfterTheMark) {
  // Full sync ordered by SystemModstamp, remember the last stamp.
  std::vector<json> pages = AllPages("SELECT Id, SystemModstamp FROM Contact ORDER BY SystemModstamp");
  std::string last_stamp;
  size_t total = 0;
  for (const json& p : pages) {
    for (const json& r : p["records"]) {
      const std::string stamp = r["SystemModstamp"];
      EXPECT_GE(stamp, last_stamp);
      last_stamp = stamp;
      ++total;
    }
  }
  ASSERT_GE(total, 10000u);
  // Later: two contacts change, one is deleted.
  std::vector<std::string> ids;
  for (const json& r : pages[0]["records"]) ids.push_back(r["Id"]);
  Org& org = emu().org();
  const engine::Object& contact = *org.schema().Find("Contact");
  // Past the generated history's end (2026-11-27T16:20Z), whatever the machine's clock says.
  const engine::Millis history_end = GenerateOptions().end_millis;
  org.AdvanceClock(60000 + std::max<engine::Millis>(0, history_end - org.Now()));
  {
    auto lock = org.Lock();
    ASSERT_TRUE(org.UpdateLocked(contact, ids[0], {{"Title", "CFO"}}, ""));
    ASSERT_TRUE(org.UpdateLocked(contact, ids[1], {{"Title", "COO"}}, ""));
    ASSERT_TRUE(org.DeleteLocked(contact, ids[2]));
  }
  const std::string mark = last_stamp.substr(0, 19) + "Z";
  std::vector<json> delta = AllPages(
      "SELECT Id, Title, SystemModstamp FROM Contact WHERE SystemModstamp > " + mark +
      " ORDER BY SystemModstamp");
  ASSERT_EQ(delta.size(), 1u);
  std::set<std::string> changed;
  for (const json& r : delta[0]["records"]) changed.insert(r["Id"]);
  EXPECT_EQ(changed, (std::set<std::string>{ids[0], ids[1]}));
  // queryAll also returns the deleted one, flagged.
  std::vector<json> with_deleted = AllPages(
      "SELECT Id, IsDeleted FROM Contact WHERE SystemModstamp > " + mark, 0, true);
  std::map<std::string, bool> flags;
  for (const json& r : with_deleted[0]["records"]) flags[r["Id"]] = r["IsDeleted"];
  EXPECT_EQ(flags.size(), 3u);
  EXPECT_TRUE(flags[ids[2]]);
  EXPECT_FALSE(flags[ids[0]]);
}

TEST_F(LargeOrgTest, LocatorsExpireAndBadOnesAreRefused) {
  ClientResponse first = emu().Get(QueryPath("SELECT Id FROM Contact"));
  ASSERT_EQ(first.status, 200);
  const std::string next = first.Json()["nextRecordsUrl"];
  // Fetching a page again (a client retrying after a reset) works.
  EXPECT_EQ(emu().Get(next).status, 200);
  EXPECT_EQ(emu().Get(next).status, 200);
  const std::string base = next.substr(0, next.rfind('-'));
  for (const std::string& bad : {base + "-999999", base + "-0", base + "-x", base + "nope-2000",
                                 std::string("/services/data/v59.0/query/01gDn00000zzzzzAAA-2000")}) {
    ClientResponse r = emu().Get(bad);
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.Json(), json::parse(R"([{"message":"invalid query locator","errorCode":"INVALID_QUERY_LOCATOR"}])"))
        << bad << " " << r.body;
  }
  // 15 idle minutes expire a cursor, as on Salesforce.
  emu().org().AdvanceClock(16 * 60 * 1000);
  emu().AccessToken(true);
  ClientResponse expired = emu().Get(next);
  EXPECT_EQ(expired.status, 400);
  EXPECT_EQ(expired.Json()[0]["errorCode"], "INVALID_QUERY_LOCATOR");
}

TEST_F(ReadApiTest, QueryErrorsAreSalesforceErrors) {
  ClientResponse missing = emu().Get(Emulator::ApiPath("query"));
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.Json()[0]["errorCode"], "MALFORMED_QUERY");
  ClientResponse invalid = emu().Get(Emulator::ApiPath("query?q=invalid"));
  EXPECT_EQ(invalid.status, 400);
  // Exactly the live capture.
  EXPECT_EQ(invalid.Json(), json::parse(testing::ReadTestData(
                                "salesforce-samples/errors/error_400_MALFORMED_QUERY_live.json")));
  ClientResponse type = emu().Get(QueryPath("SELECT Id FROM Nope__c"));
  EXPECT_EQ(type.status, 400);
  EXPECT_EQ(type.Json()[0]["errorCode"], "INVALID_TYPE");
  ClientResponse field = emu().Get(QueryPath("SELECT Id, Health_Score__c FROM Account"));
  EXPECT_EQ(field.status, 400);
  EXPECT_EQ(field.Json()[0]["errorCode"], "INVALID_FIELD");
  EXPECT_FALSE(field.Json()[0].contains("fields"));
}

TEST_F(ReadApiTest, CountQuery) {
  ClientResponse r = emu().Get(QueryPath("SELECT COUNT() FROM Account WHERE AnnualRevenue != null"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json(), json::parse(R"({"totalSize":7,"done":true,"records":[]})"));
}

TEST_F(ReadApiTest, GroupByWithCountAnswersAggregateResults) {
  ClientResponse r = emu().Get(QueryPath(
      "SELECT StageName, COUNT(Id), COUNT(Amount) withAmount FROM Opportunity "
      "WHERE StageName LIKE 'Closed%' OR StageName = 'Prospecting' GROUP BY StageName "
      "ORDER BY StageName DESC"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.body,
            R"({"totalSize":3,"done":true,"records":[)"
            R"({"attributes":{"type":"AggregateResult"},"StageName":"Prospecting","expr0":1,"withAmount":0},)"
            R"({"attributes":{"type":"AggregateResult"},"StageName":"Closed Won","expr0":3,"withAmount":3},)"
            R"({"attributes":{"type":"AggregateResult"},"StageName":"Closed Lost","expr0":1,"withAmount":1}]})");
  // Without GROUP BY: one row; LIMIT and OFFSET count groups.
  r = emu().Get(QueryPath("SELECT COUNT(Id) n FROM Opportunity"));
  EXPECT_EQ(r.Json()["records"][0]["n"], 10) << r.body;
  r = emu().Get(QueryPath("SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName "
                          "ORDER BY StageName LIMIT 2 OFFSET 1"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["totalSize"], 2);
  EXPECT_EQ(r.Json()["records"][0]["StageName"], "Closed Won");
  EXPECT_EQ(r.Json()["records"][0]["expr0"], 3);
  // A selected or ordered field that is neither grouped nor aggregated.
  r = emu().Get(QueryPath("SELECT Name, COUNT(Id) FROM Opportunity GROUP BY StageName"));
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(r.Json()[0]["errorCode"], "MALFORMED_QUERY");
  EXPECT_NE(r.Json()[0]["message"].get<std::string>().find(
                "\nERROR at Row:1:Column:8\nField must be grouped or aggregated: Name"),
            std::string::npos)
      << r.body;
  r = emu().Get(QueryPath("SELECT StageName, COUNT(Id) FROM Opportunity GROUP BY StageName ORDER BY Name"));
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.body.find("Ordered field must be grouped or aggregated: Name"), std::string::npos) << r.body;
}

TEST_F(ReadApiTest, FieldLevelSecurityHidesFieldsFromTheIntegrationUserOnly) {
  // Integration user: absent from describe, the record and SOQL.
  ClientResponse d = emu().Get(Emulator::ApiPath("sobjects/Account/describe"));
  ASSERT_EQ(d.status, 200);
  std::set<std::string> names;
  const json d_body = d.Json();
  for (const json& f : d_body["fields"]) names.insert(f["name"]);
  EXPECT_EQ(names.count("Health_Score__c"), 0u);
  EXPECT_EQ(names.count("Tier__c"), 1u);
  ClientResponse c = emu().Get(Emulator::ApiPath("sobjects/Contact/describe"));
  names.clear();
  const json c_body = c.Json();
  for (const json& f : c_body["fields"]) names.insert(f["name"]);
  EXPECT_EQ(names.count("Birthdate"), 0u);
  EXPECT_EQ(names.count("HomePhone"), 0u);
  EXPECT_EQ(names.count("Email"), 1u);

  // The admin sees them.
  const OrgUser* admin = emu().org().FindUser("ann.rivera@connectflo-demo.example");
  ASSERT_NE(admin, nullptr);
  ClientResponse grant = emu().PasswordGrant(admin->username, admin->password);
  ASSERT_EQ(grant.status, 200) << grant.body;
  const std::string token = grant.Json()["access_token"];
  ClientResponse admin_describe = emu().Raw("GET", Emulator::ApiPath("sobjects/Account/describe"), {},
                                            {{"Authorization", "Bearer " + token}});
  names.clear();
  const json admin_describe_body = admin_describe.Json();
  for (const json& f : admin_describe_body["fields"]) names.insert(f["name"]);
  EXPECT_EQ(names.count("Health_Score__c"), 1u);
  ClientResponse admin_query = emu().Raw("GET", QueryPath("SELECT Health_Score__c FROM Account"), {},
                                         {{"Authorization", "Bearer " + token}});
  EXPECT_EQ(admin_query.status, 200) << admin_query.body;
}

TEST_F(ReadApiTest, GetRecord) {
  ClientResponse q = emu().Get(QueryPath("SELECT Id FROM Account WHERE Name = 'Kestrel Banking Group'"));
  const std::string id = q.Json()["records"][0]["Id"];
  ClientResponse r = emu().Get(Emulator::ApiPath("sobjects/Account/" + id));
  ASSERT_EQ(r.status, 200) << r.body;
  json a = r.Json();
  EXPECT_EQ(a["attributes"]["type"], "Account");
  EXPECT_EQ(a["attributes"]["url"], "/services/data/v59.0/sobjects/Account/" + id);
  EXPECT_EQ(a["Name"], "Kestrel Banking Group");
  EXPECT_EQ(a["Id"], id);
  EXPECT_TRUE(a.contains("Fax"));  // every visible field, null when empty
  EXPECT_TRUE(a["Fax"].is_null());
  EXPECT_FALSE(a.contains("Health_Score__c"));
  // 15 characters work too.
  EXPECT_EQ(emu().Get(Emulator::ApiPath("sobjects/Account/" + id.substr(0, 15))).status, 200);

  ClientResponse some = emu().Get(Emulator::ApiPath("sobjects/Account/" + id + "?fields=Name,Tier__c"));
  ASSERT_EQ(some.status, 200);
  json s = some.Json();
  EXPECT_EQ(s.size(), 3u);  // attributes, Name, Tier__c
  EXPECT_EQ(s["Tier__c"], "Platinum");

  ClientResponse bad_field = emu().Get(Emulator::ApiPath("sobjects/Account/" + id + "?fields=Name,Nope"));
  EXPECT_EQ(bad_field.status, 400);
  EXPECT_EQ(bad_field.Json(), json::parse(R"([{"message":"No such column 'Nope' on sobject of type Account","errorCode":"INVALID_FIELD"}])"));
  ClientResponse hidden = emu().Get(Emulator::ApiPath("sobjects/Account/" + id + "?fields=Health_Score__c"));
  EXPECT_EQ(hidden.status, 400);

  ClientResponse absent = emu().Get(Emulator::ApiPath("sobjects/Account/001Dn00000zzzzzAAA"));
  EXPECT_EQ(absent.status, 404);
  EXPECT_EQ(absent.Json(), json::parse(R"([{"message":"The requested resource does not exist","errorCode":"NOT_FOUND"}])"));
  EXPECT_EQ(emu().Get(Emulator::ApiPath("sobjects/Nope__c/" + id)).status, 404);
  EXPECT_EQ(emu().Get(Emulator::ApiPath("sobjects/Account/xyz")).status, 404);

  {
    auto lock = emu().org().Lock();
    ASSERT_TRUE(emu().org().DeleteLocked(*emu().org().schema().Find("Account"), id));
  }
  ClientResponse deleted = emu().Get(Emulator::ApiPath("sobjects/Account/" + id));
  EXPECT_EQ(deleted.status, 404);
  EXPECT_EQ(deleted.Json(), json::parse(R"([{"message":"entity is deleted","errorCode":"ENTITY_IS_DELETED"}])"));
}

TEST_F(ReadApiTest, UpdatedAndDeleted) {
  Org& org = emu().org();
  const engine::Object& lead = *org.schema().Find("Lead");
  const engine::Millis t0 = org.Now();
  org.AdvanceClock(120000);
  std::string changed, removed;
  {
    auto lock = org.Lock();
    changed = org.InsertLocked(lead, {{"LastName", "Quinn"}, {"Company", "Quinn Ltd"}}, "");
    removed = org.InsertLocked(lead, {{"LastName", "Roe"}, {"Company", "Roe Ltd"}}, "");
    ASSERT_TRUE(org.DeleteLocked(lead, removed));
  }
  org.AdvanceClock(120000);
  const std::string start = sf::FormatSalesforceDateTime(t0).substr(0, 19) + "+00:00";
  const std::string end = sf::FormatSalesforceDateTime(org.Now()).substr(0, 19) + "+00:00";
  const std::string range = "?start=" + Encode(start) + "&end=" + Encode(end);

  ClientResponse u = emu().Get(Emulator::ApiPath("sobjects/Lead/updated/" + range));
  ASSERT_EQ(u.status, 200) << u.body;
  json updated = u.Json();
  EXPECT_EQ(updated["ids"], json::array({changed}));
  ASSERT_TRUE(updated["latestDateCovered"].is_string());
  EXPECT_EQ(updated["latestDateCovered"].get<std::string>().substr(16), ":00.000+0000");

  ClientResponse d = emu().Get(Emulator::ApiPath("sobjects/Lead/deleted/" + range));
  ASSERT_EQ(d.status, 200) << d.body;
  json deleted = d.Json();
  ASSERT_EQ(deleted["deletedRecords"].size(), 1u);
  EXPECT_EQ(deleted["deletedRecords"][0]["id"], removed);
  EXPECT_TRUE(deleted["deletedRecords"][0]["deletedDate"].is_string());
  EXPECT_TRUE(deleted["earliestDateAvailable"].is_string());
  EXPECT_TRUE(deleted["latestDateCovered"].is_string());

  // Reversed, empty and too old ranges; unparsable dates.
  const std::string reversed = "?start=" + Encode(end) + "&end=" + Encode(start);
  const std::string old = "?start=" + Encode(sf::FormatSalesforceDateTime(t0 - 40LL * 86400000).substr(0, 19) + "Z") +
                          "&end=" + Encode(end);
  for (const std::string& bad : {reversed, old, std::string("?start=yesterday&end=today"), std::string("")}) {
    ClientResponse r = emu().Get(Emulator::ApiPath("sobjects/Lead/updated/" + bad));
    EXPECT_EQ(r.status, 400) << bad;
    EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_REPLICATION_DATE") << bad << r.body;
  }
  EXPECT_EQ(emu().Get(Emulator::ApiPath("sobjects/Nope__c/updated/" + range)).status, 404);
}

TEST_F(ReadApiTest, ToolingValidationRules) {
  const std::string soql =
      "SELECT Id, ValidationName, Active, ErrorMessage, ErrorDisplayField, EntityDefinition.QualifiedApiName "
      "FROM ValidationRule WHERE EntityDefinition.QualifiedApiName = 'Opportunity' ORDER BY ValidationName";
  ClientResponse r = emu().Get(Emulator::ApiPath("tooling/query?q=" + Encode(soql)));
  ASSERT_EQ(r.status, 200) << r.body;
  json body = r.Json();
  EXPECT_EQ(body["size"], 3);
  EXPECT_EQ(body["totalSize"], 3);
  EXPECT_EQ(body["done"], true);
  EXPECT_TRUE(body["queryLocator"].is_null());
  EXPECT_EQ(body["entityTypeName"], "ValidationRule");
  ASSERT_EQ(body["records"].size(), 3u);
  const json& rule = body["records"][1];
  EXPECT_EQ(rule["ValidationName"], "Closed_Won_Requires_Amount");
  EXPECT_EQ(rule["Active"], true);
  EXPECT_EQ(rule["ErrorDisplayField"], "Amount");
  EXPECT_EQ(rule["EntityDefinition"]["QualifiedApiName"], "Opportunity");
  EXPECT_EQ(rule["EntityDefinition"]["attributes"]["type"], "EntityDefinition");
  const std::string id = rule["Id"];
  EXPECT_EQ(id.substr(0, 3), "03d");
  EXPECT_EQ(rule["attributes"]["url"], "/services/data/v59.0/tooling/sobjects/ValidationRule/" + id);

  // Metadata of one rule.
  ClientResponse one = emu().Get(Emulator::ApiPath(
      "tooling/query?q=" + Encode("SELECT Id, FullName, Metadata FROM ValidationRule WHERE Id = '" + id + "'")));
  ASSERT_EQ(one.status, 200) << one.body;
  const json m = one.Json()["records"][0];
  EXPECT_EQ(m["FullName"], "Opportunity.Closed_Won_Requires_Amount");
  EXPECT_EQ(m["Metadata"]["errorConditionFormula"], "ISPICKVAL(StageName, \"Closed Won\") && ISBLANK(Amount)");
  EXPECT_EQ(m["Metadata"]["errorMessage"], "A Closed Won opportunity must have an Amount.");
  EXPECT_EQ(m["Metadata"]["active"], true);

  // Metadata of several rows is refused, as Salesforce does.
  ClientResponse many = emu().Get(Emulator::ApiPath(
      "tooling/query?q=" + Encode("SELECT Id, Metadata FROM ValidationRule")));
  EXPECT_EQ(many.status, 400);
  EXPECT_EQ(many.Json()[0]["errorCode"], "MALFORMED_QUERY");
  EXPECT_NE(many.Json()[0]["message"].get<std::string>().find(
                "When retrieving results with Metadata or FullName fields, the query qualifications "
                "must specify no more than one row for retrieval. Result size: 10"),
            std::string::npos);
  // Inactive rules are listed too; the custom object's rule names its DurableId.
  ClientResponse custom = emu().Get(Emulator::ApiPath("tooling/query?q=" + Encode(
      "SELECT ValidationName, EntityDefinitionId FROM ValidationRule WHERE "
      "EntityDefinition.QualifiedApiName = 'Support_Contract__c'")));
  ASSERT_EQ(custom.status, 200) << custom.body;
  EXPECT_EQ(custom.Json()["records"][0]["EntityDefinitionId"].get<std::string>().substr(0, 3), "01I");
  ClientResponse inactive = emu().Get(Emulator::ApiPath("tooling/query?q=" + Encode(
      "SELECT ValidationName FROM ValidationRule WHERE Active = false")));
  EXPECT_EQ(inactive.Json()["totalSize"], 2);
}

TEST_F(ReadApiTest, LimitsFollowTheCounter) {
  emu().org().SetApiUsage(1234, 5000);
  ClientResponse r = emu().Get(Emulator::ApiPath("limits"));
  ASSERT_EQ(r.status, 200) << r.body;
  json limits = r.Json();
  // This call itself counted.
  EXPECT_EQ(limits["DailyApiRequests"]["Max"], 5000);
  EXPECT_EQ(limits["DailyApiRequests"]["Remaining"], 5000 - 1235);
  EXPECT_TRUE(limits["DailyApiRequests"].contains("ConnectFlo Rules"));
  EXPECT_EQ(r.Header("sforce-limit-info"), "api-usage=1235/5000");
}

TEST_F(ReadApiTest, VersionsNeedNoTokenAndRetiredVersionsAreGone) {
  ClientResponse r = emu().Raw("GET", "/services/data", {}, {});
  ASSERT_EQ(r.status, 200);
  json versions = r.Json();
  ASSERT_TRUE(versions.is_array());
  bool has59 = false;
  for (const json& v : versions) {
    EXPECT_EQ(v["url"], "/services/data/v" + v["version"].get<std::string>());
    if (v["version"] == "59.0") {
      has59 = true;
      EXPECT_EQ(v["label"], "Winter '24");
    }
    if (v["version"] == "60.0") {
      EXPECT_EQ(v["label"], "Spring '24");
    }
  }
  EXPECT_TRUE(has59);
  EXPECT_EQ(emu().Get("/services/data/v20.0/limits").status, 410);
}

}  // namespace
}  // namespace cf::sfemu
