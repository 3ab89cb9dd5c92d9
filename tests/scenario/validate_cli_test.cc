// `kubesim validate` (README.md): exit 0 for valid files, 2 with positioned
// errors on stderr for every broken file of the corpus.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "../cli/run_binary.h"

namespace kubesim {
namespace {

namespace fs = std::filesystem;
using testing::RunKubesim;

fs::path SourceDir() { return fs::path(std::getenv("KUBESIM_SOURCE_DIR")); }

TEST(ValidateCommand, AcceptsTheSeedScenariosAndManifests) {
  const auto r = RunKubesim("validate '" + (SourceDir() / "scenarios/seed").string() + "'/*.yaml");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(ValidateCommand, PrintsHelpAndRefusesNoFile) {
  EXPECT_EQ(RunKubesim("validate --help").exit_code, 0);
  EXPECT_EQ(RunKubesim("validate").exit_code, 2);
}

TEST(ValidateCommand, RejectsEveryBrokenFileWithExitTwoAndItsPosition) {
  int n = 0;
  for (const auto& e : fs::directory_iterator(SourceDir() / "tests/data/invalid")) {
    if (e.path().extension() != ".yaml") continue;
    ++n;
    std::ifstream in(e.path(), std::ios::binary);
    std::string expect;
    std::getline(in, expect);
    if (expect.starts_with("# expect: ")) {
      expect = expect.substr(10);
    } else {
      std::ifstream side(e.path().string() + ".expect");
      std::getline(side, expect);
    }
    const std::string where = expect.substr(0, expect.find(": error: ") + 9);
    const auto r = RunKubesim("validate '" + e.path().string() + "'");
    EXPECT_EQ(r.exit_code, 2) << e.path();
    EXPECT_NE(r.err.find(e.path().string() + ":" + where), std::string::npos)
        << e.path() << "\nwant: " << expect << "\ngot: " << r.err;
    EXPECT_TRUE(r.out.empty());
  }
  EXPECT_GE(n, 40);
}

TEST(ValidateCommand, ReportsAMissingFileAndADirectory) {
  const auto r = RunKubesim("validate /nonexistent.yaml /tmp");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent.yaml: error: cannot open"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("/tmp: error: is a directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kubesim
