// `kubesim validate FILE.yaml...` (README.md): loads each file as `run` would —
// a scenario, or a plain Kubernetes manifest when the file has no Scenario —
// and prints every diagnostic, without simulating. Exit 0 when every file is
// valid, 2 otherwise.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <sstream>
#include <string>
#include <vector>

#include "cli/subcommands.h"
#include "kubesim/scenario/load.h"
#include "kubesim/sweep/sweep.h"

namespace po = boost::program_options;

namespace kubesim::cli {

int RunValidate(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()("help,h", "print this help")("quiet,q",
                                                     "print nothing for valid files");
  const auto parsed = ParseArguments(args, visible, "file", "validate");
  if (!parsed) return kExitBadInput;
  const po::variables_map& vm = *parsed;
  if (vm.count("help")) {
    std::string text =
        "Usage: kubesim validate FILE.yaml...\n"
        "\n"
        "Loads and checks scenario files (and plain Kubernetes manifests) without\n"
        "simulating: YAML syntax, the Scenario's fields, Kubernetes defaults and\n"
        "API-server validation, and every timeline step (its -f files, the objects\n"
        "and containers it names). A Sweep file is checked with its scenario at every\n"
        "point of its grid. Errors print as FILE:LINE:COLUMN: error: MESSAGE.\n"
        "\n";
    std::ostringstream opts;
    opts << visible;
    text += opts.str();
    text += "\nExit codes: 0 every file is valid, 2 some file is not (or bad usage).\n";
    std::fputs(text.c_str(), stdout);
    return kExitOk;
  }
  if (!vm.count("file")) {
    UsageError("validate needs at least one FILE.yaml; try 'kubesim validate --help'");
    return kExitBadInput;
  }
  const bool quiet = vm.count("quiet") > 0;
  bool all_ok = true;
  for (const std::string& file : vm["file"].as<std::vector<std::string>>()) {
    // A Sweep is checked whole: its fields, and its scenario at every point.
    const auto text = scenario::ReadFileFromDisk(file);
    if (text && sweep::IsSweepText(*text)) {
      const sweep::SweepLoad loaded = sweep::LoadSweepText(*text, file);
      for (const auto& d : loaded.diagnostics) std::fputs((d.ToString() + "\n").c_str(), stderr);
      if (!loaded.ok()) {
        all_ok = false;
      } else if (!quiet) {
        std::fputs(fmt::format("{}: ok (sweep \"{}\": {} point{} x {} seed{})\n", file,
                               loaded.sweep->name, loaded.sweep->Points(),
                               loaded.sweep->Points() == 1 ? "" : "s", loaded.sweep->seeds.size(),
                               loaded.sweep->seeds.size() == 1 ? "" : "s")
                       .c_str(),
                   stdout);
      }
      continue;
    }
    // The text already read; the file again only to report why it could not be read.
    const scenario::LoadResult result =
        text ? scenario::ValidateText(*text, file) : scenario::ValidateFile(file);
    for (const auto& d : result.diagnostics) {
      std::fputs((d.ToString() + "\n").c_str(), stderr);
    }
    if (!result.ok()) {
      all_ok = false;
    } else if (!quiet) {
      std::string what = result.scenario
                             ? fmt::format("scenario \"{}\"", result.scenario->name)
                             : fmt::format("{} Kubernetes object{}", result.objects.size(),
                                           result.objects.size() == 1 ? "" : "s");
      std::fputs(fmt::format("{}: ok ({})\n", file, what).c_str(), stdout);
    }
  }
  return all_ok ? kExitOk : kExitBadInput;
}

}  // namespace kubesim::cli
