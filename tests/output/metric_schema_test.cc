// The metric schema (include/kubesim/metrics/schema.h, docs/metrics.md):
// paths split at known keys, values read from a Report, and the JSON report
// holding exactly the schema's metrics at exactly their paths.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "kubesim/engine/random.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/metrics/schema.h"
#include "kubesim/output/report_writers.h"

namespace kubesim::metrics {
namespace {

MetricPath Parse(std::string_view text) {
  const Expected<MetricPath> p = ParseMetricPath(text);
  EXPECT_TRUE(p.ok()) << text << ": " << (p.ok() ? "" : p.error());
  return p.ok() ? *p : MetricPath{};
}

TEST(MetricPath, NamesKeepTheirDotsAndSlashes) {
  MetricPath p = Parse("services.shop/web.requests.failed");
  EXPECT_EQ(p.object, "shop/web");
  EXPECT_EQ(p.metric->key, "requests.failed");  // not "failed" of a Service "shop/web.requests"
  p = Parse("services.my.app.downtimeSeconds");
  EXPECT_EQ(p.object, "my.app");
  p = Parse("services.web.requests.byVersion.0.2.0");
  EXPECT_EQ(p.object, "web");
  EXPECT_EQ(p.version, "0.2.0");
  EXPECT_TRUE(p.metric->per_version);
  p = Parse("deployments.a.b.rollouts[12].durationSeconds");
  EXPECT_EQ(p.object, "a.b");
  EXPECT_EQ(p.rollout, MetricPath::Rollout::kIndex);
  EXPECT_EQ(p.rollout_index, 12u);
  p = Parse("deployments.web.lastRollout.minAvailablePods");
  EXPECT_EQ(p.object, "web");
  EXPECT_EQ(p.rollout, MetricPath::Rollout::kLast);
  EXPECT_EQ(p.metric->scope, Scope::kRollout);
  EXPECT_EQ(Parse("deployments.web.restarts").metric->scope, Scope::kDeployment);
  EXPECT_EQ(Parse("resources.peakCpuMillis").metric->unit, Unit::kCpuMillis);
  EXPECT_EQ(Parse("events").metric->scope, Scope::kRun);
}

TEST(MetricPath, UnknownKeysAreErrorsThatListTheScopesKeys) {
  for (const char* bad : {"resources.peakCPU", "services.web.downtime", "services.downtimeSeconds",
                          "deployments.web.rollouts[x].revision", "deployments.web.rollouts[0]",
                          "deployments.web.rollouts[0].restarts", "deployments.web", "seed",
                          "services.web.requests.byVersion."}) {
    const Expected<MetricPath> p = ParseMetricPath(bad);
    EXPECT_FALSE(p.ok()) << bad;
  }
  const Expected<MetricPath> p = ParseMetricPath("resources.peakCPU");
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.error().find("peakCpuMillis"), std::string::npos) << p.error();
}

Report Sample() {
  Report r;
  r.scenario = "s";
  r.seed = 3;
  r.end = SimTime::Zero() + SimDuration::Seconds(180);
  r.events = 5321;
  ServiceReport web;
  web.key = "shop/web";
  web.served = true;
  web.downtime = SimDuration::Millis(2500);
  web.min_serving_endpoints = 1;
  web.requests = {172, 3, {{"0.1.0", 53}, {"0.2.0", 119}}};
  ServiceReport idle;
  idle.key = "idle";  // never served
  r.services = {idle, web};
  DeploymentReport d;
  d.key = "web";
  d.restarts = 2;
  RolloutReport first;
  first.revision = 2;
  first.start = SimTime::Zero() + SimDuration::Seconds(60);
  first.complete = SimTime::Zero() + SimDuration::Seconds(65);
  first.rollout_status = SimTime::Zero() + SimDuration::Seconds(64);
  first.peak_active_pods = 4;
  RolloutReport second;
  second.revision = 3;
  second.start = SimTime::Zero() + SimDuration::Seconds(90);
  second.deadline_exceeded = true;
  d.rollouts = {first, second};
  r.deployments = {d};
  r.resources.peak_cpu_millis = 1500;
  return r;
}

std::optional<Value> At(const Report& r, std::string_view path) { return Resolve(Parse(path), r); }

TEST(MetricPath, ResolveReadsTheNamedValueOrSaysItNamesNothing) {
  const Report r = Sample();
  EXPECT_EQ(At(r, "services.shop/web.downtimeSeconds"), Value::Seconds(SimDuration::Millis(2500)));
  EXPECT_EQ(At(r, "services.shop/web.requests.byVersion.0.2.0"), Value::Integer(119));
  EXPECT_EQ(At(r, "services.shop/web.requests.byVersion.0.3.0"), std::nullopt);
  EXPECT_EQ(At(r, "services.idle.downtimeSeconds"), Value::Null());  // never served
  EXPECT_EQ(At(r, "services.idle.requests.total"), Value::Integer(0));
  EXPECT_EQ(At(r, "services.api.downtimeSeconds"), std::nullopt);
  EXPECT_EQ(At(r, "deployments.web.restarts"), Value::Integer(2));
  EXPECT_EQ(At(r, "deployments.web.rollouts[0].durationSeconds"),
            Value::Seconds(SimDuration::Seconds(5)));
  EXPECT_EQ(At(r, "deployments.web.rollouts[1].durationSeconds"), Value::Null());  // never done
  EXPECT_EQ(At(r, "deployments.web.rollouts[2].revision"), std::nullopt);
  EXPECT_EQ(At(r, "deployments.web.lastRollout.revision"), Value::Integer(3));
  EXPECT_EQ(At(r, "deployments.web.lastRollout.deadlineExceeded"), Value::Boolean(true));
  EXPECT_EQ(At(r, "resources.peakCpuMillis"), Value::Integer(1500));
  // Derived metrics: in no JSON key, but paths like any other.
  EXPECT_DOUBLE_EQ(At(r, "services.shop/web.requests.failedShare")->number(), 3.0 / 172.0);
  EXPECT_EQ(At(r, "services.idle.requests.failedShare"), Value::Null());  // no request
  EXPECT_EQ(At(r, "deployments.web.rollouts[0].rolloutStatusDurationSeconds"),
            Value::Seconds(SimDuration::Seconds(4)));  // 60 s -> 64 s
  EXPECT_EQ(At(r, "deployments.web.rollouts[1].rolloutStatusDurationSeconds"), Value::Null());
  EXPECT_EQ(At(r, "simulatedSeconds")->number(), 180.0);
  EXPECT_EQ(At(r, "events"), Value::Integer(5321));
}

// Every leaf of the JSON report is a schema metric at its path, with the
// value Resolve reads; every schema metric of a present object is a leaf.
TEST(MetricSchema, TheJsonReportHoldsExactlyTheSchemasMetrics) {
  const Report r = Sample();
  const nlohmann::json j = nlohmann::json::parse(output::FormatJson(r));
  size_t leaves = 0;
  const auto check = [&](const std::string& path, const nlohmann::json& leaf) {
    ++leaves;
    const std::optional<Value> v = At(r, path);
    ASSERT_TRUE(v.has_value()) << path;
    if (v->is_null()) {
      EXPECT_TRUE(leaf.is_null()) << path;
    } else if (v->kind() == Value::Kind::kBoolean) {
      EXPECT_EQ(leaf, v->integer() != 0) << path;
    } else {
      EXPECT_EQ(leaf.get<double>(), v->number()) << path;
    }
  };
  check("simulatedSeconds", j["simulatedSeconds"]);
  check("events", j["events"]);
  for (const auto& [service, o] : j["services"].items()) {
    for (const auto& [k, v] : o.items()) {
      if (k != "requests") {
        check("services." + service + "." + k, v);
        continue;
      }
      for (const auto& [rk, rv] : v.items()) {
        if (rk != "byVersion") {
          check("services." + service + ".requests." + rk, rv);
          continue;
        }
        for (const auto& [version, n] : rv.items()) {
          check("services." + service + ".requests.byVersion." + version, n);
        }
      }
    }
  }
  for (const auto& [dep, o] : j["deployments"].items()) {
    check("deployments." + dep + ".restarts", o["restarts"]);
    for (size_t i = 0; i < o["rollouts"].size(); ++i) {
      for (const auto& [k, v] : o["rollouts"][i].items()) {
        check("deployments." + dep + ".rollouts[" + std::to_string(i) + "]." + k, v);
      }
    }
  }
  for (const auto& [k, v] : j["resources"].items()) check("resources." + k, v);
  // Run 2 + Service 7 scalars (x2) + 2 versions + restarts + rollout 8 (x2) + resources 4.
  size_t expected = 0;
  for (const Metric& m : Schema()) {
    if (!m.in_report) continue;  // derived (requests.failedShare): not repeated in the JSON
    if (m.load_model) continue;  // the sample does not use the load model: none of its keys
    if (m.slo) continue;         // nor sets an objective
    switch (m.scope) {
      case Scope::kRun:
      case Scope::kResources:
      case Scope::kDeployment:
        expected += 1;
        break;
      // Two Services (or, for byVersion, web's two versions).
      case Scope::kService:
        expected += 2;
        break;
      case Scope::kRollout:
        expected += 2;
        break;
    }
  }
  EXPECT_EQ(leaves, expected);
  EXPECT_EQ(leaves, 2u + 14u + 2u + 1u + 16u + 4u);
}

// With the load model (docs/load-model.md) the report holds its metrics,
// and paths resolve to them; without it, the same paths name nothing.
TEST(MetricSchema, ALoadModelReportHoldsItsMetricsAndResolvesThem) {
  Report r = Sample();
  EXPECT_EQ(At(r, "services.shop/web.latencySeconds.p99"), std::nullopt);
  EXPECT_EQ(At(r, "deployments.web.peakUtilization"), std::nullopt);
  r.load_model = true;
  ServiceReport& web = r.services[1];
  web.requests.rejected = 2;
  web.requests.timed_out = 1;
  web.latency = LatencyReport{SimDuration::Millis(20), SimDuration::Millis(90),
                              SimDuration::Millis(250), SimDuration::Millis(400), 169};
  web.latency_by_version["0.2.0"] =
      LatencyReport{SimDuration::Millis(30), SimDuration::Millis(95), SimDuration::Millis(260),
                    SimDuration::Millis(400), 117};
  r.deployments[0].peak_utilization = 0.75;
  const nlohmann::json j = nlohmann::json::parse(output::FormatJson(r));
  const nlohmann::json& w = j["services"]["shop/web"];
  EXPECT_EQ(w["requests"]["rejected"], 2);
  EXPECT_EQ(w["requests"]["timedOut"], 1);
  EXPECT_EQ(w["latencySeconds"]["p50"], 0.02);
  EXPECT_EQ(w["latencySeconds"]["p99"], 0.25);
  EXPECT_EQ(w["latencySeconds"]["max"], 0.4);
  EXPECT_EQ(w["latencySeconds"]["byVersion"]["0.2.0"]["p99"], 0.26);
  EXPECT_TRUE(j["services"]["idle"]["latencySeconds"]["p99"].is_null());
  EXPECT_EQ(j["deployments"]["web"]["peakUtilization"], 0.75);
  EXPECT_EQ(At(r, "services.shop/web.latencySeconds.p99"),
            Value::Seconds(SimDuration::Millis(250)));
  EXPECT_EQ(At(r, "services.shop/web.requests.rejected"), Value::Integer(2));
  EXPECT_EQ(At(r, "services.idle.latencySeconds.p50"), Value::Null());
  EXPECT_DOUBLE_EQ(At(r, "deployments.web.peakUtilization")->number(), 0.75);
  // An objective: its keys for that Service only.
  EXPECT_EQ(At(r, "services.shop/web.slo.kept"), std::nullopt);
  SloReport slo;
  slo.availability_target = 0.999;
  slo.window = SimDuration::Hours(720);
  slo.availability = 1.0 - 3.0 / 172;
  slo.error_budget_burned = 0.25;
  slo.kept = true;
  web.slo = slo;
  const nlohmann::json k = nlohmann::json::parse(output::FormatJson(r));
  EXPECT_EQ(k["services"]["shop/web"]["slo"]["kept"], true);
  EXPECT_EQ(k["services"]["shop/web"]["slo"]["errorBudgetBurned"], 0.25);
  EXPECT_TRUE(k["services"]["shop/web"]["slo"]["latencyP99TargetSeconds"].is_null());
  EXPECT_FALSE(k["services"]["idle"].contains("slo"));
  EXPECT_EQ(At(r, "services.shop/web.slo.kept"), Value::Boolean(true));
  EXPECT_EQ(At(r, "services.idle.slo.kept"), std::nullopt);
}

}  // namespace
}  // namespace kubesim::metrics

