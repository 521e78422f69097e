// The read half of api.h: versions, describeGlobal, describe, Tooling query, query/queryAll
// with paging, record GET, getUpdated/getDeleted, limits. Shapes follow the samples in
// tests/data/salesforce-samples; docs/emulator-seed.md notes where a message is not verified.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <map>
#include <mutex>
#include <set>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/record_json.h"
#include "engine/time_zone.h"
#include "tools/sfemu/api.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/soql.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;
using nlohmann::ordered_json;

constexpr int kFirstVersion = 31;  // older versions are retired (410)
constexpr int kLastVersion = 60;
constexpr int kDefaultBatch = 2000;
constexpr int kMinBatch = 200;
constexpr engine::Millis kCursorIdleMillis = 15 * 60 * 1000;  // Salesforce: 15 minutes
constexpr size_t kCursorsPerUser = 10;                         // Salesforce: 10 open cursors
constexpr engine::Millis kDay = 86400000;

// The host the seed's describe files name; answers use the emulator's instance URL instead.
constexpr const char kSeedHost[] = "https://connectflo-demo.my.salesforce.com";

HttpResponse NotFound() {
  return ErrorResponse(404, "NOT_FOUND", "The requested resource does not exist");
}

// "Winter '11" for 20.0, then three releases a year.
std::string VersionLabel(int major) {
  static constexpr const char* kSeasons[] = {"Winter", "Spring", "Summer"};
  const int i = major - 20;
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s '%02d", kSeasons[((i % 3) + 3) % 3], 11 + i / 3);
  return buffer;
}

void ReplaceAll(std::string* text, std::string_view from, std::string_view to) {
  if (from.empty() || from == to) return;
  size_t pos = 0;
  while ((pos = text->find(from, pos)) != std::string::npos) {
    text->replace(pos, from.size(), to);
    pos += to.size();
  }
}

// A describe body as this request should see it: FLS-hidden fields removed, URLs at the
// requested version and on the emulator's host.
std::string Localize(std::string text, const RequestContext& ctx) {
  ReplaceAll(&text, "/services/data/v59.0/", "/services/data/v" + ctx.api_version + "/");
  if (!ctx.instance_url.empty()) ReplaceAll(&text, kSeedHost, ctx.instance_url);
  return text;
}

bool AppliesFls(const RequestContext& ctx) { return ctx.user != nullptr && ctx.user->integration; }

const std::set<std::string>* HiddenFor(const Org& org, const RequestContext& ctx) {
  if (!AppliesFls(ctx)) return nullptr;
  auto hidden = std::static_pointer_cast<std::set<std::string>>(org.Extension(
      "read_api.hidden", [&org] { return std::make_shared<std::set<std::string>>(HiddenFieldSet(org)); }));
  return hidden.get();
}

// The user's time zone (their User record's TimeZoneSidKey), for SOQL date literals.
std::shared_ptr<const engine::TimeZone> UserTimeZone(const Org& org, const RequestContext& ctx) {
  static std::mutex mu;
  static std::map<std::string, std::shared_ptr<const engine::TimeZone>> cache;
  std::string zone = "UTC";
  if (ctx.user != nullptr) {
    if (const engine::Object* user = org.schema().Find("User")) {
      auto lock = org.Lock();
      if (auto row = org.FindRowLocked(*user, ctx.user->id)) {
        const FieldValue v = row->Get(user->FieldIndex("TimeZoneSidKey"));
        if (v.kind == FieldValue::Kind::kString) zone = std::string(v.text);
      }
    }
  }
  std::lock_guard guard(mu);
  auto it = cache.find(zone);
  if (it != cache.end()) return it->second;
  std::string error;
  std::shared_ptr<const engine::TimeZone> tz = engine::TimeZone::Load(zone, &error);
  if (!tz) tz = engine::TimeZone::Utc();
  cache.emplace(zone, tz);
  return tz;
}

// ---- Query cursors ----

struct Cursor {
  std::shared_ptr<const SoqlQuery> query;
  std::vector<engine::SfId> ids;
  SoqlRunOptions options;
  std::string user_id;
  engine::Millis last_used = 0;
};

