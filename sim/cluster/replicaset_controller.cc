// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go):
// manageReplicas creates or deletes pods until the non-terminating pods match
// spec.replicas, deleting in ActivePodsWithRanks order (scheduling.h); then
// the status counts (replicas, ready, available) are written, and the owning
// Deployment is queued when they change.
#include "replicaset_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>
#include <map>

#include "kubesim/k8s/defaults.h"

namespace kubesim::cluster {
namespace {

constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
constexpr int32_t kBurstReplicas = k8s::defaults::kReplicaSetBurstReplicas;

}  // namespace

ReplicaSetController::ReplicaSetController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

void ReplicaSetController::Enqueue(uint32_t id) {
  ReplicaSet& rs = store_.replica_sets[id];
  if (rs.queued) return;
  rs.queued = true;
  ctx_.Schedule(
      ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", rs.name),
      kPhaseControl, EventKind::kSyncReplicaSet, id);
}

void ReplicaSetController::EnqueueAfter(uint32_t id, SimDuration delay) {
  ReplicaSet& rs = store_.replica_sets[id];
  const SimTime at = ctx_.Now() + delay;
  if (rs.delayed_sync && rs.delayed_sync_at <= at) return;
  rs.delayed_sync = true;
  rs.delayed_sync_at = at;
  ctx_.Schedule(delay, kPhaseControl, EventKind::kSyncReplicaSet, id,
                1 + static_cast<uint64_t>(at.micros()));
}

void ReplicaSetController::Sync(uint32_t id, uint64_t payload) {
  ReplicaSet& rs = store_.replica_sets[id];
  if (payload != 0) {
    if (!rs.delayed_sync || payload - 1 != static_cast<uint64_t>(rs.delayed_sync_at.micros())) {
      return;  // replaced by a sooner one
    }
    rs.delayed_sync = false;
    if (rs.queued) return;  // already in the queue: the same key is synced once
  } else {
    rs.queued = false;
  }
  if (rs.deleted) return;

  const int32_t diff = rs.active_pods - rs.view.replicas;
  if (diff < 0) {
    const int32_t create = std::min(-diff, kBurstReplicas);
    for (int32_t i = 0; i < create; ++i) {
      // A pod name: the ReplicaSet's name and five random characters (utilrand.String(5)).
      fmt::memory_buffer stream;  // on the stack
      fmt::format_to(std::back_inserter(stream), "pod-name/{}/{}", rs.name, rs.name_counter++);
      Rng rng = Rng::Stream(ctx_.seed(), std::string_view(stream.data(), stream.size()));
      std::string suffix(5, ' ');
      for (char& c : suffix) c = kAlphanums[rng.Below(kAlphanums.size())];
      if (!rs.pod_labels) {
        k8s::Labels labels = rs.template_->metadata.labels;
        if (!rs.hash.empty()) labels[std::string(rs.hash_key)] = rs.hash;
        rs.pod_labels = std::make_shared<const k8s::Labels>(std::move(labels));
      }
      auto spec = std::shared_ptr<const k8s::PodSpec>(rs.template_, &rs.template_->spec);
      // CreatePod grows store_.pods only: `rs` stays valid. kNone: the run
      // has created all the pods it may, and stops.
      const size_t app = k8s::AppContainerIndex(rs.template_->metadata, *spec);
      auto annotations =
          std::shared_ptr<const k8s::Labels>(rs.template_, &rs.template_->metadata.annotations);
      if (api_.CreatePod(rs.namespace_name, rs.name + "-" + suffix, rs.pod_labels,
                         std::move(annotations), spec, id, app) == kNone) {
        return;
      }
    }
    if (create < -diff) Enqueue(id);  // the rest next sync
  } else if (diff > 0) {
    std::vector<uint32_t>& active = active_;
    active.clear();
    for (uint32_t pod : rs.pods) {
      if (!store_.pods[pod].deleted) active.push_back(pod);
    }
    // getPodsToDelete: rank by ActivePodsWithRanks, counting for each pod the
    // related (same Deployment) active pods on its node.
    // Counted in a scratch array by node (index node + 1: unbound pods at 0),
    // cleared again below: O(related pods), whatever the number of nodes.
    std::vector<int32_t>& on_node = colocated_;
    if (on_node.size() < store_.nodes.size() + 1) on_node.resize(store_.nodes.size() + 1, 0);
    const auto slot = [](uint32_t node) { return node == kNone ? size_t{0} : size_t{node} + 1; };
    const auto count_related = [&](int32_t sign) {
      const auto count = [&](const ReplicaSet& r) {
        for (uint32_t pod : r.pods) {
          if (!store_.pods[pod].deleted) on_node[slot(store_.pods[pod].node)] += sign;
        }
      };
      if (rs.owner != kNone) {
        for (uint32_t other : store_.deployments[rs.owner].replica_sets)
          count(store_.replica_sets[other]);
      } else {
        count(rs);
      }
    };
    count_related(+1);
    const SimTime now = ctx_.Now();
    auto rank = [&](uint32_t pod) {
      const Pod& p = store_.pods[pod];
      PodDeletionRank r;
      r.assigned = p.node != kNone;
      r.phase_ordinal = PhaseOf(p) == PodPhase::kPending ? 0 : 2;  // status.phase (no Unknown)
      r.ready = p.ready;
      r.deletion_cost = p.deletion_cost;
      r.colocated = on_node[slot(p.node)];
      r.ready_since = p.ready_since;
      r.max_restarts = store_.MaxContainerRestarts(p);
      r.created = p.created;
      // Kubernetes breaks the last ties by UID, random per pod: a seeded
      // one here (splitmix64 of the run's seed and the pod), so that which
      // of two equally ranked pods goes is a draw, the same in every run of
      // a seed.
      uint64_t z = ctx_.seed() * 0x9E3779B97F4A7C15ull + pod + 1;
      z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
      z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
      r.uid = z ^ (z >> 31);
      RankAt(r, now);
      return r;
    };
    // Rank each pod once, then sort their positions (4 bytes each, not the
    // ranks: the same comparisons, so the same stable order, with cheaper moves).
    std::vector<PodDeletionRank>& ranks = ranks_;
    std::vector<uint32_t>& order = order_;
    ranks.clear();
    order.clear();
    for (uint32_t pod : active) {
      order.push_back(static_cast<uint32_t>(ranks.size()));
      ranks.push_back(rank(pod));
    }
    count_related(-1);  // the scratch array is all zeros again
    // The first `diff` in that order, by a partial sort (no sorting of the
    // rest, no merge buffer). Pods DeleteFirst ranks equal are taken in
    // their pod-list order, positions being the last key, as the stable
    // sort before it took them. Like ActivePodsWithRanks.Less
    // (pkg/controller/controller_utils.go), DeleteFirst is not transitive
    // where a UID tie-break within a log2 bucket (rules 6 and 8) meets pods
    // tied exactly on that rule; in such a cycle no order is the order, and
    // Go's sort.Sort, std::stable_sort and this pick may each choose
    // differently.
    const size_t victim_count = std::min(static_cast<size_t>(diff), order.size());
    std::partial_sort(order.begin(), order.begin() + static_cast<ptrdiff_t>(victim_count),
                      order.end(), [&](uint32_t a, uint32_t b) {
                        if (DeleteFirst(ranks[a], ranks[b])) return true;
                        if (DeleteFirst(ranks[b], ranks[a])) return false;
                        return a < b;
                      });
    // The victims leave the scratch before any DeletePod runs (its
    // notifications only queue work, but the scratch is this class's).
    std::vector<uint32_t> victims(victim_count);
    for (size_t i = 0; i < victims.size(); ++i) victims[i] = active[order[i]];
    for (uint32_t pod : victims) api_.DeletePod(pod);
  }

  // calculateStatus: counts over non-terminating pods.
  ReplicaSetView& v = store_.replica_sets[id].view;
  const ReplicaSetView before = v;
  if (store_.replica_sets[id].min_ready_seconds == 0) {
    // From the counters: without minReadySeconds, available means Ready.
    v.status_replicas = store_.replica_sets[id].active_pods;
    v.ready_replicas = store_.replica_sets[id].ready_active_pods;
    v.available_replicas = store_.replica_sets[id].ready_active_pods;
    if (!(before == v) && store_.replica_sets[id].owner != kNone) api_.ReplicaSetStatusUpdated(id);
    return;
  }
  std::vector<uint32_t> active;
  for (uint32_t pod : store_.replica_sets[id].pods) {
    if (!store_.pods[pod].deleted) active.push_back(pod);
  }
  v.status_replicas = 0;
  v.ready_replicas = 0;
  v.available_replicas = 0;
  const int32_t min_ready = store_.replica_sets[id].min_ready_seconds;
  for (uint32_t pod : active) {
    const Pod& p = store_.pods[pod];
    ++v.status_replicas;
    v.ready_replicas += p.ready;
    v.available_replicas += Store::IsAvailable(p, min_ready, ctx_.Now());
  }
  // syncReplicaSet: every replica Ready but not all available — sync again
  // minReadySeconds later. (A pod turning Ready also queues a sync
  // minReadySeconds + 1 s later: PodUpdated.)
  if (v.ready_replicas == v.replicas && v.available_replicas != v.replicas) {
    EnqueueAfter(id, SimDuration::Seconds(min_ready));
  }
  if (!(before == v) && store_.replica_sets[id].owner != kNone) {
    api_.ReplicaSetStatusUpdated(id);
  }
}

// The pod informer's handler (replica_set.go updatePod): a pod's owner
// syncs again; a pod that has just turned Ready also queues a sync
// minReadySeconds + 1 s later ("Add a second to avoid milliseconds skew in
// AddAfter"), when it may count as available.
void ReplicaSetController::PodUpdated(uint32_t pod) {
  const Pod& p = store_.pods[pod];
  if (p.owner_rs == kNone) return;
  Enqueue(p.owner_rs);
  const int32_t min_ready = store_.replica_sets[p.owner_rs].min_ready_seconds;
  if (min_ready > 0 && p.ready && p.ready_since == ctx_.Now() && !p.deleted) {
    EnqueueAfter(p.owner_rs, SimDuration::Seconds(min_ready + 1));
  }
}

}  // namespace kubesim::cluster
