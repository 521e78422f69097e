// The schema model of a Salesforce org: objects, fields, picklists, relationships.
//
// Built once (from describe results by connectors/salesforce, or by hand in tests), then
// immutable and shared between threads through std::shared_ptr<const Schema>.
// Object and field names are case-insensitive, as in Salesforce; lookups ignore ASCII case and
// the model keeps the spelling the org uses for diagnostics.
#ifndef CF_ENGINE_SCHEMA_H_
#define CF_ENGINE_SCHEMA_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace cf::engine {

// Salesforce field types (describe's "type"), plus kUnknown for anything newer.
enum class FieldType : uint8_t {
  kId, kBoolean, kInt, kLong, kDouble, kCurrency, kPercent,
  kString, kTextArea, kEmail, kPhone, kUrl, kEncryptedString,
  kPicklist, kMultiPicklist, kCombobox,
  kReference, kDate, kDateTime, kTime,
  kAddress, kLocation, kBase64, kAnyType, kComplexValue, kUnknown,
};
// "picklist" -> kPicklist ... ; kUnknown for a name it does not know.
FieldType FieldTypeFromName(std::string_view describe_type);
std::string_view FieldTypeName(FieldType t);  // the describe spelling

// How a field's value is stored in a record and seen by the language.
enum class StorageKind : uint8_t {
  kNone,       // compound or binary fields (address, location, base64): not usable in rules
  kBool,
  kNumber,     // Decimal: int, long, double, currency, percent
  kString,     // text of any kind, multipicklist ("A;B;C"), combobox
  kPicklist,   // value code (index in Field::picklist_values) plus its text
  kId,         // id and reference: SfId
  kDate,       // Days
  kDateTime,   // Millis
  kTime,       // TimeOfDay
};
StorageKind StorageKindOf(FieldType t);

struct PicklistValue {
  std::string value;
  std::string label;
  bool active = true;
  bool default_value = false;
  // For a dependent picklist: indexes (into the controlling field's picklist_values, or 0/1
  // for a boolean controller: 0 = false, 1 = true) of the controlling values this value is
  // valid for. Empty when the field is not dependent.
  std::vector<uint16_t> valid_for;
};

struct Field {
  std::string name;   // API name as the org spells it, e.g. "AnnualRevenue", "Tier__c"
  std::string label;
  FieldType type = FieldType::kString;
  bool custom = false;
  bool createable = false;
  bool updateable = false;
  bool nillable = true;
  bool defaulted_on_create = false;
  bool unique = false;
  bool external_id = false;
  bool calculated = false;
  bool name_field = false;
  bool id_lookup = false;
  bool case_sensitive = false;
  bool restricted_picklist = false;
  bool dependent_picklist = false;
  int32_t length = 0;     // characters, for text
  int32_t precision = 0;  // digits, for numbers
  int32_t scale = 0;
  int32_t digits = 0;     // for int
  std::string controller_name;  // dependent picklist: the controlling field's name
  std::vector<PicklistValue> picklist_values;
  std::vector<std::string> reference_to;  // lookup targets (several when polymorphic)
  std::string relationship_name;          // "Account" for AccountId, "Owner" for OwnerId

  StorageKind storage() const { return StorageKindOf(type); }
  // Index in picklist_values of a value, compared exactly (case-sensitive). -1 if absent.
  int FindPicklistValue(std::string_view value) const;
};

struct ChildRelationship {
  std::string relationship_name;  // "Opportunities"
  std::string child_object;       // "Opportunity"
  std::string field;              // "AccountId": the child's lookup to the parent
};

struct ValidationRule {
  std::string name;
  bool active = true;
  std::string error_condition_formula;
  std::string error_message;
  std::string error_display_field;
};

class Object {
 public:
  std::string name;   // "Account", "Invoice__c", or an event's type such as "conversation"
  std::string label;
  std::string label_plural;
  std::string key_prefix;  // "001"
  bool custom = false;
  bool createable = false;
  bool updateable = false;
  bool queryable = true;
  // True for the host's event pseudo-objects (conversation, call, deal): their fields may be
  // dotted ("customer.email") and they exist only while an event is evaluated.
  bool is_event = false;
  std::vector<Field> fields;
  std::vector<ChildRelationship> child_relationships;
  std::vector<ValidationRule> validation_rules;

  // Case-insensitive lookups; nullptr if absent. Call Index() after changing `fields` or
  // `child_relationships` (Schema::Add does).
  const Field* FindField(std::string_view name) const;
  int FieldIndex(std::string_view name) const;  // -1 if absent
  // The lookup field whose relationship_name matches ("Account" -> AccountId).
  const Field* FindLookupByRelationship(std::string_view relationship_name) const;
  const ChildRelationship* FindChildRelationship(std::string_view relationship_name) const;
  void Index();

 private:
  std::unordered_map<std::string, int> field_index_;         // lower-case name -> index
  std::unordered_map<std::string, int> relationship_index_;  // lower-case -> field index
  std::unordered_map<std::string, int> child_index_;         // lower-case -> child index
};

class Schema {
 public:
  // Adds or replaces an object (matched case-insensitively). Indexes it.
  // REQUIRES: nothing refers into this Schema yet (layouts, environments, compiled conditions
  // hold pointers to its objects): build a Schema completely, then share it as
  // std::shared_ptr<const Schema>; a refresh builds a new one.
  void Add(Object object);
  const Object* Find(std::string_view name) const;  // case-insensitive; nullptr if absent
  int IndexOf(std::string_view name) const;          // -1 if absent
  const Object& object(int index) const { return objects_[index]; }
  int size() const { return static_cast<int>(objects_.size()); }
  const std::vector<Object>& objects() const { return objects_; }

 private:
  std::vector<Object> objects_;
  std::unordered_map<std::string, int> index_;  // lower-case name -> index
};

// ASCII lower-casing and case-insensitive compare, for API names and keywords.
std::string ToLowerAscii(std::string_view s);
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// The candidate closest to `name` by case-insensitive edit distance, if close enough to be a
// plausible typo (distance <= max(1, len/3)); empty otherwise. For "did you mean" hints.
std::string ClosestName(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace cf::engine

#endif  // CF_ENGINE_SCHEMA_H_
