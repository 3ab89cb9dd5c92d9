// The scenario loader: every valid construct of docs/scenario-format.md loads into the typed
// Scenario with Kubernetes' defaults, and every broken file of
// tests/data/invalid/ is rejected with its positioned message.
#include "kubesim/scenario/load.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace kubesim::scenario {
namespace {

namespace fs = std::filesystem;

fs::path SourceDir() {
  const char* dir = std::getenv("KUBESIM_SOURCE_DIR");
  return dir != nullptr ? fs::path(dir) : fs::path(KUBESIM_SOURCE_DIR_FALLBACK);
}

std::string AllDiagnostics(const LoadResult& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

// Loads `text` with in-memory files for `apply -f`.
LoadResult Load(const std::string& text, std::map<std::string, std::string> files = {},
                std::string stdin_text = "") {
  LoadOptions options;
  options.read_file = [files](const std::string& path) -> Expected<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return Error{"cannot open: No such file or directory"};
    return it->second;
  };
  options.read_stdin = [stdin_text]() -> Expected<std::string> { return stdin_text; };
  return LoadScenarioText(text, "dir/s.yaml", options);
}

const std::string kHead = R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  cluster:
    nodes:
    - name: worker
      count: 3
      capacity: {cpu: "1500m", memory: 8Gi, pods: 50}
      labels: {topology.kubernetes.io/zone: a}
)";

const std::string kWeb = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector:
    matchLabels: {app: web}
    matchExpressions:
    - {key: tier, operator: In, values: [front]}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        resources:
          limits: {cpu: 500m, memory: 128Mi}
        readinessProbe:
          httpGet: {port: 8080}
        lifecycle:
          preStop: {sleep: {seconds: 5}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";

TEST(Load, AppliesKubernetesDefaultsToADeployment) {
  const auto r = Load(kHead + "---\n" + kWeb);
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  ASSERT_EQ(r.scenario->objects.size(), 2u);
  const auto& d = std::get<k8s::Deployment>(r.scenario->objects[0]);
  EXPECT_EQ(d.metadata.namespace_name, "default");
  EXPECT_EQ(d.spec.replicas, 1);                      // SetDefaults_Deployment
  EXPECT_EQ(d.spec.revision_history_limit, 10);       // SetDefaults_Deployment
  EXPECT_EQ(d.spec.progress_deadline_seconds, 600);   // SetDefaults_Deployment
  ASSERT_TRUE(d.spec.strategy.rolling_update);
  EXPECT_EQ(d.spec.strategy.rolling_update->max_surge, k8s::IntOrPercent::Percent(25));
  EXPECT_EQ(d.spec.strategy.rolling_update->max_unavailable, k8s::IntOrPercent::Percent(25));
  const auto& c = d.spec.template_.spec.containers[0];
  EXPECT_EQ(d.spec.template_.spec.termination_grace_period_seconds, 30);  // SetDefaults_PodSpec
  ASSERT_TRUE(c.readiness_probe);
  EXPECT_EQ(c.readiness_probe->period_seconds, 10);     // SetDefaults_Probe
  EXPECT_EQ(c.readiness_probe->timeout_seconds, 1);     // SetDefaults_Probe
  EXPECT_EQ(c.readiness_probe->failure_threshold, 3);   // SetDefaults_Probe
  EXPECT_EQ(c.readiness_probe->success_threshold, 1);   // SetDefaults_Probe
  EXPECT_EQ(c.readiness_probe->http_get->path, "/");    // SetDefaults_HTTPGetAction
  // SetDefaults_Pod: requests default to limits.
  EXPECT_EQ(c.resources.requests.at("cpu").MilliValue(), 500);
  EXPECT_EQ(c.resources.requests.at("memory").Value(), 128 << 20);
  EXPECT_EQ(c.lifecycle.pre_stop->sleep->seconds, 5);
  EXPECT_TRUE(d.spec.selector.Matches(d.spec.template_.metadata.labels));
}

TEST(Load, ReadsTheClusterWithExactQuantitiesAndDefaultTiming) {
  const auto r = Load(kHead);
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& g = r.scenario->cluster.nodes[0];
  EXPECT_EQ(g.cpu.MilliValue(), 1500);
  EXPECT_EQ(g.memory.Value(), 8LL << 30);
  EXPECT_EQ(g.pods, 50);
  EXPECT_EQ(g.NodeName(2), "worker-2");
  EXPECT_EQ(r.scenario->cluster.timing.endpoint_delay,
            DurationDistribution::Fixed(SimDuration::Seconds(1)));
  EXPECT_EQ(r.scenario->seed, 1u);
  EXPECT_EQ(r.scenario->name, "t");
}

TEST(Load, ReadsDurationsAndEveryDistribution) {
  const auto r = Load(kHead + R"(    timing:
      controllerDelay: 250ms
      schedulingDelay: {exponential: {mean: 2s}}
      endpointDelay: {normal: {mean: 1s, stddev: 200ms}}
  images:
    nginx:1.25:
      pull: {uniform: [1s, 3s]}
      start: {lognormal: {median: 2s, sigma: 0.3}}
      shutdown: 1.5
      drain: 1s
      crashAfter: 2m30s
      healthy: false
)");
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& t = r.scenario->cluster.timing;
  EXPECT_EQ(t.controller_delay, DurationDistribution::Fixed(SimDuration::Millis(250)));
  EXPECT_EQ(t.scheduling_delay, DurationDistribution::Exponential(SimDuration::Seconds(2)));
  EXPECT_EQ(t.endpoint_delay,
            DurationDistribution::Normal(SimDuration::Seconds(1), SimDuration::Millis(200)));
  const ImageProfile* p = r.scenario->ProfileFor("nginx:1.25");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->version, "1.25");  // the image tag
  EXPECT_EQ(p->pull, DurationDistribution::Uniform(SimDuration::Seconds(1), SimDuration::Seconds(3)));
  EXPECT_EQ(p->start, DurationDistribution::Lognormal(SimDuration::Seconds(2), 0.3));
  EXPECT_EQ(p->shutdown, DurationDistribution::Fixed(SimDuration::Millis(1500)));
  EXPECT_EQ(*p->crash_after, DurationDistribution::Fixed(SimDuration::Seconds(150)));
  EXPECT_FALSE(p->healthy);
}

// The version of an image without a profile version: the tag (after the
// last ':' past the last '/', before any '@digest'), else the digest's
// first 12 hex digits, else "latest" (docs/scenario-format.md, images).
TEST(ImageTag, TakesTheTagBeforeADigestAndTheDigestWithoutATag) {
  EXPECT_EQ(ImageTag("gihyodocker/echo-version:0.1.0"), "0.1.0");
  EXPECT_EQ(ImageTag("controller:v1.15.1@sha256:0123456789abcdef0123"), "v1.15.1");
  EXPECT_EQ(ImageTag("registry:5000/team/app:2.0@sha256:ffee"), "2.0");
  EXPECT_EQ(ImageTag("registry:5000/team/app@sha256:0123456789abcdef0123"), "0123456789ab");
  EXPECT_EQ(ImageTag("registry:5000/team/app"), "latest");
  EXPECT_EQ(ImageTag("nginx"), "latest");
}

TEST(Load, ReadsTrafficEveryAndRate) {
  const auto r = Load(kHead + R"(  traffic:
  - {name: a, service: web, every: 1s}
  - {name: b, service: web, rate: 120/m, from: 10s}
---
)" + kWeb);
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  ASSERT_EQ(r.scenario->traffic.size(), 2u);
  EXPECT_EQ(r.scenario->traffic[0].every, SimDuration::Seconds(1));
  EXPECT_EQ(r.scenario->traffic[1].arrival, TrafficSource::Arrival::kPoisson);
  EXPECT_DOUBLE_EQ(r.scenario->traffic[1].rate_per_second, 2.0);
  EXPECT_EQ(*r.scenario->traffic[1].from, SimDuration::Seconds(10));
}

// Deleting a Namespace deletes its objects, and with them their history
// (a Deployment's ReplicaSets go too): a Deployment made again in the
// namespace made again has one revision, nothing to undo.
TEST(Load, ADeletedNamespaceTakesItsObjectsRevisionsWithIt) {
  const auto r =
      Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f ns.yaml}
  - {at: 0s, kubectl: apply -f app.yaml -n shop}
  - {at: 10s, kubectl: set image deployment/web web=nginx:1.26 -n shop}
  - {at: 20s, kubectl: delete namespace shop}
  - {at: 30s, kubectl: apply -f ns.yaml}
  - {at: 30s, kubectl: apply -f app.yaml -n shop}
  - {at: 40s, kubectl: rollout undo deployment/web -n shop}
)",
           {{"dir/app.yaml", kWeb},
            {"dir/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"}});
  EXPECT_FALSE(r.ok());
  EXPECT_NE(AllDiagnostics(r).find("no rollout history found for deployment \"web\" in namespace "
                                   "\"shop\": nothing to undo at 40s"),
            std::string::npos)
      << AllDiagnostics(r);
}

