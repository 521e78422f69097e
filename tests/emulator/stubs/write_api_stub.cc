// Temporary stand-in for tools/sfemu/write_api.cc (see README.md here).
#include "tools/sfemu/api.h"
#include "tools/sfemu/errors.h"

namespace cf::sfemu {

namespace {
HttpResponse Stub(const char* what) {
  return ErrorResponse(501, "NOT_IMPLEMENTED", std::string("stub: ") + what);
}
}  // namespace

HttpResponse HandleCreate(Org&, const HttpRequest&, const RequestContext&, const std::string&) { return Stub("create"); }
HttpResponse HandleUpdate(Org&, const HttpRequest&, const RequestContext&, const std::string&, const std::string&) { return Stub("update"); }
HttpResponse HandleDelete(Org&, const HttpRequest&, const RequestContext&, const std::string&, const std::string&) { return Stub("delete"); }
HttpResponse HandleUpsert(Org&, const HttpRequest&, const RequestContext&, const std::string&, const std::string&, const std::string&) { return Stub("upsert"); }
HttpResponse HandleCollections(Org&, const HttpRequest&, const RequestContext&) { return Stub("collections"); }
HttpResponse HandleComposite(Org&, const HttpRequest&, const RequestContext&) { return Stub("composite"); }

}  // namespace cf::sfemu
