// The progress line of long runs (output/progress.h): drawn only after a
// second of wall time, at most four times a second, erased at the end. A fake
// clock stands in for wall time: it advances 300 ms each time it is read.
#include "kubesim/output/progress.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "kubesim/cluster/simulation.h"
#include "kubesim/scenario/load.h"

namespace kubesim::output {
namespace {

// 10 minutes with a request every 10 ms: 60,000 instants, so the progress
// observer reads the clock 14 times (every 4,096 instants).
constexpr const char* kBusy = R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: busy}
spec:
  until: 10m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  traffic: [{name: c, service: web, every: 10ms}]
---
apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: web, image: web:1}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";

struct Drawn {
  std::vector<std::string> writes;
  int clock_reads = 0;
};

Drawn RunWithProgress(std::optional<SimDuration> until, std::chrono::milliseconds tick) {
  const scenario::LoadResult loaded = scenario::LoadScenarioText(kBusy, "busy.yaml");
  EXPECT_TRUE(loaded.ok() && loaded.scenario);
  Drawn d;
  if (!loaded.scenario) return d;
  auto now = std::chrono::steady_clock::time_point{};
  Progress progress(
      "busy.yaml", until, [&d](std::string_view text) { d.writes.emplace_back(text); },
      [&d, &now, tick] {
        ++d.clock_reads;
        now += tick;
        return now;
      });
  cluster::Simulation sim(loaded.scenario);
  sim.AddObserver(&progress);
  sim.Run();
  return d;
}

TEST(Progress, RedrawsOneLineWithTheShareDoneAndErasesItAtTheEnd) {
  const Drawn d = RunWithProgress(SimDuration::Minutes(10), std::chrono::milliseconds(300));
  EXPECT_EQ(d.clock_reads, 1 + 60'000 / 4096);  // the start, then every 4,096 instants
  // Reads at 0.6 s, 0.9 s are under a second; from 1.2 s on each read is
  // more than 250 ms after the last drawing: 14 - 3 = 11 lines, then the erase.
  ASSERT_EQ(d.writes.size(), 12u);
  int last_percent = -1;
  for (size_t i = 0; i + 1 < d.writes.size(); ++i) {
    const std::string& w = d.writes[i];
    ASSERT_TRUE(w.starts_with("\rbusy.yaml: simulated ")) << w;
    ASSERT_TRUE(w.ends_with("s\x1b[K")) << w;
    EXPECT_NE(w.find(" of 10m0s ("), std::string::npos) << w;
    // Whole simulated seconds, the event rate, the time left.
    EXPECT_EQ(w.substr(w.find("simulated "), w.find(" of ") - w.find("simulated ")).find('.'),
              std::string::npos)
        << w;
    EXPECT_NE(w.find(" events/s  ETA "), std::string::npos) << w;
    const int percent = std::stoi(w.substr(w.rfind('(') + 1));
    EXPECT_GT(percent, last_percent) << w;
    EXPECT_LE(percent, 100) << w;
    last_percent = percent;
  }
  EXPECT_EQ(d.writes.back(), "\r\x1b[K");
}

TEST(Progress, WithoutAKnownEndShowsTheSimulatedTimeAndRateOnly) {
  const Drawn d = RunWithProgress(std::nullopt, std::chrono::milliseconds(300));
  ASSERT_GE(d.writes.size(), 2u);
  EXPECT_EQ(d.writes.front().find(" of "), std::string::npos) << d.writes.front();
  EXPECT_EQ(d.writes.front().find("ETA"), std::string::npos) << d.writes.front();
  EXPECT_TRUE(d.writes.front().ends_with(" events/s\x1b[K")) << d.writes.front();
}

TEST(Progress, TheEtaCarriesTheSimulatedRateOverWhatIsLeft) {
  // The clock is read at the start, then every 4,096 instants, 300 ms apart:
  // the first line is drawn at the third of those reads, 1.2 s after the
  // start. S simulated seconds in 1.2 s leave (600 - S) * 1.2 / S to go.
  const Drawn d = RunWithProgress(SimDuration::Minutes(10), std::chrono::milliseconds(300));
  ASSERT_FALSE(d.writes.empty());
  const std::string& w = d.writes.front();
  const size_t at = w.find("simulated ") + 10;
  const int minutes = std::stoi(w.substr(at));
  const int seconds = std::stoi(w.substr(w.find('m', at) + 1));
  const double simulated = minutes * 60 + seconds;
  ASSERT_GT(simulated, 60) << w;
  const int eta = std::stoi(w.substr(w.find("ETA ") + 4));
  EXPECT_NEAR(eta, (600 - simulated) * 1.2 / simulated, 1.0) << w;
}

TEST(Progress, ARunShorterThanASecondDrawsNothing) {
  // 14 reads 50 ms apart: 0.7 s in all.
  const Drawn d = RunWithProgress(SimDuration::Minutes(10), std::chrono::milliseconds(50));
  EXPECT_TRUE(d.writes.empty()) << d.writes.size();
}

TEST(Progress, RedrawsAtMostFourTimesASecond) {
  // The clock is read at the start, then 14 times 100 ms apart: 0.1 .. 1.4 s
  // after the start. Drawn at 1.0 s and 1.3 s only (1.1 and 1.2 s are too
  // soon after 1.0 s, 1.4 s too soon after 1.3 s), then erased.
  const Drawn d = RunWithProgress(SimDuration::Minutes(10), std::chrono::milliseconds(100));
  ASSERT_EQ(d.clock_reads, 15);
  EXPECT_EQ(d.writes.size(), 2u + 1u);
}

}  // namespace
}  // namespace kubesim::output
