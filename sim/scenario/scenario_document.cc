// The loader's reading of the Scenario document: its strict fields (with
// suggestions for a misspelt one), durations and their distributions, the
// cluster, images, traffic, timeline and expectations.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>

#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/validation.h"
#include "loader.h"

namespace kubesim::scenario::loader {
namespace {

constexpr std::string_view kApiVersion = "kubesim/v1alpha1";
// The fastest Poisson client (`rate:`): one request per microsecond.
constexpr double kMaxRatePerSecond = 1e6;

const std::vector<std::string_view> kTopFields = {"apiVersion", "kind", "metadata", "spec"};
const std::vector<std::string_view> kMetaFields = {"name", "labels", "annotations"};
const std::vector<std::string_view> kSpecFields = {
    "seed", "until", "cluster", "images", "traffic", "timeline", "expect", "slo", "analysis"};
const std::vector<std::string_view> kAnalysisMeasureFields = {"measure", "pods", "window", "value"};
const std::vector<std::string_view> kSloFields = {"service", "availability", "latencyP99",
                                                  "window"};
const std::vector<std::string_view> kClusterFields = {"nodes", "timing"};
const std::vector<std::string_view> kNodeFields = {"name", "count", "capacity", "labels",
                                                   "taints"};
const std::vector<std::string_view> kTaintFields = {"key", "value", "effect"};
const std::vector<std::string_view> kCapacityFields = {"cpu", "memory", "pods"};
const std::vector<std::string_view> kTimingFields = {"controllerDelay", "schedulingDelay",
                                                     "endpointDelay"};
const std::vector<std::string_view> kImageFields = {
    "version",   "pull",    "start",       "shutdown", "drain",        "healthy",  "crashAfter",
    "exitAfter", "latency", "concurrency", "queue",    "closeOnDrain", "errorRate"};
const std::vector<std::string_view> kTrafficFields = {"name", "service", "every",       "rate",
                                                      "from", "timeout", "connections", "via"};
const std::vector<std::string_view> kViaFields = {"loadBalancer"};
const std::vector<std::string_view> kBalancerFields = {"healthCheck", "deregistrationDelay",
                                                       "targetType"};
const std::vector<std::string_view> kHealthCheckFields = {"interval", "healthyThreshold",
                                                          "unhealthyThreshold"};
const std::vector<std::string_view> kStepFields = {"at", "kubectl", "fail", "recover", "sleep"};
// Bounds of the load model's sizes: far beyond any real server, small
// enough that no count overflows (docs/load-model.md).
constexpr int64_t kMaxConcurrency = 1'000'000;
constexpr int64_t kMaxQueue = 100'000'000;
constexpr int64_t kMaxConnections = 100'000;
// A Service as a client or an objective names it: NAME (its namespace left
// as is, `default`) or NAMESPACE/NAME.
void SplitServiceRef(const std::string& ref, std::string* ns, std::string* name) {
  if (const size_t slash = ref.find('/'); slash != std::string::npos) {
    *ns = ref.substr(0, slash);
    *name = ref.substr(slash + 1);
  } else {
    *name = ref;
  }
}

const std::vector<std::string_view> kDistributions = {"uniform", "normal", "lognormal",
                                                      "exponential"};

}  // namespace

std::optional<std::vector<yaml::Document>> Loader::ParseFile(std::string_view text,
                                                             const std::string& file) {
  yaml::Limits limits;
  limits.max_bytes = kMaxFileBytes;
  yaml::Stream stream;
  if (ParseCache* cache = options_.parse_cache.get()) {
    stream = cache->Parse(text, limits);
  } else {
    stream = yaml::Parse(text, limits);
  }
  for (const auto& e : stream.errors) {
    diags_.push_back(Diagnostic{Severity::kError,
                                Position{file, e.mark.line + 1, e.mark.column + 1}, e.message});
  }
  if (!stream.errors.empty()) return std::nullopt;
  std::vector<yaml::Document> docs;
  for (auto& d : stream.documents) {
    if (d.root->IsNull()) continue;
    if (options_.edit_document) d.root = options_.edit_document(file, d.root);
    docs.push_back(std::move(d));
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
      DecodeTaints(g->Get("taints"), Sub(p, "taints"), &group.taints);
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

// A node group's taints, validated as a Node's are (validateNodeTaints).
void Loader::DecodeTaints(const Node* n, const std::string& path, std::vector<k8s::Taint>* out) {
  const Node* list = r_.Seq(n, path);
  if (list == nullptr) return;
  for (size_t i = 0; i < list->items.size(); ++i) {
    const std::string p = fmt::format("{}[{}]", path, i);
    const Node* m = r_.Map(list->items[i].get(), p);
    if (m == nullptr) continue;
    CheckFields(*m, p, kTaintFields);
    k8s::Taint t;
    r_.String(m->Get("key"), Sub(p, "key"), &t.key);
    r_.String(m->Get("value"), Sub(p, "value"), &t.value);
    r_.String(m->Get("effect"), Sub(p, "effect"), &t.effect);
    if (auto why = k8s::CheckLabelKey(t.key); !why.empty()) {
      r_.Error(m->Get("key") ? m->Get("key")->mark : m->mark, Sub(p, "key"),
               fmt::format("Invalid value: \"{}\": {}", t.key, why));
    }
    if (auto why = k8s::CheckLabelValue(t.value); !why.empty()) {
      r_.Error(m->Get("value")->mark, Sub(p, "value"),
               fmt::format("Invalid value: \"{}\": {}", t.value, why));
    }
    if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
      r_.Error(m->Get("effect") ? m->Get("effect")->mark : m->mark, Sub(p, "effect"),
               fmt::format("Unsupported value: \"{}\": supported values: \"NoSchedule\", "
                           "\"PreferNoSchedule\", \"NoExecute\"",
                           t.effect));
    }
    out->push_back(std::move(t));
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
      if (const Node* x = v->Get("exitAfter"); x != nullptr && !x->IsNull()) {
        prof.exit_after = Duration(x, Sub(p, "exitAfter"), true);
      }
      // The load model (docs/load-model.md).
      if (const Node* l = v->Get("latency"); l != nullptr && !l->IsNull()) {
        prof.latency = Duration(l, Sub(p, "latency"), true);
      }
      if (const Node* c = v->Get("concurrency"); c != nullptr && !c->IsNull()) {
        int64_t n = 0;
        if (r_.Int(c, Sub(p, "concurrency"), 1, kMaxConcurrency, &n)) {
          prof.concurrency = static_cast<int32_t>(n);
        }
      }
      if (const Node* c = v->Get("closeOnDrain"); c != nullptr && !c->IsNull()) {
        bool b = false;
        if (r_.Bool(c, Sub(p, "closeOnDrain"), &b)) prof.close_on_drain = b;
      }
      if (const Node* q = v->Get("queue"); q != nullptr && !q->IsNull()) {
        int64_t n = 0;
        if (r_.Int(q, Sub(p, "queue"), 0, kMaxQueue, &n)) prof.queue = n;
      }
      if (const Node* e = v->Get("errorRate"); e != nullptr && !e->IsNull()) {
        if (auto share = Share(e, Sub(p, "errorRate"))) prof.error_rate = *share;
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
    } else {
      SplitServiceRef(service, &t.service_namespace, &t.service);
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
    if (const Node* k = m->Get("connections"); k != nullptr && !k->IsNull()) {
      int64_t n = 0;
      if (r_.Int(k, Sub(p, "connections"), 1, kMaxConnections, &n)) {
        t.connections = static_cast<int32_t>(n);
      }
    }
    if (const Node* to = m->Get("timeout"); to != nullptr && !to->IsNull()) {
      t.timeout = FixedDuration(to, Sub(p, "timeout"));
      if (t.timeout && *t.timeout <= SimDuration::Zero()) {
        r_.Error(to->mark, Sub(p, "timeout"), "must be greater than 0");
        t.timeout.reset();
      }
    }
    if (const Node* via = m->Get("via"); via != nullptr && !via->IsNull()) {
      t.load_balancer = DecodeLoadBalancer(via, Sub(p, "via"));
    }
    s->traffic.push_back(std::move(t));
  }
}

// via: {loadBalancer: {healthCheck: {interval, healthyThreshold,
// unhealthyThreshold}, deregistrationDelay, targetType}}, bounded as an ALB
// target group's settings are (HealthCheckIntervalSeconds 5-300,
// Healthy/UnhealthyThresholdCount 2-10, deregistration_delay.timeout_seconds
// 0-3600: docs.aws.amazon.com/elasticloadbalancing/latest/application/
// target-group-health-checks.html and load-balancer-target-groups.html).
std::optional<LoadBalancer> Loader::DecodeLoadBalancer(const Node* via, const std::string& p) {
  const Node* v = r_.Map(via, p);
  if (v == nullptr) return std::nullopt;
  CheckFields(*v, p, kViaFields);
  const std::string lp = Sub(p, "loadBalancer");
  const Node* n = v->Get("loadBalancer");
  if (n == nullptr) {
    r_.Error(v->mark, lp, "Required value: the load balancer the client comes through");
    return std::nullopt;
  }
  LoadBalancer lb;
  lb.position = r_.Pos(n->mark);
  if (n->IsNull()) return lb;  // `loadBalancer:` alone: an ALB's defaults
  const Node* m = r_.Map(n, lp);
  if (m == nullptr) return std::nullopt;
  CheckFields(*m, lp, kBalancerFields);
  auto seconds = [&](const Node* d, const std::string& path, int64_t lo, int64_t hi,
                     SimDuration* out) {
    if (d == nullptr || d->IsNull()) return;
    const auto value = FixedDuration(d, path);
    if (!value) return;
    if (*value < SimDuration::Seconds(lo) || *value > SimDuration::Seconds(hi)) {
      r_.Error(d->mark, path,
               fmt::format("must be between {}s and {}s, as an AWS target group's setting is, got "
                           "{}",
                           lo, hi, FormatDuration(*value)));
      return;
    }
    *out = *value;
  };
  if (const Node* hc = m->Get("healthCheck"); hc != nullptr && !hc->IsNull()) {
    const std::string hp = Sub(lp, "healthCheck");
    if (const Node* h = r_.Map(hc, hp); h != nullptr) {
      CheckFields(*h, hp, kHealthCheckFields);
      seconds(h->Get("interval"), Sub(hp, "interval"), 5, 300, &lb.interval);
      int64_t k = 0;
      if (const Node* t = h->Get("healthyThreshold"); t != nullptr && !t->IsNull()) {
        if (r_.Int(t, Sub(hp, "healthyThreshold"), 2, 10, &k)) {
          lb.healthy_threshold = static_cast<int32_t>(k);
        }
      }
      if (const Node* t = h->Get("unhealthyThreshold"); t != nullptr && !t->IsNull()) {
        if (r_.Int(t, Sub(hp, "unhealthyThreshold"), 2, 10, &k)) {
          lb.unhealthy_threshold = static_cast<int32_t>(k);
        }
      }
    }
  }
  seconds(m->Get("deregistrationDelay"), Sub(lp, "deregistrationDelay"), 0, 3600,
          &lb.deregistration_delay);
  if (const Node* t = m->Get("targetType"); t != nullptr && !t->IsNull()) {
    std::string type;
    r_.String(t, Sub(lp, "targetType"), &type);
    if (type == "ip") {
      lb.target_type = LoadBalancer::TargetType::kIp;
    } else if (type == "instance") {
      lb.target_type = LoadBalancer::TargetType::kInstance;
    } else {
      r_.Error(
          t->mark, Sub(lp, "targetType"),
          fmt::format("Unsupported value: \"{}\": supported values: \"instance\", \"ip\"", type));
    }
  }
  return lb;
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
    step.number = static_cast<uint32_t>(i + 1);
    const Node* at = m->Get("at");
    if (at == nullptr || at->IsNull()) {
      // Chained: DecodeTimeline's caller links it to the step before it.
      step.chained = true;
    } else {
      auto when = FixedDuration(at, Sub(p, "at"));
      if (!when) continue;
      step.at = *when;
    }
    int given = 0;
    const Node* value = nullptr;
    std::string_view which;
    for (auto f : {"kubectl", "fail", "recover", "sleep"}) {
      if (const Node* v = m->Get(f)) {
        ++given;
        value = v;
        which = f;
      }
    }
    if (given != 1) {
      r_.Error(m->mark, p,
               given == 0 ? "a step needs one of kubectl:, fail:, recover: or sleep:"
                          : "a step has only one of kubectl:, fail:, recover: or sleep:");
      continue;
    }
    if (which == "sleep") {
      auto d = FixedDuration(value, Sub(p, "sleep"));
      if (!d) continue;
      step.text = FormatDuration(*d);
      step.position = r_.Pos(value->mark);
      step.command.body = SleepCommand{*d};
      step_nodes_.push_back(value);
      s->timeline.push_back(std::move(step));
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

// A share written as a percentage ("10%") or a number from 0 to 1 (0.1).
std::optional<double> Loader::Share(const Node* n, const std::string& path) {
  const std::string text = n->IsScalar() ? n->scalar : yaml::Describe(*n);
  double v = -1;
  const bool percent = !text.empty() && text.back() == '%';
  const std::string digits = percent ? text.substr(0, text.size() - 1) + "e-2" : text;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (!n->IsScalar() || text.empty() || ec != std::errc() || ptr != digits.data() + digits.size() ||
      !(v >= 0 && v <= 1)) {
    r_.Error(n->mark, path,
             fmt::format("expected a share from 0 to 1 or a percentage from 0% to 100% (0.1, "
                         "10%), got \"{}\"",
                         text));
    return std::nullopt;
  }
  return v;
}

// spec.analysis: what each AnalysisTemplate metric measures
// (docs/progressive-delivery.md, Analysis).
void Loader::DecodeAnalysis(const Node* n, Scenario* s) {
  const Node* m = r_.Map(n, "spec.analysis");
  if (m == nullptr) return;
  for (const auto& e : m->entries) {
    const std::string p = fmt::format("spec.analysis[\"{}\"]", e.key);
    AnalysisMeasure a;
    a.key = e.key;
    a.position = r_.Pos(e.key_mark);
    const Node* v = r_.Map(e.value.get(), p);
    if (v == nullptr) {
      r_.Error(e.value->mark, p, "expected a mapping such as {measure: successRate}");
      continue;
    }
    CheckFields(*v, p, kAnalysisMeasureFields);
    const Node* measure = v->Get("measure");
    const Node* value = v->Get("value");
    if ((measure == nullptr) == (value == nullptr)) {
      r_.Error(v->mark, p, "give exactly one of measure and value");
      continue;
    }
    if (value != nullptr) {
      a.kind = AnalysisMeasure::Kind::kValue;
      const std::string text = value->IsScalar() ? value->scalar : "";
      const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), a.value);
      if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) {
        r_.Error(value->mark, Sub(p, "value"),
                 fmt::format("expected a number, got \"{}\"",
                             value->IsScalar() ? text : yaml::Describe(*value)));
      }
    } else {
      std::string kind;
      r_.String(measure, Sub(p, "measure"), &kind);
      using K = AnalysisMeasure::Kind;
      static const std::vector<std::pair<std::string_view, std::pair<K, double>>> kKinds = {
          {"successRate", {K::kSuccessRate, 0}}, {"errorRate", {K::kErrorRate, 0}},
          {"requests", {K::kRequests, 0}},       {"requestRate", {K::kRequestRate, 0}},
          {"latencyP50", {K::kLatency, 0.5}},    {"latencyP90", {K::kLatency, 0.9}},
          {"latencyP95", {K::kLatency, 0.95}},   {"latencyP99", {K::kLatency, 0.99}}};
      const auto it = std::find_if(kKinds.begin(), kKinds.end(),
                                   [&](const auto& k) { return k.first == kind; });
      if (it == kKinds.end()) {
        r_.Error(measure->mark, Sub(p, "measure"),
                 fmt::format("unknown measure \"{}\" (successRate, errorRate, requests, "
                             "requestRate, latencyP50, latencyP90, latencyP95 or latencyP99)",
                             kind));
        continue;
      }
      a.kind = it->second.first;
      a.quantile = it->second.second;
    }
    if (const Node* pods = v->Get("pods"); pods != nullptr && !pods->IsNull()) {
      std::string text;
      r_.String(pods, Sub(p, "pods"), &text);
      if (text == "canary") {
        a.pods = AnalysisMeasure::Pods::kCanary;
      } else if (text == "stable") {
        a.pods = AnalysisMeasure::Pods::kStable;
      } else if (text == "all") {
        a.pods = AnalysisMeasure::Pods::kAll;
      } else {
        r_.Error(pods->mark, Sub(p, "pods"),
                 fmt::format("expected canary, stable or all, got \"{}\"", text));
      }
    }
    if (const Node* w = v->Get("window"); w != nullptr && !w->IsNull()) {
      a.window = FixedDuration(w, Sub(p, "window"));
      if (a.window && *a.window <= SimDuration::Zero()) {
        r_.Error(w->mark, Sub(p, "window"), "must be greater than 0");
        a.window.reset();
      }
    }
    s->analysis.push_back(std::move(a));
  }
}

// spec.slo: one objective, or a list of them (docs/load-model.md, SLO).
void Loader::DecodeSlos(const Node* n, Scenario* s) {
  if (n == nullptr || n->IsNull()) return;
  std::vector<const Node*> items;
  if (n->IsSequence()) {
    for (const auto& item : n->items) items.push_back(item.get());
  } else {
    items.push_back(n);
  }
  for (size_t i = 0; i < items.size(); ++i) {
    const std::string p = n->IsSequence() ? Idx("spec.slo", i) : std::string("spec.slo");
    const Node* m = r_.Map(items[i], p);
    if (m == nullptr) continue;
    CheckFields(*m, p, kSloFields);
    Slo slo;
    slo.position = r_.Pos(m->mark);
    std::string service;
    r_.String(m->Get("service"), Sub(p, "service"), &service);
    if (service.empty()) {
      r_.Error(m->mark, Sub(p, "service"), "Required value: the Service the objective is for");
      continue;
    }
    SplitServiceRef(service, &slo.service_namespace, &slo.service);
    const bool sent_to =
        std::any_of(s->traffic.begin(), s->traffic.end(), [&](const TrafficSource& t) {
          return t.service == slo.service && t.service_namespace == slo.service_namespace;
        });
    if (!sent_to) {
      r_.Error(m->Get("service")->mark, Sub(p, "service"),
               fmt::format("no client in spec.traffic sends to Service \"{}\": the objective would "
                           "have no request to judge",
                           service));
    }
    const Node* a = m->Get("availability");
    std::string text;
    if (a == nullptr || a->IsNull()) {
      r_.Error(m->mark, Sub(p, "availability"),
               "Required value: the share of requests that must succeed, such as 99.9%");
    } else {
      // A percentage, whatever YAML would read the scalar as ("99.9%" is a
      // string, 0.999 a number: both answered by the message below).
      text = a->IsScalar() ? a->scalar : yaml::Describe(*a);
      double v = -1;
      if (!text.empty() && text.back() == '%') {
        const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size() - 1, v);
        if (ec != std::errc() || ptr != text.data() + text.size() - 1) v = -1;
      }
      if (v > 0 && v < 100) {
        // The share as the nearest double to the decimal written ("99.9e-2"
        // reads as 0.999, where 99.9 / 100 would be 0.9990000000000001).
        const std::string share = text.substr(0, text.size() - 1) + "e-2";
        std::from_chars(share.data(), share.data() + share.size(), v);
        slo.availability = v;
      } else {
        r_.Error(a->mark, Sub(p, "availability"),
                 fmt::format("expected a percentage above 0% and below 100%, such as 99.9%, got "
                             "\"{}\"",
                             text));
      }
    }
    if (const Node* l = m->Get("latencyP99"); l != nullptr && !l->IsNull()) {
      slo.latency_p99 = FixedDuration(l, Sub(p, "latencyP99"));
      if (slo.latency_p99 && *slo.latency_p99 <= SimDuration::Zero()) {
        r_.Error(l->mark, Sub(p, "latencyP99"), "must be greater than 0");
      }
    }
    if (const Node* w = m->Get("window"); w != nullptr && !w->IsNull()) {
      // Days too, as SLO windows are written: "30d", "7d".
      std::optional<SimDuration> window;
      if (w->IsScalar() && w->scalar.size() > 1 && w->scalar.back() == 'd') {
        int64_t days = 0;
        const auto [ptr, ec] =
            std::from_chars(w->scalar.data(), w->scalar.data() + w->scalar.size() - 1, days);
        if (ec == std::errc() && ptr == w->scalar.data() + w->scalar.size() - 1 && days > 0 &&
            days <= 3650) {
          window = SimDuration::Hours(24 * days);
        } else {
          r_.Error(w->mark, Sub(p, "window"),
                   fmt::format("expected a whole number of days from 1 to 3650 (such as 30d) or a "
                               "duration, got \"{}\"",
                               w->scalar));
        }
      } else {
        window = FixedDuration(w, Sub(p, "window"));
        if (window && *window <= SimDuration::Zero()) {
          r_.Error(w->mark, Sub(p, "window"), "must be greater than 0");
          window.reset();
        }
      }
      if (window) slo.window = *window;
    }
    s->slos.push_back(std::move(slo));
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
  DecodeSlos(spec->Get("slo"), s);
  DecodeAnalysis(spec->Get("analysis"), s);
  return r_.errors() == before;
}

}  // namespace kubesim::scenario::loader
