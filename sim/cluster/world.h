// The simulated cluster's state and the controllers acting on it — the
// private half of cluster::Simulation (include/kubesim/cluster/simulation.h).
//
// The model, Kubernetes' way (docs/architecture.md): an object store of dense arrays
// (nodes, pods, ReplicaSets, Deployments, Services, clients) addressed by
// integer ids; controllers that keep de-duplicated work queues and sync a key
// `controllerDelay` after it was queued (like informers + workqueues); a
// kubelet per node; every happening an event on the engine's EventLoop with a
// phase (docs/scenario-format.md). Each controller lives in its own file:
//   deployment_controller.cc  syncDeployment: rolling / recreate / scale / status
//   replicaset_controller.cc  manageReplicas and status
//   scheduler.cc              filter, score, bind; retries of unschedulable pods
//   kubelet.cc                pulls, containers, probes, restarts, termination
//   endpoints.cc              live endpoint sets and their delayed client copies
//   traffic.cc                clients and requests
//   world.cc                  object creation, timeline steps, the run loop
// Pods are state machines: PodState (observer.h) changes only in
// World::SetPodState, with the rule that entered each state cited there.
#ifndef KUBESIM_SIM_CLUSTER_WORLD_H_
#define KUBESIM_SIM_CLUSTER_WORLD_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "deployment_util.h"
#include "kubesim/cluster/observer.h"
#include "kubesim/cluster/scheduling.h"
#include "kubesim/engine/event_loop.h"
#include "kubesim/engine/random.h"
#include "kubesim/k8s/object.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::cluster {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

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
};

enum class ProbeKind : uint32_t { kReadiness = 0, kLiveness = 1, kStartup = 2 };

// An image's behaviour (docs/scenario-format.md `images:`), resolved for the model.
struct ImageBehaviour {
  std::string_view version;  // the profile's, else the tag, else "latest" (interned: stable)
  DurationDistribution pull, start, shutdown, drain;
  std::optional<DurationDistribution> crash_after;
  bool healthy = true;
};

struct Node {
  // What the scheduler reads of every node it examines comes first, in one
  // or two cache lines.
  Resources allocatable;
  Resources requested;  // by bound, not yet gone pods
  // The NodeReady condition as the API shows it: it turns false only when the
  // node controller has missed heartbeats for node-monitor-grace-period.
  bool condition_ready = true;
  bool unschedulable = false;  // cordoned
  // The scheduler's last resource score here (LeastAllocated +
  // BalancedAllocation) and the pod requests it was for; dropped whenever
  // `requested` changes. Pods of one template share requests, so a node's
  // score is computed once per change of the node, not once per pod.
  bool score_valid = false;
  Resources score_for;
  int64_t score = 0;
  std::string name;
  k8s::Labels labels;
  bool ready = true;           // the machine and its kubelet run (false while failed)
  uint32_t failure_gen = 0;
  std::vector<bool> image_cached;  // by image index
  // Serialized image pulls (kubelet serializeImagePulls): pods waiting, FIFO.
  std::vector<uint32_t> pull_queue;
  bool pulling = false;
  uint32_t pulling_image = 0;  // the image being pulled (a pod may change its own meanwhile)
  uint32_t pulling_pod = 0;    // the pod it is pulled for
  // Bumped when a pull starts and when the node fails: a PullDone of an older
  // pull (one the failure interrupted) is stale and does nothing.
  uint32_t pull_gen = 0;
  // Index: the pods bound here and not yet gone, ascending by id.
  std::vector<uint32_t> pods;
};

struct ProbeWorker {
  const k8s::Probe* probe = nullptr;  // null: no such probe
  uint32_t gen = 0;                   // bumps cancel outstanding ticks
  EventId tick;
  int32_t successes = 0;
  int32_t failures = 0;
  // Elided: its result cannot change, so no tick is scheduled; its ticks
  // would fall at anchor + k x period (k >= 1) until something about its pod
  // changes (World::WakeProbes), when it rejoins that grid.
  bool elided = false;
  SimTime anchor;
};

