// The kubelet's probe workers (pkg/kubelet/prober/worker.go): readiness,
// liveness and startup, each on its period's tick grid, with probe elision
// (docs/scale.md): a worker whose result cannot change schedules no tick.
#include "prober.h"

#include "kubelet.h"

namespace kubesim::cluster {

Prober::Prober(Store& store, Context& ctx, bool elide) : store_(store), ctx_(ctx), elide_(elide) {}

void Prober::Connect(Kubelet* kubelet) { kubelet_ = kubelet; }

namespace {

// The key orders the probe ticks of one instant (pod, container, probe);
// the app container's come first, as slot code 0.
uint64_t SlotCode(uint32_t slot) { return slot == kStartMain ? 0 : uint64_t{slot} + 1; }
uint64_t ProbeKey(uint32_t id, uint32_t slot, ProbeKind kind) {
  return (uint64_t{id} << 12) | (SlotCode(slot) << 2) | static_cast<uint64_t>(kind);
}

void Point(const k8s::Container& c, ProbeWorker (&probes)[3]) {
  probes[0].probe = c.readiness_probe ? &*c.readiness_probe : nullptr;
  probes[1].probe = c.liveness_probe ? &*c.liveness_probe : nullptr;
  probes[2].probe = c.startup_probe ? &*c.startup_probe : nullptr;
}

}  // namespace

// Each probe worker points at its probe in the pod's spec, so whenever the
// spec is replaced they are pointed again.
void Prober::PointProbes(Pod& p, std::vector<SideContainer>* sides) {
  Point(p.spec->containers[p.app], p.probes);
  if (sides == nullptr) return;
  for (SideContainer& c : *sides) {
    Point(c.sidecar ? p.spec->init_containers[c.index] : p.spec->containers[c.index], c.probes);
  }
}

Prober::Target Prober::TargetOf(uint32_t id, uint32_t slot) const {
  const Pod& p = store_.pods[id];
  if (slot == kStartMain) {
    return {p.container, p.started, p.serving, p.app_ready, p.killing, p.container_started_at};
  }
  const SideContainer& c = store_.side_lists[p.sides][slot];
  return {c.state, c.started, c.serving, c.ready, c.killing, c.started_at};
}

ProbeWorker& Prober::Worker(uint32_t id, uint32_t slot, ProbeKind kind) {
  Pod& p = store_.pods[id];
  return slot == kStartMain ? p.probes[static_cast<int>(kind)]
                            : store_.side_lists[p.sides][slot].probes[static_cast<int>(kind)];
}

const ProbeWorker& Prober::Worker(uint32_t id, uint32_t slot, ProbeKind kind) const {
  const Pod& p = store_.pods[id];
  return slot == kStartMain ? p.probes[static_cast<int>(kind)]
                            : store_.side_lists[p.sides][slot].probes[static_cast<int>(kind)];
}

template <typename F>
void Prober::ForEachContainer(uint32_t id, F f) const {
  f(kStartMain);
  const Pod& p = store_.pods[id];
  if (p.sides == kNone) return;
  const auto n = static_cast<uint32_t>(store_.side_lists[p.sides].size());
  for (uint32_t slot = 0; slot < n; ++slot) f(slot);
}

void Prober::ArmProbes(uint32_t id) {
  // A worker per probe of each container (a regular one or a native
  // sidecar), created when the kubelet adds the pod: it probes at once, then
  // on every tick of its period.
  ForEachContainer(id, [&](uint32_t slot) {
    for (uint32_t k = 0; k < 3; ++k) {
      const auto kind = static_cast<ProbeKind>(k);
      if (Worker(id, slot, kind).probe != nullptr) ScheduleProbe(id, slot, kind, {});
    }
  });
}

void Prober::ScheduleProbe(uint32_t id, uint32_t slot, ProbeKind kind, SimDuration delay) {
  ProbeWorker& w = Worker(id, slot, kind);
  if (w.elided) SettleProbe(id, slot, kind);
  ctx_.loop().Cancel(w.tick);
  ++w.gen;
  w.tick = ProbeTick(id, slot, kind, ctx_.Now() + delay, w.gen);
}

// Probe ticks of one instant run in (pod, container, probe) order, not in
// the order they were scheduled: so a tick scheduled a period ago and one
// scheduled just now for the same time run alike (EventQueue::ScheduleKeyed).
EventId Prober::ProbeTick(uint32_t id, uint32_t slot, ProbeKind kind, SimTime at, uint32_t gen) {
  const uint64_t payload =
      (SlotCode(slot) << 34) | (static_cast<uint64_t>(kind) << 32) | uint64_t{gen};
  return ctx_.loop().AtKeyed(at, kPhaseProbe, ProbeKey(id, slot, kind),
                             Event{static_cast<uint32_t>(EventKind::kProbe), id, payload});
}

void Prober::TriggerReadiness(uint32_t id, uint32_t slot) {
  // While a started container is not Ready, every status change sends the
  // readiness worker a manual trigger: it probes at once and its ticker restarts.
  const Target t = TargetOf(id, slot);
  if (Worker(id, slot, ProbeKind::kReadiness).probe == nullptr || t.ready || !t.running() ||
      !t.started) {
    return;
  }
  ScheduleProbe(id, slot, ProbeKind::kReadiness, SimDuration::Zero());
}

void Prober::RunProbe(uint32_t id, uint64_t payload) {
  const auto kind = static_cast<ProbeKind>((payload >> 32) & 3);
  const uint64_t code = payload >> 34;
  const uint32_t slot = code == 0 ? kStartMain : static_cast<uint32_t>(code - 1);
  const auto gen = static_cast<uint32_t>(payload);
  if (gen != Worker(id, slot, kind).gen || store_.pods[id].state == PodState::kGone) return;
  // Liveness and startup probes stop once the pod is being deleted.
  if (store_.pods[id].deleted && kind != ProbeKind::kReadiness) return;
  ProbeOnce(id, slot, kind);
  // The next tick, a period on — unless a manual trigger rescheduled the
  // worker meanwhile, or its result cannot change until its pod does.
  ProbeWorker& after = Worker(id, slot, kind);
  if (gen != after.gen) return;
  if (elide_ && ProbeSteady(id, slot, kind)) {
    after.elided = true;
    after.anchor = ctx_.Now();
    after.tick = EventId();
    return;
  }
  after.tick = ProbeTick(id, slot, kind,
                         ctx_.Now() + SimDuration::Seconds(after.probe->period_seconds), gen);
}

void Prober::ProbeOnce(uint32_t id, uint32_t slot, ProbeKind kind) {
  const Target t = TargetOf(id, slot);
  const ProbeWorker& w = Worker(id, slot, kind);
  // While a kill they asked for runs, their worker holds (its ticker goes on).
  if (t.killing && kind != ProbeKind::kReadiness) return;
  if (!t.running()) return;
  if (kind == ProbeKind::kStartup ? t.started : !t.started) return;  // startup gates the others
  // Ticks earlier than initialDelaySeconds after the container started are skipped.
  if (ctx_.Now() - t.started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) return;
  ProbeResult(id, slot, kind, t.serving);
}

// Probe elision. A tick changes nothing when the worker's next result is the
// success it just had: the container runs, is started, is not being killed
// or deleted, its process serves, the worker has no failure to reset and,
// for readiness, the container is Ready already (a startup worker's ticks do
// nothing at all once the container has started). Every field this reads is
// written only where WakeProbes (or SettleProbe) follows, so an elided
// worker always rejoins its grid before a tick could differ; --check
// verifies that no elided worker is unsteady at the end of an instant.
bool Prober::ProbeSteady(uint32_t id, uint32_t slot, ProbeKind kind) const {
  const Pod& p = store_.pods[id];
  const ProbeWorker& w = Worker(id, slot, kind);
  const Target t = TargetOf(id, slot);
  if (w.probe == nullptr || w.probe->period_seconds <= 0) return false;
  if (p.deleted || p.state == PodState::kGone || t.killing || !t.running()) return false;
  if (kind == ProbeKind::kStartup) return t.started;
  if (!t.started || !t.serving || w.failures != 0) return false;
  if (ctx_.Now() - t.started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) {
    return false;
  }
  if (kind == ProbeKind::kReadiness) return t.ready && w.successes >= w.probe->success_threshold;
  return true;
}

// The ticks an elided worker skipped — at anchor + k x period, up to now,
// counting one at this very instant only if it would already have run
// (probe ticks run in phase kPhaseProbe in their key's order) — are counted
// as the events they would have been; the next one is returned.
SimTime Prober::SettleProbe(uint32_t id, uint32_t slot, ProbeKind kind) {
  ProbeWorker& w = Worker(id, slot, kind);
  w.elided = false;
  const SimDuration period = SimDuration::Seconds(w.probe->period_seconds);
  const SimTime now = ctx_.Now();
  if (now < w.anchor + period) return w.anchor + period;
  int64_t k = (now - w.anchor).micros() / period.micros();
  const SimTime last = w.anchor + period * k;
  const uint64_t key = ProbeKey(id, slot, kind);
  const bool ran = last < now || ctx_.current_phase() > kPhaseProbe ||
                   (ctx_.current_phase() == kPhaseProbe && ctx_.current_key() > key);
  if (!ran) --k;  // the tick at this instant is still to come: the next one
  ctx_.loop().CountSkipped(static_cast<uint64_t>(k));
  return ran ? last + period : last;
}

void Prober::WakeProbes(uint32_t id) {
  ForEachContainer(id, [&](uint32_t slot) {
    for (uint32_t k = 0; k < 3; ++k) {
      const auto kind = static_cast<ProbeKind>(k);
      ProbeWorker& w = Worker(id, slot, kind);
      if (!w.elided) continue;
      const SimTime next = SettleProbe(id, slot, kind);
      w.tick = ProbeTick(id, slot, kind, next, w.gen);
    }
  });
}

void Prober::ProbeResult(uint32_t id, uint32_t slot, ProbeKind kind, bool success) {
  ProbeWorker& w = Worker(id, slot, kind);
  if (success) {
    ++w.successes;
    w.failures = 0;
  } else {
    ++w.failures;
    w.successes = 0;
  }
  const k8s::Probe& probe = *w.probe;
  const bool side = slot != kStartMain;
  switch (kind) {
    case ProbeKind::kReadiness:
      if (success && w.successes >= probe.success_threshold) {
        side ? kubelet_->SetSideReady(id, slot, true) : kubelet_->SetReady(id, true);
      }
      if (!success && w.failures >= probe.failure_threshold) {
        side ? kubelet_->SetSideReady(id, slot, false) : kubelet_->SetReady(id, false);
      }
      break;
    case ProbeKind::kLiveness:
      if (!success && w.failures >= probe.failure_threshold) kubelet_->KillContainer(id, slot, kind);
      break;
    case ProbeKind::kStartup:
      if (success && w.successes >= probe.success_threshold) {
        kubelet_->ContainerStarted(id, slot);
        if (Worker(id, slot, ProbeKind::kReadiness).probe == nullptr) {
          side ? kubelet_->SetSideReady(id, slot, true) : kubelet_->SetReady(id, true);
        } else {
          TriggerReadiness(id, slot);
        }
      } else if (!success && w.failures >= probe.failure_threshold) {
        kubelet_->KillContainer(id, slot, kind);
      }
      break;
  }
}

void Prober::StopWorker(uint32_t id, uint32_t slot, ProbeKind kind) {
  ProbeWorker& w = Worker(id, slot, kind);
  if (w.elided) SettleProbe(id, slot, kind);
  ctx_.loop().Cancel(w.tick);
  ++w.gen;
}

void Prober::StopLivenessAndStartup(uint32_t id) {
  ForEachContainer(id, [&](uint32_t slot) {
    for (ProbeKind k : {ProbeKind::kLiveness, ProbeKind::kStartup}) StopWorker(id, slot, k);
  });
}

void Prober::StopWorkers(uint32_t id) {
  ForEachContainer(id, [&](uint32_t slot) {
    for (uint32_t k = 0; k < 3; ++k) {
      const auto kind = static_cast<ProbeKind>(k);
      if (Worker(id, slot, kind).elided) SettleProbe(id, slot, kind);
    }
  });
  ForEachContainer(id, [&](uint32_t slot) {
    for (uint32_t k = 0; k < 3; ++k) {
      ProbeWorker& w = Worker(id, slot, static_cast<ProbeKind>(k));
      ctx_.loop().Cancel(w.tick);
      ++w.gen;
    }
  });
}

void Prober::SettleAll() {
  for (uint32_t id = 0; id < store_.pods.size(); ++id) {
    ForEachContainer(id, [&](uint32_t slot) {
      for (uint32_t k = 0; k < 3; ++k) {
        const auto kind = static_cast<ProbeKind>(k);
        if (Worker(id, slot, kind).elided) SettleProbe(id, slot, kind);
      }
    });
  }
}

}  // namespace kubesim::cluster
