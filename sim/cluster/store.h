// The object store: every object of the simulated cluster in dense arrays
// addressed by integer ids, and the indexes the controllers read (by name,
// by node, by owner, by Service). Controllers read and write objects in
// place, as Kubernetes' controllers read their informers' caches and write
// through the API (api.h); nothing here schedules an event. See
// docs/architecture.md.
#ifndef KUBESIM_SIM_CLUSTER_STORE_H_
#define KUBESIM_SIM_CLUSTER_STORE_H_

#include <algorithm>
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "deployment_util.h"
#include "engine/event_loop.h"
#include "kubesim/cluster/observer.h"
#include "kubesim/cluster/scheduling.h"
#include "kubesim/engine/random.h"
#include "kubesim/k8s/object.h"
#include "kubesim/scenario/scenario.h"
#include "pod_topology.h"
#include "server_queue.h"

namespace kubesim::cluster {

inline constexpr uint32_t kNone = 0xFFFFFFFFu;

// An image's behaviour (docs/scenario-format.md `images:`), resolved for the model.
struct ImageBehaviour {
  std::string_view version;  // the profile's, else the tag, else "latest" (interned: stable)
  DurationDistribution pull, start, shutdown, drain;
  std::optional<DurationDistribution> crash_after;
  std::optional<DurationDistribution> exit_after;
  bool healthy = true;
  // The load model (docs/load-model.md): service time, servers (0:
  // unlimited) and waiting room (negative: unlimited) of one pod's process.
  DurationDistribution latency;
  int32_t concurrency = 0;
  int64_t queue = -1;
  bool close_on_drain = false;  // keep-alive connections close when it stops serving
  double error_rate = 0;        // the share of served requests answered with an error
};

// One step of the order in which the kubelet starts a pod's containers
// (computePodActions): its init containers in spec order — a plain one runs
// to completion, a native sidecar must have started — then its regular
// containers in spec order, each pulled and started in turn. `index` is the
// container's in spec.initContainers (plain init, sidecar) or
// spec.containers (the rest), `image` its image, and `slot` who runs it:
// kStartMain for a plain init container and the app container (the Pod's
// own fields), else its SideContainer's index.
inline constexpr uint32_t kStartMain = 0xFFFFFFFFu;
struct StartEntry {
  uint32_t index = 0;
  uint32_t image = 0;
  uint32_t slot = kStartMain;
  auto operator<=>(const StartEntry&) const = default;
};
// A pod's start order (Store::init_lists, shared by the pods of one
// template). A pod with only an app container and plain init containers
// lists the init containers alone (the app comes after them); a pod with
// side containers lists every container, the app's entry included.
using InitList = std::vector<StartEntry>;

// What the scheduler reads of every node it examines, apart from the rest
// of the Node (Store::node_fit, by node id): a dense array of records of half
// a cache line each, so that the hundreds of nodes a scheduling cycle
// examines stay in the caches, two to a line (5,000 nodes: 160 KiB).
struct alignas(32) NodeFit {
  // Node::allocatable minus Node::requested (Store::SetRequested keeps it):
  // NodeResourcesFit's filter compares a pod's requests with it. Free pods
  // are capped at INT32_MAX (a node never holds that many).
  int64_t free_cpu_milli = 0;
  int64_t free_memory_bytes = 0;
  int32_t free_pods = 0;
  // The scheduler's last resource score here (LeastAllocated +
  // BalancedAllocation) and the class of pod requests it was for
  // (Store::score_classes; kNone: none); dropped whenever the requests
  // change. Pods of one template share requests, so a node's score is
  // computed once per change of the node, not once per pod.
  uint32_t score_class = kNone;
  int32_t score = 0;  // at most 2 * kMaxNodeScore
  // The NodeReady condition as the API shows it: it turns false only when the
  // node controller has missed heartbeats for node-monitor-grace-period.
  bool condition_ready = true;
  bool unschedulable = false;  // cordoned
  bool tainted = false;        // has a NoSchedule or NoExecute taint (TaintToleration filters)

