// Write validation (tools/sfemu/validation.h) on an org built here: Salesforce's error codes,
// messages and fields for each rule it enforces, the stages it checks in, the normalized values
// it stores, and the request-body reader's Jackson-style JSON_PARSER_ERROR messages.
#include "tools/sfemu/validation.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "connectors/salesforce/describe_json.h"
#include "engine/value.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr char kUserId[] = "005Dn0000Arm1RhIQI";

// The example org's schema with validation rules (Salesforce's bare-name spelling and the
// prefixed one, one through a lookup, one the language cannot compile, one inactive) and a
// field that is createable but not updateable.
std::shared_ptr<const engine::Schema> TestSchema() {
  static std::shared_ptr<const engine::Schema> schema = [] {
    std::string error;
    auto loaded = sf::LoadSchemaFile(std::string(CF_SOURCE_DIR) + "/examples/org", &error);
    EXPECT_NE(loaded, nullptr) << error;
    auto s = std::make_shared<engine::Schema>(*loaded);
    auto rule = [](std::string name, std::string formula, std::string message,
                   std::string field, bool active = true) {
      engine::ValidationRule r;
      r.name = std::move(name);
      r.active = active;
      r.error_condition_formula = std::move(formula);
      r.error_message = std::move(message);
      r.error_display_field = std::move(field);
      return r;
    };
    engine::Object opp = *s->Find("Opportunity");
    opp.validation_rules = {
        rule("Closed_Won_Requires_Amount", "ISPICKVAL(StageName, \"Closed Won\") && ISBLANK(Amount)",
             "A Closed Won opportunity must have an Amount.", "Amount"),
        rule("Amount_Not_Negative", "Amount < 0", "Amount cannot be negative.", "Amount"),
        rule("Stage_Cannot_Reopen", "PRIORVALUE(IsClosed) && NOT(IsClosed)",
             "A closed opportunity cannot be moved back to an open stage.", ""),
        rule("Always_Inactive", "NOT(ISBLANK(Name))", "never shown", "", false),
    };
    s->Add(std::move(opp));
    engine::Object account = *s->Find("Account");
    account.validation_rules = {rule("Revenue_Not_Negative", "Account.AnnualRevenue < 0",
                                     "Annual Revenue cannot be negative.", "AnnualRevenue")};
    s->Add(std::move(account));
    engine::Object contact = *s->Find("Contact");
    contact.validation_rules = {rule("No_Blocked_Accounts", "Account.Name = \"Blocked Inc\"",
                                     "Contacts of Blocked Inc cannot be saved.", "")};
    s->Add(std::move(contact));
    engine::Object contract = *s->Find("Support_Contract__c");
    for (engine::Field& f : contract.fields) {
      if (f.name == "Account__c") f.updateable = false;  // like a master-detail without reparenting
    }
    s->Add(std::move(contract));
    return std::shared_ptr<const engine::Schema>(std::move(s));
  }();
  return schema;
}

class ValidationTest : public testing::Test {
 protected:
  ValidationTest() {
    org_.SetSchema(TestSchema());
    org_.HideField("Account", "Health_Score__c");
    OrgUser user;
    user.id = kUserId;
    user.username = "integration@example.com";
    user.integration = true;
    org_.AddUser(user);
    auto lock = org_.Lock();
    acme_ = Insert("Account", {{"Name", "Acme"}});
    blocked_ = Insert("Account", {{"Name", "Blocked Inc"}});
    gone_ = Insert("Account", {{"Name", "Gone Ltd"}});
    org_.DeleteLocked(*org_.schema().Find("Account"), gone_);
    lead_ = Insert("Lead", {{"LastName", "Lovelace"},
                            {"Company", "Analytical"},
                            {"ConnectFlo_Conversation_Id__c", "Conv-1"}});
  }

  std::string Insert(const char* object, json fields) {
    return org_.InsertLocked(*org_.schema().Find(object), std::move(fields), kUserId);
  }

