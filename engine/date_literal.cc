// SOQL date literals as ranges of local days.
//
// Meanings, after Salesforce's SOQL reference ("Date Formats and Date Literals in WHERE") and the
// project spec (weeks start on Sunday; quarters are calendar quarters). t is today; "week",
// "month", "quarter", "year" are whole calendar periods; P(k) is the period k periods after the
// current one (P(0) is the current one, P(-1) the previous). Ranges are inclusive.
//
//   Literal               Range                          Example, today = Wed 2024-05-15
//   YESTERDAY             [t-1, t-1]                     2024-05-14
//   TODAY                 [t, t]                         2024-05-15
//   TOMORROW              [t+1, t+1]                     2024-05-16
//   LAST_WEEK             week P(-1)                     2024-05-05 .. 2024-05-11
//   THIS_WEEK             week P(0)                      2024-05-12 .. 2024-05-18
//   NEXT_WEEK             week P(1)                      2024-05-19 .. 2024-05-25
//   LAST_MONTH            month P(-1)                    2024-04-01 .. 2024-04-30
//   THIS_MONTH            month P(0)                     2024-05-01 .. 2024-05-31
//   NEXT_MONTH            month P(1)                     2024-06-01 .. 2024-06-30
//   LAST_90_DAYS          = LAST_N_DAYS:90               2024-02-15 .. 2024-05-15
//   NEXT_90_DAYS          = NEXT_N_DAYS:90               2024-05-16 .. 2024-08-13
//   LAST/THIS/NEXT_QUARTER  quarter P(-1) / P(0) / P(1)  THIS: 2024-04-01 .. 2024-06-30
//   LAST/THIS/NEXT_YEAR   year P(-1) / P(0) / P(1)       THIS: 2024-01-01 .. 2024-12-31
//   LAST_N_DAYS:n         [t-n, t]  (today and the n days before it: n+1 days)
//   NEXT_N_DAYS:n         [t+1, t+n] (the n days after today; today excluded)
//   N_DAYS_AGO:n          [t-n, t-n]
//   N_DAYS_FROM_NOW:n     [t+n, t+n]
//   LAST_N_<UNIT>S:n      P(-n) .. P(-1): the n whole periods before the current one
//   NEXT_N_<UNIT>S:n      P(1) .. P(n): the n whole periods after the current one
//   N_<UNIT>S_AGO:n       P(-n): the one whole period n periods before the current one
//   N_<UNIT>S_FROM_NOW:n  P(n): the one whole period n periods after the current one
//   (UNIT = WEEK, MONTH, QUARTER, YEAR)
//
// With n = 0: LAST_N_DAYS:0 and N_..._AGO:0 / N_..._FROM_NOW:0 are today / the current period;
// NEXT_N_DAYS:0, LAST_N_<UNIT>S:0 and NEXT_N_<UNIT>S:0 are empty, written as last = first - 1.
#include "engine/date_literal.h"

#include <iterator>