struct CursorStore {
  std::mutex mu;
  std::map<std::string, std::shared_ptr<Cursor>> by_locator;
  uint64_t next = 1;
};

CursorStore& Cursors(const Org& org) {
  auto store = std::static_pointer_cast<CursorStore>(
      org.Extension("read_api.cursors", [] { return std::make_shared<CursorStore>(); }));
  return *store;  // the org keeps it alive
}

// "01gDn00000b0001IAA": the key prefix of query locators, this org's pod, a sequence.
std::string NewLocator(uint64_t n) {
  static constexpr char kBase62[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  engine::SfId id;
  std::memcpy(id.chars, "01gDn000", 8);
  uint64_t v = 37ull * 62 * 62 * 62 * 62 + n;
  for (int i = 14; i >= 8; --i) {
    id.chars[i] = kBase62[v % 62];
    v /= 62;
  }
  return id.To18();
}

// Lock order: the org's mutex (Extension, Now) is never taken while holding store.mu, which
// is a leaf lock; callers may hold the org's lock.
std::string StoreCursor(const Org& org, std::shared_ptr<Cursor> cursor) {
  CursorStore& store = Cursors(org);
  const engine::Millis now = org.Now();
  std::lock_guard lock(store.mu);
  for (auto it = store.by_locator.begin(); it != store.by_locator.end();) {
    if (now - it->second->last_used > kCursorIdleMillis) {
      it = store.by_locator.erase(it);
    } else {
      ++it;
    }
  }
  // At most kCursorsPerUser open cursors: the least recently used goes.
  std::vector<std::pair<engine::Millis, std::string>> mine;
  for (const auto& [locator, c] : store.by_locator) {
    if (c->user_id == cursor->user_id) mine.emplace_back(c->last_used, locator);
  }
  std::sort(mine.begin(), mine.end());
  for (size_t i = 0; i + kCursorsPerUser <= mine.size(); ++i) store.by_locator.erase(mine[i].second);
  cursor->last_used = now;
  const std::string locator = NewLocator(store.next++);
  store.by_locator[locator] = std::move(cursor);
  return locator;
}

std::shared_ptr<Cursor> FindCursor(const Org& org, const std::string& locator) {
  CursorStore& store = Cursors(org);
  const engine::Millis now = org.Now();
  std::lock_guard lock(store.mu);
  auto it = store.by_locator.find(locator);
  if (it == store.by_locator.end()) return nullptr;
  if (now - it->second->last_used > kCursorIdleMillis) {
    store.by_locator.erase(it);
    return nullptr;
  }
  it->second->last_used = now;
  return it->second;
}

int BatchSize(const HttpRequest& req) {
  const std::string options = req.Header("sforce-query-options");
  const size_t at = options.find("batchSize=");
  if (at == std::string::npos) return kDefaultBatch;
  int n = std::atoi(options.c_str() + at + 10);
  if (n <= 0) return kDefaultBatch;
  return std::clamp(n, kMinBatch, kDefaultBatch);
}

HttpResponse SoqlErrorResponse(const SoqlError& e) {
  return ErrorResponse(e.status, e.error_code, e.message);
}

// One page of a result: {"totalSize", "done", "nextRecordsUrl"?, "records"}.
std::string QueryPage(const Org& org, const SoqlQuery& query, const std::vector<engine::SfId>& ids,
                      int64_t total, size_t offset, size_t batch, const std::string& locator,
                      const RequestContext& ctx, const SoqlRunOptions& options) {
  const size_t end = std::min(ids.size(), offset + batch);
  const bool done = end >= ids.size();
  std::string body = "{\"totalSize\":" + std::to_string(total) + ",\"done\":" + (done ? "true" : "false");
  if (!done) {
    body += ",\"nextRecordsUrl\":\"/services/data/v" + ctx.api_version + "/query/" + locator + "-" +
            std::to_string(end) + "\"";
  }
  body += ",\"records\":[";
  body += RenderRecordsLocked(org, query, ids, offset, end, "v" + ctx.api_version, options);
  body += "]}";
  return body;
}

// ---- Limits ----

struct LimitRow {
  const char* name;
  int64_t max;
  int64_t used;
  bool per_app;
};
constexpr LimitRow kLimits[] = {
    {"AnalyticsExternalDataSizeMB", 40960, 0, false},
    {"BOZosCalloutHourlyLimit", 20000, 0, false},
    {"ConcurrentAsyncGetReportInstances", 200, 0, false},
    {"ConcurrentEinsteinDataInsightsStoryCreation", 5, 0, false},
    {"ConcurrentEinsteinDiscoveryStoryCreation", 2, 0, false},
    {"ConcurrentSyncReportRuns", 20, 0, false},
    {"DailyAnalyticsDataflowJobExecutions", 60, 0, false},
    {"DailyAnalyticsUploadedFilesSizeMB", 51200, 0, false},
    {"DailyApiRequests", 0, 0, true},  // from the org's counter
    {"DailyAsyncApexExecutions", 250000, 0, false},
    {"DailyBulkApiBatches", 15000, 0, true},
    {"DailyBulkV2QueryFileStorageMB", 976562, 0, false},
    {"DailyBulkV2QueryJobs", 10000, 0, false},
    {"DailyDurableGenericStreamingApiEvents", 10000, 0, false},
    {"DailyDurableStreamingApiEvents", 10000, 0, false},
    {"DailyEinsteinDataInsightsStoryCreation", 1000, 0, false},
    {"DailyEinsteinDiscoveryPredictAPICalls", 50000, 0, false},
    {"DailyEinsteinDiscoveryPredictionsByCDC", 500000, 0, false},
    {"DailyEinsteinDiscoveryStoryCreation", 100, 0, false},
    {"DailyGenericStreamingApiEvents", 10000, 0, true},
    {"DailyManagedContentPublicRequests", 50000, 0, false},
    {"DailyStandardVolumePlatformEvents", 10000, 0, false},
    {"DailyStreamingApiEvents", 10000, 0, true},
    {"DailyWorkflowEmails", 1800, 0, false},
    {"DataStorageMB", 10240, 412, false},
    {"DurableStreamingApiConcurrentClients", 1000, 0, false},
    {"FileStorageMB", 10240, 96, false},
    {"HourlyAsyncReportRuns", 1200, 0, false},
    {"HourlyDashboardRefreshes", 200, 0, false},
    {"HourlyDashboardResults", 5000, 0, false},
    {"HourlyDashboardStatuses", 999999999, 0, false},
    {"HourlyLongTermIdMapping", 100000, 0, false},
    {"HourlyODataCallout", 10000, 0, false},
    {"HourlyPublishedPlatformEvents", 250000, 0, false},
    {"HourlyPublishedStandardVolumePlatformEvents", 100000, 0, false},
    {"HourlyShortTermIdMapping", 100000, 0, false},
    {"HourlySyncReportRuns", 500, 0, false},
    {"HourlyTimeBasedWorkflow", 1000, 0, false},
    {"MassEmail", 5000, 0, false},
    {"MonthlyEinsteinDiscoveryStoryCreation", 500, 0, false},
    {"MonthlyPlatformEventsUsageEntitlement", 0, 0, false},
    {"Package2VersionCreates", 6, 0, false},
    {"Package2VersionCreatesWithoutValidation", 500, 0, false},
    {"PermissionSets", 1500, 3, false},
    {"PrivateConnectOutboundCalloutHourlyLimitMB", 0, 0, false},
    {"SingleEmail", 5000, 0, false},
    {"StreamingApiConcurrentClients", 1000, 0, false},
};
// Salesforce's own connected apps, listed under the per-app limits of every org.
constexpr const char* kStandardApps[] = {
    "Ant Migration Tool", "CMOffice", "Dataloader Bulk", "Dataloader Partner", "Force.com IDE",
    "Salesforce Mobile Dashboards", "Salesforce Touch", "Salesforce for Outlook",
    "Salesforce_to_SalesforceIQ_Secure_Connected_App", "Workbench"};

// ---- getUpdated / getDeleted ----

std::optional<engine::Millis> ParseReplicationDate(const HttpRequest& req, const char* name) {
  auto it = req.query.find(name);
  if (it == req.query.end()) return std::nullopt;
  std::string text = it->second;
  // An unencoded '+' of the offset arrives as a space.
  std::replace(text.begin(), text.end(), ' ', '+');
  auto ms = engine::ParseIsoDateTime(text);
  if (!ms) return std::nullopt;
  // Salesforce ignores the seconds.
  return *ms - (((*ms % 60000) + 60000) % 60000);
}

// ---- Records ----

constexpr size_t kMaxRetrieveIds = 2000;  // sObject Collections retrieve (POST form)

// "A, B,C" -> {"A", "B", "C"} (blanks trimmed, empty items dropped).
std::vector<std::string> SplitList(const std::string& list) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= list.size()) {
    size_t end = list.find(',', start);
    if (end == std::string::npos) end = list.size();
    std::string name = list.substr(start, end - start);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!name.empty()) out.push_back(std::move(name));
    start = end + 1;
  }
  return out;
}

