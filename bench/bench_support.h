// Shared setup of the benchmarks: a programmatic Account schema, a deterministic set of cached
// Account records, and a count of heap allocations.
//
// Everything here is built outside the timed loops. Not thread-safe except where noted.
#ifndef CF_BENCH_BENCH_SUPPORT_H_
#define CF_BENCH_BENCH_SUPPORT_H_

#include <benchmark/benchmark.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "engine/column_block.h"
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
// A new fixture of the same records, owned by the caller (to measure what records cost).
std::unique_ptr<AccountFixture> BuildAccountFixture(size_t count);

// Hand-written baselines of C1 `Account.AnnualRevenue > 500000` and of C5 (condition_bench.cc):
// what a C++ engineer would write against the record layout, with the slots and picklist codes
// looked up once. They return the engine's Kleene value (FALSE as soon as a clause is FALSE;
// NULL if a clause is NULL and none is FALSE), so results compare record by record.
struct BaselineC1 {
  engine::Slot revenue;
  engine::Decimal threshold = engine::Decimal::FromInt(500000);
  static BaselineC1 For(const engine::RecordLayout& layout);

  engine::Tri operator()(const engine::Record& r) const {
    if (r.IsNull(revenue)) return engine::Tri::kUnknown;
    return r.GetNumber(revenue) > threshold ? engine::Tri::kTrue : engine::Tri::kFalse;
  }
};

struct BaselineC5 {
  engine::Slot revenue, type, industry, employees, country;
  uint32_t customer = 0, banking = 0, insurance = 0;
  engine::Decimal min_revenue = engine::Decimal::FromInt(500000);
  engine::Decimal min_employees = engine::Decimal::FromInt(100);
  static BaselineC5 For(const engine::RecordLayout& layout);

  engine::Tri operator()(const engine::Record& r) const {
    using engine::Tri;
    bool unknown = false;
    if (r.IsNull(revenue)) {
      unknown = true;
    } else if (!(r.GetNumber(revenue) > min_revenue)) {
      return Tri::kFalse;
    }
    if (r.IsNull(type)) {
      unknown = true;
    } else if (r.GetPicklistCode(type) != customer) {
      return Tri::kFalse;
    }
    if (r.IsNull(industry)) {
      unknown = true;  // both disjuncts are NULL
    } else if (uint32_t c = r.GetPicklistCode(industry); c != banking && c != insurance) {
      return Tri::kFalse;
    }
    if (r.IsNull(employees)) {
      unknown = true;
    } else if (!(r.GetNumber(employees) >= min_employees)) {
      return Tri::kFalse;
    }
    if (r.IsNull(country)) {
      unknown = true;
    } else if (r.GetString(country) == "US") {
      return Tri::kFalse;
    }
    return unknown ? Tri::kUnknown : Tri::kTrue;
  }
};

// The same two baselines over a chunk's columns (engine/column_block.h), as a C++ engineer
// would write them against the columns: the columns are looked up once per block (Bind), then
// each call reads one row. Same Kleene results as BaselineC1/C5. REQUIRES: the block has
// columns for the fields the condition reads.
struct ColumnBaselineC1 {
  int revenue_field = -1;
  engine::Decimal threshold = engine::Decimal::FromInt(500000);
  static ColumnBaselineC1 For(const engine::RecordLayout& layout);

  struct Bound {
    const engine::Column* revenue;
    engine::Decimal threshold;
    engine::Tri operator()(uint32_t row) const {
      if (revenue->IsNull(row)) return engine::Tri::kUnknown;
      return revenue->Get<engine::Decimal>(row) > threshold ? engine::Tri::kTrue
                                                            : engine::Tri::kFalse;
    }
  };
  Bound Bind(const engine::ColumnBlock& block) const {
    return Bound{block.column(revenue_field), threshold};
  }
};

struct ColumnBaselineC5 {
  int revenue_field = -1, type_field = -1, industry_field = -1, employees_field = -1,
      country_field = -1;
  uint32_t customer = 0, banking = 0, insurance = 0;
  engine::Decimal min_revenue = engine::Decimal::FromInt(500000);
  engine::Decimal min_employees = engine::Decimal::FromInt(100);
  static ColumnBaselineC5 For(const engine::RecordLayout& layout);

  struct Bound {
    const engine::Column *revenue, *type, *industry, *employees, *country;
    uint32_t customer, banking, insurance;
    engine::Decimal min_revenue, min_employees;
    engine::Tri operator()(uint32_t row) const {
      using engine::Tri;
      bool unknown = false;
      if (revenue->IsNull(row)) {
        unknown = true;
      } else if (!(revenue->Get<engine::Decimal>(row) > min_revenue)) {
        return Tri::kFalse;
      }
      if (type->IsNull(row)) {
        unknown = true;
      } else if (type->Get<uint32_t>(row) != customer) {
        return Tri::kFalse;
      }
      if (industry->IsNull(row)) {
        unknown = true;
      } else if (uint32_t c = industry->Get<uint32_t>(row); c != banking && c != insurance) {
        return Tri::kFalse;
      }
      if (employees->IsNull(row)) {
        unknown = true;
      } else if (!(employees->Get<engine::Decimal>(row) >= min_employees)) {
        return Tri::kFalse;
      }
      if (country->IsNull(row)) {
        unknown = true;
      } else if (country->Get<std::string_view>(row) == "US") {
        return Tri::kFalse;
      }
      return unknown ? Tri::kUnknown : Tri::kTrue;
    }
  };
  Bound Bind(const engine::ColumnBlock& block) const {
    return Bound{block.column(revenue_field), block.column(type_field),
                 block.column(industry_field), block.column(employees_field),
                 block.column(country_field), customer, banking, insurance, min_revenue,
                 min_employees};
  }
};

// `count` distinct condition texts over the Account fields, of one to five clauses, mixing
// numeric comparisons, currency literals, picklist = / != / IN, text != and parentheses. All
// are valid against MakeAccountSchema(). Deterministic.
std::vector<std::string> DistinctConditions(size_t count);

// The console table, plus each benchmark's real time per iteration kept by function name
// ("BM_Preview_C5") for the summary a program prints after the run. Colour on a terminal.
class TimingReporter : public benchmark::ConsoleReporter {
 public:
  TimingReporter();
  void ReportRuns(const std::vector<Run>& runs) override;
  // Seconds per iteration of a benchmark that ran without error; 0 otherwise.
  double SecondsPerIteration(const std::string& function_name) const;

 private:
  std::map<std::string, double> seconds_;
};

// main() of a benchmark program: runs the benchmarks the flags select with a TimingReporter,
// then calls `summary` with it. Returns the process's exit status.
int BenchMain(int argc, char** argv, const std::function<void(const TimingReporter&)>& summary);

}  // namespace cf::bench

#endif  // CF_BENCH_BENCH_SUPPORT_H_
