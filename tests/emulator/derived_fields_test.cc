// Fields the emulator derives as Salesforce does (tools/sfemu/derived.h), written over real
// sockets and read back by SOQL: Opportunity IsClosed/IsWon/ForecastCategoryName/Probability
// from StageName, Case IsClosed/ClosedDate from Status, Lead and Contact Name from the name
// parts; and the read-only error for a client that writes a derived field.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "connectors/salesforce/record_json.h"
#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

using nlohmann::json;

// The standard stages of a new org as Salesforce's Setup lists them (the spec of the
// derivation, written out independently of tools/sfemu/derived.cc).
struct ExpectedStage {
  const char* name;
  bool closed;
  bool won;
  int probability;
  const char* forecast;
};
constexpr ExpectedStage kStages[] = {
    {"Prospecting", false, false, 10, "Pipeline"},
    {"Qualification", false, false, 10, "Pipeline"},
    {"Needs Analysis", false, false, 20, "Pipeline"},
    {"Value Proposition", false, false, 50, "Pipeline"},
    {"Id. Decision Makers", false, false, 60, "Pipeline"},
    {"Perception Analysis", false, false, 70, "Pipeline"},
    {"Proposal/Price Quote", false, false, 75, "Pipeline"},
    {"Negotiation/Review", false, false, 90, "Pipeline"},
    {"Closed Won", true, true, 100, "Closed"},
    {"Closed Lost", true, false, 0, "Omitted"},
};

class DerivedFieldsTest : public EmulatorFixture {
 protected:
  ClientResponse Send(std::string_view method, std::string_view rest, const json& body) {
    return emu().Call(method, Emulator::ApiPath(rest), body.dump());
  }
  std::string Create(const std::string& object, const json& body) {
    ClientResponse r = Send("POST", "sobjects/" + object, body);
    EXPECT_EQ(r.status, 201) << r.body;
    json j = r.Json();
    return j.is_object() && j.contains("id") ? j["id"].get<std::string>() : std::string();
  }
  void Update(const std::string& object, const std::string& id, const json& body) {
    ClientResponse r = Send("PATCH", "sobjects/" + object + "/" + id, body);
    EXPECT_EQ(r.status, 204) << r.body;
  }
  // The record as SOQL returns it (null JSON when the query fails or finds nothing).
  json Query(const std::string& fields, const std::string& object, const std::string& id) {
    const std::string soql = "SELECT " + fields + " FROM " + object + " WHERE Id = '" + id + "'";
    std::string q;
    for (char c : soql) {
      if (c == ' ') {
        q += '+';
      } else if (c == '\'') {
        q += "%27";
      } else if (c == ',') {
        q += "%2C";
      } else {
        q += c;
      }
    }
    ClientResponse r = emu().Get(Emulator::ApiPath("query?q=" + q));
    EXPECT_EQ(r.status, 200) << r.body;
    json j = r.Json();
    if (!j.is_object() || j.value("totalSize", 0) != 1) return nullptr;
    return j["records"][0];
  }
  json Opportunity(const std::string& id) {
    return Query("StageName, IsClosed, IsWon, ForecastCategoryName, Probability", "Opportunity",
                 id);
  }
  static void ExpectStage(const json& record, const ExpectedStage& s) {
    ASSERT_TRUE(record.is_object());
    EXPECT_EQ(record["StageName"], s.name);
    EXPECT_EQ(record["IsClosed"], s.closed) << s.name;
    EXPECT_EQ(record["IsWon"], s.won) << s.name;
    EXPECT_EQ(record["ForecastCategoryName"], s.forecast) << s.name;
    EXPECT_EQ(record["Probability"], s.probability) << s.name;
  }
  static json NewOpportunity(const std::string& stage) {
    // Amount: the seed's validation rule wants one on Closed Won.
    return {{"Name", "Derived " + stage}, {"StageName", stage}, {"CloseDate", "2026-12-31"},
            {"Amount", 1000}};
  }
  // The org clock, milliseconds.
  int64_t ClockMs() { return emu().ControlRequest("GET", "clock").Json().value("now_ms", int64_t{0}); }
  // Salesforce's datetime texts of every whole second from `from_ms` to `to_ms` (the stamps a
  // write made between the two clock reads may carry).
  static std::vector<std::string> StampsBetween(int64_t from_ms, int64_t to_ms) {
    std::vector<std::string> out;
    for (int64_t s = from_ms - from_ms % 1000; s <= to_ms; s += 1000) {
      out.push_back(sf::FormatSalesforceDateTime(s));
    }
    return out;
  }
  static bool OneOf(const json& value, const std::vector<std::string>& stamps) {
    return value.is_string() &&
           std::find(stamps.begin(), stamps.end(), value.get<std::string>()) != stamps.end();
  }
};

