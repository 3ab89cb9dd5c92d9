// The Argo Rollouts controller for blueGreen Rollouts; see rollout_controller.h.
// Each function names the argo-rollouts function (at 9f8d111) it follows.
#include "rollout_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

namespace kubesim::cluster {

namespace {

constexpr int32_t kDefaultScaleDownDelaySeconds = 30;       // defaults.DefaultScaleDownDelaySeconds
constexpr int32_t kDefaultAbortScaleDownDelaySeconds = 30;  // DefaultAbortScaleDownDelaySeconds

}  // namespace

std::string_view RolloutPhaseName(ArgoRollout::Phase p) {
  switch (p) {
    case ArgoRollout::Phase::kProgressing:
      return "Progressing";
    case ArgoRollout::Phase::kPaused:
      return "Paused";
    case ArgoRollout::Phase::kHealthy:
      return "Healthy";
    case ArgoRollout::Phase::kDegraded:
      return "Degraded";
  }
  return "";
}

std::pair<ArgoRollout::Phase, std::string> RolloutStatusPhase(const Deployment& d) {
  // GetRolloutPhase (utils/rollout/rolloututil.go): what `kubectl argo
  // rollouts status` reads.
  const ArgoRollout& a = *d.argo;
  if (d.generation > d.observed_generation) {
    return {ArgoRollout::Phase::kProgressing, "waiting for rollout spec update to be observed"};
  }
  if (a.controller_pause && !a.pause_start && !a.abort) {
    return {ArgoRollout::Phase::kProgressing, "waiting for rollout to unpause"};
  }
  return {a.phase, a.message};
}

// One sync's view of the Rollout: getAllReplicaSetsAndSyncRevision's new,
// stable and other ReplicaSets, and the pause context's pending changes
// (rollout/pause.go pauseContext), which reach the status only at its end.
struct RolloutController::SyncState {
  uint32_t d = kNone;
  Deployment* dep = nullptr;
  ArgoRollout* a = nullptr;
  uint32_t new_rs = kNone;
  uint32_t stable = kNone;
  std::vector<uint32_t> others;  // neither new nor stable
  std::vector<uint32_t> all;
  bool halt = false;              // haltProgress: spec.paused
  bool new_within_delay = false;  // newRSWithinDelay, at the sync's start
  bool add_pause = false, remove_pause = false, clear_pause = false, remove_abort = false;
  ReplicaSet& New(Store& st) const { return st.replica_sets[new_rs]; }
};

RolloutController::RolloutController(Store& store, Context& ctx, Api& api,
                                     DeploymentController& deployments)
    : store_(store), ctx_(ctx), api_(api), deployments_(deployments) {}

void RolloutController::Enqueue(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  if (dep.queued) return;
  dep.queued = true;
  ctx_.Schedule(
      ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", dep.key),
      kPhaseControl, EventKind::kSyncRollout, d);
}

void RolloutController::RequeueAt(uint32_t d, SimTime t) {
  ArgoRollout& a = *store_.deployments[d].argo;
  if (t < ctx_.Now()) t = ctx_.Now();
  if (a.timer.valid() && a.timer_at >= ctx_.Now() && a.timer_at <= t) return;
  ctx_.loop().Cancel(a.timer);
  a.timer_at = t;
  a.timer = ctx_.Schedule(t - ctx_.Now(), kPhaseControl, EventKind::kRolloutTimer, d);
}

void RolloutController::Timer(uint32_t d) {
  store_.deployments[d].argo->timer = EventId{};
  if (!store_.deployments[d].deleted) Enqueue(d);
}

std::string_view RolloutController::ServiceHash(uint32_t service) const {
  // serviceutil.GetRolloutSelectorLabel.
  if (service == kNone || !store_.services[service].exists) return {};
  const k8s::Labels& sel = store_.services[service].selector;
  const auto it = sel.find(std::string(kRolloutHashKey));
  return it == sel.end() ? std::string_view() : std::string_view(it->second);
}

void RolloutController::ResetStatus(ArgoRollout& a) {
  // resetRolloutStatus (sync.go).
  a.pause_start.reset();
  a.controller_pause = false;
  a.abort = false;
  a.promote_full = false;
  a.scale_up_preview_checkpoint = false;
}

int32_t RolloutController::NewReplicas(const SyncState& s) const {
  // NewRSNewReplicas (utils/replicaset/replicaset.go), blueGreen.
  const ArgoRollout& a = *s.a;
  const int32_t desired = s.dep->spec.replicas;
  if (!a.blue_green.preview_replica_count) return desired;
  uint32_t active = kNone;
  for (uint32_t rs : s.all) {
    if (!a.active_selector.empty() && store_.replica_sets[rs].hash == a.active_selector)
      active = rs;
  }
  if (active == kNone || active == s.new_rs) return desired;
  if (a.promote_full) return desired;
  if (store_.replica_sets[s.new_rs].hash != a.current_pod_hash) {
    return *a.blue_green.preview_replica_count;
  }
  const bool not_paused = !s.dep->spec.paused && !a.pause_start;
  if (not_paused && a.scale_up_preview_checkpoint) return desired;
  return *a.blue_green.preview_replica_count;
}

bool RolloutController::ReadyForPause(const SyncState& s) const {
  // utils/replicaset/bluegreen.go ReadyForPause.
  const int32_t want = NewReplicas(s);
  const ReplicaSetView& v = store_.replica_sets[s.new_rs].view;
  return v.replicas == want && v.available_replicas == want;
}

bool RolloutController::Saturated(const SyncState& s) const {
  // annotations.IsSaturated: spec.replicas, the desired-replicas annotation
  // (kept equal to it here) and availableReplicas all at the Rollout's replicas.
  const ReplicaSetView& v = store_.replica_sets[s.new_rs].view;
  return v.replicas == s.dep->spec.replicas && v.available_replicas == s.dep->spec.replicas;
}

bool RolloutController::FastTracked(const SyncState& s) const {
  // isBlueGreenFastTracked (bluegreen.go) and isFastRollback (sync.go): a
  // rollback to the stable ReplicaSet (also every sync of a promoted
  // Rollout), or to an older one still within its scale-down delay; a full
  // promotion; an active Service that selects no hash yet, or the new one.
  const ArgoRollout& a = *s.a;
  const ReplicaSet& n = store_.replica_sets[s.new_rs];
  if (s.stable != kNone) {
    const bool to_stable = a.stable_rs == n.hash;
    const bool older = n.view.creation_order < store_.replica_sets[s.stable].view.creation_order;
    if ((to_stable || older) && (s.new_within_delay || to_stable)) return true;
  }
  if (a.promote_full) return true;
  const std::string_view active = ServiceHash(a.active_service);
  return active.empty() || active == n.hash;
}

bool RolloutController::CompletedPause(const SyncState& s) const {
  // pauseContext.CompletedBlueGreenPause (pause.go), on the status as the
  // sync found it.
  const ArgoRollout& a = *s.a;
  if (s.add_pause) return false;
  if (a.scale_up_preview_checkpoint) return true;
  if (a.blue_green.auto_promotion_enabled) {
    if (a.blue_green.auto_promotion_seconds == 0) return true;
    if (a.pause_start) {
      // now.After(startTime + autoPromotionSeconds): the controller's
      // requeue lands at that instant, and real clocks are a moment past it.
      return ctx_.Now() >=
             *a.pause_start + SimDuration::Seconds(a.blue_green.auto_promotion_seconds);
    }
    return false;
  }
  return a.controller_pause && !a.pause_start;
}

bool RolloutController::DelayScaleDownOnAbort(const SyncState& s) const {
  // shouldDelayScaleDownOnAbort (replicaset.go): abortScaleDownDelaySeconds
  // 0 leaves the preview up for good.
  const bool aborted = s.a->abort && !s.remove_abort;
  return aborted && s.stable != kNone &&
         s.a->blue_green.abort_scale_down_delay_seconds.value_or(
             kDefaultAbortScaleDownDelaySeconds) != 0;
}

bool RolloutController::Referenced(const SyncState& s, const ReplicaSet& rs) const {
  // isReplicaSetReferenced (replicaset.go): the status' hashes and the live
  // Services' selectors.
  const ArgoRollout& a = *s.a;
  return rs.hash == a.stable_rs || rs.hash == a.current_pod_hash || rs.hash == a.active_selector ||
         rs.hash == a.preview_selector || rs.hash == ServiceHash(a.active_service) ||
         rs.hash == ServiceHash(a.preview_service);
}

void RolloutController::Scale(SyncState& s, uint32_t rs, int32_t replicas) {
  // scaleReplicaSetAndRecordEvent: the desired-replicas annotation follows
  // the Rollout; a scale to 0 drops the scale-down deadline.
  ReplicaSetView v = store_.replica_sets[rs].view;
  v.desired_replicas = s.dep->spec.replicas;
  v.replicas = replicas;
  if (replicas == 0) store_.replica_sets[rs].scale_down_deadline.reset();
  deployments_.WriteViews(s.d, {v});
}

void RolloutController::ReconcileNewReplicaSet(SyncState& s) {
  // reconcileNewReplicaSet (replicaset.go).
  int32_t count = NewReplicas(s);
  ReplicaSet& n = s.New(store_);
  if (DelayScaleDownOnAbort(s)) {
    if (n.scale_down_deadline) {
      if (*n.scale_down_deadline > ctx_.Now()) {
        RequeueAt(s.d, *n.scale_down_deadline);
        return;
      }
      count = 0;
    } else {
      // Not before the stable ReplicaSet could take all the traffic. (Argo
      // also puts a deadline on a new ReplicaSet already at 0, which
      // changes nothing; kubesim does not.)
      if (store_.replica_sets[s.stable].view.available_replicas >= s.dep->spec.replicas &&
          n.view.replicas > 0) {
        const int32_t delay = s.a->blue_green.abort_scale_down_delay_seconds.value_or(
            kDefaultAbortScaleDownDelaySeconds);
        n.scale_down_deadline = ctx_.Now() + SimDuration::Seconds(delay);
        ctx_.EmitLazy(
            [&] { return WorkloadLabel(*s.dep); },
            [&] { return fmt::format("replicaset/{} scales down in {}s (abort)", n.name, delay); });
        RequeueAt(s.d, *n.scale_down_deadline);
      }
      return;
    }
  }
  if (n.view.replicas != count) Scale(s, s.new_rs, count);
}

void RolloutController::ScaleDownOld(SyncState& s) {
  // scaleDownOldReplicaSetsForBlueGreen (bluegreen.go) and
  // scaleDownDelayHelper (replicaset.go): newest revision first, each
  // unreferenced one kept `scaleDownDelaySeconds` (the first
  // scaleDownDelayRevisionLimit of them; older ones at once), then scaled to 0.
  std::vector<uint32_t> olds = s.others;
  std::sort(olds.begin(), olds.end(), [&](uint32_t x, uint32_t y) {
    return store_.replica_sets[x].view.revision > store_.replica_sets[y].view.revision;
  });
  const int32_t limit =
      s.a->blue_green.scale_down_delay_revision_limit.value_or(std::numeric_limits<int32_t>::max());
  const int32_t delay =
      s.a->blue_green.scale_down_delay_seconds.value_or(kDefaultScaleDownDelaySeconds);
  int32_t annotated = 0;
  for (uint32_t id : olds) {
    ReplicaSet& rs = store_.replica_sets[id];
    if (rs.deleted || Referenced(s, rs) || rs.view.replicas == 0) continue;
    int32_t desired = 0;
    if (!rs.scale_down_deadline) {
      if (annotated < limit) {
        ++annotated;
        desired = rs.view.replicas;
        // addScaleDownDelay: a delay of 0 writes no deadline, so the
        // ReplicaSet is kept as it is at every sync (argo-rollouts #1992).
        if (delay > 0) {
          rs.scale_down_deadline = ctx_.Now() + SimDuration::Seconds(delay);
          ctx_.EmitLazy(
              [&] { return WorkloadLabel(*s.dep); },
              [&] { return fmt::format("replicaset/{} scales down in {}s", rs.name, delay); });
          RequeueAt(s.d, *rs.scale_down_deadline);
        }
      }
    } else {
      ++annotated;
      if (annotated <= limit && *rs.scale_down_deadline > ctx_.Now()) {
        desired = s.dep->spec.replicas;
        RequeueAt(s.d, *rs.scale_down_deadline);
      }
    }
    if (rs.view.replicas != desired) Scale(s, id, desired);
  }
}

void RolloutController::ReconcilePause(SyncState& s) {
  // reconcileBlueGreenPause (bluegreen.go).
  const ArgoRollout& a = *s.a;
  if (a.abort || !ReadyForPause(s) || s.halt) return;
  // needsBlueGreenControllerPause.
  const bool needs_pause =
      !a.blue_green.auto_promotion_enabled || a.blue_green.auto_promotion_seconds > 0;
  if (FastTracked(s) || ServiceHash(a.active_service) == s.New(store_).hash ||
      a.scale_up_preview_checkpoint || !needs_pause) {
    s.remove_pause = true;
    return;
  }
  // (prePromotionAnalysis is not simulated: taken as passed.)
  if (a.pause_start) {
    if (!CompletedPause(s)) {
      if (a.blue_green.auto_promotion_seconds > 0) {
        RequeueAt(s.d, *a.pause_start + SimDuration::Seconds(a.blue_green.auto_promotion_seconds));
      }
    } else {
      s.remove_pause = true;
    }
  } else if (!a.controller_pause) {
    s.add_pause = true;
  }
}

void RolloutController::ReconcileActiveService(SyncState& s) {
  // reconcileActiveService (service.go).
  const ArgoRollout& a = *s.a;
  if (s.halt || a.active_service == kNone) return;
  if (!ReadyForPause(s) || !Saturated(s)) return;
  std::string hash(ServiceHash(a.active_service));
  if (FastTracked(s)) hash = s.New(store_).hash;
  if (CompletedPause(s)) hash = s.New(store_).hash;  // (and prePromotionAnalysis passed)
  if (a.abort) hash = a.stable_rs;
  if (hash.empty() || hash == ServiceHash(a.active_service)) return;
  ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                [&] {
                  return fmt::format("switched active service/{} to {}",
                                     store_.services[a.active_service].name, hash);
                });
  api_.SwitchServiceSelector(a.active_service, hash);
}

