// SqliteStateStore: the embedded StateStore, one SQLite file per connection.
//
//   std::unique_ptr<SqliteStateStore> store;
//   Status s = SqliteStateStore::Open("/var/lib/connectflo/sf-acme.db", {}, &store);
//   if (!s.ok()) report(s.message());   // says what is wrong with the file and what to do
//
// The file is created with permissions 0600 (it holds encrypted credentials); SQLite gives its
// -wal and -shm files the same permissions. Journal mode WAL (readers do not block the
// writer), a busy timeout, synchronous=FULL (see Options), a schema-version table with
// migrations run at Open, prepared statements, every batch in one transaction.
//
// Several stores (in this process or others) may open the same file: SQLite's file locks
// serialise writers; a writer waits up to busy_timeout_ms for another, then returns kBusy.
//
// Thread safety: all methods may be called from many threads; calls on one store are
// serialised by a mutex (one connection). Link target: cf::state_sqlite.
#ifndef CF_ENGINE_SQLITE_STATE_STORE_H_
#define CF_ENGINE_SQLITE_STATE_STORE_H_

#include <memory>
#include <mutex>
#include <string>

#include "engine/state_store.h"

struct sqlite3;
struct sqlite3_stmt;

namespace cf::engine {

class SqliteStateStore final : public StateStore {
 public:
  // The state schema this build writes; Open migrates older files up to it and refuses files
  // from a newer build (kNotSupported).
  static constexpr int kSchemaVersion = 2;

  struct Options {
    // How long a call waits for another connection's lock before giving up with kBusy.
    // Default: 5000 ms.
    int busy_timeout_ms = 5000;
    // synchronous=FULL: a committed transaction survives a power loss, not just a process
    // crash (WAL with NORMAL may lose the last commits on power loss). The outbox of accepted
    // actions will live in this file, and an accepted action must never be lost, so FULL is
    // the default; false selects NORMAL (faster commits) for caches that can be rebuilt.
    // Default: true.
    bool synchronous_full = true;
  };

  // Opens or creates the state file at `path` (its directory must exist) and brings its
  // schema to kSchemaVersion. On success sets *out. Errors (each message names the path and
  // what to do): kIoError for a directory that is missing or not writable or a file that
  // cannot be read; kCorruption for a file that is not a database, is damaged, or belongs to
  // another application; kNotSupported for a file from a newer version; kBusy if another
  // process holds the file locked beyond the busy timeout.
  static Status Open(const std::string& path, const Options& options,
                     std::unique_ptr<SqliteStateStore>* out);
  ~SqliteStateStore() override;

  SqliteStateStore(const SqliteStateStore&) = delete;
  SqliteStateStore& operator=(const SqliteStateStore&) = delete;

  Status Get(std::string_view ns, std::string_view key,
             std::optional<std::string>* value) override;
  Status Put(std::string_view ns, std::string_view key, std::string_view value) override;
  Status Delete(std::string_view ns, std::string_view key) override;
  Status ApplyRecordBatch(const RecordBatch& batch) override;
  Status ScanRecords(std::string_view object, const RecordVisitor& visit) override;
  Status CountRecords(std::string_view object, int64_t* count) override;
  Status DeleteObject(std::string_view object) override;
  std::string Describe() const override;

  Status OutboxReserveIds(int64_t n, int64_t* first) override;
  Status OutboxAppend(std::vector<OutboxEntry>* entries, int64_t now_ms,
                      int64_t merge_since_ms) override;
  Status OutboxClaim(int64_t now_ms, size_t max, std::vector<OutboxEntry>* claimed) override;
  Status OutboxFinish(const std::vector<OutboxUpdate>& updates, int64_t now_ms) override;
  Status OutboxRecover(int64_t now_ms, int64_t* count) override;
  Status OutboxGet(int64_t id, std::optional<OutboxEntry>* entry) override;
  Status OutboxList(OutboxState state, int64_t after_id, size_t max,
                    std::vector<OutboxEntry>* entries) override;
  Status OutboxCount(OutboxState state, int64_t* count) override;
  Status OutboxReplay(int64_t id, int64_t now_ms, int64_t* count) override;
  Status OutboxPurgeDone(int64_t before_ms, int64_t* count) override;

  const std::string& path() const { return path_; }

 private:
  enum Stmt {
    kBegin, kCommit, kRollback,
    kGetValue, kPutValue, kDeleteValue,
    kUpsertRecord, kDeleteRecord, kScanRecords, kCountRecords, kClearObject,
    kSeqGet, kSeqSet, kFindMerge, kInsertEntry, kClaimSelect, kClaimMark, kFinish, kRecover,
    kGetEntry, kListEntries, kCountEntries, kReplay, kPurgeDone,
    kStmtCount,
  };
  explicit SqliteStateStore(std::string path);
  Status Init(const Options& options);
  Status Migrate();
  Status Prepare();
  // An error Status for the connection's last error, for doing `what`.
  Status Error(int rc, const char* what) const;
  Status ApplyLocked(const RecordBatch& batch);
  // Runs `body` inside BEGIN IMMEDIATE ... COMMIT under mu_ (held by the caller); rolls back
  // when it fails.
  template <typename F>
  Status InTransaction(const char* what, F&& body);

  const std::string path_;
  mutable std::mutex mu_;  // guards db_ and stmts_ (a connection is used by one thread at a time)
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmts_[kStmtCount] = {};
};

}  // namespace cf::engine

#endif  // CF_ENGINE_SQLITE_STATE_STORE_H_
