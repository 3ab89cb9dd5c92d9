// Inter-pod affinity and topology spread (kube-scheduler's InterPodAffinity
// and PodTopologySpread filters), indexed so that a scheduling cycle never
// walks the pods on every node.
//
// The index (PodTopology, one in the Store) keeps, for every pod selector
// some pod's terms use, how many bound pods it matches on each node, and,
// for every required anti-affinity term of a bound pod, how many bound pods
// carry it in each topology domain. It changes only where a pod is bound,
// deleted, relabelled or gone; a selector seen for the first time is counted
// once over the bound pods. A cycle (TopologyFilter::Prepare, the plugins'
// PreFilter) sums a selector's node counts into domains — one pass over the
// nodes, as the filter pass itself — and each node's Filter is then a few
// array reads.
//
// The rules (pkg/scheduler/framework/plugins/interpodaffinity/filtering.go,
// podtopologyspread/filtering.go, Kubernetes 1.33):
// - Pod affinity: the node must have every term's topologyKey, and its
//   domain must hold a pod matching all of the pod's terms — unless no
//   such pod exists anywhere and the pod matches its own terms (the first
//   of a group). Anti-affinity: no pod matching a term in the node's domain
//   of that term. Existing pods' required anti-affinity: no pod in the
//   node's domain has a term the incoming pod matches. Terminating pods
//   count (they are on their node until gone).
// - Topology spread (DoNotSchedule): the nodes that have every constraint's
//   key and pass its node inclusion policies (nodeAffinityPolicy Honor: the
//   pod's nodeSelector and required node affinity; nodeTaintsPolicy Honor:
//   no untolerated NoSchedule/NoExecute taint) make the domains; matching
//   pods of the pod's namespace, not terminating, are counted per domain;
//   a node passes when count(its domain) + (1 if the pod matches) - the
//   smallest count <= maxSkew, the smallest being 0 while there are fewer
//   domains than minDomains. A node without the key fails as unresolvable.
#ifndef KUBESIM_SIM_CLUSTER_POD_TOPOLOGY_H_
#define KUBESIM_SIM_CLUSTER_POD_TOPOLOGY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::cluster {

struct Node;
struct Pod;
class Store;

// One (namespaces, selector) pair of a term, resolved for the pod that
// holds it (its namespace, its matchLabelKeys / mismatchLabelKeys merged).
struct PodSelectorClause {
  bool all_namespaces = false;
  std::vector<std::string> namespaces;         // sorted
  std::optional<k8s::LabelSelector> selector;  // null: no pod
  bool Matches(const std::string& ns, const k8s::Labels& labels) const;
  std::string Key() const;  // a canonical text: equal clauses, equal keys
};

// InterPodAffinityArgs.HardPodAffinityWeight's default: what an existing
// pod's required affinity term adds to the score of a pod it selects.
inline constexpr int32_t kHardPodAffinityWeight = 1;

class PodTopology {
 public:
  // A selector's bound pods per node. Affinity terms count every bound pod
  // (terminating ones too); spread constraints skip terminating pods.
  struct Counter {
    std::vector<PodSelectorClause> clauses;  // a pod must match all of them
    bool skip_terminating = false;
    bool counts_nothing = false;  // a spread constraint's empty selector
    std::vector<int32_t> per_node;
    int64_t total = 0;
  };
  // Bound pods carrying a term, per domain of its key: a required
  // anti-affinity term (weight 0: InterPodAffinity's filter), or a term
  // InterPodAffinity's score reads (a required affinity term, weight
  // hardPodAffinityWeight 1; a preferred affinity term, +weight; a
  // preferred anti-affinity term, -weight).
  struct Carrier {
    PodSelectorClause clause;
    uint32_t key = 0;
    int32_t weight = 0;
    std::vector<int32_t> per_domain;
    int64_t total = 0;
  };
  // A node label used as a topology key: each node's domain (-1: no label).
  struct Key {
    std::string name;
    std::vector<int32_t> domain_of_node;
    int32_t domains = 0;
  };

  uint32_t KeyFor(const Store& store, const std::string& name);
  // `candidates`, when given, holds every pod the clauses could match (the
  // first count reads only those).
  uint32_t CounterFor(const Store& store, std::vector<PodSelectorClause> clauses,
                      bool skip_terminating, const std::vector<uint32_t>* candidates = nullptr);

