// The object store's lookups and counters; see store.h.
#include "store.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>

namespace kubesim::cluster {

RequestWindow RequestsAfter(const std::vector<std::deque<RequestSample>>& rs_requests,
                            std::span<const uint32_t> replica_sets, int64_t after_us,
                            RequestWindow::Latencies latencies) {
  using L = RequestWindow::Latencies;
  RequestWindow w;
  for (uint32_t rs : replica_sets) {
    if (rs >= rs_requests.size()) continue;
    for (const RequestSample& r : rs_requests[rs]) {
      if (r.at_us <= after_us) continue;
      ++w.total;
      if (r.ok) ++w.ok;
      if (latencies == L::kAll || (latencies == L::kOk && r.ok))
        w.latencies.push_back(r.latency_us);
    }
  }
  return w;
}

double NearestRankQuantile(std::vector<int64_t>& v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
  return static_cast<double>(v[std::clamp<size_t>(rank, 1, v.size()) - 1]);
}

std::string_view ContainerStateName(ContainerState s) {
  switch (s) {
    case ContainerState::kWaiting: return "Waiting";
    case ContainerState::kRunning: return "Running";
    case ContainerState::kStopping: return "Stopping";
    case ContainerState::kTerminated: return "Terminated";
  }
  return "?";
}

bool LegalContainerMove(ContainerState from, ContainerState to) {
  using C = ContainerState;
  switch (from) {
    case C::kWaiting: return to == C::kRunning || to == C::kTerminated;
    case C::kRunning: return to == C::kStopping || to == C::kWaiting;
    case C::kStopping: return to == C::kWaiting;
    case C::kTerminated: return false;
  }
  return false;
}

PodState DerivedPodState(const Pod& p) {
  if (p.container == ContainerState::kTerminated) return PodState::kGone;
  if (p.deleted) return PodState::kTerminating;
  if (p.node == kNone) return PodState::kPending;
  if (p.ready) return PodState::kReady;
  if (!p.container_created) return PodState::kPulling;
  return PodState::kStarting;
}

PullPolicy PullPolicyOf(const k8s::Container& c) {
  return c.image_pull_policy == "Always"  ? PullPolicy::kAlways
         : c.image_pull_policy == "Never" ? PullPolicy::kNever
                                          : PullPolicy::kIfNotPresent;
}

int32_t Store::MaxContainerRestarts(const Pod& p) const {
  const std::vector<SideContainer>* sides = SidesOf(p);
  if (sides == nullptr) return p.restarts;
  int32_t app = p.restarts;  // the sum, less the side containers' own
  int32_t most = 0;
  for (const SideContainer& c : *sides) {
    app -= c.restarts;
    most = std::max(most, c.restarts);
  }
  return std::max(most, app);
}

PodPhase PhaseOf(const Pod& p) {
  // Running or stopping: running. Waiting: "stopped" (so Running under
  // restartPolicy Always) when it ran before — it was created for this spec,
  // or restarted (a `set image` replaced a container that ran) — else waiting.
  // Pending, too, while its init containers run (getPhase: "pendingInitialization").
  if (p.in_init()) return PodPhase::kPending;
  return p.container_created || p.restarts > 0 ? PodPhase::kRunning : PodPhase::kPending;
}

bool LegalPodMove(PodState from, PodState to) {
  using S = PodState;
  if (from == S::kGone) return false;
  if (to == S::kGone) return true;
  if (from == S::kTerminating) return false;
  if (to == S::kTerminating) return true;
  switch (from) {
    case S::kPending: return to == S::kPulling;
    case S::kPulling: return to == S::kStarting;
    case S::kStarting: return to == S::kReady || to == S::kPulling;
    case S::kReady: return to == S::kStarting;
    default: return false;
  }
}

uint64_t PodNameIndex::Hash(std::string_view ns, std::string_view name) {
  // FNV-1a over "ns/name", then a final mix so that the low bits (the slot)
  // depend on every byte.
  uint64_t h = 0xCBF29CE484222325ull;
  const auto add = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 0x100000001B3ull;
  };
  add(ns);
  add("/");
  add(name);
  h ^= h >> 33;
  h *= 0xFF51AFD7ED558CCDull;
  h ^= h >> 33;
  return h;
}

size_t PodNameIndex::Locate(const std::vector<Pod>& pods, uint64_t hash, std::string_view ns,
                            std::string_view name) const {
  if (slots_.empty()) return kNoSlot;
  const size_t mask = slots_.size() - 1;
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const Slot& s = slots_[i];
    if (s.pod == kEmpty) return kNoSlot;
    if (s.pod != kTombstone && s.hash == hash && pods[s.pod].name == name &&
        pods[s.pod].namespace_name == ns) {
      return i;
    }
  }
}

