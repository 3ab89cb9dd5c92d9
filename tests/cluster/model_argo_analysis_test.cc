// End-to-end scenarios with hand-derived expected results, as in
// model_argo_test.cc. This file: Argo Rollouts' analysis — AnalysisTemplates
// run as AnalysisRuns by a canary's analysis step and background analysis
// (docs/progressive-delivery.md, Analysis), after argo-rollouts 9f8d111
// analysis/analysis.go (reconcileAnalysisRun, assessRunStatus,
// assessMetricStatus, calculateNextReconcileTime), rollout/analysis.go
// (reconcileStepBasedAnalysisRun, reconcileBackgroundAnalysisRun,
// needsNewAnalysisRun) and utils/evaluate/evaluate.go (EvaluateResult).
//
// Every scenario: a canary Rollout `web` of 5 replicas of web:1 behind a
// Service `web` that a client asks 50 times a second; set image web:2 at
// 60 s. Images pull in 5 s and the readiness probe passes as the container
// starts: the first setWeight (20 %: 1 canary pod, the stable ReplicaSet
// down to 4) completes at 65 s, when the canary pod is available, and the
// next step starts then. No controller delay: a run created at 65 s takes
// its first measurement at 65 s, when clients have not seen the canary pod
// yet (they do endpointDelay, 1 s, later): the canary's success rate over
// (55 s, 65 s] is 0 / 0, NaN, as PromQL divides.
#include "cluster/analysis_controller.h"
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

// `steps` and `background` indented for `canary:`; `metric` for
// `metrics:`; `error_rate` is web:2's.
std::string AnalysisScenario(
    const std::string& steps, const std::string& metric, const std::string& error_rate,
    const std::string& timeline = "", const std::string& background = "",
    const std::string& analysis = "    success-rate: {measure: successRate}\n") {
  return Scenario(R"(  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    web:2: {pull: 5s, errorRate: )" +
                      error_rate + R"(}
  traffic: [{name: c, service: web, rate: 50/s}]
  analysis:
)" + analysis + R"(  timeline:
  - {at: 60s, kubectl: argo rollouts set image web web=web:2}
)" + timeline,
                  R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 5
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, readinessProbe: {httpGet: {port: 80}, periodSeconds: 1}}]
  strategy:
    canary:
)" + background + "      steps:\n" +
                      steps + R"(---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: success}
spec:
  metrics:
)" + metric);
}

constexpr const char* kAnalysisStep = R"(      - setWeight: 20
      - analysis: {templates: [{templateName: success}]}
      - setWeight: 60
)";

// Argo's documented success-rate metric (docs/features/analysis.md): three
// measurements 10 s apart, one failure tolerated.
constexpr const char* kSuccessRate = R"y(  - name: success-rate
    interval: 10s
    count: 3
    failureLimit: 1
    successCondition: result[0] >= 0.95
    provider: {prometheus: {query: "sum(rate(ok[1m])) / sum(rate(all[1m]))"}}
)y";

