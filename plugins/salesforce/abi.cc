// The C ABI (include/connectflo/salesforce_plugin.h): the entry point, the function table and
// one thin shim per function. Two helpers carry the whole boundary policy:
//   Call()   looks the handle up, runs the body inside catch-all, and hands the outcome over
//            (Deliver);
//   Deliver() copies the JSON answer and the error into plugin-allocated strings that the host
//            frees with free_string.
// Handles are registry keys, never pointers to objects: a stale or forged handle is refused.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "include/connectflo/salesforce_plugin.h"
#include "plugins/salesforce/config.h"
#include "plugins/salesforce/instance.h"

namespace cf::plugin {
namespace {

constexpr uint32_t kMinAbi = 1;
constexpr uint32_t kMaxAbi = CF_SF_ABI_VERSION;

char* CopyString(std::string_view text) {
  char* out = static_cast<char*>(std::malloc(text.size() + 1));
  if (out == nullptr) return nullptr;
  if (!text.empty()) std::memcpy(out, text.data(), text.size());
  out[text.size()] = '\0';
  return out;
}

cf_sf_status Deliver(const Outcome& outcome, char** out_json, char** out_error) {
  if (out_json != nullptr) *out_json = outcome.json.empty() ? nullptr : CopyString(outcome.json);
  if (out_error != nullptr) {
    *out_error = outcome.status == CF_SF_OK ? nullptr : CopyString(outcome.error);
  }
  return outcome.status;
}

// Live instances by handle, and the state directories they hold.
class Registry {
 public:
  // Destroyed at exit or dlclose: instances the host did not destroy are shut down then
  // (their dispatcher and sync stop; what is pending stays in the outbox).
  static Registry& Get() {
    static Registry registry;
    return registry;
  }

  cf_sf_instance* Add(std::shared_ptr<Instance> instance, const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    // Handles are counters dressed as pointers: never reused, never dereferenced.
    next_ += 16;
    auto handle = reinterpret_cast<cf_sf_instance*>(static_cast<uintptr_t>(next_));
    instances_.emplace(handle, Entry{std::move(instance), dir});
    return handle;
  }
  std::shared_ptr<Instance> Find(cf_sf_instance* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = instances_.find(handle);
    return it == instances_.end() ? nullptr : it->second.instance;
  }
  std::shared_ptr<Instance> Remove(cf_sf_instance* handle) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = instances_.find(handle);
    if (it == instances_.end()) return nullptr;
    std::shared_ptr<Instance> instance = std::move(it->second.instance);
    dirs_.erase(it->second.dir);
    instances_.erase(it);
    return instance;
  }
  // Claims a state directory for one instance; false when a live instance holds it.
  bool Claim(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    return dirs_.insert(dir).second;
  }
  void Release(const std::string& dir) {
    std::lock_guard<std::mutex> lock(mu_);
    dirs_.erase(dir);
  }

 private:
  struct Entry {
    std::shared_ptr<Instance> instance;
    std::string dir;
  };
  std::mutex mu_;
  uintptr_t next_ = 0x10000;
  std::unordered_map<cf_sf_instance*, Entry> instances_;
  std::unordered_set<std::string> dirs_;
};

// Runs `body` for a live instance; nothing escapes.
template <typename Body>
cf_sf_status Call(cf_sf_instance* handle, char** out_json, char** out_error, Body&& body) {
  if (out_json != nullptr) *out_json = nullptr;
  if (out_error != nullptr) *out_error = nullptr;
  try {
    if (handle == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_INVALID_ARGUMENT, "instance: NULL handle"), out_json, out_error);
    }
    std::shared_ptr<Instance> instance = Registry::Get().Find(handle);
    if (instance == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_UNKNOWN_INSTANCE,
                                   "instance: not a live instance (never created, or destroyed)"),
                     out_json, out_error);
    }
    return Deliver(body(*instance), out_json, out_error);
  } catch (const std::bad_alloc&) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, "out of memory"), nullptr, out_error);
  } catch (const std::exception& e) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, std::string("internal error: ") + e.what()), nullptr, out_error);
  } catch (...) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, "internal error"), nullptr, out_error);
  }
}

