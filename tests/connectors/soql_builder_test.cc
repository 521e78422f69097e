// Safe SOQL building: escaping, identifier validation, injection attempts (the exact query text,
// and a reference reader proving each literal holds exactly the value), incremental sync
// queries, datetime literals and the URL encoding of q=.
#include "connectors/salesforce/soql_builder.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <utility>
#include <vector>

namespace cf::sf {
namespace {

using std::chrono::milliseconds;
using std::chrono::sys_days;

std::string MustBuild(const SoqlQuery& q) {
  std::string error;
  std::optional<std::string> soql = q.Build(&error);
  EXPECT_TRUE(soql.has_value()) << error;
  return soql.value_or("");
}

std::string BuildError(const SoqlQuery& q) {
  std::string error;
  EXPECT_FALSE(q.Build(&error).has_value());
  return error;
}

SoqlTime At(int y, unsigned m, unsigned d, int hh = 0, int mm = 0, int ss = 0, int ms = 0) {
  return SoqlTime(sys_days(std::chrono::year(y) / m / d)) + std::chrono::hours(hh) +
         std::chrono::minutes(mm) + std::chrono::seconds(ss) + milliseconds(ms);
}

// A reference reader of one SOQL string literal, written from Salesforce's documented escape
// table (independently of the builder): reads '...' starting at text[*pos], returns the value,
// and leaves *pos after the closing quote. nullopt on an unterminated literal or a bad escape.
std::optional<std::string> ReadLiteral(const std::string& text, size_t* pos, bool like) {
  if (*pos >= text.size() || text[*pos] != '\'') return std::nullopt;
  std::string value;
  for (size_t i = *pos + 1; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\'') {
      *pos = i + 1;
      return value;
    }
    if (c != '\\') {
      value += c;
      continue;
    }
    if (++i >= text.size()) return std::nullopt;
    switch (text[i]) {
      case 'n':
      case 'N':
        value += '\n';
        break;
      case 'r':
      case 'R':
        value += '\r';
        break;
      case 't':
      case 'T':
        value += '\t';
        break;
      case 'b':
      case 'B':
        value += '\b';
        break;
      case 'f':
      case 'F':
        value += '\f';
        break;
      case '"':
        value += '"';
        break;
      case '\'':
        value += '\'';
        break;
      case '\\':
        value += '\\';
        break;
      case '%':
      case '_':
        if (!like) return std::nullopt;  // only valid in LIKE
        value += text[i];
        break;
      case 'u': {
        if (i + 4 >= text.size()) return std::nullopt;
        value += static_cast<char>(std::stoi(text.substr(i + 1, 4), nullptr, 16));
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return std::nullopt;
}

TEST(SoqlEscapeTest, Table) {
  const std::vector<std::pair<std::string, std::string>> table = {
      {"plain", "plain"},
      {"O'Brien", "O\\'Brien"},
      {"say \"hi\"", "say \\\"hi\\\""},
      {"back\\slash", "back\\\\slash"},
      {"line\nbreak", "line\\nbreak"},
      {"cr\rlf", "cr\\rlf"},
      {"tab\there", "tab\\there"},
      {"bs\bff\f", "bs\\bff\\f"},
      {"100%_done", "100%_done"},  // wildcards are literal outside LIKE
      {std::string("nul\0x", 5), "nul\\u0000x"},
      {"\x01\x1f\x7f", "\\u0001\\u001f\\u007f"},
      {"caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac"},  // UTF-8 passes through
      {"\\'", "\\\\\\'"},
      {"", ""},
  };
  for (const auto& [in, out] : table) {
    EXPECT_EQ(EscapeSoqlString(in), out) << in;
    EXPECT_EQ(QuoteSoqlString(in), "'" + out + "'");
  }
  EXPECT_EQ(EscapeSoqlLike("100%_done"), "100\\%\\_done");
  EXPECT_EQ(EscapeSoqlLike("O'Brien\\"), "O\\'Brien\\\\");
}

TEST(SoqlInjectionTest, ExactQueryText) {
  auto query = [](const std::string& email) {
    return MustBuild(SoqlQuery::From("Contact")
                         .Select({"Id", "Email"})
                         .Where(Soql::Eq("Email", SoqlValue::String(email))));
  };
  EXPECT_EQ(query("x' OR Name LIKE '%"),
            "SELECT Id, Email FROM Contact WHERE Email = 'x\\' OR Name LIKE \\'%'");
  EXPECT_EQ(query("\\' OR 1=1"), "SELECT Id, Email FROM Contact WHERE Email = '\\\\\\' OR 1=1'");
  EXPECT_EQ(query("a@b.com' OR Email != '"),
            "SELECT Id, Email FROM Contact WHERE Email = 'a@b.com\\' OR Email != \\''");
  EXPECT_EQ(query("x'\n) OR (Id != null"),
            "SELECT Id, Email FROM Contact WHERE Email = 'x\\'\\n) OR (Id != null'");
  EXPECT_EQ(query("\\"), "SELECT Id, Email FROM Contact WHERE Email = '\\\\'");

  // LIKE: the caller's % and _ match themselves; only the builder's wildcards are live.
  EXPECT_EQ(MustBuild(SoqlQuery::From("Lead").Select({"Id"}).Where(
                Soql::Contains("Company", "50%_off' OR Name LIKE '%"))),
            "SELECT Id FROM Lead WHERE Company LIKE '%50\\%\\_off\\' OR Name LIKE \\'\\%%'");
  EXPECT_EQ(
      MustBuild(SoqlQuery::From("Lead").Select({"Id"}).Where(Soql::StartsWith("Name", "Ter%"))),
      "SELECT Id FROM Lead WHERE Name LIKE 'Ter\\%%'");
  EXPECT_EQ(MustBuild(SoqlQuery::From("Lead").Select({"Id"}).Where(Soql::EndsWith("Name", "_x"))),
            "SELECT Id FROM Lead WHERE Name LIKE '%\\_x'");
  EXPECT_EQ(MustBuild(SoqlQuery::From("Lead").Select({"Id"}).Where(Soql::LikeExact("Name", "a%"))),
            "SELECT Id FROM Lead WHERE Name LIKE 'a\\%'");
}

// Whatever the value, the WHERE clause is "Email = '<literal>'" whose literal reads back as the
// value and ends the query: nothing of the value escapes into SOQL syntax.
TEST(SoqlInjectionTest, EveryLiteralReadsBackAsExactlyTheValue) {
  std::vector<std::string> values = {"x' OR Name LIKE '%",
                                     "\\' OR 1=1",
                                     "'",
                                     "''",
                                     "\\",
                                     "\\\\'",
                                     "%",
                                     "_",
                                     "\\%",
                                     "\\u0027",
                                     "a' AND Id IN (SELECT Id FROM User) AND Email = 'b",
                                     "x\\\nOR",
                                     std::string("\0'", 2),
                                     "\"' OR \"a\"=\"a",
                                     "caf\xc3\xa9'\xe2\x80\x99",
                                     "' LIMIT 1 --"};
  std::mt19937 rng(20260101);
  const std::string alphabet =
      std::string("'\"\\%_ \n\r\t\b\fOR=()aZ9\x01\x7f") + std::string(1, '\0') + "\xc3\xa9";
  for (int i = 0; i < 2000; ++i) {
    std::string v;
    int n = static_cast<int>(rng() % 12);
    for (int j = 0; j < n; ++j) v += alphabet[rng() % alphabet.size()];
    values.push_back(v);
  }
  const std::string head = "SELECT Id FROM Contact WHERE Email = ";
  for (const std::string& value : values) {
    std::string soql = MustBuild(SoqlQuery::From("Contact").Select({"Id"}).Where(
        Soql::Eq("Email", SoqlValue::String(value))));
    ASSERT_EQ(soql.rfind(head, 0), 0u) << soql;
    size_t pos = head.size();
    std::optional<std::string> read = ReadLiteral(soql, &pos, /*like=*/false);
    ASSERT_TRUE(read.has_value()) << soql;
    EXPECT_EQ(*read, value) << soql;
    EXPECT_EQ(pos, soql.size()) << "text after the literal in: " << soql;

    std::string like =
        MustBuild(SoqlQuery::From("Contact").Select({"Id"}).Where(Soql::LikeExact("Email", value)));
    const std::string like_head = "SELECT Id FROM Contact WHERE Email LIKE ";
    pos = like_head.size();
    read = ReadLiteral(like, &pos, /*like=*/true);
    ASSERT_TRUE(read.has_value()) << like;
    EXPECT_EQ(*read, value) << like;
    EXPECT_EQ(pos, like.size()) << like;
  }
}

TEST(SoqlNamesTest, ApiNames) {
  for (const char* ok :
       {"Name", "Id", "Custom__c", "ns__Custom__c", "Parent__r", "a1_b2", "Location__Latitude__s",
        "ns__Location__Latitude__s", "AccountId", "Invoice_Line__c", "X"}) {
    EXPECT_TRUE(IsValidApiName(ok)) << ok;
  }
  for (const char* bad : {"", "1Name", "_Name", "Name_", "Na me", "Name'", "Name\"", "Na-me",
                          "Name;", "Na.me", "Name__", "A___b", "a__b__c__d__e", "Name)", "Name--",
                          "N\xc3\xa9", "Name\n", "Name OR Id", "Id,Name"}) {
    EXPECT_FALSE(IsValidApiName(bad)) << bad;
  }
  EXPECT_FALSE(IsValidApiName(std::string(256, 'a')));
  EXPECT_TRUE(IsValidApiName(std::string(255, 'a')));
}

TEST(SoqlNamesTest, FieldPathsAndObjects) {
  std::string error;
  for (const char* ok :
       {"Email", "Account.Name", "Account.Owner.Name", "Custom__r.Other__r.Name", "A.B.C.D.E.F"}) {
    EXPECT_TRUE(ValidateFieldPath(ok, &error)) << ok << ": " << error;
  }
  EXPECT_FALSE(ValidateFieldPath("A.B.C.D.E.F.G", &error));
  EXPECT_NE(error.find("more than five relationships"), std::string::npos) << error;
  EXPECT_FALSE(ValidateFieldPath("Custom__c.Name", &error));
  EXPECT_EQ(error,
            "SOQL: in \"Custom__c.Name\", \"Custom__c\" is a field, not a relationship; write "
            "Custom__r to follow the lookup");
  for (const char* bad :
       {"", ".Name", "Account.", "Account..Name", "Email, Name", "Email FROM", "Name' OR '1'='1"}) {
    EXPECT_FALSE(ValidateFieldPath(bad, &error)) << bad;
  }
  EXPECT_FALSE(ValidateFieldPath("Email\nFROM", &error));
  EXPECT_EQ(error.find('\n'), std::string::npos) << "control characters are not echoed";

  EXPECT_TRUE(ValidateObjectName("Invoice__c", &error));
  EXPECT_FALSE(ValidateObjectName("Invoice__r", &error));
  EXPECT_NE(error.find("relationship name"), std::string::npos);
  EXPECT_FALSE(ValidateObjectName("Contact WHERE", &error));
  EXPECT_EQ(error,
            "SOQL: \"Contact WHERE\" is not a valid object API name (letters, digits and "
            "underscores, starting with a letter, e.g. Contact or Invoice__c)");
}

TEST(SoqlBuilderTest, BadNamesAndValuesAreReportedByBuild) {
  EXPECT_NE(BuildError(SoqlQuery::From("Contact; DELETE").Select({"Id"})).find("object API name"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id", "Name FROM User"}))
                .find("not a valid field path"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(
                           Soql::Eq("Email OR Id", SoqlValue::String("x"))))
                .find("not a valid field path"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(
                           Soql::Gt("Amount", SoqlValue::Number("1 OR 1=1"))))
                .find("is not a number"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(
                           Soql::Lt("Amount", SoqlValue::Null())))
                .find("use = null or != null"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(Soql::In("Id", {})))
                .find("at least one value"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(
                           Soql::In("Id", {SoqlValue::Null()})))
                .find("null cannot be in an IN list"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).OrderBy("Name DESC")), "");
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Limit(0)).find("LIMIT"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact")).find("selects no field"), std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(
                           Soql::Eq("CreatedDate", SoqlValue::DateText("2026-01-01 OR 1=1"))))
                .find("is not a date"),
            std::string::npos);
  EXPECT_NE(BuildError(SoqlQuery::From("Contact").Select({"Id"}).Where(Soql::And({}))), "");
}

TEST(SoqlBuilderTest, Shapes) {
  EXPECT_EQ(MustBuild(SoqlQuery::From("Contact")
                          .Select({"Id", "Email", "Account.Name", "id", "EMAIL"})
                          .Where(Soql::In("Email", {SoqlValue::String("a@x.com"),
                                                    SoqlValue::String("b'@x.com")}))
                          .Where(Soql::Ne("AccountId", SoqlValue::Null()))
                          .OrderBy("LastModifiedDate", true)
                          .Limit(200)),
            "SELECT Id, Email, Account.Name FROM Contact WHERE Email IN ('a@x.com', "
            "'b\\'@x.com') AND AccountId != null ORDER BY LastModifiedDate DESC LIMIT 200");
  EXPECT_EQ(
      MustBuild(SoqlQuery::From("Opportunity")
                    .Select({"Id"})
                    .Where(Soql::Or({Soql::Eq("StageName", SoqlValue::String("Closed Won")),
                                     Soql::And({Soql::Ge("Amount", SoqlValue::Number("-10.5")),
                                                Soql::Eq("IsClosed", SoqlValue::Bool(false))})}))
                    .Where(Soql::Not(Soql::Eq("Type", SoqlValue::String("Renewal"))))),
      "SELECT Id FROM Opportunity WHERE (StageName = 'Closed Won' OR (Amount >= -10.5 AND "
      "IsClosed = false)) AND (NOT (Type = 'Renewal'))");
  EXPECT_EQ(MustBuild(SoqlQuery::From("Case").Select({"Id"}).Where(
                Soql::NotIn("Priority", {SoqlValue::String("Low")}))),
            "SELECT Id FROM Case WHERE Priority NOT IN ('Low')");
  EXPECT_EQ(MustBuild(SoqlQuery::From("Task").Select({"Id"}).Where(
                Soql::Le("ActivityDate", SoqlValue::Date(At(2026, 2, 28, 23, 59))))),
            "SELECT Id FROM Task WHERE ActivityDate <= 2026-02-28");
  EXPECT_EQ(MustBuild(SoqlQuery::From("Task").Select({"Id"}).Where(
                Soql::Eq("Count__c", SoqlValue::Integer(-42)))),
            "SELECT Id FROM Task WHERE Count__c = -42");
  for (const char* ok : {"2026-01-31", "2026-01-31T10:00:00Z", "2026-01-31T10:00:00.000+0000",
                         "2026-01-31T10:00:00+01:00", "TODAY", "LAST_N_DAYS:7"}) {
    EXPECT_TRUE(SoqlValue::DateText(ok).error().empty()) << ok;
  }
  for (const char* bad : {"2026-1-31", "2026-01-31T10:00Z", "today", "LAST_N_DAYS:", "TODAY OR",
                          "2026-01-31T10:00:00", "2026-01-31T10:00:00.Z"}) {
    EXPECT_FALSE(SoqlValue::DateText(bad).error().empty()) << bad;
  }
  for (const char* bad : {"", "-", "1.", ".5", "1e5", "1,000", "0x10", "--1", "1 "}) {
    EXPECT_FALSE(SoqlValue::Number(bad).error().empty()) << bad;
  }
}

TEST(SoqlDateTimeTest, Formatting) {
  EXPECT_EQ(FormatSoqlDateTime(At(2026, 1, 1)), "2026-01-01T00:00:00Z");
  EXPECT_EQ(FormatSoqlDateTime(At(2024, 2, 29, 23, 59, 59, 999)), "2024-02-29T23:59:59Z");
  EXPECT_EQ(FormatSoqlDateTime(At(1969, 12, 31, 23, 59, 59, 500)), "1969-12-31T23:59:59Z");
  EXPECT_EQ(FormatSoqlDateTime(SoqlTime(milliseconds(0))), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatSoqlDateTime(At(12000, 1, 1)), "9999-12-31T23:59:59Z");
  EXPECT_EQ(FormatSoqlDate(At(2026, 3, 9, 18, 30)), "2026-03-09");
}

TEST(SoqlIncrementalTest, QueryText) {
  std::string error;
  IncrementalOptions options;
  options.since = At(2026, 1, 1);
  EXPECT_EQ(IncrementalQuery("Lead", {"Id", "Email"}, options, &error),
            "SELECT Id, Email, SystemModstamp FROM Lead WHERE SystemModstamp > "
            "2026-01-01T00:00:00Z ORDER BY SystemModstamp, Id");

  options.since = At(2026, 1, 1, 10, 30, 15, 250);  // milliseconds truncated
  options.inclusive = true;
  options.until = At(2026, 1, 2);
  options.extra = {Soql::Eq("IsConverted", SoqlValue::Bool(false))};
  options.limit = 2000;
  EXPECT_EQ(IncrementalQuery("Lead", {"Email", "systemmodstamp"}, options, &error),
            "SELECT Email, systemmodstamp, Id FROM Lead WHERE SystemModstamp >= "
            "2026-01-01T10:30:15Z AND SystemModstamp <= 2026-01-02T00:00:00Z AND IsConverted = "
            "false ORDER BY SystemModstamp, Id LIMIT 2000");

  EXPECT_FALSE(IncrementalQuery("Lead'", {"Id"}, {}, &error));
  EXPECT_NE(error.find("object API name"), std::string::npos);
  EXPECT_FALSE(IncrementalQuery("Lead", {"Id;"}, {}, &error));
}

TEST(SoqlEndpointTest, UrlEncoding) {
  EXPECT_EQ(UrlEncodeComponent("SELECT Id FROM Contact WHERE Email = 'a+b@x.com'"),
            "SELECT%20Id%20FROM%20Contact%20WHERE%20Email%20%3D%20%27a%2Bb%40x.com%27");
  EXPECT_EQ(UrlEncodeComponent("a-z_0.9~&=?#%/\\\n\xc3\xa9"),
            "a-z_0.9~%26%3D%3F%23%25%2F%5C%0A%C3%A9");
  EXPECT_EQ(QueryPath("v60.0", "SELECT Id FROM Lead WHERE SystemModstamp > 2026-01-01T00:00:00Z"),
            "/services/data/v60.0/query?q=SELECT%20Id%20FROM%20Lead%20WHERE%20SystemModstamp%20%3E"
            "%202026-01-01T00%3A00%3A00Z");
  EXPECT_EQ(QueryPath("v59.0", "SELECT Id FROM Lead", true),
            "/services/data/v59.0/queryAll?q=SELECT%20Id%20FROM%20Lead");
  for (const char* bad : {"60.0", "v60", "v60.", "v.0", "v60.0/../x", ""}) {
    EXPECT_EQ(QueryPath(bad, "SELECT Id FROM Lead"), "") << bad;
  }
}

}  // namespace
}  // namespace cf::sf
