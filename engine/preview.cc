#include "engine/preview.h"

#include <utility>

namespace cf::engine {
namespace {
constexpr size_t kPrefetchDistance = 8;
}  // namespace

PreviewCounts PreviewScan(const RecordSnapshot& snapshot, const Environment& env, int root_index,
                          const CompiledCondition& condition, const PreviewOptions& options) {
  static const SystemClock kSystemClock;
  static const std::shared_ptr<const TimeZone> kUtc = TimeZone::Utc();
  const int object = env.roots()[root_index].object_index;
  std::vector<const Record*> roots(env.roots().size(), nullptr);
  EvalScratch scratch(4096);
  EvalContext ctx;
  ctx.roots = roots.data();
  ctx.root_count = roots.size();
  ctx.source = &snapshot;
  ctx.scratch = &scratch;
  SetTimeFrame(&ctx, options.clock != nullptr ? *options.clock : kSystemClock,
               options.time_zone != nullptr ? *options.time_zone : *kUtc);

  PreviewCounts counts;
  const Record** bound = &roots[root_index];
  for (size_t c = 0; c < snapshot.ChunkCount(object); ++c) {
    const OwnedRecordSpan chunk = snapshot.Chunk(object, c);
    for (size_t i = 0; i < chunk.size; ++i) {
      // A chunk's records are scattered in memory: ask for the fixed part of a record a few
      // places ahead, so that evaluation does not wait for each one in turn.
      if (i + kPrefetchDistance < chunk.size) {
        const auto* ahead = reinterpret_cast<const char*>(chunk.data[i + kPrefetchDistance].get());
        __builtin_prefetch(ahead);
        __builtin_prefetch(ahead + 64);
      }
      const RecordPtr& r = chunk.data[i];
      *bound = r.get();
      const Tri t = condition.Evaluate(ctx);
      if (t == Tri::kTrue) {
        ++counts.matched;
        if (counts.sample_ids.size() < options.sample_limit) {
          counts.sample_ids.push_back(r->id()->To18());
        }
      } else if (t == Tri::kUnknown) {
        ++counts.unknown;
      }
    }
    counts.total += static_cast<int64_t>(chunk.size);
  }
  return counts;
}

PreviewResult Preview(const RecordSnapshot& snapshot, const Environment& env,
                      std::string_view root, std::string_view condition,
                      const PreviewOptions& options) {
  PreviewResult result;
  const int root_index = env.FindRoot(root);
  if (root_index < 0) {
    std::string names;
    for (const Environment::Root& r : env.roots()) {
      names.append(names.empty() ? "" : ", ").append(r.name);
    }
    result.error.append("preview: '").append(root).append("' is not a record of the rule set");
    result.error.append(" (use one of: ").append(names).append(")");
    return result;
  }
  const int object = env.roots()[root_index].object_index;
  result.object = env.schema().object(object).name;

  // Every record of an object in a snapshot has the cache's layout of that object.
  for (size_t c = 0; c < snapshot.ChunkCount(object); ++c) {
    const OwnedRecordSpan chunk = snapshot.Chunk(object, c);
    if (chunk.size == 0) continue;
    if (&chunk.data[0]->layout() != env.layout(object).get()) {
      result.error = "preview: the cache keeps " + result.object +
                     " records in another layout than the rule set's; build the cache from the "
                     "rule set's Environment layouts (sync_sink.h)";
      return result;
    }
    break;
  }

  CompileResult compiled = CompileCondition(condition, env, options.compile);
  result.diagnostics = std::move(compiled.diagnostics);
  if (!compiled.ok()) {
    result.error = "preview: the condition does not compile (see the diagnostics)";
    return result;
  }
  static_cast<PreviewCounts&>(result) =
      PreviewScan(snapshot, env, root_index, *compiled.condition, options);
  return result;
}

}  // namespace cf::engine
