// Temporary stand-in for tools/sfemu/read_api.cc (see README.md here).
#include <nlohmann/json.hpp>

#include "tools/sfemu/api.h"
#include "tools/sfemu/errors.h"

namespace cf::sfemu {

namespace {
HttpResponse Stub(const char* what) {
  return ErrorResponse(501, "NOT_IMPLEMENTED", std::string("stub: ") + what);
}
}  // namespace

const std::vector<std::string>& SupportedApiVersions() {
  static const std::vector<std::string> kVersions = {"31.0", "58.0", "59.0", "60.0"};
  return kVersions;
}
bool IsRetiredApiVersion(const std::string& version) {
  try {
    return std::stod(version) < 31.0;
  } catch (...) {
    return false;
  }
}
HttpResponse HandleVersions(const Org&, const HttpRequest&, const std::string&) {
  nlohmann::json body = nlohmann::json::array();
  for (const std::string& v : SupportedApiVersions()) {
    body.push_back({{"label", "Stub"}, {"url", "/services/data/v" + v}, {"version", v}});
  }
  return HttpResponse::Json(200, body.dump());
}
HttpResponse HandleDescribeGlobal(Org&, const HttpRequest&, const RequestContext&) { return Stub("describeGlobal"); }
HttpResponse HandleDescribe(Org&, const HttpRequest&, const RequestContext&, const std::string&) { return Stub("describe"); }
HttpResponse HandleToolingQuery(Org&, const HttpRequest&, const RequestContext&) { return Stub("tooling.query"); }
HttpResponse HandleQuery(Org&, const HttpRequest&, const RequestContext&, bool) { return Stub("query"); }
HttpResponse HandleQueryMore(Org&, const HttpRequest&, const RequestContext&, const std::string&, bool) { return Stub("queryMore"); }
HttpResponse HandleGetRecord(Org&, const HttpRequest&, const RequestContext&, const std::string&, const std::string&) { return Stub("sobjects.get"); }
HttpResponse HandleGetUpdated(Org&, const HttpRequest&, const RequestContext&, const std::string&, bool) { return Stub("sobjects.updated"); }
HttpResponse HandleLimits(Org&, const HttpRequest&, const RequestContext&) { return Stub("limits"); }

}  // namespace cf::sfemu
