// The run's file outputs: the Chrome trace, the timeline CSV's
// documented columns, the SVG plot, the markdown/table summary; and the
// atomic file writer they all go through.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "kubesim/cluster/simulation.h"
#include "kubesim/metrics/collector.h"
#include "kubesim/output/file.h"
#include "kubesim/output/observers.h"
#include "kubesim/output/plot.h"
#include "kubesim/output/report_writers.h"
#include "kubesim/output/trace.h"
#include "kubesim/scenario/load.h"

namespace kubesim::output {
namespace {

namespace fs = std::filesystem;

std::string Seed(const std::string& name) {
  return fmt::format("{}/scenarios/seed/{}", std::getenv("KUBESIM_SOURCE_DIR"), name);
}

struct Run {
  metrics::Report report;
  Timeline timeline;
  TraceWriter trace;
};

std::unique_ptr<Run> Simulate(const std::string& file) {
  const scenario::LoadResult loaded = scenario::LoadScenarioFile(file);
  EXPECT_TRUE(loaded.ok() && loaded.scenario) << file;
  auto run = std::make_unique<Run>();
  if (!loaded.scenario) return run;
  cluster::Simulation sim(loaded.scenario);
  metrics::Collector collector(loaded.scenario->name, loaded.scenario->seed);
  sim.AddObserver(&collector);
  sim.AddObserver(&run->timeline);
  sim.AddObserver(&run->trace);
  const cluster::RunResult result = sim.Run();
  run->report = collector.TakeReport(result.events);
  return run;
}

// The X events of the track named `thread` (a pod), as "NAME START-END" in seconds.
std::vector<std::string> Spans(const nlohmann::json& trace, const std::string& thread_prefix) {
  std::optional<std::pair<int, int>> track;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" &&
        e["args"]["name"].get<std::string>().starts_with(thread_prefix)) {
      track = {e["pid"].get<int>(), e["tid"].get<int>()};
    }
  }
  std::vector<std::string> out;
  if (!track) return out;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X" || e["pid"] != track->first || e["tid"] != track->second) continue;
    const int64_t ts = e["ts"].get<int64_t>(), dur = e["dur"].get<int64_t>();
    out.push_back(fmt::format("{} {}-{}", e["name"].get<std::string>(), ts / 1'000'000,
                              (ts + dur) / 1'000'000));
  }
  return out;
}

// A scenario whose report has a `timeline` of every kind (docs/metrics.md):
//   1  0s   apply -f web.yaml                       (fixed `at:`: no entry)
//   2  0s   rollout status deployment/web           ok at 5 s (pull 5 s, no probe)
//   3  5s   scale deployment/web --replicas=2       chained: ok at once
//   4  10s  apply -f bad.yaml                       (fixed `at:`: no entry)
//   5  10s  wait --for=condition=Available ...      its pod never turns Ready:
//                                                   timeout at 10 + 20 = 30 s
//   6  -    scale deployment/bad --replicas=2       skipped (step 5 failed)
//   7  20s  rollout status deployment/bad           still waiting at the end, 60 s
//   8  -    wait --for=condition=Available ...      notReached
// The kubectl lines, in the order they run, are steps 1, 2, 3, 4, 5, 7: the
// plot numbers them 1..6, step 7 being the plot's 6.
class StepsScenario {
 public:
  StepsScenario() {
    fs::create_directories(dir_);
    Write("steps.yaml", R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata:
  name: steps
spec:
  until: 1m
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {pull: 5s}
    bad:1: {pull: 5s, healthy: false}
  timeline:
  - {at: 0s, kubectl: apply -f web.yaml}
  - kubectl: rollout status deployment/web --timeout=1m
  - kubectl: scale deployment/web --replicas=2
  - {at: 10s, kubectl: apply -f bad.yaml}
  - kubectl: wait --for=condition=Available deployment/bad --timeout=20s
  - kubectl: scale deployment/bad --replicas=2
  - {at: 20s, kubectl: rollout status deployment/bad}
  - kubectl: wait --for=condition=Available deployment/bad
)");
    for (const char* name : {"web", "bad"}) {
      Write(fmt::format("{}.yaml", name), fmt::format(R"(apiVersion: apps/v1
kind: Deployment
metadata: {{name: {0}}}
spec:
  replicas: 1
  selector: {{matchLabels: {{app: {0}}}}}
  template:
    metadata: {{labels: {{app: {0}}}}}
    spec:
      containers: [{{name: {0}, image: "{0}:1", readinessProbe: {{httpGet: {{port: 80}}, periodSeconds: 1}}}}]
)",
                                                      name));
    }
  }
  ~StepsScenario() { fs::remove_all(dir_); }
  std::string file() const { return (dir_ / "steps.yaml").string(); }

 private:
  void Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_ / name) << text;
  }
  fs::path dir_ = fs::temp_directory_path() / fmt::format("kubesim-steps-{}", ::getpid());
};