// A healthy canary: the measurement at 65 s is NaN, which fails
// `result[0] >= 0.95` (a comparison with NaN is false) — the one failure
// failureLimit 1 allows; those at 75 s and 85 s read 100 %. The count of 3
// reached at 85 s, the metric and the run are Successful, the Rollout is
// requeued and completes the analysis step at 85 s (completedCurrentCanaryStep).
TEST(ArgoAnalysis, APassingAnalysisCompletesItsStepAtItsCount) {
  const Outcome r = Simulate(AnalysisScenario(kAnalysisStep, kSuccessRate, "0"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-1"),
            (std::vector<double>{65}))
      << r.log;
  EXPECT_TRUE(r.Logged("65.000", "analysisrun/web-599584c85-2-1", "success-rate: nan Failed"));
  EXPECT_EQ(r.Times("analysisrun/web-599584c85-2-1", "success-rate: 1"),
            (std::vector<double>{75, 85}));
  EXPECT_TRUE(r.Logged("85.000", "analysisrun/web-599584c85-2-1", "Successful"));
  EXPECT_EQ(r.Times("rollout/web", "step 2/3 completed"), (std::vector<double>{85}));
  EXPECT_EQ(Dep(r, "web").rollouts[0].complete, SimTime::Zero() + Sec(90));
}

// A canary that answers every request with an error (errorRate 100 %):
// NaN at 65 s (failed 1), 0 % at 75 s (failed 2 > failureLimit 1): the
// metric, then the run, is Failed at 75 s, and the Rollout aborts in the
// same instant (reconcileStepBasedAnalysisRun: AddAbort) — the stable
// ReplicaSet back to 5, the canary to 0, phase Degraded with the run's
// message. The update never completes; every request the canary pod
// answered from 65 s until it stops serving at 75 s failed.
TEST(ArgoAnalysis, AFailingAnalysisAbortsTheRollout) {
  const Outcome r = Simulate(AnalysisScenario(
      kAnalysisStep, kSuccessRate, "100%", "  - kubectl: argo rollouts status web --timeout 2m\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("75.000", "analysisrun/web-599584c85-2-1",
                       "Failed: Metric \"success-rate\" assessed Failed due to failed (2) > "
                       "failureLimit (1)"))
      << r.log;
  EXPECT_TRUE(r.Logged("75.000", "rollout/web",
                       "Degraded - RolloutAborted: Rollout aborted update to revision 2: "
                       "Step-based analysis phase error/failed: Metric \"success-rate\" assessed "
                       "Failed due to failed (2) > failureLimit (1)"));
  EXPECT_EQ(r.Times("rollout/web", "from 4 to 5"), (std::vector<double>{75}));
  EXPECT_EQ(r.Times("rollout/web", "from 1 to 0"), (std::vector<double>{75}));
  EXPECT_EQ(r.Times("rollout/web", "step 2/3 completed"), std::vector<double>{});
  // `status` returns at the abort, failed (Degraded).
  EXPECT_TRUE(r.Logged("75.000", "step/",
                       "The rollout is in a degraded state with message: "
                       "RolloutAborted: Rollout aborted update to revision 2: "
                       "Step-based analysis phase error/failed: Metric "
                       "\"success-rate\" assessed Failed due to failed (2) > "
                       "failureLimit (1)"));
  EXPECT_FALSE(Dep(r, "web").rollouts[0].complete.has_value());
  // (The others that fail went to the stable pod removed at 60 s, which
  // clients saw for 1 s more.)
  const int64_t failed = Svc(r, "web").requests.failed;
  const int64_t canary = Svc(r, "web").requests.by_version.at("2");
  EXPECT_GE(failed, canary);
  // About a fifth of 50/s for the 10 s the canary served.
  EXPECT_GT(canary, 50);
  EXPECT_LT(canary, 150);
}

// With both conditions, a measurement that meets neither is Inconclusive:
// NaN at 65 s (NaN >= 0.95 and NaN < 0.2 are both false). inconclusiveLimit
// 0: the run is Inconclusive at 65 s and the Rollout pauses
// (InconclusiveAnalysisRun) before any scaling. `promote` at 100 s
// (promote.go getPatches, isInconclusive) clears the pause and
// controllerPause and skips the analysis step: the Rollout goes on to
// setWeight 60 (3 canary pods) at 100 s, with no second run.
TEST(ArgoAnalysis, AnInconclusiveAnalysisPausesUntilPromotedPastIt) {
  const Outcome r =
      Simulate(AnalysisScenario(kAnalysisStep, R"(  - name: success-rate
    interval: 10s
    count: 3
    successCondition: result[0] >= 0.95
    failureCondition: result[0] < 0.2
    provider: {prometheus: {query: "x"}}
)",
                                "50%", "  - {at: 100s, kubectl: argo rollouts promote web}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("rollout/web", "paused (InconclusiveAnalysisRun)"), (std::vector<double>{65}))
      << r.log;
  EXPECT_TRUE(r.Logged("65.000", "rollout/web", "Paused - InconclusiveAnalysisRun"));
  EXPECT_TRUE(r.Logged("65.000", "analysisrun/web-599584c85-2-1",
                       "Inconclusive: Metric \"success-rate\" assessed Inconclusive due to "
                       "inconclusive (1) > inconclusiveLimit (0)"));
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-1"),
            (std::vector<double>{65}));
  EXPECT_EQ(r.Times("rollout/web", "from 1 to 3"), (std::vector<double>{100}));
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-1.1"),
            std::vector<double>{});
}

