// Write validation and request-body reading for the emulator (see validation.h).
//
// Where the error texts come from (public captures of real org answers, client-library
// fixtures and Salesforce's documentation, found with the project's search tools):
//   INVALID_FIELD            "No such column 'X' on sobject of type Y" (spec table; client fixtures)
//   INVALID_FIELD_FOR_INSERT_UPDATE "Unable to create/update fields: Name. Please check the
//                            security settings of this field and verify that it is read/write for
//                            your profile or permission set." fields [Name] (captured answers)
//   REQUIRED_FIELD_MISSING   "Required fields are missing: [Name]" fields [Name] (captured answers)
//   STRING_TOO_LONG          "Last Inspection Result: data value too large: Fail - ... (max
//                            length=20)": the field's label (a captured flow error)
//   INVALID_EMAIL_ADDRESS    "Email: invalid email address: Not a real email address" fields
//                            [Email] (REST documentation, composite example)
//   NUMBER_OUTSIDE_VALID_RANGE "Employees: value outside of valid range on numeric field:
//                            1431655766" (UI and API share the text)
//   INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST "Job Category: bad value for restricted picklist
//                            field: X" fields [Job_Category__c] (captured answers); dependent
//                            values invalid for their controller get the same (spec table)
//   MALFORMED_ID / FIELD_INTEGRITY_EXCEPTION "Account ID: id value of incorrect type: 001..."
//                            (captured answers: MALFORMED_ID for a bad Id, FIELD_INTEGRITY_EXCEPTION
//                            "Owner ID: id value of incorrect type: 035...: [OwnerId]" for an Id
//                            of another object)
//   INVALID_CROSS_REFERENCE_KEY "invalid cross reference id" (captured composite answers)
//   DUPLICATE_VALUE          "duplicate value found: AffirmId__c duplicates value on record with
//                            id: 0018M000003uKqq" fields [] (captured answers: API name, 15-char Id)
//   FIELD_CUSTOM_VALIDATION_EXCEPTION  the rule's ErrorMessage, fields [ErrorDisplayField]
//   JSON_PARSER_ERROR        Jackson's messages with Salesforce's " at [line:L, column:C]":
//                            "Unexpected character ('j' (code 106)): was expecting a colon to
//                            separate field name and value at [line:1, column:18]", "Cannot
//                            deserialize instance of date from VALUE_STRING value 2017-05-30T-06:00:00X
//                            or request may be missing a required field at [line:11, column:55]"
//   INVALID_FIELD (foreign key) "Foreign key external ID: 1580 not found for field
//                            Codigo_representante_ERP__c in entity User" fields [] (captured)
//   DUPLICATE_EXTERNAL_ID    "CIS Account Number: more than one record found for external id
//                            field: [...]" (captured)
#include "tools/sfemu/validation.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <deque>
#include <map>
#include <mutex>
#include <set>
#include <utility>

#include "connectors/salesforce/record_json.h"
#include "engine/condition.h"
#include "engine/record.h"
#include "engine/value.h"
#include "grammar/condition_parser.h"
#include "grammar/diagnostic.h"
#include "tools/sfemu/derived.h"

