// External load balancers end to end (docs/load-model.md, 8): an AWS ALB's
// target group as the AWS Load Balancer Controller keeps it — registration
// after the endpoint delay, `initial` until the first passed check, the
// outage with only initial and draining targets, the controller's readiness
// gate, unhealthy after unhealthyThreshold failed checks, failing open, and
// the deregistration delay. Each with its numbers derived by hand.
#include <gtest/gtest.h>

#include <string>

#include "model_test_support.h"

namespace kubesim::model_test {
namespace {

constexpr const char* kGate = R"(      readinessGates:
      - conditionType: target-health.elbv2.k8s.aws/k8s-default-web-6d3a1c2b1e
)";

// 2 pods of web:1 (start 2s) behind Service web, rolled to web:2 at 60 s
// with maxSurge 1, maxUnavailable 0; a readiness probe every second;
// endpointDelay 1s. A client every 100 ms through an ALB checking every 10 s.
std::string Rolling(bool gate, int pre_stop_seconds) {
  std::string pod = std::string(gate ? kGate : "") + R"(      containers:
      - name: web
        image: web:1
        readinessProbe:
          httpGet: {path: /, port: 8080}
          periodSeconds: 1
)";
  if (pre_stop_seconds > 0) {
    pod += "        lifecycle:\n          preStop:\n            exec: {command: [sleep, \"" +
           std::to_string(pre_stop_seconds) + "\"]}\n";
  }
  return Scenario(
      R"(  until: 3m
  cluster:
    nodes: [{name: node, count: 3, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {endpointDelay: 1s}
  images:
    web:1: {start: 2s}
    web:2: {start: 2s}
  traffic:
  - name: alb
    service: web
    every: 100ms
    via:
      loadBalancer:
        healthCheck: {interval: 10s, healthyThreshold: 2, unhealthyThreshold: 2}
        deregistrationDelay: 30s
)" + std::string(kSetImage),
      WebWithSpec(2, pod, "{}",
                  "  strategy:\n    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}\n"));
}

// Without the readiness gate. The pods are Ready at 2 s and seen at 3 s,
// when the controller registers them: `initial` until the first check, at
// 13 s, passes; the client starts then (the balancer's first healthy target).
// At 60 s: new pod A Ready at 62 s, old pod X Terminating then (its process
// exits at once); the controller sees both at 63 s: X draining, A initial.
// 62..63 s: the balancer still sends every other request to X: 5 fail.
// New pod B Ready at 64 s, old pod Y Terminating then: 64..65 s every
// request goes to Y, the one healthy target: 10 fail. From 65 s only initial
// targets (A until its check at 73 s, B until 75 s): the balancer answers
// 503 until 73 s: 80 fail. 95 in all; down 64..73 s (Y stopped serving,
// then nothing to route to), degraded 62..63 s (X listed, not serving).
TEST(LoadBalancer, WithoutTheGateOnlyInitialTargetsMeanAnOutage) {
  const Outcome r = Simulate(Rolling(false, 0));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.Logged("3.000", "loadbalancer/alb", "registered: initial"));
  EXPECT_TRUE(r.LoggedEnd("13.000", "loadbalancer/alb", "healthy"));
  EXPECT_TRUE(r.Logged("65.000", "loadbalancer/alb", "draining"));
  EXPECT_TRUE(r.LoggedEnd("73.000", "loadbalancer/alb", "healthy"));
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 1671);  // 13 s .. 180 s
  EXPECT_EQ(s.requests.failed, 95);
  EXPECT_EQ(s.downtime, Sec(9));
  EXPECT_EQ(s.longest_outage, Sec(9));
  EXPECT_EQ(s.degraded, Sec(1));
}

