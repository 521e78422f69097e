// The write half of the emulator's REST API (api.h): create, update, delete, upsert, sObject
// Collections and Composite, with Salesforce's answers for success and for every error.
//
// Every write validates and stores under the org's lock (validation.h), so concurrent writers
// never lose each other's changes and allOrNone batches are atomic. Composite holds the lock
// for all of its subrequests and calls the same handlers; it is counted as one API call by the
// router, never per subrequest.
//
// Texts used here besides validation.cc's (sources: captured answers and client fixtures):
//   NOT_FOUND "The requested resource does not exist" (spec table; unknown object, record)
//   NOT_FOUND "Provided external ID field does not exist or is not accessible: INVALID ID"
//     (a real org's answer to PATCH with a malformed record Id, and to unknown upsert fields)
//   MALFORMED_ID "Account ID: id value of incorrect type: 001900K0001pPuOAAU" fields [Id]
//     (an Id of another object or with a bad checksum in the path)
//   MALFORMED_ID "malformed id 001RM000003oLrB000" (collections, per record)
//   ENTITY_IS_DELETED "entity is deleted"
//   INVALID_FIELD "The Id field should not be specified in the sobject data." (REST docs; also
//     with the external Id field's name on upsert)
//   INVALID_FIELD "Field name provided, Id is not an External ID or indexed field for X"
//   EXCEEDED_ID_LIMIT "record limit reached. cannot submit more than 200 records into this call"
//   ALL_OR_NONE_OPERATION_ROLLED_BACK "Record rolled back because not all records were valid and
//     the request was using AllOrNone header" (client fixtures of collections answers)
//   PROCESSING_HALTED "The transaction was rolled back since another operation in the same
//     transaction failed." and "Invalid reference specified. No value for acc.id found in acc"
//     (client fixtures of composite answers)
//   METHOD_NOT_ALLOWED "HTTP Method 'PUT' not allowed. Allowed are GET,PATCH,DELETE"
//   DELETE_FAILED "Your attempt to delete X could not be completed because it is associated with
//     the following cases.: 00001005\n" (cascade.h; a real answer quoted in client code)
// Not verified against a capture (chosen to read like Salesforce): the composite limits of 25
// subrequests and of 5 query/collections subrequests (LIMIT_EXCEEDED), malformed composite
// envelopes, INVALID_TYPE for collections records without attributes.type, MISSING_ARGUMENT for
// an update record without an Id.
#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"
#include "engine/value.h"
#include "tools/sfemu/api.h"
#include "tools/sfemu/cascade.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/validation.h"

namespace cf::sfemu {
namespace {

// Answers keep their keys in the order written (Salesforce's order), hence ordered_json.
using Json = nlohmann::ordered_json;
using OrderedJson = nlohmann::ordered_json;

constexpr size_t kMaxCollectionRecords = 200;
constexpr size_t kMaxCompositeSubrequests = 25;
// "Up to 5 of these subrequests can be sObject Collections or query operations, including
// Query and QueryAll requests" (REST API guide, Composite).
constexpr size_t kMaxCompositeQueries = 5;

constexpr char kRolledBackMessage[] =
    "Record rolled back because not all records were valid and the request was using AllOrNone "
    "header";
constexpr char kHaltedMessage[] =
    "The transaction was rolled back since another operation in the same transaction failed.";

std::string Dump(const Json& j) {
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

HttpResponse JsonAnswer(int status, const Json& body) {
  return HttpResponse::Json(status, Dump(body));
}

HttpResponse NoContent() {
  HttpResponse r;
  r.status = 204;
  return r;
}

HttpResponse NotFound() {
  return ErrorResponse(404, "NOT_FOUND", "The requested resource does not exist");
}

std::string ApiBase(const RequestContext& ctx) {
  return "/services/data/v" + (ctx.api_version.empty() ? std::string("59.0") : ctx.api_version);
}

std::string RecordUrl(const RequestContext& ctx, const engine::Object& object,
                      const std::string& id) {
  return ApiBase(ctx) + "/sobjects/" + object.name + "/" + id;
}

std::string UserId(const RequestContext& ctx) { return ctx.user ? ctx.user->id : std::string(); }

// "46.0" -> 46.
int MajorVersion(const std::string& version) {
  int v = 0;
  for (char c : version) {
    if (c < '0' || c > '9') break;
    v = v * 10 + (c - '0');
  }
  return v;
}

const engine::Object* FindObject(const Org& org, const std::string& name) {
  return org.schema().Find(name);
}

std::string IdLabel(const engine::Object& object) {
  const engine::Field* f = object.FindField("Id");
  return f != nullptr && !f->label.empty() ? f->label : std::string("Record ID");
}

bool IsAlnum(const std::string& s) {
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  });
}

// A record Id from a path: the 18-character form, or the answer Salesforce gives for it.
struct PathId {
  std::string id18;
  std::optional<HttpResponse> error;
};

PathId CheckPathId(const engine::Object& object, const std::string& id) {
  PathId out;
  if ((id.size() != 15 && id.size() != 18) || !IsAlnum(id)) {
    out.error = ErrorResponse(404, "NOT_FOUND",
                              "Provided external ID field does not exist or is not accessible: " + id);
    return out;
  }
  std::optional<engine::SfId> parsed = engine::SfId::Parse(id);
  if (!parsed || parsed->KeyPrefix() != object.key_prefix) {
    out.error = ErrorResponse(400, "MALFORMED_ID",
                              IdLabel(object) + ": id value of incorrect type: " + id, {"Id"});
    return out;
  }
  out.id18 = parsed->To18();
  return out;
}

// Reads the body of a single-record write: a JSON object, or Salesforce's error answer.
std::optional<OrderedJson> ReadRecordBody(const HttpRequest& req, const engine::Object& object,
                                          HttpResponse* error) {
  SfError e;
  std::optional<OrderedJson> body = ParseRequestJson(req.body, &e);
  if (!body) {
    *error = ErrorResponse(400, {e});
    return std::nullopt;
  }
  if (!body->is_object()) {
    const JsonPosition p = LocateJsonValue(req.body, {}).value_or(JsonPosition{});
    std::string token;
    if (body->is_array()) {
      token = "START_ARRAY value [";
    } else if (body->is_string()) {
      token = "VALUE_STRING value " + body->get<std::string>();
    } else if (body->is_boolean()) {
      token = std::string(body->get<bool>() ? "VALUE_TRUE" : "VALUE_FALSE") + " value " + body->dump();
    } else if (body->is_null()) {
      token = "VALUE_NULL value null";
    } else {
      token = std::string(body->is_number_float() ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT") +
              " value " + body->dump();
    }
    *error = ErrorResponse(
        400, "JSON_PARSER_ERROR",
        "Cannot deserialize instance of " + object.name + " from " + token +
            " or request may be missing a required field at [line:" + std::to_string(p.line) +
            ", column:" + std::to_string(p.column) + "]");
    return std::nullopt;
  }
  return body;
}

// The key of `body` that names `field` ignoring case; nullptr if none.
const std::string* KeyNaming(const OrderedJson& body, std::string_view field) {
  for (auto it = body.begin(); it != body.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), field)) return &it.key();
  }
  return nullptr;
}

