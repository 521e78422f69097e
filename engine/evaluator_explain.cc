// ConditionExplainer (per-clause explanations from the rule files' text), LoadRulesWithExplainer
// and FormatResult.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string_view>

#include "engine/evaluator.h"
#include "grammar/rule_parser.h"

namespace cf::engine {
namespace {

// The operands of a chain of the same AND/OR (`a AND b AND c` -> a, b, c).
void Flatten(const grammar::Node& n, grammar::Op op, std::vector<const grammar::Node*>* out) {
  if (n.kind == grammar::NodeKind::kBinary && n.op == op && n.children.size() == 2) {
    Flatten(n.children[0], op, out);
    Flatten(n.children[1], op, out);
  } else {
    out->push_back(&n);
  }
}

void CollectPaths(const grammar::Node& n, std::vector<const grammar::Node*>* out) {
  if (n.kind == grammar::NodeKind::kPath) {
    out->push_back(&n);
    return;
  }
  for (const grammar::Node& child : n.children) CollectPaths(child, out);
}

// Source text of a span with runs of whitespace (line breaks too) as one space.
std::string SpanText(std::string_view text, grammar::SourceSpan span) {
  if (span.end > text.size() || span.begin >= span.end) return std::string();
  std::string out;
  bool space = false;
  for (char c : text.substr(span.begin, span.end - span.begin)) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      space = true;
      continue;
    }
    if (space && !out.empty()) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

std::string PathText(const grammar::Node& n) {
  std::string out;
  for (const grammar::PathSegment& s : n.path) out += (out.empty() ? "" : ".") + s.name;
  return out;
}

}  // namespace

std::shared_ptr<const ConditionExplainer> ConditionExplainer::Build(const RuleSet& rules,
                                                                    const std::vector<RuleSource>& sources) {
  auto explainer = std::make_shared<ConditionExplainer>();
  explainer->by_order_.resize(rules.rules().size());
  const Environment& env = rules.environment();
  for (size_t f = 0; f < sources.size(); ++f) {
    grammar::RuleParseResult parsed = grammar::ParseRuleFile(sources[f].text);
    if (!parsed.ok()) continue;
    for (const grammar::Rule& rule : parsed.file->rules) {
      const CompiledRule* compiled = rules.Find(rule.name.text);
      if (compiled == nullptr || compiled->file != static_cast<int>(f) || !rule.condition) continue;
      auto clauses = std::make_unique<RuleClauses>();
      const grammar::Node& top = *rule.condition;
      std::vector<const grammar::Node*> operands;
      if (top.kind == grammar::NodeKind::kBinary && (top.op == grammar::Op::kAnd || top.op == grammar::Op::kOr)) {
        clauses->join = top.op == grammar::Op::kAnd ? "AND" : "OR";
        Flatten(top, top.op, &operands);
      } else {
        operands.push_back(&top);
      }
      bool ok = true;
      for (const grammar::Node* operand : operands) {
        CompileResult c = CompileExpression(*operand, env);
        if (!c.ok()) {
          ok = false;
          break;
        }
        Clause clause;
        clause.text = SpanText(sources[f].text, operand->span);
        clause.condition = c.condition;
        std::vector<const grammar::Node*> paths;
        CollectPaths(*operand, &paths);
        for (const grammar::Node* path : paths) {
          std::string text = PathText(*path);
          bool seen = std::any_of(clause.paths.begin(), clause.paths.end(),
                                  [&](const Path& p) { return p.text == text; });
          if (seen) continue;
          ValueCompileResult v = CompileValue(*path, env);  // paths inside aggregates do not compile
          if (v.ok()) clause.paths.push_back(Path{std::move(text), v.value});
        }
        clauses->clauses.push_back(std::move(clause));
      }
      if (ok && compiled->order >= 0 && static_cast<size_t>(compiled->order) < explainer->by_order_.size()) {
        explainer->by_order_[compiled->order] = std::move(clauses);
      }
    }
  }
  return explainer;
}

const ConditionExplainer::RuleClauses* ConditionExplainer::For(const CompiledRule& rule) const {
  if (rule.order < 0 || static_cast<size_t>(rule.order) >= by_order_.size()) return nullptr;
  return by_order_[rule.order].get();
}

LoadedRules LoadRulesWithExplainer(const std::string& folder, std::shared_ptr<const Environment> environment,
                                   const RuleSetOptions& options) {
  namespace fs = std::filesystem;
  LoadedRules loaded;
  std::error_code error;
  std::vector<std::string> names;
  if (!fs::is_directory(folder, error)) {
    loaded.result.error = folder + ": not a folder of rule files";
    return loaded;
  }
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".rule" && it->is_regular_file(error)) names.push_back(it->path().filename().string());
    if (names.size() > options.max_files) {
      loaded.result.error = folder + ": more than " + std::to_string(options.max_files) + " rule files";
      return loaded;
    }
  }
  if (error) {
    loaded.result.error = folder + ": " + error.message();
    return loaded;
  }
  std::sort(names.begin(), names.end());
  std::string prefix = folder;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  std::vector<RuleSource> sources;
  for (const std::string& name : names) {
    std::ifstream in(prefix + name, std::ios::binary);
    if (!in) {
      loaded.result.error = prefix + name + ": cannot be read";
      return loaded;
    }
    std::string text(options.limits.max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    sources.push_back(RuleSource{prefix + name, std::move(text)});
  }
  loaded.result = CompileRuleSet(sources, std::move(environment), options);
  if (loaded.result.ok()) loaded.explainer = ConditionExplainer::Build(*loaded.result.rule_set, sources);
  return loaded;
}

