// API-server validation of typed objects and the name rules
// (pkg/apis/apps/validation/validation_test.go, apimachinery validation).
#include <gtest/gtest.h>

#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/validation.h"

namespace kubesim::k8s {
namespace {

Deployment ValidDeployment() {
  Deployment d;
  d.metadata.name = "web";
  d.metadata.namespace_name = "default";
  d.spec.selector.match_labels = {{"app", "web"}};
  d.spec.template_.metadata.labels = {{"app", "web"}};
  Container c;
  c.name = "web";
  c.image = "nginx:1.25";
  c.image_pull_policy = "IfNotPresent";  // as decoding defaults it
  d.spec.template_.spec.containers.push_back(c);
  d.spec.strategy.rolling_update = RollingUpdateDeployment{};
  return d;
}

bool HasError(const FieldErrors& errors, std::string_view field, std::string_view text) {
  for (const auto& e : errors) {
    if (e.field == field && e.message.find(text) != std::string::npos) return true;
  }
  return false;
}

TEST(ValidateDeployment, AcceptsTheDefaults) { EXPECT_TRUE(ValidateDeployment(ValidDeployment()).empty()); }

// pkg/apis/core/v1/defaults_test.go TestSetDefaultContainer/imagePullPolicy
// cases: the tag decides, a digest without a tag is IfNotPresent.
TEST(DefaultImagePullPolicy, AlwaysForLatestOrNoTagElseIfNotPresent) {
  EXPECT_EQ(defaults::DefaultImagePullPolicy("nginx"), "Always");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("nginx:latest"), "Always");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("registry:5000/team/nginx"), "Always");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("registry:5000/team/nginx:latest"), "Always");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("registry:5000/nginx:1.25"), "IfNotPresent");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("nginx@sha256:0123abcd"), "IfNotPresent");
  EXPECT_EQ(defaults::DefaultImagePullPolicy("nginx:latest@sha256:0123abcd"), "Always");
}

TEST(ValidateDeployment, RejectsAnUnknownImagePullPolicy) {
  Deployment d = ValidDeployment();
  d.spec.template_.spec.containers[0].image_pull_policy = "Sometimes";
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.containers[0].imagePullPolicy",
                       "Unsupported value"));
  d.spec.template_.spec.containers[0].image_pull_policy = "Never";
  EXPECT_TRUE(ValidateDeployment(d).empty());
}

TEST(ValidateDeployment, RejectsLiteralZeroSurgeWithZeroOrZeroPercentUnavailable) {
  // ValidateRollingUpdateDeployment checks the literal values.
  for (auto unavailable : {IntOrPercent::Int(0), IntOrPercent::Percent(0)}) {
    Deployment d = ValidDeployment();
    d.spec.strategy.rolling_update = RollingUpdateDeployment{IntOrPercent::Int(0), unavailable};
    EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.strategy.rollingUpdate.maxUnavailable",
                         "may not be 0 when `maxSurge` is 0"));
  }
}

TEST(ValidateDeployment, AcceptsTenPercentUnavailableOfOneReplica) {
  // docs/scenario-format.md: valid, resolves to 0 then 1 by ResolveFenceposts' both-zero rule.
  Deployment d = ValidDeployment();
  d.spec.strategy.rolling_update =
      RollingUpdateDeployment{IntOrPercent::Int(0), IntOrPercent::Percent(10)};
  EXPECT_TRUE(ValidateDeployment(d).empty());
}

TEST(ValidateDeployment, RejectsASelectorThatMissesTheTemplateLabels) {
  Deployment d = ValidDeployment();
  d.spec.template_.metadata.labels = {{"app", "other"}};
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.metadata.labels",
                       "`selector` does not match template `labels`"));
}

TEST(ValidateDeployment, MatchesSelectorsWithMatchExpressions) {
  Deployment d = ValidDeployment();
  d.spec.selector.match_expressions.push_back(
      {"tier", LabelSelectorRequirement::Operator::kIn, {"front", "back"}});
  d.spec.template_.metadata.labels["tier"] = "front";
  EXPECT_TRUE(ValidateDeployment(d).empty());
  d.spec.template_.metadata.labels["tier"] = "db";
  EXPECT_FALSE(ValidateDeployment(d).empty());
}

