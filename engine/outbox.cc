#include "engine/outbox.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <utility>

#include "engine/binding_keys.h"

namespace cf::engine {
namespace {

constexpr uint8_t kBodyVersion = 1;

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// --- body encoding: a version byte, then varints and length-prefixed strings.
void PutVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutSigned(std::string* out, int64_t v) {  // zigzag
  PutVarint(out, (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
}
void PutString(std::string* out, std::string_view s) {
  PutVarint(out, s.size());
  out->append(s);
}

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      if (in_.empty()) return false;
      const uint8_t b = static_cast<uint8_t>(in_.front());
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) return true;
    }
    return false;
  }
  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool String(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    s->assign(in_.substr(0, n));
    in_.remove_prefix(n);
    return true;
  }
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_.front());
    in_.remove_prefix(1);
    return true;
  }
  bool done() const { return in_.empty(); }

 private:
  std::string_view in_;
};

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

// The merge key of a create, or "" (see OutboxOptions::merge_objects).
std::string MergeKey(const Action& a, const std::vector<std::string>& merge_objects) {
  if (a.kind != ActionKind::kCreate) return {};
  bool merge = false;
  for (const std::string& o : merge_objects) merge = merge || EqualsIgnoreCase(o, a.object);
  if (!merge) return {};
  for (const ActionField& f : a.fields) {
    if (f.kind == ActionField::Kind::kValue && EqualsIgnoreCase(f.name, "Email")) {
      std::string e = NormalizeEmail(f.text);
      if (!e.empty()) return a.object + "|email|" + e;
    }
  }
  for (const ActionField& f : a.fields) {
    if (f.kind == ActionField::Kind::kValue &&
        (EqualsIgnoreCase(f.name, "Phone") || EqualsIgnoreCase(f.name, "MobilePhone"))) {
      std::string p = NormalizePhone(f.text);
      if (!p.empty()) return a.object + "|phone|" + p;
    }
  }
  return {};
}

}  // namespace

std::string Outbox::EncodeAction(const OutboundAction& a) {
  std::string out;
  out.push_back(static_cast<char>(kBodyVersion));
  PutString(&out, a.key);
  out.push_back(static_cast<char>(a.kind));
  PutString(&out, a.object);
  PutString(&out, a.target_id);
  PutSigned(&out, a.target_ref);
  PutString(&out, a.key_field);
  PutVarint(&out, a.fields.size());
  for (const OutboundField& f : a.fields) {
    PutString(&out, f.name);
    out.push_back(static_cast<char>(f.kind));
    out.push_back(static_cast<char>(f.json_type));
    PutString(&out, f.text);
    PutSigned(&out, f.ref);
  }
  PutVarint(&out, a.arguments.size());
  for (const std::string& s : a.arguments) PutString(&out, s);
  return out;
}

bool Outbox::DecodeAction(std::string_view bytes, OutboundAction* a) {
  Reader r(bytes);
  uint8_t version, kind;
  uint64_t n;
  if (!r.Byte(&version) || version != kBodyVersion) return false;
  if (!r.String(&a->key) || !r.Byte(&kind) || kind > static_cast<uint8_t>(ActionKind::kNotify)) {
    return false;
  }
  a->kind = static_cast<ActionKind>(kind);
  if (!r.String(&a->object) || !r.String(&a->target_id) || !r.Signed(&a->target_ref) ||
      !r.String(&a->key_field) || !r.Varint(&n) || n > bytes.size()) {
    return false;
  }
  a->fields.assign(n, OutboundField{});
  for (OutboundField& f : a->fields) {
    uint8_t fk, jt;
    if (!r.String(&f.name) || !r.Byte(&fk) || !r.Byte(&jt) || !r.String(&f.text) ||
        !r.Signed(&f.ref) || fk > 2 || jt > 2) {
      return false;
    }
    f.kind = static_cast<OutboundField::Kind>(fk);
    f.json_type = static_cast<JsonType>(jt);
  }
  if (!r.Varint(&n) || n > bytes.size()) return false;
  a->arguments.assign(n, std::string());
  for (std::string& s : a->arguments) {
    if (!r.String(&s)) return false;
  }
  return r.done();
}

Outbox::Outbox(std::shared_ptr<StateStore> store, OutboxOptions options, std::string nonce)
    : store_(std::move(store)), options_(std::move(options)), nonce_(std::move(nonce)) {}

