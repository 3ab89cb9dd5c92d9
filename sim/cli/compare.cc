// `kubesim compare SCENARIO.yaml...` (docs/metrics.md): simulates each scenario
// and prints one column per scenario — per Service and Deployment the rows of
// docs/metrics.md — as an aligned table (the best value of each row marked), a
// markdown table for a pull request, CSV or JSON.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/simulate.h"
#include "cli/subcommands.h"
#include "kubesim/output/compare.h"
#include "kubesim/sweep/runner.h"

namespace po = boost::program_options;

namespace kubesim::cli {

int RunCompare(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()                                                                   //
      ("help,h", "print this help")                                                       //
      ("format", po::value<std::string>()->default_value("table")->value_name("FORMAT"),
       "table, markdown, csv or json")                                                    //
      ("seed", po::value<uint64_t>()->value_name("N"), "RNG seed for every scenario (default: each one's)")  //
      ("seeds", po::value<uint64_t>()->value_name("N"),
       "run every scenario under seeds 1..N and show per cell the mean with its 95 % "
       "interval and the p95")                                                             //
      ("jobs,j", po::value<unsigned>()->value_name("N"),
       "with --seeds, simulations at once (default: the machine's cores)")                //
      ("quiet,q", "print no warnings and no progress line");
  AddLimitOptions(visible);
  const auto parsed = ParseArguments(args, visible, "scenario", "compare");
  if (!parsed) return kExitBadInput;
  const po::variables_map& vm = *parsed;
  if (vm.count("help")) {
    std::ostringstream opts;
    opts << visible;
    std::fputs(("Usage: kubesim compare SCENARIO.yaml... [OPTIONS]\n\n"
                "Simulates every scenario and prints one column per scenario: per Service\n"
                "downtime, degraded time, version-mix time, failed requests and their share;\n"
                "per Deployment the last rollout's duration and `rollout status` time,\n"
                "restarts, min available and peak active pods; the cluster's peak pods, CPU,\n"
                "memory and pending pod-seconds. The best value of a row is marked.\n"
                "With --seeds N each scenario runs under seeds 1..N and a cell shows the\n"
                "mean, its 95 % interval and the p95. Two scenarios with the same name are\n"
                "told apart by their file.\n"
                "Files that hold only Kubernetes manifests (no Scenario) are skipped, so\n"
                "'kubesim compare scenarios/seed/*.yaml' compares the seed scenarios.\n"
                "On a terminal, a scenario that takes more than a second to simulate shows\n"
                "its progress on stderr ([2/5] FILE: simulated ...).\n\n" +
                opts.str())
                   .c_str(),
               stdout);
    return kExitOk;
  }
  if (!vm.count("scenario")) {
    UsageError("compare needs at least one SCENARIO.yaml; try 'kubesim compare --help'");
    return kExitBadInput;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "markdown" && format != "csv" && format != "json") {
    UsageError(fmt::format("unknown --format '{}' (use table, markdown, csv or json)", format));
    return kExitBadInput;
  }
  const bool quiet = vm.count("quiet") > 0;
  cluster::SimulationOptions options;
  if (vm.count("seed")) options.seed = vm["seed"].as<uint64_t>();
  ReadLimitOptions(vm, &options);
  uint64_t seeds = 1;
  if (vm.count("seeds")) {
    seeds = vm["seeds"].as<uint64_t>();
    if (seeds == 0 || seeds > 100'000) {
      UsageError("--seeds must be from 1 to 100000");
      return kExitBadInput;
    }
    if (vm.count("seed")) {
      UsageError("--seed and --seeds exclude each other: --seeds N runs seeds 1..N");
      return kExitBadInput;
    }
  }
  const std::optional<unsigned> jobs = ReadJobs(vm);
  if (!jobs) return kExitBadInput;

  // Load everything first: a bad file fails the command before any simulation.
  std::vector<std::shared_ptr<const scenario::Scenario>> scenarios;
  bool ok = true;
  std::vector<std::string> manifests;
  for (const std::string& file : vm["scenario"].as<std::vector<std::string>>()) {
    bool is_manifest = false;
    auto s = LoadOrReport(file, quiet, &is_manifest);
    if (is_manifest) {
      manifests.push_back(file);  // a plain manifest a scenario applies: not a column
      continue;
    }
    ok = ok && s != nullptr;
    scenarios.push_back(std::move(s));
  }
  if (!ok) return kExitBadInput;
  if (scenarios.empty()) {
    UsageError(fmt::format("no scenario among the {} file{} given (they are plain Kubernetes "
                           "manifests); compare needs files with a kind: Scenario document",
                           manifests.size(), manifests.size() == 1 ? "" : "s"));
    return kExitBadInput;
  }
  if (!quiet && !manifests.empty()) {
    std::fputs(fmt::format("note: skipped {} plain manifest{} (no Scenario document)\n",
                           manifests.size(), manifests.size() == 1 ? "" : "s")
                   .c_str(),
               stderr);
  }
  // Column titles: the scenario's name, with its file where two share a name.
  std::vector<std::string> titles;
  for (const auto& s : scenarios) {
    const size_t same = std::count_if(scenarios.begin(), scenarios.end(),
                                      [&](const auto& o) { return o->name == s->name; });
    titles.push_back(same > 1 ? fmt::format("{} ({})", s->name, s->file) : s->name);
  }
  std::vector<std::vector<metrics::Report>> runs(scenarios.size());
  if (seeds == 1) {
    const bool progress = ShowProgress(quiet);
    for (size_t i = 0; i < scenarios.size(); ++i) {
      const auto& s = scenarios[i];
      const std::string label =
          progress ? fmt::format("[{}/{}] {}", i + 1, scenarios.size(), s->file) : std::string();
      Simulated simulated = SimulateScenario(s, options, {}, label);
      if (simulated.exit_code != 0) return simulated.exit_code;
      if (!quiet) WarnNeverServed(s->file, simulated.report);
      runs[i].push_back(std::move(simulated.report));
    }
  } else {
    // Every scenario under seeds 1..N: independent runs, `jobs` at a time.
    for (auto& r : runs) r.resize(seeds);
    std::vector<int> codes(scenarios.size() * seeds, 0);
    sweep::ParallelFor(codes.size(), *jobs, [&](size_t k) {
      cluster::SimulationOptions o = options;
      o.seed = k % seeds + 1;
      Simulated simulated = SimulateScenario(scenarios[k / seeds], o);
      codes[k] = simulated.exit_code;
      runs[k / seeds][k % seeds] = std::move(simulated.report);
    });
    for (const int code : codes) {
      if (code != 0) return code;
    }
    if (!quiet) {
      for (size_t i = 0; i < scenarios.size(); ++i) WarnNeverServed(scenarios[i]->file, runs[i][0]);
    }
  }
  const bool color = format == "table" && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  std::fputs(output::FormatComparison(output::Compare(runs, titles), format, color).c_str(), stdout);
  return kExitOk;
}

}  // namespace kubesim::cli