// ---- One record, under the org's lock ----

struct Outcome {
  int status = 200;  // the single-record answer's status when errors is not empty
  std::string id;
  std::vector<SfError> errors;
  bool ok() const { return errors.empty(); }
};

Outcome CreateRecordLocked(Org& org, const engine::Object& object, const OrderedJson& body,
                           BodyOrigin origin, const RequestContext& ctx) {
  Outcome out;
  WriteRequest wr;
  wr.object = &object;
  wr.kind = WriteKind::kCreate;
  wr.body = &body;
  wr.origin = std::move(origin);
  WriteCheck check = ValidateWriteLocked(org, wr);
  if (!check.ok()) {
    out.status = 400;
    out.errors = std::move(check.errors);
    return out;
  }
  out.id = org.InsertLocked(object, std::move(check.fields), UserId(ctx));
  return out;
}

// For "not found": single-record answers use NOT_FOUND, per-record results
// INVALID_CROSS_REFERENCE_KEY as SaveResults do.
Outcome UpdateRecordLocked(Org& org, const engine::Object& object, const std::string& id18,
                           const OrderedJson& body, BodyOrigin origin, const RequestContext& ctx,
                           bool per_record) {
  Outcome out;
  out.id = id18;
  const StoredRecord* found = org.FindLocked(object, id18);
  if (found == nullptr) {
    out.status = 404;
    out.errors.push_back(per_record
                             ? SfError{"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}}
                             : SfError{"NOT_FOUND", "The requested resource does not exist", {}});
    return out;
  }
  if (found->deleted) {
    out.status = 404;
    out.errors.push_back(SfError{"ENTITY_IS_DELETED", "entity is deleted", {}});
    return out;
  }
  const StoredRecord existing = *found;  // FindLocked's record may be recycled while validating
  WriteRequest wr;
  wr.object = &object;
  wr.kind = WriteKind::kUpdate;
  wr.body = &body;
  wr.existing = &existing;
  wr.origin = std::move(origin);
  WriteCheck check = ValidateWriteLocked(org, wr);
  if (!check.ok()) {
    out.status = 400;
    out.errors = std::move(check.errors);
    return out;
  }
  if (!org.UpdateLocked(object, id18, check.fields, UserId(ctx))) {
    out.status = 404;
    out.errors.push_back(SfError{"ENTITY_IS_DELETED", "entity is deleted", {}});
  }
  return out;
}

// A collections result: {"id"?, "success", "errors"} in the order of Salesforce's examples.
Json SaveResult(const std::string& id, bool with_id_on_failure, const std::vector<SfError>& errors) {
  Json r = Json::object();
  if (errors.empty() || with_id_on_failure) {
    if (!id.empty()) r["id"] = id;
  }
  r["success"] = errors.empty();
  r["errors"] = Json::array();
  for (const SfError& e : errors) r["errors"].push_back(e.ToStatusJson());
  return r;
}

// A single-record create or upsert answer: {"id", "errors", "success"} in the order of the
// captured answer (salesforce-samples/records/create_success.json).
Json CreatedBody(const std::string& id) {
  return Json{{"id", id}, {"errors", Json::array()}, {"success", true}};
}

// The answer to a top-level flag of a request body that is not a boolean.
HttpResponse NotABoolean(const std::string& text, const std::string& key, const OrderedJson& value) {
  const JsonPosition p = LocateJsonValue(text, {key}).value_or(JsonPosition{});
  std::string token;
  if (value.is_string()) {
    token = "VALUE_STRING value " + value.get<std::string>();
  } else if (value.is_number()) {
    token = std::string(value.is_number_float() ? "VALUE_NUMBER_FLOAT" : "VALUE_NUMBER_INT") +
            " value " + value.dump();
  } else {
    token = value.is_array() ? "START_ARRAY value [" : "START_OBJECT value {";
  }
  return ErrorResponse(400, "JSON_PARSER_ERROR",
                       "Cannot deserialize instance of boolean from " + token +
                           " or request may be missing a required field at [line:" +
                           std::to_string(p.line) + ", column:" + std::to_string(p.column) + "]");
}

// ---- Collections ----

HttpResponse CollectionsImpl(Org& org, const HttpRequest& req, const RequestContext& ctx,
                             bool force_all_or_none) {
  // DELETE /composite/sobjects?ids=...&allOrNone=...
  if (req.method == "DELETE") {
    std::vector<std::string> ids;
    auto it = req.query.find("ids");
    if (it != req.query.end()) {
      std::string list = it->second;
      size_t start = 0;
      while (start <= list.size()) {
        size_t comma = list.find(',', start);
        if (comma == std::string::npos) comma = list.size();
        std::string id = list.substr(start, comma - start);
        if (!id.empty()) ids.push_back(id);
        start = comma + 1;
      }
    }
    if (ids.size() > kMaxCollectionRecords) {
      return ErrorResponse(400, "EXCEEDED_ID_LIMIT",
                           "record limit reached. cannot submit more than 200 records into this "
                           "call");
    }
    auto aon = req.query.find("allOrNone");
    const bool all_or_none =
        force_all_or_none || (aon != req.query.end() && engine::EqualsIgnoreCase(aon->second, "true"));
    Org::OrgLock lock = org.Lock();
    std::shared_ptr<Org::Snapshot> snapshot;
    if (all_or_none) snapshot = org.SnapshotLocked();
    std::vector<std::pair<std::string, std::vector<SfError>>> results;
    bool any_failed = false;
    for (const std::string& id : ids) {
      std::vector<SfError> errors;
      std::optional<engine::SfId> parsed = engine::SfId::Parse(id);
      const engine::Object* object = parsed ? org.ObjectOfId(parsed->To18()) : nullptr;
      std::string id18 = parsed ? parsed->To18() : id;
      if (!parsed || object == nullptr) {
        errors.push_back(SfError{"MALFORMED_ID", "malformed id " + id, {}});
      } else if (auto r = org.FindRowLocked(*object, id18); !r) {
        errors.push_back(SfError{"INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {}});
      } else if (r->deleted()) {
        errors.push_back(SfError{"ENTITY_IS_DELETED", "entity is deleted", {}});
      } else if (std::optional<SfError> e = DeleteWithCascadeLocked(org, *object, id18)) {
        errors.push_back(std::move(*e));
      }
      any_failed = any_failed || !errors.empty();
      // A malformed Id is not echoed back (Salesforce's example answer has no "id" there).
      results.emplace_back(parsed && object != nullptr ? id18 : std::string(), std::move(errors));
    }
    if (all_or_none && any_failed) org.RestoreLocked(*snapshot);
    Json out = Json::array();
    for (auto& [id, errors] : results) {
      if (all_or_none && any_failed && errors.empty()) {
        errors.push_back(SfError{"ALL_OR_NONE_OPERATION_ROLLED_BACK", kRolledBackMessage, {}});
      }
      out.push_back(SaveResult(id, true, errors));
    }
    return JsonAnswer(200, out);
  }

  const bool create = req.method == "POST";
  SfError parse_error;
  std::optional<OrderedJson> body = ParseRequestJson(req.body, &parse_error);
  if (!body) return ErrorResponse(400, {parse_error});
  if (!body->is_object()) {
    return ErrorResponse(400, "JSON_PARSER_ERROR",
                         "Cannot deserialize instance of SObjectCollectionInput from " +
                             std::string(body->is_array() ? "START_ARRAY value [" : "VALUE value") +
                             " or request may be missing a required field at [line:1, column:1]");
  }
  bool all_or_none = force_all_or_none;
  if (auto a = body->find("allOrNone"); a != body->end() && !a->is_null()) {
    if (!a->is_boolean()) return NotABoolean(req.body, "allOrNone", *a);
    all_or_none = all_or_none || a->get<bool>();
  }
  auto records_it = body->find("records");
  if (records_it == body->end() || !records_it->is_array()) {
    return ErrorResponse(400, "JSON_PARSER_ERROR",
                         "The 'records' property is required and must be a list of sObjects.");
  }
  const OrderedJson& records = *records_it;
  if (records.size() > kMaxCollectionRecords) {
    return ErrorResponse(400, "EXCEEDED_ID_LIMIT",
                         "record limit reached. cannot submit more than 200 records into this call");
  }
  // Every record must say its type, and the type must exist, before anything is written.
  std::vector<const engine::Object*> objects;
  for (const OrderedJson& r : records) {
    const OrderedJson* type = nullptr;
    if (r.is_object()) {
      if (auto a = r.find("attributes"); a != r.end() && a->is_object()) {
        if (auto t = a->find("type"); t != a->end() && t->is_string()) type = &*t;
      }
    }
    if (type == nullptr) {
      return ErrorResponse(400, "INVALID_TYPE", "Must send a concrete entity type.");
    }
    const engine::Object* object = FindObject(org, type->get<std::string>());
    if (object == nullptr) {
      return ErrorResponse(400, "INVALID_TYPE",
                           "sObject type '" + type->get<std::string>() +
                               "' is not supported. If you are attempting to use a custom object, "
                               "be sure to append the '__c' after the entity name. Please "
                               "reference your WSDL or the describe call for the appropriate "
                               "names.");
    }
    objects.push_back(object);
  }

  Org::OrgLock lock = org.Lock();
  std::shared_ptr<Org::Snapshot> snapshot;
  if (all_or_none) snapshot = org.SnapshotLocked();
  std::vector<Outcome> outcomes;
  bool any_failed = false;
  for (size_t i = 0; i < records.size(); ++i) {
    const engine::Object& object = *objects[i];
    BodyOrigin origin{req.body, {"records", std::to_string(i)}};
    Outcome outcome;
    if (create) {
      outcome = CreateRecordLocked(org, object, records[i], origin, ctx);
    } else {
      OrderedJson fields = records[i];
      const std::string* id_key = KeyNaming(fields, "Id");
      if (id_key == nullptr || !fields[*id_key].is_string()) {
        outcome.errors.push_back(
            SfError{"MISSING_ARGUMENT", "Id not specified in an update call", {}});
      } else {
        const std::string id = fields[*id_key].get<std::string>();
        fields.erase(*id_key);
        std::optional<engine::SfId> parsed = engine::SfId::Parse(id);
        if (!parsed) {
          outcome.id = id;
          outcome.errors.push_back(SfError{"MALFORMED_ID", "malformed id " + id, {}});
        } else if (parsed->KeyPrefix() != object.key_prefix) {
          outcome.id = id;
          outcome.errors.push_back(SfError{
              "MALFORMED_ID", IdLabel(object) + ": id value of incorrect type: " + id, {"Id"}});
        } else {
          outcome = UpdateRecordLocked(org, object, parsed->To18(), fields, origin, ctx, true);
        }
      }
    }
    any_failed = any_failed || !outcome.ok();
    outcomes.push_back(std::move(outcome));
  }
  if (all_or_none && any_failed) org.RestoreLocked(*snapshot);
  Json out = Json::array();
  for (Outcome& o : outcomes) {
    if (all_or_none && any_failed && o.ok()) {
      o.errors.push_back(SfError{"ALL_OR_NONE_OPERATION_ROLLED_BACK", kRolledBackMessage, {}});
      // A rolled-back create has no Id to report.
      if (create) o.id.clear();
    }
    out.push_back(SaveResult(o.id, !create, o.errors));
  }
  return JsonAnswer(200, out);
}

// ---- Composite ----

std::string PercentDecode(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size() &&
        std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16)));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// The request a subrequest stands for.
HttpRequest SubRequest(const HttpRequest& outer, const std::string& method, const std::string& url,
                       const OrderedJson* body, const OrderedJson* headers) {
  HttpRequest r;
  r.method = method;
  for (char& c : r.method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  r.target = url;
  r.remote = outer.remote;
  const size_t q = url.find('?');
  r.path = PercentDecode(std::string_view(url).substr(0, q), false);
  if (q != std::string::npos) {
    std::string_view query = std::string_view(url).substr(q + 1);
    size_t start = 0;
    while (start <= query.size()) {
      size_t amp = query.find('&', start);
      if (amp == std::string_view::npos) amp = query.size();
      std::string_view pair = query.substr(start, amp - start);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        std::string key = PercentDecode(pair.substr(0, eq), true);
        std::string value =
            eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1), true);
        r.query[key] = value;
      }
      start = amp + 1;
    }
  }
  for (const auto& [name, value] : outer.headers) {
    if (name == "authorization" || name == "sforce-query-options" || name == "accept") {
      r.headers[name] = value;
    }
  }
  if (headers != nullptr && headers->is_object()) {
    for (auto it = headers->begin(); it != headers->end(); ++it) {
      std::string name = it.key();
      for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = it->is_string() ? it->get<std::string>() : it->dump();
    }
  }
  if (body != nullptr && !body->is_null()) {
    r.body = body->dump(-1, ' ', false, OrderedJson::error_handler_t::replace);
    r.headers["content-type"] = "application/json";
  }
  return r;
}

