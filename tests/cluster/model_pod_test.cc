// End-to-end scenarios with hand-derived expected results, as in
// model_rollout_test.cc. This file: pods as real apps ship them — several
// containers, native sidecars, pod-level resources, digests, the labels
// every kubelet puts on its node (docs/scenario-format.md, PodSpec).
#include <set>

#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

constexpr const char* kOneNode = R"(  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "2", memory: 8Gi, pods: 110}}]
)";

TEST(Model, DigestPinnedImagesTakeTheirTagAsTheirVersion) {
  // ingress-nginx pins `controller:vX@sha256:...`. The version is the tag
  // before the digest, so the two sides of the rollout are told apart:
  // requests before 30 s are answered by v1.15.1, after the switch by
  // v1.15.2 (a digest-blind reading made both "latest").
  const std::string old_image =
      "registry.k8s.io/ingress-nginx/controller:v1.15.1@sha256:"
      "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  const std::string new_image =
      "registry.k8s.io/ingress-nginx/controller:v1.15.2@sha256:"
      "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210";
  const Outcome r = Simulate(Scenario(std::string("  until: 60s\n") + kOneNode +
                                          "  traffic: [{name: c, service: web, every: 1s}]\n"
                                          "  timeline:\n  - at: 30s\n    kubectl: set image "
                                          "deployment/web web=" +
                                          new_image + "\n",
                                      WebWithSpec(1, "      containers:\n      - name: web\n"
                                                     "        image: " +
                                                         old_image + "\n")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& by_version = Svc(r, "web").requests.by_version;
  EXPECT_GT(by_version.count("v1.15.1"), 0u) << r.json;
  EXPECT_GT(by_version.count("v1.15.2"), 0u) << r.json;
  EXPECT_EQ(by_version.count("latest"), 0u) << r.json;
}

// Istio's injector lists istio-proxy first and names the app with
// kubectl.kubernetes.io/default-container. The app's profile (start 5 s,
// a readiness probe every second) decides when the pod is Ready, and its
// tag the version: Ready at 5 s, answered by version 1. Reading the first
// container instead gives the proxy's 0 s start and version 1.20.
TEST(Model, TheDefaultContainerAnnotationNamesTheAppContainer) {
  const std::string containers = R"(      containers:
      - name: istio-proxy
        image: proxy:1.20
      - name: app
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
)";
  const Outcome r =
      Simulate(Scenario(std::string("  until: 20s\n") + kOneNode +
                            "  images:\n    web:1: {start: 5s}\n    proxy:1.20: {}\n"
                            "  traffic: [{name: c, service: web, every: 1s}]\n",
                        WebWithSpec(1, containers, "{kubectl.kubernetes.io/default-container: app}")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/web-", "Ready")) << r.log;
  EXPECT_FALSE(r.Logged("0.000", "pod/web-", "Ready")) << r.log;
  const auto& by_version = Svc(r, "web").requests.by_version;
  EXPECT_GT(by_version.count("1"), 0u) << r.json;
  EXPECT_EQ(by_version.count("1.20"), 0u) << r.json;
}

// Every kubelet labels its Node kubernetes.io/hostname, kubernetes.io/os
// and kubernetes.io/arch (initialNode, pkg/kubelet/kubelet_node_status.go):
// ingress-nginx's and kube-prometheus' `nodeSelector: {kubernetes.io/os:
// linux}` schedules, and a hostname selector pins every pod to one node.
TEST(Model, NodesCarryTheLabelsEveryKubeletSets) {
  const Outcome r = Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
)",
                                      WebWithSpec(3, R"(      nodeSelector:
        kubernetes.io/os: linux
        kubernetes.io/arch: amd64
        kubernetes.io/hostname: node-1
      containers:
      - name: web
        image: web:1
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  size_t on_node_1 = 0;
  for (size_t at = 0; (at = r.log.find("scheduled to node/node-1", at)) != std::string::npos; ++at) {
    ++on_node_1;
  }
  EXPECT_EQ(on_node_1, 3u) << r.log;
  EXPECT_EQ(r.log.find("FailedScheduling"), std::string::npos) << r.log;
  EXPECT_EQ(r.report.resources.pending_pod_time, SimDuration::Zero()) << r.json;
}

// The FailedScheduling event names each node's first failing filter, as
// kube-scheduler writes it. Zone a has one 4-CPU node, zone b two; pods of
// 3 CPU select zone a. The first takes node a-0; the second finds 1 CPU free
// there (Insufficient cpu: preemption could help, were there victims) and
// two nodes of the wrong zone (which preemption cannot change).
TEST(Model, FailedSchedulingNamesTheFilterEachNodeFailed) {
  const Outcome r = Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: b}}
)",
                                      WebWithSpec(2, R"(      nodeSelector: {zone: a}
      containers:
      - name: web
        image: web:1
        resources: {requests: {cpu: "3"}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-",
                       "FailedScheduling: 0/3 nodes are available: 1 Insufficient cpu, 2 node(s) "
                       "didn't match Pod's node affinity/selector. preemption: 0/3 nodes are "
                       "available: 1 No preemption victims found for incoming pod, 2 Preemption "
                       "is not helpful for scheduling."))
      << r.log;
}

