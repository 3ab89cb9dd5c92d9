// API-server validation (see include/kubesim/k8s/validation.h). Each rule
// names the Kubernetes function it mirrors; messages keep Kubernetes' wording
// (field.Invalid / field.Required / field.Forbidden / field.NotSupported).
#include "kubesim/k8s/validation.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

namespace kubesim::k8s {
namespace {

class Errors {
 public:
  explicit Errors(FieldErrors* out) : out_(out) {}
  void Add(std::string field, std::string message) {
    out_->push_back({std::move(field), std::move(message)});
  }
  void Invalid(const std::string& field, const std::string& value, std::string_view why) {
    Add(field, fmt::format("Invalid value: {}: {}", value, why));
  }
  void Required(const std::string& field, std::string_view why = {}) {
    Add(field, why.empty() ? "Required value" : fmt::format("Required value: {}", why));
  }
  void Forbidden(const std::string& field, std::string_view why) {
    Add(field, fmt::format("Forbidden: {}", why));
  }
  void NotSupported(const std::string& field, std::string_view value,
                    std::initializer_list<std::string_view> supported) {
    std::string list;
    for (auto s : supported) list += fmt::format("{}\"{}\"", list.empty() ? "" : ", ", s);
    Add(field, fmt::format("Unsupported value: \"{}\": supported values: {}", value, list));
  }
  void NonNegative(const std::string& field, int64_t v) {
    // ValidateNonnegativeField (pkg/apis/core/validation).
    if (v < 0) Invalid(field, std::to_string(v), "must be greater than or equal to 0");
  }

