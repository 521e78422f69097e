#include "engine/sqlite_state_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <thread>
#include <utility>

namespace cf::engine {
namespace {

// The columns ReadEntry reads, in its order.
#define CF_OUTBOX_COLUMNS                                                                     \
  "o.id, o.grp, o.lane, o.merge_key, o.alias_of, o.state, o.attempts, o.maybe_sent, "         \
  "o.not_before, o.accepted, o.updated, o.body, o.result, o.error"

// PRAGMA application_id of our files: "CFST". A file with another non-zero id is not ours.
constexpr int32_t kApplicationId = 0x43465354;

// kMigrations[v] brings a file from state schema v to v + 1. Append only; never edit a
// released step.
const char* const kMigrations[] = {
    // 0 -> 1: values and cached records.
    "CREATE TABLE kv("
    "  ns TEXT NOT NULL,"
    "  key TEXT NOT NULL,"
    "  value BLOB NOT NULL,"
    "  PRIMARY KEY(ns, key));"
    "CREATE TABLE records("
    "  object TEXT NOT NULL COLLATE NOCASE,"
    "  id TEXT NOT NULL,"
    "  body BLOB NOT NULL,"
    "  PRIMARY KEY(object, id));",
    // 1 -> 2: the outbox of durable actions (engine/outbox.h). outbox_seq hands out ids that
    // are never reused, even after entries are purged.
    "CREATE TABLE outbox_seq(next INTEGER NOT NULL);"
    "INSERT INTO outbox_seq VALUES(1);"
    "CREATE TABLE outbox("
    "  id INTEGER PRIMARY KEY,"
    "  grp INTEGER NOT NULL,"
    "  lane TEXT NOT NULL,"
    "  merge_key TEXT NOT NULL,"
    "  alias_of INTEGER NOT NULL,"
    "  state INTEGER NOT NULL,"
    "  attempts INTEGER NOT NULL,"
    "  maybe_sent INTEGER NOT NULL,"
    "  not_before INTEGER NOT NULL,"
    "  accepted INTEGER NOT NULL,"
    "  updated INTEGER NOT NULL,"
    "  body BLOB NOT NULL,"
    "  result BLOB NOT NULL,"
    "  error TEXT NOT NULL);"
    "CREATE INDEX outbox_by_state ON outbox(state, id);"
    "CREATE INDEX outbox_by_lane ON outbox(lane, id);"
    "CREATE INDEX outbox_by_merge_key ON outbox(merge_key, id) WHERE merge_key <> '';",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == SqliteStateStore::kSchemaVersion);

const char* const kStmtSql[] = {
    "BEGIN IMMEDIATE",  // take the write lock up front: no lock upgrade can fail mid-batch
    "COMMIT",
    "ROLLBACK",
    "SELECT value FROM kv WHERE ns = ?1 AND key = ?2",
    "INSERT OR REPLACE INTO kv(ns, key, value) VALUES(?1, ?2, ?3)",
    "DELETE FROM kv WHERE ns = ?1 AND key = ?2",
    "INSERT OR REPLACE INTO records(object, id, body) VALUES(?1, ?2, ?3)",
    "DELETE FROM records WHERE object = ?1 AND id = ?2",
    "SELECT id, body FROM records WHERE object = ?1 ORDER BY id",
    "SELECT COUNT(*) FROM records WHERE object = ?1",
    "DELETE FROM records WHERE object = ?1",
    // Outbox.
    "SELECT next FROM outbox_seq",
    "UPDATE outbox_seq SET next = ?1",
    "SELECT id, lane FROM outbox WHERE merge_key = ?1 AND alias_of = 0 AND state <> 3 AND "
    "(state <> 2 OR updated >= ?2) ORDER BY id LIMIT 1",
    "INSERT INTO outbox(id, grp, lane, merge_key, alias_of, state, attempts, maybe_sent, "
    "not_before, accepted, updated, body, result, error) "
    "VALUES(?1, ?2, ?3, ?4, ?5, 0, 0, 0, 0, ?6, ?6, ?7, '', '')",
    "SELECT " CF_OUTBOX_COLUMNS " FROM outbox o WHERE o.state = 0 AND o.not_before <= ?1 "
    "AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.lane = o.lane AND p.id < o.id AND "
    "(p.state = 1 OR (p.state = 0 AND p.not_before > ?1))) ORDER BY o.id LIMIT ?2",
    "UPDATE outbox SET state = 1, updated = ?2 WHERE id = ?1",
    "UPDATE outbox SET state = ?2, attempts = attempts + ?3, maybe_sent = CASE WHEN ?2 = 2 "
    "THEN 0 ELSE (maybe_sent OR ?4) END, not_before = ?5, result = ?6, error = ?7, "
    "updated = ?8 WHERE id = ?1 AND state = 1",
    "UPDATE outbox SET state = 0, maybe_sent = 1, updated = ?1 WHERE state = 1",
    "SELECT " CF_OUTBOX_COLUMNS " FROM outbox o WHERE o.id = ?1",
    "SELECT " CF_OUTBOX_COLUMNS " FROM outbox o WHERE o.state = ?1 AND o.id > ?2 ORDER BY o.id "
    "LIMIT ?3",
    "SELECT COUNT(*) FROM outbox WHERE state = ?1",
    "UPDATE outbox SET state = 0, attempts = 0, not_before = ?3, error = '', updated = ?3 "
    "WHERE state = 3 AND lane = ?2 AND id >= ?1",
    "DELETE FROM outbox WHERE state = 2 AND updated < ?1",
};

// Resets a statement when a call is done with it, whatever the outcome.
class StmtGuard {
 public:
  explicit StmtGuard(sqlite3_stmt* s) : s_(s) {}
  ~StmtGuard() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
  }
  StmtGuard(const StmtGuard&) = delete;
  StmtGuard& operator=(const StmtGuard&) = delete;