  // NodeResourcesFit's filter: requested + the pod's <= allocatable, each resource.
  bool Fits(const Resources& pod) const {
    return pod.cpu_milli <= free_cpu_milli && pod.memory_bytes <= free_memory_bytes &&
           pod.pods <= free_pods;
  }
};
static_assert(sizeof(NodeFit) == 32, "two nodes per cache line");

struct Node {
  std::string name;
  k8s::Labels labels;
  std::vector<k8s::Taint> taints;
  bool no_execute = false;  // some taint has effect NoExecute
  SimTime not_ready_at;     // when the node controller last marked it NotReady
  SimTime lease_epoch;      // its kubelet's (re)start: Lease renewals run from it
  Resources allocatable;
  Resources requested;  // by bound, not yet gone pods (Store::SetRequested)
  // The same with a missing cpu / memory request counted as 100m / 200Mi
  // (NodeInfo.NonZeroRequested: what NodeResourcesFit's score reads).
  Resources non_zero_requested;
  bool ready = true;  // the machine and its kubelet run (false while failed)
  uint32_t failure_gen = 0;
  std::vector<bool> image_cached;  // by image index
  // Serialized image pulls (kubelet serializeImagePulls): containers
  // waiting, FIFO — a pod's main container (its current init container or
  // its app) or one of its side containers.
  struct PullRequest {
    uint32_t pod = 0;
    uint32_t slot = kStartMain;  // kStartMain, or the pod's SideContainer index
    bool operator==(const PullRequest&) const = default;
  };
  std::vector<PullRequest> pull_queue;
  bool Queued(uint32_t pod, uint32_t slot = kStartMain) const {
    return std::find(pull_queue.begin(), pull_queue.end(), PullRequest{pod, slot}) !=
           pull_queue.end();
  }
  bool pulling = false;
  uint32_t pulling_image = 0;  // the image being pulled (a pod may change its own meanwhile)
  uint32_t pulling_pod = 0;    // the pod it is pulled for
  uint32_t pulling_slot = kStartMain;
  // Bumped when a pull starts and when the node fails: a PullDone of an older
  // pull (one the failure interrupted) is stale and does nothing.
  uint32_t pull_gen = 0;
  // Index: the pods bound here and not yet gone, ascending by id.
  std::vector<uint32_t> pods;
  // The host ports those pods hold (NodePorts), one entry per pod and port.
  std::vector<HostPort> host_ports;
};

// The pod's (first) container as the kubelet's runtime sees it: the API's
// waiting / running / terminated, with running split where a stop was
// requested. Kubelet::SetContainerState is its one writer; a move
// LegalContainerMove does not allow is a bug in kubesim, reported as a
// violation under --check (the move is still made, as before the check):
//   Waiting  -> Running      created and started (after its image is present)
//   Running  -> Stopping     deleted, or killed by a failed liveness/startup probe
//   Running, Stopping -> Waiting   its process exited or was SIGKILLed, its
//                            image changed, or its node failed: it restarts,
//                            or, when its pod is deleted, the pod goes
//   Waiting  -> Terminated   its pod is gone (final)
// (Waiting -> Waiting, a stop of a container that was not running, is no move.)
enum class ContainerState : uint8_t { kWaiting, kRunning, kStopping, kTerminated };

std::string_view ContainerStateName(ContainerState s);
bool LegalContainerMove(ContainerState from, ContainerState to);
// The pod state's moves (Kubelet::UpdatePodState, reported like the
// container's): Pending -> Pulling (bound);
// Pulling -> Starting (container created); Starting <-> Ready (the Ready
// condition); Starting -> Pulling (a new image to pull); anything but Gone
// -> Terminating (deleted) or Gone; Terminating -> Gone; Gone is final.
bool LegalPodMove(PodState from, PodState to);

// A pod's requests as the scores read them: NodeResourcesFit's with a
// missing cpu / memory request counted as 100m / 200Mi, BalancedAllocation's
// as they are (resource_allocation.go, useRequested).
struct ScoreRequests {
  Resources non_zero;
  Resources requests;
};

struct Pod;
// A container's imagePullPolicy (defaulted by decoding) as the kubelet reads it.
enum class PullPolicy : uint8_t { kAlways, kIfNotPresent, kNever };
PullPolicy PullPolicyOf(const k8s::Container& c);

// The pod's state, derived from its container and its conditions — what
// Kubelet::UpdatePodState writes, and `--check` verifies, after every change
// of those: Gone once its container is Terminated; else Terminating once
// deleted; Pending while not bound (PodScheduled false); Ready with the Ready
// condition; Pulling while its container for the current spec is not yet
// created (ContainerCreating); Starting otherwise (created, not Ready:
// starting, probing, or in CrashLoopBackOff).
PodState DerivedPodState(const Pod& p);

// status.phase as the kubelet computes it (getPhase, pkg/kubelet/kubelet_pods.go)
// for one container under restartPolicy Always: Pending while the container
// waits without ever having run (no LastTerminationState), Running once it
// runs or has run (waiting to restart included).
enum class PodPhase : uint8_t { kPending, kRunning };
PodPhase PhaseOf(const Pod& p);

struct ProbeWorker {
  const k8s::Probe* probe = nullptr;  // null: no such probe
  uint32_t gen = 0;                   // bumps cancel outstanding ticks
  EventId tick;
  int32_t successes = 0;
  int32_t failures = 0;
  // Elided: its result cannot change, so no tick is scheduled; its ticks
  // would fall at anchor + k x period (k >= 1) until something about its pod
  // changes (Prober::WakeProbes), when it rejoins that grid.
  bool elided = false;
  SimTime anchor;
};

// The kubelet's per-container back-off (client-go flowcontrol.Backoff with
// kubelet's 10 s initial, 300 s max; an entry expires 2 x max after its
// last update).
struct Backoff {
  bool has_entry = false;
  SimDuration backoff;
  SimTime last_update;  // when the entry last moved on (Next): the restart
  // The container's newest exit (the exited status doBackOff reads).
  bool has_exit = false;
  SimTime last_exit;
};

// A container of a pod other than its app container: another regular
// container, or a native sidecar (an init container with restartPolicy
// Always). Each has its own image profile, probes, restarts with back-off,
// preStop and shutdown (docs/scenario-format.md, several containers); it
// takes part in the pod's readiness (ContainersReady,
// pkg/kubelet/status/generate.go) but not in answering requests, which is
// the app container's. Kept beside the pod (Store::side_lists) so that pods
// with one container pay nothing for it.
struct SideContainer {
  uint32_t index = 0;  // in spec.containers, or spec.initContainers for a sidecar
  bool sidecar = false;
  uint32_t image = 0;
  PullPolicy pull_policy = PullPolicy::kIfNotPresent;
  ContainerState state = ContainerState::kWaiting;
  uint32_t gen = 0;       // bumps on each start and stop: outstanding events of the old process void
  bool created = false;   // started at least once for this spec
  bool started = false;   // its startup probe passed (or it has none)
  bool ready = false;     // its readiness
  bool serving = false;   // its process answers (its probes succeed)
  bool sigterm_sent = false;
  bool killing = false;   // a liveness/startup kill runs
  bool running_at_failure = false;
  int32_t restarts = 0;  // its own (the pod's `restarts` sums every container's)
  // Stopping at the pod's deletion, a sidecar whose preStop is done waits
  // for its turn (the regular containers, then the sidecars after it, have
  // exited) since turn_began, for at most turn_grace — the grace period less
  // its hook's whole seconds; its stop then gets what is left
  // (kuberuntime_termination_order.go).
  bool awaiting_turn = false;
  SimTime turn_began;
  SimDuration turn_grace;
  SimTime started_at;
  Backoff backoff;
  ProbeWorker probes[3];  // by ProbeKind
  bool running() const {
    return state == ContainerState::kRunning || state == ContainerState::kStopping;
  }
};

struct alignas(64) Pod {
  // What walks over many pods read (ReplicaSet ranking, endpoints, requests,
  // the scheduler's retries) comes first, in the struct's first cache line
  // (aligned: one line per pod read, not two for every other pod).
  uint32_t owner_rs = kNone;  // the ReplicaSet that owns it, if any
  uint32_t node = kNone;
  PodState state = PodState::kPending;
  ContainerState container = ContainerState::kWaiting;
  bool deleted = false;        // deletionTimestamp set (Terminating or gone)
  bool ready = false;          // the Ready condition
  bool serving = false;        // the process answers requests
  bool started = false;        // startup probe passed (or none)
  bool unschedulable = false;  // the last scheduling attempt found no node
  bool sigterm_sent = false;   // this container got SIGTERM (deletion or kill)
  bool killing = false;        // a liveness/startup kill of this container runs
  bool running_at_failure = false;  // its container ran when its node failed
  // The container for its current spec exists (StartContainer); false until
  // then, and again when `set image` replaces it: the image is awaited.
  bool container_created = false;
  int32_t restarts = 0;
  std::string_view version;  // interned (Store::versions): stable for the run
  std::optional<SimTime> ready_since;
  SimTime created;  // read by the ReplicaSet's deletion ranking
  bool container_running() const {
    return container == ContainerState::kRunning || container == ContainerState::kStopping;
  }

