// End-to-end scenarios with hand-derived expected results, as in
// model_rollout_test.cc. This file: inter-pod affinity and topology spread
// (kube-scheduler's InterPodAffinity and PodTopologySpread filters;
// docs/scenario-format.md, PodSpec).
#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

// A Deployment `NAME` of `replicas` labelled app=NAME whose pod spec is
// `pod_spec` (indented for `spec:` under `template:`).
std::string Deployment(const std::string& name, int replicas, const std::string& pod_spec,
                       const std::string& strategy = "") {
  return "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: " + name +
         "}\nspec:\n  replicas: " + std::to_string(replicas) + "\n  progressDeadlineSeconds: 60\n" +
         strategy + "  selector: {matchLabels: {app: " + name +
         "}}\n  template:\n    metadata: {labels: {app: " + name + "}}\n    spec:\n" + pod_spec;
}

constexpr const char* kAntiAffinity = R"(      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: web}}
            topologyKey: kubernetes.io/hostname
)";

// Required anti-affinity on the hostname: one replica per node. Of 5
// replicas on 3 nodes, 3 run and 2 stay Pending, each told why by every
// node (its own term; Unschedulable, so DefaultPreemption looks for victims
// and finds none among pods of equal priority). Before, all 5 ran. The
// rolling update's surge pod (maxSurge 1, maxUnavailable 0) has no node
// either: the rollout stalls until its progress deadline (60 s after 30 s,
// noticed at 91 s).
TEST(Model, RequiredPodAntiAffinityLeavesReplicasPendingAndStallsASurge) {
  const Outcome r = Simulate(Scenario(
      R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 30s, kubectl: scale deployment/web --replicas=3}
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)",
      Deployment("web", 5,
                 std::string(kAntiAffinity) + "      containers: [{name: web, image: web:1}]\n",
                 "  strategy: {rollingUpdate: {maxSurge: 1, "
                 "maxUnavailable: 0}}\n")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, ""), 3u) << r.log;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-",
                       "FailedScheduling: 0/3 nodes are available: 3 node(s) didn't match pod "
                       "anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption "
                       "victims found for incoming pod."))
      << r.log;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  EXPECT_FALSE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_TRUE(r.Logged("91.000", "deployment/web", "ProgressDeadlineExceeded")) << r.log;
}

// The pods already placed keep a pod away too, when one of their required
// anti-affinity terms selects it (the check is two-sided): a bare pod
// labelled app=web, ungated at 10 s, finds all 3 nodes holding a web
// replica whose term selects it.
TEST(Model, ExistingPodsAntiAffinityKeepsAMatchingPodAway) {
  const Outcome r = Simulate(Scenario(
      R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 10s, kubectl: "patch pod loner -p '{\"spec\":{\"schedulingGates\":null}}'"}
)",
      Deployment("web", 3,
                 std::string(kAntiAffinity) + "      containers: [{name: web, image: web:1}]\n") +
          R"(---
apiVersion: v1
kind: Pod
metadata: {name: loner, labels: {app: web}}
spec:
  schedulingGates: [{name: example.com/later}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, ""), 3u) << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/loner",
                       "FailedScheduling: 0/3 nodes are available: 3 node(s) didn't satisfy "
                       "existing pods anti-affinity rules. preemption: 0/3 nodes are available: 3 "
                       "No preemption victims found for incoming pod."))
      << r.log;
}

// Terminating pods still count for anti-affinity (they are on their node
// until gone). 2 replicas on 2 nodes, maxSurge 0 / maxUnavailable 1, a
// 10 s preStop: each new pod waits for the old pod it replaces to be gone
// (40 s, then 50 s) — the rollout takes 20 s, not 0.
TEST(Model, AntiAffinityWaitsForTerminatingPodsToGo) {
  const Outcome r =
      Simulate(Scenario(R"(  until: 2m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 30s, kubectl: set image deployment/web web=web:2}
)",
                        Deployment("web", 2, std::string(kAntiAffinity) + R"(      containers:
      - name: web
        image: web:1
        lifecycle: {preStop: {exec: {command: ["sleep", "10"]}}}
)",
                                   "  strategy: {rollingUpdate: {maxSurge: 0, "
                                   "maxUnavailable: 1}}\n")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u) << r.json;
  ASSERT_TRUE(d.rollouts[0].complete.has_value()) << r.json;
  EXPECT_EQ(*d.rollouts[0].complete - d.rollouts[0].start, Sec(20)) << r.log;
  EXPECT_TRUE(r.Logged("30.000", "pod/web-",
                       "FailedScheduling: 0/2 nodes are available: 2 node(s) didn't match pod "
                       "anti-affinity rules."))
      << r.log;
}

