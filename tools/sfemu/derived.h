// Fields Salesforce derives on a write from other fields of the same record, and the org
// metadata it derives them from. The fields are read-only in describe (createable and updateable
// false), so a client never sends them; the write path (validation.cc) adds them to every create
// and update, whichever API the write came through.
//
//   Opportunity  IsClosed, IsWon          from StageName, through OpportunityStage
//                Probability              the stage's DefaultProbability, when the stage changes
//                ForecastCategoryName     the stage's ForecastCategoryName, when the stage changes
//                                         (both only when the write does not set them itself)
//                ExpectedRevenue          Amount x Probability / 100, when either changes
//                FiscalYear, FiscalQuarter, Fiscal  of CloseDate ("2026 4"), the fiscal year
//                                         being the calendar year (a new org's default)
//   Case         IsClosed                 from Status, through CaseStatus
//                ClosedDate               the write's time when the case becomes closed; null
//                                         when a closed case is reopened
//   Lead/Contact Name                     FirstName MiddleName LastName Suffix, blanks skipped
//                                         (Salutation is not part of the API's Name)
//
// Thread safety: everything here is immutable or a pure function.
#ifndef CF_TOOLS_SFEMU_DERIVED_H_
#define CF_TOOLS_SFEMU_DERIVED_H_

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/schema.h"
#include "engine/value.h"

namespace cf::sfemu {

// One row of the OpportunityStage metadata (Setup > Opportunity Stages).
struct OpportunityStage {
  std::string_view name;                // the StageName picklist value
  bool closed = false;                  // IsClosed
  bool won = false;                     // IsWon
  int default_probability = 0;          // DefaultProbability, percent
  std::string_view forecast_category;   // ForecastCategoryName
};

// The stages of a new org, in their default order, with their standard values (Prospecting 10
// Pipeline ... Closed Won 100 Closed, Closed Lost 0 Omitted).
std::span<const OpportunityStage> StandardOpportunityStages();

// The stage named `name` (ASCII case ignored); nullptr if the metadata has none.
const OpportunityStage* FindOpportunityStage(std::string_view name);

// One row of the CaseStatus metadata.
struct CaseStatus {
  std::string_view name;
  bool closed = false;  // IsClosed
};

// New, Working, Escalated (open) and Closed (closed): the statuses of a new org.
std::span<const CaseStatus> StandardCaseStatuses();

// The status named `name` (ASCII case ignored); nullptr if the metadata has none.
const CaseStatus* FindCaseStatus(std::string_view name);

// The values Salesforce derives for one write of a record of `object`.
//   before: the stored record (update) or nullptr (create);
//   after:  the record as the write leaves it (before, the values sent, create defaults);
//   sent:   the names (as the schema spells them) of the fields the write sets;
//   now:    the write's time (ClosedDate), whole seconds.
// Returns field name -> value in Salesforce's wire format, only for fields the object has and
// only those the write changes; an empty object when nothing is derived. A stage or status the
// metadata does not list counts as open and not won, and leaves Probability and
// ForecastCategoryName as they are.
nlohmann::json DeriveFields(const engine::Object& object, const nlohmann::json* before,
                            const nlohmann::json& after, const std::vector<std::string>& sent,
                            engine::Millis now);

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_DERIVED_H_