TEST(LabelSelector, AppliesEveryOperator) {
  const Labels labels = {{"app", "web"}, {"tier", "front"}};
  using Op = LabelSelectorRequirement::Operator;
  EXPECT_TRUE((LabelSelectorRequirement{"tier", Op::kIn, {"front"}}.Matches(labels)));
  EXPECT_FALSE((LabelSelectorRequirement{"tier", Op::kNotIn, {"front"}}.Matches(labels)));
  EXPECT_TRUE((LabelSelectorRequirement{"zone", Op::kNotIn, {"a"}}.Matches(labels)));
  EXPECT_TRUE((LabelSelectorRequirement{"app", Op::kExists, {}}.Matches(labels)));
  EXPECT_TRUE((LabelSelectorRequirement{"zone", Op::kDoesNotExist, {}}.Matches(labels)));
}

// labels.Parse (apimachinery/pkg/labels/selector_test.go TestSelectorParse,
// TestToString cases): `=`/`==`/`!=`, `in`/`notin`, `KEY` and `!KEY`.
TEST(ParseSelector, ReadsKubectlsSelectorSyntax) {
  const Labels web = {{"app", "web"}, {"tier", "front"}};
  const Labels api = {{"app", "api"}};
  const auto matches = [](std::string_view sel, const Labels& l) {
    auto s = ParseSelector(sel);
    EXPECT_TRUE(s) << sel << ": " << (s ? "" : s.error());
    return s && s->Matches(l);
  };
  EXPECT_TRUE(matches("", web));
  EXPECT_TRUE(matches("app=web", web));
  EXPECT_TRUE(matches("app==web,tier=front", web));
  EXPECT_FALSE(matches("app=web,tier=back", web));
  EXPECT_TRUE(matches("app!=web", api));
  EXPECT_TRUE(matches("tier!=x", api));  // absent counts as not equal
  EXPECT_TRUE(matches("app in (api, web)", api));
  EXPECT_TRUE(matches(" app notin (api) ", web));
  EXPECT_TRUE(matches("tier", web));
  EXPECT_FALSE(matches("tier", api));
  EXPECT_TRUE(matches("!tier", api));
  EXPECT_TRUE(matches("app=", Labels{{"app", ""}}));
  for (std::string_view bad :
       {"app in ()", "app in (a", "app ~ x", "=web", "app=web,", "!app=web", "app=w b", "-bad=x"}) {
    EXPECT_FALSE(ParseSelector(bad)) << bad;
  }
}

// ValidatePodSpecificAnnotations: a pod's or template's pod-deletion-cost
// must be what GetDeletionCostFromPodAnnotations parses — an int32 with no
// '+' and no leading zero (helpers_test.go TestGetDeletionCostFromPodAnnotations).
TEST(ValidatePodAnnotations, PodDeletionCostMustBeA32BitInteger) {
  for (std::string_view ok : {"0", "-5", "10", "2147483647", "-2147483648"}) {
    EXPECT_TRUE(ParseDeletionCost(ok).has_value()) << ok;
  }
  EXPECT_EQ(ParseDeletionCost("-5"), -5);
  for (std::string_view bad : {"", "+10", "008", "2147483648", "x", "-", "1.5", " 1"}) {
    EXPECT_FALSE(ParseDeletionCost(bad).has_value()) << bad;
  }
  EXPECT_EQ(DeletionCostOf({{std::string(kPodDeletionCostAnnotation), "7"}}), 7);
  EXPECT_EQ(DeletionCostOf({}), 0);
  Deployment d = ValidDeployment();
  d.spec.template_.metadata.annotations[std::string(kPodDeletionCostAnnotation)] = "+10";
  EXPECT_TRUE(HasError(ValidateDeployment(d),
                       "spec.template.metadata.annotations[controller.kubernetes.io/"
                       "pod-deletion-cost]",
                       "must be a 32bit integer"));
  d.spec.template_.metadata.annotations[std::string(kPodDeletionCostAnnotation)] = "-10";
  EXPECT_TRUE(ValidateDeployment(d).empty());
  Pod pod;
  pod.metadata.name = "p";
  pod.metadata.namespace_name = "default";
  pod.metadata.annotations[std::string(kPodDeletionCostAnnotation)] = "008";
  pod.spec = ValidDeployment().spec.template_.spec;
  EXPECT_TRUE(HasError(ValidatePod(pod),
                       "metadata.annotations[controller.kubernetes.io/pod-deletion-cost]",
                       "must be a 32bit integer"));
}