  // The pod's changes, as the kubelet and API server make them.
  // PodBound and PodRelabelled: whether a selector counts it (a pod whose
  // terms or spread read it may now fit: the caller requeues unschedulable
  // pods, as the plugins' Pod/Add and UpdatePodLabel events do).
  bool PodBound(const Store& store, uint32_t pod);
  void PodDeleted(const Store& store, uint32_t pod);  // deletionTimestamp just set
  void PodGone(const Store& store, uint32_t pod);     // off its node
  // Its labels are about to change from `old_labels` (already replaced).
  bool PodRelabelled(const Store& store, uint32_t pod, const k8s::Labels& old_labels);

  // `--check`: every count, found afresh from the nodes' pods; the first
  // difference, described.
  std::optional<std::string> Verify(const Store& store) const;

  bool has_carriers() const { return live_carriers_ > 0; }
  bool has_score_carriers() const { return live_score_carriers_ > 0; }
  const std::vector<Counter>& counters() const { return counters_; }
  const std::vector<Carrier>& carriers() const { return carriers_; }
  const std::vector<Key>& keys() const { return keys_; }

 private:
  // Whether some counter counts it.
  bool Count(const Store& store, uint32_t pod, const k8s::Labels& labels, int delta,
             bool terminating_ones, bool others);
  void Carry(const Store& store, uint32_t pod, int delta);
  void CarryTerm(const Store& store, const Pod& p, const k8s::Labels& labels,
                 const k8s::PodAffinityTerm& t, int32_t weight, int delta);

  std::vector<Key> keys_;
  std::unordered_map<std::string, uint32_t> key_index_;
  std::vector<Counter> counters_;
  std::unordered_map<std::string, uint32_t> counter_index_;
  // The counters by a pair "key\0value" of their first clause's matchLabels
  // (a pod they count has it), and those without one: a pod's change visits
  // only the counters its labels can match.
  std::unordered_map<std::string, std::vector<uint32_t>> counters_by_label_;
  std::vector<uint32_t> unindexed_counters_;
  std::string label_key_;  // scratch
  std::vector<Carrier> carriers_;
  std::unordered_map<std::string, uint32_t> carrier_index_;
  int64_t live_carriers_ = 0;        // of required anti-affinity terms
  int64_t live_score_carriers_ = 0;  // of the terms the score reads
};

// The pod's nodeSelector and required node affinity terms hold for the node
// (GetRequiredNodeAffinity(pod).Match(node): NodeAffinity's filter, and the
// spread's nodeAffinityPolicy Honor; nodeName is not part of it).
bool RequiredNodeAffinityMatches(const k8s::PodSpec& spec, const Node& node);

// The labels a pod's matchLabelKeys / mismatchLabelKeys were merged from:
// those it was created with (the API server merges them into the selector
// then; a later relabel leaves the terms alone).
const k8s::Labels& TermLabels(const Pod& p);

// A term of a pod in namespace `ns` with `labels`, resolved (its namespaces,
// matchLabelKeys, mismatchLabelKeys).
PodSelectorClause ResolveAffinityTerm(const std::string& ns, const k8s::Labels& labels,
                                      const k8s::PodAffinityTerm& t);
PodSelectorClause ResolveSpreadConstraint(const std::string& ns, const k8s::Labels& labels,
                                          const k8s::TopologySpreadConstraint& c);

// Why a node fails the two filters (the first failure, in Filter order:
// PodTopologySpread, then InterPodAffinity's three checks).
enum class TopologyVerdict : uint8_t {
  kPass,
  kSpreadMissingLabel,  // UnschedulableAndUnresolvable
  kSpreadSkew,
  kAffinity,  // UnschedulableAndUnresolvable
  kAntiAffinity,
  kExistingAntiAffinity,
};
const char* TopologyVerdictReason(TopologyVerdict v);
bool TopologyVerdictUnresolvable(TopologyVerdict v);

// One scheduling cycle's PreFilter state for one pod.
class TopologyFilter {
 public:
  // False when neither filter can fail for `p` (no terms, no constraints,
  // no existing pod's anti-affinity term matches it): skip Filter. New
  // selectors and keys are registered in the store's index.
  bool Prepare(Store& store, const Pod& p);
  TopologyVerdict Filter(uint32_t node) const;

