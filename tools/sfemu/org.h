// The emulated org: metadata (objects, fields, field-level security, validation rules, users,
// the connected app), the records, the clock, the API counter and the tokens.
//
// Thread safety: Org is shared by all connections. Every public method takes the org's
// mutex itself; Lock() lets a handler make several calls atomically (e.g. allOrNone batches):
// while a handler holds an OrgLock, it must call only the *Locked methods.
#ifndef CF_TOOLS_SFEMU_ORG_H_
#define CF_TOOLS_SFEMU_ORG_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"
#include "engine/value.h"

namespace cf::sfemu {

struct OrgUser {
  std::string id;        // 18-character User Id
  std::string username;  // "integration@connectflo.example"
  std::string password;  // password + security token, as the password grant sends them
  std::string name;
  std::string email;
  bool api_enabled = true;
  bool integration = false;  // the user whose field-level security applies
};

struct ConnectedApp {
  std::string client_id;
  std::string client_secret;
  std::string redirect_uri;
  std::string name;  // as /limits lists it per app, e.g. "ConnectFlo Rules"
};

// One stored record: its fields in Salesforce's JSON wire format (API names as the schema
// spells them; dates "YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:MM:SS.000+0000", Ids 18 chars).
// "Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp" are always present.
struct StoredRecord {
  nlohmann::json fields = nlohmann::json::object();
  bool deleted = false;
  engine::Millis deleted_at = 0;
};

// One field value of a stored record, decoded from the org's compact row format without
// building JSON (for the query engine and other scans over many records). Text views point
// into the row: valid until the record changes or the caller releases the org's lock.
struct FieldValue {
  enum class Kind : uint8_t {
    kNull,
    kBool,      // b
    kInt,       // i: a JSON integer
    kDouble,    // d: a JSON number with a fraction
    kString,    // text: any string that is not one of the three below
    kId,        // id: an 18-character Id string (canonical case suffix)
    kDate,      // i: days since 1970-01-01 ("YYYY-MM-DD")
    kDateTime,  // i: milliseconds since the epoch ("YYYY-MM-DDTHH:MM:SS.sss+0000")
    kJson,      // text: the dump of a JSON object or array (compound fields)
  };
  Kind kind = Kind::kNull;
  bool b = false;
  int64_t i = 0;
  double d = 0;
  std::string_view text;
  engine::SfId id;

  bool is_null() const { return kind == Kind::kNull; }
  // The value as the record's JSON holds it (dates and Ids as their wire text).
  nlohmann::json ToJson() const;
  // Wire text of a string, Id, date or datetime value; "" for other kinds.
  std::string Text() const;
};

// A read-only view of one stored row. Valid until the record changes or the caller releases
// the org's lock. Cheap to copy.
class RecordView {
 public:
  RecordView() = default;
  const engine::SfId& id() const;
  std::string Id18() const { return id().To18(); }
  bool deleted() const;
  engine::Millis deleted_at() const;
  const engine::Object& object() const { return *object_; }
  // The value of the field at `field_index` in object().fields (null if not set).
  FieldValue Get(int field_index) const;
  // Every set field: out is resized to object().fields.size() and filled by field index.
  void DecodeInto(std::vector<FieldValue>* out) const;
  // The record's fields as StoredRecord::fields holds them.
  nlohmann::json ToJson() const;

 private:
  friend class Org;
  const engine::Object* object_ = nullptr;
  const void* table_ = nullptr;  // Org::Table
  const void* row_ = nullptr;    // Org::Row
};

struct OrgLimits {
  int64_t daily_api_max = 100000;
  int64_t daily_api_used = 0;
  int64_t access_token_ttl_seconds = 7200;
  bool rotate_refresh_tokens = false;
};

struct TokenInfo {
  std::string user_id;
  engine::Millis expires_at = 0;  // access tokens only
  bool revoked = false;
};

class Org {
 public:
  Org();
  ~Org();
  Org(const Org&) = delete;
  Org& operator=(const Org&) = delete;

