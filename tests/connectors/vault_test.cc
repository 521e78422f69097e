// The token vault: AES-256-GCM round trips, tamper detection, key rings and rotation, key
// loading from the environment and from files (with their permission checks), SecretString,
// and that no error message ever contains a secret.
#include "connectors/salesforce/vault.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace cf::sf {
namespace {

// Fixed test keys (base64 of 32 bytes) and their raw bytes, so messages can be searched for both.
const std::string kKeyA = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31
const std::string kKeyB = "//79/Pv6+fj39vX08/Lx8O/u7ezr6uno5+bl5OPi4eA=";  // bytes 255..224
const std::string kPlaintext = "5Aep861TSESvWeug_refresh_token_value_1234567890";

std::string RawKeyA() {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(i);
  return raw;
}
std::string RawKeyB() {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw += static_cast<char>(255 - i);
  return raw;
}

KeyRing MustParse(const std::string& spec) {
  std::string error;
  std::optional<KeyRing> ring = KeyRing::Parse(spec, "test", &error);
  EXPECT_TRUE(ring.has_value()) << error;
  return ring ? std::move(*ring) : KeyRing();
}

const SecretContext kWhere{"prod-org", "refresh_token"};

std::string MustSeal(const Vault& vault, const std::string& plaintext,
                     const SecretContext& where = kWhere) {
  std::string error;
  std::optional<std::string> sealed = vault.Seal(SecretString(plaintext), where, &error);
  EXPECT_TRUE(sealed.has_value()) << error;
  return sealed.value_or("");
}

std::string MustOpen(const Vault& vault, const std::string& sealed,
                     const SecretContext& where = kWhere) {
  std::string error;
  std::optional<SecretString> plain = vault.Open(sealed, where, &error);
  EXPECT_TRUE(plain.has_value()) << error;
  return plain ? std::string(plain->Reveal()) : "";
}

// Every error message a test sees goes through here: none may hold a secret (the plaintext, the
// test keys raw or in base64, or the sealed payload).
void ExpectNoSecret(const std::string& message, const std::string& sealed = {}) {
  std::vector<std::string> secrets = {kPlaintext,
                                      kKeyA,
                                      kKeyB,
                                      RawKeyA(),
                                      RawKeyB(),
                                      kPlaintext.substr(0, 12),
                                      kKeyA.substr(0, 12),
                                      kKeyB.substr(0, 12)};
  if (sealed.size() > 20) secrets.push_back(sealed.substr(8, 12));
  for (const std::string& secret : secrets) {
    EXPECT_EQ(message.find(secret), std::string::npos) << "secret in: " << message;
  }
}

std::string OpenError(const Vault& vault, const std::string& sealed,
                      const SecretContext& where = kWhere) {
  std::string error;
  std::optional<SecretString> plain = vault.Open(sealed, where, &error);
  EXPECT_FALSE(plain.has_value()) << "opened unexpectedly";
  EXPECT_FALSE(error.empty());
  ExpectNoSecret(error, sealed);
  return error;
}

TEST(SecretStringTest, NeverPrintsItself) {
  SecretString s("hunter2");
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "***");
  EXPECT_EQ(::testing::PrintToString(s), "***");
  EXPECT_EQ(s.Reveal(), "hunter2");
  EXPECT_EQ(s.size(), 7u);
}

TEST(SecretStringTest, CopyMoveCompareClear) {
  SecretString a("token");
  SecretString b = a;
  EXPECT_TRUE(a == b);
  SecretString c = std::move(b);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
  EXPECT_TRUE(c == a);
  EXPECT_FALSE(c == SecretString("tokeN"));
  EXPECT_FALSE(c == SecretString("token2"));
  c.Clear();
  EXPECT_TRUE(c.empty());
  EXPECT_EQ(c.Reveal(), "");
  a = SecretString("other");
  EXPECT_EQ(a.Reveal(), "other");
}

TEST(SecretStringTest, TakeWipesTheSource) {
  std::string source = "a-password-of-some-length-beyond-sso";
  SecretString s = SecretString::Take(&source);
  EXPECT_TRUE(source.empty());
  EXPECT_EQ(s.Reveal(), "a-password-of-some-length-beyond-sso");
}