// With the AWS Load Balancer Controller's gate (and a 5 s preStop, so a
// pod serves until its deregistration reaches the balancer). Containers
// ready at 2 s: registered at 3 s though not Ready; the reconcile finds
// them initial and requeues 15 s later. Healthy at 13 s (the client starts);
// at the requeue, 18 s, the condition turns True: Ready at 18 s.
// At 60 s: A's containers ready at 62 s, registered at 63 s, healthy at
// 73 s, Ready at the requeue at 78 s. Only then is X deleted (maxUnavailable
// 0); it is deregistered at 79 s and serves until SIGTERM at 83 s. B:
// created at 78 s, registered at 81 s, healthy at 91 s, Ready at 96 s; Y
// deleted then, deregistered at 97 s, SIGTERM at 101 s. Nothing fails; the
// rollout waits for the balancer: 41 s (to Y's exit at 101 s) where
// without the gate it took 4 s.
TEST(LoadBalancer, TheReadinessGateHoldsTheRolloutUntilTargetsAreHealthy) {
  const Outcome r = Simulate(Rolling(true, 5));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.Logged("3.000", "loadbalancer/alb", "registered: initial"));
  EXPECT_TRUE(r.LoggedEnd("18.000", "pod/web-", "Ready"));
  EXPECT_TRUE(r.Logged("78.000", "pod/web-",
                       "condition target-health.elbv2.k8s.aws/"
                       "k8s-default-web-6d3a1c2b1e: True"));
  EXPECT_TRUE(r.LoggedEnd("96.000", "pod/web-", "Ready"));
  EXPECT_TRUE(r.Logged("97.000", "loadbalancer/alb", "draining"));
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 1671);
  EXPECT_EQ(s.requests.failed, 0);
  EXPECT_EQ(s.downtime, Sec(0));
  const auto& d = Dep(r, "web");
  ASSERT_EQ(d.rollouts.size(), 1u);
  ASSERT_TRUE(d.rollouts[0].complete.has_value());
  EXPECT_EQ(*d.rollouts[0].complete - d.rollouts[0].start, Sec(41));
  // Without the gate, the same pods and preStop: the outage of only initial
  // targets is still there (65..73 s: 80 requests), but X and Y serve
  // through their preStop until they are deregistered: nothing else fails.
  const Outcome plain = Simulate(Rolling(false, 5));
  ASSERT_EQ(plain.error, "");
  EXPECT_EQ(Svc(plain, "web").requests.failed, 80);
}

// A gated pod no balancer fronts never turns Ready, and the load says so.
TEST(LoadBalancer, AGateNoBalancerSetsIsAWarning) {
  std::string yaml = Rolling(true, 0);
  const std::string via =
      yaml.substr(yaml.find("    via:"), yaml.find("  timeline:") - yaml.find("    via:"));
  yaml.erase(yaml.find(via), via.size());
  const Outcome r = Simulate(yaml);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(Svc(r, "web").requests.total, 0);  // the Service never has an endpoint
  EXPECT_NE(r.warnings.find("is set by the AWS Load Balancer Controller when the pod's target is "
                            "healthy, but no client in spec.traffic comes `via: {loadBalancer: "
                            "{targetType: ip}}` to a Service selecting these pods: they never "
                            "turn Ready"),
            std::string::npos)
      << r.warnings;
}

// Two pods, one per node, a check every 5 s. `fail: node/node-0` at 25 s:
// its pod stops serving, but Kubernetes keeps it in the endpoints until the
// node is NotReady. The balancer's checks at 26 s and 31 s fail: unhealthy
// at 31 s (unhealthyThreshold 2). Requests 25..31 s alternate between the
// two targets: 30 fail, then all go to the other pod.
std::string TwoNodes(const std::string& steps) {
  return Scenario(R"(  until: 90s
  cluster:
    nodes: [{name: node, count: 2, capacity: {cpu: "4", memory: 8Gi, pods: 1}}]
  traffic:
  - name: alb
    service: web
    every: 100ms
    via:
      loadBalancer:
        healthCheck: {interval: 5s, healthyThreshold: 3, unhealthyThreshold: 2}
  timeline:
)" + steps,
                  WebApp(2, "", false));
}

// A Service with a client through the balancer and one without: whose view
// the report takes (kube-proxy's) is a load warning, never silent.
TEST(LoadBalancer, ClientsWithAndWithoutABalancerAreAWarning) {
  const std::string alone = TwoNodes("");
  const Outcome a = Simulate(alone);
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(a.warnings.find("does not:"), std::string::npos) << a.warnings;
  std::string mixed = alone;
  mixed.insert(mixed.find("  timeline:"), "  - {name: curl, service: web, every: 1s}\n");
  const Outcome m = Simulate(mixed);
  ASSERT_EQ(m.error, "");
  EXPECT_NE(m.warnings.find("traffic \"alb\" comes through a load balancer to Service \"web\", "
                            "and traffic \"curl\" does not: the Service's downtime, version mix, "
                            "timeline and plot are what the clients without a balancer see"),
            std::string::npos)
      << m.warnings;
}

