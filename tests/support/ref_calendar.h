// Civil-calendar arithmetic for the test support code, written independently of
// engine/value.cc so that the reference interpreter does not share its date code with the
// engine it checks. Proleptic Gregorian calendar; days counted from 1970-01-01.
#ifndef CF_TESTS_SUPPORT_REF_CALENDAR_H_
#define CF_TESTS_SUPPORT_REF_CALENDAR_H_

#include <cstdint>

namespace cf::test_support {

struct RefCivil {
  int year;
  int month;  // 1..12
  int day;    // 1..31
};

inline bool RefIsLeapYear(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

inline int RefDaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && RefIsLeapYear(y) ? 29 : kDays[m - 1];
}

// Days since 1970-01-01 of a civil date, by counting whole years and months: slow but plainly
// right, and only used for small ranges of years in tests.
inline int64_t RefDaysFromCivil(RefCivil c) {
  // Shift to a 400-year era so that negative years are counted the same way.
  int64_t days = 0;
  int y = c.year;
  int64_t eras = 0;
  while (y < 1970) { y += 400; ++eras; }
  while (y >= 2370) { y -= 400; --eras; }
  for (int yy = 1970; yy < y; ++yy) days += RefIsLeapYear(yy) ? 366 : 365;
  for (int mm = 1; mm < c.month; ++mm) days += RefDaysInMonth(y, mm);
  days += c.day - 1;
  return days - eras * 146097;
}

inline RefCivil RefCivilFromDays(int64_t days) {
  int64_t eras = 0;
  while (days < 0) { days += 146097; ++eras; }
  while (days >= 146097) { days -= 146097; --eras; }
  int y = 1970;
  while (true) {
    int len = RefIsLeapYear(y) ? 366 : 365;
    if (days < len) break;
    days -= len;
    ++y;
  }
  int m = 1;
  while (days >= RefDaysInMonth(y, m)) {
    days -= RefDaysInMonth(y, m);
    ++m;
  }
  return RefCivil{static_cast<int>(y - eras * 400), m, static_cast<int>(days) + 1};
}

// 0 = Sunday .. 6 = Saturday. 1970-01-01 was a Thursday.
inline int RefWeekday(int64_t days) {
  int64_t w = (days + 4) % 7;
  return static_cast<int>(w < 0 ? w + 7 : w);
}

inline bool RefIsValidCivil(RefCivil c) {
  return c.month >= 1 && c.month <= 12 && c.day >= 1 && c.day <= RefDaysInMonth(c.year, c.month);
}

}  // namespace cf::test_support

#endif  // CF_TESTS_SUPPORT_REF_CALENDAR_H_