TEST(ValidateProbe, RequiresSuccessThresholdOneForLivenessButNotReadiness) {
  Deployment d = ValidDeployment();
  Probe p;
  p.tcp_socket = TcpSocketAction{PortRef{80, ""}};
  p.success_threshold = 2;
  d.spec.template_.spec.containers[0].readiness_probe = p;
  EXPECT_TRUE(ValidateDeployment(d).empty());
  d.spec.template_.spec.containers[0].liveness_probe = p;
  EXPECT_TRUE(HasError(ValidateDeployment(d),
                       "spec.template.spec.containers[0].livenessProbe.successThreshold", "must be 1"));
}

// validateInitContainers / validateContainers (pkg/apis/core/validation):
// restartPolicy Always makes an init container a native sidecar, which may
// have probes and hooks; a plain init container may not; a regular container
// may not set restartPolicy at all (ContainerRestartRules is alpha, off).
TEST(ValidateContainer, NativeSidecarsMayHaveProbesPlainInitContainersMayNot) {
  Deployment d = ValidDeployment();
  Container sidecar = d.spec.template_.spec.containers[0];
  sidecar.name = "proxy";
  sidecar.readiness_probe = Probe{};
  sidecar.readiness_probe->tcp_socket = TcpSocketAction{PortRef{15021, {}}};
  sidecar.restart_policy = "Always";
  d.spec.template_.spec.init_containers = {sidecar};
  EXPECT_TRUE(ValidateDeployment(d).empty());
  d.spec.template_.spec.init_containers[0].restart_policy.clear();
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.initContainers[0].readinessProbe",
                       "may not be set for init containers without restartPolicy=Always"));
  d.spec.template_.spec.init_containers[0].restart_policy = "Sometimes";
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.initContainers[0].restartPolicy",
                       "Unsupported value: \"Sometimes\": supported values: \"Always\""));
  d.spec.template_.spec.init_containers.clear();
  d.spec.template_.spec.containers[0].restart_policy = "Always";
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.containers[0].restartPolicy",
                       "Forbidden: may not be set for non-init containers"));
}

TEST(ValidatePodResources, CpuAndMemoryAtLeastTheContainersTogether) {
  Deployment d = ValidDeployment();
  PodSpec& spec = d.spec.template_.spec;
  spec.containers[0].resources.requests["cpu"] = Quantity::FromMilli(300);
  spec.resources.emplace();
  spec.resources->requests["cpu"] = Quantity::FromMilli(500);
  EXPECT_TRUE(ValidateDeployment(d).empty());
  // A sidecar's 300m adds up: 600m of containers > 500m of pod.
  Container sidecar = spec.containers[0];
  sidecar.name = "proxy";
  sidecar.restart_policy = "Always";
  spec.init_containers = {sidecar};
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.resources.requests.cpu",
                       "must be greater than or equal to aggregate container requests of 600m"));
  spec.init_containers.clear();
  // Memory is shown in bytes: 64Mi of pod against 128Mi of containers.
  spec.containers[0].resources.requests["memory"] = Quantity::FromMilli(int64_t{128} * 1024 * 1024 * 1000);
  spec.resources->requests["memory"] = Quantity::FromMilli(int64_t{64} * 1024 * 1024 * 1000);
  EXPECT_TRUE(HasError(ValidateDeployment(d), "spec.template.spec.resources.requests.memory",
                       "must be greater than or equal to aggregate container requests of 134217728"));
  spec.resources->requests.erase("memory");
  spec.resources->requests["ephemeral-storage"] = Quantity::FromMilli(1000);
  EXPECT_TRUE(HasError(ValidateDeployment(d),
                       "spec.template.spec.resources.requests[ephemeral-storage]",
                       "Unsupported value"));
}

