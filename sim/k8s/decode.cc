// Decodes Deployment, ReplicaSet, Service, Pod and Namespace documents; see
// decode.h. Each Decode* function reads one API type; defaults come from
// defaults.h and are applied where Kubernetes' SetDefaults_* functions apply
// them.
#include "decode.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <limits>
#include <span>
#include <string_view>
#include <vector>

#include "kubesim/engine/time.h"
#include "kubesim/k8s/analysis_condition.h"
#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/flagger.h"
#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/rollout.h"
#include "kubesim/k8s/validation.h"
#include "reader.h"
#include "unhonoured.h"

namespace kubesim::k8s {
namespace {

using yaml::Node;
using yaml::Entry;

std::string Sub(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : fmt::format("{}.{}", path, field);
}
std::string Idx(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }

const Node* Child(const Node* map, std::string_view key) {
  return map == nullptr ? nullptr : map->Get(key);
}

// Strict field validation. kubectl apply validates strictly by default
// (--validate=strict since Kubernetes 1.25): the API server's strict decoding
// rejects a field its type does not have, so `replica: 3` is an error,
// "strict decoding error: unknown field \"spec.replica\"", not a Deployment of
// one replica. The lists are the JSON fields of the types in k8s.io/api
// (apps/v1 and core/v1 types.go, v1.35); maps the model does not read
// (securityContext, volumes, affinity, env, status, ...) are not checked.
using Fields = std::span<const std::string_view>;

constexpr std::string_view kObjectFields[] = {"apiVersion", "kind", "metadata", "spec", "status"};
constexpr std::string_view kObjectMetaFields[] = {
    "name",           "generateName",      "namespace",         "selfLink",
    "uid",            "resourceVersion",   "generation",        "creationTimestamp",
    "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
    "ownerReferences", "finalizers",       "managedFields"};
constexpr std::string_view kDeploymentSpecFields[] = {
    "replicas", "selector",          "template", "strategy", "minReadySeconds",
    "revisionHistoryLimit", "paused", "progressDeadlineSeconds"};
constexpr std::string_view kDeploymentStrategyFields[] = {"type", "rollingUpdate"};
// Argo Rollouts' Rollout (pkg/apis/rollouts/v1alpha1/types.go at 9f8d111).
constexpr std::string_view kArgoRolloutsApiVersion = "argoproj.io/v1alpha1";
constexpr std::string_view kRolloutSpecFields[] = {"replicas",
                                                   "selector",
                                                   "template",
                                                   "workloadRef",
                                                   "minReadySeconds",
                                                   "rollbackWindow",
                                                   "strategy",
                                                   "revisionHistoryLimit",
                                                   "paused",
                                                   "progressDeadlineSeconds",
                                                   "progressDeadlineAbort",
                                                   "restartAt",
                                                   "analysis"};
constexpr std::string_view kRolloutStrategyFields[] = {"blueGreen", "canary"};
constexpr std::string_view kBlueGreenFields[] = {
    "activeService",         "previewService",
    "previewReplicaCount",   "autoPromotionEnabled",
    "autoPromotionSeconds",  "maxUnavailable",
    "scaleDownDelaySeconds", "scaleDownDelayRevisionLimit",
    "prePromotionAnalysis",  "antiAffinity",
    "postPromotionAnalysis", "previewMetadata",
    "activeMetadata",        "abortScaleDownDelaySeconds"};
constexpr std::string_view kCanaryFields[] = {"canaryService",
                                              "stableService",
                                              "steps",
                                              "trafficRouting",
                                              "maxUnavailable",
                                              "maxSurge",
                                              "analysis",
                                              "antiAffinity",
                                              "canaryMetadata",
                                              "stableMetadata",
                                              "scaleDownDelaySeconds",
                                              "scaleDownDelayRevisionLimit",
                                              "abortScaleDownDelaySeconds",
                                              "dynamicStableScale",
                                              "pingPong",
                                              "minPodsPerReplicaSet",
                                              "replicaProgressThreshold"};
constexpr std::string_view kCanaryStepFields[] = {
    "setWeight",      "pause",          "experiment",     "analysis",
    "setCanaryScale", "setHeaderRoute", "setMirrorRoute", "plugin"};
constexpr std::string_view kRolloutPauseFields[] = {"duration"};
constexpr std::string_view kSetCanaryScaleFields[] = {"weight", "replicas", "matchTrafficWeight"};
constexpr std::string_view kRolloutAnalysisFields[] = {
    "templates", "args", "dryRun", "measurementRetention", "analysisRunMetadata"};
// RolloutAnalysisBackground: the canary's `analysis`, which may start late.
constexpr std::string_view kRolloutAnalysisBackgroundFields[] = {
    "templates", "args", "dryRun", "measurementRetention", "analysisRunMetadata", "startingStep"};
constexpr std::string_view kAnalysisTemplateRefFields[] = {"templateName", "clusterScope"};
constexpr std::string_view kAnalysisArgFields[] = {"name", "value", "valueFrom"};
// AnalysisTemplateSpec and Metric (analysis_types.go).
constexpr std::string_view kAnalysisTemplateSpecFields[] = {"metrics", "args", "dryRun",
                                                            "measurementRetention"};
constexpr std::string_view kAnalysisMetricFields[] = {"name",
                                                      "interval",
                                                      "initialDelay",
                                                      "count",
                                                      "successCondition",
                                                      "failureCondition",
                                                      "failureLimit",
                                                      "inconclusiveLimit",
                                                      "consecutiveErrorLimit",
                                                      "consecutiveSuccessLimit",
                                                      "provider"};
// MetricProvider: exactly one of these.
constexpr std::string_view kMetricProviders[] = {
    "prometheus", "kayenta",    "web",      "datadog",  "wavefront",  "newRelic",
    "job",        "cloudWatch", "graphite", "influxdb", "skywalking", "plugin"};
constexpr std::string_view kWorkloadRefFields[] = {"apiVersion", "kind", "name", "scaleDown"};
constexpr std::string_view kTrafficRoutingFields[] = {
    "istio",   "nginx",         "alb",    "smi",     "ambassador",      "appMesh",
    "traefik", "managedRoutes", "apisix", "plugins", "maxTrafficWeight"};
constexpr std::string_view kRolloutAntiAffinityFields[] = {
    "preferredDuringSchedulingIgnoredDuringExecution",
    "requiredDuringSchedulingIgnoredDuringExecution"};
constexpr std::string_view kPingPongFields[] = {"pingService", "pongService"};

constexpr std::string_view kRollingUpdateDeploymentFields[] = {"maxUnavailable", "maxSurge"};
constexpr std::string_view kReplicaSetSpecFields[] = {"replicas", "minReadySeconds", "selector", "template"};
constexpr std::string_view kLabelSelectorFields[] = {"matchLabels", "matchExpressions"};
constexpr std::string_view kLabelSelectorRequirementFields[] = {"key", "operator", "values"};
constexpr std::string_view kPodTemplateSpecFields[] = {"metadata", "spec"};
constexpr std::string_view kPodSpecFields[] = {
    "volumes",           "initContainers",     "containers",
    "ephemeralContainers", "restartPolicy",    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds", "dnsPolicy",      "nodeSelector",
    "serviceAccountName", "serviceAccount",    "automountServiceAccountToken",
    "nodeName",          "hostNetwork",        "hostPID",
    "hostIPC",           "shareProcessNamespace", "securityContext",
    "imagePullSecrets",  "hostname",           "subdomain",
    "affinity",          "schedulerName",      "tolerations",
    "hostAliases",       "priorityClassName",  "priority",
    "dnsConfig",         "readinessGates",     "runtimeClassName",
    "enableServiceLinks", "preemptionPolicy",  "overhead",
    "topologySpreadConstraints", "setHostnameAsFQDN", "os",
    "hostUsers",         "schedulingGates",    "resourceClaims",
    "resources",         "hostnameOverride",   "workloadRef"};
constexpr std::string_view kContainerFields[] = {
    "name",          "image",          "command",        "args",
    "workingDir",    "ports",          "envFrom",        "env",
    "resources",     "resizePolicy",   "restartPolicy",  "volumeMounts",
    "volumeDevices", "livenessProbe",  "readinessProbe", "startupProbe",
    "lifecycle",     "terminationMessagePath", "terminationMessagePolicy",
    "imagePullPolicy", "securityContext", "stdin",       "stdinOnce",
    "tty",           "restartPolicyRules"};
constexpr std::string_view kContainerPortFields[] = {"name", "hostPort", "containerPort", "protocol",
                                         "hostIP"};
constexpr std::string_view kResourceRequirementsFields[] = {"limits", "requests", "claims"};
constexpr std::string_view kProbeFields[] = {
    "exec",         "httpGet",          "tcpSocket",        "grpc",
    "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold",
    "failureThreshold", "terminationGracePeriodSeconds"};
constexpr std::string_view kLifecycleFields[] = {"postStart", "preStop", "stopSignal"};
constexpr std::string_view kLifecycleHandlerFields[] = {"exec", "httpGet", "tcpSocket", "sleep"};
constexpr std::string_view kHttpGetFields[] = {"path", "port", "host", "scheme", "httpHeaders"};
constexpr std::string_view kExecFields[] = {"command"};
constexpr std::string_view kTcpSocketFields[] = {"port", "host"};
constexpr std::string_view kGrpcFields[] = {"port", "service"};
constexpr std::string_view kSleepFields[] = {"seconds"};
constexpr std::string_view kServiceSpecFields[] = {
    "ports",           "selector",          "clusterIP",         "clusterIPs",
    "type",            "externalIPs",       "sessionAffinity",   "loadBalancerIP",
    "loadBalancerSourceRanges", "externalName", "externalTrafficPolicy",
    "healthCheckNodePort", "publishNotReadyAddresses", "sessionAffinityConfig",
    "ipFamilies",      "ipFamilyPolicy",    "allocateLoadBalancerNodePorts",
    "loadBalancerClass", "internalTrafficPolicy", "trafficDistribution"};
constexpr std::string_view kServicePortFields[] = {"name", "protocol", "appProtocol", "port", "targetPort",
                                       "nodePort"};
constexpr std::string_view kNamespaceSpecFields[] = {"finalizers"};
constexpr std::string_view kAffinityFields[] = {"nodeAffinity", "podAffinity", "podAntiAffinity"};
constexpr std::string_view kNodeAffinityFields[] = {
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution"};
constexpr std::string_view kNodeSelectorFields[] = {"nodeSelectorTerms"};
constexpr std::string_view kNodeSelectorTermFields[] = {"matchExpressions", "matchFields"};
constexpr std::string_view kPreferredSchedulingTermFields[] = {"weight", "preference"};
constexpr std::string_view kPodAffinityFields[] = {
    "requiredDuringSchedulingIgnoredDuringExecution",
    "preferredDuringSchedulingIgnoredDuringExecution"};
constexpr std::string_view kPodAffinityTermFields[] = {
    "labelSelector", "namespaces", "namespaceSelector", "topologyKey", "matchLabelKeys",
    "mismatchLabelKeys"};
constexpr std::string_view kWeightedPodAffinityTermFields[] = {"weight", "podAffinityTerm"};
constexpr std::string_view kTopologySpreadConstraintFields[] = {
    "maxSkew",    "topologyKey",        "whenUnsatisfiable", "labelSelector",
    "minDomains", "nodeAffinityPolicy", "nodeTaintsPolicy",  "matchLabelKeys"};
constexpr std::string_view kTolerationFields[] = {"key", "operator", "value", "effect",
                                                  "tolerationSeconds"};
constexpr std::string_view kPodDisruptionBudgetSpecFields[] = {
    "minAvailable", "maxUnavailable", "selector", "unhealthyPodEvictionPolicy"};
constexpr std::string_view kListFields[] = {"apiVersion", "kind", "metadata", "items"};

// One error per field of mapping `m` (at `path`) that is not in `known`.
void Strict(Reader& r, const Node* m, const std::string& path, Fields known) {
  if (m == nullptr || !m->IsMap()) return;
  for (const auto& e : m->entries) {
    if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
    const std::string field = path.empty() ? e.key : fmt::format("{}.{}", path, e.key);
    std::string hint;
    if (auto near = Nearest(e.key, std::vector<std::string_view>(known.begin(), known.end()))) {
      hint = fmt::format("; did you mean \"{}\"?", *near);
    }
    r.FieldError(e.key_mark, field,
                 fmt::format("strict decoding error: unknown field \"{}\"{}", field, hint));
  }
}

// The fields of `type` that the model reads but does not honour
// (unhonoured.h): a warning for each one `m` sets to a value that matters.
void WarnUnhonoured(Reader& r, std::string_view type, const Node* m, const std::string& path) {
  if (m == nullptr || !m->IsMap()) return;
  for (const UnhonouredField& f : UnhonouredFields()) {
    if (f.type != type) continue;
    const Node* v = FieldAt(*m, f.field);
    if (v == nullptr || v->IsNull() || (f.applies != nullptr && !f.applies(*v))) continue;
    r.FieldWarning(v->mark, Sub(path, std::string(f.field)),
                   fmt::format("not honoured by kubesim: {}", f.effect));
  }
}

void DecodeMeta(Reader& r, const Node* m, const std::string& path, ObjectMeta* meta) {
  r.String(Child(m, "name"), Sub(path, "name"), &meta->name);
  r.String(Child(m, "namespace"), Sub(path, "namespace"), &meta->namespace_name);
  r.StringMap(Child(m, "labels"), Sub(path, "labels"), &meta->labels);
  r.StringMap(Child(m, "annotations"), Sub(path, "annotations"), &meta->annotations);
}

void DecodePortRef(Reader& r, const Node* n, const std::string& path, PortRef* out) {
  if (n == nullptr || n->IsNull()) return;
  r.Record(path, *n);
  if (n->IsScalar() && yaml::Resolve(*n) == yaml::ScalarType::kInt) {
    int32_t v = 0;
    if (r.Int32(n, path, &v)) out->number = v;
  } else if (n->IsScalar() && yaml::Resolve(*n) == yaml::ScalarType::kString) {
    out->name = n->scalar;
  } else {
    r.Error(n->mark, path,
            fmt::format("expected a port number or name, got {}", yaml::Describe(*n)));
  }
}

void DecodeIntOrPercent(Reader& r, const Node* n, const std::string& path, IntOrPercent* out) {
  if (n == nullptr || n->IsNull()) return;
  r.Record(path, *n);
  const auto t = yaml::Resolve(*n);
  if (n->IsScalar() && t == yaml::ScalarType::kInt) {
    int32_t v = 0;
    if (r.Int32(n, path, &v)) *out = IntOrPercent::Int(v);
  } else if (n->IsScalar() && t == yaml::ScalarType::kString) {
    // A string must be a percentage (ValidatePositiveIntOrPercent -> IsValidPercent).
    auto p = ParsePercent(n->scalar);
    if (p) {
      *out = *p;
    } else {
      r.Error(n->mark, path, p.error());
    }
  } else {
    r.Error(n->mark, path,
            fmt::format("expected an integer or a percentage such as \"25%\", got {}",
                        yaml::Describe(*n)));
  }
}

// A requirement's `operator:` (LabelSelectorRequirement,
// NodeSelectorRequirement): one of `table`, else an error listing them in
// the table's order. An absent operator is left as it is.
template <class Op, size_t N>
void DecodeOperator(Reader& r, const Node* requirement, const std::string& path,
                    const std::pair<std::string_view, Op> (&table)[N], Op* out) {
  const Node* opn = Child(requirement, "operator");
  std::string op;
  if (opn == nullptr || opn->IsNull() || !r.String(opn, path, &op)) return;
  std::string supported;
  for (const auto& [name, value] : table) {
    if (name == op) {
      *out = value;
      return;
    }
    supported += fmt::format("{}\"{}\"", supported.empty() ? "" : ", ", name);
  }
  r.Error(opn->mark, path, fmt::format("Unsupported value: \"{}\": supported values: {}", op, supported));
}

void DecodeSelector(Reader& r, const Node* n, const std::string& path, LabelSelector* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kLabelSelectorFields);
  r.StringMap(Child(m, "matchLabels"), Sub(path, "matchLabels"), &out->match_labels);
  const std::string ep = Sub(path, "matchExpressions");
  const Node* exprs = r.Seq(Child(m, "matchExpressions"), ep);
  if (exprs == nullptr) return;
  for (size_t i = 0; i < exprs->items.size(); ++i) {
    const std::string p = Idx(ep, i);
    const Node* e = r.Map(exprs->items[i].get(), p);
    if (e == nullptr) continue;
    Strict(r, e, p, kLabelSelectorRequirementFields);
    LabelSelectorRequirement req;
    r.String(Child(e, "key"), Sub(p, "key"), &req.key);
    using Op = LabelSelectorRequirement::Operator;
    static constexpr std::pair<std::string_view, Op> kOperators[] = {
        {"In", Op::kIn}, {"NotIn", Op::kNotIn}, {"Exists", Op::kExists},
        {"DoesNotExist", Op::kDoesNotExist}};
    DecodeOperator(r, e, Sub(p, "operator"), kOperators, &req.op);
    r.StringList(Child(e, "values"), Sub(p, "values"), &req.values);
    out->match_expressions.push_back(std::move(req));
  }
}

void DecodeHttpGet(Reader& r, const Node* n, const std::string& path,
                   std::optional<HttpGetAction>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kHttpGetFields);
  HttpGetAction a;
  r.String(Child(m, "path"), Sub(path, "path"), &a.path);
  DecodePortRef(r, Child(m, "port"), Sub(path, "port"), &a.port);
  r.String(Child(m, "host"), Sub(path, "host"), &a.host);
  r.String(Child(m, "scheme"), Sub(path, "scheme"), &a.scheme);
  *out = a;
}

void DecodeExec(Reader& r, const Node* n, const std::string& path,
                std::optional<ExecAction>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kExecFields);
  ExecAction a;
  r.StringList(Child(m, "command"), Sub(path, "command"), &a.command);
  *out = a;
}

