// The scenario loader; see include/kubesim/scenario/load.h.
//
// Flow: bytes -> yaml::Parse (limits, encoding checks) -> documents ->
// the Scenario document (strict fields, suggestions) and Kubernetes objects
// (k8s::DecodeDocument: defaults + validation) -> a replay of the timeline
// against an object store at load time, so that every step is known to run
// (files read and valid, objects present, containers named) -> Scenario.
#include "kubesim/scenario/load.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <set>
#include <sstream>

#include "k8s/decode.h"
#include "k8s/reader.h"
#include "k8s/yaml_tree.h"
#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/validation.h"

namespace kubesim::scenario {
namespace {

using k8s::Diagnostic;
using k8s::Diagnostics;
using k8s::ObjectKey;
using k8s::Position;
using k8s::Nearest;
using k8s::Reader;
using k8s::Severity;
using yaml::Node;
using yaml::NodePtr;

constexpr std::string_view kApiVersion = "kubesim/v1alpha1";
constexpr size_t kMaxFileBytes = 16u << 20;
// The fastest Poisson client (`rate:`): one request per microsecond.
constexpr double kMaxRatePerSecond = 1e6;

// ---- Small helpers ------------------------------------------------------------

std::string Sub(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : fmt::format("{}.{}", path, field);
}
std::string Idx(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }

std::string JoinQuoted(const std::vector<std::string_view>& names) {
  std::string s;
  for (auto n : names) s += fmt::format("{}{}", s.empty() ? "" : ", ", n);
  return s;
}

Expected<std::string> ReadStdinOnce() {
  std::string text;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<size_t>(std::cin.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Error{fmt::format("standard input is larger than {} bytes", kMaxFileBytes)};
    }
  }
  return text;
}

// ---- The loader ---------------------------------------------------------------

struct Stored {
  k8s::Object object;
  NodePtr tree;
  std::string file;
};

struct Revision {
  int64_t number = 0;
  NodePtr tree;  // spec.template
  k8s::PodTemplateSpec spec;
};

// A step of a path into a YAML tree for SetIn: a mapping key, or a
// sequence index.
struct PathElem {
  PathElem(std::string k) : key(std::move(k)) {}  // NOLINT: implicit by design
  PathElem(size_t i) : index(i), is_index(true) {}  // NOLINT: implicit by design
  std::string key;
  size_t index = 0;
  bool is_index = false;
};

NodePtr SetIn(const NodePtr& node, const std::vector<PathElem>& path, size_t i,
              const NodePtr& value) {
  if (i == path.size()) return value;
  if (!path[i].is_index) {
    const std::string* key = &path[i].key;
    std::vector<yaml::Entry> entries;
    yaml::Mark mark = value->mark;
    bool found = false;
    if (node && node->IsMap()) {
      entries = node->entries;
      mark = node->mark;
    }
    for (auto& e : entries) {
      if (e.key == *key) {
        e.value = SetIn(e.value, path, i + 1, value);
        found = true;
      }
    }
    if (!found) entries.push_back(yaml::Entry{*key, mark, SetIn(nullptr, path, i + 1, value)});
    return yaml::MakeMap(std::move(entries), mark);
  }
  const size_t index = path[i].index;
  std::vector<NodePtr> items;
  yaml::Mark mark = value->mark;
  if (node && node->IsSequence()) {
    items = node->items;
    mark = node->mark;
  }
  if (index >= items.size()) return node;  // cannot happen for decoded objects
  items[index] = SetIn(items[index], path, i + 1, value);
  return yaml::MakeSequence(std::move(items), mark);
}

// A copy of `n` with every mark set to `mark` (patch text has its own lines).
NodePtr Relocate(const Node& n, yaml::Mark mark) {
  auto c = std::make_shared<Node>(n);
  c->mark = mark;
  for (auto& item : c->items) item = Relocate(*item, mark);
  for (auto& e : c->entries) {
    e.key_mark = mark;
    e.value = Relocate(*e.value, mark);
  }
  return c;
}

bool IsListOfNamedMaps(const Node& n) {
  return n.IsSequence() && std::all_of(n.items.begin(), n.items.end(), [](const NodePtr& i) {
           return i->IsMap() && i->Get("name") != nullptr && i->Get("name")->IsScalar();
         });
}

// RFC 7386 JSON merge patch; `strategic` adds the strategic-merge rule that
// matters for the kinds simulated: lists of objects with a `name` (containers,
// ports) merge by name.
NodePtr MergePatch(const NodePtr& target, const Node& patch, bool strategic, yaml::Mark mark) {
  if (!patch.IsMap()) return Relocate(patch, mark);
  std::vector<yaml::Entry> entries;
  yaml::Mark at = mark;
  if (target && target->IsMap()) {
    entries = target->entries;
    at = target->mark;
  }
  for (const auto& pe : patch.entries) {
    auto it = std::find_if(entries.begin(), entries.end(),
                           [&](const yaml::Entry& e) { return e.key == pe.key; });
    if (pe.value->IsNull()) {
      if (it != entries.end()) entries.erase(it);
      continue;
    }
    NodePtr merged;
    if (it != entries.end() && strategic && IsListOfNamedMaps(*it->value) &&
        IsListOfNamedMaps(*pe.value)) {
      std::vector<NodePtr> items = it->value->items;
      for (const auto& pi : pe.value->items) {
        const std::string& name = pi->Get("name")->scalar;
        auto match = std::find_if(items.begin(), items.end(), [&](const NodePtr& x) {
          return x->Get("name")->scalar == name;
        });
        if (match != items.end()) {
          *match = MergePatch(*match, *pi, strategic, mark);
        } else {
          items.push_back(MergePatch(nullptr, *pi, strategic, mark));
        }
      }
      merged = yaml::MakeSequence(std::move(items), it->value->mark);
    } else {
      merged = MergePatch(it != entries.end() ? it->value : nullptr, *pe.value, strategic, mark);
    }
    if (it != entries.end()) {
      it->value = merged;
    } else {
      entries.push_back(yaml::Entry{pe.key, mark, merged});
    }
  }
  return yaml::MakeMap(std::move(entries), at);
}

const std::vector<std::string_view> kTopFields = {"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string_view> kMetaFields = {"name", "labels", "annotations"};
const std::vector<std::string_view> kSpecFields = {"seed",    "until",    "cluster", "images",
                                                   "traffic", "timeline", "expect"};
const std::vector<std::string_view> kClusterFields = {"nodes", "timing"};
const std::vector<std::string_view> kNodeFields = {"name", "count", "capacity", "labels"};
const std::vector<std::string_view> kCapacityFields = {"cpu", "memory", "pods"};
const std::vector<std::string_view> kTimingFields = {"controllerDelay", "schedulingDelay",
                                                     "endpointDelay"};
const std::vector<std::string_view> kImageFields = {"version", "pull",    "start",     "shutdown",
                                                    "drain",   "healthy", "crashAfter"};
const std::vector<std::string_view> kTrafficFields = {"name", "service", "every", "rate", "from"};
const std::vector<std::string_view> kStepFields = {"at", "kubectl", "fail", "recover"};
const std::vector<std::string_view> kDistributions = {"uniform", "normal", "lognormal",
                                                      "exponential"};

class Loader {
 public:
  Loader(std::string_view text, std::string file, const LoadOptions& options)
      : text_(text),
        file_(std::move(file)),
        options_(options),
        r_(file_, &diags_, "", nullptr) {
    dir_ = std::filesystem::path(file_).parent_path();
  }

  LoadResult Run(bool allow_manifest);

 private:
  // Parsing any file of the scenario into documents, errors reported.
  std::optional<std::vector<yaml::Document>> ParseFile(std::string_view text,
                                                       const std::string& file);
  void CheckFields(const Node& map, const std::string& path,
                   const std::vector<std::string_view>& known);
  bool DecodeScenario(const Node& root, Scenario* s);
  std::optional<DurationDistribution> Duration(const Node* n, const std::string& path,
                                               bool allow_distribution);
  std::optional<SimDuration> FixedDuration(const Node* n, const std::string& path);
  void DecodeCluster(const Node* n, yaml::Mark parent, Cluster* c);
  void DecodeImages(const Node* n, Scenario* s);
  void DecodeTraffic(const Node* n, Scenario* s);
  void DecodeTimeline(const Node* n, Scenario* s);
  void DecodeExpect(const Node* n, Scenario* s);

  // The replay of the timeline against a store of objects.
  void ApplyObject(const k8s::DecodedObject& d, const std::string& file, Step* step);
  bool NamespaceExists(const std::string& ns) const;
  void RunStep(Step* step, const Scenario& s);
  std::optional<std::vector<k8s::DecodedObject>> ReadManifest(const std::string& name,
                                                               Step* step, int* errors);
  const Stored* Find(const ObjectKey& key, Step* step, size_t offset);
  void Replace(const Stored& old, NodePtr tree, Step* step);
  void StepError(const Step& step, size_t offset, const std::string& message);
  void CheckReferences(const Scenario& s);

  std::string_view text_;
  std::string file_;
  std::filesystem::path dir_;
  const LoadOptions& options_;
  Diagnostics diags_;
  Reader r_;

  std::map<ObjectKey, Stored> store_;
  std::set<ObjectKey> ever_;
  std::map<ObjectKey, std::vector<Revision>> history_;
  std::optional<std::string> stdin_;
  // Steps' value nodes (positions of the kubectl line), parallel to timeline.
  std::vector<const Node*> step_nodes_;
};

std::optional<std::vector<yaml::Document>> Loader::ParseFile(std::string_view text,
                                                             const std::string& file) {
  yaml::Limits limits;
  limits.max_bytes = kMaxFileBytes;
  yaml::Stream stream = yaml::Parse(text, limits);
  for (const auto& e : stream.errors) {
    diags_.push_back(Diagnostic{Severity::kError,
                                Position{file, e.mark.line + 1, e.mark.column + 1}, e.message});
  }
  if (!stream.errors.empty()) return std::nullopt;
  std::vector<yaml::Document> docs;
  for (auto& d : stream.documents) {
    if (!d.root->IsNull()) docs.push_back(std::move(d));
  }
  return docs;
}

void Loader::CheckFields(const Node& map, const std::string& path,
                         const std::vector<std::string_view>& known) {
  for (const auto& e : map.entries) {
    if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
    const std::string where = path.empty() ? "" : fmt::format(" in {}", path);
    if (auto near = Nearest(e.key, known)) {
      r_.Error(e.key_mark, "",
               fmt::format("unknown field \"{}\"{}; did you mean \"{}\"?", e.key, where, *near));
    } else {
      r_.Error(e.key_mark, "",
               fmt::format("unknown field \"{}\"{} (known fields: {})", e.key, where,
                           JoinQuoted(known)));
    }
  }
}

std::optional<SimDuration> Loader::FixedDuration(const Node* n, const std::string& path) {
  if (!n->IsScalar() || yaml::Resolve(*n) == yaml::ScalarType::kBool) {
    r_.Error(n->mark, path,
             fmt::format("expected a duration (such as 250ms, 1.5s, 2m30s or a number of "
                         "seconds), got {}",
                         yaml::Describe(*n)));
    return std::nullopt;
  }
  auto d = ParseDuration(n->scalar);
  if (!d) {
    r_.Error(n->mark, path, d.error());
    return std::nullopt;
  }
  if (*d < SimDuration::Zero()) {
    r_.Error(n->mark, path, fmt::format("duration {} must not be negative", n->scalar));
    return std::nullopt;
  }
  return *d;
}

std::optional<DurationDistribution> Loader::Duration(const Node* n, const std::string& path,
                                                     bool allow_distribution) {
  if (n->IsMap() && allow_distribution) {
    CheckFields(*n, path, kDistributions);
    if (n->entries.size() != 1) {
      r_.Error(n->mark, path,
               "a distribution has exactly one of uniform, normal, lognormal, exponential");
      return std::nullopt;
    }
    const auto& e = n->entries[0];
    const Node& v = *e.value;
    const std::string p = Sub(path, e.key);
    if (e.key == "uniform") {
      if (!v.IsSequence() || v.items.size() != 2) {
        r_.Error(v.mark, p, "expected [LOW, HIGH], two durations");
        return std::nullopt;
      }
      auto lo = FixedDuration(v.items[0].get(), Idx(p, 0));
      auto hi = FixedDuration(v.items[1].get(), Idx(p, 1));
      if (!lo || !hi) return std::nullopt;
      if (*lo > *hi) {
        r_.Error(v.mark, p, "the low bound is above the high bound");
        return std::nullopt;
      }
      return DurationDistribution::Uniform(*lo, *hi);
    }
    if (e.key == "normal" || e.key == "lognormal" || e.key == "exponential") {
      if (!v.IsMap()) {
        r_.Error(v.mark, p, fmt::format("expected a mapping, got {}", yaml::Describe(v)));
        return std::nullopt;
      }
      const std::vector<std::string_view> fields =
          e.key == "normal"      ? std::vector<std::string_view>{"mean", "stddev"}
          : e.key == "lognormal" ? std::vector<std::string_view>{"median", "sigma"}
                                 : std::vector<std::string_view>{"mean"};
      CheckFields(v, p, fields);
      for (auto f : fields) {
        if (v.Get(f) == nullptr || v.Get(f)->IsNull()) {
          r_.Error(v.mark, Sub(p, f), "Required value");
          return std::nullopt;
        }
      }
      auto a = FixedDuration(v.Get(fields[0]), Sub(p, fields[0]));
      if (!a) return std::nullopt;
      if (e.key == "exponential") return DurationDistribution::Exponential(*a);
      if (e.key == "normal") {
        auto b = FixedDuration(v.Get("stddev"), Sub(p, "stddev"));
        if (!b) return std::nullopt;
        return DurationDistribution::Normal(*a, *b);
      }
      const Node* sn = v.Get("sigma");
      double sigma = -1;
      const auto t = yaml::Resolve(*sn);
      if (sn->IsScalar() && (t == yaml::ScalarType::kInt || t == yaml::ScalarType::kFloat)) {
        const char* b = sn->scalar.data();
        const auto [ptr, ec] = std::from_chars(b + (sn->scalar[0] == '+' ? 1 : 0),
                                               b + sn->scalar.size(), sigma);
        if (ec != std::errc() || ptr != b + sn->scalar.size()) sigma = -1;
      }
      if (!(sigma >= 0) || !std::isfinite(sigma) || sigma > 100) {
        r_.Error(sn->mark, Sub(p, "sigma"),
                 fmt::format("expected a number from 0 to 100, got {}", yaml::Describe(*sn)));
        return std::nullopt;
      }
      return DurationDistribution::Lognormal(*a, sigma);
    }
    return std::nullopt;  // unknown key: reported by CheckFields
  }
  if (n->IsMap() || n->IsSequence()) {
    r_.Error(n->mark, path,
             allow_distribution
                 ? fmt::format("expected a duration or a distribution ({{uniform: [1s, 3s]}}, "
                               "{{normal: {{mean: 2s, stddev: 500ms}}}}, ...), got {}",
                               yaml::Describe(*n))
                 : fmt::format("expected a duration, got {}", yaml::Describe(*n)));
    return std::nullopt;
  }
  auto d = FixedDuration(n, path);
  if (!d) return std::nullopt;
  return DurationDistribution::Fixed(*d);
}

void Loader::DecodeCluster(const Node* n, yaml::Mark parent, Cluster* c) {
  const Node* m = r_.Map(n, "spec.cluster");
  if (m == nullptr) {
    if (n == nullptr || n->IsNull()) {
      r_.Error(n != nullptr ? n->mark : parent, "spec.cluster",
               "Required value: a scenario needs a cluster with at least one node group");
    }
    return;
  }
  CheckFields(*m, "spec.cluster", kClusterFields);
  const Node* nodes = r_.Seq(m->Get("nodes"), "spec.cluster.nodes");
  if (nodes == nullptr || nodes->items.empty()) {
    if (m->Get("nodes") == nullptr || nodes != nullptr) {
      r_.Error(nodes ? nodes->mark : m->mark, "spec.cluster.nodes",
               "Required value: list at least one node group (name, count, capacity)");
    }
  } else {
    std::set<std::string> names;
    for (size_t i = 0; i < nodes->items.size(); ++i) {
      const std::string p = Idx("spec.cluster.nodes", i);
      const Node* g = r_.Map(nodes->items[i].get(), p);
      if (g == nullptr) {
        if (nodes->items[i]->IsNull()) r_.Error(nodes->items[i]->mark, p, "expected a node group, got null");
        continue;
      }
      CheckFields(*g, p, kNodeFields);
      NodeGroup group;
      group.position = r_.Pos(g->mark);
      r_.String(g->Get("name"), Sub(p, "name"), &group.name);
      if (group.name.empty()) {
        r_.Error(g->mark, Sub(p, "name"), "Required value");
      } else if (auto why = k8s::CheckDns1123Subdomain(group.name + "-0"); !why.empty()) {
        r_.Error(g->Get("name")->mark, Sub(p, "name"),
                 fmt::format("Invalid value: \"{}\": node names are NAME-INDEX and {}", group.name,
                             why));
      } else if (!names.insert(group.name).second) {
        r_.Error(g->Get("name")->mark, Sub(p, "name"),
                 fmt::format("Duplicate value: \"{}\"", group.name));
      }
      int64_t count = 1;
      r_.Int(g->Get("count"), Sub(p, "count"), 0, 100'000, &count);
      group.count = static_cast<int32_t>(count);
      const std::string cp = Sub(p, "capacity");
      const Node* cap = r_.Map(g->Get("capacity"), cp);
      if (cap == nullptr) {
        if (g->Get("capacity") == nullptr || g->Get("capacity")->IsNull()) {
          r_.Error(g->mark, cp, "Required value: give the node's allocatable cpu and memory");
        }
      } else {
        CheckFields(*cap, cp, kCapacityFields);
        for (auto [field, q] : {std::pair{"cpu", &group.cpu}, std::pair{"memory", &group.memory}}) {
          const Node* qn = cap->Get(field);
          if (qn == nullptr || qn->IsNull()) {
            r_.Error(cap->mark, Sub(cp, field), "Required value");
          } else if (r_.QuantityValue(qn, Sub(cp, field), q) && q->MilliValue() <= 0) {
            r_.Error(qn->mark, Sub(cp, field),
                     fmt::format("Invalid value: \"{}\": must be greater than 0", qn->scalar));
          }
        }
        r_.Int(cap->Get("pods"), Sub(cp, "pods"), 1, 1'000'000, &group.pods);
      }
      if (r_.StringMap(g->Get("labels"), Sub(p, "labels"), &group.labels)) {
        for (const auto& [k, v] : group.labels) {
          if (auto why = k8s::CheckLabelKey(k); !why.empty()) {
            r_.Error(g->Get("labels")->mark, Sub(p, "labels"),
                     fmt::format("Invalid value: \"{}\": {}", k, why));
          }
          if (auto why = k8s::CheckLabelValue(v); !why.empty()) {
            r_.Error(g->Get("labels")->Get(k)->mark, Sub(p, "labels." + k),
                     fmt::format("Invalid value: \"{}\": {}", v, why));
          }
        }
      }
      c->nodes.push_back(std::move(group));
    }
  }
  const Node* t = r_.Map(m->Get("timing"), "spec.cluster.timing");
  if (t != nullptr) {
    CheckFields(*t, "spec.cluster.timing", kTimingFields);
    for (auto [field, dst] :
         {std::pair{"controllerDelay", &c->timing.controller_delay},
          std::pair{"schedulingDelay", &c->timing.scheduling_delay},
          std::pair{"endpointDelay", &c->timing.endpoint_delay}}) {
      const Node* v = t->Get(field);
      if (v == nullptr || v->IsNull()) continue;
      if (auto d = Duration(v, Sub("spec.cluster.timing", field), true)) *dst = *d;
    }
  }
}

void Loader::DecodeImages(const Node* n, Scenario* s) {
  const Node* m = r_.Map(n, "spec.images");
  if (m == nullptr) return;
  for (const auto& e : m->entries) {
    const std::string p = fmt::format("spec.images[\"{}\"]", e.key);
    ImageProfile prof;
    prof.image = e.key;
    prof.position = r_.Pos(e.key_mark);
    if (e.key.empty() || e.key.find_first_of(" \t") != std::string::npos) {
      r_.Error(e.key_mark, "spec.images",
               fmt::format("\"{}\" is not an image reference (no blanks, not empty)", e.key));
    }
    prof.version = ImageTag(e.key);
    const Node* v = r_.Map(e.value.get(), p);
    if (v != nullptr) {
      CheckFields(*v, p, kImageFields);
      r_.String(v->Get("version"), Sub(p, "version"), &prof.version);
      if (prof.version.empty()) {
        r_.Error(v->Get("version") ? v->Get("version")->mark : v->mark, Sub(p, "version"),
                 "must not be empty");
      }
      for (auto [field, dst] : {std::pair{"pull", &prof.pull}, std::pair{"start", &prof.start},
                                std::pair{"shutdown", &prof.shutdown},
                                std::pair{"drain", &prof.drain}}) {
        const Node* d = v->Get(field);
        if (d == nullptr || d->IsNull()) continue;
        if (auto dd = Duration(d, Sub(p, field), true)) *dst = *dd;
      }
      r_.Bool(v->Get("healthy"), Sub(p, "healthy"), &prof.healthy);
      if (const Node* c = v->Get("crashAfter"); c != nullptr && !c->IsNull()) {
        prof.crash_after = Duration(c, Sub(p, "crashAfter"), true);
      }
      if (prof.drain.is_fixed() && prof.shutdown.is_fixed() && prof.drain.a() > prof.shutdown.a() &&
          v->Get("drain") != nullptr) {
        r_.Error(v->Get("drain")->mark, Sub(p, "drain"),
                 fmt::format("drain ({}) must be at most shutdown ({}): a process stops serving "
                             "before it exits",
                             FormatDuration(prof.drain.a()), FormatDuration(prof.shutdown.a())));
      }
    } else if (e.value->IsNull()) {
      // `image: ` with no profile: all defaults.
    }
    s->images[e.key] = std::move(prof);
  }
}

void Loader::DecodeTraffic(const Node* n, Scenario* s) {
  const Node* seq = r_.Seq(n, "spec.traffic");
  if (seq == nullptr) return;
  std::set<std::string> names;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string p = Idx("spec.traffic", i);
    const Node* m = r_.Map(seq->items[i].get(), p);
    if (m == nullptr) continue;
    CheckFields(*m, p, kTrafficFields);
    TrafficSource t;
    t.position = r_.Pos(m->mark);
    r_.String(m->Get("name"), Sub(p, "name"), &t.name);
    if (t.name.empty()) {
      t.name = fmt::format("traffic-{}", i);
    } else if (!names.insert(t.name).second) {
      r_.Error(m->Get("name")->mark, Sub(p, "name"), fmt::format("Duplicate value: \"{}\"", t.name));
    }
    std::string service;
    r_.String(m->Get("service"), Sub(p, "service"), &service);
    if (service.empty()) {
      r_.Error(m->mark, Sub(p, "service"), "Required value: the Service the client calls");
    } else if (const size_t slash = service.find('/'); slash != std::string::npos) {
      t.service_namespace = service.substr(0, slash);
      t.service = service.substr(slash + 1);
    } else {
      t.service = service;
    }
    const Node* every = m->Get("every");
    const Node* rate = m->Get("rate");
    if ((every == nullptr) == (rate == nullptr)) {
      r_.Error(m->mark, p, "give exactly one of every: (an interval) or rate: (such as 200/s)");
    } else if (every != nullptr) {
      t.arrival = TrafficSource::Arrival::kEvery;
      if (auto d = FixedDuration(every, Sub(p, "every"))) {
        if (*d <= SimDuration::Zero()) {
          r_.Error(every->mark, Sub(p, "every"), "must be greater than 0");
        }
        t.every = *d;
      }
    } else {
      t.arrival = TrafficSource::Arrival::kPoisson;
      if (!rate->IsScalar()) {
        r_.Error(rate->mark, Sub(p, "rate"),
                 fmt::format("expected a rate such as 200/s, got {}", yaml::Describe(*rate)));
      } else {
        const std::string& text = rate->scalar;
        const size_t slash = text.find('/');
        double value = -1;
        double per = 0;
        if (slash != std::string::npos) {
          const auto unit = std::string_view(text).substr(slash + 1);
          per = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : 0;
          const auto [ptr, ec] = std::from_chars(text.data(), text.data() + slash, value);
          if (ec != std::errc() || ptr != text.data() + slash) value = -1;
        }
        if (!(value > 0) || !std::isfinite(value) || per == 0) {
          r_.Error(rate->mark, Sub(p, "rate"),
                   fmt::format("expected a positive rate such as 200/s, 30/m or 5/h, got \"{}\"",
                               rate->scalar));
        } else if (value / per > kMaxRatePerSecond) {
          // Poisson gaps are drawn in whole microseconds: far above one request
          // per microsecond nearly every gap rounds to 0 and simulated time
          // stops (found by fuzz/run_fuzzer.cc with rate: 1000000000/s).
          r_.Error(rate->mark, Sub(p, "rate"),
                   fmt::format("rate \"{}\" is too high: at most 1000000/s (one request per "
                               "microsecond, the simulator's clock resolution)",
                               rate->scalar));
        } else {
          t.rate_per_second = value / per;
        }
      }
    }
    if (const Node* from = m->Get("from"); from != nullptr && !from->IsNull()) {
      t.from = FixedDuration(from, Sub(p, "from"));
    }
    s->traffic.push_back(std::move(t));
  }
}

void Loader::DecodeTimeline(const Node* n, Scenario* s) {
  const Node* seq = r_.Seq(n, "spec.timeline");
  if (seq == nullptr) return;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string p = Idx("spec.timeline", i);
    const Node* m = r_.Map(seq->items[i].get(), p);
    if (m == nullptr) continue;
    CheckFields(*m, p, kStepFields);
    Step step;
    const Node* at = m->Get("at");
    if (at == nullptr || at->IsNull()) {
      r_.Error(m->mark, Sub(p, "at"), "Required value: when the step runs (such as 60s)");
      continue;
    }
    auto when = FixedDuration(at, Sub(p, "at"));
    if (!when) continue;
    step.at = *when;
    int given = 0;
    const Node* value = nullptr;
    std::string_view which;
    for (auto f : {"kubectl", "fail", "recover"}) {
      if (const Node* v = m->Get(f)) {
        ++given;
        value = v;
        which = f;
      }
    }
    if (given != 1) {
      r_.Error(m->mark, p,
               given == 0 ? "a step needs one of kubectl:, fail: or recover:"
                          : "a step has only one of kubectl:, fail: or recover:");
      continue;
    }
    std::string text;
    if (!r_.String(value, Sub(p, which), &text)) continue;
    step.text = text;
    step.position = r_.Pos(value->mark);
    const KubectlParse parsed =
        which == "kubectl" ? ParseKubectl(text)
        : which == "fail"  ? ParseNodeStep(NodeCommand::Action::kFail, text)
                           : ParseNodeStep(NodeCommand::Action::kRecover, text);
    step_nodes_.push_back(value);
    s->timeline.push_back(std::move(step));
    if (!parsed.ok()) {
      StepError(s->timeline.back(), parsed.error.offset, parsed.error.message);
      s->timeline.pop_back();
      step_nodes_.pop_back();
      continue;
    }
    s->timeline.back().command = *parsed.command;
  }
}

void Loader::StepError(const Step& step, size_t offset, const std::string& message) {
  Position at = step.position;
  // Point at the word for a plain one-line scalar, where columns map 1:1.
  if (offset > 0 && step.text.find('\n') == std::string::npos && offset <= step.text.size()) {
    // Only plain scalars start exactly at their first character.
    for (size_t i = 0; i < step_nodes_.size(); ++i) {
      const Node* n = step_nodes_[i];
      if (n->mark.line + 1 == at.line && n->mark.column + 1 == at.column && n->plain) {
        at.column += static_cast<int>(offset);
        break;
      }
    }
  }
  diags_.push_back(Diagnostic{Severity::kError, at, message});
}

void Loader::DecodeExpect(const Node* n, Scenario* s) {
  const Node* seq = r_.Seq(n, "spec.expect");
  if (seq == nullptr) return;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string p = Idx("spec.expect", i);
    std::string text;
    if (!r_.String(seq->items[i].get(), p, &text)) continue;
    Expectation e;
    e.text = text;
    e.position = r_.Pos(seq->items[i]->mark);
    static const std::vector<std::pair<std::string_view, Expectation::Op>> kOps = {
        {"<=", Expectation::Op::kLessEqual}, {">=", Expectation::Op::kGreaterEqual},
        {"==", Expectation::Op::kEqual},     {"!=", Expectation::Op::kNotEqual},
        {"<", Expectation::Op::kLess},       {">", Expectation::Op::kGreater}};
    size_t pos = std::string::npos;
    size_t len = 0;
    for (const auto& [op, kind] : kOps) {
      const size_t at = text.find(op);
      if (at != std::string::npos && (pos == std::string::npos || at < pos)) {
        pos = at;
        len = op.size();
        e.op = kind;
      }
    }
    const auto trim = [](std::string_view v) {
      while (!v.empty() && (v.front() == ' ' || v.front() == '\t')) v.remove_prefix(1);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
      return std::string(v);
    };
    if (pos == std::string::npos) {
      r_.Error(seq->items[i]->mark, p,
               fmt::format("expected METRIC OP VALUE (such as services.web.downtimeSeconds <= "
                           "0), got \"{}\"",
                           text));
      continue;
    }
    e.metric = trim(std::string_view(text).substr(0, pos));
    const std::string rhs = trim(std::string_view(text).substr(pos + len));
    if (rhs == "true" || rhs == "false") {
      e.boolean = rhs == "true";
    } else {
      double v = 0;
      const auto [ptr, ec] = std::from_chars(rhs.data(), rhs.data() + rhs.size(), v);
      if (rhs.empty() || ec != std::errc() || ptr != rhs.data() + rhs.size() || !std::isfinite(v)) {
        r_.Error(seq->items[i]->mark, p,
                 fmt::format("the right-hand side \"{}\" is not a number (or true/false)", rhs));
        continue;
      }
      e.number = v;
    }
    if (e.metric.empty()) {
      r_.Error(seq->items[i]->mark, p, "the metric is missing before the operator");
      continue;
    }
    s->expect.push_back(std::move(e));
  }
}

