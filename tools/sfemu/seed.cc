// The seed loader (org directory -> Org) and the deterministic large-org generator.
#include "tools/sfemu/seed.h"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>

#include "connectors/salesforce/describe_json.h"
#include "connectors/salesforce/record_json.h"
#include "tools/sfemu/derived.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;

bool Fail(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
  return false;
}

std::optional<json> ReadJsonFile(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    Fail(error, path + ": cannot open");
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  std::string parse_error;
  auto parsed = sf::ParseJson(text.str(), &parse_error);
  if (!parsed) Fail(error, path + ": " + parse_error);
  return parsed;
}

std::string Str(const json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}
bool Bool(const json& j, const char* key, bool fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// ---- The Tooling objects (their describe as the Tooling API has it, reduced) ----

engine::Field MakeField(std::string name, engine::FieldType type, bool nillable = true) {
  engine::Field f;
  f.label = name;
  f.name = std::move(name);
  f.type = type;
  f.nillable = nillable;
  if (type == engine::FieldType::kString) f.length = 255;
  return f;
}

engine::Object EntityDefinitionObject() {
  using engine::FieldType;
  engine::Object o;
  o.name = "EntityDefinition";
  o.label = "Entity Definition";
  o.label_plural = "Entity Definitions";
  for (const char* name : {"DurableId", "QualifiedApiName", "DeveloperName", "MasterLabel",
                           "Label", "PluralLabel", "KeyPrefix", "NamespacePrefix"}) {
    o.fields.push_back(MakeField(name, FieldType::kString));
  }
  o.fields.insert(o.fields.begin(), MakeField("Id", FieldType::kId, false));
  o.fields.push_back(MakeField("IsCustomSetting", FieldType::kBoolean, false));
  o.fields.push_back(MakeField("IsQueryable", FieldType::kBoolean, false));
  o.Index();
  return o;
}

engine::Object ValidationRuleObject() {
  using engine::FieldType;
  engine::Object o;
  o.name = "ValidationRule";
  o.label = "Validation Rule";
  o.label_plural = "Validation Rules";
  o.key_prefix = "03d";
  o.fields.push_back(MakeField("Id", FieldType::kId, false));
  o.fields.push_back(MakeField("Active", FieldType::kBoolean, false));
  o.fields.push_back(MakeField("Description", FieldType::kTextArea));
  engine::Field entity = MakeField("EntityDefinitionId", FieldType::kReference, false);
  entity.reference_to = {"EntityDefinition"};
  entity.relationship_name = "EntityDefinition";
  o.fields.push_back(entity);
  o.fields.push_back(MakeField("ErrorDisplayField", FieldType::kString));
  o.fields.push_back(MakeField("ErrorMessage", FieldType::kString));
  o.fields.push_back(MakeField("FullName", FieldType::kString));
  o.fields.push_back(MakeField("ManageableState", FieldType::kPicklist));
  o.fields.push_back(MakeField("Metadata", FieldType::kComplexValue));
  o.fields.push_back(MakeField("NamespacePrefix", FieldType::kString));
  o.fields.push_back(MakeField("ValidationName", FieldType::kString));
  o.fields.push_back(MakeField("CreatedDate", FieldType::kDateTime, false));
  engine::Field created_by = MakeField("CreatedById", FieldType::kReference, false);
  created_by.reference_to = {"User"};
  created_by.relationship_name = "CreatedBy";
  o.fields.push_back(created_by);
  o.fields.push_back(MakeField("LastModifiedDate", FieldType::kDateTime, false));
  engine::Field modified_by = MakeField("LastModifiedById", FieldType::kReference, false);
  modified_by.reference_to = {"User"};
  modified_by.relationship_name = "LastModifiedBy";
  o.fields.push_back(modified_by);
  o.Index();
  return o;
}

// ---- The generator ----

// splitmix64: small, fast and good enough for test data; the same seed gives the same stream.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n); n > 0.
  uint64_t Below(uint64_t n) { return Next() % n; }
  double Unit() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  bool Chance(double p) { return Unit() < p; }
  template <typename T, size_t N>
  const T& Pick(const T (&items)[N]) {
    return items[Below(N)];
  }

 private:
  uint64_t state_;
};

constexpr const char* kFirstNames[] = {
    "Olivia", "Liam", "Emma", "Noah", "Ava", "Mateo", "Sofia", "Lucas", "Mia", "Arjun",
    "Amara", "Hiro", "Chloe", "Diego", "Fatima", "Jonas", "Leila", "Marcus", "Nadia", "Omar",
    "Priya", "Quentin", "Rosa", "Samuel", "Tara", "Uma", "Victor", "Wen", "Yara", "Zane",
    "Elena", "Kwame", "Ingrid", "Rafael", "Mei", "Tomas", "Aisha", "Henrik", "Lucia", "Ravi"};
constexpr const char* kLastNames[] = {
    "Smith", "Garcia", "Chen", "Okafor", "Müller", "Rossi", "Tanaka", "Kowalski", "Dubois",
    "Silva", "Nguyen", "Patel", "Johansson", "O'Brien", "Haddad", "Kim", "Novak", "Fischer",
    "Moreau", "Ibrahim", "Larsen", "Costa", "Singh", "Walker", "Yilmaz", "Andersen", "Bauer",
    "Cruz", "Duarte", "Evans", "Ferrari", "Gomez", "Hughes", "Ito", "Jensen", "Khan", "Lopez",
    "Mendes", "Nakamura", "Park"};
