#include "engine/sqlite_state_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/engine/state_test_support.h"

namespace cf::engine {
namespace {

using testing::IdText;
using testing::TempDir;

std::unique_ptr<SqliteStateStore> OpenOrDie(const std::string& path,
                                            SqliteStateStore::Options options = {}) {
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(path, options, &store);
  EXPECT_TRUE(s.ok()) << s.message();
  return store;
}

bool Contains(const std::string& text, std::string_view part) {
  return text.find(part) != std::string::npos;
}

// Runs a statement on the file through a plain SQLite connection (outside the store).
void RawExec(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  EXPECT_EQ(sqlite3_exec(db, sql, nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
  sqlite3_free(err);
  sqlite3_close(db);
}

std::vector<std::pair<std::string, std::string>> Scan(StateStore& store, std::string_view object) {
  std::vector<std::pair<std::string, std::string>> rows;
  Status s = store.ScanRecords(object, [&](std::string_view id, std::string_view bytes) {
    rows.emplace_back(id, bytes);
    return true;
  });
  EXPECT_TRUE(s.ok()) << s.message();
  return rows;
}

int64_t Count(StateStore& store, std::string_view object) {
  int64_t n = -1;
  Status s = store.CountRecords(object, &n);
  EXPECT_TRUE(s.ok()) << s.message();
  return n;
}

TEST(SqliteStateStoreTest, CreatesTheFileOwnerOnlyInWalMode) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  auto store = OpenOrDie(path);
  ASSERT_NE(store, nullptr);
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_TRUE(store->Put("settings", "k", "v").ok());
  ASSERT_EQ(::stat((path + "-wal").c_str(), &st), 0);  // WAL mode: the log exists
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(store->Describe(), "state file " + path);
}

TEST(SqliteStateStoreTest, ValuesPutGetDelete) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("conn.db"));
  std::optional<std::string> v = "stale";
  ASSERT_TRUE(store->Get("vault", "token", &v).ok());
  EXPECT_FALSE(v.has_value());
  const std::string binary("\0\x01\xff secret", 10);
  ASSERT_TRUE(store->Put("vault", "token", binary).ok());
  ASSERT_TRUE(store->Put("vault", "empty", "").ok());
  ASSERT_TRUE(store->Get("vault", "token", &v).ok());
  EXPECT_EQ(v, binary);
  ASSERT_TRUE(store->Get("vault", "empty", &v).ok());
  EXPECT_EQ(v, "");
  ASSERT_TRUE(store->Get("other", "token", &v).ok());  // namespaces are separate
  EXPECT_FALSE(v.has_value());
  ASSERT_TRUE(store->Put("vault", "token", "v2").ok());
  ASSERT_TRUE(store->Get("vault", "token", &v).ok());
  EXPECT_EQ(v, "v2");
  ASSERT_TRUE(store->Delete("vault", "token").ok());
  ASSERT_TRUE(store->Delete("vault", "token").ok());  // absent: fine
  ASSERT_TRUE(store->Get("vault", "token", &v).ok());
  EXPECT_FALSE(v.has_value());
  EXPECT_EQ(store->Put("", "k", "v").code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(store->Get("ns", "", &v).code(), Status::Code::kInvalidArgument);
}

TEST(SqliteStateStoreTest, BatchUpsertsDeletesAndValuesTogether) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("conn.db"));
  RecordBatch batch;
  for (int i = 3; i >= 1; --i) batch.upserts.push_back({"Account", IdText("001", i), "a" + std::to_string(i)});
  batch.upserts.push_back({"Contact", IdText("003", 1), "c1"});
  batch.values.push_back({"sync.cursor", "Account", "cursor-1"});
  ASSERT_TRUE(store->ApplyRecordBatch(batch).ok());
  auto rows = Scan(*store, "Account");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].first, IdText("001", 1));  // Id order
  EXPECT_EQ(rows[0].second, "a1");
  EXPECT_EQ(Count(*store, "account"), 3);  // object names ignore case
  EXPECT_EQ(Count(*store, "Contact"), 1);

  RecordBatch next;
  next.deletes.push_back({"ACCOUNT", IdText("001", 2)});
  next.deletes.push_back({"Account", IdText("001", 9)});  // absent: fine
  next.deletes.push_back({"Account", IdText("001", 3)});
  next.upserts.push_back({"Account", IdText("001", 3), "a3-undeleted"});  // deletes go first
  next.upserts.push_back({"Account", IdText("001", 1), "a1-v2"});
  next.values.push_back({"sync.cursor", "Account", std::nullopt});
  ASSERT_TRUE(store->ApplyRecordBatch(next).ok());
  rows = Scan(*store, "Account");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].second, "a1-v2");
  EXPECT_EQ(rows[1].second, "a3-undeleted");
  std::optional<std::string> v;
  ASSERT_TRUE(store->Get("sync.cursor", "Account", &v).ok());
  EXPECT_FALSE(v.has_value());

  // Stopping a scan early.
  int seen = 0;
  ASSERT_TRUE(store->ScanRecords("Account", [&](std::string_view, std::string_view) {
    ++seen;
    return false;
  }).ok());
  EXPECT_EQ(seen, 1);

  ASSERT_TRUE(store->DeleteObject("Account").ok());
  EXPECT_EQ(Count(*store, "Account"), 0);
  EXPECT_EQ(Count(*store, "Contact"), 1);

  RecordBatch refill;  // clear and refill in one batch
  refill.clear_objects.push_back("Contact");
  refill.upserts.push_back({"Contact", IdText("003", 5), "c5"});
  ASSERT_TRUE(store->ApplyRecordBatch(refill).ok());
  rows = Scan(*store, "Contact");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].first, IdText("003", 5));
}

