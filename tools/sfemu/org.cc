// The emulated org. Records are kept in a compact row format (one byte string per record:
// field index, type tag, value) rather than one nlohmann::json per record, so that a
// generated org of 10^6 records fits in a few hundred MB; JSON is built on demand.
//
// Row format: a sequence of entries, each
//   varint(field index + 1)            (0: an extra key not in the schema, then varint(length)
//                                       and the key's bytes)
//   tag byte                           (Tag below)
//   payload                            (by tag)
// Null values are not stored. "Id" and "IsDeleted" are not stored in the entries: they live
// in the Row itself.
#include "tools/sfemu/org.h"

#include <openssl/rand.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <unordered_map>
#include <utility>

#include "connectors/salesforce/record_json.h"

namespace cf::sfemu {
namespace {

using nlohmann::json;

enum Tag : uint8_t {
  kTagFalse = 1,
  kTagTrue,
  kTagInt,       // zigzag varint
  kTagDouble,    // 8 bytes
  kTagString,    // varint length, bytes
  kTagId,        // 15 bytes (the 18-character text is rebuilt with its checksum)
  kTagDate,      // zigzag varint days
  kTagDateTime,  // zigzag varint milliseconds
  kTagJson,      // varint length, dump of an object or array
};

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}
uint64_t ZigZag(int64_t v) { return (static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63); }
int64_t UnZigZag(uint64_t v) { return static_cast<int64_t>(v >> 1) ^ -static_cast<int64_t>(v & 1); }

struct Cursor {
  const char* p;
  const char* end;
  bool done() const { return p >= end; }
  uint64_t Varint() {
    uint64_t v = 0;
    int shift = 0;
    while (p < end) {
      const auto byte = static_cast<uint8_t>(*p++);
      v |= static_cast<uint64_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) break;
      shift += 7;
    }
    return v;
  }
  std::string_view Bytes(size_t n) {
    std::string_view s(p, n);
    p += n;
    return s;
  }
};

// Text that is exactly the wire form of an Id, a date or a datetime is stored as that value
// (and read back as the same text).
void EncodeText(std::string& out, std::string_view s) {
  if (s.size() == 18) {
    if (auto id = engine::SfId::Parse(s); id && id->To18() == s) {
      out.push_back(static_cast<char>(kTagId));
      out.append(id->chars, 15);
      return;
    }
  } else if (s.size() == 10) {
    if (auto d = engine::ParseIsoDate(s); d && engine::FormatIsoDate(*d) == s) {
      out.push_back(static_cast<char>(kTagDate));
      PutVarint(out, ZigZag(*d));
      return;
    }
  } else if (s.size() == 28) {
    if (auto ms = engine::ParseIsoDateTime(s); ms && sf::FormatSalesforceDateTime(*ms) == s) {
      out.push_back(static_cast<char>(kTagDateTime));
      PutVarint(out, ZigZag(*ms));
      return;
    }
  }
  out.push_back(static_cast<char>(kTagString));
  PutVarint(out, s.size());
  out.append(s);
}

void EncodeValue(std::string& out, const json& v) {
  switch (v.type()) {
    case json::value_t::boolean:
      out.push_back(static_cast<char>(v.get<bool>() ? kTagTrue : kTagFalse));
      return;
    case json::value_t::number_integer:
      out.push_back(static_cast<char>(kTagInt));
      PutVarint(out, ZigZag(v.get<int64_t>()));
      return;
    case json::value_t::number_unsigned: {
      const auto u = v.get<uint64_t>();
      if (u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        out.push_back(static_cast<char>(kTagInt));
        PutVarint(out, ZigZag(static_cast<int64_t>(u)));
        return;
      }
      break;  // kept as JSON text
    }
    case json::value_t::number_float: {
      out.push_back(static_cast<char>(kTagDouble));
      const double d = v.get<double>();
      char bytes[sizeof d];
      std::memcpy(bytes, &d, sizeof d);
      out.append(bytes, sizeof d);
      return;
    }
    case json::value_t::string:
      EncodeText(out, v.get_ref<const std::string&>());
      return;
    default:
      break;
  }
  const std::string text = v.dump(-1, ' ', false, json::error_handler_t::replace);
  out.push_back(static_cast<char>(kTagJson));
  PutVarint(out, text.size());
  out.append(text);
}