void DecodeTcp(Reader& r, const Node* n, const std::string& path,
               std::optional<TcpSocketAction>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kTcpSocketFields);
  TcpSocketAction a;
  DecodePortRef(r, Child(m, "port"), Sub(path, "port"), &a.port);
  *out = a;
}

// SetDefaults_Probe: a zero (or absent) timing field takes its default.
void DefaultIfZero(int32_t* field, int32_t dflt) {
  if (*field == 0) *field = dflt;
}

void DecodeProbe(Reader& r, const Node* n, const std::string& path, std::optional<Probe>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kProbeFields);
  Probe p;
  DecodeExec(r, Child(m, "exec"), Sub(path, "exec"), &p.exec);
  DecodeHttpGet(r, Child(m, "httpGet"), Sub(path, "httpGet"), &p.http_get);
  DecodeTcp(r, Child(m, "tcpSocket"), Sub(path, "tcpSocket"), &p.tcp_socket);
  if (const Node* g = r.Map(Child(m, "grpc"), Sub(path, "grpc"))) {
    Strict(r, g, Sub(path, "grpc"), kGrpcFields);
    GrpcAction a;
    r.Int32(Child(g, "port"), Sub(path, "grpc.port"), &a.port);
    r.String(Child(g, "service"), Sub(path, "grpc.service"), &a.service);
    p.grpc = a;
  }
  p.timeout_seconds = 0;
  p.period_seconds = 0;
  p.success_threshold = 0;
  p.failure_threshold = 0;
  r.Int32(Child(m, "initialDelaySeconds"), Sub(path, "initialDelaySeconds"),
          &p.initial_delay_seconds);
  r.Int32(Child(m, "timeoutSeconds"), Sub(path, "timeoutSeconds"), &p.timeout_seconds);
  r.Int32(Child(m, "periodSeconds"), Sub(path, "periodSeconds"), &p.period_seconds);
  r.Int32(Child(m, "successThreshold"), Sub(path, "successThreshold"), &p.success_threshold);
  r.Int32(Child(m, "failureThreshold"), Sub(path, "failureThreshold"), &p.failure_threshold);
  DefaultIfZero(&p.timeout_seconds, defaults::kProbeTimeoutSeconds);
  DefaultIfZero(&p.period_seconds, defaults::kProbePeriodSeconds);
  DefaultIfZero(&p.success_threshold, defaults::kProbeSuccessThreshold);
  DefaultIfZero(&p.failure_threshold, defaults::kProbeFailureThreshold);
  if (const Node* g = Child(m, "terminationGracePeriodSeconds"); g != nullptr && !g->IsNull()) {
    int64_t v = 0;
    if (r.Int64(g, Sub(path, "terminationGracePeriodSeconds"), &v)) {
      p.termination_grace_period_seconds = v;
    }
  }
  *out = p;
}

void DecodeLifecycleHandler(Reader& r, const Node* n, const std::string& path,
                            std::optional<LifecycleHandler>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kLifecycleHandlerFields);
  LifecycleHandler h;
  DecodeExec(r, Child(m, "exec"), Sub(path, "exec"), &h.exec);
  DecodeHttpGet(r, Child(m, "httpGet"), Sub(path, "httpGet"), &h.http_get);
  DecodeTcp(r, Child(m, "tcpSocket"), Sub(path, "tcpSocket"), &h.tcp_socket);
  if (const Node* s = r.Map(Child(m, "sleep"), Sub(path, "sleep"))) {
    Strict(r, s, Sub(path, "sleep"), kSleepFields);
    SleepAction a;
    r.Int64(Child(s, "seconds"), Sub(path, "sleep.seconds"), &a.seconds);
    h.sleep = a;
  }
  *out = h;
}

void DecodeResourceList(Reader& r, const Node* n, const std::string& path, ResourceList* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  for (const auto& e : m->entries) {
    Quantity q;
    if (r.QuantityValue(e.value.get(), Sub(path, e.key), &q)) (*out)[e.key] = q;
  }
}

// resources: {limits, requests}; false when absent or not a mapping.
bool DecodeResources(Reader& r, const Node* n, const std::string& path, ResourceRequirements* out) {
  const Node* res = r.Map(n, path);
  if (res == nullptr) return false;
  Strict(r, res, path, kResourceRequirementsFields);
  DecodeResourceList(r, Child(res, "limits"), Sub(path, "limits"), &out->limits);
  DecodeResourceList(r, Child(res, "requests"), Sub(path, "requests"), &out->requests);
  return true;
}

// A canonical text of a YAML value, for comparing fields the model does not
// read: two templates that differ only there are still two templates.
void Canon(const Node& n, std::string* out) {
  if (n.IsMap()) {
    *out += '{';
    for (const auto& e : n.entries) {
      *out += fmt::format("{:?}:", e.key);
      if (e.value) Canon(*e.value, out);
      *out += ',';
    }
    *out += '}';
  } else if (n.IsSequence()) {
    *out += '[';
    for (const auto& i : n.items) {
      Canon(*i, out);
      *out += ',';
    }
    *out += ']';
  } else if (n.IsScalar()) {
    *out += fmt::format("{:?}", n.scalar);
  } else {
    *out += "~";
  }
}

// The fields of map `m` the model does not read, canonically (Canon), so
// that a change to one of them is a change of the object (a new pod
// template: a rollout, as Kubernetes' template hash sees it).
std::string Unmodelled(const Node& m, std::initializer_list<std::string_view> fields) {
  std::string out;
  for (std::string_view f : fields) {
    const Node* v = m.Get(f);
    if (v == nullptr) continue;
    out += fmt::format("{}=", f);
    Canon(*v, &out);
    out += ';';
  }
  return out;
}

void DecodeContainer(Reader& r, const Node* n, const std::string& path, Container* c) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) {
    if (n == nullptr || n->IsNull()) r.Error(n ? n->mark : yaml::Mark{}, path, "expected a container, got null");
    return;
  }
  Strict(r, m, path, kContainerFields);
  WarnUnhonoured(r, "Container", m, path);
  c->unmodelled = Unmodelled(
      *m, {"command", "args", "workingDir", "envFrom", "env", "resizePolicy", "volumeMounts",
           "volumeDevices", "securityContext", "stdin", "stdinOnce", "tty",
           "terminationMessagePath", "terminationMessagePolicy", "restartPolicyRules"});
  r.String(Child(m, "name"), Sub(path, "name"), &c->name);
  r.String(Child(m, "image"), Sub(path, "image"), &c->image);
  r.String(Child(m, "imagePullPolicy"), Sub(path, "imagePullPolicy"), &c->image_pull_policy);
  r.String(Child(m, "restartPolicy"), Sub(path, "restartPolicy"), &c->restart_policy);
  if (c->image_pull_policy.empty()) c->image_pull_policy = defaults::DefaultImagePullPolicy(c->image);
  const std::string pp = Sub(path, "ports");
  if (const Node* ports = r.Seq(Child(m, "ports"), pp)) {
    for (size_t i = 0; i < ports->items.size(); ++i) {
      const std::string p = Idx(pp, i);
      const Node* pm = r.Map(ports->items[i].get(), p);
      if (pm == nullptr) continue;
      Strict(r, pm, p, kContainerPortFields);
      ContainerPort port;
      r.String(Child(pm, "name"), Sub(p, "name"), &port.name);
      r.Int32(Child(pm, "containerPort"), Sub(p, "containerPort"), &port.container_port);
      r.Int32(Child(pm, "hostPort"), Sub(p, "hostPort"), &port.host_port);
      r.String(Child(pm, "hostIP"), Sub(p, "hostIP"), &port.host_ip);
      r.String(Child(pm, "protocol"), Sub(p, "protocol"), &port.protocol);
      c->ports.push_back(port);
    }
  }
  if (DecodeResources(r, Child(m, "resources"), Sub(path, "resources"), &c->resources)) {
    // SetDefaults_Pod: a request not given defaults to the limit.
    for (const auto& [name, q] : c->resources.limits) c->resources.requests.emplace(name, q);
  }
  DecodeProbe(r, Child(m, "livenessProbe"), Sub(path, "livenessProbe"), &c->liveness_probe);
  DecodeProbe(r, Child(m, "readinessProbe"), Sub(path, "readinessProbe"), &c->readiness_probe);
  DecodeProbe(r, Child(m, "startupProbe"), Sub(path, "startupProbe"), &c->startup_probe);
  const std::string lp = Sub(path, "lifecycle");
  if (const Node* lc = r.Map(Child(m, "lifecycle"), lp)) {
    Strict(r, lc, lp, kLifecycleFields);
    DecodeLifecycleHandler(r, Child(lc, "preStop"), Sub(lp, "preStop"), &c->lifecycle.pre_stop);
    DecodeLifecycleHandler(r, Child(lc, "postStart"), Sub(lp, "postStart"),
                           &c->lifecycle.post_start);
  }
}

void DecodeContainers(Reader& r, const Node* n, const std::string& path,
                      std::vector<Container>* out) {
  const Node* s = r.Seq(n, path);
  if (s == nullptr) return;
  for (size_t i = 0; i < s->items.size(); ++i) {
    Container c;
    DecodeContainer(r, s->items[i].get(), Idx(path, i), &c);
    out->push_back(std::move(c));
  }
}

