// The kubesim command's contract (README.md): help, version, exit codes and
// one-line usage errors. Runs the real binary.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "run_binary.h"

namespace kubesim {
namespace {

using testing::RunKubesim;

int CountLines(const std::string& s) {
  int n = 0;
  for (char c : s) n += c == '\n';
  return n;
}

TEST(Cli, HelpListsEverySubcommandAndExitsZero) {
  const auto r = RunKubesim("--help");
  EXPECT_EQ(r.exit_code, 0);
  for (const char* cmd : {"run", "compare", "sweep", "merge", "validate"}) {
    EXPECT_NE(r.out.find(std::string("  ") + cmd + " "), std::string::npos) << cmd;
  }
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST(Cli, ShortHelpIsHelp) { EXPECT_EQ(RunKubesim("-h").out, RunKubesim("--help").out); }

TEST(Cli, VersionPrintsTheProjectVersion) {
  const auto r = RunKubesim("--version");
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, std::string("kubesim ") + KUBESIM_VERSION_FOR_TEST + "\n");
}

TEST(Cli, NoCommandIsAUsageError) {
  const auto r = RunKubesim("");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, UnknownOptionIsAOneLineErrorWithExitTwo) {
  const auto r = RunKubesim("--frobnicate");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("kubesim: error:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("frobnicate"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(Cli, UnknownSubcommandIsAOneLineErrorWithExitTwo) {
  const auto r = RunKubesim("deploy x.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(CountLines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("unknown command 'deploy'"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace kubesim

namespace kubesim {
namespace {

using testing::RunKubesim;

std::string Seed(const std::string& name) {
  return std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/seed/" + name;
}

TEST(CliRun, SameSeedGivesByteIdenticalJsonAcrossProcesses) {
  const auto a = RunKubesim("run --format json '" + Seed("rolling-update.yaml") + "'");
  const auto b = RunKubesim("run --format json '" + Seed("rolling-update.yaml") + "'");
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.out, b.out);
  EXPECT_NE(a.out.find("\"downtimeSeconds\""), std::string::npos) << a.out;
}

// docs/real-workloads.md: the ingress-nginx manifest as published schedules
// (kubernetes.io/os: linux), its digest-pinned versions are told apart, and
// the upgrade's expectations (no downtime, 35 s) hold.
TEST(CliRun, TheIngressNginxUpgradeReplaysAsDerivedInRealWorkloads) {
  const std::string file = std::string(std::getenv("KUBESIM_SOURCE_DIR")) +
                           "/scenarios/real/ingress-nginx/upgrade.yaml";
  const auto r = RunKubesim("run --format json '" + file + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"v1.7.0\": 600"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"v1.8.0\": 691"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"failed\": 0"), std::string::npos) << r.out;
  // The one field it sets that the model does not honour, named.
  EXPECT_NE(r.err.find("spec.externalTrafficPolicy: not honoured by kubesim"), std::string::npos)
      << r.err;
}

// docs/real-workloads.md: kube-prometheus' prometheus-adapter drained during
// its rollout replays as derived there (its expect: lines: 21 s, 1 s down).
TEST(CliRun, ThePrometheusAdapterDrainReplaysAsDerivedInRealWorkloads) {
  const std::string file = std::string(std::getenv("KUBESIM_SOURCE_DIR")) +
                           "/scenarios/real/prometheus-adapter/drain-during-rollout.yaml";
  const auto r = RunKubesim("run --format json '" + file + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"failed\": 16"), std::string::npos) << r.out;
}

// docs/real-workloads.md, Atlas: three new pods one after the other, each
// pulling (10 s) and migrating (20 s) in its init container and pulling
// nginx (5 s): 3 x 35 + 1 = 106 s.
TEST(CliRun, TheAtlasInitContainerMigrationReplaysAsDerivedInRealWorkloads) {
  const std::string file = std::string(std::getenv("KUBESIM_SOURCE_DIR")) +
                           "/scenarios/real/atlas-migration/rollout.yaml";
  const auto r = RunKubesim("run --format json '" + file + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"durationSeconds\": 106"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"minServingEndpoints\": 3"), std::string::npos) << r.out;
}

// docs/real-workloads.md, Bookinfo with Istio's native sidecars: the
// restarted productpage pod is Ready 3 s before productpage answers (no
// readiness probe; the sidecar's probes are Envoy's), so 30 requests fail;
// the old pod's sidecar stops last, 5 s after productpage: 8 s.
TEST(CliRun, TheBookinfoIstioRestartReplaysAsDerivedInRealWorkloads) {
  const std::string file = std::string(std::getenv("KUBESIM_SOURCE_DIR")) +
                           "/scenarios/real/bookinfo-istio/restart.yaml";
  const auto r = RunKubesim("run --format json '" + file + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.err, "");  // every field of the injected manifests is simulated or ignorable
  EXPECT_NE(r.out.find("\"failed\": 30"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"durationSeconds\": 8"), std::string::npos) << r.out;
}

std::string Ci(const std::string& name) {
  return std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/ci/" + name;
}

// docs/ci-scripts.md: green pulls 5 s and starts 3 s, so `rollout status`
// returns at 68 s and the chained patch switches then: no failed request.
// The same patch at a guessed 63 s leaves the Service without a serving
// endpoint until 68 s: 5 s down, 5 of the 1/s requests failed.
TEST(CliRun, TheScriptedBlueGreenSwitchesWhenGreenIsReadyTheFixedTimeOneTooEarly) {
  const auto r = RunKubesim("run --format json '" + Ci("blue-green.yaml") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_EQ(r.err, "");
  EXPECT_NE(r.out.find("\"failed\": 0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"startedSeconds\": 68.0"), std::string::npos) << r.out;  // the patch
  const auto fixed = RunKubesim("run --format json '" + Ci("blue-green-fixed-time.yaml") + "'");
  ASSERT_EQ(fixed.exit_code, 0) << fixed.err << fixed.out;
  EXPECT_NE(fixed.out.find("\"downtimeSeconds\": 5.0"), std::string::npos) << fixed.out;
  EXPECT_NE(fixed.out.find("\"failed\": 5"), std::string::npos) << fixed.out;
}

// docs/ci-scripts.md: the canary's weight steps each wait for the pods they
// added (68 s, 196 s, 324 s), so no request fails (its expect: line).
TEST(CliRun, TheScriptedCanaryStepsItsWeightsAfterEachWait) {
  const auto r = RunKubesim("run --format json '" + Ci("canary.yaml") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  for (const char* t : {"\"finishedSeconds\": 68.0", "\"finishedSeconds\": 196.0",
                        "\"finishedSeconds\": 324.0"}) {
    EXPECT_NE(r.out.find(t), std::string::npos) << t << "\n" << r.out;
  }
}

// docs/ci-scripts.md: the GitOps re-apply keeps the 6 replicas a scale set
// (three-way apply), so its rollout replaces 6 pods: rollout status at
// 131 s, complete in 13 s with at most 8 pods (6 + maxSurge 2).
TEST(CliRun, TheGitOpsReapplyAfterAScaleRollsSixPods) {
  const auto r = RunKubesim("run --format json '" + Ci("gitops-reapply.yaml") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
  EXPECT_NE(r.out.find("\"peakActivePods\": 8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"durationSeconds\": 13.0"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"rolloutStatusSeconds\": 131.0"), std::string::npos) << r.out;
}

// docs/load-model.md, section 6: with maxUnavailable 50 % three pods carry
// 40 req/s for 20 s at 133 % of their capacity, so about 140 requests (the
// fluid estimate) find a full queue, and the longest answer waits behind 10
// others: 1.1 s; every server is busy (peakUtilization 1). With maxSurge
// 100 % capacity never drops: nothing rejected, nothing failed.
TEST(CliRun, ARollingUpdateUnderLoadRejectsOnlyWithMaxUnavailable) {
  const std::string dir = std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/load/";
  const auto u = RunKubesim("run --format json '" + dir + "rolling-max-unavailable.yaml'");
  ASSERT_EQ(u.exit_code, 0) << u.err << u.out;  // its expect: lines hold
  EXPECT_EQ(u.err, "");
  const auto ju = nlohmann::json::parse(u.out);
  const auto& su = ju["services"]["api"];
  EXPECT_EQ(su["requests"]["failed"], su["requests"]["rejected"]);  // nothing else fails
  EXPECT_GE(su["requests"]["rejected"].get<int>(), 120);
  EXPECT_EQ(su["requests"]["rejected"], 161);  // this seed's split (the docs quote it)
  EXPECT_LE(su["requests"]["rejected"].get<int>(), 200);
  EXPECT_EQ(su["latencySeconds"]["max"], 1.1);
  EXPECT_EQ(ju["deployments"]["api"]["peakUtilization"], 1.0);
  EXPECT_EQ(ju["deployments"]["api"]["rollouts"][0]["durationSeconds"], 20.0);
  const auto s = RunKubesim("run --format json '" + dir + "rolling-max-surge.yaml'");
  ASSERT_EQ(s.exit_code, 0) << s.err << s.out;
  const auto js = nlohmann::json::parse(s.out);
  EXPECT_EQ(js["services"]["api"]["requests"]["failed"], 0);
  EXPECT_EQ(js["services"]["api"]["requests"]["rejected"], 0);
  EXPECT_LT(js["deployments"]["api"]["peakUtilization"].get<double>(), 0.8);
  EXPECT_EQ(js["resources"]["peakPods"], 12);
  EXPECT_EQ(js["deployments"]["api"]["rollouts"][0]["durationSeconds"], 12.0);
  // The table shows the load model's lines.
  const auto t = RunKubesim("run --format table '" + dir + "rolling-max-unavailable.yaml'");
  EXPECT_NE(t.out.find("rejected, timed out   161, 0"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("latency               p50 150 ms, p95 1 s, p99 1.1 s, max 1.1 s"),
            std::string::npos)
      << t.out;
  EXPECT_NE(t.out.find("peak utilization      100 %"), std::string::npos) << t.out;
  EXPECT_NE(t.out.find("SLO                   not kept: 0.16 % of the 30d error budget burned "
                       "(availability 97.6 % of 99.9 %), p99 1.1 s of at most 600 ms"),
            std::string::npos)
      << t.out;
  // compare puts the two side by side with the load model's rows.
  const auto c = RunKubesim("compare --format csv '" + dir + "rolling-max-unavailable.yaml' '" +
                            dir + "rolling-max-surge.yaml'");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("services.api.latencySeconds.p99,1.1,0.5"), std::string::npos) << c.out;
  EXPECT_NE(c.out.find("deployments.api.peakUtilization,1,0.741"), std::string::npos) << c.out;
  // The objective (99.9 % over 30 days, p99 <= 600 ms): kept by the surge
  // only, whose p99 is 500 ms; the other's 161 failures burn 0.16 % of the
  // budget, but its p99 is 1.1 s.
  EXPECT_NE(c.out.find("services.api.slo.kept,0,1"), std::string::npos) << c.out;
  EXPECT_EQ(su["slo"]["kept"], false);
  EXPECT_LT(su["slo"]["errorBudgetBurned"].get<double>(), 0.002);
  EXPECT_EQ(js["services"]["api"]["slo"]["kept"], true);
}

// docs/load-model.md, section 6: a pinned gRPC connection fails for the 10 s
// between its pod's SIGTERM and its exit (100 requests at 10/s), unless the
// server closes it at SIGTERM (closeOnDrain).
TEST(CliRun, AKeepAliveConnectionFailsBetweenSigtermAndExitUnlessClosedOnDrain) {
  const std::string dir = std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/load/";
  const auto open = RunKubesim("run --format json '" + dir + "keep-alive.yaml'");
  ASSERT_EQ(open.exit_code, 0) << open.err << open.out;
  EXPECT_EQ(open.err, "");
  EXPECT_EQ(nlohmann::json::parse(open.out)["services"]["grpc"]["requests"]["failed"], 100);
  const auto closed = RunKubesim("run --format json '" + dir + "keep-alive-close-on-drain.yaml'");
  ASSERT_EQ(closed.exit_code, 0) << closed.err << closed.out;
  EXPECT_EQ(nlohmann::json::parse(closed.out)["services"]["grpc"]["requests"]["failed"], 0);
}

// docs/load-model.md, section 8: an ALB in front of a one-pod rollout.
// Without the controller's readiness gate the target group holds only an
// initial and a draining target for 10 s (10 requests answered 503); with
// it nothing fails and the rollout waits for the balancer (48 s, not 32 s);
// with a preStop shorter than the requests and the deregistration delay the
// old pod exits holding 13 requests. compare puts the three side by side.
TEST(CliRun, AnAlbRolloutFailsWithoutTheGateOrWithAShortPreStop) {
  const std::string dir = std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/load/";
  const auto run = [&](const std::string& name) {
    const auto r = RunKubesim("run --format json '" + dir + name + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;  // its expect: lines hold
    EXPECT_EQ(r.err, "");
    return nlohmann::json::parse(r.out);
  };
  const auto plain = run("alb-no-gate.yaml");
  EXPECT_EQ(plain["services"]["reports"]["requests"]["failed"], 10);
  EXPECT_EQ(plain["services"]["reports"]["downtimeSeconds"], 10.0);
  EXPECT_EQ(plain["deployments"]["reports"]["rollouts"][0]["durationSeconds"], 32.0);
  const auto gated = run("alb-readiness-gate.yaml");
  EXPECT_EQ(gated["services"]["reports"]["requests"]["failed"], 0);
  EXPECT_EQ(gated["services"]["reports"]["downtimeSeconds"], 0.0);
  EXPECT_EQ(gated["deployments"]["reports"]["rollouts"][0]["durationSeconds"], 48.0);
  const auto short_pre_stop = run("alb-short-prestop.yaml");
  EXPECT_EQ(short_pre_stop["services"]["reports"]["requests"]["failed"], 13);
  const auto c = RunKubesim("compare --format csv '" + dir + "alb-no-gate.yaml' '" + dir +
                            "alb-readiness-gate.yaml' '" + dir + "alb-short-prestop.yaml'");
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("services.reports.requests.failed,10,0,13"), std::string::npos) << c.out;
}

// docs/progressive-delivery.md: the seed's echo-version as an Argo
// Rollouts blue-green Rollout (scenarios/progressive/). The switch comes at
// 68 s (pull 5 s, start 3 s) and clients see it endpointDelay later; the
// old pod goes scaleDownDelaySeconds after the switch: at 98 s with the
// default 30 s (the rollout takes 38 s, nothing fails), at 70 s with 2 s —
// before clients, 5 s late, see the switch at 73 s: the requests of 70, 71
// and 72 s fail. A manual promotion after a 20 s smoke test switches at
// 80 s: 50 s. `compare` puts them in one table with the seed's strategies.
TEST(CliRun, ArgoRolloutScenariosAndTheirComparisonWithTheSeed) {
  const std::string source = std::getenv("KUBESIM_SOURCE_DIR");
  const std::string dir = source + "/scenarios/progressive/";
  const auto run = [&](const std::string& name) {
    const auto r = RunKubesim("run --format json '" + dir + name + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;  // its expect: lines hold
    if (name.find("-routed") != std::string::npos || name.find("-dynamic") != std::string::npos) {
      // (The split's load warning, and nothing else.)
      EXPECT_NE(r.err.find("Rollout \"echo-version\"'s traffic router sends a share"),
                std::string::npos)
          << r.err;
      EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
    } else {
      EXPECT_EQ(r.err, "");
    }
    return nlohmann::json::parse(r.out);
  };
  const auto plain = run("argo-blue-green.yaml");
  EXPECT_EQ(plain["services"]["echo-version"]["requests"]["failed"], 0);
  EXPECT_EQ(plain["deployments"]["echo-version"]["rollouts"][0]["durationSeconds"], 38.0);
  EXPECT_EQ(plain["deployments"]["echo-version"]["rollouts"][0]["rolloutStatusSeconds"], 68.0);
  EXPECT_EQ(
      run("argo-blue-green-delay-short.yaml")["services"]["echo-version"]["requests"]["failed"], 3);
  EXPECT_EQ(
      run("argo-blue-green-delay-long.yaml")["services"]["echo-version"]["requests"]["failed"], 0);
  EXPECT_EQ(run("argo-blue-green-manual.yaml")["deployments"]["echo-version"]["rollouts"][0]
                                              ["durationSeconds"],
            50.0);
  // The canary of 5, 20/40/60/80 % with 10 s pauses: promoted at 130 s
  // (70 s), 58 s with both versions answering, never below 4 available.
  const auto canary = run("argo-canary.yaml");
  EXPECT_EQ(canary["deployments"]["echo-version"]["rollouts"][0]["durationSeconds"], 70.0);
  EXPECT_EQ(canary["services"]["echo-version"]["versionMixSeconds"], 58.0);
  EXPECT_EQ(canary["deployments"]["echo-version"]["rollouts"][0]["minAvailablePods"], 4);
  // With trafficRouting the stable ReplicaSet stays at 5 (10 pods) and goes
  // 30 s after promotion (100 s); with dynamicStableScale it shrinks behind
  // the weight (6 pods, 70 s), and its last pod goes while the client still
  // sends it 20 %: 1 s of downtime (argo-rollouts #4828).
  const auto routed = run("argo-canary-routed.yaml");
  EXPECT_EQ(routed["deployments"]["echo-version"]["rollouts"][0]["durationSeconds"], 100.0);
  EXPECT_EQ(routed["deployments"]["echo-version"]["rollouts"][0]["peakActivePods"], 10);
  EXPECT_EQ(routed["services"]["echo-version"]["requests"]["failed"], 0);
  const auto dynamic = run("argo-canary-dynamic.yaml");
  EXPECT_EQ(dynamic["deployments"]["echo-version"]["rollouts"][0]["durationSeconds"], 70.0);
  EXPECT_EQ(dynamic["deployments"]["echo-version"]["rollouts"][0]["peakActivePods"], 6);
  EXPECT_EQ(dynamic["services"]["echo-version"]["downtimeSeconds"], 1.0);
  // The same canary with a broken 0.2.0 and an analysis after its first
  // pause: aborted at 88 s, never completed, the stable version back.
  const auto analysis = run("argo-canary-analysis.yaml");
  EXPECT_TRUE(analysis["deployments"]["echo-version"]["rollouts"][0]["durationSeconds"].is_null());
  EXPECT_EQ(analysis["services"]["echo-version"]["versionMixSeconds"], 19.0);
  EXPECT_EQ(analysis["services"]["echo-version"]["requests"]["failed"], 30);
  const auto& steps = analysis["deployments"]["echo-version"]["rollouts"][0]["steps"];
  ASSERT_EQ(steps.size(), 3u) << steps;
  EXPECT_EQ(steps[2]["kind"], "analysis");
  EXPECT_EQ(steps[2]["startSeconds"], 78.0);
  EXPECT_EQ(steps[2]["endSeconds"], 88.0);
  EXPECT_EQ(steps[2]["result"], "aborted");
  EXPECT_EQ(steps[2]["analysis"], "Failed");
  EXPECT_EQ(analysis["deployments"]["echo-version"]["rollouts"][0]["analysisRuns"][0]["phase"],
            "Failed");
  std::string files;
  for (const char* f :
       {"seed/recreate.yaml", "seed/rolling-update.yaml", "seed/blue-green.yaml",
        "progressive/argo-blue-green.yaml", "progressive/argo-blue-green-delay-short.yaml",
        "progressive/argo-canary.yaml", "progressive/argo-canary-routed.yaml",
        "progressive/argo-canary-dynamic.yaml", "progressive/argo-canary-analysis.yaml"}) {
    files += " '" + source + "/scenarios/" + f + "'";
  }
  const auto c = RunKubesim("compare --format csv" + files);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("seed-recreate,seed-rolling-update,seed-blue-green,argo-blue-green,"
                       "argo-blue-green-delay-short,argo-canary,argo-canary-routed,"
                       "argo-canary-dynamic,argo-canary-analysis"),
            std::string::npos)
      << c.out;
  EXPECT_NE(c.out.find("services.echo-version.requests.failed,8,3,2,0,3,1,0,1,30"),
            std::string::npos)
      << c.out;
}

// docs/flagger.md: the seed's echo-version under a Flagger Canary (istio,
// 10 s interval, 10 % steps to 50 %). Promoted at 120 s (50 s after the
// first traffic at 70 s: interval x maxWeight / stepWeight), Succeeded at
// 140 s: 80 s after the change; both versions answer from 71 s (the
// split) until the primary runs 0.2.0 at 128 s. With a broken 0.2.0 the
// checks at 80 and 90 s fail and the run at 100 s rolls back (interval x
// threshold after the first failure). Each run warns that the router
// splits the Service's requests; `compare` puts both beside the seed.
TEST(CliRun, FlaggerCanaryScenariosAndTheirComparisonWithTheSeed) {
  const std::string source = std::getenv("KUBESIM_SOURCE_DIR");
  const std::string dir = source + "/scenarios/progressive/";
  const auto run = [&](const std::string& name) {
    const auto r = RunKubesim("run --format json '" + dir + name + "'");
    EXPECT_EQ(r.exit_code, 0) << r.err << r.out;  // its expect: lines hold
    EXPECT_NE(r.err.find("Canary \"echo-version\"'s router sends a share"), std::string::npos)
        << r.err;
    return nlohmann::json::parse(r.out);
  };
  const auto ok = run("flagger-canary.yaml");
  const auto& ro = ok["deployments"]["echo-version"]["rollouts"][0];
  EXPECT_EQ(ro["durationSeconds"], 80.0);
  EXPECT_EQ(ok["services"]["echo-version"]["versionMixSeconds"], 57.0);
  ASSERT_EQ(ro["steps"].size(), 6u) << ro;
  EXPECT_EQ(ro["steps"][0]["startSeconds"], 70.0);
  EXPECT_EQ(ro["steps"][4]["weight"], 50);
  EXPECT_EQ(ro["steps"][5]["kind"], "promotion");
  EXPECT_EQ(ro["steps"][5]["startSeconds"], 120.0);
  EXPECT_EQ(ok["deployments"]["echo-version-primary"]["rollouts"][0]["startSeconds"], 120.0);
  const auto failed = run("flagger-canary-rollback.yaml");
  const auto& fr = failed["deployments"]["echo-version"]["rollouts"][0];
  EXPECT_TRUE(fr["durationSeconds"].is_null());
  ASSERT_EQ(fr["steps"].size(), 1u) << fr;
  EXPECT_EQ(fr["steps"][0]["endSeconds"], 100.0);
  EXPECT_EQ(fr["steps"][0]["result"], "aborted");
  EXPECT_EQ(fr["steps"][0]["analysis"], "Failed");
  std::string files;
  for (const char* f :
       {"seed/rolling-update.yaml", "progressive/argo-canary.yaml",
        "progressive/flagger-canary.yaml", "progressive/flagger-canary-rollback.yaml"}) {
    files += " '" + source + "/scenarios/" + f + "'";
  }
  const auto c = RunKubesim("compare --format csv" + files);
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_NE(c.out.find("services.echo-version.requests.failed,3,1,32,45"), std::string::npos)
      << c.out;
  EXPECT_NE(c.out.find("services.echo-version.versionMixSeconds,0,58,57,29"), std::string::npos)
      << c.out;
}

TEST(CliRun, AnotherSeedIsAcceptedAndReported) {
  const auto r = RunKubesim("run --format json --seed 7 '" + Seed("rolling-update.yaml") + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"seed\": 7"), std::string::npos) << r.out;
}

TEST(CliRun, MissingScenarioIsExitTwoWithTheFileNamed) {
  const auto r = RunKubesim("run /nonexistent/scenario.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("/nonexistent/scenario.yaml"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty());
}

TEST(CliRun, BadOptionsAreExitTwo) {
  EXPECT_EQ(RunKubesim("run --format yaml '" + Seed("recreate.yaml") + "'").exit_code, 2);
  EXPECT_EQ(RunKubesim("run --until 5x '" + Seed("recreate.yaml") + "'").exit_code, 2);
  EXPECT_EQ(RunKubesim("run").exit_code, 2);
}

TEST(CliRun, WritesTheEventLogAndTimelineFiles) {
  const std::string dir = ::testing::TempDir();
  const std::string events = dir + "/kubesim-events.log";
  const std::string timeline = dir + "/kubesim-timeline.csv";
  const auto r = RunKubesim("run -q '" + Seed("recreate.yaml") + "' --events '" + events +
                            "' --timeline '" + timeline + "'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string log = testing::Slurp(events);
  EXPECT_NE(log.find("60.000s kubectl set image deployment/echo-version"), std::string::npos)
      << log;
  EXPECT_NE(log.find(" Ready\n"), std::string::npos) << log;
  const std::string csv = testing::Slurp(timeline);
  EXPECT_EQ(csv.rfind("time,", 0), 0u) << csv;
  EXPECT_NE(csv.find("endpoints/echo-version/0.2.0"), std::string::npos) << csv;
  std::remove(events.c_str());
  std::remove(timeline.c_str());
}

// Outputs that never hurt: an output over the scenario (or a manifest it
// applies) is refused, and so are a missing directory and two outputs to
// one file — before the run, not after it (the scenario stays intact).
TEST(CliRun, RefusesOutputsThatWouldOverwriteAnInputOrCannotBeWrittenBeforeRunning) {
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("kubesim-out-{}", ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  for (const char* f : {"rolling-update.yaml", "echo-version.yaml", "update-checker.yaml"}) {
    std::filesystem::copy_file(Seed(f), dir / f);
  }
  const std::string scenario = (dir / "rolling-update.yaml").string();
  const std::string before = testing::Slurp(scenario);
  const struct {
    std::string flags;
    std::string error;
  } cases[] = {
      {"--timeline '" + scenario + "'", "it is an input of this run"},
      {"--plot '" + (dir / "echo-version.yaml").string() + "'", "it is an input of this run"},
      {"--events '" + (dir / "nodir" / "e.log").string() + "'", "no directory"},
      {"--events '" + (dir / "x").string() + "' --trace '" + (dir / "x").string() + "'",
       "--events and --trace both write"},
  };
  for (const auto& c : cases) {
    const auto r = RunKubesim("run -q '" + scenario + "' " + c.flags);
    EXPECT_EQ(r.exit_code, 2) << c.flags;
    EXPECT_NE(r.err.find(c.error), std::string::npos) << c.flags << ": " << r.err;
    EXPECT_EQ(r.out, "") << "the run went ahead: " << c.flags;
  }
  EXPECT_EQ(testing::Slurp(scenario), before);
  std::filesystem::remove_all(dir);
}

// --until on the command line cuts the steps after it, and says so, as
// `until:` in the file does.
TEST(CliRun, UntilOnTheCommandLineWarnsOfTheStepsItCuts) {
  const auto r = RunKubesim("run --until 30s '" + Seed("rolling-update.yaml") + "'");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning: this step at 1m0s is after --until 30s; it never runs"),
            std::string::npos)
      << r.err;
}

TEST(CliRun, WritesTraceAndPlotAndPrintsMarkdown) {
  const std::string dir = ::testing::TempDir();
  const std::string trace = dir + "/kubesim-bg-trace.json";
  const std::string plot = dir + "/kubesim-bg-plot.svg";
  const auto r = RunKubesim(fmt::format("run -q '{}' --format markdown --trace '{}' --plot '{}'",
                                        Seed("blue-green-fixed-time.yaml"), trace, plot));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("**scenario seed-blue-green-fixed-time", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("| downtime | 0s |"), std::string::npos) << r.out;
  const std::string t = testing::Slurp(trace);
  EXPECT_EQ(t.rfind("{\"displayTimeUnit\":\"ms\",\"traceEvents\":[", 0), 0u) << t;
  EXPECT_NE(t.find("\"name\":\"pod/echo-version-green-"), std::string::npos) << t;
  const std::string svg = testing::Slurp(plot);
  EXPECT_TRUE(svg.ends_with("</svg>\n")) << svg;
  std::remove(trace.c_str());
  std::remove(plot.c_str());
}

TEST(CliRun, AnUnwritableOutputIsExitTwoWithNoReport) {
  const auto r = RunKubesim(
      fmt::format("run -q '{}' --trace /nonexistent-dir/t.json", Seed("blue-green.yaml")));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--trace: cannot write /nonexistent-dir/t.json"), std::string::npos) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

TEST(CliRun, AnInterruptedRunLeavesNoOutputFile) {
  // Issue 6: on a signal no partial file is left. 5,000 requests a second
  // for 1000 hours of simulated time runs far longer than the 0.5 s after
  // which `timeout` sends SIGINT; nothing may be left in the directory.
  const std::filesystem::path dir =
      std::filesystem::path(::testing::TempDir()) / fmt::format("kubesim-int-{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "long.yaml").string();
  std::ofstream(file) << R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: long}
spec:
  until: 1000h
  cluster:
    nodes: [{name: worker, count: 1, capacity: {cpu: "1", memory: 1Gi, pods: 10}}]
  images:
    web:1: {start: 1s}
  traffic: [{name: c, service: web, rate: 5000/s}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
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
  const std::string out = (dir / "out").string();
  const int status = std::system(
      fmt::format("timeout -s INT 0.5 '{}' run -q '{}' --format json --trace '{}.json' --plot "
                  "'{}.svg' --timeline '{}.csv' --events '{}.log' >'{}.report' 2>/dev/null",
                  KUBESIM_BINARY, file, out, out, out, out, out)
          .c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 124) << "the run ended before the signal; make it longer";
  std::vector<std::string> left;
  for (const auto& e : std::filesystem::directory_iterator(dir)) left.push_back(e.path().filename());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"long.yaml", "out.report"}));
  EXPECT_EQ(testing::Slurp(out + ".report"), "");  // stdout: complete or absent
  std::filesystem::remove_all(dir);
}

TEST(CliRun, EveryScenarioInTheRepositoryRunsAndMeetsItsExpectations) {
  // Every file under scenarios/ with a Scenario document runs to exit 0 (its
  // expect: assertions hold). scenarios/bench/ and scenarios/scale/ hold
  // large runs: in debug and sanitizer builds, which check invariants after
  // every instant, they take minutes, so only optimised builds run them.
  const std::filesystem::path root = std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios";
  int ran = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".yaml") continue;
    if (testing::Slurp(e.path()).find("\nkind: Scenario") == std::string::npos) continue;
#ifndef NDEBUG
    const auto folder = e.path().parent_path().filename();
    if (folder == "bench" || folder == "scale") continue;
#endif
    const auto r = RunKubesim(fmt::format("run -q --format json '{}'", e.path().string()));
    EXPECT_EQ(r.exit_code, 0) << e.path() << "\n" << r.err;
    ++ran;
  }
  EXPECT_GE(ran, 5);
}

TEST(CliRun, FailedExpectationIsExitOneAndNamed) {
  const std::string dir = ::testing::TempDir();
  const std::string file = dir + "/kubesim-expect.yaml";
  std::ofstream(file) << R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: expect}
spec:
  until: 30s
  cluster:
    nodes: [{name: worker, count: 1, capacity: {cpu: "1", memory: 1Gi, pods: 10}}]
  images:
    web:1: {start: 1s}
  traffic: [{name: c, service: web, every: 1s}]
  expect:
  - services.web.requests.total <= 3
  - services.web.downtimeSeconds <= 0
  - deployments.web.lastRollout.durationSeconds < 10
  - deployments.web.restarts == 0
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
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
  const auto r = RunKubesim("run -q '" + file + "'");
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("services.web.requests.total <= 3"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("downtimeSeconds"), std::string::npos) << r.err;  // that one holds
  EXPECT_EQ(r.err.find("restarts"), std::string::npos) << r.err;          // and that one
  // A Deployment that never rolled out has no last rollout (docs/metrics.md).
  EXPECT_NE(r.err.find("lastRollout.durationSeconds < 10: no such metric in the report"),
            std::string::npos)
      << r.err;
  EXPECT_FALSE(r.out.empty());
  std::remove(file.c_str());
}

}  // namespace
}  // namespace kubesim

namespace kubesim {
namespace {

TEST(CliCompare, OneColumnPerScenarioWithSpecRowsInEveryFormat) {
  const std::string seeds = fmt::format("'{}' '{}' '{}'", Seed("rolling-update.yaml"),
                                        Seed("recreate.yaml"), Seed("blue-green-fixed-time.yaml"));
  const auto table = testing::RunKubesim("compare -q " + seeds);
  ASSERT_EQ(table.exit_code, 0) << table.err;
  for (const char* row : {"downtime", "degraded time", "version-mix time", "failed requests",
                          "failed share", "rollout duration", "rollout status time", "restarts",
                          "min available", "peak active pods", "peak pods", "peak CPU",
                          "peak memory", "pending pod-seconds"}) {
    EXPECT_NE(table.out.find(row), std::string::npos) << row << "\n" << table.out;
  }
  EXPECT_NE(table.out.find("seed-recreate"), std::string::npos) << table.out;
  const auto md = testing::RunKubesim("compare -q --format markdown " + seeds);
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.rfind("| | seed-rolling-update | seed-recreate | seed-blue-green-fixed-time |",
                         0),
            0u)
      << md.out;
  EXPECT_NE(md.out.find("**0s**"), std::string::npos) << md.out;  // blue-green's downtime, best
  const auto csv = testing::RunKubesim("compare -q --format csv " + seeds);
  EXPECT_NE(csv.out.find("services.echo-version.downtimeSeconds,"), std::string::npos) << csv.out;
  const auto json = testing::RunKubesim("compare -q --format json " + seeds);
  EXPECT_NE(json.out.find("\"scenarios\""), std::string::npos) << json.out;
}

TEST(CliCompare, CountsAreIntegersInEveryFormat) {
  const std::string files = fmt::format("'{}' '{}'", Seed("recreate.yaml"), Seed("rolling-update.yaml"));
  const auto json = testing::RunKubesim("compare -q --format json " + files);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  for (const auto& row : j["rows"]) {
    if (row["key"] == "services.echo-version.requests.failed" || row["key"] == "resources.peakPods") {
      for (const auto& v : row["values"]) EXPECT_TRUE(v.is_number_integer()) << row.dump();
    }
  }
  const auto csv = testing::RunKubesim("compare -q --format csv " + files);
  EXPECT_NE(csv.out.find("\nservices.echo-version.requests.failed,8,3\n"), std::string::npos)
      << csv.out;
}

TEST(CliCompare, SeedsGiveTheMeanItsIntervalAndP95PerCell) {
  const std::string files = fmt::format("'{}' '{}'", Seed("recreate.yaml"), Seed("rolling-update.yaml"));
  const auto json = testing::RunKubesim("compare -q --seeds 4 --format json " + files);
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const auto j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["seeds"], 4);
  for (const auto& row : j["rows"]) {
    ASSERT_TRUE(row.contains("ci95") && row.contains("p95") && row.contains("n")) << row.dump();
    EXPECT_EQ(row["n"][0], 4) << row.dump();
  }
  const auto table = testing::RunKubesim("compare -q --seeds 4 " + files);
  EXPECT_NE(table.out.find("8s ± 0s, p95 8s"), std::string::npos) << table.out;  // recreate's downtime
  EXPECT_NE(table.out.find("over seeds 1..4"), std::string::npos) << table.out;
  const auto csv = testing::RunKubesim("compare -q --seeds 4 --format csv " + files);
  EXPECT_EQ(csv.out.substr(0, csv.out.find('\n')),
            "metric,seed-recreate,seed-recreate ci95,seed-recreate p95,seed-rolling-update,"
            "seed-rolling-update ci95,seed-rolling-update p95");
  EXPECT_EQ(testing::RunKubesim("compare -q --seed 2 --seeds 4 " + files).exit_code, 2);
  // With one seed a cell is the value itself, without statistics.
  const auto one = testing::RunKubesim("compare -q --seeds 1 --format json " + files);
  EXPECT_EQ(nlohmann::json::parse(one.out)["rows"][0].count("ci95"), 0u);
}

TEST(CliCompare, SameNamedScenariosAreToldApartByFile) {
  const auto r = testing::RunKubesim(fmt::format("compare -q --format csv '{}' '{}'",
                                                 Seed("recreate.yaml"), Seed("recreate.yaml")));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string header = r.out.substr(0, r.out.find('\n'));
  EXPECT_EQ(header, fmt::format("metric,seed-recreate ({}),seed-recreate ({})", Seed("recreate.yaml"),
                                Seed("recreate.yaml")));
}

TEST(CliCompare, PlainManifestsAmongTheFilesAreSkippedWithANote) {
  // `kubesim compare scenarios/seed/*.yaml` (the README's command) passes the
  // manifests the scenarios apply, too: they are skipped, not errors.
  const std::string files = fmt::format("'{}' '{}' '{}'", Seed("rolling-update-readiness.yaml"),
                                        Seed("echo-version.yaml"), Seed("rolling-update-prestop.yaml"));
  const auto md = testing::RunKubesim("compare --format markdown " + files);
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_EQ(md.out.rfind("| | seed-rolling-update-readiness | seed-rolling-update-prestop |", 0), 0u)
      << md.out;
  EXPECT_NE(md.err.find("skipped 1 plain manifest"), std::string::npos) << md.err;
  // downtime 1s vs 0s, failed requests 1 vs 0: the preStop column is best.
  EXPECT_NE(md.out.find("| downtime | 1s | **0s** |"), std::string::npos) << md.out;
  EXPECT_NE(md.out.find("| failed requests | 1 | **0** |"), std::string::npos) << md.out;
  const auto only = testing::RunKubesim(fmt::format("compare '{}'", Seed("echo-version.yaml")));
  EXPECT_EQ(only.exit_code, 2);
  EXPECT_NE(only.err.find("no scenario among the 1 file given"), std::string::npos) << only.err;
}

TEST(CliCompare, TiedBestValuesAreAllMarked) {
  const std::string files = fmt::format("'{}' '{}' '{}'", Seed("blue-green-fixed-time.yaml"),
                                        Seed("rolling-update.yaml"), Seed("rolling-update-prestop.yaml"));
  const auto md = testing::RunKubesim("compare -q --format markdown " + files);
  ASSERT_EQ(md.exit_code, 0) << md.err;
  EXPECT_NE(md.out.find("| downtime | **0s** | 3s | **0s** |"), std::string::npos) << md.out;
}

TEST(CliCompare, TheReadmeShowsTheSeedComparisonAsItIsNow) {
  // Issue 5: the README's Quick start shows `kubesim compare
  // scenarios/seed/*.yaml` (table and markdown); keep it in step with the code.
  const std::string dir = std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/seed";
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() == ".yaml") files.push_back(e.path().string());
  }
  std::sort(files.begin(), files.end());  // as the shell's glob orders them
  std::string args;
  for (const std::string& f : files) args += " '" + f + "'";
  const std::string readme =
      testing::Slurp(std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/README.md");
  for (const char* format : {"table", "markdown"}) {
    const auto r = RunKubesim(fmt::format("compare -q --format {}{}", format, args));
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(readme.find(r.out), std::string::npos)
        << "README.md lacks the current `kubesim compare scenarios/seed/*.yaml --format " << format
        << "` output:\n"
        << r.out;
    if (std::string(format) == "table") {
      const std::string walkthrough = testing::Slurp(
          std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/docs/seed-walkthrough.md");
      EXPECT_NE(walkthrough.find(r.out), std::string::npos)
          << "docs/seed-walkthrough.md lacks the current comparison:\n"
          << r.out;
    }
  }
}

TEST(CliRun, TheSeedWalkthroughShowsEachSeedReportAsItIsNow) {
  // docs/seed-walkthrough.md explains each seed scenario's report number by
  // number: every "`kubesim run scenarios/seed/X.yaml`:" there is followed by
  // that command's output as it is now.
  const std::string source = std::getenv("KUBESIM_SOURCE_DIR");
  const std::string doc = testing::Slurp(source + "/docs/seed-walkthrough.md");
  const std::string marker = "`kubesim run scenarios/seed/";
  int shown = 0;
  for (size_t at = doc.find(marker); at != std::string::npos; at = doc.find(marker, at + 1)) {
    const size_t name_end = doc.find('`', at + 1);
    const std::string command = doc.substr(at + 1, name_end - at - 1);
    ASSERT_EQ(doc.compare(name_end, 8, "`:\n\n```\n"), 0) << "no output block after " << command;
    const size_t block = name_end + 8;
    const std::string shown_output = doc.substr(block, doc.find("```", block) - block);
    const auto r = RunKubesim(fmt::format("run '{}/{}'", source, command.substr(12)));
    EXPECT_EQ(shown_output, r.out) << "docs/seed-walkthrough.md shows an old report of " << command;
    ++shown;
  }
  // rolling update, with readiness, with preStop; recreate; blue-green by
  // hand and scripted
  EXPECT_EQ(shown, 6);
}

TEST(CliCompare, ABadFileFailsBeforeSimulatingAnything) {
  const auto r = testing::RunKubesim("compare '" + Seed("recreate.yaml") + "' /nonexistent.yaml");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_TRUE(r.out.empty()) << r.out;
}

}  // namespace
}  // namespace kubesim

