// Scalar value types: Tri names, exact decimals, Salesforce Ids, civil dates and ISO 8601 text.
#include "engine/value.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <system_error>

namespace cf::engine {

const char* TriName(Tri t) {
  switch (t) {
    case Tri::kFalse:
      return "FALSE";
    case Tri::kTrue:
      return "TRUE";
    case Tri::kUnknown:
      break;
  }
  return "NULL";
}

// ---------------------------------------------------------------------------------------------
// Decimal
//
// Every result keeps |raw| <= kMaxRaw (the int128 maximum), so the range is symmetric and Neg()
// and Abs() never overflow: the int128 minimum is treated as an overflow like any other.

namespace {

using U128 = unsigned __int128;
using I128 = __int128;

constexpr I128 kMaxRaw = static_cast<I128>(~static_cast<U128>(0) >> 1);
constexpr U128 kMaxMag = static_cast<U128>(kMaxRaw);
constexpr U128 kScaleU = static_cast<U128>(Decimal::kScale);

// 10^k for k in [0, 38]; every such power fits in an unsigned 128-bit integer.
constexpr U128 Pow10(int k) {
  U128 p = 1;
  for (int i = 0; i < k; ++i) p *= 10;
  return p;
}

U128 Magnitude(I128 v) { return v < 0 ? -static_cast<U128>(v) : static_cast<U128>(v); }

// Builds a Decimal from a sign and a magnitude; nullopt when the magnitude is out of range.
std::optional<Decimal> FromSignMag(bool negative, U128 mag) {
  if (mag > kMaxMag) return std::nullopt;
  I128 v = static_cast<I128>(mag);
  return Decimal::FromRaw(negative ? -v : v);
}

// A 256-bit unsigned integer as four 64-bit limbs, least significant first.
struct U256 {
  uint64_t limb[4] = {0, 0, 0, 0};
  bool HighIsZero() const { return limb[2] == 0 && limb[3] == 0; }
  U128 Low() const { return (static_cast<U128>(limb[1]) << 64) | limb[0]; }
};

// Exact 128 x 128 -> 256-bit product.
U256 MulWide(U128 a, U128 b) {
  const uint64_t a0 = static_cast<uint64_t>(a), a1 = static_cast<uint64_t>(a >> 64);
  const uint64_t b0 = static_cast<uint64_t>(b), b1 = static_cast<uint64_t>(b >> 64);
  const U128 p00 = static_cast<U128>(a0) * b0;
  const U128 p01 = static_cast<U128>(a0) * b1;
  const U128 p10 = static_cast<U128>(a1) * b0;
  const U128 p11 = static_cast<U128>(a1) * b1;
  U256 r;
  r.limb[0] = static_cast<uint64_t>(p00);
  // Middle column: high half of p00 plus the low halves of p01 and p10 (cannot overflow U128).
  U128 mid = (p00 >> 64) + static_cast<uint64_t>(p01) + static_cast<uint64_t>(p10);
  r.limb[1] = static_cast<uint64_t>(mid);
  U128 high = (mid >> 64) + (p01 >> 64) + (p10 >> 64) + static_cast<uint64_t>(p11);
  r.limb[2] = static_cast<uint64_t>(high);
  r.limb[3] = static_cast<uint64_t>((high >> 64) + (p11 >> 64));
  return r;
}

// Divides a 256-bit value by a divisor < 2^127. Sets *quotient and *remainder; returns false
// when the quotient does not fit in 128 bits.
bool DivWide(const U256& n, U128 d, U128* quotient, U128* remainder) {
  if (n.HighIsZero()) {
    *quotient = n.Low() / d;
    *remainder = n.Low() % d;
    return true;
  }
  // Restoring long division, one bit at a time. The remainder stays below d < 2^127, so
  // shifting it left by one bit never loses a bit.
  U128 q = 0, r = 0;
  for (int bit = 255; bit >= 0; --bit) {
    r = (r << 1) | ((n.limb[bit / 64] >> (bit % 64)) & 1);
    const bool take = r >= d;
    if (take) r -= d;
    if (q >> 127) return false;  // the next shift would drop a quotient bit
    q = (q << 1) | (take ? 1 : 0);
  }
  *quotient = q;
  *remainder = r;
  return true;
}

}  // namespace

std::optional<Decimal> Decimal::Parse(std::string_view text) {
  size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) negative = text[i++] == '-';

