#include "tests/support/reference_interpreter.h"

#include <algorithm>
#include <optional>
#include <utility>

#include "engine/schema.h"
#include "grammar/condition_parser.h"
#include "tests/support/ref_calendar.h"

namespace cf::test_support {

using engine::Decimal;
using engine::Days;
using engine::Millis;
using engine::SfId;
using engine::Tri;
using grammar::Node;
using grammar::NodeKind;
using grammar::Op;

const char* RefTypeName(RefType t) {
  switch (t) {
    case RefType::kNull: return "null";
    case RefType::kBool: return "boolean";
    case RefType::kNumber: return "number";
    case RefType::kText: return "text";
    case RefType::kPicklist: return "picklist";
    case RefType::kMultiPicklist: return "multipicklist";
    case RefType::kId: return "id";
    case RefType::kDate: return "date";
    case RefType::kDateTime: return "datetime";
    case RefType::kTime: return "time";
  }
  return "?";
}

namespace {

constexpr int64_t kMillisPerDay = 86400000;

// Thrown inside the interpreter for an expression it does not accept; caught at the API.
struct Unsupported {
  std::string why;
};
[[noreturn]] void Reject(std::string why) { throw Unsupported{std::move(why)}; }

// ----- Numbers ---------------------------------------------------------------------------

constexpr __int128 kRawMax = ~(static_cast<__int128>(1) << 127);

__int128 Pow10(int n) {
  __int128 p = 1;
  for (int i = 0; i < n; ++i) p *= 10;
  return p;
}

// Sign, digits with an optional fraction, optional exponent: Java BigDecimal's syntax.
std::optional<Decimal> ParseNumberText(std::string_view s, bool allow_exponent) {
  size_t i = 0;
  bool negative = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
  std::string digits;
  int int_digits = 0;
  bool seen_point = false;
  for (; i < s.size(); ++i) {
    char c = s[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      if (!seen_point) ++int_digits;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (digits.empty()) return std::nullopt;
  int64_t exponent = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    if (!allow_exponent) return std::nullopt;
    ++i;
    bool exp_negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) exp_negative = s[i++] == '-';
    size_t start = i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
      if (exponent < 100000) exponent = exponent * 10 + (s[i] - '0');
    }
    if (i == start) return std::nullopt;
    if (exp_negative) exponent = -exponent;
  }
  if (i != s.size()) return std::nullopt;
  // value = digits * 10^(int_digits + exponent - digits.size()); raw = value * 10^9.
  int64_t shift =
      Decimal::kScaleDigits + int_digits + exponent - static_cast<int64_t>(digits.size());
  std::string kept = digits;
  bool round_up = false;
  if (shift < 0) {
    int64_t drop = -shift;
    if (drop > static_cast<int64_t>(kept.size())) {
      kept.clear();  // far below the smallest unit: rounds to zero
    } else {
      round_up = kept[kept.size() - drop] >= '5';
      kept.resize(kept.size() - drop);
    }
    shift = 0;
  }
  __int128 raw = 0;
  for (char c : kept) {
    if (raw > (kRawMax - 9) / 10) return std::nullopt;
    raw = raw * 10 + (c - '0');
  }
  if (round_up) {
    if (raw == kRawMax) return std::nullopt;
    ++raw;
  }
  if (raw != 0) {
    for (int64_t k = 0; k < shift; ++k) {
      if (raw > kRawMax / 10) return std::nullopt;
      raw *= 10;
    }
  }
  return Decimal::FromRaw(negative ? -raw : raw);
}

// Canonical text: no exponent, no trailing fractional zeros.
std::string FormatNumber(Decimal d) {
  __int128 raw = d.raw();
  bool negative = raw < 0;
  unsigned __int128 mag = negative ? static_cast<unsigned __int128>(-(raw + 1)) + 1
                                   : static_cast<unsigned __int128>(raw);
  unsigned __int128 scale = static_cast<unsigned __int128>(Decimal::kScale);
  unsigned __int128 whole = mag / scale;
  unsigned __int128 frac = mag % scale;
  std::string int_text;
  do {
    int_text.push_back(static_cast<char>('0' + static_cast<int>(whole % 10)));
    whole /= 10;
  } while (whole != 0);
  std::reverse(int_text.begin(), int_text.end());
  std::string frac_text;
  if (frac != 0) {
    frac_text.assign(Decimal::kScaleDigits, '0');
    for (int k = Decimal::kScaleDigits - 1; k >= 0; --k) {
      frac_text[k] = static_cast<char>('0' + static_cast<int>(frac % 10));
      frac /= 10;
    }
    while (!frac_text.empty() && frac_text.back() == '0') frac_text.pop_back();
  }
  std::string out = negative ? "-" : "";
  out += int_text;
  if (!frac_text.empty()) out += "." + frac_text;
  return out;
}

// Half away from zero to `digits` fractional digits.
std::optional<Decimal> RoundDecimal(Decimal d, int64_t digits) {
  if (digits >= Decimal::kScaleDigits) return d;
  if (digits <= -30) return Decimal::FromRaw(0);  // |d| < 1.7e29 < 0.5e30
  __int128 unit = Pow10(static_cast<int>(Decimal::kScaleDigits - digits));
  __int128 raw = d.raw();
  __int128 q = raw / unit;
  __int128 r = raw % unit;
  __int128 abs_r = r < 0 ? -r : r;
  if (abs_r >= unit - abs_r) q += raw < 0 ? -1 : 1;
  __int128 out;
  if (__builtin_mul_overflow(q, unit, &out)) return std::nullopt;
  return Decimal::FromRaw(out);
}

bool IsInteger(Decimal d) { return d.raw() % Decimal::kScale == 0; }

// n / d rounded half away from zero. REQUIRES d > 0 and no overflow of 2 * |n % d|.
__int128 DivRound(__int128 n, __int128 d) {
  __int128 q = n / d;
  __int128 r = n % d;
  __int128 abs_r = r < 0 ? -r : r;
  if (abs_r >= d - abs_r) q += n < 0 ? -1 : 1;
  return q;
}

// ----- Calendar ---------------------------------------------------------------------------

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v < 0 ? -v : v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return v < 0 ? "-" + s : s;
}

