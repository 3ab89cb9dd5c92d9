// The node lifecycle controller: NotReady after missed heartbeats, then
// taint-based eviction (node_lifecycle_controller.cc).
#ifndef KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

// How long a pod tolerates its node being unreachable (NoExecute): its
// tolerations' least tolerationSeconds, 300 s by default; nullopt: for ever.
std::optional<SimDuration> UnreachableToleration(const k8s::PodSpec& spec);
// Whether the pod tolerates the taints of a node whose kubelet stopped
// posting status (node.kubernetes.io/unreachable, NoSchedule and
// NoExecute — the latter also by the toleration DefaultTolerationSeconds
// adds): only such a pod may be scheduled there.
bool ToleratesUnreachable(const k8s::PodSpec& spec);
// How long a pod may stay on a node with these taints (the taint eviction
// controller's processPodOnNode): at once when a NoExecute taint is not
// tolerated; else its tolerations' least tolerationSeconds
// (getMinTolerationTime: <= 0 at once); nullopt when no NoExecute taint
// applies or the tolerations give no seconds (for ever).
std::optional<SimDuration> NoExecuteToleration(const std::vector<k8s::Taint>& taints,
                                               const std::vector<k8s::Toleration>& tolerations);

class NodeLifecycleController {
 public:
  NodeLifecycleController(Store& store, Context& ctx, Api& api);

  // The node's kubelet stopped posting status (its machine failed): it is
  // marked NotReady node-monitor-grace-period after its last Lease renewal
  // (at the controller's next look) unless it is back.
  void StatusStopped(uint32_t n);
  // kNodeNotReady and kNodeEvict, for the failure `gen` of node `n` (a
  // recovery or a later failure makes them stale).
  void NodeNotReady(uint32_t n, uint64_t gen);
  void Evict(uint32_t n, uint64_t gen);
  // kPodEvict: a pod whose own tolerationSeconds ran out (payload: the
  // node's failure gen << 32 | node).
  void EvictPod(uint32_t pod, uint64_t payload);
  // A pod was bound to a node with NoExecute taints (its node group's, or
  // the unreachable one while the node is NotReady): its eviction is
  // scheduled when its tolerations run out.
  void PodBound(uint32_t pod);
  // kTaintEvict: the pod's toleration of its node's NoExecute taints ran
  // out (payload: the node).
  void TaintEvict(uint32_t pod, uint64_t node);

 private:
  Store& store_;
  Context& ctx_;
  Api& api_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