  // Mantissa: digits, optionally one '.', more digits; at least one digit overall.
  const size_t int_begin = i;
  while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
  const size_t int_end = i;
  size_t frac_begin = i, frac_end = i;
  if (i < text.size() && text[i] == '.') {
    frac_begin = ++i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    frac_end = i;
  }
  if (int_end == int_begin && frac_end == frac_begin) return std::nullopt;

  // Exponent, saturated: anything beyond +-100000 is certainly an overflow or a zero.
  int64_t exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) exp_negative = text[i++] == '-';
    const size_t exp_begin = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      if (exponent < 100000) exponent = exponent * 10 + (text[i] - '0');
      ++i;
    }
    if (i == exp_begin) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;

  // The value is sum(d_k * 10^p_k) in raw units (10^-9), where p_k is the digit's power: the
  // last integer digit has power kScaleDigits + exponent.
  const size_t frac_len = frac_end - frac_begin;
  const size_t digit_count = (int_end - int_begin) + frac_len;
  const size_t int_len = int_end - int_begin;
  auto digit_at = [&](size_t k) {
    return k < int_len ? text[int_begin + k] - '0' : text[frac_begin + (k - int_len)] - '0';
  };
  // Power of the last digit.
  const int64_t last_power =
      static_cast<int64_t>(kScaleDigits) + exponent - static_cast<int64_t>(frac_len);

  U128 mag = 0;
  size_t k = 0;
  // Skip leading zeros: they contribute nothing, whatever their power.
  while (k < digit_count && digit_at(k) == 0) ++k;
  if (k == digit_count) return Decimal();
  const int64_t top_power = last_power + static_cast<int64_t>(digit_count - 1 - k);
  if (top_power > 38) return std::nullopt;  // at least 10^39 raw units: beyond int128
  for (; k < digit_count; ++k) {
    const int64_t power = last_power + static_cast<int64_t>(digit_count - 1 - k);
    if (power < 0) {
      // Only the first dropped digit (power -1) decides: half away from zero rounds the
      // magnitude up on >= 5, whatever follows.
      if (power == -1 && digit_at(k) >= 5) ++mag;
      break;
    }
    if (__builtin_mul_overflow(mag, static_cast<U128>(10), &mag) ||
        __builtin_add_overflow(mag, static_cast<U128>(digit_at(k)), &mag)) {
      return std::nullopt;
    }
  }
  if (last_power > 0) {
    // Trailing powers of ten from a positive exponent ("12e5").
    if (__builtin_mul_overflow(mag, Pow10(static_cast<int>(last_power)), &mag)) return std::nullopt;
  }
  return FromSignMag(negative, mag);
}

std::optional<Decimal> Decimal::FromDouble(double v) {
  // Shortest text that reads back as the same double: 0.1 becomes exactly 0.1.
  char buf[64];
  const std::to_chars_result r = std::to_chars(buf, buf + sizeof(buf), v);
  if (r.ec != std::errc()) return std::nullopt;
  return Parse(std::string_view(buf, static_cast<size_t>(r.ptr - buf)));  // "nan", "inf" fail
}

double Decimal::ToDouble() const {
  // Below 2^53 both operands are exact doubles, so one division rounds correctly.
  constexpr I128 kExact = static_cast<I128>(1) << 53;
  if (raw_ > -kExact && raw_ < kExact) {
    return static_cast<double>(static_cast<int64_t>(raw_)) / static_cast<double>(kScale);
  }
  const std::string s = ToString();
  double d = 0;
  std::from_chars(s.data(), s.data() + s.size(), d);
  return d;
}

std::string Decimal::ToString() const {
  U128 mag = Magnitude(raw_);
  U128 int_part = mag / kScaleU;
  uint64_t frac = static_cast<uint64_t>(mag % kScaleU);
  char buf[64];
  char* end = buf + sizeof(buf);
  char* p = end;
  if (frac != 0) {
    int width = kScaleDigits;
    while (frac % 10 == 0) {
      frac /= 10;
      --width;
    }
    for (int w = 0; w < width; ++w) {
      *--p = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + static_cast<int>(int_part % 10));
    int_part /= 10;
  } while (int_part != 0);
  if (raw_ < 0) *--p = '-';  // raw_ != 0 here, so never "-0"
  return std::string(p, static_cast<size_t>(end - p));
}