void RolloutController::SyncStatus(SyncState& s) {
  // syncRolloutStatusBlueGreen (bluegreen.go), shouldFullPromote and
  // promoteStable (sync.go), CalculatePauseStatus (pause.go).
  ArgoRollout& a = *s.a;
  const ReplicaSet& n = s.New(store_);
  const bool completed_pause = CompletedPause(s);  // on the status the sync found
  const bool spec_change = a.current_pod_hash != n.hash;
  if (spec_change) {
    s.clear_pause = true;
    s.remove_abort = true;
  }
  bool promote_full = a.promote_full && n.hash != a.stable_rs && !spec_change;
  if (a.promote_full) {
    s.clear_pause = true;
    s.remove_abort = true;
  }
  bool checkpoint = spec_change ? false : a.scale_up_preview_checkpoint;
  const std::string current = n.hash;
  const std::string preview(ServiceHash(a.preview_service));
  const std::string active(ServiceHash(a.active_service));
  const bool aborted = a.abort && !s.remove_abort;
  std::string_view reason;
  if (s.stable == kNone || active.empty()) {
    reason = "Initial deploy";
  } else if (active != current) {
    reason = "";
  } else if (a.promote_full) {
    reason = "Full promotion requested";
  } else if (FastTracked(s) && a.stable_rs == current) {
    reason = "Fast rollback";
  } else if (!aborted) {
    reason = "Completed blue-green update";  // (postPromotionAnalysis taken as passed)
  }
  std::string stable = a.stable_rs;
  if (!reason.empty()) {
    s.clear_pause = true;
    s.remove_abort = true;
    promote_full = false;
    checkpoint = false;
    stable = current;
  } else if (a.blue_green.preview_replica_count && !checkpoint && completed_pause) {
    // calculateScaleUpPreviewCheckPoint.
    checkpoint = *a.blue_green.preview_replica_count == n.view.available_replicas;
  }
  if (stable != a.stable_rs) {
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                  [&] { return fmt::format("{}: stable is replicaset/{}", reason, n.name); });
  }
  a.current_pod_hash = current;
  a.stable_rs = stable;
  a.preview_selector = preview;
  a.active_selector = active;
  a.promote_full = promote_full;
  a.scale_up_preview_checkpoint = checkpoint;
  // CalculatePauseStatus: an abort keeps no pause condition; otherwise the
  // conditions as removed and added, controllerPause only with one.
  const bool abort = a.abort && !s.remove_abort;
  if (abort || s.clear_pause) {
    a.pause_start.reset();
    a.controller_pause = false;
  } else {
    if (s.remove_pause) a.pause_start.reset();
    if (s.add_pause && !a.pause_start) {
      a.pause_start = ctx_.Now();
      a.controller_pause = true;
      ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                    [&] { return "paused (BlueGreenPause)"; });
    }
    if (!a.pause_start) a.controller_pause = false;
  }
  if (a.abort && !abort) {
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); }, [&] { return "abort cleared"; });
  }
  a.abort = abort;
  s.dep->observed_generation = s.dep->generation;
  UpdatePhase(s.d, &s);
}

