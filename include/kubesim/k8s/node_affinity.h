// Node affinity, taints and tolerations (k8s.io/api/core/v1): what ties a
// pod to some nodes and keeps it off others.
//
// The model: a NodeSelectorTerm matches a node when every requirement holds
// (label expressions with In, NotIn, Exists, DoesNotExist, Gt, Lt; field
// expressions on metadata.name); the required terms are ORed, and an empty
// term matches nothing (k8s.io/component-helpers/scheduling/corev1/
// nodeaffinity). A toleration tolerates a taint when its effect is empty
// or the taint's, its key empty (with Exists) or the taint's, and with
// Exists or an equal value (ToleratesTaint, k8s.io/api/core/v1/toleration.go).
#ifndef KUBESIM_K8S_NODE_AFFINITY_H_
#define KUBESIM_K8S_NODE_AFFINITY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/k8s/labels.h"

namespace kubesim::k8s {

struct NodeSelectorRequirement {
  enum class Operator { kIn, kNotIn, kExists, kDoesNotExist, kGt, kLt };
  std::string key;
  Operator op = Operator::kIn;
  std::vector<std::string> values;
  // Against a node's labels (or, for a field requirement, {metadata.name: NAME}).
  bool Matches(const Labels& labels) const;
  bool operator==(const NodeSelectorRequirement&) const = default;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> match_expressions;
  std::vector<NodeSelectorRequirement> match_fields;  // key metadata.name only
  // Every requirement holds; an empty term matches no node.
  bool Matches(const Labels& node_labels, std::string_view node_name) const;
  bool operator==(const NodeSelectorTerm&) const = default;
};

struct PreferredSchedulingTerm {
  int32_t weight = 0;  // 1-100
  NodeSelectorTerm preference;
  bool operator==(const PreferredSchedulingTerm&) const = default;
};

struct NodeAffinity {
  // requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms (ORed);
  // absent: every node.
  std::optional<std::vector<NodeSelectorTerm>> required;
  // preferredDuringSchedulingIgnoredDuringExecution.
  std::vector<PreferredSchedulingTerm> preferred;
  bool RequiredMatches(const Labels& node_labels, std::string_view node_name) const;
  // The sum of the weights of the preferred terms the node matches.
  int64_t PreferredWeight(const Labels& node_labels, std::string_view node_name) const;
  bool operator==(const NodeAffinity&) const = default;
};

struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // NoSchedule, PreferNoSchedule or NoExecute
  bool operator==(const Taint&) const = default;
};

struct Toleration {
  std::string key;       // empty (with Exists): every key
  std::string op;        // "Equal" (what empty means) or "Exists"
  std::string value;
  std::string effect;    // empty: every effect
  std::optional<int64_t> toleration_seconds;  // NoExecute: how long it stays; absent: for ever
  bool Tolerates(const Taint& taint) const;
  bool operator==(const Toleration&) const = default;
};

// The first of `taints` with an effect in `effects` that no toleration
// tolerates, or null (FindMatchingUntoleratedTaint).
const Taint* FirstUntolerated(const std::vector<Taint>& taints,
                              const std::vector<Toleration>& tolerations,
                              std::initializer_list<std::string_view> effects);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_NODE_AFFINITY_H_
