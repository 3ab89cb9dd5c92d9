// The Sweep kind (docs/sweeps.md): field paths and edits, loading and its
// positioned errors, the grid's order, the statistics, and runs that give
// the same rows whatever the number of threads.
#include "kubesim/sweep/sweep.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

#include "kubesim/metrics/stats.h"
#include "kubesim/sweep/runner.h"
#include "kubesim/sweep/summary.h"
#include "sweep/vary.h"

namespace kubesim::sweep {
namespace {

// ---- Field paths and edits ------------------------------------------------------

TEST(SweepPath, FieldsSplitAtDotsAndBrackets) {
  const auto f = ParseField("spec.cluster.nodes[0].count");
  ASSERT_TRUE(f.ok()) << f.error();
  // nodes[0] is two segments: the key, then the index.
  ASSERT_EQ(f->size(), 5u);
  EXPECT_EQ((*f)[1].key, "cluster");
  EXPECT_EQ((*f)[2].key, "nodes");
  EXPECT_EQ(*(*f)[3].index, 0u);
  EXPECT_EQ((*f)[4].key, "count");
  const auto g = ParseField(R"(metadata.annotations["example.com/a.b"])");
  ASSERT_TRUE(g.ok()) << g.error();
  EXPECT_EQ(g->back().key, "example.com/a.b");
  const auto h = ParseField("items[2][1]");
  ASSERT_TRUE(h.ok());
  ASSERT_EQ(h->size(), 3u);
  EXPECT_EQ(*(*h)[1].index, 2u);
  EXPECT_EQ(*(*h)[2].index, 1u);
  for (const char* bad : {"", "a..b", ".a", "a.", "a[x]", "a[1", "a]b", "a[]"}) {
    EXPECT_FALSE(ParseField(bad).ok()) << bad;
  }
}

TEST(SweepPath, PathsNameTheScenarioOrAnObjectByKindAndName) {
  auto p = ParsePath("Scenario.spec.cluster.nodes[0].count");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->kind, "Scenario");
  p = ParsePath("Deployment/web.spec.strategy.rollingUpdate.maxSurge");
  ASSERT_TRUE(p.ok()) << p.error();
  EXPECT_EQ(p->kind, "Deployment");
  EXPECT_EQ(p->object, "web");
  for (const char* bad : {"spec.replicas", "Deployment/web", "/web.spec", "Deployment.web/x",
                          "Scenario/x.spec.until"}) {
    EXPECT_FALSE(ParsePath(bad).ok()) << bad;
  }
}

yaml::NodePtr Yaml(const std::string& text) {
  yaml::Stream s = yaml::Parse(text);
  EXPECT_TRUE(s.errors.empty());
  return s.documents.at(0).root;
}

TEST(SweepPath, ANameWithDotsOrANamespaceIsMatchedAgainstTheDocument) {
  const auto doc = Yaml("kind: Deployment\nmetadata: {name: my.app, namespace: shop}\n");
  const auto p = ParsePath("Deployment/my.app.spec.replicas");
  ASSERT_TRUE(p.ok());
  const auto field = FieldFor(*p, *doc);
  ASSERT_TRUE(field.has_value());
  ASSERT_EQ(field->size(), 2u);
  EXPECT_EQ((*field)[0].key, "spec");
  const auto ns = ParsePath("Deployment/shop/my.app.spec.replicas");
  ASSERT_TRUE(ns.ok()) << ns.error();
  EXPECT_TRUE(FieldFor(*ns, *doc).has_value());
  EXPECT_FALSE(FieldFor(*ParsePath("Deployment/my.spec.replicas"), *doc).has_value());
  // web.v2 is not web with a field "v2": a field starts at an object's top-level key.
  const auto web = Yaml("kind: Deployment\nmetadata: {name: web}\n");
  EXPECT_FALSE(FieldFor(*ParsePath("Deployment/web.v2.spec.replicas"), *web).has_value());
  EXPECT_TRUE(FieldFor(*ParsePath("Deployment/web.spec.replicas"), *web).has_value());
  EXPECT_FALSE(FieldFor(*ParsePath("Service/my.app.spec.replicas"), *doc).has_value());
}

TEST(SweepPath, SetFieldCreatesMappingsAndRefusesScalarsAndShortLists) {
  const auto doc = Yaml("spec:\n  replicas: 1\n  list: [a, b]\n");
  const auto value = Yaml("{maxSurge: 1}");
  auto set = SetField(doc, *ParseField("spec.strategy.rollingUpdate"), value);
  ASSERT_TRUE(set.ok()) << set.error();
  EXPECT_EQ(FlowText(**set),
            "{spec: {replicas: 1, list: [a, b], strategy: {rollingUpdate: "
            "{maxSurge: 1}}}}");
  set = SetField(doc, *ParseField("spec.list[1]"), Yaml("c"));
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(FlowText(**set), "{spec: {replicas: 1, list: [a, c]}}");
  EXPECT_EQ(FlowText(*doc), "{spec: {replicas: 1, list: [a, b]}}");  // the original is untouched
  set = SetField(doc, *ParseField("spec.list[2]"), Yaml("c"));
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().find("past the end of the list (2 items)"), std::string::npos)
      << set.error();
  // A value spanning lines is one CSV cell on one line.
  EXPECT_EQ(FlowText(*Yaml("\"a\\nb\"")), "\"a\\nb\"");
  set = SetField(doc, *ParseField("spec.replicas.x"), Yaml("c"));
  ASSERT_FALSE(set.ok());
  EXPECT_NE(set.error().find("not a mapping"), std::string::npos) << set.error();
}

