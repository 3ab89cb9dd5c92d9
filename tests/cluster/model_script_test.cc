// End-to-end scenarios with hand-derived expected results, as in
// model_rollout_test.cc. This file: the timeline as CI scripts run it —
// chained steps, `rollout status`, `wait`, `sleep:` (docs/scenario-format.md
// 3.7 and 5.2; the report's `timeline`, docs/metrics.md).
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

constexpr const char* kNodeAndImages = R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    web:2: {pull: 5s}
    bad:1: {healthy: false}
)";

// Deployment blue and a Service selecting color: blue, in web.yaml.
std::string Blue() {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: blue}
spec:
  replicas: 2
  selector: {matchLabels: {app: web, color: blue}}
  template:
    metadata: {labels: {app: web, color: blue}}
    spec:
      containers: [{name: web, image: web:1, readinessProbe: {httpGet: {port: 80}, periodSeconds: 1}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web, color: blue}
  ports: [{port: 80}]
)";
}

std::string Green(const std::string& image, const std::string& extra = "") {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: green}
spec:
  replicas: 2
)" + extra +
         R"(  selector: {matchLabels: {app: web, color: green}}
  template:
    metadata: {labels: {app: web, color: green}}
    spec:
      containers: [{name: web, image: )" +
         image + R"(, readinessProbe: {httpGet: {port: 80}, periodSeconds: 1}}]
)";
}

Outcome RunScript(const std::string& timeline, const std::string& green_image = "web:2",
                  const std::string& green_extra = "", const std::string& until = "  until: 3m\n") {
  return Simulate(
      Scenario(until + kNodeAndImages + R"(  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - {at: 0s, kubectl: apply -f web.yaml}
)" + timeline,
               ""),
      {{"web.yaml", Blue()}, {"green.yaml", Green(green_image, green_extra)}});
}

const metrics::StepReport* StepOf(const Outcome& r, uint32_t number) {
  for (const auto& s : r.report.timeline) {
    if (s.step == number) return &s;
  }
  ADD_FAILURE() << "no timeline entry for step " << number << " in\n" << r.json;
  return nullptr;
}

// The seed's blue-green as a script: apply green, `rollout status`, then
// the selector patch. Green's pods pull 5 s and turn Ready at their first
// readiness probe, as the container starts: rollout status returns at
// 60 + 5 = 65 s, and the patch runs then, not at a guessed time — no failed
// request, no downtime. The same patch at a fixed 62 s switches onto pods
// still pulling.
TEST(Script, APatchChainedAfterRolloutStatusRunsWhenGreenIsReady) {
  const std::string patch = R"(patch service web -p '{"spec":{"selector":{"color":"green"}}}')";
  const Outcome r = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - kubectl: rollout status deployment/green
  - kubectl: )" + patch + "\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("65.000", "step/3", "deployment \"green\" successfully rolled out"))
      << r.log;
  EXPECT_TRUE(r.Logged("65.000", "kubectl", patch));
  EXPECT_EQ(Svc(r, "web").downtime, SimDuration::Zero());
  EXPECT_EQ(Svc(r, "web").requests.failed, 0);
  const metrics::StepReport* status = StepOf(r, 3);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->started, SimTime::Zero() + Sec(60));
  EXPECT_EQ(status->finished, SimTime::Zero() + Sec(65));
  EXPECT_EQ(status->result, "ok");
  EXPECT_EQ(StepOf(r, 4)->started, SimTime::Zero() + Sec(65));
  EXPECT_EQ(r.report.timeline.size(), 2u);  // steps 1 and 2 have a fixed `at:`
  // In the JSON report, as docs/metrics.md shows it.
  const size_t entry = r.json.find("\"step\": 3,");
  ASSERT_NE(entry, std::string::npos) << r.json;
  const std::string json = r.json.substr(entry, r.json.find('}', entry) - entry);
  for (const char* field : {"\"startedSeconds\": 60.0", "\"finishedSeconds\": 65.0",
                            "\"result\": \"ok\"", "\"line\": "}) {
    EXPECT_NE(json.find(field), std::string::npos) << field << " in " << json;
  }

  const Outcome fixed = RunScript(
      "  - {at: 60s, kubectl: apply -f green.yaml}\n  - at: 62s\n    kubectl: " + patch + "\n");
  ASSERT_TRUE(fixed.error.empty()) << fixed.error;
  EXPECT_GT(Svc(fixed, "web").downtime, SimDuration::Zero());
  EXPECT_TRUE(fixed.report.timeline.empty());
}

