// SOQL: lexer, parser, binder, executor, record renderer. See soql.h.
#include "tools/sfemu/soql.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "connectors/salesforce/record_json.h"

namespace cf::sfemu {
namespace {

using engine::FieldType;

// ---------------------------------------------------------------------------------------------
// Messages.

constexpr const char kNoSuchColumnTail[] =
    "'. If you are attempting to use a custom field, be sure to append the '__c' after the "
    "custom field name. Please reference your WSDL or the describe call for the appropriate "
    "names.";
constexpr const char kNotSupportedTail[] =
    "' is not supported. If you are attempting to use a custom object, be sure to append the "
    "'__c' after the entity name. Please reference your WSDL or the describe call for the "
    "appropriate names.";
constexpr const char kRelationshipTail[] =
    "If you are attempting to use a custom relationship, be sure to append the '__r' after the "
    "custom relationship name. Please reference your WSDL or the describe call for the "
    "appropriate names.";

// Child-to-parent hops allowed in one field path (SOQL reference, relationship query limits).
constexpr size_t kMaxParentLevels = 5;

bool IsBreak(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ','; }

}  // namespace

std::string SoqlErrorMessage(std::string_view query, size_t pos, std::string_view text) {
  pos = std::min(pos, query.size());
  // Row and column (1-based) of pos; the excerpt is taken from its line.
  size_t line_start = 0;
  int row = 1;
  for (size_t i = 0; i < pos; ++i) {
    if (query[i] == '\n') {
      ++row;
      line_start = i + 1;
    }
  }
  size_t line_end = query.find('\n', pos);
  if (line_end == std::string_view::npos) line_end = query.size();
  if (line_end > line_start && query[line_end - 1] == '\r') --line_end;
  // Salesforce shows about 30 characters before the error and 33 after, widened to whole
  // words (the live messages quoted in docs/emulator-seed.md agree with this rule).
  size_t start = pos >= line_start + 30 ? pos - 30 : line_start;
  while (start > line_start && !IsBreak(query[start - 1])) --start;
  size_t end = std::min(line_end, pos + 33);
  while (end < line_end && !IsBreak(query[end])) ++end;
  std::string out = "\n";
  out.append(query.substr(start, end - start));
  out += "\n";
  out.append(pos - start, ' ');
  out += "^\nERROR at Row:" + std::to_string(row) +
         ":Column:" + std::to_string(pos - line_start + 1) + "\n";
  out.append(text);
  return out;
}

std::string SoqlPath::Text() const {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += '.';
    out += parts[i];
  }
  return out;
}

namespace {

// ---------------------------------------------------------------------------------------------
// Lexer.

enum class Tok : uint8_t {
  kIdent, kString, kNumber, kDate, kDateTime, kComma, kLParen, kRParen, kOp, kColon, kMinus,
  kEnd, kBad,
};

struct Token {
  Tok kind = Tok::kEnd;
  std::string_view text;
  size_t pos = 0;
  std::string value;  // kString: unescaped
  engine::Days date = 0;
  engine::Millis millis = 0;
  std::string bad;  // kBad: the message
};

bool IsIdentStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9') || c == '.'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  std::vector<Token> Run() {
    std::vector<Token> out;
    for (;;) {
      Token t = Next();
      const bool stop = t.kind == Tok::kEnd || t.kind == Tok::kBad;
      out.push_back(std::move(t));
      if (stop) break;
    }
    return out;
  }

 private:
  Token Next() {
    while (i_ < text_.size() && (text_[i_] == ' ' || text_[i_] == '\t' || text_[i_] == '\n' ||
                                 text_[i_] == '\r')) {
      ++i_;
    }
    Token t;
    t.pos = i_;
    if (i_ >= text_.size()) {
      t.kind = Tok::kEnd;
      t.text = "<EOF>";
      return t;
    }
    const char c = text_[i_];
    const size_t start = i_;
    auto finish = [&](Tok kind) {
      t.kind = kind;
      t.text = text_.substr(start, i_ - start);
      return t;
    };
    if (IsIdentStart(c)) {
      while (i_ < text_.size() && IsIdentChar(text_[i_])) ++i_;
      return finish(Tok::kIdent);
    }
    if (IsDigit(c)) {
      // A date or datetime: YYYY-MM-DD[Thh:mm:ss[.sss](Z|+hh:mm|+hhmm)].
      if (i_ + 10 <= text_.size() && text_[i_ + 4] == '-' && text_[i_ + 7] == '-' &&
          IsDigit(text_[i_ + 1]) && IsDigit(text_[i_ + 2]) && IsDigit(text_[i_ + 3])) {
        size_t j = i_ + 10;
        if (j < text_.size() && (text_[j] == 'T' || text_[j] == 't')) {
          while (j < text_.size() && (IsDigit(text_[j]) || text_[j] == 'T' || text_[j] == 't' ||
                                      text_[j] == ':' || text_[j] == '.' || text_[j] == '+' ||
                                      text_[j] == '-' || text_[j] == 'Z' || text_[j] == 'z')) {
            ++j;
          }
          std::string s(text_.substr(i_, j - i_));
          for (char& ch : s) {
            if (ch == 't') ch = 'T';
            if (ch == 'z') ch = 'Z';
          }
          i_ = j;
          auto ms = engine::ParseIsoDateTime(s);
          if (!ms) {
            t.bad = "line 1:" + std::to_string(start) + " no viable alternative at character '" +
                    std::string(1, text_[start]) + "'";
            return finish(Tok::kBad);
          }
          t.millis = *ms;
          return finish(Tok::kDateTime);
        }
        auto d = engine::ParseIsoDate(text_.substr(i_, 10));
        i_ += 10;
        if (!d) {
          t.bad = "invalid date";
          return finish(Tok::kBad);
        }
        t.date = *d;
        return finish(Tok::kDate);
      }
      while (i_ < text_.size() && IsDigit(text_[i_])) ++i_;
      if (i_ < text_.size() && text_[i_] == '.') {
        ++i_;
        while (i_ < text_.size() && IsDigit(text_[i_])) ++i_;
      }
      if (i_ < text_.size() && (text_[i_] == 'e' || text_[i_] == 'E')) {
        size_t j = i_ + 1;
        if (j < text_.size() && (text_[j] == '+' || text_[j] == '-')) ++j;
        if (j < text_.size() && IsDigit(text_[j])) {
          i_ = j;
          while (i_ < text_.size() && IsDigit(text_[i_])) ++i_;
        }
      }
      return finish(Tok::kNumber);
    }
    if (c == '\'') {
      ++i_;
      std::string value;
      while (i_ < text_.size() && text_[i_] != '\'') {
        char ch = text_[i_++];
        if (ch == '\\') {
          if (i_ >= text_.size()) break;
          const char e = text_[i_++];
          switch (e) {
            case 'n': value += '\n'; break;
            case 'r': value += '\r'; break;
            case 't': value += '\t'; break;
            case 'b': value += '\b'; break;
            case 'f': value += '\f'; break;
            case '\'': case '"': case '\\': value += e; break;
            // LIKE wildcards stay escaped for the LIKE matcher.
            case '%': case '_': value += '\\'; value += e; break;
            case 'u': {
              if (i_ + 4 > text_.size()) {
                t.bad = "Invalid string literal";
                return finish(Tok::kBad);
              }
              unsigned cp = 0;
              for (int k = 0; k < 4; ++k) {
                const char h = text_[i_++];
                cp <<= 4;
                if (h >= '0' && h <= '9') cp |= static_cast<unsigned>(h - '0');
                else if (h >= 'a' && h <= 'f') cp |= static_cast<unsigned>(h - 'a' + 10);
                else if (h >= 'A' && h <= 'F') cp |= static_cast<unsigned>(h - 'A' + 10);
                else {
                  t.bad = "Invalid string literal";
                  return finish(Tok::kBad);
                }
              }
              if (cp < 0x80) {
                value += static_cast<char>(cp);
              } else if (cp < 0x800) {
                value += static_cast<char>(0xC0 | (cp >> 6));
                value += static_cast<char>(0x80 | (cp & 0x3F));
              } else {
                value += static_cast<char>(0xE0 | (cp >> 12));
                value += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
                value += static_cast<char>(0x80 | (cp & 0x3F));
              }
              break;
            }
            default:
              t.bad = "Invalid string literal '" + std::string(text_.substr(start, i_ - start)) +
                      "'. Illegal character sequence '\\" + std::string(1, e) +
                      "' in string literal.";
              i_ = text_.size();
              return finish(Tok::kBad);
          }
        } else {
          value += ch;
        }
      }
      if (i_ >= text_.size()) {
        t.bad = "unexpected token: '<EOF>'";
        i_ = text_.size();
        return finish(Tok::kBad);
      }
      ++i_;  // closing quote
      t.value = std::move(value);
      return finish(Tok::kString);
    }
    ++i_;
    switch (c) {
      case ',': return finish(Tok::kComma);
      case '(': return finish(Tok::kLParen);
      case ')': return finish(Tok::kRParen);
      case ':': return finish(Tok::kColon);
      case '-': return finish(Tok::kMinus);
      case '=': return finish(Tok::kOp);
      case '!':
        if (i_ < text_.size() && text_[i_] == '=') {
          ++i_;
          return finish(Tok::kOp);
        }
        break;
      case '<':
        if (i_ < text_.size() && (text_[i_] == '=' || text_[i_] == '>')) ++i_;
        return finish(Tok::kOp);
      case '>':
        if (i_ < text_.size() && text_[i_] == '=') ++i_;
        return finish(Tok::kOp);
      default:
        break;
    }
    t.bad = "unexpected token: '" + std::string(text_.substr(start, i_ - start)) + "'";
    return finish(Tok::kBad);
  }

  std::string_view text_;
  size_t i_ = 0;
};