// validatePodAffinityTerm and validateTopologySpreadConstraints
// (pkg/apis/core/validation), with Kubernetes' wording.
TEST(ValidateScheduling, PodAffinityTermsAndTopologySpreadConstraints) {
  Deployment d = ValidDeployment();
  PodSpec& spec = d.spec.template_.spec;
  PodAffinityTerm term;
  term.label_selector = LabelSelector{};
  term.topology_key = "kubernetes.io/hostname";
  spec.pod_anti_affinity.emplace().required = {term};
  spec.pod_affinity.emplace().preferred = {WeightedPodAffinityTerm{100, term}};
  TopologySpreadConstraint c;
  c.max_skew = 1;
  c.topology_key = "topology.kubernetes.io/zone";
  c.when_unsatisfiable = "DoNotSchedule";
  c.min_domains = 2;
  spec.topology_spread_constraints = {c};
  EXPECT_TRUE(ValidateDeployment(d).empty());
  spec.pod_anti_affinity->required[0].topology_key.clear();
  spec.pod_affinity->preferred[0].weight = 0;
  spec.topology_spread_constraints[0].max_skew = 0;
  spec.topology_spread_constraints[0].when_unsatisfiable = "ScheduleAnyway";
  spec.topology_spread_constraints.push_back(spec.topology_spread_constraints[0]);
  spec.topology_spread_constraints[1].min_domains.reset();
  spec.topology_spread_constraints[1].node_taints_policy = "Sometimes";
  const FieldErrors errors = ValidateDeployment(d);
  const std::string f = "spec.template.spec.";
  EXPECT_TRUE(HasError(errors,
                       f + "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]."
                           "topologyKey",
                       "Required value: can not be empty"));
  EXPECT_TRUE(HasError(errors,
                       f + "affinity.podAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]."
                           "weight",
                       "Invalid value: 0: must be in the range 1-100"));
  EXPECT_TRUE(HasError(errors, f + "topologySpreadConstraints[0].maxSkew",
                       "Invalid value: 0: must be greater than zero"));
  EXPECT_TRUE(HasError(errors, f + "topologySpreadConstraints[0].minDomains",
                       "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not "
                       "ScheduleAnyway"));
  EXPECT_TRUE(HasError(errors, f + "topologySpreadConstraints[1]",
                       "Duplicate value: \"{topology.kubernetes.io/zone, ScheduleAnyway}\""));
  EXPECT_TRUE(HasError(errors, f + "topologySpreadConstraints[1].nodeTaintsPolicy",
                       "Unsupported value: \"Sometimes\": supported values: \"Honor\", \"Ignore\""));
  EXPECT_EQ(errors.size(), 7u);  // and maxSkew 0 of [1]
}

