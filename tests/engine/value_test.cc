#include "engine/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace cf::engine {
namespace {

// The decimal's canonical text, or "nullopt".
std::string Str(const std::optional<Decimal>& d) { return d ? d->ToString() : "nullopt"; }
std::string P(std::string_view text) { return Str(Decimal::Parse(text)); }
Decimal D(std::string_view text) {
  std::optional<Decimal> d = Decimal::Parse(text);
  EXPECT_TRUE(d.has_value()) << text;
  return d.value_or(Decimal());
}

constexpr const char* kMax = "170141183460469231731687303715.884105727";  // int128 max, raw

TEST(TriTest, Names) {
  EXPECT_STREQ(TriName(Tri::kTrue), "TRUE");
  EXPECT_STREQ(TriName(Tri::kFalse), "FALSE");
  EXPECT_STREQ(TriName(Tri::kUnknown), "NULL");
}

TEST(DecimalTest, ParsesPlainNumbers) {
  EXPECT_EQ(P("-12"), "-12");
  EXPECT_EQ(P("3.5"), "3.5");
  EXPECT_EQ(P("1234.50"), "1234.5");
  EXPECT_EQ(P("+7"), "7");
  EXPECT_EQ(P("007.100"), "7.1");
  EXPECT_EQ(P("0"), "0");
  EXPECT_EQ(P("-0"), "0");
  EXPECT_EQ(P("-0.000"), "0");
  EXPECT_EQ(P(".5"), "0.5");
  EXPECT_EQ(P("5."), "5");
  EXPECT_EQ(P("-0.000000001"), "-0.000000001");
  EXPECT_EQ(D("1234.50").raw(), static_cast<__int128>(1234500000000));
}

TEST(DecimalTest, ParsesExponents) {
  EXPECT_EQ(P("1e3"), "1000");
  EXPECT_EQ(P("1.5E-2"), "0.015");
  EXPECT_EQ(P("2.5e+1"), "25");
  EXPECT_EQ(P("-12e-12"), "0");  // -0.000000000012 rounds to zero, never "-0"
  EXPECT_EQ(P("123456789e-9"), "0.123456789");
  EXPECT_EQ(P("0e999999999999999"), "0");
  EXPECT_EQ(P("1e-999999999999999"), "0");
  EXPECT_EQ(P("1e29"), "100000000000000000000000000000");
  EXPECT_EQ(P("1e30"), "nullopt");
  EXPECT_EQ(P("1e999999999999999"), "nullopt");
  EXPECT_EQ(P("0.00000000000001e14"), "1");
}

TEST(DecimalTest, RoundsHalfAwayFromZeroBeyondNineDigits) {
  EXPECT_EQ(P("0.0000000005"), "0.000000001");
  EXPECT_EQ(P("-0.0000000005"), "-0.000000001");
  EXPECT_EQ(P("0.00000000049999999"), "0");
  EXPECT_EQ(P("1.9999999995"), "2");
  EXPECT_EQ(P("-1.9999999994999"), "-1.999999999");
  EXPECT_EQ(P("0.00000000005"), "0");  // only the first dropped digit counts
  EXPECT_EQ(P("0.000000000999"), "0.000000001");
}

TEST(DecimalTest, RejectsMalformedText) {
  for (const char* bad :
       {"",      "-",    "+",   ".",   "-.",   "1e",    "1e+", "e5",    " 1", "1 ",
        "1,000", "0x10", "inf", "nan", "1..2", "1.2.3", "--1", "1e3.5", "$5", "1_000"}) {
    EXPECT_EQ(P(bad), "nullopt") << "'" << bad << "'";
  }
}

TEST(DecimalTest, ParsesUpToTheInt128Range) {
  EXPECT_EQ(P(kMax), kMax);
  EXPECT_EQ(P(std::string("-") + kMax), std::string("-") + kMax);
  EXPECT_EQ(P("170141183460469231731687303715.884105728"), "nullopt");
  // The int128 minimum is excluded so that Neg() and Abs() never overflow.
  EXPECT_EQ(P("-170141183460469231731687303715.884105728"), "nullopt");
  EXPECT_EQ(P("170141183460469231731687303715.8841057274"), kMax);       // rounds down into range
  EXPECT_EQ(P("170141183460469231731687303715.8841057275"), "nullopt");  // rounds up out of it
  EXPECT_EQ(P("999999999999999999999999999999"), "nullopt");
  EXPECT_EQ(P("0000000000000000000000000000000000000000000000000001"), "1");
}

TEST(DecimalTest, FromDoubleUsesTheShortestRoundTrip) {
  EXPECT_EQ(Str(Decimal::FromDouble(0.1)), "0.1");
  EXPECT_EQ(Str(Decimal::FromDouble(0.1 + 0.2)), "0.3");  // 0.30000000000000004 -> 9 digits
  EXPECT_EQ(Str(Decimal::FromDouble(-2.5)), "-2.5");
  EXPECT_EQ(Str(Decimal::FromDouble(1e20)), "100000000000000000000");
  EXPECT_EQ(Str(Decimal::FromDouble(1.5e-7)), "0.00000015");
  EXPECT_EQ(Str(Decimal::FromDouble(5e-324)), "0");
  EXPECT_EQ(Str(Decimal::FromDouble(-0.0)), "0");
  EXPECT_EQ(Str(Decimal::FromDouble(1e300)), "nullopt");
  EXPECT_EQ(Str(Decimal::FromDouble(std::numeric_limits<double>::infinity())), "nullopt");
  EXPECT_EQ(Str(Decimal::FromDouble(std::numeric_limits<double>::quiet_NaN())), "nullopt");
}

TEST(DecimalTest, ToDouble) {
  EXPECT_EQ(D("0.1").ToDouble(), 0.1);
  EXPECT_EQ(D("-12.5").ToDouble(), -12.5);
  EXPECT_EQ(D("0.3").ToDouble(), 0.3);
  EXPECT_EQ(D("123456789.123456789").ToDouble(), 123456789.123456789);
  EXPECT_EQ(D("1e20").ToDouble(), 1e20);
  EXPECT_EQ(D(kMax).ToDouble(), 1.7014118346046924e29);
  EXPECT_EQ(Decimal().ToDouble(), 0.0);
}

TEST(DecimalTest, ToStringIsCanonical) {
  EXPECT_EQ(Decimal::FromInt(0).ToString(), "0");
  EXPECT_EQ(Decimal::FromInt(-3).ToString(), "-3");
  EXPECT_EQ(Decimal::FromInt(1000000).ToString(), "1000000");
  EXPECT_EQ(Decimal::FromRaw(1000000).ToString(), "0.001");
  EXPECT_EQ(Decimal::FromRaw(-1).ToString(), "-0.000000001");
  EXPECT_EQ(Decimal::FromRaw(12500000000).ToString(), "12.5");
  EXPECT_EQ(Decimal::FromInt(INT64_MIN).ToString(), "-9223372036854775808");
}

TEST(DecimalTest, AddAndSubAreExact) {
  EXPECT_EQ(Str(D("0.1").Add(D("0.2"))), "0.3");
  EXPECT_TRUE(D("0.1").Add(D("0.2")) == D("0.3"));
  EXPECT_EQ(Str(D("1").Sub(D("1.000000001"))), "-0.000000001");
  EXPECT_EQ(Str(D(kMax).Add(D("0.000000001"))), "nullopt");
  EXPECT_EQ(Str(D(kMax).Sub(D("-0.000000001"))), "nullopt");
  EXPECT_EQ(Str(D(kMax).Neg().Sub(D("0.000000001"))), "nullopt");  // would be int128 min
  EXPECT_EQ(Str(D(kMax).Neg().Add(D(kMax))), "0");
}

TEST(DecimalTest, MulRoundsAndDetectsOverflow) {
  EXPECT_EQ(Str(D("0.1").Mul(D("0.2"))), "0.02");
  EXPECT_EQ(Str(D("-1.5").Mul(D("2"))), "-3");
  EXPECT_EQ(Str(D("-1.5").Mul(D("-2"))), "3");
  EXPECT_EQ(Str(D("0.000000001").Mul(D("0.5"))), "0.000000001");
  EXPECT_EQ(Str(D("-0.000000001").Mul(D("0.5"))), "-0.000000001");
  EXPECT_EQ(Str(D("0.000000001").Mul(D("0.4"))), "0");
  EXPECT_EQ(Str(D("-0.000000001").Mul(D("0.4"))), "0");
  EXPECT_EQ(Str(D("0").Mul(D(kMax))), "0");
  EXPECT_EQ(Str(D(kMax).Mul(D("1"))), kMax);
  EXPECT_EQ(Str(D(kMax).Mul(D("-1"))), std::string("-") + kMax);
  // Raw product 10^29 * 10^12 = 10^41 is beyond 128 bits; the result 10^23 is not.
  EXPECT_EQ(Str(D("1e20").Mul(D("1000"))), "100000000000000000000000");
  EXPECT_EQ(Str(D("123456789012345678901.123456789").Mul(D("0.001"))),
            "123456789012345678.901123457");
  EXPECT_EQ(Str(D("99999999999999.999999999").Mul(D("99999999999999.999999999"))),
            "9999999999999999999999800000");
  EXPECT_EQ(Str(D("1e15").Mul(D("1e15"))), "nullopt");
  EXPECT_EQ(Str(D(kMax).Mul(D(kMax))), "nullopt");
  EXPECT_EQ(Str(D(kMax).Mul(D("1.000000001"))), "nullopt");
}

TEST(DecimalTest, DivRoundsAndDetectsOverflow) {
  EXPECT_EQ(Str(D("1").Div(D("3"))), "0.333333333");
  EXPECT_EQ(Str(D("2").Div(D("3"))), "0.666666667");
  EXPECT_EQ(Str(D("-2").Div(D("3"))), "-0.666666667");
  EXPECT_EQ(Str(D("2").Div(D("-3"))), "-0.666666667");
  EXPECT_EQ(Str(D("-2").Div(D("-3"))), "0.666666667");
  EXPECT_EQ(Str(D("1").Div(D("8"))), "0.125");
  EXPECT_EQ(Str(D("0.000000001").Div(D("2"))), "0.000000001");
  EXPECT_EQ(Str(D("0.000000001").Div(D("3"))), "0");
  EXPECT_EQ(Str(D("1").Div(D("0"))), "nullopt");
  EXPECT_EQ(Str(D("0").Div(D("0"))), "nullopt");
  // Dividends whose raw value times 10^9 needs more than 128 bits.
  EXPECT_EQ(Str(D("1e28").Div(D("0.5"))), "20000000000000000000000000000");
  EXPECT_EQ(Str(D(kMax).Div(D("1"))), kMax);
  EXPECT_EQ(Str(D(kMax).Div(D(kMax))), "1");
  EXPECT_EQ(Str(D(kMax).Div(D("-2"))), "-85070591730234615865843651857.942052864");
  EXPECT_EQ(Str(D("1e29").Div(D("0.1"))), "nullopt");
  EXPECT_EQ(Str(D("1").Div(D("0.000000001"))), "1000000000");
}

TEST(DecimalTest, Round) {
  EXPECT_EQ(Str(D("2.345").Round(2)), "2.35");
  EXPECT_EQ(Str(D("-2.345").Round(2)), "-2.35");
  EXPECT_EQ(Str(D("2.344").Round(2)), "2.34");
  EXPECT_EQ(Str(D("2.5").Round(0)), "3");
  EXPECT_EQ(Str(D("-2.5").Round(0)), "-3");
  EXPECT_EQ(Str(D("-0.4").Round(0)), "0");
  EXPECT_EQ(Str(D("15").Round(-1)), "20");
  EXPECT_EQ(Str(D("149").Round(-2)), "100");
  EXPECT_EQ(Str(D("-150").Round(-2)), "-200");
  EXPECT_EQ(Str(D("1.23456789").Round(9)), "1.23456789");
  EXPECT_EQ(Str(D("1.23456789").Round(12)), "1.23456789");
  EXPECT_EQ(Str(D(kMax).Round(-29)), "nullopt");  // 1.7e29 -> 2e29 is out of range
  EXPECT_EQ(Str(D(kMax).Round(-30)), "0");
  EXPECT_EQ(Str(D(kMax).Round(-100)), "0");
  EXPECT_EQ(Str(D(kMax).Round(-28)), "170000000000000000000000000000");
}

TEST(DecimalTest, ToInt64Truncates) {
  EXPECT_EQ(D("2.9").ToInt64(), 2);
  EXPECT_EQ(D("-2.9").ToInt64(), -2);
  EXPECT_EQ(D("9223372036854775807.9").ToInt64(), INT64_MAX);
  EXPECT_EQ(D("-9223372036854775808.9").ToInt64(), INT64_MIN);
  EXPECT_EQ(D("9223372036854775808").ToInt64(), std::nullopt);
  EXPECT_EQ(D("-9223372036854775809").ToInt64(), std::nullopt);
}

TEST(DecimalTest, NegAbsAndOrdering) {
  EXPECT_EQ(D("1.5").Neg().ToString(), "-1.5");
  EXPECT_EQ(D("-1.5").Abs().ToString(), "1.5");
  EXPECT_LT(D("-1"), D("0.5"));
  EXPECT_GT(D("10"), D("9.999999999"));
  EXPECT_EQ(D("1.10"), D("1.1"));
}

// --- SfId ---------------------------------------------------------------------------------

TEST(SfIdTest, FifteenCharactersAreTakenAsWritten) {
  std::optional<SfId> id = SfId::Parse("001D000000IRt53");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->To15(), "001D000000IRt53");
  EXPECT_EQ(id->KeyPrefix(), "001");
  EXPECT_EQ(id->To18(), "001D000000IRt53IAD");
  // 15-character Ids are case-sensitive: these are different records.
  EXPECT_NE(*SfId::Parse("001d000000irt53"), *id);
}

