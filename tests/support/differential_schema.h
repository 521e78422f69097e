// The synthetic org of the differential test: a small schema that uses every field type the
// condition language reads, random records drawn from small value pools (so that equality
// tests hit often), a RecordStore with lookups and child relationships wired up, and random
// bindings of records and time frames to the Environment's roots.
//
// Built programmatically (no JSON), deterministic from a seed. Immutable after construction;
// const methods are thread-safe.
#ifndef CF_TESTS_SUPPORT_DIFFERENTIAL_SCHEMA_H_
#define CF_TESTS_SUPPORT_DIFFERENTIAL_SCHEMA_H_

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "engine/condition.h"
#include "engine/record_store.h"
#include "engine/schema.h"
#include "engine/time_zone.h"
#include "engine/value.h"

namespace cf::test_support {

// Account, Opportunity, Case, User (with lookups, relationship names and child relationships)
// plus the standard event objects (conversation, call, deal).
//   Account: Id, Name, AnnualRevenue (currency), NumberOfEmployees (int), Score__c (double),
//     Rating__c (percent), Type and Industry (picklists), Regions__c (multipicklist),
//     Active__c (boolean), LastActivityDate (date), CreatedDate (datetime), SupportStart__c and
//     SupportEnd__c (time), Description (textarea), Phone, Website (url), OwnerId -> User
//     (Owner), ParentId -> Account (Parent); children Opportunities, Cases, ChildAccounts.
//   Opportunity: Id, Name, AccountId -> Account, Amount (currency), StageName (picklist),
//     IsWon, CloseDate, Probability (percent), OwnerId -> User, CreatedDate.
//   Case: Id, CaseNumber, Subject, AccountId -> Account, Status, Priority (picklists),
//     CreatedDate, ClosedDate, ContactEmail (email), OwnerId -> User, IsEscalated.
//   User: Id, Name, Email, IsActive, ManagerId -> User (Manager); child DirectReports.
std::shared_ptr<const engine::Schema> MakeDifferentialSchema();

// Value pools shared by the record generator and the condition generator, so that literals in
// generated conditions often equal record values.
struct DifferentialDomains {
  std::vector<std::string> numbers;   // decimal text: "500000.5", "-3", "0.1"
  std::vector<std::string> integers;  // for int fields
  std::vector<std::string> percents;
  std::vector<std::string> names;     // Name-like text, with case variants and edge cases
  std::vector<std::string> texts;     // other text: escapes, numbers as text, dates as text
  std::vector<std::string> emails;
  std::vector<std::string> phones;
  std::vector<std::string> urls;
  std::vector<engine::Days> dates;         // around every "today" of the time frames
  std::vector<engine::Days> near_dates;    // within 8 days of a "today", or a month's edge
  std::vector<engine::Millis> datetimes;   // incl. local midnights of the zones
  std::vector<engine::TimeOfDay> times;
  // Time frames: instants near day, month, quarter and year ends, and zones in which those
  // instants fall on different local days.
  std::vector<engine::Millis> anchors;
  std::vector<std::shared_ptr<const engine::TimeZone>> zones;

  // The pool of text values for a text field (names, emails, phones, urls or texts).
  const std::vector<std::string>& TextsFor(const engine::Field& field) const;
  // 15-character canonical Ids of records of `object_name` (existing ones first, then a few
  // that no record has), empty for an unknown object.
  const std::vector<std::string>& IdsOf(const std::string& object_name) const;
  // The object an Id-typed field points at: the object itself for "Id", the lookup target, or
  // for the event objects' "<object>_id" fields the object named so ("account_id" ->
  // Account). Empty when unknown.
  std::string IdTargetOf(const engine::Object& object, const engine::Field& field) const;

  std::vector<std::pair<std::string, std::vector<std::string>>> ids;  // object -> Ids
};

// One binding of records and a time frame to the Environment's roots.
struct DifferentialBinding {
  std::vector<const engine::Record*> roots;  // indexed like Environment::roots()
  engine::Millis now = 0;
  engine::Days today = 0;
  const engine::TimeZone* zone = nullptr;  // nullptr means UTC to the evaluator
  bool with_source = true;  // false: the context has no RecordSource (lookups, children null)

  // REQUIRES: this binding outlives the context (it points into `roots`).
  engine::EvalContext Context(const engine::RecordSource* source,
                              engine::EvalScratch* scratch) const;
};

class DifferentialWorld {
 public:
  explicit DifferentialWorld(uint64_t seed);

  const engine::Schema& schema() const { return *schema_; }
  const engine::Environment& env() const { return *env_; }
  const engine::RecordStore& store() const { return *store_; }
  const DifferentialDomains& domains() const { return domains_; }

  // A random binding: an Account (sometimes none), often one of its Opportunities and Cases
  // and its Owner, random events, a random anchor instant and zone (UTC sometimes as a null
  // zone), and rarely no RecordSource.
  DifferentialBinding RandomBinding(std::mt19937_64* rng) const;
  // "now=... zone=... today=...; Account=001... Opportunity=none ...".
  std::string Describe(const DifferentialBinding& binding) const;

 private:
  void BuildDomains();
  void BuildRecords(std::mt19937_64* rng);
  engine::RecordPtr RandomRecord(int object_index, const std::string& id, std::mt19937_64* rng);

  std::shared_ptr<const engine::Schema> schema_;
  std::unique_ptr<engine::Environment> env_;
  std::unique_ptr<engine::RecordStore> store_;
  DifferentialDomains domains_;
  std::vector<std::vector<engine::RecordPtr>> events_;  // per root index, for event roots
};

// "Account{Id=001..., Name=\"Acme\", AnnualRevenue=null:number, ...}".
std::string DescribeRecord(const engine::Record& record);

}  // namespace cf::test_support

#endif  // CF_TESTS_SUPPORT_DIFFERENTIAL_SCHEMA_H_
