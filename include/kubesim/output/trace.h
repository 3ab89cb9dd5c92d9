// `kubesim run --trace FILE.json` (docs/outputs.md): the run as Chrome
// trace-event JSON, the format Perfetto (ui.perfetto.dev) and
// chrome://tracing open.
//
// Layout:
//   process "cluster" (pid 1)      counter tracks: per Service the
//                                  client-visible endpoints per version and
//                                  the failed requests per second; instant
//                                  events for the timeline's kubectl steps,
//                                  and on the "kubectl steps" track a span
//                                  per entry of the report's `timeline`
//                                  (chained, blocking, failed steps) from
//                                  its start to its finish (or the run's
//                                  end), args: step, line, result; spans
//                                  that overlap go to further tracks,
//                                  "kubectl steps (2)", ...
//   process "deployments" (pid 2)  a track per Deployment, a span per rollout
//                                  ("rollout to revision 2"), to completion
//                                  or the end of the run
//   process "node/NAME" (pid 3..)  one per node, sorted by name, holding a
//                                  track per pod bound to it; a span per
//                                  phase of the pod (Pending, Pulling,
//                                  Starting, Ready, Terminating) and instant
//                                  marks where its process starts and stops
//                                  serving
//   process "unscheduled"          pods that were never bound to a node
// Times are microseconds of simulated time (`ts`, `dur`), so 1 s of the run
// reads as 1 s in the viewer.
#ifndef KUBESIM_OUTPUT_TRACE_H_
#define KUBESIM_OUTPUT_TRACE_H_

#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "kubesim/cluster/observer.h"

namespace kubesim::output {

class TraceWriter final : public cluster::Observer {
 public:
  void OnEvent(SimTime t, std::string_view object, std::string_view what) override;
  void OnPodState(SimTime t, const cluster::PodInfo& pod) override;
  void OnRequest(SimTime t, const cluster::RequestInfo& r) override;
  void OnRolloutStart(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutComplete(SimTime t, const cluster::RolloutInfo& r) override;
  void OnRolloutStep(SimTime t, const cluster::RolloutStepInfo& s) override;
  void OnAnalysisRun(SimTime t, const cluster::AnalysisRunInfo& r) override;
  void OnTimelineStep(const cluster::StepOutcome& step) override;
  void OnEndInstant(const cluster::ClusterView& view) override;
  void OnFinish(const cluster::ClusterView& view) override;

  // The trace JSON (after the run finished), one event per line.
  std::string Json() const;

 private:
  struct Span {
    std::string name;
    SimTime start, end;
    std::string version;
    int32_t restarts = 0;
  };
  // A pod's container other than its app container (a regular one or a
  // native sidecar), from the event log's "container NAME ..." lines: a
  // Running span from its start, Stopping from its preStop or SIGTERM, to
  // its exit; its track sits under its pod's on the node.
  struct ContainerTrack {
    std::string name;
    std::vector<Span> spans;
    bool open = false;
  };
  struct PodTrack {
    std::string name;
    std::string node;  // the node it was bound to; "" if never
    std::vector<Span> spans;
    std::vector<ContainerTrack> containers;              // in order of their first start
    std::vector<std::pair<SimTime, std::string>> marks;  // "serving", "stopped serving"
    bool open = false;                                   // the last span has not ended
  };
  // A line about one of the pod's side containers.
  static void ContainerEvent(SimTime t, PodTrack& track, std::string_view what);
  struct Rollout {
    uint32_t deployment = 0;
    std::string name;  // resolved at the end
    int64_t revision = 0;
    SimTime start;
    std::optional<SimTime> end;
  };

  std::map<uint32_t, PodTrack> pods_;                     // by pod id
  std::map<std::string, uint32_t, std::less<>> pod_ids_;  // "pod/NAME" -> id
  std::vector<Rollout> rollouts_;
  // An Argo canary's steps and AnalysisRuns: spans on their Rollout's track.
  struct StepSpan {
    uint32_t deployment = 0;
    std::string name;
    std::string cat;
    SimTime start;
    std::optional<SimTime> end;
    std::map<std::string, std::string> text;  // its args
    std::map<std::string, int64_t> numbers;
  };
  std::vector<StepSpan> step_spans_;
  std::vector<std::pair<SimTime, std::string>> steps_;
  // The report's timeline entries (cluster::StepOutcome, copied).
  struct StepEntry {
    uint32_t step = 0;
    int line = 0;
    std::string text;
    std::optional<SimTime> started, finished;
    std::string result;
  };
  std::vector<StepEntry> step_entries_;
  // Endpoint counter samples: (time, service, version -> count) when changed.
  std::map<std::string, std::map<std::string, int64_t>> last_endpoints_;  // by service
  std::vector<std::tuple<SimTime, std::string, std::map<std::string, int64_t>>> endpoint_samples_;
  // Failed requests per whole second of simulated time, by service.
  std::map<uint32_t, std::map<int64_t, int64_t>> failed_per_second_;
  std::vector<std::string> service_names_;  // by service index, resolved at the end
  SimTime end_;
  bool finished_ = false;
};

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_TRACE_H_
