// A pod's side containers (store.h's SideContainer): the regular containers
// beside its app container and its native sidecars. Each starts at its turn
// in the pod's start order (kubelet.cc's Advance), is probed by its own
// workers, restarts with its own back-off, and stops at the pod's deletion:
// every preStop hook at once, the regular containers' SIGTERM after theirs,
// the sidecars' only once the regular containers and the sidecars after
// them have exited (pkg/kubelet/kuberuntime/kuberuntime_container.go
// killContainer, kuberuntime_termination_order.go).
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "kubelet.h"
#include "prober.h"

namespace kubesim::cluster {
SideContainer& Kubelet::Side(uint32_t id, uint32_t slot) {
  return store_.side_lists[store_.pods[id].sides][slot];
}

const std::string& Kubelet::SideName(uint32_t id, uint32_t slot) const {
  const Pod& p = store_.pods[id];
  const SideContainer& c = store_.side_lists[p.sides][slot];
  return (c.sidecar ? p.spec->init_containers : p.spec->containers)[c.index].name;
}

bool Kubelet::AnyRunning(const Pod& p) const {
  if (p.container_running()) return true;
  const std::vector<SideContainer>* sides = store_.SidesOf(p);
  return sides != nullptr && std::any_of(sides->begin(), sides->end(),
                                         [](const SideContainer& c) { return c.running(); });
}

bool Kubelet::SidesReady(const Pod& p) const {
  const std::vector<SideContainer>* sides = store_.SidesOf(p);
  return sides == nullptr ||
         std::all_of(sides->begin(), sides->end(), [](const SideContainer& c) { return c.ready; });
}

// kuberuntime startContainer, for a side container: as the app's (kubelet.cc
// StartContainer), from its own image profile; the start order goes on past
// a regular container once it started, past a sidecar once it has started
// (its startup probe passed: computeInitContainerActions).
void Kubelet::StartSide(uint32_t id, uint32_t slot) {
  const Pod& p = store_.pods[id];
  if (p.deleted || p.state == PodState::kGone || p.node == kNone) return;
  SideContainer& c = Side(id, slot);
  if (c.running()) return;
  prober_.WakeProbes(id);
  c.state = ContainerState::kRunning;
  c.sigterm_sent = c.killing = c.awaiting_turn = false;
  ++c.gen;
  c.started_at = ctx_.Now();
  c.serving = false;
  c.started = c.probes[static_cast<int>(ProbeKind::kStartup)].probe == nullptr;
  for (ProbeWorker& w : c.probes) w.successes = w.failures = 0;
  c.created = true;
  ctx_.MarkChanged();
  const std::string& name = SideName(id, slot);
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return fmt::format("container {} started", name); });
  const std::string key = fmt::format("{}/{}#{}", p.name, name, p.restarts);
  const ImageBehaviour& img = store_.images[c.image];
  const uint32_t gen = c.gen;
  if (img.healthy) {
    ctx_.Schedule(ctx_.Draw(img.start, "start", key), kPhaseProcess, EventKind::kSideContainer, id,
                  SidePayload(gen, SideAction::kServing, slot));
  }
  if (img.crash_after) {
    ctx_.Schedule(ctx_.Draw(*img.crash_after, "crash-after", key), kPhaseProcess,
                  EventKind::kSideContainer, id, SidePayload(gen, SideAction::kExit, slot));
  }
  if (img.exit_after) {
    ctx_.Schedule(ctx_.Draw(*img.exit_after, "exit-after", key), kPhaseProcess,
                  EventKind::kSideContainer, id, SidePayload(gen, SideAction::kExit, slot));
  }
  const bool started = c.started;
  if (started && c.probes[static_cast<int>(ProbeKind::kReadiness)].probe == nullptr) {
    SetSideReady(id, slot, true);  // no readiness probe: Ready once it runs (and has started)
  } else {
    prober_.TriggerReadiness(id, slot);
  }
  if (!Side(id, slot).sidecar || started) AdvancePast(id, slot);
}