TEST(VaultTest, RoundTrip) {
  Vault vault(MustParse("k1:" + kKeyA));
  for (const std::string& text : {kPlaintext, std::string(), std::string("x"),
                                  std::string(1000, 'z'), std::string("caf\xc3\xa9 \0 nul", 11)}) {
    std::string sealed = MustSeal(vault, text);
    EXPECT_EQ(sealed.rfind("cfv1:k1:", 0), 0u) << sealed;
    if (text.size() >= 8) {
      EXPECT_EQ(sealed.find(text), std::string::npos);
    }
    EXPECT_EQ(MustOpen(vault, sealed), text);
  }
}

TEST(VaultTest, FreshNoncePerEncryption) {
  Vault vault(MustParse("k1:" + kKeyA));
  std::set<std::string> seen;
  for (int i = 0; i < 50; ++i) seen.insert(MustSeal(vault, kPlaintext));
  EXPECT_EQ(seen.size(), 50u);
}

TEST(VaultTest, KeyIdOf) {
  Vault vault(MustParse("k1:" + kKeyA));
  EXPECT_EQ(Vault::KeyIdOf(MustSeal(vault, "x")), "k1");
  EXPECT_EQ(Vault::KeyIdOf("plain text"), std::nullopt);
  EXPECT_EQ(Vault::KeyIdOf("cfv2:k1:AAAA"), std::nullopt);
}

TEST(VaultTest, EveryAlteredCharacterIsDetected) {
  Vault vault(MustParse("k1:" + kKeyA + ",k2:" + kKeyB));
  const std::string sealed = MustSeal(vault, kPlaintext);
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=:";
  for (size_t i = 0; i < sealed.size(); ++i) {
    // Two different replacements per position: one nearby, one far in the alphabet.
    for (size_t shift : {1u, 31u}) {
      std::string altered = sealed;
      size_t at = alphabet.find(sealed[i]);
      altered[i] = alphabet[((at == std::string::npos ? 0 : at) + shift) % alphabet.size()];
      if (altered == sealed) continue;
      std::string error;
      EXPECT_FALSE(vault.Open(altered, kWhere, &error).has_value())
          << "position " << i << " altered to " << altered[i] << " went unnoticed";
      ExpectNoSecret(error, altered);
    }
  }
}

// Byte-level tampering of the decoded payload: nonce, ciphertext, tag.
std::string Reencode(const std::string& sealed, size_t byte_index, unsigned char flip) {
  // Decode the payload, flip a byte, encode again (standard base64).
  const std::string prefix = sealed.substr(0, sealed.rfind(':') + 1);
  const std::string payload = sealed.substr(prefix.size());
  static const std::string kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string bytes;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : payload) {
    if (c == '=') break;
    acc = (acc << 6) | static_cast<uint32_t>(kAlphabet.find(c));
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  bytes[byte_index] = static_cast<char>(static_cast<unsigned char>(bytes[byte_index]) ^ flip);
  std::string out;
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kAlphabet[(v >> s) & 63];
  }
  if (bytes.size() - i == 1) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += "==";
  } else if (bytes.size() - i == 2) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += '=';
  }
  return prefix + out;
}

TEST(VaultTest, TamperedNonceCiphertextOrTagFailsAuthentication) {
  Vault vault(MustParse("k1:" + kKeyA));
  const std::string sealed = MustSeal(vault, kPlaintext);
  const size_t total = Vault::kNonceSize + kPlaintext.size() + Vault::kTagSize;
  ASSERT_EQ(Reencode(sealed, 0, 0), sealed);  // the helper re-encodes faithfully
  for (size_t i = 0; i < total; ++i) {
    for (unsigned char flip : {0x01, 0x80}) {
      std::string error = OpenError(vault, Reencode(sealed, i, flip));
      EXPECT_NE(error.find("authentication failed"), std::string::npos) << i << ": " << error;
    }
  }
}

TEST(VaultTest, WrongKeyFails) {
  Vault sealer(MustParse("k1:" + kKeyA));
  Vault other(MustParse("k1:" + kKeyB));  // same id, different bytes
  std::string error = OpenError(other, MustSeal(sealer, kPlaintext));
  EXPECT_NE(error.find("authentication failed"), std::string::npos) << error;
  EXPECT_NE(error.find("key \"k1\" is not the one"), std::string::npos) << error;
}

TEST(VaultTest, WrongConnectionOrFieldFails) {
  Vault vault(MustParse("k1:" + kKeyA));
  const std::string sealed = MustSeal(vault, kPlaintext);
  OpenError(vault, sealed, {"other-org", "refresh_token"});
  OpenError(vault, sealed, {"prod-org", "client_secret"});
  OpenError(vault, sealed, {"prod-org2", "refresh_token"});
  EXPECT_EQ(MustOpen(vault, sealed), kPlaintext);
}

