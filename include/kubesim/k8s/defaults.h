// Kubernetes defaults, in one place, each with the Kubernetes source that sets
// it. The decoder applies them when a field is absent (or, where Kubernetes
// does so, zero); nothing else in kubesim may hard-code these numbers.
#ifndef KUBESIM_K8S_DEFAULTS_H_
#define KUBESIM_K8S_DEFAULTS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "kubesim/k8s/int_or_percent.h"

namespace kubesim::k8s {

// An image reference NAME[:TAG][@DIGEST] split as parsers.ParseImageName
// splits it: the tag follows the last ':' after the last '/' (a ':' before
// it is a registry's port), the digest the '@'. Absent parts are nullopt;
// a present one may be empty ("app:").
struct ImageReference {
  std::optional<std::string_view> tag;
  std::optional<std::string_view> digest;  // "sha256:4f1c..."
};
inline ImageReference ParseImageReference(std::string_view image) {
  ImageReference ref;
  std::string_view name_tag = image;
  if (const size_t at = image.find('@'); at != std::string_view::npos) {
    name_tag = image.substr(0, at);
    ref.digest = image.substr(at + 1);
  }
  const size_t slash = name_tag.rfind('/');
  const size_t colon = name_tag.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = name_tag.substr(colon + 1);
  }
  return ref;
}

}  // namespace kubesim::k8s

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
  // A reference with a digest and no tag has tag "" (parsers.ParseImageName).
  const ImageReference ref = ParseImageReference(image);
  const std::string_view tag = ref.tag ? *ref.tag : ref.digest ? "" : "latest";
  return tag == "latest" ? "Always" : "IfNotPresent";
}

// Ports: SetDefaults_ContainerPort / SetDefaults_ServicePort.
inline constexpr std::string_view kProtocol = "TCP";            // SetDefaults_ContainerPort
inline constexpr std::string_view kServiceType = "ClusterIP";   // SetDefaults_Service

// Components' defaults: the kubelet, kube-controller-manager and
// kube-scheduler as they run without flags.
//
// kubelet: pkg/kubelet/kubelet.go backOffPeriod and MaxContainerBackOff
// (CrashLoopBackOff doubles from the first to the second; an entry is
// forgotten 2 x max after its last update); kuberuntime
// minimumGracePeriodInSeconds (the least time from SIGTERM to SIGKILL).
inline constexpr int64_t kKubeletBackoffInitialSeconds = 10;   // backOffPeriod
inline constexpr int64_t kKubeletBackoffMaxSeconds = 300;      // MaxContainerBackOff
inline constexpr int64_t kKubeletMinimumGracePeriodSeconds = 2;  // minimumGracePeriodInSeconds
// kube-controller-manager: node-monitor-grace-period (40 s for years, 50 s
// since Kubernetes 1.32, kubernetes/kubernetes#127352), the NotReady taint's
// toleration (DefaultTolerationSeconds, 300 s), and the ReplicaSet
// controller's BurstReplicas (replica_set.go).
inline constexpr int64_t kNodeMonitorGracePeriodSeconds = 50;
// The kubelet renews its node Lease every nodeLeaseDurationSeconds (40) x
// NodeLeaseRenewIntervalFraction (0.25) = 10 s (pkg/kubelet/kubelet.go);
// the node lifecycle controller looks at the nodes every
// --node-monitor-period, 5 s.
inline constexpr int64_t kNodeLeaseRenewIntervalSeconds = 10;
inline constexpr int64_t kNodeMonitorPeriodSeconds = 5;
inline constexpr int64_t kNotReadyTolerationSeconds = 300;     // DefaultTolerationSeconds
inline constexpr int32_t kReplicaSetBurstReplicas = 500;       // BurstReplicas
// kube-scheduler: pkg/scheduler/util/pod_resources.go (a container without a
// request scores as DefaultMilliCPURequest / DefaultMemoryRequest),
// framework.MaxNodeScore, and schedule_one.go's minFeasibleNodesToFind and
// minFeasibleNodesPercentageToFind (the adaptive percentageOfNodesToScore).
inline constexpr int64_t kSchedulerDefaultMilliCpuRequest = 100;                // 0.1 core
inline constexpr int64_t kSchedulerDefaultMemoryRequest = 200LL * 1024 * 1024;  // 200 MiB
inline constexpr int64_t kSchedulerMaxNodeScore = 100;                          // MaxNodeScore
inline constexpr int32_t kSchedulerMinFeasibleNodesToFind = 100;
inline constexpr int32_t kSchedulerMinFeasibleNodesPercentageToFind = 5;

// Objects without metadata.namespace live in "default" (kubectl's context
// namespace when none is configured).
inline constexpr std::string_view kNamespace = "default";

}  // namespace kubesim::k8s::defaults

#endif  // KUBESIM_K8S_DEFAULTS_H_
