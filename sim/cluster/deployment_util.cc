// The Deployment controller's arithmetic; see
// deployment_util.h. Each function cites the Go
// function it ports (kubernetes/kubernetes, pkg/controller/deployment/).
#include "deployment_util.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace kubesim::cluster {
namespace {

using Strategy = k8s::DeploymentStrategy::Type;

constexpr int32_t kMaxInt32 = std::numeric_limits<int32_t>::max();

bool IsRollingUpdate(const k8s::DeploymentSpec& d) {
  return d.strategy.type == Strategy::kRollingUpdate;
}

Fenceposts ResolveFor(const k8s::DeploymentSpec& d) {
  const k8s::RollingUpdateDeployment ru = d.strategy.rolling_update.value_or(
      k8s::RollingUpdateDeployment{});
  return ResolveFenceposts(ru.max_surge, ru.max_unavailable, d.replicas);
}

// controller.ReplicaSetsByCreationTimestamp: older first.
bool OlderFirst(const ReplicaSetView& a, const ReplicaSetView& b) {
  return a.creation_order < b.creation_order;
}

void SortByCreation(std::span<ReplicaSetView> rss) {
  std::sort(rss.begin(), rss.end(), OlderFirst);
}

// maxSurge resolved against `desired` (a percentage rounded up), at most what
// desired + surge leaves of int32. Kubernetes adds the two in Go's int32, which
// wraps: maxSurge 2147483647 makes maxTotalPods negative there and the rollout
// never scales up. kubesim caps it instead, as such a surge means "no limit"
// (the addition overflowed, undefined in C++; found by fuzz/run_fuzzer.cc).
int32_t SurgeFor(const k8s::IntOrPercent& max_surge, int32_t desired) {
  return std::min(max_surge.Resolve(desired, /*round_up=*/true), kMaxInt32 - std::max(desired, 0));
}

// integer.RoundToInt32: math.Round, half away from zero.
int32_t RoundToInt32(double x) { return static_cast<int32_t>(std::round(x)); }

}  // namespace

Fenceposts ResolveFenceposts(const k8s::IntOrPercent& max_surge,
                             const k8s::IntOrPercent& max_unavailable, int32_t desired) {
  Fenceposts f{SurgeFor(max_surge, desired), max_unavailable.Resolve(desired, /*round_up=*/false)};
  if (f.surge == 0 && f.unavailable == 0) {
    // "Validation should never allow the user to explicitly use zero values for both
    // maxSurge maxUnavailable. Due to rounding down maxUnavailable though, it may
    // resolve to zero. If both fenceposts resolve to zero, then we should set
    // maxUnavailable to 1 on the theory that surge might not work due to quota."
    f.unavailable = 1;
  }
  return f;
}

int32_t MaxUnavailable(const k8s::DeploymentSpec& d) {
  if (!IsRollingUpdate(d) || d.replicas == 0) return 0;
  return std::min(ResolveFor(d).unavailable, d.replicas);
}

int32_t MinAvailable(const k8s::DeploymentSpec& d) {
  if (!IsRollingUpdate(d)) return 0;
  return d.replicas - MaxUnavailable(d);
}

int32_t MaxSurge(const k8s::DeploymentSpec& d) {
  if (!IsRollingUpdate(d)) return 0;
  return ResolveFor(d).surge;
}

int32_t GetReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss) {
  int32_t n = 0;
  for (const auto& rs : rss) n += rs.replicas;
  return n;
}
int32_t GetActualReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss) {
  int32_t n = 0;
  for (const auto& rs : rss) n += rs.status_replicas;
  return n;
}
int32_t GetAvailableReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss) {
  int32_t n = 0;
  for (const auto& rs : rss) n += rs.available_replicas;
  return n;
}
int32_t GetReadyReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss) {
  int32_t n = 0;
  for (const auto& rs : rss) n += rs.ready_replicas;
  return n;
}

