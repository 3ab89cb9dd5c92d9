// The kubelet of every node (one object for all nodes: each node's state —
// its pull queue, image cache, pods — lives in the store's Node): pulls,
// containers and processes, restarts with back-off, termination, the pod
// status it reports, and what a node's failure and recovery do to its pods.
// Its probe workers are the Prober's; the two call each other, as the
// kubelet and its prober manager do.
#ifndef KUBESIM_SIM_CLUSTER_KUBELET_H_
#define KUBESIM_SIM_CLUSTER_KUBELET_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api.h"
#include "kubesim/k8s/defaults.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Prober;
class Traffic;

// How long a container's preStop hook takes: `sleep: {seconds: N}`, an exec
// of `sleep N` (directly or through `sh -c`), or an httpGet (instant here).
SimDuration PreStopDuration(const k8s::Container& c);
// A duration's whole seconds, as the kubelet truncates the grace it spent.
inline SimDuration WholeSeconds(SimDuration d) {
  return SimDuration::Seconds(d.micros() / 1'000'000);
}
// kuberuntime killContainer's budget for a stop with `grace`: the container's
// preStop hook (`pre_stop`) runs for at most the grace period (not at all
// with none), and what is left is the grace period less the hook's whole
// seconds.
struct StopBudget {
  SimDuration pre_stop, hook, left;
};
StopBudget StopBudgetOf(const k8s::Container& c, SimDuration grace);
// minimumGracePeriodInSeconds: every stop leaves at least this between
// SIGTERM and SIGKILL (kuberuntime killContainer).
inline constexpr SimDuration kMinimumGracePeriod =
    SimDuration::Seconds(k8s::defaults::kKubeletMinimumGracePeriodSeconds);

class Kubelet {
 public:
  Kubelet(Store& store, Context& ctx, Api& api, Prober& prober);
  // The clients, told when a process begins serving and when it ends (the
  // load model's capacity and in-flight requests, traffic.h).
  void ConnectTraffic(Traffic* traffic) { traffic_ = traffic; }

  // The API's writes it acts on.
  // The pod is its node's now. Whether a selector of the topology index
  // counts it (ApiServer::BindPod's requeue).
  bool Bind(uint32_t pod, uint32_t node);
  void DeletePod(uint32_t pod);            // deletionTimestamp set: stop it
  void ImageChanged(uint32_t pod);         // the app container's image changed
  void FailNode(uint32_t node);            // the machine stops
  void RecoverNode(uint32_t node);         // and comes back

  // Its events (payloads as EventKind describes them).
  void PullDone(uint32_t pod, uint64_t payload);      // payload: pull_gen << 32 | node
  void RestartContainer(uint32_t pod, uint64_t gen);  // kContainerStart: back-off over
  void ProcessServing(uint32_t pod, uint64_t gen);
  void ProcessStopServing(uint32_t pod, uint64_t gen);
  void ProcessExit(uint32_t pod, uint64_t gen);
  void PreStopDone(uint32_t pod, uint64_t gen);
  void GraceExpired(uint32_t pod, uint64_t gen);
  // kInitContainerExit, payload container gen << 1 | failed.
  void InitContainerExit(uint32_t pod, uint64_t payload);

  // A side container's events (EventKind::kSideContainer), by action.
  enum class SideAction : uint32_t {
    kStart,
    kServing,
    kStopServing,
    kExit,
    kPreStopDone,
    kGraceExpired,
    kTurn,
  };
  static uint64_t SidePayload(uint32_t gen, SideAction action, uint32_t slot) {
    return (uint64_t{gen} << 32) | (uint64_t{static_cast<uint32_t>(action)} << 16) | slot;
  }
  void SideEvent(uint32_t pod, uint64_t payload);
  void SideImageChanged(uint32_t pod, uint32_t slot);  // a side container's image changed

  // What the prober's results (and the node controller) do. SetReady is the
  // app container's readiness (and the node controller's MarkPodsNotReady);
  // a slot names the app container (kStartMain) or a side container.
  void SetReady(uint32_t pod, bool ready);
  void SetSideReady(uint32_t pod, uint32_t slot, bool ready);
  void ContainerStarted(uint32_t pod, uint32_t slot);  // its startup probe passed
  void KillContainer(uint32_t pod, uint32_t slot, ProbeKind kind);