bool Loader::DecodeScenario(const Node& root, Scenario* s) {
  const int before = r_.errors();
  s->position = r_.Pos(root.mark);
  CheckFields(root, "", kTopFields);
  std::string api;
  r_.String(root.Get("apiVersion"), "apiVersion", &api);
  if (api != kApiVersion) {
    const Node* av = root.Get("apiVersion");
    r_.Error(av ? av->mark : root.mark, "apiVersion",
             api.empty() ? fmt::format("Required value: use {}", kApiVersion)
                         : fmt::format("unknown apiVersion \"{}\" for kind Scenario (use {})", api,
                                       kApiVersion));
  }
  if (const Node* md = r_.Map(root.Get("metadata"), "metadata")) {
    CheckFields(*md, "metadata", kMetaFields);
    r_.String(md->Get("name"), "metadata.name", &s->name);
    k8s::Labels ignored;
    r_.StringMap(md->Get("labels"), "metadata.labels", &ignored);
    r_.StringMap(md->Get("annotations"), "metadata.annotations", &ignored);
  }
  if (s->name.empty()) s->name = std::filesystem::path(file_).stem().string();
  const Node* spec = r_.Map(root.Get("spec"), "spec");
  if (spec == nullptr) {
    if (root.Get("spec") == nullptr || root.Get("spec")->IsNull()) {
      r_.Error(root.mark, "spec", "Required value: a Scenario needs a spec (cluster, timeline, ...)");
    }
    return false;
  }
  CheckFields(*spec, "spec", kSpecFields);
  int64_t seed = 1;
  if (r_.Int(spec->Get("seed"), "spec.seed", 0, std::numeric_limits<int64_t>::max(), &seed)) {
    s->seed = static_cast<uint64_t>(seed);
  }
  if (const Node* u = spec->Get("until"); u != nullptr && !u->IsNull()) {
    s->until = FixedDuration(u, "spec.until");
  }
  DecodeCluster(spec->Get("cluster"), spec->mark, &s->cluster);
  DecodeImages(spec->Get("images"), s);
  DecodeTraffic(spec->Get("traffic"), s);
  DecodeTimeline(spec->Get("timeline"), s);
  DecodeExpect(spec->Get("expect"), s);
  return r_.errors() == before;
}

