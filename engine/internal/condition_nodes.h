// INTERNAL to the engine: the evaluable form of a compiled condition. Use engine/condition.h.
//
// A compiled condition is a tree of immutable nodes. Each node computes one typed value:
// BoolNode yields a Tri; ValueNode<T> yields a T or null (Eval returns false). Paths are
// resolved to record slots at compile time; the hottest shapes ("root field op constant")
// have fused nodes that read a slot and compare in one call. In a scan (EvalContext::columns)
// the fused nodes read the root's fields from the block's columns instead of the record
// (RootField, FusedTest::on_column); every other node reads the row's record. Nodes never
// allocate; strings computed at run time live in the frame's EvalScratch.
#ifndef CF_ENGINE_INTERNAL_CONDITION_NODES_H_
#define CF_ENGINE_INTERNAL_CONDITION_NODES_H_

#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "engine/column_block.h"
#include "engine/condition.h"

namespace cf::engine::internal {

// What a node reads during one evaluation.
struct Frame {
  const EvalContext* ctx;
  const Record* scope;  // the child record inside an aggregate, else nullptr
  EvalScratch* scratch;
};

struct PickVal {
  uint32_t code;
  std::string_view text;
};

class Node {
 public:
  virtual ~Node() = default;
  // True when the node's value does not depend on the frame (literals, folded operators).
  bool constant = false;
};

class BoolNode : public Node {
 public:
  virtual Tri Eval(const Frame& f) const = 0;
};

template <typename T>
class ValueNode : public Node {
 public:
  // Writes the value and returns true, or returns false for null.
  virtual bool Eval(const Frame& f, T* out) const = 0;
};

using NumNode = ValueNode<Decimal>;
using StrNode = ValueNode<std::string_view>;
using PickNode = ValueNode<PickVal>;
using IdNode = ValueNode<SfId>;
using DateNode = ValueNode<Days>;
using DateTimeNode = ValueNode<Millis>;
using TimeNode = ValueNode<TimeOfDay>;

// The record bound to root `root`: the scan's row when the root is the scan's, else
// ctx.roots[root]; nullptr when none is bound.
inline const Record* RootRecord(const EvalContext& c, int root) {
  if (c.columns != nullptr && root == c.columns_root) return c.columns->record(c.row);
  return static_cast<size_t>(root) < c.root_count ? c.roots[root] : nullptr;
}

// How a node finds the record a field is read from: a root of the Environment (or the
// aggregate's scope record), then zero or more lookups.
struct Hop {
  Slot lookup;       // the reference field's slot in the current record
  int target_object; // schema index of the record the lookup points to
};
struct RecordPath {
  static constexpr int kScope = -1;
  int root = kScope;
  std::vector<Hop> hops;

  const Record* Resolve(const Frame& f) const {
    const Record* r;
    if (root == kScope) {
      r = f.scope;
    } else {
      r = RootRecord(*f.ctx, root);
    }
    for (const Hop& h : hops) {
      if (r == nullptr || r->IsNull(h.lookup) || f.ctx->source == nullptr) return nullptr;
      r = f.ctx->source->Find(h.target_object, r->GetId(h.lookup));
    }
    return r;
  }
};

// Reads a typed value out of a record slot.
template <typename T>
inline T ReadSlot(const Record& r, const Slot& s);
template <>
inline Decimal ReadSlot<Decimal>(const Record& r, const Slot& s) { return r.GetNumber(s); }
template <>
inline std::string_view ReadSlot<std::string_view>(const Record& r, const Slot& s) {
  return r.GetString(s);
}
template <>
inline PickVal ReadSlot<PickVal>(const Record& r, const Slot& s) {
  return PickVal{r.GetPicklistCode(s), r.GetPicklistText(s)};
}
template <>
inline SfId ReadSlot<SfId>(const Record& r, const Slot& s) { return r.GetId(s); }
template <>
inline Days ReadSlot<Days>(const Record& r, const Slot& s) { return r.GetDate(s); }
template <>
inline Millis ReadSlot<Millis>(const Record& r, const Slot& s) { return r.GetDateTime(s); }

// One field of a root record, for the fused nodes: read from the scan's column when the root is
// the scan's and the block has the field, else from the bound record (absent reads as null).
class RootField {
 public:
  RootField(const EvalContext& c, int root, const Slot& slot) : slot_(&slot) {
    if (c.columns != nullptr && root == c.columns_root) {
      column_ = c.columns->ColumnForSlot(slot);
      row_ = c.row;
      if (column_ == nullptr) record_ = c.columns->record(c.row);
    } else {
      record_ = static_cast<size_t>(root) < c.root_count ? c.roots[root] : nullptr;
    }
  }
  bool IsNull() const {
    if (column_ != nullptr) return column_->IsNull(row_);
    return record_ == nullptr || record_->IsNull(*slot_);
  }
  // The Kleene value of `test(value)`: NULL when the field is null. From a column the test
  // runs on every row (a null row reads as zero) and the null flag selects the result without
  // a branch: in a scan nulls come unpredictably, and a mispredicted branch costs more than
  // the test.
  template <typename T, typename Test>
  Tri Kleene(Test test) const {
    if (column_ != nullptr) {
      const unsigned null = column_->IsNull(row_) ? 1u : 0u;
      const unsigned result = test(column_->Get<T>(row_)) ? 1u : 0u;
      return static_cast<Tri>((null << 1) | (result & (null ^ 1u)));  // kUnknown is 2
    }
    if (record_ == nullptr || record_->IsNull(*slot_)) return Tri::kUnknown;
    return ToTri(test(ReadSlot<T>(*record_, *slot_)));
  }
  // As Kleene for a picklist's code, with `if_null` as the value of a null field.
  template <typename Test>
  Tri PicklistTest(Test test, Tri if_null) const {
    if (column_ != nullptr) {
      const bool null = column_->IsNull(row_);
      const Tri result = ToTri(test(column_->Get<uint32_t>(row_)));
      return null ? if_null : result;
    }
    if (record_ == nullptr || record_->IsNull(*slot_)) return if_null;
    return ToTri(test(record_->GetPicklistCode(*slot_)));
  }
  uint32_t PicklistCode() const {  // REQUIRES: !IsNull()
    if (column_ != nullptr) return column_->Get<uint32_t>(row_);
    return record_->GetPicklistCode(*slot_);
  }

