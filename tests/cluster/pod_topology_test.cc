// PodTopologySpread's and InterPodAffinity's filters (sim/cluster/pod_topology.h)
// against Kubernetes' own unit tests: podtopologyspread/filtering_test.go
// TestSingleConstraint / TestMultipleConstraints and interpodaffinity/
// filtering_test.go TestRequiredAffinitySingleNode, each case with its name
// there. Nodes node-a, node-b (zone1), node-x, node-y (zone2), each also
// labelled node=NAME; existing pods are bound through the index as the
// kubelet binds them, and the index is checked against a recount.
#include "cluster/pod_topology.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cluster/store.h"

namespace kubesim::cluster {
namespace {

using V = TopologyVerdict;

k8s::LabelSelector Exists(const std::string& key) {
  k8s::LabelSelector s;
  s.match_expressions.push_back({key, k8s::LabelSelectorRequirement::Operator::kExists, {}});
  return s;
}

k8s::TopologySpreadConstraint Spread(int32_t max_skew, const std::string& key,
                                     const k8s::LabelSelector& selector) {
  k8s::TopologySpreadConstraint c;
  c.max_skew = max_skew;
  c.topology_key = key;
  c.when_unsatisfiable = "DoNotSchedule";
  c.label_selector = selector;
  return c;
}

k8s::PodAffinityTerm Term(const k8s::LabelSelector& selector, const std::string& key) {
  k8s::PodAffinityTerm t;
  t.label_selector = selector;
  t.topology_key = key;
  return t;
}

class Cluster {
 public:
  // Four nodes in two zones, as the Kubernetes tests make them.
  static Cluster TwoZones() {
    Cluster c;
    c.AddNode("node-a", {{"zone", "zone1"}, {"node", "node-a"}});
    c.AddNode("node-b", {{"zone", "zone1"}, {"node", "node-b"}});
    c.AddNode("node-x", {{"zone", "zone2"}, {"node", "node-x"}});
    c.AddNode("node-y", {{"zone", "zone2"}, {"node", "node-y"}});
    return c;
  }
  void AddNode(const std::string& name, k8s::Labels labels) {
    Node n;
    n.name = name;
    n.labels = std::move(labels);
    store.nodes.push_back(std::move(n));
  }
  // A pod bound to `node`, as Kubelet::Bind indexes it.
  uint32_t Bind(const std::string& node, k8s::Labels labels, k8s::PodSpec spec = {},
                const std::string& ns = "default", bool terminating = false) {
    Pod p = Make(std::move(labels), std::move(spec), ns);
    p.name = "p-" + std::to_string(store.pods.size());
    for (uint32_t n = 0; n < store.nodes.size(); ++n) {
      if (store.nodes[n].name == node) p.node = n;
    }
    store.pods.push_back(std::move(p));
    const auto id = static_cast<uint32_t>(store.pods.size() - 1);
    store.nodes[store.pods[id].node].pods.push_back(id);
    store.topology.PodBound(store, id);
    if (terminating) {
      store.pods[id].deleted = true;
      store.topology.PodDeleted(store, id);
    }
    return id;
  }
  // Each node's verdict for an incoming pod, by node name.
  std::map<std::string, V> Filter(k8s::Labels labels, k8s::PodSpec spec,
                                  const std::string& ns = "default") {
    const Pod p = Make(std::move(labels), std::move(spec), ns);
    TopologyFilter f;
    f.Prepare(store, p);
    std::map<std::string, V> out;
    for (uint32_t n = 0; n < store.nodes.size(); ++n) out[store.nodes[n].name] = f.Filter(n);
    EXPECT_EQ(store.topology.Verify(store), std::nullopt);
    return out;
  }

  Store store;

 private:
  static Pod Make(k8s::Labels labels, k8s::PodSpec spec, const std::string& ns) {
    Pod p;
    p.namespace_name = ns;
    p.labels = std::make_shared<const k8s::Labels>(std::move(labels));
    p.spec = std::make_shared<const k8s::PodSpec>(std::move(spec));
    return p;
  }
};

k8s::PodSpec WithSpread(std::vector<k8s::TopologySpreadConstraint> cs) {
  k8s::PodSpec s;
  s.topology_spread_constraints = std::move(cs);
  return s;
}

const k8s::Labels kFoo = {{"foo", ""}};

// TestSingleConstraint -----------------------------------------------------------------

TEST(PodTopologySpread, ExistingPodsInADifferentNamespaceDoNotCount) {
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", kFoo, {}, "ns1");
  c.Bind("node-a", kFoo, {}, "ns2");
  c.Bind("node-x", kFoo);
  c.Bind("node-y", kFoo);
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "zone", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kPass},
                                      {"node-b", V::kPass},
                                      {"node-x", V::kSpreadSkew},
                                      {"node-y", V::kSpreadSkew}}));
}