// ---- The timeline replay ------------------------------------------------------

bool Loader::NamespaceExists(const std::string& ns) const {
  // Namespaces every cluster has.
  if (ns == "default" || ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease") {
    return true;
  }
  return store_.contains(ObjectKey{"Namespace", "", ns});
}

void Loader::ApplyObject(const k8s::DecodedObject& d, const std::string& file, Step* step) {
  const ObjectKey key = k8s::KeyOf(d.object);
  if (key.kind != "Namespace" && !NamespaceExists(key.namespace_name)) {
    const Position at = k8s::SourceOf(d.object).At("metadata.namespace");
    diags_.push_back(Diagnostic{
        Severity::kError, at,
        fmt::format("namespaces \"{}\" not found: apply a Namespace named {} before this {}",
                    key.namespace_name, key.namespace_name, key.kind)});
    return;
  }
  if (const auto* dep = std::get_if<k8s::Deployment>(&d.object)) {
    auto& hist = history_[key];
    const k8s::PodTemplateSpec& t = dep->spec.template_;
    const Node* spec = d.tree->Get("spec");
    NodePtr ttree;
    if (spec != nullptr) {
      if (const auto* e = spec->Find("template")) ttree = e->value;
    }
    if (hist.empty() || !(hist.back().spec == t)) {
      const int64_t next = hist.empty() ? 1 : hist.back().number + 1;
      // A template equal to an older revision reuses it under a new number.
      std::erase_if(hist, [&](const Revision& r) { return r.spec == t; });
      hist.push_back(Revision{next, ttree, t});
      const size_t keep = static_cast<size_t>(std::max(0, dep->spec.revision_history_limit)) + 1;
      if (hist.size() > keep) hist.erase(hist.begin(), hist.end() - static_cast<long>(keep));
    }
  }
  if (key.kind == "Namespace" && step == nullptr && store_.contains(key)) {
    // Re-applying a namespace changes nothing kubesim models.
  }
  store_[key] = Stored{d.object, d.tree, file};
  ever_.insert(key);
  if (step != nullptr) step->objects.push_back(d.object);
}

