#include "grammar/internal/literals.h"

#include <algorithm>
#include <string>

namespace cf::grammar::internal {
namespace {

constexpr const char* kMonthNames[] = {"January", "February", "March",     "April",
                                       "May",     "June",     "July",      "August",
                                       "September", "October", "November", "December"};

SourceSpan Sub(SourceSpan span, size_t begin, size_t end) {
  return {span.begin + static_cast<uint32_t>(begin), span.begin + static_cast<uint32_t>(end)};
}

int Digits(std::string_view s, size_t pos, size_t count) {
  int value = 0;
  for (size_t i = pos; i < pos + count; ++i) value = value * 10 + (s[i] - '0');
  return value;
}

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

void CheckTooLong(size_t bytes, size_t max_bytes, const char* what, SourceSpan span) {
  if (bytes > max_bytes) {
    throw MakeSyntaxError(span, std::string(what) + " is too long (" + std::to_string(bytes) +
                                    " bytes; the limit is " + std::to_string(max_bytes) + ")");
  }
}

// Checks YYYY-MM-DD at the start of `lexeme`.
void CheckCalendarDate(std::string_view lexeme, SourceSpan span) {
  int year = Digits(lexeme, 0, 4);
  int month = Digits(lexeme, 5, 2);
  int day = Digits(lexeme, 8, 2);
  if (month < 1 || month > 12) {
    throw MakeSyntaxError(Sub(span, 5, 7), "invalid month '" + std::string(lexeme.substr(5, 2)) +
                                               "' in a date; months are 01 to 12");
  }
  int days = DaysInMonth(year, month);
  if (day < 1 || day > days) {
    throw MakeSyntaxError(Sub(span, 8, 10),
                          "invalid day '" + std::string(lexeme.substr(8, 2)) + "' in a date; " +
                              kMonthNames[month - 1] + " " + std::string(lexeme.substr(0, 4)) +
                              " has " + std::to_string(days) + " days");
  }
}

void CheckField(std::string_view lexeme, SourceSpan span, size_t pos, int max, const char* what,
                const char* range) {
  if (Digits(lexeme, pos, 2) > max) {
    throw MakeSyntaxError(Sub(span, pos, pos + 2), std::string("invalid ") + what + " '" +
                                                       std::string(lexeme.substr(pos, 2)) +
                                                       "'; " + range);
  }
}

// Appends the byte length of the UTF-8 sequence starting with `lead` (1 for invalid bytes).
size_t SequenceLength(char lead) {
  unsigned char c = static_cast<unsigned char>(lead);
  if (c >= 0xF0) return 4;
  if (c >= 0xE0) return 3;
  if (c >= 0xC0) return 2;
  return 1;
}

}  // namespace

Node MakeNumber(std::string_view lexeme, SourceSpan span, size_t max_bytes) {
  CheckTooLong(lexeme.size(), max_bytes, "number", span);
  Node node;
  node.kind = NodeKind::kNumber;
  node.span = span;
  node.text = std::string(lexeme);
  return node;
}

Node MakeCurrency(std::string_view lexeme, SourceSpan span, size_t max_bytes) {
  CheckTooLong(lexeme.size(), max_bytes, "currency amount", span);
  size_t comma = lexeme.find(',');
  if (comma != std::string_view::npos && comma - 1 > 3) {
    throw MakeSyntaxError(Sub(span, 1, comma),
                          "a currency amount written with ',' starts with 1 to 3 digits, "
                          "as in $1,234.50",
                          "to separate arguments, put a space after the ','");
  }
  Node node;
  node.kind = NodeKind::kNumber;
  node.currency = true;
  node.span = span;
  for (char c : lexeme.substr(1)) {
    if (c != ',') node.text += c;
  }
  return node;
}

Node MakeString(std::string_view lexeme, SourceSpan span, size_t max_bytes) {
  std::string_view body = lexeme.substr(1, lexeme.size() - 2);
  Node node;
  node.kind = NodeKind::kString;
  node.span = span;
  node.raw_text = std::string(body);
  std::string& text = node.text;
  text.reserve(body.size());
  for (size_t i = 0; i < body.size(); ++i) {
    char c = body[i];
    if (c != '\\') {
      text += c;
      continue;
    }
    // The grammar guarantees a character after every backslash.
    char next = body[++i];
    switch (next) {
      case 'n': text += '\n'; break;
      case 'r': text += '\r'; break;
      case 't': text += '\t'; break;
      case 'b': text += '\b'; break;
      case 'f': text += '\f'; break;
      case '"': case '\'': case '\\': case '%': case '_': text += next; break;
      default: {
        size_t length = std::min(SequenceLength(next), body.size() - i);
        // +1: the opening quote precedes the body.
        throw MakeSyntaxError(Sub(span, i, i + 1 + length),
                              "unknown escape sequence '\\" +
                                  std::string(body.substr(i, length)) + "' in a string",
                              "escapes are \\n \\r \\t \\b \\f \\\" \\' \\\\ and, for LIKE, "
                              "\\% \\_; write \\\\ for a backslash");
      }
    }
  }
  CheckTooLong(text.size(), max_bytes, "string", span);
  return node;
}

Node MakeDate(std::string_view lexeme, SourceSpan span) {
  CheckCalendarDate(lexeme, span);
  Node node;
  node.kind = NodeKind::kDate;
  node.span = span;
  node.text = std::string(lexeme);
  return node;
}

Node MakeDateTime(std::string_view lexeme, SourceSpan span) {
  CheckCalendarDate(lexeme, span);
  CheckField(lexeme, span, 11, 23, "hour", "hours are 00 to 23");
  CheckField(lexeme, span, 14, 59, "minute", "minutes are 00 to 59");
  CheckField(lexeme, span, 17, 59, "second", "seconds are 00 to 59");
  size_t zone = lexeme.find_first_of("Z+-", 19);
  if (lexeme[zone] != 'Z') {
    size_t minutes = lexeme[zone + 3] == ':' ? zone + 4 : zone + 3;
    int offset = Digits(lexeme, zone + 1, 2) * 60 + Digits(lexeme, minutes, 2);
    if (Digits(lexeme, minutes, 2) > 59 || offset > 14 * 60) {
      throw MakeSyntaxError(Sub(span, zone, lexeme.size()),
                            "invalid time zone offset '" + std::string(lexeme.substr(zone)) +
                                "'; offsets are -14:00 to +14:00");
    }
  }
  Node node;
  node.kind = NodeKind::kDateTime;
  node.span = span;
  node.text = std::string(lexeme);
  return node;
}

Node MakeDateLiteral(std::string_view lexeme, SourceSpan span) {
  size_t colon = lexeme.find(':');
  std::string name(lexeme.substr(0, colon));
  for (char& c : name) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  bool takes_n = false;
  for (const DateLiteralName& literal : kDateLiteralNames) {
    if (name == literal.name) takes_n = literal.takes_n;
  }
  Node node;
  node.kind = NodeKind::kDateLiteral;
  node.span = span;
  if (colon == std::string_view::npos) {
    if (takes_n) {
      throw MakeSyntaxError(span, name + " needs a number, as in " + name + ":7");
    }
  } else {
    std::string_view digits = lexeme.substr(colon + 1);
    if (!takes_n) {
      throw MakeSyntaxError(Sub(span, colon, lexeme.size()), name + " takes no ':n'",
                            "date literals with a number are named like LAST_N_DAYS:n");
    }
    if (digits.empty()) {
      throw MakeSyntaxError(Sub(span, colon + 1, colon + 1),
                            "expected a number after '" + name + ":'");
    }
    size_t first = digits.find_first_not_of('0');
    std::string_view significant = first == std::string_view::npos ? "0" : digits.substr(first);
    if (significant.size() > 6 || Digits(significant, 0, significant.size()) > kMaxDateLiteralN) {
      throw MakeSyntaxError(Sub(span, colon + 1, lexeme.size()),
                            name + ":n takes n from 0 to " + std::to_string(kMaxDateLiteralN));
    }
    node.number = Digits(significant, 0, significant.size());
  }
  node.text = std::move(name);
  return node;
}

Node MakePath(std::string_view lexeme, SourceSpan span) {
  Node node;
  node.kind = NodeKind::kPath;
  node.span = span;
  size_t begin = 0;
  while (true) {
    size_t dot = lexeme.find('.', begin);
    size_t end = dot == std::string_view::npos ? lexeme.size() : dot;
    node.path.push_back(PathSegment{std::string(lexeme.substr(begin, end - begin)),
                                    Sub(span, begin, end)});
    if (dot == std::string_view::npos) break;
    begin = dot + 1;
  }
  return node;
}

// Offset of the first byte that is not part of valid UTF-8, or npos.
size_t FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t length;
    uint32_t min;
    uint32_t code;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      length = 2, min = 0x80, code = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      length = 3, min = 0x800, code = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      length = 4, min = 0x10000, code = c & 0x07;
    } else {
      return i;
    }
    if (text.size() - i < length) return i;
    for (size_t k = 1; k < length; ++k) {
      unsigned char next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return i;
      code = (code << 6) | (next & 0x3F);
    }
    if (code < min || code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) return i;
    i += length;
  }
  return std::string_view::npos;
}

}  // namespace cf::grammar::internal
