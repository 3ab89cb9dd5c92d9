// The Pod and what it is made of — containers, ports, resources, probes and
// lifecycle hooks — as the v1 API defines them (k8s.io/api/core/v1/types.go).
//
// The model: a Pod runs one or more containers on a node. Each container has
// an image (whose behaviour the scenario's `images:` profiles describe),
// resource requests that the scheduler fits onto nodes, and up to three
// probes the kubelet runs: a startup probe that gates the others, a liveness
// probe whose failure restarts the container, and a readiness probe whose
// result puts the pod in or out of its Services' endpoints. A probe or hook
// has exactly one handler (exec, httpGet, tcpSocket, grpc; hooks also
// `sleep`); like the API, the types below keep one optional field per
// handler so that validation can reject none or several.
//
// All fields hold Kubernetes' defaults (defaults.h) once decoded; only fields
// the simulation uses, or validation checks, are kept. Everything else a
// manifest may say (env, volumes, securityContext, ...) is accepted and
// dropped by the loader.
#ifndef KUBESIM_K8S_POD_H_
#define KUBESIM_K8S_POD_H_

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/engine/time.h"
#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/node_affinity.h"
#include "kubesim/k8s/pod_affinity.h"
#include "kubesim/k8s/quantity.h"

namespace kubesim::k8s {

// A port given by number or by the name of a container port (IntOrString).
struct PortRef {
  std::optional<int32_t> number;  // set: a numeric port
  std::string name;               // otherwise: a named port

  bool operator==(const PortRef&) const = default;
};

struct ExecAction {
  std::vector<std::string> command;
  bool operator==(const ExecAction&) const = default;
};
// How long an exec handler takes in kubesim: the last `sleep N` in its
// words (["sleep", "5"] or ["sh", "-c", "sleep 5"]), N a positive duration
// (`2` is 2 s); zero without one. A preStop's duration; a postStart with
// one is warned about (unhonoured.cc).
SimDuration ExecSleepDuration(const std::vector<std::string>& command);
struct HttpGetAction {
  std::string path{defaults::kHttpGetPath};
  PortRef port;
  std::string host;
  std::string scheme{defaults::kHttpGetScheme};
  bool operator==(const HttpGetAction&) const = default;
};
struct TcpSocketAction {
  PortRef port;
  bool operator==(const TcpSocketAction&) const = default;
};
struct GrpcAction {
  int32_t port = 0;
  std::string service;
  bool operator==(const GrpcAction&) const = default;
};
struct SleepAction {
  int64_t seconds = 0;
  bool operator==(const SleepAction&) const = default;
};

// livenessProbe / readinessProbe / startupProbe.
struct Probe {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;
  std::optional<GrpcAction> grpc;
  int32_t initial_delay_seconds = defaults::kProbeInitialDelaySeconds;
  int32_t timeout_seconds = defaults::kProbeTimeoutSeconds;
  int32_t period_seconds = defaults::kProbePeriodSeconds;
  int32_t success_threshold = defaults::kProbeSuccessThreshold;
  int32_t failure_threshold = defaults::kProbeFailureThreshold;
  std::optional<int64_t> termination_grace_period_seconds;

  // How many handlers are set (validation wants exactly one).
  int HandlerCount() const;
  bool operator==(const Probe&) const = default;
};

// lifecycle.preStop / lifecycle.postStart.
struct LifecycleHandler {
  std::optional<ExecAction> exec;
  std::optional<HttpGetAction> http_get;
  std::optional<TcpSocketAction> tcp_socket;  // deprecated; accepted, never run
  std::optional<SleepAction> sleep;