 private:
  FieldErrors* out_;
};

std::string Quote(std::string_view s) { return fmt::format("\"{}\"", s); }

bool IsAlnumLower(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsAlnum(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; }

// IsQualifiedName's name part / IsValidLabelValue's charset.
bool IsQualifiedNamePart(std::string_view s) {
  if (s.empty() || s.size() > 63) return false;
  if (!IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsAlnum(c) || c == '-' || c == '_' || c == '.'; });
}

// IsValidPortName (IANA_SVC_NAME): at most 15 lower-case alphanumerics and
// '-', at least one letter, no leading/trailing/double '-'.
std::string CheckPortName(std::string_view name) {
  if (name.size() > 15) return "must be no more than 15 characters";
  if (name.empty() ||
      !std::all_of(name.begin(), name.end(), [](char c) { return IsAlnumLower(c) || c == '-'; })) {
    return "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)";
  }
  if (name.find("--") != std::string_view::npos) return "must not contain consecutive hyphens";
  if (name.front() == '-' || name.back() == '-') return "must not begin or end with a hyphen";
  if (std::none_of(name.begin(), name.end(), [](char c) { return c >= 'a' && c <= 'z'; })) {
    return "must contain at least one letter (a-z)";
  }
  return {};
}

void ValidatePortNumber(Errors& e, const std::string& field, int64_t port) {
  // validation.IsValidPortNum.
  if (port < 1 || port > 65535) {
    e.Invalid(field, std::to_string(port), "must be between 1 and 65535, inclusive");
  }
}

void ValidatePortRef(Errors& e, const std::string& field, const PortRef& port) {
  // ValidatePortNumOrName.
  if (port.number) {
    ValidatePortNumber(e, field, *port.number);
  } else if (port.name.empty()) {
    e.Required(field);
  } else if (auto why = CheckPortName(port.name); !why.empty()) {
    e.Invalid(field, Quote(port.name), why);
  }
}

void ValidateLabels(Errors& e, const std::string& field, const Labels& labels) {
  // ValidateLabels (apimachinery/pkg/apis/meta/v1/validation).
  for (const auto& [k, v] : labels) {
    if (auto why = CheckLabelKey(k); !why.empty()) e.Invalid(field, Quote(k), why);
    if (auto why = CheckLabelValue(v); !why.empty()) {
      e.Invalid(fmt::format("{}.{}", field, k), Quote(v), why);
    }
  }
}

std::string FormatLabels(const Labels& labels) {
  std::string s = "map[";
  bool first = true;
  for (const auto& [k, v] : labels) {
    s += fmt::format("{}{}:{}", first ? "" : " ", k, v);
    first = false;
  }
  return s + "]";
}

void ValidateMeta(Errors& e, const ObjectMeta& m, std::string (*name_rule)(std::string_view),
                  bool namespaced) {
  // ValidateObjectMeta.
  if (m.name.empty()) {
    e.Required("metadata.name", "name or generateName is required");
  } else if (auto why = name_rule(m.name); !why.empty()) {
    e.Invalid("metadata.name", Quote(m.name), why);
  }
  if (namespaced) {
    if (auto why = CheckDns1123Label(m.namespace_name); !why.empty()) {
      e.Invalid("metadata.namespace", Quote(m.namespace_name), why);
    }
  }
  ValidateLabels(e, "metadata.labels", m.labels);
  for (const auto& [k, v] : m.annotations) {
    if (auto why = CheckLabelKey(k); !why.empty()) e.Invalid("metadata.annotations", Quote(k), why);
  }
}

void ValidateSelector(Errors& e, const std::string& field, const LabelSelector& s) {
  // ValidateLabelSelector (apimachinery/pkg/apis/meta/v1/validation).
  ValidateLabels(e, field + ".matchLabels", s.match_labels);
  for (size_t i = 0; i < s.match_expressions.size(); ++i) {
    const auto& r = s.match_expressions[i];
    const std::string f = fmt::format("{}.matchExpressions[{}]", field, i);
    using Op = LabelSelectorRequirement::Operator;
    if ((r.op == Op::kIn || r.op == Op::kNotIn) && r.values.empty()) {
      e.Required(f + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
    }
    if ((r.op == Op::kExists || r.op == Op::kDoesNotExist) && !r.values.empty()) {
      e.Forbidden(f + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
    }
    if (auto why = CheckLabelKey(r.key); !why.empty()) e.Invalid(f + ".key", Quote(r.key), why);
    for (const auto& v : r.values) {
      if (auto why = CheckLabelValue(v); !why.empty()) e.Invalid(f + ".values", Quote(v), why);
    }
  }
}

bool IsStandardResource(std::string_view name) {
  // IsStandardContainerResourceName / IsExtendedResourceName (fully qualified).
  return name == "cpu" || name == "memory" || name == "ephemeral-storage" ||
         name.starts_with("hugepages-") || name.find('/') != std::string_view::npos;
}

void ValidateResources(Errors& e, const std::string& field, const ResourceRequirements& r) {
  // ValidateResourceRequirements (pkg/apis/core/validation).
  for (const auto* list : {&r.limits, &r.requests}) {
    const std::string f = field + (list == &r.limits ? ".limits" : ".requests");
    for (const auto& [name, q] : *list) {
      if (!IsStandardResource(name)) {
        e.Invalid(fmt::format("{}[{}]", f, name), Quote(name),
                  "must be a standard resource type or fully qualified");
      }
      if (q.IsNegative()) {
        e.Invalid(fmt::format("{}.{}", f, name), fmt::format("\"{}m\"", q.MilliValue()),
                  "must be greater than or equal to 0");
      }
    }
  }
  for (const auto& [name, req] : r.requests) {
    const auto lim = r.limits.find(name);
    if (lim != r.limits.end() && req > lim->second) {
      e.Invalid(fmt::format("{}.requests.{}", field, name), fmt::format("\"{}m\"", req.MilliValue()),
                fmt::format("must be less than or equal to {} limit of {}m", name,
                            lim->second.MilliValue()));
    }
  }
}

// ValidateNodeSelectorRequirement / ValidateNodeFieldSelectorRequirement.
void ValidateNodeSelectorRequirements(Errors& e, const std::string& f,
                                      const std::vector<NodeSelectorRequirement>& reqs,
                                      bool fields) {
  using Op = NodeSelectorRequirement::Operator;
  for (size_t i = 0; i < reqs.size(); ++i) {
    const NodeSelectorRequirement& r = reqs[i];
    const std::string p = fmt::format("{}[{}]", f, i);
    if (fields) {
      if (r.key != "metadata.name") e.Invalid(p + ".key", Quote(r.key), "not a valid field selector key");
      if ((r.op != Op::kIn && r.op != Op::kNotIn) || r.values.size() != 1) {
        e.Required(p + ".values", "must be only one value when `operator` is 'In' or 'NotIn' for node field selector");
      }
      continue;
    }
    if (auto why = CheckLabelKey(r.key); !why.empty()) e.Invalid(p + ".key", Quote(r.key), why);
    switch (r.op) {
      case Op::kIn:
      case Op::kNotIn:
        if (r.values.empty()) e.Required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'");
        break;
      case Op::kExists:
      case Op::kDoesNotExist:
        if (!r.values.empty()) e.Forbidden(p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
        break;
      case Op::kGt:
      case Op::kLt:
        if (r.values.size() != 1) e.Required(p + ".values", "must be specified single value when `operator` is 'Lt' or 'Gt'");
        break;
    }
  }
}

void ValidateNodeSelectorTerm(Errors& e, const std::string& f, const NodeSelectorTerm& t) {
  ValidateNodeSelectorRequirements(e, f + ".matchExpressions", t.match_expressions, false);
  ValidateNodeSelectorRequirements(e, f + ".matchFields", t.match_fields, true);
}

// ValidateNodeAffinity (pkg/apis/core/validation).
void ValidateNodeAffinity(Errors& e, const std::string& f, const NodeAffinity& a) {
  if (a.required) {
    const std::string rf = f + ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
    if (a.required->empty()) e.Required(rf, "must have at least one node selector term");
    for (size_t i = 0; i < a.required->size(); ++i) {
      ValidateNodeSelectorTerm(e, fmt::format("{}[{}]", rf, i), (*a.required)[i]);
    }
  }
  for (size_t i = 0; i < a.preferred.size(); ++i) {
    const std::string pf =
        fmt::format("{}.preferredDuringSchedulingIgnoredDuringExecution[{}]", f, i);
    if (a.preferred[i].weight < 1 || a.preferred[i].weight > 100) {
      e.Invalid(pf + ".weight", std::to_string(a.preferred[i].weight), "must be in the range 1-100");
    }
    ValidateNodeSelectorTerm(e, pf + ".preference", a.preferred[i].preference);
  }
}

// validatePodAffinityTerm (pkg/apis/core/validation).
// validateLabelKeys: label names, and only beside a labelSelector.
void ValidateLabelKeys(Errors& e, const std::string& f, const std::vector<std::string>& keys,
                       const std::optional<LabelSelector>& selector) {
  if (keys.empty()) return;
  if (!selector) {
    e.Forbidden(f, "must not be specified when labelSelector is not set");
    return;
  }
  for (size_t i = 0; i < keys.size(); ++i) {
    if (auto why = CheckLabelKey(keys[i]); !why.empty()) {
      e.Invalid(fmt::format("{}[{}]", f, i), Quote(keys[i]), why);
    }
  }
}

void ValidatePodAffinityTerm(Errors& e, const std::string& f, const PodAffinityTerm& t) {
  if (t.label_selector) ValidateSelector(e, f + ".labelSelector", *t.label_selector);
  if (t.namespace_selector) ValidateSelector(e, f + ".namespaceSelector", *t.namespace_selector);
  for (const std::string& ns : t.namespaces) {
    if (auto why = CheckDns1123Label(ns); !why.empty()) e.Invalid(f + ".namespace", Quote(ns), why);
  }
  // validateMatchLabelKeysAndMismatchLabelKeys.
  ValidateLabelKeys(e, f + ".matchLabelKeys", t.match_label_keys, t.label_selector);
  ValidateLabelKeys(e, f + ".mismatchLabelKeys", t.mismatch_label_keys, t.label_selector);
  for (size_t i = 0; i < t.match_label_keys.size(); ++i) {
    if (std::find(t.mismatch_label_keys.begin(), t.mismatch_label_keys.end(),
                  t.match_label_keys[i]) != t.mismatch_label_keys.end()) {
      e.Invalid(fmt::format("{}.matchLabelKeys[{}]", f, i), Quote(t.match_label_keys[i]),
                "exists in both matchLabelKeys and mismatchLabelKeys");
    }
  }
  if (t.topology_key.empty()) {
    e.Required(f + ".topologyKey", "can not be empty");
  } else if (auto why = CheckLabelKey(t.topology_key); !why.empty()) {
    e.Invalid(f + ".topologyKey", Quote(t.topology_key), why);
  }
}

// validatePodAffinity / validatePodAntiAffinity.
void ValidatePodAffinity(Errors& e, const std::string& f, const PodAffinity& a) {
  for (size_t i = 0; i < a.required.size(); ++i) {
    ValidatePodAffinityTerm(
        e, fmt::format("{}.requiredDuringSchedulingIgnoredDuringExecution[{}]", f, i), a.required[i]);
  }
  for (size_t i = 0; i < a.preferred.size(); ++i) {
    const std::string pf =
        fmt::format("{}.preferredDuringSchedulingIgnoredDuringExecution[{}]", f, i);
    if (a.preferred[i].weight < 1 || a.preferred[i].weight > 100) {
      e.Invalid(pf + ".weight", std::to_string(a.preferred[i].weight), "must be in the range 1-100");
    }
    ValidatePodAffinityTerm(e, pf + ".podAffinityTerm", a.preferred[i].term);
  }
}

// validateTopologySpreadConstraints (pkg/apis/core/validation).
void ValidateTopologySpread(Errors& e, const std::string& f,
                            const std::vector<TopologySpreadConstraint>& constraints) {
  for (size_t i = 0; i < constraints.size(); ++i) {
    const TopologySpreadConstraint& c = constraints[i];
    const std::string cf = fmt::format("{}[{}]", f, i);
    if (c.max_skew <= 0) {
      e.Invalid(cf + ".maxSkew", std::to_string(c.max_skew), "must be greater than zero");
    }
    if (c.topology_key.empty()) {
      e.Required(cf + ".topologyKey", "can not be empty");
    } else if (auto why = CheckLabelKey(c.topology_key); !why.empty()) {
      e.Invalid(cf + ".topologyKey", Quote(c.topology_key), why);
    }
    if (c.when_unsatisfiable != "DoNotSchedule" && c.when_unsatisfiable != "ScheduleAnyway") {
      e.NotSupported(cf + ".whenUnsatisfiable", c.when_unsatisfiable,
                     {"DoNotSchedule", "ScheduleAnyway"});
    }
    if (c.min_domains) {
      if (*c.min_domains <= 0) {
        e.Invalid(cf + ".minDomains", std::to_string(*c.min_domains), "must be greater than 0");
      } else if (c.when_unsatisfiable != "DoNotSchedule") {
        e.Invalid(cf + ".minDomains", std::to_string(*c.min_domains),
                  fmt::format("can only use minDomains if whenUnsatisfiable=DoNotSchedule, not {}",
                              c.when_unsatisfiable));
      }
    }
    for (size_t j = 0; j < i; ++j) {
      if (constraints[j].topology_key == c.topology_key &&
          constraints[j].when_unsatisfiable == c.when_unsatisfiable) {
        e.Add(cf, fmt::format("Duplicate value: \"{{{}, {}}}\"", c.topology_key,
                              c.when_unsatisfiable));
        break;
      }
    }
    if (c.node_affinity_policy != "Honor" && c.node_affinity_policy != "Ignore") {
      e.NotSupported(cf + ".nodeAffinityPolicy", c.node_affinity_policy, {"Honor", "Ignore"});
    }
    if (c.node_taints_policy != "Honor" && c.node_taints_policy != "Ignore") {
      e.NotSupported(cf + ".nodeTaintsPolicy", c.node_taints_policy, {"Honor", "Ignore"});
    }
    if (c.label_selector) ValidateSelector(e, cf + ".labelSelector", *c.label_selector);
    // validateMatchLabelKeysInTopologySpread: label names, none the
    // selector already has.
    ValidateLabelKeys(e, cf + ".matchLabelKeys", c.match_label_keys, c.label_selector);
    for (size_t k = 0; c.label_selector && k < c.match_label_keys.size(); ++k) {
      const std::string& key = c.match_label_keys[k];
      const auto& exprs = c.label_selector->match_expressions;
      if (c.label_selector->match_labels.contains(key) ||
          std::any_of(exprs.begin(), exprs.end(),
                      [&](const LabelSelectorRequirement& r) { return r.key == key; })) {
        e.Invalid(fmt::format("{}.matchLabelKeys[{}]", cf, k), Quote(key),
                  "exists in both matchLabelKeys and labelSelector");
      }
    }
  }
}

// validateTolerations (pkg/apis/core/validation).
void ValidateToleration(Errors& e, const std::string& f, const Toleration& t) {
  if (!t.key.empty()) {
    if (auto why = CheckLabelKey(t.key); !why.empty()) e.Invalid(f + ".key", Quote(t.key), why);
  } else if (t.op != "Exists") {
    e.Invalid(f + ".operator", Quote(t.op),
              "operator must be Exists when `key` is empty, which means \"match all values and all keys\"");
  }
  if (t.toleration_seconds && t.effect != "NoExecute") {
    e.Invalid(f + ".effect", Quote(t.effect),
              "effect must be 'NoExecute' when `tolerationSeconds` is set");
  }
  if (t.op == "Exists" && !t.value.empty()) {
    e.Invalid(f + ".operator", Quote(t.value), "value must be empty when `operator` is 'Exists'");
  } else if (!t.op.empty() && t.op != "Equal" && t.op != "Exists") {
    e.NotSupported(f + ".operator", t.op, {"Equal", "Exists"});
  }
  if (!t.effect.empty() && t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" &&
      t.effect != "NoExecute") {
    e.NotSupported(f + ".effect", t.effect, {"NoExecute", "NoSchedule", "PreferNoSchedule"});
  }
}

// Pod-level resources (validatePodResources, PodLevelResources): cpu, memory
// and hugepages only; requests within limits; each request at least what
// the containers together request (AggregateContainerRequests).
void ValidatePodResources(Errors& e, const std::string& f, const PodSpec& s) {
  const ResourceRequirements& r = *s.resources;
  for (const auto* list : {&r.limits, &r.requests}) {
    for (const auto& [name, q] : *list) {
      if (name != "cpu" && name != "memory" && !name.starts_with("hugepages-")) {
        e.NotSupported(fmt::format("{}.{}[{}]", f, list == &r.limits ? "limits" : "requests", name),
                       name, {"cpu", "memory", "hugepages-*"});
      }
    }
  }
  ValidateResources(e, f, r);
  for (const std::string_view name : {"cpu", "memory"}) {
    const auto req = r.requests.find(name);
    if (req == r.requests.end()) continue;
    const int64_t containers = AggregateContainerRequests(s, [&](const Container& c) -> int64_t {
      const auto it = c.resources.requests.find(name);
      return it == c.resources.requests.end() ? 0 : it->second.MilliValue();
    });
    if (req->second.MilliValue() < containers) {
      // cpu in millicores, memory in bytes.
      const auto shown = [&](int64_t milli) {
        return name == "cpu" ? fmt::format("{}m", milli) : fmt::format("{}", milli / 1000);
      };
      e.Invalid(fmt::format("{}.requests.{}", f, name),
                fmt::format("\"{}\"", shown(req->second.MilliValue())),
                fmt::format("must be greater than or equal to aggregate container requests of {}",
                            shown(containers)));
    }
  }
}

void ValidateHttpGet(Errors& e, const std::string& f, const HttpGetAction& h) {
  ValidatePortRef(e, f + ".port", h.port);
  if (h.scheme != "HTTP" && h.scheme != "HTTPS") e.NotSupported(f + ".scheme", h.scheme, {"HTTP", "HTTPS"});
}

void ValidateProbe(Errors& e, const std::string& f, const Probe& p, bool is_readiness,
                   bool success_must_be_one) {
  // validateProbe + validateHandler (pkg/apis/core/validation).
  const int handlers = p.HandlerCount();
  if (handlers == 0) e.Required(f, "must specify a handler type");
  if (handlers > 1) e.Forbidden(f, "may not specify more than 1 handler type");
  if (p.exec && p.exec->command.empty()) e.Required(f + ".exec.command");
  if (p.http_get) ValidateHttpGet(e, f + ".httpGet", *p.http_get);
  if (p.tcp_socket) ValidatePortRef(e, f + ".tcpSocket.port", p.tcp_socket->port);
  if (p.grpc) ValidatePortNumber(e, f + ".grpc.port", p.grpc->port);
  e.NonNegative(f + ".initialDelaySeconds", p.initial_delay_seconds);
  e.NonNegative(f + ".timeoutSeconds", p.timeout_seconds);
  e.NonNegative(f + ".periodSeconds", p.period_seconds);
  e.NonNegative(f + ".successThreshold", p.success_threshold);
  e.NonNegative(f + ".failureThreshold", p.failure_threshold);
  // validateLivenessProbe / validateStartupProbe: "must be 1".
  if (success_must_be_one && p.success_threshold != 1) {
    e.Invalid(f + ".successThreshold", std::to_string(p.success_threshold), "must be 1");
  }
  if (p.termination_grace_period_seconds) {
    if (is_readiness) {
      e.Invalid(f + ".terminationGracePeriodSeconds",
                std::to_string(*p.termination_grace_period_seconds),
                "must not be set for readinessProbes");
    } else if (*p.termination_grace_period_seconds <= 0) {
      e.Invalid(f + ".terminationGracePeriodSeconds",
                std::to_string(*p.termination_grace_period_seconds), "must be greater than 0");
    }
  }
}

void ValidateLifecycleHandler(Errors& e, const std::string& f, const LifecycleHandler& h,
                              int64_t grace) {
  // validateLifecycleHandler / validateSleepAction.
  const int handlers = h.HandlerCount();
  if (handlers == 0) e.Required(f, "must specify a handler type");
  if (handlers > 1) e.Forbidden(f, "may not specify more than 1 handler type");
  if (h.exec && h.exec->command.empty()) e.Required(f + ".exec.command");
  if (h.http_get) ValidateHttpGet(e, f + ".httpGet", *h.http_get);
  if (h.tcp_socket) ValidatePortRef(e, f + ".tcpSocket.port", h.tcp_socket->port);
  if (h.sleep && (h.sleep->seconds < 0 || h.sleep->seconds > grace)) {
    e.Invalid(f + ".sleep.seconds", std::to_string(h.sleep->seconds),
              fmt::format("must be non-negative and less than terminationGracePeriodSeconds ({})",
                          grace));
  }
}

void ValidateContainer(Errors& e, const std::string& f, const Container& c, int64_t grace,
                       bool init) {
  // validateContainerCommon + validateContainers.
  if (c.name.empty()) {
    e.Required(f + ".name");
  } else if (auto why = CheckDns1123Label(c.name); !why.empty()) {
    e.Invalid(f + ".name", Quote(c.name), why);
  }
  if (c.image.empty()) {
    e.Required(f + ".image");
  } else if (std::isspace(static_cast<unsigned char>(c.image.front())) ||
             std::isspace(static_cast<unsigned char>(c.image.back()))) {
    e.Invalid(f + ".image", Quote(c.image), "must not have leading or trailing whitespace");
  }
  // validatePullPolicy.
  if (c.image_pull_policy != "Always" && c.image_pull_policy != "IfNotPresent" &&
      c.image_pull_policy != "Never") {
    e.NotSupported(f + ".imagePullPolicy", c.image_pull_policy, {"Always", "IfNotPresent", "Never"});
  }
  std::set<std::string> port_names;
  for (size_t i = 0; i < c.ports.size(); ++i) {
    const auto& p = c.ports[i];
    const std::string pf = fmt::format("{}.ports[{}]", f, i);
    ValidatePortNumber(e, pf + ".containerPort", p.container_port);
    if (!p.name.empty()) {
      if (auto why = CheckPortName(p.name); !why.empty()) {
        e.Invalid(pf + ".name", Quote(p.name), why);
      } else if (!port_names.insert(p.name).second) {
        e.Add(pf + ".name", fmt::format("Duplicate value: \"{}\"", p.name));
      }
    }
    if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      e.NotSupported(pf + ".protocol", p.protocol, {"SCTP", "TCP", "UDP"});
    }
  }
  ValidateResources(e, f + ".resources", c.resources);
  // Container-level restartPolicy (validateInitContainers, validateContainers;
  // ContainerRestartRules, alpha and off, would allow more): only "Always",
  // and only on an init container, which makes it a native sidecar.
  if (!c.restart_policy.empty()) {
    if (!init) {
      e.Forbidden(f + ".restartPolicy", "may not be set for non-init containers");
    } else if (c.restart_policy != "Always") {
      e.NotSupported(f + ".restartPolicy", c.restart_policy, {"Always"});
    }
  }
  if (init && !c.IsSidecar()) {
    // Plain init containers run to completion: no probes, no lifecycle hooks.
    constexpr std::string_view kWhy = "may not be set for init containers without restartPolicy=Always";
    if (c.lifecycle.pre_stop || c.lifecycle.post_start) e.Forbidden(f + ".lifecycle", kWhy);
    if (c.liveness_probe) e.Forbidden(f + ".livenessProbe", kWhy);
    if (c.readiness_probe) e.Forbidden(f + ".readinessProbe", kWhy);
    if (c.startup_probe) e.Forbidden(f + ".startupProbe", kWhy);
    return;
  }
  if (c.liveness_probe) ValidateProbe(e, f + ".livenessProbe", *c.liveness_probe, false, true);
  if (c.readiness_probe) ValidateProbe(e, f + ".readinessProbe", *c.readiness_probe, true, false);
  if (c.startup_probe) ValidateProbe(e, f + ".startupProbe", *c.startup_probe, false, true);
  if (c.lifecycle.pre_stop) {
    ValidateLifecycleHandler(e, f + ".lifecycle.preStop", *c.lifecycle.pre_stop, grace);
  }
  if (c.lifecycle.post_start) {
    ValidateLifecycleHandler(e, f + ".lifecycle.postStart", *c.lifecycle.post_start, grace);
  }
}

void ValidatePodSpec(Errors& e, const std::string& f, const PodSpec& s) {
  // ValidatePodSpec.
  std::set<std::string> names;
  const auto check_names = [&](const std::vector<Container>& cs, const std::string& list) {
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].name.empty() && !names.insert(cs[i].name).second) {
        e.Add(fmt::format("{}.{}[{}].name", f, list, i),
              fmt::format("Duplicate value: \"{}\"", cs[i].name));
      }
    }
  };
  check_names(s.init_containers, "initContainers");
  check_names(s.containers, "containers");
  if (s.containers.empty()) e.Required(f + ".containers");
  for (size_t i = 0; i < s.init_containers.size(); ++i) {
    ValidateContainer(e, fmt::format("{}.initContainers[{}]", f, i), s.init_containers[i],
                      s.termination_grace_period_seconds, true);
  }
  for (size_t i = 0; i < s.containers.size(); ++i) {
    ValidateContainer(e, fmt::format("{}.containers[{}]", f, i), s.containers[i],
                      s.termination_grace_period_seconds, false);
  }
  e.NonNegative(f + ".terminationGracePeriodSeconds", s.termination_grace_period_seconds);
  if (s.restart_policy != "Always" && s.restart_policy != "OnFailure" &&
      s.restart_policy != "Never") {
    e.NotSupported(f + ".restartPolicy", s.restart_policy, {"Always", "OnFailure", "Never"});
  }
  ValidateLabels(e, f + ".nodeSelector", s.node_selector);
  if (s.resources) ValidatePodResources(e, f + ".resources", s);
  if (s.node_affinity) ValidateNodeAffinity(e, f + ".affinity.nodeAffinity", *s.node_affinity);
  if (s.pod_affinity) ValidatePodAffinity(e, f + ".affinity.podAffinity", *s.pod_affinity);
  if (s.pod_anti_affinity) {
    ValidatePodAffinity(e, f + ".affinity.podAntiAffinity", *s.pod_anti_affinity);
  }
  ValidateTopologySpread(e, f + ".topologySpreadConstraints", s.topology_spread_constraints);
  // validateContainerPorts and, with hostNetwork, validateHostNetwork.
  for (size_t i = 0; i < s.containers.size(); ++i) {
    for (size_t j = 0; j < s.containers[i].ports.size(); ++j) {
      const ContainerPort& port = s.containers[i].ports[j];
      const std::string pf = fmt::format("{}.containers[{}].ports[{}].hostPort", f, i, j);
      if (port.host_port != 0) ValidatePortNumber(e, pf, port.host_port);
      if (s.host_network && port.host_port != 0 && port.host_port != port.container_port) {
        e.Invalid(pf, std::to_string(port.host_port),
                  "must match `containerPort` when `hostNetwork` is true");
      }
    }
  }
  for (size_t i = 0; i < s.tolerations.size(); ++i) {
    ValidateToleration(e, fmt::format("{}.tolerations[{}]", f, i), s.tolerations[i]);
  }
}

// ValidatePodSpecificAnnotations, for a pod's and a pod template's metadata:
// the pod-deletion-cost a ReplicaSet ranks by must parse.
void ValidatePodAnnotations(Errors& e, const std::string& f, const ObjectMeta& m) {
  if (const auto it = m.annotations.find(kPodDeletionCostAnnotation);
      it != m.annotations.end() && !ParseDeletionCost(it->second)) {
    e.Invalid(fmt::format("{}[{}]", f, kPodDeletionCostAnnotation), Quote(it->second),
              "must be a 32bit integer");
  }
}

void ValidateTemplate(Errors& e, const std::string& f, const PodTemplateSpec& t,
                      const LabelSelector& selector) {
  // ValidatePodTemplateSpecForReplicaSet.
  ValidateLabels(e, f + ".metadata.labels", t.metadata.labels);
  ValidatePodAnnotations(e, f + ".metadata.annotations", t.metadata);
  if (!selector.IsEmpty() && !selector.Matches(t.metadata.labels)) {
    e.Invalid(f + ".metadata.labels", FormatLabels(t.metadata.labels),
              "`selector` does not match template `labels`");
  }
  ValidatePodSpec(e, f + ".spec", t.spec);
  if (t.spec.restart_policy != "Always") {
    e.NotSupported(f + ".spec.restartPolicy", t.spec.restart_policy, {"Always"});
  }
}

// A Deployment's (and a Rollout's, which copies the rule) minReadySeconds,
// revisionHistoryLimit and progressDeadlineSeconds: none negative, the
// deadline past minReadySeconds.
// (Argo's copy also judges a negative deadline against minReadySeconds:
// `argo`.)
void ValidateTimes(Errors& e, int32_t min_ready, int32_t history, int32_t deadline,
                   bool argo = false) {
  e.NonNegative("spec.minReadySeconds", min_ready);
  e.NonNegative("spec.revisionHistoryLimit", history);
  e.NonNegative("spec.progressDeadlineSeconds", deadline);
  if ((deadline >= 0 || argo) && deadline <= min_ready) {
    e.Invalid("spec.progressDeadlineSeconds", std::to_string(deadline),
              "must be greater than minReadySeconds");
  }
}

// A Deployment's spec.selector (and a Rollout's, which Argo checks with
// the same words): not empty, and valid.
void ValidateWorkloadSelector(Errors& e, const LabelSelector& selector) {
  if (selector.IsEmpty()) {
    e.Invalid("spec.selector", "{}", "empty selector is invalid for deployment");
  } else {
    ValidateSelector(e, "spec.selector", selector);
  }
}

void ValidateIntOrPercent(Errors& e, const std::string& f, const IntOrPercent& v) {
  // ValidatePositiveIntOrPercent.
  if (v.value < 0) e.Invalid(f, v.ToString(), "must be greater than or equal to 0");
}

}  // namespace

