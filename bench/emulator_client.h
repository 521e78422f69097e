// The Salesforce emulator on loopback and a client logged in to it, for the benchmarks that
// write to or read from Salesforce (outbox_bench, write_bench; sync_bench logs in with it).
//
// Made once per process on first use and kept until exit; not thread-safe to create (call it
// from the benchmark functions, which Google Benchmark runs one at a time).
#ifndef CF_BENCH_EMULATOR_CLIENT_H_
#define CF_BENCH_EMULATOR_CLIENT_H_

#include <memory>
#include <string>

#include "connectors/salesforce/http_transport.h"
#include "connectors/salesforce/sf_client.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/org.h"
#include "tools/sfemu/router.h"

namespace cf::bench {

// The emulator (plain HTTP, 4 threads, the example org, the daily API limit out of the way)
// and a client logged in as the org's integration user (password flow), without a budget.
struct Setup {
  std::unique_ptr<sfemu::Org> org;
  std::unique_ptr<sfemu::Router> router;
  std::unique_ptr<sfemu::HttpServer> server;
  std::unique_ptr<sf::SalesforceClient> client;  // null if setup failed
  std::string error;                             // why setup failed
};

// The process's emulator and client, made on the first call.
Setup& Emulator();

// A client of the emulator at `server_url` serving `org`, logged in as the org's integration
// user (password flow) over `http`, without a budget; nullptr and *error on failure.
std::unique_ptr<sf::SalesforceClient> LogInAsIntegrationUser(
    const sfemu::Org& org, const std::string& server_url, std::shared_ptr<sf::HttpTransport> http,
    std::string* error);

}  // namespace cf::bench

#endif  // CF_BENCH_EMULATOR_CLIENT_H_
