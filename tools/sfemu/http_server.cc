// Boost.Asio 1.74's awaitable.hpp uses std::exchange without including <utility>.
#include <utility>

// GCC 12 at -O1 (the asan-ubsan preset) mistakes Asio's coroutine-frame operator new/delete
// pair (awaitable_frame_base, which recycles frames through its own allocator) for a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif

#include "tools/sfemu/http_server.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <nlohmann/json.hpp>

namespace cf::sfemu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

namespace {

constexpr auto kAwait = asio::use_awaitable;

// The JSON error array Salesforce answers with, for answers the transport makes itself.
std::string ErrorBody(std::string_view code, std::string_view message) {
  nlohmann::ordered_json body = nlohmann::ordered_json::array();
  body.push_back({{"message", message}, {"errorCode", code}});
  return body.dump();
}

std::string HttpDate() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return text;
}

std::string ReasonFor(int status) {
  beast::string_view reason = http::obsolete_reason(static_cast<http::status>(status));
  if (reason != "<unknown-status>" && !reason.empty()) return std::string(reason.data(), reason.size());
  if (status == 420) return "Enhance Your Calm";
  return "Status " + std::to_string(status);
}

// Connection-level errors after which the connection is simply gone (no answer possible).
bool IsDisconnect(const error_code& ec) {
  return ec == http::error::end_of_stream || ec == asio::error::eof ||
         ec == asio::error::connection_reset || ec == asio::error::connection_aborted ||
         ec == asio::error::broken_pipe || ec == asio::error::operation_aborted ||
         ec == beast::error::timeout || ec == asio::ssl::error::stream_truncated ||
         ec.category() == asio::error::get_ssl_category();
}

HttpRequest ToHttpRequest(http::request<http::string_body>& req, const std::string& remote) {
  HttpRequest out;
  out.method = std::string(req.method_string());
  out.target = std::string(req.target());
  ParseTarget(out.target, &out.path, &out.query);
  for (const auto& field : req) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // A repeated header keeps its values joined, as HTTP allows.
    auto [it, inserted] = out.headers.emplace(name, std::string(field.value()));
    if (!inserted) it->second += ", " + std::string(field.value());
  }
  out.body = std::move(req.body());
  out.remote = remote;
  return out;
}

http::response<http::string_body> ToBeast(HttpResponse resp, unsigned version, bool keep_alive) {
  http::response<http::string_body> res;
  res.version(version);
  res.result(static_cast<unsigned>(resp.status));
  res.reason(ReasonFor(resp.status));
  for (auto& [name, value] : resp.headers) res.set(name, value);
  if (res.find(http::field::date) == res.end()) res.set(http::field::date, HttpDate());
  res.keep_alive(keep_alive);
  if (resp.status == 204 || resp.status == 304 || (resp.status >= 100 && resp.status < 200)) {
    res.erase(http::field::content_length);
  } else {
    res.body() = std::move(resp.body);
    res.content_length(res.body().size());
  }
  return res;
}

