#include "connectors/salesforce/vault.h"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <utility>

namespace cf::sf {
namespace {

bool Fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

// ---- base64 (standard alphabet), strict: canonical padding bits, no whitespace ------------

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(unsigned char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

std::string Base64Encode(const unsigned char* data, size_t n) {
  std::string out;
  out.reserve((n + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= n; i += 3) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += kBase64Alphabet[v & 63];
  }
  if (n - i == 1) {
    uint32_t v = uint32_t{data[i]} << 16;
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += "==";
  } else if (n - i == 2) {
    uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8);
    out += kBase64Alphabet[(v >> 18) & 63];
    out += kBase64Alphabet[(v >> 12) & 63];
    out += kBase64Alphabet[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

size_t Base64MaxDecodedSize(size_t encoded) { return (encoded + 3) / 4 * 3; }

// Decodes `in` into `out` (capacity Base64MaxDecodedSize(in.size())). '=' padding is optional
// but, when present, must complete the last quantum. Unused low bits must be zero, so that every
// byte string has exactly one accepted encoding (a changed character never decodes to the same
// bytes). Returns false on anything else.
bool Base64Decode(std::string_view in, unsigned char* out, size_t* out_size) {
  size_t pad = 0;
  while (!in.empty() && in.back() == '=' && pad < 2) {
    in.remove_suffix(1);
    ++pad;
  }
  if (pad > 0 && (in.size() + pad) % 4 != 0) return false;
  if (in.size() % 4 == 1) return false;
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (unsigned char c : in) {
    int v = Base64Value(c);
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = static_cast<unsigned char>((acc >> bits) & 0xFF);
    }
  }
  if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return false;
  *out_size = n;
  return true;
}

// ---- names ---------------------------------------------------------------------------------

bool IsKeyIdChar(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

bool IsValidKeyId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id) {
    if (!IsKeyIdChar(c)) return false;
  }
  return true;
}

bool ValidContextPart(std::string_view part) {
  if (part.empty() || part.size() > 128) return false;
  for (char c : part) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E || c == ';' || c == '=') return false;
  }
  return true;
}

bool CheckContext(const SecretContext& where, std::string* error) {
  if (!ValidContextPart(where.connection)) {
    return Fail(error,
                "vault: the connection name must be 1 to 128 printable ASCII characters "
                "without ';' or '='");
  }
  if (!ValidContextPart(where.field)) {
    return Fail(error,
                "vault: the field name must be 1 to 128 printable ASCII characters without ';' "
                "or '='");
  }
  return true;
}

std::string Describe(const SecretContext& where) {
  // Only called after CheckContext: both parts are printable and short.
  return where.field + " of connection \"" + where.connection + "\"";
}

std::string AdditionalData(std::string_view key_id, const SecretContext& where) {
  std::string aad;
  aad.reserve(32 + key_id.size() + where.connection.size() + where.field.size());
  aad += Vault::kFormatPrefix;
  aad += ";key=";
  aad += key_id;
  aad += ";conn=";
  aad += where.connection;
  aad += ";field=";
  aad += where.field;
  return aad;
}

// The parts of "cfv1:<key id>:<base64>". No validation beyond the split.
struct SealedParts {
  std::string_view version;
  std::string_view key_id;
  std::string_view payload;
};

std::optional<SealedParts> Split(std::string_view sealed) {
  size_t first = sealed.find(':');
  if (first == std::string_view::npos) return std::nullopt;
  size_t second = sealed.find(':', first + 1);
  if (second == std::string_view::npos) return std::nullopt;
  return SealedParts{sealed.substr(0, first), sealed.substr(first + 1, second - first - 1),
                     sealed.substr(second + 1)};
}

struct CipherCtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// AES-256-GCM with a 12-byte nonce and a 16-byte tag. `out` has room for `n` bytes.
bool GcmSeal(const unsigned char* key, const unsigned char* nonce, std::string_view aad,
             const unsigned char* in, size_t n, unsigned char* out, unsigned char* tag) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return false;
  int len = 0;
  if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1) {
    return false;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(Vault::kNonceSize),
                          nullptr) != 1) {
    return false;
  }
  if (EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, key, nonce) != 1) return false;
  if (EVP_EncryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return false;
  }
  if (n > 0 && EVP_EncryptUpdate(ctx.get(), out, &len, in, static_cast<int>(n)) != 1) {
    return false;
  }
  if (EVP_EncryptFinal_ex(ctx.get(), out + (n > 0 ? len : 0), &len) != 1) return false;
  return EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(Vault::kTagSize),
                             tag) == 1;
}