void DecodeNodeSelectorRequirements(Reader& r, const Node* n, const std::string& path,
                                    std::vector<NodeSelectorRequirement>* out) {
  const Node* s = r.Seq(n, path);
  if (s == nullptr) return;
  for (size_t i = 0; i < s->items.size(); ++i) {
    const std::string p = Idx(path, i);
    const Node* e = r.Map(s->items[i].get(), p);
    if (e == nullptr) continue;
    Strict(r, e, p, kLabelSelectorRequirementFields);
    NodeSelectorRequirement req;
    r.String(Child(e, "key"), Sub(p, "key"), &req.key);
    if (const Node* opn = Child(e, "operator"); opn == nullptr || opn->IsNull()) {
      r.Error(e->mark, Sub(p, "operator"), "Required value");
    }
    using Op = NodeSelectorRequirement::Operator;
    static constexpr std::pair<std::string_view, Op> kOperators[] = {
        {"DoesNotExist", Op::kDoesNotExist}, {"Exists", Op::kExists}, {"Gt", Op::kGt},
        {"In", Op::kIn}, {"Lt", Op::kLt}, {"NotIn", Op::kNotIn}};
    DecodeOperator(r, e, Sub(p, "operator"), kOperators, &req.op);
    r.StringList(Child(e, "values"), Sub(p, "values"), &req.values);
    out->push_back(std::move(req));
  }
}

void DecodeNodeSelectorTerm(Reader& r, const Node* n, const std::string& path,
                            NodeSelectorTerm* term) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kNodeSelectorTermFields);
  DecodeNodeSelectorRequirements(r, Child(m, "matchExpressions"), Sub(path, "matchExpressions"),
                                 &term->match_expressions);
  DecodeNodeSelectorRequirements(r, Child(m, "matchFields"), Sub(path, "matchFields"),
                                 &term->match_fields);
}

// A labelSelector or namespaceSelector that may be null (absent), which
// differs from an empty one.
void DecodeOptionalSelector(Reader& r, const Node* n, const std::string& path,
                            std::optional<LabelSelector>* out) {
  if (n == nullptr || n->IsNull()) return;
  out->emplace();
  DecodeSelector(r, n, path, &**out);
}

void DecodePodAffinityTerm(Reader& r, const Node* n, const std::string& path, PodAffinityTerm* t) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kPodAffinityTermFields);
  DecodeOptionalSelector(r, Child(m, "labelSelector"), Sub(path, "labelSelector"), &t->label_selector);
  r.StringList(Child(m, "namespaces"), Sub(path, "namespaces"), &t->namespaces);
  DecodeOptionalSelector(r, Child(m, "namespaceSelector"), Sub(path, "namespaceSelector"),
                         &t->namespace_selector);
  r.String(Child(m, "topologyKey"), Sub(path, "topologyKey"), &t->topology_key);
  r.StringList(Child(m, "matchLabelKeys"), Sub(path, "matchLabelKeys"), &t->match_label_keys);
  r.StringList(Child(m, "mismatchLabelKeys"), Sub(path, "mismatchLabelKeys"),
               &t->mismatch_label_keys);
}

void DecodePodAffinity(Reader& r, const Node* n, const std::string& path,
                       std::optional<PodAffinity>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kPodAffinityFields);
  PodAffinity a;
  const std::string rp = Sub(path, "requiredDuringSchedulingIgnoredDuringExecution");
  if (const Node* req = r.Seq(Child(m, "requiredDuringSchedulingIgnoredDuringExecution"), rp)) {
    for (size_t i = 0; i < req->items.size(); ++i) {
      PodAffinityTerm term;
      DecodePodAffinityTerm(r, req->items[i].get(), Idx(rp, i), &term);
      a.required.push_back(std::move(term));
    }
  }
  const std::string pp = Sub(path, "preferredDuringSchedulingIgnoredDuringExecution");
  if (const Node* prefs = r.Seq(Child(m, "preferredDuringSchedulingIgnoredDuringExecution"), pp)) {
    for (size_t i = 0; i < prefs->items.size(); ++i) {
      const std::string ip = Idx(pp, i);
      const Node* item = r.Map(prefs->items[i].get(), ip);
      WeightedPodAffinityTerm term;
      if (item == nullptr) {  // null: a zero-valued item, as Kubernetes decodes it
        a.preferred.push_back(std::move(term));
        continue;
      }
      Strict(r, item, ip, kWeightedPodAffinityTermFields);
      r.Int32(Child(item, "weight"), Sub(ip, "weight"), &term.weight);
      DecodePodAffinityTerm(r, Child(item, "podAffinityTerm"), Sub(ip, "podAffinityTerm"),
                            &term.term);
      a.preferred.push_back(std::move(term));
    }
  }
  *out = std::move(a);
}

void DecodeTopologySpreadConstraints(Reader& r, const Node* n, const std::string& path,
                                     std::vector<TopologySpreadConstraint>* out) {
  const Node* s = r.Seq(n, path);
  if (s == nullptr) return;
  for (size_t i = 0; i < s->items.size(); ++i) {
    const std::string p = Idx(path, i);
    const Node* m = r.Map(s->items[i].get(), p);
    TopologySpreadConstraint c;
    if (m == nullptr) {  // null: a zero-valued item, rejected by validation
      out->push_back(std::move(c));
      continue;
    }
    Strict(r, m, p, kTopologySpreadConstraintFields);
    r.Int32(Child(m, "maxSkew"), Sub(p, "maxSkew"), &c.max_skew);
    r.String(Child(m, "topologyKey"), Sub(p, "topologyKey"), &c.topology_key);
    r.String(Child(m, "whenUnsatisfiable"), Sub(p, "whenUnsatisfiable"), &c.when_unsatisfiable);
    DecodeOptionalSelector(r, Child(m, "labelSelector"), Sub(p, "labelSelector"), &c.label_selector);
    if (const Node* md = Child(m, "minDomains"); md != nullptr && !md->IsNull()) {
      int32_t v = 0;
      if (r.Int32(md, Sub(p, "minDomains"), &v)) c.min_domains = v;
    }
    r.String(Child(m, "nodeAffinityPolicy"), Sub(p, "nodeAffinityPolicy"), &c.node_affinity_policy);
    if (c.node_affinity_policy.empty()) c.node_affinity_policy = "Honor";
    r.String(Child(m, "nodeTaintsPolicy"), Sub(p, "nodeTaintsPolicy"), &c.node_taints_policy);
    if (c.node_taints_policy.empty()) c.node_taints_policy = "Ignore";
    r.StringList(Child(m, "matchLabelKeys"), Sub(p, "matchLabelKeys"), &c.match_label_keys);
    out->push_back(std::move(c));
  }
}

// affinity: nodeAffinity, podAffinity, podAntiAffinity.
void DecodeAffinity(Reader& r, const Node* n, const std::string& path, PodSpec* spec) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kAffinityFields);
  DecodePodAffinity(r, Child(m, "podAffinity"), Sub(path, "podAffinity"), &spec->pod_affinity);
  DecodePodAffinity(r, Child(m, "podAntiAffinity"), Sub(path, "podAntiAffinity"),
                    &spec->pod_anti_affinity);
  const std::string np = Sub(path, "nodeAffinity");
  const Node* na = r.Map(Child(m, "nodeAffinity"), np);
  if (na == nullptr) return;
  Strict(r, na, np, kNodeAffinityFields);
  NodeAffinity affinity;
  const std::string rp = Sub(np, "requiredDuringSchedulingIgnoredDuringExecution");
  if (const Node* req = r.Map(Child(na, "requiredDuringSchedulingIgnoredDuringExecution"), rp)) {
    Strict(r, req, rp, kNodeSelectorFields);
    affinity.required.emplace();
    const std::string tp = Sub(rp, "nodeSelectorTerms");
    if (const Node* terms = r.Seq(Child(req, "nodeSelectorTerms"), tp)) {
      for (size_t i = 0; i < terms->items.size(); ++i) {
        NodeSelectorTerm term;
        DecodeNodeSelectorTerm(r, terms->items[i].get(), Idx(tp, i), &term);
        affinity.required->push_back(std::move(term));
      }
    }
  }
  const std::string pp = Sub(np, "preferredDuringSchedulingIgnoredDuringExecution");
  if (const Node* prefs = r.Seq(Child(na, "preferredDuringSchedulingIgnoredDuringExecution"), pp)) {
    for (size_t i = 0; i < prefs->items.size(); ++i) {
      const std::string ip = Idx(pp, i);
      const Node* item = r.Map(prefs->items[i].get(), ip);
      if (item == nullptr) continue;
      Strict(r, item, ip, kPreferredSchedulingTermFields);
      PreferredSchedulingTerm term;
      r.Int32(Child(item, "weight"), Sub(ip, "weight"), &term.weight);
      DecodeNodeSelectorTerm(r, Child(item, "preference"), Sub(ip, "preference"), &term.preference);
      affinity.preferred.push_back(std::move(term));
    }
  }
  spec->node_affinity = std::move(affinity);
}

void DecodeTolerations(Reader& r, const Node* n, const std::string& path,
                       std::vector<Toleration>* out) {
  const Node* s = r.Seq(n, path);
  if (s == nullptr) return;
  for (size_t i = 0; i < s->items.size(); ++i) {
    const std::string p = Idx(path, i);
    const Node* m = r.Map(s->items[i].get(), p);
    if (m == nullptr) continue;
    Strict(r, m, p, kTolerationFields);
    Toleration t;
    r.String(Child(m, "key"), Sub(p, "key"), &t.key);
    r.String(Child(m, "operator"), Sub(p, "operator"), &t.op);
    r.String(Child(m, "value"), Sub(p, "value"), &t.value);
    r.String(Child(m, "effect"), Sub(p, "effect"), &t.effect);
    if (const Node* ts = Child(m, "tolerationSeconds"); ts != nullptr && !ts->IsNull()) {
      int64_t seconds = 0;
      if (r.Int64(ts, Sub(p, "tolerationSeconds"), &seconds)) t.toleration_seconds = seconds;
    }
    out->push_back(std::move(t));
  }
}

// readinessGates [{conditionType}] and schedulingGates [{name}]: the one
// field `key` of each item.
void DecodeNamedList(Reader& r, const Node* n, const std::string& path, std::string_view key,
                     std::vector<std::string>* out) {
  const Node* s = r.Seq(n, path);
  if (s == nullptr) return;
  const std::string_view fields[] = {key};
  for (size_t i = 0; i < s->items.size(); ++i) {
    const std::string p = Idx(path, i);
    const Node* item = r.Map(s->items[i].get(), p);
    if (item == nullptr) continue;
    Strict(r, item, p, fields);
    std::string value;
    r.String(Child(item, key), Sub(p, std::string(key)), &value);
    out->push_back(std::move(value));
  }
}

// Fields Kubernetes honours and kubesim does not yet, which would change the
// result: each gets a warning naming it (docs/scenario-format.md, 6.6), once
// per object. Read from the YAML, since most are not decoded at all.
void WarnUnmodelledPodFields(Reader& r, const Node* m, const std::string& path, const PodSpec& spec) {
  const Node* affinity = Child(m, "affinity");
  const auto warn_namespace_selector = [&](const PodAffinityTerm& t, const Node* term_node,
                                           const std::string& term_path) {
    if (!t.namespace_selector || t.namespace_selector->IsEmpty()) return;
    const Node* ns = Child(term_node, "namespaceSelector");
    r.FieldWarning(ns != nullptr ? ns->mark : term_node->mark, Sub(term_path, "namespaceSelector"),
                   "namespace labels are not simulated: the term counts pods of the namespaces it "
                   "lists (or the pod's own) only");
  };
  const std::pair<const char*, const std::optional<PodAffinity>*> kinds[] = {
      {"podAffinity", &spec.pod_affinity}, {"podAntiAffinity", &spec.pod_anti_affinity}};
  for (const auto& [kind, a] : kinds) {
    if (!*a) continue;
    const std::string rp =
        Sub(Sub(Sub(path, "affinity"), kind), "requiredDuringSchedulingIgnoredDuringExecution");
    const Node* req = Child(Child(affinity, kind), "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < (*a)->required.size(); ++i) {
      warn_namespace_selector((*a)->required[i], req->items[i].get(), Idx(rp, i));
    }
    const std::string pp =
        Sub(Sub(Sub(path, "affinity"), kind), "preferredDuringSchedulingIgnoredDuringExecution");
    const Node* pref = Child(Child(affinity, kind), "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < (*a)->preferred.size(); ++i) {
      const Node* item = pref->items[i].get();
      const Node* term = Child(item, "podAffinityTerm");
      warn_namespace_selector((*a)->preferred[i].term, term != nullptr ? term : item,
                              Sub(Idx(pp, i), "podAffinityTerm"));
    }
  }
  // A mesh proxy injected as a regular container (Istio and Linkerd before
  // native sidecars) carries the pod's requests in a cluster and stops
  // beside the app at deletion, failing the requests still in flight;
  // kubesim sends requests to the app container directly.
  for (size_t i = 0; spec.containers.size() > 1 && i < spec.containers.size(); ++i) {
    const std::string& name = spec.containers[i].name;
    if (name != "istio-proxy" && name != "linkerd-proxy") continue;
    r.FieldWarning(Child(m, "containers")->items[i]->mark, Idx(Sub(path, "containers"), i),
                   fmt::format("{} is a mesh proxy in a regular container: requests reach the "
                               "app container directly in kubesim, so the proxy stopping before "
                               "the app at deletion fails none of them (as a native sidecar, "
                               "an init container with restartPolicy: Always, it stops last)",
                               name));
  }
  for (size_t i = 0; i < spec.readiness_gates.size(); ++i) {
    // The AWS Load Balancer Controller's gates are set by the load balancer
    // model; whether one fronts the pod is the scenario's to say
    // (Loader::WarnSilentFootguns).
    if (IsLbGate(spec.readiness_gates[i])) continue;
    r.FieldWarning(Child(m, "readinessGates")->items[i]->mark, Idx(Sub(path, "readinessGates"), i),
                   fmt::format("no controller kubesim simulates sets the condition \"{}\": the "
                               "pods never turn Ready",
                               spec.readiness_gates[i]));
  }
}

