// End-to-end scenarios with hand-derived expected results, as in
// model_argo_test.cc. This file: Flagger's Canary (flagger.app/v1beta1),
// after fluxcd/flagger 15bd6ad pkg/controller/scheduler.go (advanceCanary,
// checkCanaryStatus, runCanary, runBlueGreen, rollback,
// runPromotionTrafficShift), scheduler_metrics.go (runBuiltinMetricChecks),
// pkg/canary/deployment_controller.go (createPrimaryDeployment, Promote,
// ScaleFromZero) and deployment_ready.go; docs/progressive-delivery.md.
//
// Every scenario: a Deployment `web` of 2 replicas of web:1 (pull 5 s, the
// readiness probe passes as the container starts) behind a Service `web`
// that a client asks 50 times a second, and a Canary `web` with a 10 s
// analysis interval. The Canary's job starts at the controller's first
// 10-second pass, 10 s: it creates web-primary (2 replicas), which is not
// ready yet (Initialize); the run at 20 s finds it ready, points `web` at
// the primary's pods, scales `web` to 0: Initialized. set image web:2 at
// 55 s; the run at 60 s (A) detects it and scales `web` back to 2 — all it
// does (checkCanaryStatus returns false). The canary pods are ready at 65 s.
#include <gtest/gtest.h>

#include "kubesim/k8s/flagger.h"
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

std::string FlaggerScenario(const std::string& analysis, const std::string& error_rate = "0",
                            const std::string& provider = "", const std::string& extra_traffic = "",
                            const std::string& timeline = "", const std::string& canary_spec = "",
                            const std::string& web2 = "") {
  return Scenario(R"(  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    web:2: {pull: 5s, errorRate: )" +
                      error_rate + web2 + R"(}
    web:3: {pull: 5s, errorRate: 100%}
  traffic:
  - {name: c, service: web, rate: 50/s}
)" + extra_traffic + R"(  timeline:
  - {at: 55s, kubectl: set image deployment/web web=web:2}
)" + timeline,
                  R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, readinessProbe: {httpGet: {port: 80}, periodSeconds: 1}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: web}
spec:
)" + provider + canary_spec +
                      R"(  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  service: {port: 80}
  analysis:
)" + analysis);
}

constexpr const char* kSuccessRate = R"(    metrics:
    - name: request-success-rate
      thresholdRange: {min: 99}
      interval: 30s
)";

// Flagger's docs (usage/deployment-strategies.md): "the minimum time it
// takes for a canary deployment to finish is interval * (maxWeight /
// stepWeight)". maxWeight 50, stepWeight 10: S = 5 weights. A = 60 s; A+1
// (70 s) the canary is ready: pre-rollout hooks, no metrics, weight 10;
// 80, 90, 100, 110 s: the success rate of the canary's pods over the last
// 30 s is 100 %: 20, 30, 40, 50; A+S+1 (120 s): 50 >= maxWeight: Promote
// (web-primary's template becomes web:2; it rolls). 120 - 70 = 50 s =
// interval * maxWeight / stepWeight. The primary is ready at 125 s; the run
// at 130 s routes 100/0 (Finalising), the one at 140 s scales `web` to 0:
// Succeeded, A+S+3 = 8 intervals after detection. The rollout (from the
// set image at 55 s) took 85 s.
TEST(Flagger, ACanaryAdvancesOneStepWeightPerIntervalAndPromotesAtMaxWeight) {
  const Outcome r = Simulate(FlaggerScenario(R"(    interval: 10s
    threshold: 2
    maxWeight: 50
    stepWeight: 10
)" + std::string(kSuccessRate)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "canary/web", "phase Initialized")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "deployment/web", "from 2 to 0")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "canary/web", "New revision detected")) << r.log;
  EXPECT_EQ(r.Times("canary/web", "canary 10%"), (std::vector<double>{70}));
  EXPECT_EQ(r.Times("canary/web", "canary 50%"), (std::vector<double>{110}));
  const std::vector<double> promoted = r.Times("canary/web", "phase Promoting");
  ASSERT_EQ(promoted.size(), 1u) << r.log;
  EXPECT_EQ(promoted[0] - 70, 10.0 * 50 / 10);
  EXPECT_EQ(r.Times("canary/web", "phase Finalising"), (std::vector<double>{130}));
  EXPECT_EQ(r.Times("canary/web", "phase Succeeded"), (std::vector<double>{140}));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 1u);
  EXPECT_EQ(ro[0].complete, SimTime::Zero() + Sec(140));
  // The Canary's pods are the target's and the primary's: 2 + 2, and one
  // surge pod while the primary rolls.
  EXPECT_EQ(ro[0].peak_active_pods, 5);
  ASSERT_EQ(ro[0].steps.size(), 6u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(ro[0].steps[i].kind, "setWeight");
    EXPECT_EQ(ro[0].steps[i].weight, 10 * (i + 1));
    EXPECT_EQ(ro[0].steps[i].start, SimTime::Zero() + Sec(70 + 10 * i));
    EXPECT_EQ(ro[0].steps[i].analysis, "Successful");
  }
  EXPECT_EQ(ro[0].steps[5].kind, "promotion");
  EXPECT_EQ(ro[0].steps[5].end, SimTime::Zero() + Sec(140));
  // The primary's own rollout: the promotion's rolling update.
  ASSERT_EQ(Dep(r, "web-primary").rollouts.size(), 1u);
  EXPECT_EQ(Dep(r, "web-primary").rollouts[0].start, SimTime::Zero() + Sec(120));
  // Both versions answered the Service's clients (the split), none failed
  // after the initialization.
  EXPECT_GT(Svc(r, "web").requests.by_version.at("2"), 0);
}