  // ---- Setup (before serving; not thread-safe) ----
  void SetSchema(std::shared_ptr<const engine::Schema> schema);
  // Field-level security: the field exists but the integration user cannot see it.
  void HideField(std::string_view object, std::string_view field);
  void AddUser(OrgUser user);
  void SetConnectedApp(ConnectedApp app);
  OrgLimits& limits() { return limits_; }
  // The org's 18-character Id ("00D..."), for the identity URL and access tokens. Default:
  // a fixed Id derived from nothing, "00DDn00000ConFlo" + checksum.
  void SetOrgId(std::string org_id);
  const std::string& org_id() const { return org_id_; }
  // The Tooling API's view of the org's metadata: an org of its own whose objects are Tooling
  // objects (ValidationRule, EntityDefinition), queried by /tooling/query. Set by the seed
  // loader; nullptr when the org has none.
  void SetTooling(std::unique_ptr<Org> tooling);
  Org* tooling() const { return tooling_.get(); }
  // The describe bodies of the org's objects exactly as Salesforce sends them (the seed's
  // describe files), served by describe and describeGlobal; nullptr for an object without one
  // (case-insensitive name).
  void SetDescribeJson(std::string_view object, nlohmann::json describe);
  const nlohmann::json* DescribeJson(std::string_view object) const;

  // ---- Endpoint state (thread-safe) ----
  // Per-org state that endpoint code keeps (the read API's query cursors): created by `make`
  // on first use under `key`, then shared. Lives as long as the org.
  std::shared_ptr<void> Extension(std::string_view key,
                                  const std::function<std::shared_ptr<void>()>& make) const;

  // ---- Metadata (immutable after setup; no lock needed) ----
  const engine::Schema& schema() const { return *schema_; }
  const std::shared_ptr<const engine::Schema>& schema_ptr() const { return schema_; }
  bool IsHidden(std::string_view object, std::string_view field) const;
  const std::vector<OrgUser>& users() const { return users_; }
  const ConnectedApp& connected_app() const { return app_; }
  const OrgUser* FindUser(std::string_view username) const;
  const OrgUser* FindUserById(std::string_view id) const;

  // ---- Lock ----
  using OrgLock = std::unique_lock<std::recursive_mutex>;
  OrgLock Lock() const { return OrgLock(mu_); }

  // ---- Clock (the control endpoint can move it) ----
  engine::Millis Now() const;
  void AdvanceClock(engine::Millis delta);

  // ---- Records (REQUIRES: the caller holds Lock()) ----
  // A new 18-character Id with the object's key prefix and a valid case checksum.
  std::string NewIdLocked(const engine::Object& object);
  // Inserts a record whose fields are already validated; stamps Id (if absent), IsDeleted,
  // CreatedDate, LastModifiedDate, SystemModstamp, CreatedById/LastModifiedById (if the
  // object has them) and OwnerId (if the object has it and it is absent). Returns the Id.
  std::string InsertLocked(const engine::Object& object, nlohmann::json fields, std::string_view user_id);
  // Merges validated `changes` into a live record and restamps LastModifiedDate and
  // SystemModstamp. Returns false if absent or deleted.
  bool UpdateLocked(const engine::Object& object, std::string_view id, const nlohmann::json& changes,
                    std::string_view user_id);
  // Marks the record deleted (kept for queryAll and getDeleted): sets IsDeleted true and
  // restamps SystemModstamp. False if absent or already deleted.
  bool DeleteLocked(const engine::Object& object, std::string_view id);
  // Stores a record exactly as given (seeding): only the Id (if absent) and IsDeleted false
  // (if the object has it and it is absent) are added. Returns the Id.
  std::string LoadRecordLocked(const engine::Object& object, nlohmann::json fields);
  // Seeding fast path (no JSON): a record as values by field index (object.fields order;
  // unset entries are null). Id and IsDeleted come from the values when set, else a new Id
  // and false. Returns the Id.
  std::string LoadValuesLocked(const engine::Object& object, const std::vector<FieldValue>& values);
  // The record by Id (15 or 18 characters, any case for 18); nullptr if absent. Deleted
  // records are returned too: check StoredRecord::deleted. Records are stored compactly; the
  // StoredRecord is built on demand and stays valid (and current: Update/Delete refresh it)
  // until RestoreLocked, or until more than kFindCacheSize other records have been found.
  const StoredRecord* FindLocked(const engine::Object& object, std::string_view id) const;
  static constexpr size_t kFindCacheSize = 8192;
  // The same as a view; nullopt if absent. Cheaper than FindLocked.
  std::optional<RecordView> FindRowLocked(const engine::Object& object, std::string_view id) const;
  // Finds the object of an Id by its key prefix; nullptr if none.
  const engine::Object* ObjectOfId(std::string_view id) const;
  // Every record of an object in Id order (deleted ones included); stop by returning false.
  // The StoredRecord passed to `visit` is valid only during the call.
  void ScanLocked(const engine::Object& object,
                  const std::function<bool(const StoredRecord&)>& visit) const;
  // The same over views, without building JSON (fast: use it for large orgs).
  void ScanRowsLocked(const engine::Object& object,
                      const std::function<bool(const RecordView&)>& visit) const;
  // The 18-character Ids of the live (not deleted) records whose `field` equals `value`: text
  // compared ignoring ASCII case unless `case_sensitive`, numbers numerically. For unique and
  // external-id checks and upsert.
  std::vector<std::string> FindByFieldLocked(const engine::Object& object, std::string_view field,
                                             const nlohmann::json& value,
                                             bool case_sensitive = false) const;
  size_t CountLocked(const engine::Object& object) const;  // deleted ones included
  // Snapshot/restore of all records, for allOrNone rollbacks. Taking a snapshot is O(1):
  // while any snapshot is alive the org keeps an undo log of record changes, and
  // RestoreLocked undoes the changes made since its snapshot (Ids are not reused). A
  // snapshot must not outlive its org; it may be restored more than once.
  struct Snapshot;
  std::shared_ptr<Snapshot> SnapshotLocked() const;
  void RestoreLocked(const Snapshot& snapshot);

