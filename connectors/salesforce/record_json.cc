#include "connectors/salesforce/record_json.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <exception>
#include <limits>
#include <utility>

#include "connectors/salesforce/json_util.h"
#include "engine/value.h"

namespace cf::sf {

using engine::Decimal;
using engine::RecordBuilder;
using engine::Slot;
using engine::StorageKind;
using nlohmann::json;

namespace {

// The member of `obj` whose key equals `name` ignoring ASCII case; nullptr if none.
const json* FindIgnoreCase(const json& obj, std::string_view name) {
  auto exact = obj.find(name);
  if (exact != obj.end()) return &*exact;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), name)) return &it.value();
  }
  return nullptr;
}

// attributes.type of a record object; empty if absent.
std::string AttributesType(const json& record) {
  if (!record.is_object()) return {};
  auto attrs = record.find("attributes");
  if (attrs == record.end() || !attrs->is_object()) return {};
  auto type = attrs->find("type");
  if (type == attrs->end() || !type->is_string()) return {};
  return type->get<std::string>();
}

bool IsEmptyString(const json& v) {
  return v.is_string() && v.get_ref<const std::string&>().empty();
}

// Sets one slot from a JSON value; on a mismatch returns false with the reason in *why.
bool SetValue(RecordBuilder& b, const Slot& slot, const json& v, std::string* why) {
  if (v.is_null()) {
    b.SetNull(slot);
    return true;
  }
  const bool text_kind = slot.kind == StorageKind::kString || slot.kind == StorageKind::kPicklist;
  if (!text_kind && IsEmptyString(v)) {
    b.SetNull(slot);
    return true;
  }
  auto expected = [&](const char* what) {
    return Fail(why, std::string("expected ") + what + ", got " + DescribeJsonValue(v));
  };
  switch (slot.kind) {
    case StorageKind::kBool:
      if (v.is_boolean()) {
        b.SetBool(slot, v.get<bool>());
        return true;
      }
      if (v.is_string() && b.SetFromText(slot, v.get_ref<const std::string&>())) return true;
      return expected("a boolean");
    case StorageKind::kNumber: {
      std::optional<Decimal> d;
      if (v.is_number_unsigned()) {
        uint64_t u = v.get<uint64_t>();
        d = u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())
                ? Decimal::FromInt(static_cast<int64_t>(u))
                : Decimal::Parse(std::to_string(u));
      } else if (v.is_number_integer()) {
        d = Decimal::FromInt(v.get<int64_t>());
      } else if (v.is_number_float()) {
        double x = v.get<double>();
        d = Decimal::FromDouble(x);
        if (!d) {
          return Fail(why, std::isfinite(x) ? "the number " + DescribeJsonValue(v) +
                                                  " is out of range"
                                            : std::string("the number is out of range"));
        }
      } else if (v.is_string()) {
        d = Decimal::Parse(v.get_ref<const std::string&>());
      }
      if (!d) return expected("a number");
      b.SetNumber(slot, *d);
      return true;
    }
    case StorageKind::kString:
      if (!v.is_string()) return expected("a string");
      b.SetString(slot, v.get_ref<const std::string&>());
      return true;
    case StorageKind::kPicklist:
      if (!v.is_string()) return expected("a picklist value (a string)");
      b.SetPicklist(slot, v.get_ref<const std::string&>());
      return true;
    case StorageKind::kId: {
      std::optional<engine::SfId> id;
      if (v.is_string()) id = engine::SfId::Parse(v.get_ref<const std::string&>());
      if (!id) return expected("a 15- or 18-character Id");
      b.SetId(slot, *id);
      return true;
    }
    case StorageKind::kDate: {
      std::optional<engine::Days> d;
      if (v.is_string()) d = engine::ParseIsoDate(v.get_ref<const std::string&>());
      if (!d) return expected("a date (YYYY-MM-DD)");
      b.SetDate(slot, *d);
      return true;
    }
    case StorageKind::kDateTime: {
      std::optional<engine::Millis> m;
      if (v.is_string()) m = engine::ParseIsoDateTime(v.get_ref<const std::string&>());
      if (!m) return expected("a datetime (YYYY-MM-DDTHH:MM:SS.sss+0000)");
      b.SetDateTime(slot, *m);
      return true;
    }
    case StorageKind::kTime: {
      std::optional<engine::TimeOfDay> t;
      if (v.is_string()) t = engine::ParseIsoTime(v.get_ref<const std::string&>());
      if (!t) return expected("a time (HH:MM:SS.sssZ)");
      b.SetTime(slot, *t);
      return true;
    }
    case StorageKind::kNone:
      return true;
  }
  return true;
}

