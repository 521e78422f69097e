// ReadHostEvent: the JSON events of docs/events.md, good and every kind of bad.
#include "engine/host_event.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/engine/evaluation_test_support.h"

namespace cf::engine {
namespace {

using testing::ExampleRuleEnv;

class HostEventTest : public ::testing::Test {
 protected:
  HostEventTest() : builder_(ExampleRuleEnv()) {}

  // The error of a bad event, "" if it was read.
  std::string Error(const std::string& json) {
    Event event;
    HostEventError error;
    if (ReadHostEvent(json, builder_, &event, &error)) return "";
    EXPECT_FALSE(error.message.empty());
    return error.ToString();
  }

  std::string Field(const Event& event, RuleRoot root, const char* field) {
    const Record* r = event.object(root);
    if (r == nullptr) return "<no object>";
    const Slot* slot = r->layout().SlotForField(field);
    if (slot == nullptr) return "<no slot>";
    if (r->IsNull(*slot)) return "<null>";
    switch (slot->kind) {
      case StorageKind::kString: return std::string(r->GetString(*slot));
      case StorageKind::kNumber: return r->GetNumber(*slot).ToString();
      case StorageKind::kId: return r->GetId(*slot).To18();
      case StorageKind::kDateTime: return FormatIsoDateTime(r->GetDateTime(*slot));
      case StorageKind::kDate: return FormatIsoDate(r->GetDate(*slot));
      default: return "<?>";
    }
  }

  EventBuilder builder_;
};

TEST_F(HostEventTest, ReadsAConversationWithCustomerMessageAndRecordIds) {
  Event e = testing::ReadEvent(R"({
    "type": "conversation.created", "id": "evt-1",
    "conversation": {"id": "c-1", "channel": "web_chat", "subject": "Pricing", "team": "sales",
                     "message": {"text": "Hello there", "sent_at": "2026-11-30T10:00:00Z"},
                     "tags": ["vip", "emea"], "message_count": 3,
                     "started_at": "2026-11-30T09:59:00+01:00",
                     "customer": {"email": "Ann@X.example", "phone": "+1 860 555 0110",
                                  "first_name": "Ann", "last_name": "Lee", "company": "X"},
                     "future_field": {"anything": [1, 2]}},
    "records": {"Contact": "003Dn0000yHOVUVIA5", "account": "001Dn00001NRuOUIA1", "Case": null}
  })");
  EXPECT_EQ(e.type, Trigger::kConversationCreated);
  EXPECT_EQ(e.id, "evt-1");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "channel"), "web_chat");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "message"), "Hello there");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "tags"), "vip;emea");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "message_count"), "3");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "started_at"), "2026-11-30T08:59:00.000Z");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "customer.email"), "Ann@X.example");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "customer.last_name"), "Lee");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "type"), "conversation.created");
  EXPECT_EQ(Field(e, RuleRoot::kConversation, "outcome"), "<null>");
  EXPECT_EQ(e.object(RuleRoot::kCall), nullptr);
  ASSERT_TRUE(e.record_ids[static_cast<int>(RuleRoot::kContact)].has_value());
  EXPECT_EQ(e.record_ids[static_cast<int>(RuleRoot::kContact)]->To18(), "003Dn0000yHOVUVIA5");
  EXPECT_TRUE(e.record_ids[static_cast<int>(RuleRoot::kAccount)].has_value());
  EXPECT_FALSE(e.record_ids[static_cast<int>(RuleRoot::kCase)].has_value());
}

