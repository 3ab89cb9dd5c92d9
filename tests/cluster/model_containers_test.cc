// End-to-end scenarios with hand-derived expected results, as in
// model_pod_test.cc. This file: pods with several containers — native
// sidecars started in order and stopped last, every container's readiness
// in the pod's, each container's own restarts and image.
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

constexpr const char* kNode = R"(  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
)";

// computeInitContainerActions (kuberuntime_container.go): a native sidecar
// starts first, and the next container only once it has started — its
// startup probe passed. The proxy pulls 0-10 s and starts at 10 s; it
// answers 1.5 s later, so its startup probe (every second) fails at 10 and
// 11 s and passes at 12 s. Then the regular containers start in order, each
// after its own pull: web pulls 12-17 s and starts at 17 s, log pulls
// 17-19 s and starts at 19 s. Web serves at 19 s, when its readiness probe
// passes, and log (no probe) is Ready as it starts: the pod is Ready at 19 s.
// With the app alone it was Ready at 7 s (pull 5 s + start 2 s).
TEST(Model, ANativeSidecarStartsFirstAndTheOthersWaitForItsStartupProbe) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  images:
    proxy:1: {pull: 10s, start: 1500ms}
    web:1: {pull: 5s, start: 2s}
    log:1: {pull: 2s, start: 1s}
)") + kNode,
                                      WebWithSpec(1, R"(      initContainers:
      - name: proxy
        image: proxy:1
        restartPolicy: Always
        startupProbe: {httpGet: {path: /, port: 15021}, periodSeconds: 1}
      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
      - {name: log, image: log:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "container proxy started")) << r.log;
  EXPECT_TRUE(r.Logged("12.000", "pod/web-", "container proxy startup probe succeeded")) << r.log;
  EXPECT_TRUE(r.Logged("17.000", "pod/web-", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("19.000", "pod/web-", "container log started")) << r.log;
  EXPECT_TRUE(r.Logged("19.000", "pod/web-", "Ready")) << r.log;
  EXPECT_FALSE(r.Logged("7.000", "pod/web-", "Ready")) << r.log;
}

// The pod is Ready when all its containers are (GenerateContainersReadyCondition).
// Web answers 1 s after it starts, its cache 8 s after: each has a readiness
// probe every second, so the pod is Ready 8 s after its containers start,
// and the rollout to web:2 (one pod, maxSurge 1) takes 8 s, not web's 1 s.
TEST(Model, ThePodIsReadyWhenEveryContainerIs) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 60s
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
    cache:1: {start: 8s}
  timeline:
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)") + kNode,
                                      WebWithSpec(1, R"(      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
      - name: cache
        image: cache:1
        readinessProbe: {tcpSocket: {port: 6379}, periodSeconds: 1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("8.000", "pod/web-", "Ready")) << r.log;
  EXPECT_FALSE(r.Logged("1.000", "pod/web-", "Ready")) << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  ASSERT_TRUE(d.rollouts[0].duration().has_value()) << r.json;
  EXPECT_EQ(*d.rollouts[0].duration(), Sec(8)) << r.log;
}

// The issue's case: a mesh proxy listed first (the annotation names the app
// container) whose new version never answers. The new pod never turns Ready,
// so the rollout stalls until its progress deadline (20 s) and the old pod
// keeps serving; before, only the app counted and the rollout "completed".
TEST(Model, ARolloutWhoseSidecarNeverTurnsReadyRunsToItsDeadline) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 90s
  images:
    proxy:2: {healthy: false}
  timeline:
  - {at: 10s, kubectl: set image deployment/web web=web:2 proxy=proxy:2}
)") + kNode,
                                      R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  progressDeadlineSeconds: 20
  selector: {matchLabels: {app: web}}
  template:
    metadata:
      labels: {app: web}
      annotations: {kubectl.kubernetes.io/default-container: web}
    spec:
      containers:
      - name: proxy
        image: proxy:1
        readinessProbe: {httpGet: {path: /healthz/ready, port: 15021}, periodSeconds: 2}
      - {name: web, image: web:1}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.log;
  EXPECT_TRUE(d.rollouts[0].deadline_exceeded) << r.log;
  EXPECT_EQ(d.rollouts[0].min_available_pods, 1) << r.log;
}

