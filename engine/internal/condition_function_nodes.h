// INTERNAL to the engine: nodes for operators beyond comparisons and for functions.
// See condition_nodes.h for the node model. Helpers that need no template live in
// condition_eval.cc.
#ifndef CF_ENGINE_INTERNAL_CONDITION_FUNCTION_NODES_H_
#define CF_ENGINE_INTERNAL_CONDITION_FUNCTION_NODES_H_

#include <algorithm>
#include <string_view>
#include <vector>

#include "engine/date_literal.h"
#include "engine/internal/condition_nodes.h"

namespace cf::engine::internal {

// ---- Helpers implemented in condition_eval.cc (no allocation) ----

// LIKE with SOQL wildcards; case-insensitive for ASCII letters. `pattern` is the compiled
// form: a sequence of (kind, text) items built by CompileLikePattern.
struct LikeItem {
  enum Kind : uint8_t { kLiteral, kAnyOne, kAnyRun } kind;
  std::string_view text;  // for kLiteral
};
bool LikeMatch(std::string_view text, const std::vector<LikeItem>& pattern);
size_t Utf8Length(std::string_view s);
// Writes canonical decimal text into buf (>= 64 bytes); returns its length.
size_t FormatDecimalTo(Decimal d, char* buf);
size_t FormatDateTo(Days d, char* buf);        // "2024-03-31", buf >= 16
size_t FormatDateTimeTo(Millis ms, char* buf); // "2024-03-31 10:00:00Z" (as TEXT()), buf >= 32
size_t FormatTimeTo(TimeOfDay t, char* buf);   // "10:00:00.000Z", buf >= 16
// Local-time range [start, end) of instants covering local days [first, last].
void DayRangeToInstants(const Frame& f, DayRange range, Millis* start, Millis* end);
// The 18-character form of an Id into buf (>= 18 bytes).
void IdTo18(const SfId& id, char* buf);

inline std::string_view CopyToScratch(const Frame& f, std::string_view s) {
  char* p = f.scratch->Allocate(s.size() == 0 ? 1 : s.size());
  std::copy(s.begin(), s.end(), p);
  return std::string_view(p, s.size());
}

// ---- Conversions ----

// The text of a picklist value.
class PickTextNode final : public StrNode {
 public:
  explicit PickTextNode(const PickNode* a) : a_(a) {}
  bool Eval(const Frame& f, std::string_view* out) const override {
    PickVal v;
    if (!a_->Eval(f, &v)) return false;
    *out = v.text;
    return true;
  }

 private:
  const PickNode* a_;
};

// Text to Id; text that is not a valid Id is null.
class StrToIdNode final : public IdNode {
 public:
  explicit StrToIdNode(const StrNode* a) : a_(a) {}
  bool Eval(const Frame& f, SfId* out) const override {
    std::string_view s;
    if (!a_->Eval(f, &s)) return false;
    std::optional<SfId> id = SfId::Parse(s);
    if (!id) return false;
    *out = *id;
    return true;
  }

 private:
  const StrNode* a_;
};

// Picklist value code against a set of codes (non-root or general case of = and IN).
class PickCodeInNode final : public BoolNode {
 public:
  PickCodeInNode(const PickNode* a, std::vector<uint32_t> codes, bool negate, bool null_matches)
      : a_(a), codes_(std::move(codes)), negate_(negate), null_matches_(null_matches) {}
  Tri Eval(const Frame& f) const override {
    PickVal v;
    if (!a_->Eval(f, &v)) {
      if (null_matches_) return negate_ ? Tri::kFalse : Tri::kTrue;
      return Tri::kUnknown;
    }
    bool found = std::find(codes_.begin(), codes_.end(), v.code) != codes_.end();
    return ToTri(found != negate_);
  }