constexpr const char* kCompanyFirst[] = {
    "Kestrel", "Northwind", "Bluebird", "Helios", "Granite", "Orchid", "Quantum", "Marlow",
    "Alder", "Brightwater", "Cedar", "Driftwood", "Ember", "Falcon", "Glacier", "Harbor",
    "Iris", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus", "Onyx", "Pinnacle",
    "Quarry", "Redwood", "Summit", "Tidewater", "Umber", "Vantage", "Willow", "Zenith"};
constexpr const char* kCompanySecond[] = {
    "Logistics", "Banking", "Telecom", "Solar", "Manufacturing", "Hospitality", "Freight",
    "Health", "Retail", "Insurance", "Analytics", "Foods", "Energy", "Media", "Systems",
    "Pharma", "Motors", "Capital", "Labs", "Networks"};
constexpr const char* kCompanySuffix[] = {"Group", "Inc.", "Ltd", "Partners", "Holdings",
                                          "Co.", "GmbH", "S.A.", "LLC", "plc"};
struct City {
  const char* city;
  const char* country;
  const char* dial;
};
constexpr City kCities[] = {
    {"London", "United Kingdom", "+44 20"}, {"Manchester", "United Kingdom", "+44 161"},
    {"New York", "United States", "+1 212"}, {"Chicago", "United States", "+1 312"},
    {"Austin", "United States", "+1 512"},   {"Toronto", "Canada", "+1 416"},
    {"Paris", "France", "+33 1"},            {"Berlin", "Germany", "+49 30"},
    {"Madrid", "Spain", "+34 91"},           {"Milan", "Italy", "+39 02"},
    {"Singapore", "Singapore", "+65 6"},     {"Tokyo", "Japan", "+81 3"},
    {"Sydney", "Australia", "+61 2"},        {"São Paulo", "Brazil", "+55 11"},
    {"Mumbai", "India", "+91 22"},           {"Stockholm", "Sweden", "+46 8"}};
constexpr const char* kTitles[] = {
    "CEO", "CTO", "COO", "VP Operations", "Head of Customer Service", "IT Director",
    "Procurement Lead", "Contact Center Manager", "Customer Success Lead", "Operations Manager",
    "Head of Support", "Marketing Director", "Finance Manager", "Product Owner"};
constexpr const char* kOpportunityWhat[] = {
    "Voice Platform", "Messaging Expansion", "Analytics Add-on", "Contact Center",
    "WhatsApp Concierge", "SMS Alerts", "IVR Redesign", "Renewal", "APAC Rollout",
    "Call Recording", "API Access", "Agent Seats"};
constexpr const char* kCaseSubjects[] = {
    "IVR menu drops callers", "Call recordings missing", "Web chat widget not loading",
    "SMS delivery delays", "Dashboard shows wrong time zone", "API rate limits at peak hours",
    "WhatsApp templates rejected", "SIP trunk capacity request", "Agent cannot log in",
    "Export to CSV fails", "Invoice question", "Voicemail transcription errors"};
constexpr const char* kNextSteps[] = {"Send proposal", "Security review",
                                      "Demo for stakeholders", "Negotiate terms",
                                      "Legal review"};

// How often the generator picks each stage (derived.h holds the stages' metadata).
struct StageWeight {
  const char* name;
  int weight;
};
constexpr StageWeight kStageWeights[] = {
    {"Prospecting", 10},         {"Qualification", 10},      {"Needs Analysis", 8},
    {"Value Proposition", 8},    {"Id. Decision Makers", 6}, {"Perception Analysis", 5},
    {"Proposal/Price Quote", 6}, {"Negotiation/Review", 5},  {"Closed Won", 24},
    {"Closed Lost", 18},
};

std::string Slug(std::string_view text) {
  std::string out;
  for (char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) out.push_back(c);
    if (c >= 'A' && c <= 'Z') out.push_back(static_cast<char>(c - 'A' + 'a'));
  }
  return out;
}

// Values of one record by field index, with the text they point at.
class RecordValues {
 public:
  explicit RecordValues(const engine::Object& object)
      : object_(object), values_(object.fields.size()), text_(object.fields.size()) {}
  int Index(std::string_view name) const { return object_.FieldIndex(name); }
  void Clear() { std::fill(values_.begin(), values_.end(), FieldValue()); }
  void Text(int i, std::string text) {
    if (i < 0) return;
    text_[i] = std::move(text);
    values_[i].kind = FieldValue::Kind::kString;
    values_[i].text = text_[i];
  }
  void Bool(int i, bool b) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kBool;
    values_[i].b = b;
  }
  void Int(int i, int64_t v) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kInt;
    values_[i].i = v;
  }
  void Double(int i, double d) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kDouble;
    values_[i].d = d;
  }
  void Id(int i, const engine::SfId& id) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kId;
    values_[i].id = id;
  }
  void Date(int i, engine::Days d) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kDate;
    values_[i].i = d;
  }
  void DateTime(int i, engine::Millis ms) {
    if (i < 0) return;
    values_[i].kind = FieldValue::Kind::kDateTime;
    values_[i].i = ms;
  }
  const std::vector<FieldValue>& values() const { return values_; }
  const engine::Object& object() const { return object_; }

 private:
  const engine::Object& object_;
  std::vector<FieldValue> values_;
  std::vector<std::string> text_;
};

