// Flagger's Canary (flagger.app/v1beta1), as its CRD defines it (fluxcd/flagger
// pkg/apis/flagger/v1beta1/canary.go at 15bd6ad), for the fields kubesim
// reads, and the defaults and step arithmetic Flagger's scheduler applies
// (pkg/controller/scheduler.go).
//
// The model: a Canary names a Deployment (`targetRef`). Flagger copies it to
// `<target>-primary`, points the Service `<service>` at the primary's pods,
// and scales the target to zero. When the target's template changes, Flagger
// scales it back up (the canary), moves traffic to it step by step while the
// analysis passes, and then promotes: the primary's template becomes the
// canary's and the target goes back to zero; `threshold` failed checks roll
// it back instead (docs/progressive-delivery.md).
#ifndef KUBESIM_K8S_FLAGGER_H_
#define KUBESIM_K8S_FLAGGER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/k8s/meta.h"

namespace kubesim::k8s {

inline constexpr std::string_view kFlaggerApiVersion = "flagger.app/v1beta1";

// CanaryMetric: a builtin metric (request-success-rate, request-duration),
// one kubesim cannot evaluate (a MetricTemplate, a query), or one Flagger
// cannot either (no builtin name, no templateRef, no query: it fails).
struct FlaggerMetric {
  enum class Source : uint8_t { kSuccessRate, kDuration, kTemplated, kUnusable };
  std::string name;
  Source source = Source::kSuccessRate;
  int64_t interval_us = 60'000'000;  // GetMetricInterval: "1m" by default
  bool range = false;                // thresholdRange is set: min and max, not threshold
  std::optional<double> min, max;
  double threshold = 0;  // the deprecated threshold, read without thresholdRange
  bool operator==(const FlaggerMetric&) const = default;
};

struct FlaggerAnalysis {
  int64_t interval_us = 60'000'000;  // GetAnalysisInterval (at least 10 s)
  int32_t threshold = 1;             // GetAnalysisThreshold
  int32_t max_weight = 0;            // 0: unset
  int32_t step_weight = 0;
  std::vector<int32_t> step_weights;
  int32_t step_weight_promotion = 0;
  int32_t iterations = 0;
  bool match = false;  // A/B: match conditions are set
  int32_t primary_ready_threshold = 100;
  int32_t canary_ready_threshold = 100;
  std::vector<FlaggerMetric> metrics;
  bool operator==(const FlaggerAnalysis&) const = default;
};

struct FlaggerCanarySpec {
  std::string provider;  // "" : the mesh provider flag's default, istio
  std::string target_kind = "Deployment";
  std::string target_name;
  std::string service_name;  // spec.service.name; "" : the target's name
  int32_t port = 0;
  std::optional<FlaggerAnalysis> analysis;
  int32_t progress_deadline_seconds = 600;
  bool skip_analysis = false;
  bool suspend = false;
  bool operator==(const FlaggerCanarySpec&) const = default;
};

struct FlaggerCanary {
  ObjectMeta metadata;
  FlaggerCanarySpec spec;
  SourceMap source;
  bool operator==(const FlaggerCanary&) const = default;
};

// The deployment strategy Flagger runs (Canary.DeploymentStrategy): A/B when
// `match` is set and iterations > 0, blue/green when iterations > 0, else
// canary. The kubernetes provider forces blue/green (scheduler.go: match
// cleared, iterations 10 when unset).
enum class FlaggerStrategy : uint8_t { kCanary, kBlueGreen, kABTesting };
FlaggerStrategy FlaggerStrategyOf(const FlaggerCanarySpec& spec);
// The analysis's iterations as the scheduler uses them (10 for the
// kubernetes provider when unset).
int32_t FlaggerIterations(const FlaggerCanarySpec& spec);
// Whether the provider routes traffic between primary and canary (every
// provider but kubernetes, whose router is a no-op).
bool FlaggerRoutes(const FlaggerCanarySpec& spec);
// scheduler.go maxWeight: min(100, last stepWeights entry), else maxWeight,
// else 100.
int32_t FlaggerMaxWeight(const FlaggerAnalysis& a);
// scheduler.go nextStepWeight: the step from `canary_weight`.
int32_t FlaggerNextStepWeight(const FlaggerAnalysis& a, int32_t canary_weight);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_FLAGGER_H_
