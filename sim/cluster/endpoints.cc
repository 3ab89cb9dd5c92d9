// Endpoints: for each Service the live set — Ready, non-terminating pods of
// its namespace matching its selector, or, when there are none, the
// terminating pods that are still Ready (EndpointSlice `serving`, kube-proxy's
// fallback since Kubernetes 1.26) — and the copy clients see, which follows
// each change endpointDelay later (EndpointSlice controller, API server,
// kube-proxy). A drawn delay never lets a later change overtake an earlier one.
#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "world.h"

namespace kubesim::cluster {

void World::MarkEndpointsDirty(const std::string& ns) {
  for (Service& s : services_) {
    if (s.namespace_name == ns) s.dirty = true;
  }
  if (!endpoints_event_pending_) {
    endpoints_event_pending_ = true;
    Schedule(SimDuration::Zero(), kPhaseEndpoints, EventKind::kEndpoints, 0);
  }
}

void World::RecomputeEndpoints() {
  endpoints_event_pending_ = false;
  for (uint32_t sid = 0; sid < services_.size(); ++sid) {
    Service& s = services_[sid];
    if (!s.dirty) continue;
    s.dirty = false;
    std::vector<uint32_t> ready, terminating_ready;
    if (s.exists && !s.selector.empty()) {
      for (uint32_t id = 0; id < pods_.size(); ++id) {
        const Pod& p = pods_[id];
        if (p.state == PodState::kGone || !p.ready || p.namespace_name != s.namespace_name ||
            !k8s::MapSelectorMatches(s.selector, p.labels)) {
          continue;
        }
        (p.deleted ? terminating_ready : ready).push_back(id);
      }
    }
    std::vector<uint32_t>& live = ready.empty() ? terminating_ready : ready;
    if (live == s.live) continue;
    s.live = live;
    const uint64_t seq = s.next_snapshot++;
    s.pending[seq] = EndpointSnapshot{live};
    const SimDuration delay = scenario_->cluster.timing.endpoint_delay.Draw(s.delay_rng);
    const SimTime at = std::max(loop_.Now() + delay, s.last_visible_at);
    s.last_visible_at = at;
    loop_.At(at, kPhaseEndpoints, Event{static_cast<uint32_t>(EventKind::kEndpointsVisible), sid, seq});
  }
}

void World::EndpointsVisible(uint32_t sid, uint64_t seq) {
  Service& s = services_[sid];
  auto it = s.pending.find(seq);
  if (it == s.pending.end()) return;
  s.visible_pods = std::move(it->second.pods);
  s.pending.erase(it);
  s.visible.clear();
  std::set<std::string_view> versions;
  for (uint32_t id : s.visible_pods) {
    s.visible.push_back(EndpointInfo{id, pods_[id].version, pods_[id].serving});
    versions.insert(pods_[id].version);
  }
  std::string list;
  for (std::string_view v : versions) list += fmt::format("{}{}", list.empty() ? "" : ", ", v);
  Emit("service/" + s.name, fmt::format("clients see {} endpoint{}{}", s.visible_pods.size(),
                                         s.visible_pods.size() == 1 ? "" : "s",
                                         list.empty() ? "" : " (" + list + ")"));
  RequestStartCheck();
}

void World::RefreshVisibleServing(uint32_t sid) {
  // Re-pointed every instant: `version` views pods_, which may have grown.
  for (EndpointInfo& e : services_[sid].visible) {
    e.serving = pods_[e.pod].serving;
    e.version = pods_[e.pod].version;
  }
}

void World::RequestStartCheck() {
  if (start_check_pending_) return;
  const bool any = std::any_of(services_.begin(), services_.end(),
                               [](const Service& s) { return !s.started && !s.from; });
  if (!any) return;
  start_check_pending_ = true;
  Schedule(SimDuration::Zero(), kPhaseClient, EventKind::kServiceStartCheck, 0, 0);
}

void World::CheckServiceStarts() {
  start_check_pending_ = false;
  for (uint32_t sid = 0; sid < services_.size(); ++sid) {
    const Service& s = services_[sid];
    if (s.started || s.from) continue;
    const bool serving = std::any_of(s.visible_pods.begin(), s.visible_pods.end(),
                                     [&](uint32_t id) { return pods_[id].serving; });
    if (serving) StartService(sid);
  }
}

}  // namespace kubesim::cluster
