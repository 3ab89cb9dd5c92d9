// The kubelet of every node: image pulls (serialized per node, kubelet's
// serializeImagePulls default), containers and their processes, restarts
// with CrashLoopBackOff (10 s doubling to 300 s, reset after 600 s), pod
// termination (preStop, SIGTERM, grace period, SIGKILL), and the pod status
// it reports (state, Ready, serving). Its probe workers are prober.cc's.
// Node failure and recovery live here too: a failed node's kubelet is gone.
#include "kubelet.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <iterator>

#include "kubesim/k8s/defaults.h"
#include "prober.h"
#include "traffic.h"

namespace kubesim::cluster {
namespace {

namespace defaults = k8s::defaults;
constexpr SimDuration kBackoffInitial =
    SimDuration::Seconds(defaults::kKubeletBackoffInitialSeconds);
constexpr SimDuration kBackoffMax = SimDuration::Seconds(defaults::kKubeletBackoffMaxSeconds);

}  // namespace

SimDuration PreStopDuration(const k8s::Container& c) {
  if (!c.lifecycle.pre_stop) return SimDuration::Zero();
  const k8s::LifecycleHandler& h = *c.lifecycle.pre_stop;
  if (h.sleep) return SimDuration::Seconds(h.sleep->seconds);
  if (h.exec) return k8s::ExecSleepDuration(h.exec->command);
  return SimDuration::Zero();
}

StopBudget StopBudgetOf(const k8s::Container& c, SimDuration grace) {
  StopBudget b;
  b.pre_stop = PreStopDuration(c);
  b.hook = grace > SimDuration::Zero() ? std::min(b.pre_stop, grace) : SimDuration::Zero();
  b.left = grace - WholeSeconds(b.hook);
  return b;
}

Kubelet::Kubelet(Store& store, Context& ctx, Api& api, Prober& prober)
    : store_(store), ctx_(ctx), api_(api), prober_(prober) {}

bool Kubelet::Bind(uint32_t id, uint32_t n) {
  Pod& p = store_.pods[id];
  Node& node = store_.nodes[n];
  p.node = n;
  p.bound_at = ctx_.Now();
  node.pods.insert(std::lower_bound(node.pods.begin(), node.pods.end(), id), id);
  for (HostPort& port : HostPortsOf(*p.spec)) node.host_ports.push_back(std::move(port));
  const bool counted = store_.topology.PodBound(store_, id);
  node.non_zero_requested += store_.score_classes[p.score_class].non_zero;
  Resources requested = node.requested;
  requested += p.requests;
  store_.SetRequested(n, requested);
  store_.bound += p.requests;
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return "scheduled to node/" + node.name; });
  UpdatePodState(id);
  prober_.ArmProbes(id);
  node.pull_queue.push_back({id, EntrySlot(p, p.init_next)});
  if (!node.pulling) StartPull(n);
  return counted;
}

void Kubelet::StartPull(uint32_t n) {
  Node& node = store_.nodes[n];
  // One pull at a time: a start in this loop may walk on to the pod's next
  // container and call back here (Advance, EnsureImage) with a pull begun.
  while (!node.pulling && !node.pull_queue.empty() && node.ready) {
    // (Named apart, not a structured binding: lambdas below capture them.)
    const uint32_t pod = node.pull_queue.front().pod;
    const uint32_t slot = node.pull_queue.front().slot;
    node.pull_queue.erase(node.pull_queue.begin());
    const Pod& p = store_.pods[pod];
    if (p.deleted) continue;
    // The image of the container it starts next: an init container's, then
    // the app's (slot kStartMain), or a side container's.
    const uint32_t image = ImageOf(p, slot);
    const PullPolicy policy = PolicyOf(p, slot);
    const ImageBehaviour& img = store_.images[image];
    // kubelet imageManager.EnsureImageExists: Always pulls on every start,
    // IfNotPresent only when the node lacks the image, Never never pulls and
    // leaves the pod waiting with ErrImageNeverPull.
    if (node.image_cached[image] && policy != PullPolicy::kAlways) {
      StartSlot(pod, slot);  // image present: no pull
      continue;
    }
    if (policy == PullPolicy::kNever) {
      ctx_.EmitLazy(
          [&] { return store_.PodLabel(pod); },
          [&] { return "ErrImageNeverPull: image not present with pull policy of Never"; });
      continue;
    }
    node.pulling = true;
    node.pulling_image = image;
    node.pulling_pod = pod;
    node.pulling_slot = slot;
    EmitPod(ctx_, store_, pod, "pulling image");
    ++node.pull_gen;
    ctx_.Schedule(ctx_.Draw(img.pull, "image-pull", p.name), kPhaseProcess, EventKind::kPullDone,
                  pod, (uint64_t{node.pull_gen} << 32) | n);
    return;
  }
}

