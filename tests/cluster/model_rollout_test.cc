// End-to-end scenarios with hand-derived expected results: each
// test writes a small scenario, runs the whole model and checks the report
// against numbers derived in its comment from the scenario's timings and
// Kubernetes' rules. This file: rollouts (strategies, selector patches,
// probes and preStop during an update, scaling, pause, undo, restart).
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

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

// `kubectl patch --type json` of the template's image rolls the Deployment
// out exactly as the same change by `--type merge` (and by set image): the
// same report and, but for the step's own line, the same event log.
TEST(Model, AJsonPatchOfTheTemplateRollsOutAsTheSameMergePatch) {
  const auto run = [](const std::string& patch) {
    Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 2s}
    web:2: {pull: 3s, start: 2s}
  traffic: [{name: c, service: web, rate: 20/s}]
  timeline:
  - at: 30s
    kubectl: )" + patch + "\n",
                                  WebApp(4, "", false)));
    for (size_t at; (at = r.log.find(patch)) != std::string::npos;) {
      r.log.replace(at, patch.size(), "PATCH");
    }
    for (size_t at; (at = r.json.find(patch)) != std::string::npos;) {
      r.json.replace(at, patch.size(), "PATCH");
    }
    return r;
  };
  const Outcome json = run(
      R"(patch deployment web --type json -p '[{"op":"test","path":"/spec/template/spec/containers/0/image","value":"web:1"},{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"web:2"}]')");
  const Outcome merge = run(
      R"(patch deployment web --type merge -p '{"spec":{"template":{"spec":{"containers":[{"name":"web","image":"web:2"}]}}}}')");
  ASSERT_TRUE(json.error.empty()) << json.error;
  ASSERT_TRUE(merge.error.empty()) << merge.error;
  const auto& d = Dep(json, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << json.json;
  EXPECT_TRUE(d.rollouts[0].complete.has_value()) << json.json;
  EXPECT_NE(json.log.find("PATCH"), std::string::npos) << json.log;
  EXPECT_EQ(json.json, merge.json);
  EXPECT_EQ(json.log, merge.log);
}

// Deleting a Deployment mid-rollout ends the rollout: it never completes,
// and without `until:` the run ends a minute after the last step (70 s),
// not at the 24-hour cap while waiting for a rollout that cannot end.
TEST(Model, DeletingADeploymentMidRolloutEndsTheRunAMinuteLater) {
  const Outcome r = Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:2: {pull: 30s}
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - {at: 5s, kubectl: set image deployment/web web=web:2}
  - {at: 10s, kubectl: delete deployment web}
)",
                                      WebApp(2, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value());
  EXPECT_EQ(r.report.end, SimTime::Zero() + Sec(70));
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

TEST(Model, SameScenarioAndSeedGiveByteIdenticalJsonTwiceInOneProcess) {
  const Outcome a = RollingWithProbe(false);
  const Outcome b = RollingWithProbe(false);
  ASSERT_TRUE(a.error.empty()) << a.error;
  EXPECT_EQ(a.json, b.json);
}

// Common random numbers (docs/architecture.md, Randomness): a client's
// Poisson arrivals come from their own stream, apart from the endpoint picks,
// so two scenarios that differ only in strategy send requests at the same
// instants under the same seed. Recreate and RollingUpdate of 4 replicas list
// different numbers of endpoints while they roll, and every pick draws among
// those: with one shared stream the arrivals part ways at the first request
// the rollout changes.
TEST(Model, SameSeedRecreateAndRollingUpdateSendRequestsAtTheSameInstants) {
  struct Arrivals : cluster::Observer {
    std::vector<SimTime> times;
    bool WantsEvents() const override { return false; }
    bool WantsPodStates() const override { return false; }
    void OnRequest(SimTime t, const cluster::RequestInfo&) override { times.push_back(t); }
  };
  const auto arrivals = [](const std::string& strategy) {
    const std::string yaml = Scenario(R"(  until: 120s
  cluster:
    nodes: [{name: node, count: 4, capacity: {cpu: "16", memory: 32Gi, pods: 110}}]
  images:
    web:1: {start: 2s}
    web:2: {start: 3s}
  traffic: [{name: c, service: web, rate: 50/s}]
)" + std::string(kSetImage),
                                      WebApp(4, strategy, true));
    const scenario::LoadResult loaded = scenario::LoadScenarioText(yaml, "t.yaml", {});
    EXPECT_TRUE(loaded.ok() && loaded.scenario);
    cluster::Simulation sim(loaded.scenario, cluster::SimulationOptions{});
    Arrivals a;
    metrics::Collector collector("t", 1);
    sim.AddObserver(&a);
    sim.AddObserver(&collector);
    sim.Run();
    return std::make_pair(a.times, collector.TakeReport(0));
  };
  const auto [recreate, recreate_report] = arrivals("  strategy: {type: Recreate}");
  const auto [rolling, rolling_report] = arrivals("");
  // The strategies did differ where the picks land: Recreate is down for a while.
  ASSERT_GT(recreate_report.services[0].downtime, SimDuration::Zero());
  EXPECT_EQ(rolling_report.services[0].downtime, SimDuration::Zero());
  ASSERT_GT(recreate.size(), 4000u);  // 50/s from about 2 s to 120 s
  EXPECT_EQ(recreate, rolling);
}

// minReadySeconds as the ReplicaSet controller sees it (replica_set.go): a
// pod that turns Ready queues a sync minReadySeconds + 1 s later
// (updatePod); a sync that finds every replica Ready but not all available
// queues one minReadySeconds later (syncReplicaSet); the work queue keeps
// one delayed sync per ReplicaSet, the earliest (AddAfter). maxSurge 2,
// minReadySeconds 10: the new pod on node-0, whose image a pod there
// already pulled, is Ready at 30 s (its sync finds 1 of 2 Ready: no
// requeue; updatePod's at 41 s); the other pulls and is Ready at 35 s (its
// requeues, 45 s and 46 s, yield to 41 s). At 41 s the first counts: the
// old ReplicaSet goes 2 -> 1, and the sync queues 51 s, when the second
// counts and the old one goes to 0. (An exact "Ready + 10 s" gave 40 s and
// 45 s.)
TEST(Model, MinReadySecondsCountsAtTheReplicaSetsRequeues) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 0s, start: 0s, shutdown: 0s}
    web:2: {pull: 5s, start: 0s, shutdown: 0s}
  timeline:
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: warm}
spec:
  nodeName: node-0
  containers: [{name: web, image: web:2}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  minReadySeconds: 10
  strategy: {rollingUpdate: {maxSurge: 2, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {labelSelector: {matchLabels: {app: web}}, matchLabelKeys: [pod-template-hash], topologyKey: kubernetes.io/hostname}
      containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("35.000", "pod/web-", "Ready")) << r.log;
  EXPECT_TRUE(r.Logged("41.000", "deployment/web", "scaled replicaset/web-59958474b from 2 to 1"))
      << r.log;
  EXPECT_TRUE(r.Logged("51.000", "deployment/web", "scaled replicaset/web-59958474b from 1 to 0"))
      << r.log;
}

}  // namespace
}  // namespace kubesim::model_test
