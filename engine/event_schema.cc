#include "engine/event_schema.h"

#include <initializer_list>
#include <string>
#include <utility>

namespace cf::engine {
namespace {

struct EventField {
  const char* name;
  FieldType type;
  const char* label;
};

Object MakeEventObject(const char* name, const char* label,
                       std::initializer_list<EventField> fields) {
  Object o;
  o.name = name;
  o.label = label;
  o.label_plural = label;
  o.is_event = true;
  o.queryable = false;
  for (const EventField& f : fields) {
    Field field;
    field.name = f.name;
    field.label = f.label;
    field.type = f.type;
    field.nillable = true;
    field.length = f.type == FieldType::kString || f.type == FieldType::kTextArea ? 131072 : 0;
    o.fields.push_back(std::move(field));
  }
  return o;
}

// Customer fields shared by every event type.
constexpr EventField kCustomerFields[] = {
    {"customer.email", FieldType::kEmail, "Customer email"},
    {"customer.phone", FieldType::kPhone, "Customer phone"},
    {"customer.name", FieldType::kString, "Customer name"},
    {"customer.first_name", FieldType::kString, "Customer first name"},
    {"customer.last_name", FieldType::kString, "Customer last name"},
    {"customer.company", FieldType::kString, "Customer company"},
};

Object WithCustomer(Object o) {
  for (const EventField& f : kCustomerFields) {
    Field field;
    field.name = f.name;
    field.label = f.label;
    field.type = f.type;
    field.length = 255;
    o.fields.push_back(std::move(field));
  }
  return o;
}

}  // namespace

std::vector<Object> StandardEventObjects() {
  std::vector<Object> out;
  out.push_back(WithCustomer(MakeEventObject(
      "conversation", "Conversation",
      {{"id", FieldType::kString, "Conversation id"},
       {"type", FieldType::kString, "Event type"},
       {"channel", FieldType::kString, "Channel"},
       {"status", FieldType::kString, "Status"},
       {"team", FieldType::kString, "Team"},
       {"subject", FieldType::kString, "Subject"},
       {"message", FieldType::kTextArea, "Last message text"},
       {"transcript", FieldType::kTextArea, "Transcript"},
       {"outcome", FieldType::kString, "Outcome"},
       {"priority", FieldType::kString, "Priority"},
       {"tags", FieldType::kString, "Tags (semicolon separated)"},
       {"started_at", FieldType::kDateTime, "Started at"},
       {"ended_at", FieldType::kDateTime, "Ended at"},
       {"message_count", FieldType::kInt, "Messages"},
       {"contact_id", FieldType::kReference, "Contact Id"},
       {"lead_id", FieldType::kReference, "Lead Id"},
       {"account_id", FieldType::kReference, "Account Id"},
       {"opportunity_id", FieldType::kReference, "Opportunity Id"},
       {"case_id", FieldType::kReference, "Case Id"}})));
  out.push_back(WithCustomer(MakeEventObject(
      "call", "Call",
      {{"id", FieldType::kString, "Call id"},
       {"direction", FieldType::kString, "Direction"},
       {"from", FieldType::kPhone, "From number"},
       {"to", FieldType::kPhone, "To number"},
       {"duration_seconds", FieldType::kInt, "Duration (seconds)"},
       {"outcome", FieldType::kString, "Outcome"},
       {"recording_url", FieldType::kUrl, "Recording URL"},
       {"notes", FieldType::kTextArea, "Notes"},
       {"started_at", FieldType::kDateTime, "Started at"},
       {"ended_at", FieldType::kDateTime, "Ended at"}})));
  out.push_back(WithCustomer(MakeEventObject(
      "deal", "Deal",
      {{"id", FieldType::kString, "Deal id"},
       {"name", FieldType::kString, "Deal name"},
       {"amount", FieldType::kCurrency, "Amount"},
       {"stage", FieldType::kString, "Stage"},
       {"outcome", FieldType::kString, "Outcome"},
       {"close_date", FieldType::kDate, "Close date"},
       {"opportunity_id", FieldType::kReference, "Opportunity Id"}})));
  return out;
}

void AddStandardEventObjects(Schema* schema) {
  for (Object& o : StandardEventObjects()) schema->Add(std::move(o));
}

}  // namespace cf::engine