  // Validates `body` (JSON text) as a write to `object`; for updates, of the record `id`.
  WriteCheck Validate(const char* object, WriteKind kind, const std::string& body,
                      const std::string& id = "") {
    SfError error;
    auto parsed = ParseRequestJson(body, &error);
    EXPECT_TRUE(parsed) << error.message;
    if (!parsed) return {};
    auto lock = org_.Lock();
    const engine::Object* o = org_.schema().Find(object);
    StoredRecord existing;
    WriteRequest req;
    req.object = o;
    req.kind = kind;
    req.body = &*parsed;
    req.origin.text = body;
    if (kind == WriteKind::kUpdate) {
      const StoredRecord* found = org_.FindLocked(*o, id);
      EXPECT_NE(found, nullptr) << id;
      if (found == nullptr) return {};
      existing = *found;
      req.existing = &existing;
    }
    return ValidateWriteLocked(org_, req);
  }
  WriteCheck Create(const char* object, const std::string& body) {
    return Validate(object, WriteKind::kCreate, body);
  }

  static std::string Only(const WriteCheck& c) {
    if (c.errors.size() != 1) return "expected one error, got " + std::to_string(c.errors.size()) +
                                      (c.errors.empty() ? "" : ": " + c.errors[0].message);
    return c.errors[0].error_code + ": " + c.errors[0].message;
  }

  Org org_;
  std::string acme_, blocked_, gone_, lead_;
};

// ---- Request bodies ----

std::string ParseError(std::string_view text) {
  SfError e;
  auto parsed = ParseRequestJson(text, &e);
  if (parsed) return "parsed";
  EXPECT_EQ(e.error_code, "JSON_PARSER_ERROR");
  EXPECT_TRUE(e.fields.empty());
  return e.message;
}

TEST(RequestJsonTest, EmptyBodyIsTheEntityBodyError) {
  EXPECT_EQ(ParseError(""),
            "The HTTP entity body is required, but this request has no entity body.");
  EXPECT_EQ(ParseError("  \r\n "),
            "The HTTP entity body is required, but this request has no entity body.");
}

TEST(RequestJsonTest, SyntaxErrorsSpeakJacksonWithSalesforcePositions) {
  EXPECT_EQ(ParseError(R"({"Name" "x"})"),
            "Unexpected character ('\"' (code 34)): was expecting a colon to separate field name "
            "and value at [line:1, column:10]");
  EXPECT_EQ(ParseError(R"({Name: 1})"),
            "Unexpected character ('N' (code 78)): was expecting double-quote to start field name "
            "at [line:1, column:3]");
  EXPECT_EQ(ParseError(R"({"a": tru})"),
            "Unrecognized token 'tru': was expecting ('true', 'false' or 'null') at [line:1, "
            "column:10]");
  EXPECT_EQ(ParseError(R"({"a": 1)"),
            "Unexpected end-of-input: expected close marker for OBJECT (from [line:1, column:1]) "
            "at [line:1, column:8]");
  EXPECT_EQ(ParseError(R"({"a": 1 "b": 2})"),
            "Unexpected character ('\"' (code 34)): was expecting comma to separate OBJECT "
            "entries at [line:1, column:10]");
  EXPECT_EQ(ParseError("[1, ]"),
            "Unexpected character (']' (code 93)): expected a valid value (number, String, "
            "array, object, 'true', 'false' or 'null') at [line:1, column:6]");
  EXPECT_EQ(ParseError(R"({"a": 01})"),
            "Invalid numeric value: Leading zeroes not allowed at [line:1, column:8]");
  EXPECT_EQ(ParseError("{\"a\": \"x\ny\"}"),
            "Illegal unquoted character ((CTRL-CHAR, code 10)): has to be escaped using backslash "
            "to be included in string value at [line:2, column:1]");
  EXPECT_EQ(ParseError(R"({"a": "\q"})"),
            "Unrecognized character escape 'q' (code 113) at [line:1, column:10]");
  EXPECT_EQ(ParseError(R"({"a": "x)"),
            "Unexpected end-of-input: was expecting closing quote for a string value at [line:1, "
            "column:9]");
}