// The response's bytes up to the middle of its body (the reset fault).
std::string PartialResponse(const HttpResponse& resp) {
  std::string out = "HTTP/1.1 " + std::to_string(resp.status) + " " + ReasonFor(resp.status) + "\r\n";
  for (const auto& [name, value] : resp.headers) out += name + ": " + value + "\r\n";
  if (resp.body.empty()) return out;  // not even the end of the headers
  out += "Content-Length: " + std::to_string(resp.body.size()) + "\r\n\r\n";
  out.append(resp.body, 0, std::max<size_t>(1, resp.body.size() / 2));
  return out;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      int hi = HexValue(text[i + 1]);
      int lo = HexValue(text[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::map<std::string, std::string> ParseFormEncoded(std::string_view text) {
  std::map<std::string, std::string> out;
  while (!text.empty()) {
    size_t amp = text.find('&');
    std::string_view pair = text.substr(0, amp);
    text = amp == std::string_view::npos ? std::string_view() : text.substr(amp + 1);
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = PercentDecode(pair.substr(0, eq), true);
    std::string value =
        eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
    out.emplace(std::move(name), std::move(value));
  }
  return out;
}

void ParseTarget(std::string_view target, std::string* path,
                 std::map<std::string, std::string>* query) {
  size_t q = target.find('?');
  size_t hash = target.find('#');
  std::string_view raw_path = target.substr(0, std::min(q, hash));
  *path = PercentDecode(raw_path, false);
  query->clear();
  if (q != std::string_view::npos) {
    std::string_view raw_query = target.substr(q + 1);
    if (hash != std::string_view::npos && hash > q) raw_query = target.substr(q + 1, hash - q - 1);
    *query = ParseFormEncoded(raw_query);
  }
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

struct HttpServer::Impl {
  ServerOptions options;
  HttpHandler handler;
  std::unique_ptr<asio::ssl::context> ssl;  // outlives the io_context's streams
  std::optional<asio::io_context> ioc;      // destroyed in Stop(), with every connection
  std::optional<tcp::acceptor> acceptor;
  std::vector<std::thread> threads;
  std::string url;
  uint16_t port = 0;
  std::mutex mu;  // Start/Stop
  bool listening = false;
  bool started = false;
  bool stopped = false;

  bool Listen(std::string* error);
  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
  template <class Stream>
  asio::awaitable<void> Serve(Stream& stream, const std::string& remote);
  template <class Stream>
  asio::awaitable<void> Reply(Stream& stream, HttpResponse resp, unsigned version, bool keep_alive,
                              error_code& ec, bool head = false);
  template <class Stream>
  asio::awaitable<void> Drain(Stream& stream);
  HttpResponse CallHandler(const HttpRequest& req) noexcept;
};

bool HttpServer::Impl::Listen(std::string* error) {
  error_code ec;
  asio::ip::address address;
  std::string host = options.host;
  if (host == "localhost") {
    address = asio::ip::address_v4::loopback();
  } else {
    address = asio::ip::make_address(host, ec);
    if (ec) {
      *error = "'" + host + "' is not an IP address (use 127.0.0.1, ::1 or localhost)";
      return false;
    }
  }
  if (!address.is_loopback()) {
    *error = "'" + host + "' is not a loopback address: the emulator serves loopback only";
    return false;
  }
  if (options.threads < 1) options.threads = 1;

  if (!options.tls_cert_file.empty() || !options.tls_key_file.empty()) {
    if (options.tls_cert_file.empty() || options.tls_key_file.empty()) {
      *error = "TLS needs both a certificate file and a key file";
      return false;
    }
    ssl = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    ssl->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                     asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ssl->native_handle(), TLS1_2_VERSION);
    ssl->use_certificate_chain_file(options.tls_cert_file, ec);
    if (ec) {
      *error = "TLS certificate " + options.tls_cert_file + ": " + ec.message();
      return false;
    }
    ssl->use_private_key_file(options.tls_key_file, asio::ssl::context::pem, ec);
    if (ec) {
      *error = "TLS key " + options.tls_key_file + ": " + ec.message();
      return false;
    }
  }

  ioc.emplace(options.threads);
  acceptor.emplace(*ioc);
  tcp::endpoint endpoint(address, options.port);
  acceptor->open(endpoint.protocol(), ec);
  if (!ec) acceptor->set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor->bind(endpoint, ec);
  if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    *error = "cannot listen on " + host + ":" + std::to_string(options.port) + ": " + ec.message();
    acceptor.reset();
    ioc.reset();
    return false;
  }
  port = acceptor->local_endpoint().port();
  std::string url_host = host;
  if (address.is_v6()) url_host = "[" + address.to_string() + "]";
  url = std::string(ssl ? "https" : "http") + "://" + url_host + ":" + std::to_string(port);
  listening = true;
  return true;
}

HttpResponse HttpServer::Impl::CallHandler(const HttpRequest& req) noexcept {
  try {
    return handler(req);
  } catch (const std::exception& e) {
    return HttpResponse::Json(500, ErrorBody("UNKNOWN_EXCEPTION", std::string("An unexpected error occurred: ") + e.what()));
  } catch (...) {
    return HttpResponse::Json(500, ErrorBody("UNKNOWN_EXCEPTION", "An unexpected error occurred."));
  }
}

asio::awaitable<void> HttpServer::Impl::Accept() {
  for (;;) {
    error_code ec;
    tcp::socket socket =
        co_await acceptor->async_accept(asio::make_strand(*ioc), asio::redirect_error(kAwait, ec));
    if (ec) {
      if (ec == asio::error::operation_aborted || !acceptor->is_open()) co_return;
      // Out of descriptors or a connection aborted before accept: back off briefly.
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(asio::redirect_error(kAwait, ec));
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto executor = socket.get_executor();
    asio::co_spawn(executor, Session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> HttpServer::Impl::Session(tcp::socket socket) {
  try {
    error_code ec;
    tcp::endpoint peer = socket.remote_endpoint(ec);
    std::string remote = ec ? std::string("unknown") : peer.address().to_string() + ":" + std::to_string(peer.port());
    beast::tcp_stream tcp_stream(std::move(socket));
    if (!ssl) {
      co_await Serve(tcp_stream, remote);
      co_return;
    }
    beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(tcp_stream), *ssl);
    beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(10));
    co_await tls_stream.async_handshake(asio::ssl::stream_base::server,
                                        asio::redirect_error(kAwait, ec));
    if (ec) co_return;  // not TLS, untrusted by the client, or gone: nothing to answer
    co_await Serve(tls_stream, remote);
  } catch (...) {
    // A connection's failure ends that connection only.
  }
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::Serve(Stream& stream, const std::string& remote) {
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<size_t>(options.header_limit, UINT32_MAX)));
    parser.body_limit(options.body_limit);
    error_code ec;
    beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
    co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    if (!ec && !parser.is_done()) {
      const auto& header = parser.get();
      auto expect = header.find(http::field::expect);
      if (expect != header.end() && beast::iequals(expect->value(), "100-continue")) {
        static const std::string kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        co_await asio::async_write(stream, asio::buffer(kContinue), asio::redirect_error(kAwait, ec));
        if (ec) co_return;
      }
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(kAwait, ec));
    }
    if (ec) {
      if (ec == http::error::body_limit) {
        HttpResponse resp = HttpResponse::Json(
            413, ErrorBody("REQUEST_ENTITY_TOO_LARGE",
                           "Request body exceeds the limit of " + std::to_string(options.body_limit) + " bytes"));
        co_await Reply(stream, std::move(resp), 11, false, ec);
        if (!ec) co_await Drain(stream);
        co_return;
      }
      if (IsDisconnect(ec)) co_return;
      HttpResponse resp;
      resp.status = ec == http::error::header_limit ? 431 : 400;
      resp.body = resp.status == 431 ? "Request Header Fields Too Large\n" : "Bad Request\n";
      resp.headers.emplace_back("Content-Type", "text/plain");
      co_await Reply(stream, std::move(resp), 11, false, ec);
      if (!ec) co_await Drain(stream);
      co_return;
    }

    http::request<http::string_body> beast_req = parser.release();
    unsigned version = beast_req.version();
    bool keep_alive = beast_req.keep_alive();
    HttpRequest req = ToHttpRequest(beast_req, remote);
    HttpResponse resp = CallHandler(req);

    if (resp.delay.count() > 0) {
      asio::steady_timer timer(co_await asio::this_coro::executor);
      timer.expires_after(std::min(resp.delay, options.max_delay));
      co_await timer.async_wait(asio::redirect_error(kAwait, ec));
    }
    if (resp.reset_mid_body) {
      std::string partial = PartialResponse(resp);
      beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
      co_await asio::async_write(stream, asio::buffer(partial), asio::redirect_error(kAwait, ec));
      auto& socket = beast::get_lowest_layer(stream).socket();
      socket.set_option(asio::socket_base::linger(true, 0), ec);
      socket.close(ec);  // with linger 0: RST instead of FIN
      co_return;
    }
    co_await Reply(stream, std::move(resp), version, keep_alive, ec, req.method == "HEAD");
    if (ec || !keep_alive) break;
  }
  // Orderly close: TCP half-close so that the client reads everything first.
  error_code ec;
  beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ec);
}