constexpr const char* kZones = R"(  until: 20s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: b}}
)";

std::string AffinityTo(const std::string& app) {
  return R"(      affinity:
        podAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - labelSelector: {matchLabels: {app: )" +
         app + R"(}}
            topologyKey: zone
      containers: [{name: web, image: web:1}]
)";
}

// Required pod affinity: web needs a cache pod in its zone; cache is pinned
// to zone b, so all 4 web replicas go to b. A pod whose term selects no pod
// anywhere stays Pending (UnschedulableAndUnresolvable: preemption cannot
// help); a group whose term selects itself starts where its first pod lands
// and all its pods follow into that one zone.
TEST(Model, RequiredPodAffinityFollowsItsTargetsZone) {
  const Outcome r =
      Simulate(Scenario(kZones, Deployment("cache", 1, R"(      nodeSelector: {zone: b}
      containers: [{name: cache, image: cache:1}]
)") + "---\n" + Deployment("web", 4, AffinityTo("cache")) +
                                    "---\n" + Deployment("orphan", 1, AffinityTo("database")) +
                                    "---\n" + Deployment("group", 3, AffinityTo("group"))));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "b-"), 5u) << r.log;  // cache and 4 web
  EXPECT_TRUE(r.Logged("0.000", "pod/orphan-",
                       "FailedScheduling: 0/4 nodes are available: 4 node(s) didn't match pod "
                       "affinity rules. preemption: 0/4 nodes are available: 4 Preemption is not "
                       "helpful for scheduling."))
      << r.log;
  // The group's 3 pods share one zone: all in a, or all in b (5 + 3).
  EXPECT_TRUE(ScheduledTo(r, "a-") == 3u || ScheduledTo(r, "b-") == 8u) << r.log;
  EXPECT_EQ(ScheduledTo(r, ""), 8u) << r.log;
}

// Web comes first, its target later: the web pods wait unschedulable and
// are tried again when a cache pod is bound (an assigned pod added is an
// event InterPodAffinity requeues on): at 10 s, when cache is scaled up.
TEST(Model, APodWaitingForItsAffinityTargetIsScheduledWhenTheTargetIs) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: b}}
  timeline:
  - {at: 10s, kubectl: scale deployment/cache --replicas=1}
)",
                                      Deployment("cache", 0, R"(      nodeSelector: {zone: a}
      containers: [{name: cache, image: cache:1}]
)") + "---\n" + Deployment("web", 2, AffinityTo("cache"))));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-",
                       "FailedScheduling: 0/4 nodes are available: 4 node(s) "
                       "didn't match pod affinity rules."))
      << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "scheduled to node/a-")) << r.log;
  EXPECT_EQ(ScheduledTo(r, "a-"), 3u) << r.log;
}

// topologySpreadConstraints, DoNotSchedule, maxSkew 1 over zones: zone b's
// two nodes hold one 1-CPU pod each, so zone a may hold at most 3 (skew
// 3 - 2 = 1): 5 of 6 replicas run (without the constraint zone a's 8-CPU
// nodes took all 6). Node c has no zone label: never a candidate (missing
// required label, unresolvable).
TEST(Model, TopologySpreadDoNotScheduleCapsTheSkewBetweenZones) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "8", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "1", memory: 8Gi, pods: 110}, labels: {zone: b}}
    - {name: c, count: 1, capacity: {cpu: "8", memory: 8Gi, pods: 110}}
)",
                                      Deployment("web", 6, R"(      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: "1"}}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "a-"), 3u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "b-"), 2u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "c-"), 0u) << r.log;
  EXPECT_TRUE(r.Logged("0.000", "pod/web-",
                       "FailedScheduling: 0/5 nodes are available: 1 node(s) didn't match pod "
                       "topology spread constraints (missing required label), 2 Insufficient cpu, "
                       "2 node(s) didn't match pod topology spread constraints. preemption: 0/5 "
                       "nodes are available: 1 Preemption is not helpful for scheduling, 4 No "
                       "preemption victims found for incoming pod."))
      << r.log;
}