// Returns false when authentication fails (or OpenSSL fails); `out` then holds garbage the
// caller wipes.
bool GcmOpen(const unsigned char* key, const unsigned char* nonce, std::string_view aad,
             const unsigned char* in, size_t n, const unsigned char* tag, unsigned char* out) {
  CipherCtx ctx(EVP_CIPHER_CTX_new());
  if (!ctx) return false;
  int len = 0;
  if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1) {
    return false;
  }
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, static_cast<int>(Vault::kNonceSize),
                          nullptr) != 1) {
    return false;
  }
  if (EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, key, nonce) != 1) return false;
  if (EVP_DecryptUpdate(ctx.get(), nullptr, &len,
                        reinterpret_cast<const unsigned char*>(aad.data()),
                        static_cast<int>(aad.size())) != 1) {
    return false;
  }
  if (n > 0 && EVP_DecryptUpdate(ctx.get(), out, &len, in, static_cast<int>(n)) != 1) {
    return false;
  }
  // The tag is only read; OpenSSL's interface takes a non-const pointer.
  unsigned char tag_copy[Vault::kTagSize];
  std::memcpy(tag_copy, tag, sizeof tag_copy);
  if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(Vault::kTagSize),
                          tag_copy) != 1) {
    return false;
  }
  return EVP_DecryptFinal_ex(ctx.get(), out + (n > 0 ? len : 0), &len) == 1;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

constexpr const char* kGenerateHint = "generate one with: openssl rand -base64 32";

}  // namespace

// ---- SecretString --------------------------------------------------------------------------

SecretString::SecretString(std::string_view value) {
  if (value.empty()) return;
  data_ = std::make_unique<char[]>(value.size());
  std::memcpy(data_.get(), value.data(), value.size());
  size_ = value.size();
}

SecretString SecretString::Take(std::string* value) {
  SecretString out(*value);
  if (!value->empty()) OPENSSL_cleanse(value->data(), value->size());
  value->clear();
  return out;
}

SecretString SecretString::OfSize(size_t size) {
  SecretString out;
  if (size == 0) return out;
  out.data_ = std::make_unique<char[]>(size);  // value-initialised: zeroes
  out.size_ = size;
  return out;
}

void SecretString::Shrink(size_t size) noexcept {
  if (size < size_) OPENSSL_cleanse(data_.get() + size, size_ - size);
  size_ = size;
}

SecretString::SecretString(const SecretString& other) : SecretString(other.Reveal()) {}

SecretString& SecretString::operator=(const SecretString& other) {
  if (this != &other) {
    SecretString copy(other);
    *this = std::move(copy);
  }
  return *this;
}

SecretString::SecretString(SecretString&& other) noexcept
    : data_(std::move(other.data_)), size_(other.size_) {
  other.size_ = 0;
}

SecretString& SecretString::operator=(SecretString&& other) noexcept {
  if (this != &other) {
    Clear();
    data_ = std::move(other.data_);
    size_ = other.size_;
    other.size_ = 0;
  }
  return *this;
}

SecretString::~SecretString() { Clear(); }

void SecretString::Clear() noexcept {
  if (data_ && size_ > 0) OPENSSL_cleanse(data_.get(), size_);
  data_.reset();
  size_ = 0;
}

bool operator==(const SecretString& a, const SecretString& b) noexcept {
  if (a.size_ != b.size_) return false;
  if (a.size_ == 0) return true;
  return CRYPTO_memcmp(a.data_.get(), b.data_.get(), a.size_) == 0;
}

// ---- KeyRing -------------------------------------------------------------------------------

bool KeyRing::Add(std::string_view id, SecretString key, std::string* error) {
  if (!IsValidKeyId(id)) {
    return Fail(error, "vault: a key id must be 1 to 64 characters of A-Z a-z 0-9 . _ -");
  }
  if (Contains(id)) {
    return Fail(error, "vault: key id \"" + std::string(id) + "\" appears twice");
  }
  if (key.size() != kKeySize) {
    return Fail(error, "vault: key \"" + std::string(id) + "\" is " + std::to_string(key.size()) +
                           " bytes; AES-256 needs 32 random bytes (" + kGenerateHint + ")");
  }
  keys_.push_back(Entry{std::string(id), std::move(key)});
  if (current_.empty()) current_ = std::string(id);
  return true;
}

