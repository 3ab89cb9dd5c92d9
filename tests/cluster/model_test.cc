// End-to-end scenarios with hand-derived expected results: each
// test writes a small scenario, runs the whole model and checks the report
// against numbers derived in its comment from the scenario's timings and
// Kubernetes' rules.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>

#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/output/observers.h"
#include "kubesim/output/report_writers.h"
#include "kubesim/scenario/load.h"

namespace kubesim {
namespace {

struct Outcome {
  metrics::Report report;
  std::string json;
  std::string error;
  std::string log;  // the event log
  // Whether the log has a line "TIMEs OBJECT... WHAT" (OBJECT as a prefix).
  bool Logged(const std::string& time, const std::string& object, const std::string& what) const {
    size_t at = 0;
    while ((at = log.find(time + "s " + object, at)) != std::string::npos) {
      const size_t end = log.find('\n', at);
      if (log.substr(at, end - at).find(what) != std::string::npos) return true;
      at = end;
    }
    return false;
  }
};

// `files` are the files `apply -f` reads, by name.
Outcome Simulate(const std::string& yaml, const std::map<std::string, std::string>& files = {}) {
  Outcome run;
  scenario::LoadOptions options;
  options.read_file = [files](const std::string& path) -> Expected<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return Error{"cannot open: No such file or directory"};
    return it->second;
  };
  const scenario::LoadResult loaded = scenario::LoadScenarioText(yaml, "test.yaml", options);
  if (!loaded.ok() || !loaded.scenario) {
    for (const auto& d : loaded.diagnostics) run.error += d.ToString() + "\n";
    if (run.error.empty()) run.error = "no scenario";
    return run;
  }
  // Every scenario runs twice: with probe elision (the default) and with
  // every probe tick simulated; the two must agree on the report and on
  // every event-log line (docs/scale.md, probe elision).
  for (const bool exact : {false, true}) {
    cluster::SimulationOptions sim_options;
    sim_options.exact_probes = exact;
    cluster::Simulation sim(loaded.scenario, sim_options);
    metrics::Collector collector(loaded.scenario->name, loaded.scenario->seed);
    output::EventLog log;
    sim.AddObserver(&collector);
    sim.AddObserver(&log);
    const cluster::RunResult result = sim.Run();
    metrics::Report report = collector.TakeReport(result.events);
    const std::string json = output::FormatJson(report);
    if (!exact) {
      run.report = std::move(report);
      run.log = log.text();
      run.json = json;
    } else {
      EXPECT_EQ(json, run.json) << "--exact-probes changes the report";
      EXPECT_EQ(log.text(), run.log) << "--exact-probes changes the event log";
    }
  }
  return run;
}

const metrics::ServiceReport& Svc(const Outcome& r, const std::string& key) {
  for (const auto& s : r.report.services) {
    if (s.key == key) return s;
  }
  ADD_FAILURE() << "no service " << key << " in\n" << r.json;
  static metrics::ServiceReport none;
  return none;
}

const metrics::DeploymentReport& Dep(const Outcome& r, const std::string& key) {
  for (const auto& d : r.report.deployments) {
    if (d.key == key) return d;
  }
  ADD_FAILURE() << "no deployment " << key << " in\n" << r.json;
  static metrics::DeploymentReport none;
  return none;
}

SimDuration Sec(double s) { return SimDuration::Micros(static_cast<int64_t>(s * 1e6)); }

// A scenario: `cluster_and_images` is the Scenario spec's body before the
// timeline; `objects` are extra documents (Deployments, Services).
std::string Scenario(const std::string& spec, const std::string& objects) {
  return "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata:\n  name: t\nspec:\n" + spec +
         "---\n" + objects;
}

// A Deployment `web` of `replicas` running image web:1 with a strategy and an
// optional readiness probe and preStop sleep, and a Service `web`.
std::string WebApp(int replicas, const std::string& strategy, bool readiness,
                   int pre_stop_seconds = 0, const std::string& extra_container = "") {
  std::string probe = readiness ? R"(
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1)"
                                : "";
  std::string pre_stop = pre_stop_seconds > 0 ? "\n        lifecycle:\n          preStop:\n"
                                                "            exec:\n              command: "
                                                "[\"sleep\", \"" +
                                                    std::to_string(pre_stop_seconds) + "\"]"
                                              : "";
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: )" +
         std::to_string(replicas) + R"(
  selector: {matchLabels: {app: web}}
)" + strategy + R"(
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1)" +
         probe + pre_stop + extra_container + R"(
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";
}

