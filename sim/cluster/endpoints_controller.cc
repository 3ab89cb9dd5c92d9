// Endpoints: for each Service the live set — Ready, non-terminating pods of
// its namespace matching its selector, or, when there are none, the
// terminating pods that are still Ready (EndpointSlice `serving`, kube-proxy's
// fallback since Kubernetes 1.26); with publishNotReadyAddresses every such
// pod with an address — and the copy clients see, which follows
// each change endpointDelay later (EndpointSlice controller, API server,
// kube-proxy). A drawn delay never lets a later change overtake an earlier one.
#include "endpoints_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "load_balancer.h"

namespace kubesim::cluster {

EndpointsController::EndpointsController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

void EndpointsController::RequestEndpoints() {
  if (!endpoints_event_pending_) {
    endpoints_event_pending_ = true;
    ctx_.Schedule(SimDuration::Zero(), kPhaseEndpoints, EventKind::kEndpoints, 0);
  }
}

void EndpointsController::MarkServiceDirty(uint32_t sid) {
  if (store_.services[sid].dirty) return;
  store_.services[sid].dirty = true;
  dirty_services_.push_back(sid);
}

void EndpointsController::MarkMemberChanged(uint32_t sid, uint32_t pod) {
  store_.services[sid].changed_members.push_back(pod);
  MarkServiceDirty(sid);
}

namespace {

bool Selects(const Service& s, const Pod& p) {
  return s.exists && !s.selector.empty() && p.namespace_name == s.namespace_name &&
         k8s::MapSelectorMatches(s.selector, *p.labels);
}

std::string LabelKey(std::string_view k, std::string_view v) {
  std::string key(k);
  key += '\0';
  key += v;
  return key;
}

}  // namespace

// A Service's selector changed (or it was created or deleted): its members
// are found again among the namespace's live pods. Rare (an apply, a patch),
// so a walk of the pods is fine here; the label index below keeps the
// per-pod cost independent of the number of Services.
void EndpointsController::IndexService(uint32_t sid) {
  ++services_gen_;
  Service& s = store_.services[sid];
  for (uint32_t id : s.members) EraseSorted(store_.pods[id].services, sid);
  s.members.clear();
  s.rebuild = true;
  for (auto& [key, ids] : store_.services_by_label) EraseSorted(ids, sid);
  if (!s.exists || s.selector.empty()) return;
  const auto& [k, v] = *s.selector.begin();
  InsertSorted(store_.services_by_label[LabelKey(k, v)], sid);
  for (uint32_t id = 0; id < store_.pods.size(); ++id) {
    Pod& p = store_.pods[id];
    if (p.state == PodState::kGone || !Selects(s, p)) continue;
    s.members.push_back(id);
    InsertSorted(p.services, sid);
  }
}

// A pod was created or its labels changed: the Services selecting it are
// those indexed under one of its labels whose whole selector matches.
void EndpointsController::IndexPodServices(uint32_t id) {
  Pod& p = store_.pods[id];
  std::vector<uint32_t> found;
  // A pod with its ReplicaSet's shared labels (in its namespace) has the
  // Services the ReplicaSet last found for them, while no selector changed.
  ReplicaSet* rs = p.owner_rs != kNone ? &store_.replica_sets[p.owner_rs] : nullptr;
  const bool shared = rs != nullptr && p.labels == rs->pod_labels;
  if (shared && rs->pod_services_gen == services_gen_) {
    found = rs->pod_services;
  } else {
    for (const auto& [k, v] : *p.labels) {
      auto it = store_.services_by_label.find(LabelKey(k, v));
      if (it == store_.services_by_label.end()) continue;
      for (uint32_t sid : it->second) {
        if (Selects(store_.services[sid], p)) found.push_back(sid);
      }
    }
    std::sort(found.begin(), found.end());
    found.erase(std::unique(found.begin(), found.end()), found.end());
    if (shared) {
      rs->pod_services = found;
      rs->pod_services_gen = services_gen_;
    }
  }
  for (uint32_t sid : p.services) {
    if (!std::binary_search(found.begin(), found.end(), sid)) {
      EraseSorted(store_.services[sid].members, id);
      MarkMemberChanged(sid, id);
    }
  }
  for (uint32_t sid : found) {
    if (!std::binary_search(p.services.begin(), p.services.end(), sid)) {
      InsertSorted(store_.services[sid].members, id);
      MarkMemberChanged(sid, id);
    }
  }
  p.services = std::move(found);
}

void EndpointsController::UnindexPod(uint32_t id) {
  for (uint32_t sid : store_.pods[id].services) {
    EraseSorted(store_.services[sid].members, id);
    MarkMemberChanged(sid, id);
  }
  store_.pods[id].services.clear();
}

// kEndpoints: each dirty Service's live set from its members only.
void EndpointsController::RecomputeEndpoints() {
  endpoints_event_pending_ = false;
  std::vector<uint32_t> dirty;
  dirty.swap(dirty_services_);
  std::sort(dirty.begin(), dirty.end());  // Services in id order, as events are scheduled
  for (uint32_t sid : dirty) {
    Service& s = store_.services[sid];
    s.dirty = false;
    // Ready pods (Ready and not gone) of the members, terminating apart;
    // with publishNotReadyAddresses every member with an address (bound and
    // not gone) is ready (endpointslice podToEndpoint: ready =
    // publishNotReadyAddresses || (serving && !terminating)).
    const auto place = [&](uint32_t id) -> int {  // 0: neither, 1: ready, 2: terminating ready
      const Pod& p = store_.pods[id];
      if (s.publish_not_ready) return p.state != PodState::kGone && p.node != kNone ? 1 : 0;
      if (p.state == PodState::kGone || !p.ready) return 0;
      return p.deleted ? 2 : 1;
    };
    const bool rebuilt = s.rebuild;
    if (s.rebuild) {
      s.rebuild = false;
      s.ready.clear();
      s.terminating_ready.clear();
      for (uint32_t id : s.members) {
        const int where = place(id);
        if (where == 1) s.ready.push_back(id);
        if (where == 2) s.terminating_ready.push_back(id);
      }
    } else {
      std::sort(s.changed_members.begin(), s.changed_members.end());
      s.changed_members.erase(std::unique(s.changed_members.begin(), s.changed_members.end()),
                              s.changed_members.end());
      for (uint32_t id : s.changed_members) {
        const bool member = std::binary_search(s.members.begin(), s.members.end(), id);
        const int where = member ? place(id) : 0;
        if (where == 1)
          InsertSorted(s.ready, id);
        else
          EraseSorted(s.ready, id);
        if (where == 2)
          InsertSorted(s.terminating_ready, id);
        else
          EraseSorted(s.terminating_ready, id);
      }
    }
    // The load balancers in front of it: their controller registers pods
    // by its own rule (load_balancer.h).
    if (!s.balancers.empty()) balancers_->MembersChanged(sid, s.changed_members, rebuilt);
    s.changed_members.clear();
    const std::vector<uint32_t>& live = s.ready.empty() ? s.terminating_ready : s.ready;
    if (live == s.live) continue;
    s.live = live;
    const uint64_t seq = s.next_snapshot++;
    s.pending.emplace_back(seq, EndpointSnapshot{live});
    const SimDuration delay = ctx_.scenario().cluster.timing.endpoint_delay.Draw(s.delay_rng);
    const SimTime at = std::max(ctx_.Now() + delay, s.last_visible_at);
    s.last_visible_at = at;
    ctx_.loop().At(at, kPhaseEndpoints,
                   Event{static_cast<uint32_t>(EventKind::kEndpointsVisible), sid, seq});
  }
}

// The pods entering and leaving a Service's visible set learn it (visible_in).
void EndpointsController::UpdateVisibleIndex(uint32_t sid, const std::vector<uint32_t>& before) {
  const std::vector<uint32_t>& after = store_.services[sid].visible_pods;
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i] < after[j])) {
      EraseSorted(store_.pods[before[i++]].visible_in, sid);
    } else if (i == before.size() || after[j] < before[i]) {
      InsertSorted(store_.pods[after[j++]].visible_in, sid);
    } else {
      ++i;
      ++j;
    }
  }
}