// matchLabelKeys [pod-template-hash] spreads each revision on its own. The
// first revision is pinned to zone a (4 pods there: with nodeAffinityPolicy
// Honor zone b is no domain for it); a patch drops the nodeSelector at
// 10 s, and the new revision's 4 surge pods (maxSurge 4) count only their
// own revision: 2 per zone. Without matchLabelKeys they count the old pods
// too, and zone a (4) leaves them all to zone b. And minDomains 3 with
// only 2 zones makes the smallest count 0, so no zone takes more than
// maxSkew (1) pod: 2 of 4 run (4 without minDomains).
TEST(Model, SpreadMatchLabelKeysAndMinDomains) {
  const auto run = [](const std::string& keys) {
    return Simulate(Scenario(std::string(kZones) + R"(  timeline:
  - {at: 10s, kubectl: "patch deployment web -p '{\"spec\":{\"template\":{\"spec\":{\"nodeSelector\":null}}}}'"}
)",
                             Deployment("web", 4, R"(      nodeSelector: {zone: a}
      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: zone
        whenUnsatisfiable: DoNotSchedule
        labelSelector: {matchLabels: {app: web}}
)" + keys + "      containers: [{name: web, image: web:1}]\n",
                                        "  strategy: {rollingUpdate: {maxSurge: 4, "
                                        "maxUnavailable: 0}}\n")));
  };
  const Outcome r = run("        matchLabelKeys: [pod-template-hash]\n");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "a-"), 6u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "b-"), 2u) << r.log;
  const Outcome without = run("");
  ASSERT_TRUE(without.error.empty()) << without.error;
  EXPECT_EQ(ScheduledTo(without, "a-"), 4u) << without.log;
  EXPECT_EQ(ScheduledTo(without, "b-"), 4u) << without.log;

  const Outcome min =
      Simulate(Scenario(kZones, Deployment("web", 4, R"(      topologySpreadConstraints:
      - {maxSkew: 1, minDomains: 3, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {matchLabels: {app: web}}}
      containers: [{name: web, image: web:1}]
)")));
  ASSERT_TRUE(min.error.empty()) << min.error;
  EXPECT_EQ(ScheduledTo(min, ""), 2u) << min.log;
}

// A pod with a spread constraint of its own gets none of Kubernetes'
// default ones; one on a key no node has scores nothing (every node is
// ignored): the baseline of the score tests below, the resource scores alone.
constexpr const char* kNoDefaultSpread = R"(      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: no-such-key, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
)";

// InterPodAffinity's score (weight 2): a preferred anti-affinity on the
// hostname (Helm charts' "soft" anti-affinity) spreads 3 replicas over a
// big node and two small ones. By the resource scores alone all 3 go to
// the 16-CPU node (least allocated: 90+ there against 75 on a 2-CPU node);
// with the term a node holding a replica normalizes to 0 and an empty one
// to 100, x2 = 200 ahead: one per node.
TEST(Model, PreferredPodAntiAffinitySpreadsReplicasOverNodes) {
  const auto run = [](const std::string& affinity) {
    return Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: big, count: 1, capacity: {cpu: "16", memory: 8Gi, pods: 110}}
    - {name: small, count: 2, capacity: {cpu: "2", memory: 8Gi, pods: 110}}
)",
                             Deployment("web", 3, std::string(kNoDefaultSpread) + affinity + R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 500m}}}
)")));
  };
  const Outcome without = run("");
  ASSERT_TRUE(without.error.empty()) << without.error;
  EXPECT_EQ(ScheduledTo(without, "big-"), 3u) << without.log;
  const Outcome r = run(R"(      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "big-"), 1u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "small-0"), 1u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "small-1"), 1u) << r.log;
}