uint32_t PodNameIndex::Find(const std::vector<Pod>& pods, std::string_view ns,
                            std::string_view name) const {
  const size_t i = Locate(pods, Hash(ns, name), ns, name);
  return i == kNoSlot ? kNone : slots_[i].pod;
}

void PodNameIndex::Assign(const std::vector<Pod>& pods, uint32_t id) {
  const Pod& p = pods[id];
  const uint64_t hash = Hash(p.namespace_name, p.name);
  if (const size_t i = Locate(pods, hash, p.namespace_name, p.name); i != kNoSlot) {
    slots_[i].pod = id;
    return;
  }
  // At most half full, tombstones included: probes stay short.
  if ((used_ + 1) * 2 > slots_.size()) {
    Rebuild(std::max<size_t>(16, std::bit_ceil((live_ + 1) * 4)));
  }
  const size_t mask = slots_.size() - 1;
  size_t i = hash & mask;
  while (slots_[i].pod != kEmpty && slots_[i].pod != kTombstone) i = (i + 1) & mask;
  if (slots_[i].pod == kEmpty) ++used_;
  slots_[i] = Slot{hash, id};
  ++live_;
}

void PodNameIndex::Erase(const std::vector<Pod>& pods, uint32_t id) {
  const Pod& p = pods[id];
  const size_t i = Locate(pods, Hash(p.namespace_name, p.name), p.namespace_name, p.name);
  if (i == kNoSlot || slots_[i].pod != id) return;
  slots_[i].pod = kTombstone;
  --live_;
}

void PodNameIndex::Reserve(size_t count) {
  const size_t capacity = std::bit_ceil(std::max<size_t>(16, count * 2 + 2));
  if (capacity > slots_.size()) Rebuild(capacity);
}

void PodNameIndex::Rebuild(size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  const size_t mask = capacity - 1;
  for (const Slot& s : old) {
    if (s.pod == kEmpty || s.pod == kTombstone) continue;
    size_t i = s.hash & mask;
    while (slots_[i].pod != kEmpty) i = (i + 1) & mask;
    slots_[i] = s;
  }
  used_ = live_;
}

std::string Store::NameKey(std::string_view ns, std::string_view name) {
  std::string key(ns);
  key += '/';
  key += name;
  return key;
}

std::string Store::ObjectKey(std::string_view ns, std::string_view name) {
  return ns == "default" ? std::string(name) : fmt::format("{}/{}", ns, name);
}

namespace {

uint32_t Lookup(const NameIndex& index, std::string_view key) {
  auto it = index.find(key);
  return it == index.end() ? kNone : it->second;
}

}  // namespace

uint32_t Store::FindDeployment(std::string_view ns, std::string_view name) const {
  return Lookup(deployment_names, NameKey(ns, name));
}

uint32_t Store::FindRollout(std::string_view ns, std::string_view name) const {
  return Lookup(rollout_names, NameKey(ns, name));
}

uint32_t Store::FindReplicaSet(std::string_view ns, std::string_view name) const {
  return Lookup(replica_set_names, NameKey(ns, name));
}

uint32_t Store::FindService(std::string_view ns, std::string_view name) const {
  return Lookup(service_names, NameKey(ns, name));
}

uint32_t Store::FindPod(std::string_view ns, std::string_view name) const {
  const uint32_t id = pod_names.Find(pods, ns, name);
  return id != kNone && pods[id].state != PodState::kGone ? id : kNone;
}

uint32_t Store::FindNode(std::string_view name) const { return Lookup(node_names, name); }

std::string_view Store::InternVersion(std::string_view v) {
  auto it = versions.find(v);
  if (it == versions.end()) it = versions.emplace(v).first;
  return *it;
}

namespace {

// An endpoint list's serving entries, counted in all and per version.
void CountServingIn(const EndpointInfo& e, int sign, int64_t* serving,
                    std::vector<std::pair<std::string_view, int64_t>>* versions) {
  if (!e.serving) return;
  *serving += sign;
  auto it = std::find_if(versions->begin(), versions->end(),
                         [&](const auto& v) { return v.first == e.version; });
  if (it == versions->end()) it = versions->insert(it, {e.version, 0});
  it->second += sign;
  if (it->second == 0) versions->erase(it);
}

}  // namespace

void Service::CountServing(const EndpointInfo& e, int sign) {
  CountServingIn(e, sign, &visible_serving, &serving_versions);
}

void Balancer::CountRouted(const EndpointInfo& e, int sign) {
  CountServingIn(e, sign, &routed_serving, &routed_versions);
}

