// The condition compiler: type-checks an AST against the schema and lowers it to the node
// tree of internal/condition_nodes.h. One Compiler per compilation; not shared.
#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <unordered_map>
#include <sstream>
#include <utility>

#include "engine/condition.h"
#include "engine/date_literal.h"
#include "engine/internal/condition_function_nodes.h"
#include "engine/internal/condition_nodes.h"

namespace cf::engine {
namespace {

using grammar::Diagnostic;
using grammar::NodeKind;
using grammar::Op;
using grammar::SourceSpan;
using namespace internal;

// Used when the caller gives no EvalScratch: one per thread, created on first need.
__attribute__((noinline, cold)) EvalScratch* FallbackScratch() {
  static thread_local EvalScratch scratch(4096);
  return &scratch;
}

// The compiled product: owns every node and every interned constant string.
class CompiledConditionImpl final : public CompiledCondition {
 public:
  Tri Evaluate(const EvalContext& ctx) const override {
    EvalScratch* scratch = ctx.scratch;
    if (uses_scratch_) {
      if (scratch == nullptr) scratch = FallbackScratch();
      scratch->Reset();
    }
    Frame f{&ctx, nullptr, scratch};
    return root_->Eval(f);
  }
  const std::vector<std::pair<int, int>>& referenced_fields() const override { return fields_; }
  const std::vector<int>& referenced_roots() const override { return roots_; }

  std::vector<std::unique_ptr<Node>> nodes_;
  std::deque<std::string> strings_;
  const BoolNode* root_ = nullptr;
  bool uses_scratch_ = false;  // some node builds strings at run time
  std::vector<std::pair<int, int>> fields_;
  std::vector<int> roots_;
};

// A compiled condition whose whole tree is one fused node of type N (the common "field op
// constant" and "AND/OR of such" rules): Evaluate calls it directly instead of through
// BoolNode's vtable, one indirect call per evaluation instead of two. Shares the nodes with
// the CompiledConditionImpl it wraps.
template <typename N>
class DirectCondition final : public CompiledCondition {
 public:
  DirectCondition(std::shared_ptr<const CompiledConditionImpl> impl, const N* top)
      : impl_(std::move(impl)), top_(top) {}
  Tri Evaluate(const EvalContext& ctx) const override {
    const Frame f{&ctx, nullptr, ctx.scratch};  // fused nodes build no strings
    return top_->Eval(f);                        // N is final: a direct call
  }
  const std::vector<std::pair<int, int>>& referenced_fields() const override {
    return impl_->referenced_fields();
  }
  const std::vector<int>& referenced_roots() const override { return impl_->referenced_roots(); }

 private:
  std::shared_ptr<const CompiledConditionImpl> impl_;
  const N* top_;
};

template <typename N, typename... Rest>
std::shared_ptr<const CompiledCondition> DirectIfOneOf(
    const std::shared_ptr<const CompiledConditionImpl>& impl) {
  if (const auto* top = dynamic_cast<const N*>(impl->root_)) {
    return std::make_shared<const DirectCondition<N>>(impl, top);
  }
  if constexpr (sizeof...(Rest) == 0) {
    return impl;
  } else {
    return DirectIfOneOf<Rest...>(impl);
  }
}

template <typename T>
std::shared_ptr<const CompiledCondition> DirectIfFieldConst(
    const std::shared_ptr<const CompiledConditionImpl>& impl) {
  return DirectIfOneOf<RootFieldConstNode<T, CmpOp::kEq>, RootFieldConstNode<T, CmpOp::kNe>,
                       RootFieldConstNode<T, CmpOp::kLt>, RootFieldConstNode<T, CmpOp::kLe>,
                       RootFieldConstNode<T, CmpOp::kGt>, RootFieldConstNode<T, CmpOp::kGe>>(impl);
}

// `impl` itself, or a DirectCondition over it when its tree is one fused node that builds no
// strings.
std::shared_ptr<const CompiledCondition> WithDirectTop(
    std::shared_ptr<const CompiledConditionImpl> impl) {
  if (impl->uses_scratch_) return impl;
  std::shared_ptr<const CompiledCondition> direct =
      DirectIfOneOf<FusedLogicNode, RootPicklistInNode>(impl);
  if (direct == impl) direct = DirectIfFieldConst<Decimal>(impl);
  if (direct == impl) direct = DirectIfFieldConst<std::string_view>(impl);
  if (direct == impl) direct = DirectIfFieldConst<Days>(impl);
  if (direct == impl) direct = DirectIfFieldConst<Millis>(impl);
  if (direct == impl) direct = DirectIfFieldConst<SfId>(impl);
  return direct;
}

// A type-checked sub-expression.
struct Operand {
  ValueType type = ValueType::kNull;
  bool error = false;            // already diagnosed; suppress follow-up errors
  SourceSpan span;
  const Node* node = nullptr;    // BoolNode for kBool, ValueNode<T> otherwise; null for kNull
  // Set for a path to a field: the field, its object, and how it was written.
  const Field* field = nullptr;
  const Object* field_object = nullptr;
  std::string text;              // how the operand is described in messages
  bool root_field = false;       // a field of a root record with no lookups
  int root = -1;
  Slot slot;
  // Literals.
  bool string_literal = false;
  std::string literal;           // string literal value
  bool date_literal = false;
  DateLiteralKind date_kind = DateLiteralKind::kToday;
  int32_t date_n = 0;

  template <typename T>
  const ValueNode<T>* As() const { return static_cast<const ValueNode<T>*>(node); }
  const BoolNode* AsBool() const { return static_cast<const BoolNode*>(node); }
  bool IsConst() const { return node != nullptr && node->constant; }
};

bool IsTextLike(ValueType t) {
  return t == ValueType::kString || t == ValueType::kPicklist || t == ValueType::kMultiPicklist;
}

ValueType ValueTypeOfField(const Field& f) {
  switch (f.storage()) {
    case StorageKind::kBool:
      return ValueType::kBool;
    case StorageKind::kNumber:
      return ValueType::kNumber;
    case StorageKind::kString:
      return f.type == FieldType::kMultiPicklist ? ValueType::kMultiPicklist : ValueType::kString;
    case StorageKind::kPicklist:
      return ValueType::kPicklist;
    case StorageKind::kId:
      return ValueType::kId;
    case StorageKind::kDate:
      return ValueType::kDate;
    case StorageKind::kDateTime:
      return ValueType::kDateTime;
    case StorageKind::kTime:
      return ValueType::kTime;
    case StorageKind::kNone:
      break;
  }
  return ValueType::kNull;
}

CmpOp CmpOpOf(Op op) {
  switch (op) {
    case Op::kNe:
      return CmpOp::kNe;
    case Op::kLt:
      return CmpOp::kLt;
    case Op::kLe:
      return CmpOp::kLe;
    case Op::kGt:
      return CmpOp::kGt;
    case Op::kGe:
      return CmpOp::kGe;
    default:
      return CmpOp::kEq;
  }
}

// a op b == b Mirror(op) a.
CmpOp Mirror(CmpOp op) {
  switch (op) {
    case CmpOp::kLt:
      return CmpOp::kGt;
    case CmpOp::kLe:
      return CmpOp::kGe;
    case CmpOp::kGt:
      return CmpOp::kLt;
    case CmpOp::kGe:
      return CmpOp::kLe;
    default:
      return op;
  }
}

const char* CmpOpText(CmpOp op) {
  switch (op) {
    case CmpOp::kEq:
      return "=";
    case CmpOp::kNe:
      return "!=";
    case CmpOp::kLt:
      return "<";
    case CmpOp::kLe:
      return "<=";
    case CmpOp::kGt:
      return ">";
    case CmpOp::kGe:
      return ">=";
  }
  return "?";
}

SourceSpan Join(SourceSpan a, SourceSpan b) {
  return SourceSpan{std::min(a.begin, b.begin), std::max(a.end, b.end)};
}

// A membership test on a root picklist field, for merging ORs of equalities.
struct PicklistSet {
  int root;
  Slot slot;
  std::vector<uint32_t> codes;
  bool negate;
  bool null_matches;
};

// A fused leaf (root field op constant) and its test, for FusedLogicNode.
struct FusedLeaf {
  int root;
  FusedTest test;
};

class Compiler {
 public:
  Compiler(const Environment& env, CompiledConditionImpl* out) : env_(env), out_(out) {}

  std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

  // Compiles a value expression of any type (CompileValue).
  Operand CompileAnyValue(const grammar::Node& n) {
    Operand o = Compile(n);
    if (!o.error && o.date_literal) {
      return Error(o.span, o.text + " is a range of dates, not a value",
                   "use a function such as TODAY() for a date");
    }
    return o;
  }

  // Compiles the top-level condition; it must be boolean.
  const BoolNode* CompileCondition(const grammar::Node& n) {
    Operand o = Compile(n);
    if (o.error) return nullptr;
    if (o.type != ValueType::kBool) {
      Error(o.span, std::string("a condition must be true or false, but this is ") +
                        Describe(o) + " (" + ValueTypeName(o.type) + ")",
            o.type == ValueType::kNull ? "" : "compare it with something, e.g. " + o.text + " = ...");
      return nullptr;
    }
    return o.AsBool();
  }

 private:
  // ---------- Infrastructure ----------

  template <typename N>
  static constexpr bool kBuildsStrings =
      std::is_same_v<N, ConcatNode> || std::is_same_v<N, TextFnNode> ||
      std::is_same_v<N, ToTextNode<Decimal>> || std::is_same_v<N, ToTextNode<SfId>> ||
      std::is_same_v<N, ToTextNode<Days>> || std::is_same_v<N, ToTextNode<Millis>>;

  template <typename N, typename... Args>
  N* Make(Args&&... args) {
    if constexpr (kBuildsStrings<N>) out_->uses_scratch_ = true;
    auto node = std::make_unique<N>(std::forward<Args>(args)...);
    N* raw = node.get();
    out_->nodes_.push_back(std::move(node));
    return raw;
  }

  std::string_view Intern(std::string s) {
    out_->strings_.push_back(std::move(s));
    return out_->strings_.back();
  }

  Operand Error(SourceSpan span, std::string message, std::string hint = "") {
    Diagnostic d;
    d.span = span;
    d.message = std::move(message);
    d.hint = std::move(hint);
    diagnostics_.push_back(std::move(d));
    Operand o;
    o.error = true;
    o.span = span;
    return o;
  }

  static std::string Describe(const Operand& o) {
    if (!o.text.empty()) return o.text;
    return "this expression";
  }
  static std::string Typed(const Operand& o) {
    return Describe(o) + " (" + ValueTypeName(o.type) + ")";
  }

