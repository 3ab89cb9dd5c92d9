// Observer: how metrics, traces, timelines and event logs watch a simulation
// without the model knowing they exist (docs/architecture.md).
//
// The model: a Simulation calls its observers at three kinds of moments —
// when something happens that a person would want in an event log (a pod
// created, scheduled, Ready, Terminating, gone; a kubectl step; a rollout
// starting or completing), when a client request is answered, and after
// every instant, once all of the instant's events have run (docs/scenario-format.md: metrics
// see the state after the instant, never in between). At the end of an
// instant an observer may read the whole state through ClusterView; between
// instants the state does not change, so integrating what it reads there over
// the time to the next instant is exact.
//
// Observers must not change the simulation; they get const views only. The
// string_views inside PodInfo and EndpointInfo are valid during the callback
// that hands them out; copy what must outlive it.
#ifndef KUBESIM_CLUSTER_OBSERVER_H_
#define KUBESIM_CLUSTER_OBSERVER_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "kubesim/engine/time.h"

namespace kubesim::cluster {

// The life of a pod as a person reads it (also the trace's spans).
enum class PodState : uint8_t {
  kPending,      // created, not yet bound to a node (or no node fits)
  kPulling,      // bound; waiting for or pulling its image
  kStarting,     // container created; not Ready (starting, probing, crash-looping)
  kReady,        // Ready: counted in endpoints
  kTerminating,  // deleted; preStop, SIGTERM, grace period
  kGone,         // exited and removed; its resources are free
};
std::string_view PodStateName(PodState s);

// What an observer may read of one pod.
struct PodInfo {
  uint32_t id = 0;            // dense, stable for the run
  std::string_view name;      // "echo-version-7d9f4b-x2k4p"
  std::string_view owner;     // the Deployment (or ReplicaSet) name; "" for a bare pod
  std::string_view version;   // the pod's version (docs/scenario-format.md "Versions")
  std::string_view node;      // "" while unbound
  PodState state = PodState::kPending;
  bool serving = false;       // its process answers requests now
  int32_t restarts = 0;
};

// What an observer may read of one Service's client-visible endpoints.
struct EndpointInfo {
  uint32_t pod = 0;
  std::string_view version;
  bool serving = false;
};

// How a client request ended (docs/load-model.md).
enum class RequestResult : uint8_t {
  kOk,        // answered
  kFailed,    // no endpoint, a pod that did not serve, or a process that ended holding it
  kRejected,  // the pod's waiting room was full: 503 at once (load model)
  kTimedOut,  // not answered within its client's timeout (load model)
};

// One client request as it ended.
struct RequestInfo {
  uint32_t service = 0;
  std::optional<uint32_t> pod;  // the pod it went to (none: the Service had no endpoint)
  std::string_view version;     // that pod's version
  RequestResult result = RequestResult::kOk;
  // kOk: from sent to answered — its wait in the pod's queue plus its
  // service time (0 without the load model, where requests are instant).
  SimDuration latency;
  // When it was sent, if earlier than it ended (the load model: a request a
  // pod held); none: sent at the time it is told.
  std::optional<SimTime> sent;
  bool ok() const { return result == RequestResult::kOk; }
};

// A read-only view of the whole cluster at the end of an instant.
class ClusterView {
 public:
  virtual ~ClusterView() = default;
  virtual SimTime Now() const = 0;
  // Events fired so far (skipped probe ticks included, as in the report).
  virtual uint64_t EventsFired() const { return 0; }
  virtual size_t PodCount() const = 0;  // every pod ever created, gone ones included
  virtual PodInfo PodAt(uint32_t id) const = 0;
  virtual size_t ServiceCount() const = 0;
  virtual std::string_view ServiceKey(uint32_t service) const = 0;  // report key
  // Whether the Service's clients have started (its first serving endpoint, or `from:`).
  virtual bool ServiceStarted(uint32_t service) const = 0;
  // The endpoints clients see now (after endpointDelay), fallback included.
  virtual std::span<const EndpointInfo> VisibleEndpoints(uint32_t service) const = 0;
  // Of those, the ones serving now, and the number of versions they run:
  // counts kept as the endpoints change (no walk of the list).
  virtual int64_t ServingEndpoints(uint32_t service) const = 0;
  virtual int32_t ServingVersions(uint32_t service) const = 0;
  virtual size_t DeploymentCount() const = 0;
  virtual std::string_view DeploymentKey(uint32_t deployment) const = 0;
  // Whether the Deployment has been deleted (its rollouts end there).
  virtual bool DeploymentDeleted(uint32_t deployment) const = 0;
  // Non-terminating pods / available pods of the Deployment now.
  virtual int32_t ActivePods(uint32_t deployment) const = 0;
  virtual int32_t AvailablePods(uint32_t deployment) const = 0;
  // Cluster totals: pods existing (terminating included), requests of bound
  // pods, pods that could not be scheduled.
  virtual int64_t ExistingPods() const = 0;
  virtual int64_t BoundCpuMillis() const = 0;
  virtual int64_t BoundMemoryBytes() const = 0;
  virtual int64_t UnschedulablePods() const = 0;
  // Whether anything an observer can read changed in this instant (a pod,
  // a node, an endpoint set, a rollout). False in instants that only
  // answered client requests or ran probes with no outcome — the bulk of a
  // busy run — so that observers may skip recomputing what they derive.
  // Failed or answered requests are reported through OnRequest regardless.
  virtual bool Changed() const { return true; }
  // What changed in this instant, ascending and without repeats, so that an
  // observer touches only that (never a walk of every Service or pod):
  // Services whose visible endpoints, or a visible pod's serving flag or
  // version, changed, or whose clients started; Deployments whose pods or
  // rollouts changed (a pod created, deleted, Ready or not, gone; a rollout
  // started, done, past its deadline; the Deployment deleted). Valid until
  // the next instant.
  virtual std::span<const uint32_t> ChangedServices() const = 0;
  virtual std::span<const uint32_t> ChangedDeployments() const = 0;
  // Pods that entered a state or changed version in this instant (ascending).
  virtual std::span<const uint32_t> ChangedPods() const = 0;
  // Whether the scenario uses the load model (docs/load-model.md): its
  // metrics are then reported, else left out.
  virtual bool LoadModel() const { return false; }
  // The load model: the busiest whole second's share of the server time
  // the Deployment's serving pods offered, up to now; null when none of its
  // pods has a limited `concurrency`.
  virtual std::optional<double> PeakUtilization(uint32_t /*deployment*/) const {
    return std::nullopt;
  }
};

// A rollout of a Deployment: from the template change to completion.
struct RolloutInfo {
  uint32_t deployment = 0;
  int64_t revision = 0;
  SimTime start;
};

// One step of an Argo Rollout's canary (docs/metrics.md, rollouts[].steps):
// told when it starts and when it ends.
struct RolloutStepInfo {
  RolloutInfo rollout;
  int32_t index = 0;      // in spec.strategy.canary.steps, from 0
  std::string_view kind;  // "setWeight", "pause", "analysis", "setCanaryScale", ...
  bool ended = false;
  // When ended: "completed", "skipped" (promote), "promoted" (promote
  // --full, or the update promoted), "aborted", "superseded" (a new
  // template).
  std::string_view result;
  int32_t weight = 0;  // the canary's traffic weight then, in percent
  int32_t canary_replicas = 0;
  int32_t stable_replicas = 0;
  std::string_view analysis;  // an analysis step's AnalysisRun phase, else ""
};

// An Argo AnalysisRun, told when it ends (docs/metrics.md, analysisRuns).
struct AnalysisRunInfo {
  RolloutInfo rollout;
  std::string_view name;
  std::string_view type;  // "step", "background", "prePromotion", "postPromotion"
  int32_t step = -1;      // a step's index
  SimTime start;
  std::string_view phase;  // "Successful", "Failed", "Error", "Inconclusive"
  std::string_view message;
  int32_t measurements = 0;
};

// A timeline step whose time the scenario did not fix (chained, or
// blocking), as it ended: docs/metrics.md, "timeline".
struct StepOutcome {
  uint32_t step = 0;  // its place among the file's steps, from 1
  int line = 0;       // of its command in the scenario file
  // Its command as the event log shows it when it runs: the kubectl line
  // as written, or "sleep 30s" (for the trace's and the plot's step marks).
  std::string_view text;
  std::optional<SimTime> started;
  std::optional<SimTime> finished;
  // "ok", "failed" (kubectl exited 1), "timeout", "skipped" (a step before
  // it in its chain failed), "waiting" (the run ended first), "notReached".
  std::string_view result;
};

class Observer {
 public:
  virtual ~Observer() = default;
  // Before t=0's first event; `view` lists the cluster's Services and
  // Deployments as they will be known (more may appear later).
  virtual void OnStart(const ClusterView& /*view*/) {}
  // A line for the event log: `what` happened to `object` ("pod/echo-...",
  // "deployment/echo-version", "node/worker-0", "kubectl").
  virtual void OnEvent(SimTime /*t*/, std::string_view /*object*/, std::string_view /*what*/) {}
  // Whether this observer reads OnEvent. When none does, the model formats
  // no event-log line at all (most runs: a report and nothing else).
  virtual bool WantsEvents() const { return true; }
  // A pod entered `state`.
  virtual void OnPodState(SimTime /*t*/, const PodInfo& /*pod*/) {}
  // Whether this observer reads OnPodState. When none does, the model builds
  // no PodInfo per pod state change.
  virtual bool WantsPodStates() const { return true; }
  // A client request ended at `t`: answered, failed, rejected or timed out.
  // Without the load model it ends when it is sent; with it, when it is
  // answered, rejected, times out, or its pod's process ends.
  virtual void OnRequest(SimTime /*t*/, const RequestInfo& /*request*/) {}
  // A Service's clients started sending (its metrics count from here).
  virtual void OnServiceStarted(SimTime /*t*/, uint32_t /*service*/) {}
  // A rollout started / completed / was reported past its progress deadline /
  // rolloutStatus (kubectl rollout status would return).
  virtual void OnRolloutStart(SimTime /*t*/, const RolloutInfo& /*r*/) {}
  virtual void OnRolloutStatusDone(SimTime /*t*/, const RolloutInfo& /*r*/) {}
  virtual void OnRolloutComplete(SimTime /*t*/, const RolloutInfo& /*r*/) {}
  virtual void OnRolloutDeadlineExceeded(SimTime /*t*/, const RolloutInfo& /*r*/) {}
  // An Argo Rollout's canary step started or ended; an AnalysisRun ended.
  virtual void OnRolloutStep(SimTime /*t*/, const RolloutStepInfo& /*s*/) {}
  virtual void OnAnalysisRun(SimTime /*t*/, const AnalysisRunInfo& /*r*/) {}
  // A container restart of a pod owned by `deployment` (if any).
  virtual void OnRestart(SimTime /*t*/, const PodInfo& /*pod*/) {}
  // At the run's end, before OnFinish: each step StepOutcome describes.
  virtual void OnTimelineStep(const StepOutcome& /*step*/) {}
  // The instant `t` is over: the state is final until the next event.
  virtual void OnEndInstant(const ClusterView& /*view*/) {}
  // The run ended at `t` (the scenario's `until`).
  virtual void OnFinish(const ClusterView& /*view*/) {}
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_CLUSTER_OBSERVER_H_
