#include "grammar/ast.h"

#include <cstdio>
#include <string_view>

namespace cf::grammar {
namespace {

// Appends `c` as it appears inside a double-quoted dump string.
void AppendEscaped(std::string& out, char c) {
  switch (c) {
    case '"': out += "\\\""; return;
    case '\\': out += "\\\\"; return;
    case '\n': out += "\\n"; return;
    case '\r': out += "\\r"; return;
    case '\t': out += "\\t"; return;
    case '\b': out += "\\b"; return;
    case '\f': out += "\\f"; return;
    default: break;
  }
  if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
    char buffer[8];
    std::snprintf(buffer, sizeof buffer, "\\x%02X", static_cast<unsigned>(static_cast<unsigned char>(c)));
    out += buffer;
    return;
  }
  out += c;
}

// Value of the escape `\c` as the parser resolves it (SOQL escapes).
char ResolveEscape(char c) {
  switch (c) {
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'b': return '\b';
    case 'f': return '\f';
    default: return c;  // \" \' \\ (and \% \_, handled by the caller)
  }
}

// Strings render in double quotes with canonical escapes. Wildcards that were escaped in the
// source (`\%`, `\_`) stay escaped, so a LIKE pattern's literal '%' is told from a wildcard.
void AppendString(std::string& out, const Node& node) {
  out += '"';
  if (node.raw_text.empty()) {
    for (char c : node.text) AppendEscaped(out, c);
  } else {
    const std::string& raw = node.raw_text;
    for (size_t i = 0; i < raw.size(); ++i) {
      if (raw[i] == '\\' && i + 1 < raw.size()) {
        char next = raw[++i];
        if (next == '%' || next == '_') {
          out += '\\';
          out += next;
        } else {
          AppendEscaped(out, ResolveEscape(next));
        }
      } else {
        AppendEscaped(out, raw[i]);
      }
    }
  }
  out += '"';
}

// OpName with spaces turned into '-', so that every dump atom is one word.
void AppendOpWord(std::string& out, Op op) {
  for (const char* p = OpName(op); *p != '\0'; ++p) out += (*p == ' ' ? '-' : *p);
}

// Appends an atom, or the opening "(HEAD" of an operator node; returns whether the node has
// children to print (and a ')' to close).
bool AppendHead(std::string& out, const Node& node) {
  switch (node.kind) {
    case NodeKind::kNumber:
      out += node.text;
      if (node.currency) out += '$';
      return false;
    case NodeKind::kString:
      AppendString(out, node);
      return false;
    case NodeKind::kBool:
      out += node.boolean_value ? "true" : "false";
      return false;
    case NodeKind::kNull:
      out += "null";
      return false;
    case NodeKind::kDate:
    case NodeKind::kDateTime:
      out += '#';
      out += node.text;
      return false;
    case NodeKind::kDateLiteral:
      out += node.text;
      if (node.number >= 0) {
        out += ':';
        out += std::to_string(node.number);
      }
      return false;
    case NodeKind::kPath:
      for (size_t i = 0; i < node.path.size(); ++i) {
        if (i > 0) out += '.';
        out += node.path[i].name;
      }
      return false;
    case NodeKind::kUnary:
      out += node.op == Op::kNeg ? "(NEG" : "(NOT";
      return true;
    case NodeKind::kBinary:
      out += '(';
      AppendOpWord(out, node.op);
      return true;
    case NodeKind::kIn:
      out += node.negated ? "(NOT-IN" : "(IN";
      return true;
    case NodeKind::kIsNull:
      out += node.negated ? "(IS-NOT-NULL" : "(IS-NULL";
      return true;
    case NodeKind::kCall:
      out += "(CALL ";
      out += node.text;
      return true;
  }
  out += "(?";
  return true;
}

}  // namespace

const char* OpName(Op op) {
  switch (op) {
    case Op::kNone: return "";
    case Op::kAnd: return "AND";
    case Op::kOr: return "OR";
    case Op::kNot: return "NOT";
    case Op::kNeg: return "-";
    case Op::kEq: return "=";
    case Op::kNe: return "!=";
    case Op::kLt: return "<";
    case Op::kLe: return "<=";
    case Op::kGt: return ">";
    case Op::kGe: return ">=";
    case Op::kAdd: return "+";
    case Op::kSub: return "-";
    case Op::kMul: return "*";
    case Op::kDiv: return "/";
    case Op::kConcat: return "&";
    case Op::kLike: return "LIKE";
    case Op::kContains: return "CONTAINS";
    case Op::kStartsWith: return "STARTS WITH";
    case Op::kEndsWith: return "ENDS WITH";
  }
  return "?";
}

// Iterative, so that dumping a tall tree costs heap rather than call stack.
std::string DumpTree(const Node& node) {
  struct Pending {
    const Node* node;
    size_t next_child;
  };
  std::string out;
  std::vector<Pending> stack;
  if (AppendHead(out, node)) stack.push_back({&node, 0});
  while (!stack.empty()) {
    Pending& top = stack.back();
    if (top.next_child == top.node->children.size()) {
      out += ')';
      stack.pop_back();
      continue;
    }
    const Node& child = top.node->children[top.next_child++];
    out += ' ';
    if (AppendHead(out, child)) stack.push_back({&child, 0});
  }
  return out;
}

}  // namespace cf::grammar