void Kubelet::PullDone(uint32_t id, uint64_t payload) {
  const auto n = static_cast<uint32_t>(payload);
  Node& node = store_.nodes[n];
  // A pull the node's failure interrupted: the image never arrived.
  if (!node.pulling || static_cast<uint32_t>(payload >> 32) != node.pull_gen) return;
  node.pulling = false;
  node.image_cached[node.pulling_image] = true;
  const uint32_t slot = node.pulling_slot;
  if (!store_.pods[id].deleted && store_.pods[id].node == n && node.ready) {
    if (ImageOf(store_.pods[id], slot) != node.pulling_image) {
      // `set image` changed the pod's image during the pull: pull that one.
      node.pull_queue.insert(node.pull_queue.begin(), {id, slot});
    } else {
      EmitPod(ctx_, store_, id, "image pulled");
      StartSlot(id, slot);
    }
  }
  StartPull(n);
}

void Kubelet::StartContainer(uint32_t id) {
  Pod& p = store_.pods[id];
  if (p.deleted || p.state == PodState::kGone) return;
  if (p.in_init()) {
    const uint32_t slot = EntrySlot(p, p.init_next);
    slot == kStartMain ? StartInitContainer(id) : StartSide(id, slot);
    return;
  }
  const ImageBehaviour& img = store_.images[p.image];
  prober_.WakeProbes(id);
  SetContainerState(id, ContainerState::kRunning);
  p.sigterm_sent = false;
  p.killing = false;
  ++p.container_gen;
  p.container_started_at = ctx_.Now();
  SetServing(id, false);
  p.started = p.probes[static_cast<int>(ProbeKind::kStartup)].probe == nullptr;
  for (ProbeWorker& w : p.probes) {
    w.successes = 0;
    w.failures = 0;
  }
  p.container_created = true;
  UpdatePodState(id);
  EmitPod(ctx_, store_, id, "container started");
  fmt::memory_buffer key_buffer;  // on the stack
  fmt::format_to(std::back_inserter(key_buffer), "{}#{}", p.name, p.restarts);
  const std::string_view key(key_buffer.data(), key_buffer.size());
  if (img.healthy) {
    ctx_.Schedule(ctx_.Draw(img.start, "start", key), kPhaseProcess, EventKind::kProcessServing, id,
                  p.container_gen);
  }
  if (img.crash_after) {
    ctx_.Schedule(ctx_.Draw(*img.crash_after, "crash-after", key), kPhaseProcess,
                  EventKind::kProcessExit, id, p.container_gen);
  }
  if (img.exit_after) {
    // Exit code 0 changes nothing under restartPolicy Always: restarted as a crash is.
    ctx_.Schedule(ctx_.Draw(*img.exit_after, "exit-after", key), kPhaseProcess,
                  EventKind::kProcessExit, id, p.container_gen);
  }
  if (p.started && p.probes[static_cast<int>(ProbeKind::kReadiness)].probe == nullptr) {
    // No readiness probe: Ready as soon as the container runs (and is started).
    SetReady(id, true);
  } else {
    prober_.TriggerReadiness(id);
  }
  // The regular containers after it start next, in turn.
  if (p.sides != kNone) AdvancePast(id, kStartMain);
}

// A restart after a crash or a failed liveness probe. The kubelet runs
// EnsureImageExists before every container start: with imagePullPolicy
// Always that is a pull (in the node's serialized pull queue), else the
// image is on the node already.
void Kubelet::RestartContainer(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.container_gen != gen || p.deleted) return;
  if (PolicyOf(p, kStartMain) != PullPolicy::kAlways || p.node == kNone) {
    StartContainer(id);
    return;
  }
  Node& node = store_.nodes[p.node];
  node.pull_queue.push_back({id, kStartMain});
  if (!node.pulling) StartPull(p.node);
}

void Kubelet::ProcessServing(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.container_gen != gen || !p.container_running() || p.sigterm_sent) return;
  SetServing(id, true);
  EmitPod(ctx_, store_, id, "serving");
  if (traffic_ != nullptr) traffic_->ProcessServing(id);
  api_.PodServing(id);
}

void Kubelet::ProcessStopServing(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.container_gen != gen || !p.serving) return;
  SetServing(id, false);
  EmitPod(ctx_, store_, id, "stopped serving");
}

