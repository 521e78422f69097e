#include "engine/sqlite_state_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <initializer_list>
#include <string_view>
#include <thread>
#include <utility>

namespace cf::engine {
namespace {

// PRAGMA application_id of our files: "CFST". A file with another non-zero id is not ours.
constexpr int32_t kApplicationId = 0x43465354;

// kMigrations[v] brings a file from state schema v to v + 1. Append only; never edit a
// released step. The outbox will be the next step.
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

}  // namespace cf::engine