// The kubelet's per-container back-off (client-go flowcontrol.Backoff with
// kubelet's 10 s initial, 300 s max; an entry expires 2 x max after its
// last update).
struct Backoff {
  bool has_entry = false;
  SimDuration backoff;
  SimTime last_update;
};

struct Pod {
  std::string name;
  std::string namespace_name;
  k8s::Labels labels;
  std::shared_ptr<const k8s::PodSpec> spec;
  uint32_t owner_rs = kNone;  // the ReplicaSet that owns it, if any
  uint32_t node = kNone;
  uint32_t image = 0;         // the first container's image index
  // Its imagePullPolicy (k8s::Container, defaulted): Always pulls on every
  // start; IfNotPresent only when the node lacks the image; Never never.
  enum class PullPolicy : uint8_t { kAlways, kIfNotPresent, kNever } pull_policy =
      PullPolicy::kIfNotPresent;
  std::string_view version;    // interned (World::versions_): stable for the run
  Resources requests;          // for filters and node accounting
  Resources score_requests;    // non-zero requests, for scoring
  SimTime created;
  PodState state = PodState::kPending;
  bool unschedulable = false;  // the last scheduling attempt found no node
  bool deleted = false;        // deletionTimestamp set (Terminating or gone)
  // Container / process.
  uint32_t container_gen = 0;  // bumps on each container start and stop
  bool container_running = false;
  bool started = false;        // startup probe passed (or none)
  bool serving = false;        // the process answers requests
  bool ready = false;          // the Ready condition
  std::optional<SimTime> ready_since;
  SimTime container_started_at;
  int32_t restarts = 0;
  Backoff backoff;
  bool sigterm_sent = false;   // this container got SIGTERM (deletion or kill)
  bool killing = false;        // a liveness/startup kill of this container runs
  bool running_at_failure = false;  // its container ran when its node failed
  ProbeWorker probes[3];  // by ProbeKind
  SimTime bound_at;
  // Indexes kept by the store: the Services whose selector matches this pod
  // (computed when its labels or a selector change), and those whose
  // client-visible endpoints list it. Both ascending.
  std::vector<uint32_t> services;
  std::vector<uint32_t> visible_in;
};

struct ReplicaSet {
  std::string name;
  std::string namespace_name;
  uint32_t owner = kNone;  // the Deployment, if any
  std::shared_ptr<const k8s::PodTemplateSpec> template_;
  k8s::LabelSelector selector;
  std::string hash;        // pod-template-hash
  int32_t min_ready_seconds = 0;
  ReplicaSetView view;     // spec.replicas, status, revision, annotations
  std::vector<uint32_t> pods;  // every pod it created (gone ones are skipped)
  int32_t existing_pods = 0;   // pods not yet gone, terminating included
  // Counters kept as its pods change (World::CountPod): pods not deleted,
  // and of those the Ready ones — its status without a walk of its pods.
  int32_t active_pods = 0;
  int32_t ready_active_pods = 0;
  bool deleted = false;
  bool queued = false;
  uint64_t name_counter = 0;
  // Whether template_ equals its Deployment's template at the Deployment's
  // template_gen `match_gen` (a deep comparison, made once per template).
  uint64_t match_gen = UINT64_MAX;
  bool matches = false;
};

struct Rollout {
  RolloutInfo info;
  bool status_done = false;
  bool complete = false;
  bool deadline_exceeded = false;
  bool superseded = false;  // another template change came first
  SimTime settled_at;       // when it completed or exceeded its deadline
};

struct Deployment {
  std::string name;
  std::string namespace_name;
  std::string key;  // report key
  k8s::DeploymentSpec spec;
  uint64_t template_gen = 0;           // bumped when spec.template_ changes
  std::vector<uint32_t> replica_sets;  // owned, in creation order
  DeploymentStatusCounts status;
  ProgressingCondition progressing;
  bool queued = false;
  bool deleted = false;
  std::vector<Rollout> rollouts;  // revision 2 onward
  EventId deadline_check;
};

