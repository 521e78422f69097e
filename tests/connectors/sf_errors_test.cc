// Error classification: the captured samples, every row of the emulator spec's error tables
// (REST and OAuth), transport failures, all errors of an answer kept, retry advice, and bodies
// that are not Salesforce errors.
#include "connectors/salesforce/sf_errors.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace cf::sf {
namespace {

using std::chrono::seconds;

std::string Sample(const std::string& path) {
  std::ifstream in(std::string(CF_TEST_DATA_DIR) + "/salesforce-samples/" + path, std::ios::binary);
  EXPECT_TRUE(in) << "cannot open " << path;
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string RestBody(const std::string& code, const std::string& message,
                     const std::vector<std::string>& fields = {}) {
  nlohmann::json e = {{"message", message}, {"errorCode", code}};
  if (!fields.empty()) e["fields"] = fields;
  return nlohmann::json::array({e}).dump();
}

TEST(SfErrorsSampleTest, MalformedQueryLive) {
  SfFailure f = ClassifyResponse(400, Sample("errors/error_400_MALFORMED_QUERY_live.json"));
  EXPECT_EQ(f.http_status, 400);
  EXPECT_EQ(f.category, ErrorCategory::kMalformedRequest);
  EXPECT_EQ(f.retry, RetryAdvice::kNever);
  EXPECT_EQ(f.troubleshooting, TroubleshootingCase::kNone);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].error_code, "MALFORMED_QUERY");
  EXPECT_EQ(f.errors[0].message, "unexpected token: 'invalid'");
  EXPECT_TRUE(f.errors[0].fields.empty());
  EXPECT_EQ(f.Describe(),
            "Bad request: Salesforce refused the request as built (MALFORMED_QUERY); this is a "
            "defect of the connector or a schema change: refresh the schema, and report it if it "
            "persists\n  - MALFORMED_QUERY: unexpected token: 'invalid'");
}

TEST(SfErrorsSampleTest, InvalidSessionIdIsRefreshThenRetryOnce) {
  SfFailure f = ClassifyResponse(401, Sample("errors/error_401_INVALID_SESSION_ID.json"));
  EXPECT_EQ(f.category, ErrorCategory::kSessionExpired);
  EXPECT_EQ(f.retry, RetryAdvice::kRefreshThenRetryOnce);
  EXPECT_EQ(f.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
  EXPECT_FALSE(f.reconnect_required);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0], (SalesforceError{"INVALID_SESSION_ID", "Session expired or invalid", {}}));
}

TEST(SfErrorsSampleTest, OAuthInvalidClientId) {
  SfFailure f = ClassifyResponse(400, Sample("oauth/oauth_error_invalid_client_id.json"));
  EXPECT_EQ(f.category, ErrorCategory::kAuthenticationFailed);
  EXPECT_EQ(f.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
  EXPECT_EQ(f.retry, RetryAdvice::kNever);
  EXPECT_FALSE(f.reconnect_required);
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].error_code, "invalid_client_id");
  EXPECT_EQ(f.errors[0].message, "client identifier invalid");
  EXPECT_EQ(f.summary.rfind("Authentication Failed: the consumer key (client id) is unknown", 0),
            0u)
      << f.summary;
}

TEST(SfErrorsSampleTest, OAuthRefreshExpiredNeedsReconnect) {
  SfFailure f = ClassifyResponse(400, Sample("oauth/oauth_error_refresh_expired.json"));
  EXPECT_EQ(f.category, ErrorCategory::kAuthenticationFailed);
  EXPECT_EQ(f.retry, RetryAdvice::kNever);
  EXPECT_TRUE(f.reconnect_required);
  EXPECT_NE(f.summary.find("reconnect it to Salesforce"), std::string::npos) << f.summary;
}

struct Row {
  int status;
  std::string code;
  std::string message;
  std::vector<std::string> fields;
  ErrorCategory category;
  TroubleshootingCase troubleshooting;
  RetryAdvice retry;
};