  Frame ConstFrame() {
    static const EvalContext kEmpty{};
    return Frame{&kEmpty, nullptr, &fold_scratch_};
  }

  // If every child is constant, evaluates the node once and returns a literal instead.
  template <typename T>
  const ValueNode<T>* MaybeFold(const ValueNode<T>* n, std::initializer_list<const Node*> kids) {
    for (const Node* k : kids) {
      if (k == nullptr || !k->constant) return n;
    }
    T v;
    if (!n->Eval(ConstFrame(), &v)) return Make<NullNode<T>>();
    if constexpr (std::is_same_v<T, std::string_view>) v = Intern(std::string(v));
    if constexpr (std::is_same_v<T, PickVal>) v.text = Intern(std::string(v.text));
    return Make<ConstNode<T>>(v);
  }
  const BoolNode* MaybeFoldBool(const BoolNode* n, std::initializer_list<const Node*> kids) {
    for (const Node* k : kids) {
      if (k == nullptr || !k->constant) return n;
    }
    return Make<BoolConstNode>(n->Eval(ConstFrame()));
  }

  void NoteField(int object_index, int field_index) {
    std::pair<int, int> p{object_index, field_index};
    if (std::find(out_->fields_.begin(), out_->fields_.end(), p) == out_->fields_.end()) {
      out_->fields_.push_back(p);
    }
  }
  void NoteRoot(int root) {
    if (std::find(out_->roots_.begin(), out_->roots_.end(), root) == out_->roots_.end()) {
      out_->roots_.push_back(root);
    }
  }

  // ---------- Dispatch ----------

  Operand Compile(const grammar::Node& n) {
    Operand o = CompileInner(n);
    if (!o.error && o.span.begin == 0 && o.span.end == 0) o.span = n.span;
    return o;
  }

  Operand CompileInner(const grammar::Node& n) {
    switch (n.kind) {
      case NodeKind::kNumber:
      case NodeKind::kString:
      case NodeKind::kBool:
      case NodeKind::kNull:
      case NodeKind::kDate:
      case NodeKind::kDateTime:
      case NodeKind::kDateLiteral:
        return CompileLiteral(n);
      case NodeKind::kPath:
        return CompilePath(n);
      case NodeKind::kUnary:
        return CompileUnary(n);
      case NodeKind::kBinary:
        return CompileBinary(n);
      case NodeKind::kIn:
        return CompileIn(n);
      case NodeKind::kIsNull:
        return CompileIsNull(n);
      case NodeKind::kCall:
        return CompileCall(n);
    }
    return Error(n.span, "unsupported expression");
  }

  // ---------- Literals ----------

  Operand CompileLiteral(const grammar::Node& n) {
    Operand o;
    o.span = n.span;
    switch (n.kind) {
      case NodeKind::kNumber: {
        std::optional<Decimal> d = Decimal::Parse(n.text);
        if (!d) return Error(n.span, "number '" + n.text + "' is too large", "numbers have at most 29 digits before the point");
        o.type = ValueType::kNumber;
        o.node = Make<ConstNode<Decimal>>(*d);
        o.text = (n.currency ? "$" : "") + n.text;
        return o;
      }
      case NodeKind::kString: {
        o.type = ValueType::kString;
        o.string_literal = true;
        o.literal = n.text;
        o.node = Make<ConstNode<std::string_view>>(Intern(n.text));
        o.text = "\"" + (n.text.size() > 40 ? n.text.substr(0, 40) + "..." : n.text) + "\"";
        return o;
      }
      case NodeKind::kBool:
        o.type = ValueType::kBool;
        o.node = Make<BoolConstNode>(ToTri(n.boolean_value));
        o.text = n.boolean_value ? "true" : "false";
        return o;
      case NodeKind::kNull:
        o.type = ValueType::kNull;
        o.text = "null";
        return o;
      case NodeKind::kDate: {
        std::optional<Days> d = ParseIsoDate(n.text);
        if (!d) return Error(n.span, "'" + n.text + "' is not a valid date", "write dates as YYYY-MM-DD, e.g. 2024-03-31");
        o.type = ValueType::kDate;
        o.node = Make<ConstNode<Days>>(*d);
        o.text = n.text;
        return o;
      }
      case NodeKind::kDateTime: {
        std::optional<Millis> t = ParseIsoDateTime(n.text);
        if (!t) return Error(n.span, "'" + n.text + "' is not a valid date/time", "write date/times as 2024-03-31T10:00:00Z");
        o.type = ValueType::kDateTime;
        o.node = Make<ConstNode<Millis>>(*t);
        o.text = n.text;
        return o;
      }
      case NodeKind::kDateLiteral: {
        bool takes_n = false;
        std::optional<DateLiteralKind> kind = FindDateLiteral(n.text, &takes_n);
        if (!kind) return Error(n.span, "unknown date literal '" + n.text + "'");
        if (takes_n && (n.number < 0 || n.number > 100000)) {
          return Error(n.span, n.text + " needs a number of 0 to 100000 after ':'", "e.g. " + n.text + ":7");
        }
        o.type = ValueType::kDate;
        o.date_literal = true;
        o.date_kind = *kind;
        o.date_n = takes_n ? static_cast<int32_t>(n.number) : 0;
        o.text = n.text + (takes_n ? ":" + std::to_string(n.number) : "");
        return o;
      }
      default:
        break;
    }
    return Error(n.span, "unsupported literal");
  }

  // ---------- Paths ----------

  struct Resolved {
    const Object* object = nullptr;  // object the final step is on
    int object_index = -1;
    RecordPath path;                 // how to reach the record holding the field
    const Field* field = nullptr;    // set for a field
    int field_index = -1;
    const ChildRelationship* child = nullptr;  // set for a child relationship (aggregates)
    std::string text;                // canonical spelling, e.g. Contact.Account.Name
    bool ok = false;
  };

  // Resolves `segments` starting at a root or at the aggregate scope. With allow_child, the
  // last segment may name a child relationship.
  Resolved ResolvePath(const grammar::Node& n, bool allow_child) {
    Resolved r;
    const auto& segs = n.path;
    size_t i = 0;
    // Inside an aggregate, names resolve against the child record first.
    bool in_scope = false;
    if (scope_object_ >= 0) {
      const Object& so = env_.schema().object(scope_object_);
      if (StartsOnObject(so, segs, allow_child)) {
        r.object = &so;
        r.object_index = scope_object_;
        r.path.root = RecordPath::kScope;
        r.text = so.name;
        in_scope = true;
      }
    }
    if (!in_scope) {
      int root = env_.FindRoot(segs[0].name);
      if (root < 0) {
        std::vector<std::string_view> names;
        for (const auto& rt : env_.roots()) names.push_back(rt.name);
        std::string hint;
        if (std::string near = ClosestName(segs[0].name, names); !near.empty()) {
          hint = "did you mean '" + near + "'?";
        } else if (segs.size() == 1 && scope_object_ < 0) {
          hint = "start with an object, e.g. Account." + segs[0].name;
          for (const auto& rt : env_.roots()) {
            if (const Field* f = env_.schema().object(rt.object_index).FindField(segs[0].name)) {
              hint = "did you mean " + rt.name + "." + f->name + "?";
              break;
            }
          }
        } else if (scope_object_ >= 0) {
          hint = "inside this aggregate, fields of " + env_.schema().object(scope_object_).name +
                 " are written without a prefix";
        }
        Error(segs[0].span, "unknown object '" + segs[0].name + "'", hint);
        return r;
      }
      if (segs.size() == 1) {
        Error(segs[0].span, "'" + segs[0].name + "' is an object; name one of its fields",
              "e.g. " + env_.roots()[root].name + ".Id");
        return r;
      }
      r.path.root = root;
      r.object_index = env_.roots()[root].object_index;
      r.object = &env_.schema().object(r.object_index);
      r.text = env_.roots()[root].name;
      NoteRoot(root);
      i = 1;
    }
    while (i < segs.size()) {
      const Object& o = *r.object;
      const size_t last = segs.size() - 1;
      // Event objects have dotted field names ("customer.email"): longest match first.
      if (o.is_event) {
        bool matched = false;
        for (size_t j = last; j > i; --j) {
          std::string dotted;
          for (size_t k = i; k <= j; ++k) dotted += (k > i ? "." : "") + segs[k].name;
          int fi = o.FieldIndex(dotted);
          if (fi >= 0 && j == last) {
            r.field = &o.fields[fi];
            r.field_index = fi;
            r.text += "." + r.field->name;
            i = last + 1;
            matched = true;
            break;
          }
        }
        if (matched) break;
      }
      if (i == last) {
        int fi = o.FieldIndex(segs[i].name);
        if (fi >= 0) {
          r.field = &o.fields[fi];
          r.field_index = fi;
          r.text += "." + r.field->name;
          break;
        }
        if (allow_child) {
          if (const ChildRelationship* c = o.FindChildRelationship(segs[i].name)) {
            r.child = c;
            r.text += "." + c->relationship_name;
            break;
          }
        }
        if (const Field* lookup = FindLookup(o, segs[i].name)) {
          Error(segs[i].span, "'" + segs[i].name + "' on " + o.name + " is a lookup to another record; name one of its fields",
                "e.g. " + r.text + "." + segs[i].name + ".Name, or use the Id field " + lookup->name);
          return r;
        }
        UnknownField(o, segs[i], allow_child);
        return r;
      }
      // A lookup step.
      const Field* lookup = FindLookup(o, segs[i].name);
      if (lookup == nullptr) {
        if (const Field* f = o.FindField(segs[i].name)) {
          Error(segs[i].span, "'" + f->name + "' on " + o.name + " is a field, not a lookup; it has no fields of its own");
          return r;
        }
        UnknownField(o, segs[i], false);
        return r;
      }
      if (lookup->reference_to.size() != 1) {
        std::string targets;
        for (const auto& t : lookup->reference_to) targets += (targets.empty() ? "" : ", ") + t;
        Error(segs[i].span, "'" + segs[i].name + "' on " + o.name + " can point to several objects (" + targets +
                                "); conditions cannot follow it",
              "compare the Id field " + lookup->name + " instead");
        return r;
      }
      int target = env_.schema().IndexOf(lookup->reference_to[0]);
      if (target < 0) {
        Error(segs[i].span, "'" + segs[i].name + "' on " + o.name + " points to " + lookup->reference_to[0] +
                                ", which is not in the discovered schema",
              "discover " + lookup->reference_to[0] + " too, or compare the Id field " + lookup->name);
        return r;
      }
      int lookup_index = static_cast<int>(lookup - o.fields.data());
      const Slot* slot = env_.layout(r.object_index)->SlotForField(lookup_index);
      if (slot == nullptr) {
        NotSynced(segs[i].span, o, *lookup);
        return r;
      }
      NoteField(r.object_index, lookup_index);
      r.path.hops.push_back(Hop{*slot, target});
      r.text += "." + (lookup->relationship_name.empty() ? segs[i].name : lookup->relationship_name);
      r.object_index = target;
      r.object = &env_.schema().object(target);
      ++i;
    }
    r.ok = true;
    return r;
  }