TEST(SqliteStateStoreTest, AFailingBatchLeavesNothingBehind) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("conn.db"));
  RecordBatch first;
  first.upserts.push_back({"Account", IdText("001", 1), "a1"});
  first.values.push_back({"sync.cursor", "Account", "c1"});
  ASSERT_TRUE(store->ApplyRecordBatch(first).ok());

  // Every kind of change, then a bad entry after them: the writes before it are rolled back.
  RecordBatch bad;
  bad.clear_objects.push_back("Account");
  bad.upserts.push_back({"Account", IdText("001", 2), "a2"});
  bad.upserts.push_back({"Account", "", "no id"});
  bad.values.push_back({"sync.cursor", "Account", "c2"});
  Status s = store->ApplyRecordBatch(bad);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  auto rows = Scan(*store, "Account");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second, "a1");
  std::optional<std::string> v;
  ASSERT_TRUE(store->Get("sync.cursor", "Account", &v).ok());
  EXPECT_EQ(v, "c1");

  RecordBatch bad_value;
  bad_value.upserts.push_back({"Account", IdText("001", 3), "a3"});
  bad_value.values.push_back({"", "Account", "c3"});
  EXPECT_EQ(store->ApplyRecordBatch(bad_value).code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(Count(*store, "Account"), 1);

  // The store still works after a rollback, and after reopening.
  ASSERT_TRUE(store->ApplyRecordBatch(first).ok());
  store.reset();
  store = OpenOrDie(dir.File("conn.db"));
  EXPECT_EQ(Count(*store, "Account"), 1);
}

TEST(SqliteStateStoreTest, ReopenKeepsEverything) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  {
    auto store = OpenOrDie(path);
    RecordBatch batch;
    batch.upserts.push_back({"Account", IdText("001", 1), std::string("\0bytes", 6)});
    batch.values.push_back({"sync.cursor", "Account", "2024-01-01T00:00:00Z"});
    ASSERT_TRUE(store->ApplyRecordBatch(batch).ok());
  }
  auto store = OpenOrDie(path);
  auto rows = Scan(*store, "Account");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].second, std::string("\0bytes", 6));
  std::optional<std::string> v;
  ASSERT_TRUE(store->Get("sync.cursor", "Account", &v).ok());
  EXPECT_EQ(v, "2024-01-01T00:00:00Z");
}

TEST(SqliteStateStoreTest, TwoStoresOnOneFileSeeEachOthersWrites) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  auto a = OpenOrDie(path);
  auto b = OpenOrDie(path);
  ASSERT_TRUE(a->Put("ns", "k", "from a").ok());
  std::optional<std::string> v;
  ASSERT_TRUE(b->Get("ns", "k", &v).ok());
  EXPECT_EQ(v, "from a");

  // Concurrent writers on the two connections: SQLite's locks serialise them.
  auto writer = [](StateStore* store, std::string prefix) {
    for (int i = 0; i < 50; ++i) {
      RecordBatch batch;
      batch.upserts.push_back({"Account", prefix + std::to_string(100 + i), "x"});
      batch.values.push_back({"cursor", prefix, std::to_string(i)});
      Status s = store->ApplyRecordBatch(batch);
      ASSERT_TRUE(s.ok()) << s.message();
    }
  };
  std::thread ta(writer, a.get(), "A");
  std::thread tb(writer, b.get(), "B");
  ta.join();
  tb.join();
  EXPECT_EQ(Count(*a, "Account"), 100);
  EXPECT_EQ(Count(*b, "Account"), 100);
}