// The conversion behind RecordFromJson. `back_field`/`back_id`: a lookup field to set to
// `back_id` unless the record gives it a value (a child record inside its parent's subquery).
std::optional<ConvertedRecord> Convert(const json& record, RecordBuilder& b,
                                       const std::string& back_field, const engine::SfId* back_id,
                                       std::string* error) {
  const engine::RecordLayout& layout = b.layout();
  const engine::Object& object = layout.object();
  if (!record.is_object()) {
    SetError(error, object.name + ": a record must be a JSON object, got " +
                        DescribeJsonValue(record));
    return std::nullopt;
  }
  std::string type = AttributesType(record);
  if (!type.empty() && !engine::EqualsIgnoreCase(type, object.name)) {
    SetError(error, object.name + ": the record's attributes.type is " +
                        DescribeJsonValue(json(type)) + ", not " + object.name);
    return std::nullopt;
  }
  const Slot* slots = layout.slots().data();
  std::vector<uint8_t> given(layout.slots().size(), 0);  // slot set from the record's own key
  struct Implied {
    const Slot* slot;
    engine::SfId id;
  };
  std::vector<Implied> implied;
  auto imply = [&](const std::string& field, const engine::SfId& id) {
    const Slot* slot = layout.SlotForField(field);
    if (slot != nullptr && slot->kind == StorageKind::kId) implied.push_back({slot, id});
  };
  if (back_id != nullptr && !back_field.empty()) imply(back_field, *back_id);

  ConvertedRecord out;
  for (auto it = record.begin(); it != record.end(); ++it) {
    const std::string& key = it.key();
    if (key == "attributes") continue;
    const json& value = it.value();
    int field_index = object.FieldIndex(key);
    if (field_index >= 0) {
      const Slot* slot = layout.SlotForField(field_index);
      if (slot == nullptr) continue;  // not stored (or compound, like BillingAddress)
      std::string why;
      if (!SetValue(b, *slot, value, &why)) {
        b.Finish();  // reset the builder for its next use
        SetError(error, object.name + "." + object.fields[field_index].name + ": " + why);
        return std::nullopt;
      }
      given[static_cast<size_t>(slot - slots)] = 1;
      continue;
    }
    if (!value.is_object()) continue;  // unknown field, or an empty relationship (null)
    NestedJson nested;
    nested.relationship = key;
    auto records = value.find("records");
    if (records != value.end() && records->is_array()) {
      nested.kind = NestedJson::Kind::kChildren;
      if (const engine::ChildRelationship* c = object.FindChildRelationship(key)) {
        nested.object = c->child_object;
        nested.field = c->field;
      }
      if (nested.object.empty() && !records->empty()) nested.object = AttributesType(records->front());
    } else {
      nested.kind = NestedJson::Kind::kParent;
      nested.object = AttributesType(value);
      if (const engine::Field* lookup = object.FindLookupByRelationship(key)) {
        nested.field = lookup->name;
        if (nested.object.empty() && lookup->reference_to.size() == 1) {
          nested.object = lookup->reference_to.front();
        }
        const json* id = FindIgnoreCase(value, "Id");
        if (id != nullptr && id->is_string()) {
          if (std::optional<engine::SfId> parsed = engine::SfId::Parse(id->get<std::string>())) {
            imply(lookup->name, *parsed);
          }
        }
      }
    }
    nested.json = value;
    out.nested.push_back(std::move(nested));
  }
  for (const Implied& i : implied) {
    size_t index = static_cast<size_t>(i.slot - slots);
    if (given[index]) continue;
    b.SetId(*i.slot, i.id);
    given[index] = 1;
  }
  out.record = b.Finish();
  return out;
}

// Salesforce-style JSON number for a Decimal: integers exactly, others as the nearest double.
json NumberToJson(Decimal d) {
  if (d.raw() % Decimal::kScale == 0) {
    if (std::optional<int64_t> i = d.ToInt64()) return json(*i);
  }
  std::string text = d.ToString();
  double value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) value = d.ToDouble();
  return json(value);
}

}  // namespace

std::optional<ConvertedRecord> RecordFromJson(const json& record, RecordBuilder& builder,
                                              std::string* error) {
  try {
    return Convert(record, builder, std::string(), nullptr, error);
  } catch (const std::exception& e) {
    builder.Finish();
    SetError(error, builder.layout().object().name + ": " + e.what());
    return std::nullopt;
  }
}