void DecodePodSpec(Reader& r, const Node* n, const std::string& path, PodSpec* spec) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kPodSpecFields);
  WarnUnhonoured(r, "PodSpec", m, path);
  spec->unmodelled = Unmodelled(*m, {"volumes",
                                     "serviceAccountName",
                                     "serviceAccount",
                                     "automountServiceAccountToken",
                                     "securityContext",
                                     "imagePullSecrets",
                                     "hostname",
                                     "subdomain",
                                     "hostAliases",
                                     "dnsPolicy",
                                     "dnsConfig",
                                     "enableServiceLinks",
                                     "shareProcessNamespace",
                                     "runtimeClassName",
                                     "priorityClassName",
                                     "priority",
                                     "preemptionPolicy",
                                     "setHostnameAsFQDN",
                                     "os",
                                     "hostUsers",
                                     "ephemeralContainers",
                                     "activeDeadlineSeconds",
                                     "hostPID",
                                     "hostIPC",
                                     "overhead",
                                     "resourceClaims",
                                     "hostnameOverride",
                                     "workloadRef",
                                     "schedulerName",
                                     "hostNetwork"});
  DecodeContainers(r, Child(m, "initContainers"), Sub(path, "initContainers"),
                   &spec->init_containers);
  DecodeContainers(r, Child(m, "containers"), Sub(path, "containers"), &spec->containers);
  r.Int64(Child(m, "terminationGracePeriodSeconds"), Sub(path, "terminationGracePeriodSeconds"),
          &spec->termination_grace_period_seconds);
  r.String(Child(m, "restartPolicy"), Sub(path, "restartPolicy"), &spec->restart_policy);
  if (spec->restart_policy.empty()) spec->restart_policy = defaults::kRestartPolicy;
  r.StringMap(Child(m, "nodeSelector"), Sub(path, "nodeSelector"), &spec->node_selector);
  r.String(Child(m, "nodeName"), Sub(path, "nodeName"), &spec->node_name);
  r.Bool(Child(m, "hostNetwork"), Sub(path, "hostNetwork"), &spec->host_network);
  DecodeNamedList(r, Child(m, "readinessGates"), Sub(path, "readinessGates"), "conditionType",
                  &spec->readiness_gates);
  DecodeNamedList(r, Child(m, "schedulingGates"), Sub(path, "schedulingGates"), "name",
                  &spec->scheduling_gates);
  DecodeAffinity(r, Child(m, "affinity"), Sub(path, "affinity"), spec);
  DecodeTolerations(r, Child(m, "tolerations"), Sub(path, "tolerations"), &spec->tolerations);
  DecodeTopologySpreadConstraints(r, Child(m, "topologySpreadConstraints"),
                                  Sub(path, "topologySpreadConstraints"),
                                  &spec->topology_spread_constraints);
  WarnUnmodelledPodFields(r, m, path, *spec);
  ResourceRequirements pod_level;
  if (DecodeResources(r, Child(m, "resources"), Sub(path, "resources"), &pod_level)) {
    // defaultPodRequests (pkg/apis/core/v1/defaults.go): with pod-level
    // limits, a cpu or memory request the pod level does not give defaults
    // to its limit.
    for (const auto& [name, q] : pod_level.limits) {
      if (name == "cpu" || name == "memory") pod_level.requests.emplace(name, q);
    }
    spec->resources = std::move(pod_level);
  }
}

void DecodeTemplate(Reader& r, const Node* n, const std::string& path, PodTemplateSpec* t) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kPodTemplateSpecFields);
  if (const Node* meta = r.Map(Child(m, "metadata"), Sub(path, "metadata"))) {
    Strict(r, meta, Sub(path, "metadata"), kObjectMetaFields);
    DecodeMeta(r, meta, Sub(path, "metadata"), &t->metadata);
    WarnUnhonoured(r, "ObjectMeta", meta, Sub(path, "metadata"));
  }
  DecodePodSpec(r, Child(m, "spec"), Sub(path, "spec"), &t->spec);
}

void DecodeDeploymentSpec(Reader& r, const Node* m, DeploymentSpec* s) {
  Strict(r, m, "spec", kDeploymentSpecFields);
  r.Int32(Child(m, "replicas"), "spec.replicas", &s->replicas);
  DecodeSelector(r, Child(m, "selector"), "spec.selector", &s->selector);
  DecodeTemplate(r, Child(m, "template"), "spec.template", &s->template_);
  r.Int32(Child(m, "minReadySeconds"), "spec.minReadySeconds", &s->min_ready_seconds);
  r.Int32(Child(m, "revisionHistoryLimit"), "spec.revisionHistoryLimit",
          &s->revision_history_limit);
  r.Int32(Child(m, "progressDeadlineSeconds"), "spec.progressDeadlineSeconds",
          &s->progress_deadline_seconds);
  r.Bool(Child(m, "paused"), "spec.paused", &s->paused);
  // SetDefaults_Deployment: type RollingUpdate; its rollingUpdate and both of
  // its fields default to 25%.
  bool recreate = false;
  const Node* st = r.Map(Child(m, "strategy"), "spec.strategy");
  if (st != nullptr) {
    Strict(r, st, "spec.strategy", kDeploymentStrategyFields);
    std::string type;
    const Node* tn = Child(st, "type");
    if (r.String(tn, "spec.strategy.type", &type)) {
      if (type == "Recreate") {
        recreate = true;
      } else if (!type.empty() && type != "RollingUpdate") {
        r.Error(tn->mark, "spec.strategy.type",
                fmt::format("Unsupported value: \"{}\": supported values: \"Recreate\", "
                            "\"RollingUpdate\"",
                            type));
      }
    }
  }
  s->strategy.type = recreate ? DeploymentStrategy::Type::kRecreate
                              : DeploymentStrategy::Type::kRollingUpdate;
  const Node* ru = st == nullptr ? nullptr : r.Map(Child(st, "rollingUpdate"), "spec.strategy.rollingUpdate");
  if (ru != nullptr || !recreate) {
    RollingUpdateDeployment rolling;
    if (ru != nullptr) {
      Strict(r, ru, "spec.strategy.rollingUpdate", kRollingUpdateDeploymentFields);
      DecodeIntOrPercent(r, Child(ru, "maxSurge"), "spec.strategy.rollingUpdate.maxSurge",
                         &rolling.max_surge);
      DecodeIntOrPercent(r, Child(ru, "maxUnavailable"),
                         "spec.strategy.rollingUpdate.maxUnavailable", &rolling.max_unavailable);
    }
    s->strategy.rolling_update = rolling;
  }
}

void DecodeServiceSpec(Reader& r, const Node* m, ServiceSpec* s) {
  Strict(r, m, "spec", kServiceSpecFields);
  WarnUnhonoured(r, "ServiceSpec", m, "spec");
  r.StringMap(Child(m, "selector"), "spec.selector", &s->selector);
  r.String(Child(m, "type"), "spec.type", &s->type);
  if (s->type.empty()) s->type = defaults::kServiceType;
  r.String(Child(m, "clusterIP"), "spec.clusterIP", &s->cluster_ip);
  r.Bool(Child(m, "publishNotReadyAddresses"), "spec.publishNotReadyAddresses",
         &s->publish_not_ready_addresses);
  const Node* ports = r.Seq(Child(m, "ports"), "spec.ports");
  if (ports == nullptr) return;
  for (size_t i = 0; i < ports->items.size(); ++i) {
    const std::string p = Idx("spec.ports", i);
    const Node* pm = r.Map(ports->items[i].get(), p);
    if (pm == nullptr) continue;
    Strict(r, pm, p, kServicePortFields);
    ServicePort port;
    r.String(Child(pm, "name"), Sub(p, "name"), &port.name);
    r.String(Child(pm, "protocol"), Sub(p, "protocol"), &port.protocol);
    r.Int32(Child(pm, "port"), Sub(p, "port"), &port.port);
    DecodePortRef(r, Child(pm, "targetPort"), Sub(p, "targetPort"), &port.target_port);
    // SetDefaults_Service: targetPort defaults to port.
    if (!port.target_port.number && port.target_port.name.empty()) {
      port.target_port.number = port.port;
    }
    s->ports.push_back(port);
  }
}

void DecodePodDisruptionBudgetSpec(Reader& r, const Node* m, PodDisruptionBudgetSpec* s) {
  if (m == nullptr) return;
  Strict(r, m, "spec", kPodDisruptionBudgetSpecFields);
  if (const Node* sel = Child(m, "selector"); sel != nullptr && !sel->IsNull()) {
    s->selector.emplace();
    DecodeSelector(r, sel, "spec.selector", &*s->selector);
  }
  for (const auto& [key, out] : {std::pair{"minAvailable", &s->min_available},
                                 std::pair{"maxUnavailable", &s->max_unavailable}}) {
    const Node* n = Child(m, key);
    if (n == nullptr || n->IsNull()) continue;
    IntOrPercent v;
    DecodeIntOrPercent(r, n, Sub("spec", key), &v);
    *out = v;
  }
  r.String(Child(m, "unhealthyPodEvictionPolicy"), "spec.unhealthyPodEvictionPolicy",
           &s->unhealthy_pod_eviction_policy);
}

void DecodeOptionalInt32(Reader& r, const Node* n, const std::string& path,
                         std::optional<int32_t>* out);

// args[] of an AnalysisTemplate (a default value) or of a Rollout's
// analysis (the value given): name, value, valueFrom (not resolved).
void DecodeAnalysisArgs(Reader& r, const Node* n, const std::string& path,
                        std::vector<AnalysisArgument>* out, bool rollout) {
  const Node* seq = r.Seq(n, path);
  if (seq == nullptr) return;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string ap = fmt::format("{}[{}]", path, i);
    const Node* a = r.Map(seq->items[i].get(), ap);
    if (a == nullptr) continue;
    Strict(r, a, ap, kAnalysisArgFields);
    AnalysisArgument arg;
    r.String(Child(a, "name"), Sub(ap, "name"), &arg.name);
    if (arg.name.empty()) r.Error(a->mark, Sub(ap, "name"), "Required value");
    if (const Node* v = Child(a, "value"); v != nullptr && !v->IsNull()) {
      std::string text;
      if (r.String(v, Sub(ap, "value"), &text)) arg.value = std::move(text);
    }
    arg.value_from = Child(a, "valueFrom") != nullptr;
    if (rollout && !arg.value && !arg.value_from) {
      r.Error(a->mark, Sub(ap, "value"), "Required value: an argument needs a value or valueFrom");
    }
    out->push_back(std::move(arg));
  }
}

void DecodeRolloutAnalysis(Reader& r, const Node* n, const std::string& path,
                           std::optional<RolloutAnalysis>* out, bool background = false) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path,
         background ? Fields(kRolloutAnalysisBackgroundFields) : Fields(kRolloutAnalysisFields));
  RolloutAnalysis a;
  if (const Node* ts = r.Seq(Child(m, "templates"), Sub(path, "templates"))) {
    for (size_t i = 0; i < ts->items.size(); ++i) {
      const std::string tp = fmt::format("{}.templates[{}]", path, i);
      const Node* t = r.Map(ts->items[i].get(), tp);
      if (t == nullptr) continue;
      Strict(r, t, tp, kAnalysisTemplateRefFields);
      RolloutAnalysisTemplateRef ref;
      r.String(Child(t, "templateName"), Sub(tp, "templateName"), &ref.name);
      r.Bool(Child(t, "clusterScope"), Sub(tp, "clusterScope"), &ref.cluster_scope);
      a.templates.push_back(std::move(ref));
    }
  }
  DecodeAnalysisArgs(r, Child(m, "args"), Sub(path, "args"), &a.args, /*rollout=*/true);
  if (const Node* d = Child(m, "dryRun"); d != nullptr && !d->IsNull()) {
    const Node* ds = r.Seq(d, Sub(path, "dryRun"));
    a.dry_run = ds != nullptr && !ds->items.empty();
  }
  if (background)
    DecodeOptionalInt32(r, Child(m, "startingStep"), Sub(path, "startingStep"), &a.starting_step);
  *out = std::move(a);
}

void DecodeRolloutAntiAffinity(Reader& r, const Node* n, const std::string& path,
                               std::optional<RolloutAntiAffinity>* out) {
  const Node* m = r.Map(n, path);
  if (m == nullptr) return;
  Strict(r, m, path, kRolloutAntiAffinityFields);
  RolloutAntiAffinity a;
  const std::string pp = Sub(path, "preferredDuringSchedulingIgnoredDuringExecution");
  if (const Node* p = r.Map(Child(m, "preferredDuringSchedulingIgnoredDuringExecution"), pp)) {
    a.preferred = true;
    r.Int32(Child(p, "weight"), Sub(pp, "weight"), &a.weight);
  }
  const std::string rp = Sub(path, "requiredDuringSchedulingIgnoredDuringExecution");
  a.required = r.Map(Child(m, "requiredDuringSchedulingIgnoredDuringExecution"), rp) != nullptr;
  *out = a;
}

void DecodeOptionalInt32(Reader& r, const Node* n, const std::string& path,
                         std::optional<int32_t>* out) {
  if (n == nullptr || n->IsNull()) return;
  int32_t v = 0;
  if (r.Int32(n, path, &v)) *out = v;
}