std::optional<Decimal> Decimal::Add(Decimal o) const {
  I128 r;
  if (__builtin_add_overflow(raw_, o.raw_, &r) || r < -kMaxRaw) return std::nullopt;
  return FromRaw(r);
}

std::optional<Decimal> Decimal::Sub(Decimal o) const {
  I128 r;
  if (__builtin_sub_overflow(raw_, o.raw_, &r) || r < -kMaxRaw) return std::nullopt;
  return FromRaw(r);
}

std::optional<Decimal> Decimal::Mul(Decimal o) const {
  // raw = a * b / 10^9, computed on the exact 256-bit product, rounded half away from zero.
  const bool negative = (raw_ < 0) != (o.raw_ < 0);
  U128 q, r;
  if (!DivWide(MulWide(Magnitude(raw_), Magnitude(o.raw_)), kScaleU, &q, &r)) return std::nullopt;
  if (r * 2 >= kScaleU && __builtin_add_overflow(q, static_cast<U128>(1), &q)) return std::nullopt;
  return FromSignMag(negative && q != 0, q);
}

std::optional<Decimal> Decimal::Div(Decimal o) const {
  // raw = a * 10^9 / b, on the exact 256-bit dividend, rounded half away from zero.
  if (o.raw_ == 0) return std::nullopt;
  const bool negative = (raw_ < 0) != (o.raw_ < 0);
  const U128 d = Magnitude(o.raw_);
  if (d > kMaxMag) return std::nullopt;  // int128 minimum: not a value this class produces
  U128 q, r;
  if (!DivWide(MulWide(Magnitude(raw_), kScaleU), d, &q, &r)) return std::nullopt;
  // r < d < 2^127, so 2r cannot overflow.
  if (r * 2 >= d && __builtin_add_overflow(q, static_cast<U128>(1), &q)) return std::nullopt;
  return FromSignMag(negative && q != 0, q);
}

std::optional<Decimal> Decimal::Round(int digits) const {
  if (digits >= kScaleDigits) return *this;
  const int drop = kScaleDigits - digits;  // number of raw digits to clear, >= 1
  if (drop > 38) return Decimal();         // half a unit of 10^39 exceeds every magnitude
  const U128 unit = Pow10(drop);
  const U128 mag = Magnitude(raw_);
  U128 q = mag / unit;
  if (mag % unit >= unit / 2) ++q;  // half away from zero (unit is even)
  U128 rounded;
  if (__builtin_mul_overflow(q, unit, &rounded)) return std::nullopt;
  return FromSignMag(raw_ < 0 && rounded != 0, rounded);
}

std::optional<int64_t> Decimal::ToInt64() const {
  const I128 truncated = raw_ / kScale;  // C++ division truncates toward zero
  if (truncated < std::numeric_limits<int64_t>::min() ||
      truncated > std::numeric_limits<int64_t>::max()) {
    return std::nullopt;
  }
  return static_cast<int64_t>(truncated);
}

// ---------------------------------------------------------------------------------------------
// SfId
//
// The suffix of an 18-character Id: each of its 3 characters encodes 5 bits, one per character
// of a 5-character chunk of the 15 (bit 0 = first character), set when that character is an
// upper-case letter. The alphabet is A-Z then 0-5.

namespace {

constexpr char kIdSuffixAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

bool IsAsciiAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }

// The 5-bit value of a suffix character, case-insensitively; -1 when it is not in the alphabet.
int SuffixValue(char c) {
  if (IsLower(c)) c = static_cast<char>(c - 'a' + 'A');
  if (IsUpper(c)) return c - 'A';
  if (c >= '0' && c <= '5') return 26 + (c - '0');
  return -1;
}

}  // namespace

std::optional<SfId> SfId::Parse(std::string_view text) {
  if (text.size() != 15 && text.size() != 18) return std::nullopt;
  for (char c : text) {
    if (!IsAsciiAlnum(c)) return std::nullopt;
  }
  SfId id;
  std::memcpy(id.chars, text.data(), 15);
  if (text.size() == 15) return id;
  for (int chunk = 0; chunk < 3; ++chunk) {
    const int bits = SuffixValue(text[15 + chunk]);
    if (bits < 0) return std::nullopt;
    for (int j = 0; j < 5; ++j) {
      char& c = id.chars[chunk * 5 + j];
      const bool upper = (bits >> j) & 1;
      if (IsUpper(c) || IsLower(c)) {
        c = upper ? static_cast<char>(c & ~0x20) : static_cast<char>(c | 0x20);
      } else if (upper) {
        // A digit flagged upper-case: no Id has this suffix, so it is not a checksum.
        return std::nullopt;
      }
    }
  }
  return id;
}

