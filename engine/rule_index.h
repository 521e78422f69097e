// The rule index: for one trigger, the rules an event can fire, found from a few field values
// of the bound records and the event instead of by evaluating every rule.
//
//   // at RuleSet build time (CompileRuleSet):
//   compiled.index_terms = FindIndexTerms(*parsed_rule.condition, env);
//   // RuleSet builds one RuleIndex per trigger over RulesFor(trigger);
//   // per event (Evaluator::Evaluate):
//   index.Candidates(ctx.roots, ctx.root_count, &bits);   // bit i: RulesFor(trigger)[i]
//
// A rule fires only when its condition is TRUE, and a Kleene AND is TRUE only when every
// operand is TRUE. So a conjunct of the condition's top-level AND that compares one field of a
// root (no lookups) with literals is a necessary test: when it is not TRUE for an event, the
// rule cannot fire. FindIndexTerms lists those tests (IndexTerm); the RuleIndex files each rule
// under its most selective one (equality values in a hash map, range thresholds in sorted
// arrays), checks a few of its other terms on a compact inline copy before giving it as a
// candidate, and keeps rules without a term in an always-evaluated list. The index only
// filters: candidates are still evaluated in full, in the original order, so results are
// unchanged.
//
// Indexed shapes (either side of the operator may be the field), with the compiler's exact
// semantics (docs/condition-language.md):
//   Root.Field = literal          text (case-sensitive bytes), picklist (interned code),
//                                 number (exact Decimal), Id (15 or 18 characters, compared in
//                                 canonical 15-character form), date, date/time, boolean
//   Root.Field IN (literals)      the same types; not NOT IN, not a list holding null
//   Root.Field > >= < <= literal  numbers, dates, date/times
//   Root.BooleanField             as `= true`; `!= true` / `!= false` as `= false` / `= true`
//   an OR of the above equalities on one field, as IN
// A null field matches no indexed test (the test is NULL, so the rule cannot fire). Anything
// else (NOT, functions, lookups, date literals such as THIS_QUARTER, text ranges, IS NULL,
// `= null`) is not indexed.
//
// Thread safety: IndexTerm and RuleIndex are immutable after construction; Candidates may be
// called from any number of threads (each with its own output vector).
#ifndef CF_ENGINE_RULE_INDEX_H_
#define CF_ENGINE_RULE_INDEX_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/condition.h"
#include "engine/record.h"
#include "grammar/ast.h"

namespace cf::engine {

struct CompiledRule;

// One necessary test of a rule: a top-level conjunct on one field of a root.
struct IndexTerm {
  enum class Op : uint8_t {
    kIn,  // the field equals one of `keys`
    kGt, kGe, kLt, kLe,  // field op threshold
  };
  // How the field's value is keyed: the slot's storage, as the compiler compares it.
  enum class Type : uint8_t { kBool, kNumber, kText, kPicklist, kId, kDate, kDateTime };

  int root = -1;  // Environment root (EvalContext::roots index)
  Slot slot;      // the field's slot in the layout of the root's object
  Type type = Type::kText;
  Op op = Op::kIn;
  // kIn: the values' keys (IndexKeyOf), sorted, without duplicates.
  std::vector<std::string> keys;
  // Ranges: Decimal::raw() for numbers, Days for dates, Millis for date/times.
  __int128 threshold = 0;
  // Estimated share of events for which the test is TRUE (lower is more selective): a
  // picklist equality 1/values, a boolean 1/2, other equalities 1/100 per value, a range 1/2.
  double selectivity = 1.0;
  // For people: `Account.Industry IN ("Banking", "Insurance")`, `Account.AnnualRevenue > 500000`.
  std::string text;
};

// The indexable conjuncts of a compiled condition's AST, in source order; empty when there is
// none. REQUIRES: `condition` compiled without error against `env` (as a rule's `when`), so
// that names and types resolve; a test whose meaning is in any doubt is left out.
std::vector<IndexTerm> FindIndexTerms(const grammar::Node& condition, const Environment& env);

// The key of a non-null slot value as IndexTerm::keys holds it. `buffer` backs the fixed-size
// encodings (numbers, codes, Ids, dates); text keys view the record's bytes. REQUIRES: the
// slot is of `record`'s layout, has the storage of `type`, and is not null.
std::string_view IndexKeyOf(const Record& record, const Slot& slot, IndexTerm::Type type,
                            char (&buffer)[16]);

// The candidate rules of one trigger. Immutable; thread-safe.
class RuleIndex {
 public:
  RuleIndex() = default;
  // `rules` in evaluation order (RuleSet::RulesFor); each is filed under the most selective
  // of its CompiledRule::index_terms (the first on ties), or always evaluated when it has none.
  // The rules must outlive the index.
  explicit RuleIndex(const std::vector<const CompiledRule*>& rules);

  // Sets in *bits (resized to words(), one bit per rule: bit i of word i / 64 is rules[i]) the
  // rules that may fire for the bound roots: the always-evaluated ones and those whose term
  // is TRUE and whose checks (below) pass. A rule whose bit is clear cannot fire (its
  // condition is FALSE or NULL). `roots` as EvalContext::roots. Allocates only when *bits
  // must grow.
  void Candidates(const Record* const* roots, size_t root_count, std::vector<uint64_t>* bits) const;

  size_t size() const { return terms_.size(); }  // rules of the trigger
  size_t words() const { return always_.size(); }
  size_t always_count() const { return always_count_; }  // rules without a usable term
  // The term rule i is filed under, or nullptr when it is always evaluated.
  const IndexTerm* TermFor(size_t i) const { return terms_[i]; }
  // How many of rule i's other terms are checked on the index's own copy of their values
  // before the rule is given as a candidate: single-value equalities (keys of at most 16
  // bytes) and ranges, at most kMaxChecksPerRule per rule, on at most kMaxCheckFields fields.
  size_t CheckCount(size_t i) const { return check_begin_[i + 1] - check_begin_[i]; }
  static constexpr size_t kMaxChecksPerRule = 4;
  static constexpr size_t kMaxCheckFields = 32;

 private:
  struct Hash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  struct Threshold {
    __int128 value;
    uint32_t rule;
  };
  // Every term on one field of one root.
  struct FieldIndex {
    int root;
    Slot slot;
    IndexTerm::Type type;
    std::unordered_map<std::string, std::vector<uint32_t>, Hash, std::equal_to<>> equal;
    // Sorted by value (then rule): `field > value` ... for each rule under a range term.
    std::vector<Threshold> gt, ge, lt, le;
  };

  // A field the checks read: its value is read once per Candidates call.
  struct CheckField {
    int root;
    Slot slot;
    IndexTerm::Type type;
  };
  // One further necessary term of a rule, with its value inline (no pointer to follow).
  struct Check {
    uint8_t field;   // index in check_fields_
    IndexTerm::Op op;
    uint8_t length;  // kIn: the key's length
    char data[16];   // kIn: the key; ranges: the threshold (__int128, unaligned)
  };

  void AddChecks(const CompiledRule& rule, const IndexTerm* primary);

  std::vector<const IndexTerm*> terms_;  // by rule position
  std::vector<uint64_t> always_;         // bit set of the always-evaluated rules
  size_t always_count_ = 0;
  std::vector<FieldIndex> fields_;
  std::vector<CheckField> check_fields_;
  std::vector<Check> checks_;            // rule i's are [check_begin_[i], check_begin_[i + 1])
  std::vector<uint32_t> check_begin_{0};
};

}  // namespace cf::engine

#endif  // CF_ENGINE_RULE_INDEX_H_