std::string FormatDate(int64_t days) {
  RefCivil c = RefCivilFromDays(days);
  return Pad(c.year, 4) + "-" + Pad(c.month, 2) + "-" + Pad(c.day, 2);
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// "YYYY-MM-DD HH:MM:SSZ" (Salesforce's TEXT of a datetime) or the ISO form with millis.
std::string FormatDateTime(Millis ms, bool iso) {
  int64_t day = FloorDiv(ms, kMillisPerDay);
  int64_t in_day = ms - day * kMillisPerDay;
  int64_t h = in_day / 3600000, m = in_day / 60000 % 60, s = in_day / 1000 % 60, f = in_day % 1000;
  if (iso) {
    return FormatDate(day) + "T" + Pad(h, 2) + ":" + Pad(m, 2) + ":" + Pad(s, 2) + "." + Pad(f, 3) +
           "Z";
  }
  return FormatDate(day) + " " + Pad(h, 2) + ":" + Pad(m, 2) + ":" + Pad(s, 2) + "Z";
}

std::string FormatTime(engine::TimeOfDay t) {
  return Pad(t / 3600000, 2) + ":" + Pad(t / 60000 % 60, 2) + ":" + Pad(t / 1000 % 60, 2) + "." +
         Pad(t % 1000, 3) + "Z";
}

bool ReadDigits(std::string_view s, size_t at, size_t n, int* out) {
  if (at + n > s.size()) return false;
  int v = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Exactly "YYYY-MM-DD" of a valid date.
std::optional<int64_t> ParseDateText(std::string_view s) {
  RefCivil c{};
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return std::nullopt;
  if (!ReadDigits(s, 0, 4, &c.year) || !ReadDigits(s, 5, 2, &c.month) ||
      !ReadDigits(s, 8, 2, &c.day) || !RefIsValidCivil(c)) {
    return std::nullopt;
  }
  return RefDaysFromCivil(c);
}

// "YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|+HH:MM|-HH:MM|+HHMM|-HHMM)".
std::optional<Millis> ParseDateTimeText(std::string_view s) {
  if (s.size() < 20 || s[10] != 'T') return std::nullopt;
  std::optional<int64_t> day = ParseDateText(s.substr(0, 10));
  int h, m, sec;
  if (!day || !ReadDigits(s, 11, 2, &h) || s[13] != ':' || !ReadDigits(s, 14, 2, &m) ||
      s[16] != ':' || !ReadDigits(s, 17, 2, &sec) || h > 23 || m > 59 || sec > 59) {
    return std::nullopt;
  }
  size_t i = 19;
  int millis = 0;
  if (s[i] == '.') {
    ++i;
    size_t start = i;
    int scale = 100;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      millis += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
    }
    if (i == start || i - start > 3) return std::nullopt;
  }
  if (i >= s.size()) return std::nullopt;
  int offset_minutes = 0;
  if (s[i] == 'Z') {
    ++i;
  } else if (s[i] == '+' || s[i] == '-') {
    int sign = s[i] == '-' ? -1 : 1;
    int oh, om;
    if (!ReadDigits(s, i + 1, 2, &oh)) return std::nullopt;
    size_t j = i + 3;
    if (j < s.size() && s[j] == ':') ++j;
    if (!ReadDigits(s, j, 2, &om) || oh > 23 || om > 59) return std::nullopt;
    offset_minutes = sign * (oh * 60 + om);
    i = j + 2;
  } else {
    return std::nullopt;
  }
  if (i != s.size()) return std::nullopt;
  return *day * kMillisPerDay + ((h * 60 + m) * 60 + sec) * 1000LL + millis -
         offset_minutes * 60000LL;
}

struct DayRange {
  int64_t first;
  int64_t last;
};

int64_t MonthIndex(RefCivil c) { return static_cast<int64_t>(c.year) * 12 + (c.month - 1); }
int64_t FirstOfMonthIndex(int64_t mi) {
  return RefDaysFromCivil(RefCivil{static_cast<int>(FloorDiv(mi, 12)),
                                   static_cast<int>(mi - FloorDiv(mi, 12) * 12) + 1, 1});
}
// Days of the months [from, to] (month indexes, inclusive).
DayRange MonthSpan(int64_t from, int64_t to) {
  return DayRange{FirstOfMonthIndex(from), FirstOfMonthIndex(to + 1) - 1};
}

// The range of a SOQL date literal (upper-case name) when today is `today`.
DayRange DateLiteralDays(const std::string& name, int64_t n, int64_t today) {
  const RefCivil c = RefCivilFromDays(today);
  const int64_t week = today - RefWeekday(today);  // Sunday of this week
  const int64_t month = MonthIndex(c);
  const int64_t quarter = month - (c.month - 1) % 3;  // first month of this quarter
  const int64_t year = static_cast<int64_t>(c.year) * 12;  // January of this year
  auto weeks = [&](int64_t from, int64_t to) {  // week offsets, inclusive
    return DayRange{week + 7 * from, week + 7 * to + 6};
  };
  auto months = [&](int64_t base, int64_t unit, int64_t from, int64_t to) {
    return MonthSpan(base + unit * from, base + unit * to + unit - 1);
  };
  if (name == "YESTERDAY") return {today - 1, today - 1};
  if (name == "TODAY") return {today, today};
  if (name == "TOMORROW") return {today + 1, today + 1};
  if (name == "LAST_WEEK") return weeks(-1, -1);
  if (name == "THIS_WEEK") return weeks(0, 0);
  if (name == "NEXT_WEEK") return weeks(1, 1);
  if (name == "LAST_MONTH") return months(month, 1, -1, -1);
  if (name == "THIS_MONTH") return months(month, 1, 0, 0);
  if (name == "NEXT_MONTH") return months(month, 1, 1, 1);
  if (name == "LAST_90_DAYS") return {today - 90, today};
  if (name == "NEXT_90_DAYS") return {today + 1, today + 90};
  if (name == "LAST_QUARTER") return months(quarter, 3, -1, -1);
  if (name == "THIS_QUARTER") return months(quarter, 3, 0, 0);
  if (name == "NEXT_QUARTER") return months(quarter, 3, 1, 1);
  if (name == "LAST_YEAR") return months(year, 12, -1, -1);
  if (name == "THIS_YEAR") return months(year, 12, 0, 0);
  if (name == "NEXT_YEAR") return months(year, 12, 1, 1);
  if (n < 0) Reject("date literal " + name + " needs :n");
  if (name == "LAST_N_DAYS") return {today - n, today};
  if (name == "NEXT_N_DAYS") return {today + 1, today + n};
  if (name == "N_DAYS_AGO") return {today - n, today - n};
  if (name == "N_DAYS_FROM_NOW") return {today + n, today + n};
  // Whole units: LAST_N = the n before the current one, NEXT_N = the n after it.
  // An empty range (n = 0) is [first, first - 1].
  struct Unit {
    const char* suffix;
    int kind;  // 0 weeks, 1 months, 3 quarters, 12 years
  };
  static constexpr Unit kUnits[] = {{"WEEKS", 0}, {"MONTHS", 1}, {"QUARTERS", 3}, {"YEARS", 12}};
  for (const Unit& u : kUnits) {
    std::string s = u.suffix;
    auto span = [&](int64_t from, int64_t to) -> DayRange {
      if (to < from) {  // empty
        DayRange r = u.kind == 0 ? weeks(from, from)
                                 : months(u.kind == 1 ? month : u.kind == 3 ? quarter : year,
                                          u.kind, from, from);
        return {r.first, r.first - 1};
      }
      if (u.kind == 0) return weeks(from, to);
      return months(u.kind == 1 ? month : u.kind == 3 ? quarter : year, u.kind, from, to);
    };
    if (name == "LAST_N_" + s) return n == 0 ? span(0, -1) : span(-n, -1);
    if (name == "NEXT_N_" + s) return n == 0 ? span(1, 0) : span(1, n);
    if (name == "N_" + s + "_AGO") return span(-n, -n);
    if (name == "N_" + s + "_FROM_NOW") return span(n, n);
  }
  Reject("unknown date literal " + name);
}

// ----- Text --------------------------------------------------------------------------------

// Splits UTF-8 text into code points (an invalid byte is one code point of its own).
std::vector<std::string_view> CodePoints(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80            ? 1
                 : (b >> 5) == 0x6   ? 2
                 : (b >> 4) == 0xE   ? 3
                 : (b >> 3) == 0x1E  ? 4
                                     : 1;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

char FoldAscii(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualFolded(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (FoldAscii(a[i]) != FoldAscii(b[i])) return false;
  }
  return true;
}

int CompareBytes(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]), y = static_cast<unsigned char>(b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

struct LikeToken {
  enum Kind { kLiteral, kAnyOne, kAnyRun } kind;
  std::string text;  // one code point, for kLiteral
};

std::vector<LikeToken> ParseLikePattern(std::string_view raw) {
  std::vector<LikeToken> out;
  std::string pending;  // bytes of literal text not yet split into code points
  auto flush = [&] {
    for (std::string_view cp : CodePoints(pending)) {
      out.push_back({LikeToken::kLiteral, std::string(cp)});
    }
    pending.clear();
  };
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c == '\\') {
      if (i + 1 >= raw.size()) Reject("LIKE pattern ends with a backslash");
      char e = raw[++i];
      switch (e) {
        case '%': case '_': case '\\': case '\'': case '"': pending.push_back(e); break;
        case 'n': case 'N': pending.push_back('\n'); break;
        case 'r': case 'R': pending.push_back('\r'); break;
        case 't': case 'T': pending.push_back('\t'); break;
        case 'b': case 'B': pending.push_back('\b'); break;
        case 'f': case 'F': pending.push_back('\f'); break;
        default: Reject(std::string("unknown escape \\") + e + " in LIKE pattern");
      }
    } else if (c == '%' || c == '_') {
      flush();
      out.push_back({c == '%' ? LikeToken::kAnyRun : LikeToken::kAnyOne, {}});
    } else {
      pending.push_back(c);
    }
  }
  flush();
  return out;
}

