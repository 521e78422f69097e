#include "tools/sfemu/cascade.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace cf::sfemu {
namespace {

// One child relationship of a parent object, as its describe lists it.
struct ChildLink {
  const engine::Object* child = nullptr;
  int field = -1;  // the child's lookup to the parent
  bool cascade = false;
  bool restricted = false;
};

std::vector<ChildLink> ChildLinks(const Org& org, const engine::Object& parent) {
  std::vector<ChildLink> out;
  const nlohmann::json* describe = org.DescribeJson(parent.name);
  if (describe == nullptr) return out;
  auto rels = describe->find("childRelationships");
  if (rels == describe->end() || !rels->is_array()) return out;
  for (const nlohmann::json& r : *rels) {
    if (!r.is_object()) continue;
    const bool cascade = r.value("cascadeDelete", false);
    const bool restricted = r.value("restrictedDelete", false);
    if (!cascade && !restricted) continue;
    const engine::Object* child = org.schema().Find(r.value("childSObject", std::string()));
    if (child == nullptr) continue;
    const int field = child->FieldIndex(r.value("field", std::string()));
    if (field < 0) continue;
    out.push_back({child, field, cascade, restricted});
  }
  return out;
}

// The field the object's describe marks nameField (Account.Name, Case.CaseNumber); "" if none.
std::string NameField(const Org& org, const engine::Object& object) {
  const nlohmann::json* describe = org.DescribeJson(object.name);
  if (describe == nullptr || !describe->contains("fields")) return {};
  for (const nlohmann::json& f : (*describe)["fields"]) {
    if (f.is_object() && f.value("nameField", false)) return f.value("name", std::string());
  }
  return {};
}

std::string Text(const RecordView& row, const engine::Object& object, const std::string& field) {
  const int index = field.empty() ? -1 : object.FieldIndex(field);
  if (index < 0) return {};
  const FieldValue v = row.Get(index);
  return v.kind == FieldValue::Kind::kString ? std::string(v.text) : v.Text();
}

// How Salesforce names a record in the message: its name, with the salutation of a person.
std::string DisplayName(const Org& org, const engine::Object& object, const RecordView& row) {
  std::string name = Text(row, object, NameField(org, object));
  if (name.empty()) return row.Id18();
  const std::string salutation = Text(row, object, "Salutation");
  return salutation.empty() ? name : salutation + " " + name;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string Key(const engine::SfId& id) { return std::string(id.chars, 15); }

// The records to delete, by object: 15-character key -> 18-character Id.
using Doomed = std::map<const engine::Object*, std::map<std::string, std::string>>;

}  // namespace

std::optional<SfError> DeleteWithCascadeLocked(Org& org, const engine::Object& object,
                                               std::string_view id18) {
  auto top = org.FindRowLocked(object, id18);
  if (!top) return SfError{"ENTITY_IS_DELETED", "entity is deleted", {}};
  Doomed doomed;
  doomed[&object][Key(top->id())] = top->Id18();
  std::vector<const engine::Object*> order = {&object};  // objects in the order they joined

  // Breadth first: each round scans every child table once for the previous round's records.
  Doomed frontier = doomed;
  while (!frontier.empty()) {
    Doomed next;
    for (const auto& [parent, keys] : frontier) {
      for (const ChildLink& link : ChildLinks(org, *parent)) {
        if (!link.cascade) continue;
        if (doomed.count(link.child) == 0) order.push_back(link.child);
        auto& mine = doomed[link.child];
        org.ScanRowsLocked(*link.child, [&](const RecordView& row) {
          if (row.deleted()) return true;
          const FieldValue v = row.Get(link.field);
          if (v.kind != FieldValue::Kind::kId || keys.count(Key(v.id)) == 0) return true;
          if (mine.emplace(Key(row.id()), row.Id18()).second) {
            next[link.child][Key(row.id())] = row.Id18();
          }
          return true;
        });
      }
    }
    frontier = std::move(next);
  }

  // A live record outside the set that names one inside through a restricted link stops it.
  for (const engine::Object* parent : order) {
    const auto& keys = doomed[parent];
    for (const ChildLink& link : ChildLinks(org, *parent)) {
      if (!link.restricted) continue;
      const auto it = doomed.find(link.child);
      std::vector<std::string> names;
      org.ScanRowsLocked(*link.child, [&](const RecordView& row) {
        if (row.deleted()) return true;
        const FieldValue v = row.Get(link.field);
        if (v.kind != FieldValue::Kind::kId || keys.count(Key(v.id)) == 0) return true;
        if (it != doomed.end() && it->second.count(Key(row.id())) != 0) return true;
        std::string name = Text(row, *link.child, NameField(org, *link.child));
        names.push_back(name.empty() ? row.Id18() : name);
        return true;
      });
      if (names.empty()) continue;
      const nlohmann::json* child_describe = org.DescribeJson(link.child->name);
      std::string plural = child_describe != nullptr
                               ? child_describe->value("labelPlural", link.child->name)
                               : link.child->name;
      std::string list;
      for (const std::string& n : names) list += (list.empty() ? "" : ", ") + n;
      return SfError{"DELETE_FAILED",
                     "Your attempt to delete " + DisplayName(org, object, *top) +
                         " could not be completed because it is associated with the following " +
                         Lower(plural) + ".: " + list + "\n",
                     {}};
    }
  }

  for (const auto& [o, keys] : doomed) {
    for (const auto& [key, id] : keys) org.DeleteLocked(*o, id);
  }
  return std::nullopt;
}

}  // namespace cf::sfemu
