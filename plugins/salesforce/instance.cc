#include "plugins/salesforce/instance.h"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <stdexcept>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/discovery.h"
#include "connectors/salesforce/record_json.h"
#include "connectors/salesforce/salesforce_connector.h"
#include "engine/binding.h"
#include "engine/host_event.h"
#include "engine/preview.h"
#include "engine/sqlite_state_store.h"
#include "plugins/salesforce/json_out.h"

namespace cf::plugin {

using nlohmann::json;

namespace {

const char* LevelName(cf_sf_log_level level) {
  switch (level) {
    case CF_SF_LOG_ERROR: return "error";
    case CF_SF_LOG_WARN: return "warn";
    case CF_SF_LOG_INFO: return "info";
    case CF_SF_LOG_DEBUG: return "debug";
  }
  return "log";
}

const char* NoSchema() {
  return "no schema yet: call discover (or set config.schema_file to a describe folder)";
}

}  // namespace

Instance::Instance(PluginConfig config) : config_(std::move(config)) {}

Instance::~Instance() { Shutdown(); }

std::shared_ptr<Instance> Instance::Create(PluginConfig config, Outcome* failure) {
  std::shared_ptr<Instance> self(new Instance(std::move(config)));
  const PluginConfig& c = self->config_;

  std::error_code ec;
  std::filesystem::create_directories(c.state_dir, ec);
  if (ec) {
    *failure = Outcome::Fail(CF_SF_BAD_CONFIG, "config.state_dir: cannot create '" + c.state_dir +
                                                   "': " + ec.message());
    return nullptr;
  }
  std::unique_ptr<engine::SqliteStateStore> store;
  engine::Status s = engine::SqliteStateStore::Open(c.state_dir + "/state.db", {}, &store);
  if (!s.ok()) {
    *failure = Outcome::Fail(CF_SF_STORE_ERROR, "config.state_dir: " + s.message());
    return nullptr;
  }
  self->store_ = std::move(store);

  // The outbox of accepted actions; its dispatcher starts at the end.
  s = engine::Outbox::Open(self->store_, {}, &self->outbox_);
  if (!s.ok()) {
    *failure = Outcome::Fail(CF_SF_STORE_ERROR, "config.state_dir: the outbox: " + s.message());
    return nullptr;
  }

  std::string error;
  self->time_zone_ = engine::TimeZone::Load(c.time_zone, &error);
  if (self->time_zone_ == nullptr) {
    *failure = Outcome::Fail(CF_SF_BAD_CONFIG, "config.time_zone: " + error);
    return nullptr;
  }

  // The vault's keys: a configured key file must work; keys from the environment are needed
  // only by connect, which reports their absence.
  std::optional<sf::KeyRing> keys;
  if (!c.vault_key_file.empty()) {
    keys = sf::KeyRing::FromKeyFile(c.vault_key_file, &error);
    if (!keys) {
      *failure = Outcome::Fail(CF_SF_BAD_CONFIG, "config.vault_key_file: " + error);
      return nullptr;
    }
  } else {
    keys = sf::KeyRing::FromEnvironment(&error);
    if (!keys) self->vault_error_ = "no vault key for sealing tokens: " + error;
  }
  if (keys) self->vault_ = std::make_shared<const sf::Vault>(std::move(*keys));

  // Warm start: the schema cached by an earlier discover, else the configured describe folder.
  std::string cache_error;
  std::optional<sf::DiscoveredOrg> cached = sf::LoadSchemaCache(*self->store_, &cache_error);
  std::shared_ptr<const Cache> cache;
  if (cached) {
    cache = self->MakeCache(cached->schema, "state", cached->fetched_at, &error);
  } else if (!c.schema_file.empty()) {
    std::shared_ptr<const engine::Schema> schema = sf::LoadSchemaFile(c.schema_file, &error);
    if (schema == nullptr) {
      *failure = Outcome::Fail(CF_SF_BAD_CONFIG, "config.schema_file: " + error);
      return nullptr;
    }
    cache = self->MakeCache(schema, "file", "", &error);
  }
  if (!cache_error.empty()) self->Log(CF_SF_LOG_WARN, "schema cache unreadable, discover again: " + cache_error);
  if ((cached || !c.schema_file.empty()) && cache == nullptr) {
    *failure = Outcome::Fail(CF_SF_STORE_ERROR, "config.state_dir: the record cache: " + error);
    return nullptr;
  }
  self->cache_ = cache;

  // Tokens sealed by an earlier connect: reuse them (no API call). Failing is not an error here.
  if (self->vault_ != nullptr && !c.connection.instance_url.empty()) {
    sf::ConnectResult r = sf::Connection::Resume(c.connection, self->store_, self->vault_);
    if (r.ok()) self->connection_ = std::move(r.connection);
  }

  // Last, when nothing can fail any more: deliver what an earlier process left pending.
  engine::DispatcherCallbacks callbacks;
  Instance* raw = self.get();
  callbacks.on_host_action = [raw](const engine::OutboundAction& a) { return raw->DeliverHostAction(a); };
  callbacks.on_outcome = [raw](const engine::ActionReport& r) { raw->DeliverOutcome(r); };
  callbacks.on_written = [raw](const engine::OutboundAction& a, const std::string& id) { raw->WriteThrough(a, id); };
  self->dispatcher_ = std::make_unique<engine::Dispatcher>(self->outbox_.get(), &self->connector_,
                                                           std::move(callbacks));
  if (self->connection_ != nullptr) self->InstallConnector(self->connection_);
  s = self->dispatcher_->Start();
  if (!s.ok()) {
    *failure = Outcome::Fail(CF_SF_STORE_ERROR, "config.state_dir: the outbox: " + s.message());
    return nullptr;
  }
  return self;
}

void Instance::Shutdown() {
  // The round in flight finishes and is recorded; what is pending stays in the outbox.
  if (dispatcher_ != nullptr) dispatcher_->Stop();
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    shut_down_ = true;
    sync_cancel_ = true;
    thread = std::move(sync_thread_);
  }
  if (thread.joinable()) thread.join();
}