// validateMatchLabelKeysAndMismatchLabelKeys, validateLabelKeys and
// validateMatchLabelKeysInTopologySpread, with Kubernetes' wording.
TEST(ValidateScheduling, MatchLabelKeysNeedASelectorAndNoKeyTwice) {
  Deployment d = ValidDeployment();
  PodSpec& spec = d.spec.template_.spec;
  PodAffinityTerm term;
  term.topology_key = "zone";
  term.match_label_keys = {"pod-template-hash"};
  term.namespaces = {"Bad_NS"};
  spec.pod_anti_affinity.emplace().required = {term};
  TopologySpreadConstraint c;
  c.max_skew = 1;
  c.topology_key = "zone";
  c.when_unsatisfiable = "DoNotSchedule";
  c.label_selector = LabelSelector{};
  c.label_selector->match_labels = {{"app", "web"}};
  c.match_label_keys = {"app"};
  spec.topology_spread_constraints = {c};
  FieldErrors errors = ValidateDeployment(d);
  const std::string f = "spec.template.spec.";
  const std::string term_field =
      f + "affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]";
  EXPECT_TRUE(HasError(errors, term_field + ".matchLabelKeys",
                       "Forbidden: must not be specified when labelSelector is not set"));
  EXPECT_TRUE(HasError(errors, term_field + ".namespace", "Invalid value: \"Bad_NS\""));
  EXPECT_TRUE(HasError(errors, f + "topologySpreadConstraints[0].matchLabelKeys[0]",
                       "Invalid value: \"app\": exists in both matchLabelKeys and labelSelector"));
  EXPECT_EQ(errors.size(), 3u);
  spec.pod_anti_affinity->required[0].label_selector = LabelSelector{};
  spec.pod_anti_affinity->required[0].mismatch_label_keys = {"pod-template-hash"};
  spec.pod_anti_affinity->required[0].namespaces.clear();
  spec.topology_spread_constraints.clear();
  errors = ValidateDeployment(d);
  EXPECT_TRUE(HasError(errors, term_field + ".matchLabelKeys[0]",
                       "exists in both matchLabelKeys and mismatchLabelKeys"));
  EXPECT_EQ(errors.size(), 1u);
}

TEST(ValidateNames, FollowTheDnsRules) {
  EXPECT_TRUE(CheckDns1123Label("echo-version").empty());
  EXPECT_FALSE(CheckDns1123Label("Echo").empty());
  EXPECT_FALSE(CheckDns1123Label(std::string(64, 'a')).empty());
  EXPECT_TRUE(CheckDns1123Subdomain("echo.version-1").empty());
  EXPECT_FALSE(CheckDns1123Subdomain("echo..version").empty());
  EXPECT_TRUE(CheckDns1035Label("web").empty());
  EXPECT_FALSE(CheckDns1035Label("1web").empty());
  EXPECT_TRUE(CheckLabelKey("topology.kubernetes.io/zone").empty());
  EXPECT_FALSE(CheckLabelKey("/zone").empty());
  EXPECT_TRUE(CheckLabelValue("").empty());
  EXPECT_FALSE(CheckLabelValue("-x").empty());
}

// ---- Argo Rollouts' Rollout ------------------------------------------------
// The rules of argo-rollouts pkg/apis/rollouts/validation/validation.go (at
// 9f8d111), with the controller's messages, in cases written after its
// validation_test.go (the test each follows is named); the decoder's part
// is in scenario/load_test.cc (ChecksArgoRolloutsAsTheControllerDoes).

Rollout ValidRollout(bool blue_green) {
  Rollout ro;
  ro.metadata.name = "web";
  ro.metadata.namespace_name = "default";
  ro.spec.selector = LabelSelector{};
  ro.spec.selector->match_labels = {{"app", "web"}};
  const Deployment d = ValidDeployment();
  ro.spec.template_ = d.spec.template_;
  if (blue_green) {
    ro.spec.blue_green = BlueGreenStrategy{};
    ro.spec.blue_green->active_service = "web-active";
    ro.spec.blue_green->preview_service = "web-preview";
  } else {
    ro.spec.canary = CanaryStrategy{};
  }
  return ro;
}

CanaryStep Weight(int32_t w) {
  CanaryStep st;
  st.set_weight_set = true;
  st.set_weight = w;
  return st;
}

TEST(ValidateRollout, AcceptsBlueGreenAndCanary) {
  EXPECT_TRUE(ValidateRollout(ValidRollout(true)).empty());
  Rollout c = ValidRollout(false);
  CanaryStep pause;
  pause.pause_set = true;
  c.spec.canary->steps = {Weight(20), pause, Weight(100)};
  EXPECT_TRUE(ValidateRollout(c).empty());
}