// Go's time.ParseDuration: an optional sign, then one or more of a decimal
// number (a fraction allowed) and a unit (ns, us, µs, μs, ms, s, m, h); "0"
// alone. Nanoseconds; none when malformed or beyond int64.
std::optional<int64_t> GoDurationNanos(std::string_view t) {
  bool negative = false;
  if (!t.empty() && (t[0] == '-' || t[0] == '+')) {
    negative = t[0] == '-';
    t.remove_prefix(1);
  }
  if (t == "0") return 0;
  if (t.empty()) return std::nullopt;
  constexpr std::pair<std::string_view, int64_t> kUnits[] = {
      {"ns", 1},         {"us", 1'000},        {"\u00b5s", 1'000},    {"\u03bcs", 1'000},
      {"ms", 1'000'000}, {"s", 1'000'000'000}, {"m", 60'000'000'000}, {"h", 3'600'000'000'000}};
  constexpr uint64_t kLimit = uint64_t{1} << 63;  // Go's int64 range, its magnitude
  uint64_t total = 0;
  while (!t.empty()) {
    size_t i = 0;
    uint64_t whole = 0;
    bool digits = false;
    while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
      if (__builtin_mul_overflow(whole, uint64_t{10}, &whole) ||
          __builtin_add_overflow(whole, static_cast<uint64_t>(t[i++] - '0'), &whole) ||
          whole > kLimit) {
        return std::nullopt;
      }
      digits = true;
    }
    double fraction = 0, scale = 1;
    if (i < t.size() && t[i] == '.') {
      ++i;
      while (i < t.size() && t[i] >= '0' && t[i] <= '9') {
        fraction = fraction * 10 + (t[i++] - '0');
        scale *= 10;
        digits = true;
      }
    }
    if (!digits) return std::nullopt;
    size_t u = i;
    while (u < t.size() && t[u] != '.' && (t[u] < '0' || t[u] > '9')) ++u;
    const std::string_view unit = t.substr(i, u - i);
    const auto* found = std::find_if(std::begin(kUnits), std::end(kUnits),
                                     [&](const auto& k) { return k.first == unit; });
    if (found == std::end(kUnits)) return std::nullopt;  // missing or unknown unit
    uint64_t part = 0;
    if (__builtin_mul_overflow(whole, static_cast<uint64_t>(found->second), &part) ||
        __builtin_add_overflow(total, part, &total) ||
        __builtin_add_overflow(
            total, static_cast<uint64_t>(fraction * (static_cast<double>(found->second) / scale)),
            &total) ||
        total > kLimit) {
      return std::nullopt;
    }
    t.remove_prefix(u);
  }
  if (!negative && total == kLimit) return std::nullopt;
  return negative ? static_cast<int64_t>(0 - total) : static_cast<int64_t>(total);
}

// RolloutPause::DurationSeconds (argo-rollouts types.go): an integer is
// seconds; a string is strconv.ParseInt(s, 10, 32) seconds, else a Go
// duration truncated to whole seconds; -1 when neither (validation rejects
// it). Out of int32, Go's conversion on amd64 gives INT32_MIN.
int32_t PauseDurationSeconds(Reader& r, const Node* n, const std::string& path) {
  if (n->IsScalar() && n->plain && yaml::Resolve(*n) == yaml::ScalarType::kInt) {
    int32_t v = 0;
    return r.Int32(n, path, &v) ? v : -1;
  }
  std::string text;
  if (!r.String(n, path, &text)) return -1;
  std::string_view digits = text;
  if (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) digits.remove_prefix(1);
  if (yaml::IsDecimalDigits(digits)) {
    errno = 0;
    const long long v = std::strtoll(text.c_str(), nullptr, 10);
    if (errno == 0 && v >= INT32_MIN && v <= INT32_MAX) return static_cast<int32_t>(v);
  }
  const std::optional<int64_t> ns = GoDurationNanos(text);
  if (!ns) return -1;
  const double seconds =
      static_cast<double>(*ns / 1'000'000'000) + static_cast<double>(*ns % 1'000'000'000) / 1e9;
  if (seconds >= 2147483648.0 || seconds <= -2147483649.0) return INT32_MIN;
  return static_cast<int32_t>(seconds);
}

// A maxSurge or maxUnavailable as Argo reads it (invalidMaxSurgeMaxUnavailable,
// and GetValueFromIntOrPercent at run time): an integer, or a string that
// is a percentage with or without its '%' (Argo's own default is "25").
void DecodeArgoIntOrPercent(Reader& r, const Node* n, const std::string& path,
                            std::optional<IntOrPercent>* out) {
  if (n == nullptr || n->IsNull()) return;
  if (n->IsScalar() && yaml::IsDecimalDigits(n->scalar) &&
      !(n->plain && yaml::Resolve(*n) == yaml::ScalarType::kInt)) {
    int32_t v = 0;
    r.Record(path, *n);
    const auto parsed = std::from_chars(n->scalar.data(), n->scalar.data() + n->scalar.size(), v);
    if (parsed.ec == std::errc()) {
      *out = IntOrPercent{true, v};
      return;
    }
  }
  IntOrPercent v;
  DecodeIntOrPercent(r, n, path, &v);
  *out = v;
}

void DecodeCanaryStep(Reader& r, const Node* m, const std::string& path, CanaryStep* st) {
  Strict(r, m, path, kCanaryStepFields);
  const auto present = [&](const char* key) {
    const Node* c = Child(m, key);
    return c != nullptr && !c->IsNull();
  };
  st->set_weight_set = present("setWeight");
  if (st->set_weight_set) r.Int32(Child(m, "setWeight"), Sub(path, "setWeight"), &st->set_weight);
  st->pause_set = present("pause");
  if (const Node* p = r.Map(Child(m, "pause"), Sub(path, "pause"))) {
    Strict(r, p, Sub(path, "pause"), kRolloutPauseFields);
    const Node* d = Child(p, "duration");
    if (d != nullptr && !d->IsNull()) {
      st->pause_seconds = PauseDurationSeconds(r, d, Sub(path, "pause.duration"));
    }
  }
  st->experiment = present("experiment");
  if (const Node* ex = r.Map(Child(m, "experiment"), Sub(path, "experiment"))) {
    const std::string ep = Sub(path, "experiment");
    if (const Node* ts = r.Seq(Child(ex, "templates"), Sub(ep, "templates"))) {
      for (size_t i = 0; i < ts->items.size(); ++i) {
        const Node* t = ts->items[i].get();
        const Node* w = t->IsMap() ? Child(t, "weight") : nullptr;
        if (w != nullptr && !w->IsNull()) st->experiment_weights.push_back(i);
      }
    }
  }
  st->analysis_set = present("analysis");
  std::optional<RolloutAnalysis> analysis;
  DecodeRolloutAnalysis(r, Child(m, "analysis"), Sub(path, "analysis"), &analysis);
  if (analysis) st->analysis = std::move(*analysis);
  st->set_canary_scale_set = present("setCanaryScale");
  if (const Node* sc = r.Map(Child(m, "setCanaryScale"), Sub(path, "setCanaryScale"))) {
    const std::string sp = Sub(path, "setCanaryScale");
    Strict(r, sc, sp, kSetCanaryScaleFields);
    DecodeOptionalInt32(r, Child(sc, "replicas"), Sub(sp, "replicas"), &st->scale_replicas);
    DecodeOptionalInt32(r, Child(sc, "weight"), Sub(sp, "weight"), &st->scale_weight);
    r.Bool(Child(sc, "matchTrafficWeight"), Sub(sp, "matchTrafficWeight"),
           &st->scale_match_traffic_weight);
  }
  st->set_header_route = present("setHeaderRoute");
  st->set_mirror_route = present("setMirrorRoute");
  for (const char* key : {"setHeaderRoute", "setMirrorRoute"}) {
    if (const Node* route = r.Map(Child(m, key), Sub(path, key))) {
      r.String(Child(route, "name"), Sub(path, std::string(key) + ".name"), &st->route_name);
    }
  }
  st->plugin = present("plugin");
  r.Map(Child(m, "plugin"), Sub(path, "plugin"));  // a mapping, or a type error
}

void DecodeBlueGreen(Reader& r, const Node* m, const std::string& f, BlueGreenStrategy* b) {
  Strict(r, m, f, kBlueGreenFields);
  r.String(Child(m, "activeService"), Sub(f, "activeService"), &b->active_service);
  r.String(Child(m, "previewService"), Sub(f, "previewService"), &b->preview_service);
  DecodeOptionalInt32(r, Child(m, "previewReplicaCount"), Sub(f, "previewReplicaCount"),
                      &b->preview_replica_count);
  r.Bool(Child(m, "autoPromotionEnabled"), Sub(f, "autoPromotionEnabled"),
         &b->auto_promotion_enabled);
  r.Int32(Child(m, "autoPromotionSeconds"), Sub(f, "autoPromotionSeconds"),
          &b->auto_promotion_seconds);
  DecodeArgoIntOrPercent(r, Child(m, "maxUnavailable"), Sub(f, "maxUnavailable"),
                         &b->max_unavailable);
  DecodeOptionalInt32(r, Child(m, "scaleDownDelaySeconds"), Sub(f, "scaleDownDelaySeconds"),
                      &b->scale_down_delay_seconds);
  DecodeOptionalInt32(r, Child(m, "scaleDownDelayRevisionLimit"),
                      Sub(f, "scaleDownDelayRevisionLimit"), &b->scale_down_delay_revision_limit);
  DecodeOptionalInt32(r, Child(m, "abortScaleDownDelaySeconds"),
                      Sub(f, "abortScaleDownDelaySeconds"), &b->abort_scale_down_delay_seconds);
  DecodeRolloutAnalysis(r, Child(m, "prePromotionAnalysis"), Sub(f, "prePromotionAnalysis"),
                        &b->pre_promotion_analysis);
  DecodeRolloutAnalysis(r, Child(m, "postPromotionAnalysis"), Sub(f, "postPromotionAnalysis"),
                        &b->post_promotion_analysis);
  DecodeRolloutAntiAffinity(r, Child(m, "antiAffinity"), Sub(f, "antiAffinity"), &b->anti_affinity);
}

void DecodeCanary(Reader& r, const Node* m, const std::string& f, CanaryStrategy* c) {
  Strict(r, m, f, kCanaryFields);
  r.String(Child(m, "canaryService"), Sub(f, "canaryService"), &c->canary_service);
  r.String(Child(m, "stableService"), Sub(f, "stableService"), &c->stable_service);
  if (const Node* steps = r.Seq(Child(m, "steps"), Sub(f, "steps"))) {
    for (size_t i = 0; i < steps->items.size(); ++i) {
      const std::string sp = fmt::format("{}.steps[{}]", f, i);
      CanaryStep st;
      if (const Node* step = r.Map(steps->items[i].get(), sp)) DecodeCanaryStep(r, step, sp, &st);
      c->steps.push_back(std::move(st));
    }
  }
  if (const Node* tr = r.Map(Child(m, "trafficRouting"), Sub(f, "trafficRouting"))) {
    const std::string tp = Sub(f, "trafficRouting");
    Strict(r, tr, tp, kTrafficRoutingFields);
    std::vector<std::string> providers;
    for (std::string_view key : kTrafficRoutingFields) {
      if (key == "managedRoutes" || key == "maxTrafficWeight") continue;
      // Each a mapping (the CRD's objects); plugins count when it names one
      // (Argo tests len(Plugins) > 0).
      const Node* p = r.Map(Child(tr, key), Sub(tp, key));
      if (p != nullptr && (key != "plugins" || !p->items.empty())) providers.emplace_back(key);
    }
    if (const Node* routes = r.Seq(Child(tr, "managedRoutes"), Sub(tp, "managedRoutes"))) {
      c->managed_routes.emplace();
      for (size_t i = 0; i < routes->items.size(); ++i) {
        const std::string rp = fmt::format("{}.managedRoutes[{}]", tp, i);
        std::string name;
        if (const Node* route = r.Map(routes->items[i].get(), rp)) {
          r.String(Child(route, "name"), Sub(rp, "name"), &name);
        }
        c->managed_routes->push_back(std::move(name));
      }
    }
    if (const Node* istio = Child(tr, "istio"); istio != nullptr && istio->IsMap()) {
      const Node* dr = Child(istio, "destinationRule");
      c->istio_destination_rule = dr != nullptr && !dr->IsNull();
    }
    if (const Node* alb = Child(tr, "alb"); alb != nullptr && alb->IsMap()) {
      std::string root_service;
      r.String(Child(alb, "rootService"), Sub(tp, "alb.rootService"), &root_service);
      c->alb_root_service = !root_service.empty();
    }
    DecodeOptionalInt32(r, Child(tr, "maxTrafficWeight"), Sub(tp, "maxTrafficWeight"),
                        &c->max_traffic_weight);
    c->traffic_routing = std::move(providers);
  }
  DecodeArgoIntOrPercent(r, Child(m, "maxSurge"), Sub(f, "maxSurge"), &c->max_surge);
  DecodeArgoIntOrPercent(r, Child(m, "maxUnavailable"), Sub(f, "maxUnavailable"),
                         &c->max_unavailable);
  DecodeRolloutAnalysis(r, Child(m, "analysis"), Sub(f, "analysis"), &c->analysis, true);
  DecodeRolloutAntiAffinity(r, Child(m, "antiAffinity"), Sub(f, "antiAffinity"), &c->anti_affinity);
  DecodeOptionalInt32(r, Child(m, "scaleDownDelaySeconds"), Sub(f, "scaleDownDelaySeconds"),
                      &c->scale_down_delay_seconds);
  DecodeOptionalInt32(r, Child(m, "scaleDownDelayRevisionLimit"),
                      Sub(f, "scaleDownDelayRevisionLimit"), &c->scale_down_delay_revision_limit);
  DecodeOptionalInt32(r, Child(m, "abortScaleDownDelaySeconds"),
                      Sub(f, "abortScaleDownDelaySeconds"), &c->abort_scale_down_delay_seconds);
  r.Bool(Child(m, "dynamicStableScale"), Sub(f, "dynamicStableScale"), &c->dynamic_stable_scale);
  if (const Node* pp = r.Map(Child(m, "pingPong"), Sub(f, "pingPong"))) {
    Strict(r, pp, Sub(f, "pingPong"), kPingPongFields);
    c->ping_pong = true;
    r.String(Child(pp, "pingService"), Sub(f, "pingPong.pingService"), &c->ping_service);
    r.String(Child(pp, "pongService"), Sub(f, "pingPong.pongService"), &c->pong_service);
  }
  DecodeOptionalInt32(r, Child(m, "minPodsPerReplicaSet"), Sub(f, "minPodsPerReplicaSet"),
                      &c->min_pods_per_replica_set);
}

