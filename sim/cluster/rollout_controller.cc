// The Argo Rollouts controller for blueGreen and canary Rollouts; see
// rollout_controller.h.
// Each function names the argo-rollouts function (at 9f8d111) it follows.
#include "rollout_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>

#include "traffic_router.h"

namespace kubesim::cluster {

namespace {

constexpr int32_t kDefaultScaleDownDelaySeconds = 30;       // defaults.DefaultScaleDownDelaySeconds
constexpr int32_t kDefaultAbortScaleDownDelaySeconds = 30;  // DefaultAbortScaleDownDelaySeconds

// GetCurrentCanaryStep: the step at status.currentStepIndex, null past the last.
const k8s::CanaryStep* CurrentStep(const ArgoRollout& a) {
  const auto& steps = a.canary->steps;
  const int32_t i = a.current_step.value_or(0);
  return i < static_cast<int32_t>(steps.size()) ? &steps[static_cast<size_t>(i)] : nullptr;
}

// The last setWeight at or before step `index` (0 when none): what
// GetCurrentSetWeight and reconcileTrafficRouting look back for.
int32_t LastSetWeight(const ArgoRollout& a, int32_t index) {
  for (int32_t i = index; i >= 0; --i) {
    const k8s::CanaryStep& step = a.canary->steps[static_cast<size_t>(i)];
    if (step.set_weight_set) return step.set_weight;
  }
  return 0;
}

// What persistRolloutStatus writes that the controller's own informer sees
// change, queueing the Rollout again.
// PauseReasonInconclusiveAnalysis.
constexpr std::string_view kInconclusive = "InconclusiveAnalysisRun";

auto PersistedStatus(const ArgoRollout& a) {
  return std::tuple(a.stable_rs, a.active_selector, a.preview_selector, a.pause_start.has_value(),
                    a.controller_pause, a.abort, a.scale_up_preview_checkpoint, a.current_step,
                    a.step_run, a.background_run, a.pre_run, a.post_run, a.weights_set,
                    a.canary_weight, a.phase);
}

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
  if (!a.invalid.empty()) return {ArgoRollout::Phase::kDegraded, "InvalidSpec: " + a.invalid};
  if (a.controller_pause && !a.pause_start) {
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
  std::string pause_reason;  // of add_pause: "" (the strategy's own), "InconclusiveAnalysisRun"
  std::optional<TrafficWeights> start_weights;  // status.canary.weights as the sync found them
  ReplicaSet& New(Store& st) const { return st.replica_sets[new_rs]; }
  bool Aborted() const { return a->abort && !remove_abort; }  // pauseContext.IsAborted
};

RolloutController::RolloutController(Store& store, Context& ctx, Api& api,
                                     DeploymentController& deployments)
    : store_(store),
      ctx_(ctx),
      api_(api),
      deployments_(deployments),
      analysis_(store, ctx, [this](uint32_t d) { Enqueue(d); }) {}

void RolloutController::Enqueue(uint32_t d) {
  if (!resync_armed_) {
    // The next resync, on the 15-minute grid from the controller's start.
    resync_armed_ = true;
    const int64_t period = kResyncPeriod.micros();
    const int64_t next = (ctx_.Now().micros() / period + 1) * period;
    ctx_.Schedule(SimDuration::Micros(next - ctx_.Now().micros()), kPhaseControl,
                  EventKind::kRolloutResync, 0);
  }
  Deployment& dep = store_.deployments[d];
  if (dep.queued) return;
  dep.queued = true;
  ctx_.Schedule(
      ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", dep.key),
      kPhaseControl, EventKind::kSyncRollout, d);
}

void RolloutController::RequeueAt(uint32_t d, SimTime t, bool wait) {
  // checkEnqueueRolloutDuringWait: only a deadline still ahead (a sync at
  // or past it has acted on it already).
  if (t <= ctx_.Now()) return;
  if (wait && t >= ctx_.Now() + kResyncPeriod) return;
  ArgoRollout& a = *store_.deployments[d].argo;
  if (a.timer.valid() && a.timer_at > ctx_.Now() && a.timer_at <= t) return;
  ctx_.loop().Cancel(a.timer);
  a.timer_at = t;
  a.timer = ctx_.Schedule(t - ctx_.Now(), kPhaseControl, EventKind::kRolloutTimer, d);
}

void RolloutController::Resync() {
  bool any = false;
  for (uint32_t d = 0; d < store_.deployments.size(); ++d) {
    if (!store_.deployments[d].argo || store_.deployments[d].deleted) continue;
    any = true;
    Enqueue(d);
  }
  resync_armed_ = any;
  if (any) ctx_.Schedule(kResyncPeriod, kPhaseControl, EventKind::kRolloutResync, 0);
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

void RolloutController::Restart(uint32_t d, SimTime at) {
  ArgoRollout& a = *store_.deployments[d].argo;
  a.restart_at = at;
  Enqueue(d);  // the informer's update
}

int32_t RolloutController::RestartPods(SyncState& s) {
  // RolloutPodRestarter.Reconcile (rollout/restart.go).
  ArgoRollout& a = *s.a;
  const SimTime now = ctx_.Now();
  if (!a.restart_at) return 0;
  // checkEnqueueRollout: a restart still ahead is requeued for its time
  // (when it comes before the next resync).
  if (now < *a.restart_at) {
    RequeueAt(s.d, *a.restart_at, /*wait=*/true);
    return 0;
  }
  // NeedsRestart: restartAt set, past, and not yet status.restartedAt.
  // (now.After(restartAt): the plugin writes restartAt in whole seconds
  // before the controller reads it; here the instant it names counts.)
  if (a.restarted_at == a.restart_at) return 0;
  // getRolloutPods: the live pods of the Rollout's ReplicaSets, as the API
  // lists them (by name).
  std::vector<uint32_t> pods;
  int32_t total = 0;
  for (uint32_t rs : s.all) {
    total += store_.replica_sets[rs].view.replicas;
    for (uint32_t p : store_.replica_sets[rs].pods) {
      if (store_.pods[p].state != PodState::kGone) pods.push_back(p);
    }
  }
  std::sort(pods.begin(), pods.end(),
            [&](uint32_t x, uint32_t y) { return store_.pods[x].name < store_.pods[y].name; });
  const int32_t replicas = s.dep->spec.replicas;
  int32_t available = 0;
  for (uint32_t p : pods) {
    const Pod& pod = store_.pods[p];
    if (!pod.deleted && Store::IsAvailable(pod, s.dep->spec.min_ready_seconds, now)) ++available;
  }
  // MaxUnavailable: the strategy's maxUnavailable (default 25 %), the
  // canary's resolved with maxSurge, at most replicas.
  int32_t max_unavailable = 0;
  if (replicas > 0) {
    if (a.canary) {
      max_unavailable = CanaryFenceposts(s).unavailable;
    } else {
      max_unavailable =
          std::min(replicas, a.blue_green->max_unavailable.value_or(k8s::IntOrPercent::Percent(25))
                                 .Resolve(replicas, /*round_up=*/false));
    }
  }
  const int32_t concurrent = std::max(max_unavailable, 1);
  int32_t can_restart = available - (std::max(replicas, total) - concurrent);
  int32_t needs = 0, restarted = 0;
  for (uint32_t p : pods) {
    const Pod& pod = store_.pods[p];
    if (pod.created >= *a.restart_at) continue;
    ++needs;
    if (can_restart <= 0 || pod.deleted) continue;
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                  [&] { return "restarting " + store_.PodLabel(p) + ", older than restartAt"; });
    const Api::Eviction e = api_.EvictPod(p);
    if (e == Api::Eviction::kRefused) continue;  // TooManyRequests: the next pod
    if (e == Api::Eviction::kFailed) {
      // Any other error ends the sync (Reconcile returns it); the work
      // queue retries with its backoff — here restartPodCheckTime.
      RequeueAt(s.d, now + SimDuration::Seconds(30));
      return -1;
    }
    --can_restart;
    ++restarted;
  }
  if (needs - restarted != 0) {
    RequeueAt(s.d, now + SimDuration::Seconds(30));  // restartPodCheckTime
  } else {
    a.restarted_at = a.restart_at;  // SetRestartedAt
    a.restart_done_at = now;
    ctx_.EmitLazy(
        [&] { return WorkloadLabel(*s.dep); },
        [&] { return fmt::format("all {} pods are current: restartedAt set", pods.size()); });
  }
  return restarted;
}

void RolloutController::ResetStatus(ArgoRollout& a) {
  // resetRolloutStatus (sync.go). It clears scaleUpPreviewCheckPoint too,
  // but syncRolloutStatusBlueGreen then recomputes it from the status the
  // sync found (calculateScaleUpPreviewCheckPoint keeps a true one): a
  // template change after the preview scaled up keeps it (SyncStatus).
  a.pause_start.reset();
  a.pause_reason.clear();
  a.controller_pause = false;
  a.abort = false;
  a.abort_message.clear();
  a.promote_full = false;
  a.restarted_at = a.restart_at;  // SetRestartedAt: a new template restarts every pod anyway
  // The four AnalysisRun statuses go too: the next sync cancels the runs
  // (reconcileAnalysisRuns' otherArs) and starts the new revision's.
  for (uint32_t* run : {&a.step_run, &a.background_run, &a.pre_run, &a.post_run}) {
    CancelRun(run);
  }
}

int32_t RolloutController::NewReplicas(const SyncState& s) const {
  // NewRSNewReplicas (utils/replicaset/replicaset.go), blueGreen.
  const ArgoRollout& a = *s.a;
  if (a.canary) return CanaryCounts(s).first;
  const int32_t desired = s.dep->spec.replicas;
  if (!a.blue_green->preview_replica_count) return desired;
  uint32_t active = kNone;
  for (uint32_t rs : s.all) {
    if (!a.active_selector.empty() && store_.replica_sets[rs].hash == a.active_selector)
      active = rs;
  }
  if (active == kNone || active == s.new_rs) return desired;
  if (a.promote_full) return desired;
  if (store_.replica_sets[s.new_rs].hash != a.current_pod_hash) {
    return *a.blue_green->preview_replica_count;
  }
  const bool not_paused = !s.dep->spec.paused && !a.pause_start;
  if (not_paused && a.scale_up_preview_checkpoint) return desired;
  return *a.blue_green->preview_replica_count;
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

bool RolloutController::FastRollback(const SyncState& s) const {
  // isFastRollback (sync.go): back to the stable ReplicaSet, or (blue-green)
  // to an older one still within its scale-down delay.
  const ArgoRollout& a = *s.a;
  if (s.stable == kNone) return false;
  const ReplicaSet& n = store_.replica_sets[s.new_rs];
  const bool to_stable = a.stable_rs == n.hash;
  const bool older = n.view.creation_order < store_.replica_sets[s.stable].view.creation_order;
  return to_stable || (older && s.new_within_delay && a.blue_green);
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
  if (a.blue_green->auto_promotion_enabled) {
    if (a.blue_green->auto_promotion_seconds == 0) return true;
    if (a.pause_start) {
      // now.After(startTime + autoPromotionSeconds): the controller's
      // requeue lands at that instant, and real clocks are a moment past it.
      return ctx_.Now() >=
             *a.pause_start + SimDuration::Seconds(a.blue_green->auto_promotion_seconds);
    }
    return false;
  }
  return a.controller_pause && !a.pause_start;
}

bool RolloutController::DelayScaleDownOnAbort(const SyncState& s) const {
  // shouldDelayScaleDownOnAbort (replicaset.go): abortScaleDownDelaySeconds
  // 0 leaves the preview up for good.
  if (s.a->canary && !s.a->canary->traffic_routing) return false;  // basic canary: never
  // dynamicStableScale without an explicit delay: the canary drains as the
  // weight steps down, no deadline.
  if (s.a->canary && s.a->canary->dynamic_stable_scale &&
      !s.a->canary->abort_scale_down_delay_seconds) {
    return false;
  }
  return s.Aborted() && s.stable != kNone && AbortDelaySeconds(s) != 0;
}

bool RolloutController::Referenced(const SyncState& s, const ReplicaSet& rs) const {
  // isReplicaSetReferenced (replicaset.go): the status' hashes and the live
  // Services' selectors.
  const ArgoRollout& a = *s.a;
  if (a.weights_set && (rs.hash == a.weight_canary_hash || rs.hash == a.weight_stable_hash)) {
    return true;
  }
  return rs.hash == a.stable_rs || rs.hash == a.current_pod_hash || rs.hash == a.active_selector ||
         rs.hash == a.preview_selector || rs.hash == ServiceHash(a.active_service) ||
         rs.hash == ServiceHash(a.preview_service) || rs.hash == ServiceHash(a.stable_service) ||
         rs.hash == ServiceHash(a.canary_service);
}

void RolloutController::Scale(SyncState& s, uint32_t rs, int32_t replicas) {
  // scaleReplicaSetAndRecordEvent: the desired-replicas annotation follows
  // the Rollout; a scale to 0 drops the scale-down deadline.
  ReplicaSetView v = store_.replica_sets[rs].view;
  v.desired_replicas = s.dep->spec.replicas;
  v.replicas = replicas;
  if (replicas == 0) store_.replica_sets[rs].scale_down_deadline.reset();
  deployments_.WriteViews(s.d, {v});
  Enqueue(s.d);  // the controller watches its ReplicaSets
}

void RolloutController::ScaleWorkload(SyncState& s, int32_t replicas) {
  // scaleDeployment (rollout/scale_utils.go): the referenced Deployment's
  // spec.replicas, through the API (not below 0; no write when equal).
  const uint32_t w = store_.FindDeployment(s.dep->namespace_name, s.a->workload_ref->name);
  if (w == kNone || store_.deployments[w].deleted) return;
  const Deployment& dep = store_.deployments[w];
  replicas = std::max(replicas, 0);
  if (dep.spec.replicas == replicas) return;
  ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                [&] {
                  return fmt::format("scaled deployment/{} from {} to {} (workloadRef scaleDown)",
                                     dep.name, dep.spec.replicas, replicas);
                });
  api_.ScaleDeployment(dep.namespace_name, dep.name, dep.spec, replicas);
}

void RolloutController::ScaleDownWorkloadOnSuccess(SyncState& s) {
  // promoteStable (sync.go): scaleDown: onsuccess, at the Rollout's first
  // revision, once the phase it saved is Healthy.
  const ArgoRollout& a = *s.a;
  if (!a.workload_ref || a.workload_ref->scale_down != "onsuccess") return;
  if (s.New(store_).view.revision != 1 || a.phase != ArgoRollout::Phase::kHealthy) return;
  ScaleWorkload(s, 0);
}

void RolloutController::ScaleDownWorkloadProgressively(SyncState& s, int32_t old_scale,
                                                       int32_t new_count) {
  // reconcileNewReplicaSet (replicaset.go), scaleDown: progressively, at
  // the first revision: to 0 once Healthy; before, to the replicas the
  // Rollout's ready pods do not cover — up again if they fail.
  const ArgoRollout& a = *s.a;
  if (!a.workload_ref || a.workload_ref->scale_down != "progressively") return;
  if (s.New(store_).view.revision != 1) return;
  if (a.phase == ArgoRollout::Phase::kHealthy) {
    ScaleWorkload(s, 0);
    return;
  }
  int32_t ready = 0;
  for (uint32_t rs : s.all) ready += store_.replica_sets[rs].view.ready_replicas;
  if (ready > 0 || old_scale > new_count) ScaleWorkload(s, s.dep->spec.replicas - ready);
}

void RolloutController::ReconcileNewReplicaSet(SyncState& s) {
  // reconcileNewReplicaSet (replicaset.go).
  int32_t count = NewReplicas(s);
  ReplicaSet& n = s.New(store_);
  if (DelayScaleDownOnAbort(s)) {
    if (n.scale_down_deadline) {
      if (*n.scale_down_deadline > ctx_.Now()) {
        RequeueAt(s.d, *n.scale_down_deadline, /*wait=*/true);
        return;
      }
      count = 0;
    } else {
      // Not before the stable ReplicaSet could take all the traffic. (Argo
      // also puts a deadline on a new ReplicaSet already at 0, which
      // changes nothing; kubesim does not.)
      if (store_.replica_sets[s.stable].view.available_replicas >= s.dep->spec.replicas &&
          n.view.replicas > 0) {
        const int32_t delay = AbortDelaySeconds(s);
        n.scale_down_deadline = ctx_.Now() + SimDuration::Seconds(delay);
        ctx_.EmitLazy(
            [&] { return WorkloadLabel(*s.dep); },
            [&] { return fmt::format("replicaset/{} scales down in {}s (abort)", n.name, delay); });
        RequeueAt(s.d, *n.scale_down_deadline, /*wait=*/true);
      }
      return;
    }
  }
  const int32_t old_scale = n.view.replicas;
  if (n.view.replicas != count) Scale(s, s.new_rs, count);
  ScaleDownWorkloadProgressively(s, old_scale, count);
}

void RolloutController::SortNewestFirst(std::vector<uint32_t>& ids) const {
  // ReplicaSetsByRevisionNumber, reversed.
  std::sort(ids.begin(), ids.end(), [&](uint32_t x, uint32_t y) {
    return store_.replica_sets[x].view.revision > store_.replica_sets[y].view.revision;
  });
}

void RolloutController::ScaleDownOld(SyncState& s) {
  // scaleDownOldReplicaSetsForBlueGreen (bluegreen.go) and
  // scaleDownDelayHelper (replicaset.go): newest revision first, each
  // unreferenced one kept `scaleDownDelaySeconds` (the first
  // scaleDownDelayRevisionLimit of them; older ones at once), then scaled to 0.
  const ArgoRollout& a = *s.a;
  // Not while paused for an inconclusive run; nor, with a post-promotion
  // analysis and no scaleDownDelaySeconds, before that analysis succeeded.
  if (a.pause_start && a.pause_reason == kInconclusive) return;
  if (a.blue_green->post_promotion_analysis && !a.blue_green->scale_down_delay_seconds &&
      !SkipPostPromotion(s, a.post_run) &&
      (a.post_run == kNone ||
       store_.analysis_runs[a.post_run].phase != AnalysisRun::Phase::kSuccessful)) {
    return;
  }
  std::vector<uint32_t> olds = s.others;
  SortNewestFirst(olds);
  int32_t annotated = 0;
  for (uint32_t id : olds) {
    ReplicaSet& rs = store_.replica_sets[id];
    if (rs.deleted || Referenced(s, rs) || rs.view.replicas == 0) continue;
    const int32_t desired = ScaleDownDelay(s, rs, &annotated, s.dep->spec.replicas);
    if (rs.view.replicas != desired) Scale(s, id, desired);
  }
}

int32_t RolloutController::ScaleDownDelay(SyncState& s, ReplicaSet& rs, int32_t* annotated,
                                          int32_t hold) {
  // scaleDownDelayHelper (replicaset.go): the replicas `rs` keeps now — its
  // own while a new deadline is set, `hold` while one runs, else 0.
  const auto& bg = s.a->blue_green;
  const auto& c = s.a->canary;
  const int32_t limit =
      (bg ? bg->scale_down_delay_revision_limit : c->scale_down_delay_revision_limit)
          .value_or(std::numeric_limits<int32_t>::max());
  const int32_t delay = (bg ? bg->scale_down_delay_seconds : c->scale_down_delay_seconds)
                            .value_or(kDefaultScaleDownDelaySeconds);
  if (!rs.scale_down_deadline) {
    if (*annotated >= limit) return 0;
    ++*annotated;
    // addScaleDownDelay: a delay of 0 writes no deadline, so the
    // ReplicaSet is kept as it is at every sync (argo-rollouts #1992).
    if (delay > 0) {
      rs.scale_down_deadline = ctx_.Now() + SimDuration::Seconds(delay);
      ctx_.EmitLazy(
          [&] { return WorkloadLabel(*s.dep); },
          [&] { return fmt::format("replicaset/{} scales down in {}s", rs.name, delay); });
      RequeueAt(s.d, *rs.scale_down_deadline);
    }
    return rs.view.replicas;
  }
  ++*annotated;
  if (*annotated <= limit && *rs.scale_down_deadline > ctx_.Now()) {
    RequeueAt(s.d, *rs.scale_down_deadline);
    return hold;
  }
  return 0;
}

int32_t RolloutController::AbortDelaySeconds(const SyncState& s) const {
  // GetAbortScaleDownDelaySecondsOrDefault: 30 s unless set (0: never).
  const auto& bg = s.a->blue_green;
  return (bg ? bg->abort_scale_down_delay_seconds : s.a->canary->abort_scale_down_delay_seconds)
      .value_or(kDefaultAbortScaleDownDelaySeconds);
}

void RolloutController::ReconcilePause(SyncState& s) {
  // reconcileBlueGreenPause (bluegreen.go).
  const ArgoRollout& a = *s.a;
  if (s.Aborted() || !ReadyForPause(s) || s.halt) return;
  // needsBlueGreenControllerPause.
  const bool needs_pause =
      !a.blue_green->auto_promotion_enabled || a.blue_green->auto_promotion_seconds > 0;
  if (FastTracked(s) || ServiceHash(a.active_service) == s.New(store_).hash ||
      a.scale_up_preview_checkpoint || !needs_pause) {
    // (RemovePauseCondition(BlueGreenPause): an inconclusive run's pause stays.)
    if (a.pause_reason != kInconclusive) s.remove_pause = true;
    return;
  }
  if (!CompletedPrePromotion(s)) return;  // not ready for pause
  if (a.pause_start) {
    if (!CompletedPause(s)) {
      if (a.blue_green->auto_promotion_seconds > 0) {
        RequeueAt(s.d, *a.pause_start + SimDuration::Seconds(a.blue_green->auto_promotion_seconds),
                  /*wait=*/true);
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
  if (CompletedPause(s) && CompletedPrePromotion(s)) hash = s.New(store_).hash;
  if (s.Aborted()) hash = a.stable_rs;
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
  bool checkpoint = a.scale_up_preview_checkpoint;  // calculateScaleUpPreviewCheckPoint's prevValue
  const std::string current = n.hash;
  const std::string preview(ServiceHash(a.preview_service));
  const std::string active(ServiceHash(a.active_service));
  const bool aborted = s.Aborted();
  std::string_view reason;
  if (s.stable == kNone || active.empty()) {
    reason = "Initial deploy";
  } else if (active != current) {
    reason = "";
  } else if (a.promote_full) {
    reason = "Full promotion requested";
  } else if (FastRollback(s)) {
    reason = "Fast rollback";
  } else if (!aborted && (!a.blue_green->post_promotion_analysis ||
                          (a.post_run != kNone && store_.analysis_runs[a.post_run].phase ==
                                                      AnalysisRun::Phase::kSuccessful))) {
    // (With a post-promotion analysis: once it succeeded.)
    reason = "Completed blue-green update";
  }
  std::string stable = a.stable_rs;
  if (!reason.empty()) {
    s.clear_pause = true;
    s.remove_abort = true;
    promote_full = false;
    checkpoint = false;
    stable = current;
    ScaleDownWorkloadOnSuccess(s);
  } else if (a.blue_green->preview_replica_count && !checkpoint && completed_pause &&
             CompletedPrePromotion(s)) {
    // calculateScaleUpPreviewCheckPoint.
    checkpoint = *a.blue_green->preview_replica_count == n.view.available_replicas;
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
  ApplyPauseStatus(s, "BlueGreenPause");
  s.dep->observed_generation = s.dep->generation;
  UpdatePhase(s.d, &s);
}

void RolloutController::ApplyPauseStatus(SyncState& s, std::string_view reason) {
  // CalculatePauseStatus (pause.go): an abort keeps no pause condition;
  // otherwise the conditions as removed and added, controllerPause only
  // with one.
  ArgoRollout& a = *s.a;
  const bool abort = a.abort && !s.remove_abort;
  if (abort || s.clear_pause) {
    a.pause_start.reset();
    a.controller_pause = false;
  } else {
    if (s.remove_pause) a.pause_start.reset();
    if (s.add_pause && !a.pause_start) {
      a.pause_start = ctx_.Now();
      a.pause_reason = s.pause_reason;
      reason = s.pause_reason.empty() ? reason : std::string_view(s.pause_reason);
      a.controller_pause = true;
      ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                    [&] { return fmt::format("paused ({})", reason); });
    }
    if (!a.pause_start) a.controller_pause = false;
  }
  if (!a.pause_start) a.pause_reason.clear();
  if (!abort) a.aborted_at.reset();  // CalculateAbortStatus
  if (a.abort && !abort) {
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); }, [&] { return "abort cleared"; });
    a.abort_message.clear();
  }
  a.abort = abort;
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
  int32_t total = 0;
  if (a.canary) {
    // syncRolloutStatusCanary: every ReplicaSet's available pods count.
    available = 0;
    for (uint32_t rs : s->all) {
      available += store_.replica_sets[rs].view.available_replicas;
      total += store_.replica_sets[rs].view.status_replicas;
    }
  }
  // calculateRolloutConditions' progress deadline (sync.go): no progress —
  // a change of the counts, the selectors, the stable ReplicaSet or the
  // step — for progressDeadlineSeconds while not paused and not complete
  // makes the Rollout Degraded (ProgressDeadlineExceeded); progress clears it.
  int32_t ready = 0;
  for (uint32_t rs : s->all) ready += store_.replica_sets[rs].view.ready_replicas;
  const std::string signature =
      fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", updated, available, ready, total, a.active_selector,
                  a.preview_selector, a.stable_rs, a.current_step.value_or(-1));
  const bool paused = dep.spec.paused || a.pause_start.has_value() || a.abort;
  const bool complete = !a.stable_rs.empty() && a.stable_rs == a.current_pod_hash &&
                        updated >= dep.spec.replicas && available >= updated;
  // (A resume or retry restarts the clock: the Progressing condition's
  // RolloutResumed / RolloutRetry, checkPausedConditions.)
  const bool resumed = a.progress_paused && !paused;
  a.progress_paused = paused;
  if (paused || complete || resumed || signature != a.progress_signature) {
    a.progress_signature = signature;
    a.progress_at = ctx_.Now();
    a.timed_out = false;
  } else if (!a.timed_out &&
             ctx_.Now() >= a.progress_at + SimDuration::Seconds(a.progress_deadline_seconds)) {
    a.timed_out = true;
    if (!dep.rollouts.empty()) {
      Rollout& r = dep.rollouts.back();
      if (!r.superseded && !r.complete && !r.deadline_exceeded) {
        r.deadline_exceeded = true;
        r.settled_at = ctx_.Now();
        for (Observer* o : ctx_.observers()) o->OnRolloutDeadlineExceeded(ctx_.Now(), r.info);
      }
    }
  }
  if (!paused && !complete && !a.timed_out) {
    RequeueAt(d, a.progress_at + SimDuration::Seconds(a.progress_deadline_seconds));
  }
  Phase phase = Phase::kProgressing;
  std::string message;
  if (a.abort) {
    phase = Phase::kDegraded;
    message =
        fmt::format("RolloutAborted: Rollout aborted update to revision {}{}", a.aborted_revision,
                    a.abort_message.empty() ? "" : ": " + a.abort_message);
  } else if (a.timed_out) {
    phase = Phase::kDegraded;
    message = fmt::format("ProgressDeadlineExceeded: ReplicaSet \"{}\" has timed out progressing.",
                          n.name);
  } else if (dep.spec.paused) {
    phase = Phase::kPaused;
    message = "manually paused";
  } else if (a.pause_start) {
    phase = Phase::kPaused;
    message = !a.pause_reason.empty() ? a.pause_reason
              : a.canary              ? "CanaryPauseStep"
                                      : "BlueGreenPause";
  } else if (updated < dep.spec.replicas) {
    message = "more replicas need to be updated";
  } else if (available < updated) {
    message = "updated replicas are still becoming available";
  } else if (a.canary) {
    if (total > updated && !a.canary->traffic_routing) {
      message = "old replicas are pending termination";
    } else if (a.stable_rs.empty() || a.stable_rs != a.current_pod_hash) {
      message = "waiting for all steps to complete";
    } else {
      phase = Phase::kHealthy;
    }
  } else if (a.active_selector.empty() || a.active_selector != a.current_pod_hash) {
    message = "active service cutover pending";
  } else if (a.stable_rs.empty() || a.stable_rs != a.current_pod_hash) {
    message = "waiting for post-promotion verification to complete";
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
  if (!dep.rollouts.empty()) {
    // An update that waits for a command (an indefinite pause, spec.paused,
    // an abort) does not keep the run going (docs/scenario-format.md, until).
    const k8s::CanaryStep* step = a.canary ? CurrentStep(a) : nullptr;
    const bool indefinite =
        a.pause_start && (!a.pause_reason.empty() ||
                          (a.canary ? step != nullptr && step->pause_set && !step->pause_seconds
                                    : !a.blue_green->auto_promotion_enabled));
    // scaleDownDelaySeconds: 0 never scales the old ReplicaSet down
    // (argo-rollouts #1992): Healthy is as far as the update goes.
    const std::optional<int32_t> delay =
        a.blue_green ? a.blue_green->scale_down_delay_seconds : a.canary->scale_down_delay_seconds;
    const bool kept = phase == Phase::kHealthy && delay == 0;
    dep.rollouts.back().aborted = a.abort || dep.spec.paused || indefinite || kept;
  }
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
  // getReferencedServices (controller.go newRolloutContext): a Service the
  // Rollout names that does not exist is an InvalidSpec condition — phase
  // Degraded, no ReplicaSet — and the controller looks again 20 s later
  // ("the Rollout was applied before the Service").
  if (!CheckServices(d)) return;
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
    const int64_t max_revision = deployments_.MaxRevision(olds);
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
  // newRolloutContext: an abort of a fully promoted Rollout is dropped.
  if (a.abort && !a.stable_rs.empty() && a.stable_rs == a.current_pod_hash &&
      a.stable_rs == n.hash) {
    s.remove_abort = true;
  }
  if (a.canary) {
    SyncCanary(s);
    TellStep(d, /*advancing=*/false);
    return;
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
  if (RestartPods(s) < 0) return;  // an eviction error ends the sync
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
  const auto before = PersistedStatus(a);
  ReconcileBlueGreenAnalysis(s);
  CancelOtherRuns(d);
  SyncStatus(s);
  if (before != PersistedStatus(a)) Enqueue(d);
}

// --- canary (rollout/canary.go, utils/replicaset/canary.go), without
// trafficRouting: the weight is the share of replicas -----------------------

// approximateWeightedCanaryStableReplicaCounts (declared in the header).
std::pair<int32_t, int32_t> ApproximateWeightedCanaryStableCounts(int32_t replicas, int32_t weight,
                                                                  int32_t max_weight,
                                                                  int32_t max_surge) {
  if (replicas == 0) return {0, 0};
  const double exact = static_cast<double>(replicas * weight) / max_weight;
  const auto ceil_count = static_cast<int32_t>(std::ceil(exact));
  const auto floor_count = static_cast<int32_t>(std::floor(exact));
  const auto tied = [&](int32_t total) {  // floorCeilingTied
    double ipart = 0;
    return std::modf(total * (static_cast<double>(weight) / max_weight), &ipart) == 0.5;
  };
  const bool zero_allowed =
      weight == max_weight || weight == 0 || (replicas == 1 && max_surge == 0);
  std::vector<std::pair<int32_t, int32_t>> options;  // (canary, total)
  if (ceil_count < replicas || zero_allowed) options.emplace_back(ceil_count, replicas);
  if (!tied(replicas) && (floor_count != 0 || zero_allowed)) {
    options.emplace_back(floor_count, replicas);
  }
  if (max_surge > 0) {
    options.emplace_back(ceil_count, replicas + 1);
    if (!tied(replicas + 1) && (floor_count != 0 || zero_allowed)) {
      options.emplace_back(floor_count, replicas + 1);
    }
  }
  if (options.empty()) return {0, replicas};
  const auto delta = [&](std::pair<int32_t, int32_t> o) {  // weightDelta
    return std::abs(static_cast<double>(o.first * max_weight) / o.second - weight);
  };
  std::pair<int32_t, int32_t> best = options[0];
  for (size_t i = 1; i < options.size(); ++i) {
    if (delta(options[i]) < delta(best)) best = options[i];
  }
  return {best.first, best.second - best.first};
}

namespace {

// GetReplicasForScaleDown.
int32_t ReplicasForScaleDown(const ReplicaSetView* rs, bool ignore_availability) {
  if (rs == nullptr) return 0;
  if (rs->replicas < rs->available_replicas || ignore_availability) return rs->replicas;
  return rs->available_replicas;
}

// adjustReplicaWithinLimits: keeps the two counts within maxSurge without
// going below minAvailable.
std::pair<int32_t, int32_t> AdjustWithinLimits(const ReplicaSetView* drain,
                                               const ReplicaSetView* adjust, int32_t drain_count,
                                               int32_t adjust_count, int32_t max_allowed,
                                               int32_t min_available) {
  int32_t total_available = 0;
  int32_t over = std::max(0, adjust_count + drain_count - max_allowed);
  if (drain != nullptr) total_available += std::min(drain->available_replicas, drain_count);
  if (adjust != nullptr) {
    adjust_count -= over;
    total_available += std::min(adjust->available_replicas, adjust_count);
    const int32_t extra = std::max(0, adjust->available_replicas - adjust_count);
    const int32_t need = std::max(0, min_available - total_available);
    adjust_count += std::min(extra, need);
    over = std::max(0, adjust_count + drain_count - max_allowed);
    drain_count -= over;
  }
  return {drain_count, adjust_count};
}

}  // namespace

Fenceposts RolloutController::CanaryFenceposts(const SyncState& s) const {
  // MaxSurge / MaxUnavailable (utils/replicaset/replicaset.go): Argo's
  // defaults "25" and "25" are percentages; unavailable at most replicas.
  const k8s::CanaryStrategy& c = *s.a->canary;
  const int32_t replicas = s.dep->spec.replicas;
  if (replicas == 0) return {};
  Fenceposts f =
      ResolveFenceposts(c.max_surge.value_or(k8s::IntOrPercent::Percent(25)),
                        c.max_unavailable.value_or(k8s::IntOrPercent::Percent(25)), replicas);
  f.unavailable = std::min(f.unavailable, replicas);
  return f;
}

int32_t RolloutController::DesiredWeight(const SyncState& s) const {
  // GetCanaryReplicasOrWeight: all of it once promoted (or fully
  // promoting); a setCanaryScale's weight; else GetDesiredCanaryWeight.
  const ArgoRollout& a = *s.a;
  constexpr int32_t kMaxWeight = 100;
  if (a.promote_full || a.stable_rs.empty() || a.current_pod_hash == a.stable_rs) return kMaxWeight;
  if (const k8s::CanaryStep* scale = SetCanaryScale(s);
      scale != nullptr && scale->scale_weight && !scale->scale_replicas) {
    return *scale->scale_weight;
  }
  return DesiredCanaryWeight(s);
}

int32_t RolloutController::DesiredCanaryWeight(const SyncState& s) const {
  // GetDesiredCanaryWeight: aborted with dynamicStableScale, the step-down
  // weight; else GetCurrentSetWeight — 0 when aborted, 100 past the last
  // step, else the last setWeight at or before the current step.
  const ArgoRollout& a = *s.a;
  constexpr int32_t kMaxWeight = 100;
  if (s.Aborted()) {
    if (!a.canary->traffic_routing || !a.canary->dynamic_stable_scale || s.stable == kNone) {
      return 0;
    }
    // HasExplicitAbortScaleDownDelay: set, and not 0.
    const bool explicit_delay = a.canary->abort_scale_down_delay_seconds.value_or(0) != 0;
    return DynamicAbortCanaryWeight(a.canary->steps, s.dep->spec.replicas,
                                    store_.replica_sets[s.stable].view.available_replicas,
                                    store_.replica_sets[s.new_rs].view.available_replicas,
                                    explicit_delay);
  }
  if (CurrentStep(a) == nullptr) return kMaxWeight;
  return LastSetWeight(a, a.current_step.value_or(0));
}

std::pair<int32_t, int32_t> BasicCanaryReplicaCounts(int32_t replicas, int32_t weight,
                                                     const Fenceposts& f, const ReplicaSetView& nv,
                                                     const ReplicaSetView* sv, int32_t others) {
  // CalculateReplicaCountsForBasicCanary (utils/replicaset/canary.go).
  constexpr int32_t kMaxWeight = 100;
  auto [desired_new, desired_stable] =
      ApproximateWeightedCanaryStableCounts(replicas, weight, kMaxWeight, f.surge);
  int32_t stable_count = 0;
  int32_t new_count = nv.replicas;
  if (sv != nullptr) {
    stable_count = sv->replicas;
  } else {
    // No stable ReplicaSet (or it is the new one): no steps, all of it new.
    desired_new = replicas;
    desired_stable = 0;
  }
  const int32_t max_allowed = replicas + f.surge;
  int32_t scale_up = max_allowed - (nv.replicas + (sv != nullptr ? sv->replicas : 0) + others);
  if (sv != nullptr && sv->replicas < desired_stable && scale_up > 0) {
    if (sv->replicas + scale_up < desired_stable) {
      stable_count = sv->replicas + scale_up;
      scale_up = 0;
    } else {
      stable_count = desired_stable;
      scale_up -= desired_stable - sv->replicas;
    }
  }
  if (nv.replicas < desired_new && scale_up > 0) {
    new_count = std::min(nv.replicas + scale_up, desired_new);
  }
  if (others > 0) return {new_count, stable_count};  // older ones go down first
  const int32_t min_available = replicas - f.unavailable;
  const bool increasing = desired_new >= nv.replicas;
  const int32_t to_scale_down =
      ReplicasForScaleDown(&nv, !increasing) + ReplicasForScaleDown(sv, increasing);
  if (to_scale_down <= min_available) return {new_count, stable_count};
  const int32_t scale_down = to_scale_down - min_available;
  if (!increasing) {
    if (nv.replicas > desired_new) new_count = std::max(desired_new, nv.replicas - scale_down);
    std::tie(new_count, stable_count) =
        AdjustWithinLimits(&nv, sv, new_count, stable_count, max_allowed, min_available);
  } else if (sv != nullptr) {
    if (sv->replicas > desired_stable) {
      stable_count = std::max(desired_stable, sv->replicas - scale_down);
    }
    std::tie(stable_count, new_count) =
        AdjustWithinLimits(sv, &nv, stable_count, new_count, max_allowed, min_available);
  }
  return {new_count, stable_count};
}

std::pair<int32_t, int32_t> RolloutController::BasicCanaryCounts(const SyncState& s) const {
  const bool scale_stable = s.stable != kNone && s.stable != s.new_rs;  // CheckStableRSExists
  int32_t others = 0;
  for (uint32_t rs : s.others) others += store_.replica_sets[rs].view.replicas;
  return BasicCanaryReplicaCounts(s.dep->spec.replicas, DesiredWeight(s), CanaryFenceposts(s),
                                  store_.replica_sets[s.new_rs].view,
                                  scale_stable ? &store_.replica_sets[s.stable].view : nullptr,
                                  others);
}

bool RolloutController::AtDesiredCanaryCounts(const SyncState& s, Weights w) const {
  // AtDesiredReplicaCountsForCanary: the new ReplicaSet all available, the
  // stable one all created (not checked with dynamicStableScale), the older
  // ones without an available pod.
  // (With trafficRouting the older ones may keep pods: the router sends
  // them nothing.)
  const auto [want_new, want_stable] = CanaryCounts(s, w);
  const ReplicaSetView& nv = store_.replica_sets[s.new_rs].view;
  if (!(want_new == nv.replicas && want_new == nv.available_replicas)) return false;
  const bool routed = s.a->canary->traffic_routing.has_value();
  if (!(routed && s.a->canary->dynamic_stable_scale)) {
    if (s.stable == kNone) return false;
    const ReplicaSetView& sv = store_.replica_sets[s.stable].view;
    if (!(want_stable == sv.replicas && want_stable == sv.status_replicas)) return false;
  }
  if (routed) return true;
  for (uint32_t rs : s.others) {
    if (store_.replica_sets[rs].view.available_replicas != 0) return false;
  }
  return true;
}

int32_t RolloutController::ScaleDownOldForCanary(SyncState& s) {
  // scaleDownOldReplicaSetsForCanary, basic. First cleanupUnhealthyReplicas:
  // each older ReplicaSet, oldest first, down to its available pods, whatever
  // maxUnavailable says (an unavailable pod serves no one; without this a
  // bad canary undone would hold its pods, and the surge room, for good).
  std::vector<uint32_t> olds = s.others;
  std::sort(olds.begin(), olds.end(), [&](uint32_t x, uint32_t y) {
    return store_.replica_sets[x].view.creation_order < store_.replica_sets[y].view.creation_order;
  });
  int32_t total = 0;
  for (uint32_t id : olds) {
    const ReplicaSetView& v = store_.replica_sets[id].view;
    if (v.replicas == 0 || v.available_replicas >= v.replicas) continue;
    total += v.replicas - v.available_replicas;
    Scale(s, id, v.available_replicas);
  }
  // Then the older ReplicaSets, newest first, as far as availability allows
  // (every one of them to 0 in the end: their pods would serve).
  int32_t available = 0;
  for (uint32_t rs : s.all) available += store_.replica_sets[rs].view.available_replicas;
  int32_t max_scale_down = available - (s.dep->spec.replicas - CanaryFenceposts(s).unavailable);
  if (max_scale_down <= 0) return total;
  SortNewestFirst(olds);
  const bool routed = s.a->canary->traffic_routing.has_value();
  const bool promoted = !s.a->stable_rs.empty() && s.a->stable_rs == s.a->current_pod_hash;
  int32_t annotated = 0;
  for (uint32_t id : olds) {
    ReplicaSet& rs = store_.replica_sets[id];
    if (routed && Referenced(s, rs)) continue;
    if (max_scale_down <= 0) break;
    const int32_t replicas = rs.view.replicas;
    if (replicas == 0) continue;
    int32_t desired = 0;
    if (!routed) {
      // Every older ReplicaSet goes: its pods would serve.
      desired = replicas > max_scale_down ? replicas - max_scale_down : 0;
    } else if ((promoted || rs.scale_down_deadline) && !s.a->canary->dynamic_stable_scale) {
      // The previous stable one: scaleDownDelaySeconds (30 s) first.
      desired = ScaleDownDelay(s, rs, &annotated, replicas);  // holds its current size
    }  // else (dynamicStableScale: at once) or an intermediate ReplicaSet,
       // which the router sends nothing: 0
    if (desired == replicas) continue;
    Scale(s, id, desired);
    max_scale_down -= replicas - desired;
    total += replicas - desired;
  }
  return total;
}

bool RolloutController::ReconcileCanaryReplicaSets(SyncState& s) {
  // reconcileCanaryReplicaSets: one ReplicaSet scaled per sync — the
  // stable, else the new, else the older ones; true when one was.
  if (s.halt) return false;
  if (!DelayScaleDownOnAbort(s)) store_.replica_sets[s.new_rs].scale_down_deadline.reset();
  // (The stable's count reads the weights the sync started with: it
  // follows the traffic one sync behind, never ahead of it.)
  const auto [want_new, want_stable] = CanaryCounts(s, Weights::kStart);
  if (s.stable != kNone && s.stable != s.new_rs) {
    store_.replica_sets[s.stable].scale_down_deadline.reset();
    if (store_.replica_sets[s.stable].view.replicas != want_stable) {
      Scale(s, s.stable, want_stable);
      return true;
    }
  }
  if (s.a->canary->traffic_routing) {
    // reconcileNewReplicaSet, with the abort's scale-down delay.
    const int32_t before = store_.replica_sets[s.new_rs].view.replicas;
    ReconcileNewReplicaSet(s);
    if (store_.replica_sets[s.new_rs].view.replicas != before) return true;
  } else {
    // reconcileNewReplicaSet, basic: the canary's count.
    const int32_t old_scale = store_.replica_sets[s.new_rs].view.replicas;
    if (old_scale != want_new) Scale(s, s.new_rs, want_new);
    ScaleDownWorkloadProgressively(s, old_scale, want_new);
    if (old_scale != want_new) return true;
  }
  return ScaleDownOldForCanary(s) > 0;
}

bool RolloutController::CompletedCanaryPause(const SyncState& s) const {
  // pauseContext.CompletedCanaryPauseStep (pause.go).
  const ArgoRollout& a = *s.a;
  const k8s::CanaryStep* step = CurrentStep(a);
  if (a.controller_pause && !a.pause_start) return true;
  return step != nullptr && step->pause_seconds && a.pause_start &&
         ctx_.Now() >= *a.pause_start + SimDuration::Seconds(*step->pause_seconds);
}

bool RolloutController::ReconcileCanaryPause(SyncState& s) {
  // reconcileCanaryPause: true while a pause step holds the rollout.
  const ArgoRollout& a = *s.a;
  if (s.dep->spec.paused || a.promote_full) return false;
  const k8s::CanaryStep* step = CurrentStep(a);
  if (step == nullptr || !step->pause_set) return false;
  if (!a.pause_start) {
    if (!a.controller_pause) s.add_pause = true;
    return true;
  }
  if (step->pause_seconds) {
    RequeueAt(s.d, *a.pause_start + SimDuration::Seconds(*step->pause_seconds), /*wait=*/true);
  }
  return true;
}

void RolloutController::EnsureServiceTarget(SyncState& s, uint32_t service, uint32_t rs,
                                            bool check) {
  // ensureSVCTargets (service.go): a Service the controller has not
  // adopted yet waits for the ReplicaSet to be fully available, one it
  // manages for one available pod.
  if (service == kNone || rs == kNone) return;
  const ReplicaSet& r = store_.replica_sets[rs];
  if (ServiceHash(service) == r.hash) return;
  const ReplicaSetView& v = r.view;
  if (check && store_.services[service].rollout_hash.empty() &&
      !(v.replicas != 0 && v.available_replicas != 0 && v.replicas <= v.available_replicas)) {
    return;
  }
  if (check && v.available_replicas == 0) return;
  ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                [&] {
                  return fmt::format("switched service/{} to {}", store_.services[service].name,
                                     r.hash);
                });
  api_.SwitchServiceSelector(service, r.hash);
}

void RolloutController::SyncCanaryStatus(SyncState& s) {
  // syncRolloutStatusCanary (canary.go), shouldFullPromote and
  // promoteStable (sync.go).
  ArgoRollout& a = *s.a;
  const ReplicaSet& n = s.New(store_);
  const auto steps = static_cast<int32_t>(a.canary->steps.size());
  std::optional<int32_t> index = a.current_step;
  if (a.promote_full) {
    s.clear_pause = true;
    s.remove_abort = true;
    if (steps > 0) index = steps;
  }
  const bool aborted = s.Aborted();
  std::string reason;
  if (s.stable == kNone) {
    reason = "Initial deploy";
  } else if (aborted || n.view.available_replicas < s.dep->spec.replicas) {
    reason = "";
  } else if (a.promote_full) {
    reason = "Full promotion requested";
  } else if (a.stable_rs == n.hash) {
    reason = "Fast rollback";
  } else if (steps == 0 || index.value_or(0) == steps) {
    reason = fmt::format("Completed all {} canary steps", steps);
  }
  if (!reason.empty()) {
    s.clear_pause = true;
    s.remove_abort = true;
    a.promote_full = false;
    index = steps > 0 ? std::optional<int32_t>(steps) : std::nullopt;
    if (a.stable_rs != n.hash) {
      ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                    [&] { return fmt::format("{}: stable is replicaset/{}", reason, n.name); });
    }
    a.stable_rs = n.hash;
    ScaleDownWorkloadOnSuccess(s);
  } else if (aborted) {
    if (steps > 0) index = a.stable_rs == n.hash ? steps : 0;
  } else if (CompletedCanaryStep(s)) {
    TellStep(s.d, /*advancing=*/true);  // (a step that started in this sync)
    const int32_t done = index.value_or(0);
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                  [&] { return fmt::format("step {}/{} completed", done + 1, steps); });
    index = done + 1;
    s.remove_pause = true;
  }
  a.current_step = index;
  a.current_pod_hash = n.hash;
  a.status_steps = a.canary->steps;
  ApplyPauseStatus(s, "CanaryPauseStep");
  s.dep->observed_generation = s.dep->generation;
  UpdatePhase(s.d, &s);
}

