// Internal to cf::grammar; include only from grammar/rule_parser.cc, the translation unit that
// instantiates the rule-file grammar. Callers use grammar/rule_parser.h.
//
// The rule-file grammar in X3. Like the condition grammar it has no recursion: a file is a
// sequence of rules, a rule a sequence of settings and actions, an action a keyword sequence
// and a brace block of `Field = expression`. Semantic actions append to the RuleFile in the
// RuleParseState. Embedded expressions are read by EmbeddedExpression, a primitive parser that
// hands the rest of the text to ParseExpressionPrefix (the condition grammar, instantiated
// once in condition_parser.cc) and moves past what it took; its errors are thrown as
// SyntaxError and leave the parse.
//
// Rules are named for what the user is told was expected; only the outermost rule
// (rule_file) has an error handler.
#ifndef CF_GRAMMAR_INTERNAL_RULE_GRAMMAR_H_
#define CF_GRAMMAR_INTERNAL_RULE_GRAMMAR_H_

#include <boost/spirit/home/x3.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "grammar/condition_parser.h"
#include "grammar/internal/syntax_error.h"
#include "grammar/rule_ast.h"
#include "grammar/rule_parser.h"

namespace cf::grammar::internal::rule_grammar {

namespace x3 = boost::spirit::x3;
using Iterator = const char*;

struct RuleParseState {
  RuleParseState(std::string_view source, const RuleParseLimits& parse_limits)
      : text(source), limits(parse_limits) {}

  SourceSpan Span(Iterator begin, Iterator end) const {
    return {static_cast<uint32_t>(begin - text.data()), static_cast<uint32_t>(end - text.data())};
  }
  Rule& rule() { return file.rules.back(); }
  RuleAction& action() { return rule().actions.back(); }

  std::string_view text;
  const RuleParseLimits& limits;
  RuleFile file;
  std::vector<Diagnostic> diagnostics;  // set by the error handler
};
struct state_tag;

// Where to resume after a syntax error: the first line after offset `after` whose first word
// is `rule`, or nullptr. Defined in rule_parser.cc.
const char* NextRuleLine(std::string_view text, uint32_t after);

// Where an embedded expression goes.
enum class Sink : uint8_t { kCondition, kAssignment, kArgument };

// Throws SyntaxError when an expression is a lone word of the rule language ("then", "end"),
// which means the expression itself is missing (`when then ...`). Defined in rule_parser.cc.
void CheckNotKeyword(const Node& expression, Sink sink);

// Reads one expression of the condition language at the current position.
template <Sink kSink>
struct EmbeddedExpression : x3::parser<EmbeddedExpression<kSink>> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename It, typename Context, typename RContext, typename Attribute>
  bool parse(It& first, const It& last, const Context& context, RContext&, Attribute&) const {
    x3::skip_over(first, last, context);
    RuleParseState& state = x3::get<state_tag>(context);
    uint32_t offset = static_cast<uint32_t>(first - state.text.data());
    PrefixParseResult result = ParseExpressionPrefix(
        std::string_view(first, static_cast<size_t>(last - first)), state.limits.expression, offset);
    if (!result.ok()) throw SyntaxError{std::move(result.diagnostics)};
    CheckNotKeyword(*result.expression, kSink);
    first = state.text.data() + result.end;
    switch (kSink) {
      case Sink::kCondition:
        state.rule().condition = std::move(*result.expression);
        break;
      case Sink::kAssignment: {
        RuleAssignment& assignment = state.action().assignments.back();
        assignment.span.end = result.end;
        assignment.value = std::move(*result.expression);
        break;
      }
      case Sink::kArgument:
        state.action().arguments.push_back(std::move(*result.expression));
        break;
    }
    return true;
  }
};

// ---- Semantic actions ----

template <typename F>
auto OnToken(F f) {
  return [f](auto& context) {
    RuleParseState& state = x3::get<state_tag>(context);
    const auto& range = x3::_attr(context);
    std::string_view lexeme(range.begin(), static_cast<size_t>(range.end() - range.begin()));
    f(state, lexeme, state.Span(range.begin(), range.end()));
  };
}