TEST(SfIdTest, EighteenCharactersInAnyCaseMapToTheSameRecord) {
  const SfId expected = *SfId::Parse("001D000000IRt53");
  for (const char* text :
       {"001D000000IRt53IAD", "001d000000irt53iad", "001D000000IRT53IAD", "001d000000IrT53Iad"}) {
    std::optional<SfId> id = SfId::Parse(text);
    ASSERT_TRUE(id) << text;
    EXPECT_EQ(id->To15(), "001D000000IRt53") << text;
    EXPECT_EQ(*id, expected) << text;
    EXPECT_EQ(id->To18(), "001D000000IRt53IAD") << text;
  }
}

TEST(SfIdTest, SuffixCoversEveryBitAndTheDigitsOfTheAlphabet) {
  // Chunk 1 all upper (31 -> '5'), chunk 2 all lower (0 -> 'A'), chunk 3 alternating.
  std::optional<SfId> id = SfId::Parse("abcdeFGHIJkLmNo5AV");
  ASSERT_TRUE(id);
  EXPECT_EQ(id->To15(), "ABCDEfghijKlMnO");
  EXPECT_EQ(id->To18(), "ABCDEfghijKlMnO5AV");
  EXPECT_EQ(SfId::Parse("ABCDEfghijKlMnO")->To18(), "ABCDEfghijKlMnO5AV");
  EXPECT_EQ(SfId::Parse("000000000000000")->To18(), "000000000000000AAA");
}

