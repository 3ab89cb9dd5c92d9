// The Deployment controller: syncDeployment and what it calls
// (pkg/controller/deployment/deployment_controller.go, sync.go, rolling.go,
// recreate.go, progress.go), over the model's ReplicaSets. The arithmetic is
// deployment_util.h's; this file reads views of the ReplicaSets, calls it, and
// writes the results back — as the Go code reads listers and writes the API.
#include "deployment_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace kubesim::cluster {
namespace {

constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
constexpr int32_t kMaxInt32 = std::numeric_limits<int32_t>::max();

// pod-template-hash as Kubernetes prints it: SafeEncodeString of the decimal hash.
std::string TemplateHash(uint64_t h) {
  std::string s = std::to_string(h & 0xFFFFFFFFu);
  for (char& c : s) c = kAlphanums[static_cast<unsigned char>(c) % kAlphanums.size()];
  return s;
}

}  // namespace

DeploymentController::DeploymentController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

void DeploymentController::Enqueue(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  if (dep.queued) return;
  dep.queued = true;
  ctx_.Schedule(
      ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", dep.key),
      kPhaseControl, EventKind::kSyncDeployment, d);
}

int64_t DeploymentController::MaxRevision(const std::vector<uint32_t>& ids) const {
  int64_t max_revision = 0;
  for (uint32_t rs : ids) {
    max_revision = std::max(max_revision, store_.replica_sets[rs].view.revision);
  }
  return max_revision;
}

std::vector<ReplicaSetView> DeploymentController::Views(const std::vector<uint32_t>& ids) const {
  std::vector<ReplicaSetView> v;
  v.reserve(ids.size());
  for (uint32_t id : ids) v.push_back(store_.replica_sets[id].view);
  return v;
}

void DeploymentController::WriteViews(uint32_t d, const std::vector<ReplicaSetView>& views) {
  for (const ReplicaSetView& v : views) {
    ReplicaSet& rs = store_.replica_sets[v.id];
    if (rs.view.replicas != v.replicas) {
      ctx_.EmitLazy([&] { return WorkloadLabel(store_.deployments[d]); },
                    [&] {
                      return fmt::format("scaled replicaset/{} from {} to {}", rs.name,
                                         rs.view.replicas, v.replicas);
                    });
      rs.view = v;
      api_.ReplicaSetUpdated(v.id);
    } else {
      rs.view = v;
    }
  }
}

uint32_t DeploymentController::FindNewReplicaSet(uint32_t d, std::vector<uint32_t>* olds) {
  // FindNewReplicaSet: the oldest ReplicaSet whose template equals the
  // Deployment's (EqualIgnoreHash: kubesim keeps templates without the hash label).
  const Deployment& dep = store_.deployments[d];
  uint32_t found = kNone;
  olds->clear();
  for (uint32_t rs : dep.replica_sets) {
    ReplicaSet& r = store_.replica_sets[rs];
    if (r.deleted) continue;
    if (r.match_gen != dep.template_gen) {
      r.matches = *r.template_ == dep.spec.template_;
      r.match_gen = dep.template_gen;
    }
    if (found == kNone && r.matches) {
      found = rs;
    } else {
      olds->push_back(rs);
    }
  }
  return found;
}