TEST(Load, ResolvesEveryTimelineStepIntoTheObjectsItLeaves) {
  const auto r = Load(kHead + R"(  timeline:
  - at: 60s
    kubectl: kubectl patch service web -p '{"spec":{"selector":{"color":"green"}}}'
  - at: 0s
    kubectl: apply -f app.yaml
  - at: 70s
    kubectl: set image deployment/web web=nginx:1.26
  - at: 80s
    kubectl: scale deployment/web --replicas=4
  - at: 90s
    kubectl: rollout undo deployment/web
  - at: 95s
    kubectl: rollout pause deployment/web
  - at: 96s
    kubectl: rollout resume deployment/web
  - at: 97s
    kubectl: rollout restart deployment/web
  - at: 100s
    fail: node/worker-1
  - at: 110s
    recover: node/worker-1
  - at: 120s
    kubectl: delete -f app.yaml
)",
                      {{"dir/app.yaml", kWeb}});
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& tl = r.scenario->timeline;
  ASSERT_EQ(tl.size(), 11u);
  EXPECT_EQ(tl[0].at, SimDuration::Zero());  // sorted by time
  EXPECT_EQ(tl[0].objects.size(), 2u);
  const auto& svc = std::get<k8s::Service>(tl[1].objects.at(0));
  EXPECT_EQ(svc.spec.selector, (k8s::Labels{{"app", "web"}, {"color", "green"}}));
  const auto image = [&](size_t i) {
    return std::get<k8s::Deployment>(tl[i].objects.at(0)).spec.template_.spec.containers[0].image;
  };
  EXPECT_EQ(image(2), "nginx:1.26");
  EXPECT_EQ(std::get<k8s::Deployment>(tl[3].objects.at(0)).spec.replicas, 4);
  EXPECT_EQ(image(4), "nginx:1.25");  // undo returns to revision 1's template
  EXPECT_TRUE(std::get<k8s::Deployment>(tl[5].objects.at(0)).spec.paused);
  EXPECT_FALSE(std::get<k8s::Deployment>(tl[6].objects.at(0)).spec.paused);
  EXPECT_EQ(std::get<k8s::Deployment>(tl[7].objects.at(0))
                .spec.template_.metadata.annotations.at("kubectl.kubernetes.io/restartedAt"),
            "1m37s");
  EXPECT_EQ(std::get<NodeCommand>(tl[8].command.body).action, NodeCommand::Action::kFail);
  EXPECT_EQ(tl[10].deleted.size(), 2u);
}

TEST(Load, ReadsApplyFromStandardInputOnce) {
  const auto r = Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f -}
  - {at: 5s, kubectl: delete -f -}
)",
                      {}, kWeb);
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  EXPECT_EQ(r.scenario->timeline[1].deleted.size(), 2u);
}

TEST(Load, PutsObjectsOfApplyWithANamespaceFlagIntoThatNamespace) {
  const auto r = Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f ns.yaml}
  - {at: 0s, kubectl: apply -n shop -f app.yaml}
)",
                      {{"dir/app.yaml", kWeb},
                       {"dir/ns.yaml", "apiVersion: v1\nkind: Namespace\nmetadata: {name: shop}\n"}});
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  EXPECT_EQ(k8s::MetaOf(r.scenario->timeline[1].objects[0]).namespace_name, "shop");
}

// kubectl annotate at load time: a named object must exist (a
// ReplicaSet's pod is looked up when the step runs); a key with another
// value needs --overwrite (validateNoAnnotationOverwrites); a pod's
// deletion cost must be an int32 (ValidatePodSpecificAnnotations).
TEST(Load, ChecksAnnotateStepsAsKubectlAndTheApiServerWould) {
  const auto load = [](const std::string& steps) {
    return Load(kHead + "  timeline:\n" + steps + "---\n" + kWeb);
  };
  const auto ok = load(R"(  - {at: 1s, kubectl: annotate deployment web team=a}
  - {at: 2s, kubectl: annotate deployment web team=b --overwrite}
  - {at: 3s, kubectl: annotate deployment web team-}
  - {at: 4s, kubectl: annotate deployment web team=c}
  - {at: 5s, kubectl: annotate pod web-5d8f7-x2vbq controller.kubernetes.io/pod-deletion-cost=-3}
)");
  ASSERT_TRUE(ok.ok()) << AllDiagnostics(ok);
  const auto& tl = ok.scenario->timeline;
  ASSERT_EQ(tl[1].objects.size(), 1u);
  EXPECT_EQ(k8s::MetaOf(tl[1].objects[0]).annotations.at("team"), "b");
  EXPECT_FALSE(k8s::MetaOf(tl[2].objects[0]).annotations.contains("team"));
  EXPECT_TRUE(tl[4].objects.empty());  // the ReplicaSet's pod: when the step runs
  const auto conflict = load(
      "  - {at: 1s, kubectl: annotate deployment web team=a}\n"
      "  - {at: 2s, kubectl: annotate deployment web team=b}\n");
  EXPECT_NE(AllDiagnostics(conflict).find("dir/s.yaml:13:47: error: --overwrite is false but "
                                          "found the following declared annotation(s): 'team' "
                                          "already has a value (a) on deployment \"web\""),
            std::string::npos)
      << AllDiagnostics(conflict);
  EXPECT_NE(AllDiagnostics(load("  - {at: 1s, kubectl: annotate service nope a=b}\n"))
                .find("service \"nope\" not found at 1s"),
            std::string::npos);
  EXPECT_NE(AllDiagnostics(load("  - {at: 1s, kubectl: annotate pods --all "
                                "controller.kubernetes.io/pod-deletion-cost=+1}\n"))
                .find("Invalid value: \"+1\": must be a 32bit integer"),
            std::string::npos);
}

// kubectl apply's three-way merge, list by list: containers merge by name,
// so a container a patch added (in neither manifest) stays, a field the
// last manifest set and the new one drops goes, and the new image wins.
TEST(Load, ApplyMergesContainersByNameThreeWays) {
  const std::string v1 = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - {name: web, image: nginx:1.25, ports: [{containerPort: 80}]}
)";
  std::string v2 = v1;
  v2.replace(v2.find("nginx:1.25, ports: [{containerPort: 80}]"),
             std::string("nginx:1.25, ports: [{containerPort: 80}]").size(), "nginx:1.26");
  const auto r = Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f v1.yaml}
  - at: 5s
    kubectl: patch deployment web -p '{"spec":{"template":{"spec":{"containers":[{"name":"log","image":"busybox:1.36"}]}}}}'
  - {at: 10s, kubectl: apply -f v2.yaml}
)",
                      {{"dir/v1.yaml", v1}, {"dir/v2.yaml", v2}});
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& d = std::get<k8s::Deployment>(r.scenario->timeline[2].objects.at(0));
  const auto& cs = d.spec.template_.spec.containers;
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].name, "web");
  EXPECT_EQ(cs[0].image, "nginx:1.26");
  EXPECT_TRUE(cs[0].ports.empty());  // the last manifest set it, the new one does not
  EXPECT_EQ(cs[1].name, "log");      // neither manifest has it: the patch's stays
}

// `patch --type json` (RFC 6902) at load time: each operation applies to
// the stored object as the API server applies it, and the result decodes
// as the same values written in a manifest — a JSON number is a number, a
// JSON string a string.
LoadResult LoadJsonPatch(const std::string& ops, const std::string& target = "deployment web") {
  return Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f app.yaml}
  - at: 10s
    kubectl: patch )" +
                  target + " --type json -p '" + ops + "'\n",
              {{"dir/app.yaml", kWeb}});
}

TEST(Load, AppliesAJsonPatchOperationByOperation) {
  const auto r = LoadJsonPatch(
      R"([{"op":"test","path":"/spec/template/spec/containers/0/image","value":"nginx:1.25"},)"
      R"({"op":"replace","path":"/spec/template/spec/containers/0/image","value":"nginx:1.26"},)"
      R"({"op":"replace","path":"/spec/replicas","value":3},)"
      R"({"op":"add","path":"/metadata/labels","value":{"tier":"front"}},)"
      R"({"op":"copy","from":"/spec/template/metadata/labels/app","path":"/metadata/labels/app"},)"
      R"({"op":"move","from":"/metadata/labels/tier","path":"/metadata/labels/layer"},)"
      R"({"op":"remove","path":"/spec/template/spec/containers/0/readinessProbe"},)"
      R"({"op":"add","path":"/spec/template/spec/containers/-","value":{"name":"log","image":"busybox:1.35"}},)"
      R"({"op":"replace","path":"/spec/template/spec/containers/-1/image","value":"busybox:1.36"}])");
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& d = std::get<k8s::Deployment>(r.scenario->timeline[1].objects.at(0));
  // A replace of a key the mapping lacks adds it, as the API server's
  // jsonpatch (evanphx/json-patch v4) does.
  EXPECT_EQ(d.spec.replicas, 3);
  EXPECT_EQ(d.metadata.labels, (k8s::Labels{{"app", "web"}, {"layer", "front"}}));
  const auto& cs = d.spec.template_.spec.containers;
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].image, "nginx:1.26");
  EXPECT_FALSE(cs[0].readiness_probe.has_value());
  EXPECT_EQ(cs[0].resources.limits.size(), 2u);  // untouched fields stay
  EXPECT_EQ(cs[1].name, "log");
  EXPECT_EQ(cs[1].image, "busybox:1.36");
}