bool RolloutController::CompletedCanaryStep(const SyncState& s) const {
  // completedCurrentCanaryStep: a pause when over, a setWeight when the
  // counts are there, an analysis when its run is Successful; experiment
  // steps are not simulated (a load warning says so): done at once.
  if (s.dep->spec.paused) return false;
  const k8s::CanaryStep* step = CurrentStep(*s.a);
  if (step == nullptr) return false;
  if (step->pause_set) return CompletedCanaryPause(s);
  if (step->set_weight_set || step->set_canary_scale_set) {
    return AtDesiredCanaryCounts(s, Weights::kCurrent);
  }
  if (step->analysis_set) {
    const uint32_t run = s.a->step_run;
    return run != kNone && store_.analysis_runs[run].phase == AnalysisRun::Phase::kSuccessful;
  }
  return true;
}

void RolloutController::SyncCanary(SyncState& s) {
  // rolloutCanary (canary.go).
  ArgoRollout& a = *s.a;
  const ReplicaSet& n = s.New(store_);
  const bool steps_changed = !a.steps_recorded || a.status_steps != a.canary->steps;
  if (steps_changed || (!a.current_pod_hash.empty() && a.current_pod_hash != n.hash)) {
    // PodTemplateOrStepsChanged: the status is reset (resetRolloutStatus:
    // back to step 0, or past the last one when back on the stable
    // ReplicaSet) and persisted; the next sync goes on.
    ResetStatus(a);
    ++a.steps_version;
    const auto steps = static_cast<int32_t>(a.canary->steps.size());
    a.current_step = steps > 0 ? std::optional<int32_t>(0) : std::nullopt;
    if (steps > 0 && !a.current_pod_hash.empty() && a.stable_rs == n.hash) a.current_step = steps;
    a.current_pod_hash = n.hash;
    a.status_steps = a.canary->steps;
    a.steps_recorded = true;
    s.dep->observed_generation = s.dep->generation;
    UpdatePhase(s.d, &s);
    Enqueue(s.d);
    return;
  }
  // The pod restarter; a sync that restarted pods ends there ("we can no
  // longer trust the current availability counts").
  if (RestartPods(s) != 0) return;
  deployments_.CleanupDeployment(s.d, s.others);
  // reconcileStableAndCanaryService: an aborted basic canary sends its
  // canary Service back to the stable pods (with trafficRouting,
  // reconcileTrafficRouting does, when the weight allows); a return to an
  // undersized stable ReplicaSet leaves it on the previous canary.
  if (a.weights_set) s.start_weights = TrafficWeights{a.canary_weight, 100 - a.canary_weight};
  EnsureServiceTarget(s, a.stable_service, s.stable);
  if (!a.canary->traffic_routing) {
    EnsureServiceTarget(s, a.canary_service, s.Aborted() ? s.stable : s.new_rs);
  } else if (!s.Aborted() && !RollingBackToStable(s)) {
    EnsureServiceTarget(s, a.canary_service, s.new_rs);
  }
  const auto before = PersistedStatus(a);
  if (a.canary->traffic_routing) ReconcileTrafficRouting(s);
  // (reconcileAnalysisRuns: an inconclusive run's pause returns before
  // any scaling.)
  const bool analysis_paused = ReconcileCanaryAnalysis(s);
  CancelOtherRuns(s.d);
  if (!analysis_paused && !ReconcileCanaryReplicaSets(s)) ReconcileCanaryPause(s);
  SyncCanaryStatus(s);
  if (before != PersistedStatus(a)) Enqueue(s.d);
}