void EncodeFieldValue(std::string& out, const FieldValue& v) {
  switch (v.kind) {
    case FieldValue::Kind::kNull:
      return;
    case FieldValue::Kind::kBool:
      out.push_back(static_cast<char>(v.b ? kTagTrue : kTagFalse));
      return;
    case FieldValue::Kind::kInt:
      out.push_back(static_cast<char>(kTagInt));
      PutVarint(out, ZigZag(v.i));
      return;
    case FieldValue::Kind::kDouble: {
      out.push_back(static_cast<char>(kTagDouble));
      char bytes[sizeof v.d];
      std::memcpy(bytes, &v.d, sizeof v.d);
      out.append(bytes, sizeof v.d);
      return;
    }
    case FieldValue::Kind::kString:
      EncodeText(out, v.text);
      return;
    case FieldValue::Kind::kId:
      out.push_back(static_cast<char>(kTagId));
      out.append(v.id.chars, 15);
      return;
    case FieldValue::Kind::kDate:
      out.push_back(static_cast<char>(kTagDate));
      PutVarint(out, ZigZag(v.i));
      return;
    case FieldValue::Kind::kDateTime:
      out.push_back(static_cast<char>(kTagDateTime));
      PutVarint(out, ZigZag(v.i));
      return;
    case FieldValue::Kind::kJson:
      out.push_back(static_cast<char>(kTagJson));
      PutVarint(out, v.text.size());
      out.append(v.text);
      return;
  }
}

FieldValue DecodeValue(Cursor& c) {
  FieldValue v;
  const auto tag = static_cast<uint8_t>(*c.p++);
  switch (tag) {
    case kTagFalse:
    case kTagTrue:
      v.kind = FieldValue::Kind::kBool;
      v.b = tag == kTagTrue;
      break;
    case kTagInt:
      v.kind = FieldValue::Kind::kInt;
      v.i = UnZigZag(c.Varint());
      break;
    case kTagDouble:
      v.kind = FieldValue::Kind::kDouble;
      std::memcpy(&v.d, c.p, sizeof v.d);
      c.p += sizeof v.d;
      break;
    case kTagString:
      v.kind = FieldValue::Kind::kString;
      v.text = c.Bytes(c.Varint());
      break;
    case kTagId:
      v.kind = FieldValue::Kind::kId;
      std::memcpy(v.id.chars, c.p, 15);
      c.p += 15;
      break;
    case kTagDate:
      v.kind = FieldValue::Kind::kDate;
      v.i = UnZigZag(c.Varint());
      break;
    case kTagDateTime:
      v.kind = FieldValue::Kind::kDateTime;
      v.i = UnZigZag(c.Varint());
      break;
    case kTagJson:
      v.kind = FieldValue::Kind::kJson;
      v.text = c.Bytes(c.Varint());
      break;
    default:
      c.p = c.end;  // corrupt: stop (never happens for rows this file wrote)
      break;
  }
  return v;
}

struct SfIdHash {
  size_t operator()(const engine::SfId& id) const {
    uint64_t h = 1469598103934665603ull;
    for (char c : id.chars) {
      h ^= static_cast<uint8_t>(c);
      h *= 1099511628211ull;
    }
    return static_cast<size_t>(h);
  }
};

