// Argo Rollouts' Rollout (argoproj.io/v1alpha1), as its CRD defines it
// (argo-rollouts pkg/apis/rollouts/v1alpha1/types.go at 9f8d111).
//
// The model: a Rollout owns ReplicaSets like a Deployment, but moves traffic
// and replicas from the stable one to the new one by a strategy of its own —
// `blueGreen` (a full new ReplicaSet behind a preview Service, then the
// active Service's selector switched to it, the old one scaled down
// `scaleDownDelaySeconds` later) or `canary` (steps: `setWeight`, `pause`,
// `setCanaryScale`, `analysis`). The pod template is the Rollout's own or,
// with `workloadRef`, a Deployment's.
//
// kubesim reads and validates Rollouts as the Argo Rollouts controller
// does (pkg/apis/rollouts/validation/validation.go); it does not run that
// controller yet, and says so when a scenario holds one.
#ifndef KUBESIM_K8S_ROLLOUT_H_
#define KUBESIM_K8S_ROLLOUT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "kubesim/k8s/analysis.h"
#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::k8s {

// RolloutAnalysis: the AnalysisTemplates an analysis runs, and the values
// of their arguments (args[].value; valueFrom is not resolved).
struct RolloutAnalysisTemplateRef {
  std::string name;            // templateName
  bool cluster_scope = false;  // a ClusterAnalysisTemplate
  bool operator==(const RolloutAnalysisTemplateRef&) const = default;
};
struct RolloutAnalysis {
  std::vector<RolloutAnalysisTemplateRef> templates;
  std::vector<AnalysisArgument> args;
  bool dry_run = false;  // dryRun lists a metric
  // The background analysis's startingStep (none: from the first step).
  std::optional<int32_t> starting_step;
  bool operator==(const RolloutAnalysis&) const = default;
};

// antiAffinity: new pods avoid the stable pods' nodes, preferred (with a
// weight, 1-100) or required; exactly one of the two (validation).
struct RolloutAntiAffinity {
  bool preferred = false;
  bool required = false;
  int32_t weight = 0;
  bool operator==(const RolloutAntiAffinity&) const = default;
};

struct BlueGreenStrategy {
  std::string active_service;
  std::string preview_service;
  std::optional<int32_t> preview_replica_count;
  bool auto_promotion_enabled = true;  // DefaultAutoPromotionEnabled
  int32_t auto_promotion_seconds = 0;
  std::optional<IntOrPercent> max_unavailable;      // the pod restarter's
  std::optional<int32_t> scale_down_delay_seconds;  // [30] DefaultScaleDownDelaySeconds
  std::optional<int32_t> scale_down_delay_revision_limit;
  std::optional<int32_t> abort_scale_down_delay_seconds;  // [30]
  std::optional<RolloutAnalysis> pre_promotion_analysis;
  std::optional<RolloutAnalysis> post_promotion_analysis;
  std::optional<RolloutAntiAffinity> anti_affinity;
  bool operator==(const BlueGreenStrategy&) const = default;
};

struct CanaryStep {
  // Which of CanaryStep's fields are set (validation: exactly one of
  // setWeight, pause, experiment, analysis; at least one of all).
  bool set_weight_set = false, pause_set = false, experiment = false, analysis_set = false,
       set_canary_scale_set = false, set_header_route = false, set_mirror_route = false,
       plugin = false;
  int32_t set_weight = 0;
  // pause.duration in seconds as RolloutPause::DurationSeconds reads it
  // (a number, "30", or a Go duration "1m30s"; -1 when unparsable); none:
  // until promoted.
  std::optional<int32_t> pause_seconds;
  std::string route_name;  // setHeaderRoute's or setMirrorRoute's `name`
  // experiment.templates[i] that set a `weight` (their indexes).
  std::vector<size_t> experiment_weights;
  std::optional<int32_t> scale_replicas;
  std::optional<int32_t> scale_weight;
  bool scale_match_traffic_weight = false;
  RolloutAnalysis analysis;
  bool operator==(const CanaryStep&) const = default;
};