struct EndpointSnapshot {
  std::vector<uint32_t> pods;  // sorted by pod id
};

struct Service {
  std::string name;
  std::string namespace_name;
  std::string key;
  k8s::Labels selector;
  bool exists = true;
  bool dirty = false;                   // in World::dirty_services_
  bool changed = false;                 // in World::changed_services_
  // Index: the live pods its selector matches (namespace, labels), ascending;
  // kept as pods come, go and change labels, and as the selector changes.
  std::vector<uint32_t> members;
  // Of those, the Ready ones not terminating, and the Ready terminating ones
  // (ascending), kept from `changed_members` at each recompute — or rebuilt
  // from `members` when `rebuild` (its selector changed).
  std::vector<uint32_t> ready, terminating_ready;
  std::vector<uint32_t> changed_members;
  bool rebuild = true;
  std::vector<uint32_t> live;           // the set last computed
  std::vector<EndpointInfo> visible;    // what clients see now
  std::vector<uint32_t> visible_pods;
  std::map<uint64_t, EndpointSnapshot> pending;  // computed, not yet visible, by sequence
  uint64_t next_snapshot = 0;
  SimTime last_visible_at;
  bool started = false;
  std::optional<SimTime> from;
  Rng delay_rng{0};
};

struct Client {
  std::string name;
  uint32_t service = kNone;
  std::optional<SimDuration> every;
  double rate_per_second = 0;  // Poisson when every is absent
  bool running = false;
  Rng rng{0};
};


// How the run ended.
struct WorldResult {
  SimTime end;
  uint64_t events = 0;
  bool budget_exhausted = false;
  std::optional<std::string> invariant_violation;  // what broke, if an invariant did
  std::vector<std::string> recent_events;          // the event log's last lines then
};

class World final : public ClusterView {
 public:
  World(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed,
        std::optional<SimDuration> until, uint64_t max_events, bool exact_probes,
        bool check_invariants);

  void AddObserver(Observer* o) { observers_.push_back(o); }
  WorldResult Run();

  // The engine's handler interface (EventLoop::RunUntil).
  void Fire(const FiredEvent& e);
  void EndInstant(SimTime t);

  // ClusterView.
  SimTime Now() const override { return loop_.Now(); }
  size_t PodCount() const override { return pods_.size(); }
  PodInfo PodAt(uint32_t id) const override;
  size_t ServiceCount() const override { return services_.size(); }
  std::string_view ServiceKey(uint32_t s) const override { return services_[s].key; }
  bool ServiceStarted(uint32_t s) const override { return services_[s].started; }
  std::span<const EndpointInfo> VisibleEndpoints(uint32_t s) const override;
  size_t DeploymentCount() const override { return deployments_.size(); }
  std::string_view DeploymentKey(uint32_t d) const override { return deployments_[d].key; }
  bool DeploymentDeleted(uint32_t d) const override { return deployments_[d].deleted; }
  int32_t ActivePods(uint32_t d) const override;
  int32_t AvailablePods(uint32_t d) const override;
  int64_t ExistingPods() const override { return existing_pods_; }
  int64_t BoundCpuMillis() const override { return bound_.cpu_milli; }
  int64_t BoundMemoryBytes() const override { return bound_.memory_bytes; }
  int64_t UnschedulablePods() const override { return unschedulable_count_; }
  bool Changed() const override { return changed_; }
  std::span<const uint32_t> ChangedServices() const override { return changed_services_; }
  std::span<const uint32_t> ChangedDeployments() const override { return changed_deployments_; }
  std::span<const uint32_t> ChangedPods() const override { return changed_pods_; }

