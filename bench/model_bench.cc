// Whole-model benchmarks: how the simulation's cost grows with the cluster.
//
//   Scale/D/N      the scale workload (docs/scale.md, scenarios/scale/generate.py)
//                  of D Deployments x 100 replicas on N nodes, 30 simulated
//                  minutes: 1,500, 5,000 and 15,000 pods (the 150,000-pod
//                  envelope: Envelope, one iteration, run it by name)
//   Schedule/N     10,000 pods of one Deployment placed on N nodes (no probes,
//                  no traffic): kube-scheduler's filter + score per pod, with
//                  its node search from 100 nodes up
//   ScheduleConstrained/N/P  P pods with a zone spread constraint and a
//                  required anti-affinity term on N nodes: the topology index
//   EndpointChurn  one Service of 250 pods whose processes crash and restart
//                  for 30 minutes: endpoint updates of a 250-endpoint Service
//   Lookups/D      D Deployments scaled by name, one kubectl step each: the
//                  store's name index (D = 100, 1,000)
//   ServerQueueAdmit/C  the load model's queue (docs/load-model.md): one pod
//                  of C servers at 90 % load, a waiting room of 10 x C,
//                  Poisson arrivals, exponential service: the cost of one
//                  admission as C grows (a heap of C free times: log C)
// Counters: events/s (events fired, elided probe ticks included, per second of
// wall time), pods.
#include <benchmark/benchmark.h>
#include <fmt/format.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "cluster/server_queue.h"
#include "kubesim/cluster/simulation.h"
#include "kubesim/engine/random.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/scenario/load.h"

namespace kubesim {
namespace {

// The scale workload, as scenarios/scale/generate.py writes it.
std::string ScaleScenario(int deployments, int nodes, const std::string& until = "30m") {
  std::string s = fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: scale}}
spec:
  seed: 1
  until: {}
  cluster:
    nodes: [{{name: node, count: {}, capacity: {{cpu: "32", memory: 128Gi, pods: 110}}}}]
  images:
    shop/app:1.0: {{version: "1.0", pull: {{uniform: [2s, 8s]}}, start: {{uniform: [2s, 6s]}}, shutdown: 2s, drain: 1s}}
    shop/app:1.1: {{version: "1.1", pull: {{uniform: [2s, 8s]}}, start: {{uniform: [2s, 6s]}}, shutdown: 2s, drain: 1s}}
  traffic:
)",
                              until, nodes);
  for (int i = 0; i < deployments; i += 10) {
    s += fmt::format("  - {{name: users-{0}, service: app-{0}, rate: 10/s}}\n", i);
  }
  s += "  timeline:\n";
  for (int i = 0; i < deployments; ++i) {
    s += fmt::format("  - {{at: 60s, kubectl: set image deployment/app-{} app=shop/app:1.1}}\n", i);
  }
  for (int i = 0; i < deployments; ++i) {
    s += fmt::format(R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{0}}}
spec:
  replicas: 100
  selector: {{matchLabels: {{app: app-{0}}}}}
  template:
    metadata: {{labels: {{app: app-{0}}}}}
    spec:
      containers:
      - name: app
        image: shop/app:1.0
        resources: {{requests: {{cpu: 250m, memory: 512Mi}}}}
        readinessProbe: {{httpGet: {{path: /ready, port: 8080}}, periodSeconds: 10}}
        livenessProbe: {{httpGet: {{path: /healthz, port: 8080}}, periodSeconds: 10}}
---
apiVersion: v1
kind: Service
metadata: {{name: app-{0}}}
spec:
  selector: {{app: app-{0}}}
  ports: [{{port: 80}}]
)",
                     i);
  }
  return s;
}

std::shared_ptr<const scenario::Scenario> Load(const std::string& text) {
  scenario::LoadResult r = scenario::LoadScenarioText(text, "bench.yaml");
  if (!r.ok() || !r.scenario) {
    std::string why;
    for (const auto& d : r.diagnostics) why += d.ToString() + "\n";
    fmt::print(stderr, "bench scenario does not load:\n{}", why);
    std::abort();
  }
  return r.scenario;
}