// --- analysis (rollout/analysis.go) ------------------------------------------

bool RolloutController::NeedsNewRun(const ArgoRollout& a, uint32_t run) const {
  // needsNewAnalysisRun: none yet; or, once the user resumed a rollout an
  // inconclusive run paused (controllerPause without a pause condition),
  // a new one. (An aborted rollout cancels its runs first.)
  if (run == kNone) return true;
  if (a.controller_pause && !a.pause_start) {
    return store_.analysis_runs[run].phase == AnalysisRun::Phase::kInconclusive;
  }
  // Aborted since the run was made (status.abortedAt, cleared by the sync
  // after a retry): a new one.
  return a.aborted_at.has_value();
}

uint32_t RolloutController::CreateRun(SyncState& s, AnalysisRun::Type type, int32_t step,
                                      const k8s::RolloutAnalysis& analysis) {
  std::string error;
  const uint32_t run = analysis_.Create(s.d, type, step, analysis, s.new_rs, s.stable, &error);
  if (run == kNone) {
    // (A template deleted since the sync checked it: the reconcile errors
    // and is retried.)
    ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                  [&] { return "cannot create the AnalysisRun: " + error; });
    RequeueAt(s.d, ctx_.Now() + SimDuration::Seconds(20));
  }
  return run;
}