FieldErrors ValidateDeployment(const Deployment& d) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, d.metadata, &CheckDns1123Subdomain, true);
  const DeploymentSpec& s = d.spec;
  // ValidateDeploymentSpec (pkg/apis/apps/validation/validation.go).
  e.NonNegative("spec.replicas", s.replicas);
  ValidateWorkloadSelector(e, s.selector);
  ValidateTemplate(e, "spec.template", s.template_, s.selector);
  // ValidateDeploymentStrategy / ValidateRollingUpdateDeployment.
  if (s.strategy.type == DeploymentStrategy::Type::kRecreate) {
    if (s.strategy.rolling_update) {
      e.Forbidden("spec.strategy.rollingUpdate",
                  "may not be specified when strategy `type` is 'Recreate'");
    }
  } else if (s.strategy.rolling_update) {
    const auto& ru = *s.strategy.rolling_update;
    const std::string f = "spec.strategy.rollingUpdate";
    ValidateIntOrPercent(e, f + ".maxUnavailable", ru.max_unavailable);
    ValidateIntOrPercent(e, f + ".maxSurge", ru.max_surge);
    if (ru.max_surge.IsZero() && ru.max_unavailable.IsZero()) {
      e.Invalid(f + ".maxUnavailable", ru.max_unavailable.ToString(),
                "may not be 0 when `maxSurge` is 0");
    }
    if (ru.max_unavailable.is_percent && ru.max_unavailable.value > 100) {
      e.Invalid(f + ".maxUnavailable", ru.max_unavailable.ToString(),
                "must not be greater than 100%");
    }
  }
  ValidateTimes(e, s.min_ready_seconds, s.revision_history_limit, s.progress_deadline_seconds);
  return out;
}