// TestValidateRollout: a selector is required without workloadRef, and a
// template is forbidden with it.
TEST(ValidateRollout, SelectorRequiredAndTemplateForbiddenWithWorkloadRef) {
  Rollout ro = ValidRollout(true);
  ro.spec.selector.reset();
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.selector",
                       "Required value: Rollout has missing field '.spec.selector'"));
  ro.spec.workload_ref = RolloutWorkloadRef{"apps/v1", "Deployment", "web", ""};
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.template",
                       "template must be empty for workload reference rollout"));
  ro.spec.template_.reset();
  EXPECT_TRUE(ValidateRollout(ro).empty());
  ro.spec.workload_ref->kind =
      "StatefulSet";  // templateref.go: Deployment, ReplicaSet, PodTemplate
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.workloadRef",
                       "workload of type apps/StatefulSet is not supported"));
}

// TestValidateRolloutStrategy: exactly one strategy.
TEST(ValidateRollout, ExactlyOneStrategy) {
  Rollout ro = ValidRollout(true);
  ro.spec.canary = CanaryStrategy{};
  EXPECT_TRUE(
      HasError(ValidateRollout(ro), "spec.strategy", "Multiple Strategies can not be listed"));
  ro.spec.canary.reset();
  ro.spec.blue_green.reset();
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy",
                       "Rollout has missing field '.spec.strategy.canary or "
                       ".spec.strategy.blueGreen'"));
}

// TestValidateRolloutStrategyBlueGreen.
TEST(ValidateRollout, BlueGreenNeedsTwoServicesAndALimitWithinTheHistory) {
  Rollout ro = ValidRollout(true);
  ro.spec.blue_green->preview_service = "web-active";
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.blueGreen.activeService",
                       "This rollout uses the same service for the active and preview services"));
  ro = ValidRollout(true);
  ro.spec.revision_history_limit = 1;
  ro.spec.blue_green->scale_down_delay_revision_limit = 2;
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.blueGreen.scaleDownDelayRevisionLimit",
                       "revision history limit can not be smaller than the rollout's scale "
                       "down limit"));
  ro.spec.blue_green->scale_down_delay_revision_limit = 1;
  EXPECT_TRUE(ValidateRollout(ro).empty());
}

// TestValidateRolloutStrategyAntiAffinity.
TEST(ValidateRollout, AntiAffinityIsOneStrategyWithAWeightOf1To100) {
  Rollout ro = ValidRollout(true);
  ro.spec.blue_green->anti_affinity = RolloutAntiAffinity{true, true, 10};
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.blueGreen.antiAffinity",
                       "AntiAffinity must have exactly one strategy listed"));
  ro.spec.blue_green->anti_affinity = RolloutAntiAffinity{true, false, 0};
  EXPECT_TRUE(HasError(ValidateRollout(ro),
                       "spec.strategy.blueGreen.antiAffinity."
                       "preferredDuringSchedulingIgnoredDuringExecution.weight",
                       "AntiAffinity weight must be between 1-100"));
  ro.spec.blue_green->anti_affinity = RolloutAntiAffinity{false, true, 0};
  EXPECT_TRUE(ValidateRollout(ro).empty());
}

// TestInvalidMaxSurgeMaxUnavailable: 0 and 0% alike.
TEST(ValidateRollout, CanaryMaxSurgeAndMaxUnavailableNotBothZero) {
  for (const bool percent : {false, true}) {
    Rollout ro = ValidRollout(false);
    ro.spec.canary->max_surge = IntOrPercent{percent, 0};
    ro.spec.canary->max_unavailable = IntOrPercent{false, 0};
    EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.canary.maxSurge",
                         "MaxSurge and MaxUnavailable both can not be zero"));
  }
  Rollout ro = ValidRollout(false);
  ro.spec.canary->max_surge = IntOrPercent{false, 0};  // maxUnavailable's default 25%
  EXPECT_TRUE(ValidateRollout(ro).empty());
}

// TestHasMultipleStepsType, and a step with nothing set.
TEST(ValidateRollout, AStepIsOneThing) {
  Rollout ro = ValidRollout(false);
  CanaryStep both = Weight(1);
  both.pause_set = true;
  both.pause_seconds = 1;
  ro.spec.canary->steps = {both, CanaryStep{}};
  const FieldErrors errors = ValidateRollout(ro);
  const char* kStep =
      "Step must have one of the following set: experiment, setWeight, setCanaryScale, plugin or "
      "pause";
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.steps[0]", kStep));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.steps[1]", kStep));
}

