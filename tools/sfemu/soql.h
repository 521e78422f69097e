// SOQL for the emulator: a hand-written parser, a binder that checks names against the org's
// schema (and the integration user's field-level security), and an executor over the Org's
// rows.
//
// Start here:
//   SoqlError error;
//   std::shared_ptr<const SoqlQuery> q = CompileSoql(org.schema(), text, &hidden, &error);
//   if (!q) return ErrorResponse(error.status, error.error_code, error.message);
//   auto lock = org.Lock();
//   SoqlRows rows = RunSoqlLocked(org, *q, options);       // matching Ids, in order
//   std::string page = RenderRecordsLocked(org, *q, rows.ids, 0, 2000, "v59.0");
//
// The subset (docs/emulator-seed.md lists it with Salesforce's semantics):
//   SELECT field, Parent.Field (up to 5 lookups), COUNT(), (SELECT ... FROM ChildRelationship
//     [WHERE ...] [ORDER BY ...] [LIMIT n])
//   or the aggregate form: SELECT grouped fields and COUNT(field) [alias] ... GROUP BY field, ...
//     (rows of type AggregateResult; an unaliased COUNT(field) is named expr0, expr1...)
//   FROM one object
//   WHERE conditions joined by AND / OR (mixing them needs parentheses, as in SOQL), NOT,
//     = != <> < <= > >=, [NOT] IN (...), LIKE, INCLUDES / EXCLUDES (multi-select picklists),
//     literals: 'text' (escapes \' \" \\ \n \r \t \b \f \% \_ \uXXXX), numbers, true, false,
//     null, dates 2026-01-31, datetimes 2026-01-31T10:00:00Z / .000+0000 / +01:00, and date
//     literals (TODAY, LAST_N_DAYS:7, ...; engine/date_literal.h)
//   ORDER BY field [ASC|DESC] [NULLS FIRST|LAST], ...
//   LIMIT n, OFFSET n (at most 2000)
// Values compare as Salesforce does: text ignoring case (unless the field is case-sensitive),
// a null field matches only "= null", "!= x" and "NOT IN" (two-valued logic, unlike formulas),
// Ids in their 15- or 18-character form, date literals as ranges of days in the user's zone.
//
// Errors are Salesforce's: MALFORMED_QUERY (syntax), INVALID_FIELD (unknown or hidden field,
// bad relationship, wrong literal type), INVALID_TYPE (unknown object or child relationship),
// INVALID_QUERY_FILTER_OPERATOR (bad Id literal or operator for the field), with the
// "\n<query excerpt>\n<caret>\nERROR at Row:R:Column:C\n<text>" message of Salesforce's
// query compiler. A query that does not start with SELECT gets the bare "unexpected token:
// 'X'" the live capture in tests/data/salesforce-samples/errors shows.
//
// Thread safety: compiled queries are immutable and may be shared; RunSoqlLocked and
// RenderRecordsLocked REQUIRE the caller to hold org.Lock().
#ifndef CF_TOOLS_SFEMU_SOQL_H_
#define CF_TOOLS_SFEMU_SOQL_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/date_literal.h"
#include "engine/schema.h"
#include "engine/time_zone.h"
#include "engine/value.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

struct SoqlError {
  int status = 400;
  std::string error_code;  // "MALFORMED_QUERY", "INVALID_FIELD", ...
  std::string message;
};

// ---- Syntax tree (positions are 0-based byte offsets into the query text) ----

struct SoqlPath {
  std::vector<std::string> parts;  // "Account.Owner.Name" -> {"Account", "Owner", "Name"}
  size_t pos = 0;
  std::string Text() const;  // parts joined by '.'
};

struct SoqlLiteral {
  enum class Kind : uint8_t { kNull, kString, kNumber, kBool, kDate, kDateTime, kDateLiteral };
  Kind kind = Kind::kNull;
  std::string text;   // kString: the unescaped value; kNumber: the digits as written
  double number = 0;  // kNumber
  bool boolean = false;
  engine::Days date = 0;      // kDate
  engine::Millis millis = 0;  // kDateTime
  engine::DateLiteralKind date_literal = engine::DateLiteralKind::kToday;
  int32_t n = 0;  // the n of LAST_N_DAYS:n
  size_t pos = 0;
};

enum class SoqlOp : uint8_t {
  kEq, kNe, kLt, kLe, kGt, kGe, kLike, kIn, kNotIn, kIncludes, kExcludes,
};

struct SoqlCondition {
  enum class Kind : uint8_t { kAnd, kOr, kNot, kCompare };
  Kind kind = Kind::kCompare;
  std::vector<SoqlCondition> children;  // kAnd, kOr (two or more), kNot (one)
  SoqlPath field;                       // kCompare
  SoqlOp op = SoqlOp::kEq;
  std::vector<SoqlLiteral> values;  // one, or the list of IN / NOT IN / INCLUDES / EXCLUDES
  size_t pos = 0;
};