namespace cf::sfemu {
namespace {

using engine::Field;
using engine::FieldType;
using engine::Object;
using Json = nlohmann::json;
using OrderedJson = nlohmann::ordered_json;

// =============================================================================================
// Request bodies: a JSON reader that speaks Jackson's error messages.
// =============================================================================================

constexpr char kEmptyBodyMessage[] =
    "The HTTP entity body is required, but this request has no entity body.";

// Jackson's rendering of the character it stopped at: "'x' (code 120)", or
// "(CTRL-CHAR, code 10)" for control characters.
std::string DescribeChar(uint32_t code_point) {
  char buffer[64];
  if (code_point < 0x20) {
    std::snprintf(buffer, sizeof buffer, "(CTRL-CHAR, code %u)", code_point);
    return buffer;
  }
  std::string ch;
  if (code_point < 0x80) {
    ch.push_back(static_cast<char>(code_point));
  } else if (code_point < 0x800) {
    ch.push_back(static_cast<char>(0xC0 | (code_point >> 6)));
    ch.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else if (code_point < 0x10000) {
    ch.push_back(static_cast<char>(0xE0 | (code_point >> 12)));
    ch.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    ch.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  } else {
    ch.push_back(static_cast<char>(0xF0 | (code_point >> 18)));
    ch.push_back(static_cast<char>(0x80 | ((code_point >> 12) & 0x3F)));
    ch.push_back(static_cast<char>(0x80 | ((code_point >> 6) & 0x3F)));
    ch.push_back(static_cast<char>(0x80 | (code_point & 0x3F)));
  }
  std::snprintf(buffer, sizeof buffer, " (code %u)", code_point);
  return "'" + ch + "'" + buffer;
}

void AppendUtf8(std::string* out, uint32_t cp) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// A recursive-descent JSON reader with positions. In parse mode it builds an ordered_json; in
// locate mode it only records where the value at a path starts. Recursion is bounded by
// kMaxBodyDepth.
class JsonReader {
 public:
  explicit JsonReader(std::string_view text) : t_(text) {}

  bool Parse(OrderedJson* out) {
    SkipSpace();
    if (pos_ >= t_.size()) {
      error_ = kEmptyBodyMessage;
      return false;
    }
    // A byte-order mark is skipped, as Jackson does.
    if (t_.substr(pos_, 3) == "\xEF\xBB\xBF") {
      Advance(3);
      SkipSpace();
    }
    return Value(out, 0, Context{ContainerKind::kRoot, {}});
    // Content after the root value is ignored, as Jackson does by default.
  }

  bool Locate(const std::vector<std::string>& path, JsonPosition* where) {
    locating_ = true;
    target_ = &path;
    if (!Parse(nullptr) || !found_) return false;
    *where = found_at_;
    return true;
  }

  // The message, ending with " at [line:L, column:C]".
  const std::string& error() const { return error_; }

 private:
  enum class ContainerKind { kRoot, kObject, kArray };
  struct Context {
    ContainerKind kind;
    JsonPosition opened;  // where the container's '{' or '[' was
  };

  JsonPosition Here() const {
    return JsonPosition{line_, static_cast<int>(pos_ - line_start_) + 1};
  }
  static std::string At(JsonPosition p) {
    return " at [line:" + std::to_string(p.line) + ", column:" + std::to_string(p.column) + "]";
  }
  bool Fail(std::string message) {
    if (error_.empty()) error_ = std::move(message) + At(Here());
    return false;
  }

  void Advance(size_t n = 1) {
    for (size_t i = 0; i < n && pos_ < t_.size(); ++i) {
      if (t_[pos_] == '\n') {
        ++line_;
        line_start_ = pos_ + 1;
      }
      ++pos_;
    }
  }
  void SkipSpace() {
    while (pos_ < t_.size()) {
      char c = t_[pos_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        Advance();
      } else {
        break;
      }
    }
  }

  // Decodes the UTF-8 character at pos_ (for messages); 0xFFFD when invalid.
  uint32_t PeekCodePoint(size_t* length) const {
    const auto b0 = static_cast<unsigned char>(t_[pos_]);
    *length = 1;
    if (b0 < 0x80) return b0;
    int extra = b0 >= 0xF0 ? 3 : b0 >= 0xE0 ? 2 : b0 >= 0xC0 ? 1 : -1;
    if (extra < 0) return 0xFFFD;
    uint32_t cp = b0 & (0x3F >> extra);
    for (int i = 1; i <= extra; ++i) {
      if (pos_ + static_cast<size_t>(i) >= t_.size()) return 0xFFFD;
      const auto b = static_cast<unsigned char>(t_[pos_ + static_cast<size_t>(i)]);
      if ((b & 0xC0) != 0x80) return 0xFFFD;
      cp = (cp << 6) | (b & 0x3F);
    }
    *length = static_cast<size_t>(extra) + 1;
    return cp;
  }
  // Consumes the unexpected character and fails with "Unexpected character (...): <what>".
  bool Unexpected(std::string_view what) {
    size_t length;
    const uint32_t cp = PeekCodePoint(&length);
    Advance(length);
    return Fail("Unexpected character (" + DescribeChar(cp) + "): " + std::string(what));
  }
  bool EndOfInput(const Context& ctx) {
    if (ctx.kind == ContainerKind::kRoot) return Fail("Unexpected end-of-input");
    const char* kind = ctx.kind == ContainerKind::kObject ? "OBJECT" : "ARRAY";
    return Fail(std::string("Unexpected end-of-input: expected close marker for ") + kind +
                " (from [line:" + std::to_string(ctx.opened.line) +
                ", column:" + std::to_string(ctx.opened.column) + "])");
  }

  bool AtTarget() const {
    return locating_ && !found_ && path_.size() == target_->size() && path_ == *target_;
  }
  void MarkIfTarget() {
    if (AtTarget()) {
      found_ = true;
      found_at_ = Here();
    }
  }

  bool Value(OrderedJson* out, int depth, const Context& ctx) {
    SkipSpace();
    if (pos_ >= t_.size()) return EndOfInput(ctx);
    const char c = t_[pos_];
    switch (c) {
      case '{':
        return ObjectValue(out, depth + 1);
      case '[':
        return ArrayValue(out, depth + 1);
      case '"': {
        std::string s;
        if (!StringToken(out ? &s : nullptr)) return false;
        if (out) *out = std::move(s);
        MarkIfTarget();
        return true;
      }
      case 't':
      case 'f':
      case 'n':
        return Literal(out);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) return Number(out);
        return Unexpected(
            "expected a valid value (number, String, array, object, 'true', 'false' or 'null')");
    }
  }

  bool DepthOk(int depth) {
    if (depth <= kMaxBodyDepth) return true;
    return Fail("Document nesting depth (" + std::to_string(depth) +
                ") exceeds the maximum allowed (" + std::to_string(kMaxBodyDepth) + ")");
  }

  bool ObjectValue(OrderedJson* out, int depth) {
    const JsonPosition opened = Here();
    Advance();  // '{'
    if (!DepthOk(depth)) return false;
    MarkIfTarget();
    if (out) *out = OrderedJson::object();
    const Context ctx{ContainerKind::kObject, opened};
    SkipSpace();
    if (pos_ < t_.size() && t_[pos_] == '}') {
      Advance();
      return true;
    }
    for (;;) {
      SkipSpace();
      if (pos_ >= t_.size()) return EndOfInput(ctx);
      if (t_[pos_] != '"') return Unexpected("was expecting double-quote to start field name");
      std::string key;
      if (!StringToken(&key)) return false;
      SkipSpace();
      if (pos_ >= t_.size()) return EndOfInput(ctx);
      if (t_[pos_] != ':') {
        return Unexpected("was expecting a colon to separate field name and value");
      }
      Advance();
      if (locating_) path_.push_back(key);
      OrderedJson* slot = nullptr;
      if (out) slot = &(*out)[key];  // a repeated key: the last value wins, as in Jackson
      const bool ok = Value(slot, depth, ctx);
      if (locating_) path_.pop_back();
      if (!ok) return false;
      SkipSpace();
      if (pos_ >= t_.size()) return EndOfInput(ctx);
      if (t_[pos_] == ',') {
        Advance();
        continue;
      }
      if (t_[pos_] == '}') {
        Advance();
        return true;
      }
      return Unexpected("was expecting comma to separate OBJECT entries");
    }
  }

  bool ArrayValue(OrderedJson* out, int depth) {
    const JsonPosition opened = Here();
    Advance();  // '['
    if (!DepthOk(depth)) return false;
    MarkIfTarget();
    if (out) *out = OrderedJson::array();
    const Context ctx{ContainerKind::kArray, opened};
    SkipSpace();
    if (pos_ < t_.size() && t_[pos_] == ']') {
      Advance();
      return true;
    }
    for (size_t index = 0;; ++index) {
      if (locating_) path_.push_back(std::to_string(index));
      OrderedJson element;
      const bool ok = Value(out ? &element : nullptr, depth, ctx);
      if (locating_) path_.pop_back();
      if (!ok) return false;
      if (out) out->push_back(std::move(element));
      SkipSpace();
      if (pos_ >= t_.size()) return EndOfInput(ctx);
      if (t_[pos_] == ',') {
        Advance();
        continue;
      }
      if (t_[pos_] == ']') {
        Advance();
        return true;
      }
      return Unexpected("was expecting comma to separate ARRAY entries");
    }
  }

  static int HexValue(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  }

  bool Hex4(uint32_t* out) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      if (pos_ >= t_.size()) {
        return Fail("Unexpected end-of-input within/between String entries");
      }
      const int h = HexValue(t_[pos_]);
      if (h < 0) return Unexpected("expected a hex-digit for character escape sequence");
      v = v * 16 + static_cast<uint32_t>(h);
      Advance();
    }
    *out = v;
    return true;
  }

