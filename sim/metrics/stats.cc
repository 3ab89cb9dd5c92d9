// Statistics over runs; see include/kubesim/metrics/stats.h.
#include "kubesim/metrics/stats.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cassert>
#include <cmath>

namespace kubesim::metrics {

double StudentT975(size_t df) {
  assert(df >= 1);
  // t(0.975, df) for df 1..30, from the standard table (NIST/SEMATECH
  // e-Handbook of Statistical Methods, 1.3.6.7.2).
  static constexpr std::array<double, 30> kTable = {
      12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  if (df <= kTable.size()) return kTable[df - 1];
  // Beyond 30: the Cornish–Fisher expansion around the normal quantile
  // 1.959964, accurate to 1e-3 at df = 31 and better above.
  const double z = 1.959963984540054;
  const double v = static_cast<double>(df);
  const double z3 = z * z * z, z5 = z3 * z * z;
  return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v);
}

double NearestRank(const std::vector<double>& sorted, double p) {
  assert(!sorted.empty());
  const double n = static_cast<double>(sorted.size());
  // The smallest rank k with k / n >= p / 100; a tiny tolerance keeps
  // 95 % of 100 runs at rank 95, not 96, despite binary fractions.
  auto rank = static_cast<size_t>(std::ceil(p / 100.0 * n - 1e-9));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

Summary Summarize(std::vector<double> values) {
  Summary s;
  s.n = values.size();
  if (values.empty()) return s;
  std::sort(values.begin(), values.end());
  const Eigen::Map<const Eigen::ArrayXd> a(values.data(), static_cast<Eigen::Index>(values.size()));
  s.mean = a.mean();
  if (s.n > 1) {
    const double variance = (a - s.mean).square().sum() / static_cast<double>(s.n - 1);
    s.ci95 = StudentT975(s.n - 1) * std::sqrt(variance / static_cast<double>(s.n));
  }
  s.min = values.front();
  s.max = values.back();
  s.p50 = NearestRank(values, 50);
  s.p95 = NearestRank(values, 95);
  s.p99 = NearestRank(values, 99);
  return s;
}

}  // namespace kubesim::metrics