// Active picklist values of a field ("" when the field is absent).
std::vector<std::string> Values(const engine::Object& object, std::string_view field) {
  std::vector<std::string> out;
  if (const engine::Field* f = object.FindField(field)) {
    for (const engine::PicklistValue& v : f->picklist_values) {
      if (v.active) out.push_back(v.value);
    }
  }
  if (out.empty()) out.push_back(std::string());
  return out;
}

class Generator {
 public:
  Generator(Org& org, const GenerateOptions& options)
      : org_(org), options_(options), rng_(options.seed * 0x2545F4914F6CDD1Dull + 1) {}

  bool Run(std::string* error) {
    const engine::Schema& schema = org_.schema();
    const engine::Object* account = schema.Find("Account");
    const engine::Object* contact = schema.Find("Contact");
    const engine::Object* opportunity = schema.Find("Opportunity");
    const engine::Object* case_object = schema.Find("Case");
    const engine::Object* lead = schema.Find("Lead");
    if (!account || !contact || !opportunity || !case_object || !lead) {
      return Fail(error, "generating records: the org lacks one of Account, Contact, "
                         "Opportunity, Case, Lead");
    }
    for (const OrgUser& u : org_.users()) {
      auto id = engine::SfId::Parse(u.id);
      if (!id) continue;
      if (u.integration) {
        integration_ = *id;
      } else {
        owners_.push_back(*id);
      }
    }
    if (owners_.empty()) {
      engine::SfId fallback;
      std::memcpy(fallback.chars, "005Dn0000000001", 15);
      owners_.push_back(fallback);
    }
    if (integration_.chars[0] == '\0') integration_ = owners_[0];

    const int64_t total = std::max<int64_t>(0, options_.records);
    const int64_t accounts = total == 0 ? 0 : std::max<int64_t>(1, total / 10);
    const int64_t contacts = total * 3 / 10;
    const int64_t opportunities = total * 2 / 10;
    const int64_t cases = total * 2 / 10;
    const int64_t leads = total - accounts - contacts - opportunities - cases;

    auto lock = org_.Lock();
    next_case_number_ = 1001 + static_cast<int64_t>(org_.CountLocked(*case_object));
    Accounts(*account, accounts);
    Contacts(*contact, contacts);
    Opportunities(*opportunity, opportunities);
    Cases(*case_object, cases);
    Leads(*lead, leads);
    return true;
  }

 private:
  static constexpr int64_t kTwoYears = 2 * 365LL * 86400000;

  // Created within the two years before the end; modified at or after it (whole seconds).
  void Stamps(RecordValues& r, const engine::SfId& owner) {
    const int64_t end = options_.end_millis / 1000;
    const int64_t created = end - static_cast<int64_t>(rng_.Below(kTwoYears / 1000));
    const int64_t modified =
        rng_.Chance(0.4) ? created : created + static_cast<int64_t>(rng_.Below(end - created + 1));
    r.DateTime(r.Index("CreatedDate"), created * 1000);
    r.DateTime(r.Index("LastModifiedDate"), modified * 1000);
    r.DateTime(r.Index("SystemModstamp"), modified * 1000);
    const engine::SfId& by = rng_.Chance(0.3) ? integration_ : owner;
    r.Id(r.Index("CreatedById"), by);
    r.Id(r.Index("LastModifiedById"), by);
    r.Id(r.Index("OwnerId"), owner);
    r.Bool(r.Index("IsDeleted"), false);
    created_ = created * 1000;
  }

  std::string Phone(const City& city) {
    char buffer[48];
    std::snprintf(buffer, sizeof buffer, "%s %03d %04d", city.dial,
                  static_cast<int>(rng_.Below(1000)), static_cast<int>(rng_.Below(10000)));
    return buffer;
  }

  std::string CompanyName(int64_t n) {
    std::string name = std::string(rng_.Pick(kCompanyFirst)) + " " + rng_.Pick(kCompanySecond);
    if (rng_.Chance(0.5)) name += std::string(" ") + rng_.Pick(kCompanySuffix);
    // Numbered after the first few thousand, so that names stay mostly distinct.
    if (n >= 640) name += " " + std::to_string(n / 640);
    return name;
  }