  // Reads a string token (pos_ at its opening quote); out may be null (skip).
  bool StringToken(std::string* out) {
    Advance();  // opening quote
    for (;;) {
      if (pos_ >= t_.size()) {
        return Fail("Unexpected end-of-input: was expecting closing quote for a string value");
      }
      const auto c = static_cast<unsigned char>(t_[pos_]);
      if (c == '"') {
        Advance();
        return true;
      }
      if (c < 0x20) {
        Advance();
        return Fail("Illegal unquoted character (" + DescribeChar(c) +
                    "): has to be escaped using backslash to be included in string value");
      }
      if (c == '\\') {
        Advance();
        if (pos_ >= t_.size()) {
          return Fail("Unexpected end-of-input: was expecting closing quote for a string value");
        }
        const char e = t_[pos_];
        Advance();
        char plain = 0;
        switch (e) {
          case '"': plain = '"'; break;
          case '\\': plain = '\\'; break;
          case '/': plain = '/'; break;
          case 'b': plain = '\b'; break;
          case 'f': plain = '\f'; break;
          case 'n': plain = '\n'; break;
          case 'r': plain = '\r'; break;
          case 't': plain = '\t'; break;
          case 'u': {
            uint32_t cp = 0;
            if (!Hex4(&cp)) return false;
            if (cp >= 0xD800 && cp <= 0xDBFF && t_.substr(pos_, 2) == "\\u") {
              const size_t save_pos = pos_;
              const int save_line = line_;
              const size_t save_start = line_start_;
              Advance(2);
              uint32_t low = 0;
              if (!Hex4(&low)) return false;
              if (low >= 0xDC00 && low <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
              } else {
                pos_ = save_pos;
                line_ = save_line;
                line_start_ = save_start;
                cp = 0xFFFD;
              }
            } else if (cp >= 0xD800 && cp <= 0xDFFF) {
              cp = 0xFFFD;  // a lone surrogate cannot be stored as UTF-8
            }
            if (out) AppendUtf8(out, cp);
            continue;
          }
          default: {
            const auto ec = static_cast<unsigned char>(e);
            return Fail("Unrecognized character escape " + DescribeChar(ec));
          }
        }
        if (out) out->push_back(plain);
        continue;
      }
      if (c < 0x80) {
        if (out) out->push_back(static_cast<char>(c));
        Advance();
        continue;
      }
      // A multi-byte UTF-8 sequence: validated, as Jackson's UTF-8 decoder does.
      const int extra = c >= 0xF0 && c <= 0xF4 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 && c < 0xE0 ? 1 : -1;
      if (extra < 0 || c > 0xF4) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "Invalid UTF-8 start byte 0x%02x", c);
        Advance();
        return Fail(buffer);
      }
      uint32_t cp = c & (0x3F >> extra);
      for (int i = 1; i <= extra; ++i) {
        const size_t at = pos_ + static_cast<size_t>(i);
        if (at >= t_.size()) {
          Advance(static_cast<size_t>(i));
          return Fail("Unexpected end-of-input: was expecting closing quote for a string value");
        }
        const auto b = static_cast<unsigned char>(t_[at]);
        if ((b & 0xC0) != 0x80) {
          char buffer[64];
          std::snprintf(buffer, sizeof buffer, "Invalid UTF-8 middle byte 0x%02x", b);
          Advance(static_cast<size_t>(i) + 1);
          return Fail(buffer);
        }
        cp = (cp << 6) | (b & 0x3F);
      }
      const bool overlong = (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000);
      if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
        char buffer[64];
        std::snprintf(buffer, sizeof buffer, "Invalid UTF-8 start byte 0x%02x", c);
        Advance(static_cast<size_t>(extra) + 1);
        return Fail(buffer);
      }
      if (out) out->append(t_.substr(pos_, static_cast<size_t>(extra) + 1));
      Advance(static_cast<size_t>(extra) + 1);
    }
  }

  static bool IsTokenChar(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  }

  bool Literal(OrderedJson* out) {
    size_t end = pos_;
    while (end < t_.size() && IsTokenChar(t_[end])) ++end;
    const std::string_view word = t_.substr(pos_, end - pos_);
    Advance(end - pos_);
    if (word == "true") {
      if (out) *out = true;
    } else if (word == "false") {
      if (out) *out = false;
    } else if (word == "null") {
      if (out) *out = nullptr;
    } else {
      return Fail("Unrecognized token '" + std::string(word) +
                  "': was expecting ('true', 'false' or 'null')");
    }
    MarkIfTarget();
    return true;
  }

  static bool IsDigit(char c) { return c >= '0' && c <= '9'; }

  bool Number(OrderedJson* out) {
    const size_t start = pos_;
    bool is_float = false;
    if (t_[pos_] == '-') {
      Advance();
      if (pos_ >= t_.size() || !IsDigit(t_[pos_])) {
        if (pos_ >= t_.size()) return Fail("Unexpected end-of-input in numeric value");
        return Unexpected("in numeric value: expected digit (0-9) to follow minus sign, for valid "
                          "numeric value");
      }
    }
    if (t_[pos_] == '0' && pos_ + 1 < t_.size() && IsDigit(t_[pos_ + 1])) {
      Advance();
      return Fail("Invalid numeric value: Leading zeroes not allowed");
    }
    while (pos_ < t_.size() && IsDigit(t_[pos_])) Advance();
    if (pos_ < t_.size() && t_[pos_] == '.') {
      is_float = true;
      Advance();
      if (pos_ >= t_.size() || !IsDigit(t_[pos_])) {
        if (pos_ >= t_.size()) return Fail("Unexpected end-of-input in numeric value");
        return Unexpected("in numeric value: Decimal point not followed by a digit");
      }
      while (pos_ < t_.size() && IsDigit(t_[pos_])) Advance();
    }
    if (pos_ < t_.size() && (t_[pos_] == 'e' || t_[pos_] == 'E')) {
      is_float = true;
      Advance();
      if (pos_ < t_.size() && (t_[pos_] == '+' || t_[pos_] == '-')) Advance();
      if (pos_ >= t_.size() || !IsDigit(t_[pos_])) {
        if (pos_ >= t_.size()) return Fail("Unexpected end-of-input in numeric value");
        return Unexpected("in numeric value: Exponent indicator not followed by a digit");
      }
      while (pos_ < t_.size() && IsDigit(t_[pos_])) Advance();
    }
    MarkIfTarget();
    if (!out) return true;
    const std::string_view text = t_.substr(start, pos_ - start);
    const char* first = text.data();
    const char* last = text.data() + text.size();
    if (!is_float) {
      int64_t i;
      if (auto r = std::from_chars(first, last, i); r.ec == std::errc() && r.ptr == last) {
        *out = i;
        return true;
      }
      uint64_t u;
      if (auto r = std::from_chars(first, last, u); r.ec == std::errc() && r.ptr == last) {
        *out = u;
        return true;
      }
      *out = std::string(text);  // beyond 64 bits: kept exact as its digits
      return true;
    }
    // More than 15 significant digits: a double would change the value, keep the text.
    int significant = 0;
    bool leading = true;
    for (char ch : text) {
      if (ch == 'e' || ch == 'E') break;
      if (!IsDigit(ch)) continue;
      if (leading && ch == '0') continue;
      leading = false;
      ++significant;
    }
    double d = 0;
    auto r = std::from_chars(first, last, d);
    if (significant > 15 || r.ec != std::errc() || r.ptr != last) {
      *out = std::string(text);
    } else {
      *out = d;
    }
    return true;
  }

  std::string_view t_;
  size_t pos_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  std::string error_;
  // Locate mode.
  bool locating_ = false;
  const std::vector<std::string>* target_ = nullptr;
  std::vector<std::string> path_;
  bool found_ = false;
  JsonPosition found_at_;
};

// =============================================================================================
// Field values: JSON as the client sent it -> Salesforce's stored wire format.
// =============================================================================================

// The SOAP type Salesforce names in "Cannot deserialize instance of <type> from ...".
const char* SoapTypeName(FieldType t) {
  switch (t) {
    case FieldType::kId:
    case FieldType::kReference:
      return "id";
    case FieldType::kBoolean:
      return "boolean";
    case FieldType::kInt:
      return "int";
    case FieldType::kLong:
      return "long";
    case FieldType::kDouble:
    case FieldType::kCurrency:
    case FieldType::kPercent:
      return "double";
    case FieldType::kDate:
      return "date";
    case FieldType::kDateTime:
      return "datetime";
    case FieldType::kTime:
      return "time";
    case FieldType::kBase64:
      return "base64";
    case FieldType::kAddress:
    case FieldType::kLocation:
    case FieldType::kComplexValue:
      return "complexvalue";
    case FieldType::kAnyType:
      return "anytype";
    default:
      return "string";
  }
}

