// The Argo Rollouts controller (argo-rollouts rollout/: controller.go,
// context.go, bluegreen.go, replicaset.go, service.go, sync.go, pause.go at
// 9f8d111) for blueGreen Rollouts: a work queue of Rollouts, each synced
// `controllerDelay` after it was queued, as the Deployment controller is.
// A sync creates the new ReplicaSet (at 0 replicas), points the preview
// Service at it, scales it, pauses or auto-promotes, switches the active
// Service's selector once it is saturated, promotes it to stable, and scales
// the old one down `scaleDownDelaySeconds` later (docs/progressive-delivery.md).
// kubectl argo rollouts promote / abort / retry change its status here.
#ifndef KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api.h"
#include "context.h"
#include "deployment_controller.h"
#include "store.h"

namespace kubesim::cluster {

// The phase and message `kubectl argo rollouts status` prints for an Argo
// Rollout (GetRolloutPhase): "Healthy", "Paused - BlueGreenPause", ...
std::pair<ArgoRollout::Phase, std::string> RolloutStatusPhase(const Deployment& d);
std::string_view RolloutPhaseName(ArgoRollout::Phase phase);

class RolloutController {
 public:
  RolloutController(Store& store, Context& ctx, Api& api, DeploymentController& deployments);

  void Enqueue(uint32_t d);
  void Sync(uint32_t d);   // kSyncRollout
  void Timer(uint32_t d);  // kRolloutTimer: a timed requeue is due

  // kubectl argo rollouts (pkg/kubectl-argo-rollouts/cmd): the status
  // patches promote [--full], abort and retry make. The Rollout exists.
  void Promote(uint32_t d, bool full);
  void Abort(uint32_t d);
  void Retry(uint32_t d);

 private:
  struct SyncState;  // one sync's view: the new, stable and other ReplicaSets
  void ResetStatus(ArgoRollout& a);
  int32_t NewReplicas(const SyncState& s) const;  // NewRSNewReplicas
  bool ReadyForPause(const SyncState& s) const;
  bool Saturated(const SyncState& s) const;       // annotations.IsSaturated
  bool FastTracked(const SyncState& s) const;     // isBlueGreenFastTracked
  bool CompletedPause(const SyncState& s) const;  // CompletedBlueGreenPause
  bool DelayScaleDownOnAbort(const SyncState& s) const;
  bool Referenced(const SyncState& s, const ReplicaSet& rs) const;
  void Scale(SyncState& s, uint32_t rs, int32_t replicas);
  void ReconcileNewReplicaSet(SyncState& s);
  void ScaleDownOld(SyncState& s);
  void ReconcilePause(SyncState& s);
  void ReconcileActiveService(SyncState& s);
  void SyncStatus(SyncState& s);  // syncRolloutStatusBlueGreen
  void UpdatePhase(uint32_t d, const SyncState* s);
  // The controller requeues itself at `t` (enqueueRolloutAfter); one timer
  // per Rollout, the earliest wanted.
  void RequeueAt(uint32_t d, SimTime t);
  std::string_view ServiceHash(uint32_t service) const;

  Store& store_;
  Context& ctx_;
  Api& api_;
  DeploymentController& deployments_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_ROLLOUT_CONTROLLER_H_