  void Accounts(const engine::Object& object, int64_t count) {
    RecordValues r(object);
    const auto types = Values(object, "Type");
    const auto industries = Values(object, "Industry");
    const auto ratings = Values(object, "Rating");
    const auto sources = Values(object, "AccountSource");
    const auto tiers = Values(object, "Tier__c");
    const auto regions = Values(object, "Regions__c");
    const int name = r.Index("Name"), type = r.Index("Type"), industry = r.Index("Industry"),
              revenue = r.Index("AnnualRevenue"), employees = r.Index("NumberOfEmployees"),
              phone = r.Index("Phone"), website = r.Index("Website"),
              city = r.Index("BillingCity"), country = r.Index("BillingCountry"),
              rating = r.Index("Rating"), source = r.Index("AccountSource"),
              tier = r.Index("Tier__c"), sla = r.Index("SLA_Hours__c"),
              region = r.Index("Regions__c"), health = r.Index("Health_Score__c"),
              number = r.Index("AccountNumber");
    accounts_.reserve(static_cast<size_t>(count));
    for (int64_t n = 0; n < count; ++n) {
      r.Clear();
      const engine::SfId owner = owners_[rng_.Below(owners_.size())];
      Stamps(r, owner);
      const City& c = rng_.Pick(kCities);
      std::string company = CompanyName(n);
      const std::string domain = Slug(company.substr(0, company.find(' '))) +
                                 std::to_string(n) + ".example";
      r.Text(name, company);
      r.Text(type, types[rng_.Below(types.size())]);
      r.Text(industry, industries[rng_.Below(industries.size())]);
      if (rng_.Chance(0.7)) {
        // Log-uniform between 100 thousand and 5 billion, in thousands.
        const double v = std::exp(std::log(1e5) + rng_.Unit() * (std::log(5e9) - std::log(1e5)));
        r.Int(revenue, static_cast<int64_t>(v / 1000) * 1000);
      }
      r.Int(employees, 5 + static_cast<int64_t>(rng_.Below(50000)));
      r.Text(phone, Phone(c));
      r.Text(website, "https://www." + domain);
      r.Text(city, c.city);
      r.Text(country, c.country);
      r.Text(rating, ratings[rng_.Below(ratings.size())]);
      r.Text(source, sources[rng_.Below(sources.size())]);
      char acct[32];
      std::snprintf(acct, sizeof acct, "CF-%07" PRId64, n + 1);
      r.Text(number, acct);
      const size_t t = rng_.Below(tiers.size());
      r.Text(tier, tiers[t]);
      static constexpr int kSla[] = {2, 4, 8, 24};
      r.Int(sla, kSla[t % 4]);
      std::string picked;
      for (const std::string& v : regions) {
        if (rng_.Chance(0.35)) picked += (picked.empty() ? "" : ";") + v;
      }
      if (!picked.empty()) r.Text(region, picked);
      if (rng_.Chance(0.8)) r.Int(health, static_cast<int64_t>(rng_.Below(101)));
      const std::string id = org_.LoadValuesLocked(object, r.values());
      accounts_.push_back({*engine::SfId::Parse(id), owner, domain, std::move(company), c.city});
    }
  }

  void Contacts(const engine::Object& object, int64_t count) {
    RecordValues r(object);
    const auto salutations = Values(object, "Salutation");
    const auto sources = Values(object, "LeadSource");
    const auto channels = Values(object, "Preferred_Channel__c");
    const int account = r.Index("AccountId"), first = r.Index("FirstName"),
              last = r.Index("LastName"), name = r.Index("Name"), sal = r.Index("Salutation"),
              title = r.Index("Title"), email = r.Index("Email"), phone = r.Index("Phone"),
              mobile = r.Index("MobilePhone"), source = r.Index("LeadSource"),
              channel = r.Index("Preferred_Channel__c"), city = r.Index("MailingCity"),
              birth = r.Index("Birthdate");
    contacts_.reserve(static_cast<size_t>(count));
    for (int64_t n = 0; n < count; ++n) {
      r.Clear();
      if (accounts_.empty()) return;
      // Contacts come in runs per account, as people of one company.
      const size_t a = static_cast<size_t>(n * static_cast<int64_t>(accounts_.size()) / std::max<int64_t>(count, 1));
      const AccountInfo& acc = accounts_[a];
      Stamps(r, acc.owner);
      const std::string f = rng_.Pick(kFirstNames);
      const std::string l = rng_.Pick(kLastNames);
      r.Id(account, acc.id);
      r.Text(first, f);
      r.Text(last, l);
      r.Text(name, f + " " + l);
      r.Text(sal, salutations[rng_.Below(salutations.size())]);
      r.Text(title, rng_.Pick(kTitles));
      r.Text(email, Slug(f) + "." + Slug(l) + std::to_string(n) + "@" + acc.domain);
      const City& c = rng_.Pick(kCities);
      if (rng_.Chance(0.8)) r.Text(phone, Phone(c));
      if (rng_.Chance(0.6)) r.Text(mobile, Phone(c));
      r.Text(source, sources[rng_.Below(sources.size())]);
      r.Text(channel, channels[rng_.Below(channels.size())]);
      r.Text(city, acc.city);
      if (rng_.Chance(0.3)) {
        r.Date(birth, engine::DaysFromCivil({1950 + static_cast<int>(rng_.Below(50)),
                                             1 + static_cast<int>(rng_.Below(12)),
                                             1 + static_cast<int>(rng_.Below(28))}));
      }
      const std::string id = org_.LoadValuesLocked(object, r.values());
      contacts_.push_back({*engine::SfId::Parse(id), static_cast<uint32_t>(a)});
    }
  }