 private:
  const Slot* slot_;
  const Column* column_ = nullptr;
  const Record* record_ = nullptr;
  uint32_t row_ = 0;
};

template <typename T>
class FieldNode final : public ValueNode<T> {
 public:
  FieldNode(RecordPath path, Slot slot) : path_(std::move(path)), slot_(slot) {}
  bool Eval(const Frame& f, T* out) const override {
    const Record* r = path_.Resolve(f);
    if (r == nullptr || r->IsNull(slot_)) return false;
    *out = ReadSlot<T>(*r, slot_);
    return true;
  }
  const RecordPath& path() const { return path_; }
  const Slot& slot() const { return slot_; }

 private:
  RecordPath path_;
  Slot slot_;
};

// Note: Days and TimeOfDay are both int32_t, so DateNode and TimeNode are one type; the
// compiler's ValueType tells them apart.

class BoolFieldNode final : public BoolNode {
 public:
  BoolFieldNode(RecordPath path, Slot slot) : path_(std::move(path)), slot_(slot) {}
  Tri Eval(const Frame& f) const override {
    const Record* r = path_.Resolve(f);
    if (r == nullptr || r->IsNull(slot_)) return Tri::kUnknown;
    return ToTri(r->GetBool(slot_));
  }

 private:
  RecordPath path_;
  Slot slot_;
};

template <typename T>
class ConstNode final : public ValueNode<T> {
 public:
  explicit ConstNode(T v) : value_(v) { this->constant = true; }
  bool Eval(const Frame&, T* out) const override {
    *out = value_;
    return true;
  }
  const T& value() const { return value_; }

 private:
  T value_;
};

template <typename T>
class NullNode final : public ValueNode<T> {
 public:
  NullNode() { this->constant = true; }
  bool Eval(const Frame&, T*) const override { return false; }
};

class BoolConstNode final : public BoolNode {
 public:
  explicit BoolConstNode(Tri v) : value_(v) { constant = true; }
  Tri Eval(const Frame&) const override { return value_; }
  Tri value() const { return value_; }

 private:
  Tri value_;
};

enum class CmpOp : uint8_t { kEq, kNe, kLt, kLe, kGt, kGe };

template <typename T>
inline bool Compare(CmpOp op, const T& a, const T& b) {
  switch (op) {
    case CmpOp::kEq:
      return a == b;
    case CmpOp::kNe:
      return !(a == b);
    case CmpOp::kLt:
      return a < b;
    case CmpOp::kLe:
      return !(b < a);
    case CmpOp::kGt:
      return b < a;
    case CmpOp::kGe:
      return !(a < b);
  }
  return false;
}

// Generic comparison of two typed operands.
template <typename T, CmpOp kOp>
class CompareNode final : public BoolNode {
 public:
  CompareNode(const ValueNode<T>* a, const ValueNode<T>* b) : a_(a), b_(b) {}
  Tri Eval(const Frame& f) const override {
    T x, y;
    if (!a_->Eval(f, &x) || !b_->Eval(f, &y)) return Tri::kUnknown;
    return ToTri(Compare(kOp, x, y));
  }

