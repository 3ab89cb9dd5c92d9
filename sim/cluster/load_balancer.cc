// External load balancers: targets, health checks, routing state, draining
// and the readiness gate. See load_balancer.h for the rules and their sources.
#include "load_balancer.h"

#include <fmt/format.h>

#include <algorithm>

#include "kubelet.h"
#include "traffic.h"

namespace kubesim::cluster {
namespace {

// The AWS Load Balancer Controller requeues a TargetGroupBinding this long
// after a reconcile that left a gated pod's target not healthy
// (defaultTargetHealthRequeueDuration, pkg/targetgroupbinding/
// resource_manager.go).
constexpr SimDuration kTargetHealthRequeue = SimDuration::Seconds(15);

std::string_view StateName(LbTarget::State s) {
  switch (s) {
    case LbTarget::State::kInitial:
      return "initial";
    case LbTarget::State::kHealthy:
      return "healthy";
    case LbTarget::State::kUnhealthy:
      return "unhealthy";
    case LbTarget::State::kDraining:
      return "draining";
  }
  return "?";
}

uint64_t Key(uint32_t gen, uint32_t id) { return uint64_t{gen} << 32 | id; }

}  // namespace

void LoadBalancers::Create(uint32_t client, const scenario::LoadBalancer& spec, uint64_t seed) {
  Balancer b;
  b.client = client;
  b.service = store_.clients[client].service;
  b.spec = spec;
  b.ip = spec.target_type == scenario::LoadBalancer::TargetType::kIp;
  b.delay_rng = Rng::Stream(seed, "loadbalancer/" + store_.clients[client].name);
  const auto id = static_cast<uint32_t>(store_.balancers.size());
  store_.clients[client].balancer = id;
  if (b.ip) store_.services[b.service].balancers.push_back(id);
  store_.balancers.push_back(std::move(b));
}

void LoadBalancers::Start() {
  for (uint32_t b = 0; b < store_.balancers.size(); ++b) {
    if (store_.balancers[b].ip) continue;
    // The controller registers the Ready nodes (ResolveNodePortEndpoints).
    for (uint32_t n = 0; n < store_.nodes.size(); ++n) {
      if (!store_.nodes[n].ready) continue;
      store_.balancers[b].registered.push_back(n);
      Register(b, n);
    }
  }
}

// Ready and not terminating, or — with the controller's readiness gate —
// its containers ready (endpoint_resolver.go: an endpoint not ready whose
// pod IsContainersReady is registered).
bool LoadBalancers::Wanted(uint32_t id) const {
  const Pod& p = store_.pods[id];
  if (p.state == PodState::kGone || p.deleted || p.node == kNone) return false;
  return p.ready || (p.containers_ready && k8s::HasLbGate(*p.spec));
}

void LoadBalancers::MembersChanged(uint32_t sid, std::span<const uint32_t> pods, bool all) {
  const Service& s = store_.services[sid];
  for (uint32_t bi : s.balancers) {
    Balancer& b = store_.balancers[bi];
    if (all) {
      std::vector<uint32_t> wanted;
      for (uint32_t id : s.members) {
        if (Wanted(id)) wanted.push_back(id);
      }
      if (wanted != b.wanted) {
        b.wanted = std::move(wanted);
        b.wanted_changed = true;
      }
    } else {
      for (uint32_t id : pods) {
        const bool member = std::binary_search(s.members.begin(), s.members.end(), id);
        if (member && Wanted(id)) {
          const size_t before = b.wanted.size();
          InsertSorted(b.wanted, id);
          b.wanted_changed |= b.wanted.size() != before;
        } else {
          b.wanted_changed |= EraseSorted(b.wanted, id);
        }
      }
    }
    if (!b.wanted_changed) continue;
    b.wanted_changed = false;
    // The controller acts on the change when its informer sees it: after
    // the endpoint delay, as kube-proxy does, each change no earlier than
    // the one before.
    const uint64_t seq = b.next_snapshot++;
    b.pending.emplace_back(seq, b.wanted);
    const SimDuration delay = ctx_.scenario().cluster.timing.endpoint_delay.Draw(b.delay_rng);
    const SimTime at = std::max(ctx_.Now() + delay, b.last_applied_at);
    b.last_applied_at = at;
    ctx_.loop().At(at, kPhaseEndpoints,
                   Event{static_cast<uint32_t>(EventKind::kLbTargets), bi, seq});
  }
}

// The controller's reconcile: pods it no longer finds are deregistered,
// new ones registered (reconcileWithIPTargetType).
void LoadBalancers::TargetsChanged(uint32_t bi, uint64_t seq) {
  Balancer& b = store_.balancers[bi];
  auto it = std::find_if(b.pending.begin(), b.pending.end(),
                         [seq](const auto& e) { return e.first == seq; });
  if (it == b.pending.end()) return;
  std::vector<uint32_t> next = std::move(it->second);
  b.pending.erase(it);
  const std::vector<uint32_t> before = std::move(b.registered);
  b.registered = std::move(next);
  const std::vector<uint32_t>& after = store_.balancers[bi].registered;
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i] < after[j])) {
      Deregister(bi, before[i++]);
    } else if (i == before.size() || after[j] < before[i]) {
      Register(bi, after[j++]);
    } else {
      ++i;
      ++j;
    }
  }
  Reconcile(bi);
}