void RolloutController::CancelRun(uint32_t* run) {
  if (*run != kNone) analysis_.Cancel(*run);
  *run = kNone;
}

void RolloutController::AddAbort(SyncState& s, const std::string& message) {
  // pauseContext.AddAbort: the rest of this sync runs aborted.
  ArgoRollout& a = *s.a;
  if (a.abort) return;
  a.abort = true;
  a.abort_message = message;
  a.aborted_revision = s.New(store_).view.revision;
  if (!a.aborted_at) a.aborted_at = ctx_.Now();
  ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); }, [&] { return "aborted: " + message; });
  ctx_.MarkChanged();
}

void RolloutController::ActOnRun(SyncState& s, uint32_t run, std::string_view what) {
  if (run == kNone) return;
  const AnalysisRun& r = store_.analysis_runs[run];
  if (r.phase == AnalysisRun::Phase::kInconclusive) {
    s.add_pause = true;
    s.pause_reason = kInconclusive;
  } else if (r.phase == AnalysisRun::Phase::kFailed || r.phase == AnalysisRun::Phase::kError) {
    AddAbort(s, fmt::format("{} analysis phase error/failed{}", what,
                            r.message.empty() ? "" : ": " + r.message));
  }
}

void RolloutController::CancelOtherRuns(uint32_t d) {
  // reconcileAnalysisRuns' otherArs: a run of this Rollout that none of its
  // four statuses names any more is cancelled.
  const ArgoRollout& a = *store_.deployments[d].argo;
  for (uint32_t i = 0; i < store_.analysis_runs.size(); ++i) {
    const AnalysisRun& r = store_.analysis_runs[i];
    if (r.rollout != d || r.Completed() || r.terminate) continue;
    if (i == a.step_run || i == a.background_run || i == a.pre_run || i == a.post_run) continue;
    analysis_.Cancel(i);
  }
}

