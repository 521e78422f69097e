// The emulator's HTTP/1.1 transport: a Boost.Beast server on a loopback address, plain or TLS,
// with keep-alive and a pool of threads. It turns each request into an HttpRequest, calls the
// handler, and writes the HttpResponse, applying its transport faults (delay, reset mid-body).
//
//   HttpServer server(options, [&](const HttpRequest& r) { return router.Handle(r); });
//   if (!server.Listen(&error)) ...          // binds; url() and port() are known from here
//   router.SetInstanceUrl(server.url());
//   server.Start();                          // serves on options.threads threads
//   ...
//   server.Stop();                           // or let the destructor stop it
//
// Robustness: malformed requests get 400 and the connection is closed; bodies over
// body_limit get 413 with a Salesforce-style JSON error; a client that disconnects at any point
// only ends its own connection; an exception from the handler becomes a 500 (the handler
// should not throw: Router::Handle never does).
//
// Thread safety: Listen/Start/Stop are called from one controlling thread. The handler is
// called concurrently from the pool threads and must be thread-safe.
#ifndef CF_TOOLS_SFEMU_HTTP_SERVER_H_
#define CF_TOOLS_SFEMU_HTTP_SERVER_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "tools/sfemu/http_types.h"

namespace cf::sfemu {

struct ServerOptions {
  // Address to bind. Only loopback addresses are accepted ("127.0.0.1", "::1", "localhost").
  // Default: "127.0.0.1".
  std::string host = "127.0.0.1";
  // Port; 0 picks an ephemeral port. Default: 0.
  uint16_t port = 0;
  // Threads that run connections and the handler. Default: 4.
  int threads = 4;
  // Largest request body accepted; larger ones get 413. Default: 50 MiB.
  size_t body_limit = size_t{50} << 20;
  // Largest request line plus headers; larger ones get 431, as Salesforce answers URIs over
  // its documented 16,384 bytes. Default: 16 KiB.
  size_t header_limit = size_t{16} << 10;
  // TLS when both are set: PEM certificate chain and PEM private key files. TLS 1.2 and up.
  std::string tls_cert_file;
  std::string tls_key_file;
  // A connection idle (or a read/write stalled) this long is closed. Default: 60 s.
  std::chrono::milliseconds idle_timeout{60000};
  // HttpResponse::delay is clamped to this. Default: 120 s.
  std::chrono::milliseconds max_delay{120000};
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

class HttpServer {
 public:
  HttpServer(ServerOptions options, HttpHandler handler);
  ~HttpServer();  // Stop()s
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Loads the TLS files (if any) and binds. False with a message on failure (non-loopback
  // host, port in use, unreadable certificate...).
  bool Listen(std::string* error);
  // Starts accepting on the pool threads. REQUIRES: Listen() succeeded.
  void Start();
  // Stops accepting, closes every connection and joins the threads. Idempotent.
  void Stop();

  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT" ("[::1]" for IPv6). After Listen().
  std::string url() const;
  uint16_t port() const;
  bool tls() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Splits a request target into its percent-decoded path and query parameters ('+' is a space
// in the query). Malformed escapes are kept literally. A repeated parameter keeps its first
// value.
void ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* query);
// Percent-decoding; with `plus_is_space`, '+' decodes to ' ' (form and query encoding).
std::string PercentDecode(std::string_view text, bool plus_is_space);
// "a=1&b=two+words" -> {a: "1", b: "two words"}: application/x-www-form-urlencoded.
std::map<std::string, std::string> ParseFormEncoded(std::string_view text);
// Percent-encodes everything but unreserved characters (RFC 3986).
std::string PercentEncode(std::string_view text);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_HTTP_SERVER_H_