namespace cf::engine {
namespace {

struct Entry {
  std::string_view name;
  DateLiteralKind kind;
  bool takes_n;
};

constexpr Entry kLiterals[] = {
    {"YESTERDAY", DateLiteralKind::kYesterday, false},
    {"TODAY", DateLiteralKind::kToday, false},
    {"TOMORROW", DateLiteralKind::kTomorrow, false},
    {"LAST_WEEK", DateLiteralKind::kLastWeek, false},
    {"THIS_WEEK", DateLiteralKind::kThisWeek, false},
    {"NEXT_WEEK", DateLiteralKind::kNextWeek, false},
    {"LAST_MONTH", DateLiteralKind::kLastMonth, false},
    {"THIS_MONTH", DateLiteralKind::kThisMonth, false},
    {"NEXT_MONTH", DateLiteralKind::kNextMonth, false},
    {"LAST_90_DAYS", DateLiteralKind::kLast90Days, false},
    {"NEXT_90_DAYS", DateLiteralKind::kNext90Days, false},
    {"LAST_QUARTER", DateLiteralKind::kLastQuarter, false},
    {"THIS_QUARTER", DateLiteralKind::kThisQuarter, false},
    {"NEXT_QUARTER", DateLiteralKind::kNextQuarter, false},
    {"LAST_YEAR", DateLiteralKind::kLastYear, false},
    {"THIS_YEAR", DateLiteralKind::kThisYear, false},
    {"NEXT_YEAR", DateLiteralKind::kNextYear, false},
    {"LAST_N_DAYS", DateLiteralKind::kLastNDays, true},
    {"NEXT_N_DAYS", DateLiteralKind::kNextNDays, true},
    {"N_DAYS_AGO", DateLiteralKind::kNDaysAgo, true},
    {"N_DAYS_FROM_NOW", DateLiteralKind::kNDaysFromNow, true},
    {"LAST_N_WEEKS", DateLiteralKind::kLastNWeeks, true},
    {"NEXT_N_WEEKS", DateLiteralKind::kNextNWeeks, true},
    {"N_WEEKS_AGO", DateLiteralKind::kNWeeksAgo, true},
    {"N_WEEKS_FROM_NOW", DateLiteralKind::kNWeeksFromNow, true},
    {"LAST_N_MONTHS", DateLiteralKind::kLastNMonths, true},
    {"NEXT_N_MONTHS", DateLiteralKind::kNextNMonths, true},
    {"N_MONTHS_AGO", DateLiteralKind::kNMonthsAgo, true},
    {"N_MONTHS_FROM_NOW", DateLiteralKind::kNMonthsFromNow, true},
    {"LAST_N_QUARTERS", DateLiteralKind::kLastNQuarters, true},
    {"NEXT_N_QUARTERS", DateLiteralKind::kNextNQuarters, true},
    {"N_QUARTERS_AGO", DateLiteralKind::kNQuartersAgo, true},
    {"N_QUARTERS_FROM_NOW", DateLiteralKind::kNQuartersFromNow, true},
    {"LAST_N_YEARS", DateLiteralKind::kLastNYears, true},
    {"NEXT_N_YEARS", DateLiteralKind::kNextNYears, true},
    {"N_YEARS_AGO", DateLiteralKind::kNYearsAgo, true},
    {"N_YEARS_FROM_NOW", DateLiteralKind::kNYearsFromNow, true},
};

// The table is indexed by kind.
constexpr bool TableMatchesEnum() {
  for (size_t i = 0; i < std::size(kLiterals); ++i) {
    if (static_cast<size_t>(kLiterals[i].kind) != i) return false;
  }
  return true;
}
static_assert(TableMatchesEnum(), "kLiterals must list the kinds in enum order");

bool EqualsUpper(std::string_view text, std::string_view upper) {
  if (text.size() != upper.size()) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (c != upper[i]) return false;
  }
  return true;
}

enum class Unit { kWeek, kMonth, kQuarter, kYear };

// Month count since year 0 (January of year 0 = 0).
int64_t MonthIndex(CivilDate c) { return static_cast<int64_t>(c.year) * 12 + (c.month - 1); }

Days FirstOfMonth(int64_t month_index) {
  const int64_t year = month_index >= 0 ? month_index / 12 : -((-month_index + 11) / 12);
  const int month = static_cast<int>(month_index - year * 12) + 1;
  return DaysFromCivil({static_cast<int>(year), month, 1});
}

// First day of the period k periods after the one containing `today`.
Days PeriodStart(Unit unit, int64_t k, Days today) {
  if (unit == Unit::kWeek) {
    const int64_t sunday = static_cast<int64_t>(today) - WeekdayFromDays(today);
    return static_cast<Days>(sunday + 7 * k);
  }
  const CivilDate c = CivilFromDays(today);
  int64_t m = MonthIndex(c);
  switch (unit) {
    case Unit::kMonth:
      return FirstOfMonth(m + k);
    case Unit::kQuarter:
      return FirstOfMonth(m - (c.month - 1) % 3 + 3 * k);
    case Unit::kYear:
    case Unit::kWeek:
      break;
  }
  return FirstOfMonth(m - (c.month - 1) + 12 * k);
}

// The whole periods P(from) .. P(to), inclusive; empty (last = first - 1) when to < from.
DayRange Periods(Unit unit, int64_t from, int64_t to, Days today) {
  const Days first = PeriodStart(unit, from, today);
  if (to < from) return {first, first - 1};
  return {first, PeriodStart(unit, to + 1, today) - 1};
}

}  // namespace