 private:
  const PickNode* a_;
  std::vector<uint32_t> codes_;
  bool negate_;
  bool null_matches_;
};

// x IN (constants...) for a typed x; `null_matches` when the list holds null.
template <typename T>
class InConstNode final : public BoolNode {
 public:
  InConstNode(const ValueNode<T>* a, std::vector<T> values, bool negate, bool null_matches)
      : a_(a), values_(std::move(values)), negate_(negate), null_matches_(null_matches) {}
  Tri Eval(const Frame& f) const override {
    T v;
    if (!a_->Eval(f, &v)) {
      if (null_matches_) return negate_ ? Tri::kFalse : Tri::kTrue;
      return Tri::kUnknown;
    }
    for (const T& c : values_) {
      if (c == v) return negate_ ? Tri::kFalse : Tri::kTrue;
    }
    return negate_ ? Tri::kTrue : Tri::kFalse;
  }

 private:
  const ValueNode<T>* a_;
  std::vector<T> values_;
  bool negate_;
  bool null_matches_;
};

// A date compared with a SOQL date literal's range of days.
class DateRangeCompareNode final : public BoolNode {
 public:
  DateRangeCompareNode(const DateNode* a, CmpOp op, DateLiteralKind kind, int32_t n)
      : a_(a), op_(op), kind_(kind), n_(n) {}
  Tri Eval(const Frame& f) const override {
    Days d;
    if (!a_->Eval(f, &d)) return Tri::kUnknown;
    DayRange r = DateLiteralRange(kind_, n_, f.ctx->today);
    return ToTri(InRange(op_, d, r.first, r.last + 1));
  }
  // Range semantics on a half-open [start, end): = within, != outside, < before the start,
  // <= up to the end, > after the end, >= from the start.
  template <typename V>
  static bool InRange(CmpOp op, V v, V start, V end) {
    switch (op) {
      case CmpOp::kEq:
        return v >= start && v < end;
      case CmpOp::kNe:
        return v < start || v >= end;
      case CmpOp::kLt:
        return v < start;
      case CmpOp::kLe:
        return v < end;
      case CmpOp::kGt:
        return v >= end;
      case CmpOp::kGe:
        return v >= start;
    }
    return false;
  }

 private:
  const DateNode* a_;
  CmpOp op_;
  DateLiteralKind kind_;
  int32_t n_;
};

// A date/time compared with a date literal: the days become instants in the time zone.
class DateTimeRangeCompareNode final : public BoolNode {
 public:
  DateTimeRangeCompareNode(const DateTimeNode* a, CmpOp op, DateLiteralKind kind, int32_t n)
      : a_(a), op_(op), kind_(kind), n_(n) {}
  Tri Eval(const Frame& f) const override {
    Millis v;
    if (!a_->Eval(f, &v)) return Tri::kUnknown;
    Millis start, end;
    DayRangeToInstants(f, DateLiteralRange(kind_, n_, f.ctx->today), &start, &end);
    return ToTri(DateRangeCompareNode::InRange(op_, v, start, end));
  }

 private:
  const DateTimeNode* a_;
  CmpOp op_;
  DateLiteralKind kind_;
  int32_t n_;
};

// ---- Arithmetic ----

enum class ArithOp : uint8_t { kAdd, kSub, kMul, kDiv };

class ArithNode final : public NumNode {
 public:
  ArithNode(const NumNode* a, const NumNode* b, ArithOp op) : a_(a), b_(b), op_(op) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Decimal x, y;
    if (!a_->Eval(f, &x) || !b_->Eval(f, &y)) return false;
    std::optional<Decimal> r;
    switch (op_) {
      case ArithOp::kAdd:
        r = x.Add(y);
        break;
      case ArithOp::kSub:
        r = x.Sub(y);
        break;
      case ArithOp::kMul:
        r = x.Mul(y);
        break;
      case ArithOp::kDiv:
        r = x.Div(y);
        break;
    }
    if (!r) return false;
    *out = *r;
    return true;
  }

 private:
  const NumNode* a_;
  const NumNode* b_;
  ArithOp op_;
};

// Unary minus and ABS(): never overflow (the Decimal range is symmetric).
enum class NumUnary : uint8_t { kNeg, kAbs };

class NumUnaryNode final : public NumNode {
 public:
  NumUnaryNode(const NumNode* a, NumUnary op) : a_(a), op_(op) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Decimal x;
    if (!a_->Eval(f, &x)) return false;
    *out = op_ == NumUnary::kNeg ? x.Neg() : x.Abs();
    return true;
  }

 private:
  const NumNode* a_;
  NumUnary op_;
};

