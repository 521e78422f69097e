#include "tests/support/random_condition.h"

#include <algorithm>
#include <cstdlib>
#include <array>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "engine/schema.h"
#include "tests/support/ref_calendar.h"

namespace cf::test_support {

using engine::Field;
using engine::FieldType;
using engine::Object;

std::string RefId18(const std::string& id15) {
  static constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";
  std::string out = id15;
  for (int chunk = 0; chunk < 3; ++chunk) {
    int bits = 0;
    for (int i = 0; i < 5; ++i) {
      char c = id15[chunk * 5 + i];
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    out.push_back(kAlphabet[bits]);
  }
  return out;
}

namespace {

enum class G : uint8_t { kBool, kNumber, kText, kPicklist, kMulti, kId, kDate, kDateTime, kTime };
constexpr int kTypeCount = 9;

bool TypeOfField(const Field& f, G* out) {
  switch (f.type) {
    case FieldType::kBoolean: *out = G::kBool; return true;
    case FieldType::kInt: case FieldType::kLong: case FieldType::kDouble:
    case FieldType::kCurrency: case FieldType::kPercent: *out = G::kNumber; return true;
    case FieldType::kString: case FieldType::kTextArea: case FieldType::kEmail:
    case FieldType::kPhone: case FieldType::kUrl: *out = G::kText; return true;
    case FieldType::kPicklist: *out = G::kPicklist; return true;
    case FieldType::kMultiPicklist: *out = G::kMulti; return true;
    case FieldType::kId: case FieldType::kReference: *out = G::kId; return true;
    case FieldType::kDate: *out = G::kDate; return true;
    case FieldType::kDateTime: *out = G::kDateTime; return true;
    case FieldType::kTime: *out = G::kTime; return true;
    default: return false;
  }
}

struct FieldRef {
  std::string path;  // as written in a condition: "Account.Owner.Name", or "Name" in a child
  G type;
  const Object* object;  // the object holding the field
  const Field* field;
};

struct AggRef {
  std::string path;  // "Account.Opportunities"
  int child_object;
};

struct ScopeInfo {
  std::array<std::vector<FieldRef>, kTypeCount> by_type;
  // Inside aggregates: fields of event roots, used rarely (correlated conditions).
  std::array<std::vector<FieldRef>, kTypeCount> outer_by_type;
  std::vector<AggRef> aggregates;  // empty inside aggregates: no nested aggregates
};

struct Expr {
  std::string text;
  int prec;
};
constexpr int kPrecOr = 1, kPrecAnd = 2, kPrecNot = 3, kPrecCmp = 4, kPrecAdd = 5, kPrecMul = 6,
              kPrecUnary = 7, kPrecAtom = 8;

struct DateLiteralName {
  const char* name;
  bool takes_n;
};
constexpr DateLiteralName kDateLiterals[] = {
    {"YESTERDAY", false},       {"TODAY", false},           {"TOMORROW", false},
    {"LAST_WEEK", false},       {"THIS_WEEK", false},       {"NEXT_WEEK", false},
    {"LAST_MONTH", false},      {"THIS_MONTH", false},      {"NEXT_MONTH", false},
    {"LAST_90_DAYS", false},    {"NEXT_90_DAYS", false},    {"LAST_QUARTER", false},
    {"THIS_QUARTER", false},    {"NEXT_QUARTER", false},    {"LAST_YEAR", false},
    {"THIS_YEAR", false},       {"NEXT_YEAR", false},       {"LAST_N_DAYS", true},
    {"NEXT_N_DAYS", true},      {"N_DAYS_AGO", true},       {"N_DAYS_FROM_NOW", true},
    {"LAST_N_WEEKS", true},     {"NEXT_N_WEEKS", true},     {"N_WEEKS_AGO", true},
    {"N_WEEKS_FROM_NOW", true}, {"LAST_N_MONTHS", true},    {"NEXT_N_MONTHS", true},
    {"N_MONTHS_AGO", true},     {"N_MONTHS_FROM_NOW", true}, {"LAST_N_QUARTERS", true},
    {"NEXT_N_QUARTERS", true},  {"N_QUARTERS_AGO", true},   {"N_QUARTERS_FROM_NOW", true},
    {"LAST_N_YEARS", true},     {"NEXT_N_YEARS", true},     {"N_YEARS_AGO", true},
    {"N_YEARS_FROM_NOW", true},
};

std::string Pad(int64_t v, int width) {
  std::string s = std::to_string(v);
  while (static_cast<int>(s.size()) < width) s.insert(s.begin(), '0');
  return s;
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

std::string IsoDate(int64_t days) {
  RefCivil c = RefCivilFromDays(days);
  return Pad(c.year, 4) + "-" + Pad(c.month, 2) + "-" + Pad(c.day, 2);
}

// Canonical decimal text of a pool number ("500000.50" -> "500000.5", "-0" -> "0").
std::string CanonicalNumber(std::string v) {
  if (v.find('.') != std::string::npos) {
    while (!v.empty() && v.back() == '0') v.pop_back();
    if (!v.empty() && v.back() == '.') v.pop_back();
  }
  if (v == "-0") v = "0";
  return v;
}

// Splits UTF-8 into code points.
std::vector<std::string> CodePoints(const std::string& s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    unsigned char b = static_cast<unsigned char>(s[i]);
    size_t len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xE ? 3 : 4;
    len = std::min(len, s.size() - i);
    out.push_back(s.substr(i, len));
    i += len;
  }
  return out;
}

}  // namespace

struct RandomConditionGenerator::Impl {
  Impl(const engine::Environment& e, const DifferentialDomains& d, uint64_t seed,
       RandomConditionOptions o)
      : env(e), schema(e.schema()), domains(d), rng(seed), options(o) {
    for (const engine::Environment::Root& root : env.roots()) {
      AddFields(&root_scope, root.name + ".", root.object_index, 2, false);
    }
    for (const AggRef& agg : root_scope.aggregates) {
      if (child_scopes.count(agg.child_object) != 0) continue;
      ScopeInfo& s = child_scopes[agg.child_object];
      AddFields(&s, "", agg.child_object, 1, true);
      for (const engine::Environment::Root& root : env.roots()) {
        if (!schema.object(root.object_index).is_event) continue;
        ScopeInfo tmp;
        AddFields(&tmp, root.name + ".", root.object_index, 0, true);
        for (int t = 0; t < kTypeCount; ++t) {
          for (FieldRef& f : tmp.by_type[t]) s.outer_by_type[t].push_back(std::move(f));
        }
      }
    }
    for (const auto& [name, list] : domains.ids) {
      for (const std::string& id : list) all_ids.push_back(id);
    }
    for (const std::string& n : domains.numbers) {
      if (!IsZeroLiteral(n)) nonzero_numbers.push_back(n);
    }
  }

  // ----- Scopes -----

  bool IsRootName(const std::string& name) const { return env.FindRoot(name) >= 0; }

  void AddFields(ScopeInfo* s, const std::string& prefix, int object_index, int hops_left,
                 bool child_scope) {
    const Object& o = schema.object(object_index);
    for (const Field& f : o.fields) {
      G t;
      if (!TypeOfField(f, &t)) continue;
      if (child_scope && prefix.empty() && IsRootName(f.name)) continue;
      s->by_type[static_cast<int>(t)].push_back({prefix + f.name, t, &o, &f});
      if (hops_left > 0 && !f.relationship_name.empty() && f.reference_to.size() == 1) {
        // In a child scope a bare relationship name that is also a root name would be
        // ambiguous; the generator avoids it.
        if (child_scope && prefix.empty() && IsRootName(f.relationship_name)) continue;
        int target = schema.IndexOf(f.reference_to[0]);
        if (target >= 0) {
          AddFields(s, prefix + f.relationship_name + ".", target, hops_left - 1, child_scope);
        }
      }
    }
    if (!child_scope && hops_left >= 1) {
      for (const engine::ChildRelationship& cr : o.child_relationships) {
        int child = schema.IndexOf(cr.child_object);
        if (child >= 0) s->aggregates.push_back({prefix + cr.relationship_name, child});
      }
    }
  }

  // ----- Randomness -----

  bool Chance(double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; }
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); }
  template <typename T>
  const T& Pick(const std::vector<T>& v) {
    return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(rng)];
  }
  // Index chosen with the given weights.
  size_t Weighted(std::initializer_list<int> weights) {
    int total = 0;
    for (int w : weights) total += w;
    int x = Int(0, total - 1);
    size_t i = 0;
    for (int w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return 0;
  }

  // ----- Rendering -----

  std::string RandomCase(const std::string& word) {
    size_t form = Weighted({70, 14, 8, 8});
    std::string out = word;
    for (size_t i = 0; i < out.size(); ++i) {
      char& c = out[i];
      bool upper = form == 0 ? (c >= 'A' && c <= 'Z')
                   : form == 1 ? false
                   : form == 2 ? i == 0
                               : Chance(0.5);
      if (form == 0) continue;
      if (c >= 'a' && c <= 'z' && upper) c = static_cast<char>(c - 'a' + 'A');
      if (c >= 'A' && c <= 'Z' && !upper) c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  }
  std::string Kw(const char* keyword) { return RandomCase(keyword); }

  std::string Name(const std::string& path) {
    size_t form = Weighted({85, 10, 5});
    if (form == 0) return path;
    std::string out = path;
    for (char& c : out) {
      if (form == 1 && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
      if (form == 2 && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    return out;
  }

  Expr Wrap(Expr e, int min_prec) {
    if (e.prec < min_prec || Chance(options.extra_parens)) {
      return {"(" + e.text + ")", kPrecAtom};
    }
    return e;
  }

  // "a op b" with each operand parenthesised when its precedence is below the minimum. The
  // random choices are made in a fixed order (left, right) so that output depends only on
  // the seed.
  Expr Join(const Expr& a, const std::string& op, const Expr& b, int min_a, int min_b,
            int prec) {
    std::string left = Wrap(a, min_a).text;
    std::string right = Wrap(b, min_b).text;
    return {left + op + right, prec};
  }

  // An operator with random spacing (symbols only; words always get spaces).
  std::string Sym(const char* op) {
    return Chance(0.1) ? std::string(op) : " " + std::string(op) + " ";
  }

  // A list separator. After a currency literal the comma needs a space: "$3,500" is one
  // number.
  std::string Comma(const Expr& previous) {
    if (previous.text.find('$') != std::string::npos) return ", ";
    return Chance(0.8) ? ", " : ",";
  }

  Expr Call(const char* name, const std::vector<Expr>& args) {
    std::string text = Kw(name) + "(";
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) text += Comma(args[i - 1]);
      text += args[i].text;
    }
    return {text + ")", kPrecAtom};
  }

  // ----- Literals -----

  std::string Quote(const std::string& s) {
    char q = Chance(0.5) ? '\'' : '"';
    char other = q == '\'' ? '"' : '\'';
    std::string out(1, q);
    for (char c : s) {
      if (c == '\\') {
        out += "\\\\";
      } else if (c == q) {
        out += std::string("\\") + q;
      } else if (c == other && Chance(0.3)) {
        out += std::string("\\") + other;
      } else if (c == '\n') {
        out += "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        out.push_back(c);
      }
    }
    out.push_back(q);
    return out;
  }

  Expr TextLiteral(const std::vector<std::string>& pool) { return {Quote(Pick(pool)), kPrecAtom}; }

  Expr NumberLiteralText(std::string v) {
    bool negative = !v.empty() && v[0] == '-';
    std::string mag = negative ? v.substr(1) : v;
    size_t dot = mag.find('.');
    std::string whole = mag.substr(0, dot);
    std::string frac = dot == std::string::npos ? "" : mag.substr(dot + 1);
    std::string text;
    if (Chance(0.25)) {  // currency: $500,000 / $500000 / $1,234.50
      std::string grouped = whole;
      if (Chance(0.6)) {
        grouped.clear();
        for (size_t i = 0; i < whole.size(); ++i) {
          if (i > 0 && (whole.size() - i) % 3 == 0) grouped.push_back(',');
          grouped.push_back(whole[i]);
        }
      }
      text = "$" + grouped;
    } else {
      text = whole;
    }
    if (!frac.empty()) {
      text += "." + frac;
      if (Chance(0.2)) text += "0";
    } else if (Chance(0.05)) {
      text += ".00";
    }
    if (negative) return {"-" + text, kPrecUnary};
    return {text, kPrecAtom};
  }
  Expr NumberLiteral() { return NumberLiteralText(Pick(domains.numbers)); }
  static bool IsZeroLiteral(const std::string& text) {
    return text.find_first_of("123456789") == std::string::npos &&
           text.find_first_of("0") != std::string::npos &&
           text.find_first_not_of("-$0,.") == std::string::npos;
  }
  Expr SmallIntLiteral() { return {std::to_string(Int(0, 5)), kPrecAtom}; }

  Expr IdLiteral(const FieldRef& f) {
    std::string target = domains.IdTargetOf(*f.object, *f.field);
    const std::vector<std::string>& pool =
        target.empty() || domains.IdsOf(target).empty() ? all_ids : domains.IdsOf(target);
    std::string id = Pick(pool);
    switch (Weighted({40, 30, 20, 10})) {
      case 0: break;
      case 1: id = RefId18(id); break;
      case 2:
        id = RefId18(id);
        for (char& c : id) {
          if (Chance(0.5)) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A'
                                               : c >= 'A' && c <= 'Z' ? c - 'A' + 'a'
                                                                      : c);
        }
        break;
      default: {  // a 15-character Id in another letter case: a different record
        for (char& c : id) {
          if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
            break;
          }
          if (c >= 'A' && c <= 'Z' && Chance(0.5)) {
            c = static_cast<char>(c - 'A' + 'a');
            break;
          }
        }
      }
    }
    return {Quote(id), kPrecAtom};
  }

  Expr DateIso() { return {IsoDate(Pick(domains.dates)), kPrecAtom}; }

  Expr DateTimeIso() {
    int64_t ms = Pick(domains.datetimes);
    int64_t seconds = FloorDiv(ms, 1000);
    int offset_minutes = 0;
    size_t form = Weighted({60, 20, 20});
    if (form == 1) offset_minutes = 330;
    if (form == 2) offset_minutes = -480;
    int64_t local = seconds + offset_minutes * 60;
    int64_t day = FloorDiv(local, 86400);
    int64_t in_day = local - day * 86400;
    std::string text = IsoDate(day) + "T" + Pad(in_day / 3600, 2) + ":" + Pad(in_day / 60 % 60, 2) +
                       ":" + Pad(in_day % 60, 2);
    if (form == 0) {
      text += "Z";
    } else {
      int m = offset_minutes < 0 ? -offset_minutes : offset_minutes;
      text += std::string(offset_minutes < 0 ? "-" : "+") + Pad(m / 60, 2) + ":" + Pad(m % 60, 2);
    }
    return {text, kPrecAtom};
  }

  // A SOQL date literal; *n_out receives its n (0 when it takes none), *name_out its name.
  Expr DateLiteral(int* n_out = nullptr, std::string* name_out = nullptr) {
    const DateLiteralName& d = kDateLiterals[Int(0, std::size(kDateLiterals) - 1)];
    if (name_out != nullptr) *name_out = d.name;
    std::string text = Kw(d.name);
    int n = 0;
    if (d.takes_n) {
      static constexpr int kNs[] = {1, 2, 3, 7, 30, 90, 365};
      n = Chance(0.03) ? 0 : kNs[Int(0, std::size(kNs) - 1)];
      text += ":" + std::to_string(n);
    }
    if (n_out != nullptr) *n_out = n;
    return {text, kPrecAtom};
  }

  // A date on or next to an edge of the date literal `name` (with parameter n), computed
  // from TODAY() so that it lands there whatever today is: TODAY() +/- k for k at the edge of
  // day ranges, multiples of 7 for weeks, TODAY() - DAY(TODAY()) (+1) for month edges.
  Expr DateNearEdge(const std::string& name, int n) {
    const bool past = name.find("LAST") == 0 || name.find("AGO") != std::string::npos ||
                      name == "YESTERDAY";
    const bool days = name.find("DAYS") != std::string::npos || name == "YESTERDAY" ||
                      name == "TODAY" || name == "TOMORROW";
    const bool weeks = name.find("WEEK") != std::string::npos;
    std::string today = Kw("TODAY") + "()";
    if (!days && !weeks) {  // months, quarters, years: a month's last or first day
      std::string text = today + " - " + Kw("DAY") + "(" + today + ")";
      int extra = Int(-1, 2);
      if (extra != 0) {
        text += (extra < 0 ? " - " : " + ") + std::to_string(extra < 0 ? -extra : extra);
      }
      return {text, kPrecAdd};
    }
    int base = name.find("90") != std::string::npos ? 90 : n;
    if (name == "YESTERDAY" || name == "TOMORROW") base = 1;
    if (name == "TODAY") base = 0;
    if (weeks) base = 7 * std::max(n, 1);
    int k = base + Int(weeks ? -7 : -1, weeks ? 7 : 1);
    bool minus = Chance(0.8) ? past : !past;
    if (k < 0) {
      k = -k;
      minus = !minus;
    }
    if (k == 0) return {today, kPrecAtom};
    return {today + (minus ? " - " : " + ") + std::to_string(k), kPrecAdd};
  }

  Expr PicklistLiteral(const FieldRef& f) {
    return {Quote(Pick(f.field->picklist_values).value), kPrecAtom};
  }

  // A LIKE pattern derived from a pool value: wildcards, case changes, escaped % and _.
  Expr LikePattern(const std::vector<std::string>& pool) {
    if (Chance(0.03)) return {Quote("%"), kPrecAtom};
    std::vector<std::string> cps = CodePoints(Pick(pool));
    struct Tok {
      bool wildcard;
      std::string text;
    };
    std::vector<Tok> toks;
    for (std::string& cp : cps) {
      if (cp.size() == 1 && Chance(0.15)) {
        char c = cp[0];
        if (c >= 'a' && c <= 'z') cp[0] = static_cast<char>(c - 'a' + 'A');
        if (c >= 'A' && c <= 'Z') cp[0] = static_cast<char>(c - 'A' + 'a');
      }
      toks.push_back({false, cp});
    }
    if (!toks.empty() && Chance(0.2)) toks[Int(0, static_cast<int>(toks.size()) - 1)] = {true, "_"};
    if (!toks.empty() && Chance(0.3)) {
      toks.erase(toks.begin(), toks.begin() + Int(0, static_cast<int>(toks.size()) / 2));
      toks.insert(toks.begin(), {true, "%"});
    }
    if (!toks.empty() && Chance(0.3)) {
      toks.resize(toks.size() - Int(0, static_cast<int>(toks.size()) / 2));
      toks.push_back({true, "%"});
    }
    if (toks.size() > 2 && Chance(0.1)) toks.insert(toks.begin() + 1, {true, "%"});
    // Render with the string's quote and escapes; % and _ that are text get \% and \_.
    char q = Chance(0.5) ? '\'' : '"';
    std::string out(1, q);
    for (const Tok& t : toks) {
      if (t.wildcard) {
        out += t.text;
      } else if (t.text == "%" || t.text == "_") {
        out += "\\" + t.text;
      } else if (t.text == "\\") {
        out += "\\\\";
      } else if (t.text.size() == 1 && t.text[0] == q) {
        out += std::string("\\") + q;
      } else if (t.text == "\n") {
        out += "\\n";
      } else if (t.text == "\t") {
        out += "\\t";
      } else {
        out += t.text;
      }
    }
    out.push_back(q);
    return {out, kPrecAtom};
  }

  // A piece of a pool value (for CONTAINS, STARTS WITH, ENDS WITH, BEGINS).
  std::string Needle(const std::vector<std::string>& pool, int where /* 0 any, 1 start, 2 end */) {
    std::vector<std::string> cps = CodePoints(Pick(pool));
    if (cps.empty()) return "";
    int n = static_cast<int>(cps.size());
    int len = Int(0, n);
    int start = where == 1 ? 0 : where == 2 ? n - len : Int(0, n - len);
    std::string out;
    for (int i = start; i < start + len; ++i) out += cps[i];
    if (Chance(0.15)) {
      for (char& c : out) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
      }
    }
    return out;
  }

  // ----- Fields -----

  const FieldRef* PickField(const ScopeInfo& s, G t) {
    const auto& outer = s.outer_by_type[static_cast<int>(t)];
    if (!outer.empty() && Chance(0.08)) return &Pick(outer);
    const auto& list = s.by_type[static_cast<int>(t)];
    if (list.empty()) return outer.empty() ? nullptr : &Pick(outer);
    return &Pick(list);
  }

  Expr FieldExpr(const FieldRef& f) { return {Name(f.path), kPrecAtom}; }

  const std::vector<std::string>& TextPoolOf(const FieldRef* f) {
    return f != nullptr ? domains.TextsFor(*f->field) : domains.texts;
  }

  // ----- Typed expressions -----

  // A number, usually built around a number field.
  Expr GenNumber(const ScopeInfo& s, int depth) {
    const FieldRef* f = PickField(s, G::kNumber);
    if (depth <= 0 || Chance(0.35)) {
      if (f != nullptr && Chance(0.75)) return FieldExpr(*f);
      return NumberLiteral();
    }
    const int aggregates = s.aggregates.empty() ? 0 : 5;
    switch (Weighted({14, 8, 8, 5, 4, 5, 4, 4, 6, 6, 4, 3, 2, aggregates, 1, 1})) {
      case 0: case 1: case 2: {  // arithmetic
        static constexpr const char* kOps[] = {"+", "-", "*", "/"};
        int op = Int(0, 3);
        Expr a = GenNumber(s, depth - 1);
        // A literal zero divisor is a compile error (constant division by zero); avoid it.
        Expr b = op == 3 && Chance(0.5) ? NumberLiteralText(Pick(nonzero_numbers))
                                        : GenNumber(s, depth - 1);
        if (op == 3 && IsZeroLiteral(b.text)) b = NumberLiteralText("7");
        int prec = op < 2 ? kPrecAdd : kPrecMul;
        std::string sym = op == 1 ? " - " : Sym(kOps[op]);
        return Join(a, sym, b, prec, prec + 1, prec);
      }
      case 3: {  // unary minus
        Expr a = Wrap(GenNumber(s, depth - 1), kPrecUnary);
        if (a.text[0] == '-') a = {"(" + a.text + ")", kPrecAtom};
        return {"-" + a.text, kPrecUnary};
      }
      case 4: return Call("ABS", {GenNumber(s, depth - 1)});
      case 5: {
        static constexpr int kDigits[] = {-2, -1, 0, 0, 1, 2, 5};
        int d = kDigits[Int(0, std::size(kDigits) - 1)];
        Expr digits = d < 0 ? Expr{"-" + std::to_string(-d), kPrecUnary}
                            : Expr{std::to_string(d), kPrecAtom};
        return Call("ROUND", {GenNumber(s, depth - 1), digits});
      }
      case 6: {
        std::vector<Expr> args;
        int n = Int(2, 3);
        for (int i = 0; i < n; ++i) args.push_back(GenNumber(s, depth - 1));
        return Call(Chance(0.5) ? "MIN" : "MAX", args);
      }
      case 7: return Call("LEN", {GenText(s, depth - 1, nullptr)});
      case 8: {
        // VALUE of text that is often a number.
        static const std::vector<std::string> kNumberTexts = {
            " 7", "7 ", "\t7\t", "7\n", "+7", "1e3", "1E-2", "1,000", "abc", "-.5", "5.", "0.10",
            "12", "", "-", "1.0000000005", "99999999999999999999999999999"};
        Expr t = Chance(0.5) ? TextLiteral(Chance(0.5) ? kNumberTexts : domains.texts)
                             : GenText(s, depth - 1, nullptr);
        return Call("VALUE", {t});
      }
      case 9: {
        static constexpr const char* kParts[] = {"YEAR", "MONTH", "DAY"};
        const char* part = kParts[Int(0, 2)];
        return Call(part, {GenDate(s, depth - 1)});
      }
      case 10: return Call("BLANKVALUE", {GenNumber(s, depth - 1), GenNumber(s, depth - 1)});
      case 11: {
        Expr c = GenBool(s, depth - 1);
        Expr a = GenNumber(s, depth - 1);
        Expr b = Chance(0.15) ? Expr{Kw("null"), kPrecAtom} : GenNumber(s, depth - 1);
        if (Chance(0.5)) std::swap(a, b);
        return Call("IF", {c, a, b});
      }
      case 12: return f != nullptr ? FieldExpr(*f) : NumberLiteral();
      case 13: return NumberAggregate(s, depth - 1);
      case 14: {  // date - date
        Expr a = GenDate(s, depth - 1);
        Expr b = GenDate(s, depth - 1);
        return Join(a, " - ", b, kPrecAdd, kPrecMul, kPrecAdd);
      }
      default: {  // datetime - datetime
        Expr a = GenDateTime(s, depth - 1);
        Expr b = GenDateTime(s, depth - 1);
        return Join(a, " - ", b, kPrecAdd, kPrecMul, kPrecAdd);
      }
    }
  }

  Expr NumberAggregate(const ScopeInfo& s, int depth, bool* is_count = nullptr) {
    const AggRef& agg = Pick(s.aggregates);
    const ScopeInfo& child = child_scopes.at(agg.child_object);
    Expr rel{Name(agg.path), kPrecAtom};
    bool filter = Chance(0.5);
    switch (Weighted({4, 4, 3})) {
      case 0: {
        if (is_count != nullptr) *is_count = true;
        std::vector<Expr> args{rel};
        if (filter) args.push_back(GenBool(child, std::max(depth, 1) - 1));
        return Call("COUNT", args);
      }
      case 1: {
        std::vector<Expr> args{rel, GenNumber(child, std::min(depth, 1))};
        if (filter) args.push_back(GenBool(child, std::max(depth, 1) - 1));
        return Call("SUM", args);
      }
      default: {
        std::vector<Expr> args{rel, GenNumber(child, std::min(depth, 1))};
        if (filter) args.push_back(GenBool(child, std::max(depth, 1) - 1));
        return Call(Chance(0.5) ? "MIN" : "MAX", args);
      }
    }
  }

  // Text, built around `*around` (a text field) when given, else around a random text field.
  Expr GenText(const ScopeInfo& s, int depth, const FieldRef** around) {
    const FieldRef* f = PickField(s, G::kText);
    if (around != nullptr) *around = f;
    if (depth <= 0 || Chance(0.4)) {
      if (f != nullptr && Chance(0.85)) return FieldExpr(*f);
      return TextLiteral(TextPoolOf(f));
    }
    switch (Weighted({8, 4, 4, 3, 4, 1, 2, 1})) {
      case 0: {  // concatenation
        Expr a = f != nullptr ? FieldExpr(*f) : TextLiteral(domains.texts);
        Expr b = Chance(0.5) ? TextLiteral(domains.names) : GenText(s, depth - 1, nullptr);
        if (Chance(0.5)) std::swap(a, b);
        return Join(a, Sym("&"), b, kPrecAdd, kPrecMul, kPrecAdd);
      }
      case 1: {
        static constexpr const char* kFns[] = {"LOWER", "UPPER", "TRIM"};
        const char* fn = kFns[Int(0, 2)];
        return Call(fn, {f != nullptr ? FieldExpr(*f) : GenText(s, depth - 1, nullptr)});
      }
      case 2: {  // TEXT(number | picklist)
        if (Chance(0.5)) return Call("TEXT", {GenNumber(s, depth - 1)});
        const FieldRef* p = PickField(s, G::kPicklist);
        if (p == nullptr) return Call("TEXT", {GenNumber(s, depth - 1)});
        return Call("TEXT", {FieldExpr(*p)});
      }
      case 3: {  // TEXT(date | datetime | boolean)
        size_t k = Weighted({5, 3, 1});
        if (k == 0) return Call("TEXT", {GenDate(s, depth - 1)});
        if (k == 1) return Call("TEXT", {GenDateTime(s, depth - 1)});
        const FieldRef* b = PickField(s, G::kBool);
        return Call("TEXT", {b != nullptr ? FieldExpr(*b) : Expr{Kw("true"), kPrecAtom}});
      }
      case 4:
        return Call("BLANKVALUE", {f != nullptr ? FieldExpr(*f) : GenText(s, depth - 1, nullptr),
                                   Chance(0.6) ? TextLiteral(TextPoolOf(f))
                                               : GenText(s, depth - 1, nullptr)});
      case 5:
        return Call("IF", {GenBool(s, depth - 1), GenText(s, depth - 1, nullptr),
                           GenText(s, depth - 1, nullptr)});
      case 6: return Call("TRIM", {GenText(s, depth - 1, nullptr)});
      default: return f != nullptr ? FieldExpr(*f) : TextLiteral(domains.texts);
    }
  }

  Expr GenDate(const ScopeInfo& s, int depth) {
    const FieldRef* f = PickField(s, G::kDate);
    if (depth <= 0 || Chance(0.5)) {
      if (f != nullptr && Chance(0.9)) return FieldExpr(*f);
      return Call("TODAY", {});
    }
    switch (Weighted({3, 4, 3, 2, 2, 1})) {
      case 0: return Call("TODAY", {});
      case 1: {  // DATEVALUE(text | datetime)
        if (Chance(0.5)) {
          std::vector<std::string> texts{IsoDate(Pick(domains.dates)), "2024-02-30", "20240331",
                                         "not a date", ""};
          return Call("DATEVALUE", {TextLiteral(texts)});
        }
        return Call("DATEVALUE", {GenDateTime(s, depth - 1)});
      }
      case 2: {  // date +/- n
        static constexpr int kDays[] = {1, 7, 30, 90, 365};
        Expr n{std::to_string(kDays[Int(0, std::size(kDays) - 1)]), kPrecAtom};
        Expr d = f != nullptr ? FieldExpr(*f) : Call("TODAY", {});
        if (Chance(0.15)) return {n.text + " + " + Wrap(d, kPrecMul).text, kPrecAdd};
        std::string left = Wrap(d, kPrecAdd).text;
        return {left + (Chance(0.5) ? " + " : " - ") + n.text, kPrecAdd};
      }
      case 3: return Call("BLANKVALUE", {GenDate(s, depth - 1), GenDate(s, depth - 1)});
      case 4:
        return Call("IF", {GenBool(s, depth - 1), GenDate(s, depth - 1), GenDate(s, depth - 1)});
      default: return f != nullptr ? FieldExpr(*f) : Call("TODAY", {});
    }
  }

  Expr GenDateTime(const ScopeInfo& s, int depth) {
    const FieldRef* f = PickField(s, G::kDateTime);
    if (depth <= 0 || Chance(0.7)) {
      if (f != nullptr && Chance(0.9)) return FieldExpr(*f);
      return Call("NOW", {});
    }
    switch (Weighted({2, 2, 1, 3})) {
      case 0: return Call("NOW", {});
      case 1: return Call("BLANKVALUE", {GenDateTime(s, depth - 1), GenDateTime(s, depth - 1)});
      case 3: {  // datetime +/- days, fractions included
        static constexpr const char* kDays[] = {"1", "7", "0.5", "0.25", "1.5", "0.001", "30"};
        Expr n{kDays[Int(0, std::size(kDays) - 1)], kPrecAtom};
        Expr d = f != nullptr ? FieldExpr(*f) : Call("NOW", {});
        if (Chance(0.15)) return {n.text + " + " + Wrap(d, kPrecMul).text, kPrecAdd};
        std::string left = Wrap(d, kPrecAdd).text;
        return {left + (Chance(0.5) ? " + " : " - ") + n.text, kPrecAdd};
      }
      default:
        return Call("IF", {GenBool(s, depth - 1), GenDateTime(s, depth - 1),
                           GenDateTime(s, depth - 1)});
    }
  }

  // TEXT(x) compared with a literal that is often exactly TEXT of some record value, so that
  // the text forms of numbers, dates, date/times, booleans and Ids are checked.
  Expr GenConversionComparison(const ScopeInfo& s) {
    Expr converted;
    std::string literal;
    switch (Weighted({5, 3, 4, 2, 2, 2})) {
      case 5: {
        const FieldRef* f = PickField(s, G::kTime);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        int64_t t = Pick(domains.times);
        literal = Pad(t / 3600000, 2) + ":" + Pad(t / 60000 % 60, 2) + ":" + Pad(t / 1000 % 60, 2) +
                  "." + Pad(t % 1000, 3) + "Z";
        break;
      }
      case 0: {
        const FieldRef* f = PickField(s, G::kNumber);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        std::string v = Pick(domains.numbers);
        literal = Chance(0.8) ? CanonicalNumber(v) : v;
        break;
      }
      case 1: {
        const FieldRef* f = PickField(s, G::kDate);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        literal = IsoDate(Pick(domains.dates));
        break;
      }
      case 2: {
        const FieldRef* f = PickField(s, G::kDateTime);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        int64_t ms = Pick(domains.datetimes);
        int64_t day = FloorDiv(ms, 86400000);
        int64_t in_day = ms - day * 86400000;
        std::string hms = Pad(in_day / 3600000, 2) + ":" + Pad(in_day / 60000 % 60, 2) + ":" +
                          Pad(in_day / 1000 % 60, 2);
        literal = Chance(0.5) ? IsoDate(day) + " " + hms + "Z"
                              : IsoDate(day) + "T" + hms + "." + Pad(in_day % 1000, 3) + "Z";
        break;
      }
      case 3: {
        const FieldRef* f = PickField(s, G::kBool);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        literal = Chance(0.5) ? "true" : "false";
        break;
      }
      default: {
        const FieldRef* f = PickField(s, G::kId);
        if (f == nullptr) return GenComparison(s, 0);
        converted = Call("TEXT", {FieldExpr(*f)});
        std::string target = domains.IdTargetOf(*f->object, *f->field);
        const std::vector<std::string>& pool =
            target.empty() || domains.IdsOf(target).empty() ? all_ids : domains.IdsOf(target);
        literal = Pick(pool);
        if (Chance(0.7)) literal = RefId18(literal);
      }
    }
    if (Chance(0.2)) {  // the length of the text form
      Expr len = Call("LEN", {converted});
      const char* op = CompareOp(false);
      return Comparison(len, op, {std::to_string(CodePoints(literal).size()), kPrecAtom});
    }
    const char* op = CompareOp(Chance(0.8));
    return Comparison(converted, op, {Quote(literal), kPrecAtom});
  }

  // ----- Conditions -----

  const char* CompareOp(bool equality_only) {
    static constexpr const char* kEq[] = {"=", "==", "!=", "<>"};
    static constexpr const char* kAll[] = {"=", "==", "!=", "<>", "<", "<=", ">", ">="};
    if (equality_only) return kEq[Int(0, 3)];
    return kAll[Int(0, 7)];
  }

  Expr Comparison(const Expr& a, const char* op, const Expr& b) {
    return Join(a, Sym(op), b, kPrecAdd, kPrecAdd, kPrecCmp);
  }

  Expr GenComparison(const ScopeInfo& s, int depth) {
    switch (Weighted({30, 20, 12, 8, 20, 10, 2, 4, 6})) {
      case 0: {  // numbers
        Expr a = GenNumber(s, depth);
        Expr b = Chance(0.7) ? NumberLiteral() : GenNumber(s, depth);
        return Comparison(a, CompareOp(false), b);
      }
      case 1: {  // text
        const FieldRef* f = nullptr;
        Expr a = GenText(s, depth, &f);
        if (Chance(0.2)) {  // its length, against the length in characters of a pool value
          Expr len = Call("LEN", {a});
          int k = static_cast<int>(CodePoints(Pick(TextPoolOf(f))).size()) + Int(-1, 1);
          const char* op = CompareOp(false);
          return Comparison(len, op, {std::to_string(std::max(k, 0)), kPrecAtom});
        }
        Expr b = Chance(0.8) ? TextLiteral(TextPoolOf(f)) : GenText(s, depth, nullptr);
        return Comparison(a, CompareOp(Chance(0.65)), b);
      }
      case 2: {  // picklist
        const FieldRef* p = PickField(s, G::kPicklist);
        if (p == nullptr) return GenComparison(s, depth);
        Expr a = Chance(0.15) ? Call("TEXT", {FieldExpr(*p)}) : FieldExpr(*p);
        const char* op = CompareOp(true);
        return Comparison(a, op, PicklistLiteral(*p));
      }
      case 3: {  // ids
        const FieldRef* f = PickField(s, G::kId);
        if (f == nullptr) return GenComparison(s, depth);
        Expr a = FieldExpr(*f);
        const char* op = CompareOp(true);
        if (Chance(0.2)) return Comparison(a, op, FieldExpr(*PickField(s, G::kId)));
        return Comparison(a, op, IdLiteral(*f));
      }
      case 4: {  // dates
        Expr a = GenDate(s, depth);
        Expr b;
        switch (Weighted({60, 20, 10, 10})) {
          case 0: {
            int n = 0;
            std::string name;
            b = DateLiteral(&n, &name);
            if (Chance(0.5)) a = DateNearEdge(name, n);
            break;
          }
          case 1: b = DateIso(); break;
          case 2: b = Call("TODAY", {}); break;
          default: b = GenDate(s, 0);
        }
        return Comparison(a, CompareOp(false), b);
      }
      case 5: {  // datetimes
        Expr a = GenDateTime(s, depth);
        Expr b;
        switch (Weighted({50, 30, 10, 10})) {
          case 0: b = DateLiteral(); break;
          case 1: b = DateTimeIso(); break;
          case 2: b = Call("NOW", {}); break;
          default: b = GenDateTime(s, 0);
        }
        return Comparison(a, CompareOp(false), b);
      }
      case 6: {  // times
        const FieldRef* f = PickField(s, G::kTime);
        const FieldRef* g = PickField(s, G::kTime);
        if (f == nullptr) return GenComparison(s, depth);
        Expr a = FieldExpr(*f);
        const char* op = CompareOp(false);
        return Comparison(a, op, FieldExpr(*g));
      }
      case 8: return GenConversionComparison(s);
      default: {  // booleans
        const FieldRef* f = PickField(s, G::kBool);
        if (f == nullptr) return GenComparison(s, depth);
        Expr b = Chance(0.8) ? Expr{Kw(Chance(0.5) ? "true" : "false"), kPrecAtom}
                             : Wrap(GenBool(s, depth), kPrecAtom);
        Expr a = FieldExpr(*f);
        return Comparison(a, CompareOp(true), b);
      }
    }
  }

  Expr GenIn(const ScopeInfo& s, int depth) {
    Expr x;
    std::vector<Expr> items;
    int n = Int(1, 4);
    G type = static_cast<G>(0);
    const FieldRef* f = nullptr;
    switch (Weighted({30, 25, 15, 10, 10})) {
      case 0: {
        x = GenText(s, depth, &f);
        for (int i = 0; i < n; ++i) items.push_back(TextLiteral(TextPoolOf(f)));
        type = G::kText;
        break;
      }
      case 1: {
        f = PickField(s, G::kPicklist);
        if (f == nullptr) return GenComparison(s, depth);
        x = FieldExpr(*f);
        for (int i = 0; i < n; ++i) items.push_back(PicklistLiteral(*f));
        type = G::kPicklist;
        break;
      }
      case 2: {
        x = GenNumber(s, depth);
        for (int i = 0; i < n; ++i) items.push_back(NumberLiteral());
        type = G::kNumber;
        break;
      }
      case 3: {
        f = PickField(s, G::kId);
        if (f == nullptr) return GenComparison(s, depth);
        x = FieldExpr(*f);
        for (int i = 0; i < n; ++i) items.push_back(IdLiteral(*f));
        type = G::kId;
        break;
      }
      default: {
        f = PickField(s, G::kDate);
        if (f == nullptr) return GenComparison(s, depth);
        x = FieldExpr(*f);
        for (int i = 0; i < n; ++i) items.push_back(DateIso());
        type = G::kDate;
      }
    }
    if (Chance(0.3)) {
      int at = Int(0, static_cast<int>(items.size()));
      items.insert(items.begin() + at, Expr{Kw("null"), kPrecAtom});
    }
    if (Chance(0.05)) {  // a field among the literals: may be null at run time
      if (const FieldRef* g = PickField(s, type)) items.push_back(FieldExpr(*g));
    }
    std::string text = Wrap(x, kPrecAdd).text + " ";
    if (Chance(0.3)) text += Kw("NOT") + " ";
    text += Kw("IN");
    text += Chance(0.8) ? " (" : "(";
    for (size_t i = 0; i < items.size(); ++i) {
      if (i > 0) text += Comma(items[i - 1]);
      text += items[i].text;
    }
    return {text + ")", kPrecCmp};
  }

  Expr GenTextTest(const ScopeInfo& s, int depth) {
    if (Chance(0.4)) {  // LIKE
      const FieldRef* f = nullptr;
      Expr x;
      const std::vector<std::string>* pool;
      if (Chance(0.2) && (f = PickField(s, G::kPicklist)) != nullptr) {
        x = FieldExpr(*f);
        std::vector<std::string> values;
        for (const engine::PicklistValue& v : f->field->picklist_values) values.push_back(v.value);
        like_pool = values;
        pool = &like_pool;
      } else {
        x = GenText(s, depth, &f);
        pool = &TextPoolOf(f);
      }
      std::string left = Wrap(x, kPrecAdd).text;
      std::string like = Kw("LIKE");
      return {left + " " + like + " " + LikePattern(*pool).text, kPrecCmp};
    }
    const FieldRef* f = nullptr;
    Expr x = GenText(s, depth, &f);
    int which = Int(0, 2);
    static constexpr const char* kOps[] = {"CONTAINS", "STARTS WITH", "ENDS WITH"};
    Expr needle{Quote(Needle(TextPoolOf(f), which)), kPrecAtom};
    if (Chance(0.1)) needle = GenText(s, 0, nullptr);
    std::string op = Kw(kOps[which]);
    return Join(x, " " + op + " ", needle, kPrecAdd, kPrecAdd, kPrecCmp);
  }

  // Any typed field or expression, for null tests.
  Expr AnyValue(const ScopeInfo& s, int depth) {
    switch (Weighted({30, 8, 6, 6, 4, 4})) {
      case 0: {
        for (int tries = 0; tries < 10; ++tries) {
          if (const FieldRef* f = PickField(s, static_cast<G>(Int(0, kTypeCount - 1)))) {
            return FieldExpr(*f);
          }
        }
        return GenNumber(s, depth);
      }
      case 1: return GenText(s, depth, nullptr);
      case 2: return GenNumber(s, depth);
      case 3: return GenDate(s, depth);
      case 4: return GenDateTime(s, depth);
      default: return Wrap(GenBool(s, depth), kPrecAtom);
    }
  }

  Expr GenNullTest(const ScopeInfo& s, int depth) {
    Expr x = Wrap(AnyValue(s, depth), kPrecAtom);
    std::string text = x.text;
    size_t form = Weighted({5, 5, 3, 2, 3, 2});
    if (form <= 1) {
      text += " " + Kw("IS");
      if (form == 1) text += " " + Kw("NOT");
      text += " " + Kw("NULL");
      return {text, kPrecCmp};
    }
    static constexpr const char* kOps[] = {"=", "==", "!=", "<>"};
    std::string op = Sym(kOps[form - 2]);
    if (Chance(0.1)) return {Kw("null") + op + text, kPrecCmp};  // null on the left
    text += op;
    text += Kw("null");
    return {text, kPrecCmp};
  }

  Expr GenBoolFunction(const ScopeInfo& s, int depth) {
    switch (Weighted({6, 4, 5, 4, 3, 3})) {
      case 0: return Call("ISBLANK", {AnyValue(s, depth)});
      case 1: return Call("ISNULL", {AnyValue(s, depth)});
      case 2: {
        const FieldRef* p = PickField(s, G::kPicklist);
        if (p == nullptr) return Call("ISBLANK", {AnyValue(s, depth)});
        return Call("ISPICKVAL", {FieldExpr(*p), PicklistLiteral(*p)});
      }
      case 3: {
        const FieldRef* m = PickField(s, G::kMulti);
        if (m == nullptr) return Call("ISBLANK", {AnyValue(s, depth)});
        return Call("INCLUDES", {FieldExpr(*m), PicklistLiteral(*m)});
      }
      case 4: {
        const FieldRef* f = nullptr;
        Expr t = GenText(s, depth, &f);
        return Call("BEGINS", {t, {Quote(Needle(TextPoolOf(f), 1)), kPrecAtom}});
      }
      default: {
        const FieldRef* f = nullptr;
        Expr t = GenText(s, depth, &f);
        return Call("CONTAINS", {t, {Quote(Needle(TextPoolOf(f), 0)), kPrecAtom}});
      }
    }
  }

  Expr GenAggregateCondition(const ScopeInfo& s, int depth) {
    if (s.aggregates.empty()) return GenComparison(s, depth);
    if (Chance(0.45)) {
      const AggRef& agg = Pick(s.aggregates);
      const ScopeInfo& child = child_scopes.at(agg.child_object);
      const char* fn = Chance(0.5) ? "ANY" : "ALL";
      Expr rel{Name(agg.path), kPrecAtom};
      return Call(fn, {rel, GenBool(child, std::max(depth - 1, 0))});
    }
    bool is_count = false;
    Expr agg = NumberAggregate(s, depth, &is_count);
    Expr bound = is_count ? SmallIntLiteral() : NumberLiteral();
    return Comparison(agg, CompareOp(false), bound);
  }

  Expr GenBool(const ScopeInfo& s, int depth) {
    if (depth <= 0) {
      switch (Weighted({10, 3, 3, 2, 2})) {
        case 0: return GenComparison(s, 0);
        case 1: {
          const FieldRef* b = PickField(s, G::kBool);
          if (b != nullptr) return FieldExpr(*b);
          return GenComparison(s, 0);
        }
        case 2: return GenNullTest(s, 0);
        case 3: return GenIn(s, 0);
        default: return GenBoolFunction(s, 0);
      }
    }
    int aggregate_weight = s.aggregates.empty() ? 0 : 7;
    switch (Weighted({15, 12, 7, 28, 8, 8, 6, 9, 2, aggregate_weight, 4, 1})) {
      case 0: {
        const char* op = Chance(0.7) ? nullptr : "&&";
        Expr a = Wrap(GenBool(s, depth - 1), kPrecAnd);
        Expr b = Wrap(GenBool(s, depth - 1), kPrecAnd);
        return {a.text + (op != nullptr ? Sym(op) : " " + Kw("AND") + " ") + b.text, kPrecAnd};
      }
      case 1: {
        const char* op = Chance(0.7) ? nullptr : "||";
        Expr a = Wrap(GenBool(s, depth - 1), kPrecOr);
        Expr b = Wrap(GenBool(s, depth - 1), kPrecOr);
        return {a.text + (op != nullptr ? Sym(op) : " " + Kw("OR") + " ") + b.text, kPrecOr};
      }
      case 2: {
        if (Chance(0.6)) {
          // `NOT a = b` means NOT (a = b); a comparison needs no parentheses here.
          std::string not_kw = Kw("NOT");
          return {not_kw + " " + Wrap(GenBool(s, depth - 1), kPrecNot).text, kPrecNot};
        }
        return {"!" + Wrap(GenBool(s, depth - 1), kPrecAtom).text, kPrecUnary};
      }
      case 3: return GenComparison(s, depth - 1);
      case 4: return GenIn(s, depth - 1);
      case 5: return GenTextTest(s, depth - 1);
      case 6: return GenNullTest(s, depth - 1);
      case 7: return GenBoolFunction(s, depth - 1);
      case 8:
        return Call("IF", {GenBool(s, depth - 1), GenBool(s, depth - 1), GenBool(s, depth - 1)});
      case 9: return GenAggregateCondition(s, depth - 1);
      case 10: {
        const FieldRef* b = PickField(s, G::kBool);
        if (b != nullptr) return FieldExpr(*b);
        return GenComparison(s, depth - 1);
      }
      default: return {Kw(Chance(0.5) ? "true" : "false"), kPrecAtom};
    }
  }

  std::string Next() {
    int depth = Int(1, options.max_depth);
    return GenBool(root_scope, depth).text;
  }

  const engine::Environment& env;
  const engine::Schema& schema;
  const DifferentialDomains& domains;
  std::mt19937_64 rng;
  RandomConditionOptions options;
  ScopeInfo root_scope;
  std::map<int, ScopeInfo> child_scopes;
  std::vector<std::string> all_ids;
  std::vector<std::string> nonzero_numbers;
  std::vector<std::string> like_pool;
};

RandomConditionGenerator::RandomConditionGenerator(const engine::Environment& env,
                                                   const DifferentialDomains& domains,
                                                   uint64_t seed, RandomConditionOptions options)
    : impl_(std::make_unique<Impl>(env, domains, seed, options)) {}

RandomConditionGenerator::~RandomConditionGenerator() = default;

std::string RandomConditionGenerator::Next() { return impl_->Next(); }

uint64_t EnvNumber(const char* name, uint64_t fallback) {
  const char* v = std::getenv(name);
  if (v == nullptr || *v == '\0') return fallback;
  char* end = nullptr;
  unsigned long long n = std::strtoull(v, &end, 10);
  return end != nullptr && *end == '\0' ? n : fallback;
}

}  // namespace cf::test_support