std::optional<ConvertedRecord> RecordFromJson(const json& record,
                                              std::shared_ptr<const engine::RecordLayout> layout,
                                              std::string* error) {
  RecordBuilder builder(std::move(layout));
  return RecordFromJson(record, builder, error);
}

// ---------------------------------------------------------------------------------------------
// RecordReader

RecordReader::RecordReader(std::shared_ptr<const engine::Schema> schema)
    : schema_(std::move(schema)) {
  objects_.resize(static_cast<size_t>(schema_->size()));
  for (int i = 0; i < schema_->size(); ++i) {
    PerObject& po = objects_[static_cast<size_t>(i)];
    po.layout = engine::RecordLayout::BuildAll(schema_->object(i));
    po.builder = std::make_unique<RecordBuilder>(po.layout);
  }
}

void RecordReader::SetLayout(std::shared_ptr<const engine::RecordLayout> layout) {
  if (layout == nullptr) return;
  int index = schema_->IndexOf(layout->object().name);
  if (index < 0 || &schema_->object(index) != &layout->object()) return;  // REQUIRES broken
  PerObject& po = objects_[static_cast<size_t>(index)];
  po.layout = std::move(layout);
  po.builder = std::make_unique<RecordBuilder>(po.layout);
}

std::shared_ptr<const engine::RecordLayout> RecordReader::LayoutFor(std::string_view object) const {
  int index = schema_->IndexOf(object);
  return index < 0 ? nullptr : objects_[static_cast<size_t>(index)].layout;
}

RecordReader::PerObject* RecordReader::Find(std::string_view object) {
  int index = schema_->IndexOf(object);
  return index < 0 ? nullptr : &objects_[static_cast<size_t>(index)];
}

std::optional<ConvertedRecord> RecordReader::ReadRecord(const json& record, std::string_view object,
                                                        std::string* error) {
  std::string type = object.empty() ? AttributesType(record) : std::string(object);
  if (type.empty()) {
    SetError(error, "the record has no attributes.type and no object was given");
    return std::nullopt;
  }
  PerObject* po = Find(type);
  if (po == nullptr) {
    SetError(error, "object " + type + " is not in the schema");
    return std::nullopt;
  }
  return RecordFromJson(record, *po->builder, error);
}

bool RecordReader::ReadRecords(const json& result, std::string_view object, const std::string& path,
                               int depth, const std::string& back_field,
                               const engine::SfId* parent_id, RecordsByObject* out,
                               std::string* error) {
  const json* records = nullptr;
  std::string prefix;
  if (result.is_array()) {
    records = &result;
    prefix = path;
  } else if (result.is_object()) {
    auto it = result.find("records");
    if (it == result.end() || !it->is_array()) {
      return Fail(error, (path.empty() ? std::string() : path + ": ") +
                             "expected a query result with a \"records\" array");
    }
    records = &*it;
    prefix = Join(path, "records");
  } else {
    return Fail(error, (path.empty() ? std::string() : path + ": ") +
                           "expected a query result or an array of records, got " +
                           DescribeJsonValue(result));
  }
  for (size_t i = 0; i < records->size(); ++i) {
    if (!ReadOne((*records)[i], object, prefix + "[" + std::to_string(i) + "]", depth, back_field,
                 parent_id, out, error)) {
      return false;
    }
  }
  return true;
}

bool RecordReader::ReadOne(const json& record, std::string_view object, const std::string& path,
                           int depth, const std::string& back_field, const engine::SfId* parent_id,
                           RecordsByObject* out, std::string* error) {
  if (depth > kMaxNesting) {
    return Fail(error, path + ": relationships nested deeper than " +
                           std::to_string(kMaxNesting) + " levels");
  }
  if (!record.is_object()) {
    return Fail(error, path + ": a record must be a JSON object, got " + DescribeJsonValue(record));
  }
  std::string type = object.empty() ? AttributesType(record) : std::string(object);
  PerObject* po = type.empty() ? nullptr : Find(type);
  if (po == nullptr) {
    if (depth > 0) return true;  // a parent or child the schema does not model: skip
    return Fail(error, path + ": " +
                           (type.empty() ? std::string("the record has no attributes.type")
                                         : "object " + type + " is not in the schema"));
  }
  std::string inner;
  std::optional<ConvertedRecord> converted;
  try {
    converted = Convert(record, *po->builder, back_field, parent_id, &inner);
  } catch (const std::exception& e) {
    po->builder->Finish();
    inner = e.what();
  }
  if (!converted) return Fail(error, path + ": " + inner);
  (*out)[po->layout->object().name].push_back(converted->record);
  const engine::SfId* id = converted->record->id();
  for (const NestedJson& n : converted->nested) {
    std::string at = path + "." + n.relationship;
    bool ok = n.kind == NestedJson::Kind::kParent
                  ? ReadOne(n.json, n.object, at, depth + 1, std::string(), nullptr, out, error)
                  : ReadRecords(n.json, n.object, at, depth + 1, n.field, id, out, error);
    if (!ok) return false;
  }
  return true;
}