// `rollout status` after a `set image` returns when the report's
// rolloutStatusSeconds says it would (kubectl's DeploymentStatusViewer, one
// rule for both), not at once on the status the rollout has not touched yet.
TEST(Script, RolloutStatusAfterSetImageReturnsAtRolloutStatusSeconds) {
  const Outcome r = RunScript(R"(  - {at: 30s, kubectl: set image deployment/blue web=web:2}
  - kubectl: rollout status deployment/blue
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& rollouts = Dep(r, "blue").rollouts;
  ASSERT_EQ(rollouts.size(), 1u);
  ASSERT_TRUE(rollouts[0].rollout_status);
  EXPECT_GT(*rollouts[0].rollout_status, SimTime::Zero() + Sec(30));
  EXPECT_EQ(StepOf(r, 3)->finished, rollouts[0].rollout_status);
}

// rollout status --timeout=3s on pods that need 6 s: kubectl exits 1 at
// 63 s ("timed out waiting for the condition"); the steps chained after it
// never run and the report says so. A later `at:` step still runs.
TEST(Script, ATimeoutEndsTheChainAndTheStepsAfterItAreSkipped) {
  const Outcome r = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - kubectl: rollout status deployment/green --timeout=3s
  - kubectl: patch service web -p '{"spec":{"selector":{"color":"green"}}}'
  - kubectl: delete deployment blue
  - {at: 90s, kubectl: scale deployment/green --replicas=3}
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("63.000", "step/3", "error: timed out waiting for the condition")) << r.log;
  EXPECT_TRUE(r.Logged("63.000", "step/4", "not run (step 3 failed): patch service web"));
  EXPECT_TRUE(r.Logged("63.000", "step/5", "not run (step 3 failed): delete deployment blue"));
  EXPECT_FALSE(r.Logged("63.000", "deployment/blue", "deleted"));
  EXPECT_TRUE(r.Logged("90.000", "kubectl", "scale deployment/green --replicas=3"));
  EXPECT_EQ(StepOf(r, 3)->result, "timeout");
  EXPECT_EQ(StepOf(r, 3)->finished, SimTime::Zero() + Sec(63));
  EXPECT_EQ(StepOf(r, 4)->result, "skipped");
  EXPECT_FALSE(StepOf(r, 4)->started);
  EXPECT_EQ(StepOf(r, 5)->result, "skipped");
  EXPECT_EQ(Svc(r, "web").requests.failed, 0);  // the Service never switched
}

// kubectl wait lists its pods when it starts: right after the apply no pod
// exists yet ("no matching resources found", exit 1) — a CI gotcha kubesim
// reproduces. After `sleep: 1s` the two pods exist, and the wait returns
// when both are Ready: 60 + 5 s pull = 65 s, then the chained scale runs.
TEST(Script, WaitForReadyPodsListsThemWhenItStarts) {
  const Outcome early = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - kubectl: wait --for=condition=Ready pod -l color=green
  - kubectl: scale deployment/green --replicas=3
)");
  ASSERT_TRUE(early.error.empty()) << early.error;
  EXPECT_TRUE(early.Logged("60.000", "step/3", "error: no matching resources found")) << early.log;
  EXPECT_EQ(StepOf(early, 3)->result, "failed");
  EXPECT_EQ(StepOf(early, 4)->result, "skipped");

  const Outcome r = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - sleep: 1s
  - kubectl: wait --for=condition=Ready pod -l color=green --timeout=1m
  - kubectl: scale deployment/green --replicas=3
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("61.000", "kubectl", "wait --for=condition=Ready")) << r.log;
  EXPECT_TRUE(r.Logged("65.000", "step/4", "2 pods condition met"));
  EXPECT_TRUE(r.Logged("65.000", "kubectl", "scale deployment/green --replicas=3"));
  EXPECT_EQ(StepOf(r, 3)->finished, SimTime::Zero() + Sec(61));  // the sleep
  EXPECT_EQ(StepOf(r, 5)->started, SimTime::Zero() + Sec(65));
}

