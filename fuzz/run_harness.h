// The run fuzzer's harness, shared with its regression test
// (tests/cluster/fuzz_regressions_test.cc): one scenario file, loaded and
// simulated (kubesim run --check) for at most kMaxSimulated, with every
// property the fuzzer holds the model to.
//
// The input is a scenario file. Its own extra YAML documents are the objects
// applied at t=0; `apply -f web.yaml` and `apply -f web-v2.yaml` read the two
// small manifests below (any other file is missing; `-f -` reads web.yaml).
// A scenario that loads is run with:
//   - `until` clamped to kMaxSimulated (10 min), and an event budget, so every
//     input ends quickly;
//   - check_invariants = true: an invariant violation (exit 3 in `kubesim
//     run`) is a bug in kubesim;
//   - the metrics Collector and the JSON report writer; the report must be
//     valid JSON and its numbers consistent (downtime within the run, failed
//     requests within the total, ...);
//   - a run that spends its whole budget is rerun up to just before the
//     instant where it stopped: if that one instant took more than half the
//     budget and far more events than the scenario's size explains,
//     simulated time stood still (a livelock of the model).
// Skipped without running — the fuzzer must stay within -rss_limit_mb, and a
// huge but valid cluster is a load test, not a fuzz case: scenarios with more
// than kMaxNodes nodes, or asking for more than kMaxPods pods: the sum over
// every Deployment (replicas + maxSurge), ReplicaSet and Pod the file and its
// steps apply of the most pods each ever asks for (the event budget bounds
// how many pods repeated rollouts can create).
#ifndef KUBESIM_FUZZ_RUN_HARNESS_H_
#define KUBESIM_FUZZ_RUN_HARNESS_H_

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <variant>

#include "cluster/deployment_util.h"
#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/output/report_writers.h"
#include "kubesim/scenario/load.h"

namespace kubesim::fuzz {

inline constexpr SimDuration kMaxSimulated = SimDuration::Minutes(10);
inline constexpr int64_t kMaxNodes = 2'000;
inline constexpr int64_t kMaxPods = 2'000;
// The event budget: kMaxEvents, less for big clusters, since checking the
// invariants after every instant costs time in proportion to the pods and
// nodes (budget x size stays near kEventsTimesSize).
inline constexpr uint64_t kMaxEvents = 100'000;
inline constexpr uint64_t kMinEvents = 10'000;
inline constexpr uint64_t kEventsTimesSize = 20'000'000;

inline constexpr std::string_view kWebManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
)";

inline constexpr std::string_view kWebV2Manifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:2
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 1}
)";

// web.yaml and web-v2.yaml from memory; every other file is missing.
inline scenario::LoadOptions FuzzLoadOptions() {
  scenario::LoadOptions options;
  options.read_file = [](const std::string& path) -> Expected<std::string> {
    if (path == "web.yaml" || path.ends_with("/web.yaml")) return std::string(kWebManifest);
    if (path == "web-v2.yaml" || path.ends_with("/web-v2.yaml")) {
      return std::string(kWebV2Manifest);
    }
    return Error{"cannot open: No such file or directory"};
  };
  options.read_stdin = []() -> Expected<std::string> { return std::string(kWebManifest); };
  return options;
}

// A scenario's size: its nodes and the pods it asks for (see the top).
struct ScenarioSize {
  int64_t nodes = 0;
  int64_t pods = 0;
  bool Small() const { return nodes <= kMaxNodes && pods <= kMaxPods; }
  uint64_t EventBudget() const {
    const auto size = static_cast<uint64_t>(std::max<int64_t>(pods + nodes, 1));
    return std::clamp(kEventsTimesSize / size, kMinEvents, kMaxEvents);
  }
};

