// The rules kube-scheduler and the ReplicaSet controller use to place and to
// pick pods, as pure functions: a pod's resource requests, whether a node fits
// it, how the default profile scores a node, and which pods a ReplicaSet
// deletes first when it scales down.
//
// The model: the scheduler filters nodes (Ready, schedulable, enough free
// allocatable cpu, memory and pod slots for the pod's requests:
// NodeResourcesFit's Filter, NodeUnschedulable) and scores the rest with the
// default plugins that matter here — NodeResourcesFit (LeastAllocated, cpu
// and memory weight 1), NodeResourcesBalancedAllocation and ImageLocality —
// each 0..100 with weight 1, summed. The best total wins; ties are broken by
// a draw (selectHost's reservoir sampling), done by the caller with the
// scenario's RNG. LeastAllocated uses "non-zero" requests, the node's pods'
// and the pod's: a container without a cpu or memory request counts as
// 100m / 200Mi (pkg/scheduler/util/pod_resources.go, DefaultMilliCPURequest
// and DefaultMemoryRequest; NodeInfo.NonZeroRequested). BalancedAllocation
// uses the real ones (useRequested) and scores nothing for a pod that
// requests neither cpu nor memory; filters use the real ones.
#ifndef KUBESIM_CLUSTER_SCHEDULING_H_
#define KUBESIM_CLUSTER_SCHEDULING_H_

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/engine/time.h"
#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::cluster {

// Amounts of the resources the model schedules by.
struct Resources {
  int64_t cpu_milli = 0;
  int64_t memory_bytes = 0;
  int64_t pods = 0;

  Resources& operator+=(const Resources& o) {
    cpu_milli += o.cpu_milli;
    memory_bytes += o.memory_bytes;
    pods += o.pods;
    return *this;
  }
  Resources& operator-=(const Resources& o) {
    cpu_milli -= o.cpu_milli;
    memory_bytes -= o.memory_bytes;
    pods -= o.pods;
    return *this;
  }
  bool operator==(const Resources&) const = default;
};

inline constexpr int64_t kDefaultMilliCpuRequest = k8s::defaults::kSchedulerDefaultMilliCpuRequest;
inline constexpr int64_t kDefaultMemoryRequest = k8s::defaults::kSchedulerDefaultMemoryRequest;
inline constexpr int64_t kMaxNodeScore = k8s::defaults::kSchedulerMaxNodeScore;

namespace scheduling_internal {
// leastRequestedScore (least_allocated.go).
inline int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}
}  // namespace scheduling_internal


// A pod's effective requests, as Kubernetes computes them
// (resourcehelper.PodRequests): per resource, k8s::AggregateContainerRequests
// — native sidecars added to the regular containers, each init container
// with the sidecars before it —, replaced by the pod-level request where
// spec.resources gives one; pods = 1. `non_zero` substitutes 100m / 200Mi
// for a container's missing cpu / memory request (what scoring uses).
Resources PodRequests(const k8s::PodSpec& spec, bool non_zero = false);

// NodeResourcesFit Filter: `requested` (already bound) plus `pod` fits
// within `allocatable` in every resource.
inline bool Fits(const Resources& allocatable, const Resources& requested, const Resources& pod) {
  return requested.cpu_milli + pod.cpu_milli <= allocatable.cpu_milli &&
         requested.memory_bytes + pod.memory_bytes <= allocatable.memory_bytes &&
         requested.pods + pod.pods <= allocatable.pods;
}

// NodeResourcesFit Score, LeastAllocated strategy, cpu and memory weight 1:
// per resource (allocatable - requested) * 100 / allocatable (0 when
// requested exceeds it, 0 when allocatable is 0), averaged with integer
// division. `requested` includes the pod (non-zero requests).
inline int64_t LeastAllocatedScore(const Resources& allocatable, const Resources& requested) {
  // cpu and memory, weight 1 each (SetDefaults_NodeResourcesFitArgs).
  const int64_t cpu = scheduling_internal::LeastRequested(requested.cpu_milli, allocatable.cpu_milli);
  const int64_t mem = scheduling_internal::LeastRequested(requested.memory_bytes, allocatable.memory_bytes);
  return (cpu + mem) / 2;
}

