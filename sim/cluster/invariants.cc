// The model's invariants, checked after every instant in debug and
// sanitizer builds and by `kubesim run --check`: a violation is a bug in
// kubesim, never a property of the scenario.
#include "invariants.h"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>
#include <map>
#include <string_view>
#include <utility>

#include "prober.h"

namespace kubesim::cluster {

namespace {

// One pod's own invariants: its state against its container's, Ready only
// bound and running on a node the API shows Ready, elided probe workers
// steady, a Terminating pod with something left to stop.
std::optional<std::string> CheckPod(const Store& store, const Prober& prober, uint32_t id) {
  const Pod& p = store.pods[id];
  // The state observers read is the one its container and conditions give
  // (else a change of those missed Kubelet::UpdatePodState).
  if (p.state != DerivedPodState(p)) {
    return fmt::format("pod {} is {} but its container and conditions say {}", p.name,
                       PodStateName(p.state), PodStateName(DerivedPodState(p)));
  }
  // (So it is Gone exactly when its container is Terminated, and Pending
  // only while unbound.) No container runs before one is created.
  if ((p.state == PodState::kPending || p.state == PodState::kPulling) &&
      p.container != ContainerState::kWaiting) {
    return fmt::format("pod {} is {} but its container is {}", p.name, PodStateName(p.state),
                       ContainerStateName(p.container));
  }
  if (p.killing && p.container == ContainerState::kRunning) {
    return fmt::format("pod {}: a probe kill runs but its container is still Running", p.name);
  }
  if (p.state == PodState::kGone) return std::nullopt;
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
  const std::vector<SideContainer>* sides = store.SidesOf(p);
  const auto worker_broken = [&](uint32_t slot, const ProbeWorker (&probes)[3]) {
    for (uint32_t k = 0; k < 3; ++k) {
      if (probes[k].elided && !prober.ProbeSteady(id, slot, static_cast<ProbeKind>(k))) {
        return std::optional<std::string>(
            fmt::format("pod {}: its {} probe{} skips ticks whose result could now change", p.name,
                        k == 0   ? "readiness"
                        : k == 1 ? "liveness"
                                 : "startup",
                        slot == kStartMain ? "" : fmt::format(" (side container {})", slot)));
      }
    }
    return std::optional<std::string>();
  };
  if (auto broken = worker_broken(kStartMain, p.probes)) return broken;
  bool side_running = false;
  for (uint32_t slot = 0; sides != nullptr && slot < sides->size(); ++slot) {
    const SideContainer& c = (*sides)[slot];
    if (auto broken = worker_broken(slot, c.probes)) return broken;
    side_running = side_running || c.running();
    // The pod's readiness is all its containers' (ContainersReady).
    if (p.ready && !c.ready) {
      return fmt::format("pod {} is Ready but its side container {} is not", p.name, slot);
    }
    if (c.ready && !c.running() && p.node != kNone && store.nodes[p.node].ready) {
      return fmt::format("pod {}: side container {} is Ready but not running", p.name, slot);
    }
  }
  if (p.ready && !p.app_ready) {
    return fmt::format("pod {} is Ready but its app container is not", p.name);
  }
  if (p.state == PodState::kTerminating && p.node != kNone && store.nodes[p.node].ready &&
      !p.container_running() && !side_running) {
    return fmt::format(
        "pod {} is Terminating on a Ready node with nothing left to stop: "
        "it would never be gone",
        p.name);
  }
  return std::nullopt;
}

// A ReplicaSet's counters against a walk of its pods.
std::optional<std::string> CheckReplicaSet(const Store& store, const ReplicaSet& rs) {
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
  if (alive != static_cast<int32_t>(rs.pods.size()) || rs.view.replicas < 0) {
    return fmt::format("replicaset {}: {} pods exist but it lists {} (spec {})", rs.name, alive,
                       rs.pods.size(), rs.view.replicas);
  }
  return std::nullopt;
}

// Endpoints hold only live, Ready pods of the Service's namespace matching its
// selector (bound ones, Ready or not, with publishNotReadyAddresses).
std::optional<std::string> CheckServiceLive(const Store& store, const Service& s) {
  for (uint32_t id : s.live) {
    const Pod& p = store.pods[id];
    const bool listable = s.publish_not_ready ? p.node != kNone : p.ready;
    if (p.state == PodState::kGone || !listable || p.namespace_name != s.namespace_name ||
        s.selector.empty() || !k8s::MapSelectorMatches(s.selector, *p.labels)) {
      return fmt::format("service {} lists pod {}, which is gone, not Ready or not selected",
                         s.key, p.name);
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> CheckInvariants(const Store& store, const Prober& prober) {
  // Node accounting: bound requests = the sum over the node's live pods, within allocatable.
  std::vector<Resources> sums(store.nodes.size());
  std::vector<Resources> non_zero_sums(store.nodes.size());
  int64_t existing = 0, unschedulable = 0;
  for (uint32_t id = 0; id < store.pods.size(); ++id) {
    if (auto broken = CheckPod(store, prober, id)) return broken;
    const Pod& p = store.pods[id];
    if (p.state == PodState::kGone) continue;
    ++existing;
    unschedulable += p.unschedulable;
    if (p.node != kNone) {
      sums[p.node] += p.requests;
      non_zero_sums[p.node] += store.score_classes[p.score_class].non_zero;
    }
  }
  for (uint32_t n = 0; n < store.nodes.size(); ++n) {
    const Node& node = store.nodes[n];
    const NodeFit& fit = store.node_fit[n];
    // Serialized pulls: a running kubelet with containers waiting for an
    // image is pulling one (else they would wait for ever).
    if (node.ready && !node.pulling && !node.pull_queue.empty()) {
      return fmt::format("node {}: {} containers wait for a pull, and none runs", node.name,
                         node.pull_queue.size());
    }
    if (!(non_zero_sums[n] == node.non_zero_requested)) {
      return fmt::format("node {} accounts {}m CPU of non-zero requests, but its pods {}m",
                         node.name, node.non_zero_requested.cpu_milli,
                         non_zero_sums[n].cpu_milli);
    }
    if (!(sums[n] == node.requested)) {
      return fmt::format("node {} accounts {}m CPU / {} pods, but its pods request {}m / {}",
                         node.name, node.requested.cpu_milli, node.requested.pods,
                         sums[n].cpu_milli, sums[n].pods);
    }
    if (fit.free_cpu_milli != node.allocatable.cpu_milli - node.requested.cpu_milli ||
        fit.free_memory_bytes != node.allocatable.memory_bytes - node.requested.memory_bytes ||
        fit.free_pods != std::min<int64_t>(node.allocatable.pods - node.requested.pods,
                                           INT32_MAX)) {
      return fmt::format("node {}: its free resources are not allocatable minus requested",
                         node.name);
    }
    if (node.requested.cpu_milli > node.allocatable.cpu_milli ||
        node.requested.memory_bytes > node.allocatable.memory_bytes ||
        node.requested.pods > node.allocatable.pods) {
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
    if (auto broken = CheckReplicaSet(store, rs)) return broken;
  }
  for (const Service& s : store.services) {
    if (auto broken = CheckServiceLive(store, s)) return broken;
  }
  return std::nullopt;
}

std::optional<std::string> CheckChanged(const Store& store, const Prober& prober) {
  std::vector<uint32_t> owners;
  for (const std::vector<uint32_t>* pods : {&store.changed_pods, &store.touched_pods}) {
    for (uint32_t id : *pods) {
      if (auto broken = CheckPod(store, prober, id)) return broken;
      if (store.pods[id].owner_rs != kNone) owners.push_back(store.pods[id].owner_rs);
    }
  }
  std::sort(owners.begin(), owners.end());
  owners.erase(std::unique(owners.begin(), owners.end()), owners.end());
  for (uint32_t rs : owners) {
    if (auto broken = CheckReplicaSet(store, store.replica_sets[rs])) return broken;
  }
  for (uint32_t s : store.changed_services) {
    if (auto broken = CheckServiceLive(store, store.services[s])) return broken;
  }
  return std::nullopt;
}

// An instant that logged nothing must not have changed what observers read:
// the endpoints clients see still carry their pods' serving flag and version
// (else a state change slipped past Emit/UpdatePodState/SetReady, and metrics
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
  // Every Service's members, found afresh: a selector matches a pod only if
  // the pod has the selector's first label, so Services are looked up by
  // that label from each live pod's labels (a walk of the pods, not of
  // pods x Services).
  std::map<std::pair<std::string_view, std::string_view>, std::vector<uint32_t>> by_first_label;
  for (uint32_t sid = 0; sid < store.services.size(); ++sid) {
    const Service& s = store.services[sid];
    if (!s.exists || s.selector.empty()) continue;
    by_first_label[{s.selector.begin()->first, s.selector.begin()->second}].push_back(sid);
  }
  std::vector<std::vector<uint32_t>> members_of(store.services.size());
  for (uint32_t id = 0; id < store.pods.size(); ++id) {
    const Pod& p = store.pods[id];
    if (p.state == PodState::kGone) continue;
    for (const auto& [k, v] : *p.labels) {
      auto it = by_first_label.find({k, v});
      if (it == by_first_label.end()) continue;
      for (uint32_t sid : it->second) {
        const Service& s = store.services[sid];
        if (p.namespace_name != s.namespace_name || !k8s::MapSelectorMatches(s.selector, *p.labels)) {
          continue;
        }
        members_of[sid].push_back(id);
        services_of[id].push_back(sid);
      }
    }
    std::sort(services_of[id].begin(), services_of[id].end());
  }
  for (uint32_t sid = 0; sid < store.services.size(); ++sid) {
    const Service& s = store.services[sid];
    const std::vector<uint32_t>& members = members_of[sid];
    if (members != s.members) {
      return fmt::format("service {}: its member index lists {} pods, its selector matches {}",
                         s.key, s.members.size(), members.size());
    }
    if (!s.dirty && !s.rebuild) {
      std::vector<uint32_t> ready, terminating_ready;
      for (uint32_t id : members) {
        if (s.publish_not_ready) {  // every member with an address
          if (store.pods[id].node != kNone) ready.push_back(id);
          continue;
        }
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
    // Requests index both lists with one draw.
    bool aligned = s.visible.size() == s.visible_pods.size();
    for (size_t i = 0; aligned && i < s.visible.size(); ++i) {
      aligned = s.visible[i].pod == s.visible_pods[i];
    }
    if (!aligned) {
      return fmt::format("service {}: its visible entries and visible pods differ", s.key);
    }
    Service counted;
    for (const EndpointInfo& e : s.visible) counted.CountServing(e, +1);
    std::sort(counted.serving_versions.begin(), counted.serving_versions.end());
    auto kept = s.serving_versions;
    std::sort(kept.begin(), kept.end());
    if (counted.visible_serving != s.visible_serving || counted.serving_versions != kept) {
      return fmt::format("service {}: it counts {} serving endpoints of {} versions, {} of {} are",
                         s.key, s.visible_serving, s.serving_versions.size(),
                         counted.visible_serving, counted.serving_versions.size());
    }
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
  const auto by_port = [](const HostPort& a, const HostPort& b) {
    return std::tie(a.port, a.protocol, a.ip) < std::tie(b.port, b.protocol, b.ip);
  };
  for (uint32_t n = 0; n < store.nodes.size(); ++n) {
    if (pods_of[n] != store.nodes[n].pods) {
      return fmt::format("node {}: its pod index lists {} pods, {} are bound there",
                         store.nodes[n].name, store.nodes[n].pods.size(), pods_of[n].size());
    }
    // The host ports it holds are those of its pods (NodePorts reads them).
    std::vector<HostPort> held;
    for (uint32_t id : pods_of[n]) {
      for (HostPort& port : HostPortsOf(*store.pods[id].spec)) held.push_back(std::move(port));
    }
    std::vector<HostPort> kept = store.nodes[n].host_ports;
    std::sort(held.begin(), held.end(), by_port);
    std::sort(kept.begin(), kept.end(), by_port);
    if (held != kept) {
      return fmt::format("node {}: it holds {} host ports, its pods {}", store.nodes[n].name,
                         kept.size(), held.size());
    }
  }
  if (auto wrong = store.topology.Verify(store)) return wrong;
  // Every PodDisruptionBudget's members, found afresh (budgets are few).
  for (const DisruptionBudget& b : store.budgets) {
    std::vector<uint32_t> members;
    for (uint32_t id = 0; b.exists && b.spec.selector && id < store.pods.size(); ++id) {
      const Pod& p = store.pods[id];
      if (p.state != PodState::kGone && p.namespace_name == b.namespace_name &&
          b.spec.selector->Matches(*p.labels)) {
        members.push_back(id);
      }
    }
    if (members != b.members) {
      return fmt::format("poddisruptionbudget {}: its member index lists {} pods, its selector "
                         "matches {}",
                         b.name, b.members.size(), members.size());
    }
  }
  return std::nullopt;
}

}  // namespace kubesim::cluster
