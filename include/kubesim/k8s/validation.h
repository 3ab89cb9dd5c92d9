// API-server validation of the kinds kubesim simulates.
//
// The model: after defaulting, the API server checks an object and rejects it
// with a list of field errors — `spec.replicas: Invalid value: -1: must be
// greater than or equal to 0`. These functions apply the same rules
// (pkg/apis/apps/validation/validation.go, pkg/apis/core/validation/
// validation.go, k8s.io/apimachinery/pkg/util/validation), for the fields
// kubesim keeps, with the same wording where Kubernetes has one. A field
// error names its path; the loader turns the path into a file position with
// the object's SourceMap.
#ifndef KUBESIM_K8S_VALIDATION_H_
#define KUBESIM_K8S_VALIDATION_H_

#include <string>
#include <string_view>
#include <vector>

#include "kubesim/k8s/object.h"
#include "kubesim/k8s/rollout.h"

namespace kubesim::k8s {

// One rejected field: `field` is the path ("spec.selector"), `message` the
// reason, already in Kubernetes' form ("Invalid value: 0: may not be 0 when
// `maxSurge` is 0").
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};
using FieldErrors = std::vector<FieldError>;

FieldErrors ValidateDeployment(const Deployment& d);
FieldErrors ValidateReplicaSet(const ReplicaSet& rs);
FieldErrors ValidatePod(const Pod& pod);
FieldErrors ValidateService(const Service& s);
FieldErrors ValidateNamespace(const Namespace& ns);
FieldErrors ValidatePodDisruptionBudget(const PodDisruptionBudget& pdb);
FieldErrors Validate(const Object& object);
// The Argo Rollouts controller's checks (rollout.h); the messages are
// Argo's, the field paths where the value is in the manifest.
FieldErrors ValidateRollout(const Rollout& rollout);

// The name rules of k8s.io/apimachinery/pkg/util/validation. Each returns the
// empty string when `value` is valid, else Kubernetes' explanation.
// DNS-1123 label: lower-case alphanumerics and '-', starting and ending
// alphanumeric, at most 63 characters (Namespace, container names).
std::string CheckDns1123Label(std::string_view value);
// DNS-1123 subdomain: labels joined by '.', at most 253 characters
// (Deployment, ReplicaSet, Pod names).
std::string CheckDns1123Subdomain(std::string_view value);
// DNS-1035 label: a DNS-1123 label starting with a letter (Service names).
std::string CheckDns1035Label(std::string_view value);
// A label key: [prefix/]name, prefix a DNS-1123 subdomain, name at most 63
// characters of alphanumerics, '-', '_', '.', alphanumeric at both ends.
std::string CheckLabelKey(std::string_view key);
// A label value: empty, or like a label key's name part.
std::string CheckLabelValue(std::string_view value);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_VALIDATION_H_