bool RolloutController::ReconcileCanaryAnalysis(SyncState& s) {
  ArgoRollout& a = *s.a;
  const std::string& hash = s.New(store_).hash;
  // shouldCancelCurrentAnalysis: fully promoted, aborted, promoted in
  // full, the initial deploy (no stable yet).
  if (a.stable_rs == hash || s.Aborted() || a.promote_full || a.stable_rs.empty()) {
    CancelRun(&a.step_run);
    CancelRun(&a.background_run);
    return false;
  }
  // reconcileStepBasedAnalysisRun: kept as it is while paused or aborted.
  if (!a.pause_start && !a.abort) {
    const k8s::CanaryStep* step = CurrentStep(a);
    const bool from_previous_step = step != nullptr && step->analysis_set && a.step_run != kNone &&
                                    store_.analysis_runs[a.step_run].step != a.current_step;
    if (step == nullptr || !step->analysis_set || step->analysis.templates.empty() ||
        !a.current_step || from_previous_step) {
      CancelRun(&a.step_run);
    } else if (NeedsNewRun(a, a.step_run)) {
      CancelRun(&a.step_run);
      a.step_run = CreateRun(s, AnalysisRun::Type::kStep, *a.current_step, step->analysis);
    } else {
      ActOnRun(s, a.step_run, "Step-based");
    }
  }
  // reconcileBackgroundAnalysisRun: from its startingStep, until promoted.
  const auto& background = a.canary->analysis;
  const bool before_start = background && background->starting_step &&
                            a.current_step.value_or(0) < *background->starting_step;
  if (!background || background->templates.empty() || before_start || a.current_pod_hash.empty()) {
    CancelRun(&a.background_run);
  } else if (a.pause_reason == kInconclusive && a.pause_start) {
    // Paused for an inconclusive run: as it is.
  } else if (NeedsNewRun(a, a.background_run)) {
    CancelRun(&a.background_run);
    a.background_run = CreateRun(s, AnalysisRun::Type::kBackground, -1, *background);
  } else {
    ActOnRun(s, a.background_run, "Background");
  }
  return s.add_pause;
}

