// The ReplicaSet controller (pkg/controller/replicaset): a work queue of
// ReplicaSets; a sync creates or deletes pods (through the Api) until the
// non-terminating ones match spec.replicas, then writes the status counts.
#ifndef KUBESIM_SIM_CLUSTER_REPLICASET_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_REPLICASET_CONTROLLER_H_

#include <cstdint>
#include <vector>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class ReplicaSetController {
 public:
  ReplicaSetController(Store& store, Context& ctx, Api& api);

  void Enqueue(uint32_t rs);
  // The work queue's AddAfter: one delayed sync per ReplicaSet waits, the
  // earliest asked for.
  void EnqueueAfter(uint32_t rs, SimDuration delay);
  // kSyncReplicaSet; payload 0 for Enqueue's, 1 + the due time in
  // microseconds for EnqueueAfter's (stale once a sooner one replaced it).
  void Sync(uint32_t rs, uint64_t payload = 0);
  void PodUpdated(uint32_t pod);  // handler of Api::PodUpdated

 private:
  Store& store_;
  Context& ctx_;
  Api& api_;
  // Scratch, all zeros between uses: related pods by node + 1 (scale-down ranking).
  std::vector<int32_t> colocated_;
  // Scratch of one scale-down: the active pods, their ranks, the sorted order.
  std::vector<uint32_t> active_;
  std::vector<PodDeletionRank> ranks_;
  std::vector<uint32_t> order_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_REPLICASET_CONTROLLER_H_