TEST(RequestJsonTest, PositionsCountLines) {
  EXPECT_EQ(ParseError("{\n  \"a\": 1,\n  \"b\" 2\n}"),
            "Unexpected character ('2' (code 50)): was expecting a colon to separate field name "
            "and value at [line:3, column:8]");
}

TEST(RequestJsonTest, RejectsInvalidUtf8AndHostileNestingWithoutCrashing) {
  EXPECT_NE(ParseError("{\"a\": \"\xC3\x28\"}").find("Invalid UTF-8 middle byte 0x28"),
            std::string::npos);
  EXPECT_NE(ParseError("{\"a\": \"\xFF\"}").find("Invalid UTF-8 start byte 0xff"), std::string::npos);
  EXPECT_NE(ParseError(std::string(100000, '[')).find("Document nesting depth (513)"),
            std::string::npos);
  EXPECT_EQ(ParseError(std::string(kMaxBodyDepth, '[') + std::string(kMaxBodyDepth, ']')),
            "parsed");
}

TEST(RequestJsonTest, KeepsKeyOrderEscapesAndExactNumbers) {
  SfError e;
  auto j = ParseRequestJson(
      R"({"z": 1, "a": "\u00e9\ud83d\ude00\n", "m": 12345678901234567.25, "n": -0.5e1,
          "big": 123456789012345678901234567890, "t": true, "f": false, "x": null})",
      &e);
  ASSERT_TRUE(j) << e.message;
  std::vector<std::string> keys;
  for (auto it = j->begin(); it != j->end(); ++it) keys.push_back(it.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"z", "a", "m", "n", "big", "t", "f", "x"}));
  EXPECT_EQ((*j)["a"], "\xC3\xA9\xF0\x9F\x98\x80\n");
  EXPECT_EQ((*j)["m"], "12345678901234567.25");  // more digits than a double holds: kept as text
  EXPECT_EQ((*j)["n"], -5.0);
  EXPECT_EQ((*j)["big"], "123456789012345678901234567890");
  EXPECT_TRUE((*j)["x"].is_null());
}

