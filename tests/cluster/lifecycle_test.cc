// The pod and container state machines (sim/cluster/store.h): every move
// the kubelet may make, and none other. A container is the API's waiting /
// running / terminated (core/v1 ContainerState) with running split where a
// stop was requested; a pod's state is the model's (observer.h), derived
// from its container and conditions, and so is its status.phase.
#include <gtest/gtest.h>

#include <string>

#include "cluster/store.h"

namespace kubesim::cluster {
namespace {

TEST(LegalContainerMove, OnlyTheKubeletsMovesAndTerminatedIsFinal) {
  using C = ContainerState;
  const C all[] = {C::kWaiting, C::kRunning, C::kStopping, C::kTerminated};
  // Rows: from; columns: to (Waiting, Running, Stopping, Terminated).
  const bool legal[4][4] = {
      {false, true, false, true},    // Waiting: started; its pod gone
      {true, false, true, false},    // Running: exited / image changed / node failed; stop requested
      {true, false, false, false},   // Stopping: exited or SIGKILLed
      {false, false, false, false},  // Terminated: final
  };
  for (int f = 0; f < 4; ++f) {
    for (int t = 0; t < 4; ++t) {
      EXPECT_EQ(LegalContainerMove(all[f], all[t]), legal[f][t])
          << ContainerStateName(all[f]) << " -> " << ContainerStateName(all[t]);
    }
  }
}

TEST(LegalPodMove, ForwardThroughTheLifecycleTerminatingAnywhereGoneFinal) {
  using S = PodState;
  const S all[] = {S::kPending, S::kPulling,     S::kStarting,
                   S::kReady,   S::kTerminating, S::kGone};
  // Rows: from; columns: to, in the order above.
  const bool legal[6][6] = {
      {false, true, false, false, true, true},     // Pending: bound; deleted
      {false, false, true, false, true, true},     // Pulling: container created
      {false, true, false, true, true, true},      // Starting: Ready; a new image to pull
      {false, false, true, false, true, true},     // Ready: not Ready
      {false, false, false, false, false, true},   // Terminating: gone
      {false, false, false, false, false, false},  // Gone: final
  };
  for (int f = 0; f < 6; ++f) {
    for (int t = 0; t < 6; ++t) {
      if (f == t) continue;  // staying is no move
      EXPECT_EQ(LegalPodMove(all[f], all[t]), legal[f][t])
          << PodStateName(all[f]) << " -> " << PodStateName(all[t]);
    }
  }
}

// The pod's state as its container, binding, deletion and Ready condition
// give it, one fact changed at a time along a pod's life.
TEST(DerivedPodState, FollowsTheContainerAndConditions) {
  Pod p;  // created: unbound, no container yet
  EXPECT_EQ(DerivedPodState(p), PodState::kPending);
  p.node = 0;  // bound (PodScheduled)
  EXPECT_EQ(DerivedPodState(p), PodState::kPulling);
  p.container_created = true;
  p.container = ContainerState::kRunning;
  EXPECT_EQ(DerivedPodState(p), PodState::kStarting);
  p.ready = true;
  EXPECT_EQ(DerivedPodState(p), PodState::kReady);
  p.ready = false;  // the process exits: waiting in CrashLoopBackOff
  p.container = ContainerState::kWaiting;
  EXPECT_EQ(DerivedPodState(p), PodState::kStarting);
  p.container_created = false;  // `set image`: the new image is awaited
  EXPECT_EQ(DerivedPodState(p), PodState::kPulling);
  p.ready = true;  // (even a Ready pod) once deleted is Terminating
  p.deleted = true;
  EXPECT_EQ(DerivedPodState(p), PodState::kTerminating);
  p.container = ContainerState::kTerminated;
  EXPECT_EQ(DerivedPodState(p), PodState::kGone);
}

TEST(DerivedPodState, AnUnboundPodIsPendingWhateverElseHolds) {
  Pod p;
  p.ready = true;
  p.container_created = true;
  EXPECT_EQ(DerivedPodState(p), PodState::kPending);
  p.deleted = true;  // deletion and removal come first
  EXPECT_EQ(DerivedPodState(p), PodState::kTerminating);
}

// getPhase (pkg/kubelet/kubelet_pods.go), one container, restartPolicy
// Always: a waiting container counts as "waiting" (phase Pending) only
// without a LastTerminationState; one that ran and waits to restart is
// "stopped", and all stopped under Always is Running.
TEST(PhaseOf, PendingUntilTheContainerFirstRunsThenRunning) {
  Pod p;
  EXPECT_EQ(PhaseOf(p), PodPhase::kPending);  // unbound
  p.node = 0;
  EXPECT_EQ(PhaseOf(p), PodPhase::kPending);  // ContainerCreating
  p.container_created = true;
  p.container = ContainerState::kRunning;
  EXPECT_EQ(PhaseOf(p), PodPhase::kRunning);
  p.container = ContainerState::kWaiting;  // CrashLoopBackOff
  EXPECT_EQ(PhaseOf(p), PodPhase::kRunning);
  p.container_created = false;  // `set image` killed the running one
  p.restarts = 1;
  EXPECT_EQ(PhaseOf(p), PodPhase::kRunning);
  Pod q;  // `set image` before the first container ran: still Pending
  q.node = 0;
  EXPECT_EQ(PhaseOf(q), PodPhase::kPending);
}

}  // namespace
}  // namespace kubesim::cluster
