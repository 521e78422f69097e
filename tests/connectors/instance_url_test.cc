// Instance and login URL validation: a table of what users type or paste, with the exact
// message each gets, the corrected URL offered, and what accepted URLs normalise to.
#include "connectors/salesforce/instance_url.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace cf::sf {
namespace {

struct Accepted {
  std::string input;
  std::string url;
  HostKind kind;
  OrgEnvironment environment;
  std::string my_domain;
  std::string login;  // LoginUrlFor
};

const InstanceUrlOptions kDefault;

TEST(InstanceUrlTest, AcceptedUrlsNormalise) {
  const std::vector<Accepted> table = {
      {"https://acme.my.salesforce.com", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      // A trailing slash, surrounding whitespace, upper case, the default port and a trailing
      // dot are accepted and dropped.
      {"https://acme.my.salesforce.com/", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      {"  https://acme.my.salesforce.com \n", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      {"HTTPS://ACME.My.SalesForce.COM", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com:443/", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com.", "https://acme.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme", "https://acme.my.salesforce.com"},
      // Sandboxes and other partitions.
      {"https://acme--uat.sandbox.my.salesforce.com", "https://acme--uat.sandbox.my.salesforce.com",
       HostKind::kMyDomain, OrgEnvironment::kSandbox, "acme--uat",
       "https://acme--uat.sandbox.my.salesforce.com"},
      {"https://acme.scratch.my.salesforce.com", "https://acme.scratch.my.salesforce.com",
       HostKind::kMyDomain, OrgEnvironment::kSandbox, "acme",
       "https://acme.scratch.my.salesforce.com"},
      {"https://acme-dev-ed.develop.my.salesforce.com",
       "https://acme-dev-ed.develop.my.salesforce.com", HostKind::kMyDomain,
       OrgEnvironment::kProduction, "acme-dev-ed", "https://acme-dev-ed.develop.my.salesforce.com"},
      {"https://acme--uat.cs42.my.salesforce.com", "https://acme--uat.cs42.my.salesforce.com",
       HostKind::kMyDomain, OrgEnvironment::kSandbox, "acme--uat",
       "https://acme--uat.cs42.my.salesforce.com"},
      {"https://acme--uat.my.salesforce.com", "https://acme--uat.my.salesforce.com",
       HostKind::kMyDomain, OrgEnvironment::kSandbox, "acme--uat",
       "https://acme--uat.my.salesforce.com"},
      {"https://acme.na1.my.salesforce.com", "https://acme.na1.my.salesforce.com",
       HostKind::kMyDomain, OrgEnvironment::kProduction, "acme",
       "https://acme.na1.my.salesforce.com"},
      // Legacy instances: OAuth goes through the generic login hosts.
      {"https://na1.salesforce.com", "https://na1.salesforce.com", HostKind::kLegacyInstance,
       OrgEnvironment::kProduction, "", "https://login.salesforce.com"},
      {"https://cs42.salesforce.com", "https://cs42.salesforce.com", HostKind::kLegacyInstance,
       OrgEnvironment::kSandbox, "", "https://test.salesforce.com"},
      {"https://eu12.salesforce.com/", "https://eu12.salesforce.com", HostKind::kLegacyInstance,
       OrgEnvironment::kProduction, "", "https://login.salesforce.com"},
  };
  for (const Accepted& row : table) {
    UrlProblem problem;
    std::optional<InstanceUrl> url = ParseInstanceUrl(row.input, kDefault, &problem);
    ASSERT_TRUE(url.has_value()) << row.input << ": " << problem.message;
    EXPECT_EQ(url->url, row.url) << row.input;
    EXPECT_EQ(url->scheme, "https");
    EXPECT_EQ(url->port, 0);
    EXPECT_EQ(url->kind, row.kind) << row.input << ": " << HostKindName(url->kind);
    EXPECT_EQ(url->environment, row.environment)
        << row.input << ": " << OrgEnvironmentName(url->environment);
    EXPECT_EQ(url->my_domain, row.my_domain) << row.input;
    EXPECT_EQ(LoginUrlFor(*url), row.login) << row.input;
  }
}

struct Refused {
  std::string input;
  std::string message;     // exact
  std::string suggestion;  // exact ("" when none)
};

TEST(InstanceUrlTest, RefusedUrlsSayWhatToDo) {
  const std::string kUse =
      "use your org's My Domain URL, e.g. https://yourcompany.my.salesforce.com (Setup > My "
      "Domain shows it)";
  const std::vector<Refused> table = {
      // The product guide's example: a path after the host.
      {"https://acme.my.salesforce.com/services/data/v60.0",
       "Invalid Instance URL: remove the path \"/services/data/v60.0\" after \".com\": the "
       "instance URL is the host only, e.g. https://acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com/home/home.jsp",
       "Invalid Instance URL: remove the path \"/home/home.jsp\" after \".com\": the instance URL "
       "is the host only, e.g. https://acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com?startURL=%2Fhome",
       "Invalid Instance URL: remove the query (from \"?\") after \".com\": the instance URL is "
       "the host only, e.g. https://acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com/#section",
       "Invalid Instance URL: remove the fragment (from \"#\") after \".com\": the instance URL "
       "is the host only, e.g. https://acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com/secur/frontdoor.jsp?sid=X#y",
       "Invalid Instance URL: remove the path \"/secur/frontdoor.jsp\", the query (from \"?\") "
       "and the fragment (from \"#\") after \".com\": the instance URL is the host only, e.g. "
       "https://acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      // Scheme problems.
      {"http://acme.my.salesforce.com",
       "Invalid Instance URL: use https://, not http://: Salesforce accepts only HTTPS",
       "https://acme.my.salesforce.com"},
      {"acme.my.salesforce.com",
       "Invalid Instance URL: add https:// before the host, e.g. "
       "https://yourcompany.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"acme.my.salesforce.com/home",
       "Invalid Instance URL: add https:// before the host, e.g. "
       "https://yourcompany.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https//acme.my.salesforce.com",
       "Invalid Instance URL: the URL must start with https:// (a colon and two forward "
       "slashes)",
       "https://acme.my.salesforce.com"},
      {"https:/acme.my.salesforce.com",
       "Invalid Instance URL: the URL must start with https:// (a colon and two forward "
       "slashes)",
       "https://acme.my.salesforce.com"},
      {"ftp://acme.my.salesforce.com", "Invalid Instance URL: use https://, not ftp://",
       "https://acme.my.salesforce.com"},
      {"https://https://acme.my.salesforce.com",
       "Invalid Instance URL: the URL has the scheme twice; remove the first \"https://\"",
       "https://acme.my.salesforce.com"},
      // Hosts users paste by mistake.
      {"https://acme.lightning.force.com/lightning/page/home",
       "Invalid Instance URL: \"acme.lightning.force.com\" is the Lightning Experience address, "
       "not the API's; use acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme--uat.sandbox.lightning.force.com",
       "Invalid Instance URL: \"acme--uat.sandbox.lightning.force.com\" is the Lightning "
       "Experience address, not the API's; use acme--uat.sandbox.my.salesforce.com",
       "https://acme--uat.sandbox.my.salesforce.com"},
      {"https://acme--c.vf.force.com/apex/Page",
       "Invalid Instance URL: \"acme--c.vf.force.com\" is a Visualforce page address, not the "
       "API's; use acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce-setup.com",
       "Invalid Instance URL: \"acme.my.salesforce-setup.com\" is the Setup address, not the "
       "API's; use acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.site.com",
       "Invalid Instance URL: \"acme.my.site.com\" is an Experience Cloud site, not your org's "
       "API address; use your org's My Domain URL (Setup > My Domain), probably "
       "acme.my.salesforce.com",
       "https://acme.my.salesforce.com"},
      {"https://login.salesforce.com",
       "Invalid Instance URL: \"login.salesforce.com\" is Salesforce's login page, not your "
       "org's address; use your org's My Domain URL, e.g. https://yourcompany.my.salesforce.com "
       "(Setup > My Domain shows it)",
       ""},
      {"https://test.salesforce.com/",
       "Invalid Instance URL: \"test.salesforce.com\" is Salesforce's login page, not your org's "
       "address; use your org's My Domain URL, e.g. "
       "https://yourcompany--sandboxname.sandbox.my.salesforce.com (Setup > My Domain shows it)",
       ""},
      {"https://www.salesforce.com",
       "Invalid Instance URL: \"www.salesforce.com\" is a Salesforce web site, not an org; " + kUse,
       ""},
      {"https://my.salesforce.com",
       "Invalid Instance URL: add your My Domain name before \".my.salesforce.com\", e.g. "
       "https://yourcompany.my.salesforce.com",
       ""},
      // Typos.
      {"https://acme.my.salesforce.co",
       "Invalid Instance URL: \"acme.my.salesforce.co\" is not a Salesforce host; did you mean "
       "acme.my.salesforce.com?",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforse.com",
       "Invalid Instance URL: \"acme.my.salesforse.com\" is not a Salesforce host; did you mean "
       "acme.my.salesforce.com?",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salseforce.com/",
       "Invalid Instance URL: \"acme.my.salseforce.com\" is not a Salesforce host; did you mean "
       "acme.my.salesforce.com?",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce",
       "Invalid Instance URL: \"acme.my.salesforce\" is not a Salesforce host; did you mean "
       "acme.my.salesforce.com?",
       "https://acme.my.salesforce.com"},
      // Not Salesforce at all.
      {"https://acme.my.salesforce.com.evil.example",
       "Invalid Instance URL: \"acme.my.salesforce.com.evil.example\" is not a Salesforce host; " +
           kUse,
       ""},
      {"https://example.com",
       "Invalid Instance URL: \"example.com\" is not a Salesforce host; " + kUse, ""},
      // Ports, user info, characters.
      {"https://acme.my.salesforce.com:8443",
       "Invalid Instance URL: remove the port \":8443\": Salesforce serves the API on the "
       "standard HTTPS port",
       "https://acme.my.salesforce.com"},
      {"https://acme.my.salesforce.com:abc",
       "Invalid Instance URL: the port \":abc\" is not a number", ""},
      {"https://admin:Pa55w0rd@acme.my.salesforce.com",
       "Invalid Instance URL: remove the user name and password (the part before \"@\"): the "
       "connector signs in with OAuth, never with credentials in the URL",
       "https://acme.my.salesforce.com"},
      {"https://acme .my.salesforce.com",
       "Invalid Instance URL: the URL contains a space; remove it", ""},
      {"https://\xd0\xb0"
       "cme.my.salesforce.com",  // Cyrillic a
       "Invalid Instance URL: the URL contains non-ASCII characters (often a look-alike letter "
       "or an invisible character picked up by copying); Salesforce hosts are plain ASCII: type "
       "the URL again",
       ""},
      {"\"https://acme.my.salesforce.com\"",
       "Invalid Instance URL: remove the quotes around the URL", "https://acme.my.salesforce.com"},
      {"https://acme..my.salesforce.com",
       "Invalid Instance URL: the host \"acme..my.salesforce.com\" is not a valid host name "
       "(letters, digits, '-' and dots between them)",
       ""},
      {"https://-acme.my.salesforce.com",
       "Invalid Instance URL: the host \"-acme.my.salesforce.com\" is not a valid host name "
       "(letters, digits, '-' and dots between them)",
       ""},
      {"https://foo.acme.my.salesforce.com",
       "Invalid Instance URL: \"foo.acme.my.salesforce.com\" is not a My Domain host; one "
       "looks like yourcompany.my.salesforce.com or "
       "yourcompany--sandboxname.sandbox.my.salesforce.com",
       ""},
      {"https://a.b.acme.my.salesforce.com",
       "Invalid Instance URL: \"a.b.acme.my.salesforce.com\" is not a My Domain host; one "
       "looks like yourcompany.my.salesforce.com or "
       "yourcompany--sandboxname.sandbox.my.salesforce.com",
       ""},
      {"",
       "Invalid Instance URL: the URL is empty; enter your org's My Domain URL, e.g. "
       "https://yourcompany.my.salesforce.com (Setup > My Domain shows it)",
       ""},
      {"   ",
       "Invalid Instance URL: the URL is empty; enter your org's My Domain URL, e.g. "
       "https://yourcompany.my.salesforce.com (Setup > My Domain shows it)",
       ""},
      {"https://",
       "Invalid Instance URL: the URL has no host; enter e.g. "
       "https://yourcompany.my.salesforce.com",
       ""},
      // Loopback needs the testing options.
      {"https://127.0.0.1:8443",
       "Invalid Instance URL: \"127.0.0.1\" is this computer, not Salesforce (loopback hosts are "
       "accepted only for local testing, with the testing option allow_loopback); " +
           kUse,
       ""},
      {"http://localhost:9000",
       "Invalid Instance URL: \"localhost\" is this computer, not Salesforce (loopback hosts are "
       "accepted only for local testing, with the testing option allow_loopback); " +
           kUse,
       ""},
  };
  size_t refused = 0;
  for (const Refused& row : table) {
    UrlProblem problem;
    std::optional<InstanceUrl> url = ParseInstanceUrl(row.input, kDefault, &problem);
    ++refused;
    ASSERT_FALSE(url.has_value()) << row.input << " was accepted as " << url->url;
    EXPECT_EQ(problem.message, row.message) << "input: " << row.input;
    EXPECT_EQ(problem.suggestion, row.suggestion) << "input: " << row.input;
    // Every suggestion is itself accepted.
    if (!problem.suggestion.empty()) {
      UrlProblem again;
      EXPECT_TRUE(ParseInstanceUrl(problem.suggestion, kDefault, &again).has_value())
          << problem.suggestion << ": " << again.message;
    }
  }
  EXPECT_GE(refused, 30u);
}

TEST(InstanceUrlTest, MessagesNeverRepeatCredentialsQueriesOrFragments) {
  const std::vector<std::string> inputs = {
      "https://admin:S3cretPassw0rd@acme.my.salesforce.com",
      "admin:S3cretPassw0rd@acme.my.salesforce.com",
      "https://acme.my.salesforce.com/?sid=00DS3cretPassw0rd",
      "https://acme.lightning.force.com/one/one.app#access_token=00DS3cretPassw0rd",
      "http://acme.my.salesforce.com/secur/frontdoor.jsp?sid=00DS3cretPassw0rd",
      "https://acme.my.salesforce.com:8443/?sid=S3cretPassw0rd",
  };
  for (const std::string& input : inputs) {
    UrlProblem problem;
    EXPECT_FALSE(ParseInstanceUrl(input, kDefault, &problem).has_value()) << input;
    EXPECT_EQ(problem.message.find("S3cretPassw0rd"), std::string::npos) << problem.message;
    EXPECT_EQ(problem.suggestion.find("S3cretPassw0rd"), std::string::npos) << problem.suggestion;
    EXPECT_EQ(problem.suggestion.find('?'), std::string::npos) << problem.suggestion;
  }
}

TEST(InstanceUrlTest, LoopbackAndCustomHostsNeedTestingOptions) {
  InstanceUrlOptions loopback;
  loopback.allow_loopback = true;
  UrlProblem problem;
  std::optional<InstanceUrl> url = ParseInstanceUrl("https://127.0.0.1:8443/", loopback, &problem);
  ASSERT_TRUE(url) << problem.message;
  EXPECT_EQ(url->url, "https://127.0.0.1:8443");
  EXPECT_EQ(url->port, 8443);
  EXPECT_EQ(url->kind, HostKind::kLoopback);
  EXPECT_EQ(url->environment, OrgEnvironment::kUnknown);
  EXPECT_EQ(LoginUrlFor(*url), "https://127.0.0.1:8443");
  EXPECT_EQ(TokenEndpoint(*url), "https://127.0.0.1:8443/services/oauth2/token");

  // http needs allow_insecure_loopback, and only ever for loopback.
  EXPECT_FALSE(ParseInstanceUrl("http://127.0.0.1:8080", loopback, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Instance URL: use https://; plain http is accepted only for a local test "
            "server with the testing option allow_insecure_loopback");
  InstanceUrlOptions insecure;
  insecure.allow_insecure_loopback = true;
  for (const char* ok : {"http://127.0.0.1:8080", "http://localhost:9000/", "http://[::1]:9000",
                         "http://127.1.2.3", "https://localhost:8443"}) {
    url = ParseInstanceUrl(ok, insecure, &problem);
    ASSERT_TRUE(url) << ok << ": " << problem.message;
    EXPECT_EQ(url->kind, HostKind::kLoopback);
  }
  url = ParseInstanceUrl("http://[::1]:9000/", insecure, &problem);
  EXPECT_EQ(url->url, "http://[::1]:9000");
  EXPECT_EQ(url->host, "::1");
  url = ParseInstanceUrl("http://127.0.0.1:8080/", insecure, &problem);
  EXPECT_EQ(url->url, "http://127.0.0.1:8080");
  EXPECT_EQ(url->scheme, "http");
  EXPECT_FALSE(ParseInstanceUrl("http://10.0.0.5:8080", insecure, &problem));
  EXPECT_FALSE(ParseInstanceUrl("http://acme.my.salesforce.com", insecure, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Instance URL: use https://, not http://: Salesforce accepts only HTTPS");
  // A path is still an error, named against the host and port.
  EXPECT_FALSE(ParseInstanceUrl("http://127.0.0.1:8080/services/data", insecure, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Instance URL: remove the path \"/services/data\" after \"127.0.0.1:8080\": "
            "the instance URL is the host only, e.g. http://127.0.0.1:8080");
  EXPECT_EQ(problem.suggestion, "http://127.0.0.1:8080");
  EXPECT_FALSE(ParseInstanceUrl("http://[::1]:9000/x?y", insecure, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Instance URL: remove the path \"/x\" and the query (from \"?\") after "
            "\"[::1]:9000\": the instance URL is the host only, e.g. http://[::1]:9000");
  EXPECT_FALSE(ParseInstanceUrl("https://sfemu.test/x",
                                InstanceUrlOptions{.additional_hosts = {"sfemu.test"}}, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Instance URL: remove the path \"/x\" after \".test\": the instance URL is "
            "the host only, e.g. https://sfemu.test");

  InstanceUrlOptions custom;
  custom.additional_hosts = {"sfemu.test"};
  url = ParseInstanceUrl("https://SFEMU.test:9443", custom, &problem);
  ASSERT_TRUE(url) << problem.message;
  EXPECT_EQ(url->kind, HostKind::kCustom);
  EXPECT_EQ(url->url, "https://sfemu.test:9443");
  EXPECT_FALSE(ParseInstanceUrl("http://sfemu.test:9443", custom, &problem));
}

TEST(LoginUrlTest, LoginHostsAndMyDomain) {
  UrlProblem problem;
  std::optional<InstanceUrl> login =
      ParseLoginUrl("https://login.salesforce.com/", kDefault, &problem);
  ASSERT_TRUE(login) << problem.message;
  EXPECT_EQ(login->kind, HostKind::kLoginHost);
  EXPECT_EQ(login->environment, OrgEnvironment::kProduction);
  EXPECT_EQ(TokenEndpoint(*login), "https://login.salesforce.com/services/oauth2/token");

  login = ParseLoginUrl("https://test.salesforce.com", kDefault, &problem);
  ASSERT_TRUE(login) << problem.message;
  EXPECT_EQ(login->environment, OrgEnvironment::kSandbox);

  login = ParseLoginUrl("https://acme--uat.sandbox.my.salesforce.com", kDefault, &problem);
  ASSERT_TRUE(login) << problem.message;
  EXPECT_EQ(LoginUrlFor(*login), "https://acme--uat.sandbox.my.salesforce.com");

  EXPECT_FALSE(ParseLoginUrl("https://na1.salesforce.com", kDefault, &problem));
  EXPECT_EQ(problem.message,
            "Invalid Login URL: \"na1.salesforce.com\" is an instance host, not a login host; "
            "use https://login.salesforce.com or your org's My Domain URL");
  EXPECT_EQ(problem.suggestion, "https://login.salesforce.com");
  EXPECT_FALSE(ParseLoginUrl("https://cs42.salesforce.com", kDefault, &problem));
  EXPECT_EQ(problem.suggestion, "https://test.salesforce.com");
  EXPECT_FALSE(
      ParseLoginUrl("https://login.salesforce.com/services/oauth2/token", kDefault, &problem));
  EXPECT_EQ(problem.suggestion, "https://login.salesforce.com");

  EXPECT_EQ(GenericLoginUrl(OrgEnvironment::kSandbox), "https://test.salesforce.com");
  EXPECT_EQ(GenericLoginUrl(OrgEnvironment::kProduction), "https://login.salesforce.com");
  EXPECT_EQ(GenericLoginUrl(OrgEnvironment::kUnknown), "https://login.salesforce.com");
}

TEST(InstanceUrlTest, ArbitraryInputNeverCrashes) {
  std::string text = "https://acme.my.salesforce.com/";
  UrlProblem problem;
  for (int i = 0; i < 2000; ++i) {
    std::string mutated = text;
    mutated[static_cast<size_t>(i * 7) % mutated.size()] = static_cast<char>((i * 37) % 256);
    if (i % 3 == 0) mutated.insert(static_cast<size_t>(i) % mutated.size(), "[:@/?#.%");
    ParseInstanceUrl(mutated, kDefault, &problem);
    ParseLoginUrl(mutated, kDefault, &problem);
  }
  ParseInstanceUrl(std::string(10000, 'a') + ".my.salesforce.com", kDefault, &problem);
  ParseInstanceUrl("https://[", kDefault, &problem);
  ParseInstanceUrl("https://[]:", kDefault, &problem);
  ParseInstanceUrl("https://:443", kDefault, &problem);
  ParseInstanceUrl("https://@", kDefault, &problem);
}

}  // namespace
}  // namespace cf::sf
