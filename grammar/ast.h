// The abstract syntax tree of the condition language.
//
// Plain C++ value types: no Boost.Spirit type appears here or in any public grammar header.
// Every node carries the byte span of its source text, so later stages (type checker,
// compiler) report problems with positions. Trees are values: copyable, movable, no sharing.
#ifndef CF_GRAMMAR_AST_H_
#define CF_GRAMMAR_AST_H_

#include <cstdint>
#include <string>
#include <vector>

namespace cf::grammar {

// Half-open byte range [begin, end) into the source text the node was parsed from.
struct SourceSpan {
  uint32_t begin = 0;
  uint32_t end = 0;
};

enum class NodeKind : uint8_t {
  kNumber,       // text: the digits as a plain decimal ("500000", "1234.50"); currency flag
  kString,       // text: the value with escapes resolved (see raw_text for LIKE patterns)
  kBool,         // boolean_value
  kNull,
  kDate,         // text: "2024-03-31"
  kDateTime,     // text: "2024-03-31T10:00:00Z" as written
  kDateLiteral,  // text: upper-case name ("THIS_QUARTER", "LAST_N_DAYS"); number: n or -1
  kPath,         // path: dotted segments ("Account", "Owner", "Name")
  kUnary,        // op: kNot or kNeg; children[0]
  kBinary,       // op; children[0] op children[1]
  kIn,           // children[0] IN (children[1..]); negated for NOT IN
  kIsNull,       // children[0] IS NULL; negated for IS NOT NULL
  kCall,         // text: function name upper-cased; children: arguments
};

enum class Op : uint8_t {
  kNone,
  kAnd, kOr, kNot, kNeg,
  kEq, kNe, kLt, kLe, kGt, kGe,
  kAdd, kSub, kMul, kDiv, kConcat,
  kLike, kContains, kStartsWith, kEndsWith,
};
const char* OpName(Op op);  // "AND", "=", "STARTS WITH", ...

struct PathSegment {
  std::string name;  // as written (case preserved)
  SourceSpan span;
};

struct Node {
  NodeKind kind = NodeKind::kNull;
  Op op = Op::kNone;
  bool negated = false;        // kIn: NOT IN; kIsNull: IS NOT NULL
  bool currency = false;       // kNumber written with '$'
  bool boolean_value = false;  // kBool
  int64_t number = -1;         // kDateLiteral: the n of LAST_N_DAYS:n, else -1
  SourceSpan span;
  std::string text;
  // kString only: the literal with escapes as written but quotes removed, so that LIKE can
  // tell an escaped "\%" from a wildcard "%".
  std::string raw_text;
  std::vector<PathSegment> path;
  std::vector<Node> children;
};

// A one-line, fully parenthesised rendering for golden tests and debugging, e.g.
// (AND (> Account.AnnualRevenue 500000$) (IN Account.Industry "Banking" "Insurance")).
// Atoms: numbers as text, with a '$' suffix when currency (1234.50$); strings in double quotes
// with \" \\ \n \r \t \b \f \xHH escapes, and \% \_ where the source escaped a wildcard;
// true false null; dates #2024-01-31; datetimes #2024-01-31T10:00:00Z (as written); date
// literals THIS_QUARTER, LAST_N_DAYS:7; paths Account.Owner.Name (as written).
// Operators: (OP a b) with OpName, spaces as '-' ((STARTS-WITH a b)); (NOT x) (NEG x);
// (IN x a b) (NOT-IN x a b); (IS-NULL x) (IS-NOT-NULL x); calls (CALL NAME args...).
std::string DumpTree(const Node& node);

}  // namespace cf::grammar

#endif  // CF_GRAMMAR_AST_H_