bool RolloutController::CompletedPrePromotion(const SyncState& s) const {
  // completedPrePromotionAnalysis (pause.go), on the runs the sync found.
  const ArgoRollout& a = *s.a;
  return !a.blue_green->pre_promotion_analysis ||
         (a.pre_run != kNone &&
          store_.analysis_runs[a.pre_run].phase == AnalysisRun::Phase::kSuccessful);
}

bool RolloutController::SkipPrePromotion(const SyncState& s, uint32_t run) const {
  // skipPrePromotionAnalysisRun (rollout/analysis.go): promoted, the first
  // deploy, or already active; once started, never skipped; else not
  // before the new ReplicaSet is saturated (previewReplicaCount: at it).
  const ArgoRollout& a = *s.a;
  const ReplicaSet& n = s.New(store_);
  if (a.stable_rs == n.hash || a.active_selector.empty() || a.active_selector == n.hash) {
    return true;
  }
  if (run != kNone) return false;
  if (const auto& count = a.blue_green->preview_replica_count) {
    return n.view.replicas != *count || n.view.available_replicas != *count;
  }
  return !Saturated(s);
}

bool RolloutController::SkipPostPromotion(const SyncState& s, uint32_t run) const {
  // skipPostPromotionAnalysisRun: promoted, or the active Service not yet
  // switched; once started, never skipped; else not before saturated.
  const ArgoRollout& a = *s.a;
  const ReplicaSet& n = s.New(store_);
  if (a.stable_rs == n.hash || a.active_selector != n.hash) return true;
  if (run != kNone) return false;
  return !Saturated(s);
}

void RolloutController::ReconcileBlueGreenAnalysis(SyncState& s) {
  // reconcileAnalysisRuns (rollout/analysis.go), blueGreen: the pre- and
  // post-promotion runs, kept (cancelled) once the Rollout is promoted.
  ArgoRollout& a = *s.a;
  const auto& bg = *a.blue_green;
  const auto cancel = [&](uint32_t run) {
    if (run != kNone) analysis_.Cancel(run);
  };
  if (a.stable_rs == s.New(store_).hash || s.Aborted() || a.promote_full || a.stable_rs.empty() ||
      FastRollback(s)) {
    cancel(a.pre_run);
    cancel(a.post_run);
    return;
  }
  const bool inconclusive_pause = a.pause_start && a.pause_reason == kInconclusive;
  for (auto [run, spec, skip, type, what] :
       {std::tuple{&a.pre_run, &bg.pre_promotion_analysis, SkipPrePromotion(s, a.pre_run),
                   AnalysisRun::Type::kPrePromotion, "Blue/green pre-promotion"},
        std::tuple{&a.post_run, &bg.post_promotion_analysis, SkipPostPromotion(s, a.post_run),
                   AnalysisRun::Type::kPostPromotion, "Blue/green post-promotion"}}) {
    if (!*spec || (*spec)->templates.empty()) {
      CancelRun(run);
      continue;
    }
    if (skip) {
      cancel(*run);
    } else if (inconclusive_pause) {
      // As it is, until the user resumes.
    } else if (NeedsNewRun(a, *run)) {
      cancel(*run);
      *run = CreateRun(s, type, -1, **spec);
    }
    // setPauseOrAbortForBlueGreen: whatever the run is now.
    ActOnRun(s, *run, what);
  }
}