// The field indexes a record answer lists: `names` in order, or every field the user may see
// when `names` is empty. An unknown or hidden name: INVALID_FIELD, as record GET answers.
std::optional<HttpResponse> SelectFields(const Org& org, const RequestContext& ctx,
                                         const engine::Object& o,
                                         const std::vector<std::string>& names,
                                         std::vector<int>* out) {
  const bool fls = AppliesFls(ctx);
  if (names.empty()) {
    for (size_t i = 0; i < o.fields.size(); ++i) {
      if (fls && org.IsHidden(o.name, o.fields[i].name)) continue;
      out->push_back(static_cast<int>(i));
    }
    return std::nullopt;
  }
  for (const std::string& name : names) {
    const int index = o.FieldIndex(name);
    if (index < 0 || (fls && org.IsHidden(o.name, o.fields[index].name))) {
      return ErrorResponse(400, "INVALID_FIELD",
                           "No such column '" + name + "' on sobject of type " + o.name);
    }
    out->push_back(index);
  }
  return std::nullopt;
}

// One record as record GET writes it: {"attributes": {type, url}, fields in `fields` order}.
void AppendRecord(std::string* body, const RecordView& row, const std::vector<int>& fields,
                  const RequestContext& ctx) {
  const engine::Object& o = row.object();
  *body += "{\"attributes\":{\"type\":";
  AppendJsonString(body, o.name);
  *body += ",\"url\":";
  AppendJsonString(body, "/services/data/v" + ctx.api_version + "/sobjects/" + o.name + "/" +
                             row.Id18());
  *body += "}";
  for (int index : fields) {
    *body += ",";
    AppendJsonString(body, o.fields[index].name);
    *body += ":";
    if (o.fields[index].type == engine::FieldType::kAddress) {
      AppendAddressJson(body, row, o.fields[index]);
    } else {
      AppendFieldJson(body, row.Get(index), o.fields[index].type);
    }
  }
  *body += "}";
}

}  // namespace

