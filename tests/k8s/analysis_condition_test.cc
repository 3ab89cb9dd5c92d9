// Argo Rollouts analysis conditions. Vectors marked "evaluate_test.go" come
// from argo-rollouts utils/evaluate/evaluate_test.go at 9f8d111 (the test
// named beside each), the expected messages from expr-lang/expr v1.17.8
// (checker/checker.go, vm/runtime/runtime.go, builtin/builtin.go).
#include "kubesim/k8s/analysis_condition.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace kubesim::k8s {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Parses `text` (failing the test on a syntax error) and evaluates it.
Expected<bool> Eval(std::string_view text, const std::vector<double>& result, bool scalar = false) {
  const auto condition = AnalysisCondition::Parse(text);
  if (!condition.ok()) {
    ADD_FAILURE() << text << ": " << condition.error();
    return Error{"parse error"};
  }
  return condition->Evaluate(result, scalar);
}

// The boolean `text` evaluates to; fails the test on an error.
bool Holds(std::string_view text, const std::vector<double>& result = {}, bool scalar = false) {
  const auto value = Eval(text, result, scalar);
  EXPECT_TRUE(value.ok()) << text << ": " << (value.ok() ? "" : value.error());
  return value.ok() && *value;
}

// The evaluation error of `text`; fails the test when it evaluates.
std::string EvalError(std::string_view text, const std::vector<double>& result = {},
                      bool scalar = false) {
  const auto value = Eval(text, result, scalar);
  EXPECT_FALSE(value.ok()) << text << " evaluated to " << (value.ok() && *value);
  return value.ok() ? "" : value.error();
}

// The syntax error of `text`; fails the test when it parses.
std::string ParseError(std::string_view text) {
  const auto condition = AnalysisCondition::Parse(text);
  EXPECT_FALSE(condition.ok()) << text << " parsed";
  return condition.ok() ? "" : condition.error();
}

TEST(AnalysisConditionParse, AcceptsTheConditionsOfArgosDocumentation) {
  for (const char* text :
       {"result[0] >= 0.95", "result[0] <= 0.01", "isNaN(result[0]) || result[0] >= 0.95",
        "result[0] < 0.05 and len(result) > 0", "max(result) < 0.05", "result <= 0.01",
        "asInt(result) == 1", "not (result[0] > 0.5)", "result[0] >= 90.000000"}) {
    const auto condition = AnalysisCondition::Parse(text);
    EXPECT_TRUE(condition.ok()) << text << ": " << (condition.ok() ? "" : condition.error());
    if (condition.ok()) {
      EXPECT_EQ(condition->text(), text);
    }
  }
}

TEST(AnalysisConditionParse, ReportsSyntaxErrorsAtTheirColumn) {
  EXPECT_EQ(ParseError("result[0]] > 1"), "unexpected \"]\" at column 10");
  EXPECT_EQ(ParseError("result[0] >="), "unexpected end of expression at column 13");
  EXPECT_EQ(ParseError("result[0] >= 0.95 &&"), "unexpected end of expression at column 21");
  EXPECT_EQ(ParseError(""), "unexpected end of expression at column 1");
  EXPECT_EQ(ParseError("(result[0] > 1"),
            "unexpected end of expression (expected \")\") at column 15");
  EXPECT_EQ(ParseError("max(1 2) > 0"), "unexpected \"2\" (expected \",\") at column 7");
  EXPECT_EQ(ParseError("result[0] = 1"), "unexpected \"=\" at column 11");
  EXPECT_EQ(ParseError("result[0] >= 0.95 @"), "unrecognized character \"@\" at column 19");
  EXPECT_EQ(ParseError("true[0]"), "unexpected \"[\" at column 5");
  EXPECT_EQ(ParseError("result[0] > 1 /* note"), "unclosed comment at column 15");
  EXPECT_EQ(ParseError("1x > 0"), "bad number syntax \"1x\" at column 1");
  EXPECT_EQ(ParseError("result[0] > 99999999999999999999"),
            "integer literal \"99999999999999999999\" is too large at column 13");
  EXPECT_EQ(ParseError("result[0] > 1e400"), "float literal \"1e400\" is too large at column 13");
  EXPECT_EQ(ParseError("result[0] > 1e"), "invalid float literal \"1e\" at column 13");
}

TEST(AnalysisConditionParse, CountsColumnsInCharactersNotBytes) {
  EXPECT_EQ(ParseError("result[0] >= ä"), "unrecognized character \"ä\" at column 14");
  EXPECT_EQ(ParseError("/* ≥ */ result[0] >= ]"), "unexpected \"]\" at column 22");
  EXPECT_EQ(ParseError("result[0] >\n  ]"), "unexpected \"]\" at column 15");  // \n is one
}

