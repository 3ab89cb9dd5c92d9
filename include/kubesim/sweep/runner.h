// Running a sweep's runs: every (point, seed) an independent, deterministic
// simulation, `jobs` at a time, each row handed on as its run ends; and the
// CSV those rows make (docs/sweeps.md).
//
// The model: a point's scenario is loaded once and shared, read-only, by its
// runs (a Simulation only reads its Scenario); a run differs from its
// neighbours only by its seed. Workers take run numbers from one counter, so
// which thread runs what does not matter to any result: the rows, sorted by
// run number, are identical for any `jobs`, any sharding and any resume.
#ifndef KUBESIM_SWEEP_RUNNER_H_
#define KUBESIM_SWEEP_RUNNER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/schema.h"
#include "kubesim/scenario/scenario.h"
#include "kubesim/sweep/sweep.h"

namespace kubesim::sweep {

struct RunRow {
  size_t run = 0;  // point × seeds + seed index
  size_t point = 0;
  uint64_t seed = 0;
  // One per metric of the sweep; nullopt where the report has no such value
  // (a rollout that never happened), a null Value where it never completed.
  std::vector<std::optional<metrics::Value>> values;
  std::string error;  // why the run failed; empty when it ran to its end
};

// One run: the point's scenario under `seed`, its metrics read through the schema.
RunRow RunOne(const Sweep& sweep, const std::shared_ptr<const scenario::Scenario>& scenario,
              size_t run, const cluster::SimulationOptions& limits);

struct RunnerOptions {
  unsigned jobs = 1;
  cluster::SimulationOptions limits;  // max_events, max_pods
  // Called for every finished run, one call at a time (under a lock).
  std::function<void(const RunRow&)> on_row;
  // When set, no further run starts (SIGINT); runs under way finish.
  const std::atomic<bool>* stop = nullptr;
  // The scenario of a point, loaded (LoadPoint); called from any worker, so
  // it must be thread-safe.
  std::function<std::shared_ptr<const scenario::Scenario>(size_t point)> scenario;
};

// Calls work(i) once for every i in [0, n), on up to `jobs` threads (this
// one among them), handing the indexes out in ascending order; none is
// handed out once *stop (if given) is set.
void ParallelFor(size_t n, unsigned jobs, const std::function<void(size_t)>& work,
                 const std::atomic<bool>* stop = nullptr);

// Runs `runs` (run numbers) of `sweep`, handing them to the workers in the
// order given (callers pass them ascending, and free a point's scenario
// once a later point's is asked for).
void RunAll(const Sweep& sweep, const std::vector<size_t>& runs, const RunnerOptions& options);

// ---- The CSV -----------------------------------------------------------------
// Header: run, each parameter's path, seed, each metric's path, error.
// A row: the run number, the point's values (flow YAML), the seed, each
// metric (integers as integers, seconds as the shortest exact decimal,
// true/false, empty for null or absent), the error (empty when none).

std::string CsvHeader(const Sweep& sweep);
std::string CsvRow(const Sweep& sweep, const RunRow& row);

// A row read back from a CSV (--resume, merge): its run number and its
// whole line, with the line's fields split.
struct CsvLine {
  size_t run = 0;
  std::string text;  // the line, without its newline
  std::vector<std::string> fields;
};
// Splits one CSV line into fields (RFC 4180 quoting). Nothing if the
// quoting is broken.
std::optional<std::vector<std::string>> SplitCsvLine(std::string_view line);

}  // namespace kubesim::sweep

#endif  // KUBESIM_SWEEP_RUNNER_H_