void Instance::Log(cf_sf_log_level level, const std::string& message) const {
  if (config_.log_off || level > config_.log_level) return;
  cf_sf_callbacks cb;
  bool have;
  {
    std::lock_guard<std::mutex> lock(callbacks_mu_);
    cb = callbacks_;
    have = have_callbacks_ && callbacks_.on_log != nullptr;
  }
  std::string line = "[" + config_.connection.name + "] " + message;
  if (have) {
    cb.on_log(cb.user_data, level, line.c_str(), line.size());
  } else {
    std::fprintf(stderr, "cf-salesforce %s: %s\n", LevelName(level), line.c_str());
  }
}

std::shared_ptr<sf::Connection> Instance::connection() const {
  std::lock_guard<std::mutex> lock(mu_);
  return connection_;
}

std::shared_ptr<const Instance::Cache> Instance::cache() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cache_;
}

std::shared_ptr<const Instance::Cache> Instance::MakeCache(
    std::shared_ptr<const engine::Schema> schema, std::string origin, std::string fetched_at,
    std::string* error) {
  auto cache = std::make_shared<Cache>();
  cache->env = engine::MakeRuleEnvironment(std::move(schema));
  cache->schema = cache->env->schema_ptr();
  std::vector<std::shared_ptr<const engine::RecordLayout>> layouts;
  for (int i = 0; i < cache->schema->size(); ++i) layouts.push_back(cache->env->layout(i));
  cache->sink = std::make_shared<engine::PersistentRecordSink>(store_, cache->schema, layouts);
  engine::PersistentRecordSink::LoadStats stats;
  engine::Status s = cache->sink->Load(&stats);
  if (!s.ok()) {
    *error = s.message();
    return nullptr;
  }
  for (const std::string& o : stats.objects_reset) {
    Log(CF_SF_LOG_WARN, "cached records of " + o + " were unreadable: they will be synced again");
  }
  for (const std::string& o : stats.reloads_interrupted) {
    Log(CF_SF_LOG_INFO, "a full reload of " + o +
                            " was interrupted: its cached records stay in use, and the next sync "
                            "loads it again from the start");
  }
  cache->binder = std::make_shared<const engine::Binder>(cache->env);
  cache->origin = std::move(origin);
  cache->fetched_at = std::move(fetched_at);
  cache->records_loaded = stats.records;
  return cache;
}

// ---- Connection -------------------------------------------------------------------------------

Outcome Instance::Connect(const json* options) {
  sf::ConnectionConfig config = config_.connection;
  bool resume = false;
  std::string error;
  if (options != nullptr && !ApplyConnectOptions(*options, &config, &resume, &error)) {
    return Outcome::Fail(CF_SF_BAD_JSON, error);
  }
  if (vault_ == nullptr) return Outcome::Fail(CF_SF_BAD_CONFIG, vault_error_);
  if (config.instance_url.empty()) {
    return Outcome::Fail(CF_SF_BAD_CONFIG,
                         "config.instance_url: missing (the org's https://<domain>.my.salesforce.com)");
  }
  sf::ConnectResult r = resume ? sf::Connection::Resume(config, store_, vault_)
                               : sf::Connection::Open(config, store_, vault_);
  if (!r.ok()) {
    std::string why = r.failure.Describe();
    {
      std::lock_guard<std::mutex> lock(mu_);
      connect_error_ = why;
    }
    Log(CF_SF_LOG_WARN, "connect failed: " + r.failure.summary);
    return Outcome::Fail(CF_SF_SALESFORCE_ERROR, why);
  }
  std::shared_ptr<sf::Connection> connection = std::move(r.connection);
  {
    std::lock_guard<std::mutex> lock(mu_);
    connection_ = connection;
    connect_error_.clear();
  }
  InstallConnector(connection);
  dispatcher_->ResumeNow();  // actions held while there was no connection go now
  dispatcher_->Wake();
  Log(CF_SF_LOG_INFO, std::string("connected (") + sf::AuthMethodName(config.auth) + ")");
  return Status();
}

Outcome Instance::TestConnection() {
  std::shared_ptr<sf::Connection> conn = connection();
  if (conn == nullptr) return Outcome::Fail(CF_SF_NOT_CONNECTED, "not connected: call connect first");
  sf::ConnectionTestResult r = conn->Test();
  if (!r.ok()) {
    return Outcome::Fail(r.failure.reconnect_required ? CF_SF_NOT_CONNECTED : CF_SF_SALESFORCE_ERROR,
                         r.failure.Describe());
  }
  json out = {{"org_id", r.report->org_id},
              {"user_id", r.report->user_id},
              {"username", r.report->username},
              {"display_name", r.report->display_name},
              {"api_version", r.report->api_version},
              {"summary", r.report->Describe()},
              {"api_usage", nullptr}};
  if (r.report->api_usage) {
    out["api_usage"] = {{"used", r.report->api_usage->used}, {"max", r.report->api_usage->max}};
  }
  return Outcome::Ok(Dump(out));
}

json Instance::ApiJson(const sf::Connection* conn) const {
  if (conn == nullptr) return nullptr;
  sf::ApiBudgetState b = conn->budget().State();
  json out = {{"requests_sent", conn->client().requests_sent()},
              {"used_24h", b.used_24h},
              {"budget", b.budget},
              {"org_used", b.org_used_estimate},
              {"org_max", b.org ? json(b.org->max) : json(nullptr)},
              {"exhausted", b.exhausted},
              {"summary", b.Describe()}};
  return out;
}

Outcome Instance::Status() {
  std::shared_ptr<sf::Connection> conn;
  std::shared_ptr<const Cache> cache;
  std::string connect_error;
  json rules;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conn = connection_;
    cache = cache_;
    connect_error = connect_error_;
  }
  json connection;
  if (conn == nullptr) {
    connection = {{"state", "not_connected"}, {"reason", connect_error}};
  } else {
    bool up = conn->session().state() == sf::SessionState::kConnected;
    connection = {{"state", up ? "connected" : "disconnected"},
                  {"reason", up ? std::string() : conn->session().disconnect_reason()},
                  {"instance_url", conn->instance().url}};
  }
  engine::RuleSetHolder::Current current = rules_.Get();
  rules = {{"loaded", current.rules != nullptr},
           {"rules", current.rules ? current.rules->rules().size() : 0},
           {"files", current.rules ? json(current.rules->files()) : json::array()}};
  json schema = nullptr;
  if (cache != nullptr) {
    int objects = 0;
    for (const engine::Object& o : cache->schema->objects()) objects += o.is_event ? 0 : 1;
    json counts = json::object();
    engine::RecordSnapshotPtr snap = cache->sink->Snapshot();
    for (int i = 0; i < cache->schema->size(); ++i) {
      size_t n = snap->Count(i);
      if (n > 0) counts[cache->schema->object(i).name] = n;
    }
    schema = {{"origin", cache->origin}, {"objects", objects}, {"fetched_at", cache->fetched_at},
              {"cached_records", std::move(counts)}};
  }
  json sync;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync = SyncJsonLocked();
  }
  json outbox = json::object();
  for (auto [name, state] : {std::pair{"pending", engine::OutboxState::kPending},
                             std::pair{"in_flight", engine::OutboxState::kInFlight},
                             std::pair{"dead", engine::OutboxState::kDead}}) {
    int64_t n = 0;
    if (outbox_->Count(state, &n).ok()) outbox[name] = n;
  }
  json out = {{"name", config_.connection.name},
              {"outbox", std::move(outbox)},
              {"connection", std::move(connection)},
              {"api", ApiJson(conn.get())},
              {"schema", std::move(schema)},
              {"rules", std::move(rules)},
              {"sync", std::move(sync)}};
  return Outcome::Ok(Dump(out));
}