  int HandlerCount() const;
  bool operator==(const LifecycleHandler&) const = default;
};

struct Lifecycle {
  std::optional<LifecycleHandler> post_start;
  std::optional<LifecycleHandler> pre_stop;
  bool operator==(const Lifecycle&) const = default;
};

// resources.requests / resources.limits: resource name -> quantity.
using ResourceList = std::map<std::string, Quantity, std::less<>>;

struct ResourceRequirements {
  ResourceList requests;  // defaulted from limits where only a limit is given
  ResourceList limits;
  bool operator==(const ResourceRequirements&) const = default;
};

struct ContainerPort {
  std::string name;
  int32_t container_port = 0;
  int32_t host_port = 0;  // 0: none
  std::string host_ip;    // empty: every address (0.0.0.0)
  std::string protocol{defaults::kProtocol};
  bool operator==(const ContainerPort&) const = default;
};

struct Container {
  std::string name;
  std::string image;
  // The fields the model does not read (env, command, args, volumeMounts,
  // ...), as one canonical text: changing one still changes the pod
  // template, and starts a rollout, as in Kubernetes.
  std::string unmodelled;
  // Always, IfNotPresent or Never; defaulted from the image's tag
  // (SetDefaults_Container: Always for ":latest" or no tag, else IfNotPresent).
  std::string image_pull_policy;
  std::vector<ContainerPort> ports;
  ResourceRequirements resources;
  std::optional<Probe> liveness_probe;
  std::optional<Probe> readiness_probe;
  std::optional<Probe> startup_probe;
  Lifecycle lifecycle;
  // Container-level restartPolicy: "Always" makes an init container a
  // native sidecar (Kubernetes 1.29+); empty when not given.
  std::string restart_policy;
  bool IsSidecar() const { return restart_policy == "Always"; }
  bool operator==(const Container&) const = default;
};

struct PodSpec {
  // Its fields the model does not read (volumes, serviceAccountName, ...),
  // canonically: see Container::unmodelled.
  std::string unmodelled;
  std::vector<Container> init_containers;
  std::vector<Container> containers;
  int64_t termination_grace_period_seconds = defaults::kTerminationGracePeriodSeconds;
  std::string restart_policy{defaults::kRestartPolicy};
  Labels node_selector;
  std::string node_name;
  std::optional<NodeAffinity> node_affinity;     // affinity.nodeAffinity
  std::optional<PodAffinity> pod_affinity;       // affinity.podAffinity
  std::optional<PodAffinity> pod_anti_affinity;  // affinity.podAntiAffinity
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  bool host_network = false;  // its containerPorts are host ports
  std::vector<Toleration> tolerations;
  // readinessGates[].conditionType: pod conditions that must be true, besides
  // its containers' readiness, for the pod to be Ready.
  std::vector<std::string> readiness_gates;
  // schedulingGates[].name: while any is left the scheduler does not
  // consider the pod (it stays Pending, SchedulingGated).
  std::vector<std::string> scheduling_gates;
  // Pod-level resources (PodLevelResources, beta and on by default since
  // Kubernetes 1.34): requests for the pod as a whole, which take the place
  // of the containers' total per resource.
  std::optional<ResourceRequirements> resources;
  bool operator==(const PodSpec&) const = default;
};

// spec.template of a Deployment or ReplicaSet.
struct PodTemplateSpec {
  ObjectMeta metadata;
  PodSpec spec;
  bool operator==(const PodTemplateSpec&) const = default;
};

// Kubernetes' AggregateContainerRequests for one resource
// (k8s.io/component-helpers/resource/helpers.go), `request(c)` giving each
// container's: the larger of the sum over the regular containers and the
// native sidecars, and the largest init-time peak — a plain init container's
// request plus the sidecars started before it; a sidecar's, the sidecars up
// to and including it (they keep running while later init containers run).
template <class Request>
int64_t AggregateContainerRequests(const PodSpec& spec, Request request) {
  int64_t sum = 0;
  for (const Container& c : spec.containers) sum += request(c);
  int64_t sidecars = 0;
  int64_t init_peak = 0;
  for (const Container& c : spec.init_containers) {
    const int64_t r = request(c);
    if (c.IsSidecar()) {
      sum += r;
      sidecars += r;
      init_peak = std::max(init_peak, sidecars);
    } else {
      init_peak = std::max(init_peak, r + sidecars);
    }
  }
  return std::max(sum, init_peak);
}

// kubectl's annotation naming a pod's default container (podcmd).
inline constexpr std::string_view kDefaultContainerAnnotation =
    "kubectl.kubernetes.io/default-container";

// The annotation that ranks a ReplicaSet's pods for scale-down: lower cost
// goes first (controller_utils.go ActivePodsWithRanks.Less, rule 4).
inline constexpr std::string_view kPodDeletionCostAnnotation =
    "controller.kubernetes.io/pod-deletion-cost";

// A pod-deletion-cost value as GetDeletionCostFromPodAnnotations parses it
// (pkg/apis/core/helper/helpers.go): a base-10 int32 with no '+' and no
// leading zero; nullopt when invalid (the API server then refuses the pod
// or template: "must be a 32bit integer").
std::optional<int32_t> ParseDeletionCost(std::string_view value);

// The cost `annotations` give a pod: its pod-deletion-cost, 0 when absent
// (or invalid, which validation has refused before).
int32_t DeletionCostOf(const Labels& annotations);

// The index in spec.containers of the pod's app container: the one the
// annotation kDefaultContainerAnnotation names, else the first (kubectl's
// podcmd.FindOrDefaultContainerByName). Its image gives the pod's version.
size_t AppContainerIndex(const ObjectMeta& metadata, const PodSpec& spec);

struct Pod {
  ObjectMeta metadata;
  PodSpec spec;
  SourceMap source;
  bool operator==(const Pod&) const = default;
};

// The AWS Load Balancer Controller's pod readiness gates
// (kubernetes-sigs/aws-load-balancer-controller docs/deploy/
// pod_readiness_gate.md): conditions it sets true when the pod's target is
// healthy in the target group (docs/load-model.md, 8).
inline constexpr std::string_view kLbGatePrefix = "target-health.elbv2.k8s.aws/";
inline bool IsLbGate(std::string_view gate) { return gate.starts_with(kLbGatePrefix); }
inline bool HasLbGate(const PodSpec& spec) {
  return std::any_of(spec.readiness_gates.begin(), spec.readiness_gates.end(),
                     [](const std::string& g) { return IsLbGate(g); });
}

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_POD_H_