bool KeyRing::SetCurrent(std::string_view id, std::string* error) {
  if (!Contains(id)) {
    return Fail(error, "vault: cannot make key \"" + std::string(id) +
                           "\" current: it is not in the key ring");
  }
  current_ = std::string(id);
  return true;
}

std::vector<std::string> KeyRing::ids() const {
  std::vector<std::string> out;
  out.reserve(keys_.size());
  for (const Entry& e : keys_) out.push_back(e.id);
  return out;
}

const SecretString* KeyRing::Find(std::string_view id) const {
  for (const Entry& e : keys_) {
    if (e.id == id) return &e.key;
  }
  return nullptr;
}

std::optional<KeyRing> KeyRing::Parse(std::string_view spec, std::string_view source,
                                      std::string* error) {
  KeyRing ring;
  const std::string where(source);
  size_t entry_number = 0;
  size_t pos = 0;
  while (pos <= spec.size()) {
    size_t end = spec.find_first_of(",\n", pos);
    if (end == std::string_view::npos) end = spec.size();
    std::string_view entry = Trim(spec.substr(pos, end - pos));
    pos = end + 1;
    if (entry.empty() || entry.front() == '#') continue;
    ++entry_number;
    std::string_view id = kDefaultKeyId;
    std::string_view encoded = entry;
    size_t colon = entry.find(':');
    if (colon != std::string_view::npos) {
      id = Trim(entry.substr(0, colon));
      encoded = Trim(entry.substr(colon + 1));
    }
    const std::string label = "key " + std::to_string(entry_number) + " in " + where;
    if (!IsValidKeyId(id)) {
      Fail(error, "vault: " + label +
                      ": the key id must be 1 to 64 characters of A-Z a-z 0-9 . _ - (write "
                      "id:base64)");
      return std::nullopt;
    }
    SecretString key = SecretString::OfSize(Base64MaxDecodedSize(encoded.size()));
    size_t n = 0;
    if (!Base64Decode(encoded, key.mutable_bytes(), &n)) {
      Fail(error, "vault: " + label + " (id \"" + std::string(id) + "\") is not valid base64; " +
                      kGenerateHint);
      return std::nullopt;
    }
    key.Shrink(n);
    if (n != kKeySize) {
      Fail(error, "vault: " + label + " (id \"" + std::string(id) + "\") decodes to " +
                      std::to_string(n) + " bytes; AES-256 needs 32 (" + kGenerateHint + ")");
      return std::nullopt;
    }
    std::string add_error;
    if (!ring.Add(id, std::move(key), &add_error)) {
      Fail(error, add_error + " in " + where);
      return std::nullopt;
    }
  }
  if (ring.empty()) {
    Fail(error,
         "vault: " + where + " holds no key; " + kGenerateHint + " and write it as id:base64");
    return std::nullopt;
  }
  return ring;
}

std::optional<KeyRing> KeyRing::FromKeyFile(const std::string& path, std::string* error) {
  // Open first, then check the opened file (fstat), so the checks and the read see one file.
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    Fail(error, "vault: cannot open the key file " + path + ": " + std::strerror(e) + " (set " +
                    kKeyFileVar + " to a readable file)");
    return std::nullopt;
  }
  struct FdCloser {
    int fd;
    ~FdCloser() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    Fail(error, "vault: cannot check the key file " + path + ": " + std::strerror(e));
    return std::nullopt;
  }
  if (!S_ISREG(st.st_mode)) {
    Fail(error, "vault: the key file " + path + " is not a regular file");
    return std::nullopt;
  }
  if (st.st_uid != ::geteuid()) {
    Fail(error, "vault: the key file " + path + " belongs to uid " + std::to_string(st.st_uid) +
                    ", not to this process's user (uid " + std::to_string(::geteuid()) +
                    "); run: chown " + std::to_string(::geteuid()) + " " + path + " && chmod 600 " +
                    path);
    return std::nullopt;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    Fail(error, "vault: the key file " + path + " has permissions " + mode +
                    "; it must be readable by its owner only: run chmod 600 " + path);
    return std::nullopt;
  }
  constexpr off_t kMaxKeyFileSize = 64 * 1024;
  if (st.st_size > kMaxKeyFileSize) {
    Fail(error, "vault: the key file " + path + " is larger than 64 KiB; is it the right file?");
    return std::nullopt;
  }
  SecretString text = SecretString::OfSize(static_cast<size_t>(kMaxKeyFileSize) + 1);
  size_t total = 0;
  while (total < text.size()) {
    ssize_t n = ::read(fd, text.mutable_bytes() + total, text.size() - total);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      Fail(error, "vault: cannot read the key file " + path + ": " + std::strerror(e));
      return std::nullopt;
    }
    if (n == 0) break;
    total += static_cast<size_t>(n);
  }
  if (total > static_cast<size_t>(kMaxKeyFileSize)) {
    Fail(error, "vault: the key file " + path + " is larger than 64 KiB; is it the right file?");
    return std::nullopt;
  }
  text.Shrink(total);
  return Parse(text.Reveal(), path, error);
}