// The emulator spec's REST error table, row by row.
TEST(SfErrorsSpecTableTest, RestErrors) {
  using C = ErrorCategory;
  using T = TroubleshootingCase;
  using R = RetryAdvice;
  const std::vector<Row> table = {
      {401,
       "INVALID_AUTH_HEADER",
       "INVALID_HEADER_TYPE",
       {},
       C::kAuthenticationFailed,
       T::kAuthenticationFailed,
       R::kNever},
      {401,
       "INVALID_SESSION_ID",
       "Session expired or invalid",
       {},
       C::kSessionExpired,
       T::kAuthenticationFailed,
       R::kRefreshThenRetryOnce},
      {403,
       "REQUEST_LIMIT_EXCEEDED",
       "TotalRequests Limit exceeded.",
       {},
       C::kApiLimitExceeded,
       T::kApiLimitExceeded,
       R::kWaitForLimitReset},
      {403,
       "API_DISABLED_FOR_ORG",
       "API is not enabled for this Organization or Partner",
       {},
       C::kInsufficientPrivileges,
       T::kInsufficientPrivileges,
       R::kNever},
      {403,
       "API_CURRENTLY_DISABLED",
       "API is disabled for this User",
       {},
       C::kInsufficientPrivileges,
       T::kInsufficientPrivileges,
       R::kNever},
      {400,
       "INSUFFICIENT_ACCESS_OR_READONLY",
       "insufficient access rights on object id",
       {},
       C::kInsufficientPrivileges,
       T::kInsufficientPrivileges,
       R::kNever},
      {404,
       "NOT_FOUND",
       "The requested resource does not exist",
       {},
       C::kNotFound,
       T::kNone,
       R::kNever},
      {404, "ENTITY_IS_DELETED", "entity is deleted", {}, C::kNotFound, T::kNone, R::kNever},
      {400,
       "INVALID_FIELD",
       "No such column 'X' on sobject of type Lead",
       {},
       C::kMalformedRequest,
       T::kNone,
       R::kNever},
      {400,
       "MALFORMED_QUERY",
       "\nSELECT Id FROM\n ^\nERROR at Row:1:Column:15\nunexpected token",
       {},
       C::kMalformedRequest,
       T::kNone,
       R::kNever},
      {400,
       "INVALID_TYPE",
       "sObject type 'Nope' is not supported.",
       {},
       C::kMalformedRequest,
       T::kNone,
       R::kNever},
      {400,
       "REQUIRED_FIELD_MISSING",
       "Required fields are missing: [LastName, Company]",
       {"LastName", "Company"},
       C::kValidation,
       T::kNone,
       R::kNever},
      {400,
       "FIELD_CUSTOM_VALIDATION_EXCEPTION",
       "Amount must be positive",
       {"Amount"},
       C::kValidation,
       T::kNone,
       R::kNever},
      {400,
       "DUPLICATE_VALUE",
       "duplicate value found: External_Id__c",
       {"External_Id__c"},
       C::kValidation,
       T::kNone,
       R::kNever},
      {400,
       "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
       "bad value for restricted picklist field",
       {"Status"},
       C::kValidation,
       T::kNone,
       R::kNever},
      {400, "MALFORMED_ID", "malformed id 001XYZ", {}, C::kMalformedRequest, T::kNone, R::kNever},
      {400,
       "STRING_TOO_LONG",
       "Company: data value too large",
       {"Company"},
       C::kValidation,
       T::kNone,
       R::kNever},
      {400,
       "JSON_PARSER_ERROR",
       "Unexpected character",
       {},
       C::kMalformedRequest,
       T::kNone,
       R::kNever},
      {405,
       "METHOD_NOT_ALLOWED",
       "HTTP Method 'PUT' not allowed",
       {},
       C::kMalformedRequest,
       T::kNone,
       R::kNever},
      // Faults the emulator injects.
      {400,
       "QUERY_TIMEOUT",
       "Your query request was running for too long.",
       {},
       C::kTransient,
       T::kNone,
       R::kRetryWithBackoff},
      {400,
       "UNABLE_TO_LOCK_ROW",
       "unable to obtain exclusive access to this record",
       {},
       C::kTransient,
       T::kNone,
       R::kRetryWithBackoff},
      {500,
       "UNKNOWN_EXCEPTION",
       "An unexpected error occurred",
       {},
       C::kTransient,
       T::kNone,
       R::kRetryWithBackoff},
      {503,
       "SERVER_UNAVAILABLE",
       "Server temporarily unavailable",
       {},
       C::kTransient,
       T::kNone,
       R::kRetryWithBackoff},
      {403,
       "REQUEST_LIMIT_EXCEEDED",
       "ConcurrentPerOrgLongTxn Limit exceeded.",
       {},
       C::kTransient,
       T::kApiLimitExceeded,
       R::kRetryWithBackoff},
      // Composite and collections.
      {400,
       "ALL_OR_NONE_OPERATION_ROLLED_BACK",
       "Record rolled back because not all records "
       "were valid and the request was using AllOrNone header",
       {},
       C::kNotProcessed,
       T::kNone,
       R::kResubmitSeparately},
      {400,
       "PROCESSING_HALTED",
       "The transaction was rolled back since another operation in "
       "the same transaction failed.",
       {},
       C::kNotProcessed,
       T::kNone,
       R::kResubmitSeparately},
      {400,
       "INVALID_FIELD_FOR_INSERT_UPDATE",
       "Unable to create/update fields: Secret__c.",
       {"Secret__c"},
       C::kInsufficientPrivileges,
       T::kInsufficientPrivileges,
       R::kNever},
      {400,
       "SOME_FUTURE_CODE",
       "a code this version does not know",
       {},
       C::kValidation,
       T::kNone,
       R::kNever},
      {503,
       "SOME_FUTURE_CODE",
       "a code this version does not know",
       {},
       C::kTransient,
       T::kNone,
       R::kRetryWithBackoff},
  };
  for (const Row& row : table) {
    SfFailure f = ClassifyResponse(row.status, RestBody(row.code, row.message, row.fields));
    EXPECT_EQ(f.category, row.category)
        << row.code << ": got " << ErrorCategoryName(f.category) << " - " << f.summary;
    EXPECT_EQ(f.troubleshooting, row.troubleshooting)
        << row.code << ": got " << TroubleshootingCaseName(f.troubleshooting);
    EXPECT_EQ(f.retry, row.retry) << row.code << ": got " << RetryAdviceName(f.retry);
    EXPECT_EQ(f.retryable(), row.retry == RetryAdvice::kRetryWithBackoff);
    ASSERT_EQ(f.errors.size(), 1u) << row.code;
    EXPECT_EQ(f.errors[0], (SalesforceError{row.code, row.message, row.fields})) << row.code;
    EXPECT_FALSE(f.summary.empty());
    // The four troubleshooting cases lead their summary.
    if (row.troubleshooting != TroubleshootingCase::kNone &&
        row.category != ErrorCategory::kSessionExpired) {
      EXPECT_EQ(f.summary.rfind(TroubleshootingCaseName(row.troubleshooting), 0), 0u) << f.summary;
    }
  }
}

