// The cpprestsdk (Casablanca) implementation of HttpTransport. cpprestsdk stays in this file.
#include "connectors/salesforce/http_transport.h"

#include <cpprest/http_client.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <boost/asio/ssl/context.hpp>
#include <cctype>
#include <cstdio>
#include <exception>
#include <map>
#include <mutex>
#include <system_error>

namespace cf::sf {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool ContainsIgnoreCase(std::string_view text, std::string_view part) {
  if (part.size() > text.size()) return false;
  for (size_t i = 0; i + part.size() <= text.size(); ++i) {
    if (EqualsIgnoreCase(text.substr(i, part.size()), part)) return true;
  }
  return false;
}

// The parts of an absolute URL the transport needs. No query or fragment is kept in `origin`
// or `path`, so they are safe to put into error details.
struct UrlParts {
  std::string scheme;           // "https" or "http", lowercase
  std::string host;             // lowercase, IPv6 without brackets
  std::string origin;           // "https://host:port" (IPv6 in brackets)
  std::string path_and_query;   // "/services/data?x=1"
  std::string path;             // "/services/data"
};

std::optional<UrlParts> SplitUrl(std::string_view url, std::string* problem) {
  UrlParts parts;
  size_t colon = url.find("://");
  if (colon == std::string_view::npos) {
    *problem = "not an absolute URL";
    return std::nullopt;
  }
  for (char c : url.substr(0, colon)) {
    parts.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (parts.scheme != "https" && parts.scheme != "http") {
    *problem = "scheme must be https";
    return std::nullopt;
  }
  std::string_view rest = url.substr(colon + 3);
  size_t slash = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, slash);
  std::string_view tail = slash == std::string_view::npos ? std::string_view("/") : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    *problem = "the URL needs a host and no user info";
    return std::nullopt;
  }
  std::string_view host = authority;
  std::string_view port;
  if (authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) {
      *problem = "unterminated IPv6 address";
      return std::nullopt;
    }
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') {
        *problem = "bad authority";
        return std::nullopt;
      }
      port = authority.substr(close + 2);
    }
  } else if (size_t p = authority.rfind(':'); p != std::string_view::npos) {
    host = authority.substr(0, p);
    port = authority.substr(p + 1);
  }
  for (char c : host) parts.host += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (parts.host.empty()) {
    *problem = "the URL needs a host";
    return std::nullopt;
  }
  for (char c : port) {
    if (!std::isdigit(static_cast<unsigned char>(c))) {
      *problem = "bad port";
      return std::nullopt;
    }
  }
  std::string host_text = parts.host.find(':') != std::string::npos ? "[" + parts.host + "]" : parts.host;
  parts.origin = parts.scheme + "://" + host_text;
  if (!port.empty()) parts.origin += ":" + std::string(port);
  if (size_t hash = tail.find('#'); hash != std::string_view::npos) tail = tail.substr(0, hash);
  if (tail.empty() || tail.front() != '/') {
    parts.path_and_query = "/" + std::string(tail);
  } else {
    parts.path_and_query = std::string(tail);
  }
  parts.path = parts.path_and_query.substr(0, parts.path_and_query.find('?'));
  return parts;
}

bool IsLoopbackHost(std::string_view host) {
  if (host == "localhost" || host == "::1") return true;
  if (host.substr(0, 4) != "127.") return false;
  for (char c : host.substr(4)) {
    if (!std::isdigit(static_cast<unsigned char>(c)) && c != '.') return false;
  }
  return true;
}

