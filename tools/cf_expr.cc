// cf-expr: compiles a condition against a schema and evaluates it on records from JSON.
//
//   cf-expr --schema examples/org/describe --records examples/org/records.json
//           'Account.AnnualRevenue > $500,000 AND Account.Type = "Customer"'
//
// Exit codes: 0 evaluated (or compiled, with --check); 1 the condition has errors (printed as
// file:line:column diagnostics with carets); 2 bad usage or unreadable input.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/record_json.h"
#include "engine/condition.h"
#include "engine/event_schema.h"
#include "engine/record_store.h"

namespace {

using namespace cf;

constexpr const char* kUsage = R"(usage: cf-expr --schema PATH [options] CONDITION

Compiles CONDITION (the condition language) against the schema and evaluates it.

  --schema PATH      describe JSON: a directory of <Object>.json files or one file
                     {"objects": [...]} (required)
  --records FILE     records as {"Account": {"records": [...]}, "Contact": ...} (REST shapes)
  --event FILE       an event's fields, e.g. {"conversation": {"channel": "phone",
                     "customer": {"email": "ann@example.com"}}}
  --bind ROOT=ID     bind a root (Account, Contact, ...) to the record with that Id; repeatable
  --now ISO          the current instant, e.g. 2024-05-01T12:00:00Z (default: the clock)
  --tz ZONE          time zone for dates, e.g. Europe/Paris or +02:00 (default: UTC)
  --limit N          print at most N rows when scanning records (default 50)
  --check            compile only; print diagnostics
  -h, --help         this help

Without --bind, a condition that reads one object is evaluated on every record of it and the
matches are counted. Exit status: 0 ok, 1 the condition has errors, 2 bad usage or input.
)";

int UsageError(const std::string& message) {
  std::cerr << "cf-expr: " << message << "\n(run cf-expr --help for usage)\n";
  return 2;
}

bool ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

// Flattens {"customer": {"email": "x"}} into "customer.email" -> "x".
void Flatten(const nlohmann::json& j, const std::string& prefix,
             std::vector<std::pair<std::string, const nlohmann::json*>>* out) {
  for (auto it = j.begin(); it != j.end(); ++it) {
    std::string key = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it->is_object()) {
      Flatten(*it, key, out);
    } else {
      out->emplace_back(key, &*it);
    }
  }
}

std::string JsonScalarText(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  return v.dump();
}

std::string RecordLabel(const engine::Record& r) {
  std::string label;
  if (const engine::SfId* id = r.id()) label = id->To18();
  if (const engine::Slot* s = r.layout().SlotForField("Name")) {
    if (!r.IsNull(*s) && s->kind == engine::StorageKind::kString) {
      label += "  " + std::string(r.GetString(*s));
    }
  }
  return label;
}

}  // namespace