int32_t NewRSNewReplicas(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> all,
                         const ReplicaSetView& new_rs) {
  if (!IsRollingUpdate(d)) return d.replicas;  // Recreate
  // NewRSNewReplicas resolves maxSurge itself (percent rounded up), not via ResolveFenceposts.
  const k8s::RollingUpdateDeployment ru = d.strategy.rolling_update.value_or(
      k8s::RollingUpdateDeployment{});
  const int32_t max_surge = SurgeFor(ru.max_surge, d.replicas);
  const int32_t current_pod_count = GetReplicaCountForReplicaSets(all);
  const int32_t max_total_pods = d.replicas + max_surge;
  if (current_pod_count >= max_total_pods) return new_rs.replicas;  // cannot scale up
  const int32_t scale_up_count =
      std::min(max_total_pods - current_pod_count, d.replicas - new_rs.replicas);
  return new_rs.replicas + scale_up_count;
}

bool IsSaturated(const k8s::DeploymentSpec& d, const ReplicaSetView* rs) {
  if (rs == nullptr || !rs->desired_replicas) return false;
  return rs->replicas == d.replicas && *rs->desired_replicas == d.replicas &&
         rs->available_replicas == d.replicas;
}

bool ScaleReplicaSet(const k8s::DeploymentSpec& d, ReplicaSetView& rs, int32_t new_scale) {
  const bool size_needs_update = rs.replicas != new_scale;
  // ReplicasAnnotationsNeedUpdate / SetReplicasAnnotations.
  const int32_t desired = d.replicas;
  const int32_t max = d.replicas + MaxSurge(d);
  const bool annotations_need_update = rs.desired_replicas != desired || rs.max_replicas != max;
  if (!size_needs_update && !annotations_need_update) return false;
  rs.replicas = new_scale;
  rs.desired_replicas = desired;
  rs.max_replicas = max;
  return true;
}

bool ScaleReplicaSetAndRecordEvent(const k8s::DeploymentSpec& d, ReplicaSetView& rs,
                                   int32_t new_scale) {
  if (rs.replicas == new_scale) return false;  // no need to scale
  return ScaleReplicaSet(d, rs, new_scale);
}

bool ReconcileNewReplicaSet(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> olds,
                            ReplicaSetView& new_rs) {
  if (new_rs.replicas == d.replicas) return false;  // scaling not required
  if (new_rs.replicas > d.replicas) {               // scale down
    return ScaleReplicaSetAndRecordEvent(d, new_rs, d.replicas);
  }
  std::vector<ReplicaSetView> all(olds.begin(), olds.end());
  all.push_back(new_rs);
  return ScaleReplicaSetAndRecordEvent(d, new_rs, NewRSNewReplicas(d, all, new_rs));
}

std::optional<int32_t> CleanupUnhealthyReplicas(const k8s::DeploymentSpec& d,
                                                std::span<ReplicaSetView> olds,
                                                int32_t max_cleanup_count) {
  SortByCreation(olds);
  // Scale down the oldest replica sets' unhealthy replicas first.
  int32_t total_scaled_down = 0;
  for (ReplicaSetView& target : olds) {
    if (total_scaled_down >= max_cleanup_count) break;
    if (target.replicas == 0) continue;                              // cannot scale down
    if (target.replicas == target.available_replicas) continue;     // no unhealthy replicas
    const int32_t scaled_down_count = std::min(max_cleanup_count - total_scaled_down,
                                               target.replicas - target.available_replicas);
    const int32_t new_replicas_count = target.replicas - scaled_down_count;
    // A status older than the spec (more available than its replicas, as
    // after a scale-down the ReplicaSet controller has not yet seen) would
    // scale it up: Go refuses ("got invalid request to scale down") and the
    // sync ends with that error.
    if (new_replicas_count > target.replicas) return std::nullopt;
    ScaleReplicaSetAndRecordEvent(d, target, new_replicas_count);
    total_scaled_down += scaled_down_count;
  }
  return total_scaled_down;
}