TEST_F(DerivedFieldsTest, CreateAtEachStageDerivesClosedWonForecastAndProbability) {
  for (const ExpectedStage& s : kStages) {
    const std::string id = Create("Opportunity", NewOpportunity(s.name));
    ASSERT_FALSE(id.empty()) << s.name;
    ExpectStage(Opportunity(id), s);
  }
}

TEST_F(DerivedFieldsTest, UpdateThroughEveryStageRederivesThem) {
  const std::string id = Create("Opportunity", NewOpportunity("Closed Lost"));
  ASSERT_FALSE(id.empty());
  for (const ExpectedStage& s : kStages) {
    Update("Opportunity", id, {{"StageName", s.name}});
    ExpectStage(Opportunity(id), s);
  }
}

TEST_F(DerivedFieldsTest, ProbabilityAndForecastSentWithTheStageAreKept) {
  json body = NewOpportunity("Prospecting");
  body["Probability"] = 35;
  const std::string id = Create("Opportunity", body);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(Opportunity(id)["Probability"], 35);

  Update("Opportunity", id, {{"StageName", "Negotiation/Review"}, {"Probability", 45},
                             {"ForecastCategoryName", "Best Case"}});
  json r = Opportunity(id);
  EXPECT_EQ(r["Probability"], 45);
  EXPECT_EQ(r["ForecastCategoryName"], "Best Case");
  EXPECT_EQ(r["IsClosed"], false);

  // A write that leaves the stage alone, or sends the same stage, keeps the overrides.
  Update("Opportunity", id, {{"Amount", 2000}});
  Update("Opportunity", id, {{"StageName", "Negotiation/Review"}});
  r = Opportunity(id);
  EXPECT_EQ(r["Probability"], 45);
  EXPECT_EQ(r["ForecastCategoryName"], "Best Case");

  // A new stage brings its defaults back.
  Update("Opportunity", id, {{"StageName", "Closed Won"}});
  ExpectStage(Opportunity(id), kStages[8]);
}

