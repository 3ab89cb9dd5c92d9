// The kubelet's probe workers (pkg/kubelet/prober): one per probe of each
// of a pod's containers, ticking on its period's grid from when the kubelet
// adds the pod. Results go to the Kubelet (Ready, kills). Probe elision
// (docs/scale.md): a worker whose next result cannot change schedules no
// tick until something about its pod changes (WakeProbes), when it rejoins
// its grid; the ticks it skipped count as the events they would have been.
#ifndef KUBESIM_SIM_CLUSTER_PROBER_H_
#define KUBESIM_SIM_CLUSTER_PROBER_H_

#include <cstdint>
#include <vector>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Kubelet;

// Workers are named by pod, slot and kind: slot kStartMain is the pod's app
// container (the Pod's own fields), any other its SideContainer of that
// index (store.h).
class Prober {
 public:
  Prober(Store& store, Context& ctx, bool elide);
  void Connect(Kubelet* kubelet);  // where results go

  // Each worker points at its probe in the pod's spec, so whenever the spec
  // is replaced they are pointed again.
  static void PointProbes(Pod& p, std::vector<SideContainer>* sides);
  void ArmProbes(uint32_t pod);                   // the pod's kubelet added it: probe at once
  void RunProbe(uint32_t pod, uint64_t payload);  // kProbe
  // While a started container is not Ready, every status change sends its
  // readiness worker a manual trigger: it probes at once.
  void TriggerReadiness(uint32_t pod, uint32_t slot = kStartMain);
  // Steady: the worker's next result is the same success and changes
  // nothing. Settle: an elided worker's ticks that would have fired by now
  // are counted, and the time of its next tick is returned. Wake: every
  // elided worker of the pod rejoins its grid.
  bool ProbeSteady(uint32_t pod, uint32_t slot, ProbeKind kind) const;
  SimTime SettleProbe(uint32_t pod, uint32_t slot, ProbeKind kind);
  void WakeProbes(uint32_t pod);
  // The pod is being deleted: its containers' liveness and startup workers stop.
  void StopLivenessAndStartup(uint32_t pod);
  void StopWorkers(uint32_t pod);  // the pod is gone
  void SettleAll();                // the run's end: skipped ticks counted
  bool elide() const { return elide_; }

 private:
  // What a worker reads of the container it probes.
  struct Target {
    ContainerState state;
    bool started, serving, ready, killing;
    SimTime started_at;
    bool running() const {
      return state == ContainerState::kRunning || state == ContainerState::kStopping;
    }
  };
  Target TargetOf(uint32_t pod, uint32_t slot) const;
  ProbeWorker& Worker(uint32_t pod, uint32_t slot, ProbeKind kind);
  const ProbeWorker& Worker(uint32_t pod, uint32_t slot, ProbeKind kind) const;
  // Calls f(slot) for the app container and each side container.
  template <typename F>
  void ForEachContainer(uint32_t pod, F f) const;
  void StopWorker(uint32_t pod, uint32_t slot, ProbeKind kind);
  void ScheduleProbe(uint32_t pod, uint32_t slot, ProbeKind kind, SimDuration delay);
  EventId ProbeTick(uint32_t pod, uint32_t slot, ProbeKind kind, SimTime at, uint32_t gen);
  void ProbeOnce(uint32_t pod, uint32_t slot, ProbeKind kind);  // one tick's check and result
  void ProbeResult(uint32_t pod, uint32_t slot, ProbeKind kind, bool success);

  Store& store_;
  Context& ctx_;
  Kubelet* kubelet_ = nullptr;
  bool elide_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_PROBER_H_