uint32_t DeploymentController::CreateNewReplicaSet(uint32_t d, const std::vector<uint32_t>& olds) {
  const bool argo = store_.deployments[d].argo != nullptr;
  Deployment& dep = store_.deployments[d];
  const int64_t max_revision = MaxRevision(olds);
  ReplicaSet rs;
  rs.owner = d;
  rs.namespace_name = dep.namespace_name;
  rs.template_ = std::make_shared<k8s::PodTemplateSpec>(dep.spec.template_);
  rs.selector = dep.spec.selector;
  rs.min_ready_seconds = dep.spec.min_ready_seconds;
  rs.hash = TemplateHash(StableHash(fmt::format("{}#{}", dep.key, dep.replica_sets.size())));
  rs.name = dep.name + "-" + rs.hash;
  rs.view.id = static_cast<uint32_t>(store_.replica_sets.size());
  rs.view.creation_order = rs.view.id;
  rs.view.revision = max_revision + 1;
  // getNewReplicaSet: created at NewRSNewReplicas (min(maxSurge, N) next to a
  // full old ReplicaSet; N for Recreate), with the replicas annotations.
  const std::vector<ReplicaSetView> old_views = Views(olds);
  std::vector<ReplicaSetView> all = old_views;
  all.push_back(rs.view);
  // An Argo Rollout's is created with 0 replicas (rollout/sync.go
  // createDesiredReplicaSet), scaled by the next sync.
  rs.view.replicas = argo ? 0 : NewRSNewReplicas(dep.spec, all, rs.view);
  if (argo) rs.hash_key = "rollouts-pod-template-hash";
  rs.view.desired_replicas = dep.spec.replicas;
  rs.view.max_replicas = dep.spec.replicas + MaxSurge(dep.spec);
  const uint32_t id = rs.view.id;
  ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                [&] {
                  return fmt::format("created replicaset/{} (revision {}) with {} replicas",
                                     rs.name, rs.view.revision, rs.view.replicas);
                });
  store_.replica_set_names.emplace(Store::NameKey(rs.namespace_name, rs.name), id);
  store_.replica_sets.push_back(std::move(rs));
  dep.replica_sets.push_back(id);
  if (dep.spec.progress_deadline_seconds != kMaxInt32) {
    // NewReplicaSetCreated: Progressing=True, a fresh lastUpdateTime.
    dep.progressing = {ProgressingCondition::Reason::kNewReplicaSetCreated, ctx_.Now(), ctx_.Now()};
  }
  api_.ReplicaSetUpdated(id);
  return id;
}

void DeploymentController::Sync(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  dep.queued = false;
  if (dep.deleted) return;
  std::vector<uint32_t> olds;
  uint32_t new_rs = FindNewReplicaSet(d, &olds);
  if (new_rs != kNone) {
    // getNewReplicaSet on an existing one: its revision becomes max(old) + 1 (a
    // rollback adopts an old ReplicaSet this way) and its annotations follow the spec.
    const int64_t max_revision = MaxRevision(olds);
    ReplicaSetView& v = store_.replica_sets[new_rs].view;
    if (v.revision <= max_revision) {
      v.revision = max_revision + 1;
      if (dep.spec.progress_deadline_seconds != kMaxInt32) {
        dep.progressing = {ProgressingCondition::Reason::kFoundNewReplicaSet, ctx_.Now(),
                           ctx_.Now()};
      }
    }
    store_.replica_sets[new_rs].min_ready_seconds = dep.spec.min_ready_seconds;
  }

  if (dep.spec.paused) {
    // checkPausedConditions + sync(): scale only, no new ReplicaSet, no rollout.
    if (dep.progressing.reason != ProgressingCondition::Reason::kProgressDeadlineExceeded &&
        dep.spec.progress_deadline_seconds != kMaxInt32 &&
        dep.progressing.reason != ProgressingCondition::Reason::kDeploymentPaused) {
      dep.progressing.reason = ProgressingCondition::Reason::kDeploymentPaused;
      dep.progressing.last_update = ctx_.Now();
      dep.progressing.last_transition = ctx_.Now();
    }
    ScaleForDeployment(d, olds, new_rs);
    CleanupDeployment(d, olds);
    SyncRolloutStatus(d, new_rs, olds);
    return;
  }
  {
    const std::vector<ReplicaSetView> old_views = Views(olds);
    const ReplicaSetView* nv = new_rs != kNone ? &store_.replica_sets[new_rs].view : nullptr;
    if (IsScalingEvent(dep.spec, old_views, nv)) {
      ScaleForDeployment(d, olds, new_rs);
      SyncRolloutStatus(d, new_rs, olds);
      return;
    }
  }
  if (dep.spec.strategy.type == k8s::DeploymentStrategy::Type::kRecreate) {
    RolloutRecreate(d, olds, new_rs);
  } else {
    RolloutRolling(d, olds, new_rs);
  }
}