void EndpointsController::EndpointsVisible(uint32_t sid, uint64_t seq) {
  Service& s = store_.services[sid];
  auto it = std::find_if(s.pending.begin(), s.pending.end(),
                         [seq](const auto& entry) { return entry.first == seq; });
  if (it == s.pending.end()) return;
  std::vector<uint32_t> before = std::move(s.visible_pods);
  s.visible_pods = std::move(it->second.pods);
  s.pending.erase(it);
  UpdateVisibleIndex(sid, before);
  store_.MarkServiceChanged(sid);
  // Entries of pods that stay are kept (a change of theirs in this instant
  // is applied at its end, RefreshTouched from World::EndInstant); entering
  // pods are read.
  std::vector<EndpointInfo>& next = next_visible_;  // scratch: takes the old list's storage
  next.clear();
  next.reserve(s.visible_pods.size());
  size_t i = 0;
  for (uint32_t id : s.visible_pods) {
    while (i < s.visible.size() && s.visible[i].pod < id) s.CountServing(s.visible[i++], -1);
    if (i < s.visible.size() && s.visible[i].pod == id) {
      next.push_back(s.visible[i++]);
    } else {
      next.push_back(EndpointInfo{id, store_.pods[id].version, store_.pods[id].serving});
      s.CountServing(next.back(), +1);
    }
  }
  for (; i < s.visible.size(); ++i) s.CountServing(s.visible[i], -1);
  s.visible.swap(next);
  ctx_.EmitLazy([&] { return "service/" + s.name; },
                [&] {
                  std::set<std::string_view> versions;
                  for (uint32_t id : s.visible_pods) versions.insert(store_.pods[id].version);
                  std::string list;
                  for (std::string_view v : versions) {
                    list += fmt::format("{}{}", list.empty() ? "" : ", ", v);
                  }
                  return fmt::format("clients see {} endpoint{}{}", s.visible_pods.size(),
                                     s.visible_pods.size() == 1 ? "" : "s",
                                     list.empty() ? "" : " (" + list + ")");
                });
  RequestStartCheck(std::span<const uint32_t>(&sid, 1));
}