uint32_t Store::ScoreClass(const ScoreRequests& r) {
  const auto [it, added] = score_class_index.emplace(
      std::array<int64_t, 4>{r.non_zero.cpu_milli, r.non_zero.memory_bytes, r.requests.cpu_milli,
                             r.requests.memory_bytes},
      static_cast<uint32_t>(score_classes.size()));
  if (added) score_classes.push_back(r);
  return it->second;
}

void Store::SetRequested(uint32_t n, const Resources& requested) {
  Node& node = nodes[n];
  node.requested = requested;
  NodeFit& fit = node_fit[n];
  fit.free_cpu_milli = node.allocatable.cpu_milli - requested.cpu_milli;
  fit.free_memory_bytes = node.allocatable.memory_bytes - requested.memory_bytes;
  fit.free_pods = static_cast<int32_t>(
      std::min<int64_t>(node.allocatable.pods - requested.pods, INT32_MAX));
  fit.score_class = kNone;
}

void Store::MarkReplicaSetDeleted(uint32_t id) {
  ReplicaSet& rs = replica_sets[id];
  rs.deleted = true;
  auto it = replica_set_names.find(NameKey(rs.namespace_name, rs.name));
  if (it != replica_set_names.end() && it->second == id) replica_set_names.erase(it);
}

uint32_t Store::AddService(std::string_view ns, std::string_view name, uint64_t seed) {
  Service s;
  s.name = name;
  s.namespace_name = ns;
  s.key = ObjectKey(ns, name);
  s.exists = false;
  s.delay_rng = Rng::Stream(seed, "endpoint-delay/" + s.key);
  const auto id = static_cast<uint32_t>(services.size());
  service_names.emplace(NameKey(ns, name), id);
  services.push_back(std::move(s));
  return id;
}

void Store::CountPod(uint32_t id, int sign) {
  const Pod& p = pods[id];
  if (p.owner_rs == kNone || p.deleted || p.state == PodState::kGone) return;
  ReplicaSet& rs = replica_sets[p.owner_rs];
  rs.active_pods += sign;
  rs.ready_active_pods += p.ready ? sign : 0;
}

bool Store::IsAvailable(const Pod& p, int32_t min_ready_seconds, SimTime now) {
  if (!p.ready || p.deleted || !p.ready_since) return false;
  if (min_ready_seconds == 0) return true;
  // IsPodAvailable: lastTransitionTime — in whole seconds, as the API keeps
  // it (metav1.Time) — + minReadySeconds before now. Before, or at: a
  // controller here syncs at the very instant of the change that queued it,
  // where Kubernetes' sync runs some milliseconds later; so the sync
  // minReadySeconds after the one a Ready pod caused (syncReplicaSet's
  // requeue) finds it available, as Kubernetes' does.
  const SimTime ltt =
      SimTime::FromMicros(p.ready_since->micros() / 1'000'000 * 1'000'000);
  return ltt + SimDuration::Seconds(min_ready_seconds) <= now;
}

int32_t Store::AvailableOf(const ReplicaSet& rs, SimTime now) const {
  // Without minReadySeconds, available is Ready (IsPodAvailable).
  if (rs.min_ready_seconds == 0) return rs.ready_active_pods;
  int32_t n = 0;
  for (uint32_t pod : rs.pods) n += IsAvailable(pods[pod], rs.min_ready_seconds, now);
  return n;
}

int32_t Store::ActivePods(uint32_t d) const {
  int32_t n = 0;
  for (uint32_t rs : deployments[d].replica_sets) n += replica_sets[rs].active_pods;
  return n;
}

int32_t Store::AvailablePods(uint32_t d, SimTime now) const {
  int32_t n = 0;
  for (uint32_t rs : deployments[d].replica_sets) n += AvailableOf(replica_sets[rs], now);
  return n;
}

PodInfo Store::InfoOf(uint32_t id) const {
  const Pod& p = pods[id];
  PodInfo info;
  info.id = id;
  info.name = p.name;
  if (p.owner_rs != kNone) {
    const ReplicaSet& rs = replica_sets[p.owner_rs];
    info.owner =
        rs.owner != kNone ? std::string_view(deployments[rs.owner].key) : std::string_view(rs.name);
  }
  info.version = p.version;
  info.node = p.node != kNone ? std::string_view(nodes[p.node].name) : std::string_view();
  info.state = p.state;
  info.serving = p.serving;
  info.restarts = p.restarts;
  return info;
}

void Store::MarkServiceChanged(uint32_t sid) {
  if (services[sid].changed) return;
  services[sid].changed = true;
  changed_services.push_back(sid);
  // What a router's clients see includes this one (StoreView).
  for (uint32_t from : services[sid].split_from) MarkServiceChanged(from);
}

}  // namespace kubesim::cluster
