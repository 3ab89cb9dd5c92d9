// A traffic router's split (an Argo canary's trafficRouting, a Flagger
// Canary's mesh; docs/progressive-delivery.md): of the requests sent to a
// Service, a weight in 100 go to another Service's endpoints. The router's
// new weight reaches the clients endpointDelay after it is set, never
// before an earlier one (Service::split_visible_at); Traffic::Routed reads
// the weight clients see per request.
#ifndef KUBESIM_SIM_CLUSTER_TRAFFIC_ROUTER_H_
#define KUBESIM_SIM_CLUSTER_TRAFFIC_ROUTER_H_

#include <cstdint>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

// The router sends `weight` in 100 of `service`'s requests to `to`.
void SetRouterWeight(Store& store, Context& ctx, uint32_t service, uint32_t to, int32_t weight);
// kTrafficWeight: a weight reaches the clients of `service`.
void RouterWeightVisible(Store& store, Context& ctx, uint32_t service, uint64_t payload);

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_TRAFFIC_ROUTER_H_