  // The scores (weight 2 each in the default profile), over the nodes that
  // passed every filter. InterPodAffinity (scoring.go): per topology domain,
  // + weight for each pod there that a preferred affinity term of the pod
  // selects, - weight for its preferred anti-affinity terms; and for each
  // pod there whose term selects this pod, + 1 (a required affinity term,
  // hardPodAffinityWeight), + weight (preferred affinity), - weight
  // (preferred anti-affinity); a node scores its domains' sums, normalized
  // min-max to 0..100 over the nodes. PodTopologySpread (scoring.go), for
  // the pod's ScheduleAnyway constraints: nodes lacking a key score 0; the
  // others count matching pods (not terminating) in their domain — for
  // kubernetes.io/hostname on the node itself — weighted by log(domains +
  // 2) plus maxSkew - 1, rounded, and fewer is better: 100 x (max + min -
  // score) / max. A pod without constraints of its own gets Kubernetes'
  // default ones (PodTopologySpreadArgs defaultingType System): hostname,
  // maxSkew 3, and topology.kubernetes.io/zone, maxSkew 5, ScheduleAnyway,
  // over DefaultSpreadCounter's pods. False when neither applies to `p`.
  bool PrepareScores(Store& store, const Pod& p);
  // Whether the only score PrepareScores found is the default constraint
  // by hostname (no zones, no affinity terms): then a node's score is a
  // function of its count of DefaultSpreadCounts() alone, which the
  // scheduler reads as it filters (HostnameSpreadScores).
  bool DefaultSpreadOnly() const {
    return system_defaulted_ && soft_.size() == 1 && interpod_.empty();
  }
  const int32_t* DefaultSpreadCounts(const Store& store) const;
  // PodTopologySpread's weighted, normalized score for each count in
  // `counts` (one per feasible node), added to `scores`.
  void HostnameSpreadScores(const std::vector<int32_t>& counts, std::vector<int64_t>* scores) const;
  // Each node's score of the two plugins, weighted, added to `scores`
  // (one per `nodes`).
  void AddScores(const Store& store, const Pod& p, const std::vector<uint32_t>& nodes,
                 std::vector<int64_t>* scores) const;

 private:
  struct DomainCounts {
    uint32_t key = 0;
    std::vector<int32_t> counts;  // by domain
  };
  struct Spread {
    uint32_t key = 0;
    int32_t max_skew = 0;
    int32_t self = 0;
    int32_t min = 0;
    std::vector<int32_t> counts;  // by domain, over the eligible nodes
  };
  void Reset();
  DomainCounts Sum(const Store& store, uint32_t counter, uint32_t key) const;
  // The counter of the pods the default constraints spread `p` from
  // (helper.DefaultSelector: the selectors of its Services and of its
  // ReplicaSet, ANDed, in its namespace); UINT32_MAX when that selector is
  // empty (no default constraints then).
  static uint32_t DefaultSpreadCounter(Store& store, const Pod& p);
  int32_t DomainOf(uint32_t key, uint32_t node) const { return (*keys_)[key].domain_of_node[node]; }

  const std::vector<PodTopology::Key>* keys_ = nullptr;
  std::vector<DomainCounts> affinity_;
  bool affinity_anywhere_ = false;  // some pod matches all affinity terms, in some domain
  bool affinity_self_ = false;      // the pod matches its own affinity terms
  std::vector<DomainCounts> anti_;
  std::vector<const PodTopology::Carrier*> existing_;
  std::vector<Spread> spread_;

  // PreScore.
  struct SoftSpread {
    uint32_t key = 0;
    bool hostname = false;
    int32_t max_skew = 0;
    uint32_t counter = UINT32_MAX;  // none: counts nothing (an empty selector)
    bool honor_affinity = true;
    bool honor_taints = false;
  };
  std::vector<std::pair<uint32_t, std::vector<int64_t>>> interpod_;  // key, by domain
  std::vector<SoftSpread> soft_;
  // The constraints are Kubernetes' defaults (systemDefaulted): nodes lacking
  // a key are scored by the constraints whose key they have, not ignored.
  bool system_defaulted_ = false;
  // AddScores' scratch.
  mutable std::vector<char> ignored_;
  mutable std::vector<int64_t> raw_;
  mutable std::vector<int64_t> raw_by_count_;
  mutable std::vector<int32_t> counts_by_node_;
  mutable std::vector<std::vector<char>> in_map_;
  mutable std::vector<std::vector<int64_t>> counts_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_POD_TOPOLOGY_H_
