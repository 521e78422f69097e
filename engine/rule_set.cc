// RuleSet: loading, and the small tables (triggers, roots). The checker that turns one parsed
// rule into a CompiledRule is in rule_checker.cc.
#include "engine/rule_set.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <utility>

#include "engine/event_schema.h"
#include "engine/rule_checker.h"
#include "grammar/rule_parser.h"

namespace cf::engine {
namespace {

constexpr const char* kRootNames[kRuleRootCount] = {
    "Contact", "Lead", "Account", "Opportunity", "Case", "conversation", "call", "deal"};
constexpr const char* kTriggerNames[kTriggerCount] = {
    "conversation.created", "conversation.message", "conversation.closed", "call.ended",
    "deal.closed"};

constexpr uint32_t Bit(RuleRoot root) { return 1u << static_cast<int>(root); }
constexpr uint32_t kRecordRoots = Bit(RuleRoot::kContact) | Bit(RuleRoot::kLead) |
                                  Bit(RuleRoot::kAccount) | Bit(RuleRoot::kOpportunity) |
                                  Bit(RuleRoot::kCase);

}  // namespace

const char* RuleRootName(RuleRoot root) { return kRootNames[static_cast<int>(root)]; }

const char* TriggerName(Trigger trigger) { return kTriggerNames[static_cast<int>(trigger)]; }

const char* ActionKindText(ActionKind kind) {
  switch (kind) {
    case ActionKind::kCreate: return "create";
    case ActionKind::kUpdate: return "update";
    case ActionKind::kUpsert: return "upsert";
    case ActionKind::kLogTask: return "log task";
    case ActionKind::kRouteToTeam: return "route to team";
    case ActionKind::kAddTag: return "add tag";
    case ActionKind::kSetPriority: return "set priority";
    case ActionKind::kNotify: return "notify";
  }
  return "action";
}

std::optional<Trigger> TriggerFromName(std::string_view name) {
  for (int i = 0; i < kTriggerCount; ++i) {
    if (EqualsIgnoreCase(name, kTriggerNames[i])) return static_cast<Trigger>(i);
  }
  return std::nullopt;
}

uint32_t RootsBoundBy(Trigger trigger) {
  switch (trigger) {
    case Trigger::kConversationCreated:
    case Trigger::kConversationMessage:
    case Trigger::kConversationClosed:
      return kRecordRoots | Bit(RuleRoot::kConversation);
    case Trigger::kCallEnded:
      return kRecordRoots | Bit(RuleRoot::kCall);
    case Trigger::kDealClosed:
      return kRecordRoots | Bit(RuleRoot::kDeal) | Bit(RuleRoot::kConversation);
  }
  return kRecordRoots;
}

std::shared_ptr<const Environment> MakeRuleEnvironment(std::shared_ptr<const Schema> schema) {
  if (schema == nullptr) schema = std::make_shared<const Schema>();
  bool has_events = true;
  for (const char* event : {"conversation", "call", "deal"}) {
    const Object* o = schema->Find(event);
    if (o == nullptr || !o->is_event) has_events = false;
  }
  if (!has_events) {
    auto copy = std::make_shared<Schema>(*schema);
    AddStandardEventObjects(copy.get());
    schema = std::move(copy);
  }
  auto env = std::make_shared<Environment>(schema);
  for (const char* root : kRootNames) env->AddRoot(root, root);
  return env;
}

RuleSet::RuleSet(std::shared_ptr<const Environment> environment, std::vector<std::string> files,
                 std::vector<CompiledRule> rules, std::array<int, kRuleRootCount> root_index)
    : environment_(std::move(environment)),
      files_(std::move(files)),
      rules_(std::move(rules)),
      root_index_(root_index) {
  for (int t = 0; t < kTriggerCount; ++t) {
    std::vector<const CompiledRule*>& list = by_trigger_[t];
    for (const CompiledRule& rule : rules_) {
      if (rule.enabled && (rule.triggers & (1u << t)) != 0) list.push_back(&rule);
    }
    std::stable_sort(list.begin(), list.end(), [](const CompiledRule* a, const CompiledRule* b) {
      return a->priority > b->priority;
    });
    index_[t] = RuleIndex(list);
  }
  auto add = [this](const auto& compiled) {
    if (compiled == nullptr) return;
    const std::vector<std::pair<int, int>>& read = compiled->referenced_fields();
    fields_.insert(fields_.end(), read.begin(), read.end());
  };
  for (const CompiledRule& rule : rules_) {
    if (!rule.enabled) continue;
    add(rule.condition);
    for (const CompiledAction& action : rule.actions) {
      for (const CompiledAssignment& assignment : action.assignments) add(assignment.value);
      for (const auto& argument : action.arguments) add(argument);
    }
  }
  std::sort(fields_.begin(), fields_.end());
  fields_.erase(std::unique(fields_.begin(), fields_.end()), fields_.end());
}

const CompiledRule* RuleSet::Find(std::string_view name) const {
  for (const CompiledRule& rule : rules_) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

size_t RuleSetResult::error_count() const {
  size_t count = error.empty() ? 0 : 1;
  for (const FileDiagnostics& file : files) {
    for (const grammar::Diagnostic& d : file.diagnostics) {
      if (d.severity == grammar::Severity::kError) ++count;
    }
  }
  return count;
}

std::string RuleSetResult::FormatDiagnostics() const {
  std::string out;
  if (!error.empty()) out += error + "\n";
  for (const FileDiagnostics& file : files) {
    out += grammar::FormatDiagnostics({file.name, file.text}, file.diagnostics);
  }
  return out;
}

RuleSetResult CompileRuleSet(const std::vector<RuleSource>& sources,
                             std::shared_ptr<const Environment> environment,
                             const RuleSetOptions& options) {
  RuleSetResult result;
  if (environment == nullptr) {
    result.error = "no schema to check the rules against";
    return result;
  }
  std::array<int, kRuleRootCount> root_index;
  for (int r = 0; r < kRuleRootCount; ++r) root_index[r] = environment->FindRoot(kRootNames[r]);

  std::vector<std::string> files;
  std::vector<CompiledRule> rules;
  // First definition of each rule name: file index and span.
  std::map<std::string, std::pair<int, grammar::SourceSpan>> names;
  bool failed = false;
  for (size_t f = 0; f < sources.size(); ++f) {
    const RuleSource& source = sources[f];
    files.push_back(source.name);
    std::vector<grammar::Diagnostic> diagnostics;
    grammar::RuleParseResult parsed = grammar::ParseRuleFile(source.text, options.limits);
    if (!parsed.ok()) {
      diagnostics = std::move(parsed.diagnostics);
    } else {
      internal::RuleChecker checker(*environment, root_index);
      for (const grammar::Rule& rule : parsed.file->rules) {
        auto [it, inserted] = names.emplace(rule.name.text, std::make_pair(static_cast<int>(f), rule.name.span));
        if (!inserted) {
          grammar::Diagnostic d;
          d.span = rule.name.span;
          d.message = "there is already a rule named \"" + rule.name.text + "\"";
          grammar::LineColumn at = grammar::LocateOffset(sources[it->second.first].text,
                                                         it->second.second.begin);
          d.hint = "rule names are unique in a rule set; the other one is at " +
                   sources[it->second.first].name + ":" + std::to_string(at.line) + ":" +
                   std::to_string(at.column);
          diagnostics.push_back(std::move(d));
        }
        std::optional<CompiledRule> compiled = checker.Check(rule, &diagnostics);
        if (compiled) {
          if (rule.condition && compiled->condition != nullptr) {
            compiled->index_terms = FindIndexTerms(*rule.condition, *environment);
          }
          compiled->file = static_cast<int>(f);
          compiled->order = static_cast<int>(rules.size());
          rules.push_back(std::move(*compiled));
        }
      }
    }
    if (grammar::HasErrors(diagnostics)) failed = true;
    if (!diagnostics.empty()) {
      result.files.push_back(FileDiagnostics{source.name, source.text, std::move(diagnostics)});
    }
  }
  if (!failed) {
    result.rule_set = std::make_shared<const RuleSet>(std::move(environment), std::move(files),
                                                      std::move(rules), root_index);
  }
  return result;
}

RuleSetResult LoadRuleSet(const std::string& folder, std::shared_ptr<const Environment> environment,
                          const RuleSetOptions& options) {
  namespace fs = std::filesystem;
  RuleSetResult result;
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    result.error = folder + ": not a folder of rule files";
    return result;
  }
  std::vector<std::string> names;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    if (it->path().extension() == ".rule" && it->is_regular_file(error)) {
      names.push_back(it->path().filename().string());
    }
    if (names.size() > options.max_files) {
      result.error = folder + ": more than " + std::to_string(options.max_files) + " rule files";
      return result;
    }
  }
  if (error) {
    result.error = folder + ": " + error.message();
    return result;
  }
  std::sort(names.begin(), names.end());
  std::string prefix = folder;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  std::vector<RuleSource> sources;
  for (const std::string& name : names) {
    // Reads at most one byte past the parser's limit, so a huge file costs no memory and is
    // reported by the parser as too long.
    std::ifstream in(prefix + name, std::ios::binary);
    if (!in) {
      result.error = prefix + name + ": cannot be read";
      return result;
    }
    std::string text(options.limits.max_file_bytes + 1, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    sources.push_back(RuleSource{prefix + name, std::move(text)});
  }
  return CompileRuleSet(sources, std::move(environment), options);
}

}  // namespace cf::engine