// Deployment conditions: Progressing turns True at the first sync
// (NewReplicaSetCreated); Available needs replicas - maxUnavailable
// available pods, and pods that never turn Ready time the wait out after
// its default 30 s; `rollout status` of a Deployment past its progress
// deadline exits 1 at once.
TEST(Script, WaitForDeploymentConditionsAndAProgressDeadline) {
  const Outcome r = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - kubectl: wait --for=condition=Progressing deployment/green
  - kubectl: wait --for=condition=Available deployment/green
  - kubectl: rollout status deployment/green
)",
                              "bad:1", "  progressDeadlineSeconds: 20\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(StepOf(r, 3)->finished, SimTime::Zero() + Sec(60));
  EXPECT_EQ(StepOf(r, 3)->result, "ok");
  EXPECT_TRUE(r.Logged("90.000", "step/4",
                       "error: timed out waiting for the condition on deployments/green"))
      << r.log;
  EXPECT_EQ(StepOf(r, 4)->result, "timeout");
  EXPECT_EQ(StepOf(r, 5)->result, "skipped");

  const Outcome deadline = RunScript(R"(  - {at: 60s, kubectl: apply -f green.yaml}
  - kubectl: rollout status deployment/green
  - kubectl: delete deployment blue
)",
                                     "bad:1", "  progressDeadlineSeconds: 20\n");
  ASSERT_TRUE(deadline.error.empty()) << deadline.error;
  const metrics::StepReport* status = StepOf(deadline, 3);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->result, "failed");
  ASSERT_TRUE(status->finished);
  // The deadline passes 20 s after the last progress (the pods' creation at
  // 60 s); the controller notices at its next sync, at most 1 s later.
  EXPECT_GE(*status->finished, SimTime::Zero() + Sec(80));
  EXPECT_LE(*status->finished, SimTime::Zero() + Sec(81));
  EXPECT_NE(deadline.log.find("error: deployment \"green\" exceeded its progress deadline"),
            std::string::npos);
  EXPECT_EQ(StepOf(deadline, 4)->result, "skipped");
}

// Without `until:` the run lasts until the chain has run: a step after a
// 5-minute sleep runs at 300 s (the run used to end a minute after the last
// fixed `at:`).
TEST(Script, ARunWithoutUntilLastsUntilItsChainsHaveRun) {
  const Outcome r = RunScript(R"(  - sleep: 5m
  - kubectl: scale deployment/blue --replicas=1
)",
                              "web:2", "", "");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("300.000", "kubectl", "scale deployment/blue --replicas=1")) << r.log;
  EXPECT_GE(r.report.end, SimTime::Zero() + Sec(300));
}

// A kubectl command that exits 1 when it runs ends its chain too: an
// annotate of a pod that does not exist (NotFound). The report lists a
// failed step even when its time was fixed.
TEST(Script, AFailedAnnotateEndsItsChain) {
  const Outcome r = RunScript(R"(  - {at: 10s, kubectl: annotate pod blue-nope a=b}
  - kubectl: scale deployment/blue --replicas=1
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(
      r.Logged("10.000", "step/2", "Error from server (NotFound): pods \"blue-nope\" not found"))
      << r.log;
  EXPECT_EQ(StepOf(r, 2)->result, "failed");
  EXPECT_EQ(StepOf(r, 3)->result, "skipped");
}

// A chained step after an ordinary one runs at once, before the steps of a
// later `at:` of the same instant — in file order, as the loader checked
// them: 5 replicas, the new image, then 2 replicas (not 2 then 5).
TEST(Script, AChainedStepRunsBeforeALaterStepOfTheSameInstant) {
  const Outcome r = RunScript(R"(  - {at: 30s, kubectl: scale deployment/blue --replicas=5}
  - kubectl: set image deployment/blue web=web:2
  - {at: 30s, kubectl: scale deployment/blue --replicas=1}
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  const size_t image = r.log.find("30.000s kubectl set image");
  const size_t to_one = r.log.find("30.000s kubectl scale deployment/blue --replicas=1");
  ASSERT_NE(image, std::string::npos) << r.log;
  ASSERT_NE(to_one, std::string::npos) << r.log;
  EXPECT_LT(image, to_one);
}

// Two steps that change the same object, one chained after a blocking step
// and one at a fixed later time: which runs first depends on the wait, and
// the loader, which works out each step's object before the run, refuses it.
TEST(Script, StepsWhoseOrderDependsOnAWaitMayNotChangeTheSameObject) {
  const Outcome r = RunScript(R"(  - kubectl: rollout status deployment/blue
  - kubectl: scale deployment/blue --replicas=4
  - {at: 2s, kubectl: set image deployment/blue web=web:2}
)");
  EXPECT_NE(r.error.find("both change deployment \"blue\", and which runs first depends on when "
                         "step 2 (rollout status) finishes"),
            std::string::npos)
      << r.error;
}

// kubectl wait does not count a condition the controller wrote for an
// older generation: with a 2 s controller delay, Available after a set image
// at 60 s is met at 62 s, when the controller has seen the new template.
TEST(Script, WaitIgnoresConditionsOfAnOlderGeneration) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {controllerDelay: 2s}
  images:
    web:2: {pull: 5s}
  timeline:
  - {at: 60s, kubectl: set image deployment/web web=web:2}
  - kubectl: wait --for=condition=Available deployment/web
)",
                                      WebApp(2, "", false)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("62.000", "step/2", "deployment.apps/web condition met")) << r.log;
}

