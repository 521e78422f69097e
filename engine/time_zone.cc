// Time zones: UTC, fixed offsets, and IANA zones read from TZif files (RFC 8536, versions 1 to 4)
// with the POSIX TZ rule of the footer for instants after the last listed transition.
#include "engine/time_zone.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <system_error>

namespace cf::engine {
namespace {

constexpr int64_t kSecondsPerDay = 86400;
// TZif files are a few KiB; anything much larger is not one.
constexpr size_t kMaxTzifBytes = 1 << 20;
// Offsets accepted in fixed-offset names: ISO 8601's range.
constexpr int32_t kMaxFixedOffset = 18 * 3600;
// Instants are clamped to about +-300,000 years before calendar arithmetic, so that day
// counts fit in Days; a rule repeats every year, so nothing meaningful is lost.
constexpr int64_t kMaxRuleSeconds = int64_t{10000000000000};

constexpr const char kWhatToUse[] =
    "use an IANA name such as Europe/Paris, or an offset such as +02:00";

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'a' && x <= 'z') x = static_cast<char>(x - 'a' + 'A');
    if (y >= 'a' && y <= 'z') y = static_cast<char>(y - 'a' + 'A');
    if (x != y) return false;
  }
  return true;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}

// "+05:30" for 19800.
std::string FormatOffset(int32_t seconds) {
  const int32_t a = seconds < 0 ? -seconds : seconds;
  std::string s(1, seconds < 0 ? '-' : '+');
  const int h = a / 3600, m = a / 60 % 60;
  s += static_cast<char>('0' + h / 10);
  s += static_cast<char>('0' + h % 10);
  s += ':';
  s += static_cast<char>('0' + m / 10);
  s += static_cast<char>('0' + m % 10);
  return s;
}

// "+HH", "+HHMM" or "+HH:MM" (or '-'), as seconds east of UTC.
std::optional<int32_t> ParseFixedOffset(std::string_view s) {
  if (s.size() < 3 || (s[0] != '+' && s[0] != '-') || !IsDigit(s[1]) || !IsDigit(s[2])) {
    return std::nullopt;
  }
  const int h = (s[1] - '0') * 10 + (s[2] - '0');
  int m = 0;
  std::string_view rest = s.substr(3);
  if (!rest.empty() && rest[0] == ':') rest.remove_prefix(1);
  if (rest.size() == 2 && IsDigit(rest[0]) && IsDigit(rest[1])) {
    m = (rest[0] - '0') * 10 + (rest[1] - '0');
  } else if (!rest.empty() || s.size() == 4) {  // s.size() == 4: "+05:" with nothing after
    return std::nullopt;
  }
  if (m > 59) return std::nullopt;
  const int32_t total = h * 3600 + m * 60;
  if (total > kMaxFixedOffset) return std::nullopt;
  return s[0] == '-' ? -total : total;
}

