// cf-salesforce: the command-line tool for Salesforce admins and CI. It loads the plugin
// (libconnectflo_salesforce.so) with dlopen and drives it only through the C ABI
// (include/connectflo/salesforce_plugin.h), as the ConnectFlo host does. docs/cli.md.
//
//   cf-salesforce --config demo.json connect
//   cf-salesforce --config demo.json discover
//   cf-salesforce --config demo.json sync
//   cf-salesforce --config demo.json check examples/rules
//   cf-salesforce --config demo.json replay examples/events/day.jsonl
//
// Every command creates an instance from the configuration (its state directory keeps the
// sealed tokens, the schema and the cached records between commands), runs, and destroys it.
// Exit codes: 0 done; 1 the input was refused (rules with errors, bad events, a person not
// found); 2 bad usage or configuration; 3 Salesforce or the network refused (the message says
// which of the four troubleshooting cases applies); 4 anything else (state directory, plugin).
#include <dlfcn.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "include/connectflo/salesforce_plugin.h"

namespace {

using nlohmann::json;

constexpr int kExitOk = 0;
constexpr int kExitRefused = 1;
constexpr int kExitUsage = 2;
constexpr int kExitSalesforce = 3;
constexpr int kExitOther = 4;

constexpr char kUsage[] = R"(usage: cf-salesforce [--plugin LIB] --config FILE COMMAND [ARGS]

Drives the ConnectFlo Salesforce plugin through its C ABI, as the ConnectFlo host does.
FILE is the instance configuration (JSON, docs/abi.md "Configuration"); its state directory
keeps the sealed tokens, the schema and the cached records between commands.

commands:
  connect               log in with the configuration's credentials (OAuth) and seal the
                        tokens into the state directory
  test                  Test Connection: one API call; org, user and API usage
  status                connection, schema, rules, sync and API usage (no API call)
  discover              read the org's objects and fields (describes) and cache them; prints
                        each object with its fields, custom ones marked *
  schema [OBJECT...]    print the cached schema (every object, or the ones named)
  sync [--full]         bring the record cache up to date, with a progress bar (--full:
                        drop the cursors and reload everything)
  check [FOLDER]        compile the rule files of FOLDER (default: the configuration's
                        rule_folder) against the schema; diagnostics with carets
  preview OBJECT CONDITION
                        how many cached records of OBJECT (Account, Contact, Lead, ...) the
                        condition matches, and the first 20 (no API call)
  replay FILE [--explain]
                        send each line of FILE (one host event as JSON per line), print
                        the rules that fired and the actions they queued, then wait (up to
                        2 minutes) until the outbox has sent them
  enrich --email E | --phone P | --id ID
                        the cached Contact or Lead and its Account (no API call)
  dead-letters [--replay ACTION_ID | --replay-all]
                        the actions that failed for good, with Salesforce's error; after
                        fixing the cause, send one (and what depended on it) or all again

options:
  --plugin LIB          the plugin library (default: $CF_SALESFORCE_PLUGIN, else the one
                        built beside this tool)
  --config FILE         the instance configuration (required)
  -h, --help            this help

exit status: 0 done, 1 input refused (rule errors, bad events, not found), 2 usage or
configuration, 3 Salesforce or the network refused, 4 other failures.
)";

int ExitFor(cf_sf_status s) {
  switch (s) {
    case CF_SF_OK: return kExitOk;
    case CF_SF_RULES_INVALID:
    case CF_SF_BAD_EVENT:
    case CF_SF_NOT_FOUND: return kExitRefused;
    case CF_SF_BAD_CONFIG:
    case CF_SF_BAD_JSON:
    case CF_SF_INVALID_ARGUMENT:
    case CF_SF_VERSION_MISMATCH: return kExitUsage;
    case CF_SF_NOT_CONNECTED:
    case CF_SF_SALESFORCE_ERROR:
    case CF_SF_TIMEOUT: return kExitSalesforce;
    default: return kExitOther;
  }
}

// The loaded plugin and one instance of it. Strings the plugin returns are copied and freed
// at once.
class Plugin {
 public:
  ~Plugin() {
    if (instance_ != nullptr) {
      char* error = nullptr;
      api_->destroy(instance_, &error);
      Take(error);
    }
    // The library stays loaded until exit: plugin threads may still be winding down.
  }