void Kubelet::ProcessExit(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.container_gen != gen || !p.container_running()) return;
  EmitPod(ctx_, store_, id,
          p.deleted || p.killing ? "process exited" : "process exited unexpectedly");
  ContainerStopped(id);
}

void Kubelet::ContainerStopped(uint32_t id) {
  Pod& p = store_.pods[id];
  EndProcess(id);
  p.started = false;
  const bool killed = p.killing;
  p.killing = false;
  SetReady(id, false);
  if (p.deleted) {
    // Gone once every container has stopped; sidecars waiting for the app
    // to exit go on (kuberuntime_termination_order.go).
    AnyRunning(p) ? SidecarTurns(id) : PodGone(id);
    return;
  }
  ScheduleRestart(id, killed);
}

// The restart of a container that exited — the app's, or an init container
// that failed — with CrashLoopBackOff (the model restarts as restartPolicy
// Always does): the first restart at once, then the back-off, doubling; an
// entry 2 x max old is forgotten.
void Kubelet::ScheduleRestart(uint32_t id, bool killed) {
  Pod& p = store_.pods[id];
  CountRestart(id);
  fmt::memory_buffer key;
  fmt::format_to(std::back_inserter(key), "{}#{}", p.name, p.restarts);
  SimDuration waited;
  const SimDuration delay =
      RestartDelay(p.backoff, killed, std::string_view(key.data(), key.size()), &waited);
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] {
                  return delay == SimDuration::Zero()
                             ? std::string("restarting container")
                             : fmt::format("CrashLoopBackOff: back-off {}, restarting in {}",
                                           FormatDuration(waited), FormatDuration(delay));
                });
  ctx_.Schedule(delay, kPhaseProcess, EventKind::kContainerStart, id, p.container_gen);
}

// The kubelet's CrashLoopBackOff (kuberuntime_manager.go doBackOff, with
// client-go's flowcontrol.Backoff: 10 s doubling to 300 s; an entry whose
// last move is more than 2 x 300 s before the exit it is asked about is
// forgotten). SyncPod asks about the container's newest *exited* status as
// it read the pod before acting: for a crash that is this exit, for a
// liveness or startup kill (killed and restarted in one SyncPod) the exit
// before it — none for a first kill, which then restarts at once and makes
// no entry. Out of back-off the container restarts now and the entry moves
// on (Next); in back-off the sync fails and the pod worker retries after
// wait.Jitter(10 s, 0.5) (pod_workers.go completeWork), each retry asking
// about this exit, until one is past the back-off.
SimDuration Kubelet::RestartDelay(Backoff& b, bool killed, std::string_view key,
                                  SimDuration* waited) {
  const SimTime now = ctx_.Now();
  const bool has_checked = killed ? b.has_exit : true;
  const SimTime checked = killed ? b.last_exit : now;
  b.has_exit = true;
  b.last_exit = now;
  *waited = SimDuration::Zero();
  if (!has_checked) return SimDuration::Zero();
  const auto expired = [&](SimTime event) { return event - b.last_update > kBackoffMax * 2; };
  const auto next = [&](SimTime event, SimTime at) {
    if (!b.has_entry || expired(event)) {
      b.backoff = kBackoffInitial;
    } else {
      b.backoff = std::min(b.backoff * 2, kBackoffMax);
    }
    b.has_entry = true;
    b.last_update = at;
  };
  const bool in_backoff = b.has_entry && !expired(checked) && now - checked < b.backoff;
  if (!in_backoff) {
    next(checked, now);
    return SimDuration::Zero();
  }
  *waited = b.backoff;
  static const DurationDistribution kRetry = DurationDistribution::Uniform(
      SimDuration::Seconds(defaults::kKubeletBackoffInitialSeconds),
      SimDuration::Seconds(defaults::kKubeletBackoffInitialSeconds * 3 / 2));
  SimDuration delay;
  fmt::memory_buffer retry_key;
  for (int k = 0; delay < b.backoff; ++k) {
    retry_key.clear();
    fmt::format_to(std::back_inserter(retry_key), "{}/{}", key, k);
    delay += ctx_.Draw(kRetry, "pod-worker-retry",
                       std::string_view(retry_key.data(), retry_key.size()));
  }
  next(now, now + delay);
  return delay;
}

void Kubelet::CountRestart(uint32_t id) {
  ++store_.pods[id].restarts;
  for (Observer* o : ctx_.observers()) o->OnRestart(ctx_.Now(), store_.InfoOf(id));
}

void Kubelet::SetReady(uint32_t id, bool ready) {
  Pod& p = store_.pods[id];
  if (p.app_ready != ready) {
    p.app_ready = ready;
    prober_.WakeProbes(id);
  }
  UpdateReady(id);
}

