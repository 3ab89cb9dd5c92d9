// End-to-end scenarios with hand-derived expected results: each
// test writes a small scenario, runs the whole model and checks the report
// against numbers derived in its comment from the scenario's timings and
// Kubernetes' rules. This file: a container's life (crash loops,
// liveness kills, termination grace, image pulls, bare pods and ReplicaSets).
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

TEST(Model, CrashLoopBackOffRestartsAtOnceThenAfterTenTwentyFortySeconds) {
  // crashAfter 5s: the container exits 5 s after each start. The kubelet
  // restarts the first exit at once (no back-off entry); each later exit
  // finds it in back-off — 10 s, then 20 s, 40 s (doubling to 300 s) — and
  // the sync fails; the pod worker retries every wait.Jitter(10 s, 0.5)
  // (10-15 s, pod_workers.go completeWork) and the first retry past the
  // back-off restarts it: 10-15 s after the exit for 10 s, 20-30 s for 20 s,
  // 40-60 s for 40 s (the retries' sum first reaching it).
  const Outcome r = Simulate(Scenario(R"(  until: 150s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {crashAfter: 5s}
)",
                                      WebApp(1, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::vector<double> starts = r.Times("pod/web-", "container started");
  ASSERT_GE(starts.size(), 5u) << r.log;
  EXPECT_EQ(starts[0], 0.0) << r.log;
  EXPECT_EQ(starts[1], 5.0) << r.log;  // the first exit: at once
  const double backoff[] = {10, 20, 40};
  for (int i = 0; i < 3; ++i) {
    const double exit = starts[static_cast<size_t>(i) + 1] + 5;
    const double delay = starts[static_cast<size_t>(i) + 2] - exit;
    EXPECT_GE(delay, backoff[i]) << i << "\n" << r.log;
    EXPECT_LT(delay, backoff[i] + 15) << i << "\n" << r.log;  // one retry past it at most
    EXPECT_TRUE(r.Logged(fmt::format("{:.3f}", exit), "pod/web-",
                         fmt::format("CrashLoopBackOff: back-off {}s", backoff[i])))
        << r.log;
  }
  EXPECT_FALSE(r.Logged("20.000", "pod/web-", "container started")) << r.log;  // not exact
}

TEST(Model, ACrashLoopCostsAHandfulOfEventsPerRestartNotAHotLoop) {
  // A Deployment that completed and then crash-loops keeps the Progressing
  // reason NewReplicaSetAvailable, so it can never time out; Kubernetes still
  // requeues it (rate-limited) whenever its deadline is past. kubesim skips
  // those no-op syncs: a day of crash looping (CrashLoopBackOff caps at 5 min,
  // ~290 restarts) must cost a few events per restart, not 200 per second.
  const Outcome r = Simulate(Scenario(R"(  until: 24h
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s, crashAfter: 5s}
)",
                                      WebApp(1, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  EXPECT_GT(d.restarts, 280);
  EXPECT_LT(d.restarts, 300);
  EXPECT_LT(r.report.events, 20 * static_cast<uint64_t>(d.restarts)) << r.report.events;
}

TEST(Model, LivenessFailuresRestartTheContainer) {
  // An unhealthy image with a liveness probe (period 10 s, failureThreshold 3):
  // probes at 0, 10, 20 fail -> killed at 20 s and restarted at once (the
  // first kill: SyncPod's doBackOff finds no earlier exit, and no back-off
  // entry is made); the next three failures (30, 40, 50) kill it at 50 s,
  // and doBackOff asks about the exit before the kill (20 s, 30 s ago, with
  // no entry): restarted at once again — not after 10 s of back-off.
  const Outcome r = Simulate(Scenario(R"(  until: 65s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {healthy: false}
)",
                                      WebApp(1, "", false, 0, R"(
        livenessProbe:
          tcpSocket: {port: 8080})")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "liveness probe failed")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("50.000", "pod/web-", "liveness probe failed")) << r.log;
  EXPECT_TRUE(r.Logged("50.000", "pod/web-", "container started")) << r.log;
  EXPECT_FALSE(r.Logged("60.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

// A probe kill whose earlier exit is within the back-off waits for it
// (doBackOff asks about the exit before the kill). An unhealthy image,
// liveness every second with failureThreshold 1: killed at 0 s (the first
// kill: restarted at once, no back-off entry), at 1 s (the exit before, at
// 0 s, has no entry: at once; the entry starts at 10 s), at 2 s (the exit
// before was 1 s ago, within 10 s: the sync fails and the pod worker's
// first retry past 10 s restarts it, 12-17 s).
TEST(Model, AProbeKillWhoseEarlierExitIsWithinTheBackOffWaits) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {healthy: false}
)",
                                      WebApp(1, "", false, 0, R"(
        livenessProbe:
          tcpSocket: {port: 8080}
          periodSeconds: 1
          failureThreshold: 1)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const std::vector<double> starts = r.Times("pod/web-", "container started");
  ASSERT_GE(starts.size(), 4u) << r.log;
  EXPECT_EQ(starts[0], 0.0) << r.log;
  EXPECT_EQ(starts[1], 0.0) << r.log;
  EXPECT_EQ(starts[2], 1.0) << r.log;
  EXPECT_TRUE(r.Logged("2.000", "pod/web-", "CrashLoopBackOff: back-off 10s")) << r.log;
  EXPECT_GE(starts[3], 12.0) << r.log;
  EXPECT_LT(starts[3], 17.0) << r.log;
}

// kuberuntime killContainer: a liveness kill is graceful, as a deletion is —
// the preStop hook, then SIGTERM, SIGKILL at the grace period — and the
// restart waits for the exit. Unhealthy image that takes 8 s to exit on
// SIGTERM, preStop sleep 5, liveness period 10 s x 3: failures at 0, 10, 20 ->
// kill at 20 s: preStop 20..25, SIGTERM 25, exit 33, restarted at once (the
// first kill: no earlier exit, no back-off). The new container fails at 40,
// 50, 60 (the worker's ticker goes on; it holds while the kill runs) ->
// preStop 60..65, SIGTERM 65, exit 73, restarted at once: doBackOff asks
// about the exit before this kill (33 s), and no back-off entry exists. The
// first kill's 30 s grace timer (due at 50 s) does not touch the second
// container.
TEST(Model, LivenessKillRunsPreStopAndWaitsForTheExitBeforeTheRestart) {
  const Outcome r = Simulate(Scenario(R"(  until: 90s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {healthy: false, shutdown: 8s}
)",
                                      WebApp(1, "", false, 5, R"(
        livenessProbe:
          tcpSocket: {port: 8080})")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "liveness probe failed")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "preStop hook (5s)")) << r.log;
  EXPECT_TRUE(r.Logged("25.000", "pod/web-", "SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("33.000", "pod/web-", "process exited")) << r.log;
  EXPECT_TRUE(r.Logged("33.000", "pod/web-", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "liveness probe failed")) << r.log;
  EXPECT_TRUE(r.Logged("73.000", "pod/web-", "process exited")) << r.log;
  EXPECT_TRUE(r.Logged("73.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(r.log.find("SIGKILL"), std::string::npos) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

// The probe's own terminationGracePeriodSeconds (Kubernetes 1.25+, liveness
// and startup probes) replaces the pod's for its kill: 3 s, so the process
// that needs 8 s is killed at 23 s and restarted then.
TEST(Model, ProbeTerminationGracePeriodBoundsTheLivenessKill) {
  const Outcome r = Simulate(Scenario(R"(  until: 30s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {healthy: false, shutdown: 8s}
)",
                                      WebApp(1, "", false, 0, R"(
        livenessProbe:
          tcpSocket: {port: 8080}
          terminationGracePeriodSeconds: 3)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "SIGTERM")) << r.log;
  EXPECT_TRUE(r.Logged("23.000", "pod/web-", "killed: grace period expired")) << r.log;
  EXPECT_TRUE(r.Logged("23.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 1) << r.json;
}

// kuberuntime killContainer: after the preStop hook, StopContainer gets what
// is left of the grace period, but never less than minimumGracePeriodInSeconds
// (2 s) between SIGTERM and SIGKILL. A pod deleted at 60 s whose process needs
// 10 s to exit: grace 30 s with preStop 29 s -> SIGTERM 89 s, SIGKILL 91 s (not
// 90 s); grace 0 without preStop -> SIGTERM 60 s, SIGKILL 62 s.
Outcome DeleteWithGrace(int grace, int pre_stop) {
  return Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {shutdown: 10s}
  timeline:
  - at: 60s
    kubectl: scale deployment/web --replicas=0
)",
                           WebApp(1, "", false, pre_stop,
                                  "\n      terminationGracePeriodSeconds: " +
                                      std::to_string(grace))));
}

TEST(Model, SigkillComesNoSoonerThanTwoSecondsAfterSigterm) {
  const Outcome late_hook = DeleteWithGrace(30, 29);
  ASSERT_TRUE(late_hook.error.empty()) << late_hook.error;
  EXPECT_TRUE(late_hook.Logged("89.000", "pod/web-", "SIGTERM")) << late_hook.log;
  EXPECT_TRUE(late_hook.Logged("91.000", "pod/web-", "SIGKILL")) << late_hook.log;
  const Outcome no_grace = DeleteWithGrace(0, 0);
  ASSERT_TRUE(no_grace.error.empty()) << no_grace.error;
  EXPECT_TRUE(no_grace.Logged("60.000", "pod/web-", "SIGTERM")) << no_grace.log;
  EXPECT_TRUE(no_grace.Logged("62.000", "pod/web-", "SIGKILL")) << no_grace.log;
}

// A deletion during a liveness kill: the kubelet's pod worker stops that kill
// and kills again with the deletion's grace period (setTerminationGracePeriod
// puts the deletion's first). Liveness kill at 20 s with the probe's grace
// 90 s, process needing 100 s to exit; deleted at 22 s with the pod's grace
// 5 s -> SIGKILL and gone at 27 s, not at 110 s.
TEST(Model, ADeletionDuringALivenessKillIsBoundByTheDeletionsGrace) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {healthy: false, shutdown: 100s}
  timeline:
  - at: 22s
    kubectl: delete pod web
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  terminationGracePeriodSeconds: 5
  containers:
  - name: web
    image: web:1
    livenessProbe:
      tcpSocket: {port: 8080}
      terminationGracePeriodSeconds: 90
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web", "liveness probe failed")) << r.log;
  EXPECT_TRUE(r.Logged("27.000", "pod/web", "SIGKILL")) << r.log;
  EXPECT_TRUE(r.Logged("27.000", "pod/web", "Gone")) << r.log;
}

// imagePullPolicy Always pulls before every restart, in the node's pull
// queue; a node failure must not skip that pull. Pods a and b (web:1, pull
// 10 s, crashes 5 s after each start): a pulls 0..10 s, b 10..20 s; a
// crashes at 15 s and waits for its pull behind b's. The node fails at 17 s
// (b's pull is lost) and is back at 20 s: b pulls 20..30 s, then a 30..40 s.

Outcome RestartWithPullPolicy(const std::string& policy) {
  return Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s, start: 1s}
  timeline:
  - at: 60s
    kubectl: rollout restart deployment/web
)",
                           WebApp(1, "", true, 0, "\n        imagePullPolicy: " + policy)));
}

TEST(Model, ImagePullPolicyIfNotPresentReusesTheNodesImage) {
  const Outcome r = RestartWithPullPolicy("IfNotPresent");
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  ASSERT_TRUE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_EQ(*d.rollouts[0].complete - SimTime::Zero(), Sec(61)) << r.log;
  EXPECT_FALSE(r.Logged("60.000", "pod/web-", "pulling image")) << r.log;
}

TEST(Model, ImagePullPolicyAlwaysPullsAgain) {
  const Outcome r = RestartWithPullPolicy("Always");
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  ASSERT_TRUE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_EQ(*d.rollouts[0].complete - SimTime::Zero(), Sec(66)) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "pulling image")) << r.log;
}

TEST(Model, ImagePullPolicyAlwaysPullsBeforeEveryRestartToo) {
  // crashAfter 10 s: pulled 0..2 s, started 2 s, crashes 12 s; the first
  // restart is at once (CrashLoopBackOff), but Always pulls first: 12..14 s.
  // With IfNotPresent the container starts again at 12 s.
  for (const std::string policy : {"Always", "IfNotPresent"}) {
    const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 2s, start: 1s, crashAfter: 10s}
)",
                                        WebApp(1, "", false, 0, "\n        imagePullPolicy: " + policy)));
    ASSERT_TRUE(r.error.empty()) << r.error;
    const bool always = policy == "Always";
    EXPECT_EQ(r.Logged("12.000", "pod/web-", "pulling image"), always) << policy << "\n" << r.log;
    EXPECT_EQ(r.Logged("14.000", "pod/web-", "container started"), always) << policy << "\n" << r.log;
    EXPECT_EQ(r.Logged("12.000", "pod/web-", "container started"), !always) << policy << "\n" << r.log;
  }
}