TEST(SfErrorsSpecTableTest, RetiredApiVersionHasNoBody) {
  SfFailure f = ClassifyResponse(410, "");
  EXPECT_EQ(f.category, ErrorCategory::kMalformedRequest);
  EXPECT_EQ(f.retry, RetryAdvice::kNever);
  EXPECT_NE(f.summary.find("retired this API version"), std::string::npos);
  EXPECT_TRUE(f.errors.empty());
}

// The OAuth table of the emulator spec.
TEST(SfErrorsSpecTableTest, OAuthErrors) {
  struct OAuthRow {
    std::string error;
    std::string description;
    bool reconnect;
    std::string summary_start;
  };
  const std::vector<OAuthRow> table = {
      {"invalid_grant", "authentication failure", false,
       "Authentication Failed: Salesforce refused the username or password"},
      {"invalid_client_id", "client identifier invalid", false,
       "Authentication Failed: the consumer key (client id) is unknown"},
      {"invalid_client", "invalid client credentials", false,
       "Authentication Failed: the consumer secret (client secret) is wrong"},
      {"invalid_grant", "expired access/refresh token", true,
       "Authentication Failed: the refresh token is expired or was revoked"},
      {"unsupported_grant_type", "grant type not supported", false,
       "Authentication Failed: the org or connected app does not allow this OAuth flow"},
      {"invalid_grant", "ip restricted or invalid login hours", false,
       "Authentication Failed: the user may not log in from this IP address"},
      {"invalid_grant", "invalid authorization code", true,
       "Authentication Failed: the authorization code is invalid or expired"},
  };
  for (const OAuthRow& row : table) {
    nlohmann::json body = {{"error", row.error}, {"error_description", row.description}};
    SfFailure f = ClassifyResponse(400, body.dump());
    EXPECT_EQ(f.category, ErrorCategory::kAuthenticationFailed) << row.error;
    EXPECT_EQ(f.troubleshooting, TroubleshootingCase::kAuthenticationFailed);
    EXPECT_EQ(f.retry, RetryAdvice::kNever);
    EXPECT_EQ(f.reconnect_required, row.reconnect) << row.description;
    EXPECT_EQ(f.summary.rfind(row.summary_start, 0), 0u) << f.summary;
    ASSERT_EQ(f.errors.size(), 1u);
    EXPECT_EQ(f.errors[0].error_code, row.error);
    EXPECT_EQ(f.errors[0].message, row.description);
  }
  SfFailure server = ClassifyResponse(
      503, nlohmann::json({{"error", "server_error"}, {"error_description", "down"}}).dump());
  EXPECT_EQ(server.category, ErrorCategory::kTransient);
}