FieldErrors ValidateReplicaSet(const ReplicaSet& rs) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, rs.metadata, &CheckDns1123Subdomain, true);
  // ValidateReplicaSetSpec.
  e.NonNegative("spec.replicas", rs.spec.replicas);
  e.NonNegative("spec.minReadySeconds", rs.spec.min_ready_seconds);
  if (rs.spec.selector.IsEmpty()) {
    e.Invalid("spec.selector", "{}", "empty selector is invalid for deployment");
  } else {
    ValidateSelector(e, "spec.selector", rs.spec.selector);
  }
  ValidateTemplate(e, "spec.template", rs.spec.template_, rs.spec.selector);
  return out;
}

FieldErrors ValidatePod(const Pod& pod) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, pod.metadata, &CheckDns1123Subdomain, true);
  ValidatePodAnnotations(e, "metadata.annotations", pod.metadata);
  ValidatePodSpec(e, "spec", pod.spec);
  return out;
}

FieldErrors ValidateService(const Service& s) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, s.metadata, &CheckDns1035Label, true);
  // ValidateService (pkg/apis/core/validation).
  const auto& sp = s.spec;
  if (sp.type != "ClusterIP" && sp.type != "NodePort" && sp.type != "LoadBalancer" &&
      sp.type != "ExternalName") {
    e.NotSupported("spec.type", sp.type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"});
  }
  const bool headless = sp.cluster_ip == "None";
  if (sp.ports.empty() && !headless && sp.type != "ExternalName") e.Required("spec.ports");
  std::set<std::string> names;
  for (size_t i = 0; i < sp.ports.size(); ++i) {
    const auto& p = sp.ports[i];
    const std::string f = fmt::format("spec.ports[{}]", i);
    if (sp.ports.size() > 1 && p.name.empty()) e.Required(f + ".name");
    if (!p.name.empty()) {
      if (auto why = CheckDns1123Label(p.name); !why.empty()) {
        e.Invalid(f + ".name", Quote(p.name), why);
      } else if (!names.insert(p.name).second) {
        e.Add(f + ".name", fmt::format("Duplicate value: \"{}\"", p.name));
      }
    }
    ValidatePortNumber(e, f + ".port", p.port);
    if (p.protocol != "TCP" && p.protocol != "UDP" && p.protocol != "SCTP") {
      e.NotSupported(f + ".protocol", p.protocol, {"SCTP", "TCP", "UDP"});
    }
    ValidatePortRef(e, f + ".targetPort", p.target_port);
  }
  ValidateLabels(e, "spec.selector", sp.selector);
  return out;
}

