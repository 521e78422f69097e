// A host event, typed: the trigger, the event objects (conversation, call, deal) as records of
// the rule Environment's event layouts, and the record Ids the host already knows.
//
//   EventBuilder b(env);                          // env: MakeRuleEnvironment(schema)
//   b.Reset(Trigger::kConversationCreated);
//   if (!b.Set(RuleRoot::kConversation, "customer.email", "ann@x.example", &error)) ...
//   Event event = b.Finish();
//
// The JSON form the host sends is read by engine/host_event.h (docs/events.md).
//
// Thread safety: an Event is immutable once built and may be read from many threads; an
// EventBuilder is not thread-safe (one per thread, reusable).
#ifndef CF_ENGINE_EVENT_H_
#define CF_ENGINE_EVENT_H_

#include <array>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/condition.h"
#include "engine/record.h"
#include "engine/rule_set.h"
#include "engine/value.h"

namespace cf::engine {

// The record roots (Contact .. Case) and the event roots (conversation, call, deal).
inline constexpr int kRecordRootCount = 5;  // RuleRoot::kContact .. RuleRoot::kCase
inline constexpr int kEventRootCount = 3;   // RuleRoot::kConversation .. RuleRoot::kDeal
inline bool IsRecordRoot(RuleRoot r) { return static_cast<int>(r) < kRecordRootCount; }
inline bool IsEventRoot(RuleRoot r) { return !IsRecordRoot(r); }

struct Event {
  Trigger type = Trigger::kConversationCreated;
  std::string id;  // the host's event id; may be empty
  // conversation, call, deal (index: RuleRoot - kConversation): records of the event objects
  // in the layouts of the Environment the event was built with; null when the event carries
  // no such object (its fields read as null).
  std::array<RecordPtr, kEventRootCount> objects;
  // Contact, Lead, Account, Opportunity, Case (index: RuleRoot): Ids the host gave in
  // "records"; they take precedence over every lookup (docs/events.md).
  std::array<std::optional<SfId>, kRecordRootCount> record_ids;

  // REQUIRES: IsEventRoot(root).
  const Record* object(RuleRoot root) const {
    return objects[static_cast<int>(root) - kRecordRootCount].get();
  }
};

// Builds Events with the event layouts of one Environment. Values are given in their text
// form and checked against the field's type; an error message says what was expected.
class EventBuilder {
 public:
  // REQUIRES: env comes from MakeRuleEnvironment (it has the event objects and the roots).
  explicit EventBuilder(std::shared_ptr<const Environment> env);

  // Starts a new event of this type; everything set before is dropped.
  void Reset(Trigger type);
  void SetId(std::string id) { event_.id = std::move(id); }

  // The event object of a root, or nullptr. REQUIRES: IsEventRoot(root).
  const Object* EventObject(RuleRoot root) const;
  // Sets event field `field` ("channel", "customer.email"; case-insensitive) of event object
  // `root` from its text: text kinds as is; numbers "12.5"; dates "2024-03-31"; date-times
  // ISO 8601 with "Z" or an offset; Ids 15 or 18 characters (for contact_id .. case_id, an Id
  // of that object). Marks the object present. On error returns false, sets *error to what
  // was expected ("expected a date-time such as 2024-03-31T13:45:00Z, got \"soon\"") and
  // leaves the field unchanged.
  bool Set(RuleRoot root, std::string_view field, std::string_view text, std::string* error);
  // Marks an event object present (its unset fields are null).
  void Touch(RuleRoot root);
  bool IsSet(RuleRoot root, std::string_view field) const;
  // A record Id the host knows. Fails on a malformed Id or one of another object (key
  // prefix), with *error saying so. REQUIRES: IsRecordRoot(root).
  bool SetRecordId(RuleRoot root, std::string_view id, std::string* error);

  // Returns the event and resets the builder (same type, nothing set).
  Event Finish();

  const Environment& environment() const { return *env_; }

 private:
  struct PerObject {
    int object_index = -1;
    std::unique_ptr<RecordBuilder> builder;
    std::vector<bool> set;           // by field index
    bool touched = false;
  };
  std::shared_ptr<const Environment> env_;
  std::array<PerObject, kEventRootCount> objects_;
  Event event_;
};

// Checks that `id` is an Id of object `object` (by key prefix, when the schema knows the
// object's prefix). Returns an empty string, or what is wrong ("expected a Contact Id
// (prefix 003), got an Id with prefix 001").
std::string CheckIdPrefix(const Schema& schema, RuleRoot root, const SfId& id);

// What text a field of this type takes, for error messages ("a number such as 12.5").
const char* ExpectedTextForm(FieldType type);

}  // namespace cf::engine

#endif  // CF_ENGINE_EVENT_H_
