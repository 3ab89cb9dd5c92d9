// End-to-end scenarios with hand-derived expected results: each
// test writes a small scenario, runs the whole model and checks the report
// against numbers derived in its comment from the scenario's timings and
// Kubernetes' rules. This file: nodes (drains, failures, recovery,
// pulls interrupted by a failure).
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

TEST(Model, ARestartPullWaitingWhenTheNodeFailsStillHappensAfterRecovery) {
  const Outcome r = Simulate(Scenario(R"(  until: 45s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 10s, start: 1s, crashAfter: 5s}
  timeline:
  - at: 17s
    fail: node/node-0
  - at: 20s
    recover: node/node-0
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - {name: web, image: web:1, imagePullPolicy: Always}
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  containers:
  - {name: web, image: web:1, imagePullPolicy: Always}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("15.000", "pod/a", "process exited unexpectedly")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/b", "pulling image")) << r.log;
  EXPECT_TRUE(r.Logged("30.000", "pod/a", "pulling image")) << r.log;
  EXPECT_TRUE(r.Logged("40.000", "pod/a", "container started")) << r.log;
  EXPECT_FALSE(r.Logged("20.000", "pod/a", "container started")) << r.log;
}

TEST(Model, DrainEvictsPodsAndTheyComeBackElsewhere) {
  // Two nodes; draining the node of the single pod cordons it and deletes the
  // pod; the ReplicaSet's replacement can only go to the other node.
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
  timeline:
  - at: 60s
    kubectl: drain node-0
  - at: 61s
    kubectl: drain node-1
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("60.000", "node/node-0", "drained")) << r.log;
  // Whichever node held it, after both drains the last replacement is Pending for want of a node.
  EXPECT_TRUE(r.Logged("61.000", "pod/web-", "FailedScheduling")) << r.log;
  EXPECT_GT(r.report.resources.pending_pod_time, SimDuration::Zero()) << r.json;
}

TEST(Model, FailedNodeIsNoticedAfterTheGracePeriodAndEvictedFiveMinutesLater) {
  // One replica on node-0 (the other node is cordoned first); node-0 fails at
  // 60 s: the pod's process is gone (down from 60 s), but the API still shows
  // it Ready and clients keep sending to it until the node controller misses
  // 50 s of heartbeats (node-monitor-grace-period) and marks node and pod not
  // Ready at 110 s. node-1 is uncordoned at 70 s, but nothing moves the pod
  // before the not-ready toleration (300 s from the taint) evicts it at
  // 410 s; its replacement goes to node-1, serves and is Ready 1 s later:
  // down from 60 s to 411 s.
  const Outcome r = Simulate(Scenario(R"(  until: 500s
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {endpointDelay: 0s}
  images:
    web:1: {start: 1s}
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - at: 0s
    kubectl: cordon node-1
  - at: 60s
    fail: node/node-0
  - at: 70s
    kubectl: uncordon node-1
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "stopped serving")) << r.log;
  EXPECT_TRUE(r.Logged("110.000", "node/node-0", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("110.000", "pod/web-", "Starting")) << r.log;  // not Ready
  EXPECT_FALSE(r.Logged("109.000", "pod/web-", "Starting")) << r.log;
  EXPECT_TRUE(r.Logged("410.000", "pod/web-", "deleted")) << r.log;
  EXPECT_EQ(Svc(r, "web").downtime, Sec(351)) << r.json;
  // Requests sent to the dead pod while it was listed (60..110 s) failed too.
  EXPECT_EQ(Svc(r, "web").requests.failed, 351) << r.json;
}

TEST(Model, ANodeBackWithinTheGracePeriodRestartsItsPodsWithoutEviction) {
  // node-0 fails at 60 s and is back at 80 s, before the 50 s grace: the node
  // never turns NotReady, nothing is evicted; the kubelet restarts the pod's
  // container at 80 s (not Ready until its probe passes at 81 s).
  const Outcome r = Simulate(Scenario(R"(  until: 500s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {endpointDelay: 0s}
  images:
    web:1: {start: 1s}
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - at: 60s
    fail: node/node-0
  - at: 80s
    recover: node/node-0
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.log.find("NotReady"), std::string::npos) << r.log;
  EXPECT_EQ(r.log.find("deleted"), std::string::npos) << r.log;
  EXPECT_TRUE(r.Logged("80.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 1) << r.json;
  EXPECT_EQ(Svc(r, "web").downtime, Sec(21)) << r.json;  // 60 .. 81 s
}

// A node that fails mid-pull loses the pull: the kubelet pulls again when it
// is back (the image never reached the node). Two replicas on one node, pull
// 20 s (one pull at a time, as the kubelet's serialized image puller): pod A
// pulls 0..20 s, pod B waits. The node fails at 10 s and is back at 15 s (within
// the grace): A pulls 15..35 s, B finds the image there and starts at 35 s too;
// the interrupted pull's end (20 s) does nothing, and neither pod starts twice.
TEST(Model, APullInterruptedByNodeFailureStartsOverWhenTheNodeIsBack) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 20s, start: 1s}
  timeline:
  - at: 10s
    fail: node/node-0
  - at: 15s
    recover: node/node-0
)",
                                      WebApp(2, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.Logged("20.000", "pod/web-", "")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/web-", "pulling image")) << r.log;
  EXPECT_TRUE(r.Logged("35.000", "pod/web-", "image pulled")) << r.log;
  size_t starts = 0;
  for (size_t at = 0; (at = r.log.find("container started", at)) != std::string::npos; ++at) {
    ++starts;
  }
  EXPECT_EQ(starts, 2u) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 0) << r.json;
}

// The same while the node stays down past the pull's end: the image is not
// on the node when it comes back at 40 s, so it is pulled 40..60 s.
TEST(Model, ANodeDownWhenItsPullWouldHaveEndedHasNoImageWhenBack) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 20s, start: 1s}
  timeline:
  - at: 10s
    fail: node/node-0
  - at: 40s
    recover: node/node-0
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("40.000", "pod/web-", "pulling image")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "container started")) << r.log;
  EXPECT_FALSE(r.Logged("40.000", "pod/web-", "container started")) << r.log;
}

// The restart count counts each new container once. A process that exits
// 5 s after each start: it exits at 5 s (restart at once: 1), at 10 s (2,
// restart due after 10 s of back-off at 20 s). The node fails at 12 s and is
// back at 15 s: the kubelet starts the container then — the restart already
// counted, only earlier (a rebooted kubelet has no back-off to wait out).
TEST(Model, ANodeBackDuringBackOffStartsTheCountedRestartWithoutCountingAgain) {
  const Outcome r = Simulate(Scenario(R"(  until: 19s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {crashAfter: 5s}
  timeline:
  - at: 12s
    fail: node/node-0
  - at: 15s
    recover: node/node-0
)",
                                      WebApp(1, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "CrashLoopBackOff: restarting in 10s")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

}  // namespace
}  // namespace kubesim::model_test