std::optional<std::vector<k8s::DecodedObject>> Loader::ReadManifest(const std::string& name,
                                                                     Step* step, int* errors) {
  std::string resolved;
  Expected<std::string> text = Error{""};
  if (name == "-") {
    resolved = "<stdin>";
    if (!stdin_) {
      auto in = options_.read_stdin ? options_.read_stdin() : ReadStdinOnce();
      if (!in) {
        StepError(*step, 0, fmt::format("cannot read standard input: {}", in.error()));
        return std::nullopt;
      }
      stdin_ = *in;
    }
    text = *stdin_;
  } else {
    const std::filesystem::path p(name);
    resolved = p.is_absolute() ? name : (dir_ / p).lexically_normal().string();
    text = options_.read_file ? options_.read_file(resolved) : ReadFileFromDisk(resolved);
    if (!text) {
      StepError(*step, step->text.find(name), fmt::format("{}: {}", name, text.error()));
      return std::nullopt;
    }
  }
  const size_t before = diags_.size();
  auto docs = ParseFile(*text, resolved);
  std::vector<k8s::DecodedObject> objects;
  if (docs) {
    for (const auto& doc : *docs) {
      const Node& root = *doc.root;
      if (root.IsMap() && root.Get("kind") != nullptr && root.Get("kind")->IsScalar() &&
          root.Get("kind")->scalar == "Scenario") {
        diags_.push_back(Diagnostic{Severity::kError,
                                    Position{resolved, root.mark.line + 1, root.mark.column + 1},
                                    "a Scenario cannot be applied with kubectl apply -f"});
        continue;
      }
      k8s::DecodeDocument(doc.root, resolved, &diags_, &objects);
    }
  }
  *errors = 0;
  for (size_t i = before; i < diags_.size(); ++i) {
    *errors += diags_[i].severity == Severity::kError;
  }
  if (*errors > 0) {
    StepError(*step, step->text.find(name),
              fmt::format("{} is not valid ({} error{} above)", name, *errors,
                          *errors == 1 ? "" : "s"));
    return std::nullopt;
  }
  if (objects.empty() && docs) {
    StepError(*step, step->text.find(name),
              fmt::format("no objects passed to apply: {} holds no Kubernetes object kubesim "
                          "simulates",
                          name));
    return std::nullopt;
  }
  return objects;
}