// A pod is Ready when its containers are and every readiness gate's
// condition is true. No controller kubesim simulates sets one, so a gated
// pod serves (its process runs) but never turns Ready: no endpoints, every
// request fails, and a rollout onto gated pods stalls until its progress
// deadline: 30 s after the 10 s set image, noticed at the controller's
// requeue 1 s later (requeueStuckDeployment): 41 s.
TEST(Model, AReadinessGateNoOneSetsKeepsThePodNotReady) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 60s
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - {at: 10s, kubectl: set image deployment/web web=web:2}
)") + kOneNode,
                                      R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  progressDeadlineSeconds: 30
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      readinessGates: [{conditionType: example.com/registered}]
      containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-", "serving")) << r.log;
  EXPECT_EQ(r.log.find("Ready\n"), std::string::npos) << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_TRUE(d.rollouts[0].deadline_exceeded) << r.json;
  EXPECT_TRUE(r.Logged("41.000", "deployment/web", "ProgressDeadlineExceeded")) << r.log;
}

// A pod with schedulingGates stays Pending, out of the scheduler's queue,
// until an update removes the last gate (SchedulingGated; the API allows
// removing gates, not adding them). Patched at 20 s, it is scheduled then;
// a patch adding a gate at 25 s is refused.
TEST(Model, SchedulingGatesHoldAPodUntilTheyAreRemoved) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  timeline:
  - {at: 20s, kubectl: "patch pod gated -p '{\"spec\":{\"schedulingGates\":null}}'"}
  - {at: 25s, kubectl: "patch pod gated -p '{\"spec\":{\"schedulingGates\":[{\"name\":\"late\"}]}}'"}
)") + kOneNode,
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: gated}
spec:
  schedulingGates: [{name: example.com/quota}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/gated",
                       "SchedulingGated: Scheduling is blocked due to non-empty scheduling gates"))
      << r.log;
  EXPECT_FALSE(r.Logged("0.000", "pod/gated", "scheduled to")) << r.log;
  EXPECT_TRUE(r.Logged("20.000", "pod/gated", "scheduled to node/node-0")) << r.log;
  EXPECT_TRUE(r.Logged("25.000", "pod/gated", "apply refused: scheduling gates may only be removed"))
      << r.log;
}