// ---- Schema -----------------------------------------------------------------------------------

Outcome Instance::Discover(const json* options) {
  sf::DiscoveryOptions opts;
  if (options != nullptr) {
    if (!options->is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "discover: expected a JSON object");
    for (auto it = options->begin(); it != options->end(); ++it) {
      const std::string& key = it.key();
      if (key == "objects" && it->is_array()) {
        for (const json& o : *it) {
          if (!o.is_string()) return Outcome::Fail(CF_SF_BAD_JSON, "discover.objects: expected object names (strings)");
          opts.objects.push_back(o.get<std::string>());
        }
      } else if (key == "custom_objects" && it->is_boolean()) {
        opts.include_custom_objects = it->get<bool>();
      } else if (key == "validation_rules" && it->is_boolean()) {
        opts.validation_rules = it->get<bool>();
      } else {
        return Outcome::Fail(CF_SF_BAD_JSON, "discover." + key +
                                                 ": unknown option or wrong type (objects: array, "
                                                 "custom_objects and validation_rules: booleans)");
      }
    }
  }
  std::shared_ptr<sf::Connection> conn = connection();
  if (conn == nullptr) return Outcome::Fail(CF_SF_NOT_CONNECTED, "not connected: call connect first");
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    if (sync_.state == "running") {
      return Outcome::Fail(CF_SF_BUSY, "a sync is running: stop it or wait for it, then discover");
    }
  }
  sf::DiscoveryResult r = sf::Discover(conn->client(), opts);
  if (!r.ok()) return Outcome::Fail(CF_SF_SALESFORCE_ERROR, r.failure.Describe());
  engine::Status saved = sf::SaveSchemaCache(*store_, *r.org);
  if (!saved.ok()) return Outcome::Fail(CF_SF_STORE_ERROR, "saving the schema: " + saved.message());
  std::string error;
  std::shared_ptr<const Cache> cache = MakeCache(r.org->schema, "discovered", r.org->fetched_at, &error);
  if (cache == nullptr) return Outcome::Fail(CF_SF_STORE_ERROR, "the record cache: " + error);

  json rules = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cache_ = cache;
    if (have_rule_source_) {
      Outcome recompiled = CompileAndInstallLocked(cache);
      rules = json::parse(recompiled.json, nullptr, false);
      if (recompiled.status != CF_SF_OK) {
        // Rules compiled for the old schema must not run against the new one.
        rules_.Set(nullptr);
        Log(CF_SF_LOG_WARN, "the rules no longer compile against the discovered schema: load them again");
      }
    }
  }
  InstallConnector(conn);  // the new schema's action-id fields
  int objects = 0;
  for (const engine::Object& o : cache->schema->objects()) objects += o.is_event ? 0 : 1;
  json out = {{"objects", objects}, {"api_calls", r.org->api_calls},
              {"warnings", r.org->warnings}, {"fetched_at", r.org->fetched_at},
              {"rules", std::move(rules)}};
  Log(CF_SF_LOG_INFO, "discovered " + std::to_string(objects) + " objects");
  return Outcome::Ok(Dump(out));
}

Outcome Instance::GetSchema(const json* objects) {
  std::shared_ptr<const Cache> cache = this->cache();
  if (cache == nullptr) return Outcome::Fail(CF_SF_NOT_READY, NoSchema());
  json list = json::array();
  if (objects == nullptr) {
    for (const engine::Object& o : cache->schema->objects()) {
      if (!o.is_event) list.push_back(ObjectToJson(o));
    }
  } else {
    if (!objects->is_array()) return Outcome::Fail(CF_SF_BAD_JSON, "get_schema: expected a JSON array of object names");
    for (const json& name : *objects) {
      if (!name.is_string()) return Outcome::Fail(CF_SF_BAD_JSON, "get_schema: expected object names (strings)");
      const engine::Object* o = cache->schema->Find(name.get<std::string>());
      if (o == nullptr || o->is_event) {
        std::vector<std::string_view> names;
        for (const engine::Object& x : cache->schema->objects()) names.push_back(x.name);
        std::string hint = engine::ClosestName(name.get<std::string>(), names);
        return Outcome::Fail(CF_SF_NOT_FOUND, "get_schema: unknown object '" + name.get<std::string>() + "'" +
                                                  (hint.empty() ? "" : " (did you mean '" + hint + "'?)"));
      }
      list.push_back(ObjectToJson(*o));
    }
  }
  return Outcome::Ok(Dump(json{{"origin", cache->origin}, {"objects", std::move(list)}}));
}

// ---- Sync -------------------------------------------------------------------------------------

json Instance::SyncJsonLocked() const {
  return {{"state", sync_.state},
          {"object", sync_.object},
          {"records", sync_.records},
          {"total", sync_.total ? json(*sync_.total) : json(nullptr)},
          {"api_calls", sync_.api_calls},
          {"error", sync_.error},
          {"objects", sync_.objects}};
}

