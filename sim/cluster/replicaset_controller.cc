// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go):
// manageReplicas creates or deletes pods until the non-terminating pods match
// spec.replicas, deleting in ActivePodsWithRanks order (scheduling.h); then
// the status counts (replicas, ready, available) are written, and the owning
// Deployment is queued when they change.
#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "kubesim/k8s/defaults.h"
#include "world.h"

namespace kubesim::cluster {
namespace {

constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
constexpr int32_t kBurstReplicas = k8s::defaults::kReplicaSetBurstReplicas;

}  // namespace

bool World::IsAvailable(const Pod& p, int32_t min_ready_seconds) const {
  // IsPodAvailable: Ready, and Ready for minReadySeconds (lastTransitionTime +
  // minReadySeconds <= now).
  if (!p.ready || p.deleted || !p.ready_since) return false;
  return min_ready_seconds == 0 ||
         *p.ready_since + SimDuration::Seconds(min_ready_seconds) <= loop_.Now();
}

void World::EnqueueReplicaSet(uint32_t id) {
  ReplicaSet& rs = replica_sets_[id];
  if (rs.queued) return;
  rs.queued = true;
  Schedule(Draw(scenario_->cluster.timing.controller_delay, "controller-delay", rs.name),
           kPhaseControl, EventKind::kSyncReplicaSet, id);
}

void World::SyncReplicaSet(uint32_t id) {
  ReplicaSet& rs = replica_sets_[id];
  rs.queued = false;
  if (rs.deleted) return;

  const int32_t diff = rs.active_pods - rs.view.replicas;
  if (diff < 0) {
    const int32_t create = std::min(-diff, kBurstReplicas);
    for (int32_t i = 0; i < create; ++i) {
      // A pod name: the ReplicaSet's name and five random characters (utilrand.String(5)).
      Rng rng = Rng::Stream(seed_, fmt::format("pod-name/{}/{}", rs.name, rs.name_counter++));
      std::string suffix(5, ' ');
      for (char& c : suffix) c = kAlphanums[rng.Below(kAlphanums.size())];
      k8s::Labels labels = rs.template_->metadata.labels;
      if (!rs.hash.empty()) labels["pod-template-hash"] = rs.hash;
      auto spec = std::shared_ptr<const k8s::PodSpec>(rs.template_, &rs.template_->spec);
      // CreatePod grows pods_ only: `rs` stays valid.
      CreatePod(rs.namespace_name, rs.name + "-" + suffix, labels, spec, id);
    }
    if (create < -diff) EnqueueReplicaSet(id);  // the rest next sync
  } else if (diff > 0) {
    std::vector<uint32_t> active;
    for (uint32_t pod : rs.pods) {
      if (!pods_[pod].deleted) active.push_back(pod);
    }
    // getPodsToDelete: rank by ActivePodsWithRanks, counting for each pod the
    // related (same Deployment) active pods on its node.
    // Counted in a scratch array by node (index node + 1: unbound pods at 0),
    // cleared again below: O(related pods), whatever the number of nodes.
    std::vector<int32_t>& on_node = colocated_;
    if (on_node.size() < nodes_.size() + 1) on_node.resize(nodes_.size() + 1, 0);
    const auto slot = [](uint32_t node) { return node == kNone ? size_t{0} : size_t{node} + 1; };
    const auto count_related = [&](int32_t sign) {
      const auto count = [&](const ReplicaSet& r) {
        for (uint32_t pod : r.pods) {
          if (!pods_[pod].deleted) on_node[slot(pods_[pod].node)] += sign;
        }
      };
      if (rs.owner != kNone) {
        for (uint32_t other : deployments_[rs.owner].replica_sets) count(replica_sets_[other]);
      } else {
        count(rs);
      }
    };
    count_related(+1);
    auto rank = [&](uint32_t pod) {
      const Pod& p = pods_[pod];
      PodDeletionRank r;
      r.assigned = p.node != kNone;
      r.phase_ordinal = p.state == PodState::kPending || p.state == PodState::kPulling ? 0 : 2;
      r.ready = p.ready;
      r.colocated = on_node[slot(p.node)];
      r.ready_since = p.ready_since;
      r.max_restarts = p.restarts;
      r.created = p.created;
      r.uid = pod;
      return r;
    };
    // Rank each pod once, then sort.
    const SimTime now = loop_.Now();
    std::vector<std::pair<PodDeletionRank, uint32_t>> ranked;
    ranked.reserve(active.size());
    for (uint32_t pod : active) ranked.emplace_back(rank(pod), pod);
    count_related(-1);  // the scratch array is all zeros again
    std::stable_sort(ranked.begin(), ranked.end(), [&](const auto& a, const auto& b) {
      return DeleteFirst(a.first, b.first, now);
    });
    for (size_t i = 0; i < ranked.size(); ++i) active[i] = ranked[i].second;
    active.resize(static_cast<size_t>(diff));
    for (uint32_t pod : active) DeletePod(pod);
  }

  // calculateStatus: counts over non-terminating pods.
  ReplicaSetView& v = replica_sets_[id].view;
  const ReplicaSetView before = v;
  if (replica_sets_[id].min_ready_seconds == 0) {
    // From the counters: without minReadySeconds, available means Ready.
    v.status_replicas = replica_sets_[id].active_pods;
    v.ready_replicas = replica_sets_[id].ready_active_pods;
    v.available_replicas = replica_sets_[id].ready_active_pods;
    if (!(before == v) && replica_sets_[id].owner != kNone) EnqueueDeployment(replica_sets_[id].owner);
    return;
  }
  std::vector<uint32_t> active;
  for (uint32_t pod : replica_sets_[id].pods) {
    if (!pods_[pod].deleted) active.push_back(pod);
  }
  v.status_replicas = 0;
  v.ready_replicas = 0;
  v.available_replicas = 0;
  std::optional<SimTime> next_available;
  for (uint32_t pod : active) {
    const Pod& p = pods_[pod];
    ++v.status_replicas;
    v.ready_replicas += p.ready;
    if (IsAvailable(p, replica_sets_[id].min_ready_seconds)) {
      ++v.available_replicas;
    } else if (p.ready && p.ready_since) {
      const SimTime at = *p.ready_since + SimDuration::Seconds(replica_sets_[id].min_ready_seconds);
      next_available = next_available ? std::min(*next_available, at) : at;
    }
  }
  // Ready but not yet available: sync again when the first becomes available.
  if (next_available) {
    Schedule(*next_available - loop_.Now(), kPhaseControl, EventKind::kSyncReplicaSet, id);
  }
  if (!(before == v) && replica_sets_[id].owner != kNone) {
    EnqueueDeployment(replica_sets_[id].owner);
  }
}

}  // namespace kubesim::cluster
