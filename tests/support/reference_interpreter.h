// A deliberately simple reference interpreter for the condition language, used as the oracle
// of the differential test (tests/engine/differential_test.cc). It walks the grammar AST
// directly, resolves every path by name on every evaluation, evaluates every operand (no
// short-circuit), and carries dynamically typed values. It shares no code with the engine's
// compiler or evaluator (engine/condition_*.cc); from the engine it uses only the value types
// (Decimal arithmetic, SfId parsing and equality), the schema, records, the Environment's
// roots and layouts, and TimeZone::StartOfDay. Calendar arithmetic, date-literal ranges,
// rounding, number formatting and ISO parsing are its own.
//
// Its job is semantics, not diagnostics: an expression it considers ill-typed is reported as
// "unsupported" with a short reason, never with a position.
//
// Thread safety: a ReferenceInterpreter is immutable after construction; Evaluate may be
// called concurrently.
//
// ---------------------------------------------------------------------------------------------
// Semantics, from the spec (the condition-language spec the project was given), with
// the choices made where it is silent, marked CHOICE. Order of authority for a CHOICE:
// Salesforce's documented formula/SOQL behaviour; else the project's decision in
// docs/condition-language.md; else the simplest rule, stated here. Where the compiled
// evaluator differs, the differential test reports it and the two are reconciled.
//
// Types. boolean; number (int, long, double, currency, percent: Decimal); text (string,
//   textarea, email, phone, url, encryptedstring, combobox); picklist (its value text);
//   multipicklist ("A;B;C"); id (id, reference: SfId); date; datetime; time.
// Logic. AND, OR, NOT are Kleene's; both operands are always evaluated.
// Comparisons. A null operand gives UNKNOWN, except `= null` / `== null` (IS NULL) and
//   `!= null` / `<> null` (IS NOT NULL), written with the null literal on either side.
//   `x < null` and friends are UNKNOWN.
//   number-number: exact decimal order. text-text (picklist counts as its value text):
//   case-sensitive; `<` `>` order by unsigned bytes. id-id: SfId equality (15/18 characters);
//   id vs a string literal: the literal parsed as an Id (not an Id: unsupported); ordering of
//   Ids: unsupported. boolean: = and != only. date-date, datetime-datetime, time-time: order.
//   CHOICE: date vs datetime, and multipicklist with anything but INCLUDES / ISBLANK / ISNULL /
//   IS NULL / = null, are unsupported.
// Date literals (TODAY, THIS_QUARTER, LAST_N_DAYS:n...) denote ranges [first, last] of local
//   days relative to EvalContext::today: `=` within, `!=` outside, `<` before first, `<=` up to
//   last, `>` after last, `>=` from first. For a datetime operand the range becomes the
//   instants [StartOfDay(first), StartOfDay(last + 1)) in the context's zone (UTC if none).
//   Weeks start on Sunday; quarters are calendar quarters. LAST_N_DAYS:n = [today-n, today];
//   NEXT_N_DAYS:n = [today+1, today+n]; N_DAYS_AGO:n = today-n; N_DAYS_FROM_NOW:n = today+n;
//   LAST_90_DAYS = LAST_N_DAYS:90; NEXT_90_DAYS = NEXT_N_DAYS:90. LAST_N_{WEEKS,MONTHS,
//   QUARTERS,YEARS}:n are the n whole units before the current one; NEXT_N_... the n whole
//   units after it; N_..._AGO:n / N_..._FROM_NOW:n the single unit n before / after the current
//   one. n = 0 gives an empty range for LAST_N_/NEXT_N_ units (nothing is within it).
// ISO literals. A date literal compares with dates only; a datetime literal (instant, offset or
//   Z required) with datetimes only.
// IN. `x IN (e1, ..., en)` is the Kleene OR of `x = ei`, where `x = null-literal` is IS NULL.
//   So: x null -> TRUE if the list has a null literal, else UNKNOWN; x not null -> TRUE if some
//   element equals, else UNKNOWN if some non-literal element is null, else FALSE. Elements may
//   be date literals (within). NOT IN is the Kleene NOT of IN.
// LIKE. Text (or picklist) LIKE a string literal. Case-insensitive (CHOICE: ASCII letters are
//   folded; other bytes compare exactly). `%` any run of characters, `_` exactly one character
//   (CHOICE: one UTF-8 code point). In the pattern's raw text `\%` and `\_` are literal, `\\` is
//   a backslash, other escapes resolve as in strings. Null operand: UNKNOWN.
// CONTAINS, STARTS WITH, ENDS WITH (operators and the CONTAINS/BEGINS functions): case-
//   sensitive byte comparisons; a null operand gives UNKNOWN; an empty needle is always found.
// Functions. A null argument gives null, except ISBLANK, ISNULL, BLANKVALUE, IF.
//   ISBLANK(x): null or "" (text, multipicklist, picklist). ISNULL(x): null only.
//   BLANKVALUE(a, b): b if a is blank, else a (both of one type).
//   IF(c, a, b): a if c is TRUE, else b (FALSE or UNKNOWN).
//   ISPICKVAL(p, s): p's value equals s exactly; null p gives UNKNOWN (spec rule; CHOICE over
//     Salesforce's FALSE, because the spec lists the null exceptions exhaustively).
//   INCLUDES(m, s): s is one of m's ";"-separated values (exact); "" has none; null: UNKNOWN.
//   TEXT(x): number -> canonical decimal ("12.5", "-3", "0.001": no exponent, no trailing
//     zeros); picklist -> its value; text -> itself; date -> "YYYY-MM-DD"; datetime -> CHOICE
//     Salesforce's "YYYY-MM-DD HH:MM:SSZ" in GMT (Trailhead, "Use Text Formulas": TEXT of
//     March 17, 2015 5 PM is "2015-03-17 17:00:00Z"); time -> "HH:MM:SS.mmmZ"; boolean ->
//     CHOICE "true"/"false"; id -> its 18-character form (docs/condition-language.md).
//     TEXT of a multipicklist: unsupported.
//   VALUE(text): CHOICE: spaces and tabs at both ends are ignored (as TRIM); then an optional
//     sign, digits with an optional fraction, an optional exponent (e/E, optional sign,
//     digits); no commas, no other spaces; at least one digit before the exponent. More than 9
//     fractional digits round half away from zero (Decimal's scale); out of Decimal's range:
//     null. Anything else: null.
//   DATEVALUE(text): exactly YYYY-MM-DD of a valid date, else null. DATEVALUE(datetime): its
//     GMT date.
//   LEN(text): CHOICE: characters = UTF-8 code points. LOWER/UPPER: CHOICE: ASCII letters only.
//   TRIM: spaces and tabs at both ends (Salesforce's definition; not newlines).
//   BEGINS(t, p), CONTAINS(t, s): case-sensitive.
//   ABS(n). ROUND(n, d): d must be an integer; half away from zero; d >= 9 leaves n as is (the
//     Decimal scale); a result out of range is null. MIN/MAX(a, b, ...): numbers, 2+ args.
//   TODAY(): EvalContext::today. NOW(): EvalContext::now.
//   YEAR/MONTH/DAY(date) -> number.
// Arithmetic. + - * / on numbers with Decimal (exact; overflow -> null; x / 0 -> null);
//   unary minus. Dates (docs/condition-language.md): date + number, number + date,
//   date - number -> date (the number's integer part, toward zero); date - date -> number of
//   days; datetime + number, number + datetime, datetime - number -> datetime (days with
//   their fraction, CHOICE: rounded half away from zero to the millisecond); datetime -
//   datetime -> days (CHOICE: rounded half away from zero to 9 digits). CHOICE: a date or
//   datetime result outside years 1..9999 is null.
// `&`: text & text -> text, a null operand counts as "" (never null).
// Paths. The first segment names a root (Environment::FindRoot) or, inside an aggregate, first
//   a field or relationship of the child record. Then, at each object: if the remaining
//   segments joined with "." name a field (dotted event fields such as "customer.email"), that
//   field; else if the segment is a child relationship and the last segment, a child
//   relationship (aggregates' first argument only); else if it is a lookup's relationship name,
//   follow the lookup with RecordSource::Find (a null lookup, a missing record or no source
//   gives null). Names are case-insensitive.
// Aggregates. COUNT(rel [, filter]), SUM(rel, value [, filter]), MIN/MAX(rel, value [, filter]),
//   ANY(rel, cond), ALL(rel, cond); children from RecordSource::Children. ANY/ALL: Kleene OR /
//   AND over the children (none: FALSE / TRUE). COUNT/SUM/MIN/MAX use the children whose filter
//   is TRUE. CHOICE: SUM, MIN, MAX skip null values (SQL); SUM of none is 0 and overflow is
//   null; MIN/MAX of none (or only nulls) are null. MIN/MAX take numbers, dates or datetimes.
//   Without a source, or a null parent Id, there are no children.
// ---------------------------------------------------------------------------------------------
#ifndef CF_TESTS_SUPPORT_REFERENCE_INTERPRETER_H_
#define CF_TESTS_SUPPORT_REFERENCE_INTERPRETER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/condition.h"
#include "engine/value.h"
#include "grammar/ast.h"