int main(int argc, char** argv) {
  std::string schema_path, records_path, event_path, now_text, tz_name = "UTC", condition;
  std::vector<std::pair<std::string, std::string>> binds;
  size_t limit = 50;
  bool check_only = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    std::string v;
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (a == "--schema") {
      if (!value(&schema_path)) return UsageError("--schema needs a path");
    } else if (a == "--records") {
      if (!value(&records_path)) return UsageError("--records needs a file");
    } else if (a == "--event") {
      if (!value(&event_path)) return UsageError("--event needs a file");
    } else if (a == "--now") {
      if (!value(&now_text)) return UsageError("--now needs an ISO date/time");
    } else if (a == "--tz") {
      if (!value(&tz_name)) return UsageError("--tz needs a zone name");
    } else if (a == "--limit") {
      if (!value(&v)) return UsageError("--limit needs a number");
      limit = std::strtoul(v.c_str(), nullptr, 10);
    } else if (a == "--bind") {
      if (!value(&v) || v.find('=') == std::string::npos) return UsageError("--bind needs ROOT=ID");
      binds.emplace_back(v.substr(0, v.find('=')), v.substr(v.find('=') + 1));
    } else if (a == "--check") {
      check_only = true;
    } else if (!a.empty() && a[0] == '-' && a.size() > 1 && condition.empty()) {
      return UsageError("unknown option " + a);
    } else if (condition.empty()) {
      condition = a;
    } else {
      return UsageError("give the condition as one argument (quote it)");
    }
  }
  if (schema_path.empty()) return UsageError("--schema is required");
  if (condition.empty()) return UsageError("no condition given");

  std::string error;
  std::shared_ptr<const engine::Schema> loaded = sf::LoadSchemaFile(schema_path, &error);
  if (!loaded) return UsageError("cannot load the schema: " + error);
  auto schema = std::make_shared<engine::Schema>(*loaded);
  engine::AddStandardEventObjects(schema.get());
  engine::Environment env(schema);
  env.AddAllObjectsAsRoots();

  engine::CompileResult compiled = engine::CompileCondition(condition, env);
  if (!compiled.diagnostics.empty()) {
    std::cerr << grammar::FormatDiagnostics(grammar::SourceText{"<condition>", condition},
                                            compiled.diagnostics);
  }
  if (!compiled.ok()) return 1;
  if (check_only) {
    std::cout << "ok\n";
    return 0;
  }

  // Records.
  engine::RecordStore store(*schema);
  if (!records_path.empty()) {
    std::string text;
    if (!ReadFile(records_path, &text)) return UsageError("cannot read " + records_path);
    std::optional<nlohmann::json> json = sf::ParseJson(text, &error);
    if (!json) return UsageError(records_path + ": " + error);
    sf::RecordReader reader(schema);
    for (int i = 0; i < schema->size(); ++i) reader.SetLayout(env.layout(i));
    sf::RecordsByObject by_object;
    if (!reader.ReadRecordSet(*json, &by_object, &error)) return UsageError(records_path + ": " + error);
    for (auto& [object, records] : by_object) {
      int index = schema->IndexOf(object);
      for (auto& r : records) store.Add(index, r);
    }
  }
  // The event, as a record of its event object.
  std::vector<engine::RecordPtr> event_records;
  std::vector<const engine::Record*> roots(env.roots().size(), nullptr);
  if (!event_path.empty()) {
    std::string text;
    if (!ReadFile(event_path, &text)) return UsageError("cannot read " + event_path);
    std::optional<nlohmann::json> json = sf::ParseJson(text, &error);
    if (!json || !json->is_object()) return UsageError(event_path + ": expected a JSON object");
    for (auto it = json->begin(); it != json->end(); ++it) {
      int root = env.FindRoot(it.key());
      if (root < 0 || !it->is_object()) return UsageError(event_path + ": unknown event object '" + it.key() + "'");
      int oi = env.roots()[root].object_index;
      engine::RecordBuilder builder(env.layout(oi));
      std::vector<std::pair<std::string, const nlohmann::json*>> fields;
      Flatten(*it, "", &fields);
      for (const auto& [name, value] : fields) {
        const engine::Slot* slot = env.layout(oi)->SlotForField(name);
        if (slot == nullptr) return UsageError(event_path + ": " + it.key() + " has no field '" + name + "'");
        if (value->is_null()) continue;
        if (!builder.SetFromText(*slot, JsonScalarText(*value))) {
          return UsageError(event_path + ": " + it.key() + "." + name + " has an invalid value");
        }
      }
      event_records.push_back(builder.Finish());
      roots[root] = event_records.back().get();
    }
  }
  store.Freeze();
  for (const auto& [root_name, id_text] : binds) {
    int root = env.FindRoot(root_name);
    if (root < 0) return UsageError("--bind: unknown root '" + root_name + "'");
    std::optional<engine::SfId> id = engine::SfId::Parse(id_text);
    if (!id) return UsageError("--bind: '" + id_text + "' is not a Salesforce Id");
    roots[root] = store.Find(env.roots()[root].object_index, *id);
    if (roots[root] == nullptr) return UsageError("--bind: no " + root_name + " record with Id " + id_text);
  }

  // Time.
  std::shared_ptr<const engine::TimeZone> zone = engine::TimeZone::Load(tz_name, &error);
  if (!zone) return UsageError("--tz: " + error);
  std::unique_ptr<engine::Clock> clock;
  if (now_text.empty()) {
    clock = std::make_unique<engine::SystemClock>();
  } else {
    std::optional<engine::Millis> now = engine::ParseIsoDateTime(now_text);
    if (!now) return UsageError("--now: '" + now_text + "' is not an ISO date/time such as 2024-05-01T12:00:00Z");
    clock = std::make_unique<engine::FixedClock>(*now);
  }
  engine::EvalScratch scratch;
  engine::EvalContext ctx;
  ctx.roots = roots.data();
  ctx.root_count = roots.size();
  ctx.source = &store;
  ctx.scratch = &scratch;
  engine::SetTimeFrame(&ctx, *clock, *zone);

  // Scan the records of the one unbound object the condition reads, or evaluate once.
  int scan_root = -1;
  for (int r : compiled.condition->referenced_roots()) {
    if (roots[r] != nullptr) continue;
    if (schema->object(env.roots()[r].object_index).is_event) continue;
    if (scan_root >= 0) {
      scan_root = -2;
      break;
    }
    scan_root = r;
  }
  if (scan_root < 0) {
    std::cout << engine::TriName(compiled.condition->Evaluate(ctx)) << "\n";
    return 0;
  }
  const engine::Environment::Root& root = env.roots()[scan_root];
  const auto& records = store.records(root.object_index);
  size_t matches = 0, printed = 0;
  for (const auto& r : records) {
    roots[scan_root] = r.get();
    engine::Tri t = compiled.condition->Evaluate(ctx);
    if (t == engine::Tri::kTrue) ++matches;
    if (printed < limit) {
      std::cout << engine::TriName(t) << "\t" << RecordLabel(*r) << "\n";
      ++printed;
    }
  }
  if (printed < records.size()) std::cout << "... (" << records.size() - printed << " more)\n";
  std::cout << "matches " << matches << " of " << records.size() << " " << root.name << " records\n";
  return 0;
}
