// Outbox: the durable queue of actions that rules fired, kept in the connection's StateStore.
// An action accepted here is never lost: it stays until it is done or becomes a dead letter,
// across crashes and restarts. The dispatcher (dispatcher.h) takes it from here to Salesforce
// or to the host. docs/outbox.md explains the design and its guarantees.
//
//   std::unique_ptr<Outbox> outbox;
//   Status s = Outbox::Open(store, {}, &outbox);
//   s = outbox->Accept(result.actions, &ids);   // durable when OK (before the event returns)
//   outbox->ListDeadLetters(0, 100, &items);    // what failed for good, with Salesforce's error
//   outbox->Replay(items[0].entry.id, &n);      // after fixing the cause: one call
//
// What Accept does with one evaluation's actions (EvaluationResult::actions, in order):
//  - gives each a durable id and a key "cf-<store nonce>-<id>" that connectors write into an
//    external-id field (ConnectFlo_Action_Id__c), so that sending an action twice has one
//    effect;
//  - turns references between them (a Task whose WhoId is the Lead created by the action
//    before it; an update of a record created by an earlier action) into references by id;
//  - puts each into a lane: actions on one record (one Id, one external-id value, a new record
//    and the actions that refer to it) share a lane and leave in order; other lanes are
//    independent. Host actions of one event share a lane;
//  - merges a create of a merge object (default: Lead) that carries an email or phone already
//    carried by a live create (not yet done, or done within merge_window) into that create:
//    a burst of events from one unknown customer makes one Lead. The merged action reports the
//    first one's record, and actions that refer to it refer to that record.
//
// Thread safety: every method may be called from many threads at once (the store serialises).
// Nothing throws; errors are the store's Status, or kInvalidArgument for a malformed action.
#ifndef CF_ENGINE_OUTBOX_H_
#define CF_ENGINE_OUTBOX_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "engine/connector.h"
#include "engine/evaluator.h"
#include "engine/state_store.h"
#include "engine/status.h"

namespace cf::engine {

// The StateStore namespace of the outbox's own values (the store nonce).
inline constexpr std::string_view kOutboxNamespace = "outbox";

struct OutboxOptions {
  // Objects whose creates merge by the customer's email or phone (fields named Email, Phone
  // or MobilePhone, compared as binding compares them). Default: {"Lead"}.
  std::vector<std::string> merge_objects = {"Lead"};
  // How long after a merge-keyed create is done later creates with its key still merge into
  // it (after that the cache, written through, binds the customer to the record instead).
  // Default: 10 minutes.
  std::chrono::milliseconds merge_window = std::chrono::minutes(10);
  // Unix milliseconds now. Default: the system clock. Tests move it.
  std::function<int64_t()> now_ms;
};

// A stored entry with its action decoded.
struct OutboxItem {
  OutboxEntry entry;  // body left empty (it is `action`)
  OutboundAction action;
};

class Outbox {
 public:
  // REQUIRES: store non-null and implementing the outbox (SqliteStateStore does). Reads or
  // creates the store's nonce.
  static Status Open(std::shared_ptr<StateStore> store, OutboxOptions options,
                     std::unique_ptr<Outbox>* out);

  // Accepts one evaluation's actions durably, in one transaction. On success `ids` (if given)
  // holds each action's outbox id, in order. kInvalidArgument (nothing accepted) for an action
  // that refers to an action that is not before it, an update without a record, an upsert
  // without its key value, a Salesforce action without an object.
  Status Accept(const std::vector<Action>& actions, std::vector<int64_t>* ids = nullptr);

  // Claims up to `max` due entries (marks them in flight; see StateStore::OutboxClaim). An
  // entry whose body cannot be decoded becomes a dead letter and is not returned.
  Status Claim(size_t max, std::vector<OutboxItem>* items);
  // Records the outcomes of claimed entries (one transaction).
  Status Finish(const std::vector<OutboxUpdate>& updates);
  // After a crash: entries left in flight go back to pending, marked maybe_sent.
  Status Recover(int64_t* count);

  Status Get(int64_t id, std::optional<OutboxItem>* item);
  Status List(OutboxState state, int64_t after_id, size_t max, std::vector<OutboxItem>* items);
  Status ListDeadLetters(int64_t after_id, size_t max, std::vector<OutboxItem>* items) {
    return List(OutboxState::kDead, after_id, max, items);
  }
  Status Count(OutboxState state, int64_t* count);
  // Sends a dead letter again (and the dead actions that depended on it); *count of them.
  Status Replay(int64_t id, int64_t* count);
  // Replays every dead letter; *count of them.
  Status ReplayAll(int64_t* count);
  // Forgets done entries older than `age`.
  Status PurgeDone(std::chrono::milliseconds age, int64_t* count);

  // "cf-<nonce>-<id>".
  std::string KeyFor(int64_t id) const;
  const std::string& nonce() const { return nonce_; }
  int64_t NowMs() const { return options_.now_ms(); }
  StateStore& store() const { return *store_; }

  // The body format (exposed for tests): round-trips every field of OutboundAction.
  static std::string EncodeAction(const OutboundAction& action);
  static bool DecodeAction(std::string_view bytes, OutboundAction* action);

 private:
  Outbox(std::shared_ptr<StateStore> store, OutboxOptions options, std::string nonce);
  Status Decode(OutboxEntry entry, OutboxItem* item) const;

  // Takes `n` consecutive ids from the block reserved in the store (reserving a new block of
  // at least kIdBlock when it runs out), so most Accepts cost one transaction. Ids of a block
  // left unused when the process ends are never used: gaps, never reuse.
  Status TakeIds(int64_t n, int64_t* first);
  static constexpr int64_t kIdBlock = 256;

  const std::shared_ptr<StateStore> store_;
  const OutboxOptions options_;
  const std::string nonce_;
  std::mutex ids_mu_;  // guards next_id_, end_id_
  int64_t next_id_ = 0;
  int64_t end_id_ = 0;  // one past the reserved block
};

}  // namespace cf::engine

#endif  // CF_ENGINE_OUTBOX_H_
