// Scalar value types shared by the schema, the record layout, the compiler and the evaluator.
//
// All types here are small, trivially copyable and thread-compatible (no shared state).
// None of them allocates except the ToString helpers.
#ifndef CF_ENGINE_VALUE_H_
#define CF_ENGINE_VALUE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cf::engine {

// Kleene three-valued truth. A rule fires only on kTrue.
enum class Tri : uint8_t { kFalse = 0, kTrue = 1, kUnknown = 2 };

inline Tri TriNot(Tri a) {
  return a == Tri::kUnknown ? Tri::kUnknown : (a == Tri::kTrue ? Tri::kFalse : Tri::kTrue);
}
inline Tri TriAnd(Tri a, Tri b) {
  if (a == Tri::kFalse || b == Tri::kFalse) return Tri::kFalse;
  if (a == Tri::kTrue && b == Tri::kTrue) return Tri::kTrue;
  return Tri::kUnknown;
}
inline Tri TriOr(Tri a, Tri b) {
  if (a == Tri::kTrue || b == Tri::kTrue) return Tri::kTrue;
  if (a == Tri::kFalse && b == Tri::kFalse) return Tri::kFalse;
  return Tri::kUnknown;
}
inline Tri ToTri(bool b) { return b ? Tri::kTrue : Tri::kFalse; }
const char* TriName(Tri t);  // "TRUE", "FALSE", "NULL"

// Exact decimal number: a signed 128-bit integer scaled by 10^9, so 29 integer digits and 9
// fractional digits. Salesforce numbers (precision <= 18) fit with room for arithmetic;
// 0.1 + 0.2 == 0.3 holds. Arithmetic that overflows yields std::nullopt (null to the language).
class Decimal {
 public:
  static constexpr int kScaleDigits = 9;
  static constexpr int64_t kScale = 1000000000;

  constexpr Decimal() = default;
  static constexpr Decimal FromRaw(__int128 raw) { Decimal d; d.raw_ = raw; return d; }
  static constexpr Decimal FromInt(int64_t v) { return FromRaw(static_cast<__int128>(v) * kScale); }

  // Parses "-12", "3.5", "1234.50", "1e3", "-0.000000001". At most kScaleDigits fractional
  // digits are kept (extra digits round half away from zero). nullopt on syntax error or
  // overflow. No thousands separators: the grammar strips `$1,234` before calling.
  static std::optional<Decimal> Parse(std::string_view text);
  // Exact conversion of a double through its shortest round-trip decimal representation.
  static std::optional<Decimal> FromDouble(double v);

  constexpr __int128 raw() const { return raw_; }
  double ToDouble() const;
  // Canonical text: no exponent, no trailing fractional zeros ("12.5", "-3", "0.001").
  std::string ToString() const;

  std::optional<Decimal> Add(Decimal o) const;
  std::optional<Decimal> Sub(Decimal o) const;
  std::optional<Decimal> Mul(Decimal o) const;  // rounds half away from zero to 9 digits
  std::optional<Decimal> Div(Decimal o) const;  // nullopt when o == 0
  Decimal Neg() const { return FromRaw(-raw_); }
  Decimal Abs() const { return FromRaw(raw_ < 0 ? -raw_ : raw_); }
  // Rounds half away from zero to `digits` fractional digits (0..9; negative rounds to tens..).
  std::optional<Decimal> Round(int digits) const;
  // Truncated integer part, nullopt if it does not fit in int64.
  std::optional<int64_t> ToInt64() const;

  friend constexpr bool operator==(Decimal a, Decimal b) { return a.raw_ == b.raw_; }
  friend constexpr bool operator!=(Decimal a, Decimal b) { return a.raw_ != b.raw_; }
  friend constexpr bool operator<(Decimal a, Decimal b) { return a.raw_ < b.raw_; }
  friend constexpr bool operator<=(Decimal a, Decimal b) { return a.raw_ <= b.raw_; }
  friend constexpr bool operator>(Decimal a, Decimal b) { return a.raw_ > b.raw_; }
  friend constexpr bool operator>=(Decimal a, Decimal b) { return a.raw_ >= b.raw_; }

 private:
  __int128 raw_ = 0;
};

// A Salesforce record Id in canonical form: the 15 case-sensitive characters. An 18-character
// Id is decoded (its 3-character suffix gives the case of the first 15, so any letter case of
// an 18-character Id maps to the same record); a 15-character Id is taken as written.
struct SfId {
  char chars[15] = {};

  // Accepts 15 or 18 alphanumeric characters; nullopt otherwise (or when the suffix of an
  // 18-character Id is not a valid checksum alphabet).
  static std::optional<SfId> Parse(std::string_view text);
  std::string To15() const { return std::string(chars, 15); }
  std::string To18() const;  // 15 characters + computed case-checksum suffix
  std::string_view KeyPrefix() const { return std::string_view(chars, 3); }

  friend bool operator==(const SfId& a, const SfId& b);
  friend bool operator!=(const SfId& a, const SfId& b) { return !(a == b); }
  friend bool operator<(const SfId& a, const SfId& b);
};

// Calendar values. Days: days since 1970-01-01 (a local calendar date). Millis: milliseconds
// since 1970-01-01T00:00:00Z (an instant). TimeOfDay: milliseconds since midnight.
using Days = int32_t;
using Millis = int64_t;
using TimeOfDay = int32_t;

struct CivilDate {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};
Days DaysFromCivil(CivilDate d);
CivilDate CivilFromDays(Days days);
int WeekdayFromDays(Days days);  // 0 = Sunday .. 6 = Saturday
bool IsValidCivil(CivilDate d);

// ISO 8601 parsing as Salesforce writes it: "2024-03-31", "2024-03-31T13:45:00Z",
// "2024-03-31T13:45:00.000+0000", "2024-03-31T13:45:00+02:00", "13:45:00.000Z".
std::optional<Days> ParseIsoDate(std::string_view text);
std::optional<Millis> ParseIsoDateTime(std::string_view text);  // offset required or Z
std::optional<TimeOfDay> ParseIsoTime(std::string_view text);
std::string FormatIsoDate(Days d);            // "2024-03-31"
std::string FormatIsoDateTime(Millis ms);     // "2024-03-31T13:45:00.000Z"
std::string FormatIsoTime(TimeOfDay t);       // "13:45:00.000Z"

}  // namespace cf::engine

#endif  // CF_ENGINE_VALUE_H_