// The 2/1/0/3 layout over nodes of TestSingleConstraint.
Cluster TwoOneZeroThree() {
  Cluster c = Cluster::TwoZones();
  for (const char* n : {"node-a", "node-a", "node-b", "node-y", "node-y", "node-y"})
    c.Bind(n, kFoo);
  return c;
}

TEST(PodTopologySpread, PodsSpreadAcrossZonesAs3To3AllNodesFit) {
  Cluster c = TwoOneZeroThree();
  for (const auto& [node, v] : c.Filter(kFoo, WithSpread({Spread(1, "zone", Exists("foo"))}))) {
    EXPECT_EQ(v, V::kPass) << node;
  }
}

TEST(PodTopologySpread, PodsSpreadAcrossZonesAs1To2DueToAbsenceOfLabelZoneOnNodeB) {
  Cluster c;
  c.AddNode("node-a", {{"zone", "zone1"}, {"node", "node-a"}});
  c.AddNode("node-b", {{"zon", "zone1"}, {"node", "node-b"}});
  c.AddNode("node-x", {{"zone", "zone2"}, {"node", "node-x"}});
  c.AddNode("node-y", {{"zone", "zone2"}, {"node", "node-y"}});
  for (const char* n : {"node-a", "node-b", "node-x", "node-y"}) c.Bind(n, kFoo);
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "zone", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kPass},
                                      {"node-b", V::kSpreadMissingLabel},
                                      {"node-x", V::kSpreadSkew},
                                      {"node-y", V::kSpreadSkew}}));
}

TEST(PodTopologySpread, PodsSpreadAcrossNodesAs2103OnlyNodeXFits) {
  Cluster c = TwoOneZeroThree();
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "node", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kSpreadSkew},
                                      {"node-b", V::kSpreadSkew},
                                      {"node-x", V::kPass},
                                      {"node-y", V::kSpreadSkew}}));
}

TEST(PodTopologySpread, MaxSkewIs2NodeBAndNodeXFit) {
  Cluster c = TwoOneZeroThree();
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(2, "node", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kSpreadSkew},
                                      {"node-b", V::kPass},
                                      {"node-x", V::kPass},
                                      {"node-y", V::kSpreadSkew}}));
}