void DecodeRolloutSpec(Reader& r, const Node* m, RolloutSpec* s) {
  Strict(r, m, "spec", kRolloutSpecFields);
  r.Int32(Child(m, "replicas"), "spec.replicas", &s->replicas);
  if (const Node* sel = Child(m, "selector"); sel != nullptr && !sel->IsNull()) {
    s->selector.emplace();
    DecodeSelector(r, sel, "spec.selector", &*s->selector);
  }
  if (const Node* t = Child(m, "template"); t != nullptr && !t->IsNull()) {
    s->template_.emplace();
    DecodeTemplate(r, t, "spec.template", &*s->template_);
  }
  if (const Node* w = r.Map(Child(m, "workloadRef"), "spec.workloadRef")) {
    Strict(r, w, "spec.workloadRef", kWorkloadRefFields);
    RolloutWorkloadRef ref;
    r.String(Child(w, "apiVersion"), "spec.workloadRef.apiVersion", &ref.api_version);
    r.String(Child(w, "kind"), "spec.workloadRef.kind", &ref.kind);
    r.String(Child(w, "name"), "spec.workloadRef.name", &ref.name);
    r.String(Child(w, "scaleDown"), "spec.workloadRef.scaleDown", &ref.scale_down);
    s->workload_ref = std::move(ref);
  }
  r.Int32(Child(m, "minReadySeconds"), "spec.minReadySeconds", &s->min_ready_seconds);
  r.Int32(Child(m, "revisionHistoryLimit"), "spec.revisionHistoryLimit",
          &s->revision_history_limit);
  r.Bool(Child(m, "paused"), "spec.paused", &s->paused);
  r.Int32(Child(m, "progressDeadlineSeconds"), "spec.progressDeadlineSeconds",
          &s->progress_deadline_seconds);
  r.Bool(Child(m, "progressDeadlineAbort"), "spec.progressDeadlineAbort",
         &s->progress_deadline_abort);
  if (const Node* st = r.Map(Child(m, "strategy"), "spec.strategy")) {
    Strict(r, st, "spec.strategy", kRolloutStrategyFields);
    if (const Node* b = r.Map(Child(st, "blueGreen"), "spec.strategy.blueGreen")) {
      s->blue_green.emplace();
      DecodeBlueGreen(r, b, "spec.strategy.blueGreen", &*s->blue_green);
    }
    if (const Node* c = r.Map(Child(st, "canary"), "spec.strategy.canary")) {
      s->canary.emplace();
      DecodeCanary(r, c, "spec.strategy.canary", &*s->canary);
    }
  }
}

template <class T>
void SetCommon(T* obj, const ObjectMeta& meta, const Node& root, const std::string& file) {
  obj->metadata = meta;
  obj->source.document = Position{file, root.mark.line + 1, root.mark.column + 1};
}

// An object's metadata (its namespace defaulted), the messages' prefix,
// the strict checks of its top-level and metadata fields; its spec mapping
// (null if absent) and, in `md`, its metadata's.
const Node* DecodeHead(Reader& r, const Node& root, const std::string& kind, ObjectMeta* meta,
                       const Node** md) {
  *md = r.Map(root.Get("metadata"), "metadata");
  if (*md != nullptr) DecodeMeta(r, *md, "metadata", meta);
  if (meta->namespace_name.empty()) meta->namespace_name = defaults::kNamespace;
  r.set_prefix(fmt::format("{} \"{}\": ", kind, meta->name));
  Strict(r, &root, "", kObjectFields);
  Strict(r, *md, "metadata", kObjectMetaFields);
  WarnUnhonoured(r, "ObjectMeta", *md, "metadata");
  return r.Map(root.Get("spec"), "spec");
}

// Re-reads metadata and spec with positions recorded in the object's map.
void RecordPositions(Reader& r, const Node* spec, const Node* md, SourceMap* source) {
  r.set_source(source);
  if (spec != nullptr) r.Record("spec", *spec);
  if (md != nullptr) {
    r.Record("metadata", *md);
    ObjectMeta again;
    Diagnostics ignored;
    Reader quiet(r.file(), &ignored, "", source);
    DecodeMeta(quiet, md, "metadata", &again);
  }
}

// Validation's errors, each at the position of its field; fields that
// already failed to decode are not judged again. True when the object
// decoded and validated without error.
bool ReportInvalid(const Reader& r, FieldErrors errors, const SourceMap& source,
                   const std::string& kind, const std::string& name, Diagnostics* out) {
  std::erase_if(errors, [&](const FieldError& e) {
    for (const std::string& bad : r.error_paths()) {
      if (bad.empty()) return true;
      if (e.field.starts_with(bad) || bad.starts_with(e.field)) return true;
    }
    return false;
  });
  for (const FieldError& e : errors) {
    out->push_back(
        Diagnostic{Severity::kError, source.At(e.field),
                   fmt::format("{} \"{}\" is invalid: {}: {}", kind, name, e.field, e.message)});
  }
  return errors.empty() && r.errors() == 0;
}

// Flagger's Canary (flagger.app/v1beta1; pkg/apis/flagger/v1beta1/canary.go
// and its CRD, artifacts/flagger/crd.yaml, at 15bd6ad).
constexpr std::string_view kCanarySpecFields[] = {"provider",
                                                  "metricsServer",
                                                  "targetRef",
                                                  "autoscalerRef",
                                                  "ingressRef",
                                                  "routeRef",
                                                  "upstreamRef",
                                                  "service",
                                                  "analysis",
                                                  "canaryAnalysis",
                                                  "progressDeadlineSeconds",
                                                  "skipAnalysis",
                                                  "revertOnDeletion",
                                                  "suspend"};
constexpr std::string_view kCanaryTargetRefFields[] = {"apiVersion", "kind", "name"};
constexpr std::string_view kCanaryServiceFields[] = {
    "name",           "port",        "portName",
    "targetPort",     "appProtocol", "trafficDistribution",
    "portDiscovery",  "headless",    "timeout",
    "backendTimeout", "gateways",    "gatewayRefs",
    "hosts",          "delegation",  "trafficPolicy",
    "match",          "rewrite",     "retries",
    "headers",        "mirror",      "corsPolicy",
    "meshName",       "backends",    "apex",
    "primary",        "canary",      "unmanagedMetadata"};
constexpr std::string_view kCanaryAnalysisFields[] = {"interval",
                                                      "iterations",
                                                      "mirror",
                                                      "mirrorWeight",
                                                      "maxWeight",
                                                      "stepWeight",
                                                      "stepWeights",
                                                      "stepWeightPromotion",
                                                      "threshold",
                                                      "primaryReadyThreshold",
                                                      "canaryReadyThreshold",
                                                      "alerts",
                                                      "metrics",
                                                      "webhooks",
                                                      "match",
                                                      "sessionAffinity"};
constexpr std::string_view kCanaryMetricFields[] = {
    "name", "interval", "threshold", "thresholdRange", "query", "templateRef", "templateVariables"};
constexpr std::string_view kCanaryThresholdRangeFields[] = {"min", "max"};

// A number (an integer or a float), as JSON decodes a float64.
bool DecodeFloat(Reader& r, const Node* n, const std::string& path, std::optional<double>* out) {
  if (n == nullptr || n->IsNull()) return true;
  r.Record(path, *n);
  const yaml::ScalarType t = n->IsScalar() ? yaml::Resolve(*n) : yaml::ScalarType::kString;
  if (t != yaml::ScalarType::kInt && t != yaml::ScalarType::kFloat) {
    r.Error(n->mark, path, fmt::format("expected a number, got {}", yaml::Describe(*n)));
    return false;
  }
  char* end = nullptr;
  const double v = std::strtod(n->scalar.c_str(), &end);
  if (end == n->scalar.c_str()) {
    r.Error(n->mark, path, fmt::format("expected a number, got {}", yaml::Describe(*n)));
    return false;
  }
  *out = v;
  return true;
}

// A Go duration the CRD allows (pattern ^[0-9]+(m|s)) and time.ParseDuration reads.
bool DecodeFlaggerDuration(Reader& r, const Node* n, const std::string& path, int64_t* out) {
  std::string text;
  if (n == nullptr || n->IsNull() || !r.String(n, path, &text)) return n == nullptr;
  const bool pattern = !text.empty() && std::isdigit(static_cast<unsigned char>(text[0])) != 0 &&
                       text.find_first_not_of("0123456789") != std::string::npos &&
                       (text[text.find_first_not_of("0123456789")] == 'm' ||
                        text[text.find_first_not_of("0123456789")] == 's');
  const auto d = ParseDuration(text);
  if (!pattern || !d) {
    r.Error(n->mark, path,
            fmt::format("Invalid value: \"{}\": should match '^[0-9]+(m|s)' (e.g. 30s, 1m)", text));
    return false;
  }
  *out = d->micros();
  return true;
}

void DecodeFlaggerAnalysis(Reader& r, const Node* a, const std::string& ap, FlaggerAnalysis* out,
                           const std::string& name, Diagnostics* diags) {
  Strict(r, a, ap, kCanaryAnalysisFields);
  const Node* interval = Child(a, "interval");
  if (interval == nullptr) r.Error(a->mark, Sub(ap, "interval"), "Required value");
  DecodeFlaggerDuration(r, interval, Sub(ap, "interval"), &out->interval_us);
  // GetAnalysisInterval: an interval under 10 s counts as 10 s.
  out->interval_us = std::max<int64_t>(out->interval_us, 10'000'000);
  if (Child(a, "threshold") == nullptr) r.Error(a->mark, Sub(ap, "threshold"), "Required value");
  r.Int32(Child(a, "threshold"), Sub(ap, "threshold"), &out->threshold);
  if (out->threshold <= 0) out->threshold = 1;  // GetAnalysisThreshold
  r.Int32(Child(a, "maxWeight"), Sub(ap, "maxWeight"), &out->max_weight);
  r.Int32(Child(a, "stepWeight"), Sub(ap, "stepWeight"), &out->step_weight);
  r.Int32(Child(a, "stepWeightPromotion"), Sub(ap, "stepWeightPromotion"),
          &out->step_weight_promotion);
  r.Int32(Child(a, "iterations"), Sub(ap, "iterations"), &out->iterations);
  if (const Node* sw = r.Seq(Child(a, "stepWeights"), Sub(ap, "stepWeights"))) {
    for (size_t i = 0; i < sw->items.size(); ++i) {
      int32_t w = 0;
      if (r.Int32(sw->items[i].get(), Idx(Sub(ap, "stepWeights"), i), &w)) {
        out->step_weights.push_back(w);
      }
    }
  }
  // The CRD's oneOf: interval and threshold with iterations, stepWeight or stepWeights.
  if (Child(a, "iterations") == nullptr && Child(a, "stepWeight") == nullptr &&
      Child(a, "stepWeights") == nullptr) {
    r.Error(a->mark, ap, "Required value: one of iterations, stepWeight or stepWeights");
  }
  const Node* match = Child(a, "match");
  out->match =
      match != nullptr && !match->IsNull() && !(match->IsSequence() && match->items.empty());
  if (const Node* f = Child(a, "mirror"); f != nullptr && !f->IsNull()) {
    bool mirror = false;
    r.Bool(f, Sub(ap, "mirror"), &mirror);
    if (mirror) {
      diags->push_back(Diagnostic{
          Severity::kWarning, r.Pos(f->mark),
          fmt::format("Canary \"{}\": {}.mirror is not simulated: no request is mirrored to "
                      "the canary, and the mirrored first step (weight 0) is not run",
                      name, ap)});
    }
  }
  for (const auto& [field, value] :
       {std::pair{"primaryReadyThreshold", &out->primary_ready_threshold},
        std::pair{"canaryReadyThreshold", &out->canary_ready_threshold}}) {
    r.Int32(Child(a, field), Sub(ap, field), value);
  }
  if (const Node* ms = r.Seq(Child(a, "metrics"), Sub(ap, "metrics"))) {
    for (size_t i = 0; i < ms->items.size(); ++i) {
      const std::string mp = Idx(Sub(ap, "metrics"), i);
      const Node* m = r.Map(ms->items[i].get(), mp);
      if (m == nullptr) continue;
      Strict(r, m, mp, kCanaryMetricFields);
      FlaggerMetric metric;
      if (Child(m, "name") == nullptr) r.Error(m->mark, Sub(mp, "name"), "Required value");
      r.String(Child(m, "name"), Sub(mp, "name"), &metric.name);
      DecodeFlaggerDuration(r, Child(m, "interval"), Sub(mp, "interval"), &metric.interval_us);
      std::optional<double> threshold;
      DecodeFloat(r, Child(m, "threshold"), Sub(mp, "threshold"), &threshold);
      metric.threshold = threshold.value_or(0);
      if (const Node* tr = r.Map(Child(m, "thresholdRange"), Sub(mp, "thresholdRange"))) {
        Strict(r, tr, Sub(mp, "thresholdRange"), kCanaryThresholdRangeFields);
        metric.range = true;
        DecodeFloat(r, Child(tr, "min"), Sub(mp, "thresholdRange.min"), &metric.min);
        DecodeFloat(r, Child(tr, "max"), Sub(mp, "thresholdRange.max"), &metric.max);
      }
      // runBuiltinMetricChecks reads the builtin names (and inline queries);
      // runMetricChecks the templateRefs, and fails a metric with neither.
      const bool templated = Child(m, "templateRef") != nullptr || Child(m, "query") != nullptr;
      if (templated) {
        metric.source = FlaggerMetric::Source::kTemplated;
        r.FieldWarning(m->mark, mp,
                       fmt::format("metric \"{}\" (a MetricTemplate or query) is not simulated: "
                                   "kubesim queries no metrics server and evaluates only the "
                                   "builtin request-success-rate and request-duration over the "
                                   "simulated requests; this check always passes",
                                   metric.name));
      } else if (metric.name == "request-success-rate") {
        metric.source = FlaggerMetric::Source::kSuccessRate;
      } else if (metric.name == "request-duration") {
        metric.source = FlaggerMetric::Source::kDuration;
        if (!metric.range && metric.threshold == 0) {
          r.FieldWarning(m->mark, mp,
                         "request-duration has neither thresholdRange nor threshold: Flagger "
                         "fails it whenever the p99 is above 0 ms");
        }
      } else {
        metric.source = FlaggerMetric::Source::kUnusable;
        r.FieldWarning(m->mark, mp,
                       fmt::format("metric \"{}\" is neither builtin (request-success-rate, "
                                   "request-duration) nor has a templateRef or query: Flagger "
                                   "fails it at every check (\"no usable metrics template and "
                                   "query were configured\"), so the canary is rolled back",
                                   metric.name));
      }
      out->metrics.push_back(std::move(metric));
    }
  }
  const Node* hooks = Child(a, "webhooks");
  if (hooks != nullptr && hooks->IsSequence() && !hooks->items.empty()) {
    diags->push_back(Diagnostic{
        Severity::kWarning, r.Pos(hooks->mark),
        fmt::format("Canary \"{}\": {}.webhooks are not called: each succeeds at once (a "
                    "confirm gate opens, a rollback hook never fires); a load tester's traffic "
                    "is a client of the canary Service in kubesim (docs/progressive-delivery.md)",
                    name, ap)});
  }
  if (const Node* f = Child(a, "sessionAffinity"); f != nullptr && !f->IsNull()) {
    {
      diags->push_back(Diagnostic{
          Severity::kWarning, r.Pos(f->mark),
          fmt::format("Canary \"{}\": {}.sessionAffinity is not simulated: requests are split "
                      "by weight alone, never pinned by a cookie",
                      name, ap)});
    }
  }
}