// date + n days / date - n days (n truncated to whole days); null when out of range.
class DatePlusDaysNode final : public DateNode {
 public:
  DatePlusDaysNode(const DateNode* d, const NumNode* n, bool subtract)
      : d_(d), n_(n), subtract_(subtract) {}
  bool Eval(const Frame& f, Days* out) const override {
    Days d;
    Decimal n;
    if (!d_->Eval(f, &d) || !n_->Eval(f, &n)) return false;
    std::optional<int64_t> days = n.ToInt64();
    if (!days || *days > 3650000 || *days < -3650000) return false;
    *out = static_cast<Days>(subtract_ ? d - *days : d + *days);
    return true;
  }

 private:
  const DateNode* d_;
  const NumNode* n_;
  bool subtract_;
};

// datetime + n days (fractional days allowed, to the millisecond).
class DateTimePlusDaysNode final : public DateTimeNode {
 public:
  DateTimePlusDaysNode(const DateTimeNode* d, const NumNode* n, bool subtract)
      : d_(d), n_(n), subtract_(subtract) {}
  bool Eval(const Frame& f, Millis* out) const override {
    Millis t;
    Decimal n;
    if (!d_->Eval(f, &t) || !n_->Eval(f, &n)) return false;
    std::optional<Decimal> ms = n.Mul(Decimal::FromInt(86400000));
    if (!ms) return false;
    std::optional<Decimal> rounded = ms->Round(0);
    std::optional<int64_t> delta = rounded ? rounded->ToInt64() : std::nullopt;
    if (!delta || *delta > 315360000000000LL || *delta < -315360000000000LL) return false;
    *out = subtract_ ? t - *delta : t + *delta;
    return true;
  }

 private:
  const DateTimeNode* d_;
  const NumNode* n_;
  bool subtract_;
};

// date - date, in days; datetime - datetime, in (fractional) days.
class DateDiffNode final : public NumNode {
 public:
  DateDiffNode(const DateNode* a, const DateNode* b) : a_(a), b_(b) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Days x, y;
    if (!a_->Eval(f, &x) || !b_->Eval(f, &y)) return false;
    *out = Decimal::FromInt(static_cast<int64_t>(x) - y);
    return true;
  }

 private:
  const DateNode* a_;
  const DateNode* b_;
};

class DateTimeDiffNode final : public NumNode {
 public:
  DateTimeDiffNode(const DateTimeNode* a, const DateTimeNode* b) : a_(a), b_(b) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Millis x, y;
    if (!a_->Eval(f, &x) || !b_->Eval(f, &y)) return false;
    std::optional<Decimal> d = Decimal::FromInt(x - y).Div(Decimal::FromInt(86400000));
    if (!d) return false;
    *out = *d;
    return true;
  }

 private:
  const DateTimeNode* a_;
  const DateTimeNode* b_;
};

// ---- Text ----

// a & b & ...: null parts count as "".
class ConcatNode final : public StrNode {
 public:
  explicit ConcatNode(std::vector<const StrNode*> parts) : parts_(std::move(parts)) {}
  bool Eval(const Frame& f, std::string_view* out) const override;

 private:
  std::vector<const StrNode*> parts_;
};

enum class TextTest : uint8_t { kContains, kStartsWith, kEndsWith };

class TextTestNode final : public BoolNode {
 public:
  TextTestNode(const StrNode* a, const StrNode* b, TextTest test) : a_(a), b_(b), test_(test) {}
  Tri Eval(const Frame& f) const override {
    std::string_view x, y;
    if (!a_->Eval(f, &x) || !b_->Eval(f, &y)) return Tri::kUnknown;
    switch (test_) {
      case TextTest::kContains:
        return ToTri(x.find(y) != std::string_view::npos);
      case TextTest::kStartsWith:
        return ToTri(x.substr(0, y.size()) == y);
      case TextTest::kEndsWith:
        return ToTri(x.size() >= y.size() && x.substr(x.size() - y.size()) == y);
    }
    return Tri::kUnknown;
  }