// NodeResourcesBalancedAllocation: fractions f = requested / allocatable
// (capped at 1) for cpu and memory; score = (1 - |f_cpu - f_mem| / 2) * 100,
// truncated. `requested` includes the pod.
inline int64_t BalancedAllocationScore(const Resources& allocatable, const Resources& requested) {
  double fractions[2];
  int n = 0;
  if (allocatable.cpu_milli != 0) {
    fractions[n++] = std::min(1.0, static_cast<double>(requested.cpu_milli) /
                                       static_cast<double>(allocatable.cpu_milli));
  }
  if (allocatable.memory_bytes != 0) {
    fractions[n++] = std::min(1.0, static_cast<double>(requested.memory_bytes) /
                                       static_cast<double>(allocatable.memory_bytes));
  }
  // Two resources: std = |f1 - f2| / 2; fewer: 0 (balanced_allocation.go).
  const double std_dev = n == 2 ? std::abs((fractions[0] - fractions[1]) / 2) : 0.0;
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

// ImageLocality (image_locality.go): the pod's images already on the node,
// each weighted by its size and by the share of nodes that have it, mapped
// from [23 MB, 1000 MB x containers] onto 0..100. `sum_scaled_sizes` is
// Σ size * nodes_with_image / total_nodes over the pod's containers whose image
// the node has.
int64_t ImageLocalityScore(int64_t sum_scaled_sizes, int containers);

// numFeasibleNodesToFind (pkg/scheduler/schedule_one.go) with the default
// adaptive percentageOfNodesToScore: every node below 100
// (minFeasibleNodesToFind); else 50 - nodes/125 percent of them, at least 5 %
// (minFeasibleNodesPercentageToFind), and at least 100 nodes. Kubernetes'
// TestNumFeasibleNodesToFind: 10 -> 10, 1,000 -> 420, 6,000 -> 300.
int32_t NumFeasibleNodesToFind(int32_t all_nodes);

// A host port a pod takes on its node (NodePorts): every containerPort with a
// hostPort — with hostNetwork, every containerPort — of its containers.
struct HostPort {
  std::string ip;  // "0.0.0.0" when not given
  std::string protocol;
  int32_t port = 0;
  bool operator==(const HostPort&) const = default;
};
std::vector<HostPort> HostPortsOf(const k8s::PodSpec& spec);
// HostPortInfo.CheckConflict: the same protocol and port on the same
// address, or on 0.0.0.0 on either side.
bool HostPortsConflict(const std::vector<HostPort>& used, const std::vector<HostPort>& wanted);

// Why a pod fits no node, as kube-scheduler (1.33; DRA off) writes its
// FailedScheduling event: FitError.Error() (pkg/scheduler/framework/types.go)
// — "0/N nodes are available: " and each filter reason with the number of
// nodes it failed on, "COUNT REASON" sorted as strings, joined by ", ",
// then a period — and DefaultPreemption's PostFilter message in the same
// form: nodes whose failure preemption cannot cure ("Preemption is not
// helpful for scheduling") and nodes where it finds no lower-priority pod
// to evict ("No preemption victims found for incoming pod"; every pod has
// priority 0 here). `reasons`: each reason's node count.
std::string FailedSchedulingMessage(int32_t all_nodes,
                                    const std::map<std::string, int32_t, std::less<>>& reasons,
                                    int32_t not_helpful, int32_t no_victims);

// What ActivePodsWithRanks.Less compares (controller_utils.go), for one pod.
// (Fields ordered to pack: 56 bytes.)
struct PodDeletionRank {
  bool assigned = false;            // bound to a node
  bool ready = false;
  // Filled by RankAt for DeleteFirst(a, b): the log2 buckets (LogRank) of
  // ready_since and created at one `now`; kUnranked until then.
  int8_t ready_since_log = kUnranked;
  int8_t created_log = kUnranked;
  int phase_ordinal = 0;            // Pending 0 < Unknown 1 < Running 2
  int32_t colocated = 0;            // related active pods on the same node
  int32_t max_restarts = 0;         // the highest restart count of its containers
  int32_t deletion_cost = 0;        // its controller.kubernetes.io/pod-deletion-cost
  std::optional<SimTime> ready_since;  // the Ready condition's lastTransitionTime
  SimTime created;
  uint64_t uid = 0;                 // the tie-break: random per pod in Kubernetes, seeded here

  static constexpr int8_t kUnranked = -2;
};

// logarithmicRankDiff's bucket (controller_utils.go): floor(log2(now - t)),
// the difference in nanoseconds, as a double's log2 truncates it; -1 for a
// time not in the past. Exact integer arithmetic below 2^44 ns (4.9 h), where
// it provably equals the double's; std::log2 above.
inline int64_t LogRank(SimTime t, SimTime now) {
  const int64_t d_ns = (now - t).micros() * 1000;
  if (d_ns <= 0) return -1;
  // Below 2^44, floor(log2(d)) is the bit width less one, and the double's
  // log2 truncates to the same: d converts exactly, a power of two's log2 is
  // exact, and any other d's is at least 2^-44.5 from an integer, many ulps
  // of a log2 below 64 (2^-47) away (tests/cluster/scheduling_test.cc checks
  // both sides of every power of two).
  constexpr int64_t kExactBelow = int64_t{1} << 44;
  if (d_ns < kExactBelow) return std::bit_width(static_cast<uint64_t>(d_ns)) - 1;
  return static_cast<int64_t>(std::log2(static_cast<double>(d_ns)));
}

// Fills `r`'s log2 buckets at `now`, so that DeleteFirst(a, b) can compare
// without a logarithm per comparison: rank each pod once, then sort.
inline void RankAt(PodDeletionRank& r, SimTime now) {
  r.ready_since_log = r.ready_since ? static_cast<int8_t>(LogRank(*r.ready_since, now))
                                    : PodDeletionRank::kUnranked;
  r.created_log = static_cast<int8_t>(LogRank(r.created, now));
}

// Whether `a` is deleted before `b` when a ReplicaSet scales down
// (ActivePodsWithRanks.Less with LogarithmicScaleDown, on by default since
// 1.22), for pods ranked by RankAt at the same `now`: unassigned first;
// Pending < Unknown < Running; not-ready first; lower pod-deletion-cost
// first; more co-located pods first;
// ready for less time first (in powers of two of the time since); more
// restarts first; newer first (powers of two of the age); then lower uid
// (within a bucket as Kubernetes does, and for pods equal in everything).
inline bool DeleteFirst(const PodDeletionRank& a, const PodDeletionRank& b) {
  // 1. Unassigned < assigned.
  if (a.assigned != b.assigned) return !a.assigned;
  // 2. PodPending < PodUnknown < PodRunning.
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  // 3. Not ready < ready.
  if (a.ready != b.ready) return !a.ready;
  // 4. Lower pod-deletion-cost first (the PodDeletionCost gate, on by
  // default since 1.22).
  if (a.deletion_cost != b.deletion_cost) return a.deletion_cost < b.deletion_cost;
  // 5. Doubled up < not doubled up: more co-located related pods first.
  if (a.colocated != b.colocated) return a.colocated > b.colocated;
  // 6. Been ready for less time first, in log2 buckets; same bucket: lower uid.
  if (a.ready && b.ready && a.ready_since && b.ready_since && *a.ready_since != *b.ready_since) {
    if (a.ready_since_log == b.ready_since_log) return a.uid < b.uid;
    return a.ready_since_log < b.ready_since_log;
  }
  // 7. Higher restart counts first.
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  // 8. Newer first, in log2 buckets of age; same bucket: lower uid.
  if (a.created != b.created) {
    if (a.created_log == b.created_log) return a.uid < b.uid;
    return a.created_log < b.created_log;
  }
  // Equal in everything Less compares: Kubernetes' sort.Sort leaves them in
  // the order the informer's cache listed them, which no one chooses — a
  // draw, here by uid (the caller's seeded one).
  return a.uid < b.uid;
}

// The same for two pods not yet ranked, at `now`.
inline bool DeleteFirst(PodDeletionRank a, PodDeletionRank b, SimTime now) {
  RankAt(a, now);
  RankAt(b, now);
  return DeleteFirst(a, b);
}

}  // namespace kubesim::cluster

#endif  // KUBESIM_CLUSTER_SCHEDULING_H_
