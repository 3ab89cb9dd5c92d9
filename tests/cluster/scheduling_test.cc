// Scheduler scoring and ReplicaSet deletion ranking, against Kubernetes'
// rules and unit-test vectors (pkg/scheduler/framework/plugins/noderesources
// least_allocated_test.go and balanced_allocation_test.go; controller_utils.go).
#include "kubesim/cluster/scheduling.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <utility>
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

k8s::Container Sidecar(std::optional<int64_t> cpu_milli, std::optional<int64_t> mem_bytes) {
  k8s::Container c = Requesting(cpu_milli, mem_bytes);
  c.restart_policy = "Always";
  return c;
}

constexpr int64_t kMi = 1024 * 1024;

// Kubernetes' own vectors (staging/src/k8s.io/component-helpers/resource/
// helpers_test.go, TestPodResourceRequests and TestPodLevelResourceRequests;
// cpu in millicores, memory in bytes). Each comment derives the result from
// the rule: max(sum of regular containers and sidecars, the largest init
// peak), a plain init container's peak being its request plus the sidecars
// before it, a sidecar's the sidecars up to it.
TEST(PodRequests, KubernetesVectorLargerInitContainer) {
  k8s::PodSpec spec;  // "nil options, larger init container": max(1, 4) = 4
  spec.containers = {Requesting(1000, std::nullopt)};
  spec.init_containers = {Requesting(4000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 4000);
}

TEST(PodRequests, KubernetesVectorLargerContainers) {
  k8s::PodSpec spec;  // "nil options, larger containers": max(2 + 3, 2) = 5
  spec.containers = {Requesting(2000, std::nullopt), Requesting(3000, std::nullopt)};
  spec.init_containers = {Requesting(2000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 5000);
}

TEST(PodRequests, KubernetesVectorRestartableInitContainerIsAdded) {
  k8s::PodSpec spec;  // "restartable init container": 1 + 1 = 2 (a max would say 1)
  spec.containers = {Requesting(1000, std::nullopt)};
  spec.init_containers = {Sidecar(1000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 2000);
}

TEST(PodRequests, KubernetesVectorMultipleRestartableInitContainers) {
  k8s::PodSpec spec;  // init 5, sidecars 1, 2, 3: max(1 + 1 + 2 + 3, 5) = 7
  spec.containers = {Requesting(1000, std::nullopt)};
  spec.init_containers = {Requesting(5000, std::nullopt), Sidecar(1000, std::nullopt),
                          Sidecar(2000, std::nullopt), Sidecar(3000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 7000);
}

TEST(PodRequests, KubernetesVectorMultipleRestartableAndRegularInitContainers) {
  k8s::PodSpec spec;  // the second init 5 runs beside sidecars 1 + 2: peak 8 > 1 + 1 + 2 + 3 = 7
  spec.containers = {Requesting(1000, std::nullopt)};
  spec.init_containers = {Requesting(5000, std::nullopt), Sidecar(1000, std::nullopt),
                          Sidecar(2000, std::nullopt), Requesting(5000, std::nullopt),
                          Sidecar(3000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 8000);
}

TEST(PodRequests, KubernetesVectorRestartableInitInitAndRegular) {
  k8s::PodSpec spec;  // "restartable-init, init and regular": init 200 beside sidecar 10 = 210 > 110
  spec.containers = {Requesting(100'000, std::nullopt)};
  spec.init_containers = {Sidecar(10'000, std::nullopt), Requesting(200'000, std::nullopt)};
  EXPECT_EQ(PodRequests(spec).cpu_milli, 210'000);
}

TEST(PodRequests, KubernetesVectorSidecarAndInitWithAndWithoutPodLevelResources) {
  // TestPodLevelResourceRequests: containers 2m/3Mi, sidecar 4m/5Mi, init 8m/6Mi.
  k8s::PodSpec spec;
  spec.containers = {Requesting(2, 3 * kMi)};
  spec.init_containers = {Sidecar(4, 5 * kMi)};
  EXPECT_EQ(PodRequests(spec), (Resources{6, 8 * kMi, 1}));  // 2 + 4, 3 + 5
  spec.init_containers.push_back(Requesting(8, 6 * kMi));
  // cpu: max(6, 8 + 4) = 12; memory: max(8, 6 + 5) = 11.
  EXPECT_EQ(PodRequests(spec), (Resources{12, 11 * kMi, 1}));
  // Pod-level 18m / 15Mi take the containers' place.
  spec.resources.emplace();
  spec.resources->requests["cpu"] = k8s::Quantity::FromMilli(18);
  spec.resources->requests["memory"] = k8s::Quantity::FromMilli(15 * kMi * 1000);
  EXPECT_EQ(PodRequests(spec), (Resources{18, 15 * kMi, 1}));
}

TEST(PodRequests, KubernetesVectorPodLevelMemoryAndContainerLevelCpu) {
  k8s::PodSpec spec;  // a pod-level request replaces only its own resource
  spec.containers = {Requesting(2, std::nullopt)};
  spec.resources.emplace();
  spec.resources->requests["memory"] = k8s::Quantity::FromMilli(2 * kMi * 1000);
  EXPECT_EQ(PodRequests(spec), (Resources{2, 2 * kMi, 1}));
}

TEST(PodRequests, NonZeroDefaultsApplyToSidecarsToo) {
  // applyNonMissing runs on every container, sidecars included: a sidecar
  // without requests adds 100m / 200Mi to the scheduler's scoring request.
  k8s::PodSpec spec;
  spec.containers = {Requesting(250, std::nullopt)};
  spec.init_containers = {Sidecar(std::nullopt, std::nullopt)};
  EXPECT_EQ(PodRequests(spec), (Resources{250, 0, 1}));
  EXPECT_EQ(PodRequests(spec, /*non_zero=*/true),
            (Resources{250 + 100, 2 * kDefaultMemoryRequest, 1}));
}

TEST(PodRequests, NonZeroDefaultsFillMissingRequestsForScoring) {
  k8s::PodSpec spec;
  spec.containers = {Requesting(std::nullopt, std::nullopt), Requesting(250, std::nullopt)};
  EXPECT_EQ(PodRequests(spec), (Resources{250, 0, 1}));
  EXPECT_EQ(PodRequests(spec, /*non_zero=*/true),
            (Resources{100 + 250, 2 * kDefaultMemoryRequest, 1}));
}

// nodeaffinity's matching (k8s.io/component-helpers/scheduling/corev1/
// nodeaffinity/nodeaffinity_test.go): requirements of a term are ANDed,
// terms ORed, an empty term matches nothing, Gt and Lt compare integers,
// matchFields name the node.
TEST(NodeAffinity, TermsAreOredRequirementsAndedAndAnEmptyTermMatchesNothing) {
  using Op = k8s::NodeSelectorRequirement::Operator;
  const k8s::Labels labels{{"zone", "a"}, {"cores", "8"}};
  k8s::NodeAffinity a;
  a.required.emplace();
  a.required->push_back(k8s::NodeSelectorTerm{});  // empty: matches nothing
  EXPECT_FALSE(a.RequiredMatches(labels, "n1"));
  a.required->push_back(k8s::NodeSelectorTerm{{{"zone", Op::kIn, {"b", "c"}}}, {}});
  EXPECT_FALSE(a.RequiredMatches(labels, "n1"));
  a.required->push_back(
      k8s::NodeSelectorTerm{{{"zone", Op::kNotIn, {"b"}}, {"cores", Op::kGt, {"4"}}}, {}});
  EXPECT_TRUE(a.RequiredMatches(labels, "n1"));  // the third term: both hold
  const k8s::NodeSelectorTerm lt{{{"cores", Op::kLt, {"8"}}}, {}};
  EXPECT_FALSE(lt.Matches(labels, "n1"));  // 8 < 8 is false
  const k8s::NodeSelectorTerm not_a_number{{{"zone", Op::kGt, {"1"}}}, {}};
  EXPECT_FALSE(not_a_number.Matches(labels, "n1"));
  const k8s::NodeSelectorTerm by_name{{}, {{"metadata.name", Op::kIn, {"n1"}}}};
  EXPECT_TRUE(by_name.Matches(labels, "n1"));
  EXPECT_FALSE(by_name.Matches(labels, "n2"));
  k8s::NodeAffinity preferred;
  preferred.preferred = {{30, {{{"zone", Op::kIn, {"a"}}}, {}}},
                         {50, {{{"zone", Op::kExists, {}}}, {}}},
                         {20, {{{"disk", Op::kExists, {}}}, {}}}};
  EXPECT_EQ(preferred.PreferredWeight(labels, "n1"), 80);
}

// ToleratesTaint (k8s.io/api/core/v1/toleration_test.go): the effect must
// match unless empty, the key unless empty (which needs Exists), and with
// Equal the value.
TEST(Toleration, ToleratesTaintAsKubernetesDoes) {
  const k8s::Taint taint{"dedicated", "gpu", "NoSchedule"};
  EXPECT_TRUE((k8s::Toleration{"dedicated", "Equal", "gpu", "NoSchedule", {}}.Tolerates(taint)));
  EXPECT_TRUE((k8s::Toleration{"dedicated", "", "gpu", "", {}}.Tolerates(taint)));
  EXPECT_FALSE((k8s::Toleration{"dedicated", "Equal", "cpu", "NoSchedule", {}}.Tolerates(taint)));
  EXPECT_FALSE((k8s::Toleration{"dedicated", "Exists", "", "NoExecute", {}}.Tolerates(taint)));
  EXPECT_TRUE((k8s::Toleration{"dedicated", "Exists", "", "", {}}.Tolerates(taint)));
  EXPECT_TRUE((k8s::Toleration{"", "Exists", "", "", {}}.Tolerates(taint)));
  EXPECT_FALSE((k8s::Toleration{"other", "Exists", "", "", {}}.Tolerates(taint)));
}

// FitError.Error() and DefaultPreemption's message (pkg/scheduler/framework
// types.go): "COUNT REASON" strings sorted as strings, so "10 ..." comes
// before "2 ..." and a count's digits decide before the reason does.
TEST(FailedSchedulingMessage, SortsCountAndReasonAsStringsAndAddsPreemption) {
  EXPECT_EQ(FailedSchedulingMessage(
                3, {{"Insufficient cpu", 1}, {"node(s) didn't match pod anti-affinity rules", 2}}, 2,
                1),
            "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match pod "
            "anti-affinity rules. preemption: 0/3 nodes are available: 1 No preemption victims "
            "found for incoming pod, 2 Preemption is not helpful for scheduling.");
  EXPECT_EQ(FailedSchedulingMessage(12, {{"node(s) were unschedulable", 2}, {"Insufficient cpu", 10}},
                                    2, 10),
            "0/12 nodes are available: 10 Insufficient cpu, 2 node(s) were unschedulable. "
            "preemption: 0/12 nodes are available: 10 No preemption victims found for incoming "
            "pod, 2 Preemption is not helpful for scheduling.");
  EXPECT_EQ(FailedSchedulingMessage(0, {}, 0, 0), "no nodes available to schedule pods");
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

// TestSortingActivePodsWithRanks (pkg/controller/controller_utils_test.go)
// ranks "lower pod deletion cost < higher pod deletion cost" after
// readiness and before co-location: a ready pod costing -10 goes before a
// doubled-up one costing 0, and a not-ready pod costing 100 before both.
TEST(DeleteFirst, LowerPodDeletionCostGoesFirstAfterReadinessBeforeColocation) {
  const SimTime now = SimTime::Zero() + SimDuration::Seconds(1000);
  PodDeletionRank cheap = Running(1, 0, 10);
  cheap.deletion_cost = -10;
  PodDeletionRank doubled = Running(2, 0, 10);
  doubled.colocated = 3;
  PodDeletionRank dear_not_ready = Running(3, 0, std::nullopt);
  dear_not_ready.deletion_cost = 100;
  PodDeletionRank dear = Running(4, 0, 990);  // ready only 10 s, but costs 1
  dear.deletion_cost = 1;
  std::vector<PodDeletionRank> pods = {dear, doubled, cheap, dear_not_ready};
  std::sort(pods.begin(), pods.end(),
            [&](const auto& a, const auto& b) { return DeleteFirst(a, b, now); });
  std::vector<uint64_t> order;
  for (const auto& p : pods) order.push_back(p.uid);
  EXPECT_EQ(order, (std::vector<uint64_t>{3, 1, 2, 4}));
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


// The ranking as first written: a double's log2 per comparison. LogRank and
// both DeleteFirst overloads must agree with it exactly.
int64_t ReferenceLogRank(SimTime t, SimTime now) {
  const int64_t d_ns = (now - t).micros() * 1000;
  return d_ns > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d_ns))) : -1;
}

bool ReferenceDeleteFirst(const PodDeletionRank& a, const PodDeletionRank& b, SimTime now) {
  if (a.assigned != b.assigned) return !a.assigned;
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  if (a.ready != b.ready) return !a.ready;
  if (a.deletion_cost != b.deletion_cost) return a.deletion_cost < b.deletion_cost;
  if (a.colocated != b.colocated) return a.colocated > b.colocated;
  if (a.ready && b.ready && a.ready_since && b.ready_since && *a.ready_since != *b.ready_since) {
    const int64_t diff = ReferenceLogRank(*a.ready_since, now) - ReferenceLogRank(*b.ready_since, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  if (a.created != b.created) {
    const int64_t diff = ReferenceLogRank(a.created, now) - ReferenceLogRank(b.created, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  return a.uid < b.uid;  // equal in everything Less compares: the draw
}

TEST(LogRank, EqualsTheDoublesLog2OnBothSidesOfEveryPowerOfTwo) {
  // Differences are whole microseconds: d = m * 1000 ns. Around each 2^k ns,
  // every m within 3000 of 2^k / 1000 (both paths: the exact one below 2^44
  // ns, std::log2 above), up to where m * 1000 would overflow.
  const SimTime t0 = SimTime::Zero();
  int64_t checked = 0;
  for (int k = 0; k <= 62; ++k) {
    const int64_t center = (int64_t{1} << k) / 1000;
    for (int64_t m = center - 3000; m <= center + 3000; ++m) {
      if (m < -5 || m > INT64_MAX / 1000 - 1) continue;
      const SimTime now = t0 + SimDuration::Micros(m);
      ASSERT_EQ(LogRank(t0, now), ReferenceLogRank(t0, now)) << "m=" << m;
      ++checked;
    }
  }
  EXPECT_GT(checked, 300000);
  // And random differences across the whole range, log-uniform.
  std::mt19937_64 gen(7);
  for (int i = 0; i < 1000000; ++i) {
    const int bits = static_cast<int>(gen() % 54);
    const int64_t m = static_cast<int64_t>(gen() & ((uint64_t{1} << bits) - 1));
    const SimTime now = t0 + SimDuration::Micros(m);
    ASSERT_EQ(LogRank(t0, now), ReferenceLogRank(t0, now)) << "m=" << m;
  }
}

// Random pods whose fields collide often, so that every rule and every tie
// (same log2 bucket, same time) is exercised.
PodDeletionRank RandomPod(std::mt19937_64& gen, uint64_t uid, SimTime now) {
  const auto pick = [&](uint64_t n) { return static_cast<int64_t>(gen() % n); };
  // Times before `now` (some equal to it or after: LogRank -1), clustered near
  // powers of two of the age and spread over it.
  const auto time = [&]() {
    int64_t age_us;
    switch (pick(4)) {
      case 0: age_us = pick(5) - 2; break;
      case 1: age_us = ((int64_t{1} << pick(45)) / 1000) + pick(3) - 1; break;
      case 2: age_us = pick(3600) * 1000000; break;
      default: age_us = pick(int64_t{1} << 40); break;
    }
    return now - SimDuration::Micros(age_us);
  };
  PodDeletionRank r;
  r.assigned = pick(8) != 0;
  r.phase_ordinal = static_cast<int>(pick(3));
  r.ready = pick(3) != 0;
  r.colocated = static_cast<int32_t>(pick(3));
  if (pick(4) == 0) r.deletion_cost = static_cast<int32_t>(pick(3)) - 1;
  if (pick(5) != 0) r.ready_since = time();
  r.max_restarts = static_cast<int32_t>(pick(4) == 0 ? pick(3) : 0);
  r.created = time();
  r.uid = uid;
  return r;
}

TEST(DeleteFirst, PrecomputedRanksCompareAsTheLogarithms) {
  std::mt19937_64 gen(42);
  for (int round = 0; round < 200; ++round) {
    const SimTime now = SimTime::Zero() + SimDuration::Micros(
                                              static_cast<int64_t>(gen() % (int64_t{1} << 42)));
    std::vector<PodDeletionRank> pods;
    for (uint64_t uid = 0; uid < 150; ++uid) {
      pods.push_back(RandomPod(gen, gen() % 40, now));  // uids repeat too
    }
    std::vector<PodDeletionRank> ranked = pods;
    for (PodDeletionRank& r : ranked) RankAt(r, now);
    for (size_t i = 0; i < pods.size(); ++i) {
      for (size_t j = 0; j < pods.size(); ++j) {
        const bool want = ReferenceDeleteFirst(pods[i], pods[j], now);
        ASSERT_EQ(DeleteFirst(pods[i], pods[j], now), want) << round << " " << i << " " << j;
        ASSERT_EQ(DeleteFirst(ranked[i], ranked[j]), want) << round << " " << i << " " << j;
      }
    }
    // The stable_sort the ReplicaSet controller runs orders them identically.
    std::vector<std::pair<PodDeletionRank, uint32_t>> a, b;
    for (uint32_t i = 0; i < pods.size(); ++i) {
      a.emplace_back(pods[i], i);
      b.emplace_back(ranked[i], i);
    }
    std::stable_sort(a.begin(), a.end(), [&](const auto& x, const auto& y) {
      return ReferenceDeleteFirst(x.first, y.first, now);
    });
    std::stable_sort(b.begin(), b.end(),
                     [](const auto& x, const auto& y) { return DeleteFirst(x.first, y.first); });
    for (size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i].second, b[i].second) << round;
  }
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