 private:
  sqlite3_stmt* s_;
};

// Binds text or bytes; never binds NULL for an empty value (the columns are NOT NULL).
int BindText(sqlite3_stmt* s, int i, std::string_view v) {
  return sqlite3_bind_text64(s, i, v.empty() ? "" : v.data(), v.size(), SQLITE_STATIC,
                             SQLITE_UTF8);
}
int BindBlob(sqlite3_stmt* s, int i, std::string_view v) {
  return sqlite3_bind_blob64(s, i, v.empty() ? "" : v.data(), v.size(), SQLITE_STATIC);
}
std::string_view Column(sqlite3_stmt* s, int i) {
  const void* p = sqlite3_column_blob(s, i);
  int n = sqlite3_column_bytes(s, i);
  return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), n);
}

// One row of CF_OUTBOX_COLUMNS.
OutboxEntry ReadEntry(sqlite3_stmt* s) {
  OutboxEntry e;
  e.id = sqlite3_column_int64(s, 0);
  e.group = sqlite3_column_int64(s, 1);
  e.lane = std::string(Column(s, 2));
  e.merge_key = std::string(Column(s, 3));
  e.alias_of = sqlite3_column_int64(s, 4);
  const int64_t state = sqlite3_column_int64(s, 5);
  e.state = state >= 0 && state <= 3 ? static_cast<OutboxState>(state) : OutboxState::kDead;
  e.attempts = static_cast<int32_t>(sqlite3_column_int64(s, 6));
  e.maybe_sent = sqlite3_column_int64(s, 7) != 0;
  e.not_before_ms = sqlite3_column_int64(s, 8);
  e.accepted_ms = sqlite3_column_int64(s, 9);
  e.updated_ms = sqlite3_column_int64(s, 10);
  e.body = std::string(Column(s, 11));
  e.result = std::string(Column(s, 12));
  e.error = std::string(Column(s, 13));
  return e;
}

}  // namespace

SqliteStateStore::SqliteStateStore(std::string path) : path_(std::move(path)) {}

SqliteStateStore::~SqliteStateStore() {
  for (sqlite3_stmt*& s : stmts_) {
    sqlite3_finalize(s);  // no-op on nullptr
    s = nullptr;
  }
  sqlite3_close_v2(db_);  // no-op on nullptr
}

std::string SqliteStateStore::Describe() const { return "state file " + path_; }