  void Opportunities(const engine::Object& object, int64_t count) {
    RecordValues r(object);
    const auto types = Values(object, "Type");
    const auto sources = Values(object, "LeadSource");
    const int account = r.Index("AccountId"), name = r.Index("Name"),
              stage = r.Index("StageName"), amount = r.Index("Amount"),
              probability = r.Index("Probability"), expected = r.Index("ExpectedRevenue"),
              close = r.Index("CloseDate"), type = r.Index("Type"),
              source = r.Index("LeadSource"), closed = r.Index("IsClosed"),
              won = r.Index("IsWon"), forecast = r.Index("ForecastCategoryName"),
              contact = r.Index("ContactId"), next = r.Index("NextStep"),
              priv = r.Index("IsPrivate"), quarter = r.Index("FiscalQuarter"),
              year = r.Index("FiscalYear"), fiscal = r.Index("Fiscal");
    int total_weight = 0;
    for (const StageWeight& s : kStageWeights) total_weight += s.weight;
    for (int64_t n = 0; n < count; ++n) {
      r.Clear();
      if (contacts_.empty()) return;
      const ContactInfo& con = contacts_[rng_.Below(contacts_.size())];
      const AccountInfo& acc = accounts_[con.account];
      Stamps(r, acc.owner);
      int pick = static_cast<int>(rng_.Below(static_cast<uint64_t>(total_weight)));
      const StageWeight* picked = &kStageWeights[0];
      for (const StageWeight& s : kStageWeights) {
        if (pick < s.weight) {
          picked = &s;
          break;
        }
        pick -= s.weight;
      }
      const OpportunityStage* st = FindOpportunityStage(picked->name);
      if (st == nullptr) return;  // kStageWeights names only standard stages
      r.Id(account, acc.id);
      r.Text(name, acc.name + " - " + rng_.Pick(kOpportunityWhat));
      r.Text(stage, std::string(st->name));
      if (st->won || rng_.Chance(0.9)) {
        const int64_t cents = (5000 + static_cast<int64_t>(rng_.Below(2000000))) * 100;
        r.Int(amount, cents / 100);
        r.Double(expected, static_cast<double>(cents / 100) * st->default_probability / 100.0);
      }
      r.Int(probability, st->default_probability);
      const engine::Days created_day = static_cast<engine::Days>(created_ / 86400000);
      const engine::Days end_day = static_cast<engine::Days>(options_.end_millis / 86400000);
      const engine::Days close_day =
          st->closed ? created_day + static_cast<engine::Days>(rng_.Below(end_day - created_day + 1))
                     : end_day + 1 + static_cast<engine::Days>(rng_.Below(240));
      r.Date(close, close_day);
      const engine::CivilDate cd = engine::CivilFromDays(close_day);
      r.Int(quarter, (cd.month - 1) / 3 + 1);
      r.Int(year, cd.year);
      r.Text(fiscal, std::to_string(cd.year) + " " + std::to_string((cd.month - 1) / 3 + 1));
      r.Text(type, types[rng_.Below(types.size())]);
      r.Text(source, sources[rng_.Below(sources.size())]);
      r.Bool(closed, st->closed);
      r.Bool(won, st->won);
      r.Bool(priv, false);
      r.Text(forecast, std::string(st->forecast_category));
      if (rng_.Chance(0.7)) r.Id(contact, con.id);
      if (!st->closed) r.Text(next, rng_.Pick(kNextSteps));
      org_.LoadValuesLocked(object, r.values());
    }
  }

