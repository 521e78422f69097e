// StateStore: the durable state of one Salesforce connection, behind a narrow interface.
//
// Today the implementation is one SQLite file per connection (sqlite_state_store.h). The
// interface is kept narrow (byte strings in and out, no SQL, no file names) so that a shared
// PostgreSQL store can implement it later without touching the engine (docs/state-store.md).
//
// It holds three kinds of state:
//   values   small byte strings by (namespace, key): encrypted credentials, the cached
//            describe of the org, sync cursors, settings. Namespaces are the caller's
//            (sync_sink.h names the record sink's).
//   records  encoded records (record_codec.h) by (object API name, 15-character Id).
//            Object names match ignoring ASCII case; Ids match exactly.
//   outbox   entries of durable actions (the Outbox* methods below; engine/outbox.h).
// ApplyRecordBatch changes both in one transaction: a sync cursor written with the records it
// covers means that a restart resumes exactly where the data stops.
//
// Conventions:
//   1. Every method returns a Status; nothing throws across this interface, and no input
//      crashes it. Messages name the file or server and say what to do.
//   2. Thread safety: every method may be called from many threads at once. Each call is
//      atomic; a reader sees a batch entirely or not at all.
//   3. Byte strings are copied in; callbacks see views valid only during the callback.
//   4. An implementation owns its own schema (tables, a schema-version table, migrations).
//
// The outbox (engine/outbox.h holds its meaning; this interface only stores it): entries of
// durable actions, each with an id that is never reused, a lane (entries of one lane are
// dispatched in id order), a state and an opaque body. The Outbox* methods are its storage;
// each is one transaction. An implementation without an outbox returns kNotSupported.
#ifndef CF_ENGINE_STATE_STORE_H_
#define CF_ENGINE_STATE_STORE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/status.h"

namespace cf::engine {

struct StoredRecord {
  std::string object;  // API name, e.g. "Account"
  std::string id;      // the 15-character Id (SfId::To15)
  std::string bytes;   // EncodeRecord's output; opaque to the store
};

struct StoredRecordKey {
  std::string object;
  std::string id;
};

struct ValueWrite {
  std::string ns;
  std::string key;
  std::optional<std::string> value;  // nullopt deletes the key
};

// Changes applied in one transaction, in this order: clear_objects, deletes, upserts, values.
// So an Id both deleted and upserted ends up present (a record undeleted since the delete was
// listed), and an object cleared and refilled in one batch holds exactly the new records.
// Deleting an absent record or key is not an error.
struct RecordBatch {
  std::vector<std::string> clear_objects;  // delete every record of these objects
  std::vector<StoredRecordKey> deletes;
  std::vector<StoredRecord> upserts;
  std::vector<ValueWrite> values;

  bool empty() const {
    return clear_objects.empty() && deletes.empty() && upserts.empty() && values.empty();
  }
};

// The life of an outbox entry: kPending (waiting, or due again at not_before_ms) -> kInFlight
// (claimed by a dispatcher) -> kDone, kDead (a permanent failure: a dead letter, kept until
// replayed) or kPending again (a retry). The values are stored: append only.
enum class OutboxState : uint8_t { kPending = 0, kInFlight = 1, kDone = 2, kDead = 3 };

struct OutboxEntry {
  int64_t id = 0;       // from OutboxReserveIds; unique for the life of the store
  int64_t group = 0;    // entries appended together (one event's actions) share it
  std::string lane;     // ordering key; see OutboxClaim
  // Non-empty: an entry appended while a live entry has the same key is merged into it
  // (alias_of set, lane moved; see OutboxAppend).
  std::string merge_key;
  int64_t alias_of = 0;  // the entry this one was merged into; 0 if none
  OutboxState state = OutboxState::kPending;
  int32_t attempts = 0;       // dispatch attempts that reached the connector
  bool maybe_sent = false;    // an earlier attempt may have been carried out (unknown outcome)
  int64_t not_before_ms = 0;  // kPending: not claimable before (Unix ms)
  int64_t accepted_ms = 0;
  int64_t updated_ms = 0;
  std::string body;    // the action, encoded by the outbox; opaque here
  std::string result;  // kDone: the outcome (e.g. the record's Id); opaque here
  std::string error;   // kDead: why; kPending after a failure: the last error
};

// The end of one claimed entry's attempt (OutboxFinish).
struct OutboxUpdate {
  int64_t id = 0;
  OutboxState state = OutboxState::kDone;  // kPending (retry), kDone or kDead
  bool count_attempt = true;  // attempts += 1
  bool maybe_sent = false;    // ORed into the entry's flag; kDone clears it
  int64_t not_before_ms = 0;  // kPending
  std::string result;
  std::string error;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Values. REQUIRES: ns and key non-empty (kInvalidArgument otherwise).
  // Get sets *value to the stored bytes, or to nullopt when the key is absent (still OK).
  virtual Status Get(std::string_view ns, std::string_view key,
                     std::optional<std::string>* value) = 0;
  virtual Status Put(std::string_view ns, std::string_view key, std::string_view value) = 0;
  virtual Status Delete(std::string_view ns, std::string_view key) = 0;

