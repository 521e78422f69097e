// Deletes as Salesforce does: with the records that go with a record, or not at all.
//
// Which relationships cascade and which restrict comes from the org's describe data (each
// parent's childRelationships, cascadeDelete and restrictedDelete), so the emulator follows the
// seed's metadata rather than a list of its own. In the example org that means:
//   - deleting an Account deletes its Contacts and Opportunities, and the Tasks whose WhatId
//     names the Account (and, through the deleted Contacts and Opportunities, their Tasks);
//   - deleting a Contact or Lead deletes the Tasks whose WhoId names it; deleting an
//     Opportunity, Case or Support_Contract__c deletes the Tasks whose WhatId names it;
//   - a live Case whose AccountId or ContactId names a record being deleted, or a
//     Support_Contract__c whose Account__c does, stops the delete (DELETE_FAILED), as
//     Salesforce Help says of accounts that have associated cases.
// Other lookups to a deleted record are left as they are (Salesforce clears them; the
// emulator does not).
//
// Thread safety: REQUIRES org.Lock() held.
#ifndef CF_TOOLS_SFEMU_CASCADE_H_
#define CF_TOOLS_SFEMU_CASCADE_H_

#include <optional>
#include <string_view>

#include "engine/schema.h"
#include "tools/sfemu/errors.h"
#include "tools/sfemu/org.h"

namespace cf::sfemu {

// Deletes the live record `id18` of `object` and, recursively, the live children of its
// cascade-delete relationships. Returns nullopt when all were deleted, or the DELETE_FAILED
// error (nothing deleted) when a live record outside that set points at one of them through
// a restricted-delete relationship:
//   "Your attempt to delete Mr. Josh Davis could not be completed because it is associated
//    with the following cases.: 00001005\n"
// (the text of a real org's answer, quoted in client code; names are the children's name
// field, e.g. CaseNumber, joined by ", ").
// REQUIRES: org.Lock() held; the record exists and is not deleted.
std::optional<SfError> DeleteWithCascadeLocked(Org& org, const engine::Object& object,
                                               std::string_view id18);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_CASCADE_H_