// ---------------------------------------------------------------------------------------------
// Parser.

bool Is(const Token& t, std::string_view keyword) {
  return t.kind == Tok::kIdent && engine::EqualsIgnoreCase(t.text, keyword);
}

// Words that end a field list or a condition; never field names in this subset.
bool IsReserved(const Token& t) {
  static constexpr std::string_view kWords[] = {
      "SELECT", "FROM", "WHERE", "AND", "OR", "NOT", "IN", "LIKE", "INCLUDES", "EXCLUDES",
      "ORDER", "BY", "ASC", "DESC", "NULLS", "LIMIT", "OFFSET", "GROUP", "HAVING", "WITH",
      "FOR", "USING", "TYPEOF", "NULL", "TRUE", "FALSE"};
  if (t.kind != Tok::kIdent) return false;
  for (std::string_view w : kWords) {
    if (engine::EqualsIgnoreCase(t.text, w)) return true;
  }
  return false;
}

class Parser {
 public:
  Parser(std::string_view text, std::vector<Token> tokens)
      : text_(text), tokens_(std::move(tokens)) {}

  std::optional<SoqlSelect> ParseTop(SoqlError* error) {
    error_ = error;
    if (!Is(Peek(), "SELECT")) {
      // The live capture: a query that does not start with SELECT gets no position.
      const Token& t = Peek();
      if (t.kind == Tok::kBad) return Fail(t.pos, t.bad);
      error_->status = 400;
      error_->error_code = "MALFORMED_QUERY";
      error_->message = "unexpected token: '" + std::string(t.text) + "'";
      return std::nullopt;
    }
    auto select = ParseSelect(false);
    if (!select) return std::nullopt;
    if (Peek().kind != Tok::kEnd) return Unexpected();
    return select;
  }

 private:
  const Token& Peek(size_t ahead = 0) const {
    return tokens_[std::min(i_ + ahead, tokens_.size() - 1)];
  }
  const Token& Take() {
    const Token& t = Peek();
    if (i_ < tokens_.size() - 1) ++i_;
    return t;
  }
  std::nullopt_t Fail(size_t pos, const std::string& text, const char* code = "MALFORMED_QUERY") {
    if (error_->error_code.empty()) {
      error_->status = 400;
      error_->error_code = code;
      error_->message = SoqlErrorMessage(text_, pos, text);
    }
    return std::nullopt;
  }
  std::nullopt_t Unexpected() {
    const Token& t = Peek();
    if (t.kind == Tok::kBad) return Fail(t.pos, t.bad);
    return Fail(t.pos, "unexpected token: '" + std::string(t.text) + "'");
  }
  bool Expect(std::string_view keyword) {
    if (!Is(Peek(), keyword)) {
      Unexpected();
      return false;
    }
    Take();
    return true;
  }

  std::optional<SoqlPath> ParsePath() {
    const Token& t = Peek();
    if (t.kind != Tok::kIdent || IsReserved(t)) return Unexpected();
    SoqlPath path;
    path.pos = t.pos;
    std::string_view rest = t.text;
    for (;;) {
      const size_t dot = rest.find('.');
      std::string_view part = rest.substr(0, dot);
      if (part.empty()) return Unexpected();
      path.parts.emplace_back(part);
      if (dot == std::string_view::npos) break;
      rest = rest.substr(dot + 1);
    }
    Take();
    return path;
  }

  std::optional<SoqlSelect> ParseSelect(bool nested) {
    if (!Expect("SELECT")) return std::nullopt;
    SoqlSelect select;
    for (;;) {
      const Token& t = Peek();
      SoqlItem item;
      item.pos = t.pos;
      if (t.kind == Tok::kLParen && !nested && Is(Peek(1), "SELECT")) {
        Take();
        auto inner = ParseSelect(true);
        if (!inner) return std::nullopt;
        if (Peek().kind != Tok::kRParen) return Unexpected();
        Take();
        item.kind = SoqlItem::Kind::kSubquery;
        item.subquery = std::make_shared<SoqlSelect>(std::move(*inner));
      } else if (Is(t, "COUNT") && Peek(1).kind == Tok::kLParen) {
        Take();
        Take();
        item.kind = SoqlItem::Kind::kCount;
        if (Peek().kind != Tok::kRParen) {
          auto path = ParsePath();
          if (!path) return std::nullopt;
          item.field = std::move(*path);
        }
        if (Peek().kind != Tok::kRParen) return Unexpected();
        Take();
        if (!item.field.parts.empty() && Peek().kind == Tok::kIdent && !IsReserved(Peek())) {
          item.alias = std::string(Take().text);
        }
      } else {
        auto path = ParsePath();
        if (!path) return std::nullopt;
        item.field = std::move(*path);
      }
      select.items.push_back(std::move(item));
      if (Peek().kind != Tok::kComma) break;
      Take();
    }
    if (!Expect("FROM")) return std::nullopt;
    const Token& from = Peek();
    if (from.kind != Tok::kIdent || IsReserved(from)) return Unexpected();
    select.from = std::string(from.text);
    select.from_pos = from.pos;
    Take();
    if (Is(Peek(), "WHERE")) {
      Take();
      auto where = ParseCondition();
      if (!where) return std::nullopt;
      select.where = std::move(*where);
    }
    if (Is(Peek(), "GROUP") && !nested) {
      Take();
      if (!Expect("BY")) return std::nullopt;
      for (;;) {
        auto path = ParsePath();
        if (!path) return std::nullopt;
        select.group_by.push_back(std::move(*path));
        if (Peek().kind != Tok::kComma) break;
        Take();
      }
    }
    if (Is(Peek(), "ORDER")) {
      Take();
      if (!Expect("BY")) return std::nullopt;
      for (;;) {
        auto path = ParsePath();
        if (!path) return std::nullopt;
        SoqlOrder order;
        order.field = std::move(*path);
        if (Is(Peek(), "ASC")) {
          Take();
        } else if (Is(Peek(), "DESC")) {
          Take();
          order.descending = true;
        }
        order.nulls_last = order.descending;
        if (Is(Peek(), "NULLS")) {
          Take();
          if (Is(Peek(), "FIRST")) {
            order.nulls_last = false;
          } else if (Is(Peek(), "LAST")) {
            order.nulls_last = true;
          } else {
            return Unexpected();
          }
          Take();
        }
        select.order_by.push_back(std::move(order));
        if (Peek().kind != Tok::kComma) break;
        Take();
      }
    }
    if (Is(Peek(), "LIMIT")) {
      Take();
      auto n = ParseCount();
      if (!n) return std::nullopt;
      select.limit = *n;
    }
    if (Is(Peek(), "OFFSET")) {
      Take();
      const size_t pos = Peek().pos;
      auto n = ParseCount();
      if (!n) return std::nullopt;
      if (*n > 2000) {
        return Fail(pos, "Maximum SOQL offset allowed is 2000", "NUMBER_OUTSIDE_VALID_RANGE");
      }
      select.offset = *n;
    }
    return select;
  }

  std::optional<int64_t> ParseCount() {
    const Token& t = Peek();
    if (t.kind != Tok::kNumber || t.text.find_first_not_of("0123456789") != std::string_view::npos) {
      return Unexpected();
    }
    int64_t n = 0;
    auto [p, ec] = std::from_chars(t.text.data(), t.text.data() + t.text.size(), n);
    if (ec != std::errc()) return Unexpected();
    Take();
    return n;
  }

  // cond := unary (AND unary)* | unary (OR unary)*; mixing needs parentheses.
  std::optional<SoqlCondition> ParseCondition() {
    const size_t pos = Peek().pos;
    auto first = ParseUnary();
    if (!first) return std::nullopt;
    if (!Is(Peek(), "AND") && !Is(Peek(), "OR")) return first;
    const bool is_and = Is(Peek(), "AND");
    SoqlCondition group;
    group.kind = is_and ? SoqlCondition::Kind::kAnd : SoqlCondition::Kind::kOr;
    group.pos = pos;
    group.children.push_back(std::move(*first));
    while (Is(Peek(), "AND") || Is(Peek(), "OR")) {
      if (Is(Peek(), "AND") != is_and) return Unexpected();
      Take();
      auto next = ParseUnary();
      if (!next) return std::nullopt;
      group.children.push_back(std::move(*next));
    }
    return group;
  }