// An IANA name is one or more '/'-separated components of letters, digits, '_', '-' and '+',
// none empty and none starting with '.', so it can only name a file below the zoneinfo folder.
bool IsSafeZoneName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  size_t component_start = 0;
  for (size_t i = 0; i <= name.size(); ++i) {
    if (i == name.size() || name[i] == '/') {
      if (i == component_start) return false;  // empty: leading, trailing or doubled '/'
      component_start = i + 1;
      continue;
    }
    const char c = name[i];
    if (!IsAlpha(c) && !IsDigit(c) && c != '_' && c != '-' && c != '+') return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// POSIX TZ rules, as in TZif footers: "EST5EDT,M3.2.0,M11.1.0", "CET-1CEST,M3.5.0,M10.5.0/3",
// "<+0530>-5:30", "<+1030>-10:30<+11>-11,M10.1.0,M4.1.0". POSIX offsets count hours west of
// Greenwich; they are stored here as seconds east, like every other offset in this file.

struct TimeZone::PosixRule {
  // The day and local time a change happens.
  struct When {
    enum class Kind : uint8_t { kJulian1, kJulian0, kMonthWeekDay };
    Kind kind = Kind::kMonthWeekDay;
    int day = 0;              // kJulian1: 1..365, Feb 29 never counted; kJulian0: 0..365
    int month = 0;            // kMonthWeekDay: 1..12
    int week = 0;             // 1..5, 5 = the last such weekday of the month
    int weekday = 0;          // 0 = Sunday
    int32_t time = 2 * 3600;  // local wall-clock seconds after midnight, -167h..167h
  };

  int32_t std_offset = 0;
  int32_t dst_offset = 0;
  bool has_dst = false;
  When start;  // standard -> daylight, in standard local time
  When end;    // daylight -> standard, in daylight local time

  // nullopt when `tz` is not a POSIX TZ string with a complete rule (a daylight name without
  // ",start,end" is rejected: its meaning is implementation-defined).
  static std::optional<PosixRule> Parse(std::string_view tz);
  int32_t OffsetAt(int64_t utc_seconds) const;

 private:
  static int64_t DayOf(const When& w, int year);
};

namespace {

// Small cursor over a POSIX TZ string.
struct TzCursor {
  std::string_view s;
  size_t pos = 0;
  bool AtEnd() const { return pos >= s.size(); }
  char Peek() const { return AtEnd() ? '\0' : s[pos]; }

  // A zone abbreviation: 3+ letters, or <...> of letters, digits, '+' and '-'.
  bool Name() {
    size_t begin = pos;
    if (Peek() == '<') {
      ++pos;
      begin = pos;
      while (!AtEnd() && (IsAlpha(s[pos]) || IsDigit(s[pos]) || s[pos] == '+' || s[pos] == '-'))
        ++pos;
      if (Peek() != '>' || pos - begin < 3) return false;
      ++pos;
      return true;
    }
    while (!AtEnd() && IsAlpha(s[pos])) ++pos;
    return pos - begin >= 3;
  }

  // Unsigned integer of 1..max_digits digits.
  bool Number(int max_digits, int* out) {
    int v = 0, n = 0;
    while (!AtEnd() && IsDigit(s[pos]) && n < max_digits) {
      v = v * 10 + (s[pos++] - '0');
      ++n;
    }
    *out = v;
    return n > 0 && !IsDigit(Peek());
  }

  // [+-]hh[:mm[:ss]] with hours up to max_hours, as signed seconds.
  bool Hms(int max_hours, int32_t* out) {
    bool negative = false;
    if (Peek() == '+' || Peek() == '-') negative = s[pos++] == '-';
    int h = 0, m = 0, sec = 0;
    if (!Number(3, &h) || h > max_hours) return false;
    if (Peek() == ':') {
      ++pos;
      if (!Number(2, &m) || m > 59) return false;
      if (Peek() == ':') {
        ++pos;
        if (!Number(2, &sec) || sec > 59) return false;
      }
    }
    const int32_t v = (h * 60 + m) * 60 + sec;
    *out = negative ? -v : v;
    return true;
  }
};

}  // namespace

std::optional<TimeZone::PosixRule> TimeZone::PosixRule::Parse(std::string_view tz) {
  TzCursor c{tz};
  PosixRule r;
  int32_t west = 0;
  if (!c.Name() || !c.Hms(24, &west)) return std::nullopt;
  r.std_offset = -west;
  if (c.AtEnd()) return r;

  if (!c.Name()) return std::nullopt;
  r.has_dst = true;
  r.dst_offset = r.std_offset + 3600;
  if (c.Peek() != ',') {
    if (!c.Hms(24, &west)) return std::nullopt;
    r.dst_offset = -west;
  }
  auto when = [&c](When* w) {
    if (c.Peek() != ',') return false;
    ++c.pos;
    if (c.Peek() == 'M') {
      ++c.pos;
      w->kind = When::Kind::kMonthWeekDay;
      if (!c.Number(2, &w->month) || w->month < 1 || w->month > 12 || c.Peek() != '.') return false;
      ++c.pos;
      if (!c.Number(1, &w->week) || w->week < 1 || w->week > 5 || c.Peek() != '.') return false;
      ++c.pos;
      if (!c.Number(1, &w->weekday) || w->weekday > 6) return false;
    } else if (c.Peek() == 'J') {
      ++c.pos;
      w->kind = When::Kind::kJulian1;
      if (!c.Number(3, &w->day) || w->day < 1 || w->day > 365) return false;
    } else {
      w->kind = When::Kind::kJulian0;
      if (!c.Number(3, &w->day) || w->day > 365) return false;
    }
    if (c.Peek() == '/') {
      ++c.pos;
      // RFC 8536 section 3.3.1 extends the time to -167..167 hours.
      if (!c.Hms(167, &w->time)) return false;
    }
    return true;
  };
  if (!when(&r.start) || !when(&r.end) || !c.AtEnd()) return std::nullopt;
  return r;
}

int64_t TimeZone::PosixRule::DayOf(const When& w, int year) {
  const int64_t jan1 = DaysFromCivil({year, 1, 1});
  switch (w.kind) {
    case When::Kind::kJulian0:
      return jan1 + w.day;
    case When::Kind::kJulian1: {
      const bool leap = IsValidCivil({year, 2, 29});
      return jan1 + w.day - 1 + (leap && w.day >= 60 ? 1 : 0);
    }
    case When::Kind::kMonthWeekDay:
      break;
  }
  const int64_t first = DaysFromCivil({year, w.month, 1});
  int64_t day =
      first + (w.weekday - WeekdayFromDays(static_cast<Days>(first)) + 7) % 7 + 7 * (w.week - 1);
  // Week 5 means the last one: step back while past the end of the month.
  const int64_t next_month =
      w.month == 12 ? DaysFromCivil({year + 1, 1, 1}) : DaysFromCivil({year, w.month + 1, 1});
  while (day >= next_month) day -= 7;
  return day;
}

int32_t TimeZone::PosixRule::OffsetAt(int64_t utc_seconds) const {
  if (!has_dst) return std_offset;
  const int64_t t = std::clamp(utc_seconds, -kMaxRuleSeconds, kMaxRuleSeconds);
  const int year = CivilFromDays(static_cast<Days>(FloorDiv(t, kSecondsPerDay))).year;
  // The latest change at or before t among the neighbouring years decides; looking at three
  // years covers rules whose changes fall near (or, with /time, across) a year boundary.
  int64_t latest = std::numeric_limits<int64_t>::min();
  int32_t offset = std_offset;
  for (int y = year - 1; y <= year + 1; ++y) {
    const int64_t start_utc = DayOf(start, y) * kSecondsPerDay + start.time - std_offset;
    const int64_t end_utc = DayOf(end, y) * kSecondsPerDay + end.time - dst_offset;
    if (start_utc <= t && start_utc >= latest) {
      latest = start_utc;
      offset = dst_offset;
    }
    if (end_utc <= t && end_utc >= latest) {
      latest = end_utc;
      offset = std_offset;
    }
  }
  return offset;
}

// ---------------------------------------------------------------------------------------------
// TZif (RFC 8536)

class TimeZoneLoader {
 public:
  static std::shared_ptr<TimeZone> NewZone(std::string name) {
    std::shared_ptr<TimeZone> z(new TimeZone());
    z->name_ = std::move(name);
    return z;
  }

  static std::shared_ptr<const TimeZone> Fixed(std::string name, int32_t offset) {
    std::shared_ptr<TimeZone> z = NewZone(std::move(name));
    z->initial_offset_ = offset;
    return z;
  }

  // Parses a whole TZif file. On failure returns nullptr and sets *why to a short reason.
  static std::shared_ptr<const TimeZone> FromTzif(std::string name, std::string_view data,
                                                  std::string* why);
};

namespace {

struct TzifHeader {
  char version = 0;  // 0, '2', '3' or '4'
  uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
};

struct TzifReader {
  std::string_view data;
  size_t pos = 0;

  bool Has(size_t n) const { return n <= data.size() - pos; }
  uint32_t U32() {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(data[pos++]);
    return v;
  }
  int64_t I64() {
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(data[pos++]);
    return static_cast<int64_t>(v);
  }

  bool Header(TzifHeader* h, std::string* why) {
    if (!Has(44) || data.compare(pos, 4, "TZif") != 0) {
      *why = "it does not start with the TZif magic";
      return false;
    }
    h->version = data[pos + 4];
    if (h->version != 0 && (h->version < '2' || h->version > '4')) {
      *why = "unknown TZif version";
      return false;
    }
    pos += 20;
    h->isutcnt = U32();
    h->isstdcnt = U32();
    h->leapcnt = U32();
    h->timecnt = U32();
    h->typecnt = U32();
    h->charcnt = U32();
    if (h->typecnt == 0 || h->typecnt > 256 || h->charcnt == 0 ||
        (h->isutcnt != 0 && h->isutcnt != h->typecnt) ||
        (h->isstdcnt != 0 && h->isstdcnt != h->typecnt)) {
      *why = "inconsistent counts in the header";
      return false;
    }
    return true;
  }
};

size_t BlockSize(const TzifHeader& h, size_t time_size) {
  return size_t{h.timecnt} * time_size + h.timecnt + size_t{h.typecnt} * 6 + h.charcnt +
         size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
}

}  // namespace

std::shared_ptr<const TimeZone> TimeZoneLoader::FromTzif(std::string name, std::string_view data,
                                                         std::string* why) {
  TzifReader r{data};
  TzifHeader h;
  if (!r.Header(&h, why)) return nullptr;
  size_t time_size = 4;
  if (h.version != 0) {
    // Version 2+: skip the 32-bit block, use the 64-bit one and the footer.
    if (!r.Has(BlockSize(h, 4))) {
      *why = "it is truncated";
      return nullptr;
    }
    r.pos += BlockSize(h, 4);
    if (!r.Header(&h, why)) return nullptr;
    time_size = 8;
  }
  if (!r.Has(BlockSize(h, time_size))) {
    *why = "it is truncated";
    return nullptr;
  }
  if (h.leapcnt != 0) {
    *why = "it counts leap seconds (a 'right/' zone); use the zone without the 'right/' prefix";
    return nullptr;
  }

  std::shared_ptr<TimeZone> z = NewZone(std::move(name));
  const size_t times_at = r.pos;
  const size_t indices_at = times_at + size_t{h.timecnt} * time_size;
  const size_t types_at = indices_at + h.timecnt;

  std::vector<int32_t> type_offsets(h.typecnt);
  r.pos = types_at;
  for (uint32_t i = 0; i < h.typecnt; ++i) {
    const int32_t utoff = static_cast<int32_t>(r.U32());
    const uint8_t isdst = static_cast<uint8_t>(data[r.pos++]);
    const uint8_t desigidx = static_cast<uint8_t>(data[r.pos++]);
    if (utoff < -89999 || utoff > 93599 || isdst > 1 || desigidx >= h.charcnt) {
      *why = "a local time type is out of range";
      return nullptr;
    }
    type_offsets[i] = utoff;
  }
  z->initial_offset_ = type_offsets[0];

  r.pos = times_at;
  int64_t previous_at = std::numeric_limits<int64_t>::min();
  int32_t in_force = z->initial_offset_;
  for (uint32_t i = 0; i < h.timecnt; ++i) {
    const int64_t at = time_size == 8 ? r.I64() : static_cast<int32_t>(r.U32());
    const uint8_t index = static_cast<uint8_t>(data[indices_at + i]);
    if (index >= h.typecnt || (i > 0 && at <= previous_at)) {
      *why = "its transitions are out of order or name a missing type";
      return nullptr;
    }
    previous_at = at;
    // Transitions that only change the abbreviation or the isdst flag change nothing here;
    // the last one is kept all the same, since the footer rule starts after it.
    if (type_offsets[index] == in_force && i + 1 != h.timecnt) continue;
    in_force = type_offsets[index];
    z->transitions_.push_back({at, in_force});
  }
  r.pos = times_at + BlockSize(h, time_size);

  if (h.version != 0) {
    // Footer: "\n<POSIX TZ string>\n"; an empty string means no rule.
    if (!r.Has(1) || data[r.pos] != '\n') {
      *why = "its footer is missing";
      return nullptr;
    }
    const size_t begin = r.pos + 1;
    const size_t end = data.find('\n', begin);
    if (end == std::string_view::npos) {
      *why = "its footer is not terminated";
      return nullptr;
    }
    const std::string_view tz = data.substr(begin, end - begin);
    if (!tz.empty()) {
      std::optional<TimeZone::PosixRule> rule = TimeZone::PosixRule::Parse(tz);
      if (!rule) {
        *why = "its footer rule '" + std::string(tz) + "' is not a supported POSIX TZ rule";
        return nullptr;
      }
      z->rule_ = std::make_shared<const TimeZone::PosixRule>(*rule);
    }
  }
  return z;
}

// ---------------------------------------------------------------------------------------------
// TimeZone

std::shared_ptr<const TimeZone> TimeZone::Utc() {
  static const std::shared_ptr<const TimeZone> utc = TimeZoneLoader::Fixed("UTC", 0);
  return utc;
}

std::shared_ptr<const TimeZone> TimeZone::Load(std::string_view name, std::string* error,
                                               const std::string& zoneinfo_dir) {
  if (name.empty()) {
    SetError(error, std::string("empty time zone name: ") + kWhatToUse);
    return nullptr;
  }
  if (EqualsIgnoreCase(name, "UTC") || EqualsIgnoreCase(name, "GMT") ||
      EqualsIgnoreCase(name, "Z")) {
    return Utc();
  }
  if (name[0] == '+' || name[0] == '-') {
    std::optional<int32_t> offset = ParseFixedOffset(name);
    if (!offset) {
      SetError(error, "invalid UTC offset '" + std::string(name) +
                          "': write +HH:MM, +HHMM or +HH (or with '-'), between -18:00 and +18:00");
      return nullptr;
    }
    return TimeZoneLoader::Fixed(FormatOffset(*offset), *offset);
  }
  const std::string quoted = "'" + std::string(name) + "'";
  if (!IsSafeZoneName(name)) {
    SetError(error, "invalid time zone name " + quoted +
                        ": IANA names are made of letters, digits, '_', '-', '+' and '/' (no '..', "
                        "no leading '/'); " +
                        kWhatToUse);
    return nullptr;
  }

  const std::filesystem::path path = std::filesystem::path(zoneinfo_dir) / std::string(name);
  std::error_code ec;
  const std::filesystem::file_status status = std::filesystem::status(path, ec);
  if (std::filesystem::is_directory(status)) {
    SetError(error, quoted + " is a region, not a time zone: use a name below it, such as " +
                        std::string(name) + "/... (see " + zoneinfo_dir + "), or " +
                        "an offset such as +02:00");
    return nullptr;
  }
  if (ec || !std::filesystem::is_regular_file(status)) {
    SetError(error, "unknown time zone " + quoted + ": " + kWhatToUse +
                        " (names are case-sensitive; if no IANA name works, install tzdata)");
    return nullptr;
  }
  std::string why;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > kMaxTzifBytes) {
    why = "it is too large";
  } else {
    std::ifstream in(path, std::ios::binary);
    std::string data(ec ? 0 : static_cast<size_t>(size), '\0');
    in.read(data.data(), static_cast<std::streamsize>(data.size()));
    if (ec || !in || data.empty()) {
      SetError(error, "cannot read the time zone file " + path.string() +
                          ": check its permissions, or reinstall tzdata");
      return nullptr;
    }
    if (std::shared_ptr<const TimeZone> z =
            TimeZoneLoader::FromTzif(std::string(name), data, &why)) {
      return z;
    }
  }
  SetError(error, "the file for time zone " + quoted + " (" + path.string() +
                      ") is not a usable TZif file because " + why +
                      ": choose another zone, or reinstall tzdata");
  return nullptr;
}

