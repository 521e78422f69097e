// The differential test: the compiled evaluator (CompileCondition + CompiledCondition::
// Evaluate) and a deliberately simple reference interpreter (tests/support/
// reference_interpreter.h) must agree on at least 100,000 random (condition, record binding)
// pairs. Conditions are random text from the grammar (tests/support/random_condition.h) over a
// synthetic org with every field type (tests/support/differential_schema.h).
//
// Environment variables:
//   CF_DIFFERENTIAL_PAIRS  pairs to compare (default 200000; smaller for sanitizer runs)
//   CF_DIFFERENTIAL_SEED   seed of the generator and of the data (default below)
// On a disagreement the test prints the condition, the smallest sub-condition that still
// disagrees (compiled on its own), the reference interpreter's value of every sub-expression,
// and the bound records, so that either side can be fixed from the report alone.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "engine/condition.h"
#include "grammar/ast.h"
#include "grammar/condition_parser.h"
#include "grammar/diagnostic.h"
#include "tests/support/differential_schema.h"
#include "tests/support/random_condition.h"
#include "tests/support/reference_interpreter.h"

namespace cf::test_support {
namespace {

using engine::Tri;

constexpr uint64_t kDefaultSeed = 20241130;
constexpr size_t kDefaultPairs = 200000;  // the issue asks for at least 100,000
constexpr size_t kBindingsPerCondition = 20;

std::string Source(std::string_view text, const grammar::Node& n) {
  if (n.span.end < n.span.begin || n.span.end > text.size()) return {};
  return std::string(text.substr(n.span.begin, n.span.end - n.span.begin));
}

bool IsAggregateCall(const grammar::Node& n) {
  if (n.kind != grammar::NodeKind::kCall) return false;
  for (const char* name : {"ANY", "ALL", "COUNT", "SUM", "MIN", "MAX"}) {
    if (engine::EqualsIgnoreCase(n.text, name) && !n.children.empty() &&
        n.children[0].kind == grammar::NodeKind::kPath) {
      return true;
    }
  }
  return false;
}

// Sub-expressions outside aggregates (inside, bare names refer to child records and would not
// compile on their own).
void CollectSubexpressions(const grammar::Node& n, std::vector<const grammar::Node*>* out) {
  out->push_back(&n);
  if (IsAggregateCall(n)) return;
  for (const grammar::Node& c : n.children) CollectSubexpressions(c, out);
}

struct Comparison {
  bool compiled_ok = false;
  bool reference_ok = false;
  Tri compiled = Tri::kUnknown;
  Tri reference = Tri::kUnknown;
};

class Differential {
 public:
  explicit Differential(uint64_t seed)
      : world_(seed), reference_(world_.env()), scratch_(64 * 1024) {}

  const DifferentialWorld& world() const { return world_; }
  const ReferenceInterpreter& reference() const { return reference_; }

  Tri EvaluateCompiled(const engine::CompiledCondition& c, const DifferentialBinding& b) {
    engine::EvalContext ctx = b.Context(&world_.store(), &scratch_);
    return c.Evaluate(ctx);
  }

  // Both sides on one sub-expression given by its node (reference) and its source text
  // (compiled from scratch).
  Comparison CompareSub(std::string_view text, const grammar::Node& node,
                        const DifferentialBinding& b) {
    Comparison out;
    engine::CompileResult compiled = engine::CompileCondition(text, world_.env());
    if (!compiled.ok()) return out;
    out.compiled_ok = true;
    out.compiled = EvaluateCompiled(*compiled.condition, b);
    RefOutcome r = reference_.Evaluate(node, b.Context(&world_.store(), nullptr));
    out.reference_ok = r.supported;
    out.reference = r.value;
    return out;
  }

