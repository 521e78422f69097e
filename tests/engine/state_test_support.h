// Shared by the record codec, state store and record sink tests: a small hand-built schema,
// record helpers and a temporary directory removed at the end of a test.
#ifndef CF_TESTS_ENGINE_STATE_TEST_SUPPORT_H_
#define CF_TESTS_ENGINE_STATE_TEST_SUPPORT_H_

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/record.h"
#include "engine/schema.h"
#include "engine/value.h"

namespace cf::engine::testing {

inline Field MakeField(std::string name, FieldType type,
                       std::vector<std::string> picklist = {}) {
  Field f;
  f.name = std::move(name);
  f.label = f.name;
  f.type = type;
  for (std::string& v : picklist) {
    PicklistValue p;
    p.value = v;
    p.label = v;
    f.picklist_values.push_back(std::move(p));
  }
  return f;
}

// Account and Contact, with one field of every storage kind on Account. `variant` 2 is the
// same org after a schema refresh: Account loses Industry, gains Tier__c, Name becomes a
// picklist, Rating__c (a number) becomes text and Stage__c's values are reordered.
inline std::shared_ptr<const Schema> MakeStateSchema(int variant = 1) {
  Object account;
  account.name = "Account";
  account.key_prefix = "001";
  account.fields.push_back(MakeField("Id", FieldType::kId));
  if (variant == 1) {
    account.fields.push_back(MakeField("Name", FieldType::kString));
    account.fields.push_back(MakeField("Industry", FieldType::kPicklist, {"Energy", "Media"}));
    account.fields.push_back(MakeField("Rating__c", FieldType::kDouble));
    account.fields.push_back(MakeField("Stage__c", FieldType::kPicklist, {"Cold", "Warm", "Hot"}));
  } else {
    account.fields.push_back(MakeField("Tier__c", FieldType::kString));
    account.fields.push_back(MakeField("NAME", FieldType::kPicklist, {"Acme"}));
    account.fields.push_back(MakeField("Rating__c", FieldType::kString));
    account.fields.push_back(MakeField("Stage__c", FieldType::kPicklist, {"Hot", "Warm", "Cold"}));
  }
  account.fields.push_back(MakeField("AnnualRevenue", FieldType::kCurrency));
  account.fields.push_back(MakeField("IsActive__c", FieldType::kBoolean));
  account.fields.push_back(MakeField("Founded__c", FieldType::kDate));
  account.fields.push_back(MakeField("LastModifiedDate", FieldType::kDateTime));
  account.fields.push_back(MakeField("Opens__c", FieldType::kTime));
  account.fields.push_back(MakeField("BillingAddress", FieldType::kAddress));  // not stored

  Object contact;
  contact.name = "Contact";
  contact.key_prefix = "003";
  contact.fields.push_back(MakeField("Id", FieldType::kId));
  Field account_id = MakeField("AccountId", FieldType::kReference);
  account_id.reference_to = {"Account"};
  account_id.relationship_name = "Account";
  contact.fields.push_back(account_id);
  contact.fields.push_back(MakeField("LastName", FieldType::kString));
  contact.fields.push_back(MakeField("Email", FieldType::kEmail));
  ChildRelationship rel;
  rel.relationship_name = "Contacts";
  rel.child_object = "Contact";
  rel.field = "AccountId";
  account.child_relationships.push_back(rel);

  auto schema = std::make_shared<Schema>();
  schema->Add(std::move(account));
  schema->Add(std::move(contact));
  return schema;
}

inline SfId Id(std::string_view text) {
  std::optional<SfId> id = SfId::Parse(text);
  EXPECT_TRUE(id.has_value()) << text;
  return id.value_or(SfId{});
}

// "001" + 12-digit n: a valid 15-character Id of the object with that key prefix.
inline std::string IdText(std::string_view prefix, int n) {
  std::string digits = std::to_string(n);
  return std::string(prefix) + std::string(12 - digits.size(), '0') + digits;
}

inline RecordPtr MakeAccount(const std::shared_ptr<const RecordLayout>& layout, int n,
                             std::string_view name = "Acme") {
  RecordBuilder b(layout);
  b.SetFromText(*layout->SlotForField("Id"), IdText("001", n));
  b.SetFromText(*layout->SlotForField("Name"), name);
  return b.Finish();
}

inline RecordPtr MakeContact(const std::shared_ptr<const RecordLayout>& layout, int n,
                             int account_n, std::string_view last_name = "Doe") {
  RecordBuilder b(layout);
  b.SetFromText(*layout->SlotForField("Id"), IdText("003", n));
  if (account_n > 0) b.SetFromText(*layout->SlotForField("AccountId"), IdText("001", account_n));
  b.SetFromText(*layout->SlotForField("LastName"), last_name);
  return b.Finish();
}

// A fresh directory under the system temp directory, removed (with its contents) at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "cf-state-XXXXXX").string();
    char* made = ::mkdtemp(tmpl.data());
    EXPECT_NE(made, nullptr);
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::permissions(path_, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::add, ec);
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string File(std::string_view name) const { return path_ + "/" + std::string(name); }

 private:
  std::string path_;
};

}  // namespace cf::engine::testing

#endif  // CF_TESTS_ENGINE_STATE_TEST_SUPPORT_H_
