// The token vault: OAuth tokens and client secrets encrypted at rest with AES-256-GCM.
//
// Start here:
//   std::string error;
//   std::optional<KeyRing> keys = KeyRing::FromEnvironment(&error);  // see docs/key-management.md
//   if (!keys) { report error; }
//   Vault vault(std::move(*keys));
//   SecretContext where{"prod-org", "refresh_token"};
//   std::optional<std::string> sealed = vault.Seal(SecretString(token_text), where, &error);
//   std::optional<SecretString> token = vault.Open(*sealed, where, &error);
//
// Sealed text (ASCII, safe to store in SQLite or a config file):
//   cfv1:<key id>:<base64(nonce[12] | ciphertext | tag[16])>
// standard base64 alphabet with '=' padding. Each Seal draws a fresh random 96-bit nonce
// (RAND_bytes). The authenticated data is "cfv1;key=<key id>;conn=<connection>;field=<field>",
// so a sealed value opens only under the key, connection and field it was sealed for: moving a
// refresh token to another connection, or swapping it with the client secret, fails to open.
//
// Conventions (as describe_json.h):
//  1. Nothing throws. A failing call returns an empty optional (or false) and, when `error` is
//     not null, stores one message saying what is wrong and what to do.
//  2. No message ever contains a secret: not the plaintext, not key bytes, not sealed data.
//     Messages name only key ids, connection and field names, sizes and environment variables.
//  3. KeyRing and Vault are immutable once built and safe to share between threads; SecretString
//     is a value type (one thread at a time per object, like std::string).
#ifndef CF_CONNECTORS_SALESFORCE_VAULT_H_
#define CF_CONNECTORS_SALESFORCE_VAULT_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace cf::sf {

// Bytes that must not leak: a token, a password, a key. The buffer is allocated once, wiped
// (OPENSSL_cleanse) when the object is destroyed, cleared or assigned over, and never printed:
// operator<< writes "***". Read the bytes with Reveal(), whose name makes every use easy to find.
// Copies are deep; a moved-from SecretString is empty.
class SecretString {
 public:
  SecretString() noexcept = default;
  explicit SecretString(std::string_view value);
  // Copies `*value` and wipes it (its bytes are overwritten, then it is cleared).
  static SecretString Take(std::string* value);

  SecretString(const SecretString& other);
  SecretString& operator=(const SecretString& other);
  SecretString(SecretString&& other) noexcept;
  SecretString& operator=(SecretString&& other) noexcept;
  ~SecretString();

  std::string_view Reveal() const noexcept { return {data_.get(), size_}; }
  const unsigned char* bytes() const noexcept {
    return reinterpret_cast<const unsigned char*>(data_.get());
  }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  void Clear() noexcept;

  // Constant-time for equal sizes (CRYPTO_memcmp).
  friend bool operator==(const SecretString& a, const SecretString& b) noexcept;

  friend std::ostream& operator<<(std::ostream& os, const SecretString&) { return os << "***"; }

 private:
  friend class Vault;
  friend class KeyRing;
  // A zero-filled buffer of `size` bytes for the friends to fill in place.
  static SecretString OfSize(size_t size);
  unsigned char* mutable_bytes() noexcept { return reinterpret_cast<unsigned char*>(data_.get()); }
  void Shrink(size_t size) noexcept;  // REQUIRES: size <= size_

  std::unique_ptr<char[]> data_;
  size_t size_ = 0;
};

// Vault keys by id. A key is 32 random bytes (AES-256). One key is current: Seal uses it; every
// key in the ring can open what it sealed, so old keys stay in the ring until every value has been
// resealed (docs/key-management.md, "Rotating a key").
//
// Key ids: 1 to 64 characters of [A-Za-z0-9._-].
class KeyRing {
 public:
  // Environment variables read by FromEnvironment.
  static constexpr const char* kKeysVar = "CF_VAULT_KEYS";         // "id1:base64,id2:base64"
  static constexpr const char* kKeyVar = "CF_VAULT_KEY";           // "base64" or "id:base64"
  static constexpr const char* kKeyFileVar = "CF_VAULT_KEY_FILE";  // path of a key file
  // The id of a key given without one ("CF_VAULT_KEY=<base64>").
  static constexpr std::string_view kDefaultKeyId = "default";
  static constexpr size_t kKeySize = 32;