// The same change by --type json and by --type merge leaves the same object.
TEST(Load, AJsonPatchLeavesTheObjectTheSameMergePatchLeaves) {
  const auto json = LoadJsonPatch(
      R"([{"op":"add","path":"/spec/template/metadata/labels/v","value":"2"},)"
      R"({"op":"add","path":"/spec/minReadySeconds","value":5},)"
      R"({"op":"add","path":"/spec/strategy","value":{"rollingUpdate":{"maxSurge":"50%"}}}])");
  const auto merge = Load(kHead + R"(  timeline:
  - {at: 0s, kubectl: apply -f app.yaml}
  - at: 10s
    kubectl: patch deployment web --type merge -p '{"spec":{"template":{"metadata":{"labels":{"v":"2"}}},"minReadySeconds":5,"strategy":{"rollingUpdate":{"maxSurge":"50%"}}}}'
)",
                          {{"dir/app.yaml", kWeb}});
  ASSERT_TRUE(json.ok()) << AllDiagnostics(json);
  ASSERT_TRUE(merge.ok()) << AllDiagnostics(merge);
  const auto& a = std::get<k8s::Deployment>(json.scenario->timeline[1].objects.at(0));
  const auto& b = std::get<k8s::Deployment>(merge.scenario->timeline[1].objects.at(0));
  EXPECT_EQ(a.spec.template_.metadata.labels.at("v"), "2");
  EXPECT_EQ(a.spec.min_ready_seconds, 5);
  ASSERT_TRUE(a.spec.strategy.rolling_update.has_value());
  EXPECT_EQ(a.spec.strategy.rolling_update->max_surge, k8s::IntOrPercent::Percent(50));
  EXPECT_TRUE(a == b);  // every field, and where each was written
}

// A failed patch is an error at the -p value (as a bad merge patch is), in
// the words of the API server and its jsonpatch library; a quoted "3" stays
// a string, refused for an integer field as in a manifest.
// Writing the namespace the object is in already changes nothing: the
// API server accepts it (an absent namespace is "default").
TEST(Load, AJsonPatchMayWriteTheNamespaceTheObjectIsIn) {
  const auto same = LoadJsonPatch(
      R"([{"op":"add","path":"/metadata/namespace","value":"default"}])", "deployment web");
  EXPECT_TRUE(same.ok()) << AllDiagnostics(same);
  const auto other = LoadJsonPatch(R"([{"op":"add","path":"/metadata/namespace","value":"shop"}])",
                                   "deployment web");
  EXPECT_FALSE(other.ok());
  EXPECT_NE(AllDiagnostics(other).find("the patch may not change metadata.namespace"),
            std::string::npos)
      << AllDiagnostics(other);
}

TEST(Load, RefusesAJsonPatchThatFailsAtItsValueInTheServersWords) {
  const auto error = [](const std::string& ops, const std::string& target = "deployment web") {
    const auto r = LoadJsonPatch(ops, target);
    EXPECT_FALSE(r.ok());
    std::string errors;  // without the warning that nginx has no profile
    for (const auto& d : r.diagnostics) {
      if (d.severity == k8s::Severity::kError) errors += d.ToString() + "\n";
    }
    return errors;
  };
  // The -p value starts at column 14 + its offset in the line, on line 14.
  const auto at = [](const std::string& target = "deployment web") {
    const size_t column = 14 + std::string("patch " + target + " --type json -p ").size();
    return "dir/s.yaml:14:" + std::to_string(column) + ": error: ";
  };

  EXPECT_EQ(
      error(
          R"([{"op":"test","path":"/spec/template/spec/containers/0/image","value":"nginx:1.24"}])"),
      at() +
          "the server rejected our request due to an error in our request: testing value "
          "/spec/template/spec/containers/0/image failed: test failed (operation 1 of 1)\n");
  EXPECT_EQ(
      error(R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"x:1"},)"
            R"({"op":"remove","path":"/spec/paused"}])"),
      at() +
          "the server rejected our request due to an error in our request: error in remove "
          "for path: '/spec/paused': Unable to remove nonexistent key: paused: missing "
          "value (operation 2 of 2)\n");
  EXPECT_EQ(error(R"([{"op":"replace","path":"/spec/strategy/rollingUpdate/maxSurge","value":1}])"),
            at() +
                "the server rejected our request due to an error in our request: replace "
                "operation does not apply: doc is missing path: "
                "/spec/strategy/rollingUpdate/maxSurge: missing value (operation 1 of 1)\n");
  EXPECT_EQ(error(R"([{"op":"remove","path":"/spec/template/spec/containers/1"}])"),
            at() +
                "the server rejected our request due to an error in our request: error in remove "
                "for path: '/spec/template/spec/containers/1': Unable to access invalid index: "
                "1: invalid index referenced (operation 1 of 1)\n");
  EXPECT_EQ(error(R"([{"op":"merge","path":"/spec","value":{}}])"),
            at() +
                "the server rejected our request due to an error in our request: Unexpected "
                "kind: merge (operation 1 of 1)\n");
  EXPECT_NE(error(R"({"spec":{"replicas":3}})")
                .find(at() + "error decoding patch: json: cannot unmarshal object into Go value of "
                             "type []handlers.jsonPatchOp"),
            std::string::npos);
  EXPECT_EQ(error(R"([{"op":"add","path":"/spec/replicas","valeu":3}])"),
            at() + "strict decoding error: json patch unknown field \"valeu\"\n");
  EXPECT_EQ(error(R"([{"op":"replace","path":"/metadata/name","value":"api"}])"),
            at() + "the patch may not change metadata.name\n");
  EXPECT_EQ(error(R"([{"op":"replace","path":"/spec/replicas","value":"3"}])"),
            "dir/s.yaml:14:14: error: after kubectl patch: Deployment \"web\": spec.replicas: "
            "expected an integer, got "
            "the string \"3\"\n");
  // jsonpatch's AccumulatedCopySizeLimit (JSONPatchMaxCopyBytes, 3 MiB):
  // copies that double a value 40 times stop at the limit, not at the
  // machine's memory.
  std::string doubling = R"([{"op":"add","path":"/x","value":{"a":1}})";
  for (int i = 0; i < 40; ++i)
    doubling += fmt::format(R"(,{{"op":"copy","from":"/x","path":"/x/b{}"}})", i);
  doubling += "]";
  const std::string copy_error = error(doubling);
  EXPECT_NE(
      copy_error.find(at() + "the server rejected our request due to an error in our request: "
                             "Unable to complete the copy, the accumulated size increase of copy "
                             "is "),
      std::string::npos)
      << copy_error;
  EXPECT_NE(copy_error.find(", exceeding the limit 3145728 (operation "), std::string::npos)
      << copy_error;
  // strconv.Atoi refuses "+-1".
  EXPECT_NE(error(R"([{"op":"remove","path":"/spec/template/spec/containers/+-1"}])")
                .find("strconv.Atoi: parsing \"+-1\": invalid syntax"),
            std::string::npos);
  // A missing object is the same load error as for any patch.
  EXPECT_EQ(error("[]", "deployment nope"),
            "dir/s.yaml:14:31: error: deployment \"nope\" not found at 10s: no object of the file "
            "or earlier step creates it\n");
}

// kubectl applies a file that holds only kinds kubesim does not simulate
// (an HPA beside a Deployment's manifest): a warning that names the kind,
// not an error. A file with no object at all stays kubectl's error.
TEST(Load, ApplyOfAFileOfUnsimulatedKindsWarnsAndGoesOn) {
  const std::string hpa = R"(apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 10
)";
  const auto r = Load(kHead + "  timeline:\n  - {at: 10s, kubectl: apply -f hpa.yaml}\n",
                      {{"dir/hpa.yaml", hpa}});
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  ASSERT_EQ(r.diagnostics.size(), 1u) << AllDiagnostics(r);
  EXPECT_NE(r.diagnostics[0].ToString().find("warning: kind HorizontalPodAutoscaler"),
            std::string::npos)
      << AllDiagnostics(r);
  const auto empty = Load(kHead + "  timeline:\n  - {at: 10s, kubectl: apply -f e.yaml}\n",
                          {{"dir/e.yaml", "# nothing\n"}});
  EXPECT_NE(AllDiagnostics(empty).find("no objects passed to apply"), std::string::npos)
      << AllDiagnostics(empty);
}

// What would pass without a word and change the result is warned: an image
// no profile describes (a typo in a tag: the unused profile is suggested),
// a profile no container uses, a Service whose selector matches no pod
// template, a cluster with no node.
TEST(Load, WarnsOfUnprofiledImagesUnusedProfilesLonelyServicesAndNoNodes) {
  const auto r = Load(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  cluster:
    nodes: [{name: node, count: 0, capacity: {cpu: "1", memory: 1Gi}}]
  images:
    nginx:1.26: {pull: 5s}
  timeline:
  - {at: 10s, kubectl: set image deployment/web web=nginx:1.62}
---
)" + kWeb);
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const std::string all = AllDiagnostics(r);
  for (const char* w : {
           "dir/s.yaml:1:1: warning: the cluster has no node",
           "warning: image \"nginx:1.25\" has no profile in spec.images: it pulls and starts in "
           "0s and is always healthy; did you mean \"nginx:1.26\"?",
           "dir/s.yaml:10:24: warning: image \"nginx:1.62\" has no profile",
           "dir/s.yaml:8:5: warning: no container runs image \"nginx:1.26\"",
       }) {
    EXPECT_NE(all.find(w), std::string::npos) << w << "\n" << all;
  }
  const auto lonely = Load(kHead + R"(  images:
    nginx:1.25: {pull: 1s}
---
)" + kWeb + R"(---
apiVersion: v1
kind: Service
metadata: {name: api}
spec:
  selector: {app: api}
  ports: [{port: 80}]
)");
  ASSERT_TRUE(lonely.ok()) << AllDiagnostics(lonely);
  ASSERT_EQ(lonely.diagnostics.size(), 1u) << AllDiagnostics(lonely);
  EXPECT_NE(lonely.diagnostics[0].ToString().find(
                "warning: Service \"api\" selects app=api, which no pod template or pod of the "
                "scenario has: it never has an endpoint"),
            std::string::npos)
      << AllDiagnostics(lonely);
}