// Jackson's token name and the text it quotes for a JSON value.
std::pair<const char*, std::string> TokenOf(const OrderedJson& v) {
  switch (v.type()) {
    case OrderedJson::value_t::string:
      return {"VALUE_STRING", v.get<std::string>()};
    case OrderedJson::value_t::number_integer:
    case OrderedJson::value_t::number_unsigned:
      return {"VALUE_NUMBER_INT", v.dump()};
    case OrderedJson::value_t::number_float:
      return {"VALUE_NUMBER_FLOAT", v.dump()};
    case OrderedJson::value_t::boolean:
      return {v.get<bool>() ? "VALUE_TRUE" : "VALUE_FALSE", v.dump()};
    case OrderedJson::value_t::object:
      return {"START_OBJECT", "{"};
    case OrderedJson::value_t::array:
      return {"START_ARRAY", "["};
    default:
      return {"VALUE_NULL", "null"};
  }
}

bool IsTextType(FieldType t) {
  switch (t) {
    case FieldType::kString:
    case FieldType::kTextArea:
    case FieldType::kEmail:
    case FieldType::kPhone:
    case FieldType::kUrl:
    case FieldType::kEncryptedString:
    case FieldType::kPicklist:
    case FieldType::kMultiPicklist:
    case FieldType::kCombobox:
      return true;
    default:
      return false;
  }
}

bool IsNumberType(FieldType t) {
  return t == FieldType::kInt || t == FieldType::kLong || t == FieldType::kDouble ||
         t == FieldType::kCurrency || t == FieldType::kPercent;
}

// A field value after reading: the stored JSON plus what later checks need.
struct FieldValue {
  const Field* field = nullptr;
  std::string key;  // the key as the client wrote it
  Json value;       // normalized (numbers still unrounded)
  std::optional<engine::Decimal> number;
  std::string number_text;  // the number as sent, for messages
};

// Reads one value; false when its JSON type or format does not fit the field.
bool ReadFieldValue(const Field& f, const OrderedJson& v, FieldValue* out) {
  out->field = &f;
  if (v.is_null()) {
    out->value = nullptr;
    return true;
  }
  if (IsTextType(f.type) || f.type == FieldType::kBase64 || f.type == FieldType::kAnyType ||
      f.type == FieldType::kUnknown) {
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      out->value = s.empty() ? Json(nullptr) : Json(s);
      return true;
    }
    if (v.is_number() || v.is_boolean()) {
      out->value = v.dump();
      return true;
    }
    return false;
  }
  if (f.type == FieldType::kBoolean) {
    if (v.is_boolean()) {
      out->value = v.get<bool>();
      return true;
    }
    if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.empty()) {
        out->value = nullptr;
        return true;
      }
      if (engine::EqualsIgnoreCase(s, "true") || engine::EqualsIgnoreCase(s, "false")) {
        out->value = engine::EqualsIgnoreCase(s, "true");
        return true;
      }
    }
    return false;
  }
  if (IsNumberType(f.type)) {
    std::optional<engine::Decimal> d;
    if (v.is_number_integer()) {
      d = engine::Decimal::FromInt(v.get<int64_t>());
      out->number_text = v.dump();
    } else if (v.is_number_unsigned()) {
      d = engine::Decimal::Parse(v.dump());
      out->number_text = v.dump();
    } else if (v.is_number_float()) {
      d = engine::Decimal::FromDouble(v.get<double>());
      out->number_text = v.dump();
    } else if (v.is_string()) {
      const std::string& s = v.get_ref<const std::string&>();
      if (s.empty()) {
        out->value = nullptr;
        return true;
      }
      d = engine::Decimal::Parse(s);
      out->number_text = s;
    } else {
      return false;
    }
    if (d) out->value = d->ToDouble();  // provisional: CheckNumber rounds and stores it
    if (!d) {
      // Digits beyond Decimal's range: valid JSON, but outside every Salesforce number field.
      if (v.is_number() || (v.is_string() && !v.get_ref<const std::string&>().empty() &&
                            v.get_ref<const std::string&>().find_first_not_of("+-0123456789.eE") ==
                                std::string::npos)) {
        out->number = std::nullopt;
        out->value = out->number_text;
        return true;  // NUMBER_OUTSIDE_VALID_RANGE later
      }
      return false;
    }
    out->number = d;
    return true;
  }
  if (!v.is_string()) return false;
  const std::string& s = v.get_ref<const std::string&>();
  if (s.empty()) {
    out->value = nullptr;
    return true;
  }
  switch (f.type) {
    case FieldType::kId:
    case FieldType::kReference:
      out->value = s;  // checked against the org later
      return true;
    case FieldType::kDate: {
      auto d = engine::ParseIsoDate(s);
      if (!d) return false;
      out->value = engine::FormatIsoDate(*d);
      return true;
    }
    case FieldType::kDateTime: {
      std::optional<engine::Millis> ms = engine::ParseIsoDateTime(s);
      if (!ms) ms = engine::ParseIsoDateTime(s + "Z");  // no offset: GMT
      if (!ms) {
        if (auto d = engine::ParseIsoDate(s)) ms = static_cast<engine::Millis>(*d) * 86400000;
      }
      if (!ms) return false;
      out->value = sf::FormatSalesforceDateTime(*ms);
      return true;
    }
    case FieldType::kTime: {
      auto t = engine::ParseIsoTime(s);
      if (!t) return false;
      out->value = engine::FormatIsoTime(*t);
      return true;
    }
    default:
      out->value = s;  // compound fields: not writable, INVALID_FIELD_FOR_INSERT_UPDATE later
      return true;
  }
}

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

// Salesforce's email check, approximately: one '@', a non-empty local part, a dotted domain,
// no spaces.
bool LooksLikeEmail(std::string_view s) {
  const size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view domain = s.substr(at + 1);
  const size_t dot = domain.find('.');
  if (dot == std::string_view::npos || dot == 0 || domain.back() == '.') return false;
  for (char c : s) {
    if (static_cast<unsigned char>(c) <= ' ' || c == ',' || c == ';' || c == '<' || c == '>' ||
        c == '(' || c == ')' || c == '[' || c == ']' || c == '\\' || c == '"') {
      return false;
    }
  }
  return domain.find("..") == std::string_view::npos;
}

