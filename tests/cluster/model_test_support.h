// What the end-to-end model tests share: a scenario run twice (with probe
// elision and with every probe simulated, which must agree), lookups into its
// report, and builders of small scenarios. The tests themselves are in
// model_rollout_test.cc, model_container_test.cc and model_node_test.cc.
#ifndef KUBESIM_TESTS_CLUSTER_MODEL_TEST_SUPPORT_H_
#define KUBESIM_TESTS_CLUSTER_MODEL_TEST_SUPPORT_H_

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/output/observers.h"
#include "kubesim/output/report_writers.h"
#include "kubesim/scenario/load.h"

namespace kubesim::model_test {


struct Outcome {
  metrics::Report report;
  std::string json;
  std::string error;
  std::string log;  // the event log
  std::string warnings;  // the load's, one per line
  // The times (s) of the log's lines "TIMEs OBJECT... WHAT" (OBJECT as a
  // prefix; WHAT ending the line), in order: for events at drawn times.
  std::vector<double> Times(const std::string& object, const std::string& what) const {
    std::vector<double> out;
    size_t at = 0;
    while (at < log.size()) {
      size_t end = log.find('\n', at);
      if (end == std::string::npos) end = log.size();
      const std::string line = log.substr(at, end - at);
      const size_t s = line.find("s ");
      if (s != std::string::npos && line.compare(s + 2, object.size(), object) == 0 &&
          line.size() >= what.size() &&
          line.compare(line.size() - what.size(), what.size(), what) == 0) {
        out.push_back(std::stod(line.substr(0, s)));
      }
      at = end + 1;
    }
    return out;
  }
  // Whether the log has a line "TIMEs OBJECT... WHAT" (OBJECT as a prefix;
  // TIME the whole time, so "0.000" does not match "20.000s").
  bool Logged(const std::string& time, const std::string& object, const std::string& what) const {
    size_t at = 0;
    while ((at = log.find(time + "s " + object, at)) != std::string::npos) {
      const size_t end = log.find('\n', at);
      if ((at == 0 || log[at - 1] == '\n') &&
          log.substr(at, end - at).find(what) != std::string::npos) {
        return true;
      }
      if (end == std::string::npos) break;
      at = end;
    }
    return false;
  }
  // The same, the line ending with " WHAT" ("healthy" not matching
  // "unhealthy", "Ready" not "not Ready").
  bool LoggedEnd(const std::string& time, const std::string& object,
                 const std::string& what) const {
    size_t at = 0;
    while ((at = log.find(time + "s " + object, at)) != std::string::npos) {
      const size_t end = std::min(log.find('\n', at), log.size());
      const std::string line = log.substr(at, end - at);
      if ((at == 0 || log[at - 1] == '\n') && line.ends_with(" " + what)) return true;
      if (end == log.size()) break;
      at = end;
    }
    return false;
  }
};

// `files` are the files `apply -f` reads, by name.
inline Outcome Simulate(const std::string& yaml, const std::map<std::string, std::string>& files = {}) {
  Outcome run;
  scenario::LoadOptions options;
  options.read_file = [files](const std::string& path) -> Expected<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return Error{"cannot open: No such file or directory"};
    return it->second;
  };
  const scenario::LoadResult loaded = scenario::LoadScenarioText(yaml, "test.yaml", options);
  if (!loaded.ok() || !loaded.scenario) {
    for (const auto& d : loaded.diagnostics) run.error += d.ToString() + "\n";
    if (run.error.empty()) run.error = "no scenario";
    return run;
  }
  for (const auto& d : loaded.diagnostics) run.warnings += d.ToString() + "\n";
  // Every scenario runs twice: with probe elision (the default) and with
  // every probe tick simulated; the two must agree on the report and on
  // every event-log line (docs/scale.md, probe elision).
  for (const bool exact : {false, true}) {
    cluster::SimulationOptions sim_options;
    sim_options.exact_probes = exact;
    cluster::Simulation sim(loaded.scenario, sim_options);
    metrics::Collector collector(loaded.scenario->name, loaded.scenario->seed,
                                 loaded.scenario->slos);
    output::EventLog log;
    sim.AddObserver(&collector);
    sim.AddObserver(&log);
    const cluster::RunResult result = sim.Run();
    metrics::Report report = collector.TakeReport(result.events);
    const std::string json = output::FormatJson(report);
    if (!exact) {
      run.report = std::move(report);
      run.log = log.text();
      run.json = json;
    } else {
      EXPECT_EQ(json, run.json) << "--exact-probes changes the report";
      EXPECT_EQ(log.text(), run.log) << "--exact-probes changes the event log";
    }
  }
  return run;
}