// Defined in rule_parser.cc: they check limits and duplicates and throw SyntaxError.
void BeginRule(RuleParseState& s, SourceSpan span);
void SetName(RuleParseState& s, std::string_view lexeme, SourceSpan span);
void AddTrigger(RuleParseState& s, std::string_view lexeme, SourceSpan span);
void BeginCondition(RuleParseState& s, SourceSpan span);
void SetPriority(RuleParseState& s, std::string_view lexeme, SourceSpan span);
void BeginAction(RuleParseState& s, RuleActionKind kind, SourceSpan span);
void BeginAssignment(RuleParseState& s, std::string_view lexeme, SourceSpan span);

inline const auto on_rule = OnToken([](RuleParseState& s, std::string_view, SourceSpan span) {
  BeginRule(s, span);
});
inline const auto on_name = OnToken(SetName);
inline const auto on_trigger = OnToken(AddTrigger);
inline const auto on_when = OnToken([](RuleParseState& s, std::string_view, SourceSpan span) {
  BeginCondition(s, span);
});
inline const auto on_priority = OnToken(SetPriority);
inline const auto on_stop = OnToken([](RuleParseState& s, std::string_view, SourceSpan) {
  s.rule().stop = true;
});
inline const auto on_disabled = OnToken([](RuleParseState& s, std::string_view, SourceSpan) {
  s.rule().enabled = false;
});
inline const auto on_enabled = OnToken([](RuleParseState& s, std::string_view, SourceSpan) {
  s.rule().enabled = true;
});
template <RuleActionKind kKind>
inline const auto on_action = OnToken([](RuleParseState& s, std::string_view, SourceSpan span) {
  BeginAction(s, kKind, span);
});
inline const auto on_object = OnToken([](RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  s.action().object = RuleName{std::string(lexeme), span};
});
inline const auto on_alias = OnToken([](RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  s.action().alias = RuleName{std::string(lexeme), span};
});
inline const auto on_key_field = OnToken([](RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  s.action().key_field = RuleName{std::string(lexeme), span};
});
inline const auto on_link = OnToken([](RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  s.action().links.push_back(RuleName{std::string(lexeme), span});
});
inline const auto on_field = OnToken(BeginAssignment);

// ---- Rules ----

inline constexpr char kEndOfFile[] = "'rule' or the end of the file";
inline constexpr char kRuleName[] = "the rule's name in quotes, as in rule \"Lead capture\"";
inline constexpr char kClosingQuote[] = "the closing quote of the rule's name";
inline constexpr char kSettingOrThen[] =
    "'then' or a setting ('on', 'when', 'priority', 'stop', 'disabled')";
inline constexpr char kTrigger[] = "a trigger such as conversation.created";
inline constexpr char kCondition[] = "a condition after 'when'";
inline constexpr char kWholeNumber[] = "a whole number after 'priority'";
inline constexpr char kFirstAction[] =
    "an action after 'then' (create, update, upsert, log task, route to team, add tag, "
    "set priority, notify)";
inline constexpr char kActionOrEnd[] = "another action or 'end'";
inline constexpr char kObject[] = "an object name such as Lead";
inline constexpr char kTarget[] = "the record to update (Contact, Lead, Account, Opportunity, Case or an alias)";
inline constexpr char kAlias[] = "a name for the record after 'as'";
inline constexpr char kBy[] = "'by' and the external-id field to match on";
inline constexpr char kKeyField[] = "an external-id field name after 'by'";
inline constexpr char kTaskAfterLog[] = "'task' after 'log'";
inline constexpr char kLink[] = "a record after 'on' (Contact, Lead, Account, Opportunity, Case or an alias)";
inline constexpr char kToAfterRoute[] = "'to team' after 'route'";
inline constexpr char kTeamAfterTo[] = "'team' after 'route to'";
inline constexpr char kTagAfterAdd[] = "'tag' after 'add'";
inline constexpr char kPriorityAfterSet[] = "'priority' after 'set'";
inline constexpr char kWithAfterRecipient[] = "'with' and the message after the recipient";
inline constexpr char kValueExpression[] = "a value";
inline constexpr char kOpenBrace[] = "'{' and the fields to set";
inline constexpr char kFieldOrClose[] = "a field name or '}'";
inline constexpr char kEquals[] = "'=' after the field name";

