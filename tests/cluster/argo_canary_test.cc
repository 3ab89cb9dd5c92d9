// Argo Rollouts' own unit-test vectors for the basic canary's replica
// arithmetic, ported as tables: argoproj/argo-rollouts
// utils/replicaset/canary_test.go at 9f8d111 (TestApproximateWeightedNewStable-
// ReplicaCounts, TestCalculateReplicaCountsForCanary,
// TestCalculateReplicaCountsForNewDeployment and
// TestCalculateReplicaCountsForCanaryStableRSdEdgeCases). Each row keeps the
// Go test's name or comment.
//
// How the Go test's inputs map onto BasicCanaryReplicaCounts:
//  - newRollout() sets status.currentPodHash "canary" and status.stableRS
//    "stable", so GetCanaryReplicasOrWeight gives the row's setWeight (step 0),
//    100 with promoteFull, 0 when aborted (GetCurrentSetWeight).
//  - Both ReplicaSets are always built with newRS() (even at 0 spec replicas),
//    with different names, so CheckStableRSExists holds: `sv` is never null in
//    TestCalculateReplicaCountsForCanary.
//  - olderRS is passed as []*ReplicaSet{test.olderRS}; a nil element adds no
//    replicas (GetReplicaCountForReplicaSets skips it), so `others` is 0 unless
//    the row sets olderRS, then its spec.replicas.
//  - maxSurge/maxUnavailable go through resolveFenceposts (MaxSurge), and
//    MaxUnavailable caps unavailable at spec.replicas (0 replicas: 0).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cluster/deployment_util.h"
#include "cluster/rollout_controller.h"