void DeploymentController::ScaleForDeployment(uint32_t d, std::vector<uint32_t>& olds,
                                              uint32_t new_rs) {
  Deployment& dep = store_.deployments[d];
  std::vector<ReplicaSetView> old_views = Views(olds);
  ReplicaSetView new_view;
  ReplicaSetView* nv = nullptr;
  if (new_rs != kNone) {
    new_view = store_.replica_sets[new_rs].view;
    nv = &new_view;
  }
  Scale(dep.spec, dep.status.replicas, old_views, nv);
  WriteViews(d, old_views);
  if (nv != nullptr) WriteViews(d, {new_view});
}

void DeploymentController::RolloutRolling(uint32_t d, std::vector<uint32_t>& olds,
                                          uint32_t new_rs) {
  Deployment& dep = store_.deployments[d];
  if (new_rs == kNone) new_rs = CreateNewReplicaSet(d, olds);
  std::vector<ReplicaSetView> old_views = Views(olds);
  ReplicaSetView new_view = store_.replica_sets[new_rs].view;
  // reconcileNewReplicaSet: scale up the new ReplicaSet if possible.
  if (ReconcileNewReplicaSet(dep.spec, old_views, new_view)) {
    WriteViews(d, {new_view});
    SyncRolloutStatus(d, new_rs, olds);
    return;
  }
  // reconcileOldReplicaSets: scale down old ReplicaSets if possible.
  const std::optional<bool> scaled_old = ReconcileOldReplicaSets(dep.spec, old_views, new_view);
  if (!scaled_old) {
    // cleanupUnhealthyReplicas' error: reconcileOldReplicaSets returns
    // (false, nil) and rolloutRolling goes on; the scales made before it stand.
    WriteViews(d, old_views);
  } else if (*scaled_old) {
    WriteViews(d, old_views);
    SyncRolloutStatus(d, new_rs, olds);
    return;
  }
  std::vector<ReplicaSetView> all = old_views;
  all.push_back(new_view);
  if (DeploymentComplete(dep.spec, CalculateStatus(all, &new_view))) CleanupDeployment(d, olds);
  SyncRolloutStatus(d, new_rs, olds);
}

bool DeploymentController::OldPodsRunning(const std::vector<uint32_t>& olds) const {
  // oldPodsRunning: any old ReplicaSet with status replicas, or any of its pods
  // not Succeeded/Failed — terminating pods are still Running, so they block.
  for (uint32_t rs : olds) {
    if (store_.replica_sets[rs].view.status_replicas > 0 || !store_.replica_sets[rs].pods.empty()) {
      return true;
    }
  }
  return false;
}

void DeploymentController::RolloutRecreate(uint32_t d, std::vector<uint32_t>& olds,
                                           uint32_t new_rs) {
  Deployment& dep = store_.deployments[d];
  std::vector<ReplicaSetView> old_views = Views(olds);
  if (ScaleDownOldReplicaSetsForRecreate(dep.spec, old_views)) {
    WriteViews(d, old_views);
    SyncRolloutStatus(d, new_rs, olds);
    return;
  }
  // Do not process a deployment when it has old pods running.
  if (OldPodsRunning(olds)) {
    SyncRolloutStatus(d, new_rs, olds);
    return;
  }
  if (new_rs == kNone) new_rs = CreateNewReplicaSet(d, olds);
  // scaleUpNewReplicaSetForRecreate.
  ReplicaSetView new_view = store_.replica_sets[new_rs].view;
  if (ScaleReplicaSetAndRecordEvent(dep.spec, new_view, dep.spec.replicas)) {
    WriteViews(d, {new_view});
  }
  old_views = Views(olds);
  std::vector<ReplicaSetView> all = old_views;
  all.push_back(store_.replica_sets[new_rs].view);
  if (DeploymentComplete(dep.spec, CalculateStatus(all, &store_.replica_sets[new_rs].view))) {
    CleanupDeployment(d, olds);
  }
  SyncRolloutStatus(d, new_rs, olds);
}

