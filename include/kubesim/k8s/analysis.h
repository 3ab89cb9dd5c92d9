// Argo Rollouts' AnalysisTemplate and ClusterAnalysisTemplate
// (argoproj.io/v1alpha1), as pkg/apis/rollouts/v1alpha1/analysis_types.go
// defines them at 9f8d111.
//
// The model: a template lists metrics; a Rollout's analysis step (or its
// background analysis, or a blue-green pre/post-promotion analysis) runs
// them as an AnalysisRun. Each metric takes a measurement every `interval`
// (once without one, `count` times with one), and each measurement is
// Successful, Failed or Inconclusive by its `successCondition` and
// `failureCondition` (Error when they cannot be evaluated). The metric
// fails when its failed measurements exceed `failureLimit`. kubesim does
// not query Prometheus or Datadog: the scenario says what each metric
// measures over the simulated requests (docs/progressive-delivery.md,
// Analysis).
#ifndef KUBESIM_K8S_ANALYSIS_H_
#define KUBESIM_K8S_ANALYSIS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/k8s/meta.h"

namespace kubesim::k8s {

// spec.args[]: a name and, optionally, its default value (valueFrom
// — a Secret, a field of the Rollout — is not resolved).
struct AnalysisArgument {
  std::string name;
  std::optional<std::string> value;
  bool value_from = false;
  bool operator==(const AnalysisArgument&) const = default;
};

struct AnalysisMetric {
  std::string name;
  // interval / initialDelay: Go durations, in microseconds (none: absent).
  std::optional<int64_t> interval_us;
  std::optional<int64_t> initial_delay_us;
  std::optional<int32_t> count;  // none: absent, or 0
  // failureLimit [0] (-1: disabled), inconclusiveLimit [0],
  // consecutiveErrorLimit [4] (DefaultConsecutiveErrorLimit),
  // consecutiveSuccessLimit [0: disabled].
  int32_t failure_limit = 0;
  int32_t inconclusive_limit = 0;
  int32_t consecutive_error_limit = 4;
  int32_t consecutive_success_limit = 0;
  std::string success_condition;
  std::string failure_condition;
  // The provider's key: "prometheus", "job", "web", "datadog", ... (exactly
  // one; validation), and the Prometheus query when there is one.
  std::string provider;
  std::string query;
  bool operator==(const AnalysisMetric&) const = default;
};

struct AnalysisTemplate {
  ObjectMeta metadata;
  bool cluster_scope = false;  // a ClusterAnalysisTemplate
  std::vector<AnalysisArgument> args;
  std::vector<AnalysisMetric> metrics;
  SourceMap source;
  bool operator==(const AnalysisTemplate&) const = default;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_ANALYSIS_H_
