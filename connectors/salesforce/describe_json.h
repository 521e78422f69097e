// Salesforce describe bodies (JSON) to the engine's schema model.
//
// Start here for schema discovery:
//   std::string error;
//   std::optional<engine::Object> account = ParseDescribe(body, &error);  // sObject describe
//   std::shared_ptr<const engine::Schema> s = LoadSchemaFile("examples/org", &error);
//
// Conventions of this header (and of record_json.h):
//  1. Nothing throws. A function that can fail returns an empty optional or nullptr and, when
//     `error` is not null, stores one message that names the input and the JSON path of the
//     culprit, e.g. "describe of Account: fields[3].type is not a string".
//  2. Bad input never crashes: any JSON text, however malformed, large or deeply nested, gives
//     either a result or an error (nesting deeper than kMaxJsonDepth is an error).
//  3. All functions are thread-safe (no shared state).
#ifndef CF_CONNECTORS_SALESFORCE_DESCRIBE_JSON_H_
#define CF_CONNECTORS_SALESFORCE_DESCRIBE_JSON_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"

namespace cf::sf {

// Deepest nesting of arrays and objects that ParseJson accepts.
inline constexpr int kMaxJsonDepth = 256;

// Parses JSON text with the conventions above. Unlike nlohmann::json::parse it bounds nesting
// and keeps numbers exact: a number whose decimal value a double cannot hold (more than ~15
// significant digits, e.g. 1234567890123456.78) is kept as a JSON string of its digits, which
// the record reader accepts for number fields. Every other number is an ordinary JSON number.
std::optional<nlohmann::json> ParseJson(std::string_view text, std::string* error);

// One entry of describeGlobal's "sobjects" (GET /services/data/vXX.X/sobjects).
struct GlobalObject {
  std::string name;
  std::string label;
  std::string label_plural;
  std::string key_prefix;  // empty when Salesforce sends null (objects without records)
  bool custom = false;
  bool queryable = false;
  bool createable = false;
  bool updateable = false;
};

// An sObject describe body (GET /services/data/vXX.X/sobjects/{name}/describe) as an Object:
// its attributes, every field that is not deprecatedAndHidden (in describe order), and every
// child relationship that has a relationshipName. The Object is indexed (FindField works).
// Keys the model has no place for are ignored; absent or null optional keys take the model's
// defaults; "name" and "fields" are required.
std::optional<engine::Object> ParseDescribe(std::string_view json_text, std::string* error);
std::optional<engine::Object> DescribeFromJson(const nlohmann::json& describe, std::string* error);

// A describeGlobal body: its "sobjects" list in order.
std::optional<std::vector<GlobalObject>> ParseDescribeGlobal(std::string_view json_text,
                                                             std::string* error);
std::optional<std::vector<GlobalObject>> DescribeGlobalFromJson(const nlohmann::json& body,
                                                                std::string* error);

// A dependent picklist value's "validFor": base64 of a bitset over the controlling field's
// values in describe order, most significant bit first within each byte (for a checkbox
// controller, index 0 is false and 1 is true). Returns the indexes of the set bits in
// ascending order; nullopt if the text is not base64 or sets a bit beyond index 65535.
// Accepts any length, with or without '=' padding. "gAAA" -> {0}, "oAAA" -> {0, 2}.
std::optional<std::vector<uint16_t>> DecodeValidFor(std::string_view base64);
// The inverse, as Salesforce writes it: ceil(controller_values / 8) bytes (at least one
// byte per set bit needed), padded with zero bytes to a multiple of three, base64 without
// '=' padding. EncodeValidFor({0}, 5) == "gAAA".
std::string EncodeValidFor(const std::vector<uint16_t>& indexes, size_t controller_values);

// Loads an org's schema for the command-line tool, the emulator and tests. `path` is either
//  - a JSON file holding {"objects": [describe, describe, ...]} or a single describe body, or
//  - a directory: every "*.json" file directly in it (in name order) holds one describe body
//    or {"objects": [...]}; files holding a describeGlobal body ("sobjects") are skipped. A
//    directory with a "describe" subdirectory (an org directory such as examples/org, which
//    also holds records.json) is read from that subdirectory.
// An object described twice is an error. Returns nullptr and sets *error on failure; the
// message starts with the file's path.
std::shared_ptr<const engine::Schema> LoadSchemaFile(const std::string& path,
                                                     std::string* error);
// The same for the text of one file of the first kind.
std::shared_ptr<const engine::Schema> ParseSchemaJson(std::string_view json_text,
                                                      std::string* error);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_DESCRIBE_JSON_H_
