// Binder and the record cache's email/phone indexes: who an event is about.
#include "engine/binding.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "engine/binding_keys.h"
#include "tests/engine/evaluation_test_support.h"

namespace cf::engine {
namespace {

using testing::CacheOnDisk;
using testing::ReadEvent;

TEST(BindingKeysTest, EmailsAreTrimmedAndLowerCased) {
  EXPECT_EQ(NormalizeEmail("  Ann.Lee@X.Example \t"), "ann.lee@x.example");
  EXPECT_EQ(NormalizeEmail("   "), "");
}

TEST(BindingKeysTest, PhonesCompareByTheirLastTenDigits) {
  EXPECT_EQ(NormalizePhone("+44 20 7946 0101"), "2079460101");
  EXPECT_EQ(NormalizePhone("020 7946 0101"), "2079460101");
  EXPECT_EQ(NormalizePhone("0044 (20) 7946-0101"), "2079460101");
  EXPECT_EQ(NormalizePhone("+1 (860) 555-0110"), "8605550110");
  EXPECT_EQ(NormalizePhone("860.555.0110 ext. 12"), "8605550110");
  EXPECT_EQ(NormalizePhone("860-555-0110x12"), "8605550110");
  EXPECT_EQ(NormalizePhone("+1 555 0230"), "15550230");
  EXPECT_EQ(NormalizePhone("123"), "");
  EXPECT_EQ(NormalizePhone("call me"), "");
}

class BindingTest : public ::testing::Test {
 protected:
  BindingTest() : binder_(testing::ExampleRuleEnv()) {}

  Binding Bind(const std::string& json) { return binder_.Bind(ReadEvent(json), cache_.sink().Snapshot()); }
  static std::string IdOf(const Binding& b, RuleRoot root) {
    const Record* r = b.record(root);
    return r == nullptr ? "null" : r->id()->To15();
  }
  static std::string Conversation(const std::string& customer) {
    return R"({"type": "conversation.created", "conversation": {"customer": )" + customer + "}}";
  }

  CacheOnDisk cache_;
  Binder binder_;
};

TEST_F(BindingTest, UnknownCustomerBindsNothing) {
  cache_.LoadExampleRecords();
  Binding b = Bind(Conversation(R"({"email": "nobody@nowhere.example", "phone": "+1 999 555 0000"})"));
  for (int r = 0; r < kRecordRootCount; ++r) EXPECT_EQ(b.records[r], nullptr) << r;
  Binding none = Bind(Conversation("{}"));
  EXPECT_EQ(none.record(RuleRoot::kContact), nullptr);
  EXPECT_EQ(none.record(RuleRoot::kLead), nullptr);
}

TEST_F(BindingTest, ContactByEmailWithAccountOpenOpportunityAndCase) {
  cache_.LoadExampleRecords();
  // Olivia Hart of Kestrel Banking Group: three Closed Won and one open opportunity.
  Binding b = Bind(Conversation(R"({"email": "  OLIVIA.HART@kestrel.example "})"));
  EXPECT_EQ(IdOf(b, RuleRoot::kContact), "003Dn0000yHOVUV");
  EXPECT_EQ(b.sources[static_cast<int>(RuleRoot::kContact)], BindSource::kEmail);
  EXPECT_EQ(IdOf(b, RuleRoot::kLead), "null");
  EXPECT_EQ(IdOf(b, RuleRoot::kAccount), "001Dn00001NRuOU");
  EXPECT_EQ(IdOf(b, RuleRoot::kOpportunity), "006Dn00006fQjeW");  // the only open one
  EXPECT_EQ(IdOf(b, RuleRoot::kCase), "500Dn0000g8bnzG");         // Olivia's own open case
  // Rahul's contact has its own case; Sophie has none: the Account's latest open case.
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "rahul.mehta@kestrel.example"})")), RuleRoot::kCase),
            "500Dn0000CkIRho");
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "sophie.laurent@kestrel.example"})")), RuleRoot::kCase),
            "500Dn0000CkIRho");
}

TEST_F(BindingTest, PhoneFormatsFindTheSameContact) {
  cache_.LoadExampleRecords();
  for (const char* phone : {"+44 20 7946 0101", "020 7946 0101", "0044-20-7946-0101", "+44 7700 900101"}) {
    Binding b = Bind(Conversation(std::string(R"({"phone": ")") + phone + "\"}"));
    EXPECT_EQ(IdOf(b, RuleRoot::kContact), "003Dn0000yHOVUV") << phone;
    EXPECT_EQ(b.sources[0], BindSource::kPhone) << phone;
  }
  // A call without customer.phone: the caller's number.
  Binding call = Bind(R"({"type": "call.ended", "call": {"direction": "inbound", "from": "(860) 555-0110", "to": "+1 800 555 0000"}})");
  EXPECT_EQ(IdOf(call, RuleRoot::kContact), "003Dn0000nBtNZh");
  EXPECT_EQ(IdOf(call, RuleRoot::kOpportunity), "006Dn0000s2U7sX");
  // "123" is too short to match Thomas Reed's MobilePhone "123".
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"phone": "123"})")), RuleRoot::kContact), "null");
}