  // A report of one disagreement: the condition, the smallest sub-condition that still
  // disagrees, the reference interpreter's trace of it, and the bound records.
  std::string Explain(const std::string& text, const grammar::Node& root, Tri compiled,
                      Tri reference, const DifferentialBinding& b, std::string* minimal_text) {
    std::vector<const grammar::Node*> subs;
    CollectSubexpressions(root, &subs);
    std::stable_sort(subs.begin(), subs.end(), [](const grammar::Node* x, const grammar::Node* y) {
      return x->span.end - x->span.begin < y->span.end - y->span.begin;
    });
    const grammar::Node* minimal = &root;
    Comparison minimal_cmp{true, true, compiled, reference};
    for (const grammar::Node* n : subs) {
      std::string sub = Source(text, *n);
      if (sub.empty()) continue;
      Comparison c = CompareSub(sub, *n, b);
      if (c.compiled_ok && c.reference_ok && c.compiled != c.reference) {
        minimal = n;
        minimal_cmp = c;
        break;
      }
    }
    *minimal_text = minimal == &root ? text : Source(text, *minimal);
    std::string out;
    out += "  condition:  " + text + "\n";
    out += std::string("  compiled:   ") + engine::TriName(compiled) +
           "   reference: " + engine::TriName(reference) + "\n";
    out += "  smallest disagreeing sub-condition: " + *minimal_text + "\n";
    out += std::string("    compiled: ") + engine::TriName(minimal_cmp.compiled) +
           "   reference: " + engine::TriName(minimal_cmp.reference) + "\n";
    out += "    tree: " + grammar::DumpTree(*minimal) + "\n";
    out += "    reference values of its sub-expressions (innermost first):\n";
    std::vector<RefTraceEntry> trace;
    reference_.EvaluateWithTrace(*minimal, b.Context(&world_.store(), nullptr), &trace, 60);
    std::set<std::pair<uint32_t, uint32_t>> seen;
    for (const RefTraceEntry& e : trace) {
      if (!seen.insert({e.span.begin, e.span.end}).second) continue;  // aggregate repeats
      out += "      " + std::string(text.substr(e.span.begin, e.span.end - e.span.begin)) +
             "  =>  " + e.value + "\n";
    }
    out += "  binding: " + world_.Describe(b);
    return out;
  }

