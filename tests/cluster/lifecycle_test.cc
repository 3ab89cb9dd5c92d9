// The pod and container state machines (sim/cluster/store.h): every move
// the kubelet may make, and none other. A container is the API's waiting /
// running / terminated (core/v1 ContainerState) with running split where a
// stop was requested; a pod's state is the model's (observer.h).
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

}  // namespace
}  // namespace kubesim::cluster
