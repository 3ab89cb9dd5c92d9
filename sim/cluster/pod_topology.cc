// See pod_topology.h.
#include "pod_topology.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "node_lifecycle_controller.h"
#include "store.h"

namespace kubesim::cluster {
namespace {

using Op = k8s::LabelSelectorRequirement::Operator;

// matchLabelKeys / mismatchLabelKeys merged into the selector for each key
// the pod has (the API server's merge at pod creation; a null selector stays
// null: no pod).
std::optional<k8s::LabelSelector> Merged(const std::optional<k8s::LabelSelector>& selector,
                                         const k8s::Labels& labels,
                                         const std::vector<std::string>& match_keys,
                                         const std::vector<std::string>& mismatch_keys) {
  if (!selector) return std::nullopt;
  k8s::LabelSelector out = *selector;
  for (const auto* keys : {&match_keys, &mismatch_keys}) {
    for (const std::string& key : *keys) {
      auto it = labels.find(key);
      if (it == labels.end()) continue;
      out.match_expressions.push_back(
          {key, keys == &match_keys ? Op::kIn : Op::kNotIn, {it->second}});
    }
  }
  return out;
}

std::string SelectorKey(const std::optional<k8s::LabelSelector>& s) {
  if (!s) return "null";
  std::string key = "{";
  for (const auto& [k, v] : s->match_labels) key += fmt::format("{}={},", k, v);
  key += "|";
  for (const auto& r : s->match_expressions) {
    key += fmt::format("{} {} (", r.key, k8s::OperatorName(r.op));
    for (const std::string& v : r.values) key += v + ",";
    key += "),";
  }
  return key + "}";
}

bool AllMatch(const std::vector<PodSelectorClause>& clauses, const std::string& ns,
              const k8s::Labels& labels) {
  return std::all_of(clauses.begin(), clauses.end(),
                     [&](const PodSelectorClause& c) { return c.Matches(ns, labels); });
}

// Each term of a pod's affinity that a carrier holds, with its carrier
// weight (Carrier): required anti-affinity 0, preferred anti-affinity
// -weight, required affinity hardPodAffinityWeight, preferred affinity
// +weight.
template <typename Fn>
void ForEachCarriedTerm(const k8s::PodSpec& spec, Fn fn) {
  if (spec.pod_anti_affinity) {
    for (const k8s::PodAffinityTerm& t : spec.pod_anti_affinity->required) fn(t, 0);
    for (const k8s::WeightedPodAffinityTerm& t : spec.pod_anti_affinity->preferred) {
      fn(t.term, -t.weight);
    }
  }
  if (spec.pod_affinity) {
    for (const k8s::PodAffinityTerm& t : spec.pod_affinity->required) fn(t, kHardPodAffinityWeight);
    for (const k8s::WeightedPodAffinityTerm& t : spec.pod_affinity->preferred) fn(t.term, t.weight);
  }
}

// A carrier's name in carrier_index_.
std::string CarrierName(uint32_t key, int32_t weight, const PodSelectorClause& clause) {
  return fmt::format("{};{};{}", key, weight, clause.Key());
}

// nodeTaintsPolicy Honor: no NoSchedule / NoExecute taint left untolerated
// — the node's own, node.kubernetes.io/unschedulable:NoSchedule while it is
// cordoned, node.kubernetes.io/unreachable while it is NotReady.
bool TaintsTolerated(const Store& store, uint32_t n, const k8s::PodSpec& spec) {
  static const std::vector<k8s::Taint> kCordoned = {
      {"node.kubernetes.io/unschedulable", "", "NoSchedule"}};
  const std::initializer_list<std::string_view> effects = {"NoSchedule", "NoExecute"};
  if (k8s::FirstUntolerated(store.nodes[n].taints, spec.tolerations, effects) != nullptr) {
    return false;
  }
  const NodeFit& fit = store.node_fit[n];
  if (fit.unschedulable && k8s::FirstUntolerated(kCordoned, spec.tolerations, effects) != nullptr) {
    return false;
  }
  return fit.condition_ready || ToleratesUnreachable(spec);
}

}  // namespace

bool RequiredNodeAffinityMatches(const k8s::PodSpec& spec, const Node& node) {
  for (const auto& [k, v] : spec.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  return !spec.node_affinity || spec.node_affinity->RequiredMatches(node.labels, node.name);
}

const k8s::Labels& TermLabels(const Pod& p) {
  return p.term_labels != nullptr ? *p.term_labels : *p.labels;
}

bool PodSelectorClause::Matches(const std::string& ns, const k8s::Labels& labels) const {
  if (!all_namespaces && !std::binary_search(namespaces.begin(), namespaces.end(), ns))
    return false;
  return selector && selector->Matches(labels);
}

std::string PodSelectorClause::Key() const {
  std::string key = all_namespaces ? "*" : "";
  for (const std::string& ns : namespaces) key += ns + ",";
  return key + ":" + SelectorKey(selector);
}

// GetNamespacesFromPodAffinityTerm (pkg/scheduler/framework/types.go): the
// listed namespaces, or the pod's own when none is listed and there is no
// namespaceSelector; an empty namespaceSelector selects every namespace.
// A namespaceSelector with terms would select by namespace labels, which
// kubesim does not keep (a load warning): its pod's own namespace stands in
// when none is listed.
PodSelectorClause ResolveAffinityTerm(const std::string& ns, const k8s::Labels& labels,
                                      const k8s::PodAffinityTerm& t) {
  PodSelectorClause c;
  c.all_namespaces = t.namespace_selector && t.namespace_selector->IsEmpty();
  if (!c.all_namespaces) {
    c.namespaces = t.namespaces.empty() ? std::vector<std::string>{ns} : t.namespaces;
    std::sort(c.namespaces.begin(), c.namespaces.end());
    c.namespaces.erase(std::unique(c.namespaces.begin(), c.namespaces.end()), c.namespaces.end());
  }
  c.selector = Merged(t.label_selector, labels, t.match_label_keys, t.mismatch_label_keys);
  return c;
}

PodSelectorClause ResolveSpreadConstraint(const std::string& ns, const k8s::Labels& labels,
                                          const k8s::TopologySpreadConstraint& t) {
  PodSelectorClause c;
  c.namespaces = {ns};
  c.selector = Merged(t.label_selector, labels, t.match_label_keys, {});
  return c;
}

// --- the index ----------------------------------------------------------------------

uint32_t PodTopology::KeyFor(const Store& store, const std::string& name) {
  const auto [it, added] = key_index_.try_emplace(name, static_cast<uint32_t>(keys_.size()));
  if (!added) return it->second;
  Key key;
  key.name = name;
  key.domain_of_node.assign(store.nodes.size(), -1);
  std::unordered_map<std::string, int32_t> domains;
  for (size_t n = 0; n < store.nodes.size(); ++n) {
    auto label = store.nodes[n].labels.find(name);
    if (label == store.nodes[n].labels.end()) continue;
    const auto [d, fresh] = domains.try_emplace(label->second, key.domains);
    if (fresh) ++key.domains;
    key.domain_of_node[n] = d->second;
  }
  keys_.push_back(std::move(key));
  return it->second;
}

uint32_t PodTopology::CounterFor(const Store& store, std::vector<PodSelectorClause> clauses,
                                 bool skip_terminating, const std::vector<uint32_t>* candidates) {
  std::string name = skip_terminating ? "live;" : "all;";
  for (const PodSelectorClause& c : clauses) name += c.Key() + ";";
  const auto [it, added] =
      counter_index_.try_emplace(name, static_cast<uint32_t>(counters_.size()));
  if (!added) return it->second;
  Counter c;
  c.clauses = std::move(clauses);
  c.skip_terminating = skip_terminating;
  c.per_node.assign(store.nodes.size(), 0);
  const auto count = [&](uint32_t id) {
    const Pod& p = store.pods[id];
    if (p.node == kNone || p.state == PodState::kGone || (skip_terminating && p.deleted)) return;
    if (AllMatch(c.clauses, p.namespace_name, *p.labels)) ++c.per_node[p.node], ++c.total;
  };
  if (candidates != nullptr) {
    for (uint32_t id : *candidates) count(id);
  } else {
    for (const Node& node : store.nodes) {
      for (uint32_t id : node.pods) count(id);
    }
  }
  const auto index = static_cast<uint32_t>(counters_.size());
  const std::optional<k8s::LabelSelector>& first = c.clauses.front().selector;
  if (first && !first->match_labels.empty()) {
    const auto& [k, v] = *first->match_labels.begin();
    counters_by_label_[k + '\0' + v].push_back(index);
  } else {
    unindexed_counters_.push_back(index);
  }
  counters_.push_back(std::move(c));
  return it->second;
}

bool PodTopology::Count(const Store& store, uint32_t pod, const k8s::Labels& labels, int delta,
                        bool skipping, bool others) {
  if (counters_.empty()) return false;
  const Pod& p = store.pods[pod];
  bool counted = false;
  const auto visit = [&](uint32_t index) {
    Counter& c = counters_[index];
    if (!(c.skip_terminating ? skipping : others)) return;
    if (!AllMatch(c.clauses, p.namespace_name, labels)) return;
    c.per_node[p.node] += delta;
    c.total += delta;
    counted = true;
  };
  for (uint32_t index : unindexed_counters_) visit(index);
  for (const auto& [k, v] : labels) {
    label_key_.assign(k);
    label_key_ += '\0';
    label_key_ += v;
    const auto it = counters_by_label_.find(label_key_);
    if (it == counters_by_label_.end()) continue;
    for (uint32_t index : it->second) visit(index);
  }
  return counted;
}

// The terms of a bound pod that keep pods away from, or draw them to, its
// domain (processExistingPod in interpodaffinity/scoring.go, and the
// existing pods' anti-affinity of filtering.go).
void PodTopology::Carry(const Store& store, uint32_t pod, int delta) {
  const Pod& p = store.pods[pod];
  const k8s::Labels& labels = TermLabels(p);
  ForEachCarriedTerm(*p.spec, [&](const k8s::PodAffinityTerm& t, int32_t weight) {
    CarryTerm(store, p, labels, t, weight, delta);
  });
}

void PodTopology::CarryTerm(const Store& store, const Pod& p, const k8s::Labels& labels,
                            const k8s::PodAffinityTerm& t, int32_t weight, int delta) {
  const uint32_t key = KeyFor(store, t.topology_key);
  const int32_t domain = keys_[key].domain_of_node[p.node];
  if (domain < 0) return;  // no domain: it keeps no pod away, draws none
  PodSelectorClause clause = ResolveAffinityTerm(p.namespace_name, labels, t);
  const std::string name = CarrierName(key, weight, clause);
  const auto [it, added] =
      carrier_index_.try_emplace(name, static_cast<uint32_t>(carriers_.size()));
  if (added) {
    Carrier c;
    c.clause = std::move(clause);
    c.key = key;
    c.weight = weight;
    c.per_domain.assign(static_cast<size_t>(keys_[key].domains), 0);
    carriers_.push_back(std::move(c));
  }
  Carrier& c = carriers_[it->second];
  c.per_domain[static_cast<size_t>(domain)] += delta;
  c.total += delta;
  (weight == 0 ? live_carriers_ : live_score_carriers_) += delta;
}

bool PodTopology::PodBound(const Store& store, uint32_t pod) {
  const Pod& p = store.pods[pod];
  if (counters_.empty() && !p.spec->pod_affinity && !p.spec->pod_anti_affinity) return false;
  const bool counted = Count(store, pod, *p.labels, +1, !p.deleted, true);
  Carry(store, pod, +1);
  return counted;
}

void PodTopology::PodDeleted(const Store& store, uint32_t pod) {
  const Pod& p = store.pods[pod];
  if (p.node == kNone) return;
  Count(store, pod, *p.labels, -1, true, false);
}

void PodTopology::PodGone(const Store& store, uint32_t pod) {
  if (counters_.empty() && carriers_.empty()) return;
  const Pod& p = store.pods[pod];
  if (p.node == kNone) return;
  Count(store, pod, *p.labels, -1, !p.deleted, true);
  Carry(store, pod, -1);
}

bool PodTopology::PodRelabelled(const Store& store, uint32_t pod, const k8s::Labels& old_labels) {
  const Pod& p = store.pods[pod];
  if (p.node == kNone) return false;
  // Its own terms keep the keys merged at its creation: only what selects
  // it changes.
  const bool was = Count(store, pod, old_labels, -1, !p.deleted, true);
  const bool is = Count(store, pod, *p.labels, +1, !p.deleted, true);
  return was || is;
}

std::optional<std::string> PodTopology::Verify(const Store& store) const {
  // The label index first: every counter is listed once, under the first
  // pair of its first clause's matchLabels (a pod it counts has that label)
  // or among the unindexed. Then the counts, from one walk of the bound
  // pods that visits, per pod, the counters its labels can match — the
  // whole check costs the pods' labels plus the counters' nodes, never
  // counters times pods.
  size_t listed = unindexed_counters_.size();
  for (const auto& [label, indexes] : counters_by_label_) listed += indexes.size();
  if (listed != counters_.size()) {
    return fmt::format("the topology index lists {} counters by label, it has {}", listed,
                       counters_.size());
  }
  for (size_t i = 0; i < counters_.size(); ++i) {
    const std::optional<k8s::LabelSelector>& first = counters_[i].clauses.front().selector;
    const std::vector<uint32_t>* bucket = &unindexed_counters_;
    if (first && !first->match_labels.empty()) {
      const auto& [k, v] = *first->match_labels.begin();
      auto it = counters_by_label_.find(k + '\0' + v);
      bucket = it == counters_by_label_.end() ? nullptr : &it->second;
    }
    if (bucket == nullptr || std::find(bucket->begin(), bucket->end(), i) == bucket->end()) {
      return fmt::format("the topology index does not list the counter of {} under its label",
                         counters_[i].clauses.front().Key());
    }
  }
  std::vector<std::vector<int32_t>> counted(counters_.size());
  for (std::vector<int32_t>& c : counted) c.assign(store.nodes.size(), 0);
  std::string label_key;
  for (size_t n = 0; n < store.nodes.size(); ++n) {
    for (uint32_t id : store.nodes[n].pods) {
      const Pod& p = store.pods[id];
      const auto visit = [&](uint32_t index) {
        const Counter& c = counters_[index];
        if (!(c.skip_terminating && p.deleted) &&
            AllMatch(c.clauses, p.namespace_name, *p.labels)) {
          ++counted[index][n];
        }
      };
      for (uint32_t index : unindexed_counters_) visit(index);
      for (const auto& [k, v] : *p.labels) {
        label_key.assign(k);
        label_key += '\0';
        label_key += v;
        const auto it = counters_by_label_.find(label_key);
        if (it == counters_by_label_.end()) continue;
        for (uint32_t index : it->second) visit(index);
      }
    }
  }
  for (size_t i = 0; i < counters_.size(); ++i) {
    const Counter& c = counters_[i];
    int64_t total = 0;
    for (size_t n = 0; n < store.nodes.size(); ++n) {
      total += counted[i][n];
      if (counted[i][n] != c.per_node[n]) {
        return fmt::format("node {}: the topology index counts {} pods matching {}, {} are there",
                           store.nodes[n].name, c.per_node[n], c.clauses.front().Key(),
                           counted[i][n]);
      }
    }
    if (total != c.total) {
      return fmt::format("the topology index counts {} pods matching {} in all, {} are bound",
                         c.total, c.clauses.front().Key(), total);
    }
  }
  std::vector<std::vector<int32_t>> carried(carriers_.size());
  for (size_t i = 0; i < carriers_.size(); ++i)
    carried[i].assign(carriers_[i].per_domain.size(), 0);
  for (size_t n = 0; n < store.nodes.size(); ++n) {
    for (uint32_t id : store.nodes[n].pods) {
      const Pod& p = store.pods[id];
      std::optional<std::string> wrong;
      ForEachCarriedTerm(*p.spec, [&](const k8s::PodAffinityTerm& t, int32_t weight) {
        auto key = key_index_.find(t.topology_key);
        if (key == key_index_.end()) {
          if (!wrong) wrong = fmt::format("pod {}: its affinity term's key is not indexed", p.name);
          return;
        }
        const int32_t domain = keys_[key->second].domain_of_node[n];
        if (domain < 0) return;
        auto c = carrier_index_.find(CarrierName(
            key->second, weight, ResolveAffinityTerm(p.namespace_name, TermLabels(p), t)));
        if (c == carrier_index_.end()) {
          if (!wrong) wrong = fmt::format("pod {}: its affinity term is not indexed", p.name);
          return;
        }
        ++carried[c->second][static_cast<size_t>(domain)];
      });
      if (wrong) return wrong;
    }
  }
  for (size_t i = 0; i < carriers_.size(); ++i) {
    if (carried[i] != carriers_[i].per_domain) {
      return fmt::format(
          "the topology index's affinity term {} is carried by other pods than "
          "those bound",
          carriers_[i].clause.Key());
    }
  }
  return std::nullopt;
}

// --- one cycle ----------------------------------------------------------------------

const char* TopologyVerdictReason(TopologyVerdict v) {
  switch (v) {
    case TopologyVerdict::kPass:
      return "";
    case TopologyVerdict::kSpreadMissingLabel:  // ErrReasonNodeLabelNotMatch
      return "node(s) didn't match pod topology spread constraints (missing required label)";
    case TopologyVerdict::kSpreadSkew:  // ErrReasonConstraintsNotMatch
      return "node(s) didn't match pod topology spread constraints";
    case TopologyVerdict::kAffinity:  // ErrReasonAffinityRulesNotMatch
      return "node(s) didn't match pod affinity rules";
    case TopologyVerdict::kAntiAffinity:  // ErrReasonAntiAffinityRulesNotMatch
      return "node(s) didn't match pod anti-affinity rules";
    case TopologyVerdict::kExistingAntiAffinity:  // ErrReasonExistingAntiAffinityRulesNotMatch
      return "node(s) didn't satisfy existing pods anti-affinity rules";
  }
  return "";
}

bool TopologyVerdictUnresolvable(TopologyVerdict v) {
  return v == TopologyVerdict::kSpreadMissingLabel || v == TopologyVerdict::kAffinity;
}

void TopologyFilter::Reset() {
  affinity_.clear();
  affinity_anywhere_ = false;
  affinity_self_ = false;
  anti_.clear();
  existing_.clear();
  spread_.clear();
}

TopologyFilter::DomainCounts TopologyFilter::Sum(const Store& store, uint32_t counter,
                                                 uint32_t key) const {
  const PodTopology::Key& k = store.topology.keys()[key];
  const std::vector<int32_t>& per_node = store.topology.counters()[counter].per_node;
  DomainCounts out;
  out.key = key;
  out.counts.assign(static_cast<size_t>(k.domains), 0);
  for (size_t n = 0; n < per_node.size(); ++n) {
    if (k.domain_of_node[n] >= 0)
      out.counts[static_cast<size_t>(k.domain_of_node[n])] += per_node[n];
  }
  return out;
}

bool TopologyFilter::Prepare(Store& store, const Pod& p) {
  Reset();
  PodTopology& index = store.topology;
  keys_ = &index.keys();
  const k8s::PodSpec& spec = *p.spec;
  const k8s::Labels& labels = *p.labels;
  const k8s::Labels& merged = TermLabels(p);
  const std::string& ns = p.namespace_name;
  // InterPodAffinity: the pod's required affinity terms, one counter of the
  // pods matching all of them, summed per term's domains.
  if (spec.pod_affinity && !spec.pod_affinity->required.empty()) {
    std::vector<PodSelectorClause> clauses;
    for (const k8s::PodAffinityTerm& t : spec.pod_affinity->required) {
      clauses.push_back(ResolveAffinityTerm(ns, merged, t));
    }
    affinity_self_ = AllMatch(clauses, ns, labels);
    const uint32_t counter = index.CounterFor(store, std::move(clauses), false);
    for (const k8s::PodAffinityTerm& t : spec.pod_affinity->required) {
      affinity_.push_back(Sum(store, counter, index.KeyFor(store, t.topology_key)));
      const std::vector<int32_t>& counts = affinity_.back().counts;
      affinity_anywhere_ = affinity_anywhere_ || std::any_of(counts.begin(), counts.end(),
                                                             [](int32_t c) { return c > 0; });
    }
  }
  if (spec.pod_anti_affinity) {
    for (const k8s::PodAffinityTerm& t : spec.pod_anti_affinity->required) {
      const uint32_t counter = index.CounterFor(store, {ResolveAffinityTerm(ns, merged, t)}, false);
      anti_.push_back(Sum(store, counter, index.KeyFor(store, t.topology_key)));
    }
  }
  if (index.has_carriers()) {
    for (const PodTopology::Carrier& c : index.carriers()) {
      if (c.weight == 0 && c.total > 0 && c.clause.Matches(ns, labels)) existing_.push_back(&c);
    }
  }
  // PodTopologySpread: its DoNotSchedule constraints.
  std::vector<const k8s::TopologySpreadConstraint*> hard;
  for (const k8s::TopologySpreadConstraint& c : spec.topology_spread_constraints) {
    if (c.when_unsatisfiable == "DoNotSchedule") hard.push_back(&c);
  }
  if (!hard.empty()) {
    std::vector<uint32_t> keys;
    for (const auto* c : hard) keys.push_back(index.KeyFor(store, c->topology_key));
    const auto has_all_keys = [&](size_t n) {
      return std::all_of(keys.begin(), keys.end(),
                         [&](uint32_t k) { return index.keys()[k].domain_of_node[n] >= 0; });
    };
    for (size_t i = 0; i < hard.size(); ++i) {
      const k8s::TopologySpreadConstraint& c = *hard[i];
      PodSelectorClause clause = ResolveSpreadConstraint(ns, merged, c);
      Spread s;
      s.key = keys[i];
      s.max_skew = c.max_skew;
      s.self = clause.selector && clause.selector->Matches(labels) ? 1 : 0;
      const PodTopology::Key& key = index.keys()[s.key];
      s.counts.assign(static_cast<size_t>(key.domains), 0);
      std::vector<char> present(static_cast<size_t>(key.domains), 0);
      // countPodsMatchSelector counts nothing for an empty selector.
      const bool counts = clause.selector && !clause.selector->IsEmpty();
      const std::vector<int32_t>* per_node =
          counts ? &index.counters()[index.CounterFor(store, {std::move(clause)}, true)].per_node
                 : nullptr;
      const bool honor_affinity = c.node_affinity_policy == "Honor";
      const bool honor_taints = c.node_taints_policy == "Honor";
      for (size_t n = 0; n < store.nodes.size(); ++n) {
        if (!has_all_keys(n)) continue;
        const Node& node = store.nodes[n];
        if (honor_affinity && !RequiredNodeAffinityMatches(*p.spec, node)) continue;
        if (honor_taints && !TaintsTolerated(store, static_cast<uint32_t>(n), spec)) continue;
        const auto d = static_cast<size_t>(key.domain_of_node[n]);
        present[d] = 1;
        if (per_node != nullptr) s.counts[d] += (*per_node)[n];
      }
      // minMatchNum: the smallest count over the domains; 0 while there are
      // fewer domains than minDomains (1 when not given).
      int32_t domains = 0;
      s.min = INT32_MAX;
      for (size_t d = 0; d < present.size(); ++d) {
        if (present[d] == 0) continue;
        ++domains;
        s.min = std::min(s.min, s.counts[d]);
      }
      if (domains < c.min_domains.value_or(1)) s.min = 0;
      spread_.push_back(std::move(s));
    }
  }
  return !affinity_.empty() || !anti_.empty() || !existing_.empty() || !spread_.empty();
}

bool TopologyFilter::PrepareScores(Store& store, const Pod& p) {
  interpod_.clear();
  soft_.clear();
  PodTopology& index = store.topology;
  keys_ = &index.keys();
  const k8s::PodSpec& spec = *p.spec;
  const std::string& ns = p.namespace_name;
  const k8s::Labels& labels = *p.labels;
  const k8s::Labels& merged = TermLabels(p);
  const auto add = [&](uint32_t key, int32_t domain, int64_t value) {
    auto it = std::find_if(interpod_.begin(), interpod_.end(),
                           [&](const auto& k) { return k.first == key; });
    if (it == interpod_.end()) {
      interpod_.emplace_back(key,
                             std::vector<int64_t>(static_cast<size_t>(index.keys()[key].domains)));
      it = interpod_.end() - 1;
    }
    it->second[static_cast<size_t>(domain)] += value;
  };
  // The pod's preferred terms, over the pods in each domain.
  const std::pair<const std::optional<k8s::PodAffinity>*, int32_t> kinds[] = {
      {&spec.pod_affinity, 1}, {&spec.pod_anti_affinity, -1}};
  for (const auto& [affinity, sign] : kinds) {
    if (!*affinity) continue;
    for (const k8s::WeightedPodAffinityTerm& t : (*affinity)->preferred) {
      const uint32_t counter =
          index.CounterFor(store, {ResolveAffinityTerm(ns, merged, t.term)}, false);
      const uint32_t key = index.KeyFor(store, t.term.topology_key);
      const DomainCounts sums = Sum(store, counter, key);
      for (size_t d = 0; d < sums.counts.size(); ++d) {
        if (sums.counts[d] != 0) {
          add(key, static_cast<int32_t>(d), int64_t{sign} * t.weight * sums.counts[d]);
        }
      }
    }
  }
  // The bound pods' terms that select this pod.
  if (index.has_score_carriers()) {
    for (const PodTopology::Carrier& c : index.carriers()) {
      if (c.weight == 0 || c.total == 0 || !c.clause.Matches(ns, labels)) continue;
      for (size_t d = 0; d < c.per_domain.size(); ++d) {
        if (c.per_domain[d] != 0)
          add(c.key, static_cast<int32_t>(d), int64_t{c.weight} * c.per_domain[d]);
      }
    }
  }
  // PodTopologySpread's ScheduleAnyway constraints, or for a pod without
  // any constraints Kubernetes' default ones (buildDefaultConstraints).
  system_defaulted_ = false;
  if (spec.topology_spread_constraints.empty()) {
    const uint32_t counter = DefaultSpreadCounter(store, p);
    if (counter != UINT32_MAX) {
      system_defaulted_ = true;
      SoftSpread s;
      s.counter = counter;
      s.key = index.KeyFor(store, "kubernetes.io/hostname");
      s.hostname = true;
      s.max_skew = 3;
      soft_.push_back(s);
      // A key no node has scores nothing: left out.
      const uint32_t zone = index.KeyFor(store, "topology.kubernetes.io/zone");
      if (index.keys()[zone].domains > 0) {
        s.key = zone;
        s.hostname = false;
        s.max_skew = 5;
        soft_.push_back(s);
      }
    }
  }
  for (const k8s::TopologySpreadConstraint& c : spec.topology_spread_constraints) {
    if (c.when_unsatisfiable != "ScheduleAnyway") continue;
    SoftSpread s;
    s.key = index.KeyFor(store, c.topology_key);
    s.hostname = c.topology_key == "kubernetes.io/hostname";
    s.max_skew = c.max_skew;
    s.honor_affinity = c.node_affinity_policy == "Honor";
    s.honor_taints = c.node_taints_policy == "Honor";
    PodSelectorClause clause = ResolveSpreadConstraint(ns, merged, c);
    if (clause.selector && !clause.selector->IsEmpty()) {
      s.counter = index.CounterFor(store, {std::move(clause)}, true);
    }
    soft_.push_back(s);
  }
  return !interpod_.empty() || !soft_.empty();
}

uint32_t TopologyFilter::DefaultSpreadCounter(Store& store, const Pod& p) {
  ReplicaSet* rs = p.owner_rs != kNone ? &store.replica_sets[p.owner_rs] : nullptr;
  if (rs != nullptr && rs->default_spread_known && rs->default_spread_services == p.services) {
    return rs->default_spread_counter;
  }
  // Services and the ReplicaSet select the pod, so their labels agree.
  k8s::LabelSelector selector;
  for (uint32_t sid : p.services) {
    for (const auto& [k, v] : store.services[sid].selector) selector.match_labels[k] = v;
  }
  if (rs != nullptr) {
    for (const auto& [k, v] : rs->selector.match_labels) selector.match_labels[k] = v;
    selector.match_expressions = rs->selector.match_expressions;
    // A Deployment's ReplicaSet selects by its pod-template-hash too
    // (CloneSelectorAndAddLabel in the deployment controller's
    // getNewReplicaSet); kubesim keeps the hash apart (ReplicaSet::hash).
    if (!rs->hash.empty()) selector.match_labels[std::string(rs->hash_key)] = rs->hash;
  }
  uint32_t counter = UINT32_MAX;
  if (!selector.IsEmpty()) {
    // A Deployment's ReplicaSet selects its own pods only (its hash).
    const bool own_pods = rs != nullptr && !rs->hash.empty();
    PodSelectorClause clause;
    clause.namespaces = {p.namespace_name};
    clause.selector = std::move(selector);
    counter = store.topology.CounterFor(store, {std::move(clause)}, true,
                                        own_pods ? &rs->pods : nullptr);
  }
  if (rs != nullptr) {
    rs->default_spread_known = true;
    rs->default_spread_services = p.services;
    rs->default_spread_counter = counter;
  }
  return counter;
}

const int32_t* TopologyFilter::DefaultSpreadCounts(const Store& store) const {
  return store.topology.counters()[soft_.front().counter].per_node.data();
}

// The default constraints on a cluster without zones: hostname alone, every
// node scored (each has the label), a node's raw score a function of its
// count only — computed once per count.
void TopologyFilter::HostnameSpreadScores(const std::vector<int32_t>& counts,
                                          std::vector<int64_t>* scores) const {
  constexpr int64_t kWeight = 2;
  const int32_t max_skew = soft_.front().max_skew;
  const double weight = std::log(static_cast<double>(counts.size() + 2));
  std::vector<int64_t>& by_count = raw_by_count_;
  by_count.assign(64, -1);
  std::vector<int64_t>& raw = raw_;
  raw.resize(counts.size());
  int64_t min = INT64_MAX;
  int64_t max = 0;
  for (size_t i = 0; i < counts.size(); ++i) {
    const int32_t cnt = counts[i];
    const bool memo = cnt >= 0 && cnt < 64;
    int64_t r = memo ? by_count[static_cast<size_t>(cnt)] : -1;
    if (r < 0) {
      r = std::llround(static_cast<double>(cnt) * weight + static_cast<double>(max_skew - 1));
      if (memo) by_count[static_cast<size_t>(cnt)] = r;
    }
    raw[i] = r;
    min = std::min(min, r);
    max = std::max(max, r);
  }
  for (size_t i = 0; i < counts.size(); ++i) {
    (*scores)[i] += kWeight * (max == 0 ? kMaxNodeScore : kMaxNodeScore * (max + min - raw[i]) / max);
  }
}

void TopologyFilter::AddScores(const Store& store, const Pod& p, const std::vector<uint32_t>& nodes,
                               std::vector<int64_t>* scores) const {
  constexpr int64_t kWeight = 2;  // both plugins' weight in the default profile
  if (!interpod_.empty()) {
    std::vector<int64_t> raw(nodes.size(), 0);
    for (size_t i = 0; i < nodes.size(); ++i) {
      for (const auto& [key, by_domain] : interpod_) {
        const int32_t d = DomainOf(key, nodes[i]);
        if (d >= 0) raw[i] += by_domain[static_cast<size_t>(d)];
      }
    }
    const auto [lo, hi] = std::minmax_element(raw.begin(), raw.end());
    const int64_t min = *lo;
    const int64_t diff = *hi - *lo;
    for (size_t i = 0; i < nodes.size() && diff > 0; ++i) {
      const double f = static_cast<double>(kMaxNodeScore) *
                       (static_cast<double>(raw[i] - min) / static_cast<double>(diff));
      (*scores)[i] += kWeight * static_cast<int64_t>(f);
    }
  }
  if (soft_.empty()) return;
  if (DefaultSpreadOnly()) {
    std::vector<int32_t>& counts = counts_by_node_;
    counts.resize(nodes.size());
    const int32_t* per_node = DefaultSpreadCounts(store);
    for (size_t i = 0; i < nodes.size(); ++i) counts[i] = per_node[nodes[i]];
    HostnameSpreadScores(counts, scores);
    return;
  }
  // initPreScoreState: nodes lacking a key are ignored; each constraint's
  // domains among the others, and their number.
  const auto has_all_keys = [&](uint32_t n) {
    return system_defaulted_ ||
           std::all_of(soft_.begin(), soft_.end(),
                       [&](const SoftSpread& s) { return DomainOf(s.key, n) >= 0; });
  };
  std::vector<char>& ignored = ignored_;
  ignored.assign(nodes.size(), 0);
  std::vector<std::vector<char>>& in_map = in_map_;
  in_map.resize(soft_.size());
  std::vector<int64_t> sizes(soft_.size(), 0);
  for (size_t k = 0; k < soft_.size(); ++k) {
    // A hostname constraint's size is the number of nodes scored.
    if (!soft_[k].hostname) in_map[k].assign(static_cast<size_t>((*keys_)[soft_[k].key].domains), 0);
  }
  int64_t not_ignored = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    ignored[i] = has_all_keys(nodes[i]) ? 0 : 1;
    if (ignored[i] != 0) continue;
    ++not_ignored;
    for (size_t k = 0; k < soft_.size(); ++k) {
      if (soft_[k].hostname) continue;
      const int32_t domain = DomainOf(soft_[k].key, nodes[i]);
      if (domain < 0) continue;  // (system defaulted only)
      const auto d = static_cast<size_t>(domain);
      if (in_map[k][d] == 0) ++sizes[k];
      in_map[k][d] = 1;
    }
  }
  // PreScore: matching pods per domain, over every node that has all keys
  // and passes the constraint's inclusion policies.
  std::vector<std::vector<int64_t>>& counts = counts_;
  counts.resize(soft_.size());
  std::vector<double> weights(soft_.size());  // topologyNormalizingWeight
  for (size_t k = 0; k < soft_.size(); ++k) {
    const SoftSpread& s = soft_[k];
    weights[k] = std::log(static_cast<double>((s.hostname ? not_ignored : sizes[k]) + 2));
    if (s.hostname || s.counter == UINT32_MAX) continue;
    counts[k].assign(in_map[k].size(), 0);
    const std::vector<int32_t>& per_node = store.topology.counters()[s.counter].per_node;
    for (uint32_t n = 0; n < store.nodes.size(); ++n) {
      if (!has_all_keys(n) || DomainOf(s.key, n) < 0) continue;
      const Node& node = store.nodes[n];
      if (s.honor_affinity && !RequiredNodeAffinityMatches(*p.spec, node)) continue;
      if (s.honor_taints && !TaintsTolerated(store, n, *p.spec)) continue;
      counts[k][static_cast<size_t>(DomainOf(s.key, n))] += per_node[n];
    }
  }
  std::vector<int64_t>& raw = raw_;
  raw.assign(nodes.size(), 0);
  int64_t min = INT64_MAX;
  int64_t max = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (ignored[i] != 0) continue;
    double score = 0;
    for (size_t k = 0; k < soft_.size(); ++k) {
      const SoftSpread& s = soft_[k];
      const int32_t domain = DomainOf(s.key, nodes[i]);
      if (domain < 0) continue;  // (system defaulted only)
      int64_t cnt = 0;
      if (s.counter != UINT32_MAX) {
        cnt = s.hostname ? store.topology.counters()[s.counter].per_node[nodes[i]]
                         : counts[k][static_cast<size_t>(domain)];
      }
      // scoreForCount with topologyNormalizingWeight.
      score += static_cast<double>(cnt) * weights[k] + static_cast<double>(s.max_skew - 1);
    }
    raw[i] = std::llround(score);
    min = std::min(min, raw[i]);
    max = std::max(max, raw[i]);
  }
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (ignored[i] != 0) continue;
    (*scores)[i] +=
        kWeight * (max == 0 ? kMaxNodeScore : kMaxNodeScore * (max + min - raw[i]) / max);
  }
}