// The trace's spans for the report's timeline entries (cat "step", ph "X"),
// by step number.
struct StepSlice {
  std::string name, track, result;
  int64_t ts = 0, dur = 0;
  int line = 0;
};
std::map<uint32_t, StepSlice> StepSlices(const nlohmann::json& trace) {
  std::map<int, std::string> cluster_threads;  // tid -> name
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" && e["pid"] == 1) {
      cluster_threads[e["tid"].get<int>()] = e["args"]["name"];
    }
  }
  std::map<uint32_t, StepSlice> out;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] != "X" || e["cat"] != "step") continue;
    EXPECT_EQ(e["pid"], 1) << e;
    const uint32_t step = e["args"]["step"];
    EXPECT_EQ(out.count(step), 0u) << "two spans for step " << step;
    out[step] = StepSlice{e["name"],
                          cluster_threads[e["tid"].get<int>()],
                          e["args"]["result"],
                          e["ts"],
                          e["dur"],
                          e["args"]["line"]};
  }
  return out;
}

TEST(Trace, BlueGreenIsValidTraceJsonWithOneTrackPerPodAndItsPhases) {
  // seed/blue-green-fixed-time.yaml: blue, green and the update-checker are created at
  // 0 s. The blue pod and the update-checker pull 0..5 s on their nodes; the
  // green pod shares worker-2 with the update-checker and pulls after it
  // (serialized pulls), 5..10 s. No probe: Ready once the container starts.
  // The run ends at 3m = 180 s. The Service switches to green at 60 s and
  // clients see it at 61 s (endpointDelay 1 s).
  auto run = Simulate(Seed("blue-green-fixed-time.yaml"));
  const nlohmann::json trace = nlohmann::json::parse(run->trace.Json());  // throws if invalid
  ASSERT_TRUE(trace.contains("traceEvents"));
  int pod_tracks = 0;
  std::set<std::string> processes;
  for (const auto& e : trace["traceEvents"]) {
    ASSERT_TRUE(e.contains("ph") && e.contains("pid") && e.contains("name")) << e;
    if (e["ph"] == "M" && e["name"] == "thread_name" &&
        e["args"]["name"].get<std::string>().starts_with("pod/")) {
      ++pod_tracks;
    }
    if (e["ph"] == "M" && e["name"] == "process_name") processes.insert(e["args"]["name"]);
    if (e["ph"] == "X") {
      EXPECT_GE(e["dur"].get<int64_t>(), 0) << e;
    }
  }
  EXPECT_EQ(pod_tracks, 3);
  EXPECT_TRUE(processes.count("cluster") && processes.count("node/worker-2")) << trace.dump();
  EXPECT_EQ(Spans(trace, "pod/echo-version-blue-"),
            (std::vector<std::string>{"Pulling 0-5", "Ready 5-180"}));
  EXPECT_EQ(Spans(trace, "pod/echo-version-green-"),
            (std::vector<std::string>{"Pulling 0-5", "Ready 5-180"}));
  bool patch_step = false, switch_seen = false;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "i" && e["ts"] == 60'000'000 &&
        e["name"].get<std::string>().find("patch service echo-version") != std::string::npos) {
      patch_step = true;
    }
    if (e["ph"] == "C" && e["name"] == "endpoints echo-version" && e["ts"] == 61'000'000) {
      switch_seen = e["args"]["0.1.0"] == 0 && e["args"]["0.2.0"] == 1;
    }
  }
  EXPECT_TRUE(patch_step);
  EXPECT_TRUE(switch_seen);
}

