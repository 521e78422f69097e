#include "connectors/salesforce/soql_builder.h"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace cf::sf {
namespace {

bool Fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

bool IsAsciiLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EndsWithNoCase(std::string_view s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i) {
    if (Lower(s[s.size() - suffix.size() + i]) != Lower(suffix[i])) return false;
  }
  return true;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && EndsWithNoCase(a, b);
}

// A name quoted for an error message: safe even when it is the injection attempt being refused
// (cut, and control characters shown as '?').
std::string QuoteName(std::string_view name) {
  std::string out = "\"";
  for (size_t i = 0; i < name.size() && i < 60; ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    out += (c < 0x20 || c == 0x7F) ? '?' : static_cast<char>(c);
  }
  if (name.size() > 60) out += "...";
  return out + "\"";
}

void EscapeInto(std::string_view value, bool like, std::string* out) {
  out->reserve(out->size() + value.size() + 8);
  for (char c : value) {
    switch (c) {
      case '\\':
        *out += "\\\\";
        break;
      case '\'':
        *out += "\\'";
        break;
      case '"':
        *out += "\\\"";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      case '\b':
        *out += "\\b";
        break;
      case '\f':
        *out += "\\f";
        break;
      case '%':
        if (like) *out += '\\';
        *out += '%';
        break;
      case '_':
        if (like) *out += '\\';
        *out += '_';
        break;
      default: {
        unsigned char u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", static_cast<unsigned>(u));
          *out += buffer;
        } else {
          *out += c;
        }
      }
    }
  }
}

// Digits of a fixed-width field, e.g. Digits(s, 0, 4) for the year of "2026-01-01".
bool AllDigits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!IsDigit(s[i])) return false;
  }
  return true;
}

bool IsDateShape(std::string_view s) {
  return s.size() == 10 && AllDigits(s, 0, 4) && s[4] == '-' && AllDigits(s, 5, 2) && s[7] == '-' &&
         AllDigits(s, 8, 2);
}

bool IsDateTimeShape(std::string_view s) {
  if (s.size() < 20 || !IsDateShape(s.substr(0, 10)) || s[10] != 'T') return false;
  if (!(AllDigits(s, 11, 2) && s[13] == ':' && AllDigits(s, 14, 2) && s[16] == ':' &&
        AllDigits(s, 17, 2))) {
    return false;
  }
  std::string_view rest = s.substr(19);
  if (!rest.empty() && rest[0] == '.') {
    size_t n = 1;
    while (n < rest.size() && IsDigit(rest[n])) ++n;
    if (n == 1 || n > 4) return false;
    rest.remove_prefix(n);
  }
  if (rest == "Z") return true;
  if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && AllDigits(rest, 1, 2) &&
      rest[3] == ':' && AllDigits(rest, 4, 2)) {
    return true;
  }
  return rest.size() == 5 && (rest[0] == '+' || rest[0] == '-') && AllDigits(rest, 1, 4);
}

// TODAY, LAST_N_DAYS:7, NEXT_FISCAL_QUARTER, ...: the shape only; Salesforce checks the word.
bool IsDateLiteralKeyword(std::string_view s) {
  size_t colon = s.find(':');
  std::string_view word = s.substr(0, colon);
  if (word.empty()) return false;
  for (char c : word) {
    if (!((c >= 'A' && c <= 'Z') || c == '_')) return false;
  }
  if (colon == std::string_view::npos) return true;
  std::string_view n = s.substr(colon + 1);
  return !n.empty() && n.size() <= 9 && std::all_of(n.begin(), n.end(), IsDigit);
}

}  // namespace

// ---- Escaping ----------------------------------------------------------------------------------

std::string EscapeSoqlString(std::string_view value) {
  std::string out;
  EscapeInto(value, /*like=*/false, &out);
  return out;
}

std::string QuoteSoqlString(std::string_view value) {
  std::string out = "'";
  EscapeInto(value, /*like=*/false, &out);
  out += '\'';
  return out;
}