std::optional<KeyRing> KeyRing::FromEnvironment(std::string* error, const GetEnv& getenv) {
  auto get = [&](const char* name) -> std::string_view {
    const char* v = getenv ? getenv(name) : std::getenv(name);
    return v == nullptr ? std::string_view() : std::string_view(v);
  };
  const std::string_view keys = get(kKeysVar);
  const std::string_view key = get(kKeyVar);
  const std::string_view file = get(kKeyFileVar);
  std::string set;
  int count = 0;
  for (auto [name, value] :
       {std::pair{kKeysVar, keys}, std::pair{kKeyVar, key}, std::pair{kKeyFileVar, file}}) {
    if (value.empty()) continue;
    ++count;
    if (!set.empty()) set += ", ";
    set += name;
  }
  if (count == 0) {
    Fail(error, std::string("vault: no encryption key: set ") + kKeyFileVar +
                    " to a key file (chmod 600) or " + kKeyVar + " to base64 of 32 random bytes (" +
                    kGenerateHint + "); see docs/key-management.md");
    return std::nullopt;
  }
  if (count > 1) {
    Fail(error, "vault: set only one of " + std::string(kKeysVar) + ", " + kKeyVar + " and " +
                    kKeyFileVar + " (found " + set + ")");
    return std::nullopt;
  }
  if (!keys.empty()) return Parse(keys, kKeysVar, error);
  if (!key.empty()) return Parse(key, kKeyVar, error);
  return FromKeyFile(std::string(file), error);
}

// ---- Vault ---------------------------------------------------------------------------------

Vault::Vault(KeyRing keys) : keys_(std::move(keys)) {}

std::optional<std::string> Vault::Seal(const SecretString& plaintext, const SecretContext& where,
                                       std::string* error) const {
  if (!CheckContext(where, error)) return std::nullopt;
  const std::string& key_id = keys_.current_id();
  const SecretString* key = keys_.Find(key_id);
  if (key == nullptr) {
    Fail(error, "vault: cannot encrypt " + Describe(where) + ": no key is loaded");
    return std::nullopt;
  }
  if (plaintext.size() > kMaxPlaintextSize) {
    Fail(error, "vault: cannot encrypt " + Describe(where) + ": the secret is larger than 1 MiB");
    return std::nullopt;
  }
  // nonce | ciphertext | tag, in one buffer that is wiped afterwards (the ciphertext is not
  // secret, but the buffer is also briefly the encoder's input).
  SecretString blob = SecretString::OfSize(kNonceSize + plaintext.size() + kTagSize);
  unsigned char* nonce = blob.mutable_bytes();
  if (RAND_bytes(nonce, static_cast<int>(kNonceSize)) != 1) {
    Fail(error, "vault: cannot encrypt " + Describe(where) +
                    ": the system's random number generator failed");
    return std::nullopt;
  }
  const std::string aad = AdditionalData(key_id, where);
  if (!GcmSeal(key->bytes(), nonce, aad, plaintext.bytes(), plaintext.size(), nonce + kNonceSize,
               nonce + kNonceSize + plaintext.size())) {
    Fail(error, "vault: cannot encrypt " + Describe(where) + ": OpenSSL failed");
    return std::nullopt;
  }
  std::string out;
  out.reserve(kFormatPrefix.size() + key_id.size() + 2 + (blob.size() + 2) / 3 * 4);
  out += kFormatPrefix;
  out += ':';
  out += key_id;
  out += ':';
  out += Base64Encode(blob.bytes(), blob.size());
  return out;
}