bool RecordReader::ReadQueryResult(const json& result, std::string_view object,
                                   RecordsByObject* out, std::string* error) {
  try {
    return ReadRecords(result, object, std::string(), 0, std::string(), nullptr, out, error);
  } catch (const std::exception& e) {
    return Fail(error, e.what());
  }
}

bool RecordReader::ReadRecordSet(const json& by_object, RecordsByObject* out, std::string* error) {
  try {
    if (!by_object.is_object()) {
      return Fail(error, "expected an object of query results by object name, got " +
                             DescribeJsonValue(by_object));
    }
    for (auto it = by_object.begin(); it != by_object.end(); ++it) {
      if (Find(it.key()) == nullptr) return Fail(error, it.key() + ": not an object of the schema");
      if (!ReadRecords(it.value(), it.key(), it.key(), 0, std::string(), nullptr, out, error)) {
        return false;
      }
    }
    return true;
  } catch (const std::exception& e) {
    return Fail(error, e.what());
  }
}

bool LoadRecordsFile(const std::string& path, RecordReader& reader, RecordsByObject* out,
                     std::string* error) {
  std::string text;
  std::string inner;
  if (!ReadWholeFile(path, &text, &inner)) return Fail(error, inner);
  std::optional<json> doc = ParseJson(text, &inner);
  if (!doc || !reader.ReadRecordSet(*doc, out, &inner)) return Fail(error, path + ": " + inner);
  return true;
}

// ---------------------------------------------------------------------------------------------
// Record -> JSON

std::string FormatSalesforceDateTime(engine::Millis ms) {
  constexpr int64_t kDay = 86400000;
  int64_t days = ms / kDay;
  int64_t rest = ms % kDay;
  if (rest < 0) {
    rest += kDay;
    --days;
  }
  engine::CivilDate date = engine::CivilFromDays(static_cast<engine::Days>(days));
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02dT%02d:%02d:%02d.%03d+0000", date.year,
                date.month, date.day, static_cast<int>(rest / 3600000),
                static_cast<int>(rest / 60000 % 60), static_cast<int>(rest / 1000 % 60),
                static_cast<int>(rest % 1000));
  return buffer;
}

json RecordToJson(const engine::Record& record, const RecordJsonOptions& options) {
  const engine::RecordLayout& layout = record.layout();
  const engine::Object& object = layout.object();
  json out = json::object();
  if (options.attributes) {
    json attributes = {{"type", object.name}};
    if (const engine::SfId* id = record.id()) {
      attributes["url"] =
          "/services/data/" + options.api_version + "/sobjects/" + object.name + "/" + id->To18();
    }
    out["attributes"] = std::move(attributes);
  }
  for (const Slot& slot : layout.slots()) {
    const std::string& name = object.fields[static_cast<size_t>(slot.field_index)].name;
    if (record.IsNull(slot)) {
      if (options.nulls) out[name] = nullptr;
      continue;
    }
    switch (slot.kind) {
      case StorageKind::kBool:
        out[name] = record.GetBool(slot);
        break;
      case StorageKind::kNumber:
        out[name] = NumberToJson(record.GetNumber(slot));
        break;
      case StorageKind::kString:
        out[name] = std::string(record.GetString(slot));
        break;
      case StorageKind::kPicklist:
        out[name] = std::string(record.GetPicklistText(slot));
        break;
      case StorageKind::kId:
        out[name] = record.GetId(slot).To18();
        break;
      case StorageKind::kDate:
        out[name] = engine::FormatIsoDate(record.GetDate(slot));
        break;
      case StorageKind::kDateTime:
        out[name] = FormatSalesforceDateTime(record.GetDateTime(slot));
        break;
      case StorageKind::kTime:
        out[name] = engine::FormatIsoTime(record.GetTime(slot));
        break;
      case StorageKind::kNone:
        break;
    }
  }
  return out;
}

}  // namespace cf::sf
