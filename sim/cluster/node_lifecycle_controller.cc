// The node lifecycle controller (pkg/controller/nodelifecycle): a node
// whose kubelet stopped posting status turns NotReady after
// node-monitor-grace-period, its pods are marked not Ready, and once the
// not-ready taint's toleration (DefaultTolerationSeconds, 300 s) runs out
// its pods are evicted.
#include "node_lifecycle_controller.h"

#include <fmt/format.h>

#include <vector>

#include "kubesim/k8s/defaults.h"

namespace kubesim::cluster {
namespace {

namespace defaults = k8s::defaults;
constexpr SimDuration kNodeMonitorGracePeriod =
    SimDuration::Seconds(defaults::kNodeMonitorGracePeriodSeconds);
constexpr SimDuration kEvictionDelay = SimDuration::Seconds(defaults::kNotReadyTolerationSeconds);

}  // namespace

NodeLifecycleController::NodeLifecycleController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

void NodeLifecycleController::StatusStopped(uint32_t n) {
  ctx_.Schedule(kNodeMonitorGracePeriod, kPhaseControl, EventKind::kNodeNotReady, n,
                store_.nodes[n].failure_gen);
}

void NodeLifecycleController::NodeNotReady(uint32_t n, uint64_t gen) {
  Node& node = store_.nodes[n];
  NodeFit& fit = store_.node_fit[n];
  if (node.failure_gen != gen || node.ready || !fit.condition_ready) return;
  fit.condition_ready = false;
  ctx_.EmitLazy([&] { return "node/" + node.name; },
                [&] {
                  return fmt::format("NotReady: no status for {} (node-monitor-grace-period)",
                                     FormatDuration(kNodeMonitorGracePeriod));
                });
  for (uint32_t id : std::vector<uint32_t>(node.pods)) api_.MarkPodNotReady(id);
  // The not-ready taint's 300 s toleration (DefaultTolerationSeconds) runs
  // out: taint-based eviction deletes its pods.
  ctx_.Schedule(kEvictionDelay, kPhaseControl, EventKind::kNodeEvict, n, node.failure_gen);
}

void NodeLifecycleController::Evict(uint32_t n, uint64_t gen) {
  const Node& node = store_.nodes[n];
  if (node.failure_gen != gen || node.ready) return;
  for (uint32_t pod : std::vector<uint32_t>(node.pods)) {
    if (!store_.pods[pod].deleted) api_.DeletePod(pod);
  }
}

}  // namespace kubesim::cluster