// A track per container other than the app's, under its pod's node:
// real/bookinfo-istio/restart.yaml's first productpage pod runs its
// istio-proxy sidecar from 8 s (proxyv2 pulled; istio-init done at once);
// at the pod's deletion (122 s) the sidecar waits for productpage to exit
// (123 s), then drains 5 s: Stopping 122-128 s. istio-init, a plain init
// container, has no track (its lines name it as an init container).
TEST(Trace, ASidecarHasItsOwnTrackFromItsStartToItsExit) {
  auto run = Simulate(fmt::format("{}/scenarios/real/bookinfo-istio/restart.yaml",
                                  std::getenv("KUBESIM_SOURCE_DIR")));
  const nlohmann::json trace = nlohmann::json::parse(run->trace.Json());
  EXPECT_EQ(Spans(trace, "container istio-proxy of pod/productpage-v1-6cd7979cbd-"),
            (std::vector<std::string>{"Running 8-122", "Stopping 122-128"}));
  EXPECT_EQ(Spans(trace, "pod/productpage-v1-6cd7979cbd-"),
            (std::vector<std::string>{"Pulling 0-30", "Ready 30-122", "Terminating 122-128"}));
  int istio_init_tracks = 0;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "M" && e["name"] == "thread_name" &&
        e["args"]["name"].get<std::string>().starts_with("container istio-init")) {
      ++istio_init_tracks;
    }
  }
  EXPECT_EQ(istio_init_tracks, 0);
}

TEST(Trace, RollingUpdateCountsFailedRequestsPerSecond) {
  // seed/rolling-update.yaml fails one curl in each of 65, 66 and 67 s (see
  // the scenario's comment); the counter reads 1 there and 0 from 68 s.
  auto run = Simulate(Seed("rolling-update.yaml"));
  const nlohmann::json trace = nlohmann::json::parse(run->trace.Json());
  std::map<int64_t, int64_t> failed;
  for (const auto& e : trace["traceEvents"]) {
    if (e["ph"] == "C" && e["name"] == "failed requests/s echo-version") {
      failed[e["ts"].get<int64_t>() / 1'000'000] = e["args"]["failed"];
    }
  }
  EXPECT_EQ(failed, (std::map<int64_t, int64_t>{{65, 1}, {66, 1}, {67, 1}, {68, 0}}));
}

// A `rollout status` chain: the step is a span on the "kubectl steps" track
// from its start to its finish, named by its command, its result in args;
// the ordinary step chained after it, done at once, a span of 0.
TEST(Trace, ABlockingStepIsASpanFromItsStartToItsFinishWithItsResult) {
  const StepsScenario scenario;
  auto run = Simulate(scenario.file());
  ASSERT_EQ(run->report.timeline.size(), 6u);  // as the scenario's comment says
  const nlohmann::json trace = nlohmann::json::parse(run->trace.Json());
  const auto slices = StepSlices(trace);
  ASSERT_TRUE(slices.count(2)) << trace.dump();
  const StepSlice& status = slices.at(2);
  EXPECT_EQ(status.name, "rollout status deployment/web --timeout=1m");
  EXPECT_EQ(status.track, "kubectl steps");
  EXPECT_EQ(status.ts, 0);
  EXPECT_EQ(status.dur, 5'000'000);
  EXPECT_EQ(status.result, "ok");
  EXPECT_EQ(status.line, 14);
  ASSERT_TRUE(slices.count(3));
  EXPECT_EQ(slices.at(3).name, "scale deployment/web --replicas=2");
  EXPECT_EQ(slices.at(3).ts, 5'000'000);
  EXPECT_EQ(slices.at(3).dur, 0);
  EXPECT_EQ(slices.at(3).result, "ok");
  EXPECT_EQ(slices.at(3).track, "kubectl steps");
  // The instants of the steps' starts stay.
  int instants = 0;
  for (const auto& e : trace["traceEvents"]) instants += e["ph"] == "i" && e["cat"] == "step";
  EXPECT_EQ(instants, 6);
}