// canary.analysis from startingStep 1 runs beside the steps until the
// Rollout is promoted. With `isNaN(result[0]) || ...` the NaN at 65 s
// passes; 0 % at 75 s fails (failureLimit 0): the Rollout aborts at 75 s,
// in the middle of its 60 s pause.
TEST(ArgoAnalysis, AFailingBackgroundAnalysisAbortsDuringAPause) {
  const Outcome r = Simulate(AnalysisScenario(
      "      - setWeight: 20\n      - pause: {duration: 60s}\n      - setWeight: 60\n",
      R"(  - name: success-rate
    interval: 10s
    successCondition: isNaN(result[0]) || result[0] >= 0.95
    provider: {prometheus: {query: "x"}}
)",
      "100%", "", "      analysis: {templates: [{templateName: success}], startingStep: 1}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2"),
            (std::vector<double>{65}))
      << r.log;
  EXPECT_TRUE(r.Logged("75.000", "rollout/web",
                       "aborted: Background analysis phase error/failed: Metric \"success-rate\" "
                       "assessed Failed due to failed (1) > failureLimit (0)"));
  EXPECT_EQ(r.Times("rollout/web", "from 1 to 0"), (std::vector<double>{75}));
}

// A condition expr cannot evaluate is an Error, retried 10 s later
// (DefaultErrorRetryInterval); the fifth in a row exceeds
// consecutiveErrorLimit (4): 65, 75, 85, 95, 105 s. `result >= 0.95`
// compares the vector a Prometheus query returns with a number.
TEST(ArgoAnalysis, AConditionThatCannotBeEvaluatedErrorsAfterFiveTries) {
  const Outcome r = Simulate(AnalysisScenario(kAnalysisStep, R"(  - name: success-rate
    successCondition: result >= 0.95
    provider: {prometheus: {query: "x"}}
)",
                                              "0"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("analysisrun/web-599584c85-2-1",
                    "Error: could not evaluate successCondition \"result >= 0.95\": invalid "
                    "operation: >= (mismatched types []float64 and float64)"),
            (std::vector<double>{65, 75, 85, 95, 105}))
      << r.log;
  EXPECT_TRUE(r.Logged("105.000", "rollout/web",
                       "aborted: Step-based analysis phase error/failed: Metric \"success-rate\" "
                       "assessed Error due to consecutiveErrors (5) > consecutiveErrorLimit (4)"));
}

// An AnalysisTemplate a step names that does not exist: the Rollout is
// InvalidSpec (Degraded) from the start, before any ReplicaSet
// (getReferencedRolloutAnalyses checks every step), and looks again every
// 20 s; the template applied at 90 s is found at 100 s, when the Rollout's
// first ReplicaSet — already of web:2 — is created.
TEST(ArgoAnalysis, AMissingTemplateIsInvalidSpecUntilItExists) {
  std::string scenario = AnalysisScenario(kAnalysisStep, kSuccessRate, "0",
                                          "  - {at: 90s, kubectl: kubectl apply -f at.yaml}\n");
  const size_t at = scenario.find("---\napiVersion: argoproj.io/v1alpha1\nkind: AnalysisTemplate");
  const std::string tmpl = scenario.substr(at + 4);
  scenario.erase(at);
  const Outcome r = Simulate(scenario, {{"at.yaml", tmpl}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "rollout/web",
                       "Degraded - InvalidSpec: The Rollout \"web\" is invalid: "
                       "spec.strategy.canary.steps[1].analysis.templates: Invalid value: "
                       "\"success\": AnalysisTemplate 'success' not found"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "(revision 1) with 0 replicas"), (std::vector<double>{100}))
      << r.log;
  EXPECT_EQ(Svc(r, "web").requests.by_version.count("1"), 0u);  // never ran web:1
}

