// Scheduling and pod-ranking rules; see include/kubesim/cluster/scheduling.h.
#include "kubesim/cluster/scheduling.h"

#include <algorithm>
#include <cmath>

namespace kubesim::cluster {
namespace {

// One container's cpu (milli) and memory (bytes) requests.
Resources ContainerRequests(const k8s::Container& c, bool non_zero) {
  Resources r;
  const auto cpu = c.resources.requests.find("cpu");
  const auto mem = c.resources.requests.find("memory");
  if (cpu != c.resources.requests.end()) {
    r.cpu_milli = cpu->second.MilliValue();
  } else if (non_zero) {
    r.cpu_milli = kDefaultMilliCpuRequest;
  }
  if (mem != c.resources.requests.end()) {
    r.memory_bytes = mem->second.Value();
  } else if (non_zero) {
    r.memory_bytes = kDefaultMemoryRequest;
  }
  return r;
}


// logarithmicRankDiff (controller_utils.go): floor(log2(now - t)) in
// nanoseconds, -1 for a time not in the past.
int64_t LogRank(SimTime t, SimTime now) {
  const int64_t d_ns = (now - t).micros() * 1000;
  return d_ns > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d_ns))) : -1;
}

}  // namespace

Resources PodRequests(const k8s::PodSpec& spec, bool non_zero) {
  Resources sum;
  for (const k8s::Container& c : spec.containers) sum += ContainerRequests(c, non_zero);
  for (const k8s::Container& c : spec.init_containers) {
    const Resources init = ContainerRequests(c, non_zero);
    sum.cpu_milli = std::max(sum.cpu_milli, init.cpu_milli);
    sum.memory_bytes = std::max(sum.memory_bytes, init.memory_bytes);
  }
  sum.pods = 1;
  return sum;
}

int32_t NumFeasibleNodesToFind(int32_t all_nodes) {
  constexpr int32_t kMinFeasibleNodesToFind = k8s::defaults::kSchedulerMinFeasibleNodesToFind;
  constexpr int32_t kMinFeasibleNodesPercentageToFind =
      k8s::defaults::kSchedulerMinFeasibleNodesPercentageToFind;
  if (all_nodes < kMinFeasibleNodesToFind) return all_nodes;
  const int32_t percentage =
      std::max(int32_t{50} - all_nodes / 125, kMinFeasibleNodesPercentageToFind);
  const int32_t n = static_cast<int32_t>(int64_t{all_nodes} * percentage / 100);
  return std::max(n, kMinFeasibleNodesToFind);
}




int64_t ImageLocalityScore(int64_t sum_scaled_sizes, int containers) {
  constexpr int64_t kMb = 1024 * 1024;
  constexpr int64_t kMinThreshold = 23 * kMb;             // image_locality.go minThreshold
  constexpr int64_t kMaxContainerThreshold = 1000 * kMb;  // maxContainerThreshold
  const int64_t max_threshold = kMaxContainerThreshold * std::max(containers, 1);
  const int64_t sum = std::clamp(sum_scaled_sizes, kMinThreshold, max_threshold);
  return kMaxNodeScore * (sum - kMinThreshold) / (max_threshold - kMinThreshold);
}

bool DeleteFirst(const PodDeletionRank& a, const PodDeletionRank& b, SimTime now) {
  // 1. Unassigned < assigned.
  if (a.assigned != b.assigned) return !a.assigned;
  // 2. PodPending < PodUnknown < PodRunning.
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  // 3. Not ready < ready.
  if (a.ready != b.ready) return !a.ready;
  // 4. pod-deletion-cost: not modelled (every pod costs 0).
  // 5. Doubled up < not doubled up: more co-located related pods first.
  if (a.colocated != b.colocated) return a.colocated > b.colocated;
  // 6. Been ready for less time first, in log2 buckets; same bucket: lower uid.
  if (a.ready && b.ready && a.ready_since && b.ready_since && *a.ready_since != *b.ready_since) {
    const int64_t diff = LogRank(*a.ready_since, now) - LogRank(*b.ready_since, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  // 7. Higher restart counts first.
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  // 8. Newer first, in log2 buckets of age; same bucket: lower uid.
  if (a.created != b.created) {
    const int64_t diff = LogRank(a.created, now) - LogRank(b.created, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  return false;
}

}  // namespace kubesim::cluster