// Flagger's docs: "the canary analysis will be aborted and rolled back
// after interval * threshold" failed checks. web:2 answers every request
// with an error: the check at 80 s (A+2) reads 0 % and fails
// (failedChecks 1), so do 90 and 100 s (3); the weight stays 10. The run
// at 110 s finds failedChecks >= threshold before any analysis: all
// traffic to the primary, `web` to 0, Failed. 110 - 80 = 30 s = interval *
// threshold. The update never completes.
TEST(Flagger, FailedChecksRollBackAfterIntervalTimesThreshold) {
  const Outcome r = Simulate(FlaggerScenario(R"(    interval: 10s
    threshold: 3
    maxWeight: 50
    stepWeight: 10
)" + std::string(kSuccessRate),
                                             "100%"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "< 99%"), (std::vector<double>{80, 90, 100})) << r.log;
  EXPECT_EQ(r.Times("canary/web", "failed checks threshold reached 3"), (std::vector<double>{110}));
  EXPECT_TRUE(r.Logged("110.000", "canary/web", "phase Failed"));
  EXPECT_TRUE(r.Logged("110.000", "deployment/web", "from 2 to 0"));
  EXPECT_EQ(r.Times("canary/web", "canary 20%"), (std::vector<double>{}));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 1u);
  EXPECT_FALSE(ro[0].complete.has_value());
  ASSERT_EQ(ro[0].steps.size(), 1u);
  EXPECT_EQ(ro[0].steps[0].result, "aborted");
  EXPECT_EQ(ro[0].steps[0].analysis, "Failed");
  EXPECT_TRUE(Dep(r, "web-primary").rollouts.empty());  // never promoted
}

// The kubernetes provider has no router (NopRouter): advanceCanary forces
// blue/green with 10 iterations when none are set; production traffic
// stays on the primary. With no load on web-canary the canary's pods get
// no request: every check reads no value ("Halt advancement no values
// found ... probably not receiving traffic"), a failed check, not a
// skipped one — rolled back at 70 + 10 (first check) + 2 * 10.
TEST(Flagger, TheKubernetesProviderWithoutLoadOnTheCanaryFailsForNoData) {
  const Outcome r = Simulate(FlaggerScenario(R"(    interval: 10s
    threshold: 2
    iterations: 3
)" + std::string(kSuccessRate),
                                             "0", "  provider: kubernetes\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "probably web.default is not receiving traffic"),
            (std::vector<double>{80, 90}))
      << r.log;
  EXPECT_TRUE(r.Logged("100.000", "canary/web", "phase Failed"));
}

