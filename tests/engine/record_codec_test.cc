#include "engine/record_codec.h"

#include <gtest/gtest.h>

#include <random>
#include <string>

#include "tests/engine/state_test_support.h"

namespace cf::engine {
namespace {

using testing::IdText;
using testing::MakeStateSchema;

class RecordCodecTest : public ::testing::Test {
 protected:
  RecordCodecTest()
      : schema_(MakeStateSchema(1)),
        layout_(RecordLayout::BuildAll(schema_, schema_->IndexOf("Account"))) {}

  const Slot& S(std::string_view field) const { return *layout_->SlotForField(field); }

  // A record with every stored field set; `Founded__c` left null.
  RecordPtr Full() const {
    RecordBuilder b(layout_);
    EXPECT_TRUE(b.SetFromText(S("Id"), IdText("001", 7)));
    b.SetString(S("Name"), std::string("Acme \0 Corp", 11));  // embedded NUL survives
    b.SetPicklist(S("Industry"), "Media");
    b.SetNumber(S("Rating__c"), *Decimal::Parse("-4.25"));
    b.SetPicklist(S("Stage__c"), "Warm");
    b.SetNumber(S("AnnualRevenue"), *Decimal::Parse("12345678901234567890.123456789"));
    b.SetBool(S("IsActive__c"), false);
    EXPECT_TRUE(b.SetFromText(S("LastModifiedDate"), "2024-03-31T13:45:00.123Z"));
    EXPECT_TRUE(b.SetFromText(S("Opens__c"), "08:30:00.000Z"));
    return b.Finish();
  }

