#include "engine/time_zone.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cf::engine {
namespace {

constexpr char kZoneinfo[] = "/usr/share/zoneinfo";

Millis Ms(std::string_view iso) {
  std::optional<Millis> ms = ParseIsoDateTime(iso);
  EXPECT_TRUE(ms) << iso;
  return ms.value_or(0);
}
Days Day(std::string_view iso) {
  std::optional<Days> d = ParseIsoDate(iso);
  EXPECT_TRUE(d) << iso;
  return d.value_or(0);
}

std::shared_ptr<const TimeZone> MustLoad(std::string_view name,
                                         const std::string& dir = kZoneinfo) {
  std::string error;
  std::shared_ptr<const TimeZone> z = TimeZone::Load(name, &error, dir);
  EXPECT_TRUE(z) << name << ": " << error;
  return z;
}

// The error Load reports for `name`, or "(loaded)".
std::string LoadError(std::string_view name, const std::string& dir = kZoneinfo) {
  std::string error;
  std::shared_ptr<const TimeZone> z = TimeZone::Load(name, &error, dir);
  return z ? "(loaded)" : error;
}

bool HaveZone(const std::string& name) {
  return std::filesystem::is_regular_file(std::string(kZoneinfo) + "/" + name);
}

// --- UTC and fixed offsets -------------------------------------------------------------------

TEST(TimeZoneTest, UtcAliases) {
  for (const char* name : {"UTC", "GMT", "Z", "utc", "gmt"}) {
    std::shared_ptr<const TimeZone> z = MustLoad(name);
    ASSERT_TRUE(z);
    EXPECT_EQ(z->name(), "UTC");
    EXPECT_EQ(z->OffsetAt(Ms("2024-07-01T12:00:00Z")), 0);
  }
  std::shared_ptr<const TimeZone> utc = TimeZone::Utc();
  ASSERT_TRUE(utc);
  EXPECT_EQ(utc, TimeZone::Utc());  // one shared instance
  EXPECT_EQ(utc->LocalDay(Ms("2024-03-31T23:59:59.999Z")), Day("2024-03-31"));
  EXPECT_EQ(utc->LocalDay(Ms("2024-04-01T00:00:00Z")), Day("2024-04-01"));
  EXPECT_EQ(utc->LocalDay(-1), Day("1969-12-31"));
  EXPECT_EQ(utc->StartOfDay(Day("2024-03-31")), Ms("2024-03-31T00:00:00Z"));
}

TEST(TimeZoneTest, FixedOffsets) {
  struct Case {
    const char* name;
    const char* canonical;
    int32_t offset;
  };
  for (const Case& c :
       {Case{"+05:30", "+05:30", 19800}, Case{"-0800", "-08:00", -28800},
        Case{"+02", "+02:00", 7200}, Case{"-03:30", "-03:30", -12600}, Case{"+00:00", "+00:00", 0},
        Case{"+18:00", "+18:00", 64800}, Case{"-1800", "-18:00", -64800}}) {
    std::shared_ptr<const TimeZone> z = MustLoad(c.name);
    ASSERT_TRUE(z) << c.name;
    EXPECT_EQ(z->name(), c.canonical);
    EXPECT_EQ(z->OffsetAt(Ms("2024-01-15T00:00:00Z")), c.offset) << c.name;
    EXPECT_EQ(z->OffsetAt(Ms("2024-07-15T00:00:00Z")), c.offset) << c.name;
  }
  std::shared_ptr<const TimeZone> kolkata_like = MustLoad("+05:30");
  EXPECT_EQ(kolkata_like->LocalDay(Ms("2024-03-31T18:29:59Z")), Day("2024-03-31"));
  EXPECT_EQ(kolkata_like->LocalDay(Ms("2024-03-31T18:30:00Z")), Day("2024-04-01"));
  EXPECT_EQ(kolkata_like->StartOfDay(Day("2024-04-01")), Ms("2024-03-31T18:30:00Z"));
  std::shared_ptr<const TimeZone> pacific = MustLoad("-0800");
  EXPECT_EQ(pacific->StartOfDay(Day("2024-04-01")), Ms("2024-04-01T08:00:00Z"));
}

TEST(TimeZoneTest, RejectsBadOffsets) {
  for (const char* bad : {"+5", "+5:30", "+25:00", "+18:01", "+05:60", "+05:3", "+05:", "+0530x",
                          "-", "+", "+05:30:00", "--05"}) {
    const std::string error = LoadError(bad);
    EXPECT_NE(error, "(loaded)") << bad;
    EXPECT_NE(error.find("+HH:MM"), std::string::npos) << bad << ": " << error;
  }
}

// --- Names that must not load ------------------------------------------------------------------

TEST(TimeZoneTest, RejectsBadNamesWithAnActionableSentence) {
  for (const char* bad : {"../../../etc/passwd", "/etc/passwd", "America/../../etc/passwd",
                          "America/./New_York", ".hidden", "America//New_York", "America/New_York/",
                          "America/New York", "America\\New_York", "Europe/Paris\n"}) {
    const std::string error = LoadError(bad);
    EXPECT_NE(error, "(loaded)") << bad;
    EXPECT_NE(error.find("Europe/Paris"), std::string::npos) << bad << ": " << error;
  }
  EXPECT_NE(LoadError(std::string_view("Europe/Paris\0x", 14)), "(loaded)");

  const std::string unknown = LoadError("Mars/Base");
  EXPECT_EQ(unknown.rfind("unknown time zone 'Mars/Base': use an IANA name such as Europe/Paris, "
                          "or an offset such as +02:00",
                          0),
            0u)
      << unknown;
  EXPECT_NE(LoadError(""), "(loaded)");
  EXPECT_NE(LoadError("america/new_york").find("case-sensitive"), std::string::npos);

  // A null error pointer is allowed.
  EXPECT_FALSE(TimeZone::Load("Mars/Base", nullptr));
  EXPECT_FALSE(TimeZone::Load("+99", nullptr));
}

TEST(TimeZoneTest, RejectsFilesThatAreNotZones) {
  if (!HaveZone("America/New_York")) GTEST_SKIP() << "tzdata is not installed";
  EXPECT_NE(LoadError("America").find("region"), std::string::npos) << LoadError("America");
  if (HaveZone("leapseconds")) {  // a text file beside the zones
    EXPECT_NE(LoadError("leapseconds").find("TZif"), std::string::npos) << LoadError("leapseconds");
  }
  // Data files have a '.' in their names, which no zone name has.
  EXPECT_NE(LoadError("zone.tab"), "(loaded)");
  if (HaveZone("right/UTC")) {
    EXPECT_NE(LoadError("right/UTC").find("leap seconds"), std::string::npos)
        << LoadError("right/UTC");
  }
  EXPECT_NE(LoadError("Europe/Paris", "/nonexistent-zoneinfo"), "(loaded)");
}

// --- IANA zones from the installed tzdata -------------------------------------------------------

TEST(TimeZoneTest, NewYorkAroundTheDstSwitchesOf2024) {
  std::shared_ptr<const TimeZone> z = MustLoad("America/New_York");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->name(), "America/New_York");
  // Spring forward: 2024-03-10 02:00 EST -> 03:00 EDT, at 07:00Z.
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-10T06:59:59.999Z")), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-10T07:00:00Z")), -4 * 3600);
  // Fall back: 2024-11-03 02:00 EDT -> 01:00 EST, at 06:00Z.
  EXPECT_EQ(z->OffsetAt(Ms("2024-11-03T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2024-11-03T06:00:00Z")), -5 * 3600);

  EXPECT_EQ(z->LocalDay(Ms("2024-03-10T04:59:59Z")), Day("2024-03-09"));
  EXPECT_EQ(z->LocalDay(Ms("2024-03-10T05:00:00Z")), Day("2024-03-10"));
  EXPECT_EQ(z->LocalDay(Ms("2024-03-11T03:59:59Z")), Day("2024-03-10"));
  EXPECT_EQ(z->LocalDay(Ms("2024-03-11T04:00:00Z")), Day("2024-03-11"));

  EXPECT_EQ(z->StartOfDay(Day("2024-03-10")), Ms("2024-03-10T05:00:00Z"));  // a 23-hour day
  EXPECT_EQ(z->StartOfDay(Day("2024-03-11")), Ms("2024-03-11T04:00:00Z"));
  EXPECT_EQ(z->StartOfDay(Day("2024-11-03")), Ms("2024-11-03T04:00:00Z"));  // a 25-hour day
  EXPECT_EQ(z->StartOfDay(Day("2024-11-04")), Ms("2024-11-04T05:00:00Z"));
}