TEST(LoadBalancer, FailedChecksTakeATargetOutBeforeKubernetesDoes) {
  const Outcome r = Simulate(TwoNodes("  - {at: 25s, fail: node/node-0}\n"));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.Logged("31.000", "loadbalancer/alb", "unhealthy"));
  EXPECT_EQ(Svc(r, "web").requests.failed, 30);
  // Without the balancer the pod stays an endpoint until its node is
  // NotReady (75 s: docs/scenario-format.md, `fail:`) and clients see that
  // at 76 s: kube-proxy picks at random, so about half the 510 requests of
  // 25..76 s fail — far more than the balancer's 30.
  std::string direct = TwoNodes("  - {at: 25s, fail: node/node-0}\n");
  direct.erase(direct.find("    via:"), direct.find("  timeline:") - direct.find("    via:"));
  const Outcome d = Simulate(direct);
  ASSERT_EQ(d.error, "");
  EXPECT_TRUE(d.Logged("76.000", "service/web", "clients see 1 endpoint"));
  EXPECT_GT(Svc(d, "web").requests.failed, 200);
  EXPECT_LT(Svc(d, "web").requests.failed, 310);
}

// targetType instance: the targets are the nodes, registered at 0 s and
// healthy at the first check, 5 s (kube-proxy has a serving endpoint to send
// the check to); a request through a node goes on as kube-proxy sends it.
// node-0 fails at 25 s: its checks at 25 and 30 s fail, unhealthy at 30 s.
// Requests 25..30 s alternate between the nodes: the 25 sent to node-0 reach
// no pod at all; those through node-1 meet kube-proxy's endpoints, which
// list the dead pod until 76 s — so, unlike ip targets, the balancer's
// checks do not take the pod out.
TEST(LoadBalancer, InstanceTargetsAreNodesInFrontOfKubeProxy) {
  std::string yaml = TwoNodes("  - {at: 25s, fail: node/node-0}\n");
  yaml.insert(yaml.find("  timeline:"), "        targetType: instance\n");
  const Outcome r = Simulate(yaml);
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.Logged("0.000", "loadbalancer/alb", "target node-0 registered: initial"));
  EXPECT_TRUE(r.LoggedEnd("5.000", "loadbalancer/alb", "target node-1 healthy"));
  EXPECT_TRUE(r.Logged("30.000", "loadbalancer/alb", "target node-0 unhealthy"));
  const auto& s = Svc(r, "web");
  EXPECT_EQ(s.requests.total, 851);  // 5 s .. 90 s
  EXPECT_EQ(s.requests.total - s.requests.by_version.at("1"), 25);
  EXPECT_GT(s.requests.failed, 200);  // about half of 30..76 s besides
}