// Parses an optional JSON argument: absent (NULL, 0) gives nullopt with *ok true.
std::optional<nlohmann::json> OptionalJson(const char* text, size_t size, const char* what,
                                           Outcome* failure) {
  if (text == nullptr) {
    if (size != 0) *failure = Outcome::Fail(CF_SF_INVALID_ARGUMENT, std::string(what) + ": NULL pointer with a non-zero size");
    return std::nullopt;
  }
  std::string error;
  std::optional<nlohmann::json> parsed = sf::ParseJson(std::string_view(text, size), &error);
  if (!parsed) *failure = Outcome::Fail(CF_SF_BAD_JSON, std::string(what) + ": not valid JSON: " + error);
  return parsed;
}

// ---- The shims --------------------------------------------------------------------------------

void FreeString(char* s) { std::free(s); }

cf_sf_status Create(const char* config_json, size_t config_size, cf_sf_instance** out_instance,
                    char** out_error) {
  if (out_error != nullptr) *out_error = nullptr;
  try {
    if (out_instance == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_INVALID_ARGUMENT, "out_instance: NULL"), nullptr, out_error);
    }
    *out_instance = nullptr;
    if (config_json == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_INVALID_ARGUMENT, "config: NULL (give the configuration JSON)"),
                     nullptr, out_error);
    }
    std::string error;
    std::optional<PluginConfig> config = ParseConfig(std::string_view(config_json, config_size), &error);
    if (!config) return Deliver(Outcome::Fail(CF_SF_BAD_CONFIG, error), nullptr, out_error);

    std::error_code ec;
    std::filesystem::create_directories(config->state_dir, ec);
    std::filesystem::path canonical = std::filesystem::weakly_canonical(config->state_dir, ec);
    std::string dir = ec ? config->state_dir : canonical.string();
    if (!Registry::Get().Claim(dir)) {
      return Deliver(Outcome::Fail(CF_SF_BAD_CONFIG, "config.state_dir: '" + config->state_dir +
                                                         "' is used by another live instance: give "
                                                         "each connection its own directory"),
                     nullptr, out_error);
    }
    Outcome failure;
    std::shared_ptr<Instance> instance;
    try {
      instance = Instance::Create(std::move(*config), &failure);
    } catch (...) {
      Registry::Get().Release(dir);
      throw;
    }
    if (instance == nullptr) {
      Registry::Get().Release(dir);
      return Deliver(failure, nullptr, out_error);
    }
    *out_instance = Registry::Get().Add(std::move(instance), dir);
    return CF_SF_OK;
  } catch (const std::bad_alloc&) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, "out of memory"), nullptr, out_error);
  } catch (const std::exception& e) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, std::string("internal error: ") + e.what()), nullptr, out_error);
  } catch (...) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, "internal error"), nullptr, out_error);
  }
}

cf_sf_status Destroy(cf_sf_instance* handle, char** out_error) {
  if (out_error != nullptr) *out_error = nullptr;
  try {
    if (handle == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_INVALID_ARGUMENT, "instance: NULL handle"), nullptr, out_error);
    }
    std::shared_ptr<Instance> instance = Registry::Get().Remove(handle);
    if (instance == nullptr) {
      return Deliver(Outcome::Fail(CF_SF_UNKNOWN_INSTANCE,
                                   "instance: not a live instance (never created, or destroyed)"),
                     nullptr, out_error);
    }
    instance->Shutdown();
    instance.reset();  // frees it now unless a racing call still holds it (it frees it then)
    return CF_SF_OK;
  } catch (const std::exception& e) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, std::string("internal error: ") + e.what()), nullptr, out_error);
  } catch (...) {
    return Deliver(Outcome::Fail(CF_SF_INTERNAL, "internal error"), nullptr, out_error);
  }
}