  static bool StartsOnObject(const Object& o, const std::vector<grammar::PathSegment>& segs, bool allow_child) {
    const std::string& s = segs[0].name;
    if (o.FindField(s) != nullptr || FindLookup(o, s) != nullptr) return true;
    if (allow_child && segs.size() == 1 && o.FindChildRelationship(s) != nullptr) return true;
    if (o.is_event) {
      std::string dotted;
      for (const auto& seg : segs) {
        dotted += (dotted.empty() ? "" : ".") + seg.name;
        if (o.FindField(dotted) != nullptr) return true;
      }
    }
    return false;
  }

  // A lookup by relationship name ("Account", "Owner"), also as "Custom__r" for "Custom__c".
  static const Field* FindLookup(const Object& o, std::string_view name) {
    if (const Field* f = o.FindLookupByRelationship(name)) return f;
    if (name.size() > 3 && EqualsIgnoreCase(name.substr(name.size() - 3), "__r")) {
      std::string field_name = std::string(name.substr(0, name.size() - 3)) + "__c";
      const Field* f = o.FindField(field_name);
      if (f != nullptr && f->storage() == StorageKind::kId) return f;
    }
    return nullptr;
  }

  void UnknownField(const Object& o, const grammar::PathSegment& seg, bool allow_child) {
    std::vector<std::string_view> names;
    for (const Field& f : o.fields) names.push_back(f.name);
    for (const Field& f : o.fields) {
      if (!f.relationship_name.empty()) names.push_back(f.relationship_name);
    }
    if (allow_child) {
      for (const auto& c : o.child_relationships) names.push_back(c.relationship_name);
    }
    std::string near = ClosestName(seg.name, names);
    Error(seg.span, std::string(allow_child ? "unknown field or related list '" : "unknown field '") + seg.name +
                        "' on " + o.name,
          near.empty() ? "" : "did you mean '" + near + "'?");
  }

  void NotSynced(SourceSpan span, const Object& o, const Field& f) {
    Error(span, o.name + "." + f.name + " is not kept in the record cache",
          "add it to the fields synced for " + o.name);
  }

  Operand CompilePath(const grammar::Node& n) {
    Resolved r = ResolvePath(n, false);
    if (!r.ok) {
      Operand o;
      o.error = true;
      o.span = n.span;
      return o;
    }
    const Field& f = *r.field;
    Operand o;
    o.span = n.span;
    o.field = &f;
    o.field_object = r.object;
    o.text = r.text;
    o.type = ValueTypeOfField(f);
    if (f.storage() == StorageKind::kNone) {
      return Error(n.span, r.text + " is of type " + std::string(FieldTypeName(f.type)) +
                               ", which conditions cannot read",
                   f.type == FieldType::kAddress ? "use its parts, such as the City or Country fields" : "");
    }
    const Slot* slot = env_.layout(r.object_index)->SlotForField(r.field_index);
    if (slot == nullptr) {
      NotSynced(n.span, *r.object, f);
      o.error = true;
      return o;
    }
    NoteField(r.object_index, r.field_index);
    o.slot = *slot;
    o.root_field = r.path.root != RecordPath::kScope && r.path.hops.empty();
    o.root = r.path.root;
    switch (o.type) {
      case ValueType::kBool:
        o.node = Make<BoolFieldNode>(r.path, *slot);
        break;
      case ValueType::kNumber:
        o.node = Make<FieldNode<Decimal>>(r.path, *slot);
        break;
      case ValueType::kString:
      case ValueType::kMultiPicklist:
        o.node = Make<FieldNode<std::string_view>>(r.path, *slot);
        break;
      case ValueType::kPicklist:
        o.node = Make<FieldNode<PickVal>>(r.path, *slot);
        break;
      case ValueType::kId:
        o.node = Make<FieldNode<SfId>>(r.path, *slot);
        break;
      case ValueType::kDate:
      case ValueType::kTime:
        o.node = Make<FieldNode<Days>>(r.path, *slot);
        break;
      case ValueType::kDateTime:
        o.node = Make<FieldNode<Millis>>(r.path, *slot);
        break;
      case ValueType::kNull:
        break;
    }
    return o;
  }

  // ---------- Logic ----------

  Operand RequireBool(Operand o, const char* what) {
    if (o.error || o.type == ValueType::kBool) return o;
    if (o.type == ValueType::kNull) {
      // A bare null in a logical position is unknown.
      o.type = ValueType::kBool;
      o.node = Make<BoolConstNode>(Tri::kUnknown);
      return o;
    }
    return Error(o.span, std::string(what) + " needs true/false operands, but " + Typed(o) + " is not",
                 "compare it, e.g. " + o.text + " = ...");
  }

  Operand BoolResult(SourceSpan span, const BoolNode* node, std::string text = "") {
    Operand o;
    o.type = ValueType::kBool;
    o.span = span;
    o.node = node;
    o.text = std::move(text);
    return o;
  }

  Operand CompileUnary(const grammar::Node& n) {
    Operand a = Compile(n.children[0]);
    if (a.error) return a;
    if (n.op == Op::kNot) {
      a = RequireBool(std::move(a), "NOT");
      if (a.error) return a;
      return BoolResult(n.span, MaybeFoldBool(Make<NotNode>(a.AsBool()), {a.node}));
    }
    // Unary minus.
    if (a.type != ValueType::kNumber) {
      return Error(n.span, "'-' needs a number, but " + Typed(a) + " is not");
    }
    Operand o;
    o.type = ValueType::kNumber;
    o.span = n.span;
    o.text = "-" + a.text;
    o.node = MaybeFold<Decimal>(Make<NumUnaryNode>(a.As<Decimal>(), NumUnary::kNeg), {a.node});
    return o;
  }

  // Flattens a chain of the same logical operator: a AND b AND c -> [a, b, c].
  void Flatten(const grammar::Node& n, Op op, std::vector<const grammar::Node*>* out) {
    // Iterative on the left spine, so long chains do not recurse deeply.
    std::vector<const grammar::Node*> stack{&n};
    while (!stack.empty()) {
      const grammar::Node* cur = stack.back();
      stack.pop_back();
      if (cur->kind == NodeKind::kBinary && cur->op == op) {
        stack.push_back(&cur->children[1]);
        stack.push_back(&cur->children[0]);
      } else {
        out->push_back(cur);
      }
    }
  }

  Operand CompileLogical(const grammar::Node& n) {
    std::vector<const grammar::Node*> parts;
    Flatten(n, n.op, &parts);
    const bool is_and = n.op == Op::kAnd;
    std::vector<const BoolNode*> nodes;
    bool error = false;
    bool all_const = true;
    for (const grammar::Node* p : parts) {
      Operand o = RequireBool(Compile(*p), is_and ? "AND" : "OR");
      if (o.error) {
        error = true;
        continue;
      }
      const BoolNode* b = o.AsBool();
      if (b->constant) {
        Tri t = static_cast<const BoolConstNode*>(b)->value();
        // FALSE decides an AND, TRUE decides an OR; the neutral value drops out.
        if (t == (is_and ? Tri::kFalse : Tri::kTrue)) {
          nodes.assign(1, b);
          all_const = true;
          break;
        }
        if (t == (is_and ? Tri::kTrue : Tri::kFalse)) continue;
      } else {
        all_const = false;
      }
      nodes.push_back(b);
    }
    if (error) {
      Operand o;
      o.error = true;
      o.span = n.span;
      return o;
    }
    MergePicklistSets(is_and, &nodes);
    FuseLeaves(is_and, &nodes);
    const BoolNode* result;
    if (nodes.empty()) {
      result = Make<BoolConstNode>(is_and ? Tri::kTrue : Tri::kFalse);
    } else if (nodes.size() == 1) {
      result = nodes[0];
    } else if (is_and) {
      result = Make<AndNode>(nodes);
    } else {
      result = Make<OrNode>(nodes);
    }
    if (all_const && !result->constant) result = Make<BoolConstNode>(result->Eval(ConstFrame()));
    return BoolResult(n.span, result);
  }

  // `x = 'a' OR x = 'b'` on one picklist becomes one membership test `x IN ('a', 'b')`, and
  // `x != 'a' AND x != 'b'` becomes `x NOT IN (...)`. Same Kleene result: a null x is unknown
  // either way (sets that match null are left alone).
  void MergePicklistSets(bool is_and, std::vector<const BoolNode*>* nodes) {
    std::vector<const BoolNode*> out;
    std::vector<PicklistSet> merged;  // parallel to the merged entries of `out`
    std::vector<int> merged_at;       // index in `out` of each merged set
    for (const BoolNode* n : *nodes) {
      auto it = picklist_sets_.find(n);
      if (it == picklist_sets_.end() || it->second.negate != is_and || it->second.null_matches) {
        out.push_back(n);
        continue;
      }
      const PicklistSet& set = it->second;
      bool joined = false;
      for (size_t k = 0; k < merged.size(); ++k) {
        if (merged[k].root == set.root && merged[k].slot.offset == set.slot.offset) {
          for (uint32_t c : set.codes) {
            if (std::find(merged[k].codes.begin(), merged[k].codes.end(), c) == merged[k].codes.end()) {
              merged[k].codes.push_back(c);
            }
          }
          joined = true;
          break;
        }
      }
      if (!joined) {
        merged.push_back(set);
        merged_at.push_back(static_cast<int>(out.size()));
        out.push_back(n);
      }
    }
    for (size_t k = 0; k < merged.size(); ++k) out[merged_at[k]] = MakeRootPicklistIn(merged[k]);
    *nodes = std::move(out);
  }

  const BoolNode* MakeRootPicklistIn(const PicklistSet& set) {
    const BoolNode* n =
        Make<RootPicklistInNode>(set.root, set.slot, set.codes, set.negate, set.null_matches);
    if (set.codes.size() <= static_cast<size_t>(FusedTest::kMaxCodes)) {
      FusedTest t;
      t.kind = FusedTest::kPicklistIn;
      t.slot = set.slot;
      t.negate = set.negate;
      t.null_matches = set.null_matches;
      t.code_count = static_cast<uint8_t>(set.codes.size());
      std::copy(set.codes.begin(), set.codes.end(), t.codes);
      fused_.emplace(n, FusedLeaf{set.root, t});
    }
    return n;
  }