FieldErrors ValidatePodDisruptionBudget(const PodDisruptionBudget& pdb) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, pdb.metadata, &CheckDns1123Subdomain, true);
  // ValidatePodDisruptionBudgetSpec (pkg/apis/policy/validation).
  const PodDisruptionBudgetSpec& s = pdb.spec;
  if (s.min_available && s.max_unavailable) {
    e.Invalid("spec.maxUnavailable", s.max_unavailable->ToString(),
              "minAvailable and maxUnavailable cannot be both set");
  }
  for (const auto& [field, value] :
       {std::pair{"spec.minAvailable", &s.min_available}, {"spec.maxUnavailable", &s.max_unavailable}}) {
    if (!*value) continue;
    ValidateIntOrPercent(e, field, **value);
    if ((*value)->is_percent && (*value)->value > 100) {
      e.Invalid(field, (*value)->ToString(), "must not be greater than 100%");
    }
  }
  if (s.selector) ValidateSelector(e, "spec.selector", *s.selector);
  if (!s.unhealthy_pod_eviction_policy.empty() &&
      s.unhealthy_pod_eviction_policy != "IfHealthyBudget" &&
      s.unhealthy_pod_eviction_policy != "AlwaysAllow") {
    e.NotSupported("spec.unhealthyPodEvictionPolicy", s.unhealthy_pod_eviction_policy,
                   {"AlwaysAllow", "IfHealthyBudget"});
  }
  return out;
}

