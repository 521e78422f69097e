// Hand-computed checks of the reference interpreter (tests/support/reference_interpreter.h),
// so that the differential test's oracle is itself trustworthy: Kleene tables, null rules, IN
// with null, date-literal ranges on dates and datetimes, functions, Ids, paths, aggregates.
#include <gtest/gtest.h>

#include <initializer_list>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "engine/condition.h"
#include "engine/record_store.h"
#include "tests/support/differential_schema.h"
#include "tests/support/random_condition.h"
#include "tests/support/ref_calendar.h"
#include "tests/support/reference_interpreter.h"

namespace cf::test_support {
namespace {

using engine::Tri;
constexpr Tri T = Tri::kTrue;
constexpr Tri F = Tri::kFalse;
constexpr Tri U = Tri::kUnknown;

constexpr char kAcct1[] = "001Dn00000Acct1";
constexpr char kAcct2[] = "001Dn00000Acct2";  // no children
constexpr char kUser1[] = "005Dn00000User1";

// Field values as Salesforce's text forms; nullptr sets null.
using Values = std::initializer_list<std::pair<const char*, const char*>>;

class ReferenceInterpreterTest : public ::testing::Test {
 protected:
  ReferenceInterpreterTest()
      : schema_(MakeDifferentialSchema()),
        env_(schema_),
        store_(*schema_),
        reference_(env_) {
    for (const char* name : {"Account", "Opportunity", "Case", "User", "conversation"}) {
      env_.AddRoot(name, name);
    }
    roots_.assign(env_.roots().size(), nullptr);
    // Today is Sunday 2024-03-31, the last day of Q1; now is noon UTC.
    today_ = static_cast<engine::Days>(RefDaysFromCivil({2024, 3, 31}));
    now_ = static_cast<engine::Millis>(today_) * 86400000 + 12 * 3600000;
  }

  engine::RecordPtr Make(const char* object, Values values) {
    int oi = schema_->IndexOf(object);
    engine::RecordBuilder b(env_.layout(oi));
    for (const auto& [field, text] : values) {
      const engine::Slot* slot = b.layout().SlotForField(field);
      EXPECT_NE(slot, nullptr) << field;
      if (slot == nullptr || text == nullptr) continue;
      EXPECT_TRUE(b.SetFromText(*slot, text)) << field << " = " << text;
    }
    return b.Finish();
  }
  // Adds a record to the store (for lookups and children).
  const engine::Record* Store(const char* object, Values values) {
    engine::RecordPtr r = Make(object, values);
    const engine::Record* raw = r.get();
    store_.Add(schema_->IndexOf(object), std::move(r));
    kept_.push_back(raw);
    return raw;
  }
  void Bind(const char* root, const engine::Record* record) {
    roots_[env_.FindRoot(root)] = record;
  }
  void Bind(const char* root, Values values) {
    const int object_index = env_.roots()[env_.FindRoot(root)].object_index;
    owned_.push_back(Make(schema_->object(object_index).name.c_str(), values));
    Bind(root, owned_.back().get());
  }

  engine::EvalContext Context() {
    engine::EvalContext ctx;
    ctx.roots = roots_.data();
    ctx.root_count = roots_.size();
    ctx.source = &store_;
    ctx.now = now_;
    ctx.today = today_;
    ctx.time_zone = zone_.get();
    return ctx;
  }

  Tri Eval(const std::string& text) {
    RefOutcome r = reference_.EvaluateText(text, Context());
    EXPECT_TRUE(r.supported) << text << ": " << r.why;
    return r.value;
  }
  bool Supported(const std::string& text) {
    return reference_.EvaluateText(text, Context()).supported;
  }

