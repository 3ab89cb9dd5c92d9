// The node lifecycle controller: NotReady after missed heartbeats, then
// taint-based eviction (node_lifecycle_controller.cc).
#ifndef KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_

#include <cstdint>
#include <optional>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

// How long a pod tolerates its node being unreachable (NoExecute): its
// tolerations' least tolerationSeconds, 300 s by default; nullopt: for ever.
std::optional<SimDuration> UnreachableToleration(const k8s::PodSpec& spec);

class NodeLifecycleController {
 public:
  NodeLifecycleController(Store& store, Context& ctx, Api& api);

  // The node's kubelet stopped posting status (its machine failed): it is
  // marked NotReady node-monitor-grace-period later unless it is back.
  void StatusStopped(uint32_t n);
  // kNodeNotReady and kNodeEvict, for the failure `gen` of node `n` (a
  // recovery or a later failure makes them stale).
  void NodeNotReady(uint32_t n, uint64_t gen);
  void Evict(uint32_t n, uint64_t gen);
  // kPodEvict: a pod whose own tolerationSeconds ran out (payload: the
  // node's failure gen << 32 | node).
  void EvictPod(uint32_t pod, uint64_t payload);

 private:
  Store& store_;
  Context& ctx_;
  Api& api_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