// Init containers run one after another before the app container, each
// pulled and run to completion (exitAfter). A schema migration that pulls
// for 30 s and runs for 20 s: bound at 0 s, pulled 0-30 s, runs 30-50 s;
// the app's image pulls 50-55 s, it starts at 55 s, serves and is Ready at
// 57 s (its readiness probe every second). The rollout to web:2 at 100 s
// finds the migration image on the node: it runs 100-120 s, web:2 pulls
// 120-125 s and is Ready at 127 s, when the old pod goes: 27 s, not the 7 s
// of the app alone.
TEST(Model, InitContainersRunInOrderBeforeTheAppAndDelayTheRollout) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 3m
  images:
    migrate:1: {pull: 30s, exitAfter: 20s}
    web:1: {pull: 5s, start: 2s}
    web:2: {pull: 5s, start: 2s}
  timeline:
  - {at: 100s, kubectl: set image deployment/web web=web:2}
)") + kOneNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: migrate, image: migrate:1}
      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 8080}, periodSeconds: 1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("30.000", "pod/web-", "init container migrate started")) << r.log;
  EXPECT_TRUE(r.Logged("50.000", "pod/web-", "init container migrate completed")) << r.log;
  EXPECT_TRUE(r.Logged("55.000", "pod/web-", "container started")) << r.log;
  EXPECT_TRUE(r.Logged("57.000", "pod/web-", "Ready")) << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  ASSERT_TRUE(d.rollouts[0].duration().has_value()) << r.json;
  EXPECT_EQ(*d.rollouts[0].duration(), Sec(27)) << r.log;
}

// An init container that fails — its crashAfter (5 s) before its exitAfter
// (10 s) — is restarted with CrashLoopBackOff — at once, then at the pod
// worker's first retry past 10 s (10-15 s later), then past 20 s — and the
// app container never starts: failures at 5, 10 and 20-25 + 5 s are three
// restarts by 30 s, and the pod is never Ready.
TEST(Model, AFailingInitContainerRestartsWithBackOffAndHoldsThePod) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 30s
  images:
    migrate:1: {crashAfter: 5s, exitAfter: 10s}
)") + kOneNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: migrate, image: migrate:1}
      containers:
      - {name: web, image: web:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/web-", "init container migrate failed")) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "CrashLoopBackOff: back-off 10s")) << r.log;
  const std::vector<double> starts = r.Times("pod/web-", "init container migrate started");
  ASSERT_EQ(starts.size(), 3u) << r.log;
  EXPECT_GE(starts[2], 20.0) << r.log;
  EXPECT_LT(starts[2], 25.0) << r.log;
  EXPECT_TRUE(r.Logged(fmt::format("{:.3f}", starts[2] + 5), "pod/web-",
                       "CrashLoopBackOff: back-off 20s"))
      << r.log;
  EXPECT_EQ(r.log.find("container started\n"), std::string::npos) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 3) << r.json;
}

// ActivePodsWithRanks.Less ends with the pods' UIDs, random in Kubernetes:
// two replicas created, bound and Ready in the same instants tie on every
// rank, so which one a scale to 1 deletes is a draw — seeded, so the same
// in every run of a seed. Over seeds 1-8 each of the two goes at least once
// (kubesim broke the tie by creation order: always the first).
TEST(Model, WhichOfTwoEquallyRankedPodsAScaleDownDeletesIsASeededDraw) {
  std::set<bool> first_deleted;
  for (int seed = 1; seed <= 8; ++seed) {
    const std::string yaml = Scenario("  seed: " + std::to_string(seed) + R"(
  until: 40s
  timeline:
  - {at: 30s, kubectl: scale deployment/web --replicas=1}
)" + kOneNode,
                                      WebWithSpec(2, "      containers: [{name: web, image: web:1}]\n"));
    const Outcome r = Simulate(yaml);
    ASSERT_TRUE(r.error.empty()) << r.error;
    const size_t name_at = r.log.find(" pod/web-");  // the first pod's first line: created
    ASSERT_NE(name_at, std::string::npos) << r.log;
    const size_t end = r.log.find(' ', name_at + 1);
    const std::string first = r.log.substr(name_at + 1, end - name_at - 1);
    first_deleted.insert(r.Logged("30.000", first, "deleted"));
    EXPECT_EQ(Simulate(yaml).log, r.log);  // the same seed, the same draw
  }
  EXPECT_EQ(first_deleted, (std::set<bool>{false, true}));
}