  std::optional<SoqlCondition> ParseUnary() {
    const Token& t = Peek();
    if (Is(t, "NOT")) {
      SoqlCondition c;
      c.kind = SoqlCondition::Kind::kNot;
      c.pos = t.pos;
      Take();
      auto inner = ParseUnary();
      if (!inner) return std::nullopt;
      c.children.push_back(std::move(*inner));
      return c;
    }
    if (t.kind == Tok::kLParen) {
      Take();
      auto inner = ParseCondition();
      if (!inner) return std::nullopt;
      if (Peek().kind != Tok::kRParen) return Unexpected();
      Take();
      return inner;
    }
    return ParseComparison();
  }

  std::optional<SoqlCondition> ParseComparison() {
    SoqlCondition c;
    c.kind = SoqlCondition::Kind::kCompare;
    c.pos = Peek().pos;
    auto path = ParsePath();
    if (!path) return std::nullopt;
    c.field = std::move(*path);
    const Token& op = Peek();
    if (op.kind == Tok::kOp) {
      if (op.text == "=") c.op = SoqlOp::kEq;
      else if (op.text == "!=" || op.text == "<>") c.op = SoqlOp::kNe;
      else if (op.text == "<") c.op = SoqlOp::kLt;
      else if (op.text == "<=") c.op = SoqlOp::kLe;
      else if (op.text == ">") c.op = SoqlOp::kGt;
      else c.op = SoqlOp::kGe;
      Take();
      auto v = ParseValue();
      if (!v) return std::nullopt;
      c.values.push_back(std::move(*v));
      return c;
    }
    if (Is(op, "LIKE")) {
      Take();
      c.op = SoqlOp::kLike;
      auto v = ParseValue();
      if (!v) return std::nullopt;
      c.values.push_back(std::move(*v));
      return c;
    }
    bool negated = false;
    if (Is(op, "NOT") && Is(Peek(1), "IN")) {
      Take();
      negated = true;
    }
    if (Is(Peek(), "IN") || Is(Peek(), "INCLUDES") || Is(Peek(), "EXCLUDES")) {
      if (Is(Peek(), "IN")) {
        c.op = negated ? SoqlOp::kNotIn : SoqlOp::kIn;
      } else {
        if (negated) return Unexpected();
        c.op = Is(Peek(), "INCLUDES") ? SoqlOp::kIncludes : SoqlOp::kExcludes;
      }
      Take();
      if (Peek().kind != Tok::kLParen) return Unexpected();
      Take();
      if (Is(Peek(), "SELECT")) {
        // Semi-joins are not in this subset.
        return Unexpected();
      }
      for (;;) {
        auto v = ParseValue();
        if (!v) return std::nullopt;
        c.values.push_back(std::move(*v));
        if (Peek().kind == Tok::kComma) {
          Take();
          continue;
        }
        if (Peek().kind != Tok::kRParen) return Unexpected();
        Take();
        break;
      }
      return c;
    }
    return Unexpected();
  }

  std::optional<SoqlLiteral> ParseValue() {
    const Token& t = Peek();
    SoqlLiteral v;
    v.pos = t.pos;
    switch (t.kind) {
      case Tok::kString:
        v.kind = SoqlLiteral::Kind::kString;
        v.text = t.value;
        Take();
        return v;
      case Tok::kMinus:
      case Tok::kNumber: {
        std::string digits;
        if (t.kind == Tok::kMinus) {
          Take();
          if (Peek().kind != Tok::kNumber) return Unexpected();
          digits = "-";
        }
        digits += std::string(Peek().text);
        v.kind = SoqlLiteral::Kind::kNumber;
        v.text = digits;
        v.number = std::strtod(digits.c_str(), nullptr);
        Take();
        return v;
      }
      case Tok::kDate:
        v.kind = SoqlLiteral::Kind::kDate;
        v.date = t.date;
        Take();
        return v;
      case Tok::kDateTime:
        v.kind = SoqlLiteral::Kind::kDateTime;
        v.millis = t.millis;
        Take();
        return v;
      case Tok::kColon:
        return Fail(t.pos, "Bind variables only allowed in Apex code");
      case Tok::kIdent: {
        if (Is(t, "NULL")) {
          v.kind = SoqlLiteral::Kind::kNull;
          Take();
          return v;
        }
        if (Is(t, "TRUE") || Is(t, "FALSE")) {
          v.kind = SoqlLiteral::Kind::kBool;
          v.boolean = Is(t, "TRUE");
          Take();
          return v;
        }
        bool takes_n = false;
        auto literal = engine::FindDateLiteral(t.text, &takes_n);
        if (!literal) return Unexpected();
        v.kind = SoqlLiteral::Kind::kDateLiteral;
        v.date_literal = *literal;
        v.text = std::string(t.text);
        Take();
        if (takes_n) {
          if (Peek().kind != Tok::kColon) return Unexpected();
          Take();
          const Token& n = Peek();
          int64_t value = -1;
          if (n.kind == Tok::kNumber) {
            std::from_chars(n.text.data(), n.text.data() + n.text.size(), value);
          }
          if (n.kind != Tok::kNumber || value < 0 || value > 100000) return Unexpected();
          v.n = static_cast<int32_t>(value);
          Take();
        } else if (Peek().kind == Tok::kColon) {
          return Unexpected();
        }
        return v;
      }
      default:
        return Unexpected();
    }
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t i_ = 0;
  SoqlError* error_ = nullptr;
};

}  // namespace

std::optional<SoqlSelect> ParseSoql(std::string_view text, SoqlError* error) {
  SoqlError ignored;
  if (error == nullptr) error = &ignored;
  *error = SoqlError();
  Parser parser(text, Lexer(text).Run());
  return parser.ParseTop(error);
}

// ---------------------------------------------------------------------------------------------
// Binding.

namespace {

// A field reached from the query's object through zero or more lookups.
struct BoundPath {
  struct Hop {
    int lookup_index;                  // the lookup field in the previous object
    const engine::Object* target;      // the object it points at (first one in the schema)
  };
  std::vector<Hop> hops;
  const engine::Object* object = nullptr;  // where the final field lives (static type)
  const engine::Field* field = nullptr;
  int field_index = -1;
  std::string field_name;  // spelled as the schema does
};

struct BoundCompare {
  BoundPath path;
  SoqlOp op = SoqlOp::kEq;
  std::vector<SoqlLiteral> values;
  // Precomputed forms of the values.
  std::vector<std::optional<engine::SfId>> ids;
  std::vector<std::string> lower;  // lower-cased text
};

struct BoundCondition {
  SoqlCondition::Kind kind = SoqlCondition::Kind::kCompare;
  std::vector<BoundCondition> children;
  BoundCompare compare;
};

struct BoundOrder {
  BoundPath path;
  bool descending = false;
  bool nulls_last = false;
};

struct BoundSelect;

// The output tree of one object: fields, nested parents, subqueries, in SELECT order.
struct RenderNode {
  struct Entry {
    enum class Kind : uint8_t { kField, kParent, kChildren } kind = Kind::kField;
    int field_index = -1;  // kField: in the node's object; kParent: the lookup field
    std::string name;      // output key
    FieldType type = FieldType::kString;
    std::unique_ptr<RenderNode> parent;    // kParent
    std::shared_ptr<BoundSelect> children;  // kChildren
  };
  const engine::Object* object = nullptr;
  std::vector<Entry> entries;
};

// One column of an aggregate result: a grouped field or a COUNT.
struct BoundAggregate {
  bool is_count = false;
  bool count_rows = false;  // COUNT() or COUNT(Id): every row; else the non-null values of path
  BoundPath path;           // the grouped or counted field
  std::string name;         // output key: the field's name, the alias or exprN
};

struct BoundSelect {
  const engine::Object* object = nullptr;
  bool count = false;
  // The aggregate form: its columns in SELECT order, the GROUP BY paths, and LIMIT/OFFSET over
  // groups (limit and offset below stay empty so that every row is grouped).
  bool aggregate = false;
  std::vector<BoundAggregate> columns;
  std::vector<BoundPath> group_by;
  std::optional<int64_t> group_limit;
  std::optional<int64_t> group_offset;
  std::optional<BoundCondition> where;
  std::vector<BoundOrder> order_by;
  std::optional<int64_t> limit;
  std::optional<int64_t> offset;
  RenderNode render;
  std::vector<std::string> selected_lower;  // top-level field names selected, lower-case
  // For a child subquery: the children's field that points at the parent.
  int back_field = -1;
  std::string relationship_name;
};

}  // namespace

class SoqlQuery {
 public:
  BoundSelect select;
};

namespace {

class Binder {
 public:
  Binder(const engine::Schema& schema, std::string_view text, const std::set<std::string>* hidden,
         SoqlError* error)
      : schema_(schema), text_(text), hidden_(hidden), error_(error) {}

  bool Hidden(const engine::Object& o, const engine::Field& f) const {
    return hidden_ != nullptr && !hidden_->empty() &&
           hidden_->count(engine::ToLowerAscii(o.name) + "." + engine::ToLowerAscii(f.name)) != 0;
  }

  bool Fail(size_t pos, const std::string& code, const std::string& text) {
    error_->status = 400;
    error_->error_code = code;
    error_->message = SoqlErrorMessage(text_, pos, text);
    return false;
  }