 private:
  const StrNode* a_;
  const StrNode* b_;
  TextTest test_;
};

class LikeNode final : public BoolNode {
 public:
  LikeNode(const StrNode* a, std::vector<LikeItem> pattern) : a_(a), pattern_(std::move(pattern)) {}
  Tri Eval(const Frame& f) const override {
    std::string_view x;
    if (!a_->Eval(f, &x)) return Tri::kUnknown;
    return ToTri(LikeMatch(x, pattern_));
  }

 private:
  const StrNode* a_;
  std::vector<LikeItem> pattern_;
};

// INCLUDES(multipicklist, "value"): the value is one of the ';'-separated entries.
class IncludesNode final : public BoolNode {
 public:
  IncludesNode(const StrNode* a, std::string_view value) : a_(a), value_(value) {}
  Tri Eval(const Frame& f) const override {
    std::string_view x;
    if (!a_->Eval(f, &x)) return Tri::kUnknown;
    size_t start = 0;
    while (start <= x.size()) {
      size_t end = x.find(';', start);
      if (end == std::string_view::npos) end = x.size();
      if (x.substr(start, end - start) == value_) return Tri::kTrue;
      start = end + 1;
    }
    return Tri::kFalse;
  }

 private:
  const StrNode* a_;
  std::string_view value_;
};

enum class TextFn : uint8_t { kLower, kUpper, kTrim };

class TextFnNode final : public StrNode {
 public:
  TextFnNode(const StrNode* a, TextFn fn) : a_(a), fn_(fn) {}
  bool Eval(const Frame& f, std::string_view* out) const override;

 private:
  const StrNode* a_;
  TextFn fn_;
};

class LenNode final : public NumNode {
 public:
  explicit LenNode(const StrNode* a) : a_(a) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    std::string_view x;
    if (!a_->Eval(f, &x)) return false;
    *out = Decimal::FromInt(static_cast<int64_t>(Utf8Length(x)));
    return true;
  }

 private:
  const StrNode* a_;
};

// TEXT(x) for each source type.
template <typename T>
class ToTextNode final : public StrNode {
 public:
  explicit ToTextNode(const ValueNode<T>* a, ValueType type) : a_(a), type_(type) {}
  bool Eval(const Frame& f, std::string_view* out) const override;

 private:
  const ValueNode<T>* a_;
  ValueType type_;
};

extern template class ToTextNode<Decimal>;
extern template class ToTextNode<SfId>;
extern template class ToTextNode<Days>;
extern template class ToTextNode<Millis>;

class BoolToTextNode final : public StrNode {
 public:
  explicit BoolToTextNode(const BoolNode* a) : a_(a) {}
  bool Eval(const Frame& f, std::string_view* out) const override {
    Tri t = a_->Eval(f);
    if (t == Tri::kUnknown) return false;
    *out = t == Tri::kTrue ? std::string_view("true") : std::string_view("false");
    return true;
  }

 private:
  const BoolNode* a_;
};

// VALUE(text): a number, or null when the text is not one.
class ValueFnNode final : public NumNode {
 public:
  explicit ValueFnNode(const StrNode* a) : a_(a) {}
  bool Eval(const Frame& f, Decimal* out) const override;

 private:
  const StrNode* a_;
};

// DATEVALUE(text) and DATEVALUE(datetime) (the GMT date).
class DateValueFromTextNode final : public DateNode {
 public:
  explicit DateValueFromTextNode(const StrNode* a) : a_(a) {}
  bool Eval(const Frame& f, Days* out) const override;

 private:
  const StrNode* a_;
};

class DateValueFromDateTimeNode final : public DateNode {
 public:
  explicit DateValueFromDateTimeNode(const DateTimeNode* a) : a_(a) {}
  bool Eval(const Frame& f, Days* out) const override {
    Millis t;
    if (!a_->Eval(f, &t)) return false;
    int64_t day = t / 86400000;
    if (t % 86400000 < 0) --day;
    *out = static_cast<Days>(day);
    return true;
  }

 private:
  const DateTimeNode* a_;
};

enum class DatePart : uint8_t { kYear, kMonth, kDay };

