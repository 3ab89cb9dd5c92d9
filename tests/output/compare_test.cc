// Unit tests of the comparison's "best value" marking (docs/metrics.md).
#include "kubesim/output/compare.h"

#include <gtest/gtest.h>

namespace kubesim::output {
namespace {

ComparisonRow Row(std::vector<std::optional<double>> values, bool higher_is_better = false) {
  ComparisonRow r;
  r.values = std::move(values);
  r.higher_is_better = higher_is_better;
  return r;
}

TEST(ComparisonRow, LowestIsBestAndTiesAreAllMarked) {
  const ComparisonRow r = Row({0.0, 8.0, 0.0, 3.0});
  ASSERT_TRUE(r.Best().has_value());
  EXPECT_EQ(*r.Best(), 0.0);
  EXPECT_TRUE(r.IsBest(0));
  EXPECT_FALSE(r.IsBest(1));
  EXPECT_TRUE(r.IsBest(2));
  EXPECT_FALSE(r.IsBest(3));
  EXPECT_FALSE(r.IsBest(4));  // out of range
}

TEST(ComparisonRow, HigherIsBetterWhenTheRowSaysSo) {
  const ComparisonRow r = Row({0.0, 1.0, std::nullopt, 1.0}, /*higher_is_better=*/true);
  EXPECT_FALSE(r.IsBest(0));
  EXPECT_TRUE(r.IsBest(1));
  EXPECT_FALSE(r.IsBest(2));  // no value: never best
  EXPECT_TRUE(r.IsBest(3));
}

TEST(ComparisonRow, NothingIsMarkedWhenAllValuesAgreeOrOnlyOneExists) {
  EXPECT_FALSE(Row({2.0, 2.0, 2.0}).Best().has_value());
  EXPECT_FALSE(Row({2.0, 2.0}).IsBest(0));
  EXPECT_FALSE(Row({2.0, std::nullopt}).IsBest(0));
  EXPECT_FALSE(Row({}).Best().has_value());
}

}  // namespace
}  // namespace kubesim::output
