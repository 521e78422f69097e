// The rule index: finding the indexable conjuncts of a condition (from its AST, resolved the
// way engine/condition_compiler.cc resolves them) and the per-trigger candidate lookup.
#include "engine/rule_index.h"

#include <algorithm>
#include <cstring>
#include <optional>
#include <utility>

#include "engine/rule_set.h"

namespace cf::engine {
namespace {

using grammar::Node;
using grammar::NodeKind;
using grammar::Op;

// Root.Field with no lookups, resolved as the compiler's ResolvePath does at the top level.
struct RootField {
  int root = -1;
  const Field* field = nullptr;
  Slot slot;
  IndexTerm::Type type = IndexTerm::Type::kText;
  std::string text;  // "Account.Industry"
};

std::optional<RootField> ResolveRootField(const Node& n, const Environment& env) {
  if (n.kind != NodeKind::kPath || n.path.size() < 2) return std::nullopt;
  const int root = env.FindRoot(n.path[0].name);
  if (root < 0) return std::nullopt;
  const int object_index = env.roots()[root].object_index;
  const Object& object = env.schema().object(object_index);
  int field_index = -1;
  if (n.path.size() == 2) {
    field_index = object.FieldIndex(n.path[1].name);
  } else if (object.is_event) {
    // Event objects have dotted field names ("customer.email"); the compiler takes the whole
    // rest of the path as one name first. Otherwise the path goes through a lookup.
    std::string dotted;
    for (size_t i = 1; i < n.path.size(); ++i) {
      if (i > 1) dotted += '.';
      dotted += n.path[i].name;
    }
    field_index = object.FieldIndex(dotted);
  }
  if (field_index < 0) return std::nullopt;
  const Field& field = object.fields[field_index];
  const Slot* slot = env.layout(object_index)->SlotForField(field_index);
  if (slot == nullptr) return std::nullopt;
  RootField out;
  switch (field.storage()) {
    case StorageKind::kBool: out.type = IndexTerm::Type::kBool; break;
    case StorageKind::kNumber: out.type = IndexTerm::Type::kNumber; break;
    case StorageKind::kString:
      // A multi-select picklist compares only with INCLUDES / another multi-select.
      if (field.type == FieldType::kMultiPicklist) return std::nullopt;
      out.type = IndexTerm::Type::kText;
      break;
    case StorageKind::kPicklist: out.type = IndexTerm::Type::kPicklist; break;
    case StorageKind::kId: out.type = IndexTerm::Type::kId; break;
    case StorageKind::kDate: out.type = IndexTerm::Type::kDate; break;
    case StorageKind::kDateTime: out.type = IndexTerm::Type::kDateTime; break;
    case StorageKind::kTime:
    case StorageKind::kNone: return std::nullopt;
  }
  if (slot->kind != field.storage()) return std::nullopt;
  out.root = root;
  out.field = &field;
  out.slot = *slot;
  out.text = env.roots()[root].name + "." + field.name;
  return out;
}

// "text" with its quotes (built by appending: GCC 12 -O3 warns on "lit" + std::string).
std::string Quote(const std::string& text) {
  std::string out(1, '"');
  out.append(text).push_back('"');
  return out;
}

template <typename T>
std::string KeyBytes(const T& v) {
  std::string key(sizeof(T), '\0');
  std::memcpy(key.data(), &v, sizeof(T));
  return key;
}

// A literal compared with a field of `f`'s type, as the compiler reads it: the key for
// equality and, for ordered types, the range value. nullopt when the literal is not of the
// field's type (then the compiler took another path, or gave an error).
struct LiteralValue {
  std::string key;
  __int128 order = 0;
  std::string text;  // as written, for IndexTerm::text
};

std::optional<LiteralValue> ReadLiteral(const Node& n, const RootField& f) {
  LiteralValue out;
  switch (f.type) {
    case IndexTerm::Type::kBool:
      if (n.kind != NodeKind::kBool) return std::nullopt;
      out.key = std::string(1, n.boolean_value ? '\1' : '\0');
      out.text = n.boolean_value ? "true" : "false";
      return out;
    case IndexTerm::Type::kNumber: {
      // A number, or a negated number (folded to a constant by the compiler).
      const Node* number = &n;
      bool negate = false;
      if (n.kind == NodeKind::kUnary && n.op == Op::kNeg && n.children.size() == 1) {
        number = &n.children[0];
        negate = true;
      }
      if (number->kind != NodeKind::kNumber) return std::nullopt;
      std::optional<Decimal> d = Decimal::Parse(number->text);
      if (!d) return std::nullopt;
      if (negate) d = d->Neg();
      const __int128 raw = d->raw();
      out.key = KeyBytes(raw);
      out.order = raw;
      out.text = d->ToString();
      return out;
    }
    case IndexTerm::Type::kText:
      if (n.kind != NodeKind::kString) return std::nullopt;
      out.key = n.text;
      out.text = Quote(n.text);
      return out;
    case IndexTerm::Type::kPicklist: {
      if (n.kind != NodeKind::kString) return std::nullopt;
      const int code = f.field->FindPicklistValue(n.text);
      if (code < 0) return std::nullopt;
      out.key = KeyBytes(static_cast<uint32_t>(code));
      out.text = Quote(n.text);
      return out;
    }
    case IndexTerm::Type::kId: {
      if (n.kind != NodeKind::kString) return std::nullopt;
      std::optional<SfId> id = SfId::Parse(n.text);
      if (!id) return std::nullopt;
      out.key = std::string(id->chars, sizeof(id->chars));
      out.text = Quote(n.text);
      return out;
    }
    case IndexTerm::Type::kDate: {
      if (n.kind != NodeKind::kDate) return std::nullopt;
      std::optional<Days> d = ParseIsoDate(n.text);
      if (!d) return std::nullopt;
      out.key = KeyBytes(*d);
      out.order = *d;
      out.text = n.text;
      return out;
    }
    case IndexTerm::Type::kDateTime: {
      if (n.kind != NodeKind::kDateTime) return std::nullopt;
      std::optional<Millis> t = ParseIsoDateTime(n.text);
      if (!t) return std::nullopt;
      out.key = KeyBytes(*t);
      out.order = *t;
      out.text = n.text;
      return out;
    }
  }
  return std::nullopt;
}

bool Ordered(IndexTerm::Type t) {
  return t == IndexTerm::Type::kNumber || t == IndexTerm::Type::kDate || t == IndexTerm::Type::kDateTime;
}

double EqualitySelectivity(const RootField& f, size_t values) {
  double per = 0.01;
  if (f.type == IndexTerm::Type::kBool) per = 0.5;
  if (f.type == IndexTerm::Type::kPicklist) {
    per = 1.0 / static_cast<double>(std::max<size_t>(2, f.field->picklist_values.size()));
  }
  return std::min(1.0, per * static_cast<double>(values));
}

IndexTerm MakeEquality(const RootField& f, std::vector<LiteralValue> values) {
  IndexTerm t;
  t.root = f.root;
  t.slot = f.slot;
  t.type = f.type;
  t.op = IndexTerm::Op::kIn;
  std::string list;
  for (LiteralValue& v : values) {
    if (!list.empty()) list += ", ";
    list += v.text;
    t.keys.push_back(std::move(v.key));
  }
  std::sort(t.keys.begin(), t.keys.end());
  t.keys.erase(std::unique(t.keys.begin(), t.keys.end()), t.keys.end());
  t.selectivity = EqualitySelectivity(f, t.keys.size());
  t.text = values.size() == 1 ? f.text + " = " + list : f.text + " IN (" + list + ")";
  return t;
}

// Flattens a chain of one logical operator, left to right (as the compiler's Flatten).
void Flatten(const Node& n, Op op, std::vector<const Node*>* out) {
  std::vector<const Node*> stack{&n};
  while (!stack.empty()) {
    const Node* cur = stack.back();
    stack.pop_back();
    if (cur->kind == NodeKind::kBinary && cur->op == op && cur->children.size() == 2) {
      stack.push_back(&cur->children[1]);
      stack.push_back(&cur->children[0]);
    } else {
      out->push_back(cur);
    }
  }
}

std::optional<IndexTerm> TermOf(const Node& n, const Environment& env, bool allow_or);

// `a OR b OR ...` where every operand is an equality (or IN) on the same field: one IN.
std::optional<IndexTerm> OrTerm(const Node& n, const Environment& env) {
  std::vector<const Node*> parts;
  Flatten(n, Op::kOr, &parts);
  std::optional<IndexTerm> merged;
  for (const Node* p : parts) {
    std::optional<IndexTerm> t = TermOf(*p, env, false);
    if (!t || t->op != IndexTerm::Op::kIn) return std::nullopt;
    if (!merged) {
      merged = std::move(t);
      merged->selectivity /= static_cast<double>(merged->keys.size());
      continue;
    }
    if (t->root != merged->root || t->slot.offset != merged->slot.offset || t->type != merged->type) {
      return std::nullopt;
    }
    merged->keys.insert(merged->keys.end(), t->keys.begin(), t->keys.end());
    merged->text += " OR ";
    merged->text += t->text;
  }
  if (!merged) return std::nullopt;
  // Every part is on the same field, so the per-value estimate is the first part's.
  const double per_value = merged->selectivity;
  std::sort(merged->keys.begin(), merged->keys.end());
  merged->keys.erase(std::unique(merged->keys.begin(), merged->keys.end()), merged->keys.end());
  merged->selectivity = std::min(1.0, per_value * static_cast<double>(merged->keys.size()));
  return merged;
}

std::optional<IndexTerm> ComparisonTerm(const Node& n, const Environment& env) {
  const Node* path = &n.children[0];
  const Node* literal = &n.children[1];
  Op op = n.op;
  if (path->kind != NodeKind::kPath) {
    std::swap(path, literal);
    // a op b == b mirror(op) a
    switch (op) {
      case Op::kLt: op = Op::kGt; break;
      case Op::kLe: op = Op::kGe; break;
      case Op::kGt: op = Op::kLt; break;
      case Op::kGe: op = Op::kLe; break;
      default: break;
    }
  }
  std::optional<RootField> f = ResolveRootField(*path, env);
  if (!f) return std::nullopt;
  std::optional<LiteralValue> v = ReadLiteral(*literal, *f);
  if (!v) return std::nullopt;
  if (op == Op::kEq) return MakeEquality(*f, {std::move(*v)});
  if (op == Op::kNe) {
    // Only booleans: x != true is TRUE exactly when x is false (and NULL when x is null).
    if (f->type != IndexTerm::Type::kBool) return std::nullopt;
    v->key[0] = v->key[0] == '\0' ? '\1' : '\0';
    v->text = v->key[0] == '\0' ? "false" : "true";
    return MakeEquality(*f, {std::move(*v)});
  }
  if (!Ordered(f->type)) return std::nullopt;
  IndexTerm t;
  t.root = f->root;
  t.slot = f->slot;
  t.type = f->type;
  t.threshold = v->order;
  t.selectivity = 0.5;
  const char* symbol = "";
  switch (op) {
    case Op::kGt: t.op = IndexTerm::Op::kGt; symbol = " > "; break;
    case Op::kGe: t.op = IndexTerm::Op::kGe; symbol = " >= "; break;
    case Op::kLt: t.op = IndexTerm::Op::kLt; symbol = " < "; break;
    case Op::kLe: t.op = IndexTerm::Op::kLe; symbol = " <= "; break;
    default: return std::nullopt;
  }
  t.text = f->text + symbol + v->text;
  return t;
}

std::optional<IndexTerm> TermOf(const Node& n, const Environment& env, bool allow_or) {
  switch (n.kind) {
    case NodeKind::kPath: {
      // A bare boolean field: TRUE exactly when the field is true.
      std::optional<RootField> f = ResolveRootField(n, env);
      if (!f || f->type != IndexTerm::Type::kBool) return std::nullopt;
      LiteralValue v;
      v.key = std::string(1, '\1');
      v.text = "true";
      return MakeEquality(*f, {std::move(v)});
    }
    case NodeKind::kIn: {
      if (n.negated || n.children.size() < 2) return std::nullopt;
      std::optional<RootField> f = ResolveRootField(n.children[0], env);
      if (!f || f->type == IndexTerm::Type::kBool) return std::nullopt;
      std::vector<LiteralValue> values;
      for (size_t i = 1; i < n.children.size(); ++i) {
        // A null in the list makes a null field match: not indexable.
        std::optional<LiteralValue> v = ReadLiteral(n.children[i], *f);
        if (!v) return std::nullopt;
        values.push_back(std::move(*v));
      }
      return MakeEquality(*f, std::move(values));
    }
    case NodeKind::kBinary:
      switch (n.op) {
        case Op::kEq:
        case Op::kNe:
        case Op::kLt:
        case Op::kLe:
        case Op::kGt:
        case Op::kGe:
          if (n.children.size() != 2) return std::nullopt;
          return ComparisonTerm(n, env);
        case Op::kOr:
          if (!allow_or) return std::nullopt;
          return OrTerm(n, env);
        default:
          return std::nullopt;
      }
    default:
      return std::nullopt;
  }
}

void SetBit(std::vector<uint64_t>* bits, uint32_t i) { (*bits)[i >> 6] |= uint64_t{1} << (i & 63); }

}  // namespace

std::vector<IndexTerm> FindIndexTerms(const grammar::Node& condition, const Environment& env) {
  std::vector<const Node*> conjuncts;
  Flatten(condition, Op::kAnd, &conjuncts);
  std::vector<IndexTerm> out;
  for (const Node* c : conjuncts) {
    std::optional<IndexTerm> t = TermOf(*c, env, true);
    if (t) out.push_back(std::move(*t));
  }
  return out;
}

std::string_view IndexKeyOf(const Record& record, const Slot& slot, IndexTerm::Type type,
                            char (&buffer)[16]) {
  switch (type) {
    case IndexTerm::Type::kBool:
      buffer[0] = record.GetBool(slot) ? '\1' : '\0';
      return std::string_view(buffer, 1);
    case IndexTerm::Type::kNumber: {
      const __int128 raw = record.GetNumber(slot).raw();
      std::memcpy(buffer, &raw, sizeof(raw));
      return std::string_view(buffer, sizeof(raw));
    }
    case IndexTerm::Type::kText:
      return record.GetString(slot);
    case IndexTerm::Type::kPicklist: {
      const uint32_t code = record.GetPicklistCode(slot);
      std::memcpy(buffer, &code, sizeof(code));
      return std::string_view(buffer, sizeof(code));
    }
    case IndexTerm::Type::kId: {
      const SfId& id = record.GetId(slot);
      std::memcpy(buffer, id.chars, sizeof(id.chars));
      return std::string_view(buffer, sizeof(id.chars));
    }
    case IndexTerm::Type::kDate: {
      const Days d = record.GetDate(slot);
      std::memcpy(buffer, &d, sizeof(d));
      return std::string_view(buffer, sizeof(d));
    }
    case IndexTerm::Type::kDateTime: {
      const Millis t = record.GetDateTime(slot);
      std::memcpy(buffer, &t, sizeof(t));
      return std::string_view(buffer, sizeof(t));
    }
  }
  return {};
}

RuleIndex::RuleIndex(const std::vector<const CompiledRule*>& rules)
    : terms_(rules.size(), nullptr), always_((rules.size() + 63) / 64, 0) {
  for (size_t i = 0; i < rules.size(); ++i) {
    const CompiledRule& rule = *rules[i];
    const IndexTerm* best = nullptr;
    if (rule.condition != nullptr) {
      for (const IndexTerm& t : rule.index_terms) {
        if (best == nullptr || t.selectivity < best->selectivity) best = &t;
      }
    }
    terms_[i] = best;
    const uint32_t position = static_cast<uint32_t>(i);
    if (best == nullptr) {
      SetBit(&always_, position);
      ++always_count_;
      check_begin_.push_back(static_cast<uint32_t>(checks_.size()));
      continue;
    }
    AddChecks(rule, best);
    auto it = std::find_if(fields_.begin(), fields_.end(), [best](const FieldIndex& f) {
      return f.root == best->root && f.slot.offset == best->slot.offset && f.type == best->type;
    });
    if (it == fields_.end()) {
      fields_.push_back(FieldIndex{best->root, best->slot, best->type, {}, {}, {}, {}, {}});
      it = fields_.end() - 1;
    }
    switch (best->op) {
      case IndexTerm::Op::kIn:
        for (const std::string& key : best->keys) it->equal[key].push_back(position);
        break;
      case IndexTerm::Op::kGt: it->gt.push_back({best->threshold, position}); break;
      case IndexTerm::Op::kGe: it->ge.push_back({best->threshold, position}); break;
      case IndexTerm::Op::kLt: it->lt.push_back({best->threshold, position}); break;
      case IndexTerm::Op::kLe: it->le.push_back({best->threshold, position}); break;
    }
  }
  auto by_value = [](const Threshold& a, const Threshold& b) {
    return a.value != b.value ? a.value < b.value : a.rule < b.rule;
  };
  for (FieldIndex& f : fields_) {
    for (auto* list : {&f.gt, &f.ge, &f.lt, &f.le}) std::sort(list->begin(), list->end(), by_value);
  }
}

void RuleIndex::AddChecks(const CompiledRule& rule, const IndexTerm* primary) {
  size_t added = 0;
  for (const IndexTerm& t : rule.index_terms) {
    if (&t == primary || added == kMaxChecksPerRule) continue;
    const bool single = t.op == IndexTerm::Op::kIn && t.keys.size() == 1 && t.keys[0].size() <= sizeof(Check::data);
    if (t.op == IndexTerm::Op::kIn && !single) continue;
    size_t field = 0;
    while (field < check_fields_.size() &&
           !(check_fields_[field].root == t.root && check_fields_[field].slot.offset == t.slot.offset &&
             check_fields_[field].type == t.type)) {
      ++field;
    }
    if (field == check_fields_.size()) {
      if (field == kMaxCheckFields) continue;
      check_fields_.push_back(CheckField{t.root, t.slot, t.type});
    }
    Check c{};
    c.field = static_cast<uint8_t>(field);
    c.op = t.op;
    if (single) {
      c.length = static_cast<uint8_t>(t.keys[0].size());
      std::memcpy(c.data, t.keys[0].data(), t.keys[0].size());
    } else {
      std::memcpy(c.data, &t.threshold, sizeof(t.threshold));
    }
    checks_.push_back(c);
    ++added;
  }
  check_begin_.push_back(static_cast<uint32_t>(checks_.size()));
}

void RuleIndex::Candidates(const Record* const* roots, size_t root_count,
                           std::vector<uint64_t>* bits) const {
  bits->resize(always_.size());
  if (!always_.empty()) std::memcpy(bits->data(), always_.data(), always_.size() * sizeof(uint64_t));
  char buffer[16];
  for (const FieldIndex& f : fields_) {
    const Record* r = static_cast<size_t>(f.root) < root_count ? roots[f.root] : nullptr;
    // A null root or field makes every test on it NULL: none of these rules can fire.
    if (r == nullptr || r->IsNull(f.slot)) continue;
    if (!f.equal.empty()) {
      auto it = f.equal.find(IndexKeyOf(*r, f.slot, f.type, buffer));
      if (it != f.equal.end()) {
        for (uint32_t i : it->second) SetBit(bits, i);
      }
    }
    if (f.gt.empty() && f.ge.empty() && f.lt.empty() && f.le.empty()) continue;
    __int128 v = 0;
    switch (f.type) {
      case IndexTerm::Type::kNumber: v = r->GetNumber(f.slot).raw(); break;
      case IndexTerm::Type::kDate: v = r->GetDate(f.slot); break;
      case IndexTerm::Type::kDateTime: v = r->GetDateTime(f.slot); break;
      default: continue;
    }
    // field > t holds for the thresholds below v; field < t for those above it.
    for (const Threshold& t : f.gt) {
      if (!(t.value < v)) break;
      SetBit(bits, t.rule);
    }
    for (const Threshold& t : f.ge) {
      if (!(t.value <= v)) break;
      SetBit(bits, t.rule);
    }
    for (auto t = f.lt.rbegin(); t != f.lt.rend() && t->value > v; ++t) SetBit(bits, t->rule);
    for (auto t = f.le.rbegin(); t != f.le.rend() && t->value >= v; ++t) SetBit(bits, t->rule);
  }
  if (checks_.empty()) return;

  // The checked fields' values, read once. Text keys view the record's bytes.
  struct Value {
    bool present = false;
    std::string_view key;
    __int128 order = 0;
    char buffer[16];
  };
  Value values[kMaxCheckFields];
  for (size_t k = 0; k < check_fields_.size(); ++k) {
    const CheckField& f = check_fields_[k];
    const Record* r = static_cast<size_t>(f.root) < root_count ? roots[f.root] : nullptr;
    Value& v = values[k];
    if (r == nullptr || r->IsNull(f.slot)) continue;
    v.present = true;
    v.key = IndexKeyOf(*r, f.slot, f.type, v.buffer);
    switch (f.type) {
      case IndexTerm::Type::kNumber: v.order = r->GetNumber(f.slot).raw(); break;
      case IndexTerm::Type::kDate: v.order = r->GetDate(f.slot); break;
      case IndexTerm::Type::kDateTime: v.order = r->GetDateTime(f.slot); break;
      default: break;
    }
  }
  // A candidate passes when every check is TRUE; a null value makes a check NULL.
  for (size_t w = 0; w < bits->size(); ++w) {
    for (uint64_t word = (*bits)[w]; word != 0; word &= word - 1) {
      const size_t i = w * 64 + static_cast<size_t>(__builtin_ctzll(word));
      for (uint32_t c = check_begin_[i]; c < check_begin_[i + 1]; ++c) {
        const Check& check = checks_[c];
        const Value& v = values[check.field];
        bool pass = v.present;
        if (pass) {
          if (check.op == IndexTerm::Op::kIn) {
            pass = v.key.size() == check.length && std::memcmp(v.key.data(), check.data, check.length) == 0;
          } else {
            __int128 t;
            std::memcpy(&t, check.data, sizeof(t));
            switch (check.op) {
              case IndexTerm::Op::kGt: pass = v.order > t; break;
              case IndexTerm::Op::kGe: pass = v.order >= t; break;
              case IndexTerm::Op::kLt: pass = v.order < t; break;
              case IndexTerm::Op::kLe: pass = v.order <= t; break;
              case IndexTerm::Op::kIn: break;
            }
          }
        }
        if (!pass) {
          (*bits)[w] &= ~(uint64_t{1} << (i & 63));
          break;
        }
      }
    }
  }
}

}  // namespace cf::engine
