// The node lifecycle controller: NotReady after missed heartbeats, then
// taint-based eviction (node_lifecycle_controller.cc).
#ifndef KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_

#include <cstdint>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

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

 private:
  Store& store_;
  Context& ctx_;
  Api& api_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_NODE_LIFECYCLE_CONTROLLER_H_
