#include "cli/simulate.h"

#include <fmt/format.h>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <thread>

#include "cli/subcommands.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/output/progress.h"
#include "kubesim/scenario/load.h"

namespace kubesim::cli {

std::shared_ptr<const scenario::Scenario> LoadOrReport(const std::string& file, bool quiet,
                                                       bool* is_manifest) {
  const scenario::LoadResult loaded =
      is_manifest != nullptr ? scenario::ValidateFile(file) : scenario::LoadScenarioFile(file);
  for (const auto& d : loaded.diagnostics) {
    if (quiet && d.severity != k8s::Severity::kError) continue;
    std::fputs((d.ToString() + "\n").c_str(), stderr);
  }
  if (!loaded.ok()) return nullptr;
  if (!loaded.scenario && is_manifest != nullptr) {
    *is_manifest = true;
    return nullptr;
  }
  if (!loaded.scenario) {
    std::fputs(fmt::format("{}:1:1: error: no `kind: Scenario` document; this needs a scenario "
                           "(kubesim validate checks plain manifests)\n",
                           file)
                   .c_str(),
               stderr);
    return nullptr;
  }
  return loaded.scenario;
}

bool ShowProgress(bool quiet) { return !quiet && ::isatty(STDERR_FILENO) != 0; }

void AddLimitOptions(boost::program_options::options_description& options) {
  namespace po = boost::program_options;
  const cluster::SimulationOptions defaults;
  options.add_options()                                                                      //
      ("max-events", po::value<uint64_t>()->default_value(defaults.max_events)->value_name("N"),
       "stop with an error after this many events")                                          //
      ("max-pods", po::value<uint64_t>()->default_value(defaults.max_pods)->value_name("N"),
       "stop with an error before creating more pods than this (about 1.3 KB of memory "
       "each)");
}

void ReadLimitOptions(const boost::program_options::variables_map& vm,
                      cluster::SimulationOptions* limits) {
  limits->max_events = vm["max-events"].as<uint64_t>();
  limits->max_pods = vm["max-pods"].as<uint64_t>();
}

std::optional<unsigned> ReadJobs(const boost::program_options::variables_map& vm) {
  if (!vm.count("jobs")) return std::max(1u, std::thread::hardware_concurrency());
  const unsigned jobs = vm["jobs"].as<unsigned>();
  if (jobs == 0 || jobs > 1024) {
    UsageError("--jobs must be from 1 to 1024");
    return std::nullopt;
  }
  return jobs;
}

Simulated SimulateScenario(std::shared_ptr<const scenario::Scenario> s,
                           const cluster::SimulationOptions& options,
                           const std::vector<cluster::Observer*>& extra,
                           const std::string& progress_label) {
  const std::string file = s->file;
  const std::string name = s->name;
  const uint64_t seed = options.seed.value_or(s->seed);
  const std::optional<SimDuration> until = options.until ? options.until : s->until;
  std::vector<scenario::Slo> slos = s->slos;
  cluster::Simulation sim(std::move(s), options);
  metrics::Collector collector(name, seed, std::move(slos));
  sim.AddObserver(&collector);
  for (cluster::Observer* o : extra) sim.AddObserver(o);
  std::optional<output::Progress> progress;
  if (!progress_label.empty()) {
    progress.emplace(progress_label, until, [](std::string_view text) {
      std::fwrite(text.data(), 1, text.size(), stderr);
      std::fflush(stderr);
    });
    sim.AddObserver(&*progress);
  }
  Simulated out;
  out.result = sim.Run();
  if (progress) progress->Clear();
  if (out.result.invariant_violation) {
    std::string text = fmt::format(
        "{}: internal error: an invariant of the model broke at {}s: {}\n"
        "This is a bug in kubesim; please report it with the scenario. Last events:\n",
        file, FormatSeconds(out.result.end, 6), *out.result.invariant_violation);
    for (const std::string& line : out.result.recent_events) text += "  " + line + "\n";
    std::fputs(text.c_str(), stderr);
    out.exit_code = 3;  // exit code 3 (README.md): an invariant of the model broke
    return out;
  }
  if (out.result.budget_exhausted) {
    std::fputs(fmt::format("{}: error: the run fired {} events by {}s of simulated time and was "
                           "stopped (raise --max-events, or set an earlier `until`)\n",
                           file, out.result.events, FormatSeconds(out.result.end, 3))
                   .c_str(),
               stderr);
    out.exit_code = 2;
    return out;
  }
  if (out.result.pods_exhausted) {
    std::fputs(fmt::format("{}: error: the run would create more than {} pod{} by {}s of "
                           "simulated time and was stopped (raise --max-pods, or lower the "
                           "replicas)\n",
                           file, options.max_pods, options.max_pods == 1 ? "" : "s",
                           FormatSeconds(out.result.end, 3))
                   .c_str(),
               stderr);
    out.exit_code = 2;
    return out;
  }
  out.report = collector.TakeReport(out.result.events);
  return out;
}

void WarnNeverServed(const std::string& file, const metrics::Report& report) {
  for (const metrics::ServiceReport& s : report.services) {
    if (s.served) continue;
    std::fputs(
        fmt::format("{}: warning: service {} never served: its metrics are null\n", file, s.key)
            .c_str(),
        stderr);
  }
}

}  // namespace kubesim::cli