std::string EscapeSoqlLike(std::string_view value) {
  std::string out;
  EscapeInto(value, /*like=*/true, &out);
  return out;
}

// ---- Names -------------------------------------------------------------------------------------

bool IsValidApiName(std::string_view name) {
  if (name.empty() || name.size() > 255 || !IsAsciiLetter(name.front()) || name.back() == '_') {
    return false;
  }
  int parts = 1;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (!IsAsciiLetter(c) && !IsDigit(c) && c != '_') return false;
    if (c == '_' && i + 1 < name.size() && name[i + 1] == '_') {
      if (i + 2 < name.size() && name[i + 2] == '_') return false;  // "___"
      ++parts;
      ++i;
    }
  }
  return parts <= 4;
}

bool ValidateObjectName(std::string_view name, std::string* error) {
  if (!IsValidApiName(name)) {
    return Fail(error, "SOQL: " + QuoteName(name) +
                           " is not a valid object API name (letters, digits and underscores, "
                           "starting with a letter, e.g. Contact or Invoice__c)");
  }
  if (EndsWithNoCase(name, "__r")) {
    return Fail(error, "SOQL: " + QuoteName(name) +
                           " is a relationship name; query the object (its __c name) instead");
  }
  return true;
}

bool ValidateFieldPath(std::string_view path, std::string* error) {
  if (path.empty()) return Fail(error, "SOQL: a field name is empty");
  size_t parts = 0;
  size_t pos = 0;
  while (true) {
    size_t dot = path.find('.', pos);
    std::string_view part = path.substr(pos, dot == std::string_view::npos ? dot : dot - pos);
    ++parts;
    if (!IsValidApiName(part)) {
      return Fail(error, "SOQL: " + QuoteName(path) +
                             " is not a valid field path (API names of letters, digits and "
                             "underscores joined by dots, e.g. Account.Owner.Name)");
    }
    if (dot == std::string_view::npos) break;
    if (EndsWithNoCase(part, "__c")) {
      std::string fixed(part.substr(0, part.size() - 1));
      fixed += 'r';
      return Fail(error, "SOQL: in " + QuoteName(path) + ", " + QuoteName(part) +
                             " is a field, not a relationship; write " + fixed +
                             " to follow the lookup");
    }
    pos = dot + 1;
  }
  if (parts > 6) {
    return Fail(error, "SOQL: " + QuoteName(path) +
                           " follows more than five relationships; SOQL allows five");
  }
  return true;
}

// ---- Literals ----------------------------------------------------------------------------------

std::string FormatSoqlDateTime(SoqlTime t) {
  using namespace std::chrono;
  constexpr sys_days kMin = sys_days(year(0) / January / 1);
  constexpr sys_days kMax = sys_days(year(9999) / December / 31);
  sys_seconds s = floor<seconds>(t);
  if (s < kMin) s = kMin;
  if (s >= kMax + days(1)) s = kMax + days(1) - seconds(1);
  sys_days day = floor<days>(s);
  year_month_day ymd(day);
  hh_mm_ss<seconds> hms(s - day);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02uT%02d:%02d:%02dZ", int(ymd.year()),
                unsigned(ymd.month()), unsigned(ymd.day()), static_cast<int>(hms.hours().count()),
                static_cast<int>(hms.minutes().count()), static_cast<int>(hms.seconds().count()));
  return buffer;
}

std::string FormatSoqlDate(SoqlTime t) { return FormatSoqlDateTime(t).substr(0, 10); }

SoqlValue SoqlValue::String(std::string_view value) {
  SoqlValue v;
  v.text_ = QuoteSoqlString(value);
  v.is_string_ = true;
  return v;
}