namespace kubesim::metrics {
namespace {

// Nearest rank by sorting: the reference the histogram selection must equal.
SimDuration SortedRank(std::vector<int64_t> all, size_t p) {
  std::sort(all.begin(), all.end());
  const size_t rank = std::max<size_t>(1, (p * all.size() + 99) / 100);
  return SimDuration::Micros(all[rank - 1]);
}

// The two-pass histogram selection (collector.cc) gives exactly the sorted
// nearest rank, over one part and over the union of several, with samples
// below 65.536 ms (one high-bits bucket), across buckets, and past 2^32 µs.
TEST(LatencyPercentiles, EqualTheNearestRankOfTheSortedSamples) {
  Rng rng(5);
  for (const int spread : {1, 2, 3}) {
    std::vector<LatencySamples> parts(3);
    std::vector<int64_t> all;
    for (int i = 0; i < 30'000; ++i) {
      int64_t us = 0;
      if (spread == 1) us = static_cast<int64_t>(rng.Below(60'000));         // one bucket
      if (spread == 2) us = static_cast<int64_t>(rng.Below(50'000'000));     // many
      if (spread == 3) us = static_cast<int64_t>(rng.Below(8'000'000'000));  // some past 2^32
      parts[i % 3].Add(us);
      all.push_back(us);
    }
    const LatencySamples* ptrs[] = {&parts[0], &parts[1], &parts[2]};
    const LatencyReport l = Percentiles(ptrs);
    EXPECT_EQ(l.samples, 30'000);
    EXPECT_EQ(l.p50, SortedRank(all, 50)) << spread;
    EXPECT_EQ(l.p95, SortedRank(all, 95)) << spread;
    EXPECT_EQ(l.p99, SortedRank(all, 99)) << spread;
    EXPECT_EQ(l.max, SimDuration::Micros(*std::max_element(all.begin(), all.end()))) << spread;
    const LatencySamples* one[] = {&parts[1]};
    std::vector<int64_t> second;
    for (size_t i = 1; i < all.size(); i += 3) second.push_back(all[i]);
    EXPECT_EQ(Percentiles(one).p99, SortedRank(second, 99)) << spread;
  }
  // One sample: every percentile is it.
  LatencySamples single;
  single.Add(1234);
  const LatencySamples* ptr[] = {&single};
  const LatencyReport l = Percentiles(ptr);
  EXPECT_EQ(l.p50, SimDuration::Micros(1234));
  EXPECT_EQ(l.max, SimDuration::Micros(1234));
}

// Samples fill blocks of 1 Ki doubling to 64 Ki, then of 512 Ki: 700,000
// (127 Ki in the small blocks, the rest in two of the large), with long
// ones between, come back in the order added and select as the sort does.
TEST(LatencySamples, KeepEverySampleInOrderAcrossBlocks) {
  Rng rng(9);
  LatencySamples samples;
  std::vector<int64_t> all;
  std::vector<uint32_t> added;
  for (int i = 0; i < 700'000; ++i) {
    const int64_t us =
        i % 100'000 == 7 ? int64_t{1} << 33 : static_cast<int64_t>(rng.Below(90'000));
    samples.Add(us);
    all.push_back(us);
    if (us <= UINT32_MAX) added.push_back(static_cast<uint32_t>(us));
  }
  EXPECT_EQ(samples.size(), 700'000u);
  EXPECT_EQ(samples.short_count(), added.size());
  EXPECT_EQ(samples.long_us().size(), 7u);
  // Moved, the samples go with their blocks; the source is empty and
  // usable again.
  LatencySamples moved = std::move(samples);
  EXPECT_EQ(samples.size(), 0u);  // NOLINT(bugprone-use-after-move): reset by the move
  samples.Add(5);
  EXPECT_EQ(samples.size(), 1u);
  std::vector<uint32_t> seen;
  moved.ForEachShort([&](uint32_t v) { seen.push_back(v); });
  EXPECT_EQ(seen, added);
  const LatencySamples* ptr[] = {&moved};
  const LatencyReport l = Percentiles(ptr);
  EXPECT_EQ(l.p50, SortedRank(all, 50));
  EXPECT_EQ(l.p99, SortedRank(all, 99));
  EXPECT_EQ(l.max, SimDuration::Micros(int64_t{1} << 33));
}

}  // namespace
}  // namespace kubesim::metrics