  const engine::Field* Visible(const engine::Object& o, std::string_view name) const {
    const engine::Field* f = o.FindField(name);
    return f != nullptr && !Hidden(o, *f) ? f : nullptr;
  }

  // The lookup of `o` named by relationship `name` (custom: "Account__r"); nullptr if none.
  const engine::Field* Relationship(const engine::Object& o, std::string_view name) const {
    const engine::Field* f = o.FindLookupByRelationship(name);
    if (f == nullptr || Hidden(o, *f)) return nullptr;
    return f;
  }

  const engine::Object* TargetOf(const engine::Field& lookup) const {
    for (const std::string& t : lookup.reference_to) {
      if (const engine::Object* o = schema_.Find(t)) return o;
    }
    return nullptr;
  }

  bool BindPath(const engine::Object& from, const SoqlPath& path, BoundPath* out) {
    const engine::Object* current = &from;
    size_t first = 0;
    // "Account.Name" in a query FROM Account: the object's own name as a qualifier.
    if (path.parts.size() > 1 && engine::EqualsIgnoreCase(path.parts[0], from.name) &&
        Relationship(from, path.parts[0]) == nullptr) {
      first = 1;
    }
    size_t pos = path.pos;
    for (size_t i = 0; i < first; ++i) pos += path.parts[i].size() + 1;
    // "No more than five levels can be specified in a child-to-parent relationship. For
    // example, Contact.Account.Owner.FirstName (three levels)" (SOQL reference).
    if (path.parts.size() - first - 1 > kMaxParentLevels) {
      return Fail(path.pos, "MALFORMED_QUERY",
                  "SOQL statements cannot query foreign key relationships more than 5 levels "
                  "away from the root entity object.");
    }
    for (size_t i = first; i + 1 < path.parts.size(); ++i) {
      const engine::Field* lookup = Relationship(*current, path.parts[i]);
      const engine::Object* target = lookup ? TargetOf(*lookup) : nullptr;
      if (target == nullptr) {
        return Fail(path.pos, "INVALID_FIELD",
                    "Didn't understand relationship '" + path.parts[i] +
                        "' in field path. " + kRelationshipTail);
      }
      out->hops.push_back({current->FieldIndex(lookup->name), target});
      current = target;
      pos += path.parts[i].size() + 1;
    }
    const std::string& last = path.parts.back();
    const engine::Field* f = Visible(*current, last);
    if (f == nullptr) {
      return Fail(path.pos, "INVALID_FIELD",
                  "No such column '" + last + "' on entity '" + current->name +
                      kNoSuchColumnTail);
    }
    out->object = current;
    out->field = f;
    out->field_index = current->FieldIndex(f->name);
    out->field_name = f->name;
    return true;
  }

  static bool IsText(FieldType t) {
    switch (t) {
      case FieldType::kString: case FieldType::kTextArea: case FieldType::kEmail:
      case FieldType::kPhone: case FieldType::kUrl: case FieldType::kEncryptedString:
      case FieldType::kPicklist: case FieldType::kMultiPicklist: case FieldType::kCombobox:
        return true;
      default:
        return false;
    }
  }
  static bool IsNumber(FieldType t) {
    switch (t) {
      case FieldType::kInt: case FieldType::kLong: case FieldType::kDouble:
      case FieldType::kCurrency: case FieldType::kPercent:
        return true;
      default:
        return false;
    }
  }

  // Errors about a value point at the comparison's field, as Salesforce's do.
  bool CheckValue(const BoundPath& path, size_t field_pos, SoqlOp op, const SoqlLiteral& v) {
    using K = SoqlLiteral::Kind;
    const FieldType type = path.field->type;
    const std::string& name = path.field_name;
    auto type_error = [&](const char* type_name, bool quoted) {
      return Fail(field_pos, "INVALID_FIELD",
                  "value of filter criterion for field '" + name + "' must be of type " +
                      type_name + (quoted ? " and should be enclosed in quotes"
                                          : " and should not be enclosed in quotes"));
    };
    if (v.kind == K::kNull) return true;
    if (op == SoqlOp::kLike) {
      if (!IsText(type) || type == FieldType::kMultiPicklist) {
        return Fail(field_pos, "INVALID_FIELD",
                    "invalid operator on " + std::string(engine::FieldTypeName(type)) +
                        " field: " + name);
      }
      if (v.kind != K::kString) return type_error("string", true);
      return true;
    }
    if (op == SoqlOp::kIncludes || op == SoqlOp::kExcludes) {
      if (type != FieldType::kMultiPicklist) {
        return Fail(field_pos, "INVALID_FIELD",
                    "includes or excludes operator only valid on multipicklist field");
      }
      if (v.kind != K::kString) return type_error("string", true);
      return true;
    }
    switch (type) {
      case FieldType::kId:
      case FieldType::kReference:
        if (v.kind != K::kString) return type_error("reference", true);
        if (!engine::SfId::Parse(v.text)) {
          return Fail(field_pos, "INVALID_QUERY_FILTER_OPERATOR", "invalid ID field: " + v.text);
        }
        return true;
      case FieldType::kBoolean:
        if (v.kind != K::kBool) return type_error("boolean", false);
        return true;
      case FieldType::kDate:
        if (v.kind != K::kDate && v.kind != K::kDateLiteral) return type_error("date", false);
        return true;
      case FieldType::kDateTime:
        if (v.kind != K::kDateTime && v.kind != K::kDateLiteral) {
          return type_error("dateTime", false);
        }
        return true;
      case FieldType::kTime:
        if (v.kind != K::kString) return type_error("time", true);
        return true;
      default:
        break;
    }
    if (IsNumber(type)) {
      if (v.kind != K::kNumber) {
        return type_error(type == FieldType::kInt ? "integer"
                                                  : (type == FieldType::kLong ? "long" : "double"),
                          false);
      }
      return true;
    }
    if (IsText(type)) {
      if (v.kind != K::kString) return type_error("string", true);
      return true;
    }
    return Fail(field_pos, "INVALID_FIELD",
                "field '" + name + "' can not be filtered in a query call");
  }

  bool BindCondition(const engine::Object& from, const SoqlCondition& c, BoundCondition* out) {
    out->kind = c.kind;
    if (c.kind != SoqlCondition::Kind::kCompare) {
      for (const SoqlCondition& child : c.children) {
        out->children.emplace_back();
        if (!BindCondition(from, child, &out->children.back())) return false;
      }
      return true;
    }
    BoundCompare& b = out->compare;
    if (!BindPath(from, c.field, &b.path)) return false;
    b.op = c.op;
    const FieldType type = b.path.field->type;
    for (const SoqlLiteral& v : c.values) {
      if (!CheckValue(b.path, c.field.pos, c.op, v)) return false;
      if (v.kind == SoqlLiteral::Kind::kNull &&
          !(c.op == SoqlOp::kEq || c.op == SoqlOp::kNe || c.op == SoqlOp::kIn ||
            c.op == SoqlOp::kNotIn)) {
        return Fail(v.pos, "MALFORMED_QUERY", "unexpected token: 'null'");
      }
      b.values.push_back(v);
      b.ids.push_back((type == FieldType::kId || type == FieldType::kReference) &&
                              v.kind == SoqlLiteral::Kind::kString
                          ? engine::SfId::Parse(v.text)
                          : std::nullopt);
      b.lower.push_back(engine::ToLowerAscii(v.text));
    }
    if ((c.op == SoqlOp::kLt || c.op == SoqlOp::kLe || c.op == SoqlOp::kGt ||
         c.op == SoqlOp::kGe) &&
        (type == FieldType::kBoolean || type == FieldType::kMultiPicklist)) {
      return Fail(c.field.pos, "INVALID_QUERY_FILTER_OPERATOR",
                  "invalid operator on " + std::string(engine::FieldTypeName(type)) +
                      " field: " + b.path.field_name);
    }
    return true;
  }

  // Adds `path` to the render tree under `node`, creating parent nodes in SELECT order.
  void AddToRender(RenderNode* node, const BoundPath& path) {
    for (const BoundPath::Hop& hop : path.hops) {
      RenderNode::Entry* found = nullptr;
      for (RenderNode::Entry& e : node->entries) {
        if (e.kind == RenderNode::Entry::Kind::kParent && e.field_index == hop.lookup_index) {
          found = &e;
        }
      }
      if (found == nullptr) {
        RenderNode::Entry e;
        e.kind = RenderNode::Entry::Kind::kParent;
        e.field_index = hop.lookup_index;
        e.name = node->object->fields[hop.lookup_index].relationship_name;
        e.parent = std::make_unique<RenderNode>();
        e.parent->object = hop.target;
        node->entries.push_back(std::move(e));
        found = &node->entries.back();
      }
      node = found->parent.get();
    }
    for (const RenderNode::Entry& e : node->entries) {
      if (e.kind == RenderNode::Entry::Kind::kField && e.field_index == path.field_index) return;
    }
    RenderNode::Entry e;
    e.kind = RenderNode::Entry::Kind::kField;
    e.field_index = path.field_index;
    e.name = path.field_name;
    e.type = path.field->type;
    node->entries.push_back(std::move(e));
  }