const Stored* Loader::Find(const ObjectKey& key, Step* step, size_t offset) {
  const auto it = store_.find(key);
  if (it != store_.end()) return &it->second;
  StepError(*step, offset,
            fmt::format("{} not found at {}: no object of the file or earlier step creates it",
                        key.Describe(), FormatDuration(step->at)));
  return nullptr;
}

void Loader::Replace(const Stored& old, NodePtr tree, Step* step) {
  Diagnostics local;
  std::vector<k8s::DecodedObject> objects;
  k8s::DecodeDocument(tree, old.file, &local, &objects);
  bool bad = false;
  for (auto& d : local) {
    if (d.severity != Severity::kError) continue;
    bad = true;
    diags_.push_back(Diagnostic{Severity::kError, step->position,
                                fmt::format("after kubectl {}: {}", CommandName(step->command),
                                            d.message)});
  }
  if (bad || objects.size() != 1) return;
  ApplyObject(objects[0], old.file, step);
}

void Loader::RunStep(Step* step, const Scenario& s) {
  const Command& cmd = step->command;
  const std::string& ns = cmd.namespace_name;
  const auto key_of = [&](const ResourceRef& r) {
    return ObjectKey{r.kind, r.kind == "Namespace" ? "" : ns, r.name};
  };
  const auto name_offset = [&](const std::string& name) {
    const size_t at = step->text.find(name);
    return at == std::string::npos ? 0 : at;
  };
  if (const auto* apply = std::get_if<ApplyCommand>(&cmd.body)) {
    for (const auto& f : apply->files) {
      int errors = 0;
      auto objects = ReadManifest(f, step, &errors);
      if (!objects) continue;
      for (const auto& d : *objects) {
        const std::string file = k8s::SourceOf(d.object).document.file;
        if (ns == k8s::defaults::kNamespace || std::holds_alternative<k8s::Namespace>(d.object)) {
          ApplyObject(d, file, step);
          continue;
        }
        // `apply -n NS`: objects without a namespace go to NS; one naming
        // another namespace is refused, as kubectl refuses it.
        const Node* md = d.tree->Get("metadata");
        const Node* given = md == nullptr ? nullptr : md->Get("namespace");
        if (given != nullptr && given->IsScalar() && !given->scalar.empty()) {
          if (given->scalar != ns) {
            StepError(*step, name_offset(ns),
                      fmt::format("the namespace from the provided object \"{}\" does not match "
                                  "the namespace \"{}\". You must pass '--namespace={}' to "
                                  "perform this operation.",
                                  given->scalar, ns, given->scalar));
            continue;
          }
          ApplyObject(d, file, step);
          continue;
        }
        Stored tmp{d.object, d.tree, file};
        Replace(tmp,
                SetIn(d.tree, {std::string("metadata"), std::string("namespace")}, 0,
                      yaml::MakeScalar(ns, d.tree->mark, false)),
                step);
      }
    }
    return;
  }
  if (const auto* del = std::get_if<DeleteCommand>(&cmd.body)) {
    std::vector<std::pair<ObjectKey, size_t>> keys;
    for (const auto& f : del->files) {
      int errors = 0;
      auto objects = ReadManifest(f, step, &errors);
      if (!objects) continue;
      for (const auto& d : *objects) keys.emplace_back(k8s::KeyOf(d.object), name_offset(f));
    }
    for (const auto& r : del->resources) keys.emplace_back(key_of(r), name_offset(r.name));
    for (const auto& [key, offset] : keys) {
      if (key.kind == "Pod" && !store_.contains(key)) {
        // A pod of a Deployment or ReplicaSet: its generated name starts
        // with its owner's name.
        bool owned = false;
        for (const auto& [k, v] : store_) {
          if ((k.kind == "Deployment" || k.kind == "ReplicaSet") &&
              k.namespace_name == key.namespace_name && key.name.starts_with(k.name + "-")) {
            owned = true;
          }
        }
        if (owned) {
          step->deleted.push_back(key);
          continue;
        }
      }
      if (Find(key, step, offset) == nullptr) continue;
      step->deleted.push_back(key);
      if (key.kind == "Namespace") {
        for (auto it = store_.begin(); it != store_.end();) {
          if (it->first.namespace_name == key.name) {
            step->deleted.push_back(it->first);
            it = store_.erase(it);
          } else {
            ++it;
          }
        }
      }
      store_.erase(key);
      history_.erase(key);
    }
    return;
  }
  if (const auto* patch = std::get_if<PatchCommand>(&cmd.body)) {
    const Stored* old = Find(key_of(patch->target), step, name_offset(patch->target.name));
    if (old == nullptr) return;
    yaml::Limits limits;
    limits.max_nodes = 100'000;
    yaml::Stream ps = yaml::Parse(patch->patch, limits);
    if (!ps.errors.empty() || ps.documents.size() != 1 || !ps.documents[0].root->IsMap()) {
      StepError(*step, patch->patch_offset,
                ps.errors.empty()
                    ? "the patch must be one JSON object, such as "
                      "'{\"spec\":{\"selector\":{\"color\":\"green\"}}}'"
                    : fmt::format("the patch is not valid JSON: {}", ps.errors[0].message));
      return;
    }
    const Node& p = *ps.documents[0].root;
    for (auto f : {"apiVersion", "kind"}) {
      if (const Node* v = p.Get(f); v != nullptr) {
        const Node* cur = old->tree->Get(f);
        if (cur == nullptr || !v->IsScalar() || v->scalar != cur->scalar) {
          StepError(*step, patch->patch_offset, fmt::format("the patch may not change {}", f));
          return;
        }
      }
    }
    if (const Node* md = p.Get("metadata"); md != nullptr && md->IsMap()) {
      for (auto f : {"name", "namespace"}) {
        const Node* v = md->Get(f);
        if (v == nullptr) continue;
        const k8s::ObjectMeta& meta = k8s::MetaOf(old->object);
        const std::string& cur = std::string_view(f) == "name" ? meta.name : meta.namespace_name;
        if (!v->IsScalar() || v->scalar != cur) {
          StepError(*step, patch->patch_offset,
                    fmt::format("the patch may not change metadata.{}", f));
          return;
        }
      }
    }
    const yaml::Mark at{step->position.line - 1, step->position.column - 1};
    Replace(*old, MergePatch(old->tree, p, patch->type == PatchCommand::Type::kStrategic, at),
            step);
    return;
  }
  if (const auto* scale = std::get_if<ScaleCommand>(&cmd.body)) {
    const Stored* old = Find(key_of(scale->target), step, name_offset(scale->target.name));
    if (old == nullptr) return;
    const yaml::Mark at{step->position.line - 1, step->position.column - 1};
    Replace(*old,
            SetIn(old->tree, {std::string("spec"), std::string("replicas")}, 0,
                  yaml::MakeScalar(std::to_string(scale->replicas), at, true)),
            step);
    return;
  }
  if (const auto* set = std::get_if<SetImageCommand>(&cmd.body)) {
    const Stored* old = Find(key_of(set->target), step, name_offset(set->target.name));
    if (old == nullptr) return;
    const yaml::Mark at{step->position.line - 1, step->position.column - 1};
    const k8s::PodSpec* spec = nullptr;
    std::vector<PathElem> base;
    if (const auto* tmpl = k8s::TemplateOf(old->object)) {
      spec = &tmpl->spec;
      base = {std::string("spec"), std::string("template"), std::string("spec")};
    } else if (const auto* pod = std::get_if<k8s::Pod>(&old->object)) {
      spec = &pod->spec;
      base = {std::string("spec")};
    }
    NodePtr tree = old->tree;
    for (const auto& [container, image] : set->images) {
      bool found = false;
      for (auto [list, name] : {std::pair{&spec->init_containers, "initContainers"},
                                std::pair{&spec->containers, "containers"}}) {
        for (size_t i = 0; i < list->size(); ++i) {
          if (container != "*" && (*list)[i].name != container) continue;
          found = true;
          std::vector<PathElem> path = base;
          path.push_back(std::string(name));
          path.push_back(i);
          path.push_back(std::string("image"));
          tree = SetIn(tree, path, 0, yaml::MakeScalar(image, at, false));
        }
      }
      if (!found) {
        std::string names;
        for (const auto& c : spec->containers) names += fmt::format("{}{}", names.empty() ? "" : ", ", c.name);
        StepError(*step, name_offset(container + "="),
                  fmt::format("unable to find container named \"{}\" in {} (its containers: {})",
                              container, key_of(set->target).Describe(), names));
        return;
      }
    }
    Replace(*old, tree, step);
    return;
  }
  if (const auto* ro = std::get_if<RolloutCommand>(&cmd.body)) {
    const ObjectKey key = key_of(ro->target);
    const Stored* old = Find(key, step, name_offset(ro->target.name));
    if (old == nullptr) return;
    const auto& dep = std::get<k8s::Deployment>(old->object);
    const yaml::Mark at{step->position.line - 1, step->position.column - 1};
    const std::vector<PathElem> paused = {std::string("spec"), std::string("paused")};
    switch (ro->action) {
      case RolloutCommand::Action::kPause:
        if (dep.spec.paused) {
          StepError(*step, name_offset(ro->target.name),
                    fmt::format("{} is already paused", key.Describe()));
          return;
        }
        Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("true", at, true)), step);
        return;
      case RolloutCommand::Action::kResume:
        if (!dep.spec.paused) {
          StepError(*step, name_offset(ro->target.name),
                    fmt::format("{} is not paused", key.Describe()));
          return;
        }
        Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("false", at, true)), step);
        return;
      case RolloutCommand::Action::kRestart:
        if (dep.spec.paused) {
          StepError(*step, name_offset(ro->target.name),
                    fmt::format("can't restart paused {} (run rollout resume first)",
                                key.Describe()));
          return;
        }
        // kubectl sets this annotation to the current time; the step's time
        // makes every restart a new template, reproducibly.
        Replace(*old,
                SetIn(old->tree,
                      {std::string("spec"), std::string("template"), std::string("metadata"),
                       std::string("annotations"),
                       std::string("kubectl.kubernetes.io/restartedAt")},
                      0, yaml::MakeScalar(FormatDuration(step->at), at, false)),
                step);
        return;
      case RolloutCommand::Action::kUndo: {
        const auto& hist = history_[key];
        const Revision* target = nullptr;
        if (ro->to_revision.value_or(0) == 0) {
          if (hist.size() >= 2) target = &hist[hist.size() - 2];
          if (target == nullptr) {
            StepError(*step, name_offset(ro->target.name),
                      fmt::format("no rollout history found for {}: nothing to undo at {}",
                                  key.Describe(), FormatDuration(step->at)));
            return;
          }
        } else {
          for (const auto& r : hist) {
            if (r.number == *ro->to_revision) target = &r;
          }
          if (target == nullptr) {
            StepError(*step, name_offset("--to-revision"),
                      fmt::format("unable to find specified revision {} in history of {}",
                                  *ro->to_revision, key.Describe()));
            return;
          }
        }
        if (target->tree == nullptr) return;
        Replace(*old,
                SetIn(old->tree, {std::string("spec"), std::string("template")}, 0, target->tree),
                step);
        return;
      }
    }
    return;
  }
  const auto& node = std::get<NodeCommand>(cmd.body);
  const NodeGroup* group = nullptr;
  int32_t index = 0;
  if (!s.cluster.FindNode(node.node, &group, &index)) {
    std::vector<std::string> names;
    for (const auto& g : s.cluster.nodes) {
      if (g.count > 0) names.push_back(g.count == 1 ? g.NodeName(0) : g.name + "-0.." + g.NodeName(g.count - 1));
    }
    std::string list;
    for (const auto& n : names) list += fmt::format("{}{}", list.empty() ? "" : ", ", n);
    StepError(*step, name_offset(node.node),
              fmt::format("node \"{}\" not found (the cluster's nodes: {})", node.node,
                          list.empty() ? "none" : list));
  }
}


