// The emulator's view of one HTTP exchange, independent of the transport (Boost.Beast).
// Handlers turn an HttpRequest into an HttpResponse; the transport applies transport-level
// faults (reset mid-response, slow answer) that the response asks for.
#ifndef CF_TOOLS_SFEMU_HTTP_TYPES_H_
#define CF_TOOLS_SFEMU_HTTP_TYPES_H_

#include <chrono>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace cf::sfemu {

struct HttpRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE", "PUT", "HEAD"
  std::string target;  // path and query as received: "/services/data/v59.0/query?q=..."
  std::string path;    // percent-decoded path without the query
  std::map<std::string, std::string> query;  // percent-decoded query parameters
  // Header names lower-cased.
  std::map<std::string, std::string> headers;
  std::string body;
  std::string remote;  // "127.0.0.1:54321"

  std::string Header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? std::string() : it->second;
  }
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;  // besides Content-Length
  std::string body;
  // Transport faults, set by fault injection.
  bool reset_mid_body = false;           // send the headers and part of the body, then RST
  std::chrono::milliseconds delay{0};    // wait this long before answering

  void SetHeader(std::string name, std::string value) {
    for (auto& h : headers) {
      if (h.first == name) {
        h.second = std::move(value);
        return;
      }
    }
    headers.emplace_back(std::move(name), std::move(value));
  }
  static HttpResponse Json(int status, std::string body) {
    HttpResponse r;
    r.status = status;
    r.body = std::move(body);
    r.headers.emplace_back("Content-Type", "application/json;charset=UTF-8");
    return r;
  }
};

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_HTTP_TYPES_H_
