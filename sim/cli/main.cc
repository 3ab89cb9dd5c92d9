// The `kubesim` command: dispatches to one subcommand (README.md).
//
//   kubesim run SCENARIO.yaml [options]      simulate one scenario, print the report
//   kubesim compare SCENARIO.yaml...         one column per scenario
//   kubesim sweep SWEEP.yaml [options]       a grid of variations x seeds
//   kubesim merge PART.csv... [--out FILE]   join a sharded sweep's CSVs
//   kubesim validate FILE.yaml...            check files without simulating
//   kubesim --help | --version
//
// Exit codes: 0 success; 1 an expect: assertion failed; 2 bad input or usage;
// 3 a model invariant broke. Usage errors are one line on stderr.
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "cli/subcommands.h"

namespace po = boost::program_options;

namespace kubesim::cli {
namespace {

constexpr std::string_view kVersion = KUBESIM_VERSION;

void PrintHelp() {
  std::string text = fmt::format(
      "kubesim {} - a discrete-event simulator of a Kubernetes cluster during a rollout\n"
      "\n"
      "Usage:\n"
      "  kubesim COMMAND [ARGS...] [OPTIONS]\n"
      "  kubesim COMMAND --help        the options of one command\n"
      "  kubesim --help | --version\n"
      "\n"
      "Commands:\n",
      kVersion);
  for (const Subcommand& s : Subcommands()) {
    text += fmt::format("  {:<10}{}{}\n", s.name, s.summary,
                        s.run == nullptr ? " (not available yet)" : "");
  }
  text +=
      "\n"
      "Exit codes: 0 success, 1 an expect: assertion failed, 2 bad input or usage,\n"
      "3 an invariant of the model broke (a bug in kubesim).\n";
  std::fputs(text.c_str(), stdout);
}

int Main(std::span<const std::string> args) {
  if (args.empty()) {
    UsageError("no command given; try 'kubesim --help'");
    return kExitBadInput;
  }
  const std::string& first = args[0];
  if (first.starts_with("-")) {
    // Only the global options may come before a command.
    po::options_description global("Options");
    global.add_options()("help,h", "print this help")("version", "print the version");
    po::variables_map vm;
    try {
      po::store(po::command_line_parser(std::vector<std::string>(args.begin(), args.end()))
                    .options(global)
                    .run(),
                vm);
    } catch (const po::error& e) {
      UsageError(fmt::format("{}; try 'kubesim --help'", e.what()));
      return kExitBadInput;
    }
    if (vm.count("help")) {
      PrintHelp();
      return kExitOk;
    }
    std::fputs(fmt::format("kubesim {}\n", kVersion).c_str(), stdout);
    return kExitOk;
  }
  for (const Subcommand& s : Subcommands()) {
    if (s.name != first) continue;
    if (s.run == nullptr) {
      UsageError(fmt::format("'kubesim {}' is not available in this build yet", s.name));
      return kExitBadInput;
    }
    return s.run(args.subspan(1));
  }
  UsageError(fmt::format("unknown command '{}'; try 'kubesim --help'", first));
  return kExitBadInput;
}

}  // namespace
}  // namespace kubesim::cli

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  try {
    return kubesim::cli::Main(args);
  } catch (const std::exception& e) {
    // Nothing should reach here; if it does, say so plainly rather than abort.
    std::fprintf(stderr, "kubesim: internal error: %s\n", e.what());
    return kubesim::cli::kExitInvariant;
  }
}
