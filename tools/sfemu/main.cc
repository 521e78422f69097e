// sf-emulator: a Salesforce org on loopback, for tests, benchmarks and the demo.
// See docs/emulator.md, or run sf-emulator --help.
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "tools/sfemu/http_client.h"
#include "tools/sfemu/http_server.h"
#include "tools/sfemu/org.h"
#include "tools/sfemu/router.h"
#include "tools/sfemu/seed.h"
#include "tools/sfemu/test_certs.h"

namespace {

using namespace cf::sfemu;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

constexpr const char kUsage[] = R"(Usage: sf-emulator [options]
A Salesforce org on loopback: OAuth, REST (describe, SOQL query, records, collections,
composite, limits) and a test-control API under /__control/. See docs/emulator.md.

Serving:
  --seed DIR               org directory to load (default: examples/org of the source tree)
  --generate N             add N generated records (deterministic; for benchmarks): accounts,
                           contacts, opportunities, cases and leads as 1 : 3 : 2 : 2 : 2
  --generate-accounts N    the same with N accounts (10 N records in all)
  --generate-seed S        seed of the generator (default: 1)
  --host ADDR              127.0.0.1 (default), ::1 or localhost: loopback only
  --port P                 port to listen on (default: 0, an ephemeral port)
  --tls-cert FILE          serve HTTPS with this PEM certificate chain...
  --tls-key FILE           ...and this PEM private key (TLS 1.2 and up)
  --url-file FILE          write the URL listened on to FILE (removed on exit)
  --threads N              server threads (default: 4)
  --body-limit BYTES       largest request body; larger ones get 413 (default: 52428800)
  --api-limit N            daily API request limit (default: the seed's)
  --token-ttl SECONDS      access-token lifetime (default: the seed's)
  --rotate-refresh-tokens  the refresh_token grant returns a new refresh token and revokes
                           the old one
  --control-token T        /__control/ requests must send "X-Sfemu-Control-Token: T"
  --no-control             no /__control/ API at all

Tools:
  --make-test-certs DIR    write a test CA (ca.pem) and a server certificate for 127.0.0.1,
                           ::1 and localhost (server.pem, server-key.pem) into DIR, then exit
  --self-check URL         check that an emulator answers at URL (versions list, control
                           health), then exit; with --url-file, the URL is read from it
  --ca-file FILE           the CA that --self-check trusts for https URLs
  --timeout-ms MS          --self-check timeout per request (default: 10000)
  --help                   this text

Prints "listening on URL" when ready; stops cleanly on SIGINT or SIGTERM.
Exit status: 0 ok, 1 failure (org, certificates, listen, self-check), 2 bad usage.
)";

struct Args {
  std::string seed;
  int64_t generate = 0;
  uint64_t generate_seed = 1;
  ServerOptions server;
  std::string url_file;
  int64_t api_limit = -1;
  int64_t token_ttl = -1;
  bool rotate = false;
  std::string control_token;
  bool control = true;
  std::string make_certs_dir;
  bool self_check = false;
  std::string self_check_url;
  std::string ca_file;
  int64_t timeout_ms = 10000;
};

bool ParseInt(std::string_view text, int64_t min, int64_t max, int64_t* out) {
  if (text.empty()) return false;
  int64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    if (value > (max - (c - '0')) / 10) return false;
    value = value * 10 + (c - '0');
  }
  if (value < min) return false;
  *out = value;
  return true;
}

// Parses argv; false with a message on bad usage. `help` is set for --help.
bool ParseArgs(int argc, char** argv, Args* args, bool* help, std::string* error) {
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) {
        *error = std::string(arg) + " needs a value";
        return false;
      }
      *out = argv[++i];
      return true;
    };
    auto number = [&](int64_t min, int64_t max, int64_t* out) {
      std::string text;
      if (!value(&text)) return false;
      if (!ParseInt(text, min, max, out)) {
        *error = std::string(arg) + ": '" + text + "' is not a number in [" + std::to_string(min) +
                 ", " + std::to_string(max) + "]";
        return false;
      }
      return true;
    };
    int64_t n = 0;
    if (arg == "--help" || arg == "-h") {
      *help = true;
      return true;
    } else if (arg == "--seed") {
      if (!value(&args->seed)) return false;
    } else if (arg == "--generate") {
      if (!number(0, 100'000'000, &args->generate)) return false;
    } else if (arg == "--generate-accounts") {
      if (!number(0, 10'000'000, &n)) return false;
      args->generate = n * 10;
    } else if (arg == "--generate-seed") {
      if (!number(0, INT64_MAX, &n)) return false;
      args->generate_seed = static_cast<uint64_t>(n);
    } else if (arg == "--host") {
      if (!value(&args->server.host)) return false;
    } else if (arg == "--port") {
      if (!number(0, 65535, &n)) return false;
      args->server.port = static_cast<uint16_t>(n);
    } else if (arg == "--tls-cert") {
      if (!value(&args->server.tls_cert_file)) return false;
    } else if (arg == "--tls-key") {
      if (!value(&args->server.tls_key_file)) return false;
    } else if (arg == "--url-file") {
      if (!value(&args->url_file)) return false;
    } else if (arg == "--threads") {
      if (!number(1, 256, &n)) return false;
      args->server.threads = static_cast<int>(n);
    } else if (arg == "--body-limit") {
      if (!number(1, int64_t{1} << 40, &n)) return false;
      args->server.body_limit = static_cast<size_t>(n);
    } else if (arg == "--api-limit") {
      if (!number(0, INT64_MAX, &args->api_limit)) return false;
    } else if (arg == "--token-ttl") {
      if (!number(1, INT64_MAX / 1000, &args->token_ttl)) return false;
    } else if (arg == "--rotate-refresh-tokens") {
      args->rotate = true;
    } else if (arg == "--control-token") {
      if (!value(&args->control_token)) return false;
    } else if (arg == "--no-control") {
      args->control = false;
    } else if (arg == "--make-test-certs") {
      if (!value(&args->make_certs_dir)) return false;
    } else if (arg == "--self-check") {
      args->self_check = true;
      if (i + 1 < argc && argv[i + 1][0] != '-') args->self_check_url = argv[++i];
    } else if (arg == "--ca-file") {
      if (!value(&args->ca_file)) return false;
    } else if (arg == "--timeout-ms") {
      if (!number(1, 3'600'000, &args->timeout_ms)) return false;
    } else {
      *error = "unknown option '" + std::string(arg) + "'";
      return false;
    }
  }
  if (args->server.tls_cert_file.empty() != args->server.tls_key_file.empty()) {
    *error = "--tls-cert and --tls-key go together";
    return false;
  }
  return true;
}