  std::string name;
  std::string namespace_name;
  // Shared by the pods of one ReplicaSet (ReplicaSet::pod_labels); replaced
  // whole, never changed in place, when an apply changes a pod's labels.
  std::shared_ptr<const k8s::Labels> labels;
  // Its labels at creation, which its affinity terms' and spread
  // constraints' matchLabelKeys were merged from (pod_topology.h).
  std::shared_ptr<const k8s::Labels> term_labels;
  std::shared_ptr<const k8s::PodSpec> spec;
  // Its metadata.annotations: shared with its ReplicaSet's template until
  // `kubectl annotate` gives it its own; never changed in place.
  std::shared_ptr<const k8s::Labels> annotations;
  // Those its last apply gave it (the template's for a ReplicaSet's pod):
  // an update's three-way merge keeps what `kubectl annotate` added.
  std::shared_ptr<const k8s::Labels> applied_annotations;
  // Its app container's imagePullPolicy: Always pulls on every start;
  // IfNotPresent only when the node lacks the image; Never never.
  PullPolicy pull_policy = PullPolicy::kIfNotPresent;
  uint32_t container_gen = 0;  // bumps on each container start and stop
  uint32_t image = 0;          // the app container's image index
  // Its app container: spec->containers[app] (k8s::AppContainerIndex) — the
  // one container the model runs (docs/scenario-format.md, PodSpec).
  uint32_t app = 0;
  // Its plain init containers (Store::init_lists[init_list]; kNone: none):
  // init_next of init_count have completed. Until all have, the kubelet
  // pulls and runs them one by one and the app container waits.
  // With side containers, the list holds every container and init_count is
  // the app's entry; the walk goes on past it through the regular containers
  // after the app, up to start_count.
  uint32_t init_list = kNone;
  uint16_t init_count = 0;
  uint16_t init_next = 0;
  uint16_t start_count = 0;
  bool in_init() const { return init_next < init_count; }
  // Its other containers (Store::side_lists[sides]; kNone: it has none).
  uint32_t sides = kNone;
  // Its controller.kubernetes.io/pod-deletion-cost (0 without one), which
  // the ReplicaSet's scale-down ranks by; beside `sides`, which the ranking
  // reads too.
  int32_t deletion_cost = 0;
  // Its app container's readiness; `ready`, the pod's condition, needs the
  // side containers' too (Kubelet::UpdateReady).
  bool app_ready = false;
  // ContainersReady: every container ready; Ready needs its readiness gates
  // too. lb_gate: the AWS Load Balancer Controller set its
  // target-health.elbv2.k8s.aws gates true: its target is healthy in every
  // balancer that registered it (LoadBalancers::Reconcile).
  bool containers_ready = false;
  bool lb_gate = false;
  Resources requests;        // for filters and node accounting
  uint32_t score_class = 0;  // its non-zero requests, for scoring (Store::score_classes)
  SimTime container_started_at;
  Backoff backoff;
  ProbeWorker probes[3];  // by ProbeKind
  SimTime bound_at;
  // Indexes kept by the store: the Services whose selector matches this pod
  // (computed when its labels or a selector change), and those whose
  // client-visible endpoints list it. Both ascending.
  std::vector<uint32_t> services;
  std::vector<uint32_t> visible_in;
};

// Laid out for the syncs: the fields every Deployment and ReplicaSet sync
// reads lead, in the first cache line, and `view` fills the second.
struct alignas(64) ReplicaSet {
  uint32_t owner = kNone;  // the Deployment, if any
  int32_t min_ready_seconds = 0;
  // Counters kept as its pods change (Store::CountPod): pods not deleted,
  // and of those the Ready ones — its status without a walk of its pods.
  int32_t active_pods = 0;
  int32_t ready_active_pods = 0;
  bool deleted = false;
  bool queued = false;
  // A delayed sync waits (ReplicaSetController::EnqueueAfter), due then.
  bool delayed_sync = false;
  SimTime delayed_sync_at;
  // Whether template_ equals its Deployment's template at the Deployment's
  // template_gen `match_gen` (a deep comparison, made once per template).
  bool matches = false;
  uint64_t match_gen = UINT64_MAX;
  // Index: its pods not yet gone (terminating included), ascending by id.
  std::vector<uint32_t> pods;
  alignas(64) ReplicaSetView view;  // spec.replicas, status, revision, annotations

