// The emulator's test-control API: the request log, per-endpoint counters and fault injection,
// served under /__control/ (never a Salesforce path; see docs/emulator.md for the wire API).
//
// The router records every request here and asks, for each call, whether a fault fires.
// Faults are rules: which calls (endpoint name, path prefix, method), what (FaultKind) and
// when (skip the first K matching calls, then fire on the next N, each with probability `rate`
// drawn from the rule's own seeded generator, so a run is reproducible).
//
// Thread safety: every method is thread-safe (one mutex; no Org lock is held while taking it).
#ifndef CF_TOOLS_SFEMU_CONTROL_H_
#define CF_TOOLS_SFEMU_CONTROL_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sfemu/http_types.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

enum class FaultKind {
  kHttp500,        // 500 [{"message":...,"errorCode":"UNKNOWN_EXCEPTION"}]
  kHttp503,        // 503 [{"message":...,"errorCode":"SERVER_UNAVAILABLE"}]
  kHttp420,        // 420, the rate-limit answer some Salesforce edges give
  kReset,          // the call is served, then the connection is reset mid-body (RST)
  kSlow,           // the call is served after `delay`
  kQueryTimeout,   // 400 [{"message":...,"errorCode":"QUERY_TIMEOUT"}]
  kExpireToken,    // every access token expires; the call gets 401 INVALID_SESSION_ID
  kRevokeRefresh,  // every refresh token is revoked; the call itself proceeds
  kLimitReached,   // API usage jumps to the limit; the call gets 403 REQUEST_LIMIT_EXCEEDED
};
const char* FaultKindName(FaultKind kind);  // "http500", "reset", "query_timeout", ...
std::optional<FaultKind> ParseFaultKind(std::string_view name);

struct FaultRule {
  int64_t id = 0;  // assigned by AddFault
  // Which calls. Every non-empty criterion must match.
  std::string endpoint;     // endpoint name ("query", "composite", "oauth.token", "*" = any)
  std::string path_prefix;  // request path prefix ("/services/data/v59.0/sobjects/Case")
  std::string method;       // "GET", "POST", ...
  FaultKind kind = FaultKind::kHttp500;
  // When. The first `skip` matching calls pass; then each later matching call fires with
  // probability `rate`, until the rule has fired `times` times (-1: forever).
  int64_t skip = 0;
  int64_t times = 1;
  double rate = 1.0;
  uint64_t seed = 1;
  std::chrono::milliseconds delay{0};  // kSlow: how long the answer waits
  // State.
  int64_t matched = 0;
  int64_t fired = 0;

  nlohmann::json ToJson() const;
};

// A fault that fires on one call.
struct Fault {
  FaultKind kind;
  std::chrono::milliseconds delay{0};
  int64_t rule_id = 0;
};

struct LogEntry {
  uint64_t seq = 0;          // 1, 2, ... since start (not reset by Reset)
  std::string method;
  std::string target;        // as received
  std::string endpoint;      // "query", "sobjects.create", "oauth.token", ... "unknown"
  int status = 0;
  bool counted = false;      // counted as one API call
  int64_t time_ms = 0;       // org clock (epoch ms) when the request arrived
  double duration_ms = 0;    // handling time, without transport delays
  std::string fault;         // the fault kind that fired, if any
  std::string remote;

  nlohmann::json ToJson() const;
};

class Control {
 public:
  static constexpr std::string_view kPrefix = "/__control/";
  // Bound on the log; older entries are dropped. Default: 100000.
  static constexpr size_t kMaxLogEntries = 100000;
  // The header that carries the control token, when one is configured.
  static constexpr std::string_view kTokenHeader = "x-sfemu-control-token";

  // `token`: when not empty, control requests must carry it in kTokenHeader.
  Control(Org& org, std::string token);

  // ---- Used by the router ----
  // The fault for this call, if a rule matches and fires (consumes the rule's budget).
  std::optional<Fault> TakeFault(std::string_view endpoint, std::string_view method,
                                 std::string_view path);
  // Appends to the log and bumps the counters.
  void Record(LogEntry entry);
  // Answers a request whose path starts with kPrefix.
  HttpResponse Handle(const HttpRequest& req);

  // ---- The same operations for in-process tests ----
  int64_t AddFault(FaultRule rule);  // returns the rule's id
  bool RemoveFault(int64_t id);
  void ClearFaults();
  std::vector<FaultRule> Faults() const;
  std::vector<LogEntry> Log() const;
  // Counted API calls per endpoint since the last Reset(); 0 if none.
  int64_t ApiCalls(std::string_view endpoint) const;
  int64_t TotalApiCalls() const;
  // Requests (counted or not) per endpoint since the last Reset().
  int64_t Requests(std::string_view endpoint) const;
  // Clears the log and the counters (not the org's API usage, not the faults).
  void Reset();
  nlohmann::json CountersJson() const;

 private:
  struct RuleState {
    FaultRule rule;
    std::mt19937_64 rng;
  };
  HttpResponse HandleRequest(const HttpRequest& req, const std::string& sub);

  Org& org_;
  const std::string token_;
  mutable std::mutex mu_;
  std::deque<LogEntry> log_;
  uint64_t next_seq_ = 1;
  std::map<std::string, int64_t, std::less<>> api_calls_;
  std::map<std::string, int64_t, std::less<>> requests_;
  std::map<int, int64_t> statuses_;
  int64_t total_api_calls_ = 0;
  int64_t total_requests_ = 0;
  std::vector<RuleState> rules_;
  int64_t next_rule_id_ = 1;
};

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_CONTROL_H_