bool DecodeCanaryDocument(Reader& r, const yaml::NodePtr& root_ptr, const std::string& file,
                          Diagnostics* out, std::vector<DecodedObject>* objects) {
  const Node& root = *root_ptr;
  FlaggerCanary c;
  const Node* md = nullptr;
  const Node* spec = DecodeHead(r, root, "Canary", &c.metadata, &md);
  c.source.document = Position{file, root.mark.line + 1, root.mark.column + 1};
  RecordPositions(r, spec, md, &c.source);
  if (spec == nullptr) {
    r.Error(root.mark, "spec", "Required value");
    return false;
  }
  Strict(r, spec, "spec", kCanarySpecFields);
  FlaggerCanarySpec& s = c.spec;
  r.String(Child(spec, "provider"), "spec.provider", &s.provider);
  const Node* target = r.Map(Child(spec, "targetRef"), "spec.targetRef");
  if (target == nullptr) r.Error(spec->mark, "spec.targetRef", "Required value");
  Strict(r, target, "spec.targetRef", kCanaryTargetRefFields);
  r.String(Child(target, "kind"), "spec.targetRef.kind", &s.target_kind);
  r.String(Child(target, "name"), "spec.targetRef.name", &s.target_name);
  if (target != nullptr && s.target_name.empty()) {
    r.Error(target->mark, "spec.targetRef.name", "Required value");
  }
  const Node* svc = r.Map(Child(spec, "service"), "spec.service");
  if (svc == nullptr) r.Error(spec->mark, "spec.service", "Required value");
  Strict(r, svc, "spec.service", kCanaryServiceFields);
  r.String(Child(svc, "name"), "spec.service.name", &s.service_name);
  if (svc != nullptr && Child(svc, "port") == nullptr) {
    r.Error(svc->mark, "spec.service.port", "Required value");
  }
  r.Int32(Child(svc, "port"), "spec.service.port", &s.port);
  for (const char* field : {"retries", "timeout", "mirror", "headless"}) {
    const Node* f = Child(svc, field);
    if (f == nullptr || f->IsNull()) continue;
    out->push_back(Diagnostic{
        Severity::kWarning, r.Pos(f->mark),
        fmt::format("Canary \"{}\": spec.service.{} is not simulated: the router is an exact "
                    "weighted split, with no retries, timeouts or mirrored requests",
                    c.metadata.name, field)});
  }
  const Node* analysis = r.Map(Child(spec, "analysis"), "spec.analysis");
  std::string ap = "spec.analysis";
  if (analysis == nullptr) {
    analysis = r.Map(Child(spec, "canaryAnalysis"), "spec.canaryAnalysis");  // GetAnalysis
    ap = "spec.canaryAnalysis";
  }
  if (analysis != nullptr) {
    s.analysis.emplace();
    DecodeFlaggerAnalysis(r, analysis, ap, &*s.analysis, c.metadata.name, out);
  }
  r.Int32(Child(spec, "progressDeadlineSeconds"), "spec.progressDeadlineSeconds",
          &s.progress_deadline_seconds);
  r.Bool(Child(spec, "skipAnalysis"), "spec.skipAnalysis", &s.skip_analysis);
  r.Bool(Child(spec, "suspend"), "spec.suspend", &s.suspend);
  if (const Node* f = Child(spec, "revertOnDeletion"); f != nullptr && !f->IsNull()) {
    bool revert = false;
    r.Bool(f, "spec.revertOnDeletion", &revert);
    if (revert) {
      out->push_back(Diagnostic{
          Severity::kWarning, r.Pos(f->mark),
          fmt::format("Canary \"{}\": spec.revertOnDeletion is not simulated: deleting the "
                      "Canary leaves the target as it is and the Service selecting the "
                      "primary's pods, which go with it",
                      c.metadata.name)});
    }
  }
  if (const Node* a = Child(spec, "autoscalerRef"); a != nullptr && !a->IsNull()) {
    out->push_back(
        Diagnostic{Severity::kWarning, r.Pos(a->mark),
                   fmt::format("Canary \"{}\": spec.autoscalerRef is not simulated: kubesim has no "
                               "autoscaler; the primary keeps the target's replicas",
                               c.metadata.name)});
  }
  if (r.errors() > 0) return false;
  if (s.target_kind != "Deployment") {
    r.Warning(root.mark, fmt::format("Canary \"{}\" targets a {}: kubesim simulates Flagger for a "
                                     "Deployment only; the Canary is left out of the run",
                                     c.metadata.name, s.target_kind));
    return true;
  }
  objects->push_back(DecodedObject{std::move(c), root_ptr});
  return true;
}

// An Argo Rollouts Rollout: decoded and checked as the controller checks it
// (ValidateRollout). A blueGreen Rollout with its own template is simulated
// (docs/progressive-delivery.md); a canary one, or one whose template is a
// Deployment's (workloadRef), is left out of the run with a warning, as is
// what the simulation does not honour yet.
bool DecodeRolloutDocument(Reader& r, const yaml::NodePtr& root_ptr, const std::string& file,
                           Diagnostics* out, std::vector<DecodedObject>* objects) {
  const Node& root = *root_ptr;
  Rollout ro;
  const Node* md = nullptr;
  const Node* spec = DecodeHead(r, root, "Rollout", &ro.metadata, &md);
  ro.source.document = Position{file, root.mark.line + 1, root.mark.column + 1};
  RecordPositions(r, spec, md, &ro.source);
  DecodeRolloutSpec(r, spec, &ro.spec);
  if (!ReportInvalid(r, ValidateRollout(ro), ro.source, "Rollout", ro.metadata.name, out)) {
    return false;
  }
  const auto& canary = ro.spec.canary;
  const bool routed = canary && canary->traffic_routing;
  const std::string_view missing =
      ro.spec.workload_ref && ro.spec.workload_ref->kind != "Deployment"
          ? "a workloadRef to a ReplicaSet or PodTemplate"
      : routed && (canary->canary_service.empty() || canary->stable_service.empty())
          ? "trafficRouting without a canaryService and a stableService (subset-level routing)"
          : "";
  if (!missing.empty()) {
    r.Warning(root.mark,
              fmt::format("Rollout \"{}\" (argoproj.io/v1alpha1) is valid as the Argo Rollouts "
                          "controller checks it, but kubesim does not simulate {} yet: the "
                          "Rollout is left out of the run (no pods, no Service switch, no steps)",
                          ro.metadata.name, missing));
    return true;
  }
  const auto unhonoured = [&](const std::string& field, const char* instead) {
    out->push_back(
        Diagnostic{Severity::kWarning, ro.source.At("spec.strategy." + field),
                   fmt::format("Rollout \"{}\": spec.strategy.{} is not simulated yet: {}",
                               ro.metadata.name, field, instead)});
  };
  // Spec fields the controller honours and kubesim does not yet.
  for (const auto& [field, instead] :
       {std::pair{"rollbackWindow",
                  "a rollback within the window goes through the pause or "
                  "steps as any update"},
        std::pair{"restartAt",
                  "an absolute time the run's clock cannot place: the pods are not restarted "
                  "(a timeline step `kubectl argo rollouts restart NAME [--in D]` sets it)"}}) {
    const Node* f = spec == nullptr ? nullptr : spec->Get(field);
    if (f == nullptr) continue;
    out->push_back(Diagnostic{Severity::kWarning,
                              Position{file, f->mark.line + 1, f->mark.column + 1},
                              fmt::format("Rollout \"{}\": spec.{} is not simulated yet: {}",
                                          ro.metadata.name, field, instead)});
  }
  if (ro.spec.progress_deadline_abort) {
    out->push_back(Diagnostic{
        Severity::kWarning, ro.source.At("spec.progressDeadlineAbort"),
        fmt::format("Rollout \"{}\": spec.progressDeadlineAbort is not simulated yet: the "
                    "Rollout's progress deadline is not modelled, so a stuck update is never "
                    "aborted",
                    ro.metadata.name)});
  }
  if (const auto& bg = ro.spec.blue_green) {
    for (const auto& [field, analysis] :
         {std::pair{"blueGreen.prePromotionAnalysis", &bg->pre_promotion_analysis},
          std::pair{"blueGreen.postPromotionAnalysis", &bg->post_promotion_analysis}}) {
      if (*analysis && (*analysis)->dry_run) {
        unhonoured(std::string(field) + ".dryRun", "its metrics' failures count");
      }
    }
    if (bg->anti_affinity) {
      unhonoured("blueGreen.antiAffinity", "new pods may share nodes with the stable ones");
    }
  }
  if (const auto& c = ro.spec.canary) {
    if (c->analysis && c->analysis->dry_run) {
      unhonoured("canary.analysis.dryRun", "its metrics' failures count");
    }
    if (c->anti_affinity) {
      unhonoured("canary.antiAffinity", "new pods may share nodes with the stable ones");
    }
    const Node* cn = spec == nullptr ? nullptr : spec->Get("strategy");
    cn = cn == nullptr ? nullptr : cn->Get("canary");
    for (const auto& [field, instead] :
         {std::pair{"replicaProgressThreshold",
                    "a step waits for every canary pod, and "
                    "promotion for every new pod"},
          std::pair{"canaryMetadata", "the canary pods do not get its labels and annotations"},
          std::pair{"stableMetadata", "the stable pods do not get its labels and annotations"}}) {
      const Node* f = cn == nullptr ? nullptr : cn->Get(field);
      if (f == nullptr) continue;
      out->push_back(
          Diagnostic{Severity::kWarning, Position{file, f->mark.line + 1, f->mark.column + 1},
                     fmt::format("Rollout \"{}\": spec.strategy.canary.{} is not simulated yet: {}",
                                 ro.metadata.name, field, instead)});
    }
    for (size_t i = 0; i < c->steps.size(); ++i) {
      if (c->steps[i].set_header_route || c->steps[i].set_mirror_route) {
        unhonoured(fmt::format("canary.steps[{}].{}", i,
                               c->steps[i].set_header_route ? "setHeaderRoute" : "setMirrorRoute"),
                   "no request is routed by header or mirrored; the step completes at once");
      } else if (c->steps[i].plugin) {
        unhonoured(fmt::format("canary.steps[{}].plugin", i), "the step completes at once");
      } else if (c->steps[i].analysis_set && c->steps[i].analysis.dry_run) {
        unhonoured(fmt::format("canary.steps[{}].analysis.dryRun", i),
                   "its metrics' failures count");
      } else if (c->steps[i].experiment) {
        unhonoured(fmt::format("canary.steps[{}].experiment", i),
                   "the step completes at once, without the experiment's pods");
      }
    }
  }
  objects->push_back(DecodedObject{std::move(ro), root_ptr});
  return true;
}

// A metric's count, failureLimit, ...: an IntOrString. A number, or a
// string of digits; a template ("{{args.count}}") is not resolved: warned,
// and the field taken as absent.
bool DecodeMetricInt(Reader& r, const Node* n, const std::string& path, int32_t* out) {
  if (n == nullptr || n->IsNull()) return false;
  if (n->IsScalar() && !n->plain && n->scalar.find("{{") != std::string::npos) {
    r.FieldWarning(n->mark, path,
                   fmt::format("\"{}\" is an argument kubesim does not substitute here; the "
                               "field is taken as absent",
                               n->scalar));
    return false;
  }
  if (n->IsScalar() && !n->plain && yaml::IsDecimalDigits(n->scalar)) {
    int64_t v = 0;
    bool overflow = false;
    if (ParseYamlInt(n->scalar, &v, &overflow) && v <= INT32_MAX) {
      r.Record(path, *n);
      *out = static_cast<int32_t>(v);
      return true;
    }
  }
  return r.Int32(n, path, out);
}

// A metric's interval or initialDelay: a Go duration (DurationString).
void DecodeMetricDuration(Reader& r, const Node* n, const std::string& path,
                          std::optional<int64_t>* out) {
  if (n == nullptr || n->IsNull()) return;
  std::string text;
  if (!r.String(n, path, &text) || text.empty()) return;
  const std::optional<int64_t> ns = GoDurationNanos(text);
  if (!ns || *ns < 0) {
    r.Error(n->mark, path,
            fmt::format("invalid duration \"{}\" (a Go duration such as 30s, 5m or 1h30m)", text));
    return;
  }
  *out = *ns / 1000;
}