void Kubelet::UpdateReady(uint32_t id) {
  Pod& p = store_.pods[id];
  // Ready needs all its containers ready — the regular ones and the native
  // sidecars (GenerateContainersReadyCondition) — and every readiness gate's
  // condition true (GeneratePodReadyCondition). Of the gates, only the AWS
  // Load Balancer Controller's are ever set (load_balancer.h); a pod with
  // another never turns Ready.
  const bool containers = p.app_ready && SidesReady(p);
  bool ready = containers;
  if (ready && !p.spec->readiness_gates.empty()) ready = GatesTrue(*p.spec, p.lb_gate);
  if (p.containers_ready != containers) {
    p.containers_ready = containers;
    // The controller registers a gated pod once its containers are ready
    // (endpoint_resolver.go): its Services look at it again.
    if (p.ready == ready && !store_.balancers.empty() && k8s::HasLbGate(*p.spec))
      api_.PodUpdated(id);
  }
  if (p.ready == ready) return;
  ctx_.MarkChanged();
  prober_.WakeProbes(id);
  store_.CountPod(id, -1);
  p.ready = ready;
  store_.CountPod(id, +1);
  p.ready_since = ready ? std::optional<SimTime>(ctx_.Now()) : std::nullopt;
  if (!p.deleted) {
    UpdatePodState(id);
  } else {
    EmitPod(ctx_, store_, id, ready ? "Ready" : "not Ready");
  }
  api_.PodUpdated(id);
  if (!ready) prober_.TriggerReadiness(id);
}

// --- init containers -------------------------------------------------------------

// The main slot is the pod's current plain init container while it has
// one, else its app container.
uint32_t Kubelet::ImageOf(const Pod& p, uint32_t slot) const {
  if (slot != kStartMain) return store_.side_lists[p.sides][slot].image;
  return p.in_init() ? store_.init_lists[p.init_list][p.init_next].image : p.image;
}

PullPolicy Kubelet::PolicyOf(const Pod& p, uint32_t slot) const {
  if (slot != kStartMain) return store_.side_lists[p.sides][slot].pull_policy;
  if (!p.in_init()) return p.pull_policy;
  const StartEntry& e = store_.init_lists[p.init_list][p.init_next];
  // (The walk asks for the main slot only at a plain init container.)
  if (e.slot != kStartMain) return store_.side_lists[p.sides][e.slot].pull_policy;
  return PullPolicyOf(p.spec->init_containers[e.index]);
}

uint32_t Kubelet::EntrySlot(const Pod& p, uint32_t i) const {
  if (p.init_list == kNone || i >= store_.init_lists[p.init_list].size()) return kStartMain;
  return store_.init_lists[p.init_list][i].slot;
}

// The walk's next container comes up: started at once when its image is on
// the node (and its policy is not Always), else after its pull.
void Kubelet::Advance(uint32_t id) {
  Pod& p = store_.pods[id];
  ++p.init_next;
  if (p.init_next < p.start_count) EnsureImage(id, EntrySlot(p, p.init_next));
}

void Kubelet::AdvancePast(uint32_t id, uint32_t slot) {
  const Pod& p = store_.pods[id];
  if (p.init_next >= p.start_count || EntrySlot(p, p.init_next) != slot) return;
  // The app's entry is the main slot's only one past the init containers.
  if (slot == kStartMain && p.init_next != p.init_count) return;
  Advance(id);
}

void Kubelet::EnsureImage(uint32_t id, uint32_t slot) {
  const Pod& p = store_.pods[id];
  Node& node = store_.nodes[p.node];
  if (node.image_cached[ImageOf(p, slot)] && PolicyOf(p, slot) != PullPolicy::kAlways) {
    StartSlot(id, slot);
    return;
  }
  node.pull_queue.push_back({id, slot});
  if (!node.pulling) StartPull(p.node);
}

void Kubelet::StartSlot(uint32_t id, uint32_t slot) {
  slot == kStartMain ? StartContainer(id) : StartSide(id, slot);
}

