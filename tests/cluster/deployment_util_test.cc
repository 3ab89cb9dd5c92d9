// Kubernetes' own unit-test vectors for the Deployment controller's
// arithmetic, ported as tables. Each test names the Go test it comes from
// (kubernetes/kubernetes pkg/controller/deployment/...). Where the Go test
// helper newDeployment() leaves maxSurge/maxUnavailable nil, they are 0 here
// too (so ResolveFenceposts bumps unavailable to 1).
#include "cluster/deployment_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <map>
#include <string>
#include <vector>

namespace kubesim::cluster {
namespace {

using k8s::IntOrPercent;
using Strategy = k8s::DeploymentStrategy::Type;
using Reason = ProgressingCondition::Reason;

IntOrPercent I(int32_t v) { return IntOrPercent::Int(v); }
IntOrPercent P(int32_t p) { return IntOrPercent::Percent(p); }

k8s::DeploymentSpec Rolling(int32_t replicas, IntOrPercent max_surge, IntOrPercent max_unavailable) {
  k8s::DeploymentSpec d;
  d.replicas = replicas;
  d.strategy.type = Strategy::kRollingUpdate;
  d.strategy.rolling_update = k8s::RollingUpdateDeployment{max_surge, max_unavailable};
  return d;
}

k8s::DeploymentSpec Recreate(int32_t replicas) {
  k8s::DeploymentSpec d;
  d.replicas = replicas;
  d.strategy.type = Strategy::kRecreate;
  d.strategy.rolling_update.reset();
  return d;
}

// A ReplicaSet view: id doubles as creation order (a larger id is newer).
ReplicaSetView Rs(uint32_t id, int32_t replicas, int32_t available = 0) {
  ReplicaSetView rs;
  rs.id = id;
  rs.creation_order = id;
  rs.replicas = replicas;
  rs.status_replicas = replicas;
  rs.available_replicas = available;
  rs.ready_replicas = available;
  return rs;
}

const ReplicaSetView& ById(const std::vector<ReplicaSetView>& rss, uint32_t id) {
  return *std::find_if(rss.begin(), rss.end(), [&](const auto& r) { return r.id == id; });
}

// --- deployment_util_test.go ----------------------------------------------------

TEST(ResolveFenceposts, MatchesTestResolveFenceposts) {
  // The rows with unparsable strings ("oops", "urg") are load errors in kubesim
  // (ParsePercent), so they never reach the controller.
  struct Row {
    IntOrPercent surge, unavailable;
    int32_t desired;
    Fenceposts want;
  };
  const Row rows[] = {
      {P(0), P(0), 0, {0, 1}},     // "0%", "0%", 0 -> 0, 1
      {P(39), P(39), 10, {4, 3}},  // "39%", "39%", 10 -> 4, 3
      {I(0), P(39), 10, {0, 3}},   // nil, "39%"
      {P(39), I(0), 10, {4, 0}},   // "39%", nil
      {I(0), I(0), 10, {0, 1}},    // nil, nil: both zero bumps unavailable to 1
  };
  for (const Row& r : rows) {
    EXPECT_EQ(ResolveFenceposts(r.surge, r.unavailable, r.desired), r.want)
        << r.surge.ToString() << " " << r.unavailable.ToString() << " of " << r.desired;
  }
}

TEST(ResolveFenceposts, SeedDefaultsOfOneReplicaSurgeOneUnavailableZero) {
  // 25%/25% of 1: surge ceil(0.25) = 1, unavailable floor(0.25) = 0.
  EXPECT_EQ(ResolveFenceposts(P(25), P(25), 1), (Fenceposts{1, 0}));
  EXPECT_EQ(ResolveFenceposts(P(25), P(25), 10), (Fenceposts{3, 2}));
  EXPECT_EQ(ResolveFenceposts(P(25), P(25), 100), (Fenceposts{25, 25}));
}

TEST(NewRSNewReplicas, MatchesTestNewRSNewReplicas) {
  // allRSs = [another RS with 5 replicas]; the new RS itself is not in allRSs.
  struct Row {
    const char* name;
    k8s::DeploymentSpec d;
    int32_t new_rs_replicas;
    int32_t want;
  };
  const Row rows[] = {
      {"can not scale up - to newRSReplicas", Rolling(1, I(1), I(1)), 5, 5},
      {"scale up - to depReplicas", Rolling(6, I(10), I(1)), 2, 6},
      {"recreate - to depReplicas", Recreate(3), 1, 3},
  };
  for (const Row& r : rows) {
    const std::vector<ReplicaSetView> all = {Rs(1, 5)};
    EXPECT_EQ(NewRSNewReplicas(r.d, all, Rs(2, r.new_rs_replicas)), r.want) << r.name;
  }
}

TEST(MaxUnavailable, MatchesTestMaxUnavailable) {
  struct Row {
    k8s::DeploymentSpec d;
    int32_t want;
  };
  const Row rows[] = {
      {Rolling(10, I(1), I(5)), 5},    {Rolling(10, I(1), I(10)), 10},
      {Rolling(5, I(1), I(10)), 5},    {Rolling(0, I(1), I(10)), 0},
      {Recreate(10), 0},               {Rolling(10, I(1), P(50)), 5},
      {Rolling(10, I(1), P(100)), 10}, {Rolling(5, I(1), P(100)), 5},
  };
  for (const Row& r : rows) EXPECT_EQ(MaxUnavailable(r.d), r.want) << r.d.replicas;
}

TEST(MinAvailable, MatchesTestMinAvailable) {
  struct Row {
    k8s::DeploymentSpec d;
    int32_t want;
  };
  const Row rows[] = {
      {Rolling(10, I(1), I(5)), 5},   {Rolling(10, I(1), I(10)), 0},
      {Rolling(5, I(1), I(10)), 0},   {Rolling(0, I(1), I(10)), 0},
      {Recreate(10), 0},              {Rolling(10, I(1), P(60)), 4},
      {Rolling(10, I(1), P(100)), 0}, {Rolling(5, I(1), P(100)), 0},
  };
  for (const Row& r : rows) EXPECT_EQ(MinAvailable(r.d), r.want) << r.d.replicas;
}

TEST(ReplicaCounts, MatchesTestGetReplicaCountForReplicaSets) {
  // Spec and status sums (the terminating-replicas columns belong to an alpha feature).
  ReplicaSetView rs1 = Rs(1, 1), rs2 = Rs(2, 2), rs3 = Rs(3, 3), rs4 = Rs(4, 1);
  rs1.status_replicas = 2;
  rs2.status_replicas = 3;
  rs3.status_replicas = 0;
  rs4.status_replicas = 1;
  const std::vector<ReplicaSetView> one = {rs1}, two = {rs1, rs2}, three = {rs3},
                                    first3 = {rs1, rs2, rs3}, four = {rs1, rs2, rs3, rs4};
  EXPECT_EQ(GetReplicaCountForReplicaSets(one), 1);
  EXPECT_EQ(GetActualReplicaCountForReplicaSets(one), 2);
  EXPECT_EQ(GetReplicaCountForReplicaSets(two), 3);
  EXPECT_EQ(GetActualReplicaCountForReplicaSets(two), 5);
  EXPECT_EQ(GetReplicaCountForReplicaSets(three), 3);
  EXPECT_EQ(GetActualReplicaCountForReplicaSets(three), 0);
  EXPECT_EQ(GetReplicaCountForReplicaSets(first3), 6);
  EXPECT_EQ(GetActualReplicaCountForReplicaSets(first3), 5);
  EXPECT_EQ(GetReplicaCountForReplicaSets(four), 7);
  EXPECT_EQ(GetActualReplicaCountForReplicaSets(four), 6);
}

TEST(DeploymentComplete, MatchesTestDeploymentComplete) {
  // (desired, status.replicas, updated, available, maxUnavailable, maxSurge) -> complete
  struct Row {
    int32_t desired, replicas, updated, available, max_unavailable, max_surge;
    bool want;
  };
  const Row rows[] = {
      {5, 5, 5, 4, 1, 0, false},  // min but not all available
      {5, 5, 5, 3, 1, 0, false},  // not min available
      {5, 5, 5, 5, 0, 0, true},   // complete
      {5, 5, 4, 5, 0, 0, false},  // available but not updated
      {1, 2, 1, 1, 0, 1, false},  // old pods still running
      {1, 1, 1, 0, 1, 1, false},  // never comes up
  };
  for (const Row& r : rows) {
    const auto d = Rolling(r.desired, I(r.max_surge), I(r.max_unavailable));
    DeploymentStatusCounts s;
    s.replicas = r.replicas;
    s.updated_replicas = r.updated;
    s.available_replicas = r.available;
    EXPECT_EQ(DeploymentComplete(d, s), r.want) << r.desired << r.replicas << r.updated;
  }
}

TEST(DeploymentProgressing, MatchesTestDeploymentProgressing) {
  // (replicas, updated, ready, available): old -> new
  struct Row {
    DeploymentStatusCounts old_status, new_status;
    bool want;
  };
  auto S = [](int32_t replicas, int32_t updated, int32_t ready, int32_t available) {
    DeploymentStatusCounts s;
    s.replicas = replicas;
    s.updated_replicas = updated;
    s.ready_replicas = ready;
    s.available_replicas = available;
    return s;
  };
  const Row rows[] = {
      {S(10, 4, 4, 4), S(10, 6, 4, 4), true},     // more updated
      {S(10, 4, 4, 4), S(10, 4, 4, 4), false},    // no change
      {S(10, 4, 6, 6), S(8, 4, 6, 6), true},      // fewer old pods
      {S(10, 7, 3, 3), S(10, 6, 3, 3), false},    // fewer new pods is no progress
      {S(10, 4, 7, 7), S(8, 8, 5, 5), true},      // more updated, fewer old
      {S(10, 10, 9, 8), S(10, 10, 10, 8), true},  // more ready
      {S(10, 10, 10, 9), S(10, 10, 10, 10), true},  // more available
  };
  for (const Row& r : rows) EXPECT_EQ(DeploymentProgressing(r.old_status, r.new_status), r.want);
}

TEST(DeploymentTimedOut, MatchesTestDeploymentTimedOut) {
  // Progressing.lastUpdateTime = from; "timed out" iff from + deadline is strictly before now.
  const SimTime t0 = SimTime::Zero() + SimDuration::Seconds(69);  // 00:01:09
  const SimTime now = SimTime::Zero() + SimDuration::Seconds(80);  // 00:01:20
  ProgressingCondition c{Reason::kReplicaSetUpdated, t0, t0};
  auto d = Rolling(1, I(1), I(0));

  d.progress_deadline_seconds = std::numeric_limits<int32_t>::max();  // MaxInt32: no deadline
  EXPECT_FALSE(DeploymentTimedOut(d, c, now));
  d.progress_deadline_seconds = 10;  // 11 s without progress
  EXPECT_TRUE(DeploymentTimedOut(d, c, now));
  c.last_update = SimTime::Zero() + SimDuration::Seconds(71);  // 9 s without progress
  EXPECT_FALSE(DeploymentTimedOut(d, c, now));
  c.reason = Reason::kNewReplicaSetAvailable;  // complete: never timed out
  c.last_update = SimTime::Zero();
  EXPECT_FALSE(DeploymentTimedOut(d, c, now));
}

TEST(DeploymentTimedOut, ExactlyAtTheDeadlineIsNotYetTimedOut) {
  auto d = Rolling(1, I(1), I(0));
  d.progress_deadline_seconds = 600;
  const ProgressingCondition c{Reason::kReplicaSetUpdated, SimTime::Zero(), SimTime::Zero()};
  EXPECT_FALSE(DeploymentTimedOut(d, c, SimTime::Zero() + SimDuration::Seconds(600)));
  EXPECT_TRUE(DeploymentTimedOut(d, c, SimTime::Zero() + SimDuration::Micros(600'000'001)));
}

TEST(GetReplicaSetFraction, MatchesTestGetReplicaSetFraction) {
  // maxUnavailable = 1; the annotation is max-replicas.
  struct Row {
    int32_t dep_replicas, dep_status_replicas, max_surge, rs_replicas;
    std::optional<int32_t> annotation;
    int32_t want;
  };
  const Row rows[] = {
      {0, 0, 0, 10, std::nullopt, -10},  // scaling down to zero: all of it
      {10, 0, 0, 5, std::nullopt, 0},    // no annotation, no status: nothing
      {10, 0, 0, 5, 0, 0},               // annotation "0": nothing
      {120, 100, 0, 50, std::nullopt, 10},
      {120, 100, 0, 50, 0, 10},
      {120, 0, 0, 50, 100, 10},
      {120, 0, 10, 50, 110, 9},
      {10, 0, 0, 6, 12, -1},
      {100, 0, 10, 50, 130, -8},
  };
  for (const Row& r : rows) {
    const auto d = Rolling(r.dep_replicas, I(r.max_surge), I(1));
    ReplicaSetView rs = Rs(1, r.rs_replicas);
    rs.max_replicas = r.annotation;
    EXPECT_EQ(GetReplicaSetFraction(d, r.dep_status_replicas, rs), r.want)
        << r.dep_replicas << " " << r.rs_replicas;
  }
}

// --- rolling_test.go ----------------------------------------------------------

TEST(ReconcileNewReplicaSet, MatchesTestDeploymentController_reconcileNewReplicaSet) {
  // maxUnavailable = 0; the old RS is "foo-v1".
  struct Row {
    const char* name;
    int32_t dep, max_surge, old_replicas, new_replicas;
    bool scale;
    int32_t want;
  };
  const Row rows[] = {
      {"should not scale up when old replica set is fully saturated", 10, 0, 10, 0, false, 0},
      {"should scale up according to the maxSurge when old replica set is fully saturated", 10, 2,
       10, 0, true, 2},
      {"should scale up according to the maxSurge", 10, 2, 5, 0, true, 7},
      {"should not scale when maxSurge is fully saturated", 10, 2, 10, 2, false, 2},
      {"should scale down when there are replicas above maxSurge", 10, 2, 2, 11, true, 10},
  };
  for (const Row& r : rows) {
    const auto d = Rolling(r.dep, I(r.max_surge), I(0));
    const std::vector<ReplicaSetView> olds = {Rs(1, r.old_replicas)};
    ReplicaSetView new_rs = Rs(2, r.new_replicas);
    EXPECT_EQ(ReconcileNewReplicaSet(d, olds, new_rs), r.scale) << r.name;
    if (r.scale) {
      EXPECT_EQ(new_rs.replicas, r.want) << r.name;
    }
  }
}

TEST(ReconcileOldReplicaSets, MatchesTestDeploymentController_reconcileOldReplicaSets) {
  // maxSurge = 0; "ready" is status.availableReplicas.
  struct Row {
    int32_t dep, max_unavailable, old_replicas, new_replicas, old_ready, new_ready;
    bool scale;
    int32_t want_old;
  };
  const Row rows[] = {
      {10, 0, 10, 0, 10, 0, true, 9},   // maxUnavailable 0 resolves to 1
      {10, 2, 10, 0, 10, 0, true, 8},
      {10, 2, 10, 0, 8, 0, true, 8},    // the 2 unhealthy cleaned up
      {10, 2, 10, 0, 9, 0, true, 8},    // 1 cleaned up + 1 scaled down
      {10, 2, 8, 2, 8, 0, false, 8},    // the new RS's unavailable pods block
  };
  for (const Row& r : rows) {
    const auto d = Rolling(r.dep, I(0), I(r.max_unavailable));
    std::vector<ReplicaSetView> olds = {Rs(1, r.old_replicas, r.old_ready)};
    const ReplicaSetView new_rs = Rs(2, r.new_replicas, r.new_ready);
    EXPECT_EQ(ReconcileOldReplicaSets(d, olds, new_rs), r.scale);
    EXPECT_EQ(olds[0].replicas, r.want_old);
  }
}

TEST(CleanupUnhealthyReplicas, MatchesTestDeploymentController_cleanupUnhealthyReplicas) {
  // deployment 10, maxSurge 2, maxUnavailable 2
  struct Row {
    int32_t old_replicas, ready_pods, max_cleanup_count, want_cleaned;
  };
  const Row rows[] = {{10, 8, 1, 1}, {10, 8, 3, 2}, {10, 8, 0, 0}, {10, 10, 3, 0}};
  for (const Row& r : rows) {
    const auto d = Rolling(10, I(2), I(2));
    std::vector<ReplicaSetView> olds = {Rs(1, r.old_replicas, r.ready_pods)};
    EXPECT_EQ(CleanupUnhealthyReplicas(d, olds, r.max_cleanup_count), r.want_cleaned);
    EXPECT_EQ(olds[0].replicas, r.old_replicas - r.want_cleaned);
  }
}

// cleanupUnhealthyReplicas' guard (rolling.go: "when cleaning up unhealthy
// replicas, got invalid request to scale down %s/%s %d -> %d"): an old
// ReplicaSet scaled to 2 whose status still says 3 available (the
// ReplicaSet controller has not synced since) would be "cleaned up" to 3.
// Go returns the error instead; the older ReplicaSet already cleaned up
// stays scaled.
TEST(CleanupUnhealthyReplicas, AStaleStatusIsAnErrorNotAScaleUp) {
  const auto d = Rolling(10, I(2), I(2));
  std::vector<ReplicaSetView> olds = {Rs(1, 4, 3), Rs(2, 2, 3)};
  EXPECT_EQ(CleanupUnhealthyReplicas(d, olds, 5), std::nullopt);
  EXPECT_EQ(olds[0].replicas, 3);  // the older one: 1 unhealthy replica removed
  EXPECT_EQ(olds[1].replicas, 2);  // not 3
  const ReplicaSetView new_rs = Rs(3, 4, 4);
  std::vector<ReplicaSetView> again = {Rs(1, 3, 3), Rs(2, 2, 3)};
  EXPECT_EQ(ReconcileOldReplicaSets(d, again, new_rs), std::nullopt);
  EXPECT_EQ(again[1].replicas, 2);
}

TEST(ScaleDownOldReplicaSetsForRollingUpdate,
     MatchesTestDeploymentController_scaleDownOldReplicaSetsForRollingUpdate) {
  // maxSurge = 0; allRSs = [oldRS]
  struct Row {
    int32_t dep, max_unavailable, ready, old_replicas;
    bool scale;
    int32_t want_old;
  };
  const Row rows[] = {
      {10, 0, 10, 10, true, 9}, {10, 2, 10, 10, true, 8}, {10, 2, 8, 10, false, 10},
      {10, 2, 10, 0, false, 0}, {10, 2, 1, 10, false, 10},
  };
  for (const Row& r : rows) {
    const auto d = Rolling(r.dep, I(0), I(r.max_unavailable));
    std::vector<ReplicaSetView> olds = {Rs(1, r.old_replicas, r.ready)};
    EXPECT_EQ(ScaleDownOldReplicaSetsForRollingUpdate(d, olds, nullptr) > 0, r.scale);
    EXPECT_EQ(olds[0].replicas, r.want_old);
  }
}

// --- sync_test.go -------------------------------------------------------------

struct ScaleRow {
  const char* name;
  int32_t old_replicas, new_replicas;
  int32_t old_surge, new_surge;
  bool has_new_rs;             // the first listed RS is the new one
  std::vector<int32_t> before;  // newest first
  std::vector<int32_t> after;
};

TEST(Scale, MatchesTestScale) {
  // maxUnavailable 0 unless given (so U = 1); RSs listed newest -> oldest, and
  // annotated from the old deployment: desired = old replicas, max-replicas =
  // old replicas + old maxSurge.
  const std::vector<ScaleRow> rows = {
      {"normal scaling event: 10 -> 12", 10, 12, 0, 0, true, {10}, {12}},
      {"normal scaling event: 10 -> 5", 10, 5, 0, 0, true, {10}, {5}},
      {"proportional scaling: 5 -> 10", 5, 10, 0, 0, true, {2, 3}, {4, 6}},
      {"proportional scaling: 5 -> 3", 5, 3, 0, 0, true, {2, 3}, {1, 2}},
      {"proportional scaling: 9 -> 4", 9, 4, 0, 0, true, {8, 1}, {4, 0}},
      {"proportional scaling: 7 -> 10", 7, 10, 0, 0, true, {2, 3, 2}, {3, 4, 3}},
      {"proportional scaling: 13 -> 8", 13, 8, 0, 0, true, {2, 8, 3}, {1, 5, 2}},
      {"leftover distribution: 3 -> 4", 3, 4, 0, 0, true, {1, 1, 1}, {2, 1, 1}},
      {"leftover distribution: 3 -> 2", 3, 2, 0, 0, true, {1, 1, 1}, {1, 1, 0}},
      {"proportional scaling (no new rs): 4 -> 5", 4, 5, 0, 0, false, {2, 2}, {3, 2}},
      {"proportional scaling: 6 -> 0", 6, 0, 0, 0, true, {3, 2, 1}, {0, 0, 0}},
      {"proportional scaling: 0 -> 6", 6, 6, 0, 0, true, {0, 0, 0}, {6, 0, 0}},
      {"deployment with surge pods", 10, 20, 2, 2, true, {6, 6}, {11, 11}},
      {"change both surge and size", 10, 50, 3, 6, true, {5, 8}, {22, 34}},
      {"change both size and template", 10, 14, 0, 0, false, {7, 3}, {10, 4}},
  };
  for (const ScaleRow& r : rows) {
    const auto old_d = Rolling(r.old_replicas, I(r.old_surge), I(0));
    const auto d = Rolling(r.new_replicas, I(r.new_surge), I(0));
    std::vector<ReplicaSetView> listed;
    for (size_t i = 0; i < r.before.size(); ++i) {
      // Newest first: the first row gets the largest creation order.
      ReplicaSetView rs = Rs(static_cast<uint32_t>(100 - i), r.before[i]);
      rs.desired_replicas = old_d.replicas;
      rs.max_replicas = old_d.replicas + MaxSurge(old_d);
      listed.push_back(rs);
    }
    ReplicaSetView* new_rs = nullptr;
    std::vector<ReplicaSetView> olds;
    ReplicaSetView new_copy;
    if (r.has_new_rs) {
      new_copy = listed.front();
      new_rs = &new_copy;
      olds.assign(listed.begin() + 1, listed.end());
    } else {
      olds = listed;
    }
    const int32_t status_replicas = GetActualReplicaCountForReplicaSets(listed);
    Scale(d, status_replicas, olds, new_rs);
    std::vector<int32_t> got;
    for (size_t i = 0; i < listed.size(); ++i) {
      const uint32_t id = listed[i].id;
      if (new_rs != nullptr && id == new_rs->id) {
        got.push_back(new_rs->replicas);
      } else {
        got.push_back(ById(olds, id).replicas);
      }
    }
    EXPECT_EQ(got, r.after) << r.name;
  }
}

TEST(Scale, SaturatedButBrokenNewReplicaSetDoesNotAffectOldPods) {
  // sync_test.go "saturated but broken new replica set does not affect old pods":
  // 2 replicas, maxSurge 1, maxUnavailable 1; new RS 2 (none available), old RS 1.
  const auto d = Rolling(2, I(1), I(1));
  ReplicaSetView new_rs = Rs(2, 2, 0);
  new_rs.desired_replicas = 2;
  new_rs.max_replicas = 3;
  std::vector<ReplicaSetView> olds = {Rs(1, 1, 1)};
  olds[0].desired_replicas = 2;
  olds[0].max_replicas = 3;
  EXPECT_FALSE(Scale(d, 3, olds, &new_rs));
  EXPECT_EQ(new_rs.replicas, 2);
  EXPECT_EQ(olds[0].replicas, 1);
}

TEST(Scale, SaturatedNewReplicaSetScalesOldOnesToZero) {
  const auto d = Rolling(3, I(1), I(0));
  ReplicaSetView new_rs = Rs(2, 3, 3);
  new_rs.desired_replicas = 3;
  std::vector<ReplicaSetView> olds = {Rs(1, 1, 1)};
  EXPECT_TRUE(Scale(d, 4, olds, &new_rs));
  EXPECT_EQ(olds[0].replicas, 0);
}

TEST(IsScalingEvent, WhenAnActiveReplicaSetWasAnnotatedForAnotherSize) {
  const auto d = Rolling(5, I(1), I(0));
  ReplicaSetView rs = Rs(1, 3);
  rs.desired_replicas = 3;
  const std::vector<ReplicaSetView> olds = {rs};
  EXPECT_TRUE(IsScalingEvent(d, olds, nullptr));
  ReplicaSetView idle = Rs(1, 0);  // inactive ReplicaSets do not count
  idle.desired_replicas = 3;
  const std::vector<ReplicaSetView> idle_olds = {idle};
  EXPECT_FALSE(IsScalingEvent(d, idle_olds, nullptr));
  ReplicaSetView same = Rs(2, 5);
  same.desired_replicas = 5;
  EXPECT_FALSE(IsScalingEvent(d, {}, &same));
}

TEST(ReplicaSetsToCleanUp, MatchesTestDeploymentController_cleanupDeployment) {
  // Each RS as (spec, status.replicas).
  auto Old = [](uint32_t id, int32_t spec, int32_t status) {
    ReplicaSetView rs = Rs(id, spec);
    rs.status_replicas = status;
    return rs;
  };
  auto d = Rolling(1, I(1), I(0));
  d.revision_history_limit = 1;
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{Old(1, 0, 0), Old(2, 0, 0), Old(3, 0, 0)}).size(),
            2u);
  d.revision_history_limit = 0;
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{Old(1, 0, 0), Old(2, 0, 1), Old(3, 1, 0),
                                                Old(4, 1, 1)})
                .size(),
            1u);
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{Old(1, 0, 0), Old(2, 0, 0)}).size(), 2u);
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{Old(1, 1, 1), Old(2, 1, 1)}).size(), 0u);
  ReplicaSetView deleting = Old(1, 0, 0);
  deleting.being_deleted = true;
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{deleting}).size(), 0u);
  d.revision_history_limit = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(ReplicaSetsToCleanUp(d, std::vector{Old(1, 0, 0), Old(2, 0, 0), Old(3, 0, 0)}).size(),
            0u);
}