TEST(SfIdTest, RejectsMalformedIds) {
  for (const char* bad : {"", "001D000000IRt5", "001D000000IRt53I", "001D000000IRt53IA",
                          "001D000000IRt53IADX", "001D000000IRt5-", "001D000000IRt53IA9",
                          "001D000000IRt53IA6", "001D000000IRt53 AD", "001D000000IRt\xc3\xa9"}) {
    EXPECT_FALSE(SfId::Parse(bad)) << "'" << bad << "'";
  }
  // 'B' marks the first character of its chunk upper-case, but that character is a digit:
  // no Id has this suffix.
  EXPECT_FALSE(SfId::Parse("001D000000IRt53BAD"));
}

TEST(SfIdTest, Ordering) {
  const SfId a = *SfId::Parse("001000000000001");
  const SfId b = *SfId::Parse("001000000000002");
  const SfId upper = *SfId::Parse("00100000000000A");
  const SfId lower = *SfId::Parse("00100000000000a");
  EXPECT_LT(a, b);
  EXPECT_FALSE(b < a);
  EXPECT_LT(upper, lower);  // byte order: 'A' < 'a'
  EXPECT_NE(upper, lower);
  EXPECT_FALSE(a < a);
}

// --- Civil dates and ISO text ---------------------------------------------------------------