// The kubelet's computePodActions: the next init container runs once the
// one before it completed; it exits 0 after its image's exitAfter (at once
// without one), or with an error after crashAfter when that comes first (or
// at once when the image never serves), and is then restarted with the
// back-off while the pod stays Pending (Init:CrashLoopBackOff).
void Kubelet::StartInitContainer(uint32_t id) {
  Pod& p = store_.pods[id];
  const uint32_t index = store_.init_lists[p.init_list][p.init_next].index;
  const ImageBehaviour& img = store_.images[ImageOf(p, kStartMain)];
  ++p.container_gen;
  p.container_started_at = ctx_.Now();
  const std::string& name = p.spec->init_containers[index].name;
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return fmt::format("init container {} started", name); });
  const std::string key = fmt::format("{}/{}#{}", p.name, name, p.restarts);
  std::optional<SimDuration> fails;
  if (img.crash_after) fails = ctx_.Draw(*img.crash_after, "crash-after", key);
  const SimDuration exits =
      img.exit_after ? ctx_.Draw(*img.exit_after, "exit-after", key) : SimDuration::Zero();
  // An image that never serves fails at once; else the earlier of its
  // crash and its exit decides.
  const bool failed = !img.healthy || (fails && *fails < exits);
  const SimDuration at = !img.healthy ? SimDuration::Zero() : failed ? *fails : exits;
  ctx_.Schedule(at, kPhaseProcess, EventKind::kInitContainerExit, id,
                (uint64_t{p.container_gen} << 1) | (failed ? 1 : 0));
}

void Kubelet::InitContainerExit(uint32_t id, uint64_t payload) {
  Pod& p = store_.pods[id];
  if (p.container_gen != (payload >> 1) || p.deleted || p.node == kNone || !p.in_init()) return;
  const std::string& name =
      p.spec->init_containers[store_.init_lists[p.init_list][p.init_next].index].name;
  if ((payload & 1) != 0) {
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] { return fmt::format("init container {} failed", name); });
    ScheduleRestart(id);
    return;
  }
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return fmt::format("init container {} completed", name); });
  ++p.container_gen;
  p.backoff = Backoff{};  // back-off is kept per container
  // The next container, init, sidecar or regular: EnsureImageExists starts
  // it at once when its image is on the node (and its policy is not
  // Always), else it waits in the node's pull queue.
  Advance(id);
}

// --- termination -------------------------------------------------------------------

void Kubelet::DeletePod(uint32_t id) {
  Pod& p = store_.pods[id];
  if (p.deleted || p.state == PodState::kGone) return;
  prober_.WakeProbes(id);
  store_.CountPod(id, -1);
  p.deleted = true;
  store_.topology.PodDeleted(store_, id);  // spread constraints stop counting it
  EmitPod(ctx_, store_, id, "deleted");
  if (p.unschedulable) {
    p.unschedulable = false;
    --store_.unschedulable_pods;
    ctx_.MarkChanged();
  }
  // Liveness and startup workers stop; readiness goes on during termination.
  prober_.StopLivenessAndStartup(id);
  if (p.node != kNone && !store_.nodes[p.node].ready) {
    // Its kubelet is down: the pod stays Terminating until the node returns.
    UpdatePodState(id);
    api_.PodUpdated(id);
    return;
  }
  if (!AnyRunning(p)) {
    PodGone(id);  // nothing to stop: unbound, pulling, or in back-off
    return;
  }
  UpdatePodState(id);
  api_.PodUpdated(id);
  // Its side containers stop beside the app: every preStop hook at once,
  // then the regular containers' SIGTERM; a native sidecar's waits until
  // the regular containers and the sidecars after it have exited
  // (killContainersWithSyncResult, kuberuntime_termination_order.go).
  if (std::vector<SideContainer>* sides = store_.SidesOf(p)) {
    const SimDuration grace = SimDuration::Seconds(p.spec->termination_grace_period_seconds);
    for (uint32_t slot = 0; slot < sides->size(); ++slot) {
      SideContainer& c = (*sides)[slot];
      if (!c.running()) continue;
      if (c.killing) {  // a probe kill runs: it goes on, within the deletion's grace
        ctx_.Schedule(std::max(grace, kMinimumGracePeriod), kPhaseProcess,
                      EventKind::kSideContainer, id, SidePayload(c.gen, SideAction::kGraceExpired, slot));
        continue;
      }
      StopSide(id, slot, grace);
    }
  }
  if (!p.container_running()) {
    SidecarTurns(id);  // the app is not running: the sidecars need not wait for it
    return;
  }
  // A liveness or startup kill already stopping the container goes on (its
  // exit finds the pod deleted: gone), but within the deletion's grace period
  // — the kubelet kills again with it (setTerminationGracePeriod puts the
  // deletion's first), at least minimumGracePeriodInSeconds.
  if (p.killing) {
    ctx_.Schedule(std::max(SimDuration::Seconds(p.spec->termination_grace_period_seconds),
                           kMinimumGracePeriod),
                  kPhaseProcess, EventKind::kGraceExpired, id, p.container_gen);
    return;
  }
  StopContainer(id, SimDuration::Seconds(p.spec->termination_grace_period_seconds));
}

