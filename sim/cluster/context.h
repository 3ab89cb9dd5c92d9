// What every controller is given: the scenario, the event loop, the
// observers and the event log, the run's seed — and the Api (api.h) through
// which it writes. See docs/architecture.md.
#ifndef KUBESIM_SIM_CLUSTER_CONTEXT_H_
#define KUBESIM_SIM_CLUSTER_CONTEXT_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/cluster/observer.h"
#include "engine/event_loop.h"
#include "kubesim/engine/random.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::cluster {

class Store;

// Event phases within one instant (docs/scenario-format.md), lowest first. Timeline steps are
// API writes: they run after the kubelets and before the controllers that
// react to them.
enum Phase : uint8_t {
  kPhaseProcess = 0,    // pulls finishing, containers starting, processes serving/stopping/exiting
  kPhaseProbe = 1,      // kubelet probe ticks
  kPhaseTimeline = 2,   // kubectl steps
  kPhaseControl = 3,    // Deployment / ReplicaSet controllers, scheduler, node lifecycle
  kPhaseEndpoints = 4,  // endpoint sets computed; client-visible copies updated
  kPhaseClient = 5,     // client requests
};

// What an event means; `target` is the id the kind names, `payload` a
// generation (stale events are dropped) or a second id.
enum class EventKind : uint32_t {
  kPullDone,            // target pod (payload: pod incarnation)
  kContainerStart,      // target pod: a (re)start after back-off (payload: container gen)
  kProcessServing,      // target pod (payload: container gen)
  kProcessStopServing,  // target pod (payload: container gen): drain after SIGTERM
  kProcessExit,         // target pod (payload: container gen): crash or end of shutdown
  kPreStopDone,         // target pod, payload container gen: preStop finished, SIGTERM now
  kGraceExpired,        // target pod, payload container gen: SIGKILL
  kProbe,               // target pod (payload: probe kind << 32 | worker gen)
  kStep,                // target: timeline step index
  kSyncDeployment,      // target deployment
  kSyncReplicaSet,      // target ReplicaSet
  kSchedule,            // target pod
  kNodeEvict,           // target node (payload: failure gen): pods of a failed node evicted
  kNodeNotReady,        // target node (payload: failure gen): the node controller marks it NotReady
  kEndpoints,           // recompute dirty Services' endpoint sets
  kEndpointsVisible,    // target service (payload: snapshot index)
  kServiceStartCheck,   // does any not-yet-started Service have a serving visible endpoint?
  kRequest,             // target client
  kEvictRetry,          // target pod: kubectl drain asks again for a refused eviction
  kInitContainerExit,   // target pod (payload: container gen << 1 | failed)
  kPodEvict,    // target pod (payload: node failure gen << 32 | node): its toleration ran out
  kTaintEvict,  // target pod (payload: node): its toleration of the node's NoExecute taints ran out
  // target pod: one of its side containers (payload: container gen << 32 |
  // Kubelet::SideAction << 16 | side slot)
  kSideContainer,
  kStepDeadline,  // target: timeline step index: its --timeout, or its sleep's end
  // External load balancers (load_balancer.h), target: balancer index.
  kLbTargets,      // payload: snapshot index: the controller's reconcile of its targets
  kLbHealthCheck,  // payload: target gen << 32 | pod or node
  kLbDrainEnd,     // payload: target gen << 32 | pod or node: the deregistration delay ran out
  kLbPoll,         // payload: poll gen: the controller's requeue
  kSyncRollout,    // target deployment (an Argo Rollout): the Argo Rollouts controller's sync
  kRolloutTimer,   // target deployment (an Argo Rollout): its timed requeue is due
  kRolloutResync,  // the Argo Rollouts controller's informer resync: every Rollout synced
  // target service: a traffic router's weight reaches its clients (payload:
  // split service << 32 | weight)
  kTrafficWeight,
  kAnalysisRun,  // target: Store::analysis_runs index: the analysis controller's reconcile
  kFlaggerTick,  // target: Store::canaries index: its analysis job runs (Flagger's scheduler)
};