// A metric whose provider kubesim does not simulate and spec.analysis does
// not map: a load warning names it, and each measurement is Successful.
TEST(ArgoAnalysis, AnUnmappedMetricIsWarnedAndPasses) {
  const Outcome r = Simulate(AnalysisScenario(kAnalysisStep, R"(  - name: smoke
    provider: {job: {spec: {template: {spec: {containers: []}}}}}
)",
                                              "0", "", "", "    {}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_NE(r.warnings.find("AnalysisTemplate \"success\": metric \"smoke\" runs a Job, which "
                            "kubesim does not run: each measurement is Successful"),
            std::string::npos)
      << r.warnings;
  EXPECT_EQ(r.Times("rollout/web", "step 2/3 completed"), (std::vector<double>{65})) << r.log;
}

// A template change while a background run measures revision 2's pods:
// resetRolloutStatus drops the run from the status and the next sync
// cancels it (otherArs) — it is terminated at 90 s, when web:3 is set — and
// a run for revision 3 starts; revision 2's run never judges web:3.
TEST(ArgoAnalysis, ATemplateChangeCancelsTheOldRevisionsRuns) {
  const Outcome r = Simulate(AnalysisScenario(
      "      - setWeight: 20\n      - pause: {duration: 60s}\n      - setWeight: 60\n",
      R"(  - name: success-rate
    interval: 10s
    successCondition: isNaN(result[0]) || result[0] >= 0.95
    provider: {prometheus: {query: "x"}}
)",
      "0", "  - {at: 90s, kubectl: argo rollouts set image web web=web:3}\n",
      "      analysis: {templates: [{templateName: success}]}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("analysisrun/web-599584c85-2", "terminated"), (std::vector<double>{90}))
      << r.log;
  // (No startingStep: the background run starts with the update, at 60 s.)
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2"),
            (std::vector<double>{60}));
  EXPECT_EQ(r.log.find("aborted"), std::string::npos);
  EXPECT_NE(r.log.find("created analysisrun/web-"), std::string::npos);
  // Revision 3's own run.
  size_t created3 = 0;
  for (size_t at = r.log.find("created analysisrun/web-"); at != std::string::npos;
       at = r.log.find("created analysisrun/web-", at + 1)) {
    if (r.log.compare(r.log.find('\n', at) - 2, 2, "-3") == 0) ++created3;
  }
  EXPECT_EQ(created3, 1u) << r.log;
}

// Two metrics: the success rate fails at 75 s (failureLimit 0) while the
// other measures only every 2 minutes. The run is terminating then
// (IsTerminating) and its next reconcile — queued by the status update, no
// controller delay here — settles it Failed at 75 s, not at the other
// metric's next measurement.
TEST(ArgoAnalysis, AFailedMetricEndsItsRunWithoutWaitingForTheOthers) {
  const Outcome r = Simulate(AnalysisScenario(kAnalysisStep, R"(  - name: success-rate
    interval: 10s
    successCondition: isNaN(result[0]) || result[0] >= 0.95
    provider: {prometheus: {query: "x"}}
  - name: slow
    interval: 2m
    successCondition: result == 1
    provider: {web: {url: "http://x"}}
)",
                                              "100%", "", "",
                                              "    success-rate: {measure: successRate}\n"
                                              "    slow: {value: 1}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("75.000", "analysisrun/web-599584c85-2-1",
                       "Failed: Metric \"success-rate\" assessed Failed due to failed (1) > "
                       "failureLimit (0)"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "from 1 to 0"), (std::vector<double>{75}));
}