TEST(ReplicaSetsToCleanUp, MatchesTestDeploymentController_cleanupDeploymentOrder) {
  // Creation order rs1 < rs2 < rs3 < rs4; each (replicas, revision); absent revision = 0.
  auto R = [](uint32_t id, int32_t replicas, int64_t revision) {
    ReplicaSetView rs = Rs(id, replicas);
    rs.revision = revision;
    return rs;
  };
  struct Row {
    std::vector<ReplicaSetView> olds;
    int32_t limit;
    std::vector<uint32_t> want;
  };
  const std::vector<Row> rows = {
      {{R(1, 0, 1), R(2, 0, 2)}, 1, {1}},
      {{R(1, 0, 2), R(2, 0, 1)}, 1, {2}},
      {{R(1, 0, 1), R(2, 0, 0)}, 1, {2}},
      {{R(1, 0, 0), R(2, 0, 2)}, 1, {1}},
      {{R(1, 1, 1), R(2, 0, 2), R(3, 0, 3)}, 1, {2}},
      {{R(1, 1, 1), R(2, 1, 2), R(3, 0, 3)}, 1, {}},
      {{R(1, 0, 3), R(2, 0, 1), R(3, 0, 4), R(4, 0, 2)}, 2, {2, 4}},
  };
  for (const Row& r : rows) {
    auto d = Rolling(1, I(1), I(0));
    d.revision_history_limit = r.limit;
    EXPECT_EQ(ReplicaSetsToCleanUp(d, r.olds), r.want);
  }
}

