#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the suite in the dev build, the suite
# again under AddressSanitizer + UBSan, and the two parser fuzzers for a bounded time.
# Usage: tools/test.sh            (CF_FUZZ_SECONDS=60 by default, split between the condition
#                                  and rule-file parsers; 0 skips the fuzzers)
set -euo pipefail
cd "$(dirname "$0")/.."

tools/install-deps.sh

fuzz_seconds=${CF_FUZZ_SECONDS:-60}
jobs=$(nproc)

echo "== dev build and tests"
cmake --preset dev >/dev/null
cmake --build --preset dev -j "$jobs"
ctest --preset dev -j "$jobs"

echo "== AddressSanitizer + UBSan build and tests"
cmake --preset asan-ubsan >/dev/null
cmake --build --preset asan-ubsan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --preset asan-ubsan -j "$jobs"

if [ "$fuzz_seconds" -gt 0 ]; then
  echo "== parser fuzzing for ${fuzz_seconds}s"
  cmake --preset fuzz >/dev/null
  cmake --build --preset fuzz -j "$jobs" --target condition_parser_fuzz rule_parser_fuzz
  mkdir -p build/fuzz/corpus build/fuzz/rule_corpus
  half=$(( (fuzz_seconds + 1) / 2 ))
  build/fuzz/tests/fuzz/condition_parser_fuzz -max_total_time="$half" -timeout=10 \
    -rss_limit_mb=2048 build/fuzz/corpus tests/fuzz/corpus
  build/fuzz/tests/fuzz/rule_parser_fuzz -max_total_time="$half" -timeout=10 \
    -rss_limit_mb=2048 build/fuzz/rule_corpus tests/fuzz/rule_corpus
fi
echo "== all tests passed"