  void Cases(const engine::Object& object, int64_t count) {
    RecordValues r(object);
    const auto types = Values(object, "Type");
    const auto reasons = Values(object, "Reason");
    const auto origins = Values(object, "Origin");
    const auto priorities = Values(object, "Priority");
    const engine::Field* product_field = object.FindField("Product__c");
    const engine::Field* sub_field = object.FindField("Sub_Product__c");
    const int number = r.Index("CaseNumber"), contact = r.Index("ContactId"),
              account = r.Index("AccountId"), type = r.Index("Type"), status = r.Index("Status"),
              reason = r.Index("Reason"), origin = r.Index("Origin"), subject = r.Index("Subject"),
              priority = r.Index("Priority"), description = r.Index("Description"),
              closed = r.Index("IsClosed"), closed_date = r.Index("ClosedDate"),
              escalated = r.Index("IsEscalated"), product = r.Index("Product__c"),
              sub = r.Index("Sub_Product__c"), esc_reason = r.Index("Escalation_Reason__c");
    static constexpr const char* kStatus[] = {"New", "New", "Working", "Working", "Escalated",
                                              "Closed", "Closed", "Closed", "Closed", "Closed"};
    static constexpr const char* kEscalation[] = {"SLA Breach", "Churn Risk", "Executive Request"};
    for (int64_t n = 0; n < count; ++n) {
      r.Clear();
      if (contacts_.empty()) return;
      const ContactInfo& con = contacts_[rng_.Below(contacts_.size())];
      const AccountInfo& acc = accounts_[con.account];
      Stamps(r, owners_[rng_.Below(owners_.size())]);
      char num[24];
      std::snprintf(num, sizeof num, "%08" PRId64, next_case_number_++);
      r.Text(number, num);
      r.Id(contact, con.id);
      r.Id(account, acc.id);
      r.Text(type, types[rng_.Below(types.size())]);
      const std::string st = rng_.Pick(kStatus);
      r.Text(status, st);
      r.Text(reason, reasons[rng_.Below(reasons.size())]);
      r.Text(origin, origins[rng_.Below(origins.size())]);
      const std::string subj = rng_.Pick(kCaseSubjects);
      r.Text(subject, subj);
      r.Text(priority, priorities[rng_.Below(priorities.size())]);
      r.Text(description, "Reported through ConnectFlo. " + subj + ".");
      r.Bool(closed, st == "Closed");
      if (st == "Closed") {
        const int64_t end = options_.end_millis / 1000;
        const int64_t from = created_ / 1000;
        r.DateTime(closed_date, (from + static_cast<int64_t>(rng_.Below(end - from + 1))) * 1000);
      }
      const bool esc = st == "Escalated" || rng_.Chance(0.05);
      r.Bool(escalated, esc);
      if (esc) {
        r.Text(esc_reason, rng_.Pick(kEscalation));
      } else if (rng_.Chance(0.5)) {
        r.Text(esc_reason, "Not Escalated");
      }
      if (product_field != nullptr && !product_field->picklist_values.empty()) {
        const size_t p = rng_.Below(product_field->picklist_values.size());
        r.Text(product, product_field->picklist_values[p].value);
        if (sub_field != nullptr) {
          std::vector<const std::string*> valid;
          for (const engine::PicklistValue& v : sub_field->picklist_values) {
            if (std::find(v.valid_for.begin(), v.valid_for.end(), p) != v.valid_for.end()) {
              valid.push_back(&v.value);
            }
          }
          if (!valid.empty() && rng_.Chance(0.8)) r.Text(sub, *valid[rng_.Below(valid.size())]);
        }
      }
      org_.LoadValuesLocked(object, r.values());
    }
  }

  void Leads(const engine::Object& object, int64_t count) {
    RecordValues r(object);
    const auto statuses = Values(object, "Status");
    const auto sources = Values(object, "LeadSource");
    const auto ratings = Values(object, "Rating");
    const auto industries = Values(object, "Industry");
    const auto salutations = Values(object, "Salutation");
    const int first = r.Index("FirstName"), last = r.Index("LastName"), name = r.Index("Name"),
              company = r.Index("Company"), title = r.Index("Title"), email = r.Index("Email"),
              phone = r.Index("Phone"), mobile = r.Index("MobilePhone"),
              status = r.Index("Status"), source = r.Index("LeadSource"),
              rating = r.Index("Rating"), industry = r.Index("Industry"),
              revenue = r.Index("AnnualRevenue"), employees = r.Index("NumberOfEmployees"),
              converted = r.Index("IsConverted"), unread = r.Index("IsUnreadByOwner"),
              conversation = r.Index("ConnectFlo_Conversation_Id__c"),
              sal = r.Index("Salutation"), city = r.Index("City"), country = r.Index("Country");
    for (int64_t n = 0; n < count; ++n) {
      r.Clear();
      Stamps(r, owners_[rng_.Below(owners_.size())]);
      const std::string f = rng_.Pick(kFirstNames);
      const std::string l = rng_.Pick(kLastNames);
      const std::string comp = CompanyName(n + 100000);
      const City& c = rng_.Pick(kCities);
      r.Text(first, f);
      r.Text(last, l);
      r.Text(name, f + " " + l);
      r.Text(sal, salutations[rng_.Below(salutations.size())]);
      r.Text(company, comp);
      r.Text(title, rng_.Pick(kTitles));
      r.Text(email, Slug(f) + "." + Slug(l) + "@" + Slug(comp.substr(0, comp.find(' '))) +
                        std::to_string(n) + ".example");
      if (rng_.Chance(0.8)) r.Text(phone, Phone(c));
      if (rng_.Chance(0.4)) r.Text(mobile, Phone(c));
      const std::string st = statuses[rng_.Below(statuses.size())];
      r.Text(status, st);
      r.Bool(converted, st == "Closed - Converted");
      r.Bool(unread, rng_.Chance(0.3));
      r.Text(source, sources[rng_.Below(sources.size())]);
      if (rng_.Chance(0.8)) r.Text(rating, ratings[rng_.Below(ratings.size())]);
      r.Text(industry, industries[rng_.Below(industries.size())]);
      if (rng_.Chance(0.6)) r.Int(revenue, (1 + static_cast<int64_t>(rng_.Below(50000))) * 1000);
      r.Int(employees, 1 + static_cast<int64_t>(rng_.Below(5000)));
      r.Text(city, c.city);
      r.Text(country, c.country);
      if (rng_.Chance(0.3)) {
        // A distinct 12-hex-digit conversation id per generated lead (the seed's have 8).
        const uint64_t mixed = (options_.seed << 40) ^ (static_cast<uint64_t>(n) * 0x9E3779B1ull);
        char conv[32];
        std::snprintf(conv, sizeof conv, "conv-%012" PRIx64, static_cast<uint64_t>(mixed & 0xFFFFFFFFFFFFull));
        r.Text(conversation, conv);
      }
      org_.LoadValuesLocked(object, r.values());
    }
  }

