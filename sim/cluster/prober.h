// The kubelet's probe workers (pkg/kubelet/prober): one per probe of a
// pod's app container, ticking on its period's grid from when the kubelet
// adds the pod. Results go to the Kubelet (Ready, kills). Probe elision
// (docs/scale.md): a worker whose next result cannot change schedules no
// tick until something about its pod changes (WakeProbes), when it rejoins
// its grid; the ticks it skipped count as the events they would have been.
#ifndef KUBESIM_SIM_CLUSTER_PROBER_H_
#define KUBESIM_SIM_CLUSTER_PROBER_H_

#include <cstdint>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Kubelet;

class Prober {
 public:
  Prober(Store& store, Context& ctx, bool elide);
  void Connect(Kubelet* kubelet);  // where results go

  // Each worker points at its probe in the pod's spec, so whenever the spec
  // is replaced they are pointed again.
  static void PointProbes(Pod& p);
  void ArmProbes(uint32_t pod);                   // the pod's kubelet added it: probe at once
  void RunProbe(uint32_t pod, uint64_t payload);  // kProbe
  // While a started container is not Ready, every status change sends the
  // readiness worker a manual trigger: it probes at once.
  void TriggerReadiness(uint32_t pod);
  // Steady: the worker's next result is the same success and changes
  // nothing. Settle: an elided worker's ticks that would have fired by now
  // are counted, and the time of its next tick is returned. Wake: every
  // elided worker of the pod rejoins its grid.
  bool ProbeSteady(uint32_t pod, ProbeKind kind) const;
  SimTime SettleProbe(uint32_t pod, ProbeKind kind);
  void WakeProbes(uint32_t pod);
  void StopWorker(uint32_t pod, ProbeKind kind);
  void StopWorkers(uint32_t pod);  // the pod is gone
  void SettleAll();                // the run's end: skipped ticks counted
  bool elide() const { return elide_; }

 private:
  void ScheduleProbe(uint32_t pod, ProbeKind kind, SimDuration delay);
  EventId ProbeTick(uint32_t pod, ProbeKind kind, SimTime at, uint64_t payload);
  void ProbeOnce(uint32_t pod, ProbeKind kind);  // one tick's check and result
  void ProbeResult(uint32_t pod, ProbeKind kind, bool success);

  Store& store_;
  Context& ctx_;
  Kubelet* kubelet_ = nullptr;
  bool elide_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_PROBER_H_