// --- recreate_test.go, progress_test.go -------------------------------------

TEST(ScaleDownOldReplicaSetsForRecreate, MatchesTestScaleDownOldReplicaSets) {
  const auto d = Recreate(3);
  std::vector<ReplicaSetView> olds = {Rs(1, 3, 3)};
  EXPECT_TRUE(ScaleDownOldReplicaSetsForRecreate(d, olds));
  EXPECT_EQ(olds[0].replicas, 0);
  EXPECT_FALSE(ScaleDownOldReplicaSetsForRecreate(d, olds));
}

TEST(RequeueStuckDeployment, MatchesTestRequeueStuckDeployment) {
  // pds = 60 s; Progressing lastUpdateTime 18:49:00 (here t = 0).
  auto d = Rolling(3, I(1), I(0));
  d.progress_deadline_seconds = 60;
  const ProgressingCondition c{Reason::kReplicaSetUpdated, SimTime::Zero(), SimTime::Zero()};
  DeploymentStatusCounts stuck;
  stuck.replicas = 3;
  stuck.updated_replicas = 3;
  stuck.available_replicas = 1;
  auto at = [](int64_t us) { return SimTime::FromMicros(us); };

  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(30'000'000)), SimDuration::Seconds(30));
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(59'000'000)), SimDuration::Seconds(1));
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(59'000'001)), SimDuration::Zero());
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(60'000'000)), SimDuration::Zero());
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(61'000'000)), SimDuration::Zero());
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(120'000'000)), SimDuration::Zero());

  DeploymentStatusCounts complete = stuck;
  complete.available_replicas = 3;
  EXPECT_EQ(RequeueStuckDeployment(d, c, complete, at(30'000'000)), std::nullopt);
  EXPECT_EQ(RequeueStuckDeployment(d, ProgressingCondition{}, stuck, at(30'000'000)),
            std::nullopt);  // no Progressing condition
  ProgressingCondition exceeded = c;
  exceeded.reason = Reason::kProgressDeadlineExceeded;
  EXPECT_EQ(RequeueStuckDeployment(d, exceeded, stuck, at(30'000'000)), std::nullopt);
  d.progress_deadline_seconds = std::numeric_limits<int32_t>::max();
  EXPECT_EQ(RequeueStuckDeployment(d, c, stuck, at(30'000'000)), std::nullopt);
}