  // Two or more fused leaves on one root, under one AND or OR, become one FusedLogicNode
  // that tests them in a loop. Kleene AND/OR are commutative, so grouping keeps the result.
  void FuseLeaves(bool is_and, std::vector<const BoolNode*>* nodes) {
    std::map<int, std::vector<size_t>> by_root;
    for (size_t i = 0; i < nodes->size(); ++i) {
      auto it = fused_.find((*nodes)[i]);
      if (it != fused_.end()) by_root[it->second.root].push_back(i);
    }
    std::vector<bool> drop(nodes->size(), false);
    for (const auto& [root, members] : by_root) {
      if (members.size() < 2) continue;
      std::vector<FusedTest> tests;
      for (size_t i : members) {
        tests.push_back(fused_.at((*nodes)[i]).test);
        drop[i] = true;
      }
      (*nodes)[members[0]] = Make<FusedLogicNode>(root, std::move(tests), is_and);
      drop[members[0]] = false;
    }
    std::vector<const BoolNode*> out;
    for (size_t i = 0; i < nodes->size(); ++i) {
      if (!drop[i]) out.push_back((*nodes)[i]);
    }
    *nodes = std::move(out);
  }

  // ---------- Binary operators ----------

  Operand CompileBinary(const grammar::Node& n) {
    switch (n.op) {
      case Op::kAnd:
      case Op::kOr:
        return CompileLogical(n);
      case Op::kEq:
      case Op::kNe:
      case Op::kLt:
      case Op::kLe:
      case Op::kGt:
      case Op::kGe: {
        Operand a = Compile(n.children[0]);
        Operand b = Compile(n.children[1]);
        if (a.error || b.error) return Failed(n.span);
        return CompileComparison(CmpOpOf(n.op), a, b, n.span);
      }
      case Op::kAdd:
      case Op::kSub:
      case Op::kMul:
      case Op::kDiv:
        return CompileArithmetic(n);
      case Op::kConcat:
        return CompileConcat(n);
      case Op::kLike:
        return CompileLike(n);
      case Op::kContains:
      case Op::kStartsWith:
      case Op::kEndsWith:
        return CompileTextTest(n);
      default:
        break;
    }
    return Error(n.span, "unsupported operator");
  }

  Operand Failed(SourceSpan span) {
    Operand o;
    o.error = true;
    o.span = span;
    return o;
  }

  // Makes a text operand out of a text-like one (picklist -> its value text).
  Operand AsText(Operand o) {
    if (o.error) return o;
    if (o.type == ValueType::kPicklist) {
      o.node = MaybeFold<std::string_view>(Make<PickTextNode>(o.As<PickVal>()), {o.node});
      o.type = ValueType::kString;
      o.root_field = false;
      return o;
    }
    if (o.type == ValueType::kMultiPicklist) {
      o.type = ValueType::kString;
      o.root_field = false;
    }
    return o;
  }

  template <typename T>
  const BoolNode* MakeCompare(CmpOp op, const Operand& a, const Operand& b) {
    // Fused shape: root field op constant (either side).
    if (a.root_field && b.IsConst() && a.type != ValueType::kPicklist) {
      T c;
      if (b.As<T>()->Eval(ConstFrame(), &c)) return MakeRootConst<T>(op, a, c);
    }
    if (b.root_field && a.IsConst() && b.type != ValueType::kPicklist) {
      T c;
      if (a.As<T>()->Eval(ConstFrame(), &c)) return MakeRootConst<T>(Mirror(op), b, c);
    }
    const ValueNode<T>* x = a.As<T>();
    const ValueNode<T>* y = b.As<T>();
    const BoolNode* n = nullptr;
    switch (op) {
      case CmpOp::kEq:
        n = Make<CompareNode<T, CmpOp::kEq>>(x, y);
        break;
      case CmpOp::kNe:
        n = Make<CompareNode<T, CmpOp::kNe>>(x, y);
        break;
      case CmpOp::kLt:
        n = Make<CompareNode<T, CmpOp::kLt>>(x, y);
        break;
      case CmpOp::kLe:
        n = Make<CompareNode<T, CmpOp::kLe>>(x, y);
        break;
      case CmpOp::kGt:
        n = Make<CompareNode<T, CmpOp::kGt>>(x, y);
        break;
      case CmpOp::kGe:
        n = Make<CompareNode<T, CmpOp::kGe>>(x, y);
        break;
    }
    return MaybeFoldBool(n, {a.node, b.node});
  }

  template <typename T>
  const BoolNode* MakeRootConst(CmpOp op, const Operand& field, T c) {
    const BoolNode* n = MakeRootConstNode<T>(op, field, c);
    FusedTest t;
    t.op = op;
    t.slot = field.slot;
    if constexpr (std::is_same_v<T, Decimal>) {
      t.kind = FusedTest::kNumber;
      t.number = c;
    } else if constexpr (std::is_same_v<T, std::string_view>) {
      t.kind = FusedTest::kText;
      t.text = c;  // interned: lives as long as the condition
    } else if constexpr (std::is_same_v<T, Days>) {
      t.kind = FusedTest::kDays;
      t.integer = c;
    } else if constexpr (std::is_same_v<T, Millis>) {
      t.kind = FusedTest::kMillis;
      t.integer = c;
    } else if constexpr (std::is_same_v<T, SfId>) {
      t.kind = FusedTest::kId;
      t.id = c;
    }
    fused_.emplace(n, FusedLeaf{field.root, t});
    return n;
  }

  template <typename T>
  const BoolNode* MakeRootConstNode(CmpOp op, const Operand& field, T c) {
    switch (op) {
      case CmpOp::kEq:
        return Make<RootFieldConstNode<T, CmpOp::kEq>>(field.root, field.slot, c);
      case CmpOp::kNe:
        return Make<RootFieldConstNode<T, CmpOp::kNe>>(field.root, field.slot, c);
      case CmpOp::kLt:
        return Make<RootFieldConstNode<T, CmpOp::kLt>>(field.root, field.slot, c);
      case CmpOp::kLe:
        return Make<RootFieldConstNode<T, CmpOp::kLe>>(field.root, field.slot, c);
      case CmpOp::kGt:
        return Make<RootFieldConstNode<T, CmpOp::kGt>>(field.root, field.slot, c);
      case CmpOp::kGe:
        return Make<RootFieldConstNode<T, CmpOp::kGe>>(field.root, field.slot, c);
    }
    return nullptr;
  }

  // The interned code of a picklist literal, or an error with "did you mean".
  bool PicklistCode(const Operand& field, const Operand& lit, uint32_t* code) {
    int i = field.field->FindPicklistValue(lit.literal);
    if (i >= 0) {
      *code = static_cast<uint32_t>(i);
      return true;
    }
    std::vector<std::string_view> values;
    for (const auto& v : field.field->picklist_values) values.push_back(v.value);
    std::string near = ClosestName(lit.literal, values);
    std::string hint;
    if (!near.empty()) {
      hint = "did you mean '" + near + "'?";
    } else {
      hint = "its values are ";
      for (size_t k = 0; k < values.size() && k < 8; ++k) hint += (k ? ", " : "") + std::string("'") + std::string(values[k]) + "'";
      if (values.size() > 8) hint += ", ...";
      if (values.empty()) hint = "this picklist has no values in the discovered schema";
    }
    Error(lit.span, "'" + lit.literal + "' is not a value of picklist " + field.text, hint);
    return false;
  }

  const BoolNode* MakePicklistIn(const Operand& field, std::vector<uint32_t> codes, bool negate, bool null_matches) {
    if (field.root_field) {
      PicklistSet set{field.root, field.slot, codes, negate, null_matches};
      const BoolNode* n = MakeRootPicklistIn(set);
      picklist_sets_.emplace(n, std::move(set));
      return n;
    }
    return Make<PickCodeInNode>(field.As<PickVal>(), std::move(codes), negate, null_matches);
  }

  Operand CompileComparison(CmpOp op, Operand a, Operand b, SourceSpan span) {
    const bool equality = op == CmpOp::kEq || op == CmpOp::kNe;
    // Date literals are ranges.
    if (a.date_literal || b.date_literal) {
      if (a.date_literal && b.date_literal) return Error(span, "compare a date field with a date literal, not two date literals");
      if (a.date_literal) {
        std::swap(a, b);
        op = Mirror(op);
      }
      if (a.type == ValueType::kDate) {
        return BoolResult(span, Make<DateRangeCompareNode>(a.As<Days>(), op, b.date_kind, b.date_n));
      }
      if (a.type == ValueType::kDateTime) {
        return BoolResult(span, Make<DateTimeRangeCompareNode>(a.As<Millis>(), op, b.date_kind, b.date_n));
      }
      if (a.type == ValueType::kNull) return BoolResult(span, Make<BoolConstNode>(Tri::kUnknown));
      return Error(span, Typed(a) + " cannot be compared with the date literal " + b.text,
                   "date literals such as " + b.text + " compare with date and date/time fields");
    }
    // null: = null is IS NULL, != null is IS NOT NULL.
    if (a.type == ValueType::kNull || b.type == ValueType::kNull) {
      if (!equality) {
        return Error(span, std::string("'") + CmpOpText(op) + "' cannot compare with null",
                     "use IS NULL or IS NOT NULL");
      }
      if (a.type == ValueType::kNull) std::swap(a, b);
      if (a.type == ValueType::kNull) return BoolResult(span, Make<BoolConstNode>(ToTri(op == CmpOp::kEq)));
      return BoolResult(span, MakeIsNull(a, op == CmpOp::kNe));
    }
    // Picklists: a literal must be one of the values and compares by interned code.
    if (a.type == ValueType::kPicklist && b.string_literal) return PicklistVsLiteral(op, a, b, span);
    if (b.type == ValueType::kPicklist && a.string_literal) return PicklistVsLiteral(Mirror(op), b, a, span);
    if (a.type == ValueType::kMultiPicklist || b.type == ValueType::kMultiPicklist) {
      if (!(a.type == ValueType::kMultiPicklist && b.type == ValueType::kMultiPicklist) || !equality) {
        const Operand& m = a.type == ValueType::kMultiPicklist ? a : b;
        return Error(span, Typed(m) + " holds several values; compare it with INCLUDES",
                     "e.g. INCLUDES(" + m.text + ", \"value\")");
      }
    }
    if (IsTextLike(a.type) && IsTextLike(b.type)) {
      if (!equality && (a.type == ValueType::kPicklist || b.type == ValueType::kPicklist)) {
        return Error(span, std::string("picklist values have no order; '") + CmpOpText(op) + "' cannot compare them",
                     "use = or IN, or compare TEXT(...) as text");
      }
      Operand x = AsText(a), y = AsText(b);
      return BoolResult(span, MakeCompare<std::string_view>(op, x, y));
    }
    // Ids: compared in their canonical form; a text literal must be a valid Id.
    if (a.type == ValueType::kId || b.type == ValueType::kId) {
      if (a.type != ValueType::kId) {
        std::swap(a, b);
        op = Mirror(op);
      }
      if (!equality) return Error(span, "Ids have no order; use = or !=");
      if (b.type == ValueType::kString) {
        if (!(b = TextToId(b)).node) return Failed(span);
      } else if (b.type != ValueType::kId) {
        return Mismatch(span, op, a, b);
      }
      return BoolResult(span, MakeCompare<SfId>(op, a, b));
    }
    if (a.type != b.type) return Mismatch(span, op, a, b);
    switch (a.type) {
      case ValueType::kNumber:
        return BoolResult(span, MakeCompare<Decimal>(op, a, b));
      case ValueType::kDate:
      case ValueType::kTime:
        return BoolResult(span, MakeCompare<Days>(op, a, b));
      case ValueType::kDateTime:
        return BoolResult(span, MakeCompare<Millis>(op, a, b));
      case ValueType::kBool: {
        if (!equality) return Error(span, "true/false values have no order; use = or !=");
        // a = b on Kleene values: unknown if either is unknown.
        const BoolNode* x = a.AsBool();
        const BoolNode* y = b.AsBool();
        const BoolNode* eq = Make<AndNode>(std::vector<const BoolNode*>{
            Make<OrNode>(std::vector<const BoolNode*>{Make<NotNode>(x), y}),
            Make<OrNode>(std::vector<const BoolNode*>{x, Make<NotNode>(y)})});
        const BoolNode* r = op == CmpOp::kEq ? eq : Make<NotNode>(eq);
        return BoolResult(span, MaybeFoldBool(r, {a.node, b.node}));
      }
      default:
        break;
    }
    return Mismatch(span, op, a, b);
  }