TEST(CivilTest, KnownDays) {
  EXPECT_EQ(DaysFromCivil({1970, 1, 1}), 0);
  EXPECT_EQ(DaysFromCivil({1969, 12, 31}), -1);
  EXPECT_EQ(DaysFromCivil({2000, 3, 1}), 11017);
  EXPECT_EQ(DaysFromCivil({2024, 2, 29}), 19782);
  EXPECT_EQ(DaysFromCivil({2024, 3, 31}), 19813);
  EXPECT_EQ(DaysFromCivil({1600, 1, 1}), -135140);
  EXPECT_EQ(DaysFromCivil({0, 3, 1}), -719468);
  EXPECT_EQ(DaysFromCivil({2100, 3, 1}), 47541);
}

TEST(CivilTest, RoundTripsEveryDayOverTenThousandYears) {
  Days d = DaysFromCivil({-1, 1, 1});
  CivilDate prev = CivilFromDays(d - 1);
  for (; d < DaysFromCivil({10000, 1, 1}); ++d) {
    const CivilDate c = CivilFromDays(d);
    ASSERT_TRUE(IsValidCivil(c)) << d;
    ASSERT_EQ(DaysFromCivil(c), d);
    // Consecutive days: either the next day of the month or the first of the next month.
    const bool next_day = c.year == prev.year && c.month == prev.month && c.day == prev.day + 1;
    const bool next_month =
        c.day == 1 && ((c.year == prev.year && c.month == prev.month + 1) ||
                       (c.year == prev.year + 1 && c.month == 1 && prev.month == 12));
    ASSERT_TRUE(next_day || next_month) << d;
    prev = c;
  }
}