void LoadBalancers::Register(uint32_t bi, uint32_t id) {
  Balancer& b = store_.balancers[bi];
  LbTarget& t = b.targets[id];  // a draining target registered again starts over
  t.gen = ++b.next_gen;
  t.state = LbTarget::State::kInitial;
  t.passes = t.failures = 0;
  t.condition = false;
  Emit(bi, id, "registered: initial");
  ctx_.loop().At(ctx_.Now() + b.spec.interval, kPhaseEndpoints,
                 Event{static_cast<uint32_t>(EventKind::kLbHealthCheck), bi, Key(t.gen, id)});
}

void LoadBalancers::Deregister(uint32_t bi, uint32_t id) {
  Balancer& b = store_.balancers[bi];
  auto it = b.targets.find(id);
  if (it == b.targets.end()) return;
  SetState(bi, id, LbTarget::State::kDraining);
  LbTarget& t = it->second;
  t.gen = ++b.next_gen;
  // Without the load model a request holds nothing once sent: with no
  // request in flight the deregistration completes at once (AWS: "If a
  // deregistering target has no in-flight requests and no active
  // connections, Elastic Load Balancing immediately completes the
  // deregistration process").
  if (!store_.load.on) {
    b.targets.erase(it);
    Emit(bi, id, "deregistered");
    return;
  }
  ctx_.loop().At(ctx_.Now() + b.spec.deregistration_delay, kPhaseEndpoints,
                 Event{static_cast<uint32_t>(EventKind::kLbDrainEnd), bi, Key(t.gen, id)});
}

void LoadBalancers::DrainEnd(uint32_t bi, uint64_t payload) {
  Balancer& b = store_.balancers[bi];
  const auto id = static_cast<uint32_t>(payload);
  auto it = b.targets.find(id);
  if (it == b.targets.end() || it->second.gen != payload >> 32) return;
  b.targets.erase(it);
  // The requests it still holds for the balancer are cut.
  if (b.ip) traffic_->FailRequests(id, b.client);
  Emit(bi, id, "deregistered");
}

void LoadBalancers::HealthCheck(uint32_t bi, uint64_t payload) {
  Balancer& b = store_.balancers[bi];
  const auto id = static_cast<uint32_t>(payload);
  auto it = b.targets.find(id);
  if (it == b.targets.end() || it->second.gen != payload >> 32) return;
  LbTarget& t = it->second;
  // A pod answers while its process serves; a node (NodePort, with
  // externalTrafficPolicy Cluster) while it runs and kube-proxy has a
  // serving endpoint to send the check to.
  const bool pass = b.ip ? store_.pods[id].serving
                         : store_.nodes[id].ready && store_.services[b.service].visible_serving > 0;
  if (pass) {
    ++t.passes;
    t.failures = 0;
    if (t.state == LbTarget::State::kInitial ||
        (t.state == LbTarget::State::kUnhealthy && t.passes >= b.spec.healthy_threshold)) {
      SetState(bi, id, LbTarget::State::kHealthy);
    }
  } else {
    ++t.failures;
    t.passes = 0;
    if (t.state != LbTarget::State::kUnhealthy && t.failures >= b.spec.unhealthy_threshold) {
      SetState(bi, id, LbTarget::State::kUnhealthy);
    }
  }
  ctx_.loop().At(ctx_.Now() + b.spec.interval, kPhaseEndpoints,
                 Event{static_cast<uint32_t>(EventKind::kLbHealthCheck), bi, payload});
}

void LoadBalancers::SetState(uint32_t bi, uint32_t id, LbTarget::State state) {
  Balancer& b = store_.balancers[bi];
  LbTarget& t = b.targets[id];
  if (t.state == state) return;
  const LbTarget::State was = t.state;
  const bool healthy_before = !b.healthy.empty();
  if (was == LbTarget::State::kHealthy) EraseSorted(b.healthy, id);
  if (was == LbTarget::State::kUnhealthy) EraseSorted(b.unhealthy, id);
  t.state = state;
  if (state == LbTarget::State::kHealthy) InsertSorted(b.healthy, id);
  if (state == LbTarget::State::kUnhealthy) InsertSorted(b.unhealthy, id);
  Emit(bi, id, StateName(state));
  // Requests go to the healthy targets, else the unhealthy ones: when that
  // choice flips the routed list is rebuilt, else only this target moves.
  if (healthy_before != !b.healthy.empty()) {
    Reroute(bi);
  } else {
    const LbTarget::State routed =
        healthy_before ? LbTarget::State::kHealthy : LbTarget::State::kUnhealthy;
    if ((was == routed) != (state == routed)) Route(bi, id, state == routed);
  }
  if (state == LbTarget::State::kHealthy && !b.started) {
    // Its client starts once the balancer can route: now if its Service has
    // started; with it if all the Service's clients come through this one;
    // else when the Service starts (Traffic::StartService).
    b.started = true;
    const Service& s = store_.services[b.service];
    if (s.started) {
      traffic_->StartClient(b.client);
    } else if (s.lb_view == bi && !s.from) {  // with `from:`, at that time
      traffic_->StartService(b.service);
    }
  }
}

