// Internal to cf::grammar; include only from grammar/condition_parser.cc, the one translation
// unit that instantiates Boost.Spirit X3. Callers use grammar/condition_parser.h.
//
// The lexical and sequence grammar of the condition language, in X3. It is deliberately
// flat: an operand is `prefix* value` where a prefix is NOT, !, unary minus, '(' or `NAME(`;
// after an operand come closers (')', IS [NOT] NULL) and separators (binary operators, ',',
// [NOT] IN '(') each followed by another operand. Nothing in it recurses, so no input can
// exhaust the stack here. Every token's semantic action hands the token to the TreeBuilder
// (tree_builder.h), which owns precedence, parenthesis matching and the limits.
//
// Rules are named for what the user is told was expected; expectation points (`>`) make an
// error point where something was expected. Only the outermost rule (condition) has an error
// handler; it turns X3's expectation_failure into a diagnostic.
#ifndef CF_GRAMMAR_INTERNAL_CONDITION_GRAMMAR_H_
#define CF_GRAMMAR_INTERNAL_CONDITION_GRAMMAR_H_

#include <boost/spirit/home/x3.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/condition_parser.h"
#include "grammar/internal/literals.h"
#include "grammar/internal/syntax_error.h"
#include "grammar/internal/tree_builder.h"

namespace cf::grammar::internal::condition_grammar {

namespace x3 = boost::spirit::x3;
using Iterator = const char*;

// Skips what the skipper rule skips: whitespace and '#' comments to the end of the line.
inline Iterator SkipBlanks(Iterator p, Iterator end) {
  while (p != end) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f') {
      ++p;
    } else if (c == '#') {
      while (p != end && *p != '\n' && *p != '\r') ++p;
    } else {
      break;
    }
  }
  return p;
}

inline std::string UpperAscii(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
  return out;
}

// Everything a parse needs, reachable from semantic actions via x3::get<state_tag>.
struct ParseState {
  ParseState(std::string_view source, uint32_t base, const ParseLimits& parse_limits)
      : text(source), base_offset(base), limits(parse_limits), builder(parse_limits) {}

  SourceSpan Span(Iterator begin, Iterator end) const {
    return {base_offset + static_cast<uint32_t>(begin - text.data()),
            base_offset + static_cast<uint32_t>(end - text.data())};
  }

  std::string_view text;
  uint32_t base_offset;
  const ParseLimits& limits;
  TreeBuilder builder;
  std::vector<Diagnostic> diagnostics;  // set by the error handler
};
struct state_tag;

// ---- Keyword tables (upper case; matched through no_case) ----
//
// Keys are upper case because X3's case-insensitive lookup folds input towards the case of
// the stored character; with '_' and digits in the keys, upper case keeps that folding
// consistent with the order of the search tree.

struct PunctuationOps : x3::symbols<Op> {
  PunctuationOps() {
    add("=", Op::kEq)("==", Op::kEq)("!=", Op::kNe)("<>", Op::kNe)("<", Op::kLt)("<=", Op::kLe)
       (">", Op::kGt)(">=", Op::kGe)("+", Op::kAdd)("-", Op::kSub)("*", Op::kMul)
       ("/", Op::kDiv)("&", Op::kConcat)("&&", Op::kAnd)("||", Op::kOr);
  }
};
struct WordOps : x3::symbols<Op> {
  WordOps() { add("AND", Op::kAnd)("OR", Op::kOr)("LIKE", Op::kLike)("CONTAINS", Op::kContains); }
};
struct LiteralWords : x3::symbols<NodeKind> {
  LiteralWords() { add("TRUE", NodeKind::kBool)("FALSE", NodeKind::kBool)("NULL", NodeKind::kNull); }
};
struct DateLiteralWords : x3::symbols<bool> {
  DateLiteralWords() {
    for (const DateLiteralName& literal : kDateLiteralNames) add(literal.name, literal.takes_n);
  }
};
// Words that cannot start a path (a bare field name): operators, literals, date literals.
struct ReservedWords : x3::symbols<x3::unused_type> {
  ReservedWords() {
    for (const char* word : {"AND", "OR", "NOT", "IN", "LIKE", "CONTAINS", "STARTS", "ENDS",
                             "WITH", "IS", "NULL", "TRUE", "FALSE"}) {
      add(word);
    }
    for (const DateLiteralName& literal : kDateLiteralNames) add(literal.name);
  }
};
// Reserved words that cannot name a function either (CONTAINS and TODAY can).
struct NonCallWords : x3::symbols<x3::unused_type> {
  NonCallWords() {
    for (const char* word : {"AND", "OR", "NOT", "IN", "LIKE", "STARTS", "ENDS", "WITH", "IS",
                             "NULL", "TRUE", "FALSE"}) {
      add(word);
    }
  }
};