Outcome Instance::SyncStart(bool full) {
  std::shared_ptr<sf::Connection> conn;
  std::shared_ptr<const Cache> cache;
  {
    std::lock_guard<std::mutex> lock(mu_);
    conn = connection_;
    cache = cache_;
  }
  if (conn == nullptr) return Outcome::Fail(CF_SF_NOT_CONNECTED, "not connected: call connect first");
  if (cache == nullptr) return Outcome::Fail(CF_SF_NOT_READY, NoSchema());

  // What to sync: the configured objects and fields, plus what the rules read, plus binding's.
  std::vector<sf::FieldRef> refs;
  for (const auto& [object, fields] : config_.sync_objects) {
    if (fields.empty()) refs.push_back({object, ""});
    for (const std::string& f : fields) refs.push_back({object, f});
  }
  engine::RuleSetHolder::Current current = rules_.Get();
  if (current.rules != nullptr && current.rules->environment_ptr() == cache->env) {
    for (sf::FieldRef& r : sf::RuleSetFieldRefs(*current.rules)) refs.push_back(std::move(r));
  } else {
    for (const char* o : {"Contact", "Lead", "Account", "Opportunity", "Case"}) {
      if (cache->schema->Find(o) != nullptr) refs.push_back({o, ""});
    }
  }
  std::vector<sf::SyncPlan> plans;
  std::vector<std::string> skipped;
  std::string error;
  if (!sf::BuildSyncPlans(*cache->schema, refs, &plans, &error, &skipped)) {
    return Outcome::Fail(CF_SF_BAD_CONFIG, "config.sync.objects: " + error);
  }
  for (const std::string& s : skipped) Log(CF_SF_LOG_WARN, "not synced (not in the schema): " + s);

  std::lock_guard<std::mutex> lock(sync_mu_);
  if (shut_down_) return Outcome::Fail(CF_SF_UNKNOWN_INSTANCE, "the instance is shutting down");
  if (sync_.state == "running") return Outcome::Fail(CF_SF_BUSY, "a sync is already running");
  if (sync_thread_.joinable()) sync_thread_.join();  // finished: its state is recorded
  sync_ = SyncState{};
  sync_.state = "running";
  sync_cancel_ = false;
  sync_thread_ = std::thread([this, conn, cache, plans = std::move(plans), full]() mutable {
    RunSync(std::move(conn), std::move(cache), std::move(plans), full);
  });
  return Outcome::Ok();
}

namespace {

// True when the object's run in `result` ended without error and its stored cursor says the
// object is complete (no run in progress): a reload of it has brought every record.
bool LoadCompleted(engine::PersistentRecordSink& sink, const sf::SyncPlan& plan,
                   const sf::SyncResult& result) {
  bool ran_clean = false;
  for (const sf::ObjectSyncStats& o : result.objects) {
    if (o.object == plan.object) ran_clean = o.error.empty();
  }
  if (!ran_clean) return false;
  std::optional<std::string> stored;
  if (!sink.LoadCursor(plan.object_index, &stored).ok() || !stored) return false;
  std::optional<sf::SyncCursor> cursor = sf::SyncCursor::Decode(*stored);
  return cursor && cursor->complete_until && !cursor->run_until;
}

}  // namespace

// Full reloads keep the old records visible (engine/sync_sink.h, docs/sync.md "Full reloads"):
// a forced full sync and a reload a stop interrupted BeginReload here; the Syncer's own resets
// (new fields, a lost delete log) become BeginReload through ReloadOnResetSink; after the run,
// each reloading object whose load completed is finished (records the org no longer holds
// are dropped). A failed or partial load keeps its mark: the next sync resumes it in this
// process, or starts it over after a restart.
void Instance::RunSync(std::shared_ptr<sf::Connection> conn, std::shared_ptr<const Cache> cache,
                       std::vector<sf::SyncPlan> plans, bool full) {
  SyncState done;
  try {
    engine::PersistentRecordSink& sink = *cache->sink;
    for (const sf::SyncPlan& p : plans) {
      engine::ReloadState state = engine::ReloadState::kNone;
      engine::Status s = sink.GetReloadState(p.object_index, &state);
      if (!s.ok()) throw std::runtime_error("reading the reload state of " + p.object + ": " + s.message());
      if (!full && state != engine::ReloadState::kInterrupted) continue;
      if (state == engine::ReloadState::kInterrupted) {
        Log(CF_SF_LOG_INFO, "the full reload of " + p.object +
                                " was interrupted: it starts over (its cached records stay visible)");
      }
      s = sink.BeginReload(p.object_index);
      if (!s.ok()) throw std::runtime_error("beginning the reload of " + p.object + ": " + s.message());
    }
    sf::SyncOptions options;
    options.batch_size = config_.sync_batch_size;
    options.cancel = &sync_cancel_;
    options.progress = [this](const sf::SyncProgress& p) {
      std::lock_guard<std::mutex> lock(sync_mu_);
      sync_.object = std::string(p.object);
      sync_.records = p.records;
      sync_.total = p.total;
      sync_.api_calls = p.api_calls;
    };
    engine::ReloadOnResetSink reload_sink(sink);
    sf::Syncer syncer(conn->client(), cache->schema, reload_sink, options);
    Log(CF_SF_LOG_INFO, std::string(full ? "full" : "incremental") + " sync of " +
                            std::to_string(plans.size()) + " objects started");
    sf::SyncResult r = syncer.Sync(plans);
    std::string finish_error;
    for (const sf::SyncPlan& p : plans) {
      engine::ReloadState state = engine::ReloadState::kNone;
      engine::Status s = sink.GetReloadState(p.object_index, &state);
      if (s.ok() && state != engine::ReloadState::kRunning) continue;
      if (s.ok() && !LoadCompleted(sink, p, r)) continue;  // resumed by the next sync
      int64_t removed = 0;
      if (s.ok()) s = sink.FinishReload(p.object_index, &removed);
      if (!s.ok()) {
        if (finish_error.empty()) {
          finish_error = "finishing the full reload of " + p.object + ": " + s.message() +
                         " (its records stay cached; the next sync finishes it)";
        }
        continue;
      }
      Log(CF_SF_LOG_INFO, "full reload of " + p.object + " done: " + std::to_string(removed) +
                              " cached records the org no longer holds were removed");
    }
    for (const sf::ObjectSyncStats& o : r.objects) {
      done.objects.push_back({{"object", o.object}, {"full_load", o.full_load}, {"reset", o.reset},
                              {"upserts", o.upserts}, {"deletes", o.deletes}, {"pages", o.pages},
                              {"api_calls", o.api_calls}, {"error", o.error}});
    }
    done.api_calls = r.api_calls;
    switch (r.kind) {
      case sf::SyncResult::Kind::kOk: done.state = "succeeded"; break;
      case sf::SyncResult::Kind::kCancelled: done.state = "cancelled"; break;
      case sf::SyncResult::Kind::kStore:
        done.state = "failed";
        done.failure = CF_SF_STORE_ERROR;
        break;
      default:
        done.state = "failed";
        done.failure = CF_SF_SALESFORCE_ERROR;
        break;
    }
    if (!r.ok()) done.error = r.Describe();
    if (r.ok() && !finish_error.empty()) {
      done.state = "failed";
      done.failure = CF_SF_STORE_ERROR;
      done.error = finish_error;
    }
  } catch (const std::exception& e) {
    done.state = "failed";
    done.failure = CF_SF_INTERNAL;
    done.error = std::string("sync stopped: ") + e.what();
  } catch (...) {
    done.state = "failed";
    done.failure = CF_SF_INTERNAL;
    done.error = "sync stopped: unknown error";
  }
  Log(done.state == "failed" ? CF_SF_LOG_WARN : CF_SF_LOG_INFO,
      "sync " + done.state + (done.error.empty() ? "" : ": " + done.error));
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    done.object = sync_.object;
    done.records = sync_.records;
    done.total = sync_.total;
    sync_ = std::move(done);
  }
  sync_done_.notify_all();
}

