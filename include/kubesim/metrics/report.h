// Report: the numbers a run produces (docs/metrics.md), exact, before any formatting.
//
// The model: every duration is an exact SimDuration, integrated over
// simulated time from piecewise-constant signals (not sampled); counts are
// integers. A Service's metrics count from the moment its clients start; a
// Service that never served has `served == false` and its time metrics are
// reported as null. Services and Deployments are listed by report key (the
// object's name in `default`, NAMESPACE/NAME elsewhere), sorted, so every
// output is deterministic.
#ifndef KUBESIM_METRICS_REPORT_H_
#define KUBESIM_METRICS_REPORT_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/engine/time.h"

namespace kubesim::metrics {

struct RequestCounts {
  int64_t total = 0;
  int64_t failed = 0;                         // rejected and timed out included
  std::map<std::string, int64_t> by_version;  // successful and failed answers, by the pod's version
  // The load model (docs/load-model.md): answered 503 by a full queue; not
  // answered within the client's timeout.
  int64_t rejected = 0;
  int64_t timed_out = 0;
};

// Response times of successful requests, nearest-rank percentiles
// (docs/load-model.md): exact, from every sample.
struct LatencyReport {
  SimDuration p50, p95, p99, max;
  int64_t samples = 0;
};

// The verdict on a service level objective (docs/load-model.md, SLO).
struct SloReport {
  double availability_target = 0;  // 0.999
  std::optional<SimDuration> latency_p99_target;
  SimDuration window;
  std::optional<double> availability;  // measured: successful / total (null: no request)
  // Failed requests over the failures the window's error budget allows at
  // the run's request rate: (1 - target) x total x window / measured time.
  std::optional<double> error_budget_burned;
  bool kept = false;  // burned <= 1, and p99 <= its target if it has one
};

struct ServiceReport {
  std::string key;
  bool served = false;                 // clients ever started
  SimDuration downtime;                // no visible endpoint can serve
  SimDuration degraded;                // some, not all, visible endpoints can serve
  SimDuration version_mix;             // serving visible endpoints hold >= 2 versions
  SimDuration longest_outage;          // longest stretch of downtime
  int64_t min_serving_endpoints = 0;   // fewest serving visible endpoints after the start
  RequestCounts requests;
  // The load model: of every successful request, and by the answering
  // pod's version; null without any.
  std::optional<LatencyReport> latency;
  std::map<std::string, LatencyReport> latency_by_version;
  std::optional<SloReport> slo;  // its objective's verdict, if the scenario sets one
};

// An Argo canary step of a rollout (docs/metrics.md, rollouts[].steps).
struct RolloutStepReport {
  int32_t index = 0;
  std::string kind;
  SimTime start;
  std::optional<SimTime> end;  // none: still running at the end of the run
  std::string result;          // "completed", "skipped", "promoted", "aborted", "superseded"
  int32_t weight = 0;
  int32_t canary_replicas = 0;
  int32_t stable_replicas = 0;
  std::string analysis;  // an analysis step's run phase
};

// An Argo AnalysisRun of a rollout (docs/metrics.md, rollouts[].analysisRuns).
struct AnalysisRunReport {
  std::string name;
  std::string type;
  int32_t step = -1;
  SimTime start;
  SimTime end;
  std::string phase;
  std::string message;
  int32_t measurements = 0;
};

struct RolloutReport {
  int64_t revision = 0;
  SimTime start;
  std::optional<SimTime> complete;          // every replica updated + available, no old pod left
  std::optional<SimTime> rollout_status;    // when `kubectl rollout status` would return
  int32_t peak_active_pods = 0;             // most non-terminating pods while it ran
  int32_t min_available_pods = 0;           // fewest available pods while it ran
  bool deadline_exceeded = false;
  // An Argo Rollout's canary steps and AnalysisRuns, in order (empty for a
  // Deployment).
  std::vector<RolloutStepReport> steps;
  std::vector<AnalysisRunReport> analysis_runs;
  std::optional<SimDuration> duration() const {
    if (!complete) return std::nullopt;
    return *complete - start;
  }
};

struct DeploymentReport {
  std::string key;
  int64_t restarts = 0;
  std::vector<RolloutReport> rollouts;  // revision 2 onward, in order
  // The load model: the busiest whole second's busy share of the server
  // time its serving pods offered (null: none of its pods limits concurrency).
  std::optional<double> peak_utilization;
};

// A chained or blocking timeline step: when it started and finished.
struct StepReport {
  uint32_t step = 0;
  int line = 0;
  std::optional<SimTime> started;
  std::optional<SimTime> finished;
  std::string result;
};

struct ResourceReport {
  int64_t peak_pods = 0;
  int64_t peak_cpu_millis = 0;
  int64_t peak_memory_bytes = 0;
  SimDuration pending_pod_time;  // pod-seconds of pods no node could take
};

struct Report {
  std::string scenario;
  uint64_t seed = 0;
  SimTime end;
  uint64_t events = 0;
  std::vector<ServiceReport> services;        // by key
  std::vector<DeploymentReport> deployments;  // by key
  ResourceReport resources;
  std::vector<StepReport> timeline;  // chained and blocking steps, in file order
  // The scenario used the load model: its metrics are in the report.
  bool load_model = false;
};

}  // namespace kubesim::metrics

#endif  // KUBESIM_METRICS_REPORT_H_
