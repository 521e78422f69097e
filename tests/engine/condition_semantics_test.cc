// Semantics of compiled conditions: Kleene logic, every operator and function, date literal
// edges and time zones, null paths, Ids 15/18, aggregates.
#include "tests/engine/condition_test_support.h"

namespace cf::engine::testing {
namespace {

constexpr Tri T = Tri::kTrue;
constexpr Tri F = Tri::kFalse;
constexpr Tri U = Tri::kUnknown;

class SemanticsTest : public ConditionFixture {
 protected:
  void SetUp() override {
    owner_ = Add("User", {{"Id", "005000000000001AAA"}, {"Name", "Ann Smith"}});
    acme_ = Add("Account", {{"Id", "001000000000001AAA"},
                            {"Name", "Acme"},
                            {"AnnualRevenue", "750000"},
                            {"NumberOfEmployees", "120"},
                            {"Type", "Customer"},
                            {"Industry", "Banking"},
                            {"Regions__c", "EMEA;APAC"},
                            {"Tier__c", "Gold"},
                            {"Active__c", "true"},
                            {"BillingCountry", "FR"},
                            {"LastActivityDate", "2024-05-20"},
                            {"CreatedDate", "2024-06-01T02:30:00.000+0000"},
                            {"OwnerId", "005000000000001AAA"}});
    Bind("Account", acme_);
  }
  const Record* owner_ = nullptr;
  const Record* acme_ = nullptr;
};

TEST_F(SemanticsTest, KleeneTables) {
  // Active__c is TRUE, Vip__c is null (unknown); FALSE is written as NOT Active__c.
  struct Row {
    const char* a;
    const char* b;
    Tri and_result;
    Tri or_result;
  };
  const char* kT = "Account.Active__c";
  const char* kF = "NOT Account.Active__c";
  const char* kU = "Account.Vip__c";
  const Row rows[] = {
      {kT, kT, T, T}, {kT, kF, F, T}, {kT, kU, U, T}, {kF, kT, F, T}, {kF, kF, F, F},
      {kF, kU, F, U}, {kU, kT, U, T}, {kU, kF, F, U}, {kU, kU, U, U},
  };
  for (const Row& r : rows) {
    std::string a = std::string("(") + r.a + ")", b = std::string("(") + r.b + ")";
    EXPECT_EQ(Eval(a + " AND " + b), r.and_result) << a << " AND " << b;
    EXPECT_EQ(Eval(a + " && " + b), r.and_result) << a << " && " << b;
    EXPECT_EQ(Eval(a + " OR " + b), r.or_result) << a << " OR " << b;
    EXPECT_EQ(Eval(a + " || " + b), r.or_result) << a << " || " << b;
  }
  EXPECT_EQ(Eval("NOT Account.Vip__c"), U);
  EXPECT_EQ(Eval("!Account.Active__c"), F);
}

TEST_F(SemanticsTest, NumberComparisonsAndNull) {
  EXPECT_EQ(Eval("Account.AnnualRevenue > 500000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue > $500,000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue >= $750,000.00"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue < 750000"), F);
  EXPECT_EQ(Eval("Account.AnnualRevenue <= 750000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue = 750000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue == 750000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue != 750000"), F);
  EXPECT_EQ(Eval("Account.AnnualRevenue <> 1"), T);
  EXPECT_EQ(Eval("500000 < Account.AnnualRevenue"), T);  // constant on the left
  // A null operand makes a comparison unknown, so the rule does not fire, and NOT keeps it so.
  EXPECT_EQ(Eval("Account.SLA_Hours__c <= 4"), U);
  EXPECT_EQ(Eval("NOT (Account.SLA_Hours__c <= 4)"), U);
  EXPECT_EQ(Eval("Account.SLA_Hours__c = null"), T);
  EXPECT_EQ(Eval("Account.SLA_Hours__c != null"), F);
  EXPECT_EQ(Eval("Account.SLA_Hours__c <> null"), F);
  EXPECT_EQ(Eval("Account.SLA_Hours__c IS NULL"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue IS NOT NULL"), T);
}

TEST_F(SemanticsTest, ArithmeticIsDecimal) {
  EXPECT_EQ(Eval("0.1 + 0.2 = 0.3"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue * 2 = 1500000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue / 4 = 187500"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue - 750000.01 = -0.01"), T);
  EXPECT_EQ(Eval("-Account.NumberOfEmployees = -120"), T);
  EXPECT_EQ(Eval("10 / 4 = 2.5"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue / Account.SLA_Hours__c IS NULL"), T);
  // Division by zero at run time is null; by a constant zero it is a compile error.
  Add("Account", {{"Id", "001000000000009AAA"}, {"NumberOfEmployees", "0"}});
  EXPECT_EQ(Eval("Account.AnnualRevenue / (Account.NumberOfEmployees - 120) IS NULL"), T);
  EXPECT_NE(Errors("Account.AnnualRevenue / 0 > 1").find("division by zero"), std::string::npos);
}

TEST_F(SemanticsTest, TextIsCaseSensitiveButLikeIsNot) {
  EXPECT_EQ(Eval("Account.Name = \"Acme\""), T);
  EXPECT_EQ(Eval("Account.Name = 'acme'"), F);
  EXPECT_EQ(Eval("Account.Name LIKE 'acm%'"), T);
  EXPECT_EQ(Eval("Account.Name LIKE 'A_ME'"), T);
  EXPECT_EQ(Eval("Account.Name LIKE 'A_M'"), F);
  EXPECT_EQ(Eval("Account.Name LIKE '%c%'"), T);
  EXPECT_EQ(Eval("Account.Name CONTAINS 'cm'"), T);
  EXPECT_EQ(Eval("Account.Name CONTAINS 'CM'"), F);
  EXPECT_EQ(Eval("Account.Name STARTS WITH 'Ac'"), T);
  EXPECT_EQ(Eval("Account.Name ENDS WITH 'me'"), T);
  EXPECT_EQ(Eval("Account.Name ENDS WITH 'ME'"), F);
  EXPECT_EQ(Eval("Account.Name < 'B'"), T);
  EXPECT_EQ(Eval("Account.Name & '-' & Account.BillingCountry = 'Acme-FR'"), T);
  EXPECT_EQ(Eval("Account.Name & Account.Tier__c & Account.Regions__c = 'AcmeGoldEMEA;APAC'"), T);
  EXPECT_EQ(Eval("Account.Name & conversation.team = 'Acme'"), T);  // & treats null as ""
  EXPECT_EQ(Eval("Account.Name & null = 'Acme'"), T);
}

TEST_F(SemanticsTest, LikeEscapes) {
  Bind("Account", Add("Account", {{"Id", "001000000000002AAA"}, {"Name", "50%_off"}}));
  EXPECT_EQ(Eval("Account.Name LIKE '50\\%\\_off'"), T);
  EXPECT_EQ(Eval("Account.Name LIKE '50\\%x_ff'"), F);
  EXPECT_EQ(Eval("Account.Name LIKE '%\\_%'"), T);
}

TEST_F(SemanticsTest, PicklistsAndIn) {
  EXPECT_EQ(Eval("Account.Type = \"Customer\""), T);
  EXPECT_EQ(Eval("Account.Type != \"Customer\""), F);
  EXPECT_EQ(Eval("\"Customer\" = Account.Type"), T);
  EXPECT_EQ(Eval("Account.Industry IN (\"Banking\", \"Insurance\")"), T);
  EXPECT_EQ(Eval("Account.Industry NOT IN (\"Banking\", \"Insurance\")"), F);
  EXPECT_EQ(Eval("ISPICKVAL(Account.Tier__c, \"Gold\")"), T);
  EXPECT_EQ(Eval("INCLUDES(Account.Regions__c, \"EMEA\")"), T);
  EXPECT_EQ(Eval("INCLUDES(Account.Regions__c, \"AMER\")"), F);
  EXPECT_EQ(Eval("Account.BillingCountry IN ('US', 'FR')"), T);
  EXPECT_EQ(Eval("Account.NumberOfEmployees IN (100, 120)"), T);
  // IN with null: a null subject is TRUE only when the list has null.
  EXPECT_EQ(Eval("Account.SLA_Hours__c IN (1, null)"), T);
  EXPECT_EQ(Eval("Account.SLA_Hours__c IN (1, 2)"), U);
  EXPECT_EQ(Eval("Account.SLA_Hours__c NOT IN (1, 2)"), U);
  EXPECT_EQ(Eval("Account.SLA_Hours__c NOT IN (1, null)"), F);
  EXPECT_EQ(Eval("Account.NumberOfEmployees IN (1, null)"), F);
  EXPECT_EQ(Eval("Account.Industry IN ('Retail', null)"), F);
  // Non-constant list items.
  EXPECT_EQ(Eval("Account.NumberOfEmployees IN (1, Account.NumberOfEmployees)"), T);
}

TEST_F(SemanticsTest, BlankAndNullFunctions) {
  Bind("Account", Add("Account", {{"Id", "001000000000003AAA"}, {"Name", ""}}));
  EXPECT_EQ(Eval("ISBLANK(Account.Name)"), T);   // "" is blank
  EXPECT_EQ(Eval("ISNULL(Account.Name)"), F);    // ... but not null
  EXPECT_EQ(Eval("Account.Name IS NULL"), F);
  EXPECT_EQ(Eval("ISBLANK(Account.BillingCountry)"), T);
  EXPECT_EQ(Eval("ISNULL(Account.BillingCountry)"), T);
  EXPECT_EQ(Eval("ISBLANK(Account.AnnualRevenue)"), T);
  EXPECT_EQ(Eval("BLANKVALUE(Account.Name, 'none') = 'none'"), T);
  EXPECT_EQ(Eval("BLANKVALUE(Account.AnnualRevenue, 0) = 0"), T);
  EXPECT_EQ(Eval("IF(Account.Vip__c, 1, 2) = 2"), T);  // unknown condition takes the else branch
  EXPECT_EQ(Eval("IF(NOT ISBLANK(Account.Name), 1, 2) = 2"), T);
  // Functions given null return null.
  EXPECT_EQ(Eval("LEN(Account.BillingCountry) > 0"), U);
  EXPECT_EQ(Eval("ISPICKVAL(Account.Tier__c, 'Gold')"), U);
}

TEST_F(SemanticsTest, TextAndNumberFunctions) {
  EXPECT_EQ(Eval("LEN(Account.Name) = 4"), T);
  EXPECT_EQ(Eval("LOWER(Account.Name) = 'acme'"), T);
  EXPECT_EQ(Eval("UPPER(Account.Name) = 'ACME'"), T);
  EXPECT_EQ(Eval("TRIM('  x  ') = 'x'"), T);
  EXPECT_EQ(Eval("BEGINS(Account.Name, 'Ac')"), T);
  EXPECT_EQ(Eval("CONTAINS(Account.Name, 'me')"), T);
  EXPECT_EQ(Eval("TEXT(Account.AnnualRevenue) = '750000'"), T);
  EXPECT_EQ(Eval("TEXT(Account.Type) = 'Customer'"), T);
  EXPECT_EQ(Eval("TEXT(Account.LastActivityDate) = '2024-05-20'"), T);
  EXPECT_EQ(Eval("VALUE('12.50') = 12.5"), T);
  EXPECT_EQ(Eval("VALUE('abc') IS NULL"), T);
  EXPECT_EQ(Eval("ABS(-3) = 3"), T);
  EXPECT_EQ(Eval("ROUND(2.345, 2) = 2.35"), T);
  EXPECT_EQ(Eval("ROUND(-2.5, 0) = -3"), T);
  EXPECT_EQ(Eval("MIN(3, Account.NumberOfEmployees, 7) = 3"), T);
  EXPECT_EQ(Eval("MAX(3, Account.NumberOfEmployees, 7) = 120"), T);
  EXPECT_EQ(Eval("LEN('héllo') = 5"), T);  // characters, not bytes
}

TEST_F(SemanticsTest, DatesAndFunctions) {
  SetNow("2024-06-01T12:00:00Z");
  EXPECT_EQ(Eval("TODAY() = 2024-06-01"), T);
  EXPECT_EQ(Eval("NOW() = 2024-06-01T12:00:00Z"), T);
  EXPECT_EQ(Eval("YEAR(Account.LastActivityDate) = 2024"), T);
  EXPECT_EQ(Eval("MONTH(Account.LastActivityDate) = 5"), T);
  EXPECT_EQ(Eval("DAY(Account.LastActivityDate) = 20"), T);
  EXPECT_EQ(Eval("DATEVALUE(Account.CreatedDate) = 2024-06-01"), T);
  EXPECT_EQ(Eval("DATEVALUE('2024-02-29') = 2024-02-29"), T);
  EXPECT_EQ(Eval("DATEVALUE('2023-02-29') IS NULL"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate + 12 = 2024-06-01"), T);
  EXPECT_EQ(Eval("TODAY() - Account.LastActivityDate = 12"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate < 2024-05-21"), T);
  EXPECT_EQ(Eval("Account.CreatedDate > 2024-06-01T02:00:00Z"), T);
  EXPECT_EQ(Eval("Account.CreatedDate > 2024-06-01T04:00:00+02:00"), T);
}

TEST_F(SemanticsTest, DateLiteralRanges) {
  SetNow("2024-06-01T12:00:00Z");
  EXPECT_EQ(Eval("Account.LastActivityDate = LAST_N_DAYS:12"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate = LAST_N_DAYS:11"), F);
  EXPECT_EQ(Eval("Account.LastActivityDate = THIS_QUARTER"), T);  // Q2: Apr 1 - Jun 30
  EXPECT_EQ(Eval("Account.LastActivityDate = THIS_MONTH"), F);
  EXPECT_EQ(Eval("Account.LastActivityDate = LAST_MONTH"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate != LAST_MONTH"), F);
  EXPECT_EQ(Eval("Account.LastActivityDate < THIS_MONTH"), T);   // before the start
  EXPECT_EQ(Eval("Account.LastActivityDate <= LAST_MONTH"), T);  // up to the end
  EXPECT_EQ(Eval("Account.LastActivityDate > LAST_MONTH"), F);   // after the end
  EXPECT_EQ(Eval("Account.LastActivityDate >= LAST_MONTH"), T);  // from the start
  EXPECT_EQ(Eval("Account.LastActivityDate = N_DAYS_AGO:12"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate = THIS_YEAR"), T);
  EXPECT_EQ(Eval("Account.LastActivityDate = LAST_YEAR"), F);
  EXPECT_EQ(Eval("Account.SLA_Hours__c IS NULL AND Account.LastActivityDate = THIS_WEEK"), F);
}

TEST_F(SemanticsTest, QuarterAndYearBoundaries) {
  Bind("Opportunity", Add("Opportunity", {{"Id", "006000000000001AAA"}, {"CloseDate", "2024-03-31"}}));
  SetNow("2024-03-31T23:00:00Z");
  EXPECT_EQ(Eval("Opportunity.CloseDate = THIS_QUARTER"), T);
  EXPECT_EQ(Eval("Opportunity.CloseDate = TODAY"), T);
  SetNow("2024-04-01T00:30:00Z");
  EXPECT_EQ(Eval("Opportunity.CloseDate = THIS_QUARTER"), F);
  EXPECT_EQ(Eval("Opportunity.CloseDate = LAST_QUARTER"), T);
  EXPECT_EQ(Eval("Opportunity.CloseDate = YESTERDAY"), T);
  SetNow("2025-01-01T08:00:00Z");
  EXPECT_EQ(Eval("Opportunity.CloseDate = LAST_YEAR"), T);
  EXPECT_EQ(Eval("Opportunity.CloseDate = LAST_N_QUARTERS:4"), T);
  EXPECT_EQ(Eval("Opportunity.CloseDate = LAST_N_QUARTERS:3"), F);
}

TEST_F(SemanticsTest, DateTimeLiteralsFollowTheTimeZone) {
  // CreatedDate is 2024-06-01T02:30Z: June 1 in UTC, but May 31 (22:30) in New York.
  SetNow("2024-06-01T12:00:00Z", "UTC");
  EXPECT_EQ(Eval("Account.CreatedDate = TODAY"), T);
  SetNow("2024-06-01T12:00:00Z", "America/New_York");
  EXPECT_EQ(Eval("Account.CreatedDate = TODAY"), F);
  EXPECT_EQ(Eval("Account.CreatedDate = YESTERDAY"), T);
  EXPECT_EQ(Eval("Account.CreatedDate < TODAY"), T);
  // Today itself depends on the zone: at 2024-06-01T02:00Z it is still May 31 in New York.
  SetNow("2024-06-01T02:00:00Z", "America/New_York");
  EXPECT_EQ(Eval("Account.CreatedDate = TODAY"), T);
  EXPECT_EQ(Eval("TODAY() = 2024-05-31"), T);
}

TEST_F(SemanticsTest, NullPathsThroughMissingRecords) {
  const Record* with_account = Add("Contact", {{"Id", "003000000000001AAA"}, {"AccountId", "001000000000001AAA"}});
  const Record* orphan = Add("Contact", {{"Id", "003000000000002AAA"}});
  const Record* dangling = Add("Contact", {{"Id", "003000000000003AAA"}, {"AccountId", "001000000000099AAA"}});
  Bind("Contact", with_account);
  EXPECT_EQ(Eval("Contact.Account.Owner.Name STARTS WITH \"Ann\""), T);
  EXPECT_EQ(Eval("Contact.Account.Name = 'Acme'"), T);
  Bind("Contact", orphan);  // empty lookup
  EXPECT_EQ(Eval("Contact.Account.Owner.Name STARTS WITH \"Ann\""), U);
  EXPECT_EQ(Eval("Contact.Account.Name IS NULL"), T);
  Bind("Contact", dangling);  // lookup to a record not in the cache
  EXPECT_EQ(Eval("Contact.Account.Name IS NULL"), T);
  Bind("Contact", nullptr);  // nobody bound
  EXPECT_EQ(Eval("Contact.Id IS NULL AND Lead.Id IS NULL"), T);
  EXPECT_EQ(Eval("Contact.Account.Name = 'Acme'"), U);
}

TEST_F(SemanticsTest, Ids15And18) {
  EXPECT_EQ(Eval("Account.Id = '001000000000001AAA'"), T);
  EXPECT_EQ(Eval("Account.Id = '001000000000001aaa'"), T);  // 18 chars: any letter case
  EXPECT_EQ(Eval("Account.Id = '001000000000001'"), T);     // 15 chars
  EXPECT_EQ(Eval("Account.OwnerId = '005000000000001'"), T);
  // A 15-character Id is case-sensitive: 001ABC... and 001abc... are different records.
  Bind("Account", Add("Account", {{"Id", "001Ab0000000001"}}));
  EXPECT_EQ(Eval("Account.Id = '001Ab0000000001'"), T);
  EXPECT_EQ(Eval("Account.Id = '001ab0000000001'"), F);
  EXPECT_EQ(Eval("Account.Id IN ('001Ab0000000001', '001000000000001')"), T);
  EXPECT_NE(Errors("Account.Id = 'not-an-id'").find("is not a Salesforce Id"), std::string::npos);
}

TEST_F(SemanticsTest, Aggregates) {
  Add("Opportunity", {{"Id", "006000000000001AAA"}, {"AccountId", "001000000000001AAA"}, {"IsWon", "true"}, {"Amount", "100"}});
  Add("Opportunity", {{"Id", "006000000000002AAA"}, {"AccountId", "001000000000001AAA"}, {"IsWon", "true"}, {"Amount", "250.5"}});
  Add("Opportunity", {{"Id", "006000000000003AAA"}, {"AccountId", "001000000000001AAA"}, {"IsWon", "false"}});
  Add("Opportunity", {{"Id", "006000000000004AAA"}, {"AccountId", "001000000000001AAA"}});  // IsWon null
  Add("Case", {{"Id", "500000000000001AAA"}, {"AccountId", "001000000000001AAA"}, {"Status", "Working"}, {"Priority", "High"}});
  Add("Case", {{"Id", "500000000000002AAA"}, {"AccountId", "001000000000001AAA"}, {"Status", "Closed"}, {"Priority", "High"}});
  EXPECT_EQ(Eval("COUNT(Account.Opportunities) = 4"), T);
  EXPECT_EQ(Eval("COUNT(Account.Opportunities, IsWon) = 2"), T);
  EXPECT_EQ(Eval("COUNT(Account.Opportunities, IsWon) >= 3"), F);
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount) = 350.5"), T);
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount, NOT IsWon) = 0"), T);
  EXPECT_EQ(Eval("MIN(Account.Opportunities, Amount) = 100"), T);
  EXPECT_EQ(Eval("MAX(Account.Opportunities, Amount, IsWon) = 250.5"), T);
  EXPECT_EQ(Eval("MAX(Account.Opportunities, Amount, Amount > 1000) IS NULL"), T);
  EXPECT_EQ(Eval("ANY(Account.Cases, Status != \"Closed\" AND Priority = \"High\")"), T);
  EXPECT_EQ(Eval("ALL(Account.Cases, Priority = \"High\")"), T);
  EXPECT_EQ(Eval("ALL(Account.Opportunities, IsWon)"), F);
  EXPECT_EQ(Eval("ANY(Account.Opportunities, Amount > 1000)"), U);  // one null Amount
  // No children: ANY false, ALL true, COUNT and SUM 0, MIN null.
  Bind("Account", Add("Account", {{"Id", "001000000000005AAA"}}));
  EXPECT_EQ(Eval("ANY(Account.Cases, Priority = 'High')"), F);
  EXPECT_EQ(Eval("ALL(Account.Cases, Priority = 'High')"), T);
  EXPECT_EQ(Eval("COUNT(Account.Cases) = 0"), T);
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount) = 0"), T);
  EXPECT_EQ(Eval("MIN(Account.Opportunities, Amount) IS NULL"), T);
}

TEST_F(SemanticsTest, EventFields) {
  int oi = schema_->IndexOf("conversation");
  RecordBuilder b(env_.layout(oi));
  b.SetFromText(*env_.layout(oi)->SlotForField("channel"), "phone");
  b.SetFromText(*env_.layout(oi)->SlotForField("customer.email"), "ann@example.com");
  RecordPtr event = b.Finish();
  Bind("conversation", event.get());
  EXPECT_EQ(Eval("conversation.channel = \"phone\""), T);
  EXPECT_EQ(Eval("conversation.customer.email ENDS WITH '@example.com'"), T);
  EXPECT_EQ(Eval("Conversation.Customer.Email LIKE 'ANN@%'"), T);  // names are case-insensitive
  EXPECT_EQ(Eval("conversation.team IS NULL"), T);
}

TEST_F(SemanticsTest, ConstantFoldingKeepsSemantics) {
  EXPECT_EQ(Eval("1 = 1 AND Account.AnnualRevenue > 0"), T);
  EXPECT_EQ(Eval("1 = 2 AND Account.Vip__c"), F);
  EXPECT_EQ(Eval("1 = 1 OR Account.Vip__c"), T);
  EXPECT_EQ(Eval("null = null"), T);
  EXPECT_EQ(Eval("LEN('abc') + 1 = 4"), T);
  EXPECT_EQ(Eval("UPPER('abc') & 'd' = 'ABCd'"), T);
  EXPECT_EQ(Eval("TRUE AND Account.Vip__c"), U);
}

}  // namespace
}  // namespace cf::engine::testing

namespace cf::engine::testing {
namespace {

// Fused AND/OR groups (several "field op constant" tests on one root, evaluated in one loop)
// keep Kleene semantics, also when the root is unbound or fields are null.
TEST_F(SemanticsTest, FusedGroupsKeepKleeneSemantics) {
  EXPECT_EQ(Eval("Account.AnnualRevenue > 1 AND Account.Type = 'Customer' AND Account.Name != 'x'"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue > 1 AND Account.SLA_Hours__c > 1"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue < 1 AND Account.SLA_Hours__c > 1"), F);
  EXPECT_EQ(Eval("Account.AnnualRevenue < 1 OR Account.SLA_Hours__c > 1"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue > 1 OR Account.SLA_Hours__c > 1"), T);
  EXPECT_EQ(Eval("Account.Tier__c IN ('Gold', null) AND Account.LastActivityDate < 2025-01-01"), T);
  EXPECT_EQ(Eval("Account.Id = '001000000000001' AND Account.CreatedDate > 2024-01-01T00:00:00Z"), T);
  Bind("Account", nullptr);
  EXPECT_EQ(Eval("Account.AnnualRevenue > 1 AND Account.Type = 'Customer'"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue > 1 OR Account.Type = 'Customer'"), U);
  EXPECT_EQ(Eval("Account.Industry IN ('Banking', null) OR Account.AnnualRevenue > 1"), T);
  EXPECT_EQ(Eval("Account.Industry NOT IN ('Banking', null) AND Account.AnnualRevenue > 1"), F);
}

}  // namespace
}  // namespace cf::engine::testing
