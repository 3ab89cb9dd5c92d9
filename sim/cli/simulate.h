// What `run`, `compare` (and later `sweep`) share: load a scenario file,
// printing its diagnostics, and simulate it into a Report.
#ifndef KUBESIM_CLI_SIMULATE_H_
#define KUBESIM_CLI_SIMULATE_H_

#include <boost/program_options.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/report.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::cli {

// Loads `file` as a scenario; prints its errors (and, unless `quiet`, its
// warnings) to stderr. Null when it is not a valid scenario. With
// `is_manifest`, a valid plain Kubernetes manifest (no Scenario document) is
// no error: it sets *is_manifest and returns null, so that `compare
// scenarios/seed/*.yaml` can pass over the manifests the scenarios apply.
std::shared_ptr<const scenario::Scenario> LoadOrReport(const std::string& file, bool quiet,
                                                       bool* is_manifest = nullptr);

// --max-events and --max-pods, as `run` and `compare` take them: added to
// `options`, and read from `vm` into `limits`.
void AddLimitOptions(boost::program_options::options_description& options);
void ReadLimitOptions(const boost::program_options::variables_map& vm,
                      cluster::SimulationOptions* limits);

// --jobs, as `compare` and `sweep` take it: the value given (1 to 1024), or
// the machine's cores. Nothing, after a usage error, when it is out of range.
std::optional<unsigned> ReadJobs(const boost::program_options::variables_map& vm);

struct Simulated {
  int exit_code = 0;  // 0, else the command's exit code (2: event or pod budget, 3: invariant)
  metrics::Report report;
  cluster::RunResult result;
};

// Simulates `s` with `options`, the collector and `extra` observers attached.
// On failure (the event budget ran out; an invariant broke) prints the error,
// naming `s.file`, and sets exit_code. With a `progress_label`, a run longer
// than a second shows its progress on stderr under that label (output/progress.h).
Simulated SimulateScenario(std::shared_ptr<const scenario::Scenario> s,
                           const cluster::SimulationOptions& options,
                           const std::vector<cluster::Observer*>& extra = {},
                           const std::string& progress_label = "");

// Whether to show progress: stderr is a terminal and --quiet is not given.
bool ShowProgress(bool quiet);

// Warns on stderr about every Service of `report` that never served.
void WarnNeverServed(const std::string& file, const metrics::Report& report);

}  // namespace kubesim::cli

#endif  // KUBESIM_CLI_SIMULATE_H_
