#include "connectors/salesforce/describe_json.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <fstream>
#include <limits>
#include <unordered_map>
#include <utility>

#include "connectors/salesforce/json_util.h"
#include "engine/value.h"

namespace cf::sf {

using nlohmann::json;

// ---------------------------------------------------------------------------------------------
// ParseJson: a DOM built through nlohmann's SAX interface, so that nesting is bounded and the
// raw text of each floating-point number is seen.
namespace {

class DomBuilder {
 public:
  using number_integer_t = json::number_integer_t;
  using number_unsigned_t = json::number_unsigned_t;
  using number_float_t = json::number_float_t;
  using string_t = json::string_t;
  using binary_t = json::binary_t;

  bool null() { return Put(json(nullptr)); }
  bool boolean(bool v) { return Put(json(v)); }
  bool number_integer(number_integer_t v) { return Put(json(v)); }
  bool number_unsigned(number_unsigned_t v) { return Put(json(v)); }
  bool number_float(number_float_t v, const string_t& text) {
    // Keep the digits when a double would change the value (see ParseJson's contract).
    std::optional<engine::Decimal> exact = engine::Decimal::Parse(text);
    if (exact) {
      std::optional<engine::Decimal> approx = engine::Decimal::FromDouble(v);
      if (!approx || *approx != *exact) return Put(json(text));
    }
    return Put(json(v));
  }
  bool string(string_t& v) { return Put(json(std::move(v))); }
  bool binary(binary_t& v) { return Put(json::binary(std::move(v))); }
  bool start_object(std::size_t /*elements*/) { return Open(json::object()); }
  bool key(string_t& k) {
    key_ = std::move(k);
    return true;
  }
  bool end_object() {
    stack_.pop_back();
    return true;
  }
  bool start_array(std::size_t /*elements*/) { return Open(json::array()); }
  bool end_array() {
    stack_.pop_back();
    return true;
  }
  bool parse_error(std::size_t /*position*/, const std::string& /*last_token*/,
                   const nlohmann::detail::exception& ex) {
    std::string what = ex.what();
    // "[json.exception.parse_error.101] parse error at line 1, ..." -> "parse error at ..."
    if (!what.empty() && what[0] == '[') {
      size_t close = what.find("] ");
      if (close != std::string::npos) what.erase(0, close + 2);
    }
    error_ = "invalid JSON: " + what;
    return false;
  }

  json& root() { return root_; }
  const std::string& error() const { return error_; }

 private:
  bool Open(json v) {
    if (static_cast<int>(stack_.size()) >= kMaxJsonDepth) {
      error_ = "invalid JSON: nesting deeper than " + std::to_string(kMaxJsonDepth) + " levels";
      return false;
    }
    json* slot = Insert(std::move(v));
    stack_.push_back(slot);
    return true;
  }
  bool Put(json v) {
    Insert(std::move(v));
    return true;
  }
  json* Insert(json v) {
    if (stack_.empty()) {
      root_ = std::move(v);
      return &root_;
    }
    json* top = stack_.back();
    if (top->is_array()) {
      top->push_back(std::move(v));
      return &top->back();
    }
    json& slot = (*top)[key_];
    slot = std::move(v);
    return &slot;
  }