// The segments of a raw (not yet decoded) URL path, each percent-decoded after splitting, as
// the router does for top-level paths: an upsert value holding %2F stays one segment.
std::vector<std::string> Segments(std::string_view raw_path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= raw_path.size()) {
    size_t slash = raw_path.find('/', start);
    if (slash == std::string_view::npos) slash = raw_path.size();
    if (slash > start) out.push_back(PercentDecode(raw_path.substr(start, slash - start), false));
    start = slash + 1;
  }
  return out;
}

HttpResponse MethodNotAllowed(const std::string& method, const char* allowed) {
  return ErrorResponse(405, "METHOD_NOT_ALLOWED",
                       "HTTP Method '" + method + "' not allowed. Allowed are " + allowed);
}

// Runs one subrequest through the same handlers the router calls.
HttpResponse CollectionsUpsertImpl(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                   const std::string& object_name, const std::string& field_name,
                                   bool force_all_or_none);

HttpResponse DispatchSubrequest(Org& org, const HttpRequest& sub, const RequestContext& outer_ctx,
                                bool all_or_none) {
  // Split the raw target, then decode (sub.path is already decoded, so a %2F in it would split).
  std::vector<std::string> seg =
      Segments(std::string_view(sub.target).substr(0, sub.target.find('?')));
  if (seg.size() < 3 || seg[0] != "services" || seg[1] != "data" || seg[2].size() < 2 ||
      seg[2][0] != 'v') {
    return NotFound();
  }
  RequestContext ctx = outer_ctx;
  ctx.api_version = seg[2].substr(1);
  std::vector<std::string> rest(seg.begin() + 3, seg.end());
  const std::string& m = sub.method;
  if (rest.empty()) return NotFound();
  if (rest[0] == "sobjects" && rest.size() >= 2) {
    const std::string& object = rest[1];
    if (rest.size() == 2) {
      if (m == "POST") return HandleCreate(org, sub, ctx, object);
      if (m == "GET") return HandleDescribe(org, sub, ctx, object);
      return MethodNotAllowed(m, "GET,HEAD,POST");
    }
    if (rest.size() == 3) {
      if (rest[2] == "describe") {
        if (m == "GET") return HandleDescribe(org, sub, ctx, object);
        return MethodNotAllowed(m, "GET,HEAD");
      }
      if (rest[2] == "updated" || rest[2] == "deleted") {
        if (m == "GET") return HandleGetUpdated(org, sub, ctx, object, rest[2] == "deleted");
        return MethodNotAllowed(m, "GET,HEAD");
      }
      if (m == "GET") return HandleGetRecord(org, sub, ctx, object, rest[2]);
      if (m == "PATCH") return HandleUpdate(org, sub, ctx, object, rest[2]);
      if (m == "DELETE") return HandleDelete(org, sub, ctx, object, rest[2]);
      return MethodNotAllowed(m, "GET,PATCH,DELETE");
    }
    if (rest.size() == 4) {
      if (m == "GET") return HandleGetByExternalId(org, sub, ctx, object, rest[2], rest[3]);
      if (m == "PATCH") return HandleUpsert(org, sub, ctx, object, rest[2], rest[3]);
      if (m == "DELETE") return HandleDeleteByExternalId(org, sub, ctx, object, rest[2], rest[3]);
      return MethodNotAllowed(m, "GET,PATCH,DELETE");
    }
    return NotFound();
  }
  if ((rest[0] == "query" || rest[0] == "queryAll") && rest.size() <= 2) {
    if (m != "GET") return MethodNotAllowed(m, "GET,HEAD");
    const bool all = rest[0] == "queryAll";
    if (rest.size() == 1) return HandleQuery(org, sub, ctx, all);
    return HandleQueryMore(org, sub, ctx, rest[1], all);
  }
  if (rest[0] == "composite" && rest.size() == 3 && rest[1] == "sobjects") {
    if (m != "GET" && m != "POST") return MethodNotAllowed(m, "GET,POST");
    return HandleCollectionsRetrieve(org, sub, ctx, rest[2]);
  }
  if (rest[0] == "composite" && rest.size() == 4 && rest[1] == "sobjects") {
    return CollectionsUpsertImpl(org, sub, ctx, rest[2], rest[3], all_or_none);
  }
  if (rest[0] == "composite" && rest.size() == 2 && rest[1] == "sobjects") {
    if (m != "POST" && m != "PATCH" && m != "DELETE") {
      return MethodNotAllowed(m, "PATCH,POST,DELETE");
    }
    return CollectionsImpl(org, sub, ctx, all_or_none);
  }
  if (rest[0] == "limits" && rest.size() == 1) {
    if (m != "GET") return MethodNotAllowed(m, "GET,HEAD");
    return HandleLimits(org, sub, ctx);
  }
  return NotFound();
}

