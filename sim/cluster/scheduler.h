// The scheduler (kube-scheduler's default profile, as far as it decides
// here): each pod queued `schedulingDelay` after it was created, filtered,
// scored and bound through the Api; unschedulable pods wait until a node
// frees up. See scheduler.cc and include/kubesim/cluster/scheduling.h.
#ifndef KUBESIM_SIM_CLUSTER_SCHEDULER_H_
#define KUBESIM_SIM_CLUSTER_SCHEDULER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Scheduler {
 public:
  Scheduler(Store& store, Context& ctx, Api& api);

  void Enqueue(uint32_t pod);
  void Schedule(uint32_t pod);  // kSchedule: one scheduling cycle
  // Something freed room (a pod gone, a node back or uncordoned): every
  // unschedulable pod is queued again.
  void RetryUnschedulable();
  // A pod bound or relabelled changed the topology index's counts: the
  // unschedulable pods with pod affinity or anti-affinity terms or spread
  // constraints of their own are queued again (the plugins' queueing hints:
  // a placed pod's change can only let those in).
  void RetryTopologyConstrained();

 private:
  // NodeName and NodeAffinity (nodeSelector, required terms): whether
  // `node` is one `p` names or selects.
  static bool Selected(const Pod& p, const Node& node);
  static const k8s::Taint* UntoleratedTaint(const Pod& p, const Node& node);
  // A feasible node and its scores, when some score is normalized over all
  // of them (preferred node affinity, PreferNoSchedule taints).
  struct Feasible {
    uint32_t node;
    int64_t score;     // the other plugins'
    int64_t affinity;  // NodeAffinity's raw score: matched preferred weights
    int64_t taints;    // TaintToleration's raw score: untolerated PreferNoSchedule taints
  };
  uint32_t PickWithNormalizedScores(const Pod& p, Rng& rng, bool topology_scores);
  uint32_t PickWithHostnameSpread(Rng& rng);
  std::vector<int32_t> spread_counts_;   // by feasible_ entry, for PickWithHostnameSpread
  std::vector<uint32_t> scratch_nodes_;  // PickWithNormalizedScores' scratch
  std::vector<int64_t> scratch_scores_;
  int64_t ResourceScore(const Node& node, uint32_t score_class) const;
  // The FailedScheduling message for a pod no node takes: every node's
  // first failing filter, in the default profile's order. REQUIRES: the
  // pod's cycle prepared topology_ (Schedule calls it at the cycle's end).
  std::string Diagnose(const Pod& p, bool topology) const;

  Store& store_;
  Context& ctx_;
  Api& api_;
  Rng rng_;                         // selectHost's tie-breaking draws
  uint32_t next_start_node_ = 0;    // kube-scheduler's nextStartNodeIndex
  std::vector<uint32_t> unschedulable_;
  std::vector<Feasible> feasible_;  // reused by each cycle
  TopologyFilter topology_;         // InterPodAffinity, PodTopologySpread
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_SCHEDULER_H_
