// libFuzzer target for ParseCondition. Beyond "no crash, no sanitizer report" it checks the
// parser's contract on every input: success xor errors, spans inside the text (shifted by the
// base offset), a printable tree or diagnostics, and the limits holding with tiny values.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "grammar/condition_parser.h"

namespace {

using cf::grammar::Node;
using cf::grammar::ParseLimits;
using cf::grammar::ParseResult;
using cf::grammar::SourceSpan;

void Require(bool condition) {
  if (!condition) std::abort();
}

void CheckSpan(SourceSpan span, uint32_t base, size_t size) {
  Require(span.begin <= span.end);
  Require(span.begin >= base);
  Require(span.end <= base + size);
}

// Returns the height of the tree.
size_t CheckTree(const Node& node, uint32_t base, size_t size) {
  CheckSpan(node.span, base, size);
  for (const auto& segment : node.path) CheckSpan(segment.span, base, size);
  size_t height = 0;
  for (const Node& child : node.children) {
    size_t child_height = CheckTree(child, base, size);
    if (child_height > height) height = child_height;
  }
  return height + 1;
}

void CheckResult(const ParseResult& result, std::string_view text, const ParseLimits& limits,
                 uint32_t base) {
  if (result.ok()) {
    Require(result.diagnostics.empty());
    Require(CheckTree(*result.expression, base, text.size()) <= limits.max_tree_height);
    Require(!cf::grammar::DumpTree(*result.expression).empty());
  } else {
    Require(cf::grammar::HasErrors(result.diagnostics));
    for (const auto& diagnostic : result.diagnostics) {
      // A limit error may point one past the text (the first byte over max_source_bytes).
      Require(diagnostic.span.begin >= base && diagnostic.span.begin <= base + text.size());
      Require(!diagnostic.message.empty());
    }
    // The formatter takes the text the spans point into: here, base bytes of padding first.
    std::string padded(base, ' ');
    padded.append(text);
    Require(!cf::grammar::FormatDiagnostics({"fuzz", padded}, result.diagnostics).empty());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);

  ParseLimits defaults;
  CheckResult(cf::grammar::ParseCondition(text, defaults), text, defaults, 0);

  // Tiny limits reach every limit path with short inputs.
  ParseLimits tiny;
  tiny.max_depth = 6;
  tiny.max_literal_bytes = 12;
  tiny.max_nodes = 40;
  tiny.max_source_bytes = 512;
  tiny.max_tree_height = 9;
  constexpr uint32_t kBase = 17;
  CheckResult(cf::grammar::ParseCondition(text, tiny, kBase), text, tiny, kBase);
  return 0;
}