inline const PunctuationOps punctuation_ops;
inline const WordOps word_ops;
inline const LiteralWords literal_words;
inline const DateLiteralWords date_literal_words;
inline const ReservedWords reserved_words;
inline const NonCallWords non_call_words;

// ---- Semantic actions: one per token kind ----

// Wraps f(state, lexeme, span) as an action on x3::raw[...].
template <typename F>
auto OnToken(F f) {
  return [f](auto& context) {
    ParseState& state = x3::get<state_tag>(context);
    const auto& range = x3::_attr(context);
    std::string_view lexeme(range.begin(), static_cast<size_t>(range.end() - range.begin()));
    f(state, lexeme, state.Span(range.begin(), range.end()));
  };
}

inline const auto on_number = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeNumber(lexeme, span, s.limits.max_literal_bytes));
});
inline const auto on_currency = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeCurrency(lexeme, span, s.limits.max_literal_bytes));
});
inline const auto on_string = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeString(lexeme, span, s.limits.max_literal_bytes));
});
inline const auto on_date = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeDate(lexeme, span));
});
inline const auto on_datetime = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeDateTime(lexeme, span));
});
inline const auto on_date_literal = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakeDateLiteral(lexeme, span));
});
inline const auto on_path = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Atom(MakePath(lexeme, span));
});
inline const auto on_literal_word = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  Node node;
  node.span = span;
  std::string word = UpperAscii(lexeme);
  node.kind = word == "NULL" ? NodeKind::kNull : NodeKind::kBool;
  node.boolean_value = word == "TRUE";
  s.builder.Atom(std::move(node));
});
inline const auto on_not = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Prefix(Op::kNot, span, "NOT");
});
inline const auto on_bang = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Prefix(Op::kNot, span, "!");
});
inline const auto on_minus = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Prefix(Op::kNeg, span, "-");
});
inline const auto on_open = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.OpenParen(span);
});
inline const auto on_call = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  size_t length = 0;
  while (length < lexeme.size() && lexeme[length] != '(' && lexeme[length] != ' ' &&
         lexeme[length] != '\t' && lexeme[length] != '\r' && lexeme[length] != '\n' &&
         lexeme[length] != '\v' && lexeme[length] != '\f' && lexeme[length] != '#') {
    ++length;
  }
  s.builder.OpenCall(UpperAscii(lexeme.substr(0, length)), span);
});
inline const auto on_empty_close = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.CloseEmptyCall(span);
});
inline const auto on_close = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Close(span);
});
inline const auto on_comma = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Comma(span);
});
inline const auto on_punctuation_op = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  s.builder.Binary(*punctuation_ops.find(std::string(lexeme)), span, std::string(lexeme));
});
inline const auto on_word_op = OnToken([](ParseState& s, std::string_view lexeme, SourceSpan span) {
  Op op = *word_ops.find(UpperAscii(lexeme));
  s.builder.Binary(op, span, OpName(op));
});
inline const auto on_starts_with = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Binary(Op::kStartsWith, span, OpName(Op::kStartsWith));
});
inline const auto on_ends_with = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.Binary(Op::kEndsWith, span, OpName(Op::kEndsWith));
});
inline const auto on_in = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.OpenIn(false, span);
});
inline const auto on_not_in = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.OpenIn(true, span);
});
inline const auto on_is_null = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.IsNull(false, span);
});
inline const auto on_is_not_null = OnToken([](ParseState& s, std::string_view, SourceSpan span) {
  s.builder.IsNull(true, span);
});

// ---- Rules ----
//
// Names are what an error says was expected. Token-level rules (after whitespace) and
// lexeme-level rules (inside a literal) are told apart by the error handler's table.