// ---- Loading ----------------------------------------------------------------------

const char* kScenario = R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: s}
spec:
  until: 2m
  cluster:
    nodes: [{name: worker, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {start: 2s}
    web:2: {start: 2s}
  traffic: [{name: c, service: web, rate: 10/s}]
  timeline:
  - {at: 0s, kubectl: apply -f app.yaml}
  - {at: 60s, kubectl: set image deployment/web web=web:2}
)";

const char* kApp = R"(apiVersion: apps/v1
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
        resources: {requests: {cpu: 500m}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";

scenario::LoadOptions Files(std::map<std::string, std::string> files) {
  scenario::LoadOptions o;
  o.read_file = [files](const std::string& path) -> Expected<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return Error{"cannot open: No such file or directory"};
    return it->second;
  };
  return o;
}

SweepLoad Load(const std::string& spec) {
  return LoadSweepText(
      "apiVersion: kubesim/v1alpha1\nkind: Sweep\nmetadata: {name: t}\nspec:\n" + spec,
      "dir/t.yaml", Files({{"dir/s.yaml", kScenario}, {"dir/app.yaml", kApp}}));
}

std::string Errors(const SweepLoad& l) {
  std::string out;
  for (const auto& d : l.diagnostics) out += d.ToString() + "\n";
  return out;
}

TEST(SweepLoad, AGridOfAnAppliedFilesObjectAndTheScenario) {
  const SweepLoad l = Load(R"(  scenario: s.yaml
  seeds: [3, 1, 7]
  vary:
  - path: Deployment/web.spec.replicas
    values: [1, 2, 4]
  - path: Scenario.spec.cluster.nodes[0].count
    values: [1, 3]
  metrics: [services.web.downtimeSeconds, deployments.web.lastRollout.durationSeconds]
)");
  ASSERT_TRUE(l.ok()) << Errors(l);
  const Sweep& s = *l.sweep;
  EXPECT_EQ(s.scenario_file, "dir/s.yaml");
  EXPECT_EQ(s.seeds, (std::vector<uint64_t>{3, 1, 7}));
  EXPECT_EQ(s.Points(), 6u);
  EXPECT_EQ(s.Runs(), 18u);
  // The first axis outermost: replicas 1 with 1 and 3 nodes, then replicas 2, ...
  EXPECT_EQ(s.ValuesAt(0), (std::vector<size_t>{0, 0}));
  EXPECT_EQ(s.ValuesAt(1), (std::vector<size_t>{0, 1}));
  EXPECT_EQ(s.ValuesAt(2), (std::vector<size_t>{1, 0}));
  EXPECT_EQ(s.ValuesAt(5), (std::vector<size_t>{2, 1}));
  // The point's scenario holds the values: 4 replicas (in the applied file), 3 nodes.
  const scenario::LoadResult r =
      LoadPoint(s, s.ValuesAt(5), Files({{"dir/s.yaml", kScenario}, {"dir/app.yaml", kApp}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.scenario->cluster.nodes[0].count, 3);
  const auto& applied = r.scenario->timeline[0].objects;
  ASSERT_FALSE(applied.empty());
  EXPECT_EQ(std::get<k8s::Deployment>(applied[0]).spec.replicas, 4);
}

TEST(SweepLoad, ZipVariesItsFieldsTogether) {
  const SweepLoad l = Load(R"(  scenario: s.yaml
  vary:
  - zip:
    - {path: Deployment/web.spec.replicas, values: [2, 4, 8]}
    - path: Scenario.spec.cluster.nodes[0].count
      values: [1, 2, 4]
  metrics: [resources.peakPods]
)");
  ASSERT_TRUE(l.ok()) << Errors(l);
  EXPECT_EQ(l.sweep->Points(), 3u);
  EXPECT_EQ(l.sweep->ValuesAt(2), (std::vector<size_t>{2, 2}));
}

TEST(SweepLoad, ErrorsArePositionedInTheSweepFile) {
  struct Case {
    const char* spec;
    const char* error;
  };
  for (const Case& c : std::vector<Case>{
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  vary:\n  - {path: "
            "Deployment/web.spec.replicas, values: [2, -1]}\n",
            // At the value in the sweep file, and where it went in the applied file.
            "dir/t.yaml:8:54: error: with Deployment/web.spec.replicas = -1: dir/app.yaml:5:13: "
            "error: Deployment \"web\" is invalid: spec.replicas: Invalid value: -1"},
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  vary:\n  - {path: "
            "Deployment/api.spec.replicas, values: [2]}\n",
            "dir/t.yaml:8:12: error: \"Deployment/api.spec.replicas\" matches no document"},
           {"  scenario: s.yaml\n  metrics: [services.api.downtimeSeconds]\n",
            "dir/t.yaml:6:13: error: metric \"services.api.downtimeSeconds\": no Service \"api\""},
           {"  scenario: s.yaml\n  metrics: [services.web.downtime]\n",
            "dir/t.yaml:6:13: error: spec.metrics[0]: unknown Service metric"},
           {"  scenario: s.yaml\n  metrcs: []\n",
            "dir/t.yaml:6:3: error: unknown field \"metrcs\" in "
            "spec; did you mean \"metrics\"?"},
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  vary:\n  - zip:\n    - {path: "
            "Deployment/web.spec.replicas, values: [1, 2]}\n    - {path: Scenario.spec.seed, "
            "values: [1]}\n",
            "dir/t.yaml:10:7: error: spec.vary[0].zip[1].values: a zip's fields take their values "
            "together: 1 values here, 2 for Deployment/web.spec.replicas"},
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  minimize:\n    path: "
            "Scenario.spec.cluster.nodes[0].count\n    from: 1\n    to: 4\n",
            "spec.subjectTo: Required value: minimize needs the constraints"},
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  minimize:\n    path: "
            "Scenario.spec.cluster.nodes[0].count\n    from: 1\n    to: 4\n  subjectTo: "
            "[p96(resources.peakPods) < 3]\n",
            "unknown statistic \"p96\""},
           {"  scenario: s.yaml\n  metrics: [resources.peakPods]\n  minimize:\n    path: "
            "Scenario.spec.cluster.nodes[0].count\n    from: -9223372036854775808\n    to: "
            "9223372036854775807\n  subjectTo: [max(resources.peakPods) < 3]\n",
            "the range holds 2^64 values; kubesim searches at most 100000"},
           {"  scenario: missing.yaml\n  metrics: [resources.peakPods]\n",
            "dir/missing.yaml: error: cannot open"},
           {"  scenario: s.yaml\n  seeds: 0\n  metrics: [resources.peakPods]\n",
            "dir/t.yaml:6:10: error: spec.seeds"},
       }) {
    const SweepLoad l = Load(c.spec);
    EXPECT_FALSE(l.ok()) << c.spec;
    EXPECT_NE(Errors(l).find(c.error), std::string::npos) << c.spec << "\n" << Errors(l);
  }
}

TEST(SweepLoad, AGridTooLargeToCheckIsRefusedBeforeLoadingAPoint) {
  std::string values;
  for (int i = 0; i < 400; ++i) values += (i ? ", " : "") + std::to_string(i);
  const SweepLoad l = Load(
      "  scenario: s.yaml\n  metrics: [resources.peakPods]\n  vary:\n"
      "  - {path: Deployment/web.spec.replicas, values: [" +
      values +
      "]}\n"
      "  - {path: Deployment/web.spec.minReadySeconds, values: [" +
      values + "]}\n");
  EXPECT_FALSE(l.ok());
  EXPECT_NE(Errors(l).find("the grid has 160000 points and 160000 runs; kubesim sweeps at most "
                           "100000 points"),
            std::string::npos)
      << Errors(l);
}

// ---- Statistics -----------------------------------------------------------------

TEST(SweepStats, NearestRankPercentilesAreValuesSomeRunProduced) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  EXPECT_EQ(metrics::NearestRank(v, 50), 50);
  EXPECT_EQ(metrics::NearestRank(v, 95), 95);
  EXPECT_EQ(metrics::NearestRank(v, 99), 99);
  EXPECT_EQ(metrics::NearestRank(v, 100), 100);
  // Ten runs, one bad: p95 sees it (rank ceil(9.5) = 10), p50 does not.
  const std::vector<double> ten = {0, 0, 0, 0, 0, 0, 0, 0, 0, 100};
  EXPECT_EQ(metrics::NearestRank(ten, 50), 0);
  EXPECT_EQ(metrics::NearestRank(ten, 90), 0);
  EXPECT_EQ(metrics::NearestRank(ten, 95), 100);
}