  std::string name;
  std::string namespace_name;
  std::shared_ptr<const k8s::PodTemplateSpec> template_;
  k8s::LabelSelector selector;
  std::string hash;  // pod-template-hash
  // The label its pods carry the hash under: a Deployment's
  // pod-template-hash, or Argo Rollouts' rollouts-pod-template-hash.
  std::string_view hash_key = "pod-template-hash";
  // An Argo Rollout's ReplicaSet: the scale-down-deadline annotation
  // (rollout/replicaset.go addScaleDownDelay), when set.
  std::optional<SimTime> scale_down_deadline;
  // Its new pods' labels (the template's and pod-template-hash), made at
  // the first pod after a template change and shared by all of them.
  std::shared_ptr<const k8s::Labels> pod_labels;
  // The Services selecting pod_labels, as EndpointsController::IndexPodServices
  // found them at its selector generation pod_services_gen (none: UINT64_MAX).
  std::vector<uint32_t> pod_services;
  uint64_t pod_services_gen = UINT64_MAX;
  // The default spread's pod counter for its pods (TopologyFilter,
  // helper.DefaultSelector: its selector and those of the Services that
  // select them), valid while they are the Services `default_spread_services`.
  uint32_t default_spread_counter = UINT32_MAX;
  bool default_spread_known = false;
  std::vector<uint32_t> default_spread_services;
  uint64_t name_counter = 0;
};

struct Rollout {
  RolloutInfo info;
  bool status_done = false;
  bool complete = false;
  bool deadline_exceeded = false;
  bool superseded = false;  // another template change came first, or its Deployment was deleted
  // An Argo Rollout's update held until a command: aborted, paused
  // indefinitely, or invalid (while it stays so). It does not keep the run
  // going.
  bool aborted = false;
  SimTime settled_at;       // when it completed or exceeded its deadline
};

// An Argo Rollout's own state (docs/progressive-delivery.md): its strategy
// and the controller's status fields (argo-rollouts types.go RolloutStatus),
// beside the Deployment-shaped entry it shares with Deployments.
struct ArgoRollout {
  // Its strategy: exactly one of the two.
  std::optional<k8s::BlueGreenStrategy> blue_green;
  std::optional<k8s::CanaryStrategy> canary;
  // Store::services (a placeholder until applied; kNone: none): blue-green's
  // active and preview Services, canary's stable and canary Services.
  uint32_t active_service = kNone;
  uint32_t preview_service = kNone;
  uint32_t stable_service = kNone;
  uint32_t canary_service = kNone;
  // status.currentStepIndex (canary with steps; none without), and the
  // steps it counts in (a change of the steps restarts them).
  std::optional<int32_t> current_step;
  std::vector<k8s::CanaryStep> status_steps;
  bool steps_recorded = false;  // status.currentStepHash is set
  // status.canary.weights (trafficRouting): the canary's weight the router
  // was last set to, and the ReplicaSet hashes it routed between.
  int32_t canary_weight = 0;
  bool weights_set = false;
  std::string weight_canary_hash, weight_stable_hash;
  // status: the hashes (rollouts-pod-template-hash values) of the current
  // template's ReplicaSet, the stable one, and the Services' selectors.
  std::string current_pod_hash, stable_rs, active_selector, preview_selector;
  bool controller_pause = false;
  // The pause condition's startTime: BlueGreenPause, or canary's
  // CanaryPauseStep.
  std::optional<SimTime> pause_start;
  // Its reason: "" (CanaryPauseStep or BlueGreenPause, by strategy), or
  // "InconclusiveAnalysisRun".
  std::string pause_reason;
  bool abort = false;
  std::optional<SimTime> aborted_at;  // status.abortedAt
  int64_t aborted_revision = 0;
  bool promote_full = false;
  bool scale_up_preview_checkpoint = false;
  // spec.restartAt (kubectl argo rollouts restart) and status.restartedAt:
  // the pod restarter evicts the pods created before it, then sets it.
  std::optional<SimTime> restart_at, restarted_at;
  SimTime restart_done_at;  // when the restarter last set restartedAt
  // The phase as `kubectl argo rollouts status` reads it (GetRolloutPhase).
  enum class Phase : uint8_t { kProgressing, kPaused, kHealthy, kDegraded };
  Phase phase = Phase::kProgressing;
  std::string message;
  // Why the controller finds the Rollout invalid (an InvalidSpec
  // condition: a Service it names does not exist), or empty.
  std::string invalid;
  // The progress deadline (calculateRolloutConditions): spec's
  // progressDeadlineSeconds, the last progress and what it was.
  int32_t progress_deadline_seconds = 600;
  // spec.workloadRef: the template (and, without its own, the selector) is
  // the referenced Deployment's, resolved at each change of it
  // (rollout/templateref.go); `workload_resolved` once it was found.
  std::optional<k8s::RolloutWorkloadRef> workload_ref;
  bool own_selector = false;
  bool workload_resolved = false;
  SimTime progress_at;
  std::string progress_signature;
  bool timed_out = false;  // ProgressDeadlineExceeded
  // The current AnalysisRuns (Store::analysis_runs; kNone: none):
  // status.canary.currentStepAnalysisRunStatus, currentBackgroundAnalysisRunStatus,
  // status.blueGreen.prePromotionAnalysisRunStatus, postPromotionAnalysisRunStatus.
  uint32_t step_run = kNone, background_run = kNone, pre_run = kNone, post_run = kNone;
  // Why the Rollout was aborted (an analysis failed), or empty.
  std::string abort_message;
  // The canary step observers were told started (OnRolloutStep), of which
  // rollout; and whether `promote` skipped it.
  std::optional<int32_t> told_step;
  RolloutInfo told_rollout;
  bool step_skipped = false;
  // The told step as it was when it started.
  struct ToldStep {
    std::string_view kind;
    int32_t weight = 0;
    uint32_t canary_rs = kNone, stable_rs = kNone;
    uint32_t run = kNone;  // its AnalysisRun
  } told;
  // Bumped when the steps (or the template) reset the canary to step 0.
  uint64_t steps_version = 0, told_steps_version = 0;
  bool progress_paused = false;  // paused (or aborted) at the last look
  // The controller's own timed requeue (auto-promotion, a scale-down deadline).
  EventId timer;
  SimTime timer_at;
};

// An Argo Rollouts AnalysisRun (analysis/analysis.go at 9f8d111): the
// metrics of its templates, measured every interval over the simulated
// requests (AnalysisController), until each is complete; its phase is the
// worst of theirs. A Rollout creates one per analysis step, one for its
// background analysis, and one before and after a blue-green promotion.
struct AnalysisRun {
  enum class Phase : uint8_t { kPending, kRunning, kSuccessful, kFailed, kError, kInconclusive };
  enum class Type : uint8_t { kStep, kBackground, kPrePromotion, kPostPromotion };
  std::string name;
  uint32_t rollout = kNone;  // Store::deployments
  Type type = Type::kStep;
  int32_t step = -1;  // kStep: the step's index
  // The ReplicaSets the run's pods are: the new (canary) one and the stable.
  uint32_t new_rs = kNone;
  uint32_t stable_rs = kNone;
  struct Metric {
    k8s::AnalysisMetric spec;  // its arguments substituted
    std::string template_name;
    const scenario::AnalysisMeasure* measure = nullptr;  // null: not simulated
    Phase phase = Phase::kPending;
    int32_t count = 0, successful = 0, failed = 0, inconclusive = 0, error = 0;
    int32_t consecutive_error = 0, consecutive_success = 0;
    std::optional<SimTime> last;  // the last measurement's finishedAt
    Phase last_phase = Phase::kPending;
    std::vector<double> last_value;
    std::string message;  // the last measurement's error, if any
  };
  std::vector<Metric> metrics;
  Phase phase = Phase::kPending;
  std::string message;
  SimTime started;
  std::optional<SimTime> completed;
  bool terminate = false;  // cancelled by the Rollout
  bool reconciled = false;  // its first reconcile happened (status.startedAt)
  // A metric ended it Failed, Error or Inconclusive: the next reconcile
  // settles its phase.
  bool terminate_next = false;
  bool dry_run = false;    // dryRun: its failures do not count
  std::optional<RolloutInfo> info;  // the rollout (revision 2 on) it judges
  EventId timer;
  bool Completed() const { return phase != Phase::kPending && phase != Phase::kRunning; }
};

// The requests one ReplicaSet's pods answered lately, for analysis
// measurements (AnalysisController); kept only when spec.analysis reads
// requests, for the longest window it reads.
struct RequestSample {
  int64_t at_us;
  int64_t latency_us;  // answered requests: the response time
  bool ok;
};

// The requests of some ReplicaSets after a time: counts, and the response
// times of the answered ones (`latencies`: none, the ok ones — what Argo's
// analysis reads — or all, as Flagger's request-duration does).
struct RequestWindow {
  int64_t total = 0, ok = 0;
  std::vector<int64_t> latencies;
  enum class Latencies : uint8_t { kNone, kOk, kAll };
};
RequestWindow RequestsAfter(const std::vector<std::deque<RequestSample>>& rs_requests,
                            std::span<const uint32_t> replica_sets, int64_t after_us,
                            RequestWindow::Latencies latencies);
// The nearest-rank q-quantile of `v` (sorted here), as histogram_quantile
// reads a histogram with a bucket per sample; NaN without data.
double NearestRankQuantile(std::vector<int64_t>& v, double q);

// A Flagger Canary (docs/progressive-delivery.md): its spec and the status
// Flagger's scheduler keeps (pkg/apis/flagger/v1beta1/status.go at 15bd6ad),
// with the objects it made: the primary Deployment and three Services.
struct FlaggerCanaryState {
  k8s::FlaggerCanary canary;
  bool exists = true;
  enum class Phase : uint8_t {
    kInitializing,
    kInitialized,
    kWaiting,
    kProgressing,
    kWaitingPromotion,
    kPromoting,
    kFinalising,
    kSucceeded,
    kFailed,
  };
  Phase phase = Phase::kInitializing;
  int32_t failed_checks = 0;
  int32_t canary_weight = 0;  // status.canaryWeight
  int32_t iterations = 0;     // status.iterations
  // lastAppliedSpec and lastPromotedSpec: the target's template then (Flagger
  // keeps its hash).
  std::optional<k8s::PodTemplateSpec> last_applied, last_promoted;
  // Store::deployments: the target and `<target>-primary` (kNone: none yet).
  uint32_t target = kNone, primary = kNone;
  // Store::services: `<service>`, `<service>-primary`, `<service>-canary`.
  uint32_t apex = kNone, primary_service = kNone, canary_service = kNone;
  // The primary's selector label (the first of app, name,
  // app.kubernetes.io/name in the target's matchLabels) and its value.
  std::string label, label_value;
  // Which of those Services Flagger created (a Service the scenario made
  // is not the Canary's: it stays when the Canary goes).
  bool made_apex = false, made_primary_service = false, made_canary_service = false;
  bool made_primary = false;
  // The target's rollout (Deployment::rollouts index) the analysis judges:
  // the template it detected. Other template changes end as Flagger treats
  // them (FlaggerController::SettleRollouts).
  std::optional<size_t> rollout;
  int32_t route_weight = 0;  // the canary's weight the router was last set to
  uint64_t promotions = 0;   // the flagger-id annotation a promotion writes
  EventId tick;              // the analysis job's next run
  int64_t job_interval_us = 0;
  // The step observers were told started (OnRolloutStep), and the checks
  // run while it lasted.
  std::optional<int32_t> step;
  std::string_view step_kind;
  int32_t step_weight = 0, checks = 0, failures = 0;
  RolloutInfo step_rollout;
};

struct Deployment {
  std::string name;
  std::string namespace_name;
  std::string key;  // report key
  k8s::DeploymentSpec spec;
  uint64_t template_gen = 0;           // bumped when spec.template_ changes
  // metadata.generation (bumped by every spec change) and the one the
  // controller's last sync saw (status.observedGeneration): `kubectl rollout
  // status` waits until they match.
  int64_t generation = 1;
  int64_t observed_generation = 0;
  std::vector<uint32_t> replica_sets;  // owned, in creation order
  DeploymentStatusCounts status;
  ProgressingCondition progressing;
  bool queued = false;
  bool deleted = false;
  std::vector<Rollout> rollouts;  // revision 2 onward
  EventId deadline_check;
  // An Argo Rollout (kind Rollout): synced by the RolloutController, not
  // the Deployment controller. Null for a Deployment.
  std::unique_ptr<ArgoRollout> argo;
  // Whether an analysis reads its pods' requests: its ReplicaSets' requests
  // are kept (Store::rs_requests).
  bool records_requests = false;
  // Flagger (Store::canaries): the Canary this Deployment is the target of,
  // and the one it is the primary of (kNone: none). A target's rollouts
  // end when its Canary's analysis does; its replicas, once Flagger scales
  // it, stay as Flagger left them through an apply that does not change
  // them (`applied_replicas`: what the manifests last said), as kubectl
  // apply's three-way merge keeps them.
  // The Available condition's time while it is False
  // (MinimumReplicasUnavailable); none while it is True.
  std::optional<SimTime> unavailable_since;
  uint32_t flagger_target_of = kNone;
  uint32_t flagger_primary_of = kNone;
  // A controller (Flagger, Argo's workloadRef scaleDown) has scaled it: its
  // replicas are not the manifests'.
  bool controller_scaled = false;
};

// "deployment/NAME" or "rollout/NAME": what the event log names it by.
inline std::string WorkloadLabel(const Deployment& d) {
  return (d.argo ? "rollout/" : "deployment/") + d.name;
}

struct EndpointSnapshot {
  std::vector<uint32_t> pods;  // sorted by pod id
};

struct Service {
  std::string name;
  std::string namespace_name;
  std::string key;
  k8s::Labels selector;
  // The rollouts-pod-template-hash an Argo Rollout's controller put in its
  // selector (empty: none); an apply whose selector lacks that key keeps it,
  // as kubectl apply's three-way merge keeps a field the manifest never had.
  std::string rollout_hash;
  // A traffic router's split (an Argo canary's trafficRouting,
  // docs/progressive-delivery.md): of the requests sent to this Service,
  // `split_weight` in 100 go to `split_service`'s endpoints. The weight
  // clients see changes endpointDelay after the router's (never before an
  // earlier change: split_visible_at).
  uint32_t split_service = kNone;
  int32_t split_weight = 0;
  SimTime split_visible_at;
  uint32_t split_gen = 0;  // bumped when the router goes: its pending weights are stale
  // The Services whose router has split to this one (some maybe no longer):
  // a change of this one's endpoints changes what their clients see.
  std::vector<uint32_t> split_from;
  // spec.publishNotReadyAddresses: every member with an address (bound, not
  // gone) is a ready endpoint, Ready or not, terminating or not.
  bool publish_not_ready = false;
  bool exists = true;
  bool dirty = false;    // in EndpointsController's dirty list
  bool changed = false;  // in Store::changed_services
  // Index: the live pods its selector matches (namespace, labels), ascending;
  // kept as pods come, go and change labels, and as the selector changes.
  std::vector<uint32_t> members;
  // Of those, the Ready ones not terminating, and the Ready terminating ones
  // (ascending), kept from `changed_members` at each recompute — or rebuilt
  // from `members` when `rebuild` (its selector changed).
  std::vector<uint32_t> ready, terminating_ready;
  std::vector<uint32_t> changed_members;
  bool rebuild = true;
  std::vector<uint32_t> live;         // the set last computed
  std::vector<EndpointInfo> visible;  // what clients see now
  // Of `visible`, the serving entries: their number, and their number per
  // version (versions with none dropped; few, so a small vector). Kept by
  // CountServing as entries come, go and change.
  int64_t visible_serving = 0;
  std::vector<std::pair<std::string_view, int64_t>> serving_versions;
  void CountServing(const EndpointInfo& e, int sign);
  std::vector<uint32_t> visible_pods;
  // Computed, not yet visible, by sequence number, ascending: each becomes
  // visible no earlier than the one before (and same-time events fire in the
  // order they were scheduled), so the first is the next to go.
  std::deque<std::pair<uint64_t, EndpointSnapshot>> pending;
  uint64_t next_snapshot = 0;
  SimTime last_visible_at;
  bool started = false;
  std::optional<SimTime> from;
  Rng delay_rng{0};
  std::vector<uint32_t> balancers;  // Store::balancers[] of targetType ip in front of it
  // Every client of it comes through a balancer of targetType ip: what
  // clients see is that one's routed pods (the first client's); else kNone.
  uint32_t lb_view = kNone;
};

// A Service's traffic router is gone (its Rollout or the Service deleted):
// no split, and weights still on their way are stale.
inline void ClearSplit(Service& s) {
  s.split_service = kNone;
  s.split_weight = 0;
  ++s.split_gen;
}

// A PodDisruptionBudget (k8s/policy.h) and the pods it counts.
struct DisruptionBudget {
  std::string name;
  std::string namespace_name;
  k8s::PodDisruptionBudgetSpec spec;
  bool exists = true;
  // Index: the live pods (not gone) of its namespace its selector matches,
  // ascending; kept as pods come, go and change labels (Disruption).
  std::vector<uint32_t> members;
};

struct Client {
  std::string name;
  uint32_t service = kNone;
  std::optional<SimDuration> every;
  double rate_per_second = 0;  // Poisson when every is absent
  bool running = false;
  // Two streams, so arrivals do not depend on how many endpoints the picks
  // chose among: two scenarios that differ only in strategy see the same
  // arrivals under the same seed (common random numbers, docs/architecture.md).
  Rng arrivals{0};  // "traffic-arrivals/NAME": the Poisson gaps
  Rng picks{0};     // "traffic/NAME": the endpoint each request goes to
  // The load model: how long the client waits for an answer, and the
  // service times of its requests ("traffic-latency/NAME").
  std::optional<SimDuration> timeout;
  Rng service_times{0};
  // A served request answered with an error (an image's errorRate):
  // "traffic-errors/NAME", drawn only for such images.
  Rng errors{0};
  // Keep-alive (docs/load-model.md): the connections it holds, taken in
  // turn; none: each request picks an endpoint. A connection is open while
  // the process it reached (its pod and that pod's container_gen) runs, and
  // its pod has not drained with closeOnDrain.
  struct Connection {
    uint32_t pod = kNone;  // kNone: closed
    uint32_t gen = 0;
  };
  std::vector<Connection> connections;
  uint32_t next_connection = 0;
  uint32_t balancer = kNone;  // Store::balancers[]: it comes `via: loadBalancer`
};

// Ascending id lists (indexes, endpoint sets): insert and erase keeping the
// order; EraseSorted says whether `x` was there.
inline void InsertSorted(std::vector<uint32_t>& v, uint32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) v.insert(it, x);
}
inline bool EraseSorted(std::vector<uint32_t>& v, uint32_t x) {
  auto it = std::lower_bound(v.begin(), v.end(), x);
  if (it == v.end() || *it != x) return false;
  v.erase(it);
  return true;
}