void Kubelet::SideEvent(uint32_t id, uint64_t payload) {
  const auto gen = static_cast<uint32_t>(payload >> 32);
  const auto action = static_cast<SideAction>((payload >> 16) & 0xFFFF);
  const auto slot = static_cast<uint32_t>(payload & 0xFFFF);
  const Pod& p = store_.pods[id];
  if (p.sides == kNone || p.state == PodState::kGone) return;
  SideContainer& c = Side(id, slot);
  if (c.gen != gen) return;
  switch (action) {
    case SideAction::kStart:  // its back-off is over
      if (p.deleted) return;
      if (c.pull_policy != PullPolicy::kAlways || p.node == kNone) {
        StartSide(id, slot);
      } else {
        Node& node = store_.nodes[p.node];
        node.pull_queue.push_back({id, slot});
        if (!node.pulling) StartPull(p.node);
      }
      return;
    case SideAction::kServing:
      if (!c.running() || c.sigterm_sent) return;
      prober_.WakeProbes(id);
      c.serving = true;
      return;
    case SideAction::kStopServing:
      prober_.WakeProbes(id);
      c.serving = false;
      return;
    case SideAction::kExit:
      if (!c.running()) return;
      ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                    [&] {
                      return fmt::format("container {} exited{}", SideName(id, slot),
                                         p.deleted || c.killing ? "" : " unexpectedly");
                    });
      SideStopped(id, slot);
      return;
    case SideAction::kPreStopDone:
      SidePreStopDone(id, slot);
      return;
    case SideAction::kGraceExpired:
      if (!c.running()) return;
      ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                    [&] {
                      return fmt::format("container {} killed: grace period expired (SIGKILL)",
                                         SideName(id, slot));
                    });
      SideStopped(id, slot);
      return;
    case SideAction::kTurn:
      if (c.awaiting_turn) SidecarTurn(id, slot);
      return;
  }
}

// Its process ended (exit, SIGKILL, a new image, its node's failure): it
// waits, answers nothing, and every outstanding event of that process is void.
void Kubelet::EndSide(uint32_t id, uint32_t slot) {
  prober_.WakeProbes(id);
  SideContainer& c = Side(id, slot);
  if (c.running()) c.state = ContainerState::kWaiting;
  c.serving = false;
  c.awaiting_turn = false;
  ++c.gen;
  ctx_.MarkChanged();
}

// After its exit: the pod is gone once nothing runs, if it is being
// deleted; else the container restarts with its own CrashLoopBackOff.
void Kubelet::SideStopped(uint32_t id, uint32_t slot) {
  EndSide(id, slot);
  SideContainer& c = Side(id, slot);
  const bool killed = c.killing;
  c.started = false;
  c.killing = false;
  SetSideReady(id, slot, false);
  const Pod& p = store_.pods[id];
  if (p.deleted) {
    AnyRunning(p) ? SidecarTurns(id) : PodGone(id);
    return;
  }
  ++Side(id, slot).restarts;
  CountRestart(id);
  SideContainer& again = Side(id, slot);
  SimDuration waited;
  const SimDuration delay =
      RestartDelay(again.backoff, killed,
                   fmt::format("{}/{}#{}", p.name, SideName(id, slot), p.restarts), &waited);
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] {
                  return delay == SimDuration::Zero()
                             ? fmt::format("restarting container {}", SideName(id, slot))
                             : fmt::format(
                                   "container {}: CrashLoopBackOff: back-off {}, "
                                   "restarting in {}",
                                   SideName(id, slot), FormatDuration(waited),
                                   FormatDuration(delay));
                });
  ctx_.Schedule(delay, kPhaseProcess, EventKind::kSideContainer, id,
                SidePayload(again.gen, SideAction::kStart, slot));
}

