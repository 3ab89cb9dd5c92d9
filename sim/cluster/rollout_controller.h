// The Argo Rollouts controller (argo-rollouts rollout/: controller.go,
// context.go, bluegreen.go, replicaset.go, service.go, sync.go, pause.go at
// 9f8d111) for blueGreen Rollouts: a work queue of Rollouts, each synced
// `controllerDelay` after it was queued, as the Deployment controller is.
// A sync creates the new ReplicaSet (at 0 replicas), points the preview
// Service at it, scales it, pauses or auto-promotes, switches the active
// Service's selector once it is saturated, promotes it to stable, and scales
// the old one down `scaleDownDelaySeconds` later (docs/progressive-delivery.md).
// The canary strategy without trafficRouting follows rollout/canary.go: the
// steps (setWeight as a share of replicas, pause), the stable and canary
// Services, promotion after the last step.
// kubectl argo rollouts promote / abort / retry change its status here.
#ifndef KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "analysis_controller.h"
#include "api.h"
#include "context.h"
#include "deployment_controller.h"
#include "store.h"

namespace kubesim::cluster {

// The phase and message `kubectl argo rollouts status` prints for an Argo
// Rollout (GetRolloutPhase): "Healthy", "Paused - BlueGreenPause", ...
std::pair<ArgoRollout::Phase, std::string> RolloutStatusPhase(const Deployment& d);
std::string_view RolloutPhaseName(ArgoRollout::Phase phase);

// approximateWeightedCanaryStableReplicaCounts (argo-rollouts
// utils/replicaset/canary.go): the (canary, stable) counts whose share of
// the pods is nearest `weight` of `max_weight`, of `replicas` pods or, with
// surge, replicas + 1; the first of equally near options wins.
std::pair<int32_t, int32_t> ApproximateWeightedCanaryStableCounts(int32_t replicas, int32_t weight,
                                                                  int32_t max_weight,
                                                                  int32_t max_surge);
// CalculateReplicaCountsForBasicCanary: the (new, stable) spec.replicas a
// basic canary at `weight` (of 100) moves to from the new ReplicaSet `nv`,
// the stable one `sv` (null: none, or it is the new one) and `others`
// replicas of older ones — as far as maxSurge and maxUnavailable allow.
std::pair<int32_t, int32_t> BasicCanaryReplicaCounts(int32_t replicas, int32_t weight,
                                                     const Fenceposts& f, const ReplicaSetView& nv,
                                                     const ReplicaSetView* sv, int32_t others);

// status.canary.weights (TrafficWeights): the shares of the traffic the
// router was last set to; the stable's is the rest (no experiments).
struct TrafficWeights {
  int32_t canary = 0;
  int32_t stable = 0;
};

// CalculateReplicaCountsForTrafficRoutedCanary (utils/replicaset/canary.go):
// the (canary, stable) spec.replicas of a canary with trafficRouting at
// `weight` of 100, or at `scale_replicas` (a setCanaryScale's replicas,
// weight 0). The canary's count is ceil(weight × replicas / 100), at least
// minPodsPerReplicaSet. Without dynamicStableScale the stable ReplicaSet
// stays at `replicas`; with it, it follows the higher of the desired and
// the routed (`weights`: null when none was set) stable share, and, aborted,
// the canary the higher of the desired and the routed canary share.
std::pair<int32_t, int32_t> TrafficRoutedCanaryReplicaCounts(
    int32_t replicas, int32_t weight, std::optional<int32_t> scale_replicas, bool dynamic,
    bool aborted, const TrafficWeights* weights, std::optional<int32_t> min_pods_per_replica_set);

// GetDesiredCanaryWeight's abort branch with dynamicStableScale: the weight
// of the first setWeight step, last to first, whose pods are fewer than the
// canary's — max(replicas - stable available, canary available), or only
// the former with an explicit abortScaleDownDelaySeconds — else 0. The
// canary steps down as the stable scales back up.
int32_t DynamicAbortCanaryWeight(const std::vector<k8s::CanaryStep>& steps, int32_t replicas,
                                 int32_t stable_available, int32_t canary_available,
                                 bool explicit_abort_delay);

// calculateDesiredWeightOnAbortOrStableRollback (rollout/trafficrouting.go),
// with dynamicStableScale: the canary's weight while an abort (or an undo
// to the stable ReplicaSet) moves the traffic back — never up, and not
// below `desired` before the stable's available pods could take the rest.
int32_t WeightOnAbortOrStableRollback(int32_t replicas, int32_t desired, int32_t stable_available,
                                      const TrafficWeights* weights);

class RolloutController {
 public:
  RolloutController(Store& store, Context& ctx, Api& api, DeploymentController& deployments);

