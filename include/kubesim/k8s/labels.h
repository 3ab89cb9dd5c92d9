// Labels and LabelSelector: how Kubernetes objects find each other.
//
// The model: labels are a string-to-string map on an object's metadata. A
// LabelSelector (metav1.LabelSelector) selects objects whose labels satisfy
// every `matchLabels` pair and every `matchExpressions` requirement — the
// requirements are ANDed (LabelSelectorAsSelector in
// k8s.io/apimachinery/pkg/apis/meta/v1/helpers.go). An empty selector (no
// pairs, no expressions) matches everything; Deployments and ReplicaSets
// reject it in validation, Services instead use a plain map selector where
// "none" means "endpoints are managed by hand".
#ifndef KUBESIM_K8S_LABELS_H_
#define KUBESIM_K8S_LABELS_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/engine/expected.h"

namespace kubesim::k8s {

// Ordered, so every iteration (and every report) is deterministic.
using Labels = std::map<std::string, std::string, std::less<>>;

// One `matchExpressions` entry.
struct LabelSelectorRequirement {
  enum class Operator { kIn, kNotIn, kExists, kDoesNotExist };
  std::string key;
  Operator op = Operator::kIn;
  std::vector<std::string> values;

  // In: the key is present with one of the values. NotIn: the key is absent
  // or has none of them. Exists / DoesNotExist: the key is (not) present.
  bool Matches(const Labels& labels) const;
  bool operator==(const LabelSelectorRequirement&) const = default;
};

// "In", "NotIn", "Exists", "DoesNotExist".
const char* OperatorName(LabelSelectorRequirement::Operator op);

struct LabelSelector {
  Labels match_labels;
  std::vector<LabelSelectorRequirement> match_expressions;

  bool IsEmpty() const { return match_labels.empty() && match_expressions.empty(); }
  // Every pair and every requirement holds for `labels`.
  bool Matches(const Labels& labels) const;
  bool operator==(const LabelSelector&) const = default;
};

// A Service's selector: every pair is present in `labels`. REQUIRES:
// `selector` is not empty (an empty Service selector selects nothing).
bool MapSelectorMatches(const Labels& selector, const Labels& labels);

// A selector as kubectl's `-l`/`--selector` takes it (labels.Parse,
// k8s.io/apimachinery/pkg/labels/selector.go): requirements separated by
// commas, each `KEY=VALUE`, `KEY==VALUE`, `KEY!=VALUE` (the key absent or
// another value), `KEY in (V1,V2)`, `KEY notin (V1,V2)`, `KEY` (present) or
// `!KEY` (absent). Every requirement lands in match_expressions (`=` as In
// with one value), so a key may appear twice. "" selects everything.
Expected<LabelSelector> ParseSelector(std::string_view text);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_LABELS_H_
