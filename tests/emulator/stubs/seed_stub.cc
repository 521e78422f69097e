// Temporary stand-in for tools/sfemu/seed.cc (see README.md here): the example org's schema,
// one integration user and the connected app; no records.
#include "connectors/salesforce/describe_json.h"
#include "tools/sfemu/seed.h"

namespace cf::sfemu {

std::string DefaultOrgDir() {
#ifdef CF_SOURCE_DIR
  return std::string(CF_SOURCE_DIR) + "/examples/org";
#else
  return "examples/org";
#endif
}

bool LoadSeedInto(Org& org, const std::string& dir, std::string* error) {
  std::string ignored;
  std::shared_ptr<const engine::Schema> schema = sf::LoadSchemaFile(dir + "/describe", error ? error : &ignored);
  if (!schema) return false;
  org.SetSchema(schema);
  OrgUser user;
  user.id = "0055g00000IntEgAAA";
  user.username = "integration@connectflo.example";
  user.password = "Integration-Pass1SecurityToken0";
  user.name = "Integration User";
  user.email = "integration@connectflo.example";
  user.integration = true;
  org.AddUser(user);
  OrgUser other = user;
  other.id = "0055g00000NoApiAAA";
  other.username = "noapi@connectflo.example";
  other.name = "No Api";
  other.api_enabled = false;
  other.integration = false;
  org.AddUser(other);
  org.SetConnectedApp({"3MVG9ConnectFloEmulatorClientId", "EmulatorClientSecret0123456789",
                       "http://localhost:8765/callback"});
  return true;
}

std::unique_ptr<Org> LoadSeedOrg(const std::string& dir, std::string* error) {
  auto org = std::make_unique<Org>();
  if (!LoadSeedInto(*org, dir, error)) return nullptr;
  return org;
}

bool AddGeneratedRecords(Org&, const GenerateOptions&, std::string* error) {
  if (error) *error = "record generation is not available yet (stub seed)";
  return false;
}

std::unique_ptr<Org> GenerateOrg(const std::string& dir, const GenerateOptions& options, std::string* error) {
  auto org = LoadSeedOrg(dir, error);
  if (!org || !AddGeneratedRecords(*org, options, error)) return nullptr;
  return org;
}

}  // namespace cf::sfemu