// A bare pod, evicted by a drain at 20 s: `annotate` and `delete` of it at
// 30 s find nothing (NotFound, exit 1), recreate nothing, and end their
// chains. An annotation `kubectl annotate` set survives a later update of
// the pod: annotating it again without --overwrite is refused.
TEST(Script, AnnotateAndDeleteOfAGonePodFailAndAnnotationsSurviveUpdates) {
  const std::string pod = R"(apiVersion: v1
kind: Pod
metadata: {name: p, labels: {app: p}}
spec:
  containers: [{name: p, image: web:1}]
)";
  const auto run = [&](const std::string& steps) {
    return Simulate(
        Scenario("  until: 1m\n" + std::string(kNodeAndImages) + "  timeline:\n" + steps, pod));
  };
  for (const char* step : {"annotate pod p a=b", "delete pod p"}) {
    const Outcome r = run(std::string(R"(  - {at: 20s, kubectl: drain node-0}
  - {at: 30s, kubectl: )") +
                          step + R"(}
  - kubectl: uncordon node-0
)");
    ASSERT_TRUE(r.error.empty()) << r.error;
    EXPECT_TRUE(r.Logged("30.000", "step/2", "Error from server (NotFound): pods \"p\" not found"))
        << step << "\n"
        << r.log;
    EXPECT_FALSE(r.Logged("30.000", "pod/p", "created"));
    EXPECT_EQ(StepOf(r, 2)->result, "failed");
    EXPECT_EQ(StepOf(r, 3)->result, "skipped");
  }
  const Outcome r = run(
      R"(  - {at: 10s, kubectl: annotate pods --all controller.kubernetes.io/pod-deletion-cost=5}
  - {at: 20s, kubectl: set image pod/p p=web:2}
  - {at: 30s, kubectl: annotate pod p controller.kubernetes.io/pod-deletion-cost=4}
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("30.000", "pod/p", "annotate refused")) << r.log;
  EXPECT_EQ(StepOf(r, 3)->result, "failed");
}

// kubectl apply is a three-way merge of the last applied manifest, the new
// one and the live object. After `kubectl scale --replicas=4`, re-applying
// a manifest without `replicas` keeps 4 (neither manifest sets it), and
// with a new image the rollout replaces 4 pods; re-applying after a
// manifest that did set `replicas: 3` drops it to the default 1.
TEST(Script, ApplyKeepsWhatNeitherManifestSetsAndDropsWhatTheLastOneSet) {
  const auto web = [](const std::string& image, const std::string& replicas) {
    return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
)" + replicas +
           R"(  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: )" +
           image + "}]\n";
  };
  const auto run =
      [&](const std::string& first_replicas) {
        return Simulate(Scenario(R"(  until: 2m
)" + std::string(kNodeAndImages) + R"(  timeline:
  - {at: 0s, kubectl: apply -f v1.yaml}
  - {at: 10s, kubectl: scale deployment/web --replicas=4}
  - {at: 30s, kubectl: apply -f v2.yaml}
)",
                                 ""),
                        {{"v1.yaml", web("web:1", first_replicas)}, {"v2.yaml", web("web:2", "")}});
      };
  const Outcome kept = run("");
  ASSERT_TRUE(kept.error.empty()) << kept.error;
  ASSERT_EQ(Dep(kept, "web").rollouts.size(), 1u) << kept.json;
  EXPECT_EQ(Dep(kept, "web").rollouts[0].peak_active_pods, 5) << kept.log;  // 4 + maxSurge 1
  EXPECT_FALSE(kept.Logged("30.000", "deployment/web", "to 1"));
  const Outcome dropped = run("  replicas: 3\n");
  ASSERT_TRUE(dropped.error.empty()) << dropped.error;
  EXPECT_TRUE(dropped.Logged("30.000", "deployment/web", "from 4 to 1")) << dropped.log;
}

