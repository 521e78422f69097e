#include "engine/event.h"

#include <algorithm>
#include <utility>

namespace cf::engine {
namespace {

// contact_id -> Contact, ..., case_id -> Case; -1 for other fields.
int RecordRootOfIdField(std::string_view field) {
  constexpr std::string_view kSuffix = "_id";
  if (field.size() <= kSuffix.size() || !EqualsIgnoreCase(field.substr(field.size() - 3), kSuffix)) {
    return -1;
  }
  std::string_view base = field.substr(0, field.size() - 3);
  for (int r = 0; r < kRecordRootCount; ++r) {
    if (EqualsIgnoreCase(base, RuleRootName(static_cast<RuleRoot>(r)))) return r;
  }
  return -1;
}

std::string Quoted(std::string_view text) {
  constexpr size_t kMax = 60;
  std::string out = "\"";
  out.append(text.substr(0, kMax));
  if (text.size() > kMax) out += "...";
  return out + "\"";
}

}  // namespace

const char* ExpectedTextForm(FieldType type) {
  switch (StorageKindOf(type)) {
    case StorageKind::kBool: return "true or false";
    case StorageKind::kNumber:
      return type == FieldType::kInt || type == FieldType::kLong ? "a whole number" : "a number such as 12.5";
    case StorageKind::kId: return "a Salesforce Id (15 or 18 letters and digits)";
    case StorageKind::kDate: return "a date such as 2024-03-31";
    case StorageKind::kDateTime: return "a date-time such as 2024-03-31T13:45:00Z (with Z or an offset)";
    case StorageKind::kTime: return "a time such as 13:45:00Z";
    default: return "text";
  }
}

std::string CheckIdPrefix(const Schema& schema, RuleRoot root, const SfId& id) {
  const char* name = RuleRootName(root);
  const Object* object = schema.Find(name);
  if (object == nullptr || object->key_prefix.size() != 3 || id.KeyPrefix() == object->key_prefix) {
    return std::string();
  }
  return std::string("expected ") + (root == RuleRoot::kAccount || root == RuleRoot::kOpportunity ? "an " : "a ") +
         name + " Id (prefix " + object->key_prefix + "), got " + id.To15() + " (prefix " +
         std::string(id.KeyPrefix()) + ")";
}

EventBuilder::EventBuilder(std::shared_ptr<const Environment> env) : env_(std::move(env)) {
  for (int i = 0; i < kEventRootCount; ++i) {
    const int root = env_->FindRoot(RuleRootName(static_cast<RuleRoot>(kRecordRootCount + i)));
    if (root < 0) continue;
    PerObject& o = objects_[i];
    o.object_index = env_->roots()[root].object_index;
    o.builder = std::make_unique<RecordBuilder>(env_->layout(o.object_index));
    o.set.assign(env_->schema().object(o.object_index).fields.size(), false);
  }
}

void EventBuilder::Reset(Trigger type) {
  for (PerObject& o : objects_) {
    if (o.builder == nullptr) continue;
    if (o.touched) o.builder->Finish();  // back to all-null
    o.touched = false;
    std::fill(o.set.begin(), o.set.end(), false);
  }
  event_ = Event();
  event_.type = type;
}

const Object* EventBuilder::EventObject(RuleRoot root) const {
  const PerObject& o = objects_[static_cast<int>(root) - kRecordRootCount];
  return o.object_index < 0 ? nullptr : &env_->schema().object(o.object_index);
}

void EventBuilder::Touch(RuleRoot root) {
  PerObject& o = objects_[static_cast<int>(root) - kRecordRootCount];
  if (o.builder != nullptr) o.touched = true;
}

bool EventBuilder::IsSet(RuleRoot root, std::string_view field) const {
  const PerObject& o = objects_[static_cast<int>(root) - kRecordRootCount];
  if (o.object_index < 0) return false;
  int fi = env_->schema().object(o.object_index).FieldIndex(field);
  return fi >= 0 && o.set[fi];
}

bool EventBuilder::Set(RuleRoot root, std::string_view field, std::string_view text,
                       std::string* error) {
  PerObject& o = objects_[static_cast<int>(root) - kRecordRootCount];
  if (o.object_index < 0) {
    *error = std::string("the schema has no ") + RuleRootName(root) + " event object";
    return false;
  }
  const Object& object = env_->schema().object(o.object_index);
  const int fi = object.FieldIndex(field);
  const Slot* slot = fi < 0 ? nullptr : o.builder->layout().SlotForField(fi);
  if (slot == nullptr) {
    *error = "not a field of " + object.name;
    return false;
  }
  const FieldType type = object.fields[fi].type;
  if (slot->kind == StorageKind::kNumber && (type == FieldType::kInt || type == FieldType::kLong)) {
    std::optional<Decimal> d = Decimal::Parse(text);
    if (!d || d->ToInt64() == std::nullopt || Decimal::FromInt(*d->ToInt64()) != *d) {
      *error = std::string("expected ") + ExpectedTextForm(type) + ", got " + Quoted(text);
      return false;
    }
  }
  if (slot->kind == StorageKind::kId) {
    std::optional<SfId> id = SfId::Parse(text);
    if (!id) {
      *error = std::string("expected ") + ExpectedTextForm(type) + ", got " + Quoted(text);
      return false;
    }
    int record_root = RecordRootOfIdField(object.fields[fi].name);
    if (record_root >= 0) {
      std::string wrong = CheckIdPrefix(env_->schema(), static_cast<RuleRoot>(record_root), *id);
      if (!wrong.empty()) {
        *error = std::move(wrong);
        return false;
      }
    }
  }
  if (!o.builder->SetFromText(*slot, text)) {
    *error = std::string("expected ") + ExpectedTextForm(type) + ", got " + Quoted(text);
    return false;
  }
  o.set[fi] = true;
  o.touched = true;
  return true;
}

bool EventBuilder::SetRecordId(RuleRoot root, std::string_view text, std::string* error) {
  std::optional<SfId> id = SfId::Parse(text);
  if (!id) {
    *error = std::string("expected ") + ExpectedTextForm(FieldType::kId) + ", got " + Quoted(text);
    return false;
  }
  std::string wrong = CheckIdPrefix(env_->schema(), root, *id);
  if (!wrong.empty()) {
    *error = std::move(wrong);
    return false;
  }
  event_.record_ids[static_cast<int>(root)] = *id;
  return true;
}

Event EventBuilder::Finish() {
  Event out = std::move(event_);
  for (int i = 0; i < kEventRootCount; ++i) {
    PerObject& o = objects_[i];
    if (o.builder != nullptr && o.touched) out.objects[i] = o.builder->Finish();
    o.touched = false;
  }
  Reset(out.type);
  return out;
}

}  // namespace cf::engine