void RolloutController::UpdatePhase(uint32_t d, const SyncState* s) {
  // CalculateRolloutPhase (utils/rollout/rolloututil.go), blueGreen; the
  // counts as syncRolloutStatusBlueGreen sets them.
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  using Phase = ArgoRollout::Phase;
  const ReplicaSet& n = s->New(store_);
  int32_t available = 0;
  bool active_found = false;
  for (uint32_t rs : s->all) {
    if (!a.active_selector.empty() && store_.replica_sets[rs].hash == a.active_selector) {
      available = store_.replica_sets[rs].view.available_replicas;
      active_found = true;
    }
  }
  if (!active_found) {
    for (uint32_t rs : s->all) available += store_.replica_sets[rs].view.available_replicas;
  }
  const int32_t updated = n.view.status_replicas;
  Phase phase = Phase::kProgressing;
  std::string message;
  if (a.abort) {
    phase = Phase::kDegraded;
    message =
        fmt::format("RolloutAborted: Rollout aborted update to revision {}", a.aborted_revision);
  } else if (dep.spec.paused) {
    phase = Phase::kPaused;
    message = "manually paused";
  } else if (a.pause_start) {
    phase = Phase::kPaused;
    message = "BlueGreenPause";
  } else if (updated < dep.spec.replicas) {
    message = "more replicas need to be updated";
  } else if (available < updated) {
    message = "updated replicas are still becoming available";
  } else if (a.active_selector.empty() || a.active_selector != a.current_pod_hash) {
    message = "active service cutover pending";
  } else if (a.stable_rs.empty() || a.stable_rs != a.current_pod_hash) {
    message = "waiting for analysis to complete";
  } else {
    phase = Phase::kHealthy;
  }
  if (phase != a.phase || message != a.message) {
    ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                  [&] {
                    return message.empty()
                               ? std::string(RolloutPhaseName(phase))
                               : fmt::format("{} - {}", RolloutPhaseName(phase), message);
                  });
    ctx_.MarkChanged();
  }
  a.phase = phase;
  a.message = std::move(message);
  if (phase == Phase::kHealthy && !dep.rollouts.empty()) {
    // `kubectl argo rollouts status` returns (docs/metrics.md, rolloutStatus).
    Rollout& r = dep.rollouts.back();
    if (!r.superseded && !r.status_done) {
      r.status_done = true;
      for (Observer* o : ctx_.observers()) o->OnRolloutStatusDone(ctx_.Now(), r.info);
    }
  }
  deployments_.MarkDirty(d);
}