// kuberuntime killContainer, for a deletion and for a liveness or startup kill
// alike. The preStop hook runs for at most the grace period
// (executePreStopHook's timeout), then SIGTERM; the runtime's StopContainer
// gets the grace period less the hook's time in whole seconds (the kubelet
// truncates it), but at least minimumGracePeriodInSeconds (2 s), then SIGKILL.
// So a hook still running at the deadline gets SIGTERM then and 2 s more, and
// even a grace period of 0 leaves 2 s between SIGTERM and SIGKILL.
void Kubelet::StopContainer(uint32_t id, SimDuration grace) {
  SetContainerState(id, ContainerState::kStopping);
  const Pod& p = store_.pods[id];
  const uint64_t gen = p.container_gen;
  const StopBudget b = StopBudgetOf(p.spec->containers[p.app], grace);
  ctx_.Schedule(b.hook + std::max(b.left, kMinimumGracePeriod), kPhaseProcess,
                EventKind::kGraceExpired, id, gen);
  if (b.hook > SimDuration::Zero()) {
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] { return fmt::format("preStop hook ({})", FormatDuration(b.pre_stop)); });
    ctx_.Schedule(b.hook, kPhaseProcess, EventKind::kPreStopDone, id, gen);
  } else {
    PreStopDone(id, gen);
  }
}

// A liveness or startup probe at its failureThreshold: the kubelet kills the
// container gracefully — with the probe's terminationGracePeriodSeconds when
// it has one (Kubernetes 1.25+), else the pod's — and restarts it (with the
// back-off) once it has exited. The pod is not Terminating meanwhile.
void Kubelet::KillContainer(uint32_t id, uint32_t slot, ProbeKind kind) {
  Pod& p = store_.pods[id];
  const k8s::Probe& probe = slot == kStartMain
                                ? *p.probes[static_cast<int>(kind)].probe
                                : *Side(id, slot).probes[static_cast<int>(kind)].probe;
  const SimDuration grace = SimDuration::Seconds(
      probe.termination_grace_period_seconds.value_or(p.spec->termination_grace_period_seconds));
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] {
                  return fmt::format("{} probe failed: killing the container{} (grace {})",
                                     kind == ProbeKind::kLiveness ? "liveness" : "startup",
                                     slot == kStartMain ? "" : " " + SideName(id, slot),
                                     FormatDuration(grace));
                });
  prober_.WakeProbes(id);
  if (slot != kStartMain) {
    Side(id, slot).killing = true;
    StopSide(id, slot, grace);
    return;
  }
  p.killing = true;
  StopContainer(id, grace);
}

void Kubelet::PreStopDone(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.state == PodState::kGone || !p.container_running() || p.sigterm_sent ||
      p.container_gen != gen) {
    return;
  }
  p.sigterm_sent = true;
  EmitPod(ctx_, store_, id, "SIGTERM");
  const ImageBehaviour& img = store_.images[p.image];
  const SimDuration shutdown = ctx_.Draw(img.shutdown, "shutdown", p.name);
  const SimDuration drain = std::min(ctx_.Draw(img.drain, "drain", p.name), shutdown);
  if (drain == SimDuration::Zero()) {
    if (p.serving) {
      SetServing(id, false);
      EmitPod(ctx_, store_, id, "stopped serving");
    }
  } else {
    ctx_.Schedule(drain, kPhaseProcess, EventKind::kProcessStopServing, id, p.container_gen);
  }
  if (shutdown == SimDuration::Zero()) {
    ProcessExit(id, p.container_gen);
  } else {
    ctx_.Schedule(shutdown, kPhaseProcess, EventKind::kProcessExit, id, p.container_gen);
  }
}

void Kubelet::GraceExpired(uint32_t id, uint64_t gen) {
  Pod& p = store_.pods[id];
  if (p.state == PodState::kGone || !p.container_running() || p.container_gen != gen) return;
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return "killed: grace period expired (SIGKILL)"; });
  ContainerStopped(id);
}