// ActivePodsWithRanks.Less rule 4: of two pods tied on phase and
// readiness, the lower controller.kubernetes.io/pod-deletion-cost goes
// first. `kubectl annotate` of one of the two replicas (by the name the run
// gave it) decides which a scale to 1 deletes, in every seed — where the
// seeded draw above deletes each of them in some seed. (kubesim ranked every
// pod at cost 0.)
TEST(Model, PodDeletionCostDecidesWhichPodAScaleDownDeletes) {
  for (int seed = 1; seed <= 8; ++seed) {
    const auto yaml = [&](const std::string& step) {
      return Scenario("  seed: " + std::to_string(seed) + R"(
  until: 40s
  timeline:
)" + step + R"(  - {at: 30s, kubectl: scale deployment/web --replicas=1}
)" + kOneNode,
                      WebWithSpec(2, "      containers: [{name: web, image: web:1}]\n"));
    };
    const Outcome plain = Simulate(yaml(""));
    ASSERT_TRUE(plain.error.empty()) << plain.error;
    const size_t name_at = plain.log.find(" pod/web-");
    ASSERT_NE(name_at, std::string::npos) << plain.log;
    const std::string first =
        plain.log.substr(name_at + 5, plain.log.find(' ', name_at + 1) - name_at - 5);
    for (const char* cost : {"100", "-100"}) {
      const Outcome r =
          Simulate(yaml(fmt::format("  - {{at: 20s, kubectl: annotate pod {} "
                                    "controller.kubernetes.io/pod-deletion-cost={}}}\n",
                                    first, cost)));
      ASSERT_TRUE(r.error.empty()) << r.error;
      EXPECT_TRUE(r.Logged("20.000", "pod/" + first, "annotated")) << r.log;
      // Costing more than the other replica, it stays; costing less, it goes.
      EXPECT_EQ(r.Logged("30.000", "pod/" + first, "deleted"), cost[0] == '-')
          << "seed " << seed << " cost " << cost << "\n"
          << r.log;
    }
  }
}

// The same by selector: every pod of the Deployment annotated with a cost,
// then one of them re-annotated lower with --overwrite, goes first; without
// --overwrite kubectl refuses the change and the draw stands.
TEST(Model, AnnotateBySelectorAndOverwriteAsKubectlDoes) {
  const auto run = [](const std::string& second) {
    return Simulate(Scenario(R"(  until: 40s
  timeline:
  - {at: 10s, kubectl: annotate pods -l app=web controller.kubernetes.io/pod-deletion-cost=5}
  - {at: 20s, kubectl: )" + second +
                                 R"(}
  - {at: 30s, kubectl: scale deployment/web --replicas=2}
)" + kOneNode,
                             WebWithSpec(3, "      containers: [{name: web, image: web:1}]\n")));
  };
  const Outcome plain = run("annotate pods -l app=nobody x=y");
  ASSERT_TRUE(plain.error.empty()) << plain.error;
  EXPECT_EQ(plain.Times("pod/web-", "annotated").size(), 3u) << plain.log;
  EXPECT_TRUE(plain.Logged("20.000", "step/2", "error: no objects passed to annotate"));
  // The pod the draw deletes at cost 5 for all three, and one it keeps.
  std::vector<std::string> kept, deleted;
  for (size_t at = 0; (at = plain.log.find("s pod/web-", at)) != std::string::npos; ++at) {
    const std::string name = plain.log.substr(at + 2, plain.log.find(' ', at + 2) - at - 2);
    if (plain.Logged("30.000", name, "deleted")) {
      if (std::find(deleted.begin(), deleted.end(), name) == deleted.end()) deleted.push_back(name);
    } else if (std::find(kept.begin(), kept.end(), name) == kept.end()) {
      kept.push_back(name);
    }
  }
  ASSERT_EQ(deleted.size(), 1u) << plain.log;
  ASSERT_EQ(kept.size(), 2u) << plain.log;
  const std::string lower = "controller.kubernetes.io/pod-deletion-cost=4";
  const Outcome refused = run("annotate " + kept[0] + " " + lower);
  EXPECT_TRUE(refused.Logged("20.000", kept[0],
                             "annotate refused: --overwrite is false but found the following "
                             "declared annotation(s): 'controller.kubernetes.io/"
                             "pod-deletion-cost' already has a value (5)"))
      << refused.log;
  EXPECT_TRUE(refused.Logged("30.000", deleted[0], "deleted"));
  const Outcome overwritten = run("annotate --overwrite " + kept[0] + " " + lower);
  EXPECT_TRUE(overwritten.Logged("30.000", kept[0], "deleted")) << overwritten.log;
  EXPECT_FALSE(overwritten.Logged("30.000", deleted[0], "deleted"));
}