// The placed pods' terms score the incoming pod too (processExistingPod):
// a `batch` pod on the big node prefers (weight 100) to be away from web
// pods, so a web pod, which has no terms, scores 0 there and 100 on the
// small node: it goes to the small node, not the big one the resource
// scores favour.
TEST(Model, ExistingPodsPreferredAntiAffinityScoresTheIncomingPod) {
  const Outcome r = Simulate(
      Scenario(R"(  until: 20s
  cluster:
    nodes:
    - {name: big, count: 1, capacity: {cpu: "16", memory: 8Gi, pods: 110}}
    - {name: small, count: 1, capacity: {cpu: "2", memory: 8Gi, pods: 110}}
  timeline:
  - {at: 10s, kubectl: scale deployment/web --replicas=1}
)",
               Deployment("batch", 1, R"(      nodeSelector: {kubernetes.io/hostname: big-0}
      affinity:
        podAntiAffinity:
          preferredDuringSchedulingIgnoredDuringExecution:
          - weight: 100
            podAffinityTerm:
              labelSelector: {matchLabels: {app: web}}
              topologyKey: kubernetes.io/hostname
      containers: [{name: batch, image: batch:1}]
)") + "---\n" + Deployment("web", 0, R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 500m}}}
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/web-", "scheduled to node/small-0")) << r.log;
}

// Kubernetes' default constraints (PodTopologySpreadArgs defaultingType
// System) for a pod without its own: ScheduleAnyway, hostname maxSkew 3
// (and zone maxSkew 5, below), over its ReplicaSet's pods. The same 3
// replicas as above, no terms: the first goes to the big node (every count
// 0: the resource scores decide); then the big node's count 1 scores
// llround(1 x log(3 + 2) + 2) = 4 against 2, normalized 100 x (4 + 2 - 4)
// / 4 = 50 against 100, x2 = 100 behind — more than its resource lead
// (~20): the second goes to a small node, and the third, by the same
// numbers, to the other. With a constraint of its own (scoring nothing)
// the defaults are off and all 3 stack on the big node.
TEST(Model, DefaultSpreadPutsReplicasOnDifferentNodes) {
  const auto run = [](const std::string& spread) {
    return Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: big, count: 1, capacity: {cpu: "16", memory: 8Gi, pods: 110}}
    - {name: small, count: 2, capacity: {cpu: "2", memory: 8Gi, pods: 110}}
)",
                             Deployment("web", 3, spread + R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 500m}}}
)")));
  };
  const Outcome defaulted = run("");
  ASSERT_TRUE(defaulted.error.empty()) << defaulted.error;
  EXPECT_EQ(ScheduledTo(defaulted, "big-"), 1u) << defaulted.log;
  EXPECT_EQ(ScheduledTo(defaulted, "small-0"), 1u) << defaulted.log;
  EXPECT_EQ(ScheduledTo(defaulted, "small-1"), 1u) << defaulted.log;
  const Outcome own = run(kNoDefaultSpread);
  ASSERT_TRUE(own.error.empty()) << own.error;
  EXPECT_EQ(ScheduledTo(own, "big-"), 3u) << own.log;
}

// The default zone constraint (maxSkew 5) counts a zone's pods: a-0 (16
// CPU) and a-1 (12 CPU) in zone a, b-0 (8 CPU) in zone b, 2 replicas of
// 500m. The first goes to a-0 (resource scores 194 against 193 and 191).
// For the second, a node's raw score is hostname's count x log(3 + 2) + 2
// plus zone's count x log(2 + 2) + 4: a-0 1.609 + 2 + 1.386 + 4 = 9, a-1
// 2 + 5.386 = 7, b-0 2 + 4 = 6, normalized (x2) 132, 176 and 200; with the
// resource scores (a-1 193, b-0 191) b-0 wins, 391 to 369. Labelled `zone`
// instead, no node has topology.kubernetes.io/zone and only hostname
// counts: a-1 and b-0 both normalize to 100 and a-1's resource lead wins.
TEST(Model, DefaultSpreadBalancesZonesToo) {
  const auto run = [](const std::string& key) {
    return Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 1, capacity: {cpu: "16", memory: 8Gi, pods: 110}, labels: {)" + key +
                                 R"(: a}}
    - {name: c, count: 1, capacity: {cpu: "12", memory: 8Gi, pods: 110}, labels: {)" + key +
                                 R"(: a}}
    - {name: b, count: 1, capacity: {cpu: "8", memory: 8Gi, pods: 110}, labels: {)" + key +
                                 R"(: b}}
)",
                             Deployment("web", 2, R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 500m}}}
)")));
  };
  const Outcome zoned = run("topology.kubernetes.io/zone");
  ASSERT_TRUE(zoned.error.empty()) << zoned.error;
  EXPECT_EQ(ScheduledTo(zoned, "a-"), 1u) << zoned.log;
  EXPECT_EQ(ScheduledTo(zoned, "b-"), 1u) << zoned.log;
  const Outcome unzoned = run("zone");
  ASSERT_TRUE(unzoned.error.empty()) << unzoned.error;
  EXPECT_EQ(ScheduledTo(unzoned, "a-"), 1u) << unzoned.log;
  EXPECT_EQ(ScheduledTo(unzoned, "c-"), 1u) << unzoned.log;
}