constexpr const char* kSetImage = R"(  timeline:
  - at: 60s
    kubectl: set image deployment/web web=web:2
)";

TEST(Model, RollingUpdateOfTenWithDefaultsStaysWithinThirteenActiveAndEightAvailable) {
  // maxSurge 25% of 10 rounds up to 3, maxUnavailable 25% rounds down to 2
  // (ResolveFenceposts): at most 10 + 3 = 13 non-terminating pods and at least
  // 10 - 2 = 8 available at any time, and both bounds are reached (by hand
  // from rolling.go: (3,10) -> (3,8) -> (5,8) at the start).
  const Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 4, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 2s}
    web:2: {pull: 3s, start: 2s}
  traffic: [{name: c, service: web, rate: 20/s}]
)" + std::string(kSetImage),
                                  WebApp(10, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_EQ(d.rollouts[0].peak_active_pods, 13) << r.json;
  EXPECT_EQ(d.rollouts[0].min_available_pods, 8) << r.json;
  EXPECT_TRUE(d.rollouts[0].complete.has_value()) << r.json;
}

TEST(Model, SurgeOneUnavailableZeroNeverDropsBelowTheReplicaCount) {
  // maxSurge 1, maxUnavailable 0: an old pod goes only after a new one is
  // available, so availability never drops below 4; 5 pods at most.
  const Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
)" + std::string(kSetImage),
                                  WebApp(4, R"(  strategy:
    type: RollingUpdate
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0})",
                                         true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_EQ(d.rollouts[0].min_available_pods, 4) << r.json;
  EXPECT_EQ(d.rollouts[0].peak_active_pods, 5) << r.json;
}

TEST(Model, RecreateIsDownFromTheUpdateUntilTheFirstNewPodIsReady) {
  // Recreate: at 60 s the old pod is deleted; with no preStop and shutdown 0
  // it stops serving and is gone at once, so the Service is down from 60 s.
  // The new pod starts at 60 s (no pull), serves at 64.5 s; its readiness
  // probe (period 1 s) ticks at 61, 62, ... from the container's start, so
  // it is Ready at 65 s; endpointDelay 0: clients see it at once. Down 5 s.
  const Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {endpointDelay: 0s}
  images:
    web:1: {start: 4.5s}
    web:2: {start: 4.5s}
  traffic: [{name: c, service: web, every: 1s}]
)" + std::string(kSetImage),
                                  WebApp(1, "  strategy: {type: Recreate}", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.downtime, Sec(5)) << r.json;
  EXPECT_EQ(s.longest_outage, Sec(5)) << r.json;
  EXPECT_EQ(Dep(r, "web").rollouts.at(0).min_available_pods, 0) << r.json;
}

// Two Deployments of 2 replicas, blue (web:1) and green (web:2), and a
// Service `web` selecting blue, ready to be patched to green.
const char* const kBlueGreen = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: blue}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, color: blue}}
  template:
    metadata: {labels: {app: web, color: blue}}
    spec:
      containers: [{name: web, image: "web:1"}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: green}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, color: green}}
  template:
    metadata: {labels: {app: web, color: green}}
    spec:
      containers: [{name: web, image: "web:2"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, color: blue}
  ports: [{port: 80}]
)";

TEST(Model, BlueGreenSelectorPatchMixesNoLongerThanEndpointDelayWithNoDowntime) {
  // Both colours run before the switch; the patch is one endpoint change that
  // clients see endpointDelay (1 s) later, all at once: no downtime, and the
  // answers switch from 1 to 2.
  const std::string deployments = kBlueGreen;
  const Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  traffic: [{name: c, service: web, every: 100ms}]
  timeline:
  - at: 60s
    kubectl: patch service web -p '{"spec":{"selector":{"color":"green"}}}'
)",
                                  deployments));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.downtime, SimDuration::Zero()) << r.json;
  EXPECT_LE(s.version_mix, SimDuration::Seconds(1)) << r.json;
  EXPECT_EQ(s.requests.failed, 0) << r.json;
  EXPECT_GT(s.requests.by_version.at("1"), 0) << r.json;
  EXPECT_GT(s.requests.by_version.at("2"), 0) << r.json;
}

