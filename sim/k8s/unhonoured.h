// Fields Kubernetes honours that kubesim reads but does not simulate, and
// that would change what a run reports: the one table of them. The decoder
// warns where a manifest sets one (once per object and field, naming it);
// docs/scenario-format.md's section "Fields read but not honoured" lists the
// same rows, and a test holds the two equal.
#ifndef KUBESIM_SIM_K8S_UNHONOURED_H_
#define KUBESIM_SIM_K8S_UNHONOURED_H_

#include <span>
#include <string_view>

#include "yaml_tree.h"

namespace kubesim::k8s {

struct UnhonouredField {
  std::string_view type;    // the API type holding it: "PodSpec", "Container", ...
  std::string_view field;   // its path in that type, as a manifest writes it
  std::string_view when;    // which values are not honoured, in words (the docs' column)
  std::string_view effect;  // what Kubernetes would do that kubesim does not: the warning
  // Whether the value found at `field` is one kubesim does not honour
  // (nullptr: any value but null).
  bool (*applies)(const yaml::Node& value) = nullptr;
};

// Every row, in the docs' order.
std::span<const UnhonouredField> UnhonouredFields();

// The value at a dotted path of a mapping ("lifecycle.postStart"), or null.
const yaml::Node* FieldAt(const yaml::Node& map, std::string_view dotted);

}  // namespace kubesim::k8s

#endif  // KUBESIM_SIM_K8S_UNHONOURED_H_