TEST_F(HostEventTest, ReadsCallsAndDeals) {
  Event call = testing::ReadEvent(R"({"type": "call.ended",
    "call": {"id": "k1", "direction": "inbound", "from": "+44 20 7946 0101", "duration_seconds": 125,
             "notes": "Wants a quote", "message": "ignored: not a call field"}})");
  EXPECT_EQ(Field(call, RuleRoot::kCall, "duration_seconds"), "125");
  EXPECT_EQ(Field(call, RuleRoot::kCall, "from"), "+44 20 7946 0101");
  EXPECT_EQ(call.object(RuleRoot::kConversation), nullptr);

  Event deal = testing::ReadEvent(R"({"type": "DEAL.CLOSED",
    "deal": {"amount": "1200.50", "outcome": "won", "close_date": "2026-12-01",
             "opportunity_id": "006Dn00006fQjeWIAS"},
    "conversation": {"id": "c-9"}})");
  EXPECT_EQ(deal.type, Trigger::kDealClosed);
  EXPECT_EQ(Field(deal, RuleRoot::kDeal, "amount"), "1200.5");
  EXPECT_EQ(Field(deal, RuleRoot::kDeal, "close_date"), "2026-12-01");
  EXPECT_EQ(Field(deal, RuleRoot::kDeal, "opportunity_id"), "006Dn00006fQjeWIAS");
  EXPECT_EQ(Field(deal, RuleRoot::kConversation, "id"), "c-9");
  EXPECT_EQ(Field(deal, RuleRoot::kConversation, "type"), "deal.closed");  // canonical spelling
  Event amount = testing::ReadEvent(R"({"type": "deal.closed", "deal": {"amount": 99.95}})");
  EXPECT_EQ(Field(amount, RuleRoot::kDeal, "amount"), "99.95");
  EXPECT_EQ(amount.object(RuleRoot::kConversation), nullptr);
}

TEST_F(HostEventTest, NotJsonOrNotAnObject) {
  EXPECT_NE(Error("").find("not JSON"), std::string::npos);
  EXPECT_NE(Error("{\"type\": ").find("not JSON"), std::string::npos);
  EXPECT_NE(Error("{\"type\": \"conversation.created\",}").find("not JSON"), std::string::npos);
  EXPECT_NE(Error("\"\xff\xfe\"").find("not JSON"), std::string::npos);
  EXPECT_EQ(Error("[1, 2]"), "expected a JSON object, got an array");
  EXPECT_EQ(Error(std::string(200, '[') + std::string(200, ']')),
            "the event nests objects and arrays deeper than 32 levels");
  HostEventLimits small;
  small.max_bytes = 10;
  Event event;
  HostEventError error;
  EXPECT_FALSE(ReadHostEvent(R"({"type": "call.ended"})", builder_, &event, &error, small));
  EXPECT_NE(error.message.find("at most 10"), std::string::npos);
}

TEST_F(HostEventTest, TypeMissingWrongOrUnknown) {
  EXPECT_EQ(Error("{}"), "type: missing: every event has a type such as \"conversation.created\"");
  EXPECT_EQ(Error(R"({"type": 3})"), "type: expected a string, got a number");
  std::string unknown = Error(R"({"type": "conversation.craeted", "conversation": {}})");
  EXPECT_NE(unknown.find("type: unknown event type \"conversation.craeted\": expected one of conversation.created"),
            std::string::npos) << unknown;
  EXPECT_NE(unknown.find("did you mean conversation.created?"), std::string::npos) << unknown;
}

TEST_F(HostEventTest, EventObjectMissingOrNotAnObject) {
  EXPECT_EQ(Error(R"({"type": "conversation.created"})"),
            "conversation: missing: a conversation.created event carries a \"conversation\" object");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": "k1"})"), "call: expected an object, got a string");
  EXPECT_EQ(Error(R"({"type": "deal.closed", "deal": {}, "conversation": [1]})"),
            "conversation: expected an object, got an array");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "id": 7})"), "id: expected a string, got a number");
}

