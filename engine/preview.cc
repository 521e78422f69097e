#include "engine/preview.h"

#include <utility>

namespace cf::engine {
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
  ctx.columns_root = root_index;
  SetTimeFrame(&ctx, options.clock != nullptr ? *options.clock : kSystemClock,
               options.time_zone != nullptr ? *options.time_zone : *kUtc);

  // The scan reads the chunks' columns of the fields the condition reads on the object (built
  // by the first scan that needs them, then kept with the chunks).
  std::vector<int> fields;
  for (const auto& [field_object, field] : condition.referenced_fields()) {
    if (field_object == object) fields.push_back(field);
  }
  PreviewCounts counts;
  for (size_t c = 0; c < snapshot.ChunkCount(object); ++c) {
    const std::shared_ptr<const ColumnBlock> block = snapshot.ChunkColumns(object, c, fields);
    if (block == nullptr) continue;  // an empty chunk
    ctx.columns = block.get();
    const uint32_t rows = static_cast<uint32_t>(block->size());
    for (uint32_t row = 0; row < rows; ++row) {
      ctx.row = row;
      const Tri t = condition.Evaluate(ctx);
      if (t == Tri::kTrue) {
        ++counts.matched;
        if (counts.sample_ids.size() < options.sample_limit) {
          counts.sample_ids.push_back(block->record(row)->id()->To18());
        }
      } else if (t == Tri::kUnknown) {
        ++counts.unknown;
      }
    }
    counts.total += rows;
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
