// HTTP(S) requests to Salesforce: one request in, one complete answer (or a classified
// transport failure) out. The connector's only door to the network.
//
// Start here:
//   TransportOptions options;
//   options.ca_file = "/etc/connectflo/ca.pem";          // optional extra trust anchor
//   std::string error;
//   std::shared_ptr<HttpTransport> http = MakeHttpTransport(options, &error);
//   HttpResult r = http->Send({"GET", "https://acme.my.salesforce.com/services/data", {}, ""});
//   if (const TransportError* e = r.error()) report(ClassifyTransport(e->failure, e->detail));
//   else use(r.response().status, r.response().body);
//
// Security: TLS 1.2 or newer, the server's certificate chain and host name always verified
// (the system's trust store, plus `ca_file` when given); there is no switch to turn
// verification off. Plain http is refused for every host except loopback, and for loopback
// only when `allow_insecure_loopback` is set (tests and the demo's plain emulator).
//
// Secrets: requests carry tokens in headers and bodies; the transport never logs and never puts
// a header, a body or a query string into an error detail (details name the scheme, host, port
// and path only).
//
// Thread safety: Send may be called from any number of threads at once; connections are pooled
// per scheme://host:port and reused (keep-alive). Nothing throws.
#ifndef CF_CONNECTORS_SALESFORCE_HTTP_TRANSPORT_H_
#define CF_CONNECTORS_SALESFORCE_HTTP_TRANSPORT_H_

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "connectors/salesforce/sf_errors.h"

namespace cf::sf {

struct HttpHeader {
  std::string name;
  std::string value;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE"
  std::string url;     // absolute: "https://host[:port]/path[?query]", query already encoded
  std::vector<HttpHeader> headers;
  std::string body;  // sent when not empty; give its Content-Type in `headers`
};

struct HttpResponse {
  int status = 0;
  std::vector<HttpHeader> headers;
  std::string body;

  // The first header named `name` (case-insensitive), or empty.
  std::string_view Header(std::string_view name) const;
};

struct TransportError {
  TransportFailure failure = TransportFailure::kOther;
  std::string detail;  // "GET https://host:443/services/data/v60.0/query: connection reset"
};

// An answer or a transport failure.
class HttpResult {
 public:
  HttpResult(HttpResponse response) : value_(std::move(response)) {}  // NOLINT: implicit
  HttpResult(TransportError error) : value_(std::move(error)) {}      // NOLINT: implicit

  bool ok() const { return std::holds_alternative<HttpResponse>(value_); }
  // nullptr when there is an answer.
  const TransportError* error() const { return std::get_if<TransportError>(&value_); }
  // REQUIRES: ok().
  const HttpResponse& response() const { return std::get<HttpResponse>(value_); }
  HttpResponse& response() { return std::get<HttpResponse>(value_); }

 private:
  std::variant<HttpResponse, TransportError> value_;
};

// Sends requests. Implementations are thread-safe and never throw.
class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Sends `request` and waits for the complete answer, or the timeout.
  virtual HttpResult Send(const HttpRequest& request) = 0;
};

struct TransportOptions {
  // Longest wait for each send or receive step of one request (connect, TLS, headers, body).
  // Default: 30 s.
  std::chrono::milliseconds timeout{30'000};
  // A PEM file of CA certificates trusted in addition to the system store (a corporate proxy's
  // CA, or the emulator's test CA). Checked when the transport is made. Default: none.
  std::string ca_file;
  // Testing only: allow plain http to loopback hosts (127.0.0.0/8, ::1, localhost).
  // Default: false.
  bool allow_insecure_loopback = false;
  // Answers larger than this fail with kOther ("answer too large") instead of exhausting
  // memory. Default: 256 MiB (a full query page is a few MB).
  size_t max_answer_bytes = size_t{256} << 20;
  // Sent as User-Agent.
  std::string user_agent = "ConnectFlo-Salesforce-Rules/1.0";
};

// The cpprestsdk implementation. Returns nullptr and sets *error (when not null) if `ca_file`
// cannot be read or holds no certificate.
std::shared_ptr<HttpTransport> MakeHttpTransport(const TransportOptions& options,
                                                 std::string* error);

// "application/x-www-form-urlencoded" encoding of one name or value (RFC 3986 unreserved
// characters kept, space as "+", everything else %XX). Used for OAuth bodies and query strings.
std::string FormEncode(std::string_view text);
// Percent-encodes a query parameter value or a path segment (space as "%20").
std::string PercentEncode(std::string_view text);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_HTTP_TRANSPORT_H_
