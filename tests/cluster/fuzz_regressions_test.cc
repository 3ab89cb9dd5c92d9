// Regression tests for what the fuzzers found ("Fuzzing in CI"): each
// input they saved is kept under tests/data/fuzz-regressions/ and replayed
// here through the same harness the fuzzer ran it with (fuzz/run_harness.h,
// fuzz/parsers_properties.h), in the normal test suite. Loader findings are
// in tests/scenario/load_test.cc.
//   run/      scenario files from fuzz/run_fuzzer.cc: each loads, simulates to
//             its end without breaking an invariant, and reports sane numbers
//   budget/   scenario files from fuzz/run_fuzzer.cc that spend the event
//             budget: the harness finds no problem in them
//   parsers/  inputs of fuzz/parsers_fuzzer.cc: every property holds
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "parsers_properties.h"
#include "run_harness.h"

namespace kubesim {
namespace {

namespace fs = std::filesystem;

fs::path RegressionDir(const std::string& name) {
  const char* dir = std::getenv("KUBESIM_SOURCE_DIR");
  return fs::path(dir != nullptr ? dir : KUBESIM_SOURCE_DIR_FALLBACK) / "tests/data" /
         "fuzz-regressions" / name;
}

std::vector<fs::path> FilesIn(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.is_regular_file()) files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(FuzzRegressions, EachRunFindingSimulatesToItsEndWithoutBreakingAnInvariant) {
  const std::vector<fs::path> files = FilesIn(RegressionDir("run"));
  EXPECT_FALSE(files.empty());
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    // Without the harness's size limit: max-surge-of-int32-max.yaml asks for
    // billions of pods on paper (replicas + maxSurge) and runs a handful.
    const fuzz::FuzzRun run = fuzz::RunScenario(Read(file), /*size_limit=*/false);
    std::string diagnostics;
    for (const auto& d : run.loaded.diagnostics) diagnostics += d.ToString() + "\n";
    ASSERT_TRUE(run.loaded.ok() && run.loaded.scenario) << diagnostics;
    ASSERT_TRUE(run.simulated);
    EXPECT_EQ(run.problem, std::nullopt);
    EXPECT_FALSE(run.budget_exhausted) << run.events << " events";
    EXPECT_FALSE(run.json.empty());
  }
}

TEST(FuzzRegressions, EachBudgetFindingSpendsTheBudgetWithoutAProblem) {
  const std::vector<fs::path> files = FilesIn(RegressionDir("budget"));
  EXPECT_FALSE(files.empty());
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    const fuzz::FuzzRun run = fuzz::RunScenario(Read(file));
    ASSERT_TRUE(run.simulated);
    EXPECT_TRUE(run.budget_exhausted) << run.events << " events";
    EXPECT_EQ(run.problem, std::nullopt);
  }
}

TEST(FuzzRegressions, EachParsersFindingHoldsEveryProperty) {
  const std::vector<fs::path> files = FilesIn(RegressionDir("parsers"));
  EXPECT_FALSE(files.empty());
  for (const fs::path& file : files) {
    const std::string input = Read(file);
    EXPECT_EQ(fuzz::CheckParsers(reinterpret_cast<const uint8_t*>(input.data()), input.size()),
              std::nullopt)
        << file.filename();
  }
}

// run_fuzzer timed out (a harness finding, not a model bug): a Deployment of
// 1 replica with maxSurge 2147483647%, paused mid-rollout, is scaled
// proportionally up to replicas + maxSurge = 21474837 pods, as Kubernetes'
// scale() does. The harness now counts replicas + maxSurge as the pods a
// Deployment asks for, and skips such scenarios as too big.
TEST(FuzzRegressions, HarnessSkipsADeploymentWhoseMaxSurgeAsksForMillionsOfPods) {
  const fuzz::FuzzRun run = fuzz::RunScenario(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: huge-surge}
spec:
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "1", memory: 1Gi}}]
  timeline:
  - {at: 1s, kubectl: set image deployment/api api=web:2}
  - {at: 1s, kubectl: rollout pause deployment/api}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: api}
spec:
  replicas: 1
  strategy: {rollingUpdate: {maxSurge: 2147483647%, maxUnavailable: 0}}
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers: [{name: api, image: web:1}]
)");
  ASSERT_TRUE(run.loaded.ok());
  EXPECT_EQ(run.size.pods, 1 + 21474837);
  EXPECT_FALSE(run.simulated);
}

// parsers/format-duration-of-min.bin: FormatDuration(SimDuration::Min()) is
// "-2562047788h0m54.775808s", one microsecond beyond +Max(), and ParseDuration
// refused it as out of range although time.h promises the round trip for
// every duration.
TEST(FuzzRegressions, ParseDurationReadsBackFormatDurationOfTheMostNegativeDuration) {
  EXPECT_EQ(FormatDuration(SimDuration::Min()), "-2562047788h0m54.775808s");
  const auto back = ParseDuration(FormatDuration(SimDuration::Min()));
  ASSERT_TRUE(back.ok()) << back.error();
  EXPECT_EQ(*back, SimDuration::Min());
  EXPECT_FALSE(ParseDuration("2562047788h0m54.775808s").ok());  // +: still out of range
  EXPECT_FALSE(ParseDuration("-2562047788h0m54.775809s").ok());
}

}  // namespace
}  // namespace kubesim
