// Values from events go into SOQL through soql_builder, escaped: an injection attempt sent to
// the emulator finds nothing, where the same text pasted into the query would match every row.
#include <string>

#include <gtest/gtest.h>

#include "connectors/salesforce/soql_builder.h"
#include "tests/salesforce/connector_fixture.h"

namespace cf::sf {
namespace {

class SoqlInjectionTest : public testing::ConnectorFixture {
 protected:
  // totalSize of a query run through the client.
  int Count(SalesforceClient& client, const std::string& soql) {
    ApiResult r = client.Get("query?q=" + UrlEncodeComponent(soql));
    EXPECT_TRUE(r.ok()) << soql << ": " << (r.ok() ? "" : r.failure->Describe());
    std::string error;
    std::optional<nlohmann::json> body = r.Json(&error);
    return body && body->is_object() ? body->value("totalSize", -1) : -1;
  }
};

TEST_F(SoqlInjectionTest, AnEmailFromAnEventCannotWidenTheQuery) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  const std::string attack = "nobody@example.com' OR Email != '";
  // Pasted in, the attack would match every Contact with an email.
  int everyone = Count(*client, "SELECT Id FROM Contact WHERE Email = '" + attack + "'");
  ASSERT_GT(everyone, 1);
  std::string error;
  std::optional<std::string> safe = SoqlQuery::From("Contact")
                                        .Select({"Id"})
                                        .Where(Soql::Eq("Email", SoqlValue::String(attack)))
                                        .Build(&error);
  ASSERT_TRUE(safe.has_value()) << error;
  EXPECT_EQ(Count(*client, *safe), 0) << *safe;
  // Backslashes and LIKE wildcards are literal too.
  std::optional<std::string> like = SoqlQuery::From("Contact")
                                        .Select({"Id"})
                                        .Where(Soql::StartsWith("LastName", "%\\' OR Name LIKE '%"))
                                        .Build(&error);
  ASSERT_TRUE(like.has_value()) << error;
  EXPECT_EQ(Count(*client, *like), 0) << *like;
}

TEST_F(SoqlInjectionTest, AnEscapedRealValueStillMatches) {
  std::unique_ptr<SalesforceClient> client = ConnectWithPassword();
  ApiResult any = client->Get("query?q=" + UrlEncodeComponent("SELECT Email FROM Contact WHERE Email != null LIMIT 1"));
  ASSERT_TRUE(any.ok());
  std::string error;
  std::string email = (*any.Json(&error))["records"][0]["Email"].get<std::string>();
  std::optional<std::string> q = SoqlQuery::From("Contact")
                                     .Select({"Id"})
                                     .Where(Soql::Eq("Email", SoqlValue::String(email)))
                                     .Build(&error);
  ASSERT_TRUE(q.has_value()) << error;
  EXPECT_GE(Count(*client, *q), 1);
}

}  // namespace
}  // namespace cf::sf
