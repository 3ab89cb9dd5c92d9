// What observers read of the cluster (include/kubesim/cluster/observer.h's
// ClusterView), answered from the store.
#ifndef KUBESIM_SIM_CLUSTER_CLUSTER_VIEW_H_
#define KUBESIM_SIM_CLUSTER_CLUSTER_VIEW_H_

#include <algorithm>

#include "context.h"
#include "kubesim/cluster/observer.h"
#include "store.h"

namespace kubesim::cluster {

class StoreView final : public ClusterView {
 public:
  StoreView(const Store& store, const Context& ctx) : store_(store), ctx_(ctx) {}

  SimTime Now() const override { return ctx_.Now(); }
  uint64_t EventsFired() const override { return ctx_.loop().events_fired(); }
  size_t PodCount() const override { return store_.pods.size(); }
  PodInfo PodAt(uint32_t id) const override { return store_.InfoOf(id); }
  size_t ServiceCount() const override { return store_.services.size(); }
  std::string_view ServiceKey(uint32_t s) const override { return store_.services[s].key; }
  bool ServiceStarted(uint32_t s) const override { return store_.services[s].started; }
  // What the Service's clients reach: kube-proxy's endpoints, or, when they
  // all come through a load balancer, the pods it routes to (load_balancer.h).
  // A traffic router's split (traffic_router.h): with all of the Service's
  // requests sent to another Service, its clients see that one's endpoints;
  // with a share, the versions either serves (docs/metrics.md, version mix).
  // Clients through a balancer are not split.
  std::span<const EndpointInfo> VisibleEndpoints(uint32_t s) const override {
    const Service& sv = store_.services[s];
    if (const Service* to = SplitTo(sv, /*whole=*/true)) return to->visible;
    return sv.lb_view == kNone ? sv.visible : store_.balancers[sv.lb_view].routed;
  }
  int64_t ServingEndpoints(uint32_t s) const override {
    const Service& sv = store_.services[s];
    if (const Service* to = SplitTo(sv, /*whole=*/true)) return to->visible_serving;
    return sv.lb_view == kNone ? sv.visible_serving : store_.balancers[sv.lb_view].routed_serving;
  }
  int32_t ServingVersions(uint32_t s) const override {
    const Service& sv = store_.services[s];
    if (const Service* to = SplitTo(sv, /*whole=*/true)) {
      return static_cast<int32_t>(to->serving_versions.size());
    }
    if (const Service* to = SplitTo(sv, /*whole=*/false)) {
      auto n = static_cast<int32_t>(sv.serving_versions.size());
      for (const auto& theirs : to->serving_versions) {
        const bool shared = std::any_of(sv.serving_versions.begin(), sv.serving_versions.end(),
                                        [&](const auto& own) { return own.first == theirs.first; });
        if (!shared) ++n;
      }
      return n;
    }
    return static_cast<int32_t>(sv.lb_view == kNone
                                    ? sv.serving_versions.size()
                                    : store_.balancers[sv.lb_view].routed_versions.size());
  }
  // The Service a router sends all (`whole`) or a share of `sv`'s requests to.
  const Service* SplitTo(const Service& sv, bool whole) const {
    if (sv.split_service == kNone || sv.split_weight <= 0 || !sv.exists || sv.lb_view != kNone) {
      return nullptr;
    }
    if ((sv.split_weight >= 100) != whole) return nullptr;
    return &store_.services[sv.split_service];
  }
  size_t DeploymentCount() const override { return store_.deployments.size(); }
  std::string_view DeploymentKey(uint32_t d) const override { return store_.deployments[d].key; }
  bool DeploymentDeleted(uint32_t d) const override { return store_.deployments[d].deleted; }
  // A Flagger target's pods and its primary's: the Canary's rollout is both.
  int32_t ActivePods(uint32_t d) const override {
    const uint32_t p = FlaggerPrimary(d);
    return store_.ActivePods(d) + (p == kNone ? 0 : store_.ActivePods(p));
  }
  int32_t AvailablePods(uint32_t d) const override {
    const uint32_t p = FlaggerPrimary(d);
    return store_.AvailablePods(d, ctx_.Now()) +
           (p == kNone ? 0 : store_.AvailablePods(p, ctx_.Now()));
  }
  uint32_t FlaggerPrimary(uint32_t d) const {
    const uint32_t c = store_.deployments[d].flagger_target_of;
    return c == kNone ? kNone : store_.canaries[c].primary;
  }
  int64_t ExistingPods() const override { return store_.existing_pods; }
  int64_t BoundCpuMillis() const override { return store_.bound.cpu_milli; }
  int64_t BoundMemoryBytes() const override { return store_.bound.memory_bytes; }
  int64_t UnschedulablePods() const override { return store_.unschedulable_pods; }
  bool Changed() const override {
    return ctx_.changed() || !store_.changed_services.empty() || !store_.changed_pods.empty() ||
           !store_.changed_deployments.empty();
  }
  std::span<const uint32_t> ChangedServices() const override { return store_.changed_services; }
  std::span<const uint32_t> ChangedDeployments() const override {
    return store_.changed_deployments;
  }
  std::span<const uint32_t> ChangedPods() const override { return store_.changed_pods; }
  bool LoadModel() const override { return store_.load.on; }
  std::optional<double> PeakUtilization(uint32_t d) const override {
    if (d >= store_.load.meters.size()) return std::nullopt;
    return store_.load.meters[d].Peak(ctx_.Now());
  }

 private:
  const Store& store_;
  const Context& ctx_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_CLUSTER_VIEW_H_