std::optional<DateLiteralKind> FindDateLiteral(std::string_view name, bool* takes_n) {
  for (const Entry& e : kLiterals) {
    if (EqualsUpper(name, e.name)) {
      if (takes_n != nullptr) *takes_n = e.takes_n;
      return e.kind;
    }
  }
  return std::nullopt;
}

std::string_view DateLiteralName(DateLiteralKind kind) {
  const size_t i = static_cast<size_t>(kind);
  return i < std::size(kLiterals) ? kLiterals[i].name : std::string_view("?");
}

DayRange DateLiteralRange(DateLiteralKind kind, int32_t n, Days today) {
  using K = DateLiteralKind;
  const Days t = today;
  switch (kind) {
    case K::kYesterday:
      return {t - 1, t - 1};
    case K::kToday:
      return {t, t};
    case K::kTomorrow:
      return {t + 1, t + 1};
    case K::kLastWeek:
      return Periods(Unit::kWeek, -1, -1, t);
    case K::kThisWeek:
      return Periods(Unit::kWeek, 0, 0, t);
    case K::kNextWeek:
      return Periods(Unit::kWeek, 1, 1, t);
    case K::kLastMonth:
      return Periods(Unit::kMonth, -1, -1, t);
    case K::kThisMonth:
      return Periods(Unit::kMonth, 0, 0, t);
    case K::kNextMonth:
      return Periods(Unit::kMonth, 1, 1, t);
    case K::kLast90Days:
      return {t - 90, t};
    case K::kNext90Days:
      return {t + 1, t + 90};
    case K::kLastQuarter:
      return Periods(Unit::kQuarter, -1, -1, t);
    case K::kThisQuarter:
      return Periods(Unit::kQuarter, 0, 0, t);
    case K::kNextQuarter:
      return Periods(Unit::kQuarter, 1, 1, t);
    case K::kLastYear:
      return Periods(Unit::kYear, -1, -1, t);
    case K::kThisYear:
      return Periods(Unit::kYear, 0, 0, t);
    case K::kNextYear:
      return Periods(Unit::kYear, 1, 1, t);
    case K::kLastNDays:
      return {t - n, t};
    case K::kNextNDays:
      return {t + 1, t + n};
    case K::kNDaysAgo:
      return {t - n, t - n};
    case K::kNDaysFromNow:
      return {t + n, t + n};
    case K::kLastNWeeks:
      return Periods(Unit::kWeek, -n, -1, t);
    case K::kNextNWeeks:
      return Periods(Unit::kWeek, 1, n, t);
    case K::kNWeeksAgo:
      return Periods(Unit::kWeek, -n, -n, t);
    case K::kNWeeksFromNow:
      return Periods(Unit::kWeek, n, n, t);
    case K::kLastNMonths:
      return Periods(Unit::kMonth, -n, -1, t);
    case K::kNextNMonths:
      return Periods(Unit::kMonth, 1, n, t);
    case K::kNMonthsAgo:
      return Periods(Unit::kMonth, -n, -n, t);
    case K::kNMonthsFromNow:
      return Periods(Unit::kMonth, n, n, t);
    case K::kLastNQuarters:
      return Periods(Unit::kQuarter, -n, -1, t);
    case K::kNextNQuarters:
      return Periods(Unit::kQuarter, 1, n, t);
    case K::kNQuartersAgo:
      return Periods(Unit::kQuarter, -n, -n, t);
    case K::kNQuartersFromNow:
      return Periods(Unit::kQuarter, n, n, t);
    case K::kLastNYears:
      return Periods(Unit::kYear, -n, -1, t);
    case K::kNextNYears:
      return Periods(Unit::kYear, 1, n, t);
    case K::kNYearsAgo:
      return Periods(Unit::kYear, -n, -n, t);
    case K::kNYearsFromNow:
      return Periods(Unit::kYear, n, n, t);
  }
  return {t, t};
}

}  // namespace cf::engine
