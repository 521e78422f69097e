#include "grammar/internal/tree_builder.h"

#include <algorithm>
#include <utility>

namespace cf::grammar::internal {
namespace {

// Precedence levels, low to high. An operand's level is that of its outermost operator.
constexpr int kOrLevel = 1;
constexpr int kAndLevel = 2;
constexpr int kNotLevel = 3;
constexpr int kComparisonLevel = 4;
constexpr int kAdditiveLevel = 5;
constexpr int kMultiplicativeLevel = 6;
constexpr int kNegLevel = 7;
constexpr int kAtomLevel = 8;

int Precedence(Op op) {
  switch (op) {
    case Op::kOr: return kOrLevel;
    case Op::kAnd: return kAndLevel;
    case Op::kNot: return kNotLevel;
    case Op::kEq: case Op::kNe: case Op::kLt: case Op::kLe: case Op::kGt: case Op::kGe:
    case Op::kLike: case Op::kContains: case Op::kStartsWith: case Op::kEndsWith:
      return kComparisonLevel;
    case Op::kAdd: case Op::kSub: case Op::kConcat: return kAdditiveLevel;
    case Op::kMul: case Op::kDiv: return kMultiplicativeLevel;
    case Op::kNeg: return kNegLevel;
    case Op::kNone: break;
  }
  return kAtomLevel;
}

std::string Quoted(const std::string& s) { return "'" + s + "'"; }

}  // namespace

void TreeBuilder::Accept(TokenKind kind, SourceSpan span, std::string spelling) {
  last_kind_ = kind;
  last_end_ = span.end;
  last_spelling_ = std::move(spelling);
}

void TreeBuilder::CountNode(SourceSpan span) {
  if (++nodes_ > limits_.max_nodes) {
    throw MakeSyntaxError(span, "condition is too large (more than " +
                                    std::to_string(limits_.max_nodes) +
                                    " nodes); split it into several rules");
  }
}

void TreeBuilder::Enter(SourceSpan span) {
  if (++depth_ > limits_.max_depth) {
    throw MakeSyntaxError(span, "expression nests too deeply (more than " +
                                    std::to_string(limits_.max_depth) +
                                    " levels); simplify it or split it into several rules");
  }
}

uint32_t TreeBuilder::CheckHeight(uint32_t height, SourceSpan span) const {
  if (height > limits_.max_tree_height) {
    throw MakeSyntaxError(
        span,
        "expression is too complex (its tree would be more than " +
            std::to_string(limits_.max_tree_height) +
            " levels deep); simplify it or split it into several rules",
        "every operator of a chain such as 'a OR b OR c' adds a level; "
        "use IN (...) for a long list of alternatives");
  }
  return height;
}

void TreeBuilder::PushOperand(Item item) { top().operands.push_back(std::move(item)); }

void TreeBuilder::Reduce(Frame& frame, int min_precedence) {
  while (!frame.ops.empty() && frame.ops.back().precedence >= min_precedence) {
    PendingOp op = std::move(frame.ops.back());
    frame.ops.pop_back();
    Node node;
    Item result;
    if (op.prefix) {
      Item operand = std::move(frame.operands.back());
      frame.operands.pop_back();
      node.kind = NodeKind::kUnary;
      node.span = {op.span.begin, operand.outer.end};
      result.height = CheckHeight(operand.height + 1, op.span);
      node.children.push_back(std::move(operand.node));
      --depth_;
    } else {
      Item right = std::move(frame.operands.back());
      frame.operands.pop_back();
      Item left = std::move(frame.operands.back());
      frame.operands.pop_back();
      node.kind = NodeKind::kBinary;
      node.span = {left.outer.begin, right.outer.end};
      result.height = CheckHeight(std::max(left.height, right.height) + 1, op.span);
      node.children.reserve(2);
      node.children.push_back(std::move(left.node));
      node.children.push_back(std::move(right.node));
    }
    node.op = op.op;
    result.outer = node.span;
    result.level = op.precedence;
    result.node = std::move(node);
    frame.operands.push_back(std::move(result));
  }
}

TreeBuilder::Item TreeBuilder::ReduceAll(Frame& frame) {
  Reduce(frame, 0);
  // The lexical grammar alternates operands and operators, so exactly one operand is left.
  Item item = std::move(frame.operands.back());
  frame.operands.pop_back();
  return item;
}

void TreeBuilder::AppendChild(Frame& frame, Item item) {
  frame.head_height = std::max(frame.head_height, item.height);
  frame.head.children.push_back(std::move(item.node));
}

TreeBuilder::Item TreeBuilder::PopFrame() {
  Frame frame = std::move(frames_.back());
  frames_.pop_back();
  --depth_;
  Item item;
  item.height = CheckHeight(frame.head_height + 1, frame.open);
  item.outer = frame.head.span;
  item.level = frame.kind == FrameKind::kIn ? kComparisonLevel : kAtomLevel;
  item.node = std::move(frame.head);
  return item;
}

void TreeBuilder::PrepareComparison(SourceSpan span, const std::string& spelling) {
  Frame& frame = top();
  Reduce(frame, kComparisonLevel + 1);
  bool pending = !frame.ops.empty() && !frame.ops.back().prefix &&
                 frame.ops.back().precedence == kComparisonLevel;
  if (pending || frame.operands.back().level == kComparisonLevel) {
    throw MakeSyntaxError(span, "comparisons cannot be chained: " + Quoted(spelling) +
                                    " follows another comparison",
                          "join comparisons with AND or OR, or add parentheses");
  }
}

void TreeBuilder::Atom(Node node) {
  CountNode(node.span);
  SourceSpan span = node.span;
  PushOperand(Item{std::move(node), span, kAtomLevel, 1});
  Accept(TokenKind::kOperand, span, {});
}

void TreeBuilder::Prefix(Op op, SourceSpan span, std::string spelling) {
  int precedence = Precedence(op);
  Frame& frame = top();
  if (!frame.ops.empty()) {
    // The operator whose operand this prefix starts.
    const PendingOp& owner = frame.ops.back();
    int needed = owner.prefix ? owner.precedence : owner.precedence + 1;
    if (precedence < needed) {
      throw MakeSyntaxError(span, Quoted(spelling) + " cannot follow " +
                                      Quoted(owner.spelling) + " without parentheses",
                            "write (" + spelling + " ...) to negate a value here");
    }
  }
  CountNode(span);
  Enter(span);
  frame.ops.push_back(PendingOp{op, true, precedence, span, spelling});
  Accept(TokenKind::kPrefix, span, std::move(spelling));
}

void TreeBuilder::OpenParen(SourceSpan span) {
  Enter(span);
  Frame frame;
  frame.kind = FrameKind::kParen;
  frame.open = span;
  frames_.push_back(std::move(frame));
  Accept(TokenKind::kOpen, span, "(");
}

void TreeBuilder::OpenCall(std::string name, SourceSpan span) {
  CountNode(span);
  Enter(span);
  Frame frame;
  frame.kind = FrameKind::kCall;
  frame.open = span;
  frame.head.kind = NodeKind::kCall;
  frame.head.text = std::move(name);
  std::string spelling = frame.head.text + "(";
  frames_.push_back(std::move(frame));
  Accept(TokenKind::kOpen, span, std::move(spelling));
}

void TreeBuilder::CloseEmptyCall(SourceSpan span) {
  if (last_kind_ != TokenKind::kOpen || top().kind != FrameKind::kCall) {
    throw ExpectedValue(span, "')'");
  }
  top().head.span = {top().open.begin, span.end};
  PushOperand(PopFrame());
  Accept(TokenKind::kOperand, span, ")");
}

void TreeBuilder::Binary(Op op, SourceSpan span, std::string spelling) {
  int precedence = Precedence(op);
  if (precedence == kComparisonLevel) {
    PrepareComparison(span, spelling);
  } else {
    Frame& frame = top();
    Reduce(frame, precedence);  // left-associative
    if (frame.operands.back().level < precedence) {
      throw MakeSyntaxError(span, Quoted(spelling) + " cannot follow a comparison",
                            "add parentheses around the part you mean");
    }
  }
  CountNode(span);
  top().ops.push_back(PendingOp{op, false, precedence, span, spelling});
  Accept(TokenKind::kBinary, span, std::move(spelling));
}

void TreeBuilder::Comma(SourceSpan span) {
  Frame& frame = top();
  if (frame.kind != FrameKind::kCall && frame.kind != FrameKind::kIn) {
    throw ExpectedOperator(span, "','");
  }
  AppendChild(frame, ReduceAll(frame));
  Accept(TokenKind::kComma, span, ",");
}

void TreeBuilder::OpenIn(bool negated, SourceSpan span) {
  PrepareComparison(span, negated ? "NOT IN" : "IN");
  CountNode(span);
  Enter(span);
  Item left = std::move(top().operands.back());
  top().operands.pop_back();
  Frame frame;
  frame.kind = FrameKind::kIn;
  frame.open = span;
  frame.head.kind = NodeKind::kIn;
  frame.head.negated = negated;
  frame.head_begin = left.outer.begin;
  AppendChild(frame, std::move(left));
  frames_.push_back(std::move(frame));
  Accept(TokenKind::kOpen, span, negated ? "NOT IN (" : "IN (");
}

void TreeBuilder::Close(SourceSpan span) {
  Frame& frame = top();
  switch (frame.kind) {
    case FrameKind::kTop:
      throw ExpectedOperator(span, "')'");
    case FrameKind::kParen: {
      uint32_t begin = frame.open.begin;
      Item inner = ReduceAll(frame);
      frames_.pop_back();
      --depth_;
      inner.outer = {begin, span.end};
      inner.level = kAtomLevel;
      PushOperand(std::move(inner));
      break;
    }
    case FrameKind::kCall:
      AppendChild(frame, ReduceAll(frame));
      frame.head.span = {frame.open.begin, span.end};
      PushOperand(PopFrame());
      break;
    case FrameKind::kIn:
      AppendChild(frame, ReduceAll(frame));
      frame.head.span = {frame.head_begin, span.end};
      PushOperand(PopFrame());
      break;
  }
  Accept(TokenKind::kOperand, span, ")");
}

void TreeBuilder::IsNull(bool negated, SourceSpan span) {
  std::string spelling = negated ? "IS NOT NULL" : "IS NULL";
  PrepareComparison(span, spelling);
  CountNode(span);
  Frame& frame = top();
  Item operand = std::move(frame.operands.back());
  frame.operands.pop_back();
  Node node;
  node.kind = NodeKind::kIsNull;
  node.negated = negated;
  node.span = {operand.outer.begin, span.end};
  uint32_t height = CheckHeight(operand.height + 1, span);
  node.children.push_back(std::move(operand.node));
  SourceSpan outer = node.span;
  PushOperand(Item{std::move(node), outer, kComparisonLevel, height});
  Accept(TokenKind::kOperand, span, std::move(spelling));
}

Node TreeBuilder::Finish() {
  if (frames_.size() > 1) {
    const Frame& frame = top();
    SyntaxError error =
        MakeSyntaxError({last_end_, last_end_}, "expected ')' to close " + ConstructName(frame));
    error.diagnostics.push_back(OpenerNote(frame));
    throw error;
  }
  return ReduceAll(top()).node;
}

std::string TreeBuilder::ConstructName(const Frame& frame) const {
  switch (frame.kind) {
    case FrameKind::kCall: return "the call to " + frame.head.text;
    case FrameKind::kIn: return "the IN list";
    default: return "'('";
  }
}

Diagnostic TreeBuilder::OpenerNote(const Frame& frame) const {
  switch (frame.kind) {
    case FrameKind::kCall: return MakeNote(frame.open, "the call to " + frame.head.text + " starts here");
    case FrameKind::kIn: return MakeNote(frame.open, "the IN list starts here");
    default: return MakeNote(frame.open, "'(' opened here");
  }
}

SyntaxError TreeBuilder::ExpectedValue(SourceSpan where, const std::string& found) const {
  std::string message = "expected ";
  if (last_kind_ == TokenKind::kNone) {
    message += "a value";
  } else if (last_kind_ == TokenKind::kOpen && top().kind == FrameKind::kCall) {
    message += "an argument or ')' after " + Quoted(last_spelling_);
  } else {
    message += "a value after " + Quoted(last_spelling_);
  }
  if (!found.empty()) message += ", found " + found;
  std::string hint;
  if (last_kind_ == TokenKind::kBinary && (found == "'>'" || found == "'<'") &&
      (last_spelling_ == "=" || last_spelling_ == "==")) {
    hint = "did you mean '" + found.substr(1, 1) + "='?";
  }
  return MakeSyntaxError(where, std::move(message), std::move(hint));
}

SyntaxError TreeBuilder::ExpectedOperator(SourceSpan where, const std::string& found) const {
  const Frame& frame = top();
  std::string message;
  switch (frame.kind) {
    case FrameKind::kTop: message = "expected an operator or the end of the condition"; break;
    case FrameKind::kParen: message = "expected an operator or ')'"; break;
    case FrameKind::kCall: message = "expected an operator, ',' or ')' in the call to " + frame.head.text; break;
    case FrameKind::kIn: message = "expected an operator, ',' or ')' in the IN list"; break;
  }
  message += ", found " + (found.empty() ? std::string("the end of the condition") : found);
  std::string hint;
  if (frame.kind == FrameKind::kTop && found == "')'") hint = "this ')' has no matching '('";
  if (frame.kind != FrameKind::kCall && frame.kind != FrameKind::kIn && found == "','" &&
      !frame.operands.empty() && frame.operands.back().node.kind == NodeKind::kNumber &&
      !frame.operands.back().node.currency) {
    hint = "write numbers without ',' (500000) or as a currency amount ($500,000)";
  }
  SyntaxError error = MakeSyntaxError(where, std::move(message), std::move(hint));
  if (frame.kind != FrameKind::kTop) error.diagnostics.push_back(OpenerNote(frame));
  return error;
}

}  // namespace cf::grammar::internal