TEST(Model, ImagePullPolicyNeverWithoutTheImageNeverStarts) {
  // Nothing has the image: every pod waits with ErrImageNeverPull, none
  // turns Ready, the restart's rollout never completes.
  const Outcome r = RestartWithPullPolicy("Never");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-", "ErrImageNeverPull")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "ErrImageNeverPull")) << r.log;
  EXPECT_EQ(r.log.find("Ready"), std::string::npos) << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.json;
}

// `kubectl apply`/`scale`/`set image` of an object that exists updates it
// (kubectl apply semantics); it once created a second object of the same name.
constexpr const char* kBareReplicaSetAndPod = R"(apiVersion: apps/v1
kind: ReplicaSet
metadata: {name: rs}
spec:
  replicas: 2
  selector: {matchLabels: {app: rs}}
  template:
    metadata: {labels: {app: rs}}
    spec:
      containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: solo}}
spec:
  containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: Service
metadata: {name: solo}
spec:
  selector: {app: solo}
  ports: [{port: 80}]
)";

TEST(Model, ScalingAnExistingReplicaSetChangesItsCountNotItsNumber) {
  // 2 pods + the bare pod = 3; scaling the ReplicaSet to 3 at 30 s makes 4.
  const Outcome r = Simulate(Scenario(R"(  until: 1m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
  timeline:
  - at: 30s
    kubectl: scale rs/rs --replicas=3
)",
                                      kBareReplicaSetAndPod));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.report.resources.peak_pods, 4) << r.log;
  EXPECT_TRUE(r.Logged("30.000", "replicaset/rs", "scaled to 3")) << r.log;
}