// A completed subrequest, for references and the answer.
struct SubResult {
  std::string reference_id;
  int status = 200;
  Json body;  // parsed, for references; null when the answer had no body
  // The body exactly as the subrequest answered it (numbers keep Salesforce's Java text, e.g.
  // 2.4E9, which a JSON round trip would rewrite); empty: write `body`.
  std::string raw;
  Json headers = Json::object();
};

bool Succeeded(const SubResult& r, bool all_or_none) {
  if (r.status >= 400) return false;
  // Collections answer 200 even when records fail; under allOrNone that fails the transaction.
  if (all_or_none && r.body.is_array()) {
    for (const Json& item : r.body) {
      if (item.is_object() && item.contains("success") && item["success"].is_boolean() &&
          !item["success"].get<bool>()) {
        return false;
      }
    }
  }
  return true;
}

// Resolves "acc.id", "q.records[0].Id" against earlier results.
std::optional<std::string> ResolveReference(const std::string& expr,
                                            const std::map<std::string, const SubResult*>& done) {
  const size_t dot = expr.find_first_of(".[");
  const std::string ref = expr.substr(0, dot);
  auto it = done.find(ref);
  if (it == done.end() || dot == std::string::npos) return std::nullopt;
  const Json* cur = &it->second->body;
  size_t pos = dot;
  while (pos < expr.size()) {
    if (expr[pos] == '.') {
      ++pos;
      size_t end = expr.find_first_of(".[", pos);
      if (end == std::string::npos) end = expr.size();
      const std::string key = expr.substr(pos, end - pos);
      if (!cur->is_object()) return std::nullopt;
      auto f = cur->find(key);
      if (f == cur->end()) {
        for (auto k = cur->begin(); k != cur->end(); ++k) {
          if (engine::EqualsIgnoreCase(k.key(), key)) {
            f = k;
            break;
          }
        }
        if (f == cur->end()) return std::nullopt;
      }
      cur = &*f;
      pos = end;
    } else if (expr[pos] == '[') {
      const size_t close = expr.find(']', pos);
      if (close == std::string::npos) return std::nullopt;
      const std::string index = expr.substr(pos + 1, close - pos - 1);
      if (index.empty() || !std::all_of(index.begin(), index.end(), ::isdigit) ||
          !cur->is_array() || index.size() > 6) {
        return std::nullopt;
      }
      const size_t i = std::stoul(index);
      if (i >= cur->size()) return std::nullopt;
      cur = &(*cur)[i];
      pos = close + 1;
    } else {
      return std::nullopt;
    }
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_number() || cur->is_boolean()) return cur->dump();
  return std::nullopt;
}