  Operand PicklistVsLiteral(CmpOp op, const Operand& field, const Operand& lit, SourceSpan span) {
    if (op != CmpOp::kEq && op != CmpOp::kNe) {
      return Error(span, std::string("picklist values have no order; '") + CmpOpText(op) + "' cannot compare them",
                   "use = or IN");
    }
    uint32_t code;
    if (!PicklistCode(field, lit, &code)) return Failed(span);
    return BoolResult(span, MakePicklistIn(field, {code}, op == CmpOp::kNe, false));
  }

  Operand TextToId(Operand b) {
    if (b.string_literal) {
      std::optional<SfId> id = SfId::Parse(b.literal);
      if (!id) {
        Error(b.span, "\"" + b.literal + "\" is not a Salesforce Id", "Ids have 15 or 18 letters and digits, e.g. 001000000000001AAA");
        b.node = nullptr;
        return b;
      }
      b.node = Make<ConstNode<SfId>>(*id);
    } else {
      b.node = Make<StrToIdNode>(b.As<std::string_view>());
    }
    b.type = ValueType::kId;
    return b;
  }

  Operand Mismatch(SourceSpan span, CmpOp op, const Operand& a, const Operand& b) {
    std::string hint;
    if (a.type == ValueType::kNumber && b.string_literal) hint = "write the number without quotes";
    if (b.type == ValueType::kNumber && a.string_literal) hint = "write the number without quotes";
    if ((a.type == ValueType::kDateTime && b.type == ValueType::kDate) ||
        (a.type == ValueType::kDate && b.type == ValueType::kDateTime)) {
      hint = "use DATEVALUE(...) to take the date of a date/time, or a date literal such as TODAY";
    }
    if ((a.type == ValueType::kNumber && IsTextLike(b.type)) || (b.type == ValueType::kNumber && IsTextLike(a.type))) {
      if (hint.empty()) hint = "convert with VALUE(...) or TEXT(...)";
    }
    return Error(span, std::string("cannot compare ") + Typed(a) + " " + CmpOpText(op) + " " + Typed(b), hint);
  }

  const BoolNode* MakeIsNull(const Operand& a, bool negated) {
    const BoolNode* n = nullptr;
    switch (a.type) {
      case ValueType::kBool:
        n = Make<BoolIsNullNode>(a.AsBool(), negated);
        break;
      case ValueType::kNumber:
        n = Make<IsNullNode<Decimal>>(a.As<Decimal>(), negated);
        break;
      case ValueType::kString:
      case ValueType::kMultiPicklist:
        n = Make<IsNullNode<std::string_view>>(a.As<std::string_view>(), negated);
        break;
      case ValueType::kPicklist:
        n = Make<IsNullNode<PickVal>>(a.As<PickVal>(), negated);
        break;
      case ValueType::kId:
        n = Make<IsNullNode<SfId>>(a.As<SfId>(), negated);
        break;
      case ValueType::kDate:
      case ValueType::kTime:
        n = Make<IsNullNode<Days>>(a.As<Days>(), negated);
        break;
      case ValueType::kDateTime:
        n = Make<IsNullNode<Millis>>(a.As<Millis>(), negated);
        break;
      case ValueType::kNull:
        return Make<BoolConstNode>(ToTri(!negated));
    }
    return MaybeFoldBool(n, {a.node});
  }

  Operand CompileIsNull(const grammar::Node& n) {
    Operand a = Compile(n.children[0]);
    if (a.error) return a;
    if (a.date_literal) return Error(a.span, "a date literal is never null");
    return BoolResult(n.span, MakeIsNull(a, n.negated));
  }

  // ---------- IN ----------

  Operand CompileIn(const grammar::Node& n) {
    Operand x = Compile(n.children[0]);
    if (x.error) return x;
    std::vector<Operand> items;
    bool error = false;
    bool has_null = false;
    bool all_const = true;
    for (size_t i = 1; i < n.children.size(); ++i) {
      Operand e = Compile(n.children[i]);
      if (e.error) {
        error = true;
        continue;
      }
      if (e.type == ValueType::kNull) {
        has_null = true;
        continue;
      }
      if (!e.IsConst()) all_const = false;
      items.push_back(std::move(e));
    }
    if (error) return Failed(n.span);
    if (x.date_literal) return Error(x.span, "a date literal cannot be the left side of IN");
    // Picklist against literals: interned codes.
    if (x.type == ValueType::kPicklist &&
        std::all_of(items.begin(), items.end(), [](const Operand& e) { return e.string_literal; })) {
      std::vector<uint32_t> codes;
      for (const Operand& e : items) {
        uint32_t code;
        if (!PicklistCode(x, e, &code)) error = true;
        codes.push_back(code);
      }
      if (error) return Failed(n.span);
      return BoolResult(n.span, MakePicklistIn(x, std::move(codes), n.negated, has_null));
    }
    // Constant lists of one type: a membership test.
    if (all_const && x.type != ValueType::kNull && x.type != ValueType::kBool &&
        x.type != ValueType::kPicklist && x.type != ValueType::kMultiPicklist) {
      std::optional<Operand> r = InConst(x, items, n.negated, has_null, n.span);
      if (r) return *r;
    }
    // General case: OR of equalities (= null meaning IS NULL), negated for NOT IN.
    std::vector<const BoolNode*> eqs;
    for (Operand& e : items) {
      Operand c = CompileComparison(CmpOp::kEq, x, e, Join(x.span, e.span));
      if (c.error) {
        error = true;
        continue;
      }
      eqs.push_back(c.AsBool());
    }
    if (has_null) eqs.push_back(MakeIsNull(x, false));
    if (error) return Failed(n.span);
    const BoolNode* any = eqs.size() == 1 ? eqs[0] : Make<OrNode>(eqs);
    const BoolNode* r = n.negated ? Make<NotNode>(any) : any;
    return BoolResult(n.span, r);
  }

  std::optional<Operand> InConst(const Operand& x, std::vector<Operand>& items, bool negate, bool has_null,
                                 SourceSpan span) {
    switch (x.type) {
      case ValueType::kNumber:
        return InConstOf<Decimal>(x, items, ValueType::kNumber, negate, has_null, span);
      case ValueType::kString:
        return InConstOf<std::string_view>(x, items, ValueType::kString, negate, has_null, span);
      case ValueType::kDate:
        return InConstOf<Days>(x, items, ValueType::kDate, negate, has_null, span);
      case ValueType::kDateTime:
        return InConstOf<Millis>(x, items, ValueType::kDateTime, negate, has_null, span);
      case ValueType::kId: {
        for (Operand& e : items) {
          if (e.type == ValueType::kString && e.string_literal) {
            e = TextToId(e);
            if (!e.node) return Failed(span);
          }
        }
        return InConstOf<SfId>(x, items, ValueType::kId, negate, has_null, span);
      }
      default:
        return std::nullopt;
    }
  }

  template <typename T>
  std::optional<Operand> InConstOf(const Operand& x, const std::vector<Operand>& items, ValueType type, bool negate,
                                   bool has_null, SourceSpan span) {
    std::vector<T> values;
    for (const Operand& e : items) {
      if (e.type != type || e.date_literal) return std::nullopt;  // mixed: general path
      T v;
      if (e.As<T>()->Eval(ConstFrame(), &v)) values.push_back(v);
    }
    return BoolResult(span, Make<InConstNode<T>>(x.As<T>(), std::move(values), negate, has_null));
  }

  // ---------- Arithmetic and text ----------