void Loader::CheckReferences(const Scenario& s) {
  const auto known = [&](std::string_view kind, const std::string& ref) {
    std::string ns = "default";
    std::string name = ref;
    if (const size_t slash = ref.find('/'); slash != std::string::npos) {
      ns = ref.substr(0, slash);
      name = ref.substr(slash + 1);
    }
    return ever_.contains(ObjectKey{std::string(kind), ns, name});
  };
  const auto names_of = [&](std::string_view kind) {
    std::vector<std::string> out;
    for (const auto& k : ever_) {
      if (k.kind == kind) {
        out.push_back(k.namespace_name == "default" ? k.name : k.namespace_name + "/" + k.name);
      }
    }
    return out;
  };
  const auto hint = [&](std::string_view kind, const std::string& name) {
    const auto names = names_of(kind);
    std::vector<std::string_view> views(names.begin(), names.end());
    if (auto near = Nearest(name, views)) return fmt::format("; did you mean \"{}\"?", *near);
    if (names.empty()) return fmt::format("; the scenario creates no {}", kind);
    return fmt::format(" (known: {})", JoinQuoted(views));
  };
  for (const auto& t : s.traffic) {
    const std::string ref = t.service_namespace == "default"
                                ? t.service
                                : t.service_namespace + "/" + t.service;
    if (!t.service.empty() && !known("Service", ref)) {
      diags_.push_back(Diagnostic{
          Severity::kError, t.position,
          fmt::format("traffic \"{}\": Service \"{}\" is never created by the file or a timeline "
                      "step{}",
                      t.name, ref, hint("Service", ref))});
    }
  }
  static const std::vector<std::string_view> kServiceMetrics = {
      "downtimeSeconds", "degradedSeconds", "versionMixSeconds", "longestOutageSeconds",
      "minServingEndpoints", "requests.total", "requests.failed"};
  static const std::vector<std::string_view> kRolloutKeys = {
      "revision", "startSeconds", "completeSeconds", "durationSeconds", "rolloutStatusSeconds",
      "peakActivePods", "minAvailablePods", "deadlineExceeded"};
  static const std::vector<std::string_view> kResourceMetrics = {
      "peakPods", "peakCpuMillis", "peakMemoryBytes", "pendingPodSeconds"};
  for (const auto& e : s.expect) {
    const std::string& m = e.metric;
    const auto fail = [&](const std::string& why) {
      diags_.push_back(Diagnostic{Severity::kError, e.position,
                                  fmt::format("expect \"{}\": {}", e.text, why)});
    };
    if (m == "simulatedSeconds" || m == "events") continue;
    if (m.starts_with("resources.")) {
      const std::string key = m.substr(10);
      if (std::find(kResourceMetrics.begin(), kResourceMetrics.end(), key) ==
          kResourceMetrics.end()) {
        auto near = Nearest(key, kResourceMetrics);
        fail(fmt::format("unknown metric \"{}\"{}", m,
                         near ? fmt::format("; did you mean \"resources.{}\"?", *near)
                              : fmt::format(" (resources has {})", JoinQuoted(kResourceMetrics))));
      }
      continue;
    }
    if (m.starts_with("services.")) {
      const std::string rest = m.substr(9);
      std::string name;
      if (const size_t bv = rest.find(".requests.byVersion."); bv != std::string::npos &&
                                                               bv + 20 < rest.size()) {
        name = rest.substr(0, bv);
      } else {
        for (auto k : kServiceMetrics) {
          if (rest.size() > k.size() + 1 && rest.ends_with(k) &&
              rest[rest.size() - k.size() - 1] == '.') {
            name = rest.substr(0, rest.size() - k.size() - 1);
          }
        }
      }
      if (name.empty()) {
        fail(fmt::format("unknown Service metric in \"{}\" (use services.NAME. followed by {}, "
                         "or requests.byVersion.VERSION)",
                         m, JoinQuoted(kServiceMetrics)));
      } else if (!known("Service", name)) {
        fail(fmt::format("no Service \"{}\" in this scenario{}", name, hint("Service", name)));
      }
      continue;
    }
    if (m.starts_with("deployments.")) {
      const std::string rest = m.substr(12);
      std::string name;
      if (rest.ends_with(".restarts") && rest.size() > 9) {
        name = rest.substr(0, rest.size() - 9);
      } else if (const size_t ro = rest.rfind(".rollouts["); ro != std::string::npos && ro > 0) {
        const size_t close = rest.find("].", ro);
        const std::string idx = close == std::string::npos ? "" : rest.substr(ro + 10, close - ro - 10);
        const std::string key = close == std::string::npos ? "" : rest.substr(close + 2);
        const bool idx_ok = !idx.empty() && std::all_of(idx.begin(), idx.end(), [](char c) {
          return c >= '0' && c <= '9';
        });
        if (!idx_ok || std::find(kRolloutKeys.begin(), kRolloutKeys.end(), key) == kRolloutKeys.end()) {
          fail(fmt::format("expected deployments.NAME.rollouts[INDEX].KEY with KEY one of {}",
                           JoinQuoted(kRolloutKeys)));
          continue;
        }
        name = rest.substr(0, ro);
      }
      if (name.empty()) {
        fail(fmt::format("unknown Deployment metric in \"{}\" (use deployments.NAME.restarts or "
                         "deployments.NAME.rollouts[INDEX].KEY)",
                         m));
      } else if (!known("Deployment", name)) {
        fail(fmt::format("no Deployment \"{}\" in this scenario{}", name,
                         hint("Deployment", name)));
      }
      continue;
    }
    fail(fmt::format("unknown metric \"{}\" (metrics start with services., deployments. or "
                     "resources.)",
                     m));
  }
}

