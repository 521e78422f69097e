#include "engine/date_literal.h"

#include <gtest/gtest.h>

#include <string>

namespace cf::engine {
namespace {

using K = DateLiteralKind;

Days Day(std::string_view iso) {
  std::optional<Days> d = ParseIsoDate(iso);
  EXPECT_TRUE(d) << iso;
  return d.value_or(0);
}

// "first..last" in ISO dates.
std::string Text(DayRange r) { return FormatIsoDate(r.first) + ".." + FormatIsoDate(r.last); }
std::string R(K kind, int32_t n, std::string_view today) {
  return Text(DateLiteralRange(kind, n, Day(today)));
}
std::string R(K kind, std::string_view today) { return R(kind, 0, today); }

constexpr K kAllKinds[] = {
    K::kYesterday,        K::kToday,         K::kTomorrow,      K::kLastWeek,
    K::kThisWeek,         K::kNextWeek,      K::kLastMonth,     K::kThisMonth,
    K::kNextMonth,        K::kLast90Days,    K::kNext90Days,    K::kLastQuarter,
    K::kThisQuarter,      K::kNextQuarter,   K::kLastYear,      K::kThisYear,
    K::kNextYear,         K::kLastNDays,     K::kNextNDays,     K::kNDaysAgo,
    K::kNDaysFromNow,     K::kLastNWeeks,    K::kNextNWeeks,    K::kNWeeksAgo,
    K::kNWeeksFromNow,    K::kLastNMonths,   K::kNextNMonths,   K::kNMonthsAgo,
    K::kNMonthsFromNow,   K::kLastNQuarters, K::kNextNQuarters, K::kNQuartersAgo,
    K::kNQuartersFromNow, K::kLastNYears,    K::kNextNYears,    K::kNYearsAgo,
    K::kNYearsFromNow,
};

// --- Names -----------------------------------------------------------------------------------

TEST(DateLiteralTest, FindsNamesCaseInsensitively) {
  bool takes_n = true;
  EXPECT_EQ(FindDateLiteral("THIS_QUARTER", &takes_n), K::kThisQuarter);
  EXPECT_FALSE(takes_n);
  EXPECT_EQ(FindDateLiteral("this_quarter", &takes_n), K::kThisQuarter);
  EXPECT_EQ(FindDateLiteral("Last_N_Days", &takes_n), K::kLastNDays);
  EXPECT_TRUE(takes_n);
  EXPECT_EQ(FindDateLiteral("n_years_from_now", &takes_n), K::kNYearsFromNow);
  EXPECT_TRUE(takes_n);
  EXPECT_EQ(FindDateLiteral("today", nullptr), K::kToday);
  EXPECT_EQ(FindDateLiteral("LAST_90_DAYS", &takes_n), K::kLast90Days);
  EXPECT_FALSE(takes_n);
}

TEST(DateLiteralTest, UnknownNames) {
  for (const char* bad : {"", "TODAY ", " TODAY", "TODAYS", "LAST_N_DAYS:7", "LAST_N_FORTNIGHTS",
                          "THIS_FISCAL_QUARTER", "LAST_N_FISCAL_YEARS"}) {
    bool takes_n = false;
    EXPECT_FALSE(FindDateLiteral(bad, &takes_n)) << bad;
  }
  EXPECT_FALSE(FindDateLiteral(std::string_view("TODAY\0", 6), nullptr));
}

TEST(DateLiteralTest, NamesRoundTrip) {
  for (K kind : kAllKinds) {
    const std::string_view name = DateLiteralName(kind);
    bool takes_n = false;
    EXPECT_EQ(FindDateLiteral(name, &takes_n), kind) << name;
    EXPECT_EQ(takes_n, name.find("_N_") != std::string_view::npos || name.rfind("N_", 0) == 0)
        << name;
  }
  EXPECT_EQ(DateLiteralName(K::kLastNDays), "LAST_N_DAYS");
  EXPECT_EQ(DateLiteralName(K::kNQuartersFromNow), "N_QUARTERS_FROM_NOW");
  EXPECT_EQ(DateLiteralName(K::kThisWeek), "THIS_WEEK");
}

// --- Every literal on an ordinary day: Wednesday 2024-05-15 ------------------------------------

TEST(DateLiteralTest, EveryLiteralOnAnOrdinaryWednesday) {
  const char* t = "2024-05-15";  // week: Sunday 05-12 .. Saturday 05-18; quarter: Q2
  EXPECT_EQ(R(K::kYesterday, t), "2024-05-14..2024-05-14");
  EXPECT_EQ(R(K::kToday, t), "2024-05-15..2024-05-15");
  EXPECT_EQ(R(K::kTomorrow, t), "2024-05-16..2024-05-16");
  EXPECT_EQ(R(K::kLastWeek, t), "2024-05-05..2024-05-11");
  EXPECT_EQ(R(K::kThisWeek, t), "2024-05-12..2024-05-18");
  EXPECT_EQ(R(K::kNextWeek, t), "2024-05-19..2024-05-25");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-04-01..2024-04-30");
  EXPECT_EQ(R(K::kThisMonth, t), "2024-05-01..2024-05-31");
  EXPECT_EQ(R(K::kNextMonth, t), "2024-06-01..2024-06-30");
  EXPECT_EQ(R(K::kLast90Days, t), "2024-02-15..2024-05-15");
  EXPECT_EQ(R(K::kNext90Days, t), "2024-05-16..2024-08-13");
  EXPECT_EQ(R(K::kLastQuarter, t), "2024-01-01..2024-03-31");
  EXPECT_EQ(R(K::kThisQuarter, t), "2024-04-01..2024-06-30");
  EXPECT_EQ(R(K::kNextQuarter, t), "2024-07-01..2024-09-30");
  EXPECT_EQ(R(K::kLastYear, t), "2023-01-01..2023-12-31");
  EXPECT_EQ(R(K::kThisYear, t), "2024-01-01..2024-12-31");
  EXPECT_EQ(R(K::kNextYear, t), "2025-01-01..2025-12-31");

  EXPECT_EQ(R(K::kLastNDays, 7, t), "2024-05-08..2024-05-15");
  EXPECT_EQ(R(K::kNextNDays, 7, t), "2024-05-16..2024-05-22");
  EXPECT_EQ(R(K::kNDaysAgo, 7, t), "2024-05-08..2024-05-08");
  EXPECT_EQ(R(K::kNDaysFromNow, 7, t), "2024-05-22..2024-05-22");
  EXPECT_EQ(R(K::kLastNDays, 90, t), R(K::kLast90Days, t));
  EXPECT_EQ(R(K::kNextNDays, 90, t), R(K::kNext90Days, t));

  EXPECT_EQ(R(K::kLastNWeeks, 2, t), "2024-04-28..2024-05-11");
  EXPECT_EQ(R(K::kNextNWeeks, 2, t), "2024-05-19..2024-06-01");
  EXPECT_EQ(R(K::kNWeeksAgo, 2, t), "2024-04-28..2024-05-04");
  EXPECT_EQ(R(K::kNWeeksFromNow, 2, t), "2024-05-26..2024-06-01");

  EXPECT_EQ(R(K::kLastNMonths, 3, t), "2024-02-01..2024-04-30");
  EXPECT_EQ(R(K::kNextNMonths, 3, t), "2024-06-01..2024-08-31");
  EXPECT_EQ(R(K::kNMonthsAgo, 3, t), "2024-02-01..2024-02-29");
  EXPECT_EQ(R(K::kNMonthsFromNow, 3, t), "2024-08-01..2024-08-31");

  EXPECT_EQ(R(K::kLastNQuarters, 2, t), "2023-10-01..2024-03-31");
  EXPECT_EQ(R(K::kNextNQuarters, 2, t), "2024-07-01..2024-12-31");
  EXPECT_EQ(R(K::kNQuartersAgo, 2, t), "2023-10-01..2023-12-31");
  EXPECT_EQ(R(K::kNQuartersFromNow, 2, t), "2024-10-01..2024-12-31");

  EXPECT_EQ(R(K::kLastNYears, 2, t), "2022-01-01..2023-12-31");
  EXPECT_EQ(R(K::kNextNYears, 2, t), "2025-01-01..2026-12-31");
  EXPECT_EQ(R(K::kNYearsAgo, 2, t), "2022-01-01..2022-12-31");
  EXPECT_EQ(R(K::kNYearsFromNow, 2, t), "2026-01-01..2026-12-31");
}

TEST(DateLiteralTest, LiteralsWithoutAParameterIgnoreN) {
  EXPECT_EQ(R(K::kThisMonth, 5, "2024-05-15"), "2024-05-01..2024-05-31");
  EXPECT_EQ(R(K::kLast90Days, 5, "2024-05-15"), "2024-02-15..2024-05-15");
}

// --- Year and quarter boundaries ----------------------------------------------------------------

TEST(DateLiteralTest, LastDayOfTheYear) {
  const char* t = "2024-12-31";  // Tuesday; week: Sunday 2024-12-29 .. Saturday 2025-01-04
  EXPECT_EQ(R(K::kYesterday, t), "2024-12-30..2024-12-30");
  EXPECT_EQ(R(K::kTomorrow, t), "2025-01-01..2025-01-01");
  EXPECT_EQ(R(K::kLastWeek, t), "2024-12-22..2024-12-28");
  EXPECT_EQ(R(K::kThisWeek, t), "2024-12-29..2025-01-04");
  EXPECT_EQ(R(K::kNextWeek, t), "2025-01-05..2025-01-11");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-11-01..2024-11-30");
  EXPECT_EQ(R(K::kThisMonth, t), "2024-12-01..2024-12-31");
  EXPECT_EQ(R(K::kNextMonth, t), "2025-01-01..2025-01-31");
  EXPECT_EQ(R(K::kLastQuarter, t), "2024-07-01..2024-09-30");
  EXPECT_EQ(R(K::kThisQuarter, t), "2024-10-01..2024-12-31");
  EXPECT_EQ(R(K::kNextQuarter, t), "2025-01-01..2025-03-31");
  EXPECT_EQ(R(K::kLastYear, t), "2023-01-01..2023-12-31");
  EXPECT_EQ(R(K::kThisYear, t), "2024-01-01..2024-12-31");
  EXPECT_EQ(R(K::kNextYear, t), "2025-01-01..2025-12-31");
  EXPECT_EQ(R(K::kLast90Days, t), "2024-10-02..2024-12-31");
  EXPECT_EQ(R(K::kNext90Days, t), "2025-01-01..2025-03-31");
  EXPECT_EQ(R(K::kNextNMonths, 2, t), "2025-01-01..2025-02-28");
  EXPECT_EQ(R(K::kNQuartersFromNow, 1, t), "2025-01-01..2025-03-31");
  EXPECT_EQ(R(K::kLastNQuarters, 4, t), "2023-10-01..2024-09-30");
  EXPECT_EQ(R(K::kNextNWeeks, 1, t), "2025-01-05..2025-01-11");
  EXPECT_EQ(R(K::kNDaysFromNow, 1, t), "2025-01-01..2025-01-01");
}

TEST(DateLiteralTest, FirstDayOfTheYear) {
  const char* t = "2025-01-01";  // Wednesday; week: Sunday 2024-12-29 .. Saturday 2025-01-04
  EXPECT_EQ(R(K::kYesterday, t), "2024-12-31..2024-12-31");
  EXPECT_EQ(R(K::kLastWeek, t), "2024-12-22..2024-12-28");
  EXPECT_EQ(R(K::kThisWeek, t), "2024-12-29..2025-01-04");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-12-01..2024-12-31");
  EXPECT_EQ(R(K::kThisMonth, t), "2025-01-01..2025-01-31");
  EXPECT_EQ(R(K::kLastQuarter, t), "2024-10-01..2024-12-31");
  EXPECT_EQ(R(K::kThisQuarter, t), "2025-01-01..2025-03-31");
  EXPECT_EQ(R(K::kNextQuarter, t), "2025-04-01..2025-06-30");
  EXPECT_EQ(R(K::kLastYear, t), "2024-01-01..2024-12-31");
  EXPECT_EQ(R(K::kThisYear, t), "2025-01-01..2025-12-31");
  EXPECT_EQ(R(K::kLastNDays, 1, t), "2024-12-31..2025-01-01");
  EXPECT_EQ(R(K::kLastNMonths, 1, t), "2024-12-01..2024-12-31");
  EXPECT_EQ(R(K::kLastNQuarters, 1, t), "2024-10-01..2024-12-31");
  EXPECT_EQ(R(K::kNYearsAgo, 1, t), "2024-01-01..2024-12-31");
  EXPECT_EQ(R(K::kNMonthsAgo, 12, t), "2024-01-01..2024-01-31");
  EXPECT_EQ(R(K::kNMonthsAgo, 13, t), "2023-12-01..2023-12-31");
  EXPECT_EQ(R(K::kLastNWeeks, 1, t), "2024-12-22..2024-12-28");
}

TEST(DateLiteralTest, LastDayOfAQuarterOnASunday) {
  const char* t = "2024-03-31";  // Sunday: the first day of its week; last day of Q1
  EXPECT_EQ(R(K::kThisWeek, t), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kLastWeek, t), "2024-03-24..2024-03-30");
  EXPECT_EQ(R(K::kNextWeek, t), "2024-04-07..2024-04-13");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-02-01..2024-02-29");
  EXPECT_EQ(R(K::kThisMonth, t), "2024-03-01..2024-03-31");
  EXPECT_EQ(R(K::kNextMonth, t), "2024-04-01..2024-04-30");
  EXPECT_EQ(R(K::kLastQuarter, t), "2023-10-01..2023-12-31");
  EXPECT_EQ(R(K::kThisQuarter, t), "2024-01-01..2024-03-31");
  EXPECT_EQ(R(K::kNextQuarter, t), "2024-04-01..2024-06-30");
  EXPECT_EQ(R(K::kNextNDays, 1, t), "2024-04-01..2024-04-01");
  EXPECT_EQ(R(K::kNWeeksAgo, 1, t), "2024-03-24..2024-03-30");
  EXPECT_EQ(R(K::kNMonthsAgo, 1, t), "2024-02-01..2024-02-29");
  EXPECT_EQ(R(K::kNMonthsFromNow, 1, t), "2024-04-01..2024-04-30");
  EXPECT_EQ(R(K::kNextNQuarters, 3, t), "2024-04-01..2024-12-31");
}

TEST(DateLiteralTest, FirstDayOfAQuarterOnAMonday) {
  const char* t = "2024-04-01";  // Monday; its week began on Sunday 2024-03-31
  EXPECT_EQ(R(K::kYesterday, t), "2024-03-31..2024-03-31");
  EXPECT_EQ(R(K::kThisWeek, t), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kLastWeek, t), "2024-03-24..2024-03-30");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-03-01..2024-03-31");
  EXPECT_EQ(R(K::kThisMonth, t), "2024-04-01..2024-04-30");
  EXPECT_EQ(R(K::kLastQuarter, t), "2024-01-01..2024-03-31");
  EXPECT_EQ(R(K::kThisQuarter, t), "2024-04-01..2024-06-30");
  EXPECT_EQ(R(K::kNextQuarter, t), "2024-07-01..2024-09-30");
  EXPECT_EQ(R(K::kLastNQuarters, 1, t), "2024-01-01..2024-03-31");
  EXPECT_EQ(R(K::kNQuartersAgo, 4, t), "2023-04-01..2023-06-30");
  EXPECT_EQ(R(K::kLastNDays, 1, t), "2024-03-31..2024-04-01");
}

