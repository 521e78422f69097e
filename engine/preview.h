// Preview: which cached records of one object a condition matches, for the rule editor
// ("this condition matches 1,204 of 48,310 accounts"), cheap enough to run on every keystroke.
//
//   PreviewResult p = Preview(*sink->Snapshot(), env, "Account",
//                             "Account.AnnualRevenue > $500,000 AND Account.Type = \"Customer\"");
//   if (!p.ok()) show(p.error, p.diagnostics);
//   else show(p.matched, p.total, p.sample_ids);
//
// The condition is compiled in `env` (a rule set's Environment, so that it reads exactly as in a
// rule file) and evaluated once per cached record of the root's object with that record bound
// to the root. Every other root (the event, the other bound records) is null, so a clause on
// them is NULL and does not match: a preview answers "which records could this rule fire for",
// not "would it fire for this event". Paths through lookups and child aggregates read the same
// snapshot. Nothing is fetched from Salesforce; no API call is spent.
//
// Thread safety: Preview and PreviewScan only read their arguments; run them from any thread.
// Cost: one compile plus one evaluation per cached record of the object, on the calling thread.
// The scan reads the cache's columns of the fields the condition reads
// (RecordSnapshot::ChunkColumns): the first preview that reads a field builds its columns, one
// pass over the records; later previews, and later snapshots for the chunks no change touched,
// reuse them (bench/preview_bench.cc).
#ifndef CF_ENGINE_PREVIEW_H_
#define CF_ENGINE_PREVIEW_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engine/condition.h"
#include "engine/record_cache.h"
#include "engine/time_zone.h"
#include "grammar/diagnostic.h"

namespace cf::engine {

struct PreviewOptions {
  // How many matching records to list (their Ids), in cache order. 0 lists none.
  size_t sample_limit = 20;
  // The clock TODAY() and NOW() read, and the zone of TODAY(). Default: system clock, UTC.
  const Clock* clock = nullptr;
  const TimeZone* time_zone = nullptr;
  CompileOptions compile;
};

struct PreviewCounts {
  int64_t total = 0;    // cached records of the object (records scanned)
  int64_t matched = 0;  // condition TRUE
  int64_t unknown = 0;  // condition NULL (for example a null field): not matched
  std::vector<std::string> sample_ids;  // 18-character Ids of the first matches, cache order
};

struct PreviewResult : PreviewCounts {
  std::string object;  // the API name of the object scanned, as the schema spells it
  // Set when nothing was scanned: an unknown root, a condition that does not compile (then
  // `diagnostics` holds the errors, with spans into the condition text), a cache whose layout
  // is not the environment's.
  std::string error;
  std::vector<grammar::Diagnostic> diagnostics;  // errors and warnings
  bool ok() const { return error.empty(); }
};

// Compiles `condition` in `env` and scans the cached records of the object of root `root`
// (a name of env.roots(), case-insensitive). Never throws; errors come back in the result.
PreviewResult Preview(const RecordSnapshot& snapshot, const Environment& env,
                      std::string_view root, std::string_view condition,
                      const PreviewOptions& options = {});

// The scan alone, for a condition compiled in `env`: binds each cached record of the object of
// root `root_index` to that root and counts. REQUIRES: root_index < env.roots().size(); the
// snapshot's records of that object have env's layout (Preview checks it).
PreviewCounts PreviewScan(const RecordSnapshot& snapshot, const Environment& env, int root_index,
                          const CompiledCondition& condition, const PreviewOptions& options = {});

}  // namespace cf::engine

#endif  // CF_ENGINE_PREVIEW_H_