// A pod's readiness gates are all true: the AWS Load Balancer Controller's
// (k8s::IsLbGate) when it set them (`lb_gate`); any other gate no controller
// kubesim simulates sets.
inline bool GatesTrue(const k8s::PodSpec& spec, bool lb_gate) {
  return std::all_of(spec.readiness_gates.begin(), spec.readiness_gates.end(),
                     [&](const std::string& g) { return lb_gate && k8s::IsLbGate(g); });
}

// An external load balancer's target group (docs/load-model.md, 8; the
// AWS Load Balancer Controller's TargetGroupBinding): its targets — pods
// (targetType ip) or nodes (instance) — and their health by its own checks.
struct LbTarget {
  // AWS's TargetHealth states (API_TargetHealth): `initial` until the first
  // check passes, `healthy`, `unhealthy`, `draining` once deregistered.
  enum class State : uint8_t { kInitial, kHealthy, kUnhealthy, kDraining };
  State state = State::kInitial;
  int32_t passes = 0;    // consecutive passed checks
  int32_t failures = 0;  // consecutive failed checks
  // Its (de)registration's number, from the balancer's counter (which only
  // grows, so a target erased and registered again never reuses one): the
  // events of an earlier one are stale.
  uint32_t gen = 0;
  // The readiness-gate condition the controller last set from it (ip).
  bool condition = false;
};
struct Balancer {
  uint32_t client = kNone;
  uint32_t service = kNone;
  scenario::LoadBalancer spec;
  bool ip = true;
  // ip: the pods the controller would register now (ascending), kept as
  // the Service's members change; then, after the endpoint delay, applied.
  std::vector<uint32_t> wanted;
  bool wanted_changed = false;
  std::deque<std::pair<uint64_t, std::vector<uint32_t>>> pending;
  uint64_t next_snapshot = 0;
  SimTime last_applied_at;
  Rng delay_rng{0};
  std::vector<uint32_t> registered;                // as the balancer has them (ascending)
  std::unordered_map<uint32_t, LbTarget> targets;  // registered and draining, by id
  // Where requests go (ascending ids): the healthy targets, else — failing
  // open — the unhealthy ones; in turn (round robin, the ALB's default).
  std::vector<uint32_t> healthy, unhealthy;
  uint64_t turn = 0;
  // ip: the pods requests go to, as the Service's client-visible endpoints
  // when every client of it comes through a balancer (Service::lb_view):
  // its downtime, version mix and timeline are the balancer's then.
  std::vector<EndpointInfo> routed;
  int64_t routed_serving = 0;
  std::vector<std::pair<std::string_view, int64_t>> routed_versions;
  void CountRouted(const EndpointInfo& e, int sign);
  bool started = false;  // it has had a healthy target: its client started
  // The controller's requeue while a gated pod's target is not healthy.
  uint32_t poll_gen = 0;
  uint32_t next_gen = 0;  // LbTarget::gen
};