  std::shared_ptr<const engine::Schema> schema_;
  engine::Environment env_;
  engine::RecordStore store_;
  ReferenceInterpreter reference_;
  std::vector<const engine::Record*> roots_;
  std::vector<engine::RecordPtr> owned_;
  std::vector<const engine::Record*> kept_;
  engine::Days today_ = 0;
  engine::Millis now_ = 0;
  std::shared_ptr<const engine::TimeZone> zone_;
};

TEST_F(ReferenceInterpreterTest, KleeneTablesOverNullableBooleans) {
  const char* values[] = {"true", "false", nullptr};
  const Tri tri[] = {T, F, U};
  // Expected AND / OR, row = Account.Active__c, column = Opportunity.IsWon.
  const Tri kAnd[3][3] = {{T, F, U}, {F, F, F}, {U, F, U}};
  const Tri kOr[3][3] = {{T, T, T}, {T, F, U}, {T, U, U}};
  for (int a = 0; a < 3; ++a) {
    for (int b = 0; b < 3; ++b) {
      Bind("Account", {{"Active__c", values[a]}});
      Bind("Opportunity", {{"IsWon", values[b]}});
      EXPECT_EQ(Eval("Account.Active__c AND Opportunity.IsWon"), kAnd[a][b]) << a << b;
      EXPECT_EQ(Eval("Account.Active__c && Opportunity.IsWon"), kAnd[a][b]) << a << b;
      EXPECT_EQ(Eval("Account.Active__c OR Opportunity.IsWon"), kOr[a][b]) << a << b;
      EXPECT_EQ(Eval("Account.Active__c || Opportunity.IsWon"), kOr[a][b]) << a << b;
    }
    EXPECT_EQ(Eval("NOT Account.Active__c"), engine::TriNot(tri[a]));
    EXPECT_EQ(Eval("!Account.Active__c"), engine::TriNot(tri[a]));
  }
}

TEST_F(ReferenceInterpreterTest, ComparisonsWithNull) {
  Bind("Account", {{"AnnualRevenue", nullptr}, {"Name", ""}});
  EXPECT_EQ(Eval("Account.AnnualRevenue > 5"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue = 5"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue != 5"), U);
  EXPECT_EQ(Eval("Account.AnnualRevenue = null"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue == NULL"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue != null"), F);
  EXPECT_EQ(Eval("Account.AnnualRevenue <> null"), F);
  EXPECT_EQ(Eval("Account.AnnualRevenue IS NULL"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue IS NOT NULL"), F);
  EXPECT_EQ(Eval("NOT Account.AnnualRevenue > 5"), U);
  // "" is blank, not null.
  EXPECT_EQ(Eval("Account.Name IS NULL"), F);
  EXPECT_EQ(Eval("Account.Name = ''"), T);
  EXPECT_EQ(Eval("ISBLANK(Account.Name)"), T);
  EXPECT_EQ(Eval("ISNULL(Account.Name)"), F);
  EXPECT_EQ(Eval("ISBLANK(Account.AnnualRevenue) AND ISNULL(Account.AnnualRevenue)"), T);
  // No record bound: every path is null.
  Bind("Account", nullptr);
  EXPECT_EQ(Eval("Account.Name IS NULL"), T);
  EXPECT_EQ(Eval("Account.Name = 'x'"), U);
}

TEST_F(ReferenceInterpreterTest, InWithNull) {
  Bind("Account", {{"Name", nullptr}, {"Description", nullptr}});
  EXPECT_EQ(Eval("Account.Name IN ('a', null)"), T);
  EXPECT_EQ(Eval("Account.Name IN ('a', 'b')"), U);
  EXPECT_EQ(Eval("Account.Name NOT IN ('a', null)"), F);
  EXPECT_EQ(Eval("Account.Name NOT IN ('a')"), U);
  Bind("Account", {{"Name", "b"}, {"Description", nullptr}});
  EXPECT_EQ(Eval("Account.Name IN ('a', null)"), F);
  EXPECT_EQ(Eval("Account.Name IN ('b', null)"), T);
  EXPECT_EQ(Eval("Account.Name IN ('B')"), F);  // case-sensitive
  EXPECT_EQ(Eval("Account.Name NOT IN ('a', null)"), T);
  // A non-literal element that is null makes a miss unknown, not a hit.
  EXPECT_EQ(Eval("Account.Name IN ('a', Account.Description)"), U);
  EXPECT_EQ(Eval("Account.Name IN ('b', Account.Description)"), T);
  EXPECT_EQ(Eval("Account.Name NOT IN ('a', Account.Description)"), U);
}

TEST_F(ReferenceInterpreterTest, DateLiteralRangesOnDates) {
  struct Case {
    const char* date;
    const char* condition;
    Tri expected;
  };
  // Today: Sunday 2024-03-31. THIS_QUARTER = 2024-01-01..2024-03-31.
  const Case cases[] = {
      {"2024-01-01", "= THIS_QUARTER", T},   {"2023-12-31", "= THIS_QUARTER", F},
      {"2024-03-31", "= THIS_QUARTER", T},   {"2024-04-01", "= THIS_QUARTER", F},
      {"2023-12-31", "< THIS_QUARTER", T},   {"2024-01-01", "< THIS_QUARTER", F},
      {"2024-03-31", "<= THIS_QUARTER", T},  {"2024-04-01", "<= THIS_QUARTER", F},
      {"2024-04-01", "> THIS_QUARTER", T},   {"2024-03-31", "> THIS_QUARTER", F},
      {"2024-01-01", ">= THIS_QUARTER", T},  {"2023-12-31", ">= THIS_QUARTER", F},
      {"2023-12-31", "!= THIS_QUARTER", T},  {"2024-02-15", "<> THIS_QUARTER", F},
      {"2024-03-30", "= YESTERDAY", T},      {"2024-04-01", "= TOMORROW", T},
      // Weeks start on Sunday: this week is 03-31..04-06, last week 03-24..03-30.
      {"2024-03-31", "= THIS_WEEK", T},      {"2024-04-06", "= THIS_WEEK", T},
      {"2024-03-30", "= THIS_WEEK", F},      {"2024-03-24", "= LAST_WEEK", T},
      {"2024-03-23", "= LAST_WEEK", F},      {"2024-04-07", "= NEXT_WEEK", T},
      // LAST_N_DAYS:7 = 03-24..03-31; NEXT_N_DAYS:7 = 04-01..04-07.
      {"2024-03-24", "= LAST_N_DAYS:7", T},  {"2024-03-23", "= LAST_N_DAYS:7", F},
      {"2024-03-31", "= LAST_N_DAYS:7", T},  {"2024-03-31", "= NEXT_N_DAYS:7", F},
      {"2024-04-07", "= NEXT_N_DAYS:7", T},  {"2024-04-08", "= NEXT_N_DAYS:7", F},
      {"2024-03-21", "= N_DAYS_AGO:10", T},  {"2024-04-10", "= N_DAYS_FROM_NOW:10", T},
      {"2023-12-31", "= LAST_90_DAYS", F},   {"2024-01-01", "= LAST_90_DAYS", T},
      // Months, quarters and years: whole units before or after the current one.
      {"2024-02-29", "= LAST_MONTH", T},     {"2024-01-01", "= LAST_N_MONTHS:2", T},
      {"2023-12-31", "= LAST_N_MONTHS:2", F}, {"2024-03-01", "= LAST_N_MONTHS:2", F},
      {"2024-04-30", "= NEXT_MONTH", T},     {"2024-05-31", "= NEXT_N_MONTHS:2", T},
      {"2023-10-01", "= LAST_QUARTER", T},   {"2023-10-01", "= N_QUARTERS_AGO:1", T},
      {"2024-07-01", "= NEXT_N_QUARTERS:2", T}, {"2024-12-31", "= NEXT_N_QUARTERS:3", T},
      {"2023-06-30", "= LAST_N_QUARTERS:3", T}, {"2023-03-31", "= LAST_N_QUARTERS:3", F},
      {"2023-12-31", "= LAST_YEAR", T},      {"2024-12-31", "= THIS_YEAR", T},
      {"2022-01-01", "= N_YEARS_AGO:2", T},  {"2026-12-31", "= N_YEARS_FROM_NOW:2", T},
      {"2022-01-01", "= LAST_N_YEARS:2", T}, {"2024-01-01", "= LAST_N_YEARS:2", F},
      {"2024-03-17", "= N_WEEKS_AGO:2", T},  {"2024-03-16", "= N_WEEKS_AGO:2", F},
      {"2024-03-17", "= LAST_N_WEEKS:2", T}, {"2024-03-31", "= LAST_N_WEEKS:2", F},
      // n = 0: LAST_N_WEEKS:0 is empty.
      {"2024-03-31", "= LAST_N_WEEKS:0", F}, {"2024-03-31", "< LAST_N_WEEKS:0", F},
      // Plain dates.
      {"2024-03-31", "= 2024-03-31", T},     {"2024-03-31", "< 2024-04-01", T},
      {"2024-03-31", "= TODAY()", T},        {"2024-03-31", "= TODAY", T},
  };
  for (const Case& c : cases) {
    Bind("Opportunity", {{"CloseDate", c.date}});
    EXPECT_EQ(Eval(std::string("Opportunity.CloseDate ") + c.condition), c.expected)
        << c.date << " " << c.condition;
  }
  Bind("Opportunity", {{"CloseDate", nullptr}});
  EXPECT_EQ(Eval("Opportunity.CloseDate = THIS_QUARTER"), U);
  EXPECT_EQ(Eval("Opportunity.CloseDate != THIS_QUARTER"), U);
}

TEST_F(ReferenceInterpreterTest, DateLiteralRangesOnDateTimesUseTheZone) {
  std::string error;
  zone_ = engine::TimeZone::Load("+05:30", &error);
  ASSERT_NE(zone_, nullptr) << error;
  // 2024-03-31T22:30Z is 2024-04-01 04:00 in +05:30: today is Monday 2024-04-01, in Q2.
  now_ = static_cast<engine::Millis>(RefDaysFromCivil({2024, 3, 31})) * 86400000 +
         (22 * 60 + 30) * 60000;
  today_ = static_cast<engine::Days>(RefDaysFromCivil({2024, 4, 1}));
  struct Case {
    const char* instant;
    const char* condition;
    Tri expected;
  };
  const Case cases[] = {
      // Local midnight of 2024-04-01 is 2024-03-31T18:30:00Z.
      {"2024-03-31T18:30:00Z", "= TODAY", T},
      {"2024-03-31T18:29:59.999Z", "= TODAY", F},
      {"2024-03-31T18:29:59.999Z", "= YESTERDAY", T},
      {"2024-03-31T18:29:59.999Z", "< TODAY", T},
      {"2024-04-01T18:29:59.999Z", "<= TODAY", T},
      {"2024-04-01T18:30:00Z", "<= TODAY", F},
      {"2024-04-01T18:30:00Z", "> TODAY", T},
      {"2024-03-31T18:30:00Z", "= THIS_QUARTER", T},
      {"2024-03-31T18:00:00Z", "= LAST_QUARTER", T},
      {"2024-03-31T18:00:00Z", ">= THIS_QUARTER", F},
      // ISO datetimes compare instants.
      {"2024-03-31T18:30:00Z", "= 2024-04-01T00:00:00+05:30", T},
      {"2024-03-31T18:30:00Z", "< 2024-03-31T18:30:01Z", T},
      {"2024-03-31T18:30:00Z", "< NOW()", T},
  };
  for (const Case& c : cases) {
    Bind("Case", {{"CreatedDate", c.instant}});
    EXPECT_EQ(Eval(std::string("Case.CreatedDate ") + c.condition), c.expected)
        << c.instant << " " << c.condition;
  }
}

TEST_F(ReferenceInterpreterTest, TextOperators) {
  Bind("Account", {{"Name", "50%_off Acme"}, {"Description", "Z\xC3\xBCrich"}});
  EXPECT_EQ(Eval("Account.Name LIKE '50\\%\\_off%'"), T);
  EXPECT_EQ(Eval("Account.Name LIKE '50\\%\\_OFF ACME'"), T);  // LIKE ignores case
  EXPECT_EQ(Eval("Account.Name LIKE '50\\%\\_\\%%'"), F);
  EXPECT_EQ(Eval("Account.Name LIKE '5_%'"), T);
  EXPECT_EQ(Eval("Account.Name LIKE 'acme'"), F);
  EXPECT_EQ(Eval("Account.Name LIKE '%acme'"), T);
  EXPECT_EQ(Eval("Account.Description LIKE 'Z_rich'"), T);  // one code point
  EXPECT_EQ(Eval("Account.Name CONTAINS 'Acme'"), T);
  EXPECT_EQ(Eval("Account.Name CONTAINS 'acme'"), F);  // case-sensitive
  EXPECT_EQ(Eval("Account.Name STARTS WITH '50%'"), T);
  EXPECT_EQ(Eval("Account.Name ENDS WITH 'Acme'"), T);
  EXPECT_EQ(Eval("Account.Name ENDS WITH ''"), T);
  EXPECT_EQ(Eval("Account.Name = '50%_off acme'"), F);
  EXPECT_EQ(Eval("Account.Name < 'a'"), T);  // bytes: '5' < 'a'
  EXPECT_EQ(Eval("'Zebra' < 'apple'"), T);   // 'Z' (0x5A) < 'a' (0x61)
  EXPECT_EQ(Eval("BEGINS(Account.Name, '50')"), T);
  EXPECT_EQ(Eval("CONTAINS(Account.Name, 'off A')"), T);
  EXPECT_EQ(Eval("LEN(Account.Description) = 6"), T);
  EXPECT_EQ(Eval("LOWER(Account.Name) = '50%_off acme'"), T);
  EXPECT_EQ(Eval("UPPER('a\xC3\xBC') = 'A\xC3\xBC'"), T);  // ASCII letters only
  EXPECT_EQ(Eval("TRIM('  x \\t') = 'x'"), T);
  EXPECT_EQ(Eval("TRIM('\\nx') = 'x'"), F);  // spaces and tabs only, as Salesforce
  EXPECT_EQ(Eval("Account.Phone & 'x' = 'x'"), T);  // & treats null as ""
  EXPECT_EQ(Eval("LEN(Account.Phone) = 0"), U);   // LEN(null) is null
  EXPECT_EQ(Eval("\"it's\" = 'it\\'s'"), T);
}

TEST_F(ReferenceInterpreterTest, NumbersAndFunctions) {
  Bind("Account", {{"AnnualRevenue", "500000.50"}, {"NumberOfEmployees", nullptr},
                   {"Score__c", "0"}, {"Type", "Customer"}, {"Regions__c", "EMEA;APAC"},
                   {"Name", "12.5"}, {"CreatedDate", "2024-03-31T23:30:00-02:00"},
                   {"LastActivityDate", "2024-02-29"}, {"Active__c", "true"}});
  EXPECT_EQ(Eval("0.1 + 0.2 = 0.3"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue > $500,000"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue = $500,000.50"), T);
  EXPECT_EQ(Eval("Account.AnnualRevenue / Account.Score__c = null"), T);  // division by zero
  EXPECT_EQ(Eval("Account.AnnualRevenue + Account.NumberOfEmployees > 0"), U);
  EXPECT_EQ(Eval("-Account.AnnualRevenue < 0"), T);
  EXPECT_EQ(Eval("ROUND(2.5, 0) = 3 AND ROUND(-2.5, 0) = -3 AND ROUND(1234.5678, -2) = 1200"),
            T);
  EXPECT_EQ(Eval("ROUND(1234.5678, 2) = 1234.57 AND ABS(-3) = 3"), T);
  EXPECT_EQ(Eval("MIN(3, 1, 2) = 1 AND MAX(3, 1, 2) = 3"), T);
  EXPECT_EQ(Eval("MAX(3, Account.NumberOfEmployees) = 3"), U);
  EXPECT_EQ(Eval("TEXT(Account.AnnualRevenue) = '500000.5'"), T);
  EXPECT_EQ(Eval("TEXT(Account.Type) = 'Customer'"), T);
  EXPECT_EQ(Eval("TEXT(Account.LastActivityDate) = '2024-02-29'"), T);
  EXPECT_EQ(Eval("TEXT(Account.CreatedDate) = '2024-04-01 01:30:00Z'"), T);
  EXPECT_EQ(Eval("Account.CreatedDate + 0.5 = 2024-04-01T13:30:00Z"), T);
  EXPECT_EQ(Eval("Account.CreatedDate - 1.25 = 2024-03-30T19:30:00Z"), T);
  EXPECT_EQ(Eval("Account.CreatedDate - 2024-03-31T13:30:00Z = 0.5"), T);  // days
  EXPECT_EQ(Eval("NOW() - Account.CreatedDate = -0.5625"), T);  // 13:30 earlier, in days
  EXPECT_EQ(Eval("TEXT(Account.Active__c) = 'true'"), T);
  EXPECT_EQ(Eval("VALUE(Account.Name) = 12.5"), T);
  EXPECT_EQ(Eval("VALUE('1e3') = 1000 AND VALUE('-.5') = -0.5"), T);
  EXPECT_EQ(Eval("VALUE('abc') = null AND VALUE('7\\n') = null AND VALUE('1,000') = null"), T);
  EXPECT_EQ(Eval("VALUE(' 7') = 7 AND VALUE('\\t7 ') = 7"), T);  // spaces and tabs ignored
  EXPECT_EQ(Eval("DATEVALUE(Account.CreatedDate) = 2024-04-01"), T);  // its GMT date
  EXPECT_EQ(Eval("DATEVALUE('2024-02-30') = null AND DATEVALUE('2024-02-29') = 2024-02-29"), T);
  EXPECT_EQ(Eval("YEAR(Account.LastActivityDate) = 2024 AND MONTH(Account.LastActivityDate) = 2 "
                 "AND DAY(Account.LastActivityDate) = 29"),
            T);
  EXPECT_EQ(Eval("Account.LastActivityDate + 1 = 2024-03-01"), T);
  EXPECT_EQ(Eval("TODAY() - Account.LastActivityDate = 31"), T);
  EXPECT_EQ(Eval("ISPICKVAL(Account.Type, 'Customer')"), T);
  EXPECT_EQ(Eval("Account.Type = 'customer'"), F);
  EXPECT_EQ(Eval("INCLUDES(Account.Regions__c, 'APAC')"), T);
  EXPECT_EQ(Eval("INCLUDES(Account.Regions__c, 'AMER')"), F);
  EXPECT_EQ(Eval("BLANKVALUE(Account.NumberOfEmployees, 7) = 7"), T);
  EXPECT_EQ(Eval("BLANKVALUE(Account.AnnualRevenue, 7) = 7"), F);
  EXPECT_EQ(Eval("IF(Account.NumberOfEmployees > 1, 1, 2) = 2"), T);  // unknown -> else
  EXPECT_EQ(Eval("IF(Account.Active__c, 1, 2) = 1"), T);
  Bind("Account", {{"Type", nullptr}, {"Regions__c", ""}});
  EXPECT_EQ(Eval("ISPICKVAL(Account.Type, 'Customer')"), U);
  EXPECT_EQ(Eval("INCLUDES(Account.Regions__c, 'EMEA')"), F);
}

TEST_F(ReferenceInterpreterTest, IdsCompareIn15And18Characters) {
  EXPECT_EQ(RefId18("001A0000006Vm9r"), "001A0000006Vm9rIAC");
  Bind("Account", {{"Id", "001A0000006Vm9r"}});
  EXPECT_EQ(Eval("Account.Id = '001A0000006Vm9r'"), T);
  EXPECT_EQ(Eval("Account.Id = '001A0000006Vm9rIAC'"), T);
  EXPECT_EQ(Eval("Account.Id = '001a0000006vm9riac'"), T);   // 18: any letter case
  EXPECT_EQ(Eval("Account.Id = '001a0000006Vm9r'"), F);      // 15: case-sensitive
  EXPECT_EQ(Eval("Account.Id IN ('001A0000006Vm9R', '001A0000006VM9RIAC')"), T);
  EXPECT_EQ(Eval("TEXT(Account.Id) = '001A0000006Vm9rIAC'"), T);  // 18 characters
  EXPECT_FALSE(Supported("Account.Id = 'not an id'"));
  EXPECT_FALSE(Supported("Account.Id < '001A0000006Vm9r'"));
}

TEST_F(ReferenceInterpreterTest, PathsThroughLookupsAndEventFields) {
  Store("User", {{"Id", kUser1}, {"Name", "Ann Lee"}});
  Store("Account", {{"Id", kAcct1}, {"OwnerId", kUser1}, {"Name", "Parent"}});
  Store("Account", {{"Id", kAcct2}, {"ParentId", kAcct1}, {"OwnerId", "005Dn00000Nobod"}});
  store_.Freeze();
  Bind("Account", kept_[2]);
  Bind("Opportunity", {{"AccountId", kAcct2}});
  EXPECT_EQ(Eval("Account.Parent.Owner.Name STARTS WITH 'Ann'"), T);
  EXPECT_EQ(Eval("account.parent.owner.name = 'Ann Lee'"), T);  // names ignore case
  EXPECT_EQ(Eval("Opportunity.Account.Parent.Name = 'Parent'"), T);
  EXPECT_EQ(Eval("Account.Owner.Name IS NULL"), T);             // dangling lookup
  EXPECT_EQ(Eval("Account.Parent.Parent.Name IS NULL"), T);     // empty lookup
  EXPECT_EQ(Eval("Account.Parent.Parent.Name = 'x'"), U);
  Bind("conversation", {{"customer.email", "ann@example.com"}, {"channel", "phone"}});
  EXPECT_EQ(Eval("conversation.customer.email = 'ann@example.com'"), T);
  EXPECT_EQ(Eval("conversation.channel = 'phone' AND conversation.customer.phone IS NULL"), T);
  EXPECT_FALSE(Supported("Account.Nope = 1"));
  EXPECT_FALSE(Supported("Account.Name > 5"));
  EXPECT_FALSE(Supported("Account.Name"));
}

TEST_F(ReferenceInterpreterTest, Aggregates) {
  Store("Account", {{"Id", kAcct1}});
  Store("Account", {{"Id", kAcct2}});
  Store("Opportunity", {{"Id", "006Dn00000Opp01"}, {"AccountId", kAcct1}, {"Amount", "100"},
                        {"IsWon", "true"}, {"StageName", "Closed Won"}});
  Store("Opportunity", {{"Id", "006Dn00000Opp02"}, {"AccountId", kAcct1}, {"Amount", nullptr},
                        {"IsWon", nullptr}, {"StageName", "Prospecting"}});
  Store("Opportunity", {{"Id", "006Dn00000Opp03"}, {"AccountId", kAcct1}, {"Amount", "-3"},
                        {"IsWon", "false"}, {"StageName", "Closed Lost"}});
  store_.Freeze();
  Bind("Account", kept_[0]);
  EXPECT_EQ(Eval("COUNT(Account.Opportunities) = 3"), T);
  EXPECT_EQ(Eval("COUNT(Account.Opportunities, IsWon) = 1"), T);  // only TRUE filters count
  EXPECT_EQ(Eval("COUNT(Account.Opportunities, NOT IsWon) = 1"), T);
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount) = 97"), T);  // nulls skipped
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount, Amount > 0) = 100"), T);
  EXPECT_EQ(Eval("MIN(Account.Opportunities, Amount) = -3"), T);
  EXPECT_EQ(Eval("MAX(Account.Opportunities, Amount) = 100"), T);
  EXPECT_EQ(Eval("MAX(Account.Opportunities, Amount, Amount > 1000) = null"), T);
  EXPECT_EQ(Eval("ANY(Account.Opportunities, IsWon)"), T);
  EXPECT_EQ(Eval("ALL(Account.Opportunities, IsWon)"), F);
  EXPECT_EQ(Eval("ANY(Account.Opportunities, Amount > 1000)"), U);  // FALSE, UNKNOWN, FALSE
  EXPECT_EQ(Eval("ALL(Account.Opportunities, Amount > -10)"), U);   // TRUE, UNKNOWN, TRUE
  EXPECT_EQ(Eval("ANY(Account.Opportunities, StageName = 'Closed Won' AND Amount = 100)"), T);
  Bind("Account", kept_[1]);  // no children
  EXPECT_EQ(Eval("ANY(Account.Opportunities, IsWon)"), F);
  EXPECT_EQ(Eval("ALL(Account.Opportunities, IsWon)"), T);
  EXPECT_EQ(Eval("COUNT(Account.Opportunities) = 0"), T);
  EXPECT_EQ(Eval("SUM(Account.Opportunities, Amount) = 0"), T);
  EXPECT_EQ(Eval("MIN(Account.Opportunities, Amount) IS NULL"), T);
  // Ill-typed inside an aggregate is rejected even with no children.
  EXPECT_FALSE(Supported("ANY(Account.Opportunities, Amount = 'x')"));
  EXPECT_FALSE(Supported("SUM(Account.Opportunities, StageName) = 0"));
}

}  // namespace
}  // namespace cf::test_support