TEST(PodTopologySpread, ButPodDoesntMatchItself) {
  Cluster c = TwoOneZeroThree();
  EXPECT_EQ(c.Filter({{"bar", ""}}, WithSpread({Spread(1, "node", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kSpreadSkew},
                                      {"node-b", V::kPass},
                                      {"node-x", V::kPass},
                                      {"node-y", V::kSpreadSkew}}));
}

TEST(PodTopologySpread, IncomingPodHasNodeAffinityHenceNodeAFits) {
  // Only node-a and node-y are domains (nodeAffinityPolicy Honor): 2 / 3.
  Cluster c = TwoOneZeroThree();
  k8s::PodSpec spec = WithSpread({Spread(1, "node", Exists("foo"))});
  k8s::NodeAffinity affinity;
  k8s::NodeSelectorTerm term;
  term.match_expressions.push_back(
      {"node", k8s::NodeSelectorRequirement::Operator::kIn, {"node-a", "node-y"}});
  affinity.required.emplace().push_back(term);
  spec.node_affinity = affinity;
  EXPECT_EQ(c.Filter(kFoo, spec), (std::map<std::string, V>{{"node-a", V::kPass},
                                                            {"node-b", V::kPass},
                                                            {"node-x", V::kPass},
                                                            {"node-y", V::kSpreadSkew}}));
  // nodeAffinityPolicy Ignore: node-x (0) is a domain again; node-a is not
  // within maxSkew 1 of it.
  spec.topology_spread_constraints[0].node_affinity_policy = "Ignore";
  EXPECT_EQ(c.Filter(kFoo, spec)["node-a"], V::kSpreadSkew);
}

TEST(PodTopologySpread, TerminatingPodsShouldBeExcluded) {
  Cluster c;
  c.AddNode("node-a", {{"node", "node-a"}});
  c.AddNode("node-b", {{"node", "node-b"}});
  const uint32_t a = c.Bind("node-a", kFoo);
  c.Bind("node-b", kFoo);
  const k8s::PodSpec spec = WithSpread({Spread(1, "node", Exists("foo"))});
  EXPECT_EQ(c.Filter(kFoo, spec),
            (std::map<std::string, V>{{"node-a", V::kPass}, {"node-b", V::kPass}}));
  // p-a turns terminating once its selector is indexed.
  c.store.pods[a].deleted = true;
  c.store.topology.PodDeleted(c.store, a);
  EXPECT_EQ(c.Filter(kFoo, spec),
            (std::map<std::string, V>{{"node-a", V::kPass}, {"node-b", V::kSpreadSkew}}));
}

// TestMultipleConstraints ---------------------------------------------------------------

TEST(PodTopologySpread, TwoConstraintsOnZoneAndNodeSpreads3To3And2103) {
  Cluster c = TwoOneZeroThree();
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "zone", Exists("foo")),
                                       Spread(1, "node", Exists("foo"))})),
            (std::map<std::string, V>{{"node-a", V::kSpreadSkew},
                                      {"node-b", V::kSpreadSkew},
                                      {"node-x", V::kPass},
                                      {"node-y", V::kSpreadSkew}}));
}

// minDomains (TestSingleConstraint's minDomains cases): 2 zones with 1
// pod each and minDomains 3 — fewer domains than asked, so the minimum is 0
// and every zone would be 2 over it at maxSkew 1; with minDomains 2, 1.
TEST(PodTopologySpread, FewerDomainsThanMinDomainsMakeTheMinimumZero) {
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", kFoo);
  c.Bind("node-x", kFoo);
  auto spread = Spread(1, "zone", Exists("foo"));
  spread.min_domains = 3;
  for (const auto& [node, v] : c.Filter(kFoo, WithSpread({spread}))) {
    EXPECT_EQ(v, V::kSpreadSkew) << node;
  }
  spread.min_domains = 2;
  for (const auto& [node, v] : c.Filter(kFoo, WithSpread({spread}))) EXPECT_EQ(v, V::kPass) << node;
}

// InterPodAffinity ---------------------------------------------------------------------

k8s::PodSpec WithAffinity(std::vector<k8s::PodAffinityTerm> required,
                          std::vector<k8s::PodAffinityTerm> anti) {
  k8s::PodSpec s;
  if (!required.empty()) s.pod_affinity.emplace().required = std::move(required);
  if (!anti.empty()) s.pod_anti_affinity.emplace().required = std::move(anti);
  return s;
}

k8s::LabelSelector In(const std::string& key, std::vector<std::string> values) {
  k8s::LabelSelector s;
  s.match_expressions.push_back(
      {key, k8s::LabelSelectorRequirement::Operator::kIn, std::move(values)});
  return s;
}

const k8s::Labels kSecurityS1 = {{"security", "S1"}};
const k8s::Labels kSecurityS2 = {{"security", "S2"}};

TEST(InterPodAffinity, SatisfiesWithRequiredPodAffinityInTheSameZone) {
  // "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution
  // in PodAffinity using In operator that matches the existing pod"
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", kSecurityS1);
  const auto v = c.Filter(kSecurityS2, WithAffinity({Term(In("security", {"S1"}), "zone")}, {}));
  EXPECT_EQ(v, (std::map<std::string, V>{{"node-a", V::kPass},
                                         {"node-b", V::kPass},
                                         {"node-x", V::kAffinity},
                                         {"node-y", V::kAffinity}}));
}

TEST(InterPodAffinity, DoesNotSatisfyWhenNoPodMatchesAndThePodIsNotItsOwnMatch) {
  // "Does not satisfy the PodAffinity with labelSelector because of
  // diff Namespace": the matching pod is in another namespace.
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", kSecurityS1, {}, "ns");
  for (const auto& [node, v] :
       c.Filter(kSecurityS2, WithAffinity({Term(In("security", {"S1"}), "zone")}, {}))) {
    EXPECT_EQ(v, V::kAffinity) << node;
  }
}

