// Clients and their requests (docs/scenario-format.md `traffic:`): a
// Service's clients start when it first has a serving endpoint (or at
// `from:`), then send every `every` or at Poisson times, each request to a
// uniformly drawn client-visible endpoint. With the load model
// (docs/load-model.md) a request waits in the pod's queue and takes its
// service time; it ends answered, rejected, timed out, or failed when the
// pod's process ends holding it.
#ifndef KUBESIM_SIM_CLUSTER_TRAFFIC_H_
#define KUBESIM_SIM_CLUSTER_TRAFFIC_H_

#include <cstdint>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Traffic {
 public:
  Traffic(Store& store, Context& ctx);

  void StartService(uint32_t service);  // its clients start
  void SendRequest(uint32_t client);    // kRequest
  // kResponse: an admitted request is answered, or its client stops waiting.
  void Respond(uint32_t request, uint64_t gen);
  // The load model, from the kubelet: a pod's process began serving (its
  // servers count as available capacity), or ended (the requests it held
  // fail now, and its queue is gone).
  void ProcessServing(uint32_t pod) {
    if (store_.load.on) CountServers(pod);
  }
  void ProcessEnded(uint32_t pod) {
    if (store_.load.on && pod < store_.load.pods.size()) EndRequests(pod);
  }

 private:
  void StartClient(uint32_t client);
  void ScheduleNextRequest(uint32_t client);
  // The load model: `client`'s request reaches `pod`, which serves.
  void Admit(uint32_t client, uint32_t pod, std::string_view version);
  void CountServers(uint32_t pod);
  void EndRequests(uint32_t pod);
  void Release(uint32_t request);  // its slot is free; its event, if pending, goes stale
  void Tell(const RequestInfo& r);

  Store& store_;
  Context& ctx_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_TRAFFIC_H_