FieldErrors ValidateNamespace(const Namespace& ns) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, ns.metadata, &CheckDns1123Label, false);
  return out;
}

FieldErrors Validate(const Object& object) {
  if (const auto* d = std::get_if<Deployment>(&object)) return ValidateDeployment(*d);
  if (const auto* rs = std::get_if<ReplicaSet>(&object)) return ValidateReplicaSet(*rs);
  if (const auto* s = std::get_if<Service>(&object)) return ValidateService(*s);
  if (const auto* p = std::get_if<Pod>(&object)) return ValidatePod(*p);
  if (const auto* b = std::get_if<PodDisruptionBudget>(&object)) {
    return ValidatePodDisruptionBudget(*b);
  }
  if (const auto* ro = std::get_if<Rollout>(&object)) return ValidateRollout(*ro);
  // An AnalysisTemplate is checked as it is decoded (ValidateMetrics).
  if (std::holds_alternative<AnalysisTemplate>(object)) return {};
  // So is a Canary (its CRD's schema, DecodeCanaryDocument).
  if (std::holds_alternative<FlaggerCanary>(object)) return {};
  return ValidateNamespace(std::get<Namespace>(object));
}

namespace {

// ValidateRolloutStrategyAntiAffinity (argo-rollouts
// pkg/apis/rollouts/validation/validation.go).
void ValidateRolloutAntiAffinity(Errors& e, const std::string& f,
                                 const std::optional<RolloutAntiAffinity>& a) {
  if (!a) return;
  if (a->preferred == a->required) {
    e.Invalid(f, "{}", "AntiAffinity must have exactly one strategy listed");
  }
  if (a->preferred && (a->weight < 1 || a->weight > 100)) {
    e.Invalid(f + ".preferredDuringSchedulingIgnoredDuringExecution.weight",
              std::to_string(a->weight), "AntiAffinity weight must be between 1-100");
  }
}

// ValidateRolloutStrategyCanary, for the fields kubesim reads.
void ValidateCanary(Errors& e, const Rollout& ro) {
  const CanaryStrategy& c = *ro.spec.canary;
  const std::string f = "spec.strategy.canary";
  // invalidMaxSurgeMaxUnavailable: both default to 25%.
  const IntOrPercent surge = c.max_surge.value_or(IntOrPercent{true, 25});
  const IntOrPercent unavailable = c.max_unavailable.value_or(IntOrPercent{true, 25});
  if (surge.value == 0 && unavailable.value == 0) {
    e.Invalid(f + ".maxSurge", surge.ToString(),
              "MaxSurge and MaxUnavailable both can not be zero");
  }
  if (!c.canary_service.empty() && c.canary_service == c.stable_service) {
    e.Invalid(f + ".stableService", Quote(c.stable_service),
              "This rollout uses the same service for the stable and canary services, but two "
              "different services are required.");
  }
  // (Argo checks `len(Plugins) > 0`: the decoder names "plugins" only then.)
  const auto has = [&](std::string_view provider) {
    return c.traffic_routing && std::find(c.traffic_routing->begin(), c.traffic_routing->end(),
                                          provider) != c.traffic_routing->end();
  };
  if (c.ping_pong) {
    if (c.traffic_routing && !has("alb") && !has("istio") && !has("plugins")) {
      e.Invalid(
          f + ".trafficRouting", "{}",
          "Ping-pong feature works with the ALB, Istio, and plugin-based traffic routers only");
    }
    for (const auto& [field, value] :
         {std::pair{"pingService", &c.ping_service}, std::pair{"pongService", &c.pong_service}}) {
      if (value->empty()) {
        e.Invalid(fmt::format("{}.pingPong.{}", f, field), "\"\"",
                  "Ping service and Pong service must to be set to use Ping-Pong feature");
      }
    }
    if (c.ping_service == c.pong_service) {
      e.Invalid(f + ".pingPong.pingService", Quote(c.ping_service),
                "This rollout uses the same service for the ping and pong services, but two "
                "different services are required.");
    }
    if (has("alb") && !c.alb_root_service) {
      e.Invalid(f + ".trafficRouting.alb.rootService", "\"\"",
                "Root service field is required for the configuration with ALB and ping-pong "
                "feature enabled");
    }
  }
  // requireCanaryStableServices.
  const bool needs_services = (has("alb") && !c.ping_pong) ||
                              (has("istio") && !c.istio_destination_rule && !c.ping_pong) ||
                              has("smi") || has("apisix") || has("ambassador") || has("nginx") ||
                              has("appMesh") || has("traefik");
  if (needs_services) {
    for (const auto& [field, value] : {std::pair{"stableService", &c.stable_service},
                                       std::pair{"canaryService", &c.canary_service}}) {
      if (value->empty()) {
        e.Invalid(fmt::format("{}.{}", f, field), "\"\"",
                  "Canary service and Stable service must to be set to use Traffic Routing");
      }
    }
  }
  if (!c.traffic_routing) {
    if (c.scale_down_delay_seconds) {
      e.Invalid(f + ".scaleDownDelaySeconds", std::to_string(*c.scale_down_delay_seconds),
                "Canary scaleDownDelaySeconds can only be used with traffic routing");
    }
    if (c.dynamic_stable_scale) {
      e.Invalid(f + ".dynamicStableScale", "true",
                "Canary dynamicStableScale can only be used with traffic routing");
    }
  } else {
    if (c.scale_down_delay_seconds && c.dynamic_stable_scale) {
      e.Invalid(f + ".dynamicStableScale", "true",
                "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds");
    }
    if (c.max_traffic_weight && !has("nginx") && !has("plugins")) {
      e.Invalid(f + ".trafficRouting.maxTrafficWeight", std::to_string(*c.max_traffic_weight),
                "Canary maxTrafficWeight in traffic routing only supported in Nginx and Plugins");
    }
  }
  const int32_t max_weight = c.max_traffic_weight.value_or(100);  // weightutil.MaxTrafficWeight
  for (size_t i = 0; i < c.steps.size(); ++i) {
    const CanaryStep& st = c.steps[i];
    const std::string sf = fmt::format("{}.steps[{}]", f, i);
    // hasMultipleStepsType: one of setWeight, pause, experiment, analysis.
    const int kinds =
        int{st.set_weight_set} + int{st.pause_set} + int{st.experiment} + int{st.analysis_set};
    const bool any = kinds > 0 || st.set_canary_scale_set || st.set_header_route ||
                     st.set_mirror_route || st.plugin;
    if (kinds > 1 || !any) {
      e.Invalid(sf, "{}",
                "Step must have one of the following set: experiment, setWeight, "
                "setCanaryScale, plugin or pause");
    }
    if (st.set_weight_set && (st.set_weight < 0 || st.set_weight > max_weight)) {
      e.Invalid(sf + ".setWeight", std::to_string(st.set_weight),
                fmt::format("SetWeight needs to be between 0 and {}", max_weight));
    }
    if (st.pause_seconds && *st.pause_seconds < 0) {
      e.Invalid(sf + ".pause.duration", std::to_string(*st.pause_seconds),
                "Duration needs to be greater than 0");
    }
    if (st.set_canary_scale_set && !c.traffic_routing) {
      e.Required(f + ".trafficRouting", "SetCanaryScale requires TrafficRouting to be set");
    }
    // setHeaderRoute: Istio, ALB, Apisix or a plugin; setMirrorRoute: Istio
    // or a plugin; both need managedRoutes naming their route. (The values
    // of their `match` lists are not checked.)
    if (st.set_header_route && !has("istio") && !has("alb") && !has("apisix") && !has("plugins")) {
      e.Invalid(sf + ".setHeaderRoute", "{}",
                "SetHeaderRoute requires TrafficRouting, supports Istio and ALB and Apisix");
    }
    if (st.set_mirror_route && !has("istio") && !has("plugins")) {
      e.Invalid(sf + ".setMirrorRoute", "{}",
                "SetMirrorRoute requires TrafficRouting, supports Istio and Plugins");
    }
    if (c.traffic_routing && (st.set_header_route || st.set_mirror_route)) {
      if (!c.managed_routes) {
        e.Required(f + ".trafficRouting.managedRoutes",
                   "Rollout has missing field 'spec.strategy.canary.trafficRouting.managedRoutes'");
      } else if (std::find(c.managed_routes->begin(), c.managed_routes->end(), st.route_name) ==
                 c.managed_routes->end()) {
        e.Invalid(sf + (st.set_header_route ? ".setHeaderRoute" : ".setMirrorRoute"),
                  Quote(st.route_name),
                  "Steps define a route that does not exist in "
                  "spec.strategy.canary.trafficRouting.managedRoutes");
      }
    }
    for (const size_t t : st.experiment_weights) {
      const std::string wf = fmt::format("{}.experiment.templates[{}].weight", sf, t);
      if (!c.traffic_routing) {
        e.Invalid(wf, "{}",
                  "Experiment template weight cannot be set unless TrafficRouting is enabled");
      } else if (!has("alb") && !has("smi") && !has("istio") && !has("plugins")) {
        e.Invalid(wf, "{}",
                  "Experiment template weight is only available for TrafficRouting with SMI, "
                  "ALB, Istio and Plugins at this time");
      }
    }
  }
  ValidateRolloutAntiAffinity(e, f + ".antiAffinity", c.anti_affinity);
}

}  // namespace