SoqlValue SoqlValue::Number(std::string_view decimal) {
  SoqlValue v;
  std::string_view digits = decimal;
  if (!digits.empty() && digits.front() == '-') digits.remove_prefix(1);
  size_t dot = digits.find('.');
  std::string_view whole = digits.substr(0, dot);
  std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : digits.substr(dot + 1);
  bool ok =
      !whole.empty() && whole.size() <= 40 && std::all_of(whole.begin(), whole.end(), IsDigit) &&
      (dot == std::string_view::npos || (!fraction.empty() && fraction.size() <= 40 &&
                                         std::all_of(fraction.begin(), fraction.end(), IsDigit)));
  if (!ok) {
    v.error_ = "SOQL: " + QuoteName(decimal) +
               " is not a number (digits with an optional '-' and decimal point)";
    return v;
  }
  v.text_ = std::string(decimal);
  return v;
}

SoqlValue SoqlValue::Integer(int64_t value) {
  SoqlValue v;
  v.text_ = std::to_string(value);
  return v;
}

SoqlValue SoqlValue::Bool(bool value) {
  SoqlValue v;
  v.text_ = value ? "true" : "false";
  return v;
}

SoqlValue SoqlValue::Null() {
  SoqlValue v;
  v.text_ = "null";
  v.is_null_ = true;
  return v;
}

SoqlValue SoqlValue::DateTime(SoqlTime t) {
  SoqlValue v;
  v.text_ = FormatSoqlDateTime(t);
  return v;
}

SoqlValue SoqlValue::Date(SoqlTime t) {
  SoqlValue v;
  v.text_ = FormatSoqlDate(t);
  return v;
}

SoqlValue SoqlValue::DateText(std::string_view text) {
  SoqlValue v;
  if (IsDateShape(text) || IsDateTimeShape(text) || IsDateLiteralKeyword(text)) {
    v.text_ = std::string(text);
  } else {
    v.error_ = "SOQL: " + QuoteName(text) +
               " is not a date (2026-01-31), a datetime (2026-01-31T10:00:00Z) or a date "
               "literal (TODAY, LAST_N_DAYS:7)";
  }
  return v;
}

// ---- Conditions --------------------------------------------------------------------------------

SoqlCondition Soql::Make(std::string text, std::string error, bool compound) {
  SoqlCondition c;
  c.text_ = std::move(text);
  c.error_ = std::move(error);
  c.compound_ = compound;
  return c;
}

SoqlCondition Soql::Compare(std::string_view field, std::string_view op, const SoqlValue& value) {
  std::string error;
  if (!ValidateFieldPath(field, &error)) return Make({}, std::move(error), false);
  if (!value.error().empty()) return Make({}, value.error(), false);
  if (value.is_null() && op != "=" && op != "!=") {
    return Make({},
                "SOQL: " + QuoteName(field) + " " + std::string(op) +
                    " null is not a comparison SOQL allows; use = null or != null",
                false);
  }
  std::string text(field);
  text += ' ';
  text += op;
  text += ' ';
  text += value.text();
  return Make(std::move(text), {}, false);
}

SoqlCondition Soql::Eq(std::string_view field, const SoqlValue& value) {
  return Compare(field, "=", value);
}
SoqlCondition Soql::Ne(std::string_view field, const SoqlValue& value) {
  return Compare(field, "!=", value);
}
SoqlCondition Soql::Lt(std::string_view field, const SoqlValue& value) {
  return Compare(field, "<", value);
}
SoqlCondition Soql::Le(std::string_view field, const SoqlValue& value) {
  return Compare(field, "<=", value);
}
SoqlCondition Soql::Gt(std::string_view field, const SoqlValue& value) {
  return Compare(field, ">", value);
}
SoqlCondition Soql::Ge(std::string_view field, const SoqlValue& value) {
  return Compare(field, ">=", value);
}

SoqlCondition Soql::InList(std::string_view field, std::string_view op,
                           const std::vector<SoqlValue>& values) {
  std::string error;
  if (!ValidateFieldPath(field, &error)) return Make({}, std::move(error), false);
  if (values.empty()) {
    return Make(
        {}, "SOQL: " + std::string(op) + " needs at least one value (for " + QuoteName(field) + ")",
        false);
  }
  std::string text(field);
  text += ' ';
  text += op;
  text += " (";
  for (size_t i = 0; i < values.size(); ++i) {
    const SoqlValue& v = values[i];
    if (!v.error().empty()) return Make({}, v.error(), false);
    if (v.is_null()) {
      return Make({},
                  "SOQL: null cannot be in an " + std::string(op) + " list (for " +
                      QuoteName(field) + "); add OR " + std::string(field) + " = null",
                  false);
    }
    if (i > 0) text += ", ";
    text += v.text();
  }
  text += ')';
  return Make(std::move(text), {}, false);
}

