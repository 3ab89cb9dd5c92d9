// The kubelet of every node (one object for all nodes: each node's state —
// its pull queue, image cache, pods — lives in the store's Node): pulls,
// containers and processes, restarts with back-off, termination, the pod
// status it reports, and what a node's failure and recovery do to its pods.
// Its probe workers are the Prober's; the two call each other, as the
// kubelet and its prober manager do.
#ifndef KUBESIM_SIM_CLUSTER_KUBELET_H_
#define KUBESIM_SIM_CLUSTER_KUBELET_H_

#include <cstdint>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Prober;

class Kubelet {
 public:
  Kubelet(Store& store, Context& ctx, Api& api, Prober& prober);

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

  // What the prober's results (and the node controller) do.
  void SetReady(uint32_t pod, bool ready);
  void KillContainer(uint32_t pod, ProbeKind kind);

 private:
  void StartPull(uint32_t node);
  void StartContainer(uint32_t pod);
  void StartInitContainer(uint32_t pod);
  void ScheduleRestart(uint32_t pod);  // after an exit: restart with CrashLoopBackOff
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
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_KUBELET_H_