TEST(SqliteStateStoreTest, TwoProcessesWriteOneFile) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  OpenOrDie(path);  // create it first
  auto write = [&](const char* prefix) {
    std::unique_ptr<SqliteStateStore> store;
    if (!SqliteStateStore::Open(path, {}, &store).ok()) return false;
    for (int i = 0; i < 100; ++i) {
      RecordBatch batch;
      batch.upserts.push_back({"Account", prefix + std::to_string(1000 + i), "x"});
      if (!store->ApplyRecordBatch(batch).ok()) return false;
    }
    return true;
  };
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(write("C") ? 0 : 1);
  EXPECT_TRUE(write("P"));
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  auto store = OpenOrDie(path);
  EXPECT_EQ(Count(*store, "Account"), 200);
}

TEST(SqliteStateStoreTest, AFileThatIsNotADatabaseIsRefusedWithAdvice) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  {
    std::ofstream f(path);
    f << "this is a text file, not a database, written by mistake\n";
    for (int i = 0; i < 200; ++i) f << "padding line " << i << '\n';
  }
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(path, {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_EQ(store, nullptr);
  EXPECT_TRUE(Contains(s.message(), "state file " + path + " is not a database")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "move it away or point state_path elsewhere")) << s.message();
}

TEST(SqliteStateStoreTest, ADamagedDatabaseIsReportedNotCrashedOn) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  {
    auto store = OpenOrDie(path);
    RecordBatch batch;
    for (int i = 0; i < 200; ++i) {
      batch.upserts.push_back({"Account", IdText("001", i), std::string(300, 'r')});
    }
    ASSERT_TRUE(store->ApplyRecordBatch(batch).ok());
  }  // closing the last connection checkpoints the WAL into the file
  {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(4096);  // keep page 1 (header and schema), overwrite every table and index page
    f << std::string(64 * 1024, '\xAA');
  }
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(path, {}, &store);
  if (s.ok()) {
    int64_t n = 0;
    s = store->CountRecords("Account", &n);
  }
  EXPECT_EQ(s.code(), Status::Code::kCorruption) << s.message();
  EXPECT_TRUE(Contains(s.message(), "state file " + path + " is damaged")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "restore it from a backup, or move it away")) << s.message();
}