TEST(TimeZoneTest, NewYorkIn2100FollowsTheFooterRule) {
  std::shared_ptr<const TimeZone> z = MustLoad("America/New_York");
  ASSERT_TRUE(z);
  // Second Sunday of March 2100 is the 14th; first Sunday of November is the 7th.
  EXPECT_EQ(z->OffsetAt(Ms("2100-03-14T06:59:59Z")), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-03-14T07:00:00Z")), -4 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-11-07T05:59:59Z")), -4 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-11-07T06:00:00Z")), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-01-01T00:00:00Z")), -5 * 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-07-04T12:00:00Z")), -4 * 3600);
  EXPECT_EQ(z->StartOfDay(Day("2100-03-14")), Ms("2100-03-14T05:00:00Z"));
  EXPECT_EQ(z->StartOfDay(Day("2100-03-15")), Ms("2100-03-15T04:00:00Z"));
  EXPECT_EQ(z->OffsetAt(Ms("9999-07-01T00:00:00Z")), -4 * 3600);
}

TEST(TimeZoneTest, Paris) {
  std::shared_ptr<const TimeZone> z = MustLoad("Europe/Paris");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-31T00:59:59Z")), 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-31T01:00:00Z")), 7200);
  EXPECT_EQ(z->OffsetAt(Ms("2024-10-27T00:59:59Z")), 7200);
  EXPECT_EQ(z->OffsetAt(Ms("2024-10-27T01:00:00Z")), 3600);
  EXPECT_EQ(z->LocalDay(Ms("2024-06-30T21:59:59Z")), Day("2024-06-30"));
  EXPECT_EQ(z->LocalDay(Ms("2024-06-30T22:00:00Z")), Day("2024-07-01"));
  EXPECT_EQ(z->StartOfDay(Day("2024-03-31")), Ms("2024-03-30T23:00:00Z"));
  EXPECT_EQ(z->StartOfDay(Day("2024-04-01")), Ms("2024-03-31T22:00:00Z"));
  // Last Sunday of March 2100 is the 28th, of October the 31st.
  EXPECT_EQ(z->OffsetAt(Ms("2100-03-28T00:59:59Z")), 3600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-03-28T01:00:00Z")), 7200);
  EXPECT_EQ(z->OffsetAt(Ms("2100-10-31T00:59:59Z")), 7200);
  EXPECT_EQ(z->OffsetAt(Ms("2100-10-31T01:00:00Z")), 3600);
}

