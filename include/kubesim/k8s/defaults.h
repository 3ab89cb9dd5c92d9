// Kubernetes defaults, in one place, each with the Kubernetes source that sets
// it. The decoder applies them when a field is absent (or, where Kubernetes
// does so, zero); nothing else in kubesim may hard-code these numbers.
#ifndef KUBESIM_K8S_DEFAULTS_H_
#define KUBESIM_K8S_DEFAULTS_H_

#include <cstdint>
#include <string_view>

#include "kubesim/k8s/int_or_percent.h"

namespace kubesim::k8s::defaults {

// Deployment: pkg/apis/apps/v1/defaults.go, SetDefaults_Deployment.
inline constexpr int32_t kDeploymentReplicas = 1;             // SetDefaults_Deployment
inline constexpr int32_t kRevisionHistoryLimit = 10;          // SetDefaults_Deployment
inline constexpr int32_t kProgressDeadlineSeconds = 600;      // SetDefaults_Deployment
inline constexpr int32_t kMinReadySeconds = 0;                // no defaulter: Go zero value
inline const IntOrPercent kMaxSurge = IntOrPercent::Percent(25);        // SetDefaults_Deployment
inline const IntOrPercent kMaxUnavailable = IntOrPercent::Percent(25);  // SetDefaults_Deployment

// ReplicaSet: pkg/apis/apps/v1/defaults.go, SetDefaults_ReplicaSet.
inline constexpr int32_t kReplicaSetReplicas = 1;  // SetDefaults_ReplicaSet

// Probe: pkg/apis/core/v1/defaults.go, SetDefaults_Probe (a zero value is
// replaced too, so `periodSeconds: 0` means 10).
inline constexpr int32_t kProbeInitialDelaySeconds = 0;  // no defaulter: Go zero value
inline constexpr int32_t kProbeTimeoutSeconds = 1;       // SetDefaults_Probe
inline constexpr int32_t kProbePeriodSeconds = 10;       // SetDefaults_Probe
inline constexpr int32_t kProbeSuccessThreshold = 1;     // SetDefaults_Probe
inline constexpr int32_t kProbeFailureThreshold = 3;     // SetDefaults_Probe
inline constexpr std::string_view kHttpGetPath = "/";    // SetDefaults_HTTPGetAction
inline constexpr std::string_view kHttpGetScheme = "HTTP";  // SetDefaults_HTTPGetAction

// Pod: pkg/apis/core/v1/defaults.go, SetDefaults_PodSpec;
// v1.DefaultTerminationGracePeriodSeconds.
inline constexpr int64_t kTerminationGracePeriodSeconds = 30;  // SetDefaults_PodSpec
inline constexpr std::string_view kRestartPolicy = "Always";    // SetDefaults_PodSpec

// imagePullPolicy: pkg/apis/core/v1/defaults.go, SetDefaults_Container —
// Always when the image's tag is "latest" (an untagged image's tag is
// "latest"), else IfNotPresent (a digest-only reference included).
inline std::string_view DefaultImagePullPolicy(std::string_view image) {
  // parsers.ParseImageName: the tag follows the last ':' after the last '/';
  // a reference with a digest ("@sha256:...") and no tag has tag "".
  const size_t slash = image.rfind('/');
  std::string_view last = slash == std::string_view::npos ? image : image.substr(slash + 1);
  const size_t at = last.find('@');
  const std::string_view name_tag = last.substr(0, at);
  const size_t colon = name_tag.rfind(':');
  std::string_view tag = colon == std::string_view::npos ? std::string_view{} : name_tag.substr(colon + 1);
  if (colon == std::string_view::npos && at == std::string_view::npos) tag = "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

// Ports: SetDefaults_ContainerPort / SetDefaults_ServicePort.
inline constexpr std::string_view kProtocol = "TCP";            // SetDefaults_ContainerPort
inline constexpr std::string_view kServiceType = "ClusterIP";   // SetDefaults_Service

// Objects without metadata.namespace live in "default" (kubectl's context
// namespace when none is configured).
inline constexpr std::string_view kNamespace = "default";

}  // namespace kubesim::k8s::defaults

#endif  // KUBESIM_K8S_DEFAULTS_H_
