// Salesforce record JSON (as the REST API returns it from query, queryAll and GET
// /sobjects/X/ID) to and from the engine's typed records.
//
// Start here:
//   RecordReader reader(schema);                       // layouts: every field of each object
//   RecordsByObject records;
//   std::string error;
//   if (!reader.ReadQueryResult(page, "Contact", &records, &error)) ...   // one query page
//   if (!LoadRecordsFile("examples/org/records.json", reader, &records, &error)) ...
//   nlohmann::json body = RecordToJson(*records["Account"][0]);
//
// Conversions are type-directed by the schema (describe_json.h's conventions apply: no
// exceptions, errors name the record and field, e.g. "Account.AnnualRevenue: expected a
// number, got \"abc\""):
//   boolean        JSON true/false, or "true"/"false"
//   number kinds   JSON numbers (integers exactly; other numbers through their shortest
//                  round-trip decimal form), or a string holding a number ("12.50")
//   text kinds     JSON strings (multi-select picklists as "A;B;C")
//   picklist       JSON strings; a value the schema does not list is kept with an unknown code
//   id, reference  15- or 18-character Id strings
//   date           "2024-01-31"; datetime "2024-01-31T10:00:00.000+0000" (any ISO offset or Z);
//                  time "10:00:00.000Z"
//   null           null; "" is null for every kind but text and picklist
// Keys match field names ignoring case. Keys that name no stored field are ignored, except
// that an object value under a relationship name is a nested parent record ("Account": {...})
// or child query result ("Contacts": {"totalSize", "done", "records"}), which is returned
// (RecordFromJson) or converted too (RecordReader).
#ifndef CF_CONNECTORS_SALESFORCE_RECORD_JSON_H_
#define CF_CONNECTORS_SALESFORCE_RECORD_JSON_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "connectors/salesforce/describe_json.h"
#include "engine/record.h"
#include "engine/schema.h"

namespace cf::sf {

// A relationship value found inside a record, for the caller to convert in turn.
struct NestedJson {
  enum class Kind : uint8_t {
    kParent,    // a lookup's parent record: "Account": {"attributes": ..., "Name": ...}
    kChildren,  // a child subquery's result: "Contacts": {"totalSize", "done", "records"}
  };
  Kind kind = Kind::kParent;
  std::string relationship;  // the key as written in the record, e.g. "Account", "Contacts"
  // The nested records' object: attributes.type when present, else what the schema says (the
  // lookup's only target, or the child relationship's childSObject); empty if unknown.
  std::string object;
  // For kParent: the lookup field (e.g. "AccountId"); for kChildren: the children's field that
  // points back to this record (e.g. "AccountId"). Empty if the schema does not know it.
  std::string field;
  nlohmann::json json;  // the parent record object, or the child query result
};

struct ConvertedRecord {
  engine::RecordPtr record;
  std::vector<NestedJson> nested;  // in the record's key order
};

// Converts one record object into a record of the builder's layout (only fields the layout
// stores are set; others are null). If the record carries a parent record with an "Id" under a
// lookup's relationship name and no value for the lookup field itself, the lookup field is set
// from it. Fails on a value of the wrong type, or when attributes.type names another object.
// The builder is left reset either way.
std::optional<ConvertedRecord> RecordFromJson(const nlohmann::json& record,
                                              engine::RecordBuilder& builder,
                                              std::string* error);
std::optional<ConvertedRecord> RecordFromJson(const nlohmann::json& record,
                                              std::shared_ptr<const engine::RecordLayout> layout,
                                              std::string* error);

// Records grouped by object; keys are object names as the schema spells them.
using RecordsByObject = std::map<std::string, std::vector<engine::RecordPtr>>;

// Converts records of any object of a schema, with their nested parent and child records.
// Not thread-safe (it reuses one builder per object); use one reader per thread.
class RecordReader {
 public:
  // Deepest chain of nested relationships followed (SOQL allows 5 parent levels and 1 child).
  static constexpr int kMaxNesting = 16;

