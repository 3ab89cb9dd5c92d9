// The kubesim command's contract (SPEC §1): help, version, exit codes and
// one-line usage errors. Runs the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "run_binary.h"

namespace kubesim {
namespace {

using testing::RunKubesim;

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(Cli, HelpListsEverySubcommandAndExitsZero) {
  const auto r = RunKubesim("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"run", "compare", "sweep", "merge", "validate"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
  }
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, ShortHelpIsHelp) { EXPECT_EQ(RunKubesim("-h").out, RunKubesim("--help").out); }

TEST(Cli, VersionPrintsTheProjectVersion) {
  const auto r = RunKubesim("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("kubesim ") + KUBESIM_VERSION_FOR_TEST + "\n");
}

TEST(Cli, NoCommandIsAUsageError) {
  const auto r = RunKubesim("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, UnknownOptionIsAOneLineErrorWithExitTwo) {
  const auto r = RunKubesim("--frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("kubesim: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, UnknownSubcommandIsAOneLineErrorWithExitTwo) {
  const auto r = RunKubesim("deploy x.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("unknown command 'deploy'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kubesim
