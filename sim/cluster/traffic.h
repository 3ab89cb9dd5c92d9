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
  // timing wheel of their own (below) and are told to observers, at their
  // own times and in time order, before the first event of a later instant (SettleBefore)
  // and at the end of the instant they end in (SettleThrough). A process
  // that ends fails the ones it holds first.
  void SettleBefore(SimTime t) {
    if (pending_ != 0 && (Slot(t) > cursor_ || slot_min_[cursor_ % kSlots] < t)) Settle(t, false);
  }
  void SettleThrough(SimTime t) {
    if (pending_ != 0 && (Slot(t) > cursor_ || slot_min_[cursor_ % kSlots] <= t)) Settle(t, true);
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
  // kube-proxy's pick (`schedule_next`: and the client's next request).
  const Service& Routed(Client& client);  // the client's Service, or its split's
  void SendDirect(uint32_t client, bool schedule_next = false);
  void SendOverConnection(uint32_t client);  // keep-alive
  void SendViaBalancer(uint32_t client);     // an external load balancer's
  void Deliver(uint32_t client, uint32_t pod, std::string_view version, bool serving);
  // The load model: `client`'s request reaches `pod`, which serves.
  void Admit(uint32_t client, uint32_t pod, std::string_view version);
  void CountServers(uint32_t pod);
  void EndRequests(uint32_t pod);
  // The requests `pod` holds for `client` (kNone: for any client) fail now.
  void FailHeld(uint32_t pod, uint32_t client);
  void FailUnreached(uint32_t client);  // it reaches no pod: failed at once
  void Release(uint32_t request);  // its slot is free; its entry in the wheel, if any, goes stale
  void Tell(SimTime t, const RequestInfo& r);
  void Record(SimTime t, const RequestInfo& r);
  bool AnsweredWithError(Client& client, uint32_t image);
  void Settle(SimTime t, bool inclusive);
  void End(uint32_t request, SimTime at);  // answered, or timed out, at `at`

  Store& store_;
  Context& ctx_;
  // When each admitted request ends for its client (the requests in flight,
  // and the stale entries of those whose process ended, until their own
  // time), where the event queue would hold one more event and the run one
  // more instant per request: a timing wheel of 1 ms slots over the next
  // kSlots ms, a slot sorted when the wheel reaches it, and a min-heap for
  // the ends beyond. Pushing is an append; telling, a pop from a sorted
  // slot of a few entries (a heap of every request in flight cost a sift
  // per end). Requests that end at the same time may be told in any order:
  // nothing observers derive depends on it (counts, percentiles, per-second
  // rows).
  struct Ending {
    SimTime end;
    uint32_t request;
    uint32_t gen;
    bool operator>(const Ending& o) const { return end > o.end; }
  };
  static constexpr int64_t kSlotMicros = 1000;
  static constexpr size_t kSlots = 64;
  static int64_t Slot(SimTime t) { return t.SinceStart().micros() / kSlotMicros; }
  void PushEnd(const Ending& e);
  std::vector<std::vector<Ending>> wheel_ = std::vector<std::vector<Ending>>(kSlots);
  // Each slot's earliest end (SimTime::Max() when empty), for the inline
  // checks above.
  std::vector<SimTime> slot_min_ = std::vector<SimTime>(kSlots, SimTime::Max());
  int64_t cursor_ = 0;         // the slot the wheel is at: no end is earlier
  bool cursor_sorted_ = true;  // its slot is sorted, latest first
  size_t pending_ = 0;         // ends in the wheel and the heap
  uint64_t occupied_ = 0;      // bit k: wheel_[k] holds an end
  static_assert(kSlots == 64, "occupied_ has a bit per slot");
  std::vector<Ending> far_;  // min-heap: ends kSlots slots or more past the cursor
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_TRAFFIC_H_