bool LikeMatches(std::string_view subject, const std::vector<LikeToken>& pattern) {
  std::vector<std::string_view> s = CodePoints(subject);
  // can[j] after processing k tokens: the first j code points are matched by them.
  std::vector<char> can(s.size() + 1, 0), next(s.size() + 1, 0);
  can[0] = 1;
  for (const LikeToken& t : pattern) {
    std::fill(next.begin(), next.end(), 0);
    for (size_t j = 0; j <= s.size(); ++j) {
      if (!can[j]) continue;
      switch (t.kind) {
        case LikeToken::kAnyRun:
          for (size_t k = j; k <= s.size(); ++k) next[k] = 1;
          break;
        case LikeToken::kAnyOne:
          if (j < s.size()) next[j + 1] = 1;
          break;
        case LikeToken::kLiteral:
          if (j < s.size() && EqualFolded(s[j], t.text)) next[j + 1] = 1;
          break;
      }
    }
    can.swap(next);
  }
  return can[s.size()] != 0;
}

std::string AsciiLower(std::string s) {
  for (char& c : s) c = FoldAscii(c);
  return s;
}
std::string AsciiUpper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}
// Salesforce's TRIM: spaces and tabs at both ends.
std::string_view TrimSpacesAndTabs(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
  return s.substr(b, e - b);
}

// The 18-character form of an Id: a suffix giving the case of each group of five.
std::string Id18(const SfId& id) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string out = id.To15();
  for (int group = 0; group < 3; ++group) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = out[group * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out.push_back(kAlphabet[bits]);
  }
  return out;
}

std::string Upper(std::string_view s) { return AsciiUpper(std::string(s)); }

std::string JoinPath(const std::vector<grammar::PathSegment>& path, size_t from) {
  std::string out;
  for (size_t i = from; i < path.size(); ++i) {
    if (i > from) out.push_back('.');
    out += path[i].name;
  }
  return out;
}

// ----- Values ------------------------------------------------------------------------------

RefValue FromTri(Tri t) {
  if (t == Tri::kUnknown) return RefValue::Null(RefType::kBool);
  return RefValue{RefType::kBool, t == Tri::kTrue};
}
Tri ToTriValue(const RefValue& v) {
  if (v.type != RefType::kBool && v.type != RefType::kNull) {
    Reject(std::string("expected a boolean, got ") + RefTypeName(v.type));
  }
  if (v.is_null()) return Tri::kUnknown;
  return std::get<bool>(v.data) ? Tri::kTrue : Tri::kFalse;
}
RefValue Number(Decimal d) { return RefValue{RefType::kNumber, d}; }
RefValue Number(std::optional<Decimal> d) {
  return d ? Number(*d) : RefValue::Null(RefType::kNumber);
}
RefValue Text(std::string s) { return RefValue{RefType::kText, std::move(s)}; }

bool IsTextLike(RefType t) { return t == RefType::kText || t == RefType::kPicklist; }
const std::string& Str(const RefValue& v) { return std::get<std::string>(v.data); }
Decimal Num(const RefValue& v) { return std::get<Decimal>(v.data); }

// Requires v's type to be one of `allowed` (or the null literal's type).
void ExpectType(const RefValue& v, std::initializer_list<RefType> allowed, const char* what) {
  if (v.type == RefType::kNull) return;
  for (RefType t : allowed) {
    if (v.type == t) return;
  }
  Reject(std::string(what) + " does not take " + RefTypeName(v.type));
}

// The common type of two branches (IF, BLANKVALUE).
RefType Unify(RefType a, RefType b, const char* what) {
  if (a == b) return a;
  if (a == RefType::kNull) return b;
  if (b == RefType::kNull) return a;
  Reject(std::string(what) + " mixes " + RefTypeName(a) + " and " + RefTypeName(b));
}

bool IsBlank(const RefValue& v) {
  if (v.is_null()) return true;
  if (v.type == RefType::kText || v.type == RefType::kPicklist ||
      v.type == RefType::kMultiPicklist) {
    return Str(v).empty();
  }
  return false;
}

Op FlipOrder(Op op) {
  switch (op) {
    case Op::kLt: return Op::kGt;
    case Op::kLe: return Op::kGe;
    case Op::kGt: return Op::kLt;
    case Op::kGe: return Op::kLe;
    default: return op;
  }
}

Tri FromOrder(Op op, int c) {  // c = sign of (a - b)
  switch (op) {
    case Op::kEq: return engine::ToTri(c == 0);
    case Op::kNe: return engine::ToTri(c != 0);
    case Op::kLt: return engine::ToTri(c < 0);
    case Op::kLe: return engine::ToTri(c <= 0);
    case Op::kGt: return engine::ToTri(c > 0);
    case Op::kGe: return engine::ToTri(c >= 0);
    default: Reject("not a comparison");
  }
}

