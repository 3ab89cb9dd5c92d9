// The model's invariants, checked after every instant in debug and
// sanitizer builds and by `kubesim run --check`: a violation is a bug in
// kubesim, never a property of the scenario.
#include "invariants.h"

#include <fmt/format.h>

#include "prober.h"

namespace kubesim::cluster {

std::optional<std::string> CheckInvariants(const Store& store, const Prober& prober) {
  // Node accounting: bound requests = the sum over the node's live pods, within allocatable.
  std::vector<Resources> sums(store.nodes.size());
  int64_t existing = 0, unschedulable = 0;
  for (uint32_t id = 0; id < store.pods.size(); ++id) {
    const Pod& p = store.pods[id];
    // The pod's state agrees with its container's: gone exactly when the
    // container is terminated; not yet started while Pending or Pulling.
    if ((p.state == PodState::kGone) != (p.container == ContainerState::kTerminated)) {
      return fmt::format("pod {} is {} but its container is {}", p.name, PodStateName(p.state),
                         ContainerStateName(p.container));
    }
    if ((p.state == PodState::kPending || p.state == PodState::kPulling) &&
        p.container != ContainerState::kWaiting) {
      return fmt::format("pod {} is {} but its container is {}", p.name, PodStateName(p.state),
                         ContainerStateName(p.container));
    }
    if (p.state == PodState::kPending && p.node != kNone) {
      return fmt::format("pod {} is Pending but bound to a node", p.name);
    }
    if (p.killing && p.container == ContainerState::kRunning) {
      return fmt::format("pod {}: a probe kill runs but its container is still Running", p.name);
    }
    if (p.state == PodState::kGone) continue;
    ++existing;
    unschedulable += p.unschedulable;
    if (p.node != kNone) sums[p.node] += p.requests;
    if (p.ready) {
      if (p.node == kNone) return fmt::format("pod {} is Ready but not bound to a node", p.name);
      if (!store.node_fit[p.node].condition_ready) {
        return fmt::format("pod {} is Ready on node {}, which is NotReady", p.name,
                           store.nodes[p.node].name);
      }
      // A failed node's pods stay Ready, containers gone, until the node
      // controller notices (node-monitor-grace-period).
      if (!p.container_running() && store.nodes[p.node].ready) {
        return fmt::format("pod {} is Ready but its container is not running", p.name);
      }
    }
    for (uint32_t k = 0; k < 3; ++k) {
      if (p.probes[k].elided && !prober.ProbeSteady(id, static_cast<ProbeKind>(k))) {
        return fmt::format("pod {}: its {} probe skips ticks whose result could now change", p.name,
                           k == 0   ? "readiness"
                           : k == 1 ? "liveness"
                                    : "startup");
      }
    }
    if (p.state == PodState::kTerminating && p.node != kNone && store.nodes[p.node].ready &&
        !p.container_running()) {
      return fmt::format(
          "pod {} is Terminating on a Ready node with nothing left to stop: "
          "it would never be gone",
          p.name);
    }
  }
  for (uint32_t n = 0; n < store.nodes.size(); ++n) {
    const Node& node = store.nodes[n];
    const NodeFit& fit = store.node_fit[n];
    if (!(sums[n] == fit.requested)) {
      return fmt::format("node {} accounts {}m CPU / {} pods, but its pods request {}m / {}",
                         node.name, fit.requested.cpu_milli, fit.requested.pods,
                         sums[n].cpu_milli, sums[n].pods);
    }
    if (fit.requested.cpu_milli > fit.allocatable.cpu_milli ||
        fit.requested.memory_bytes > fit.allocatable.memory_bytes ||
        fit.requested.pods > fit.allocatable.pods) {
      return fmt::format("node {}: bound requests exceed its allocatable", node.name);
    }
  }
  if (existing != store.existing_pods) {
    return fmt::format("{} pods exist but the count says {}", existing, store.existing_pods);
  }
  if (unschedulable != store.unschedulable_pods) {
    return fmt::format("{} pods are unschedulable but the count says {}", unschedulable,
                       store.unschedulable_pods);
  }
  for (const ReplicaSet& rs : store.replica_sets) {
    int32_t alive = 0, active = 0, ready_active = 0;
    for (uint32_t id : rs.pods) {
      alive += store.pods[id].state != PodState::kGone;
      const bool counted = store.pods[id].state != PodState::kGone && !store.pods[id].deleted;
      active += counted;
      ready_active += counted && store.pods[id].ready;
    }
    if (active != rs.active_pods || ready_active != rs.ready_active_pods) {
      return fmt::format("replicaset {}: {} pods active ({} Ready) but it counts {} ({})", rs.name,
                         active, ready_active, rs.active_pods, rs.ready_active_pods);
    }
    if (alive != rs.existing_pods || rs.existing_pods < 0 || rs.view.replicas < 0) {
      return fmt::format("replicaset {}: {} pods exist but it counts {} (spec {})", rs.name, alive,
                         rs.existing_pods, rs.view.replicas);
    }
  }
  // Endpoints hold only live, Ready pods of the Service's namespace matching its selector.
  for (const Service& s : store.services) {
    for (uint32_t id : s.live) {
      const Pod& p = store.pods[id];
      if (p.state == PodState::kGone || !p.ready || p.namespace_name != s.namespace_name ||
          s.selector.empty() || !k8s::MapSelectorMatches(s.selector, p.labels)) {
        return fmt::format("service {} lists pod {}, which is gone, not Ready or not selected",
                           s.key, p.name);
      }
    }
  }
  return std::nullopt;
}

// An instant that logged nothing must not have changed what observers read:
// the endpoints clients see still carry their pods' serving flag and version
// (else a state change slipped past Emit/SetPodState/SetReady, and metrics
// computed only on changed instants would miss it).
std::optional<std::string> CheckQuietInstant(const Store& store) {
  for (const Service& s : store.services) {
    for (const EndpointInfo& e : s.visible) {
      const Pod& p = store.pods[e.pod];
      if (e.serving != p.serving || e.version != p.version) {
        return fmt::format(
            "pod {} changed (serving {}, version {}) in an instant that logged "
            "nothing: observers would miss it",
            p.name, p.serving, p.version);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckIndexes(const Store& store) {
  std::vector<std::vector<uint32_t>> services_of(store.pods.size()), visible_in(store.pods.size());
  std::vector<std::vector<uint32_t>> pods_of(store.nodes.size());
  for (uint32_t sid = 0; sid < store.services.size(); ++sid) {
    const Service& s = store.services[sid];
    std::vector<uint32_t> members;
    for (uint32_t id = 0; id < store.pods.size(); ++id) {
      const Pod& p = store.pods[id];
      if (p.state == PodState::kGone || !s.exists || s.selector.empty() ||
          p.namespace_name != s.namespace_name || !k8s::MapSelectorMatches(s.selector, p.labels)) {
        continue;
      }
      members.push_back(id);
      services_of[id].push_back(sid);
    }
    if (members != s.members) {
      return fmt::format("service {}: its member index lists {} pods, its selector matches {}",
                         s.key, s.members.size(), members.size());
    }
    if (!s.dirty && !s.rebuild) {
      std::vector<uint32_t> ready, terminating_ready;
      for (uint32_t id : members) {
        if (!store.pods[id].ready) continue;
        (store.pods[id].deleted ? terminating_ready : ready).push_back(id);
      }
      if (ready != s.ready || terminating_ready != s.terminating_ready) {
        return fmt::format("service {}: it keeps {} Ready ({} terminating) members, {} ({}) are",
                           s.key, s.ready.size(), s.terminating_ready.size(), ready.size(),
                           terminating_ready.size());
      }
    }
    for (const EndpointInfo& e : s.visible) {
      const Pod& p = store.pods[e.pod];
      if (e.serving != p.serving || e.version != p.version) {
        return fmt::format(
            "service {}: visible endpoint {} shows serving {} version {}, the pod "
            "is serving {} version {}: a change missed ChangedServices",
            s.key, p.name, e.serving, e.version, p.serving, p.version);
      }
    }
    for (uint32_t id : s.visible_pods) visible_in[id].push_back(sid);
  }
  for (uint32_t id = 0; id < store.pods.size(); ++id) {
    const Pod& p = store.pods[id];
    if (p.state != PodState::kGone && p.services != services_of[id]) {
      return fmt::format("pod {}: its Service index disagrees with the selectors", p.name);
    }
    if (p.visible_in != visible_in[id]) {
      return fmt::format("pod {}: its visible-Service index disagrees with the endpoints", p.name);
    }
    if (p.state != PodState::kGone && p.node != kNone) pods_of[p.node].push_back(id);
  }
  std::vector<std::vector<uint32_t>> pods_of_rs(store.replica_sets.size());
  for (uint32_t id = 0; id < store.pods.size(); ++id) {
    const Pod& p = store.pods[id];
    if (p.state != PodState::kGone && p.owner_rs != kNone) pods_of_rs[p.owner_rs].push_back(id);
  }
  for (uint32_t rs = 0; rs < store.replica_sets.size(); ++rs) {
    if (pods_of_rs[rs] != store.replica_sets[rs].pods) {
      return fmt::format("replicaset {}: its pod index lists {} pods, {} live pods it owns",
                         store.replica_sets[rs].name, store.replica_sets[rs].pods.size(),
                         pods_of_rs[rs].size());
    }
  }
  for (uint32_t n = 0; n < store.nodes.size(); ++n) {
    if (pods_of[n] != store.nodes[n].pods) {
      return fmt::format("node {}: its pod index lists {} pods, {} are bound there",
                         store.nodes[n].name, store.nodes[n].pods.size(), pods_of[n].size());
    }
  }
  return std::nullopt;
}

}  // namespace kubesim::cluster