std::string FormatResult(const EvaluationResult& result) {
  std::string out;
  if (!result.ok()) return "error: " + result.error + "\n";
  out += std::string("event ") + TriggerName(result.trigger) + "\nbound:";
  for (int r = 0; r < kRecordRootCount; ++r) {
    out += std::string(r == 0 ? " " : ", ") + RuleRootName(static_cast<RuleRoot>(r)) + " ";
    out += result.bound_ids[r].empty() ? std::string("null")
                                       : result.bound_ids[r] + " (" + BindSourceName(result.bound_sources[r]) + ")";
  }
  out += "\n";
  for (const RuleExplanation& ex : result.explanations) {
    out += "rule \"" + ex.rule->name + "\": " + OutcomeName(ex.outcome) + "\n";
    for (const ClauseExplanation& c : ex.clauses) {
      std::string value = TriName(c.value);
      value.resize(7, ' ');
      out += "  " + value + c.text;
      if (!c.values.empty()) {
        out += "   [";
        for (size_t i = 0; i < c.values.size(); ++i) {
          out += (i == 0 ? "" : ", ") + c.values[i].first + " = " + c.values[i].second;
        }
        out += "]";
      }
      out += "\n";
    }
  }
  for (const FiredRule& fired : result.fired) {
    out += "fired \"" + fired.rule->name + "\"\n";
    for (const std::string& s : fired.skipped) out += "  skipped " + s + "\n";
  }
  for (size_t i = 0; i < result.actions.size(); ++i) {
    const Action& a = result.actions[i];
    out += "action " + std::to_string(i) + ": ";
    switch (a.kind) {
      case ActionKind::kRouteToTeam: out += "route to team"; break;
      case ActionKind::kAddTag: out += "add tag"; break;
      case ActionKind::kSetPriority: out += "set priority"; break;
      case ActionKind::kNotify: out += "notify"; break;
      case ActionKind::kCreate: out += "create " + a.object; break;
      case ActionKind::kUpdate: out += "update " + a.object; break;
      case ActionKind::kUpsert: out += "upsert " + a.object + " by " + a.key_field; break;
      case ActionKind::kLogTask: out += "log task"; break;
    }
    if (!a.target_id.empty()) out += " " + a.target_id;
    if (a.target_action >= 0) out += " (record of action " + std::to_string(a.target_action) + ")";
    for (const std::string& arg : a.arguments) out += " \"" + arg + "\"";
    out += "\n";
    for (const ActionField& f : a.fields) {
      out += "  " + f.name + " = ";
      switch (f.kind) {
        case ActionField::Kind::kValue: out += f.json_type == JsonType::kString ? "\"" + f.text + "\"" : f.text; break;
        case ActionField::Kind::kNull: out += "null"; break;
        case ActionField::Kind::kActionId: out += "Id of action " + std::to_string(f.action); break;
      }
      out += "\n";
    }
  }
  return out;
}

}  // namespace cf::engine
