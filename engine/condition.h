// Compiling and evaluating conditions of the condition language.
//
//   Environment env(schema);                       // what names a condition may use
//   env.AddRoot("Account", "Account");
//   CompileResult r = CompileCondition("Account.AnnualRevenue > $500,000", env);
//   if (!r.ok()) print FormatDiagnostics(..., r.diagnostics);
//   Tri t = r.condition->Evaluate(ctx);           // from any number of threads
//
// Compilation parses, type-checks against the schema (unknown names with "did you mean",
// type mismatches, picklist values, function arguments), resolves every path to record slots,
// interns constants and folds constant sub-expressions. A condition that compiles cannot fail
// at evaluation time. Evaluation allocates nothing (computed strings go to the caller's
// EvalScratch, which only grows) and follows Kleene's three-valued logic.
#ifndef CF_ENGINE_CONDITION_H_
#define CF_ENGINE_CONDITION_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/record.h"
#include "engine/schema.h"
#include "engine/time_zone.h"
#include "engine/value.h"
#include "grammar/ast.h"
#include "grammar/condition_parser.h"
#include "grammar/diagnostic.h"

namespace cf::engine {

class ColumnBlock;  // engine/column_block.h

// The names a condition may start a path with ("Account", "Contact", "conversation") and the
// record layouts in which records of each object are stored. Immutable after setup; share it
// between compilations. Not thread-safe while being set up.
class Environment {
 public:
  // Every object of the schema gets a layout holding all of its fields (BuildAll) unless
  // SetLayout replaces it.
  explicit Environment(std::shared_ptr<const Schema> schema);

  // Declares a root: a condition may write `name.Field...`, read from EvalContext::roots[i]
  // where i is the returned index. `object_name` names a schema object. Returns -1 if the
  // object does not exist or the name is already a root (case-insensitive).
  int AddRoot(std::string_view name, std::string_view object_name);
  // Declares every schema object as a root under its own name. Returns the number added.
  int AddAllObjectsAsRoots();
  // Replaces the layout of one object (the record cache's choice of stored fields).
  void SetLayout(int object_index, std::shared_ptr<const RecordLayout> layout);

  const Schema& schema() const { return *schema_; }
  const std::shared_ptr<const Schema>& schema_ptr() const { return schema_; }
  struct Root {
    std::string name;
    int object_index;
  };
  const std::vector<Root>& roots() const { return roots_; }
  int FindRoot(std::string_view name) const;  // case-insensitive; -1 if absent
  const std::shared_ptr<const RecordLayout>& layout(int object_index) const {
    return layouts_[object_index];
  }

