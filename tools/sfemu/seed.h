// Building an Org: from an org directory (examples/org), and large generated orgs for
// benchmarks.
//
// An org directory holds
//   describe/<Object>.json   one sObject describe body per object (Salesforce's shape)
//   records.json             records by object ({"Account": {"totalSize", "done", "records"}})
//   seed.json                users and their passwords, the connected app, field-level
//                            security, validation rules (Tooling API shape) and limits
// docs/emulator-seed.md describes seed.json.
//
// Conventions: nothing throws; a function that fails returns nullptr/false and sets *error
// (when not null) to one message naming the file and the culprit. Thread-safe (no shared state).
#ifndef CF_TOOLS_SFEMU_SEED_H_
#define CF_TOOLS_SFEMU_SEED_H_

#include <cstdint>
#include <memory>
#include <string>

#include "tools/sfemu/org.h"

namespace cf::sfemu {

// The directory of the default org, examples/org in the source tree (CF_SOURCE_DIR when the
// build defines it, else "examples/org" relative to the working directory).
std::string DefaultOrgDir();

// Loads an org directory into `org` (which must be empty: no schema set yet). Validation rules
// from seed.json are attached to their objects' engine::Object::validation_rules (inactive
// ones too, with active = false); fields hidden from the integration user are registered with
// Org::HideField. Records keep their Ids and audit stamps.
bool LoadSeedInto(Org& org, const std::string& dir, std::string* error);

// The same into a new Org.
std::unique_ptr<Org> LoadSeedOrg(const std::string& dir, std::string* error);

struct GenerateOptions {
  // Same seed, same records (same Ids, values and stamps). Default: 1.
  uint64_t seed = 1;
  // How many records to add in all (accounts, contacts, opportunities, cases, leads in the
  // proportions 1 : 3 : 2 : 2 : 2). Default: 100000.
  int64_t records = 100000;
  // The instant the generated history ends at (records are created and modified over the two
  // years before it). Default: 2026-11-27T16:20:00Z, the default org's "now".
  int64_t end_millis = 1795796400000;
};

// Adds generated records to a loaded org (its users own them; lookups point at generated
// accounts and contacts). Every value is valid for its field: picklist values, dependent
// picklists, lengths, required fields and the seed's active validation rules. Fast: about a
// second per 10^6 records on one core.
bool AddGeneratedRecords(Org& org, const GenerateOptions& options, std::string* error);

// The org of `dir` plus generated records: LoadSeedOrg then AddGeneratedRecords.
std::unique_ptr<Org> GenerateOrg(const std::string& dir, const GenerateOptions& options,
                                 std::string* error);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_SEED_H_