class DatePartNode final : public NumNode {
 public:
  DatePartNode(const DateNode* a, DatePart part) : a_(a), part_(part) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Days d;
    if (!a_->Eval(f, &d)) return false;
    CivilDate c = CivilFromDays(d);
    int v = part_ == DatePart::kYear ? c.year : part_ == DatePart::kMonth ? c.month : c.day;
    *out = Decimal::FromInt(v);
    return true;
  }

 private:
  const DateNode* a_;
  DatePart part_;
};

class TodayNode final : public DateNode {
 public:
  bool Eval(const Frame& f, Days* out) const override {
    *out = f.ctx->today;
    return true;
  }
};

class NowNode final : public DateTimeNode {
 public:
  bool Eval(const Frame& f, Millis* out) const override {
    *out = f.ctx->now;
    return true;
  }
};

// ---- Numeric functions ----

class RoundNode final : public NumNode {
 public:
  RoundNode(const NumNode* a, const NumNode* digits) : a_(a), digits_(digits) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Decimal x, d;
    if (!a_->Eval(f, &x) || !digits_->Eval(f, &d)) return false;
    std::optional<int64_t> n = d.ToInt64();
    if (!n || *n > Decimal::kScaleDigits || *n < -30) return false;
    std::optional<Decimal> r = x.Round(static_cast<int>(*n));
    if (!r) return false;
    *out = *r;
    return true;
  }

 private:
  const NumNode* a_;
  const NumNode* digits_;
};

// MIN(a, b, ...) / MAX(a, b, ...): null if any argument is null.
class MinMaxNode final : public NumNode {
 public:
  MinMaxNode(std::vector<const NumNode*> args, bool is_max) : args_(std::move(args)), max_(is_max) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    Decimal best;
    for (size_t i = 0; i < args_.size(); ++i) {
      Decimal v;
      if (!args_[i]->Eval(f, &v)) return false;
      if (i == 0 || (max_ ? best < v : v < best)) best = v;
    }
    *out = best;
    return true;
  }

 private:
  std::vector<const NumNode*> args_;
  bool max_;
};

// ---- Null handling ----

// ISBLANK: null, or "" for text.
template <typename T>
class IsBlankNode final : public BoolNode {
 public:
  explicit IsBlankNode(const ValueNode<T>* a) : a_(a) {}
  Tri Eval(const Frame& f) const override {
    T v;
    if (!a_->Eval(f, &v)) return Tri::kTrue;
    if constexpr (std::is_same_v<T, std::string_view>) return ToTri(v.empty());
    if constexpr (std::is_same_v<T, PickVal>) return ToTri(v.text.empty());
    return Tri::kFalse;
  }

 private:
  const ValueNode<T>* a_;
};

// BLANKVALUE(a, b): b when a is blank.
template <typename T>
class BlankValueNode final : public ValueNode<T> {
 public:
  BlankValueNode(const ValueNode<T>* a, const ValueNode<T>* b) : a_(a), b_(b) {}
  bool Eval(const Frame& f, T* out) const override {
    if (a_->Eval(f, out)) {
      if constexpr (std::is_same_v<T, std::string_view>) {
        if (!out->empty()) return true;
      } else {
        return true;
      }
    }
    return b_->Eval(f, out);
  }

 private:
  const ValueNode<T>* a_;
  const ValueNode<T>* b_;
};

class BoolBlankValueNode final : public BoolNode {
 public:
  BoolBlankValueNode(const BoolNode* a, const BoolNode* b) : a_(a), b_(b) {}
  Tri Eval(const Frame& f) const override {
    Tri t = a_->Eval(f);
    return t != Tri::kUnknown ? t : b_->Eval(f);
  }

 private:
  const BoolNode* a_;
  const BoolNode* b_;
};

// IF(c, a, b): a when c is TRUE, else b (an unknown c takes b).
template <typename T>
class IfNode final : public ValueNode<T> {
 public:
  IfNode(const BoolNode* c, const ValueNode<T>* a, const ValueNode<T>* b) : c_(c), a_(a), b_(b) {}
  bool Eval(const Frame& f, T* out) const override {
    return c_->Eval(f) == Tri::kTrue ? a_->Eval(f, out) : b_->Eval(f, out);
  }

