#include "engine/dispatcher.h"

#include <algorithm>
#include <optional>
#include <random>
#include <unordered_map>
#include <utility>

namespace cf::engine {
namespace {

int64_t ToMs(std::chrono::system_clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}

// Where a referenced action stands for this round.
struct Resolved {
  enum class Kind : uint8_t { kInBatch, kDone, kDead, kWait } kind = Kind::kWait;
  int64_t id = 0;          // kInBatch: the (alias-free) action in this batch
  std::string record_id;   // kDone
  std::string error;       // kDead
};

// What a round does with one claimed entry.
struct Plan {
  enum class Route : uint8_t { kSend, kHost, kAliasInBatch, kDone, kWait, kDead };
  Route route = Route::kWait;
  size_t send_index = 0;  // kSend: index in the connector batch
  int64_t target = 0;     // kAliasInBatch: the action in this batch whose outcome it takes
  std::string record_id;  // kDone
  std::string error;      // kDead
};

}  // namespace

Dispatcher::Dispatcher(Outbox* outbox, Connector* connector, DispatcherCallbacks callbacks,
                       DispatcherOptions options)
    : outbox_(outbox),
      connector_(connector),
      callbacks_(std::move(callbacks)),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() { Stop(); }

Status Dispatcher::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!workers_.empty()) return Status::Ok();
  int64_t recovered = 0;
  Status s = outbox_->Recover(&recovered);
  if (!s.ok()) return s;
  stop_ = false;
  for (int i = 0; i < std::max(1, options_.workers); ++i) {
    workers_.emplace_back([this] { Worker(); });
  }
  return Status::Ok();
}

void Dispatcher::Stop() {
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
    workers.swap(workers_);
  }
  cv_.notify_all();
  for (std::thread& t : workers) t.join();
}

void Dispatcher::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++wakes_;
  }
  cv_.notify_all();
}

std::chrono::system_clock::time_point Dispatcher::held_until() const {
  return std::chrono::system_clock::time_point(
      std::chrono::milliseconds(hold_until_ms_.load()));
}

void Dispatcher::ResumeNow() {
  hold_until_ms_.store(0);
  Wake();
}

Dispatcher::Stats Dispatcher::stats() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stats_;
}

int64_t Dispatcher::BackoffMs(int attempts) const {
  int64_t d = options_.backoff_base.count();
  for (int i = 1; i < attempts && d < options_.backoff_max.count(); ++i) d *= 2;
  d = std::min<int64_t>(d, options_.backoff_max.count());
  thread_local std::minstd_rand rng(std::random_device{}());
  return d + (d > 4 ? static_cast<int64_t>(rng() % static_cast<uint64_t>(d / 4)) : 0);
}

void Dispatcher::Worker() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      seen = wakes_;
    }
    size_t finished = 0;
    Status s = RunOnce(&finished);
    std::chrono::milliseconds wait(0);
    const int64_t now = outbox_->NowMs();
    const int64_t hold = hold_until_ms_.load();
    if (!s.ok()) {
      wait = options_.idle_wait * 5;  // the store failed: do not spin on it
    } else if (hold > now) {
      wait = std::min(std::chrono::milliseconds(hold - now), options_.idle_wait * 5);
    } else if (finished == 0) {
      wait = options_.idle_wait;
    }
    if (wait.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait_for(lock, wait, [&] { return stop_ || wakes_ != seen; });
    }
  }
}