TEST(AnalysisConditionParse, RefusesExprSyntaxKubesimDoesNotSupport) {
  EXPECT_EQ(ParseError("result == 'ok'"), "kubesim does not support string literals at column 11");
  EXPECT_EQ(ParseError("result == \"I am OK\""),
            "kubesim does not support string literals at column 11");
  // evaluate_test.go TestEvaluateInOperator.
  EXPECT_EQ(ParseError("2 in result"), "kubesim does not support operator \"in\" at column 3");
  // evaluate_test.go TestEvaluateInvalidStruct.
  EXPECT_EQ(ParseError("result.Name() == 'hi'"),
            "kubesim does not support member access \".\" at column 7");
  // evaluate_test.go TestEvaluateArray's all(); datadog.md's default().
  EXPECT_EQ(ParseError("all(result, {# > 1})"),
            "kubesim does not support function \"all\" (use isNaN, isInf, asInt, asFloat, len, "
            "abs, min or max) at column 1");
  EXPECT_NE(ParseError("default(result, 0) < 10").find("function \"default\""), std::string::npos);
  EXPECT_EQ(ParseError("2 ** 3 == 8"), "kubesim does not support operator \"**\" at column 3");
  EXPECT_EQ(ParseError("result[1:] == nil"),
            "kubesim does not support slices (x[a:b]) at column 9");
  EXPECT_EQ(ParseError("result[0] > 1 ? true : false"),
            "kubesim does not support the conditional operator \"?:\" at column 15");
  EXPECT_EQ(ParseError("[1, 2] == nil"), "kubesim does not support array literals at column 1");
}

TEST(AnalysisCondition, ComparesASampleOfTheVector) {
  EXPECT_TRUE(Holds("result[0] >= 0.95", {0.97}));
  EXPECT_TRUE(Holds("result[0] >= 0.95", {0.95}));
  EXPECT_FALSE(Holds("result[0] >= 0.95", {0.9}));
  EXPECT_TRUE(Holds("result[1] < result[0]", {2, 1}));
  EXPECT_TRUE(Holds("len(result) == 3", {1, 2, 3}));
}

TEST(AnalysisCondition, ComparisonsWithNaNAreFalseAndNotEqualIsTrue) {
  EXPECT_FALSE(Holds("result[0] >= 0.95", {kNaN}));
  EXPECT_FALSE(Holds("result[0] < 0.95", {kNaN}));
  EXPECT_FALSE(Holds("result[0] == result[0]", {kNaN}));
  EXPECT_TRUE(Holds("result[0] != result[0]", {kNaN}));
  EXPECT_FALSE(Holds("result == result", {kNaN}));
  EXPECT_TRUE(Holds("isNaN(result[0]) || result[0] >= 0.95", {kNaN}));
  EXPECT_FALSE(Holds("isNaN(result[0]) || result[0] >= 0.95", {0.5}));
}

// evaluate_test.go TestEvaluateResultErrorMessageWithEmptySlice: Argo reports
// such an error as "metric result is nil or empty".
TEST(AnalysisCondition, IndexingOutsideTheVectorIsAnError) {
  EXPECT_EQ(EvalError("result[0] >= 0.95", {}), "index out of range: 0 (array length is 0)");
  EXPECT_EQ(EvalError("result[3] > 0", {1, 2, 3}), "index out of range: 3 (array length is 3)");
}

TEST(AnalysisCondition, NegativeIndexesCountFromTheEnd) {
  EXPECT_TRUE(Holds("result[-1] == 3", {1, 2, 3}));
  EXPECT_TRUE(Holds("result[-3] == 1", {1, 2, 3}));
  EXPECT_EQ(EvalError("result[-4] > 0", {1, 2, 3}), "index out of range: -1 (array length is 3)");
}

TEST(AnalysisCondition, AndAndOrShortCircuit) {
  EXPECT_TRUE(Holds("len(result) == 0 || result[0] > 1", {}));
  EXPECT_TRUE(Holds("len(result) == 0 or result[0] > 1", {}));
  EXPECT_FALSE(Holds("len(result) > 0 && result[0] > 1", {}));
  EXPECT_TRUE(Holds("len(result) > 0 and result[0] > 1", {2}));
  EXPECT_FALSE(Holds("len(result) > 0 and result[0] > 1", {0.5}));
}

