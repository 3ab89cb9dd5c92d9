// The disruption controller's arithmetic against Kubernetes' own unit tests
// (pkg/controller/disruption/disruption_test.go): each case gives the budget,
// the pods its selector matches, how many are healthy and the controllers'
// scale, and expects Kubernetes' status — disruptionsAllowed,
// currentHealthy, desiredHealthy, expectedPods.
#include "cluster/disruption.h"

#include <gtest/gtest.h>

#include <optional>

namespace kubesim::cluster {
namespace {

k8s::PodDisruptionBudgetSpec MinAvailable(k8s::IntOrPercent v) {
  k8s::PodDisruptionBudgetSpec s;
  s.selector.emplace();
  s.min_available = v;
  return s;
}

k8s::PodDisruptionBudgetSpec MaxUnavailable(k8s::IntOrPercent v) {
  k8s::PodDisruptionBudgetSpec s;
  s.selector.emplace();
  s.max_unavailable = v;
  return s;
}

// BudgetStatus{expected, healthy, desired, allowed}.
TEST(BudgetStatus, TestUnavailableCountsTheMatchingPodsForAnIntegerMinAvailable) {
  // minAvailable 3 over 4 Ready pods without a controller: expected 4 (the
  // pods themselves), 1 allowed; one turns not Ready: none.
  const auto spec = MinAvailable(k8s::IntOrPercent::Int(3));
  EXPECT_EQ(ComputeBudgetStatus(spec, 4, 4, 0, false), (BudgetStatus{4, 4, 3, 1}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 4, 3, 0, false), (BudgetStatus{4, 3, 3, 0}));
}

TEST(BudgetStatus, TestIntegerMaxUnavailableWithScalingUsesTheControllersScale) {
  // maxUnavailable 2, 1 healthy pod of a ReplicaSet of 7, then of 5:
  // desired 7 - 2 = 5, then 5 - 2 = 3.
  const auto spec = MaxUnavailable(k8s::IntOrPercent::Int(2));
  EXPECT_EQ(ComputeBudgetStatus(spec, 1, 1, 7, false), (BudgetStatus{7, 1, 5, 0}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 1, 1, 5, false), (BudgetStatus{5, 1, 3, 0}));
}

TEST(BudgetStatus, TestPercentageMaxUnavailableWithScalingRoundsTheUnavailableUp) {
  // maxUnavailable 30%: of 7, ceil(2.1) = 3 may be unavailable, desired 4;
  // of 3, ceil(0.9) = 1, desired 2.
  const auto spec = MaxUnavailable(k8s::IntOrPercent::Percent(30));
  EXPECT_EQ(ComputeBudgetStatus(spec, 1, 1, 7, false), (BudgetStatus{7, 1, 4, 0}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 1, 1, 3, false), (BudgetStatus{3, 1, 2, 0}));
}

TEST(BudgetStatus, TestReplicaSetAndTestReplicationControllerRoundMinAvailableUp) {
  // minAvailable 20% of 10: 2. minAvailable 34% of 3: ceil(1.02) = 2, so
  // with all 3 healthy one disruption is allowed.
  EXPECT_EQ(ComputeBudgetStatus(MinAvailable(k8s::IntOrPercent::Percent(20)), 1, 1, 10, false),
            (BudgetStatus{10, 1, 2, 0}));
  const auto spec = MinAvailable(k8s::IntOrPercent::Percent(34));
  EXPECT_EQ(ComputeBudgetStatus(spec, 1, 1, 3, false), (BudgetStatus{3, 1, 2, 0}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 2, 2, 3, false), (BudgetStatus{3, 2, 2, 0}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 3, 3, 3, false), (BudgetStatus{3, 3, 2, 1}));
  // A fourth Ready pod without a controller adds to the healthy, not to the
  // expected: 2 allowed.
  EXPECT_EQ(ComputeBudgetStatus(spec, 4, 4, 3, false), (BudgetStatus{3, 4, 2, 2}));
}

TEST(BudgetStatus, TestTwoControllersAddTheirScales) {
  // minAvailable 28% of 11 + 11 = 22: ceil(6.16) = 7; 9, 8, 7 healthy.
  const auto spec = MinAvailable(k8s::IntOrPercent::Percent(28));
  EXPECT_EQ(ComputeBudgetStatus(spec, 22, 9, 22, false), (BudgetStatus{22, 9, 7, 2}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 22, 8, 22, false), (BudgetStatus{22, 8, 7, 1}));
  EXPECT_EQ(ComputeBudgetStatus(spec, 22, 7, 22, false), (BudgetStatus{22, 7, 7, 0}));
}

TEST(BudgetStatus, TestNakedPodAllowsNothingWithoutAController) {
  // minAvailable 28% over one pod without a controller: expected 0, so no
  // disruption whatever the arithmetic says; a failed sync of a budget that
  // needs the controllers' scale allows none either.
  EXPECT_EQ(ComputeBudgetStatus(MinAvailable(k8s::IntOrPercent::Percent(28)), 1, 1, 0, false)
                .disruptions_allowed,
            0);
  EXPECT_EQ(ComputeBudgetStatus(MaxUnavailable(k8s::IntOrPercent::Int(1)), 1, 1, 0, false)
                .disruptions_allowed,
            0);
  EXPECT_EQ(ComputeBudgetStatus(MaxUnavailable(k8s::IntOrPercent::Int(1)), 4, 4, 4, true)
                .disruptions_allowed,
            0);
  // An integer minAvailable never looks the controllers up
  // (getExpectedPodCount), so a missing one changes nothing: 4 - 1 = 3.
  EXPECT_EQ(ComputeBudgetStatus(MinAvailable(k8s::IntOrPercent::Int(1)), 4, 4, 4, true)
                .disruptions_allowed,
            3);
}

}  // namespace
}  // namespace kubesim::cluster
