#include "cli/subcommands.h"

#include <fmt/format.h>

#include <array>
#include <cstdio>

namespace kubesim::cli {

std::span<const Subcommand> Subcommands() {
  static constexpr std::array<Subcommand, 5> kAll = {{
      {"run", "simulate one scenario and print its report", &RunRun},
      {"compare", "simulate several scenarios, one column each", &RunCompare},
      {"sweep", "run a grid of variations x seeds in parallel", nullptr},
      {"merge", "join the CSV parts of a sharded sweep", nullptr},
      {"validate", "check scenario files without simulating", &RunValidate},
  }};
  return kAll;
}

void UsageError(std::string_view message) {
  std::fputs(fmt::format("kubesim: error: {}\n", message).c_str(), stderr);
}

}  // namespace kubesim::cli
