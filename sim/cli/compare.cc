// `kubesim compare SCENARIO.yaml...` (docs/metrics.md): simulates each scenario
// and prints one column per scenario — per Service and Deployment the rows of
// docs/metrics.md — as an aligned table (the best value of each row marked), a
// markdown table for a pull request, CSV or JSON.
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "cli/simulate.h"
#include "cli/subcommands.h"
#include "kubesim/output/compare.h"

namespace po = boost::program_options;

namespace kubesim::cli {

int RunCompare(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()                                                                   //
      ("help,h", "print this help")                                                       //
      ("format", po::value<std::string>()->default_value("table")->value_name("FORMAT"),
       "table, markdown, csv or json")                                                    //
      ("seed", po::value<uint64_t>()->value_name("N"), "RNG seed for every scenario (default: each one's)")  //
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
                "downtime, degraded time, version-mix time and failed requests; per\n"
                "Deployment the last rollout's duration, min available and peak active pods;\n"
                "the cluster's peak pods, CPU and memory. The best value of a row is marked.\n"
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
  std::vector<metrics::Report> reports;
  const bool progress = ShowProgress(quiet);
  for (size_t i = 0; i < scenarios.size(); ++i) {
    const auto& s = scenarios[i];
    const std::string label =
        progress ? fmt::format("[{}/{}] {}", i + 1, scenarios.size(), s->file) : std::string();
    Simulated simulated = SimulateScenario(s, options, {}, label);
    if (simulated.exit_code != 0) return simulated.exit_code;
    if (!quiet) WarnNeverServed(s->file, simulated.report);
    reports.push_back(std::move(simulated.report));
  }
  const bool color = format == "table" && ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
  std::fputs(output::FormatComparison(output::Compare(reports), format, color).c_str(), stdout);
  return kExitOk;
}

}  // namespace kubesim::cli