namespace kubesim::cluster {
namespace {

using k8s::IntOrPercent;

IntOrPercent I(int32_t v) { return IntOrPercent::Int(v); }
IntOrPercent P(int32_t p) { return IntOrPercent::Percent(p); }

constexpr int32_t kMaxWeight = 100;  // weightutil.MaxTrafficWeight without trafficRouting

// MaxSurge / MaxUnavailable (utils/replicaset/replicaset.go) for a canary.
Fenceposts ArgoFenceposts(IntOrPercent max_surge, IntOrPercent max_unavailable, int32_t replicas) {
  Fenceposts f = ResolveFenceposts(max_surge, max_unavailable, replicas);
  f.unavailable = replicas == 0 ? 0 : std::min(f.unavailable, replicas);
  return f;
}

// GetCanaryReplicasOrWeight for newRollout(): promoteFull is all of it; an
// abort is 0 (GetCurrentSetWeight); otherwise the single step's setWeight.
int32_t ArgoWeight(int32_t set_weight, bool promote_full, bool abort) {
  if (promote_full) return kMaxWeight;
  if (abort) return 0;
  return set_weight;
}

// newRS(podHash, specReplicas, availableReplicas).
ReplicaSetView Rs(int32_t spec_replicas, int32_t available_replicas) {
  ReplicaSetView rs;
  rs.replicas = spec_replicas;
  rs.status_replicas = spec_replicas;
  rs.available_replicas = available_replicas;
  rs.ready_replicas = available_replicas;
  return rs;
}

// --- TestApproximateWeightedNewStableReplicaCounts --------------------------------

TEST(ArgoCanary, ApproximateWeightedCountsMatchArgosTable) {
  struct Row {
    int32_t replicas, weight, max_weight, max_surge;
    int32_t exp_canary, exp_stable;
  };
  const Row rows[] = {
      {0, 0, 100, 0, 0, 0},    // 0%
      {0, 50, 100, 0, 0, 0},   // 0%
      {0, 100, 100, 0, 0, 0},  // 0%

      {0, 0, 100, 1, 0, 0},    // 0%
      {0, 50, 100, 1, 0, 0},   // 0%
      {0, 100, 100, 1, 0, 0},  // 0%

      {1, 0, 100, 0, 0, 1},    // 0%
      {1, 1, 100, 0, 0, 1},    // 0%
      {1, 49, 100, 0, 0, 1},   // 0%
      {1, 50, 100, 0, 1, 0},   // 100%
      {1, 99, 100, 0, 1, 0},   // 100%
      {1, 100, 100, 0, 1, 0},  // 100%

      {1, 0, 100, 1, 0, 1},    // 0%
      {1, 1, 100, 1, 1, 1},    // 50%
      {1, 49, 100, 1, 1, 1},   // 50%
      {1, 50, 100, 1, 1, 1},   // 50%
      {1, 99, 100, 1, 1, 1},   // 50%
      {1, 100, 100, 1, 1, 0},  // 100%

      {2, 0, 100, 0, 0, 2},    // 0%
      {2, 1, 100, 0, 1, 1},    // 50%
      {2, 50, 100, 0, 1, 1},   // 50%
      {2, 99, 100, 0, 1, 1},   // 50%
      {2, 100, 100, 0, 2, 0},  // 100%

      {2, 0, 100, 1, 0, 2},    // 0%
      {2, 1, 100, 1, 1, 2},    // 33.3%
      {2, 50, 100, 1, 1, 1},   // 50%
      {2, 99, 100, 1, 2, 1},   // 66.6%
      {2, 100, 100, 1, 2, 0},  // 100%

      {3, 10, 100, 0, 1, 2},  // 33.3%
      {3, 25, 100, 0, 1, 2},  // 33.3%
      {3, 33, 100, 0, 1, 2},  // 33.3%
      {3, 34, 100, 0, 1, 2},  // 33.3%
      {3, 49, 100, 0, 1, 2},  // 33.3%
      {3, 50, 100, 0, 2, 1},  // 66.6%

      {3, 10, 100, 1, 1, 3},  // 25%
      {3, 25, 100, 1, 1, 3},  // 25%
      {3, 33, 100, 1, 1, 2},  // 33.3%
      {3, 34, 100, 1, 1, 2},  // 33.3%
      {3, 49, 100, 1, 2, 2},  // 50%
      {3, 50, 100, 1, 2, 2},  // 50%

      {10, 0, 100, 1, 0, 10},    // 0%
      {10, 1, 100, 0, 1, 9},     // 10%
      {10, 14, 100, 0, 1, 9},    // 10%
      {10, 15, 100, 0, 2, 8},    // 20%
      {10, 16, 100, 0, 2, 8},    // 20%
      {10, 99, 100, 0, 9, 1},    // 90%
      {10, 100, 100, 1, 10, 0},  // 100%

      {10, 0, 100, 1, 0, 10},    // 0%
      {10, 1, 100, 1, 1, 10},    // 9.1%
      {10, 18, 100, 1, 2, 9},    // 18.1%
      {10, 19, 100, 1, 2, 9},    // 18.1%
      {10, 20, 100, 1, 2, 8},    // 20%
      {10, 23, 100, 1, 2, 8},    // 20%
      {10, 24, 100, 1, 3, 8},    // 27.2%
      {10, 25, 100, 1, 3, 8},    // 27.2%
      {10, 99, 100, 1, 10, 1},   // 90.9%
      {10, 100, 100, 1, 10, 0},  // 100%
  };
  for (const Row& r : rows) {
    SCOPED_TRACE("replicas:" + std::to_string(r.replicas) + "_weight:" + std::to_string(r.weight) +
                 "_maxweight:" + std::to_string(r.max_weight) +
                 "_surge:" + std::to_string(r.max_surge));
    const auto [canary, stable] =
        ApproximateWeightedCanaryStableCounts(r.replicas, r.weight, r.max_weight, r.max_surge);
    EXPECT_EQ(canary, r.exp_canary) << "check canary replica count";
    EXPECT_EQ(stable, r.exp_stable) << "check stable replica count";
  }
}

// --- TestCalculateReplicaCountsForCanary -----------------------------------------

TEST(ArgoCanary, BasicCanaryCountsMatchArgosTable) {
  // Skipped rows: all set trafficRouting, so the Go test calls
  // CalculateReplicaCountsForTrafficRoutedCanary, not the basic canary.
  //  - "For canary replicas, use setCanaryScale.replicas when specified along
  //    with trafficRouting (and ignore setWeight)": setCanaryScale.replicas.
  //  - "Use setCanaryScale.weight for canary replicas when specified with
  //    trafficRouting (and ignore setWeight)": setCanaryScale.weight.
  //  - "Ignore setCanaryScale replicas/weight when matchTrafficWeight is true".
  //  - "aborted with abortScaleDownDelaySeconds:0 and setCanaryScale".
  //  - "aborted with abortScaleDownDelaySeconds>0 and setCanaryScale".
  //  - "Honor MinPodsPerReplicaSet when using trafficRouting and starting canary".
  //  - "Cap MinPodsPerReplicaSet when it exceeds rollout replicas with trafficRouting".
  // "Ignore setCanaryScale when trafficRouting is missing and use setWeight for
  // replicas" is kept: without trafficRouting its setCanaryScale is ignored
  // (UseSetCanaryScale), so only setWeight reaches the function.
  struct Row {
    const char* name;
    int32_t rollout_spec_replicas;
    int32_t set_weight;
    IntOrPercent max_surge, max_unavailable;
    bool promote_full;
    int32_t stable_spec, stable_available;
    int32_t canary_spec, canary_available;
    int32_t expected_stable, expected_canary;
    int32_t older_rs_spec;  // olderRS's spec.replicas; 0 when the Go row leaves it nil
    bool status_abort;
  };
  const Row rows[] = {
      {"Do not add extra RSs in scaleDownCount when .Spec.Replica < AvailableReplicas", 10, 100,
       I(3), I(0), false, 7, 8, 6, 3, 7, 6, 0, false},
      {"Use max surge int to scale up canary", 10, 20, I(2), I(0), false, 10, 10, 0, 0, 10, 2, 0,
       false},
      {"Use max surge percentage to scale up canary", 10, 20, P(20), I(0), false, 10, 10, 0, 0, 10,
       2, 0, false},
      {"Scale down extra stable replicas", 10, 20, P(20), I(0), false, 10, 10, 2, 2, 8, 2, 0,
       false},
      {"Do not go past max surge", 10, 30, I(2), I(0), false, 10, 10, 0, 0, 10, 2, 0, false},
      {"Use max unavailable int to scale down stableRS", 10, 20, I(0), I(2), false, 10, 10, 0, 0, 8,
       0, 0, false},
      {"Use max surge percentage to scale down stableRS", 10, 20, I(0), P(20), false, 10, 10, 0, 0,
       8, 0, 0, false},
      {"Do not go past max unavailable", 10, 30, I(0), I(2), false, 10, 10, 0, 0, 8, 0, 0, false},
      {"Use Max Surge and Max Unavailable", 10, 50, I(2), I(1), false, 10, 10, 0, 0, 9, 2, 0,
       false},
      {"Scale canaryRS to zero on setWeight of 0%", 10, 0, I(1), I(1), false, 10, 10, 1, 1, 10, 0,
       0, false},
      {"Scale stable to zero on setWeight of 100%", 10, 100, I(1), I(1), false, 1, 1, 10, 10, 0, 10,
       0, false},
      {"Do not scale canaryRS down to zero on non-zero weight", 1, 20, I(1), I(0), false, 1, 1, 0,
       0, 1, 1, 0, false},
      {"Do not scale canaryRS down to zero on non-100 weight", 1, 90, I(1), I(0), false, 1, 1, 0, 0,
       1, 1, 0, false},
      {"Scale canaryRS to zero on <50 weight without surge", 1, 49, I(0), I(1), false, 1, 1, 0, 0,
       1, 0, 0, false},
      {"Scale stableRS down to zero on >=50 weight without surge", 1, 51, I(0), I(1), false, 1, 1,
       0, 0, 0, 0, 0, false},
      {"Scale canaryRS to one on >=50 weight without surge and stable replicas", 1, 51, I(0), I(1),
       false, 0, 0, 0, 0, 0, 1, 0, false},
      {"Scale up Stable before canaryRS",  // olderRS: newRS("older", 3, 3)
       10, 30, I(1), I(0), false, 1, 1, 0, 0, 7, 1, 3, false},
      {"Scale down canaryRS and stable", 10, 30, I(0), I(3), false, 8, 5, 4, 4, 7, 3, 0, false},
      {"Scale down stable and canary available", 10, 100, I(1), I(0), false, 10, 2, 10, 8, 2, 9, 0,
       false},
      {"Do not scale down canaryRS or stable when older RS count >= scaleDownCount",
       // olderRS: newRS("older", 3, 3)
       10, 30, I(0), I(1), false, 8, 6, 4, 2, 8, 4, 3, false},
      {"Do not round past maxSurge with uneven setWeight divisor", 10, 5, I(0), I(1), false, 10, 10,
       0, 0, 9, 0, 0, false},
      {"Do not round past maxSurge with uneven setWeight divisor (part 2)", 10, 5, I(0), I(1),
       false, 9, 9, 0, 0, 9, 1, 0, false},
      {"Use maxUnavailable of 1 when percentage of maxUnavailable and maxSurge result in 0 "
       "replicas",
       10, 10, P(0), P(0), false, 10, 10, 0, 0, 9, 0, 0, false},
      {"Ignore setCanaryScale when trafficRouting is missing and use setWeight for replicas",
       // setCanaryScale: newSetCanaryScale(9, 100, false), trafficRouting: nil
       10, 20, P(20), I(0), false, 10, 10, 0, 0, 10, 2, 0, false},
      {"honor maxSurge during scale up when stableRS unavailable",
       // should only surge by 1 to honor maxSurge: 1
       4, 100, I(1), I(0), false, 4, 1, 0, 0, 4, 1, 0, false},
      {"scale down to maxunavailable without exceeding maxSurge", 3, 99, I(0), I(2), false, 3, 3, 0,
       0, 1, 0, 0, false},
      {"scale down to maxunavailable without exceeding maxSurge (part 2)", 3, 99, I(0), I(2), false,
       1, 1, 0, 0, 1, 2, 0, false},
      {"honor maxUnavailable during scale down stableRS unavailable",
       // stable should only scale down by 1 to honor maxUnavailable: 0
       4, 100, I(1), I(0), false, 4, 1, 1, 1, 3, 1, 0, false},
      {"honor maxUnavailable when aborting or reducing weight part 1",
       // should not bring down canary until we surge stable
       4, 0, I(1), I(0), false, 0, 0, 4, 4, 1, 4, 0, false},
      {"honor maxUnavailable when aborting or reducing weight part 2",
       // should not adjust counts at all since stable not available
       4, 0, I(1), I(0), false, 1, 0, 4, 4, 1, 4, 0, false},
      {"honor maxUnavailable when aborting or reducing weight part 3",
       // canary should only reduce by 1 to honor maxUnavailable
       4, 0, I(1), I(0), false, 1, 1, 4, 4, 1, 3, 0, false},
      {"promote full does not consider weight", 4, 1, I(4), I(4), true, 4, 4, 0, 0, 0, 4, 0, false},
      {"promote full still honors maxSurge/maxUnavailable", 4, 1, I(3), I(0), true, 4, 4, 0, 0, 4,
       3, 0, false},
  };
  for (const Row& r : rows) {
    SCOPED_TRACE(r.name);
    const Fenceposts f = ArgoFenceposts(r.max_surge, r.max_unavailable, r.rollout_spec_replicas);
    const ReplicaSetView canary = Rs(r.canary_spec, r.canary_available);
    const ReplicaSetView stable = Rs(r.stable_spec, r.stable_available);
    const auto [new_count, stable_count] = BasicCanaryReplicaCounts(
        r.rollout_spec_replicas, ArgoWeight(r.set_weight, r.promote_full, r.status_abort), f,
        canary, &stable, r.older_rs_spec);
    EXPECT_EQ(new_count, r.expected_canary) << "check canary replica count";
    EXPECT_EQ(stable_count, r.expected_stable) << "check stable replica count";
  }
}

// --- TestCalculateReplicaCountsForNewDeployment ----------------------------------

TEST(ArgoCanary, NewDeploymentWhoseStableIsTheNewOneGoesAllNew) {
  // newRollout(10, 10, 0, 1, "canary", "stable"); stableRS and newRS are both
  // newRS("stable", 10, 0): the same ReplicaSet, so no stable to scale
  // (CheckStableRSExists) and no older ones (nil).
  const Fenceposts f = ArgoFenceposts(I(0), I(1), 10);
  const ReplicaSetView nv = Rs(10, 0);
  const auto [new_count, stable_count] =
      BasicCanaryReplicaCounts(10, ArgoWeight(10, false, false), f, nv, nullptr, 0);
  EXPECT_EQ(new_count, 10);
  EXPECT_EQ(stable_count, 0);
}

// --- TestCalculateReplicaCountsForCanaryStableRSdEdgeCases -----------------------

TEST(ArgoCanary, NoStableOrStableIsNewScalesTheNewOneToAllReplicas) {
  // newRollout(10, 10, 0, 1, "", ""): status.stableRS is empty, so the weight
  // is maxWeight (GetCanaryReplicasOrWeight). newRS("stable", 9, 9) with
  // stableRS nil, then with stableRS == newRS: both are `sv` null here.
  const Fenceposts f = ArgoFenceposts(I(0), I(1), 10);
  const ReplicaSetView nv = Rs(9, 9);
  const auto [new_count, stable_count] =
      BasicCanaryReplicaCounts(10, kMaxWeight, f, nv, nullptr, 0);
  EXPECT_EQ(new_count, 10);
  EXPECT_EQ(stable_count, 0);
}

// --- dynamicStableScale (utils/replicaset/canary.go, rollout/trafficrouting.go) --

// newRollout's steps: its setWeight, then the row's.
std::vector<k8s::CanaryStep> Steps(std::initializer_list<int32_t> weights, bool pause = false) {
  std::vector<k8s::CanaryStep> steps;
  for (int32_t w : weights) {
    k8s::CanaryStep step;
    step.set_weight_set = true;
    step.set_weight = w;
    steps.push_back(step);
  }
  if (pause) {
    k8s::CanaryStep step;
    step.pause_set = true;
    steps.push_back(step);
  }
  return steps;
}

// TestCalculateReplicaCountsForCanaryTrafficRoutingDynamicScale, row by row:
// newRollout(replicas, setWeight, ...) with dynamicStableScale, the row's
// extra steps after newRollout's setWeight, status.canary.weights as given.
// The canary ReplicaSet is newRS("canary", n, n) — its available count is
// its spec — and a ReplicaSet of 0 replicas is nil. GetDesiredCanaryWeight
// steps down only when aborted with both ReplicaSets; else the step's
// setWeight (0 when aborted: GetCurrentSetWeight).
TEST(ArgoCanary, DynamicStableScaleCountsMatchArgosTable) {
  struct Row {
    const char* name;
    int32_t replicas, set_weight;
    bool abort;
    std::vector<int32_t> steps;
    int32_t canary_weight, stable_weight;
    int32_t canary_rs, stable_rs, stable_available;
    int32_t want_canary, want_stable;
  };
  const std::vector<Row> rows = {
      {"Should scale stable replica up depending on next expected canary downscale step, if "
       "abort is true",
       10,
       20,
       true,
       {60},
       60,
       40,
       6,
       4,
       4,
       6,
       8},
      {"Should scale stable replica up depending on available canary replicas, if actual "
       "number of canaries is less than expected and abort is true",
       10,
       20,
       true,
       {60},
       60,
       40,
       1,
       4,
       4,
       6,
       8},
      {"Should scale stable replica up depending on available stable replicas, if abort is true",
       10,
       20,
       true,
       {60},
       60,
       40,
       2,
       8,
       4,
       6,
       8},
      {"Should scale stable up as if canaries are scaled down to 0 if stable and canary "
       "replicas not passed, and abort is true",
       10,
       20,
       true,
       {60},
       60,
       40,
       0,
       0,
       0,
       6,
       10},
      {"Should scale down stable", 10, 10, false, {}, 10, 90, 0, 0, 0, 1, 9},
      {"Should take max of desired canary (20) > actual (10)",
       10,
       20,
       false,
       {},
       10,
       90,
       0,
       0,
       0,
       2,
       9},
      {"Should leave canary scaled up if there is still traffic to it on abort",
       10,
       20,
       true,
       {},
       20,
       80,
       0,
       0,
       0,
       2,
       10},
      {"Should reduce canary when there is less traffic to it on abort",
       10,
       20,
       true,
       {},
       10,
       90,
       0,
       0,
       0,
       1,
       10},
  };
  for (const Row& r : rows) {
    std::vector<k8s::CanaryStep> steps = Steps({r.set_weight});
    for (int32_t w : r.steps) steps.push_back(Steps({w})[0]);
    int32_t weight = r.set_weight;  // GetCurrentSetWeight at step 0
    if (r.abort) {
      weight = r.canary_rs > 0 && r.stable_rs > 0
                   ? DynamicAbortCanaryWeight(steps, r.replicas, r.stable_available, r.canary_rs,
                                              /*explicit_abort_delay=*/false)
                   : 0;
    }
    const TrafficWeights weights{r.canary_weight, r.stable_weight};
    const auto [canary, stable] = TrafficRoutedCanaryReplicaCounts(
        r.replicas, weight, std::nullopt, /*dynamic=*/true, r.abort, &weights, std::nullopt);
    EXPECT_EQ(canary, r.want_canary) << r.name;
    EXPECT_EQ(stable, r.want_stable) << r.name;
  }
}

// TestCalculateReplicaCountsForCanaryTrafficRouting: without
// dynamicStableScale the stable ReplicaSet stays at all 10 replicas; the
// canary is ceil(10 % of 10) = 1. minPodsPerReplicaSet raises a count above
// 0 (CheckMinPodsPerReplicaSet), to at most the replicas, and leaves 0.
TEST(ArgoCanary, TrafficRoutedCountsKeepTheStableFullWithoutDynamicStableScale) {
  EXPECT_EQ(
      TrafficRoutedCanaryReplicaCounts(10, 10, std::nullopt, false, false, nullptr, std::nullopt),
      std::make_pair(1, 10));
  EXPECT_EQ(TrafficRoutedCanaryReplicaCounts(10, 10, std::nullopt, false, false, nullptr, 3),
            std::make_pair(3, 10));
  EXPECT_EQ(TrafficRoutedCanaryReplicaCounts(2, 10, std::nullopt, false, false, nullptr, 3),
            std::make_pair(2, 2));
  EXPECT_EQ(TrafficRoutedCanaryReplicaCounts(10, 0, std::nullopt, false, false, nullptr, 3),
            std::make_pair(0, 10));
  // With dynamicStableScale both counts get the minimum; a setCanaryScale's
  // replicas come with weight 0: the stable stays at 100 %.
  EXPECT_EQ(TrafficRoutedCanaryReplicaCounts(10, 90, std::nullopt, true, false, nullptr, 2),
            std::make_pair(9, 2));
  EXPECT_EQ(TrafficRoutedCanaryReplicaCounts(10, 0, 4, true, false, nullptr, std::nullopt),
            std::make_pair(4, 10));
}

// rollout/trafficrouting_test.go, the weight an abort with
// dynamicStableScale sets (calculateDesiredWeightOnAbortOrStableRollback),
// 5 replicas, steps [setWeight 50, pause]:
//  - TestDynamicScalingDontIncreaseWeightWhenAborted: stable 4 of 5
//    available, canary 0, weight 0 → 0 (never up again);
//  - ...DecreaseWeightAccordingToStepWeightsAvailabilityWhenAborted: stable 3,
//    canary 4 available, weight 100 → 50 (the 50 step's 3 pods < 4);
//  - ...DecreaseWeightAccordingToStableAvailabilityWhenAborted (steps
//    [pause]): stable 1, canary 4, weight 100 → 80 (what 1 stable pod of 5
//    leaves over);
//  - TestDontWeightToZeroWhenDynamicallyRollingBackToStable: back on the
//    stable (its setWeight 90 step), 1 of 10 available, weight 10 → 10.
TEST(ArgoCanary, AnAbortWithDynamicStableScaleStepsTheWeightDown) {
  const auto abort_weight = [](const std::vector<k8s::CanaryStep>& steps, int32_t stable_available,
                               int32_t canary_available, int32_t weight) {
    const int32_t desired =
        DynamicAbortCanaryWeight(steps, 5, stable_available, canary_available, false);
    const TrafficWeights w{weight, 100 - weight};
    return WeightOnAbortOrStableRollback(5, desired, stable_available, &w);
  };
  EXPECT_EQ(abort_weight(Steps({50}, true), 4, 0, 0), 0);
  EXPECT_EQ(abort_weight(Steps({50}, true), 3, 4, 100), 50);
  EXPECT_EQ(abort_weight(Steps({}, true), 1, 4, 100), 80);
  const TrafficWeights rollback{10, 90};
  EXPECT_EQ(WeightOnAbortOrStableRollback(10, 90, 1, &rollback), 10);
  // Without a weight yet: the higher of the desired and what the stable leaves.
  EXPECT_EQ(WeightOnAbortOrStableRollback(5, 20, 2, nullptr), 60);
  // An explicit abortScaleDownDelaySeconds: the canary's own pods (held to
  // their deadline) do not hold the weight up — only the stable's count.
  EXPECT_EQ(DynamicAbortCanaryWeight(Steps({20, 40, 60}), 5, 4, 3, false), 40);
  EXPECT_EQ(DynamicAbortCanaryWeight(Steps({20, 40, 60}), 5, 4, 3, true), 0);
}

}  // namespace
}  // namespace kubesim::cluster