// A `wait` that times out: its span ends at the timeout, result "timeout".
// A step still waiting when the run ends: its span ends there, "waiting";
// it overlaps the wait, so it has a track of its own. A skipped step and a
// step never reached never ran: no span.
TEST(Trace, ATimedOutWaitAndAStepStillWaitingAtTheEnd) {
  const StepsScenario scenario;
  auto run = Simulate(scenario.file());
  const auto slices = StepSlices(nlohmann::json::parse(run->trace.Json()));
  ASSERT_TRUE(slices.count(5) && slices.count(7));
  const StepSlice& wait = slices.at(5);
  EXPECT_EQ(wait.name, "wait --for=condition=Available deployment/bad --timeout=20s");
  EXPECT_EQ(wait.ts, 10'000'000);
  EXPECT_EQ(wait.dur, 20'000'000);
  EXPECT_EQ(wait.result, "timeout");
  EXPECT_EQ(wait.track, "kubectl steps");
  const StepSlice& waiting = slices.at(7);
  EXPECT_EQ(waiting.ts, 20'000'000);
  EXPECT_EQ(waiting.dur, 40'000'000);  // to the run's end, 1m
  EXPECT_EQ(waiting.result, "waiting");
  EXPECT_EQ(waiting.track, "kubectl steps (2)");
  EXPECT_EQ(slices.count(6), 0u);  // skipped
  EXPECT_EQ(slices.count(8), 0u);  // notReached
  EXPECT_EQ(slices.size(), 4u);
}