TEST(TimeZoneTest, KolkataIsFiveAndAHalfHoursAhead) {
  std::shared_ptr<const TimeZone> z = MustLoad("Asia/Kolkata");
  ASSERT_TRUE(z);
  for (const char* at : {"1970-01-01T00:00:00Z", "2024-01-01T00:00:00Z", "2024-07-01T00:00:00Z",
                         "2100-07-01T00:00:00Z"}) {
    EXPECT_EQ(z->OffsetAt(Ms(at)), 19800) << at;
  }
  EXPECT_EQ(z->LocalDay(Ms("2024-03-31T18:29:59Z")), Day("2024-03-31"));
  EXPECT_EQ(z->LocalDay(Ms("2024-03-31T18:30:00Z")), Day("2024-04-01"));
  EXPECT_EQ(z->StartOfDay(Day("2024-04-01")), Ms("2024-03-31T18:30:00Z"));
}

TEST(TimeZoneTest, LordHoweHasAHalfHourDst) {
  if (!HaveZone("Australia/Lord_Howe")) GTEST_SKIP() << "Australia/Lord_Howe is not installed";
  std::shared_ptr<const TimeZone> z = MustLoad("Australia/Lord_Howe");
  ASSERT_TRUE(z);
  // DST (+11) ends 2024-04-07 02:00 local -> 01:30 (+10:30); starts 2024-10-06 02:00 -> 02:30.
  EXPECT_EQ(z->OffsetAt(Ms("2024-04-06T14:59:59Z")), 39600);
  EXPECT_EQ(z->OffsetAt(Ms("2024-04-06T15:00:00Z")), 37800);
  EXPECT_EQ(z->OffsetAt(Ms("2024-10-05T15:29:59Z")), 37800);
  EXPECT_EQ(z->OffsetAt(Ms("2024-10-05T15:30:00Z")), 39600);
  EXPECT_EQ(z->StartOfDay(Day("2024-10-06")), Ms("2024-10-05T13:30:00Z"));
  EXPECT_EQ(z->StartOfDay(Day("2024-10-07")), Ms("2024-10-06T13:00:00Z"));
  // 2100, from the footer "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0".
  EXPECT_EQ(z->OffsetAt(Ms("2100-04-03T14:59:59Z")), 39600);
  EXPECT_EQ(z->OffsetAt(Ms("2100-04-03T15:00:00Z")), 37800);
  EXPECT_EQ(z->OffsetAt(Ms("2100-10-02T15:29:59Z")), 37800);
  EXPECT_EQ(z->OffsetAt(Ms("2100-10-02T15:30:00Z")), 39600);
}

