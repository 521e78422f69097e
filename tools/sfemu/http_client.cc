#include "tools/sfemu/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cctype>
#include <optional>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

namespace cf::sfemu {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

std::string ClientResponse::Header(std::string_view lower_name) const {
  for (const auto& [name, value] : headers) {
    if (name == lower_name) return value;
  }
  return {};
}

nlohmann::json ClientResponse::Json() const {
  nlohmann::json j = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  return j.is_discarded() ? nlohmann::json() : j;
}

struct HttpClient::Impl {
  std::string base_url;
  ClientOptions options;
  bool tls = false;
  std::string host;
  std::string port;
  std::string url_error;
  asio::io_context ioc;
  std::optional<asio::ssl::context> ssl;
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> secure;
  beast::flat_buffer buffer;
  int connections = 0;

  bool connected() const { return plain.has_value() || secure.has_value(); }
  beast::tcp_stream& lowest() { return plain ? *plain : beast::get_lowest_layer(*secure); }

  void Disconnect() {
    error_code ec;
    if (plain) plain->socket().close(ec);
    if (secure) beast::get_lowest_layer(*secure).socket().close(ec);
    plain.reset();
    secure.reset();
    buffer.clear();
  }

  // Runs the io_context until the pending operation completes.
  void RunPending() {
    ioc.restart();
    ioc.run();
  }

  // Opens the connection; an error message on failure.
  std::string Connect() {
    error_code result;
    tcp::resolver resolver(ioc);
    tcp::resolver::results_type endpoints;
    resolver.async_resolve(host, port, [&](error_code ec, tcp::resolver::results_type r) {
      result = ec;
      endpoints = std::move(r);
    });
    RunPending();
    if (result) return "resolve " + host + ": " + result.message();
    beast::tcp_stream stream(ioc);
    stream.expires_after(options.timeout);
    stream.async_connect(endpoints, [&](error_code ec, const tcp::endpoint&) { result = ec; });
    RunPending();
    if (result) return "connect: " + (result == beast::error::timeout ? std::string("timeout") : result.message());
    ++connections;
    stream.socket().set_option(tcp::no_delay(true), result);
    if (!tls) {
      plain.emplace(std::move(stream));
      return {};
    }
    secure.emplace(std::move(stream), *ssl);
    SSL* native = secure->native_handle();
    // Check the certificate's name or IP against the host we asked for.
    error_code parse_ec;
    asio::ip::make_address(host, parse_ec);
    X509_VERIFY_PARAM* param = SSL_get0_param(native);
    if (!parse_ec) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      SSL_set_tlsext_host_name(native, host.c_str());
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), 0);
    }
    beast::get_lowest_layer(*secure).expires_after(options.timeout);
    secure->async_handshake(asio::ssl::stream_base::client, [&](error_code ec) { result = ec; });
    RunPending();
    if (result) {
      std::string message = "TLS handshake: " + result.message();
      long verify = SSL_get_verify_result(native);
      if (verify != X509_V_OK) message += std::string(" (") + X509_verify_cert_error_string(verify) + ")";
      Disconnect();
      return message;
    }
    return {};
  }
};

HttpClient::HttpClient(std::string base_url, ClientOptions options) : impl_(std::make_unique<Impl>()) {
  impl_->base_url = std::move(base_url);
  impl_->options = std::move(options);
  std::string_view url = impl_->base_url;
  if (url.rfind("https://", 0) == 0) {
    impl_->tls = true;
    url.remove_prefix(8);
  } else if (url.rfind("http://", 0) == 0) {
    url.remove_prefix(7);
  } else {
    impl_->url_error = "not an http(s) URL: " + impl_->base_url;
    return;
  }
  url = url.substr(0, url.find('/'));
  std::string_view host = url;
  std::string_view port = impl_->tls ? "443" : "80";
  if (!url.empty() && url.front() == '[') {
    size_t close = url.find(']');
    host = url.substr(1, close == std::string_view::npos ? url.size() : close - 1);
    if (close != std::string_view::npos && close + 1 < url.size() && url[close + 1] == ':') {
      port = url.substr(close + 2);
    }
  } else if (size_t colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  impl_->host = std::string(host);
  impl_->port = std::string(port);
  if (impl_->tls) {
    impl_->ssl.emplace(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(impl_->ssl->native_handle(), TLS1_2_VERSION);
    impl_->ssl->set_verify_mode(asio::ssl::verify_peer);
    error_code ec;
    if (!impl_->options.ca_file.empty()) {
      impl_->ssl->load_verify_file(impl_->options.ca_file, ec);
    } else {
      impl_->ssl->set_default_verify_paths(ec);
    }
    if (ec) impl_->url_error = "CA file " + impl_->options.ca_file + ": " + ec.message();
  }
}

HttpClient::~HttpClient() {
  if (impl_) impl_->Disconnect();
}
HttpClient::HttpClient(HttpClient&&) noexcept = default;
HttpClient& HttpClient::operator=(HttpClient&&) noexcept = default;

ClientResponse HttpClient::Request(std::string_view method, std::string_view target,
                                   std::string_view body, const HeaderList& headers) {
  ClientResponse out;
  Impl& im = *impl_;
  if (!im.url_error.empty()) {
    out.error = im.url_error;
    return out;
  }
  if (!im.connected()) {
    out.error = im.Connect();
    if (!out.error.empty()) return out;
  }
  http::request<http::string_body> req;
  req.method_string(beast::string_view(method.data(), method.size()));
  req.target(beast::string_view(target.data(), target.size()));
  req.version(11);
  req.set(http::field::host, im.host + ":" + im.port);
  req.set(http::field::user_agent, "sfemu-client/1");
  req.keep_alive(true);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  if (!body.empty() || method == "POST" || method == "PATCH" || method == "PUT") {
    req.content_length(body.size());
  }

  error_code result;
  im.lowest().expires_after(im.options.timeout);
  auto on_write = [&](error_code ec, size_t) { result = ec; };
  if (im.plain) {
    http::async_write(*im.plain, req, on_write);
  } else {
    http::async_write(*im.secure, req, on_write);
  }
  im.RunPending();
  if (result) {
    out.error = result == beast::error::timeout ? "timeout" : result.message();
    im.Disconnect();
    return out;
  }
  http::response_parser<http::string_body> parser;
  parser.body_limit(size_t{1} << 30);
  parser.header_limit(1 << 20);
  if (method == "HEAD") parser.skip(true);
  im.lowest().expires_after(im.options.timeout);
  auto on_read = [&](error_code ec, size_t) { result = ec; };
  if (im.plain) {
    http::async_read(*im.plain, im.buffer, parser, on_read);
  } else {
    http::async_read(*im.secure, im.buffer, parser, on_read);
  }
  im.RunPending();
  if (result) {
    out.error = result == beast::error::timeout ? "timeout" : result.message();
    im.Disconnect();
    return out;
  }
  http::response<http::string_body> res = parser.release();
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res) {
    std::string name(field.name_string());
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.emplace_back(std::move(name), std::string(field.value()));
  }
  out.body = std::move(res.body());
  if (!res.keep_alive()) im.Disconnect();
  return out;
}

void HttpClient::set_timeout(std::chrono::milliseconds timeout) { impl_->options.timeout = timeout; }
int HttpClient::connections_opened() const { return impl_->connections; }
void HttpClient::Close() { impl_->Disconnect(); }
const std::string& HttpClient::base_url() const { return impl_->base_url; }

}  // namespace cf::sfemu