TEST(SfErrorsTest, KeepsEveryErrorAndTheMostTellingLeads) {
  const std::string body = R"([
    {"message": "Required fields are missing: [LastName]", "errorCode": "REQUIRED_FIELD_MISSING",
     "fields": ["LastName"]},
    {"message": "Email: invalid email address: x", "errorCode": "INVALID_EMAIL_ADDRESS",
     "fields": ["Email"]},
    {"message": "Unable to create/update fields: Secret__c.",
     "errorCode": "INVALID_FIELD_FOR_INSERT_UPDATE", "fields": ["Secret__c", "Other__c"]}
  ])";
  SfFailure f = ClassifyResponse(400, body);
  ASSERT_EQ(f.errors.size(), 3u);
  EXPECT_EQ(f.errors[1].error_code, "INVALID_EMAIL_ADDRESS");
  EXPECT_EQ(f.errors[2].fields, (std::vector<std::string>{"Secret__c", "Other__c"}));
  // Missing privileges changes what the user must do most: it speaks for the answer.
  EXPECT_EQ(f.category, ErrorCategory::kInsufficientPrivileges);
  EXPECT_EQ(f.Describe(),
            "Insufficient Privileges: a field cannot be written by the integration user: make it "
            "editable in field-level security, or remove it from the rule's action\n"
            "  - REQUIRED_FIELD_MISSING: Required fields are missing: [LastName] (fields: "
            "LastName)\n"
            "  - INVALID_EMAIL_ADDRESS: Email: invalid email address: x (fields: Email)\n"
            "  - INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create/update fields: Secret__c. "
            "(fields: Secret__c, Other__c)");

  SfFailure limit = ClassifyResponse(403, R"([{"message":"x","errorCode":"INVALID_FIELD"},
               {"message":"TotalRequests Limit exceeded.","errorCode":"REQUEST_LIMIT_EXCEEDED"}])");
  EXPECT_EQ(limit.category, ErrorCategory::kApiLimitExceeded);
  EXPECT_EQ(limit.retry, RetryAdvice::kWaitForLimitReset);
  EXPECT_EQ(limit.errors.size(), 2u);
}

