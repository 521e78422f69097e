#include "tools/sfemu/control.h"

#include <algorithm>
#include <limits>

#include "connectors/salesforce/record_json.h"
#include "tools/sfemu/http_server.h"

namespace cf::sfemu {

namespace {

struct KindName {
  FaultKind kind;
  const char* name;
};
constexpr KindName kKindNames[] = {
    {FaultKind::kHttp500, "http500"},
    {FaultKind::kHttp503, "http503"},
    {FaultKind::kHttp420, "http420"},
    {FaultKind::kReset, "reset"},
    {FaultKind::kSlow, "slow"},
    {FaultKind::kQueryTimeout, "query_timeout"},
    {FaultKind::kExpireToken, "expire_token"},
    {FaultKind::kRevokeRefresh, "revoke_refresh"},
    {FaultKind::kLimitReached, "limit_reached"},
};

HttpResponse ControlJson(int status, const nlohmann::json& body) {
  return HttpResponse::Json(status, body.dump());
}

HttpResponse ControlError(int status, const std::string& message) {
  return ControlJson(status, {{"error", message}});
}

bool EndpointMatches(std::string_view rule, std::string_view endpoint) {
  if (rule.empty() || rule == "*") return true;
  if (rule == endpoint) return true;
  // "sobjects" matches "sobjects.create"; "composite" does not match "composite.sobjects.create".
  return endpoint.size() > rule.size() && endpoint.substr(0, rule.size()) == rule &&
         endpoint[rule.size()] == '.' && rule != "composite";
}

// A uniform draw in [0, 1) with the same result on every platform (unlike
// std::uniform_real_distribution).
double Draw(std::mt19937_64& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

// Reads an optional integer member; false (with a message) when present but not an integer.
bool ReadInt(const nlohmann::json& j, const char* key, int64_t* out, std::string* error) {
  if (!j.contains(key) || j[key].is_null()) return true;
  if (!j[key].is_number_integer()) {
    *error = std::string("'") + key + "' must be an integer";
    return false;
  }
  *out = j[key].get<int64_t>();
  return true;
}

bool ReadString(const nlohmann::json& j, const char* key, std::string* out, std::string* error) {
  if (!j.contains(key) || j[key].is_null()) return true;
  if (!j[key].is_string()) {
    *error = std::string("'") + key + "' must be a string";
    return false;
  }
  *out = j[key].get<std::string>();
  return true;
}

std::optional<FaultRule> RuleFromJson(const nlohmann::json& j, std::string* error) {
  if (!j.is_object()) {
    *error = "a fault rule must be a JSON object";
    return std::nullopt;
  }
  FaultRule rule;
  std::string kind;
  if (!ReadString(j, "kind", &kind, error)) return std::nullopt;
  std::optional<FaultKind> parsed = ParseFaultKind(kind);
  if (!parsed) {
    *error = "'kind' must be one of http500, http503, http420, reset, slow, query_timeout, "
             "expire_token, revoke_refresh, limit_reached";
    return std::nullopt;
  }
  rule.kind = *parsed;
  int64_t delay_ms = 0;
  int64_t seed = 1;
  if (!ReadString(j, "endpoint", &rule.endpoint, error) ||
      !ReadString(j, "path_prefix", &rule.path_prefix, error) ||
      !ReadString(j, "method", &rule.method, error) || !ReadInt(j, "skip", &rule.skip, error) ||
      !ReadInt(j, "times", &rule.times, error) || !ReadInt(j, "seed", &seed, error) ||
      !ReadInt(j, "delay_ms", &delay_ms, error)) {
    return std::nullopt;
  }
  std::transform(rule.method.begin(), rule.method.end(), rule.method.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  if (j.contains("rate") && !j["rate"].is_null()) {
    if (!j["rate"].is_number()) {
      *error = "'rate' must be a number";
      return std::nullopt;
    }
    rule.rate = j["rate"].get<double>();
  }
  if (rule.times == 0 || rule.times < -1) {
    *error = "'times' must be positive, or -1 for every matching call";
    return std::nullopt;
  }
  if (rule.skip < 0) {
    *error = "'skip' must not be negative";
    return std::nullopt;
  }
  if (!(rule.rate > 0.0 && rule.rate <= 1.0)) {
    *error = "'rate' must be in (0, 1]";
    return std::nullopt;
  }
  if (delay_ms < 0) {
    *error = "'delay_ms' must not be negative";
    return std::nullopt;
  }
  if (rule.kind == FaultKind::kSlow && delay_ms == 0) delay_ms = 5000;
  rule.delay = std::chrono::milliseconds(delay_ms);
  rule.seed = static_cast<uint64_t>(seed);
  return rule;
}

}  // namespace

const char* FaultKindName(FaultKind kind) {
  for (const KindName& k : kKindNames) {
    if (k.kind == kind) return k.name;
  }
  return "unknown";
}

std::optional<FaultKind> ParseFaultKind(std::string_view name) {
  for (const KindName& k : kKindNames) {
    if (name == k.name) return k.kind;
  }
  return std::nullopt;
}

nlohmann::json FaultRule::ToJson() const {
  return {{"id", id},
          {"endpoint", endpoint},
          {"path_prefix", path_prefix},
          {"method", method},
          {"kind", FaultKindName(kind)},
          {"skip", skip},
          {"times", times},
          {"rate", rate},
          {"seed", seed},
          {"delay_ms", delay.count()},
          {"matched", matched},
          {"fired", fired}};
}

nlohmann::json LogEntry::ToJson() const {
  return {{"seq", seq},
          {"method", method},
          {"target", target},
          {"endpoint", endpoint},
          {"status", status},
          {"counted", counted},
          {"time", sf::FormatSalesforceDateTime(time_ms)},
          {"time_ms", time_ms},
          {"duration_ms", duration_ms},
          {"fault", fault.empty() ? nlohmann::json() : nlohmann::json(fault)},
          {"remote", remote}};
}

Control::Control(Org& org, std::string token) : org_(org), token_(std::move(token)) {}

std::optional<Fault> Control::TakeFault(std::string_view endpoint, std::string_view method,
                                        std::string_view path) {
  std::lock_guard<std::mutex> lock(mu_);
  for (RuleState& state : rules_) {
    FaultRule& rule = state.rule;
    if (rule.times != -1 && rule.fired >= rule.times) continue;
    if (!EndpointMatches(rule.endpoint, endpoint)) continue;
    if (!rule.path_prefix.empty() && path.substr(0, rule.path_prefix.size()) != rule.path_prefix) continue;
    if (!rule.method.empty() && rule.method != method) continue;
    ++rule.matched;
    if (rule.matched <= rule.skip) continue;
    if (rule.rate < 1.0 && Draw(state.rng) >= rule.rate) continue;
    ++rule.fired;
    return Fault{rule.kind, rule.delay, rule.id};
  }
  return std::nullopt;
}

void Control::Record(LogEntry entry) {
  std::lock_guard<std::mutex> lock(mu_);
  entry.seq = next_seq_++;
  ++total_requests_;
  ++requests_[entry.endpoint];
  ++statuses_[entry.status];
  if (entry.counted) {
    ++total_api_calls_;
    ++api_calls_[entry.endpoint];
  }
  log_.push_back(std::move(entry));
  while (log_.size() > kMaxLogEntries) log_.pop_front();
}

int64_t Control::AddFault(FaultRule rule) {
  std::lock_guard<std::mutex> lock(mu_);
  rule.id = next_rule_id_++;
  rule.matched = 0;
  rule.fired = 0;
  RuleState state{rule, std::mt19937_64(rule.seed)};
  rules_.push_back(std::move(state));
  return rule.id;
}

bool Control::RemoveFault(int64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = std::find_if(rules_.begin(), rules_.end(), [&](const RuleState& s) { return s.rule.id == id; });
  if (it == rules_.end()) return false;
  rules_.erase(it);
  return true;
}

void Control::ClearFaults() {
  std::lock_guard<std::mutex> lock(mu_);
  rules_.clear();
}

std::vector<FaultRule> Control::Faults() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<FaultRule> out;
  for (const RuleState& s : rules_) out.push_back(s.rule);
  return out;
}

std::vector<LogEntry> Control::Log() const {
  std::lock_guard<std::mutex> lock(mu_);
  return std::vector<LogEntry>(log_.begin(), log_.end());
}

int64_t Control::ApiCalls(std::string_view endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = api_calls_.find(endpoint);
  return it == api_calls_.end() ? 0 : it->second;
}

int64_t Control::TotalApiCalls() const {
  std::lock_guard<std::mutex> lock(mu_);
  return total_api_calls_;
}

int64_t Control::Requests(std::string_view endpoint) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = requests_.find(endpoint);
  return it == requests_.end() ? 0 : it->second;
}

void Control::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  log_.clear();
  api_calls_.clear();
  requests_.clear();
  statuses_.clear();
  total_api_calls_ = 0;
  total_requests_ = 0;
}