TEST(SweepStats, MeanAndStudentTInterval) {
  // 2, 4, 4, 4, 5, 5, 7, 9: mean 5, sample sd sqrt(32/7); t(0.975, 7) = 2.365.
  const metrics::Summary s = metrics::Summarize({9, 2, 4, 4, 4, 5, 5, 7});
  EXPECT_EQ(s.n, 8u);
  EXPECT_DOUBLE_EQ(s.mean, 5.0);
  EXPECT_NEAR(s.ci95, 2.365 * std::sqrt(32.0 / 7.0) / std::sqrt(8.0), 1e-12);
  EXPECT_EQ(s.min, 2);
  EXPECT_EQ(s.max, 9);
  EXPECT_EQ(s.p50, 4);
  EXPECT_EQ(metrics::Summarize({3}).ci95, 0);  // one run: no interval
  EXPECT_EQ(metrics::Summarize({}).n, 0u);
  EXPECT_NEAR(metrics::StudentT975(1), 12.706, 1e-9);
  EXPECT_NEAR(metrics::StudentT975(30), 2.042, 1e-9);
  EXPECT_NEAR(metrics::StudentT975(40), 2.021, 1e-3);   // table value 2.021
  EXPECT_NEAR(metrics::StudentT975(120), 1.980, 1e-3);  // table value 1.980
}

