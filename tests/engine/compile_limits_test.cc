// Deep and large conditions compile (or are refused with a diagnostic) without exhausting the
// stack: the parser's limits bound the tree, and the compiler must cope with what they allow.
#include "tests/engine/condition_test_support.h"

namespace cf::engine::testing {
namespace {

class CompileLimitsTest : public ConditionFixture {
 protected:
  void SetUp() override {
    Bind("Account", Add("Account", {{"Id", "001000000000001AAA"}, {"AnnualRevenue", "5"}}));
  }
  static std::string Repeat(const std::string& s, int n) {
    std::string out;
    for (int i = 0; i < n; ++i) out += s;
    return out;
  }
};

TEST_F(CompileLimitsTest, ThousandNestedParentheses) {
  std::string text = Repeat("(", 1000) + "Account.AnnualRevenue > 1" + Repeat(")", 1000);
  EXPECT_EQ(Eval(text), Tri::kTrue);
}

TEST_F(CompileLimitsTest, ThousandNestedNots) {
  std::string text = Repeat("NOT ", 1000) + "Account.AnnualRevenue > 1";
  EXPECT_EQ(Eval(text), Tri::kTrue);  // an even number of NOTs
}

TEST_F(CompileLimitsTest, ThousandNestedCalls) {
  std::string text = Repeat("ABS(", 1000) + "Account.AnnualRevenue" + Repeat(")", 1000) + " = 5";
  EXPECT_EQ(Eval(text), Tri::kTrue);
}

TEST_F(CompileLimitsTest, LongChainsOfAndOrAndConcat) {
  std::string ors = "Account.AnnualRevenue = 0";
  for (int i = 1; i < 1500; ++i) ors += " OR Account.AnnualRevenue = " + std::to_string(i);
  EXPECT_EQ(Eval(ors), Tri::kTrue);
  std::string concat = "'a'";
  for (int i = 0; i < 1500; ++i) concat += " & 'b'";
  EXPECT_EQ(Eval("LEN(" + concat + ") = 1501"), Tri::kTrue);
}

TEST_F(CompileLimitsTest, TooDeepIsADiagnosticNotACrash) {
  std::string text = Repeat("(", 1001) + "Account.AnnualRevenue > 1" + Repeat(")", 1001);
  EXPECT_NE(Errors(text).find("nest"), std::string::npos);
}

}  // namespace
}  // namespace cf::engine::testing