struct CanaryStrategy {
  std::string canary_service;
  std::string stable_service;
  std::vector<CanaryStep> steps;
  // trafficRouting: its providers as named ("istio", "nginx", "alb",
  // "smi", "ambassador", "appMesh", "traefik", "apisix", "plugins"); none:
  // no trafficRouting, the weight is the share of replicas.
  std::optional<std::vector<std::string>> traffic_routing;
  bool istio_destination_rule = false;  // istio.destinationRule (subset-level routing)
  bool alb_root_service = false;        // alb.rootService
  // trafficRouting.managedRoutes: none, or its routes' names.
  std::optional<std::vector<std::string>> managed_routes;
  std::optional<int32_t> max_traffic_weight;    // [100]
  std::optional<IntOrPercent> max_surge;        // [25%] DefaultMaxSurge
  std::optional<IntOrPercent> max_unavailable;  // [25%]
  std::optional<RolloutAnalysis> analysis;      // the background analysis
  std::optional<int32_t> scale_down_delay_seconds;
  std::optional<int32_t> scale_down_delay_revision_limit;
  std::optional<int32_t> abort_scale_down_delay_seconds;
  bool dynamic_stable_scale = false;
  bool ping_pong = false;
  std::string ping_service, pong_service;
  std::optional<int32_t> min_pods_per_replica_set;
  std::optional<RolloutAntiAffinity> anti_affinity;
  bool operator==(const CanaryStrategy&) const = default;
};

struct RolloutWorkloadRef {
  std::string api_version;
  std::string kind;
  std::string name;
  std::string scale_down;  // never | onsuccess | progressively
  bool operator==(const RolloutWorkloadRef&) const = default;
};

struct RolloutSpec {
  int32_t replicas = 1;  // DefaultReplicas
  std::optional<LabelSelector> selector;
  std::optional<PodTemplateSpec> template_;  // absent with workloadRef
  std::optional<RolloutWorkloadRef> workload_ref;
  int32_t min_ready_seconds = 0;
  int32_t revision_history_limit = 10;  // DefaultRevisionHistoryLimit
  bool paused = false;
  int32_t progress_deadline_seconds = 600;  // DefaultProgressDeadlineSeconds
  bool progress_deadline_abort = false;
  std::optional<BlueGreenStrategy> blue_green;
  std::optional<CanaryStrategy> canary;
  bool operator==(const RolloutSpec&) const = default;
};

struct Rollout {
  ObjectMeta metadata;
  RolloutSpec spec;
  SourceMap source;
  bool operator==(const Rollout&) const = default;
};

// The analyses a Rollout's strategy names, in getReferencedRolloutAnalyses'
// order (rollout/controller.go): each canary step's, the background one, or
// blue-green's pre- and post-promotion ones; each with its field under
// spec.strategy ("canary.steps[2].analysis", "blueGreen.prePromotionAnalysis").
inline std::vector<std::pair<std::string, const RolloutAnalysis*>> RolloutAnalyses(
    const std::optional<BlueGreenStrategy>& bg, const std::optional<CanaryStrategy>& c) {
  std::vector<std::pair<std::string, const RolloutAnalysis*>> out;
  if (c) {
    for (size_t i = 0; i < c->steps.size(); ++i) {
      if (c->steps[i].analysis_set) {
        out.emplace_back("canary.steps[" + std::to_string(i) + "].analysis", &c->steps[i].analysis);
      }
    }
    if (c->analysis) out.emplace_back("canary.analysis", &*c->analysis);
  }
  if (bg && bg->pre_promotion_analysis) {
    out.emplace_back("blueGreen.prePromotionAnalysis", &*bg->pre_promotion_analysis);
  }
  if (bg && bg->post_promotion_analysis) {
    out.emplace_back("blueGreen.postPromotionAnalysis", &*bg->post_promotion_analysis);
  }
  return out;
}

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_ROLLOUT_H_
