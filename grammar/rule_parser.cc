// ParseRuleFile: checks the limits that need no parse, runs the rule-file grammar
// (internal/rule_grammar.h) and turns every failure into diagnostics. The only translation
// unit that instantiates the rule-file grammar; embedded expressions go through
// ParseExpressionPrefix (condition_parser.cc).
#include "grammar/rule_parser.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "grammar/internal/literals.h"
#include "grammar/internal/rule_grammar.h"

namespace cf::grammar {
namespace internal::rule_grammar {
namespace {

bool IsIdentChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

bool EqualsRule(std::string_view word) {
  static constexpr char kRule[] = "rule";
  for (size_t i = 0; i < 4; ++i) {
    char c = word[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kRule[i]) return false;
  }
  return true;
}

bool IsBlank(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

Iterator SkipBlanks(Iterator p, Iterator end) {
  while (p != end) {
    if (IsBlank(*p)) {
      ++p;
    } else if (*p == '#') {
      while (p != end && *p != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

size_t CodePointLength(Iterator p, Iterator end) {
  size_t length = 1;
  while (p + length != end && (static_cast<unsigned char>(p[length]) & 0xC0) == 0x80) ++length;
  return length;
}

// Describes the token starting at `p` ("'create'", "'}'", "a string") and sets its end.
std::string DescribeFound(Iterator p, Iterator end, Iterator* token_end) {
  constexpr size_t kMaxShown = 32;
  if (IsIdentChar(*p)) {
    Iterator q = p;
    while (q != end && IsIdentChar(*q)) ++q;
    *token_end = q;
    std::string word(p, static_cast<size_t>(q - p));
    if (word.size() > kMaxShown) word = word.substr(0, kMaxShown) + "...";
    return "'" + word + "'";
  }
  if (*p == '"' || *p == '\'') {
    *token_end = p + 1;
    return "a string";
  }
  *token_end = p + CodePointLength(p, end);
  unsigned char c = static_cast<unsigned char>(*p);
  if (c < 0x20 || c == 0x7f) {
    char buffer[32];
    std::snprintf(buffer, sizeof buffer, "the control character U+%04X", static_cast<unsigned>(c));
    return buffer;
  }
  return "'" + std::string(p, *token_end) + "'";
}

// Levenshtein distance of two short ASCII words, ignoring case.
size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      char x = a[i - 1] >= 'A' && a[i - 1] <= 'Z' ? static_cast<char>(a[i - 1] - 'A' + 'a') : a[i - 1];
      size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (x == b[j - 1] ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

// "did you mean 'create'?" when `found` ("'craete'") is a near miss of a keyword expected
// here; empty otherwise.
std::string KeywordHint(const std::string& which, const std::string& found) {
  static constexpr const char* kSettings[] = {"on", "when", "priority", "stop", "disabled", "then"};
  static constexpr const char* kActions[] = {"create", "update", "upsert", "log",
                                             "route", "add", "set", "notify", "end"};
  static constexpr const char* kFile[] = {"rule"};
  std::vector<const char*> words;
  if (which == kSettingOrThen) words.assign(std::begin(kSettings), std::end(kSettings));
  if (which == kFirstAction || which == kActionOrEnd) words.assign(std::begin(kActions), std::end(kActions));
  if (which == kEndOfFile) words.assign(std::begin(kFile), std::end(kFile));
  if (found.size() < 3 || found.front() != '\'' || found.size() > 20) return "";
  std::string_view word(found.data() + 1, found.size() - 2);
  for (const char* keyword : words) {
    size_t distance = EditDistance(word, keyword);
    if (distance > 0 && distance <= std::max<size_t>(1, std::string_view(keyword).size() / 3)) {
      return std::string("did you mean '") + keyword + "'?";
    }
  }
  return "";
}

// Hints for expectations where a likely mistake has a known fix.
const char* HintFor(const std::string& which, const std::string& found) {
  if (which == kSettingOrThen && found == "'create'") {
    return "write 'then' before the first action";
  }
  if (which == kActionOrEnd && found == "'rule'") return "close the previous rule with 'end'";
  if (which == kActionOrEnd || which == kEndOfFile || which == kFirstAction) {
    if (found == "'log'") return "write 'log task'";
  }
  if (which == kEquals && found == "':'") return "fields are set with '=', as in LastName = \"Doe\"";
  if (which == kFieldOrClose && found == "a string") {
    return "a field is set with Field = value, as in Subject = \"Call\"";
  }
  return "";
}

}  // namespace

void ReportExpectation(RuleParseState& state, const std::string& which, Iterator where) {
  Iterator begin = state.text.data();
  Iterator end = begin + state.text.size();
  Iterator p = SkipBlanks(where, end);
  Diagnostic error;
  std::string found;
  if (p != end) {
    Iterator token_end = p;
    found = DescribeFound(p, end, &token_end);
    error.span = state.Span(p, token_end);
  } else {
    // At the end of the text: point just after the last word before the trailing blanks.
    Iterator q = where;
    while (q != begin && IsBlank(q[-1])) --q;
    error.span = state.Span(q, q);
  }
  error.message = "expected " + which + (found.empty() ? ", found the end of the file" : ", found " + found);
  error.hint = HintFor(which, found);
  if (error.hint.empty()) error.hint = KeywordHint(which, found);
  if (which == kClosingQuote) {
    // Inside the name: point at the end of its line rather than at the next line's word.
    error.span = state.Span(where, where);
    error.message = "the rule's name is missing its closing quote";
    error.hint = "a name ends on its line";
  } else if (which == kSettingOrThen && !state.file.rules.empty()) {
    const std::string& name = state.file.rules.back().name.text;
    if (name.find(" on ") != std::string::npos || name.find(" then ") != std::string::npos) {
      error.hint = "the rule's name runs up to the next quote; check that it is closed";
    }
  }
  state.diagnostics = {std::move(error)};
}

const char* NextRuleLine(std::string_view text, uint32_t after) {
  size_t line = text.find('\n', after);
  while (line != std::string_view::npos) {
    size_t p = line + 1;
    while (p < text.size() && (text[p] == ' ' || text[p] == '\t' || text[p] == '\r')) ++p;
    if (text.size() - p >= 4 && EqualsRule(text.substr(p, 4)) &&
        (p + 4 == text.size() || !IsIdentChar(text[p + 4]))) {
      return text.data() + p;
    }
    line = text.find('\n', p);
  }
  return nullptr;
}

void CheckNotKeyword(const Node& expression, Sink sink) {
  static constexpr const char* kKeywords[] = {
      "rule", "on", "when", "priority", "stop", "disabled", "enabled", "then", "end",
      "create", "update", "upsert", "log", "route", "add", "set", "notify", "with"};
  if (expression.kind != NodeKind::kPath || expression.path.size() != 1) return;
  std::string word = expression.path[0].name;
  for (char& c : word) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  for (const char* keyword : kKeywords) {
    if (word == keyword) {
      const char* what = sink == Sink::kCondition ? kCondition : kValueExpression;
      throw MakeSyntaxError(expression.span, std::string("expected ") + what + ", found '" +
                                                 expression.path[0].name + "'");
    }
  }
}

void BeginRule(RuleParseState& s, SourceSpan span) {
  if (s.file.rules.size() >= s.limits.max_rules) {
    throw MakeSyntaxError(span, "too many rules in one file (the limit is " +
                                    std::to_string(s.limits.max_rules) + ")",
                          "split the rules into several files");
  }
  s.file.rules.emplace_back();
  s.rule().span = span;
}

void SetName(RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  std::string_view name = lexeme;
  if (!name.empty() && (name.front() == '"' || name.front() == '\'')) {
    name = name.substr(1, name.size() >= 2 ? name.size() - 2 : 0);
  }
  size_t first = 0;
  while (first < name.size() && IsBlank(name[first])) ++first;
  name.remove_prefix(first);
  while (!name.empty() && IsBlank(name.back())) name.remove_suffix(1);
  if (name.empty()) throw MakeSyntaxError(span, "a rule's name cannot be empty");
  if (name.size() > s.limits.max_name_bytes) {
    throw MakeSyntaxError(span, "the rule's name is too long (" + std::to_string(name.size()) +
                                    " bytes; the limit is " +
                                    std::to_string(s.limits.max_name_bytes) + ")");
  }
  s.rule().name = RuleName{std::string(name), span};
}

void AddTrigger(RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  s.rule().triggers.push_back(RuleName{std::string(lexeme), span});
}

void BeginCondition(RuleParseState& s, SourceSpan span) {
  if (s.rule().condition) {
    Diagnostic note = MakeNote(s.rule().condition->span, "the first condition is here");
    SyntaxError error = MakeSyntaxError(
        span, "a rule has at most one 'when'",
        "combine the conditions with AND or OR");
    error.diagnostics.push_back(std::move(note));
    throw error;
  }
}

void SetPriority(RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  constexpr int64_t kMaxPriority = 1000000000;
  if (s.rule().priority_span.end != 0) {
    throw MakeSyntaxError(span, "the rule's priority is already set");
  }
  bool negative = !lexeme.empty() && lexeme.front() == '-';
  int64_t value = 0;
  for (char c : lexeme.substr(negative ? 1 : 0)) {
    value = value * 10 + (c - '0');
    if (value > kMaxPriority) {
      throw MakeSyntaxError(span, "priority must be between -1000000000 and 1000000000");
    }
  }
  s.rule().priority = negative ? -value : value;
  s.rule().priority_span = span;
}

void BeginAction(RuleParseState& s, RuleActionKind kind, SourceSpan span) {
  if (s.rule().actions.size() >= s.limits.max_actions) {
    throw MakeSyntaxError(span, "too many actions in one rule (the limit is " +
                                    std::to_string(s.limits.max_actions) + ")",
                          "split the rule into several rules");
  }
  RuleAction action;
  action.kind = kind;
  action.span = span;
  s.rule().actions.push_back(std::move(action));
}

void BeginAssignment(RuleParseState& s, std::string_view lexeme, SourceSpan span) {
  RuleAction& action = s.action();
  if (action.assignments.size() >= s.limits.max_assignments) {
    throw MakeSyntaxError(span, "too many fields in one action (the limit is " +
                                    std::to_string(s.limits.max_assignments) + ")");
  }
  if (!action.assignments.empty()) {
    // Assignments are separated by ',' or a line break: `A = x B = y` on one line is a typo.
    uint32_t previous_end = action.assignments.back().span.end;
    std::string_view between = s.text.substr(previous_end, span.begin - previous_end);
    if (between.find(',') == std::string_view::npos && between.find('\n') == std::string_view::npos) {
      throw MakeSyntaxError(span, "expected ',' or a line break before '" + std::string(lexeme) + "'",
                            "put each field on its own line or separate them with ','");
    }
  }
  RuleAssignment assignment;
  assignment.field = RuleName{std::string(lexeme), span};
  assignment.span = span;
  action.assignments.push_back(std::move(assignment));
}

}  // namespace internal::rule_grammar

RuleParseResult ParseRuleFile(std::string_view text, const RuleParseLimits& limits) {
  namespace rg = internal::rule_grammar;
  RuleParseResult result;
  auto fail = [&result](internal::SyntaxError error) {
    result.diagnostics = std::move(error.diagnostics);
    return std::move(result);
  };
  size_t max_bytes = std::min<size_t>(limits.max_file_bytes, std::numeric_limits<uint32_t>::max() - 1);
  if (text.size() > max_bytes) {
    uint32_t at = static_cast<uint32_t>(max_bytes);
    return fail(internal::MakeSyntaxError(
        {at, at}, "rule file is too long (" + std::to_string(text.size()) +
                      " bytes; the limit is " + std::to_string(max_bytes) + ")",
        "split it into several files"));
  }
  if (size_t bad = internal::FindInvalidUtf8(text); bad != std::string_view::npos) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X",
                  static_cast<unsigned>(static_cast<unsigned char>(text[bad])));
    uint32_t at = static_cast<uint32_t>(bad);
    return fail(internal::MakeSyntaxError(
        {at, at + 1}, std::string("the rule file is not valid UTF-8 (byte ") + byte + ")",
        "save the file as UTF-8"));
  }

  // After a syntax error the parse resumes at the next line that starts with `rule`, so that
  // one run reports the first error of each broken rule (up to kMaxErrors).
  constexpr size_t kMaxErrors = 20;
  rg::RuleParseState state(text, limits);
  const char* resume = text.data();
  size_t errors = 0;
  while (resume != nullptr) {
    const char* first = resume;
    const char* last = text.data() + text.size();
    size_t rules_before = state.file.rules.size();
    std::vector<Diagnostic> found;
    try {
      namespace x3 = boost::spirit::x3;
      state.diagnostics.clear();
      bool parsed = x3::phrase_parse(first, last, x3::with<rg::state_tag>(state)[rg::rule_file],
                                     rg::skipper);
      if (parsed) break;
      found = std::move(state.diagnostics);
      if (found.empty()) {
        uint32_t at = static_cast<uint32_t>(first - text.data());
        found = internal::MakeSyntaxError({at, at}, "cannot parse the rule file here").diagnostics;
      }
    } catch (internal::SyntaxError& error) {
      found = std::move(error.diagnostics);
    }
    // Resume after the start of the broken rule (or after the error, outside any rule).
    uint32_t from = state.file.rules.size() > rules_before ? state.file.rules.back().span.begin
                                                           : found.front().span.begin;
    result.diagnostics.insert(result.diagnostics.end(), found.begin(), found.end());
    if (++errors == kMaxErrors) break;
    resume = rg::NextRuleLine(text, std::max<uint32_t>(from, static_cast<uint32_t>(resume - text.data())));
  }
  if (result.diagnostics.empty()) result.file = std::move(state.file);
  return result;
}

}  // namespace cf::grammar