// ---------------------------------------------------------------------------------------------

const std::vector<std::string>& SupportedApiVersions() {
  static const std::vector<std::string> kVersions = [] {
    std::vector<std::string> v;
    for (int major = kFirstVersion; major <= kLastVersion; ++major) {
      v.push_back(std::to_string(major) + ".0");
    }
    return v;
  }();
  return kVersions;
}

bool IsRetiredApiVersion(const std::string& version) {
  char* end = nullptr;
  const double v = std::strtod(version.c_str(), &end);
  return end != version.c_str() && v >= 1 && v < kFirstVersion;
}

HttpResponse HandleVersions(const Org&, const HttpRequest&, const std::string&) {
  ordered_json body = ordered_json::array();
  for (int major = kFirstVersion; major <= kLastVersion; ++major) {
    const std::string v = std::to_string(major) + ".0";
    body.push_back({{"label", VersionLabel(major)}, {"url", "/services/data/v" + v}, {"version", v}});
  }
  return HttpResponse::Json(200, body.dump());
}

HttpResponse HandleDescribeGlobal(Org& org, const HttpRequest&, const RequestContext& ctx) {
  static constexpr const char* kKeys[] = {
      "activateable", "associateEntityType", "associateParentEntity", "createable", "custom",
      "customSetting", "deepCloneable", "deletable", "deprecatedAndHidden", "feedEnabled",
      "hasSubtypes", "isInterface", "isSubtype", "keyPrefix", "label", "labelPlural",
      "layoutable", "mergeable", "mruEnabled", "name", "queryable", "replicateable",
      "retrieveable", "searchable", "triggerable", "undeletable", "updateable", "urls"};
  std::vector<const engine::Object*> objects;
  for (const engine::Object& o : org.schema().objects()) objects.push_back(&o);
  std::sort(objects.begin(), objects.end(),
            [](const engine::Object* a, const engine::Object* b) { return a->name < b->name; });
  json list = json::array();
  for (const engine::Object* o : objects) {
    const json* d = org.DescribeJson(o->name);
    if (d == nullptr) continue;
    json entry = json::object();
    for (const char* key : kKeys) entry[key] = d->value(key, json());
    if (entry["urls"].is_object()) {
      for (const char* ui : {"uiDetailTemplate", "uiEditTemplate", "uiNewRecord", "defaultValues"}) {
        entry["urls"].erase(ui);
      }
    }
    list.push_back(std::move(entry));
  }
  ordered_json body;
  body["encoding"] = "UTF-8";
  body["maxBatchSize"] = 200;
  body["sobjects"] = std::move(list);
  return HttpResponse::Json(200, Localize(body.dump(), ctx));
}