template <class Stream>
asio::awaitable<void> HttpServer::Impl::Reply(Stream& stream, HttpResponse resp, unsigned version,
                                              bool keep_alive, error_code& ec, bool head) {
  http::response<http::string_body> res = ToBeast(std::move(resp), version, keep_alive);
  beast::get_lowest_layer(stream).expires_after(options.idle_timeout);
  if (head) {
    // HEAD: the GET answer's headers (its Content-Length included), no body.
    http::response<http::empty_body> head_res{res.base()};
    http::response_serializer<http::empty_body> serializer{head_res};
    serializer.split(true);
    co_await http::async_write_header(stream, serializer, asio::redirect_error(kAwait, ec));
    co_return;
  }
  co_await http::async_write(stream, res, asio::redirect_error(kAwait, ec));
}

// After an answer that closes the connection while the client may still be sending (413,
// 400): stop sending, read and discard what comes for a while, so that closing does not reset
// the connection before the client has read the answer.
template <class Stream>
asio::awaitable<void> HttpServer::Impl::Drain(Stream& stream) {
  error_code ec;
  auto& lowest = beast::get_lowest_layer(stream);
  lowest.socket().shutdown(tcp::socket::shutdown_send, ec);
  std::vector<char> scratch(64 * 1024);
  size_t total = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  while (total < (size_t{256} << 20) && std::chrono::steady_clock::now() < deadline) {
    lowest.expires_at(deadline);
    size_t n = co_await lowest.socket().async_read_some(asio::buffer(scratch),
                                                        asio::redirect_error(kAwait, ec));
    if (ec) break;
    total += n;
  }
}

