// Evaluation allocates nothing: counted by replacing the global operator new in this test
// binary (counting only while a test asks for it, on the asking thread).
#include <cstdlib>
#include <new>

#include "tests/engine/condition_test_support.h"

// The replacement pairs malloc with free on purpose; GCC cannot see that through inlining.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {
thread_local bool counting = false;
thread_local long allocations = 0;
}  // namespace

// Every non-aligned form is replaced, so that each allocation and its release pair up.
namespace {
void* CountedAlloc(std::size_t n) {
  if (counting) ++allocations;
  return std::malloc(n == 0 ? 1 : n);
}
}  // namespace

void* operator new(std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = CountedAlloc(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return CountedAlloc(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }

namespace cf::engine::testing {
namespace {

class NoAllocationTest : public ConditionFixture {};

TEST_F(NoAllocationTest, EvaluationAllocatesNothing) {
  Bind("Account", Add("Account", {{"Id", "001000000000001AAA"},
                                  {"Name", "Acme"},
                                  {"AnnualRevenue", "750000"},
                                  {"Type", "Customer"},
                                  {"Industry", "Banking"},
                                  {"NumberOfEmployees", "120"},
                                  {"BillingCountry", "FR"},
                                  {"Regions__c", "EMEA;APAC"},
                                  {"LastActivityDate", "2024-05-20"},
                                  {"OwnerId", "005000000000001AAA"}}));
  Add("User", {{"Id", "005000000000001AAA"}, {"Name", "Ann"}});
  Add("Opportunity", {{"Id", "006000000000001AAA"}, {"AccountId", "001000000000001AAA"}, {"IsWon", "true"}});
  const char* conditions[] = {
      "Account.AnnualRevenue > 500000",
      "Account.AnnualRevenue > 500000 AND Account.Type = \"Customer\" AND (Account.Industry = \"Banking\" OR "
      "Account.Industry = \"Insurance\") AND Account.NumberOfEmployees >= 100 AND Account.BillingCountry != \"US\"",
      "LOWER(Account.Name) & '-' & UPPER(Account.BillingCountry) LIKE 'acme-%'",
      "TEXT(Account.AnnualRevenue) = '750000' AND TEXT(Account.LastActivityDate) != ''",
      "Account.Owner.Name STARTS WITH 'A' AND COUNT(Account.Opportunities, IsWon) >= 1",
      "Account.LastActivityDate = THIS_QUARTER AND INCLUDES(Account.Regions__c, 'EMEA')",
  };
  for (const char* text : conditions) {
    auto c = Compile(text);
    ASSERT_NE(c, nullptr);
    roots_.resize(env_.roots().size(), nullptr);
    EvalContext ctx;
    ctx.roots = roots_.data();
    ctx.root_count = roots_.size();
    ctx.source = &store_;
    ctx.scratch = &scratch_;
    ctx.now = now_;
    ctx.today = static_cast<Days>(now_ / 86400000);
    EXPECT_EQ(c->Evaluate(ctx), Tri::kTrue) << text;  // warm up: scratch reaches its size
    counting = true;
    allocations = 0;
    for (int i = 0; i < 1000; ++i) c->Evaluate(ctx);
    counting = false;
    EXPECT_EQ(allocations, 0) << text;
  }
}

}  // namespace
}  // namespace cf::engine::testing
