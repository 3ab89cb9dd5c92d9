#include "cli/subcommands.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>
#include <vector>

namespace kubesim::cli {

std::span<const Subcommand> Subcommands() {
  static constexpr std::array<Subcommand, 5> kAll = {{
      {"run", "simulate one scenario and print its report", &RunRun},
      {"compare", "simulate several scenarios, one column each", &RunCompare},
      {"sweep", "run a grid of variations x seeds in parallel", &RunSweep},
      {"merge", "join the CSV parts of a sharded sweep", &RunMerge},
      {"validate", "check scenario files without simulating", &RunValidate},
  }};
  return kAll;
}

std::optional<boost::program_options::variables_map> ParseArguments(
    std::span<const std::string> args, const boost::program_options::options_description& visible,
    const char* positional, std::string_view command) {
  namespace po = boost::program_options;
  po::options_description hidden;
  hidden.add_options()(positional, po::value<std::vector<std::string>>(), "the arguments");
  po::options_description all;
  all.add(visible).add(hidden);
  po::positional_options_description positionals;
  positionals.add(positional, -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end()))
                  .options(all)
                  .positional(positionals)
                  .run(),
              vm);
    po::notify(vm);
  } catch (const po::error& e) {
    UsageError(fmt::format("{}; try 'kubesim {} --help'", e.what(), command));
    return std::nullopt;
  }
  return vm;
}

void UsageError(std::string_view message) {
  std::fputs(fmt::format("kubesim: error: {}\n", message).c_str(), stderr);
}

}  // namespace kubesim::cli