// --- Leap day and week boundaries ---------------------------------------------------------------

TEST(DateLiteralTest, LeapDay) {
  const char* t = "2024-02-29";  // Thursday; week: Sunday 02-25 .. Saturday 03-02
  EXPECT_EQ(R(K::kYesterday, t), "2024-02-28..2024-02-28");
  EXPECT_EQ(R(K::kTomorrow, t), "2024-03-01..2024-03-01");
  EXPECT_EQ(R(K::kThisWeek, t), "2024-02-25..2024-03-02");
  EXPECT_EQ(R(K::kThisMonth, t), "2024-02-01..2024-02-29");
  EXPECT_EQ(R(K::kLastMonth, t), "2024-01-01..2024-01-31");
  EXPECT_EQ(R(K::kNextMonth, t), "2024-03-01..2024-03-31");
  EXPECT_EQ(R(K::kLastYear, t), "2023-01-01..2023-12-31");
  EXPECT_EQ(R(K::kNYearsAgo, 1, t), "2023-01-01..2023-12-31");
  EXPECT_EQ(R(K::kNMonthsFromNow, 12, t), "2025-02-01..2025-02-28");
  EXPECT_EQ(R(K::kNMonthsAgo, 12, t), "2023-02-01..2023-02-28");
  EXPECT_EQ(R(K::kLastNDays, 29, t), "2024-01-31..2024-02-29");
  EXPECT_EQ(R(K::kNDaysFromNow, 365, t), "2025-02-28..2025-02-28");
  EXPECT_EQ(R(K::kNDaysAgo, 366, t), "2023-02-28..2023-02-28");
  EXPECT_EQ(R(K::kLast90Days, t), "2023-12-01..2024-02-29");
  EXPECT_EQ(R(K::kNext90Days, t), "2024-03-01..2024-05-29");
}