template <typename T>
int Sign3(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// ----- The evaluator -----------------------------------------------------------------------

// Bare names inside aggregates resolve against the innermost child record first.
struct Scope {
  int object_index;
  const engine::Record* record;  // nullptr when type-checking with no child
  const Scope* outer;
};

struct PathTarget {
  bool children = false;  // a child relationship rather than a field
  int object_index = -1;  // the field's object, or the parent object of the relationship
  const engine::Record* record = nullptr;
  int field_index = -1;
  const engine::ChildRelationship* relationship = nullptr;
};

class Evaluator {
 public:
  Evaluator(const engine::Environment& env, const engine::EvalContext& ctx,
            std::vector<RefTraceEntry>* trace, size_t max_entries)
      : env_(env), schema_(env.schema()), ctx_(ctx), trace_(trace), max_entries_(max_entries) {}

  RefValue Eval(const Node& n, const Scope* scope, int depth) {
    RefValue v = EvalUntraced(n, scope, depth);
    if (trace_ != nullptr && quiet_ == 0 && trace_->size() < max_entries_) {
      trace_->push_back({n.span, depth, DescribeRefValue(v)});
    }
    return v;
  }

 private:
  RefValue EvalUntraced(const Node& n, const Scope* scope, int depth) {
    switch (n.kind) {
      case NodeKind::kNumber: {
        std::optional<Decimal> d = ParseNumberText(n.text, false);
        if (!d) Reject("bad number literal '" + n.text + "'");
        return Number(*d);
      }
      case NodeKind::kString:
        return Text(n.text);
      case NodeKind::kBool:
        return RefValue{RefType::kBool, n.boolean_value};
      case NodeKind::kNull:
        return RefValue::Null(RefType::kNull);
      case NodeKind::kDate: {
        std::optional<int64_t> d = ParseDateText(n.text);
        if (!d) Reject("bad date literal '" + n.text + "'");
        return RefValue{RefType::kDate, RefDate{static_cast<Days>(*d)}};
      }
      case NodeKind::kDateTime: {
        std::optional<Millis> m = ParseDateTimeText(n.text);
        if (!m) Reject("bad datetime literal '" + n.text + "'");
        return RefValue{RefType::kDateTime, RefDateTime{*m}};
      }
      case NodeKind::kDateLiteral:
        Reject("date literal " + n.text + " outside a comparison");
      case NodeKind::kPath:
        return EvalPath(n, scope);
      case NodeKind::kUnary:
        return EvalUnary(n, scope, depth);
      case NodeKind::kBinary:
        return EvalBinary(n, scope, depth);
      case NodeKind::kIn:
        return FromTri(EvalIn(n, scope, depth));
      case NodeKind::kIsNull: {
        if (n.children.size() != 1) Reject("IS NULL needs one operand");
        RefValue v = Operand(n.children[0], scope, depth);
        bool is_null = v.is_null();
        return FromTri(engine::ToTri(n.negated ? !is_null : is_null));
      }
      case NodeKind::kCall:
        return EvalCall(n, scope, depth);
    }
    Reject("unknown node kind");
  }

  // An operand that may not be a date literal.
  RefValue Operand(const Node& n, const Scope* scope, int depth) {
    return Eval(n, scope, depth + 1);
  }

  // ----- Paths -----

  bool StartsIn(int object_index, const std::vector<grammar::PathSegment>& path) const {
    const engine::Object& o = schema_.object(object_index);
    if (o.FieldIndex(JoinPath(path, 0)) >= 0) return true;
    if (path.size() == 1 && o.FindChildRelationship(path[0].name) != nullptr) return true;
    return path.size() > 1 && o.FindLookupByRelationship(path[0].name) != nullptr;
  }

  const engine::Slot& SlotOf(int object_index, int field_index) const {
    const engine::Slot* slot = env_.layout(object_index)->SlotForField(field_index);
    if (slot == nullptr) {
      Reject("field " + schema_.object(object_index).fields[field_index].name +
             " is not in the record layout");
    }
    return *slot;
  }

  PathTarget Resolve(const std::vector<grammar::PathSegment>& path, const Scope* scope) {
    if (path.empty()) Reject("empty path");
    int object_index = -1;
    const engine::Record* record = nullptr;
    size_t i = 0;
    for (const Scope* s = scope; s != nullptr; s = s->outer) {
      if (StartsIn(s->object_index, path)) {
        object_index = s->object_index;
        record = s->record;
        break;
      }
    }
    if (object_index < 0) {
      int root = env_.FindRoot(path[0].name);
      if (root < 0) Reject("unknown name '" + path[0].name + "'");
      object_index = env_.roots()[root].object_index;
      record = static_cast<size_t>(root) < ctx_.root_count ? ctx_.roots[root] : nullptr;
      i = 1;
    }
    while (true) {
      if (i >= path.size()) Reject("path '" + JoinPath(path, 0) + "' names a record, not a field");
      const engine::Object& o = schema_.object(object_index);
      int fi = o.FieldIndex(JoinPath(path, i));
      if (fi >= 0) {
        PathTarget t;
        t.object_index = object_index;
        t.record = record;
        t.field_index = fi;
        return t;
      }
      if (i + 1 == path.size()) {
        if (const engine::ChildRelationship* cr = o.FindChildRelationship(path[i].name)) {
          PathTarget t;
          t.children = true;
          t.object_index = object_index;
          t.record = record;
          t.relationship = cr;
          return t;
        }
      }
      const engine::Field* lookup = o.FindLookupByRelationship(path[i].name);
      if (lookup == nullptr) Reject("unknown field '" + path[i].name + "' on " + o.name);
      if (lookup->reference_to.size() != 1) Reject("polymorphic lookup " + lookup->name);
      int target = schema_.IndexOf(lookup->reference_to[0]);
      if (target < 0) Reject("lookup to unknown object " + lookup->reference_to[0]);
      const engine::Record* next = nullptr;
      if (record != nullptr && ctx_.source != nullptr) {
        const engine::Slot& slot = SlotOf(object_index, o.FieldIndex(lookup->name));
        if (!record->IsNull(slot)) next = ctx_.source->Find(target, record->GetId(slot));
      }
      object_index = target;
      record = next;
      ++i;
    }
  }

  static RefType TypeOfField(const engine::Field& f) {
    using engine::FieldType;
    switch (f.type) {
      case FieldType::kId: case FieldType::kReference: return RefType::kId;
      case FieldType::kBoolean: return RefType::kBool;
      case FieldType::kInt: case FieldType::kLong: case FieldType::kDouble:
      case FieldType::kCurrency: case FieldType::kPercent: return RefType::kNumber;
      case FieldType::kString: case FieldType::kTextArea: case FieldType::kEmail:
      case FieldType::kPhone: case FieldType::kUrl: case FieldType::kEncryptedString:
      case FieldType::kCombobox: return RefType::kText;
      case FieldType::kPicklist: return RefType::kPicklist;
      case FieldType::kMultiPicklist: return RefType::kMultiPicklist;
      case FieldType::kDate: return RefType::kDate;
      case FieldType::kDateTime: return RefType::kDateTime;
      case FieldType::kTime: return RefType::kTime;
      default: break;
    }
    Reject("field " + f.name + " has a type rules cannot use");
  }

  RefValue ReadField(int object_index, const engine::Record* record, int field_index) {
    const engine::Field& f = schema_.object(object_index).fields[field_index];
    RefType type = TypeOfField(f);
    const engine::Slot& slot = SlotOf(object_index, field_index);
    if (record == nullptr || record->IsNull(slot)) return RefValue::Null(type);
    switch (slot.kind) {
      case engine::StorageKind::kBool: return RefValue{type, record->GetBool(slot)};
      case engine::StorageKind::kNumber: return RefValue{type, record->GetNumber(slot)};
      case engine::StorageKind::kString:
        return RefValue{type, std::string(record->GetString(slot))};
      case engine::StorageKind::kPicklist:
        return RefValue{type, std::string(record->GetPicklistText(slot))};
      case engine::StorageKind::kId: return RefValue{type, record->GetId(slot)};
      case engine::StorageKind::kDate: return RefValue{type, RefDate{record->GetDate(slot)}};
      case engine::StorageKind::kDateTime:
        return RefValue{type, RefDateTime{record->GetDateTime(slot)}};
      case engine::StorageKind::kTime: return RefValue{type, RefTime{record->GetTime(slot)}};
      case engine::StorageKind::kNone: break;
    }
    Reject("field " + f.name + " is not stored");
  }

  RefValue EvalPath(const Node& n, const Scope* scope) {
    PathTarget t = Resolve(n.path, scope);
    if (t.children) Reject("child relationship '" + JoinPath(n.path, 0) + "' outside an aggregate");
    return ReadField(t.object_index, t.record, t.field_index);
  }

  // ----- Operators -----

  RefValue EvalUnary(const Node& n, const Scope* scope, int depth) {
    if (n.children.size() != 1) Reject("unary operator needs one operand");
    RefValue v = Operand(n.children[0], scope, depth);
    if (n.op == Op::kNot) return FromTri(engine::TriNot(ToTriValue(v)));
    if (n.op == Op::kNeg) {
      ExpectType(v, {RefType::kNumber}, "unary minus");
      if (v.is_null()) return RefValue::Null(RefType::kNumber);
      return Number(Num(v).Neg());
    }
    Reject("unknown unary operator");
  }

  RefValue EvalBinary(const Node& n, const Scope* scope, int depth) {
    if (n.children.size() != 2) Reject("binary operator needs two operands");
    const Node& l = n.children[0];
    const Node& r = n.children[1];
    switch (n.op) {
      case Op::kAnd: case Op::kOr: {
        Tri a = ToTriValue(Operand(l, scope, depth));
        Tri b = ToTriValue(Operand(r, scope, depth));
        return FromTri(n.op == Op::kAnd ? engine::TriAnd(a, b) : engine::TriOr(a, b));
      }
      case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
        return FromTri(Compare(n.op, l, r, scope, depth));
      case Op::kAdd: case Op::kSub: case Op::kMul: case Op::kDiv:
        return Arithmetic(n.op, Operand(l, scope, depth), Operand(r, scope, depth));
      case Op::kConcat: {
        RefValue a = Operand(l, scope, depth);
        RefValue b = Operand(r, scope, depth);
        ExpectType(a, {RefType::kText}, "&");
        ExpectType(b, {RefType::kText}, "&");
        return Text((a.is_null() ? std::string() : Str(a)) +
                    (b.is_null() ? std::string() : Str(b)));
      }
      case Op::kLike: {
        RefValue a = Operand(l, scope, depth);
        ExpectType(a, {RefType::kText, RefType::kPicklist}, "LIKE");
        if (r.kind != NodeKind::kString) Reject("LIKE needs a string literal pattern");
        std::vector<LikeToken> pattern = ParseLikePattern(r.raw_text);
        if (a.is_null()) return FromTri(Tri::kUnknown);
        return FromTri(engine::ToTri(LikeMatches(Str(a), pattern)));
      }
      case Op::kContains: case Op::kStartsWith: case Op::kEndsWith: {
        RefValue a = Operand(l, scope, depth);
        RefValue b = Operand(r, scope, depth);
        ExpectType(a, {RefType::kText, RefType::kPicklist}, OpName(n.op));
        ExpectType(b, {RefType::kText, RefType::kPicklist}, OpName(n.op));
        if (a.is_null() || b.is_null()) return FromTri(Tri::kUnknown);
        return FromTri(engine::ToTri(TextTest(n.op, Str(a), Str(b))));
      }
      default: break;
    }
    Reject(std::string("unknown binary operator ") + OpName(n.op));
  }

  static const char* OpName(Op op) {
    switch (op) {
      case Op::kContains: return "CONTAINS";
      case Op::kStartsWith: return "STARTS WITH";
      case Op::kEndsWith: return "ENDS WITH";
      default: return "operator";
    }
  }

  static bool TextTest(Op op, std::string_view hay, std::string_view needle) {
    if (op == Op::kContains) return hay.find(needle) != std::string_view::npos;
    if (needle.size() > hay.size()) return false;
    if (op == Op::kStartsWith) return hay.substr(0, needle.size()) == needle;
    return hay.substr(hay.size() - needle.size()) == needle;
  }

  RefValue Arithmetic(Op op, const RefValue& a, const RefValue& b) {
    RefType ta = a.type == RefType::kNull ? b.type : a.type;
    RefType tb = b.type == RefType::kNull ? a.type : b.type;
    if (ta == RefType::kNull) ta = tb = RefType::kNumber;
    if (ta == RefType::kNumber && tb == RefType::kNumber) {
      if (a.is_null() || b.is_null()) return RefValue::Null(RefType::kNumber);
      switch (op) {
        case Op::kAdd: return Number(Num(a).Add(Num(b)));
        case Op::kSub: return Number(Num(a).Sub(Num(b)));
        case Op::kMul: return Number(Num(a).Mul(Num(b)));
        default:
          if (Num(b).raw() == 0) return RefValue::Null(RefType::kNumber);
          return Number(Num(a).Div(Num(b)));
      }
    }
    // Date arithmetic: date +/- number, number + date, date - date.
    if (op == Op::kSub && ta == RefType::kDate && tb == RefType::kDate) {
      if (a.is_null() || b.is_null()) return RefValue::Null(RefType::kNumber);
      return Number(Decimal::FromInt(static_cast<int64_t>(std::get<RefDate>(a.data).days) -
                                     std::get<RefDate>(b.data).days));
    }
    bool date_plus = (op == Op::kAdd || op == Op::kSub) && ta == RefType::kDate &&
                     tb == RefType::kNumber;
    bool plus_date = op == Op::kAdd && ta == RefType::kNumber && tb == RefType::kDate;
    if (date_plus || plus_date) {
      if (a.is_null() || b.is_null()) return RefValue::Null(RefType::kDate);
      const RefValue& date = date_plus ? a : b;
      const RefValue& num = date_plus ? b : a;
      // Integer part toward zero; results outside years 1..9999 are null.
      __int128 whole = Num(num).raw() / Decimal::kScale;
      if (op == Op::kSub) whole = -whole;
      __int128 result = whole + std::get<RefDate>(date.data).days;
      if (result < RefDaysFromCivil({1, 1, 1}) || result > RefDaysFromCivil({9999, 12, 31})) {
        return RefValue::Null(RefType::kDate);
      }
      return RefValue{RefType::kDate, RefDate{static_cast<Days>(result)}};
    }
    // Date/time arithmetic: datetime +/- number of days (fractions included), number +
    // datetime, datetime - datetime in days.
    if (op == Op::kSub && ta == RefType::kDateTime && tb == RefType::kDateTime) {
      if (a.is_null() || b.is_null()) return RefValue::Null(RefType::kNumber);
      __int128 diff = static_cast<__int128>(std::get<RefDateTime>(a.data).millis) -
                      std::get<RefDateTime>(b.data).millis;
      // diff ms = diff / 86400000 days; raw = diff * 10^9 / 86400000, half away from zero.
      return Number(Decimal::FromRaw(DivRound(diff * Decimal::kScale, kMillisPerDay)));
    }
    bool dt_plus = (op == Op::kAdd || op == Op::kSub) && ta == RefType::kDateTime &&
                   tb == RefType::kNumber;
    bool plus_dt = op == Op::kAdd && ta == RefType::kNumber && tb == RefType::kDateTime;
    if (dt_plus || plus_dt) {
      if (a.is_null() || b.is_null()) return RefValue::Null(RefType::kDateTime);
      const RefValue& instant = dt_plus ? a : b;
      const RefValue& num = dt_plus ? b : a;
      // n days = n.raw * 86400000 / 10^9 ms, to the millisecond, half away from zero.
      __int128 ms = DivRound(Num(num).raw() * kMillisPerDay, Decimal::kScale);
      if (op == Op::kSub) ms = -ms;
      __int128 result = ms + std::get<RefDateTime>(instant.data).millis;
      if (result < RefDaysFromCivil({1, 1, 1}) * static_cast<__int128>(kMillisPerDay) ||
          result >= RefDaysFromCivil({10000, 1, 1}) * static_cast<__int128>(kMillisPerDay)) {
        return RefValue::Null(RefType::kDateTime);
      }
      return RefValue{RefType::kDateTime, RefDateTime{static_cast<Millis>(result)}};
    }
    Reject(std::string("arithmetic on ") + RefTypeName(a.type) + " and " + RefTypeName(b.type));
  }

  // ----- Comparisons -----

  Millis StartOfDay(int64_t day) const {
    if (ctx_.time_zone == nullptr) return day * kMillisPerDay;
    return ctx_.time_zone->StartOfDay(static_cast<Days>(day));
  }

  Tri CompareToRange(Op op, const RefValue& v, const Node& literal) {
    DayRange range = DateLiteralDays(Upper(literal.text), literal.number, ctx_.today);
    if (v.type != RefType::kDate && v.type != RefType::kDateTime && v.type != RefType::kNull) {
      Reject(std::string("date literal compared with ") + RefTypeName(v.type));
    }
    if (v.is_null()) return Tri::kUnknown;
    int64_t lo, hi_exclusive, x;
    if (v.type == RefType::kDate) {
      lo = range.first;
      hi_exclusive = range.last + 1;
      x = std::get<RefDate>(v.data).days;
    } else {
      lo = StartOfDay(range.first);
      hi_exclusive = StartOfDay(range.last + 1);
      x = std::get<RefDateTime>(v.data).millis;
    }
    switch (op) {
      case Op::kEq: return engine::ToTri(x >= lo && x < hi_exclusive);
      case Op::kNe: return engine::ToTri(!(x >= lo && x < hi_exclusive));
      case Op::kLt: return engine::ToTri(x < lo);
      case Op::kLe: return engine::ToTri(x < hi_exclusive);
      case Op::kGt: return engine::ToTri(x >= hi_exclusive);
      case Op::kGe: return engine::ToTri(x >= lo);
      default: break;
    }
    Reject("not a comparison");
  }

  Tri Compare(Op op, const Node& l, const Node& r, const Scope* scope, int depth) {
    if (l.kind == NodeKind::kNull || r.kind == NodeKind::kNull) {
      const Node& other = l.kind == NodeKind::kNull ? r : l;
      if (other.kind == NodeKind::kDateLiteral) Reject("date literal compared with null");
      RefValue v = Operand(other, scope, depth);
      if (op == Op::kEq) return engine::ToTri(v.is_null());
      if (op == Op::kNe) return engine::ToTri(!v.is_null());
      if (v.type == RefType::kBool || v.type == RefType::kId || v.type == RefType::kMultiPicklist) {
        Reject(std::string("ordering of ") + RefTypeName(v.type));
      }
      return Tri::kUnknown;
    }
    if (l.kind == NodeKind::kDateLiteral || r.kind == NodeKind::kDateLiteral) {
      if (l.kind == r.kind) Reject("two date literals compared");
      bool flipped = l.kind == NodeKind::kDateLiteral;
      const Node& literal = flipped ? l : r;
      RefValue v = Operand(flipped ? r : l, scope, depth);
      return CompareToRange(flipped ? FlipOrder(op) : op, v, literal);
    }
    RefValue a = Operand(l, scope, depth);
    RefValue b = Operand(r, scope, depth);
    return CompareValues(op, std::move(a), std::move(b), l, r);
  }

  // An Id compared with a string literal takes the literal as an Id.
  static void CoerceIdLiteral(const RefValue& id_side, RefValue* other, const Node& other_node) {
    if (id_side.type != RefType::kId || other->type != RefType::kText) return;
    if (other_node.kind != NodeKind::kString) Reject("Id compared with computed text");
    std::optional<SfId> id = SfId::Parse(Str(*other));
    if (!id) Reject("'" + Str(*other) + "' is not a record Id");
    *other = RefValue{RefType::kId, *id};
  }

  Tri CompareValues(Op op, RefValue a, RefValue b, const Node& l, const Node& r) {
    CoerceIdLiteral(a, &b, r);
    CoerceIdLiteral(b, &a, l);
    RefType ta = a.type, tb = b.type;
    bool ordering = op != Op::kEq && op != Op::kNe;
    bool ok;
    if (ta == RefType::kNull || tb == RefType::kNull) {
      RefType t = ta == RefType::kNull ? tb : ta;
      ok = t != RefType::kMultiPicklist &&
           !(ordering && (t == RefType::kBool || t == RefType::kId));
    } else if (IsTextLike(ta) && IsTextLike(tb)) {
      ok = true;
    } else if (ta != tb || ta == RefType::kMultiPicklist) {
      ok = false;
    } else {
      ok = !(ordering && (ta == RefType::kBool || ta == RefType::kId));
    }
    if (!ok) {
      Reject(std::string("cannot compare ") + RefTypeName(ta) + " with " + RefTypeName(tb));
    }
    if (a.is_null() || b.is_null()) return Tri::kUnknown;
    int c = 0;
    switch (ta) {
      case RefType::kNumber: c = Sign3(Num(a), Num(b)); break;
      case RefType::kText: case RefType::kPicklist: c = CompareBytes(Str(a), Str(b)); break;
      case RefType::kBool: c = std::get<bool>(a.data) == std::get<bool>(b.data) ? 0 : 1; break;
      case RefType::kId:
        c = std::get<SfId>(a.data) == std::get<SfId>(b.data) ? 0 : 1;
        break;
      case RefType::kDate:
        c = Sign3(std::get<RefDate>(a.data).days, std::get<RefDate>(b.data).days);
        break;
      case RefType::kDateTime:
        c = Sign3(std::get<RefDateTime>(a.data).millis, std::get<RefDateTime>(b.data).millis);
        break;
      case RefType::kTime:
        c = Sign3(std::get<RefTime>(a.data).millis, std::get<RefTime>(b.data).millis);
        break;
      default: Reject("cannot compare these values");
    }
    return FromOrder(op, c);
  }

  Tri EvalIn(const Node& n, const Scope* scope, int depth) {
    if (n.children.size() < 2) Reject("IN needs a list");
    const Node& xn = n.children[0];
    if (xn.kind == NodeKind::kDateLiteral || xn.kind == NodeKind::kNull) {
      Reject("IN on a literal null or date literal");
    }
    RefValue x = Operand(xn, scope, depth);
    Tri acc = Tri::kFalse;
    for (size_t i = 1; i < n.children.size(); ++i) {
      const Node& e = n.children[i];
      Tri t;
      if (e.kind == NodeKind::kNull) {
        t = engine::ToTri(x.is_null());
      } else if (e.kind == NodeKind::kDateLiteral) {
        t = CompareToRange(Op::kEq, x, e);
      } else {
        t = CompareValues(Op::kEq, x, Operand(e, scope, depth), xn, e);
      }
      acc = engine::TriOr(acc, t);
    }
    return n.negated ? engine::TriNot(acc) : acc;
  }

  // ----- Functions -----

  std::vector<RefValue> Args(const Node& n, const Scope* scope, int depth, size_t min,
                             size_t max) {
    if (n.children.size() < min || n.children.size() > max) {
      Reject(n.text + " takes " + std::to_string(min) + ".." + std::to_string(max) +
             " arguments");
    }
    std::vector<RefValue> out;
    for (const Node& c : n.children) out.push_back(Operand(c, scope, depth));
    return out;
  }

  static bool AnyNull(const std::vector<RefValue>& args) {
    return std::any_of(args.begin(), args.end(), [](const RefValue& v) { return v.is_null(); });
  }

  RefValue EvalCall(const Node& n, const Scope* scope, int depth) {
    const std::string name = Upper(n.text);
    if (name == "ANY" || name == "ALL" || name == "COUNT" || name == "SUM" ||
        ((name == "MIN" || name == "MAX") && !n.children.empty() &&
         n.children[0].kind == NodeKind::kPath && IsChildRelationship(n.children[0], scope))) {
      return EvalAggregate(name, n, scope, depth);
    }
    if (name == "ISBLANK") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      return FromTri(engine::ToTri(IsBlank(a[0])));
    }
    if (name == "ISNULL") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      return FromTri(engine::ToTri(a[0].is_null()));
    }
    if (name == "BLANKVALUE") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 2);
      RefType t = Unify(a[0].type, a[1].type, "BLANKVALUE");
      if (t == RefType::kMultiPicklist) Reject("BLANKVALUE of a multipicklist");
      RefValue out = IsBlank(a[0]) ? a[1] : a[0];
      out.type = t;
      return out;
    }
    if (name == "IF") {
      std::vector<RefValue> a = Args(n, scope, depth, 3, 3);
      Tri c = ToTriValue(a[0]);
      RefType t = Unify(a[1].type, a[2].type, "IF");
      if (t == RefType::kMultiPicklist) Reject("IF of a multipicklist");
      RefValue out = c == Tri::kTrue ? a[1] : a[2];
      out.type = t;
      return out;
    }
    if (name == "ISPICKVAL") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 2);
      ExpectType(a[0], {RefType::kPicklist}, "ISPICKVAL");
      ExpectType(a[1], {RefType::kText}, "ISPICKVAL");
      if (AnyNull(a)) return FromTri(Tri::kUnknown);
      return FromTri(engine::ToTri(Str(a[0]) == Str(a[1])));
    }
    if (name == "INCLUDES") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 2);
      ExpectType(a[0], {RefType::kMultiPicklist}, "INCLUDES");
      ExpectType(a[1], {RefType::kText}, "INCLUDES");
      if (AnyNull(a)) return FromTri(Tri::kUnknown);
      std::string_view all = Str(a[0]);
      bool found = false;
      while (!all.empty()) {
        size_t semi = all.find(';');
        std::string_view one = all.substr(0, semi);
        if (one == Str(a[1])) found = true;
        if (semi == std::string_view::npos) break;
        all.remove_prefix(semi + 1);
      }
      return FromTri(engine::ToTri(found));
    }
    if (name == "TEXT") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kNumber, RefType::kPicklist, RefType::kText, RefType::kDate,
                        RefType::kDateTime, RefType::kTime, RefType::kBool, RefType::kId},
                 "TEXT");
      if (a[0].is_null()) return RefValue::Null(RefType::kText);
      switch (a[0].type) {
        case RefType::kNumber: return Text(FormatNumber(Num(a[0])));
        case RefType::kPicklist: case RefType::kText: return Text(Str(a[0]));
        case RefType::kDate: return Text(FormatDate(std::get<RefDate>(a[0].data).days));
        case RefType::kDateTime:
          return Text(FormatDateTime(std::get<RefDateTime>(a[0].data).millis, false));
        case RefType::kTime: return Text(FormatTime(std::get<RefTime>(a[0].data).millis));
        case RefType::kBool: return Text(std::get<bool>(a[0].data) ? "true" : "false");
        case RefType::kId: return Text(Id18(std::get<SfId>(a[0].data)));
        default: break;
      }
      Reject("TEXT of this type");
    }
    if (name == "VALUE") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kText}, "VALUE");
      if (a[0].is_null()) return RefValue::Null(RefType::kNumber);
      return Number(ParseNumberText(TrimSpacesAndTabs(Str(a[0])), true));
    }
    if (name == "LEN" || name == "LOWER" || name == "UPPER" || name == "TRIM") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kText}, name.c_str());
      RefType result = name == "LEN" ? RefType::kNumber : RefType::kText;
      if (a[0].is_null()) return RefValue::Null(result);
      const std::string& s = Str(a[0]);
      if (name == "LEN") {
        return Number(Decimal::FromInt(static_cast<int64_t>(CodePoints(s).size())));
      }
      if (name == "LOWER") return Text(AsciiLower(s));
      if (name == "UPPER") return Text(AsciiUpper(s));
      return Text(std::string(TrimSpacesAndTabs(s)));
    }
    if (name == "BEGINS" || name == "CONTAINS") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 2);
      ExpectType(a[0], {RefType::kText}, name.c_str());
      ExpectType(a[1], {RefType::kText}, name.c_str());
      if (AnyNull(a)) return FromTri(Tri::kUnknown);
      return FromTri(engine::ToTri(
          TextTest(name == "BEGINS" ? Op::kStartsWith : Op::kContains, Str(a[0]), Str(a[1]))));
    }
    if (name == "ABS") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kNumber}, "ABS");
      if (a[0].is_null()) return RefValue::Null(RefType::kNumber);
      return Number(Num(a[0]).Abs());
    }
    if (name == "ROUND") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 2);
      ExpectType(a[0], {RefType::kNumber}, "ROUND");
      ExpectType(a[1], {RefType::kNumber}, "ROUND");
      if (AnyNull(a)) return RefValue::Null(RefType::kNumber);
      if (!IsInteger(Num(a[1]))) Reject("ROUND digits must be an integer");
      __int128 digits = Num(a[1]).raw() / Decimal::kScale;
      digits = std::clamp<__int128>(digits, -1000, 1000);
      return Number(RoundDecimal(Num(a[0]), static_cast<int64_t>(digits)));
    }
    if (name == "MIN" || name == "MAX") {
      std::vector<RefValue> a = Args(n, scope, depth, 2, 1000);
      for (const RefValue& v : a) ExpectType(v, {RefType::kNumber}, name.c_str());
      if (AnyNull(a)) return RefValue::Null(RefType::kNumber);
      Decimal best = Num(a[0]);
      for (const RefValue& v : a) {
        if (name == "MIN" ? Num(v) < best : Num(v) > best) best = Num(v);
      }
      return Number(best);
    }
    if (name == "TODAY") {
      Args(n, scope, depth, 0, 0);
      return RefValue{RefType::kDate, RefDate{ctx_.today}};
    }
    if (name == "NOW") {
      Args(n, scope, depth, 0, 0);
      return RefValue{RefType::kDateTime, RefDateTime{ctx_.now}};
    }
    if (name == "DATEVALUE") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kText, RefType::kDateTime}, "DATEVALUE");
      if (a[0].is_null()) return RefValue::Null(RefType::kDate);
      if (a[0].type == RefType::kDateTime) {
        return RefValue{RefType::kDate, RefDate{static_cast<Days>(
                                            FloorDiv(std::get<RefDateTime>(a[0].data).millis,
                                                     kMillisPerDay))}};
      }
      std::optional<int64_t> d = ParseDateText(Str(a[0]));
      if (!d) return RefValue::Null(RefType::kDate);
      return RefValue{RefType::kDate, RefDate{static_cast<Days>(*d)}};
    }
    if (name == "YEAR" || name == "MONTH" || name == "DAY") {
      std::vector<RefValue> a = Args(n, scope, depth, 1, 1);
      ExpectType(a[0], {RefType::kDate}, name.c_str());
      if (a[0].is_null()) return RefValue::Null(RefType::kNumber);
      RefCivil c = RefCivilFromDays(std::get<RefDate>(a[0].data).days);
      int part = name == "YEAR" ? c.year : name == "MONTH" ? c.month : c.day;
      return Number(Decimal::FromInt(part));
    }
    Reject("unknown function " + n.text);
  }

  // ----- Aggregates -----

  bool IsChildRelationship(const Node& path_node, const Scope* scope) {
    try {
      return Resolve(path_node.path, scope).children;
    } catch (const Unsupported&) {
      return false;
    }
  }

  RefValue EvalAggregate(const std::string& name, const Node& n, const Scope* scope, int depth) {
    size_t min_args = name == "COUNT" ? 1 : 2;
    size_t max_args = name == "ANY" || name == "ALL" ? 2 : name == "COUNT" ? 2 : 3;
    if (n.children.size() < min_args || n.children.size() > max_args) {
      Reject(name + " takes " + std::to_string(min_args) + ".." + std::to_string(max_args) +
             " arguments");
    }
    if (n.children[0].kind != NodeKind::kPath) Reject(name + " needs a child relationship");
    PathTarget t = Resolve(n.children[0].path, scope);
    if (!t.children) Reject(name + " needs a child relationship, not a field");
    int child_object = schema_.IndexOf(t.relationship->child_object);
    if (child_object < 0) Reject("unknown child object " + t.relationship->child_object);
    int child_field = schema_.object(child_object).FieldIndex(t.relationship->field);
    if (child_field < 0) Reject("unknown child lookup " + t.relationship->field);

    const bool has_value = name == "SUM" || name == "MIN" || name == "MAX";
    const Node* value_node = has_value ? &n.children[1] : nullptr;
    const Node* filter_node = nullptr;
    if (name == "ANY" || name == "ALL") filter_node = &n.children[1];
    if (name == "COUNT" && n.children.size() == 2) filter_node = &n.children[1];
    if (has_value && n.children.size() == 3) filter_node = &n.children[2];

    // Type-check the per-child expressions once with no child record (typed nulls), so that
    // an ill-typed expression is rejected even when there are no children.
    Scope probe{child_object, nullptr, scope};
    ++quiet_;
    if (filter_node != nullptr) ToTriValue(Eval(*filter_node, &probe, depth + 1));
    RefType value_type = RefType::kNull;
    if (value_node != nullptr) {
      value_type = Eval(*value_node, &probe, depth + 1).type;
      if (name == "SUM" && value_type != RefType::kNumber) Reject("SUM of a non-number");
      if (value_type != RefType::kNumber && value_type != RefType::kDate &&
          value_type != RefType::kDateTime) {
        Reject(name + " of " + RefTypeName(value_type));
      }
    }
    --quiet_;

    engine::RecordSpan children;
    if (t.record != nullptr && ctx_.source != nullptr) {
      int id_field = schema_.object(t.object_index).FieldIndex("Id");
      if (id_field < 0) Reject("parent object has no Id");
      const engine::Slot& id_slot = SlotOf(t.object_index, id_field);
      if (!t.record->IsNull(id_slot)) {
        children = ctx_.source->Children(child_object, child_field, t.record->GetId(id_slot));
      }
    }

    Tri any = Tri::kFalse, all = Tri::kTrue;
    int64_t count = 0;
    std::optional<Decimal> sum = Decimal::FromInt(0);
    RefValue best = RefValue::Null(value_type == RefType::kNull ? RefType::kNumber : value_type);
    for (size_t i = 0; i < children.size; ++i) {
      Scope child{child_object, children.data[i], scope};
      if (name == "ANY" || name == "ALL") {
        Tri c = ToTriValue(Eval(*filter_node, &child, depth + 1));
        any = engine::TriOr(any, c);
        all = engine::TriAnd(all, c);
        continue;
      }
      if (filter_node != nullptr &&
          ToTriValue(Eval(*filter_node, &child, depth + 1)) != Tri::kTrue) {
        continue;
      }
      ++count;
      if (value_node == nullptr) continue;
      RefValue v = Eval(*value_node, &child, depth + 1);
      if (v.is_null()) continue;
      if (name == "SUM") {
        if (sum) sum = sum->Add(Num(v));
      } else if (best.is_null() || CompareValues(name == "MIN" ? Op::kLt : Op::kGt, v, best,
                                                 *value_node, *value_node) == Tri::kTrue) {
        best = v;
      }
    }
    if (name == "ANY") return FromTri(any);
    if (name == "ALL") return FromTri(all);
    if (name == "COUNT") return Number(Decimal::FromInt(count));
    if (name == "SUM") return Number(sum);
    return best;
  }

  const engine::Environment& env_;
  const engine::Schema& schema_;
  const engine::EvalContext& ctx_;
  std::vector<RefTraceEntry>* trace_;
  size_t max_entries_;
  int quiet_ = 0;  // > 0 while type-checking: no trace entries
};

