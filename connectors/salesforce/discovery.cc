#include "connectors/salesforce/discovery.h"

#include <algorithm>
#include <cctype>
#include <chrono>
#include <ctime>
#include <utility>

#include "connectors/salesforce/soql_builder.h"

namespace cf::sf {
namespace {

// Salesforce's limit of subrequests in one Composite request.
constexpr size_t kCompositeMax = 25;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && EqualsIgnoreCase(s.substr(s.size() - suffix.size()), suffix);
}

std::string NowIso() {
  std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

SfFailure Failure(ErrorCategory category, std::string summary) {
  SfFailure f;
  f.category = category;
  f.summary = std::move(summary);
  return f;
}

// The answer's JSON, or a failure naming what was asked.
std::optional<nlohmann::json> BodyOf(const ApiResult& r, std::string_view what, SfFailure* failure) {
  std::string error;
  std::optional<nlohmann::json> body = r.Json(&error);
  if (!body) {
    *failure = Failure(ErrorCategory::kUnknown, std::string(what) +
                                                    ": the answer is not JSON (" + error +
                                                    "): check the instance URL");
  }
  return body;
}

// Describes `names` through Composite, 25 per call. Adds each describe body to
// org->describes; objects Salesforce refuses become warnings (or an error when `required`).
bool DescribeObjects(const SalesforceClient& client, const std::vector<std::string>& names,
                     const std::vector<bool>& required, DiscoveredOrg* org, SfFailure* failure) {
  for (size_t start = 0; start < names.size(); start += kCompositeMax) {
    size_t end = std::min(names.size(), start + kCompositeMax);
    nlohmann::json subrequests = nlohmann::json::array();
    for (size_t i = start; i < end; ++i) {
      subrequests.push_back({{"method", "GET"},
                             {"url", client.DataPath("sobjects/" + names[i] + "/describe")},
                             {"referenceId", "describe" + std::to_string(i)}});
    }
    ApiRequest request;
    request.method = "POST";
    request.path = "composite";
    request.body = nlohmann::json{{"allOrNone", false}, {"compositeRequest", subrequests}}.dump();
    request.idempotent = true;  // only reads
    ApiResult r = client.Send(request);
    org->api_calls += r.attempts;
    if (!r.ok()) {
      *failure = std::move(*r.failure);
      return false;
    }
    std::optional<nlohmann::json> body = BodyOf(r, "describe (composite)", failure);
    if (!body) return false;
    auto responses = body->find("compositeResponse");
    if (!body->is_object() || responses == body->end() || !responses->is_array() ||
        responses->size() != end - start) {
      *failure = Failure(ErrorCategory::kUnknown,
                         "describe (composite): the answer lacks one compositeResponse per "
                         "object; check the instance URL and the API version");
      return false;
    }
    for (size_t i = start; i < end; ++i) {
      const nlohmann::json& sub = (*responses)[i - start];
      int status = sub.value("httpStatusCode", 0);
      const nlohmann::json* sub_body = sub.contains("body") ? &sub["body"] : nullptr;
      if (status == 200 && sub_body != nullptr && sub_body->is_object()) {
        org->describes[names[i]] = *sub_body;
        continue;
      }
      SfFailure f = sub_body != nullptr ? ClassifyErrors(status, ErrorsFromJson(*sub_body).value_or(
                                                                     std::vector<SalesforceError>{}))
                                        : Failure(ErrorCategory::kUnknown, "no body");
      if (required[i]) {
        f.summary = names[i] + ": cannot be described: " + f.summary;
        *failure = std::move(f);
        return false;
      }
      org->warnings.push_back(names[i] + ": not described (" + f.summary + ")");
    }
  }
  return true;
}

// Lists validation rules of the described objects through the Tooling API.
void ListValidationRules(const SalesforceClient& client, const DiscoveryOptions& options,
                         DiscoveredOrg* org) {
  std::string in_list;
  for (auto it = org->describes.begin(); it != org->describes.end(); ++it) {
    if (!in_list.empty()) in_list += ", ";
    in_list += QuoteSoqlString(it.key());
  }
  if (in_list.empty()) return;
  std::string soql =
      "SELECT Id, ValidationName, Active, Description, ErrorDisplayField, ErrorMessage, "
      "EntityDefinition.QualifiedApiName FROM ValidationRule WHERE "
      "EntityDefinition.QualifiedApiName IN (" + in_list + ")";
  ApiResult r = client.Get("tooling/query?q=" + UrlEncodeComponent(soql));
  org->api_calls += r.attempts;
  if (!r.ok()) {
    org->warnings.push_back("validation rules not listed (Tooling API: " + r.failure->summary +
                            "); rule files are still checked against fields and picklists");
    return;
  }
  SfFailure failure;
  std::optional<nlohmann::json> body = BodyOf(r, "validation rules", &failure);
  if (!body || !body->is_object() || !body->contains("records") || !(*body)["records"].is_array()) {
    org->warnings.push_back("validation rules not listed: the Tooling answer has no records");
    return;
  }
  for (nlohmann::json& rule : (*body)["records"]) {
    if (!rule.is_object()) continue;
    std::string object;
    if (auto e = rule.find("EntityDefinition"); e != rule.end() && e->is_object()) {
      object = e->value("QualifiedApiName", "");
    }
    if (object.empty()) continue;
    if (options.validation_rule_formulas && rule.value("Id", "") != "") {
      std::string one = "SELECT Id, Metadata FROM ValidationRule WHERE Id = " +
                        QuoteSoqlString(rule.value("Id", ""));
      ApiResult m = client.Get("tooling/query?q=" + UrlEncodeComponent(one));
      org->api_calls += m.attempts;
      std::string error;
      std::optional<nlohmann::json> mb = m.ok() ? m.Json(&error) : std::nullopt;
      if (mb && mb->is_object() && mb->contains("records") && (*mb)["records"].is_array() &&
          !(*mb)["records"].empty() && (*mb)["records"][0].contains("Metadata")) {
        rule["Metadata"] = (*mb)["records"][0]["Metadata"];
      } else {
        org->warnings.push_back(object + "." + rule.value("ValidationName", "") +
                                ": validation rule formula not fetched");
      }
    }
    org->validation_rules[object].push_back(std::move(rule));
  }
}

std::string StringOr(const nlohmann::json& o, const char* key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

const std::vector<std::string>& StandardObjects() {
  static const std::vector<std::string> kObjects = {"Lead",        "Contact", "Account",
                                                    "Opportunity", "Case",    "Task",
                                                    "User"};
  return kObjects;
}

std::shared_ptr<const engine::Schema> BuildSchema(const nlohmann::json& describes,
                                                  const nlohmann::json& validation_rules,
                                                  std::string* error) {
  auto schema = std::make_shared<engine::Schema>();
  if (!describes.is_object()) {
    *error = "the describes are not an object";
    return nullptr;
  }
  for (auto it = describes.begin(); it != describes.end(); ++it) {
    std::string problem;
    std::optional<engine::Object> object = DescribeFromJson(it.value(), &problem);
    if (!object) {
      *error = it.key() + ": the describe does not parse: " + problem;
      return nullptr;
    }
    if (validation_rules.is_object()) {
      if (auto rules = validation_rules.find(it.key());
          rules != validation_rules.end() && rules->is_array()) {
        for (const nlohmann::json& r : *rules) {
          engine::ValidationRule rule;
          rule.name = StringOr(r, "ValidationName");
          rule.active = r.value("Active", true);
          rule.error_message = StringOr(r, "ErrorMessage");
          rule.error_display_field = StringOr(r, "ErrorDisplayField");
          if (auto m = r.find("Metadata"); m != r.end() && m->is_object()) {
            rule.error_condition_formula = StringOr(*m, "errorConditionFormula");
          }
          object->validation_rules.push_back(std::move(rule));
        }
      }
    }
    schema->Add(std::move(*object));
  }
  return schema;
}

DiscoveryResult Discover(const SalesforceClient& client, const DiscoveryOptions& options) {
  DiscoveryResult result;
  DiscoveredOrg org;
  org.fetched_at = NowIso();

  ApiResult global = client.Get("sobjects");
  org.api_calls += global.attempts;
  if (!global.ok()) {
    result.failure = std::move(*global.failure);
    return result;
  }
  std::optional<nlohmann::json> global_body = BodyOf(global, "describeGlobal", &result.failure);
  if (!global_body) return result;
  std::string error;
  std::optional<std::vector<GlobalObject>> objects = DescribeGlobalFromJson(*global_body, &error);
  if (!objects) {
    result.failure = Failure(ErrorCategory::kUnknown, "describeGlobal: " + error);
    return result;
  }
  org.global = std::move(*objects);
  org.describe_global = std::move(*global_body);

  // Which objects, each with whether its absence is an error.
  std::vector<std::string> names;
  std::vector<bool> required;
  auto listed = [&](std::string_view name) -> const GlobalObject* {
    for (const GlobalObject& g : org.global) {
      if (EqualsIgnoreCase(g.name, name)) return &g;
    }
    return nullptr;
  };
  auto add = [&](const std::string& name, bool must) {
    for (const std::string& n : names) {
      if (EqualsIgnoreCase(n, name)) return;
    }
    names.push_back(name);
    required.push_back(must);
  };
  if (!options.objects.empty()) {
    for (const std::string& name : options.objects) {
      const GlobalObject* g = listed(name);
      if (g == nullptr) {
        result.failure = Failure(ErrorCategory::kNotFound,
                                 "object " + name +
                                     " is not in this org, or the integration user cannot see "
                                     "it: check its API name and the user's profile");
        return result;
      }
      add(g->name, true);
    }
  } else {
    for (const std::string& name : StandardObjects()) {
      if (const GlobalObject* g = listed(name)) {
        add(g->name, false);
      } else {
        org.warnings.push_back(name + ": not visible to the integration user");
      }
    }
    if (options.include_custom_objects) {
      for (const GlobalObject& g : org.global) {
        if (g.custom && g.queryable && EndsWith(g.name, "__c")) add(g.name, false);
      }
    }
  }

  if (!DescribeObjects(client, names, required, &org, &result.failure)) return result;
  if (options.validation_rules) ListValidationRules(client, options, &org);

  org.schema = BuildSchema(org.describes, org.validation_rules, &error);
  if (!org.schema) {
    result.failure = Failure(ErrorCategory::kUnknown, error);
    return result;
  }
  result.org = std::move(org);
  return result;
}

engine::Status SaveSchemaCache(engine::StateStore& store, const DiscoveredOrg& org) {
  nlohmann::json cache = {{"version", 1},
                          {"fetched_at", org.fetched_at},
                          {"describe_global", org.describe_global},
                          {"describes", org.describes},
                          {"validation_rules", org.validation_rules},
                          {"warnings", org.warnings}};
  engine::RecordBatch batch;
  batch.values.push_back({kSchemaCacheNamespace, "org", cache.dump()});
  return store.ApplyRecordBatch(batch);
}

std::optional<DiscoveredOrg> LoadSchemaCache(engine::StateStore& store, std::string* error) {
  error->clear();
  std::optional<std::string> text;
  engine::Status s = store.Get(kSchemaCacheNamespace, "org", &text);
  if (!s.ok()) {
    *error = s.message();
    return std::nullopt;
  }
  if (!text) return std::nullopt;
  std::string problem;
  std::optional<nlohmann::json> cache = ParseJson(*text, &problem);
  if (!cache || !cache->is_object() || cache->value("version", 0) != 1) {
    *error = "the cached schema in " + store.Describe() +
             " is unreadable or from another version: discover the org again";
    return std::nullopt;
  }
  DiscoveredOrg org;
  org.fetched_at = cache->value("fetched_at", "");
  org.describe_global = (*cache)["describe_global"];
  org.describes = (*cache)["describes"];
  org.validation_rules = (*cache)["validation_rules"];
  if (auto w = cache->find("warnings"); w != cache->end() && w->is_array()) {
    for (const nlohmann::json& x : *w) {
      if (x.is_string()) org.warnings.push_back(x.get<std::string>());
    }
  }
  if (std::optional<std::vector<GlobalObject>> g =
          DescribeGlobalFromJson(org.describe_global, &problem)) {
    org.global = std::move(*g);
  }
  org.schema = BuildSchema(org.describes, org.validation_rules, &problem);
  if (!org.schema) {
    *error = "the cached schema in " + store.Describe() + " does not load (" + problem +
             "): discover the org again";
    return std::nullopt;
  }
  return org;
}

}  // namespace cf::sf