TEST(DateLiteralTest, WeeksRunSundayToSaturday) {
  // Saturday 2024-03-30 is the last day of its week; Sunday 2024-03-31 the first of the next.
  EXPECT_EQ(R(K::kThisWeek, "2024-03-30"), "2024-03-24..2024-03-30");
  EXPECT_EQ(R(K::kLastWeek, "2024-03-30"), "2024-03-17..2024-03-23");
  EXPECT_EQ(R(K::kNextWeek, "2024-03-30"), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kLastNWeeks, 1, "2024-03-30"), "2024-03-17..2024-03-23");
  EXPECT_EQ(R(K::kNextNWeeks, 1, "2024-03-30"), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kNWeeksFromNow, 1, "2024-03-30"), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kThisWeek, "2024-03-31"), "2024-03-31..2024-04-06");
  EXPECT_EQ(R(K::kLastNWeeks, 3, "2024-03-31"), "2024-03-10..2024-03-30");
  EXPECT_EQ(R(K::kNextNWeeks, 3, "2024-03-31"), "2024-04-07..2024-04-27");
  // Before the epoch, where day counts are negative.
  EXPECT_EQ(R(K::kThisWeek, "1969-12-31"), "1969-12-28..1970-01-03");
}

// --- n = 0 and large n -----------------------------------------------------------------------