inline const metrics::ServiceReport& Svc(const Outcome& r, const std::string& key) {
  for (const auto& s : r.report.services) {
    if (s.key == key) return s;
  }
  ADD_FAILURE() << "no service " << key << " in\n" << r.json;
  static metrics::ServiceReport none;
  return none;
}

inline const metrics::DeploymentReport& Dep(const Outcome& r, const std::string& key) {
  for (const auto& d : r.report.deployments) {
    if (d.key == key) return d;
  }
  ADD_FAILURE() << "no deployment " << key << " in\n" << r.json;
  static metrics::DeploymentReport none;
  return none;
}

// Counts "scheduled to node/PREFIX" lines in the event log.
inline size_t ScheduledTo(const Outcome& r, const std::string& prefix) {
  size_t n = 0;
  const std::string what = "scheduled to node/" + prefix;
  for (size_t at = 0; (at = r.log.find(what, at)) != std::string::npos; ++at) ++n;
  return n;
}

inline SimDuration Sec(double s) { return SimDuration::Micros(static_cast<int64_t>(s * 1e6)); }

// A scenario: `cluster_and_images` is the Scenario spec's body before the
// timeline; `objects` are extra documents (Deployments, Services).
inline std::string Scenario(const std::string& spec, const std::string& objects) {
  return "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata:\n  name: t\nspec:\n" + spec +
         "---\n" + objects;
}

// A Deployment `web` of `replicas` whose template's spec is `pod_spec`
// (indented for `spec:` under `template:`), with `annotations` on the
// template and `strategy` (indented for `spec:`) if given, and a Service `web`.
inline std::string WebWithSpec(int replicas, const std::string& pod_spec,
                               const std::string& annotations = "{}",
                               const std::string& strategy = "") {
  return R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: )" + std::to_string(replicas) +
         R"(
  selector: {matchLabels: {app: web}}
)" + strategy + R"(
  template:
    metadata: {labels: {app: web}, annotations: )" +
         annotations + R"(}
    spec:
)" + pod_spec + R"(---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80, targetPort: 8080}]
)";
}

// A Deployment `web` of `replicas` running image web:1 with a strategy and an
// optional readiness probe and preStop sleep, and a Service `web`.
inline std::string WebApp(int replicas, const std::string& strategy, bool readiness,
                   int pre_stop_seconds = 0, const std::string& extra_container = "") {
  std::string probe = readiness ? R"(
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1)"
                                : "";
  std::string pre_stop = pre_stop_seconds > 0 ? "\n        lifecycle:\n          preStop:\n"
                                                "            exec:\n              command: "
                                                "[\"sleep\", \"" +
                                                    std::to_string(pre_stop_seconds) + "\"]"
                                              : "";
  return WebWithSpec(replicas,
                     "      containers:\n      - name: web\n        image: web:1" + probe +
                         pre_stop + extra_container + "\n",
                     "{}", strategy);
}

inline constexpr const char* kSetImage = R"(  timeline:
  - at: 60s
    kubectl: set image deployment/web web=web:2
)";

}  // namespace kubesim::model_test

#endif  // KUBESIM_TESTS_CLUSTER_MODEL_TEST_SUPPORT_H_
