// Binding: the records an event is about. For an Event and a RecordSnapshot, finds the
// Contact or Lead (by the Ids the event gives, else by the customer's email, else phone), that
// person's Account, the Account's open Opportunity and the open Case. docs/events.md
// ("Binding") states every rule; in short:
//
//   Contact      event Id, else the Contact with the customer's email, else with the phone;
//                several: one with an AccountId first, then the latest LastModifiedDate,
//                then the smallest Id
//   Lead         event Id; else, only when no Contact is bound, as Contact (converted Leads
//                are skipped; the latest LastModifiedDate, then the smallest Id)
//   Account      event Id, else Contact.AccountId, else the given Opportunity's or Case's
//   Opportunity  event Id, else the Account's open (IsClosed false) Opportunity with the latest
//                LastModifiedDate (then smallest Id)
//   Case         event Id, else the Contact's latest open Case, else the Account's
//
// An Id the event gives wins over every lookup; if the cache does not hold that record yet, a
// record with only its Id is bound (so `Contact.Id IS NOT NULL` holds and updates reach it).
//
// Lookups use the snapshot's indexes (email, phone, Id, children): no scan of all records.
// Thread safety: a Binder is immutable; Bind may run from many threads at once.
#ifndef CF_ENGINE_BINDING_H_
#define CF_ENGINE_BINDING_H_

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "engine/condition.h"
#include "engine/event.h"
#include "engine/sync_sink.h"

namespace cf::engine {

// How a record was bound.
enum class BindSource : uint8_t {
  kNone,         // nothing found: null
  kEventId,      // the event gave its Id and the cache holds it
  kEventIdOnly,  // the event gave its Id, the cache does not hold it: only Id is set
  kEmail,        // the customer's email
  kPhone,        // the customer's phone
  kRelated,      // from another bound record (Contact.AccountId, Opportunity.AccountId, ...)
  kChild,        // an open child of the bound Account or Contact
};
const char* BindSourceName(BindSource source);  // "none", "event id", ...

struct Binding {
  // Contact, Lead, Account, Opportunity, Case (index: RuleRoot); nullptr when none. Records
  // are in the Environment's layouts. Valid while this Binding lives.
  std::array<const Record*, kRecordRootCount> records{};
  std::array<BindSource, kRecordRootCount> sources{};
  // Owns what `records` points at: the snapshot, and records made here (Id-only records,
  // records converted to the Environment's layouts).
  RecordSnapshotPtr snapshot;
  std::vector<RecordPtr> owned;

  const Record* record(RuleRoot root) const { return records[static_cast<int>(root)]; }
};

// Every field binding reads, as (object, field) names the schema has: for Contact and Lead
// their email and phone fields (all but Fax), LastModifiedDate, AccountId (Contact),
// IsConverted (Lead); for Opportunity and Case AccountId, ContactId (Case), IsClosed and
// LastModifiedDate; Id of all five. A selective sync must include them, or binding sees them
// as null (no email to find, every record open, ties broken by Id alone).
std::vector<std::pair<std::string, std::string>> BindingFieldNames(const Schema& schema);

class Binder {
 public:
  // REQUIRES: env comes from MakeRuleEnvironment and shares the snapshot's Schema objects (the
  // sink was built with the Environment's schema, and ideally its layouts). An object or
  // field the org lacks makes that step find nothing (no IsClosed field: every record is open).
  explicit Binder(std::shared_ptr<const Environment> env);

  // Binds an event. Never fails: what is not found is null. `snapshot` may be null (nothing
  // is cached: only event Ids bind). REQUIRES: the event was built on this Environment
  // (Evaluator converts events built on another one first).
  Binding Bind(const Event& event, RecordSnapshotPtr snapshot) const;

  const Environment& environment() const { return *env_; }

 private:
  struct ObjectInfo {
    int object = -1;               // schema index, -1 if the org lacks it
    int last_modified = -1;        // LastModifiedDate
    int is_closed = -1;            // IsClosed (Opportunity, Case), IsConverted (Lead)
    int account_id = -1;           // AccountId
    int contact_id = -1;           // ContactId (Case)
  };
  struct EventInfo {
    int object = -1;
    std::array<int, kRecordRootCount> id_fields{};  // contact_id .. case_id, -1 if absent
    int email = -1, phone = -1;                     // customer.email, customer.phone
    int from = -1, to = -1, direction = -1;          // call
  };

  const Record* Adopt(int object, const Record* r, Binding* b) const;
  const Record* FindById(int object, const SfId& id, const RecordSnapshot* snap, Binding* b,
                         BindSource* source) const;
  const Record* FindPerson(RuleRoot root, const Event& event, const RecordSnapshot& snap,
                           Binding* b, BindSource* source) const;
  const Record* Latest(const ObjectInfo& info, RecordSpan span, bool prefer_account) const;
  std::optional<SfId> EventId(const Event& event, RuleRoot root) const;
  std::optional<SfId> IdField(const Record* r, int field) const;

  std::shared_ptr<const Environment> env_;
  std::array<ObjectInfo, kRecordRootCount> objects_;
  std::array<EventInfo, kEventRootCount> events_;
};

}  // namespace cf::engine

#endif  // CF_ENGINE_BINDING_H_