TEST(SfErrorsTest, PerRecordErrorsOfCollections) {
  // sObject Collections: HTTP 200 for the batch, errors per record in the statusCode form.
  nlohmann::json results = nlohmann::json::parse(R"([
    {"id": "00Q000000000001AAA", "success": true, "errors": []},
    {"success": false, "errors": [{"statusCode": "REQUIRED_FIELD_MISSING",
      "message": "Required fields are missing: [Company]", "fields": ["Company"]}]},
    {"success": false, "errors": [{"statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
      "message": "Record rolled back", "fields": []}]}
  ])");
  std::optional<std::vector<SalesforceError>> none = ErrorsFromJson(results[0]["errors"]);
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  std::optional<std::vector<SalesforceError>> second = ErrorsFromJson(results[1]["errors"]);
  ASSERT_TRUE(second);
  SfFailure f = ClassifyErrors(0, *second);
  EXPECT_EQ(f.category, ErrorCategory::kValidation);
  EXPECT_EQ(f.errors[0].fields, (std::vector<std::string>{"Company"}));
  SfFailure rolled = ClassifyErrors(0, *ErrorsFromJson(results[2]["errors"]));
  EXPECT_EQ(rolled.retry, RetryAdvice::kResubmitSeparately);

  // A Composite subresponse body is a REST error array.
  std::optional<std::vector<SalesforceError>> sub = ParseErrorBody(
      R"([{"errorCode":"PROCESSING_HALTED","message":"The transaction was rolled back"}])");
  ASSERT_TRUE(sub);
  EXPECT_EQ(ClassifyErrors(400, *sub).category, ErrorCategory::kNotProcessed);
  // A single object is accepted too.
  sub = ParseErrorBody(R"({"errorCode":"NOT_FOUND","message":"gone"})");
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->size(), 1u);
  EXPECT_FALSE(ParseErrorBody(R"({"id":"001"})"));
  EXPECT_FALSE(ParseErrorBody("[1, 2]"));
  EXPECT_FALSE(ParseErrorBody("not json"));
}

