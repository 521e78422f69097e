// Random, well-typed condition text for the differential test. Generated from the grammar as
// text (so that it exercises the parser too): comparisons with every operator and literal form
// (`$1,234.50`, single- and double-quoted strings with escapes, ISO dates and datetimes, SOQL
// date literals with :n), IN / NOT IN lists with null, LIKE patterns with % _ and escapes,
// CONTAINS / STARTS WITH / ENDS WITH, IS [NOT] NULL and `= null`, functions with the right
// arity and argument types, arithmetic and `&`, relationship paths, dotted event fields,
// aggregates over child relationships with filters, NOT / ! / AND / && / OR / ||, random
// keyword and name case, random redundant parentheses.
//
// Literals are drawn from the same pools as the records (DifferentialDomains), so that
// equality tests often hit. Deterministic from the seed. Not thread-safe (owns its RNG).
#ifndef CF_TESTS_SUPPORT_RANDOM_CONDITION_H_
#define CF_TESTS_SUPPORT_RANDOM_CONDITION_H_

#include <cstdint>
#include <memory>
#include <string>

#include "engine/condition.h"
#include "tests/support/differential_schema.h"

namespace cf::test_support {

struct RandomConditionOptions {
  // Nesting of generated sub-expressions below the top-level condition. Default: 4.
  int max_depth = 4;
  // Probability of redundant parentheses around a sub-expression. Default: 0.06.
  double extra_parens = 0.06;
};

class RandomConditionGenerator {
 public:
  // `env` and `domains` must outlive the generator. The generator uses every root of `env`;
  // inside aggregates it uses bare child field names (and, rarely, event root fields).
  RandomConditionGenerator(const engine::Environment& env, const DifferentialDomains& domains,
                           uint64_t seed, RandomConditionOptions options = {});
  ~RandomConditionGenerator();
  RandomConditionGenerator(const RandomConditionGenerator&) = delete;
  RandomConditionGenerator& operator=(const RandomConditionGenerator&) = delete;

  // The next boolean condition.
  std::string Next();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The 18-character form of a 15-character Id (case-checksum suffix), computed independently of
// engine::SfId.
std::string RefId18(const std::string& id15);

// The value of environment variable `name` as an unsigned decimal number (test sizes and seeds
// such as CF_DIFFERENTIAL_PAIRS), or `fallback` when it is unset, empty or not a number.
uint64_t EnvNumber(const char* name, uint64_t fallback);

}  // namespace cf::test_support

#endif  // CF_TESTS_SUPPORT_RANDOM_CONDITION_H_