TEST(InterPodAffinity, TheFirstPodOfAGroupThatMatchesItsOwnTermGoesAnywhere) {
  // "satisfies the pod with requiredDuringSchedulingIgnoredDuringExecution
  // in PodAffinity ... and the pod matches its own terms" with no pod yet;
  // a node without the topology key still fails.
  Cluster c = Cluster::TwoZones();
  c.AddNode("node-z", {{"node", "node-z"}});
  const auto v = c.Filter(kSecurityS1, WithAffinity({Term(In("security", {"S1"}), "zone")}, {}));
  EXPECT_EQ(v.at("node-a"), V::kPass);
  EXPECT_EQ(v.at("node-y"), V::kPass);
  EXPECT_EQ(v.at("node-z"), V::kAffinity);
  // Once one runs (zone1), the others must follow it.
  c.Bind("node-b", kSecurityS1);
  const auto after =
      c.Filter(kSecurityS1, WithAffinity({Term(In("security", {"S1"}), "zone")}, {}));
  EXPECT_EQ(after.at("node-a"), V::kPass);
  EXPECT_EQ(after.at("node-x"), V::kAffinity);
}

TEST(InterPodAffinity, AntiAffinityOfTheIncomingPodAndOfTheExistingPods) {
  // "satisfies the PodAntiAffinity ... / doesn't satisfy ... because of the
  // existing pod's anti-affinity": a pod S1 with anti-affinity to S1 on the
  // node key runs on node-a.
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", kSecurityS1, WithAffinity({}, {Term(In("security", {"S1"}), "node")}));
  // An incoming S1 pod without terms: node-a is kept by the existing term.
  const auto plain = c.Filter(kSecurityS1, {});
  EXPECT_EQ(plain.at("node-a"), V::kExistingAntiAffinity);
  EXPECT_EQ(plain.at("node-b"), V::kPass);
  // An S2 pod is not selected by it.
  EXPECT_EQ(c.Filter(kSecurityS2, {}).at("node-a"), V::kPass);
  // An incoming pod whose own zone anti-affinity selects S1: all of zone1.
  const auto own = c.Filter(kSecurityS2, WithAffinity({}, {Term(In("security", {"S1"}), "zone")}));
  EXPECT_EQ(own, (std::map<std::string, V>{{"node-a", V::kAntiAffinity},
                                           {"node-b", V::kAntiAffinity},
                                           {"node-x", V::kPass},
                                           {"node-y", V::kPass}}));
  // Terminating pods still count for anti-affinity (unlike spreading).
  c.store.pods[0].deleted = true;
  c.store.topology.PodDeleted(c.store, 0);
  EXPECT_EQ(c.Filter(kSecurityS1, {}).at("node-a"), V::kExistingAntiAffinity);
  // Gone: no longer.
  c.store.topology.PodGone(c.store, 0);
  c.store.nodes[0].pods.clear();
  EXPECT_EQ(c.Filter(kSecurityS1, {}).at("node-a"), V::kPass);
}

TEST(InterPodAffinity, MatchLabelKeysAndMismatchLabelKeysMergeThePodsOwnValues) {
  // matchLabelKeys [app]: an anti-affinity selecting `tier` only among pods
  // with the incoming pod's app; mismatchLabelKeys [tenant]: an affinity to
  // pods of any other tenant.
  Cluster c = Cluster::TwoZones();
  c.Bind("node-a", {{"tier", "web"}, {"app", "shop"}, {"tenant", "t1"}});
  c.Bind("node-x", {{"tier", "web"}, {"app", "blog"}, {"tenant", "t2"}});
  k8s::PodAffinityTerm anti = Term(Exists("tier"), "node");
  anti.match_label_keys = {"app"};
  const auto v = c.Filter({{"tier", "web"}, {"app", "shop"}}, WithAffinity({}, {anti}));
  EXPECT_EQ(v.at("node-a"), V::kAntiAffinity);
  EXPECT_EQ(v.at("node-x"), V::kPass);
  k8s::PodAffinityTerm other = Term(Exists("tier"), "zone");
  other.mismatch_label_keys = {"tenant"};
  const auto w = c.Filter({{"tenant", "t1"}}, WithAffinity({other}, {}));
  EXPECT_EQ(w.at("node-a"), V::kAffinity);  // zone1 holds only t1's pod
  EXPECT_EQ(w.at("node-y"), V::kPass);
}