  struct AccountInfo {
    engine::SfId id;
    engine::SfId owner;
    std::string domain;
    std::string name;
    const char* city;
  };
  struct ContactInfo {
    engine::SfId id;
    uint32_t account;
  };

  Org& org_;
  const GenerateOptions& options_;
  Rng rng_;
  engine::SfId integration_;
  std::vector<engine::SfId> owners_;
  std::vector<AccountInfo> accounts_;
  std::vector<ContactInfo> contacts_;
  int64_t next_case_number_ = 1001;
  engine::Millis created_ = 0;
};

}  // namespace

std::string DefaultOrgDir() {
#ifdef CF_SOURCE_DIR
  return std::string(CF_SOURCE_DIR) + "/examples/org";
#else
  return "examples/org";
#endif
}

bool LoadSeedInto(Org& org, const std::string& dir, std::string* error) {
  namespace fs = std::filesystem;
  std::string load_error;
  std::shared_ptr<const engine::Schema> loaded = sf::LoadSchemaFile(dir, &load_error);
  if (!loaded) return Fail(error, load_error);

  const std::string seed_path = (fs::path(dir) / "seed.json").string();
  std::optional<json> seed = json::object();
  if (fs::exists(seed_path)) {
    seed = ReadJsonFile(seed_path, error);
    if (!seed) return false;
    if (!seed->is_object()) return Fail(error, seed_path + ": not a JSON object");
  }

  // Validation rules join their objects in the schema; the Tooling org keeps their records.
  auto schema = std::make_shared<engine::Schema>(*loaded);
  std::map<std::string, std::string> durable_ids;  // object name -> EntityDefinition DurableId
  const json rules = seed->value("validationRules", json::array());
  if (!rules.is_array()) return Fail(error, seed_path + ": validationRules is not an array");
  std::map<std::string, engine::Object> changed;
  for (size_t i = 0; i < rules.size(); ++i) {
    const json& r = rules[i];
    const std::string where = seed_path + ": validationRules[" + std::to_string(i) + "]";
    const std::string full_name = Str(r, "FullName");
    const size_t dot = full_name.find('.');
    if (!r.is_object() || dot == std::string::npos) {
      return Fail(error, where + ": FullName must be \"Object.RuleName\"");
    }
    const std::string object_name = full_name.substr(0, dot);
    const engine::Object* object = schema->Find(object_name);
    if (object == nullptr) return Fail(error, where + ": no object " + object_name);
    auto [it, inserted] = changed.emplace(object->name, *object);
    const json metadata = r.value("Metadata", json::object());
    engine::ValidationRule rule;
    rule.name = Str(r, "ValidationName");
    rule.active = Bool(r, "Active", true);
    rule.error_condition_formula = metadata.is_object() ? Str(metadata, "errorConditionFormula") : "";
    rule.error_message = Str(r, "ErrorMessage");
    rule.error_display_field = Str(r, "ErrorDisplayField");
    if (rule.name.empty() || rule.error_condition_formula.empty()) {
      return Fail(error, where + ": needs ValidationName and Metadata.errorConditionFormula");
    }
    it->second.validation_rules.push_back(std::move(rule));
    const std::string durable = Str(r, "EntityDefinitionId");
    if (!durable.empty()) durable_ids[object->name] = durable;
  }
  for (auto& [name, object] : changed) schema->Add(std::move(object));
  org.SetSchema(schema);

  // Organization, users, connected app, field-level security, limits.
  const json organization = seed->value("organization", json::object());
  if (!Str(organization, "Id").empty()) org.SetOrgId(Str(organization, "Id"));
  for (const json& u : seed->value("users", json::array())) {
    OrgUser user;
    user.id = Str(u, "Id");
    user.username = Str(u, "Username");
    user.password = Str(u, "Password") + Str(u, "SecurityToken");
    user.name = Str(u, "Name");
    user.email = Str(u, "Email");
    user.api_enabled = Bool(u, "ApiEnabled", true);
    user.integration = Bool(u, "IntegrationUser", false);
    if (!engine::SfId::Parse(user.id) || user.username.empty()) {
      return Fail(error, seed_path + ": a user needs an Id and a Username");
    }
    org.AddUser(std::move(user));
  }
  const json app = seed->value("connectedApp", json::object());
  org.SetConnectedApp(ConnectedApp{Str(app, "ConsumerKey"), Str(app, "ConsumerSecret"),
                                   Str(app, "CallbackUrl"), Str(app, "Name")});

  // The describe bodies as the files hold them, for describe and describeGlobal.
  const fs::path describe_dir =
      fs::is_directory(fs::path(dir) / "describe") ? fs::path(dir) / "describe" : fs::path(dir);
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(describe_dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::optional<json> body = ReadJsonFile(file.string(), error);
    if (!body) return false;
    if (body->is_object() && body->contains("fields") && (*body)["name"].is_string()) {
      const std::string name = (*body)["name"].get<std::string>();
      org.SetDescribeJson(name, std::move(*body));
    } else if (body->is_object() && body->contains("objects") && (*body)["objects"].is_array()) {
      for (json& d : (*body)["objects"]) {
        if (d.is_object() && d.contains("name") && d["name"].is_string()) {
          const std::string name = d["name"].get<std::string>();
          org.SetDescribeJson(name, std::move(d));
        }
      }
    }
  }
  const json hidden = seed->value("fieldLevelSecurity", json::object())
                          .value("integrationUser", json::object())
                          .value("hiddenFields", json::object());
  for (auto it = hidden.begin(); it != hidden.end(); ++it) {
    const engine::Object* object = schema->Find(it.key());
    if (object == nullptr) return Fail(error, seed_path + ": hiddenFields: no object " + it.key());
    for (const json& f : it.value()) {
      if (!f.is_string() || object->FindField(f.get<std::string>()) == nullptr) {
        return Fail(error, seed_path + ": hiddenFields: no field " + it.key() + "." + f.dump());
      }
      org.HideField(object->name, f.get<std::string>());
    }
  }
  const json limits = seed->value("limits", json::object());
  const json daily = limits.value("DailyApiRequests", json::object());
  if (daily.contains("Max") && daily["Max"].is_number_integer()) {
    const int64_t max = daily["Max"].get<int64_t>();
    const int64_t remaining = daily.value("Remaining", max);
    org.SetApiUsage(max - remaining, max);
  }
  if (limits.contains("AccessTokenTtlSeconds") && limits["AccessTokenTtlSeconds"].is_number()) {
    org.limits().access_token_ttl_seconds = limits["AccessTokenTtlSeconds"].get<int64_t>();
  }
  org.limits().rotate_refresh_tokens = Bool(limits, "RotateRefreshTokens", false);

  // Records.
  const std::string records_path = (fs::path(dir) / "records.json").string();
  if (fs::exists(records_path)) {
    std::optional<json> records = ReadJsonFile(records_path, error);
    if (!records) return false;
    if (!records->is_object()) return Fail(error, records_path + ": not a JSON object");
    auto lock = org.Lock();
    for (auto it = records->begin(); it != records->end(); ++it) {
      const engine::Object* object = schema->Find(it.key());
      if (object == nullptr) return Fail(error, records_path + ": no object " + it.key());
      const json& list = it.value().is_array() ? it.value() : it.value().value("records", json());
      if (!list.is_array()) return Fail(error, records_path + ": " + it.key() + " has no records");
      for (const json& record : list) {
        if (!record.is_object()) return Fail(error, records_path + ": a record is not an object");
        org.LoadRecordLocked(*object, record);
      }
    }
  }

  // The Tooling org: EntityDefinition for every object, and the validation rules.
  auto tooling = std::make_unique<Org>();
  auto tooling_schema = std::make_shared<engine::Schema>();
  tooling_schema->Add(EntityDefinitionObject());
  tooling_schema->Add(ValidationRuleObject());
  tooling->SetSchema(tooling_schema);
  tooling->SetOrgId(org.org_id());
  {
    auto lock = tooling->Lock();
    const engine::Object& entity = *tooling_schema->Find("EntityDefinition");
    int custom_count = 0;
    for (const engine::Object& o : schema->objects()) {
      std::string durable = o.name;
      if (auto it = durable_ids.find(o.name); it != durable_ids.end()) {
        durable = it->second;
      } else if (o.custom) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "01IDn00000%05d", ++custom_count);
        durable = buffer;
      }
      std::string developer = o.name;
      if (developer.size() > 3 && developer.compare(developer.size() - 3, 3, "__c") == 0) {
        developer.resize(developer.size() - 3);
      }
      tooling->LoadRecordLocked(entity, {{"DurableId", durable},
                                         {"QualifiedApiName", o.name},
                                         {"DeveloperName", developer},
                                         {"MasterLabel", o.label},
                                         {"Label", o.label},
                                         {"PluralLabel", o.label_plural},
                                         {"KeyPrefix", o.key_prefix.empty() ? json() : json(o.key_prefix)},
                                         {"NamespacePrefix", nullptr},
                                         {"IsCustomSetting", false},
                                         {"IsQueryable", o.queryable}});
    }
    const engine::Object& rule_object = *tooling_schema->Find("ValidationRule");
    for (const json& r : rules) tooling->LoadRecordLocked(rule_object, r);
  }
  org.SetTooling(std::move(tooling));
  return true;
}

std::unique_ptr<Org> LoadSeedOrg(const std::string& dir, std::string* error) {
  auto org = std::make_unique<Org>();
  if (!LoadSeedInto(*org, dir, error)) return nullptr;
  return org;
}

bool AddGeneratedRecords(Org& org, const GenerateOptions& options, std::string* error) {
  if (org.schema_ptr() == nullptr) return Fail(error, "generating records: the org has no schema");
  Generator generator(org, options);
  return generator.Run(error);
}

std::unique_ptr<Org> GenerateOrg(const std::string& dir, const GenerateOptions& options,
                                 std::string* error) {
  auto org = LoadSeedOrg(dir, error);
  if (!org) return nullptr;
  if (!AddGeneratedRecords(*org, options, error)) return nullptr;
  return org;
}

}  // namespace cf::sfemu
