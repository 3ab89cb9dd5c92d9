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

namespace po = boost::program_options;

namespace kubesim::cli {

int RunValidate(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()("help,h", "print this help")("quiet,q",
                                                     "print nothing for valid files");
  po::options_description hidden;
  hidden.add_options()("file", po::value<std::vector<std::string>>(), "input files");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positional;
  positional.add("file", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end()))
                  .options(all)
                  .positional(positional)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    UsageError(fmt::format("{}; try 'kubesim validate --help'", e.what()));
    return kExitBadInput;
  }
  if (vm.count("help")) {
    std::string text =
        "Usage: kubesim validate FILE.yaml...\n"
        "\n"
        "Loads and checks scenario files (and plain Kubernetes manifests) without\n"
        "simulating: YAML syntax, the Scenario's fields, Kubernetes defaults and\n"
        "API-server validation, and every timeline step (its -f files, the objects\n"
        "and containers it names). Errors print as FILE:LINE:COLUMN: error: MESSAGE.\n"
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
    const scenario::LoadResult result = scenario::ValidateFile(file);
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