// PodTopologySpread's score (scoring_test.go TestPodTopologySpreadScore):
// each candidate node's normalized score (AddScores adds it x2).
std::map<std::string, int64_t> SpreadScores(Cluster& c, const k8s::Labels& labels,
                                            const k8s::PodSpec& spec,
                                            const std::vector<std::string>& candidates) {
  Pod p;
  p.namespace_name = "default";
  p.labels = std::make_shared<const k8s::Labels>(labels);
  p.spec = std::make_shared<const k8s::PodSpec>(spec);
  TopologyFilter f;
  EXPECT_TRUE(f.PrepareScores(c.store, p));
  std::vector<uint32_t> nodes;
  for (const std::string& name : candidates) {
    for (uint32_t n = 0; n < c.store.nodes.size(); ++n) {
      if (c.store.nodes[n].name == name) nodes.push_back(n);
    }
  }
  std::vector<int64_t> scores(nodes.size(), 0);
  f.AddScores(c.store, p, nodes, &scores);
  std::map<std::string, int64_t> out;
  for (size_t i = 0; i < nodes.size(); ++i) out[candidates[i]] = scores[i] / 2;
  return out;
}

k8s::TopologySpreadConstraint Soft(int32_t max_skew, const std::string& key,
                                   const k8s::LabelSelector& selector) {
  k8s::TopologySpreadConstraint c = Spread(max_skew, key, selector);
  c.when_unsatisfiable = "ScheduleAnyway";
  return c;
}

constexpr const char* kHost = "kubernetes.io/hostname";

// Nodes node-a, node-b, node-c, node-d labelled by hostname, with `pods`
// matching pods on each.
Cluster Hosts(const std::vector<int>& pods, const k8s::Labels& labels = kFoo) {
  Cluster c;
  const char* names[] = {"node-a", "node-b", "node-c", "node-d"};
  for (size_t i = 0; i < pods.size(); ++i) {
    c.AddNode(names[i], {{kHost, names[i]}});
    for (int k = 0; k < pods[i]; ++k) c.Bind(names[i], labels);
  }
  return c;
}

TEST(PodTopologySpreadScore, OneConstraintOnNodeAll4NodesAreCandidatesMaxSkew2) {
  Cluster c = Hosts({2, 1, 0, 3});
  EXPECT_EQ(SpreadScores(c, kFoo, WithSpread({Soft(2, kHost, Exists("foo"))}),
                         {"node-a", "node-b", "node-c", "node-d"}),
            (std::map<std::string, int64_t>{
                {"node-a", 33}, {"node-b", 66}, {"node-c", 100}, {"node-d", 16}}));
}

TEST(PodTopologySpreadScore, OneConstraintOnNodeAll4NodesAreCandidatesMaxSkew3) {
  Cluster c = Hosts({4, 3, 2, 1});
  EXPECT_EQ(SpreadScores(c, kFoo, WithSpread({Soft(3, kHost, Exists("foo"))}),
                         {"node-a", "node-b", "node-c", "node-d"}),
            (std::map<std::string, int64_t>{
                {"node-a", 44}, {"node-b", 66}, {"node-c", 77}, {"node-d", 100}}));
}

TEST(PodTopologySpreadScore, OneConstraintOnNode3OutOf4NodesAreCandidates) {
  // 4/2/1/~3~: node-d (node-y there) failed the filters.
  Cluster c = Hosts({4, 2, 1, 3});
  EXPECT_EQ(SpreadScores(c, kFoo, WithSpread({Soft(1, kHost, Exists("foo"))}),
                         {"node-a", "node-b", "node-c"}),
            (std::map<std::string, int64_t>{{"node-a", 33}, {"node-b", 83}, {"node-c", 100}}));
}

