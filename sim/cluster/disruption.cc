// PodDisruptionBudgets, evictions and `kubectl drain`; see disruption.h.
#include "disruption.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>
#include <vector>

namespace kubesim::cluster {
namespace {

// kubectl drain's EvictErrorRetryDelay (k8s.io/kubectl/pkg/cmd/drain).
constexpr SimDuration kEvictRetryDelay = SimDuration::Seconds(5);

}  // namespace

Disruption::Disruption(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

bool Disruption::Matches(const DisruptionBudget& b, const Pod& p) const {
  // policy/v1: an absent selector matches nothing, an empty one every pod.
  return b.exists && b.spec.selector && p.namespace_name == b.namespace_name &&
         p.state != PodState::kGone && b.spec.selector->Matches(*p.labels);
}

void Disruption::Apply(const k8s::PodDisruptionBudget& obj) {
  uint32_t id = kNone;
  for (uint32_t b = 0; b < store_.budgets.size(); ++b) {
    if (store_.budgets[b].exists && store_.budgets[b].name == obj.metadata.name &&
        store_.budgets[b].namespace_name == obj.metadata.namespace_name) {
      id = b;
    }
  }
  if (id == kNone) {
    id = static_cast<uint32_t>(store_.budgets.size());
    store_.budgets.emplace_back();
    store_.budgets[id].name = obj.metadata.name;
    store_.budgets[id].namespace_name = obj.metadata.namespace_name;
  }
  DisruptionBudget& b = store_.budgets[id];
  b.spec = obj.spec;
  b.members.clear();
  for (uint32_t pod = 0; pod < store_.pods.size(); ++pod) {
    if (Matches(b, store_.pods[pod])) b.members.push_back(pod);
  }
  ctx_.EmitLazy([&] { return "poddisruptionbudget/" + b.name; },
                [&] { return fmt::format("applied ({} pods selected)", b.members.size()); });
}

void Disruption::Delete(std::string_view ns, std::string_view name) {
  for (DisruptionBudget& b : store_.budgets) {
    if (b.exists && b.name == name && b.namespace_name == ns) {
      b.exists = false;
      b.members.clear();
      ctx_.EmitLazy([&] { return "poddisruptionbudget/" + b.name; }, [&] { return "deleted"; });
    }
  }
}

void Disruption::IndexPod(uint32_t pod) {
  for (DisruptionBudget& b : store_.budgets) {
    auto it = std::lower_bound(b.members.begin(), b.members.end(), pod);
    const bool listed = it != b.members.end() && *it == pod;
    const bool matches = Matches(b, store_.pods[pod]);
    if (matches && !listed) b.members.insert(it, pod);
    if (!matches && listed) b.members.erase(it);
  }
}

void Disruption::UnindexPod(uint32_t pod) {
  for (DisruptionBudget& b : store_.budgets) {
    auto it = std::lower_bound(b.members.begin(), b.members.end(), pod);
    if (it != b.members.end() && *it == pod) b.members.erase(it);
  }
}

BudgetStatus ComputeBudgetStatus(const k8s::PodDisruptionBudgetSpec& spec, int32_t pods,
                                 int32_t healthy, int32_t controllers_scale, bool sync_failed) {
  BudgetStatus s;
  s.current_healthy = healthy;
  // getExpectedPodCount. Percentages round up (GetScaledValueFromIntOrPercent
  // with roundUp), so maxUnavailable's healthy floor rounds down. An integer
  // minAvailable counts the matching pods themselves; the other forms the
  // controllers' scale, and only they look the controllers up — so only
  // they fail when one is gone. A budget with neither field expects no pods
  // and so allows no disruption.
  const bool uses_scale =
      spec.max_unavailable || (spec.min_available && spec.min_available->is_percent);
  if (!uses_scale) sync_failed = false;
  if (spec.max_unavailable) {
    s.expected_pods = controllers_scale;
    const int32_t max_unavailable = spec.max_unavailable->Resolve(s.expected_pods, true);
    s.desired_healthy = std::max(0, s.expected_pods - max_unavailable);
  } else if (spec.min_available) {
    if (!spec.min_available->is_percent) {
      s.desired_healthy = spec.min_available->value;
      s.expected_pods = pods;
    } else {
      s.expected_pods = controllers_scale;
      s.desired_healthy = spec.min_available->Resolve(s.expected_pods, true);
    }
  }
  s.disruptions_allowed = s.current_healthy - s.desired_healthy;
  if (s.expected_pods <= 0 || s.disruptions_allowed <= 0 || sync_failed) {
    s.disruptions_allowed = 0;
  }
  return s;
}

BudgetStatus Disruption::StatusOf(uint32_t id) const {
  const DisruptionBudget& b = store_.budgets[id];
  // countHealthyPods: Ready and not terminating.
  int32_t healthy = 0;
  for (uint32_t pod : b.members) {
    const Pod& p = store_.pods[pod];
    if (!p.deleted && p.ready) ++healthy;
  }
  // getExpectedScale: the scale of each distinct controller of the pods — a
  // ReplicaSet's Deployment when it has one, so a rollout's old and new
  // ReplicaSets count once. Pods without a controller are left out; a
  // controller that is gone fails the sync.
  bool sync_failed = false;
  std::vector<std::pair<bool, uint32_t>> controllers;  // (is a Deployment, id)
  for (uint32_t pod : b.members) {
    const uint32_t rs = store_.pods[pod].owner_rs;
    if (rs == kNone) continue;
    const uint32_t d = store_.replica_sets[rs].owner;
    // getPodReplicaSet and getPodDeployment both need the ReplicaSet.
    const bool gone =
        store_.replica_sets[rs].deleted || (d != kNone && store_.deployments[d].deleted);
    if (gone) sync_failed = true;
    controllers.emplace_back(d != kNone, d != kNone ? d : rs);
  }
  std::sort(controllers.begin(), controllers.end());
  controllers.erase(std::unique(controllers.begin(), controllers.end()), controllers.end());
  int32_t scale = 0;
  for (const auto& [is_deployment, c] : controllers) {
    scale += is_deployment ? store_.deployments[c].spec.replicas
                           : store_.replica_sets[c].view.replicas;
  }
  return ComputeBudgetStatus(b.spec, static_cast<int32_t>(b.members.size()), healthy, scale,
                             sync_failed);
}

void Disruption::DrainNode(uint32_t n) {
  // A copy: an eviction that deletes a pod with nothing to stop removes it
  // from the node's list at once.
  for (uint32_t pod : std::vector<uint32_t>(store_.nodes[n].pods)) Evict(pod);
}

// The eviction subresource's create, and kubectl's reaction to its answer.
void Disruption::Evict(uint32_t id) { Evict(id, /*retry=*/true); }

Api::Eviction Disruption::Evict(uint32_t id, bool retry) {
  const Pod& p = store_.pods[id];
  // NotFound, or already terminating (canIgnorePDB): kubectl is done with it.
  if (p.deleted || p.state == PodState::kGone) return Api::Eviction::kEvicted;
  // canIgnorePDB: a Pending pod (and a Succeeded or Failed one) goes at once.
  if (PhaseOf(p) != PodPhase::kPending) {
    uint32_t budget = kNone;
    int budgets = 0;
    for (uint32_t b = 0; b < store_.budgets.size(); ++b) {
      const std::vector<uint32_t>& m = store_.budgets[b].members;
      if (store_.budgets[b].exists && std::binary_search(m.begin(), m.end(), id)) {
        budget = b;
        ++budgets;
      }
    }
    if (budgets > 1) {
      // A 500, not a 429: kubectl gives up on this pod.
      EmitPod(ctx_, store_, id,
              "eviction failed: This pod has more than one PodDisruptionBudget, which the "
              "eviction subresource does not support.");
      return Api::Eviction::kFailed;
    }
    if (budget != kNone) {
      const BudgetStatus s = StatusOf(budget);
      const DisruptionBudget& b = store_.budgets[budget];
      // A pod that is not Ready may go without using the budget: always
      // under AlwaysAllow, under IfHealthyBudget (the default) while the
      // budget is met.
      const bool unhealthy_may_go =
          !p.ready && (b.spec.unhealthy_pod_eviction_policy == "AlwaysAllow" ||
                       (s.current_healthy >= s.desired_healthy && s.desired_healthy > 0));
      if (!unhealthy_may_go && s.disruptions_allowed == 0) {
        // checkAndDecrement's 429; kubectl drain waits and asks again.
        ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                      [&] {
                        return fmt::format(
                            "eviction refused{}: Cannot evict pod as it "
                            "would violate the pod's disruption budget. The disruption budget "
                            "{} needs {} healthy pods and has {} currently",
                            retry ? " (will retry after 5s)" : "", b.name, s.desired_healthy,
                            s.current_healthy);
                      });
        if (retry) ctx_.Schedule(kEvictRetryDelay, kPhaseTimeline, EventKind::kEvictRetry, id);
        return Api::Eviction::kRefused;
      }
    }
  }
  EmitPod(ctx_, store_, id, "evicted");
  api_.DeletePod(id);
  return Api::Eviction::kEvicted;
}

}  // namespace kubesim::cluster