// killContainersWithSyncResult with terminationOrdering: at deletion (a
// scale to 0 at 10 s) every container's preStop starts at once; the regular
// containers get SIGTERM after theirs, a native sidecar only once they have
// all exited. Web: preStop 10-15 s, SIGTERM 15 s, exits 18 s (shutdown 3 s);
// log: SIGTERM 10 s, exits 12 s; the proxy waits for both, gets SIGTERM at
// 18 s and exits at 19 s (shutdown 1 s), when the pod is gone — not at 18 s
// as with the app alone.
TEST(Model, AtDeletionANativeSidecarStopsAfterTheRegularContainers) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  images:
    proxy:1: {shutdown: 1s}
    web:1: {shutdown: 3s}
    log:1: {shutdown: 2s}
  timeline:
  - {at: 10s, kubectl: scale deployment/web --replicas=0}
)") + kNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: proxy, image: proxy:1, restartPolicy: Always}
      containers:
      - name: web
        image: web:1
        lifecycle: {preStop: {sleep: {seconds: 5}}}
      - {name: log, image: log:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "container log: SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("12.000", "pod/web-", "container log exited")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/web-", "SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("18.000", "pod/web-", "process exited")) << r.log;
  EXPECT_TRUE(r.Logged("18.000", "pod/web-", "container proxy: SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("19.000", "pod/web-", "Gone")) << r.log;
  EXPECT_FALSE(r.Logged("18.000", "pod/web-", "Gone")) << r.log;
}

// The wait is bounded by the grace period (waitForTurn), and the stop after
// it gets what is left, at least minimumGracePeriodInSeconds (2 s). Grace
// 10 s: web's preStop runs 10-15 s and its SIGKILL comes at 20 s (the hook's
// 5 s, then the 5 s left); the proxy waited 10 s, so its stop gets 10 - 10
// = 0, raised to 2 s: SIGTERM at 20 s, SIGKILL at 22 s (it would take 30 s).
TEST(Model, ASidecarWaitingPastTheGracePeriodGetsTwoSeconds) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 40s
  images:
    proxy:1: {shutdown: 30s}
    web:1: {shutdown: 20s}
  timeline:
  - {at: 10s, kubectl: scale deployment/web --replicas=0}
)") + kNode,
                                      WebWithSpec(1, R"(      terminationGracePeriodSeconds: 10
      initContainers:
      - {name: proxy, image: proxy:1, restartPolicy: Always}
      containers:
      - name: web
        image: web:1
        lifecycle: {preStop: {sleep: {seconds: 5}}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "killed: grace period expired (SIGKILL)")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "container proxy: SIGTERM")) << r.log;
  EXPECT_TRUE(
      r.Logged("22.000", "pod/web-", "container proxy killed: grace period expired (SIGKILL)"))
      << r.log;
  EXPECT_TRUE(r.Logged("22.000", "pod/web-", "Gone")) << r.log;
}

// Each container restarts with its own CrashLoopBackOff, and the pod is not
// Ready while one is down. Log exits 5 s after each start: at 5 s
// (restarted at once), at 10 s (in 10 s of back-off: restarted at the pod
// worker's first retry past it, 20-25 s) and 5 s after that (back-off 20 s):
// 3 restarts by 30 s. The pod is not Ready from 10 s until log's restart;
// web runs throughout (one start).
TEST(Model, ASideContainerRestartsWithItsOwnBackOffAndTheAppRunsOn) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  images:
    log:1: {crashAfter: 5s}
)") + kNode,
                                      WebWithSpec(1, R"(      containers:
      - {name: web, image: web:1}
      - {name: log, image: log:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/web-", "restarting container log")) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "container log: CrashLoopBackOff: back-off 10s"))
      << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "Starting")) << r.log;  // not Ready
  const std::vector<double> starts = r.Times("pod/web-", "container log started");
  ASSERT_EQ(starts.size(), 3u) << r.log;
  EXPECT_GE(starts[2], 20.0) << r.log;
  EXPECT_LT(starts[2], 25.0) << r.log;
  EXPECT_TRUE(r.Logged(fmt::format("{:.3f}", starts[2]), "pod/web-", "Ready")) << r.log;
  EXPECT_TRUE(r.Logged(fmt::format("{:.3f}", starts[2] + 5), "pod/web-",
                       "container log: CrashLoopBackOff: back-off 20s"))
      << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 3) << r.json;
  EXPECT_EQ(r.Times("pod/web-", "container started"), std::vector<double>{0.0}) << r.log;
}

// `set image` of a bare pod's second container: the kubelet replaces that
// container only (its spec hash changed). Log's new image pulls 10-13 s;
// the pod is not Ready meanwhile and web is not restarted.
TEST(Model, SetImageOfASideContainerRestartsOnlyIt) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 20s
  images:
    log:2: {pull: 3s}
  timeline:
  - {at: 10s, kubectl: set image pod/p log=log:2}
)") + kNode,
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: web, image: web:1}
  - {name: log, image: log:1}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/p", "container log image changed to log:2")) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/p", "Starting")) << r.log;
  EXPECT_TRUE(r.Logged("13.000", "pod/p", "container log started")) << r.log;
  EXPECT_TRUE(r.Logged("13.000", "pod/p", "Ready")) << r.log;
  EXPECT_FALSE(r.Logged("10.000", "pod/p", "container started")) << r.log;
}

// Pulls stay serialized when a start walks on to the pod's next container:
// a's web pulls 0-5 s and starts, its log then queues behind b's image,
// which pulls 5-10 s; log pulls 10-15 s. (A start that asked for the next
// pull from inside the queue's loop once began two pulls at once, and the
// first was lost: b never started.)
TEST(Model, TheNextContainersPullWaitsItsTurnInTheNodesQueue) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  images:
    web:1: {pull: 5s}
    log:1: {pull: 5s}
    other:1: {pull: 5s}
)") + kNode,
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: a}
spec:
  containers:
  - {name: web, image: web:1}
  - {name: log, image: log:1}