TEST_F(BindingTest, LeadOnlyAndConvertedLeads) {
  cache_.LoadExampleRecords();
  Binding lead = Bind(Conversation(R"({"email": "hannah.berg@fjord.example"})"));
  EXPECT_EQ(IdOf(lead, RuleRoot::kContact), "null");
  EXPECT_EQ(IdOf(lead, RuleRoot::kLead), "00QDn0000eQ52aF");
  EXPECT_EQ(IdOf(lead, RuleRoot::kAccount), "null");
  EXPECT_EQ(IdOf(lead, RuleRoot::kOpportunity), "null");
  // Chen Li's lead is converted: not bound.
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "chen.li@lotus.example"})")), RuleRoot::kLead), "null");
}

TEST_F(BindingTest, ContactIsPreferredOverLeadWithTheSameEmail) {
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "A"}, {"Email", "same@x.example"}}});
  cache_.Put("Lead", {{{"Id", "00Q000000000001"}, {"LastName", "L"}, {"Company", "C"}, {"Email", "same@x.example"}}});
  Binding b = Bind(Conversation(R"({"email": "same@x.example"})"));
  EXPECT_EQ(IdOf(b, RuleRoot::kContact), "003000000000001");
  EXPECT_EQ(IdOf(b, RuleRoot::kLead), "null");
}

TEST_F(BindingTest, TwoContactsWithTheSameEmail) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "A"}}});
  // Without an account, newer: loses to one with an account. Between the two with an account,
  // the later LastModifiedDate wins; equal dates: the smallest Id.
  cache_.Put("Contact", {
      {{"Id", "003000000000001"}, {"LastName", "NoAccount"}, {"Email", "twin@x.example"},
       {"LastModifiedDate", "2026-11-30T00:00:00Z"}},
      {{"Id", "003000000000002"}, {"LastName", "Old"}, {"Email", "twin@x.example"},
       {"AccountId", "001000000000001"}, {"LastModifiedDate", "2026-01-01T00:00:00Z"}},
      {{"Id", "003000000000003"}, {"LastName", "New"}, {"Email", "TWIN@x.example"},
       {"AccountId", "001000000000001"}, {"LastModifiedDate", "2026-06-01T00:00:00Z"}},
  });
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "twin@x.example"})")), RuleRoot::kContact), "003000000000003");
  cache_.Put("Contact", {{{"Id", "003000000000002"}, {"LastName", "Old"}, {"Email", "twin@x.example"},
                          {"AccountId", "001000000000001"}, {"LastModifiedDate", "2026-06-01T00:00:00Z"}}});
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "twin@x.example"})")), RuleRoot::kContact), "003000000000002");
  // The index follows deletes and changed emails.
  ASSERT_TRUE(cache_.sink().Apply({cache_.env().schema().IndexOf("Contact"), {},
                                   {testing::Id("003000000000002")}, std::nullopt}).ok());
  cache_.Put("Contact", {{{"Id", "003000000000003"}, {"LastName", "New"}, {"Email", "moved@x.example"},
                          {"AccountId", "001000000000001"}}});
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "twin@x.example"})")), RuleRoot::kContact), "003000000000001");
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "moved@x.example"})")), RuleRoot::kContact), "003000000000003");
}

TEST_F(BindingTest, ContactWithoutAccountBindsNoAccountOpportunityOrAccountCase) {
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "Solo"}, {"Email", "solo@x.example"}}});
  Binding b = Bind(Conversation(R"({"email": "solo@x.example"})"));
  EXPECT_EQ(IdOf(b, RuleRoot::kContact), "003000000000001");
  EXPECT_EQ(IdOf(b, RuleRoot::kAccount), "null");
  EXPECT_EQ(IdOf(b, RuleRoot::kOpportunity), "null");
  EXPECT_EQ(IdOf(b, RuleRoot::kCase), "null");
}