TEST_F(DerivedFieldsTest, WritingIsWonOrIsClosedIsInvalidFieldForInsertUpdate) {
  json body = NewOpportunity("Prospecting");
  body["IsWon"] = true;
  ClientResponse r = Send("POST", "sobjects/Opportunity", body);
  ASSERT_EQ(r.status, 400) << r.body;
  json errors = r.Json();
  ASSERT_EQ(errors.size(), 1u) << r.body;
  EXPECT_EQ(errors[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(errors[0]["fields"], json::array({"IsWon"}));
  EXPECT_EQ(errors[0]["message"],
            "Unable to create/update fields: IsWon. Please check the security settings of this "
            "field and verify that it is read/write for your profile or permission set.");

  const std::string id = Create("Opportunity", NewOpportunity("Prospecting"));
  ASSERT_FALSE(id.empty());
  r = Send("PATCH", "sobjects/Opportunity/" + id,
           {{"StageName", "Closed Won"}, {"IsClosed", true}, {"IsWon", true}});
  ASSERT_EQ(r.status, 400) << r.body;
  errors = r.Json();
  ASSERT_EQ(errors.size(), 1u) << r.body;
  EXPECT_EQ(errors[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(errors[0]["fields"], json::array({"IsClosed", "IsWon"}));
  ExpectStage(Opportunity(id), kStages[0]);  // nothing written
}

TEST_F(DerivedFieldsTest, CollectionsAndCompositeWritesDeriveToo) {
  const std::string a = Create("Opportunity", NewOpportunity("Prospecting"));
  const std::string b = Create("Opportunity", NewOpportunity("Prospecting"));
  ASSERT_FALSE(a.empty());
  ASSERT_FALSE(b.empty());
  json update = {{"allOrNone", true},
                 {"records",
                  {{{"attributes", {{"type", "Opportunity"}}}, {"id", a}, {"StageName", "Closed Won"}},
                   {{"attributes", {{"type", "Opportunity"}}}, {"id", b}, {"StageName", "Closed Lost"}}}}};
  ClientResponse r = Send("PATCH", "composite/sobjects", update);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()[0]["success"], true) << r.body;
  ExpectStage(Opportunity(a), kStages[8]);
  ExpectStage(Opportunity(b), kStages[9]);

  json sub = {{"method", "PATCH"},
              {"url", Emulator::ApiPath("sobjects/Opportunity/" + a)},
              {"referenceId", "reopen"},
              {"body", {{"StageName", "Value Proposition"}}}};
  r = Send("POST", "composite", {{"compositeRequest", {sub}}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["compositeResponse"][0]["httpStatusCode"], 204) << r.body;
  ExpectStage(Opportunity(a), kStages[3]);
}

TEST_F(DerivedFieldsTest, ExpectedRevenueAndFiscalPeriodFollowAmountProbabilityAndCloseDate) {
  const std::string fields = "ExpectedRevenue, FiscalYear, FiscalQuarter, Fiscal";
  json body = NewOpportunity("Value Proposition");  // 50 %
  body["Amount"] = 1234.5;
  body["CloseDate"] = "2027-05-14";
  const std::string id = Create("Opportunity", body);
  ASSERT_FALSE(id.empty());
  json r = Query(fields, "Opportunity", id);
  EXPECT_EQ(r["ExpectedRevenue"], 617.25);
  EXPECT_EQ(r["FiscalYear"], 2027);
  EXPECT_EQ(r["FiscalQuarter"], 2);
  EXPECT_EQ(r["Fiscal"], "2027 2");

  // The stage's new probability (90 %) and a new Amount each move it.
  Update("Opportunity", id, {{"StageName", "Negotiation/Review"}});
  EXPECT_EQ(Query(fields, "Opportunity", id)["ExpectedRevenue"], 1111.05);
  Update("Opportunity", id, {{"Amount", 2000}, {"CloseDate", "2026-12-01"}});
  r = Query(fields, "Opportunity", id);
  EXPECT_EQ(r["ExpectedRevenue"], 1800);
  EXPECT_EQ(r["FiscalYear"], 2026);
  EXPECT_EQ(r["FiscalQuarter"], 4);
  EXPECT_EQ(r["Fiscal"], "2026 4");
  Update("Opportunity", id, {{"Probability", 25}});
  EXPECT_EQ(Query(fields, "Opportunity", id)["ExpectedRevenue"], 500);
  Update("Opportunity", id, {{"Amount", nullptr}});
  EXPECT_TRUE(Query(fields, "Opportunity", id)["ExpectedRevenue"].is_null());

  ClientResponse w = Send("PATCH", "sobjects/Opportunity/" + id, {{"ExpectedRevenue", 1}});
  ASSERT_EQ(w.status, 400) << w.body;
  EXPECT_EQ(w.Json()[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
}

TEST_F(DerivedFieldsTest, LeadNameIsFirstAndLastName) {
  const std::string id = Create(
      "Lead", {{"Salutation", "Dr."}, {"FirstName", "Ada"}, {"LastName", "Lovelace"},
               {"Company", "Analytical Engines"}});
  ASSERT_FALSE(id.empty());
  // Salutation is not part of the API's Name (the seed's records agree: "Ms." Olivia Hart is
  // "Olivia Hart").
  EXPECT_EQ(Query("Name", "Lead", id)["Name"], "Ada Lovelace");

  Update("Lead", id, {{"LastName", "King"}});
  EXPECT_EQ(Query("Name", "Lead", id)["Name"], "Ada King");

  Update("Lead", id, {{"FirstName", nullptr}});
  EXPECT_EQ(Query("Name", "Lead", id)["Name"], "King");

  Update("Lead", id, {{"FirstName", "Augusta"}, {"Company", "Unchanged Name"}});
  EXPECT_EQ(Query("Name", "Lead", id)["Name"], "Augusta King");

  const std::string last_only =
      Create("Lead", {{"LastName", "Babbage"}, {"Company", "Difference Engines"}});
  ASSERT_FALSE(last_only.empty());
  EXPECT_EQ(Query("Name", "Lead", last_only)["Name"], "Babbage");

  ClientResponse r = Send("PATCH", "sobjects/Lead/" + id, {{"Name", "Someone Else"}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(Query("Name", "Lead", id)["Name"], "Augusta King");
}

TEST_F(DerivedFieldsTest, ContactNameFollowsItsParts) {
  const std::string id = Create("Contact", {{"Salutation", "Mr."}, {"FirstName", "Alan"},
                                            {"LastName", "Turing"}, {"Email", "alan@example.com"}});
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(Query("Name", "Contact", id)["Name"], "Alan Turing");
  Update("Contact", id, {{"FirstName", ""}, {"LastName", "Turing-Smith"}});
  EXPECT_EQ(Query("Name", "Contact", id)["Name"], "Turing-Smith");
}

TEST_F(DerivedFieldsTest, CaseIsClosedAndClosedDateFollowStatus) {
  const std::string id = Create("Case", {{"Subject", "Derived"}});  // Status defaults to New
  ASSERT_FALSE(id.empty());
  json c = Query("Status, IsClosed, ClosedDate", "Case", id);
  EXPECT_EQ(c["Status"], "New");
  EXPECT_EQ(c["IsClosed"], false);
  EXPECT_TRUE(c["ClosedDate"].is_null()) << c;

  emu().ControlRequest("POST", "clock/advance", {{"seconds", 60}});
  int64_t before = ClockMs();
  Update("Case", id, {{"Status", "Closed"}});
  int64_t after = ClockMs();
  c = Query("Status, IsClosed, ClosedDate", "Case", id);
  EXPECT_EQ(c["IsClosed"], true);
  EXPECT_TRUE(OneOf(c["ClosedDate"], StampsBetween(before, after))) << c;
  const json closed_at = c["ClosedDate"];

  // Later writes of a closed case keep the time it closed.
  emu().ControlRequest("POST", "clock/advance", {{"seconds", 60}});
  Update("Case", id, {{"Subject", "Still closed"}});
  Update("Case", id, {{"Status", "Closed"}});
  EXPECT_EQ(Query("ClosedDate", "Case", id)["ClosedDate"], closed_at);

  // Reopened: open again, no close time.
  Update("Case", id, {{"Status", "Working"}});
  c = Query("Status, IsClosed, ClosedDate", "Case", id);
  EXPECT_EQ(c["IsClosed"], false);
  EXPECT_TRUE(c["ClosedDate"].is_null()) << c;

  before = ClockMs();
  const std::string born_closed = Create("Case", {{"Subject", "Born closed"}, {"Status", "Closed"}});
  after = ClockMs();
  ASSERT_FALSE(born_closed.empty());
  c = Query("IsClosed, ClosedDate", "Case", born_closed);
  EXPECT_EQ(c["IsClosed"], true);
  EXPECT_TRUE(OneOf(c["ClosedDate"], StampsBetween(before, after))) << c;

  ClientResponse r = Send("PATCH", "sobjects/Case/" + id, {{"ClosedDate", closed_at}});
  ASSERT_EQ(r.status, 400) << r.body;
  EXPECT_EQ(r.Json()[0]["errorCode"], "INVALID_FIELD_FOR_INSERT_UPDATE");
}

}  // namespace
}  // namespace cf::sfemu::testing
