#include "connectors/salesforce/sync.h"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <utility>

#include "connectors/salesforce/record_json.h"
#include "connectors/salesforce/soql_builder.h"
#include "engine/binding.h"
#include "engine/event_schema.h"

namespace cf::sf {
namespace {

using engine::Millis;

constexpr Millis kMinute = 60'000;

Millis FloorTo(Millis t, Millis unit) { return t - (((t % unit) + unit) % unit); }

SoqlTime ToSoqlTime(Millis ms) { return SoqlTime(std::chrono::milliseconds(ms)); }

std::string FormatInstant(std::optional<Millis> t) {
  return t ? engine::FormatIsoDateTime(*t) : std::string();
}

bool ParseInstant(std::string_view text, std::optional<Millis>* out) {
  if (text.empty()) {
    out->reset();
    return true;
  }
  std::optional<Millis> t = engine::ParseIsoDateTime(text);
  if (!t) return false;
  *out = *t;
  return true;
}

std::vector<std::string_view> Split(std::string_view text, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t at = text.find(sep, start);
    parts.push_back(text.substr(start, at == std::string_view::npos ? at : at - start));
    if (at == std::string_view::npos) break;
    start = at + 1;
  }
  return parts;
}

// (stamp, id) order, as ORDER BY SystemModstamp, Id sorts.
bool Before(Millis stamp_a, const engine::SfId& id_a, Millis stamp_b, const engine::SfId& id_b) {
  return stamp_a != stamp_b ? stamp_a < stamp_b : id_a < id_b;
}

bool IsConnectionWide(const SfFailure& f) {
  switch (f.category) {
    case ErrorCategory::kApiLimitExceeded:
    case ErrorCategory::kAuthenticationFailed:
    case ErrorCategory::kSessionExpired:
    case ErrorCategory::kInvalidInstanceUrl:
    case ErrorCategory::kTransient:
    case ErrorCategory::kUnknown:
      return true;
    default:
      return f.reconnect_required || f.http_status == 0;
  }
}

bool HasErrorCode(const SfFailure& f, std::string_view code) {
  for (const SalesforceError& e : f.errors) {
    if (e.error_code == code) return true;
  }
  return false;
}

}  // namespace

// ---- Plans ------------------------------------------------------------------------------------

std::vector<std::string_view> BindingKeys(std::string_view object) {
  std::vector<std::string_view> keys = {"Id", "SystemModstamp"};
  if (engine::EqualsIgnoreCase(object, "Contact") || engine::EqualsIgnoreCase(object, "Lead")) {
    keys.insert(keys.end(), {"Email", "Phone", "MobilePhone", "HomePhone", "OtherPhone",
                             "AssistantPhone", "IsConverted"});
  }
  keys.insert(keys.end(), {"AccountId", "ContactId", "OwnerId", "WhoId", "WhatId", "IsClosed",
                           "IsWon", "StageName", "Status", "LastModifiedDate"});
  return keys;
}

std::vector<FieldRef> RuleSetFieldRefs(const engine::RuleSet& rules) {
  const engine::Schema& schema = rules.environment().schema();
  std::vector<FieldRef> refs;
  for (const char* bound : {"Contact", "Lead", "Account", "Opportunity", "Case"}) {
    if (schema.Find(bound) != nullptr) refs.push_back({bound, ""});
  }
  // Exactly what binding reads (emails, every phone, IsConverted, LastModifiedDate...).
  for (auto& [object, field] : engine::BindingFieldNames(schema)) {
    refs.push_back({std::move(object), std::move(field)});
  }
  std::vector<std::string> event_objects;
  for (const engine::Object& e : engine::StandardEventObjects()) event_objects.push_back(e.name);
  for (const auto& [object_index, field_index] : rules.referenced_fields()) {
    const engine::Object& object = schema.object(object_index);
    if (std::find(event_objects.begin(), event_objects.end(), object.name) !=
        event_objects.end()) {
      continue;  // the host's event, not a Salesforce object
    }
    refs.push_back({object.name, object.fields[static_cast<size_t>(field_index)].name});
  }
  return refs;
}