Status Outbox::Open(std::shared_ptr<StateStore> store, OutboxOptions options,
                    std::unique_ptr<Outbox>* out) {
  if (!store) return Status::InvalidArgument("the outbox needs a state store");
  if (!options.now_ms) options.now_ms = SystemNowMs;
  std::optional<std::string> nonce;
  Status s = store->Get(kOutboxNamespace, "nonce", &nonce);
  if (!s.ok()) return s;
  if (!nonce) {
    // Keys are stored with each action, so a nonce replaced by a concurrent Open changes only
    // the keys of later actions; both nonces are random.
    std::random_device rd;
    const uint64_t v = (static_cast<uint64_t>(rd()) << 32) ^ rd();
    static const char kHex[] = "0123456789abcdef";
    std::string text;
    for (int i = 0; i < 10; ++i) text.push_back(kHex[(v >> (4 * i)) & 0xF]);
    s = store->Put(kOutboxNamespace, "nonce", text);
    if (!s.ok()) return s;
    nonce = text;
  }
  out->reset(new Outbox(std::move(store), std::move(options), *nonce));
  return Status::Ok();
}

std::string Outbox::KeyFor(int64_t id) const {
  std::string key = "cf-";
  key.append(nonce_);
  key.push_back('-');
  key.append(std::to_string(id));
  return key;
}

Status Outbox::Accept(const std::vector<Action>& actions, std::vector<int64_t>* ids) {
  if (ids != nullptr) ids->clear();
  if (actions.empty()) return Status::Ok();
  const auto n = static_cast<int64_t>(actions.size());
  // Check first, so that nothing (not even ids) is spent on a malformed batch.
  for (int64_t i = 0; i < n; ++i) {
    const Action& a = actions[i];
    const std::string where = "action " + std::to_string(i + 1) + " (" +
                              ActionKindText(a.kind) + ")";
    auto bad_ref = [&](int ref) { return ref < 0 || ref >= i; };
    if (IsSalesforceAction(a.kind) && a.object.empty()) {
      return Status::InvalidArgument(where + " names no object");
    }
    if (a.kind == ActionKind::kUpdate && a.target_id.empty() && a.target_action < 0) {
      return Status::InvalidArgument(where + " names no record to update");
    }
    if (a.target_action >= 0 && bad_ref(a.target_action)) {
      return Status::InvalidArgument(where + " updates the record of an action that is not "
                                     "before it");
    }
    for (const ActionField& f : a.fields) {
      if (f.kind == ActionField::Kind::kActionId && bad_ref(f.action)) {
        return Status::InvalidArgument(where + ": field " + f.name +
                                       " refers to an action that is not before it");
      }
    }
    if (a.kind == ActionKind::kUpsert) {
      bool has_key = false;
      for (const ActionField& f : a.fields) {
        has_key = has_key || (f.kind == ActionField::Kind::kValue && f.name == a.key_field);
      }
      if (a.key_field.empty() || !has_key) {
        return Status::InvalidArgument(where + " has no value for its external-id field");
      }
    }
  }

  int64_t first = 0;
  Status s = TakeIds(n, &first);
  if (!s.ok()) return s;
  std::vector<OutboxEntry> entries(n);
  for (int64_t i = 0; i < n; ++i) {
    const Action& a = actions[i];
    OutboundAction o;
    o.id = first + i;
    o.key = KeyFor(o.id);
    o.kind = a.kind;
    o.object = a.object;
    o.target_id = a.target_id;
    o.target_ref = a.target_action >= 0 ? first + a.target_action : 0;
    o.key_field = a.key_field;
    o.arguments = a.arguments;
    int first_ref = a.target_action;
    std::string key_value;
    for (const ActionField& f : a.fields) {
      OutboundField of;
      of.name = f.name;
      of.json_type = f.json_type;
      switch (f.kind) {
        case ActionField::Kind::kValue:
          of.kind = OutboundField::Kind::kValue;
          of.text = f.text;
          if (f.name == a.key_field) key_value = f.text;
          break;
        case ActionField::Kind::kNull:
          of.kind = OutboundField::Kind::kNull;
          break;
        case ActionField::Kind::kActionId:
          of.kind = OutboundField::Kind::kRef;
          of.ref = first + f.action;
          if (first_ref < 0) first_ref = f.action;
          break;
      }
      o.fields.push_back(std::move(of));
    }
    OutboxEntry& e = entries[i];
    e.id = o.id;
    e.group = first;
    if (first_ref >= 0) {
      e.lane = entries[first_ref].lane;  // a record made by an earlier action, or linked to it
    } else if (!IsSalesforceAction(a.kind)) {
      e.lane = "h:" + std::to_string(first);
    } else if (a.kind == ActionKind::kUpdate) {
      e.lane = "r:" + a.object + ":" + a.target_id.substr(0, 15);
    } else if (a.kind == ActionKind::kUpsert) {
      e.lane = "x:" + a.object + ":" + a.key_field + ":" + key_value;
    } else {
      e.lane = "n:" + std::to_string(o.id);
    }
    e.merge_key = MergeKey(a, options_.merge_objects);
    e.body = EncodeAction(o);
  }
  const int64_t now = NowMs();
  s = store_->OutboxAppend(&entries, now, now - options_.merge_window.count());
  if (!s.ok()) return s;
  if (ids != nullptr) {
    for (const OutboxEntry& e : entries) ids->push_back(e.id);
  }
  return Status::Ok();
}