Status SqliteStateStore::Error(int rc, const char* what) const {
  const std::string msg = db_ != nullptr ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
  const std::string file = "state file " + path_;
  switch (rc & 0xFF) {
    case SQLITE_NOTADB:
      return Status::Corruption(file + " is not a database (" + msg +
                                "): move it away or point state_path elsewhere");
    case SQLITE_CORRUPT:
      return Status::Corruption(file + " is damaged (" + msg + ") while " + what +
                                ": restore it from a backup, or move it away (the records are "
                                "then loaded again from Salesforce and the connection must be "
                                "set up again)");
    case SQLITE_READONLY:
      return Status::IoError(file + " is read-only (" + msg + ") while " + what +
                             ": make the file and its directory writable by this process or "
                             "point state_path elsewhere");
    case SQLITE_CANTOPEN:
      return Status::IoError("cannot open " + file + " (" + msg + ") while " + what +
                             ": check that the file and its directory exist and are readable "
                             "and writable by this process, or point state_path elsewhere");
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(file + " is locked by another connection (" + msg + ") while " +
                          what + ": retry later; if this persists, check which other process "
                          "has the file open");
    case SQLITE_FULL:
      return Status::IoError("the disk holding " + file + " is full (" + msg + ") while " +
                             what + ": free some space");
    case SQLITE_IOERR:
      return Status::IoError("I/O error on " + file + " (" + msg + ") while " + what +
                             ": check the disk and the file system");
    case SQLITE_TOOBIG:
      return Status::InvalidArgument("a value is too large for " + file + " (" + msg +
                                     ") while " + what);
    default:
      return Status::IoError(file + ": " + what + " failed (" + msg + ")");
  }
}

Status SqliteStateStore::Open(const std::string& path, const Options& options,
                              std::unique_ptr<SqliteStateStore>* out) {
  if (path.empty()) {
    return Status::InvalidArgument("the state file path is empty: set state_path");
  }
  // Create the file ourselves so that it gets 0600 from the start (SQLite would use 0644).
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
    if (fd < 0 && errno != EEXIST) {  // EEXIST: another process created it just now
      const int err = errno;
      std::string reason = std::strerror(err);
      if (err == ENOENT || err == ENOTDIR) {
        return Status::IoError("cannot create state file " + path + " (" + reason +
                               "): its directory does not exist; create it or point "
                               "state_path elsewhere");
      }
      if (err == EACCES || err == EPERM || err == EROFS) {
        return Status::IoError("cannot create state file " + path + " (" + reason +
                               "): the directory is not writable by this process; make it "
                               "writable or point state_path elsewhere");
      }
      return Status::IoError("cannot create state file " + path + " (" + reason +
                             "): point state_path elsewhere");
    }
    if (fd >= 0) ::close(fd);
  } else if (S_ISDIR(st.st_mode)) {
    return Status::IoError("state file " + path +
                           " is a directory: point state_path at a file name inside it");
  }

  std::unique_ptr<SqliteStateStore> store(new SqliteStateStore(path));
  // No SQLITE_OPEN_CREATE: the file exists now. NOMUTEX: this class serialises use itself.
  int rc = sqlite3_open_v2(path.c_str(), &store->db_,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) return store->Error(rc, "opening it");
  sqlite3_extended_result_codes(store->db_, 1);
  // SQLite silently opens a write-protected file read-only; the store must write.
  if (sqlite3_db_readonly(store->db_, "main") == 1) {
    return Status::IoError("state file " + path +
                           " is read-only: make it writable by this process or point "
                           "state_path elsewhere");
  }
  Status s = store->Init(options);
  if (!s.ok()) return s;
  *out = std::move(store);
  return Status::Ok();
}