  // The pod's Ready condition from its containers' readiness and its
  // readiness gates (GeneratePodReadyCondition), written when it changes.
  void UpdateReady(uint32_t pod);

 private:
  // The start order (store.h's StartEntry): the container of entry i, the
  // walk's next step, and a container's start once its image is present
  // (at once, or after a pull in the node's queue).
  uint32_t EntrySlot(const Pod& p, uint32_t i) const;
  void Advance(uint32_t pod);
  void AdvancePast(uint32_t pod, uint32_t slot);  // if the walk waits at that container
  void EnsureImage(uint32_t pod, uint32_t slot);
  void StartSlot(uint32_t pod, uint32_t slot);
  uint32_t ImageOf(const Pod& p, uint32_t slot) const;
  PullPolicy PolicyOf(const Pod& p, uint32_t slot) const;
  // Side containers (kubelet_containers.cc).
  SideContainer& Side(uint32_t pod, uint32_t slot);
  const std::string& SideName(uint32_t pod, uint32_t slot) const;
  void StartSide(uint32_t pod, uint32_t slot);
  void SideStopped(uint32_t pod, uint32_t slot);
  void EndSide(uint32_t pod, uint32_t slot);  // its process ended
  void StopSide(uint32_t pod, uint32_t slot, SimDuration grace);
  // SIGTERM, and SIGKILL after kill_after when given (else scheduled already).
  void SideSigterm(uint32_t pod, uint32_t slot, std::optional<SimDuration> kill_after);
  void SidePreStopDone(uint32_t pod, uint32_t slot);
  // A native sidecar stopping for its pod's deletion (not a probe kill)
  // waits for its turn between its preStop hook and its SIGTERM.
  static bool WaitsForTurn(const Pod& p, const SideContainer& c) {
    return c.sidecar && p.deleted && !c.killing;
  }
  // At deletion, the sidecars whose turn to stop came (TurnCame) go on.
  bool TurnCame(uint32_t pod, uint32_t slot) const;
  void SidecarTurns(uint32_t pod);
  void SidecarTurn(uint32_t pod, uint32_t slot);
  bool AnyRunning(const Pod& p) const;  // any container of the pod runs
  bool SidesReady(const Pod& p) const;
  // How long after its exit (now) a container restarts (CrashLoopBackOff
  // as the kubelet's SyncPod and pod worker apply it); `killed`: the exit
  // was a liveness or startup kill; `key` names its draws. The back-off
  // it waited for, if any, goes to `*waited`.
  SimDuration RestartDelay(Backoff& b, bool killed, std::string_view key, SimDuration* waited);
  void StartPull(uint32_t node);
  void StartContainer(uint32_t pod);
  void StartInitContainer(uint32_t pod);
  // After an exit: restart with CrashLoopBackOff (`killed`: by a probe).
  void ScheduleRestart(uint32_t pod, bool killed = false);
  void CountRestart(uint32_t pod);     // its restart count, and the observers told
  // The image, and its pull policy, of the container the pod starts next:
  // its current init container's while it has one, else its app container's.
  uint32_t WorkingImage(const Pod& p) const;
  PullPolicy WorkingPullPolicy(const Pod& p) const;
  void ContainerStopped(uint32_t pod);
  void StopContainer(uint32_t pod, SimDuration grace);
  void PodGone(uint32_t pod);
  // Pods are state machines whose state is derived (DerivedPodState, from
  // the container, binding, deletion and Ready condition): after changing
  // those, a caller writes the derived state here, the only writer of
  // PodState (observer.h), which observers hear of. A move LegalPodMove does
  // not allow is a bug: recorded (Context::Violation, exit code 3 under
  // --check) and still made, so that the callers' other writes stay
  // consistent with it.
  void UpdatePodState(uint32_t pod);
  // The container's state changes only here (store.h's ContainerState),
  // checked like the pod's.
  void SetContainerState(uint32_t pod, ContainerState state);
  void EndProcess(uint32_t pod);  // its process ended: Waiting, not serving
  // Every write of a pod's serving flag goes here: the Services that list it
  // as a visible endpoint re-read it at the end of the instant.
  void SetServing(uint32_t pod, bool serving);
  void TouchPod(uint32_t pod);  // its serving flag or version changed

  Store& store_;
  Context& ctx_;
  Api& api_;
  Prober& prober_;
  Traffic* traffic_ = nullptr;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_KUBELET_H_