TEST(RequestJsonTest, LocatesValuesWhereJacksonStands) {
  const std::string text = "{\"records\": [\n  {\"Name\": \"A\"},\n  {\"Name\": {\"x\": 1}}\n]}";
  auto p = LocateJsonValue(text, {"records", "1", "Name"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 3);
  EXPECT_EQ(p->column, 13);  // just after the '{' of the value
  p = LocateJsonValue(text, {"records", "0", "Name"});
  ASSERT_TRUE(p);
  EXPECT_EQ(p->line, 2);
  EXPECT_EQ(p->column, 15);  // just after "A"
  EXPECT_FALSE(LocateJsonValue(text, {"records", "2"}));
  EXPECT_FALSE(LocateJsonValue("{", {"a"}));
}

// ---- Stage 1: reading the body ----

TEST_F(ValidationTest, UnknownFieldIsInvalidField) {
  WriteCheck c = Create("Account", R"({"Name": "X", "Colour__c": "red"})");
  EXPECT_EQ(Only(c), "INVALID_FIELD: No such column 'Colour__c' on sobject of type Account");
  EXPECT_TRUE(c.errors[0].fields.empty());
}

TEST_F(ValidationTest, FieldHiddenByFieldLevelSecurityIsAnUnknownField) {
  EXPECT_EQ(Only(Create("Account", R"({"Name": "X", "Health_Score__c": 80})")),
            "INVALID_FIELD: No such column 'Health_Score__c' on sobject of type Account");
}

TEST_F(ValidationTest, AttributesAreIgnoredAndFieldNamesIgnoreCase) {
  WriteCheck c =
      Create("Account", R"({"attributes": {"type": "Account"}, "name": "X", "INDUSTRY": "Banking"})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["Name"], "X");
  EXPECT_EQ(c.fields["Industry"], "Banking");
}

TEST_F(ValidationTest, WrongJsonTypeIsJsonParserErrorWithItsPosition) {
  EXPECT_EQ(Only(Create("Account", R"({"NumberOfEmployees": "many"})")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of int from VALUE_STRING value many or "
            "request may be missing a required field at [line:1, column:29]");
  EXPECT_EQ(Only(Create("Account", R"({"Name": {"first": "A"}})")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of string from START_OBJECT value { or "
            "request may be missing a required field at [line:1, column:11]");
  EXPECT_EQ(Only(Create("Case", R"({"IsEscalated": 1})")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of boolean from VALUE_NUMBER_INT value "
            "1 or request may be missing a required field at [line:1, column:18]");
  EXPECT_EQ(Only(Create("Opportunity", "{\"Name\": \"O\",\n \"CloseDate\": \"2026-13-01\"}")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of date from VALUE_STRING value "
            "2026-13-01 or request may be missing a required field at [line:2, column:27]");
  EXPECT_EQ(Only(Create("Account", R"({"AnnualRevenue": true})")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of double from VALUE_TRUE value true or "
            "request may be missing a required field at [line:1, column:23]");
  EXPECT_EQ(Only(Create("Account", R"({"Name": "A", "ParentId": 12})")),
            "JSON_PARSER_ERROR: Cannot deserialize instance of id from VALUE_NUMBER_INT value 12 or "
            "request may be missing a required field at [line:1, column:29]");
}

TEST_F(ValidationTest, AcceptsWhatSalesforceCoerces) {
  WriteCheck c = Create("Account", R"({"Name": 42, "AnnualRevenue": "12.50",
      "NumberOfEmployees": "7", "Sic": true, "Site": ""})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["Name"], "42");
  EXPECT_EQ(c.fields["AnnualRevenue"], 13);  // currency(18, 0): rounded half up
  EXPECT_EQ(c.fields["NumberOfEmployees"], 7);
  EXPECT_EQ(c.fields["Sic"], "true");
  EXPECT_FALSE(c.fields.contains("Site"));  // "" is null, and nulls are not stored on create
  WriteCheck b = Create("Case", R"({"IsEscalated": "TRUE", "Escalation_Reason__c": "SLA Breach"})");
  ASSERT_TRUE(b.ok()) << Only(b);
  EXPECT_EQ(b.fields["IsEscalated"], true);
}

// ---- Stage 2: write access ----

TEST_F(ValidationTest, ReadOnlyFieldsAreListedInOneError) {
  WriteCheck c = Create("Account", R"({"Name": "X", "CreatedDate": "2026-01-01T00:00:00Z",
      "IsDeleted": false, "PhotoUrl": "https://x"})");
  EXPECT_EQ(Only(c),
            "INVALID_FIELD_FOR_INSERT_UPDATE: Unable to create/update fields: CreatedDate, "
            "IsDeleted, PhotoUrl. Please check the security settings of this field and verify "
            "that it is read/write for your profile or permission set.");
  EXPECT_EQ(c.errors[0].fields, (std::vector<std::string>{"CreatedDate", "IsDeleted", "PhotoUrl"}));
}

TEST_F(ValidationTest, CreateableButNotUpdateableFieldIsRejectedOnUpdateOnly) {
  auto lock = org_.Lock();
  const std::string contract = Insert("Support_Contract__c", {{"Name", "SC-1"},
                                                              {"Account__c", acme_},
                                                              {"Start_Date__c", "2026-01-01"}});
  EXPECT_TRUE(Create("Support_Contract__c", R"({"Name": "SC-2", "Account__c": ")" + acme_ +
                                                R"(", "Start_Date__c": "2026-02-01"})")
                  .ok());
  WriteCheck c = Validate("Support_Contract__c", WriteKind::kUpdate,
                          R"({"Account__c": ")" + blocked_ + R"("})", contract);
  EXPECT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].error_code, "INVALID_FIELD_FOR_INSERT_UPDATE");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Account__c"});
}

// ---- Stage 3: system validation ----

TEST_F(ValidationTest, RequiredFieldsAreListedInDescribeOrder) {
  WriteCheck c = Create("Lead", R"({"FirstName": "Ada"})");
  EXPECT_EQ(Only(c), "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName, Company]");
  EXPECT_EQ(c.errors[0].fields, (std::vector<std::string>{"LastName", "Company"}));
  // Checkboxes, defaulted fields (Status, OwnerId) and null values count as expected.
  c = Create("Lead", R"({"LastName": null, "Company": ""})");
  EXPECT_EQ(Only(c), "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName, Company]");
}

TEST_F(ValidationTest, ClearingARequiredFieldOnUpdateIsRequiredFieldMissing) {
  WriteCheck c = Validate("Lead", WriteKind::kUpdate, R"({"LastName": ""})", lead_);
  EXPECT_EQ(Only(c), "REQUIRED_FIELD_MISSING: Required fields are missing: [LastName]");
  EXPECT_TRUE(Validate("Lead", WriteKind::kUpdate, R"({"FirstName": "Ada"})", lead_).ok());
}

TEST_F(ValidationTest, StringTooLongNamesTheLabelValueAndMaximum) {
  const std::string name(256, 'n');
  WriteCheck c = Create("Account", R"({"Name": ")" + name + R"("})");
  EXPECT_EQ(Only(c), "STRING_TOO_LONG: Account Name: data value too large: " + name +
                         " (max length=255)");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Name"});
  // Length counts characters, not bytes.
  std::string accented;
  for (int i = 0; i < 255; ++i) accented += "\xC3\xA9";
  EXPECT_TRUE(Create("Account", R"({"Name": ")" + accented + R"("})").ok());
}

TEST_F(ValidationTest, SeveralErrorsOfOneStageComeTogether) {
  WriteCheck c = Create("Account", R"({"Name": ")" + std::string(300, 'x') +
                                       R"(", "Tier__c": "Diamond", "SLA_Hours__c": 99999})");
  ASSERT_EQ(c.errors.size(), 3u);
  EXPECT_EQ(c.errors[0].error_code, "STRING_TOO_LONG");
  EXPECT_EQ(c.errors[1].error_code, "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST");
  EXPECT_EQ(c.errors[2].error_code, "NUMBER_OUTSIDE_VALID_RANGE");
}

