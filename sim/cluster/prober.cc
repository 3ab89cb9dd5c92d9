// The kubelet's probe workers (pkg/kubelet/prober/worker.go): readiness,
// liveness and startup, each on its period's tick grid, with probe elision
// (docs/scale.md): a worker whose result cannot change schedules no tick.
#include "prober.h"

#include "kubelet.h"

namespace kubesim::cluster {

Prober::Prober(Store& store, Context& ctx, bool elide) : store_(store), ctx_(ctx), elide_(elide) {}

void Prober::Connect(Kubelet* kubelet) { kubelet_ = kubelet; }

// Each probe worker points at its probe in the pod's spec (the app
// container's), so whenever the spec is replaced they are pointed again.
void Prober::PointProbes(Pod& p) {
  const k8s::Container& c = p.spec->containers[p.app];
  p.probes[0].probe = c.readiness_probe ? &*c.readiness_probe : nullptr;
  p.probes[1].probe = c.liveness_probe ? &*c.liveness_probe : nullptr;
  p.probes[2].probe = c.startup_probe ? &*c.startup_probe : nullptr;
}

void Prober::ArmProbes(uint32_t id) {
  // A worker per probe, created when the kubelet adds the pod: it probes at
  // once, then on every tick of its period.
  for (uint32_t k = 0; k < 3; ++k) {
    if (store_.pods[id].probes[k].probe != nullptr)
      ScheduleProbe(id, static_cast<ProbeKind>(k), {});
  }
}

void Prober::ScheduleProbe(uint32_t id, ProbeKind kind, SimDuration delay) {
  ProbeWorker& w = store_.pods[id].probes[static_cast<int>(kind)];
  if (w.elided) SettleProbe(id, kind);
  ctx_.loop().Cancel(w.tick);
  ++w.gen;
  w.tick = ProbeTick(id, kind, ctx_.Now() + delay, (static_cast<uint64_t>(kind) << 32) | w.gen);
}

// Probe ticks of one instant run in (pod, probe) order, not in the order
// they were scheduled: so a tick scheduled a period ago and one scheduled
// just now for the same time run alike (EventQueue::ScheduleKeyed).
EventId Prober::ProbeTick(uint32_t id, ProbeKind kind, SimTime at, uint64_t payload) {
  return ctx_.loop().AtKeyed(at, kPhaseProbe, (uint64_t{id} << 2) | static_cast<uint64_t>(kind),
                             Event{static_cast<uint32_t>(EventKind::kProbe), id, payload});
}

void Prober::TriggerReadiness(uint32_t id) {
  // While a started container is not Ready, every status change sends the
  // readiness worker a manual trigger: it probes at once and its ticker restarts.
  const Pod& p = store_.pods[id];
  const ProbeWorker& w = p.probes[static_cast<int>(ProbeKind::kReadiness)];
  if (w.probe == nullptr || p.ready || !p.container_running() || !p.started) return;
  ScheduleProbe(id, ProbeKind::kReadiness, SimDuration::Zero());
}

void Prober::RunProbe(uint32_t id, uint64_t payload) {
  Pod& p = store_.pods[id];
  const auto kind = static_cast<ProbeKind>(payload >> 32);
  ProbeWorker& w = p.probes[static_cast<int>(kind)];
  if ((payload & 0xFFFFFFFFu) != w.gen || p.state == PodState::kGone) return;
  // Liveness and startup probes stop once the pod is being deleted.
  if (p.deleted && kind != ProbeKind::kReadiness) return;
  ProbeOnce(id, kind);
  // The next tick, a period on — unless a manual trigger rescheduled the
  // worker meanwhile, or its result cannot change until its pod does.
  ProbeWorker& after = store_.pods[id].probes[static_cast<int>(kind)];
  if ((payload & 0xFFFFFFFFu) != after.gen) return;
  if (elide_ && ProbeSteady(id, kind)) {
    after.elided = true;
    after.anchor = ctx_.Now();
    after.tick = EventId();
    return;
  }
  after.tick =
      ProbeTick(id, kind, ctx_.Now() + SimDuration::Seconds(after.probe->period_seconds), payload);
}

void Prober::ProbeOnce(uint32_t id, ProbeKind kind) {
  const Pod& p = store_.pods[id];
  const ProbeWorker& w = p.probes[static_cast<int>(kind)];
  // While a kill they asked for runs, their worker holds (its ticker goes on).
  if (p.killing && kind != ProbeKind::kReadiness) return;
  if (!p.container_running()) return;
  if (kind == ProbeKind::kStartup ? p.started : !p.started) return;  // startup gates the others
  // Ticks earlier than initialDelaySeconds after the container started are skipped.
  if (ctx_.Now() - p.container_started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) {
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
bool Prober::ProbeSteady(uint32_t id, ProbeKind kind) const {
  const Pod& p = store_.pods[id];
  const ProbeWorker& w = p.probes[static_cast<int>(kind)];
  if (w.probe == nullptr || w.probe->period_seconds <= 0) return false;
  if (p.deleted || p.state == PodState::kGone || p.killing || !p.container_running()) return false;
  if (kind == ProbeKind::kStartup) return p.started;
  if (!p.started || !p.serving || w.failures != 0) return false;
  if (ctx_.Now() - p.container_started_at < SimDuration::Seconds(w.probe->initial_delay_seconds)) {
    return false;
  }
  if (kind == ProbeKind::kReadiness) return p.ready && w.successes >= w.probe->success_threshold;
  return true;
}

// The ticks an elided worker skipped — at anchor + k x period, up to now,
// counting one at this very instant only if it would already have run
// (probe ticks run in phase kPhaseProbe in (pod, probe) order) — are counted
// as the events they would have been; the next one is returned.
SimTime Prober::SettleProbe(uint32_t id, ProbeKind kind) {
  ProbeWorker& w = store_.pods[id].probes[static_cast<int>(kind)];
  w.elided = false;
  const SimDuration period = SimDuration::Seconds(w.probe->period_seconds);
  const SimTime now = ctx_.Now();
  if (now < w.anchor + period) return w.anchor + period;
  int64_t k = (now - w.anchor).micros() / period.micros();
  const SimTime last = w.anchor + period * k;
  const uint64_t key = (uint64_t{id} << 2) | static_cast<uint64_t>(kind);
  const bool ran = last < now || ctx_.current_phase() > kPhaseProbe ||
                   (ctx_.current_phase() == kPhaseProbe && ctx_.current_key() > key);
  if (!ran) --k;  // the tick at this instant is still to come: the next one
  ctx_.loop().CountSkipped(static_cast<uint64_t>(k));
  return ran ? last + period : last;
}

void Prober::WakeProbes(uint32_t id) {
  for (uint32_t k = 0; k < 3; ++k) {
    ProbeWorker& w = store_.pods[id].probes[k];
    if (!w.elided) continue;
    const auto kind = static_cast<ProbeKind>(k);
    const SimTime next = SettleProbe(id, kind);
    w.tick = ProbeTick(id, kind, next, (uint64_t{k} << 32) | w.gen);
  }
}

void Prober::ProbeResult(uint32_t id, ProbeKind kind, bool success) {
  Pod& p = store_.pods[id];
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
      if (success && w.successes >= probe.success_threshold) kubelet_->SetReady(id, true);
      if (!success && w.failures >= probe.failure_threshold) kubelet_->SetReady(id, false);
      break;
    case ProbeKind::kLiveness:
      if (!success && w.failures >= probe.failure_threshold) {
        kubelet_->KillContainer(id, kind);
      }
      break;
    case ProbeKind::kStartup:
      if (success && w.successes >= probe.success_threshold) {
        p.started = true;
        EmitPod(ctx_, store_, id, "startup probe succeeded");
        if (p.probes[static_cast<int>(ProbeKind::kReadiness)].probe == nullptr) {
          kubelet_->SetReady(id, true);
        } else {
          TriggerReadiness(id);
        }
      } else if (!success && w.failures >= probe.failure_threshold) {
        kubelet_->KillContainer(id, kind);
      }
      break;
  }
}

void Prober::StopWorker(uint32_t id, ProbeKind kind) {
  ProbeWorker& w = store_.pods[id].probes[static_cast<int>(kind)];
  if (w.elided) SettleProbe(id, kind);
  ctx_.loop().Cancel(w.tick);
  ++w.gen;
}

void Prober::StopWorkers(uint32_t id) {
  for (uint32_t k = 0; k < 3; ++k) {
    if (store_.pods[id].probes[k].elided) SettleProbe(id, static_cast<ProbeKind>(k));
  }
  for (ProbeWorker& w : store_.pods[id].probes) {
    ctx_.loop().Cancel(w.tick);
    ++w.gen;
  }
}

void Prober::SettleAll() {
  for (uint32_t id = 0; id < store_.pods.size(); ++id) {
    for (uint32_t k = 0; k < 3; ++k) {
      if (store_.pods[id].probes[k].elided) SettleProbe(id, static_cast<ProbeKind>(k));
    }
  }
}

}  // namespace kubesim::cluster