SoqlCondition Soql::In(std::string_view field, const std::vector<SoqlValue>& values) {
  return InList(field, "IN", values);
}
SoqlCondition Soql::NotIn(std::string_view field, const std::vector<SoqlValue>& values) {
  return InList(field, "NOT IN", values);
}

SoqlCondition Soql::Like(std::string_view field, std::string_view text, bool leading,
                         bool trailing) {
  std::string error;
  if (!ValidateFieldPath(field, &error)) return Make({}, std::move(error), false);
  std::string out(field);
  out += " LIKE '";
  if (leading) out += '%';
  out += EscapeSoqlLike(text);
  if (trailing) out += '%';
  out += '\'';
  return Make(std::move(out), {}, false);
}

SoqlCondition Soql::Contains(std::string_view field, std::string_view text) {
  return Like(field, text, true, true);
}
SoqlCondition Soql::StartsWith(std::string_view field, std::string_view text) {
  return Like(field, text, false, true);
}
SoqlCondition Soql::EndsWith(std::string_view field, std::string_view text) {
  return Like(field, text, true, false);
}
SoqlCondition Soql::LikeExact(std::string_view field, std::string_view text) {
  return Like(field, text, false, false);
}

SoqlCondition Soql::Join(std::vector<SoqlCondition> conditions, std::string_view op) {
  if (conditions.empty()) {
    return Make({}, "SOQL: " + std::string(op) + " of no conditions", false);
  }
  for (const SoqlCondition& c : conditions) {
    if (!c.error().empty()) return c;
  }
  if (conditions.size() == 1) return std::move(conditions[0]);
  std::string text;
  for (size_t i = 0; i < conditions.size(); ++i) {
    if (i > 0) {
      text += ' ';
      text += op;
      text += ' ';
    }
    const SoqlCondition& c = conditions[i];
    if (c.compound_) {
      text += '(' + c.text() + ')';
    } else {
      text += c.text();
    }
  }
  return Make(std::move(text), {}, true);
}

SoqlCondition Soql::And(std::vector<SoqlCondition> conditions) {
  return Join(std::move(conditions), "AND");
}
SoqlCondition Soql::Or(std::vector<SoqlCondition> conditions) {
  return Join(std::move(conditions), "OR");
}

SoqlCondition Soql::Not(const SoqlCondition& condition) {
  if (!condition.error().empty()) return condition;
  return Make("NOT (" + condition.text() + ")", {}, true);
}

// ---- Queries -----------------------------------------------------------------------------------

SoqlQuery SoqlQuery::From(std::string_view object) {
  SoqlQuery q;
  std::string error;
  if (!ValidateObjectName(object, &error)) q.error_ = std::move(error);
  q.object_ = std::string(object);
  return q;
}

SoqlQuery& SoqlQuery::Select(std::initializer_list<std::string_view> fields) {
  for (std::string_view f : fields) fields_.emplace_back(f);
  return *this;
}

SoqlQuery& SoqlQuery::Select(const std::vector<std::string>& fields) {
  fields_.insert(fields_.end(), fields.begin(), fields.end());
  return *this;
}

SoqlQuery& SoqlQuery::Where(const SoqlCondition& condition) {
  if (error_.empty() && !condition.error().empty()) error_ = condition.error();
  where_.push_back(condition);
  return *this;
}

SoqlQuery& SoqlQuery::OrderBy(std::string_view field, bool descending) {
  std::string error;
  if (!ValidateFieldPath(field, &error)) {
    if (error_.empty()) error_ = std::move(error);
    return *this;
  }
  order_by_.push_back(std::string(field) + (descending ? " DESC" : ""));
  return *this;
}

