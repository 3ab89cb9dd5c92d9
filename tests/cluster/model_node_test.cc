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

// kubectl drain evicts through the Eviction API, so a PodDisruptionBudget
// holds (docs/scenario-format.md, drain). 4 replicas of 100m spread 2 and 2
// over two nodes (least allocated); maxUnavailable 1 of the Deployment's 4
// keeps 3 healthy. Drain node-0 at 30 s: its first pod is evicted (4
// healthy, 1 allowed), the second refused (3 healthy, 0 allowed) and asked
// again every 5 s. The first's replacement starts on node-1 at 30 s, serves
// at 32 s, is Ready at 32 s (probe every 1 s): at 35 s 4 are healthy and
// the second goes. Clients never see fewer than 3 serving endpoints.
// Without the budget both go at 30 s: 2 serving.
TEST(Model, DrainHonoursAPodDisruptionBudgetRetryingEveryFiveSeconds) {
  const std::string spec = R"(  until: 60s
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 2s}
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - at: 30s
    kubectl: drain node-0
)";
  const std::string app = WebApp(4, "", true, 0, "\n        resources: {requests: {cpu: 100m}}");
  const std::string budget = R"(---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  maxUnavailable: 1
  selector: {matchLabels: {app: web}}
)";
  const Outcome with = Simulate(Scenario(spec, app + budget));
  ASSERT_TRUE(with.error.empty()) << with.error;
  EXPECT_TRUE(with.Logged("30.000", "pod/web-", "evicted")) << with.log;
  EXPECT_TRUE(with.Logged("30.000", "pod/web-",
                          "eviction refused (will retry after 5s): Cannot evict pod as it would "
                          "violate the pod's disruption budget. The disruption budget web needs 3 "
                          "healthy pods and has 3 currently"))
      << with.log;
  EXPECT_TRUE(with.Logged("35.000", "pod/web-", "evicted")) << with.log;
  EXPECT_EQ(Svc(with, "web").min_serving_endpoints, 3) << with.json;

  const Outcome without = Simulate(Scenario(spec, app));
  ASSERT_TRUE(without.error.empty()) << without.error;
  EXPECT_FALSE(without.Logged("35.000", "pod/web-", "evicted")) << without.log;
  EXPECT_EQ(Svc(without, "web").min_serving_endpoints, 2) << without.json;
}

// The eviction subresource lets a pod that is not Ready go without using the
// budget while the budget is met (IfHealthyBudget, the default), and always
// under AlwaysAllow. Two healthy pods and a third that is never Ready (its
// image never serves), drained: with minAvailable 2 the budget is met (2 >=
// 2 > 0), so the third goes under either policy although no disruption is
// allowed; with minAvailable 3 it is short, and only AlwaysAllow lets it go
// (IfHealthyBudget falls back to the budget, which allows none).
TEST(Model, EvictionOfAPodThatIsNotReadyFollowsUnhealthyPodEvictionPolicy) {
  struct Case {
    std::string policy;
    int min_available;
    bool evicted;
  };
  for (const Case& c : {Case{"AlwaysAllow", 2, true}, Case{"IfHealthyBudget", 2, true},
                        Case{"AlwaysAllow", 3, true}, Case{"IfHealthyBudget", 3, false}}) {
    const std::string& policy = c.policy;
    const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    bad:1: {healthy: false}
  timeline:
  - at: 10s
    kubectl: drain node-0
)",
                                        R"(apiVersion: v1
kind: Pod
metadata: {name: good-a, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: good-b, labels: {app: web}}
spec:
  nodeName: node-1
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: bad, labels: {app: web}}
spec:
  nodeName: node-0
  containers:
  - name: web
    image: bad:1
    readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: )" + std::to_string(c.min_available) + R"(
  unhealthyPodEvictionPolicy: )" + policy + R"(
  selector: {matchLabels: {app: web}}
)"));
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_EQ(r.Logged("10.000", "pod/bad", "evicted"), c.evicted)
        << policy << " " << c.min_available << "\n" << r.log;
    EXPECT_EQ(r.Logged("15.000", "pod/bad", "eviction refused"), !c.evicted)
        << policy << " " << c.min_available << "\n" << r.log;
  }
}

