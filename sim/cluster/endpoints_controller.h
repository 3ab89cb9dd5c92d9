// The endpoints of every Service (the EndpointSlice controller, the API
// server and kube-proxy, as one): which pods a Service selects — an index
// kept as pods and selectors change — its live endpoint set, recomputed
// incrementally from the members that changed, and the copy clients see
// `endpointDelay` later. Also when a Service gets its first serving
// endpoint, so that its clients start (Api::ServiceServing).
#ifndef KUBESIM_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_

#include <cstdint>
#include <span>
#include <vector>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class LoadBalancers;

class EndpointsController {
 public:
  EndpointsController(Store& store, Context& ctx, Api& api);

  // The by-Service index (Service::members, Pod::services).
  void IndexService(uint32_t service);      // its selector changed: recompute its members
  void IndexPodServices(uint32_t pod);      // its labels changed: recompute its Services
  void UnindexPod(uint32_t pod);            // it is gone: out of its Services' members
  void MarkServiceDirty(uint32_t service);  // its live set must be recomputed
  void RequestEndpoints();                  // a kEndpoints event this instant
  void PodUpdated(uint32_t pod);            // handler of Api::PodUpdated

  void RecomputeEndpoints();                              // kEndpoints
  void EndpointsVisible(uint32_t service, uint64_t seq);  // kEndpointsVisible
  void CheckServiceStarts();                              // kServiceStartCheck
  // Schedules the check for Services' first serving endpoint (at every
  // change that may bring one, while a Service waits), to look at `candidates`.
  void RequestStartCheck(std::span<const uint32_t> candidates);
  void RefreshTouched();  // at the end of an instant
  void ConnectBalancers(LoadBalancers* balancers) { balancers_ = balancers; }

 private:
  void MarkMemberChanged(uint32_t service, uint32_t pod);  // and this member's place in it
  void UpdateVisibleIndex(uint32_t service, const std::vector<uint32_t>& before);
  // A visible pod's entry in the Service's client-visible list takes its
  // serving flag and version again.
  void RefreshVisibleEntry(uint32_t service, uint32_t pod);

  Store& store_;
  Context& ctx_;
  Api& api_;
  LoadBalancers* balancers_ = nullptr;
  std::vector<uint32_t> dirty_services_;    // live sets to recompute (kEndpoints)
  std::vector<uint32_t> start_candidates_;  // for the next start check
  bool endpoints_event_pending_ = false;
  bool start_check_pending_ = false;
  std::vector<EndpointInfo> next_visible_;  // scratch of EndpointsVisible
  // Bumped whenever a Service's selector or existence changes (IndexService):
  // the Services each ReplicaSet found for its pods' labels
  // (ReplicaSet::pod_services) hold while it stays the same.
  uint64_t services_gen_ = 0;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_ENDPOINTS_CONTROLLER_H_