constexpr char kBase62[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
constexpr char kTokenAlphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
// New record Ids: key prefix, the org's pod "Dn", reserved "000", then 7 base-62 digits of
// kIdBase + sequence ("001Dn00000b0001" + checksum): the look of a real org's Ids.
constexpr char kIdMiddle[] = "Dn000";
constexpr uint64_t kIdBase = 37ull * 62 * 62 * 62 * 62;

std::string RandomText(size_t n) {
  std::string out(n, '\0');
  std::vector<unsigned char> bytes(n);
  if (RAND_bytes(bytes.data(), static_cast<int>(n)) != 1) {
    throw std::runtime_error("RAND_bytes failed");
  }
  for (size_t i = 0; i < n; ++i) out[i] = kTokenAlphabet[bytes[i] & 63];
  return out;
}

bool EqualsText(std::string_view a, std::string_view b, bool case_sensitive) {
  return case_sensitive ? a == b : engine::EqualsIgnoreCase(a, b);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Storage.

struct Org::Row {
  engine::SfId id;
  bool deleted = false;
  engine::Millis deleted_at = 0;
  std::string blob;
};

namespace {

// Rows by Id: open addressing with linear probing over row numbers (4 bytes a slot, at most
// half full), comparing against the rows' own Ids. Much smaller than an unordered_map.
template <typename RowT>
class IdIndex {
 public:
  int Find(const engine::SfId& id, const std::vector<RowT>& rows) const {
    if (slots_.empty()) return -1;
    const size_t mask = slots_.size() - 1;
    for (size_t i = SfIdHash()(id) & mask;; i = (i + 1) & mask) {
      const uint32_t s = slots_[i];
      if (s == 0) return -1;
      if (rows[s - 1].id == id) return static_cast<int>(s - 1);
    }
  }
  size_t count(const engine::SfId& id, const std::vector<RowT>& rows) const {
    return Find(id, rows) >= 0 ? 1 : 0;
  }
  // REQUIRES: rows[row].id == id and id is not indexed yet.
  void Insert(const engine::SfId& id, uint32_t row, const std::vector<RowT>& rows) {
    if ((size_ + 1) * 2 > slots_.size()) Grow(rows);
    Place(id, row);
    ++size_;
  }
  void Erase(const engine::SfId& id, const std::vector<RowT>& rows) {
    if (slots_.empty()) return;
    const size_t mask = slots_.size() - 1;
    size_t i = SfIdHash()(id) & mask;
    for (;; i = (i + 1) & mask) {
      if (slots_[i] == 0) return;
      if (rows[slots_[i] - 1].id == id) break;
    }
    // Backward-shift deletion keeps every probe chain unbroken.
    for (size_t j = (i + 1) & mask; slots_[j] != 0; j = (j + 1) & mask) {
      const size_t home = SfIdHash()(rows[slots_[j] - 1].id) & mask;
      const bool movable = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
      if (movable) {
        slots_[i] = slots_[j];
        i = j;
      }
    }
    slots_[i] = 0;
    --size_;
  }

 private:
  void Place(const engine::SfId& id, uint32_t row) {
    const size_t mask = slots_.size() - 1;
    size_t i = SfIdHash()(id) & mask;
    while (slots_[i] != 0) i = (i + 1) & mask;
    slots_[i] = row + 1;
  }
  void Grow(const std::vector<RowT>& rows) {
    std::vector<uint32_t> old = std::move(slots_);
    slots_.assign(std::max<size_t>(16, old.size() * 2), 0);
    for (uint32_t s : old) {
      if (s != 0) Place(rows[s - 1].id, s - 1);
    }
  }
  std::vector<uint32_t> slots_;
  size_t size_ = 0;
};

}  // namespace

struct Org::Table {
  const engine::Object* object = nullptr;
  uint32_t index = 0;
  int id_field = -1;
  int is_deleted_field = -1;
  std::vector<Row> rows;  // insertion order
  IdIndex<Row> by_id;
  mutable std::vector<uint32_t> order;  // rows in Id order, when order_valid
  mutable bool order_valid = true;
  uint64_t next_sequence = 1;

  void EnsureOrder() const {
    if (order_valid) return;
    order.resize(rows.size());
    std::iota(order.begin(), order.end(), 0u);
    std::sort(order.begin(), order.end(),
              [this](uint32_t a, uint32_t b) { return rows[a].id < rows[b].id; });
    order_valid = true;
  }
};

struct Org::Undo {
  enum class Kind : uint8_t { kInsert, kChange };
  Kind kind = Kind::kInsert;
  uint32_t table = 0;
  uint32_t row = 0;
  std::string old_blob;
  bool old_deleted = false;
  engine::Millis old_deleted_at = 0;
};

struct Org::Snapshot {
  const Org* org = nullptr;
  size_t position = 0;
  ~Snapshot() {
    if (org != nullptr) org->ReleaseSnapshot();
  }
};

namespace {

// The entries of a row as JSON members (schema spelling), plus Id and IsDeleted.
void RowToJson(const engine::Object& object, int id_field, int is_deleted_field,
               const engine::SfId& id, bool deleted, const std::string& blob, json* out) {
  if (id_field >= 0) (*out)[object.fields[id_field].name] = id.To18();
  if (is_deleted_field >= 0) (*out)[object.fields[is_deleted_field].name] = deleted;
  Cursor c{blob.data(), blob.data() + blob.size()};
  while (!c.done()) {
    const uint64_t key = c.Varint();
    std::string name;
    if (key == 0) {
      name = std::string(c.Bytes(c.Varint()));
    } else {
      name = object.fields[key - 1].name;
    }
    (*out)[name] = DecodeValue(c).ToJson();
  }
}

}  // namespace

Org::Org() {
  engine::SfId id;
  std::memcpy(id.chars, "00DDn000000CfDm", 15);
  org_id_ = id.To18();
}

Org::~Org() = default;

void Org::SetOrgId(std::string org_id) { org_id_ = std::move(org_id); }
void Org::SetTooling(std::unique_ptr<Org> tooling) { tooling_ = std::move(tooling); }

void Org::SetDescribeJson(std::string_view object, json describe) {
  describes_[engine::ToLowerAscii(object)] = std::move(describe);
}

const json* Org::DescribeJson(std::string_view object) const {
  auto it = describes_.find(engine::ToLowerAscii(object));
  return it == describes_.end() ? nullptr : &it->second;
}

std::shared_ptr<void> Org::Extension(std::string_view key,
                                     const std::function<std::shared_ptr<void>()>& make) const {
  std::lock_guard lock(mu_);
  auto it = extensions_.find(key);
  if (it != extensions_.end()) return it->second;
  std::shared_ptr<void> created = make();
  extensions_.emplace(std::string(key), created);
  return created;
}

void Org::SetSchema(std::shared_ptr<const engine::Schema> schema) {
  std::lock_guard lock(mu_);
  schema_ = std::move(schema);
  tables_.clear();
  by_prefix_.clear();
  find_cache_.clear();
  undo_.clear();
  for (int i = 0; i < schema_->size(); ++i) {
    const engine::Object& o = schema_->object(i);
    auto t = std::make_unique<Table>();
    t->object = &o;
    t->index = static_cast<uint32_t>(i);
    t->id_field = o.FieldIndex("Id");
    t->is_deleted_field = o.FieldIndex("IsDeleted");
    tables_.push_back(std::move(t));
    if (o.key_prefix.size() == 3) by_prefix_.emplace(o.key_prefix, i);
  }
}

void Org::HideField(std::string_view object, std::string_view field) {
  hidden_.emplace(engine::ToLowerAscii(object), engine::ToLowerAscii(field));
}

bool Org::IsHidden(std::string_view object, std::string_view field) const {
  if (hidden_.empty()) return false;
  return hidden_.count({engine::ToLowerAscii(object), engine::ToLowerAscii(field)}) != 0;
}

void Org::AddUser(OrgUser user) { users_.push_back(std::move(user)); }
void Org::SetConnectedApp(ConnectedApp app) { app_ = std::move(app); }

const OrgUser* Org::FindUser(std::string_view username) const {
  for (const OrgUser& u : users_) {
    if (engine::EqualsIgnoreCase(u.username, username)) return &u;
  }
  return nullptr;
}

const OrgUser* Org::FindUserById(std::string_view id) const {
  auto want = engine::SfId::Parse(id);
  if (!want) return nullptr;
  for (const OrgUser& u : users_) {
    auto have = engine::SfId::Parse(u.id);
    if (have && *have == *want) return &u;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Clock.

engine::Millis Org::Now() const {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return static_cast<engine::Millis>(now) + clock_offset_;
}

void Org::AdvanceClock(engine::Millis delta) {
  std::lock_guard lock(mu_);
  clock_offset_ += delta;
}

std::string Org::Stamp() const {
  engine::Millis now = Now();
  now -= ((now % 1000) + 1000) % 1000;  // Salesforce keeps whole seconds
  return sf::FormatSalesforceDateTime(now);
}

// ---------------------------------------------------------------------------------------------
// Values and views.

json FieldValue::ToJson() const {
  switch (kind) {
    case Kind::kNull:
      return nullptr;
    case Kind::kBool:
      return b;
    case Kind::kInt:
      return i;
    case Kind::kDouble:
      return d;
    case Kind::kString:
      return std::string(text);
    case Kind::kId:
      return id.To18();
    case Kind::kDate:
      return engine::FormatIsoDate(static_cast<engine::Days>(i));
    case Kind::kDateTime:
      return sf::FormatSalesforceDateTime(i);
    case Kind::kJson:
      return json::parse(text, nullptr, false);
  }
  return nullptr;
}

std::string FieldValue::Text() const {
  switch (kind) {
    case Kind::kString:
      return std::string(text);
    case Kind::kId:
      return id.To18();
    case Kind::kDate:
      return engine::FormatIsoDate(static_cast<engine::Days>(i));
    case Kind::kDateTime:
      return sf::FormatSalesforceDateTime(i);
    default:
      return std::string();
  }
}

const engine::SfId& RecordView::id() const { return static_cast<const Org::Row*>(row_)->id; }
bool RecordView::deleted() const { return static_cast<const Org::Row*>(row_)->deleted; }
engine::Millis RecordView::deleted_at() const {
  return static_cast<const Org::Row*>(row_)->deleted_at;
}

FieldValue RecordView::Get(int field_index) const {
  const auto* table = static_cast<const Org::Table*>(table_);
  const auto* row = static_cast<const Org::Row*>(row_);
  FieldValue v;
  if (field_index < 0) return v;
  if (field_index == table->id_field) {
    v.kind = FieldValue::Kind::kId;
    v.id = row->id;
    return v;
  }
  if (field_index == table->is_deleted_field) {
    v.kind = FieldValue::Kind::kBool;
    v.b = row->deleted;
    return v;
  }
  Cursor c{row->blob.data(), row->blob.data() + row->blob.size()};
  const auto want = static_cast<uint64_t>(field_index) + 1;
  while (!c.done()) {
    const uint64_t key = c.Varint();
    if (key == 0) c.Bytes(c.Varint());
    FieldValue value = DecodeValue(c);
    if (key == want) return value;
  }
  return v;
}

void RecordView::DecodeInto(std::vector<FieldValue>* out) const {
  const auto* table = static_cast<const Org::Table*>(table_);
  const auto* row = static_cast<const Org::Row*>(row_);
  out->assign(object_->fields.size(), FieldValue());
  if (table->id_field >= 0) {
    (*out)[table->id_field].kind = FieldValue::Kind::kId;
    (*out)[table->id_field].id = row->id;
  }
  if (table->is_deleted_field >= 0) {
    (*out)[table->is_deleted_field].kind = FieldValue::Kind::kBool;
    (*out)[table->is_deleted_field].b = row->deleted;
  }
  Cursor c{row->blob.data(), row->blob.data() + row->blob.size()};
  while (!c.done()) {
    const uint64_t key = c.Varint();
    if (key == 0) c.Bytes(c.Varint());
    FieldValue value = DecodeValue(c);
    if (key != 0 && key <= out->size()) (*out)[key - 1] = value;
  }
}

json RecordView::ToJson() const {
  const auto* table = static_cast<const Org::Table*>(table_);
  const auto* row = static_cast<const Org::Row*>(row_);
  json out = json::object();
  RowToJson(*object_, table->id_field, table->is_deleted_field, row->id, row->deleted, row->blob,
            &out);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Records.

Org::Table* Org::TableFor(const engine::Object& object) {
  return const_cast<Table*>(static_cast<const Org*>(this)->TableFor(object));
}

const Org::Table* Org::TableFor(const engine::Object& object) const {
  if (!schema_) return nullptr;
  const auto& objects = schema_->objects();
  if (!objects.empty() && &object >= &objects.front() && &object <= &objects.back()) {
    return tables_[static_cast<size_t>(&object - &objects.front())].get();
  }
  const int i = schema_->IndexOf(object.name);
  return i < 0 ? nullptr : tables_[static_cast<size_t>(i)].get();
}

RecordView Org::ViewOf(const Table& table, uint32_t row) const {
  RecordView v;
  v.object_ = table.object;
  v.table_ = &table;
  v.row_ = &table.rows[row];
  return v;
}

StoredRecord Org::Materialize(const Table& table, uint32_t row) const {
  const Row& r = table.rows[row];
  StoredRecord out;
  for (const engine::Field& f : table.object->fields) out.fields[f.name] = nullptr;
  RowToJson(*table.object, table.id_field, table.is_deleted_field, r.id, r.deleted, r.blob,
            &out.fields);
  out.deleted = r.deleted;
  out.deleted_at = r.deleted_at;
  return out;
}

int Org::RowOf(const Table& table, std::string_view id) const {
  auto parsed = engine::SfId::Parse(id);
  if (!parsed) return -1;
  return table.by_id.Find(*parsed, table.rows);
}

engine::SfId Org::NextIdLocked(const engine::Object& object, Table* table) {
  const char* prefix = object.key_prefix.size() == 3 ? object.key_prefix.c_str() : "000";
  for (;;) {
    uint64_t v = kIdBase + (table ? table->next_sequence++ : ++token_counter_);
    engine::SfId id;
    std::memcpy(id.chars, prefix, 3);
    std::memcpy(id.chars + 3, kIdMiddle, 5);
    for (int i = 14; i >= 8; --i) {
      id.chars[i] = kBase62[v % 62];
      v /= 62;
    }
    if (table == nullptr || table->by_id.count(id, table->rows) == 0) return id;
  }
}

std::string Org::NewIdLocked(const engine::Object& object) {
  return NextIdLocked(object, TableFor(object)).To18();
}

namespace {

// Encodes the members of `fields` (except Id and IsDeleted) as row entries.
std::string EncodeRow(const engine::Object& object, int id_field, int is_deleted_field,
                      const json& fields) {
  std::string blob;
  blob.reserve(256);
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (it.value().is_null()) continue;
    const int fi = object.FieldIndex(it.key());
    if (fi >= 0 && (fi == id_field || fi == is_deleted_field)) continue;
    if (fi >= 0) {
      PutVarint(blob, static_cast<uint64_t>(fi) + 1);
    } else {
      PutVarint(blob, 0);
      PutVarint(blob, it.key().size());
      blob.append(it.key());
    }
    EncodeValue(blob, it.value());
  }
  blob.shrink_to_fit();
  return blob;
}

bool SetIfField(const engine::Object& object, json& fields, std::string_view name, json value,
                bool only_if_absent) {
  const engine::Field* f = object.FindField(name);
  if (f == nullptr) return false;
  // Drop any differently-cased spelling, then write the schema's.
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), name)) {
      if (only_if_absent && !it.value().is_null()) return false;
      fields.erase(it);
      break;
    }
  }
  fields[f->name] = std::move(value);
  return true;
}

}  // namespace