// Replaces every @{ref.path} in `text`; on a reference that cannot be resolved, sets *bad to
// its expression and returns false.
bool Substitute(std::string* text, const std::map<std::string, const SubResult*>& done,
                std::string* bad) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t open = text->find("@{", pos);
    if (open == std::string::npos) break;
    const size_t close = text->find('}', open + 2);
    if (close == std::string::npos) break;
    const std::string expr = text->substr(open + 2, close - open - 2);
    std::optional<std::string> value = ResolveReference(expr, done);
    if (!value) {
      *bad = expr;
      return false;
    }
    out.append(*text, pos, open - pos);
    out += *value;
    pos = close + 1;
  }
  if (pos == 0) return true;
  out.append(*text, pos, std::string::npos);
  *text = std::move(out);
  return true;
}

bool SubstituteJson(OrderedJson* value, const std::map<std::string, const SubResult*>& done,
                    std::string* bad) {
  if (value->is_string()) {
    std::string s = value->get<std::string>();
    if (s.find("@{") == std::string::npos) return true;
    if (!Substitute(&s, done, bad)) return false;
    *value = std::move(s);
    return true;
  }
  if (value->is_object() || value->is_array()) {
    for (auto& child : *value) {
      if (!SubstituteJson(&child, done, bad)) return false;
    }
  }
  return true;
}

Json HaltedBody(const std::string& message) {
  return Json::array({Json{{"message", message}, {"errorCode", "PROCESSING_HALTED"}}});
}

// True for a subrequest URL of a query, queryAll (or their next pages) or sObject Collections
// resource: /services/data/vNN.N/query..., /queryAll..., /composite/sobjects...
bool IsQueryOrCollections(const std::string& url) {
  std::vector<std::string> seg = Segments(std::string_view(url).substr(0, url.find('?')));
  if (seg.size() < 4 || seg[0] != "services" || seg[1] != "data") return false;
  return seg[3] == "query" || seg[3] == "queryAll" ||
         (seg[3] == "composite" && seg.size() >= 5 && seg[4] == "sobjects");
}

bool ValidReferenceId(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  });
}

// ---- Rows by external Id ----

// The field of /sobjects/X/{field}/{value}: an external-Id, idLookup or the Id field, or
// Salesforce's answer for another (404 for an unknown or hidden field, 400 otherwise).
std::optional<HttpResponse> CheckKeyField(const Org& org, const engine::Object& object,
                                          const std::string& field_name,
                                          const engine::Field** out) {
  const engine::Field* field = object.FindField(field_name);
  if (field == nullptr || org.IsHidden(object.name, field->name)) {
    return ErrorResponse(404, "NOT_FOUND",
                         "Provided external ID field does not exist or is not accessible: " +
                             field_name);
  }
  if (field->type != engine::FieldType::kId && !field->external_id && !field->id_lookup) {
    return ErrorResponse(400, "INVALID_FIELD",
                         "Field name provided, " + field->name +
                             " is not an External ID or indexed field for " + object.name);
  }
  *out = field;
  return std::nullopt;
}

// The 18-character Ids of the live records whose key `field` equals `value` (the path's text,
// read as a number for number fields). For the Id field, `value` is an 18-character Id.
// REQUIRES: org.Lock() held.
std::vector<std::string> KeyMatchesLocked(Org& org, const engine::Object& object,
                                          const engine::Field& field, const std::string& value) {
  if (field.type == engine::FieldType::kId) {
    const StoredRecord* r = org.FindLocked(object, value);
    if (r == nullptr || r->deleted) return {};
    return {value};
  }
  nlohmann::json key = value;
  if (field.type == engine::FieldType::kInt || field.type == engine::FieldType::kDouble ||
      field.type == engine::FieldType::kLong || field.type == engine::FieldType::kCurrency ||
      field.type == engine::FieldType::kPercent) {
    if (auto d = engine::Decimal::Parse(value)) {
      auto i = d->ToInt64();
      key = (i && engine::Decimal::FromInt(*i) == *d) ? nlohmann::json(*i)
                                                      : nlohmann::json(d->ToDouble());
    }
  }
  return org.FindByFieldLocked(object, field.name, key, field.case_sensitive);
}

// 300 Multiple Choices: the URLs of the records that match.
HttpResponse MultipleChoices(const RequestContext& ctx, const engine::Object& object,
                             const std::vector<std::string>& ids) {
  Json urls = Json::array();
  for (const std::string& id : ids) urls.push_back(RecordUrl(ctx, object, id));
  return JsonAnswer(300, urls);
}

// Resolves /sobjects/X/{field}/{value} to one live record: its Id, or the answer (404 when
// none, 300 when several). REQUIRES: org.Lock() held.
std::optional<std::string> ResolveKeyLocked(Org& org, const RequestContext& ctx,
                                            const engine::Object& object,
                                            const engine::Field& field, const std::string& value,
                                            HttpResponse* answer) {
  std::vector<std::string> matches = KeyMatchesLocked(org, object, field, value);
  if (matches.size() == 1) return matches[0];
  *answer = matches.empty() ? NotFound() : MultipleChoices(ctx, object, matches);
  return std::nullopt;
}

// ---- Collections upsert ----

