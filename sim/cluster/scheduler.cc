// kube-scheduler's default profile, as far as it decides here: filter nodes
// (Ready, not cordoned, nodeSelector, NodeResourcesFit), score the rest
// (NodeResourcesFit least-allocated + BalancedAllocation + ImageLocality,
// weight 1 each), bind to the best, ties broken by a draw as selectHost draws
// (reservoir sampling). A pod no node fits stays Pending and unschedulable
// until something frees up (a pod gone, a node recovered or uncordoned).
#include <fmt/format.h>

#include "world.h"

namespace kubesim::cluster {

void World::EnqueueSchedule(uint32_t pod) {
  Schedule(Draw(scenario_->cluster.timing.scheduling_delay, "scheduling-delay", pods_[pod].name),
           kPhaseControl, EventKind::kSchedule, pod);
}

void World::SchedulePod(uint32_t id) {
  Pod& p = pods_[id];
  if (p.deleted || p.node != kNone) return;
  int64_t best_score = -1;
  uint32_t best = kNone;
  uint64_t ties = 0;
  for (uint32_t n = 0; n < nodes_.size(); ++n) {
    const Node& node = nodes_[n];
    // The scheduler sees the API: a failed node the node controller has not
    // yet marked NotReady still takes pods (they wait for a kubelet that
    // is gone, until the node returns or they are evicted).
    if (!node.condition_ready || node.unschedulable) continue;             // NodeUnschedulable, node Ready
    if (!p.spec->node_name.empty() && p.spec->node_name != node.name) continue;  // NodeName
    bool selector_ok = true;                                      // NodeAffinity: nodeSelector
    for (const auto& [k, v] : p.spec->node_selector) {
      auto it = node.labels.find(k);
      selector_ok = selector_ok && it != node.labels.end() && it->second == v;
    }
    if (!selector_ok || !Fits(node.allocatable, node.requested, p.requests)) continue;
    // Scores use non-zero requests of the node's pods plus this one.
    Resources with = node.requested;
    with.cpu_milli += p.score_requests.cpu_milli;
    with.memory_bytes += p.score_requests.memory_bytes;
    const int64_t score = LeastAllocatedScore(node.allocatable, with) +
                          BalancedAllocationScore(node.allocatable, with) +
                          ImageLocalityScore(0, static_cast<int>(p.spec->containers.size()));
    if (score > best_score) {
      best_score = score;
      best = n;
      ties = 1;
    } else if (score == best_score) {
      // selectHost: reservoir sampling among equal scores.
      ++ties;
      if (scheduler_rng_.Below(ties) == 0) best = n;
    }
  }
  if (best == kNone) {
    if (!p.unschedulable) {
      p.unschedulable = true;
      ++unschedulable_count_;
      Emit(PodLabel(id), "FailedScheduling: no node has room");
    }
    unschedulable_.push_back(id);
    return;
  }
  if (p.unschedulable) {
    p.unschedulable = false;
    --unschedulable_count_;
  }
  Bind(id, best);
}

void World::RetryUnschedulable() {
  std::vector<uint32_t> retry;
  retry.swap(unschedulable_);
  for (uint32_t pod : retry) {
    if (!pods_[pod].deleted && pods_[pod].node == kNone) EnqueueSchedule(pod);
  }
}

}  // namespace kubesim::cluster