// NodeResourcesFit scores a node by its pods' non-zero requests
// (NonZeroRequested: 100m / 200Mi for a container that requests nothing),
// so pods without requests spread out: 3 of them on 3 nodes go one to a
// node, whatever the seed. kubesim scored such nodes as empty and drew
// among them, doubling pods up on one node (seed 1 of the Atlas scenario).
TEST(Model, PodsWithoutRequestsSpreadByTheirNonZeroRequests) {
  for (int seed = 1; seed <= 10; ++seed) {
    const Outcome r = Simulate(Scenario("  seed: " + std::to_string(seed) + R"(
  until: 10s
  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "2", memory: 4Gi, pods: 110}}]
)",
                                        WebWithSpec(3, "      containers: [{name: web, image: web:1}]\n")));
    ASSERT_TRUE(r.error.empty()) << r.error;
    for (const char* node : {"node-0", "node-1", "node-2"}) {
      EXPECT_EQ(ScheduledTo(r, node), 1u) << "seed " << seed << "\n" << r.log;
    }
  }
}

constexpr const char* kZones = R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: b}}
)";

// Required node affinity filters (NodeAffinity): zone b only. Preferred
// terms score (weight 2, normalized to 100 for the best): zone a wins over
// the resource scores' pull towards emptier nodes — 4 pods of 1 CPU fill
// zone a's two nodes (each 4 CPU) before any goes to b.
TEST(Model, NodeAffinityRequiredFiltersAndPreferredScores) {
  const Outcome required = Simulate(Scenario(kZones, WebWithSpec(4, R"(      affinity:
        nodeAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
            nodeSelectorTerms:
            - matchExpressions: [{key: zone, operator: In, values: [b]}]
      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "1"}}}
)")));
  ASSERT_TRUE(required.error.empty()) << required.error;
  EXPECT_EQ(ScheduledTo(required, "b-"), 4u) << required.log;

  const Outcome preferred = Simulate(Scenario(kZones, WebWithSpec(4, R"(      affinity:
        nodeAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 50
            preference:
              matchExpressions: [{key: zone, operator: In, values: [a]}]
      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "1"}}}
)")));
  ASSERT_TRUE(preferred.error.empty()) << preferred.error;
  EXPECT_EQ(ScheduledTo(preferred, "a-"), 4u) << preferred.log;
}