  Operand CompileArithmetic(const grammar::Node& n) {
    Operand a = Compile(n.children[0]);
    Operand b = Compile(n.children[1]);
    if (a.error || b.error) return Failed(n.span);
    const char* sym = grammar::OpName(n.op);
    Operand o;
    o.span = n.span;
    o.text = a.text + " " + sym + " " + b.text;
    if (a.type == ValueType::kNull || b.type == ValueType::kNull) {
      // Arithmetic with null is null; keep the other side's type.
      ValueType t = a.type == ValueType::kNull ? b.type : a.type;
      if (t == ValueType::kNull) t = ValueType::kNumber;
      if (t != ValueType::kNumber) return Error(n.span, std::string("'") + sym + "' needs numbers");
      o.type = ValueType::kNumber;
      o.node = Make<NullNode<Decimal>>();
      return o;
    }
    if (a.type == ValueType::kNumber && b.type == ValueType::kNumber) {
      ArithOp op = n.op == Op::kAdd ? ArithOp::kAdd : n.op == Op::kSub ? ArithOp::kSub
                 : n.op == Op::kMul ? ArithOp::kMul : ArithOp::kDiv;
      if (op == ArithOp::kDiv && b.IsConst()) {
        Decimal d;
        if (b.As<Decimal>()->Eval(ConstFrame(), &d) && d == Decimal()) {
          return Error(b.span, "division by zero", "");
        }
      }
      o.type = ValueType::kNumber;
      o.node = MaybeFold<Decimal>(Make<ArithNode>(a.As<Decimal>(), b.As<Decimal>(), op), {a.node, b.node});
      return o;
    }
    if ((n.op == Op::kAdd || n.op == Op::kSub) && b.type == ValueType::kNumber) {
      if (a.type == ValueType::kDate && !a.date_literal) {
        o.type = ValueType::kDate;
        o.node = Make<DatePlusDaysNode>(a.As<Days>(), b.As<Decimal>(), n.op == Op::kSub);
        return o;
      }
      if (a.type == ValueType::kDateTime) {
        o.type = ValueType::kDateTime;
        o.node = Make<DateTimePlusDaysNode>(a.As<Millis>(), b.As<Decimal>(), n.op == Op::kSub);
        return o;
      }
    }
    if (n.op == Op::kAdd && a.type == ValueType::kNumber && b.type == ValueType::kDate && !b.date_literal) {
      o.type = ValueType::kDate;
      o.node = Make<DatePlusDaysNode>(b.As<Days>(), a.As<Decimal>(), false);
      return o;
    }
    if (n.op == Op::kAdd && a.type == ValueType::kNumber && b.type == ValueType::kDateTime) {
      o.type = ValueType::kDateTime;
      o.node = Make<DateTimePlusDaysNode>(b.As<Millis>(), a.As<Decimal>(), false);
      return o;
    }
    if (n.op == Op::kSub && a.type == ValueType::kDate && b.type == ValueType::kDate && !a.date_literal && !b.date_literal) {
      o.type = ValueType::kNumber;
      o.node = Make<DateDiffNode>(a.As<Days>(), b.As<Days>());
      return o;
    }
    if (n.op == Op::kSub && a.type == ValueType::kDateTime && b.type == ValueType::kDateTime) {
      o.type = ValueType::kNumber;
      o.node = Make<DateTimeDiffNode>(a.As<Millis>(), b.As<Millis>());
      return o;
    }
    std::string hint;
    if (n.op == Op::kAdd && (IsTextLike(a.type) || IsTextLike(b.type))) hint = "use & to join text";
    if (a.date_literal || b.date_literal) hint = "date literals are ranges; use TODAY() for today's date";
    return Error(n.span, std::string("'") + sym + "' cannot combine " + Typed(a) + " and " + Typed(b), hint);
  }

  Operand RequireText(Operand o, const std::string& what) {
    if (o.error) return o;
    if (o.type == ValueType::kNull) {
      o.type = ValueType::kString;
      o.node = Make<NullNode<std::string_view>>();
      return o;
    }
    if (!IsTextLike(o.type)) {
      return Error(o.span, what + " needs text, but " + Typed(o) + " is not", "convert it with TEXT(...)");
    }
    return AsText(std::move(o));
  }

  Operand CompileConcat(const grammar::Node& n) {
    std::vector<const grammar::Node*> parts;
    Flatten(n, Op::kConcat, &parts);
    std::vector<const StrNode*> nodes;
    std::vector<const Node*> kids;
    bool error = false;
    std::string text;
    for (const grammar::Node* p : parts) {
      Operand o = RequireText(Compile(*p), "'&'");
      if (o.error) {
        error = true;
        continue;
      }
      text += (text.empty() ? "" : " & ") + o.text;
      nodes.push_back(o.As<std::string_view>());
      kids.push_back(o.node);
    }
    if (error) return Failed(n.span);
    Operand o;
    o.type = ValueType::kString;
    o.span = n.span;
    o.text = text;
    const StrNode* c = Make<ConcatNode>(nodes);
    bool all_const = std::all_of(kids.begin(), kids.end(), [](const Node* k) { return k->constant; });
    o.node = all_const ? MaybeFold<std::string_view>(c, {}) : c;
    return o;
  }

  Operand CompileTextTest(const grammar::Node& n) {
    const char* name = grammar::OpName(n.op);
    Operand a = RequireText(Compile(n.children[0]), name);
    Operand b = RequireText(Compile(n.children[1]), name);
    if (a.error || b.error) return Failed(n.span);
    TextTest t = n.op == Op::kContains ? TextTest::kContains
               : n.op == Op::kStartsWith ? TextTest::kStartsWith : TextTest::kEndsWith;
    return BoolResult(n.span, MaybeFoldBool(Make<TextTestNode>(a.As<std::string_view>(), b.As<std::string_view>(), t),
                                            {a.node, b.node}));
  }

  Operand CompileLike(const grammar::Node& n) {
    Operand a = RequireText(Compile(n.children[0]), "LIKE");
    if (a.error) return a;
    const grammar::Node& p = n.children[1];
    if (p.kind != NodeKind::kString) {
      return Error(p.span, "LIKE needs a quoted pattern", "e.g. Name LIKE \"Acme%\"");
    }
    // Compile the pattern from the raw text so that \% and \_ are literal characters.
    std::vector<LikeItem> items;
    std::string literal;
    auto flush = [&] {
      if (!literal.empty()) {
        items.push_back(LikeItem{LikeItem::kLiteral, Intern(literal)});
        literal.clear();
      }
    };
    const std::string& raw = p.raw_text;
    for (size_t i = 0; i < raw.size(); ++i) {
      char c = raw[i];
      if (c == '\\' && i + 1 < raw.size()) {
        char e = raw[++i];
        switch (e) {
          case 'n': literal += '\n'; break;
          case 'r': literal += '\r'; break;
          case 't': literal += '\t'; break;
          case 'b': literal += '\b'; break;
          case 'f': literal += '\f'; break;
          default: literal += e; break;  // \% \_ \\ \' \"
        }
      } else if (c == '%') {
        flush();
        if (items.empty() || items.back().kind != LikeItem::kAnyRun) items.push_back(LikeItem{LikeItem::kAnyRun, {}});
      } else if (c == '_') {
        flush();
        items.push_back(LikeItem{LikeItem::kAnyOne, {}});
      } else {
        literal += c;
      }
    }
    flush();
    return BoolResult(n.span, MaybeFoldBool(Make<LikeNode>(a.As<std::string_view>(), std::move(items)), {a.node}));
  }

  // ---------- Functions ----------

  Operand CompileCall(const grammar::Node& n);
  Operand CompileAggregate(const grammar::Node& n, const std::string& name);
  bool IsChildRelationshipPath(const grammar::Node& path);
  Operand UnknownFunction(const grammar::Node& n);
  // Not inlined into CompileCall: its large frame stays off the recursion path.
  __attribute__((noinline)) Operand CompileFunction(const grammar::Node& n, std::vector<Operand> args);
  bool CheckArity(const grammar::Node& n, size_t min, size_t max);
  Operand Unify(const grammar::Node& n, Operand a, Operand b, const char* what);
  template <typename T>
  Operand MakeIf(const Operand& c, const Operand& a, const Operand& b, ValueType type, SourceSpan span);
  template <typename T>
  Operand MakeBlankValue(const Operand& a, const Operand& b, ValueType type, SourceSpan span);

