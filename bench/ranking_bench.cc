// ReplicaSet scale-down ranking: the stable_sort of getPodsToDelete over N
// ranked pods (ActivePodsWithRanks, scheduling.h), three ways:
//   LogPerCompare/N   the comparator as first written: std::log2 twice per
//                     comparison (a copy kept here as the baseline)
//   NowPerCompare/N   DeleteFirst(a, b, now): integer log2 buckets, inline
//   RankedOnce/N      RankAt(·, now) once per pod, then DeleteFirst(a, b)
//                     (its cost includes the RankAt pass)
// Pods: one Deployment's, mostly Running and Ready, created and ready over the
// last 30 minutes, a few co-located and restarted (ties in every rule).
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <vector>

#include "kubesim/cluster/scheduling.h"
#include "kubesim/engine/random.h"

namespace kubesim::cluster {
namespace {

int64_t Log2Rank(SimTime t, SimTime now) {
  const int64_t d_ns = (now - t).micros() * 1000;
  return d_ns > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d_ns))) : -1;
}

bool Log2DeleteFirst(const PodDeletionRank& a, const PodDeletionRank& b, SimTime now) {
  if (a.assigned != b.assigned) return !a.assigned;
  if (a.phase_ordinal != b.phase_ordinal) return a.phase_ordinal < b.phase_ordinal;
  if (a.ready != b.ready) return !a.ready;
  if (a.colocated != b.colocated) return a.colocated > b.colocated;
  if (a.ready && b.ready && a.ready_since && b.ready_since && *a.ready_since != *b.ready_since) {
    const int64_t diff = Log2Rank(*a.ready_since, now) - Log2Rank(*b.ready_since, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  if (a.max_restarts != b.max_restarts) return a.max_restarts > b.max_restarts;
  if (a.created != b.created) {
    const int64_t diff = Log2Rank(a.created, now) - Log2Rank(b.created, now);
    if (diff == 0) return a.uid < b.uid;
    return diff < 0;
  }
  return false;
}

const SimTime kNow = SimTime::Zero() + SimDuration::Minutes(30);

std::vector<std::pair<PodDeletionRank, uint32_t>> Pods(int64_t n) {
  Rng rng(1);
  std::vector<std::pair<PodDeletionRank, uint32_t>> pods;
  for (uint32_t i = 0; i < n; ++i) {
    PodDeletionRank r;
    r.assigned = rng.Below(50) != 0;
    r.phase_ordinal = rng.Below(10) == 0 ? 0 : 2;
    r.ready = r.phase_ordinal == 2 && rng.Below(10) != 0;
    r.colocated = 1 + static_cast<int32_t>(rng.Below(3));
    r.created = kNow - SimDuration::Micros(static_cast<int64_t>(rng.Below(1'800'000'000)));
    if (r.ready) r.ready_since = r.created + SimDuration::Seconds(static_cast<int64_t>(rng.Below(10)));
    r.max_restarts = rng.Below(20) == 0 ? 1 : 0;
    r.uid = i;
    pods.emplace_back(r, i);
  }
  return pods;
}

template <typename Sort>
void Run(benchmark::State& state, Sort sort) {
  const auto pods = Pods(state.range(0));
  for (auto _ : state) {
    auto ranked = pods;
    sort(ranked);
    benchmark::DoNotOptimize(ranked.data());
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}

void BM_LogPerCompare(benchmark::State& state) {
  Run(state, [](auto& v) {
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return Log2DeleteFirst(a.first, b.first, kNow);
    });
  });
}
void BM_NowPerCompare(benchmark::State& state) {
  Run(state, [](auto& v) {
    std::stable_sort(v.begin(), v.end(), [](const auto& a, const auto& b) {
      return DeleteFirst(a.first, b.first, kNow);
    });
  });
}
void BM_RankedOnce(benchmark::State& state) {
  Run(state, [](auto& v) {
    for (auto& p : v) RankAt(p.first, kNow);
    std::stable_sort(v.begin(), v.end(),
                     [](const auto& a, const auto& b) { return DeleteFirst(a.first, b.first); });
  });
}

BENCHMARK(BM_LogPerCompare)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_NowPerCompare)->Arg(100)->Arg(1000)->Arg(10000);
BENCHMARK(BM_RankedOnce)->Arg(100)->Arg(1000)->Arg(10000);

}  // namespace
}  // namespace kubesim::cluster

BENCHMARK_MAIN();