// PATCH /composite/sobjects/{object}/{field}: {"allOrNone", "records": [...]} of one object,
// each record with attributes.type and its external-id value under `field`. Answers 200 with
// one UpsertResult per record, in order: {"id", "success", "errors", "created"} on success,
// {"success", "errors"} on failure (UpsertResult's id is null then). `force_all_or_none`: a
// Composite subrequest under the envelope's allOrNone.
HttpResponse CollectionsUpsertImpl(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                   const std::string& object_name, const std::string& field_name,
                                   bool force_all_or_none) {
  if (req.method != "PATCH") return MethodNotAllowed(req.method, "PATCH");
  // "This request is available in API version 46 and later."
  if (MajorVersion(ctx.api_version.empty() ? "59.0" : ctx.api_version) < 46) return NotFound();
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  const engine::Field* field = nullptr;
  if (auto bad = CheckKeyField(org, *object, field_name, &field)) return *bad;
  // "Only external ids are supported. Don't use record ids."
  if (field->type == engine::FieldType::kId) {
    return ErrorResponse(400, "INVALID_FIELD",
                         "Field name provided, Id is not an External ID or indexed field for " +
                             object->name);
  }
  SfError parse_error;
  std::optional<OrderedJson> body = ParseRequestJson(req.body, &parse_error);
  if (!body) return ErrorResponse(400, {parse_error});
  if (!body->is_object()) {
    return ErrorResponse(400, "JSON_PARSER_ERROR",
                         "Cannot deserialize instance of SObjectCollectionInput from " +
                             std::string(body->is_array() ? "START_ARRAY value [" : "VALUE value") +
                             " or request may be missing a required field at [line:1, column:1]");
  }
  bool all_or_none = force_all_or_none;
  if (auto a = body->find("allOrNone"); a != body->end() && !a->is_null()) {
    if (!a->is_boolean()) return NotABoolean(req.body, "allOrNone", *a);
    all_or_none = all_or_none || a->get<bool>();
  }
  auto records_it = body->find("records");
  if (records_it == body->end() || !records_it->is_array()) {
    return ErrorResponse(400, "JSON_PARSER_ERROR",
                         "The 'records' property is required and must be a list of sObjects.");
  }
  const OrderedJson& records = *records_it;
  if (records.size() > kMaxCollectionRecords) {
    return ErrorResponse(400, "EXCEEDED_ID_LIMIT",
                         "record limit reached. cannot submit more than 200 records into this call");
  }
  // Every record must be of the path's object ("The list can contain objects only of the type
  // indicated in the request URI"), checked before anything is written.
  for (const OrderedJson& r : records) {
    const OrderedJson* type = nullptr;
    if (r.is_object()) {
      if (auto a = r.find("attributes"); a != r.end() && a->is_object()) {
        if (auto t = a->find("type"); t != a->end() && t->is_string()) type = &*t;
      }
    }
    if (type == nullptr) return ErrorResponse(400, "INVALID_TYPE", "Must send a concrete entity type.");
    if (!engine::EqualsIgnoreCase(type->get<std::string>(), object->name)) {
      return ErrorResponse(400, "INVALID_TYPE",
                           "sObject type '" + type->get<std::string>() +
                               "' does not match the type of the request URI: " + object->name);
    }
  }

  // Each record's external-id value (text) and the per-record errors found before writing.
  const size_t n = records.size();
  std::vector<std::string> values(n);
  std::vector<std::vector<SfError>> early(n);
  std::map<std::string, std::vector<size_t>> by_value;  // folded when the field ignores case
  for (size_t i = 0; i < n; ++i) {
    const OrderedJson& r = records[i];
    const std::string* key = KeyNaming(r, field->name);
    const OrderedJson* v = key != nullptr ? &r[*key] : nullptr;
    if (KeyNaming(r, "Id") != nullptr) {
      early[i].push_back(SfError{"INVALID_FIELD",
                                 "The Id field should not be specified in the sobject data.", {}});
    } else if (v == nullptr || v->is_null() || (v->is_string() && v->get<std::string>().empty())) {
      early[i].push_back(SfError{"MISSING_ARGUMENT", field->name + " not specified", {}});
    } else if (v->is_string()) {
      values[i] = v->get<std::string>();
    } else if (v->is_number()) {
      values[i] = v->dump();
    } else {
      early[i].push_back(SfError{"INVALID_FIELD",
                                 field->name + ": value not of required type: " + v->dump(),
                                 {field->name}});
    }
    if (early[i].empty()) {
      std::string folded = values[i];
      if (!field->case_sensitive) {
        for (char& c : folded) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      }
      by_value[folded].push_back(i);
    }
  }
  // The same value twice in one request: both records fail (Salesforce's DUPLICATE_VALUE
  // "Duplicate external id specified: ABC123" with the field, as DML upsert reports it).
  for (const auto& [folded, members] : by_value) {
    if (members.size() < 2) continue;
    for (size_t i : members) {
      early[i].push_back(SfError{"DUPLICATE_VALUE",
                                 "Duplicate external id specified: " + values[i], {field->name}});
    }
  }

  struct Upserted {
    Outcome outcome;
    bool created = false;
  };
  Org::OrgLock lock = org.Lock();
  std::shared_ptr<Org::Snapshot> snapshot;
  if (all_or_none) snapshot = org.SnapshotLocked();
  // The records each value matches, from one scan of the object's rows for a text key (one
  // scan per record would make a call cost 200 scans). Matching as KeyMatchesLocked does: text
  // ignoring case unless the field is case-sensitive, Id-like text as an Id. The values of a
  // call are distinct (repeats failed above) and its writes never change another record's key
  // (updates keep the stored key), so matches found before the writes stay right.
  const bool text_key = field->type != engine::FieldType::kInt &&
                        field->type != engine::FieldType::kDouble &&
                        field->type != engine::FieldType::kLong &&
                        field->type != engine::FieldType::kCurrency &&
                        field->type != engine::FieldType::kPercent;
  auto fold = [&](std::string text) {
    if (!field->case_sensitive) {
      for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return text;
  };
  std::map<std::string, std::vector<std::string>> scanned;  // folded value -> matching Ids
  if (text_key && !by_value.empty()) {
    std::map<std::string, std::string> wanted_ids;  // 18-character Id -> folded value
    for (const auto& [folded, members] : by_value) {
      if (auto id = engine::SfId::Parse(values[members[0]])) wanted_ids[id->To18()] = folded;
    }
    const int fi = object->FieldIndex(field->name);
    org.ScanRowsLocked(*object, [&](const RecordView& row) {
      if (row.deleted()) return true;
      const FieldValue v = row.Get(fi);
      if (v.kind == FieldValue::Kind::kId) {
        if (auto it = wanted_ids.find(v.id.To18()); it != wanted_ids.end()) {
          scanned[it->second].push_back(row.Id18());
        }
      } else if (v.kind == FieldValue::Kind::kString || v.kind == FieldValue::Kind::kDate ||
                 v.kind == FieldValue::Kind::kDateTime) {
        std::string text = fold(v.Text());
        if (by_value.count(text) != 0) scanned[text].push_back(row.Id18());
      }
      return true;
    });
  }
  std::vector<Upserted> results(n);
  bool any_failed = false;
  for (size_t i = 0; i < n; ++i) {
    Upserted& u = results[i];
    BodyOrigin origin{req.body, {"records", std::to_string(i)}};
    if (!early[i].empty()) {
      u.outcome.errors = std::move(early[i]);
    } else {
      std::vector<std::string> matches;
      if (!text_key) {
        matches = KeyMatchesLocked(org, *object, *field, values[i]);
      } else if (auto it = scanned.find(fold(values[i])); it != scanned.end()) {
        matches = it->second;
      }
      if (matches.size() > 1) {
        // The text of Salesforce's answers to an upsert whose key matches several records
        // ("CIS Account Number: more than one record found for external id field: [...]").
        std::string list;
        for (const std::string& id : matches) list += (list.empty() ? "" : ", ") + id;
        u.outcome.errors.push_back(
            SfError{"DUPLICATE_EXTERNAL_ID",
                    (field->label.empty() ? field->name : field->label) +
                        ": more than one record found for external id field: [" + list + "]",
                    {}});
      } else if (matches.empty()) {
        u.outcome = CreateRecordLocked(org, *object, records[i], origin, ctx);
        u.created = true;
      } else {
        OrderedJson fields = records[i];
        fields.erase(*KeyNaming(fields, field->name));  // the key stays as stored
        u.outcome = UpdateRecordLocked(org, *object, matches[0], fields, origin, ctx, true);
      }
    }
    any_failed = any_failed || !u.outcome.ok();
  }
  if (all_or_none && any_failed) org.RestoreLocked(*snapshot);
  Json out = Json::array();
  for (Upserted& u : results) {
    Outcome& o = u.outcome;
    if (all_or_none && any_failed && o.ok()) {
      o.errors.push_back(SfError{"ALL_OR_NONE_OPERATION_ROLLED_BACK", kRolledBackMessage, {}});
    }
    Json r = Json::object();
    if (o.ok()) r["id"] = o.id;
    r["success"] = o.ok();
    r["errors"] = Json::array();
    for (const SfError& e : o.errors) r["errors"].push_back(e.ToStatusJson());
    if (o.ok()) r["created"] = u.created;
    out.push_back(std::move(r));
  }
  return JsonAnswer(200, out);
}


}  // namespace