namespace kubesim {
namespace {

using testing::RunKubesim;

int64_t ReportedEvents(const std::string& json) {
  const size_t at = json.find("\"events\": ");
  return at == std::string::npos ? -1 : std::stoll(json.substr(at + 10));
}

TEST(CliRun, MaxEventsCountsSkippedProbeTicksAsExactProbesWouldFireThem) {
  // A run with readiness probes: with probe elision (the default) and with
  // --exact-probes it reports the same event count, and the budget refuses
  // (exit 2) or allows (exit 0) the run at the same count in both modes.
  const std::string scenario =
      std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/seed/rolling-update-readiness.yaml";
  const auto exact = RunKubesim("run -q --exact-probes --format json '" + scenario + "'");
  const auto elided = RunKubesim("run -q --format json '" + scenario + "'");
  ASSERT_EQ(exact.exit_code, 0) << exact.err;
  ASSERT_EQ(elided.out, exact.out);
  const int64_t events = ReportedEvents(exact.out);
  ASSERT_GT(events, 0) << exact.out;
  for (const char* mode : {"", "--exact-probes "}) {
    const auto enough = RunKubesim(fmt::format("run -q {}--max-events {} --format json '{}'", mode,
                                               events, scenario));
    EXPECT_EQ(enough.exit_code, 0) << mode << enough.err;
    const auto short_by_one = RunKubesim(fmt::format("run -q {}--max-events {} --format json '{}'",
                                                     mode, events - 1, scenario));
    EXPECT_EQ(short_by_one.exit_code, 2) << mode << short_by_one.err;
    EXPECT_NE(short_by_one.err.find("--max-events"), std::string::npos) << short_by_one.err;
  }
}

TEST(CliRun, MaxPodsStopsARunBeforeItCreatesOneTooMany) {
  // The seed rolling update creates three pods: the update-checker and the
  // first echo-version pod at 0 s (what its objects declare), the new
  // version's pod at 60 s. Three is enough; with two the run stops at 60 s,
  // with one before anything runs; each refusal is exit 2 with no report.
  const std::string scenario =
      std::string(std::getenv("KUBESIM_SOURCE_DIR")) + "/scenarios/seed/rolling-update.yaml";
  const auto enough = RunKubesim("run -q --max-pods 3 --format json '" + scenario + "'");
  EXPECT_EQ(enough.exit_code, 0) << enough.err;
  EXPECT_EQ(enough.out, RunKubesim("run -q --format json '" + scenario + "'").out);
  for (const auto& [max_pods, what] :
       {std::pair{2, "more than 2 pods by 60.000s"}, std::pair{1, "more than 1 pod by 0.000s"}}) {
    for (const char* command : {"run -q --format json", "compare -q"}) {
      const auto refused =
          RunKubesim(fmt::format("{} --max-pods {} '{}'", command, max_pods, scenario));
      EXPECT_EQ(refused.exit_code, 2) << command << ": " << refused.err;
      EXPECT_TRUE(refused.out.empty()) << command << ": " << refused.out;
      EXPECT_NE(refused.err.find(what), std::string::npos) << command << ": " << refused.err;
      EXPECT_NE(refused.err.find("--max-pods"), std::string::npos) << refused.err;
    }
  }
  EXPECT_EQ(RunKubesim("compare -q --max-pods 3 '" + scenario + "'").exit_code, 0);
}

}  // namespace
}  // namespace kubesim
