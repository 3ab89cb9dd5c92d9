// libFuzzer target: the whole simulation (kubesim run --check) of a scenario
// file, for at most 10 minutes of simulated time — see run_harness.h for how
// it runs, which scenarios are skipped as too big, and what must hold.
// Anything that does not hold aborts, so libFuzzer saves the input.
//
// An input is either
//   - a scenario file (YAML text), or
//   - a NUL byte and then bytes that GenerateScenario() below turns into a
//     valid scenario (structure-aware: nearly every such input simulates,
//     where mutated YAML mostly stops at the loader). A scenario file never
//     starts with NUL (the loader refuses NUL bytes).
//
// KUBESIM_FUZZ_VERBOSE=1 says what happens to each input and prints the
// generated scenarios (how a NUL-led finding becomes a readable regression
// file under tests/data/fuzz-regressions/run/):
//   KUBESIM_FUZZ_VERBOSE=1 build/fuzz/fuzz/run_fuzzer fuzz/corpus/run/zero-nodes.yaml
#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "run_harness.h"

namespace {

// Durations and distributions for the timings and image latencies.
constexpr const char* kLatencies[] = {
    "0s", "0s", "1us", "1ms", "100ms", "1s", "2s", "5s", "30s", "5m",
    "{uniform: [0s, 2s]}", "{exponential: {mean: 500ms}}", "{normal: {mean: 1s, stddev: 1s}}",
    "{lognormal: {median: 1s, sigma: 1}}", "{uniform: [1us, 3us]}"};
constexpr const char* kFixed[] = {"0s", "1ms", "500ms", "1s", "3s", "10s", "45s", "2m"};
constexpr const char* kIntOrPercent[] = {"0",   "1",   "2",   "3",    "0%",        "10%",
                                         "25%", "50%", "100%", "2147483647", "2147483647%"};
constexpr const char* kCpu[] = {"10m", "100m", "500m", "1", "2", "3", "64"};
constexpr const char* kMemory[] = {"1Mi", "64Mi", "100Mi", "1Gi", "8Gi"};
// Clients: the event budget goes to requests fast, so mostly slow ones.
constexpr const char* kEvery[] = {"50ms", "100ms", "250ms", "1s", "1s", "7s", "1m"};
constexpr const char* kRate[] = {"1/s", "5/s", "20/s", "100/s", "3000/m", "1/h", "1e-300/s"};
constexpr const char* kDeployments[] = {"web", "api", "db"};

struct DeploymentState {
  std::string name;
  int image = 1;
  int restarts = 0;           // rollout restart changes the template too
  int history = 1;            // distinct templates the loader remembers
  int history_limit = 10;
  bool paused = false;
  bool deleted = false;
  std::vector<std::string> containers;
};

// A valid scenario (mostly: the loader has the last word) from the bytes.
std::string GenerateScenario(FuzzedDataProvider& in) {
  std::string out = "apiVersion: kubesim/v1alpha1\nkind: Scenario\nmetadata: {name: generated}\n";
  const int until_s = in.ConsumeIntegralInRange(0, 600);
  out += fmt::format("spec:\n  seed: {}\n  until: {}s\n", in.ConsumeIntegral<uint8_t>(), until_s);

  // Nodes: NAME-0 .. NAME-(count-1) per group.
  std::vector<std::string> nodes;
  out += "  cluster:\n    nodes:\n";
  const int groups = in.ConsumeIntegralInRange(1, 3);
  for (int g = 0; g < groups; ++g) {
    const int count = in.ConsumeIntegralInRange(0, 4);
    const std::string name = fmt::format("node{}", g);
    for (int i = 0; i < count; ++i) nodes.push_back(fmt::format("{}-{}", name, i));
    out += fmt::format(
        "    - {{name: {}, count: {}, capacity: {{cpu: \"{}\", memory: {}, pods: {}}}, "
        "labels: {{zone: z{}}}}}\n",
        name, count, in.PickValueInArray(kCpu), in.PickValueInArray(kMemory),
        in.PickValueInArray({1, 2, 3, 5, 110}), in.ConsumeIntegralInRange(0, 1));
  }
  out += fmt::format("    timing: {{controllerDelay: {}, schedulingDelay: {}, endpointDelay: {}}}\n",
                     in.PickValueInArray(kLatencies), in.PickValueInArray(kLatencies),
                     in.PickValueInArray(kLatencies));

  out += "  images:\n";
  for (int i = 1; i <= 3; ++i) {
    const int shutdown = in.ConsumeIntegralInRange(0, 7);
    const int drain = in.ConsumeIntegralInRange(0, shutdown);
    out += fmt::format("    web:{}: {{pull: {}, start: {}, shutdown: {}, drain: {}, healthy: {}", i,
                       in.PickValueInArray(kLatencies), in.PickValueInArray(kLatencies),
                       kFixed[shutdown], kFixed[drain], in.ConsumeIntegralInRange(0, 7) != 0);
    if (in.ConsumeIntegralInRange(0, 3) == 0) {
      out += fmt::format(", crashAfter: {}", in.PickValueInArray(kLatencies));
    }
    out += "}\n";
  }

  // Deployments, each with a Service of its name.
  std::vector<DeploymentState> deps;
  std::string objects;
  const int n_deps = in.ConsumeIntegralInRange(1, 3);
  for (int d = 0; d < n_deps; ++d) {
    DeploymentState st;
    st.name = kDeployments[d];
    st.image = in.ConsumeIntegralInRange(1, 3);
    st.containers.push_back(st.name);
    const int replicas = in.PickValueInArray({0, 1, 1, 2, 3, 4, 5, 10, 20});
    const bool recreate = in.ConsumeIntegralInRange(0, 3) == 0;
    const int min_ready = in.PickValueInArray({0, 0, 1, 5, 30});
    std::string strategy;
    if (recreate) {
      strategy = "{type: Recreate}";
    } else {
      std::string surge = in.PickValueInArray(kIntOrPercent);
      std::string unavailable = in.PickValueInArray(kIntOrPercent);
      if (surge[0] == '0' && unavailable[0] == '0') unavailable = "1";
      strategy = fmt::format(
          "{{type: RollingUpdate, rollingUpdate: {{maxSurge: {}, maxUnavailable: {}}}}}", surge,
          unavailable);
    }
    objects += fmt::format(
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: {}}}\nspec:\n"
        "  replicas: {}\n  minReadySeconds: {}\n  strategy: {}\n",
        st.name, replicas, min_ready, strategy);
    if (in.ConsumeBool()) {
      objects += fmt::format("  progressDeadlineSeconds: {}\n",
                             min_ready + in.PickValueInArray({1, 5, 60, 600}));
    }
    if (in.ConsumeBool()) {
      st.history_limit = in.PickValueInArray({0, 1, 2});
      objects += fmt::format("  revisionHistoryLimit: {}\n", st.history_limit);
    }
    objects += fmt::format(
        "  selector: {{matchLabels: {{app: {}}}}}\n  template:\n    metadata: {{labels: {{app: "
        "{}}}}}\n    spec:\n",
        st.name, st.name);
    const int grace = in.PickValueInArray({-1, 0, 1, 5, 30});
    if (grace >= 0) objects += fmt::format("      terminationGracePeriodSeconds: {}\n", grace);
    if (in.ConsumeIntegralInRange(0, 4) == 0 && !nodes.empty()) {
      objects += fmt::format("      nodeSelector: {{zone: z{}}}\n", in.ConsumeIntegralInRange(0, 1));
    }
    if (in.ConsumeIntegralInRange(0, 4) == 0) {
      objects += fmt::format(
          "      initContainers: [{{name: init, image: web:{}, resources: {{requests: {{cpu: "
          "\"{}\"}}}}}}]\n",
          in.ConsumeIntegralInRange(1, 3), in.PickValueInArray(kCpu));
    }
    objects += fmt::format("      containers:\n      - name: {}\n        image: web:{}\n", st.name,
                           st.image);
    if (in.ConsumeIntegralInRange(0, 3) == 0) {
      objects += fmt::format("        imagePullPolicy: {}\n",
                             in.PickValueInArray({"Always", "IfNotPresent", "Never"}));
    }
    if (in.ConsumeBool()) {
      objects += fmt::format("        resources: {{requests: {{cpu: \"{}\", memory: {}}}}}\n",
                             in.PickValueInArray(kCpu), in.PickValueInArray(kMemory));
    }
    for (const char* probe : {"readinessProbe", "livenessProbe", "startupProbe"}) {
      if (in.ConsumeIntegralInRange(0, probe[0] == 'r' ? 1 : 3) != 0) continue;
      const bool readiness = probe[0] == 'r';
      objects += fmt::format(
          "        {}: {{httpGet: {{path: /, port: 80}}, periodSeconds: {}, "
          "initialDelaySeconds: {}, failureThreshold: {}, successThreshold: {}}}\n",
          probe, in.PickValueInArray({0, 1, 1, 2, 3, 10}), in.PickValueInArray({0, 0, 1, 5}),
          in.PickValueInArray({1, 1, 2, 3}), readiness ? in.PickValueInArray({1, 1, 2}) : 1);
    }
    switch (in.ConsumeIntegralInRange(0, 5)) {
      case 0:
        objects += fmt::format("        lifecycle: {{preStop: {{sleep: {{seconds: {}}}}}}}\n",
                               std::min(grace < 0 ? 30 : grace, in.PickValueInArray({0, 1, 5})));
        break;
      case 1:
        objects += fmt::format(
            "        lifecycle: {{preStop: {{exec: {{command: [sh, -c, \"sleep {}\"]}}}}}}\n",
            in.PickValueInArray({1, 3, 40}));
        break;
      default: break;
    }
    if (in.ConsumeIntegralInRange(0, 4) == 0) {
      objects += "      - {name: side, image: web:3}\n";
      st.containers.push_back("side");
    }
    objects += fmt::format(
        "---\napiVersion: v1\nkind: Service\nmetadata: {{name: {}}}\nspec: {{selector: {{app: "
        "{}}}, ports: [{{port: 80}}]}}\n",
        st.name, st.name);
    deps.push_back(std::move(st));
  }
  // Bare pods of the first Deployment's app.
  std::vector<std::string> pods;
  const int n_pods = in.ConsumeIntegralInRange(0, 2);
  for (int p = 0; p < n_pods; ++p) {
    pods.push_back(fmt::format("bare{}", p));
    objects += fmt::format(
        "---\napiVersion: v1\nkind: Pod\nmetadata: {{name: bare{}, labels: {{app: {}}}}}\n"
        "spec: {{{}containers: [{{name: c, image: web:{}}}]}}\n",
        p, deps[0].name,
        !nodes.empty() && in.ConsumeBool()
            ? fmt::format("nodeName: {}, ", in.PickValueInArray<std::string>({nodes.front(), nodes.back()}))
            : std::string(),
        in.ConsumeIntegralInRange(1, 3));
  }

  const int clients = in.ConsumeIntegralInRange(0, 3);
  if (clients > 0) out += "  traffic:\n";
  for (int c = 0; c < clients; ++c) {
    out += fmt::format("  - {{name: c{}, service: {}, {}{}}}\n", c,
                       deps[in.ConsumeIntegralInRange<size_t>(0, deps.size() - 1)].name,
                       in.ConsumeBool() ? fmt::format("every: {}", in.PickValueInArray(kEvery))
                                        : fmt::format("rate: {}", in.PickValueInArray(kRate)),
                       in.ConsumeIntegralInRange(0, 3) == 0
                           ? fmt::format(", from: {}s", in.ConsumeIntegralInRange(0, until_s))
                           : std::string());
  }

  // The timeline, in time order, tracking what the loader checks.
  const int n_steps = in.ConsumeIntegralInRange(0, 24);
  std::vector<int> times;  // milliseconds
  for (int i = 0; i < n_steps; ++i) {
    times.push_back(in.ConsumeBool() && !times.empty()
                        ? times.back()
                        : in.ConsumeIntegralInRange(0, until_s * 1000));
  }
  std::sort(times.begin(), times.end());
  std::set<std::string> bare_alive(pods.begin(), pods.end());
  std::string steps;
  for (const int at_ms : times) {
    DeploymentState& d = deps[in.ConsumeIntegralInRange<size_t>(0, deps.size() - 1)];
    std::string step;
    const int kind = in.ConsumeIntegralInRange(0, 13);
    if (d.deleted && kind <= 6) continue;
    switch (kind) {
      case 0: {
        const int image = in.ConsumeIntegralInRange(1, 3);
        const std::string& c = d.containers[in.ConsumeIntegralInRange<size_t>(0, d.containers.size() - 1)];
        if (c == d.name && image != d.image) {
          d.image = image;
          d.history = std::min(d.history + 1, d.history_limit + 1);
        }
        step = fmt::format("kubectl: set image deployment/{} {}=web:{}", d.name, c, image);
        break;
      }
      case 1:
        step = fmt::format("kubectl: scale deployment/{} --replicas={}", d.name,
                           in.PickValueInArray({0, 1, 2, 3, 7, 30}));
        break;
      case 2:
        if (d.paused) continue;
        d.history = std::min(d.history + 1, d.history_limit + 1);
        step = fmt::format("kubectl: rollout restart deployment/{}", d.name);
        break;
      case 3:
        if (d.history < 2) continue;
        step = fmt::format("kubectl: rollout undo deployment/{}", d.name);
        break;
      case 4:
        step = fmt::format("kubectl: rollout {} deployment/{}", d.paused ? "resume" : "pause",
                           d.name);
        d.paused = !d.paused;
        break;
      case 5:
        step = fmt::format("kubectl: patch deployment {} -p '{{\"spec\":{{\"replicas\":{}}}}}'",
                           d.name, in.ConsumeIntegralInRange(0, 9));
        break;
      case 6:
        if (in.ConsumeIntegralInRange(0, 3) != 0) continue;
        d.deleted = true;
        step = fmt::format("kubectl: delete deployment {}", d.name);
        break;
      case 7:
        step = fmt::format("kubectl: patch service {} -p '{{\"spec\":{{\"selector\":{{\"app\":\"{}\"}}}}}}'",
                           d.name, kDeployments[in.ConsumeIntegralInRange(0, 2)]);
        break;
      case 8:
        if (bare_alive.empty()) {
          step = fmt::format("kubectl: delete pod {}-x2k4p", d.name);
        } else {
          step = fmt::format("kubectl: delete pod {}", *bare_alive.begin());
          bare_alive.erase(bare_alive.begin());
        }
        break;
      case 9:
      case 10:
      case 11: {
        if (nodes.empty()) continue;
        const std::string& node = nodes[in.ConsumeIntegralInRange<size_t>(0, nodes.size() - 1)];
        const char* what[] = {"kubectl: cordon", "kubectl: uncordon", "kubectl: drain",
                              "fail: node/", "recover: node/"};
        const int w = in.ConsumeIntegralInRange(0, 4);
        step = fmt::format("{}{}{}", what[w], w < 3 ? " " : "", node);
        break;
      }
      case 12:
        step = "kubectl: apply -f web.yaml";
        break;
      default:
        step = "kubectl: apply -f web-v2.yaml";
        break;
    }
    steps += fmt::format("  - at: {}ms\n    {}\n", at_ms, step);
  }
  if (!steps.empty()) out += "  timeline:\n" + steps;
  return out + objects;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const bool verbose = std::getenv("KUBESIM_FUZZ_VERBOSE") != nullptr;
  std::string generated;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  if (size > 0 && data[0] == 0) {
    FuzzedDataProvider in(data + 1, size - 1);
    generated = GenerateScenario(in);
    text = generated;
    if (verbose) fmt::print(stderr, "generated scenario:\n{}\n", generated);
  }
  const kubesim::fuzz::FuzzRun run = kubesim::fuzz::RunScenario(text);
  if (verbose) {
    for (const auto& d : run.loaded.diagnostics) fmt::print(stderr, "{}\n", d.ToString());
    if (run.loaded.ok() && run.loaded.scenario && !run.simulated) {
      fmt::print(stderr, "skipped: {} nodes, {} pods (more than {} or {})\n", run.size.nodes,
                 run.size.pods, kubesim::fuzz::kMaxNodes, kubesim::fuzz::kMaxPods);
    }
    if (run.budget_exhausted) fmt::print(stderr, "spent the event budget of {}\n", run.budget);
    if (!run.json.empty()) fmt::print(stderr, "{} events\n{}\n", run.events, run.json);
  }
  if (run.problem) {
    fmt::print(stderr, "run_fuzzer: {}\n", *run.problem);
    std::abort();
  }
  return 0;
}