HttpServer::HttpServer(ServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
  impl_->options = std::move(options);
  impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { Stop(); }

bool HttpServer::Listen(std::string* error) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->listening) return true;
  std::string ignored;
  return impl_->Listen(error ? error : &ignored);
}

void HttpServer::Start() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (!impl_->listening || impl_->started || impl_->stopped) return;
  impl_->started = true;
  Impl* impl = impl_.get();
  asio::co_spawn(*impl->ioc, impl->Accept(), asio::detached);
  for (int i = 0; i < impl->options.threads; ++i) {
    impl->threads.emplace_back([impl] {
      for (;;) {
        try {
          impl->ioc->run();
          return;
        } catch (const std::exception& e) {
          std::fprintf(stderr, "sf-emulator: unexpected error in a server thread: %s\n", e.what());
        } catch (...) {
          std::fprintf(stderr, "sf-emulator: unexpected error in a server thread\n");
        }
      }
    });
  }
}

void HttpServer::Stop() {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->stopped) return;
  impl_->stopped = true;
  // The acceptor and the connections belong to the pool threads: stop those first.
  if (impl_->ioc) impl_->ioc->stop();
  for (std::thread& t : impl_->threads) t.join();
  impl_->threads.clear();
  // Destroying the io_context destroys every suspended connection, closing its socket.
  impl_->acceptor.reset();
  impl_->ioc.reset();
}

std::string HttpServer::url() const { return impl_->url; }
uint16_t HttpServer::port() const { return impl_->port; }
bool HttpServer::tls() const { return impl_->ssl != nullptr; }

}  // namespace cf::sfemu
