// Flagger's defaults and step arithmetic (include/kubesim/k8s/flagger.h),
// after fluxcd/flagger 15bd6ad: pkg/apis/flagger/v1beta1/canary.go and
// pkg/controller/scheduler.go.
#include "kubesim/k8s/flagger.h"

#include <algorithm>

namespace kubesim::k8s {

namespace {
constexpr int32_t kTotalWeight = 100;  // scheduler.go totalWeight
}  // namespace

bool FlaggerRoutes(const FlaggerCanarySpec& spec) { return spec.provider != "kubernetes"; }

int32_t FlaggerIterations(const FlaggerCanarySpec& spec) {
  const int32_t iterations = spec.analysis ? spec.analysis->iterations : 0;
  // advanceCanary: "strategy: Blue/Green" for the kubernetes provider.
  if (!FlaggerRoutes(spec) && iterations < 1) return 10;
  return iterations;
}

FlaggerStrategy FlaggerStrategyOf(const FlaggerCanarySpec& spec) {
  // Canary.DeploymentStrategy; the kubernetes provider clears match.
  const bool match = spec.analysis && spec.analysis->match && FlaggerRoutes(spec);
  const int32_t iterations = FlaggerIterations(spec);
  if (match && iterations > 0) return FlaggerStrategy::kABTesting;
  if (iterations > 0) return FlaggerStrategy::kBlueGreen;
  return FlaggerStrategy::kCanary;
}

int32_t FlaggerMaxWeight(const FlaggerAnalysis& a) {
  if (!a.step_weights.empty()) return std::min(kTotalWeight, a.step_weights.back());
  if (a.max_weight > 0) return a.max_weight;
  return kTotalWeight;
}

int32_t FlaggerNextStepWeight(const FlaggerAnalysis& a, int32_t canary_weight) {
  if (a.step_weight > 0 || a.step_weights.empty()) return a.step_weight;
  const int32_t max_step = kTotalWeight - canary_weight;
  // "If maxStep is zero we need to promote, so any non zero step weight will
  // move the canary to promotion."
  if (max_step == 0) return 1;
  if (canary_weight == 0) return std::min(max_step, a.step_weights[0]);
  for (size_t i = 0; i + 1 < a.step_weights.size(); ++i) {
    if (a.step_weights[i] == canary_weight) {
      return std::min(max_step, a.step_weights[i + 1] - canary_weight);
    }
  }
  return max_step;
}

}  // namespace kubesim::k8s