TEST_F(BindingTest, ClosedOpportunitiesAndCasesOnlyBindNothing) {
  cache_.Put("Account", {{{"Id", "001000000000001"}, {"Name", "A"}}});
  cache_.Put("Contact", {{{"Id", "003000000000001"}, {"LastName", "C"}, {"Email", "c@x.example"},
                          {"AccountId", "001000000000001"}}});
  cache_.Put("Opportunity", {
      {{"Id", "006000000000001"}, {"Name", "Won"}, {"StageName", "Closed Won"}, {"CloseDate", "2026-01-01"},
       {"AccountId", "001000000000001"}, {"IsClosed", "true"}, {"LastModifiedDate", "2026-11-01T00:00:00Z"}},
      {{"Id", "006000000000002"}, {"Name", "Lost"}, {"StageName", "Closed Lost"}, {"CloseDate", "2026-01-01"},
       {"AccountId", "001000000000001"}, {"IsClosed", "true"}}});
  cache_.Put("Case", {{{"Id", "500000000000001"}, {"Status", "Closed"}, {"IsClosed", "true"},
                       {"ContactId", "003000000000001"}, {"AccountId", "001000000000001"}}});
  Binding b = Bind(Conversation(R"({"email": "c@x.example"})"));
  EXPECT_EQ(IdOf(b, RuleRoot::kAccount), "001000000000001");
  EXPECT_EQ(IdOf(b, RuleRoot::kOpportunity), "null");
  EXPECT_EQ(IdOf(b, RuleRoot::kCase), "null");
  // An open one appears: the most recently modified open opportunity.
  cache_.Put("Opportunity", {
      {{"Id", "006000000000003"}, {"Name", "Open old"}, {"StageName", "Prospecting"}, {"CloseDate", "2027-01-01"},
       {"AccountId", "001000000000001"}, {"IsClosed", "false"}, {"LastModifiedDate", "2026-10-01T00:00:00Z"}},
      {{"Id", "006000000000004"}, {"Name", "Open new"}, {"StageName", "Prospecting"}, {"CloseDate", "2027-01-01"},
       {"AccountId", "001000000000001"}, {"IsClosed", "false"}, {"LastModifiedDate", "2026-10-02T00:00:00Z"}}});
  EXPECT_EQ(IdOf(Bind(Conversation(R"({"email": "c@x.example"})")), RuleRoot::kOpportunity), "006000000000004");
}

TEST_F(BindingTest, IdsInTheEventWin) {
  cache_.LoadExampleRecords();
  // The email is Olivia's, the event says Rahul and names an Opportunity and an Account.
  Binding b = Bind(R"({"type": "conversation.message",
    "conversation": {"customer": {"email": "olivia.hart@kestrel.example"}, "case_id": "500Dn0000NYEir0IQD"},
    "records": {"Contact": "003Dn0000yNGuO3IAL", "Opportunity": "006Dn0000s2U7sXIAS"}})");
  EXPECT_EQ(IdOf(b, RuleRoot::kContact), "003Dn0000yNGuO3");
  EXPECT_EQ(b.sources[0], BindSource::kEventId);
  EXPECT_EQ(IdOf(b, RuleRoot::kAccount), "001Dn00001NRuOU");  // Rahul's account
  EXPECT_EQ(IdOf(b, RuleRoot::kOpportunity), "006Dn0000s2U7sX");
  EXPECT_EQ(IdOf(b, RuleRoot::kCase), "500Dn0000NYEir0");  // conversation.case_id
  // An Id the cache does not hold yet: bound with only its Id.
  Binding fresh = Bind(R"({"type": "deal.closed", "deal": {"opportunity_id": "006000000000099"}})");
  ASSERT_NE(fresh.record(RuleRoot::kOpportunity), nullptr);
  EXPECT_EQ(IdOf(fresh, RuleRoot::kOpportunity), "006000000000099");
  EXPECT_EQ(fresh.sources[static_cast<int>(RuleRoot::kOpportunity)], BindSource::kEventIdOnly);
  EXPECT_EQ(IdOf(fresh, RuleRoot::kAccount), "null");
}

TEST(BindingFieldsTest, ListsWhatBindingReadsForSelectiveSync) {
  std::vector<std::pair<std::string, std::string>> fields = BindingFieldNames(testing::ExampleRuleEnv()->schema());
  auto has = [&](const char* object, const char* field) {
    return std::find(fields.begin(), fields.end(), std::make_pair(std::string(object), std::string(field))) !=
           fields.end();
  };
  for (const char* f : {"Id", "Email", "Phone", "MobilePhone", "LastModifiedDate", "AccountId"}) {
    EXPECT_TRUE(has("Contact", f)) << f;
  }
  EXPECT_FALSE(has("Contact", "Fax"));
  EXPECT_FALSE(has("Contact", "LastName"));
  EXPECT_TRUE(has("Lead", "IsConverted"));
  EXPECT_TRUE(has("Lead", "Email"));
  EXPECT_TRUE(has("Account", "Id"));
  EXPECT_TRUE(has("Opportunity", "IsClosed"));
  EXPECT_TRUE(has("Case", "ContactId"));
  EXPECT_TRUE(has("Case", "LastModifiedDate"));
}

TEST_F(BindingTest, IndexesSurviveARestart) {
  cache_.LoadExampleRecords();
  // A second sink on the same file (Load from SQLite) finds by email and phone too.
  EXPECT_EQ(cache_.sink().Snapshot()->FindByEmail(cache_.env().schema().IndexOf("Contact"),
                                                   "wei.chen@bluebird.example").size, 1u);
  EXPECT_EQ(cache_.sink().Load().ok(), true);
  RecordSnapshotPtr snap = cache_.sink().Snapshot();
  EXPECT_EQ(snap->FindByEmail(cache_.env().schema().IndexOf("Contact"), "WEI.CHEN@bluebird.example").size, 1u);
  EXPECT_EQ(snap->FindByPhone(cache_.env().schema().IndexOf("Contact"), "+65 9555 0151").size, 1u);
  EXPECT_EQ(snap->FindByPhone(cache_.env().schema().IndexOf("Lead"), "+1 555 0230").size, 1u);
}

}  // namespace
}  // namespace cf::engine