  // Returns an exit code; 0 when loaded.
  int Load(const std::string& path) {
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      std::cerr << "cf-salesforce: cannot load the plugin " << path << ": " << dlerror()
                << "\n(build it with `cmake --build <build dir> --target cf_salesforce_plugin`, or "
                   "pass --plugin)\n";
      return kExitOther;
    }
    auto entry = reinterpret_cast<cf_sf_entry_fn>(dlsym(lib, CF_SF_ENTRY_SYMBOL));
    if (entry == nullptr) {
      std::cerr << "cf-salesforce: " << path << " is not the ConnectFlo Salesforce plugin (no "
                << CF_SF_ENTRY_SYMBOL << ")\n";
      return kExitOther;
    }
    cf_sf_host_info host{sizeof(cf_sf_host_info), CF_SF_ABI_VERSION, CF_SF_ABI_VERSION,
                         "cf-salesforce"};
    char error[512] = {};
    cf_sf_status s = entry(&host, &api_, error, sizeof error);
    if (s != CF_SF_OK) {
      std::cerr << "cf-salesforce: " << error << "\n";
      return ExitFor(s);
    }
    return kExitOk;
  }

  int Create(const std::string& config) {
    char* error = nullptr;
    cf_sf_status s = api_->create(config.data(), config.size(), &instance_, &error);
    return Check(s, nullptr, error);
  }

  const cf_sf_api& api() const { return *api_; }
  cf_sf_instance* instance() const { return instance_; }

  // Copies and frees a plugin string; "" for NULL.
  std::string Take(char* s) const {
    std::string out = s == nullptr ? "" : s;
    api_->free_string(s);
    return out;
  }

  // Reports a failed call on stderr; returns its exit code. `out_json`, when given and
  // non-NULL, is freed too.
  int Check(cf_sf_status s, char* out_json, char* error) const {
    Take(out_json);
    std::string message = Take(error);
    if (s == CF_SF_OK) return kExitOk;
    std::cerr << "cf-salesforce: " << (message.empty() ? "failed" : message) << "\n";
    return ExitFor(s);
  }

 private:
  const cf_sf_api* api_ = nullptr;
  cf_sf_instance* instance_ = nullptr;
};

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

json Parse(const std::string& text) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? json::object() : j;
}

