// A small blocking HTTP/1.1 client (Boost.Beast) for the emulator's self-check and tests:
// keep-alive on one connection, plain or TLS with certificate verification always on (the
// server certificate must chain to the given CA file and match the host), a timeout per call.
// Transport failures (refused, reset, timeout, TLS verification) come back as data, not
// exceptions, so that tests can assert them.
//
// Thread safety: one HttpClient per thread.
#ifndef CF_TOOLS_SFEMU_HTTP_CLIENT_H_
#define CF_TOOLS_SFEMU_HTTP_CLIENT_H_

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cf::sfemu {

struct ClientOptions {
  // For https: the PEM file of the CA to trust (verification is never turned off; without a CA
  // file the system's default trust store is used). Default: none.
  std::string ca_file;
  // Bound on connecting, on writing a request and on reading its answer. Default: 30 s.
  std::chrono::milliseconds timeout{30000};
};

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct ClientResponse {
  int status = 0;      // 0 when the exchange failed
  std::string error;   // transport error ("timeout", "Connection reset by peer", ...); empty on success
  HeaderList headers;  // names lower-cased, in order
  std::string body;

  bool ok() const { return error.empty(); }
  std::string Header(std::string_view lower_name) const;
  // The body parsed as JSON; a JSON null if it is not JSON.
  nlohmann::json Json() const;
};

class HttpClient {
 public:
  // base_url: "http://127.0.0.1:8080" or "https://localhost:8443" (no path).
  explicit HttpClient(std::string base_url, ClientOptions options = {});
  ~HttpClient();
  HttpClient(HttpClient&&) noexcept;
  HttpClient& operator=(HttpClient&&) noexcept;

  // One exchange on the current connection (opened when needed). After a transport error or
  // a "Connection: close" answer, the next call opens a new connection.
  ClientResponse Request(std::string_view method, std::string_view target,
                         std::string_view body = {}, const HeaderList& headers = {});
  ClientResponse Get(std::string_view target, const HeaderList& headers = {}) {
    return Request("GET", target, {}, headers);
  }

  void set_timeout(std::chrono::milliseconds timeout);
  // Connections opened so far (keep-alive checks).
  int connections_opened() const;
  void Close();
  const std::string& base_url() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_HTTP_CLIENT_H_