// killContainer: the preStop hook for at most the grace period, then
// SIGTERM, and SIGKILL once the grace period less the hook's whole seconds
// (at least 2 s) is over — as the app's (kubelet.cc StopContainer). A
// sidecar stopping at the pod's deletion waits for its turn between the two.
void Kubelet::StopSide(uint32_t id, uint32_t slot, SimDuration grace) {
  const Pod& p = store_.pods[id];
  prober_.WakeProbes(id);
  SideContainer& c = Side(id, slot);
  c.state = ContainerState::kStopping;
  ctx_.MarkChanged();
  const StopBudget b =
      StopBudgetOf((c.sidecar ? p.spec->init_containers : p.spec->containers)[c.index], grace);
  c.turn_grace = b.left;  // what is left for its turn and its stop
  if (!WaitsForTurn(p, c)) {
    ctx_.Schedule(b.hook + std::max(b.left, kMinimumGracePeriod), kPhaseProcess,
                  EventKind::kSideContainer, id,
                  SidePayload(c.gen, SideAction::kGraceExpired, slot));
  }
  if (b.hook > SimDuration::Zero()) {
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] {
                    return fmt::format("container {} preStop hook ({})", SideName(id, slot),
                                       FormatDuration(b.pre_stop));
                  });
    ctx_.Schedule(b.hook, kPhaseProcess, EventKind::kSideContainer, id,
                  SidePayload(c.gen, SideAction::kPreStopDone, slot));
  } else {
    SidePreStopDone(id, slot);
  }
}

void Kubelet::SidePreStopDone(uint32_t id, uint32_t slot) {
  const Pod& p = store_.pods[id];
  SideContainer& c = Side(id, slot);
  if (p.state == PodState::kGone || !c.running() || c.sigterm_sent || c.awaiting_turn) return;
  if (!WaitsForTurn(p, c)) {
    SideSigterm(id, slot, std::nullopt);  // its SIGKILL is scheduled already
    return;
  }
  // terminationOrdering.waitForTurn: with grace left, it waits for its turn
  // at most that long; then StopContainer gets what is left, at least 2 s.
  if (c.turn_grace > SimDuration::Zero() && !TurnCame(id, slot)) {
    c.awaiting_turn = true;
    c.turn_began = ctx_.Now();
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] {
                    return fmt::format("container {} waits for the containers it serves to exit",
                                       SideName(id, slot));
                  });
    ctx_.Schedule(c.turn_grace, kPhaseProcess, EventKind::kSideContainer, id,
                  SidePayload(c.gen, SideAction::kTurn, slot));
    return;
  }
  SideSigterm(id, slot, std::max(c.turn_grace, kMinimumGracePeriod));
}

// A sidecar's turn (newTerminationOrdering): every regular container, and
// the next sidecar in spec order, has exited or was not running — that
// sidecar in turn waits for the one after it.
bool Kubelet::TurnCame(uint32_t id, uint32_t slot) const {
  const Pod& p = store_.pods[id];
  if (p.container_running()) return false;
  const std::vector<SideContainer>& sides = store_.side_lists[p.sides];
  const uint32_t index = sides[slot].index;
  const SideContainer* next = nullptr;
  for (const SideContainer& c : sides) {
    if (!c.sidecar) {
      if (c.running()) return false;
    } else if (c.index > index && (next == nullptr || c.index < next->index)) {
      next = &c;
    }
  }
  return next == nullptr || !next->running();
}

void Kubelet::SidecarTurns(uint32_t id) {
  const Pod& p = store_.pods[id];
  if (p.sides == kNone) return;
  const auto n = static_cast<uint32_t>(store_.side_lists[p.sides].size());
  for (uint32_t slot = 0; slot < n && p.state != PodState::kGone; ++slot) {
    if (Side(id, slot).awaiting_turn && TurnCame(id, slot)) SidecarTurn(id, slot);
  }
}

// Its wait is over (its turn came, or the grace left ran out): the grace
// period less the wait's whole seconds, at least 2 s, is its stop's.
void Kubelet::SidecarTurn(uint32_t id, uint32_t slot) {
  SideContainer& c = Side(id, slot);
  c.awaiting_turn = false;
  const SimDuration left = c.turn_grace - WholeSeconds(ctx_.Now() - c.turn_began);
  SideSigterm(id, slot, std::max(left, kMinimumGracePeriod));
}