void RunScenario(benchmark::State& state, const std::shared_ptr<const scenario::Scenario>& s) {
  uint64_t events = 0;
  for (auto _ : state) {
    cluster::Simulation sim(s);
    events += sim.Run().events;
  }
  state.counters["events/s"] = benchmark::Counter(static_cast<double>(events),
                                                  benchmark::Counter::kIsRate);
}

void Scale(benchmark::State& state) {
  const auto d = static_cast<int>(state.range(0));
  const auto n = static_cast<int>(state.range(1));
  const auto s = Load(ScaleScenario(d, n));
  state.counters["pods"] = d * 100.0;
  RunScenario(state, s);
}
BENCHMARK(Scale)->Args({15, 50})->Args({50, 167})->Args({150, 500})->Unit(benchmark::kMillisecond);

void Envelope(benchmark::State& state) {
  const auto s = Load(ScaleScenario(1500, 5000));
  state.counters["pods"] = 150'000;
  RunScenario(state, s);
}
BENCHMARK(Envelope)->Iterations(1)->Unit(benchmark::kSecond);

void Schedule(benchmark::State& state) {
  const auto nodes = static_cast<int>(state.range(0));
  const auto s = Load(fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: schedule}}
spec:
  until: 1s
  cluster:
    nodes: [{{name: node, count: {}, capacity: {{cpu: "32", memory: 128Gi, pods: 110}}}}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: 10000
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      containers: [{{name: web, image: web:1, resources: {{requests: {{cpu: 250m, memory: 512Mi}}}}}}]
)",
                                  nodes));
  RunScenario(state, s);
  state.counters["pods/s"] =
      benchmark::Counter(10'000.0 * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(Schedule)->Arg(100)->Arg(1000)->Arg(5000)->Unit(benchmark::kMillisecond);

// 10 zones of N/10 nodes; P pods of one Deployment with a zone spread
// constraint (DoNotSchedule, maxSkew 1) and a required hostname
// anti-affinity term selecting pods of another tier (none). Each cycle sums
// the selector's per-node counts into domains (one pass over the nodes),
// never the pods on them: the cost per pod grows with N, not with P.
void ScheduleConstrained(benchmark::State& state) {
  const auto nodes = static_cast<int>(state.range(0));
  const auto pods = static_cast<int>(state.range(1));
  std::string groups;
  for (int z = 0; z < 10; ++z) {
    for (int r = 0; r < nodes / 100; ++r) {
      groups += fmt::format(
          "    - {{name: z{0}-r{1}, count: 10, capacity: {{cpu: \"32\", memory: 128Gi, pods: 110}}, "
          "labels: {{zone: z{0}, rack: z{0}-r{1}}}}}\n",
          z, r);
    }
  }
  const auto s = Load(fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: schedule}}
spec:
  until: 1s
  cluster:
    nodes:
{}---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: web}}
spec:
  replicas: {}
  selector: {{matchLabels: {{app: web}}}}
  template:
    metadata: {{labels: {{app: web}}}}
    spec:
      topologySpreadConstraints:
      - {{maxSkew: 1, topologyKey: zone, whenUnsatisfiable: DoNotSchedule, labelSelector: {{matchLabels: {{app: web}}}}}}
      affinity:
        podAntiAffinity:
          requiredDuringSchedulingIgnoredDuringExecution:
          - {{topologyKey: kubernetes.io/hostname, labelSelector: {{matchLabels: {{tier: batch}}}}}}
      containers: [{{name: web, image: web:1, resources: {{requests: {{cpu: 10m, memory: 16Mi}}}}}}]
)",
                                  groups, pods));
  RunScenario(state, s);
  state.counters["pods/s"] = benchmark::Counter(
      static_cast<double>(pods) * static_cast<double>(state.iterations()), benchmark::Counter::kIsRate);
}
BENCHMARK(ScheduleConstrained)
    ->Args({1000, 2500})
    ->Args({1000, 10000})
    ->Args({5000, 10000})
    ->Unit(benchmark::kMillisecond);

