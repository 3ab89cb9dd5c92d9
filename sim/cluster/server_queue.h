// The load model's two pieces of arithmetic (docs/load-model.md), kept
// apart from the cluster so that tests can check them against queueing
// theory directly:
//
// ServerQueue — one pod's process as a FIFO queue with `concurrency` servers
// and a waiting room of `queue` places (Kendall's G/G/c/c+queue). Requests
// start in arrival order, so a request's start is known the moment it
// arrives: it is the later of its arrival and the moment the earliest
// server frees up (the Kiefer–Wolfowitz workload recursion for FIFO c-server
// queues). So admitting a request costs O(log c) and needs no event for the
// start of service, only one for its end.
//
// UtilizationMeter — server-time busy and server-time available, per
// simulated second, so that the busiest second's share is exact.
#ifndef KUBESIM_SIM_CLUSTER_SERVER_QUEUE_H_
#define KUBESIM_SIM_CLUSTER_SERVER_QUEUE_H_

#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "kubesim/engine/time.h"

namespace kubesim::cluster {

class ServerQueue {
 public:
  // 0 servers: unlimited (every request starts at once); a negative queue:
  // an unlimited waiting room.
  ServerQueue(int32_t concurrency, int64_t queue) : servers_(concurrency), room_(queue) {}
  // An inactive queue (a process that has had no request yet): Start makes
  // it the queue above, Stop (after Reset) inactive again. Admit needs it
  // active.
  ServerQueue() = default;
  bool active() const { return servers_ != kInactive; }
  void Start(int32_t concurrency, int64_t queue) {
    servers_ = concurrency;
    room_ = queue;
  }

  // A request that arrives at `now` and needs `service` of work: when it
  // starts, or nullopt when every server is busy and the waiting room is
  // full (the pod answers 503 at once). REQUIRES: `now` never decreases
  // between calls.
  std::optional<SimTime> Admit(SimTime now, SimDuration service);

  // Requests admitted and not yet started at `now` (the waiting room).
  int64_t Waiting(SimTime now);

  // The process ended at `now`: every request it held is gone, its servers
  // are free, its waiting room empty. Returns the server-time its servers
  // would still have been busy after `now` (the work that was never done),
  // and adds to `busy_until` (if given) when each busy server would have
  // freed: after `now` each busy server works without a gap until then,
  // since every request assigned to it arrived by `now`.
  SimDuration Reset(SimTime now, std::vector<SimTime>* busy_until = nullptr);
  void Stop() { servers_ = kInactive; }  // after Reset: inactive

  int32_t servers() const { return servers_; }
  size_t waiting_capacity_for_test() const { return waiting_.capacity(); }

 private:
  static constexpr int32_t kInline = 4;  // servers whose free times live in the object itself
  static constexpr int32_t kInactive = INT32_MIN;
  SimTime* heap() { return servers_ <= kInline ? inline_.data() : more_.data(); }

  // The fields every Admit reads come first (PodLoad keeps them in one
  // cache line with its own).
  int32_t servers_ = kInactive;
  int32_t used_ = 0;  // servers used so far: the heap's size
  int64_t room_ = 0;
  // When each used server frees up, a min-heap (std::push_heap with
  // greater): in `inline_` for up to kInline servers, so that a request to
  // a pod of few servers reads no memory but the queue's own; else in
  // `more_`.
  std::array<SimTime, kInline> inline_{};
  std::vector<SimTime> more_;
  // The start times of admitted requests that had to wait, in admission
  // order, which is start order; those from waiting_head_ on still wait.
  std::vector<SimTime> waiting_;
  size_t waiting_head_ = 0;
};

// Server-microseconds busy and available per whole simulated second
// [k s, k+1 s); Peak() is the largest busy / available share.
//
// Memory grows with what happens, not with simulated time (a run may last
// years): the servers available are a step function, kept as its changes;
// busy time is kept per second only for the seconds some request's work
// touches, and work spanning more than kLongSeconds seconds (rare: a
// request that takes minutes) as an interval. Peak() integrates the step
// functions at just the seconds that can be the busiest.
class UtilizationMeter {
 public:
  UtilizationMeter() = default;
  // Moved, not copied: `last_` points into the meter's own map.
  UtilizationMeter(UtilizationMeter&&) noexcept = default;
  UtilizationMeter& operator=(UtilizationMeter&&) noexcept = default;
  UtilizationMeter(const UtilizationMeter&) = delete;
  UtilizationMeter& operator=(const UtilizationMeter&) = delete;

  // `servers` more (or fewer, negative) servers are available from `now`.
  // REQUIRES: `now` never decreases between calls.
  void AddServers(SimTime now, int64_t servers);
  // One server is busy over [from, to) (negative `weight`: was not after all).
  void AddBusy(SimTime from, SimTime to, int64_t weight = 1) {
    // Nearly always within the second the last work touched: one add.
    // (b - last_from_ cannot overflow: simulated times are not negative.)
    const int64_t a = from.micros(), b = to.micros();
    if (last_ != nullptr && weight == 1 && a < b && a >= last_from_ &&
        b - last_from_ <= kSecondMicros) {
      *last_ += b - a;
      return;
    }
    AddBusyAcross(a, b, weight);
  }
  // The busiest whole second's share of what was available, up to `end`
  // (a run shorter than a second: its first second); nullopt when no
  // server was ever available.
  std::optional<double> Peak(SimTime end) const;

  static constexpr int64_t kLongSeconds = 64;

 private:
  struct Change {
    SimTime at;
    int64_t delta;
  };
  std::vector<Change> servers_;  // in time order
  // Busy server-µs by second (nearly always added at the end).
  std::map<int64_t, int64_t> busy_;
  std::vector<Change> long_busy_;  // +weight at from, -weight at to, any order
  // The second AddBusy last added to (its start in µs) and its entry in
  // busy_ (map entries stay put); none until short work is added.
  static constexpr int64_t kSecondMicros = 1'000'000;
  int64_t last_from_ = 0;
  int64_t* last_ = nullptr;
  int64_t& BusyAt(int64_t second);
  void AddBusyAcross(int64_t a, int64_t b, int64_t weight);
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_SERVER_QUEUE_H_