Status Dispatcher::RunOnce(size_t* finished) {
  if (finished != nullptr) *finished = 0;
  const int64_t start = outbox_->NowMs();
  if (hold_until_ms_.load() > start) return Status::Ok();
  std::vector<OutboxItem> items;
  Status s = outbox_->Claim(options_.batch_size, &items);
  if (!s.ok() || items.empty()) return s;

  std::unordered_map<int64_t, size_t> in_batch;  // id -> index in items
  for (size_t i = 0; i < items.size(); ++i) in_batch[items[i].entry.id] = i;
  std::unordered_map<int64_t, std::optional<OutboxItem>> stored;  // entries read for references
  std::vector<Plan> plan(items.size());

  // Follows merges to the action that writes the record, and says where it stands.
  auto resolve = [&](int64_t id) -> Resolved {
    Resolved r;
    for (int hops = 0; hops < 16; ++hops) {
      auto it = in_batch.find(id);
      if (it != in_batch.end()) {
        const OutboxItem& item = items[it->second];
        if (item.entry.alias_of != 0) {
          id = item.entry.alias_of;
          continue;
        }
        const Plan& p = plan[it->second];
        if (p.route == Plan::Route::kSend) {
          r.kind = Resolved::Kind::kInBatch;
          r.id = id;
        } else if (p.route == Plan::Route::kDead) {
          r.kind = Resolved::Kind::kDead;
          r.error = p.error;
        }  // else kWait
        return r;
      }
      auto found = stored.find(id);
      if (found == stored.end()) {
        std::optional<OutboxItem> got;
        if (!outbox_->Get(id, &got).ok()) return r;  // wait; the store may come back
        found = stored.emplace(id, std::move(got)).first;
      }
      if (!found->second) {
        r.kind = Resolved::Kind::kDead;
        r.error = "the action it refers to (" + outbox_->KeyFor(id) + ") is no longer stored";
        return r;
      }
      const OutboxEntry& e = found->second->entry;
      if (e.alias_of != 0) {
        id = e.alias_of;
        continue;
      }
      if (e.state == OutboxState::kDone) {
        r.kind = Resolved::Kind::kDone;
        r.record_id = e.result;
      } else if (e.state == OutboxState::kDead) {
        r.kind = Resolved::Kind::kDead;
        r.error = e.error;
      }
      return r;
    }
    r.kind = Resolved::Kind::kDead;
    r.error = "the chain of merged actions is too long";
    return r;
  };

  std::vector<OutboundAction> batch;
  for (size_t i = 0; i < items.size(); ++i) {
    const OutboxItem& item = items[i];
    Plan& p = plan[i];
    p.route = Plan::Route::kWait;
    if (item.entry.alias_of != 0) {
      Resolved r = resolve(item.entry.alias_of);
      switch (r.kind) {
        case Resolved::Kind::kInBatch:
          p.route = Plan::Route::kAliasInBatch;
          p.target = r.id;
          break;
        case Resolved::Kind::kDone:
          p.route = Plan::Route::kDone;
          p.record_id = r.record_id;
          break;
        case Resolved::Kind::kDead:
          p.route = Plan::Route::kDead;
          p.error = "merged into " + outbox_->KeyFor(item.entry.alias_of) +
                    ", which failed: " + r.error;
          break;
        case Resolved::Kind::kWait:
          break;
      }
      continue;
    }
    if (!IsSalesforceAction(item.action.kind)) {
      p.route = Plan::Route::kHost;
      continue;
    }
    OutboundAction a = item.action;
    bool wait = false;
    std::string dead;
    auto fix = [&](int64_t ref, auto&& set_id, auto&& set_ref) {
      Resolved r = resolve(ref);
      switch (r.kind) {
        case Resolved::Kind::kInBatch: set_ref(r.id); break;
        case Resolved::Kind::kDone: set_id(r.record_id); break;
        case Resolved::Kind::kWait: wait = true; break;
        case Resolved::Kind::kDead:
          if (dead.empty()) {
            dead = "it refers to " + outbox_->KeyFor(ref) + ", which failed: " + r.error;
          }
          break;
      }
    };
    if (a.target_ref != 0) {
      fix(a.target_ref, [&](const std::string& id) { a.target_id = id; a.target_ref = 0; },
          [&](int64_t id) { a.target_ref = id; });
    }
    for (OutboundField& f : a.fields) {
      if (f.kind != OutboundField::Kind::kRef) continue;
      fix(f.ref,
          [&](const std::string& id) {
            f.kind = OutboundField::Kind::kValue;
            f.text = id;
            f.ref = 0;
          },
          [&](int64_t id) { f.ref = id; });
    }
    if (!dead.empty()) {
      p.route = Plan::Route::kDead;
      p.error = dead;
    } else if (!wait) {
      p.route = Plan::Route::kSend;
      p.send_index = batch.size();
      batch.push_back(std::move(a));
    }
  }

  std::vector<ActionOutcome> outcomes;
  if (!batch.empty()) {
    outcomes = connector_->Write(batch);
    if (outcomes.size() != batch.size()) {  // a broken connector: retry everything later
      outcomes.assign(batch.size(), ActionOutcome{ActionOutcome::Kind::kRetry, "",
                                                  "the connector gave no outcome", {}});
    }
  }
  std::vector<bool> host_delivered(items.size(), false);
  for (size_t i = 0; i < items.size(); ++i) {
    if (plan[i].route != Plan::Route::kHost || !callbacks_.on_host_action) continue;
    try {
      host_delivered[i] = callbacks_.on_host_action(items[i].action);
    } catch (...) {
      host_delivered[i] = false;
    }
  }

  const int64_t now = outbox_->NowMs();
  std::vector<OutboxUpdate> updates;
  std::vector<ActionReport> reports;
  std::vector<std::pair<size_t, std::string>> written;  // batch index, record id
  Stats delta;
  int64_t hold_until = 0;
  auto report = [&](const OutboxItem& item, bool ok, const std::string& record_id,
                    const std::string& error, int attempts) {
    ActionReport r;
    r.id = item.entry.id;
    r.key = item.action.key;
    r.kind = item.action.kind;
    r.object = item.action.object;
    r.ok = ok;
    r.record_id = record_id;
    r.error = error;
    r.attempts = attempts;
    r.merged_into = item.entry.alias_of;
    reports.push_back(std::move(r));
    ++(ok ? delta.done : delta.dead);
  };
  auto wait_update = [&](int64_t id, const std::string& why) {
    OutboxUpdate u;
    u.id = id;
    u.state = OutboxState::kPending;
    u.count_attempt = false;
    u.not_before_ms = now + options_.wait_for_reference.count();
    u.error = why;
    updates.push_back(std::move(u));
    ++delta.retried;
  };

  for (size_t i = 0; i < items.size(); ++i) {
    const OutboxItem& item = items[i];
    const Plan& p = plan[i];
    const int attempts = item.entry.attempts + 1;
    OutboxUpdate u;
    u.id = item.entry.id;
    switch (p.route) {
      case Plan::Route::kWait:
        wait_update(u.id, "waiting for the action it refers to");
        continue;
      case Plan::Route::kDone:
        u.state = OutboxState::kDone;
        u.count_attempt = false;
        u.result = p.record_id;
        report(item, true, p.record_id, "", item.entry.attempts);
        break;
      case Plan::Route::kDead:
        u.state = OutboxState::kDead;
        u.count_attempt = false;
        u.error = p.error;
        report(item, false, "", p.error, item.entry.attempts);
        break;
      case Plan::Route::kAliasInBatch: {
        const ActionOutcome& o = outcomes[plan[in_batch[p.target]].send_index];
        if (o.kind == ActionOutcome::Kind::kDone) {
          u.state = OutboxState::kDone;
          u.count_attempt = false;
          u.result = o.record_id;
          report(item, true, o.record_id, "", item.entry.attempts);
        } else if (o.kind == ActionOutcome::Kind::kFailed) {
          u.state = OutboxState::kDead;
          u.count_attempt = false;
          u.error = "merged into " + outbox_->KeyFor(p.target) + ", which failed: " + o.error;
          report(item, false, "", u.error, item.entry.attempts);
        } else {
          wait_update(u.id, "waiting for the action it was merged into");
          continue;
        }
        break;
      }
      case Plan::Route::kHost:
        if (host_delivered[i]) {
          u.state = OutboxState::kDone;
          report(item, true, "", "", attempts);
        } else {
          u.state = OutboxState::kPending;
          u.error = "the host did not take the action";
          u.not_before_ms = now + BackoffMs(attempts);
          ++delta.retried;
        }
        break;
      case Plan::Route::kSend: {
        const ActionOutcome& o = outcomes[p.send_index];
        switch (o.kind) {
          case ActionOutcome::Kind::kDone:
            u.state = OutboxState::kDone;
            u.result = o.record_id;
            report(item, true, o.record_id, "", attempts);
            written.emplace_back(p.send_index, o.record_id);
            break;
          case ActionOutcome::Kind::kFailed:
            u.state = OutboxState::kDead;
            u.error = o.error;
            report(item, false, "", o.error, attempts);
            break;
          case ActionOutcome::Kind::kHold: {
            u.state = OutboxState::kPending;
            u.count_attempt = false;
            const int64_t until =
                o.retry_at ? std::max(ToMs(*o.retry_at), now + 1)
                           : now + options_.hold_default.count();
            // The hold itself (held_until) stops sending; the entry stays due, so that
            // ResumeNow or a restart sends it at once.
            u.not_before_ms = now;
            u.error = o.error;
            hold_until = std::max(hold_until, until);
            ++delta.held;
            break;
          }
          case ActionOutcome::Kind::kRetry:
          case ActionOutcome::Kind::kUnknown:
            u.maybe_sent = o.kind == ActionOutcome::Kind::kUnknown;
            if (attempts >= options_.max_attempts) {
              u.state = OutboxState::kDead;
              u.error = "gave up after " + std::to_string(attempts) + " attempts" +
                        (u.maybe_sent || item.entry.maybe_sent
                             ? " (the last outcome is unknown: check whether the record exists)"
                             : "") +
                        ": " + o.error;
              report(item, false, "", u.error, attempts);
            } else {
              u.state = OutboxState::kPending;
              u.error = o.error;
              int64_t due = now + BackoffMs(attempts);
              if (o.retry_at) due = std::max(due, ToMs(*o.retry_at));
              u.not_before_ms = due;
              ++delta.retried;
            }
            break;
        }
        break;
      }
    }
    updates.push_back(std::move(u));
  }
  if (hold_until > 0) {
    int64_t cur = hold_until_ms_.load();
    while (cur < hold_until && !hold_until_ms_.compare_exchange_weak(cur, hold_until)) {
    }
  }

  // Record, then report: a report is never taken back. A failed write is tried a few times;
  // if it still fails the entries stay in flight until the next Start recovers them.
  for (int attempt = 0;; ++attempt) {
    s = outbox_->Finish(updates);
    if (s.ok() || attempt == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50 << attempt));
  }
  if (!s.ok()) return s;
  if (callbacks_.on_written) {
    // References within the batch become the Ids its writes got.
    std::unordered_map<int64_t, std::string> written_ids;
    for (const auto& [index, record_id] : written) written_ids[batch[index].id] = record_id;
    for (const auto& [index, record_id] : written) {
      OutboundAction a = batch[index];
      for (OutboundField& f : a.fields) {
        auto it = f.kind == OutboundField::Kind::kRef ? written_ids.find(f.ref) : written_ids.end();
        if (it == written_ids.end()) continue;
        f.kind = OutboundField::Kind::kValue;
        f.text = it->second;
      }
      try {
        callbacks_.on_written(a, record_id);
      } catch (...) {
      }
    }
  }
  if (callbacks_.on_outcome) {
    for (const ActionReport& r : reports) {
      try {
        callbacks_.on_outcome(r);
      } catch (...) {
      }
    }
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++stats_.rounds;
    stats_.done += delta.done;
    stats_.dead += delta.dead;
    stats_.retried += delta.retried;
    stats_.held += delta.held;
  }
  if (finished != nullptr) *finished = updates.size();
  return Status::Ok();
}

