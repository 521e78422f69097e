// StateStore: the durable state of one Salesforce connection, behind a narrow interface.
//
// Today the implementation is one SQLite file per connection (sqlite_state_store.h). The
// interface is kept narrow (byte strings in and out, no SQL, no file names) so that a shared
// PostgreSQL store can implement it later without touching the engine (docs/state-store.md).
//
// It holds two kinds of state:
//   values   small byte strings by (namespace, key): encrypted credentials, the cached
//            describe of the org, sync cursors, settings. Namespaces are the caller's
//            (sync_sink.h names the record sink's).
//   records  encoded records (record_codec.h) by (object API name, 15-character Id).
//            Object names match ignoring ASCII case; Ids match exactly.
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
//      Later state (the outbox of durable actions) will come as new tables of a new schema
//      version with its own methods; nothing here needs to change for it.
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
};

}  // namespace cf::engine

#endif  // CF_ENGINE_STATE_STORE_H_