cf_sf_status Connect(cf_sf_instance* h, const char* options, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(options, size, "connect", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.Connect(parsed ? &*parsed : nullptr);
  });
}

cf_sf_status TestConnection(cf_sf_instance* h, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [](Instance& i) { return i.TestConnection(); });
}

cf_sf_status Status(cf_sf_instance* h, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [](Instance& i) { return i.Status(); });
}

cf_sf_status Discover(cf_sf_instance* h, const char* options, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(options, size, "discover", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.Discover(parsed ? &*parsed : nullptr);
  });
}

cf_sf_status GetSchema(cf_sf_instance* h, const char* objects, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(objects, size, "get_schema", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.GetSchema(parsed ? &*parsed : nullptr);
  });
}

cf_sf_status SyncStart(cf_sf_instance* h, const char* options, size_t size, char** out_error) {
  return Call(h, nullptr, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(options, size, "sync_start", &failure);
    if (failure.status != CF_SF_OK) return failure;
    bool full = false;
    if (parsed) {
      if (!parsed->is_object()) return Outcome::Fail(CF_SF_BAD_JSON, "sync_start: expected a JSON object");
      for (auto it = parsed->begin(); it != parsed->end(); ++it) {
        if (it.key() != "full" || !it->is_boolean()) {
          return Outcome::Fail(CF_SF_BAD_JSON, "sync_start." + it.key() + ": unknown option (only \"full\": boolean)");
        }
        full = it->get<bool>();
      }
    }
    return i.SyncStart(full);
  });
}

cf_sf_status SyncStop(cf_sf_instance* h, char** out_error) {
  return Call(h, nullptr, out_error, [](Instance& i) { return i.SyncStop(); });
}

cf_sf_status SyncWait(cf_sf_instance* h, uint32_t timeout_ms, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) { return i.SyncWait(timeout_ms); });
}

cf_sf_status SyncProgress(cf_sf_instance* h, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [](Instance& i) { return i.SyncProgress(); });
}

cf_sf_status LoadRules(cf_sf_instance* h, const char* source, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(source, size, "load_rules", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.LoadRules(parsed ? &*parsed : nullptr);
  });
}

cf_sf_status SendEvent(cf_sf_instance* h, const char* event, size_t size, uint32_t flags, char** out_json,
                       char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    if (event == nullptr) return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "event: NULL (give the event JSON)");
    if ((flags & ~CF_SF_EVENT_EXPLAIN) != 0) {
      return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "flags: unknown bits (only CF_SF_EVENT_EXPLAIN)");
    }
    return i.SendEvent(std::string_view(event, size), (flags & CF_SF_EVENT_EXPLAIN) != 0);
  });
}

cf_sf_status EnrichContact(cf_sf_instance* h, const char* query, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    if (query == nullptr) return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "query: NULL (give {\"email\": ...})");
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(query, size, "enrich_contact", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.Enrich(*parsed);
  });
}

cf_sf_status Preview(cf_sf_instance* h, const char* query, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    if (query == nullptr) {
      return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "query: NULL (give {\"object\": ..., \"condition\": ...})");
    }
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(query, size, "preview", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.Preview(*parsed);
  });
}

cf_sf_status DeadLetters(cf_sf_instance* h, const char* query, size_t size, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(query, size, "dead_letters", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.DeadLetters(parsed ? &*parsed : nullptr);
  });
}

cf_sf_status ReplayDeadLetters(cf_sf_instance* h, const char* query, size_t size, char** out_json,
                               char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) {
    if (query == nullptr) {
      return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "query: NULL (give {\"action_id\": ...} or {\"all\": true})");
    }
    Outcome failure;
    std::optional<nlohmann::json> parsed = OptionalJson(query, size, "replay_dead_letters", &failure);
    if (failure.status != CF_SF_OK) return failure;
    return i.ReplayDeadLetters(*parsed);
  });
}

