#include "engine/record_codec.h"

#include <cstring>
#include <optional>
#include <type_traits>

namespace cf::engine {
namespace {

void PutVarint(std::string* out, uint32_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

template <typename T>
void PutFixed(std::string* out, T v) {  // little-endian, T an integer
  using U = std::make_unsigned_t<T>;
  U u = static_cast<U>(v);
  for (size_t i = 0; i < sizeof(T); ++i) {
    out->push_back(static_cast<char>(u & 0xFF));
    u = static_cast<U>(u >> 8);
  }
}

void PutBytes(std::string* out, std::string_view s) {
  PutVarint(out, static_cast<uint32_t>(s.size()));
  out->append(s);
}

// Reads from a byte range; every read checks bounds.
class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  bool done() const { return pos_ == in_.size(); }
  size_t pos() const { return pos_; }

  bool Byte(uint8_t* v) {
    if (pos_ >= in_.size()) return false;
    *v = static_cast<uint8_t>(in_[pos_++]);
    return true;
  }
  bool Varint(uint32_t* v) {
    uint32_t result = 0;
    for (int shift = 0; shift <= 28; shift += 7) {
      uint8_t b;
      if (!Byte(&b)) return false;
      if (shift == 28 && (b & 0xF0) != 0) return false;  // more than 32 bits
      result |= static_cast<uint32_t>(b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        *v = result;
        return true;
      }
    }
    return false;
  }
  bool Bytes(size_t n, std::string_view* v) {
    if (n > in_.size() - pos_) return false;
    *v = in_.substr(pos_, n);
    pos_ += n;
    return true;
  }
  bool LengthPrefixed(std::string_view* v) {
    uint32_t n;
    return Varint(&n) && Bytes(n, v);
  }
  template <typename T>
  bool Fixed(T* v) {
    std::string_view b;
    if (!Bytes(sizeof(T), &b)) return false;
    using U = std::make_unsigned_t<T>;
    U u = 0;
    for (size_t i = sizeof(T); i-- > 0;) {
      u = static_cast<U>((u << 8) | static_cast<unsigned char>(b[i]));
    }
    *v = static_cast<T>(u);
    return true;
  }

 private:
  std::string_view in_;
  size_t pos_ = 0;
};

bool IsAlnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

Status Bad(const Reader& r, const char* what) {
  return Status::Corruption("stored record is damaged at byte " + std::to_string(r.pos()) +
                            ": " + what);
}

}  // namespace

void EncodeRecord(const Record& record, std::string* out) {
  const RecordLayout& layout = record.layout();
  uint32_t count = 0;
  for (const Slot& s : layout.slots()) count += record.IsNull(s) ? 0 : 1;
  out->push_back(static_cast<char>(kRecordCodecVersion));
  PutVarint(out, count);
  for (const Slot& s : layout.slots()) {
    if (record.IsNull(s)) continue;
    PutBytes(out, layout.object().fields[s.field_index].name);
    out->push_back(static_cast<char>(s.kind));
    switch (s.kind) {
      case StorageKind::kBool:
        out->push_back(record.GetBool(s) ? 1 : 0);
        break;
      case StorageKind::kNumber: {
        unsigned __int128 raw = static_cast<unsigned __int128>(record.GetNumber(s).raw());
        PutFixed(out, static_cast<uint64_t>(raw));
        PutFixed(out, static_cast<uint64_t>(raw >> 64));
        break;
      }
      case StorageKind::kString:
        PutBytes(out, record.GetString(s));
        break;
      case StorageKind::kPicklist:
        PutBytes(out, record.GetPicklistText(s));
        break;
      case StorageKind::kId:
        out->append(record.GetId(s).chars, sizeof(SfId::chars));
        break;
      case StorageKind::kDate:
        PutFixed(out, record.GetDate(s));
        break;
      case StorageKind::kDateTime:
        PutFixed(out, record.GetDateTime(s));
        break;
      case StorageKind::kTime:
        PutFixed(out, record.GetTime(s));
        break;
      case StorageKind::kNone:
        break;  // layouts never hold kNone slots
    }
  }
}

std::string EncodeRecord(const Record& record) {
  std::string out;
  EncodeRecord(record, &out);
  return out;
}

Status DecodeRecord(std::string_view bytes, const std::shared_ptr<const RecordLayout>& layout,
                    RecordPtr* out) {
  Reader r(bytes);
  uint8_t version;
  if (!r.Byte(&version)) return Status::Corruption("stored record is empty");
  if (version != kRecordCodecVersion) {
    if (version > kRecordCodecVersion) {
      return Status::NotSupported("stored record has format version " + std::to_string(version) +
                                  ", this build reads version " +
                                  std::to_string(kRecordCodecVersion) +
                                  ": upgrade the plugin or reset the state");
    }
    return Bad(r, "unknown format version");
  }
  uint32_t count;
  if (!r.Varint(&count)) return Bad(r, "truncated field count");
  RecordBuilder builder(layout);
  for (uint32_t i = 0; i < count; ++i) {
    std::string_view name;
    uint8_t kind_byte;
    if (!r.LengthPrefixed(&name)) return Bad(r, "truncated field name");
    if (name.empty() || name.size() > kMaxCodecFieldName) return Bad(r, "bad field name length");
    if (!r.Byte(&kind_byte)) return Bad(r, "truncated field kind");
    if (kind_byte == static_cast<uint8_t>(StorageKind::kNone) ||
        kind_byte > static_cast<uint8_t>(StorageKind::kTime)) {
      return Bad(r, "unknown field kind");
    }
    const StorageKind kind = static_cast<StorageKind>(kind_byte);
    const Slot* slot = layout->SlotForField(name);
    // Read the value whatever happens to it, so the next field starts at the right byte.
    bool b = false;
    Decimal number;
    std::string_view text;
    SfId id;
    int32_t i32 = 0;
    int64_t i64 = 0;
    switch (kind) {
      case StorageKind::kBool: {
        uint8_t v;
        if (!r.Byte(&v) || v > 1) return Bad(r, "bad boolean");
        b = v == 1;
        break;
      }
      case StorageKind::kNumber: {
        uint64_t lo, hi;
        if (!r.Fixed(&lo) || !r.Fixed(&hi)) return Bad(r, "truncated number");
        unsigned __int128 raw = (static_cast<unsigned __int128>(hi) << 64) | lo;
        number = Decimal::FromRaw(static_cast<__int128>(raw));
        break;
      }
      case StorageKind::kString:
      case StorageKind::kPicklist:
        if (!r.LengthPrefixed(&text)) return Bad(r, "truncated text");
        break;
      case StorageKind::kId: {
        std::string_view chars;
        if (!r.Bytes(sizeof(SfId::chars), &chars)) return Bad(r, "truncated Id");
        for (char c : chars) {
          if (!IsAlnum(c)) return Bad(r, "Id is not alphanumeric");
        }
        std::memcpy(id.chars, chars.data(), sizeof(id.chars));
        break;
      }
      case StorageKind::kDate:
      case StorageKind::kTime:
        if (!r.Fixed(&i32)) return Bad(r, "truncated date or time");
        break;
      case StorageKind::kDateTime:
        if (!r.Fixed(&i64)) return Bad(r, "truncated date/time");
        break;
      case StorageKind::kNone:
        break;
    }
    if (slot == nullptr) continue;  // the layout does not store this field (any more)
    const bool textual = kind == StorageKind::kString || kind == StorageKind::kPicklist;
    if (slot->kind != kind) {
      if (textual && slot->kind == StorageKind::kString) {
        builder.SetString(*slot, text);
      } else if (textual && slot->kind == StorageKind::kPicklist) {
        builder.SetPicklist(*slot, text);
      } else {
        builder.SetNull(*slot);
      }
      continue;
    }
    switch (kind) {
      case StorageKind::kBool: builder.SetBool(*slot, b); break;
      case StorageKind::kNumber: builder.SetNumber(*slot, number); break;
      case StorageKind::kString: builder.SetString(*slot, text); break;
      case StorageKind::kPicklist: builder.SetPicklist(*slot, text); break;
      case StorageKind::kId: builder.SetId(*slot, id); break;
      case StorageKind::kDate: builder.SetDate(*slot, i32); break;
      case StorageKind::kTime: builder.SetTime(*slot, i32); break;
      case StorageKind::kDateTime: builder.SetDateTime(*slot, i64); break;
      case StorageKind::kNone: break;
    }
  }
  if (!r.done()) return Bad(r, "unexpected bytes after the last field");
  *out = builder.Finish();
  return Status::Ok();
}

}  // namespace cf::engine