// ---- Runs -----------------------------------------------------------------------

TEST(SweepRun, RowsAreTheSameWhateverTheNumberOfThreads) {
  const auto files = Files({{"dir/s.yaml", kScenario}, {"dir/app.yaml", kApp}});
  const SweepLoad l = LoadSweepText(R"(apiVersion: kubesim/v1alpha1
kind: Sweep
metadata: {name: t}
spec:
  scenario: s.yaml
  seeds: 6
  vary:
  - path: Deployment/web.spec.strategy.rollingUpdate.maxSurge
    values: [0, 1, "100%"]
  metrics:
  - services.web.requests.total
  - services.web.downtimeSeconds
  - deployments.web.rollouts[0].deadlineExceeded
  - deployments.web.rollouts[5].revision
)",
                                    "dir/t.yaml", files);
  ASSERT_TRUE(l.ok()) << Errors(l);
  const Sweep& s = *l.sweep;
  std::vector<size_t> runs(s.Runs());
  for (size_t i = 0; i < runs.size(); ++i) runs[i] = i;
  const auto rows = [&](unsigned jobs) {
    std::vector<std::shared_ptr<const scenario::Scenario>> loaded(s.Points());
    for (size_t p = 0; p < s.Points(); ++p) loaded[p] = LoadPoint(s, s.ValuesAt(p), files).scenario;
    std::vector<std::string> out;
    RunnerOptions o;
    o.jobs = jobs;
    o.scenario = [&](size_t point) { return loaded[point]; };
    o.on_row = [&](const RunRow& r) { out.push_back(CsvRow(s, r)); };
    RunAll(s, runs, o);
    std::sort(out.begin(), out.end(), [](const std::string& a, const std::string& b) {
      return std::stoul(a) < std::stoul(b);
    });
    return out;
  };
  const std::vector<std::string> one = rows(1);
  ASSERT_EQ(one.size(), 18u);
  EXPECT_EQ(one, rows(3));
  // Run 7 is point 1 (maxSurge 1), seed 2; rollouts[5] names nothing: an empty cell.
  EXPECT_EQ(one[7].substr(0, 6), "7,1,2,");
  EXPECT_TRUE(one[7].ends_with(",false,,\n")) << one[7];
  // Common random numbers: the same seed sends the same requests at every point.
  const auto total = [&](size_t run) {
    return SplitCsvLine(one[run].substr(0, one[run].size() - 1))->at(3);
  };
  EXPECT_EQ(total(1), total(7));
  EXPECT_EQ(total(1), total(13));
  EXPECT_NE(total(1), total(2));
}

TEST(SweepCsv, LinesSplitAsRfc4180QuotesThem) {
  const auto f = SplitCsvLine(R"(1,"a,b","say ""hi""",,x)");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(*f, (std::vector<std::string>{"1", "a,b", "say \"hi\"", "", "x"}));
  EXPECT_FALSE(SplitCsvLine(R"(1,"open)").has_value());
  EXPECT_FALSE(SplitCsvLine(R"(1,a"b)").has_value());
}

}  // namespace
}  // namespace kubesim::sweep