bool Dispatcher::WaitIdle(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    int64_t pending = 0, in_flight = 0;
    if (outbox_->Count(OutboxState::kPending, &pending).ok() &&
        outbox_->Count(OutboxState::kInFlight, &in_flight).ok() && pending == 0 &&
        in_flight == 0) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

namespace {

// Copies one slot of `from` (same layout as the builder's) into the builder.
void CopySlot(const Record& from, const Slot& slot, RecordBuilder* b) {
  if (from.IsNull(slot)) return;
  switch (slot.kind) {
    case StorageKind::kBool: b->SetBool(slot, from.GetBool(slot)); break;
    case StorageKind::kNumber: b->SetNumber(slot, from.GetNumber(slot)); break;
    case StorageKind::kString: b->SetString(slot, from.GetString(slot)); break;
    case StorageKind::kPicklist: b->SetPicklist(slot, from.GetPicklistText(slot)); break;
    case StorageKind::kId: b->SetId(slot, from.GetId(slot)); break;
    case StorageKind::kDate: b->SetDate(slot, from.GetDate(slot)); break;
    case StorageKind::kDateTime: b->SetDateTime(slot, from.GetDateTime(slot)); break;
    case StorageKind::kTime: b->SetTime(slot, from.GetTime(slot)); break;
    case StorageKind::kNone: break;
  }
}

}  // namespace

Status WriteThrough(PersistentRecordSink& sink, const OutboundAction& action,
                    const std::string& record_id) {
  if (!IsSalesforceAction(action.kind)) return Status::Ok();
  const int object = sink.schema().IndexOf(action.object);
  std::optional<SfId> id = SfId::Parse(record_id);
  if (object < 0 || !id) return Status::Ok();
  std::shared_ptr<const RecordLayout> layout = sink.layout(object);
  if (!layout || layout->id_slot() == nullptr) return Status::Ok();
  RecordSnapshotPtr snapshot = sink.Snapshot();
  const Record* cached = snapshot->Find(object, *id);
  if (action.kind == ActionKind::kUpdate && cached == nullptr) return Status::Ok();
  RecordBuilder b(layout);
  if (cached != nullptr && &cached->layout() == layout.get()) {
    for (const Slot& slot : layout->slots()) CopySlot(*cached, slot, &b);
  }
  b.SetId(*layout->id_slot(), *id);
  for (const OutboundField& f : action.fields) {
    const Slot* slot = layout->SlotForField(f.name);
    if (slot == nullptr || slot == layout->id_slot()) continue;
    if (f.kind == OutboundField::Kind::kNull) {
      b.SetNull(*slot);
    } else if (f.kind == OutboundField::Kind::kValue) {
      b.SetFromText(*slot, f.text);
    }  // kRef: resolved to kValue by the dispatcher before sending
  }
  SyncBatch batch;
  batch.object_index = object;
  batch.upserts.push_back(b.Finish());
  return sink.Apply(batch);
}

}  // namespace cf::engine