void Org::AppendRow(Table& table, Row row) {
  const auto index = static_cast<uint32_t>(table.rows.size());
  if (table.order_valid) {
    if (table.order.empty() || table.rows[table.order.back()].id < row.id) {
      table.order.push_back(index);
    } else {
      table.order_valid = false;
      table.order.clear();
    }
  }
  table.rows.push_back(std::move(row));
  table.by_id.Insert(table.rows.back().id, index, table.rows);
  RecordUndo(Undo{Undo::Kind::kInsert, table.index, index, {}, false, 0});
}

std::string Org::LoadRecordLocked(const engine::Object& object, json fields) {
  Table* table = TableFor(object);
  if (table == nullptr) return std::string();
  if (!fields.is_object()) fields = json::object();
  fields.erase("attributes");
  std::string id;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), "Id") && it.value().is_string()) {
      id = it.value().get<std::string>();
    }
  }
  auto parsed = engine::SfId::Parse(id);
  if (!parsed || table->by_id.count(*parsed, table->rows) != 0) {
    id = NewIdLocked(object);
    parsed = engine::SfId::Parse(id);
  }
  Row row;
  row.id = *parsed;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), "IsDeleted") && it.value().is_boolean()) {
      row.deleted = it.value().get<bool>();
    }
  }
  if (row.deleted) row.deleted_at = Now();
  row.blob = EncodeRow(object, table->id_field, table->is_deleted_field, fields);
  AppendRow(*table, std::move(row));
  return parsed->To18();
}