HttpResponse HandleDescribe(Org& org, const HttpRequest& req, const RequestContext& ctx,
                            const std::string& object) {
  const engine::Object* o = org.schema().Find(object);
  const json* d = o ? org.DescribeJson(o->name) : nullptr;
  if (d == nullptr) return NotFound();
  const bool full = req.path.size() >= 9 && req.path.compare(req.path.size() - 9, 9, "/describe") == 0;
  if (!full) {
    // GET /sobjects/X: basic information.
    ordered_json body;
    json entry = json::object();
    for (const char* key : {"activateable", "associateEntityType", "associateParentEntity",
                            "createable", "custom", "customSetting", "deepCloneable", "deletable",
                            "deprecatedAndHidden", "feedEnabled", "hasSubtypes", "isInterface",
                            "isSubtype", "keyPrefix", "label", "labelPlural", "layoutable",
                            "mergeable", "mruEnabled", "name", "queryable", "replicateable",
                            "retrieveable", "searchable", "triggerable", "undeletable",
                            "updateable", "urls"}) {
      entry[key] = d->value(key, json());
    }
    if (entry["urls"].is_object()) {
      for (const char* ui : {"uiDetailTemplate", "uiEditTemplate", "uiNewRecord", "defaultValues"}) {
        entry["urls"].erase(ui);
      }
    }
    body["objectDescribe"] = std::move(entry);
    body["recentItems"] = json::array();
    return HttpResponse::Json(200, Localize(body.dump(), ctx));
  }
  json copy = *d;
  if (AppliesFls(ctx) && copy["fields"].is_array()) {
    json fields = json::array();
    for (json& f : copy["fields"]) {
      if (f.is_object() && f["name"].is_string() && org.IsHidden(o->name, f["name"].get<std::string>())) {
        continue;
      }
      fields.push_back(std::move(f));
    }
    copy["fields"] = std::move(fields);
  }
  return HttpResponse::Json(200, Localize(copy.dump(-1, ' ', false, json::error_handler_t::replace), ctx));
}