Outcome Instance::SyncStop() {
  std::thread thread;
  {
    std::lock_guard<std::mutex> lock(sync_mu_);
    sync_cancel_ = true;
    thread = std::move(sync_thread_);
  }
  if (thread.joinable()) thread.join();
  return Outcome::Ok();
}

Outcome Instance::SyncWait(uint32_t timeout_ms) {
  std::unique_lock<std::mutex> lock(sync_mu_);
  bool ended = sync_done_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                                   [this] { return sync_.state != "running"; });
  std::string progress = Dump(SyncJsonLocked());
  if (!ended) return Outcome::Fail(CF_SF_TIMEOUT, "the sync is still running", progress);
  if (sync_.failure != CF_SF_OK) return Outcome::Fail(sync_.failure, sync_.error, progress);
  return Outcome::Ok(progress);
}

Outcome Instance::SyncProgress() {
  std::lock_guard<std::mutex> lock(sync_mu_);
  return Outcome::Ok(Dump(SyncJsonLocked()));
}

// ---- Rules ------------------------------------------------------------------------------------

Outcome Instance::CompileAndInstallLocked(const std::shared_ptr<const Cache>& cache) {
  engine::RuleSetResult result;
  std::shared_ptr<const engine::ConditionExplainer> explainer;
  if (!rule_folder_.empty()) {
    engine::LoadedRules loaded = engine::LoadRulesWithExplainer(rule_folder_, cache->env);
    result = std::move(loaded.result);
    explainer = std::move(loaded.explainer);
  } else {
    result = engine::CompileRuleSet(rule_sources_, cache->env);
    if (result.ok()) explainer = engine::ConditionExplainer::Build(*result.rule_set, rule_sources_);
  }
  json diagnostics = DiagnosticsToJson(result);
  json out = {{"ok", result.ok()},
              {"rules", result.ok() ? result.rule_set->rules().size() : 0},
              {"files", result.ok() ? json(result.rule_set->files()) : json::array()},
              {"diagnostics", diagnostics}};
  if (!result.ok()) {
    std::string summary = std::to_string(result.error_count()) + " error(s) in the rules; " +
                          "the previous rules stay in force";
    if (!result.error.empty()) summary = result.error;
    return Outcome::Fail(CF_SF_RULES_INVALID, summary, Dump(out));
  }
  rules_.Set(result.rule_set, explainer);
  last_diagnostics_ = std::move(diagnostics);
  return Outcome::Ok(Dump(out));
}