std::optional<SecretString> Vault::Open(std::string_view sealed, const SecretContext& where,
                                        std::string* error) const {
  if (!CheckContext(where, error)) return std::nullopt;
  const std::string what = "vault: cannot decrypt " + Describe(where) + ": ";
  std::optional<SealedParts> parts = Split(sealed);
  if (!parts || parts->version.empty() || parts->version.size() > 16 ||
      parts->version.substr(0, 3) != "cfv") {
    Fail(error, what +
                    "the stored value is not an encrypted vault value (expected "
                    "cfv1:<key id>:<data>); it was not written by this vault or is damaged");
    return std::nullopt;
  }
  if (parts->version != kFormatPrefix) {
    Fail(error, what +
                    "the stored value uses an unknown format version; it was written by a "
                    "newer version of the plugin, or is damaged");
    return std::nullopt;
  }
  if (!IsValidKeyId(parts->key_id)) {
    Fail(error, what + "the stored value's key id is malformed; the value is damaged");
    return std::nullopt;
  }
  const SecretString* key = keys_.Find(parts->key_id);
  if (key == nullptr) {
    std::string loaded;
    for (const std::string& id : keys_.ids()) {
      if (!loaded.empty()) loaded += ", ";
      loaded += id;
    }
    Fail(error, what + "it was encrypted with key \"" + std::string(parts->key_id) +
                    "\", which is not loaded (loaded: " + (loaded.empty() ? "none" : loaded) +
                    "); add that key to " + KeyRing::kKeysVar +
                    " or the key file (see docs/key-management.md)");
    return std::nullopt;
  }
  if (parts->payload.size() > 2 * kMaxPlaintextSize) {
    Fail(error, what + "the stored value is too large to be a vault value");
    return std::nullopt;
  }
  std::vector<unsigned char> blob(Base64MaxDecodedSize(parts->payload.size()));
  size_t n = 0;
  if (!Base64Decode(parts->payload, blob.data(), &n)) {
    Fail(error, what + "the encrypted data is not valid base64; the value is damaged");
    return std::nullopt;
  }
  if (n < kNonceSize + kTagSize) {
    Fail(error, what + "the encrypted data is too short (truncated)");
    return std::nullopt;
  }
  const size_t text_size = n - kNonceSize - kTagSize;
  SecretString plaintext = SecretString::OfSize(text_size);
  const std::string aad = AdditionalData(parts->key_id, where);
  if (!GcmOpen(key->bytes(), blob.data(), aad, blob.data() + kNonceSize, text_size,
               blob.data() + kNonceSize + text_size, plaintext.mutable_bytes())) {
    Fail(error, what + "authentication failed: the key \"" + std::string(parts->key_id) +
                    "\" is not the one that encrypted it, or the value was altered, or it "
                    "belongs to another connection or field");
    return std::nullopt;  // `plaintext` is wiped by its destructor
  }
  return plaintext;
}

std::optional<std::string> Vault::Reseal(std::string_view sealed, const SecretContext& where,
                                         bool* changed, std::string* error) const {
  if (changed != nullptr) *changed = false;
  std::optional<SecretString> plain = Open(sealed, where, error);
  if (!plain) return std::nullopt;
  std::optional<std::string> id = KeyIdOf(sealed);
  if (id && *id == keys_.current_id()) return std::string(sealed);
  std::optional<std::string> out = Seal(*plain, where, error);
  if (out && changed != nullptr) *changed = true;
  return out;
}

ResealReport Vault::ResealAll(std::vector<SealedSecret>* entries) const {
  ResealReport report;
  for (SealedSecret& entry : *entries) {
    bool changed = false;
    std::string error;
    std::optional<std::string> out = Reseal(entry.sealed, entry.where, &changed, &error);
    if (!out) {
      ++report.failed;
      report.errors.push_back(std::move(error));
      continue;
    }
    if (changed) {
      entry.sealed = std::move(*out);
      ++report.resealed;
    } else {
      ++report.unchanged;
    }
  }
  return report;
}

std::optional<std::string> Vault::KeyIdOf(std::string_view sealed) {
  std::optional<SealedParts> parts = Split(sealed);
  if (!parts || parts->version != kFormatPrefix || !IsValidKeyId(parts->key_id)) {
    return std::nullopt;
  }
  return std::string(parts->key_id);
}

}  // namespace cf::sf