TEST(DateLiteralTest, ZeroIsTodayOrTheCurrentPeriodOrEmpty) {
  const char* t = "2024-05-15";
  EXPECT_EQ(R(K::kLastNDays, 0, t), "2024-05-15..2024-05-15");
  EXPECT_EQ(R(K::kNDaysAgo, 0, t), "2024-05-15..2024-05-15");
  EXPECT_EQ(R(K::kNDaysFromNow, 0, t), "2024-05-15..2024-05-15");
  EXPECT_EQ(R(K::kNWeeksAgo, 0, t), "2024-05-12..2024-05-18");
  EXPECT_EQ(R(K::kNMonthsFromNow, 0, t), "2024-05-01..2024-05-31");
  EXPECT_EQ(R(K::kNQuartersAgo, 0, t), "2024-04-01..2024-06-30");
  EXPECT_EQ(R(K::kNYearsFromNow, 0, t), "2024-01-01..2024-12-31");
  // Empty ranges: last = first - 1, placed where the range would start.
  EXPECT_EQ(R(K::kNextNDays, 0, t), "2024-05-16..2024-05-15");
  EXPECT_EQ(R(K::kLastNWeeks, 0, t), "2024-05-12..2024-05-11");
  EXPECT_EQ(R(K::kNextNWeeks, 0, t), "2024-05-19..2024-05-18");
  EXPECT_EQ(R(K::kLastNMonths, 0, t), "2024-05-01..2024-04-30");
  EXPECT_EQ(R(K::kNextNMonths, 0, t), "2024-06-01..2024-05-31");
  EXPECT_EQ(R(K::kLastNQuarters, 0, t), "2024-04-01..2024-03-31");
  EXPECT_EQ(R(K::kNextNQuarters, 0, t), "2024-07-01..2024-06-30");
  EXPECT_EQ(R(K::kLastNYears, 0, t), "2024-01-01..2023-12-31");
  EXPECT_EQ(R(K::kNextNYears, 0, t), "2025-01-01..2024-12-31");
}

