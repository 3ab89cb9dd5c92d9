// The kubelet of every node: image pulls (serialized per node, kubelet's
// serializeImagePulls default), containers and their processes, the three
// probe workers (pkg/kubelet/prober/worker.go), restarts with
// CrashLoopBackOff (10 s doubling to 300 s, reset after 600 s), and pod
// termination (preStop, SIGTERM, grace period, SIGKILL). Node failure and
// recovery live here too: a failed node's kubelet is gone.
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "kubesim/k8s/defaults.h"
#include "world.h"

namespace kubesim::cluster {
namespace {

namespace defaults = k8s::defaults;
constexpr SimDuration kBackoffInitial = SimDuration::Seconds(defaults::kKubeletBackoffInitialSeconds);
constexpr SimDuration kBackoffMax = SimDuration::Seconds(defaults::kKubeletBackoffMaxSeconds);
constexpr SimDuration kMinimumGracePeriod =
    SimDuration::Seconds(defaults::kKubeletMinimumGracePeriodSeconds);
constexpr SimDuration kNodeMonitorGracePeriod =
    SimDuration::Seconds(defaults::kNodeMonitorGracePeriodSeconds);
constexpr SimDuration kEvictionDelay = SimDuration::Seconds(defaults::kNotReadyTolerationSeconds);

// How long a preStop hook takes: `sleep: {seconds: N}`, an exec of `sleep N`
// (directly or through `sh -c`), or an httpGet (instant here).
SimDuration PreStopDuration(const k8s::Container& c) {
  if (!c.lifecycle.pre_stop) return SimDuration::Zero();
  const k8s::LifecycleHandler& h = *c.lifecycle.pre_stop;
  if (h.sleep) return SimDuration::Seconds(h.sleep->seconds);
  if (h.exec) {
    // The last "sleep N" in the command words (["sleep","5"] or ["sh","-c","sleep 5"]).
    std::string text;
    for (const std::string& w : h.exec->command) text += w + " ";
    const size_t at = text.rfind("sleep ");
    if (at != std::string::npos) {
      const auto d = ParseDuration(text.substr(at + 6, text.find(' ', at + 6) - (at + 6)));
      if (d.ok() && *d > SimDuration::Zero()) return *d;
    }
  }
  return SimDuration::Zero();
}

}  // namespace

void World::Bind(uint32_t id, uint32_t n) {
  Pod& p = pods_[id];
  Node& node = nodes_[n];
  p.node = n;
  p.bound_at = loop_.Now();
  node.pods.insert(std::lower_bound(node.pods.begin(), node.pods.end(), id), id);
  node.requested += p.requests;
  node.score_valid = false;
  bound_ += p.requests;
  EmitLazy([&] { return PodLabel(id); }, [&] { return "scheduled to node/" + node.name; });
  SetPodState(id, PodState::kPulling);
  ArmProbes(id);
  node.pull_queue.push_back(id);
  if (!node.pulling) StartPull(n);
}

void World::StartPull(uint32_t n) {
  Node& node = nodes_[n];
  while (!node.pull_queue.empty() && node.ready) {
    const uint32_t pod = node.pull_queue.front();
    node.pull_queue.erase(node.pull_queue.begin());
    const Pod& p = pods_[pod];
    if (p.deleted) continue;
    const ImageBehaviour& img = images_[p.image];
    // kubelet imageManager.EnsureImageExists: Always pulls on every start,
    // IfNotPresent only when the node lacks the image, Never never pulls and
    // leaves the pod waiting with ErrImageNeverPull.
    if (node.image_cached[p.image] && p.pull_policy != Pod::PullPolicy::kAlways) {
      StartContainer(pod);  // image present: no pull
      continue;
    }
    if (p.pull_policy == Pod::PullPolicy::kNever) {
      Emit(PodLabel(pod), "ErrImageNeverPull: image not present with pull policy of Never");
      continue;
    }
    node.pulling = true;
    node.pulling_image = p.image;
    node.pulling_pod = pod;
    EmitPod(pod, "pulling image");
    ++node.pull_gen;
    Schedule(Draw(img.pull, "image-pull", p.name), kPhaseProcess, EventKind::kPullDone, pod,
             (uint64_t{node.pull_gen} << 32) | n);
    return;
  }
}

void World::PullDone(uint32_t id, uint64_t payload) {
  const auto n = static_cast<uint32_t>(payload);
  Node& node = nodes_[n];
  // A pull the node's failure interrupted: the image never arrived.
  if (!node.pulling || static_cast<uint32_t>(payload >> 32) != node.pull_gen) return;
  node.pulling = false;
  node.image_cached[node.pulling_image] = true;
  if (!pods_[id].deleted && pods_[id].node == n && node.ready) {
    if (pods_[id].image != node.pulling_image) {
      // `set image` changed the pod's image during the pull: pull that one.
      node.pull_queue.insert(node.pull_queue.begin(), id);
    } else {
      EmitPod(id, "image pulled");
      StartContainer(id);
    }
  }
  StartPull(n);
}

void World::StartContainer(uint32_t id) {
  Pod& p = pods_[id];
  if (p.deleted || p.state == PodState::kGone) return;
  const ImageBehaviour& img = images_[p.image];
  WakeProbes(id);
  p.container_running = true;
  p.sigterm_sent = false;
  p.killing = false;
  ++p.container_gen;
  p.container_started_at = loop_.Now();
  SetServing(id, false);
  p.started = p.probes[static_cast<int>(ProbeKind::kStartup)].probe == nullptr;
  for (ProbeWorker& w : p.probes) {
    w.successes = 0;
    w.failures = 0;
  }
  SetPodState(id, PodState::kStarting);
  EmitPod(id, "container started");
  const std::string key = fmt::format("{}#{}", p.name, p.restarts);
  if (img.healthy) {
    Schedule(Draw(img.start, "start", key), kPhaseProcess, EventKind::kProcessServing, id,
             p.container_gen);
  }
  if (img.crash_after) {
    Schedule(Draw(*img.crash_after, "crash-after", key), kPhaseProcess, EventKind::kProcessExit,
             id, p.container_gen);
  }
  if (p.started && p.probes[static_cast<int>(ProbeKind::kReadiness)].probe == nullptr) {
    // No readiness probe: Ready as soon as the container runs (and is started).
    SetReady(id, true);
  } else {
    TriggerReadiness(id);
  }
}

// A restart after a crash or a failed liveness probe. The kubelet runs
// EnsureImageExists before every container start: with imagePullPolicy
// Always that is a pull (in the node's serialized pull queue), else the
// image is on the node already.
void World::RestartContainer(uint32_t id) {
  Pod& p = pods_[id];
  if (p.pull_policy != Pod::PullPolicy::kAlways || p.node == kNone) {
    StartContainer(id);
    return;
  }
  Node& node = nodes_[p.node];
  node.pull_queue.push_back(id);
  if (!node.pulling) StartPull(p.node);
}

void World::ProcessServing(uint32_t id, uint64_t gen) {
  Pod& p = pods_[id];
  if (p.container_gen != gen || !p.container_running || p.sigterm_sent) return;
  SetServing(id, true);
  EmitPod(id, "serving");
  RequestStartCheck(pods_[id].visible_in);
}

void World::ProcessStopServing(uint32_t id, uint64_t gen) {
  Pod& p = pods_[id];
  if (p.container_gen != gen || !p.serving) return;
  SetServing(id, false);
  EmitPod(id, "stopped serving");
}

void World::ProcessExit(uint32_t id, uint64_t gen) {
  Pod& p = pods_[id];
  if (p.container_gen != gen || !p.container_running) return;
  EmitPod(id, p.deleted || p.killing ? "process exited" : "process exited unexpectedly");
  ContainerStopped(id);
}

void World::ContainerStopped(uint32_t id) {
  WakeProbes(id);
  Pod& p = pods_[id];
  p.container_running = false;
  SetServing(id, false);
  p.started = false;
  p.killing = false;
  ++p.container_gen;  // outstanding serving / exit / grace events of this container are void
  SetReady(id, false);
  if (p.deleted) {
    PodGone(id);
    return;
  }
  // Restart (restartPolicy Always) with CrashLoopBackOff: the first restart at
  // once, then the back-off, doubling; an entry 2 x max old is forgotten.
  ++p.restarts;
  for (Observer* o : observers_) o->OnRestart(loop_.Now(), PodAt(id));
  Backoff& b = p.backoff;
  SimDuration delay;
  if (!b.has_entry || loop_.Now() - b.last_update > kBackoffMax * 2) {
    delay = SimDuration::Zero();
    b.backoff = kBackoffInitial;
  } else {
    delay = b.backoff;
    b.backoff = std::min(b.backoff * 2, kBackoffMax);
  }
  b.has_entry = true;
  b.last_update = loop_.Now() + delay;
  Emit(PodLabel(id), delay == SimDuration::Zero()
                         ? std::string("restarting container")
                         : fmt::format("CrashLoopBackOff: restarting in {}", FormatDuration(delay)));
  Schedule(delay, kPhaseProcess, EventKind::kContainerStart, id, p.container_gen);
}

// --- probes ----------------------------------------------------------------------------

void World::ArmProbes(uint32_t id) {
  // A worker per probe, created when the kubelet adds the pod: it probes at
  // once, then on every tick of its period.
  for (uint32_t k = 0; k < 3; ++k) {
    if (pods_[id].probes[k].probe != nullptr) ScheduleProbe(id, static_cast<ProbeKind>(k), {});
  }
}

void World::ScheduleProbe(uint32_t id, ProbeKind kind, SimDuration delay) {
  ProbeWorker& w = pods_[id].probes[static_cast<int>(kind)];
  if (w.elided) SettleProbe(id, kind);
  loop_.Cancel(w.tick);
  ++w.gen;
  w.tick = ProbeTick(id, kind, loop_.Now() + delay, (static_cast<uint64_t>(kind) << 32) | w.gen);
}

// Probe ticks of one instant run in (pod, probe) order, not in the order
// they were scheduled: so a tick scheduled a period ago and one scheduled
// just now for the same time run alike (EventQueue::ScheduleKeyed).
EventId World::ProbeTick(uint32_t id, ProbeKind kind, SimTime at, uint64_t payload) {
  return loop_.AtKeyed(at, kPhaseProbe, (uint64_t{id} << 2) | static_cast<uint64_t>(kind),
                       Event{static_cast<uint32_t>(EventKind::kProbe), id, payload});
}

void World::TriggerReadiness(uint32_t id) {
  // While a started container is not Ready, every status change sends the
  // readiness worker a manual trigger: it probes at once and its ticker restarts.
  const Pod& p = pods_[id];
  const ProbeWorker& w = p.probes[static_cast<int>(ProbeKind::kReadiness)];
  if (w.probe == nullptr || p.ready || !p.container_running || !p.started) return;
  ScheduleProbe(id, ProbeKind::kReadiness, SimDuration::Zero());
}

void World::RunProbe(uint32_t id, uint64_t payload) {
  Pod& p = pods_[id];
  const auto kind = static_cast<ProbeKind>(payload >> 32);
  ProbeWorker& w = p.probes[static_cast<int>(kind)];
  if ((payload & 0xFFFFFFFFu) != w.gen || p.state == PodState::kGone) return;
  // Liveness and startup probes stop once the pod is being deleted.
  if (p.deleted && kind != ProbeKind::kReadiness) return;
  ProbeOnce(id, kind);
  // The next tick, a period on — unless a manual trigger rescheduled the
  // worker meanwhile, or its result cannot change until its pod does.
  ProbeWorker& after = pods_[id].probes[static_cast<int>(kind)];
  if ((payload & 0xFFFFFFFFu) != after.gen) return;
  if (elide_probes_ && ProbeSteady(id, kind)) {
    after.elided = true;
    after.anchor = loop_.Now();
    after.tick = EventId();
    return;
  }
  after.tick = ProbeTick(id, kind, loop_.Now() + SimDuration::Seconds(after.probe->period_seconds),
                         payload);
}

void World::ProbeOnce(uint32_t id, ProbeKind kind) {
  const Pod& p = pods_[id];
  const ProbeWorker& w = p.probes[static_cast<int>(kind)];
  // While a kill they asked for runs, their worker holds (its ticker goes on).
  if (p.killing && kind != ProbeKind::kReadiness) return;
  if (!p.container_running) return;
  if (kind == ProbeKind::kStartup ? p.started : !p.started) return;  // startup gates the others
  // Ticks earlier than initialDelaySeconds after the container started are skipped.
  if (loop_.Now() - p.container_started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) {
    return;
  }
  ProbeResult(id, kind, p.serving);
}

// Probe elision. A tick changes nothing when the worker's next result is the
// success it just had: the container runs, is started, is not being killed
// or deleted, its process serves, the worker has no failure to reset and,
// for readiness, the pod is Ready already (a startup worker's ticks do
// nothing at all once the container has started). Every field this reads is
// written only where WakeProbes (or SettleProbe) follows, so an elided
// worker always rejoins its grid before a tick could differ; --check
// verifies that no elided worker is unsteady at the end of an instant.
bool World::ProbeSteady(uint32_t id, ProbeKind kind) const {
  const Pod& p = pods_[id];
  const ProbeWorker& w = p.probes[static_cast<int>(kind)];
  if (w.probe == nullptr || w.probe->period_seconds <= 0) return false;
  if (p.deleted || p.state == PodState::kGone || p.killing || !p.container_running) return false;
  if (kind == ProbeKind::kStartup) return p.started;
  if (!p.started || !p.serving || w.failures != 0) return false;
  if (loop_.Now() - p.container_started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) {
    return false;
  }
  if (kind == ProbeKind::kReadiness) return p.ready && w.successes >= w.probe->success_threshold;
  return true;
}

// The ticks an elided worker skipped — at anchor + k x period, up to now,
// counting one at this very instant only if it would already have run
// (probe ticks run in phase kPhaseProbe in (pod, probe) order) — are counted
// as the events they would have been; the next one is returned.
SimTime World::SettleProbe(uint32_t id, ProbeKind kind) {
  ProbeWorker& w = pods_[id].probes[static_cast<int>(kind)];
  w.elided = false;
  const SimDuration period = SimDuration::Seconds(w.probe->period_seconds);
  const SimTime now = loop_.Now();
  if (now < w.anchor + period) return w.anchor + period;
  int64_t k = (now - w.anchor).micros() / period.micros();
  const SimTime last = w.anchor + period * k;
  const uint64_t key = (uint64_t{id} << 2) | static_cast<uint64_t>(kind);
  const bool ran = last < now || current_phase_ > kPhaseProbe ||
                   (current_phase_ == kPhaseProbe && current_key_ > key);
  if (!ran) --k;  // the tick at this instant is still to come: the next one
  loop_.CountSkipped(static_cast<uint64_t>(k));
  return ran ? last + period : last;
}

void World::WakeProbes(uint32_t id) {
  for (uint32_t k = 0; k < 3; ++k) {
    ProbeWorker& w = pods_[id].probes[k];
    if (!w.elided) continue;
    const auto kind = static_cast<ProbeKind>(k);
    const SimTime next = SettleProbe(id, kind);
    w.tick = ProbeTick(id, kind, next, (uint64_t{k} << 32) | w.gen);
  }
}

void World::ProbeResult(uint32_t id, ProbeKind kind, bool success) {
  Pod& p = pods_[id];
  ProbeWorker& w = p.probes[static_cast<int>(kind)];
  if (success) {
    ++w.successes;
    w.failures = 0;
  } else {
    ++w.failures;
    w.successes = 0;
  }
  const k8s::Probe& probe = *w.probe;
  switch (kind) {
    case ProbeKind::kReadiness:
      if (success && w.successes >= probe.success_threshold) SetReady(id, true);
      if (!success && w.failures >= probe.failure_threshold) SetReady(id, false);
      break;
    case ProbeKind::kLiveness:
      if (!success && w.failures >= probe.failure_threshold) {
        KillContainer(id, kind);
      }
      break;
    case ProbeKind::kStartup:
      if (success && w.successes >= probe.success_threshold) {
        p.started = true;
        EmitPod(id, "startup probe succeeded");
        if (p.probes[static_cast<int>(ProbeKind::kReadiness)].probe == nullptr) {
          SetReady(id, true);
        } else {
          TriggerReadiness(id);
        }
      } else if (!success && w.failures >= probe.failure_threshold) {
        KillContainer(id, kind);
      }
      break;
  }
}

void World::SetReady(uint32_t id, bool ready) {
  Pod& p = pods_[id];
  if (p.ready == ready) return;
  WakeProbes(id);
  CountPod(id, -1);
  p.ready = ready;
  CountPod(id, +1);
  p.ready_since = ready ? std::optional<SimTime>(loop_.Now()) : std::nullopt;
  if (!p.deleted) {
    SetPodState(id, ready ? PodState::kReady : PodState::kStarting);
  } else {
    EmitPod(id, ready ? "Ready" : "not Ready");
  }
  PodChanged(id);
  if (!ready) TriggerReadiness(id);
}

// --- termination -------------------------------------------------------------------

void World::DeletePod(uint32_t id) {
  Pod& p = pods_[id];
  if (p.deleted || p.state == PodState::kGone) return;
  WakeProbes(id);
  CountPod(id, -1);
  p.deleted = true;
  EmitPod(id, "deleted");
  if (p.unschedulable) {
    p.unschedulable = false;
    --unschedulable_count_;
  }
  // Liveness and startup workers stop; readiness goes on during termination.
  for (ProbeKind k : {ProbeKind::kLiveness, ProbeKind::kStartup}) {
    ProbeWorker& w = p.probes[static_cast<int>(k)];
    loop_.Cancel(w.tick);  // not elided: WakeProbes above settled every worker
    ++w.gen;
  }
  if (p.node != kNone && !nodes_[p.node].ready) {
    // Its kubelet is down: the pod stays Terminating until the node returns.
    SetPodState(id, PodState::kTerminating);
    PodChanged(id);
    return;
  }
  if (!p.container_running) {
    PodGone(id);  // nothing to stop: unbound, pulling, or in back-off
    return;
  }
  SetPodState(id, PodState::kTerminating);
  PodChanged(id);
  // A liveness or startup kill already stopping the container goes on (its
  // exit finds the pod deleted: gone), but within the deletion's grace period
  // — the kubelet kills again with it (setTerminationGracePeriod puts the
  // deletion's first), at least minimumGracePeriodInSeconds.
  if (p.killing) {
    Schedule(std::max(SimDuration::Seconds(p.spec->termination_grace_period_seconds),
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
void World::StopContainer(uint32_t id, SimDuration grace) {
  const Pod& p = pods_[id];
  const uint64_t gen = p.container_gen;
  const SimDuration pre_stop = PreStopDuration(p.spec->containers.front());
  const SimDuration hook = grace > SimDuration::Zero() ? std::min(pre_stop, grace)
                                                       : SimDuration::Zero();
  const SimDuration hook_whole_seconds = SimDuration::Seconds(hook.micros() / 1'000'000);
  const SimDuration left = std::max(grace - hook_whole_seconds, kMinimumGracePeriod);
  Schedule(hook + left, kPhaseProcess, EventKind::kGraceExpired, id, gen);
  if (hook > SimDuration::Zero()) {
    Emit(PodLabel(id), fmt::format("preStop hook ({})", FormatDuration(pre_stop)));
    Schedule(hook, kPhaseProcess, EventKind::kPreStopDone, id, gen);
  } else {
    PreStopDone(id, gen);
  }
}

// A liveness or startup probe at its failureThreshold: the kubelet kills the
// container gracefully — with the probe's terminationGracePeriodSeconds when
// it has one (Kubernetes 1.25+), else the pod's — and restarts it (with the
// back-off) once it has exited. The pod is not Terminating meanwhile.
void World::KillContainer(uint32_t id, ProbeKind kind) {
  Pod& p = pods_[id];
  const k8s::Probe& probe = *p.probes[static_cast<int>(kind)].probe;
  const SimDuration grace = SimDuration::Seconds(
      probe.termination_grace_period_seconds.value_or(p.spec->termination_grace_period_seconds));
  Emit(PodLabel(id), fmt::format("{} probe failed: killing the container (grace {})",
                                 kind == ProbeKind::kLiveness ? "liveness" : "startup",
                                 FormatDuration(grace)));
  WakeProbes(id);
  p.killing = true;
  StopContainer(id, grace);
}

void World::PreStopDone(uint32_t id, uint64_t gen) {
  Pod& p = pods_[id];
  if (p.state == PodState::kGone || !p.container_running || p.sigterm_sent ||
      p.container_gen != gen) {
    return;
  }
  p.sigterm_sent = true;
  EmitPod(id, "SIGTERM");
  const ImageBehaviour& img = images_[p.image];
  const SimDuration shutdown = Draw(img.shutdown, "shutdown", p.name);
  const SimDuration drain = std::min(Draw(img.drain, "drain", p.name), shutdown);
  if (drain == SimDuration::Zero()) {
    if (p.serving) {
      SetServing(id, false);
      EmitPod(id, "stopped serving");
    }
  } else {
    Schedule(drain, kPhaseProcess, EventKind::kProcessStopServing, id, p.container_gen);
  }
  if (shutdown == SimDuration::Zero()) {
    ProcessExit(id, p.container_gen);
  } else {
    Schedule(shutdown, kPhaseProcess, EventKind::kProcessExit, id, p.container_gen);
  }
}

void World::GraceExpired(uint32_t id, uint64_t gen) {
  Pod& p = pods_[id];
  if (p.state == PodState::kGone || !p.container_running || p.container_gen != gen) return;
  Emit(PodLabel(id), "killed: grace period expired (SIGKILL)");
  ContainerStopped(id);
}

void World::PodGone(uint32_t id) {
  Pod& p = pods_[id];
  if (p.state == PodState::kGone) return;
  for (uint32_t k = 0; k < 3; ++k) {
    if (p.probes[k].elided) SettleProbe(id, static_cast<ProbeKind>(k));
  }
  for (ProbeWorker& w : p.probes) {
    loop_.Cancel(w.tick);
    ++w.gen;
  }
  p.container_running = false;
  SetServing(id, false);
  CountPod(id, -1);
  p.ready = false;
  SetPodState(id, PodState::kGone);
  if (p.node != kNone) {
    Node& node = nodes_[p.node];
    node.requested -= p.requests;
    node.score_valid = false;
    bound_ -= p.requests;
    auto it = std::lower_bound(node.pods.begin(), node.pods.end(), id);
    if (it != node.pods.end() && *it == id) node.pods.erase(it);
  }
  UnindexPod(id);
  --existing_pods_;
  if (auto it = pod_names_.find(p.namespace_name + "/" + p.name);
      it != pod_names_.end() && it->second == id) {
    pod_names_.erase(it);
  }
  if (p.owner_rs != kNone) {
    ReplicaSet& rs = replica_sets_[p.owner_rs];
    --rs.existing_pods;
    // deletePod requeues the Deployment (a Recreate waits for the last old pod).
    if (rs.owner != kNone) EnqueueDeployment(rs.owner);
  }
  PodChanged(id);
  RetryUnschedulable();
}

// --- nodes ---------------------------------------------------------------------------

void World::FailNode(uint32_t n) {
  Node& node = nodes_[n];
  if (!node.ready) return;
  node.ready = false;
  ++node.failure_gen;
  Emit("node/" + node.name, "failed (its kubelet stops posting status)");
  for (uint32_t id : node.pods) {
    Pod& p = pods_[id];
    // The machine is gone: processes stop at once. The API still shows the
    // pods Ready — and endpoints keep sending to them — until the node
    // controller notices (kNodeNotReady).
    WakeProbes(id);
    p.running_at_failure = p.container_running;
    p.container_running = false;
    if (p.serving) EmitPod(id, "stopped serving");
    SetServing(id, false);
    ++p.container_gen;
  }
  // A pull in progress is lost with the machine (its PullDone is stale now);
  // its pod waits first in line for the node's return.
  if (node.pulling) node.pull_queue.insert(node.pull_queue.begin(), node.pulling_pod);
  node.pulling = false;
  ++node.pull_gen;
  Schedule(kNodeMonitorGracePeriod, kPhaseControl, EventKind::kNodeNotReady, n, node.failure_gen);
}

void World::NodeNotReady(uint32_t n, uint64_t gen) {
  Node& node = nodes_[n];
  if (node.failure_gen != gen || node.ready || !node.condition_ready) return;
  node.condition_ready = false;
  Emit("node/" + node.name,
       fmt::format("NotReady: no status for {} (node-monitor-grace-period)",
                   FormatDuration(kNodeMonitorGracePeriod)));
  for (uint32_t id : std::vector<uint32_t>(node.pods)) SetReady(id, false);
  // The not-ready taint's 300 s toleration (DefaultTolerationSeconds) runs
  // out: taint-based eviction deletes its pods.
  Schedule(kEvictionDelay, kPhaseControl, EventKind::kNodeEvict, n, node.failure_gen);
}

void World::RecoverNode(uint32_t n) {
  Node& node = nodes_[n];
  if (node.ready) return;
  node.ready = true;
  node.condition_ready = true;
  Emit("node/" + node.name, "recovered (Ready)");
  // The pull queue keeps its order — the pod whose pull the failure
  // interrupted (FailNode put it first), those waiting then (new pods and
  // restarts with imagePullPolicy Always), any bound since — and its pods
  // wait for their pull.
  const auto queued = [&node](uint32_t id) {
    return std::find(node.pull_queue.begin(), node.pull_queue.end(), id) != node.pull_queue.end();
  };
  for (uint32_t id : std::vector<uint32_t>(node.pods)) {
    Pod& p = pods_[id];
    if (p.state == PodState::kGone) continue;
    if (p.deleted) {
      PodGone(id);  // the kubelet finishes what the API asked while it was away
    } else if (queued(id)) {
      continue;  // its container starts when its image is pulled
    } else if (p.state == PodState::kPulling) {
      node.pull_queue.push_back(id);
    } else {
      // The kubelet's first status: its containers are not running (so not
      // Ready), then it restarts them — at once, its back-off lost with it. A
      // container already stopped (in back-off) had its restart counted.
      SetReady(id, false);
      if (p.running_at_failure) {
        ++p.restarts;
        for (Observer* o : observers_) o->OnRestart(loop_.Now(), PodAt(id));
      }
      StartContainer(id);
    }
  }
  if (!node.pulling) StartPull(n);
  RetryUnschedulable();
}

}  // namespace kubesim::cluster