TEST(SfErrorsTest, StatusesWithoutSalesforceBodies) {
  struct StatusRow {
    int status;
    std::string body;
    ErrorCategory category;
    RetryAdvice retry;
  };
  const std::vector<StatusRow> table = {
      {420, "", ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
      {500, "", ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
      {502, "<html><body>Bad Gateway</body></html>", ErrorCategory::kTransient,
       RetryAdvice::kRetryWithBackoff},
      {503, "Service Unavailable", ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
      {504, "", ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
      {429, "", ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
      {302, "", ErrorCategory::kInvalidInstanceUrl, RetryAdvice::kNever},
      {404, "<html>Not Found</html>", ErrorCategory::kInvalidInstanceUrl, RetryAdvice::kNever},
      {404, "[]", ErrorCategory::kNotFound, RetryAdvice::kNever},
      {401, "", ErrorCategory::kAuthenticationFailed, RetryAdvice::kNever},
      {403, "", ErrorCategory::kInsufficientPrivileges, RetryAdvice::kNever},
      {400, "", ErrorCategory::kMalformedRequest, RetryAdvice::kNever},
      {300,
       R"(["/services/data/v60.0/sobjects/Account/001A","/services/data/v60.0/sobjects/Account/001B"])",
       ErrorCategory::kValidation, RetryAdvice::kNever},
  };
  for (const StatusRow& row : table) {
    SfFailure f = ClassifyResponse(row.status, row.body);
    EXPECT_EQ(f.category, row.category) << row.status << ": " << f.summary;
    EXPECT_EQ(f.retry, row.retry) << row.status;
    EXPECT_TRUE(f.errors.empty()) << row.status;
  }
  // A body that is not a Salesforce error is described by size, never echoed.
  SfFailure html = ClassifyResponse(502, "<html>secret-looking proxy page</html>");
  EXPECT_EQ(html.summary.find("secret-looking"), std::string::npos);
  EXPECT_NE(html.summary.find("38 bytes that are not a Salesforce error"), std::string::npos)
      << html.summary;
}

TEST(SfErrorsTest, TransportFailures) {
  struct TransportRow {
    TransportFailure failure;
    ErrorCategory category;
    RetryAdvice retry;
  };
  for (const TransportRow& row : std::vector<TransportRow>{
           {TransportFailure::kConnectionReset, ErrorCategory::kTransient,
            RetryAdvice::kRetryWithBackoff},
           {TransportFailure::kTimeout, ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
           {TransportFailure::kConnectionRefused, ErrorCategory::kTransient,
            RetryAdvice::kRetryWithBackoff},
           {TransportFailure::kHostNotFound, ErrorCategory::kInvalidInstanceUrl,
            RetryAdvice::kNever},
           {TransportFailure::kCertificate, ErrorCategory::kUnknown, RetryAdvice::kNever},
           {TransportFailure::kTlsHandshake, ErrorCategory::kUnknown, RetryAdvice::kNever},
           {TransportFailure::kOther, ErrorCategory::kTransient, RetryAdvice::kRetryWithBackoff},
       }) {
    SfFailure f = ClassifyTransport(row.failure, "detail");
    EXPECT_EQ(f.category, row.category) << f.summary;
    EXPECT_EQ(f.retry, row.retry) << f.summary;
    EXPECT_EQ(f.http_status, 0);
    EXPECT_NE(f.summary.find("(detail)"), std::string::npos) << f.summary;
  }
  SfFailure dns = ClassifyTransport(TransportFailure::kHostNotFound);
  EXPECT_EQ(dns.summary,
            "Invalid Instance URL: the instance URL's host does not exist: check the My Domain "
            "name (Setup > My Domain)");
  EXPECT_EQ(dns.troubleshooting, TroubleshootingCase::kInvalidInstanceUrl);
  SfFailure long_detail = ClassifyTransport(TransportFailure::kTimeout, std::string(500, 'x'));
  EXPECT_LT(long_detail.summary.size(), 300u);
}

TEST(SfErrorsTest, RetryAfter) {
  const auto now = std::chrono::sys_days(std::chrono::year(2026) / 10 / 21) +
                   std::chrono::hours(7) + std::chrono::minutes(28);
  EXPECT_EQ(ParseRetryAfter("120", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter(" 0 ", now), seconds(0));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:30:00 GMT", now), seconds(120));
  EXPECT_EQ(ParseRetryAfter("Wed, 21 Oct 2026 07:00:00 GMT", now), seconds(0));
  for (const char* bad : {"", "-5", "1.5", "soon", "Wed, 21 Oct 2026 07:30:00 UTC",
                          "Wed, 32 Oct 2026 07:30:00 GMT", "Wed, 21 Foo 2026 07:30:00 GMT"}) {
    EXPECT_EQ(ParseRetryAfter(bad, now), std::nullopt) << bad;
  }
  SfFailure f = ClassifyResponse(503, "", "30");
  EXPECT_EQ(f.retry_after, seconds(30));
}

TEST(SfErrorsTest, AnyBodyIsSafe) {
  std::string deep(100000, '[');
  SfFailure f = ClassifyResponse(400, deep);
  EXPECT_EQ(f.category, ErrorCategory::kMalformedRequest);
  f = ClassifyResponse(500, std::string("\xff\xfe\x00garbage", 10));
  EXPECT_EQ(f.category, ErrorCategory::kTransient);
  f = ClassifyResponse(400, R"([{"errorCode": 5, "message": ["x"], "fields": "Name"}])");
  EXPECT_EQ(f.category, ErrorCategory::kMalformedRequest);
  f = ClassifyResponse(400, R"([{"errorCode": "INVALID_FIELD", "fields": [1, "Name", null]}])");
  ASSERT_EQ(f.errors.size(), 1u);
  EXPECT_EQ(f.errors[0].fields, (std::vector<std::string>{"Name"}));
  f = ClassifyResponse(200, "{}");
  EXPECT_EQ(f.retry, RetryAdvice::kNever);
}

TEST(SfErrorsTest, MultiLineMessagesStayIndented) {
  SfFailure f = ClassifyResponse(400, RestBody("MALFORMED_QUERY", "\nSELECT\n^\nERROR at Row:1"));
  EXPECT_NE(f.Describe().find("  - MALFORMED_QUERY: \n    SELECT\n    ^\n    ERROR at Row:1"),
            std::string::npos)
      << f.Describe();
}

}  // namespace
}  // namespace cf::sf