const x3::rule<class skipper_class> skipper = "whitespace";
const x3::rule<class rule_file_class> rule_file = "rule file";
const x3::rule<class end_of_file_class> end_of_file = kEndOfFile;
const x3::rule<class rule_name_class> rule_name = kRuleName;
const x3::rule<class closing_quote_class> closing_quote = kClosingQuote;
const x3::rule<class closing_single_quote_class> closing_single_quote = kClosingQuote;
const x3::rule<class setting_or_then_class> setting_or_then = kSettingOrThen;
const x3::rule<class trigger_class> trigger = kTrigger;
const x3::rule<class condition_class> condition = kCondition;
const x3::rule<class whole_number_class> whole_number = kWholeNumber;
const x3::rule<class first_action_class> first_action = kFirstAction;
const x3::rule<class action_or_end_class> action_or_end = kActionOrEnd;
const x3::rule<class object_class> object = kObject;
const x3::rule<class target_class> target = kTarget;
const x3::rule<class alias_class> alias = kAlias;
const x3::rule<class by_class> by = kBy;
const x3::rule<class key_field_class> key_field = kKeyField;
const x3::rule<class task_after_log_class> task_after_log = kTaskAfterLog;
const x3::rule<class link_class> link = kLink;
const x3::rule<class to_after_route_class> to_after_route = kToAfterRoute;
const x3::rule<class team_after_to_class> team_after_to = kTeamAfterTo;
const x3::rule<class tag_after_add_class> tag_after_add = kTagAfterAdd;
const x3::rule<class priority_after_set_class> priority_after_set = kPriorityAfterSet;
const x3::rule<class with_after_recipient_class> with_after_recipient = kWithAfterRecipient;
const x3::rule<class value_expression_class> value_expression = kValueExpression;
const x3::rule<class assignment_value_class> assignment_value = kValueExpression;
const x3::rule<class open_brace_class> open_brace = kOpenBrace;
const x3::rule<class field_or_close_class> field_or_close = kFieldOrClose;
const x3::rule<class equals_class> equals = kEquals;

inline const auto ident_char = x3::char_("a-zA-Z0-9_");
inline const auto ident = x3::lexeme[x3::char_("a-zA-Z") >> *ident_char];

template <size_t N>
constexpr auto Kw(const char (&word)[N]) {
  return x3::lexeme[x3::no_case[x3::lit(word)] >> !ident_char];
}

inline const auto skipper_def = x3::char_(" \t\r\n\v\f") | ('#' >> *(x3::char_ - x3::eol));

// Rule header.
inline const auto closing_quote_def = x3::lit('"');
inline const auto closing_single_quote_def = x3::lit('\'');
inline const auto rule_name_def =
    x3::raw[x3::lexeme[('"' >> *(x3::char_ - x3::char_("\"\r\n"))) > closing_quote]][on_name] |
    x3::raw[x3::lexeme[('\'' >> *(x3::char_ - x3::char_("'\r\n"))) > closing_single_quote]]
           [on_name] |
    x3::raw[ident][on_name];
inline const auto trigger_def =
    x3::raw[x3::lexeme[x3::char_("a-zA-Z") >> *ident_char >> +('.' >> x3::char_("a-zA-Z") >> *ident_char)]][on_trigger];
inline const auto condition_def = EmbeddedExpression<Sink::kCondition>{};
inline const auto whole_number_def = x3::raw[x3::lexeme[-x3::char_('-') >> +x3::char_("0-9") >> !ident_char]][on_priority];
inline const auto setting =
    (Kw("on") > trigger > *(',' > trigger)) |
    (x3::raw[Kw("when")][on_when] > condition) |
    (Kw("priority") > whole_number) |
    x3::raw[Kw("stop")][on_stop] |
    x3::raw[Kw("disabled")][on_disabled] |
    x3::raw[Kw("enabled")][on_enabled];
inline const auto setting_or_then_def = Kw("then");

