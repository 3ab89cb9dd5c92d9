// The load model end to end (docs/load-model.md): rejections by a full
// queue, client timeouts, requests a process held when it ended, a draining
// process finishing what it holds, latency percentiles and peak utilization —
// each with its numbers derived by hand in the test — and reports without
// the load model left as they were.
#include <gtest/gtest.h>

#include <string>

#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

// One pod `web` of image web:1 (its profile `profile`) behind Service web,
// clients `traffic`, the run `until`. The pod serves at 0 s (start 0s); its
// endpoint is visible 1 s later (endpointDelay), when the clients start.
std::string OnePod(const std::string& profile, const std::string& traffic, const std::string& until,
                   const std::string& timeline = "") {
  return Scenario("  until: " + until + R"(
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "8", memory: 16Gi, pods: 110}}]
  images:
    web:1: )" + profile +
                      R"(
  traffic: )" + traffic +
                      "\n" + timeline,
                  WebApp(1, "", false));
}

// One server, no waiting room, 1 s per request; a request every 0.5 s from
// 1 s. Those sent at whole seconds find the server free (the one before
// frees exactly then); those at the half seconds find it busy and the room
// full: 503. Sent by 60.7 s: 60 at 1 .. 60 s, 60 at 1.5 .. 60.5 s. Answered:
// those sent by 59.7 s, 59 of them; the one sent at 60 s is still in
// service at the end and not counted. So 119 requests end: 59 answered in
// exactly 1 s, 60 rejected. The server is busy from 1 s on: peak 100 %.
TEST(LoadModel, AFullQueueRejectsEveryOtherRequest) {
  const Outcome r = Simulate(OnePod("{latency: 1s, concurrency: 1, queue: 0}",
                                    "[{name: c, service: web, every: 500ms}]", "60700ms"));
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 119);
  EXPECT_EQ(s.requests.failed, 60);
  EXPECT_EQ(s.requests.rejected, 60);
  EXPECT_EQ(s.requests.timed_out, 0);
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_EQ(s.latency->samples, 59);
  EXPECT_EQ(s.latency->p50, Sec(1));
  EXPECT_EQ(s.latency->max, Sec(1));
  ASSERT_TRUE(Dep(r, "web").peak_utilization.has_value());
  EXPECT_DOUBLE_EQ(*Dep(r, "web").peak_utilization, 1.0);
  EXPECT_NE(r.json.find("\"rejected\": 60"), std::string::npos) << r.json;
}

// A room of one place: the request sent at 1.5 s waits for the server (free
// at 2 s), so the one at 2 s waits too (until 3 s), and the room stays
// full: from then on every request at a whole second waits 1 s and is
// answered in 2 s, every one at a half second finds the room full. Compare
// the test above: the same arrivals, one place more, and the answered ones
// take twice as long.
TEST(LoadModel, AWaitingRoomTradesRejectionsForLatency) {
  const Outcome r = Simulate(OnePod("{latency: 1s, concurrency: 1, queue: 1}",
                                    "[{name: c, service: web, every: 500ms}]", "20700ms"));
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  // Sent at 1, 1.5, 2, ...: 1 s starts at once (answered 2 s, latency 1 s);
  // 1.5 s waits until 2 s (answered 3 s, 1.5 s); 2 s: the room holds 1.5 s
  // until 2 s exactly, so 2 s waits for 3 s (answered 4 s, 2 s); 2.5 s finds
  // 2 s waiting: rejected; 3 s waits for 4 s; ... each whole second k >= 2
  // is answered at k + 2 s, each half second from 2.5 s rejected.
  // Answered by 20.7 s: 1 s, 1.5 s, and k = 2 .. 18: 19 requests.
  // Rejected: 2.5 .. 20.5 s: 19. Still held at the end: 19 s and 20 s.
  EXPECT_EQ(s.requests.rejected, 19);
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_EQ(s.latency->samples, 19);
  EXPECT_EQ(s.latency->p50, Sec(2));
  EXPECT_EQ(s.latency->max, Sec(2));
  EXPECT_EQ(s.requests.total, 38);
}

