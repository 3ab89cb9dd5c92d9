// kube-scheduler's default profile, as far as it decides here: filter nodes
// (Ready, not cordoned, NodeName, TaintToleration, NodeAffinity — the
// nodeSelector and required terms —, NodePorts, NodeResourcesFit,
// PodTopologySpread's DoNotSchedule constraints, InterPodAffinity's required
// terms: pod_topology.h) — in clusters of 100
// nodes and more only until numFeasibleNodesToFind pass, from a rotating
// start (schedule_one.go findNodesThatPassFilters) — score those
// (NodeResourcesFit least-allocated + BalancedAllocation + ImageLocality,
// weight 1 each; NodeAffinity's preferred terms, weight 2, and
// TaintToleration's PreferNoSchedule count, weight 3, InterPodAffinity's
// and PodTopologySpread's, weight 2, when a pod, a placed pod or a node has
// them), bind to the best, ties broken by a draw as selectHost draws
// (reservoir sampling). A pod no node fits stays Pending and unschedulable
// until something frees up (a pod gone, a node recovered or uncordoned).
#include "scheduler.h"

#include <fmt/format.h>

#include <map>

#include "node_lifecycle_controller.h"

namespace kubesim::cluster {

Scheduler::Scheduler(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api), rng_(Rng::Stream(ctx.seed(), "scheduler")) {}

void Scheduler::Enqueue(uint32_t pod) {
  ctx_.Schedule(ctx_.Draw(ctx_.scenario().cluster.timing.scheduling_delay, "scheduling-delay",
                          store_.pods[pod].name),
                kPhaseControl, EventKind::kSchedule, pod);
}

// NodeName, and NodeAffinity's filter: the nodeSelector and the required
// node affinity terms.
bool Scheduler::Selected(const Pod& p, const Node& node) {
  if (!p.spec->node_name.empty() && p.spec->node_name != node.name) return false;
  return RequiredNodeAffinityMatches(*p.spec, node);
}

// TaintToleration's filter: no NoSchedule or NoExecute taint left untolerated.
const k8s::Taint* Scheduler::UntoleratedTaint(const Pod& p, const Node& node) {
  return k8s::FirstUntolerated(node.taints, p.spec->tolerations, {"NoSchedule", "NoExecute"});
}

// NodeResourcesFit (LeastAllocated) over the node's and the pod's non-zero
// requests (NonZeroRequested), plus BalancedAllocation over their real ones
// (useRequested) — skipped, 0 on every node, for a pod that requests no cpu
// and no memory (BalancedAllocation.PreScore, kubernetes#129138).
int64_t Scheduler::ResourceScore(const Node& node, uint32_t score_class) const {
  const ScoreRequests& pod = store_.score_classes[score_class];
  Resources least = node.non_zero_requested;
  least.cpu_milli += pod.non_zero.cpu_milli;
  least.memory_bytes += pod.non_zero.memory_bytes;
  int64_t score = LeastAllocatedScore(node.allocatable, least);
  if (pod.requests.cpu_milli != 0 || pod.requests.memory_bytes != 0) {
    Resources balanced = node.requested;
    balanced.cpu_milli += pod.requests.cpu_milli;
    balanced.memory_bytes += pod.requests.memory_bytes;
    score += BalancedAllocationScore(node.allocatable, balanced);
  }
  return score;
}

// The scores of the plugins whose NormalizeScore needs every feasible node
// (DefaultNormalizeScore): NodeAffinity's preferred terms (weight 2) and
// TaintToleration's untolerated PreferNoSchedule taints (weight 3, fewer
// is better), and, with `topology_scores`, InterPodAffinity's and
// PodTopologySpread's (weight 2 each; pod_topology.h), added to the
// feasible nodes' other scores; then selectHost over them in the order they
// were examined.
uint32_t Scheduler::PickWithNormalizedScores(const Pod& p, Rng& rng, bool topology_scores) {
  const k8s::NodeAffinity* affinity =
      p.spec->node_affinity && !p.spec->node_affinity->preferred.empty() ? &*p.spec->node_affinity
                                                                         : nullptr;
  std::vector<k8s::Toleration> prefer_tolerations;
  for (const k8s::Toleration& t : p.spec->tolerations) {
    if (t.effect.empty() || t.effect == "PreferNoSchedule") prefer_tolerations.push_back(t);
  }
  int64_t max_affinity = 0;
  int64_t max_taints = 0;
  // Without preferred terms or PreferNoSchedule taints both raw scores are 0.
  const bool raw_scores = affinity != nullptr || store_.prefer_no_schedule;
  for (Feasible& f : feasible_) {
    if (!raw_scores) break;
    const Node& node = store_.nodes[f.node];
    f.affinity = affinity != nullptr ? affinity->PreferredWeight(node.labels, node.name) : 0;
    f.taints = 0;
    for (const k8s::Taint& t : node.taints) {
      if (t.effect != "PreferNoSchedule") continue;
      const bool tolerated =
          std::any_of(prefer_tolerations.begin(), prefer_tolerations.end(),
                      [&](const k8s::Toleration& tol) { return tol.Tolerates(t); });
      if (!tolerated) ++f.taints;
    }
    max_affinity = std::max(max_affinity, f.affinity);
    max_taints = std::max(max_taints, f.taints);
  }
  if (topology_scores) {
    std::vector<uint32_t>& nodes = scratch_nodes_;
    std::vector<int64_t>& scores = scratch_scores_;
    nodes.resize(feasible_.size());
    scores.assign(feasible_.size(), 0);
    for (size_t i = 0; i < feasible_.size(); ++i) nodes[i] = feasible_[i].node;
    topology_.AddScores(store_, p, nodes, &scores);
    for (size_t i = 0; i < feasible_.size(); ++i) feasible_[i].score += scores[i];
  }
  int64_t best_score = -1;
  uint32_t best = kNone;
  uint64_t ties = 0;
  for (const Feasible& f : feasible_) {
    const int64_t affinity_score = max_affinity == 0 ? 0 : kMaxNodeScore * f.affinity / max_affinity;
    const int64_t taint_score =
        max_taints == 0 ? kMaxNodeScore : kMaxNodeScore - kMaxNodeScore * f.taints / max_taints;
    const int64_t score = f.score + 2 * affinity_score + 3 * taint_score;
    if (score > best_score) {
      best_score = score;
      best = f.node;
      ties = 1;
    } else if (score == best_score) {
      ++ties;
      if (rng.Below(ties) == 0) best = f.node;
    }
  }
  return best;
}

// PickWithNormalizedScores when the default spread by hostname is the only
// normalized score: the same sums (NodeAffinity 0, TaintToleration
// kMaxNodeScore on every node), from the counts the filter pass read.
uint32_t Scheduler::PickWithHostnameSpread(Rng& rng) {
  std::vector<int64_t>& scores = scratch_scores_;
  scores.assign(feasible_.size(), 0);
  topology_.HostnameSpreadScores(spread_counts_, &scores);
  int64_t best_score = -1;
  uint32_t best = kNone;
  uint64_t ties = 0;
  for (size_t i = 0; i < feasible_.size(); ++i) {
    const int64_t score = feasible_[i].score + scores[i] + 3 * kMaxNodeScore;
    if (score > best_score) {
      best_score = score;
      best = feasible_[i].node;
      ties = 1;
    } else if (score == best_score) {
      ++ties;
      if (rng.Below(ties) == 0) best = feasible_[i].node;
    }
  }
  return best;
}

void Scheduler::Schedule(uint32_t id) {
  Pod& p = store_.pods[id];
  if (p.deleted || p.node != kNone) return;
  if (!p.spec->scheduling_gates.empty()) {
    if (p.unschedulable) {  // gated since its last attempt: Pending, not unschedulable
      p.unschedulable = false;
      --store_.unschedulable_pods;
      ctx_.MarkChanged();
    }
    // The SchedulingGates PreEnqueue plugin keeps it out of the queue; the
    // API server set its PodScheduled condition (pod strategy's
    // PrepareForCreate). Removing the last gate queues it (ApiServer).
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] { return "SchedulingGated: Scheduling is blocked due to non-empty scheduling gates"; });
    return;
  }
  // findNodesThatPassFilters: from the node after the last one the previous
  // cycle examined (nextStartNodeIndex), until numFeasibleNodesToFind nodes
  // pass; every node below 100 nodes. Nodes are listed in declaration order.
  const auto all = static_cast<uint32_t>(store_.nodes.size());
  const auto to_find = static_cast<uint32_t>(NumFeasibleNodesToFind(static_cast<int32_t>(all)));
  int64_t best_score = -1;
  uint32_t best = kNone;
  uint64_t ties = 0;
  // Images have no sizes in the model: ImageLocality is the same on every node.
  const int64_t image_locality = ImageLocalityScore(0, static_cast<int>(p.spec->containers.size()));
  // Filter and score in one pass over the examined nodes: kube-scheduler
  // filters them all and then scores the feasible ones in the same order,
  // which draws the same ties.
  const bool constrained = !p.spec->node_name.empty() || !p.spec->node_selector.empty() ||
                           (p.spec->node_affinity && p.spec->node_affinity->required);
  // Scores normalized over every feasible node: a second pass over them.
  // InterPodAffinity's and PodTopologySpread's scores (PreScore).
  const bool topology_scores =
      (store_.topology.has_score_carriers() ||
       (p.spec->pod_affinity && !p.spec->pod_affinity->preferred.empty()) ||
       (p.spec->pod_anti_affinity && !p.spec->pod_anti_affinity->preferred.empty()) ||
       // Kubernetes' default constraints, for a pod without its own (they
       // can tell nodes apart only where there are two).
       (p.spec->topology_spread_constraints.empty() && all > 1) ||
       std::any_of(p.spec->topology_spread_constraints.begin(),
                   p.spec->topology_spread_constraints.end(),
                   [](const k8s::TopologySpreadConstraint& c) {
                     return c.when_unsatisfiable == "ScheduleAnyway";
                   })) &&
      topology_.PrepareScores(store_, p);
  const bool normalized = topology_scores || store_.prefer_no_schedule ||
                          (p.spec->node_affinity && !p.spec->node_affinity->preferred.empty());
  // The common case of those: only the default spread by hostname. Each
  // feasible node's count is read as it is found, and the pick is one pass
  // over the counts and one over the nodes.
  const int32_t* spread_counts =
      topology_scores && normalized && !store_.prefer_no_schedule &&
              !(p.spec->node_affinity && !p.spec->node_affinity->preferred.empty()) &&
              topology_.DefaultSpreadOnly()
          ? topology_.DefaultSpreadCounts(store_)
          : nullptr;
  spread_counts_.clear();
  feasible_.clear();
  const std::vector<HostPort> host_ports = HostPortsOf(*p.spec);
  // Whether the pod tolerates a NotReady node's taints: asked only when a
  // NotReady node is met (-1: not yet asked).
  int8_t tolerates_unreachable = -1;
  // PodTopologySpread and InterPodAffinity (PreFilter): only for a pod with
  // terms or constraints, or while some bound pod has anti-affinity terms.
  const bool topology =
      (p.spec->pod_affinity || p.spec->pod_anti_affinity ||
       !p.spec->topology_spread_constraints.empty() || store_.topology.has_carriers()) &&
      topology_.Prepare(store_, p);
  // What the loop reads of the pod, and the scheduler's generator, in locals:
  // the loop writes node scores and draws, and the compiler cannot tell
  // those writes from the pod's fields.
  const Resources requests = p.requests;
  const uint32_t score_class = p.score_class;
  NodeFit* const fits = store_.node_fit.data();
  Rng rng = rng_;
  uint32_t found = 0;
  uint32_t processed = 0;
  uint32_t n = all > 0 ? next_start_node_ % all : 0;
  // Filters, as the default profile runs them for the nodes modelled here:
  // the node's own state and free resources first, from the dense NodeFit
  // array (most pods have no nodeName or nodeSelector, and most examined
  // nodes stop there). The scheduler sees the API: a failed node the node
  // controller has not yet marked NotReady still takes pods (they wait for a
  // kubelet that is gone, until the node returns or they are evicted).
  for (; processed < all && found < to_find; ++processed, n = n + 1 == all ? 0 : n + 1) {
    NodeFit& node = fits[n];
    if (node.unschedulable) continue;  // NodeUnschedulable
    // A NotReady node carries node.kubernetes.io/unreachable (NoSchedule,
    // NoExecute): TaintToleration keeps off the pods that do not tolerate it.
    if (!node.condition_ready) {
      if (tolerates_unreachable < 0) tolerates_unreachable = ToleratesUnreachable(*p.spec) ? 1 : 0;
      if (tolerates_unreachable == 0) continue;
    }
    if (node.tainted && UntoleratedTaint(p, store_.nodes[n]) != nullptr) continue;  // TaintToleration
    if (!node.Fits(requests)) continue;                           // NodeResourcesFit
    if (constrained && !Selected(p, store_.nodes[n])) continue;  // NodeName, NodeAffinity
    if (!host_ports.empty() && HostPortsConflict(store_.nodes[n].host_ports, host_ports)) {
      continue;  // NodePorts
    }
    if (topology && topology_.Filter(n) != TopologyVerdict::kPass) continue;
    ++found;
    if (node.score_class != score_class) {
      node.score = static_cast<int32_t>(ResourceScore(store_.nodes[n], score_class));
      node.score_class = score_class;
    }
    const int64_t score = node.score + image_locality;
    if (normalized) {
      feasible_.push_back(Feasible{n, score, 0, 0});
      if (spread_counts != nullptr) spread_counts_.push_back(spread_counts[n]);
      continue;
    }
    if (score > best_score) {
      best_score = score;
      best = n;
      ties = 1;
    } else if (score == best_score) {
      // selectHost: reservoir sampling among equal scores.
      ++ties;
      if (rng.Below(ties) == 0) best = n;
    }
  }
  if (normalized && !feasible_.empty()) {
    best = spread_counts != nullptr ? PickWithHostnameSpread(rng)
                                    : PickWithNormalizedScores(p, rng, topology_scores);
  }
  rng_ = rng;
  if (all > 0) next_start_node_ = (next_start_node_ + processed) % all;
  if (best == kNone) {
    if (!p.unschedulable) {
      p.unschedulable = true;
      ++store_.unschedulable_pods;
      ctx_.MarkChanged();
      ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                    [&] { return "FailedScheduling: " + Diagnose(p, topology); });
    }
    unschedulable_.push_back(id);
    return;
  }
  if (p.unschedulable) {
    p.unschedulable = false;
    --store_.unschedulable_pods;
    ctx_.MarkChanged();
  }
  api_.BindPod(id, best);
}

