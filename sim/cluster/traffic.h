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
#include <vector>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Traffic {
 public:
  Traffic(Store& store, Context& ctx);

  // Its clients start (`forced`: at its `from:`, whether or not they can
  // reach a pod). Through a load balancer: once it first routes, when every
  // client comes through one (LoadBalancers::SetState).
  void StartService(uint32_t service, bool forced = false);
  void StartClient(uint32_t client);    // (a balancer's, when it first can route)
  void SendRequest(uint32_t client);    // kRequest
  // The load model: the requests `pod` holds for `client` fail now (a load
  // balancer's deregistration delay ran out: load_balancer.h).
  void FailRequests(uint32_t pod, uint32_t client);
  // The load model: admitted requests end — answered, or their client
  // stops waiting — at times known when they were admitted. They are not
  // events: nothing in the cluster changes when one ends, so they wait in a
  // heap of their own and are told to observers, at their own times and in
  // time order, before the first event of a later instant (SettleBefore)
  // and at the end of the instant they end in (SettleThrough). A process
  // that ends fails the ones it holds first.
  void SettleBefore(SimTime t) {
    if (!ends_.empty() && ends_.front().end < t) Settle(t, false);
  }
  void SettleThrough(SimTime t) {
    if (!ends_.empty() && ends_.front().end <= t) Settle(t, true);
  }
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
  void ScheduleNextRequest(uint32_t client);
  void SendDirect(uint32_t client);          // kube-proxy's pick
  void SendOverConnection(uint32_t client);  // keep-alive
  void SendViaBalancer(uint32_t client);     // an external load balancer's
  void Deliver(uint32_t client, uint32_t pod, std::string_view version, bool serving);
  // The load model: `client`'s request reaches `pod`, which serves.
  void Admit(uint32_t client, uint32_t pod, std::string_view version);
  void CountServers(uint32_t pod);
  void EndRequests(uint32_t pod);
  void Release(uint32_t request);  // its slot is free; its entry in ends_, if any, goes stale
  void Tell(SimTime t, const RequestInfo& r);
  void Settle(SimTime t, bool inclusive);
  void End(uint32_t request, SimTime at);  // answered, or timed out, at `at`

  Store& store_;
  Context& ctx_;
  // When each admitted request ends for its client: a min-heap by time, of
  // requests held by their pods (the requests in flight, and the stale
  // entries of those whose process ended, until their own time: a
  // small heap, where the event queue would hold one more event and the run
  // one more instant per request). Requests that end at the same time may
  // be told in any order: nothing observers derive depends on it (counts,
  // percentiles, per-second rows).
  struct Ending {
    SimTime end;
    uint32_t request;
    uint32_t gen;
    bool operator>(const Ending& o) const { return end > o.end; }
  };
  std::vector<Ending> ends_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_TRAFFIC_H_
