// What Salesforce enforces on a record write, and how it reads request bodies.
//
// Start here:
//   SfError error;
//   std::optional<nlohmann::ordered_json> body = ParseRequestJson(req.body, &error);
//   if (!body) return ErrorResponse(400, {error});                    // JSON_PARSER_ERROR
//   auto lock = org.Lock();
//   WriteCheck check = ValidateWriteLocked(org, {&object, WriteKind::kCreate, &*body});
//   if (!check.ok()) return ErrorResponse(400, check.errors);
//   org.InsertLocked(object, std::move(check.fields), user_id);
//
// ValidateWriteLocked checks in Salesforce's order and stops after the first stage that fails,
// reporting every problem of that stage (Salesforce answers several errors at once):
//  1. reading the body: unknown or hidden field -> INVALID_FIELD; a value of the wrong JSON
//     type or format -> JSON_PARSER_ERROR with Jackson's "at [line:L, column:C]" (first only);
//  2. write access: fields that are not createable (create) / updateable (update) ->
//     INVALID_FIELD_FOR_INSERT_UPDATE naming them all;
//  3. system validation: REQUIRED_FIELD_MISSING (one error listing the fields), STRING_TOO_LONG,
//     INVALID_EMAIL_ADDRESS, NUMBER_OUTSIDE_VALID_RANGE, INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST
//     (restricted values and dependent values invalid for their controlling value),
//     lookups: MALFORMED_ID, FIELD_INTEGRITY_EXCEPTION (Id of another object),
//     INVALID_CROSS_REFERENCE_KEY (no such record), ENTITY_IS_DELETED;
//  then the fields Salesforce derives (derived.h: Opportunity IsClosed/IsWon/Probability/
//     ForecastCategoryName, Case IsClosed/ClosedDate, Lead and Contact Name) join the record;
//  4. active validation rules -> FIELD_CUSTOM_VALIDATION_EXCEPTION with the rule's message;
//  5. unique fields -> DUPLICATE_VALUE.
// The messages are Salesforce's; the top of validation.cc says where each text was checked.
//
// Thread safety: all functions may be called from any thread. ValidateWriteLocked REQUIRES the
// caller to hold org.Lock() (it reads records for lookups and duplicates). Compiled validation
// rules are cached per schema behind an internal mutex.
#ifndef CF_TOOLS_SFEMU_VALIDATION_H_
#define CF_TOOLS_SFEMU_VALIDATION_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

// ---- Request bodies ----

// Deepest nesting of arrays and objects a request body may have.
inline constexpr int kMaxBodyDepth = 512;

// Parses a request body keeping the order of keys. On failure returns nullopt and sets *error
// to JSON_PARSER_ERROR with a message in the words of the Jackson parser Salesforce uses, e.g.
// "Unexpected character ('}' (code 125)): was expecting double-quote to start field name at
// [line:1, column:3]". An empty body gives "The HTTP entity body is required, but this request
// has no entity body.". Numbers a double cannot hold exactly (more than 15 significant digits)
// are kept as strings of their digits, which number fields accept.
std::optional<nlohmann::ordered_json> ParseRequestJson(std::string_view text, SfError* error);

// A place in a request body: 1-based line and column, columns counted in bytes.
struct JsonPosition {
  int line = 1;
  int column = 1;
};
// Where Jackson stands after reading the first token of the value at `path` (object keys and
// array indexes as decimal text) in `text`: just after a scalar, or just after the '{' / '['
// that opens a container. nullopt if `text` is not valid JSON or has no such value.
std::optional<JsonPosition> LocateJsonValue(std::string_view text,
                                            const std::vector<std::string>& path);

// ---- Writes ----

enum class WriteKind { kCreate, kUpdate };

// Where a record body was read from, to place JSON_PARSER_ERROR messages.
struct BodyOrigin {
  std::string_view text;          // the request text; empty: messages say [line:1, column:1]
  std::vector<std::string> path;  // the record within it: {} for the root, {"records", "3"}
};

struct WriteRequest {
  const engine::Object* object = nullptr;
  WriteKind kind = WriteKind::kCreate;
  // Field name -> value as the client sent it. "attributes" is ignored. A lookup's
  // relationship name with an object value ({"Account": {"Ext__c": "A-1"}}) sets the lookup to
  // the record found by that external Id.
  const nlohmann::ordered_json* body = nullptr;
  const StoredRecord* existing = nullptr;  // kUpdate: the live record being changed
  BodyOrigin origin;
};

struct WriteCheck {
  // The values to store, in Salesforce's wire format (18-character Ids, dates "YYYY-MM-DD",
  // datetimes "YYYY-MM-DDTHH:MM:SS.000+0000", numbers rounded to the field's scale, "" as
  // null). Create: every field sent plus picklist defaults, unchecked checkboxes and derived
  // fields; update: the changes only, derived ones included (ClosedDate null when a case
  // reopens). Stamps (Id, CreatedDate, ...) are the Org's to add.
  nlohmann::json fields = nlohmann::json::object();
  std::vector<SfError> errors;
  bool ok() const { return errors.empty(); }
};

// REQUIRES: the caller holds org.Lock(); request.object belongs to org.schema(); body is a
// JSON object.
WriteCheck ValidateWriteLocked(const Org& org, const WriteRequest& request);

// ---- Validation rules ----

// A rule's ErrorConditionFormula is compiled with the condition language (engine/condition.h).
// Both Salesforce's spelling with bare field names (`ISPICKVAL(StageName, "Closed Won") &&
// ISBLANK(Amount)`, `Account.Name` through the Account lookup) and the prefixed spelling
// (`Opportunity.Amount`) are accepted: a path whose first segment is not the object's own name
// (or is also one of its fields or relationships) gets the object's name put in front.
// Functions the language lacks (ISCHANGED, PRIORVALUE, ISNEW, REGEX...) make a rule
// uncompilable: such rules are skipped on writes.
//
// The rules of `schema` that cannot be compiled, one line each:
// "Opportunity.Close_Date_Required: <condition>:1:10: error: unknown function 'ISNEW'".
// For the seed loader to report. Compiles (and caches) every object's rules.
std::vector<std::string> CheckValidationRules(const std::shared_ptr<const engine::Schema>& schema);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_VALIDATION_H_