void RolloutController::Sync(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  dep.queued = false;
  if (dep.deleted) return;
  ArgoRollout& a = *dep.argo;
  SyncState s;
  s.d = d;
  s.dep = &dep;
  s.a = &a;
  std::vector<uint32_t> olds;
  s.new_rs = deployments_.FindNewReplicaSet(d, &olds);
  if (s.new_rs == kNone) {
    // createDesiredReplicaSet: at 0 replicas; the sync returns ("let the
    // next reconciliation process the update").
    deployments_.CreateNewReplicaSet(d, olds);
    Enqueue(d);
    return;
  }
  // syncReplicaSetRevision: an adopted old ReplicaSet takes the next revision.
  {
    int64_t max_revision = 0;
    for (uint32_t rs : olds)
      max_revision = std::max(max_revision, store_.replica_sets[rs].view.revision);
    ReplicaSetView& v = store_.replica_sets[s.new_rs].view;
    if (v.revision <= max_revision) v.revision = max_revision + 1;
    store_.replica_sets[s.new_rs].min_ready_seconds = dep.spec.min_ready_seconds;
  }
  s.all = olds;
  s.all.push_back(s.new_rs);
  for (uint32_t rs : olds) {
    if (!a.stable_rs.empty() && store_.replica_sets[rs].hash == a.stable_rs) {
      s.stable = rs;
    } else {
      s.others.push_back(rs);
    }
  }
  if (!a.stable_rs.empty() && store_.replica_sets[s.new_rs].hash == a.stable_rs)
    s.stable = s.new_rs;
  const ReplicaSet& n = store_.replica_sets[s.new_rs];
  s.new_within_delay = n.scale_down_deadline && *n.scale_down_deadline > ctx_.Now();
  s.halt = dep.spec.paused;
  // getPreviewAndActiveServices: a missing Service stops the sync (the
  // Service's creation queues the Rollout again).
  for (uint32_t svc : {a.active_service, a.preview_service}) {
    if (svc != kNone && !store_.services[svc].exists) {
      ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                    [&] {
                      return fmt::format("error: service \"{}\" not found",
                                         store_.services[svc].name);
                    });
      return;
    }
  }
  // reconcilePreviewService: right after the new ReplicaSet exists.
  if (a.preview_service != kNone && !s.halt && ServiceHash(a.preview_service) != n.hash) {
    ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                  [&] {
                    return fmt::format("switched preview service/{} to {}",
                                       store_.services[a.preview_service].name, n.hash);
                  });
    api_.SwitchServiceSelector(a.preview_service, n.hash);
  }
  if (!a.current_pod_hash.empty() && a.current_pod_hash != n.hash) {
    // CheckPodSpecChange: only the status this sync; the status update
    // queues the next.
    ResetStatus(a);
    SyncStatus(s);
    Enqueue(d);
    return;
  }
  // reconcileBlueGreenReplicaSets: removeScaleDownDeadlines, the stable
  // ReplicaSet at full size, the new one, the others, the history limit.
  ReplicaSet& nrs = store_.replica_sets[s.new_rs];
  if (!DelayScaleDownOnAbort(s)) nrs.scale_down_deadline.reset();
  if (s.stable != kNone) {
    store_.replica_sets[s.stable].scale_down_deadline.reset();
    if (store_.replica_sets[s.stable].view.replicas != dep.spec.replicas) {
      Scale(s, s.stable, dep.spec.replicas);
    }
  }
  ReconcileNewReplicaSet(s);
  ScaleDownOld(s);
  deployments_.CleanupDeployment(d, s.others);
  ReconcilePause(s);
  ReconcileActiveService(s);
  const std::string before = a.stable_rs + "|" + a.active_selector + "|" + a.preview_selector;
  const bool pause_before = a.pause_start.has_value();
  const bool controller_pause_before = a.controller_pause;
  const bool abort_before = a.abort;
  const bool checkpoint_before = a.scale_up_preview_checkpoint;
  SyncStatus(s);
  // persistRolloutStatus: a changed status is an update the controller's
  // own informer sees, which queues the Rollout again.
  if (before != a.stable_rs + "|" + a.active_selector + "|" + a.preview_selector ||
      pause_before != a.pause_start.has_value() || controller_pause_before != a.controller_pause ||
      abort_before != a.abort || checkpoint_before != a.scale_up_preview_checkpoint) {
    Enqueue(d);
  }
}

