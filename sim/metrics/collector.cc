// The metrics collector; see include/kubesim/metrics/collector.h and docs/metrics.md.
#include "kubesim/metrics/collector.h"

#include <sys/mman.h>  // madvise

#include <algorithm>
#include <cstdlib>
#include <map>
#include <new>
#include <optional>
#include <set>
#include <span>

namespace kubesim::metrics {

Collector::Collector(std::string scenario, uint64_t seed, std::vector<scenario::Slo> slos)
    : scenario_(std::move(scenario)), seed_(seed), slos_(std::move(slos)) {}

namespace {

// The verdict on `slo` for one Service's report, its clients having sent
// from `started` to `end` (docs/load-model.md, SLO).
SloReport Judge(const scenario::Slo& slo, const ServiceReport& s, SimDuration measured) {
  SloReport r;
  r.availability_target = slo.availability;
  r.latency_p99_target = slo.latency_p99;
  r.window = slo.window;
  const auto total = static_cast<double>(s.requests.total);
  const auto failed = static_cast<double>(s.requests.failed);
  if (s.requests.total > 0) r.availability = 1.0 - failed / total;
  // The failures the window's budget allows, at the run's request rate.
  if (s.requests.total > 0 && measured > SimDuration::Zero()) {
    const double allowed =
        (1.0 - slo.availability) * total * slo.window.seconds() / measured.seconds();
    r.error_budget_burned = failed / allowed;
  } else {
    r.error_budget_burned = 0.0;  // no request, nothing burned
  }
  const bool latency_ok = !slo.latency_p99 || (s.latency && s.latency->p99 <= *slo.latency_p99);
  r.kept = *r.error_budget_burned <= 1.0 && latency_ok;
  return r;
}

}  // namespace

Collector::ServiceState& Collector::Service(uint32_t id) {
  if (services_.size() <= id) services_.resize(id + 1);
  return services_[id];
}

std::vector<size_t>& Collector::RolloutsOf(uint32_t deployment) {
  if (rollouts_by_deployment_.size() <= deployment) rollouts_by_deployment_.resize(deployment + 1);
  return rollouts_by_deployment_[deployment];
}

void Collector::OnStart(const cluster::ClusterView& view) { load_model_ = view.LoadModel(); }

namespace {
constexpr size_t kHugePage = size_t{2} << 20;
static_assert(LatencySamples::kHugeBlock * sizeof(uint32_t) == kHugePage);
}  // namespace

void LatencySamples::AddSlow(int64_t us) {
  if (us < 0 || us > UINT32_MAX) {
    long_us_.push_back(us);
    return;
  }
  // The last block is full (or there is none): the next, twice its size.
  if (!blocks_.empty()) full_ += blocks_.back().size;
  size_t size = kFirstBlock;
  if (!blocks_.empty()) {
    size = blocks_.back().size < kLastSmallBlock ? 2 * blocks_.back().size : kHugeBlock;
  }
  const size_t bytes = size * sizeof(uint32_t);
  void* memory = nullptr;
  if (bytes == kHugePage) {
    // A block of 2 MiB, aligned, on one transparent huge page where the
    // kernel has them: a page fault per half a million samples, not per
    // thousand (bench/README.md, "Load model": a run of 1.8 million
    // requests faulted 1,800 times for its samples).
    memory = std::aligned_alloc(kHugePage, bytes);
#ifdef MADV_HUGEPAGE
    if (memory != nullptr)
      madvise(memory, bytes, MADV_HUGEPAGE);  // a hint: its failure is harmless
#endif
  } else {
    memory = std::malloc(bytes);
  }
  if (memory == nullptr) throw std::bad_alloc();
  blocks_.push_back(Block{std::unique_ptr<uint32_t[], Free>(static_cast<uint32_t*>(memory)), size});
  next_ = blocks_.back().data.get();
  end_ = next_ + size;
  *next_++ = static_cast<uint32_t>(us);
}

void Collector::OnRequest(SimTime /*t*/, const cluster::RequestInfo& req) {
  ServiceState& s = Service(req.service);
  RequestCounts& r = s.report.requests;
  ++r.total;
  if (!req.ok()) ++r.failed;
  if (req.result == cluster::RequestResult::kRejected) ++r.rejected;
  if (req.result == cluster::RequestResult::kTimedOut) ++r.timed_out;
  if (req.pod) {
    auto it = s.by_version.find(req.version);
    if (it == s.by_version.end()) it = s.by_version.emplace(std::string(req.version), 0).first;
    ++it->second;
  }
  if (load_model_ && req.ok()) {
    // Versions are interned by the model: the same text, the same pointer,
    // so a run of one version's answers finds its entry without a compare.
    if (s.last_version != req.version.data() || s.last_samples == nullptr) {
      size_t i = 0;
      while (i < s.latencies.size() && s.latencies[i].first != req.version) ++i;
      if (i == s.latencies.size())
        s.latencies.emplace_back(std::string(req.version), LatencySamples{});
      s.last_version = req.version.data();
      s.last_samples = &s.latencies[i].second;  // (emplace_back may have moved the others)
    }
    s.last_samples->Add(req.latency.micros());
  }
}

namespace {

constexpr size_t kPercents[3] = {50, 95, 99};

// The value of rank `rank` (from 1) among `long_values` (each larger than
// every short sample). Reorders them.
int64_t NthLong(std::vector<int64_t>& long_values, size_t rank) {
  const auto k = long_values.begin() + static_cast<std::ptrdiff_t>(rank - 1);
  std::nth_element(long_values.begin(), k, long_values.end());
  return *k;
}

// The short samples' values of ranks `ranks` (from 1; those above
// `n_short` are left), by histograms counted in `Count` (wide enough for
// `n_short`). Histograms are reused between calls (per thread: sweeps run
// threads), so that a report's several calls fault in and clear memory once
// rather than allocate 2 MB each.
template <typename Count>
void ShortRanks(std::span<const LatencySamples* const> parts, size_t n_short,
                const size_t (&ranks)[3], SimDuration (&found)[3], uint32_t& max_short) {
  thread_local std::vector<Count> high;
  thread_local std::vector<Count> low[3];
  high.assign(size_t{1} << 16, 0);
  for (const LatencySamples* p : parts) {
    p->ForEachShort([&](uint32_t v) {
      ++high[v >> 16];
      max_short = std::max(max_short, v);
    });
  }
  // The bucket of each rank among the short samples, and its rank there.
  uint32_t bucket[3] = {0, 0, 0};
  size_t within[3] = {0, 0, 0};
  bool wanted[3] = {false, false, false};
  for (size_t i = 0; i < 3; ++i) {
    if (ranks[i] > n_short) continue;
    wanted[i] = true;
    size_t seen = 0;
    uint32_t b = 0;
    while (seen + high[b] < ranks[i]) seen += high[b++];
    bucket[i] = b;
    within[i] = ranks[i] - seen;
    low[i].assign(size_t{1} << 16, 0);
  }
  for (const LatencySamples* p : parts) {
    p->ForEachShort([&](uint32_t v) {
      const uint32_t b = v >> 16;
      for (size_t i = 0; i < 3; ++i) {
        if (wanted[i] && b == bucket[i]) ++low[i][v & 0xFFFF];
      }
    });
  }
  for (size_t i = 0; i < 3; ++i) {
    if (!wanted[i]) continue;
    size_t seen = 0;
    uint32_t lo = 0;
    while (seen + low[i][lo] < within[i]) seen += low[i][lo++];
    found[i] = SimDuration::Micros((int64_t{bucket[i]} << 16) | lo);
  }
}

}  // namespace

// Exact nearest-rank selection without moving a sample: a histogram of the
// samples' high 16 bits finds the bucket that holds each rank, and a second
// pass, a histogram of the low 16 bits of that bucket's samples, the value.
// Two passes over the samples whatever their number, and the union of
// several versions' samples is never built (their histograms add up).
LatencyReport Percentiles(std::span<const LatencySamples* const> parts) {
  size_t n = 0, n_short = 0;
  for (const LatencySamples* p : parts) {
    n += p->size();
    n_short += p->short_count();
  }
  LatencyReport l;
  l.samples = static_cast<int64_t>(n);
  std::vector<int64_t> long_values;
  for (const LatencySamples* p : parts) {
    long_values.insert(long_values.end(), p->long_us().begin(), p->long_us().end());
  }
  size_t ranks[3];
  for (size_t i = 0; i < 3; ++i) ranks[i] = std::max<size_t>(1, (kPercents[i] * n + 99) / 100);
  SimDuration found[3];
  uint32_t max_short = 0;
  if (n_short > UINT32_MAX) {
    ShortRanks<uint64_t>(parts, n_short, ranks, found, max_short);
  } else if (n_short > 0) {
    ShortRanks<uint32_t>(parts, n_short, ranks, found, max_short);
  }
  for (size_t i = 0; i < 3; ++i) {
    if (ranks[i] > n_short)
      found[i] = SimDuration::Micros(NthLong(long_values, ranks[i] - n_short));
  }
  l.p50 = found[0];
  l.p95 = found[1];
  l.p99 = found[2];
  l.max = long_values.empty()
              ? SimDuration::Micros(max_short)
              : SimDuration::Micros(*std::max_element(long_values.begin(), long_values.end()));
  return l;
}

void Collector::OnServiceStarted(SimTime t, uint32_t service) {
  ServiceState& s = Service(service);
  s.started = true;
  s.started_at = t;
  s.report.served = true;
  s.report.min_serving_endpoints = INT64_MAX;
}

void Collector::OnRolloutStart(SimTime t, const cluster::RolloutInfo& r) {
  RolloutState st;
  st.deployment = r.deployment;
  st.report.revision = r.revision;
  st.report.start = t;
  st.report.min_available_pods = INT32_MAX;
  // A new template supersedes the Deployment's unfinished rollout.
  std::vector<size_t>& mine = RolloutsOf(r.deployment);
  for (size_t i : mine) rollouts_[i].tracking = false;
  mine.push_back(rollouts_.size());
  rollouts_.push_back(st);
}

void Collector::OnRolloutStatusDone(SimTime t, const cluster::RolloutInfo& r) {
  for (size_t i : RolloutsOf(r.deployment)) {
    if (rollouts_[i].report.start == r.start) rollouts_[i].report.rollout_status = t;
  }
}

void Collector::OnRolloutComplete(SimTime t, const cluster::RolloutInfo& r) {
  for (size_t i : RolloutsOf(r.deployment)) {
    if (rollouts_[i].report.start == r.start) rollouts_[i].report.complete = t;
  }
}

void Collector::OnRolloutDeadlineExceeded(SimTime /*t*/, const cluster::RolloutInfo& r) {
  for (size_t i : RolloutsOf(r.deployment)) {
    if (rollouts_[i].report.start == r.start) rollouts_[i].report.deadline_exceeded = true;
  }
}

void Collector::OnRolloutStep(SimTime t, const cluster::RolloutStepInfo& s) {
  for (size_t i : RolloutsOf(s.rollout.deployment)) {
    RolloutReport& ro = rollouts_[i].report;
    if (ro.start != s.rollout.start) continue;
    if (!s.ended) {
      ro.steps.push_back(RolloutStepReport{s.index, std::string(s.kind), t, std::nullopt, "",
                                           s.weight, s.canary_replicas, s.stable_replicas, ""});
      continue;
    }
    for (auto it = ro.steps.rbegin(); it != ro.steps.rend(); ++it) {
      if (it->index != s.index || it->end) continue;
      it->end = t;
      it->result = s.result;
      it->weight = s.weight;
      it->canary_replicas = s.canary_replicas;
      it->stable_replicas = s.stable_replicas;
      it->analysis = s.analysis;
      break;
    }
  }
}

void Collector::OnAnalysisRun(SimTime t, const cluster::AnalysisRunInfo& r) {
  for (size_t i : RolloutsOf(r.rollout.deployment)) {
    RolloutReport& ro = rollouts_[i].report;
    if (ro.start != r.rollout.start) continue;
    ro.analysis_runs.push_back(AnalysisRunReport{std::string(r.name), std::string(r.type), r.step,
                                                 r.start, t, std::string(r.phase),
                                                 std::string(r.message), r.measurements});
  }
}

void Collector::OnRestart(SimTime /*t*/, const cluster::PodInfo& pod) {
  ++restarts_[std::string(pod.owner)];
}

void Collector::Integrate(SimTime now) {
  const SimDuration dt = now - last_;
  if (dt > SimDuration::Zero()) resources_.pending_pod_time += dt * last_unschedulable_;
  last_ = now;
}

void Collector::Flush(ServiceState& s, SimTime now) {
  if (s.classified) {
    const SimDuration dt = now - s.since;
    if (s.down) s.report.downtime += dt;
    if (s.degraded) s.report.degraded += dt;
    if (s.mixed) s.report.version_mix += dt;
  }
  s.since = now;
}

void Collector::Classify(const cluster::ClusterView& view) {
  // Nothing observable changed (only requests were answered): every
  // classification and peak below would come out as it is.
  if (!view.Changed()) return;
  const SimTime now = view.Now();
  for (uint32_t id : view.ChangedServices()) {
    ServiceState& s = Service(id);
    if (!s.started) continue;
    Flush(s, now);
    // From the counts the endpoints keep: no walk of the endpoints.
    const int64_t serving = view.ServingEndpoints(id);
    const bool two_versions = view.ServingVersions(id) >= 2;
    const auto listed = static_cast<int64_t>(view.VisibleEndpoints(id).size());
    s.classified = true;
    s.down = serving == 0;
    s.degraded = serving > 0 && serving < listed;
    s.mixed = two_versions;
    s.report.min_serving_endpoints = std::min(s.report.min_serving_endpoints, serving);
    if (s.down && !s.outage_start) s.outage_start = now;
    if (!s.down && s.outage_start) {
      s.report.longest_outage = std::max(s.report.longest_outage, now - *s.outage_start);
      s.outage_start.reset();
    }
  }
  for (uint32_t d : view.ChangedDeployments()) {
    if (d >= rollouts_by_deployment_.size()) continue;
    for (size_t i : rollouts_by_deployment_[d]) Sample(rollouts_[i], view);
  }
  resources_.peak_pods = std::max(resources_.peak_pods, view.ExistingPods());
  resources_.peak_cpu_millis = std::max(resources_.peak_cpu_millis, view.BoundCpuMillis());
  resources_.peak_memory_bytes = std::max(resources_.peak_memory_bytes, view.BoundMemoryBytes());
  last_unschedulable_ = view.UnschedulablePods();
}

void Collector::Sample(RolloutState& r, const cluster::ClusterView& view) {
  if (!r.tracking) return;
  // A deleted Deployment's rollout ends unfinished at the deletion; the
  // pods it deletes then do not count against it.
  if (view.DeploymentDeleted(r.deployment)) {
    r.tracking = false;
    return;
  }
  r.report.peak_active_pods = std::max(r.report.peak_active_pods, view.ActivePods(r.deployment));
  r.report.min_available_pods =
      std::min(r.report.min_available_pods, view.AvailablePods(r.deployment));
  if (r.report.complete) r.tracking = false;  // sampled its last instant
}

void Collector::OnEndInstant(const cluster::ClusterView& view) {
  Integrate(view.Now());
  Classify(view);
}

void Collector::OnFinish(const cluster::ClusterView& view) {
  Integrate(view.Now());
  end_ = view.Now();
  for (ServiceState& s : services_) {
    Flush(s, end_);
    if (s.outage_start) {
      s.report.longest_outage = std::max(s.report.longest_outage, end_ - *s.outage_start);
    }
    if (!s.classified) s.report.min_serving_endpoints = 0;
  }
  service_keys_.clear();
  for (uint32_t id = 0; id < view.ServiceCount(); ++id) {
    Service(id);
    service_keys_.emplace_back(view.ServiceKey(id));
  }
  for (uint32_t d = 0; d < view.DeploymentCount(); ++d) {
    deployment_keys_[d] = std::string(view.DeploymentKey(d));
    if (const std::optional<double> u = view.PeakUtilization(d)) {
      // One entry per key: a Deployment applied again under its name continues it.
      double& peak = peak_utilization_[deployment_keys_[d]];
      peak = std::max(peak, *u);
    }
  }
}

void Collector::OnTimelineStep(const cluster::StepOutcome& step) {
  timeline_.push_back(
      StepReport{step.step, step.line, step.started, step.finished, std::string(step.result)});
}

Report Collector::TakeReport(uint64_t events) {
  Report r;
  r.timeline = std::move(timeline_);
  r.scenario = scenario_;
  r.seed = seed_;
  r.end = end_;
  r.events = events;
  r.load_model = load_model_;
  for (size_t i = 0; i < service_keys_.size(); ++i) {
    ServiceReport s = services_[i].report;
    for (const auto& [version, n] : services_[i].by_version) s.requests.by_version[version] = n;
    const auto& latencies = services_[i].latencies;
    std::vector<const LatencySamples*> all;
    for (const auto& [version, samples] : latencies) {
      const LatencySamples* one[] = {&samples};
      s.latency_by_version[version] = Percentiles(one);
      all.push_back(&samples);
    }
    if (all.size() == 1) {
      s.latency = s.latency_by_version.begin()->second;
    } else if (!all.empty()) {
      s.latency = Percentiles(all);
    }
    s.key = service_keys_[i];
    for (const scenario::Slo& slo : slos_) {
      const std::string key = slo.service_namespace == "default"
                                  ? slo.service
                                  : slo.service_namespace + "/" + slo.service;
      if (key != s.key) continue;
      const SimDuration measured =
          services_[i].started ? end_ - services_[i].started_at : SimDuration::Zero();
      s.slo = Judge(slo, s, measured);
    }
    r.services.push_back(std::move(s));
  }
  std::sort(r.services.begin(), r.services.end(),
            [](const ServiceReport& a, const ServiceReport& b) { return a.key < b.key; });
  // One entry per key: a Deployment deleted and applied again under the same
  // name (a new object to Kubernetes, with a new uid) continues its entry, its
  // rollouts after the first one's, as the JSON report has one key per name.
  std::map<std::string, DeploymentReport> by_key;
  for (const auto& [id, key] : deployment_keys_) {
    DeploymentReport& d = by_key[key];
    d.key = key;
    if (auto it = restarts_.find(key); it != restarts_.end()) d.restarts = it->second;
    if (auto it = peak_utilization_.find(key); it != peak_utilization_.end()) {
      d.peak_utilization = it->second;
    }
    for (const RolloutState& st : rollouts_) {
      if (st.deployment != id) continue;
      RolloutReport rr = st.report;
      if (rr.min_available_pods == INT32_MAX) rr.min_available_pods = 0;
      d.rollouts.push_back(rr);
    }
  }
  for (auto& [key, d] : by_key) r.deployments.push_back(std::move(d));
  r.resources = resources_;
  return r;
}

}  // namespace kubesim::metrics