// ValidateRolloutSpec (argo-rollouts pkg/apis/rollouts/validation/
// validation.go at 9f8d111): the controller's checks — a Rollout that fails
// them gets the InvalidSpec condition and never progresses, so kubesim
// rejects it at load with Argo's message.
FieldErrors ValidateRollout(const Rollout& ro) {
  FieldErrors out;
  Errors e(&out);
  ValidateMeta(e, ro.metadata, &CheckDns1123Subdomain, true);
  const RolloutSpec& s = ro.spec;
  e.NonNegative("spec.replicas", s.replicas);
  if (!s.workload_ref) {
    if (!s.selector) {
      e.Required("spec.selector", "Rollout has missing field '.spec.selector'");
      // LabelSelectorAsSelector(nil) matches nothing: the template's labels
      // do not match it either.
      e.Invalid("spec.template.metadata.labels",
                FormatLabels(s.template_ ? s.template_->metadata.labels : Labels{}),
                "`selector` does not match template `labels`");
    } else {
      ValidateWorkloadSelector(e, *s.selector);
    }
    // An absent template is an empty one (the CRD's field is not a pointer).
    ValidateTemplate(e, "spec.template", s.template_.value_or(PodTemplateSpec{}),
                     s.selector.value_or(LabelSelector{}));
  } else {
    // RolloutSpec.EmptyTemplate: no labels and no annotations (the rest is
    // replaced by the referenced template).
    if (s.template_ &&
        (!s.template_->metadata.labels.empty() || !s.template_->metadata.annotations.empty())) {
      e.Add("spec.template",
            "Internal error: template must be empty for workload reference rollout");
    }
    // templateref.go's infoByGroupKind: a PodTemplate, or an apps
    // Deployment or ReplicaSet.
    const RolloutWorkloadRef& w = *s.workload_ref;
    const std::string_view group =
        w.api_version.find('/') == std::string::npos
            ? std::string_view()
            : std::string_view(w.api_version).substr(0, w.api_version.find('/'));
    const bool known = (group.empty() && w.kind == "PodTemplate") ||
                       (group == "apps" && (w.kind == "Deployment" || w.kind == "ReplicaSet"));
    if (!known) {
      e.Invalid("spec.workloadRef", fmt::format("{} {}", w.api_version, w.kind),
                fmt::format("workload of type {}/{} is not supported", group, w.kind));
    }
    // (Argo finds no workload of an empty name when it resolves the
    // reference; kubesim says so at load.)
    if (w.name.empty()) e.Required("spec.workloadRef.name");
  }
  ValidateTimes(e, s.min_ready_seconds, s.revision_history_limit, s.progress_deadline_seconds,
                true);
  // ValidateRolloutStrategy.
  if (!s.blue_green && !s.canary) {
    e.Required("spec.strategy",
               "Rollout has missing field '.spec.strategy.canary or .spec.strategy.blueGreen'");
  } else if (s.blue_green && s.canary) {
    e.Invalid("spec.strategy", "blueGreen: true canary: true",
              "Multiple Strategies can not be listed");
  } else if (s.blue_green) {
    const BlueGreenStrategy& b = *s.blue_green;
    const std::string f = "spec.strategy.blueGreen";
    if (b.active_service == b.preview_service) {
      e.Invalid(f + ".activeService", Quote(b.active_service),
                "This rollout uses the same service for the active and preview services, but "
                "two different services are required.");
    }
    if (b.scale_down_delay_revision_limit &&
        s.revision_history_limit < *b.scale_down_delay_revision_limit) {
      e.Invalid(f + ".scaleDownDelayRevisionLimit",
                std::to_string(*b.scale_down_delay_revision_limit),
                "This rollout's revision history limit can not be smaller than the rollout's "
                "scale down limit");
    }
    ValidateRolloutAntiAffinity(e, f + ".antiAffinity", b.anti_affinity);
  } else {
    ValidateCanary(e, ro);
  }
  return out;
}