// Maps a cpprestsdk failure to a TransportFailure by its error code, then by its text (the
// asio backend reports TLS and resolver failures with generic codes).
TransportFailure ClassifyException(const std::error_code& code, std::string_view what) {
  if (code == std::errc::timed_out || ContainsIgnoreCase(what, "timed out") ||
      ContainsIgnoreCase(what, "timeout")) {
    return TransportFailure::kTimeout;
  }
  if (code == std::errc::connection_refused || code == std::errc::host_unreachable ||
      code == std::errc::network_unreachable || ContainsIgnoreCase(what, "refused") ||
      ContainsIgnoreCase(what, "Failed to connect")) {
    return TransportFailure::kConnectionRefused;
  }
  if (ContainsIgnoreCase(what, "certificate") || ContainsIgnoreCase(what, "verify")) {
    return TransportFailure::kCertificate;
  }
  if (ContainsIgnoreCase(what, "handshake") || ContainsIgnoreCase(what, "ssl") ||
      ContainsIgnoreCase(what, "tls")) {
    return TransportFailure::kTlsHandshake;
  }
  if (ContainsIgnoreCase(what, "Error resolving") || ContainsIgnoreCase(what, "host not found") ||
      ContainsIgnoreCase(what, "not known")) {
    return TransportFailure::kHostNotFound;
  }
  if (code == std::errc::connection_reset || code == std::errc::connection_aborted ||
      code == std::errc::broken_pipe || ContainsIgnoreCase(what, "reset") ||
      ContainsIgnoreCase(what, "end of file") || ContainsIgnoreCase(what, "eof") ||
      ContainsIgnoreCase(what, "closed") || ContainsIgnoreCase(what, "Failed to read") ||
      ContainsIgnoreCase(what, "Failed to write") || ContainsIgnoreCase(what, "body")) {
    return TransportFailure::kConnectionReset;
  }
  return TransportFailure::kOther;
}

const char* FailureText(TransportFailure failure) {
  switch (failure) {
    case TransportFailure::kConnectionReset: return "connection reset or closed";
    case TransportFailure::kTimeout: return "timed out";
    case TransportFailure::kConnectionRefused: return "connection refused";
    case TransportFailure::kHostNotFound: return "host not found";
    case TransportFailure::kTlsHandshake: return "TLS handshake failed";
    case TransportFailure::kCertificate: return "server certificate not trusted";
    case TransportFailure::kOther: return "request failed";
  }
  return "request failed";
}

// Checks that `path` is a readable PEM file holding at least one certificate.
bool CheckCaFile(const std::string& path, std::string* error) {
  FILE* file = std::fopen(path.c_str(), "rb");
  if (file == nullptr) {
    *error = "cannot read the CA file '" + path + "': check the path and its permissions";
    return false;
  }
  X509* cert = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (cert == nullptr) {
    *error = "the CA file '" + path + "' holds no PEM certificate";
    return false;
  }
  X509_free(cert);
  return true;
}

class CppRestTransport final : public HttpTransport {
 public:
  explicit CppRestTransport(TransportOptions options) : options_(std::move(options)) {}