std::string Escape(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
  return out + "\"";
}

}  // namespace

std::string DescribeRefValue(const RefValue& v) {
  if (v.is_null()) {
    return v.type == RefType::kNull ? "null" : std::string("null:") + RefTypeName(v.type);
  }
  switch (v.type) {
    case RefType::kBool: return std::get<bool>(v.data) ? "TRUE" : "FALSE";
    case RefType::kNumber: return FormatNumber(std::get<Decimal>(v.data));
    case RefType::kText: return Escape(std::get<std::string>(v.data));
    case RefType::kPicklist: return "picklist:" + Escape(std::get<std::string>(v.data));
    case RefType::kMultiPicklist: return "multi:" + Escape(std::get<std::string>(v.data));
    case RefType::kId: return "id:" + std::get<SfId>(v.data).To15();
    case RefType::kDate: return FormatDate(std::get<RefDate>(v.data).days);
    case RefType::kDateTime: return FormatDateTime(std::get<RefDateTime>(v.data).millis, true);
    case RefType::kTime: return FormatTime(std::get<RefTime>(v.data).millis);
    case RefType::kNull: break;
  }
  return "?";
}

RefOutcome ReferenceInterpreter::Evaluate(const grammar::Node& condition,
                                          const engine::EvalContext& ctx) const {
  return EvaluateWithTrace(condition, ctx, nullptr, 0);
}