TEST(AnalysisCondition, TypeChecksTheWholeExpressionBeforeRunningIt) {
  // As expr's checker: a branch that would not run must still be well typed.
  EXPECT_EQ(EvalError("true || result > 1", {1}),
            "invalid operation: > (mismatched types []float64 and int)");
  EXPECT_EQ(EvalError("false && foo", {1}), "unknown name foo");
  // The first error in evaluation order wins.
  EXPECT_EQ(EvalError("bar > result[0] + foo", {1}), "unknown name bar");
}

TEST(AnalysisCondition, ComparingTheVectorWithANumberIsAnError) {
  EXPECT_EQ(EvalError("result >= 0.95", {0.97}),
            "invalid operation: >= (mismatched types []float64 and float64)");
  EXPECT_EQ(EvalError("result == 1", {1}),
            "invalid operation: == (mismatched types []float64 and int)");
  EXPECT_EQ(EvalError("result + 1 > 0", {1}),
            "invalid operation: + (mismatched types []float64 and int)");
}

TEST(AnalysisCondition, TheVectorIsNeverNil) {
  EXPECT_FALSE(Holds("result == nil", {}));
  EXPECT_FALSE(Holds("result == nil", {1}));
  EXPECT_TRUE(Holds("result != nil", {}));
  EXPECT_TRUE(Holds("nil == nil"));
  EXPECT_FALSE(Holds("result[0] == nil", {1}));
}

// evaluate_test.go TestEvaluateFloat64 (a scalar result) and datadog.md's
// `result <= 0.01`.
TEST(AnalysisCondition, BindsAScalarResultToTheNumberItself) {
  EXPECT_TRUE(Holds("result > 1", {5}, /*scalar=*/true));
  EXPECT_TRUE(Holds("result <= 0.01", {0.005}, /*scalar=*/true));
  EXPECT_FALSE(Holds("result <= 0.01", {0.5}, /*scalar=*/true));
  EXPECT_TRUE(Holds("isNaN(result)", {kNaN}, /*scalar=*/true));
  EXPECT_EQ(EvalError("result[0] > 1", {5}, /*scalar=*/true), "type float64[int] is undefined");
  EXPECT_EQ(EvalError("len(result) > 0", {5}, /*scalar=*/true),
            "invalid argument for len (type float64)");
  EXPECT_FALSE(Eval("result > 1", {}, /*scalar=*/true).ok());
}

TEST(AnalysisCondition, FollowsExprOperatorPrecedence) {
  EXPECT_TRUE(Holds("1 + 2 * 3 == 7"));
  EXPECT_TRUE(Holds("(1 + 2) * 3 == 9"));
  EXPECT_TRUE(Holds("10 - 2 - 3 == 5"));  // left-associative
  EXPECT_TRUE(Holds("12 / 2 / 3 == 2"));
  EXPECT_TRUE(Holds("-2 * 3 == -6"));
  EXPECT_TRUE(Holds("2 * -3 == -6"));
  EXPECT_TRUE(Holds("-result[0] == -0.5", {0.5}));
  EXPECT_TRUE(Holds("true || false && false"));  // && binds tighter than ||
  EXPECT_TRUE(Holds("true or false and false"));
  EXPECT_TRUE(Holds("!true == false"));  // (!true) == false
  EXPECT_FALSE(Holds("not false and false"));
  EXPECT_TRUE(Holds("!(1 > 2)"));
  EXPECT_TRUE(Holds("2 + 3 > 4 == true"));
  EXPECT_TRUE(Holds("1 < 2 == true"));
}

TEST(AnalysisCondition, ChainsComparisonsAsExprDoes) {
  EXPECT_TRUE(Holds("0 < result[0] < 1", {0.5}));
  EXPECT_FALSE(Holds("0 < result[0] < 1", {1.5}));
  EXPECT_TRUE(Holds("3 > 2 >= 2"));
}

TEST(AnalysisCondition, ComputesWithGoNumberTypes) {
  EXPECT_TRUE(Holds("7 / 2 == 3.5"));  // `/` always gives a float64
  EXPECT_TRUE(Holds("7 % 3 == 1"));
  EXPECT_TRUE(Holds("-7 % 3 == -1"));  // Go truncates toward zero
  EXPECT_TRUE(Holds("1 == 1.0"));
  EXPECT_TRUE(Holds("1 / 0 > 1e308"));  // +Inf
  EXPECT_TRUE(Holds("isInf(-1 / 0)"));
  EXPECT_EQ(EvalError("7.5 % 2 == 1"), "invalid operation: % (mismatched types float64 and int)");
  EXPECT_EQ(EvalError("result[0] % 2 == 1", {3}),
            "invalid operation: % (mismatched types float64 and int)");
  EXPECT_EQ(EvalError("1 % 0 == 0"), "integer divide by zero");
}