  // ---- API usage ----
  // Counts one API call; false (and no count) when the daily limit is reached.
  bool CountApiCall();
  int64_t api_used() const;
  int64_t api_max() const;
  void SetApiUsage(int64_t used, int64_t max);

  // ---- Tokens ----
  std::string IssueAccessToken(std::string_view user_id);
  std::string IssueRefreshToken(std::string_view user_id);
  // The token's info if it is valid now (not expired, not revoked); nullopt otherwise.
  std::optional<TokenInfo> CheckAccessToken(std::string_view token) const;
  std::optional<TokenInfo> CheckRefreshToken(std::string_view token) const;
  void RevokeRefreshToken(std::string_view token);
  void ExpireAllAccessTokens();
  void RevokeAllRefreshTokens();
  std::string IssueAuthorizationCode(std::string_view user_id);
  // Single use: returns the user id and forgets the code.
  std::optional<std::string> RedeemAuthorizationCode(std::string_view code);

 private:
  friend class RecordView;
  struct Row;
  struct Table;
  struct Undo;
  Table* TableFor(const engine::Object& object);
  const Table* TableFor(const engine::Object& object) const;
  RecordView ViewOf(const Table& table, uint32_t row) const;
  engine::SfId NextIdLocked(const engine::Object& object, Table* table);
  StoredRecord Materialize(const Table& table, uint32_t row) const;
  int RowOf(const Table& table, std::string_view id) const;  // -1 if absent
  void AppendRow(Table& table, Row row);
  void RecordUndo(Undo undo);
  void RefreshCached(const Table& table, uint32_t row) const;
  void ReleaseSnapshot() const;
  std::string Stamp() const;  // Now() as Salesforce's datetime text, whole seconds

  std::shared_ptr<const engine::Schema> schema_;
  std::set<std::pair<std::string, std::string>> hidden_;  // lower-case object, field
  std::vector<OrgUser> users_;
  ConnectedApp app_;
  OrgLimits limits_;
  std::string org_id_;
  std::unique_ptr<Org> tooling_;
  std::map<std::string, nlohmann::json> describes_;  // by lower-case object name
  mutable std::map<std::string, std::shared_ptr<void>, std::less<>> extensions_;

  mutable std::recursive_mutex mu_;
  std::vector<std::unique_ptr<Table>> tables_;  // by object index in the schema
  std::map<std::string, int, std::less<>> by_prefix_;  // key prefix -> object index
  engine::Millis clock_offset_ = 0;
  std::map<std::string, TokenInfo> access_tokens_;
  std::map<std::string, TokenInfo> refresh_tokens_;
  std::map<std::string, std::string> auth_codes_;
  uint64_t token_counter_ = 0;
  // allOrNone support: the undo log, kept while snapshots are alive.
  mutable std::vector<Undo> undo_;
  mutable int live_snapshots_ = 0;
  // FindLocked's materialized records, by (table << 32 | row).
  mutable std::map<uint64_t, std::unique_ptr<StoredRecord>> find_cache_;
};

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_ORG_H_