LoadResult Loader::Run(bool allow_manifest) {
  LoadResult result;
  const auto finish = [&]() -> LoadResult& {
    // File order: per file (in the order files were first mentioned), by
    // line and column.
    std::map<std::string, size_t> file_rank;
    for (const auto& d : diags_) file_rank.emplace(d.position.file, file_rank.size());
    std::stable_sort(diags_.begin(), diags_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const size_t fa = file_rank[a.position.file];
      const size_t fb = file_rank[b.position.file];
      if (fa != fb) return fa < fb;
      if (a.position.line != b.position.line) return a.position.line < b.position.line;
      return a.position.column < b.position.column;
    });
    // Keep the first max_errors errors (warnings before the cut stay).
    size_t errors = 0;
    for (size_t i = 0; i < diags_.size(); ++i) {
      if (diags_[i].severity != Severity::kError) continue;
      if (++errors > options_.max_errors) {
        diags_.resize(i);
        diags_.push_back(Diagnostic{Severity::kError, Position{file_, 0, 0},
                                    fmt::format("too many errors; stopped after {}",
                                                options_.max_errors)});
        break;
      }
    }
    result.diagnostics = std::move(diags_);
    if (!result.ok()) {
      result.scenario.reset();
      result.objects.clear();
    }
    return result;
  };
  auto docs = ParseFile(text_, file_);
  if (!docs) return finish();
  if (docs->empty()) {
    diags_.push_back(Diagnostic{
        Severity::kError, Position{file_, 1, 1},
        allow_manifest ? "the file is empty: it holds no YAML document"
                       : "the file is empty: it holds no Scenario document (apiVersion: "
                         "kubesim/v1alpha1, kind: Scenario)"});
    return finish();
  }
  // Sort the documents: the Scenario, and the Kubernetes objects in order.
  const Node* scenario_root = nullptr;
  std::vector<k8s::DecodedObject> objects;
  for (const auto& doc : *docs) {
    const Node& root = *doc.root;
    const Node* kind = root.IsMap() ? root.Get("kind") : nullptr;
    const Node* api = root.IsMap() ? root.Get("apiVersion") : nullptr;
    const bool kubesim_kind = api != nullptr && api->IsScalar() && api->scalar.starts_with("kubesim/");
    if (kind != nullptr && kind->IsScalar() && kind->scalar == "Scenario") {
      if (scenario_root != nullptr) {
        r_.Error(root.mark, "",
                 fmt::format("a second Scenario document; a file holds exactly one (the first "
                             "is at line {})",
                             scenario_root->mark.line + 1));
        continue;
      }
      scenario_root = &root;
      continue;
    }
    if (kubesim_kind && kind != nullptr && kind->IsScalar() && kind->scalar == "Sweep") {
      if (allow_manifest) {
        r_.Warning(root.mark, "kind Sweep is checked by kubesim sweep, not by validate; skipped");
      } else {
        r_.Error(root.mark, "", "this is a Sweep, not a Scenario: run it with kubesim sweep");
      }
      continue;
    }
    if (kubesim_kind) {
      const Node* where = kind != nullptr ? kind : &root;
      std::string k = kind != nullptr && kind->IsScalar() ? kind->scalar : "";
      auto near = Nearest(k, {"Scenario", "Sweep"});
      r_.Error(where->mark, "kind",
               fmt::format("unknown kubesim kind \"{}\"{}", k,
                           near ? fmt::format("; did you mean \"{}\"?", *near)
                                : " (use Scenario or Sweep)"));
      continue;
    }
    k8s::DecodeDocument(doc.root, file_, &diags_, &objects);
  }
  if (scenario_root == nullptr) {
    if (allow_manifest) {
      for (auto& d : objects) result.objects.push_back(std::move(d.object));
      return finish();
    }
    diags_.push_back(Diagnostic{
        Severity::kError, r_.Pos((*docs)[0].root->mark),
        "no Scenario document in this file (a document with apiVersion: kubesim/v1alpha1 and "
        "kind: Scenario); to check a plain manifest use kubesim validate"});
    return finish();
  }
  auto scenario = std::make_shared<Scenario>();
  scenario->file = file_;
  DecodeScenario(*scenario_root, scenario.get());
  // The file's own objects, applied at t=0.
  for (const auto& d : objects) {
    Step sink;
    ApplyObject(d, file_, &sink);
    if (!sink.objects.empty()) scenario->objects.push_back(std::move(sink.objects[0]));
  }
  // The timeline, in time order (stable: equal times keep file order).
  std::stable_sort(scenario->timeline.begin(), scenario->timeline.end(),
                   [](const Step& a, const Step& b) { return a.at < b.at; });
  for (auto& step : scenario->timeline) {
    RunStep(&step, *scenario);
    if (scenario->until && step.at > *scenario->until) {
      diags_.push_back(Diagnostic{Severity::kWarning, step.position,
                                  fmt::format("this step at {} is after until: {}; it never runs",
                                              FormatDuration(step.at),
                                              FormatDuration(*scenario->until))});
    }
  }
  CheckReferences(*scenario);
  result.scenario = std::move(scenario);
  return finish();
}

}  // namespace