std::string Org::LoadValuesLocked(const engine::Object& object,
                                  const std::vector<FieldValue>& values) {
  Table* table = TableFor(object);
  if (table == nullptr) return std::string();
  Row row;
  bool have_id = false;
  thread_local std::string blob;
  blob.clear();
  for (size_t i = 0; i < values.size() && i < object.fields.size(); ++i) {
    const FieldValue& v = values[i];
    if (v.is_null()) continue;
    if (static_cast<int>(i) == table->id_field) {
      if (v.kind == FieldValue::Kind::kId && table->by_id.count(v.id, table->rows) == 0) {
        row.id = v.id;
        have_id = true;
      }
      continue;
    }
    if (static_cast<int>(i) == table->is_deleted_field) {
      row.deleted = v.kind == FieldValue::Kind::kBool && v.b;
      continue;
    }
    PutVarint(blob, i + 1);
    EncodeFieldValue(blob, v);
  }
  if (!have_id) row.id = NextIdLocked(object, table);
  if (row.deleted) row.deleted_at = Now();
  row.blob.assign(blob);
  const engine::SfId id = row.id;
  AppendRow(*table, std::move(row));
  return id.To18();
}

std::string Org::InsertLocked(const engine::Object& object, json fields,
                              std::string_view user_id) {
  Table* table = TableFor(object);
  if (table == nullptr) return std::string();
  if (!fields.is_object()) fields = json::object();
  fields.erase("attributes");
  const std::string now = Stamp();
  std::string uid(user_id);
  SetIfField(object, fields, "CreatedDate", now, false);
  SetIfField(object, fields, "LastModifiedDate", now, false);
  SetIfField(object, fields, "SystemModstamp", now, false);
  if (!uid.empty()) {
    SetIfField(object, fields, "CreatedById", uid, false);
    SetIfField(object, fields, "LastModifiedById", uid, false);
    SetIfField(object, fields, "OwnerId", uid, true);
  }
  std::optional<engine::SfId> id;
  for (auto it = fields.begin(); it != fields.end(); ++it) {
    if (engine::EqualsIgnoreCase(it.key(), "Id") && it.value().is_string()) {
      id = engine::SfId::Parse(it.value().get<std::string>());
    }
  }
  if (!id || table->by_id.count(*id, table->rows) != 0) id = engine::SfId::Parse(NewIdLocked(object));
  Row row;
  row.id = *id;
  row.blob = EncodeRow(object, table->id_field, table->is_deleted_field, fields);
  AppendRow(*table, std::move(row));
  return id->To18();
}

