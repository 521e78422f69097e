// Placeholder until the benchmark lands (session 2 work in progress).
#include <benchmark/benchmark.h>
BENCHMARK_MAIN();
