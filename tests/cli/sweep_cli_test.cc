// `kubesim sweep` and `kubesim merge` end to end (docs/sweeps.md): the same
// CSV whatever --jobs, however sharded, however interrupted and resumed; the
// capacity studies' answers; bad input before anything runs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

#include "run_binary.h"

namespace kubesim {
namespace {

using testing::RunKubesim;
using testing::Slurp;

std::string Source(const std::string& path) {
  return std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/" + path;
}

// A fresh directory for one test's files.
std::filesystem::path Dir(const std::string& name) {
  const auto d =
      std::filesystem::temp_directory_path() / fmt::format("kubesim-sweep-{}-{}", name, ::getpid());
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

// The 3 x 3 grid x `seeds` of the seed rolling update.
std::string Grid(const std::filesystem::path& dir, int seeds) {
  const auto file = dir / "grid.yaml";
  std::ofstream(file) << fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Sweep
metadata: {{name: grid}}
spec:
  scenario: {}
  seeds: {}
  vary:
  - path: Deployment/echo-version.spec.strategy.rollingUpdate.maxSurge
    values: [0, 1, "100%"]
  - path: Deployment/echo-version.spec.replicas
    values: [1, 2, 3]
  metrics:
  - services.echo-version.downtimeSeconds
  - services.echo-version.requests.failed
  - services.echo-version.requests.failedShare
  - deployments.echo-version.lastRollout.durationSeconds
  - resources.peakPods
)",
                                     Source("scenarios/seed/rolling-update.yaml"), seeds);
  return file.string();
}

size_t Lines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

TEST(CliSweep, TheSameCsvWhateverTheJobsAndShards) {
  const auto dir = Dir("jobs");
  const std::string grid = Grid(dir, 100);
  const auto one =
      RunKubesim(fmt::format("sweep -q --jobs 1 --out '{}/j1.csv' '{}'", dir.string(), grid));
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const auto two =
      RunKubesim(fmt::format("sweep -q --jobs 2 --out '{}/j2.csv' '{}'", dir.string(), grid));
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const std::string csv = Slurp(dir / "j1.csv");
  EXPECT_EQ(Lines(csv), 901u);  // the header and 900 runs
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "run,Deployment/echo-version.spec.strategy.rollingUpdate.maxSurge,"
            "Deployment/echo-version.spec.replicas,seed,services.echo-version.downtimeSeconds,"
            "services.echo-version.requests.failed,services.echo-version.requests.failedShare,"
            "deployments.echo-version.lastRollout.durationSeconds,resources.peakPods,error");
  EXPECT_EQ(Slurp(dir / "j2.csv"), csv);
  EXPECT_EQ(one.out, two.out);  // the summary too
  std::string parts;
  for (int i = 0; i < 3; ++i) {
    const auto shard = RunKubesim(
        fmt::format("sweep -q --shard {}/3 --out '{}/p{}.csv' '{}'", i, dir.string(), i, grid));
    ASSERT_EQ(shard.exit_code, 0) << shard.err;
    EXPECT_EQ(Lines(Slurp(dir / fmt::format("p{}.csv", i))), 301u);
    parts += fmt::format(" '{}/p{}.csv'", dir.string(), i);
  }
  const auto merged = RunKubesim(fmt::format("merge --out '{}/merged.csv'{}", dir.string(), parts));
  ASSERT_EQ(merged.exit_code, 0) << merged.err;
  EXPECT_EQ(Slurp(dir / "merged.csv"), csv);
  // Merging parts from another sweep is refused.
  std::ofstream(dir / "other.csv") << "run,x,seed,error\n0,1,1,\n";
  const auto mixed =
      RunKubesim(fmt::format("merge '{}/p0.csv' '{}/other.csv'", dir.string(), dir.string()));
  EXPECT_EQ(mixed.exit_code, 2);
  EXPECT_NE(mixed.err.find("other.csv:1:1: error: this header differs"), std::string::npos)
      << mixed.err;
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, AResumedSweepEndsWithTheSameFile) {
  const auto dir = Dir("resume");
  const std::string grid = Grid(dir, 100);
  const auto full =
      RunKubesim(fmt::format("sweep -q --out '{}/full.csv' '{}'", dir.string(), grid));
  ASSERT_EQ(full.exit_code, 0) << full.err;
  const std::string csv = Slurp(dir / "full.csv");
  // Killed halfway: the rows written so far, in any order, and a torn last line.
  std::string cut = csv.substr(0, csv.find('\n') + 1);
  std::vector<std::string> rows;
  for (size_t at = cut.size(); at < csv.size();) {
    const size_t nl = csv.find('\n', at);
    rows.push_back(csv.substr(at, nl - at + 1));
    at = nl + 1;
  }
  for (size_t i = 450; i-- > 0;) cut += rows[i];  // backwards: as --jobs may finish them
  cut += rows[450].substr(0, 7);
  std::ofstream(dir / "cut.csv") << cut;
  const auto resumed =
      RunKubesim(fmt::format("sweep -q --resume --out '{}/cut.csv' '{}'", dir.string(), grid));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Slurp(dir / "cut.csv"), csv);
  EXPECT_EQ(resumed.out, full.out);  // the summary counts the rows it did not run
  // A file another sweep wrote is refused, and left as it was.
  std::ofstream(dir / "other.csv") << "run,seed,error\n";
  const auto other =
      RunKubesim(fmt::format("sweep -q --resume --out '{}/other.csv' '{}'", dir.string(), grid));
  EXPECT_EQ(other.exit_code, 2);
  EXPECT_NE(other.err.find("other.csv:1:1: error: --resume"), std::string::npos) << other.err;
  EXPECT_EQ(Slurp(dir / "other.csv"), "run,seed,error\n");
  std::filesystem::remove_all(dir);
}

