// Sweep benchmarks: what one run of a sweep costs, and how runs share a
// point's loaded scenario (docs/sweeps.md).
//
//   SweepRun/seed-rolling-update   one run (a seed) of the seed article's
//                                  rolling update, its metrics read through
//                                  the schema: the unit of every sweep. The
//                                  target is >= 2,000 runs/s on one core.
//   LoadPoint/seed-rolling-update  loading a point's scenario (the scenario
//                                  and the file its step applies, with the
//                                  varied field set), once per point
// Counter: runs/s (or loads/s).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <memory>
#include <string>

#include "kubesim/sweep/runner.h"
#include "kubesim/sweep/sweep.h"

namespace kubesim::sweep {
namespace {

std::string SourceDir() {
  const char* dir = std::getenv("KUBESIM_SOURCE_DIR");
  return dir != nullptr ? dir : KUBESIM_SOURCE_DIR_FALLBACK;
}

std::shared_ptr<const Sweep> SeedSweep() {
  const std::string text =
      "apiVersion: kubesim/v1alpha1\nkind: Sweep\nmetadata: {name: b}\n"
      "spec:\n  scenario: " +
      SourceDir() +
      "/scenarios/seed/rolling-update.yaml\n  seeds: 1000000\n"
      "  vary:\n  - path: Deployment/echo-version.spec.replicas\n"
      "    values: [1]\n"
      "  metrics: [services.echo-version.downtimeSeconds, "
      "resources.peakPods]\n";
  const SweepLoad l = LoadSweepText(text, "bench.yaml");
  if (!l.ok()) std::abort();
  return l.sweep;
}

void BM_SweepRun(benchmark::State& state) {
  const auto sweep = SeedSweep();
  const auto scenario = LoadPoint(*sweep, sweep->ValuesAt(0)).scenario;
  size_t run = 0;
  for (auto _ : state) {
    RunRow row = RunOne(*sweep, scenario, run++ % sweep->Runs(), {});
    benchmark::DoNotOptimize(row);
  }
  state.counters["runs/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_SweepRun)->Name("SweepRun/seed-rolling-update")->Unit(benchmark::kMicrosecond);

void BM_LoadPoint(benchmark::State& state) {
  const auto sweep = SeedSweep();
  for (auto _ : state) {
    auto r = LoadPoint(*sweep, sweep->ValuesAt(0));
    benchmark::DoNotOptimize(r);
  }
  state.counters["loads/s"] =
      benchmark::Counter(static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_LoadPoint)->Name("LoadPoint/seed-rolling-update")->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace kubesim::sweep

BENCHMARK_MAIN();