// `kubectl delete pod` is a deletion, not an eviction: a budget does not stop
// it (minAvailable 2 of pods a and b; a is deleted at 5 s all the same).
// Draining b's node at 10 s is refused (1 healthy < 2); once the budget is
// deleted at 12 s, kubectl's retry at 15 s evicts b.
TEST(Model, DeletePodIsNotAnEvictionAndADeletedBudgetNoLongerHolds) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 5s, kubectl: delete pod a}
  - {at: 10s, kubectl: drain node-0}
  - {at: 12s, kubectl: delete pdb web}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: a, labels: {app: web}}
spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: b, labels: {app: web}}
spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata: {name: web}
spec:
  minAvailable: 2
  selector: {matchLabels: {app: web}}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/a", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/b", "eviction refused")) << r.log;
  EXPECT_TRUE(r.Logged("12.000", "poddisruptionbudget/web", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/b", "evicted")) << r.log;
}

TEST(Model, FailedNodeIsNoticedAfterTheGracePeriodAndEvictedFiveMinutesLater) {
  // One replica on node-0 (the other node is cordoned first); node-0 fails at
  // 60 s: the pod's process is gone (down from 60 s), but the API still shows
  // it Ready and clients keep sending to it until the node controller has
  // seen no Lease renewal for 50 s (node-monitor-grace-period): the last one
  // was at 50 s (every 10 s; none at the failure's instant), so at its look
  // at 105 s (every 5 s, the first more than 50 s after 50 s) it marks node
  // and pod not Ready. node-1 is uncordoned at 70 s, but nothing moves the
  // pod before the not-ready toleration (300 s from the taint) evicts it at
  // 405 s; its replacement goes to node-1, serves and is Ready 1 s later:
  // down from 60 s to 406 s.
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
  EXPECT_TRUE(r.Logged("105.000", "node/node-0", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("105.000", "pod/web-", "Starting")) << r.log;  // not Ready
  EXPECT_FALSE(r.Logged("104.000", "pod/web-", "Starting")) << r.log;
  EXPECT_TRUE(r.Logged("405.000", "pod/web-", "deleted")) << r.log;
  EXPECT_EQ(Svc(r, "web").downtime, Sec(346)) << r.json;
  // Requests sent to the dead pod while it was listed (60..105 s) failed too.
  EXPECT_EQ(Svc(r, "web").requests.failed, 346) << r.json;
}

// A failed node turns NotReady from its last Lease renewal
// (monitorNodeHealth): renewals every 10 s from the start, the controller's
// looks every 5 s, NotReady at the first look more than 50 s after the look
// that saw the last renewal. Failing at 10 s (no renewal at that instant):
// renewed at 0 s, NotReady at 55 s; at 12.5 s or 15 s: renewed at 10 s,
// NotReady at 65 s. A kubelet back at 9 s renews then (its grid restarts):
// failing again at 9.9 s, node-3 is NotReady at 65 s (seen at 10 s), not
// at 55 s.
TEST(Model, AFailedNodeTurnsNotReadyFromItsLastLeaseRenewal) {
  const Outcome r = Simulate(Scenario(R"(  until: 80s
  cluster:
    nodes: [{name: node, count: 4, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 10s, fail: node/node-0}
  - {at: 12500ms, fail: node/node-1}
  - {at: 15s, fail: node/node-2}
  - {at: 5s, fail: node/node-3}
  - {at: 9s, recover: node/node-3}
  - {at: 9900ms, fail: node/node-3}
)",
                                      WebApp(1, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("55.000", "node/node-0", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("65.000", "node/node-1", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("65.000", "node/node-2", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("65.000", "node/node-3", "NotReady")) << r.log;
  EXPECT_FALSE(r.Logged("55.000", "node/node-3", "NotReady")) << r.log;
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
// restart due at the pod worker's first retry past 10 s of back-off, 20-25
// s). The node fails at 12 s and is
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
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "CrashLoopBackOff: back-off 10s")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

// A node group's NoExecute taint (the taint eviction controller's
// processPodOnNode): a pod that tolerates it for 30 s is deleted 30 s
// after it was bound, and its ReplicaSet's replacement is evicted 30 s
// after that; a pod tolerating it without tolerationSeconds stays.
TEST(Model, NoExecuteTaintsEvictPodsWhenTheirTolerationRunsOut) {
  const Outcome r = Simulate(Scenario(R"(  until: 70s
  cluster:
    nodes:
    - {name: batch, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}, taints: [{key: dedicated, value: batch, effect: NoExecute}]}
)",
                                      WebWithSpec(1, R"(      tolerations: [{key: dedicated, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]
      containers: [{name: web, image: web:1}]
)") + R"(---
apiVersion: v1
kind: Pod
metadata: {name: forever}
spec:
  tolerations: [{key: dedicated, operator: Exists, effect: NoExecute}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("30.000", "pod/web-", "TaintManagerEviction: Marking for deletion")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "TaintManagerEviction: Marking for deletion")) << r.log;
  EXPECT_EQ(r.log.find("pod/forever deleted"), std::string::npos) << r.log;
  EXPECT_EQ(ScheduledTo(r, "batch-0"), 4u) << r.log;  // web three times, forever once
}

// A NotReady node carries node.kubernetes.io/unreachable (NoSchedule and
// NoExecute): a pod that tolerates every taint may still be scheduled there
// (as DaemonSet pods are), and waits for its kubelet; another is told the
// taint. The node fails at 10 s and is NotReady at 55 s (its last Lease
// renewal at 0 s + 50 s, at the controller's next 5 s look); both pods are
// ungated at 70 s.
TEST(Model, ANotReadyNodeTakesOnlyPodsThatTolerateTheUnreachableTaint) {
  const Outcome r = Simulate(Scenario(R"(  until: 80s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 10s, fail: node/node-0}
  - {at: 70s, kubectl: "patch pod tolerant -p '{\"spec\":{\"schedulingGates\":null}}'"}
  - {at: 70s, kubectl: "patch pod plain -p '{\"spec\":{\"schedulingGates\":null}}'"}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: tolerant}
spec:
  schedulingGates: [{name: example.com/later}]
  tolerations: [{operator: Exists}]
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: plain}
spec:
  schedulingGates: [{name: example.com/later}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("55.000", "node/node-0", "NotReady")) << r.log;
  EXPECT_TRUE(r.Logged("70.000", "pod/tolerant", "scheduled to node/node-0")) << r.log;
  EXPECT_TRUE(r.Logged("70.000", "pod/plain",
                       "FailedScheduling: 0/1 nodes are available: 1 node(s) had untolerated "
                       "taint {node.kubernetes.io/unreachable: }."))
      << r.log;
}

// A pod bound to a node already NotReady (it tolerates the unreachable
// NoSchedule taint; DefaultTolerationSeconds gives it 300 s of the
// NoExecute one) is evicted 300 s after its binding, not with the pods the
// node had when it turned NotReady (at 55 s, evicted at 355 s): bound at
// 200 s, deleted at 500 s.
TEST(Model, APodBoundToANotReadyNodeIsEvictedOnItsOwnClock) {
  const Outcome r = Simulate(Scenario(R"(  until: 9m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 10s, fail: node/node-0}
  - {at: 200s, kubectl: "patch pod late -p '{\"spec\":{\"schedulingGates\":null}}'"}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: early}
spec:
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: late}
spec:
  schedulingGates: [{name: example.com/later}]
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoSchedule}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("200.000", "pod/late", "scheduled to node/node-0")) << r.log;
  EXPECT_TRUE(r.Logged("355.000", "pod/early", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("500.000", "pod/late", "deleted")) << r.log;
  EXPECT_FALSE(r.Logged("355.000", "pod/late", "deleted")) << r.log;
}

}  // namespace
}  // namespace kubesim::model_test
