// Setting a swept parameter's value in a scenario's YAML documents: field
// paths, which document a parameter names, the edit itself, and a value's
// text for the CSV. Internal to sim/sweep/.
#ifndef KUBESIM_SIM_SWEEP_VARY_H_
#define KUBESIM_SIM_SWEEP_VARY_H_

#include <string>
#include <string_view>
#include <vector>

#include "../k8s/yaml_tree.h"
#include "kubesim/engine/expected.h"
#include "kubesim/sweep/sweep.h"

namespace kubesim::sweep {

// "spec.strategy.rollingUpdate.maxSurge", "spec.cluster.nodes[0].count",
// `metadata.annotations["example.com/x"]`: keys between dots, list indexes
// in brackets, a key holding dots in brackets and double quotes.
Expected<std::vector<Segment>> ParseField(std::string_view text);

// Splits a parameter's path into kind, object and field
// (`Deployment/web.spec.replicas`, `Scenario.spec.seed`). An object's name may
// hold dots, so for objects only the kind and the text after "KIND/" are
// known here; the field is split off when a document's name is matched
// (FieldFor).
Expected<Parameter> ParsePath(std::string_view path);

// The field `p` names in document `root`, if the document is the one `p`
// names (its kind, and its name or namespace/name begins the path).
std::optional<std::vector<Segment>> FieldFor(const Parameter& p, const yaml::Node& root);

// `root` with `value` at `field`, the mappings on the way created; the new
// nodes take the marks of the nodes they replace, so that an error in them
// points at the varied field. An error when the path runs through a scalar
// or past the end of a list.
Expected<yaml::NodePtr> SetField(const yaml::NodePtr& root, const std::vector<Segment>& field,
                                 const yaml::NodePtr& value);

// Where `field` lands in `root`: the mark of the node it replaces, or of the
// deepest mapping on its way that exists (the one SetField adds to). The
// value placed there carries this mark.
yaml::Mark TargetMark(const yaml::Node& root, const std::vector<Segment>& field);

// A value as one line of flow YAML ("25%", "3", "{cpu: 500m}", "[a, b]").
std::string FlowText(const yaml::Node& value);

}  // namespace kubesim::sweep

#endif  // KUBESIM_SIM_SWEEP_VARY_H_
