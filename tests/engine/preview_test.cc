#include "engine/preview.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tests/engine/state_test_support.h"

namespace cf::engine {
namespace {

using testing::Id;
using testing::IdText;
using testing::MakeStateSchema;

// 40 Accounts: Rating__c = n (null for every tenth), Industry Energy for even n, Media for odd;
// Contacts: three for Account 1, one for Account 2.
class PreviewTest : public ::testing::Test {
 protected:
  PreviewTest() : schema_(MakeStateSchema(1)), env_(schema_) {
    env_.AddRoot("Account", "Account");
    env_.AddRoot("Contact", "Contact");
    account_ = schema_->IndexOf("Account");
    contact_ = schema_->IndexOf("Contact");
    cache_ = std::make_unique<RecordCache>(
        schema_, std::vector<std::shared_ptr<const RecordLayout>>{env_.layout(account_),
                                                                   env_.layout(contact_)});
    std::vector<RecordPtr> accounts, contacts;
    const auto& al = env_.layout(account_);
    for (int n = 1; n <= 40; ++n) {
      RecordBuilder b(al);
      b.SetFromText(*al->SlotForField("Id"), IdText("001", n));
      b.SetFromText(*al->SlotForField("Name"), "Account " + std::to_string(n));
      if (n % 10 != 0) b.SetFromText(*al->SlotForField("Rating__c"), std::to_string(n));
      b.SetFromText(*al->SlotForField("Industry"), n % 2 == 0 ? "Energy" : "Media");
      accounts.push_back(b.Finish());
    }
    const auto& cl = env_.layout(contact_);
    for (int n = 1; n <= 4; ++n) {
      RecordBuilder b(cl);
      b.SetFromText(*cl->SlotForField("Id"), IdText("003", n));
      b.SetFromText(*cl->SlotForField("AccountId"), IdText("001", n <= 3 ? 1 : 2));
      b.SetFromText(*cl->SlotForField("LastName"), "Doe");
      contacts.push_back(b.Finish());
    }
    EXPECT_TRUE(cache_->Apply(account_, {}, accounts).ok());
    EXPECT_TRUE(cache_->Apply(contact_, {}, contacts).ok());
  }

  PreviewResult Run(std::string_view condition, PreviewOptions options = {}) {
    return Preview(*cache_->Snapshot(), env_, "account", condition, options);
  }

  std::shared_ptr<const Schema> schema_;
  Environment env_;
  int account_ = -1, contact_ = -1;
  std::unique_ptr<RecordCache> cache_;
};

TEST_F(PreviewTest, CountsMatchesAndNullsAmongAllRecordsOfTheObject) {
  // Rating__c > 25: 26..39 without 30 -> 13 matches; 4 nulls (10, 20, 30, 40).
  PreviewResult p = Run("Account.Rating__c > 25");
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.object, "Account");
  EXPECT_EQ(p.total, 40);
  EXPECT_EQ(p.matched, 13);
  EXPECT_EQ(p.unknown, 4);
  EXPECT_EQ(p.sample_ids.size(), 13u);
  // Every listed Id is a matching record, each once.
  std::vector<std::string> expected;
  for (int n = 26; n <= 39; ++n) {
    if (n != 30) expected.push_back(Id(IdText("001", n)).To18());
  }
  std::vector<std::string> got = p.sample_ids;
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, expected);
}

TEST_F(PreviewTest, ListsAtMostTheSampleLimitInCacheOrder) {
  PreviewOptions options;
  options.sample_limit = 3;
  PreviewResult first = Run("Account.Industry = \"Energy\"", options);
  ASSERT_TRUE(first.ok()) << first.error;
  EXPECT_EQ(first.matched, 20);
  ASSERT_EQ(first.sample_ids.size(), 3u);
  options.sample_limit = 20;
  PreviewResult all = Run("Account.Industry = \"Energy\"", options);
  // The same order each time: the first three of the full list.
  EXPECT_TRUE(std::equal(first.sample_ids.begin(), first.sample_ids.end(), all.sample_ids.begin()));
  options.sample_limit = 0;
  EXPECT_TRUE(Run("Account.Industry = \"Energy\"", options).sample_ids.empty());
}

TEST_F(PreviewTest, ReadsChildAggregatesFromTheSameSnapshot) {
  PreviewResult p = Run("COUNT(Account.Contacts) >= 1");
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.matched, 2);
  p = Run("COUNT(Account.Contacts) = 3");
  EXPECT_EQ(p.matched, 1);
  ASSERT_EQ(p.sample_ids.size(), 1u);
  EXPECT_EQ(p.sample_ids[0], Id(IdText("001", 1)).To18());
}

TEST_F(PreviewTest, ClausesOnOtherRootsAreNullAndDoNotMatch) {
  PreviewResult p = Run("Account.Rating__c > 0 AND Contact.LastName = \"Doe\"");
  ASSERT_TRUE(p.ok()) << p.error;
  EXPECT_EQ(p.matched, 0);
  EXPECT_EQ(p.unknown, 40);  // TRUE AND NULL, and NULL AND NULL for the null ratings
  p = Run("Account.Rating__c > 0 OR Contact.LastName = \"Doe\"");
  EXPECT_EQ(p.matched, 36);
}

TEST_F(PreviewTest, AConditionThatDoesNotCompileGivesDiagnostics) {
  PreviewResult p = Run("Account.Ratin > 3");
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.error.find("does not compile"), std::string::npos) << p.error;
  ASSERT_FALSE(p.diagnostics.empty());
  EXPECT_NE(p.diagnostics[0].message.find("Ratin"), std::string::npos);
  EXPECT_EQ(p.total, 0);
}

TEST_F(PreviewTest, AnUnknownRootNamesTheRootsThereAre) {
  PreviewResult p = Preview(*cache_->Snapshot(), env_, "Opportunity", "true");
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.error.find("'Opportunity' is not a record"), std::string::npos) << p.error;
  EXPECT_NE(p.error.find("Account, Contact"), std::string::npos) << p.error;
}

TEST_F(PreviewTest, RefusesACacheInAnotherLayout) {
  RecordCache other(schema_);  // BuildAll layouts, not the environment's
  const auto& al = other.layout(account_);
  RecordBuilder b(al);
  b.SetFromText(*al->SlotForField("Id"), IdText("001", 1));
  ASSERT_TRUE(other.Apply(account_, {}, {b.Finish()}).ok());
  PreviewResult p = Preview(*other.Snapshot(), env_, "Account", "Account.Rating__c > 1");
  EXPECT_FALSE(p.ok());
  EXPECT_NE(p.error.find("another layout"), std::string::npos) << p.error;
}

}  // namespace
}  // namespace cf::engine