// The same with a load tester on web-canary (the Service Flagger makes):
// blue/green over 3 iterations (notes of runBlueGreen): A+1 (70 s)
// pre-rollout, iterations 1; 80, 90 s iterations 2, 3; 100 s iterations
// 4 (a router would send all traffic to the canary now; kubernetes has
// none); 110 s Promote; 120 s Finalising; 130 s Succeeded. The clients of
// `web` only ever reach web:1 until the primary rolls.
TEST(Flagger, TheKubernetesProviderRunsBlueGreenIterations) {
  const Outcome r = Simulate(FlaggerScenario(
      R"(    interval: 10s
    threshold: 2
    iterations: 3
)" + std::string(kSuccessRate),
      "0", "  provider: kubernetes\n", "  - {name: tester, service: web-canary, rate: 10/s}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "phase Promoting"), (std::vector<double>{110})) << r.log;
  EXPECT_EQ(r.Times("canary/web", "phase Finalising"), (std::vector<double>{120}));
  EXPECT_EQ(r.Times("canary/web", "phase Succeeded"), (std::vector<double>{130}));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 1u);
  ASSERT_EQ(ro[0].steps.size(), 5u);
  EXPECT_EQ(ro[0].steps[3].kind, "iteration");
  EXPECT_EQ(ro[0].steps[3].start, SimTime::Zero() + Sec(100));
  // web:2 answers the Service's clients only once the primary rolls.
  EXPECT_EQ(Svc(r, "web").requests.by_version.count("2"), 1u);
}

// TestScheduler_DeploymentAnalysisPhases (scheduler_deployment_test.go):
// stepWeight 100 and stepWeightPromotion 50, phase and weight per run
// from detection — Progressing/0, Progressing/100, Promoting/100,
// Promoting/50, Finalising/0, Succeeded/0. Here: A = 60 s; 70 s weight 100;
// 80 s Promote; 90 s (the primary ready) primary +50: 50/50; 100 s
// 100/0, Finalising; 110 s Succeeded.
TEST(Flagger, StepWeightPromotionShiftsTrafficBackInSteps) {
  const Outcome r = Simulate(FlaggerScenario(R"(    interval: 10s
    threshold: 2
    stepWeight: 100
    stepWeightPromotion: 50
)" + std::string(kSuccessRate)));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "canary 100%"), (std::vector<double>{70})) << r.log;
  EXPECT_EQ(r.Times("canary/web", "phase Promoting"), (std::vector<double>{80}));
  EXPECT_EQ(r.Times("canary/web", "canary 50%"), (std::vector<double>{90}));
  EXPECT_EQ(r.Times("canary/web", "canary 0%"), (std::vector<double>{100}));
  EXPECT_EQ(r.Times("canary/web", "phase Finalising"), (std::vector<double>{100}));
  EXPECT_EQ(r.Times("canary/web", "phase Succeeded"), (std::vector<double>{110}));
}

constexpr const char* kCanary10to50 = R"(    interval: 10s
    threshold: 2
    maxWeight: 50
    stepWeight: 10
)";

// A template change while the primary is promoted (Promoting: no new
// analysis starts, hasCanaryRevisionChanged looks in Progressing and
// WaitingPromotion only): web:2 is promoted at 120 s; web:3 is applied at
// 125 s. The target rolls to web:3, so IsCanaryReady holds the run at
// 130 s (an old pod terminating); 140 s Finalising, 150 s Succeeded —
// web:2's rollout completes then. The run at 160 s finds web:3 (neither
// the applied nor the promoted template): a new analysis, whose checks
// fail (web:3 answers with errors) at 180 and 190 s: rolled back at 200 s,
// web:3's rollout failed.
TEST(Flagger, AChangeDuringPromotionIsAnalysedAfterIt) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                               "  - {at: 125s, kubectl: set image deployment/web web=web:3}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "phase Succeeded"), (std::vector<double>{150})) << r.log;
  EXPECT_EQ(r.Times("canary/web", "New revision detected! Scaling up web.default"),
            (std::vector<double>{60, 160}));
  EXPECT_EQ(r.Times("canary/web", "phase Failed"), (std::vector<double>{200}));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 2u);
  EXPECT_EQ(ro[0].complete, SimTime::Zero() + Sec(150));
  EXPECT_FALSE(ro[1].complete.has_value());
  ASSERT_FALSE(ro[1].steps.empty());
  EXPECT_EQ(ro[1].steps.back().result, "aborted");
}

