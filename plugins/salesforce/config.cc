#include "plugins/salesforce/config.h"

#include <cstdlib>

#include "connectors/salesforce/describe_json.h"

namespace cf::plugin {
namespace {

using nlohmann::json;

const char* JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "an unsupported value";
  }
}

// Reads members of one JSON object, naming them by path in errors, and refusing unknown keys
// (a typo in a configuration must not be silently ignored).
class Reader {
 public:
  Reader(const json& object, std::string path, std::string* error)
      : object_(object), path_(std::move(path)), error_(error) {}

  std::string Path(std::string_view key) const {
    std::string p = path_;
    p.append(".").append(key);
    return p;
  }
  bool Fail(std::string_view key, std::string_view message) {
    if (ok_) {
      *error_ = Path(key);
      error_->append(": ").append(message);
    }
    ok_ = false;
    return false;
  }
  const json* Find(std::string_view key) {
    known_.emplace_back(key);
    auto it = object_.find(std::string(key));
    if (it == object_.end() || it->is_null()) return nullptr;
    return &*it;
  }
  bool String(std::string_view key, std::string* out, bool required = false) {
    const json* v = Find(key);
    if (v == nullptr) return required ? Fail(key, "missing (a string is required)") : true;
    if (!v->is_string()) {
      std::string m = "expected a string, got ";
      return Fail(key, m.append(JsonTypeName(*v)));
    }
    *out = v->get<std::string>();
    return true;
  }
  // A secret: a string, or {"env": "VARIABLE"}. Its value never appears in a message.
  bool Secret(std::string_view key, sf::SecretString* out) {
    const json* v = Find(key);
    if (v == nullptr) return true;
    if (v->is_string()) {
      std::string text = v->get<std::string>();
      *out = sf::SecretString::Take(&text);
      return true;
    }
    if (v->is_object() && v->size() == 1 && v->contains("env") && (*v)["env"].is_string()) {
      std::string name = (*v)["env"].get<std::string>();
      const char* value = std::getenv(name.c_str());
      if (value == nullptr || *value == '\0') {
        std::string m = "the environment variable ";
        return Fail(key, m.append(name).append(" named here is not set"));
      }
      *out = sf::SecretString(value);
      return true;
    }
    return Fail(key, "expected a string or {\"env\": \"VARIABLE\"}");
  }
  bool Bool(std::string_view key, bool* out) {
    const json* v = Find(key);
    if (v == nullptr) return true;
    if (!v->is_boolean()) {
      std::string m = "expected true or false, got ";
      return Fail(key, m.append(JsonTypeName(*v)));
    }
    *out = v->get<bool>();
    return true;
  }
  bool Number(std::string_view key, double min, double max, double* out) {
    const json* v = Find(key);
    if (v == nullptr) return true;
    if (!v->is_number()) {
      std::string m = "expected a number, got ";
      return Fail(key, m.append(JsonTypeName(*v)));
    }
    double d = v->get<double>();
    if (!(d >= min && d <= max)) {
      std::string m = "expected a number in [";
      return Fail(key, m.append(std::to_string(min)).append(", ").append(std::to_string(max)).append("]"));
    }
    *out = d;
    return true;
  }
  bool Int(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    const json* v = Find(key);
    if (v == nullptr) return true;
    if (!v->is_number_integer() && !v->is_number_unsigned()) {
      std::string m = "expected an integer, got ";
      return Fail(key, m.append(JsonTypeName(*v)));
    }
    int64_t i = v->is_number_unsigned() && v->get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)
                    ? INT64_MAX
                    : v->get<int64_t>();
    if (i < min || i > max) {
      std::string m = "expected an integer in [";
      return Fail(key, m.append(std::to_string(min)).append(", ").append(std::to_string(max)).append("]"));
    }
    *out = i;
    return true;
  }
  // The member as an object (nullptr if absent); an error if it is something else.
  const json* Object(std::string_view key) {
    const json* v = Find(key);
    if (v == nullptr) return nullptr;
    if (!v->is_object()) {
      std::string m = "expected an object, got ";
      Fail(key, m.append(JsonTypeName(*v)));
      return nullptr;
    }
    return v;
  }
  // Call last: an unknown key is an error naming it.
  bool NoOthers() {
    if (!ok_) return false;
    for (auto it = object_.begin(); it != object_.end(); ++it) {
      bool known = false;
      for (const std::string& k : known_) known = known || k == it.key();
      if (!known) return Fail(it.key(), "unknown setting (docs/abi.md lists the settings)");
    }
    return true;
  }
  bool ok() const { return ok_; }

 private:
  const json& object_;
  std::string path_;
  std::string* error_;
  std::vector<std::string> known_;
  bool ok_ = true;
};

std::optional<sf::AuthMethod> AuthMethodFromName(std::string_view name) {
  for (sf::AuthMethod m : {sf::AuthMethod::kAccessToken, sf::AuthMethod::kPassword,
                           sf::AuthMethod::kAuthorizationCode, sf::AuthMethod::kRefreshToken}) {
    if (name == sf::AuthMethodName(m)) return m;
  }
  return std::nullopt;
}

bool ReadCredentials(const json& object, const std::string& path, sf::ConnectionConfig* c,
                     std::string* error) {
  Reader r(object, path, error);
  std::string method;
  if (!r.String("method", &method)) return false;
  if (!method.empty()) {
    std::optional<sf::AuthMethod> m = AuthMethodFromName(method);
    if (!m) {
      return r.Fail("method", "expected \"access_token\", \"password\", \"refresh_token\" or "
                              "\"authorization_code\", got \"" + method.substr(0, 40) + "\"");
    }
    c->auth = *m;
  }
  r.Secret("access_token", &c->access_token);
  r.Secret("refresh_token", &c->refresh_token);
  r.String("client_id", &c->client_id);
  r.Secret("client_secret", &c->client_secret);
  r.String("redirect_uri", &c->redirect_uri);
  r.String("username", &c->username);
  r.Secret("password", &c->password);
  r.String("authorization_code", &c->authorization_code);
  return r.NoOthers();
}

}  // namespace