// Each node's first failing filter, in the default profile's Filter order
// (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity, NodePorts,
// NodeResourcesFit, ..., PodTopologySpread, InterPodAffinity;
// pkg/scheduler/apis/config/v1/default_plugins.go); the framework stops at
// a node's first failure. NodeResourcesFit reports every resource that
// falls short. A node the node controller marked NotReady carries the
// node.kubernetes.io/unreachable NoSchedule taint (its kubelet stopped
// posting status). All but NodePorts, NodeResourcesFit, a spread's skew and
// anti-affinity are UnschedulableAndUnresolvable, which preemption cannot
// help; so is a request larger than the node's whole allocatable.
std::string Scheduler::Diagnose(const Pod& p, bool topology) const {
  std::map<std::string, int32_t, std::less<>> reasons;
  const std::vector<HostPort> host_ports = HostPortsOf(*p.spec);
  int32_t not_helpful = 0;
  int32_t no_victims = 0;
  for (uint32_t n = 0; n < store_.nodes.size(); ++n) {
    const NodeFit& fit = store_.node_fit[n];
    const Node& node = store_.nodes[n];
    const char* unresolvable = nullptr;
    std::string taint_reason;
    if (fit.unschedulable) {
      unresolvable = "node(s) were unschedulable";
    } else if (!p.spec->node_name.empty() && p.spec->node_name != node.name) {
      unresolvable = "node(s) didn't match the requested node name";
    } else if (!fit.condition_ready && !ToleratesUnreachable(*p.spec)) {
      unresolvable = "node(s) had untolerated taint {node.kubernetes.io/unreachable: }";
    } else if (const k8s::Taint* t = fit.tainted ? UntoleratedTaint(p, node) : nullptr) {
      taint_reason = fmt::format("node(s) had untolerated taint {{{}: {}}}", t->key, t->value);
      unresolvable = taint_reason.c_str();
    } else if (!Selected(p, node)) {
      unresolvable = "node(s) didn't match Pod's node affinity/selector";
    }
    if (unresolvable != nullptr) {
      ++reasons[unresolvable];
      ++not_helpful;
      continue;
    }
    if (HostPortsConflict(node.host_ports, host_ports)) {
      ++reasons["node(s) didn't have free ports for the requested pod ports"];
      ++no_victims;  // Unschedulable: evicting a pod could free the port
      continue;
    }
    const Resources& r = p.requests;
    bool short_of_room = false;
    bool too_big = false;
    if (r.pods > fit.free_pods) {
      ++reasons["Too many pods"];
      short_of_room = true;
      too_big = too_big || r.pods > node.allocatable.pods;
    }
    if (r.cpu_milli > fit.free_cpu_milli) {
      ++reasons["Insufficient cpu"];
      short_of_room = true;
      too_big = too_big || r.cpu_milli > node.allocatable.cpu_milli;
    }
    if (r.memory_bytes > fit.free_memory_bytes) {
      ++reasons["Insufficient memory"];
      short_of_room = true;
      too_big = too_big || r.memory_bytes > node.allocatable.memory_bytes;
    }
    if (short_of_room) {
      ++(too_big ? not_helpful : no_victims);
      continue;
    }
    // PodTopologySpread, then InterPodAffinity.
    if (const TopologyVerdict v = topology ? topology_.Filter(n) : TopologyVerdict::kPass;
        v != TopologyVerdict::kPass) {
      ++reasons[TopologyVerdictReason(v)];
      ++(TopologyVerdictUnresolvable(v) ? not_helpful : no_victims);
    }
  }
  return FailedSchedulingMessage(static_cast<int32_t>(store_.nodes.size()), reasons, not_helpful,
                                 no_victims);
}

void Scheduler::RetryTopologyConstrained() {
  std::vector<uint32_t> keep;
  for (uint32_t pod : unschedulable_) {
    const Pod& p = store_.pods[pod];
    if (p.deleted || p.node != kNone) continue;
    if (p.spec->pod_affinity || p.spec->pod_anti_affinity ||
        !p.spec->topology_spread_constraints.empty()) {
      Enqueue(pod);
    } else {
      keep.push_back(pod);
    }
  }
  unschedulable_.swap(keep);
}

void Scheduler::RetryUnschedulable() {
  std::vector<uint32_t> retry;
  retry.swap(unschedulable_);
  for (uint32_t pod : retry) {
    if (!store_.pods[pod].deleted && store_.pods[pod].node == kNone) Enqueue(pod);
  }
}

}  // namespace kubesim::cluster
