// Runs the built `kubesim` binary from a test and captures what it printed.
#ifndef KUBESIM_TESTS_CLI_RUN_BINARY_H_
#define KUBESIM_TESTS_CLI_RUN_BINARY_H_

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace kubesim::testing {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

inline std::string Slurp(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Runs `kubesim ARGS` through the shell (ARGS is shell text: quote as needed),
// with stdin from /dev/null unless `args` redirects it.
inline CommandResult RunKubesim(const std::string& args) {
  const auto dir = std::filesystem::temp_directory_path();
  const std::string tag = std::to_string(::getpid()) + "-" + std::to_string(std::rand());
  const auto out = dir / ("kubesim-test-out-" + tag);
  const auto err = dir / ("kubesim-test-err-" + tag);
  const std::string cmd = std::string("'") + KUBESIM_BINARY + "' " + args + " >'" +
                          out.string() + "' 2>'" + err.string() + "' </dev/null";
  const int status = std::system(cmd.c_str());
  CommandResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.out = Slurp(out);
  r.err = Slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

}  // namespace kubesim::testing

#endif  // KUBESIM_TESTS_CLI_RUN_BINARY_H_