void LoadBalancers::Route(uint32_t bi, uint32_t id, bool routed) {
  Balancer& b = store_.balancers[bi];
  if (!b.ip) return;
  auto it = std::lower_bound(b.routed.begin(), b.routed.end(), id,
                             [](const EndpointInfo& e, uint32_t pod) { return e.pod < pod; });
  if (routed) {
    const Pod& p = store_.pods[id];
    it = b.routed.insert(it, EndpointInfo{id, p.version, p.serving});
    b.CountRouted(*it, +1);
  } else {
    b.CountRouted(*it, -1);
    b.routed.erase(it);
  }
  store_.MarkServiceChanged(b.service);
}

void LoadBalancers::Reroute(uint32_t bi) {
  Balancer& b = store_.balancers[bi];
  if (!b.ip) return;
  const std::vector<uint32_t>& to = b.healthy.empty() ? b.unhealthy : b.healthy;
  for (const EndpointInfo& e : b.routed) b.CountRouted(e, -1);
  b.routed.clear();
  for (uint32_t id : to) {
    const Pod& p = store_.pods[id];
    b.routed.push_back(EndpointInfo{id, p.version, p.serving});
    b.CountRouted(b.routed.back(), +1);
  }
  store_.MarkServiceChanged(b.service);
}

void LoadBalancers::RefreshTouched(uint32_t pod) {
  const Pod& p = store_.pods[pod];
  for (Balancer& b : store_.balancers) {  // few
    auto it = std::lower_bound(b.routed.begin(), b.routed.end(), pod,
                               [](const EndpointInfo& e, uint32_t id) { return e.pod < id; });
    if (it == b.routed.end() || it->pod != pod) continue;
    b.CountRouted(*it, -1);
    it->serving = p.serving;
    it->version = p.version;
    b.CountRouted(*it, +1);
    store_.MarkServiceChanged(b.service);
  }
}

void LoadBalancers::Poll(uint32_t bi, uint64_t gen) {
  if (store_.balancers[bi].poll_gen == gen) Reconcile(bi);
}

void LoadBalancers::Reconcile(uint32_t bi) {
  Balancer& b = store_.balancers[bi];
  if (!b.ip) return;
  bool again = false;
  for (uint32_t id : b.registered) {
    Pod& p = store_.pods[id];
    if (p.state == PodState::kGone || !k8s::HasLbGate(*p.spec)) continue;
    const auto it = b.targets.find(id);
    if (it == b.targets.end()) continue;
    const bool healthy = it->second.state == LbTarget::State::kHealthy;
    if (!healthy) again = true;
    it->second.condition = healthy;
    // One condition per target group binding in Kubernetes; here the pod's
    // gates are true while every balancer that registered it says healthy.
    bool gate = false;
    for (const Balancer& other : store_.balancers) {  // few
      if (!other.ip) continue;
      const auto t = other.targets.find(id);
      if (t == other.targets.end() || t->second.state == LbTarget::State::kDraining) continue;
      gate = t->second.condition;
      if (!gate) break;
    }
    if (p.lb_gate == gate) continue;
    p.lb_gate = gate;
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] {
                    const auto& gates = store_.pods[id].spec->readiness_gates;
                    const auto g = std::find_if(gates.begin(), gates.end(), [](const auto& name) {
                      return k8s::IsLbGate(name);
                    });
                    return fmt::format("condition {}: {}", *g, gate ? "True" : "False");
                  });
    kubelet_->UpdateReady(id);
  }
  if (!again) return;
  const uint32_t gen = ++b.poll_gen;
  ctx_.loop().At(ctx_.Now() + kTargetHealthRequeue, kPhaseControl,
                 Event{static_cast<uint32_t>(EventKind::kLbPoll), bi, gen});
}

void LoadBalancers::Emit(uint32_t bi, uint32_t id, std::string_view what) {
  ctx_.EmitLazy([&] { return "loadbalancer/" + store_.clients[store_.balancers[bi].client].name; },
                [&] {
                  const Balancer& b = store_.balancers[bi];
                  return fmt::format("target {} {}",
                                     b.ip ? store_.pods[id].name : store_.nodes[id].name, what);
                });
}

}  // namespace kubesim::cluster
