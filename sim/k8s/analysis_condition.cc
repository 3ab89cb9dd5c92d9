// Argo Rollouts' analysis conditions: expr-lang/expr v1.17.8 cut down to the
// subset include/kubesim/k8s/analysis_condition.h lists. Each part follows
// its expr source: the lexer parser/lexer/state.go, the parser
// parser/parser.go with the precedences of parser/operator/operator.go, the
// type check checker/checker.go (with checker/nature/nature.go and
// builtin/validation.go), and the run vm/vm.go, vm/runtime/runtime.go,
// vm/runtime/helpers[generated].go and builtin/lib.go. Argo's own helpers
// (isInf, asInt, asFloat) follow argo-rollouts utils/evaluate/evaluate.go.
#include "kubesim/k8s/analysis_condition.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

namespace kubesim::k8s {

// The parsed tree: nodes in one vector, operands by index (so copying and
// sharing are trivial). Every node is created after its operands, so
// `operands` always point backwards.
struct AnalysisCondition::Ast {
  enum class Kind : uint8_t {
    kInteger,  // `integer`
    kFloat,    // `number`
    kBool,     // `boolean`
    kNil,
    kName,    // `spelling` is the identifier
    kIndex,   // operands: the indexed value, the index
    kUnary,   // `op`, `spelling`; operands: the operand
    kBinary,  // `op`, `spelling`; operands: left, right
    kCall,    // `function`, `spelling` (the name); operands: the arguments
  };
  enum class Op : uint8_t {
    kNot,
    kNegate,
    kPlus,
    kOr,
    kAnd,
    kEqual,
    kNotEqual,
    kLess,
    kLessEqual,
    kGreater,
    kGreaterEqual,
    kAdd,
    kSubtract,
    kMultiply,
    kDivide,
    kModulo,
  };
  enum class Function : uint8_t {
    kUnknownName,  // not a function kubesim knows: the type check says "unknown name"
    kIsNaN,
    kIsInf,
    kAsInt,
    kAsFloat,
    kLen,
    kAbs,
    kMin,
    kMax,
  };
  struct Node {
    Kind kind = Kind::kNil;
    Op op = Op::kNot;
    Function function = Function::kUnknownName;
    // The identifier, the function name, or the operator as written ("and"
    // or "&&": expr's messages name the one the user wrote).
    std::string spelling;
    int64_t integer = 0;
    double number = 0;
    bool boolean = false;
    std::vector<int> operands;
  };

  std::vector<Node> nodes;
  int root = 0;
};

namespace {

using Ast = AnalysisCondition::Ast;
using Node = Ast::Node;
using Kind = Ast::Kind;
using Op = Ast::Op;
using Function = Ast::Function;

// A condition is a short expression; these bound the recursion of the
// parser, the type check and the run. expr allows 10000 nodes
// (conf.DefaultMaxNodes) and does not bound nesting.
constexpr size_t kMaxNodes = 1000;
constexpr int kMaxDepth = 100;
constexpr int kFailed = -1;

// ---- Go's formatting, for expr's messages -----------------------------------

// Go's %v of a float64, strconv.FormatFloat(f, 'g', -1, 64): the shortest
// digits that read back as `f`, in exponent form when the exponent is below
// -4 or at least 6 ("0.97", "1e+06", "1e-05", "NaN", "+Inf").
std::string GoFloat(double f) {
  if (std::isnan(f)) return "NaN";
  if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, f, std::chars_format::scientific);
  std::string_view text(buffer, static_cast<size_t>(end - buffer));  // "-9.7e-01"
  std::string out;
  if (text.front() == '-') {
    out += '-';
    text.remove_prefix(1);
  }
  const size_t e = text.find('e');
  std::string digits;
  for (char c : text.substr(0, e)) {
    if (c != '.') digits += c;
  }
  std::string_view exponent_text = text.substr(e + 1);
  const bool negative_exponent = exponent_text.front() == '-';
  exponent_text.remove_prefix(1);  // the sign to_chars always writes
  int exponent = 0;
  std::from_chars(exponent_text.data(), exponent_text.data() + exponent_text.size(), exponent);
  if (negative_exponent) exponent = -exponent;

  if (exponent < -4 || exponent >= 6) {
    out += digits[0];
    if (digits.size() > 1) {
      out += '.';
      out.append(digits, 1);
    }
    out += fmt::format("e{}{:02d}", exponent < 0 ? '-' : '+', std::abs(exponent));
  } else if (exponent < 0) {
    out += "0.";
    out.append(static_cast<size_t>(-exponent - 1), '0');
    out += digits;
  } else {
    const size_t point = static_cast<size_t>(exponent) + 1;  // digits before the point
    if (digits.size() <= point) {
      out += digits;
      out.append(point - digits.size(), '0');
    } else {
      out.append(digits, 0, point);
      out += '.';
      out.append(digits, point);
    }
  }
  return out;
}

// Go's int64(f) for a float64 as amd64 computes it: truncation toward zero,
// and math.MinInt64 for NaN, the infinities and values outside int64 (the
// spec leaves those implementation-defined).
int64_t GoFloatToInt(double f) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(f) || f >= kTwoTo63 || f < -kTwoTo63) {
    return std::numeric_limits<int64_t>::min();
  }
  return static_cast<int64_t>(f);
}