cf_sf_status SetCallbacks(cf_sf_instance* h, const cf_sf_callbacks* callbacks, char** out_error) {
  return Call(h, nullptr, out_error, [&](Instance& i) {
    if (callbacks != nullptr && callbacks->struct_size < offsetof(cf_sf_callbacks, on_host_action)) {
      return Outcome::Fail(CF_SF_INVALID_ARGUMENT, "callbacks.struct_size: too small (set it to sizeof(cf_sf_callbacks))");
    }
    i.SetCallbacks(callbacks);
    i.DrainToCallbacks();
    return Outcome::Ok();
  });
}

cf_sf_status PollOutcomes(cf_sf_instance* h, uint32_t max, char** out_json, char** out_error) {
  return Call(h, out_json, out_error, [&](Instance& i) { return i.Poll(max); });
}

const cf_sf_api kApiV1 = {
    sizeof(cf_sf_api),
    1,
    "connectflo-salesforce",
    "0.1.0",
    &FreeString,
    &Create,
    &Destroy,
    &Connect,
    &TestConnection,
    &Status,
    &Discover,
    &GetSchema,
    &SyncStart,
    &SyncStop,
    &SyncWait,
    &SyncProgress,
    &LoadRules,
    &SendEvent,
    &EnrichContact,
    &SetCallbacks,
    &PollOutcomes,
    &Preview,
    &DeadLetters,
    &ReplayDeadLetters,
};

void WriteError(char* buffer, size_t size, std::string_view message) {
  if (buffer == nullptr || size == 0) return;
  size_t n = message.size() < size - 1 ? message.size() : size - 1;
  std::memcpy(buffer, message.data(), n);
  buffer[n] = '\0';
}

}  // namespace
}  // namespace cf::plugin

extern "C" CF_SF_EXPORT cf_sf_status cf_salesforce_plugin_entry(const cf_sf_host_info* host,
                                                                const cf_sf_api** out_api,
                                                                char* error_buffer,
                                                                size_t error_buffer_size) {
  using cf::plugin::WriteError;
  try {
    if (out_api == nullptr) {
      WriteError(error_buffer, error_buffer_size, "out_api: NULL");
      return CF_SF_INVALID_ARGUMENT;
    }
    *out_api = nullptr;
    if (host == nullptr) {
      WriteError(error_buffer, error_buffer_size, "host: NULL (give a cf_sf_host_info)");
      return CF_SF_INVALID_ARGUMENT;
    }
    if (host->struct_size < offsetof(cf_sf_host_info, host_name)) {
      WriteError(error_buffer, error_buffer_size,
                 "host.struct_size: too small (set it to sizeof(cf_sf_host_info))");
      return CF_SF_INVALID_ARGUMENT;
    }
    uint32_t lo = host->min_abi_version, hi = host->max_abi_version;
    if (lo > hi || hi < cf::plugin::kMinAbi || lo > cf::plugin::kMaxAbi) {
      std::string m = "ABI version mismatch: the host speaks versions " + std::to_string(lo) + ".." +
                      std::to_string(hi) + ", this plugin (connectflo-salesforce 0.1.0) speaks " +
                      std::to_string(cf::plugin::kMinAbi) + ".." + std::to_string(cf::plugin::kMaxAbi) +
                      ": use a plugin and host built for a common version";
      WriteError(error_buffer, error_buffer_size, m);
      return CF_SF_VERSION_MISMATCH;
    }
    // The highest common version; there is one table per version (only v1 so far).
    *out_api = &cf::plugin::kApiV1;
    WriteError(error_buffer, error_buffer_size, "");
    return CF_SF_OK;
  } catch (...) {
    WriteError(error_buffer, error_buffer_size, "internal error");
    return CF_SF_INTERNAL;
  }
}