TEST(AnalysisCondition, ReadsNumberLiteralsAsExprDoes) {
  EXPECT_TRUE(Holds("1e-3 < 0.01"));
  EXPECT_TRUE(Holds(".5 == 0.5"));
  EXPECT_TRUE(Holds("1. == 1"));
  EXPECT_TRUE(Holds("1_000 == 1000"));
  EXPECT_TRUE(Holds("0x10 == 16"));
  EXPECT_TRUE(Holds("0o17 == 15"));
  EXPECT_TRUE(Holds("0b101 == 5"));
  EXPECT_TRUE(Holds("2.5E2 == 250"));
}

TEST(AnalysisCondition, EvaluatesIsNaNAndIsInf) {
  EXPECT_TRUE(Holds("isNaN(result[0])", {kNaN}));
  EXPECT_FALSE(Holds("isNaN(result[0])", {1}));
  EXPECT_FALSE(Holds("isNaN(1)"));  // an integer converts to float64
  // evaluate_test.go TestIsInf.
  EXPECT_TRUE(Holds("isInf(result[0])", {kInf}));
  EXPECT_TRUE(Holds("isInf(result[0])", {-kInf}));
  EXPECT_FALSE(Holds("isInf(result[0])", {0}));
  EXPECT_FALSE(Holds("isInf(result[0])", {kNaN}));
}

TEST(AnalysisCondition, EvaluatesLenAbsMinAndMax) {
  EXPECT_TRUE(Holds("len(result) == 0", {}));
  EXPECT_TRUE(Holds("abs(-2) == 2"));
  EXPECT_TRUE(Holds("abs(-2.5) == 2.5"));
  EXPECT_TRUE(Holds("abs(result[0]) == 0.5", {-0.5}));
  EXPECT_TRUE(Holds("min(3, 1, 2) == 1"));
  EXPECT_TRUE(Holds("max(1, 2.5) == 2.5"));
  // datadog.md: "fail if ANY endpoint exceeds the threshold".
  EXPECT_TRUE(Holds("max(result) < 0.05", {0.01, 0.04}));
  EXPECT_FALSE(Holds("max(result) < 0.05", {0.01, 0.06}));
  EXPECT_TRUE(Holds("min(result) == 0.01", {0.04, 0.01, 0.03}));
  EXPECT_TRUE(Holds("max(result, 1) == 1", {0.5}));
  // max of an empty vector is nil, which does not compare (runtime.Less).
  EXPECT_EQ(EvalError("max(result) < 0.05", {}), "invalid operation: <nil> < float64");
  EXPECT_TRUE(Holds("max(result) == nil", {}));
}

// Argo's helpers (evaluate.go asInt, asFloat).
TEST(AnalysisCondition, EvaluatesAsIntAndAsFloat) {
  // evaluate_test.go TestEvaluateAsInt: {1.123, "asInt(result) == 1"}.
  EXPECT_TRUE(Holds("asInt(result) == 1", {1.123}, /*scalar=*/true));
  EXPECT_TRUE(Holds("asInt(result[0]) == 1", {1.123}));
  // evaluate_test.go TestEvaluateAsFloat.
  EXPECT_TRUE(Holds("asFloat(result) == 1.1", {1.1}, /*scalar=*/true));
  EXPECT_TRUE(Holds("asFloat(result) >= 1", {1}, /*scalar=*/true));
  EXPECT_TRUE(Holds("asInt(2.9) == 2"));
  EXPECT_TRUE(Holds("asInt(-2.9) == -2"));  // truncates toward zero
  EXPECT_TRUE(Holds("asFloat(1) / 2 == 0.5"));
  EXPECT_TRUE(Holds("asInt(result[0]) < 0", {kNaN}));  // Go on amd64: math.MinInt64
  EXPECT_EQ(EvalError("asInt(result) == 1", {0.97, 1e6}),
            "asInt() not supported on []float64 [0.97 1e+06]");
  EXPECT_EQ(EvalError("asFloat(nil) == 1"), "asFloat() not supported on <nil> <nil>");
}

