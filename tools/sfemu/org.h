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
};

// One stored record: its fields in Salesforce's JSON wire format (API names as the schema
// spells them; dates "YYYY-MM-DD", datetimes "YYYY-MM-DDTHH:MM:SS.000+0000", Ids 18 chars).
// "Id", "IsDeleted", "CreatedDate", "LastModifiedDate", "SystemModstamp" are always present.
struct StoredRecord {
  nlohmann::json fields = nlohmann::json::object();
  bool deleted = false;
  engine::Millis deleted_at = 0;
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
  Org() = default;
  Org(const Org&) = delete;
  Org& operator=(const Org&) = delete;

  // ---- Setup (before serving; not thread-safe) ----
  void SetSchema(std::shared_ptr<const engine::Schema> schema);
  // Field-level security: the field exists but the integration user cannot see it.
  void HideField(std::string_view object, std::string_view field);
  void AddUser(OrgUser user);
  void SetConnectedApp(ConnectedApp app);
  OrgLimits& limits() { return limits_; }

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
  // Marks the record deleted (kept for queryAll and getDeleted). False if absent or deleted.
  bool DeleteLocked(const engine::Object& object, std::string_view id);
  // The record by Id (15 or 18 characters, any case for 18); nullptr if absent. Deleted
  // records are returned too: check StoredRecord::deleted.
  const StoredRecord* FindLocked(const engine::Object& object, std::string_view id) const;
  // Finds the object of an Id by its key prefix; nullptr if none.
  const engine::Object* ObjectOfId(std::string_view id) const;
  // Every record of an object in Id order (deleted ones included); stop by returning false.
  void ScanLocked(const engine::Object& object,
                  const std::function<bool(const StoredRecord&)>& visit) const;
  size_t CountLocked(const engine::Object& object) const;
  // Snapshot/restore of all records, for allOrNone rollbacks.
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
  struct Table {
    std::map<std::string, StoredRecord> rows;  // by 18-character Id
    uint64_t next_sequence = 1;
  };
  std::shared_ptr<const engine::Schema> schema_;
  std::set<std::pair<std::string, std::string>> hidden_;  // lower-case object, field
  std::vector<OrgUser> users_;
  ConnectedApp app_;
  OrgLimits limits_;

  mutable std::recursive_mutex mu_;
  std::map<std::string, Table> tables_;  // by lower-case object name
  engine::Millis clock_offset_ = 0;
  std::map<std::string, TokenInfo> access_tokens_;
  std::map<std::string, TokenInfo> refresh_tokens_;
  std::map<std::string, std::string> auth_codes_;
  uint64_t token_counter_ = 0;
};

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_ORG_H_