// Taints keep pods off a node unless tolerated (TaintToleration): zone a is
// tainted dedicated=gpu:NoSchedule. Untolerating pods all go to zone b; a
// pod too big for b's nodes is told why a's nodes were no use. Tolerating
// pods may use zone a.
TEST(Model, NoScheduleTaintsNeedATolerationAndTheEventNamesTheTaint) {
  const std::string cluster = R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "8", memory: 8Gi, pods: 110}, taints: [{key: dedicated, value: gpu, effect: NoSchedule}]}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}
)";
  const Outcome r = Simulate(Scenario(cluster, WebWithSpec(2, R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "6"}}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, ""), 0u) << r.log;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-",
                       "FailedScheduling: 0/4 nodes are available: 2 Insufficient cpu, 2 node(s) "
                       "had untolerated taint {dedicated: gpu}. preemption: 0/4 nodes are "
                       "available: 4 Preemption is not helpful for scheduling."))
      << r.log;
  const Outcome tolerated = Simulate(Scenario(cluster, WebWithSpec(2, R"(      tolerations: [{key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}]
      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "6"}}}
)")));
  ASSERT_TRUE(tolerated.error.empty()) << tolerated.error;
  EXPECT_EQ(ScheduledTo(tolerated, "a-"), 2u) << tolerated.log;
}

// PreferNoSchedule only scores (TaintToleration, weight 3): two pods of 1
// CPU go to the untainted zone b even though zone a's nodes are emptier
// and bigger.
TEST(Model, PreferNoScheduleTaintsSteerPodsAway) {
  const Outcome r = Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "16", memory: 32Gi, pods: 110}, taints: [{key: spot, value: "true", effect: PreferNoSchedule}]}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}
)",
                                      WebWithSpec(2, R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "1"}}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "b-"), 2u) << r.log;
}

// A failed node is marked NotReady 50 s after its last Lease renewal (fails
// at 10 s, renewed at 0 s, NotReady at 55 s) and tainted
// node.kubernetes.io/unreachable:NoExecute; the taint manager evicts each
// pod when the first of its tolerations that tolerates the taint runs out
// (GetMatchingTolerations): 300 s by default (DefaultTolerationSeconds,
// 355 s), 30 s for a pod that says so (85 s), never for one tolerating it
// without tolerationSeconds — also when a later toleration gives seconds —
// and at once (55 s) for one whose toleration of the key does not tolerate
// the taint (a value the taint does not have), which also keeps the default
// from being added.
TEST(Model, TolerationSecondsDecideWhenAFailedNodesPodsAreEvicted) {
  const std::string pods = R"(apiVersion: v1
kind: Pod
metadata: {name: default-toleration}
spec: {containers: [{name: web, image: web:1}]}
---
apiVersion: v1
kind: Pod
metadata: {name: thirty-seconds}
spec:
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}]
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: for-ever}
spec:
  tolerations:
  - {operator: Exists, effect: NoExecute}
  - {key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 30}
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: wrong-value}
spec:
  tolerations: [{key: node.kubernetes.io/unreachable, operator: Equal, value: x, effect: NoExecute}]
  containers: [{name: web, image: web:1}]
)";
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 7m
  timeline:
  - {at: 10s, fail: node/node-0}
)") + kOneNode,
                                      pods));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("85.000", "pod/thirty-seconds", "deleted")) << r.log;
  EXPECT_TRUE(r.Logged("355.000", "pod/default-toleration", "deleted")) << r.log;
  EXPECT_EQ(r.log.find("pod/for-ever deleted"), std::string::npos) << r.log;
  EXPECT_TRUE(r.Logged("55.000", "pod/wrong-value", "deleted")) << r.log;
}

// Two pods cannot hold one host port on one node (NodePorts). Two replicas
// with hostPort 8080 fill both nodes; the rolling update's surge pod
// (maxSurge 1, maxUnavailable 0) has no node with the port free, so the
// rollout stalls until its progress deadline (60 s after the 30 s set
// image, noticed at 91 s) — it used to "complete" at once.
TEST(Model, HostPortsConflictAndStallASurgingRollout) {
  const Outcome r = Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)",
                                      R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  progressDeadlineSeconds: 60
  strategy: {rollingUpdate: {maxSurge: 1, maxUnavailable: 0}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        ports: [{containerPort: 8080, hostPort: 8080}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("30.000", "pod/web-",
                       "FailedScheduling: 0/2 nodes are available: 2 node(s) didn't have free "
                       "ports for the requested pod ports. preemption: 0/2 nodes are available: 2 "
                       "No preemption victims found for incoming pod."))
      << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_TRUE(r.Logged("91.000", "deployment/web", "ProgressDeadlineExceeded")) << r.log;
}

