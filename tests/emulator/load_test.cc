// Load on loopback, bounded in count and time: many concurrent clients, every request must
// succeed; the sustained request rate is printed and recorded as a test property
// (requests_per_second) in the gtest XML output.
#include <algorithm>
#include <atomic>
#include <mutex>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "tests/emulator/emulator_fixture.h"

namespace cf::sfemu::testing {
namespace {

struct LoadResult {
  int64_t ok = 0;
  int64_t failed = 0;
  double seconds = 0;
  double p99_ms = 0;
  std::string first_failure;
};

// `clients` threads each send `requests` requests (keep-alive, or a new connection per request
// when `reconnect`), alternating an authenticated REST call and the versions list.
LoadResult RunLoad(Emulator& emu, int clients, int requests, bool reconnect) {
  std::string token = emu.AccessToken();
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  std::mutex mu;
  std::string first_failure;
  std::vector<double> latencies;
  std::vector<std::thread> threads;
  auto start = std::chrono::steady_clock::now();
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&, c] {
      std::vector<double> mine;
      mine.reserve(static_cast<size_t>(requests));
      HttpClient client = emu.NewClient(std::chrono::seconds(30));
      HeaderList auth = {{"Authorization", "Bearer " + token}};
      for (int i = 0; i < requests; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        ClientResponse r = (i + c) % 2 == 0 ? client.Get(Emulator::ApiPath(""), auth) : client.Get("/services/data");
        mine.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
        if (r.status == 200) {
          ++ok;
        } else {
          ++failed;
          std::lock_guard<std::mutex> lock(mu);
          if (first_failure.empty()) first_failure = std::to_string(r.status) + " " + r.error + " " + r.body;
        }
        if (reconnect) client.Close();
      }
      std::lock_guard<std::mutex> lock(mu);
      latencies.insert(latencies.end(), mine.begin(), mine.end());
    });
  }
  for (std::thread& t : threads) t.join();
  LoadResult result;
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.ok = ok.load();
  result.failed = failed.load();
  result.first_failure = first_failure;
  if (!latencies.empty()) {
    std::sort(latencies.begin(), latencies.end());
    result.p99_ms = latencies[latencies.size() * 99 / 100];
  }
  return result;
}

void Report(const char* name, int clients, int requests, const LoadResult& r) {
  double rate = static_cast<double>(r.ok + r.failed) / r.seconds;
  std::printf("[ load     ] %s: %d clients x %d requests: %lld ok, %lld failed in %.2f s = %.0f requests/s, p99 %.2f ms\n",
              name, clients, requests, static_cast<long long>(r.ok), static_cast<long long>(r.failed), r.seconds,
              rate, r.p99_ms);
  std::fflush(stdout);
  ::testing::Test::RecordProperty("requests", std::to_string(r.ok + r.failed));
  ::testing::Test::RecordProperty("requests_per_second", std::to_string(static_cast<int64_t>(rate)));
  ::testing::Test::RecordProperty("p99_ms", std::to_string(r.p99_ms));
}

TEST(LoadTest, SixteenKeepAliveClientsTwoHundredRequestsEach) {
  EmulatorOptions options;
  options.threads = 4;
  Emulator emu(options);
  ASSERT_TRUE(emu.ok());
  constexpr int kClients = 16;
  constexpr int kRequests = 200;
  LoadResult r = RunLoad(emu, kClients, kRequests, /*reconnect=*/false);
  Report("plain keep-alive", kClients, kRequests, r);
  EXPECT_EQ(r.failed, 0) << r.first_failure;
  EXPECT_EQ(r.ok, kClients * kRequests);
  EXPECT_LT(r.seconds, 60.0);
  // Half the requests were counted REST calls.
  EXPECT_EQ(emu.control().ApiCalls("resources"), kClients * kRequests / 2);
}

TEST(LoadTest, NewConnectionPerRequest) {
  Emulator emu;
  ASSERT_TRUE(emu.ok());
  constexpr int kClients = 8;
  constexpr int kRequests = 100;
  LoadResult r = RunLoad(emu, kClients, kRequests, /*reconnect=*/true);
  Report("plain, connection per request", kClients, kRequests, r);
  EXPECT_EQ(r.failed, 0) << r.first_failure;
  EXPECT_LT(r.seconds, 60.0);
}

TEST(LoadTest, TlsKeepAliveClients) {
  EmulatorOptions options;
  options.tls = true;
  Emulator emu(options);
  ASSERT_TRUE(emu.ok());
  constexpr int kClients = 8;
  constexpr int kRequests = 100;
  LoadResult r = RunLoad(emu, kClients, kRequests, /*reconnect=*/false);
  Report("TLS keep-alive", kClients, kRequests, r);
  EXPECT_EQ(r.failed, 0) << r.first_failure;
  EXPECT_LT(r.seconds, 60.0);
}

}  // namespace
}  // namespace cf::sfemu::testing