// Starts `kubesim ARGS` in the background, waits until `csv` holds more than
// `rows` lines, sends `signal`, and returns the exit code.
int Interrupt(const std::string& args, const std::string& csv, int rows, const char* signal) {
  const std::string script = fmt::format(
      "'{}' {} & pid=$!; "
      "for i in $(seq 1 1000); do [ $( (wc -l < '{}') 2>/dev/null || echo 0) -gt {} ] && break; "
      "sleep 0.01; done; kill -{} $pid; wait $pid; exit $?",
      KUBESIM_BINARY, args, csv, rows, signal);
  const int status = std::system(script.c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

// Every line after the header is a whole row of `fields` fields.
void ExpectWholeRows(const std::string& csv, int fields) {
  ASSERT_FALSE(csv.empty());
  EXPECT_EQ(csv.back(), '\n');  // no torn line
  for (size_t at = csv.find('\n') + 1; at < csv.size();) {
    const size_t nl = csv.find('\n', at);
    const std::string line = csv.substr(at, nl - at);
    EXPECT_EQ(std::count(line.begin(), line.end(), ','), fields - 1) << line;
    at = nl + 1;
  }
}

// Seeds for Grid() so that a sweep of it with `jobs` takes about `seconds`
// in this build (a sanitizer build runs ten times slower than release):
// timed on a small grid first.
int SeedsForSeconds(const std::filesystem::path& dir, int jobs, double seconds) {
  const std::string probe = Grid(dir, 40);  // 360 runs
  const auto start = std::chrono::steady_clock::now();
  const auto r = RunKubesim(fmt::format("sweep -q --jobs {} '{}'", jobs, probe));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  const double took =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double runs_per_second = 360 / std::max(took, 1e-3);
  return std::max(40, static_cast<int>(runs_per_second * seconds / 9));
}

TEST(CliSweep, KilledHalfwayAndResumedItEndsWithTheSameFile) {
  const auto dir = Dir("signals");
  // At least 2,000 runs: the two interruptions come after 300 and 100 more rows.
  const int seeds = std::max(SeedsForSeconds(dir, 2, 3.0), 230);
  const std::string grid = Grid(dir, seeds);
  const size_t runs = 9u * static_cast<size_t>(seeds);
  const std::string full = (dir / "full.csv").string(), out = (dir / "out.csv").string();
  const auto whole = RunKubesim(fmt::format("sweep -q --jobs 2 --out '{}' '{}'", full, grid));
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  // SIGINT: exit 130, every finished row whole.
  EXPECT_EQ(Interrupt(fmt::format("sweep -q --jobs 2 --out '{}' '{}'", out, grid), out, 300, "INT"),
            130);
  const std::string partial = Slurp(out);
  ASSERT_GT(Lines(partial), 301u);
  ASSERT_LT(Lines(partial), runs + 1) << "it finished before the signal";
  ExpectWholeRows(partial, 10);
  // SIGTERM while resuming: exit 143, more rows, still whole.
  EXPECT_EQ(Interrupt(fmt::format("sweep -q --jobs 2 --resume --out '{}' '{}'", out, grid), out,
                      static_cast<int>(Lines(partial)) + 100, "TERM"),
            143);
  const std::string more = Slurp(out);
  EXPECT_GT(Lines(more), Lines(partial));
  ExpectWholeRows(more, 10);
  // Resumed to the end: the uninterrupted sweep's file and summary.
  const auto resumed =
      RunKubesim(fmt::format("sweep -q --jobs 2 --resume --out '{}' '{}'", out, grid));
  ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
  EXPECT_EQ(Slurp(out), Slurp(full));
  EXPECT_EQ(resumed.out, whole.out);
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, ASignalStopsAMinimizeBetweenItsValues) {
  // Every value fails (no run has fewer than 0 pods), each is one short
  // run: a search of 100,000 values, stopped after a few hundred.
  const auto dir = Dir("minimize-signal");
  const auto file = dir / "search.yaml";
  std::ofstream(file) << fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Sweep
metadata: {{name: search}}
spec:
  scenario: {}
  minimize:
    path: Deployment/echo-version.spec.revisionHistoryLimit
    from: 0
    to: 99999
  subjectTo: [max(resources.peakPods) < 0]
  metrics: [resources.peakPods]
)",
                                     Source("scenarios/seed/rolling-update.yaml"));
  const std::string out = (dir / "out.csv").string();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Interrupt(fmt::format("sweep -q --jobs 1 --out '{}' '{}'", out, file.string()), out,
                      300, "TERM"),
            143);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  ExpectWholeRows(Slurp(out), 5);  // run, the value, seed, peakPods, error
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, ATerminalShowsAProgressBarWithRateAndEta) {
  if (std::system("command -v script >/dev/null 2>&1") != 0) GTEST_SKIP() << "no script(1)";
  const auto dir = Dir("progress");
  // The bar shows after a second. The grid is sized by timing a probe, which
  // a busy machine can make look slower than the run turns out: a run that
  // ended too soon to show the bar is tried again with twice the seeds.
  int seeds = SeedsForSeconds(dir, 1, 2.5);
  std::string tty;
  for (int attempt = 0; attempt < 4; ++attempt, seeds *= 2) {
    const std::string grid = Grid(dir, seeds);
    // script(1) gives the sweep a terminal.
    const std::string cmd =
        fmt::format("script -qec \"'{}' sweep --jobs 1 '{}' >/dev/null\" '{}' >/dev/null",
                    KUBESIM_BINARY, grid, (dir / "tty.log").string());
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    tty = Slurp(dir / "tty.log");
    if (tty.find("\r\x1b[K[") != std::string::npos) break;
  }
  EXPECT_NE(tty.find("\r\x1b[K["), std::string::npos) << tty;
  EXPECT_NE(tty.find(fmt::format("/{} runs  ", 9 * seeds)), std::string::npos) << tty;
  EXPECT_NE(tty.find(" runs/s  ETA "), std::string::npos) << tty;
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, CapacityStudiesFindTheFewestNodesDerivedInTheirComments) {
  for (const auto& [study, nodes] : std::vector<std::pair<std::string, int>>{
           {"fewest-nodes-blue-green.yaml", 5}, {"fewest-nodes-rolling-update.yaml", 4}}) {
    const auto r =
        RunKubesim("sweep -q --format json '" + Source("scenarios/studies/" + study) + "'");
    ASSERT_EQ(r.exit_code, 0) << study << "\n" << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_TRUE(j["minimum"].is_object()) << r.out;
    EXPECT_EQ(j["minimum"]["path"], "Scenario.spec.cluster.nodes[0].count");
    EXPECT_EQ(j["minimum"]["value"], nodes) << study;
    // Bisection over 1..20 tried 5 values, each under 5 seeds.
    EXPECT_EQ(j["points"].size(), 5u) << study;
    EXPECT_EQ(j["runs"], 25) << study;
    EXPECT_EQ(j["failedRuns"], 0) << study;
    // One node fewer leaves pods Pending.
    for (const auto& p : j["points"]) {
      if (p["values"]["Scenario.spec.cluster.nodes[0].count"] == nodes - 1) {
        EXPECT_GT(p["metrics"]["resources.pendingPodSeconds"]["max"].get<double>(), 0) << study;
      }
    }
    const auto table = RunKubesim("sweep -q '" + Source("scenarios/studies/" + study) + "'");
    EXPECT_NE(table.out.find(fmt::format("minimum: Scenario.spec.cluster.nodes[0].count = {} "
                                         "meets every constraint",
                                         nodes)),
              std::string::npos)
        << table.out;
  }
}