  std::shared_ptr<const Schema> schema_;
  std::shared_ptr<const RecordLayout> layout_;
};

TEST_F(RecordCodecTest, RoundTripKeepsEveryKindAndNull) {
  RecordPtr in = Full();
  std::string bytes = EncodeRecord(*in);
  ASSERT_EQ(static_cast<uint8_t>(bytes[0]), kRecordCodecVersion);
  RecordPtr out;
  Status s = DecodeRecord(bytes, layout_, &out);
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_EQ(out->id()->To15(), IdText("001", 7));
  EXPECT_EQ(out->GetString(S("Name")), std::string("Acme \0 Corp", 11));
  EXPECT_EQ(out->GetPicklistText(S("Industry")), "Media");
  EXPECT_EQ(out->GetPicklistCode(S("Industry")), 1u);
  EXPECT_EQ(out->GetNumber(S("Rating__c")), *Decimal::Parse("-4.25"));
  EXPECT_EQ(out->GetNumber(S("AnnualRevenue")),
            *Decimal::Parse("12345678901234567890.123456789"));
  EXPECT_FALSE(out->IsNull(S("IsActive__c")));
  EXPECT_FALSE(out->GetBool(S("IsActive__c")));
  EXPECT_TRUE(out->IsNull(S("Founded__c")));
  EXPECT_EQ(out->GetDateTime(S("LastModifiedDate")), *ParseIsoDateTime("2024-03-31T13:45:00.123Z"));
  EXPECT_EQ(out->GetTime(S("Opens__c")), *ParseIsoTime("08:30:00.000Z"));
  // Encoding is deterministic: the decoded record encodes to the same bytes.
  EXPECT_EQ(EncodeRecord(*out), bytes);
}

TEST_F(RecordCodecTest, AllNullRecordRoundTrips) {
  RecordBuilder b(layout_);
  RecordPtr in = b.Finish();
  RecordPtr out;
  ASSERT_TRUE(DecodeRecord(EncodeRecord(*in), layout_, &out).ok());
  for (const Slot& s : layout_->slots()) EXPECT_TRUE(out->IsNull(s));
}

TEST_F(RecordCodecTest, DecodesAgainstARefreshedSchemaByFieldName) {
  auto schema2 = MakeStateSchema(2);
  auto layout2 = RecordLayout::BuildAll(schema2, schema2->IndexOf("Account"));
  RecordPtr out;
  Status s = DecodeRecord(EncodeRecord(*Full()), layout2, &out);
  ASSERT_TRUE(s.ok()) << s.message();
  auto slot = [&](std::string_view f) { return *layout2->SlotForField(f); };
  EXPECT_EQ(out->id()->To15(), IdText("001", 7));
  EXPECT_TRUE(out->IsNull(slot("Tier__c")));  // new field: null
  // Name: text became a picklist; the value is kept, with the unknown code.
  EXPECT_EQ(out->GetPicklistText(slot("Name")), std::string("Acme \0 Corp", 11));
  EXPECT_EQ(out->GetPicklistCode(slot("Name")), kUnknownPicklistCode);
  // Rating__c: a number became text; not converted, null until the next sync.
  EXPECT_TRUE(out->IsNull(slot("Rating__c")));
  // Stage__c: the code follows the new schema's order.
  EXPECT_EQ(out->GetPicklistText(slot("Stage__c")), "Warm");
  EXPECT_EQ(out->GetPicklistCode(slot("Stage__c")), 1u);
  EXPECT_EQ(out->GetNumber(slot("AnnualRevenue")),
            *Decimal::Parse("12345678901234567890.123456789"));
}

TEST_F(RecordCodecTest, DecodesIntoASubsetLayout) {
  const Object& account = schema_->object(schema_->IndexOf("Account"));
  auto subset = RecordLayout::Build(schema_, schema_->IndexOf("Account"),
                                    {account.FieldIndex("Id"), account.FieldIndex("Stage__c")});
  RecordPtr out;
  ASSERT_TRUE(DecodeRecord(EncodeRecord(*Full()), subset, &out).ok());
  EXPECT_EQ(out->layout().slots().size(), 2u);
  EXPECT_EQ(out->GetPicklistText(*subset->SlotForField("Stage__c")), "Warm");
}

TEST_F(RecordCodecTest, NewerFormatVersionIsNotSupported) {
  std::string bytes = EncodeRecord(*Full());
  bytes[0] = static_cast<char>(kRecordCodecVersion + 1);
  RecordPtr out;
  Status s = DecodeRecord(bytes, layout_, &out);
  EXPECT_EQ(s.code(), Status::Code::kNotSupported);
  EXPECT_NE(s.message().find("upgrade the plugin"), std::string::npos) << s.message();
  EXPECT_EQ(out, nullptr);
  bytes[0] = 0;
  EXPECT_EQ(DecodeRecord(bytes, layout_, &out).code(), Status::Code::kCorruption);
  EXPECT_EQ(DecodeRecord("", layout_, &out).code(), Status::Code::kCorruption);
}

TEST_F(RecordCodecTest, EveryTruncationIsAnError) {
  const std::string bytes = EncodeRecord(*Full());
  for (size_t n = 0; n < bytes.size(); ++n) {
    RecordPtr out;
    Status s = DecodeRecord(std::string_view(bytes).substr(0, n), layout_, &out);
    EXPECT_EQ(s.code(), Status::Code::kCorruption) << "prefix of " << n << " bytes";
    EXPECT_EQ(out, nullptr);
  }
  RecordPtr out;
  EXPECT_EQ(DecodeRecord(bytes + "x", layout_, &out).code(), Status::Code::kCorruption);
}

TEST_F(RecordCodecTest, OverlongVarintsAndHugeLengthsAreErrors) {
  RecordPtr out;
  // Field count with a sixth continuation byte.
  EXPECT_FALSE(DecodeRecord(std::string("\x01\xff\xff\xff\xff\xff\x01", 7), layout_, &out).ok());
  // One field whose name claims 4 GiB.
  EXPECT_FALSE(DecodeRecord(std::string("\x01\x01\xff\xff\xff\xff\x0f", 7), layout_, &out).ok());
  // A field name longer than kMaxCodecFieldName.
  std::string long_name = std::string("\x01\x01\x80\x02", 4) + std::string(256, 'a') + "\x01\x01";
  EXPECT_FALSE(DecodeRecord(long_name, layout_, &out).ok());
  // An unknown kind, a bad boolean, a non-alphanumeric Id.
  EXPECT_FALSE(DecodeRecord(std::string("\x01\x01\x02Id\x0f", 5), layout_, &out).ok());
  EXPECT_FALSE(DecodeRecord(std::string("\x01\x01\x0bIsActive__c\x01\x02", 16), layout_, &out).ok());
  EXPECT_FALSE(DecodeRecord(std::string("\x01\x01\x02Id\x05", 5) + std::string(15, '-'),
                            layout_, &out).ok());
  EXPECT_EQ(out, nullptr);
}

// Fuzz-style: random bytes, and random mutations of a valid encoding, never crash (run under
// ASan/UBSan too) and either decode or report corruption.
TEST_F(RecordCodecTest, RandomAndMutatedBytesNeverCrash) {
  std::mt19937 rng(12345);
  const std::string valid = EncodeRecord(*Full());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes.resize(rng() % 64);
      for (char& c : bytes) c = static_cast<char>(rng());
      if (!bytes.empty() && i % 4 == 0) bytes[0] = static_cast<char>(kRecordCodecVersion);
    } else {
      bytes = valid;
      for (int m = 1 + static_cast<int>(rng() % 3); m > 0; --m) {
        bytes[rng() % bytes.size()] = static_cast<char>(rng());
      }
    }
    RecordPtr out;
    Status s = DecodeRecord(bytes, layout_, &out);
    if (s.ok()) {
      ++decoded;
      ASSERT_NE(out, nullptr);
      // Whatever decoded re-encodes and decodes to the same bytes.
      RecordPtr again;
      ASSERT_TRUE(DecodeRecord(EncodeRecord(*out), layout_, &again).ok());
      EXPECT_EQ(EncodeRecord(*again), EncodeRecord(*out));
    } else {
      EXPECT_NE(s.code(), Status::Code::kOk);
      EXPECT_FALSE(s.message().empty());
    }
  }
  EXPECT_GT(decoded, 0);  // some mutations (inside string values) still decode
}

}  // namespace
}  // namespace cf::engine
