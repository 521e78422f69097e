// Salesforce's REST error answers: a JSON array of {"message", "errorCode", "fields"?}, keys in
// that order as Salesforce writes them (the live captures in salesforce-samples/errors).
#ifndef CF_TOOLS_SFEMU_ERRORS_H_
#define CF_TOOLS_SFEMU_ERRORS_H_

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tools/sfemu/http_types.h"

namespace cf::sfemu {

struct SfError {
  std::string error_code;  // "REQUIRED_FIELD_MISSING"
  std::string message;     // "Required fields are missing: [LastName]"
  std::vector<std::string> fields;

  // {"message": ..., "errorCode": ..., "fields": [...]} (fields omitted when empty, as
  // Salesforce does for errors that concern no field).
  nlohmann::ordered_json ToJson() const {
    nlohmann::ordered_json j = {{"message", message}, {"errorCode", error_code}};
    if (!fields.empty()) j["fields"] = fields;
    return j;
  }
  // The collections/composite per-record form: {"statusCode", "message", "fields"}, in that
  // order (Salesforce's SaveResult errors).
  nlohmann::ordered_json ToStatusJson() const {
    return {{"statusCode", error_code}, {"message", message}, {"fields", fields}};
  }
};

inline HttpResponse ErrorResponse(int status, const std::vector<SfError>& errors) {
  nlohmann::ordered_json body = nlohmann::ordered_json::array();
  for (const SfError& e : errors) body.push_back(e.ToJson());
  return HttpResponse::Json(status, body.dump());
}
inline HttpResponse ErrorResponse(int status, std::string code, std::string message,
                                  std::vector<std::string> fields = {}) {
  return ErrorResponse(status, {SfError{std::move(code), std::move(message), std::move(fields)}});
}

}  // namespace cf::sfemu

#endif  // CF_TOOLS_SFEMU_ERRORS_H_