inline constexpr char kValue[] = "a value";
inline constexpr char kOperatorOrEnd[] = "an operator or the end of the condition";
inline constexpr char kInAfterNot[] = "'IN' after 'NOT'";
inline constexpr char kParenAfterIn[] = "'(' after 'IN'";
inline constexpr char kWithAfterStarts[] = "'WITH' after 'STARTS'";
inline constexpr char kWithAfterEnds[] = "'WITH' after 'ENDS'";
inline constexpr char kNullAfterIs[] = "'NULL' or 'NOT NULL' after 'IS'";
inline constexpr char kNullAfterIsNot[] = "'NULL' after 'IS NOT'";
inline constexpr char kAmount[] = "an amount after '$', as in $1,234.50";
inline constexpr char kGroup[] = "three digits after ',' in a currency amount, as in $1,234.50";
inline constexpr char kFraction[] = "digits after the decimal point";
inline constexpr char kField[] = "a field name after '.'";
inline constexpr char kTime[] = "a time hh:mm:ss after 'T' in a datetime";
inline constexpr char kZone[] = "a time zone after the time: 'Z', '+hh:mm' or '-hh:mm'";
inline constexpr char kDoubleQuote[] = "the closing \"";
inline constexpr char kSingleQuote[] = "the closing '";

const x3::rule<class skipper_class> skipper = "whitespace";
const x3::rule<class condition_class> condition = "condition";
const x3::rule<class operand_class> operand = "operand";
const x3::rule<class value_class> value = kValue;
const x3::rule<class operator_or_end_class> operator_or_end = kOperatorOrEnd;
const x3::rule<class in_after_not_class> in_after_not = kInAfterNot;
const x3::rule<class paren_after_in_class> paren_after_in = kParenAfterIn;
const x3::rule<class with_after_starts_class> with_after_starts = kWithAfterStarts;
const x3::rule<class with_after_ends_class> with_after_ends = kWithAfterEnds;
const x3::rule<class null_after_is_class> null_after_is = kNullAfterIs;
const x3::rule<class null_after_is_not_class> null_after_is_not = kNullAfterIsNot;
const x3::rule<class amount_class> amount = kAmount;
const x3::rule<class group_class> group = kGroup;
const x3::rule<class fraction_class> fraction = kFraction;
const x3::rule<class field_class> field = kField;
const x3::rule<class clock_time_class> clock_time = kTime;
const x3::rule<class zone_class> zone = kZone;
const x3::rule<class double_quote_class> double_quote = kDoubleQuote;
const x3::rule<class single_quote_class> single_quote = kSingleQuote;

inline const auto ident_char = x3::char_("a-zA-Z0-9_");
inline const auto ident = x3::char_("a-zA-Z") >> *ident_char;
inline const auto digit = x3::char_("0-9");
inline const auto two_digits = x3::repeat(2)[digit];

// A keyword: case-insensitive and not the start of a longer identifier ("ANDroid").
template <typename Parser>
constexpr auto Keyword(const Parser& parser) {
  return x3::lexeme[x3::no_case[parser] >> !ident_char];
}
inline const auto kw_not = Keyword(x3::lit("NOT"));
inline const auto kw_in = Keyword(x3::lit("IN"));
inline const auto kw_is = Keyword(x3::lit("IS"));
inline const auto kw_null = Keyword(x3::lit("NULL"));
inline const auto kw_starts = Keyword(x3::lit("STARTS"));
inline const auto kw_ends = Keyword(x3::lit("ENDS"));
inline const auto kw_with = Keyword(x3::lit("WITH"));

inline const auto skipper_def = x3::char_(" \t\r\n\v\f") | ('#' >> *(x3::char_ - x3::eol));

// Literals. Each is one lexeme; raw[] hands its exact text to the action.
inline const auto date_part =
    x3::repeat(4)[digit] >> '-' >> two_digits >> '-' >> two_digits;
inline const auto clock_time_def = two_digits >> ':' >> two_digits >> ':' >> two_digits;
inline const auto zone_def = x3::lit('Z') | (x3::char_("+-") >> two_digits >> -x3::lit(':') >> two_digits);
inline const auto fraction_def = +digit;
inline const auto group_def = x3::repeat(3)[digit] >> !digit;
inline const auto amount_def = +digit >> *((',' >> &digit) > group) >> -('.' > fraction);
inline const auto double_quote_def = x3::lit('"');
inline const auto single_quote_def = x3::lit('\'');
inline const auto field_def = ident;

inline const auto datetime = x3::raw[x3::lexeme[(date_part >> 'T') > clock_time > -('.' > fraction) > zone]][on_datetime];
inline const auto date = x3::raw[x3::lexeme[date_part]][on_date];
inline const auto number = x3::raw[x3::lexeme[+digit >> -('.' > fraction)]][on_number];
inline const auto currency = x3::raw[x3::lexeme['$' > amount]][on_currency];
inline const auto double_quoted = x3::raw[x3::lexeme[
    ('"' >> *(('\\' >> ~x3::char_("\r\n")) | ~x3::char_("\"\\\r\n"))) > double_quote]][on_string];