// checkPausedConditions does not overwrite a ProgressDeadlineExceeded
// condition: a rollout past its 10 s deadline (set image at 10 s to an
// image that never turns Ready; noticed by 21 s), paused at 30 s and resumed
// at 40 s, is still past it — `rollout status` chained after the resume
// exits 1 at once (kubesim used to mark it resumed, and the wait ran into
// its 30 s timeout). And kubectl refuses `rollout undo` of a paused
// Deployment.
TEST(Script, ResumeKeepsAnExceededDeadlineAndUndoOfAPausedDeploymentIsRefused) {
  const auto run =
      [](const std::string& steps) {
        return Simulate(Scenario(R"(  until: 2m
)" + std::string(kNodeAndImages) + R"(  timeline:
  - {at: 10s, kubectl: set image deployment/web web=bad:1}
  - {at: 30s, kubectl: rollout pause deployment/web}
)" + steps,
                                 WebApp(2, "  progressDeadlineSeconds: 10\n", true)));
      };
  const Outcome r = run(R"(  - {at: 40s, kubectl: rollout resume deployment/web}
  - kubectl: rollout status deployment/web --timeout=30s
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(
      r.Logged("40.000", "step/4", "error: deployment \"web\" exceeded its progress deadline"))
      << r.log;
  EXPECT_EQ(StepOf(r, 4)->result, "failed");
  const Outcome undo = run("  - {at: 40s, kubectl: rollout undo deployment/web}\n");
  EXPECT_NE(undo.error.find("you cannot rollback a paused deployment"), std::string::npos)
      << undo.error;
}

// kubectl set env and set resources change the pod template: a rollout
// starts. Requests of 3 CPUs per pod on 4-CPU nodes leave room for one new
// pod a node: 2 replicas, maxSurge 1 / maxUnavailable 0, roll one at a time
// and the surge pod of each step finds a node. Requests of 5 CPUs fit no
// node: the new pod stays Pending and the rollout never completes.
TEST(Script, SetEnvAndSetResourcesChangeTheTemplate) {
  const auto run = [](const std::string& step) {
    return Simulate(Scenario(
        R"(  until: 2m
)" + std::string(kNodeAndImages) +
            "  timeline:\n  - at: 10s\n    kubectl: " + step + "\n",
        WebApp(2, "  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}\n", false)));
  };
  const Outcome env = run("set env deployment/web LOG_LEVEL=debug");
  ASSERT_TRUE(env.error.empty()) << env.error;
  ASSERT_EQ(Dep(env, "web").rollouts.size(), 1u) << env.json;
  EXPECT_TRUE(Dep(env, "web").rollouts[0].complete);
  const Outcome fits = run("set resources deployment/web -c web --requests=cpu=3,memory=1Gi");
  ASSERT_TRUE(fits.error.empty()) << fits.error;
  ASSERT_EQ(Dep(fits, "web").rollouts.size(), 1u);
  EXPECT_TRUE(Dep(fits, "web").rollouts[0].complete);
  const Outcome big = run("set resources deployment/web --requests=cpu=5");
  ASSERT_TRUE(big.error.empty()) << big.error;
  ASSERT_EQ(Dep(big, "web").rollouts.size(), 1u);
  EXPECT_FALSE(Dep(big, "web").rollouts[0].complete);
  EXPECT_NE(big.log.find("Insufficient cpu"), std::string::npos) << big.log;
  EXPECT_NE(run("set env deployment/web -c nope A=1")
                .error.find("unable to find container named \"nope\""),
            std::string::npos);
}

}  // namespace
}  // namespace kubesim::model_test
