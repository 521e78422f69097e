#include "engine/schema.h"

#include <algorithm>
#include <array>
#include <utility>

namespace cf::engine {
namespace {

struct TypeName {
  std::string_view name;
  FieldType type;
};
constexpr std::array<TypeName, 25> kTypeNames{{
    {"id", FieldType::kId},
    {"boolean", FieldType::kBoolean},
    {"int", FieldType::kInt},
    {"long", FieldType::kLong},
    {"double", FieldType::kDouble},
    {"currency", FieldType::kCurrency},
    {"percent", FieldType::kPercent},
    {"string", FieldType::kString},
    {"textarea", FieldType::kTextArea},
    {"email", FieldType::kEmail},
    {"phone", FieldType::kPhone},
    {"url", FieldType::kUrl},
    {"encryptedstring", FieldType::kEncryptedString},
    {"picklist", FieldType::kPicklist},
    {"multipicklist", FieldType::kMultiPicklist},
    {"combobox", FieldType::kCombobox},
    {"reference", FieldType::kReference},
    {"date", FieldType::kDate},
    {"datetime", FieldType::kDateTime},
    {"time", FieldType::kTime},
    {"address", FieldType::kAddress},
    {"location", FieldType::kLocation},
    {"base64", FieldType::kBase64},
    {"anyType", FieldType::kAnyType},
    {"complexvalue", FieldType::kComplexValue},
}};

}  // namespace

FieldType FieldTypeFromName(std::string_view describe_type) {
  for (const TypeName& t : kTypeNames) {
    if (EqualsIgnoreCase(t.name, describe_type)) return t.type;
  }
  return FieldType::kUnknown;
}

std::string_view FieldTypeName(FieldType type) {
  for (const TypeName& t : kTypeNames) {
    if (t.type == type) return t.name;
  }
  return "unknown";
}

StorageKind StorageKindOf(FieldType t) {
  switch (t) {
    case FieldType::kBoolean:
      return StorageKind::kBool;
    case FieldType::kInt:
    case FieldType::kLong:
    case FieldType::kDouble:
    case FieldType::kCurrency:
    case FieldType::kPercent:
      return StorageKind::kNumber;
    case FieldType::kString:
    case FieldType::kTextArea:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kUrl:
    case FieldType::kEncryptedString:
    case FieldType::kMultiPicklist:
    case FieldType::kCombobox:
      return StorageKind::kString;
    case FieldType::kPicklist:
      return StorageKind::kPicklist;
    case FieldType::kId:
    case FieldType::kReference:
      return StorageKind::kId;
    case FieldType::kDate:
      return StorageKind::kDate;
    case FieldType::kDateTime:
      return StorageKind::kDateTime;
    case FieldType::kTime:
      return StorageKind::kTime;
    case FieldType::kAddress:
    case FieldType::kLocation:
    case FieldType::kBase64:
    case FieldType::kAnyType:
    case FieldType::kComplexValue:
    case FieldType::kUnknown:
      return StorageKind::kNone;
  }
  return StorageKind::kNone;
}

int Field::FindPicklistValue(std::string_view value) const {
  for (size_t i = 0; i < picklist_values.size(); ++i) {
    if (picklist_values[i].value == value) return static_cast<int>(i);
  }
  return -1;
}

void Object::Index() {
  field_index_.clear();
  relationship_index_.clear();
  child_index_.clear();
  for (size_t i = 0; i < fields.size(); ++i) {
    field_index_.emplace(ToLowerAscii(fields[i].name), static_cast<int>(i));
    if (!fields[i].relationship_name.empty()) {
      relationship_index_.emplace(ToLowerAscii(fields[i].relationship_name), static_cast<int>(i));
    }
  }
  for (size_t i = 0; i < child_relationships.size(); ++i) {
    child_index_.emplace(ToLowerAscii(child_relationships[i].relationship_name),
                         static_cast<int>(i));
  }
}

int Object::FieldIndex(std::string_view field_name) const {
  auto it = field_index_.find(ToLowerAscii(field_name));
  return it == field_index_.end() ? -1 : it->second;
}

const Field* Object::FindField(std::string_view field_name) const {
  int i = FieldIndex(field_name);
  return i < 0 ? nullptr : &fields[i];
}

const Field* Object::FindLookupByRelationship(std::string_view relationship_name) const {
  auto it = relationship_index_.find(ToLowerAscii(relationship_name));
  return it == relationship_index_.end() ? nullptr : &fields[it->second];
}

const ChildRelationship* Object::FindChildRelationship(std::string_view relationship_name) const {
  auto it = child_index_.find(ToLowerAscii(relationship_name));
  return it == child_index_.end() ? nullptr : &child_relationships[it->second];
}

void Schema::Add(Object object) {
  object.Index();
  std::string key = ToLowerAscii(object.name);
  auto it = index_.find(key);
  if (it != index_.end()) {
    objects_[it->second] = std::move(object);
    return;
  }
  index_.emplace(std::move(key), static_cast<int>(objects_.size()));
  objects_.push_back(std::move(object));
}

int Schema::IndexOf(std::string_view name) const {
  auto it = index_.find(ToLowerAscii(name));
  return it == index_.end() ? -1 : it->second;
}

const Object* Schema::Find(std::string_view name) const {
  int i = IndexOf(name);
  return i < 0 ? nullptr : &objects_[i];
}

std::string ToLowerAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

namespace {

// Case-insensitive Levenshtein distance, bounded rows.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::string x = ToLowerAscii(a), y = ToLowerAscii(b);
  std::vector<size_t> prev(y.size() + 1), cur(y.size() + 1);
  for (size_t j = 0; j <= y.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= x.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= y.size(); ++j) {
      size_t subst = prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1);
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, subst});
    }
    std::swap(prev, cur);
  }
  return prev[y.size()];
}

}  // namespace

std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates) {
  if (name.size() > 256) return {};
  size_t limit = std::max<size_t>(1, name.size() / 3);
  size_t best = limit + 1;
  std::string_view best_name;
  for (std::string_view c : candidates) {
    if (c.size() > 256) continue;
    size_t d = EditDistance(name, c);
    if (d < best) {
      best = d;
      best_name = c;
    }
  }
  return best <= limit ? std::string(best_name) : std::string();
}

}  // namespace cf::engine