// The load model's state (docs/load-model.md), empty without it.
struct InFlightRequest {
  uint32_t client = 0;
  uint32_t pod = 0;
  uint32_t gen = 0;  // bumps each time the slot is reused: its heap entry names the request
  // Its neighbours in its pod's list of the requests it holds (kNone: none):
  // linked through the requests themselves, so that admitting one touches
  // no memory but the request's and its pod's PodLoad.
  uint32_t prev = kNone, next = kNone;
  SimTime sent;
  SimTime answered;  // when the pod answers, if its process lives that long
  std::string_view version;
};
// Aligned, with what every request reads first: its fields and the queue's
// servers (ServerQueue's own first 48 bytes) in one cache line, the queue's
// waiting room in the next (a request to a random pod of a thousand costs
// one line missed, not two).
struct alignas(64) PodLoad {
  uint32_t image = 0;           // its process's image (Store::images), read with `queue`
  uint32_t in_flight = kNone;   // the first of the requests it holds whose client waits
  uint32_t deployment = kNone;  // whose UtilizationMeter its servers count in
  int32_t counted_servers = 0;  // what it added there since it began serving
  // Active from the pod's first request to its process's end.
  ServerQueue queue;
};
struct LoadState {
  bool on = false;            // the scenario uses the load model
  std::vector<PodLoad> pods;  // by pod id, sized on demand
  std::vector<InFlightRequest> requests;
  std::vector<uint32_t> free_requests;
  std::vector<UtilizationMeter> meters;  // by deployment id, sized on demand
  PodLoad& Of(uint32_t pod) {
    if (pods.size() <= pod) pods.resize(pod + 1);
    return pods[pod];
  }
};