  const Environment& env_;
  CompiledConditionImpl* out_;
  std::vector<Diagnostic> diagnostics_;
  EvalScratch fold_scratch_{1024};
  int scope_object_ = -1;  // the child object inside an aggregate, else -1
  Operand unified_a_, unified_b_;  // Unify's results
  std::unordered_map<const BoolNode*, PicklistSet> picklist_sets_;
  std::unordered_map<const BoolNode*, FusedLeaf> fused_;
};

const char* const kFunctionNames[] = {
    "ISBLANK", "ISNULL", "BLANKVALUE", "ISPICKVAL", "INCLUDES", "TEXT", "VALUE", "LEN", "LOWER",
    "UPPER", "TRIM", "BEGINS", "CONTAINS", "ABS", "ROUND", "MIN", "MAX", "TODAY", "NOW",
    "DATEVALUE", "YEAR", "MONTH", "DAY", "IF", "ANY", "ALL", "COUNT", "SUM"};

bool Compiler::CheckArity(const grammar::Node& n, size_t min, size_t max) {
  size_t got = n.children.size();
  if (got >= min && got <= max) return true;
  std::string expected = min == max ? std::to_string(min) : max == SIZE_MAX ? "at least " + std::to_string(min)
                                                                           : std::to_string(min) + " or " + std::to_string(max);
  Error(n.span, n.text + " takes " + expected + " argument" + (min == 1 && max == 1 ? "" : "s") + ", not " +
                    std::to_string(got));
  return false;
}

// Brings two branches (IF, BLANKVALUE) to one type: null takes the other's type; picklists
// and multi-select picklists become text.
Operand Compiler::Unify(const grammar::Node& n, Operand a, Operand b, const char* what) {
  if (a.type == ValueType::kNull && b.type == ValueType::kNull) {
    a.type = b.type = ValueType::kString;
    a.node = Make<NullNode<std::string_view>>();
    b.node = a.node;
  }
  if (a.type == ValueType::kPicklist || a.type == ValueType::kMultiPicklist ||
      b.type == ValueType::kPicklist || b.type == ValueType::kMultiPicklist) {
    if (a.type != ValueType::kNull) a = AsText(a);
    if (b.type != ValueType::kNull) b = AsText(b);
  }
  if (a.date_literal || b.date_literal) {
    return Error(n.span, std::string(what) + " cannot return a date literal (a range)", "use TODAY() for today's date");
  }
  ValueType t = a.type == ValueType::kNull ? b.type : a.type;
  auto null_of = [&](ValueType type) -> const Node* {
    switch (type) {
      case ValueType::kBool: return Make<BoolConstNode>(Tri::kUnknown);
      case ValueType::kNumber: return Make<NullNode<Decimal>>();
      case ValueType::kId: return Make<NullNode<SfId>>();
      case ValueType::kDate:
      case ValueType::kTime: return Make<NullNode<Days>>();
      case ValueType::kDateTime: return Make<NullNode<Millis>>();
      default: return Make<NullNode<std::string_view>>();
    }
  };
  if (a.type == ValueType::kNull) a.node = null_of(t), a.type = t;
  if (b.type == ValueType::kNull) b.node = null_of(t), b.type = t;
  if (a.type != b.type) {
    return Error(n.span, std::string(what) + " needs both values of one type, but got " + Typed(a) + " and " + Typed(b));
  }
  Operand pair;
  pair.type = t;
  pair.span = n.span;
  // Return the unified operands through the two nodes (caller reads a/b from here).
  unified_a_ = a;
  unified_b_ = b;
  return pair;
}

template <typename T>
Operand Compiler::MakeIf(const Operand& c, const Operand& a, const Operand& b, ValueType type, SourceSpan span) {
  Operand o;
  o.type = type;
  o.span = span;
  o.text = "IF(...)";
  o.node = MaybeFold<T>(Make<IfNode<T>>(c.AsBool(), a.As<T>(), b.As<T>()), {c.node, a.node, b.node});
  return o;
}

template <typename T>
Operand Compiler::MakeBlankValue(const Operand& a, const Operand& b, ValueType type, SourceSpan span) {
  Operand o;
  o.type = type;
  o.span = span;
  o.text = "BLANKVALUE(" + a.text + ", " + b.text + ")";
  o.node = MaybeFold<T>(Make<BlankValueNode<T>>(a.As<T>(), b.As<T>()), {a.node, b.node});
  return o;
}

// Compiles the arguments (the recursive part, kept to a small stack frame so that deeply
// nested calls fit), then the function itself.
Operand Compiler::CompileCall(const grammar::Node& n) {
  const std::string& name = n.text;  // upper-cased by the parser
  if (name == "ANY" || name == "ALL" || name == "COUNT" || name == "SUM" ||
      ((name == "MIN" || name == "MAX") && !n.children.empty() && n.children[0].kind == NodeKind::kPath &&
       IsChildRelationshipPath(n.children[0]))) {
    return CompileAggregate(n, name);
  }
  if (std::find_if(std::begin(kFunctionNames), std::end(kFunctionNames),
                   [&](const char* f) { return name == f; }) == std::end(kFunctionNames)) {
    return UnknownFunction(n);
  }
  std::vector<Operand> args;
  args.reserve(n.children.size());
  bool ok = true;
  for (const grammar::Node& c : n.children) {
    args.push_back(Compile(c));
    ok &= !args.back().error;
  }
  if (!ok) return Failed(n.span);
  return CompileFunction(n, std::move(args));
}

Operand Compiler::UnknownFunction(const grammar::Node& n) {
  std::vector<std::string_view> names(std::begin(kFunctionNames), std::end(kFunctionNames));
  std::string near = ClosestName(n.text, names);
  SourceSpan name_span{n.span.begin, static_cast<uint32_t>(n.span.begin + n.text.size())};
  return Error(name_span, "unknown function '" + n.text + "'", near.empty() ? "" : "did you mean " + near + "?");
}

Operand Compiler::CompileFunction(const grammar::Node& n, std::vector<Operand> args) {
  const std::string& name = n.text;
  auto num = [&](Operand o) { return o.type == ValueType::kNumber || o.type == ValueType::kNull; };
  auto result = [&](ValueType t, const Node* node) {
    Operand o;
    o.type = t;
    o.span = n.span;
    o.node = node;
    o.text = name + "(...)";
    return o;
  };
  auto check_args = [&]() {
    bool ok = true;
    for (const Operand& a : args) {
      if (a.date_literal) {
        Error(a.span, "a date literal such as " + a.text + " is a range, not a value",
              "compare a date with it instead, e.g. CloseDate = " + a.text);
        ok = false;
      }
    }
    return ok;
  };
  auto want = [&](size_t i, bool ok, const char* expected) {
    if (ok) return true;
    Error(args[i].span, name + " expects " + expected + " as argument " + std::to_string(i + 1) + ", but " +
                            Typed(args[i]) + " is not");
    return false;
  };
  // Functions taking nothing.
  if (name == "TODAY" || name == "NOW") {
    if (!CheckArity(n, 0, 0)) return Failed(n.span);
    if (name == "TODAY") return result(ValueType::kDate, Make<TodayNode>());
    return result(ValueType::kDateTime, Make<NowNode>());
  }
  if (!check_args()) return Failed(n.span);

  if (name == "ISBLANK" || name == "ISNULL") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    const Operand& a = args[0];
    if (name == "ISNULL") return BoolResult(n.span, MakeIsNull(a, false));
    const BoolNode* r = nullptr;
    switch (a.type) {
      case ValueType::kString:
      case ValueType::kMultiPicklist:
        r = Make<IsBlankNode<std::string_view>>(a.As<std::string_view>());
        break;
      case ValueType::kPicklist:
        r = Make<IsBlankNode<PickVal>>(a.As<PickVal>());
        break;
      default:
        return BoolResult(n.span, MakeIsNull(a, false));
    }
    return BoolResult(n.span, MaybeFoldBool(r, {a.node}));
  }
  if (name == "BLANKVALUE" || name == "IF") {
    const bool is_if = name == "IF";
    if (!CheckArity(n, is_if ? 3 : 2, is_if ? 3 : 2)) return Failed(n.span);
    Operand c;
    if (is_if) {
      c = RequireBool(args[0], "IF's condition");
      if (c.error) return Failed(n.span);
    }
    Operand u = Unify(n, args[is_if ? 1 : 0], args[is_if ? 2 : 1], name.c_str());
    if (u.error) return u;
    const Operand a = unified_a_, b = unified_b_;
    switch (u.type) {
      case ValueType::kBool: {
        const BoolNode* r = is_if ? static_cast<const BoolNode*>(Make<BoolIfNode>(c.AsBool(), a.AsBool(), b.AsBool()))
                                  : Make<BoolBlankValueNode>(a.AsBool(), b.AsBool());
        return BoolResult(n.span, MaybeFoldBool(r, {is_if ? c.node : a.node, a.node, b.node}));
      }
      case ValueType::kNumber:
        return is_if ? MakeIf<Decimal>(c, a, b, u.type, n.span) : MakeBlankValue<Decimal>(a, b, u.type, n.span);
      case ValueType::kId:
        return is_if ? MakeIf<SfId>(c, a, b, u.type, n.span) : MakeBlankValue<SfId>(a, b, u.type, n.span);
      case ValueType::kDate:
      case ValueType::kTime:
        return is_if ? MakeIf<Days>(c, a, b, u.type, n.span) : MakeBlankValue<Days>(a, b, u.type, n.span);
      case ValueType::kDateTime:
        return is_if ? MakeIf<Millis>(c, a, b, u.type, n.span) : MakeBlankValue<Millis>(a, b, u.type, n.span);
      default:
        return is_if ? MakeIf<std::string_view>(c, a, b, ValueType::kString, n.span)
                     : MakeBlankValue<std::string_view>(a, b, ValueType::kString, n.span);
    }
  }
  if (name == "ISPICKVAL") {
    if (!CheckArity(n, 2, 2)) return Failed(n.span);
    if (!want(0, args[0].type == ValueType::kPicklist, "a picklist field")) return Failed(n.span);
    if (!want(1, args[1].string_literal, "a quoted picklist value")) return Failed(n.span);
    uint32_t code;
    if (!PicklistCode(args[0], args[1], &code)) return Failed(n.span);
    return BoolResult(n.span, MakePicklistIn(args[0], {code}, false, false));
  }
  if (name == "INCLUDES") {
    if (!CheckArity(n, 2, 2)) return Failed(n.span);
    if (!want(0, args[0].type == ValueType::kMultiPicklist, "a multi-select picklist field")) return Failed(n.span);
    if (!want(1, args[1].string_literal, "a quoted picklist value")) return Failed(n.span);
    if (args[0].field != nullptr && args[0].field->FindPicklistValue(args[1].literal) < 0) {
      uint32_t unused;
      PicklistCode(args[0], args[1], &unused);
      return Failed(n.span);
    }
    return BoolResult(n.span, Make<IncludesNode>(args[0].As<std::string_view>(), Intern(args[1].literal)));
  }
  if (name == "TEXT") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    const Operand& a = args[0];
    const StrNode* r = nullptr;
    switch (a.type) {
      case ValueType::kNull:
        r = Make<NullNode<std::string_view>>();
        break;
      case ValueType::kString:
      case ValueType::kMultiPicklist:
      case ValueType::kPicklist:
        return AsText(a);
      case ValueType::kBool:
        r = Make<BoolToTextNode>(a.AsBool());
        break;
      case ValueType::kNumber:
        r = Make<ToTextNode<Decimal>>(a.As<Decimal>(), a.type);
        break;
      case ValueType::kId:
        r = Make<ToTextNode<SfId>>(a.As<SfId>(), a.type);
        break;
      case ValueType::kDate:
      case ValueType::kTime:
        r = Make<ToTextNode<Days>>(a.As<Days>(), a.type);
        break;
      case ValueType::kDateTime:
        r = Make<ToTextNode<Millis>>(a.As<Millis>(), a.type);
        break;
    }
    return result(ValueType::kString, MaybeFold<std::string_view>(r, {a.node}));
  }
  if (name == "VALUE" || name == "LEN" || name == "LOWER" || name == "UPPER" || name == "TRIM") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    Operand a = RequireText(args[0], name);
    if (a.error) return Failed(n.span);
    const StrNode* s = a.As<std::string_view>();
    if (name == "VALUE") return result(ValueType::kNumber, MaybeFold<Decimal>(Make<ValueFnNode>(s), {a.node}));
    if (name == "LEN") return result(ValueType::kNumber, MaybeFold<Decimal>(Make<LenNode>(s), {a.node}));
    TextFn fn = name == "LOWER" ? TextFn::kLower : name == "UPPER" ? TextFn::kUpper : TextFn::kTrim;
    return result(ValueType::kString, MaybeFold<std::string_view>(Make<TextFnNode>(s, fn), {a.node}));
  }
  if (name == "BEGINS" || name == "CONTAINS") {
    if (!CheckArity(n, 2, 2)) return Failed(n.span);
    Operand a = RequireText(args[0], name);
    Operand b = RequireText(args[1], name);
    if (a.error || b.error) return Failed(n.span);
    TextTest t = name == "BEGINS" ? TextTest::kStartsWith : TextTest::kContains;
    return BoolResult(n.span, MaybeFoldBool(Make<TextTestNode>(a.As<std::string_view>(), b.As<std::string_view>(), t),
                                            {a.node, b.node}));
  }
  if (name == "ABS") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    if (!want(0, num(args[0]), "a number")) return Failed(n.span);
    if (args[0].type == ValueType::kNull) return result(ValueType::kNumber, Make<NullNode<Decimal>>());
    return result(ValueType::kNumber, MaybeFold<Decimal>(Make<NumUnaryNode>(args[0].As<Decimal>(), NumUnary::kAbs), {args[0].node}));
  }
  if (name == "ROUND") {
    if (!CheckArity(n, 2, 2)) return Failed(n.span);
    if (!want(0, num(args[0]), "a number") || !want(1, num(args[1]), "a number of digits")) return Failed(n.span);
    if (args[0].type == ValueType::kNull || args[1].type == ValueType::kNull) {
      return result(ValueType::kNumber, Make<NullNode<Decimal>>());
    }
    return result(ValueType::kNumber, MaybeFold<Decimal>(Make<RoundNode>(args[0].As<Decimal>(), args[1].As<Decimal>()),
                                                         {args[0].node, args[1].node}));
  }
  if (name == "MIN" || name == "MAX") {
    if (!CheckArity(n, 1, SIZE_MAX)) return Failed(n.span);
    std::vector<const NumNode*> nums;
    bool any_null = false;
    bool all_const = true;
    for (size_t i = 0; i < args.size(); ++i) {
      if (!want(i, num(args[i]), "a number")) return Failed(n.span);
      if (args[i].type == ValueType::kNull) {
        any_null = true;
        continue;
      }
      all_const &= args[i].IsConst();
      nums.push_back(args[i].As<Decimal>());
    }
    if (any_null) return result(ValueType::kNumber, Make<NullNode<Decimal>>());
    const NumNode* r = Make<MinMaxNode>(nums, name == "MAX");
    return result(ValueType::kNumber, all_const ? MaybeFold<Decimal>(r, {}) : r);
  }
  if (name == "DATEVALUE") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    const Operand& a = args[0];
    if (a.type == ValueType::kDate) return a;
    if (a.type == ValueType::kDateTime) {
      return result(ValueType::kDate, MaybeFold<Days>(Make<DateValueFromDateTimeNode>(a.As<Millis>()), {a.node}));
    }
    Operand t = RequireText(a, name);
    if (t.error) return Failed(n.span);
    return result(ValueType::kDate, MaybeFold<Days>(Make<DateValueFromTextNode>(t.As<std::string_view>()), {t.node}));
  }
  if (name == "YEAR" || name == "MONTH" || name == "DAY") {
    if (!CheckArity(n, 1, 1)) return Failed(n.span);
    if (args[0].type == ValueType::kNull) return result(ValueType::kNumber, Make<NullNode<Decimal>>());
    if (!want(0, args[0].type == ValueType::kDate, "a date (use DATEVALUE(...) for a date/time)")) return Failed(n.span);
    DatePart part = name == "YEAR" ? DatePart::kYear : name == "MONTH" ? DatePart::kMonth : DatePart::kDay;
    return result(ValueType::kNumber, MaybeFold<Decimal>(Make<DatePartNode>(args[0].As<Days>(), part), {args[0].node}));
  }
  return Error(n.span, "unknown function '" + name + "'");
}

