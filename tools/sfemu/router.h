// The emulator's router: classifies a request, authenticates it, counts the API call, applies
// injected faults and dispatches to the endpoint functions of api.h and oauth.h.
//
// Paths served (see docs/emulator.md):
//   GET  /services/data                          versions (no token, not counted)
//   POST /services/oauth2/token                  OAuth grants (not counted)
//   GET|POST /services/oauth2/authorize          test authorize step (not counted)
//   GET  /id/{orgId}/{userId}                    identity (bearer token, not counted)
//   *    /services/data/vNN.N/...                REST (bearer token, one API call each)
//   *    /__control/...                          test control (Control)
//
// Thread safety: Handle() is thread-safe and never throws; SetInstanceUrl() must be called
// before serving.
#ifndef CF_TOOLS_SFEMU_ROUTER_H_
#define CF_TOOLS_SFEMU_ROUTER_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tools/sfemu/control.h"
#include "tools/sfemu/http_types.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

struct RouterOptions {
  // When not empty, /__control/ requests must carry it (header x-sfemu-control-token).
  std::string control_token;
  // When false, /__control/ paths answer 404 like any unknown path. Default: true.
  bool control_enabled = true;
};

// Where a request goes: the endpoint name used by logs, counters and faults, and the path
// parameters. Exposed for tests.
struct Route {
  std::string endpoint;  // "versions", "oauth.token", "query", "sobjects.create", ... or ""
  std::string api_version;                 // "59.0" for /services/data/v59.0/...
  std::vector<std::string> params;         // decoded path segments after the version
};

class Router {
 public:
  Router(Org& org, RouterOptions options = {});

  // "https://127.0.0.1:8443": the instance_url of tokens and the base of identity URLs.
  void SetInstanceUrl(std::string url);
  const std::string& instance_url() const { return instance_url_; }
  const std::string& org_id() const { return org_.org_id(); }

  HttpResponse Handle(const HttpRequest& req);

  Control& control() { return control_; }
  Org& org() { return org_; }

 private:
  HttpResponse HandleUnlogged(const HttpRequest& req, LogEntry& entry);
  HttpResponse HandleRest(const HttpRequest& req, const std::vector<std::string>& segments,
                          LogEntry& entry);
  HttpResponse Dispatch(const HttpRequest& req, const std::string& version,
                        const std::vector<std::string>& rest, const OrgUser* user);

  Org& org_;
  RouterOptions options_;
  Control control_;
  std::string instance_url_;
};

// Splits a raw path ("/services/data/v59.0/sobjects/Account/Ext__c/A%2FB") into percent-decoded
// segments (["services","data","v59.0","sobjects","Account","Ext__c","A/B"]). Empty segments
// (from "//" or a trailing "/") are dropped.
std::vector<std::string> SplitPath(std::string_view raw_path);

// The endpoint name of a REST call, from its method and the segments after the version
// ("GET", {"sobjects","Account","describe"} -> "describe"); "" when no endpoint matches.
std::string RestEndpointName(std::string_view method, const std::vector<std::string>& rest);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_ROUTER_H_
