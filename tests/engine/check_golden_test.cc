// Golden tests of the type checker's diagnostics: each tests/golden/check/<name>.cond must
// fail to compile against the test org with exactly the text in <name>.err (file:line:column,
// the source line, a caret, and the hint). CF_UPDATE_GOLDEN=1 rewrites the .err files.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/engine/condition_test_support.h"

namespace cf::engine::testing {
namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(CheckGoldenTest, DiagnosticsMatchGoldenFiles) {
  const fs::path dir = fs::path(CF_SOURCE_DIR) / "tests/golden/check";
  const bool update = std::getenv("CF_UPDATE_GOLDEN") != nullptr;
  auto schema = MakeTestSchema();
  Environment env(schema);
  env.AddAllObjectsAsRoots();
  int cases = 0;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.path().extension() != ".cond") continue;
    ++cases;
    std::string text = ReadAll(entry.path());
    while (!text.empty() && text.back() == '\n') text.pop_back();
    CompileResult r = CompileCondition(text, env);
    EXPECT_FALSE(r.ok()) << entry.path().filename() << " compiled but must not";
    std::string got = grammar::FormatDiagnostics({entry.path().filename().string(), text}, r.diagnostics);
    fs::path golden = entry.path();
    golden.replace_extension(".err");
    if (update) {
      std::ofstream(golden, std::ios::binary) << got;
      continue;
    }
    ASSERT_TRUE(fs::exists(golden)) << golden << " is missing (run with CF_UPDATE_GOLDEN=1)";
    EXPECT_EQ(got, ReadAll(golden)) << "for " << entry.path().filename();
  }
  EXPECT_GE(cases, 30);
}

}  // namespace
}  // namespace cf::engine::testing