// setWeight within [0, maxTrafficWeight] (100, or trafficRouting's with
// nginx or a plugin); a pause's duration not negative.
TEST(ValidateRollout, SetWeightWithinTheMaxTrafficWeightAndPausesNotNegative) {
  Rollout ro = ValidRollout(false);
  CanaryStep pause;
  pause.pause_set = true;
  pause.pause_seconds = -1;  // DurationSeconds of an unparsable duration
  ro.spec.canary->steps = {Weight(101), Weight(-1), pause};
  const FieldErrors errors = ValidateRollout(ro);
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.steps[0].setWeight",
                       "Invalid value: 101: SetWeight needs to be between 0 and 100"));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.steps[1].setWeight", "between 0 and 100"));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.steps[2].pause.duration",
                       "Duration needs to be greater than 0"));
  ro = ValidRollout(false);
  ro.spec.canary->stable_service = "stable";
  ro.spec.canary->canary_service = "canary";
  ro.spec.canary->traffic_routing = std::vector<std::string>{"nginx"};
  ro.spec.canary->max_traffic_weight = 1000;
  ro.spec.canary->steps = {Weight(500)};
  EXPECT_TRUE(ValidateRollout(ro).empty());
  ro.spec.canary->traffic_routing = std::vector<std::string>{"smi"};
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.canary.trafficRouting.maxTrafficWeight",
                       "Canary maxTrafficWeight in traffic routing only supported in Nginx and "
                       "Plugins"));
}

// TestValidateRolloutStrategyCanaryMissingServiceNames: a router needs both
// Services, but Istio with a DestinationRule (subset routing) does not.
TEST(ValidateRollout, TrafficRoutingNeedsStableAndCanaryServices) {
  Rollout ro = ValidRollout(false);
  ro.spec.canary->traffic_routing = std::vector<std::string>{"smi"};
  const FieldErrors errors = ValidateRollout(ro);
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.stableService",
                       "Canary service and Stable service must to be set to use Traffic Routing"));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.canaryService", "must to be set"));
  ro.spec.canary->traffic_routing = std::vector<std::string>{"istio"};
  ro.spec.canary->istio_destination_rule = true;
  EXPECT_TRUE(ValidateRollout(ro).empty());
  ro.spec.canary->stable_service = ro.spec.canary->canary_service = "web";
  EXPECT_TRUE(HasError(ValidateRollout(ro), "spec.strategy.canary.stableService",
                       "the same service for the stable and canary services"));
}

// TestCanaryScaleDownDelaySeconds, TestCanaryDynamicStableScale, and
// setCanaryScale: traffic routing only.
TEST(ValidateRollout, TrafficRoutingOnlyFields) {
  Rollout ro = ValidRollout(false);
  ro.spec.canary->scale_down_delay_seconds = 30;
  ro.spec.canary->dynamic_stable_scale = true;
  CanaryStep scale;
  scale.set_canary_scale_set = true;
  scale.scale_replicas = 1;
  ro.spec.canary->steps = {scale};
  FieldErrors errors = ValidateRollout(ro);
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.scaleDownDelaySeconds",
                       "Canary scaleDownDelaySeconds can only be used with traffic routing"));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.dynamicStableScale",
                       "Canary dynamicStableScale can only be used with traffic routing"));
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.trafficRouting",
                       "SetCanaryScale requires TrafficRouting to be set"));
  ro.spec.canary->stable_service = "stable";
  ro.spec.canary->canary_service = "canary";
  ro.spec.canary->traffic_routing = std::vector<std::string>{"nginx"};
  errors = ValidateRollout(ro);
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_TRUE(HasError(errors, "spec.strategy.canary.dynamicStableScale",
                       "Canary dynamicStableScale cannot be used with scaleDownDelaySeconds"));
  ro.spec.canary->scale_down_delay_seconds.reset();
  EXPECT_TRUE(ValidateRollout(ro).empty());
}

}  // namespace
}  // namespace kubesim::k8s
