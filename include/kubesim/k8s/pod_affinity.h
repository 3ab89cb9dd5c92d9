// Inter-pod affinity and topology spread constraints (k8s.io/api/core/v1):
// what places a pod by the pods already on a node and its neighbours.
//
// The model: a PodAffinityTerm selects pods by label in some namespaces —
// those it lists, all of them with an empty namespaceSelector, else the
// pod's own — and names the node label (topologyKey) whose value is the
// "domain": pods on nodes with the same value are together. A null
// labelSelector selects no pod. matchLabelKeys / mismatchLabelKeys add
// `key In (the pod's value)` / `key NotIn (...)` for each key the pod has
// (as the API server merges them into the selector when it creates the pod).
// A TopologySpreadConstraint counts the pods its selector matches in the
// pod's namespace per domain; matchLabelKeys is merged the same way.
#ifndef KUBESIM_K8S_POD_AFFINITY_H_
#define KUBESIM_K8S_POD_AFFINITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/k8s/labels.h"

namespace kubesim::k8s {

struct PodAffinityTerm {
  std::optional<LabelSelector> label_selector;  // null: no pod
  std::vector<std::string> namespaces;
  // null: `namespaces` (or the pod's own when empty); empty: every namespace.
  std::optional<LabelSelector> namespace_selector;
  std::string topology_key;
  std::vector<std::string> match_label_keys;
  std::vector<std::string> mismatch_label_keys;
  bool operator==(const PodAffinityTerm&) const = default;
};

struct WeightedPodAffinityTerm {
  int32_t weight = 0;  // 1-100
  PodAffinityTerm term;
  bool operator==(const WeightedPodAffinityTerm&) const = default;
};

// affinity.podAffinity or affinity.podAntiAffinity.
struct PodAffinity {
  std::vector<PodAffinityTerm> required;           // requiredDuringScheduling...
  std::vector<WeightedPodAffinityTerm> preferred;  // preferredDuringScheduling...
  bool operator==(const PodAffinity&) const = default;
};

struct TopologySpreadConstraint {
  int32_t max_skew = 0;
  std::string topology_key;
  std::string when_unsatisfiable;               // DoNotSchedule or ScheduleAnyway
  std::optional<LabelSelector> label_selector;  // null: no pod
  std::optional<int32_t> min_domains;
  std::string node_affinity_policy = "Honor";  // Honor or Ignore
  std::string node_taints_policy = "Ignore";   // Honor or Ignore
  std::vector<std::string> match_label_keys;
  bool operator==(const TopologySpreadConstraint&) const = default;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_POD_AFFINITY_H_