int32_t ScaleDownOldReplicaSetsForRollingUpdate(const k8s::DeploymentSpec& d,
                                                std::span<ReplicaSetView> olds,
                                                const ReplicaSetView* new_rs) {
  const int32_t min_available = d.replicas - MaxUnavailable(d);
  // Available over all ReplicaSets, the new one included.
  int32_t available_pod_count = GetAvailableReplicaCountForReplicaSets(olds);
  if (new_rs != nullptr) available_pod_count += new_rs->available_replicas;
  if (available_pod_count <= min_available) return 0;  // cannot scale down
  SortByCreation(olds);
  int32_t total_scaled_down = 0;
  const int32_t total_scale_down_count = available_pod_count - min_available;
  for (ReplicaSetView& target : olds) {
    if (total_scaled_down >= total_scale_down_count) break;
    if (target.replicas == 0) continue;
    const int32_t scale_down_count =
        std::min(target.replicas, total_scale_down_count - total_scaled_down);
    ScaleReplicaSetAndRecordEvent(d, target, target.replicas - scale_down_count);
    total_scaled_down += scale_down_count;
  }
  return total_scaled_down;
}

std::optional<bool> ReconcileOldReplicaSets(const k8s::DeploymentSpec& d,
                                            std::span<ReplicaSetView> olds,
                                            const ReplicaSetView& new_rs) {
  const int32_t old_pods_count = GetReplicaCountForReplicaSets(olds);
  if (old_pods_count == 0) return false;  // cannot scale down further
  const int32_t all_pods_count = old_pods_count + new_rs.replicas;
  const int32_t min_available = d.replicas - MaxUnavailable(d);
  const int32_t new_rs_unavailable_pod_count = new_rs.replicas - new_rs.available_replicas;
  const int32_t max_scaled_down = all_pods_count - min_available - new_rs_unavailable_pod_count;
  if (max_scaled_down <= 0) return false;
  // Clean up unhealthy replicas first, otherwise they block the rollout
  // (rolling.go: "case 1" and "case 2" of its comment).
  const std::optional<int32_t> cleanup_count = CleanupUnhealthyReplicas(d, olds, max_scaled_down);
  if (!cleanup_count) return std::nullopt;
  // Then scale down old replica sets while keeping MinAvailable available.
  const int32_t scaled_down_count = ScaleDownOldReplicaSetsForRollingUpdate(d, olds, &new_rs);
  return *cleanup_count + scaled_down_count > 0;
}

bool IsScalingEvent(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> olds,
                    const ReplicaSetView* new_rs) {
  auto differs = [&](const ReplicaSetView& rs) {
    return rs.replicas > 0 && rs.desired_replicas && *rs.desired_replicas != d.replicas;
  };
  if (new_rs != nullptr && differs(*new_rs)) return true;
  return std::any_of(olds.begin(), olds.end(), differs);
}

int32_t GetReplicaSetFraction(const k8s::DeploymentSpec& d, int32_t status_replicas,
                              const ReplicaSetView& rs) {
  // Scaling down to zero: the fraction of this replica set is its whole size.
  if (d.replicas == 0) return -rs.replicas;
  const int32_t deployment_max_replicas = d.replicas + MaxSurge(d);
  int32_t max_before_scale = rs.max_replicas.value_or(0);
  if (max_before_scale == 0) {
    // No annotation: fall back to the current deployment size (status.replicas).
    max_before_scale = status_replicas;
    if (max_before_scale == 0) return 0;  // nothing to be proportional to
  }
  const double new_rs_size = static_cast<double>(int64_t{rs.replicas} * deployment_max_replicas) /
                             static_cast<double>(max_before_scale);
  return RoundToInt32(new_rs_size) - rs.replicas;
}

int32_t GetProportion(const k8s::DeploymentSpec& d, int32_t status_replicas,
                      const ReplicaSetView& rs, int32_t to_add, int32_t added) {
  if (rs.replicas == 0 || to_add == 0 || to_add == added) return 0;
  const int32_t rs_fraction = GetReplicaSetFraction(d, status_replicas, rs);
  const int32_t allowed = to_add - added;
  // Never more than allowed when scaling up, never less when scaling down.
  return to_add > 0 ? std::min(rs_fraction, allowed) : std::max(rs_fraction, allowed);
}