bool BuildSyncPlans(const engine::Schema& schema, const std::vector<FieldRef>& referenced,
                    std::vector<SyncPlan>* out, std::string* error,
                    std::vector<std::string>* skipped) {
  std::vector<SyncPlan> plans;
  auto add_field = [](SyncPlan& plan, const engine::Field& f) {
    for (const std::string& have : plan.fields) {
      if (engine::EqualsIgnoreCase(have, f.name)) return;
    }
    plan.fields.push_back(f.name);
  };
  for (const FieldRef& ref : referenced) {
    const int index = schema.IndexOf(ref.object);
    if (index < 0) {
      std::vector<std::string_view> names;
      for (const engine::Object& o : schema.objects()) names.push_back(o.name);
      std::string closest = engine::ClosestName(ref.object, names);
      if (error) {
        *error = "cannot sync " + ref.object + ": the org has no such object (or the "
                 "integration user cannot see it)";
        if (!closest.empty()) *error += "; did you mean " + closest + "?";
      }
      return false;
    }
    const engine::Object& object = schema.object(index);
    auto it = std::find_if(plans.begin(), plans.end(),
                           [&](const SyncPlan& p) { return p.object_index == index; });
    if (it == plans.end()) {
      if (object.FindField("Id") == nullptr || object.FindField("SystemModstamp") == nullptr) {
        if (error) {
          *error = "cannot sync " + object.name +
                   ": it has no Id or SystemModstamp field visible to the integration user "
                   "(incremental sync needs both)";
        }
        return false;
      }
      SyncPlan plan;
      plan.object = object.name;
      plan.object_index = index;
      for (std::string_view key : BindingKeys(object.name)) {
        if (const engine::Field* f = object.FindField(key)) add_field(plan, *f);
      }
      plans.push_back(std::move(plan));
      it = plans.end() - 1;
    }
    if (ref.field.empty()) continue;
    const engine::Field* f = object.FindField(ref.field);
    if (f == nullptr) {
      if (skipped) skipped->push_back(object.name + "." + ref.field);
      continue;
    }
    add_field(*it, *f);
  }
  *out = std::move(plans);
  return true;
}

// ---- The cursor -------------------------------------------------------------------------------

std::string FieldsFingerprint(const std::vector<std::string>& fields) {
  std::vector<std::string> lower;
  lower.reserve(fields.size());
  for (const std::string& f : fields) lower.push_back(engine::ToLowerAscii(f));
  std::sort(lower.begin(), lower.end());
  lower.erase(std::unique(lower.begin(), lower.end()), lower.end());
  uint64_t h = 14695981039346656037ull;  // FNV-1a
  for (const std::string& f : lower) {
    for (unsigned char c : f) h = (h ^ c) * 1099511628211ull;
    h = (h ^ ',') * 1099511628211ull;
  }
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, h);
  return text;
}

std::string SyncCursor::Encode() const {
  return "v1;" + fields + ";" + FormatInstant(complete_until) + ";" + FormatInstant(run_until) +
         ";" + FormatInstant(position_stamp) + ";" + position_id;
}

std::optional<SyncCursor> SyncCursor::Decode(std::string_view text) {
  std::vector<std::string_view> parts = Split(text, ';');
  if (parts.size() != 6 || parts[0] != "v1") return std::nullopt;
  SyncCursor c;
  c.fields = std::string(parts[1]);
  if (!ParseInstant(parts[2], &c.complete_until) || !ParseInstant(parts[3], &c.run_until) ||
      !ParseInstant(parts[4], &c.position_stamp)) {
    return std::nullopt;
  }
  c.position_id = std::string(parts[5]);
  if (c.position_stamp.has_value() != !c.position_id.empty()) return std::nullopt;
  if (!c.position_id.empty() && !engine::SfId::Parse(c.position_id)) return std::nullopt;
  if (c.position_stamp && !c.run_until) return std::nullopt;
  return c;
}

// ---- Pages ------------------------------------------------------------------------------------