 private:
  const ValueNode<T>* a_;
  const ValueNode<T>* b_;
};

// Fused: a field of a root record (no lookups) against a constant. The hot path of rules.
template <typename T, CmpOp kOp>
class RootFieldConstNode final : public BoolNode {
 public:
  RootFieldConstNode(int root, Slot slot, T value) : root_(root), slot_(slot), c_(value) {}
  Tri Eval(const Frame& f) const override {
    return RootField(*f.ctx, root_, slot_).Kleene<T>([this](const T& x) {
      return Compare(kOp, x, c_);
    });
  }

 private:
  int root_;
  Slot slot_;
  T c_;
};

// Fused: a picklist field of a root record against interned value codes (= or IN).
class RootPicklistInNode final : public BoolNode {
 public:
  // `codes` sorted; `negate` for != / NOT IN; `null_matches` when the list has null.
  RootPicklistInNode(int root, Slot slot, std::vector<uint32_t> codes, bool negate,
                     bool null_matches)
      : root_(root), slot_(slot), codes_(std::move(codes)), negate_(negate),
        null_matches_(null_matches) {}
  Tri Eval(const Frame& f) const override {
    const RootField v(*f.ctx, root_, slot_);
    if (v.IsNull()) {
      if (null_matches_) return negate_ ? Tri::kFalse : Tri::kTrue;
      return Tri::kUnknown;
    }
    const uint32_t code = v.PicklistCode();
    bool found = false;
    for (uint32_t c : codes_) found |= (c == code);
    return ToTri(found != negate_);
  }

 private:
  int root_;
  Slot slot_;
  std::vector<uint32_t> codes_;
  bool negate_;
  bool null_matches_;
};

// One fused test "root field op constant" inside a FusedLogicNode: the kind of value, the
// slot and the constant. Built by the compiler from fused leaves on one root.
struct FusedTest {
  enum Kind : uint8_t { kNumber, kText, kPicklistIn, kDays, kMillis, kId };
  static constexpr int kMaxCodes = 8;
  Kind kind = kNumber;
  CmpOp op = CmpOp::kEq;
  bool negate = false;        // kPicklistIn: NOT IN
  bool null_matches = false;  // kPicklistIn: the list holds null
  uint8_t code_count = 0;
  Slot slot;
  Decimal number;
  std::string_view text;
  int64_t integer = 0;  // kDays, kMillis
  SfId id;
  uint32_t codes[kMaxCodes] = {};
  // Set by FusedLogicNode: this test on a row of a scan's column, compiled for its kind and
  // operator (no dispatch inside), and for kText = / != with a constant of at most 16 bytes,
  // the constant zero-padded with the masks of its bytes.
  Tri (*on_column)(const FusedTest&, const Column&, uint32_t row) = nullptr;
  uint64_t text_words[2] = {};
  uint64_t text_masks[2] = {};