// `retry rollout` after an analysis aborted the update: the steps start
// again — the canary pod, on a node that has web:2 now, is ready at once —
// and the analysis step gets a new run at 100 s (needsNewAnalysisRun),
// named with Argo's collision counter; it fails as the first did, 10 s on.
TEST(ArgoAnalysis, RetryAfterAFailedAnalysisRunsItAgain) {
  const Outcome r =
      Simulate(AnalysisScenario(kAnalysisStep, kSuccessRate, "100%",
                                "  - {at: 100s, kubectl: argo rollouts retry rollout web}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("75.000", "rollout/web",
                       "Degraded - RolloutAborted: Rollout aborted "
                       "update to revision 2: Step-based analysis "
                       "phase error/failed: Metric \"success-rate\" "
                       "assessed Failed due to failed (2) > failureLimit "
                       "(1)"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-1.1"),
            (std::vector<double>{100}))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "from 1 to 0"), (std::vector<double>{75, 110}));
  // The report lists the steps run again, step 0 too (it starts and ends
  // in the retry's sync).
  const auto& steps = Dep(r, "web").rollouts.at(0).steps;
  ASSERT_EQ(steps.size(), 4u) << r.json;
  EXPECT_EQ(steps[1].result, "aborted");
  EXPECT_EQ(steps[2].index, 0);
  EXPECT_EQ(steps[2].start, SimTime::Zero() + Sec(100));
  EXPECT_EQ(steps[2].end, SimTime::Zero() + Sec(100));
  EXPECT_EQ(steps[2].result, "completed");
  EXPECT_EQ(steps[3].result, "aborted");
  EXPECT_EQ(steps[3].analysis, "Failed");
}