bool Org::UpdateLocked(const engine::Object& object, std::string_view id, const json& changes,
                       std::string_view user_id) {
  Table* table = TableFor(object);
  if (table == nullptr) return false;
  const int r = RowOf(*table, id);
  if (r < 0 || table->rows[r].deleted) return false;
  Row& row = table->rows[r];
  json fields = json::object();
  RowToJson(object, -1, -1, row.id, row.deleted, row.blob, &fields);
  if (changes.is_object()) {
    for (auto it = changes.begin(); it != changes.end(); ++it) {
      if (it.key() == "attributes") continue;
      const engine::Field* f = object.FindField(it.key());
      const std::string name = f ? f->name : it.key();
      if (f != nullptr && it.key() != name) fields.erase(it.key());
      fields[name] = it.value();
    }
  }
  const std::string now = Stamp();
  SetIfField(object, fields, "LastModifiedDate", now, false);
  SetIfField(object, fields, "SystemModstamp", now, false);
  if (!user_id.empty()) SetIfField(object, fields, "LastModifiedById", std::string(user_id), false);
  RecordUndo(Undo{Undo::Kind::kChange, table->index, static_cast<uint32_t>(r), row.blob,
                  row.deleted, row.deleted_at});
  row.blob = EncodeRow(object, table->id_field, table->is_deleted_field, fields);
  RefreshCached(*table, static_cast<uint32_t>(r));
  return true;
}