TEST(Timeline, ColumnsAreTheDocumentedSetInOrder) {
  auto run = Simulate(Seed("rolling-update.yaml"));
  const std::string csv = run->timeline.Csv();
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_EQ(header,
            "time,"
            "pods/echo-version/0.1.0/pending,pods/echo-version/0.1.0/pulling,"
            "pods/echo-version/0.1.0/starting,pods/echo-version/0.1.0/ready,"
            "pods/echo-version/0.1.0/terminating,"
            "pods/echo-version/0.2.0/pending,pods/echo-version/0.2.0/pulling,"
            "pods/echo-version/0.2.0/starting,pods/echo-version/0.2.0/ready,"
            "pods/echo-version/0.2.0/terminating,"
            "pods/update-checker/0.1.0/pending,pods/update-checker/0.1.0/pulling,"
            "pods/update-checker/0.1.0/starting,pods/update-checker/0.1.0/ready,"
            "pods/update-checker/0.1.0/terminating,"
            "endpoints/echo-version/0.1.0,endpoints/echo-version/0.2.0,"
            "serving/echo-version,failed/echo-version");
  // At 66 s clients see the switch to the new pod, which serves only from 68 s.
  EXPECT_NE(csv.find("\n66.000000,0,0,0,0,0,0,0,0,1,0,0,0,0,1,0,0,1,0,2\n"), std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\n68.000000,0,0,0,0,0,0,0,0,1,0,0,0,0,1,0,0,1,1,3\n"), std::string::npos)
      << csv;
  // The last row is the end of the run.
  EXPECT_NE(csv.find("\n180.000000,"), std::string::npos) << csv;
}

// The load model's per-second columns (docs/outputs.md), derived by hand:
// one pod of one server and no waiting room, 1 s per request; a request
// every 0.5 s from 1 s (when its endpoint is seen). Those sent at whole
// seconds find the server free and are answered 1 s later; those at the
// half seconds are rejected at once (never in flight). So at each second's
// start from 1 s one request is in flight (the one just sent; the one sent
// a second before ends exactly then), and from 2 s each second answers one
// request, in 1 s. A row at every whole second; failed/ counts the
// rejections (1.5, 2.5, ... s).
TEST(Timeline, TheLoadModelAddsInFlightAndLatencyPerSecond) {
  const fs::path dir = fs::temp_directory_path() / fmt::format("kubesim-tl-{}", ::getpid());
  fs::create_directories(dir);
  const fs::path file = dir / "load.yaml";
  std::ofstream(file) << R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  until: 10s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "8", memory: 16Gi, pods: 110}}]
  images:
    web:1: {latency: 1s, concurrency: 1, queue: 0}
  traffic: [{name: c, service: web, every: 500ms}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 1
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
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
  auto run = Simulate(file.string());
  // The same service, a request every 10 minutes for an hour: the
  // per-second rows go only where the values change (each request: sent,
  // answered, the second after), not at each of the 3,600 seconds.
  {
    std::ifstream in(file);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("until: 10s"), 10, "until: 1h");
    text.replace(text.find("every: 500ms"), 12, "every: 10m");
    std::ofstream(file) << text;
  }
  auto sparse = Simulate(file.string());
  fs::remove_all(dir);
  EXPECT_LT(sparse->timeline.rows().size(), 40u);
  const std::string sparse_csv = sparse->timeline.Csv();
  // Sent at 1 s, answered at 2 s in 1 s: in flight at 1 s, p50 1 s at 2 s,
  // 0 again at 3 s.
  for (const char* row : {"\n1.000000,0,0,0,1,0,1,1,0,1,0.000000,0.000000\n",
                          "\n2.000000,0,0,0,1,0,1,1,0,0,1.000000,1.000000\n",
                          "\n3.000000,0,0,0,1,0,1,1,0,0,0.000000,0.000000\n"}) {
    EXPECT_NE(sparse_csv.find(row), std::string::npos) << row << sparse_csv;
  }
  const std::string csv = run->timeline.Csv();
  const std::string header = csv.substr(0, csv.find('\n'));
  EXPECT_TRUE(header.ends_with(",failed/web,inflight/web,latencyP50/web,latencyP99/web")) << header;
  // time, pods (5), endpoints, serving, failed (the rejections so far),
  // in flight, p50, p99.
  for (const char* row : {"\n0.000000,0,0,0,1,0,0,0,0,0,0.000000,0.000000\n",
                          "\n1.000000,0,0,0,1,0,1,1,0,1,0.000000,0.000000\n",
                          "\n2.000000,0,0,0,1,0,1,1,1,1,1.000000,1.000000\n",
                          "\n7.000000,0,0,0,1,0,1,1,6,1,1.000000,1.000000\n",
                          // The request sent at 10 s has not ended when the
                          // run does: like the report, the timeline does not
                          // count it.
                          "\n10.000000,0,0,0,1,0,1,1,9,0,1.000000,1.000000\n"}) {
    EXPECT_NE(csv.find(row), std::string::npos) << row << csv;
  }
  // A failure at 7.5 s writes a row of its own; it holds its second's values.
  EXPECT_NE(csv.find("\n7.500000,0,0,0,1,0,1,1,7,1,1.000000,1.000000\n"), std::string::npos) << csv;
  const std::string svg = PlotSvg(run->timeline, "t");
  for (const char* text :
       {"service web: requests in flight (each second's start)",
        "service web: response time per second, ms", "p99 of the second's answers"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
}

TEST(Plot, SvgHasAPanelPerSeriesAndMarksEverySteps) {
  auto run = Simulate(Seed("rolling-update.yaml"));
  const std::string svg = PlotSvg(run->timeline, "seed-rolling-update");
  EXPECT_EQ(svg.rfind("<svg xmlns=\"http://www.w3.org/2000/svg\"", 0), 0u);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  for (const char* text : {"pods by version and state", "client-visible endpoints per version",
                           "failed requests per second", "3 failed in all",
                           "set image deployment/echo-version", "version 0.2.0"}) {
    EXPECT_NE(svg.find(text), std::string::npos) << text;
  }
}

// Each timeline entry that ran is marked where it finished, labelled with
// its number among the plot's steps and its result; a timeout in red; the
// step still waiting at the end is labelled at the end; the legend says
// each one's result. The SVG stays well-formed (xmllint, if installed).
TEST(Plot, MarksWhereEachTimelineStepFinishedWithItsResult) {
  const StepsScenario scenario;
  auto run = Simulate(scenario.file());
  const std::string svg = PlotSvg(run->timeline, "steps");
  std::vector<std::string> labels;
  for (size_t at = svg.find("class=\"step-result\""); at != std::string::npos;
       at = svg.find("class=\"step-result\"", at + 1)) {
    const size_t open = svg.find('>', at) + 1;
    labels.push_back(svg.substr(open, svg.find('<', open) - open));
  }
  // Steps 2 and 3 finish at 5 s: one label.
  EXPECT_EQ(labels, (std::vector<std::string>{"2 ok, 3 ok", "5 timeout", "6 waiting"})) << svg;
  // The timeout's tick at 30 s of 60 (x = 60 + 680 / 2), red.
  EXPECT_NE(svg.find("<line x1=\"400.0\" y1=\"40.0\" x2=\"400.0\" y2=\"54.0\" stroke=\"#d62728\""),
            std::string::npos)
      << svg;
  EXPECT_NE(svg.find("fill=\"#d62728\" font-size=\"10\" font-weight=\"bold\">5 timeout<"),
            std::string::npos);
  for (const char* line :
       {"  2  0.000s  rollout status deployment/web --timeout=1m  [ok at 5.000s]",
        "  5  10.000s  wait --for=condition=Available deployment/bad --timeout=20s  [timeout at "
        "30.000s]",
        "  6  20.000s  rollout status deployment/bad  [waiting at the end]"}) {
    EXPECT_NE(svg.find(line), std::string::npos) << line;
  }
  if (std::system("command -v xmllint >/dev/null 2>&1") == 0) {
    const fs::path file =
        fs::temp_directory_path() / fmt::format("kubesim-plot-steps-{}.svg", ::getpid());
    ASSERT_FALSE(WriteFileAtomically(file.string(), svg));
    EXPECT_EQ(std::system(fmt::format("xmllint --noout '{}'", file.string()).c_str()), 0);
    fs::remove(file);
  }
}

TEST(Plot, EscapesTextForXml) {
  Timeline t;
  t.OnEvent(SimTime::Zero(), "kubectl", "patch -p '{\"a\":\"<b>&\"}'");
  const std::string svg = PlotSvg(t, "a<b>&c");
  EXPECT_EQ(svg.find("<b>"), std::string::npos);
  EXPECT_NE(svg.find("a&lt;b&gt;&amp;c"), std::string::npos);
}

TEST(Plot, RendersToPngWithRsvgConvert) {
  // Issue 5: the SVG must render with a real renderer, not only look right.
  if (std::system("command -v rsvg-convert >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "rsvg-convert not installed (scripts/install-deps.sh --test installs it)";
  }
  auto run = Simulate(Seed("blue-green.yaml"));
  const fs::path dir = fs::temp_directory_path() / fmt::format("kubesim-plot-{}", ::getpid());
  fs::create_directories(dir);
  ASSERT_FALSE(WriteFileAtomically((dir / "p.svg").string(), PlotSvg(run->timeline, "bg")));
  const int rc = std::system(
      fmt::format("rsvg-convert '{}' -o '{}'", (dir / "p.svg").string(), (dir / "p.png").string())
          .c_str());
  EXPECT_EQ(rc, 0);
  std::ifstream png(dir / "p.png", std::ios::binary);
  char magic[8] = {};
  png.read(magic, 8);
  EXPECT_EQ(std::string(magic + 1, 3), "PNG");
  fs::remove_all(dir);
}

TEST(Summary, MarkdownAndTableShowTheSameNumbers) {
  auto run = Simulate(Seed("rolling-update.yaml"));
  const std::string md = FormatMarkdown(run->report);
  const std::string table = FormatTable(run->report);
  EXPECT_NE(md.find("| downtime | 3s |"), std::string::npos) << md;
  EXPECT_NE(md.find("| rollout to revision 2 | 1m0s -> 1m5s (took 5s)"), std::string::npos) << md;
  EXPECT_NE(table.find("downtime              3s"), std::string::npos) << table;
  EXPECT_NE(table.find("rollout to revision 2 1m0s -> 1m5s (took 5s)"), std::string::npos) << table;
  EXPECT_EQ(table.find('\x1b'), std::string::npos);
  EXPECT_NE(FormatTable(run->report, /*color=*/true).find("\x1b[31m3s"), std::string::npos);
}

TEST(Csv, FieldsAreQuotedAsRfc4180WantsOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("services.web.downtimeSeconds"), "services.web.downtimeSeconds");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
}

TEST(Csv, ARowPerJsonValueByItsDottedPathAndNullAsEmpty) {
  auto run = Simulate(Seed("rolling-update.yaml"));
  const std::string csv = FormatCsv(run->report);
  EXPECT_EQ(
      csv.rfind("scenario,metric,value\nseed-rolling-update,scenario,seed-rolling-update\n", 0), 0u)
      << csv;
  EXPECT_NE(csv.find("\nseed-rolling-update,services.echo-version.downtimeSeconds,3.0\n"),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find("\nseed-rolling-update,deployments.echo-version.rollouts[0].revision,2\n"),
            std::string::npos)
      << csv;
  // A rollout that never completed: null in the JSON, an empty field here.
  metrics::Report r;
  r.scenario = "s";
  metrics::DeploymentReport d;
  d.key = "web";
  d.rollouts.push_back(metrics::RolloutReport{});
  r.deployments.push_back(d);
  EXPECT_NE(FormatCsv(r).find("\ns,deployments.web.rollouts[0].completeSeconds,\n"),
            std::string::npos)
      << FormatCsv(r);
}

TEST(Summary, ALabelLongerThanItsColumnKeepsAGap) {
  metrics::Report r;
  metrics::DeploymentReport d;
  d.key = "web";
  metrics::RolloutReport ro;
  ro.revision = 12;
  d.rollouts.push_back(ro);
  r.deployments.push_back(d);
  EXPECT_NE(FormatTable(r).find("rollout to revision 12 0s -> never completed"), std::string::npos)
      << FormatTable(r);
}

class WriteFile : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / fmt::format("kubesim-write-{}-{}", ::getpid(), counter_++);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  static std::string Read(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
  }
  size_t Entries() const {
    return static_cast<size_t>(
        std::distance(fs::directory_iterator(dir_), fs::directory_iterator()));
  }
  fs::path dir_;
  static inline int counter_ = 0;
};