nlohmann::json Control::CountersJson() const {
  nlohmann::json usage = {{"used", org_.api_used()}, {"max", org_.api_max()}};
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json statuses = nlohmann::json::object();
  for (const auto& [status, n] : statuses_) statuses[std::to_string(status)] = n;
  return {{"total_requests", total_requests_},
          {"total_api_calls", total_api_calls_},
          {"api_calls", api_calls_},
          {"requests", requests_},
          {"statuses", statuses},
          {"api_usage", usage}};
}

HttpResponse Control::Handle(const HttpRequest& req) {
  if (!token_.empty() && req.Header(kTokenHeader) != token_) {
    return ControlError(403, "the control API needs the header X-Sfemu-Control-Token");
  }
  std::string sub = req.path.substr(std::min(req.path.size(), kPrefix.size()));
  while (!sub.empty() && sub.back() == '/') sub.pop_back();
  try {
    return HandleRequest(req, sub);
  } catch (const std::exception& e) {
    return ControlError(400, e.what());
  }
}

// Takes mu_ only through the public methods above, so that no Org call happens under mu_.
HttpResponse Control::HandleRequest(const HttpRequest& req, const std::string& sub) {
  const std::string& m = req.method;
  nlohmann::json body;
  if (!req.body.empty()) {
    body = nlohmann::json::parse(req.body, nullptr, false);
    if (body.is_discarded()) return ControlError(400, "the body is not JSON");
  }
  auto method_not_allowed = [&] { return ControlError(405, m + " is not allowed on " + req.path); };

  if (sub == "health") return ControlJson(200, {{"status", "ok"}});

  if (sub == "log") {
    if (m != "GET") return method_not_allowed();
    uint64_t since = 0;
    if (auto it = req.query.find("since"); it != req.query.end()) since = std::stoull(it->second);
    nlohmann::json entries = nlohmann::json::array();
    for (const LogEntry& e : Log()) {
      if (e.seq > since) entries.push_back(e.ToJson());
    }
    return ControlJson(200, {{"entries", entries}});
  }
  if (sub == "counters") {
    if (m != "GET") return method_not_allowed();
    return ControlJson(200, CountersJson());
  }
  if (sub == "reset") {
    if (m != "POST") return method_not_allowed();
    Reset();
    return ControlJson(200, CountersJson());
  }
  if (sub == "clock" || sub == "clock/advance") {
    if (sub == "clock/advance") {
      if (m != "POST") return method_not_allowed();
      int64_t ms = 0;
      int64_t seconds = 0;
      std::string error;
      if (!body.is_object() || !ReadInt(body, "ms", &ms, &error) || !ReadInt(body, "seconds", &seconds, &error)) {
        return ControlError(400, error.empty() ? "expected {\"seconds\": N} or {\"ms\": N}" : error);
      }
      org_.AdvanceClock(ms + seconds * 1000);
    } else if (m != "GET") {
      return method_not_allowed();
    }
    engine::Millis now = org_.Now();
    return ControlJson(200, {{"now", sf::FormatSalesforceDateTime(now)}, {"now_ms", now}});
  }
  if (sub == "tokens/expire") {
    if (m != "POST") return method_not_allowed();
    org_.ExpireAllAccessTokens();
    return ControlJson(200, {{"expired", true}});
  }
  if (sub == "tokens/revoke-refresh") {
    if (m != "POST") return method_not_allowed();
    org_.RevokeAllRefreshTokens();
    return ControlJson(200, {{"revoked", true}});
  }
  if (sub == "limits") {
    if (m == "POST") {
      if (!body.is_object()) return ControlError(400, "expected a JSON object");
      int64_t used = org_.api_used();
      int64_t max = org_.api_max();
      int64_t ttl = -1;
      std::string error;
      if (!ReadInt(body, "used", &used, &error) || !ReadInt(body, "max", &max, &error) ||
          !ReadInt(body, "access_token_ttl_seconds", &ttl, &error)) {
        return ControlError(400, error);
      }
      if (used < 0 || max < 0) return ControlError(400, "'used' and 'max' must not be negative");
      org_.SetApiUsage(used, max);
      Org::OrgLock lock = org_.Lock();
      if (ttl >= 0) org_.limits().access_token_ttl_seconds = ttl;
      if (body.contains("rotate_refresh_tokens")) {
        if (!body["rotate_refresh_tokens"].is_boolean()) {
          return ControlError(400, "'rotate_refresh_tokens' must be true or false");
        }
        org_.limits().rotate_refresh_tokens = body["rotate_refresh_tokens"].get<bool>();
      }
    } else if (m != "GET") {
      return method_not_allowed();
    }
    Org::OrgLock lock = org_.Lock();
    const OrgLimits& limits = org_.limits();
    return ControlJson(200, {{"used", limits.daily_api_used},
                             {"max", limits.daily_api_max},
                             {"access_token_ttl_seconds", limits.access_token_ttl_seconds},
                             {"rotate_refresh_tokens", limits.rotate_refresh_tokens}});
  }
  if (sub == "faults") {
    if (m == "GET") {
      nlohmann::json list = nlohmann::json::array();
      for (const FaultRule& rule : Faults()) list.push_back(rule.ToJson());
      return ControlJson(200, {{"faults", list}});
    }
    if (m == "DELETE") {
      ClearFaults();
      return ControlJson(200, {{"faults", nlohmann::json::array()}});
    }
    if (m == "POST") {
      // One rule, or {"faults": [rule, ...]}.
      std::vector<nlohmann::json> inputs;
      if (body.is_object() && body.contains("faults") && body["faults"].is_array()) {
        for (const auto& r : body["faults"]) inputs.push_back(r);
      } else {
        inputs.push_back(body);
      }
      std::vector<FaultRule> rules;
      for (const auto& input : inputs) {
        std::string error;
        std::optional<FaultRule> rule = RuleFromJson(input, &error);
        if (!rule) return ControlError(400, error);
        rules.push_back(*rule);
      }
      nlohmann::json added = nlohmann::json::array();
      for (FaultRule& rule : rules) {
        rule.id = AddFault(rule);
        added.push_back(rule.ToJson());
      }
      if (added.size() == 1) return ControlJson(201, added[0]);
      return ControlJson(201, {{"faults", added}});
    }
    return method_not_allowed();
  }
  if (sub.rfind("faults/", 0) == 0) {
    if (m != "DELETE") return method_not_allowed();
    int64_t id = std::stoll(sub.substr(7));
    if (!RemoveFault(id)) return ControlError(404, "no fault rule " + std::to_string(id));
    return HttpResponse{204, {}, {}, false, std::chrono::milliseconds(0)};
  }
  return ControlError(404, "unknown control path " + req.path + " (see docs/emulator.md)");
}

}  // namespace cf::sfemu
