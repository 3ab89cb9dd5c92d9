// Argo Rollouts' analysis controller (argo-rollouts analysis/analysis.go at
// 9f8d111) for the AnalysisRuns a Rollout creates: each metric takes a
// measurement when due (at once, or after initialDelay; then every
// interval after the last, `count` times, or until the run is cancelled),
// judged by its successCondition and failureCondition
// (utils/evaluate/evaluate.go EvaluateResult); a metric is Failed once its
// failed measurements exceed failureLimit, Inconclusive past
// inconclusiveLimit, Error past consecutiveErrorLimit, Successful at its
// count; the run's phase is the worst completed metric's
// (assessRunStatus). A measurement reads the simulated requests the way
// spec.analysis says (docs/progressive-delivery.md, Analysis): kubesim has
// no Prometheus. A run whose phase changes requeues its Rollout, which
// acts on it (rollout/analysis.go, in rollout_controller.cc).
#ifndef KUBESIM_SIM_CLUSTER_ANALYSIS_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_ANALYSIS_CONTROLLER_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

std::string_view AnalysisPhaseName(AnalysisRun::Phase phase);

// EvaluateResult (utils/evaluate/evaluate.go): a measurement's phase from
// `result` (a Prometheus vector, or `scalar`) and the metric's conditions;
// an evaluation error is an Error, its message in `error`.
AnalysisRun::Phase EvaluateMeasurement(const k8s::AnalysisMetric& metric,
                                       const std::vector<double>& result, bool scalar,
                                       std::string* error);

class AnalysisController {
 public:
  // `enqueue_rollout`: the Rollout controller's work queue.
  AnalysisController(Store& store, Context& ctx, std::function<void(uint32_t)> enqueue_rollout);

  // createAnalysisRun: a run of `analysis`'s templates for Rollout `d`
  // (AnalysisTemplates in its namespace, ClusterAnalysisTemplates), its
  // arguments substituted; its first reconcile is a controller delay away.
  // A template that does not exist: kNone, and why in `error`.
  uint32_t Create(uint32_t d, AnalysisRun::Type type, int32_t step,
                  const k8s::RolloutAnalysis& analysis, uint32_t new_rs, uint32_t stable_rs,
                  std::string* error);
  // cancelAnalysisRuns: spec.terminate. Its phase is settled now (a
  // metric still running counts as Successful, assessMetricStatus).
  void Cancel(uint32_t run);
  // kAnalysisRun: reconcileAnalysisRun.
  void Reconcile(uint32_t run);
  // The templates a Rollout's analysis names that do not exist, "" if all do.
  std::string MissingTemplate(const std::string& ns, const k8s::RolloutAnalysis& analysis) const;

 private:
  void Measure(AnalysisRun& run, AnalysisRun::Metric& m);
  // The measurement's value: the requests of the run's pods over the window.
  double Value(const AnalysisRun& run, const AnalysisRun::Metric& m) const;
  void Assess(uint32_t id);
  void ScheduleNext(uint32_t id);
  void Tell(const AnalysisRun& run);  // observers' OnAnalysisRun, once it ended

  Store& store_;
  Context& ctx_;
  std::function<void(uint32_t)> enqueue_rollout_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_ANALYSIS_CONTROLLER_H_