std::string Str(const json& j, const char* key, const char* otherwise = "") {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return otherwise;
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// Calls a function of the form f(instance, in, in_size, &out_json, &error).
template <typename Fn>
int CallJson(const Plugin& p, Fn fn, const std::string& in, json* out, cf_sf_status* status = nullptr) {
  char* out_json = nullptr;
  char* error = nullptr;
  cf_sf_status s = fn(p.instance(), in.empty() ? nullptr : in.data(), in.size(), &out_json, &error);
  if (status != nullptr) *status = s;
  *out = Parse(p.Take(out_json));
  return p.Check(s, nullptr, error);
}

// Calls a function of the form f(instance, &out_json, &error).
template <typename Fn>
int CallJson0(const Plugin& p, Fn fn, json* out) {
  char* out_json = nullptr;
  char* error = nullptr;
  cf_sf_status s = fn(p.instance(), &out_json, &error);
  *out = Parse(p.Take(out_json));
  return p.Check(s, nullptr, error);
}

int Resume(const Plugin& p) {
  json status;
  return CallJson(p, p.api().connect, R"({"resume": true})", &status);
}

void PrintStatus(const json& s) {
  const json connection = s.value("connection", json::object());
  std::cout << "connection: "
            << (connection.is_object() ? Str(connection, "state") : Str(s, "connection"));
  if (connection.is_object() && !Str(connection, "instance_url").empty()) {
    std::cout << " to " << Str(connection, "instance_url");
  }
  if (connection.is_object() && !Str(connection, "reason").empty()) {
    std::cout << " (" << Str(connection, "reason") << ")";
  }
  std::cout << "\n";
  for (const char* part : {"api", "schema", "rules", "sync"}) {
    if (s.contains(part)) std::cout << part << ": " << s[part].dump() << "\n";
  }
}

int CmdConnect(const Plugin& p) {
  json status;
  if (int rc = CallJson(p, p.api().connect, "", &status)) return rc;
  std::cout << "connected; tokens sealed in the state directory\n";
  PrintStatus(status);
  return kExitOk;
}

int CmdTest(const Plugin& p) {
  if (int rc = Resume(p)) return rc;
  json r;
  if (int rc = CallJson0(p, p.api().test_connection, &r)) return rc;
  std::cout << Str(r, "summary", r.dump().c_str()) << "\n";
  return kExitOk;
}

int CmdStatus(const Plugin& p) {
  json r;
  if (int rc = CallJson0(p, p.api().status, &r)) return rc;
  PrintStatus(r);
  return kExitOk;
}

void PrintSchema(const json& schema) {
  for (const json& o : schema.value("objects", json::array())) {
    const auto fields = o.value("fields", json::array());
    std::cout << Str(o, "name") << (o.value("custom", false) ? " *" : "") << "  (" << Str(o, "label")
              << ", " << fields.size() << " fields)\n";
    for (const json& f : fields) {
      std::cout << "    " << Str(f, "name") << (f.value("custom", false) ? " *" : "") << "  "
                << Str(f, "type") << "  " << Str(f, "label") << "\n";
    }
  }
  std::cout << "(* custom)\n";
}

int CmdDiscover(const Plugin& p) {
  if (int rc = Resume(p)) return rc;
  json r;
  if (int rc = CallJson(p, p.api().discover, "", &r)) return rc;
  for (const json& w : r.value("warnings", json::array())) std::cerr << "warning: " << w.dump() << "\n";
  json schema;
  if (int rc = CallJson(p, p.api().get_schema, "", &schema)) return rc;
  PrintSchema(schema);
  std::cout << "discovered " << Str(r, "objects") << " objects with " << Str(r, "api_calls")
            << " API calls\n";
  return kExitOk;
}

int CmdSchema(const Plugin& p, const std::vector<std::string>& objects) {
  json names = json::array();
  for (const std::string& o : objects) names.push_back(o);
  json schema;
  if (int rc = CallJson(p, p.api().get_schema, objects.empty() ? "" : names.dump(), &schema)) return rc;
  PrintSchema(schema);
  return kExitOk;
}

std::string Bar(int64_t done, int64_t total) {
  constexpr int kWidth = 30;
  int filled = total > 0 ? static_cast<int>(kWidth * std::min<int64_t>(done, total) / total) : 0;
  return "[" + std::string(static_cast<size_t>(filled), '#') +
         std::string(static_cast<size_t>(kWidth - filled), ' ') + "]";
}

int CmdSync(const Plugin& p, bool full) {
  if (int rc = Resume(p)) return rc;
  json loaded;
  cf_sf_status load_status;
  CallJson(p, p.api().load_rules, "", &loaded, &load_status);  // rules tell what to sync
  char* error = nullptr;
  const std::string options = full ? R"({"full": true})" : "";
  cf_sf_status s = p.api().sync_start(p.instance(), options.empty() ? nullptr : options.data(),
                                      options.size(), &error);
  if (int rc = p.Check(s, nullptr, error)) return rc;
  const bool tty = isatty(STDOUT_FILENO) != 0;
  std::string last_object;
  json progress;
  // A sync reports progress at each page; the loop ends when it does (sync_wait returns
  // something other than TIMEOUT), however long the org takes.
  for (;;) {
    char* out = nullptr;
    error = nullptr;
    s = p.api().sync_wait(p.instance(), 200, &out, &error);
    progress = Parse(p.Take(out));
    const std::string object = Str(progress, "object");
    const int64_t records = progress.value("records", int64_t{0});
    const int64_t total = progress.value("total", int64_t{0});
    if (tty) {
      std::printf("\r%s %-24s %lld/%lld records   ", Bar(records, total).c_str(), object.c_str(),
                  static_cast<long long>(records), static_cast<long long>(total));
      std::fflush(stdout);
    } else if (object != last_object && !object.empty()) {
      std::printf("syncing %s\n", object.c_str());
    }
    last_object = object;
    if (s != CF_SF_TIMEOUT) {
      if (tty) std::printf("\n");
      if (int rc = p.Check(s, nullptr, error)) return rc;
      break;
    }
    p.Take(error);
  }
  int64_t upserts = 0, deletes = 0;
  for (const json& o : progress.value("objects", json::array())) {
    upserts += o.value("upserts", int64_t{0});
    deletes += o.value("deletes", int64_t{0});
    std::cout << "  " << Str(o, "object") << ": " << o.value("upserts", int64_t{0}) << " records"
              << (o.value("full_load", false) ? " (full load)" : "") << ", "
              << o.value("deletes", int64_t{0}) << " deletes, " << o.value("api_calls", int64_t{0})
              << " API calls" << (Str(o, "error").empty() ? "" : ", error: " + Str(o, "error"))
              << "\n";
  }
  std::cout << "sync " << Str(progress, "state") << ": " << upserts << " records, " << deletes
            << " deletes, " << Str(progress, "api_calls") << " API calls\n";
  return kExitOk;
}

int CmdCheck(const Plugin& p, const std::string& folder) {
  const std::string source = folder.empty() ? "" : json{{"folder", folder}}.dump();
  json r;
  const int rc = CallJson(p, p.api().load_rules, source, &r);
  for (const json& d : r.value("diagnostics", json::array())) {
    std::cerr << Str(d, "formatted", (Str(d, "file") + ": " + Str(d, "message")).c_str()) << "\n";
  }
  if (rc == kExitOk) {
    const json files = r.value("files", json());
    std::cout << Str(r, "rules") << " rules in "
              << (files.is_array() ? std::to_string(files.size()) : Str(r, "files"))
              << " files, no errors\n";
  }
  return rc;
}

void PrintResult(const json& r) {
  std::vector<std::string> fired;
  for (const json& f : r.value("fired", json::array())) fired.push_back(Str(f, "rule"));
  std::cout << "  fired: ";
  if (fired.empty()) std::cout << "(none)";
  for (size_t i = 0; i < fired.size(); ++i) std::cout << (i ? ", " : "") << '"' << fired[i] << '"';
  std::cout << "\n";
  for (const json& a : r.value("actions", json::array())) {
    std::cout << "  action " << Str(a, "action_id") << ": " << Str(a, "kind");
    if (!Str(a, "object").empty()) std::cout << " " << Str(a, "object");
    if (a.contains("arguments")) std::cout << " " << a["arguments"].dump();
    if (a.contains("fields")) std::cout << " " << a["fields"].dump();
    if (!Str(a, "dispatch").empty()) std::cout << "  [" << Str(a, "dispatch") << "]";
    std::cout << "\n";
  }
}

// Waits until the outbox has sent everything it holds (nothing pending or in flight), at most
// `limit`; reports what is left. Returns the number of actions still waiting.
int64_t WaitForOutbox(const Plugin& p, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  bool told = false;
  int64_t waiting = 0, dead = 0;
  for (;;) {
    json status;
    if (CallJson0(p, p.api().status, &status) != kExitOk) return -1;
    const json outbox = status.value("outbox", json::object());
    waiting = outbox.value("pending", int64_t{0}) + outbox.value("in_flight", int64_t{0});
    dead = outbox.value("dead", int64_t{0});
    if (waiting == 0 || std::chrono::steady_clock::now() >= deadline) break;
    if (!told) {
      std::cout << "waiting for the outbox to send " << waiting << " actions...\n" << std::flush;
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (waiting > 0) {
    std::cout << "outbox: " << waiting << " actions still waiting (they stay queued and go out "
              << "with the next command or host start)";
  } else {
    std::cout << "outbox: every accepted action has left";
  }
  std::cout << "; " << dead << " dead letters (cf-salesforce dead-letters)\n";
  return waiting;
}

int CmdReplay(const Plugin& p, const std::string& file, bool explain) {
  std::ifstream in(file);
  if (!in) {
    std::cerr << "cf-salesforce: cannot read " << file << "\n";
    return kExitUsage;
  }
  json loaded;
  if (int rc = CallJson(p, p.api().load_rules, "", &loaded)) return rc;
  std::string line;
  int events = 0, bad = 0, fired = 0, actions = 0;
  for (int n = 1; std::getline(in, line); ++n) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    ++events;
    char* out = nullptr;
    char* error = nullptr;
    cf_sf_status s = p.api().send_event(p.instance(), line.data(), line.size(),
                                        explain ? CF_SF_EVENT_EXPLAIN : 0u, &out, &error);
    json r = Parse(p.Take(out));
    std::string message = p.Take(error);
    std::cout << file << ":" << n << ": " << Str(Parse(line), "type", "?") << " "
              << Str(Parse(line), "id") << "\n";
    if (s != CF_SF_OK) {
      ++bad;
      std::cout << "  refused: " << message << "\n";
      if (s != CF_SF_BAD_EVENT) return ExitFor(s);
      continue;
    }
    PrintResult(r);
    if (explain && r.contains("report")) std::cout << Str(r, "report") << "\n";
    fired += static_cast<int>(r.value("fired", json::array()).size());
    actions += static_cast<int>(r.value("actions", json::array()).size());
  }
  std::cout << events << " events: " << fired << " rules fired, " << actions << " actions, " << bad
            << " refused\n";
  // An admin replays to see the result in Salesforce: wait (bounded) for the dispatch.
  WaitForOutbox(p, std::chrono::seconds(120));
  return bad > 0 ? kExitRefused : kExitOk;
}

int CmdPreview(const Plugin& p, const std::string& object, const std::string& condition) {
  if (!CF_SF_API_HAS(&p.api(), preview)) {
    std::cerr << "cf-salesforce: this plugin has no preview (ABI revision 1.1 or later needed)\n";
    return kExitOther;
  }
  json query = {{"object", object}, {"condition", condition}, {"limit", 20}};
  json r;
  cf_sf_status s;
  int rc = CallJson(p, p.api().preview, query.dump(), &r, &s);
  for (const json& d : r.value("diagnostics", json::array())) {
    std::cerr << Str(d, "formatted", Str(d, "message").c_str()) << "\n";
  }
  if (rc) return rc;
  std::cout << "matches " << Str(r, "matched") << " of " << Str(r, "total") << " cached "
            << Str(r, "object") << " records (" << Str(r, "unknown")
            << " unknown: a field the condition reads is null)\n";
  for (const json& id : r.value("sample_ids", json::array())) {
    std::cout << "  " << id.get<std::string>() << "\n";
  }
  return kExitOk;
}

int CmdDeadLetters(const Plugin& p, const std::vector<std::string>& args) {
  if (!CF_SF_API_HAS(&p.api(), replay_dead_letters)) {
    std::cerr << "cf-salesforce: this plugin has no dead-letter calls (ABI revision 1.1 needed)\n";
    return kExitOther;
  }
  if (args.empty()) {
    json r;
    if (int rc = CallJson(p, p.api().dead_letters, "", &r)) return rc;
    const json list = r.value("dead_letters", json::array());
    for (const json& d : list) {
      std::cout << Str(d, "action_id") << "  " << Str(d, "kind") << " " << Str(d, "object")
                << "  failed " << Str(d, "failed_at") << " after " << Str(d, "attempts")
                << " attempts: " << Str(d, "error") << "\n";
    }
    std::cout << list.size() << " dead letters\n";
    return kExitOk;
  }
  json query;
  if (args[0] == "--replay-all" && args.size() == 1) {
    query = {{"all", true}};
  } else if (args[0] == "--replay" && args.size() == 2) {
    query = {{"action_id", args[1]}};
  } else {
    std::cerr << "cf-salesforce: dead-letters takes --replay ACTION_ID or --replay-all\n";
    return kExitUsage;
  }
  if (int rc = Resume(p)) return rc;
  json r;
  cf_sf_status s;
  int rc = CallJson(p, p.api().replay_dead_letters, query.dump(), &r, &s);
  if (rc) return rc;
  std::cout << "replayed " << Str(r, "replayed") << " actions; their outcomes follow as for any "
            << "action (cf-salesforce status shows the outbox)\n";
  return kExitOk;
}

int CmdEnrich(const Plugin& p, const std::string& key, const std::string& value) {
  json query = {{key, value}};
  json r;
  cf_sf_status s;
  int rc = CallJson(p, p.api().enrich_contact, query.dump(), &r, &s);
  if (s == CF_SF_NOT_FOUND) return kExitRefused;
  if (rc) return rc;
  std::cout << r.dump(2) << "\n";
  return kExitOk;
}

std::string DefaultPlugin(const char* argv0) {
  if (const char* env = std::getenv("CF_SALESFORCE_PLUGIN")) return env;
#ifdef CF_DEFAULT_PLUGIN
  (void)argv0;
  return CF_DEFAULT_PLUGIN;
#else
  std::string self = argv0;
  return self.substr(0, self.find_last_of('/') + 1) + "libconnectflo_salesforce.so";
#endif
}

}  // namespace

int main(int argc, char** argv) {
  std::string plugin_path = DefaultPlugin(argv[0]);
  std::string config_path;
  std::vector<std::string> args;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    }
    if ((a == "--plugin" || a == "--config") && i + 1 < argc) {
      (a == "--plugin" ? plugin_path : config_path) = argv[++i];
    } else if (a == "--plugin" || a == "--config") {
      std::cerr << "cf-salesforce: " << a << " needs a value\n" << kUsage;
      return kExitUsage;
    } else {
      args.push_back(a);
    }
  }
  if (args.empty()) {
    std::cerr << kUsage;
    return kExitUsage;
  }
  const std::string command = args[0];
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  static const std::map<std::string, std::pair<size_t, size_t>> kArity = {
      {"connect", {0, 0}}, {"test", {0, 0}},  {"status", {0, 0}}, {"discover", {0, 0}},
      {"schema", {0, 99}}, {"sync", {0, 1}},  {"check", {0, 1}},  {"replay", {1, 2}}, {"preview", {2, 2}},
      {"dead-letters", {0, 2}},
      {"enrich", {2, 2}},
  };
  auto arity = kArity.find(command);
  if (arity == kArity.end()) {
    std::cerr << "cf-salesforce: unknown command '" << command << "'\n" << kUsage;
    return kExitUsage;
  }
  if (rest.size() < arity->second.first || rest.size() > arity->second.second) {
    std::cerr << "cf-salesforce: wrong arguments for '" << command << "'\n" << kUsage;
    return kExitUsage;
  }
  if (config_path.empty()) {
    std::cerr << "cf-salesforce: --config FILE is required\n" << kUsage;
    return kExitUsage;
  }
  std::optional<std::string> config = ReadFile(config_path);
  if (!config) {
    std::cerr << "cf-salesforce: cannot read the configuration " << config_path << "\n";
    return kExitUsage;
  }

  Plugin plugin;
  if (int rc = plugin.Load(plugin_path)) return rc;
  if (int rc = plugin.Create(*config)) return rc;

  if (command == "connect") return CmdConnect(plugin);
  if (command == "test") return CmdTest(plugin);
  if (command == "status") return CmdStatus(plugin);
  if (command == "discover") return CmdDiscover(plugin);
  if (command == "schema") return CmdSchema(plugin, rest);
  if (command == "sync") {
    if (!rest.empty() && rest[0] != "--full") {
      std::cerr << "cf-salesforce: sync takes only --full\n";
      return kExitUsage;
    }
    return CmdSync(plugin, !rest.empty());
  }
  if (command == "check") return CmdCheck(plugin, rest.empty() ? "" : rest[0]);
  if (command == "preview") return CmdPreview(plugin, rest[0], rest[1]);
  if (command == "dead-letters") return CmdDeadLetters(plugin, rest);
  if (command == "replay") {
    if (rest.size() == 2 && rest[1] != "--explain") {
      std::cerr << "cf-salesforce: replay takes FILE [--explain]\n";
      return kExitUsage;
    }
    return CmdReplay(plugin, rest[0], rest.size() == 2);
  }
  // enrich
  const std::string& flag = rest[0];
  if (flag != "--email" && flag != "--phone" && flag != "--id") {
    std::cerr << "cf-salesforce: enrich takes --email E, --phone P or --id ID\n";
    return kExitUsage;
  }
  return CmdEnrich(plugin, flag.substr(2), rest[1]);
}
