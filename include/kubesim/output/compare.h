// Comparison: several runs' Reports side by side, one column per scenario
// (docs/metrics.md), as `kubesim compare` prints them.
//
// The model: for every Service key and every Deployment key found in any
// report, the rows of docs/metrics.md — the metrics the schema
// (metrics/schema.h) gives a compare_order: Services: downtime, degraded
// time, version-mix time, failed requests and their share; Deployments:
// rollout duration and `rollout status` time (of the last rollout),
// restarts, min available and peak active pods (of the last rollout); then
// the cluster's peak pods, CPU, memory and pending pod-seconds. A cell is
// empty where a scenario has no such object or the thing never happened (a
// rollout that never completed); a row empty in every column is left out (a
// Deployment that never rolled out). In each row the best value is marked:
// the lowest, except for min available (highest).
#ifndef KUBESIM_OUTPUT_COMPARE_H_
#define KUBESIM_OUTPUT_COMPARE_H_

#include <optional>
#include <string>
#include <vector>

#include "kubesim/metrics/report.h"
#include "kubesim/metrics/schema.h"
#include "kubesim/metrics/stats.h"

namespace kubesim::output {

struct ComparisonRow {
  using Unit = metrics::Unit;
  std::string group;   // "service echo-version", "deployment web", "cluster"
  std::string metric;  // "downtime", ...
  std::string key;     // the machine name: "services.echo-version.downtimeSeconds"
  Unit unit = Unit::kCount;
  bool higher_is_better = false;
  std::vector<std::optional<double>> values;  // one per scenario; seconds for kSeconds
  // With several seeds (compare --seeds): per scenario the statistics over
  // its runs, and `values` holds their means. Empty with one run each.
  std::vector<metrics::Summary> stats;
  // The best value, if the row has two or more values and they differ.
  std::optional<double> Best() const;
  // Whether values[i] is the best value (ties all are).
  bool IsBest(size_t i) const;
};

struct Comparison {
  std::vector<std::string> scenarios;  // column titles
  std::vector<ComparisonRow> rows;
  size_t seeds = 1;                    // runs per column
};

// One report per column, titled by its scenario's name.
Comparison Compare(const std::vector<metrics::Report>& reports);
// Per column the reports of its runs (seeds 1..N, N the same for every
// column), titled `titles`.
Comparison Compare(const std::vector<std::vector<metrics::Report>>& runs,
                   const std::vector<std::string>& titles);

// `format`: "table" (aligned, units a person reads, best marked with '*'),
// "markdown" (a GitHub table, best in bold), "csv" (metric,scenario...) or
// "json" ({"scenarios": [...], "rows": [{"key", "values"}]}). With seeds, a
// cell is "MEAN ± CI95, p95 P95" (table, markdown); csv adds the columns
// "TITLE ci95" and "TITLE p95"; json adds "ci95", "p95" and "n" to each row.
// Counts are integers in every format.
// `color`: ANSI bold for the best value in "table".
std::string FormatComparison(const Comparison& c, const std::string& format, bool color = false);

// A value in a person's units: durations "1m5.2s", CPU "2.4 CPU", memory
// "1.5 GiB", counts as integers; "-" when empty.
std::string HumanValue(ComparisonRow::Unit unit, std::optional<double> v);

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_COMPARE_H_
