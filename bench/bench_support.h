// Shared setup of the benchmarks: a programmatic Account schema, a deterministic set of cached
// Account records, and a count of heap allocations.
//
// Everything here is built outside the timed loops. Not thread-safe except where noted.
#ifndef CF_BENCH_BENCH_SUPPORT_H_
#define CF_BENCH_BENCH_SUPPORT_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "engine/condition.h"
#include "engine/record.h"
#include "engine/schema.h"

namespace cf::bench {

// Heap allocations (calls of any global operator new) since the process started. The bench
// binary replaces the global operator new/delete with counting versions (bench_support.cc).
// Thread-safe.
uint64_t AllocationCount();

// The Account object as a Salesforce org describes it, restricted to the fields the benchmarks
// use: Id, Name, AnnualRevenue (currency), Type (picklist, the standard values), Industry
// (picklist, the standard values), NumberOfEmployees (int), BillingCountry (string).
std::shared_ptr<const engine::Schema> MakeAccountSchema();

// `count` Account records generated from a fixed seed, so every run sees the same data:
//   AnnualRevenue      10% null; otherwise log-uniform in [$5,000, $50,000,000] (median about
//                      $500,000, so `> 500000` holds for about half of the non-null values)
//   Type               5% null; "Customer" 40%, the other nine values share the rest
//   Industry           5% null; "Banking" 15%, "Insurance" 10%, the other 30 share the rest
//   NumberOfEmployees  2% null; log-uniform in [1, 100000] (`>= 100` holds for about 60%)
//   BillingCountry     3% null; "US" 35%, twelve other country spellings share the rest
// Records are stored in generation order (one heap block each, as the record cache holds
// them).
struct AccountFixture {
  std::shared_ptr<const engine::Schema> schema;
  std::unique_ptr<engine::Environment> env;  // root "Account" (index 0) -> object Account
  std::shared_ptr<const engine::RecordLayout> layout;
  std::vector<engine::RecordPtr> owned;        // keeps the records alive
  std::vector<const engine::Record*> records;  // what the timed loops iterate over
};

// The process-wide fixture of `count` records, built on first use (about a second for a
// million records) and kept until exit. Calls with a different count build another fixture.
const AccountFixture& Accounts(size_t count);

// `count` distinct condition texts over the Account fields, of one to five clauses, mixing
// numeric comparisons, currency literals, picklist = / != / IN, text != and parentheses. All
// are valid against MakeAccountSchema(). Deterministic.
std::vector<std::string> DistinctConditions(size_t count);

}  // namespace cf::bench

#endif  // CF_BENCH_BENCH_SUPPORT_H_
