// Record <-> bytes, for the state store.
//
//   std::string bytes = EncodeRecord(*record);
//   RecordPtr back;
//   Status s = DecodeRecord(bytes, layout, &back);   // layout may come from a newer schema
//
// The format is self-describing per field, so bytes written under one schema decode under
// another (after a schema refresh): fields the new layout does not store are skipped, fields
// it stores that the bytes lack are null.
//
//   record   := version:u8 (= kRecordCodecVersion) count:varint field{count}
//   field    := name_len:varint name:bytes kind:u8 (StorageKind) value
//   value    := bool:     u8 (0 or 1)
//               number:   16 bytes, Decimal::raw() two's complement little-endian
//               string:   len:varint bytes
//               picklist: len:varint bytes        (the text; the code is recomputed on decode)
//               id:       15 bytes (SfId::chars)
//               date, time: 4 bytes little-endian; datetime: 8 bytes little-endian
//   varint   := LEB128, at most 5 bytes (values < 2^32)
// Null fields are not written. Field names are the schema's API names, matched on decode
// ignoring ASCII case.
//
// A field whose stored kind differs from the new layout's kind (the field's type changed in
// the org) is converted when the value keeps its meaning (string <-> picklist) and is null
// otherwise: the next sync of the record brings the new value.
//
// Decoding never trusts its input: bad, truncated or hostile bytes give a kCorruption Status
// naming what is wrong, never a crash or an allocation larger than the input.
// All functions are thread-safe (no shared state).
#ifndef CF_ENGINE_RECORD_CODEC_H_
#define CF_ENGINE_RECORD_CODEC_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "engine/record.h"
#include "engine/status.h"

namespace cf::engine {

inline constexpr uint8_t kRecordCodecVersion = 1;
// Longest field name accepted on decode (Salesforce API names are at most 40 characters plus
// namespace prefix and suffix).
inline constexpr uint32_t kMaxCodecFieldName = 255;

// Appends the encoding of `record` (every non-null field of its layout) to `*out`. Never fails.
void EncodeRecord(const Record& record, std::string* out);
std::string EncodeRecord(const Record& record);

// Decodes `bytes` into a record of `layout`. On success sets `*out`; on error leaves it
// unchanged and returns kCorruption (or kNotSupported for a newer format version).
// REQUIRES: layout != nullptr.
Status DecodeRecord(std::string_view bytes, const std::shared_ptr<const RecordLayout>& layout,
                    RecordPtr* out);

}  // namespace cf::engine

#endif  // CF_ENGINE_RECORD_CODEC_H_