  // Every object gets RecordLayout::BuildAll until SetLayout says otherwise.
  // REQUIRES: schema is not null.
  explicit RecordReader(std::shared_ptr<const engine::Schema> schema);

  // Uses `layout` for records of its object. REQUIRES: layout->object() is an object of this
  // reader's schema.
  void SetLayout(std::shared_ptr<const engine::RecordLayout> layout);
  // The layout used for `object` (case-insensitive); nullptr if the schema has no such object.
  std::shared_ptr<const engine::RecordLayout> LayoutFor(std::string_view object) const;
  const engine::Schema& schema() const { return *schema_; }

  // One record of `object` (empty: take it from the record's attributes.type). Nested records
  // are returned, not converted.
  std::optional<ConvertedRecord> ReadRecord(const nlohmann::json& record, std::string_view object,
                                            std::string* error);

  // A query result {"totalSize", "done", "records": [...]} (or a bare array of records) of
  // `object` (empty: each record's attributes.type), appended to *out with every nested parent
  // and child record, recursively. Child records without a value for their field back to the
  // parent get it from the parent's Id. Nested records of objects the schema lacks are
  // skipped; top-level ones are an error. A parent referred to by many records is added once
  // per reference, holding only the fields the query selected: deduplicate by Id if needed.
  // On failure *out may hold the records converted before the error.
  bool ReadQueryResult(const nlohmann::json& result, std::string_view object,
                       RecordsByObject* out, std::string* error);

  // A record set as in examples/org/records.json: {"Account": <query result or array>,
  // "Contact": ..., ...}, each member read as by ReadQueryResult for the object it names.
  bool ReadRecordSet(const nlohmann::json& by_object, RecordsByObject* out, std::string* error);

 private:
  struct PerObject {
    std::shared_ptr<const engine::RecordLayout> layout;
    std::unique_ptr<engine::RecordBuilder> builder;
  };
  PerObject* Find(std::string_view object);
  bool ReadRecords(const nlohmann::json& result, std::string_view object, const std::string& path,
                   int depth, const std::string& back_field, const engine::SfId* parent_id,
                   RecordsByObject* out, std::string* error);
  bool ReadOne(const nlohmann::json& record, std::string_view object, const std::string& path,
               int depth, const std::string& back_field, const engine::SfId* parent_id,
               RecordsByObject* out, std::string* error);

  std::shared_ptr<const engine::Schema> schema_;
  std::vector<PerObject> objects_;  // by index in the schema
};

// Reads a record set file (see RecordReader::ReadRecordSet); errors start with the path.
bool LoadRecordsFile(const std::string& path, RecordReader& reader, RecordsByObject* out,
                     std::string* error);

struct RecordJsonOptions {
  // Write "attributes": {"type", "url"} as the REST API does (url only when the Id is set).
  // Default: true.
  bool attributes = true;
  // The version in attributes.url. Default: "v59.0".
  std::string api_version = "v59.0";
  // Write null fields as null (as query results do); false omits them. Default: true.
  bool nulls = true;
};

// A record as Salesforce writes it: Ids with 18 characters, dates "YYYY-MM-DD", datetimes
// "YYYY-MM-DDTHH:MM:SS.sss+0000", times "HH:MM:SS.sssZ", numbers as JSON numbers (integers
// exactly; others as the nearest double), picklists by their text. Only the layout's fields.
// Text is copied as stored: dump() the result with error_handler_t::replace if the record may
// hold invalid UTF-8 (records read from JSON text never do).
nlohmann::json RecordToJson(const engine::Record& record, const RecordJsonOptions& options = {});

// Salesforce's datetime text for an instant: "2024-01-31T10:00:00.000+0000".
std::string FormatSalesforceDateTime(engine::Millis ms);

}  // namespace cf::sf

#endif  // CF_CONNECTORS_SALESFORCE_RECORD_JSON_H_
