#include "bench/bench_support.h"

#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <stdexcept>
#include <string_view>

// ---------------------------------------------------------------------------------------------
// Counting replacements of the global allocation functions. They apply to the whole process
// (the engine and libbenchmark included). The array and nothrow forms are replaced too, so that
// no path bypasses the count whatever the standard library forwards to what.
namespace {
std::atomic<uint64_t> g_allocations{0};

void* CountedAlloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n == 0 ? 1 : n)) return p;
  throw std::bad_alloc();
}
void* CountedAlignedAlloc(std::size_t n, std::align_val_t al) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  void* p = nullptr;
  if (posix_memalign(&p, a, n == 0 ? 1 : n) == 0) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return CountedAlloc(n); }
void* operator new[](std::size_t n) { return CountedAlloc(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedAlloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return CountedAlloc(n);
  } catch (...) {
    return nullptr;
  }
}
void* operator new(std::size_t n, std::align_val_t al) { return CountedAlignedAlloc(n, al); }
void* operator new[](std::size_t n, std::align_val_t al) { return CountedAlignedAlloc(n, al); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
// ---------------------------------------------------------------------------------------------

namespace cf::bench {

using engine::Decimal;
using engine::Field;
using engine::FieldType;
using engine::Object;
using engine::RecordBuilder;
using engine::Schema;
using engine::SfId;
using engine::Slot;

uint64_t AllocationCount() { return g_allocations.load(std::memory_order_relaxed); }

namespace {

constexpr const char* kTypeValues[] = {"Analyst",  "Competitor", "Customer", "Integrator",
                                       "Investor", "Partner",    "Press",    "Prospect",
                                       "Reseller", "Other"};
// Salesforce's standard Account.Industry values.
constexpr const char* kIndustryValues[] = {
    "Agriculture",     "Apparel",       "Banking",       "Biotechnology",      "Chemicals",
    "Communications",  "Construction",  "Consulting",    "Education",          "Electronics",
    "Energy",          "Engineering",   "Entertainment", "Environmental",      "Finance",
    "Food & Beverage", "Government",    "Healthcare",    "Hospitality",        "Insurance",
    "Machinery",       "Manufacturing", "Media",         "Not For Profit",     "Recreation",
    "Retail",          "Shipping",      "Technology",    "Telecommunications", "Transportation",
    "Utilities",       "Other"};
// BillingCountry is free text in Salesforce; "United States" and "USA" are not "US".
constexpr const char* kOtherCountries[] = {"United States", "USA",    "Canada", "United Kingdom",
                                           "Germany",       "France", "Japan",  "Australia",
                                           "Brazil",        "India",  "Mexico", "Netherlands"};

template <typename T, size_t N>
constexpr size_t CountOf(const T (&)[N]) {
  return N;
}

Field MakeField(std::string name, std::string label, FieldType type) {
  Field f;
  f.name = std::move(name);
  f.label = std::move(label);
  f.type = type;
  f.createable = f.updateable = type != FieldType::kId;
  return f;
}

Field MakePicklist(std::string name, std::string label, const char* const* values, size_t n) {
  Field f = MakeField(std::move(name), std::move(label), FieldType::kPicklist);
  for (size_t i = 0; i < n; ++i) {
    engine::PicklistValue v;
    v.value = v.label = values[i];
    f.picklist_values.push_back(std::move(v));
  }
  return f;
}

// splitmix64: small, fast and identical on every platform (unlike <random>'s distributions).
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }  // [0, 1)
  size_t Below(size_t n) { return static_cast<size_t>(Uniform() * static_cast<double>(n)); }

 private:
  uint64_t state_;
};

SfId AccountId(size_t i) {
  static const char kDigits[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  char text[15] = {'0', '0', '1'};
  for (int k = 14; k >= 3; --k) {
    text[k] = kDigits[i % 62];
    i /= 62;
  }
  return *SfId::Parse(std::string_view(text, 15));
}

const Slot& RequireSlot(const engine::RecordLayout& layout, std::string_view field) {
  const Slot* s = layout.SlotForField(field);
  if (s == nullptr) throw std::logic_error("layout lacks Account." + std::string(field));
  return *s;
}

std::unique_ptr<AccountFixture> BuildAccounts(size_t count) {
  auto fx = std::make_unique<AccountFixture>();
  fx->schema = MakeAccountSchema();
  fx->env = std::make_unique<engine::Environment>(fx->schema);
  if (fx->env->AddRoot("Account", "Account") != 0) throw std::logic_error("AddRoot failed");
  fx->layout = fx->env->layout(fx->schema->IndexOf("Account"));
  const engine::RecordLayout& layout = *fx->layout;
  const Slot id = RequireSlot(layout, "Id");
  const Slot name = RequireSlot(layout, "Name");
  const Slot revenue = RequireSlot(layout, "AnnualRevenue");
  const Slot type = RequireSlot(layout, "Type");
  const Slot industry = RequireSlot(layout, "Industry");
  const Slot employees = RequireSlot(layout, "NumberOfEmployees");
  const Slot country = RequireSlot(layout, "BillingCountry");

  Rng rng(20261130);
  RecordBuilder b(fx->layout);
  fx->owned.reserve(count);
  fx->records.reserve(count);
  char text[32];
  for (size_t i = 0; i < count; ++i) {
    b.SetId(id, AccountId(i));
    std::snprintf(text, sizeof text, "Account %07zu", i);
    b.SetString(name, text);
    if (rng.Uniform() >= 0.10) {
      // log10 uniform in [log10 5e3, log10 5e7]; whole cents.
      double dollars = std::pow(10.0, 3.69897 + 4.0 * rng.Uniform());
      auto cents = static_cast<int64_t>(dollars * 100.0);
      b.SetNumber(revenue, Decimal::FromRaw(static_cast<__int128>(cents) * 10000000));
    }
    if (double u = rng.Uniform(); u >= 0.05) {
      if (u < 0.45) {
        b.SetPicklist(type, "Customer");
      } else {
        // The nine values other than "Customer" (index 2).
        size_t k = rng.Below(CountOf(kTypeValues) - 1);
        b.SetPicklist(type, kTypeValues[k >= 2 ? k + 1 : k]);
      }
    }
    if (double u = rng.Uniform(); u >= 0.05) {
      if (u < 0.20) {
        b.SetPicklist(industry, "Banking");
      } else if (u < 0.30) {
        b.SetPicklist(industry, "Insurance");
      } else {
        const char* v;
        do {
          v = kIndustryValues[rng.Below(CountOf(kIndustryValues))];
        } while (std::string_view(v) == "Banking" || std::string_view(v) == "Insurance");
        b.SetPicklist(industry, v);
      }
    }
    if (rng.Uniform() >= 0.02) {
      auto n = static_cast<int64_t>(std::pow(10.0, 5.0 * rng.Uniform()));
      b.SetNumber(employees, Decimal::FromInt(n));
    }
    if (double u = rng.Uniform(); u >= 0.03) {
      b.SetString(country, u < 0.38 ? "US" : kOtherCountries[rng.Below(CountOf(kOtherCountries))]);
    }
    fx->owned.push_back(b.Finish());
    fx->records.push_back(fx->owned.back().get());
  }
  return fx;
}

std::string WithThousands(int64_t v) {
  std::string digits = std::to_string(v);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i != 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

}  // namespace

std::shared_ptr<const Schema> MakeAccountSchema() {
  Object account;
  account.name = "Account";
  account.label = "Account";
  account.label_plural = "Accounts";
  account.key_prefix = "001";
  account.createable = account.updateable = true;

  Field id = MakeField("Id", "Account ID", FieldType::kId);
  id.nillable = false;
  id.id_lookup = true;
  account.fields.push_back(std::move(id));

  Field name = MakeField("Name", "Account Name", FieldType::kString);
  name.length = 255;
  name.nillable = false;
  name.name_field = true;
  account.fields.push_back(std::move(name));

  Field revenue = MakeField("AnnualRevenue", "Annual Revenue", FieldType::kCurrency);
  revenue.precision = 18;
  revenue.scale = 0;
  account.fields.push_back(std::move(revenue));

  account.fields.push_back(MakePicklist("Type", "Account Type", kTypeValues, CountOf(kTypeValues)));
  account.fields.push_back(
      MakePicklist("Industry", "Industry", kIndustryValues, CountOf(kIndustryValues)));

  Field employees = MakeField("NumberOfEmployees", "Employees", FieldType::kInt);
  employees.digits = 8;
  account.fields.push_back(std::move(employees));

  Field country = MakeField("BillingCountry", "Billing Country", FieldType::kString);
  country.length = 80;
  account.fields.push_back(std::move(country));

  auto schema = std::make_shared<Schema>();
  schema->Add(std::move(account));
  return schema;
}

const AccountFixture& Accounts(size_t count) {
  static std::map<size_t, std::unique_ptr<AccountFixture>> fixtures;
  std::unique_ptr<AccountFixture>& fx = fixtures[count];
  if (fx == nullptr) fx = BuildAccounts(count);
  return *fx;
}

std::unique_ptr<AccountFixture> BuildAccountFixture(size_t count) { return BuildAccounts(count); }

TimingReporter::TimingReporter()
    : benchmark::ConsoleReporter(isatty(STDOUT_FILENO) != 0 ? OO_ColorTabular : OO_Tabular) {}

void TimingReporter::ReportRuns(const std::vector<Run>& runs) {
  for (const Run& r : runs) {
    if (r.error_occurred || r.run_type != Run::RT_Iteration || r.iterations == 0) continue;
    seconds_[r.run_name.function_name] =
        r.real_accumulated_time / static_cast<double>(r.iterations);
  }
  ConsoleReporter::ReportRuns(runs);
}

double TimingReporter::SecondsPerIteration(const std::string& function_name) const {
  auto it = seconds_.find(function_name);
  return it == seconds_.end() ? 0 : it->second;
}

int BenchMain(int argc, char** argv, const std::function<void(const TimingReporter&)>& summary) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  TimingReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  summary(reporter);
  return 0;
}

BaselineC1 BaselineC1::For(const engine::RecordLayout& layout) {
  BaselineC1 b;
  b.revenue = RequireSlot(layout, "AnnualRevenue");
  return b;
}

BaselineC5 BaselineC5::For(const engine::RecordLayout& layout) {
  BaselineC5 b;
  b.revenue = RequireSlot(layout, "AnnualRevenue");
  b.type = RequireSlot(layout, "Type");
  b.industry = RequireSlot(layout, "Industry");
  b.employees = RequireSlot(layout, "NumberOfEmployees");
  b.country = RequireSlot(layout, "BillingCountry");
  b.customer = static_cast<uint32_t>(layout.object().FindField("Type")->FindPicklistValue("Customer"));
  const engine::Field& industry = *layout.object().FindField("Industry");
  b.banking = static_cast<uint32_t>(industry.FindPicklistValue("Banking"));
  b.insurance = static_cast<uint32_t>(industry.FindPicklistValue("Insurance"));
  return b;
}

ColumnBaselineC1 ColumnBaselineC1::For(const engine::RecordLayout& layout) {
  ColumnBaselineC1 b;
  b.revenue_field = RequireSlot(layout, "AnnualRevenue").field_index;
  return b;
}

ColumnBaselineC5 ColumnBaselineC5::For(const engine::RecordLayout& layout) {
  const BaselineC5 rows = BaselineC5::For(layout);
  ColumnBaselineC5 b;
  b.revenue_field = rows.revenue.field_index;
  b.type_field = rows.type.field_index;
  b.industry_field = rows.industry.field_index;
  b.employees_field = rows.employees.field_index;
  b.country_field = rows.country.field_index;
  b.customer = rows.customer;
  b.banking = rows.banking;
  b.insurance = rows.insurance;
  return b;
}

std::vector<std::string> DistinctConditions(size_t count) {
  // Each text embeds its own index i in a numeric constant, so no two are equal; the shapes
  // rotate so the parser and checker see the mix a rule set has.
  std::vector<std::string> out;
  out.reserve(count);
  const size_t n_types = CountOf(kTypeValues);
  const size_t n_industries = CountOf(kIndustryValues);
  const size_t n_countries = CountOf(kOtherCountries);
  for (size_t i = 0; i < count; ++i) {
    const auto n = static_cast<int64_t>(i);
    const std::string type = kTypeValues[i % n_types];
    const std::string ind1 = kIndustryValues[i % n_industries];
    const std::string ind2 = kIndustryValues[(i / n_industries + i + 1) % n_industries];
    const std::string ctry = kOtherCountries[i % n_countries];
    std::string c;
    switch (i % 6) {
      case 0:
        c = "Account.AnnualRevenue > " + std::to_string(1000 + n * 7);
        break;
      case 1:
        c = "Account.NumberOfEmployees >= " + std::to_string(n) + " AND Account.Type = \"" + type +
            "\"";
        break;
      case 2:
        c = "Account.Industry IN (\"" + ind1 + "\", \"" + ind2 +
            "\") AND Account.AnnualRevenue < $" + WithThousands(250000 + n * 1000);
        break;
      case 3:
        c = "Account.BillingCountry != \"" + ctry + "\" OR Account.NumberOfEmployees < " +
            std::to_string(n + 10);
        break;
      case 4:
        c = "Account.AnnualRevenue > " + std::to_string(n * 100) + " AND Account.Type = \"" + type +
            "\" AND (Account.Industry = \"" + ind1 + "\" OR Account.Industry = \"" + ind2 +
            "\") AND Account.NumberOfEmployees >= " + std::to_string(n % 1000) +
            " AND Account.BillingCountry != \"" + ctry + "\"";
        break;
      default:
        c = "NOT (Account.Type != \"" + type + "\") AND (Account.AnnualRevenue >= $" +
            WithThousands(n) + ".50 OR Account.Industry = \"" + ind1 + "\")";
        break;
    }
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace cf::bench