void RolloutController::TellStep(uint32_t d, bool advancing) {
  // The canary step now running, as observers see steps
  // (docs/metrics.md, rollouts[].steps): the current index while an update
  // is in progress — not aborted, not yet promoted. What a step is (its
  // kind, weight, ReplicaSets, run) is taken when it starts and kept: the
  // spec may have changed by the time it ends. `advancing`: called as the
  // sync moves past the current step, so a step that starts and ends in
  // one sync is told too.
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  if (!a.canary || dep.rollouts.empty()) return;
  const Rollout& ro = dep.rollouts.back();
  const auto steps = static_cast<int32_t>(a.canary->steps.size());
  std::optional<int32_t> now;
  if (!a.abort && !ro.superseded && a.current_step && *a.current_step < steps &&
      !a.current_pod_hash.empty() && a.stable_rs != a.current_pod_hash) {
    now = a.current_step;
  }
  const bool same_rollout = a.told_rollout.start == ro.info.start;
  const bool same_steps = a.told_steps_version == a.steps_version;
  ArgoRollout::ToldStep& told = a.told;
  // The step's run, once it has one.
  if (a.told_step && a.step_run != kNone && store_.analysis_runs[a.step_run].step == *a.told_step &&
      same_rollout && same_steps) {
    told.run = a.step_run;
  }
  if (a.told_step && now == a.told_step && same_rollout && same_steps) return;
  const auto replicas = [&](uint32_t rs) {
    return rs == kNone || store_.replica_sets[rs].deleted ? 0
                                                          : store_.replica_sets[rs].view.replicas;
  };
  if (a.told_step) {
    RolloutStepInfo end;
    end.rollout = a.told_rollout;
    end.index = *a.told_step;
    end.kind = told.kind;
    end.ended = true;
    end.result = !same_rollout || !same_steps ? "superseded"
                 : a.abort                    ? "aborted"
                 : a.promote_full || (a.stable_rs == a.current_pod_hash && !advancing) ? "promoted"
                 : a.step_skipped                                                      ? "skipped"
                                  : "completed";
    // The weight then: the router's, else the step's setWeight; 0 once
    // aborted (with dynamicStableScale the router's: it steps down later).
    const bool dynamic = a.canary->traffic_routing && a.canary->dynamic_stable_scale;
    end.weight = a.abort && !dynamic         ? 0
                 : a.canary->traffic_routing ? a.canary_weight
                                             : told.weight;
    end.canary_replicas = replicas(told.canary_rs);
    end.stable_replicas = replicas(told.stable_rs);
    if (told.run != kNone) end.analysis = AnalysisPhaseName(store_.analysis_runs[told.run].phase);
    for (Observer* o : ctx_.observers()) o->OnRolloutStep(ctx_.Now(), end);
  }
  a.step_skipped = false;
  a.told_step = now;
  a.told_rollout = ro.info;
  a.told_steps_version = a.steps_version;
  told = ArgoRollout::ToldStep{};
  ctx_.MarkChanged();  // (the timeline's step/ and weight/ columns)
  if (!now) return;
  const k8s::CanaryStep& step = a.canary->steps[static_cast<size_t>(*now)];
  told.kind = step.set_weight_set         ? "setWeight"
              : step.pause_set            ? "pause"
              : step.analysis_set         ? "analysis"
              : step.set_canary_scale_set ? "setCanaryScale"
              : step.experiment           ? "experiment"
              : step.set_header_route     ? "setHeaderRoute"
              : step.set_mirror_route     ? "setMirrorRoute"
                                          : "plugin";
  told.weight = LastSetWeight(a, *now);
  for (uint32_t rs : dep.replica_sets) {
    const ReplicaSet& r = store_.replica_sets[rs];
    if (r.deleted) continue;
    if (r.hash == a.current_pod_hash) told.canary_rs = rs;
    if (r.hash == a.stable_rs && a.stable_rs != a.current_pod_hash) told.stable_rs = rs;
  }
  RolloutStepInfo start;
  start.rollout = ro.info;
  start.index = *now;
  start.kind = told.kind;
  start.weight = a.canary->traffic_routing ? a.canary_weight : told.weight;
  start.canary_replicas = replicas(told.canary_rs);
  start.stable_replicas = replicas(told.stable_rs);
  for (Observer* o : ctx_.observers()) o->OnRolloutStep(ctx_.Now(), start);
}

void RolloutController::ResolveServices(uint32_t d) {
  // The Services the Rollout names, by name in its namespace, as they are
  // now (kNone: none, or not created, or deleted).
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  const auto find = [&](const std::string& name) {
    if (name.empty()) return kNone;
    const uint32_t id = store_.FindService(dep.namespace_name, name);
    return id != kNone && store_.services[id].exists ? id : kNone;
  };
  a.active_service = a.blue_green ? find(a.blue_green->active_service) : kNone;
  a.preview_service = a.blue_green ? find(a.blue_green->preview_service) : kNone;
  a.stable_service = a.canary ? find(a.canary->stable_service) : kNone;
  a.canary_service = a.canary ? find(a.canary->canary_service) : kNone;
}

bool RolloutController::CheckServices(uint32_t d) {
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  ResolveServices(d);
  std::string invalid;
  const std::string none;
  if (a.workload_ref) {
    // newRolloutContext's refResolver.Resolve: the referenced Deployment
    // must exist (its template is the Rollout's); else InvalidSpec, with
    // the lister's NotFound.
    // (The lister is keyed "namespace/name", and its NotFound names the key.)
    const uint32_t w = store_.FindDeployment(dep.namespace_name, a.workload_ref->name);
    if (a.workload_ref->api_version != "apps/v1") {
      // getInformer: discovery serves apps/v1 only.
      invalid = fmt::format(
          "The Rollout \"{}\" is invalid: the server could not find the requested resource, "
          "GroupVersion \"{}\" not found",
          dep.name, a.workload_ref->api_version);
    } else if (w == kNone || store_.deployments[w].deleted || !a.workload_resolved) {
      invalid = fmt::format("The Rollout \"{}\" is invalid: deployments.apps \"{}/{}\" not found",
                            dep.name, dep.namespace_name, a.workload_ref->name);
    }
  }
  const auto& bg = a.blue_green;
  const auto& c = a.canary;
  for (const auto& [svc, name, field] :
       {std::tuple{a.active_service, bg ? &bg->active_service : &none, "blueGreen.activeService"},
        std::tuple{a.preview_service, bg ? &bg->preview_service : &none,
                   "blueGreen.previewService"},
        std::tuple{a.stable_service, c ? &c->stable_service : &none, "canary.stableService"},
        std::tuple{a.canary_service, c ? &c->canary_service : &none, "canary.canaryService"}}) {
    if (!invalid.empty()) break;
    if (name->empty() || svc != kNone) continue;
    invalid = fmt::format(
        "The Rollout \"{}\" is invalid: spec.strategy.{}: Invalid value: \"{}\": services \"{}\" "
        "not found",
        dep.name, field, *name, *name);
    break;
  }
  // getReferencedRolloutAnalyses (controller.go): every analysis's
  // AnalysisTemplates must exist — each step's, then the background's, or
  // blue-green's pre- and post-promotion — before anything else happens.
  if (invalid.empty()) {
    for (const auto& [field, analysis] : k8s::RolloutAnalyses(bg, c)) {
      for (const auto& ref : analysis->templates) {
        k8s::RolloutAnalysis one;
        one.templates = {ref};
        if (analysis_.MissingTemplate(dep.namespace_name, one).empty()) continue;
        invalid = fmt::format(
            "The Rollout \"{}\" is invalid: spec.strategy.{}.templates: Invalid value: \"{}\": "
            "{} '{}' not found",
            dep.name, field, ref.name,
            ref.cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate", ref.name);
        break;
      }
      if (!invalid.empty()) break;
    }
  }
  if (invalid.empty()) {
    a.invalid.clear();
    return true;
  }
  if (invalid != a.invalid) {
    ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                  [&] { return "Degraded - InvalidSpec: " + invalid; });
    ctx_.MarkChanged();
  }
  a.invalid = std::move(invalid);
  if (!dep.rollouts.empty()) dep.rollouts.back().aborted = true;  // it waits for the Service
  dep.observed_generation = dep.generation;  // createInvalidRolloutCondition's patch
  RequeueAt(d, ctx_.Now() + SimDuration::Seconds(20));
  return false;
}

const k8s::CanaryStep* RolloutController::SetCanaryScale(const SyncState& s) const {
  // UseSetCanaryScale: the last setCanaryScale at or before the current
  // step (none after matchTrafficWeight); not once aborted unless the
  // canary stays up (abortScaleDownDelaySeconds: 0). trafficRouting only.
  const ArgoRollout& a = *s.a;
  if (!a.canary->traffic_routing) return nullptr;
  if (s.Aborted() && AbortDelaySeconds(s) != 0) return nullptr;
  if (CurrentStep(a) == nullptr) return nullptr;
  for (int32_t i = a.current_step.value_or(0); i >= 0; --i) {
    const k8s::CanaryStep& step = a.canary->steps[static_cast<size_t>(i)];
    if (!step.set_canary_scale_set) continue;
    return step.scale_match_traffic_weight ? nullptr : &step;
  }
  return nullptr;
}

std::pair<int32_t, int32_t> RolloutController::CanaryCounts(const SyncState& s, Weights w) const {
  return s.a->canary->traffic_routing ? TrafficRoutedCounts(s, w) : BasicCanaryCounts(s);
}

std::pair<int32_t, int32_t> TrafficRoutedCanaryReplicaCounts(
    int32_t replicas, int32_t weight, std::optional<int32_t> scale_replicas, bool dynamic,
    bool aborted, const TrafficWeights* weights, std::optional<int32_t> min_pods_per_replica_set) {
  constexpr int64_t kMaxWeight = 100;
  // trafficWeightToReplicas: ceil(weight × replicas / maxWeight).
  const auto to_replicas = [&](int64_t w) {
    return static_cast<int32_t>((w * replicas + kMaxWeight - 1) / kMaxWeight);
  };
  // CheckMinPodsPerReplicaSet: a count above 0 is at least the minimum,
  // capped at the Rollout's replicas.
  const auto at_least_min = [&](int32_t count) {
    if (count == 0 || !min_pods_per_replica_set) return count;
    return std::max(count, std::min(*min_pods_per_replica_set, replicas));
  };
  int32_t canary = scale_replicas ? *scale_replicas : at_least_min(to_replicas(weight));
  if (!dynamic) return {canary, replicas};  // the stable stays at 100 %
  int32_t stable = to_replicas(kMaxWeight - weight);
  if (weights != nullptr) {
    // Going up, the stable keeps the pods for the traffic it still gets;
    // aborting, the canary too.
    stable = std::max(stable, to_replicas(weights->stable));
    if (aborted) canary = std::max(canary, to_replicas(weights->canary));
  }
  return {at_least_min(canary), at_least_min(stable)};
}

int32_t DynamicAbortCanaryWeight(const std::vector<k8s::CanaryStep>& steps, int32_t replicas,
                                 int32_t stable_available, int32_t canary_available,
                                 bool explicit_abort_delay) {
  constexpr int64_t kMaxWeight = 100;
  const int32_t expected = replicas - stable_available;
  // An explicit abortScaleDownDelaySeconds holds the canary at full size
  // until its deadline: its size must not hold the weight up.
  const int32_t canary = explicit_abort_delay ? expected : std::max(expected, canary_available);
  for (auto step = steps.rbegin(); step != steps.rend(); ++step) {
    if (!step->set_weight_set) continue;
    const auto step_replicas =
        static_cast<int32_t>((int64_t{step->set_weight} * replicas + kMaxWeight - 1) / kMaxWeight);
    if (step_replicas < canary) return step->set_weight;
  }
  return 0;
}