// yaml-cpp says "illegal map value" for a tab in the indentation; the
// message says tabs are the cause. Without a tab, no such hint.
TEST(Load, ATabInTheIndentationIsNamedInTheSyntaxError) {
  const auto tab =
      Load("apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\nspec:\n\tseed: 1\n");
  EXPECT_NE(AllDiagnostics(tab).find("YAML syntax error: illegal map value (a tab indents this "
                                     "line or the one before: YAML indents with spaces only)"),
            std::string::npos)
      << AllDiagnostics(tab);
  const auto colon = Load(
      "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: t}\n"
      "spec:\n  seed: 1: 2\n");
  EXPECT_EQ(AllDiagnostics(colon).find("a tab"), std::string::npos) << AllDiagnostics(colon);
  EXPECT_NE(AllDiagnostics(colon).find("YAML syntax error"), std::string::npos)
      << AllDiagnostics(colon);
}

// kubectl apply -f DIR: the directory's .yaml, .yml and .json files in name
// order (not its other files, not subdirectories); a directory with none is
// an error.
TEST(Load, ApplyOfADirectoryReadsItsManifestsInNameOrder) {
  const fs::path dir = fs::path(::testing::TempDir()) / "kubesim-apply-dir";
  fs::remove_all(dir);
  fs::create_directories(dir / "app" / "nested");
  fs::create_directories(dir / "empty");
  const auto write = [](const fs::path& p, const std::string& text) {
    std::ofstream(p, std::ios::binary) << text;
  };
  const std::string web = kWeb.substr(0, kWeb.find("---"));
  write(dir / "app" / "20-svc.yml", kWeb.substr(kWeb.find("---") + 4));
  write(dir / "app" / "10-web.yaml", web);
  write(dir / "app" / "README.md", "not a manifest");
  write(dir / "app" / "nested" / "x.yaml", "kind: Broken\n");
  write(dir / "s.yaml", kHead + R"(  images:
    nginx:1.25: {pull: 1s}
  timeline:
  - {at: 0s, kubectl: apply -f app}
  - {at: 30s, kubectl: delete -f app/}
)");
  const auto r = LoadScenarioFile((dir / "s.yaml").string());
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const auto& objects = r.scenario->timeline[0].objects;
  ASSERT_EQ(objects.size(), 2u);
  EXPECT_TRUE(std::holds_alternative<k8s::Deployment>(objects[0]));  // 10-web.yaml first
  EXPECT_TRUE(std::holds_alternative<k8s::Service>(objects[1]));
  EXPECT_EQ(r.scenario->timeline[1].deleted.size(), 2u);
  write(dir / "s.yaml", kHead + "  timeline:\n  - {at: 0s, kubectl: apply -f empty}\n");
  const auto e = LoadScenarioFile((dir / "s.yaml").string());
  EXPECT_NE(AllDiagnostics(e).find("recognized file extensions are [.json .yaml .yml]"),
            std::string::npos)
      << AllDiagnostics(e);
  fs::remove_all(dir);
}

TEST(Load, WarnsOnceForEachKindItDoesNotSimulate) {
  const auto r = Load(kHead + "---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n---\n"
                              "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: p}\n");
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  ASSERT_EQ(r.diagnostics.size(), 2u);
  EXPECT_EQ(r.diagnostics[0].ToString(),
            "dir/s.yaml:12:1: warning: kind ConfigMap (v1) is not simulated by kubesim; ignored");
}

// An Argo Rollout is read and checked as the Argo Rollouts controller checks
// it (k8s/validation_test.cc has its rules), then left out of the run with a
// warning that says so. A pause's duration reads as RolloutPause's
// DurationSeconds: 90, "90" and "1m30s" are 90 s; "-1m" is -60 s, and
// "soon" (no duration) -1, which validation rejects.
// A Rollout with its own template is simulated (docs/progressive-delivery.md),
// with a warning for what the simulation does not honour, dynamicStableScale
// included.
// Flagger's metrics (docs/flagger.md): a request-duration without bounds,
// a metric that is neither builtin nor templated (Flagger fails it), and a
// query (not simulated: it passes) each load with a warning naming it.
TEST(Load, FlaggerMetricsThatAreNotSimulatedAsWrittenAreNamed) {
  const auto r = Load(kHead + R"y(---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: web}
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  service: {port: 80}
  analysis:
    interval: 10s
    threshold: 2
    maxWeight: 50
    stepWeight: 10
    metrics:
    - {name: request-duration, interval: 1m}
    - {name: my-metric, interval: 1m}
    - {name: q, query: "sum(x)", interval: 1m}
)y");
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  const std::string d = AllDiagnostics(r);
  for (const char* want :
       {"dir/s.yaml:34:7: warning: Canary \"web\": spec.analysis.metrics[0]: request-duration has "
        "neither thresholdRange nor threshold: Flagger fails it whenever the p99 is above 0 ms",
        "dir/s.yaml:35:7: warning: Canary \"web\": spec.analysis.metrics[1]: metric \"my-metric\" "
        "is neither builtin (request-success-rate, request-duration) nor has a templateRef or "
        "query: Flagger fails it at every check",
        "dir/s.yaml:36:7: warning: Canary \"web\": spec.analysis.metrics[2]: metric \"q\" (a "
        "MetricTemplate or query) is not simulated"}) {
    EXPECT_NE(d.find(want), std::string::npos) << want << "\n" << d;
  }
}

// An object of a simulated kind that is left out of the run with a warning
// (a Rollout whose workloadRef names a ReplicaSet, a Canary of a
// StatefulSet, applied at 0 s or by a step, in the step's namespace) is
// not "not found" for a later step that names it: the error points at the
// warning, and the run does not start. Deleting one succeeds (the run never
// had it); applying one over an object the run has is an error.
TEST(Load, AStepOnAnObjectLeftOutOfTheRunPointsAtItsWarning) {
  const std::string objects = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  workloadRef: {apiVersion: apps/v1, kind: ReplicaSet, name: web-rs}
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
)";
  const std::string canary = R"(apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: db}
spec:
  targetRef: {apiVersion: apps/v1, kind: StatefulSet, name: db}
  service: {port: 80}
  analysis: {interval: 10s, threshold: 2, maxWeight: 50, stepWeight: 10}
)";
  const auto r = Load(kHead + R"(  timeline:
  - {at: 5s, kubectl: kubectl apply -f canary.yaml -n shop}
  - {at: 10s, kubectl: kubectl argo rollouts promote web}
  - {at: 20s, kubectl: kubectl wait canary/db -n shop --for=condition=promoted --timeout=60s}
  - {at: 30s, kubectl: kubectl wait canary/db --for=condition=promoted --timeout=60s}
---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
)" + objects,
                      {{"dir/canary.yaml", canary}});
  EXPECT_FALSE(r.ok());
  const std::string d = AllDiagnostics(r);
  for (const char* want :
       {"dir/s.yaml:13:54: error: rollout \"web\" is left out of the run (see the warning at "
        "dir/s.yaml:21:1): kubesim cannot run this step on it",
        "error: canary \"db\" in namespace \"shop\" is left out of the run (see the warning at "
        "dir/canary.yaml:1:1): kubesim cannot run this step on it",
        // Not in the default namespace: not found there.
        "error: canary \"db\" not found at 30s"}) {
    EXPECT_NE(d.find(want), std::string::npos) << want << "\n" << d;
  }
  {
    // Deleting a left-out object changes nothing in the run and succeeds;
    // after it the Rollout is not found (found by review: still "left
    // out").
    const auto r2 = Load(kHead + R"(  timeline:
  - {at: 10s, kubectl: kubectl delete rollout web}
  - {at: 20s, kubectl: kubectl argo rollouts promote web}
---
)" + objects);
    EXPECT_NE(AllDiagnostics(r2).find("dir/s.yaml:13:54: error: rollout \"web\" not found at 20s"),
              std::string::npos)
        << AllDiagnostics(r2);
    EXPECT_EQ(AllDiagnostics(r2).find("left out of the run (see"), std::string::npos)
        << AllDiagnostics(r2);
  }
  // The same Rollout with a template of its own: simulated.
  const std::string simulated = R"(apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
  strategy:
    canary:
      steps: [{setWeight: 20}, {pause: {}}]
)";
  {
    // A Rollout the run has, applied again in a left-out form: it can
    // neither go on as it was nor run as applied (found by review: the old
    // one ran on, and later steps changed it).
    const auto r3 = Load(kHead + R"(  timeline:
  - {at: 10s, kubectl: kubectl apply -f ro-rs.yaml}
---
)" + simulated,
                         {{"dir/ro-rs.yaml", objects}});
    EXPECT_FALSE(r3.ok());
    EXPECT_NE(AllDiagnostics(r3).find(
                  "dir/s.yaml:12:41: error: this step changes rollout \"web\" into a form "
                  "kubesim leaves out of the run (see the warning at dir/ro-rs.yaml:1:1), while "
                  "the run has it: kubesim cannot run this step"),
              std::string::npos)
        << AllDiagnostics(r3);
  }
  {
    // The same by a JSON patch: the error at the step, whose warning it is.
    const auto r4 = Load(kHead + R"y(  timeline:
  - {at: 10s, kubectl: "kubectl patch rollout web --type json -p '[{\"op\":\"remove\",\"path\":\"/spec/template\"},{\"op\":\"add\",\"path\":\"/spec/workloadRef\",\"value\":{\"apiVersion\":\"apps/v1\",\"kind\":\"ReplicaSet\",\"name\":\"web-rs\"}}]'"}
---
)y" + simulated);
    EXPECT_FALSE(r4.ok());
    EXPECT_NE(AllDiagnostics(r4).find("dir/s.yaml:12:24: error: this step changes rollout \"web\" "
                                      "into a form kubesim leaves out of the run (see the warning "
                                      "at dir/s.yaml:12:24)"),
              std::string::npos)
        << AllDiagnostics(r4);
  }
  {
    // In a List: the item left out, by its own position; the Deployment
    // beside it is applied (found by review: "not found").
    std::string items = "  - " + objects;
    for (size_t at = items.find('\n'); at + 1 < items.size(); at = items.find('\n', at + 1)) {
      items.insert(at + 1, "    ");
    }
    const auto r5 =
        Load(kHead + R"(  timeline:
  - {at: 10s, kubectl: kubectl apply -f list.yaml}
  - {at: 20s, kubectl: kubectl argo rollouts promote web}
  - {at: 30s, kubectl: kubectl scale deployment/api --replicas=2}
)",
             {{"dir/list.yaml",
               "apiVersion: v1\nkind: List\nitems:\n"
               "  - {apiVersion: apps/v1, kind: Deployment, metadata: {name: api}, "
               "spec: {selector: {matchLabels: {app: api}}, template: {metadata: "
               "{labels: {app: api}}, spec: {containers: [{name: a, image: a:1}]}}}}\n" +
                   items}});
    EXPECT_FALSE(r5.ok());
    const std::string d5 = AllDiagnostics(r5);
    EXPECT_NE(d5.find("dir/s.yaml:13:54: error: rollout \"web\" is left out of the run (see the "
                      "warning at dir/list.yaml:5:5)"),
              std::string::npos)
        << d5;
    EXPECT_EQ(d5.find("deployment \"api\""), std::string::npos) << d5;
  }
}