TEST_F(ValidationTest, RestrictedPicklistRejectsValuesItDoesNotList) {
  WriteCheck c = Create("Account", R"({"Name": "X", "Tier__c": "Diamond"})");
  EXPECT_EQ(Only(c), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Tier: bad value for restricted "
                     "picklist field: Diamond");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Tier__c"});
  EXPECT_TRUE(Create("Account", R"({"Name": "X", "Tier__c": "Gold"})").ok());
  // Unrestricted picklists take any value, as in Salesforce.
  EXPECT_TRUE(Create("Account", R"({"Name": "X", "Industry": "Space Mining"})").ok());
}

TEST_F(ValidationTest, DependentPicklistValueMustBeValidForItsController) {
  // Sub_Product__c (restricted) depends on Product__c: Web Chat is valid for Messaging only.
  EXPECT_TRUE(Create("Case", R"({"Product__c": "Messaging", "Sub_Product__c": "Web Chat"})").ok());
  WriteCheck c = Create("Case", R"({"Product__c": "Voice", "Sub_Product__c": "Web Chat"})");
  EXPECT_EQ(Only(c), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Sub-Product: bad value for "
                     "restricted picklist field: Web Chat");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Sub_Product__c"});
  // No controlling value: no dependent value is valid.
  EXPECT_EQ(Create("Case", R"({"Sub_Product__c": "IVR"})").errors.size(), 1u);
  // A checkbox controller: SLA Breach is valid when IsEscalated is true (bit 1) only.
  EXPECT_TRUE(Create("Case", R"({"IsEscalated": true, "Escalation_Reason__c": "SLA Breach"})").ok());
  c = Create("Case", R"({"IsEscalated": false, "Escalation_Reason__c": "SLA Breach"})");
  EXPECT_EQ(Only(c), "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST: Escalation Reason: bad value for "
                     "restricted picklist field: SLA Breach");
}