  // The aggregate form: GROUP BY, or COUNT(field) anywhere in the list.
  bool BindAggregate(const SoqlSelect& s, const engine::Object& object, BoundSelect* out) {
    out->aggregate = true;
    out->group_limit = s.limit;
    out->group_offset = s.offset;
    std::vector<std::string> grouped;  // lower-case paths
    for (const SoqlPath& g : s.group_by) {
      BoundPath path;
      if (!BindPath(object, g, &path)) return false;
      out->group_by.push_back(std::move(path));
      grouped.push_back(engine::ToLowerAscii(g.Text()));
    }
    auto is_grouped = [&](const SoqlPath& p) {
      return std::find(grouped.begin(), grouped.end(), engine::ToLowerAscii(p.Text())) !=
             grouped.end();
    };
    int unnamed = 0;
    for (const SoqlItem& item : s.items) {
      BoundAggregate column;
      switch (item.kind) {
        case SoqlItem::Kind::kSubquery:
          return Fail(item.pos, "MALFORMED_QUERY",
                      "Nested queries are not supported in aggregate queries");
        case SoqlItem::Kind::kCount:
          if (item.field.parts.empty()) {
            return Fail(item.pos, "MALFORMED_QUERY", "unexpected token: 'COUNT'");
          }
          if (!BindPath(object, item.field, &column.path)) return false;
          column.is_count = true;
          column.count_rows = column.path.hops.empty() && column.path.field_name == "Id";
          column.name = !item.alias.empty() ? item.alias : "expr" + std::to_string(unnamed++);
          break;
        case SoqlItem::Kind::kField:
          if (!is_grouped(item.field)) {
            return Fail(item.pos, "MALFORMED_QUERY",
                        "Field must be grouped or aggregated: " + item.field.parts.back());
          }
          if (!BindPath(object, item.field, &column.path)) return false;
          column.name = column.path.field_name;
          break;
      }
      out->columns.push_back(std::move(column));
    }
    if (s.where) {
      out->where.emplace();
      if (!BindCondition(object, *s.where, &*out->where)) return false;
    }
    for (const SoqlOrder& o : s.order_by) {
      if (!is_grouped(o.field)) {
        return Fail(o.field.pos, "MALFORMED_QUERY",
                    "Ordered field must be grouped or aggregated: " + o.field.parts.back());
      }
      BoundOrder b;
      if (!BindPath(object, o.field, &b.path)) return false;
      b.descending = o.descending;
      b.nulls_last = o.nulls_last;
      out->order_by.push_back(std::move(b));
    }
    return true;
  }

  bool Bind(const SoqlSelect& s, const engine::Object& object, BoundSelect* out) {
    out->object = &object;
    out->render.object = &object;
    bool aggregate = !s.group_by.empty();
    for (const SoqlItem& item : s.items) {
      aggregate = aggregate || (item.kind == SoqlItem::Kind::kCount && !item.field.parts.empty());
    }
    if (aggregate) return BindAggregate(s, object, out);
    out->limit = s.limit;
    out->offset = s.offset;
    for (const SoqlItem& item : s.items) {
      switch (item.kind) {
        case SoqlItem::Kind::kCount:
          if (s.items.size() > 1) {
            return Fail(item.pos, "MALFORMED_QUERY", "unexpected token: 'COUNT'");
          }
          out->count = true;
          break;
        case SoqlItem::Kind::kField: {
          BoundPath path;
          if (!BindPath(object, item.field, &path)) return false;
          if (path.hops.empty()) out->selected_lower.push_back(engine::ToLowerAscii(path.field_name));
          AddToRender(&out->render, path);
          break;
        }
        case SoqlItem::Kind::kSubquery: {
          const SoqlSelect& inner = *item.subquery;
          const engine::ChildRelationship* rel = object.FindChildRelationship(inner.from);
          const engine::Object* child = rel ? schema_.Find(rel->child_object) : nullptr;
          if (child == nullptr) {
            return Fail(inner.from_pos, "INVALID_TYPE",
                        "Didn't understand relationship '" + inner.from +
                            "' in FROM part of query call. " + kRelationshipTail);
          }
          auto bound = std::make_shared<BoundSelect>();
          if (!Bind(inner, *child, bound.get())) return false;
          bound->back_field = child->FieldIndex(rel->field);
          bound->relationship_name = rel->relationship_name;
          RenderNode::Entry e;
          e.kind = RenderNode::Entry::Kind::kChildren;
          e.name = rel->relationship_name;
          e.children = std::move(bound);
          out->render.entries.push_back(std::move(e));
          break;
        }
      }
    }
    if (s.where) {
      out->where.emplace();
      if (!BindCondition(object, *s.where, &*out->where)) return false;
    }
    for (const SoqlOrder& o : s.order_by) {
      BoundOrder b;
      if (!BindPath(object, o.field, &b.path)) return false;
      b.descending = o.descending;
      b.nulls_last = o.nulls_last;
      out->order_by.push_back(std::move(b));
    }
    return true;
  }

  const engine::Schema& schema_;
  std::string_view text_;
  const std::set<std::string>* hidden_;
  SoqlError* error_;
};

}  // namespace

std::shared_ptr<const SoqlQuery> CompileSoql(const engine::Schema& schema, std::string_view text,
                                             const std::set<std::string>* hidden,
                                             SoqlError* error) {
  SoqlError ignored;
  if (error == nullptr) error = &ignored;
  auto parsed = ParseSoql(text, error);
  if (!parsed) return nullptr;
  const engine::Object* object = schema.Find(parsed->from);
  if (object == nullptr || !object->queryable) {
    error->status = 400;
    error->error_code = "INVALID_TYPE";
    error->message = SoqlErrorMessage(text, parsed->from_pos,
                                      "sObject type '" + parsed->from + kNotSupportedTail);
    return nullptr;
  }
  auto query = std::make_shared<SoqlQuery>();
  Binder binder(schema, text, hidden, error);
  if (!binder.Bind(*parsed, *object, &query->select)) return nullptr;
  return query;
}

std::set<std::string> HiddenFieldSet(const Org& org) {
  std::set<std::string> out;
  for (const engine::Object& o : org.schema().objects()) {
    for (const engine::Field& f : o.fields) {
      if (org.IsHidden(o.name, f.name)) {
        out.insert(engine::ToLowerAscii(o.name) + "." + engine::ToLowerAscii(f.name));
      }
    }
  }
  return out;
}