std::string SfId::To18() const {
  std::string out(chars, 15);
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int j = 0; j < 5; ++j) {
      if (IsUpper(chars[chunk * 5 + j])) bits |= 1 << j;
    }
    out.push_back(kIdSuffixAlphabet[bits]);
  }
  return out;
}

bool operator==(const SfId& a, const SfId& b) { return std::memcmp(a.chars, b.chars, 15) == 0; }
bool operator<(const SfId& a, const SfId& b) { return std::memcmp(a.chars, b.chars, 15) < 0; }

// ---------------------------------------------------------------------------------------------
// Civil dates (proleptic Gregorian). The calendar repeats every 400 years (146097 days); counting
// years from March 1 puts the leap day last, so a day-of-year maps to a month by a linear rule.

namespace {

constexpr int64_t kDaysPerEra = 146097;
constexpr int64_t kEpochShift = 719468;  // days from 0000-03-01 to 1970-01-01
constexpr int kMaxCivilYear = 5000000;   // keeps every valid date's day count inside int32

int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int64_t y, int m) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t DaysFromCivil64(int64_t y, int m, int d) {
  y -= m <= 2 ? 1 : 0;  // years start on March 1
  const int64_t era = FloorDiv(y, 400);
  const int64_t yoe = y - era * 400;                          // [0, 399]
  const int64_t mp = m > 2 ? m - 3 : m + 9;                   // March = 0
  const int64_t doy = (153 * mp + 2) / 5 + d - 1;             // [0, 365]
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;  // [0, 146096]
  return era * kDaysPerEra + doe - kEpochShift;
}

}  // namespace

Days DaysFromCivil(CivilDate d) {
  return static_cast<Days>(DaysFromCivil64(d.year, d.month, d.day));
}

CivilDate CivilFromDays(Days days) {
  const int64_t z = static_cast<int64_t>(days) + kEpochShift;
  const int64_t era = FloorDiv(z, kDaysPerEra);
  const int64_t doe = z - era * kDaysPerEra;                                  // [0, 146096]
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;  // [0, 399]
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);                // [0, 365]
  const int64_t mp = (5 * doy + 2) / 153;                                     // March = 0
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return CivilDate{static_cast<int>(year), month, day};
}

int WeekdayFromDays(Days days) {
  // 1970-01-01 was a Thursday (4).
  const int64_t r = (static_cast<int64_t>(days) + 4) % 7;
  return static_cast<int>(r < 0 ? r + 7 : r);
}

bool IsValidCivil(CivilDate d) {
  return d.year >= -kMaxCivilYear && d.year <= kMaxCivilYear && d.month >= 1 && d.month <= 12 &&
         d.day >= 1 && d.day <= DaysInMonth(d.year, d.month);
}

// ---------------------------------------------------------------------------------------------
// ISO 8601