struct SoqlOrder {
  SoqlPath field;
  bool descending = false;
  bool nulls_last = false;  // default: NULLS FIRST for ASC, NULLS LAST for DESC
};

struct SoqlSelect;

struct SoqlItem {
  enum class Kind : uint8_t { kField, kCount, kSubquery };
  Kind kind = Kind::kField;
  SoqlPath field;                        // kField; kCount: the counted field (empty: COUNT())
  std::string alias;                     // kCount: "n" in COUNT(Id) n
  std::shared_ptr<SoqlSelect> subquery;  // kSubquery
  size_t pos = 0;
};

struct SoqlSelect {
  std::vector<SoqlItem> items;
  std::string from;
  size_t from_pos = 0;
  std::optional<SoqlCondition> where;
  std::vector<SoqlPath> group_by;
  std::vector<SoqlOrder> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
};

// Syntax only. On error returns nullopt and sets *error (MALFORMED_QUERY).
std::optional<SoqlSelect> ParseSoql(std::string_view text, SoqlError* error);

// ---- Compiled queries ----

class SoqlQuery;  // opaque: a bound SoqlSelect

// Parses and binds `text` against `schema`. Fields in `hidden` (lower-case "object.field",
// e.g. "account.health_score__c") behave as if they did not exist. nullptr and *error on
// failure.
std::shared_ptr<const SoqlQuery> CompileSoql(const engine::Schema& schema, std::string_view text,
                                             const std::set<std::string>* hidden,
                                             SoqlError* error);
// The hidden set for an org's integration user (Org::IsHidden), for CompileSoql.
std::set<std::string> HiddenFieldSet(const Org& org);

// What a compiled query selects from, and whether it is SELECT COUNT().
const engine::Object& SoqlObject(const SoqlQuery& query);
bool SoqlIsCount(const SoqlQuery& query);
// True for the aggregate form (GROUP BY or COUNT(field)): RunSoqlLocked fills
// SoqlRows::aggregates instead of ids.
bool SoqlIsAggregate(const SoqlQuery& query);
// True when the query selects any of `fields` (lower-case names of the FROM object's fields);
// for the Tooling API's one-row rule on Metadata and FullName.
bool SoqlSelectsAny(const SoqlQuery& query, const std::vector<std::string>& fields);

struct SoqlRunOptions {
  bool include_deleted = false;  // queryAll
  engine::Millis now = 0;        // for date literals
  std::shared_ptr<const engine::TimeZone> time_zone;  // for date literals; null: UTC
};

struct SoqlRows {
  std::vector<engine::SfId> ids;  // the result's rows in order, after OFFSET and LIMIT
  int64_t total_size = 0;         // COUNT(): the count (ids is empty); else the rows' count
  // Aggregate queries: each AggregateResult row's JSON text, after OFFSET and LIMIT
  // ({"attributes":{"type":"AggregateResult"},"StageName":"Prospecting","expr0":3}).
  std::vector<std::string> aggregates;
};

// REQUIRES: org.Lock() held; query compiled against org.schema().
SoqlRows RunSoqlLocked(const Org& org, const SoqlQuery& query, const SoqlRunOptions& options);

// The JSON text of records ids[begin, end) as a comma-separated list (no brackets), each as
// the REST API writes it: "attributes" {type, url} first, then the selected fields in SELECT
// order, parent records nested under their relationship names, child subqueries as
// {"totalSize", "done", "records"} (null when empty). `api_version` is "v59.0" (or
// "v59.0/tooling" for Tooling records, whose URLs are /services/data/v59.0/tooling/sobjects/...).
// REQUIRES: org.Lock() held.
std::string RenderRecordsLocked(const Org& org, const SoqlQuery& query,
                                const std::vector<engine::SfId>& ids, size_t begin, size_t end,
                                const std::string& api_version, const SoqlRunOptions& options);

// ---- Helpers shared with the read API ----

// Salesforce's text for a double (Java's Double.toString): "15000.0", "0.5", "2.4E9", "1.0E-4".
std::string JavaDoubleText(double v);
// A JSON string literal (quotes included), escaping as Salesforce's serializer does.
void AppendJsonString(std::string* out, std::string_view text);
// One stored value as the REST API writes it for a field of `type` (numbers of double-kind
// fields as JavaDoubleText, int fields as integers).
void AppendFieldJson(std::string* out, const FieldValue& value, engine::FieldType type);
// A compound address field (BillingAddress) as the REST API writes it, composed from its parts
// (BillingStreet, BillingCity, ...): {"city", "country", "geocodeAccuracy", "latitude",
// "longitude", "postalCode", "state", "street"}, or null when every part is null. A value
// stored under the compound field itself wins.
void AppendAddressJson(std::string* out, const RecordView& row, const engine::Field& field);
// MALFORMED_QUERY/INVALID_FIELD-style message with the excerpt, caret and position.
std::string SoqlErrorMessage(std::string_view query, size_t pos, std::string_view text);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_SOQL_H_