TEST(PodTopologySpreadScore, OneNodeDoesntMatchTopologyKey) {
  Cluster c;
  c.AddNode("node-a", {{kHost, "node-a"}});
  c.AddNode("node-b", {{"n", "node-b"}});
  c.AddNode("node-x", {{kHost, "node-x"}});
  c.AddNode("node-y", {{kHost, "node-y"}});
  for (const char* n : {"node-a", "node-a", "node-a", "node-a", "node-b", "node-b", "node-x",
                        "node-y", "node-y", "node-y"}) {
    c.Bind(n, kFoo);
  }
  EXPECT_EQ(SpreadScores(c, kFoo, WithSpread({Soft(1, kHost, Exists("foo"))}),
                         {"node-a", "node-b", "node-x"}),
            (std::map<std::string, int64_t>{{"node-a", 16}, {"node-b", 0}, {"node-x", 100}}));
}

// The four nodes in two zones, each labelled by hostname too.
Cluster ZonesAndHosts() {
  Cluster c;
  c.AddNode("node-a", {{"zone", "zone1"}, {kHost, "node-a"}});
  c.AddNode("node-b", {{"zone", "zone1"}, {kHost, "node-b"}});
  c.AddNode("node-x", {{"zone", "zone2"}, {kHost, "node-x"}});
  c.AddNode("node-y", {{"zone", "zone2"}, {kHost, "node-y"}});
  return c;
}

TEST(PodTopologySpreadScore, OneConstraintOnZone3OutOf4NodesAreCandidates) {
  Cluster c = ZonesAndHosts();
  for (const char* n : {"node-a", "node-a", "node-a", "node-a", "node-b", "node-b", "node-x",
                        "node-y", "node-y", "node-y"}) {
    c.Bind(n, kFoo);
  }
  EXPECT_EQ(SpreadScores(c, kFoo, WithSpread({Soft(1, "zone", Exists("foo"))}),
                         {"node-a", "node-b", "node-x"}),
            (std::map<std::string, int64_t>{{"node-a", 75}, {"node-b", 75}, {"node-x", 100}}));
}

TEST(PodTopologySpreadScore, TwoConstraintsOnZoneAndNode2OutOf4NodesAreCandidates) {
  Cluster c = ZonesAndHosts();
  for (const char* n :
       {"node-a", "node-a", "node-b", "node-x", "node-x", "node-y", "node-y", "node-y", "node-y"}) {
    c.Bind(n, kFoo);
  }
  EXPECT_EQ(
      SpreadScores(c, kFoo,
                   WithSpread({Soft(1, "zone", Exists("foo")), Soft(1, kHost, Exists("foo"))}),
                   {"node-a", "node-x"}),
      (std::map<std::string, int64_t>{{"node-a", 100}, {"node-x", 63}}));
}

TEST(PodTopologySpreadScore, TwoConstraintsOnZoneAndNodeWithDifferentLabelSelectors) {
  Cluster c = ZonesAndHosts();
  c.Bind("node-a", kFoo);
  c.Bind("node-b", {{"foo", ""}, {"bar", ""}});
  c.Bind("node-y", kFoo);
  c.Bind("node-y", {{"bar", ""}});
  const k8s::PodSpec spec =
      WithSpread({Soft(1, "zone", Exists("foo")), Soft(1, kHost, Exists("bar"))});
  const k8s::Labels both = {{"foo", ""}, {"bar", ""}};
  EXPECT_EQ(SpreadScores(c, both, spec, {"node-a", "node-b", "node-x", "node-y"}),
            (std::map<std::string, int64_t>{
                {"node-a", 60}, {"node-b", 20}, {"node-x", 100}, {"node-y", 60}}));
  // "... some nodes have 0 pods"
  Cluster d = ZonesAndHosts();
  d.Bind("node-b", {{"bar", ""}});
  d.Bind("node-x", kFoo);
  d.Bind("node-y", both);
  EXPECT_EQ(SpreadScores(d, both, spec, {"node-a", "node-b", "node-x", "node-y"}),
            (std::map<std::string, int64_t>{
                {"node-a", 100}, {"node-b", 60}, {"node-x", 40}, {"node-y", 0}}));
}

// InterPodAffinity's score (scoring_test.go TestPreferredAffinity), with
// its names. Nodes node1.. labelled region / az as there.
const k8s::Labels kChina = {{"region", "China"}};
const k8s::Labels kIndia = {{"region", "India"}};
const k8s::Labels kAz1 = {{"az", "az1"}};
const k8s::Labels kAz2 = {{"az", "az2"}};

k8s::WeightedPodAffinityTerm Weighted(int32_t weight, k8s::LabelSelector selector,
                                      const std::string& key) {
  return {weight, Term(std::move(selector), key)};
}