// workloadRef (docs/progressive-delivery.md, "A template from a
// Deployment"): a Deployment is simulated, with a warning when no object of
// the scenario creates it (InvalidSpec for good); a ReplicaSet or
// PodTemplate is left out; `argo rollouts set image` follows the reference
// and so does `undo` (undoWorkloadRef: the
// Rollout's previous revision, or --to-revision's, written back into the
// Deployment's template); a Rollout may not
// take the name of the Deployment it references.
TEST(Load, ARolloutsWorkloadRefIsADeploymentsTemplate) {
  const auto rollout = [](const std::string& name, const std::string& kind) {
    return "apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: " + name +
           "}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app: web}}\n"
           "  workloadRef: {apiVersion: apps/v1, kind: " +
           kind + ", name: web, scaleDown: onsuccess}\n  strategy:\n    canary:\n"
                  "      steps: [{setWeight: 50}]\n";
  };
  const std::string deployment = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
)";
  {
    const auto r = Load(kHead + "---\n" + rollout("web-rollout", "Deployment"));
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    EXPECT_NE(AllDiagnostics(r).find(
                  "dir/s.yaml:18:62: warning: Rollout \"web-rollout\" takes its template from "
                  "Deployment \"web\" (workloadRef), and no object of the scenario creates it"),
              std::string::npos)
        << AllDiagnostics(r);
    EXPECT_EQ(r.scenario->objects.size(), 1u);
  }
  {
    // An apiVersion the API server does not serve.
    std::string old_api = rollout("web-rollout", "Deployment");
    old_api.replace(old_api.find("apps/v1"), 7, "apps/v1beta2");
    const auto r = Load(kHead + "---\n" + deployment + "---\n" + old_api);
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    EXPECT_NE(AllDiagnostics(r).find("Rollout \"web-rollout\"'s workloadRef names apiVersion "
                                     "\"apps/v1beta2\", which the API server does not serve"),
              std::string::npos)
        << AllDiagnostics(r);
  }
  {
    const auto r = Load(kHead + "---\n" + rollout("web-rollout", "ReplicaSet"));
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    EXPECT_NE(AllDiagnostics(r).find("kubesim does not simulate a workloadRef to a ReplicaSet or "
                                     "PodTemplate yet: the Rollout is left out of the run"),
              std::string::npos)
        << AllDiagnostics(r);
    EXPECT_TRUE(r.scenario->objects.empty());
  }
  {
    const std::string text = kHead + R"(  timeline:
  - {at: 10s, kubectl: argo rollouts set image web-rollout web=nginx:1.26}
  - {at: 20s, kubectl: argo rollouts undo web-rollout}
---
)" + deployment + "---\n" + rollout("web-rollout", "Deployment");
    const auto r = Load(text);
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    EXPECT_EQ(AllDiagnostics(r).find("no object of the scenario creates it"), std::string::npos);
    EXPECT_EQ(AllDiagnostics(r).find("undo"), std::string::npos) << AllDiagnostics(r);
    // set image changed the Deployment's template; undo put back the
    // Rollout's revision 1 (nginx:1.25) into it.
    ASSERT_EQ(r.scenario->timeline.size(), 2u);
    const auto image = [&](size_t step) {
      for (const auto& o : r.scenario->timeline[step].objects) {
        if (const auto* d = std::get_if<k8s::Deployment>(&o)) {
          return d->spec.template_.spec.containers[0].image;
        }
      }
      return std::string("(no Deployment)");
    };
    EXPECT_EQ(image(0), "nginx:1.26");
    EXPECT_EQ(image(1), "nginx:1.25");
  }
  {
    // A template of the Rollout's own beside the workloadRef (allowed
    // empty, or without labels) is replaced by the Deployment's before any
    // ReplicaSet (templateref.go): no revision of it, even as pause and
    // promote rewrite the Rollout (found by review: undo wrote `{}` into
    // the Deployment).
    std::string with_template = rollout("web-rollout", "Deployment");
    with_template.replace(with_template.find("  strategy:"), 0, "  template: {}\n");
    const auto r = Load(kHead + R"(  timeline:
  - {at: 10s, kubectl: argo rollouts set image web-rollout web=nginx:1.26}
  - {at: 20s, kubectl: argo rollouts pause web-rollout}
  - {at: 30s, kubectl: argo rollouts promote web-rollout}
  - {at: 40s, kubectl: argo rollouts undo web-rollout}
---
)" + deployment + "---\n" +
                        with_template);
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    ASSERT_EQ(r.scenario->timeline.size(), 4u);
    bool restored = false;
    for (const auto& o : r.scenario->timeline[3].objects) {
      if (const auto* d = std::get_if<k8s::Deployment>(&o)) {
        restored = d->spec.template_.spec.containers[0].image == "nginx:1.25";
      }
    }
    EXPECT_TRUE(restored) << AllDiagnostics(r);
  }
  {
    // The Rollout's revisions start when it first names the Deployment:
    // nginx:1.24, the Deployment's revision 1 before the Rollout is
    // applied, is none of its own (it has only nginx:1.25, its revision 1).
    std::string early = deployment;
    early.replace(early.find("nginx:1.25"), 10, "nginx:1.24");
    const auto r = Load(kHead + R"(  timeline:
  - {at: 10s, kubectl: apply -f deployment.yaml}
  - {at: 20s, kubectl: apply -f rollout.yaml}
  - {at: 30s, kubectl: argo rollouts undo web-rollout --to-revision=2}
  - {at: 40s, kubectl: argo rollouts undo web-rollout}
---
)" + early,
                        {{"dir/rollout.yaml", rollout("web-rollout", "Deployment")},
                         {"dir/deployment.yaml", deployment}});
    EXPECT_FALSE(r.ok());
    EXPECT_NE(AllDiagnostics(r).find("unable to find specified revision 2 in history of "
                                     "rollout \"web-rollout\""),
              std::string::npos)
        << AllDiagnostics(r);
    EXPECT_NE(AllDiagnostics(r).find("no rollout history found for rollout \"web-rollout\": "
                                     "nothing to undo at 40s"),
              std::string::npos)
        << AllDiagnostics(r);
  }
  {
    const auto r = Load(kHead + "---\n" + deployment + "---\n" + rollout("web", "Deployment"));
    EXPECT_FALSE(r.ok());
    EXPECT_NE(AllDiagnostics(r).find("a Deployment and a Rollout may not share the name \"web\" "
                                     "in kubesim: their metrics are both reported by name under "
                                     "`deployments` (a Rollout's workloadRef works the same "
                                     "with another name: rename the Rollout)"),
              std::string::npos)
        << AllDiagnostics(r);
  }
}

