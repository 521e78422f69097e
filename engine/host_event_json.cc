// ReadHostEvent: the host's JSON events (docs/events.md) through nlohmann/json into EventBuilder.
#include <exception>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "engine/host_event.h"

namespace cf::engine {
namespace {

using nlohmann::json;

const char* JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null: return "null";
    case json::value_t::object: return "an object";
    case json::value_t::array: return "an array";
    case json::value_t::string: return "a string";
    case json::value_t::boolean: return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
    case json::value_t::number_float: return "a number";
    default: return "a value of an unknown kind";
  }
}

// Deepest nesting of objects and arrays outside strings; stops counting past `limit`.
int NestingDepth(std::string_view text, int limit) {
  int depth = 0, deepest = 0;
  bool in_string = false, escaped = false;
  for (char c : text) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '{' || c == '[') {
      if (++depth > deepest) deepest = depth;
      if (deepest > limit) return deepest;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return deepest;
}

class Reader {
 public:
  Reader(EventBuilder& builder, HostEventError* error) : builder_(builder), error_(error) {}

  bool Fail(std::string field, std::string message) {
    error_->field = std::move(field);
    error_->message = std::move(message);
    return false;
  }

  bool Read(const json& root, Event* event) {
    if (!root.is_object()) return Fail("", std::string("expected a JSON object, got ") + JsonTypeName(root));
    auto type_it = root.find("type");
    if (type_it == root.end() || type_it->is_null()) {
      return Fail("type", "missing: every event has a type such as \"conversation.created\"");
    }
    if (!type_it->is_string()) {
      return Fail("type", std::string("expected a string, got ") + JsonTypeName(*type_it));
    }
    const std::string& type_name = type_it->get_ref<const std::string&>();
    std::optional<Trigger> type = TriggerFromName(type_name);
    if (!type) return Fail("type", UnknownType(type_name));
    builder_.Reset(*type);

    if (auto it = root.find("id"); it != root.end() && !it->is_null()) {
      if (!it->is_string()) return Fail("id", std::string("expected a string, got ") + JsonTypeName(*it));
      builder_.SetId(it->get<std::string>());
    }

    const uint32_t bound = RootsBoundBy(*type);
    for (int i = 0; i < kEventRootCount; ++i) {
      const RuleRoot root_kind = static_cast<RuleRoot>(kRecordRootCount + i);
      const char* name = RuleRootName(root_kind);
      if ((bound & (1u << static_cast<int>(root_kind))) == 0) continue;  // not read by this type
      auto it = root.find(name);
      if (it == root.end() || it->is_null()) {
        if (IsPrimary(*type, root_kind)) {
          return Fail(name, std::string("missing: a ") + type_name + " event carries a \"" + name + "\" object");
        }
        continue;
      }
      if (!it->is_object()) return Fail(name, std::string("expected an object, got ") + JsonTypeName(*it));
      const Object* object = builder_.EventObject(root_kind);
      if (object == nullptr) continue;
      builder_.Touch(root_kind);
      if (!ReadObject(root_kind, *object, name, "", *it)) return false;
      if (root_kind == RuleRoot::kConversation && !builder_.IsSet(root_kind, "type") &&
          object->FindField("type") != nullptr) {
        std::string ignored;
        builder_.Set(root_kind, "type", TriggerName(*type), &ignored);
      }
    }

    if (auto it = root.find("records"); it != root.end() && !it->is_null()) {
      if (!it->is_object()) return Fail("records", std::string("expected an object, got ") + JsonTypeName(*it));
      for (const auto& [key, value] : it->items()) {
        const std::string path = "records." + key;
        int record_root = -1;
        for (int r = 0; r < kRecordRootCount; ++r) {
          if (EqualsIgnoreCase(key, RuleRootName(static_cast<RuleRoot>(r)))) record_root = r;
        }
        if (record_root < 0) {
          return Fail(path, "expected one of Contact, Lead, Account, Opportunity, Case");
        }
        if (value.is_null()) continue;
        if (!value.is_string()) {
          return Fail(path, std::string("expected a Salesforce Id string, got ") + JsonTypeName(value));
        }
        std::string message;
        if (!builder_.SetRecordId(static_cast<RuleRoot>(record_root), value.get_ref<const std::string&>(),
                                  &message)) {
          return Fail(path, message);
        }
      }
    }
    *event = builder_.Finish();
    return true;
  }

 private:
  static bool IsPrimary(Trigger type, RuleRoot root) {
    switch (type) {
      case Trigger::kCallEnded: return root == RuleRoot::kCall;
      case Trigger::kDealClosed: return root == RuleRoot::kDeal;
      default: return root == RuleRoot::kConversation;
    }
  }

  static std::string UnknownType(const std::string& name) {
    std::string out = "unknown event type \"" + name.substr(0, 60) + "\": expected one of ";
    std::vector<std::string_view> names;
    for (int t = 0; t < kTriggerCount; ++t) {
      names.push_back(TriggerName(static_cast<Trigger>(t)));
      out += (t == 0 ? "" : ", ");
      out += TriggerName(static_cast<Trigger>(t));
    }
    std::string closest = ClosestName(name, names);
    if (!closest.empty()) out += " (did you mean " + closest + "?)";
    return out;
  }