TEST(TimeZoneTest, MidnightInADstGapStartsTheDayAtTheJump) {
  if (!HaveZone("America/Sao_Paulo") || !HaveZone("America/Havana")) GTEST_SKIP();
  // Sao Paulo, 2018-11-04: 00:00 -03 jumped to 01:00 -02, at 03:00Z.
  std::shared_ptr<const TimeZone> sao = MustLoad("America/Sao_Paulo");
  ASSERT_TRUE(sao);
  EXPECT_EQ(sao->StartOfDay(Day("2018-11-04")), Ms("2018-11-04T03:00:00Z"));
  EXPECT_EQ(sao->LocalDay(Ms("2018-11-04T02:59:59Z")), Day("2018-11-03"));
  EXPECT_EQ(sao->LocalDay(Ms("2018-11-04T03:00:00Z")), Day("2018-11-04"));
  // Havana, 2024-03-10: 00:00 CST jumped to 01:00 CDT, at 05:00Z.
  std::shared_ptr<const TimeZone> havana = MustLoad("America/Havana");
  ASSERT_TRUE(havana);
  EXPECT_EQ(havana->StartOfDay(Day("2024-03-10")), Ms("2024-03-10T05:00:00Z"));
  // Havana, 2024-11-03: 01:00 CDT fell back to 00:00 CST, so midnight happened twice; the day
  // starts at the first.
  EXPECT_EQ(havana->StartOfDay(Day("2024-11-03")), Ms("2024-11-03T04:00:00Z"));
  // The same in 2100, from the footer "CST5CDT,M3.2.0/0,M11.1.0/1".
  EXPECT_EQ(havana->StartOfDay(Day("2100-03-14")), Ms("2100-03-14T05:00:00Z"));
  EXPECT_EQ(havana->StartOfDay(Day("2100-11-07")), Ms("2100-11-07T04:00:00Z"));
}

TEST(TimeZoneTest, ASkippedDayIsEmpty) {
  if (!HaveZone("Pacific/Apia")) GTEST_SKIP();
  // Samoa skipped 2011-12-30: 2011-12-29 24:00 (-10) became 2011-12-31 00:00 (+14).
  std::shared_ptr<const TimeZone> z = MustLoad("Pacific/Apia");
  ASSERT_TRUE(z);
  EXPECT_EQ(z->StartOfDay(Day("2011-12-30")), Ms("2011-12-30T10:00:00Z"));
  EXPECT_EQ(z->StartOfDay(Day("2011-12-31")), Ms("2011-12-30T10:00:00Z"));
  EXPECT_EQ(z->LocalDay(Ms("2011-12-30T09:59:59Z")), Day("2011-12-29"));
  EXPECT_EQ(z->LocalDay(Ms("2011-12-30T10:00:00Z")), Day("2011-12-31"));
}

// Every day from 1900 to 2100: StartOfDay(d) is the first instant whose LocalDay is d (or, for
// a skipped day, equals StartOfDay(d + 1); the day after it then starts right after d - 1).
TEST(TimeZoneTest, StartOfDayIsTheFirstInstantOfTheLocalDay) {
  for (const char* name :
       {"America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe",
        "America/Sao_Paulo", "America/Havana", "Pacific/Apia", "America/Nuuk", "America/Santiago",
        "Europe/Dublin", "Pacific/Chatham", "Asia/Jerusalem", "Africa/Casablanca"}) {
    if (!HaveZone(name)) continue;
    std::shared_ptr<const TimeZone> z = MustLoad(name);
    ASSERT_TRUE(z) << name;
    Millis next = z->StartOfDay(Day("1900-01-01"));
    for (Days d = Day("1900-01-01"); d < Day("2100-12-31"); ++d) {
      const Millis start = next;
      next = z->StartOfDay(d + 1);
      ASSERT_LE(start, next) << name << " " << FormatIsoDate(d);
      if (start == next) continue;  // a skipped day
      ASSERT_EQ(z->LocalDay(start), d) << name << " " << FormatIsoDate(d);
      ASSERT_LT(z->LocalDay(start - 1), d) << name << " " << FormatIsoDate(d);
      ASSERT_EQ(z->LocalDay(next - 1), d) << name << " " << FormatIsoDate(d);
    }
  }
}