  // Applies the whole batch in one transaction, or nothing of it (then returns the error).
  // REQUIRES of every entry: non-empty object, id, ns and key (kInvalidArgument otherwise,
  // and nothing of the batch is applied).
  virtual Status ApplyRecordBatch(const RecordBatch& batch) = 0;

  // Calls `visit(id, bytes)` for every record of `object`, in Id order, from one consistent
  // view (batches committed meanwhile are not seen). Return false from `visit` to stop early.
  // REQUIRES: `visit` does not call this store (it may block until the scan ends).
  using RecordVisitor = std::function<bool(std::string_view id, std::string_view bytes)>;
  virtual Status ScanRecords(std::string_view object, const RecordVisitor& visit) = 0;
  virtual Status CountRecords(std::string_view object, int64_t* count) = 0;
  // Deletes every record of `object` (values are kept). Same as a batch with clear_objects.
  virtual Status DeleteObject(std::string_view object) = 0;

  // Where the state lives, for messages and logs: "state file /x/y.db". No secrets.
  virtual std::string Describe() const = 0;

  // --- Outbox storage. Every method is one transaction; all may be called from many threads.
  // `now_ms` arguments are Unix milliseconds (the caller's clock, so tests can move it).

  // Reserves `n` (> 0) consecutive entry ids; *first is the first. Ids are never handed out
  // twice, even after a crash or the entries' removal.
  virtual Status OutboxReserveIds(int64_t n, int64_t* first);
  // Appends entries (ids reserved, group, lane, body set; state kPending) in one transaction.
  // An entry with a merge_key equal to that of a stored entry that is not merged itself, not
  // kDead, and not kDone before `merge_since_ms`, is merged into it: alias_of is set to that
  // entry's id (the earliest such), and its lane, with the lane of every later entry of `entries` that had
  // the same lane, becomes that entry's lane. The stored entries (merges included) are
  // written back into *entries. kInvalidArgument for an entry without id or lane, or an id
  // already stored (nothing appended).
  virtual Status OutboxAppend(std::vector<OutboxEntry>* entries, int64_t now_ms,
                              int64_t merge_since_ms);
  // Claims up to `max` kPending entries due at `now_ms`, in id order, and marks them
  // kInFlight. An entry is claimable only when no earlier entry of its lane is kInFlight or
  // kPending and not yet due; so the entries of one lane leave in id order (several may be
  // claimed together, in order). kDone and kDead entries do not hold their lane.
  virtual Status OutboxClaim(int64_t now_ms, size_t max, std::vector<OutboxEntry>* claimed);
  // Applies the outcomes of claimed entries in one transaction. Entries not kInFlight are
  // left as they are (a replayed or recovered entry is not overwritten by a stale outcome).
  virtual Status OutboxFinish(const std::vector<OutboxUpdate>& updates, int64_t now_ms);
  // Puts every kInFlight entry back to kPending with maybe_sent set (after a crash or an
  // unclean stop, their calls may or may not have been carried out); *count of them.
  virtual Status OutboxRecover(int64_t now_ms, int64_t* count);
  // Sets *entry to the entry `id`, or nullopt.
  virtual Status OutboxGet(int64_t id, std::optional<OutboxEntry>* entry);
  // Entries in `state` with id > after_id, in id order, at most `max`.
  virtual Status OutboxList(OutboxState state, int64_t after_id, size_t max,
                            std::vector<OutboxEntry>* entries);
  virtual Status OutboxCount(OutboxState state, int64_t* count);
  // A dead letter back to kPending, due now, with its attempts reset; with it every later kDead
  // entry of the same lane (the actions that depended on it). *count of them (0: `id` is not
  // a dead letter).
  virtual Status OutboxReplay(int64_t id, int64_t now_ms, int64_t* count);
  // Removes kDone entries last updated before `before_ms`; *count of them.
  virtual Status OutboxPurgeDone(int64_t before_ms, int64_t* count);
};

inline Status StateStore::OutboxReserveIds(int64_t, int64_t*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxAppend(std::vector<OutboxEntry>*, int64_t, int64_t) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxClaim(int64_t, size_t, std::vector<OutboxEntry>*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxFinish(const std::vector<OutboxUpdate>&, int64_t) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxRecover(int64_t, int64_t*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxGet(int64_t, std::optional<OutboxEntry>*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxList(OutboxState, int64_t, size_t, std::vector<OutboxEntry>*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxCount(OutboxState, int64_t*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxReplay(int64_t, int64_t, int64_t*) {
  return Status::NotSupported(Describe() + " has no outbox");
}
inline Status StateStore::OutboxPurgeDone(int64_t, int64_t*) {
  return Status::NotSupported(Describe() + " has no outbox");
}

}  // namespace cf::engine

#endif  // CF_ENGINE_STATE_STORE_H_
