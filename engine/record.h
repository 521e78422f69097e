// The typed record layout shared by the record cache and the evaluator.
//
// A RecordLayout assigns each stored field of one object a slot at a fixed byte offset in a
// record's fixed part. A Record is one immutable, contiguous block: a header, a null bitmap,
// the fixed part, then the bytes of its variable-length strings. Reading a field is a load at
// a constant offset; the evaluator resolves offsets at compile time.
//
// Layouts are immutable and shared (std::shared_ptr<const RecordLayout>). Records are
// immutable after RecordBuilder::Finish and may be read from any number of threads.
#ifndef CF_ENGINE_RECORD_H_
#define CF_ENGINE_RECORD_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "engine/schema.h"
#include "engine/value.h"

namespace cf::engine {

struct Slot {
  uint32_t offset = 0;     // byte offset from the record's start
  uint32_t null_byte = 0;  // byte offset of the slot's null flag from the record's start
  uint8_t null_mask = 0;   // the flag's bit in that byte: set means null
  StorageKind kind = StorageKind::kNone;
  int32_t field_index = -1;  // index in Object::fields
};

// Stored in the fixed part for text; the bytes live in the record's tail.
struct StringRef {
  uint32_t offset;  // from the record's start
  uint32_t length;
};
// Stored for picklists: the value's code (index in Field::picklist_values, or
// kUnknownPicklistCode for a value the schema does not list) and its text.
struct PicklistRef {
  uint32_t code;
  StringRef text;
};
inline constexpr uint32_t kUnknownPicklistCode = 0xFFFFFFFFu;

class RecordLayout {
 public:
  // Lays out the given fields of `object` (indexes into object.fields; fields whose storage is
  // kNone are skipped). `object` must outlive the layout (both are owned by one Schema that
  // the layout's users keep alive). Never fails.
  static std::shared_ptr<const RecordLayout> Build(const Object& object,
                                                   const std::vector<int>& field_indexes);
  // All fields of `object` that have a storage kind.
  static std::shared_ptr<const RecordLayout> BuildAll(const Object& object);
  // As above, for object `object_index` of `schema`, and the layout (so every record built
  // with it) keeps the schema alive: records may outlive a schema refresh safely.
  static std::shared_ptr<const RecordLayout> Build(std::shared_ptr<const Schema> schema,
                                                   int object_index,
                                                   const std::vector<int>& field_indexes);
  static std::shared_ptr<const RecordLayout> BuildAll(std::shared_ptr<const Schema> schema,
                                                      int object_index);

  const Object& object() const { return *object_; }
  // The slot of a field by index in Object::fields; nullptr if the layout does not store it.
  const Slot* SlotForField(int field_index) const;
  const Slot* SlotForField(std::string_view field_name) const;  // case-insensitive
  const std::vector<Slot>& slots() const { return slots_; }
  uint32_t fixed_size() const { return fixed_size_; }  // header + bitmap + slots, aligned
  uint32_t bitmap_offset() const { return bitmap_offset_; }
  // The slot of the object's "Id" field; nullptr if not stored.
  const Slot* id_slot() const { return id_slot_ < 0 ? nullptr : &slots_[id_slot_]; }

 private:
  const Object* object_ = nullptr;
  std::shared_ptr<const Schema> schema_;  // keeps object_ alive when built from a Schema
  std::vector<Slot> slots_;
  std::vector<int32_t> slot_by_field_;  // field index -> slot index or -1
  uint32_t bitmap_offset_ = 0;
  uint32_t fixed_size_ = 0;
  int32_t id_slot_ = -1;
};

// An immutable record. Create with RecordBuilder. Owned through RecordPtr; the layout is kept
// alive by the record.
class Record {
 public:
  const RecordLayout& layout() const { return *layout_; }
  uint32_t size_bytes() const { return size_; }

  bool IsNull(const Slot& s) const {
    return (bytes()[s.null_byte] & s.null_mask) != 0;
  }
  // REQUIRES for each getter: the slot belongs to this record's layout, has the matching
  // kind, and is not null (a null slot reads as zero / empty).
  bool GetBool(const Slot& s) const { return bytes()[s.offset] != 0; }
  Decimal GetNumber(const Slot& s) const { return Load<Decimal>(s); }
  std::string_view GetString(const Slot& s) const { return View(Load<StringRef>(s)); }
  uint32_t GetPicklistCode(const Slot& s) const { return Load<PicklistRef>(s).code; }
  std::string_view GetPicklistText(const Slot& s) const { return View(Load<PicklistRef>(s).text); }
  const SfId& GetId(const Slot& s) const {
    return *reinterpret_cast<const SfId*>(bytes() + s.offset);
  }
  Days GetDate(const Slot& s) const { return Load<Days>(s); }
  Millis GetDateTime(const Slot& s) const { return Load<Millis>(s); }
  TimeOfDay GetTime(const Slot& s) const { return Load<TimeOfDay>(s); }

  // The record's Id (the object's "Id" field), if stored and set.
  const SfId* id() const;

  void operator delete(void* p) { ::operator delete(p); }

 private:
  friend class RecordBuilder;
  Record() = default;
  const unsigned char* bytes() const { return reinterpret_cast<const unsigned char*>(this); }
  template <typename T>
  T Load(const Slot& s) const {
    T v;
    std::memcpy(&v, bytes() + s.offset, sizeof(T));
    return v;
  }
  std::string_view View(StringRef r) const {
    return std::string_view(reinterpret_cast<const char*>(bytes()) + r.offset, r.length);
  }
  std::shared_ptr<const RecordLayout> layout_;
  uint32_t size_ = 0;
};
using RecordPtr = std::shared_ptr<const Record>;

// Builds one record. Fields not set are null. Not thread-safe; reusable after Finish.
class RecordBuilder {
 public:
  explicit RecordBuilder(std::shared_ptr<const RecordLayout> layout);

  // Setters take the slot of this builder's layout. Setting a field twice keeps the last value.
  void SetNull(const Slot& s);
  void SetBool(const Slot& s, bool v);
  void SetNumber(const Slot& s, Decimal v);
  void SetString(const Slot& s, std::string_view v);
  // Looks the value up among the field's picklist values (exact match) to find its code.
  void SetPicklist(const Slot& s, std::string_view v);
  void SetId(const Slot& s, const SfId& v);
  void SetDate(const Slot& s, Days v);
  void SetDateTime(const Slot& s, Millis v);
  void SetTime(const Slot& s, TimeOfDay v);

  // Sets a field from Salesforce's text form of its value ("true", "12.5", "2024-01-31",
  // "2024-01-31T10:00:00.000+0000", an Id, a picklist value). Returns false, leaving the field
  // unchanged, if the text is not a valid value of the slot's kind.
  bool SetFromText(const Slot& s, std::string_view text);

  const RecordLayout& layout() const { return *layout_; }
  // Returns the record and resets the builder to all-null.
  RecordPtr Finish();

 private:
  std::shared_ptr<const RecordLayout> layout_;
  std::vector<unsigned char> fixed_;  // fixed part incl. header space and bitmap
  std::string strings_;               // tail bytes; refs hold offsets relative to the tail
                                      // until Finish rebases them
};

}  // namespace cf::engine

#endif  // CF_ENGINE_RECORD_H_
