// How customer emails and phone numbers are compared when an event is bound to records: the
// keys the record cache indexes Contacts and Leads by (engine/sync_sink.h) and the binder looks
// up (engine/binding.h). docs/events.md ("Finding the customer") documents the rules.
//
// Pure functions; thread-safe.
#ifndef CF_ENGINE_BINDING_KEYS_H_
#define CF_ENGINE_BINDING_KEYS_H_

#include <string>
#include <string_view>

namespace cf::engine {

// ASCII whitespace trimmed, ASCII letters lower-cased ("  Ann@X.example " -> "ann@x.example").
// Empty when nothing is left.
std::string NormalizeEmail(std::string_view email);

// The digits of a phone number, compared by their last 10:
//   - everything but digits is dropped ("+44 (20) 7946-0101" -> "442079460101"); an extension
//     ends the number (a letter, ',' or ';' after the first digit: "555 0110 ext 12");
//   - a leading international prefix "00" is dropped ("0044 20..." is "+44 20...");
//   - more than 10 digits keep the last 10, so a number with and without its country code
//     or trunk 0 match ("+44 20 7946 0101" and "020 7946 0101" are both "2079460101");
//   - fewer than 5 digits give "" (never matches: "123", an extension on its own).
// Numbers of 5 to 10 digits compare whole, so write short numbers the same way on both sides.
std::string NormalizePhone(std::string_view phone);

// Fields of type phone named this (case-insensitive) are not indexed: a fax is not a person.
bool IsFaxField(std::string_view field_name);

}  // namespace cf::engine

#endif  // CF_ENGINE_BINDING_KEYS_H_