// Pods a ReplicaSet creates after a Service's selector changed are matched
// against the new selector: green, scaled from 2 to 4 after the switch,
// ends with 4 endpoints (a Service lookup the ReplicaSet kept from before
// the switch would leave the 2 new pods out).
TEST(Model, PodsCreatedAfterASelectorPatchJoinTheService) {
  const std::string deployments = kBlueGreen;
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - at: 60s
    kubectl: patch service web -p '{"spec":{"selector":{"color":"green"}}}'
  - at: 90s
    kubectl: scale deployment/green --replicas=4
)",
                                      deployments));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const size_t last = r.log.rfind("service/web clients see");
  ASSERT_NE(last, std::string::npos) << r.log;
  EXPECT_EQ(r.log.substr(last, r.log.find('\n', last) - last),
            "service/web clients see 4 endpoints (2)")
      << r.log;
}

// A RollingUpdate of 3 replicas at 20 requests/s with endpointDelay 0 (so
// termination races cannot fail requests), with and without a readiness probe.
Outcome RollingWithProbe(bool readiness) {
  return Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
    timing: {endpointDelay: 0s}
  images:
    web:1: {start: 3s}
    web:2: {start: 3s}
  traffic: [{name: c, service: web, rate: 20/s}]
)" + std::string(kSetImage),
                           WebApp(3, "", readiness)));
}

TEST(Model, RollingUpdateWithoutReadinessProbeFailsRequestsWhileNewPodsStart) {
  // No readiness probe: a new pod is Ready when its container starts, 3 s
  // before it serves, so clients reach it and fail (docs/scenario-format.md). Images start
  // at once here, so every wave follows in the same instant: all three new
  // pods are Ready at 60 s and none serves before 63 s — 3 s of downtime.
  const Outcome r = RollingWithProbe(false);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_GT(Svc(r, "web").requests.failed, 0) << r.json;
  EXPECT_EQ(Svc(r, "web").downtime, Sec(3)) << r.json;
}

TEST(Model, RollingUpdateWithReadinessProbeFailsNone) {
  const Outcome r = RollingWithProbe(true);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(Svc(r, "web").requests.failed, 0) << r.json;
  EXPECT_EQ(Svc(r, "web").downtime, SimDuration::Zero()) << r.json;
  EXPECT_GT(Svc(r, "web").version_mix, SimDuration::Zero()) << r.json;
}

// A RollingUpdate (readiness probe on) with endpointDelay 2 s and a preStop sleep.
Outcome RollingWithPreStop(int pre_stop_seconds) {
  return Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
    timing: {endpointDelay: 2s}
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
  traffic: [{name: c, service: web, rate: 20/s}]
)" + std::string(kSetImage),
                           WebApp(2, "", true, pre_stop_seconds)));
}

TEST(Model, NoPreStopSleepFailsRequestsWhileTerminating) {
  // SIGTERM at deletion stops the process at once, but clients keep the pod
  // for endpointDelay (2 s): requests sent to it in those 2 s fail.
  const Outcome r = RollingWithPreStop(0);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_GT(Svc(r, "web").requests.failed, 0) << r.json;
}

TEST(Model, PreStopSleepFiveFailsNone) {
  // preStop sleep 5 > endpointDelay 2: clients stop seeing the pod before it
  // stops serving.
  const Outcome r = RollingWithPreStop(5);
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(Svc(r, "web").requests.failed, 0) << r.json;
}

TEST(Model, UnhealthyVersionStallsSurgeOnlyRolloutAndExceedsTheDeadline) {
  // web:2 never serves, so its readiness probe never passes; with
  // maxUnavailable 0 no old pod is removed: no downtime. With
  // progressDeadlineSeconds 30, the last progress is the new ReplicaSet's
  // creation at 60 s, and the deadline check (requeued at lastUpdate + 30 s +
  // 1 s) reports deadlineExceeded; the rollout never completes.
  const Outcome r = Simulate(Scenario(R"(  until: 5m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {start: 1s, healthy: false}
  traffic: [{name: c, service: web, every: 1s}]
)" + std::string(kSetImage),
                                  WebApp(2, R"(  progressDeadlineSeconds: 30
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0})",
                                         true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(Svc(r, "web").downtime, SimDuration::Zero()) << r.json;
  EXPECT_EQ(Svc(r, "web").requests.failed, 0) << r.json;
  const auto& ro = Dep(r, "web").rollouts.at(0);
  EXPECT_TRUE(ro.deadline_exceeded) << r.json;
  EXPECT_FALSE(ro.complete.has_value()) << r.json;
  EXPECT_EQ(ro.min_available_pods, 2) << r.json;
}

