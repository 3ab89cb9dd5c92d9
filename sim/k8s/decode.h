// Decoding Kubernetes objects from YAML documents, then defaulting and
// validating them as `kubectl apply` and the API server would.
//
// The model: one document is one object (or a `kind: List` of them). The
// decoder reads the fields kubesim keeps, applies Kubernetes' defaults
// (defaults.h), records each field's position in the object's SourceMap and
// runs validation.h, turning every problem into a positioned Diagnostic.
// Fields it does not know are ignored, as Kubernetes ignores fields it does
// not model; kinds kubesim does not simulate give one warning each.
#ifndef KUBESIM_SIM_K8S_DECODE_H_
#define KUBESIM_SIM_K8S_DECODE_H_

#include <string>
#include <vector>

#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/object.h"
#include "yaml_tree.h"

namespace kubesim::k8s {

// An object and the tree it came from (kept so that timeline steps can patch
// the object the way kubectl patches the stored JSON).
struct DecodedObject {
  Object object;
  yaml::NodePtr tree;
};

// Decodes the document `root` of `file`. Objects that decoded and validated
// without error are appended to `objects`; everything else becomes
// diagnostics. Returns false if the document had errors.
bool DecodeDocument(const yaml::NodePtr& root, const std::string& file, Diagnostics* out,
                    std::vector<DecodedObject>* objects);

// The error for a document that is not a mapping, shared with the Scenario
// loader: "a YAML document must be a mapping (a Kubernetes object or the
// Scenario), got ...".
std::string NotAMappingMessage(const yaml::Node& root);

}  // namespace kubesim::k8s

#endif  // KUBESIM_SIM_K8S_DECODE_H_
