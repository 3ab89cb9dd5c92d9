// PodDisruptionBudget (policy/v1): how many of a set of pods a voluntary
// disruption — an eviction, as `kubectl drain` makes them — may take away.
//
// The model: the budget counts the pods its selector matches in its
// namespace; `minAvailable` or `maxUnavailable` (a count or a percentage of
// the pods' controllers' scale) says how many must stay healthy (Ready, not
// terminating). An eviction that would leave fewer is refused with 429,
// and kubectl retries it. The arithmetic is the disruption controller's
// (pkg/controller/disruption/disruption.go); the eviction's checks the
// eviction subresource's (pkg/registry/core/pod/storage/eviction.go).
#ifndef KUBESIM_K8S_POLICY_H_
#define KUBESIM_K8S_POLICY_H_

#include <optional>
#include <string>

#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"

namespace kubesim::k8s {

struct PodDisruptionBudgetSpec {
  // policy/v1: an empty selector matches every pod of the namespace, an
  // absent one none.
  std::optional<LabelSelector> selector;
  std::optional<IntOrPercent> min_available;
  std::optional<IntOrPercent> max_unavailable;
  // "IfHealthyBudget" (what an empty value means) or "AlwaysAllow": whether
  // a pod that is not Ready may be evicted when the budget is not met.
  std::string unhealthy_pod_eviction_policy;
  bool operator==(const PodDisruptionBudgetSpec&) const = default;
};

struct PodDisruptionBudget {
  ObjectMeta metadata;
  PodDisruptionBudgetSpec spec;
  SourceMap source;
  bool operator==(const PodDisruptionBudget&) const = default;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_POLICY_H_
