// SOQL date literals (TODAY, THIS_QUARTER, LAST_N_DAYS:n, ...) as ranges of local days.
#ifndef CF_ENGINE_DATE_LITERAL_H_
#define CF_ENGINE_DATE_LITERAL_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "engine/value.h"

namespace cf::engine {

enum class DateLiteralKind : uint8_t {
  kYesterday, kToday, kTomorrow,
  kLastWeek, kThisWeek, kNextWeek,
  kLastMonth, kThisMonth, kNextMonth,
  kLast90Days, kNext90Days,
  kLastQuarter, kThisQuarter, kNextQuarter,
  kLastYear, kThisYear, kNextYear,
  // With a parameter n (LAST_N_DAYS:n ...).
  kLastNDays, kNextNDays, kNDaysAgo, kNDaysFromNow,
  kLastNWeeks, kNextNWeeks, kNWeeksAgo, kNWeeksFromNow,
  kLastNMonths, kNextNMonths, kNMonthsAgo, kNMonthsFromNow,
  kLastNQuarters, kNextNQuarters, kNQuartersAgo, kNQuartersFromNow,
  kLastNYears, kNextNYears, kNYearsAgo, kNYearsFromNow,
};

// Looks up a literal name, case-insensitively ("this_quarter", "LAST_N_DAYS").
// *takes_n is set to whether the literal needs ":n".
std::optional<DateLiteralKind> FindDateLiteral(std::string_view name, bool* takes_n);
std::string_view DateLiteralName(DateLiteralKind kind);  // canonical upper-case name

// Half-open range of local days [first, last + 1): first and last are inclusive days.
struct DayRange {
  Days first;
  Days last;
};

// The range a literal denotes when today (local) is `today`. Weeks start on Sunday; quarters
// are calendar quarters (Jan, Apr, Jul, Oct). LAST_N_DAYS:n is today and the n days before;
// NEXT_N_DAYS:n is the n days after today; N_DAYS_AGO:n is the single day today - n.
// `n` is ignored for literals without a parameter. Requires 0 <= n <= 100000.
DayRange DateLiteralRange(DateLiteralKind kind, int32_t n, Days today);

}  // namespace cf::engine

#endif  // CF_ENGINE_DATE_LITERAL_H_