TEST(Load, ReadsAnArgoRolloutAndWarnsWhenItsStrategyIsNotSimulatedYet) {
  const auto rollout = [](const std::string& duration) {
    return kHead + R"(---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  replicas: 4
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
  strategy:
    canary:
      steps:
      - setWeight: 25
      - pause: {duration: )" +
           duration + R"(}
      - setWeight: 50
      - pause: {}
)";
  };
  for (const std::string ok : {"90", "\"90\"", "1m30s"}) {
    const auto r = Load(rollout(ok));
    ASSERT_TRUE(r.ok()) << ok << ": " << AllDiagnostics(r);
    ASSERT_EQ(r.scenario->objects.size(), 1u) << AllDiagnostics(r);
    EXPECT_TRUE(std::holds_alternative<k8s::Rollout>(r.scenario->objects[0]));
  }
  {
    // With dynamicStableScale, a routed canary is simulated: no warning.
    std::string routed = rollout("10");
    routed.replace(routed.find("    canary:\n"), 12,
                   "    canary:\n      canaryService: web-canary\n      stableService: web\n"
                   "      dynamicStableScale: true\n"
                   "      trafficRouting: {nginx: {stableIngress: web}}\n");
    const auto r = Load(routed);
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    EXPECT_EQ(AllDiagnostics(r).find("does not simulate"), std::string::npos) << AllDiagnostics(r);
    ASSERT_EQ(r.scenario->objects.size(), 1u);
    EXPECT_TRUE(std::get<k8s::Rollout>(r.scenario->objects[0]).spec.canary->dynamic_stable_scale);
  }
  {
    const auto r = Load(kHead + R"(---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
  strategy:
    blueGreen:
      activeService: web
      prePromotionAnalysis: {templates: [{templateName: smoke}]}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)");
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    ASSERT_EQ(r.scenario->objects.size(), 2u);
    EXPECT_TRUE(std::holds_alternative<k8s::Rollout>(r.scenario->objects[0]));
    // A template that nothing creates is named: the Rollout would never
    // progress (InvalidSpec).
    EXPECT_NE(
        AllDiagnostics(r).find(
            "dir/s.yaml:24:29: warning: Rollout \"web\" names AnalysisTemplate \"smoke\" in "
            "its blueGreen.prePromotionAnalysis, and no object of the scenario creates it: "
            "the controller marks the Rollout InvalidSpec (Degraded) and it never progresses"),
        std::string::npos)
        << AllDiagnostics(r);
  }
  // RolloutPause.DurationSeconds, case by case: ParseInt(s, 10, 32), then
  // time.ParseDuration truncated to seconds. "010" is 10 (decimal, not
  // YAML's octal: it is a string); "1ns" is 0 s, valid; hex, underscores, a
  // bare fraction, an int32 overflow without a unit, and an int64
  // nanosecond overflow are not durations.
  for (const std::string ok : {"\"010\"", "\"+5\"", "1ns", "1h", "\"0\"", "1.5s", "2h45m0.5s"}) {
    const auto r = Load(rollout(ok));
    EXPECT_TRUE(r.ok()) << ok << ": " << AllDiagnostics(r);
  }
  for (const std::string bad :
       {"\"0x10\"", "\"1_000\"", "\"1.5\"", "\"3000000000\"", "3000000h", "\"-1ns\"x"}) {
    const auto r = Load(rollout(bad));
    EXPECT_FALSE(r.ok()) << bad;
  }
  for (const auto& [bad, value] : {std::pair{"-1m", "-60"}, std::pair{"soon", "-1"}}) {
    const auto r = Load(rollout(bad));
    EXPECT_FALSE(r.ok());
    EXPECT_NE(AllDiagnostics(r).find(
                  fmt::format("dir/s.yaml:26:27: error: Rollout \"web\" is invalid: "
                              "spec.strategy.canary.steps[1].pause.duration: Invalid value: {}: "
                              "Duration needs to be greater than 0",
                              value)),
              std::string::npos)
        << AllDiagnostics(r);
  }
}

// A Rollout's fields as the decoder reads them into the controller's checks
// (validation.go at 9f8d111): each case a spec fragment, and the error it
// gives or none.
TEST(Load, ChecksArgoRolloutsAsTheControllerDoes) {
  const auto rollout = [](const std::string& spec) {
    return kHead +
           "---\napiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: web}\n"
           "spec:\n" +
           spec;
  };
  const std::string tmpl =
      "  selector: {matchLabels: {app: web}}\n"
      "  template:\n    metadata: {labels: {app: web}}\n"
      "    spec: {containers: [{name: web, image: nginx:1.25}]}\n";
  const std::string canary = tmpl + "  strategy:\n    canary:\n";
  struct Case {
    std::string spec;
    std::string error;  // empty: valid
  };
  const std::vector<Case> cases = {
      // setHeaderRoute needs Istio, ALB, Apisix or a plugin, and managedRoutes naming it.
      {canary + "      stableService: s\n      canaryService: c\n"
                "      trafficRouting: {nginx: {stableIngress: web}}\n"
                "      steps: [{setHeaderRoute: {name: h}}]\n",
       "steps[0].setHeaderRoute: Invalid value: {}: SetHeaderRoute requires TrafficRouting"},
      {canary + "      trafficRouting: {istio: {virtualService: {name: v}}}\n"
                "      stableService: s\n      canaryService: c\n"
                "      steps: [{setMirrorRoute: {name: m}}]\n",
       "trafficRouting.managedRoutes: Required value: Rollout has missing field "
       "'spec.strategy.canary.trafficRouting.managedRoutes'"},
      {canary + "      trafficRouting: {istio: {virtualService: {name: v}}, managedRoutes: [{name: "
                "a}]}\n"
                "      stableService: s\n      canaryService: c\n"
                "      steps: [{setMirrorRoute: {name: m}}]\n",
       "steps[0].setMirrorRoute: Invalid value: \"m\": Steps define a route that does not exist"},
      {canary + "      trafficRouting: {istio: {virtualService: {name: v}}, managedRoutes: [{name: "
                "m}]}\n"
                "      stableService: s\n      canaryService: c\n"
                "      steps: [{setMirrorRoute: {name: m}}, {setWeight: 10}]\n",
       ""},
      // An experiment's template weight needs trafficRouting.
      {canary +
           "      steps: [{experiment: {templates: [{name: e, specRef: canary, weight: 5}]}}]\n",
       "steps[0].experiment.templates[0].weight: Invalid value: {}: Experiment template weight "
       "cannot be set unless TrafficRouting is enabled"},
      // plugins: {} names no plugin (Argo: len(Plugins) > 0); a provider
      // must be a mapping.
      {canary + "      trafficRouting: {plugins: {}, maxTrafficWeight: 1000}\n"
                "      steps: [{setWeight: 500}]\n",
       "maxTrafficWeight: Invalid value: 1000: Canary maxTrafficWeight in traffic routing only "
       "supported in Nginx and Plugins"},
      {canary + "      trafficRouting: {istio: 5}\n", "trafficRouting.istio"},
      // maxSurge "25" is Argo's own default form; "0" with 0 is both zero.
      {canary + "      maxSurge: \"25\"\n      maxUnavailable: 0\n", ""},
      {canary + "      maxSurge: \"0\"\n      maxUnavailable: 0\n",
       "MaxSurge and MaxUnavailable both can not be zero"},
      // With workloadRef a template without labels or annotations is allowed
      // (EmptyTemplate); scaleDown is any string.
      {"  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web, scaleDown: OnSuccess}\n"
       "  template: {spec: {containers: [{name: web, image: nginx:1.25}]}}\n"
       "  strategy: {blueGreen: {activeService: a}}\n",
       ""},
      {"  workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}\n"
       "  template: {metadata: {labels: {app: web}}}\n"
       "  strategy: {blueGreen: {activeService: a}}\n",
       "template must be empty for workload reference rollout"},
      // A missing selector matches no template labels either.
      {"  template:\n    metadata: {labels: {app: web}}\n"
       "    spec: {containers: [{name: web, image: nginx:1.25}]}\n"
       "  strategy: {blueGreen: {activeService: a}}\n",
       "spec.template.metadata.labels: Invalid value: map[app:web]: `selector` does not match "
       "template `labels`"},
      // A negative deadline is also not past minReadySeconds (Argo judges both).
      {tmpl + "  progressDeadlineSeconds: -1\n  strategy: {blueGreen: {activeService: a}}\n",
       "spec.progressDeadlineSeconds: Invalid value: -1: must be greater than minReadySeconds"},
      // Both anti-affinities, and the preferred one's weight: two errors.
      {tmpl + "  strategy:\n    blueGreen:\n      activeService: a\n      antiAffinity:\n"
              "        preferredDuringSchedulingIgnoredDuringExecution: {weight: 0}\n"
              "        requiredDuringSchedulingIgnoredDuringExecution: {}\n",
       "AntiAffinity weight must be between 1-100"},
      // startingStep belongs to the canary's background analysis only.
      {canary + "      analysis: {templates: [{templateName: t}], startingStep: 1}\n", ""},
      {canary + "      steps: [{analysis: {templates: [{templateName: t}], startingStep: 1}}]\n",
       "unknown field \"spec.strategy.canary.steps[0].analysis.startingStep\""},
  };
  for (const Case& c : cases) {
    const auto r = Load(rollout(c.spec));
    if (c.error.empty()) {
      EXPECT_TRUE(r.ok()) << c.spec << AllDiagnostics(r);
    } else {
      EXPECT_FALSE(r.ok()) << c.spec;
      EXPECT_NE(AllDiagnostics(r).find(c.error), std::string::npos) << c.spec << AllDiagnostics(r);
    }
  }
}