// --- worked timelines of rolling.go: the wave arithmetic ------

// Runs RollingUpdate syncs on idealised pods (new pods become available only
// when `make_available` is called; scaled-down pods vanish at once) and
// records (new, old) after every controller action.
struct Wave {
  Wave(k8s::DeploymentSpec spec, ReplicaSetView old) : d(std::move(spec)), olds{old} {}

  k8s::DeploymentSpec d;
  ReplicaSetView new_rs = Rs(2, 0);
  std::vector<ReplicaSetView> olds;
  std::vector<std::pair<int32_t, int32_t>> trace;
  int32_t peak_total = 0;
  int32_t min_available = std::numeric_limits<int32_t>::max();

  void Observe() {
    trace.emplace_back(new_rs.replicas, olds[0].replicas);
    peak_total = std::max(peak_total, new_rs.replicas + olds[0].replicas);
    min_available = std::min(min_available, new_rs.available_replicas + olds[0].available_replicas);
  }
  // One rolloutRolling: reconcile the new RS, else the olds. Returns whether it acted.
  bool Sync() {
    if (ReconcileNewReplicaSet(d, olds, new_rs)) return true;
    if (ReconcileOldReplicaSets(d, olds, new_rs).value_or(false)) {
      olds[0].available_replicas = std::min(olds[0].available_replicas, olds[0].replicas);
      olds[0].status_replicas = olds[0].replicas;
      return true;
    }
    return false;
  }
  void SyncUntilQuiet() {
    while (Sync()) Observe();
  }
  void MakeNewPodsAvailable() { new_rs.available_replicas = new_rs.replicas; }
};