bool Scale(const k8s::DeploymentSpec& d, int32_t status_replicas, std::span<ReplicaSetView> olds,
           ReplicaSetView* new_rs) {
  // FindActiveOrLatest: with at most one active ReplicaSet, scale it (or, with
  // none, the newest) straight to the Deployment's size.
  std::vector<ReplicaSetView*> active;
  if (new_rs != nullptr && new_rs->replicas > 0) active.push_back(new_rs);
  for (ReplicaSetView& rs : olds) {
    if (rs.replicas > 0) active.push_back(&rs);
  }
  if (new_rs != nullptr || !olds.empty()) {
    ReplicaSetView* active_or_latest = nullptr;
    if (active.size() == 1) {
      active_or_latest = active.front();
    } else if (active.empty()) {
      if (new_rs != nullptr) {
        active_or_latest = new_rs;
      } else {
        active_or_latest = &*std::max_element(olds.begin(), olds.end(), OlderFirst);
      }
    }
    if (active_or_latest != nullptr) {
      if (active_or_latest->replicas == d.replicas) return false;
      return ScaleReplicaSetAndRecordEvent(d, *active_or_latest, d.replicas);
    }
  }
  // A saturated new ReplicaSet: the old ones are fully scaled down.
  if (IsSaturated(d, new_rs)) {
    bool scaled = false;
    for (ReplicaSetView& rs : olds) {
      if (rs.replicas > 0) scaled |= ScaleReplicaSetAndRecordEvent(d, rs, 0);
    }
    return scaled;
  }
  if (!IsRollingUpdate(d)) return false;
  // Proportional scaling of every active ReplicaSet.
  const int32_t all_rss_replicas = [&] {
    int32_t n = 0;
    for (const ReplicaSetView* rs : active) n += rs->replicas;
    return n;
  }();
  const int32_t allowed_size = d.replicas > 0 ? d.replicas + MaxSurge(d) : 0;
  const int32_t to_add = allowed_size - all_rss_replicas;
  // Largest first; equal sizes: newer first when scaling up
  // (ReplicaSetsBySizeNewer), older first when scaling down (ReplicaSetsBySizeOlder).
  std::sort(active.begin(), active.end(), [&](const ReplicaSetView* a, const ReplicaSetView* b) {
    if (a->replicas != b->replicas) return a->replicas > b->replicas;
    return to_add > 0 ? OlderFirst(*b, *a) : OlderFirst(*a, *b);
  });
  std::vector<int32_t> sizes(active.size());
  int32_t added = 0;
  for (size_t i = 0; i < active.size(); ++i) {
    if (to_add != 0) {
      const int32_t proportion = GetProportion(d, status_replicas, *active[i], to_add, added);
      sizes[i] = active[i]->replicas + proportion;
      added += proportion;
    } else {
      sizes[i] = active[i]->replicas;
    }
  }
  bool scaled = false;
  for (size_t i = 0; i < active.size(); ++i) {
    if (i == 0 && to_add != 0) {
      // Leftovers go to the largest ReplicaSet.
      sizes[0] = std::max(0, sizes[0] + (to_add - added));
    }
    scaled |= ScaleReplicaSet(d, *active[i], sizes[i]);
  }
  return scaled;
}

bool ScaleDownOldReplicaSetsForRecreate(const k8s::DeploymentSpec& d,
                                        std::span<ReplicaSetView> olds) {
  bool scaled = false;
  for (ReplicaSetView& rs : olds) {
    if (rs.replicas == 0) continue;  // only active ReplicaSets
    scaled |= ScaleReplicaSetAndRecordEvent(d, rs, 0);
  }
  return scaled;
}