void RolloutController::Promote(uint32_t d, bool full) {
  // promote.go: full — status.promoteFull (when not yet stable); else the
  // pause conditions cleared (controllerPause stays: the user resumed).
  ArgoRollout& a = *store_.deployments[d].argo;
  if (full) {
    if (a.current_pod_hash != a.stable_rs) a.promote_full = true;
  } else {
    a.pause_start.reset();
  }
  ctx_.MarkChanged();
  Enqueue(d);
}

void RolloutController::Abort(uint32_t d) {
  // abort.go: status.abort. The update in flight never completes.
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  a.abort = true;
  for (uint32_t rs : dep.replica_sets) {
    if (store_.replica_sets[rs].hash == a.current_pod_hash) {
      a.aborted_revision = store_.replica_sets[rs].view.revision;
    }
  }
  if (!dep.rollouts.empty() && !dep.rollouts.back().complete) dep.rollouts.back().superseded = true;
  store_.MarkDeploymentChanged(d);
  ctx_.MarkChanged();
  Enqueue(d);
}

void RolloutController::Retry(uint32_t d) {
  // retry.go: status.abort false; the update goes on.
  Deployment& dep = store_.deployments[d];
  dep.argo->abort = false;
  if (!dep.rollouts.empty()) {
    Rollout& r = dep.rollouts.back();
    const uint32_t last = dep.replica_sets.empty() ? kNone : dep.replica_sets.back();
    if (!r.complete && last != kNone &&
        store_.replica_sets[last].view.revision == r.info.revision) {
      r.superseded = false;
    }
  }
  ctx_.MarkChanged();
  Enqueue(d);
}

}  // namespace kubesim::cluster