// A Rollout deleted while its run measures: the run (owned by it) is
// terminated with it and measures no more.
TEST(ArgoAnalysis, DeletingTheRolloutStopsItsRuns) {
  const Outcome r = Simulate(AnalysisScenario(
      kAnalysisStep, kSuccessRate, "0", "  - {at: 70s, kubectl: kubectl delete rollout web}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("analysisrun/web-599584c85-2-1", "terminated"), (std::vector<double>{70}))
      << r.log;
  EXPECT_EQ(r.Times("analysisrun/web-599584c85-2-1", "success-rate: 1"), std::vector<double>{});
}

// The report's step table and runs (docs/metrics.md, rollouts[].steps and
// analysisRuns), for the failing analysis above: setWeight 20 from 60 s to
// 65 s (1 canary pod, 4 stable), the analysis step from 65 s until the abort
// at 75 s, its run Failed after 2 measurements. The JSON carries them.
TEST(ArgoAnalysis, TheReportListsEachStepAndAnalysisRun) {
  const Outcome r = Simulate(AnalysisScenario(kAnalysisStep, kSuccessRate, "100%"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& ro = Dep(r, "web").rollouts.at(0);
  ASSERT_EQ(ro.steps.size(), 2u) << r.json;
  EXPECT_EQ(ro.steps[0].index, 0);
  EXPECT_EQ(ro.steps[0].kind, "setWeight");
  EXPECT_EQ(ro.steps[0].start, SimTime::Zero() + Sec(60));
  EXPECT_EQ(ro.steps[0].end, SimTime::Zero() + Sec(65));
  EXPECT_EQ(ro.steps[0].result, "completed");
  EXPECT_EQ(ro.steps[0].weight, 20);
  EXPECT_EQ(ro.steps[0].canary_replicas, 1);
  EXPECT_EQ(ro.steps[0].stable_replicas, 4);
  EXPECT_EQ(ro.steps[1].kind, "analysis");
  EXPECT_EQ(ro.steps[1].start, SimTime::Zero() + Sec(65));
  EXPECT_EQ(ro.steps[1].end, SimTime::Zero() + Sec(75));
  EXPECT_EQ(ro.steps[1].result, "aborted");
  EXPECT_EQ(ro.steps[1].analysis, "Failed");
  ASSERT_EQ(ro.analysis_runs.size(), 1u);
  EXPECT_EQ(ro.analysis_runs[0].name, "web-599584c85-2-1");
  EXPECT_EQ(ro.analysis_runs[0].type, "step");
  EXPECT_EQ(ro.analysis_runs[0].step, 1);
  EXPECT_EQ(ro.analysis_runs[0].start, SimTime::Zero() + Sec(65));
  EXPECT_EQ(ro.analysis_runs[0].end, SimTime::Zero() + Sec(75));
  EXPECT_EQ(ro.analysis_runs[0].phase, "Failed");
  EXPECT_EQ(ro.analysis_runs[0].measurements, 2);
  EXPECT_NE(r.json.find("\"steps\": ["), std::string::npos) << r.json;
  EXPECT_NE(r.json.find("\"analysisRuns\": ["), std::string::npos);
  // A promote skips the step it is on: for the passing analysis, promoted
  // at 70 s mid-analysis, the step ends "skipped" and setWeight 60 starts.
  const Outcome p = Simulate(AnalysisScenario(
      kAnalysisStep, kSuccessRate, "0", "  - {at: 70s, kubectl: argo rollouts promote web}\n"));
  ASSERT_TRUE(p.error.empty()) << p.error;
  const auto& steps = Dep(p, "web").rollouts.at(0).steps;
  ASSERT_EQ(steps.size(), 3u) << p.json;
  EXPECT_EQ(steps[1].result, "skipped");
  EXPECT_EQ(steps[1].end, SimTime::Zero() + Sec(70));
  EXPECT_EQ(steps[2].kind, "setWeight");
  EXPECT_EQ(steps[2].weight, 60);
}

// A blue-green Rollout of 3 (web-active, web-preview) with `blue_green`'s
// analysis fields, and a template "check" whose metric "check" reads a
// fixed value (spec.analysis `{value: V}`): no request is needed.
std::string BlueGreenAnalysisScenario(const std::string& blue_green, const std::string& value,
                                      const std::string& metric, const std::string& timeline = "") {
  return Scenario(R"(  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    web:2: {pull: 5s}
  traffic: [{name: c, service: web-active, every: 1s}]
  analysis:
    check: {value: )" +
                      value + R"(}
  timeline:
  - {at: 60s, kubectl: argo rollouts set image web web=web:2}
)" + timeline,
                  R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 3
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: web:1, readinessProbe: {httpGet: {port: 80}, periodSeconds: 1}}]
  strategy:
    blueGreen:
      activeService: web-active
      previewService: web-preview
)" + blue_green + R"(---
apiVersion: v1
kind: Service
metadata: {name: web-active}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: web-preview}
spec:
  selector: {app: web}
  ports: [{port: 80}]
---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: check}
spec:
  metrics:
  - name: check
    provider: {web: {url: "http://smoke-test/"}}
)" + metric);
}

constexpr const char* kTwoChecks =
    "    interval: 10s\n    count: 2\n    successCondition: result == 1\n";

// prePromotionAnalysis (docs/features/bluegreen.md): the run starts when
// the new ReplicaSet is saturated (skipPrePromotionAnalysisRun), at 65 s;
// measured at 65 s and 75 s, it is Successful at 75 s, and only then does
// the active Service switch (reconcileActiveService: CompletedBlueGreenPause
// and completedPrePromotionAnalysis) — 10 s later than without it.
TEST(ArgoAnalysis, APrePromotionAnalysisHoldsTheSwitchUntilItSucceeds) {
  const Outcome r = Simulate(BlueGreenAnalysisScenario(
      "      prePromotionAnalysis: {templates: [{templateName: check}]}\n", "1", kTwoChecks));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-pre"),
            (std::vector<double>{65}))
      << r.log;
  EXPECT_TRUE(r.Logged("75.000", "analysisrun/web-599584c85-2-pre", "Successful"));
  EXPECT_EQ(r.Times("rollout/web", "switched active service/web-active to 599584c85"),
            (std::vector<double>{75}));
  EXPECT_TRUE(r.Logged("75.000", "rollout/web", "Completed blue-green update: stable is "));
  EXPECT_EQ(Dep(r, "web").rollouts[0].complete, SimTime::Zero() + Sec(105));
}