// Go's int arithmetic wraps around; C++'s signed overflow is undefined.
int64_t Wrap(uint64_t bits) { return static_cast<int64_t>(bits); }
int64_t WrappingAdd(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t WrappingSubtract(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t WrappingMultiply(int64_t a, int64_t b) {
  return Wrap(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}
int64_t WrappingNegate(int64_t a) { return Wrap(0 - static_cast<uint64_t>(a)); }

// ---- Tokens ----------------------------------------------------------------

struct Token {
  enum class Kind : uint8_t { kEnd, kNumber, kName, kOperator, kBracket };
  Kind kind = Kind::kEnd;
  std::string_view text;
  size_t offset = 0;  // in bytes, into the condition's text

  bool Is(Kind k, std::string_view t) const { return kind == k && text == t; }
};

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
// expr's utils.IsAlphabetic, ASCII only (a non-ASCII letter could only spell
// an unknown name).
bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}
bool IsNameChar(char c) { return IsNameStart(c) || IsDigit(c); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Words the lexer makes operators (expr's identifier state).
bool IsKeywordOperator(std::string_view word) {
  for (std::string_view k : {"not", "in", "or", "and", "matches", "contains", "startsWith",
                             "endsWith", "let", "if", "else"}) {
    if (word == k) return true;
  }
  return false;
}

// ---- Operators and functions -----------------------------------------------

struct OperatorInfo {
  Op op;
  int precedence;  // parser/operator/operator.go
};

std::optional<OperatorInfo> UnaryOperator(std::string_view text) {
  if (text == "not" || text == "!") return OperatorInfo{Op::kNot, 50};
  if (text == "-") return OperatorInfo{Op::kNegate, 90};
  if (text == "+") return OperatorInfo{Op::kPlus, 90};
  return std::nullopt;
}

std::optional<OperatorInfo> BinaryOperator(std::string_view text) {
  if (text == "or" || text == "||") return OperatorInfo{Op::kOr, 10};
  if (text == "and" || text == "&&") return OperatorInfo{Op::kAnd, 15};
  if (text == "==") return OperatorInfo{Op::kEqual, 20};
  if (text == "!=") return OperatorInfo{Op::kNotEqual, 20};
  if (text == "<") return OperatorInfo{Op::kLess, 20};
  if (text == "<=") return OperatorInfo{Op::kLessEqual, 20};
  if (text == ">") return OperatorInfo{Op::kGreater, 20};
  if (text == ">=") return OperatorInfo{Op::kGreaterEqual, 20};
  if (text == "+") return OperatorInfo{Op::kAdd, 30};
  if (text == "-") return OperatorInfo{Op::kSubtract, 30};
  if (text == "*") return OperatorInfo{Op::kMultiply, 60};
  if (text == "/") return OperatorInfo{Op::kDivide, 60};
  if (text == "%") return OperatorInfo{Op::kModulo, 60};
  return std::nullopt;
}

// expr chains these (operator.IsComparison): `a < b < c` is `a < b && b < c`.
// == and != do not chain.
bool IsChainedComparison(Op op) {
  return op == Op::kLess || op == Op::kLessEqual || op == Op::kGreater || op == Op::kGreaterEqual;
}

// What kubesim calls an operator token expr knows but kubesim does not
// support, or nullopt.
std::optional<std::string> UnsupportedOperator(std::string_view text) {
  for (std::string_view op :
       {"in", "matches", "contains", "startsWith", "endsWith", "..", "**", "^", "??", "|"}) {
    if (text == op) return fmt::format("operator \"{}\"", text);
  }
  if (text == "?") return std::string("the conditional operator \"?:\"");
  if (text == "." || text == "?.") return fmt::format("member access \"{}\"", text);
  if (text == ";") return std::string("sequences (\";\")");
  if (text == "let" || text == "if" || text == "else") return fmt::format("\"{}\"", text);
  if (text == "#" || text == "::") return fmt::format("\"{}\"", text);
  return std::nullopt;
}

Function FunctionNamed(std::string_view name) {
  if (name == "isNaN") return Function::kIsNaN;
  if (name == "isInf") return Function::kIsInf;
  if (name == "asInt") return Function::kAsInt;
  if (name == "asFloat") return Function::kAsFloat;
  if (name == "len") return Function::kLen;
  if (name == "abs") return Function::kAbs;
  if (name == "min") return Function::kMin;
  if (name == "max") return Function::kMax;
  return Function::kUnknownName;
}

// expr's builtins (builtin/builtin.go, the predicates of parser/parser.go)
// and Argo's other helpers that kubesim does not evaluate: a call to one is
// a parse error saying so, where expr would have run it.
bool IsUnsupportedFunction(std::string_view name) {
  for (std::string_view f :
       {"all",        "none",      "any",      "one",           "filter",     "map",
        "find",       "findIndex", "findLast", "findLastIndex", "count",      "sum",
        "groupBy",    "sortBy",    "reduce",   "type",          "ceil",       "floor",
        "round",      "int",       "float",    "string",        "trim",       "trimPrefix",
        "trimSuffix", "upper",     "lower",    "split",         "splitAfter", "replace",
        "repeat",     "join",      "indexOf",  "lastIndexOf",   "hasPrefix",  "hasSuffix",
        "mean",       "median",    "toJSON",   "fromJSON",      "now",        "duration",
        "date",       "timezone",  "first",    "last",          "get",        "take",
        "keys",       "values",    "toPairs",  "fromPairs",     "reverse",    "uniq",
        "concat",     "flatten",   "sort",     "bitnot",        "bitand",     "bitor",
        "bitxor",     "bitnand",   "bitshl",   "bitshr",        "bitushr",    "default",
        "isNil"}) {
    if (name == f) return true;
  }
  return false;
}

constexpr std::string_view kSupportedFunctions =
    "isNaN, isInf, asInt, asFloat, len, abs, min or max";

// ---- Parser ----------------------------------------------------------------

// expr's lexer and parser (precedence climbing), building an Ast. The first
// error wins, as in expr (Parser.error keeps the first).
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Expected<Ast> Run() {
    Advance();
    int root = kFailed;
    if (!failed()) root = ParseExpression(0);
    if (!failed() && current_.kind != Token::Kind::kEnd) Fail(current_.offset, Unexpected());
    if (failed()) return *error_;
    Ast ast;
    ast.nodes = std::move(nodes_);
    ast.root = root;
    return ast;
  }

 private:
  bool failed() const { return error_.has_value(); }

  // Records the first error, at the 1-based character column of byte
  // `offset` (a newline counts as one character); returns kFailed.
  int Fail(size_t offset, std::string message) {
    if (failed()) return kFailed;
    int column = 1;
    for (size_t i = 0; i < offset && i < text_.size(); ++i) {
      if ((static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80) ++column;  // not a continuation
    }
    error_ = Error{fmt::format("{} at column {}", message, column)};
    return kFailed;
  }

  std::string Unexpected() const {
    if (current_.kind == Token::Kind::kEnd) return "unexpected end of expression";
    return fmt::format("unexpected \"{}\"", current_.text);
  }

  int FailUnsupported(size_t offset, std::string_view what) {
    return Fail(offset, fmt::format("kubesim does not support {}", what));
  }

  int Add(Node node) {
    if (nodes_.size() >= kMaxNodes) {
      return Fail(current_.offset,
                  fmt::format("expression exceeds the maximum of {} nodes", kMaxNodes));
    }
    nodes_.push_back(std::move(node));
    return static_cast<int>(nodes_.size()) - 1;
  }

  // Consumes `text` or fails.
  void Expect(Token::Kind kind, std::string_view text) {
    if (failed()) return;
    if (current_.Is(kind, text)) {
      Advance();
      return;
    }
    Fail(current_.offset, fmt::format("{} (expected \"{}\")", Unexpected(), text));
  }

  // ---- The lexer (parser/lexer/state.go) ----

  // Reads the next token into current_.
  void Advance() {
    if (failed()) return;
    const size_t n = text_.size();
    while (true) {  // spaces and comments
      while (pos_ < n && IsSpace(text_[pos_])) ++pos_;
      if (text_.substr(pos_, 2) == "//") {
        while (pos_ < n && text_[pos_] != '\n') ++pos_;
      } else if (text_.substr(pos_, 2) == "/*") {
        const size_t close = text_.find("*/", pos_ + 2);
        if (close == std::string_view::npos) {
          Fail(pos_, "unclosed comment");
          return;
        }
        pos_ = close + 2;
      } else {
        break;
      }
    }
    const size_t start = pos_;
    if (start >= n) {
      current_ = Token{Token::Kind::kEnd, text_.substr(n), n};
      return;
    }
    const char c = text_[start];
    auto emit = [&](Token::Kind kind) {
      current_ = Token{kind, text_.substr(start, pos_ - start), start};
    };
    auto accept = [&](std::string_view chars) {
      if (pos_ < n && chars.find(text_[pos_]) != std::string_view::npos) {
        ++pos_;
        return true;
      }
      return false;
    };

    if (c == '\'' || c == '"' || c == '`') {
      FailUnsupported(start, "string literals");
      return;
    }
    if (IsDigit(c) || (c == '.' && pos_ + 1 < n && IsDigit(text_[pos_ + 1]))) {
      LexNumber();
      return;
    }
    if (IsNameStart(c)) {
      while (pos_ < n && IsNameChar(text_[pos_])) ++pos_;
      emit(IsKeywordOperator(text_.substr(start, pos_ - start)) ? Token::Kind::kOperator
                                                                : Token::Kind::kName);
      return;
    }
    ++pos_;
    switch (c) {
      case '(':
      case '[':
      case '{':
      case ')':
      case ']':
      case '}':
        emit(Token::Kind::kBracket);
        return;
      case '?':
        accept(".?");
        break;
      case '|':
        accept("|");
        break;
      case ':':
        accept(":");
        break;
      case '.':
        accept(".");
        break;
      case ',':
      case ';':
      case '%':
      case '+':
      case '-':
      case '^':
      case '/':
      case '#':
        break;
      case '&':
      case '!':
      case '=':
      case '*':
      case '<':
      case '>':
        accept("&=*");  // &&, !=, ==, <=, >=, ** (and nonsense like &= the parser rejects)
        break;
      default:
        Fail(start, fmt::format("unrecognized character {}", DescribeCharacter(start)));
        return;
    }
    emit(Token::Kind::kOperator);
  }

  // expr's scanNumber: digits with `_` separators, 0x/0o/0b prefixes, a
  // fraction and an exponent; a letter right after is an error.
  void LexNumber() {
    const size_t n = text_.size();
    const size_t start = pos_;
    auto run = [&](std::string_view digits) {
      while (pos_ < n && digits.find(text_[pos_]) != std::string_view::npos) ++pos_;
    };
    std::string_view digits = "0123456789_";
    if (text_[pos_] == '.') {
      ++pos_;
      run(digits);
    } else {
      if (text_[pos_] == '0' && pos_ + 1 < n) {
        switch (text_[pos_ + 1]) {
          case 'x':
          case 'X':
            digits = "0123456789abcdefABCDEF_";
            pos_ += 2;
            break;
          case 'o':
          case 'O':
            digits = "01234567_";
            pos_ += 2;
            break;
          case 'b':
          case 'B':
            digits = "01_";
            pos_ += 2;
            break;
          default:
            break;
        }
      }
      run(digits);
      // "1..2" is a range in expr: the dot then belongs to the operator.
      if (pos_ < n && text_[pos_] == '.' && !(pos_ + 1 < n && text_[pos_ + 1] == '.')) {
        ++pos_;
        run(digits);
      }
    }
    if (pos_ < n && (text_[pos_] == 'e' || text_[pos_] == 'E')) {
      ++pos_;
      if (pos_ < n && (text_[pos_] == '+' || text_[pos_] == '-')) ++pos_;
      run(digits);
    }
    if (pos_ < n && IsNameChar(text_[pos_])) {
      ++pos_;
      Fail(start, fmt::format("bad number syntax \"{}\"", text_.substr(start, pos_ - start)));
      return;
    }
    current_ = Token{Token::Kind::kNumber, text_.substr(start, pos_ - start), start};
  }

  // A character for a message: itself in quotes, or its code when it does
  // not print.
  std::string DescribeCharacter(size_t offset) const {
    const auto lead = static_cast<unsigned char>(text_[offset]);
    size_t length = 1;
    if (lead >= 0xF0) {
      length = 4;
    } else if (lead >= 0xE0) {
      length = 3;
    } else if (lead >= 0xC0) {
      length = 2;
    }
    if (lead >= 0x80 && lead < 0xC0) length = 0;  // a stray continuation byte
    if ((lead > 0x20 && lead < 0x7F) || (length > 1 && offset + length <= text_.size())) {
      return fmt::format("\"{}\"", text_.substr(offset, length));
    }
    return fmt::format("(byte 0x{:02X})", lead);
  }

  // ---- The grammar (parser/parser.go) ----

  // parseExpression: a primary, then binary operators binding at least as
  // tightly as `precedence`.
  int ParseExpression(int precedence) {
    if (failed()) return kFailed;
    if (depth_ >= kMaxDepth) {
      return Fail(current_.offset,
                  fmt::format("expression is nested more than {} levels deep", kMaxDepth));
    }
    ++depth_;
    int left = ParsePrimary();
    while (!failed() && current_.kind == Token::Kind::kOperator) {
      const Token op_token = current_;
      const std::optional<OperatorInfo> op = BinaryOperator(op_token.text);
      if (!op) {
        if (auto what = UnsupportedOperator(op_token.text)) FailUnsupported(op_token.offset, *what);
        break;
      }
      if (op->precedence < precedence) break;
      Advance();
      if (IsChainedComparison(op->op)) {
        left = ParseComparison(left, op_token, *op);
        continue;
      }
      const int right = ParseExpression(op->precedence + 1);  // all left-associative
      if (failed()) break;
      left = AddBinary(op->op, op_token.text, left, right);
    }
    --depth_;
    return failed() ? kFailed : left;
  }

  // parseComparison: `a < b <= c` is `a < b && b <= c`, `b` shared.
  int ParseComparison(int left, Token op_token, OperatorInfo op) {
    int root = kFailed;
    while (true) {
      const int comparator = ParseExpression(op.precedence + 1);
      if (failed()) return kFailed;
      const int comparison = AddBinary(op.op, op_token.text, left, comparator);
      root = root == kFailed ? comparison : AddBinary(Op::kAnd, "&&", root, comparison);
      if (failed()) return kFailed;
      left = comparator;
      op_token = current_;
      if (op_token.kind != Token::Kind::kOperator) break;
      const std::optional<OperatorInfo> next = BinaryOperator(op_token.text);
      if (!next || !IsChainedComparison(next->op)) break;
      op = *next;
      Advance();
    }
    return root;
  }

  int AddBinary(Op op, std::string_view spelling, int left, int right) {
    Node node;
    node.kind = Kind::kBinary;
    node.op = op;
    node.spelling = std::string(spelling);
    node.operands = {left, right};
    return Add(std::move(node));
  }

  // parsePrimary: a unary operator and its operand, a parenthesised
  // expression, or parseSecondary.
  int ParsePrimary() {
    const Token token = current_;
    if (token.kind == Token::Kind::kOperator) {
      if (const std::optional<OperatorInfo> op = UnaryOperator(token.text)) {
        Advance();
        const int operand = ParseExpression(op->precedence);
        if (failed()) return kFailed;
        Node node;
        node.kind = Kind::kUnary;
        node.op = op->op;
        node.spelling = std::string(token.text);
        node.operands = {operand};
        return ParsePostfix(Add(std::move(node)));
      }
    }
    if (token.Is(Token::Kind::kBracket, "(")) {
      Advance();
      const int inner = ParseExpression(0);
      Expect(Token::Kind::kBracket, ")");
      return ParsePostfix(inner);
    }
    return ParseSecondary();
  }

  // parseSecondary: a name, a call, a literal.
  int ParseSecondary() {
    const Token token = current_;
    Node node;
    switch (token.kind) {
      case Token::Kind::kName:
        Advance();
        if (failed()) return kFailed;
        // Literals take no postfix in expr: `true[0]` is a syntax error.
        if (token.text == "true" || token.text == "false") {
          node.kind = Kind::kBool;
          node.boolean = token.text == "true";
          return Add(std::move(node));
        }
        if (token.text == "nil") {
          node.kind = Kind::kNil;
          return Add(std::move(node));
        }
        if (current_.Is(Token::Kind::kBracket, "(")) return ParsePostfix(ParseCall(token));
        node.kind = Kind::kName;
        node.spelling = std::string(token.text);
        return ParsePostfix(Add(std::move(node)));
      case Token::Kind::kNumber:
        Advance();
        return ParseNumber(token);
      case Token::Kind::kBracket:
        if (token.text == "[") return FailUnsupported(token.offset, "array literals");
        if (token.text == "{") return FailUnsupported(token.offset, "map literals");
        break;
      case Token::Kind::kOperator:
        if (auto what = UnsupportedOperator(token.text)) {
          return FailUnsupported(token.offset, *what);
        }
        break;
      case Token::Kind::kEnd:
        break;
    }
    return Fail(token.offset, Unexpected());
  }

  // A call: `name(arguments...)`, a trailing comma allowed (parseArguments).
  int ParseCall(Token name) {
    const Function function = FunctionNamed(name.text);
    if (function == Function::kUnknownName && IsUnsupportedFunction(name.text)) {
      return FailUnsupported(
          name.offset, fmt::format("function \"{}\" (use {})", name.text, kSupportedFunctions));
    }
    Advance();  // "("
    std::vector<int> arguments;
    while (!failed() && !current_.Is(Token::Kind::kBracket, ")")) {
      if (!arguments.empty()) Expect(Token::Kind::kOperator, ",");
      if (failed() || current_.Is(Token::Kind::kBracket, ")")) break;
      arguments.push_back(ParseExpression(0));
    }
    Expect(Token::Kind::kBracket, ")");
    if (failed()) return kFailed;
    Node node;
    node.kind = Kind::kCall;
    node.function = function;
    node.spelling = std::string(name.text);
    node.operands = std::move(arguments);
    return Add(std::move(node));
  }

  // parsePostfixExpression: indexes `x[i]` (member access and slices are not
  // supported).
  int ParsePostfix(int node) {
    while (!failed()) {
      if (current_.Is(Token::Kind::kOperator, ".") || current_.Is(Token::Kind::kOperator, "?.")) {
        return FailUnsupported(current_.offset, *UnsupportedOperator(current_.text));
      }
      if (!current_.Is(Token::Kind::kBracket, "[")) break;
      Advance();
      if (current_.Is(Token::Kind::kOperator, ":")) {
        return FailUnsupported(current_.offset, "slices (x[a:b])");
      }
      const int index = ParseExpression(0);
      if (current_.Is(Token::Kind::kOperator, ":")) {
        return FailUnsupported(current_.offset, "slices (x[a:b])");
      }
      Expect(Token::Kind::kBracket, "]");
      if (failed()) return kFailed;
      Node index_node;
      index_node.kind = Kind::kIndex;
      index_node.operands = {node, index};
      node = Add(std::move(index_node));
    }
    return failed() ? kFailed : node;
  }

  // A number literal: int64 unless it has a fraction or an exponent (hex,
  // octal and binary are integers), `_` separators dropped.
  int ParseNumber(const Token& token) {
    std::string digits;
    for (char c : token.text) {
      if (c != '_') digits += c;
    }
    Node node;
    int base = 10;
    size_t skip = 0;
    if (digits.size() > 1 && digits[0] == '0') {
      const char p = digits[1];
      if (p == 'x' || p == 'X') base = 16;
      if (p == 'o' || p == 'O') base = 8;
      if (p == 'b' || p == 'B') base = 2;
      if (base != 10) skip = 2;
    }
    const char* first = digits.data() + skip;
    const char* last = digits.data() + digits.size();
    if (base == 10 && digits.find_first_of(".eE") != std::string::npos) {
      double value = 0;
      const auto [end, ec] = std::from_chars(first, last, value);
      if (ec == std::errc::result_out_of_range) {
        // Too large or too small: strconv.ParseFloat refuses only the
        // former (the latter reads as 0 or a subnormal).
        value = std::strtod(digits.c_str(), nullptr);
        if (std::isinf(value)) {
          return Fail(token.offset, fmt::format("float literal \"{}\" is too large", token.text));
        }
      } else if (ec != std::errc() || end != last) {
        return Fail(token.offset, fmt::format("invalid float literal \"{}\"", token.text));
      }
      node.kind = Kind::kFloat;
      node.number = value;
      return Add(std::move(node));
    }
    int64_t value = 0;
    const auto [end, ec] = std::from_chars(first, last, value, base);
    if (ec == std::errc::result_out_of_range) {
      return Fail(token.offset, fmt::format("integer literal \"{}\" is too large", token.text));
    }
    if (ec != std::errc() || end != last) {
      return Fail(token.offset, fmt::format("invalid integer literal \"{}\"", token.text));
    }
    node.kind = Kind::kInteger;
    node.integer = value;
    return Add(std::move(node));
  }

  std::string_view text_;
  size_t pos_ = 0;  // the lexer's position
  Token current_;
  int depth_ = 0;
  std::vector<Node> nodes_;
  std::optional<Error> error_;
};

// ---- Types: the type check (checker/checker.go) ----------------------------

// The static types the subset can produce. kUnknown is expr's `any`
// (interface {}): what min/max of the vector return, checked while running.
enum class Type : uint8_t { kUnknown, kNil, kBool, kInt, kInt64, kFloat, kVector };

// Nature.String(), for the type check's messages.
std::string_view TypeName(Type type) {
  switch (type) {
    case Type::kUnknown:
      return "interface {}";
    case Type::kNil:
      return "nil";  // expr says "unknown"
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kInt64:
      return "int64";  // asInt's result
    case Type::kFloat:
      return "float64";
    case Type::kVector:
      return "[]float64";
  }
  return "?";
}

bool IsInteger(Type t) { return t == Type::kInt || t == Type::kInt64; }
bool IsNumber(Type t) { return IsInteger(t) || t == Type::kFloat; }

std::string_view FunctionName(Function f) {
  switch (f) {
    case Function::kIsNaN:
      return "isNaN";
    case Function::kIsInf:
      return "isInf";
    case Function::kAsInt:
      return "asInt";
    case Function::kAsFloat:
      return "asFloat";
    case Function::kLen:
      return "len";
    case Function::kAbs:
      return "abs";
    case Function::kMin:
      return "min";
    case Function::kMax:
      return "max";
    case Function::kUnknownName:
      break;
  }
  return "?";
}

// expr type-checks the whole tree before running it, against the type of
// each name in the environment (here `result`: []float64 or float64). The
// first error in evaluation order wins: operands are checked before the
// operator that combines them.
class Checker {
 public:
  Checker(const Ast& ast, Type result) : ast_(ast), result_(result) {}

  Expected<Type> Check(int index) const {
    const Node& node = ast_.nodes[static_cast<size_t>(index)];
    switch (node.kind) {
      case Kind::kInteger:
        return Type::kInt;
      case Kind::kFloat:
        return Type::kFloat;
      case Kind::kBool:
        return Type::kBool;
      case Kind::kNil:
        return Type::kNil;
      case Kind::kName:
        if (node.spelling == "result") return result_;
        if (FunctionNamed(node.spelling) != Function::kUnknownName) {
          return Error{
              fmt::format("{0} is a function: call it, as in {0}(result[0])", node.spelling)};
        }
        return Error{fmt::format("unknown name {}", node.spelling)};
      case Kind::kIndex:
        return CheckIndex(node);
      case Kind::kUnary:
        return CheckUnary(node);
      case Kind::kBinary:
        return CheckBinary(node);
      case Kind::kCall:
        return CheckCall(node);
    }
    return Type::kUnknown;
  }

 private:
  // memberNode, for an index.
  Expected<Type> CheckIndex(const Node& node) const {
    const auto base = Check(node.operands[0]);
    if (!base.ok()) return base;
    const auto index = Check(node.operands[1]);
    if (!index.ok()) return index;
    if (*base == Type::kUnknown) return Type::kUnknown;
    if (*base == Type::kVector) {
      if (!IsInteger(*index) && *index != Type::kUnknown) {
        return Error{fmt::format("array elements can only be selected using an integer (got {})",
                                 TypeName(*index))};
      }
      return Type::kFloat;
    }
    return Error{fmt::format("type {}[{}] is undefined", TypeName(*base), TypeName(*index))};
  }

  // unaryNode.
  Expected<Type> CheckUnary(const Node& node) const {
    const auto operand = Check(node.operands[0]);
    if (!operand.ok()) return operand;
    const Type t = *operand;
    if (node.op == Op::kNot) {
      if (t == Type::kBool || t == Type::kUnknown) return Type::kBool;
    } else {
      if (IsNumber(t) || t == Type::kUnknown) return t;
    }
    return Error{
        fmt::format("invalid operation: {} (mismatched type {})", node.spelling, TypeName(t))};
  }

  // binaryNode. An unknown side passes when the other side could fit
  // (Nature.MaybeCompatible); the run then checks the values.
  Expected<Type> CheckBinary(const Node& node) const {
    const auto left = Check(node.operands[0]);
    if (!left.ok()) return left;
    const auto right = Check(node.operands[1]);
    if (!right.ok()) return right;
    const Type l = *left;
    const Type r = *right;
    const bool l_unknown = l == Type::kUnknown;
    const bool r_unknown = r == Type::kUnknown;
    auto maybe = [&](bool (*fits)(Type)) {
      return (l_unknown && r_unknown) || (l_unknown && fits(r)) || (r_unknown && fits(l));
    };
    auto is_bool = [](Type t) { return t == Type::kBool; };
    switch (node.op) {
      case Op::kEqual:
      case Op::kNotEqual:  // Nature.ComparableTo
        if (l_unknown || r_unknown || l == Type::kNil || r == Type::kNil ||
            (IsNumber(l) && IsNumber(r)) || l == r) {
          return Type::kBool;
        }
        break;
      case Op::kOr:
      case Op::kAnd:
        if ((l == Type::kBool && r == Type::kBool) || maybe(is_bool)) return Type::kBool;
        break;
      case Op::kLess:
      case Op::kLessEqual:
      case Op::kGreater:
      case Op::kGreaterEqual:
        if ((IsNumber(l) && IsNumber(r)) || maybe(IsNumber)) return Type::kBool;
        break;
      case Op::kAdd:
      case Op::kSubtract:
      case Op::kMultiply:  // PromoteNumericNature
        if (IsNumber(l) && IsNumber(r)) {
          return l == Type::kFloat || r == Type::kFloat ? Type::kFloat : Type::kInt;
        }
        if (maybe(IsNumber)) return Type::kUnknown;
        break;
      case Op::kDivide:
        if ((IsNumber(l) && IsNumber(r)) || maybe(IsNumber)) return Type::kFloat;
        break;
      case Op::kModulo:
        if ((IsInteger(l) && IsInteger(r)) || maybe(IsInteger)) return Type::kInt;
        break;
      case Op::kNot:
      case Op::kNegate:
      case Op::kPlus:
        break;
    }
    return Error{fmt::format("invalid operation: {} (mismatched types {} and {})", node.spelling,
                             TypeName(l), TypeName(r))};
  }

  Expected<Type> CheckCall(const Node& node) const {
    switch (node.function) {
      case Function::kUnknownName:
        return Error{fmt::format("unknown name {}", node.spelling)};
      case Function::kIsNaN:
      case Function::kIsInf:
        return CheckGoFunction(node, /*float_parameter=*/true, Type::kBool);
      case Function::kAsInt:
        return CheckGoFunction(node, /*float_parameter=*/false, Type::kInt64);
      case Function::kAsFloat:
        return CheckGoFunction(node, /*float_parameter=*/false, Type::kFloat);
      case Function::kLen:
      case Function::kAbs:
      case Function::kMin:
      case Function::kMax:
        return CheckBuiltin(node);
    }
    return Type::kUnknown;
  }

  // checkArguments, for Argo's one-parameter Go functions: isNaN and isInf
  // take a float64 (an integer converts), asInt and asFloat take any value.
  Expected<Type> CheckGoFunction(const Node& node, bool float_parameter, Type returns) const {
    const std::string_view name = FunctionName(node.function);
    if (node.operands.size() != 1) {
      for (int operand : node.operands) {
        const auto t = Check(operand);
        if (!t.ok()) return t;
      }
      return Error{fmt::format("{} arguments to call {}",
                               node.operands.size() > 1 ? "too many" : "not enough", name)};
    }
    const auto argument = Check(node.operands[0]);
    if (!argument.ok()) return argument;
    const Type t = *argument;
    if (float_parameter && !IsNumber(t) && t != Type::kUnknown) {
      return Error{
          fmt::format("cannot use {} as argument (type float64) to call {}", TypeName(t), name)};
    }
    return returns;
  }

  // The Validate functions of builtin/builtin.go and builtin/validation.go,
  // after every argument is checked.
  Expected<Type> CheckBuiltin(const Node& node) const {
    const std::string_view name = FunctionName(node.function);
    std::vector<Type> types;
    for (int operand : node.operands) {
      const auto t = Check(operand);
      if (!t.ok()) return t;
      types.push_back(*t);
    }
    auto invalid = [&](Type t) {
      return Error{fmt::format("invalid argument for {} (type {})", name, TypeName(t))};
    };
    if (node.function == Function::kLen || node.function == Function::kAbs) {
      if (types.size() != 1) {
        return Error{fmt::format("invalid number of arguments (expected 1, got {})", types.size())};
      }
      const Type t = types[0];
      if (node.function == Function::kLen) {
        if (t == Type::kVector || t == Type::kUnknown) return Type::kInt;
        return invalid(t);
      }
      if (IsNumber(t) || t == Type::kUnknown) return t;
      return invalid(t);
    }
    // min and max (validateAggregateFunc): the type of the first argument,
    // or any once an argument is the vector.
    if (types.empty()) return Error{fmt::format("not enough arguments to call {}", name)};
    for (Type t : types) {
      if (t == Type::kUnknown || t == Type::kVector) return Type::kUnknown;
      if (!IsNumber(t)) return invalid(t);
    }
    return types[0];
  }

  const Ast& ast_;
  Type result_;
};

// ---- Values: the run (vm/vm.go, vm/runtime) --------------------------------

// A value while running: never kUnknown. The vector is always `result`.
struct Value {
  Type type = Type::kNil;
  bool boolean = false;
  int64_t integer = 0;
  double number = 0;
  const std::vector<double>* vector = nullptr;

  static Value Bool(bool b) { return Value{Type::kBool, b, 0, 0, nullptr}; }
  static Value Int(int64_t i, Type type = Type::kInt) { return Value{type, false, i, 0, nullptr}; }
  static Value Float(double f) { return Value{Type::kFloat, false, 0, f, nullptr}; }
  static Value Vector(const std::vector<double>* v) { return Value{Type::kVector, false, 0, 0, v}; }
  double AsDouble() const { return IsInteger(type) ? static_cast<double>(integer) : number; }
};

// Go's %T.
std::string_view GoTypeName(const Value& v) {
  return v.type == Type::kNil ? "<nil>" : TypeName(v.type);
}

// Go's %v.
std::string GoFormat(const Value& v) {
  switch (v.type) {
    case Type::kNil:
    case Type::kUnknown:
      return "<nil>";
    case Type::kBool:
      return v.boolean ? "true" : "false";
    case Type::kInt:
    case Type::kInt64:
      return std::to_string(v.integer);
    case Type::kFloat:
      return GoFloat(v.number);
    case Type::kVector: {
      std::string out = "[";
      for (size_t i = 0; i < v.vector->size(); ++i) {
        if (i > 0) out += ' ';
        out += GoFloat((*v.vector)[i]);
      }
      return out + "]";
    }
  }
  return "?";
}

// runtime.Equal: numbers by value (an int against a float64 as float64),
// vectors element by element, nil only to nil; other pairs are unequal.
bool Equal(const Value& a, const Value& b) {
  if (IsNumber(a.type) && IsNumber(b.type)) {
    if (IsInteger(a.type) && IsInteger(b.type)) return a.integer == b.integer;
    return a.AsDouble() == b.AsDouble();  // NaN equals nothing
  }
  if (a.type != b.type) return false;
  switch (a.type) {
    case Type::kNil:
      return true;
    case Type::kBool:
      return a.boolean == b.boolean;
    case Type::kVector:
      return *a.vector == *b.vector;  // element-wise ==: a NaN makes them unequal
    default:
      return false;
  }
}

// runtime.Less and friends. Both operands are numbers (the callers check).
bool Compare(Op op, const Value& a, const Value& b) {
  if (IsInteger(a.type) && IsInteger(b.type)) {
    switch (op) {
      case Op::kLess:
        return a.integer < b.integer;
      case Op::kLessEqual:
        return a.integer <= b.integer;
      case Op::kGreater:
        return a.integer > b.integer;
      default:
        return a.integer >= b.integer;
    }
  }
  const double x = a.AsDouble();
  const double y = b.AsDouble();
  switch (op) {  // false whenever either is NaN
    case Op::kLess:
      return x < y;
    case Op::kLessEqual:
      return x <= y;
    case Op::kGreater:
      return x > y;
    default:
      return x >= y;
  }
}

std::string_view Symbol(Op op) {
  switch (op) {
    case Op::kLess:
      return "<";
    case Op::kLessEqual:
      return "<=";
    case Op::kGreater:
      return ">";
    case Op::kGreaterEqual:
      return ">=";
    case Op::kAdd:
      return "+";
    case Op::kSubtract:
      return "-";
    case Op::kMultiply:
      return "*";
    case Op::kDivide:
      return "/";
    case Op::kModulo:
      return "%";
    default:
      return "?";
  }
}

// The error of a Go type assertion `.(bool)` on a value that is not a bool
// (vm.go, OpNot and the short-circuit jumps).
Error NotBool(const Value& v) {
  return Error{fmt::format("interface conversion: interface {{}} is {}, not bool", GoTypeName(v))};
}

// Runs a checked tree. Runtime errors are expr's panic messages.
class Machine {
 public:
  Machine(const Ast& ast, const std::vector<double>& result, bool scalar)
      : ast_(ast), result_(result), scalar_(scalar) {}

  Expected<Value> Run(int index) const {
    const Node& node = ast_.nodes[static_cast<size_t>(index)];
    switch (node.kind) {
      case Kind::kInteger:
        return Value::Int(node.integer);
      case Kind::kFloat:
        return Value::Float(node.number);
      case Kind::kBool:
        return Value::Bool(node.boolean);
      case Kind::kNil:
        return Value{};
      case Kind::kName:  // the type check let only `result` through
        return scalar_ ? Value::Float(result_[0]) : Value::Vector(&result_);
      case Kind::kIndex:
        return RunIndex(node);
      case Kind::kUnary:
        return RunUnary(node);
      case Kind::kBinary:
        return RunBinary(node);
      case Kind::kCall:
        return RunCall(node);
    }
    return Value{};
  }

 private:
  // runtime.Fetch: a negative index counts from the end.
  Expected<Value> RunIndex(const Node& node) const {
    const auto base = Run(node.operands[0]);
    if (!base.ok()) return base;
    const auto index = Run(node.operands[1]);
    if (!index.ok()) return index;
    if (base->type != Type::kVector) {
      return Error{fmt::format("cannot fetch {} from {}", GoFormat(*index), GoTypeName(*base))};
    }
    int64_t i = 0;
    if (IsInteger(index->type)) {
      i = index->integer;
    } else if (index->type == Type::kFloat) {
      i = GoFloatToInt(index->number);  // runtime.ToInt
    } else {
      return Error{fmt::format("invalid operation: int({})", GoTypeName(*index))};
    }
    const auto length = static_cast<int64_t>(base->vector->size());
    if (i < 0) i = WrappingAdd(i, length);
    if (i < 0 || i >= length) {
      return Error{fmt::format("index out of range: {} (array length is {})", i, length)};
    }
    return Value::Float((*base->vector)[static_cast<size_t>(i)]);
  }

  Expected<Value> RunUnary(const Node& node) const {
    const auto operand = Run(node.operands[0]);
    if (!operand.ok()) return operand;
    const Value& v = *operand;
    switch (node.op) {
      case Op::kNot:
        if (v.type != Type::kBool) return NotBool(v);
        return Value::Bool(!v.boolean);
      case Op::kNegate:  // runtime.Negate
        if (IsInteger(v.type)) return Value::Int(WrappingNegate(v.integer), v.type);
        if (v.type == Type::kFloat) return Value::Float(-v.number);
        return Error{fmt::format("invalid operation: - {}", GoTypeName(v))};
      default:  // unary + compiles to nothing
        return v;
    }
  }

  Expected<Value> RunBinary(const Node& node) const {
    const auto left = Run(node.operands[0]);
    if (!left.ok()) return left;
    if (node.op == Op::kOr || node.op == Op::kAnd) {
      // OpJumpIfTrue / OpJumpIfFalse: the left side decides or the right
      // side is the value.
      if (left->type != Type::kBool) return NotBool(*left);
      if (left->boolean == (node.op == Op::kOr)) return left;
      return Run(node.operands[1]);
    }
    const auto right = Run(node.operands[1]);
    if (!right.ok()) return right;
    const Value& a = *left;
    const Value& b = *right;
    if (node.op == Op::kEqual) return Value::Bool(Equal(a, b));
    if (node.op == Op::kNotEqual) return Value::Bool(!Equal(a, b));
    if (!IsNumber(a.type) || !IsNumber(b.type)) {
      return Error{fmt::format("invalid operation: {} {} {}", GoTypeName(a), Symbol(node.op),
                               GoTypeName(b))};
    }
    const bool integers = IsInteger(a.type) && IsInteger(b.type);
    switch (node.op) {
      case Op::kLess:
      case Op::kLessEqual:
      case Op::kGreater:
      case Op::kGreaterEqual:
        return Value::Bool(Compare(node.op, a, b));
      case Op::kAdd:
        if (integers) return Value::Int(WrappingAdd(a.integer, b.integer));
        return Value::Float(a.AsDouble() + b.AsDouble());
      case Op::kSubtract:
        if (integers) return Value::Int(WrappingSubtract(a.integer, b.integer));
        return Value::Float(a.AsDouble() - b.AsDouble());
      case Op::kMultiply:
        if (integers) return Value::Int(WrappingMultiply(a.integer, b.integer));
        return Value::Float(a.AsDouble() * b.AsDouble());
      case Op::kDivide:  // always float64 (runtime.Divide)
        return Value::Float(a.AsDouble() / b.AsDouble());
      case Op::kModulo:
        if (!integers) {
          return Error{fmt::format("invalid operation: {} % {}", GoTypeName(a), GoTypeName(b))};
        }
        if (b.integer == 0) return Error{"integer divide by zero"};
        if (b.integer == -1) return Value::Int(0);  // Go's MinInt64 % -1 is 0
        return Value::Int(a.integer % b.integer);
      default:
        return Value{};
    }
  }

  Expected<Value> RunCall(const Node& node) const {
    std::vector<Value> arguments;
    for (int operand : node.operands) {
      auto v = Run(operand);
      if (!v.ok()) return v;
      arguments.push_back(*v);
    }
    const std::string_view name = FunctionName(node.function);
    switch (node.function) {
      case Function::kIsNaN:    // math.IsNaN
      case Function::kIsInf: {  // Argo's isInf: math.IsInf(f, 0)
        const Value& x = arguments[0];
        if (IsInteger(x.type)) return Value::Bool(false);
        if (x.type != Type::kFloat) {
          return Error{fmt::format("cannot use {} as argument (type float64) to call {}",
                                   x.type == Type::kNil ? "nil" : GoTypeName(x), name)};
        }
        return Value::Bool(node.function == Function::kIsNaN ? std::isnan(x.number)
                                                             : std::isinf(x.number));
      }
      case Function::kAsInt:
      case Function::kAsFloat: {  // Argo's asInt / asFloat on numbers; they panic otherwise
        const Value& x = arguments[0];
        if (!IsNumber(x.type)) {
          return Error{
              fmt::format("{}() not supported on {} {}", name, GoTypeName(x), GoFormat(x))};
        }
        if (node.function == Function::kAsFloat) return Value::Float(x.AsDouble());
        if (IsInteger(x.type)) return Value::Int(x.integer, Type::kInt64);
        return Value::Int(GoFloatToInt(x.number), Type::kInt64);
      }
      case Function::kLen:  // builtin.Len
        if (arguments[0].type != Type::kVector) {
          return Error{fmt::format("invalid argument for len (type {})", GoTypeName(arguments[0]))};
        }
        return Value::Int(static_cast<int64_t>(arguments[0].vector->size()));
      case Function::kAbs: {  // builtin.Abs
        const Value& x = arguments[0];
        if (IsInteger(x.type)) {
          return Value::Int(x.integer < 0 ? WrappingNegate(x.integer) : x.integer, x.type);
        }
        if (x.type == Type::kFloat) return Value::Float(x.number < 0 ? -x.number : x.number);
        return Error{fmt::format("invalid argument for abs (type {})", GoTypeName(x))};
      }
      case Function::kMin:
      case Function::kMax:
        return MinMax(node.function == Function::kMax, name, arguments);
      case Function::kUnknownName:
        break;
    }
    return Value{};
  }

  // builtin.minMax: over the numbers and the vectors' elements, keeping the
  // first of equal values; a NaN first stays, a NaN later is skipped (every
  // comparison with it is false). An empty vector adds nothing: max(result)
  // of an empty vector is nil.
  static Expected<Value> MinMax(bool is_max, std::string_view name,
                                const std::vector<Value>& arguments) {
    auto better = [&](const Value& current, const Value& candidate) {
      return Compare(is_max ? Op::kLess : Op::kGreater, current, candidate);
    };
    std::optional<Value> best;
    for (const Value& argument : arguments) {
      if (argument.type == Type::kVector) {
        const std::vector<double>& v = *argument.vector;
        if (v.empty()) continue;
        Value m = Value::Float(v[0]);
        for (size_t i = 1; i < v.size(); ++i) {
          if (better(m, Value::Float(v[i]))) m = Value::Float(v[i]);
        }
        if (!best || better(*best, m)) best = m;
      } else if (IsNumber(argument.type)) {
        if (!best || better(*best, argument)) best = argument;
      } else {
        if (arguments.size() == 1) return argument;
        return Error{fmt::format("invalid argument for {} (type {})", name, GoTypeName(argument))};
      }
    }
    return best ? *best : Value{};
  }

  const Ast& ast_;
  const std::vector<double>& result_;
  bool scalar_;
};

}  // namespace

AnalysisCondition::AnalysisCondition(std::string text, std::shared_ptr<const Ast> ast)
    : text_(std::move(text)), ast_(std::move(ast)) {}

Expected<AnalysisCondition> AnalysisCondition::Parse(std::string_view text) {
  Expected<Ast> ast = Parser(text).Run();
  if (!ast.ok()) return Error{ast.error()};
  return AnalysisCondition(std::string(text), std::make_shared<const Ast>(std::move(ast).value()));
}

Expected<bool> AnalysisCondition::Evaluate(const std::vector<double>& result, bool scalar) const {
  if (scalar && result.empty()) return Error{"no data: a scalar result needs a value"};
  const Checker checker(*ast_, scalar ? Type::kFloat : Type::kVector);
  if (const Expected<Type> type = checker.Check(ast_->root); !type.ok()) {
    return Error{type.error()};
  }
  const Machine machine(*ast_, result, scalar);
  const Expected<Value> value = machine.Run(ast_->root);
  if (!value.ok()) return Error{value.error()};
  // EvalCondition's own check: expr.Compile is not told to expect a bool.
  if (value->type != Type::kBool) {
    return Error{fmt::format("expected bool, but got {}", GoTypeName(*value))};
  }
  return value->boolean;
}

}  // namespace kubesim::k8s