std::vector<uint32_t> ReplicaSetsToCleanUp(const k8s::DeploymentSpec& d,
                                           std::span<const ReplicaSetView> olds) {
  // HasRevisionHistoryLimit: MaxInt32 keeps everything.
  if (d.revision_history_limit == kMaxInt32) return {};
  std::vector<ReplicaSetView> cleanable;
  for (const ReplicaSetView& rs : olds) {
    if (!rs.being_deleted) cleanable.push_back(rs);
  }
  const auto diff = static_cast<int64_t>(cleanable.size()) - d.revision_history_limit;
  if (diff <= 0) return {};
  // ReplicaSetsByRevision: lower revision first (absent = 0), creation order on ties.
  std::sort(cleanable.begin(), cleanable.end(), [](const ReplicaSetView& a, const ReplicaSetView& b) {
    if (a.revision != b.revision) return a.revision < b.revision;
    return OlderFirst(a, b);
  });
  std::vector<uint32_t> doomed;
  for (int64_t i = 0; i < diff; ++i) {
    const ReplicaSetView& rs = cleanable[static_cast<size_t>(i)];
    // Never delete a ReplicaSet that still has replicas (spec or status).
    if (rs.status_replicas != 0 || rs.replicas != 0) continue;
    doomed.push_back(rs.id);
  }
  return doomed;
}

DeploymentStatusCounts CalculateStatus(std::span<const ReplicaSetView> all,
                                       const ReplicaSetView* new_rs) {
  DeploymentStatusCounts s;
  s.replicas = GetActualReplicaCountForReplicaSets(all);
  s.updated_replicas = new_rs != nullptr ? new_rs->status_replicas : 0;
  s.ready_replicas = GetReadyReplicaCountForReplicaSets(all);
  s.available_replicas = GetAvailableReplicaCountForReplicaSets(all);
  s.unavailable_replicas = std::max(0, GetReplicaCountForReplicaSets(all) - s.available_replicas);
  return s;
}

bool DeploymentComplete(const k8s::DeploymentSpec& d, const DeploymentStatusCounts& status) {
  return status.updated_replicas == d.replicas && status.replicas == d.replicas &&
         status.available_replicas == d.replicas;
}

bool DeploymentProgressing(const DeploymentStatusCounts& old_status,
                           const DeploymentStatusCounts& new_status) {
  const int32_t old_old_replicas = old_status.replicas - old_status.updated_replicas;
  const int32_t new_old_replicas = new_status.replicas - new_status.updated_replicas;
  return new_status.updated_replicas > old_status.updated_replicas ||
         new_old_replicas < old_old_replicas ||
         new_status.ready_replicas > old_status.ready_replicas ||
         new_status.available_replicas > old_status.available_replicas;
}

bool DeploymentTimedOut(const k8s::DeploymentSpec& d, const ProgressingCondition& c,
                        SimTime now) {
  using Reason = ProgressingCondition::Reason;
  if (d.progress_deadline_seconds == kMaxInt32) return false;  // !HasProgressDeadline
  if (c.reason == Reason::kNone) return false;
  if (c.reason == Reason::kNewReplicaSetAvailable) return false;
  if (c.reason == Reason::kProgressDeadlineExceeded) return true;
  // "from.Add(delta).Before(now)": strictly before.
  return c.last_update + SimDuration::Seconds(d.progress_deadline_seconds) < now;
}

std::optional<SimDuration> RequeueStuckDeployment(const k8s::DeploymentSpec& d,
                                                  const ProgressingCondition& c,
                                                  const DeploymentStatusCounts& status,
                                                  SimTime now) {
  using Reason = ProgressingCondition::Reason;
  if (d.progress_deadline_seconds == kMaxInt32 || c.reason == Reason::kNone) return std::nullopt;
  if (DeploymentComplete(d, status) || c.reason == Reason::kProgressDeadlineExceeded) {
    return std::nullopt;
  }
  const SimDuration after = (c.last_update + SimDuration::Seconds(d.progress_deadline_seconds)) - now;
  // Less than a second left: requeue at once (rate-limited in Kubernetes).
  if (after < SimDuration::Seconds(1)) return SimDuration::Zero();
  return after;
}

}  // namespace kubesim::cluster