std::string CheckDns1123Label(std::string_view v) {
  if (v.size() > 63) return "must be no more than 63 characters";
  if (v.empty() || !IsAlnumLower(v.front()) || !IsAlnumLower(v.back()) ||
      !std::all_of(v.begin(), v.end(), [](char c) { return IsAlnumLower(c) || c == '-'; })) {
    return "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
           "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
           "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
  }
  return {};
}

std::string CheckDns1123Subdomain(std::string_view v) {
  if (v.size() > 253) return "must be no more than 253 characters";
  size_t start = 0;
  while (true) {
    const size_t dot = v.find('.', start);
    const auto label = v.substr(start, dot == std::string_view::npos ? v.size() - start : dot - start);
    if (label.empty() || !IsAlnumLower(label.front()) || !IsAlnumLower(label.back()) ||
        !std::all_of(label.begin(), label.end(),
                     [](char c) { return IsAlnumLower(c) || c == '-'; })) {
      return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
             "'-' or '.', and must start and end with an alphanumeric character (e.g. "
             "'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
    }
    if (dot == std::string_view::npos) return {};
    start = dot + 1;
  }
}

std::string CheckDns1035Label(std::string_view v) {
  if (v.size() > 63) return "must be no more than 63 characters";
  if (v.empty() || !(v.front() >= 'a' && v.front() <= 'z') || !IsAlnumLower(v.back()) ||
      !std::all_of(v.begin(), v.end(), [](char c) { return IsAlnumLower(c) || c == '-'; })) {
    return "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
           "with an alphabetic character, and end with an alphanumeric character (e.g. "
           "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
  }
  return {};
}

std::string CheckLabelKey(std::string_view key) {
  // IsQualifiedName.
  const size_t slash = key.find('/');
  std::string_view name = key;
  if (slash != std::string_view::npos) {
    const auto prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) return "prefix part must be non-empty";
    if (auto why = CheckDns1123Subdomain(prefix); !why.empty()) return "prefix part " + why;
  }
  if (name.empty()) return "name part must be non-empty";
  if (name.size() > 63) return "name part must be no more than 63 characters";
  if (!IsQualifiedNamePart(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
           "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
           "'123-abc', regex used for validation is "
           "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  }
  return {};
}

std::string CheckLabelValue(std::string_view value) {
  // IsValidLabelValue.
  if (value.empty()) return {};
  if (value.size() > 63) return "must be no more than 63 characters";
  if (!IsQualifiedNamePart(value)) {
    return "a valid label must be an empty string or consist of alphanumeric characters, '-', "
           "'_' or '.', and must start and end with an alphanumeric character (e.g. "
           "'MyValue',  or 'my_value',  or '12345', regex used for validation is "
           "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  }
  return {};
}

}  // namespace kubesim::k8s