bool Org::DeleteLocked(const engine::Object& object, std::string_view id) {
  Table* table = TableFor(object);
  if (table == nullptr) return false;
  const int r = RowOf(*table, id);
  if (r < 0 || table->rows[r].deleted) return false;
  Row& row = table->rows[r];
  RecordUndo(Undo{Undo::Kind::kChange, table->index, static_cast<uint32_t>(r), row.blob,
                  row.deleted, row.deleted_at});
  json fields = json::object();
  RowToJson(object, -1, -1, row.id, row.deleted, row.blob, &fields);
  SetIfField(object, fields, "SystemModstamp", Stamp(), false);
  row.blob = EncodeRow(object, table->id_field, table->is_deleted_field, fields);
  row.deleted = true;
  engine::Millis now = Now();
  row.deleted_at = now - ((now % 1000) + 1000) % 1000;
  RefreshCached(*table, static_cast<uint32_t>(r));
  return true;
}

const StoredRecord* Org::FindLocked(const engine::Object& object, std::string_view id) const {
  const Table* table = TableFor(object);
  if (table == nullptr) return nullptr;
  const int r = RowOf(*table, id);
  if (r < 0) return nullptr;
  const uint64_t key = (static_cast<uint64_t>(table->index) << 32) | static_cast<uint32_t>(r);
  auto it = find_cache_.find(key);
  if (it != find_cache_.end()) return it->second.get();
  if (find_cache_.size() >= kFindCacheSize) find_cache_.clear();
  auto stored = std::make_unique<StoredRecord>(Materialize(*table, static_cast<uint32_t>(r)));
  const StoredRecord* out = stored.get();
  find_cache_.emplace(key, std::move(stored));
  return out;
}

void Org::RefreshCached(const Table& table, uint32_t row) const {
  const uint64_t key = (static_cast<uint64_t>(table.index) << 32) | row;
  auto it = find_cache_.find(key);
  if (it != find_cache_.end()) *it->second = Materialize(table, row);
}

std::optional<RecordView> Org::FindRowLocked(const engine::Object& object,
                                             std::string_view id) const {
  const Table* table = TableFor(object);
  if (table == nullptr) return std::nullopt;
  const int r = RowOf(*table, id);
  if (r < 0) return std::nullopt;
  return ViewOf(*table, static_cast<uint32_t>(r));
}

const engine::Object* Org::ObjectOfId(std::string_view id) const {
  if (id.size() < 3 || !schema_) return nullptr;
  auto it = by_prefix_.find(id.substr(0, 3));
  return it == by_prefix_.end() ? nullptr : &schema_->object(it->second);
}

void Org::ScanLocked(const engine::Object& object,
                     const std::function<bool(const StoredRecord&)>& visit) const {
  const Table* table = TableFor(object);
  if (table == nullptr) return;
  table->EnsureOrder();
  for (uint32_t r : table->order) {
    const StoredRecord record = Materialize(*table, r);
    if (!visit(record)) return;
  }
}

void Org::ScanRowsLocked(const engine::Object& object,
                         const std::function<bool(const RecordView&)>& visit) const {
  const Table* table = TableFor(object);
  if (table == nullptr) return;
  table->EnsureOrder();
  for (uint32_t r : table->order) {
    if (!visit(ViewOf(*table, r))) return;
  }
}

std::vector<std::string> Org::FindByFieldLocked(const engine::Object& object,
                                                std::string_view field, const json& value,
                                                bool case_sensitive) const {
  std::vector<std::string> out;
  const Table* table = TableFor(object);
  const int fi = object.FieldIndex(field);
  if (table == nullptr || fi < 0 || value.is_null()) return out;
  std::string want_text;
  if (value.is_string()) want_text = value.get<std::string>();
  table->EnsureOrder();
  for (uint32_t r : table->order) {
    const Row& row = table->rows[r];
    if (row.deleted) continue;
    const FieldValue v = ViewOf(*table, r).Get(fi);
    bool match = false;
    switch (v.kind) {
      case FieldValue::Kind::kNull:
        break;
      case FieldValue::Kind::kBool:
        match = value.is_boolean() && value.get<bool>() == v.b;
        break;
      case FieldValue::Kind::kInt:
        match = value.is_number() && value.get<double>() == static_cast<double>(v.i);
        break;
      case FieldValue::Kind::kDouble:
        match = value.is_number() && value.get<double>() == v.d;
        break;
      case FieldValue::Kind::kId: {
        auto want = engine::SfId::Parse(want_text);
        match = want && *want == v.id;
        break;
      }
      case FieldValue::Kind::kJson:
        break;
      default:
        match = value.is_string() && EqualsText(v.Text(), want_text, case_sensitive);
        break;
    }
    if (match) out.push_back(row.id.To18());
  }
  return out;
}

size_t Org::CountLocked(const engine::Object& object) const {
  const Table* table = TableFor(object);
  return table == nullptr ? 0 : table->rows.size();
}

// ---------------------------------------------------------------------------------------------
// Snapshots: an undo log kept while any snapshot is alive.

