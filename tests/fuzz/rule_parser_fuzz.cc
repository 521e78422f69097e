// libFuzzer target for ParseRuleFile. Beyond "no crash, no sanitizer report" it checks the
// parser's contract on every input: success xor diagnostics, every diagnostic span inside the
// text and formattable, a printable tree on success, and tiny limits holding.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "grammar/diagnostic.h"
#include "grammar/rule_ast.h"
#include "grammar/rule_parser.h"

namespace {

using cf::grammar::RuleParseLimits;
using cf::grammar::RuleParseResult;

void Require(bool condition) {
  if (!condition) std::abort();
}

void Check(std::string_view text, const RuleParseResult& r) {
  Require(r.ok() == r.diagnostics.empty());
  if (r.ok()) {
    Require(r.diagnostics.empty());
    std::string dump = cf::grammar::DumpRuleFile(*r.file);
    (void)dump;
    return;
  }
  cf::grammar::SourceText source{"fuzz.rule", text};
  for (const cf::grammar::Diagnostic& d : r.diagnostics) {
    Require(d.span.begin <= d.span.end);
    Require(d.span.end <= text.size());
    Require(!d.message.empty());
  }
  std::string formatted = cf::grammar::FormatDiagnostics(source, r.diagnostics);
  Require(!formatted.empty());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  Check(text, cf::grammar::ParseRuleFile(text));
  RuleParseLimits tiny;
  tiny.expression.max_depth = 4;
  tiny.expression.max_nodes = 16;
  tiny.expression.max_literal_bytes = 8;
  tiny.expression.max_tree_height = 8;
  tiny.max_rules = 2;
  tiny.max_actions = 2;
  tiny.max_assignments = 2;
  tiny.max_name_bytes = 8;
  Check(text, cf::grammar::ParseRuleFile(text, tiny));
  return 0;
}