// Text of a stored scalar for comparisons ("" for null).
std::string ScalarText(const Json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

SfError Error(std::string code, std::string message, std::vector<std::string> fields = {}) {
  return SfError{std::move(code), std::move(message), std::move(fields)};
}

std::string Id15(const std::string& id) { return id.substr(0, 15); }

// =============================================================================================
// Validation rules: compiled once per schema.
// =============================================================================================

struct CompiledRule {
  const engine::ValidationRule* rule = nullptr;
  std::shared_ptr<const engine::CompiledCondition> condition;
};

struct SchemaRules {
  std::shared_ptr<const engine::Schema> schema;
  std::unique_ptr<engine::Environment> env;
  std::vector<std::vector<CompiledRule>> by_object;  // by object index
  std::vector<std::string> problems;
};

bool IsAggregateName(std::string_view name) {
  return name == "ANY" || name == "ALL" || name == "COUNT" || name == "SUM" || name == "MIN" ||
         name == "MAX";
}

// Puts the object's name in front of paths written with bare field names.
void PrefixPaths(grammar::Node& node, const Object& object) {
  auto prefix = [&](grammar::Node& path) {
    if (path.path.empty() || engine::EqualsIgnoreCase(path.path[0].name, object.name)) return;
    grammar::PathSegment seg;
    seg.name = object.name;
    seg.span = grammar::SourceSpan{path.path[0].span.begin, path.path[0].span.begin};
    path.path.insert(path.path.begin(), std::move(seg));
  };
  // Explicit stack: trees may be tall.
  std::vector<grammar::Node*> stack{&node};
  while (!stack.empty()) {
    grammar::Node* n = stack.back();
    stack.pop_back();
    if (n->kind == grammar::NodeKind::kPath) {
      prefix(*n);
      continue;
    }
    if (n->kind == grammar::NodeKind::kCall && IsAggregateName(n->text) && !n->children.empty() &&
        n->children[0].kind == grammar::NodeKind::kPath) {
      grammar::Node& rel = n->children[0];
      prefix(rel);
      if (rel.path.size() == 2 && object.FindChildRelationship(rel.path[1].name) != nullptr) {
        continue;  // an aggregate: its other arguments name fields of the children
      }
      for (size_t i = 1; i < n->children.size(); ++i) stack.push_back(&n->children[i]);
      continue;
    }
    for (grammar::Node& child : n->children) stack.push_back(&child);
  }
}

std::string DescribeDiagnostic(std::string_view text, const grammar::Diagnostic& d) {
  const grammar::LineColumn lc = grammar::LocateOffset(text, d.span.begin);
  std::string out = "<condition>:" + std::to_string(lc.line) + ":" + std::to_string(lc.column) +
                    ": error: " + d.message;
  if (!d.hint.empty()) out += " (" + d.hint + ")";
  return out;
}

std::shared_ptr<SchemaRules> CompileRules(const std::shared_ptr<const engine::Schema>& schema) {
  auto rules = std::make_shared<SchemaRules>();
  rules->schema = schema;
  rules->env = std::make_unique<engine::Environment>(schema);
  rules->env->AddAllObjectsAsRoots();
  rules->by_object.resize(static_cast<size_t>(schema->size()));
  for (int i = 0; i < schema->size(); ++i) {
    const Object& object = schema->object(i);
    for (const engine::ValidationRule& rule : object.validation_rules) {
      if (!rule.active) continue;
      const std::string where = object.name + "." + rule.name + ": ";
      grammar::ParseResult parsed = grammar::ParseCondition(rule.error_condition_formula);
      if (!parsed.ok()) {
        rules->problems.push_back(
            where + (parsed.diagnostics.empty()
                         ? std::string("cannot be parsed")
                         : DescribeDiagnostic(rule.error_condition_formula, parsed.diagnostics[0])));
        continue;
      }
      PrefixPaths(*parsed.expression, object);
      engine::CompileResult compiled = engine::CompileExpression(*parsed.expression, *rules->env);
      if (!compiled.ok()) {
        std::string message = "cannot be compiled";
        for (const grammar::Diagnostic& d : compiled.diagnostics) {
          if (d.severity == grammar::Severity::kError) {
            message = DescribeDiagnostic(rule.error_condition_formula, d);
            break;
          }
        }
        rules->problems.push_back(where + message);
        continue;
      }
      rules->by_object[static_cast<size_t>(i)].push_back(
          CompiledRule{&rule, std::move(compiled.condition)});
    }
  }
  return rules;
}

std::shared_ptr<SchemaRules> RulesFor(const std::shared_ptr<const engine::Schema>& schema) {
  static std::mutex mu;
  // Keyed by the schema's address; each entry keeps its schema alive, so an address is never
  // reused while cached. Orgs share one schema per seed, so this stays small.
  static std::map<const engine::Schema*, std::shared_ptr<SchemaRules>> cache;
  std::lock_guard<std::mutex> lock(mu);
  auto it = cache.find(schema.get());
  if (it != cache.end()) return it->second;
  auto rules = CompileRules(schema);
  cache.emplace(schema.get(), rules);
  return rules;
}

// Lookups and child records for rules, read from the org (the caller holds its lock).
class OrgRecordSource : public engine::RecordSource {
 public:
  OrgRecordSource(const Org& org, const engine::Environment& env) : org_(org), env_(env) {}

  const engine::Record* Find(int object_index, const engine::SfId& id) const override {
    const std::string id18 = id.To18();
    auto key = std::make_pair(object_index, id18);
    auto it = found_.find(key);
    if (it != found_.end()) return it->second;
    const engine::Record* result = nullptr;
    const Object& object = org_.schema().object(object_index);
    if (const StoredRecord* stored = org_.FindLocked(object, id18)) {
      if (!stored->deleted) result = Convert(object_index, stored->fields);
    }
    found_.emplace(key, result);
    return result;
  }

  engine::RecordSpan Children(int child_object_index, int child_field_index,
                              const engine::SfId& parent_id) const override {
    const Object& child = org_.schema().object(child_object_index);
    const std::string& field = child.fields[static_cast<size_t>(child_field_index)].name;
    std::vector<const engine::Record*>& out = spans_.emplace_back();
    org_.ScanLocked(child, [&](const StoredRecord& r) {
      if (r.deleted) return true;
      auto it = r.fields.find(field);
      if (it == r.fields.end() || !it->is_string()) return true;
      auto id = engine::SfId::Parse(it->get<std::string>());
      if (id && *id == parent_id) {
        if (const engine::Record* rec = Convert(child_object_index, r.fields)) out.push_back(rec);
      }
      return true;
    });
    return engine::RecordSpan{out.data(), out.size()};
  }

  const engine::Record* Convert(int object_index, const Json& fields) const {
    auto converted = sf::RecordFromJson(fields, env_.layout(object_index), nullptr);
    if (!converted) return nullptr;
    kept_.push_back(converted->record);
    return converted->record.get();
  }

 private:
  const Org& org_;
  const engine::Environment& env_;
  mutable std::map<std::pair<int, std::string>, const engine::Record*> found_;
  mutable std::deque<std::vector<const engine::Record*>> spans_;
  mutable std::vector<engine::RecordPtr> kept_;
};

// =============================================================================================
// The checks.
// =============================================================================================

class Validator {
 public:
  Validator(const Org& org, const WriteRequest& request) : org_(org), req_(request),
      object_(*request.object), create_(request.kind == WriteKind::kCreate) {}

  WriteCheck Run() {
    if (create_ ? !object_.createable : !object_.updateable) {
      out_.errors.push_back(
          Error("INSUFFICIENT_ACCESS_OR_READONLY", "insufficient access rights on object id"));
      return std::move(out_);
    }
    if (!ReadBody()) return std::move(out_);
    if (!CheckAccess()) return std::move(out_);
    BuildMerged();
    SystemValidation();
    if (!out_.errors.empty()) return std::move(out_);
    Derive();
    RunValidationRules();
    if (!out_.errors.empty()) return std::move(out_);
    CheckDuplicates();
    if (!out_.errors.empty()) return std::move(out_);
    Finish();
    return std::move(out_);
  }

 private:
  struct ForeignKey {
    const Field* lookup = nullptr;
    std::string key;
    const OrderedJson* value = nullptr;
  };

  JsonPosition PositionOf(const std::string& key) const {
    if (req_.origin.text.empty()) return JsonPosition{};
    std::vector<std::string> path = req_.origin.path;
    path.push_back(key);
    return LocateJsonValue(req_.origin.text, path).value_or(JsonPosition{});
  }

  // Stage 1: every key names a visible field (or a lookup's relationship), every value fits.
  bool ReadBody() {
    for (auto it = req_.body->begin(); it != req_.body->end(); ++it) {
      const std::string& key = it.key();
      if (key == "attributes") continue;
      const Field* f = object_.FindField(key);
      if (f != nullptr && org_.IsHidden(object_.name, f->name)) f = nullptr;
      if (f == nullptr) {
        const Field* lookup = object_.FindLookupByRelationship(key);
        if (lookup != nullptr && it.value().is_object() &&
            !org_.IsHidden(object_.name, lookup->name)) {
          foreign_keys_.push_back(ForeignKey{lookup, key, &it.value()});
          continue;
        }
        out_.errors.push_back(Error("INVALID_FIELD", "No such column '" + key +
                                                         "' on sobject of type " + object_.name));
        return false;
      }
      FieldValue fv;
      fv.key = key;
      if (!ReadFieldValue(*f, it.value(), &fv)) {
        auto [token, text] = TokenOf(it.value());
        const JsonPosition p = PositionOf(key);
        out_.errors.push_back(Error(
            "JSON_PARSER_ERROR",
            std::string("Cannot deserialize instance of ") + SoapTypeName(f->type) + " from " +
                token + " value " + text + " or request may be missing a required field at [line:" +
                std::to_string(p.line) + ", column:" + std::to_string(p.column) + "]"));
        return false;
      }
      // A repeated field (any letter case): the last value wins.
      auto same = std::find_if(values_.begin(), values_.end(),
                               [&](const FieldValue& v) { return v.field == f; });
      if (same != values_.end()) {
        *same = std::move(fv);
      } else {
        values_.push_back(std::move(fv));
      }
    }
    return true;
  }

  // Stage 2: write access to each field sent.
  bool CheckAccess() {
    std::vector<std::string> denied;
    auto check = [&](const Field& f) {
      if (create_ ? !f.createable : !f.updateable) {
        if (std::find(denied.begin(), denied.end(), f.name) == denied.end()) {
          denied.push_back(f.name);
        }
      }
    };
    for (const FieldValue& v : values_) check(*v.field);
    for (const ForeignKey& fk : foreign_keys_) check(*fk.lookup);
    if (denied.empty()) return true;
    std::string names;
    for (const std::string& n : denied) {
      if (!names.empty()) names += ", ";
      names += n;
    }
    out_.errors.push_back(Error("INVALID_FIELD_FOR_INSERT_UPDATE",
                                "Unable to create/update fields: " + names +
                                    ". Please check the security settings of this field and "
                                    "verify that it is read/write for your profile or permission "
                                    "set.",
                                denied));
    return false;
  }

  // The record as it will be: the existing one (update) with the values sent, plus defaults
  // (create).
  void BuildMerged() {
    if (!create_ && req_.existing != nullptr) merged_ = req_.existing->fields;
    if (!merged_.is_object()) merged_ = Json::object();
    for (const FieldValue& v : values_) merged_[v.field->name] = v.value;
    if (!create_) return;
    for (const Field& f : object_.fields) {
      if (!f.createable) continue;
      bool sent = std::any_of(values_.begin(), values_.end(),
                              [&](const FieldValue& v) { return v.field == &f; });
      if (sent) continue;
      if (f.type == FieldType::kBoolean) {
        merged_[f.name] = false;
        defaults_[f.name] = false;
      } else if (f.type == FieldType::kPicklist || f.type == FieldType::kMultiPicklist) {
        for (const engine::PicklistValue& pv : f.picklist_values) {
          if (pv.default_value && pv.active) {
            merged_[f.name] = pv.value;
            defaults_[f.name] = pv.value;
            break;
          }
        }
      }
    }
  }

  const Json* MergedValue(const std::string& name) const {
    auto it = merged_.find(name);
    if (it == merged_.end() || it->is_null()) return nullptr;
    return &*it;
  }

  // Stage 3.
  void SystemValidation() {
    // Required fields: one error listing them all, in describe order.
    std::vector<std::string> missing;
    for (const Field& f : object_.fields) {
      if (f.nillable || f.type == FieldType::kBoolean) continue;
      if (create_) {
        if (!f.createable || f.defaulted_on_create) continue;
        bool set_by_fk = std::any_of(foreign_keys_.begin(), foreign_keys_.end(),
                                     [&](const ForeignKey& fk) { return fk.lookup == &f; });
        if (MergedValue(f.name) == nullptr && !set_by_fk) missing.push_back(f.name);
      } else {
        for (const FieldValue& v : values_) {
          if (v.field == &f && v.value.is_null()) missing.push_back(f.name);
        }
      }
    }
    if (!missing.empty()) {
      std::string names;
      for (const std::string& n : missing) {
        if (!names.empty()) names += ", ";
        names += n;
      }
      out_.errors.push_back(
          Error("REQUIRED_FIELD_MISSING", "Required fields are missing: [" + names + "]", missing));
    }
    for (FieldValue& v : values_) CheckValue(v);
    for (const ForeignKey& fk : foreign_keys_) ResolveForeignKey(fk);
    // Dependent picklists whose controller changed but which were not sent keep their value;
    // Salesforce checks them too.
    for (const Field& f : object_.fields) {
      if (!f.dependent_picklist) continue;
      bool sent = std::any_of(values_.begin(), values_.end(),
                              [&](const FieldValue& v) { return v.field == &f; });
      if (sent) continue;
      bool controller_sent = std::any_of(values_.begin(), values_.end(), [&](const FieldValue& v) {
        return engine::EqualsIgnoreCase(v.field->name, f.controller_name);
      });
      if (!controller_sent && !(create_ && defaults_.contains(f.name))) continue;
      if (const Json* value = MergedValue(f.name); value != nullptr && value->is_string()) {
        CheckDependent(f, value->get<std::string>());
      }
    }
  }

  void CheckValue(FieldValue& v) {
    const Field& f = *v.field;
    if (v.value.is_null() && !v.number) {
      if (f.type == FieldType::kBoolean) {  // a checkbox cleared is unchecked
        v.value = false;
        merged_[f.name] = false;
      }
      return;
    }
    if (IsNumberType(f.type)) {
      CheckNumber(v);
      return;
    }
    if (!v.value.is_string()) return;
    const std::string s = v.value.get<std::string>();
    if (IsTextType(f.type) && f.length > 0 && CodePoints(s) > static_cast<size_t>(f.length)) {
      out_.errors.push_back(Error("STRING_TOO_LONG",
                                  f.label + ": data value too large: " + s +
                                      " (max length=" + std::to_string(f.length) + ")",
                                  {f.name}));
      return;
    }
    if (f.type == FieldType::kEmail && !LooksLikeEmail(s)) {
      out_.errors.push_back(
          Error("INVALID_EMAIL_ADDRESS", f.label + ": invalid email address: " + s, {f.name}));
      return;
    }
    if (f.type == FieldType::kPicklist) {
      if (f.restricted_picklist && !IsActiveValue(f, s)) {
        BadPicklist(f, s);
        return;
      }
      if (f.dependent_picklist) CheckDependent(f, s);
      return;
    }
    if (f.type == FieldType::kMultiPicklist) {
      size_t start = 0;
      while (start <= s.size()) {
        size_t end = s.find(';', start);
        if (end == std::string::npos) end = s.size();
        const std::string item = s.substr(start, end - start);
        if (f.restricted_picklist && !IsActiveValue(f, item)) {
          BadPicklist(f, item);
          return;
        }
        start = end + 1;
      }
      return;
    }
    if (f.type == FieldType::kReference || f.type == FieldType::kId) {
      CheckReference(v, s);
      return;
    }
  }

  static bool IsActiveValue(const Field& f, std::string_view value) {
    const int i = f.FindPicklistValue(value);
    return i >= 0 && f.picklist_values[static_cast<size_t>(i)].active;
  }

  void BadPicklist(const Field& f, const std::string& value) {
    out_.errors.push_back(Error("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                                f.label + ": bad value for restricted picklist field: " + value,
                                {f.name}));
  }

  // A dependent value must be valid for the controlling field's value in the merged record.
  void CheckDependent(const Field& f, const std::string& value) {
    const int vi = f.FindPicklistValue(value);
    if (vi < 0) {
      if (f.restricted_picklist) BadPicklist(f, value);
      return;  // an unlisted value of an unrestricted picklist: nothing to check it against
    }
    const Field* controller = object_.FindField(f.controller_name);
    if (controller == nullptr) return;
    int index = -1;
    const Json* cv = MergedValue(controller->name);
    if (controller->type == FieldType::kBoolean) {
      index = (cv != nullptr && cv->is_boolean() && cv->get<bool>()) ? 1 : 0;
    } else if (cv != nullptr && cv->is_string()) {
      index = controller->FindPicklistValue(cv->get<std::string>());
    }
    const auto& valid = f.picklist_values[static_cast<size_t>(vi)].valid_for;
    if (index < 0 || std::find(valid.begin(), valid.end(), static_cast<uint16_t>(index)) ==
                         valid.end()) {
      BadPicklist(f, value);
    }
  }

  void CheckNumber(FieldValue& v) {
    const Field& f = *v.field;
    auto outside = [&] {
      out_.errors.push_back(Error("NUMBER_OUTSIDE_VALID_RANGE",
                                  f.label + ": value outside of valid range on numeric field: " +
                                      v.number_text,
                                  {f.name}));
    };
    if (!v.number) {
      outside();
      return;
    }
    const bool integral = f.type == FieldType::kInt || f.type == FieldType::kLong;
    const int scale = integral ? 0 : std::clamp(f.scale, 0, engine::Decimal::kScaleDigits);
    std::optional<engine::Decimal> rounded = v.number->Round(scale);
    if (!rounded) {
      outside();
      return;
    }
    // Digits before the point: at most precision - scale (int: its digits, or 32 bits).
    const std::optional<int64_t> whole = rounded->Abs().ToInt64();
    int max_digits = 0;
    if (integral) {
      max_digits = f.digits > 0 ? f.digits : (f.type == FieldType::kInt ? 10 : 19);
    } else if (f.precision > 0) {
      max_digits = f.precision - f.scale;
    }
    bool ok = whole.has_value();
    if (ok && max_digits > 0 && max_digits < 19) {
      int64_t limit = 1;
      for (int i = 0; i < max_digits; ++i) limit *= 10;
      ok = *whole < limit;
    }
    if (ok && f.type == FieldType::kInt) ok = *whole <= 2147483647;
    if (!ok) {
      outside();
      return;
    }
    const std::optional<int64_t> as_int = rounded->ToInt64();
    if (as_int && engine::Decimal::FromInt(*as_int) == *rounded) {
      v.value = *as_int;
    } else {
      v.value = rounded->ToDouble();
    }
    merged_[f.name] = v.value;
  }

  // An Id in a lookup: well formed, of an object the lookup may point to, naming a live record.
  void CheckReference(FieldValue& v, const std::string& s) {
    const Field& f = *v.field;
    std::optional<engine::SfId> id = engine::SfId::Parse(s);
    if (!id) {
      out_.errors.push_back(
          Error("MALFORMED_ID", f.label + ": id value of incorrect type: " + s, {f.name}));
      return;
    }
    const std::string id18 = id->To18();
    auto allowed = [&](const std::string& name) {
      return std::any_of(f.reference_to.begin(), f.reference_to.end(),
                         [&](const std::string& r) { return engine::EqualsIgnoreCase(r, name); });
    };
    const Object* target = org_.ObjectOfId(id18);
    bool ok = false;
    if (target != nullptr) {
      if (!allowed(target->name)) {
        ok = false;
      } else {
        const StoredRecord* record = org_.FindLocked(*target, id18);
        if (record == nullptr && engine::EqualsIgnoreCase(target->name, "User") &&
            org_.FindUserById(id18) != nullptr) {
          ok = true;
        } else if (record == nullptr) {
          out_.errors.push_back(
              Error("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id", {f.name}));
          return;
        } else if (record->deleted) {
          out_.errors.push_back(Error("ENTITY_IS_DELETED", "entity is deleted", {f.name}));
          return;
        } else {
          ok = true;
        }
      }
    } else if (org_.FindUserById(id18) != nullptr) {
      ok = allowed("User");
    } else {
      // Objects the emulated org does not model (Group, RecordType...): trust a well-formed Id.
      ok = std::any_of(f.reference_to.begin(), f.reference_to.end(),
                       [&](const std::string& r) { return org_.schema().Find(r) == nullptr; });
    }
    if (!ok) {
      out_.errors.push_back(Error("FIELD_INTEGRITY_EXCEPTION",
                                  f.label + ": id value of incorrect type: " + s, {f.name}));
      return;
    }
    v.value = id18;
    merged_[f.name] = id18;
  }

  // {"Account": {"Ext__c": "A-1"}}: the lookup gets the Id of the record with that external Id.
  void ResolveForeignKey(const ForeignKey& fk) {
    const Field& lookup = *fk.lookup;
    const OrderedJson& ref = *fk.value;
    std::string type;
    if (auto a = ref.find("attributes"); a != ref.end() && a->is_object()) {
      if (auto t = a->find("type"); t != a->end() && t->is_string()) type = t->get<std::string>();
    }
    if (type.empty() && lookup.reference_to.size() == 1) type = lookup.reference_to[0];
    const Object* target = type.empty() ? nullptr : org_.schema().Find(type);
    const OrderedJson* value = nullptr;
    std::string ext_name;
    for (auto it = ref.begin(); it != ref.end(); ++it) {
      if (it.key() == "attributes") continue;
      if (value != nullptr) {
        out_.errors.push_back(Error("INVALID_FIELD",
                                    "More than one external ID field specified for foreign key "
                                    "field " + lookup.name,
                                    {}));
        return;
      }
      ext_name = it.key();
      value = &it.value();
    }
    if (target == nullptr || value == nullptr) {
      out_.errors.push_back(Error("INVALID_FIELD", "No such column '" + fk.key +
                                                       "' on sobject of type " + object_.name));
      return;
    }
    const Field* ext = target->FindField(ext_name);
    if (ext == nullptr || org_.IsHidden(target->name, ext->name) ||
        !(ext->external_id || ext->id_lookup)) {
      out_.errors.push_back(Error("INVALID_FIELD", "Field name provided, " + ext_name +
                                                       " is not an External ID or indexed field "
                                                       "for " + target->name));
      return;
    }
    const std::string text = value->is_string() ? value->get<std::string>() : value->dump();
    std::vector<std::string> ids;
    if (ext->type == FieldType::kId) {
      if (auto id = engine::SfId::Parse(text)) {
        const StoredRecord* r = org_.FindLocked(*target, id->To18());
        if (r != nullptr && !r->deleted) ids.push_back(id->To18());
      }
    } else {
      ids = org_.FindByFieldLocked(*target, ext->name, Json(text), ext->case_sensitive);
    }
    if (ids.empty()) {
      out_.errors.push_back(Error("INVALID_FIELD", "Foreign key external ID: " + text +
                                                       " not found for field " + ext->name +
                                                       " in entity " + target->name));
      return;
    }
    if (ids.size() > 1) {
      std::string list;
      for (const std::string& id : ids) {
        if (!list.empty()) list += ", ";
        list += Id15(id);
      }
      out_.errors.push_back(Error("DUPLICATE_EXTERNAL_ID",
                                  ext->label + ": more than one record found for external id "
                                               "field: [" + list + "]",
                                  {lookup.name}));
      return;
    }
    resolved_fk_.emplace_back(&lookup, ids[0]);
    merged_[lookup.name] = ids[0];
  }

  // Between stages 3 and 4: the fields Salesforce derives (derived.h), so that validation rules
  // see them and the record stores them.
  void Derive() {
    std::vector<std::string> sent;
    for (const FieldValue& v : values_) sent.push_back(v.field->name);
    for (const auto& [lookup, id] : resolved_fk_) sent.push_back(lookup->name);
    engine::Millis now = org_.Now();
    now -= ((now % 1000) + 1000) % 1000;  // Salesforce keeps whole seconds
    const Json* before = (!create_ && req_.existing != nullptr) ? &req_.existing->fields : nullptr;
    derived_ = DeriveFields(object_, before, merged_, sent, now);
    for (auto& [name, value] : derived_.items()) merged_[name] = value;
  }

  // Stage 4.
  void RunValidationRules() {
    std::shared_ptr<SchemaRules> rules = RulesFor(org_.schema_ptr());
    const int object_index = org_.schema().IndexOf(object_.name);
    if (object_index < 0) return;
    const auto& compiled = rules->by_object[static_cast<size_t>(object_index)];
    if (compiled.empty()) return;
    const int root = rules->env->FindRoot(object_.name);
    if (root < 0) return;
    auto converted = sf::RecordFromJson(merged_, rules->env->layout(object_index), nullptr);
    if (!converted) return;
    std::vector<const engine::Record*> roots(rules->env->roots().size(), nullptr);
    roots[static_cast<size_t>(root)] = converted->record.get();
    OrgRecordSource source(org_, *rules->env);
    thread_local engine::EvalScratch scratch;
    engine::EvalContext ctx;
    ctx.roots = roots.data();
    ctx.root_count = roots.size();
    ctx.source = &source;
    ctx.now = org_.Now();
    ctx.today = static_cast<engine::Days>(
        ctx.now >= 0 ? ctx.now / 86400000 : -((-ctx.now + 86399999) / 86400000));
    ctx.scratch = &scratch;
    for (const CompiledRule& r : compiled) {
      if (r.condition->Evaluate(ctx) != engine::Tri::kTrue) continue;
      std::vector<std::string> fields;
      if (!r.rule->error_display_field.empty()) {
        const Field* f = object_.FindField(r.rule->error_display_field);
        fields.push_back(f ? f->name : r.rule->error_display_field);
      }
      out_.errors.push_back(
          Error("FIELD_CUSTOM_VALIDATION_EXCEPTION", r.rule->error_message, std::move(fields)));
    }
  }

  // Stage 5: unique fields (external Ids included when unique).
  void CheckDuplicates() {
    const std::string self = (!create_ && req_.existing != nullptr)
                                 ? ScalarText(req_.existing->fields.value("Id", Json()))
                                 : std::string();
    for (const FieldValue& v : values_) {
      const Field& f = *v.field;
      if (!f.unique || v.value.is_null()) continue;
      std::vector<std::string> ids =
          org_.FindByFieldLocked(object_, f.name, v.value, f.case_sensitive);
      for (const std::string& id : ids) {
        if (!self.empty() && id == self) continue;
        out_.errors.push_back(Error("DUPLICATE_VALUE", "duplicate value found: " + f.name +
                                                           " duplicates value on record with id: " +
                                                           Id15(id)));
        break;
      }
    }
  }

  void Finish() {
    Json fields = Json::object();
    if (create_) {
      for (auto& [name, value] : defaults_.items()) fields[name] = value;
    }
    for (const FieldValue& v : values_) {
      if (create_ && v.value.is_null()) continue;
      fields[v.field->name] = v.value;
    }
    for (const auto& [lookup, id] : resolved_fk_) fields[lookup->name] = id;
    for (auto& [name, value] : derived_.items()) {
      if (create_ && value.is_null()) continue;
      fields[name] = value;
    }
    out_.fields = std::move(fields);
  }

  const Org& org_;
  const WriteRequest& req_;
  const Object& object_;
  const bool create_;
  std::vector<FieldValue> values_;
  std::vector<ForeignKey> foreign_keys_;
  std::vector<std::pair<const Field*, std::string>> resolved_fk_;
  Json merged_ = Json::object();
  Json defaults_ = Json::object();
  Json derived_ = Json::object();
  WriteCheck out_;
};

}  // namespace

std::optional<nlohmann::ordered_json> ParseRequestJson(std::string_view text, SfError* error) {
  JsonReader reader(text);
  OrderedJson out;
  if (reader.Parse(&out)) return out;
  if (error != nullptr) *error = Error("JSON_PARSER_ERROR", reader.error());
  return std::nullopt;
}

std::optional<JsonPosition> LocateJsonValue(std::string_view text,
                                            const std::vector<std::string>& path) {
  JsonReader reader(text);
  JsonPosition where;
  if (!reader.Locate(path, &where)) return std::nullopt;
  return where;
}

WriteCheck ValidateWriteLocked(const Org& org, const WriteRequest& request) {
  return Validator(org, request).Run();
}

std::vector<std::string> CheckValidationRules(const std::shared_ptr<const engine::Schema>& schema) {
  if (!schema) return {};
  return RulesFor(schema)->problems;
}

}  // namespace cf::sfemu
