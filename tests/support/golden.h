// Helpers of the golden-file tests (tests/golden/<kind>/): list the cases, read a file, and
// compare with (or, with CF_UPDATE_GOLDEN=1, rewrite) the expected output.
// Header-only; the including test must define CF_SOURCE_DIR (cf_add_test_suite does).
#ifndef CF_TESTS_SUPPORT_GOLDEN_H_
#define CF_TESTS_SUPPORT_GOLDEN_H_

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace cf::golden {

namespace fs = std::filesystem;

inline fs::path GoldenDir(const char* kind) {
  return fs::path(CF_SOURCE_DIR) / "tests/golden" / kind;
}

// The stems of the files of `kind` ending in `extension` (".cond"), sorted.
inline std::vector<std::string> ListCases(const char* kind, const char* extension) {
  std::vector<std::string> names;
  std::error_code error;
  for (const auto& entry : fs::directory_iterator(GoldenDir(kind), error)) {
    if (entry.path().extension() == extension) names.push_back(entry.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

inline std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

inline bool Updating() {
  const char* value = std::getenv("CF_UPDATE_GOLDEN");
  return value != nullptr && std::string(value) == "1";
}

// Compares `actual` with the golden file, or rewrites it when updating.
inline void CheckGolden(const fs::path& expected_path, const std::string& actual) {
  if (Updating()) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path))
      << expected_path << " is missing; run with CF_UPDATE_GOLDEN=1 and review it";
  EXPECT_EQ(ReadFile(expected_path), actual) << "golden file: " << expected_path;
}

// A case name as a GoogleTest parameter name.
inline std::string TestName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

}  // namespace cf::golden

#endif  // CF_TESTS_SUPPORT_GOLDEN_H_
