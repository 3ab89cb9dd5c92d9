// Collector: the Observer that turns a run into a Report (report.h).
//
// The model: after every instant it reads the cluster (ClusterView) and
// classifies each started Service — down, degraded, version-mixed — and the
// Deployments and resources; the classification holds until the next
// instant, so it adds the time since the previous instant to the previous
// classification: exact integrals, O(1) memory in simulated time.
#ifndef KUBESIM_METRICS_COLLECTOR_H_
#define KUBESIM_METRICS_COLLECTOR_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/cluster/observer.h"
#include "kubesim/metrics/report.h"

namespace kubesim::metrics {

class Collector final : public cluster::Observer {
 public:
  // `scenario` and `seed` label the report.
  Collector(std::string scenario, uint64_t seed);

  void OnStart(const cluster::ClusterView& view) override;
  void OnRequest(SimTime t, uint32_t service, std::optional<uint32_t> pod,
                 std::string_view version, bool ok) override;
  void OnServiceStarted(SimTime t, uint32_t service) override;
  void OnRolloutStart(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutStatusDone(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutComplete(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutDeadlineExceeded(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRestart(SimTime t, const cluster::PodInfo& pod) override;
  void OnEndInstant(const cluster::ClusterView& view) override;
  void OnFinish(const cluster::ClusterView& view) override;

  // REQUIRES: the run finished. `events` is the run's event count.
  Report TakeReport(uint64_t events);

 private:
  struct ServiceState {
    ServiceReport report;
    bool started = false;
    bool classified = false;
    bool down = false, degraded = false, mixed = false;
    std::optional<SimTime> outage_start;
  };
  struct RolloutState {
    RolloutReport report;
    uint32_t deployment = 0;
    bool tracking = true;  // still sampling peak/min
  };

  ServiceState& Service(uint32_t id);
  void Integrate(SimTime now);
  void Classify(const cluster::ClusterView& view);

  std::string scenario_;
  uint64_t seed_;
  std::vector<ServiceState> services_;
  std::vector<std::string> service_keys_;
  std::vector<RolloutState> rollouts_;
  std::map<std::string, int64_t> restarts_;  // by deployment key
  std::map<uint32_t, std::string> deployment_keys_;
  SimTime last_;
  int64_t last_unschedulable_ = 0;
  ResourceReport resources_;
  SimTime end_;
};

}  // namespace kubesim::metrics

#endif  // KUBESIM_METRICS_COLLECTOR_H_
