#include "tests/emulator/emulator_fixture.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "tools/sfemu/oauth.h"
#include "tools/sfemu/seed.h"

namespace cf::sfemu::testing {

namespace {

std::string TempDir() {
  static std::atomic<int> counter{0};
  std::filesystem::path base = std::filesystem::temp_directory_path();
  std::string name = "sfemu-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::filesystem::path dir = base / name;
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace

bool LoadTestOrg(Org& org, std::string* error) {
  return LoadSeedInto(org, std::string(CF_SOURCE_DIR) + "/examples/org", error);
}

Emulator::Emulator(EmulatorOptions options) : options_(std::move(options)) {
  org_ = std::make_unique<Org>();
  std::string error;
  if (!LoadTestOrg(*org_, &error)) {
    ADD_FAILURE() << "loading the test org: " << error;
    return;
  }
  if (options_.customize) options_.customize(*org_);

  RouterOptions router_options;
  router_options.control_token = options_.control_token;
  router_options.control_enabled = options_.control_enabled;
  router_ = std::make_unique<Router>(*org_, router_options);

  ServerOptions server_options;
  server_options.threads = options_.threads;
  server_options.body_limit = options_.body_limit;
  if (options_.tls) {
    cert_dir_ = TempDir();
    if (!MakeTestCertificates(cert_dir_, &certs_, &error)) {
      ADD_FAILURE() << "making test certificates: " << error;
      return;
    }
    server_options.tls_cert_file = certs_.server_cert;
    server_options.tls_key_file = certs_.server_key;
  }
  Router* router = router_.get();
  server_ = std::make_unique<HttpServer>(
      server_options, [router](const HttpRequest& req) { return router->Handle(req); });
  if (!server_->Listen(&error)) {
    ADD_FAILURE() << "emulator listen: " << error;
    return;
  }
  base_url_ = server_->url();
  router_->SetInstanceUrl(base_url_);
  server_->Start();
  client_ = std::make_unique<HttpClient>(NewClient());
  ok_ = true;
}

Emulator::~Emulator() {
  client_.reset();
  if (server_) server_->Stop();
  server_.reset();
  if (!cert_dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(cert_dir_, ec);
  }
}

uint16_t Emulator::port() const { return server_->port(); }

std::string Emulator::ApiPath(std::string_view rest) {
  std::string path = "/services/data/v" + std::string(kApiVersion) + "/";
  path += rest;
  return path;
}

const OrgUser& Emulator::integration_user() const {
  for (const OrgUser& user : org_->users()) {
    if (user.integration) return user;
  }
  return org_->users().front();
}

HttpClient Emulator::NewClient() const { return NewClient(options_.client_timeout); }

HttpClient Emulator::NewClient(std::chrono::milliseconds timeout) const {
  ClientOptions client_options;
  client_options.ca_file = certs_.ca_cert;
  client_options.timeout = timeout;
  return HttpClient(base_url_, client_options);
}

ClientResponse Emulator::PasswordGrant(std::string_view username, std::string_view password) {
  std::string body = "grant_type=password&client_id=" + PercentEncode(app().client_id) +
                     "&client_secret=" + PercentEncode(app().client_secret) +
                     "&username=" + PercentEncode(username) + "&password=" + PercentEncode(password);
  return client_->Request("POST", "/services/oauth2/token", body,
                          {{"Content-Type", "application/x-www-form-urlencoded"}});
}

const std::string& Emulator::AccessToken(bool refresh) {
  if (token_.empty() || refresh) {
    const OrgUser& user = integration_user();
    ClientResponse r = PasswordGrant(user.username, user.password);
    nlohmann::json j = r.Json();
    if (r.status != 200 || !j.is_object() || !j.contains("access_token")) {
      ADD_FAILURE() << "password grant failed: " << r.status << " " << r.error << " " << r.body;
      token_.clear();
    } else {
      token_ = j["access_token"].get<std::string>();
    }
  }
  return token_;
}

ClientResponse Emulator::Get(std::string_view target) { return Call("GET", target); }

ClientResponse Emulator::Call(std::string_view method, std::string_view target,
                              std::string_view body) {
  HeaderList headers = {{"Authorization", "Bearer " + AccessToken()}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  return client_->Request(method, target, body, headers);
}

ClientResponse Emulator::Raw(std::string_view method, std::string_view target,
                             std::string_view body, const HeaderList& headers) {
  return client_->Request(method, target, body, headers);
}

ClientResponse Emulator::ControlRequest(std::string_view method, std::string_view path,
                                 const nlohmann::json& body) {
  HeaderList headers;
  if (!options_.control_token.empty()) {
    headers.emplace_back(std::string(sfemu::Control::kTokenHeader), options_.control_token);
  }
  std::string text;
  if (!body.is_null()) {
    text = body.dump();
    headers.emplace_back("Content-Type", "application/json");
  }
  std::string target = std::string(sfemu::Control::kPrefix) + std::string(path);
  return client_->Request(method, target, text, headers);
}

void EmulatorFixture::SetUp() {
  emu_ = std::make_unique<Emulator>(Options());
  ASSERT_TRUE(emu_->ok());
}

void EmulatorFixture::TearDown() { emu_.reset(); }

namespace {

const char* TypeName(const nlohmann::json& j) {
  if (j.is_number()) return "number";
  return j.type_name();
}

void CompareShapeAt(const nlohmann::json& expected, const nlohmann::json& actual,
                    const std::string& where, bool allow_extra, std::ostringstream& out) {
  if (std::string(TypeName(expected)) != TypeName(actual)) {
    out << where << ": expected " << TypeName(expected) << ", got " << TypeName(actual) << "\n";
    return;
  }
  if (expected.is_object()) {
    for (auto it = expected.begin(); it != expected.end(); ++it) {
      if (!actual.contains(it.key())) {
        out << where << "." << it.key() << ": missing\n";
        continue;
      }
      CompareShapeAt(it.value(), actual[it.key()], where + "." + it.key(), allow_extra, out);
    }
    if (!allow_extra) {
      for (auto it = actual.begin(); it != actual.end(); ++it) {
        if (!expected.contains(it.key())) out << where << "." << it.key() << ": unexpected\n";
      }
    }
  } else if (expected.is_array() && !expected.empty() && !actual.empty()) {
    CompareShapeAt(expected.front(), actual.front(), where + "[0]", allow_extra, out);
  }
}

}  // namespace

std::string CompareShape(const nlohmann::json& expected, const nlohmann::json& actual,
                         bool allow_extra) {
  std::ostringstream out;
  CompareShapeAt(expected, actual, "$", allow_extra, out);
  return out.str();
}

std::string RawExchange(uint16_t port, std::string_view bytes, std::chrono::milliseconds timeout,
                        bool* closed) {
  if (closed) *closed = false;
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return {};
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  std::string received;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    size_t sent = 0;
    while (sent < bytes.size()) {
      ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
      if (n <= 0) break;
      sent += static_cast<size_t>(n);
    }
    auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    for (;;) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        if (closed) *closed = true;
        break;
      }
      received.append(buffer, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return received;
}

std::string ReadTestData(std::string_view relative_path) {
  std::ifstream in(std::string(CF_TEST_DATA_DIR) + "/" + std::string(relative_path),
                   std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace cf::sfemu::testing