Status SqliteStateStore::Init(const Options& options) {
  sqlite3_busy_timeout(db_, options.busy_timeout_ms);
  // The first read of the file: a file that is not a database fails here.
  int rc = sqlite3_exec(db_, "SELECT COUNT(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "reading it");

  // Switching to WAL needs a moment of exclusive access; another process opening the file at
  // the same time can make that busy without the busy handler being consulted, so retry.
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(options.busy_timeout_ms);
  std::string mode;
  for (;;) {
    sqlite3_stmt* stmt = nullptr;
    rc = sqlite3_prepare_v2(db_, "PRAGMA journal_mode=WAL", -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        mode = reinterpret_cast<const char*>(sqlite3_column_text(stmt, 0));
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    if ((rc & 0xFF) != SQLITE_BUSY || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (rc != SQLITE_OK) return Error(rc, "switching it to WAL mode");
  if (mode != "wal") {
    return Status::IoError("state file " + path_ + " cannot use write-ahead logging (journal "
                           "mode stays \"" + mode + "\"): put it on a local file system");
  }
  rc = sqlite3_exec(db_, options.synchronous_full ? "PRAGMA synchronous=FULL"
                                                  : "PRAGMA synchronous=NORMAL",
                    nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "setting synchronous");
  Status s = Migrate();
  if (!s.ok()) return s;
  return Prepare();
}

// Runs under BEGIN IMMEDIATE, so two processes opening a new file at once migrate it once.
Status SqliteStateStore::Migrate() {
  int rc = sqlite3_exec(db_, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return Error(rc, "starting the schema check");
  auto fail = [this](Status s) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    return s;
  };
  // One integer from a query; -1 on error (rc set).
  auto query_int = [this, &rc](const char* sql) -> int64_t {
    sqlite3_stmt* stmt = nullptr;
    int64_t v = -1;
    rc = sqlite3_prepare_v2(db_, sql, -1, &stmt, nullptr);
    if (rc == SQLITE_OK) {
      rc = sqlite3_step(stmt);
      if (rc == SQLITE_ROW) {
        v = sqlite3_column_int64(stmt, 0);
        rc = SQLITE_OK;
      } else if (rc == SQLITE_DONE) {
        v = 0;  // no row
        rc = SQLITE_OK;
      }
    }
    sqlite3_finalize(stmt);
    return v;
  };

  const int64_t app_id = query_int("PRAGMA application_id");
  if (rc != SQLITE_OK) return fail(Error(rc, "reading its application id"));
  const int64_t has_version_table = query_int(
      "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'cf_schema_version'");
  if (rc != SQLITE_OK) return fail(Error(rc, "reading its tables"));
  const int64_t tables = query_int("SELECT COUNT(*) FROM sqlite_master");
  if (rc != SQLITE_OK) return fail(Error(rc, "reading its tables"));
  if ((app_id != 0 && app_id != kApplicationId) || (has_version_table == 0 && tables > 0)) {
    return fail(Status::Corruption("state file " + path_ +
                                   " is a database of another application: move it away or "
                                   "point state_path elsewhere"));
  }

  int64_t version = 0;
  if (has_version_table != 0) {
    version = query_int("SELECT MAX(version) FROM cf_schema_version");
    if (rc != SQLITE_OK) return fail(Error(rc, "reading its schema version"));
  } else {
    rc = sqlite3_exec(db_, "CREATE TABLE cf_schema_version(version INTEGER NOT NULL)", nullptr,
                      nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(Error(rc, "creating its schema version table"));
  }
  if (version > kSchemaVersion) {
    return fail(Status::NotSupported(
        "state file " + path_ + " was written by a newer version of the plugin (state schema " +
        std::to_string(version) + ", this version understands up to " +
        std::to_string(kSchemaVersion) + "): upgrade the plugin, or point state_path elsewhere"));
  }
  for (int64_t v = version; v < kSchemaVersion; ++v) {
    rc = sqlite3_exec(db_, kMigrations[v], nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(Error(rc, "migrating its schema"));
  }
  if (version < kSchemaVersion) {
    const std::string sql = "DELETE FROM cf_schema_version; INSERT INTO cf_schema_version "
                            "VALUES(" + std::to_string(kSchemaVersion) + "); PRAGMA "
                            "application_id = " + std::to_string(kApplicationId) + ";";
    rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
    if (rc != SQLITE_OK) return fail(Error(rc, "recording its schema version"));
  }
  rc = sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return fail(Error(rc, "committing its schema"));
  return Status::Ok();
}

Status SqliteStateStore::Prepare() {
  for (int i = 0; i < kStmtCount; ++i) {
    int rc = sqlite3_prepare_v3(db_, kStmtSql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts_[i],
                                nullptr);
    if (rc != SQLITE_OK) return Error(rc, "preparing its statements");
  }
  return Status::Ok();
}

namespace {
Status RequireNonEmpty(std::string_view ns, std::string_view key) {
  if (ns.empty() || key.empty()) {
    return Status::InvalidArgument("a state value needs a non-empty namespace and key");
  }
  return Status::Ok();
}
}  // namespace

Status SqliteStateStore::Get(std::string_view ns, std::string_view key,
                             std::optional<std::string>* value) {
  Status s = RequireNonEmpty(ns, key);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = stmts_[kGetValue];
  StmtGuard guard(stmt);
  BindText(stmt, 1, ns);
  BindText(stmt, 2, key);
  int rc = sqlite3_step(stmt);
  if (rc == SQLITE_ROW) {
    *value = std::string(Column(stmt, 0));
    return Status::Ok();
  }
  if (rc == SQLITE_DONE) {
    value->reset();
    return Status::Ok();
  }
  return Error(rc, "reading a value");
}

Status SqliteStateStore::Put(std::string_view ns, std::string_view key, std::string_view value) {
  Status s = RequireNonEmpty(ns, key);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = stmts_[kPutValue];
  StmtGuard guard(stmt);
  BindText(stmt, 1, ns);
  BindText(stmt, 2, key);
  BindBlob(stmt, 3, value);
  int rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? Status::Ok() : Error(rc, "writing a value");
}

Status SqliteStateStore::Delete(std::string_view ns, std::string_view key) {
  Status s = RequireNonEmpty(ns, key);
  if (!s.ok()) return s;
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = stmts_[kDeleteValue];
  StmtGuard guard(stmt);
  BindText(stmt, 1, ns);
  BindText(stmt, 2, key);
  int rc = sqlite3_step(stmt);
  return rc == SQLITE_DONE ? Status::Ok() : Error(rc, "deleting a value");
}

Status SqliteStateStore::ApplyRecordBatch(const RecordBatch& batch) {
  if (batch.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  int rc;
  {
    StmtGuard guard(stmts_[kBegin]);
    rc = sqlite3_step(stmts_[kBegin]);
  }
  if (rc != SQLITE_DONE) return Error(rc, "starting a batch");
  Status s = ApplyLocked(batch);
  if (s.ok()) {
    StmtGuard guard(stmts_[kCommit]);
    rc = sqlite3_step(stmts_[kCommit]);
    if (rc != SQLITE_DONE) s = Error(rc, "committing a batch");
  }
  // SQLite rolls back by itself after some errors (disk full, I/O); roll back the rest.
  if (!s.ok() && sqlite3_get_autocommit(db_) == 0) {
    StmtGuard guard(stmts_[kRollback]);
    sqlite3_step(stmts_[kRollback]);
  }
  return s;
}

// Checks each entry as it goes: a bad entry late in a batch rolls back the writes before it.
Status SqliteStateStore::ApplyLocked(const RecordBatch& batch) {
  auto step = [this](Stmt which, const char* what,
                     std::initializer_list<std::pair<std::string_view, bool>> args) {
    sqlite3_stmt* stmt = stmts_[which];
    StmtGuard guard(stmt);
    int i = 1;
    for (const auto& [v, blob] : args) {
      if (blob) {
        BindBlob(stmt, i++, v);
      } else {
        BindText(stmt, i++, v);
      }
    }
    int rc = sqlite3_step(stmt);
    return rc == SQLITE_DONE ? Status::Ok() : Error(rc, what);
  };
  for (const std::string& object : batch.clear_objects) {
    if (object.empty()) return Status::InvalidArgument("a batch clears an unnamed object");
    Status s = step(kClearObject, "clearing an object", {{object, false}});
    if (!s.ok()) return s;
  }
  for (const StoredRecordKey& k : batch.deletes) {
    if (k.object.empty() || k.id.empty()) {
      return Status::InvalidArgument("a batch deletes a record without an object or Id");
    }
    Status s = step(kDeleteRecord, "deleting a record", {{k.object, false}, {k.id, false}});
    if (!s.ok()) return s;
  }
  for (const StoredRecord& r : batch.upserts) {
    if (r.object.empty() || r.id.empty()) {
      return Status::InvalidArgument("a batch writes a record without an object or Id");
    }
    Status s = step(kUpsertRecord, "writing a record",
                    {{r.object, false}, {r.id, false}, {r.bytes, true}});
    if (!s.ok()) return s;
  }
  for (const ValueWrite& v : batch.values) {
    Status s = RequireNonEmpty(v.ns, v.key);
    if (!s.ok()) return s;
    s = v.value ? step(kPutValue, "writing a value", {{v.ns, false}, {v.key, false},
                                                       {*v.value, true}})
                : step(kDeleteValue, "deleting a value", {{v.ns, false}, {v.key, false}});
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

Status SqliteStateStore::ScanRecords(std::string_view object, const RecordVisitor& visit) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = stmts_[kScanRecords];
  StmtGuard guard(stmt);
  BindText(stmt, 1, object);
  for (;;) {
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(rc, "reading records");
    if (!visit(Column(stmt, 0), Column(stmt, 1))) return Status::Ok();
  }
}

Status SqliteStateStore::CountRecords(std::string_view object, int64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* stmt = stmts_[kCountRecords];
  StmtGuard guard(stmt);
  BindText(stmt, 1, object);
  int rc = sqlite3_step(stmt);
  if (rc != SQLITE_ROW) return Error(rc, "counting records");
  *count = sqlite3_column_int64(stmt, 0);
  return Status::Ok();
}

Status SqliteStateStore::DeleteObject(std::string_view object) {
  RecordBatch batch;
  batch.clear_objects.emplace_back(object);
  if (object.empty()) return Status::InvalidArgument("DeleteObject needs an object name");
  return ApplyRecordBatch(batch);
}

// ---------------------------------------------------------------------------------- outbox

template <typename F>
Status SqliteStateStore::InTransaction(const char* what, F&& body) {
  int rc;
  {
    StmtGuard guard(stmts_[kBegin]);
    rc = sqlite3_step(stmts_[kBegin]);
  }
  if (rc != SQLITE_DONE) return Error(rc, what);
  Status s = body();
  if (s.ok()) {
    StmtGuard guard(stmts_[kCommit]);
    rc = sqlite3_step(stmts_[kCommit]);
    if (rc != SQLITE_DONE) s = Error(rc, what);
  }
  if (!s.ok() && sqlite3_get_autocommit(db_) == 0) {
    StmtGuard guard(stmts_[kRollback]);
    sqlite3_step(stmts_[kRollback]);
  }
  return s;
}

Status SqliteStateStore::OutboxReserveIds(int64_t n, int64_t* first) {
  if (n <= 0) return Status::InvalidArgument("OutboxReserveIds needs a positive count");
  std::lock_guard<std::mutex> lock(mu_);
  return InTransaction("reserving outbox ids", [&]() -> Status {
    int64_t next = 0;
    {
      StmtGuard guard(stmts_[kSeqGet]);
      int rc = sqlite3_step(stmts_[kSeqGet]);
      if (rc != SQLITE_ROW) return Error(rc, "reading the outbox sequence");
      next = sqlite3_column_int64(stmts_[kSeqGet], 0);
    }
    StmtGuard guard(stmts_[kSeqSet]);
    sqlite3_bind_int64(stmts_[kSeqSet], 1, next + n);
    int rc = sqlite3_step(stmts_[kSeqSet]);
    if (rc != SQLITE_DONE) return Error(rc, "advancing the outbox sequence");
    *first = next;
    return Status::Ok();
  });
}

Status SqliteStateStore::OutboxAppend(std::vector<OutboxEntry>* entries, int64_t now_ms,
                                      int64_t merge_since_ms) {
  for (const OutboxEntry& e : *entries) {
    if (e.id <= 0 || e.lane.empty()) {
      return Status::InvalidArgument("an outbox entry needs a reserved id and a lane");
    }
  }
  if (entries->empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxEntry> out = *entries;
  Status s = InTransaction("appending to the outbox", [&]() -> Status {
    for (size_t i = 0; i < out.size(); ++i) {
      OutboxEntry& e = out[i];
      e.state = OutboxState::kPending;
      e.accepted_ms = e.updated_ms = now_ms;
      e.alias_of = 0;
      if (!e.merge_key.empty()) {
        int64_t into = 0;
        std::string into_lane;
        // An earlier entry of this append with the same key wins over nothing stored.
        for (size_t j = 0; j < i && into == 0; ++j) {
          if (out[j].merge_key == e.merge_key && out[j].alias_of == 0) {
            into = out[j].id;
            into_lane = out[j].lane;
          }
        }
        if (into == 0) {
          sqlite3_stmt* st = stmts_[kFindMerge];
          StmtGuard guard(st);
          BindText(st, 1, e.merge_key);
          sqlite3_bind_int64(st, 2, merge_since_ms);
          int rc = sqlite3_step(st);
          if (rc == SQLITE_ROW) {
            into = sqlite3_column_int64(st, 0);
            into_lane = std::string(Column(st, 1));
          } else if (rc != SQLITE_DONE) {
            return Error(rc, "looking for an outbox entry to merge into");
          }
        }
        if (into != 0) {
          e.alias_of = into;
          const std::string old_lane = e.lane;
          for (size_t j = i; j < out.size(); ++j) {
            if (out[j].lane == old_lane) out[j].lane = into_lane;
          }
        }
      }
      sqlite3_stmt* st = stmts_[kInsertEntry];
      StmtGuard guard(st);
      sqlite3_bind_int64(st, 1, e.id);
      sqlite3_bind_int64(st, 2, e.group);
      BindText(st, 3, e.lane);
      BindText(st, 4, e.merge_key);
      sqlite3_bind_int64(st, 5, e.alias_of);
      sqlite3_bind_int64(st, 6, now_ms);
      BindBlob(st, 7, e.body);
      int rc = sqlite3_step(st);
      if ((rc & 0xFF) == SQLITE_CONSTRAINT) {
        return Status::InvalidArgument("outbox entry " + std::to_string(e.id) +
                                       " is already stored: reserve new ids for new entries");
      }
      if (rc != SQLITE_DONE) return Error(rc, "appending to the outbox");
    }
    return Status::Ok();
  });
  if (s.ok()) *entries = std::move(out);
  return s;
}

Status SqliteStateStore::OutboxClaim(int64_t now_ms, size_t max,
                                     std::vector<OutboxEntry>* claimed) {
  claimed->clear();
  if (max == 0) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<OutboxEntry> got;
  Status s = InTransaction("claiming outbox entries", [&]() -> Status {
    {
      sqlite3_stmt* st = stmts_[kClaimSelect];
      StmtGuard guard(st);
      sqlite3_bind_int64(st, 1, now_ms);
      sqlite3_bind_int64(st, 2, static_cast<int64_t>(max));
      for (;;) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) return Error(rc, "reading due outbox entries");
        got.push_back(ReadEntry(st));
      }
    }
    for (OutboxEntry& e : got) {
      sqlite3_stmt* st = stmts_[kClaimMark];
      StmtGuard guard(st);
      sqlite3_bind_int64(st, 1, e.id);
      sqlite3_bind_int64(st, 2, now_ms);
      int rc = sqlite3_step(st);
      if (rc != SQLITE_DONE) return Error(rc, "claiming outbox entries");
      e.state = OutboxState::kInFlight;
      e.updated_ms = now_ms;
    }
    return Status::Ok();
  });
  if (s.ok()) *claimed = std::move(got);
  return s;
}

Status SqliteStateStore::OutboxFinish(const std::vector<OutboxUpdate>& updates, int64_t now_ms) {
  if (updates.empty()) return Status::Ok();
  std::lock_guard<std::mutex> lock(mu_);
  return InTransaction("recording outbox outcomes", [&]() -> Status {
    for (const OutboxUpdate& u : updates) {
      if (u.state == OutboxState::kInFlight) {
        return Status::InvalidArgument("an outbox outcome cannot leave an entry in flight");
      }
      sqlite3_stmt* st = stmts_[kFinish];
      StmtGuard guard(st);
      sqlite3_bind_int64(st, 1, u.id);
      sqlite3_bind_int64(st, 2, static_cast<int64_t>(u.state));
      sqlite3_bind_int64(st, 3, u.count_attempt ? 1 : 0);
      sqlite3_bind_int64(st, 4, u.maybe_sent ? 1 : 0);
      sqlite3_bind_int64(st, 5, u.not_before_ms);
      BindBlob(st, 6, u.result);
      BindText(st, 7, u.error);
      sqlite3_bind_int64(st, 8, now_ms);
      int rc = sqlite3_step(st);
      if (rc != SQLITE_DONE) return Error(rc, "recording an outbox outcome");
    }
    return Status::Ok();
  });
}

Status SqliteStateStore::OutboxRecover(int64_t now_ms, int64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = stmts_[kRecover];
  StmtGuard guard(st);
  sqlite3_bind_int64(st, 1, now_ms);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) return Error(rc, "releasing claimed outbox entries");
  *count = sqlite3_changes64(db_);
  return Status::Ok();
}

Status SqliteStateStore::OutboxGet(int64_t id, std::optional<OutboxEntry>* entry) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = stmts_[kGetEntry];
  StmtGuard guard(st);
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *entry = ReadEntry(st);
    return Status::Ok();
  }
  if (rc == SQLITE_DONE) {
    entry->reset();
    return Status::Ok();
  }
  return Error(rc, "reading an outbox entry");
}

Status SqliteStateStore::OutboxList(OutboxState state, int64_t after_id, size_t max,
                                    std::vector<OutboxEntry>* entries) {
  entries->clear();
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = stmts_[kListEntries];
  StmtGuard guard(st);
  sqlite3_bind_int64(st, 1, static_cast<int64_t>(state));
  sqlite3_bind_int64(st, 2, after_id);
  sqlite3_bind_int64(st, 3, static_cast<int64_t>(std::min<size_t>(max, INT64_MAX)));
  for (;;) {
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) return Status::Ok();
    if (rc != SQLITE_ROW) return Error(rc, "listing outbox entries");
    entries->push_back(ReadEntry(st));
  }
}

Status SqliteStateStore::OutboxCount(OutboxState state, int64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = stmts_[kCountEntries];
  StmtGuard guard(st);
  sqlite3_bind_int64(st, 1, static_cast<int64_t>(state));
  int rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) return Error(rc, "counting outbox entries");
  *count = sqlite3_column_int64(st, 0);
  return Status::Ok();
}

Status SqliteStateStore::OutboxReplay(int64_t id, int64_t now_ms, int64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  *count = 0;
  return InTransaction("replaying a dead letter", [&]() -> Status {
    std::string lane;
    {
      sqlite3_stmt* st = stmts_[kGetEntry];
      StmtGuard guard(st);
      sqlite3_bind_int64(st, 1, id);
      int rc = sqlite3_step(st);
      if (rc == SQLITE_DONE) return Status::Ok();
      if (rc != SQLITE_ROW) return Error(rc, "reading a dead letter");
      OutboxEntry e = ReadEntry(st);
      if (e.state != OutboxState::kDead) return Status::Ok();
      lane = e.lane;
    }
    sqlite3_stmt* st = stmts_[kReplay];
    StmtGuard guard(st);
    sqlite3_bind_int64(st, 1, id);
    BindText(st, 2, lane);
    sqlite3_bind_int64(st, 3, now_ms);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_DONE) return Error(rc, "replaying a dead letter");
    *count = sqlite3_changes64(db_);
    return Status::Ok();
  });
}

Status SqliteStateStore::OutboxPurgeDone(int64_t before_ms, int64_t* count) {
  std::lock_guard<std::mutex> lock(mu_);
  sqlite3_stmt* st = stmts_[kPurgeDone];
  StmtGuard guard(st);
  sqlite3_bind_int64(st, 1, before_ms);
  int rc = sqlite3_step(st);
  if (rc != SQLITE_DONE) return Error(rc, "purging done outbox entries");
  *count = sqlite3_changes64(db_);
  return Status::Ok();
}

}  // namespace cf::engine