TopologyVerdict TopologyFilter::Filter(uint32_t node) const {
  for (const Spread& s : spread_) {
    const int32_t d = DomainOf(s.key, node);
    if (d < 0) return TopologyVerdict::kSpreadMissingLabel;
    if (s.counts[static_cast<size_t>(d)] + s.self - s.min > s.max_skew) {
      return TopologyVerdict::kSpreadSkew;
    }
  }
  if (!affinity_.empty()) {
    bool pods_exist = true;
    for (const DomainCounts& a : affinity_) {
      const int32_t d = DomainOf(a.key, node);
      if (d < 0) return TopologyVerdict::kAffinity;  // every topology label must exist
      if (a.counts[static_cast<size_t>(d)] <= 0) pods_exist = false;
    }
    // The first pod of a group whose terms select itself goes anywhere.
    if (!pods_exist && (affinity_anywhere_ || !affinity_self_)) return TopologyVerdict::kAffinity;
  }
  for (const DomainCounts& a : anti_) {
    const int32_t d = DomainOf(a.key, node);
    if (d >= 0 && a.counts[static_cast<size_t>(d)] > 0) return TopologyVerdict::kAntiAffinity;
  }
  for (const PodTopology::Carrier* c : existing_) {
    const int32_t d = DomainOf(c->key, node);
    if (d >= 0 && c->per_domain[static_cast<size_t>(d)] > 0) {
      return TopologyVerdict::kExistingAntiAffinity;
    }
  }
  return TopologyVerdict::kPass;
}

}  // namespace kubesim::cluster
