#include "connectors/salesforce/writer.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>
#include <utility>

#include "connectors/salesforce/http_transport.h"
#include "engine/value.h"

namespace cf::sf {
namespace {

using json = nlohmann::json;

constexpr size_t kMaxCollectionRecords = 200;  // sObject Collections
constexpr size_t kMaxCompositeSubrequests = 25;  // Composite

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool IsWordChar(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

// Letters, digits and '_', starting with a letter: reference names, object and field names
// (these go into URL paths, so nothing else is let through).
bool IsName(std::string_view s) {
  return !s.empty() && std::isalpha(static_cast<unsigned char>(s[0])) &&
         std::all_of(s.begin(), s.end(), IsWordChar);
}

bool IsLiteralId(std::string_view s) {
  return (s.size() == 15 || s.size() == 18) && std::all_of(s.begin(), s.end(), [](char c) {
           return IsWordChar(c) && c != '_';
         });
}

// The names used by "@{name.id}" / "@{name[0].id}" references in a string.
void CollectRefs(std::string_view s, std::vector<std::string>* out) {
  size_t pos = 0;
  while ((pos = s.find("@{", pos)) != std::string_view::npos) {
    size_t end = pos + 2;
    while (end < s.size() && IsWordChar(s[end])) ++end;
    out->emplace_back(s.substr(pos + 2, end - pos - 2));
    pos = end;
  }
}

void CollectRefs(const json& v, std::vector<std::string>* out, int depth = 0) {
  if (depth > 64) return;  // field values are flat; deeper values are not references
  if (v.is_string()) {
    CollectRefs(std::string_view(v.get_ref<const std::string&>()), out);
  } else if (v.is_object() || v.is_array()) {
    for (const json& child : v) CollectRefs(child, out, depth + 1);
  }
}

// Whether every "@{" in `s` starts a "@{name.id}" reference (the only form the writer can fill
// in itself).
bool OnlyIdRefs(std::string_view s) {
  size_t pos = 0;
  while ((pos = s.find("@{", pos)) != std::string_view::npos) {
    size_t end = pos + 2;
    while (end < s.size() && IsWordChar(s[end])) ++end;
    if (end == pos + 2 || s.substr(end, 4) != ".id}") return false;
    pos = end + 4;
  }
  return true;
}

bool OnlyIdRefs(const json& v, int depth = 0) {
  if (depth > 64) return true;
  if (v.is_string()) return OnlyIdRefs(std::string_view(v.get_ref<const std::string&>()));
  if (v.is_object() || v.is_array()) {
    for (const json& child : v) {
      if (!OnlyIdRefs(child, depth + 1)) return false;
    }
  }
  return true;
}

// Replaces every "@{name.id}" in `s` by ids[name]. REQUIRES: every name is in `ids`.
std::string FillRefs(std::string_view s, const std::map<std::string, std::string>& ids) {
  std::string out;
  size_t pos = 0;
  for (;;) {
    const size_t open = s.find("@{", pos);
    if (open == std::string_view::npos) break;
    size_t end = open + 2;
    while (end < s.size() && IsWordChar(s[end])) ++end;
    auto it = ids.find(std::string(s.substr(open + 2, end - open - 2)));
    if (it == ids.end() || s.substr(end, 4) != ".id}") {
      out.append(s.substr(pos, end - pos));
      pos = end;
      continue;
    }
    out.append(s.substr(pos, open - pos));
    out += it->second;
    pos = end + 4;
  }
  out.append(s.substr(pos));
  return out;
}

void FillRefs(json* v, const std::map<std::string, std::string>& ids, int depth = 0) {
  if (depth > 64) return;
  if (v->is_string()) {
    const std::string& text = v->get_ref<const std::string&>();
    if (text.find("@{") != std::string::npos) *v = FillRefs(text, ids);
  } else if (v->is_object() || v->is_array()) {
    for (json& child : *v) FillRefs(&child, ids, depth + 1);
  }
}

// The record a write touches, for ordering: "" for creates (always a new record).
std::string RecordKey(const WriteOp& op) {
  switch (op.kind) {
    case WriteKind::kCreate:
      return {};
    case WriteKind::kUpdate:
    case WriteKind::kDelete: {
      std::string id = op.id;
      if (std::optional<engine::SfId> parsed = engine::SfId::Parse(op.id)) id = parsed->To18();
      return "id:" + Lower(op.object) + ":" + id;
    }
    case WriteKind::kUpsert:
      // External ids compare case-insensitively unless the field says otherwise; treating
      // them so here only orders more, never less.
      return "ext:" + Lower(op.object) + ":" + Lower(op.external_id_field) + ":" +
             Lower(op.external_id);
  }
  return {};
}

SfFailure LocalFailure(ErrorCategory category, RetryAdvice retry, std::string summary) {
  SfFailure f;
  f.category = category;
  f.retry = retry;
  f.summary = std::move(summary);
  return f;
}

SfFailure Refused(std::string why) {
  return LocalFailure(ErrorCategory::kMalformedRequest, RetryAdvice::kNever,
                      "Not sent: " + std::move(why));
}

// Whether a whole-call failure means that no later call can succeed now.
bool Halts(const SfFailure& f) {
  return f.reconnect_required || f.troubleshooting == TroubleshootingCase::kApiLimitExceeded ||
         f.troubleshooting == TroubleshootingCase::kAuthenticationFailed ||
         f.troubleshooting == TroubleshootingCase::kInsufficientPrivileges ||
         f.category == ErrorCategory::kApiLimitExceeded;
}

struct UnionFind {
  std::vector<size_t> parent;
  explicit UnionFind(size_t n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  size_t Find(size_t x) {
    while (parent[x] != x) x = parent[x] = parent[parent[x]];
    return x;
  }
  void Union(size_t a, size_t b) {
    a = Find(a);
    b = Find(b);
    if (a != b) parent[std::max(a, b)] = std::min(a, b);
  }
};

// How a batch is sent: refusals, linked groups (Composite) and waves of independent writes.
struct Plan {
  std::vector<std::optional<SfFailure>> refused;  // per op
  std::vector<std::string> keys;                  // per op, RecordKey
  std::vector<std::vector<size_t>> groups;        // Composite groups, members in input order
  std::vector<int> wave;                          // per op not in a group; -1 otherwise
  int waves = 0;
  // Per op: the earlier ops whose Ids it uses, with the names it uses them by (kPhased).
  std::vector<std::vector<std::pair<std::string, size_t>>> uses;
};

// kPhased: the round of each write. A write goes after every write whose Id it uses and after
// the previous write to its record; everything else goes in round 0. A named create and the
// writes that address it by RefId share the record key "ref:<name>"; a write by RefId to a
// named upsert shares the upsert's key.
void PlanRounds(const std::vector<WriteOp>& ops, Plan* plan) {
  const size_t n = ops.size();
  std::map<std::string, size_t> named;
  std::map<std::string, int> last_round;  // record key -> round of its latest write
  for (size_t i = 0; i < n; ++i) {
    const WriteOp& op = ops[i];
    if (!plan->refused[i]) {
      std::string& key = plan->keys[i];
      if (op.kind == WriteKind::kCreate && !op.reference.empty()) {
        key = "ref:" + op.reference;
      } else if (op.kind == WriteKind::kUpdate || op.kind == WriteKind::kDelete) {
        std::vector<std::string> refs;
        CollectRefs(std::string_view(op.id), &refs);
        if (refs.size() == 1) {
          auto it = named.find(refs[0]);
          if (it != named.end() && !plan->keys[it->second].empty()) key = plan->keys[it->second];
        }
      }
      int round = 0;
      for (const auto& [name, j] : plan->uses[i]) round = std::max(round, plan->wave[j] + 1);
      if (!key.empty()) {
        auto last = last_round.find(key);
        if (last != last_round.end()) round = std::max(round, last->second + 1);
        last_round[key] = round;
      }
      plan->wave[i] = round;
      plan->waves = std::max(plan->waves, round + 1);
    }
    if (!op.reference.empty() && named.count(op.reference) == 0) named[op.reference] = i;
  }
}

Plan MakePlan(const std::vector<WriteOp>& ops, const WriterOptions& options) {
  const size_t max_subrequests = options.max_composite_subrequests;
  const bool phased = options.linked_writes == LinkedWrites::kPhased;
  const size_t n = ops.size();
  Plan plan;
  plan.refused.resize(n);
  plan.keys.resize(n);
  plan.wave.assign(n, -1);
  plan.uses.resize(n);
  std::map<std::string, size_t> named;          // reference name -> op
  std::vector<std::vector<size_t>> uses(n);     // op -> ops whose names it uses
  for (size_t i = 0; i < n; ++i) {
    const WriteOp& op = ops[i];
    std::optional<SfFailure>& refused = plan.refused[i];
    std::vector<std::string> refs;
    if (!IsName(op.object)) {
      refused = Refused("the object name \"" + op.object.substr(0, 80) + "\" is not a name");
    } else if (op.kind != WriteKind::kDelete && !op.fields.is_object()) {
      refused = Refused("the fields of a " + std::string(WriteKindName(op.kind)) +
                        " must be a JSON object");
    } else if (op.kind == WriteKind::kUpsert &&
               (!IsName(op.external_id_field) || op.external_id.empty())) {
      refused = Refused("an upsert needs an external-id field name and a value");
    } else if ((op.kind == WriteKind::kUpdate || op.kind == WriteKind::kDelete)) {
      CollectRefs(std::string_view(op.id), &refs);
      if (!IsLiteralId(op.id) && !(refs.size() == 1 && op.id == RefId(refs[0]))) {
        refused = Refused("\"" + op.id.substr(0, 40) +
                          "\" is not a record Id (15 or 18 characters) or a reference");
      }
    }
    if (!refused && !op.reference.empty()) {
      if (!IsName(op.reference)) {
        refused = Refused("the reference name \"" + op.reference.substr(0, 80) +
                          "\" must be letters, digits and '_', starting with a letter");
      } else if (op.kind != WriteKind::kCreate && op.kind != WriteKind::kUpsert) {
        refused = Refused("only a create or an upsert can be named (Salesforce answers other "
                          "writes without an Id to refer to)");
      } else if (named.count(op.reference) != 0) {
        refused = Refused("the reference name \"" + op.reference + "\" is used twice");
      }
    }
    if (!refused && op.kind != WriteKind::kDelete) {
      CollectRefs(op.fields, &refs);
      if (phased && !refs.empty() && !OnlyIdRefs(op.fields)) {
        refused = Refused("a field refers to an earlier write other than by its Id (@{name.id}); "
                          "only Composite can resolve that (WriterOptions::linked_writes = "
                          "kComposite)");
      }
    }
    for (const std::string& name : refs) {
      if (refused) break;
      auto it = named.find(name);
      if (it == named.end()) {
        refused = Refused("it refers to \"" + name.substr(0, 80) +
                          "\", which names no earlier create or upsert of the batch");
      } else if (plan.refused[it->second]) {
        refused = Refused("it refers to \"" + name + "\", whose write was refused");
      } else {
        uses[i].push_back(it->second);
        plan.uses[i].emplace_back(name, it->second);
      }
    }
    if (!op.reference.empty() && named.count(op.reference) == 0) named[op.reference] = i;
    if (!refused) plan.keys[i] = RecordKey(op);
  }
  if (phased) {
    PlanRounds(ops, &plan);
    return plan;
  }

  // Linked writes, and every write that touches the same record as one of them, go together.
  UnionFind sets(n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j : uses[i]) sets.Union(i, j);
  }
  std::vector<size_t> size(n, 0);
  for (size_t i = 0; i < n; ++i) ++size[sets.Find(i)];
  std::map<std::string, std::vector<size_t>> by_key;
  for (size_t i = 0; i < n; ++i) {
    if (!plan.refused[i] && !plan.keys[i].empty()) by_key[plan.keys[i]].push_back(i);
  }
  for (const auto& [key, members] : by_key) {
    bool linked = std::any_of(members.begin(), members.end(),
                              [&](size_t i) { return size[sets.Find(i)] > 1; });
    if (!linked) continue;
    for (size_t i : members) sets.Union(members[0], i);
  }
  std::map<size_t, std::vector<size_t>> groups;
  std::fill(size.begin(), size.end(), 0);
  for (size_t i = 0; i < n; ++i) ++size[sets.Find(i)];
  for (size_t i = 0; i < n; ++i) {
    if (!plan.refused[i] && size[sets.Find(i)] > 1) groups[sets.Find(i)].push_back(i);
  }
  for (auto& [root, members] : groups) {
    if (members.size() > max_subrequests) {
      for (size_t i : members) {
        plan.refused[i] = Refused(std::to_string(members.size()) +
                                  " writes are linked by references or by their record, more than "
                                  "the " + std::to_string(max_subrequests) +
                                  " subrequests of one Composite call; split them");
      }
      continue;
    }
    plan.groups.push_back(std::move(members));
  }

  // Independent writes: the k-th write to a record goes in wave k.
  std::vector<bool> grouped(n, false);
  for (const auto& g : plan.groups) {
    for (size_t i : g) grouped[i] = true;
  }
  std::map<std::string, int> next_wave;
  for (size_t i = 0; i < n; ++i) {
    if (plan.refused[i] || grouped[i]) continue;
    int w = plan.keys[i].empty() ? 0 : next_wave[plan.keys[i]]++;
    plan.wave[i] = w;
    plan.waves = std::max(plan.waves, w + 1);
  }
  if (!plan.groups.empty()) plan.waves = std::max(plan.waves, 1);
  return plan;
}

// One Write: the plan being carried out.
class Run {
 public:
  Run(const SalesforceClient& client, const WriterOptions& options,
      const std::vector<WriteOp>& ops)
      : client_(client), options_(options), ops_(ops) {
    batch_.results.resize(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) batch_.results[i].key = ops[i].key;
    upsert_collections_ = options.upsert_through_collections && ApiMajor() >= 46;
  }

  WriteBatch Go() {
    Plan plan = MakePlan(ops_, options_);
    for (size_t i = 0; i < ops_.size(); ++i) {
      if (plan.refused[i]) batch_.results[i].failure = std::move(plan.refused[i]);
    }
    std::set<std::string> failed_keys;
    for (int w = 0; w < plan.waves; ++w) {
      std::vector<size_t> creates, updates, deletes;
      std::map<std::pair<std::string, std::string>, std::vector<size_t>> upserts;
      std::vector<size_t> sent;
      for (size_t i = 0; i < ops_.size(); ++i) {
        if (plan.wave[i] != w) continue;
        const WriteOp& op = ops_[i];
        // (After a stop, Send gives every write the stopping failure instead.)
        if (!halted_ && !FillReferences(plan, i)) {
          if (!plan.keys[i].empty()) failed_keys.insert(plan.keys[i]);
          continue;
        }
        if (!halted_ && !plan.keys[i].empty() && failed_keys.count(plan.keys[i]) != 0) {
          batch_.results[i].failure = LocalFailure(
              ErrorCategory::kNotProcessed, RetryAdvice::kResubmitSeparately,
              "Not processed: an earlier write to the same record in this batch failed; send "
              "this one after it, to keep their order");
          continue;
        }
        sent.push_back(i);
        switch (op.kind) {
          case WriteKind::kCreate: creates.push_back(i); break;
          case WriteKind::kUpdate: updates.push_back(i); break;
          case WriteKind::kDelete: deletes.push_back(i); break;
          case WriteKind::kUpsert:
            upserts[{Lower(op.object), Lower(op.external_id_field)}].push_back(i);
            break;
        }
      }
      const size_t per_call = options_.max_collection_records;
      ForChunks(creates, per_call, [&](std::vector<size_t> c) { SendCollection(std::move(c)); });
      ForChunks(updates, per_call, [&](std::vector<size_t> c) { SendCollection(std::move(c)); });
      for (auto& [what, list] : upserts) {
        ForChunks(list, per_call, [&](std::vector<size_t> c) { SendCollection(std::move(c)); });
      }
      ForChunks(deletes, per_call, [&](std::vector<size_t> c) { SendDeletes(std::move(c)); });
      if (w == 0) SendGroups(plan.groups);
      for (size_t i : sent) {
        if (!batch_.results[i].ok()) failed_keys.insert(plan.keys[i]);
      }
    }
    return std::move(batch_);
  }

 private:
  // kPhased: puts the Ids of the writes that op i uses into its fields and Id. When one of
  // them failed (or gave no Id), op i is not sent: it gets kNotProcessed naming that write's
  // key, and false is returned.
  bool FillReferences(const Plan& plan, size_t i) {
    if (plan.uses[i].empty()) return true;
    std::map<std::string, std::string> ids;
    for (const auto& [name, j] : plan.uses[i]) {
      const WriteResult& used = batch_.results[j];
      if (!used.ok() || used.id.empty()) {
        batch_.results[i].failure = LocalFailure(
            ErrorCategory::kNotProcessed, RetryAdvice::kResubmitSeparately,
            "Not processed: it refers to \"" + name + "\", the write with key \"" + used.key +
                "\", which failed; send both again");
        return false;
      }
      ids[name] = used.id;
    }
    WriteOp& op = ops_[i];
    FillRefs(&op.fields, ids);
    if (op.id.find("@{") != std::string::npos) op.id = FillRefs(op.id, ids);
    return true;
  }

  int ApiMajor() const {
    int v = 0;
    for (char c : client_.api_version()) {
      if (c < '0' || c > '9') break;
      v = v * 10 + (c - '0');
    }
    return v;
  }

  template <typename F>
  static void ForChunks(const std::vector<size_t>& list, size_t per_call, F send) {
    for (size_t at = 0; at < list.size(); at += per_call) {
      size_t end = std::min(list.size(), at + per_call);
      send(std::vector<size_t>(list.begin() + static_cast<std::ptrdiff_t>(at),
                               list.begin() + static_cast<std::ptrdiff_t>(end)));
    }
  }

  // Sends one call, unless an earlier one stopped the batch. Returns nullopt when not sent
  // (the ops then carry the stopping failure).
  std::optional<ApiResult> Send(ApiRequest request, const std::vector<size_t>& ops) {
    if (halted_) {
      for (size_t i : ops) {
        batch_.results[i].failure = halted_->failure;
        batch_.results[i].retry_at = halted_->retry_at;
      }
      return std::nullopt;
    }
    ApiResult r = client_.Send(request);
    if (r.attempts > 0) ++batch_.calls;
    return r;
  }

  int CallIndex() const { return batch_.calls - 1; }

  // Every op of a failed call gets its failure; a failure that stops everything stops the run.
  void FailCall(const ApiResult& r, const std::vector<size_t>& ops) {
    for (size_t i : ops) {
      WriteResult& out = batch_.results[i];
      out.failure = r.failure;
      out.outcome_unknown = r.outcome_unknown;
      out.retry_at = r.retry_at;
      out.call = r.attempts > 0 ? CallIndex() : -1;
    }
    if (r.failure && Halts(*r.failure)) {
      SfFailure stop = *r.failure;
      halted_ = ApiResult();
      halted_->failure = std::move(stop);
      halted_->retry_at = r.retry_at;
    }
  }

  // A 2xx answer that cannot be matched to the writes: Salesforce did something; what is not
  // known.
  void FailUnreadable(const std::vector<size_t>& ops, const std::string& why) {
    ApiResult r;
    r.attempts = 1;
    r.failure = LocalFailure(ErrorCategory::kUnknown, RetryAdvice::kNever,
                             "Salesforce's answer could not be read (" + why +
                                 "): the writes may have been made; check before sending again");
    r.outcome_unknown = true;
    FailCall(r, ops);
  }

  static SfFailure RecordFailure(int status, const json& errors_value) {
    std::vector<SalesforceError> errors = ErrorsFromJson(errors_value).value_or(
        std::vector<SalesforceError>{});
    if (errors.empty()) {
      return LocalFailure(ErrorCategory::kUnknown, RetryAdvice::kNever,
                          "Salesforce reported a failure without errors (HTTP " +
                              std::to_string(status) + ")");
    }
    return ClassifyErrors(status, std::move(errors));
  }

  json CollectionRecord(const WriteOp& op) const {
    json record = op.fields.is_object() ? op.fields : json::object();
    record.erase("attributes");
    record["attributes"] = json{{"type", op.object}};
    if (op.kind == WriteKind::kUpdate) record["Id"] = op.id;
    if (op.kind == WriteKind::kUpsert) record[op.external_id_field] = op.external_id;
    return record;
  }

  // Creates, updates or upserts of one object and field: one sObject Collections call.
  void SendCollection(std::vector<size_t> ops) {
    const WriteOp& first = ops_[ops[0]];
    if (first.kind == WriteKind::kUpsert && !upsert_collections_) {
      SendViaComposite(ops);
      return;
    }
    json records = json::array();
    for (size_t i : ops) records.push_back(CollectionRecord(ops_[i]));
    ApiRequest request;
    request.method = first.kind == WriteKind::kCreate ? "POST" : "PATCH";
    request.path = "composite/sobjects";
    if (first.kind == WriteKind::kUpsert) {
      request.path += "/" + first.object + "/" + first.external_id_field;
    }
    request.body = Dump(json{{"allOrNone", options_.all_or_none}, {"records", std::move(records)}});
    std::optional<ApiResult> r = Send(std::move(request), ops);
    if (!r) return;
    if (!r->ok()) {
      const int status = r->response.status;
      if (first.kind == WriteKind::kUpsert && (status == 404 || status == 405)) {
        // No collections upsert here (an org or version without it): Composite instead.
        upsert_collections_ = false;
        SendViaComposite(ops);
        return;
      }
      FailCall(*r, ops);
      return;
    }
    ReadSaveResults(*r, ops);
  }

  void SendDeletes(std::vector<size_t> ops) {
    std::string ids;
    for (size_t i : ops) {
      if (!ids.empty()) ids += ',';
      ids += ops_[i].id;
    }
    ApiRequest request;
    request.method = "DELETE";
    request.path = "composite/sobjects?ids=" + ids +
                   "&allOrNone=" + (options_.all_or_none ? "true" : "false");
    std::optional<ApiResult> r = Send(std::move(request), ops);
    if (!r) return;
    if (!r->ok()) {
      FailCall(*r, ops);
      return;
    }
    ReadSaveResults(*r, ops);
  }

  // [{"id", "success", "errors", "created"?}, ...], one per record in order.
  void ReadSaveResults(const ApiResult& r, const std::vector<size_t>& ops) {
    std::string error;
    std::optional<json> body = r.Json(&error);
    if (!body || !body->is_array() || body->size() != ops.size()) {
      FailUnreadable(ops, body ? "expected " + std::to_string(ops.size()) + " results" : error);
      return;
    }
    for (size_t k = 0; k < ops.size(); ++k) {
      const json& item = (*body)[k];
      const WriteOp& op = ops_[ops[k]];
      WriteResult& out = batch_.results[ops[k]];
      out.call = CallIndex();
      if (!item.is_object()) {
        FailUnreadable({ops[k]}, "a result is not an object");
        continue;
      }
      auto id = item.find("id");
      if (id != item.end() && id->is_string()) out.id = id->get<std::string>();
      if (out.id.empty() && op.kind != WriteKind::kCreate && op.kind != WriteKind::kUpsert) {
        out.id = op.id;
      }
      auto success = item.find("success");
      if (success != item.end() && success->is_boolean() && success->get<bool>()) {
        if (op.kind == WriteKind::kUpsert) {
          auto created = item.find("created");
          if (created != item.end() && created->is_boolean()) out.created = created->get<bool>();
        }
        continue;
      }
      auto errors = item.find("errors");
      out.failure = RecordFailure(0, errors != item.end() ? *errors : json());
    }
  }

  // Upserts without collections upsert: Composite, 25 a call.
  void SendViaComposite(const std::vector<size_t>& ops) {
    ForChunks(ops, options_.max_composite_subrequests,
              [&](std::vector<size_t> c) { SendComposite(c); });
  }

  // Linked groups, packed into as few Composite calls as fit.
  void SendGroups(const std::vector<std::vector<size_t>>& groups) {
    std::vector<size_t> pack;
    for (const std::vector<size_t>& g : groups) {
      if (pack.size() + g.size() > options_.max_composite_subrequests) {
        SendComposite(pack);
        pack.clear();
      }
      pack.insert(pack.end(), g.begin(), g.end());
    }
    if (!pack.empty()) SendComposite(pack);
  }

  std::string SubrequestUrl(const WriteOp& op) const {
    std::string path = "sobjects/" + op.object;
    if (op.kind == WriteKind::kUpdate || op.kind == WriteKind::kDelete) path += "/" + op.id;
    if (op.kind == WriteKind::kUpsert) {
      path += "/" + op.external_id_field + "/" + PercentEncode(op.external_id);
    }
    return client_.DataPath(path);
  }

  static const char* Method(WriteKind kind) {
    switch (kind) {
      case WriteKind::kCreate: return "POST";
      case WriteKind::kUpdate: return "PATCH";
      case WriteKind::kUpsert: return "PATCH";
      case WriteKind::kDelete: return "DELETE";
    }
    return "POST";
  }

  // `ops` in input order: a reference always comes after the write it names.
  void SendComposite(std::vector<size_t> ops) {
    std::set<std::string> names;
    for (const WriteOp& op : ops_) {
      if (!op.reference.empty()) names.insert(op.reference);
    }
    json subrequests = json::array();
    std::vector<std::string> ref_ids;
    bool idempotent = true;
    for (size_t i : ops) {
      const WriteOp& op = ops_[i];
      std::string ref = op.reference;
      if (ref.empty()) {
        ref = "write" + std::to_string(i);
        while (names.count(ref) != 0) ref += "_";
      }
      ref_ids.push_back(ref);
      json sub = {{"method", Method(op.kind)}, {"url", SubrequestUrl(op)}, {"referenceId", ref}};
      if (op.kind != WriteKind::kDelete) {
        json body = op.fields;
        body.erase("attributes");
        sub["body"] = std::move(body);
      }
      idempotent = idempotent && (op.kind == WriteKind::kUpdate || op.kind == WriteKind::kUpsert);
      subrequests.push_back(std::move(sub));
    }
    ApiRequest request;
    request.method = "POST";
    request.path = "composite";
    request.body = Dump(json{{"allOrNone", options_.all_or_none},
                             {"collateSubrequests", false},
                             {"compositeRequest", std::move(subrequests)}});
    // Only updates and upserts: sending twice does what sending once does.
    request.idempotent = idempotent;
    std::optional<ApiResult> r = Send(std::move(request), ops);
    if (!r) return;
    if (!r->ok()) {
      FailCall(*r, ops);
      return;
    }
    std::string error;
    std::optional<json> body = r->Json(&error);
    const json* responses = nullptr;
    if (body && body->is_object()) {
      auto it = body->find("compositeResponse");
      if (it != body->end() && it->is_array()) responses = &*it;
    }
    if (responses == nullptr) {
      FailUnreadable(ops, body ? "no compositeResponse" : error);
      return;
    }
    std::map<std::string, const json*> by_ref;
    for (const json& entry : *responses) {
      if (!entry.is_object()) continue;
      auto ref = entry.find("referenceId");
      if (ref != entry.end() && ref->is_string()) by_ref[ref->get<std::string>()] = &entry;
    }
    std::map<std::string, std::string> ids;  // reference name -> Id, for updates by reference
    for (size_t k = 0; k < ops.size(); ++k) {
      const size_t i = ops[k];
      const WriteOp& op = ops_[i];
      WriteResult& out = batch_.results[i];
      auto found = by_ref.find(ref_ids[k]);
      if (found == by_ref.end()) {
        FailUnreadable({i}, "no answer for " + ref_ids[k]);
        continue;
      }
      out.call = CallIndex();
      const json& entry = *found->second;
      int status = 0;
      if (auto s = entry.find("httpStatusCode"); s != entry.end() && s->is_number_integer()) {
        status = s->get<int>();
      }
      const json empty;
      auto b = entry.find("body");
      const json& sub_body = b != entry.end() ? *b : empty;
      if (status >= 200 && status < 300) {
        if (sub_body.is_object()) {
          auto id = sub_body.find("id");
          if (id != sub_body.end() && id->is_string()) out.id = id->get<std::string>();
        }
        if (out.id.empty()) {
          std::vector<std::string> refs;
          CollectRefs(std::string_view(op.id), &refs);
          out.id = refs.empty() ? op.id : ids[refs[0]];
        }
        if (op.kind == WriteKind::kUpsert) out.created = status == 201;
        if (!op.reference.empty()) ids[op.reference] = out.id;
        continue;
      }
      if (status == 300) {
        // Upsert: several records have this external id; the body lists their URLs.
        SalesforceError e;
        e.error_code = "DUPLICATE_EXTERNAL_ID";
        e.message = std::to_string(sub_body.is_array() ? sub_body.size() : 0) +
                    " records have " + op.external_id_field + " = " + op.external_id;
        e.fields = {op.external_id_field};
        out.failure = ClassifyErrors(300, {std::move(e)});
        continue;
      }
      out.failure = RecordFailure(status, sub_body);
    }
  }

  const SalesforceClient& client_;
  const WriterOptions& options_;
  // The caller's writes, copied: kPhased fills references in before sending.
  std::vector<WriteOp> ops_;
  WriteBatch batch_;
  bool upsert_collections_ = true;
  std::optional<ApiResult> halted_;  // the failure that stopped the run
};

}  // namespace

const char* WriteKindName(WriteKind kind) {
  switch (kind) {
    case WriteKind::kCreate: return "create";
    case WriteKind::kUpdate: return "update";
    case WriteKind::kUpsert: return "upsert";
    case WriteKind::kDelete: return "delete";
  }
  return "write";
}

std::string RefId(std::string_view name) { return "@{" + std::string(name) + ".id}"; }

WriteOp WriteOp::Create(std::string key, std::string object, nlohmann::json fields) {
  WriteOp op;
  op.kind = WriteKind::kCreate;
  op.key = std::move(key);
  op.object = std::move(object);
  op.fields = std::move(fields);
  return op;
}

WriteOp WriteOp::Update(std::string key, std::string object, std::string id,
                        nlohmann::json fields) {
  WriteOp op = Create(std::move(key), std::move(object), std::move(fields));
  op.kind = WriteKind::kUpdate;
  op.id = std::move(id);
  return op;
}

WriteOp WriteOp::Upsert(std::string key, std::string object, std::string external_id_field,
                        std::string external_id, nlohmann::json fields) {
  WriteOp op = Create(std::move(key), std::move(object), std::move(fields));
  op.kind = WriteKind::kUpsert;
  op.external_id_field = std::move(external_id_field);
  op.external_id = std::move(external_id);
  return op;
}

WriteOp WriteOp::Delete(std::string key, std::string object, std::string id) {
  WriteOp op = Create(std::move(key), std::move(object), nlohmann::json::object());
  op.kind = WriteKind::kDelete;
  op.id = std::move(id);
  return op;
}

WriteOp& WriteOp::As(std::string name) & {
  reference = std::move(name);
  return *this;
}

WriteOp&& WriteOp::As(std::string name) && {
  reference = std::move(name);
  return std::move(*this);
}

BatchWriter::BatchWriter(const SalesforceClient& client, WriterOptions options)
    : client_(client), options_(options) {
  options_.max_collection_records =
      std::clamp<size_t>(options_.max_collection_records, 1, kMaxCollectionRecords);
  options_.max_composite_subrequests =
      std::clamp<size_t>(options_.max_composite_subrequests, 1, kMaxCompositeSubrequests);
}

WriteBatch BatchWriter::Write(const std::vector<WriteOp>& ops) const {
  try {
    return Run(client_, options_, ops).Go();
  } catch (const std::exception& e) {
    // Only allocation failures are expected here; report them on every write.
    WriteBatch batch;
    batch.results.resize(ops.size());
    for (size_t i = 0; i < ops.size(); ++i) {
      batch.results[i].key = ops[i].key;
      batch.results[i].failure = LocalFailure(
          ErrorCategory::kUnknown, RetryAdvice::kNever,
          std::string("The batch failed inside the writer (") + e.what() +
              "): some writes may have been made; check before sending again");
      batch.results[i].outcome_unknown = true;
    }
    return batch;
  }
}

}  // namespace cf::sf