namespace cf::test_support {

enum class RefType : uint8_t {
  kNull,  // the type of the `null` literal (fits any other type)
  kBool, kNumber, kText, kPicklist, kMultiPicklist, kId, kDate, kDateTime, kTime,
};
const char* RefTypeName(RefType t);

struct RefDate { engine::Days days; };
struct RefDateTime { engine::Millis millis; };
struct RefTime { engine::TimeOfDay millis; };

// A dynamically typed value. `type` is known even when the value is null (a null field still
// has its field's type), so type errors are found on every evaluation. Text, picklist and
// multipicklist values are all held as std::string and told apart by `type`.
struct RefValue {
  using Data = std::variant<std::monostate, bool, engine::Decimal, std::string, engine::SfId,
                            RefDate, RefDateTime, RefTime>;
  RefType type = RefType::kNull;
  Data data;  // std::monostate when null

  bool is_null() const { return std::holds_alternative<std::monostate>(data); }
  static RefValue Null(RefType t) { return RefValue{t, std::monostate{}}; }
};
// "null", "true", "12.5", "\"text\"", "2024-03-31", "2024-03-31T10:00:00.000Z", "001...".
std::string DescribeRefValue(const RefValue& v);

struct RefOutcome {
  bool supported = false;            // false: ill-typed (or not understood); see `why`
  engine::Tri value = engine::Tri::kUnknown;
  std::string why;                   // the reason when unsupported
};

// One evaluated sub-expression, for explaining a disagreement.
struct RefTraceEntry {
  grammar::SourceSpan span;
  int depth = 0;       // nesting depth in the tree
  std::string value;   // DescribeRefValue of its value, or "TRUE"/"FALSE"/"NULL"
};

class ReferenceInterpreter {
 public:
  // `env` must outlive the interpreter.
  explicit ReferenceInterpreter(const engine::Environment& env) : env_(env) {}

  // Evaluates a boolean condition. EvalContext::scratch is not used.
  RefOutcome Evaluate(const grammar::Node& condition, const engine::EvalContext& ctx) const;
  // Same, recording every evaluated sub-expression (at most `max_entries`) into *trace.
  RefOutcome EvaluateWithTrace(const grammar::Node& condition, const engine::EvalContext& ctx,
                               std::vector<RefTraceEntry>* trace,
                               size_t max_entries = 400) const;
  // Parses `text` with grammar::ParseCondition and evaluates it; a syntax error is reported
  // as unsupported.
  RefOutcome EvaluateText(std::string_view text, const engine::EvalContext& ctx) const;

  // The value (and type) of any top-level expression, or unsupported with *why set.
  bool EvaluateValue(const grammar::Node& expression, const engine::EvalContext& ctx,
                     RefValue* out, std::string* why) const;

 private:
  const engine::Environment& env_;
};

}  // namespace cf::test_support

#endif  // CF_TESTS_SUPPORT_REFERENCE_INTERPRETER_H_
