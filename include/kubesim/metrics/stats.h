// Statistics of one metric over several runs — a sweep's point, a compare
// --seeds column (docs/sweeps.md): the mean with its 95 % confidence
// interval, and nearest-rank percentiles.
//
// The model: the interval is Student's t: mean ± t(0.975, n−1) · s / √n,
// with s the sample standard deviation (0 for a single run, where no
// interval is known and ci95 is reported as 0). A percentile p is the
// nearest rank: the smallest value that at least p % of the runs are at or
// below — always a value some run produced, so `p95(downtime) <= 0` means
// exactly "at least 95 % of the runs had no downtime".
#ifndef KUBESIM_METRICS_STATS_H_
#define KUBESIM_METRICS_STATS_H_

#include <cstddef>
#include <vector>

namespace kubesim::metrics {

struct Summary {
  size_t n = 0;  // runs with a value (a null — a rollout that never completed — is left out)
  double mean = 0, ci95 = 0, min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0;
};

// REQUIRES: every value is finite.
Summary Summarize(std::vector<double> values);

// The p-th percentile (0 < p <= 100) of sorted values by nearest rank.
// REQUIRES: !sorted.empty().
double NearestRank(const std::vector<double>& sorted, double p);

// t(0.975, df): the two-sided 95 % quantile of Student's t. REQUIRES: df >= 1.
double StudentT975(size_t df);

}  // namespace kubesim::metrics

#endif  // KUBESIM_METRICS_STATS_H_