// docs/scenario-format.md: fields Kubernetes has but the model ignores are accepted silently,
// whatever they hold.
TEST(Load, AcceptsKubernetesFieldsTheModelIgnoresSilently) {
  // sessionAffinity: None and the Cluster traffic policies are what the
  // model does (unhonoured_test.cc: ClientIP and Local are warned about).
  const auto r = Load(kHead + "  images:\n    nginx:1.25: {pull: 1s}\n---\n" + kWeb +
                      "  sessionAffinity: None\n  internalTrafficPolicy: Cluster\n"
                      "status: {loadBalancer: {}, anything: [1]}\n");
  EXPECT_TRUE(r.ok()) << AllDiagnostics(r);
  EXPECT_TRUE(r.diagnostics.empty()) << AllDiagnostics(r);
  const auto v = ValidateText(R"(apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  uid: 0b3c
  resourceVersion: "12"
  managedFields: [{manager: kubectl}]
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, annotations: {a: b}}
    spec:
      serviceAccountName: web
      securityContext: {runAsNonRoot: true, whatever: {x: 1}}
      tolerations: [{key: k, operator: Exists}]
      volumes: [{name: v, emptyDir: {}}]
      containers:
      - name: web
        image: nginx
        env: [{name: A, value: b}]
        volumeMounts: [{name: v, mountPath: /v}]
        ports: [{containerPort: 80, hostIP: 0.0.0.0}]
        resources: {claims: []}
        readinessProbe: {httpGet: {port: 80, httpHeaders: [{name: h, value: v}]}}
status: {replicas: 3, conditions: []}
)",
                              "app.yaml");
  EXPECT_TRUE(v.ok()) << AllDiagnostics(v);
  EXPECT_TRUE(v.diagnostics.empty()) << AllDiagnostics(v);
}

// docs/scenario-format.md 6.6: a field Kubernetes honours and the model does
// not, which would change the result, gets a warning naming it — never
// silence. Tolerations, node affinity, pod (anti-)affinity and spread
// constraints are simulated: no warning, but for a namespaceSelector.
TEST(Load, WarnsAboutEachPodFieldThatWouldChangeTheResultButIsNotSimulated) {
  const auto v = ValidateText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - {weight: 1, podAffinityTerm: {topologyKey: zone, labelSelector: {}}}
          requiredDuringSchedulingIgnoredDuringExecution:
          - {topologyKey: zone, labelSelector: {}, namespaceSelector: {matchLabels: {team: a}}}
      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule}
      - {maxSkew: 1, topologyKey: node, whenUnsatisfiable: ScheduleAnyway}
      tolerations:
      - {key: dedicated, operator: Exists}
      - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
      readinessGates: [{conditionType: example.com/feature-flag}]
      initContainers:
      - {name: proxy-init, image: proxy:1, restartPolicy: Always}
      containers:
      - name: web
        image: web:1
        ports: [{containerPort: 80, hostPort: 8080}]
      - {name: proxy, image: proxy:1}
)",
                              "app.yaml");
  ASSERT_TRUE(v.ok()) << AllDiagnostics(v);
  const std::string all = AllDiagnostics(v);
  for (const std::string expected : {
           "app.yaml:14:71: warning: Deployment \"web\": "
           "spec.template.spec.affinity.podAntiAffinity."
           "requiredDuringSchedulingIgnoredDuringExecution[0].namespaceSelector: namespace labels "
           "are not simulated",
           "app.yaml:21:24: warning: Deployment \"web\": spec.template.spec.readinessGates[0]: no "
           "controller kubesim simulates sets the condition \"example.com/feature-flag\": the pods "
           "never turn Ready",
       }) {
    EXPECT_NE(all.find(expected), std::string::npos) << expected << "\nin\n" << all;
  }
  // A mesh proxy as a regular container: requests do not go through it.
  const auto proxy = ValidateText(R"(apiVersion: v1
kind: Pod
metadata: {name: p}
spec:
  containers:
  - {name: istio-proxy, image: proxy:1}
  - {name: web, image: web:1}
)",
                                  "pod.yaml");
  EXPECT_NE(AllDiagnostics(proxy).find("pod.yaml:6:5: warning: Pod \"p\": spec.containers[0]: "
                                       "istio-proxy is a mesh proxy in a regular container"),
            std::string::npos)
      << AllDiagnostics(proxy);
  // Simulated: tolerations, a second container, a native sidecar.
  for (const char* field : {"tolerations", "spec.containers", "initContainers"}) {
    EXPECT_EQ(all.find(field), std::string::npos) << field << "\n" << all;
  }
  EXPECT_EQ(v.diagnostics.size(), 2u) << all;
  const auto service = ValidateText(R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  publishNotReadyAddresses: true
  ports: [{port: 80}]
)",
                                    "svc.yaml");
  EXPECT_EQ(AllDiagnostics(service), "");  // simulated
}

// kubectl apply validates strictly (--validate=strict, the default since
// Kubernetes 1.25): the API server's strict decoding rejects a field the type
// does not have, so a typo is an error rather than a silently ignored field.
TEST(Load, RejectsFieldsKubernetesDoesNotHaveAsStrictDecodingDoes) {
  const auto v = ValidateText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, label: {a: b}}
spec:
  replica: 3
  selector: {matchLabels: {app: web}}
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailble: 0}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx
        readinessProbe: {httpGet: {port: 80}, periodSecond: 2}
        fancyNewField: 1
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetport: 8080}]
)",
                              "app.yaml");
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(AllDiagnostics(v),
            "app.yaml:3:23: error: Deployment \"web\": strict decoding error: unknown field "
            "\"metadata.label\"; did you mean \"labels\"?\n"
            "app.yaml:5:3: error: Deployment \"web\": strict decoding error: unknown field "
            "\"spec.replica\"; did you mean \"replicas\"?\n"
            "app.yaml:7:43: error: Deployment \"web\": strict decoding error: unknown field "
            "\"spec.strategy.rollingUpdate.maxUnavailble\"; did you mean \"maxUnavailable\"?\n"
            "app.yaml:14:47: error: Deployment \"web\": strict decoding error: unknown field "
            "\"spec.template.spec.containers[0].readinessProbe.periodSecond\"; did you mean "
            "\"periodSeconds\"?\n"
            "app.yaml:15:9: error: Deployment \"web\": strict decoding error: unknown field "
            "\"spec.template.spec.containers[0].fancyNewField\"\n"
            "app.yaml:22:22: error: Service \"web\": strict decoding error: unknown field "
            "\"spec.ports[0].targetport\"; did you mean \"targetPort\"?\n");
}

TEST(Load, ReportsEveryErrorOfAFileUpToTheCap) {
  std::string text = kHead + "  expect:\n";
  for (int i = 0; i < 80; ++i) text += "  - nonsense\n";
  const auto r = Load(text);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.diagnostics.size(), 51u);
  EXPECT_NE(r.diagnostics.back().message.find("too many errors"), std::string::npos);
}

TEST(Load, RefusesAManifestWithoutAScenarioButValidateAcceptsIt) {
  EXPECT_FALSE(Load(kWeb).ok());
  const auto v = ValidateText(kWeb, "app.yaml");
  EXPECT_TRUE(v.ok()) << AllDiagnostics(v);
  EXPECT_EQ(v.objects.size(), 2u);
  EXPECT_EQ(v.scenario, nullptr);
}

TEST(Load, NeverThrowsOnAWholeFileProblem) {
  LoadOptions options;
  const auto r = LoadScenarioFile("/nonexistent/scenario.yaml", options);
  ASSERT_EQ(r.diagnostics.size(), 1u);
  EXPECT_EQ(r.diagnostics[0].ToString(),
            "/nonexistent/scenario.yaml: error: cannot open: No such file or directory");
  EXPECT_NE(LoadScenarioFile(SourceDir().string()).diagnostics[0].message.find("directory"),
            std::string::npos);
}

// Inputs that lean on the limits the loader fuzzer (fuzz/loader_fuzzer.cc)
// exercises: each is refused with one positioned error that says why.
TEST(Load, RefusesHostileInputsWithAPositionedReason) {
  const std::pair<std::string, std::string> cases[] = {
      {"a: &a [*a]", "fuzz.yaml:1:8: error: this alias refers to a node that contains it"},
      {std::string(100000, '['), "fuzz.yaml:1:33: error: the document nests more than 64 levels"},
      {std::string("- ") + std::string(5000, '{'),
       "fuzz.yaml:1:65: error: the document nests more than 64 levels"},
      {"? [a]: b", "fuzz.yaml:1:3: error: a mapping key must be a string, not a list"},
      {"<<: *x", "fuzz.yaml:1:5: error: YAML syntax error: the referenced anchor is not defined"},
      {"a: !!binary ZZZ", "fuzz.yaml:1:1: error: error validating data: apiVersion not set"},
      {"\xef\xbb\xbf" "a: 1", "fuzz.yaml:1:1: error: error validating data: apiVersion not set"},
      {"---\n---\n...\n", "fuzz.yaml:1:1: error: the file is empty"},
  };
  for (const auto& [text, expected] : cases) {
    const auto r = ValidateText(text, "fuzz.yaml");
    EXPECT_FALSE(r.ok()) << text.substr(0, 20);
    ASSERT_FALSE(r.diagnostics.empty()) << text.substr(0, 20);
    EXPECT_EQ(r.diagnostics[0].ToString().rfind(expected, 0), 0u)
        << text.substr(0, 20) << " gave " << r.diagnostics[0].ToString();
  }
}

// ---- The corpus ------------------------------------------------------------------

struct BrokenFile {
  fs::path path;
  std::string expect;  // "LINE:COL: error: SUBSTRING"
};