HttpResponse HandleGetByExternalId(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                   const std::string& object_name, const std::string& field_name,
                                   const std::string& value) {
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  const engine::Field* field = nullptr;
  if (auto bad = CheckKeyField(org, *object, field_name, &field)) return *bad;
  std::string key = value;
  if (field->type == engine::FieldType::kId) {
    PathId path_id = CheckPathId(*object, value);
    if (path_id.error) return *path_id.error;
    key = path_id.id18;
  }
  Org::OrgLock lock = org.Lock();  // recursive: HandleGetRecord takes it again
  HttpResponse answer;
  std::optional<std::string> id = ResolveKeyLocked(org, ctx, *object, *field, key, &answer);
  if (!id) return answer;
  return HandleGetRecord(org, req, ctx, object->name, *id);
}

HttpResponse HandleDeleteByExternalId(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                      const std::string& object_name,
                                      const std::string& field_name, const std::string& value) {
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  const engine::Field* field = nullptr;
  if (auto bad = CheckKeyField(org, *object, field_name, &field)) return *bad;
  if (field->type == engine::FieldType::kId) return HandleDelete(org, req, ctx, object->name, value);
  Org::OrgLock lock = org.Lock();
  HttpResponse answer;
  std::optional<std::string> id = ResolveKeyLocked(org, ctx, *object, *field, value, &answer);
  if (!id) return answer;
  return HandleDelete(org, req, ctx, object->name, *id);
}

HttpResponse HandleCreate(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object_name) {
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  HttpResponse error;
  std::optional<OrderedJson> body = ReadRecordBody(req, *object, &error);
  if (!body) return error;
  Org::OrgLock lock = org.Lock();
  Outcome o = CreateRecordLocked(org, *object, *body, BodyOrigin{req.body, {}}, ctx);
  if (!o.ok()) return ErrorResponse(o.status, o.errors);
  HttpResponse r = JsonAnswer(201, CreatedBody(o.id));
  r.SetHeader("Location", RecordUrl(ctx, *object, o.id));
  return r;
}

HttpResponse HandleUpdate(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object_name, const std::string& id) {
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  PathId path_id = CheckPathId(*object, id);
  if (path_id.error) return *path_id.error;
  HttpResponse error;
  std::optional<OrderedJson> body = ReadRecordBody(req, *object, &error);
  if (!body) return error;
  if (KeyNaming(*body, "Id") != nullptr) {
    return ErrorResponse(400, "INVALID_FIELD",
                         "The Id field should not be specified in the sobject data.");
  }
  Org::OrgLock lock = org.Lock();
  Outcome o = UpdateRecordLocked(org, *object, path_id.id18, *body, BodyOrigin{req.body, {}}, ctx,
                                 false);
  if (!o.ok()) return ErrorResponse(o.status, o.errors);
  return NoContent();
}

HttpResponse HandleDelete(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object_name, const std::string& id) {
  (void)req;
  (void)ctx;
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  PathId path_id = CheckPathId(*object, id);
  if (path_id.error) return *path_id.error;
  Org::OrgLock lock = org.Lock();
  auto found = org.FindRowLocked(*object, path_id.id18);
  if (!found) return NotFound();
  if (found->deleted()) return ErrorResponse(404, "ENTITY_IS_DELETED", "entity is deleted");
  if (std::optional<SfError> e = DeleteWithCascadeLocked(org, *object, path_id.id18)) {
    return ErrorResponse(e->error_code == "ENTITY_IS_DELETED" ? 404 : 400, {*e});
  }
  return NoContent();
}

HttpResponse HandleUpsert(Org& org, const HttpRequest& req, const RequestContext& ctx,
                          const std::string& object_name, const std::string& field_name,
                          const std::string& value) {
  const engine::Object* object = FindObject(org, object_name);
  if (object == nullptr) return NotFound();
  const engine::Field* field = nullptr;
  if (auto bad = CheckKeyField(org, *object, field_name, &field)) return *bad;
  const bool by_id = field->type == engine::FieldType::kId;
  PathId path_id;
  if (by_id) {
    path_id = CheckPathId(*object, value);
    if (path_id.error) return *path_id.error;
  }
  HttpResponse error;
  std::optional<OrderedJson> body = ReadRecordBody(req, *object, &error);
  if (!body) return error;
  for (const char* name : {"Id", field->name.c_str()}) {
    if (const std::string* key = KeyNaming(*body, name)) {
      return ErrorResponse(400, "INVALID_FIELD",
                           "The " + (engine::EqualsIgnoreCase(*key, "Id") ? std::string("Id")
                                                                          : field->name) +
                               " field should not be specified in the sobject data.");
    }
  }
  const bool v46 = MajorVersion(ctx.api_version.empty() ? "59.0" : ctx.api_version) >= 46;

  Org::OrgLock lock = org.Lock();
  std::vector<std::string> matches =
      KeyMatchesLocked(org, *object, *field, by_id ? path_id.id18 : value);
  if (by_id && matches.empty()) return NotFound();
  if (matches.size() > 1) return MultipleChoices(ctx, *object, matches);
  if (matches.empty()) {
    OrderedJson fields = *body;
    fields[field->name] = value;
    Outcome o = CreateRecordLocked(org, *object, fields, BodyOrigin{req.body, {}}, ctx);
    if (!o.ok()) return ErrorResponse(o.status, o.errors);
    Json answer = CreatedBody(o.id);
    if (v46) answer["created"] = true;
    HttpResponse r = JsonAnswer(201, answer);
    r.SetHeader("Location", RecordUrl(ctx, *object, o.id));
    return r;
  }
  Outcome o = UpdateRecordLocked(org, *object, matches[0], *body, BodyOrigin{req.body, {}}, ctx,
                                 false);
  if (!o.ok()) return ErrorResponse(o.status, o.errors);
  if (!v46) return NoContent();
  Json answer = CreatedBody(matches[0]);
  answer["created"] = false;
  HttpResponse r = JsonAnswer(200, answer);
  r.SetHeader("Location", RecordUrl(ctx, *object, matches[0]));
  return r;
}