  json root_;
  std::vector<json*> stack_;
  std::string key_;
  std::string error_;
};

}  // namespace

std::optional<json> ParseJson(std::string_view text, std::string* error) {
  DomBuilder builder;
  bool ok = false;
  try {
    ok = json::sax_parse(text.begin(), text.end(), &builder);
  } catch (const std::exception& e) {
    SetError(error, std::string("invalid JSON: ") + e.what());
    return std::nullopt;
  }
  if (!ok) {
    SetError(error, builder.error().empty() ? "invalid JSON" : builder.error());
    return std::nullopt;
  }
  return std::move(builder.root());
}

// ---------------------------------------------------------------------------------------------
// validFor
namespace {

int Base64Digit(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

constexpr char kBase64Alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::optional<std::vector<uint16_t>> DecodeValidFor(std::string_view base64) {
  // Strip '=' padding (at most two, only at the end).
  size_t end = base64.size();
  int padding = 0;
  while (end > 0 && base64[end - 1] == '=' && padding < 2) {
    --end;
    ++padding;
  }
  if (end % 4 == 1) return std::nullopt;  // no base64 text has this length
  std::vector<uint16_t> out;
  uint32_t accumulator = 0;
  int bits = 0;
  size_t byte_index = 0;
  for (size_t i = 0; i < end; ++i) {
    int d = Base64Digit(base64[i]);
    if (d < 0) return std::nullopt;
    accumulator = (accumulator << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      unsigned byte = (accumulator >> bits) & 0xFFu;
      for (int b = 0; b < 8; ++b) {
        if ((byte & (0x80u >> b)) == 0) continue;
        size_t index = byte_index * 8 + static_cast<size_t>(b);
        if (index > std::numeric_limits<uint16_t>::max()) return std::nullopt;
        out.push_back(static_cast<uint16_t>(index));
      }
      ++byte_index;
    }
  }
  return out;
}

std::string EncodeValidFor(const std::vector<uint16_t>& indexes, size_t controller_values) {
  size_t bytes = (controller_values + 7) / 8;
  for (uint16_t i : indexes) bytes = std::max<size_t>(bytes, static_cast<size_t>(i) / 8 + 1);
  if (bytes == 0) bytes = 1;
  bytes = (bytes + 2) / 3 * 3;
  std::vector<unsigned char> bitset(bytes, 0);
  for (uint16_t i : indexes) bitset[i / 8] |= static_cast<unsigned char>(0x80u >> (i % 8));
  std::string out;
  out.reserve(bytes / 3 * 4);
  for (size_t i = 0; i < bytes; i += 3) {
    uint32_t v = (uint32_t{bitset[i]} << 16) | (uint32_t{bitset[i + 1]} << 8) | bitset[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kBase64Alphabet[(v >> shift) & 63]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Describe
namespace {

bool ReadPicklistValues(const json& field, const std::string& path, engine::Field* out,
                        std::string* error) {
  auto it = field.find("picklistValues");
  if (it == field.end() || it->is_null()) return true;
  if (!it->is_array()) return Fail(error, Join(path, "picklistValues") + " is not an array");
  out->picklist_values.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& v = (*it)[i];
    std::string at = Join(path, "picklistValues") + "[" + std::to_string(i) + "]";
    if (!v.is_object()) return Fail(error, at + " is not an object");
    engine::PicklistValue pv;
    if (!ReadRequiredString(v, "value", at, &pv.value, error)) return false;
    pv.label = pv.value;
    std::string valid_for;
    if (!ReadString(v, "label", at, &pv.label, error) ||
        !ReadBool(v, "active", at, &pv.active, error) ||
        !ReadBool(v, "defaultValue", at, &pv.default_value, error) ||
        !ReadString(v, "validFor", at, &valid_for, error)) {
      return false;
    }
    if (!valid_for.empty()) {
      std::optional<std::vector<uint16_t>> decoded = DecodeValidFor(valid_for);
      if (!decoded) return Fail(error, Join(at, "validFor") + " is not a valid base64 bitset");
      pv.valid_for = std::move(*decoded);
    }
    out->picklist_values.push_back(std::move(pv));
  }
  return true;
}

bool ReadField(const json& f, const std::string& path, engine::Field* out, bool* hidden,
               std::string* error) {
  if (!f.is_object()) return Fail(error, path + " is not an object");
  std::string type_name;
  if (!ReadRequiredString(f, "name", path, &out->name, error) ||
      !ReadRequiredString(f, "type", path, &type_name, error)) {
    return false;
  }
  out->type = engine::FieldTypeFromName(type_name);
  out->label = out->name;
  *hidden = false;
  bool ok = ReadString(f, "label", path, &out->label, error) &&
            ReadBool(f, "deprecatedAndHidden", path, hidden, error) &&
            ReadBool(f, "custom", path, &out->custom, error) &&
            ReadBool(f, "createable", path, &out->createable, error) &&
            ReadBool(f, "updateable", path, &out->updateable, error) &&
            ReadBool(f, "nillable", path, &out->nillable, error) &&
            ReadBool(f, "defaultedOnCreate", path, &out->defaulted_on_create, error) &&
            ReadBool(f, "unique", path, &out->unique, error) &&
            ReadBool(f, "externalId", path, &out->external_id, error) &&
            ReadBool(f, "calculated", path, &out->calculated, error) &&
            ReadBool(f, "nameField", path, &out->name_field, error) &&
            ReadBool(f, "idLookup", path, &out->id_lookup, error) &&
            ReadBool(f, "caseSensitive", path, &out->case_sensitive, error) &&
            ReadBool(f, "restrictedPicklist", path, &out->restricted_picklist, error) &&
            ReadBool(f, "dependentPicklist", path, &out->dependent_picklist, error) &&
            ReadInt32(f, "length", path, &out->length, error) &&
            ReadInt32(f, "precision", path, &out->precision, error) &&
            ReadInt32(f, "scale", path, &out->scale, error) &&
            ReadInt32(f, "digits", path, &out->digits, error) &&
            ReadString(f, "controllerName", path, &out->controller_name, error) &&
            ReadString(f, "relationshipName", path, &out->relationship_name, error) &&
            ReadStringArray(f, "referenceTo", path, &out->reference_to, error) &&
            ReadPicklistValues(f, path, out, error);
  if (!ok) return false;
  if (!out->dependent_picklist) {
    for (engine::PicklistValue& v : out->picklist_values) v.valid_for.clear();
  }
  return true;
}

bool ReadChildRelationships(const json& d, engine::Object* out, std::string* error) {
  auto it = d.find("childRelationships");
  if (it == d.end() || it->is_null()) return true;
  if (!it->is_array()) return Fail(error, "childRelationships is not an array");
  for (size_t i = 0; i < it->size(); ++i) {
    const json& c = (*it)[i];
    std::string at = "childRelationships[" + std::to_string(i) + "]";
    if (!c.is_object()) return Fail(error, at + " is not an object");
    engine::ChildRelationship rel;
    bool hidden = false;
    if (!ReadString(c, "relationshipName", at, &rel.relationship_name, error) ||
        !ReadBool(c, "deprecatedAndHidden", at, &hidden, error)) {
      return false;
    }
    if (rel.relationship_name.empty() || hidden) continue;  // not traversable in SOQL
    if (!ReadRequiredString(c, "childSObject", at, &rel.child_object, error) ||
        !ReadRequiredString(c, "field", at, &rel.field, error)) {
      return false;
    }
    out->child_relationships.push_back(std::move(rel));
  }
  return true;
}

std::optional<engine::Object> ReadDescribe(const json& d, std::string* error) {
  if (!d.is_object()) {
    SetError(error, "describe: expected a JSON object, got " + DescribeJsonValue(d));
    return std::nullopt;
  }
  engine::Object object;
  std::string inner;
  if (!ReadRequiredString(d, "name", "", &object.name, &inner)) {
    SetError(error, "describe: " + inner);
    return std::nullopt;
  }
  object.label = object.name;
  object.label_plural = object.name;
  bool ok = ReadString(d, "label", "", &object.label, &inner) &&
            ReadString(d, "labelPlural", "", &object.label_plural, &inner) &&
            ReadString(d, "keyPrefix", "", &object.key_prefix, &inner) &&
            ReadBool(d, "custom", "", &object.custom, &inner) &&
            ReadBool(d, "createable", "", &object.createable, &inner) &&
            ReadBool(d, "updateable", "", &object.updateable, &inner) &&
            ReadBool(d, "queryable", "", &object.queryable, &inner);
  if (ok) {
    auto fields = d.find("fields");
    if (fields == d.end()) {
      ok = Fail(&inner, "fields is missing");
    } else if (!fields->is_array()) {
      ok = Fail(&inner, "fields is not an array");
    } else {
      object.fields.reserve(fields->size());
      std::unordered_map<std::string, size_t> seen;  // lower-case name -> index in the JSON
      for (size_t i = 0; ok && i < fields->size(); ++i) {
        std::string at = "fields[" + std::to_string(i) + "]";
        engine::Field field;
        bool hidden = false;
        ok = ReadField((*fields)[i], at, &field, &hidden, &inner);
        if (!ok || hidden) continue;
        auto [it, inserted] = seen.emplace(engine::ToLowerAscii(field.name), i);
        if (!inserted) {
          ok = Fail(&inner, at + ".name \"" + field.name + "\" repeats fields[" +
                                std::to_string(it->second) + "].name");
          break;
        }
        object.fields.push_back(std::move(field));
      }
    }
  }
  ok = ok && ReadChildRelationships(d, &object, &inner);
  if (!ok) {
    SetError(error, "describe of " + object.name + ": " + inner);
    return std::nullopt;
  }
  object.Index();
  return object;
}

}  // namespace

std::optional<engine::Object> DescribeFromJson(const json& describe, std::string* error) {
  try {
    return ReadDescribe(describe, error);
  } catch (const std::exception& e) {  // bad_alloc and the like: report, never escape
    SetError(error, std::string("describe: ") + e.what());
    return std::nullopt;
  }
}

std::optional<engine::Object> ParseDescribe(std::string_view json_text, std::string* error) {
  std::string inner;
  std::optional<json> j = ParseJson(json_text, &inner);
  if (!j) {
    SetError(error, "describe: " + inner);
    return std::nullopt;
  }
  return DescribeFromJson(*j, error);
}

// ---------------------------------------------------------------------------------------------
// describeGlobal
namespace {

std::optional<std::vector<GlobalObject>> ReadDescribeGlobal(const json& body, std::string* error) {
  std::string inner;
  auto fail = [&]() {
    SetError(error, "describeGlobal: " + inner);
    return std::nullopt;
  };
  if (!body.is_object()) {
    inner = "expected a JSON object, got " + DescribeJsonValue(body);
    return fail();
  }
  auto it = body.find("sobjects");
  if (it == body.end()) {
    inner = "sobjects is missing";
    return fail();
  }
  if (!it->is_array()) {
    inner = "sobjects is not an array";
    return fail();
  }
  std::vector<GlobalObject> out;
  out.reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const json& o = (*it)[i];
    std::string at = "sobjects[" + std::to_string(i) + "]";
    if (!o.is_object()) {
      inner = at + " is not an object";
      return fail();
    }
    GlobalObject g;
    if (!ReadRequiredString(o, "name", at, &g.name, &inner)) return fail();
    g.label = g.name;
    g.label_plural = g.name;
    if (!ReadString(o, "label", at, &g.label, &inner) ||
        !ReadString(o, "labelPlural", at, &g.label_plural, &inner) ||
        !ReadString(o, "keyPrefix", at, &g.key_prefix, &inner) ||
        !ReadBool(o, "custom", at, &g.custom, &inner) ||
        !ReadBool(o, "queryable", at, &g.queryable, &inner) ||
        !ReadBool(o, "createable", at, &g.createable, &inner) ||
        !ReadBool(o, "updateable", at, &g.updateable, &inner)) {
      return fail();
    }
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace

std::optional<std::vector<GlobalObject>> DescribeGlobalFromJson(const json& body,
                                                                std::string* error) {
  try {
    return ReadDescribeGlobal(body, error);
  } catch (const std::exception& e) {
    SetError(error, std::string("describeGlobal: ") + e.what());
    return std::nullopt;
  }
}

std::optional<std::vector<GlobalObject>> ParseDescribeGlobal(std::string_view json_text,
                                                             std::string* error) {
  std::string inner;
  std::optional<json> j = ParseJson(json_text, &inner);
  if (!j) {
    SetError(error, "describeGlobal: " + inner);
    return std::nullopt;
  }
  return DescribeGlobalFromJson(*j, error);
}

// ---------------------------------------------------------------------------------------------
// Schema files
namespace {

// Adds the describes held by one parsed file (a describe, or {"objects": [...]}) to *schema.
// A describeGlobal body is skipped when `skip_global` is set.
bool AddDescribes(const json& doc, bool skip_global, engine::Schema* schema,
                  std::string* error) {
  auto add = [&](const json& describe, const std::string& where) {
    std::string inner;
    std::optional<engine::Object> object = DescribeFromJson(describe, &inner);
    if (!object) return Fail(error, where + inner);
    if (schema->Find(object->name) != nullptr) {
      return Fail(error, where + "object " + object->name + " is described twice");
    }
    schema->Add(std::move(*object));
    return true;
  };
  if (!doc.is_object()) return Fail(error, "expected a JSON object, got " + DescribeJsonValue(doc));
  if (skip_global && doc.contains("sobjects") && !doc.contains("fields")) return true;
  auto objects = doc.find("objects");
  if (objects == doc.end()) return add(doc, "");
  if (!objects->is_array()) return Fail(error, "objects is not an array");
  for (size_t i = 0; i < objects->size(); ++i) {
    if (!add((*objects)[i], "objects[" + std::to_string(i) + "]: ")) return false;
  }
  return true;
}

bool LoadInto(const std::filesystem::path& file, bool skip_global, engine::Schema* schema,
              std::string* error) {
  std::string text;
  std::string inner;
  if (!ReadWholeFile(file.string(), &text, &inner)) return Fail(error, inner);
  std::optional<json> doc = ParseJson(text, &inner);
  if (!doc || !AddDescribes(*doc, skip_global, schema, &inner)) {
    return Fail(error, file.string() + ": " + inner);
  }
  return true;
}

std::shared_ptr<const engine::Schema> LoadSchema(const std::string& path, std::string* error) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    SetError(error, path + ": no such file or directory");
    return nullptr;
  }
  auto schema = std::make_shared<engine::Schema>();
  if (!fs::is_directory(status)) {
    if (!LoadInto(path, /*skip_global=*/false, schema.get(), error)) return nullptr;
    return schema;
  }
  fs::path dir = path;
  if (fs::is_directory(dir / "describe", ec)) dir /= "describe";  // an org directory
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (it->path().extension() == ".json" && it->is_regular_file(ec)) files.push_back(it->path());
  }
  if (ec) {
    SetError(error, dir.string() + ": cannot list the directory: " + ec.message());
    return nullptr;
  }
  if (files.empty()) {
    SetError(error, dir.string() + ": the directory holds no *.json describe files");
    return nullptr;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    if (!LoadInto(file, /*skip_global=*/true, schema.get(), error)) return nullptr;
  }
  return schema;
}

}  // namespace

std::shared_ptr<const engine::Schema> LoadSchemaFile(const std::string& path,
                                                     std::string* error) {
  try {
    return LoadSchema(path, error);
  } catch (const std::exception& e) {
    SetError(error, path + ": " + e.what());
    return nullptr;
  }
}

std::shared_ptr<const engine::Schema> ParseSchemaJson(std::string_view json_text,
                                                      std::string* error) {
  try {
    std::string inner;
    std::optional<json> doc = ParseJson(json_text, &inner);
    auto schema = std::make_shared<engine::Schema>();
    if (!doc || !AddDescribes(*doc, /*skip_global=*/false, schema.get(), &inner)) {
      SetError(error, "schema: " + inner);
      return nullptr;
    }
    return schema;
  } catch (const std::exception& e) {
    SetError(error, std::string("schema: ") + e.what());
    return nullptr;
  }
}

}  // namespace cf::sf