// Service time 3 s, no limit on servers; the client waits 2 s. Every request
// times out 2 s after it was sent: sent at 1 .. 30 s, ended by 30.5 s those
// sent by 28.5 s: 28, all timed out, none answered (no latency).
TEST(LoadModel, AClientTimeoutFailsSlowRequests) {
  const Outcome r = Simulate(
      OnePod("{latency: 3s}", "[{name: c, service: web, every: 1s, timeout: 2s}]", "30500ms"));
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 28);
  EXPECT_EQ(s.requests.timed_out, 28);
  EXPECT_EQ(s.requests.failed, 28);
  EXPECT_EQ(s.requests.rejected, 0);
  EXPECT_FALSE(s.latency.has_value());
  EXPECT_NE(r.json.find("\"p99\": null"), std::string::npos) << r.json;
  // A Deployment whose pods do not limit concurrency has no utilization.
  EXPECT_FALSE(Dep(r, "web").peak_utilization.has_value());
}

// An answer that comes exactly at the timeout is in time.
TEST(LoadModel, AnAnswerAtTheTimeoutIsInTime) {
  const Outcome r = Simulate(
      OnePod("{latency: 2s}", "[{name: c, service: web, every: 1s, timeout: 2s}]", "30500ms"));
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.timed_out, 0);
  EXPECT_EQ(s.requests.failed, 0);
  EXPECT_EQ(s.requests.total, 28);  // sent 1 .. 28 s, answered 3 .. 30 s
  EXPECT_EQ(s.latency->p99, Sec(2));
}

// A bare pod serving 10 s requests, deleted at 20.5 s; its process exits
// at SIGTERM (shutdown 0s). Sent at 1 .. 20 s: those sent by 10 s are
// answered (at 11 .. 20 s); the 10 sent at 11 .. 20 s are held and fail
// when the process exits at 20.5 s. Every request from 21 s fails (no pod
// serves). By 25.5 s: 10 answered, 10 + 5 failed.
const char* kBarePod = R"(apiVersion: v1
kind: Pod
metadata: {name: web, labels: {app: web}}
spec:
  containers: [{name: web, image: "web:1"}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
)";

Outcome BarePod(const std::string& profile, const std::string& until) {
  return Simulate(Scenario("  until: " + until + R"(
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "8", memory: 16Gi, pods: 110}}]
  images:
    web:1: )" + profile + R"(
  traffic: [{name: c, service: web, every: 1s}]
  timeline:
  - at: 20500ms
    kubectl: delete pod web
)",
                           kBarePod));
}

TEST(LoadModel, RequestsAProcessHoldsFailWhenItExits) {
  const Outcome r = BarePod("{latency: 10s}", "25500ms");
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 25);
  EXPECT_EQ(s.requests.failed, 15);
  EXPECT_EQ(s.latency->samples, 10);
  EXPECT_EQ(s.latency->max, Sec(10));
}

// The same pod, but its process drains: it stops serving at SIGTERM and
// exits 30 s later (within the default 30 s grace period). The 10 requests
// it holds are answered (at 21 .. 30 s); new ones fail. By 35.5 s: 20
// answered, 15 failed (sent at 21 .. 35 s).
TEST(LoadModel, ADrainingProcessFinishesTheRequestsItHolds) {
  const Outcome r = BarePod("{latency: 10s, shutdown: 30s, drain: 0s}", "35500ms");
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 35);
  EXPECT_EQ(s.requests.failed, 15);
  EXPECT_EQ(s.latency->samples, 20);
}