 private:
  DifferentialWorld world_;
  ReferenceInterpreter reference_;
  engine::EvalScratch scratch_;
};

TEST(DifferentialTest, CompiledEvaluatorAgreesWithReferenceInterpreter) {
  const uint64_t seed = EnvNumber("CF_DIFFERENTIAL_SEED", kDefaultSeed);
  const size_t target_pairs = EnvNumber("CF_DIFFERENTIAL_PAIRS", kDefaultPairs);
  const auto started = std::chrono::steady_clock::now();

  Differential d(seed);
  RandomConditionGenerator generator(d.world().env(), d.world().domains(), seed);
  std::mt19937_64 binding_rng(seed ^ 0x9e3779b97f4a7c15ULL);

  size_t generated = 0, compiled = 0, compared = 0, parse_failures = 0;
  size_t disagreements = 0, reference_unsupported = 0;
  std::map<Tri, size_t> outcomes;
  // Compile failures grouped by message: count and first example.
  std::map<std::string, std::pair<size_t, std::string>> compile_errors;
  std::vector<std::string> unsupported_examples;
  // Disagreements grouped by their smallest disagreeing sub-condition: count, first report.
  std::map<std::string, std::pair<size_t, std::string>> reports;
  size_t explained = 0;

  const size_t max_generated = target_pairs / kBindingsPerCondition * 2 + 100;
  while (compared < target_pairs && generated < max_generated) {
    const std::string text = generator.Next();
    ++generated;
    engine::CompileResult result = engine::CompileCondition(text, d.world().env());
    if (!result.ok()) {
      std::string message = result.diagnostics.empty() ? "(no diagnostic)"
                                                       : result.diagnostics[0].message;
      auto& entry = compile_errors[message];
      if (entry.first++ == 0) {
        entry.second = grammar::FormatDiagnostics({"<generated>", text}, result.diagnostics);
      }
      continue;
    }
    ++compiled;
    grammar::ParseResult parsed = grammar::ParseCondition(text);
    if (!parsed.ok()) {  // compiled but does not parse on its own: cannot happen
      ++parse_failures;
      continue;
    }
    const grammar::Node& root = *parsed.expression;
    for (size_t i = 0; i < kBindingsPerCondition; ++i) {
      DifferentialBinding b = d.world().RandomBinding(&binding_rng);
      Tri actual = d.EvaluateCompiled(*result.condition, b);
      RefOutcome expected = d.reference().Evaluate(root, b.Context(&d.world().store(), nullptr));
      if (!expected.supported) {
        if (reference_unsupported++ < 5) {
          unsupported_examples.push_back(text + "\n    why: " + expected.why);
        }
        break;  // the whole condition is unsupported, not just this binding
      }
      ++compared;
      ++outcomes[expected.value];
      if (actual == expected.value) continue;
      ++disagreements;
      if (explained++ < 300) {
        std::string minimal;
        std::string report = d.Explain(text, root, actual, expected.value, b, &minimal);
        auto& entry = reports[minimal];
        if (entry.first++ == 0) entry.second = std::move(report);
      }
    }
  }

  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  const double compile_rate = generated == 0 ? 0 : static_cast<double>(compiled) / generated;
  std::printf(
      "differential: seed %llu, %zu conditions generated, %zu compiled (%.2f%%), %zu pairs "
      "compared, %zu disagreements, %zu conditions unsupported by the reference, %.1f s\n",
      static_cast<unsigned long long>(seed), generated, compiled, 100.0 * compile_rate, compared,
      disagreements, reference_unsupported, seconds);
  std::printf("differential: reference outcomes TRUE %zu, FALSE %zu, NULL %zu\n",
              outcomes[Tri::kTrue], outcomes[Tri::kFalse], outcomes[Tri::kUnknown]);
  if (!compile_errors.empty()) {
    std::vector<std::pair<size_t, std::string>> by_count;
    for (const auto& [message, entry] : compile_errors) by_count.push_back({entry.first, message});
    std::sort(by_count.rbegin(), by_count.rend());
    std::printf("differential: compile errors of generated conditions, by message:\n");
    for (size_t i = 0; i < by_count.size() && i < 12; ++i) {
      std::printf("  %zu x %s\n%s", by_count[i].first, by_count[i].second.c_str(),
                  compile_errors[by_count[i].second].second.c_str());
    }
  }
  for (const std::string& u : unsupported_examples) {
    std::printf("differential: compiled but unsupported by the reference: %s\n", u.c_str());
  }
  {
    std::vector<std::pair<size_t, std::string>> by_count;
    for (const auto& [minimal, entry] : reports) by_count.push_back({entry.first, minimal});
    std::sort(by_count.rbegin(), by_count.rend());
    for (size_t i = 0; i < by_count.size() && i < 12; ++i) {
      std::printf("differential: disagreement %zu (%zu of the first %zu explained share this "
                  "smallest sub-condition):\n%s",
                  i + 1, by_count[i].first, std::min(explained, size_t{300}),
                  reports[by_count[i].second].second.c_str());
    }
    if (by_count.size() > 12) {
      std::printf("differential: ... and %zu more distinct smallest sub-conditions:\n",
                  by_count.size() - 12);
      for (size_t i = 12; i < by_count.size() && i < 60; ++i) {
        std::printf("  %zu x %s\n", by_count[i].first, by_count[i].second.c_str());
      }
    }
  }

  EXPECT_GE(compared, target_pairs) << "too few (condition, binding) pairs were compared";
  EXPECT_GE(compile_rate, 0.95) << "too many generated conditions failed to compile";
  EXPECT_EQ(parse_failures, 0u);
  EXPECT_EQ(reference_unsupported, 0u)
      << "conditions the compiler accepts but the reference interpreter rejects";
  EXPECT_EQ(disagreements, 0u) << "the compiled evaluator and the reference disagree";
  // The data must exercise all three outcomes, or agreement would mean little.
  EXPECT_GT(outcomes[Tri::kTrue], compared / 20);
  EXPECT_GT(outcomes[Tri::kFalse], compared / 20);
  EXPECT_GT(outcomes[Tri::kUnknown], compared / 50);
}

TEST(DifferentialTest, GeneratorIsDeterministicFromItsSeed) {
  DifferentialWorld world(7);
  RandomConditionGenerator a(world.env(), world.domains(), 42);
  RandomConditionGenerator b(world.env(), world.domains(), 42);
  RandomConditionGenerator c(world.env(), world.domains(), 43);
  bool differs = false;
  for (int i = 0; i < 200; ++i) {
    std::string x = a.Next();
    EXPECT_EQ(x, b.Next());
    differs |= x != c.Next();
  }
  EXPECT_TRUE(differs);
}

TEST(DifferentialTest, GeneratedConditionsParse) {
  DifferentialWorld world(7);
  RandomConditionGenerator generator(world.env(), world.domains(), 1);
  for (int i = 0; i < 2000; ++i) {
    std::string text = generator.Next();
    grammar::ParseResult parsed = grammar::ParseCondition(text);
    ASSERT_TRUE(parsed.ok()) << grammar::FormatDiagnostics({"<generated>", text},
                                                           parsed.diagnostics);
  }
}

}  // namespace
}  // namespace cf::test_support