HttpResponse HandleToolingQuery(Org& org, const HttpRequest& req, const RequestContext& ctx) {
  auto q = req.query.find("q");
  if (q == req.query.end() || q->second.empty()) {
    return ErrorResponse(400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  Org* tooling = org.tooling();
  if (tooling == nullptr) {
    return ErrorResponse(400, "INVALID_TYPE", "sObject type is not supported.");
  }
  SoqlError error;
  auto query = CompileSoql(tooling->schema(), q->second, nullptr, &error);
  if (!query) return SoqlErrorResponse(error);
  SoqlRunOptions options;
  options.now = org.Now();
  auto lock = tooling->Lock();
  SoqlRows rows = RunSoqlLocked(*tooling, *query, options);
  if (rows.total_size > 1 && SoqlSelectsAny(*query, {"metadata", "fullname"})) {
    return ErrorResponse(400, "MALFORMED_QUERY",
                         "When retrieving results with Metadata or FullName fields, the query "
                         "qualifications must specify no more than one row for retrieval. Result "
                         "size: " + std::to_string(rows.total_size));
  }
  std::string body = "{\"size\":" + std::to_string(rows.total_size) +
                     ",\"totalSize\":" + std::to_string(rows.total_size) +
                     ",\"done\":true,\"queryLocator\":null,\"entityTypeName\":";
  AppendJsonString(&body, SoqlObject(*query).name);
  body += ",\"records\":[";
  body += RenderRecordsLocked(*tooling, *query, rows.ids, 0, rows.ids.size(),
                              "v" + ctx.api_version + "/tooling", options);
  body += "]}";
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse HandleQuery(Org& org, const HttpRequest& req, const RequestContext& ctx, bool all) {
  auto q = req.query.find("q");
  if (q == req.query.end() || q->second.empty()) {
    return ErrorResponse(400, "MALFORMED_QUERY", "A query string has to be specified");
  }
  SoqlError error;
  auto query = CompileSoql(org.schema(), q->second, HiddenFor(org, ctx), &error);
  if (!query) return SoqlErrorResponse(error);
  SoqlRunOptions options;
  options.include_deleted = all;
  options.now = org.Now();
  options.time_zone = UserTimeZone(org, ctx);
  auto lock = org.Lock();
  SoqlRows rows = RunSoqlLocked(org, *query, options);
  if (SoqlIsCount(*query)) {
    return HttpResponse::Json(
        200, "{\"totalSize\":" + std::to_string(rows.total_size) + ",\"done\":true,\"records\":[]}");
  }
  if (SoqlIsAggregate(*query)) {
    // Aggregate results come in one page (Salesforce: no queryMore for them).
    std::string body = "{\"totalSize\":" + std::to_string(rows.total_size) +
                       ",\"done\":true,\"records\":[";
    for (size_t i = 0; i < rows.aggregates.size(); ++i) {
      if (i > 0) body += ",";
      body += rows.aggregates[i];
    }
    body += "]}";
    return HttpResponse::Json(200, std::move(body));
  }
  const size_t batch = static_cast<size_t>(BatchSize(req));
  std::string locator;
  if (rows.ids.size() > batch) {
    auto cursor = std::make_shared<Cursor>();
    cursor->query = query;
    cursor->ids = rows.ids;
    cursor->options = options;
    cursor->user_id = ctx.user ? ctx.user->id : std::string();
    locator = StoreCursor(org, cursor);
  }
  return HttpResponse::Json(200, QueryPage(org, *query, rows.ids, rows.total_size, 0, batch,
                                           locator, ctx, options));
}

HttpResponse HandleQueryMore(Org& org, const HttpRequest& req, const RequestContext& ctx,
                             const std::string& locator, bool) {
  auto invalid = [] {
    return ErrorResponse(400, "INVALID_QUERY_LOCATOR", "invalid query locator");
  };
  const size_t dash = locator.rfind('-');
  if (dash == std::string::npos || dash + 1 >= locator.size()) return invalid();
  const std::string id = locator.substr(0, dash);
  const std::string digits = locator.substr(dash + 1);
  if (digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 12) {
    return invalid();
  }
  const size_t offset = static_cast<size_t>(std::stoull(digits));
  std::shared_ptr<Cursor> cursor = FindCursor(org, id);
  if (!cursor || offset >= cursor->ids.size() || offset == 0) return invalid();
  auto lock = org.Lock();
  return HttpResponse::Json(
      200, QueryPage(org, *cursor->query, cursor->ids, static_cast<int64_t>(cursor->ids.size()),
                     offset, static_cast<size_t>(BatchSize(req)), id, ctx, cursor->options));
}

HttpResponse HandleGetRecord(Org& org, const HttpRequest& req, const RequestContext& ctx,
                             const std::string& object, const std::string& id) {
  const engine::Object* o = org.schema().Find(object);
  if (o == nullptr) return NotFound();
  if (!engine::SfId::Parse(id)) {
    return ErrorResponse(404, "NOT_FOUND",
                         "Provided external ID field does not exist or is not accessible: " + id);
  }
  std::vector<int> fields;
  auto f = req.query.find("fields");
  if (std::optional<HttpResponse> bad = SelectFields(
          org, ctx, *o, f != req.query.end() ? SplitList(f->second) : std::vector<std::string>{},
          &fields)) {
    return *bad;
  }
  auto lock = org.Lock();
  auto row = org.FindRowLocked(*o, id);
  if (!row) return NotFound();
  if (row->deleted()) return ErrorResponse(404, "ENTITY_IS_DELETED", "entity is deleted");
  std::string body;
  AppendRecord(&body, *row, fields, ctx);
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse HandleCollectionsRetrieve(Org& org, const HttpRequest& req, const RequestContext& ctx,
                                       const std::string& object) {
  const engine::Object* o = org.schema().Find(object);
  if (o == nullptr) return NotFound();
  std::vector<std::string> ids;
  std::vector<std::string> names;
  if (req.method == "POST") {
    // {"ids": ["001..."], "fields": ["Name"]}
    const json body = json::parse(req.body, nullptr, false);
    if (body.is_discarded() || !body.is_object()) {
      return ErrorResponse(400, "JSON_PARSER_ERROR",
                           "The request body must be a JSON object with \"ids\" and \"fields\" "
                           "lists.");
    }
    for (const char* key : {"ids", "fields"}) {
      auto it = body.find(key);
      if (it == body.end()) continue;
      if (!it->is_array()) {
        return ErrorResponse(400, "JSON_PARSER_ERROR",
                             std::string("The '") + key + "' property must be a list of strings.");
      }
      for (const json& v : *it) {
        if (!v.is_string()) {
          return ErrorResponse(400, "JSON_PARSER_ERROR",
                               std::string("The '") + key + "' property must be a list of strings.");
        }
        (std::string_view(key) == "ids" ? ids : names).push_back(v.get<std::string>());
      }
    }
  } else {
    auto i = req.query.find("ids");
    auto f = req.query.find("fields");
    if (i != req.query.end()) ids = SplitList(i->second);
    if (f != req.query.end()) names = SplitList(f->second);
  }
  for (const auto& [list, what] : {std::pair{&ids, "ids"}, std::pair{&names, "fields"}}) {
    if (list->empty()) {
      return ErrorResponse(400, "MISSING_ARGUMENT",
                           std::string("Required parameter '") + what + "' is missing.");
    }
  }
  if (ids.size() > kMaxRetrieveIds) {
    return ErrorResponse(400, "EXCEEDED_ID_LIMIT",
                         "record limit reached. cannot submit more than 2000 records into this "
                         "call");
  }
  std::vector<int> fields;
  if (std::optional<HttpResponse> bad = SelectFields(org, ctx, *o, names, &fields)) return *bad;
  auto lock = org.Lock();
  std::string body = "[";
  for (size_t i = 0; i < ids.size(); ++i) {
    if (i > 0) body += ",";
    // Another object's Id, a malformed one, an absent or deleted record: null in its place.
    std::optional<engine::SfId> parsed = engine::SfId::Parse(ids[i]);
    std::optional<RecordView> row;
    if (parsed && parsed->KeyPrefix() == o->key_prefix) row = org.FindRowLocked(*o, ids[i]);
    if (!row || row->deleted()) {
      body += "null";
    } else {
      AppendRecord(&body, *row, fields, ctx);
    }
  }
  body += "]";
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse HandleGetUpdated(Org& org, const HttpRequest& req, const RequestContext&,
                              const std::string& object, bool deleted) {
  const engine::Object* o = org.schema().Find(object);
  if (o == nullptr) return NotFound();
  const std::optional<engine::Millis> start = ParseReplicationDate(req, "start");
  const std::optional<engine::Millis> end = ParseReplicationDate(req, "end");
  if (!start || !end) {
    return ErrorResponse(400, "INVALID_REPLICATION_DATE",
                         "start and end must be dates in ISO 8601 format, e.g. "
                         "2026-11-30T10:00:00+00:00");
  }
  const engine::Millis now = org.Now();
  const engine::Millis earliest = (now - 30 * kDay) / kDay * kDay;
  if (*start >= *end) {
    return ErrorResponse(400, "INVALID_REPLICATION_DATE",
                         "startDate must chronologically precede endDate");
  }
  if (*start < earliest) {
    return ErrorResponse(400, "INVALID_REPLICATION_DATE",
                         "startDate cannot be more than 30 days ago");
  }
  const engine::Millis covered = std::min(*end, now - (((now % 60000) + 60000) % 60000));
  const int modstamp = o->FieldIndex("SystemModstamp");
  auto lock = org.Lock();
  std::string body;
  if (!deleted) {
    body = "{\"ids\":[";
    bool first = true;
    org.ScanRowsLocked(*o, [&](const RecordView& row) {
      if (row.deleted()) return true;
      const FieldValue stamp = row.Get(modstamp);
      if (stamp.kind != FieldValue::Kind::kDateTime || stamp.i < *start || stamp.i >= *end) {
        return true;
      }
      if (!first) body += ",";
      first = false;
      AppendJsonString(&body, row.Id18());
      return true;
    });
    body += "],\"latestDateCovered\":";
    AppendJsonString(&body, sf::FormatSalesforceDateTime(covered));
    body += "}";
  } else {
    body = "{\"deletedRecords\":[";
    bool first = true;
    org.ScanRowsLocked(*o, [&](const RecordView& row) {
      if (!row.deleted() || row.deleted_at() < *start || row.deleted_at() >= *end) return true;
      if (!first) body += ",";
      first = false;
      body += "{\"id\":";
      AppendJsonString(&body, row.Id18());
      body += ",\"deletedDate\":";
      AppendJsonString(&body, sf::FormatSalesforceDateTime(row.deleted_at()));
      body += "}";
      return true;
    });
    body += "],\"earliestDateAvailable\":";
    AppendJsonString(&body, sf::FormatSalesforceDateTime(earliest));
    body += ",\"latestDateCovered\":";
    AppendJsonString(&body, sf::FormatSalesforceDateTime(covered));
    body += "}";
  }
  return HttpResponse::Json(200, std::move(body));
}

HttpResponse HandleLimits(Org& org, const HttpRequest&, const RequestContext&) {
  const int64_t api_max = org.api_max();
  const int64_t api_used = org.api_used();
  std::vector<std::string> apps(std::begin(kStandardApps), std::end(kStandardApps));
  if (!org.connected_app().name.empty()) apps.push_back(org.connected_app().name);
  std::sort(apps.begin(), apps.end());
  ordered_json body;
  for (const LimitRow& row : kLimits) {
    ordered_json entry;
    const bool api = std::string_view(row.name) == "DailyApiRequests";
    const int64_t max = api ? api_max : row.max;
    const int64_t used = api ? api_used : row.used;
    entry["Max"] = max;
    entry["Remaining"] = std::max<int64_t>(0, max - used);
    if (row.per_app) {
      for (const std::string& app : apps) entry[app] = {{"Max", 0}, {"Remaining", 0}};
    }
    if (std::string_view(row.name) == "PermissionSets") {
      entry["CreateCustom"] = {{"Max", 1000}, {"Remaining", 997}};
    }
    body[row.name] = std::move(entry);
  }
  return HttpResponse::Json(200, body.dump());
}

}  // namespace cf::sfemu