RefOutcome ReferenceInterpreter::EvaluateWithTrace(const grammar::Node& condition,
                                                   const engine::EvalContext& ctx,
                                                   std::vector<RefTraceEntry>* trace,
                                                   size_t max_entries) const {
  RefOutcome out;
  RefValue v;
  if (!EvaluateValue(condition, ctx, &v, &out.why)) return out;
  if (trace != nullptr) {
    // Same evaluation again, recording sub-expressions; it cannot fail where the first passed.
    try {
      Evaluator(env_, ctx, trace, max_entries).Eval(condition, nullptr, 0);
    } catch (const Unsupported&) {
    }
  }
  if (v.type != RefType::kBool && v.type != RefType::kNull) {
    out.why = std::string("condition is ") + RefTypeName(v.type) + ", not boolean";
    return out;
  }
  out.supported = true;
  out.value = v.is_null() ? Tri::kUnknown : (std::get<bool>(v.data) ? Tri::kTrue : Tri::kFalse);
  return out;
}

bool ReferenceInterpreter::EvaluateValue(const grammar::Node& expression,
                                         const engine::EvalContext& ctx, RefValue* out,
                                         std::string* why) const {
  try {
    *out = Evaluator(env_, ctx, nullptr, 0).Eval(expression, nullptr, 0);
    return true;
  } catch (const Unsupported& u) {
    *why = u.why;
    return false;
  }
}

RefOutcome ReferenceInterpreter::EvaluateText(std::string_view text,
                                              const engine::EvalContext& ctx) const {
  grammar::ParseResult parsed = grammar::ParseCondition(text);
  if (!parsed.ok()) {
    RefOutcome out;
    out.why = parsed.diagnostics.empty() ? "syntax error" : parsed.diagnostics[0].message;
    return out;
  }
  return Evaluate(*parsed.expression, ctx);
}

}  // namespace cf::test_support
