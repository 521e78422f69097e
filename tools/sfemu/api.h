// The emulator's Salesforce endpoints, one function per resource. The router
// (router.cc) authenticates the request, counts the API call, applies faults, then calls these
// with the path already split. Each returns Salesforce's exact answer for success and errors.
//
// Ownership of the implementations: read_api.cc (versions, describe, tooling, query, records
// read, updated/deleted, limits) and write_api.cc (create, update, delete, upsert,
// collections, composite). Thread safety: each takes the org's lock as needed.
#ifndef CF_TOOLS_SFEMU_API_H_
#define CF_TOOLS_SFEMU_API_H_

#include <string>
#include <vector>

#include "tools/sfemu/http_types.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

// Who is calling and where the org lives.
struct RequestContext {
  std::string api_version;   // "59.0" from /services/data/v59.0/...
  std::string instance_url;  // "https://127.0.0.1:8443" (scheme, host and port)
  const OrgUser* user = nullptr;
};

// The versions the emulator serves, oldest first; "retired" versions answer 410.
const std::vector<std::string>& SupportedApiVersions();  // e.g. {"52.0", ..., "60.0"}
bool IsRetiredApiVersion(const std::string& version);     // e.g. < "20.0"

// ---- read_api.cc ----
// GET /services/data
HttpResponse HandleVersions(const Org& org, const HttpRequest& req, const std::string& instance_url);
// GET /services/data/vXX.X/sobjects
HttpResponse HandleDescribeGlobal(Org& org, const HttpRequest& req, const RequestContext& ctx);
// GET /services/data/vXX.X/sobjects/{object}/describe  (and GET .../sobjects/{object})
HttpResponse HandleDescribe(Org& org, const HttpRequest& req, const RequestContext& ctx,
                            const std::string& object);
// GET /services/data/vXX.X/tooling/query?q=SELECT ... FROM ValidationRule ...
HttpResponse HandleToolingQuery(Org& org, const HttpRequest& req, const RequestContext& ctx);
// GET /services/data/vXX.X/query?q=... and /queryAll?q=...; `all` for queryAll.
HttpResponse HandleQuery(Org& org, const HttpRequest& req, const RequestContext& ctx, bool all);
// GET /services/data/vXX.X/query/{locator} (and queryAll): the next page.
HttpResponse HandleQueryMore(Org& org, const HttpRequest& req, const RequestContext& ctx,
                             const std::string& locator, bool all);
// GET /services/data/vXX.X/sobjects/{object}/{id}[?fields=A,B]
HttpResponse HandleGetRecord(Org& org, const HttpRequest& req, const RequestContext& ctx,
                             const std::string& object, const std::string& id);
// GET /services/data/vXX.X/composite/sobjects/{object}?ids=A,B&fields=F,G and POST with the
// body {"ids": [...], "fields": [...]}: the records in `ids` order, null for an Id that is
// malformed, of another object, absent or deleted.
HttpResponse HandleCollectionsRetrieve(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                       const std::string& object);
// GET /services/data/vXX.X/sobjects/{object}/updated/?start=&end= and /deleted/
HttpResponse HandleGetUpdated(Org& org, const HttpRequest& req, const RequestContext& ctx,
                              const std::string& object, bool deleted);
// GET /services/data/vXX.X/limits
HttpResponse HandleLimits(Org& org, const HttpRequest& req, const RequestContext& ctx);

// ---- write_api.cc ----
// POST /services/data/vXX.X/sobjects/{object}
HttpResponse HandleCreate(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object);
// PATCH /services/data/vXX.X/sobjects/{object}/{id}
HttpResponse HandleUpdate(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object, const std::string& id);
// DELETE /services/data/vXX.X/sobjects/{object}/{id}
HttpResponse HandleDelete(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object, const std::string& id);
// PATCH /services/data/vXX.X/sobjects/{object}/{externalIdField}/{value}
HttpResponse HandleUpsert(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object, const std::string& field,
                          const std::string& value);
// GET and DELETE /services/data/vXX.X/sobjects/{object}/{externalIdField}/{value}: the record
// with that external Id (300 with the URLs of each when several match).
HttpResponse HandleGetByExternalId(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                   const std::string& object, const std::string& field,
                                   const std::string& value);
HttpResponse HandleDeleteByExternalId(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                      const std::string& object, const std::string& field,
                                      const std::string& value);
// POST (create), PATCH (update) or DELETE (?ids=A,B&allOrNone=) /services/data/vXX.X/composite/sobjects
HttpResponse HandleCollections(Org& org, const HttpRequest& req, const RequestContext& ctx);
// PATCH /services/data/vXX.X/composite/sobjects/{object}/{externalIdField} (API 46.0+): upsert
// of up to 200 records of `object` by that field, one UpsertResult per record.
HttpResponse HandleCollectionsUpsert(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                     const std::string& object, const std::string& field);
// POST /services/data/vXX.X/composite
HttpResponse HandleComposite(Org& org, const HttpRequest& req, const RequestContext& ctx);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_API_H_
