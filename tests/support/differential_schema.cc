#include "tests/support/differential_schema.h"

#include <algorithm>
#include <set>
#include <utility>

#include "engine/event_schema.h"
#include "tests/support/ref_calendar.h"
#include "tests/support/reference_interpreter.h"

namespace cf::test_support {

using engine::Days;
using engine::Field;
using engine::FieldType;
using engine::Millis;
using engine::Object;

namespace {

constexpr int64_t kMillisPerDay = 86400000;

Field MakeField(std::string name, FieldType type) {
  Field f;
  f.name = name;
  f.label = std::move(name);
  f.type = type;
  f.nillable = type != FieldType::kId && type != FieldType::kBoolean;
  f.createable = f.updateable = type != FieldType::kId;
  if (type == FieldType::kString || type == FieldType::kEmail || type == FieldType::kPhone ||
      type == FieldType::kUrl) {
    f.length = 255;
  }
  if (type == FieldType::kTextArea) f.length = 32000;
  if (type == FieldType::kCurrency || type == FieldType::kDouble || type == FieldType::kPercent) {
    f.precision = 18;
    f.scale = 2;
  }
  if (type == FieldType::kInt) f.digits = 9;
  f.custom = f.name.size() > 3 && f.name.compare(f.name.size() - 3, 3, "__c") == 0;
  return f;
}

Field MakePicklist(std::string name, FieldType type, std::vector<std::string> values,
                   std::vector<std::string> inactive = {}) {
  Field f = MakeField(std::move(name), type);
  for (std::string& v : values) {
    engine::PicklistValue pv;
    pv.label = v;
    pv.value = std::move(v);
    f.picklist_values.push_back(std::move(pv));
  }
  for (std::string& v : inactive) {
    engine::PicklistValue pv;
    pv.label = v;
    pv.value = std::move(v);
    pv.active = false;
    f.picklist_values.push_back(std::move(pv));
  }
  return f;
}

Field MakeLookup(std::string name, std::string target, std::string relationship) {
  Field f = MakeField(std::move(name), FieldType::kReference);
  f.reference_to.push_back(std::move(target));
  f.relationship_name = std::move(relationship);
  return f;
}

Object MakeObject(std::string name, std::string prefix, std::vector<Field> fields) {
  Object o;
  o.label = name;
  o.label_plural = name + "s";
  o.name = std::move(name);
  o.key_prefix = std::move(prefix);
  o.createable = o.updateable = true;
  Field id = MakeField("Id", FieldType::kId);
  id.id_lookup = true;
  o.fields.push_back(std::move(id));
  for (Field& f : fields) o.fields.push_back(std::move(f));
  return o;
}

Millis At(int y, int mo, int d, int h, int mi, int s) {
  return RefDaysFromCivil({y, mo, d}) * kMillisPerDay + ((h * 60LL + mi) * 60 + s) * 1000;
}

template <typename T>
const T& Pick(const std::vector<T>& v, std::mt19937_64* rng) {
  return v[std::uniform_int_distribution<size_t>(0, v.size() - 1)(*rng)];
}

bool Chance(double p, std::mt19937_64* rng) {
  return std::uniform_real_distribution<double>(0, 1)(*rng) < p;
}

// A 15-character Id: key prefix, "Dn000", 7 random letters and digits.
std::string MakeId(const std::string& prefix, std::mt19937_64* rng) {
  static constexpr char kAlphabet[] =
      "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  std::string id = prefix + "Dn000";
  while (id.size() < 15) {
    id.push_back(kAlphabet[std::uniform_int_distribution<int>(0, 61)(*rng)]);
  }
  return id;
}

}  // namespace

std::shared_ptr<const engine::Schema> MakeDifferentialSchema() {
  auto schema = std::make_shared<engine::Schema>();
  Object account = MakeObject(
      "Account", "001",
      {MakeField("Name", FieldType::kString), MakeField("AnnualRevenue", FieldType::kCurrency),
       MakeField("NumberOfEmployees", FieldType::kInt), MakeField("Score__c", FieldType::kDouble),
       MakeField("Rating__c", FieldType::kPercent),
       MakePicklist("Type", FieldType::kPicklist, {"Customer", "Prospect", "Partner", "Other"},
                    {"Former"}),
       MakePicklist("Industry", FieldType::kPicklist,
                    {"Banking", "Insurance", "Technology", "Retail", "Energy"}),
       MakePicklist("Regions__c", FieldType::kMultiPicklist, {"EMEA", "APAC", "AMER", "LATAM"}),
       MakeField("Active__c", FieldType::kBoolean), MakeField("LastActivityDate", FieldType::kDate),
       MakeField("CreatedDate", FieldType::kDateTime),
       MakeField("SupportStart__c", FieldType::kTime), MakeField("SupportEnd__c", FieldType::kTime),
       MakeField("Description", FieldType::kTextArea), MakeField("Phone", FieldType::kPhone),
       MakeField("Website", FieldType::kUrl), MakeLookup("OwnerId", "User", "Owner"),
       MakeLookup("ParentId", "Account", "Parent")});
  account.fields[1].name_field = true;
  account.child_relationships = {{"Opportunities", "Opportunity", "AccountId"},
                                 {"Cases", "Case", "AccountId"},
                                 {"ChildAccounts", "Account", "ParentId"}};
  Object opportunity = MakeObject(
      "Opportunity", "006",
      {MakeField("Name", FieldType::kString), MakeLookup("AccountId", "Account", "Account"),
       MakeField("Amount", FieldType::kCurrency),
       MakePicklist("StageName", FieldType::kPicklist,
                    {"Prospecting", "Qualification", "Negotiation/Review", "Closed Won",
                     "Closed Lost"}),
       MakeField("IsWon", FieldType::kBoolean), MakeField("CloseDate", FieldType::kDate),
       MakeField("Probability", FieldType::kPercent), MakeLookup("OwnerId", "User", "Owner"),
       MakeField("CreatedDate", FieldType::kDateTime)});
  Object kase = MakeObject(
      "Case", "500",
      {MakeField("CaseNumber", FieldType::kString), MakeField("Subject", FieldType::kString),
       MakeLookup("AccountId", "Account", "Account"),
       MakePicklist("Status", FieldType::kPicklist, {"New", "Working", "Escalated", "Closed"}),
       MakePicklist("Priority", FieldType::kPicklist, {"High", "Medium", "Low"}),
       MakeField("CreatedDate", FieldType::kDateTime),
       MakeField("ClosedDate", FieldType::kDateTime),
       MakeField("ContactEmail", FieldType::kEmail), MakeLookup("OwnerId", "User", "Owner"),
       MakeField("IsEscalated", FieldType::kBoolean)});
  Object user = MakeObject(
      "User", "005",
      {MakeField("Name", FieldType::kString), MakeField("Email", FieldType::kEmail),
       MakeField("IsActive", FieldType::kBoolean), MakeLookup("ManagerId", "User", "Manager")});
  user.child_relationships = {{"DirectReports", "User", "ManagerId"}};
  schema->Add(std::move(account));
  schema->Add(std::move(opportunity));
  schema->Add(std::move(kase));
  schema->Add(std::move(user));
  engine::AddStandardEventObjects(schema.get());
  return schema;
}

const std::vector<std::string>& DifferentialDomains::TextsFor(const Field& field) const {
  switch (field.type) {
    case FieldType::kEmail: return emails;
    case FieldType::kPhone: return phones;
    case FieldType::kUrl: return urls;
    default: break;
  }
  std::string lower = engine::ToLowerAscii(field.name);
  if (lower == "name" || lower == "subject" || lower.find("customer.") == 0 ||
      lower == "casenumber") {
    return names;
  }
  return texts;
}

const std::vector<std::string>& DifferentialDomains::IdsOf(const std::string& object_name) const {
  static const std::vector<std::string> kNone;
  for (const auto& [name, list] : ids) {
    if (engine::EqualsIgnoreCase(name, object_name)) return list;
  }
  return kNone;
}

std::string DifferentialDomains::IdTargetOf(const Object& object, const Field& field) const {
  if (field.type == FieldType::kId) return object.name;
  if (!field.reference_to.empty()) return field.reference_to[0];
  std::string lower = engine::ToLowerAscii(field.name);
  if (lower.size() > 3 && lower.compare(lower.size() - 3, 3, "_id") == 0) {
    std::string base = lower.substr(0, lower.size() - 3);
    for (const auto& entry : ids) {
      if (engine::EqualsIgnoreCase(entry.first, base)) return entry.first;
    }
  }
  return {};
}

engine::EvalContext DifferentialBinding::Context(const engine::RecordSource* source,
                                                 engine::EvalScratch* scratch) const {
  engine::EvalContext ctx;
  ctx.roots = roots.data();
  ctx.root_count = roots.size();
  ctx.source = with_source ? source : nullptr;
  ctx.now = now;
  ctx.today = today;
  ctx.time_zone = zone;
  ctx.scratch = scratch;
  return ctx;
}

DifferentialWorld::DifferentialWorld(uint64_t seed) {
  schema_ = MakeDifferentialSchema();
  env_ = std::make_unique<engine::Environment>(schema_);
  for (const char* name :
       {"Account", "Opportunity", "Case", "User", "conversation", "call", "deal"}) {
    env_->AddRoot(name, name);
  }
  std::mt19937_64 rng(seed);
  BuildDomains();
  BuildRecords(&rng);
}

void DifferentialWorld::BuildDomains() {
  DifferentialDomains& d = domains_;
  d.numbers = {"0",     "1",     "3",     "7",   "100",    "25000",  "500000",  "500000.5",
               "1000000000", "-3", "0.1", "0.2",  "0.3",   "75",     "12.5",    "1234.5",
               "-0.5",  "999999.99"};
  d.integers = {"0", "1", "3", "7", "100", "25000", "500000", "1000000000", "-3"};
  d.percents = {"0", "12.5", "50", "75", "100"};
  d.names = {"Acme", "acme", "ACME", "Acme Corp", "Globex", "Ann", "Anna Smith", "annie",
             "Z\xC3\xBCrich AG", "z\xC3\xBCrich ag", "Zurich", "O'Brien", " Acme ", "",
             "50%_off"};
  d.texts = {"phone", "Phone", "chat", "email", "High", "Closed", "EMEA", "back\\slash",
             "line\nbreak", "say \"hi\"", "12", "-3.5", "1e3", "+7", " 7", "0.10", "abc",
             "2024-03-31", "2024-02-30", "a_b", "100%", "Tab\there", "x", "Acme", "Acme\n",
             "\tAcme ", " 7 ", "Zurich", "Z\xC3\xBCrich"};
  d.emails = {"ann@example.com", "Ann@Example.com", "bob@test.org", "carol@acme.com"};
  d.phones = {"+1 415 555 0100", "555-0100", "12345", "1234567", "123456"};
  d.urls = {"https://acme.com", "http://globex.example", "acme.com"};
  d.times = {0, 1, 9 * 3600000, 12 * 3600000, 17 * 3600000 + 1800000, 86399999};

  // Instants near day, week, month, quarter and year ends, and DST changes in Los Angeles.
  d.anchors = {At(2024, 3, 31, 22, 30, 0), At(2024, 12, 31, 20, 0, 0), At(2024, 2, 29, 6, 0, 0),
               At(2024, 7, 1, 3, 0, 0),    At(2024, 6, 15, 12, 0, 0),  At(2024, 11, 3, 9, 30, 0),
               At(2024, 3, 10, 12, 0, 0)};
  d.zones.push_back(engine::TimeZone::Utc());
  for (const char* name : {"+05:30", "America/Los_Angeles", "Australia/Sydney"}) {
    std::string error;
    if (auto zone = engine::TimeZone::Load(name, &error)) d.zones.push_back(std::move(zone));
  }

  std::set<int64_t> todays;
  for (Millis a : d.anchors) {
    for (const auto& zone : d.zones) todays.insert(zone->LocalDay(a));
  }
  std::set<int64_t> dates, near;
  for (int64_t t : todays) {
    for (int64_t off : {-400, -366, -365, -364, -120, -92, -91, -90, -89, -31, -30, -29, -8, -7,
                        -6, -2, -1, 0, 1, 2, 6, 7, 8, 29, 30, 31, 89, 90, 91, 92, 365, 366}) {
      dates.insert(t + off);
      if (off >= -8 && off <= 8) near.insert(t + off);
    }
    int64_t sunday = t - RefWeekday(t);
    for (int64_t w : {-14, -7, 0, 7, 14}) {
      dates.insert(sunday + w);
      dates.insert(sunday + w - 1);
    }
    RefCivil c = RefCivilFromDays(t);
    for (int dm = -13; dm <= 13; ++dm) {
      int64_t mi = static_cast<int64_t>(c.year) * 12 + (c.month - 1) + dm;
      RefCivil first{static_cast<int>(mi / 12), static_cast<int>(mi % 12) + 1, 1};
      int64_t f = RefDaysFromCivil(first);
      dates.insert(f);
      dates.insert(f - 1);
      near.insert(f);
      near.insert(f - 1);
    }
  }
  d.dates.assign(dates.begin(), dates.end());
  d.near_dates.assign(near.begin(), near.end());
  std::set<Millis> instants;
  for (int64_t day : near) {
    for (Millis in_day : {0LL, 1LL, 43200000LL, 86399999LL}) {
      instants.insert(day * kMillisPerDay + in_day);
    }
    for (const auto& zone : d.zones) {
      Millis start = zone->StartOfDay(static_cast<Days>(day));
      instants.insert(start);
      instants.insert(start - 1);
    }
  }
  for (Millis a : d.anchors) {
    instants.insert(a);
    instants.insert(a + 1);
    instants.insert(a - 1);
  }
  d.datetimes.assign(instants.begin(), instants.end());
}

engine::RecordPtr DifferentialWorld::RandomRecord(int object_index, const std::string& id,
                                                  std::mt19937_64* rng) {
  const Object& o = schema_->object(object_index);
  engine::RecordBuilder b(env_->layout(object_index));
  const DifferentialDomains& d = domains_;
  for (size_t fi = 0; fi < o.fields.size(); ++fi) {
    const Field& f = o.fields[fi];
    const engine::Slot* slot = b.layout().SlotForField(static_cast<int>(fi));
    if (slot == nullptr) continue;
    if (f.type == FieldType::kId && !o.is_event) {
      b.SetId(*slot, *engine::SfId::Parse(id));
      continue;
    }
    if (Chance(0.15, rng)) continue;  // null
    switch (slot->kind) {
      case engine::StorageKind::kBool:
        b.SetBool(*slot, Chance(0.5, rng));
        break;
      case engine::StorageKind::kNumber: {
        const std::vector<std::string>& pool =
            f.type == FieldType::kInt || f.type == FieldType::kLong ? d.integers
            : f.type == FieldType::kPercent                         ? d.percents
                                                                    : d.numbers;
        b.SetNumber(*slot, *engine::Decimal::Parse(Pick(pool, rng)));
        break;
      }
      case engine::StorageKind::kString:
        if (f.type == FieldType::kMultiPicklist) {
          if (Chance(0.1, rng)) {
            b.SetString(*slot, "");
          } else if (Chance(0.05, rng)) {
            b.SetString(*slot, "emea");
          } else {
            std::vector<std::string> values;
            for (const engine::PicklistValue& v : f.picklist_values) {
              if (Chance(0.4, rng)) values.push_back(v.value);
            }
            if (values.empty()) values.push_back(Pick(f.picklist_values, rng).value);
            std::shuffle(values.begin(), values.end(), *rng);
            std::string joined;
            for (const std::string& v : values) joined += (joined.empty() ? "" : ";") + v;
            b.SetString(*slot, joined);
          }
        } else {
          b.SetString(*slot, Chance(0.1, rng) ? std::string() : Pick(d.TextsFor(f), rng));
        }
        break;
      case engine::StorageKind::kPicklist:
        if (Chance(0.1, rng)) {  // a value the schema does not list, or blank
          size_t form = std::uniform_int_distribution<size_t>(0, 4)(*rng);
          b.SetPicklist(*slot, form == 0   ? std::string()
                               : form <= 2 ? std::string("Unknown")
                                           : engine::ToLowerAscii(f.picklist_values[0].value));
        } else {
          b.SetPicklist(*slot, Pick(f.picklist_values, rng).value);
        }
        break;
      case engine::StorageKind::kId: {
        const std::vector<std::string>& pool = d.IdsOf(d.IdTargetOf(o, f));
        if (pool.empty()) break;
        b.SetId(*slot, *engine::SfId::Parse(Pick(pool, rng)));
        break;
      }
      case engine::StorageKind::kDate:
        b.SetDate(*slot, Pick(Chance(0.5, rng) ? d.near_dates : d.dates, rng));
        break;
      case engine::StorageKind::kDateTime:
        b.SetDateTime(*slot, Pick(d.datetimes, rng));
        break;
      case engine::StorageKind::kTime:
        b.SetTime(*slot, Pick(d.times, rng));
        break;
      case engine::StorageKind::kNone:
        break;
    }
  }
  return b.Finish();
}

void DifferentialWorld::BuildRecords(std::mt19937_64* rng) {
  // Ids first (records look each other up), then records.
  struct Count {
    const char* object;
    int records;
  };
  static constexpr Count kCounts[] = {
      {"User", 6}, {"Account", 14}, {"Opportunity", 40}, {"Case", 30}};
  for (const Count& c : kCounts) {
    const Object* o = schema_->Find(c.object);
    std::vector<std::string> list;
    for (int i = 0; i < c.records; ++i) list.push_back(MakeId(o->key_prefix, rng));
    if (std::string(c.object) == "Account") {
      // Two Ids that differ only in letter case: distinct records (15-character Ids are
      // case-sensitive).
      list[0] = "001Dn00000AbCdE";
      list[1] = "001Dn00000abcde";
    }
    for (int i = 0; i < 2; ++i) list.push_back(MakeId(o->key_prefix, rng));  // dangling
    domains_.ids.emplace_back(c.object, std::move(list));
  }
  store_ = std::make_unique<engine::RecordStore>(*schema_);
  for (const Count& c : kCounts) {
    int oi = schema_->IndexOf(c.object);
    const std::vector<std::string>& list = domains_.IdsOf(c.object);
    for (int i = 0; i < c.records; ++i) store_->Add(oi, RandomRecord(oi, list[i], rng));
  }
  store_->Freeze();
  events_.resize(env_->roots().size());
  for (size_t r = 0; r < env_->roots().size(); ++r) {
    int oi = env_->roots()[r].object_index;
    if (!schema_->object(oi).is_event) continue;
    for (int i = 0; i < 12; ++i) events_[r].push_back(RandomRecord(oi, {}, rng));
  }
}

DifferentialBinding DifferentialWorld::RandomBinding(std::mt19937_64* rng) const {
  DifferentialBinding b;
  b.roots.assign(env_->roots().size(), nullptr);
  const int account_oi = schema_->IndexOf("Account");
  const engine::Record* account = nullptr;
  if (!Chance(0.1, rng)) account = Pick(store_->records(account_oi), rng).get();
  for (size_t r = 0; r < env_->roots().size(); ++r) {
    int oi = env_->roots()[r].object_index;
    const Object& o = schema_->object(oi);
    if (o.is_event) {
      if (!Chance(0.15, rng)) b.roots[r] = Pick(events_[r], rng).get();
      continue;
    }
    if (oi == account_oi) {
      b.roots[r] = account;
      continue;
    }
    if (Chance(0.1, rng)) continue;
    const std::vector<engine::RecordPtr>& all = store_->records(oi);
    if (all.empty()) continue;
    const engine::Record* chosen = nullptr;
    if (account != nullptr && account->id() != nullptr && Chance(0.6, rng)) {
      int lookup = o.FieldIndex("AccountId");
      if (lookup >= 0) {
        engine::RecordSpan kids = store_->Children(oi, lookup, *account->id());
        if (kids.size > 0) {
          chosen = kids.data[std::uniform_int_distribution<size_t>(0, kids.size - 1)(*rng)];
        }
      } else if (o.name == "User") {
        const engine::Slot* owner = account->layout().SlotForField("OwnerId");
        if (owner != nullptr && !account->IsNull(*owner)) {
          chosen = store_->Find(oi, account->GetId(*owner));
        }
      }
    }
    b.roots[r] = chosen != nullptr ? chosen : Pick(all, rng).get();
  }
  b.now = Pick(domains_.anchors, rng);
  const engine::TimeZone* zone = Pick(domains_.zones, rng).get();
  b.today = zone->LocalDay(b.now);
  b.zone = zone == domains_.zones[0].get() && Chance(0.5, rng) ? nullptr : zone;
  b.with_source = !Chance(0.05, rng);
  return b;
}

std::string DifferentialWorld::Describe(const DifferentialBinding& binding) const {
  RefValue now{RefType::kDateTime, RefDateTime{binding.now}};
  RefValue today{RefType::kDate, RefDate{binding.today}};
  std::string out = "now=" + DescribeRefValue(now) +
                    " zone=" + (binding.zone != nullptr ? binding.zone->name() : "null (UTC)") +
                    " today=" + DescribeRefValue(today) +
                    (binding.with_source ? "" : " (no RecordSource)") + "\n";
  for (size_t r = 0; r < binding.roots.size(); ++r) {
    out += "  " + env_->roots()[r].name + " = ";
    out += binding.roots[r] != nullptr ? DescribeRecord(*binding.roots[r]) : "(none)";
    out += "\n";
  }
  return out;
}

std::string DescribeRecord(const engine::Record& record) {
  const Object& o = record.layout().object();
  std::string out = o.name + "{";
  bool first = true;
  for (const engine::Slot& s : record.layout().slots()) {
    const Field& f = o.fields[s.field_index];
    RefValue v;
    if (record.IsNull(s)) {
      v = RefValue::Null(RefType::kNull);
    } else {
      switch (s.kind) {
        case engine::StorageKind::kBool: v = {RefType::kBool, record.GetBool(s)}; break;
        case engine::StorageKind::kNumber: v = {RefType::kNumber, record.GetNumber(s)}; break;
        case engine::StorageKind::kString:
          v = {RefType::kText, std::string(record.GetString(s))};
          break;
        case engine::StorageKind::kPicklist:
          v = {RefType::kText, std::string(record.GetPicklistText(s))};
          break;
        case engine::StorageKind::kId: v = {RefType::kId, record.GetId(s)}; break;
        case engine::StorageKind::kDate: v = {RefType::kDate, RefDate{record.GetDate(s)}}; break;
        case engine::StorageKind::kDateTime:
          v = {RefType::kDateTime, RefDateTime{record.GetDateTime(s)}};
          break;
        case engine::StorageKind::kTime: v = {RefType::kTime, RefTime{record.GetTime(s)}}; break;
        case engine::StorageKind::kNone: break;
      }
    }
    out += (first ? "" : ", ") + f.name + "=" + DescribeRefValue(v);
    first = false;
  }
  return out + "}";
}

}  // namespace cf::test_support