TEST_F(ValidationTest, DependentValueIsCheckedAgainstTheStoredControllerOnUpdate) {
  std::string case_id;
  {
    auto lock = org_.Lock();
    case_id = Insert("Case", {{"Product__c", "Voice"}, {"Sub_Product__c", "IVR"}});
  }
  EXPECT_EQ(Validate("Case", WriteKind::kUpdate, R"({"Sub_Product__c": "SMS"})", case_id)
                .errors.size(),
            1u);
  EXPECT_TRUE(
      Validate("Case", WriteKind::kUpdate, R"({"Sub_Product__c": "Call Recording"})", case_id).ok());
  // Changing the controller re-checks the stored dependent value.
  EXPECT_EQ(Validate("Case", WriteKind::kUpdate, R"({"Product__c": "Analytics"})", case_id)
                .errors.size(),
            1u);
}

TEST_F(ValidationTest, NumbersAreRoundedToScaleAndCheckedAgainstPrecision) {
  WriteCheck c = Create("Account", R"({"Name": "X", "SLA_Hours__c": 12.34})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["SLA_Hours__c"], 12.3);
  c = Create("Account", R"({"Name": "X", "SLA_Hours__c": 1234.5})");  // number(4, 1): 3 digits
  EXPECT_EQ(Only(c), "NUMBER_OUTSIDE_VALID_RANGE: SLA Hours: value outside of valid range on "
                     "numeric field: 1234.5");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"SLA_Hours__c"});
  c = Create("Account", R"({"Name": "X", "NumberOfEmployees": 1431655766})");
  EXPECT_EQ(Only(c), "NUMBER_OUTSIDE_VALID_RANGE: Employees: value outside of valid range on "
                     "numeric field: 1431655766");
  c = Create("Account", R"({"Name": "X", "AnnualRevenue": 1e40})");
  EXPECT_EQ(c.errors.size(), 1u);
  EXPECT_EQ(c.errors[0].error_code, "NUMBER_OUTSIDE_VALID_RANGE");
}

TEST_F(ValidationTest, EmailMustLookLikeOne) {
  WriteCheck c = Create("Contact", R"({"LastName": "L", "Email": "Not a real email address"})");
  EXPECT_EQ(Only(c), "INVALID_EMAIL_ADDRESS: Email: invalid email address: Not a real email "
                     "address");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Email"});
  EXPECT_TRUE(Create("Contact", R"({"LastName": "L", "Email": "a.b+c@example.co.uk"})").ok());
}

TEST_F(ValidationTest, LookupsMustNameALiveRecordOfATargetObject) {
  auto one = [&](const std::string& account_id) {
    return Only(Create("Contact", R"({"LastName": "L", "AccountId": ")" + account_id + R"("})"));
  };
  EXPECT_EQ(one("garbage"), "MALFORMED_ID: Account ID: id value of incorrect type: garbage");
  EXPECT_EQ(one(lead_), "FIELD_INTEGRITY_EXCEPTION: Account ID: id value of incorrect type: " + lead_);
  const std::string absent = engine::SfId::Parse("001Dn00000ZZZZZ")->To18();
  EXPECT_EQ(one(absent), "INVALID_CROSS_REFERENCE_KEY: invalid cross reference id");
  EXPECT_EQ(one(gone_), "ENTITY_IS_DELETED: entity is deleted");
  WriteCheck c = Create("Contact", R"({"LastName": "L", "AccountId": ")" + acme_.substr(0, 15) +
                                       R"("})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["AccountId"], acme_);  // 15 characters in, 18 stored
  // Owners are users; a lookup to an object the org does not model takes any well-formed Id.
  EXPECT_TRUE(Create("Account", R"({"Name": "X", "OwnerId": ")" + std::string(kUserId) + R"("})")
                  .ok());
  EXPECT_TRUE(
      Create("Account", R"({"Name": "X", "RecordTypeId": "012000000000000AAA"})").ok());
}