void Kubelet::PodGone(uint32_t id) {
  Pod& p = store_.pods[id];
  if (p.state == PodState::kGone) return;
  prober_.StopWorkers(id);
  if (traffic_ != nullptr) traffic_->ProcessEnded(id);
  SetContainerState(id, ContainerState::kTerminated);
  SetServing(id, false);
  if (std::vector<SideContainer>* sides = store_.SidesOf(p)) {
    for (SideContainer& c : *sides) {
      c.state = ContainerState::kTerminated;
      c.ready = c.serving = false;
      ++c.gen;
    }
  }
  store_.CountPod(id, -1);
  p.ready = false;
  p.app_ready = false;
  UpdatePodState(id);
  if (p.node != kNone) {
    store_.topology.PodGone(store_, id);
    Node& node = store_.nodes[p.node];
    node.non_zero_requested -= store_.score_classes[p.score_class].non_zero;
    Resources requested = node.requested;
    requested -= p.requests;
    store_.SetRequested(p.node, requested);
    store_.bound -= p.requests;
    auto it = std::lower_bound(node.pods.begin(), node.pods.end(), id);
    if (it != node.pods.end() && *it == id) node.pods.erase(it);
    for (const HostPort& port : HostPortsOf(*p.spec)) {
      const auto held = std::find(node.host_ports.begin(), node.host_ports.end(), port);
      if (held != node.host_ports.end()) node.host_ports.erase(held);
    }
  }
  // The API forgets it: out of the indexes, its owners told.
  api_.PodRemoved(id);
}

// --- nodes ---------------------------------------------------------------------------

void Kubelet::FailNode(uint32_t n) {
  Node& node = store_.nodes[n];
  if (!node.ready) return;
  node.ready = false;
  ++node.failure_gen;
  ctx_.EmitLazy([&] { return "node/" + node.name; },
                [&] { return "failed (its kubelet stops posting status)"; });
  for (uint32_t id : node.pods) {
    Pod& p = store_.pods[id];
    // The machine is gone: processes stop at once. The API still shows the
    // pods Ready — and endpoints keep sending to them — until the node
    // controller notices (kNodeNotReady).
    p.running_at_failure = p.container_running();
    if (p.serving) EmitPod(ctx_, store_, id, "stopped serving");
    EndProcess(id);
    // Its side containers stop too; their readiness, like the app's, is the
    // API's until the node controller marks the pod not Ready.
    if (std::vector<SideContainer>* sides = store_.SidesOf(p)) {
      for (uint32_t slot = 0; slot < sides->size(); ++slot) {
        const bool running = (*sides)[slot].running();
        (*sides)[slot].running_at_failure = running;
        if (running) {
          ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                        [&] { return fmt::format("container {} stopped (node failed)",
                                                 SideName(id, slot)); });
        }
        EndSide(id, slot);
      }
    }
  }
  // A pull in progress is lost with the machine (its PullDone is stale now);
  // its pod waits first in line for the node's return.
  if (node.pulling) {
    node.pull_queue.insert(node.pull_queue.begin(), {node.pulling_pod, node.pulling_slot});
  }
  node.pulling = false;
  ++node.pull_gen;
  api_.NodeStatusStopped(n);
}

void Kubelet::RecoverNode(uint32_t n) {
  Node& node = store_.nodes[n];
  if (node.ready) return;
  node.ready = true;
  node.lease_epoch = ctx_.Now();  // the kubelet renews its Lease as it starts
  store_.node_fit[n].condition_ready = true;
  ctx_.EmitLazy([&] { return "node/" + node.name; }, [&] { return "recovered (Ready)"; });
  // The pull queue keeps its order — the pod whose pull the failure
  // interrupted (FailNode put it first), those waiting then (new pods and
  // restarts with imagePullPolicy Always), any bound since — and its pods
  // wait for their pull.
  const auto queued = [&node](uint32_t id) { return node.Queued(id); };
  for (uint32_t id : std::vector<uint32_t>(node.pods)) {
    Pod& p = store_.pods[id];
    if (p.state == PodState::kGone) continue;
    if (p.deleted) {
      PodGone(id);  // the kubelet finishes what the API asked while it was away
    } else if (p.init_count > 0 || p.sides != kNone) {
      // A new pod sandbox runs every init container again, from the first
      // (computePodActions: "sandbox changed"), and then the others.
      SetReady(id, false);
      if (p.running_at_failure) CountRestart(id);
      p.init_next = 0;
      p.container_created = false;
      ++p.container_gen;
      if (std::vector<SideContainer>* sides = store_.SidesOf(p)) {
        for (SideContainer& c : *sides) {
          if (c.running_at_failure) {
            ++c.restarts;
            CountRestart(id);
          }
          c.running_at_failure = false;
          c.created = c.started = c.ready = false;
          c.backoff = Backoff{};
        }
        prober_.WakeProbes(id);
        // Its containers' queued starts go; the first of the order takes the
        // place of the first of them.
        const auto mine = [id](const Node::PullRequest& r) { return r.pod == id; };
        auto first = std::find_if(node.pull_queue.begin(), node.pull_queue.end(), mine);
        if (first != node.pull_queue.end()) {
          *first = {id, EntrySlot(p, 0)};
          node.pull_queue.erase(std::remove_if(first + 1, node.pull_queue.end(), mine),
                                node.pull_queue.end());
        } else {
          node.pull_queue.push_back({id, EntrySlot(p, 0)});
        }
      }
      UpdatePodState(id);
      if (p.sides == kNone && !queued(id)) node.pull_queue.push_back({id, kStartMain});
    } else if (queued(id)) {
      continue;  // its container starts when its image is pulled
    } else if (p.state == PodState::kPulling) {
      node.pull_queue.push_back({id, kStartMain});
    } else {
      // The kubelet's first status: its containers are not running (so not
      // Ready), then it restarts them — at once, its back-off lost with it. A
      // container already stopped (in back-off) had its restart counted.
      SetReady(id, false);
      if (p.running_at_failure) CountRestart(id);
      StartContainer(id);
    }
  }
  if (!node.pulling) StartPull(n);
  api_.NodeUpdated(n);
}