Status Outbox::TakeIds(int64_t n, int64_t* first) {
  std::lock_guard<std::mutex> lock(ids_mu_);
  if (end_id_ - next_id_ < n) {
    const int64_t block = std::max(n, kIdBlock);
    Status s = store_->OutboxReserveIds(block, &next_id_);
    if (!s.ok()) {
      next_id_ = end_id_ = 0;
      return s;
    }
    end_id_ = next_id_ + block;
  }
  *first = next_id_;
  next_id_ += n;
  return Status::Ok();
}

Status Outbox::Decode(OutboxEntry entry, OutboxItem* item) const {
  if (!DecodeAction(entry.body, &item->action)) {
    return Status::Corruption(store_->Describe() + ": outbox entry " + std::to_string(entry.id) +
                              " is damaged");
  }
  item->action.id = entry.id;  // not in the body: the entry's key says it
  item->action.maybe_sent = entry.maybe_sent;
  entry.body.clear();
  item->entry = std::move(entry);
  return Status::Ok();
}

Status Outbox::Claim(size_t max, std::vector<OutboxItem>* items) {
  items->clear();
  std::vector<OutboxEntry> claimed;
  const int64_t now = NowMs();
  Status s = store_->OutboxClaim(now, max, &claimed);
  if (!s.ok()) return s;
  std::vector<OutboxUpdate> damaged;
  for (OutboxEntry& e : claimed) {
    OutboxItem item;
    const int64_t id = e.id;
    Status d = Decode(std::move(e), &item);
    if (!d.ok()) {
      OutboxUpdate u;
      u.id = id;
      u.state = OutboxState::kDead;
      u.error = d.message() + ": it cannot be sent; restore the state file from a backup";
      damaged.push_back(std::move(u));
      continue;
    }
    items->push_back(std::move(item));
  }
  return damaged.empty() ? Status::Ok() : store_->OutboxFinish(damaged, now);
}

Status Outbox::Finish(const std::vector<OutboxUpdate>& updates) {
  return store_->OutboxFinish(updates, NowMs());
}

Status Outbox::Recover(int64_t* count) { return store_->OutboxRecover(NowMs(), count); }

Status Outbox::Get(int64_t id, std::optional<OutboxItem>* item) {
  std::optional<OutboxEntry> e;
  Status s = store_->OutboxGet(id, &e);
  if (!s.ok()) return s;
  if (!e) {
    item->reset();
    return Status::Ok();
  }
  OutboxItem out;
  s = Decode(std::move(*e), &out);
  if (!s.ok()) return s;
  *item = std::move(out);
  return Status::Ok();
}

Status Outbox::List(OutboxState state, int64_t after_id, size_t max,
                    std::vector<OutboxItem>* items) {
  items->clear();
  std::vector<OutboxEntry> entries;
  Status s = store_->OutboxList(state, after_id, max, &entries);
  if (!s.ok()) return s;
  for (OutboxEntry& e : entries) {
    OutboxItem item;
    s = Decode(std::move(e), &item);
    if (!s.ok()) return s;
    items->push_back(std::move(item));
  }
  return Status::Ok();
}

Status Outbox::Count(OutboxState state, int64_t* count) {
  return store_->OutboxCount(state, count);
}

Status Outbox::Replay(int64_t id, int64_t* count) {
  return store_->OutboxReplay(id, NowMs(), count);
}

Status Outbox::ReplayAll(int64_t* count) {
  *count = 0;
  int64_t after = 0;
  for (;;) {
    std::vector<OutboxEntry> dead;
    Status s = store_->OutboxList(OutboxState::kDead, after, 100, &dead);
    if (!s.ok()) return s;
    if (dead.empty()) return Status::Ok();
    for (const OutboxEntry& e : dead) {
      int64_t n = 0;
      s = store_->OutboxReplay(e.id, NowMs(), &n);
      if (!s.ok()) return s;
      *count += n;
      after = e.id;
    }
  }
}

Status Outbox::PurgeDone(std::chrono::milliseconds age, int64_t* count) {
  return store_->OutboxPurgeDone(NowMs() - age.count(), count);
}

}  // namespace cf::engine
