// ObjectMeta and SourceMap: what every Kubernetes object has — a name, a
// namespace, labels — and where in the input each of its fields was written.
//
// The model: objects are identified by (kind, namespace, name), as the API
// server identifies them; `namespace` is "default" when the manifest gives
// none. The SourceMap is kubesim's addition: the loader records, for every
// field it read, the position of its value under the field's path
// ("spec.strategy.rollingUpdate.maxSurge", "spec.template.spec.containers[0]"),
// so that errors found later (validation, a timeline step that patches the
// object) can point at the line the user wrote.
#ifndef KUBESIM_K8S_META_H_
#define KUBESIM_K8S_META_H_

#include <map>
#include <string>
#include <string_view>

#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/labels.h"

namespace kubesim::k8s {

struct ObjectMeta {
  std::string name;
  std::string namespace_name;  // "default" when the manifest gives none
  Labels labels;
  Labels annotations;

  bool operator==(const ObjectMeta&) const = default;
};

// Field path -> position of the value written there.
class SourceMap {
 public:
  // The object's document: its first line and column.
  Position document;

  void Record(std::string path, Position at) { fields_[std::move(path)] = std::move(at); }
  // The position of `path`, or of its longest recorded ancestor
  // ("spec.replicas" -> "spec" -> the document).
  Position At(std::string_view path) const;

  // Positions do not make two objects different.
  bool operator==(const SourceMap&) const { return true; }

 private:
  std::map<std::string, Position, std::less<>> fields_;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_META_H_