// hasSpecChanged: after a rollback (Failed at 100 s), setting the image
// back to the promoted web:1 is a manual rollback: no analysis. Its rollout
// record ends (superseded) at the next run, and the run ends a minute
// after the last step (no `until`: it would wait for an open rollout).
TEST(Flagger, AManualRollbackToThePromotedTemplateIsNotAnalysed) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "100%", "", "",
                               "  - {at: 125s, kubectl: set image deployment/web "
                               "web=web:1}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "phase Failed"), (std::vector<double>{100})) << r.log;
  EXPECT_EQ(r.Times("deployment/web", "a manual rollback, not analysed"),
            (std::vector<double>{130}));
  EXPECT_EQ(r.Times("canary/web", "New revision detected! Scaling up web.default"),
            (std::vector<double>{60}));
  EXPECT_EQ(r.report.end, SimTime::Zero() + Sec(185));
}

// Deleting the Canary mid-analysis (at 85 s, weight 20): its router goes
// (all of `web`'s requests to the primary again), the garbage collector
// deletes what Flagger created (web-primary and the web-primary and
// web-canary Services; `web` is the scenario's and stays, selecting the
// primary's pods, which are going): the Service is down from when clients
// see the primary's pods go. The target is a Deployment again: its rollout
// completes as a Deployment's.
TEST(Flagger, DeletingTheCanaryCollectsWhatFlaggerMade) {
  const Outcome r = Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                                             "  - {at: 85s, kubectl: delete canary web}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("85.000", "deployment/web-primary", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("85.000", "service/web-canary", "deleted"));
  EXPECT_EQ(r.Times("service/web ", "deleted"), (std::vector<double>{}));
  EXPECT_GT(Svc(r, "web").downtime, Sec(60));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 1u);
  ASSERT_EQ(ro[0].steps.size(), 2u);
  EXPECT_EQ(ro[0].steps[1].result, "aborted");
  EXPECT_EQ(ro[0].steps[1].end, SimTime::Zero() + Sec(85));
  EXPECT_TRUE(ro[0].complete.has_value());
}

// The target deleted mid-analysis (85 s): the next run (90 s) finds it
// gone and stops the analysis (the step ends aborted; the rollout ended
// with its Deployment). Deleting the Canary afterwards (100 s) collects
// the primary it made.
TEST(Flagger, TheTargetDeletedMidAnalysisThenTheCanary) {
  const Outcome r = Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                                             R"(  - {at: 85s, kubectl: delete deployment web}
  - {at: 100s, kubectl: delete canary web}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("90.000", "canary/web", "get query error: not found")) << r.log;
  EXPECT_TRUE(r.Logged("100.000", "deployment/web-primary", "deleted"));
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 1u);
  ASSERT_EQ(ro[0].steps.size(), 2u);
  EXPECT_EQ(ro[0].steps[1].result, "aborted");
  EXPECT_EQ(ro[0].steps[1].end, SimTime::Zero() + Sec(90));
}

// kubectl scale writes replicas whatever they were: Flagger's 0 becomes 2
// at once though the manifests also said 2. set image, which patches the
// image alone, keeps Flagger's 0 (the new ReplicaSet is created empty).
TEST(Flagger, ScaleWritesTheTargetsReplicasAndSetImageKeepsThem) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                               "  - {at: 40s, kubectl: scale deployment/web --replicas=2}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("40.000", "deployment/web", "from 0 to 2")) << r.log;
  const Outcome kept = Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate));
  EXPECT_TRUE(kept.Logged("55.000", "deployment/web", "with 0 replicas")) << kept.log;
}

// A second change during the promotion, then the Canary deleted before
// the promotion ends: the target is a plain Deployment again; its newest
// rollout completes as a Deployment's, the one Flagger was promoting is
// over (superseded) — no rollout is left open, and the run ends a minute
// after the last step.
TEST(Flagger, DeletingTheCanaryLeavesNoRolloutOpen) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                               R"(  - {at: 121s, kubectl: set image deployment/web web=web:3}
  - {at: 125s, kubectl: delete canary web}
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& ro = Dep(r, "web").rollouts;
  ASSERT_EQ(ro.size(), 2u) << r.json;
  EXPECT_FALSE(ro[0].complete.has_value());
  EXPECT_TRUE(ro[1].complete.has_value());
  EXPECT_LT(r.report.end, SimTime::Zero() + Sec(600));
}