// A failing prePromotionAnalysis (the value 0, not 1) aborts at once: the
// active Service never switches, and the preview ReplicaSet goes
// abortScaleDownDelaySeconds (30 s) later, at 95 s.
TEST(ArgoAnalysis, AFailingPrePromotionAnalysisAbortsBeforeTheSwitch) {
  const Outcome r = Simulate(BlueGreenAnalysisScenario(
      "      prePromotionAnalysis: {templates: [{templateName: check}]}\n", "0", kTwoChecks));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("65.000", "rollout/web",
                       "aborted: Blue/green pre-promotion analysis phase error/failed: Metric "
                       "\"check\" assessed Failed due to failed (1) > failureLimit (0)"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "switched active service/web-active to 599584c85"),
            std::vector<double>{});
  EXPECT_TRUE(r.Logged("95.000", "rollout/web", "from 3 to 0"));
  EXPECT_EQ(Svc(r, "web-active").requests.by_version.count("2"), 0u);
}

// postPromotionAnalysis: the active Service switches at 65 s; the run
// starts on the next sync, once the status records the switch
// (skipPostPromotionAnalysisRun), and the new ReplicaSet becomes stable only
// when it is Successful, at 75 s; the old one then waits its 30 s.
TEST(ArgoAnalysis, APostPromotionAnalysisPromotesTheStableWhenItSucceeds) {
  const Outcome r = Simulate(BlueGreenAnalysisScenario(
      "      postPromotionAnalysis: {templates: [{templateName: check}]}\n", "1", kTwoChecks));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.Times("rollout/web", "switched active service/web-active to 599584c85"),
            (std::vector<double>{65}))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-post"),
            (std::vector<double>{65}));
  EXPECT_TRUE(r.Logged("75.000", "rollout/web", "Completed blue-green update: stable is "));
  EXPECT_TRUE(r.Logged("105.000", "rollout/web", "from 3 to 0"));
}

// A failing postPromotionAnalysis aborts after the switch: the active
// Service goes back to the stable ReplicaSet (reconcileActiveService: an
// aborted Rollout selects status.stableRS), at 65 s, the instant it failed.
TEST(ArgoAnalysis, AFailingPostPromotionAnalysisSwitchesBack) {
  const Outcome r = Simulate(BlueGreenAnalysisScenario(
      "      postPromotionAnalysis: {templates: [{templateName: check}]}\n", "0", kTwoChecks));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("65.000", "rollout/web",
                       "aborted: Blue/green post-promotion analysis phase error/failed: Metric "
                       "\"check\" assessed Failed due to failed (1) > failureLimit (0)"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "switched active service/web-active to 59958474b"),
            (std::vector<double>{5, 65}));
  EXPECT_FALSE(Dep(r, "web").rollouts[0].complete.has_value());
}