 private:
  // --- world.cc: objects, steps, plumbing ---
  EventId Schedule(SimDuration delay, Phase phase, EventKind kind, uint32_t target,
                   uint64_t payload = 0);
  void Emit(std::string_view object, std::string_view what);
  // Emit, formatting the line only when someone reads event-log lines
  // (an observer's WantsEvents, or --check's ring of recent events).
  template <typename ObjectFn, typename WhatFn>
  void EmitLazy(ObjectFn&& object, WhatFn&& what) {
    if (!logging_) {
      changed_ = true;
      return;
    }
    Emit(object(), what());
  }
  void EmitPod(uint32_t pod, std::string_view what) {
    EmitLazy([&] { return PodLabel(pod); }, [&] { return what; });
  }
  std::string ObjectKey(std::string_view ns, std::string_view name) const;
  void Apply(const k8s::Object& object);
  void ApplyDeployment(const k8s::Deployment& d);
  void ApplyReplicaSet(const k8s::ReplicaSet& rs);
  void ApplyService(const k8s::Service& s);
  void ApplyPod(const k8s::Pod& p);
  void Delete(const k8s::ObjectKey& key);
  void MarkReplicaSetDeleted(uint32_t rs);  // and out of the name index
  void RunStep(uint32_t index);
  void RunNodeCommand(const scenario::NodeCommand& c);
  uint32_t FindDeployment(std::string_view ns, std::string_view name) const;
  uint32_t FindService(std::string_view ns, std::string_view name) const;
  uint32_t FindNode(std::string_view name) const;
  uint32_t ImageIndex(const std::string& image);
  void UpdatePod(uint32_t id, const k8s::Pod& obj);
  void RestartContainer(uint32_t id);
  void NodeNotReady(uint32_t n, uint64_t gen);
  uint32_t CreatePod(const std::string& ns, const std::string& name, const k8s::Labels& labels,
                     std::shared_ptr<const k8s::PodSpec> spec, uint32_t owner_rs);
  void SetPodState(uint32_t pod, PodState state);
  static void PointProbes(Pod& p);
  void PodChanged(uint32_t pod);  // requeue owner RS, mark its Services' endpoints dirty
  // A pod's share of its ReplicaSet's counters: add (+1) after, remove (-1)
  // before every change of its deleted flag, Ready condition or existence.
  void CountPod(uint32_t pod, int sign);
  // Available pods of a ReplicaSet (Ready minReadySeconds ago, not deleted).
  int32_t AvailableOf(const ReplicaSet& rs) const;
  // Every write of a pod's serving flag goes here: the Services that list it
  // as a visible endpoint are marked changed for the observers.
  void SetServing(uint32_t pod, bool serving);
  void TouchPod(uint32_t pod);  // its serving flag or version changed
  void MarkDeploymentChanged(uint32_t d) { changed_deployments_.push_back(d); }
  std::string_view InternVersion(std::string_view v);
  static std::string NameKey(std::string_view ns, std::string_view name);
  SimDuration Draw(const DurationDistribution& d, std::string_view stream, std::string_view key);
  std::string PodLabel(uint32_t pod) const { return "pod/" + pods_[pod].name; }

  // --- invariants.cc ---
  // The model's invariants, after an instant: what broke, or nullopt.
  std::optional<std::string> CheckInvariants() const;
  std::optional<std::string> CheckQuietInstant() const;
  // The store's indexes equal what a walk of every object finds: Service
  // members, the pods' Services and visible Services, nodes' pods, and the
  // visible endpoints' serving flags and versions once changes are applied.
  std::optional<std::string> CheckIndexes() const;