 private:
  const BoolNode* c_;
  const ValueNode<T>* a_;
  const ValueNode<T>* b_;
};

class BoolIfNode final : public BoolNode {
 public:
  BoolIfNode(const BoolNode* c, const BoolNode* a, const BoolNode* b) : c_(c), a_(a), b_(b) {}
  Tri Eval(const Frame& f) const override {
    return c_->Eval(f) == Tri::kTrue ? a_->Eval(f) : b_->Eval(f);
  }

 private:
  const BoolNode* c_;
  const BoolNode* a_;
  const BoolNode* b_;
};

// ---- Aggregates over child records ----

// Where the children of the parent record come from.
struct ChildSet {
  RecordPath parent;          // the parent record
  Slot parent_id;             // the parent's Id slot
  int child_object = -1;      // schema index of the child object
  int child_field = -1;       // the child's lookup field (index in Object::fields)

  RecordSpan Resolve(const Frame& f) const {
    const Record* p = parent.Resolve(f);
    if (p == nullptr || p->IsNull(parent_id) || f.ctx->source == nullptr) return {};
    return f.ctx->source->Children(child_object, child_field, p->GetId(parent_id));
  }
};

enum class AggKind : uint8_t { kAny, kAll, kCount, kSum, kMin, kMax };

// ANY / ALL: Kleene OR / AND of the condition over the children.
class AnyAllNode final : public BoolNode {
 public:
  AnyAllNode(ChildSet set, const BoolNode* cond, bool all)
      : set_(std::move(set)), cond_(cond), all_(all) {}
  Tri Eval(const Frame& f) const override {
    RecordSpan kids = set_.Resolve(f);
    bool unknown = false;
    for (size_t i = 0; i < kids.size; ++i) {
      Frame child{f.ctx, kids.data[i], f.scratch};
      Tri t = cond_->Eval(child);
      if (t == Tri::kUnknown) {
        unknown = true;
      } else if ((t == Tri::kTrue) != all_) {
        return t;  // ANY found TRUE, or ALL found FALSE
      }
    }
    if (unknown) return Tri::kUnknown;
    return all_ ? Tri::kTrue : Tri::kFalse;
  }

 private:
  ChildSet set_;
  const BoolNode* cond_;
  bool all_;
};

// COUNT / SUM / MIN / MAX over the children whose filter (if any) is TRUE.
class NumAggregateNode final : public NumNode {
 public:
  NumAggregateNode(ChildSet set, AggKind kind, const NumNode* value, const BoolNode* filter)
      : set_(std::move(set)), kind_(kind), value_(value), filter_(filter) {}
  bool Eval(const Frame& f, Decimal* out) const override {
    RecordSpan kids = set_.Resolve(f);
    int64_t count = 0;
    Decimal acc;
    bool have = false;
    for (size_t i = 0; i < kids.size; ++i) {
      Frame child{f.ctx, kids.data[i], f.scratch};
      if (filter_ != nullptr && filter_->Eval(child) != Tri::kTrue) continue;
      if (kind_ == AggKind::kCount) {
        ++count;
        continue;
      }
      Decimal v;
      if (!value_->Eval(child, &v)) continue;  // null values do not count, as in SOQL
      if (kind_ == AggKind::kSum) {
        std::optional<Decimal> s = acc.Add(v);
        if (!s) return false;
        acc = *s;
      } else if (!have || (kind_ == AggKind::kMax ? acc < v : v < acc)) {
        acc = v;
      }
      have = true;
    }
    switch (kind_) {
      case AggKind::kCount:
        *out = Decimal::FromInt(count);
        return true;
      case AggKind::kSum:
        *out = acc;
        return true;
      default:
        if (!have) return false;
        *out = acc;
        return true;
    }
  }

 private:
  ChildSet set_;
  AggKind kind_;
  const NumNode* value_;
  const BoolNode* filter_;
};

}  // namespace cf::engine::internal

#endif  // CF_ENGINE_INTERNAL_CONDITION_FUNCTION_NODES_H_