TEST(CliSweep, AFailedRunIsARowWithItsErrorAndTheSweepGoesOn) {
  const auto dir = Dir("failed");
  const std::string grid = Grid(dir, 2);
  const auto r = RunKubesim(fmt::format(
      "sweep -q --max-events 100 --format json --out '{}/f.csv' '{}'", dir.string(), grid));
  EXPECT_EQ(r.exit_code, 2) << r.err;  // a run hit --max-events
  const std::string csv = Slurp(dir / "f.csv");
  EXPECT_EQ(Lines(csv), 19u);
  EXPECT_NE(csv.find("stopped after 100 events"), std::string::npos) << csv;
  const auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["runs"], 18);
  EXPECT_GT(j["failedRuns"].get<int>(), 0);
  EXPECT_NE(r.err.find("runs failed"), std::string::npos) << r.err;
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, BadInputIsExitTwoBeforeAnythingRuns) {
  const auto dir = Dir("bad");
  const std::string grid = Grid(dir, 2);
  const auto missing_dir =
      RunKubesim(fmt::format("sweep -q --out '{}/no/such/dir/x.csv' '{}'", dir.string(), grid));
  EXPECT_EQ(missing_dir.exit_code, 2);
  EXPECT_NE(missing_dir.err.find("does not exist"), std::string::npos) << missing_dir.err;
  const auto self = RunKubesim(fmt::format("sweep -q --out '{}' '{}'", grid, grid));
  EXPECT_EQ(self.exit_code, 2);
  EXPECT_NE(self.err.find("names an input"), std::string::npos) << self.err;
  EXPECT_NE(Slurp(grid).find("kind: Sweep"), std::string::npos);  // untouched
  EXPECT_EQ(RunKubesim(fmt::format("sweep -q --resume '{}'", grid)).exit_code, 2);
  EXPECT_EQ(RunKubesim(fmt::format("sweep -q --shard 3/3 '{}'", grid)).exit_code, 2);
  EXPECT_EQ(RunKubesim(fmt::format("sweep -q --format xml '{}'", grid)).exit_code, 2);
  // A value the scenario rejects: at the value, in the sweep file.
  std::string text = Slurp(grid);
  text.replace(text.find("values: [1, 2, 3]"), 17, "values: [1, -2, 3]");
  std::ofstream(dir / "neg.yaml") << text;
  const auto neg = RunKubesim(
      fmt::format("sweep -q --out '{}/n.csv' '{}/neg.yaml'", dir.string(), dir.string()));
  EXPECT_EQ(neg.exit_code, 2);
  EXPECT_NE(neg.err.find("neg.yaml:11:17: error: with "), std::string::npos) << neg.err;
  EXPECT_NE(neg.err.find("spec.replicas: Invalid value: -2"), std::string::npos) << neg.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "n.csv"));
  // validate checks a sweep the same way.
  const auto v = RunKubesim(fmt::format("validate '{}/neg.yaml' '{}'", dir.string(), grid));
  EXPECT_EQ(v.exit_code, 2);
  EXPECT_NE(v.err.find("Invalid value: -2"), std::string::npos) << v.err;
  EXPECT_NE(v.out.find("ok (sweep \"grid\": 9 points x 2 seeds)"), std::string::npos) << v.out;
  std::filesystem::remove_all(dir);
}