// skipAnalysis: the run after detection (A+1, 70 s, the canary ready)
// promotes at once and scales the canary to zero: Succeeded without
// waiting for the primary's rolling update (shouldSkipAnalysis).
TEST(Flagger, SkipAnalysisPromotesAtTheFirstRunWithTheCanaryReady) {
  const Outcome r = Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                                             "", "  skipAnalysis: true\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "phase Succeeded"), (std::vector<double>{70})) << r.log;
  EXPECT_TRUE(r.Logged("70.000", "deployment/web-primary", "rollout to revision 2 starts"));
  EXPECT_EQ(Dep(r, "web").rollouts[0].complete, SimTime::Zero() + Sec(70));
}

// isDeploymentReady: a canary that never turns Ready (web:2's readiness
// fails) is waited for while its Available condition has been False for
// less than the Canary's progressDeadlineSeconds (60): False from 60 s,
// when it was scaled up; the run at 130 s finds 60 + 60 < 130 and rolls
// back (the run at 120 s: 120 is not after 120).
TEST(Flagger, ACanaryStuckPastProgressDeadlineSecondsIsRolledBack) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "", "",
                               "  progressDeadlineSeconds: 60\n", ", healthy: false"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("canary/web", "phase Failed"), (std::vector<double>{130})) << r.log;
}

// request-duration (istio: the p99 in whole ms): web:2 answers in 50 ms.
// thresholdRange max 60 passes; the deprecated threshold 10 fails (p99 >
// threshold), and so does a range of max 40.
TEST(Flagger, RequestDurationAgainstThresholdRangeAndThreshold) {
  const auto run = [](const std::string& bounds) {
    return Simulate(FlaggerScenario(std::string(kCanary10to50) + R"(    metrics:
    - name: request-duration
      interval: 30s
)" + bounds,
                                    "0", "", "", "", "", ", latency: 50ms"));
  };
  const Outcome pass = run("      thresholdRange: {max: 60}\n");
  ASSERT_TRUE(pass.error.empty()) << pass.error;
  EXPECT_EQ(pass.Times("canary/web", "phase Succeeded"), (std::vector<double>{140})) << pass.log;
  const Outcome legacy = run("      threshold: 10\n");
  EXPECT_EQ(legacy.Times("canary/web", "request duration 50ms > 10ms"),
            (std::vector<double>{80, 90}))
      << legacy.log;
  EXPECT_EQ(legacy.Times("canary/web", "phase Failed"), (std::vector<double>{100}));
  const Outcome range = run("      thresholdRange: {max: 40}\n");
  EXPECT_EQ(range.Times("canary/web", "phase Failed"), (std::vector<double>{100}));
}

