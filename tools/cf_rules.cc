// cf-rules: checks a folder of rule files against an org's schema, for editors and CI.
//
//   cf-rules check examples/rules --schema examples/org
//
// Exit codes: 0 the rules are clean; 1 the rules have errors (printed as file:line:column
// diagnostics with carets); 2 bad usage or an unreadable schema or folder.
#include <cstring>
#include <iostream>
#include <memory>
#include <string>

#include "connectors/salesforce/describe_json.h"
#include "engine/rule_set.h"

namespace {

using namespace cf;

constexpr const char* kUsage = R"(usage: cf-rules check FOLDER --schema PATH [--quiet]

Parses every *.rule file in FOLDER, checks it against the org's schema and compiles the
whole folder as one rule set. Prints every problem as file:line:column with the source line
and a caret; a folder with any error would be refused whole by the plugin.

  --schema PATH   describe JSON: an org directory (such as examples/org), a directory of
                  <Object>.json files, or one file {"objects": [...]} (required)
  --quiet         print nothing when the rules are clean
  -h, --help      this help

Exit status: 0 clean, 1 the rules have errors, 2 bad usage or unreadable input.
)";

int UsageError(const std::string& message) {
  std::cerr << "cf-rules: " << message << "\n(run cf-rules --help for usage)\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string command;
  std::string folder;
  std::string schema_path;
  bool quiet = false;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "-h" || arg == "--help") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--schema") {
      if (i + 1 >= argc) return UsageError("--schema needs a path");
      schema_path = argv[++i];
    } else if (arg == "--quiet") {
      quiet = true;
    } else if (!arg.empty() && arg[0] == '-') {
      return UsageError("unknown option " + arg);
    } else if (command.empty()) {
      command = arg;
    } else if (folder.empty()) {
      folder = arg;
    } else {
      return UsageError("unexpected argument " + arg);
    }
  }
  if (command != "check") {
    return UsageError(command.empty() ? "missing command 'check'" : "unknown command " + command);
  }
  if (folder.empty()) return UsageError("missing the folder of rule files");
  if (schema_path.empty()) return UsageError("missing --schema");

  std::string error;
  std::shared_ptr<const engine::Schema> schema = sf::LoadSchemaFile(schema_path, &error);
  if (schema == nullptr) {
    std::cerr << "cf-rules: " << error << "\n";
    return 2;
  }
  engine::RuleSetResult result = engine::LoadRuleSet(folder, engine::MakeRuleEnvironment(schema));
  if (!result.error.empty()) {
    std::cerr << "cf-rules: " << result.error << "\n";
    return 2;
  }
  std::cout << result.FormatDiagnostics();
  if (!result.ok()) {
    size_t errors = result.error_count();
    std::cout << errors << (errors == 1 ? " error" : " errors") << " in " << result.files.size()
              << (result.files.size() == 1 ? " file" : " files") << "\n";
    return 1;
  }
  if (!quiet) {
    const engine::RuleSet& rules = *result.rule_set;
    std::cout << folder << ": " << rules.rules().size()
              << (rules.rules().size() == 1 ? " rule" : " rules") << " in " << rules.files().size()
              << (rules.files().size() == 1 ? " file" : " files") << ", no errors\n";
  }
  return 0;
}