HttpResponse HandleCollections(Org& org, const HttpRequest& req, const RequestContext& ctx) {
  if (req.method != "POST" && req.method != "PATCH" && req.method != "DELETE") {
    return MethodNotAllowed(req.method, "PATCH,POST,DELETE");
  }
  return CollectionsImpl(org, req, ctx, false);
}

HttpResponse HandleCollectionsUpsert(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                     const std::string& object, const std::string& field) {
  return CollectionsUpsertImpl(org, req, ctx, object, field, false);
}

HttpResponse HandleComposite(Org& org, const HttpRequest& req, const RequestContext& ctx) {
  if (req.method != "POST") return MethodNotAllowed(req.method, "POST");
  SfError parse_error;
  std::optional<OrderedJson> body = ParseRequestJson(req.body, &parse_error);
  if (!body) return ErrorResponse(400, {parse_error});
  const OrderedJson* subrequests = nullptr;
  if (body->is_object()) {
    if (auto it = body->find("compositeRequest"); it != body->end() && it->is_array()) {
      subrequests = &*it;
    }
  }
  if (subrequests == nullptr) {
    return ErrorResponse(400, "JSON_PARSER_ERROR",
                         "The 'compositeRequest' property is required and must be a list of "
                         "subrequests.");
  }
  if (subrequests->size() > kMaxCompositeSubrequests) {
    return ErrorResponse(400, "LIMIT_EXCEEDED",
                         "Composite requests can have at most 25 subrequests; this one has " +
                             std::to_string(subrequests->size()) + ".");
  }
  bool all_or_none = false;
  for (const char* flag : {"allOrNone", "collateSubrequests"}) {
    auto a = body->find(flag);
    if (a == body->end() || a->is_null()) continue;
    if (!a->is_boolean()) return NotABoolean(req.body, flag, *a);
    // collateSubrequests lets Salesforce run unrelated subrequests in any order; running
    // them in request order is one such order, so the flag changes nothing here.
    if (std::string_view(flag) == "allOrNone") all_or_none = a->get<bool>();
  }
  // The envelope is checked whole before anything runs.
  std::set<std::string> reference_ids;
  size_t queries = 0;
  for (const OrderedJson& s : *subrequests) {
    auto text = [&](const char* key) -> const std::string* {
      if (!s.is_object()) return nullptr;
      auto it = s.find(key);
      return it != s.end() && it->is_string() ? &it->get_ref<const std::string&>() : nullptr;
    };
    const std::string* method = text("method");
    const std::string* url = text("url");
    const std::string* ref = text("referenceId");
    if (method == nullptr || url == nullptr || ref == nullptr) {
      return ErrorResponse(400, "JSON_PARSER_ERROR",
                           "Each subrequest needs a method, a url and a referenceId.");
    }
    if (!ValidReferenceId(*ref)) {
      return ErrorResponse(400, "INVALID_INPUT",
                           "The referenceId " + *ref +
                               " is invalid: use only letters, numbers and underscores.");
    }
    if (!reference_ids.insert(*ref).second) {
      return ErrorResponse(400, "INVALID_INPUT", "Duplicate referenceId provided in the request: " +
                                                     *ref);
    }
    if (IsQueryOrCollections(*url)) ++queries;
  }
  if (queries > kMaxCompositeQueries) {
    return ErrorResponse(400, "LIMIT_EXCEEDED",
                         "Composite requests can have at most 5 query or sObject Collections "
                         "subrequests; this one has " + std::to_string(queries) + ".");
  }

  Org::OrgLock lock = org.Lock();
  std::shared_ptr<Org::Snapshot> snapshot;
  if (all_or_none) snapshot = org.SnapshotLocked();
  std::vector<SubResult> results;
  results.reserve(subrequests->size());
  std::map<std::string, const SubResult*> done;
  int failed_at = -1;
  for (size_t i = 0; i < subrequests->size(); ++i) {
    const OrderedJson& s = (*subrequests)[i];
    SubResult result;
    result.reference_id = s["referenceId"].get<std::string>();
    if (all_or_none && failed_at >= 0) {
      result.status = 400;
      result.body = HaltedBody(kHaltedMessage);
      results.push_back(std::move(result));
      continue;
    }
    std::string url = s["url"].get<std::string>();
    OrderedJson sub_body = s.contains("body") ? s["body"] : OrderedJson();
    std::string bad;
    if (!Substitute(&url, done, &bad) || !SubstituteJson(&sub_body, done, &bad)) {
      const std::string ref = bad.substr(0, bad.find_first_of(".["));
      result.status = 400;
      result.body = HaltedBody("Invalid reference specified. No value for " + bad + " found in " +
                               ref);
    } else {
      const OrderedJson* headers = s.contains("httpHeaders") ? &s["httpHeaders"] : nullptr;
      HttpRequest sub = SubRequest(req, s["method"].get<std::string>(), url, &sub_body, headers);
      HttpResponse r = DispatchSubrequest(org, sub, ctx, all_or_none);
      result.status = r.status;
      if (!r.body.empty()) {
        result.body = Json::parse(r.body, nullptr, false);
        if (result.body.is_discarded()) {
          result.body = r.body;
        } else {
          result.raw = std::move(r.body);
        }
      }
      for (const auto& [name, value] : r.headers) {
        if (name == "Location") result.headers[name] = value;
      }
    }
    const bool ok = Succeeded(result, all_or_none);
    results.push_back(std::move(result));
    if (ok) {
      done[results.back().reference_id] = &results.back();
    } else if (failed_at < 0) {
      failed_at = static_cast<int>(i);
    }
  }
  if (all_or_none && failed_at >= 0) {
    org.RestoreLocked(*snapshot);
    for (size_t i = 0; i < results.size(); ++i) {
      if (static_cast<int>(i) == failed_at) continue;
      results[i].status = 400;
      results[i].body = HaltedBody(kHaltedMessage);
      results[i].raw.clear();
      results[i].headers = Json::object();
    }
  }
  // {"compositeResponse":[{"body","httpHeaders","httpStatusCode","referenceId"}...]}, written
  // by hand so that each body keeps its own text.
  std::string out = "{\"compositeResponse\":[";
  for (size_t i = 0; i < results.size(); ++i) {
    const SubResult& r = results[i];
    if (i > 0) out += ",";
    out += "{\"body\":";
    out += r.raw.empty() ? Dump(r.body) : r.raw;
    out += ",\"httpHeaders\":" + Dump(r.headers);
    out += ",\"httpStatusCode\":" + std::to_string(r.status);
    out += ",\"referenceId\":" + Dump(Json(r.reference_id));
    out += "}";
  }
  out += "]}";
  return HttpResponse::Json(200, std::move(out));
}

}  // namespace cf::sfemu