SoqlQuery& SoqlQuery::Limit(int64_t n) {
  if (n <= 0) {
    if (error_.empty()) error_ = "SOQL: LIMIT must be a positive number";
    return *this;
  }
  limit_ = n;
  return *this;
}

std::optional<std::string> SoqlQuery::Build(std::string* error) const {
  if (!error_.empty()) {
    Fail(error, error_);
    return std::nullopt;
  }
  if (fields_.empty()) {
    Fail(error, "SOQL: a query of " + object_ + " selects no field");
    return std::nullopt;
  }
  std::vector<const std::string*> fields;
  for (const std::string& f : fields_) {
    if (!ValidateFieldPath(f, error)) return std::nullopt;
    bool seen = std::any_of(fields.begin(), fields.end(),
                            [&](const std::string* g) { return EqualsNoCase(*g, f); });
    if (!seen) fields.push_back(&f);
  }
  std::string soql = "SELECT ";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) soql += ", ";
    soql += *fields[i];
  }
  soql += " FROM ";
  soql += object_;
  if (!where_.empty()) {
    soql += " WHERE ";
    if (where_.size() == 1) {
      soql += where_[0].text();
    } else {
      SoqlCondition all = Soql::And(where_);
      soql += all.text();
    }
  }
  if (!order_by_.empty()) {
    soql += " ORDER BY ";
    for (size_t i = 0; i < order_by_.size(); ++i) {
      if (i > 0) soql += ", ";
      soql += order_by_[i];
    }
  }
  if (limit_) soql += " LIMIT " + std::to_string(*limit_);
  return soql;
}

std::optional<std::string> IncrementalQuery(std::string_view object,
                                            const std::vector<std::string>& fields,
                                            const IncrementalOptions& options, std::string* error) {
  std::vector<std::string> all = fields;
  for (const char* key : {"Id", "SystemModstamp"}) {
    bool present = std::any_of(all.begin(), all.end(),
                               [&](const std::string& f) { return EqualsNoCase(f, key); });
    if (!present) all.emplace_back(key);
  }
  SoqlQuery q = SoqlQuery::From(object);
  q.Select(all);
  const SoqlValue since = SoqlValue::DateTime(options.since);
  q.Where(options.inclusive ? Soql::Ge("SystemModstamp", since)
                            : Soql::Gt("SystemModstamp", since));
  if (options.until) q.Where(Soql::Le("SystemModstamp", SoqlValue::DateTime(*options.until)));
  for (const SoqlCondition& c : options.extra) q.Where(c);
  q.OrderBy("SystemModstamp").OrderBy("Id");
  if (options.limit) q.Limit(*options.limit);
  return q.Build(error);
}

// ---- The query endpoint ------------------------------------------------------------------------

std::string UrlEncodeComponent(std::string_view value) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(value.size() * 3);
  for (char c : value) {
    if (IsAsciiLetter(c) || IsDigit(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      unsigned char u = static_cast<unsigned char>(c);
      out += '%';
      out += kHex[u >> 4];
      out += kHex[u & 15];
    }
  }
  return out;
}

std::string QueryPath(std::string_view api_version, std::string_view soql, bool all_rows) {
  // "v" digits "." digits
  bool ok = api_version.size() >= 4 && api_version.size() <= 10 && api_version[0] == 'v';
  size_t dot = api_version.find('.');
  if (ok) {
    std::string_view major = api_version.substr(1, dot == std::string_view::npos ? 0 : dot - 1);
    std::string_view minor =
        dot == std::string_view::npos ? std::string_view() : api_version.substr(dot + 1);
    ok = !major.empty() && !minor.empty() && std::all_of(major.begin(), major.end(), IsDigit) &&
         std::all_of(minor.begin(), minor.end(), IsDigit);
  }
  if (!ok) return {};
  std::string out = "/services/data/";
  out += api_version;
  out += all_rows ? "/queryAll?q=" : "/query?q=";
  out += UrlEncodeComponent(soql);
  return out;
}

}  // namespace cf::sf