k8s::PodSpec Preferring(std::vector<k8s::WeightedPodAffinityTerm> affinity,
                        std::vector<k8s::WeightedPodAffinityTerm> anti) {
  k8s::PodSpec s;
  if (!affinity.empty()) s.pod_affinity.emplace().preferred = std::move(affinity);
  if (!anti.empty()) s.pod_anti_affinity.emplace().preferred = std::move(anti);
  return s;
}

const k8s::PodSpec kStayWithS1InRegion =
    Preferring({Weighted(5, In("security", {"S1"}), "region")}, {});
const k8s::PodSpec kStayWithS2InRegion =
    Preferring({Weighted(6, In("security", {"S2"}), "region")}, {});
const k8s::PodSpec kAwayFromS1InAz = Preferring({}, {Weighted(5, In("security", {"S1"}), "az")});
const k8s::PodSpec kAwayFromS2InAz = Preferring({}, {Weighted(5, In("security", {"S2"}), "az")});
const k8s::PodSpec kStayWithS1InRegionAwayFromS2InAz = Preferring(
    {Weighted(8, In("security", {"S1"}), "region")}, {Weighted(5, In("security", {"S2"}), "az")});

Cluster Regions(const std::vector<k8s::Labels>& nodes) {
  Cluster c;
  for (size_t i = 0; i < nodes.size(); ++i) c.AddNode("node" + std::to_string(i + 1), nodes[i]);
  return c;
}

std::vector<int64_t> AffinityScores(Cluster& c, const k8s::Labels& labels,
                                    const k8s::PodSpec& spec) {
  std::vector<std::string> all;
  for (const Node& n : c.store.nodes) all.push_back(n.name);
  const auto by_name = SpreadScores(c, labels, spec, all);
  std::vector<int64_t> out;
  for (const std::string& n : all) out.push_back(by_name.at(n));
  return out;
}

TEST(InterPodAffinityScore, PodThatMatchesTopologyKeyAndPodsInNodesWillGetHighScore) {
  Cluster c = Regions({kChina, kIndia, kAz1});
  c.Bind("node1", kSecurityS1);
  c.Bind("node2", kSecurityS2);
  c.Bind("node3", kSecurityS1);
  EXPECT_EQ(AffinityScores(c, kSecurityS1, kStayWithS1InRegion), (std::vector<int64_t>{100, 0, 0}));
}

TEST(InterPodAffinityScore, TheRegionWithMoreMatchesWillGetHighScore) {
  Cluster c = Regions({kChina, kIndia, kChina, kChina, kIndia});
  for (const char* n : {"node1", "node1", "node2", "node3", "node4", "node5"})
    c.Bind(n, kSecurityS2);
  EXPECT_EQ(AffinityScores(c, kSecurityS1, kStayWithS2InRegion),
            (std::vector<int64_t>{100, 0, 100, 100, 0}));
}

TEST(InterPodAffinityScore, DifferentLabelOperatorsAndValuesIncludingSomeMatchFailures) {
  Cluster c = Regions({kChina, kIndia, kAz1});
  c.Bind("node1", kSecurityS1);
  c.Bind("node2", kSecurityS2);
  c.Bind("node3", kSecurityS1);
  k8s::LabelSelector s2_not_s1 = In("security", {"S2"});
  s2_not_s1.match_expressions.insert(
      s2_not_s1.match_expressions.begin(),
      {"security", k8s::LabelSelectorRequirement::Operator::kNotIn, {"S1"}});
  k8s::LabelSelector any = Exists("security");
  any.match_expressions.push_back(
      {"wrongkey", k8s::LabelSelectorRequirement::Operator::kDoesNotExist, {}});
  const k8s::PodSpec affinity3 =
      Preferring({Weighted(8, s2_not_s1, "region"), Weighted(2, any, "region")}, {});
  EXPECT_EQ(AffinityScores(c, kSecurityS1, affinity3), (std::vector<int64_t>{20, 100, 0}));
}

TEST(InterPodAffinityScore, AffinitySymmetryConsideredOnlyPreferredTerms) {
  Cluster c = Regions({kChina, kIndia, kAz1});
  c.Bind("node1", kSecurityS1, kStayWithS1InRegion);
  c.Bind("node2", kSecurityS2, kStayWithS2InRegion);
  EXPECT_EQ(AffinityScores(c, kSecurityS2, {}), (std::vector<int64_t>{0, 100, 0}));
}