TEST(CliSweep, EveryFormatShowsEveryPointsStatistics) {
  const auto dir = Dir("formats");
  const std::string grid = Grid(dir, 3);
  const auto json = RunKubesim(fmt::format("sweep -q --format json '{}'", grid));
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["sweep"], "grid");
  EXPECT_EQ(j["runs"], 27);
  ASSERT_EQ(j["points"].size(), 9u);
  const auto& p = j["points"][0];
  EXPECT_EQ(p["values"]["Deployment/echo-version.spec.strategy.rollingUpdate.maxSurge"], 0);
  EXPECT_EQ(p["values"]["Deployment/echo-version.spec.replicas"], 1);
  for (const char* k : {"n", "mean", "ci95", "p50", "p95", "p99", "max"}) {
    EXPECT_TRUE(p["metrics"]["resources.peakPods"].contains(k)) << k;
  }
  EXPECT_TRUE(p["metrics"]["resources.peakPods"]["max"].is_number_integer());
  EXPECT_FALSE(j.contains("minimum"));  // not a minimize
  const auto csv = RunKubesim(fmt::format("sweep -q --format csv '{}'", grid));
  EXPECT_EQ(Lines(csv.out), 1u + 9u * 5u) << csv.out;
  const auto md = RunKubesim(fmt::format("sweep -q --format markdown '{}'", grid));
  EXPECT_NE(md.out.find("| metric | n | mean ± 95 % | p50 | p95 | p99 | max |"), std::string::npos)
      << md.out;
  const auto table = RunKubesim(fmt::format("sweep -q '{}'", grid));
  EXPECT_NE(table.out.find("sweep grid  27 runs  0 failed"), std::string::npos) << table.out;
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace kubesim