std::optional<PluginConfig> ParseConfig(std::string_view json_text, std::string* error) {
  std::string parse_error;
  std::optional<json> parsed = sf::ParseJson(json_text, &parse_error);
  if (!parsed) {
    *error = "config: not valid JSON: " + parse_error;
    return std::nullopt;
  }
  if (!parsed->is_object()) {
    *error = std::string("config: expected a JSON object, got ") + JsonTypeName(*parsed);
    return std::nullopt;
  }
  PluginConfig config;
  sf::ConnectionConfig& c = config.connection;
  Reader r(*parsed, "config", error);
  r.String("name", &c.name, /*required=*/true);
  r.String("instance_url", &c.instance_url);
  r.String("login_url", &c.login_url);
  r.String("ca_file", &c.ca_file);
  r.String("api_version", &c.api_version);
  int64_t timeout_ms = c.timeout.count();
  r.Int("timeout_ms", 100, 600'000, &timeout_ms);
  c.timeout = std::chrono::milliseconds(timeout_ms);
  r.String("state_dir", &config.state_dir, /*required=*/true);
  r.String("rule_folder", &config.rule_folder);
  r.String("schema_file", &config.schema_file);
  r.String("time_zone", &config.time_zone);
  r.String("vault_key_file", &config.vault_key_file);
  if (!r.ok()) return std::nullopt;
  if (c.name.empty()) {
    r.Fail("name", "must not be empty (it names the connection and binds its sealed tokens)");
    return std::nullopt;
  }
  if (config.state_dir.empty()) {
    r.Fail("state_dir", "must not be empty (a directory the plugin may create and write)");
    return std::nullopt;
  }

  std::string level = "warn";
  r.String("log_level", &level);
  if (level == "error") config.log_level = CF_SF_LOG_ERROR;
  else if (level == "warn") config.log_level = CF_SF_LOG_WARN;
  else if (level == "info") config.log_level = CF_SF_LOG_INFO;
  else if (level == "debug") config.log_level = CF_SF_LOG_DEBUG;
  else if (level == "off") config.log_off = true;
  else if (r.ok()) {
    r.Fail("log_level", "expected \"error\", \"warn\", \"info\", \"debug\" or \"off\"");
  }

  if (const json* creds = r.Object("credentials")) {
    if (!ReadCredentials(*creds, r.Path("credentials"), &c, error)) return std::nullopt;
  }
  if (const json* budget = r.Object("api_budget")) {
    Reader b(*budget, r.Path("api_budget"), error);
    b.Number("share", 0.001, 1.0, &c.budget.share);
    b.Number("org_ceiling", 0.001, 1.0, &c.budget.org_ceiling);
    if (!b.NoOthers()) return std::nullopt;
  }
  if (const json* sync = r.Object("sync")) {
    Reader s(*sync, r.Path("sync"), error);
    int64_t batch = config.sync_batch_size;
    s.Int("batch_size", 200, 2000, &batch);
    config.sync_batch_size = static_cast<int>(batch);
    if (const json* objects = s.Object("objects")) {
      for (auto it = objects->begin(); it != objects->end(); ++it) {
        std::vector<std::string> fields;
        std::string path = s.Path("objects") + "." + it.key();
        if (!it->is_array()) {
          *error = path + ": expected an array of field names (may be empty)";
          return std::nullopt;
        }
        for (const json& f : *it) {
          if (!f.is_string()) {
            *error = path + ": expected field names (strings), got " + JsonTypeName(f);
            return std::nullopt;
          }
          fields.push_back(f.get<std::string>());
        }
        config.sync_objects.emplace_back(it.key(), std::move(fields));
      }
    }
    if (!s.NoOthers()) return std::nullopt;
  }
  if (const json* testing = r.Object("testing")) {
    Reader t(*testing, r.Path("testing"), error);
    t.Bool("allow_loopback", &c.allow_loopback_for_testing);
    t.Bool("allow_insecure_loopback", &c.allow_insecure_loopback_for_testing);
    if (!t.NoOthers()) return std::nullopt;
  }
  if (!r.NoOthers()) return std::nullopt;
  return config;
}

bool ApplyConnectOptions(const nlohmann::json& options, sf::ConnectionConfig* connection,
                         bool* resume, std::string* error) {
  if (!options.is_object()) {
    *error = std::string("connect: expected a JSON object, got ") + JsonTypeName(options);
    return false;
  }
  *resume = false;
  json credentials = json::object();
  Reader r(options, "connect", error);
  r.Bool("resume", resume);
  r.String("instance_url", &connection->instance_url);
  r.String("login_url", &connection->login_url);
  // Every other member is a credential, read with the configuration's rules.
  for (auto it = options.begin(); it != options.end(); ++it) {
    if (it.key() != "resume" && it.key() != "instance_url" && it.key() != "login_url") {
      credentials[it.key()] = *it;
    }
  }
  if (!r.ok()) return false;
  if (credentials.empty()) return true;
  // New credentials replace the configured ones as a whole (no mixing of two logins).
  sf::ConnectionConfig fresh = *connection;
  fresh.access_token = {};
  fresh.refresh_token = {};
  fresh.password = {};
  fresh.authorization_code.clear();
  fresh.username.clear();
  if (!ReadCredentials(credentials, "connect", &fresh, error)) return false;
  *connection = std::move(fresh);
  return true;
}

}  // namespace cf::plugin