// A name index: "ns/name" -> id. Hashed (it is only looked up, never
// walked in order), with lookups by string_view.
struct NameHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
};
using NameIndex = std::unordered_map<std::string, uint32_t, NameHash, std::equal_to<>>;

// Pods by namespace and name: an open-addressing table of (hash, pod id),
// a hit confirmed against the pod's own name. Pods are the one kind created
// and removed by the hundred thousand; a node-based map allocated a node and
// a key string per pod and chased a pointer per probe. Erased slots are
// tombstones until the next rebuild.
class PodNameIndex {
 public:
  // The pod named `name` in `ns`; kNone when there is none.
  uint32_t Find(const std::vector<Pod>& pods, std::string_view ns, std::string_view name) const;
  // Indexes `id` (pods[id] carries its name), replacing any pod of that name.
  void Assign(const std::vector<Pod>& pods, uint32_t id);
  // Drops `id`'s entry, if the name still maps to it.
  void Erase(const std::vector<Pod>& pods, uint32_t id);
  void Reserve(size_t count);
  size_t size() const { return live_; }

  static uint64_t Hash(std::string_view ns, std::string_view name);

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t pod = kEmpty;  // kEmpty, kTombstone, or the pod id
  };
  static constexpr uint32_t kEmpty = 0xFFFFFFFFu;
  static constexpr uint32_t kTombstone = 0xFFFFFFFEu;
  // The slot holding this name, or kNoSlot.
  size_t Locate(const std::vector<Pod>& pods, uint64_t hash, std::string_view ns,
                std::string_view name) const;
  void Rebuild(size_t capacity);
  static constexpr size_t kNoSlot = SIZE_MAX;

  std::vector<Slot> slots_;  // a power of two in size, or empty
  size_t live_ = 0;
  size_t used_ = 0;  // live and tombstones
};

class Store {
 public:
  // "ns/name": the key of the name indexes.
  static std::string NameKey(std::string_view ns, std::string_view name);
  // A report key: the name, prefixed by its namespace unless "default".
  static std::string ObjectKey(std::string_view ns, std::string_view name);