bool ParseQueryPage(const nlohmann::json& body, QueryPageView* out, std::string* error) {
  auto fail = [&](std::string m) {
    if (error) *error = std::move(m);
    return false;
  };
  if (!body.is_object()) return fail("the query answer is not a JSON object");
  auto total = body.find("totalSize");
  if (total == body.end() || !total->is_number_integer() || total->get<int64_t>() < 0) {
    return fail("the query answer has no valid totalSize");
  }
  auto done = body.find("done");
  if (done == body.end() || !done->is_boolean()) return fail("the query answer has no done flag");
  auto records = body.find("records");
  if (records == body.end() || !records->is_array()) {
    return fail("the query answer has no records array");
  }
  QueryPageView page;
  page.total_size = total->get<int64_t>();
  page.done = done->get<bool>();
  page.records = &*records;
  if (!page.done) {
    auto next = body.find("nextRecordsUrl");
    if (next == body.end() || !next->is_string() || next->get<std::string>().empty()) {
      return fail("the query answer is not done but has no nextRecordsUrl");
    }
    page.next_records_url = next->get<std::string>();
    if (page.next_records_url.rfind("/services/data/", 0) != 0) {
      return fail("the query answer's nextRecordsUrl is not a path under /services/data/");
    }
  }
  *out = std::move(page);
  return true;
}

bool PageCounter::Add(const QueryPageView& page, std::string* error) {
  auto fail = [&](std::string m) {
    if (error) *error = std::move(m);
    return false;
  };
  if (total_ && *total_ != page.total_size) {
    return fail("totalSize changed between pages (" + std::to_string(*total_) + " then " +
                std::to_string(page.total_size) + ")");
  }
  total_ = page.total_size;
  seen_ += static_cast<int64_t>(page.records ? page.records->size() : 0);
  if (seen_ > *total_) {
    return fail("the pages hold more records (" + std::to_string(seen_) + ") than totalSize (" +
                std::to_string(*total_) + ")");
  }
  if (page.done && seen_ != *total_) {
    return fail("the query ended after " + std::to_string(seen_) + " records but totalSize is " +
                std::to_string(*total_) + ": records would be missing");
  }
  return true;
}

// ---- Running ----------------------------------------------------------------------------------

std::string SyncResult::Describe() const {
  if (ok()) return "ok";
  if (failure) return message + "\n" + failure->Describe();
  return message;
}

Syncer::Syncer(const SalesforceClient& client, std::shared_ptr<const engine::Schema> schema,
               engine::RecordSink& sink, SyncOptions options)
    : client_(client),
      schema_(std::move(schema)),
      sink_(sink),
      options_(std::move(options)),
      calls_at_start_(client.requests_sent()) {}