// Cross-check against the C library's reading of the same files, including the exact second of
// every change between 1901 and 2100. glibc is an independent TZif and POSIX-rule reader.
TEST(TimeZoneTest, AgreesWithTheCLibrary) {
  const char* saved_tz = std::getenv("TZ");
  const std::string saved = saved_tz ? saved_tz : "";
  int zones_checked = 0;
  for (const char* name :
       {"America/New_York", "Europe/Paris", "Asia/Kolkata", "Australia/Lord_Howe",
        "America/Sao_Paulo", "America/Havana", "Pacific/Apia", "America/Nuuk", "America/Santiago",
        "Europe/Dublin", "Pacific/Chatham", "Asia/Jerusalem", "Africa/Casablanca",
        "Antarctica/Troll", "Asia/Tehran", "Europe/London", "Etc/GMT+5"}) {
    if (!HaveZone(name)) continue;
    std::shared_ptr<const TimeZone> z = MustLoad(name);
    ASSERT_TRUE(z) << name;
    setenv("TZ", (std::string(":") + name).c_str(), 1);
    tzset();
    auto libc_offset = [](int64_t seconds) {
      const time_t t = static_cast<time_t>(seconds);
      struct tm tm {};
      localtime_r(&t, &tm);
      return static_cast<int32_t>(tm.tm_gmtoff);
    };
    const int64_t from = Ms("1901-12-14T00:00:00Z") / 1000;
    const int64_t to = Ms("2100-12-31T00:00:00Z") / 1000;
    const int64_t step = 6 * 3600 + 17 * 60;
    int32_t previous = libc_offset(from);
    for (int64_t t = from; t < to; t += step) {
      const int32_t expected = libc_offset(t);
      ASSERT_EQ(z->OffsetAt(t * 1000), expected) << name << " at " << FormatIsoDateTime(t * 1000);
      if (expected != previous) {
        // Bisect to the change and compare either side of it.
        int64_t lo = t - step, hi = t;
        while (hi - lo > 1) {
          const int64_t mid = lo + (hi - lo) / 2;
          (libc_offset(mid) == previous ? lo : hi) = mid;
        }
        ASSERT_EQ(z->OffsetAt(lo * 1000 + 999), previous)
            << name << " at " << FormatIsoDateTime(lo * 1000);
        ASSERT_EQ(z->OffsetAt(hi * 1000), expected)
            << name << " at " << FormatIsoDateTime(hi * 1000);
      }
      previous = expected;
    }
    ++zones_checked;
  }
  if (saved_tz) {
    setenv("TZ", saved.c_str(), 1);
  } else {
    unsetenv("TZ");
  }
  tzset();
  if (zones_checked == 0) GTEST_SKIP() << "tzdata is not installed";
}

// --- Hand-made TZif files -----------------------------------------------------------------------

struct TzifType {
  int32_t utoff;
  uint8_t isdst;
  uint8_t desigidx;
};
struct TzifData {
  std::vector<std::pair<int64_t, uint8_t>> transitions;  // (at, type index)
  std::vector<TzifType> types = {{0, 0, 0}};
  std::string chars = std::string("UTC\0", 4);
  uint32_t leapcnt = 0;
};

void Put32(std::string* out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}
void Put64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out->push_back(static_cast<char>(v >> shift));
}

// One header and data block; `wide` selects 64-bit times.
void PutBlock(std::string* out, char version, const TzifData& d, bool wide) {
  out->append("TZif");
  out->push_back(version);
  out->append(15, '\0');
  Put32(out, 0);  // isutcnt
  Put32(out, 0);  // isstdcnt
  Put32(out, d.leapcnt);
  Put32(out, static_cast<uint32_t>(d.transitions.size()));
  Put32(out, static_cast<uint32_t>(d.types.size()));
  Put32(out, static_cast<uint32_t>(d.chars.size()));
  for (const auto& [at, index] : d.transitions) {
    if (wide) {
      Put64(out, static_cast<uint64_t>(at));
    } else {
      Put32(out, static_cast<uint32_t>(static_cast<int32_t>(at)));
    }
  }
  for (const auto& [at, index] : d.transitions) out->push_back(static_cast<char>(index));
  for (const TzifType& t : d.types) {
    Put32(out, static_cast<uint32_t>(t.utoff));
    out->push_back(static_cast<char>(t.isdst));
    out->push_back(static_cast<char>(t.desigidx));
  }
  out->append(d.chars);
  for (uint32_t i = 0; i < d.leapcnt; ++i) {
    if (wide)
      Put64(out, 0);
    else
      Put32(out, 0);
    Put32(out, 0);
  }
}