TEST_F(WriteFile, ReplacesARegularFileWhole) {
  const fs::path p = dir_ / "out.csv";
  ASSERT_FALSE(WriteFileAtomically(p.string(), "old\n"));
  ASSERT_FALSE(WriteFileAtomically(p.string(), "new\n"));
  EXPECT_EQ(Read(p), "new\n");
  EXPECT_EQ(Entries(), 1u);  // no temporary file left
}

TEST_F(WriteFile, AMissingDirectoryIsAnErrorAndLeavesNothing) {
  const auto err = WriteFileAtomically((dir_ / "no" / "out.csv").string(), "x");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("cannot write"), std::string::npos) << *err;
  EXPECT_EQ(Entries(), 0u);
}

TEST_F(WriteFile, ADirectoryIsAnError) {
  const auto err = WriteFileAtomically(dir_.string(), "x");
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->find("is a directory"), std::string::npos) << *err;
}

TEST_F(WriteFile, FollowsASymlinkAndKeepsIt) {
  const fs::path target = dir_ / "target.log", link = dir_ / "link.log";
  ASSERT_FALSE(WriteFileAtomically(target.string(), "a"));
  fs::create_symlink(target, link);
  ASSERT_FALSE(WriteFileAtomically(link.string(), "b"));
  EXPECT_TRUE(fs::is_symlink(link));
  EXPECT_EQ(Read(target), "b");
}

TEST_F(WriteFile, WritesADeviceInPlaceInsteadOfReplacingIt) {
  // `--events /dev/stdout` once replaced the /dev/stdout symlink with a
  // regular file (rename over it); a device or FIFO is written in place.
  ASSERT_FALSE(WriteFileAtomically("/dev/null", "x"));
  struct stat st {};
  ASSERT_EQ(::stat("/dev/null", &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  const fs::path fifo = dir_ / "fifo";
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  std::string got;
  std::thread reader([&] { got = Read(fifo); });
  EXPECT_FALSE(WriteFileAtomically(fifo.string(), "through the fifo"));
  reader.join();
  EXPECT_EQ(got, "through the fifo");
  EXPECT_TRUE(fs::is_fifo(fifo));
}

}  // namespace
}  // namespace kubesim::output