namespace {
int64_t ToSeconds(Millis instant) { return FloorDiv(instant, 1000); }
}  // namespace

int32_t TimeZone::OffsetAt(Millis instant) const {
  const int64_t t = ToSeconds(instant);
  // The first transition after t; the one in force is just before it.
  const auto it =
      std::upper_bound(transitions_.begin(), transitions_.end(), t,
                       [](int64_t v, const Transition& tr) { return v < tr.at_utc_seconds; });
  if (it == transitions_.end() && rule_ != nullptr) return rule_->OffsetAt(t);
  if (it == transitions_.begin()) return initial_offset_;
  return std::prev(it)->offset_seconds;
}

Days TimeZone::LocalDay(Millis instant) const {
  const int64_t t = std::clamp<int64_t>(ToSeconds(instant), -kMaxRuleSeconds, kMaxRuleSeconds);
  return static_cast<Days>(FloorDiv(t + OffsetAt(t * 1000), kSecondsPerDay));
}

Millis TimeZone::StartOfDay(Days day) const {
  const int64_t local_midnight = static_cast<int64_t>(day) * kSecondsPerDay;
  auto offset_at = [this](int64_t seconds) { return OffsetAt(seconds * 1000); };
  // Candidate offsets: those in force a day either side of midnight read as UTC (offsets are
  // under 26 hours). Local midnight happens at L - o when offset o is in force at that instant;
  // the day starts at the earliest such instant (two in a repeated hour).
  const int32_t before = offset_at(local_midnight - kSecondsPerDay);
  const int32_t after = offset_at(local_midnight + kSecondsPerDay);
  std::optional<int64_t> best;
  for (int32_t o : {before, after}) {
    const int64_t t = local_midnight - o;
    if (offset_at(t) == o && (!best || t < *best)) best = t;
  }
  if (best) return *best * 1000;
  // Midnight falls in a gap (clocks jumped over it): the day starts at the jump itself, found
  // by bisection between L - after (old offset in force) and L - before (new offset in force).
  int64_t lo = local_midnight - std::max(before, after);
  int64_t hi = local_midnight - std::min(before, after);
  const int32_t lo_offset = offset_at(lo);
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    if (offset_at(mid) == lo_offset) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  return hi * 1000;
}

Millis SystemClock::Now() const {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace cf::engine
