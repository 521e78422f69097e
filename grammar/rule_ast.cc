#include "grammar/rule_ast.h"

namespace cf::grammar {

const char* RuleActionKindName(RuleActionKind kind) {
  switch (kind) {
    case RuleActionKind::kCreate: return "create";
    case RuleActionKind::kUpdate: return "update";
    case RuleActionKind::kUpsert: return "upsert";
    case RuleActionKind::kLogTask: return "log task";
    case RuleActionKind::kRouteToTeam: return "route to team";
    case RuleActionKind::kAddTag: return "add tag";
    case RuleActionKind::kSetPriority: return "set priority";
    case RuleActionKind::kNotify: return "notify";
  }
  return "?";
}

std::string DumpRuleFile(const RuleFile& file) {
  std::string out;
  for (const Rule& rule : file.rules) {
    out += "rule \"" + rule.name.text + "\"\n";
    if (!rule.triggers.empty()) {
      out += "  on";
      for (size_t i = 0; i < rule.triggers.size(); ++i) {
        out += (i == 0 ? " " : ", ") + rule.triggers[i].text;
      }
      out += '\n';
    }
    if (rule.condition) out += "  when " + DumpTree(*rule.condition) + "\n";
    std::string settings;
    if (rule.priority_span.end != 0) settings += " priority " + std::to_string(rule.priority);
    if (rule.stop) settings += " stop";
    if (!rule.enabled) settings += " disabled";
    if (!settings.empty()) out += " " + settings + "\n";
    for (const RuleAction& action : rule.actions) {
      out += "  ";
      out += RuleActionKindName(action.kind);
      if (!action.object.text.empty()) out += " " + action.object.text;
      if (!action.key_field.text.empty()) out += " by " + action.key_field.text;
      if (!action.alias.text.empty()) out += " as " + action.alias.text;
      for (size_t i = 0; i < action.links.size(); ++i) {
        out += (i == 0 ? " on " : ", ") + action.links[i].text;
      }
      for (size_t i = 0; i < action.arguments.size(); ++i) {
        out += (i == 0 ? " " : " with ") + DumpTree(action.arguments[i]);
      }
      out += '\n';
      for (const RuleAssignment& assignment : action.assignments) {
        out += "    " + assignment.field.text + " = " + DumpTree(assignment.value) + "\n";
      }
    }
  }
  return out;
}

}  // namespace cf::grammar
