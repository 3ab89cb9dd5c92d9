// The table of kubesim's subcommands and what they share: exit codes and the
// one-line usage error. Each subcommand lives in its own file (run.cc,
// validate.cc, ...) and is listed in subcommands.cc.
#ifndef KUBESIM_CLI_SUBCOMMANDS_H_
#define KUBESIM_CLI_SUBCOMMANDS_H_

#include <boost/program_options.hpp>

#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace kubesim::cli {

// the exit codes of README.md.
inline constexpr int kExitOk = 0;
inline constexpr int kExitExpectFailed = 1;  // an expect: assertion of the scenario failed
inline constexpr int kExitBadInput = 2;      // bad input or bad usage
inline constexpr int kExitInvariant = 3;     // a model invariant broke: a bug in kubesim

// One subcommand: `run` receives the arguments after its name and returns
// the exit code. A null `run` means "not available in this build yet".
struct Subcommand {
  std::string_view name;
  std::string_view summary;
  int (*run)(std::span<const std::string> args);
};

// Every subcommand (README.md), in --help order.
std::span<const Subcommand> Subcommands();

// `kubesim run SCENARIO.yaml` (run.cc).
int RunRun(std::span<const std::string> args);

// `kubesim compare SCENARIO.yaml...` (compare.cc).
int RunCompare(std::span<const std::string> args);

// `kubesim sweep SWEEP.yaml` (sweep.cc).
int RunSweep(std::span<const std::string> args);

// `kubesim merge PART.csv...` (merge.cc).
int RunMerge(std::span<const std::string> args);

// `kubesim validate FILE.yaml...` (validate.cc).
int RunValidate(std::span<const std::string> args);

// Parses a subcommand's arguments: the `visible` options, and the other
// arguments as a std::vector<std::string> under the name `positional`. On a
// usage error prints "kubesim: error: ...; try 'kubesim COMMAND --help'" and
// returns nothing.
std::optional<boost::program_options::variables_map> ParseArguments(
    std::span<const std::string> args, const boost::program_options::options_description& visible,
    const char* positional, std::string_view command);

// Prints "kubesim: error: MESSAGE" on stderr, one line.
void UsageError(std::string_view message);

}  // namespace kubesim::cli

#endif  // KUBESIM_CLI_SUBCOMMANDS_H_