inline ScenarioSize SizeOf(const scenario::Scenario& s) {
  ScenarioSize size;
  for (const auto& g : s.cluster.nodes) size.nodes += g.count;
  std::map<std::string, int64_t> asked;  // the most each object ever asks for
  auto add = [&](const k8s::Object& object) {
    std::visit(
        [&](const auto& o) {
          using T = std::decay_t<decltype(o)>;
          int64_t n = 0;
          if constexpr (std::is_same_v<T, k8s::Deployment>) {
            // A rolling Deployment may run replicas + maxSurge pods, and does
            // when scaled or paused mid-rollout: proportional scaling fills up
            // to that (deployment controller's scale()), so a maxSurge of
            // 2147483647% asks for millions of pods.
            n = int64_t{o.spec.replicas} + cluster::MaxSurge(o.spec);
          } else if constexpr (std::is_same_v<T, k8s::ReplicaSet>) {
            n = o.spec.replicas;
          } else if constexpr (std::is_same_v<T, k8s::Pod>) {
            n = 1;
          } else {
            return;
          }
          int64_t& most = asked[fmt::format("{}/{}/{}", typeid(T).name(),
                                            o.metadata.namespace_name, o.metadata.name)];
          most = std::max(most, n);
        },
        object);
  };
  for (const auto& o : s.objects) add(o);
  for (const auto& step : s.timeline) {
    for (const auto& o : step.objects) add(o);
  }
  for (const auto& [key, n] : asked) size.pods += n;
  return size;
}

// What is wrong with a finished run's report, if anything.
inline std::optional<std::string> CheckReport(const metrics::Report& r) {
  const SimDuration run = r.end.SinceStart();
  for (const auto& s : r.services) {
    for (const auto& [name, d] :
         {std::pair{"downtime", s.downtime}, std::pair{"degraded", s.degraded},
          std::pair{"versionMix", s.version_mix}, std::pair{"longestOutage", s.longest_outage}}) {
      if (d < SimDuration::Zero() || d > run) {
        return fmt::format("service {}: {} {}us outside the run's {}us", s.key, name, d.micros(),
                           run.micros());
      }
    }
    if (s.downtime + s.degraded > run) {
      return fmt::format("service {}: downtime + degraded exceed the run", s.key);
    }
    if (s.longest_outage > s.downtime) {
      return fmt::format("service {}: longest outage {}us > downtime {}us", s.key,
                         s.longest_outage.micros(), s.downtime.micros());
    }
    if (s.min_serving_endpoints < 0) return fmt::format("service {}: negative minimum", s.key);
    int64_t answered = 0;
    for (const auto& [version, n] : s.requests.by_version) answered += n;
    if (s.requests.failed < 0 || s.requests.failed > s.requests.total ||
        answered > s.requests.total) {
      return fmt::format("service {}: {} requests, {} failed, {} answered", s.key,
                         s.requests.total, s.requests.failed, answered);
    }
  }
  for (const auto& d : r.deployments) {
    if (d.restarts < 0) return fmt::format("deployment {}: negative restarts", d.key);
    for (const auto& ro : d.rollouts) {
      if (ro.start > r.end || (ro.complete && (*ro.complete < ro.start || *ro.complete > r.end)) ||
          (ro.rollout_status &&
           (*ro.rollout_status < ro.start || *ro.rollout_status > r.end))) {
        return fmt::format("deployment {}: rollout {}: its times are out of order", d.key,
                           ro.revision);
      }
      if (ro.peak_active_pods < 0 || ro.min_available_pods < 0 ||
          ro.min_available_pods > ro.peak_active_pods) {
        return fmt::format("deployment {}: rollout {}: peak {} active, min {} available", d.key,
                           ro.revision, ro.peak_active_pods, ro.min_available_pods);
      }
    }
  }
  const auto& res = r.resources;
  if (res.peak_pods < 0 || res.peak_cpu_millis < 0 || res.peak_memory_bytes < 0 ||
      res.pending_pod_time < SimDuration::Zero() || res.pending_pod_time > run * res.peak_pods) {
    return std::string("resources out of range");
  }
  return std::nullopt;
}

