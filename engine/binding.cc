#include "engine/binding.h"

#include <string_view>
#include <utility>

#include "engine/binding_keys.h"
#include "engine/record_codec.h"

namespace cf::engine {
namespace {

int FieldOf(const Schema& schema, int object, std::string_view name) {
  return object < 0 ? -1 : schema.object(object).FieldIndex(name);
}

const Slot* SlotOf(const Record* r, int field) {
  return r == nullptr || field < 0 ? nullptr : r->layout().SlotForField(field);
}

std::string_view Text(const Record* r, int field) {
  const Slot* s = SlotOf(r, field);
  if (s == nullptr || s->kind != StorageKind::kString || r->IsNull(*s)) return {};
  return r->GetString(*s);
}

}  // namespace

const char* BindSourceName(BindSource source) {
  switch (source) {
    case BindSource::kNone: return "none";
    case BindSource::kEventId: return "event id";
    case BindSource::kEventIdOnly: return "event id (not cached)";
    case BindSource::kEmail: return "email";
    case BindSource::kPhone: return "phone";
    case BindSource::kRelated: return "related";
    case BindSource::kChild: return "open child";
  }
  return "?";
}

std::vector<std::pair<std::string, std::string>> BindingFieldNames(const Schema& schema) {
  std::vector<std::pair<std::string, std::string>> out;
  for (int r = 0; r < kRecordRootCount; ++r) {
    const RuleRoot root = static_cast<RuleRoot>(r);
    const Object* object = schema.Find(RuleRootName(root));
    if (object == nullptr) continue;
    for (const Field& f : object->fields) {
      const bool person = root == RuleRoot::kContact || root == RuleRoot::kLead;
      bool read = EqualsIgnoreCase(f.name, "Id");
      if (person) {
        read = read || f.type == FieldType::kEmail || (f.type == FieldType::kPhone && !IsFaxField(f.name)) ||
               EqualsIgnoreCase(f.name, "LastModifiedDate") ||
               (root == RuleRoot::kContact && EqualsIgnoreCase(f.name, "AccountId")) ||
               (root == RuleRoot::kLead && EqualsIgnoreCase(f.name, "IsConverted"));
      } else if (root == RuleRoot::kOpportunity || root == RuleRoot::kCase) {
        read = read || EqualsIgnoreCase(f.name, "AccountId") || EqualsIgnoreCase(f.name, "IsClosed") ||
               EqualsIgnoreCase(f.name, "LastModifiedDate") ||
               (root == RuleRoot::kCase && EqualsIgnoreCase(f.name, "ContactId"));
      }
      if (read) out.emplace_back(object->name, f.name);
    }
  }
  return out;
}

Binder::Binder(std::shared_ptr<const Environment> env) : env_(std::move(env)) {
  const Schema& schema = env_->schema();
  for (int r = 0; r < kRecordRootCount; ++r) {
    ObjectInfo& info = objects_[r];
    const RuleRoot root = static_cast<RuleRoot>(r);
    info.object = schema.IndexOf(RuleRootName(root));
    info.last_modified = FieldOf(schema, info.object, "LastModifiedDate");
    info.is_closed = FieldOf(schema, info.object, root == RuleRoot::kLead ? "IsConverted" : "IsClosed");
    info.account_id = FieldOf(schema, info.object, "AccountId");
    info.contact_id = FieldOf(schema, info.object, "ContactId");
  }
  for (int e = 0; e < kEventRootCount; ++e) {
    EventInfo& info = events_[e];
    const int root = env_->FindRoot(RuleRootName(static_cast<RuleRoot>(kRecordRootCount + e)));
    info.object = root < 0 ? -1 : env_->roots()[root].object_index;
    for (int r = 0; r < kRecordRootCount; ++r) {
      info.id_fields[r] = FieldOf(schema, info.object,
                                  ToLowerAscii(RuleRootName(static_cast<RuleRoot>(r))) + "_id");
    }
    info.email = FieldOf(schema, info.object, "customer.email");
    info.phone = FieldOf(schema, info.object, "customer.phone");
    info.from = FieldOf(schema, info.object, "from");
    info.to = FieldOf(schema, info.object, "to");
    info.direction = FieldOf(schema, info.object, "direction");
  }
}

std::optional<SfId> Binder::IdField(const Record* r, int field) const {
  const Slot* s = SlotOf(r, field);
  if (s == nullptr || s->kind != StorageKind::kId || r->IsNull(*s)) return std::nullopt;
  return r->GetId(*s);
}

std::optional<SfId> Binder::EventId(const Event& event, RuleRoot root) const {
  const int r = static_cast<int>(root);
  if (event.record_ids[r]) return event.record_ids[r];
  // The event objects' own *_id fields: deal, then call, then conversation.
  for (int e = kEventRootCount - 1; e >= 0; --e) {
    if (std::optional<SfId> id = IdField(event.objects[e].get(), events_[e].id_fields[r])) return id;
  }
  return std::nullopt;
}

const Record* Binder::Adopt(int object, const Record* r, Binding* b) const {
  if (r == nullptr || &r->layout() == env_->layout(object).get()) return r;
  // A record in another layout than the rules read (a sink built without the Environment's
  // layouts): converted by field name, once per event.
  RecordPtr converted;
  if (!DecodeRecord(EncodeRecord(*r), env_->layout(object), &converted).ok()) return nullptr;
  b->owned.push_back(std::move(converted));
  return b->owned.back().get();
}

const Record* Binder::FindById(int object, const SfId& id, const RecordSnapshot* snap, Binding* b,
                               BindSource* source) const {
  if (object < 0) return nullptr;
  if (const Record* r = snap == nullptr ? nullptr : snap->Find(object, id)) {
    *source = BindSource::kEventId;
    return Adopt(object, r, b);
  }
  const std::shared_ptr<const RecordLayout>& layout = env_->layout(object);
  if (layout->id_slot() == nullptr) return nullptr;
  RecordBuilder builder(layout);
  builder.SetId(*layout->id_slot(), id);
  b->owned.push_back(builder.Finish());
  *source = BindSource::kEventIdOnly;
  return b->owned.back().get();
}

const Record* Binder::Latest(const ObjectInfo& info, RecordSpan span, bool prefer_account) const {
  const Record* best = nullptr;
  bool best_account = false;
  Millis best_time = 0;
  bool best_has_time = false;
  for (size_t i = 0; i < span.size; ++i) {  // spans are in Id order: ties keep the smallest Id
    const Record* r = span.data[i];
    if (const Slot* closed = SlotOf(r, info.is_closed);
        closed != nullptr && closed->kind == StorageKind::kBool && !r->IsNull(*closed) && r->GetBool(*closed)) {
      continue;
    }
    const bool has_account = prefer_account && IdField(r, info.account_id).has_value();
    const Slot* t = SlotOf(r, info.last_modified);
    const bool has_time = t != nullptr && t->kind == StorageKind::kDateTime && !r->IsNull(*t);
    const Millis time = has_time ? r->GetDateTime(*t) : 0;
    bool better;
    if (best == nullptr) {
      better = true;
    } else if (has_account != best_account) {
      better = has_account;
    } else if (has_time != best_has_time) {
      better = has_time;
    } else {
      better = has_time && time > best_time;
    }
    if (better) {
      best = r;
      best_account = has_account;
      best_time = time;
      best_has_time = has_time;
    }
  }
  return best;
}

const Record* Binder::FindPerson(RuleRoot root, const Event& event, const RecordSnapshot& snap,
                                 Binding* b, BindSource* source) const {
  const ObjectInfo& info = objects_[static_cast<int>(root)];
  if (info.object < 0) return nullptr;
  const bool prefer_account = root == RuleRoot::kContact;
  // The customer as the event's own object gives it, then the conversation (deal.closed).
  const int primary = event.type == Trigger::kCallEnded ? 1 : event.type == Trigger::kDealClosed ? 2 : 0;
  const int order[2] = {primary, 0};
  for (int k = 0; k < 2; ++k) {
    const int e = order[k];
    const Record* object = event.objects[e].get();
    if (object == nullptr) continue;
    std::string_view email = Text(object, events_[e].email);
    if (!email.empty()) {
      if (const Record* r = Latest(info, snap.FindByEmail(info.object, email), prefer_account)) {
        *source = BindSource::kEmail;
        return Adopt(info.object, r, b);
      }
    }
    std::string_view phone = Text(object, events_[e].phone);
    if (phone.empty() && e == 1) {  // a call without customer.phone: the other party's number
      phone = Text(object, EqualsIgnoreCase(Text(object, events_[e].direction), "outbound")
                               ? events_[e].to : events_[e].from);
    }
    if (!phone.empty()) {
      if (const Record* r = Latest(info, snap.FindByPhone(info.object, phone), prefer_account)) {
        *source = BindSource::kPhone;
        return Adopt(info.object, r, b);
      }
    }
    if (!email.empty() || !phone.empty()) break;  // the customer was named: no fallback
  }
  return nullptr;
}

Binding Binder::Bind(const Event& event, RecordSnapshotPtr snapshot) const {
  Binding b;
  b.snapshot = std::move(snapshot);
  const RecordSnapshot* snap = b.snapshot.get();
  auto& rec = b.records;
  auto& src = b.sources;
  auto at = [](RuleRoot r) { return static_cast<int>(r); };

  for (int r = 0; r < kRecordRootCount; ++r) {
    if (std::optional<SfId> id = EventId(event, static_cast<RuleRoot>(r))) {
      rec[r] = FindById(objects_[r].object, *id, snap, &b, &src[r]);
    }
  }
  if (snap == nullptr) return b;

  const int contact = at(RuleRoot::kContact), lead = at(RuleRoot::kLead);
  const int account = at(RuleRoot::kAccount), opportunity = at(RuleRoot::kOpportunity);
  const int support_case = at(RuleRoot::kCase);
  if (rec[contact] == nullptr) rec[contact] = FindPerson(RuleRoot::kContact, event, *snap, &b, &src[contact]);
  if (rec[lead] == nullptr && rec[contact] == nullptr) {
    rec[lead] = FindPerson(RuleRoot::kLead, event, *snap, &b, &src[lead]);
  }
  if (rec[account] == nullptr && objects_[account].object >= 0) {
    for (int from : {contact, opportunity, support_case}) {
      std::optional<SfId> id = IdField(rec[from], objects_[from].account_id);
      const Record* r = id ? snap->Find(objects_[account].object, *id) : nullptr;
      if (r != nullptr) {
        rec[account] = Adopt(objects_[account].object, r, &b);
        src[account] = BindSource::kRelated;
        break;
      }
    }
  }
  const SfId* account_id = rec[account] == nullptr ? nullptr : rec[account]->id();
  const ObjectInfo& opp = objects_[opportunity];
  if (rec[opportunity] == nullptr && account_id != nullptr && opp.object >= 0 && opp.account_id >= 0) {
    rec[opportunity] = Adopt(opp.object, Latest(opp, snap->Children(opp.object, opp.account_id, *account_id), false), &b);
    if (rec[opportunity] != nullptr) src[opportunity] = BindSource::kChild;
  }
  const ObjectInfo& cas = objects_[support_case];
  if (rec[support_case] == nullptr && cas.object >= 0) {
    const SfId* contact_id = rec[contact] == nullptr ? nullptr : rec[contact]->id();
    const Record* found = nullptr;
    if (contact_id != nullptr && cas.contact_id >= 0) {
      found = Latest(cas, snap->Children(cas.object, cas.contact_id, *contact_id), false);
    }
    if (found == nullptr && account_id != nullptr && cas.account_id >= 0) {
      found = Latest(cas, snap->Children(cas.object, cas.account_id, *account_id), false);
    }
    rec[support_case] = Adopt(cas.object, found, &b);
    if (found != nullptr) src[support_case] = BindSource::kChild;
  }
  return b;
}

}  // namespace cf::engine