  void Enqueue(uint32_t d);
  void Sync(uint32_t d);   // kSyncRollout
  void Timer(uint32_t d);  // kRolloutTimer: a timed requeue is due
  // kRolloutResync: the informer's resync (DefaultRolloutResyncPeriod,
  // 15 min from the controller's start) syncs every Rollout.
  void Resync();
  static constexpr SimDuration kResyncPeriod = SimDuration::Seconds(15 * 60);

  // kubectl argo rollouts (pkg/kubectl-argo-rollouts/cmd): the status
  // patches promote [--full], abort and retry make. The Rollout exists.
  void Promote(uint32_t d, bool full);
  // kubectl argo rollouts restart [--in D]: spec.restartAt = `at`.
  void Restart(uint32_t d, SimTime at);
  void Abort(uint32_t d);
  void Retry(uint32_t d);
  // A Rollout deleted: the Services it managed drop the hash from their
  // selectors (service/service.go syncService).
  void Deleted(uint32_t d);
  AnalysisController& analysis() { return analysis_; }

 private:
  struct SyncState;  // one sync's view: the new, stable and other ReplicaSets
  bool CheckServices(uint32_t d);  // false: InvalidSpec (a Service missing)
  void ResolveServices(uint32_t d);
  void ResetStatus(ArgoRollout& a);
  // RolloutPodRestarter.Reconcile (rollout/restart.go): the pods evicted
  // this sync; -1 when an eviction failed (the sync ends).
  int32_t RestartPods(SyncState& s);
  int32_t NewReplicas(const SyncState& s) const;  // NewRSNewReplicas
  bool ReadyForPause(const SyncState& s) const;
  bool Saturated(const SyncState& s) const;       // annotations.IsSaturated
  bool FastTracked(const SyncState& s) const;     // isBlueGreenFastTracked
  bool FastRollback(const SyncState& s) const;    // isFastRollback
  bool CompletedPause(const SyncState& s) const;  // CompletedBlueGreenPause
  bool DelayScaleDownOnAbort(const SyncState& s) const;
  bool Referenced(const SyncState& s, const ReplicaSet& rs) const;
  void Scale(SyncState& s, uint32_t rs, int32_t replicas);
  void ReconcileNewReplicaSet(SyncState& s);
  // workloadRef's scaleDown (onsuccess, progressively) of the Deployment.
  void ScaleWorkload(SyncState& s, int32_t replicas);
  void ScaleDownWorkloadOnSuccess(SyncState& s);
  void ScaleDownWorkloadProgressively(SyncState& s, int32_t old_scale, int32_t new_count);
  void SortNewestFirst(std::vector<uint32_t>& ids) const;
  void ScaleDownOld(SyncState& s);
  int32_t ScaleDownDelay(SyncState& s, ReplicaSet& rs, int32_t* annotated, int32_t hold);
  int32_t AbortDelaySeconds(const SyncState& s) const;
  // trafficRouting (rollout/trafficrouting.go): the weight the router gets,
  // and the replica counts (CalculateReplicaCountsForTrafficRoutedCanary).
  void ReconcileTrafficRouting(SyncState& s);
  const k8s::CanaryStep* SetCanaryScale(const SyncState& s) const;  // UseSetCanaryScale
  // Which status.canary.weights a count reads: none, the sync's start
  // (c.rollout.Status: the stable ReplicaSet's scale), or as this sync's
  // reconcileTrafficRouting left them (c.newStatus: the new one's, and the
  // step's completion).
  enum class Weights { kNone, kStart, kCurrent };
  std::pair<int32_t, int32_t> CanaryCounts(const SyncState& s,
                                           Weights w = Weights::kCurrent) const;  // (new, stable)
  std::pair<int32_t, int32_t> TrafficRoutedCounts(const SyncState& s, Weights w) const;
  // IsDynamicallyRollingBackToStable (utils/rollout/rolloututil.go).
  bool RollingBackToStable(const SyncState& s) const;
  int32_t AbortOrRollbackWeight(const SyncState& s) const;
  void ReconcilePause(SyncState& s);
  // reconcileAnalysisRuns (rollout/analysis.go) for a canary: the step's
  // and the background AnalysisRuns created, cancelled, or acted on (a
  // failed one aborts, an inconclusive one pauses). True when it paused.
  bool ReconcileCanaryAnalysis(SyncState& s);
  // A blue-green's pre- and post-promotion AnalysisRuns.
  void ReconcileBlueGreenAnalysis(SyncState& s);
  bool CompletedPrePromotion(const SyncState& s) const;  // completedPrePromotionAnalysis
  bool SkipPrePromotion(const SyncState& s, uint32_t run) const;
  bool SkipPostPromotion(const SyncState& s, uint32_t run) const;
  bool NeedsNewRun(const ArgoRollout& a, uint32_t run) const;  // needsNewAnalysisRun
  uint32_t CreateRun(SyncState& s, AnalysisRun::Type type, int32_t step,
                     const k8s::RolloutAnalysis& analysis);
  void CancelRun(uint32_t* run);
  void CancelOtherRuns(uint32_t d);
  // Observers' OnRolloutStep: a canary step that ended, and the one that started.
  void TellStep(uint32_t d, bool advancing);
  // An Inconclusive run pauses the Rollout; a Failed or Error one aborts it.
  void ActOnRun(SyncState& s, uint32_t run, std::string_view what);
  void AddAbort(SyncState& s, const std::string& message);
  void ReconcileActiveService(SyncState& s);
  void SyncStatus(SyncState& s);  // syncRolloutStatusBlueGreen
  void ApplyPauseStatus(SyncState& s, std::string_view reason);  // CalculatePauseStatus
  // The canary strategy without trafficRouting (canary.go).
  void SyncCanary(SyncState& s);
  Fenceposts CanaryFenceposts(const SyncState& s) const;
  int32_t DesiredWeight(const SyncState& s) const;        // GetCanaryReplicasOrWeight's
  int32_t DesiredCanaryWeight(const SyncState& s) const;  // GetDesiredCanaryWeight
  std::pair<int32_t, int32_t> BasicCanaryCounts(const SyncState& s) const;  // (new, stable)
  bool AtDesiredCanaryCounts(const SyncState& s, Weights w) const;
  int32_t ScaleDownOldForCanary(SyncState& s);
  bool ReconcileCanaryReplicaSets(SyncState& s);
  bool CompletedCanaryPause(const SyncState& s) const;
  bool ReconcileCanaryPause(SyncState& s);
  bool CompletedCanaryStep(const SyncState& s) const;
  void EnsureServiceTarget(SyncState& s, uint32_t service, uint32_t rs, bool check = true);
  void SyncCanaryStatus(SyncState& s);
  void UpdatePhase(uint32_t d, const SyncState* s);
  // The controller requeues itself at `t` (enqueueRolloutAfter); one timer
  // per Rollout, the earliest wanted. A wait (`wait`: a pause, an abort's
  // scale-down deadline) is requeued only when it ends before the next
  // resync would come (checkEnqueueRolloutDuringWait): a longer one ends at
  // a resync.
  void RequeueAt(uint32_t d, SimTime t, bool wait = false);
  std::string_view ServiceHash(uint32_t service) const;

  Store& store_;
  Context& ctx_;
  Api& api_;
  DeploymentController& deployments_;
  AnalysisController analysis_;
  bool resync_armed_ = false;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_
