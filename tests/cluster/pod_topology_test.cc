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

}  // namespace
}  // namespace kubesim::cluster