std::vector<BrokenFile> Corpus() {
  std::vector<BrokenFile> out;
  for (const auto& e : fs::directory_iterator(SourceDir() / "tests/data/invalid")) {
    if (e.path().extension() != ".yaml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::string first;
    std::getline(in, first);
    std::string expect;
    if (first.starts_with("# expect: ")) {
      expect = first.substr(10);
    } else {
      std::ifstream side(e.path().string() + ".expect");
      std::getline(side, expect);
    }
    out.push_back({e.path(), expect});
  }
  std::sort(out.begin(), out.end(), [](auto& a, auto& b) { return a.path < b.path; });
  return out;
}

// True if a diagnostic at FILE:LINE:COL is an error containing the message.
bool Reports(const std::string& printed, const std::string& file, const std::string& expect) {
  const size_t cut = expect.find(": error: ");
  const std::string where = file + ":" + expect.substr(0, cut) + ": error: ";
  const std::string message = expect.substr(cut + 9);
  std::istringstream lines(printed);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with(where) && line.find(message) != std::string::npos) return true;
  }
  return false;
}

TEST(BrokenFiles, AreAtLeastFortyWithOneExpectationEach) {
  const auto corpus = Corpus();
  EXPECT_GE(corpus.size(), 40u);
  for (const auto& b : corpus) {
    EXPECT_NE(b.expect.find(": error: "), std::string::npos) << b.path;
  }
}

TEST(BrokenFiles, EachIsRejectedWithItsPositionedMessage) {
  for (const auto& b : Corpus()) {
    const auto r = ValidateFile(b.path.string());
    EXPECT_FALSE(r.ok()) << b.path;
    EXPECT_TRUE(Reports(AllDiagnostics(r), b.path.string(), b.expect))
        << b.path << "\nwant: " << b.expect << "\ngot:\n" << AllDiagnostics(r);
  }
}

TEST(ScenarioFiles, EveryFileUnderScenariosValidates) {
  int n = 0;
  for (const auto& e : fs::recursive_directory_iterator(SourceDir() / "scenarios")) {
    if (e.path().extension() != ".yaml") continue;
    ++n;
    const auto r = ValidateFile(e.path().string());
    EXPECT_TRUE(r.ok()) << e.path() << "\n" << AllDiagnostics(r);
  }
  EXPECT_GE(n, 3);
}

TEST(ScenarioFiles, TheSeedScenariosReplayTheArticle) {
  const auto seed = SourceDir() / "scenarios/seed";
  // The article's exact patch: at 60 s in blue-green-fixed-time.yaml, and
  // chained after `rollout status` in the scripted blue-green.yaml.
  for (const char* file : {"blue-green-fixed-time.yaml", "blue-green.yaml"}) {
    const auto bg = LoadScenarioFile((seed / file).string());
    ASSERT_TRUE(bg.ok()) << AllDiagnostics(bg);
    const auto patch = std::find_if(bg.scenario->timeline.begin(), bg.scenario->timeline.end(),
                                    [](const Step& s) { return s.text.starts_with("kubectl patch"); });
    ASSERT_NE(patch, bg.scenario->timeline.end()) << file;
    EXPECT_EQ(patch->text,
              R"(kubectl patch service echo-version -p '{"spec":{"selector":{"color":"green"}}}')");
    EXPECT_EQ(std::get<k8s::Service>(patch->objects.at(0)).spec.selector.at("color"), "green");
    EXPECT_EQ(patch->chained, std::string_view(file) == "blue-green.yaml") << file;
  }
  const auto ru = LoadScenarioFile((seed / "rolling-update.yaml").string());
  ASSERT_TRUE(ru.ok()) << AllDiagnostics(ru);
  EXPECT_EQ(std::get<k8s::Deployment>(ru.scenario->timeline.back().objects.at(0))
                .spec.template_.spec.containers[0].image,
            "gihyodocker/echo-version:0.2.0");
  const auto rc = LoadScenarioFile((seed / "recreate.yaml").string());
  ASSERT_TRUE(rc.ok()) << AllDiagnostics(rc);
  EXPECT_EQ(std::get<k8s::Deployment>(rc.scenario->timeline[0].objects.at(0)).spec.strategy.type,
            k8s::DeploymentStrategy::Type::kRecreate);
}

}  // namespace
}  // namespace kubesim::scenario

namespace kubesim::scenario {
namespace {

// Inputs the loader fuzzer (fuzz/loader_fuzzer.cc) found: each must load
// quickly into errors. yaml-cpp-loops-on-unterminated-flow-mapping.yaml made
// yaml-cpp 0.7 emit endless null events (timeout under ASan; now a syntax
// error bounded by the input size). The subdirectories hold the other
// fuzzers' findings (tests/cluster/fuzz_regressions_test.cc).
TEST(FuzzRegressions, EachFindingLoadsQuicklyIntoAnError) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(SourceDir() / "tests/data/fuzz-regressions")) {
    if (!e.is_regular_file()) continue;
    ++n;
    const auto start = std::chrono::steady_clock::now();
    const auto r = ValidateFile(e.path().string());
    const auto took = std::chrono::steady_clock::now() - start;
    EXPECT_FALSE(r.ok()) << e.path();
    EXPECT_LT(took, std::chrono::seconds(2)) << e.path();
    EXPECT_EQ(AllDiagnostics(r).find("alias bomb"), std::string::npos) << AllDiagnostics(r);
  }
  EXPECT_GE(n, 1);
}

}  // namespace
}  // namespace kubesim::scenario

namespace kubesim::scenario {
namespace {

// An AnalysisTemplate as Argo's analysis controller checks each run
// (utils/analysis/factory.go ValidateMetrics), a condition as expr parses
// it, and spec.analysis: each error at its place.
TEST(Load, AnalysisTemplatesAndSpecAnalysisAreCheckedWhereTheyAreWritten) {
  const auto with = [](const std::string& analysis, const std::string& metrics) {
    return kHead + analysis + R"(---
apiVersion: argoproj.io/v1alpha1
kind: AnalysisTemplate
metadata: {name: t}
spec:
  metrics:
)" + metrics;
  };
  const std::string ok_metric = R"(  - name: rate
    interval: 10s
    count: 3
    successCondition: result[0] >= 0.95
    provider: {prometheus: {query: "x"}}
)";
  {
    const auto r = Load(with("  analysis:\n    rate: {measure: successRate}\n", ok_metric));
    ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
    ASSERT_EQ(r.scenario->objects.size(), 1u);
    const auto& t = std::get<k8s::AnalysisTemplate>(r.scenario->objects[0]);
    ASSERT_EQ(t.metrics.size(), 1u);
    EXPECT_EQ(t.metrics[0].interval_us, 10'000'000);
    EXPECT_EQ(t.metrics[0].count, 3);
    EXPECT_EQ(t.metrics[0].provider, "prometheus");
    ASSERT_EQ(r.scenario->analysis.size(), 1u);
    EXPECT_EQ(r.scenario->analysis_window, SimDuration::Seconds(10));  // the interval
  }
  const std::vector<std::pair<std::string, std::string>> bad = {
      {with("", R"(  - name: rate
    successCondition: result[0] >= ]
    provider: {prometheus: {query: "x"}}
)"),
       // (At the "]" itself: the scalar's column 14.)
       "dir/s.yaml:18:36: error: AnalysisTemplate \"t\": spec.metrics[0].successCondition: "
       "unexpected \"]\" at column 14"},
      {with("", R"(  - name: rate
    count: 3
    provider: {prometheus: {query: "x"}}
)"),
       "spec.metrics[0]: interval must be specified when count > 1"},
      {with("", R"(  - name: rate
    interval: 0s
    provider: {job: {}}
)"),
       "spec.metrics[0].interval: must be greater than 0"},
      {with("", R"(  - name: rate
    count: 1
    failureLimit: 2
    interval: 1m
    provider: {prometheus: {}}
)"),
       "count (1) must be >= failureLimit + consecutiveSuccessLimit (2 + 0) if both >= 0"},
      {with("", R"(  - name: rate
    provider: {prometheus: {}, web: {}}
)"),
       "spec.metrics[0].provider: multiple providers specified"},
      {with("", ok_metric + "  - name: rate\n    provider: {job: {}}\n"),
       "spec.metrics[1].name: duplicate name 'rate'"},
      {with("  analysis:\n    rate: {measure: p99}\n", ok_metric),
       "spec.analysis[\"rate\"].measure: unknown measure \"p99\""},
      {with("  analysis:\n    rate: {measure: successRate, value: 1}\n", ok_metric),
       "give exactly one of measure and value"},
      {with("  analysis:\n    other: {value: 1}\n", ok_metric),
       "spec.analysis.other: no AnalysisTemplate of the scenario has this metric"},
      {with("  images:\n    web:2: {errorRate: 150%}\n", ok_metric),
       "errorRate: expected a share from 0 to 1 or a percentage from 0% to 100%"},
  };
  for (const auto& [text, message] : bad) {
    const auto r = Load(text);
    EXPECT_FALSE(r.ok()) << message;
    EXPECT_NE(AllDiagnostics(r).find(message), std::string::npos) << AllDiagnostics(r);
  }
  // A metric spec.analysis does not map is named, and passes.
  const auto r = Load(with("", ok_metric));
  ASSERT_TRUE(r.ok()) << AllDiagnostics(r);
  EXPECT_NE(AllDiagnostics(r).find("warning: AnalysisTemplate \"t\": metric \"rate\" queries "
                                   "prometheus, which kubesim does not: each measurement is "
                                   "Successful"),
            std::string::npos)
      << AllDiagnostics(r);
}

}  // namespace
}  // namespace kubesim::scenario
