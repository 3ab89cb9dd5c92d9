// Scheduling and pod-ranking rules; see include/kubesim/cluster/scheduling.h.
#include "kubesim/cluster/scheduling.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>
#include <vector>

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


}  // namespace

Resources PodRequests(const k8s::PodSpec& spec, bool non_zero) {
  Resources r;
  r.cpu_milli = k8s::AggregateContainerRequests(
      spec, [&](const k8s::Container& c) { return ContainerRequests(c, non_zero).cpu_milli; });
  r.memory_bytes = k8s::AggregateContainerRequests(
      spec, [&](const k8s::Container& c) { return ContainerRequests(c, non_zero).memory_bytes; });
  // Pod-level requests take the containers' place, resource by resource
  // (applyPodLevelResources); the scheduler's non-zero variant defaults the
  // containers first, then applies them (calculatePodResourceRequest).
  if (spec.resources) {
    const k8s::ResourceList& pod = spec.resources->requests;
    if (const auto cpu = pod.find("cpu"); cpu != pod.end()) r.cpu_milli = cpu->second.MilliValue();
    if (const auto mem = pod.find("memory"); mem != pod.end()) r.memory_bytes = mem->second.Value();
  }
  r.pods = 1;
  return r;
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




std::vector<HostPort> HostPortsOf(const k8s::PodSpec& spec) {
  std::vector<HostPort> out;
  const auto add = [&](const k8s::Container& c) {
    for (const k8s::ContainerPort& p : c.ports) {
      const int32_t port = p.host_port != 0 ? p.host_port : spec.host_network ? p.container_port : 0;
      if (port == 0) continue;
      out.push_back(HostPort{p.host_ip.empty() ? "0.0.0.0" : p.host_ip, p.protocol, port});
    }
  };
  for (const k8s::Container& c : spec.containers) add(c);
  for (const k8s::Container& c : spec.init_containers) {
    if (c.IsSidecar()) add(c);  // restartable init containers hold their ports too
  }
  return out;
}

bool HostPortsConflict(const std::vector<HostPort>& used, const std::vector<HostPort>& wanted) {
  for (const HostPort& w : wanted) {
    for (const HostPort& u : used) {
      if (u.port == w.port && u.protocol == w.protocol &&
          (u.ip == w.ip || u.ip == "0.0.0.0" || w.ip == "0.0.0.0")) {
        return true;
      }
    }
  }
  return false;
}

std::string FailedSchedulingMessage(int32_t all_nodes,
                                    const std::map<std::string, int32_t, std::less<>>& reasons,
                                    int32_t not_helpful, int32_t no_victims) {
  // sortReasonsHistogram: "COUNT REASON" strings in byte order ("10 x" before "2 y").
  const auto histogram = [](const std::map<std::string, int32_t, std::less<>>& counts) {
    std::vector<std::string> parts;
    for (const auto& [reason, count] : counts) parts.push_back(fmt::format("{} {}", count, reason));
    std::sort(parts.begin(), parts.end());
    return fmt::format("{}", fmt::join(parts, ", "));
  };
  std::map<std::string, int32_t, std::less<>> preemption;
  if (no_victims > 0) preemption["No preemption victims found for incoming pod"] = no_victims;
  if (not_helpful > 0) preemption["Preemption is not helpful for scheduling"] = not_helpful;
  if (all_nodes == 0) return "no nodes available to schedule pods";  // ErrNoNodesAvailable
  std::string message = fmt::format("0/{} nodes are available: {}.", all_nodes, histogram(reasons));
  if (!preemption.empty()) {
    message += fmt::format(" preemption: 0/{} nodes are available: {}.", all_nodes,
                           histogram(preemption));
  }
  return message;
}

int64_t ImageLocalityScore(int64_t sum_scaled_sizes, int containers) {
  constexpr int64_t kMb = 1024 * 1024;
  constexpr int64_t kMinThreshold = 23 * kMb;             // image_locality.go minThreshold
  constexpr int64_t kMaxContainerThreshold = 1000 * kMb;  // maxContainerThreshold
  const int64_t max_threshold = kMaxContainerThreshold * std::max(containers, 1);
  const int64_t sum = std::clamp(sum_scaled_sizes, kMinThreshold, max_threshold);
  return kMaxNodeScore * (sum - kMinThreshold) / (max_threshold - kMinThreshold);
}

}  // namespace kubesim::cluster
