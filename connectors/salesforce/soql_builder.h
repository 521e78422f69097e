// Safe SOQL: values are escaped literals, names are validated API names, so no value from an
// event (an email, a name) can change a query's structure.
//
// Start here:
//   SoqlQuery q = SoqlQuery::From("Contact")
//                     .Select({"Id", "Email", "Account.Name"})
//                     .Where(Soql::Eq("Email", SoqlValue::String(event_email)))
//                     .Limit(10);
//   std::string error;
//   std::optional<std::string> soql = q.Build(&error);
//     // SELECT Id, Email, Account.Name FROM Contact WHERE Email = 'x\' OR Name LIKE \'%' LIMIT 10
//   std::string path = QueryPath("v60.0", *soql);   // /services/data/v60.0/query?q=SELECT%20...
//
// Incremental sync:
//   IncrementalQuery("Lead", {"Id", "Email"}, {.since = cursor}, &error)
//     // SELECT Id, Email, SystemModstamp FROM Lead WHERE SystemModstamp > 2026-01-01T00:00:00Z
//     //   ORDER BY SystemModstamp, Id
//
// Conventions: nothing throws. Builders record the first problem (a bad name, a value that
// cannot be a literal) and Build reports it, so a fluent chain needs one check at the end.
// All functions are thread-safe; SoqlQuery is a value type.
#ifndef CF_CONNECTORS_SALESFORCE_SOQL_BUILDER_H_
#define CF_CONNECTORS_SALESFORCE_SOQL_BUILDER_H_

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cf::sf {

// ---- Escaping ---------------------------------------------------------------------------------

// The body of a SOQL string literal (no quotes) for `value`: backslash, ' and " are escaped
// with a backslash; newline, carriage return, tab, backspace and form feed as \n \r \t \b \f;
// other control characters (U+0000-U+001F, U+007F) as \uXXXX. Everything else, including UTF-8,
// is copied. % and _ are NOT escaped (they are wildcards only in LIKE; see EscapeLike).
std::string EscapeSoqlString(std::string_view value);
// "'" + EscapeSoqlString(value) + "'".
std::string QuoteSoqlString(std::string_view value);
// For LIKE patterns: EscapeSoqlString plus \% and \_, so that `value` matches itself literally.
std::string EscapeSoqlLike(std::string_view value);

// ---- Names ------------------------------------------------------------------------------------

// True for an API name: an ASCII letter, then letters, digits and underscores, at most 255
// characters, not ending in '_'. "__" only separates non-empty parts (namespace and suffix), at
// most four of them: Name, Custom__c, ns__Custom__c, Parent__r, ns__Location__Latitude__s.
bool IsValidApiName(std::string_view name);
// An object name: IsValidApiName, and not a relationship (__r) name.
bool ValidateObjectName(std::string_view name, std::string* error);
// A field path: one to six dot-separated API names (five parent relationships at most, as
// SOQL allows). Every part but the last is a relationship name: a __c name there is an error
// that suggests the __r form.
bool ValidateFieldPath(std::string_view path, std::string* error);

// ---- Literals ---------------------------------------------------------------------------------

using SoqlTime = std::chrono::sys_time<std::chrono::milliseconds>;

// Salesforce datetime literal in UTC, to the second: 2026-01-01T00:00:00Z. Milliseconds are
// truncated (the literal cannot carry them); callers comparing with '>' against a cursor may
// therefore see records of the cursor's second again, and must de-duplicate (by Id and
// SystemModstamp). Years outside 0000-9999 are clamped.
std::string FormatSoqlDateTime(SoqlTime t);
// Date literal: 2026-01-01 (the UTC date of `t`).
std::string FormatSoqlDate(SoqlTime t);

// A literal value in a condition. Factories validate; an invalid value carries its error, which
// Build reports.
class SoqlValue {
 public:
  static SoqlValue String(std::string_view value);  // quoted, escaped
  // A decimal number as text: optional '-', digits, optional '.' and digits. Anything else is an
  // error (no exponents, no spaces).
  static SoqlValue Number(std::string_view decimal);
  static SoqlValue Integer(int64_t value);
  static SoqlValue Bool(bool value);
  static SoqlValue Null();
  static SoqlValue DateTime(SoqlTime t);
  static SoqlValue Date(SoqlTime t);
  // A date or datetime literal as text, checked for the exact shape (YYYY-MM-DD or
  // YYYY-MM-DDThh:mm:ss[.sss](Z|+hh:mm|-hh:mm)), or a date literal keyword (TODAY, LAST_N_DAYS:3).
  static SoqlValue DateText(std::string_view text);

  const std::string& text() const { return text_; }    // as it appears in SOQL
  const std::string& error() const { return error_; }  // empty when valid
  bool is_string() const { return is_string_; }
  bool is_null() const { return is_null_; }

 private:
  std::string text_;
  std::string error_;
  bool is_string_ = false;
  bool is_null_ = false;
};

// A WHERE condition. Build conditions with the Soql:: functions below.
class SoqlCondition {
 public:
  const std::string& text() const { return text_; }
  const std::string& error() const { return error_; }

 private:
  friend class Soql;
  std::string text_;
  std::string error_;
  bool compound_ = false;  // an AND/OR list: parenthesised when nested
};

class Soql {
 public:
  // field op value, for op in = != < <= > >=. Null only with = and !=.
  static SoqlCondition Eq(std::string_view field, const SoqlValue& value);
  static SoqlCondition Ne(std::string_view field, const SoqlValue& value);
  static SoqlCondition Lt(std::string_view field, const SoqlValue& value);
  static SoqlCondition Le(std::string_view field, const SoqlValue& value);
  static SoqlCondition Gt(std::string_view field, const SoqlValue& value);
  static SoqlCondition Ge(std::string_view field, const SoqlValue& value);
  // field IN (v1, v2, ...) / NOT IN. An empty list is an error (SOQL rejects "IN ()"); so is
  // null in the list.
  static SoqlCondition In(std::string_view field, const std::vector<SoqlValue>& values);
  static SoqlCondition NotIn(std::string_view field, const std::vector<SoqlValue>& values);
  // field LIKE '<pattern>' where the caller's text matches literally (its % and _ escaped) and
  // the wildcards are the builder's: Contains -> '%text%', StartsWith -> 'text%',
  // EndsWith -> '%text', LikeExact -> 'text' (LIKE is case-insensitive in SOQL).
  static SoqlCondition Contains(std::string_view field, std::string_view text);
  static SoqlCondition StartsWith(std::string_view field, std::string_view text);
  static SoqlCondition EndsWith(std::string_view field, std::string_view text);
  static SoqlCondition LikeExact(std::string_view field, std::string_view text);
  // Combinations; an empty list is an error, a list of one is that condition.
  static SoqlCondition And(std::vector<SoqlCondition> conditions);
  static SoqlCondition Or(std::vector<SoqlCondition> conditions);
  static SoqlCondition Not(const SoqlCondition& condition);

 private:
  static SoqlCondition Make(std::string text, std::string error, bool compound);
  static SoqlCondition Compare(std::string_view field, std::string_view op, const SoqlValue& value);
  static SoqlCondition InList(std::string_view field, std::string_view op,
                              const std::vector<SoqlValue>& values);
  static SoqlCondition Like(std::string_view field, std::string_view text, bool leading,
                            bool trailing);
  static SoqlCondition Join(std::vector<SoqlCondition> conditions, std::string_view op);
};

// SELECT <fields> FROM <object> [WHERE ...] [ORDER BY ...] [LIMIT n].
class SoqlQuery {
 public:
  static SoqlQuery From(std::string_view object);

  SoqlQuery& Select(std::initializer_list<std::string_view> fields);
  SoqlQuery& Select(const std::vector<std::string>& fields);
  // Adds conditions joined with AND.
  SoqlQuery& Where(const SoqlCondition& condition);
  SoqlQuery& OrderBy(std::string_view field, bool descending = false);
  // A positive number (anything else is an error); unset means no LIMIT clause.
  SoqlQuery& Limit(int64_t n);

  // The SOQL text, or nullopt and the first problem recorded. Fields are de-duplicated
  // case-insensitively, keeping the first spelling; no fields is an error.
  std::optional<std::string> Build(std::string* error) const;

 private:
  std::string object_;
  std::vector<std::string> fields_;
  std::vector<SoqlCondition> where_;
  std::vector<std::string> order_by_;
  std::optional<int64_t> limit_;
  std::string error_;
};

// Options of IncrementalQuery.
struct IncrementalOptions {
  // Records changed after this instant. SOQL datetime literals carry whole seconds, so the
  // query compares with `since` truncated to its second: records of that second may come
  // again (never fewer than asked); callers de-duplicate by Id and SystemModstamp.
  SoqlTime since{};
  // Use ">=" instead of ">": for resuming a sync that stopped in the middle of records sharing
  // one SystemModstamp (pass the last stored record's stamp). Default: false.
  bool inclusive = false;
  std::optional<SoqlTime> until;     // and SystemModstamp <= until. Default: none.
  std::vector<SoqlCondition> extra;  // ANDed. Default: none.
  std::optional<int64_t> limit;      // Default: none (page with nextRecordsUrl).
};

// SELECT <fields + Id + SystemModstamp> FROM <object> WHERE SystemModstamp > <since>
// [...] ORDER BY SystemModstamp, Id.
std::optional<std::string> IncrementalQuery(std::string_view object,
                                            const std::vector<std::string>& fields,
                                            const IncrementalOptions& options, std::string* error);

// ---- The query endpoint -------------------------------------------------------------------------

// Percent-encodes everything but the unreserved characters A-Z a-z 0-9 - _ . ~ (space -> %20),
// for a query parameter value.
std::string UrlEncodeComponent(std::string_view value);
// "/services/data/<version>/query?q=<encoded>" (or queryAll). `api_version` is "v60.0" style;
// anything else yields an empty string.
std::string QueryPath(std::string_view api_version, std::string_view soql, bool all_rows = false);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_SOQL_BUILDER_H_