TEST(VaultTest, InvalidContextIsRefused) {
  Vault vault(MustParse("k1:" + kKeyA));
  std::string error;
  EXPECT_FALSE(vault.Seal(SecretString("x"), {"a;field=b", "c"}, &error));
  EXPECT_NE(error.find("connection name"), std::string::npos);
  EXPECT_FALSE(vault.Seal(SecretString("x"), {"a", ""}, &error));
  EXPECT_NE(error.find("field name"), std::string::npos);
  EXPECT_FALSE(vault.Seal(SecretString("x"), {"a", "b=c"}, &error));
}

TEST(VaultTest, TruncatedAndMalformedInputs) {
  Vault vault(MustParse("k1:" + kKeyA));
  const std::string sealed = MustSeal(vault, kPlaintext);
  EXPECT_NE(OpenError(vault, "").find("not an encrypted vault value"), std::string::npos);
  EXPECT_NE(OpenError(vault, kPlaintext).find("not an encrypted vault value"), std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv1:k1").find("not an encrypted vault value"), std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv1:k1:").find("too short"), std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv1:k1:AAAA").find("too short"), std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv9:k1:" + sealed.substr(8)).find("unknown format version"),
            std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv1:k 1:" + sealed.substr(8)).find("key id is malformed"),
            std::string::npos);
  EXPECT_NE(OpenError(vault, "cfv1:k1:" + sealed.substr(8) + "!").find("not valid base64"),
            std::string::npos);
  // Cut at every length: never opens.
  for (size_t n = 0; n < sealed.size(); ++n) OpenError(vault, sealed.substr(0, n));
}