  bool HasCode(uint32_t code) const {
    bool found = false;
    for (uint8_t i = 0; i < code_count; ++i) found |= (codes[i] == code);
    return found;
  }
  // `v` reads this test's slot of the root. Inlined into the loop of FusedLogicNode.
  __attribute__((always_inline)) Tri Eval(const RootField& v) const {
    switch (kind) {
      case kNumber:
        return v.Kleene<Decimal>([this](Decimal x) { return Compare(op, x, number); });
      case kText:
        return v.Kleene<std::string_view>(
            [this](std::string_view x) { return Compare(op, x, text); });
      case kPicklistIn:
        return v.PicklistTest(
            [this](uint32_t code) { return HasCode(code) != negate; },
            null_matches ? ToTri(!negate) : Tri::kUnknown);
      case kDays:
        return v.Kleene<Days>([this](Days x) { return Compare<int64_t>(op, x, integer); });
      case kMillis:
        return v.Kleene<Millis>([this](Millis x) { return Compare<int64_t>(op, x, integer); });
      case kId:
        return v.Kleene<SfId>([this](const SfId& x) { return Compare(op, x, id); });
    }
    return Tri::kUnknown;
  }
};

// The Kleene value of a test on a column's row: `result` unless the row is null. No branch.
inline Tri SelectUnlessNull(bool null, bool result) {
  const unsigned n = null ? 1u : 0u, r = result ? 1u : 0u;
  return static_cast<Tri>((n << 1) | (r & (n ^ 1u)));  // kUnknown is 2
}

// Whether text `a` from a column (kTextPadding bytes readable at a.data()) equals the test's
// short constant, without a branch.
inline bool ShortTextEquals(const FusedTest& t, std::string_view a) {
  uint64_t w[2];
  std::memcpy(w, a.data(), sizeof w);
  const uint64_t diff = ((w[0] ^ t.text_words[0]) & t.text_masks[0]) |
                        ((w[1] ^ t.text_words[1]) & t.text_masks[1]);
  return (a.size() == t.text.size()) & (diff == 0);
}

template <FusedTest::Kind kKind, CmpOp kOp>
Tri ColumnTest(const FusedTest& t, const Column& col, uint32_t row) {
  const bool null = col.IsNull(row);
  if constexpr (kKind == FusedTest::kNumber) {
    return SelectUnlessNull(null, Compare(kOp, col.Get<Decimal>(row), t.number));
  } else if constexpr (kKind == FusedTest::kText) {
    const std::string_view v = col.Get<std::string_view>(row);
    if constexpr (kOp == CmpOp::kEq || kOp == CmpOp::kNe) {
      if (t.text.size() <= 16) {
        return SelectUnlessNull(null, ShortTextEquals(t, v) == (kOp == CmpOp::kEq));
      }
    }
    return SelectUnlessNull(null, Compare(kOp, v, t.text));
  } else if constexpr (kKind == FusedTest::kDays) {
    return SelectUnlessNull(null, Compare<int64_t>(kOp, col.Get<Days>(row), t.integer));
  } else if constexpr (kKind == FusedTest::kMillis) {
    return SelectUnlessNull(null, Compare<int64_t>(kOp, col.Get<Millis>(row), t.integer));
  } else {
    static_assert(kKind == FusedTest::kId);
    if (null) return Tri::kUnknown;
    return ToTri(Compare(kOp, col.Get<SfId>(row), t.id));
  }
}

inline Tri ColumnPicklistTest(const FusedTest& t, const Column& col, uint32_t row) {
  const bool null = col.IsNull(row);
  const Tri present = ToTri(t.HasCode(col.Get<uint32_t>(row)) != t.negate);
  const Tri absent = t.null_matches ? ToTri(!t.negate) : Tri::kUnknown;
  return null ? absent : present;
}

template <FusedTest::Kind kKind>
auto ColumnTestFor(CmpOp op) -> Tri (*)(const FusedTest&, const Column&, uint32_t) {
  switch (op) {
    case CmpOp::kEq:
      return &ColumnTest<kKind, CmpOp::kEq>;
    case CmpOp::kNe:
      return &ColumnTest<kKind, CmpOp::kNe>;
    case CmpOp::kLt:
      return &ColumnTest<kKind, CmpOp::kLt>;
    case CmpOp::kLe:
      return &ColumnTest<kKind, CmpOp::kLe>;
    case CmpOp::kGt:
      return &ColumnTest<kKind, CmpOp::kGt>;
    case CmpOp::kGe:
      return &ColumnTest<kKind, CmpOp::kGe>;
  }
  return nullptr;
}

// Fills t->on_column (and the padded constant of a short text test).
inline void PrepareColumnTest(FusedTest* t) {
  switch (t->kind) {
    case FusedTest::kNumber:
      t->on_column = ColumnTestFor<FusedTest::kNumber>(t->op);
      break;
    case FusedTest::kText:
      t->on_column = ColumnTestFor<FusedTest::kText>(t->op);
      if (t->text.size() <= 16) {
        char padded[16] = {};
        if (!t->text.empty()) std::memcpy(padded, t->text.data(), t->text.size());
        std::memcpy(t->text_words, padded, sizeof padded);
        unsigned char mask[16] = {};
        std::memset(mask, 0xFF, t->text.size());
        std::memcpy(t->text_masks, mask, sizeof mask);
      }
      break;
    case FusedTest::kPicklistIn:
      t->on_column = &ColumnPicklistTest;
      break;
    case FusedTest::kDays:
      t->on_column = ColumnTestFor<FusedTest::kDays>(t->op);
      break;
    case FusedTest::kMillis:
      t->on_column = ColumnTestFor<FusedTest::kMillis>(t->op);
      break;
    case FusedTest::kId:
      t->on_column = ColumnTestFor<FusedTest::kId>(t->op);
      break;
  }
}

// AND or OR of fused tests on one root record, in one loop: no call per clause.
class FusedLogicNode final : public BoolNode {
 public:
  FusedLogicNode(int root, std::vector<FusedTest> tests, bool is_and)
      : root_(root), tests_(std::move(tests)), is_and_(is_and) {
    for (FusedTest& t : tests_) PrepareColumnTest(&t);
  }
  Tri Eval(const Frame& f) const override {
    const EvalContext& c = *f.ctx;
    if (c.columns != nullptr && root_ == c.columns_root) return EvalOnColumns(c);
    return EvalOnRecords(c);
  }