Outcome Instance::LoadRules(const json* source) {
  std::string folder;
  std::vector<engine::RuleSource> sources;
  if (source == nullptr) {
    if (config_.rule_folder.empty()) {
      return Outcome::Fail(CF_SF_NOT_READY, "no rules given and config.rule_folder is not set");
    }
    folder = config_.rule_folder;
  } else {
    if (!source->is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "load_rules: expected a JSON object");
    bool has_folder = source->contains("folder"), has_sources = source->contains("sources");
    if (has_folder == has_sources || source->size() != 1) {
      return Outcome::Fail(CF_SF_BAD_JSON, "load_rules: expected exactly one of {\"folder\": path} or "
                                           "{\"sources\": [{\"name\", \"text\"}]}");
    }
    if (has_folder) {
      if (!(*source)["folder"].is_string()) return Outcome::Fail(CF_SF_BAD_JSON, "load_rules.folder: expected a string");
      folder = (*source)["folder"].get<std::string>();
      if (folder.empty()) return Outcome::Fail(CF_SF_BAD_JSON, "load_rules.folder: must not be empty");
    } else {
      const json& list = (*source)["sources"];
      if (!list.is_array()) return Outcome::Fail(CF_SF_BAD_JSON, "load_rules.sources: expected an array");
      for (size_t i = 0; i < list.size(); ++i) {
        const json& s = list[i];
        std::string where = "load_rules.sources[" + std::to_string(i) + "]";
        if (!s.is_object() || !s.contains("text") || !s["text"].is_string()) {
          return Outcome::Fail(CF_SF_BAD_JSON, where + ".text: expected a string");
        }
        std::string name = where;
        if (s.contains("name")) {
          if (!s["name"].is_string()) return Outcome::Fail(CF_SF_BAD_JSON, where + ".name: expected a string");
          name = s["name"].get<std::string>();
        }
        sources.push_back({std::move(name), s["text"].get<std::string>()});
      }
    }
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (cache_ == nullptr) return Outcome::Fail(CF_SF_NOT_READY, NoSchema());
  std::string old_folder = std::move(rule_folder_);
  std::vector<engine::RuleSource> old_sources = std::move(rule_sources_);
  rule_folder_ = folder;
  rule_sources_ = std::move(sources);
  Outcome out = CompileAndInstallLocked(cache_);
  if (out.status == CF_SF_OK) {
    have_rule_source_ = true;
  } else {
    rule_folder_ = std::move(old_folder);  // the previous rules stay, with their source
    rule_sources_ = std::move(old_sources);
  }
  return out;
}

// ---- Events -----------------------------------------------------------------------------------

namespace {

// The connection's SalesforceConnector, owning the connection its client belongs to.
class ConnectionConnector final : public engine::Connector {
 public:
  ConnectionConnector(std::shared_ptr<sf::Connection> connection, sf::SalesforceConnectorOptions options)
      : connection_(std::move(connection)), connector_(connection_->client(), std::move(options)) {}
  std::vector<engine::ActionOutcome> Write(const std::vector<engine::OutboundAction>& batch) override {
    return connector_.Write(batch);
  }

 private:
  const std::shared_ptr<sf::Connection> connection_;
  sf::SalesforceConnector connector_;
};

}  // namespace

void Instance::InstallConnector(std::shared_ptr<sf::Connection> connection) {
  sf::SalesforceConnectorOptions options;
  std::shared_ptr<const Cache> cache = this->cache();
  // Creates of every object with a ConnectFlo_Action_Id__c field go as upserts by the action's
  // key (sending again finds the record instead of making another).
  if (cache != nullptr) options.action_id_fields = sf::ActionIdFieldsFromSchema(*cache->schema);
  connector_.Install(std::make_shared<ConnectionConnector>(std::move(connection), std::move(options)));
}

Outcome Instance::SendEvent(std::string_view event_json, bool explain) {
  engine::RuleSetHolder::Current current;
  std::shared_ptr<const Cache> cache;
  {
    std::lock_guard<std::mutex> lock(mu_);  // rules and cache change together under mu_
    current = rules_.Get();
    cache = cache_;
  }
  if (current.rules == nullptr) return Outcome::Fail(CF_SF_NOT_READY, "no rules loaded: call load_rules first");
  engine::EventBuilder builder(current.rules->environment_ptr());
  engine::Event event;
  engine::HostEventError error;
  if (!engine::ReadHostEvent(event_json, builder, &event, &error)) {
    return Outcome::Fail(CF_SF_BAD_EVENT, "event: " + error.ToString());
  }
  engine::EvaluateOptions options;
  options.explain = explain;
  options.clock = &clock_;
  options.time_zone = time_zone_.get();
  engine::RecordSnapshotPtr snapshot = cache != nullptr ? cache->sink->Snapshot() : nullptr;
  engine::EvaluationResult result = evaluator_.Evaluate(current, event, snapshot, options);
  if (!result.ok()) return Outcome::Fail(CF_SF_NOT_READY, result.error);
  // Every action is accepted into the outbox (durable) before the call returns; the
  // dispatcher carries them out in the background.
  std::vector<std::string> ids(result.actions.size());
  std::vector<std::string> dispatch(result.actions.size(), "queued");
  if (!result.actions.empty()) {
    std::vector<int64_t> outbox_ids;
    engine::Status s = outbox_->Accept(result.actions, &outbox_ids);
    if (!s.ok()) {
      return Outcome::Fail(CF_SF_STORE_ERROR, "the event's actions could not be stored, nothing was "
                                              "queued (send the event again): " + s.message());
    }
    for (size_t i = 0; i < outbox_ids.size() && i < ids.size(); ++i) ids[i] = outbox_->KeyFor(outbox_ids[i]);
    dispatcher_->Wake();
  }
  json out = EvaluationToJson(result, event.id, explain, ids, dispatch);
  return Outcome::Ok(Dump(out));
}

Outcome Instance::Preview(const json& query) {
  std::shared_ptr<const Cache> cache = this->cache();
  if (cache == nullptr) return Outcome::Fail(CF_SF_NOT_READY, NoSchema());
  if (!query.is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "preview: expected a JSON object");
  std::string object, condition;
  size_t limit = 20;
  for (auto it = query.begin(); it != query.end(); ++it) {
    const std::string& key = it.key();
    if (key == "object" || key == "condition") {
      if (!it->is_string()) return Outcome::Fail(CF_SF_BAD_JSON, "preview." + key + ": expected a string");
      (key == "object" ? object : condition) = it->get<std::string>();
    } else if (key == "limit") {
      if (!it->is_number_unsigned() || it->get<uint64_t>() > 1000) {
        return Outcome::Fail(CF_SF_BAD_JSON, "preview.limit: expected a whole number from 0 to 1000");
      }
      limit = it->get<size_t>();
    } else {
      return Outcome::Fail(CF_SF_BAD_JSON, "preview." + key + ": unknown key (object, condition, limit)");
    }
  }
  if (object.empty()) return Outcome::Fail(CF_SF_BAD_JSON, "preview.object: missing (Account, Contact, Lead...)");
  if (condition.empty()) return Outcome::Fail(CF_SF_BAD_JSON, "preview.condition: missing");
  engine::PreviewOptions options;
  options.sample_limit = limit;
  options.clock = &clock_;
  options.time_zone = time_zone_.get();
  engine::PreviewResult p =
      engine::Preview(*cache->sink->Snapshot(), *cache->env, object, condition, options);
  if (!p.diagnostics.empty() && !p.ok()) {
    engine::RuleSetResult as_rules;
    as_rules.files.push_back({"<condition>", condition, p.diagnostics});
    return Outcome::Fail(CF_SF_RULES_INVALID, "preview: the condition does not compile (see the diagnostics)",
                         Dump(json{{"diagnostics", DiagnosticsToJson(as_rules)}}));
  }
  if (!p.ok()) return Outcome::Fail(CF_SF_BAD_JSON, p.error);
  return Outcome::Ok(Dump(json{{"object", p.object},
                               {"total", p.total},
                               {"matched", p.matched},
                               {"unknown", p.unknown},
                               {"sample_ids", p.sample_ids}}));
}

namespace {

// The outbox id in an action id "cf-<nonce>-<id>" of this store; 0 when it is not one.
int64_t OutboxIdOf(const std::string& action_id, const std::string& nonce) {
  const std::string prefix = "cf-" + nonce + "-";
  if (action_id.size() <= prefix.size() || action_id.compare(0, prefix.size(), prefix) != 0) return 0;
  int64_t id = 0;
  for (size_t i = prefix.size(); i < action_id.size(); ++i) {
    const char c = action_id[i];
    if (c < '0' || c > '9' || id > (INT64_MAX - 9) / 10) return 0;
    id = id * 10 + (c - '0');
  }
  return id;
}

}  // namespace

Outcome Instance::DeadLetters(const json* query) {
  int64_t after = 0;
  size_t max = 100;
  if (query != nullptr) {
    if (!query->is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "dead_letters: expected a JSON object");
    for (auto it = query->begin(); it != query->end(); ++it) {
      if (it.key() == "after") {
        if (!it->is_string() || (after = OutboxIdOf(it->get<std::string>(), outbox_->nonce())) == 0) {
          return Outcome::Fail(CF_SF_BAD_JSON, "dead_letters.after: expected an action id of this instance (cf-...)");
        }
      } else if (it.key() == "max") {
        if (!it->is_number_unsigned() || it->get<uint64_t>() == 0 || it->get<uint64_t>() > 1000) {
          return Outcome::Fail(CF_SF_BAD_JSON, "dead_letters.max: expected a whole number from 1 to 1000");
        }
        max = it->get<size_t>();
      } else {
        return Outcome::Fail(CF_SF_BAD_JSON, "dead_letters." + it.key() + ": unknown key (after, max)");
      }
    }
  }
  std::vector<engine::OutboxItem> items;
  engine::Status s = outbox_->ListDeadLetters(after, max, &items);
  if (!s.ok()) return Outcome::Fail(CF_SF_STORE_ERROR, "dead_letters: " + s.message());
  json list = json::array();
  for (const engine::OutboxItem& item : items) {
    json entry = {{"action_id", outbox_->KeyFor(item.entry.id)},
                  {"kind", ActionKindName(item.action.kind)},
                  {"attempts", item.entry.attempts},
                  {"error", item.entry.error},
                  {"failed_at", engine::FormatIsoDateTime(item.entry.updated_ms)}};
    entry["object"] = item.action.object.empty() ? json(nullptr) : json(item.action.object);
    list.push_back(std::move(entry));
  }
  return Outcome::Ok(Dump(json{{"dead_letters", std::move(list)}}));
}

Outcome Instance::ReplayDeadLetters(const json& query) {
  if (!query.is_object() || query.size() != 1) {
    return Outcome::Fail(CF_SF_BAD_JSON, "replay_dead_letters: expected {\"action_id\": \"cf-...\"} or {\"all\": true}");
  }
  int64_t count = 0;
  engine::Status s;
  if (query.contains("all")) {
    if (!query["all"].is_boolean() || !query["all"].get<bool>()) {
      return Outcome::Fail(CF_SF_BAD_JSON, "replay_dead_letters.all: expected true");
    }
    s = outbox_->ReplayAll(&count);
  } else if (query.contains("action_id") && query["action_id"].is_string()) {
    const int64_t id = OutboxIdOf(query["action_id"].get<std::string>(), outbox_->nonce());
    std::optional<engine::OutboxItem> item;
    if (id != 0) s = outbox_->Get(id, &item);
    if (!s.ok()) return Outcome::Fail(CF_SF_STORE_ERROR, "replay_dead_letters: " + s.message());
    if (id == 0 || !item || item->entry.state != engine::OutboxState::kDead) {
      return Outcome::Fail(CF_SF_NOT_FOUND, "replay_dead_letters.action_id: not a dead letter of this instance "
                                            "(dead_letters lists them)");
    }
    s = outbox_->Replay(id, &count);
  } else {
    return Outcome::Fail(CF_SF_BAD_JSON, "replay_dead_letters: expected {\"action_id\": \"cf-...\"} or {\"all\": true}");
  }
  if (!s.ok()) return Outcome::Fail(CF_SF_STORE_ERROR, "replay_dead_letters: " + s.message());
  dispatcher_->Wake();
  return Outcome::Ok(Dump(json{{"replayed", count}}));
}

Outcome Instance::Enrich(const json& query) {
  std::shared_ptr<const Cache> cache = this->cache();
  if (cache == nullptr) return Outcome::Fail(CF_SF_NOT_READY, NoSchema());
  if (!query.is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact: expected a JSON object");
  engine::EventBuilder builder(cache->env);
  builder.Reset(engine::Trigger::kConversationCreated);
  int keys = 0;
  std::string error;
  json selected = nullptr;
  for (auto it = query.begin(); it != query.end(); ++it) {
    const std::string& key = it.key();
    if (key == "fields") {
      if (!it->is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact.fields: expected an object of arrays");
      for (auto f = it->begin(); f != it->end(); ++f) {
        bool names = f->is_array();
        for (const json& n : *f) names = names && n.is_string();
        if (!names) {
          return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact.fields." + f.key() + ": expected an array of field names");
        }
      }
      selected = *it;
      continue;
    }
    if (!it->is_string()) return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact." + key + ": expected a string");
    std::string value = it->get<std::string>();
    bool ok = true;
    if (key == "email") {
      ok = builder.Set(engine::RuleRoot::kConversation, "customer.email", value, &error);
    } else if (key == "phone") {
      ok = builder.Set(engine::RuleRoot::kConversation, "customer.phone", value, &error);
    } else if (key == "id") {
      std::optional<engine::SfId> id = engine::SfId::Parse(value);
      const engine::Object* lead = cache->schema->Find("Lead");
      bool is_lead = id && lead != nullptr && id->KeyPrefix() == lead->key_prefix;
      ok = builder.SetRecordId(is_lead ? engine::RuleRoot::kLead : engine::RuleRoot::kContact, value, &error);
    } else {
      return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact." + key + ": unknown key (email, phone, id, fields)");
    }
    if (!ok) return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact." + key + ": " + error);
    ++keys;
  }
  if (keys == 0) return Outcome::Fail(CF_SF_BAD_JSON, "enrich_contact: give one of email, phone or id");
  engine::Event event = builder.Finish();
  engine::Binding b = cache->binder->Bind(event, cache->sink->Snapshot());

  sf::RecordJsonOptions record_options;
  record_options.attributes = false;
  record_options.nulls = false;
  auto render = [&](const engine::Record* r, const char* object) -> json {
    if (r == nullptr) return nullptr;
    json all = sf::RecordToJson(*r, record_options);
    if (selected.is_null() || !selected.contains(object)) return all;
    json picked = json::object();
    for (const json& f : selected[object]) {
      if (!f.is_string()) continue;
      std::string name = f.get<std::string>();
      picked[name] = all.contains(name) ? all[name] : json(nullptr);
    }
    return picked;
  };
  auto usable = [&](engine::RuleRoot root) {
    int i = static_cast<int>(root);
    return b.records[i] != nullptr && b.sources[i] != engine::BindSource::kEventIdOnly;
  };
  json out = {{"match", nullptr}};
  const char* person = nullptr;
  engine::RuleRoot root = engine::RuleRoot::kContact;
  if (usable(engine::RuleRoot::kContact)) {
    person = "Contact";
  } else if (usable(engine::RuleRoot::kLead)) {
    person = "Lead";
    root = engine::RuleRoot::kLead;
  }
  if (person == nullptr) {
    return Outcome::Fail(CF_SF_NOT_FOUND, "no cached Contact or Lead matches (sync first if it is new)",
                         Dump(out));
  }
  out["match"] = person == std::string("Contact") ? "contact" : "lead";
  out["source"] = engine::BindSourceName(b.sources[static_cast<int>(root)]);
  out[person] = render(b.record(root), person);
  out["Account"] = usable(engine::RuleRoot::kAccount) ? render(b.record(engine::RuleRoot::kAccount), "Account")
                                                      : json(nullptr);
  return Outcome::Ok(Dump(out));
}

// ---- Callbacks and polling ---------------------------------------------------------------------

void Instance::SetCallbacks(const cf_sf_callbacks* callbacks) {
  std::lock_guard<std::mutex> lock(callbacks_mu_);
  callbacks_ = cf_sf_callbacks{};
  have_callbacks_ = callbacks != nullptr;
  if (callbacks == nullptr) return;
  // Copy only the members the host's struct has (an older, smaller struct leaves the rest NULL).
  size_t size = callbacks->struct_size < sizeof(cf_sf_callbacks) ? callbacks->struct_size
                                                                 : sizeof(cf_sf_callbacks);
  std::memcpy(&callbacks_, callbacks, size);
  callbacks_.struct_size = sizeof(cf_sf_callbacks);
}

void Instance::DrainToCallbacks() {
  cf_sf_callbacks cb;
  {
    std::lock_guard<std::mutex> lock(callbacks_mu_);
    cb = callbacks_;
  }
  std::deque<std::string> host_actions, outcomes;
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    if (cb.on_host_action != nullptr) host_actions.swap(polled_host_actions_);
    if (cb.on_action_outcome != nullptr) outcomes.swap(polled_outcomes_);
  }
  for (const std::string& t : host_actions) cb.on_host_action(cb.user_data, t.c_str(), t.size());
  for (const std::string& t : outcomes) cb.on_action_outcome(cb.user_data, t.c_str(), t.size());
}

namespace {
// Deliveries kept for a polling host at most; beyond, host actions stay pending in the outbox
// (retried later) and the oldest outcomes are dropped (they stay recorded in the outbox).
constexpr size_t kMaxPolled = 10000;
}  // namespace

bool Instance::DeliverHostAction(const engine::OutboundAction& action) {
  std::string text = Dump(json{{"action_id", action.key},
                               {"kind", ActionKindName(action.kind)},
                               {"arguments", action.arguments}});
  cf_sf_callbacks cb;
  {
    std::lock_guard<std::mutex> lock(callbacks_mu_);
    cb = callbacks_;
  }
  if (cb.on_host_action != nullptr) {
    cb.on_host_action(cb.user_data, text.c_str(), text.size());
    return true;
  }
  std::lock_guard<std::mutex> lock(poll_mu_);
  if (polled_host_actions_.size() >= kMaxPolled) return false;  // stays pending, durable
  polled_host_actions_.push_back(std::move(text));
  return true;
}

void Instance::DeliverOutcome(const engine::ActionReport& report) {
  json out = {{"action_id", report.key},
              {"kind", ActionKindName(report.kind)},
              {"status", report.ok ? "succeeded" : "failed"},
              {"attempts", report.attempts}};
  if (!report.object.empty()) out["object"] = report.object;
  if (!report.record_id.empty()) out["record_id"] = report.record_id;
  if (!report.error.empty()) out["error"] = report.error;
  if (report.merged_into != 0) out["merged_into"] = outbox_->KeyFor(report.merged_into);
  std::string text = Dump(out);
  cf_sf_callbacks cb;
  {
    std::lock_guard<std::mutex> lock(callbacks_mu_);
    cb = callbacks_;
  }
  if (cb.on_action_outcome != nullptr) {
    cb.on_action_outcome(cb.user_data, text.c_str(), text.size());
    return;
  }
  std::lock_guard<std::mutex> lock(poll_mu_);
  if (polled_outcomes_.size() >= kMaxPolled) polled_outcomes_.pop_front();
  polled_outcomes_.push_back(std::move(text));
}

void Instance::WriteThrough(const engine::OutboundAction& action, const std::string& record_id) {
  std::shared_ptr<const Cache> cache = this->cache();
  if (cache == nullptr) return;
  engine::Status s = engine::WriteThrough(*cache->sink, action, record_id);
  if (!s.ok()) Log(CF_SF_LOG_WARN, "write-through of " + action.object + " failed (the next sync brings it): " + s.message());
}

Outcome Instance::Poll(uint32_t max) {
  json outcomes = json::array(), host_actions = json::array();
  {
    std::lock_guard<std::mutex> lock(poll_mu_);
    while (outcomes.size() < max && !polled_outcomes_.empty()) {
      outcomes.push_back(json::parse(polled_outcomes_.front()));
      polled_outcomes_.pop_front();
    }
    while (host_actions.size() < max && !polled_host_actions_.empty()) {
      host_actions.push_back(json::parse(polled_host_actions_.front()));
      polled_host_actions_.pop_front();
    }
  }
  return Outcome::Ok(Dump(json{{"outcomes", std::move(outcomes)}, {"host_actions", std::move(host_actions)}}));
}

void ConnectorSlot::Install(std::shared_ptr<engine::Connector> connector) {
  std::lock_guard<std::mutex> lock(mu_);
  connector_ = std::move(connector);
}

std::vector<engine::ActionOutcome> ConnectorSlot::Write(const std::vector<engine::OutboundAction>& batch) {
  std::shared_ptr<engine::Connector> connector;
  {
    std::lock_guard<std::mutex> lock(mu_);
    connector = connector_;
  }
  if (connector != nullptr) return connector->Write(batch);
  engine::ActionOutcome hold;
  hold.kind = engine::ActionOutcome::Kind::kHold;
  hold.error = "not connected to Salesforce: the action waits in the outbox until connect";
  hold.retry_at = std::chrono::system_clock::now() + std::chrono::seconds(30);
  return std::vector<engine::ActionOutcome>(batch.size(), hold);
}

}  // namespace cf::plugin
