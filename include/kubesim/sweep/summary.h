// What a sweep prints when its runs are done (docs/sweeps.md): per point,
// the statistics of every metric over its seeds; for a minimize, the
// smallest value meeting every constraint and the figures there — as a
// table, markdown, CSV or JSON.
#ifndef KUBESIM_SWEEP_SUMMARY_H_
#define KUBESIM_SWEEP_SUMMARY_H_

#include <optional>
#include <string>
#include <vector>

#include "kubesim/metrics/stats.h"
#include "kubesim/sweep/runner.h"
#include "kubesim/sweep/sweep.h"

namespace kubesim::sweep {

// A group of points summarized together: one point of a grid, or every
// point of one candidate value of a minimize.
struct PointSummary {
  size_t first_point = 0, points = 1;
  size_t runs = 0, failed = 0;
  std::vector<metrics::Summary> metrics;  // one per Sweep::metrics
};

// Summarizes the rows of points [first, first + count) (rows of other
// points are ignored; rows may come in any order).
PointSummary SummarizePoints(const Sweep& sweep, const std::vector<RunRow>& rows, size_t first,
                             size_t count);

// Whether a candidate meets every constraint; `why` gets the first one it
// breaks. A constraint on a metric no run produced is not met.
bool Meets(const Sweep& sweep, const PointSummary& s, std::string* why = nullptr);

struct SweepResult {
  size_t runs = 0, failed = 0;       // of this invocation's rows (a shard: its own)
  std::vector<PointSummary> points;  // grid points, or the candidates tried (in value order)
  bool searched = false;             // a minimize ran
  std::optional<size_t> minimum;     // the candidate value index that is the answer
  std::optional<PointSummary> at_minimum;
};

// `format`: "table", "markdown", "csv" or "json" (docs/sweeps.md).
std::string FormatSweep(const Sweep& sweep, const SweepResult& result, const std::string& format);

}  // namespace kubesim::sweep

#endif  // KUBESIM_SWEEP_SUMMARY_H_