TEST(CivilTest, Weekdays) {
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({1970, 1, 1})), 4);    // Thursday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({2024, 3, 31})), 0);   // Sunday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({2024, 3, 30})), 6);   // Saturday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({2024, 2, 29})), 4);   // Thursday
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({1969, 12, 28})), 0);  // Sunday, before the epoch
  EXPECT_EQ(WeekdayFromDays(DaysFromCivil({1900, 1, 1})), 1);    // Monday
  for (Days d = -1000; d < 1000; ++d) {
    ASSERT_EQ(WeekdayFromDays(d + 1), (WeekdayFromDays(d) + 1) % 7) << d;
  }
}

TEST(CivilTest, Validity) {
  EXPECT_TRUE(IsValidCivil({2024, 2, 29}));
  EXPECT_FALSE(IsValidCivil({2023, 2, 29}));
  EXPECT_FALSE(IsValidCivil({1900, 2, 29}));
  EXPECT_TRUE(IsValidCivil({2000, 2, 29}));
  EXPECT_FALSE(IsValidCivil({2024, 4, 31}));
  EXPECT_TRUE(IsValidCivil({2024, 12, 31}));
  EXPECT_FALSE(IsValidCivil({2024, 13, 1}));
  EXPECT_FALSE(IsValidCivil({2024, 0, 1}));
  EXPECT_FALSE(IsValidCivil({2024, 1, 0}));
  EXPECT_FALSE(IsValidCivil({2024, 1, 32}));
  EXPECT_FALSE(IsValidCivil({2000000000, 1, 1}));  // beyond what Days can hold
}

TEST(IsoTest, ParsesDates) {
  EXPECT_EQ(ParseIsoDate("2024-03-31"), 19813);
  EXPECT_EQ(ParseIsoDate("1970-01-01"), 0);
  EXPECT_EQ(ParseIsoDate("2024-02-29"), 19782);
  for (const char* bad :
       {"2023-02-29", "2024-04-31", "2024-13-01", "2024-00-10", "2024-1-01", "24-01-01",
        "2024/01/01", "2024-01-01T00:00:00Z", " 2024-01-01", "2024-01-01 ", "", "2024-01-0a"}) {
    EXPECT_FALSE(ParseIsoDate(bad)) << bad;
  }
}