// Both nodes fail at 25 s and recover at 40 s: both targets unhealthy from
// 31 s. With no healthy target the balancer fails open — sends to the
// unhealthy ones — so requests succeed from 40 s, when the pods serve
// again, though the targets are healthy again only after 3 passed checks
// (41, 46, 51 s). Failed: every request of 25..40 s, 150.
TEST(LoadBalancer, WithEveryTargetUnhealthyItFailsOpen) {
  const Outcome r = Simulate(TwoNodes(R"(  - {at: 25s, fail: node/node-0}
  - {at: 25s, fail: node/node-1}
  - {at: 40s, recover: node/node-0}
  - {at: 40s, recover: node/node-1}
)"));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.LoggedEnd("51.000", "loadbalancer/alb", "healthy"));
  EXPECT_EQ(Svc(r, "web").requests.failed, 150);
  EXPECT_EQ(Svc(r, "web").downtime, Sec(15));
}

// The deregistration delay (load model: requests take 20.5 s). One pod,
// healthy at 11 s (registered at 1 s, checked every 10 s); a request a
// second from 11 s. `scale --replicas=0` at 60 s: the pod is deregistered at
// 61 s; from then the balancer has no target (503: 61..90 s, 30). Requests
// sent 11..60 s end at 31.5..80.5 s.
//  - preStop 10 s < deregistrationDelay 30 s: SIGTERM at 70 s and the process
//    exits: requests sent 50..60 s, still held, fail: 11 + 30.
//  - preStop 40 s >= the delay: the balancer would wait until 91 s, the pod
//    serves until 100 s: every request is answered: 30 fail.
//  - preStop 40 s, deregistrationDelay 10 s: the balancer cuts the requests it
//    still has on the target at 71 s — sent 51..60 s: 10 + 30.
std::string Deregistration(int pre_stop, const std::string& delay) {
  return Scenario(R"(  until: 90s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  images:
    web:1: {latency: 20500ms}
  traffic:
  - name: alb
    service: web
    every: 1s
    via:
      loadBalancer:
        healthCheck: {interval: 10s}
        deregistrationDelay: )" +
                      delay + R"(
  timeline:
  - at: 60s
    kubectl: scale deployment/web --replicas=0
)",
                  WebWithSpec(1, R"(      terminationGracePeriodSeconds: 60
      containers:
      - name: web
        image: web:1
        lifecycle:
          preStop:
            exec: {command: [sleep, ")" +
                                     std::to_string(pre_stop) + "\"]}\n"));
}

TEST(LoadBalancer, APreStopShorterThanTheDeregistrationDelayCutsHeldRequests) {
  const Outcome shorter = Simulate(Deregistration(10, "30s"));
  ASSERT_EQ(shorter.error, "");
  EXPECT_TRUE(shorter.Logged("61.000", "loadbalancer/alb", "draining"));
  EXPECT_EQ(Svc(shorter, "web").requests.total, 80);
  EXPECT_EQ(Svc(shorter, "web").requests.failed, 41);
  const Outcome longer = Simulate(Deregistration(40, "30s"));
  ASSERT_EQ(longer.error, "");
  EXPECT_EQ(Svc(longer, "web").requests.failed, 30);
  EXPECT_EQ(Svc(longer, "web").requests.by_version.at("1"), 50);  // 11..60 s, all answered
}

TEST(LoadBalancer, TheDeregistrationDelayEndsTheRequestsATargetStillHolds) {
  const Outcome r = Simulate(Deregistration(40, "10s"));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.Logged("71.000", "loadbalancer/alb", "deregistered"));
  EXPECT_EQ(Svc(r, "web").requests.failed, 40);
}

// A target deregistered and registered again starts over: the Service's
// selector is patched away at 25 s and back at 25.5 s; the controller
// deregisters the pod at 26 s and registers it again at 26.5 s, `initial`
// until its first check one interval later, 36.5 s — not at the 31 s check
// its first registration (at 1 s) would have had. 26..36.5 s: 105 requests
// find no healthy target.
TEST(LoadBalancer, ATargetRegisteredAgainStartsItsChecksOver) {
  const Outcome r = Simulate(Scenario(R"(  until: 60s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
    timing: {endpointDelay: 1s}
  traffic:
  - name: alb
    service: web
    every: 100ms
    via: {loadBalancer: {healthCheck: {interval: 10s}}}
  timeline:
  - at: 25s
    kubectl: patch service web -p '{"spec":{"selector":{"app":"none"}}}'
  - at: 25500ms
    kubectl: patch service web -p '{"spec":{"selector":{"app":"web"}}}'
)",
                                      WebApp(1, "", false)));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.LoggedEnd("26.000", "loadbalancer/alb", "deregistered"));
  EXPECT_TRUE(r.LoggedEnd("26.500", "loadbalancer/alb", "registered: initial"));
  EXPECT_FALSE(r.LoggedEnd("31.000", "loadbalancer/alb", "healthy"));
  EXPECT_TRUE(r.LoggedEnd("36.500", "loadbalancer/alb", "healthy"));
  EXPECT_EQ(Svc(r, "web").requests.failed, 105);
}

// `from:` says when the clients start, whatever the balancer: at 30 s, not
// at its first healthy target (11 s). 30..60 s: 301 requests, none failed.
TEST(LoadBalancer, FromStartsTheClientsOfABalancer) {
  const Outcome r = Simulate(Scenario(R"(  until: 60s
  cluster:
    nodes: [{name: node, count: 1, capacity: {cpu: "4", memory: 8Gi, pods: 110}}]
  traffic:
  - name: alb
    service: web
    every: 100ms
    from: 30s
    via: {loadBalancer: {healthCheck: {interval: 10s}}}
)",
                                      WebApp(1, "", false)));
  ASSERT_EQ(r.error, "");
  EXPECT_TRUE(r.LoggedEnd("11.000", "loadbalancer/alb", "healthy"));
  EXPECT_TRUE(r.Logged("30.000", "service/web", "clients start sending"));
  EXPECT_EQ(Svc(r, "web").requests.total, 301);
  EXPECT_EQ(Svc(r, "web").requests.failed, 0);
}

}  // namespace
}  // namespace kubesim::model_test