const engine::Object& SoqlObject(const SoqlQuery& query) { return *query.select.object; }
bool SoqlIsCount(const SoqlQuery& query) { return query.select.count; }
bool SoqlIsAggregate(const SoqlQuery& query) { return query.select.aggregate; }
bool SoqlSelectsAny(const SoqlQuery& query, const std::vector<std::string>& fields) {
  for (const std::string& f : fields) {
    const auto& sel = query.select.selected_lower;
    if (std::find(sel.begin(), sel.end(), f) != sel.end()) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// Execution.

namespace {

// Reads bound paths of rows, following lookups through the org.
class RowReader {
 public:
  explicit RowReader(const Org& org) : org_(org) {}

  // The value of `path` for `row`; null when a lookup on the way is empty or dangling.
  // *object gets the object the final field was read from (for polymorphic lookups).
  FieldValue Read(const RecordView& row, const BoundPath& path) const {
    if (path.hops.empty()) return row.Get(path.field_index);
    std::optional<RecordView> current = row;
    for (const BoundPath::Hop& hop : path.hops) {
      current = Resolve(current->Get(hop.lookup_index), hop.target);
      if (!current) return FieldValue();
    }
    if (&current->object() == path.object) return current->Get(path.field_index);
    return current->Get(current->object().FieldIndex(path.field_name));
  }

  // The record a lookup value points at: an Id, or (Tooling's EntityDefinitionId) the
  // DurableId of a record of `hint`.
  std::optional<RecordView> Resolve(const FieldValue& value, const engine::Object* hint) const {
    if (value.kind == FieldValue::Kind::kId) return Parent(value.id, hint);
    if (value.kind == FieldValue::Kind::kString && hint != nullptr &&
        hint->FindField("DurableId") != nullptr) {
      const std::vector<std::string> ids =
          org_.FindByFieldLocked(*hint, "DurableId", std::string(value.text), true);
      if (!ids.empty()) return org_.FindRowLocked(*hint, ids.front());
    }
    return std::nullopt;
  }

  // The record an Id points at (its object found by key prefix; `hint` when that fails).
  std::optional<RecordView> Parent(const engine::SfId& id, const engine::Object* hint) const {
    const std::string text(id.chars, 15);
    const engine::Object* object = org_.ObjectOfId(text);
    if (object == nullptr) object = hint;
    if (object == nullptr) return std::nullopt;
    return org_.FindRowLocked(*object, text);
  }

 private:
  const Org& org_;
};

int CompareText(std::string_view a, std::string_view b, bool case_sensitive) {
  const size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(a[i]);
    unsigned char y = static_cast<unsigned char>(b[i]);
    if (!case_sensitive) {
      if (x >= 'A' && x <= 'Z') x = static_cast<unsigned char>(x + 32);
      if (y >= 'A' && y <= 'Z') y = static_cast<unsigned char>(y + 32);
    }
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

double NumberOf(const FieldValue& v) {
  if (v.kind == FieldValue::Kind::kInt) return static_cast<double>(v.i);
  if (v.kind == FieldValue::Kind::kDouble) return v.d;
  if (v.kind == FieldValue::Kind::kString) return std::strtod(std::string(v.text).c_str(), nullptr);
  return 0;
}

// Text of a value for text comparisons (Ids and dates as their wire text).
std::string_view TextOf(const FieldValue& v, std::string* scratch) {
  if (v.kind == FieldValue::Kind::kString || v.kind == FieldValue::Kind::kJson) return v.text;
  *scratch = v.Text();
  return *scratch;
}

// LIKE: % any run, _ one character, \% \_ literal; ASCII case ignored.
bool LikeMatch(std::string_view text, std::string_view pattern) {
  size_t t = 0, p = 0, star_p = std::string_view::npos, star_t = 0;
  auto lower = [](char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  };
  while (t < text.size()) {
    if (p < pattern.size()) {
      char pc = pattern[p];
      if (pc == '%') {
        star_p = ++p;
        star_t = t;
        continue;
      }
      bool literal = false;
      if (pc == '\\' && p + 1 < pattern.size()) {
        pc = pattern[p + 1];
        literal = true;
      }
      if ((!literal && pc == '_') || lower(pc) == lower(text[t])) {
        p += literal ? 2 : 1;
        ++t;
        continue;
      }
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size() && pattern[p] == '%') ++p;
  return p == pattern.size();
}

std::vector<std::string> SplitSemicolons(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    std::string part = engine::ToLowerAscii(s.substr(start, end - start));
    while (!part.empty() && part.front() == ' ') part.erase(part.begin());
    while (!part.empty() && part.back() == ' ') part.pop_back();
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  std::sort(out.begin(), out.end());
  return out;
}

class Evaluator {
 public:
  Evaluator(const Org& org, const SoqlRunOptions& options) : reader_(org), options_(options) {
    tz_ = options.time_zone ? options.time_zone : engine::TimeZone::Utc();
    today_ = tz_->LocalDay(options.now);
  }

  bool Eval(const BoundCondition& c, const RecordView& row) const {
    switch (c.kind) {
      case SoqlCondition::Kind::kAnd:
        for (const BoundCondition& child : c.children) {
          if (!Eval(child, row)) return false;
        }
        return true;
      case SoqlCondition::Kind::kOr:
        for (const BoundCondition& child : c.children) {
          if (Eval(child, row)) return true;
        }
        return false;
      case SoqlCondition::Kind::kNot:
        return !Eval(c.children.front(), row);
      case SoqlCondition::Kind::kCompare:
        return Compare(c.compare, reader_.Read(row, c.compare.path));
    }
    return false;
  }

  const RowReader& reader() const { return reader_; }

  // Orders two values of a field's type; nulls are handled by the caller.
  static int Order(const FieldValue& a, const FieldValue& b, const engine::Field& field) {
    std::string sa, sb;
    switch (a.kind) {
      case FieldValue::Kind::kBool:
        return a.b == b.b ? 0 : (a.b ? 1 : -1);
      case FieldValue::Kind::kInt:
      case FieldValue::Kind::kDouble: {
        const double x = NumberOf(a), y = NumberOf(b);
        return x < y ? -1 : (x > y ? 1 : 0);
      }
      case FieldValue::Kind::kDate:
      case FieldValue::Kind::kDateTime:
        if (b.kind == a.kind) return a.i < b.i ? -1 : (a.i > b.i ? 1 : 0);
        break;
      case FieldValue::Kind::kId:
        if (b.kind == FieldValue::Kind::kId) {
          return a.id < b.id ? -1 : (b.id < a.id ? 1 : 0);
        }
        break;
      default:
        break;
    }
    return CompareText(TextOf(a, &sa), TextOf(b, &sb), field.case_sensitive);
  }

 private:
  // The range [first, last) of instants or days a date literal denotes for the field's type.
  std::pair<int64_t, int64_t> Range(const SoqlLiteral& v, bool datetime) const {
    const engine::DayRange r = engine::DateLiteralRange(v.date_literal, v.n, today_);
    if (!datetime) return {r.first, static_cast<int64_t>(r.last) + 1};
    return {tz_->StartOfDay(r.first), tz_->StartOfDay(r.last + 1)};
  }

  // One literal against a non-null value: <0, 0, >0; for date literals, a range check.
  bool CompareOne(const BoundCompare& c, size_t k, const FieldValue& v, SoqlOp op) const {
    const SoqlLiteral& lit = c.values[k];
    const engine::Field& field = *c.path.field;
    if (lit.kind == SoqlLiteral::Kind::kDateLiteral) {
      const bool datetime = v.kind == FieldValue::Kind::kDateTime;
      if (v.kind != FieldValue::Kind::kDate && !datetime) return false;
      const auto [first, end] = Range(lit, datetime);
      const int64_t x = v.i;
      switch (op) {
        case SoqlOp::kEq: case SoqlOp::kIn: return x >= first && x < end;
        case SoqlOp::kNe: case SoqlOp::kNotIn: return !(x >= first && x < end);
        case SoqlOp::kLt: return x < first;
        case SoqlOp::kLe: return x < end;
        case SoqlOp::kGt: return x >= end;
        case SoqlOp::kGe: return x >= first;
        default: return false;
      }
    }
    int cmp = 0;
    switch (lit.kind) {
      case SoqlLiteral::Kind::kBool:
        if (v.kind != FieldValue::Kind::kBool) return false;
        cmp = v.b == lit.boolean ? 0 : (v.b ? 1 : -1);
        break;
      case SoqlLiteral::Kind::kNumber: {
        const double x = NumberOf(v);
        cmp = x < lit.number ? -1 : (x > lit.number ? 1 : 0);
        break;
      }
      case SoqlLiteral::Kind::kDate:
        if (v.kind != FieldValue::Kind::kDate) return false;
        cmp = v.i < lit.date ? -1 : (v.i > lit.date ? 1 : 0);
        break;
      case SoqlLiteral::Kind::kDateTime:
        if (v.kind != FieldValue::Kind::kDateTime) return false;
        cmp = v.i < lit.millis ? -1 : (v.i > lit.millis ? 1 : 0);
        break;
      case SoqlLiteral::Kind::kString: {
        if (c.ids[k]) {
          if (v.kind != FieldValue::Kind::kId) return false;
          // Ids compare by their 15 case-sensitive characters.
          cmp = v.id < *c.ids[k] ? -1 : (*c.ids[k] < v.id ? 1 : 0);
          break;
        }
        std::string scratch;
        const std::string_view text = TextOf(v, &scratch);
        if (field.type == FieldType::kMultiPicklist && (op == SoqlOp::kEq || op == SoqlOp::kNe ||
                                                        op == SoqlOp::kIn || op == SoqlOp::kNotIn)) {
          cmp = SplitSemicolons(text) == SplitSemicolons(lit.text) ? 0 : 1;
          break;
        }
        cmp = CompareText(text, lit.text, field.case_sensitive);
        break;
      }
      default:
        return false;
    }
    switch (op) {
      case SoqlOp::kEq: case SoqlOp::kIn: return cmp == 0;
      case SoqlOp::kNe: case SoqlOp::kNotIn: return cmp != 0;
      case SoqlOp::kLt: return cmp < 0;
      case SoqlOp::kLe: return cmp <= 0;
      case SoqlOp::kGt: return cmp > 0;
      case SoqlOp::kGe: return cmp >= 0;
      default: return false;
    }
  }

  bool Compare(const BoundCompare& c, const FieldValue& v) const {
    const bool null = v.is_null() || (v.kind == FieldValue::Kind::kString && v.text.empty());
    switch (c.op) {
      case SoqlOp::kEq:
        if (c.values[0].kind == SoqlLiteral::Kind::kNull) return null;
        return !null && CompareOne(c, 0, v, SoqlOp::kEq);
      case SoqlOp::kNe:
        if (c.values[0].kind == SoqlLiteral::Kind::kNull) return !null;
        return null || CompareOne(c, 0, v, SoqlOp::kNe);
      case SoqlOp::kLt: case SoqlOp::kLe: case SoqlOp::kGt: case SoqlOp::kGe:
        return !null && CompareOne(c, 0, v, c.op);
      case SoqlOp::kLike: {
        if (null) return false;
        std::string scratch;
        return LikeMatch(TextOf(v, &scratch), c.values[0].text);
      }
      case SoqlOp::kIn:
      case SoqlOp::kNotIn: {
        bool in = false;
        for (size_t k = 0; k < c.values.size() && !in; ++k) {
          if (c.values[k].kind == SoqlLiteral::Kind::kNull) {
            in = null;
          } else if (!null) {
            in = CompareOne(c, k, v, SoqlOp::kEq);
          }
        }
        return c.op == SoqlOp::kIn ? in : !in;
      }
      case SoqlOp::kIncludes:
      case SoqlOp::kExcludes: {
        std::vector<std::string> have;
        if (!null) {
          std::string scratch;
          have = SplitSemicolons(TextOf(v, &scratch));
        }
        bool any = false;
        for (const SoqlLiteral& lit : c.values) {
          // Each value may itself be "a;b": all of its parts must be selected.
          const std::vector<std::string> want = SplitSemicolons(lit.text);
          bool all = !want.empty();
          for (const std::string& w : want) {
            if (!std::binary_search(have.begin(), have.end(), w)) all = false;
          }
          any = any || all;
        }
        return c.op == SoqlOp::kIncludes ? any : !any;
      }
    }
    return false;
  }

  RowReader reader_;
  const SoqlRunOptions& options_;
  std::shared_ptr<const engine::TimeZone> tz_;
  engine::Days today_ = 0;
};

struct SortKeys {
  std::vector<FieldValue> values;
};

// Sorts rows (ids with their keys) by ORDER BY; stable, so ties keep Id order.
void SortRows(const std::vector<BoundOrder>& order, std::vector<engine::SfId>* ids,
              std::vector<FieldValue>* keys) {
  const size_t width = order.size();
  std::vector<uint32_t> perm(ids->size());
  for (uint32_t i = 0; i < perm.size(); ++i) perm[i] = i;
  std::stable_sort(perm.begin(), perm.end(), [&](uint32_t a, uint32_t b) {
    for (size_t k = 0; k < width; ++k) {
      const FieldValue& x = (*keys)[a * width + k];
      const FieldValue& y = (*keys)[b * width + k];
      const bool xn = x.is_null() || (x.kind == FieldValue::Kind::kString && x.text.empty());
      const bool yn = y.is_null() || (y.kind == FieldValue::Kind::kString && y.text.empty());
      int cmp = 0;
      if (xn || yn) {
        if (xn && yn) continue;
        // Nulls first or last whatever the direction.
        const bool x_first = order[k].nulls_last ? !xn : xn;
        return x_first;
      }
      cmp = Evaluator::Order(x, y, *order[k].path.field);
      if (cmp == 0) continue;
      return order[k].descending ? cmp > 0 : cmp < 0;
    }
    return false;
  });
  std::vector<engine::SfId> sorted(ids->size());
  for (size_t i = 0; i < perm.size(); ++i) sorted[i] = (*ids)[perm[i]];
  *ids = std::move(sorted);
}

// Rows of `select` among `candidates` (or all rows of its object), filtered and ordered,
// OFFSET and LIMIT applied.
std::vector<engine::SfId> Select(const Org& org, const BoundSelect& select,
                                 const SoqlRunOptions& options, const Evaluator& eval,
                                 const std::function<bool(const RecordView&)>& extra) {
  std::vector<engine::SfId> ids;
  std::vector<FieldValue> keys;
  const bool sorted = !select.order_by.empty();
  org.ScanRowsLocked(*select.object, [&](const RecordView& row) {
    if (row.deleted() && !options.include_deleted) return true;
    if (extra && !extra(row)) return true;
    if (select.where && !eval.Eval(*select.where, row)) return true;
    ids.push_back(row.id());
    if (sorted) {
      for (const BoundOrder& o : select.order_by) keys.push_back(eval.reader().Read(row, o.path));
    }
    return true;
  });
  if (sorted) SortRows(select.order_by, &ids, &keys);
  const size_t offset = static_cast<size_t>(std::max<int64_t>(0, select.offset.value_or(0)));
  if (offset >= ids.size()) {
    ids.clear();
  } else if (offset > 0) {
    ids.erase(ids.begin(), ids.begin() + static_cast<std::ptrdiff_t>(offset));
  }
  if (select.limit && ids.size() > static_cast<size_t>(std::max<int64_t>(0, *select.limit))) {
    ids.resize(static_cast<size_t>(std::max<int64_t>(0, *select.limit)));
  }
  return ids;
}

// The AggregateResult rows of `ids` (already filtered and ordered): one per distinct tuple of
// the grouped fields, in the order of first appearance, then OFFSET and LIMIT over groups.
std::vector<std::string> Aggregate(const Org& org, const BoundSelect& select,
                                   const std::vector<engine::SfId>& ids, const Evaluator& eval) {
  struct Group {
    std::vector<std::string> values;  // per column: the grouped value's JSON text
    std::vector<int64_t> counts;      // per column: the count
  };
  std::vector<Group> groups;
  std::unordered_map<std::string, size_t> by_key;
  for (const engine::SfId& id : ids) {
    auto row = org.FindRowLocked(*select.object, std::string(id.chars, 15));
    if (!row) continue;
    std::string key;
    for (const BoundPath& g : select.group_by) {
      AppendFieldJson(&key, eval.reader().Read(*row, g), g.field->type);
      key += '\x1f';
    }
    auto [it, added] = by_key.emplace(key, groups.size());
    if (added) {
      Group group;
      for (const BoundAggregate& c : select.columns) {
        std::string text;
        if (!c.is_count) AppendFieldJson(&text, eval.reader().Read(*row, c.path), c.path.field->type);
        group.values.push_back(std::move(text));
        group.counts.push_back(0);
      }
      groups.push_back(std::move(group));
    }
    Group& group = groups[it->second];
    for (size_t i = 0; i < select.columns.size(); ++i) {
      const BoundAggregate& c = select.columns[i];
      if (c.is_count && (c.count_rows || !eval.reader().Read(*row, c.path).is_null())) {
        ++group.counts[i];
      }
    }
  }
  // Without GROUP BY (SELECT COUNT(Id) FROM X) there is one row, even over no records.
  if (select.group_by.empty() && groups.empty()) {
    Group group;
    group.values.resize(select.columns.size());
    group.counts.resize(select.columns.size(), 0);
    groups.push_back(std::move(group));
  }
  const size_t offset = static_cast<size_t>(std::max<int64_t>(0, select.group_offset.value_or(0)));
  size_t end = groups.size();
  if (select.group_limit) end = std::min(end, offset + static_cast<size_t>(std::max<int64_t>(0, *select.group_limit)));
  std::vector<std::string> out;
  for (size_t g = offset; g < end; ++g) {
    std::string text = "{\"attributes\":{\"type\":\"AggregateResult\"}";
    for (size_t i = 0; i < select.columns.size(); ++i) {
      text += ",";
      AppendJsonString(&text, select.columns[i].name);
      text += ":";
      text += select.columns[i].is_count ? std::to_string(groups[g].counts[i]) : groups[g].values[i];
    }
    text += "}";
    out.push_back(std::move(text));
  }
  return out;
}

}  // namespace

SoqlRows RunSoqlLocked(const Org& org, const SoqlQuery& query, const SoqlRunOptions& options) {
  Evaluator eval(org, options);
  SoqlRows rows;
  rows.ids = Select(org, query.select, options, eval, nullptr);
  rows.total_size = static_cast<int64_t>(rows.ids.size());
  if (query.select.count) rows.ids.clear();
  if (query.select.aggregate) {
    rows.aggregates = Aggregate(org, query.select, rows.ids, eval);
    rows.ids.clear();
    rows.total_size = static_cast<int64_t>(rows.aggregates.size());
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

std::string JavaDoubleText(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  // Shortest round-trip digits, then Java's layout.
  char buffer[64];
  auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, v, std::chars_format::scientific);
  std::string sci(buffer, end);  // "d.ddde[+-]xx"
  const size_t e = sci.find('e');
  std::string mantissa = sci.substr(0, e);
  const int exponent = std::stoi(sci.substr(e + 1));
  bool negative = false;
  if (mantissa[0] == '-') {
    negative = true;
    mantissa.erase(0, 1);
  }
  std::string digits;
  for (char c : mantissa) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  std::string out = negative ? "-" : "";
  const double magnitude = std::fabs(v);
  if (magnitude >= 1e-3 && magnitude < 1e7) {
    if (exponent >= 0) {
      std::string int_part = digits.substr(0, std::min(digits.size(), static_cast<size_t>(exponent) + 1));
      while (int_part.size() < static_cast<size_t>(exponent) + 1) int_part += '0';
      std::string frac = digits.size() > static_cast<size_t>(exponent) + 1
                             ? digits.substr(static_cast<size_t>(exponent) + 1)
                             : "0";
      out += int_part + "." + frac;
    } else {
      out += "0." + std::string(static_cast<size_t>(-exponent - 1), '0') + digits;
    }
    return out;
  }
  out += digits.substr(0, 1) + "." + (digits.size() > 1 ? digits.substr(1) : "0") + "E" +
         std::to_string(exponent);
  return out;
}

void AppendJsonString(std::string* out, std::string_view text) {
  out->push_back('"');
  for (char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      default:
        if (c < 0x20) {
          char buffer[8];
          std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
          *out += buffer;
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void AppendFieldJson(std::string* out, const FieldValue& v, FieldType type) {
  const bool double_kind = type == FieldType::kDouble || type == FieldType::kCurrency ||
                           type == FieldType::kPercent;
  switch (v.kind) {
    case FieldValue::Kind::kNull:
      *out += "null";
      return;
    case FieldValue::Kind::kBool:
      *out += v.b ? "true" : "false";
      return;
    case FieldValue::Kind::kInt:
      if (double_kind) {
        *out += JavaDoubleText(static_cast<double>(v.i));
      } else {
        *out += std::to_string(v.i);
      }
      return;
    case FieldValue::Kind::kDouble:
      if (!double_kind && v.d == std::floor(v.d) && std::fabs(v.d) < 9e15) {
        *out += std::to_string(static_cast<int64_t>(v.d));
      } else {
        *out += JavaDoubleText(v.d);
      }
      return;
    case FieldValue::Kind::kJson:
      out->append(v.text);
      return;
    case FieldValue::Kind::kString:
      // Numbers kept as text (more digits than a double holds) are written as numbers.
      if (double_kind || type == FieldType::kInt || type == FieldType::kLong) {
        out->append(v.text);
        return;
      }
      AppendJsonString(out, v.text);
      return;
    default:
      AppendJsonString(out, v.Text());
      return;
  }
}

void AppendAddressJson(std::string* out, const RecordView& row, const engine::Field& field) {
  const engine::Object& object = row.object();
  const FieldValue stored = row.Get(object.FieldIndex(field.name));
  if (!stored.is_null()) {
    AppendFieldJson(out, stored, field.type);
    return;
  }
  std::string prefix = field.name;
  if (prefix.size() >= 7 && prefix.compare(prefix.size() - 7, 7, "Address") == 0) {
    prefix.resize(prefix.size() - 7);
  }
  static constexpr std::pair<const char*, const char*> kParts[] = {
      {"city", "City"}, {"country", "Country"}, {"geocodeAccuracy", "GeocodeAccuracy"},
      {"latitude", "Latitude"}, {"longitude", "Longitude"}, {"postalCode", "PostalCode"},
      {"state", "State"}, {"street", "Street"}};
  std::string body = "{";
  bool any = false;
  for (const auto& [key, suffix] : kParts) {
    const int index = object.FieldIndex(prefix + suffix);
    const FieldValue v = index >= 0 ? row.Get(index) : FieldValue();
    any = any || !v.is_null();
    if (body.size() > 1) body += ",";
    body += "\"";
    body += key;
    body += "\":";
    AppendFieldJson(&body, v, index >= 0 ? object.fields[index].type : FieldType::kString);
  }
  body += "}";
  *out += any ? body : "null";
}

namespace {

class Renderer {
 public:
  Renderer(const Org& org, const std::string& api_version, const SoqlRunOptions& options)
      : org_(org), reader_(org), version_(api_version), options_(options) {}

  void Attributes(std::string* out, const engine::Object& object, const engine::SfId& id) {
    *out += "{\"attributes\":{\"type\":";
    AppendJsonString(out, object.name);
    *out += ",\"url\":";
    AppendJsonString(out, "/services/data/" + version_ + "/sobjects/" + object.name + "/" +
                              id.To18());
    *out += "}";
  }

  void Record(std::string* out, const RenderNode& node, const RecordView& row,
              const std::map<const BoundSelect*, std::unordered_map<std::string, std::vector<engine::SfId>>>* children) {
    const engine::Object& actual = row.object();
    Attributes(out, actual, row.id());
    for (const RenderNode::Entry& e : node.entries) {
      *out += ",";
      AppendJsonString(out, e.name);
      *out += ":";
      switch (e.kind) {
        case RenderNode::Entry::Kind::kField: {
          // A polymorphic parent may be of another object than the node's.
          const int index = &actual == node.object ? e.field_index : actual.FieldIndex(e.name);
          if (e.type == FieldType::kAddress && index >= 0) {
            AppendAddressJson(out, row, actual.fields[index]);
          } else {
            AppendFieldJson(out, row.Get(index), e.type);
          }
          break;
        }
        case RenderNode::Entry::Kind::kParent: {
          const int index = &actual == node.object
                                ? e.field_index
                                : actual.FieldIndex(node.object->fields[e.field_index].name);
          std::optional<RecordView> parent = reader_.Resolve(row.Get(index), e.parent->object);
          if (!parent) {
            *out += "null";
          } else {
            Record(out, *e.parent, *parent, nullptr);
          }
          break;
        }
        case RenderNode::Entry::Kind::kChildren: {
          const std::vector<engine::SfId>* list = nullptr;
          if (children != nullptr) {
            auto by_select = children->find(e.children.get());
            if (by_select != children->end()) {
              auto it = by_select->second.find(std::string(row.id().chars, 15));
              if (it != by_select->second.end()) list = &it->second;
            }
          }
          if (list == nullptr || list->empty()) {
            *out += "null";
            break;
          }
          *out += "{\"totalSize\":" + std::to_string(list->size()) +
                  ",\"done\":true,\"records\":[";
          for (size_t i = 0; i < list->size(); ++i) {
            if (i) *out += ",";
            auto child = org_.FindRowLocked(*e.children->object, std::string((*list)[i].chars, 15));
            if (child) Record(out, e.children->render, *child, nullptr);
          }
          *out += "]}";
          break;
        }
      }
    }
    *out += "}";
  }

  // For each child subquery of `select`, the children of the given parents, in order.
  void Children(const BoundSelect& select, const std::vector<engine::SfId>& parents,
                std::map<const BoundSelect*, std::unordered_map<std::string, std::vector<engine::SfId>>>* out) {
    std::unordered_set<std::string> wanted;
    for (const engine::SfId& id : parents) wanted.insert(std::string(id.chars, 15));
    Evaluator eval(org_, options_);
    for (const RenderNode::Entry& e : select.render.entries) {
      if (e.kind != RenderNode::Entry::Kind::kChildren) continue;
      const BoundSelect& child = *e.children;
      auto& groups = (*out)[&child];
      // All children of these parents, filtered and ordered, then grouped by parent (LIMIT
      // and OFFSET apply per parent).
      BoundSelect unlimited;
      unlimited.object = child.object;
      unlimited.order_by = child.order_by;
      std::vector<engine::SfId> ids;
      {
        std::vector<FieldValue> keys;
        std::vector<std::string> parent_of;
        org_.ScanRowsLocked(*child.object, [&](const RecordView& row) {
          if (row.deleted() && !options_.include_deleted) return true;
          const FieldValue back = row.Get(child.back_field);
          if (back.kind != FieldValue::Kind::kId) return true;
          if (wanted.count(std::string(back.id.chars, 15)) == 0) return true;
          if (child.where && !eval.Eval(*child.where, row)) return true;
          ids.push_back(row.id());
          for (const BoundOrder& o : child.order_by) keys.push_back(eval.reader().Read(row, o.path));
          return true;
        });
        if (!child.order_by.empty()) SortRows(child.order_by, &ids, &keys);
      }
      for (const engine::SfId& id : ids) {
        auto row = org_.FindRowLocked(*child.object, std::string(id.chars, 15));
        const FieldValue back = row->Get(child.back_field);
        std::vector<engine::SfId>& list = groups[std::string(back.id.chars, 15)];
        list.push_back(id);
      }
      for (auto& [parent, list] : groups) {
        const size_t offset = static_cast<size_t>(std::max<int64_t>(0, child.offset.value_or(0)));
        if (offset >= list.size()) {
          list.clear();
        } else if (offset > 0) {
          list.erase(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(offset));
        }
        if (child.limit && list.size() > static_cast<size_t>(std::max<int64_t>(0, *child.limit))) {
          list.resize(static_cast<size_t>(std::max<int64_t>(0, *child.limit)));
        }
      }
    }
  }

 private:
  const Org& org_;
  RowReader reader_;
  std::string version_;
  const SoqlRunOptions& options_;
};

}  // namespace

std::string RenderRecordsLocked(const Org& org, const SoqlQuery& query,
                                const std::vector<engine::SfId>& ids, size_t begin, size_t end,
                                const std::string& api_version, const SoqlRunOptions& options) {
  std::string out;
  end = std::min(end, ids.size());
  if (begin >= end) return out;
  Renderer renderer(org, api_version, options);
  const BoundSelect& select = query.select;
  std::map<const BoundSelect*, std::unordered_map<std::string, std::vector<engine::SfId>>> children;
  bool has_children = false;
  for (const RenderNode::Entry& e : select.render.entries) {
    has_children = has_children || e.kind == RenderNode::Entry::Kind::kChildren;
  }
  if (has_children) {
    std::vector<engine::SfId> page(ids.begin() + static_cast<std::ptrdiff_t>(begin),
                                   ids.begin() + static_cast<std::ptrdiff_t>(end));
    renderer.Children(select, page, &children);
  }
  out.reserve((end - begin) * 256);
  for (size_t i = begin; i < end; ++i) {
    auto row = org.FindRowLocked(*select.object, std::string(ids[i].chars, 15));
    if (!row) continue;
    if (i > begin) out += ",";
    renderer.Record(&out, select.render, *row, &children);
  }
  return out;
}

}  // namespace cf::sfemu
