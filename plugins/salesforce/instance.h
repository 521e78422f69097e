// INTERNAL to the plugin: one instance behind a cf_sf_instance handle: a connection, its state
// store, the schema and record cache, the rules, the sync thread. abi.cc wraps each member in
// a C shim; this class does the work with the engine's and the connector's C++ API.
//
// Thread safety: every public member may be called from many threads at once (convention 7
// of include/connectflo/salesforce_plugin.h), except Shutdown, which the registry calls once
// when the handle is destroyed. Members never throw on bad input; abi.cc still catches
// everything (std::bad_alloc, bugs).
#ifndef CF_PLUGINS_SALESFORCE_INSTANCE_H_
#define CF_PLUGINS_SALESFORCE_INSTANCE_H_

#include <atomic>
#include <condition_variable>
#include <deque>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/connection.h"
#include "connectors/salesforce/sync.h"
#include "connectors/salesforce/vault.h"
#include "engine/connector.h"
#include "engine/dispatcher.h"
#include "engine/evaluator.h"
#include "engine/outbox.h"
#include "engine/rule_set.h"
#include "engine/state_store.h"
#include "engine/sync_sink.h"
#include "engine/time_zone.h"
#include "include/connectflo/salesforce_plugin.h"
#include "plugins/salesforce/config.h"

namespace cf::plugin {

// What a call returns across the boundary: a status, the JSON answer (may be empty) and, when
// the status is not OK, one sentence for the host.
struct Outcome {
  cf_sf_status status = CF_SF_OK;
  std::string json;
  std::string error;

  static Outcome Ok(std::string json = {}) { return {CF_SF_OK, std::move(json), {}}; }
  static Outcome Fail(cf_sf_status status, std::string error, std::string json = {}) {
    return {status, std::move(json), std::move(error)};
  }
};

// The dispatcher's Connector for Salesforce actions: whichever connector is installed (the
// connection's SalesforceConnector, once connected). With none it holds the dispatcher for
// 30 s at a time, so actions wait, durably, in the outbox; connect ends the hold. Thread-safe.
class ConnectorSlot final : public engine::Connector {
 public:
  void Install(std::shared_ptr<engine::Connector> connector);
  std::vector<engine::ActionOutcome> Write(const std::vector<engine::OutboundAction>& batch) override;

 private:
  std::mutex mu_;
  std::shared_ptr<engine::Connector> connector_;
};

class Instance {
 public:
  // Opens the state directory and warms up from it. On failure returns null and sets *failure.
  static std::shared_ptr<Instance> Create(PluginConfig config, Outcome* failure);
  ~Instance();

  Instance(const Instance&) = delete;
  Instance& operator=(const Instance&) = delete;

  Outcome Connect(const nlohmann::json* options);
  Outcome TestConnection();
  Outcome Status();
  Outcome Discover(const nlohmann::json* options);
  Outcome GetSchema(const nlohmann::json* objects);
  Outcome SyncStart(bool full);
  Outcome SyncStop();
  Outcome SyncWait(uint32_t timeout_ms);
  Outcome SyncProgress();
  Outcome LoadRules(const nlohmann::json* source);
  Outcome SendEvent(std::string_view event_json, bool explain);
  Outcome Enrich(const nlohmann::json& query);
  // {"object", "condition", "limit"?}: engine::Preview over the cache with the rules' Environment.
  Outcome Preview(const nlohmann::json& query);
  // The outbox's dead letters ({"after"?, "max"?}), and replaying them ({"action_id"} | {"all"}).
  Outcome DeadLetters(const nlohmann::json* query);
  Outcome ReplayDeadLetters(const nlohmann::json& query);
  void SetCallbacks(const cf_sf_callbacks* callbacks);
  // Hands what waits in the polling queues to the callbacks just registered (not under a lock).
  void DrainToCallbacks();
  Outcome Poll(uint32_t max);

  // Stops the sync (at its next page) and releases everything; idempotent.
  void Shutdown();

  const std::string& state_dir() const { return config_.state_dir; }