// Two clients send at the same instants to one server of 400 ms: the first
// request of each instant is answered in 0.4 s, the second waits for it and
// takes 0.8 s. Nearest rank over 2n samples (n of each): p50 is the n-th
// smallest, 0.4 s; p95, p99 and max are 0.8 s. By 10.5 s: sent at 1 .. 10 s
// by each client, all answered (the last at 10.8 s is not: 19 samples, 10
// of 0.4 s): p50 is the 10th smallest, 0.4 s.
TEST(LoadModel, LatencyPercentilesAreNearestRankOverEverySample) {
  const Outcome r = Simulate(OnePod("{latency: 400ms, concurrency: 1}",
                                    "[{name: a, service: web, every: 1s}, "
                                    "{name: b, service: web, every: 1s}]",
                                    "10500ms"));
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  ASSERT_TRUE(s.latency.has_value());
  EXPECT_EQ(s.latency->samples, 19);
  EXPECT_EQ(s.latency->p50, Sec(0.4));
  EXPECT_EQ(s.latency->p95, Sec(0.8));
  EXPECT_EQ(s.latency->p99, Sec(0.8));
  EXPECT_EQ(s.latency->max, Sec(0.8));
  ASSERT_EQ(s.latency_by_version.count("1"), 1u);
  EXPECT_EQ(s.latency_by_version.at("1").p99, Sec(0.8));
  EXPECT_NE(r.json.find("\"byVersion\": {\n          \"1\": {"), std::string::npos) << r.json;
}

// Two servers, 500 ms per request, one request a second from 1 s: every
// whole second from 1 s on is busy 0.5 s of 2 server-seconds: 25 %.
TEST(LoadModel, PeakUtilizationIsTheBusiestWholeSecondsShare) {
  const Outcome r = Simulate(
      OnePod("{latency: 500ms, concurrency: 2}", "[{name: c, service: web, every: 1s}]", "30s"));
  ASSERT_EQ(r.error, "");
  ASSERT_TRUE(Dep(r, "web").peak_utilization.has_value());
  EXPECT_DOUBLE_EQ(*Dep(r, "web").peak_utilization, 0.25);
}

// Keep-alive through a rolling update (docs/load-model.md): 2 pods of
// web:1 with a 5 s preStop; SIGTERM stops serving (drain 0s) and the process
// exits 10 s later. set image at 30 s: both old pods Terminating at 30 s,
// unseen from 31 s, SIGTERM at 35 s, exit at 45 s; the new pods serve at
// 30 s and are seen from 31 s. One request a second from 1 s to 60 s.
Outcome KeepAlive(const std::string& traffic, const std::string& close_on_drain) {
  return Simulate(Scenario(R"(  until: 60500ms
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "8", memory: 16Gi, pods: 110}}]
  images:
    web:1: {shutdown: 10s, drain: 0s)" +
                               close_on_drain + R"(}
    web:2: {shutdown: 10s, drain: 0s}
  traffic: )" + traffic + R"(
  timeline:
  - at: 30s
    kubectl: set image deployment/web web=web:2
)",
                           WebApp(2, "", false, 5)));
}

// Each request picking an endpoint: the old pods serve until 35 s, and from
// 31 s clients see only the new ones. Nothing fails; version 1 answers the
// 30 requests of 1 .. 30 s.
TEST(LoadModel, WithoutKeepAliveRequestsFollowTheEndpoints) {
  const Outcome r = KeepAlive("[{name: c, service: web, every: 1s, timeout: 30s}]", "");
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.failed, 0);
  EXPECT_EQ(s.requests.by_version.at("1"), 30);
  EXPECT_EQ(s.requests.by_version.at("2"), 30);
}

// One keep-alive connection: it stays on its old pod after clients stop
// seeing it (31 .. 34 s answered by version 1); from SIGTERM at 35 s the pod
// no longer serves but keeps the connection open: 35 .. 44 s fail (10); at
// 45 s the process exits, the connection closes and reopens to a new pod.
TEST(LoadModel, AKeepAliveConnectionStaysOnAnOldPodUntilItsProcessExits) {
  const Outcome r = KeepAlive("[{name: c, service: web, every: 1s, connections: 1}]", "");
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 60);
  EXPECT_EQ(s.requests.failed, 10);
  EXPECT_EQ(s.requests.by_version.at("1"), 44);  // 1 .. 44 s: 34 answered, 10 failed
  EXPECT_EQ(s.requests.by_version.at("2"), 16);  // 45 .. 60 s
}