// A version 1 file.
std::string TzifV1(const TzifData& d) {
  std::string out;
  PutBlock(&out, '\0', d, false);
  return out;
}
// A version 2+ file whose 32-bit block is `v1` and whose 64-bit block is `v2`.
std::string TzifV2(char version, const TzifData& v1, const TzifData& v2, std::string_view footer) {
  std::string out;
  PutBlock(&out, version, v1, false);
  PutBlock(&out, version, v2, true);
  out.push_back('\n');
  out.append(footer);
  out.push_back('\n');
  return out;
}

class HandMadeTzifTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::temp_directory_path() /
           ("cf_tz_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_ / "Test");
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  // Writes Test/<name> and loads it.
  std::shared_ptr<const TimeZone> Load(const std::string& name, const std::string& bytes,
                                       std::string* error) {
    std::ofstream(dir_ / "Test" / name, std::ios::binary) << bytes;
    return TimeZone::Load("Test/" + name, error, dir_.string());
  }
  std::shared_ptr<const TimeZone> MustLoadFile(const std::string& name, const std::string& bytes) {
    std::string error;
    std::shared_ptr<const TimeZone> z = Load(name, bytes, &error);
    EXPECT_TRUE(z) << name << ": " << error;
    return z;
  }
  std::string ErrorFor(const std::string& name, const std::string& bytes) {
    std::string error;
    return Load(name, bytes, &error) ? "(loaded)" : error;
  }

  std::filesystem::path dir_;
};

// EST/EDT types and the 2024 New York transitions.
TzifData NewYork2024() {
  TzifData d;
  d.types = {{-18000, 0, 0}, {-14400, 1, 4}};
  d.chars = std::string("EST\0EDT\0", 8);
  d.transitions = {{1710054000, 1}, {1730613600, 0}};  // 2024-03-10T07:00Z, 2024-11-03T06:00Z
  return d;
}

TEST_F(HandMadeTzifTest, VersionOneUsesTheLastTransitionForever) {
  std::shared_ptr<const TimeZone> z = MustLoadFile("V1", TzifV1(NewYork2024()));
  ASSERT_TRUE(z);
  EXPECT_EQ(z->name(), "Test/V1");
  EXPECT_EQ(z->OffsetAt(Ms("2000-01-01T00:00:00Z")), -18000);  // type 0 before the first
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-10T06:59:59Z")), -18000);
  EXPECT_EQ(z->OffsetAt(Ms("2024-03-10T07:00:00Z")), -14400);
  EXPECT_EQ(z->OffsetAt(Ms("2024-11-03T06:00:00Z")), -18000);
  EXPECT_EQ(z->OffsetAt(Ms("2025-07-01T00:00:00Z")), -18000);  // no footer: no more DST
}

TEST_F(HandMadeTzifTest, VersionTwoReadsTheSixtyFourBitBlockAndTheFooter) {
  // The 32-bit block says "always UTC"; only the 64-bit block has the real data, including a
  // transition before 1901 that 32 bits cannot hold.
  TzifData wide;
  wide.types = {{-17762, 0, 8}, {-14400, 1, 4}, {-18000, 0, 0}};  // type 0 applies before 1883
  wide.chars = std::string("EST\0EDT\0LMT\0", 12);
  wide.transitions = {{-2717650800, 2}, {1710054000, 1}, {1730613600, 2}};  // 1883-11-18T17:00Z
  for (char version : {'2', '3', '4'}) {
    std::shared_ptr<const TimeZone> z = MustLoadFile(
        std::string("V") + version, TzifV2(version, TzifData{}, wide, "EST5EDT,M3.2.0,M11.1.0"));
    ASSERT_TRUE(z);
    EXPECT_EQ(z->OffsetAt(Ms("1883-11-18T16:59:59Z")), -17762) << version;
    EXPECT_EQ(z->OffsetAt(Ms("1883-11-18T17:00:00Z")), -18000) << version;
    EXPECT_EQ(z->OffsetAt(Ms("2024-03-10T07:00:00Z")), -14400) << version;
    EXPECT_EQ(z->OffsetAt(Ms("2024-11-03T06:00:00Z")), -18000) << version;
    // After the last transition, the footer rule.
    EXPECT_EQ(z->OffsetAt(Ms("2025-03-09T06:59:59Z")), -18000) << version;
    EXPECT_EQ(z->OffsetAt(Ms("2025-03-09T07:00:00Z")), -14400) << version;
    EXPECT_EQ(z->OffsetAt(Ms("2025-11-02T05:59:59Z")), -14400) << version;
    EXPECT_EQ(z->OffsetAt(Ms("2025-11-02T06:00:00Z")), -18000) << version;
  }
}