TEST_F(HostEventTest, FieldsOfTheWrongType) {
  auto conv = [](const std::string& body) {
    return R"({"type": "conversation.message", "conversation": )" + body + "}";
  };
  EXPECT_EQ(Error(conv(R"({"customer": {"email": 42}})")),
            "conversation.customer.email: expected a string, got a number");
  EXPECT_EQ(Error(conv(R"({"channel": ["web"]})")), "conversation.channel: expected a string, got an array");
  EXPECT_EQ(Error(conv(R"({"customer": "Ann"})")), "conversation.customer: expected an object, got a string");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {"customer": [1]}})"), "call.customer: expected an object, got an array");
  EXPECT_EQ(Error(conv(R"({"customer": null, "message": null})")), "");
  EXPECT_EQ(Error(conv(R"({"message": {"text": false}})")), "conversation.message.text: expected a string, got a boolean");
  EXPECT_EQ(Error(conv(R"({"message_count": "many"})")),
            "conversation.message_count: expected a whole number, got \"many\"");
  EXPECT_EQ(Error(conv(R"({"message_count": 2.5})")), "conversation.message_count: expected a whole number, got \"2.5\"");
  EXPECT_EQ(Error(conv(R"({"started_at": "yesterday"})")),
            "conversation.started_at: expected a date-time such as 2024-03-31T13:45:00Z (with Z or an offset), got \"yesterday\"");
  EXPECT_EQ(Error(conv(R"({"started_at": 1700000000})")),
            "conversation.started_at: expected a date-time such as 2024-03-31T13:45:00Z (with Z or an offset), got a number");
  EXPECT_EQ(Error(conv(R"({"tags": ["a", 1]})")), "conversation.tags[1]: expected a string, got a number");
  EXPECT_EQ(Error(R"({"type": "deal.closed", "deal": {"amount": true}})"),
            "deal.amount: expected a number such as 12.5, got a boolean");
  EXPECT_EQ(Error(R"({"type": "deal.closed", "deal": {"close_date": "2026-02-30"}})"),
            "deal.close_date: expected a date such as 2024-03-31, got \"2026-02-30\"");
}

TEST_F(HostEventTest, BadRecordIds) {
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "records": {"Contact": "abc"}})"),
            "records.Contact: expected a Salesforce Id (15 or 18 letters and digits), got \"abc\"");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "records": {"Contact": "001Dn00001NRuOUIA1"}})"),
            "records.Contact: expected a Contact Id (prefix 003), got 001Dn00001NRuOU (prefix 001)");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "records": {"Contact": 3}})"),
            "records.Contact: expected a Salesforce Id string, got a number");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "records": {"Invoice": "a0C000000000001"}})"),
            "records.Invoice: expected one of Contact, Lead, Account, Opportunity, Case");
  EXPECT_EQ(Error(R"({"type": "call.ended", "call": {}, "records": ["003Dn0000yHOVUVIA5"]})"),
            "records: expected an object, got an array");
  EXPECT_EQ(Error(R"({"type": "deal.closed", "deal": {"opportunity_id": "003Dn0000yHOVUVIA5"}})"),
            "deal.opportunity_id: expected an Opportunity Id (prefix 006), got 003Dn0000yHOVUV (prefix 003)");
}

TEST_F(HostEventTest, TheBuilderIsReusableAfterAnError) {
  EXPECT_NE(Error(R"({"type": "call.ended", "call": {"notes": 1}})"), "");
  Event e = testing::ReadEvent(R"({"type": "call.ended", "call": {"notes": "ok"}})");
  EXPECT_EQ(Field(e, RuleRoot::kCall, "notes"), "ok");
  EXPECT_EQ(Field(e, RuleRoot::kCall, "duration_seconds"), "<null>");
}

TEST_F(HostEventTest, MutatedEventsNeverCrash) {
  const std::string good = R"({"type": "conversation.created", "conversation": {"id": "c", "customer": {"email": "a@b.example"}, "message": {"text": "hi"}}, "records": {"Lead": "00QDn0000eQ52aFMAR"}})";
  for (size_t i = 0; i < good.size(); ++i) {
    for (char c : {'\0', '"', '{', '}', '[', ']', ',', ':', '1', 'x', '\\'}) {
      std::string text = good;
      text[i] = c;
      Event event;
      HostEventError error;
      if (!ReadHostEvent(text, builder_, &event, &error)) {
        EXPECT_FALSE(error.message.empty());
      }
    }
    Event event;
    HostEventError error;
    ReadHostEvent(good.substr(0, i), builder_, &event, &error);
  }
}

}  // namespace
}  // namespace cf::engine