TEST(AnalysisCondition, ChecksFunctionArguments) {
  EXPECT_EQ(EvalError("isNaN(result)", {1}),
            "cannot use []float64 as argument (type float64) to call isNaN");
  EXPECT_EQ(EvalError("isNaN(nil)"), "cannot use nil as argument (type float64) to call isNaN");
  EXPECT_EQ(EvalError("isNaN()"), "not enough arguments to call isNaN");
  EXPECT_EQ(EvalError("isInf(1, 2)"), "too many arguments to call isInf");
  EXPECT_EQ(EvalError("len(1) > 0"), "invalid argument for len (type int)");
  EXPECT_EQ(EvalError("len() > 0"), "invalid number of arguments (expected 1, got 0)");
  EXPECT_EQ(EvalError("abs(true)"), "invalid argument for abs (type bool)");
  EXPECT_EQ(EvalError("max() > 0"), "not enough arguments to call max");
  EXPECT_EQ(EvalError("min(1, true) > 0"), "invalid argument for min (type bool)");
  EXPECT_EQ(EvalError("isNaN > 0"), "isNaN is a function: call it, as in isNaN(result[0])");
}

// evaluate_test.go TestErrorWithNonBoolReturn and, for true and false,
// TestEvaluateResultWithSuccess / TestEvaluateResultInconclusive.
TEST(AnalysisCondition, MustEvaluateToABool) {
  EXPECT_TRUE(Holds("true"));
  EXPECT_FALSE(Holds("false"));
  EXPECT_EQ(EvalError("1"), "expected bool, but got int");
  EXPECT_EQ(EvalError("result[0]", {1}), "expected bool, but got float64");
  EXPECT_EQ(EvalError("result", {1}), "expected bool, but got []float64");
  EXPECT_EQ(EvalError("nil"), "expected bool, but got <nil>");
  EXPECT_EQ(EvalError("asInt(1)"), "expected bool, but got int64");
}

// evaluate_test.go TestErrorWithInvalidReference and invalidRefCondition.
TEST(AnalysisCondition, UnknownNamesAreEvaluationErrors) {
  EXPECT_EQ(EvalError("invalidVariable", {1}), "unknown name invalidVariable");
  EXPECT_EQ(EvalError("a == true", {1}), "unknown name a");
  EXPECT_EQ(EvalError("results[0] >= 90", {1}), "unknown name results");
  EXPECT_EQ(EvalError("foo(result) > 1", {1}), "unknown name foo");
}

TEST(AnalysisCondition, BooleanOperatorsNeedBooleans) {
  EXPECT_EQ(EvalError("1 && true"), "invalid operation: && (mismatched types int and bool)");
  EXPECT_EQ(EvalError("result[0] or true", {1}),
            "invalid operation: or (mismatched types float64 and bool)");
  EXPECT_EQ(EvalError("not 1"), "invalid operation: not (mismatched type int)");
  EXPECT_EQ(EvalError("-true"), "invalid operation: - (mismatched type bool)");
  EXPECT_EQ(EvalError("true > false"), "invalid operation: > (mismatched types bool and bool)");
  EXPECT_EQ(EvalError("true == 1"), "invalid operation: == (mismatched types bool and int)");
}

TEST(AnalysisCondition, IndexesMustBeIntegers) {
  EXPECT_EQ(EvalError("result[0.5] > 0", {1}),
            "array elements can only be selected using an integer (got float64)");
  EXPECT_TRUE(Holds("result[asInt(1.9)] == 2", {1, 2}));
  EXPECT_TRUE(Holds("result[len(result) - 1] == 2", {1, 2}));
}

TEST(AnalysisCondition, TreatsCommentsAndNewlinesAsSpace) {
  EXPECT_TRUE(Holds("result[0] >= 0.95 // at least 95%\n  && len(result) == 1", {0.97}));
  EXPECT_TRUE(Holds("/* success */ result[0] >= 0.95", {0.97}));
}

TEST(AnalysisCondition, CopiesEvaluateLikeTheOriginal) {
  auto parsed = AnalysisCondition::Parse("result[0] >= 0.95");
  ASSERT_TRUE(parsed.ok());
  const AnalysisCondition original = *parsed;
  AnalysisCondition copy = original;
  copy = original;
  EXPECT_EQ(copy.text(), "result[0] >= 0.95");
  EXPECT_TRUE(*copy.Evaluate({0.97}));
  EXPECT_FALSE(*copy.Evaluate({0.5}));
  EXPECT_TRUE(*original.Evaluate({0.96}));
}

TEST(AnalysisConditionParse, RefusesExpressionsTooDeepOrTooLong) {
  EXPECT_NE(ParseError(std::string(200, '(') + "1" + std::string(200, ')')).find("nested"),
            std::string::npos);
  std::string long_sum = "1";
  for (int i = 0; i < 1000; ++i) long_sum += " + 1";
  EXPECT_NE(ParseError(long_sum + " > 0").find("maximum"), std::string::npos);
}

}  // namespace
}  // namespace kubesim::k8s