TEST_F(HandMadeTzifTest, FooterOnlyZones) {
  struct Case {
    const char* footer;
    const char* at;
    int32_t offset;
  };
  const Case cases[] = {
      // Fixed, with a quoted name and minutes.
      {"<+0530>-5:30", "2024-07-01T00:00:00Z", 19800},
      {"<-0330>3:30", "2024-07-01T00:00:00Z", -12600},
      // Europe: changes at 01:00Z on the last Sundays of March and October (2024: 31st, 27th).
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31T00:59:59Z", 3600},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-03-31T01:00:00Z", 7200},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-10-27T00:59:59Z", 7200},
      {"CET-1CEST,M3.5.0,M10.5.0/3", "2024-10-27T01:00:00Z", 3600},
      // Southern hemisphere with an explicit DST offset: DST spans the new year.
      {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2024-01-01T00:00:00Z", 39600},
      {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2024-04-06T14:59:59Z", 39600},
      {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2024-04-06T15:00:00Z", 37800},
      {"<+1030>-10:30<+11>-11,M10.1.0,M4.1.0", "2024-10-05T15:30:00Z", 39600},
      // Negative DST (Europe/Dublin): "standard" IST in summer, GMT in winter.
      {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-01-15T00:00:00Z", 0},
      {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-07-15T00:00:00Z", 3600},
      {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-03-31T00:59:59Z", 0},
      {"IST-1GMT0,M10.5.0,M3.5.0/1", "2024-03-31T01:00:00Z", 3600},
      // Negative transition time (America/Nuuk): M3.5.0/-1 is Saturday 23:00 local -02, 01:00Z.
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-03-31T00:59:59Z", -7200},
      {"<-02>2<-01>,M3.5.0/-1,M10.5.0/0", "2024-03-31T01:00:00Z", -3600},
      // Times past 24:00 (Asia/Jerusalem): M3.4.4/26 is Friday 02:00 after the 4th Thursday.
      // 2024: Thursday the 28th + 26h = Friday the 29th 02:00 +02 = 00:00Z.
      {"IST-2IDT,M3.4.4/26,M10.5.0", "2024-03-28T23:59:59Z", 7200},
      {"IST-2IDT,M3.4.4/26,M10.5.0", "2024-03-29T00:00:00Z", 10800},
      // Jn counts 1..365 and never Feb 29: J60 is March 1 even in 2024.
      {"AAA3BBB,J60/0,J300/0", "2024-03-01T02:59:59Z", -10800},
      {"AAA3BBB,J60/0,J300/0", "2024-03-01T03:00:00Z", -7200},
      // n counts 0..365 with Feb 29: 59 is Feb 29 in 2024, March 1 in 2023.
      {"AAA3BBB,59/0,300/0", "2024-02-29T02:59:59Z", -10800},
      {"AAA3BBB,59/0,300/0", "2024-02-29T03:00:00Z", -7200},
      {"AAA3BBB,59/0,300/0", "2023-02-28T12:00:00Z", -10800},
      {"AAA3BBB,59/0,300/0", "2023-03-01T03:00:00Z", -7200},
      // Daylight time all year (RFC 8536 3.3.1): always the DST offset, even around new year.
      {"EST5EDT,0/0,J365/25", "2024-01-01T00:00:00Z", -14400},
      {"EST5EDT,0/0,J365/25", "2024-01-01T05:00:00Z", -14400},
      {"EST5EDT,0/0,J365/25", "2024-07-01T00:00:00Z", -14400},
      {"EST5EDT,0/0,J365/25", "2024-12-31T23:59:59Z", -14400},
      // Default DST offset is one hour ahead of standard.
      {"EST5EDT,M3.2.0,M11.1.0", "2024-07-01T00:00:00Z", -14400},
      // M5 is the last such weekday: in February 2024 the last Thursday is the 29th.
      {"AAA0BBB,M2.5.4/0,M12.1.0/0", "2024-02-28T23:59:59Z", 0},
      {"AAA0BBB,M2.5.4/0,M12.1.0/0", "2024-02-29T00:00:00Z", 3600},
  };
  int i = 0;
  for (const Case& c : cases) {
    TzifData empty;
    std::shared_ptr<const TimeZone> z =
        MustLoadFile("F" + std::to_string(i++), TzifV2('3', empty, empty, c.footer));
    ASSERT_TRUE(z) << c.footer;
    EXPECT_EQ(z->OffsetAt(Ms(c.at)), c.offset) << c.footer << " at " << c.at;
  }
}

TEST_F(HandMadeTzifTest, AnEmptyFooterMeansNoRule) {
  std::shared_ptr<const TimeZone> z = MustLoadFile("E", TzifV2('2', TzifData{}, NewYork2024(), ""));
  ASSERT_TRUE(z);
  EXPECT_EQ(z->OffsetAt(Ms("2030-07-01T00:00:00Z")), -18000);
}

TEST_F(HandMadeTzifTest, RejectsCorruptFiles) {
  const TzifData ny = NewYork2024();
  const std::string good = TzifV2('2', ny, ny, "EST5EDT,M3.2.0,M11.1.0");
  ASSERT_EQ(ErrorFor("Good", good), "(loaded)");

  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string bad_version = good;
  bad_version[4] = '9';
  TzifData bad_index = ny;
  bad_index.transitions[1].second = 7;
  TzifData unsorted = ny;
  std::swap(unsorted.transitions[0], unsorted.transitions[1]);
  TzifData bad_desig = ny;
  bad_desig.types[1].desigidx = 200;
  TzifData bad_utoff = ny;
  bad_utoff.types[1].utoff = 100000;
  TzifData no_types = ny;
  no_types.types.clear();
  no_types.transitions.clear();
  TzifData leap = ny;
  leap.leapcnt = 1;

  const std::pair<const char*, std::string> cases[] = {
      {"Empty", ""},
      {"Text", "this is not a time zone\n"},
      {"BadMagic", bad_magic},
      {"BadVersion", bad_version},
      {"Truncated", good.substr(0, good.size() / 2)},
      {"TruncatedHeader", good.substr(0, 30)},
      {"NoFooter", good.substr(0, good.size() - std::string("\nEST5EDT,M3.2.0,M11.1.0\n").size())},
      {"OpenFooter", good.substr(0, good.size() - 1)},
      {"BadFooter", TzifV2('2', ny, ny, "EST5EDT,M13.2.0,M11.1.0")},
      {"DstWithoutRule", TzifV2('2', ny, ny, "EST5EDT")},
      {"ShortName", TzifV2('2', ny, ny, "E5")},
      {"TrailingJunk", TzifV2('2', ny, ny, "EST5EDT,M3.2.0,M11.1.0x")},
      {"BadIndex", TzifV2('2', ny, bad_index, "")},
      {"Unsorted", TzifV2('2', ny, unsorted, "")},
      {"BadDesignation", TzifV2('2', ny, bad_desig, "")},
      {"BadOffset", TzifV2('2', ny, bad_utoff, "")},
      {"NoTypes", TzifV2('2', ny, no_types, "")},
      {"LeapSeconds", TzifV2('2', ny, leap, "")},
  };
  for (const auto& [name, bytes] : cases) {
    const std::string error = ErrorFor(name, bytes);
    EXPECT_NE(error, "(loaded)") << name;
    EXPECT_NE(error.find("Test/" + std::string(name)), std::string::npos) << name << ": " << error;
  }
  EXPECT_NE(ErrorFor("Corrupt", bad_magic).find("not a usable TZif file"), std::string::npos);
}

TEST(SystemClockTest, NowIsRecent) {
  const Millis now = SystemClock().Now();
  EXPECT_GT(now, Ms("2024-01-01T00:00:00Z"));
  EXPECT_LT(now, Ms("2200-01-01T00:00:00Z"));
  FixedClock fixed(42);
  EXPECT_EQ(fixed.Now(), 42);
}

}  // namespace
}  // namespace cf::engine