void EndpointChurn(benchmark::State& state) {
  const auto s = Load(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: churn}
spec:
  until: 30m
  cluster:
    nodes: [{name: node, count: 10, capacity: {cpu: "32", memory: 128Gi, pods: 110}}]
  images:
    web:1: {start: {uniform: [1s, 3s]}, crashAfter: {uniform: [20s, 40s]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 250
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: web:1
        readinessProbe: {httpGet: {path: /ready, port: 8080}, periodSeconds: 1}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
)");
  RunScenario(state, s);
}
BENCHMARK(EndpointChurn)->Unit(benchmark::kMillisecond);

void Lookups(benchmark::State& state) {
  const auto d = static_cast<int>(state.range(0));
  std::string s = R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: lookups}
spec:
  until: 2m
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "1", memory: 1Gi, pods: 110}}]
  timeline:
)";
  for (int i = 0; i < d; ++i) {
    s += fmt::format("  - {{at: 60s, kubectl: scale deployment/app-{} --replicas=0}}\n", i);
  }
  for (int i = 0; i < d; ++i) {
    s += fmt::format(R"(---
apiVersion: apps/v1
kind: Deployment
metadata: {{name: app-{0}}}
spec:
  replicas: 0
  selector: {{matchLabels: {{app: app-{0}}}}}
  template:
    metadata: {{labels: {{app: app-{0}}}}}
    spec:
      containers: [{{name: app, image: web:1}}]
)",
                     i);
  }
  RunScenario(state, Load(s));
}
BENCHMARK(Lookups)->Arg(100)->Arg(1000)->Unit(benchmark::kMillisecond);

void ServerQueueAdmit(benchmark::State& state) {
  const auto c = static_cast<int32_t>(state.range(0));
  cluster::ServerQueue q(c, 10 * int64_t{c});
  Rng rng(1);
  const double service_mean = 0.05;  // s
  const double gap_mean = service_mean / (0.9 * c);
  double t = 0;
  int64_t rejected = 0;
  for (auto _ : state) {
    t += rng.Exponential(gap_mean);
    const auto now = SimTime::FromMicros(static_cast<int64_t>(t * 1e6));
    const auto service =
        SimDuration::Micros(static_cast<int64_t>(rng.Exponential(service_mean) * 1e6));
    if (!q.Admit(now, service)) ++rejected;
  }
  state.counters["rejected"] = static_cast<double>(rejected);
}
BENCHMARK(ServerQueueAdmit)->Arg(1)->Arg(4)->Arg(64)->Arg(1024);

// A lognormal service time as the load model draws one per request
// (DurationDistribution::DrawFast: a ziggurat normal), against the
// Box–Muller draw the rest of the model uses (Draw).
void LognormalDraw(benchmark::State& state) {
  const auto d = DurationDistribution::Lognormal(SimDuration::Millis(20), 0.5);
  Rng rng(1);
  const bool fast = state.range(0) == 1;
  int64_t sum = 0;
  for (auto _ : state) {
    sum += (fast ? d.DrawFast(rng) : d.Draw(rng)).micros();
  }
  benchmark::DoNotOptimize(sum);
  state.SetLabel(fast ? "DrawFast (ziggurat)" : "Draw (Box-Muller)");
}
BENCHMARK(LognormalDraw)->Arg(0)->Arg(1);

// The collector's latency samples (metrics::LatencySamples): adding N
// lognormal response times (20 ms median) and selecting p50/p95/p99 from
// them, as a run's report does for one version. Per sample: the add is a
// store through a cursor into blocks of up to 2 MiB, the selection two
// histogram passes.
void LatencySamplesAddAndSelect(benchmark::State& state) {
  const auto n = static_cast<size_t>(state.range(0));
  const auto d = DurationDistribution::Lognormal(SimDuration::Millis(20), 0.5);
  Rng rng(3);
  std::vector<int64_t> us(n);
  for (int64_t& v : us) v = d.DrawFast(rng).micros();
  for (auto _ : state) {
    metrics::LatencySamples samples;
    for (const int64_t v : us) samples.Add(v);
    const metrics::LatencySamples* parts[] = {&samples};
    benchmark::DoNotOptimize(metrics::Percentiles(parts));
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()) * static_cast<int64_t>(n));
}
BENCHMARK(LatencySamplesAddAndSelect)
    ->Arg(10'000)
    ->Arg(1'000'000)
    ->Arg(10'000'000)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace kubesim

BENCHMARK_MAIN();