  KeyRing() = default;

  // Adds a key. The first key added becomes current. Fails on a bad id, a duplicate id or a key
  // that is not kKeySize bytes.
  bool Add(std::string_view id, SecretString key, std::string* error);
  // Makes an added key current.
  bool SetCurrent(std::string_view id, std::string* error);

  bool empty() const { return keys_.empty(); }
  const std::string& current_id() const { return current_; }  // empty when the ring is empty
  std::vector<std::string> ids() const;                       // in the order added
  bool Contains(std::string_view id) const { return Find(id) != nullptr; }
  // The key's bytes, or nullptr. The pointer lives as long as the ring.
  const SecretString* Find(std::string_view id) const;

  // Parses a key list: entries "id:base64" (or a bare "base64", which gets kDefaultKeyId),
  // separated by commas or newlines; blank entries and lines starting with '#' are skipped.
  // The first entry is the current key. `source` names where the text came from, for messages
  // (e.g. "CF_VAULT_KEYS" or a file path).
  static std::optional<KeyRing> Parse(std::string_view spec, std::string_view source,
                                      std::string* error);

  // Reads a key file (the Parse format). The file must be a regular file owned by the effective
  // user and closed to group and others (mode 0600 or 0400); otherwise the error says which
  // chmod/chown to run. Files larger than 64 KiB are refused.
  static std::optional<KeyRing> FromKeyFile(const std::string& path, std::string* error);

  // Reads exactly one of CF_VAULT_KEYS, CF_VAULT_KEY or CF_VAULT_KEY_FILE (empty counts as
  // unset). None or several set is an error. `getenv` replaces ::getenv (for tests); it returns
  // nullptr for an unset variable. Default: ::getenv.
  using GetEnv = std::function<const char*(const char*)>;
  static std::optional<KeyRing> FromEnvironment(std::string* error, const GetEnv& getenv = {});

 private:
  struct Entry {
    std::string id;
    SecretString key;
  };
  std::vector<Entry> keys_;
  std::string current_;
};

// Where a secret belongs; bound into the ciphertext as authenticated data. Both parts are 1 to
// 128 characters, printable ASCII without ';' or '='. E.g. {"prod-org", "refresh_token"}.
struct SecretContext {
  std::string connection;
  std::string field;
};

// A sealed value and where it belongs, for ResealAll.
struct SealedSecret {
  SecretContext where;
  std::string sealed;
};

struct ResealReport {
  size_t resealed = 0;   // sealed again under the current key
  size_t unchanged = 0;  // already under the current key
  size_t failed = 0;     // left as they were; one message each in `errors`
  std::vector<std::string> errors;
};

class Vault {
 public:
  static constexpr std::string_view kFormatPrefix = "cfv1";
  static constexpr size_t kNonceSize = 12;
  static constexpr size_t kTagSize = 16;
  static constexpr size_t kMaxPlaintextSize = 1 << 20;

  explicit Vault(KeyRing keys);

  const KeyRing& keys() const { return keys_; }

  // Encrypts under the current key. Fails when the ring is empty, the context is invalid or the
  // plaintext is larger than kMaxPlaintextSize.
  std::optional<std::string> Seal(const SecretString& plaintext, const SecretContext& where,
                                  std::string* error) const;

  // Decrypts and authenticates. Fails, without saying more than needed, on: text that is not
  // in the sealed format, an unknown format version, a key id not in the ring, truncated data,
  // and any alteration (of nonce, ciphertext, tag, key id), a wrong key or a wrong context.
  std::optional<SecretString> Open(std::string_view sealed, const SecretContext& where,
                                   std::string* error) const;

  // Rotation: opens `sealed` with whichever key sealed it and seals it again under the current
  // key with a fresh nonce. A value already under the current key is returned unchanged.
  // `changed` (may be null) says which happened.
  std::optional<std::string> Reseal(std::string_view sealed, const SecretContext& where,
                                    bool* changed, std::string* error) const;

  // Reseals every entry in place (see Reseal); an entry that fails keeps its old value.
  ResealReport ResealAll(std::vector<SealedSecret>* entries) const;

  // The key id of a sealed value without opening it; nullopt if the text is not in the format.
  static std::optional<std::string> KeyIdOf(std::string_view sealed);

 private:
  KeyRing keys_;
};

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_VAULT_H_