 private:
  // The schema and everything built on it; replaced as a whole when the schema changes.
  struct Cache {
    std::shared_ptr<const engine::Schema> schema;
    std::shared_ptr<const engine::Environment> env;
    std::shared_ptr<engine::PersistentRecordSink> sink;
    std::shared_ptr<const engine::Binder> binder;
    std::string origin;      // "discovered", "state" (cached by an earlier discover), "file"
    std::string fetched_at;  // when discovered, if known
    int64_t records_loaded = 0;
  };
  struct SyncState {
    std::string state = "idle";  // idle, running, succeeded, failed, cancelled
    std::string object;
    int64_t records = 0;
    std::optional<int64_t> total;
    uint64_t api_calls = 0;
    std::string error;
    cf_sf_status failure = CF_SF_OK;
    nlohmann::json objects = nlohmann::json::array();
  };

  explicit Instance(PluginConfig config);

  void Log(cf_sf_log_level level, const std::string& message) const;
  std::shared_ptr<sf::Connection> connection() const;
  std::shared_ptr<const Cache> cache() const;
  // Builds a Cache around a schema (new sink on the store, loaded). Null and *error on failure.
  std::shared_ptr<const Cache> MakeCache(std::shared_ptr<const engine::Schema> schema,
                                         std::string origin, std::string fetched_at,
                                         std::string* error);
  // Compiles `sources` (or the folder) against `cache` and, when they compile, installs them.
  // REQUIRES: mu_ held (rules and cache change together).
  Outcome CompileAndInstallLocked(const std::shared_ptr<const Cache>& cache);
  nlohmann::json ApiJson(const sf::Connection* connection) const;
  nlohmann::json SyncJsonLocked() const;
  void RunSync(std::shared_ptr<sf::Connection> connection, std::shared_ptr<const Cache> cache,
               std::vector<sf::SyncPlan> plans, bool full);
  // Installs the connection's SalesforceConnector for the dispatcher and ends a hold.
  void InstallConnector(std::shared_ptr<sf::Connection> connection);
  // Dispatcher callbacks: to the host's callbacks, else to the polling queues.
  bool DeliverHostAction(const engine::OutboundAction& action);
  void DeliverOutcome(const engine::ActionReport& report);
  // A Salesforce action is done: its values go into the cache at once (the next event binds
  // the Lead just created), before the next sync brings the whole record.
  void WriteThrough(const engine::OutboundAction& action, const std::string& record_id);

  const PluginConfig config_;
  std::shared_ptr<engine::StateStore> store_;
  std::shared_ptr<const sf::Vault> vault_;  // null when no key is configured
  std::string vault_error_;                 // why vault_ is null
  std::shared_ptr<const engine::TimeZone> time_zone_;
  engine::SystemClock clock_;

  engine::RuleSetHolder rules_;
  engine::Evaluator evaluator_;

  mutable std::mutex mu_;  // guards the members below
  std::shared_ptr<sf::Connection> connection_;
  std::string connect_error_;  // the last failed connect, for status()
  std::shared_ptr<const Cache> cache_;
  // The rules' source: a folder or texts (kept to recompile after a schema change).
  std::string rule_folder_;
  std::vector<engine::RuleSource> rule_sources_;
  bool have_rule_source_ = false;
  nlohmann::json last_diagnostics_ = nlohmann::json::array();

  mutable std::mutex callbacks_mu_;
  cf_sf_callbacks callbacks_{};
  bool have_callbacks_ = false;

  // Accepted actions, durable in store_, and their delivery: Salesforce actions through the
  // connection's SalesforceConnector, host actions through the host's callbacks.
  std::unique_ptr<engine::Outbox> outbox_;
  ConnectorSlot connector_;
  std::unique_ptr<engine::Dispatcher> dispatcher_;
  std::mutex poll_mu_;  // guards the queues for hosts that poll instead of registering callbacks
  std::deque<std::string> polled_host_actions_;
  std::deque<std::string> polled_outcomes_;

  mutable std::mutex sync_mu_;  // guards sync_ and sync_thread_; never held with mu_ inside
  std::condition_variable sync_done_;
  SyncState sync_;
  std::thread sync_thread_;
  std::atomic<bool> sync_cancel_{false};
  bool shut_down_ = false;
};

}  // namespace cf::plugin

#endif  // CF_PLUGINS_SALESFORCE_INSTANCE_H_