// ---- Scenario helpers ---------------------------------------------------------

std::string NodeGroup::NodeName(int32_t index) const { return fmt::format("{}-{}", name, index); }

bool Cluster::FindNode(const std::string& name, const NodeGroup** group, int32_t* index) const {
  for (const auto& g : nodes) {
    if (!name.starts_with(g.name + "-")) continue;
    const std::string rest = name.substr(g.name.size() + 1);
    int32_t i = -1;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), i);
    if (ec != std::errc() || p != rest.data() + rest.size() || i < 0 || i >= g.count) continue;
    if (rest.size() > 1 && rest[0] == '0') continue;
    *group = &g;
    *index = i;
    return true;
  }
  return false;
}

const ImageProfile* Scenario::ProfileFor(std::string_view image) const {
  const auto it = images.find(image);
  return it == images.end() ? nullptr : &it->second;
}

std::string ImageTag(std::string_view image) {
  const size_t slash = image.rfind('/');
  const size_t colon = image.rfind(':');
  std::string_view base = image;
  if (const size_t at = image.find('@'); at != std::string_view::npos) base = image.substr(0, at);
  if (colon == std::string_view::npos || (slash != std::string_view::npos && colon < slash) ||
      colon >= base.size()) {
    return "latest";
  }
  return std::string(base.substr(colon + 1));
}

// ---- Entry points -------------------------------------------------------------

Expected<std::string> ReadFileFromDisk(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error{fmt::format("cannot open: {}", std::strerror(errno))};
  }
  if (S_ISDIR(st.st_mode)) {
    return Error{"is a directory, not a file (name the YAML files in it)"};
  }
  if (!S_ISREG(st.st_mode)) return Error{"is not a regular file"};
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    return Error{fmt::format("is {} bytes, more than kubesim reads ({} bytes)", st.st_size,
                             kMaxFileBytes)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot open: {}", std::strerror(errno))};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{fmt::format("cannot read: {}", std::strerror(errno))};
  return text;
}

namespace {
LoadResult LoadPath(const std::string& path, const LoadOptions& options, bool allow_manifest) {
  auto text = options.read_file ? options.read_file(path) : ReadFileFromDisk(path);
  if (!text) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{Severity::kError, Position{path, 0, 0}, text.error()});
    return r;
  }
  return Loader(*text, path, options).Run(allow_manifest);
}
}  // namespace

LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options) {
  return LoadPath(path, options, false);
}

LoadResult LoadScenarioText(std::string_view text, const std::string& display_name,
                            const LoadOptions& options) {
  return Loader(text, display_name, options).Run(false);
}

LoadResult ValidateFile(const std::string& path, const LoadOptions& options) {
  return LoadPath(path, options, true);
}

LoadResult ValidateText(std::string_view text, const std::string& display_name,
                        const LoadOptions& options) {
  return Loader(text, display_name, options).Run(true);
}

}  // namespace kubesim::scenario