inline const auto single_quoted = x3::raw[x3::lexeme[
    ('\'' >> *(('\\' >> ~x3::char_("\r\n")) | ~x3::char_("'\\\r\n"))) > single_quote]][on_string];
inline const auto literal_word = x3::raw[Keyword(literal_words)][on_literal_word];
inline const auto date_literal = x3::raw[x3::lexeme[
    x3::no_case[date_literal_words] >> !ident_char >> -(':' >> *digit)]][on_date_literal];
inline const auto path = x3::raw[x3::lexeme[
    !(x3::no_case[reserved_words] >> !ident_char) >> ident >> *('.' > field)]][on_path];

// Operand position.
inline const auto prefix = x3::raw[kw_not][on_not] | x3::raw[x3::lit('!')][on_bang] |
                           x3::raw[x3::lit('-')][on_minus];
inline const auto open_paren = x3::raw[x3::lit('(')][on_open];
inline const auto call_open = x3::raw[x3::lexeme[!(x3::no_case[non_call_words] >> !ident_char) >> ident] >> '('][on_call];
inline const auto empty_close = x3::raw[x3::lit(')')][on_empty_close];

inline const auto operand_def = *(prefix | open_paren | call_open) > value;
inline const auto value_def = currency | double_quoted | single_quoted | datetime | date | number |
                              literal_word | date_literal | path | empty_close;

// Operator position.
inline const auto in_after_not_def = kw_in;
inline const auto paren_after_in_def = x3::lit('(');
inline const auto with_after_starts_def = kw_with;
inline const auto with_after_ends_def = kw_with;
inline const auto null_after_is_def = kw_null;
inline const auto null_after_is_not_def = kw_null;

inline const auto close_paren = x3::raw[x3::lit(')')][on_close];
inline const auto is_null = x3::raw[(kw_is >> kw_not) > null_after_is_not][on_is_not_null] |
                            x3::raw[kw_is > null_after_is][on_is_null];
inline const auto binary_op = x3::raw[punctuation_ops][on_punctuation_op] |
                              x3::raw[Keyword(word_ops)][on_word_op] |
                              x3::raw[kw_starts > with_after_starts][on_starts_with] |
                              x3::raw[kw_ends > with_after_ends][on_ends_with];
inline const auto comma = x3::raw[x3::lit(',')][on_comma];
inline const auto in_open = x3::raw[kw_in > paren_after_in][on_in] |
                            x3::raw[kw_not > in_after_not > paren_after_in][on_not_in];

inline const auto condition_def =
    operand > *(close_paren | is_null | ((binary_op | comma | in_open) > operand)) > operator_or_end;
inline const auto operator_or_end_def = x3::eoi;

// An expression embedded in a larger text (a rule file): the longest expression at the
// start, ending before the first token that cannot continue it. A ',' or ')' continues it
// only inside an open '(', call or IN list, so `A = x, B = y` stops after x.
inline const auto only_nested = [](auto& context) {
  x3::_pass(context) = x3::get<state_tag>(context).builder.nested();
};
const x3::rule<class expression_prefix_class> expression_prefix = "expression";
inline const auto nested_close = x3::eps[only_nested] >> close_paren;
inline const auto nested_comma = x3::eps[only_nested] >> comma;
inline const auto expression_prefix_def =
    operand > *(nested_close | is_null | ((binary_op | nested_comma | in_open) > operand));

BOOST_SPIRIT_DEFINE(skipper, condition, expression_prefix, operand, value, operator_or_end,
                    in_after_not, paren_after_in, with_after_starts, with_after_ends, null_after_is,
                    null_after_is_not, amount, group, fraction, field, clock_time, zone, double_quote,
                    single_quote)

// ---- Error handling ----

// What the user is told when an expectation fails, keyed by the rule name (`which`).
// Token-level expectations describe the next token ("found ')'"); lexeme-level ones point
// inside the literal being read.
void ReportExpectation(ParseState& state, const std::string& which, Iterator where);

class condition_class {
 public:
  template <typename It, typename Exception, typename Context>
  x3::error_handler_result on_error(It&, const It&, const Exception& failure,
                                    const Context& context) {
    ReportExpectation(x3::get<state_tag>(context), failure.which(), failure.where());
    return x3::error_handler_result::fail;
  }
};
class expression_prefix_class : public condition_class {};

}  // namespace cf::grammar::internal::condition_grammar

#endif  // CF_GRAMMAR_INTERNAL_CONDITION_GRAMMAR_H_
