// INTERNAL to the plugin: an instance's configuration (the JSON given to cf_sf_api.create),
// read and checked. docs/abi.md, "Configuration", lists every field.
//
// Errors name the field as a JSON path ("config.credentials.username: expected a string") and
// never quote a secret's value. Secrets may be given literally or by reference to an
// environment variable ({"env": "SF_PASSWORD"}), read once, here.
//
// Thread safety: a PluginConfig is a value; ParseConfig is reentrant.
#ifndef CF_PLUGINS_SALESFORCE_CONFIG_H_
#define CF_PLUGINS_SALESFORCE_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/connection.h"
#include "include/connectflo/salesforce_plugin.h"

namespace cf::plugin {

struct PluginConfig {
  // The connection's settings (name, URLs, credentials, budget, CA, testing switches).
  sf::ConnectionConfig connection;
  std::string state_dir;    // required: one per instance
  std::string rule_folder;  // optional: load_rules without a source reads it
  std::string schema_file;  // optional: a describe folder used until discover runs (offline)
  // sync.objects: object -> fields; empty: what the rules read (RuleSetFieldRefs).
  std::vector<std::pair<std::string, std::vector<std::string>>> sync_objects;
  int sync_batch_size = 2000;
  std::string time_zone = "UTC";
  cf_sf_log_level log_level = CF_SF_LOG_WARN;
  bool log_off = false;
  // Where the vault's keys come from: a key file, or (empty) the environment
  // (CF_VAULT_KEY_FILE, CF_VAULT_KEY or CF_VAULT_KEYS; docs/key-management.md).
  std::string vault_key_file;
};

// Reads the configuration. On failure returns nullopt and sets *error to
// "config.<field>: <what is wrong>".
std::optional<PluginConfig> ParseConfig(std::string_view json_text, std::string* error);

// Reads connect()'s options into `connection` (credentials and instance_url override the
// configuration's). `*resume` is set for {"resume": true}. Errors name "connect.<field>".
bool ApplyConnectOptions(const nlohmann::json& options, sf::ConnectionConfig* connection,
                         bool* resume, std::string* error);

}  // namespace cf::plugin

#endif  // CF_PLUGINS_SALESFORCE_CONFIG_H_