void Kubelet::SideSigterm(uint32_t id, uint32_t slot, std::optional<SimDuration> kill_after) {
  const Pod& p = store_.pods[id];
  SideContainer& c = Side(id, slot);
  c.sigterm_sent = true;
  const std::string& name = SideName(id, slot);
  ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                [&] { return fmt::format("container {}: SIGTERM", name); });
  const uint32_t gen = c.gen;
  if (kill_after) {
    ctx_.Schedule(*kill_after, kPhaseProcess, EventKind::kSideContainer, id,
                  SidePayload(gen, SideAction::kGraceExpired, slot));
  }
  // Its profile's shutdown and drain, as the app's: it stops answering
  // (its probes fail) after the drain, and exits after the shutdown.
  const ImageBehaviour& img = store_.images[c.image];
  const std::string key = fmt::format("{}/{}", p.name, name);
  const SimDuration shutdown = ctx_.Draw(img.shutdown, "shutdown", key);
  const SimDuration drain = std::min(ctx_.Draw(img.drain, "drain", key), shutdown);
  ctx_.Schedule(drain, kPhaseProcess, EventKind::kSideContainer, id,
                SidePayload(gen, SideAction::kStopServing, slot));
  ctx_.Schedule(shutdown, kPhaseProcess, EventKind::kSideContainer, id,
                SidePayload(gen, SideAction::kExit, slot));
}

void Kubelet::SetSideReady(uint32_t id, uint32_t slot, bool ready) {
  SideContainer& c = Side(id, slot);
  if (c.ready == ready) return;
  c.ready = ready;
  prober_.WakeProbes(id);
  UpdateReady(id);
  if (!ready) prober_.TriggerReadiness(id, slot);
}

void Kubelet::ContainerStarted(uint32_t id, uint32_t slot) {
  if (slot == kStartMain) {
    store_.pods[id].started = true;
    EmitPod(ctx_, store_, id, "startup probe succeeded");
    return;
  }
  Side(id, slot).started = true;
  ctx_.EmitLazy(
      [&] { return store_.PodLabel(id); },
      [&] { return fmt::format("container {} startup probe succeeded", SideName(id, slot)); });
  if (Side(id, slot).sidecar) AdvancePast(id, slot);
}

// `set image` of a side container of a pod that exists: the kubelet stops
// it and starts the new image (computePodActions: "container spec hash
// changed"), as for the app container (kubelet.cc ImageChanged).
void Kubelet::SideImageChanged(uint32_t id, uint32_t slot) {
  const Pod& p = store_.pods[id];
  SideContainer& c = Side(id, slot);
  if (p.node == kNone || p.deleted) return;  // it starts with the new image
  if (!c.created) {
    // Not started yet: the walk starts it with the new image, unless the
    // walk waits at it with no pull on its way (ErrImageNeverPull): ask again.
    Node& node = store_.nodes[p.node];
    const bool pending = node.Queued(id, slot) ||
                         (node.pulling && node.pulling_pod == id && node.pulling_slot == slot);
    if (!pending && p.init_next < p.start_count && EntrySlot(p, p.init_next) == slot) {
      EnsureImage(id, slot);
    }
    return;
  }
  const bool was_running = c.running();
  EndSide(id, slot);
  c.started = c.killing = false;
  SetSideReady(id, slot, false);
  if (was_running) {
    ++Side(id, slot).restarts;
    CountRestart(id);
  }
  Node& node = store_.nodes[p.node];
  if (node.Queued(id, slot) ||
      (node.pulling && node.pulling_pod == id && node.pulling_slot == slot))
    return;
  Side(id, slot).created = false;
  node.pull_queue.push_back({id, slot});
  if (!node.pulling) StartPull(p.node);
}

}  // namespace kubesim::cluster