  HttpResult Send(const HttpRequest& request) override {
    std::string problem;
    std::optional<UrlParts> url = SplitUrl(request.url, &problem);
    if (!url) return Fail(TransportFailure::kOther, request.method, "(invalid URL)", problem);
    std::string where = url->origin + url->path;
    if (url->scheme == "http" &&
        !(options_.allow_insecure_loopback && IsLoopbackHost(url->host))) {
      return Fail(TransportFailure::kOther, request.method, where,
                  "plain http is refused: use https");
    }
    try {
      // cpprestsdk silently sends a request again when a pooled (reused) connection fails
      // (reset, EOF, abort, which includes our own timeout). That is harmless for idempotent
      // requests but could do a POST twice; a POST therefore goes on a connection of its own
      // that is closed after the answer, so it is never on a reused connection.
      const bool single_use = request.method == "POST";
      std::shared_ptr<web::http::client::http_client> client = ClientFor(*url, single_use);
      web::http::http_request message(web::http::method(request.method));
      message.set_request_uri(web::uri(url->path_and_query));
      bool has_content_type = false;
      for (const HttpHeader& h : request.headers) {
        if (EqualsIgnoreCase(h.name, "Content-Type")) {
          has_content_type = true;
          continue;  // set with the body below
        }
        message.headers().add(h.name, h.value);
      }
      message.headers().add("User-Agent", options_.user_agent);
      if (single_use) message.headers().add("Connection", "close");
      if (!request.body.empty() || request.method == "POST" || request.method == "PATCH") {
        std::string content_type = "application/json";
        if (has_content_type) {
          for (const HttpHeader& h : request.headers) {
            if (EqualsIgnoreCase(h.name, "Content-Type")) content_type = h.value;
          }
        }
        message.set_body(request.body, content_type);
      }
      web::http::http_response answer = client->request(message).get();
      HttpResponse response;
      response.status = answer.status_code();
      for (const auto& [name, value] : answer.headers()) {
        response.headers.push_back({name, value});
      }
      if (answer.headers().has("Content-Length") &&
          answer.headers().content_length() > options_.max_answer_bytes) {
        return Fail(TransportFailure::kOther, request.method, where,
                    "answer too large (" + std::to_string(answer.headers().content_length()) +
                        " bytes)");
      }
      std::vector<unsigned char> body = answer.extract_vector().get();
      if (body.size() > options_.max_answer_bytes) {
        return Fail(TransportFailure::kOther, request.method, where, "answer too large");
      }
      response.body.assign(body.begin(), body.end());
      return response;
    } catch (const web::http::http_exception& e) {
      TransportFailure failure = ClassifyException(e.error_code(), e.what());
      return Fail(failure, request.method, where, FailureText(failure));
    } catch (const std::exception& e) {
      TransportFailure failure = ClassifyException({}, e.what());
      return Fail(failure, request.method, where, FailureText(failure));
    }
  }

 private:
  static TransportError Fail(TransportFailure failure, std::string_view method,
                             std::string_view where, std::string_view what) {
    return {failure, std::string(method) + " " + std::string(where) + ": " + std::string(what)};
  }

  // The client for `url`'s origin: one with a keep-alive pool for idempotent requests, and
  // one for single-use connections (see Send).
  std::shared_ptr<web::http::client::http_client> ClientFor(const UrlParts& url, bool single_use) {
    std::string key = (single_use ? "1 " : "0 ") + url.origin;
    std::lock_guard<std::mutex> lock(mu_);
    auto it = clients_.find(key);
    if (it != clients_.end()) return it->second;
    web::http::client::http_client_config config;
    config.set_timeout(std::chrono::duration_cast<std::chrono::microseconds>(options_.timeout));
    config.set_validate_certificates(true);
    config.set_max_redirects(0);  // a redirect means a wrong host: report it, don't follow
    std::string ca_file = options_.ca_file;
    config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& context) {
      context.set_options(boost::asio::ssl::context::no_sslv2 |
                          boost::asio::ssl::context::no_sslv3 |
                          boost::asio::ssl::context::no_tlsv1 |
                          boost::asio::ssl::context::no_tlsv1_1);
      boost::system::error_code ignored;
      if (!ca_file.empty()) context.load_verify_file(ca_file, ignored);  // checked at Make
    });
    auto client = std::make_shared<web::http::client::http_client>(web::uri(url.origin), config);
    clients_.emplace(key, client);
    return client;
  }

  const TransportOptions options_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<web::http::client::http_client>> clients_;
};

std::string EncodeBytes(std::string_view text, bool space_as_plus) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else if (c == ' ' && space_as_plus) {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string_view HttpResponse::Header(std::string_view name) const {
  for (const HttpHeader& h : headers) {
    if (EqualsIgnoreCase(h.name, name)) return h.value;
  }
  return {};
}

std::shared_ptr<HttpTransport> MakeHttpTransport(const TransportOptions& options,
                                                 std::string* error) {
  std::string problem;
  if (!options.ca_file.empty() && !CheckCaFile(options.ca_file, &problem)) {
    if (error != nullptr) *error = problem;
    return nullptr;
  }
  return std::make_shared<CppRestTransport>(options);
}

std::string FormEncode(std::string_view text) { return EncodeBytes(text, true); }
std::string PercentEncode(std::string_view text) { return EncodeBytes(text, false); }

}  // namespace cf::sf
