// Derived fields (see derived.h).
//
// Sources: Salesforce's Object Reference. Opportunity: IsClosed and IsWon are set only through
// StageName; Probability and ForecastCategoryName are implied by StageName and may be
// overridden. OpportunityStage holds IsClosed, IsWon, DefaultProbability and
// ForecastCategoryName per stage; ExpectedRevenue is Amount times Probability; FiscalYear,
// FiscalQuarter and Fiscal ("YYYY Q") come from CloseDate. Case: IsClosed and ClosedDate follow Status through
// CaseStatus. The standard stage values are those of a new org, the same the seed's records and
// generator (seed.cc) use.
#include "tools/sfemu/derived.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>

#include "connectors/salesforce/record_json.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;

constexpr OpportunityStage kStages[] = {
    {"Prospecting", false, false, 10, "Pipeline"},
    {"Qualification", false, false, 10, "Pipeline"},
    {"Needs Analysis", false, false, 20, "Pipeline"},
    {"Value Proposition", false, false, 50, "Pipeline"},
    {"Id. Decision Makers", false, false, 60, "Pipeline"},
    {"Perception Analysis", false, false, 70, "Pipeline"},
    {"Proposal/Price Quote", false, false, 75, "Pipeline"},
    {"Negotiation/Review", false, false, 90, "Pipeline"},
    {"Closed Won", true, true, 100, "Closed"},
    {"Closed Lost", true, false, 0, "Omitted"},
};

constexpr CaseStatus kCaseStatuses[] = {
    {"New", false},
    {"Working", false},
    {"Escalated", false},
    {"Closed", true},
};

bool Sent(const std::vector<std::string>& sent, std::string_view name) {
  return std::any_of(sent.begin(), sent.end(),
                     [&](const std::string& s) { return engine::EqualsIgnoreCase(s, name); });
}

// The record's text value of `name`; "" when absent, null or not text.
std::string Text(const json* record, std::string_view name) {
  if (record == nullptr || !record->is_object()) return {};
  auto it = record->find(std::string(name));
  return it != record->end() && it->is_string() ? it->get<std::string>() : std::string();
}

bool Flag(const json* record, std::string_view name) {
  if (record == nullptr || !record->is_object()) return false;
  auto it = record->find(std::string(name));
  return it != record->end() && it->is_boolean() && it->get<bool>();
}

void DeriveStage(const engine::Object& object, const json* before, const json& after,
                 const std::vector<std::string>& sent, json* out) {
  if (before != nullptr && !Sent(sent, "StageName")) return;
  const std::string stage_name = Text(&after, "StageName");
  const OpportunityStage* stage = FindOpportunityStage(stage_name);
  if (object.FindField("IsClosed") != nullptr) (*out)["IsClosed"] = stage != nullptr && stage->closed;
  if (object.FindField("IsWon") != nullptr) (*out)["IsWon"] = stage != nullptr && stage->won;
  const bool stage_changed = before == nullptr || Text(before, "StageName") != stage_name;
  if (stage == nullptr || !stage_changed) return;
  if (object.FindField("Probability") != nullptr && !Sent(sent, "Probability")) {
    (*out)["Probability"] = stage->default_probability;
  }
  if (object.FindField("ForecastCategoryName") != nullptr && !Sent(sent, "ForecastCategoryName")) {
    (*out)["ForecastCategoryName"] = std::string(stage->forecast_category);
  }
}

// ExpectedRevenue = Amount x Probability / 100 (a currency, 2 decimals); null when either is.
void DeriveExpectedRevenue(const engine::Object& object, const json* before, const json& after,
                           const std::vector<std::string>& sent, json* out) {
  if (object.FindField("ExpectedRevenue") == nullptr) return;
  const bool probability_derived = out->contains("Probability");
  if (before != nullptr && !Sent(sent, "Amount") && !Sent(sent, "Probability") &&
      !probability_derived) {
    return;
  }
  const json* amount = after.contains("Amount") ? &after["Amount"] : nullptr;
  const json* probability = probability_derived ? &(*out)["Probability"]
                            : after.contains("Probability") ? &after["Probability"]
                                                            : nullptr;
  if (amount == nullptr || probability == nullptr || !amount->is_number() ||
      !probability->is_number()) {
    if (before != nullptr) (*out)["ExpectedRevenue"] = nullptr;
    return;
  }
  const double cents = std::round(amount->get<double>() * probability->get<double>());  // x100/100
  if (cents == std::trunc(cents / 100) * 100 && std::fabs(cents) < 9e15) {
    (*out)["ExpectedRevenue"] = static_cast<int64_t>(cents / 100);
  } else {
    (*out)["ExpectedRevenue"] = cents / 100;
  }
}