TEST(SqliteStateStoreTest, ADatabaseOfAnotherApplicationIsRefused) {
  TempDir dir;
  const std::string path = dir.File("other.db");
  RawExec(path, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT)");
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(path, {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kCorruption);
  EXPECT_TRUE(Contains(s.message(), "another application")) << s.message();
  // Nothing was added to it.
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM sqlite_master", -1, &stmt, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(stmt), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(stmt, 0), 1);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
}

TEST(SqliteStateStoreTest, AFileFromANewerVersionIsRefused) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  OpenOrDie(path)->Put("ns", "k", "v");
  RawExec(path, "UPDATE cf_schema_version SET version = 99");
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(path, {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_TRUE(Contains(s.message(), "newer version of the plugin (state schema 99")) << s.message();
  EXPECT_TRUE(Contains(s.message(), "upgrade the plugin")) << s.message();
}

TEST(SqliteStateStoreTest, AMissingDirectoryIsReported) {
  TempDir dir;
  std::unique_ptr<SqliteStateStore> store;
  Status s = SqliteStateStore::Open(dir.File("no/such/dir/conn.db"), {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_TRUE(Contains(s.message(), "directory does not exist")) << s.message();
  // A parent that is a regular file.
  std::ofstream(dir.File("plain")) << "x";
  s = SqliteStateStore::Open(dir.File("plain/conn.db"), {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  s = SqliteStateStore::Open(dir.path(), {}, &store);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_TRUE(Contains(s.message(), "is a directory")) << s.message();
}

// Opens `path` as a user who may not write `dir` and returns the Status's code and message.
// As root (CI), a forked child drops to nobody (uid 65534) first, since root writes anywhere.
std::pair<Status::Code, std::string> OpenWithoutWriteAccess(const std::string& path) {
  if (::geteuid() != 0) {
    std::unique_ptr<SqliteStateStore> store;
    Status s = SqliteStateStore::Open(path, {}, &store);
    return {s.code(), s.message()};
  }
  int fds[2];
  if (::pipe(fds) != 0) return {Status::Code::kOk, "pipe failed"};
  pid_t child = ::fork();
  if (child == 0) {
    ::close(fds[0]);
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    std::unique_ptr<SqliteStateStore> store;
    Status s = SqliteStateStore::Open(path, {}, &store);
    std::string out = std::to_string(static_cast<int>(s.code())) + " " + s.message();
    ssize_t w = ::write(fds[1], out.data(), out.size());
    ::_exit(w == static_cast<ssize_t>(out.size()) ? 0 : 3);
  }
  ::close(fds[1]);
  std::string text;
  char buf[512];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof(buf))) > 0;) text.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || text.empty()) {
    return {Status::Code::kOk, "child failed"};
  }
  size_t space = text.find(' ');
  return {static_cast<Status::Code>(std::stoi(text.substr(0, space))), text.substr(space + 1)};
}

TEST(SqliteStateStoreTest, AReadOnlyDirectoryIsReported) {
  TempDir dir;
  ASSERT_EQ(::chmod(dir.path().c_str(), 0555), 0);
  auto [code, message] = OpenWithoutWriteAccess(dir.File("conn.db"));
  EXPECT_EQ(code, Status::Code::kIoError) << message;
  EXPECT_TRUE(Contains(message, "the directory is not writable by this process")) << message;
  EXPECT_TRUE(Contains(message, "point state_path elsewhere")) << message;
}

TEST(SqliteStateStoreTest, AReadOnlyFileIsReported) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  OpenOrDie(path)->Put("ns", "k", "v");
  ASSERT_EQ(::chmod(path.c_str(), 0444), 0);
  ASSERT_EQ(::chmod(dir.path().c_str(), 0777), 0);  // the directory is not the problem
  auto [code, message] = OpenWithoutWriteAccess(path);
  EXPECT_NE(code, Status::Code::kOk) << message;
  EXPECT_TRUE(Contains(message, "state file " + path)) << message;
  EXPECT_TRUE(Contains(message, "writable by this process")) << message;
}

TEST(SqliteStateStoreTest, ABusyFileTimesOutWithAdvice) {
  TempDir dir;
  const std::string path = dir.File("conn.db");
  SqliteStateStore::Options options;
  options.busy_timeout_ms = 50;
  auto store = OpenOrDie(path, options);
  sqlite3* other = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &other), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr), SQLITE_OK);
  RecordBatch batch;
  batch.upserts.push_back({"Account", IdText("001", 1), "a1"});
  Status s = store->ApplyRecordBatch(batch);
  EXPECT_EQ(s.code(), Status::Code::kBusy);
  EXPECT_TRUE(Contains(s.message(), "is locked by another connection")) << s.message();
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);
  EXPECT_TRUE(store->ApplyRecordBatch(batch).ok());
}

// Readers on many threads while one thread applies batches; each batch adds two records, so
// every consistent view has an even count. Run under TSan too.
TEST(SqliteStateStoreTest, ConcurrentReadersSeeWholeBatches) {
  TempDir dir;
  auto store = OpenOrDie(dir.File("conn.db"), {5000, false});
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t) {
    readers.emplace_back([&] {
      while (!done.load()) {
        int64_t scanned = 0;
        Status s = store->ScanRecords("Account", [&](std::string_view, std::string_view) {
          ++scanned;
          return true;
        });
        EXPECT_TRUE(s.ok()) << s.message();  // no ASSERT: the writer waits for a read
        EXPECT_EQ(scanned % 2, 0);
        std::optional<std::string> v;
        EXPECT_TRUE(store->Get("sync.cursor", "Account", &v).ok());
        ++reads;
      }
    });
  }
  while (reads.load() == 0) std::this_thread::yield();  // readers are running
  for (int i = 0; i < 100; ++i) {
    RecordBatch batch;
    batch.upserts.push_back({"Account", IdText("001", 2 * i), "x"});
    batch.upserts.push_back({"Account", IdText("001", 2 * i + 1), "y"});
    batch.values.push_back({"sync.cursor", "Account", std::to_string(i)});
    ASSERT_TRUE(store->ApplyRecordBatch(batch).ok());
  }
  done = true;
  for (auto& t : readers) t.join();
  EXPECT_EQ(Count(*store, "Account"), 200);
  EXPECT_GT(reads.load(), 0);
}

}  // namespace
}  // namespace cf::engine