TEST(IsoTest, ParsesDateTimesAsSalesforceSendsThem) {
  const Millis base = 19813LL * 86400000 + (13 * 3600 + 45 * 60) * 1000LL;  // 2024-03-31T13:45Z
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T13:45:00Z"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T13:45:00.000+0000"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T13:45:00.123Z"), base + 123);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T13:45:00.1Z"), base + 100);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T13:45:00.123456789Z"), base + 123);  // truncated
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T15:45:00+02:00"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T15:45:00+0200"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T15:45:00+02"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T05:45:00-08:00"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-03-31T19:15:00+05:30"), base);
  EXPECT_EQ(ParseIsoDateTime("2024-04-01T00:45:00+11"), base);  // crosses the date line
  EXPECT_EQ(ParseIsoDateTime("1969-12-31T23:59:59.999Z"), -1);
  for (const char* bad :
       {"2024-03-31T13:45:00", "2024-03-31T13:45:00.000", "2024-03-31 13:45:00Z",
        "2024-03-31T13:45Z", "2024-03-31T24:00:00Z", "2024-03-31T13:60:00Z", "2024-03-31T13:45:60Z",
        "2024-03-31T13:45:00.Z", "2024-03-31T13:45:00.1234567890Z", "2024-03-31T13:45:00+2:00",
        "2024-03-31T13:45:00+02:0", "2024-03-31T13:45:00+02:", "2024-03-31T13:45:00+24:00",
        "2024-03-31T13:45:00+02:60", "2024-03-31T13:45:00z", "2024-03-31T13:45:00ZZ",
        "2024-02-30T13:45:00Z", "2024-03-31", ""}) {
    EXPECT_FALSE(ParseIsoDateTime(bad)) << bad;
  }
}

TEST(IsoTest, ParsesTimes) {
  EXPECT_EQ(ParseIsoTime("13:45:00.000Z"), (13 * 3600 + 45 * 60) * 1000);
  EXPECT_EQ(ParseIsoTime("13:45:00"), (13 * 3600 + 45 * 60) * 1000);
  EXPECT_EQ(ParseIsoTime("00:00:00Z"), 0);
  EXPECT_EQ(ParseIsoTime("23:59:59.999"), 86399999);
  EXPECT_EQ(ParseIsoTime("23:59:59.5Z"), 86399500);
  for (const char* bad :
       {"24:00:00", "13:45", "13:45:00+01:00", "13:45:00.Z", "1:45:00", "13:45:00ZZ", ""}) {
    EXPECT_FALSE(ParseIsoTime(bad)) << bad;
  }
}

TEST(IsoTest, Formats) {
  EXPECT_EQ(FormatIsoDate(19813), "2024-03-31");
  EXPECT_EQ(FormatIsoDate(-1), "1969-12-31");
  EXPECT_EQ(FormatIsoDate(DaysFromCivil({12, 1, 5})), "0012-01-05");
  EXPECT_EQ(FormatIsoDateTime(19813LL * 86400000 + 49500123), "2024-03-31T13:45:00.123Z");
  EXPECT_EQ(FormatIsoDateTime(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(FormatIsoDateTime(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatIsoTime(49500000), "13:45:00.000Z");
  EXPECT_EQ(FormatIsoTime(0), "00:00:00.000Z");
  EXPECT_EQ(FormatIsoTime(86399999), "23:59:59.999Z");
}

TEST(IsoTest, FormatAndParseRoundTrip) {
  for (Millis ms : {Millis{0}, Millis{-1}, Millis{1711892700123}, Millis{253402300799999},
                    Millis{-62135596800000}}) {
    EXPECT_EQ(ParseIsoDateTime(FormatIsoDateTime(ms)), ms) << ms;
  }
  for (Days d = DaysFromCivil({1700, 1, 1}); d <= DaysFromCivil({4000, 12, 31}); d += 17) {
    ASSERT_EQ(ParseIsoDate(FormatIsoDate(d)), d);
  }
}

}  // namespace
}  // namespace cf::engine