// The earlier of exitAfter and crashAfter decides, and without exitAfter an
// init container completes at once: an image profiled to crash after 10
// minutes (a leak in the app) still runs its migration step, completing at
// 0 s, and the app starts.
TEST(Model, AnInitContainerWithoutExitAfterCompletesAtOnce) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 10s
  images:
    web:1: {crashAfter: 10m}
)") + kOneNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: migrate, image: web:1, command: [migrate]}
      containers:
      - {name: web, image: web:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-", "init container migrate completed")) << r.log;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-", "Ready")) << r.log;
  EXPECT_EQ(Dep(r, "web").restarts, 0) << r.json;
}

// A node that comes back gives its pods new sandboxes, and a new sandbox
// runs every init container again before the app (computePodActions).
// The migration ran 0-20 s; node-0 fails at 30 s and recovers at 40 s: the
// migration runs again 40-60 s (its image is still on the node), then the
// app starts at 60 s.
TEST(Model, ARecoveredNodeRunsThePodsInitContainersAgain) {
  const Outcome r = Simulate(Scenario(std::string(R"(  until: 70s
  images:
    migrate:1: {exitAfter: 20s}
  timeline:
  - {at: 30s, fail: node/node-0}
  - {at: 40s, recover: node/node-0}
)") + kOneNode,
                                      WebWithSpec(1, R"(      initContainers:
      - {name: migrate, image: migrate:1}
      containers:
      - {name: web, image: web:1}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("20.000", "pod/web-", "init container migrate completed")) << r.log;
  EXPECT_TRUE(r.Logged("40.000", "pod/web-", "init container migrate started")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "init container migrate completed")) << r.log;
  EXPECT_TRUE(r.Logged("60.000", "pod/web-", "container started")) << r.log;
}

// A native sidecar's requests add to the app's (PodRequests): 500m + 100m =
// 600m a pod. A 2-CPU node takes 3 of 4 replicas (1,800m; a fourth would
// need 2,400m) and the fourth stays Pending the whole run. Counting the
// sidecar as a max (500m) fits all four.
TEST(Model, NativeSidecarRequestsAddToThePodsRequest) {
  const Outcome r = Simulate(Scenario(std::string("  until: 10s\n") + kOneNode,
                                      WebWithSpec(4, R"(      initContainers:
      - name: proxy
        image: proxy:1
        restartPolicy: Always
        readinessProbe: {tcpSocket: {port: 15021}}
        resources: {requests: {cpu: 100m}}
      containers:
      - name: web
        image: web:1
        resources: {requests: {cpu: 500m}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.report.resources.peak_cpu_millis, 1800) << r.json;
  EXPECT_EQ(r.report.resources.pending_pod_time, Sec(10)) << r.json;
}

// Pod-level resources (spec.resources) replace the containers' total: 1 CPU
// a pod whatever its containers ask, so a 2-CPU node takes 2 of 3.
TEST(Model, PodLevelRequestsReplaceTheContainersTotal) {
  const Outcome r = Simulate(Scenario(std::string("  until: 10s\n") + kOneNode,
                                      WebWithSpec(3, R"(      resources: {requests: {cpu: "1"}}
      containers:
      - name: web
        image: web:1
        resources: {requests: {cpu: 200m}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(r.report.resources.peak_cpu_millis, 2000) << r.json;
  EXPECT_EQ(r.report.resources.pending_pod_time, Sec(10)) << r.json;  // the third
}

}  // namespace
}  // namespace kubesim::model_test