TEST(Model, SetImageOfABarePodRestartsItsContainerWithTheNewImage) {
  // web:1 pulls 2 s and starts 1 s: the pod serves from 3 s. At 30 s the image
  // becomes web:2: the container stops at once (the Service is down), web:2
  // pulls 30..32 s, starts 32 s, serves from 33 s. One pod throughout;
  // requests every 1 s from 3 s to 60 s: those at 30, 31, 32 s fail (3 s
  // down). The one at 30 s still reaches the pod (clients see it leave at
  // 31 s), whose version is now "2": byVersion counts it there, so "2" has
  // the 28 answered from 33 s to 60 s plus that one.
  const Outcome s = Simulate(Scenario(R"(  until: 1m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 2s, start: 1s}
    web:2: {pull: 2s, start: 1s}
  traffic: [{name: c, service: solo, every: 1s}]
  timeline:
  - at: 30s
    kubectl: set image pod/solo web=web:2
)",
                                      kBareReplicaSetAndPod));
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_EQ(s.report.resources.peak_pods, 3) << s.log;  // rs's 2 + solo
  EXPECT_TRUE(s.Logged("30.000", "pod/solo", "container image changed to web:2")) << s.log;
  EXPECT_TRUE(s.Logged("33.000", "pod/solo", "serving")) << s.log;
  const auto& svc = Svc(s, "solo");
  EXPECT_EQ(svc.downtime, Sec(3)) << s.json;
  EXPECT_EQ(svc.requests.failed, 3) << s.json;
  EXPECT_EQ(svc.requests.by_version.at("1"), 27) << s.json;  // 3..29 s
  EXPECT_EQ(svc.requests.by_version.at("2"), 28 + 1) << s.json;
}