// Flagger's CI example (docs/gitbook/usage/how-it-works.md): `kubectl wait
// canary/NAME --for=condition=promoted` right after the change returns at
// once — Promoted is still True from the initialization until the next run
// (60 s) detects the change; the docs poll for Progressing first. After a
// 10 s sleep the wait holds until Succeeded (140 s).
TEST(Flagger, WaitForPromotedRightAfterTheChangeReturnsAtOnce) {
  const Outcome r =
      Simulate(FlaggerScenario(std::string(kCanary10to50) + kSuccessRate, "0", "", "",
                               R"(  - kubectl: wait canary/web --for=condition=promoted --timeout=5m
  - sleep: 10s
  - kubectl: wait canary/web --for=condition=promoted --timeout=5m
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  ASSERT_EQ(r.report.timeline.size(), 3u) << r.json;
  EXPECT_EQ(r.report.timeline[0].finished, SimTime::Zero() + Sec(55));
  EXPECT_EQ(r.report.timeline[2].started, SimTime::Zero() + Sec(65));
  EXPECT_EQ(r.report.timeline[2].finished, SimTime::Zero() + Sec(140));
  EXPECT_EQ(r.report.timeline[2].result, "ok");
}

// kubectl apply's three-way merge: once Flagger scaled the target to 0,
// applying its manifest again with `replicas: 2` writes 2 (the patch has
// them: the canary pods start at once, before any analysis), while one
// that leaves replicas out (the last applied one had none) keeps 0.
TEST(Flagger, AnApplyWritesTheTargetsReplicasOnlyWhenItsManifestHasThem) {
  const auto manifest = [](const std::string& replicas) {
    return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: app}
spec:
)" + replicas +
           R"(  selector: {matchLabels: {app: app}}
  template:
    metadata: {labels: {app: app}}
    spec:
      containers: [{name: app, image: web:2}]
)";
  };
  const auto run = [&](const std::string& replicas) {
    const std::string first = manifest(replicas);
    std::string v1 = first;
    v1.replace(v1.find("web:2"), 5, "web:1");
    return Simulate(Scenario(R"(  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    web:2: {pull: 5s}
  timeline:
  - {at: 0s, kubectl: apply -f v1.yaml}
  - {at: 45s, kubectl: apply -f v2.yaml}
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: app}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  service: {port: 80}
  analysis: {interval: 10s, threshold: 2, stepWeight: 50}
)",
                             ""),
                    {{"v1.yaml", v1}, {"v2.yaml", first}});
  };
  const Outcome with = run("  replicas: 2\n");
  ASSERT_TRUE(with.error.empty()) << with.error;
  EXPECT_TRUE(with.Logged("45.000", "deployment/app", "with 2 replicas")) << with.log;
  const Outcome without = run("");
  ASSERT_TRUE(without.error.empty()) << without.error;
  EXPECT_FALSE(without.Logged("45.000", "deployment/app", "with 1 replicas")) << without.log;
  EXPECT_TRUE(without.Logged("50.000", "canary/app", "New revision detected")) << without.log;
}

// scheduler_svc_test.go: the primary's weight per run for stepWeight and
// maxWeight, and for stepWeights (the last one past 100 caps maxWeight).
std::vector<int32_t> PrimaryWeights(const k8s::FlaggerAnalysis& a) {
  std::vector<int32_t> out{100};
  int32_t canary = 0;
  while (canary < k8s::FlaggerMaxWeight(a)) {
    canary = std::min(100, canary + k8s::FlaggerNextStepWeight(a, canary));
    out.push_back(100 - canary);
  }
  return out;
}

TEST(FlaggerWeights, SchedulerSvcTestVectors) {
  k8s::FlaggerAnalysis a;
  a.step_weight = 20;
  a.max_weight = 50;
  EXPECT_EQ(PrimaryWeights(a), (std::vector<int32_t>{100, 80, 60, 40}));  // overshoots to 60
  a.step_weight = 50;
  a.max_weight = 100;
  EXPECT_EQ(PrimaryWeights(a), (std::vector<int32_t>{100, 50, 0}));
  k8s::FlaggerAnalysis w;
  w.step_weights = {1, 2, 10, 80};
  EXPECT_EQ(PrimaryWeights(w), (std::vector<int32_t>{100, 99, 98, 90, 20}));
  w.step_weights = {1, 2, 10, 200};
  EXPECT_EQ(k8s::FlaggerMaxWeight(w), 100);
  EXPECT_EQ(PrimaryWeights(w), (std::vector<int32_t>{100, 99, 98, 90, 0}));
}

// canary_test.go TestCanary_GetDeploymentStrategy.
TEST(FlaggerWeights, DeploymentStrategy) {
  k8s::FlaggerCanarySpec s;
  s.analysis.emplace();
  s.analysis->step_weight = 10;
  EXPECT_EQ(k8s::FlaggerStrategyOf(s), k8s::FlaggerStrategy::kCanary);
  s.analysis->iterations = 5;
  EXPECT_EQ(k8s::FlaggerStrategyOf(s), k8s::FlaggerStrategy::kBlueGreen);
  s.analysis->match = true;
  EXPECT_EQ(k8s::FlaggerStrategyOf(s), k8s::FlaggerStrategy::kABTesting);
  s.provider = "kubernetes";  // match cleared
  EXPECT_EQ(k8s::FlaggerStrategyOf(s), k8s::FlaggerStrategy::kBlueGreen);
  s.analysis->iterations = 0;  // forced to 10
  EXPECT_EQ(k8s::FlaggerIterations(s), 10);
}

}  // namespace
}  // namespace kubesim::model_test