// Actions.
inline const auto object_def = x3::raw[ident][on_object];
inline const auto target_def = x3::raw[ident][on_object];
inline const auto alias_def = x3::raw[ident][on_alias];
inline const auto key_field_def = x3::raw[ident][on_key_field];
inline const auto link_def = x3::raw[ident][on_link];
inline const auto by_def = Kw("by");
inline const auto task_after_log_def = Kw("task");
inline const auto to_after_route_def = Kw("to");
inline const auto team_after_to_def = Kw("team");
inline const auto tag_after_add_def = Kw("tag");
inline const auto priority_after_set_def = Kw("priority");
inline const auto with_after_recipient_def = Kw("with");
inline const auto value_expression_def = EmbeddedExpression<Sink::kArgument>{};
inline const auto assignment_value_def = EmbeddedExpression<Sink::kAssignment>{};
inline const auto open_brace_def = x3::lit('{');
inline const auto field_or_close_def = x3::lit('}');
inline const auto equals_def = x3::lit('=') >> !x3::lit('=');

// `end` is never a field: a block missing its '}' before `end` says so.
inline const auto field_assignment =
    x3::raw[!Kw("end") >> ident][on_field] > equals > assignment_value;
inline const auto block = open_brace > *(field_assignment >> -x3::lit(',')) > field_or_close;
inline const auto as_alias = -(Kw("as") > alias);

inline const auto create_action =
    x3::raw[Kw("create")][on_action<RuleActionKind::kCreate>] > object > as_alias > block;
inline const auto update_action =
    x3::raw[Kw("update")][on_action<RuleActionKind::kUpdate>] > target > block;
inline const auto upsert_action =
    x3::raw[Kw("upsert")][on_action<RuleActionKind::kUpsert>] > object > by > key_field >
    as_alias > block;
inline const auto log_action =
    x3::raw[Kw("log") > task_after_log][on_action<RuleActionKind::kLogTask>] >
    -(Kw("on") > link > *(',' > link)) > block;
inline const auto route_action =
    x3::raw[Kw("route") > to_after_route > team_after_to][on_action<RuleActionKind::kRouteToTeam>] >
    value_expression;
inline const auto tag_action =
    x3::raw[Kw("add") > tag_after_add][on_action<RuleActionKind::kAddTag>] > value_expression;
inline const auto priority_action =
    x3::raw[Kw("set") > priority_after_set][on_action<RuleActionKind::kSetPriority>] >
    value_expression;
inline const auto notify_action =
    x3::raw[Kw("notify")][on_action<RuleActionKind::kNotify>] > value_expression >
    with_after_recipient > value_expression;
inline const auto any_action = create_action | update_action | upsert_action | log_action |
                           route_action | tag_action | priority_action | notify_action;
inline const auto first_action_def = any_action;
inline const auto action_or_end_def = Kw("end");

inline const auto rule_def = x3::raw[Kw("rule")][on_rule] > rule_name > *setting >
                             setting_or_then > first_action > *any_action > action_or_end;
inline const auto end_of_file_def = x3::eoi;
inline const auto rule_file_def = *rule_def > end_of_file;

BOOST_SPIRIT_DEFINE(skipper, rule_file, end_of_file, rule_name, closing_quote, closing_single_quote,
                    setting_or_then,
                    trigger, condition, whole_number, first_action, action_or_end, object,
                    target, alias, by, key_field, task_after_log, link, to_after_route,
                    team_after_to, tag_after_add, priority_after_set, with_after_recipient,
                    value_expression, assignment_value, open_brace, field_or_close, equals)

// ---- Error handling ----

// Turns an expectation failure into the state's diagnostics. Defined in rule_parser.cc.
void ReportExpectation(RuleParseState& state, const std::string& which, Iterator where);

class rule_file_class {
 public:
  template <typename It, typename Exception, typename Context>
  x3::error_handler_result on_error(It&, const It&, const Exception& failure,
                                    const Context& context) {
    ReportExpectation(x3::get<state_tag>(context), failure.which(), failure.where());
    return x3::error_handler_result::fail;
  }
};

}  // namespace cf::grammar::internal::rule_grammar

#endif  // CF_GRAMMAR_INTERNAL_RULE_GRAMMAR_H_