void DeploymentController::CleanupDeployment(uint32_t d, const std::vector<uint32_t>& olds) {
  Deployment& dep = store_.deployments[d];
  for (uint32_t rs : ReplicaSetsToCleanUp(dep.spec, Views(olds))) {
    // Only empty ReplicaSets are deleted, so no pod goes with them.
    if (!store_.replica_sets[rs].pods.empty()) continue;
    store_.MarkReplicaSetDeleted(rs);
    ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                  [&] {
                    return fmt::format("deleted replicaset/{} (revision history limit)",
                                       store_.replica_sets[rs].name);
                  });
  }
}

void DeploymentController::SyncRolloutStatus(uint32_t d, uint32_t new_rs,
                                             const std::vector<uint32_t>& olds) {
  using Reason = ProgressingCondition::Reason;
  Deployment& dep = store_.deployments[d];
  std::vector<ReplicaSetView> all = Views(olds);
  const ReplicaSetView* nv = nullptr;
  if (new_rs != kNone) {
    all.push_back(store_.replica_sets[new_rs].view);
    nv = &store_.replica_sets[new_rs].view;
  }
  const DeploymentStatusCounts status = CalculateStatus(all, nv);
  dep.observed_generation = dep.generation;  // calculateStatus: ObservedGeneration
  const bool has_deadline = dep.spec.progress_deadline_seconds != kMaxInt32;
  const bool is_complete_deployment = status.replicas == status.updated_replicas &&
                                      dep.progressing.reason == Reason::kNewReplicaSetAvailable;
  if (has_deadline && !is_complete_deployment && !dep.spec.paused) {
    if (DeploymentComplete(dep.spec, status)) {
      if (dep.progressing.reason != Reason::kNewReplicaSetAvailable) {
        dep.progressing.reason = Reason::kNewReplicaSetAvailable;
        dep.progressing.last_update = ctx_.Now();
      }
    } else if (DeploymentProgressing(dep.status, status)) {
      if (dep.progressing.reason == Reason::kProgressDeadlineExceeded) {
        dep.progressing.last_transition = ctx_.Now();  // False -> True
      }
      dep.progressing.reason = Reason::kReplicaSetUpdated;
      dep.progressing.last_update = ctx_.Now();
    } else if (DeploymentTimedOut(dep.spec, dep.progressing, ctx_.Now()) &&
               dep.progressing.reason != Reason::kProgressDeadlineExceeded) {
      dep.progressing.reason = Reason::kProgressDeadlineExceeded;
      dep.progressing.last_update = ctx_.Now();
      dep.progressing.last_transition = ctx_.Now();
      ctx_.EmitLazy([&] { return "deployment/" + dep.name; },
                    [&] { return "ProgressDeadlineExceeded"; });
      if (!dep.rollouts.empty() && !dep.rollouts.back().superseded) {
        Rollout& r = dep.rollouts.back();
        if (!r.deadline_exceeded && !r.complete) {
          r.deadline_exceeded = true;
          r.settled_at = ctx_.Now();
          for (Observer* o : ctx_.observers()) o->OnRolloutDeadlineExceeded(ctx_.Now(), r.info);
        }
      }
    }
  }
  dep.status = status;
  // calculateStatus's Available condition: False (MinimumReplicasUnavailable)
  // below replicas - maxUnavailable; SetDeploymentCondition keeps its time
  // while status and reason stay.
  if (status.available_replicas >= dep.spec.replicas - MaxUnavailable(dep.spec)) {
    dep.unavailable_since.reset();
  } else if (!dep.unavailable_since) {
    dep.unavailable_since = ctx_.Now();
  }

  // kubectl rollout status returns once updated, ready and available replicas
  // reach spec.replicas and no old replicas remain (status counts ignore
  // terminating pods).
  if (!dep.rollouts.empty()) {
    Rollout& r = dep.rollouts.back();
    if (!r.superseded && !r.status_done && new_rs != kNone &&
        status.updated_replicas >= dep.spec.replicas &&
        status.replicas <= status.updated_replicas &&
        status.available_replicas >= status.updated_replicas) {
      r.status_done = true;
      for (Observer* o : ctx_.observers()) o->OnRolloutStatusDone(ctx_.Now(), r.info);
    }
  }

  // requeueStuckDeployment: check the deadline again when it can pass.
  // Kubernetes requeues a Deployment whose deadline is under a second away
  // (or past) rate-limited, again and again; when its Progressing reason is
  // NewReplicaSetAvailable (a completed Deployment whose pods later became
  // unavailable: a crash loop, a failed node) DeploymentTimedOut can never
  // be true, so those syncs change nothing and kubesim skips them — else a
  // crash-looping pod would cost 200 events a simulated second for good.
  auto after = RequeueStuckDeployment(dep.spec, dep.progressing, status, ctx_.Now());
  if (after && *after == SimDuration::Zero() &&
      dep.progressing.reason == ProgressingCondition::Reason::kNewReplicaSetAvailable) {
    after.reset();
  }
  if (after) {
    ctx_.loop().Cancel(dep.deadline_check);
    const SimDuration delay =
        *after == SimDuration::Zero() ? SimDuration::Millis(5) : *after + SimDuration::Seconds(1);
    dep.deadline_check = ctx_.Schedule(delay, kPhaseControl, EventKind::kSyncDeployment, d);
  }
  dirty_rollouts_.push_back(d);
}