---
apiVersion: v1
kind: Pod
metadata: {name: b}
spec:
  containers:
  - {name: other, image: other:1}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/a", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/b", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("15.000", "pod/a", "container log started")) << r.log;
}

// newTerminationOrdering: a sidecar waits for the regular containers and
// for the next sidecar only, and one not running at the deletion is done
// already. s1 crash-loops (exits 5 s after each start: at 5 s, restarted at
// once, and at 10 s, back-off till 20 s); deleted at 12 s, web exits at
// 13 s, and s2 (nothing after it) and s0 (s1 is not running) get SIGTERM
// then; both take 10 s: gone at 23 s — not 33 s, as when s0 waited for s2.
TEST(Model, ASidecarWaitsOnlyForTheNextSidecarAtDeletion) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 40s
  images:
    s0:1: {shutdown: 10s}
    s1:1: {crashAfter: 5s}
    s2:1: {shutdown: 10s}
    web:1: {shutdown: 1s}
  timeline:
  - {at: 12s, kubectl: delete pod/p}
)") + kNode,
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: s0, image: s0:1, restartPolicy: Always}
  - {name: s1, image: s1:1, restartPolicy: Always}
  - {name: s2, image: s2:1, restartPolicy: Always}
  containers:
  - {name: web, image: web:1}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("13.000", "pod/p", "container s0: SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("13.000", "pod/p", "container s2: SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("23.000", "pod/p", "Gone")) << r.log;
}

// A native sidecar whose image changes restarts with it
// (computeInitContainerActions: "Restart running sidecar containers which
// have had their definition changed"): proxy:2 pulls 10-13 s.
TEST(Model, SetImageOfANativeSidecarRestartsIt) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 20s
  images:
    proxy:2: {pull: 3s}
  timeline:
  - {at: 10s, kubectl: set image pod/p proxy=proxy:2}
)") + kNode,
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  initContainers:
  - {name: proxy, image: proxy:1, restartPolicy: Always}
  containers:
  - {name: web, image: web:1}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/p", "container proxy image changed to proxy:2")) << r.log;
  EXPECT_TRUE(r.Logged("13.000", "pod/p", "container proxy started")) << r.log;
}

// A machine that comes back gives the pod a new sandbox: every container
// starts again in order (computePodActions: "sandbox changed"), each
// running one counted as a restart. The proxy and web ran when the node
// failed at 10 s; at its return at 20 s the proxy starts, then web: 2
// restarts.
TEST(Model, ARecoveredNodeStartsEveryContainerAgainInOrder) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  timeline:
  - {at: 10s, fail: node/node-0}
  - {at: 20s, recover: node/node-0}
)") + kNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: proxy, image: proxy:1, restartPolicy: Always}
      containers:
      - {name: web, image: web:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "container proxy started")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "container started")) << r.log;
  const size_t back = r.log.find("20.000s");
  EXPECT_LT(r.log.find("container proxy started", back), r.log.find("container started", back))
      << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

// publishNotReadyAddresses (EndpointSlice podToEndpoint: ready =
// publishNotReadyAddresses || (serving && !terminating)): a pod is an
// endpoint from when it has an address — bound — Ready or not. The new pod
// of the rollout at 30 s is bound at 30 s and seen by clients at 31 s
// (endpointDelay 1 s); it serves at 35 s and the old pod, deleted then,
// stops at once and is gone, which clients see at 36 s: 31-36 s one
// endpoint serves and one does not (5 s degraded), and there is always one
// that serves. Without the flag the new pod is listed only once Ready, at
// 35 s, with the old one gone: clients see no serving endpoint 35-36 s.
TEST(Model, PublishNotReadyAddressesListsPodsFromTheirBindingReadyOrNot) {
  const auto run = [](bool publish) {
    return Simulate(Scenario(std::string(R"(  until: 50s
  images:
    web:1: {start: 5s}
    web:2: {start: 5s}
  traffic:
  - {service: web, every: 100ms}
  timeline:
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)") + kNode,
                             R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  publishNotReadyAddresses: )" + std::string(publish ? "true" : "false") +
                                 R"(
  ports: [{port: 80, targetPort: 8080}]
)"));
  };
  const Outcome published = run(true);
  ASSERT_TRUE(published.error.empty()) << published.error;
  EXPECT_TRUE(published.Logged("31.000", "service/web", "clients see 2 endpoints"))
      << published.log;
  EXPECT_EQ(Svc(published, "web").degraded, Sec(5)) << published.json;
  EXPECT_EQ(Svc(published, "web").downtime, Sec(0)) << published.json;
  const Outcome ready_only = run(false);
  ASSERT_TRUE(ready_only.error.empty()) << ready_only.error;
  EXPECT_EQ(Svc(ready_only, "web").degraded, Sec(0)) << ready_only.json;
  EXPECT_EQ(Svc(ready_only, "web").downtime, Sec(1)) << ready_only.json;
}

}  // namespace
}  // namespace kubesim::model_test
