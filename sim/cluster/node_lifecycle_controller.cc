// The node lifecycle controller (pkg/controller/nodelifecycle): a node
// whose kubelet stopped posting status turns NotReady after
// node-monitor-grace-period, its pods are marked not Ready, and once the
// not-ready taint's toleration (DefaultTolerationSeconds, 300 s) runs out
// its pods are evicted.
#include "node_lifecycle_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <vector>

#include "kubesim/k8s/defaults.h"

namespace kubesim::cluster {
namespace {

namespace defaults = k8s::defaults;
constexpr SimDuration kNodeMonitorGracePeriod =
    SimDuration::Seconds(defaults::kNodeMonitorGracePeriodSeconds);
constexpr SimDuration kEvictionDelay = SimDuration::Seconds(defaults::kNotReadyTolerationSeconds);

const k8s::Taint kUnreachableNoExecute{"node.kubernetes.io/unreachable", "", "NoExecute"};

// The DefaultTolerationSeconds admission plugin's test: no toleration of the
// unreachable key (or of every key) for NoExecute (or every effect).
bool AdmittedDefaultToleration(const k8s::PodSpec& spec) {
  return std::none_of(spec.tolerations.begin(), spec.tolerations.end(),
                      [](const k8s::Toleration& t) {
                        return (t.key.empty() || t.key == kUnreachableNoExecute.key) &&
                               (t.effect.empty() || t.effect == "NoExecute");
                      });
}

}  // namespace

// How long a pod stays on a node whose kubelet stopped posting status: the
// node carries node.kubernetes.io/unreachable:NoExecute. The
// DefaultTolerationSeconds admission plugin gave every pod without a
// toleration of that key (or of every key) with effect NoExecute (or any)
// one of 300 s. The taint manager takes the first toleration that
// tolerates the taint (GetMatchingTolerations) and evicts the pod after its
// tolerationSeconds (getMinTolerationTime: none given is for ever, <= 0 at
// once), or at once when none does.
std::optional<SimDuration> UnreachableToleration(const k8s::PodSpec& spec) {
  if (AdmittedDefaultToleration(spec)) return kEvictionDelay;
  return NoExecuteToleration({kUnreachableNoExecute}, spec.tolerations);
}

bool ToleratesUnreachable(const k8s::PodSpec& spec) {
  static const std::vector<k8s::Taint> kNoSchedule = {
      {"node.kubernetes.io/unreachable", "", "NoSchedule"}};
  if (k8s::FirstUntolerated(kNoSchedule, spec.tolerations, {"NoSchedule"}) != nullptr) return false;
  // NoExecute: tolerated by the pod's own toleration (whatever its
  // seconds), or by the one DefaultTolerationSeconds adds (for 300 s) to a
  // pod without any of the key.
  return AdmittedDefaultToleration(spec) ||
         std::any_of(spec.tolerations.begin(), spec.tolerations.end(),
                     [](const k8s::Toleration& t) { return t.Tolerates(kUnreachableNoExecute); });
}

std::optional<SimDuration> NoExecuteToleration(const std::vector<k8s::Taint>& taints,
                                               const std::vector<k8s::Toleration>& tolerations) {
  std::optional<int64_t> least;  // seconds
  for (const k8s::Taint& taint : taints) {
    if (taint.effect != "NoExecute") continue;
    // GetMatchingTolerations: the first toleration that tolerates it.
    auto used = std::find_if(tolerations.begin(), tolerations.end(),
                             [&](const k8s::Toleration& t) { return t.Tolerates(taint); });
    if (used == tolerations.end()) return SimDuration::Zero();
    if (used->toleration_seconds) {
      least = std::min(least.value_or(INT64_MAX), std::max<int64_t>(*used->toleration_seconds, 0));
    }
  }
  if (!least) return std::nullopt;
  return SimDuration::Seconds(*least);
}

NodeLifecycleController::NodeLifecycleController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

// The node turns NotReady from its last Lease renewal, not from its failure
// (monitorNodeHealth, tryUpdateNodeHealth): its kubelet renewed every 10 s
// from its start — the run's, or its last recovery, when it renews at once
// — and not at the instant it failed; the controller, looking
// every 5 s, takes the first look at or after a renewal as the node's probe
// time, and marks it NotReady at the first look more than
// node-monitor-grace-period (50 s) after that. A failure at 10 s: the last
// renewal at 0 s, NotReady at 55 s; at 15 s: renewed at 10 s, NotReady at
// 65 s.
void NodeLifecycleController::StatusStopped(uint32_t n) {
  const int64_t now = ctx_.Now().micros();
  const int64_t renew = defaults::kNodeLeaseRenewIntervalSeconds * 1'000'000;
  const int64_t look = defaults::kNodeMonitorPeriodSeconds * 1'000'000;
  // Renewals from the kubelet's start (0, or its recovery), every 10 s.
  const int64_t epoch = store_.nodes[n].lease_epoch.micros();
  const int64_t last_renewal = now <= epoch ? epoch : epoch + (now - epoch - 1) / renew * renew;
  const int64_t probe = (last_renewal + look - 1) / look * look;
  const int64_t not_ready = ((probe + kNodeMonitorGracePeriod.micros()) / look + 1) * look;
  ctx_.Schedule(SimDuration::Micros(not_ready - now), kPhaseControl, EventKind::kNodeNotReady, n,
                store_.nodes[n].failure_gen);
}

void NodeLifecycleController::NodeNotReady(uint32_t n, uint64_t gen) {
  Node& node = store_.nodes[n];
  NodeFit& fit = store_.node_fit[n];
  if (node.failure_gen != gen || node.ready || !fit.condition_ready) return;
  fit.condition_ready = false;
  node.not_ready_at = ctx_.Now();
  ctx_.EmitLazy([&] { return "node/" + node.name; },
                [&] {
                  return fmt::format("NotReady: no Lease renewal for more than {} "
                                     "(node-monitor-grace-period)",
                                     FormatDuration(kNodeMonitorGracePeriod));
                });
  for (uint32_t id : std::vector<uint32_t>(node.pods)) api_.MarkPodNotReady(id);
  // The unreachable taint's 300 s toleration (DefaultTolerationSeconds) runs
  // out: taint-based eviction deletes its pods. Pods that tolerate the taint
  // for another time are evicted on their own.
  ctx_.Schedule(kEvictionDelay, kPhaseControl, EventKind::kNodeEvict, n, node.failure_gen);
  for (uint32_t id : node.pods) {
    const std::optional<SimDuration> stay = UnreachableToleration(*store_.pods[id].spec);
    if (stay && *stay != kEvictionDelay) {
      ctx_.Schedule(*stay, kPhaseControl, EventKind::kPodEvict, id,
                    (uint64_t{node.failure_gen} << 32) | n);
    }
  }
}

void NodeLifecycleController::EvictPod(uint32_t pod, uint64_t payload) {
  const auto n = static_cast<uint32_t>(payload);
  const Node& node = store_.nodes[n];
  const Pod& p = store_.pods[pod];
  if (node.failure_gen != (payload >> 32) || node.ready || p.node != n || p.deleted) return;
  api_.DeletePod(pod);
}

void NodeLifecycleController::PodBound(uint32_t pod) {
  const Pod& p = store_.pods[pod];
  const uint32_t n = p.node;
  const Node& node = store_.nodes[n];
  if (const auto stay = NoExecuteToleration(node.taints, p.spec->tolerations)) {
    ctx_.Schedule(*stay, kPhaseControl, EventKind::kTaintEvict, pod, n);
  }
  // Bound to a node already NotReady (the pod tolerates its taints): the
  // unreachable taint's toleration runs from now.
  if (!store_.node_fit[n].condition_ready && !node.ready) {
    if (const auto stay = UnreachableToleration(*p.spec)) {
      ctx_.Schedule(*stay, kPhaseControl, EventKind::kPodEvict, pod,
                    (uint64_t{node.failure_gen} << 32) | n);
    }
  }
}

void NodeLifecycleController::TaintEvict(uint32_t pod, uint64_t n) {
  const Pod& p = store_.pods[pod];
  if (p.node != n || p.deleted) return;
  ctx_.EmitLazy([&] { return store_.PodLabel(pod); },
                [&] { return "TaintManagerEviction: Marking for deletion"; });
  api_.DeletePod(pod);
}

void NodeLifecycleController::Evict(uint32_t n, uint64_t gen) {
  const Node& node = store_.nodes[n];
  if (node.failure_gen != gen || node.ready) return;
  for (uint32_t pod : std::vector<uint32_t>(node.pods)) {
    const Pod& p = store_.pods[pod];
    if (p.deleted || UnreachableToleration(*p.spec) != kEvictionDelay) continue;
    // A pod bound after the node turned NotReady has its own clock (PodBound).
    if (p.bound_at > node.not_ready_at) continue;
    api_.DeletePod(pod);
  }
}

}  // namespace kubesim::cluster