// FiscalYear, FiscalQuarter and Fiscal ("2026 4") of CloseDate, in an org whose fiscal year is
// the calendar year (a new org's default).
void DeriveFiscal(const engine::Object& object, const json* before, const json& after,
                  const std::vector<std::string>& sent, json* out) {
  if (before != nullptr && !Sent(sent, "CloseDate")) return;
  const std::string date = Text(&after, "CloseDate");
  int year = 0;
  int month = 0;
  if (date.size() < 7 || std::sscanf(date.c_str(), "%4d-%2d", &year, &month) != 2 || month < 1 ||
      month > 12) {
    return;  // CloseDate is required: validation has refused a write without one
  }
  const int quarter = (month - 1) / 3 + 1;
  if (object.FindField("FiscalYear") != nullptr) (*out)["FiscalYear"] = year;
  if (object.FindField("FiscalQuarter") != nullptr) (*out)["FiscalQuarter"] = quarter;
  if (object.FindField("Fiscal") != nullptr) {
    (*out)["Fiscal"] = std::to_string(year) + " " + std::to_string(quarter);
  }
}

void DeriveOpportunity(const engine::Object& object, const json* before, const json& after,
                       const std::vector<std::string>& sent, json* out) {
  DeriveStage(object, before, after, sent, out);
  DeriveExpectedRevenue(object, before, after, sent, out);
  DeriveFiscal(object, before, after, sent, out);
}

void DeriveCase(const engine::Object& object, const json* before, const json& after,
                const std::vector<std::string>& sent, engine::Millis now, json* out) {
  if (before != nullptr && !Sent(sent, "Status")) return;
  const CaseStatus* status = FindCaseStatus(Text(&after, "Status"));
  const bool closed = status != nullptr && status->closed;
  if (object.FindField("IsClosed") != nullptr) (*out)["IsClosed"] = closed;
  if (object.FindField("ClosedDate") == nullptr) return;
  const bool was_closed = Flag(before, "IsClosed");
  if (closed && !was_closed) {
    (*out)["ClosedDate"] = sf::FormatSalesforceDateTime(now);
  } else if (!closed && was_closed) {
    (*out)["ClosedDate"] = nullptr;
  }
}

// Person names: Lead and Contact (any object whose read-only Name is built from FirstName and
// LastName).
void DerivePersonName(const engine::Object& object, const json* before, const json& after,
                      const std::vector<std::string>& sent, json* out) {
  static constexpr std::string_view kParts[] = {"FirstName", "MiddleName", "LastName", "Suffix"};
  if (before != nullptr &&
      std::none_of(std::begin(kParts), std::end(kParts),
                   [&](std::string_view p) { return Sent(sent, p); })) {
    return;
  }
  std::string name;
  for (std::string_view part : kParts) {
    if (object.FindField(part) == nullptr) continue;
    const std::string text = Text(&after, part);
    if (text.empty()) continue;
    if (!name.empty()) name += ' ';
    name += text;
  }
  (*out)["Name"] = name;
}

bool IsPersonNamed(const engine::Object& object) {
  const engine::Field* name = object.FindField("Name");
  return name != nullptr && !name->createable && !name->updateable &&
         object.FindField("FirstName") != nullptr && object.FindField("LastName") != nullptr;
}

}  // namespace

std::span<const OpportunityStage> StandardOpportunityStages() { return kStages; }

const OpportunityStage* FindOpportunityStage(std::string_view name) {
  for (const OpportunityStage& s : kStages) {
    if (engine::EqualsIgnoreCase(s.name, name)) return &s;
  }
  return nullptr;
}

std::span<const CaseStatus> StandardCaseStatuses() { return kCaseStatuses; }

const CaseStatus* FindCaseStatus(std::string_view name) {
  for (const CaseStatus& s : kCaseStatuses) {
    if (engine::EqualsIgnoreCase(s.name, name)) return &s;
  }
  return nullptr;
}

json DeriveFields(const engine::Object& object, const json* before, const json& after,
                  const std::vector<std::string>& sent, engine::Millis now) {
  json out = json::object();
  if (engine::EqualsIgnoreCase(object.name, "Opportunity") && object.FindField("StageName")) {
    DeriveOpportunity(object, before, after, sent, &out);
  } else if (engine::EqualsIgnoreCase(object.name, "Case") && object.FindField("Status")) {
    DeriveCase(object, before, after, sent, now, &out);
  } else if (IsPersonNamed(object)) {
    DerivePersonName(object, before, after, sent, &out);
  }
  return out;
}

}  // namespace cf::sfemu