TEST(Model, SetImageOfABarePodWithProbesKeepsProbingTheNewContainer) {
  // The pod's spec is replaced by the image change; its probe workers must
  // follow it (they pointed into the old spec). web:1 pulls 0..2 s, starts
  // 2 s, serves 3 s; readiness every 2 s on the grid from 2 s (the start's
  // trigger fails): Ready at 4 s, clients see it and start at 5 s. At 30 s
  // web:2: not Ready at once (gone from clients at 31 s), pulls 30..32 s,
  // starts 32 s (its trigger fails), serves 33 s, Ready at the 34 s tick,
  // seen at 35 s: requests at 30..34 s fail, 5 s down. Simulate also runs
  // it with --exact-probes and expects the same report and event log.
  const Outcome s = Simulate(Scenario(R"(  until: 1m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 2s, start: 1s}
    web:2: {pull: 2s, start: 1s}
  traffic: [{name: c, service: solo, every: 1s}]
  timeline:
  - at: 30s
    kubectl: set image pod/solo web=web:2
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: solo, labels: {app: solo}}
spec:
  containers:
  - name: web
    image: "web:1"
    readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
    livenessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 5, failureThreshold: 3}
---
apiVersion: v1
kind: Service
metadata: {name: solo}
spec:
  selector: {app: solo}
  ports: [{port: 80}]
)"));
  ASSERT_TRUE(s.error.empty()) << s.error;
  EXPECT_TRUE(s.Logged("34.000", "pod/solo", "Ready")) << s.log;
  const auto& svc = Svc(s, "solo");
  EXPECT_EQ(svc.downtime, Sec(5)) << s.json << s.log;
  EXPECT_EQ(svc.requests.failed, 5) << s.json;
  EXPECT_FALSE(s.Logged("", "pod/solo", "liveness probe failed")) << s.log;
}

TEST(Model, SetImageDuringThePullPullsTheNewImageNext) {
  // web:1 pulls 0..10 s; at 5 s the image becomes web:2: the pull of web:1
  // finishes (the node has web:1 now), then web:2 pulls 10..20 s and starts.
  const Outcome r = Simulate(Scenario(R"(  until: 1m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 10s, start: 1s}
    web:2: {pull: 10s, start: 1s}
  timeline:
  - at: 5s
    kubectl: set image pod/solo web=web:2
)",
                                      kBareReplicaSetAndPod));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/solo", "pulling image")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/solo", "container started")) << r.log;
  EXPECT_FALSE(r.Logged("10.000", "pod/solo", "container started")) << r.log;
}

TEST(Model, DeletedPodIsReplacedByItsReplicaSet) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
  timeline:
  - at: 60s
    kubectl: delete pod lonely
)",
                                      WebApp(1, "", true) + R"(---
apiVersion: v1
kind: Pod
metadata: {name: lonely, labels: {app: other}}
spec:
  containers: [{name: c, image: "web:1"}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("60.000", "pod/lonely", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/lonely", "Gone")) << r.log;
}

}  // namespace
}  // namespace kubesim::model_test
