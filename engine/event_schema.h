// The host's events as schema objects, so that conditions read event fields
// (`conversation.channel`, `conversation.customer.email`) with the same typed paths as records.
#ifndef CF_ENGINE_EVENT_SCHEMA_H_
#define CF_ENGINE_EVENT_SCHEMA_H_

#include <vector>

#include "engine/schema.h"

namespace cf::engine {

// The event pseudo-objects: "conversation", "call" and "deal", with Object::is_event set.
// Nested event fields have dotted names ("customer.email"). Fields hold text, numbers, dates
// and record Ids the host already knows ("contact_id").
std::vector<Object> StandardEventObjects();

// Adds StandardEventObjects() to `schema` (replacing objects of the same names).
void AddStandardEventObjects(Schema* schema);

}  // namespace cf::engine

#endif  // CF_ENGINE_EVENT_SCHEMA_H_