  static bool HasFieldUnder(const Object& object, const std::string& prefix) {
    for (const Field& f : object.fields) {
      if (f.name.size() > prefix.size() && f.name[prefix.size()] == '.' &&
          EqualsIgnoreCase(std::string_view(f.name).substr(0, prefix.size()), prefix)) {
        return true;
      }
    }
    return false;
  }

  // Members of `value` (an object) at `prefix` ("" or "customer") of event object `object`.
  bool ReadObject(RuleRoot root, const Object& object, const std::string& json_path,
                  const std::string& prefix, const json& value) {
    for (const auto& [key, member] : value.items()) {
      const std::string field_name = prefix.empty() ? key : prefix + "." + key;
      const std::string path = json_path + "." + key;
      const Field* field = object.FindField(field_name);
      if (field == nullptr) {
        if (HasFieldUnder(object, field_name)) {  // a group of fields such as "customer"
          if (member.is_null()) continue;
          if (!member.is_object()) return Fail(path, std::string("expected an object, got ") + JsonTypeName(member));
          if (!ReadObject(root, object, path, field_name, member)) return false;
        }
        continue;  // unknown members are ignored
      }
      if (!ReadField(root, *field, path, member)) return false;
    }
    return true;
  }

  bool ReadField(RuleRoot root, const Field& field, const std::string& path, const json& member) {
    if (member.is_null()) return true;
    const json* v = &member;
    std::string at = path;
    std::string text;
    // "message": {"text": ...} as well as "message": "..."; "tags": ["a", "b"] as "a;b".
    if (v->is_object() && EqualsIgnoreCase(field.name, "message")) {
      auto it = v->find("text");
      if (it == v->end() || it->is_null()) return true;
      v = &*it;
      at += ".text";
    } else if (v->is_array() && EqualsIgnoreCase(field.name, "tags")) {
      for (size_t i = 0; i < v->size(); ++i) {
        const json& tag = (*v)[i];
        if (!tag.is_string()) {
          return Fail(at + "[" + std::to_string(i) + "]", std::string("expected a string, got ") + JsonTypeName(tag));
        }
        if (i > 0) text += ';';
        text += tag.get_ref<const std::string&>();
      }
      return Set(root, field, at, text);
    }
    switch (field.storage()) {
      case StorageKind::kNumber:
        if (v->is_number()) {
          text = v->dump();
        } else if (v->is_string()) {
          text = v->get<std::string>();
        } else {
          return Fail(at, std::string("expected ") + ExpectedTextForm(field.type) + ", got " + JsonTypeName(*v));
        }
        break;
      case StorageKind::kBool:
        if (!v->is_boolean()) return Fail(at, std::string("expected true or false, got ") + JsonTypeName(*v));
        text = v->get<bool>() ? "true" : "false";
        break;
      case StorageKind::kNone:
        return true;
      default:
        if (!v->is_string()) {
          const bool plain_text = field.storage() == StorageKind::kString;
          return Fail(at, std::string("expected ") + (plain_text ? "a string" : ExpectedTextForm(field.type)) +
                              ", got " + JsonTypeName(*v));
        }
        text = v->get<std::string>();
    }
    return Set(root, field, at, text);
  }

  bool Set(RuleRoot root, const Field& field, const std::string& at, const std::string& text) {
    std::string message;
    if (!builder_.Set(root, field.name, text, &message)) return Fail(at, message);
    return true;
  }

  EventBuilder& builder_;
  HostEventError* error_;
};

}  // namespace

bool ReadHostEvent(std::string_view text, EventBuilder& builder, Event* event, HostEventError* error,
                   const HostEventLimits& limits) {
  *error = HostEventError();
  builder.Reset(Trigger::kConversationCreated);
  if (text.size() > limits.max_bytes) {
    error->message = "the event is " + std::to_string(text.size()) + " bytes; at most " +
                     std::to_string(limits.max_bytes) + " are accepted";
    return false;
  }
  if (NestingDepth(text, limits.max_depth) > limits.max_depth) {
    error->message = "the event nests objects and arrays deeper than " + std::to_string(limits.max_depth) + " levels";
    return false;
  }
  json root;
  try {
    root = json::parse(text.begin(), text.end());
  } catch (const std::exception& e) {
    std::string what = e.what();
    if (size_t close = what.find("] "); what.rfind("[json.exception", 0) == 0 && close != std::string::npos) {
      what.erase(0, close + 2);
    }
    error->message = "not JSON: " + what;
    return false;
  }
  try {
    Reader reader(builder, error);
    if (reader.Read(root, event)) return true;
  } catch (const std::exception& e) {  // allocation failure; nothing else throws here
    error->message = std::string("cannot read the event: ") + e.what();
  }
  builder.Reset(Trigger::kConversationCreated);
  return false;
}

}  // namespace cf::engine