std::string ReadFirstLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
  return line;
}

bool WriteFileAtomically(const std::string& path, const std::string& text, std::string* error) {
  std::string tmp = path + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << text;
    if (!out.flush()) {
      *error = "cannot write " + tmp;
      return false;
    }
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) {
    *error = "cannot rename " + tmp + " to " + path + ": " + ec.message();
    return false;
  }
  return true;
}

int SelfCheck(const Args& args) {
  std::string url = args.self_check_url;
  if (url.empty() && !args.url_file.empty()) url = ReadFirstLine(args.url_file);
  if (url.empty()) {
    std::cerr << "sf-emulator: --self-check needs a URL (or --url-file)\n";
    return kExitUsage;
  }
  ClientOptions options;
  options.ca_file = args.ca_file;
  options.timeout = std::chrono::milliseconds(args.timeout_ms);
  HttpClient client(url, options);
  ClientResponse versions = client.Get("/services/data");
  nlohmann::json list = versions.Json();
  if (!versions.ok() || versions.status != 200 || !list.is_array() || list.empty() ||
      !list.back().contains("url")) {
    std::cerr << "sf-emulator: self-check of " << url << " failed: GET /services/data -> "
              << (versions.ok() ? std::to_string(versions.status) + " " + versions.body : versions.error)
              << "\n";
    return kExitFailure;
  }
  HeaderList control_headers;
  if (!args.control_token.empty()) control_headers.emplace_back("X-Sfemu-Control-Token", args.control_token);
  ClientResponse health = client.Get("/__control/health", control_headers);
  if (!health.ok() || health.status != 200) {
    std::cerr << "sf-emulator: self-check of " << url << " failed: GET /__control/health -> "
              << (health.ok() ? std::to_string(health.status) : health.error) << "\n";
    return kExitFailure;
  }
  std::cout << "ok: " << url << " serves API versions " << list.front().value("version", "?")
            << " to " << list.back().value("version", "?") << "\n";
  return kExitOk;
}

int Serve(const Args& args) {
  // Signals are taken by sigwait below: block them before any thread starts.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::string error;
  std::string dir = args.seed.empty() ? DefaultOrgDir() : args.seed;
  std::unique_ptr<Org> org;
  if (args.generate > 0) {
    GenerateOptions generate;
    generate.records = args.generate;
    generate.seed = args.generate_seed;
    org = GenerateOrg(dir, generate, &error);
  } else {
    org = LoadSeedOrg(dir, &error);
  }
  if (!org) {
    std::cerr << "sf-emulator: cannot load the org from " << dir << ": " << error << "\n";
    return kExitFailure;
  }
  if (args.api_limit >= 0) org->SetApiUsage(org->api_used(), args.api_limit);
  if (args.token_ttl > 0) org->limits().access_token_ttl_seconds = args.token_ttl;
  if (args.rotate) org->limits().rotate_refresh_tokens = true;

  RouterOptions router_options;
  router_options.control_token = args.control_token;
  router_options.control_enabled = args.control;
  Router router(*org, router_options);
  HttpServer server(args.server, [&router](const HttpRequest& req) { return router.Handle(req); });
  if (!server.Listen(&error)) {
    std::cerr << "sf-emulator: " << error << "\n";
    return kExitFailure;
  }
  router.SetInstanceUrl(server.url());
  server.Start();
  if (!args.url_file.empty() && !WriteFileAtomically(args.url_file, server.url() + "\n", &error)) {
    std::cerr << "sf-emulator: " << error << "\n";
    server.Stop();
    return kExitFailure;
  }
  std::cout << "listening on " << server.url() << std::endl;

  int signal = 0;
  sigwait(&signals, &signal);
  std::cout << "sf-emulator: " << (signal == SIGINT ? "SIGINT" : "SIGTERM") << ", stopping" << std::endl;
  server.Stop();
  if (!args.url_file.empty()) {
    std::error_code ec;
    std::filesystem::remove(args.url_file, ec);
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  Args args;
  bool help = false;
  std::string error;
  if (!ParseArgs(argc, argv, &args, &help, &error)) {
    std::cerr << "sf-emulator: " << error << "\n(see sf-emulator --help)\n";
    return kExitUsage;
  }
  if (help) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (!args.make_certs_dir.empty()) {
    TestCertificates certs;
    if (!MakeTestCertificates(args.make_certs_dir, &certs, &error)) {
      std::cerr << "sf-emulator: " << error << "\n";
      return kExitFailure;
    }
    std::cout << "ca " << certs.ca_cert << "\ncert " << certs.server_cert << "\nkey " << certs.server_key << "\n";
    return kExitOk;
  }
  if (args.self_check) return SelfCheck(args);
  try {
    return Serve(args);
  } catch (const std::exception& e) {
    std::cerr << "sf-emulator: " << e.what() << "\n";
    return kExitFailure;
  }
}