  // --- deployment_controller.cc ---
  void EnqueueDeployment(uint32_t d);
  void SyncDeployment(uint32_t d);
  void RolloutRolling(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  void RolloutRecreate(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  void ScaleForDeployment(uint32_t d, std::vector<uint32_t>& olds, uint32_t new_rs);
  uint32_t FindNewReplicaSet(uint32_t d, std::vector<uint32_t>* olds);
  uint32_t CreateNewReplicaSet(uint32_t d, const std::vector<uint32_t>& olds);
  // Writes the controller's new views back (a scale is queued for the ReplicaSet).
  void WriteViews(uint32_t d, const std::vector<ReplicaSetView>& views);
  std::vector<ReplicaSetView> Views(const std::vector<uint32_t>& ids) const;
  void SyncRolloutStatus(uint32_t d, uint32_t new_rs, const std::vector<uint32_t>& olds);
  void CleanupDeployment(uint32_t d, const std::vector<uint32_t>& olds);
  void CheckRollouts(uint32_t d);
  bool OldPodsRunning(const std::vector<uint32_t>& olds) const;

  // --- replicaset_controller.cc ---
  void EnqueueReplicaSet(uint32_t rs);
  void SyncReplicaSet(uint32_t rs);
  bool IsAvailable(const Pod& p, int32_t min_ready_seconds) const;

  // --- scheduler.cc ---
  void EnqueueSchedule(uint32_t pod);
  void SchedulePod(uint32_t pod);
  bool Feasible(const Pod& p, const Node& node) const;
  void RetryUnschedulable();

  // --- kubelet.cc ---
  void Bind(uint32_t pod, uint32_t node);
  void StartPull(uint32_t node);
  void PullDone(uint32_t pod, uint64_t payload);  // payload: pull_gen << 32 | node
  void StartContainer(uint32_t pod);
  void ProcessServing(uint32_t pod, uint64_t gen);
  void ProcessStopServing(uint32_t pod, uint64_t gen);
  void ProcessExit(uint32_t pod, uint64_t gen);
  void ContainerStopped(uint32_t pod);
  void ArmProbes(uint32_t pod);
  void ScheduleProbe(uint32_t pod, ProbeKind kind, SimDuration delay);
  EventId ProbeTick(uint32_t pod, ProbeKind kind, SimTime at, uint64_t payload);
  // Probe elision (docs/scale.md). Steady: the worker's next result is the
  // same success and changes nothing. Settle: an elided worker's ticks that
  // would have fired by now are counted, and the time of its next tick is
  // returned. Wake: every elided worker of the pod rejoins its grid.
  bool ProbeSteady(uint32_t pod, ProbeKind kind) const;
  SimTime SettleProbe(uint32_t pod, ProbeKind kind);
  void WakeProbes(uint32_t pod);
  void RunProbe(uint32_t pod, uint64_t payload);
  void ProbeOnce(uint32_t pod, ProbeKind kind);  // one tick's check and result
  void ProbeResult(uint32_t pod, ProbeKind kind, bool success);
  void SetReady(uint32_t pod, bool ready);
  void TriggerReadiness(uint32_t pod);
  void DeletePod(uint32_t pod);
  void StopContainer(uint32_t pod, SimDuration grace);
  void KillContainer(uint32_t pod, ProbeKind kind);
  void PreStopDone(uint32_t pod, uint64_t gen);
  void GraceExpired(uint32_t pod, uint64_t gen);
  void PodGone(uint32_t pod);
  void FailNode(uint32_t node);
  void RecoverNode(uint32_t node);

  // --- endpoints.cc ---
  void RequestEndpoints();                // a kEndpoints event this instant
  void MarkServiceDirty(uint32_t service);  // its live set must be recomputed
  void MarkMemberChanged(uint32_t service, uint32_t pod);  // and this member's place in it
  void MarkServiceChanged(uint32_t service);  // observers re-read its visible endpoints
  void IndexService(uint32_t service);    // recompute its members (selector changed)
  void IndexPodServices(uint32_t pod);    // recompute the pod's Services (labels changed)
  void UnindexPod(uint32_t pod);          // the pod is gone: out of its Services' members
  void UpdateVisibleIndex(uint32_t service, const std::vector<uint32_t>& before);
  void RecomputeEndpoints();
  void EndpointsVisible(uint32_t service, uint64_t snapshot);
  void CheckServiceStarts();
  // Schedules the check for Services' first serving endpoint (at every
  // change that may bring one, while a Service waits), to look at `candidates`.
  void RequestStartCheck(std::span<const uint32_t> candidates);
  // A visible pod's entry in the Service's client-visible list takes its
  // serving flag and version again.
  void RefreshVisibleEntry(uint32_t service, uint32_t pod);

  // --- traffic.cc ---
  void StartService(uint32_t service);
  void StartClient(uint32_t client);
  void SendRequest(uint32_t client);
  void ScheduleNextRequest(uint32_t client);

  std::shared_ptr<const scenario::Scenario> scenario_;
  uint64_t seed_;
  std::optional<SimDuration> until_;
  EventLoop loop_;
  uint64_t max_events_;
  std::vector<Observer*> observers_;

  std::vector<Node> nodes_;
  std::vector<Pod> pods_;
  std::vector<ReplicaSet> replica_sets_;
  std::vector<Deployment> deployments_;
  std::vector<Service> services_;
  std::vector<Client> clients_;
  std::vector<ImageBehaviour> images_;
  std::map<std::string, uint32_t, std::less<>> image_index_;
  std::map<std::string, uint32_t, std::less<>> pod_names_;  // "ns/name" -> live pod
  // Indexes by name: "ns/name" -> the live (not deleted) object.
  std::map<std::string, uint32_t, std::less<>> deployment_names_;
  std::map<std::string, uint32_t, std::less<>> replica_set_names_;
  std::map<std::string, uint32_t, std::less<>> service_names_;
  std::map<std::string, uint32_t, std::less<>> node_names_;
  // Services by the first (key, value) of their selector ("key\0value"): a
  // pod's candidates are found through its own labels.
  std::map<std::string, std::vector<uint32_t>, std::less<>> services_by_label_;
  std::set<std::string, std::less<>> versions_;  // interned version strings
  std::vector<uint32_t> dirty_services_;     // live sets to recompute (kEndpoints)
  std::vector<uint32_t> changed_services_;   // this instant's, for observers; sorted at its end
  std::vector<uint32_t> changed_deployments_;
  std::vector<uint32_t> touched_pods_;       // serving flag or version changed this instant
  std::vector<uint32_t> changed_pods_;       // state or version changed this instant
  // Services neither started nor waiting for `from:`, ascending.
  std::vector<uint32_t> awaiting_start_;
  std::vector<uint32_t> start_candidates_;   // for the next start check

  Rng scheduler_rng_{0};
  uint32_t next_start_node_ = 0;   // kube-scheduler's nextStartNodeIndex
  std::vector<uint32_t> feasible_;  // scratch: one cycle's feasible nodes
  std::vector<int32_t> colocated_;  // scratch, all zeros between uses: related pods by node + 1
  uint64_t uid_counter_ = 0;
  int64_t existing_pods_ = 0;
  int64_t unschedulable_count_ = 0;
  Resources bound_;
  bool endpoints_event_pending_ = false;
  bool start_check_pending_ = false;
  std::vector<uint32_t> unschedulable_;
  std::vector<uint32_t> dirty_rollouts_;
  bool check_invariants_ = false;
  bool logging_ = true;  // someone reads event-log lines (set in Run)
  bool elide_probes_ = true;
  // The event being fired: its phase and key (which events of this instant
  // have run). kMaxPhase after the instant's last event.
  uint8_t current_phase_ = 0;
  uint64_t current_key_ = 0;
  // Something observable changed in this instant. Every such change emits an
  // event-log line (Emit) or goes through SetPodState/SetReady, which set it;
  // `--check` verifies that quiet instants really left the endpoints alone.
  bool changed_ = true;
  std::optional<std::string> violation_;
  std::vector<std::string> recent_;  // ring of the last kRecentEvents log lines (when checking)
  size_t recent_next_ = 0;
  SimTime last_instant_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_WORLD_H_
