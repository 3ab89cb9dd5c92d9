// External load balancers (docs/load-model.md, 8): a client that comes
// `via: {loadBalancer: ...}` reaches the Service's pods through an AWS
// Application Load Balancer's target group, kept by the AWS Load Balancer
// Controller (kubernetes-sigs/aws-load-balancer-controller,
// pkg/targetgroupbinding/resource_manager.go):
//   - targetType ip: the controller registers the Service's pods that are
//     Ready and not terminating, and those whose containers are ready but
//     whose readiness gate waits for it (pkg/backend/endpoint_resolver.go);
//     it learns of a change as kube-proxy does, after the endpoint delay.
//     targetType instance: every node is a target, and a request through a
//     node goes on as kube-proxy sends it.
//   - The balancer checks each target every `interval`: a new target is
//     `initial` until its first check passes (AWS: "After your target is
//     registered, it must pass one health check to be considered healthy");
//     unhealthyThreshold failed checks in a row make it `unhealthy`,
//     healthyThreshold passed ones healthy again (target-group-health-
//     checks.html). A pod target passes while its process serves.
//   - Requests go in turn to the healthy targets; if none is healthy but
//     some are unhealthy, to those ("fails open"); with only `initial` or
//     `draining` targets, nowhere: the balancer answers 503 (the outage
//     pod_readiness_gate.md describes).
//   - A deregistered target drains: no new request, and the ones it holds
//     may finish for deregistrationDelay; those still held then fail
//     (load-balancer-target-groups.html, Deregistration delay).
//   - The controller sets a gated pod's target-health.elbv2.k8s.aws
//     condition from its target's health at each reconcile — a change of
//     targets, and every 15 s while a gated target is not healthy
//     (defaultTargetHealthRequeueDuration).
#ifndef KUBESIM_SIM_CLUSTER_LOAD_BALANCER_H_
#define KUBESIM_SIM_CLUSTER_LOAD_BALANCER_H_

#include <cstdint>
#include <span>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Kubelet;
class Traffic;

class LoadBalancers {
 public:
  LoadBalancers(Store& store, Context& ctx) : store_(store), ctx_(ctx) {}
  void Connect(Kubelet* kubelet, Traffic* traffic) {
    kubelet_ = kubelet;
    traffic_ = traffic;
  }
  // One balancer per client that comes through one (World's construction).
  void Create(uint32_t client, const scenario::LoadBalancer& spec, uint64_t seed);
  void Start();  // t=0: instance targets (the nodes) are registered
  // From the endpoints controller's recompute of `service`: these members
  // (all of them when `all`) may have changed their place.
  void MembersChanged(uint32_t service, std::span<const uint32_t> pods, bool all);
  void TargetsChanged(uint32_t balancer, uint64_t seq);   // kLbTargets
  void HealthCheck(uint32_t balancer, uint64_t payload);  // kLbHealthCheck
  void DrainEnd(uint32_t balancer, uint64_t payload);     // kLbDrainEnd
  void Poll(uint32_t balancer, uint64_t gen);             // kLbPoll
  // At the end of an instant: `pod`'s serving flag or version may have
  // changed; the routed entries of it are read again.
  void RefreshTouched(uint32_t pod);

 private:
  bool Wanted(uint32_t pod) const;
  void Register(uint32_t b, uint32_t id);
  void Deregister(uint32_t b, uint32_t id);
  void SetState(uint32_t b, uint32_t id, LbTarget::State state);
  void Reconcile(uint32_t b);
  void Reroute(uint32_t b);  // `routed` from the healthy (else unhealthy) targets
  void Route(uint32_t b, uint32_t id, bool routed);  // one target in or out of `routed`  // gated
                                                     // pods' conditions from their targets' health
  void Emit(uint32_t b, uint32_t id, std::string_view what);

  Store& store_;
  Context& ctx_;
  Kubelet* kubelet_ = nullptr;
  Traffic* traffic_ = nullptr;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_LOAD_BALANCER_H_