// closeOnDrain: the old process closes its connections when it stops
// serving (35 s); the request then reopens to a new pod: nothing fails,
// version 1 answers 1 .. 34 s.
TEST(LoadModel, CloseOnDrainMovesAKeepAliveConnectionAtSigterm) {
  const Outcome r =
      KeepAlive("[{name: c, service: web, every: 1s, connections: 1}]", ", closeOnDrain: true");
  ASSERT_EQ(r.error, "");
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.failed, 0);
  EXPECT_EQ(s.requests.by_version.at("1"), 34);
  EXPECT_EQ(s.requests.by_version.at("2"), 26);
}

// An objective on the full-queue run above (docs/load-model.md, SLO): 60 of
// 119 requests failed over the 59.7 s the client sent for (1 s .. 60.7 s).
// With 99.9 % over 30 days the budget allows (1 - 0.999) x 119 x 2,592,000
// / 59.7 failures = 5,166.6; 60 burn 1.16 % of it: kept. Over 1 h it allows
// 7.18: burned 8.36 times over. A p99 target of 500 ms fails (p99 1 s).
TEST(LoadModel, AnObjectiveIsJudgedOnTheErrorBudgetOfItsWindow) {
  const auto run = [](const std::string& slo) {
    std::string yaml = OnePod("{latency: 1s, concurrency: 1, queue: 0}",
                              "[{name: c, service: web, every: 500ms}]", "60700ms");
    const std::string at = "  traffic:";
    yaml.insert(yaml.find(at), "  slo: " + slo + "\n");
    return Simulate(yaml);
  };
  const Outcome month = run("{service: web, availability: 99.9%}");
  ASSERT_EQ(month.error, "");
  const auto& m = Svc(month, "web");
  ASSERT_TRUE(m.slo.has_value());
  EXPECT_NEAR(*m.slo->availability, 1.0 - 60.0 / 119.0, 1e-12);
  EXPECT_NEAR(*m.slo->error_budget_burned, 60.0 / (0.001 * 119 * 2'592'000.0 / 59.7), 1e-9);
  EXPECT_TRUE(m.slo->kept);
  EXPECT_NE(month.json.find("\"kept\": true"), std::string::npos) << month.json;
  const Outcome hour = run("[{service: web, availability: 99.9%, window: 1h}]");
  ASSERT_EQ(hour.error, "");
  EXPECT_NEAR(*Svc(hour, "web").slo->error_budget_burned, 60.0 / (0.001 * 119 * 3600 / 59.7), 1e-9);
  EXPECT_FALSE(Svc(hour, "web").slo->kept);
  const Outcome slow = run("{service: web, availability: 50%, latencyP99: 500ms}");
  ASSERT_EQ(slow.error, "");
  EXPECT_FALSE(Svc(slow, "web").slo->kept);
  EXPECT_TRUE(*Svc(slow, "web").slo->error_budget_burned < 1);  // the latency decides
  // A report without an objective has no slo key.
  EXPECT_EQ(Simulate(OnePod("{latency: 1s}", "[{name: c, service: web, every: 1s}]", "10s"))
                .json.find("\"slo\""),
            std::string::npos);
}

// Without any load-model field the report has none of its keys.
TEST(LoadModel, AReportWithoutTheLoadModelHasNoneOfItsKeys) {
  const Outcome r = Simulate(OnePod("{start: 1s}", "[{name: c, service: web, every: 1s}]", "30s"));
  ASSERT_EQ(r.error, "");
  EXPECT_FALSE(r.report.load_model);
  for (const char* key : {"latencySeconds", "rejected", "timedOut", "peakUtilization"}) {
    EXPECT_EQ(r.json.find(key), std::string::npos) << key << " in\n" << r.json;
  }
}

}  // namespace
}  // namespace kubesim::model_test