void Org::RecordUndo(Undo undo) {
  if (live_snapshots_ > 0) undo_.push_back(std::move(undo));
}

std::shared_ptr<Org::Snapshot> Org::SnapshotLocked() const {
  std::lock_guard lock(mu_);
  ++live_snapshots_;
  auto s = std::shared_ptr<Snapshot>(new Snapshot);
  s->org = this;
  s->position = undo_.size();
  return s;
}

void Org::ReleaseSnapshot() const {
  std::lock_guard lock(mu_);
  if (--live_snapshots_ == 0) undo_.clear();
}

void Org::RestoreLocked(const Snapshot& snapshot) {
  while (undo_.size() > snapshot.position) {
    Undo u = std::move(undo_.back());
    undo_.pop_back();
    Table& table = *tables_[u.table];
    if (u.kind == Undo::Kind::kInsert) {
      // Undone in reverse order, so the row is the table's last.
      const Row& row = table.rows[u.row];
      table.by_id.Erase(row.id, table.rows);
      if (table.order_valid && !table.order.empty() && table.order.back() == u.row) {
        table.order.pop_back();
      } else {
        table.order_valid = false;
        table.order.clear();
      }
      table.rows.pop_back();
      find_cache_.erase((static_cast<uint64_t>(table.index) << 32) | u.row);
    } else {
      Row& row = table.rows[u.row];
      row.blob = std::move(u.old_blob);
      row.deleted = u.old_deleted;
      row.deleted_at = u.old_deleted_at;
      RefreshCached(table, u.row);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// API usage.

bool Org::CountApiCall() {
  std::lock_guard lock(mu_);
  if (limits_.daily_api_used >= limits_.daily_api_max) return false;
  ++limits_.daily_api_used;
  return true;
}

int64_t Org::api_used() const {
  std::lock_guard lock(mu_);
  return limits_.daily_api_used;
}

int64_t Org::api_max() const {
  std::lock_guard lock(mu_);
  return limits_.daily_api_max;
}

void Org::SetApiUsage(int64_t used, int64_t max) {
  std::lock_guard lock(mu_);
  limits_.daily_api_used = used;
  limits_.daily_api_max = max;
}

// ---------------------------------------------------------------------------------------------
// Tokens: random (OpenSSL RAND_bytes), in Salesforce's shapes. Access tokens are the org's
// 15-character Id, "!", then "AQ" and 110 characters of [A-Za-z0-9._]; refresh tokens start
// with "5Aep861" as Salesforce's do; authorization codes with "aPrx".

std::string Org::IssueAccessToken(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::string token = org_id_.substr(0, 15) + "!AQ" + RandomText(110);
  TokenInfo info;
  info.user_id = std::string(user_id);
  info.expires_at = Now() + limits_.access_token_ttl_seconds * 1000;
  access_tokens_[token] = info;
  ++token_counter_;
  return token;
}

std::string Org::IssueRefreshToken(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::string token = "5Aep861" + RandomText(80);
  TokenInfo info;
  info.user_id = std::string(user_id);
  refresh_tokens_[token] = info;
  ++token_counter_;
  return token;
}

std::optional<TokenInfo> Org::CheckAccessToken(std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = access_tokens_.find(std::string(token));
  if (it == access_tokens_.end() || it->second.revoked || Now() >= it->second.expires_at) {
    return std::nullopt;
  }
  return it->second;
}

std::optional<TokenInfo> Org::CheckRefreshToken(std::string_view token) const {
  std::lock_guard lock(mu_);
  auto it = refresh_tokens_.find(std::string(token));
  if (it == refresh_tokens_.end() || it->second.revoked) return std::nullopt;
  return it->second;
}

void Org::RevokeRefreshToken(std::string_view token) {
  std::lock_guard lock(mu_);
  auto it = refresh_tokens_.find(std::string(token));
  if (it != refresh_tokens_.end()) it->second.revoked = true;
}

void Org::ExpireAllAccessTokens() {
  std::lock_guard lock(mu_);
  for (auto& [token, info] : access_tokens_) info.expires_at = std::numeric_limits<int64_t>::min();
}

void Org::RevokeAllRefreshTokens() {
  std::lock_guard lock(mu_);
  for (auto& [token, info] : refresh_tokens_) info.revoked = true;
}

std::string Org::IssueAuthorizationCode(std::string_view user_id) {
  std::lock_guard lock(mu_);
  std::string code = "aPrx" + RandomText(76);
  auth_codes_[code] = std::string(user_id);
  return code;
}

std::optional<std::string> Org::RedeemAuthorizationCode(std::string_view code) {
  std::lock_guard lock(mu_);
  auto it = auth_codes_.find(std::string(code));
  if (it == auth_codes_.end()) return std::nullopt;
  std::string user = std::move(it->second);
  auth_codes_.erase(it);
  return user;
}

}  // namespace cf::sfemu