TEST(Model, RecreateOfAnUnhealthyVersionIsDownForGood) {
  // Recreate removes every old pod first; the new ones never serve: down from
  // 60 s to the end (until 3m): 120 s, in one outage.
  const Outcome r = Simulate(Scenario(R"(  until: 3m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
    timing: {endpointDelay: 0s}
  images:
    web:1: {start: 1s}
    web:2: {start: 1s, healthy: false}
  traffic: [{name: c, service: web, every: 1s}]
)" + std::string(kSetImage),
                                  WebApp(2, "  strategy: {type: Recreate}", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(Svc(r, "web").downtime, Sec(120)) << r.json;
  EXPECT_EQ(Svc(r, "web").longest_outage, Sec(120)) << r.json;
  EXPECT_FALSE(Dep(r, "web").rollouts.at(0).complete.has_value()) << r.json;
}

TEST(Model, NoRoomForSurgeKeepsTheSurgePodPendingAndCountsIt) {
  // One node with room for exactly 2 pods of 1 CPU: the rolling update's surge
  // pod (maxSurge 1, maxUnavailable 0) cannot be scheduled, stays Pending,
  // and the rollout stalls; pendingPodSeconds integrates it from 60 s to the
  // end of the run (until 2m): 60 pod-seconds.
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "2", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
  traffic: [{name: c, service: web, every: 1s}]
)" + std::string(kSetImage),
                                  WebApp(2, R"(  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0})",
                                         true, 0, R"(
        resources: {requests: {cpu: "1"}})")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.report.resources.pending_pod_time, Sec(60)) << r.json;
  EXPECT_EQ(r.report.resources.peak_cpu_millis, 2000) << r.json;
  EXPECT_FALSE(Dep(r, "web").rollouts.at(0).complete.has_value()) << r.json;
  EXPECT_EQ(Svc(r, "web").downtime, SimDuration::Zero()) << r.json;
}

TEST(Model, CrashLoopBackOffRestartsAtOnceThenAfterTenTwentyFortySeconds) {
  // crashAfter 5s: the container exits 5 s after each start. Kubelet restarts
  // the first exit at once, then waits 10 s, 20 s, 40 s (doubling to 300 s):
  // starts at 0, 5, 20 (10 + 10), 45 (25 + 20), 90 (50 + 40).
  const Outcome r = Simulate(Scenario(R"(  until: 100s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {crashAfter: 5s}
)",
                                      WebApp(1, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  for (const char* t : {"0.000", "5.000", "20.000", "45.000", "90.000"}) {
    EXPECT_TRUE(r.Logged(t, "pod/web-", "container started")) << t << "\n" << r.log;
  }
  EXPECT_FALSE(r.Logged("15.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 5) << r.json;  // exits at 5, 10, 25, 50 and 95
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
  // first restart); the next three failures (30, 40, 50) kill it at 50 s,
  // restarted after 10 s of back-off.
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
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "container started")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 2) << r.json;
}

// kuberuntime killContainer: a liveness kill is graceful, as a deletion is —
// the preStop hook, then SIGTERM, SIGKILL at the grace period — and the
// restart waits for the exit. Unhealthy image that takes 8 s to exit on
// SIGTERM, preStop sleep 5, liveness period 10 s x 3: failures at 0, 10, 20 ->
// kill at 20 s: preStop 20..25, SIGTERM 25, exit 33, restarted at once (the
// first restart). The new container fails at 40, 50, 60 (the worker's ticker
// goes on; it holds while the kill runs) -> preStop 60..65, SIGTERM 65, exit
// 73, restarted after 10 s of back-off at 83. The first kill's 30 s grace
// timer (due at 50 s) does not touch the second container.
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
  EXPECT_TRUE(r.Logged("83.000", "pod/web-", "container started")) << r.log;
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

TEST(Model, PausedDeploymentRollsOutOnlyAfterResume) {
  // The template changes at 60 s while paused: no new ReplicaSet until the
  // resume at 90 s; the rollout (revision 2) starts at 60 s and completes
  // when the new pod is Ready at 91 s (start 1 s, readiness on).
  const Outcome r = Simulate(Scenario(R"(  until: 3m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
  timeline:
  - at: 30s
    kubectl: rollout pause deployment/web
  - at: 60s
    kubectl: set image deployment/web web=web:2
  - at: 90s
    kubectl: rollout resume deployment/web
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_FALSE(r.Logged("60.000", "deployment/web", "created replicaset")) << r.log;
  EXPECT_TRUE(r.Logged("90.000", "deployment/web", "created replicaset")) << r.log;
  const auto& ro = Dep(r, "web").rollouts.at(0);
  EXPECT_EQ(ro.start, SimTime::Zero() + Sec(60));
  ASSERT_TRUE(ro.complete.has_value()) << r.json;
  EXPECT_EQ(*ro.complete, SimTime::Zero() + Sec(91)) << r.json;
}

// getPodsToDelete ranks doubled-up pods first (ActivePodsWithRanks rule 5,
// controller_utils.go): 3 replicas on 2 nodes put 2 on one of them, and
// scaling to 2 deletes one of those, leaving one pod per node — whichever
// node the tie-breaking draws chose, and although the lone pod is the one
// Ready for the least time on neither. Seeds vary the draws.
TEST(Model, ScaleDownDeletesADoubledUpPodFirst) {
  for (const char* seed : {"1", "2", "3", "4"}) {
    const Outcome r = Simulate(Scenario(std::string("  seed: ") + seed + R"(
  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - at: 60s
    kubectl: scale deployment/web --replicas=2
)",
                                        WebApp(3, "", false)));
    ASSERT_TRUE(r.error.empty()) << r.error;
    std::map<std::string, std::string> node_of;  // pod -> node
    std::map<std::string, int> on_node;
    std::string deleted;
    std::istringstream lines(r.log);
    for (std::string line; std::getline(lines, line);) {
      const size_t pod = line.find(" pod/");
      if (pod == std::string::npos) continue;
      const size_t end = line.find(' ', pod + 1);
      const std::string name = line.substr(pod + 1, end - pod - 1);
      const std::string what = line.substr(end + 1);
      if (what.rfind("scheduled to node/", 0) == 0) {
        node_of[name] = what.substr(std::string("scheduled to ").size());
        ++on_node[node_of[name]];
      }
      if (what == "deleted") deleted = name;
    }
    ASSERT_FALSE(deleted.empty()) << r.log;
    ASSERT_EQ(on_node.size(), 2u) << r.log;
    EXPECT_EQ(on_node[node_of[deleted]], 2) << "seed " << seed << ": deleted " << deleted << "\n"
                                            << r.log;
  }
}

TEST(Model, ScalingMidRolloutIsProportional) {
  // 10 replicas, maxSurge 3 / maxUnavailable 2, web:2 never Ready: the
  // rollout stalls at new 5 / old 8 (worked by hand from rolling.go). Scaling to 15 then
  // shares the 5 extra replicas by the ReplicaSets' sizes (sync.go scale):
  // the old ReplicaSet goes 8 -> 11 and the new one 5 -> 7 (Kubernetes' docs example).
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 4, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {healthy: false}
  timeline:
  - at: 60s
    kubectl: set image deployment/web web=web:2
  - at: 80s
    kubectl: scale deployment/web --replicas=15
)",
                                      WebApp(10, R"(  strategy:
    rollingUpdate: {maxSurge: 3, maxUnavailable: 2})",
                                             true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("80.000", "deployment/web", "from 8 to 11")) << r.log;
  EXPECT_TRUE(r.Logged("80.000", "deployment/web", "from 5 to 7")) << r.log;
}

TEST(Model, RolloutUndoReturnsToThePreviousTemplateAsANewRevision) {
  // web:2 at 60 s (revision 2), undo at 120 s: the revision-1 ReplicaSet is
  // adopted again as revision 3 and scaled back up; clients end on version 1.
  const Outcome r = Simulate(Scenario(R"(  until: 3m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
    web:2: {start: 1s}
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - at: 60s
    kubectl: set image deployment/web web=web:2
  - at: 120s
    kubectl: rollout undo deployment/web
)",
                                      WebApp(1, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 2u) << r.json;
  EXPECT_EQ(d.rollouts[0].revision, 2);
  EXPECT_EQ(d.rollouts[1].revision, 3);
  EXPECT_TRUE(d.rollouts[1].complete.has_value()) << r.json;
  EXPECT_FALSE(r.Logged("120.000", "deployment/web", "created replicaset")) << r.log;
  EXPECT_TRUE(r.Logged("120.000", "deployment/web", "from 0 to 1")) << r.log;
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

TEST(Model, RolloutRestartReplacesEveryPodAsANewRevision) {
  // `rollout restart` stamps the template (kubectl.kubernetes.io/restartedAt),
  // so the same image rolls out again as revision 2.
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 1s}
  timeline:
  - at: 60s
    kubectl: rollout restart deployment/web
)",
                                      WebApp(2, "", true)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_EQ(d.rollouts[0].revision, 2);
  EXPECT_TRUE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_TRUE(r.Logged("60.000", "deployment/web", "created replicaset")) << r.log;
}

// A Deployment deleted and applied again under its name is a new object to
// Kubernetes (new uid, revisions from 1 again), but the report has one entry
// per name: web rolls out (revision 2) at 30 s, is deleted at 60 s, applied
// again at 70 s and rolls out again (its own revision 2) at 100 s.
TEST(Model, ADeploymentAppliedAgainAfterDeleteIsOneReportEntry) {
  std::string again = WebApp(2, "", true);
  again = again.substr(0, again.find("---"));
  const Outcome r = Simulate(Scenario(R"(  until: 3m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - at: 30s
    kubectl: set image deployment/web web=web:2
  - at: 60s
    kubectl: delete deployment web
  - at: 70s
    kubectl: apply -f web.yaml
  - at: 100s
    kubectl: set image deployment/web web=web:3
)",
                                      WebApp(2, "", true)),
                             {{"web.yaml", again}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.report.deployments.size(), 1u) << r.json;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 2u) << r.json;
  EXPECT_EQ(d.rollouts[0].revision, 2);
  EXPECT_EQ(d.rollouts[0].start, SimTime::Zero() + Sec(30));
  EXPECT_EQ(d.rollouts[1].revision, 2);
  EXPECT_EQ(d.rollouts[1].start, SimTime::Zero() + Sec(100));
  EXPECT_TRUE(d.rollouts[1].complete.has_value()) << r.json;
  const std::string table = output::FormatTable(r.report, false);
  EXPECT_EQ(table.find("deployment web"), table.rfind("deployment web")) << table;
}

// A rollout cut short by deleting its Deployment stops being measured at the
// deletion: web rolls out to an unhealthy web:2 at 30 s (2 replicas, 25%/25%:
// both old pods stay, min 2 available), is deleted at 60 s and applied again
// at 70 s. The deletion's pod removals do not count against that rollout.
TEST(Model, ARolloutOfADeletedDeploymentIsNotMeasuredAfterTheDeletion) {
  std::string again = WebApp(2, "", true);
  again = again.substr(0, again.find("---"));
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:2: {healthy: false}
  timeline:
  - at: 30s
    kubectl: set image deployment/web web=web:2
  - at: 60s
    kubectl: delete deployment web
  - at: 70s
    kubectl: apply -f web.yaml
)",
                                      WebApp(2, "", true)),
                             {{"web.yaml", again}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_EQ(d.rollouts[0].min_available_pods, 2) << r.json;
  EXPECT_EQ(d.rollouts[0].peak_active_pods, 3) << r.json;
}

// kubelet imageManager.EnsureImageExists: the pull policy decides whether a
// pod whose image is already on the node pulls it again. One node, one
// replica, pull 5 s, start 1 s, readiness period 1 s: the first pod pulls
// 0..5 s. `rollout restart` at 60 s puts a second pod of the same image on
// the same node: with IfNotPresent it starts at once (Ready 61 s, rollout done
// at 61 s); with Always it pulls again (Ready 66 s).
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

TEST(Model, SameScenarioAndSeedGiveByteIdenticalJsonTwiceInOneProcess) {
  const Outcome a = RollingWithProbe(false);
  const Outcome b = RollingWithProbe(false);
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_EQ(a.json, b.json);
}

}  // namespace
}  // namespace kubesim