int32_t WeightOnAbortOrStableRollback(int32_t replicas, int32_t desired, int32_t stable_available,
                                      const TrafficWeights* weights) {
  constexpr int32_t kMaxWeight = 100;
  if (replicas == 0) return 0;
  // The canary's share that the stable's available pods leave over.
  const int32_t stable_share = kMaxWeight * stable_available / replicas;
  const int32_t expected = std::max(0, kMaxWeight - stable_share);
  if (weights == nullptr) return std::max(expected, desired);
  const int32_t current = weights->canary;
  // Never up again, even when a stable pod restarts.
  if (desired <= 0) return std::min(expected, current);
  // The stable is still scaling up: the weight holds.
  if (stable_share < kMaxWeight - desired) return current;
  return std::min(desired, current);
}

bool RolloutController::RollingBackToStable(const SyncState& s) const {
  // IsDynamicallyRollingBackToStable: an update interrupted by a return to
  // the stable ReplicaSet, with dynamicStableScale, while the stable one is
  // not back at full size — the router still sends the previous canary its
  // share.
  const ArgoRollout& a = *s.a;
  if (!a.canary->traffic_routing || !a.canary->dynamic_stable_scale) return false;
  if (a.stable_rs.empty() || a.stable_rs != a.current_pod_hash || !a.weights_set) return false;
  const ReplicaSet& n = store_.replica_sets[s.new_rs];
  if (a.weight_canary_hash == n.hash) return false;
  return n.view.available_replicas < s.dep->spec.replicas;
}

int32_t RolloutController::AbortOrRollbackWeight(const SyncState& s) const {
  // calculateDesiredWeightOnAbortOrStableRollback: 0 at once without
  // dynamicStableScale.
  const ArgoRollout& a = *s.a;
  if (!a.canary->dynamic_stable_scale || s.stable == kNone || s.dep->spec.replicas == 0) return 0;
  const TrafficWeights* weights = s.start_weights ? &*s.start_weights : nullptr;
  return WeightOnAbortOrStableRollback(s.dep->spec.replicas, DesiredCanaryWeight(s),
                                       store_.replica_sets[s.stable].view.available_replicas,
                                       weights);
}

std::pair<int32_t, int32_t> RolloutController::TrafficRoutedCounts(const SyncState& s,
                                                                   Weights w) const {
  const ArgoRollout& a = *s.a;
  const bool full = a.promote_full || a.stable_rs.empty() || a.current_pod_hash == a.stable_rs;
  const k8s::CanaryStep* scale = full ? nullptr : SetCanaryScale(s);
  std::optional<int32_t> scale_replicas;
  if (scale != nullptr && scale->scale_replicas) scale_replicas = *scale->scale_replicas;
  // GetCanaryReplicasOrWeight: a setCanaryScale's replicas come with weight 0.
  const int32_t weight = scale_replicas ? 0 : DesiredWeight(s);
  std::optional<TrafficWeights> current;
  if (a.weights_set) current = TrafficWeights{a.canary_weight, 100 - a.canary_weight};
  const std::optional<TrafficWeights>& weights = w == Weights::kStart     ? s.start_weights
                                                 : w == Weights::kCurrent ? current
                                                                          : std::nullopt;
  return TrafficRoutedCanaryReplicaCounts(
      s.dep->spec.replicas, weight, scale_replicas, a.canary->dynamic_stable_scale, s.Aborted(),
      weights ? &*weights : nullptr, a.canary->min_pods_per_replica_set);
}

void RolloutController::ReconcileTrafficRouting(SyncState& s) {
  // reconcileTrafficRouting (trafficrouting.go), any router: the canary's
  // weight, then the router set to it. kubesim's router is an exact split of
  // the stable Service's requests (Service::split_weight), which clients
  // follow endpointDelay later.
  ArgoRollout& a = *s.a;
  constexpr int32_t kMaxWeight = 100;
  const ReplicaSet& n = s.New(store_);
  const auto steps = static_cast<int32_t>(a.canary->steps.size());
  const bool dynamic = a.canary->dynamic_stable_scale;
  const int32_t replicas = s.dep->spec.replicas;
  std::string canary_hash = n.hash;
  int32_t weight = 0;
  if (RollingBackToStable(s)) {
    // Back to the stable ReplicaSet before it is at full size: the previous
    // canary keeps its share until the stable can take it (argo-rollouts
    // #3020).
    weight = AbortOrRollbackWeight(s);
    canary_hash = a.weight_canary_hash;
  } else if (!a.stable_rs.empty() && a.stable_rs == a.current_pod_hash) {
    weight = 0;  // fully promoted
  } else if (s.Aborted()) {
    weight = AbortOrRollbackWeight(s);
    // The canary Service goes back to the stable pods, with
    // dynamicStableScale only once no traffic is left on the canary.
    if (!dynamic || weight == 0) {
      EnsureServiceTarget(s, a.canary_service, s.stable, /*check=*/false);
    } else {
      EnsureServiceTarget(s, a.canary_service, s.new_rs);
    }
  } else if (n.view.available_replicas == 0) {
    weight = 0;
  } else if (a.promote_full) {
    // Full promotion: with dynamicStableScale the canary's available share,
    // else the weight the router has.
    if (dynamic) {
      weight = replicas > 0
                   ? std::min(kMaxWeight, kMaxWeight * n.view.available_replicas / replicas)
                   : kMaxWeight;
    } else {
      weight = a.weights_set ? a.canary_weight : 0;
    }
  } else if (steps > 0) {
    const int32_t index = a.current_step.value_or(0);
    if (!AtDesiredCanaryCounts(s, Weights::kNone)) {
      // The new pods are not there yet: the previous setWeight holds.
      weight = LastSetWeight(a, index - 1);
    } else if (index != steps) {
      weight = DesiredWeight(s);  // GetCurrentSetWeight
      if (const k8s::CanaryStep* scale = SetCanaryScale(s);
          scale != nullptr && scale->scale_weight && !scale->scale_replicas) {
        // (the router's weight is the setWeight's, not setCanaryScale's)
        weight = LastSetWeight(a, index);
      }
    } else {
      weight = kMaxWeight;
    }
  }
  // checkReplicasAvailable: not before the stable ReplicaSet can take the rest.
  if (s.stable == kNone) return;
  const int32_t stable_needed = (kMaxWeight - weight) * replicas / kMaxWeight;
  if (store_.replica_sets[s.stable].view.available_replicas < stable_needed) return;
  // calculateWeightStatus: the hashes follow the ReplicaSets whatever the weight.
  a.weight_canary_hash = canary_hash;
  a.weight_stable_hash = store_.replica_sets[s.stable].hash;
  if (a.weights_set && a.canary_weight == weight) return;
  ctx_.EmitLazy([&] { return WorkloadLabel(*s.dep); },
                [&] { return fmt::format("traffic weight {}% to the canary", weight); });
  a.canary_weight = weight;
  a.weights_set = true;
  // The router's configuration reaches the clients endpointDelay later,
  // never before an earlier one.
  SetRouterWeight(store_, ctx_, a.stable_service, a.canary_service, weight);
}

void RolloutController::Promote(uint32_t d, bool full) {
  // promote.go getPatches: full — status.promoteFull (when not yet stable);
  // else the pause conditions cleared (controllerPause stays: the user
  // resumed), or, for a canary not paused, its current step skipped.
  ArgoRollout& a = *store_.deployments[d].argo;
  if (full) {
    if (a.current_pod_hash != a.stable_rs) a.promote_full = true;
  } else if (a.canary && a.pause_start && a.controller_pause && a.step_run != kNone &&
             store_.analysis_runs[a.step_run].phase == AnalysisRun::Phase::kInconclusive) {
    // isInconclusive: the pause, controllerPause and the step all go — on
    // to the next step.
    a.pause_start.reset();
    a.controller_pause = false;
    const auto steps = static_cast<int32_t>(a.canary->steps.size());
    a.current_step = std::min(a.current_step.value_or(0) + 1, steps);
    a.step_skipped = true;
  } else if (a.pause_start) {
    a.pause_start.reset();
  } else if (a.canary && !a.canary->steps.empty()) {
    const auto steps = static_cast<int32_t>(a.canary->steps.size());
    a.current_step = std::min(a.current_step.value_or(0) + 1, steps);
    a.step_skipped = true;
  }
  ctx_.MarkChanged();
  Enqueue(d);
}

void RolloutController::Abort(uint32_t d) {
  // abort.go: status.abort. The update in flight does not complete while
  // it holds (Rollout::aborted, kept by UpdatePhase).
  Deployment& dep = store_.deployments[d];
  ArgoRollout& a = *dep.argo;
  a.abort = true;
  if (!a.aborted_at) a.aborted_at = ctx_.Now();
  for (uint32_t rs : dep.replica_sets) {
    if (store_.replica_sets[rs].hash == a.current_pod_hash) {
      a.aborted_revision = store_.replica_sets[rs].view.revision;
    }
  }
  ctx_.MarkChanged();
  Enqueue(d);
}

void RolloutController::Deleted(uint32_t d) {
  // Its AnalysisRuns (owned by it) are garbage-collected.
  ArgoRollout& owned = *store_.deployments[d].argo;
  for (uint32_t* run : {&owned.step_run, &owned.background_run, &owned.pre_run, &owned.post_run}) {
    CancelRun(run);
  }
  ResolveServices(d);
  const ArgoRollout& a = *store_.deployments[d].argo;
  if (a.stable_service != kNone) {
    ClearSplit(store_.services[a.stable_service]);
    store_.MarkServiceChanged(a.stable_service);
  }
  for (uint32_t svc : {a.active_service, a.preview_service, a.stable_service, a.canary_service}) {
    if (svc == kNone || store_.services[svc].rollout_hash.empty()) continue;
    ctx_.EmitLazy([&] { return WorkloadLabel(store_.deployments[d]); },
                  [&] { return "released service/" + store_.services[svc].name; });
    api_.SwitchServiceSelector(svc, "");
  }
}

void RolloutController::Retry(uint32_t d) {
  // retry.go: status.abort false; the update goes on.
  store_.deployments[d].argo->abort = false;
  store_.deployments[d].argo->abort_message.clear();
  ctx_.MarkChanged();
  Enqueue(d);
}

}  // namespace kubesim::cluster
