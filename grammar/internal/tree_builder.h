// Internal to cf::grammar; include only from grammar/*.cc. Callers use condition_parser.h.
//
// TreeBuilder turns the token sequence recognised by the lexical grammar (condition_parser.cc)
// into the AST. It is an operator-precedence parser with explicit stacks: one frame per open
// '(', call or IN list, each with its own operand and operator stacks. Nesting therefore costs
// heap, never call stack, and every limit (depth, nodes, tree height) is checked the moment a
// token would exceed it, pointing at that token.
//
// Precedence, low to high: OR; AND; prefix NOT; comparisons (= != < <= > >= LIKE CONTAINS
// STARTS WITH ENDS WITH, postfix IN (...) and IS [NOT] NULL; non-associative); & + -; * /;
// unary minus. A prefix operator may not stand where the grammar expects an operand of higher
// precedence (`a = NOT b` is an error: write `a = (NOT b)`).
//
// Tokens arrive in two positions, which the lexical grammar already tells apart:
//   operand position:  Atom, Prefix, OpenParen, OpenCall, CloseEmptyCall
//   operator position: Binary, Comma, OpenIn, Close, IsNull
// Every method either accepts the token or throws SyntaxError. Not thread-safe; one per parse.
#ifndef CF_GRAMMAR_INTERNAL_TREE_BUILDER_H_
#define CF_GRAMMAR_INTERNAL_TREE_BUILDER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "grammar/ast.h"
#include "grammar/condition_parser.h"
#include "grammar/diagnostic.h"
#include "grammar/internal/syntax_error.h"

namespace cf::grammar::internal {

class TreeBuilder {
 public:
  explicit TreeBuilder(const ParseLimits& limits) : limits_(limits) { frames_.emplace_back(); }

  // Operand position. `spelling` is the token as the user should read it in a message.
  void Atom(Node node);
  void Prefix(Op op, SourceSpan span, std::string spelling);
  void OpenParen(SourceSpan span);
  void OpenCall(std::string name, SourceSpan span);  // name upper-cased; span covers "NAME("
  void CloseEmptyCall(SourceSpan span);              // ')' where a value was expected

  // Operator position.
  void Binary(Op op, SourceSpan span, std::string spelling);
  void Comma(SourceSpan span);
  void OpenIn(bool negated, SourceSpan span);  // span covers "[NOT] IN ("
  void Close(SourceSpan span);
  void IsNull(bool negated, SourceSpan span);  // span covers "IS [NOT] NULL"

  // After the last token: the whole expression.
  Node Finish();

  // For error messages about the token that failed to come next. `found` describes it
  // ("')'", "'AND'"), or is empty at the end of the text.
  SyntaxError ExpectedValue(SourceSpan where, const std::string& found) const;
  SyntaxError ExpectedOperator(SourceSpan where, const std::string& found) const;
  // End offset of the last token accepted (0 before the first).
  uint32_t last_end() const { return last_end_; }
  // True while a '(', call or IN list is open: a ',' or ')' then belongs to the expression.
  bool nested() const { return frames_.size() > 1; }

 private:
  enum class FrameKind : uint8_t { kTop, kParen, kCall, kIn };
  enum class TokenKind : uint8_t { kNone, kOperand, kPrefix, kOpen, kBinary, kComma };

  // A finished operand: its node, its extent including any parentheses around it, the
  // precedence level of its outermost operator (kAtomLevel for atoms, calls and parenthesised
  // expressions) and the height of its tree.
  struct Item {
    Node node;
    SourceSpan outer;
    int level;
    uint32_t height;
  };
  struct PendingOp {
    Op op;
    bool prefix;
    int precedence;
    SourceSpan span;
    std::string spelling;
  };
  struct Frame {
    FrameKind kind = FrameKind::kTop;
    SourceSpan open;           // '(' / "NAME(" / "IN ("
    Node head;                 // kCall or kIn node collecting its children
    uint32_t head_begin = 0;   // kIn: where its left operand begins
    uint32_t head_height = 0;  // tallest child collected so far
    std::vector<Item> operands;
    std::vector<PendingOp> ops;
  };

  Frame& top() { return frames_.back(); }
  const Frame& top() const { return frames_.back(); }

  void PushFrame(Frame frame, SourceSpan span);
  Item PopFrame();
  void PushOperand(Item item);
  // Applies pending operators of `frame` whose precedence is at least `min_precedence`.
  void Reduce(Frame& frame, int min_precedence);
  // Reduces the frame completely; it must then hold exactly one operand, which is returned.
  Item ReduceAll(Frame& frame);
  // Before a comparison-level operator (comparison, IN, IS NULL): reduces tighter operators
  // and rejects chains such as `a = b = c` and `a IS NULL = b`.
  void PrepareComparison(SourceSpan span, const std::string& spelling);
  void AppendChild(Frame& frame, Item item);
  uint32_t CheckHeight(uint32_t height, SourceSpan span) const;
  void CountNode(SourceSpan span);
  void Enter(SourceSpan span);  // one more level of nesting
  void Accept(TokenKind kind, SourceSpan span, std::string spelling);
  Diagnostic OpenerNote(const Frame& frame) const;
  std::string ConstructName(const Frame& frame) const;

  const ParseLimits& limits_;
  std::vector<Frame> frames_;  // frames_[0] is the whole condition
  size_t depth_ = 0;           // open frames beyond the first + pending prefix operators
  size_t nodes_ = 0;
  TokenKind last_kind_ = TokenKind::kNone;
  std::string last_spelling_;
  uint32_t last_end_ = 0;
};

}  // namespace cf::grammar::internal

#endif  // CF_GRAMMAR_INTERNAL_TREE_BUILDER_H_