enum class ProbeKind : uint32_t { kReadiness = 0, kLiveness = 1, kStartup = 2 };

class Context {
 public:
  Context(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed, uint64_t max_events,
          uint64_t max_pods, bool check_invariants);

  const scenario::Scenario& scenario() const { return *scenario_; }
  uint64_t seed() const { return seed_; }
  EventLoop& loop() { return loop_; }
  const EventLoop& loop() const { return loop_; }
  SimTime Now() const { return loop_.Now(); }
  const std::vector<Observer*>& observers() const { return observers_; }
  void AddObserver(Observer* o) { observers_.push_back(o); }

  EventId Schedule(SimDuration delay, Phase phase, EventKind kind, uint32_t target,
                   uint64_t payload = 0);
  // One stream per (what, object, moment): adding an object never shifts
  // another's draws.
  SimDuration Draw(const DurationDistribution& d, std::string_view stream, std::string_view key);

  // The event log: a line for observers (and --check's ring of recent
  // lines). A line changes nothing: what observers read changes only through
  // the typed writes that mark it (MarkChanged, the store's change lists).
  void Emit(std::string_view object, std::string_view what);
  // Emit, formatting the line only when someone reads event-log lines.
  template <typename ObjectFn, typename WhatFn>
  void EmitLazy(ObjectFn&& object, WhatFn&& what) {
    if (logging_) Emit(object(), what());
  }
  // At the start of the run: does anyone read the lines, or pod states?
  void StartLogging();
  // Tells observers that `pod` entered a state, when one of them listens.
  void PodStateChanged(const Store& store, uint32_t pod);
  std::vector<std::string> RecentEvents() const;  // the ring's lines, oldest first

  // Something observable changed in this instant: set by the typed writes
  // (a pod's or container's state, Ready, serving, labels, scheduling; the
  // store's change lists count too, StoreView::Changed). `--check` verifies
  // that quiet instants really left the endpoints alone.
  bool changed() const { return changed_; }
  void MarkChanged() { changed_ = true; }
  void ClearChanged() { changed_ = false; }

  // The event being fired: its phase and key (which events of this instant
  // have run). 0xFF after the instant's last event.
  void SetFiring(uint8_t phase, uint64_t key) {
    current_phase_ = phase;
    current_key_ = key;
  }
  uint8_t current_phase() const { return current_phase_; }
  uint64_t current_key() const { return current_key_; }
  bool check_invariants() const { return check_invariants_; }
  // Whether the run may hold `total` pods, gone ones included
  // (SimulationOptions::max_pods). When not, the run stops after the
  // current event, with pods_exhausted.
  bool MayHoldPods(uint64_t total) {
    if (total <= max_pods_) return true;
    pods_exhausted_ = true;
    loop_.Stop();
    return false;
  }
  bool pods_exhausted() const { return pods_exhausted_; }
  // An illegal state move: a bug in kubesim, reported (exit code 3) at the
  // end of the instant when checking, unread otherwise. The first is kept.
  void Violation(std::string what) {
    if (!violation_) violation_ = std::move(what);
  }
  const std::optional<std::string>& violation() const { return violation_; }

 private:
  std::shared_ptr<const scenario::Scenario> scenario_;
  uint64_t seed_;
  EventLoop loop_;
  std::vector<Observer*> observers_;
  uint64_t max_pods_;
  bool pods_exhausted_ = false;
  bool check_invariants_;
  bool logging_ = true;
  bool pod_states_wanted_ = true;
  bool changed_ = true;
  uint8_t current_phase_ = 0;
  uint64_t current_key_ = 0;
  std::optional<std::string> violation_;
  std::vector<std::string> recent_;  // ring of the last log lines (when checking)
  size_t recent_next_ = 0;
};

// A log line about a pod ("pod/NAME WHAT"), formatted only when read.
void EmitPod(Context& ctx, const Store& store, uint32_t pod, std::string_view what);

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_CONTEXT_H_