TEST(InterPodAffinityScore, AffinitySymmetryConsideredRequiredTerms) {
  // hardPodAffinityWeight 1 for each required term the incoming pod matches.
  Cluster c = Regions({kChina, kIndia, kAz1});
  k8s::LabelSelector any = Exists("security");
  any.match_expressions.push_back(
      {"wrongkey", k8s::LabelSelectorRequirement::Operator::kDoesNotExist, {}});
  const k8s::PodSpec hard =
      WithAffinity({Term(In("security", {"S1", "value2"}), "region"), Term(any, "region")}, {});
  c.Bind("node1", kSecurityS1, hard);
  c.Bind("node2", kSecurityS2, hard);
  EXPECT_EQ(AffinityScores(c, kSecurityS1, {}), (std::vector<int64_t>{100, 100, 0}));
}

TEST(InterPodAffinityScore, AntiAffinitySymmetry) {
  Cluster c = Regions({kAz1, kAz2});
  c.Bind("node1", kSecurityS1, kAwayFromS2InAz);
  c.Bind("node2", kSecurityS2, kAwayFromS1InAz);
  EXPECT_EQ(AffinityScores(c, kSecurityS2, {}), (std::vector<int64_t>{0, 100}));
}

TEST(InterPodAffinityScore, AffinityAntiAffinityAndSymmetryTogether) {
  // Weights 8, -5, 8 (node3's pod's affinity), -5 (node4's pod's anti).
  Cluster c = Regions({kChina, kAz1, kIndia, kAz2});
  c.Bind("node1", kSecurityS1);
  c.Bind("node2", kSecurityS2);
  c.Bind("node3", {}, kStayWithS1InRegionAwayFromS2InAz);
  c.Bind("node4", {}, kAwayFromS1InAz);
  EXPECT_EQ(AffinityScores(c, kSecurityS1, kStayWithS1InRegionAwayFromS2InAz),
            (std::vector<int64_t>{100, 0, 100, 0}));
}

// A pod relabelled out of a selector leaves its counts; --check's recount
// agrees.
TEST(PodTopologyIndex, ARelabelledPodMovesBetweenSelectors) {
  Cluster c = Cluster::TwoZones();
  const uint32_t id = c.Bind("node-a", kFoo);
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "node", Exists("foo"))})).at("node-a"),
            V::kSpreadSkew);
  const k8s::Labels old = *c.store.pods[id].labels;
  c.store.pods[id].labels = std::make_shared<const k8s::Labels>(k8s::Labels{{"bar", ""}});
  c.store.topology.PodRelabelled(c.store, id, old);
  EXPECT_EQ(c.Filter(kFoo, WithSpread({Spread(1, "node", Exists("foo"))})).at("node-a"), V::kPass);
  EXPECT_EQ(c.store.topology.Verify(c.store), std::nullopt);
}

// --check's recount visits, per pod, only the counters its labels can
// match; it still finds a pod relabelled behind the index's back, whether
// the counter is listed under a matchLabels pair or among the unindexed.
TEST(PodTopologyIndex, VerifyFindsACountTheIndexMissed) {
  for (const bool by_match_labels : {true, false}) {
    Cluster c = Cluster::TwoZones();
    k8s::LabelSelector app;
    if (by_match_labels) {
      app.match_labels = {{"app", "web"}};
    } else {
      app = Exists("app");
    }
    c.Bind("node-a", {{"app", "web"}});
    const uint32_t id = c.Bind("node-x", {{"other", "x"}});
    c.Filter({{"app", "web"}}, WithSpread({Spread(1, "zone", app)}));
    ASSERT_EQ(c.store.topology.Verify(c.store), std::nullopt);
    c.store.pods[id].labels = std::make_shared<const k8s::Labels>(k8s::Labels{{"app", "web"}});
    const std::optional<std::string> wrong = c.store.topology.Verify(c.store);
    ASSERT_TRUE(wrong.has_value()) << by_match_labels;
    EXPECT_NE(wrong->find("node node-x: the topology index counts 0 pods"), std::string::npos)
        << *wrong;
  }
}

}  // namespace
}  // namespace kubesim::cluster
