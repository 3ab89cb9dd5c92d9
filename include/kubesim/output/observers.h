// Writers that watch a run: the human-readable event log (`--events`) and
// the timeline CSV (`--timeline`).
//
// The event log has one line per happening, in order:
//   12.500s pod/echo-version-7d9f4b-x2k4p Ready
// The timeline CSV (`--timeline FILE.csv`) has one row per instant at which
// something it shows changed, and a last row at the end of the run. Columns,
// in this order:
//   time                             seconds of simulated time, 6 decimals
//   pods/OWNER/VERSION/STATE         pods of the Deployment (or bare pod) OWNER
//                                    running VERSION in STATE, for STATE in
//                                    pending, pulling, starting, ready,
//                                    terminating (all five for every OWNER and
//                                    VERSION that ever had a pod)
//   endpoints/SERVICE/VERSION        client-visible endpoints of SERVICE (after
//                                    endpointDelay, fallback included) running
//                                    VERSION
//   serving/SERVICE                  how many of those endpoints can serve now
//   failed/SERVICE                   failed requests to SERVICE so far
// With the load model (docs/load-model.md), per second — a row at every whole
// second where one of them changes, and each row holding the values of the
// second it falls in:
//   inflight/SERVICE                 requests sent and not yet ended at the
//                                    second's start
//   latencyP50/SERVICE, latencyP99/SERVICE
//                                    response-time percentiles (nearest rank,
//                                    seconds) of the requests answered in the
//                                    second; 0 without any
// Each group is sorted by name. A row holds the state after every event of
// its instant ran (docs/scenario-format.md), valid until the next row's time.
#ifndef KUBESIM_OUTPUT_OBSERVERS_H_
#define KUBESIM_OUTPUT_OBSERVERS_H_

#include <array>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/cluster/observer.h"

namespace kubesim::output {

class EventLog final : public cluster::Observer {
 public:
  void OnEvent(SimTime t, std::string_view object, std::string_view what) override;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

// The state over time, recorded at the end of every instant in which it
// changed (see the file comment for the CSV's columns). Also the data of the
// SVG plot (plot.h): the series, the kubectl steps and the report's
// timeline entries (the CSV shows neither).
class Timeline final : public cluster::Observer {
 public:
  void OnStart(const cluster::ClusterView& view) override;
  void OnEvent(SimTime t, std::string_view object, std::string_view what) override;
  void OnRequest(SimTime t, const cluster::RequestInfo& r) override;
  void OnTimelineStep(const cluster::StepOutcome& step) override;
  void OnRolloutStep(SimTime t, const cluster::RolloutStepInfo& s) override;
  void OnEndInstant(const cluster::ClusterView& view) override;
  void OnFinish(const cluster::ClusterView& view) override;

  struct Row {
    SimTime time;
    std::map<std::string, int64_t> values;  // column -> value; absent means 0
  };
  // The rows, in time order; the last one at the end of the run.
  const std::vector<Row>& rows() const { return rows_; }
  // Every column, in the CSV's order (see the file comment).
  std::vector<std::string> Columns() const;
  // The timeline steps (kubectl commands, node failures): time and text.
  const std::vector<std::pair<SimTime, std::string>>& steps() const { return steps_; }
  // The report's timeline entries (chained, blocking and failed steps; see
  // cluster::StepOutcome), in file order.
  struct StepEntry {
    uint32_t step = 0;
    std::string text;
    std::optional<SimTime> started, finished;
    std::string result;
  };
  const std::vector<StepEntry>& step_entries() const { return step_entries_; }
  SimTime end() const { return end_; }
  // The CSV: a header line, then one line per row.
  std::string Csv() const;

 private:
  void Record(const cluster::ClusterView& view);
  // An Argo canary's running step (its number from 1; 0: none) and weight,
  // by deployment id: the step/ and weight/ columns.
  std::map<uint32_t, std::pair<int64_t, int64_t>> canary_steps_;
  void FlushPending();  // the held failed-requests row, if any
  void AddPerSecond(const cluster::ClusterView& view);  // at the end: the load model's columns

  // The load model: per Service, by whole second of simulated time, the
  // change of the requests in flight at its start (+1 where one was sent
  // before it, -1 where one ended before it) and the response times (µs)
  // of the requests answered in it.
  bool load_ = false;
  struct PerSecond {
    std::map<int64_t, int64_t> inflight_change;          // by second
    std::map<int64_t, std::vector<uint32_t>> latencies;  // by second
  };
  std::map<uint32_t, PerSecond> per_second_;

  std::map<uint32_t, int64_t> failed_;  // by service
  // Instants that only failed requests: at most one row per second of
  // simulated time — the last such instant's, held until a later second or
  // a change (a row per failed request would be unreadable at 1,000 req/s).
  std::optional<SimTime> pending_;
  std::map<uint32_t, int64_t> pending_failed_;  // failed_ as it was then
  std::vector<std::string> failed_keys_;        // "failed/KEY" by service
  // Pods counted by (owner, version) group, without formatting a column name
  // per pod per instant: the group of each pod is cached.
  struct Group {
    std::string prefix;               // "pods/OWNER/VERSION/"
    std::array<int64_t, 5> counts{};  // by state: pending .. terminating
  };
  struct PodGroup {
    int32_t group = -1;
    std::string version;
    int32_t state = -1;  // the column it is counted in, -1: none (gone)
  };
  std::vector<Group> groups_;
  std::map<std::string, int32_t, std::less<>> group_index_;
  std::vector<PodGroup> pod_groups_;  // by pod id
  std::vector<Row> rows_;
  std::vector<std::pair<SimTime, std::string>> steps_;
  std::vector<StepEntry> step_entries_;
  SimTime end_;
};

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_OBSERVERS_H_