namespace {

constexpr int64_t kMillisPerDay = 86400000;

// Reads exactly `n` decimal digits at text[*pos]; advances *pos.
bool ReadDigits(std::string_view text, size_t* pos, int n, int* out) {
  if (*pos + static_cast<size_t>(n) > text.size()) return false;
  int v = 0;
  for (int i = 0; i < n; ++i) {
    const char c = text[*pos + static_cast<size_t>(i)];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += static_cast<size_t>(n);
  *out = v;
  return true;
}

bool Expect(std::string_view text, size_t* pos, char c) {
  if (*pos >= text.size() || text[*pos] != c) return false;
  ++*pos;
  return true;
}

// "YYYY-MM-DD" at *pos.
bool ReadDate(std::string_view text, size_t* pos, Days* out) {
  CivilDate d{};
  if (!ReadDigits(text, pos, 4, &d.year) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, &d.month) || !Expect(text, pos, '-') ||
      !ReadDigits(text, pos, 2, &d.day) || !IsValidCivil(d)) {
    return false;
  }
  *out = DaysFromCivil(d);
  return true;
}

// "HH:MM:SS" with an optional fraction of 1 to 9 digits (milliseconds kept, the rest
// truncated) at *pos.
bool ReadTime(std::string_view text, size_t* pos, TimeOfDay* out) {
  int h = 0, m = 0, s = 0;
  if (!ReadDigits(text, pos, 2, &h) || !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, &m) ||
      !Expect(text, pos, ':') || !ReadDigits(text, pos, 2, &s) || h > 23 || m > 59 || s > 59) {
    return false;
  }
  int ms = 0;
  if (*pos < text.size() && text[*pos] == '.') {
    ++*pos;
    int digits = 0;
    while (*pos < text.size() && text[*pos] >= '0' && text[*pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (text[*pos] - '0');
      ++digits;
      ++*pos;
    }
    if (digits < 1 || digits > 9) return false;
    for (int i = digits; i < 3; ++i) ms *= 10;
  }
  *out = ((h * 60 + m) * 60 + s) * 1000 + ms;
  return true;
}

// "Z", "+HH:MM", "+HHMM" or "+HH" (or '-') at *pos, as seconds east of UTC.
bool ReadOffset(std::string_view text, size_t* pos, int32_t* out) {
  if (*pos >= text.size()) return false;
  const char sign = text[*pos];
  if (sign == 'Z') {
    ++*pos;
    *out = 0;
    return true;
  }
  if (sign != '+' && sign != '-') return false;
  ++*pos;
  int h = 0, m = 0;
  if (!ReadDigits(text, pos, 2, &h)) return false;
  if (*pos < text.size()) {
    if (text[*pos] == ':') ++*pos;
    if (!ReadDigits(text, pos, 2, &m)) return false;
  }
  if (h > 23 || m > 59) return false;
  *out = (sign == '-' ? -1 : 1) * (h * 3600 + m * 60);
  return true;
}

void AppendPadded(std::string* out, int64_t v, int width) {
  char buf[24];
  char* end = buf + sizeof(buf);
  char* p = end;
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v != 0);
  while (end - p < width) *--p = '0';
  out->append(p, end);
}

void AppendTime(std::string* out, int64_t ms_of_day) {
  AppendPadded(out, ms_of_day / 3600000, 2);
  out->push_back(':');
  AppendPadded(out, ms_of_day / 60000 % 60, 2);
  out->push_back(':');
  AppendPadded(out, ms_of_day / 1000 % 60, 2);
  out->push_back('.');
  AppendPadded(out, ms_of_day % 1000, 3);
  out->push_back('Z');
}

}  // namespace

std::optional<Days> ParseIsoDate(std::string_view text) {
  size_t pos = 0;
  Days d;
  if (!ReadDate(text, &pos, &d) || pos != text.size()) return std::nullopt;
  return d;
}

std::optional<Millis> ParseIsoDateTime(std::string_view text) {
  size_t pos = 0;
  Days d;
  TimeOfDay t;
  int32_t offset;
  if (!ReadDate(text, &pos, &d) || !Expect(text, &pos, 'T') || !ReadTime(text, &pos, &t) ||
      !ReadOffset(text, &pos, &offset) || pos != text.size()) {
    return std::nullopt;
  }
  return static_cast<Millis>(d) * kMillisPerDay + t - static_cast<Millis>(offset) * 1000;
}

std::optional<TimeOfDay> ParseIsoTime(std::string_view text) {
  size_t pos = 0;
  TimeOfDay t;
  if (!ReadTime(text, &pos, &t)) return std::nullopt;
  if (pos < text.size() && text[pos] == 'Z') ++pos;
  if (pos != text.size()) return std::nullopt;
  return t;
}

std::string FormatIsoDate(Days d) {
  const CivilDate c = CivilFromDays(d);
  std::string out;
  out.reserve(10);
  if (c.year < 0) out.push_back('-');
  AppendPadded(&out, c.year < 0 ? -static_cast<int64_t>(c.year) : c.year, 4);
  out.push_back('-');
  AppendPadded(&out, c.month, 2);
  out.push_back('-');
  AppendPadded(&out, c.day, 2);
  return out;
}

std::string FormatIsoDateTime(Millis ms) {
  const int64_t day = FloorDiv(ms, kMillisPerDay);
  std::string out = FormatIsoDate(static_cast<Days>(day));
  out.push_back('T');
  AppendTime(&out, ms - day * kMillisPerDay);
  return out;
}

std::string FormatIsoTime(TimeOfDay t) {
  std::string out;
  out.reserve(13);
  AppendTime(&out, static_cast<int64_t>(t) - FloorDiv(t, kMillisPerDay) * kMillisPerDay);
  return out;
}

}  // namespace cf::engine