Millis Syncer::Now() const {
  if (options_.clock) return options_.clock();
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

SyncResult Syncer::Sync(const std::vector<SyncPlan>& plans) {
  SyncResult all;
  for (const SyncPlan& plan : plans) {
    SyncResult one = SyncObject(plan);
    all.objects.insert(all.objects.end(), one.objects.begin(), one.objects.end());
    if (!one.ok() && all.ok()) {
      all.kind = one.kind;
      all.failure = one.failure;
      all.message = one.message;
      all.retry_at = one.retry_at;
    }
    const bool stop = one.kind == SyncResult::Kind::kCancelled ||
                      one.kind == SyncResult::Kind::kStore ||
                      (one.kind == SyncResult::Kind::kSalesforce && one.failure &&
                       IsConnectionWide(*one.failure));
    if (stop) break;
  }
  all.api_calls = client_.requests_sent() - calls_at_start_;
  return all;
}

SyncResult Syncer::SyncObject(const SyncPlan& plan) {
  ObjectSyncStats stats;
  stats.object = plan.object;
  const uint64_t before = client_.requests_sent();
  SyncResult r = RunObject(plan, &stats);
  stats.api_calls = client_.requests_sent() - before;
  if (!r.ok()) stats.error = r.message;
  r.objects.push_back(std::move(stats));
  r.api_calls = client_.requests_sent() - calls_at_start_;
  return r;
}

// The state of one object's run.
struct Syncer::Run {
  const SyncPlan& plan;
  ObjectSyncStats* stats;
  SyncCursor cursor;
  SyncResult result;

  SyncResult& Fail(SyncResult::Kind kind, std::string message) {
    result.kind = kind;
    result.message = "sync of " + plan.object + ": " + std::move(message);
    return result;
  }
  SyncResult& FailCall(const ApiResult& call, std::string_view what) {
    result.kind = SyncResult::Kind::kSalesforce;
    result.failure = call.failure;
    result.retry_at = call.retry_at;
    std::string advice;
    if (call.failure->category == ErrorCategory::kApiLimitExceeded) {
      advice = "; stopped with every page so far saved: the next run resumes there";
    } else if (call.failure->reconnect_required) {
      advice = "; reconnect the Salesforce connection, then sync again: it resumes where it "
               "stopped";
    }
    result.message = "sync of " + plan.object + ": " + std::string(what) + " failed: " +
                     call.failure->summary + advice;
    return result;
  }
};

SyncResult Syncer::RunObject(const SyncPlan& plan, ObjectSyncStats* stats) {
  Run run{plan, stats, {}, {}};
  if (plan.object_index < 0 || plan.object_index >= schema_->size() ||
      !engine::EqualsIgnoreCase(schema_->object(plan.object_index).name, plan.object)) {
    return run.Fail(SyncResult::Kind::kPlan,
                    "the plan does not match the sink's schema: build plans from that schema");
  }
  const engine::Object& object = schema_->object(plan.object_index);
  std::vector<int> field_indexes;
  for (const std::string& name : plan.fields) {
    const int i = object.FieldIndex(name);
    if (i < 0) {
      return run.Fail(SyncResult::Kind::kPlan, "field " + name + " is not in the schema");
    }
    field_indexes.push_back(i);
  }
  std::shared_ptr<const engine::RecordLayout> layout =
      engine::RecordLayout::Build(schema_, plan.object_index, field_indexes);
  const engine::Slot* stamp_slot = layout->SlotForField("SystemModstamp");
  if (layout->id_slot() == nullptr || stamp_slot == nullptr) {
    return run.Fail(SyncResult::Kind::kPlan, "the plan must include Id and SystemModstamp");
  }
  const std::string fingerprint = FieldsFingerprint(plan.fields);

  // 1. Where the object stands.
  std::optional<std::string> stored;
  if (engine::Status s = sink_.LoadCursor(plan.object_index, &stored); !s.ok()) {
    return run.Fail(SyncResult::Kind::kStore, "cannot read the sync cursor: " + s.message());
  }
  std::optional<SyncCursor> decoded = stored ? SyncCursor::Decode(*stored) : std::nullopt;
  auto start_full = [&](bool reset) -> bool {
    run.cursor = SyncCursor{};
    run.cursor.fields = fingerprint;
    if (reset) {
      stats->reset = true;
      if (engine::Status s = sink_.ResetObject(plan.object_index); !s.ok()) {
        run.Fail(SyncResult::Kind::kStore, "cannot reset the object's records: " + s.message());
        return false;
      }
    }
    return true;
  };
  if (!decoded || decoded->fields != fingerprint) {
    // Never synced, synced with other fields, or a cursor of another version.
    if (!start_full(stored.has_value())) return run.result;
  } else {
    run.cursor = *decoded;
  }
  stats->full_load = !run.cursor.complete_until.has_value();
  stats->resumed = run.cursor.run_until.has_value();

  const std::string api_version = "v" + client_.api_version();
  const std::chrono::milliseconds overlap = options_.overlap;

  // 2. A new run: its bound C, and the deletions of an incremental one.
  if (!run.cursor.run_until) {
    if (run.cursor.complete_until) {
      const Millis start = FloorTo(*run.cursor.complete_until - overlap.count(), kMinute);
      // The end is "now" as far as this client knows, plus a margin for its clock running
      // behind Salesforce's; Salesforce answers with what it covered (latestDateCovered).
      const Millis end = std::max(start + 2 * kMinute, FloorTo(Now(), kMinute) + kMinute);
      const std::string path = "sobjects/" + plan.object + "/deleted/?start=" +
                               PercentEncode(engine::FormatIsoDateTime(start)) + "&end=" +
                               PercentEncode(engine::FormatIsoDateTime(end));
      ApiResult call = client_.Get(path);
      bool lost_deletions = false;
      std::vector<engine::SfId> deletes;
      std::optional<Millis> covered;
      if (!call.ok()) {
        if (call.failure->http_status == 400 &&
            HasErrorCode(*call.failure, "INVALID_REPLICATION_DATE")) {
          lost_deletions = true;  // the start is older than the delete log reaches
        } else {
          return run.FailCall(call, "reading deleted records");
        }
      } else {
        std::string error;
        std::optional<nlohmann::json> body = call.Json(&error);
        auto bad = [&](std::string m) {
          return run.Fail(SyncResult::Kind::kBadAnswer, "the deleted-records answer " + m);
        };
        if (!body || !body->is_object()) return bad("is not a JSON object: " + error);
        auto list = body->find("deletedRecords");
        auto earliest = body->find("earliestDateAvailable");
        auto latest = body->find("latestDateCovered");
        if (list == body->end() || !list->is_array()) return bad("has no deletedRecords array");
        if (latest == body->end() || !latest->is_string() ||
            !(covered = engine::ParseIsoDateTime(latest->get<std::string>()))) {
          return bad("has no valid latestDateCovered");
        }
        if (earliest != body->end() && earliest->is_string()) {
          std::optional<Millis> e = engine::ParseIsoDateTime(earliest->get<std::string>());
          if (!e) return bad("has an invalid earliestDateAvailable");
          lost_deletions = *e > start;
        }
        for (size_t i = 0; i < list->size(); ++i) {
          const nlohmann::json& d = (*list)[i];
          auto id = d.is_object() ? d.find("id") : d.end();
          std::optional<engine::SfId> parsed;
          if (id != d.end() && id->is_string()) parsed = engine::SfId::Parse(id->get<std::string>());
          if (!parsed) return bad("has an invalid id at deletedRecords[" + std::to_string(i) + "]");
          deletes.push_back(*parsed);
        }
      }
      if (lost_deletions) {
        // Salesforce no longer knows every deletion since the cursor: reload the object.
        if (!start_full(true)) return run.result;
        stats->full_load = true;
      } else {
        run.cursor.run_until = *covered;
        engine::SyncBatch batch;
        batch.object_index = plan.object_index;
        batch.deletes = std::move(deletes);
        batch.cursor = run.cursor.Encode();
        if (engine::Status s = sink_.Apply(batch); !s.ok()) {
          return run.Fail(SyncResult::Kind::kStore, "cannot store deletions: " + s.message());
        }
        stats->deletes = static_cast<int64_t>(batch.deletes.size());
      }
    }
    if (!run.cursor.complete_until) {
      run.cursor.run_until = FloorTo(Now() - overlap.count(), 1000);
    }
  }

  // 3. The query.
  SoqlQuery query = SoqlQuery::From(plan.object);
  query.Select(plan.fields);
  if (run.cursor.complete_until) {
    query.Where(Soql::Ge("SystemModstamp",
                         SoqlValue::DateTime(ToSoqlTime(*run.cursor.complete_until - overlap.count()))));
  }
  if (run.cursor.position_stamp) {
    const SoqlValue stamp = SoqlValue::DateTime(ToSoqlTime(*run.cursor.position_stamp));
    query.Where(Soql::Or({Soql::Gt("SystemModstamp", stamp),
                          Soql::And({Soql::Eq("SystemModstamp", stamp),
                                     Soql::Gt("Id", SoqlValue::String(run.cursor.position_id))})}));
  }
  query.OrderBy("SystemModstamp").OrderBy("Id");
  std::string error;
  std::optional<std::string> soql = query.Build(&error);
  if (!soql) return run.Fail(SyncResult::Kind::kPlan, "cannot build the query: " + error);

  RecordReader reader(schema_);
  reader.SetLayout(layout);
  PageCounter counter;
  ApiRequest request;
  request.path = QueryPath(api_version, *soql);
  request.headers.push_back(
      {"Sforce-Query-Options", "batchSize=" + std::to_string(std::clamp(options_.batch_size, 200, 2000))});
  const Millis bound = *run.cursor.run_until;
  std::optional<std::pair<Millis, engine::SfId>> position;
  if (run.cursor.position_stamp) {
    position.emplace(*run.cursor.position_stamp, *engine::SfId::Parse(run.cursor.position_id));
  }
  for (int64_t page_number = 1;; ++page_number) {
    ApiResult call = client_.Send(request);
    if (!call.ok()) {
      return run.FailCall(call, page_number == 1 ? "the query" : "reading page " +
                                                                     std::to_string(page_number));
    }
    const std::string where = "page " + std::to_string(page_number);
    std::optional<nlohmann::json> body = call.Json(&error);
    if (!body) {
      return run.Fail(SyncResult::Kind::kBadAnswer, where + " is not valid JSON: " + error);
    }
    QueryPageView page;
    if (!ParseQueryPage(*body, &page, &error)) {
      return run.Fail(SyncResult::Kind::kBadAnswer, where + ": " + error);
    }
    if (!counter.Add(page, &error)) {
      // Records are missing somewhere in the pages already applied, or in this one: the
      // position cannot be trusted, so the next run reads the whole window again.
      std::string outcome = "; nothing of this page was applied and the next run reads the "
                            "object's window again";
      if (run.cursor.position_stamp) {
        run.cursor.position_stamp.reset();
        run.cursor.position_id.clear();
        engine::SyncBatch rewind;
        rewind.object_index = plan.object_index;
        rewind.cursor = run.cursor.Encode();
        if (engine::Status s = sink_.Apply(rewind); !s.ok()) {
          outcome = "; the position could not be rewound: " + s.message();
        }
      }
      return run.Fail(SyncResult::Kind::kBadAnswer, where + ": " + error + outcome);
    }
    engine::SyncBatch batch;
    batch.object_index = plan.object_index;
    batch.upserts.reserve(page.records->size());
    for (size_t i = 0; i < page.records->size(); ++i) {
      const nlohmann::json& json = (*page.records)[i];
      std::optional<ConvertedRecord> converted = reader.ReadRecord(json, plan.object, &error);
      const engine::SfId* id = converted ? converted->record->id() : nullptr;
      if (!converted || id == nullptr || converted->record->IsNull(*stamp_slot)) {
        std::string which = "record " + std::to_string(i);
        if (json.is_object()) {
          auto jid = json.find("Id");
          if (jid != json.end() && jid->is_string()) which += " (Id " + jid->get<std::string>() + ")";
        }
        std::string why = !converted ? error
                          : id == nullptr ? std::string("it has no Id")
                                          : std::string("it has no SystemModstamp");
        return run.Fail(SyncResult::Kind::kBadAnswer,
                        where + ", " + which + ": " + why + "; nothing of this page was applied");
      }
      const Millis stamp = converted->record->GetDateTime(*stamp_slot);
      if (stamp < bound && (!position || Before(position->first, position->second, stamp, *id))) {
        position.emplace(stamp, *id);
      }
      batch.upserts.push_back(std::move(converted->record));
    }
    if (page.done) {
      run.cursor.complete_until = bound;
      run.cursor.run_until.reset();
      run.cursor.position_stamp.reset();
      run.cursor.position_id.clear();
    } else if (position) {
      run.cursor.position_stamp = position->first;
      run.cursor.position_id = position->second.To18();
    }
    batch.cursor = run.cursor.Encode();
    if (engine::Status s = sink_.Apply(batch); !s.ok()) {
      return run.Fail(SyncResult::Kind::kStore, where + " could not be stored: " + s.message());
    }
    stats->upserts += static_cast<int64_t>(batch.upserts.size());
    stats->pages += 1;
    if (options_.progress) {
      options_.progress(SyncProgress{plan.object, stats->upserts, counter.total(),
                                     client_.requests_sent() - calls_at_start_});
    }
    if (page.done) break;
    if (options_.cancel && options_.cancel->load(std::memory_order_relaxed)) {
      run.result.kind = SyncResult::Kind::kCancelled;
      run.result.message = "sync of " + plan.object + ": cancelled after " + where +
                           "; the next run resumes there";
      return run.result;
    }
    request.path = page.next_records_url;
  }
  return run.result;
}

}  // namespace cf::sf