bool Compiler::IsChildRelationshipPath(const grammar::Node& path) {
  // Resolve without reporting: try the last segment as a child relationship.
  std::vector<Diagnostic> saved;
  saved.swap(diagnostics_);
  Resolved r = ResolvePath(path, true);
  diagnostics_.swap(saved);
  return r.ok && r.child != nullptr;
}

Operand Compiler::CompileAggregate(const grammar::Node& n, const std::string& name) {
  const bool is_any_all = name == "ANY" || name == "ALL";
  const bool is_count = name == "COUNT";
  const bool needs_value = name == "SUM" || name == "MIN" || name == "MAX";
  if (is_any_all && !CheckArity(n, 2, 2)) return Failed(n.span);
  if (is_count && !CheckArity(n, 1, 2)) return Failed(n.span);
  if (needs_value && !CheckArity(n, 2, 3)) return Failed(n.span);
  const grammar::Node& rel = n.children[0];
  if (rel.kind != NodeKind::kPath) {
    return Error(rel.span, name + " needs a child relationship first, e.g. " + name + "(Account.Opportunities, ...)");
  }
  Resolved r = ResolvePath(rel, true);
  if (!r.ok) return Failed(n.span);
  if (r.child == nullptr) {
    std::vector<std::string_view> names;
    for (const auto& c : r.object->child_relationships) names.push_back(c.relationship_name);
    std::string near = ClosestName(rel.path.back().name, names);
    return Error(rel.span, r.text + " is a field, not a child relationship of " + r.object->name,
                 near.empty() ? "aggregates read related lists such as Account.Opportunities"
                              : "did you mean '" + near + "'?");
  }
  int child_object = env_.schema().IndexOf(r.child->child_object);
  if (child_object < 0) {
    return Error(rel.span, r.child->child_object + " (the records of " + r.text + ") is not in the discovered schema",
                 "discover and sync " + r.child->child_object);
  }
  const Object& child = env_.schema().object(child_object);
  int child_field = child.FieldIndex(r.child->field);
  const Slot* id_slot = env_.layout(r.object_index)->id_slot();
  if (child_field < 0 || id_slot == nullptr) {
    return Error(rel.span, "the records of " + r.text + " cannot be linked to their parent",
                 "sync the Id of " + r.object->name + " and " + child.name + "." + r.child->field);
  }
  NoteField(r.object_index, r.object->FieldIndex("Id"));
  NoteField(child_object, child_field);
  ChildSet set{r.path, *id_slot, child_object, child_field};

  // Compile the remaining arguments against the child records.
  int saved_scope = scope_object_;
  scope_object_ = child_object;
  std::vector<Operand> args;
  bool ok = true;
  for (size_t i = 1; i < n.children.size(); ++i) {
    args.push_back(Compile(n.children[i]));
    ok &= !args.back().error;
  }
  scope_object_ = saved_scope;
  if (!ok) return Failed(n.span);

  auto filter_at = [&](size_t i) -> const BoolNode* {
    if (i >= args.size()) return nullptr;
    Operand f = RequireBool(args[i], (name + "'s filter").c_str());
    if (f.error) {
      ok = false;
      return nullptr;
    }
    return f.AsBool();
  };
  if (is_any_all) {
    const BoolNode* cond = filter_at(0);
    if (!ok) return Failed(n.span);
    return BoolResult(n.span, Make<AnyAllNode>(set, cond, name == "ALL"));
  }
  Operand o;
  o.type = ValueType::kNumber;
  o.span = n.span;
  o.text = name + "(" + r.text + ", ...)";
  if (is_count) {
    const BoolNode* filter = filter_at(0);
    if (!ok) return Failed(n.span);
    o.node = Make<NumAggregateNode>(set, AggKind::kCount, nullptr, filter);
    return o;
  }
  if (args[0].type != ValueType::kNumber) {
    return Error(args[0].span, name + " adds up numbers, but " + Typed(args[0]) + " is not one");
  }
  const BoolNode* filter = filter_at(1);
  if (!ok) return Failed(n.span);
  AggKind kind = name == "SUM" ? AggKind::kSum : name == "MIN" ? AggKind::kMin : AggKind::kMax;
  o.node = Make<NumAggregateNode>(set, kind, args[0].As<Decimal>(), filter);
  return o;
}

// A compiled value expression: the node storage of a compiled condition plus its root.
class CompiledValueImpl final : public CompiledValue {
 public:
  ValueType type() const override { return type_; }
  bool EvaluateText(const EvalContext& ctx, std::string* out) const override {
    if (root_ == nullptr) return false;
    EvalScratch* scratch = ctx.scratch;
    if (storage_->uses_scratch_) {
      if (scratch == nullptr) scratch = FallbackScratch();
      scratch->Reset();
    }
    Frame f{&ctx, nullptr, scratch};
    switch (type_) {
      case ValueType::kBool: {
        Tri t = static_cast<const BoolNode*>(root_)->Eval(f);
        if (t == Tri::kUnknown) return false;
        *out = t == Tri::kTrue ? "true" : "false";
        return true;
      }
      case ValueType::kNumber: {
        Decimal d;
        if (!static_cast<const ValueNode<Decimal>*>(root_)->Eval(f, &d)) return false;
        *out = d.ToString();
        return true;
      }
      case ValueType::kString:
      case ValueType::kMultiPicklist: {
        std::string_view v;
        if (!static_cast<const ValueNode<std::string_view>*>(root_)->Eval(f, &v)) return false;
        out->assign(v.data(), v.size());
        return true;
      }
      case ValueType::kPicklist: {
        PickVal v;
        if (!static_cast<const ValueNode<PickVal>*>(root_)->Eval(f, &v)) return false;
        out->assign(v.text.data(), v.text.size());
        return true;
      }
      case ValueType::kId: {
        SfId id;
        if (!static_cast<const ValueNode<SfId>*>(root_)->Eval(f, &id)) return false;
        *out = id.To18();
        return true;
      }
      case ValueType::kDate:
      case ValueType::kTime: {
        Days d;
        if (!static_cast<const ValueNode<Days>*>(root_)->Eval(f, &d)) return false;
        *out = type_ == ValueType::kDate ? FormatIsoDate(d) : FormatIsoTime(d);
        return true;
      }
      case ValueType::kDateTime: {
        Millis ms;
        if (!static_cast<const ValueNode<Millis>*>(root_)->Eval(f, &ms)) return false;
        *out = FormatIsoDateTime(ms);
        return true;
      }
      case ValueType::kNull:
        break;
    }
    return false;
  }
  const std::vector<std::pair<int, int>>& referenced_fields() const override {
    return storage_->fields_;
  }
  const std::vector<int>& referenced_roots() const override { return storage_->roots_; }

  std::shared_ptr<CompiledConditionImpl> storage_;
  const Node* root_ = nullptr;
  ValueType type_ = ValueType::kNull;
};

}  // namespace

ValueCompileResult CompileValue(const grammar::Node& expression, const Environment& env,
                                const CompileOptions& options) {
  (void)options;
  ValueCompileResult result;
  auto impl = std::make_shared<CompiledValueImpl>();
  impl->storage_ = std::make_shared<CompiledConditionImpl>();
  Compiler compiler(env, impl->storage_.get());
  Operand o = compiler.CompileAnyValue(expression);
  result.diagnostics = std::move(compiler.diagnostics());
  if (!o.error && !grammar::HasErrors(result.diagnostics)) {
    impl->root_ = o.node;
    impl->type_ = o.type;
    result.value = std::move(impl);
  }
  return result;
}

CompileResult CompileExpression(const grammar::Node& expression, const Environment& env,
                                const CompileOptions& options) {
  (void)options;
  CompileResult result;
  auto impl = std::make_shared<CompiledConditionImpl>();
  Compiler compiler(env, impl.get());
  const BoolNode* root = compiler.CompileCondition(expression);
  result.diagnostics = std::move(compiler.diagnostics());
  if (root != nullptr && !grammar::HasErrors(result.diagnostics)) {
    impl->root_ = root;
    result.condition = WithDirectTop(std::move(impl));
  }
  return result;
}

CompileResult CompileCondition(std::string_view text, const Environment& env, const CompileOptions& options) {
  grammar::ParseResult parsed = grammar::ParseCondition(text, options.limits);
  if (!parsed.ok()) {
    CompileResult result;
    result.diagnostics = std::move(parsed.diagnostics);
    return result;
  }
  CompileResult result = CompileExpression(*parsed.expression, env, options);
  result.diagnostics.insert(result.diagnostics.begin(), parsed.diagnostics.begin(), parsed.diagnostics.end());
  return result;
}

}  // namespace cf::engine