// ValidateMetric (argo-rollouts utils/analysis/factory.go), which the
// analysis controller applies to every run; kubesim checks at load.
std::string ValidateAnalysisMetric(const AnalysisMetric& m, bool count_set) {
  const int32_t count = m.count.value_or(0);
  if (m.consecutive_success_limit < 0) return "consecutiveSuccessLimit must be >= 0";
  if (m.failure_limit < -1) return "failureLimit must be >= 0, or -1 to be disabled";
  if (m.consecutive_success_limit == 0 && m.failure_limit == -1) {
    return "failureLimit and consecutiveSuccessLimit cannot both be disabled";
  }
  if (m.inconclusive_limit < 0) return "inconclusiveLimit must be >= 0";
  if (m.consecutive_error_limit < 0) return "consecutiveErrorLimit must be >= 0";
  if (count > 0) {
    if (m.failure_limit >= 0 && count < m.failure_limit + m.consecutive_success_limit) {
      return fmt::format(
          "count ({}) must be >= failureLimit + consecutiveSuccessLimit ({} + {}) "
          "if both >= 0",
          count, m.failure_limit, m.consecutive_success_limit);
    }
    if (m.failure_limit < 0 && count < m.consecutive_success_limit) {
      return "count must be >= consecutiveSuccessLimit";
    }
    if (count < m.inconclusive_limit) return "count must be >= inconclusiveLimit";
  }
  if (count > 1 && !m.interval_us) return "interval must be specified when count > 1";
  (void)count_set;
  return "";
}

// An AnalysisTemplate or ClusterAnalysisTemplate (argoproj.io/v1alpha1).
bool DecodeAnalysisTemplateDocument(Reader& r, const yaml::NodePtr& root_ptr,
                                    const std::string& kind, const std::string& file,
                                    Diagnostics* /*out*/, std::vector<DecodedObject>* objects) {
  const Node& root = *root_ptr;
  AnalysisTemplate t;
  t.cluster_scope = kind == "ClusterAnalysisTemplate";
  const Node* md = nullptr;
  const Node* spec = DecodeHead(r, root, kind, &t.metadata, &md);
  if (t.cluster_scope) t.metadata.namespace_name.clear();
  t.source.document = Position{file, root.mark.line + 1, root.mark.column + 1};
  RecordPositions(r, spec, md, &t.source);
  const int before = r.errors();
  Strict(r, spec, "spec", kAnalysisTemplateSpecFields);
  DecodeAnalysisArgs(r, Child(spec, "args"), "spec.args", &t.args, /*rollout=*/false);
  const Node* ms = r.Seq(Child(spec, "metrics"), "spec.metrics");
  if (ms == nullptr || ms->items.empty()) {
    r.Error(spec != nullptr ? spec->mark : root.mark, "spec.metrics",
            "Required value: no metrics specified");
  }
  for (size_t i = 0; ms != nullptr && i < ms->items.size(); ++i) {
    const std::string mp = fmt::format("spec.metrics[{}]", i);
    const Node* m = r.Map(ms->items[i].get(), mp);
    if (m == nullptr) continue;
    Strict(r, m, mp, kAnalysisMetricFields);
    AnalysisMetric metric;
    r.String(Child(m, "name"), Sub(mp, "name"), &metric.name);
    if (metric.name.empty()) r.Error(m->mark, Sub(mp, "name"), "Required value");
    for (const AnalysisMetric& other : t.metrics) {
      if (!metric.name.empty() && other.name == metric.name) {
        r.Error(Child(m, "name")->mark, Sub(mp, "name"),
                fmt::format("duplicate name '{}'", metric.name));
      }
    }
    DecodeMetricDuration(r, Child(m, "interval"), Sub(mp, "interval"), &metric.interval_us);
    if (metric.interval_us && *metric.interval_us == 0) {
      r.Error(Child(m, "interval")->mark, Sub(mp, "interval"),
              "must be greater than 0 (Argo measures again as soon as it can: kubesim would not "
              "leave the instant)");
    }
    DecodeMetricDuration(r, Child(m, "initialDelay"), Sub(mp, "initialDelay"),
                         &metric.initial_delay_us);
    int32_t count = 0;
    if (DecodeMetricInt(r, Child(m, "count"), Sub(mp, "count"), &count) && count != 0) {
      metric.count = count;
    }
    DecodeMetricInt(r, Child(m, "failureLimit"), Sub(mp, "failureLimit"), &metric.failure_limit);
    DecodeMetricInt(r, Child(m, "inconclusiveLimit"), Sub(mp, "inconclusiveLimit"),
                    &metric.inconclusive_limit);
    DecodeMetricInt(r, Child(m, "consecutiveErrorLimit"), Sub(mp, "consecutiveErrorLimit"),
                    &metric.consecutive_error_limit);
    DecodeMetricInt(r, Child(m, "consecutiveSuccessLimit"), Sub(mp, "consecutiveSuccessLimit"),
                    &metric.consecutive_success_limit);
    for (const auto& [field, dst] : {std::pair{"successCondition", &metric.success_condition},
                                     std::pair{"failureCondition", &metric.failure_condition}}) {
      const Node* c = Child(m, field);
      if (c == nullptr || c->IsNull()) continue;
      if (!r.String(c, Sub(mp, field), dst)) continue;
      // (With an argument, parsed once it is substituted, at the run.)
      if (dst->find("{{") != std::string::npos) continue;
      if (auto parsed = AnalysisCondition::Parse(*dst); !parsed) {
        // At the character itself when the condition is a plain one-line
        // scalar ("... at column N" counts from its first character).
        yaml::Mark at = c->mark;
        const size_t col = parsed.error().rfind(" at column ");
        if (c->plain && dst->find('\n') == std::string::npos && col != std::string::npos) {
          at.column += std::atoi(parsed.error().c_str() + col + 11) - 1;
        }
        r.Error(at, Sub(mp, field), parsed.error());
      }
    }
    const std::string pp = Sub(mp, "provider");
    if (const Node* p = r.Map(Child(m, "provider"), pp)) {
      for (const auto& e : p->entries) {
        if (std::find(std::begin(kMetricProviders), std::end(kMetricProviders), e.key) ==
            std::end(kMetricProviders)) {
          r.Error(e.key_mark, pp, fmt::format("unknown provider \"{}\"", e.key));
        } else if (!metric.provider.empty()) {
          r.Error(e.key_mark, pp, "multiple providers specified");
        } else {
          metric.provider = e.key;
        }
      }
      if (const Node* q = Child(Child(p, "prometheus"), "query"); q != nullptr && q->IsScalar()) {
        metric.query = q->scalar;
      }
    }
    if (metric.provider.empty()) {
      r.Error(m->mark, pp, "Required value: no provider specified");
    }
    if (const std::string bad = ValidateAnalysisMetric(metric, metric.count.has_value());
        !bad.empty()) {
      r.Error(m->mark, mp, bad);
    }
    t.metrics.push_back(std::move(metric));
  }
  if (r.errors() != before) return false;
  objects->push_back(DecodedObject{std::move(t), root_ptr});
  return true;
}

bool DecodeOne(const yaml::NodePtr& root_ptr, const std::string& file, Diagnostics* out,
               std::vector<DecodedObject>* objects, int list_depth);

bool DecodeList(Reader& r, const yaml::NodePtr& root_ptr, Diagnostics* out,
                std::vector<DecodedObject>* objects, int list_depth) {
  Strict(r, root_ptr.get(), "", kListFields);
  const Node* items = r.Seq(root_ptr->Get("items"), "items");
  if (items == nullptr) return r.errors() == 0;
  bool ok = true;
  for (const auto& item : items->items) {
    ok = DecodeOne(item, r.file(), out, objects, list_depth + 1) && ok;
  }
  return ok;
}

bool DecodeOne(const yaml::NodePtr& root_ptr, const std::string& file, Diagnostics* out,
               std::vector<DecodedObject>* objects, int list_depth) {
  const Node& root = *root_ptr;
  Reader r(file, out, "", nullptr);
  if (!root.IsMap()) {
    r.Error(root.mark, "", NotAMappingMessage(root));
    return false;
  }
  std::string api_version;
  std::string kind;
  const Node* av = root.Get("apiVersion");
  const Node* kn = root.Get("kind");
  r.String(av, "apiVersion", &api_version);
  r.String(kn, "kind", &kind);
  if (r.errors() > 0) return false;
  // kubectl's client-side checks: "apiVersion not set", "kind not set".
  if (kind.empty() || api_version.empty()) {
    std::string what = api_version.empty() && kind.empty() ? "apiVersion not set, kind not set"
                       : api_version.empty()              ? "apiVersion not set"
                                                          : "kind not set";
    r.Error(root.mark, "", fmt::format("error validating data: {}", what));
    return false;
  }
  if (kind == "List" && api_version == "v1") {
    if (list_depth > 0) {
      r.Error(root.mark, "", "a List may not contain another List");
      return false;
    }
    return DecodeList(r, root_ptr, out, objects, list_depth);
  }
  // Custom resources kubesim reads, by their group: another version of
  // the group is kubectl's "no matches" error.
  const auto version_is = [&](std::string_view want) {
    if (api_version == want) return true;
    r.Error(av->mark, "",
            fmt::format("no matches for kind \"{}\" in version \"{}\" (use apiVersion: {})", kind,
                        api_version, want));
    return false;
  };
  if ((kind == "AnalysisTemplate" || kind == "ClusterAnalysisTemplate") &&
      api_version.starts_with("argoproj.io/")) {
    return version_is(kArgoRolloutsApiVersion) &&
           DecodeAnalysisTemplateDocument(r, root_ptr, kind, file, out, objects);
  }
  if (kind == "Rollout" && api_version.starts_with("argoproj.io/")) {
    return version_is(kArgoRolloutsApiVersion) &&
           DecodeRolloutDocument(r, root_ptr, file, out, objects);
  }
  if (kind == "Canary" && api_version.starts_with("flagger.app/")) {
    return version_is(kFlaggerApiVersion) && DecodeCanaryDocument(r, root_ptr, file, out, objects);
  }
  const std::string_view want = ApiVersionOfKind(kind);
  if (want.empty()) {
    r.Warning(root.mark, fmt::format("kind {} ({}) is not simulated by kubesim; ignored", kind,
                                     api_version));
    return true;
  }
  if (api_version != want) {
    r.Error(av->mark, "",
            fmt::format("no matches for kind \"{}\" in version \"{}\" (use apiVersion: {})", kind,
                        api_version, want));
    return false;
  }
  ObjectMeta meta;
  const Node* md = nullptr;
  const Node* spec = DecodeHead(r, root, kind, &meta, &md);

  std::optional<Object> obj;
  SourceMap* source = nullptr;
  if (kind == "Deployment") {
    Deployment d;
    SetCommon(&d, meta, root, file);
    obj = std::move(d);
    source = &std::get<Deployment>(*obj).source;
  } else if (kind == "ReplicaSet") {
    ReplicaSet rs;
    SetCommon(&rs, meta, root, file);
    obj = std::move(rs);
    source = &std::get<ReplicaSet>(*obj).source;
  } else if (kind == "Service") {
    Service s;
    SetCommon(&s, meta, root, file);
    obj = std::move(s);
    source = &std::get<Service>(*obj).source;
  } else if (kind == "Pod") {
    Pod p;
    SetCommon(&p, meta, root, file);
    obj = std::move(p);
    source = &std::get<Pod>(*obj).source;
  } else if (kind == "PodDisruptionBudget") {
    PodDisruptionBudget b;
    SetCommon(&b, meta, root, file);
    obj = std::move(b);
    source = &std::get<PodDisruptionBudget>(*obj).source;
  } else {
    Namespace ns;
    SetCommon(&ns, meta, root, file);
    ns.metadata.namespace_name.clear();
    obj = std::move(ns);
    source = &std::get<Namespace>(*obj).source;
  }
  RecordPositions(r, spec, md, source);
  if (auto* d = std::get_if<Deployment>(&*obj)) {
    DecodeDeploymentSpec(r, spec, &d->spec);
  } else if (auto* rs = std::get_if<ReplicaSet>(&*obj)) {
    Strict(r, spec, "spec", kReplicaSetSpecFields);
    r.Int32(spec ? spec->Get("replicas") : nullptr, "spec.replicas", &rs->spec.replicas);
    r.Int32(spec ? spec->Get("minReadySeconds") : nullptr, "spec.minReadySeconds",
            &rs->spec.min_ready_seconds);
    DecodeSelector(r, spec ? spec->Get("selector") : nullptr, "spec.selector", &rs->spec.selector);
    DecodeTemplate(r, spec ? spec->Get("template") : nullptr, "spec.template", &rs->spec.template_);
  } else if (auto* s = std::get_if<Service>(&*obj)) {
    DecodeServiceSpec(r, spec, &s->spec);
  } else if (auto* p = std::get_if<Pod>(&*obj)) {
    DecodePodSpec(r, spec, "spec", &p->spec);
  } else if (auto* b = std::get_if<PodDisruptionBudget>(&*obj)) {
    DecodePodDisruptionBudgetSpec(r, spec, &b->spec);
  } else {
    Strict(r, spec, "spec", kNamespaceSpecFields);
  }
  // API-server validation, each error at the position of its field.
  if (!ReportInvalid(r, Validate(*obj), *source, kind, meta.name, out)) return false;
  objects->push_back(DecodedObject{std::move(*obj), root_ptr});
  return true;
}

}  // namespace

std::string NotAMappingMessage(const yaml::Node& root) {
  if (root.IsScalar()) {
    return fmt::format(
        "this document is not a mapping but {} of {} characters; a YAML document must be a "
        "Kubernetes object or the Scenario (apiVersion:, kind:, ...). Is this a YAML file?",
        root.plain ? "plain text" : "a string", root.scalar.size());
  }
  return fmt::format("this document is {}, not a mapping; a YAML document must be a Kubernetes "
                     "object or the Scenario (apiVersion:, kind:, ...)",
                     yaml::Describe(root));
}

bool DecodeDocument(const yaml::NodePtr& root, const std::string& file, Diagnostics* out,
                    std::vector<DecodedObject>* objects) {
  return DecodeOne(root, file, out, objects, 0);
}

}  // namespace kubesim::k8s
