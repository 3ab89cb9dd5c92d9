// Kubernetes quantities and int-or-percent values. Vectors follow
// k8s.io/apimachinery/pkg/api/resource/quantity_test.go (TestQuantityParse)
// and intstr's GetScaledValueFromIntOrPercent.
#include <gtest/gtest.h>

#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/quantity.h"

namespace kubesim::k8s {
namespace {

int64_t Milli(std::string_view text) {
  auto q = ParseQuantity(text);
  EXPECT_TRUE(q.ok()) << text << ": " << (q.ok() ? "" : q.error());
  return q.ok() ? q->MilliValue() : -1;
}

TEST(Quantity, ParsesDecimalSuffixesExactlyInMilliUnits) {
  EXPECT_EQ(Milli("500m"), 500);
  EXPECT_EQ(Milli("1.5"), 1500);
  EXPECT_EQ(Milli("4"), 4000);
  EXPECT_EQ(Milli("1k"), 1'000'000);
  EXPECT_EQ(Milli("1G"), 1'000'000'000'000);
  EXPECT_EQ(Milli("0.1"), 100);
  EXPECT_EQ(Milli(".5"), 500);
  EXPECT_EQ(Milli("+2"), 2000);
}

TEST(Quantity, ParsesBinarySuffixesAsBytes) {
  EXPECT_EQ(ParseQuantity("128Mi")->Value(), 128 * 1024 * 1024);
  EXPECT_EQ(ParseQuantity("8Gi")->Value(), 8LL << 30);
  EXPECT_EQ(ParseQuantity("1.5Ki")->Value(), 1536);
}

TEST(Quantity, ParsesExponents) {
  EXPECT_EQ(Milli("1e3"), 1'000'000);
  EXPECT_EQ(Milli("1E3"), 1'000'000);
  EXPECT_EQ(Milli("5e-3"), 5);
}

TEST(Quantity, RoundsFinerThanAMilliUnitUpAsKubernetesDoes) {
  EXPECT_EQ(Milli("0.1m"), 1);    // MilliValue rounds up
  EXPECT_EQ(Milli("1n"), 1);
  EXPECT_EQ(ParseQuantity("1.5")->Value(), 2);  // Value rounds up
}

TEST(Quantity, RejectsMalformedTextWithTheReason) {
  for (const char* bad : {"", "abc", "1.5Gb", "1e", "1 Gi", "--1", "Mi", "1KiB"}) {
    auto q = ParseQuantity(bad);
    EXPECT_FALSE(q.ok()) << bad;
  }
  EXPECT_NE(ParseQuantity("1.5Gb").error().find("unknown suffix \"Gb\""), std::string::npos);
}

TEST(Quantity, RefusesValuesTooLargeToHoldExactly) {
  EXPECT_FALSE(ParseQuantity("100Ei").ok());
  EXPECT_FALSE(ParseQuantity("1e400").ok());
  EXPECT_NE(ParseQuantity("1e400").error().find("too large"), std::string::npos);
}

TEST(Quantity, KeepsTheSignOfNegativeValuesForValidationToReject) {
  EXPECT_TRUE(ParseQuantity("-1")->IsNegative());
  EXPECT_EQ(Milli("0"), 0);
}

TEST(IntOrPercent, ResolvesPercentagesRoundingSurgeUpAndUnavailableDown) {
  // GetScaledValueFromIntOrPercent / ResolveFenceposts.
  EXPECT_EQ(IntOrPercent::Percent(25).Resolve(10, true), 3);
  EXPECT_EQ(IntOrPercent::Percent(25).Resolve(10, false), 2);
  EXPECT_EQ(IntOrPercent::Percent(10).Resolve(1, true), 1);
  EXPECT_EQ(IntOrPercent::Percent(10).Resolve(1, false), 0);
  EXPECT_EQ(IntOrPercent::Int(2).Resolve(10, false), 2);
}

TEST(IntOrPercent, ParsesOnlyWholePercentages) {
  EXPECT_EQ(*ParsePercent("25%"), IntOrPercent::Percent(25));
  EXPECT_EQ(*ParsePercent("0%"), IntOrPercent::Percent(0));
  for (const char* bad : {"25", "%", "-5%", "2.5%", "abc%", "99999999999%"}) {
    EXPECT_FALSE(ParsePercent(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace kubesim::k8s
