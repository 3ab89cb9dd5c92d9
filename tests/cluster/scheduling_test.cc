// Scheduler scoring and ReplicaSet deletion ranking, against Kubernetes'
// rules and unit-test vectors (pkg/scheduler/framework/plugins/noderesources
// least_allocated_test.go and balanced_allocation_test.go; controller_utils.go).
#include "kubesim/cluster/scheduling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace kubesim::cluster {
namespace {

k8s::Container Requesting(std::optional<int64_t> cpu_milli, std::optional<int64_t> mem_bytes) {
  k8s::Container c;
  if (cpu_milli) c.resources.requests["cpu"] = k8s::Quantity::FromMilli(*cpu_milli);
  if (mem_bytes) c.resources.requests["memory"] = k8s::Quantity::FromMilli(*mem_bytes * 1000);
  return c;
}

TEST(PodRequests, SumOfContainersOrLargestInitContainer) {
  k8s::PodSpec spec;
  spec.containers = {Requesting(200, 100), Requesting(300, 50)};
  spec.init_containers = {Requesting(400, 10), Requesting(100, 120)};
  // cpu: max(200 + 300, 400) = 500; memory: max(100 + 50, 120) = 150.
  EXPECT_EQ(PodRequests(spec), (Resources{500, 150, 1}));
}

TEST(PodRequests, NonZeroDefaultsFillMissingRequestsForScoring) {
  k8s::PodSpec spec;
  spec.containers = {Requesting(std::nullopt, std::nullopt), Requesting(250, std::nullopt)};
  EXPECT_EQ(PodRequests(spec), (Resources{250, 0, 1}));
  EXPECT_EQ(PodRequests(spec, /*non_zero=*/true),
            (Resources{100 + 250, 2 * kDefaultMemoryRequest, 1}));
}

TEST(Fits, EveryResourceIncludingPodSlots) {
  const Resources node{4000, 8000, 3};
  EXPECT_TRUE(Fits(node, {3000, 4000, 2}, {1000, 4000, 1}));
  EXPECT_FALSE(Fits(node, {3000, 4000, 2}, {1001, 0, 1}));
  EXPECT_FALSE(Fits(node, {0, 4001, 0}, {0, 4000, 1}));
  EXPECT_FALSE(Fits(node, {0, 0, 3}, {0, 0, 1}));
}

TEST(LeastAllocatedScore, MatchesNothingScheduledDifferentlySizedNodes) {
  // least_allocated_test.go "nothing scheduled, resources requested, differently
  // sized nodes": pod 3000m / 5000; node1 4000m / 10000 -> 37, node2 6000m / 10000 -> 50.
  EXPECT_EQ(LeastAllocatedScore({4000, 10000, 110}, {3000, 5000, 1}), 37);
  EXPECT_EQ(LeastAllocatedScore({6000, 10000, 110}, {3000, 5000, 1}), 50);
  // "nothing scheduled, nothing requested": 100 on every node.
  EXPECT_EQ(LeastAllocatedScore({4000, 10000, 110}, {0, 0, 1}), 100);
  // Over capacity scores 0 for that resource; zero capacity too.
  EXPECT_EQ(LeastAllocatedScore({4000, 10000, 110}, {5000, 0, 1}), 50);
  EXPECT_EQ(LeastAllocatedScore({0, 10000, 110}, {0, 0, 1}), 50);
}

TEST(BalancedAllocationScore, MatchesNothingScheduledDifferentlySizedNodes) {
  // balanced_allocation_test.go, same pod: node1 fractions 0.75 / 0.5 -> 87;
  // node2 0.5 / 0.5 -> 100.
  EXPECT_EQ(BalancedAllocationScore({4000, 10000, 110}, {3000, 5000, 1}), 87);
  EXPECT_EQ(BalancedAllocationScore({6000, 10000, 110}, {3000, 5000, 1}), 100);
  // Fractions are capped at 1.
  EXPECT_EQ(BalancedAllocationScore({1000, 1000, 110}, {3000, 0, 1}), 50);
}

TEST(ImageLocalityScore, MapsSizesBetweenThresholdsOntoZeroToHundred) {
  constexpr int64_t kMb = 1024 * 1024;
  EXPECT_EQ(ImageLocalityScore(0, 1), 0);
  EXPECT_EQ(ImageLocalityScore(23 * kMb, 1), 0);
  EXPECT_EQ(ImageLocalityScore(1000 * kMb, 1), 100);
  EXPECT_EQ(ImageLocalityScore(5000 * kMb, 1), 100);
  EXPECT_EQ(ImageLocalityScore(1000 * kMb, 2), (1000 - 23) * 100 / (2000 - 23));
}

PodDeletionRank Running(uint64_t uid, int64_t created_s, std::optional<int64_t> ready_s) {
  PodDeletionRank r;
  r.assigned = true;
  r.phase_ordinal = 2;
  r.ready = ready_s.has_value();
  if (ready_s) r.ready_since = SimTime::Zero() + SimDuration::Seconds(*ready_s);
  r.created = SimTime::Zero() + SimDuration::Seconds(created_s);
  r.uid = uid;
  return r;
}

TEST(DeleteFirst, FollowsActivePodsWithRanksOrder) {
  const SimTime now = SimTime::Zero() + SimDuration::Seconds(1000);
  PodDeletionRank unassigned;
  unassigned.uid = 1;
  PodDeletionRank pending = Running(2, 0, std::nullopt);
  pending.phase_ordinal = 0;
  const PodDeletionRank not_ready = Running(3, 0, std::nullopt);
  PodDeletionRank doubled = Running(4, 0, 10);
  doubled.colocated = 2;
  const PodDeletionRank ready_recently = Running(5, 0, 990);  // ready 10 s
  const PodDeletionRank ready_long = Running(6, 0, 10);       // ready 990 s

  // 1. unassigned < 2. pending < 3. not ready < 5. doubled up < 6. ready for less time.
  std::vector<PodDeletionRank> pods = {ready_long, ready_recently, doubled, not_ready, pending,
                                       unassigned};
  std::sort(pods.begin(), pods.end(),
            [&](const auto& a, const auto& b) { return DeleteFirst(a, b, now); });
  std::vector<uint64_t> order;
  for (const auto& p : pods) order.push_back(p.uid);
  EXPECT_EQ(order, (std::vector<uint64_t>{1, 2, 3, 4, 5, 6}));
}

TEST(DeleteFirst, RestartsThenNewerFirstInLogarithmicBuckets) {
  const SimTime now = SimTime::Zero() + SimDuration::Seconds(1000);
  PodDeletionRank crashy = Running(1, 900, std::nullopt);
  crashy.max_restarts = 3;
  const PodDeletionRank calm = Running(2, 100, std::nullopt);
  EXPECT_TRUE(DeleteFirst(crashy, calm, now));
  EXPECT_FALSE(DeleteFirst(calm, crashy, now));
  // Ages 100 s and 900 s are in different powers of two: the newer goes first.
  const PodDeletionRank young = Running(9, 900, std::nullopt);
  const PodDeletionRank old = Running(8, 100, std::nullopt);
  EXPECT_TRUE(DeleteFirst(young, old, now));
  // Ages 600 s and 700 s share a power of two (2^39 ns <= both < 2^40 ns): lower uid first.
  const PodDeletionRank a = Running(20, 400, std::nullopt);
  const PodDeletionRank b = Running(21, 300, std::nullopt);
  EXPECT_TRUE(DeleteFirst(a, b, now));
  EXPECT_FALSE(DeleteFirst(b, a, now));
}


// Kubernetes' TestNumFeasibleNodesToFind (pkg/scheduler/schedule_one_test.go),
// the default (adaptive) percentageOfNodesToScore rows.
TEST(NumFeasibleNodesToFind, MatchesKubernetesAdaptivePercentage) {
  EXPECT_EQ(NumFeasibleNodesToFind(10), 10);      // fewer than 100 nodes: all
  EXPECT_EQ(NumFeasibleNodesToFind(99), 99);
  EXPECT_EQ(NumFeasibleNodesToFind(100), 100);    // 50 % of 100 is below the 100-node floor
  EXPECT_EQ(NumFeasibleNodesToFind(1000), 420);   // 50 - 8 = 42 %
  EXPECT_EQ(NumFeasibleNodesToFind(5000), 500);   // 50 - 40 = 10 %
  EXPECT_EQ(NumFeasibleNodesToFind(6000), 300);   // 50 - 48 = 2 %, floored at 5 %
}

}  // namespace
}  // namespace kubesim::cluster