// `undo` to the old ReplicaSet while it waits out its scale-down delay
// (60 s here) is a fast rollback (isFastRollback): promoted at once,
// "Fast rollback", and no post-promotion analysis runs for it
// (shouldCancelCurrentAnalysis) — only revision 2's, at 65 s.
TEST(ArgoAnalysis, AFastRollbackRunsNoAnalysis) {
  const Outcome r = Simulate(BlueGreenAnalysisScenario(
      "      scaleDownDelaySeconds: 60\n"
      "      postPromotionAnalysis: {templates: [{templateName: check}]}\n",
      "1", kTwoChecks, "  - {at: 90s, kubectl: argo rollouts undo web}\n"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(
      r.Logged("90.000", "rollout/web", "Fast rollback: stable is replicaset/web-59958474b"))
      << r.log;
  EXPECT_EQ(r.Times("rollout/web", "created analysisrun/web-599584c85-2-post"),
            (std::vector<double>{65}));
  EXPECT_EQ(r.log.find("-3-post"), std::string::npos);
}

// New steps in the middle of an update (the same template, one step
// left): the step then running ends "superseded" and the canary starts
// again at the new step 0 — described as it was, not by the new spec.
TEST(ArgoAnalysis, NewStepsSupersedeTheRunningStep) {
  std::string scenario = AnalysisScenario(
      "      - setWeight: 20\n      - pause: {duration: 60s}\n      - setWeight: 60\n",
      kSuccessRate, "0", "  - {at: 80s, kubectl: kubectl apply -f steps.yaml}\n");
  const size_t from = scenario.find("apiVersion: argoproj.io/v1alpha1\nkind: Rollout");
  std::string rollout = scenario.substr(from, scenario.find("---", from) - from);
  rollout.replace(rollout.find("      - setWeight: 20"), std::string::npos,
                  "      - pause: {duration: 10s}\n");
  rollout.replace(rollout.find("image: web:1"), 12, "image: web:2");
  const Outcome r = Simulate(scenario, {{"steps.yaml", rollout}});
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& steps = Dep(r, "web").rollouts.at(0).steps;
  ASSERT_GE(steps.size(), 3u) << r.json;
  EXPECT_EQ(steps[1].kind, "pause");
  EXPECT_EQ(steps[1].end, SimTime::Zero() + Sec(80));
  EXPECT_EQ(steps[1].result, "superseded");
  EXPECT_EQ(steps[1].canary_replicas, 1);
  EXPECT_EQ(steps[1].stable_replicas, 4);
  EXPECT_EQ(steps[2].index, 0);
  EXPECT_EQ(steps[2].kind, "pause");
  EXPECT_EQ(steps[2].start, SimTime::Zero() + Sec(80));
}

// EvaluateResult's table (utils/evaluate/evaluate_test.go,
// TestEvaluateResultWith*): success alone, failure alone, both, neither.
TEST(ArgoAnalysis, EvaluateResultFollowsArgosTable) {
  using P = cluster::AnalysisRun::Phase;
  const auto eval = [](const std::string& success, const std::string& failure, double v) {
    k8s::AnalysisMetric m;
    m.success_condition = success;
    m.failure_condition = failure;
    std::string error;
    return cluster::EvaluateMeasurement(m, {v}, /*scalar=*/true, &error);
  };
  EXPECT_EQ(eval("true", "false", 1), P::kSuccessful);     // TestEvaluateResultWithSuccess
  EXPECT_EQ(eval("false", "true", 1), P::kFailed);         // TestEvaluateResultWithFailure
  EXPECT_EQ(eval("false", "false", 1), P::kInconclusive);  // TestEvaluateResultInconclusive
  EXPECT_EQ(eval("", "", 1), P::kSuccessful);              // TestEvaluateResultNoSuccessNoFailure
  EXPECT_EQ(eval("false", "", 1), P::kFailed);             // TestEvaluateResultNoFailure
  EXPECT_EQ(eval("", "false", 1), P::kSuccessful);         // TestEvaluateResultNoSuccess
  EXPECT_EQ(eval("result > 0.5", "", 0.7), P::kSuccessful);
  EXPECT_EQ(eval("result > 0.5", "", std::nan("")), P::kFailed);
  std::string error;
  k8s::AnalysisMetric m;
  m.success_condition = "result[0] > 0.5";
  EXPECT_EQ(cluster::EvaluateMeasurement(m, {}, false, &error), P::kError);
  EXPECT_EQ(error,
            "could not evaluate successCondition \"result[0] > 0.5\": metric result is nil or "
            "empty: no data returned from the metric provider");
}

}  // namespace
}  // namespace kubesim::model_test