TEST(DateLiteralTest, LargestN) {
  const char* t = "2024-05-15";
  EXPECT_EQ(R(K::kLastNDays, 100000, t), "1750-07-31..2024-05-15");
  EXPECT_EQ(R(K::kNDaysFromNow, 100000, t), "2298-02-28..2298-02-28");
  EXPECT_EQ(R(K::kNMonthsAgo, 100000, t), "-6309-01-01..-6309-01-31");
  EXPECT_EQ(R(K::kNextNMonths, 100000, t), "2024-06-01..10357-09-30");
  EXPECT_EQ(R(K::kNYearsFromNow, 100000, t), "102024-01-01..102024-12-31");
  EXPECT_EQ(R(K::kNYearsAgo, 100000, t), "-97976-01-01..-97976-12-31");
  EXPECT_EQ(R(K::kLastNQuarters, 100000, t), "-22976-04-01..2024-03-31");
}

// --- Consistency over many days ------------------------------------------------------------------

TEST(DateLiteralTest, PeriodsTileTheCalendar) {
  for (Days t = Day("2019-12-01"); t <= Day("2026-02-01"); ++t) {
    for (auto [last, current, next, ago, from_now, last_n, next_n] :
         {std::tuple{K::kLastWeek, K::kThisWeek, K::kNextWeek, K::kNWeeksAgo, K::kNWeeksFromNow,
                     K::kLastNWeeks, K::kNextNWeeks},
          std::tuple{K::kLastMonth, K::kThisMonth, K::kNextMonth, K::kNMonthsAgo,
                     K::kNMonthsFromNow, K::kLastNMonths, K::kNextNMonths},
          std::tuple{K::kLastQuarter, K::kThisQuarter, K::kNextQuarter, K::kNQuartersAgo,
                     K::kNQuartersFromNow, K::kLastNQuarters, K::kNextNQuarters},
          std::tuple{K::kLastYear, K::kThisYear, K::kNextYear, K::kNYearsAgo, K::kNYearsFromNow,
                     K::kLastNYears, K::kNextNYears}}) {
      const DayRange l = DateLiteralRange(last, 0, t);
      const DayRange c = DateLiteralRange(current, 0, t);
      const DayRange n = DateLiteralRange(next, 0, t);
      ASSERT_TRUE(c.first <= t && t <= c.last) << DateLiteralName(current) << FormatIsoDate(t);
      ASSERT_EQ(l.last + 1, c.first) << DateLiteralName(current) << FormatIsoDate(t);
      ASSERT_EQ(c.last + 1, n.first) << DateLiteralName(current) << FormatIsoDate(t);
      ASSERT_EQ(Text(DateLiteralRange(ago, 1, t)), Text(l));
      ASSERT_EQ(Text(DateLiteralRange(from_now, 1, t)), Text(n));
      ASSERT_EQ(Text(DateLiteralRange(ago, 0, t)), Text(c));
      for (int32_t k : {1, 2, 5}) {
        ASSERT_EQ(DateLiteralRange(last_n, k, t).first, DateLiteralRange(ago, k, t).first);
        ASSERT_EQ(DateLiteralRange(last_n, k, t).last, l.last);
        ASSERT_EQ(DateLiteralRange(next_n, k, t).first, n.first);
        ASSERT_EQ(DateLiteralRange(next_n, k, t).last, DateLiteralRange(from_now, k, t).last);
      }
    }
    const DayRange week = DateLiteralRange(K::kThisWeek, 0, t);
    ASSERT_EQ(WeekdayFromDays(week.first), 0) << FormatIsoDate(t);
    ASSERT_EQ(week.last - week.first, 6);
    ASSERT_EQ(CivilFromDays(DateLiteralRange(K::kThisMonth, 0, t).first).day, 1);
    ASSERT_EQ(CivilFromDays(DateLiteralRange(K::kThisMonth, 0, t).last + 1).day, 1);
    ASSERT_EQ((CivilFromDays(DateLiteralRange(K::kThisQuarter, 0, t).first).month - 1) % 3, 0);
  }
}

}  // namespace
}  // namespace cf::engine