TEST_F(ValidationTest, RelationshipWithExternalIdSetsTheLookup) {
  WriteCheck c = Create("Task", R"({"Subject": "Call",
      "Who": {"attributes": {"type": "Lead"}, "ConnectFlo_Conversation_Id__c": "conv-1"}})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["WhoId"], lead_);
  c = Create("Task", R"({"Who": {"attributes": {"type": "Lead"},
                                 "ConnectFlo_Conversation_Id__c": "nope"}})");
  EXPECT_EQ(Only(c), "INVALID_FIELD: Foreign key external ID: nope not found for field "
                     "ConnectFlo_Conversation_Id__c in entity Lead");
  c = Create("Task", R"({"Who": {"attributes": {"type": "Lead"}, "LastName": "Lovelace"}})");
  EXPECT_EQ(Only(c), "INVALID_FIELD: Field name provided, LastName is not an External ID or "
                     "indexed field for Lead");
}

// ---- Stage 4: validation rules ----

TEST_F(ValidationTest, ActiveValidationRuleFiresWithItsMessageAndField) {
  WriteCheck c = Create("Opportunity", R"({"Name": "Big", "StageName": "Closed Won",
                                           "CloseDate": "2026-12-01"})");
  EXPECT_EQ(Only(c), "FIELD_CUSTOM_VALIDATION_EXCEPTION: A Closed Won opportunity must have an "
                     "Amount.");
  EXPECT_EQ(c.errors[0].fields, std::vector<std::string>{"Amount"});
  EXPECT_TRUE(Create("Opportunity", R"({"Name": "Big", "StageName": "Closed Won",
                                        "CloseDate": "2026-12-01", "Amount": 10})")
                  .ok());
}

TEST_F(ValidationTest, SeveralRulesFireTogetherAndOnlyAfterSystemValidationPasses) {
  // Both rules of Opportunity that read Amount can't fire at once; Account's prefixed rule and a
  // required field show the stage order instead.
  WriteCheck c = Create("Account", R"({"AnnualRevenue": -5})");
  EXPECT_EQ(Only(c), "REQUIRED_FIELD_MISSING: Required fields are missing: [Name]");
  c = Create("Account", R"({"Name": "A", "AnnualRevenue": -5})");
  EXPECT_EQ(Only(c), "FIELD_CUSTOM_VALIDATION_EXCEPTION: Annual Revenue cannot be negative.");
}

TEST_F(ValidationTest, RulesSeeTheMergedRecordOnUpdate) {
  std::string opp;
  {
    auto lock = org_.Lock();
    opp = Insert("Opportunity", {{"Name", "O"}, {"StageName", "Prospecting"},
                                 {"CloseDate", "2026-12-01"}});
  }
  EXPECT_EQ(Validate("Opportunity", WriteKind::kUpdate, R"({"StageName": "Closed Won"})", opp)
                .errors.size(),
            1u);
  EXPECT_TRUE(Validate("Opportunity", WriteKind::kUpdate,
                       R"({"StageName": "Closed Won", "Amount": 5})", opp)
                  .ok());
}