TEST(RollingUpdateWaves, TenReplicasWithDefaultsTakeTwoWavesWithinThirteenAndEight) {
  // Worked from rolling.go, N = 10, S = 3, U = 2:
  // (0,10) -> (3,10) -> (3,8) -> (5,8) -> [D] (5,3) -> (10,3) -> [2D] (10,0).
  Wave w(Rolling(10, P(25), P(25)), Rs(1, 10, 10));
  w.Observe();
  w.SyncUntilQuiet();
  w.MakeNewPodsAvailable();
  w.SyncUntilQuiet();
  w.MakeNewPodsAvailable();
  w.SyncUntilQuiet();
  const std::vector<std::pair<int32_t, int32_t>> want = {{0, 10}, {3, 10}, {3, 8}, {5, 8},
                                                         {5, 3},  {10, 3}, {10, 0}};
  EXPECT_EQ(w.trace, want);
  EXPECT_EQ(w.peak_total, 13);
  EXPECT_EQ(w.min_available, 8);
}

TEST(RollingUpdateWaves, SurgeOneUnavailableZeroReplacesOnePodPerWave) {
  // Worked from rolling.go, N = 3: (1,3) -> (2,2) -> (3,1) -> (3,0); never below 3 available.
  Wave w(Rolling(3, I(1), I(0)), Rs(1, 3, 3));
  w.Observe();
  for (int wave = 0; wave < 4; ++wave) {
    w.SyncUntilQuiet();
    w.MakeNewPodsAvailable();
  }
  const std::vector<std::pair<int32_t, int32_t>> want = {{0, 3}, {1, 3}, {1, 2}, {2, 2},
                                                         {2, 1}, {3, 1}, {3, 0}};
  EXPECT_EQ(w.trace, want);
  EXPECT_EQ(w.peak_total, 4);
  EXPECT_EQ(w.min_available, 3);
}

}  // namespace
}  // namespace kubesim::cluster
