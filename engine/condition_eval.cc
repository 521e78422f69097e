// Run-time helpers of the condition evaluator that need no template: text functions,
// formatting into the scratch buffer, LIKE matching. Nothing here allocates on the heap
// (EvalScratch grows only when a string larger than any before is built).
#include <cstdio>
#include <cstring>

#include "engine/internal/condition_function_nodes.h"

namespace cf::engine::internal {

bool LikeMatch(std::string_view text, const std::vector<LikeItem>& pattern) {
  auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
  auto literal_at = [&](std::string_view lit, size_t pos) {
    if (pos + lit.size() > text.size()) return false;
    for (size_t k = 0; k < lit.size(); ++k) {
      if (lower(text[pos + k]) != lower(lit[k])) return false;
    }
    return true;
  };
  // Greedy matching with backtracking to the last '%', linear in practice.
  size_t ti = 0, pi = 0;
  size_t star_pi = SIZE_MAX, star_ti = 0;
  while (true) {
    if (pi < pattern.size()) {
      const LikeItem& item = pattern[pi];
      if (item.kind == LikeItem::kAnyRun) {
        star_pi = pi++;
        star_ti = ti;
        continue;
      }
      if (item.kind == LikeItem::kAnyOne && ti < text.size()) {
        // '_' matches one character (a whole UTF-8 sequence).
        ++ti;
        while (ti < text.size() && (static_cast<unsigned char>(text[ti]) & 0xC0) == 0x80) ++ti;
        ++pi;
        continue;
      }
      if (item.kind == LikeItem::kLiteral && literal_at(item.text, ti)) {
        ti += item.text.size();
        ++pi;
        continue;
      }
    } else if (ti == text.size()) {
      return true;
    }
    if (star_pi == SIZE_MAX || star_ti >= text.size()) return false;
    pi = star_pi + 1;
    ti = ++star_ti;
  }
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

size_t FormatDecimalTo(Decimal d, char* buf) {
  __int128 v = d.raw();
  bool negative = v < 0;
  unsigned __int128 u = negative ? static_cast<unsigned __int128>(-(v + 1)) + 1 : static_cast<unsigned __int128>(v);
  unsigned __int128 int_part = u / Decimal::kScale;
  uint64_t frac = static_cast<uint64_t>(u % Decimal::kScale);
  char digits[48];
  size_t nd = 0;
  do {
    digits[nd++] = static_cast<char>('0' + static_cast<int>(int_part % 10));
    int_part /= 10;
  } while (int_part != 0);
  size_t len = 0;
  if (negative) buf[len++] = '-';
  while (nd > 0) buf[len++] = digits[--nd];
  if (frac != 0) {
    char f[Decimal::kScaleDigits];
    for (int i = Decimal::kScaleDigits - 1; i >= 0; --i) {
      f[i] = static_cast<char>('0' + frac % 10);
      frac /= 10;
    }
    int last = Decimal::kScaleDigits - 1;
    while (f[last] == '0') --last;
    buf[len++] = '.';
    for (int i = 0; i <= last; ++i) buf[len++] = f[i];
  }
  return len;
}

size_t FormatDateTo(Days d, char* buf) {
  CivilDate c = CivilFromDays(d);
  return static_cast<size_t>(std::snprintf(buf, 16, "%04d-%02d-%02d", c.year, c.month, c.day));
}

size_t FormatDateTimeTo(Millis ms, char* buf) {
  int64_t day = ms / 86400000;
  int64_t rem = ms % 86400000;
  if (rem < 0) {
    rem += 86400000;
    --day;
  }
  CivilDate c = CivilFromDays(static_cast<Days>(day));
  int h = static_cast<int>(rem / 3600000), m = static_cast<int>(rem / 60000 % 60);
  int s = static_cast<int>(rem / 1000 % 60), milli = static_cast<int>(rem % 1000);
  (void)milli;  // Salesforce's TEXT(datetime) shows whole seconds: "2024-03-09 18:30:00Z"
  return static_cast<size_t>(std::snprintf(buf, 32, "%04d-%02d-%02d %02d:%02d:%02dZ", c.year, c.month, c.day,
                                           h, m, s));
}

size_t FormatTimeTo(TimeOfDay t, char* buf) {
  int h = t / 3600000, m = t / 60000 % 60, s = t / 1000 % 60, milli = t % 1000;
  return static_cast<size_t>(std::snprintf(buf, 16, "%02d:%02d:%02d.%03dZ", h, m, s, milli));
}

void DayRangeToInstants(const Frame& f, DayRange range, Millis* start, Millis* end) {
  if (f.ctx->time_zone == nullptr) {
    *start = static_cast<Millis>(range.first) * 86400000;
    *end = (static_cast<Millis>(range.last) + 1) * 86400000;
    return;
  }
  *start = f.ctx->time_zone->StartOfDay(range.first);
  *end = f.ctx->time_zone->StartOfDay(range.last + 1);
}

void IdTo18(const SfId& id, char* buf) {
  static const char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::memcpy(buf, id.chars, 15);
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id.chars[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    buf[15 + chunk] = kAlphabet[bits];
  }
}

bool ConcatNode::Eval(const Frame& f, std::string_view* out) const {
  // Evaluate parts first (their results may themselves live in the scratch), then copy.
  constexpr size_t kMaxInline = 16;
  std::string_view parts[kMaxInline];
  size_t total = 0;
  if (parts_.size() <= kMaxInline) {
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (!parts_[i]->Eval(f, &parts[i])) parts[i] = {};
      total += parts[i].size();
    }
    char* p = f.scratch->Allocate(total == 0 ? 1 : total);
    size_t at = 0;
    for (size_t i = 0; i < parts_.size(); ++i) {
      if (!parts[i].empty()) std::memcpy(p + at, parts[i].data(), parts[i].size());
      at += parts[i].size();
    }
    *out = std::string_view(p, total);
    return true;
  }
  // Long chains: join pairwise through the scratch.
  std::string_view acc;
  for (const StrNode* part : parts_) {
    std::string_view s;
    if (!part->Eval(f, &s)) s = {};
    char* p = f.scratch->Allocate(acc.size() + s.size() + 1);
    if (!acc.empty()) std::memcpy(p, acc.data(), acc.size());
    if (!s.empty()) std::memcpy(p + acc.size(), s.data(), s.size());
    acc = std::string_view(p, acc.size() + s.size());
  }
  *out = acc;
  return true;
}

bool TextFnNode::Eval(const Frame& f, std::string_view* out) const {
  std::string_view s;
  if (!a_->Eval(f, &s)) return false;
  switch (fn_) {
    case TextFn::kTrim: {
      size_t b = 0, e = s.size();
      while (b < e && (s[b] == ' ' || s[b] == '\t')) ++b;
      while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t')) --e;
      *out = s.substr(b, e - b);
      return true;
    }
    case TextFn::kLower:
    case TextFn::kUpper: {
      char* p = f.scratch->Allocate(s.empty() ? 1 : s.size());
      const bool lower = fn_ == TextFn::kLower;
      for (size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (lower && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        if (!lower && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        p[i] = c;
      }
      *out = std::string_view(p, s.size());
      return true;
    }
  }
  return false;
}

template <typename T>
bool ToTextNode<T>::Eval(const Frame& f, std::string_view* out) const {
  T v;
  if (!a_->Eval(f, &v)) return false;
  char buf[64];
  size_t n = 0;
  if constexpr (std::is_same_v<T, Decimal>) {
    n = FormatDecimalTo(v, buf);
  } else if constexpr (std::is_same_v<T, SfId>) {
    IdTo18(v, buf);
    n = 18;
  } else if constexpr (std::is_same_v<T, Millis>) {
    n = FormatDateTimeTo(v, buf);
  } else {
    n = type_ == ValueType::kTime ? FormatTimeTo(v, buf) : FormatDateTo(v, buf);
  }
  *out = CopyToScratch(f, std::string_view(buf, n));
  return true;
}

template class ToTextNode<Decimal>;
template class ToTextNode<SfId>;
template class ToTextNode<Days>;
template class ToTextNode<Millis>;

bool ValueFnNode::Eval(const Frame& f, Decimal* out) const {
  std::string_view s;
  if (!a_->Eval(f, &s)) return false;
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  if (s.empty() || s.size() > 64) return false;
  std::optional<Decimal> d = Decimal::Parse(s);
  if (!d) return false;
  *out = *d;
  return true;
}

bool DateValueFromTextNode::Eval(const Frame& f, Days* out) const {
  std::string_view s;
  if (!a_->Eval(f, &s)) return false;
  if (s.size() > 40) return false;
  if (std::optional<Days> d = ParseIsoDate(s)) {
    *out = *d;
    return true;
  }
  if (std::optional<Millis> t = ParseIsoDateTime(s)) {
    int64_t day = *t / 86400000;
    if (*t % 86400000 < 0) --day;
    *out = static_cast<Days>(day);
    return true;
  }
  return false;
}

}  // namespace cf::engine::internal