TEST_F(ValidationTest, RulesFollowLookupsToParentRecords) {
  WriteCheck c = Create("Contact", R"({"LastName": "L", "AccountId": ")" + blocked_ + R"("})");
  EXPECT_EQ(Only(c), "FIELD_CUSTOM_VALIDATION_EXCEPTION: Contacts of Blocked Inc cannot be saved.");
  EXPECT_TRUE(c.errors[0].fields.empty());
  EXPECT_TRUE(Create("Contact", R"({"LastName": "L", "AccountId": ")" + acme_ + R"("})").ok());
}

TEST_F(ValidationTest, UncompilableRulesAreReportedAndSkipped) {
  std::vector<std::string> problems = CheckValidationRules(TestSchema());
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].rfind("Opportunity.Stage_Cannot_Reopen: <condition>:1:1: error:", 0), 0u)
      << problems[0];
  // Skipped (and the inactive rule, whose condition is always true, never fires).
  EXPECT_TRUE(Create("Opportunity", R"({"Name": "O", "StageName": "Prospecting",
                                        "CloseDate": "2026-12-01"})")
                  .ok());
}

// ---- Stage 5: unique fields ----

TEST_F(ValidationTest, UniqueFieldDuplicateNamesTheOtherRecord) {
  WriteCheck c = Create("Lead", R"({"LastName": "B", "Company": "C",
                                    "ConnectFlo_Conversation_Id__c": "CONV-1"})");
  EXPECT_EQ(Only(c), "DUPLICATE_VALUE: duplicate value found: ConnectFlo_Conversation_Id__c "
                     "duplicates value on record with id: " + lead_.substr(0, 15));
  EXPECT_TRUE(c.errors[0].fields.empty());
  // The record itself is no duplicate.
  EXPECT_TRUE(Validate("Lead", WriteKind::kUpdate,
                       R"({"ConnectFlo_Conversation_Id__c": "Conv-1"})", lead_)
                  .ok());
}

// ---- What gets stored ----

TEST_F(ValidationTest, StoresSalesforceWireFormatsAndCreateDefaults) {
  WriteCheck c = Create("Task", R"({"Subject": "Call", "ActivityDate": "2026-03-01",
      "WhatId": ")" + acme_.substr(0, 15) + R"(", "ReminderDateTime": "2026-03-01T10:00:00+02:00"})");
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields["ActivityDate"], "2026-03-01");
  EXPECT_EQ(c.fields["WhatId"], acme_);
  EXPECT_EQ(c.fields["ReminderDateTime"], "2026-03-01T08:00:00.000+0000");
  EXPECT_EQ(c.fields["Status"], "Not Started");  // picklist defaults
  EXPECT_EQ(c.fields["Priority"], "Normal");
  EXPECT_FALSE(c.fields.contains("Id"));
  EXPECT_FALSE(c.fields.contains("CreatedDate"));  // the Org stamps
}

TEST_F(ValidationTest, UpdateReturnsOnlyTheChangesWithNullsToClear) {
  WriteCheck c = Validate("Account", WriteKind::kUpdate, R"({"Industry": null, "Phone": "1"})", acme_);
  ASSERT_TRUE(c.ok()) << Only(c);
  EXPECT_EQ(c.fields, (json{{"Industry", nullptr}, {"Phone", "1"}}));
}

TEST_F(ValidationTest, ObjectThatIsNotCreateableIsInsufficientAccess) {
  auto schema = std::make_shared<engine::Schema>(*TestSchema());
  engine::Object account = *schema->Find("Account");
  account.createable = false;
  schema->Add(std::move(account));
  Org org;
  org.SetSchema(schema);
  ordered_json body = {{"Name", "X"}};
  auto lock = org.Lock();
  WriteRequest req;
  req.object = org.schema().Find("Account");
  req.body = &body;
  WriteCheck c = ValidateWriteLocked(org, req);
  EXPECT_EQ(Only(c), "INSUFFICIENT_ACCESS_OR_READONLY: insufficient access rights on object id");
}

}  // namespace
}  // namespace cf::sfemu
