// AnalysisCondition: an AnalysisTemplate metric's `successCondition` or
// `failureCondition`, parsed once and evaluated against each measurement.
//
// The model: Argo Rollouts evaluates a condition with the expr-lang/expr
// library, `result` bound to the provider's value (argo-rollouts
// utils/evaluate/evaluate.go, EvalCondition, at 9f8d111; expr v1.17.8, the
// version argo-rollouts pins). kubesim's measurements are Prometheus results:
// a vector of numbers (Go `[]float64`, what the Prometheus provider passes
// for a vector query) or, for a scalar query, one number (`float64`).
//
// Evaluation has expr's two phases, so the errors are the ones Argo reports:
//  1. A type check of the whole expression against the type of `result`
//     (expr checker/checker.go). `result >= 0.95` on a vector, `result[0]`
//     on a scalar and unknown names are errors even in a branch that would
//     not run: `true || result > 1` is an error with a vector.
//  2. A run (expr vm/runtime): `&&` and `||` short-circuit, so
//     `len(result) == 0 || result[0] > 1` is true for an empty vector, while
//     `result[0]` on it fails with "index out of range: 0 (array length is
//     0)". The value must be a bool ("expected bool, but got float64", as
//     EvalCondition requires). Argo turns any error into an Error
//     measurement.
//
// The language, a subset of expr's:
//   literals     1, 2.5, .5, 1e-3, 1_000, 0x10, true, false, nil
//   names        result (anything else: "unknown name X")
//   index        x[i]   i an integer; negative counts from the end (x[-1])
//   unary        - +    (bind tighter than * / %)
//                ! not  (expr's precedence 50: looser than * / %, tighter
//                        than + -; `!a * b` is `!(a * b)`)
//   binary, loosest first:
//                || or;  && and;  < <= > >= == !=;  + -;  * / %
//                all left-associative; `a < b < c` means `a < b && b < c`;
//                `/` always gives a float64 (7 / 2 == 3.5); `%` wants
//                integers
//   calls        isNaN(x) isInf(x) (true for +Inf and -Inf) asInt(x)
//                asFloat(x) (Argo's helpers); len(x) abs(x) min(a, ...)
//                max(a, ...) (expr builtins; min/max also take the vector:
//                max(result), nil when it is empty)
//   parentheses; // and /* */ comments
// Numbers are int (int64) or float64 as in Go: comparisons mix them freely,
// comparisons with NaN are false (`!=` true), `==` between the vector and
// nil is false, and comparing the vector with a number is an error.
//
// Other expr syntax (strings, `in`, `..`, `**`, `?:`, `??`, member access,
// slices, array and map literals, predicates like all(), other builtins and
// Argo's default()/isNil()) is refused by Parse with an error saying kubesim
// does not support it.
//
// Where kubesim differs from expr:
//  - Parse errors have kubesim's wording and end with " at column N", N the
//    1-based position in characters (a newline counts as one) of the
//    offending token in the text.
//  - The type check calls the nil literal's type "nil" (expr: "unknown").
//  - Parse refuses more than 1000 nodes or nesting deeper than 100 (expr:
//    10000 nodes, no nesting limit).
//  - asInt() of NaN, +-Inf or a value outside int64 gives
//    -9223372036854775808, what Go's int64(f) gives on amd64 (the
//    conversion is implementation-defined in Go).
#ifndef KUBESIM_K8S_ANALYSIS_CONDITION_H_
#define KUBESIM_K8S_ANALYSIS_CONDITION_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/engine/expected.h"

namespace kubesim::k8s {

// A parsed condition: an immutable value, cheap to copy (copies share the
// parsed tree).
class AnalysisCondition {
 public:
  // Parses `text` (e.g. "result[0] >= 0.95",
  // "isNaN(result[0]) || result[0] >= 0.95",
  // "result[0] < 0.05 and len(result) > 0"). On a syntax error: an Error whose
  // message says what is wrong and ends with " at column N" (1-based), e.g.
  // `unexpected "]" at column 10`.
  static Expected<AnalysisCondition> Parse(std::string_view text);

  // Evaluates with `result` bound to the measurement: the vector of numbers
  // (a Prometheus vector result: [0.97]) or, when `scalar` is true, the
  // number result[0] alone (an Error when `result` is empty). Returns the
  // boolean, or an Error with expr's message when the expression is not well
  // typed for that `result` ("invalid operation: >= (mismatched types
  // []float64 and float64)", "unknown name foo"), fails while running
  // ("index out of range: 0 (array length is 0)") or is not a boolean
  // ("expected bool, but got float64").
  Expected<bool> Evaluate(const std::vector<double>& result, bool scalar = false) const;

  // The text Parse was given.
  const std::string& text() const { return text_; }

  // The parsed tree (sim/k8s/analysis_condition.cc).
  struct Ast;

 private:
  AnalysisCondition(std::string text, std::shared_ptr<const Ast> ast);

  std::string text_;
  std::shared_ptr<const Ast> ast_;  // never null
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_ANALYSIS_CONDITION_H_