// --- pod status ----------------------------------------------------------------------

void Kubelet::UpdatePodState(uint32_t id) {
  struct Pod& p = store_.pods[id];
  const PodState state = DerivedPodState(p);
  if (p.state == state) return;
  if (!LegalPodMove(p.state, state)) {
    ctx_.Violation(fmt::format("pod {}: illegal move from {} to {}", p.name, PodStateName(p.state),
                               PodStateName(state)));
  }
  p.state = state;
  ctx_.MarkChanged();
  store_.changed_pods.push_back(id);
  EmitPod(ctx_, store_, id, PodStateName(state));
  ctx_.PodStateChanged(store_, id);
}

void Kubelet::SetContainerState(uint32_t id, ContainerState state) {
  Pod& p = store_.pods[id];
  if (p.container == state && state == ContainerState::kWaiting) return;  // stays stopped
  if (!LegalContainerMove(p.container, state)) {
    ctx_.Violation(fmt::format("pod {}: illegal container move from {} to {}", p.name,
                               ContainerStateName(p.container), ContainerStateName(state)));
  }
  p.container = state;
  ctx_.MarkChanged();
}

// The container's process ends — it exited, was SIGKILLed, its image
// changed or its machine failed: the container waits (for a restart, a
// pull, its node), it no longer serves, and every outstanding event of this
// process (serving, exit, grace) is void.
void Kubelet::EndProcess(uint32_t id) {
  if (traffic_ != nullptr) traffic_->ProcessEnded(id);
  prober_.WakeProbes(id);
  SetContainerState(id, ContainerState::kWaiting);
  SetServing(id, false);
  ++store_.pods[id].container_gen;
}

void Kubelet::SetServing(uint32_t id, bool serving) {
  if (store_.pods[id].serving == serving) return;
  store_.pods[id].serving = serving;
  TouchPod(id);
  prober_.WakeProbes(id);
}

void Kubelet::TouchPod(uint32_t id) {
  ctx_.MarkChanged();
  // Refreshed at the end of the instant where clients see it: kube-proxy's
  // endpoints, and any load balancer's routing (which may list a pod
  // kube-proxy no longer does).
  if (!store_.pods[id].visible_in.empty() || !store_.balancers.empty()) {
    store_.touched_pods.push_back(id);
  }
}

// `set image` of a pod that exists, after the API server took the new spec:
// the kubelet sees the container's spec hash change, stops the container and
// starts the new image in the same pod (computePodActions: "container spec
// hash changed").
void Kubelet::ImageChanged(uint32_t id) {
  TouchPod(id);
  store_.changed_pods.push_back(id);
  Pod& p = store_.pods[id];
  if (p.node == kNone) return;  // not bound yet: it starts with the new image
  if (p.in_init()) return;      // its init containers run: the app starts with the new image
  // Stop the old container at once and pull/start the new one.
  const bool was_running = p.container_running();
  EndProcess(id);
  p.started = false;
  SetReady(id, false);
  if (was_running) CountRestart(id);
  Node& node = store_.nodes[p.node];
  // Waiting for a pull, or being pulled for (PullDone pulls the new image).
  if (node.Queued(id)) return;
  if (node.pulling && node.pulling_pod == id && node.pulling_slot == kStartMain) return;
  p.container_created = false;
  UpdatePodState(id);
  node.pull_queue.push_back({id, kStartMain});
  if (!node.pulling) StartPull(p.node);
}

}  // namespace kubesim::cluster