 private:
  std::shared_ptr<const Schema> schema_;
  std::vector<Root> roots_;
  std::vector<std::shared_ptr<const RecordLayout>> layouts_;
};

// Contiguous run of records (children of one parent). Non-owning.
struct RecordSpan {
  const Record* const* data = nullptr;
  size_t size = 0;
};

// Where the evaluator finds records a path reaches through lookups, and child records for
// aggregates. Implemented by the record cache. Must be thread-safe; results must stay valid
// for the duration of one Evaluate call.
class RecordSource {
 public:
  virtual ~RecordSource() = default;
  // The record of object `object_index` whose Id is `id`, or nullptr.
  virtual const Record* Find(int object_index, const SfId& id) const = 0;
  // The records of `child_object_index` whose lookup field `child_field_index` (index in
  // Object::fields) holds `parent_id`.
  virtual RecordSpan Children(int child_object_index, int child_field_index,
                              const SfId& parent_id) const = 0;
};

// Buffer for strings computed during one evaluation (LOWER, &, TEXT...). Reset by Evaluate;
// grows only when a larger string than ever before is built, so steady-state evaluation
// allocates nothing. One per thread; not thread-safe.
class EvalScratch {
 public:
  explicit EvalScratch(size_t initial_bytes = 64 * 1024);
  // Internal to the evaluator.
  char* Allocate(size_t n);
  void Reset() { used_ = 0; }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::vector<size_t> sizes_;
  size_t block_ = 0;
  size_t used_ = 0;
};

// Everything one evaluation reads. Cheap to build per event.
struct EvalContext {
  // roots[i] is the record bound to Environment root i, or nullptr when none is bound (its
  // paths are then null). REQUIRES: a non-null record has the layout the Environment gives its
  // object. root_count must cover every root the Environment had at compile time.
  const Record* const* roots = nullptr;
  size_t root_count = 0;
  // Needed for paths through lookups and for aggregates; nullptr makes those null.
  const RecordSource* source = nullptr;
  // The instant "now" and the local calendar day it falls on in `time_zone`. Use
  // MakeTimeFrame to fill these from a Clock.
  Millis now = 0;
  Days today = 0;
  const TimeZone* time_zone = nullptr;  // nullptr means UTC
  EvalScratch* scratch = nullptr;       // required if the condition builds strings
  // Scans (engine/column_block.h): when `columns` is set, root `columns_root` is row `row` of
  // that block (roots[columns_root] is not read). Fused tests on the root's fields read the
  // block's columns; everything else reads columns->record(row). The result is the same as
  // with roots[columns_root] = columns->record(row). REQUIRES: row < columns->size(); the
  // block's layout is the one the Environment gives the root's object.
  const ColumnBlock* columns = nullptr;
  int columns_root = -1;
  uint32_t row = 0;
};

// Sets now/today/time_zone of `ctx` from a clock and a zone.
void SetTimeFrame(EvalContext* ctx, const Clock& clock, const TimeZone& zone);

struct CompileOptions {
  grammar::ParseLimits limits;
  // Name for positions in diagnostics ("<condition>" or a file name). Not stored.
  std::string source_name = "<condition>";
};

// The language types the checker reasons with.
enum class ValueType : uint8_t {
  kNull, kBool, kNumber, kString, kPicklist, kMultiPicklist, kId, kDate, kDateTime, kTime,
};
const char* ValueTypeName(ValueType t);

// A compiled condition: immutable; Evaluate may run concurrently from many threads.
class CompiledCondition {
 public:
  virtual ~CompiledCondition() = default;
  virtual Tri Evaluate(const EvalContext& ctx) const = 0;
  // The (object index, field index) pairs the condition reads, for selective sync.
  virtual const std::vector<std::pair<int, int>>& referenced_fields() const = 0;
  // The roots the condition reads (indexes into Environment::roots()).
  virtual const std::vector<int>& referenced_roots() const = 0;
};

struct CompileResult {
  std::shared_ptr<const CompiledCondition> condition;  // set iff no error diagnostics
  std::vector<grammar::Diagnostic> diagnostics;        // errors and warnings, with spans
  bool ok() const { return condition != nullptr; }
};

// A compiled value expression (the right-hand side of `Field = expression` in a rule file):
// any type, not only boolean. Immutable; Evaluate may run concurrently from many threads.
class CompiledValue {
 public:
  virtual ~CompiledValue() = default;
  // The language type of the value (kNull for the literal null).
  virtual ValueType type() const = 0;
  // Evaluates the expression. Returns false when the value is null (or an unknown boolean);
  // otherwise writes Salesforce's text form of the value into *out: "true"/"false", numbers
  // in canonical decimal ("12.5"), text as is, picklist values, Ids in 18 characters, dates
  // "2024-03-31", datetimes "2024-03-31T13:45:00.000Z", times "13:45:00.000Z".
  virtual bool EvaluateText(const EvalContext& ctx, std::string* out) const = 0;
  // As CompiledCondition.
  virtual const std::vector<std::pair<int, int>>& referenced_fields() const = 0;
  virtual const std::vector<int>& referenced_roots() const = 0;
};

struct ValueCompileResult {
  std::shared_ptr<const CompiledValue> value;    // set iff no error diagnostics
  std::vector<grammar::Diagnostic> diagnostics;  // errors and warnings, with spans
  bool ok() const { return value != nullptr; }
};

// Type-checks and compiles an already parsed expression of any type; spans are the AST's own.
ValueCompileResult CompileValue(const grammar::Node& expression, const Environment& env,
                                const CompileOptions& options = {});

// Parses and compiles `text`. Diagnostics' spans are byte offsets into `text`.
CompileResult CompileCondition(std::string_view text, const Environment& env,
                               const CompileOptions& options = {});
// Compiles an already parsed expression (from a rule file); spans are the AST's own.
CompileResult CompileExpression(const grammar::Node& expression, const Environment& env,
                                const CompileOptions& options = {});

}  // namespace cf::engine

#endif  // CF_ENGINE_CONDITION_H_