// PodTopologySpread's score for ScheduleAnyway: 4 replicas over zone a
// (two 32-CPU nodes) and zone b (two 4-CPU nodes). The resource scores
// alone put all 4 in zone a; the spread score (fewer matching pods in the
// zone is better, weight 2) makes it 2 + 2: a zone one pod ahead
// normalizes to 0 or 33 against the other's 100, 134 or more behind,
// more than the big nodes' resource lead.
TEST(Model, TopologySpreadScheduleAnywayScoresTheSpread) {
  const auto run = [](const std::string& spread) {
    return Simulate(Scenario(R"(  until: 10s
  cluster:
    nodes:
    - {name: a, count: 2, capacity: {cpu: "32", memory: 8Gi, pods: 110}, labels: {zone: a}}
    - {name: b, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}, labels: {zone: b}}
)",
                             Deployment("web", 4, spread + R"(      containers:
      - {name: web, image: web:1, resources: {requests: {cpu: 500m}}}
)")));
  };
  const Outcome without = run(kNoDefaultSpread);
  ASSERT_TRUE(without.error.empty()) << without.error;
  EXPECT_EQ(ScheduledTo(without, "a-"), 4u) << without.log;
  const Outcome r = run(R"(      topologySpreadConstraints:
      - {maxSkew: 1, topologyKey: zone, whenUnsatisfiable: ScheduleAnyway, labelSelector: {matchLabels: {app: web}}}
)");
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "a-"), 2u) << r.log;
  EXPECT_EQ(ScheduledTo(r, "b-"), 2u) << r.log;
}

// A pod that no longer matches a waiting pod's anti-affinity term (a
// label patch) lets it in: InterPodAffinity requeues on UpdatePodLabel.
// The loner avoids app=db; the blocker, on the only node, is relabelled
// app=other at 10 s, and the loner is scheduled then.
TEST(Model, RelabellingAPodRequeuesThePodsItKeptAway) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 5s, kubectl: "patch pod loner -p '{\"spec\":{\"schedulingGates\":null}}'"}
  - {at: 10s, kubectl: "patch pod blocker -p '{\"metadata\":{\"labels\":{\"app\":\"other\"}}}'"}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: blocker, labels: {app: db}}
spec:
  containers: [{name: db, image: db:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: loner, labels: {app: web}}
spec:
  schedulingGates: [{name: example.com/later}]
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - {labelSelector: {matchLabels: {app: db}}, topologyKey: kubernetes.io/hostname}
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("5.000", "pod/loner",
                       "FailedScheduling: 0/1 nodes are available: 1 node(s) "
                       "didn't match pod anti-affinity rules."))
      << r.log;
  EXPECT_TRUE(r.Logged("10.000", "pod/loner", "scheduled to node/node-0")) << r.log;
}

// matchLabelKeys are merged into a pod's term when it is created (the API
// server's pod strategy): relabelling the pod later leaves its term alone.
// The guard, created with ver=1, keeps role=x pods of ver 1 off its node
// even after it is relabelled ver=2 at 5 s.
TEST(Model, MatchLabelKeysAreTheLabelsAtCreation) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 5s, kubectl: "patch pod guard -p '{\"metadata\":{\"labels\":{\"ver\":\"2\"}}}'"}
  - {at: 10s, kubectl: "patch pod newcomer -p '{\"spec\":{\"schedulingGates\":null}}'"}
)",
                                      R"(apiVersion: v1
kind: Pod
metadata: {name: guard, labels: {ver: "1"}}
spec:
  affinity:
    podAntiAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
      - {labelSelector: {matchLabels: {role: x}}, matchLabelKeys: [ver], topologyKey: kubernetes.io/hostname}
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Pod
metadata: {name: newcomer, labels: {role: x, ver: "1"}}
spec:
  schedulingGates: [{name: example.com/later}]
  containers: [{name: web, image: web:1}]
)"));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_TRUE(r.Logged("10.000", "pod/newcomer",
                       "FailedScheduling: 0/1 nodes are available: 1 node(s) didn't satisfy "
                       "existing pods anti-affinity rules."))
      << r.log;
}

// nodeTaintsPolicy Honor leaves out the nodes whose taints the pod does
// not tolerate — a cordoned node's node.kubernetes.io/unschedulable among
// them: with node-1 cordoned, node-0 is the only domain of a hostname
// spread (maxSkew 1), and both replicas go there.
TEST(Model, SpreadHonouringTaintsLeavesOutACordonedNode) {
  const Outcome r = Simulate(Scenario(R"(  until: 20s
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  timeline:
  - {at: 1s, kubectl: cordon node-1}
  - {at: 5s, kubectl: scale deployment/web --replicas=2}
)",
                                      Deployment("web", 0, R"(      topologySpreadConstraints:
      - maxSkew: 1
        topologyKey: kubernetes.io/hostname
        whenUnsatisfiable: DoNotSchedule
        nodeTaintsPolicy: Honor
        labelSelector: {matchLabels: {app: web}}
      containers: [{name: web, image: web:1}]
)")));
  ASSERT_TRUE(r.error.empty()) << r.error;
  EXPECT_EQ(ScheduledTo(r, "node-0"), 2u) << r.log;
}

}  // namespace
}  // namespace kubesim::model_test