TEST(VaultTest, UnknownKeyIdSaysWhichKeyToAdd) {
  Vault old_vault(MustParse("old:" + kKeyA));
  Vault new_vault(MustParse("new:" + kKeyB));
  std::string error = OpenError(new_vault, MustSeal(old_vault, kPlaintext));
  EXPECT_NE(error.find("encrypted with key \"old\", which is not loaded (loaded: new)"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("CF_VAULT_KEYS"), std::string::npos) << error;
}

TEST(VaultTest, EmptyRingCannotSeal) {
  Vault vault{KeyRing()};
  std::string error;
  EXPECT_FALSE(vault.Seal(SecretString("x"), kWhere, &error));
  EXPECT_NE(error.find("no key is loaded"), std::string::npos);
}

TEST(VaultRotationTest, OldValuesOpenNewValuesUseTheNewKeyAndResealMovesThem) {
  // Before: one key.
  Vault before(MustParse("2025:" + kKeyA));
  std::vector<SealedSecret> stored = {
      {{"prod-org", "refresh_token"}, MustSeal(before, "refresh-1", {"prod-org", "refresh_token"})},
      {{"prod-org", "client_secret"}, MustSeal(before, "secret-1", {"prod-org", "client_secret"})},
      {{"sandbox", "access_token"}, MustSeal(before, "access-1", {"sandbox", "access_token"})},
  };
  // Rotation: the new key first (current), the old one kept for reading.
  Vault after(MustParse("2026:" + kKeyB + ",2025:" + kKeyA));
  EXPECT_EQ(after.keys().current_id(), "2026");
  EXPECT_EQ(MustOpen(after, stored[0].sealed, stored[0].where), "refresh-1");
  EXPECT_EQ(Vault::KeyIdOf(MustSeal(after, "fresh")), "2026");

  // One value already resealed by hand stays as it is.
  bool changed = true;
  std::string error;
  std::optional<std::string> once =
      after.Reseal(stored[2].sealed, stored[2].where, &changed, &error);
  ASSERT_TRUE(once) << error;
  EXPECT_TRUE(changed);
  stored[2].sealed = *once;
  std::optional<std::string> twice = after.Reseal(*once, stored[2].where, &changed, &error);
  ASSERT_TRUE(twice) << error;
  EXPECT_FALSE(changed);
  EXPECT_EQ(*twice, *once);

  // A damaged entry is reported and left alone.
  stored.push_back({{"broken", "refresh_token"}, "cfv1:2025:AAAA"});
  ResealReport report = after.ResealAll(&stored);
  EXPECT_EQ(report.resealed, 2u);
  EXPECT_EQ(report.unchanged, 1u);
  EXPECT_EQ(report.failed, 1u);
  ASSERT_EQ(report.errors.size(), 1u);
  EXPECT_NE(report.errors[0].find("broken"), std::string::npos);
  EXPECT_EQ(stored[3].sealed, "cfv1:2025:AAAA");
  for (size_t i = 0; i < 3; ++i) EXPECT_EQ(Vault::KeyIdOf(stored[i].sealed), "2026");

  // After the old key is dropped, everything resealed still opens.
  Vault final_vault(MustParse("2026:" + kKeyB));
  EXPECT_EQ(MustOpen(final_vault, stored[0].sealed, stored[0].where), "refresh-1");
  EXPECT_EQ(MustOpen(final_vault, stored[1].sealed, stored[1].where), "secret-1");
  EXPECT_EQ(MustOpen(final_vault, stored[2].sealed, stored[2].where), "access-1");
}

TEST(KeyRingTest, ParseFormats) {
  KeyRing one = MustParse(kKeyA);
  EXPECT_EQ(one.current_id(), "default");
  KeyRing list = MustParse(" new : " + kKeyB + " ,\n# comment\n old:" + kKeyA + "\n\n");
  EXPECT_EQ(list.ids(), (std::vector<std::string>{"new", "old"}));
  EXPECT_EQ(list.current_id(), "new");
  EXPECT_EQ(std::string(list.Find("old")->Reveal()), RawKeyA());
  std::string error;
  EXPECT_TRUE(list.SetCurrent("old", &error)) << error;
  EXPECT_EQ(list.current_id(), "old");
  EXPECT_FALSE(list.SetCurrent("nope", &error));
}

TEST(KeyRingTest, BadKeysAreRefusedWithoutEchoingThem) {
  const std::string short_key = "c2hvcnQta2V5LWJ5dGVz";  // "short-key-bytes"
  const std::map<std::string, std::string> cases = {
      {"", "holds no key"},
      {"k1:" + short_key, "decodes to 15 bytes; AES-256 needs 32"},
      {"k1:" + kKeyA + "!", "is not valid base64"},
      {"k1:" + kKeyA.substr(0, 42) + "9=", "is not valid base64"},  // non-canonical last char
      {"bad id:" + kKeyA, "key id must be"},
      {"k1:" + kKeyA + ",k1:" + kKeyB, "appears twice"},
  };
  for (const auto& [spec, expected] : cases) {
    std::string error;
    EXPECT_FALSE(KeyRing::Parse(spec, "CF_VAULT_KEYS", &error).has_value()) << spec;
    EXPECT_NE(error.find(expected), std::string::npos) << spec << " -> " << error;
    EXPECT_NE(error.find("CF_VAULT_KEYS"), std::string::npos) << error;
    ExpectNoSecret(error);
    EXPECT_EQ(error.find(short_key), std::string::npos) << error;
  }
}

TEST(KeyRingTest, FromEnvironment) {
  auto env = [](std::map<std::string, std::string> vars) {
    return [vars = std::move(vars)](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  };
  std::string error;
  std::optional<KeyRing> ring =
      KeyRing::FromEnvironment(&error, env({{"CF_VAULT_KEYS", "a:" + kKeyA + ",b:" + kKeyB}}));
  ASSERT_TRUE(ring) << error;
  EXPECT_EQ(ring->current_id(), "a");

  ring = KeyRing::FromEnvironment(&error, env({{"CF_VAULT_KEY", kKeyB}, {"CF_VAULT_KEYS", ""}}));
  ASSERT_TRUE(ring) << error;
  EXPECT_EQ(ring->current_id(), "default");

  EXPECT_FALSE(KeyRing::FromEnvironment(&error, env({})));
  EXPECT_NE(error.find("no encryption key"), std::string::npos) << error;
  EXPECT_NE(error.find("openssl rand -base64 32"), std::string::npos) << error;

  EXPECT_FALSE(KeyRing::FromEnvironment(
      &error, env({{"CF_VAULT_KEY", kKeyA}, {"CF_VAULT_KEY_FILE", "/nonexistent"}})));
  EXPECT_NE(error.find("set only one of"), std::string::npos) << error;
  EXPECT_NE(error.find("found CF_VAULT_KEY, CF_VAULT_KEY_FILE"), std::string::npos) << error;
  EXPECT_EQ(error.find(kKeyA), std::string::npos) << error;

  EXPECT_FALSE(KeyRing::FromEnvironment(&error, env({{"CF_VAULT_KEY_FILE", "/nonexistent/k"}})));
  EXPECT_NE(error.find("cannot open the key file /nonexistent/k"), std::string::npos) << error;
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("cf_vault_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text, mode_t mode) {
    std::string path = (dir_ / name).string();
    {
      std::ofstream out(path, std::ios::binary);
      out << text;
    }
    EXPECT_EQ(::chmod(path.c_str(), mode), 0);
    return path;
  }

  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, OwnerOnlyFilesLoad) {
  for (mode_t mode : {0600, 0400}) {
    std::string path = Write("keys" + std::to_string(mode),
                             "# rotated 2026-01\nnew:" + kKeyB + "\nold:" + kKeyA + "\n", mode);
    std::string error;
    std::optional<KeyRing> ring = KeyRing::FromKeyFile(path, &error);
    ASSERT_TRUE(ring) << error;
    EXPECT_EQ(ring->ids(), (std::vector<std::string>{"new", "old"}));
  }
}

TEST_F(KeyFileTest, OpenPermissionsAreRefusedWithTheChmodToRun) {
  for (mode_t mode : {0644, 0640, 0604, 0660, 0666}) {
    std::string path = Write("keys", "k1:" + kKeyA + "\n", mode);
    std::string error;
    EXPECT_FALSE(KeyRing::FromKeyFile(path, &error)) << std::oct << mode;
    char expected[64];
    std::snprintf(expected, sizeof expected, "has permissions %04o", static_cast<unsigned>(mode));
    EXPECT_NE(error.find(expected), std::string::npos) << error;
    EXPECT_NE(error.find("run chmod 600 " + path), std::string::npos) << error;
    ExpectNoSecret(error);
  }
}

TEST_F(KeyFileTest, DirectoriesAndBadContentAreRefused) {
  std::string error;
  std::filesystem::create_directories(dir_ / "sub");
  ::chmod((dir_ / "sub").c_str(), 0700);
  EXPECT_FALSE(KeyRing::FromKeyFile((dir_ / "sub").string(), &error));
  EXPECT_NE(error.find("not a regular file"), std::string::npos) << error;

  std::string path = Write("short", "k1:c2hvcnQ=\n", 0600);
  EXPECT_FALSE(KeyRing::FromKeyFile(path, &error));
  EXPECT_NE(error.find(path), std::string::npos) << error;
  EXPECT_NE(error.find("decodes to 5 bytes"), std::string::npos) << error;

  path = Write("big", std::string(70 * 1024, '#'), 0600);
  EXPECT_FALSE(KeyRing::FromKeyFile(path, &error));
  EXPECT_NE(error.find("larger than 64 KiB"), std::string::npos) << error;
}

TEST_F(KeyFileTest, FromEnvironmentReadsTheFile) {
  std::string path = Write("keys", kKeyA + "\n", 0600);
  std::string error;
  std::optional<KeyRing> ring =
      KeyRing::FromEnvironment(&error, [&](const char* name) -> const char* {
        return std::string(name) == "CF_VAULT_KEY_FILE" ? path.c_str() : nullptr;
      });
  ASSERT_TRUE(ring) << error;
  EXPECT_EQ(ring->current_id(), "default");
}

// A sweep of every kind of failure, each message checked for secrets (the tests above check
// theirs as they go).
TEST(VaultTest, NoMessageContainsASecret) {
  Vault vault(MustParse("k1:" + kKeyA));
  const std::string sealed = MustSeal(vault, kPlaintext);
  Vault wrong(MustParse("k1:" + kKeyB));
  OpenError(wrong, sealed);
  OpenError(vault, sealed, {"prod-org", "access_token"});
  for (size_t n = 0; n < sealed.size(); n += 7) OpenError(vault, sealed.substr(0, n));
  OpenError(vault, sealed + "AAAA");
  OpenError(vault, "cfv1:k1:" + kPlaintext);
  OpenError(vault, kPlaintext);
  Vault missing(MustParse("k2:" + kKeyB));
  OpenError(missing, sealed);
  std::string error;
  EXPECT_FALSE(vault.Seal(SecretString(kPlaintext), {"bad;name", "f"}, &error));
  ExpectNoSecret(error);
  EXPECT_FALSE(Vault(KeyRing()).Seal(SecretString(kPlaintext), kWhere, &error));
  ExpectNoSecret(error);
  EXPECT_FALSE(KeyRing::Parse("k1:" + kKeyA + "," + kKeyB.substr(1), "CF_VAULT_KEYS", &error));
  ExpectNoSecret(error);
  EXPECT_FALSE(KeyRing::Parse(kPlaintext, "CF_VAULT_KEY", &error));
  ExpectNoSecret(error);
}

}  // namespace
}  // namespace cf::sf
