// Collector: the Observer that turns a run into a Report (report.h).
//
// The model: after every instant it reads what changed in the cluster
// (ClusterView::ChangedServices, ChangedDeployments) and classifies each such
// started Service — down, degraded, version-mixed — and samples each such
// Deployment's rollouts and the cluster's resources. A classification holds
// until the Service next changes, so when it does the time since the last
// change is added to the classification it ends: exact integrals from
// deltas, O(1) memory in simulated time, and per instant a cost that grows
// with what changed, never with the cluster's size.
#ifndef KUBESIM_METRICS_COLLECTOR_H_
#define KUBESIM_METRICS_COLLECTOR_H_

#include <cstdint>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "kubesim/cluster/observer.h"
#include "kubesim/metrics/report.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::metrics {

// Response times in µs, every one kept (docs/load-model.md): 4 bytes each
// below 2^32 µs (71 minutes), 8 bytes for the rare longer ones. The short
// ones in blocks that double from 1 Ki samples to 64 Ki (256 KiB), then
// of 512 Ki (2 MiB, on a huge page where the kernel has them), so that
// keeping millions neither copies them as a vector grows nor touches much
// more memory than they need, a few samples cost a few KiB, and adding one
// is a store through a cursor.
class LatencySamples {
 public:
  static constexpr size_t kFirstBlock = size_t{1} << 10;
  static constexpr size_t kLastSmallBlock = size_t{1} << 16;
  static constexpr size_t kHugeBlock = size_t{1} << 19;  // 2 MiB

  LatencySamples() = default;
  // Moving keeps the blocks where they are (the cursor stays valid) and
  // leaves the source empty, not with a cursor into blocks it gave away.
  LatencySamples(LatencySamples&& o) noexcept { *this = std::move(o); }
  LatencySamples& operator=(LatencySamples&& o) noexcept {
    if (this == &o) return *this;
    blocks_ = std::move(o.blocks_);
    long_us_ = std::move(o.long_us_);
    full_ = std::exchange(o.full_, 0);
    next_ = std::exchange(o.next_, nullptr);
    end_ = std::exchange(o.end_, nullptr);
    o.blocks_.clear();
    o.long_us_.clear();
    return *this;
  }

  void Add(int64_t us) {
    if (us >= 0 && us <= UINT32_MAX && next_ != end_) {
      *next_++ = static_cast<uint32_t>(us);
      return;
    }
    AddSlow(us);
  }
  size_t size() const { return short_count() + long_us_.size(); }
  size_t short_count() const {
    return blocks_.empty() ? 0 : full_ + static_cast<size_t>(next_ - blocks_.back().data.get());
  }
  const std::vector<int64_t>& long_us() const { return long_us_; }
  template <typename F>
  void ForEachShort(F&& f) const {
    for (const Block& b : blocks_) {
      const uint32_t* const end = &b == &blocks_.back() ? next_ : b.data.get() + b.size;
      for (const uint32_t* v = b.data.get(); v != end; ++v) f(*v);
    }
  }

 private:
  struct Free {
    void operator()(uint32_t* p) const { std::free(p); }
  };
  struct Block {
    std::unique_ptr<uint32_t[], Free>
        data;  // uninitialised: pages are touched as samples fill them
    size_t size;
  };
  void AddSlow(int64_t us);  // a long sample, or a new block
  std::vector<Block> blocks_;
  size_t full_ = 0;  // samples in the blocks before the last
  uint32_t* next_ = nullptr;
  uint32_t* end_ = nullptr;
  std::vector<int64_t> long_us_;
};

class Collector final : public cluster::Observer {
 public:
  // `scenario` and `seed` label the report; `slos` are judged in it.
  Collector(std::string scenario, uint64_t seed, std::vector<scenario::Slo> slos = {});

  void OnStart(const cluster::ClusterView& view) override;
  bool WantsEvents() const override { return false; }
  bool WantsPodStates() const override { return false; }
  void OnRequest(SimTime t, const cluster::RequestInfo& r) override;
  void OnServiceStarted(SimTime t, uint32_t service) override;
  void OnRolloutStart(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutStatusDone(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutComplete(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutDeadlineExceeded(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutStep(SimTime t, const cluster::RolloutStepInfo& s) override;
  void OnAnalysisRun(SimTime t, const cluster::AnalysisRunInfo& r) override;
  void OnRestart(SimTime t, const cluster::PodInfo& pod) override;
  void OnEndInstant(const cluster::ClusterView& view) override;
  void OnTimelineStep(const cluster::StepOutcome& step) override;
  void OnFinish(const cluster::ClusterView& view) override;

  // REQUIRES: the run finished. `events` is the run's event count.
  Report TakeReport(uint64_t events);

 private:
  struct ServiceState {
    ServiceReport report;
    bool started = false;
    bool classified = false;
    bool down = false, degraded = false, mixed = false;
    SimTime since;  // when the classification last changed
    SimTime started_at;  // when its clients started
    std::optional<SimTime> outage_start;
    std::map<std::string, int64_t, std::less<>> by_version;  // no copy per request
    // The load model: every successful request's response time, by the
    // answering pod's version (percentiles exact from all samples; the
    // Service's from the histograms of all of them, Percentiles).
    std::vector<std::pair<std::string, LatencySamples>> latencies;
    const char* last_version = nullptr;  // the interned version of the last sample
    LatencySamples* last_samples = nullptr;  // its entry in `latencies`
  };
  struct RolloutState {
    RolloutReport report;
    uint32_t deployment = 0;
    bool tracking = true;  // still sampling peak/min
  };

  ServiceState& Service(uint32_t id);
  void Integrate(SimTime now);
  void Flush(ServiceState& s, SimTime now);  // add the time since `since` to its class
  void Classify(const cluster::ClusterView& view);
  void Sample(RolloutState& r, const cluster::ClusterView& view);  // a rollout's peak / min

  std::string scenario_;
  uint64_t seed_;
  std::vector<ServiceState> services_;
  std::vector<std::string> service_keys_;
  std::vector<RolloutState> rollouts_;
  // Indexes into rollouts_, by deployment id (dense: a vector, not a map,
  // as Classify looks up every changed Deployment each instant).
  std::vector<std::vector<size_t>> rollouts_by_deployment_;
  std::vector<size_t>& RolloutsOf(uint32_t deployment);
  std::map<std::string, int64_t> restarts_;  // by deployment key
  std::map<uint32_t, std::string> deployment_keys_;
  SimTime last_;
  int64_t last_unschedulable_ = 0;
  ResourceReport resources_;
  std::vector<StepReport> timeline_;
  SimTime end_;
  bool load_model_ = false;
  std::vector<scenario::Slo> slos_;
  std::map<std::string, double> peak_utilization_;  // by deployment key
};

// Nearest-rank percentiles of the union of `parts` (docs/load-model.md): p
// is the smallest sample that at least p % of the samples are at or below.
// REQUIRES: some part holds a sample.
LatencyReport Percentiles(std::span<const LatencySamples* const> parts);

}  // namespace kubesim::metrics

#endif  // KUBESIM_METRICS_COLLECTOR_H_
