// Object: one Kubernetes object kubesim simulates — a Deployment,
// ReplicaSet, Service, Pod, PodDisruptionBudget, Namespace or Argo Rollouts'
// Rollout, AnalysisTemplate, or Flagger's Canary — and its key.
//
// The model: a manifest is a list of objects; applying one creates it or
// replaces the one with the same ObjectKey (kind, namespace, name), as
// `kubectl apply` does. Kinds kubesim does not simulate (ConfigMap, Ingress,
// ...) never become Objects: the loader warns about them and drops them.
#ifndef KUBESIM_K8S_OBJECT_H_
#define KUBESIM_K8S_OBJECT_H_

#include <compare>
#include <string>
#include <string_view>
#include <variant>

#include "kubesim/k8s/analysis.h"
#include "kubesim/k8s/deployment.h"
#include "kubesim/k8s/flagger.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/pod.h"
#include "kubesim/k8s/policy.h"
#include "kubesim/k8s/rollout.h"
#include "kubesim/k8s/service.h"

namespace kubesim::k8s {

struct Namespace {
  ObjectMeta metadata;
  SourceMap source;
  bool operator==(const Namespace&) const = default;
};

using Object = std::variant<Deployment, ReplicaSet, Service, Pod, PodDisruptionBudget, Namespace,
                            Rollout, AnalysisTemplate, FlaggerCanary>;

// (kind, namespace, name). Namespaces themselves have an empty namespace.
struct ObjectKey {
  // "Deployment", "ReplicaSet", "Service", "Pod", "PodDisruptionBudget",
  // "Namespace", "Rollout", "AnalysisTemplate", "ClusterAnalysisTemplate",
  // "Canary"
  std::string kind;
  std::string namespace_name;
  std::string name;

  auto operator<=>(const ObjectKey&) const = default;
  // "Deployment default/echo-version"-like text for messages:
  // `deployment "echo-version"`, `service "web" in namespace "shop"`.
  std::string Describe() const;
};

std::string_view KindOf(const Object& object);
const ObjectMeta& MetaOf(const Object& object);
const SourceMap& SourceOf(const Object& object);
ObjectKey KeyOf(const Object& object);

// The pod template of a Deployment, ReplicaSet or Rollout (null for a
// Rollout with a workloadRef), else null.
const PodTemplateSpec* TemplateOf(const Object& object);

// The apiVersion a simulated kind must be written with ("apps/v1", "v1",
// "argoproj.io/v1alpha1"),
// or empty if `kind` is not simulated.
std::string_view ApiVersionOfKind(std::string_view kind);

// Maps a kubectl resource name to a kind, as kubectl's RESTMapper does for
// the kinds kubesim simulates: "deployment", "deployments", "deploy",
// "deployment.apps" -> "Deployment"; "svc" -> "Service"; "po" -> "Pod"; ...
// Empty if unknown.
std::string_view KindOfResource(std::string_view resource);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_OBJECT_H_
