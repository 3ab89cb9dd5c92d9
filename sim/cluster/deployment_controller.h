// The Deployment controller (pkg/controller/deployment): a work queue of
// Deployments, each synced `controllerDelay` after it was queued — rolling,
// recreate or scale — and the tracking of each rollout to its end
// (docs/metrics.md). Reads and writes Deployments and ReplicaSets in the
// store; ReplicaSet scales go out through the Api.
#ifndef KUBESIM_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_

#include <cstdint>
#include <vector>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class DeploymentController {
 public:
  DeploymentController(Store& store, Context& ctx, Api& api);

  void Enqueue(uint32_t d);
  void Sync(uint32_t d);  // kSyncDeployment
  // The handler of pod changes (Api::PodUpdated).
  void PodUpdated(uint32_t pod);
  // At the end of an instant: the rollouts whose pods changed are checked
  // for completion; returns those Deployments (and Argo Rollouts), ascending.
  std::vector<uint32_t> CheckDirtyRollouts();
  // A Rollout's sync changed its status: its rollout may have completed.
  void MarkDirty(uint32_t d) { dirty_rollouts_.push_back(d); }

  // The ReplicaSet utilities the Argo Rollouts controller shares with this
  // one (argo-rollouts utils/replicaset mirrors the deployment controller's):
  // the ReplicaSet whose template is the current one (and the others),
  // a new one (an Argo Rollout's at 0 replicas, labelled
  // rollouts-pod-template-hash), views written back, and the revision
  // history limit's cleanup.
  uint32_t FindNewReplicaSet(uint32_t d, std::vector<uint32_t>* olds);
  // The highest revision of these ReplicaSets (0: none): a new or adopted
  // ReplicaSet takes the next one.
  int64_t MaxRevision(const std::vector<uint32_t>& ids) const;
  uint32_t CreateNewReplicaSet(uint32_t d, const std::vector<uint32_t>& olds);
  void WriteViews(uint32_t d, const std::vector<ReplicaSetView>& views);
  void CleanupDeployment(uint32_t d, const std::vector<uint32_t>& olds);

 private:
  void RolloutRolling(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  void RolloutRecreate(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  void ScaleForDeployment(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  std::vector<ReplicaSetView> Views(const std::vector<uint32_t>& ids) const;
  void SyncRolloutStatus(uint32_t d, uint32_t new_rs, const std::vector<uint32_t>& olds);
  void CheckRollouts(uint32_t d);
  bool OldPodsRunning(const std::vector<uint32_t>& olds) const;

  Store& store_;
  Context& ctx_;
  Api& api_;
  std::vector<uint32_t> dirty_rollouts_;  // Deployments whose rollout may have completed
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_DEPLOYMENT_CONTROLLER_H_