  // Lookups by name of live (not deleted) objects; kNone when there is none.
  uint32_t FindDeployment(std::string_view ns, std::string_view name) const;
  uint32_t FindRollout(std::string_view ns, std::string_view name) const;  // an Argo Rollout
  uint32_t FindReplicaSet(std::string_view ns, std::string_view name) const;
  uint32_t FindService(std::string_view ns, std::string_view name) const;
  uint32_t FindPod(std::string_view ns, std::string_view name) const;  // not gone
  uint32_t FindNode(std::string_view name) const;
  std::string_view InternVersion(std::string_view v);  // stable for the run
  // The index in score_classes of these requests, added if new.
  uint32_t ScoreClass(const ScoreRequests& requests);
  // Sets node n's requested resources; its NodeFit follows (free resources,
  // no cached score).
  void SetRequested(uint32_t n, const Resources& requested);
  void MarkReplicaSetDeleted(uint32_t rs);             // and out of the name index
  // A Service entry not yet applied (exists false), in the name index, with
  // its endpoint-delay stream: its id.
  uint32_t AddService(std::string_view ns, std::string_view name, uint64_t seed);

  // A pod's share of its ReplicaSet's counters: add (+1) after, remove (-1)
  // before every change of its deleted flag, Ready condition or existence.
  void CountPod(uint32_t pod, int sign);
  // IsPodAvailable: Ready, and Ready for minReadySeconds (lastTransitionTime,
  // in whole seconds as the API keeps it, + minReadySeconds at or before
  // now: store.cc says why "at").
  static bool IsAvailable(const Pod& p, int32_t min_ready_seconds, SimTime now);
  int32_t AvailableOf(const ReplicaSet& rs, SimTime now) const;
  int32_t ActivePods(uint32_t deployment) const;
  int32_t AvailablePods(uint32_t deployment, SimTime now) const;
  PodInfo InfoOf(uint32_t pod) const;  // what observers see of it
  std::string PodLabel(uint32_t pod) const { return "pod/" + pods[pod].name; }
  // maxContainerRestarts (controller_utils.go): the most restarts of one of
  // the pod's containers.
  int32_t MaxContainerRestarts(const Pod& p) const;
  // A pod's side containers (null: none).
  std::vector<SideContainer>* SidesOf(const Pod& p) {
    return p.sides == kNone ? nullptr : &side_lists[p.sides];
  }
  const std::vector<SideContainer>* SidesOf(const Pod& p) const {
    return p.sides == kNone ? nullptr : &side_lists[p.sides];
  }

  // Change lists for the observers (ClusterView::Changed*), emptied at the end
  // of every instant.
  void MarkServiceChanged(uint32_t service);
  void MarkDeploymentChanged(uint32_t d) { changed_deployments.push_back(d); }

  // Dense storage by id. Ids are never reused: a gone pod keeps its slot.
  std::vector<Node> nodes;
  std::vector<NodeFit> node_fit;  // by node id, beside `nodes`
  std::vector<Pod> pods;
  std::vector<ReplicaSet> replica_sets;
  std::vector<Deployment> deployments;
  std::vector<Service> services;
  std::vector<Client> clients;
  std::vector<Balancer> balancers;        // few: one per client that comes via one
  std::vector<DisruptionBudget> budgets;  // few: walked whole
  // Inter-pod affinity and topology spread: selectors counted per node
  // (pod_topology.h).
  PodTopology topology;
  bool prefer_no_schedule = false;  // some node has a PreferNoSchedule taint
  std::vector<ImageBehaviour> images;
  bool any_error_rate = false;  // some image answers a share of requests with an error
  LoadState load;
  // Argo Rollouts' AnalysisTemplates by "ns/name", ClusterAnalysisTemplates
  // by "/name"; the AnalysisRuns Rollouts created, in creation order.
  std::map<std::string, k8s::AnalysisTemplate, std::less<>> analysis_templates;
  std::vector<AnalysisRun> analysis_runs;
  // Flagger's Canaries, by "ns/name" too.
  std::vector<FlaggerCanaryState> canaries;
  NameIndex canary_names;
  // By ReplicaSet id: its pods' recent requests (RequestSample), when
  // `request_window` > 0, the longest window an analysis reads.
  std::vector<std::deque<RequestSample>> rs_requests;
  SimDuration request_window = SimDuration::Zero();

  // Indexes by name: "ns/name" -> the live object (nodes by name alone).
  PodNameIndex pod_names;
  NameIndex deployment_names;
  NameIndex rollout_names;  // Argo Rollouts, in `deployments` too
  // The Rollouts whose workloadRef names a Deployment, by the Deployment's
  // NameKey (templateref.go's byTemplateRef index).
  std::unordered_map<std::string, std::vector<uint32_t>, NameHash, std::equal_to<>> workload_refs;
  NameIndex replica_set_names;
  NameIndex service_names;
  NameIndex node_names;
  std::map<std::string, uint32_t, std::less<>> image_index;  // image -> images[]
  std::vector<InitList> init_lists;                  // by Pod::init_list, each once
  std::vector<std::vector<SideContainer>> side_lists;  // by Pod::sides
  std::map<InitList, uint32_t> init_list_index;      // content -> init_lists[]
  // Services by the first (key, value) of their selector ("key\0value"): a
  // pod's candidate Services are found through its own labels.
  std::map<std::string, std::vector<uint32_t>, std::less<>> services_by_label;
  std::set<std::string, std::less<>> versions;  // interned version strings
  // The distinct non-zero requests of pods (usually one per template), by
  // which the scheduler caches node scores (NodeFit::score_class).
  std::vector<ScoreRequests> score_classes;
  std::map<std::array<int64_t, 4>, uint32_t> score_class_index;
  // Services neither started nor waiting for `from:`, ascending.
  std::vector<uint32_t> awaiting_start;

  // Totals over live pods.
  int64_t existing_pods = 0;
  int64_t unschedulable_pods = 0;
  Resources bound;  // requests of bound pods

  // This instant's changes: Services whose visible endpoints changed,
  // Deployments whose counts or rollouts did, pods whose state or version
  // did, and visible pods whose serving flag or version did.
  std::vector<uint32_t> changed_services;
  std::vector<uint32_t> changed_deployments;
  std::vector<uint32_t> changed_pods;
  std::vector<uint32_t> touched_pods;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_STORE_H_
