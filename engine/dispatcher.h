// Dispatcher: takes accepted actions from the Outbox and carries them out, in the background:
// Salesforce actions through a Connector, in batches; host actions through the host's
// callback. docs/outbox.md has the design and the guarantees.
//
//   Dispatcher d(outbox.get(), &connector, callbacks, {});
//   d.Start();                  // recovers entries left in flight by a crash, starts workers
//   outbox->Accept(actions);    // ...from any thread; then d.Wake()
//   d.Stop();                   // finishes and records the batch in flight; nothing is lost
//
// One round (RunOnce): claim up to batch_size due entries (lanes keep one record's actions in
// order), resolve references to earlier actions (their record Ids, or the same batch), send
// the Salesforce actions in one Connector::Write, deliver host actions, then record every
// outcome in one transaction, and only then report them (so a report is never taken back):
//   done             -> kDone; on_written (write-through), on_outcome
//   retry / unknown  -> kPending again after a backoff (unknown also sets maybe_sent, so the
//                       connector resolves it before sending again); after max_attempts a
//                       retry becomes a dead letter
//   failed           -> kDead (a dead letter, with Salesforce's error): on_outcome
//   hold             -> kPending, not counted as an attempt; the whole dispatcher holds
//                       (sends nothing) until retry_at or ResumeNow (a new process starts
//                       unheld: its first call meets the limit again and holds again)
// An action that depends on a dead letter becomes a dead letter too (replaying the first one
// replays it).
//
// Thread safety: Start, Stop, Wake, RunOnce and the accessors may be called from any thread.
// Callbacks run on a worker thread, one round at a time per worker; they must not call Stop.
// With workers > 1, rounds run in parallel on disjoint lanes. Nothing throws (a callback that
// throws counts as a failed delivery).
#ifndef CF_ENGINE_DISPATCHER_H_
#define CF_ENGINE_DISPATCHER_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "engine/connector.h"
#include "engine/outbox.h"
#include "engine/status.h"
#include "engine/sync_sink.h"

namespace cf::engine {

// What the host learns of one action that is finished (done or a dead letter).
struct ActionReport {
  int64_t id = 0;
  std::string key;  // "cf-<nonce>-<id>"
  ActionKind kind = ActionKind::kCreate;
  std::string object;
  bool ok = false;        // done; false: a dead letter
  std::string record_id;  // done Salesforce action: the record's Id
  std::string error;      // dead letter: why (Salesforce's codes and messages)
  int attempts = 0;
  int64_t merged_into = 0;  // a create merged into an earlier one (same customer): its id
};

struct DispatcherCallbacks {
  // Every finished action, after its outcome is durable. Optional.
  std::function<void(const ActionReport&)> on_outcome;
  // Host actions (route to team, add tag, set priority, notify). Return true once the host
  // has taken the action; false (or no callback) keeps it pending, retried with backoff.
  std::function<bool(const OutboundAction&)> on_host_action;
  // A Salesforce action is done and wrote `record_id`: write it through to the cache.
  // Optional.
  std::function<void(const OutboundAction&, const std::string& record_id)> on_written;
};

// Writes a done Salesforce action through to the record cache (and its store), so that the
// next events see the record at once (DispatcherCallbacks::on_written):
//  - create, log task, upsert: the record with `record_id` gets the fields the action wrote
//    (on top of the cached record when there is one; fields it did not write are null on a
//    new record until the sync brings Salesforce's copy, which replaces it);
//  - update: the fields written replace those of the cached record; a record that is not
//    cached is left to the sync (a partial copy would look whole).
// Objects the sink's schema lacks, fields its layout does not store and values that do not
// parse are skipped. Returns the sink's error (the cache is then unchanged).
Status WriteThrough(PersistentRecordSink& sink, const OutboundAction& action,
                    const std::string& record_id);

struct DispatcherOptions {
  // Entries claimed per round (the connector splits them into calls of 200). Default: 1000.
  size_t batch_size = 1000;
  // Worker threads started by Start. Default: 1.
  int workers = 1;
  // Backoff after a retryable failure: base * 2^(attempts - 1), at most max, plus up to 25%
  // jitter. Defaults: 500 ms, 5 minutes.
  std::chrono::milliseconds backoff_base{500};
  std::chrono::milliseconds backoff_max{std::chrono::minutes(5)};
  // Attempts after which a still-retryable action becomes a dead letter. Default: 20.
  int max_attempts = 20;
  // How long a hold lasts when the connector gives no time. Default: 60 s.
  std::chrono::milliseconds hold_default{std::chrono::seconds(60)};
  // How long an idle worker sleeps before looking again (Wake ends it early). Default: 200 ms.
  std::chrono::milliseconds idle_wait{200};
  // How long an entry waits when an action it refers to is still on its way elsewhere.
  // Default: 100 ms.
  std::chrono::milliseconds wait_for_reference{100};
};

class Dispatcher {
 public:
  // `outbox` and `connector` must outlive the dispatcher.
  Dispatcher(Outbox* outbox, Connector* connector, DispatcherCallbacks callbacks,
             DispatcherOptions options = {});
  ~Dispatcher();  // Stop()

  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Puts entries left in flight by an earlier process back (maybe_sent), then starts the
  // workers. Error: the store's (nothing started).
  Status Start();
  // Asks the workers to stop and waits for them: a round in progress finishes and is recorded.
  void Stop();
  // New entries were accepted: look now.
  void Wake();

  // One round on the calling thread; *finished (optional) = entries whose outcome was
  // recorded (done, dead, retried). Returns the store's error if the round could not be
  // recorded (its entries then stay in flight until Recover).
  Status RunOnce(size_t* finished = nullptr);

  // Waits until no entry is pending or in flight, or `timeout`. True when idle.
  bool WaitIdle(std::chrono::milliseconds timeout);

  // Until when the dispatcher holds (API budget or limit); epoch 0 when not holding.
  std::chrono::system_clock::time_point held_until() const;
  // Ends a hold now (e.g. the host raised the budget).
  void ResumeNow();

  struct Stats {
    uint64_t rounds = 0;
    uint64_t done = 0;
    uint64_t dead = 0;
    uint64_t retried = 0;  // retry, unknown, waiting for a reference
    uint64_t held = 0;     // entries put back by a hold
  };
  Stats stats() const;

 private:
  void Worker();
  int64_t BackoffMs(int attempts) const;

  Outbox* const outbox_;
  Connector* const connector_;
  const DispatcherCallbacks callbacks_;
  const DispatcherOptions options_;

  mutable std::mutex mu_;  // guards stop_, wakes_, workers_, stats_
  std::condition_variable cv_;
  bool stop_ = false;
  uint64_t wakes_ = 0;
  std::vector<std::thread> workers_;
  Stats stats_;
  std::atomic<int64_t> hold_until_ms_{0};
};

}  // namespace cf::engine

#endif  // CF_ENGINE_DISPATCHER_H_
