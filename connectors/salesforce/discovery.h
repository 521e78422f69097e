// Discovery: the org's objects and fields, as the integration user sees them, into the engine's
// Schema; and the schema cache that spares a describe on every start.
//
// Start here:
//   DiscoveryResult r = Discover(client, {});             // the six standard objects + customs
//   if (!r.ok()) report(r.failure.Describe());
//   std::shared_ptr<const engine::Schema> schema = r.org->schema;
//   SaveSchemaCache(*store, *r.org);                        // engine/state_store.h
//   ... next start:
//   std::optional<DiscoveredOrg> cached = LoadSchemaCache(*store, &error);   // no API call
//
// What it costs: describeGlobal (1 call), then the describes through Composite, 25 per call
// (Salesforce counts a Composite request as one call), then, when asked, one Tooling query
// listing the validation rules of the described objects (their formulas need one query per
// rule, so they are fetched only with `validation_rule_formulas`). Eight objects: 3 calls.
//
// What the Schema holds: what describe says (describe_json.h): fields with types, labels,
// lengths, picklists (restricted, dependent with validFor decoded), lookups with relationship
// names and targets, child relationships, createable/updateable/nillable/defaultedOnCreate.
// Fields hidden from the user by field-level security are absent from describe and so from
// the Schema. Validation rules go on their objects (Object::validation_rules).
//
// Objects that cannot be described (no access, NOT_FOUND) are left out with a warning; an
// object named in DiscoveryOptions::objects that does not exist is an error.
//
// Thread safety: Discover is a free function; it may run concurrently with other calls on the
// same client. Nothing throws.
#ifndef CF_CONNECTORS_SALESFORCE_DISCOVERY_H_
#define CF_CONNECTORS_SALESFORCE_DISCOVERY_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/sf_client.h"
#include "connectors/salesforce/sf_errors.h"
#include "engine/schema.h"
#include "engine/state_store.h"

namespace cf::sf {

// The standard objects the product works with, described unless options say otherwise.
const std::vector<std::string>& StandardObjects();  // Lead, Contact, Account, Opportunity, Case, Task, User

struct DiscoveryOptions {
  // Objects to describe. Empty: StandardObjects() plus, with include_custom_objects, every
  // custom object (name ending in "__c") that describeGlobal lists as queryable.
  std::vector<std::string> objects;
  bool include_custom_objects = true;
  // List the described objects' validation rules through the Tooling API (name, active,
  // message, error field). A user without the "View Setup" permission gets a warning, not an
  // error.
  bool validation_rules = true;
  // Also fetch each rule's formula (errorConditionFormula): one Tooling query per rule.
  bool validation_rule_formulas = false;
};

struct DiscoveredOrg {
  std::shared_ptr<const engine::Schema> schema;
  std::vector<GlobalObject> global;  // describeGlobal, in Salesforce's order
  nlohmann::json describe_global;    // its body, as received (what the cache stores)
  // The describe bodies by object name, as received (what the cache stores).
  nlohmann::json describes = nlohmann::json::object();
  // The validation rules as the Tooling API listed them (records), by object name.
  nlohmann::json validation_rules = nlohmann::json::object();
  std::vector<std::string> warnings;  // "Support_Contract__c: not described (...)"
  std::string fetched_at;             // ISO-8601 UTC time of discovery
  int api_calls = 0;                  // requests sent to counted REST paths
};

struct DiscoveryResult {
  std::optional<DiscoveredOrg> org;
  SfFailure failure;
  bool ok() const { return org.has_value(); }
};

DiscoveryResult Discover(const SalesforceClient& client, const DiscoveryOptions& options);

// Builds the Schema from describe bodies and validation-rule records (as DiscoveredOrg holds
// them). Fails with a message naming the object whose describe does not parse.
std::shared_ptr<const engine::Schema> BuildSchema(const nlohmann::json& describes,
                                                  const nlohmann::json& validation_rules,
                                                  std::string* error);

// The schema cache in a StateStore, namespace "schema": the describes, the validation rules,
// describeGlobal and the time of discovery. Save replaces the whole cache in one batch.
inline constexpr const char* kSchemaCacheNamespace = "schema";
engine::Status SaveSchemaCache(engine::StateStore& store, const DiscoveredOrg& org);
// nullopt and *error empty when nothing is cached; nullopt and *error set when the cache is
// unreadable (then discover again).
std::optional<DiscoveredOrg> LoadSchemaCache(engine::StateStore& store, std::string* error);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_DISCOVERY_H_