 private:
  Tri EvalOnRecords(const EvalContext& c) const {
    const Tri decisive = is_and_ ? Tri::kFalse : Tri::kTrue;
    bool unknown = false;
    for (const FusedTest& t : tests_) {
      const Tri v = t.Eval(RootField(c, root_, t.slot));
      if (v == decisive) return decisive;
      unknown |= (v == Tri::kUnknown);
    }
    if (unknown) return Tri::kUnknown;
    return is_and_ ? Tri::kTrue : Tri::kFalse;
  }

  // In a scan, every test runs on every row, each through its own straight-line function, and
  // the results combine without a branch. Which clause decides differs from row to row at
  // random, so a short-circuit loop mispredicts a branch on most rows, and a test skipped at
  // random leaves its column to be read at random; both cost more than the tests saved. A
  // field without a column in the block is read from the row's record.
  Tri EvalOnColumns(const EvalContext& c) const {
    unsigned seen = 0;  // bit t set: some test gave Tri t
    for (const FusedTest& t : tests_) {
      const Column* col = c.columns->ColumnForSlot(t.slot);
      const Tri v = col != nullptr ? t.on_column(t, *col, c.row)
                                   : t.Eval(RootField(c, root_, t.slot));
      seen |= 1u << static_cast<unsigned>(v);
    }
    // AND: FALSE if some test is FALSE, else NULL if some is NULL, else TRUE; OR mirrored.
    const unsigned decisive = is_and_ ? 1u << 0 : 1u << 1;
    const unsigned decided = is_and_ ? 0u : 1u, undecided = is_and_ ? 1u : 0u;
    return static_cast<Tri>((seen & decisive) != 0 ? decided
                                                   : ((seen & 4u) != 0 ? 2u : undecided));
  }

  int root_;
  std::vector<FusedTest> tests_;
  bool is_and_;
};

// AND / OR over two or more operands, Kleene, short-circuiting.
class AndNode final : public BoolNode {
 public:
  explicit AndNode(std::vector<const BoolNode*> parts) : parts_(std::move(parts)) {}
  Tri Eval(const Frame& f) const override {
    bool unknown = false;
    for (const BoolNode* p : parts_) {
      Tri t = p->Eval(f);
      if (t == Tri::kFalse) return Tri::kFalse;
      unknown |= (t == Tri::kUnknown);
    }
    return unknown ? Tri::kUnknown : Tri::kTrue;
  }

 private:
  std::vector<const BoolNode*> parts_;
};

class OrNode final : public BoolNode {
 public:
  explicit OrNode(std::vector<const BoolNode*> parts) : parts_(std::move(parts)) {}
  Tri Eval(const Frame& f) const override {
    bool unknown = false;
    for (const BoolNode* p : parts_) {
      Tri t = p->Eval(f);
      if (t == Tri::kTrue) return Tri::kTrue;
      unknown |= (t == Tri::kUnknown);
    }
    return unknown ? Tri::kUnknown : Tri::kFalse;
  }

 private:
  std::vector<const BoolNode*> parts_;
};

class NotNode final : public BoolNode {
 public:
  explicit NotNode(const BoolNode* a) : a_(a) {}
  Tri Eval(const Frame& f) const override { return TriNot(a_->Eval(f)); }

 private:
  const BoolNode* a_;
};

// IS NULL / IS NOT NULL on any typed operand.
template <typename T>
class IsNullNode final : public BoolNode {
 public:
  IsNullNode(const ValueNode<T>* a, bool negated) : a_(a), negated_(negated) {}
  Tri Eval(const Frame& f) const override {
    T v;
    bool present = a_->Eval(f, &v);
    return ToTri(present == negated_);
  }

 private:
  const ValueNode<T>* a_;
  bool negated_;
};

class BoolIsNullNode final : public BoolNode {
 public:
  BoolIsNullNode(const BoolNode* a, bool negated) : a_(a), negated_(negated) {}
  Tri Eval(const Frame& f) const override {
    bool present = a_->Eval(f) != Tri::kUnknown;
    return ToTri(present == negated_);
  }

 private:
  const BoolNode* a_;
  bool negated_;
};

}  // namespace cf::engine::internal

#endif  // CF_ENGINE_INTERNAL_CONDITION_NODES_H_