struct FuzzRun {
  scenario::LoadResult loaded;
  ScenarioSize size;
  bool simulated = false;        // loaded, small enough, run
  bool budget_exhausted = false;
  uint64_t events = 0;
  uint64_t budget = 0;
  std::string json;              // the report, when the run completed
  std::optional<std::string> problem;  // a bug of kubesim: what broke
};

namespace run_internal {

struct Outcome {
  cluster::RunResult result;
  metrics::Report report;
};

inline Outcome Simulate(const std::shared_ptr<const scenario::Scenario>& s, SimDuration until,
                        uint64_t max_events) {
  cluster::SimulationOptions options;
  options.until = until;
  options.max_events = max_events;
  options.check_invariants = true;
  cluster::Simulation sim(s, options);
  metrics::Collector collector(s->name, s->seed);
  sim.AddObserver(&collector);
  Outcome out;
  out.result = sim.Run();
  if (!out.result.invariant_violation && !out.result.budget_exhausted &&
      !out.result.pods_exhausted) {
    out.report = collector.TakeReport(out.result.events);
  }
  return out;
}

}  // namespace run_internal

// Loads and simulates the scenario file `text` as the run fuzzer does.
// `size_limit` false runs it however big it asks to be (regression files that
// are known to stay small in practice, such as a huge maxSurge that never
// comes into play).
inline FuzzRun RunScenario(std::string_view text, bool size_limit = true) {
  FuzzRun out;
  out.loaded = scenario::LoadScenarioText(text, "fuzz/scenario.yaml", FuzzLoadOptions());
  if (!out.loaded.ok() || !out.loaded.scenario) return out;
  const auto& s = out.loaded.scenario;
  out.size = SizeOf(*s);
  if (size_limit && !out.size.Small()) return out;
  out.simulated = true;
  out.budget = out.size.EventBudget();
  // A livelock: more events at one instant than this.
  const uint64_t livelock = std::max(
      out.budget / 2, 100 * static_cast<uint64_t>(out.size.pods + out.size.nodes + 10 +
                                                  static_cast<int64_t>(s->timeline.size())));
  const SimDuration until = std::min(s->until.value_or(kMaxSimulated), kMaxSimulated);
  const run_internal::Outcome run = run_internal::Simulate(s, until, out.budget);
  out.events = run.result.events;
  out.budget_exhausted = run.result.budget_exhausted;
  if (run.result.invariant_violation) {
    std::string last;
    for (const std::string& line : run.result.recent_events) last += fmt::format("\n  {}", line);
    out.problem = fmt::format("invariant violated at {}us: {}; the last events:{}",
                              run.result.end.micros(), *run.result.invariant_violation, last);
    return out;
  }
  if (run.result.budget_exhausted) {
    // Where did the budget go? Rerun to just before the instant it stopped in.
    const SimTime stuck = run.result.end;
    if (out.budget <= livelock) return out;  // too big a scenario to tell
    const uint64_t before =
        stuck == SimTime::Zero()
            ? 0
            : run_internal::Simulate(s, stuck.SinceStart() - SimDuration::Micros(1), out.budget)
                  .result.events;
    // Elided probe ticks count toward the budget as they are settled, at
    // the latest when the run ends (docs/scale.md): the run to just before
    // `stuck` may have spent the budget too, and then its events were not
    // all at that one instant.
    if (before < out.budget && out.budget - before > livelock) {
      out.problem = fmt::format("livelock: {} of {} events at the one instant {}us",
                                out.budget - before, out.budget, stuck.micros());
    }
    return out;
  }
  if (run.result.end != SimTime::Zero() + until) {
    out.problem = fmt::format("the run stopped at {}us, not at until {}us",
                              run.result.end.micros(), until.micros());
    return out;
  }
  if (auto bad = CheckReport(run.report)) {
    out.problem = *bad;
    return out;
  }
  out.json = output::FormatJson(run.report);
  const auto parsed = nlohmann::json::parse(out.json, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    out.problem = "FormatJson wrote invalid JSON";
  }
  return out;
}

}  // namespace kubesim::fuzz

#endif  // KUBESIM_FUZZ_RUN_HARNESS_H_
