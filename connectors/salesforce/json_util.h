// Internal to connectors/salesforce: helpers that read typed attributes from nlohmann::json
// objects with path-naming error messages. Not part of the wire API; use describe_json.h and
// record_json.h instead.
#ifndef CF_CONNECTORS_SALESFORCE_JSON_UTIL_H_
#define CF_CONNECTORS_SALESFORCE_JSON_UTIL_H_

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace cf::sf {

inline void SetError(std::string* error, std::string message) {
  if (error != nullptr) *error = std::move(message);
}
inline bool Fail(std::string* error, std::string message) {
  SetError(error, std::move(message));
  return false;
}

// "fields[3]" + "type" -> "fields[3].type"; "" + "name" -> "name".
inline std::string Join(const std::string& path, std::string_view key) {
  std::string out = path;
  if (!out.empty()) out += '.';
  out += key;
  return out;
}

// A short, safe rendering of a JSON value for messages: scalars as JSON text (strings quoted
// and cut after 60 bytes), containers by kind (never dumped: they may be huge or deep).
inline std::string DescribeJsonValue(const nlohmann::json& v) {
  switch (v.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::binary:
      return "binary data";
    case nlohmann::json::value_t::discarded:
      return "nothing";
    case nlohmann::json::value_t::string: {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.size() <= 60) return nlohmann::json(s).dump(-1, ' ', false,
                                                        nlohmann::json::error_handler_t::replace);
      std::string cut = nlohmann::json(s.substr(0, 60))
                            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      cut.insert(cut.size() - 1, "...");
      return cut;
    }
    default:
      return v.dump();
  }
}

// Readers of one attribute of a JSON object. Absent or null leaves *out unchanged and
// succeeds; a value of another type fails with "<path>.<key> is not a <type>".
inline bool ReadString(const nlohmann::json& obj, std::string_view key, const std::string& path,
                       std::string* out, std::string* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_string()) return Fail(error, Join(path, key) + " is not a string");
  *out = it->get<std::string>();
  return true;
}

inline bool ReadRequiredString(const nlohmann::json& obj, std::string_view key,
                               const std::string& path, std::string* out, std::string* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Fail(error, Join(path, key) + " is missing");
  if (!it->is_string()) return Fail(error, Join(path, key) + " is not a string");
  *out = it->get<std::string>();
  return true;
}

inline bool ReadBool(const nlohmann::json& obj, std::string_view key, const std::string& path,
                     bool* out, std::string* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_boolean()) return Fail(error, Join(path, key) + " is not a boolean");
  *out = it->get<bool>();
  return true;
}

inline bool ReadInt32(const nlohmann::json& obj, std::string_view key, const std::string& path,
                      int32_t* out, std::string* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (it->is_number_unsigned()) {
    uint64_t v = it->get<uint64_t>();
    if (v > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
      return Fail(error, Join(path, key) + " is out of range");
    }
    *out = static_cast<int32_t>(v);
    return true;
  }
  if (it->is_number_integer()) {
    int64_t v = it->get<int64_t>();
    if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
      return Fail(error, Join(path, key) + " is out of range");
    }
    *out = static_cast<int32_t>(v);
    return true;
  }
  return Fail(error, Join(path, key) + " is not an integer");
}

inline bool ReadStringArray(const nlohmann::json& obj, std::string_view key,
                            const std::string& path, std::vector<std::string>* out,
                            std::string* error) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return true;
  if (!it->is_array()) return Fail(error, Join(path, key) + " is not an array");
  out->clear();
  out->reserve(it->size());
  for (size_t i = 0; i < it->size(); ++i) {
    const nlohmann::json& s = (*it)[i];
    if (!s.is_string()) {
      return Fail(error, Join(path, key) + "[" + std::to_string(i) + "] is not a string");
    }
    out->push_back(s.get<std::string>());
  }
  return true;
}

// Reads a whole file; fails with "<path>: <reason>".
inline bool ReadWholeFile(const std::string& path, std::string* out, std::string* error) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return Fail(error, path + ": cannot open the file");
  out->clear();
  char buffer[1 << 16];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0) out->append(buffer, n);
  bool failed = std::ferror(f) != 0;
  std::fclose(f);
  if (failed) return Fail(error, path + ": cannot read the file");
  return true;
}

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_JSON_UTIL_H_