void EndpointsController::RefreshVisibleEntry(uint32_t sid, uint32_t pod) {
  std::vector<EndpointInfo>& visible = store_.services[sid].visible;
  auto it = std::lower_bound(visible.begin(), visible.end(), pod,
                             [](const EndpointInfo& e, uint32_t id) { return e.pod < id; });
  if (it == visible.end() || it->pod != pod) return;
  Service& s = store_.services[sid];
  s.CountServing(*it, -1);
  it->serving = store_.pods[pod].serving;
  it->version = store_.pods[pod].version;
  s.CountServing(*it, +1);
}

void EndpointsController::RequestStartCheck(std::span<const uint32_t> candidates) {
  if (store_.awaiting_start.empty()) return;
  start_candidates_.insert(start_candidates_.end(), candidates.begin(), candidates.end());
  if (start_check_pending_) return;
  start_check_pending_ = true;
  ctx_.Schedule(SimDuration::Zero(), kPhaseClient, EventKind::kServiceStartCheck, 0, 0);
}

void EndpointsController::CheckServiceStarts() {
  start_check_pending_ = false;
  // The Services that may have gained a serving visible endpoint since the
  // last check (a new visible set, a visible pod now serving), in id order.
  std::vector<uint32_t> candidates;
  candidates.swap(start_candidates_);
  std::sort(candidates.begin(), candidates.end());
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  for (uint32_t sid : candidates) {
    const Service& s = store_.services[sid];
    if (s.started || s.from) continue;
    const bool serving = std::any_of(s.visible_pods.begin(), s.visible_pods.end(),
                                     [&](uint32_t id) { return store_.pods[id].serving; });
    if (serving) api_.ServiceServing(sid);
  }
}

// The pod informer's handler: the pod's place in each Service it is a
// member of is looked at again at the next recompute.
void EndpointsController::PodUpdated(uint32_t pod) {
  for (uint32_t s : store_.pods[pod].services) MarkMemberChanged(s, pod);
  RequestEndpoints();
}

// At the end of an instant: visible pods whose serving flag or version
// changed are re-read into their Services' client-visible lists.
void EndpointsController::RefreshTouched() {
  for (uint32_t pod : store_.touched_pods) {
    for (uint32_t s : store_.pods[pod].visible_in) {
      RefreshVisibleEntry(s, pod);
      store_.MarkServiceChanged(s);
    }
    if (!store_.balancers.empty()) balancers_->RefreshTouched(pod);
  }
  store_.touched_pods.clear();
}

}  // namespace kubesim::cluster