void DeploymentController::CheckRollouts(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  if (dep.rollouts.empty() || dep.deleted) return;
  Rollout& r = dep.rollouts.back();
  if (r.superseded || r.complete) return;
  // A Flagger target's rollout ends with its Canary's analysis (FlaggerController).
  if (dep.flagger_target_of != kNone) return;
  // docs/metrics.md: complete when every replica is updated and available and no old
  // pod is left, terminating ones included.
  std::vector<uint32_t> olds;
  const uint32_t new_rs = FindNewReplicaSet(d, &olds);
  if (new_rs == kNone) return;
  for (uint32_t rs : olds) {
    if (!store_.replica_sets[rs].pods.empty()) return;
  }
  const ReplicaSet& nrs = store_.replica_sets[new_rs];
  if (nrs.active_pods != dep.spec.replicas ||
      store_.AvailableOf(nrs, ctx_.Now()) != dep.spec.replicas)
    return;
  r.complete = true;
  if (!r.deadline_exceeded) r.settled_at = ctx_.Now();
  ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                [&] { return fmt::format("rollout to revision {} complete", r.info.revision); });
  for (Observer* o : ctx_.observers()) o->OnRolloutComplete(ctx_.Now(), r.info);
}

// The pod informer's handler: a changed pod may complete its Deployment's
// (or Rollout's) rollout, checked at the end of the instant.
void DeploymentController::PodUpdated(uint32_t pod) {
  const uint32_t rs = store_.pods[pod].owner_rs;
  if (rs != kNone && store_.replica_sets[rs].owner != kNone) {
    dirty_rollouts_.push_back(store_.replica_sets[rs].owner);
  }
}

std::vector<uint32_t> DeploymentController::CheckDirtyRollouts() {
  std::vector<uint32_t> dirty;
  dirty.swap(dirty_rollouts_);
  std::sort(dirty.begin(), dirty.end());
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  for (uint32_t d : dirty) CheckRollouts(d);
  return dirty;
}

}  // namespace kubesim::cluster
