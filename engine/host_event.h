// The host's events in JSON, read into typed Events (engine/event.h). The format is
// docs/events.md:
//
//   {"type": "conversation.created", "id": "evt-1",
//    "conversation": {"id": "c-1", "channel": "web_chat", "subject": "Pricing",
//                     "message": {"text": "Hello"},
//                     "customer": {"email": "ann@x.example", "phone": "+1 860 555 0110"}},
//    "records": {"Contact": "003Dn0000yHOVUVIA5"}}
//
//   EventBuilder builder(env);
//   Event event;
//   HostEventError error;
//   if (!ReadHostEvent(json, builder, &event, &error)) reply(error.ToString());
//
// Link target: cf::host_events (nlohmann/json stays out of cf::engine and of this header).
// Thread safety: as EventBuilder (one builder per thread); ReadHostEvent never throws.
#ifndef CF_ENGINE_HOST_EVENT_H_
#define CF_ENGINE_HOST_EVENT_H_

#include <cstddef>
#include <string>
#include <string_view>

#include "engine/event.h"

namespace cf::engine {

// A malformed event: which field (a JSON path such as "conversation.customer.email" or
// "records.Contact"; empty for the event as a whole) and what was expected.
struct HostEventError {
  std::string field;
  std::string message;  // "expected a string, got a number"
  // "conversation.customer.email: expected a string, got a number", or the message alone.
  std::string ToString() const { return field.empty() ? message : field + ": " + message; }
};

struct HostEventLimits {
  // Largest event accepted. Default: 1 MiB.
  size_t max_bytes = 1 << 20;
  // Deepest nesting of objects and arrays. Default: 32.
  int max_depth = 32;
};

// Reads one event. On success sets *event and returns true; on failure returns false and sets
// *error (the builder is reset either way). Unknown members are ignored (hosts may send more
// than the rules read); a known member of the wrong JSON type, a value its field cannot hold,
// a missing or unknown type, a missing event object, or a bad record Id is an error.
bool ReadHostEvent(std::string_view json, EventBuilder& builder, Event* event, HostEventError* error,
                   const HostEventLimits& limits = {});

}  // namespace cf::engine

#endif  // CF_ENGINE_HOST_EVENT_H_
