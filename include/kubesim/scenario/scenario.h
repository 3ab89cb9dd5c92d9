// Scenario: one typed, validated, immutable description of a simulation run —
// the cluster, how each image behaves, the clients, the Kubernetes objects
// applied at t=0, the timeline of kubectl steps, and the assertions.
//
// The model (docs/scenario-format.md): a scenario file holds one `kind: Scenario` document
// (apiVersion kubesim/v1alpha1) and any number of Kubernetes objects. The
// loader (load.h) turns it into this struct or into positioned diagnostics,
// never both. Everything here is already checked: durations are exact,
// distributions well-formed, every timeline step runnable at its instant (its
// files read and valid, the objects it names existing by then), so the
// simulation never meets bad input. Each timeline step carries the objects it
// leaves behind (an apply's objects, a patched Service, a Deployment with its
// new image), so the model applies them without re-reading any file.
//
// Positions (file, line, column) stay on every element so later stages can
// point at what the user wrote. A Scenario is shared as
// std::shared_ptr<const Scenario>: many runs (a sweep) start from one parse.
#ifndef KUBESIM_SCENARIO_SCENARIO_H_
#define KUBESIM_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/engine/random.h"
#include "kubesim/engine/time.h"
#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/object.h"
#include "kubesim/k8s/quantity.h"
#include "kubesim/scenario/kubectl.h"

namespace kubesim::scenario {

// kubelet's --max-pods default (KubeletConfiguration.MaxPods).
inline constexpr int64_t kDefaultMaxPods = 110;

// `count` identical nodes named NAME-0 .. NAME-(count-1).
struct NodeGroup {
  std::string name;
  int32_t count = 1;
  k8s::Quantity cpu;     // allocatable CPU (milli-units)
  k8s::Quantity memory;  // allocatable memory (Value() is bytes)
  int64_t pods = kDefaultMaxPods;
  k8s::Labels labels;
  std::vector<k8s::Taint> taints;  // on every node of the group
  k8s::Position position;

  // "worker-0" for index 0. REQUIRES: 0 <= index < count.
  std::string NodeName(int32_t index) const;
};

// Cluster-wide latencies (docs/scenario-format.md, defaults in brackets there).
struct ClusterTiming {
  DurationDistribution controller_delay;  // [0s]
  DurationDistribution scheduling_delay;  // [0s]
  DurationDistribution endpoint_delay = DurationDistribution::Fixed(SimDuration::Seconds(1));  // [1s]
};

struct Cluster {
  std::vector<NodeGroup> nodes;
  ClusterTiming timing;

  // The group holding node `name`, and its index; false if no such node.
  bool FindNode(const std::string& name, const NodeGroup** group, int32_t* index) const;
};

// How containers running one image behave.
struct ImageProfile {
  std::string image;    // the key: "gihyodocker/echo-version:0.1.0"
  std::string version;  // [the image tag]
  DurationDistribution pull;      // [0s] pull when not cached on the node
  DurationDistribution start;     // [0s] container start -> serving
  DurationDistribution shutdown;  // [0s] SIGTERM -> exit
  DurationDistribution drain;     // [0s] SIGTERM -> stops serving (at most shutdown)
  bool healthy = true;            // [true] false: never serves
  std::optional<DurationDistribution> crash_after;  // [never] exits this long after each start
  // [never] exits 0 this long after each start: an init container completes
  // then; a regular container exits (and is restarted) as with crash_after.
  std::optional<DurationDistribution> exit_after;
  // The load model (docs/load-model.md): each pod a FIFO queue with
  // `concurrency` servers and a waiting room of `queue`, each request taking
  // `latency` of service. Absent, all three: requests are free and instant.
  std::optional<DurationDistribution> latency;  // [0s] service time of one request
  std::optional<int32_t> concurrency;           // [unlimited] requests served at once
  std::optional<int64_t> queue;                 // [unlimited] waiting requests beyond which: 503
  // [false] the process closes its keep-alive connections when it stops
  // serving after SIGTERM (HTTP/2 GOAWAY), not only when it exits.
  std::optional<bool> close_on_drain;
  // [0] the share of the requests the process serves that it answers with
  // an error (an HTTP 500): a version that is Ready but broken, for a
  // canary's analysis to catch.
  double error_rate = 0;
  bool LoadModel() const { return latency || concurrency || queue || close_on_drain; }
  k8s::Position position;
};

// An external load balancer in front of a Service (docs/load-model.md, 8):
// an AWS Application Load Balancer's target group as the AWS Load Balancer
// Controller keeps it. Defaults are the ALB's target-group defaults
// (docs.aws.amazon.com/elasticloadbalancing/latest/application/
// target-group-health-checks.html, load-balancer-target-groups.html).
struct LoadBalancer {
  enum class TargetType { kIp, kInstance };
  SimDuration interval = SimDuration::Seconds(30);  // healthCheck.interval [30s]
  int32_t healthy_threshold = 5;                    // healthCheck.healthyThreshold [5]
  int32_t unhealthy_threshold = 2;                  // healthCheck.unhealthyThreshold [2]
  SimDuration deregistration_delay = SimDuration::Seconds(300);  // [300s]
  TargetType target_type = TargetType::kIp;                      // [ip]
  k8s::Position position;
};

// A client sending requests to a Service.
struct TrafficSource {
  enum class Arrival { kEvery, kPoisson };
  std::string name;
  std::string service;                 // the Service's name
  std::string service_namespace = "default";
  Arrival arrival = Arrival::kEvery;
  SimDuration every;                   // kEvery: the interval
  double rate_per_second = 0.0;        // kPoisson: the mean rate
  std::optional<SimDuration> from;     // [when the Service first serves]
  // [none] a request not answered this long after it was sent fails
  // (requests.timedOut; docs/load-model.md).
  std::optional<SimDuration> timeout;
  // [0: none] keep-alive connections the client holds, each pinned to the
  // endpoint it picked when it opened; requests take them in turn
  // (docs/load-model.md). 0: every request picks an endpoint.
  int32_t connections = 0;
  // [none] `via: {loadBalancer: ...}`: the client's requests reach the
  // Service's pods through an external load balancer (docs/load-model.md, 8).
  std::optional<LoadBalancer> load_balancer;
  k8s::Position position;
};

// A service level objective the report judges the run against
// (docs/load-model.md, SLO): a share of successful requests over a window,
// and optionally a p99 response time.
struct Slo {
  std::string service;  // the Service's name
  std::string service_namespace = "default";
  double availability = 0;  // the target share of successful requests, in (0, 1)
  std::optional<SimDuration> latency_p99;
  SimDuration window = SimDuration::Hours(24 * 30);  // [30d]
  k8s::Position position;
};

// One timeline step, checked and resolved.
struct Step {
  // Its `at:`; for a chained step, the earliest it can run: the step before
  // it's time, plus that step's duration if it is a `sleep:`.
  SimDuration at;
  // No `at:`: it runs when the step before it in the file has finished — at
  // once after an ordinary step, when a blocking one's condition holds
  // (docs/scenario-format.md, 3.7).
  bool chained = false;
  int32_t after = -1;        // chained: that step's index in Scenario::timeline (-1: none, 0s)
  uint32_t number = 0;       // its place among the file's steps, from 1
  std::string text;          // the kubectl line or `fail: node/x` as written
  Command command;
  k8s::Position position;    // of the step's command
  // What the step leaves behind, to apply in order: an apply's objects, or
  // the one object a patch / scale / set image / rollout changed.
  std::vector<k8s::Object> objects;
  // What the step deletes (delete, and a drain's evictions are the model's).
  std::vector<k8s::ObjectKey> deleted;
  // The Deployments whose spec.replicas the step's patch writes: an apply
  // whose manifest sets them, or drops what the last applied one set
  // (kubectl apply's three-way merge); scale; a patch naming them. A count
  // Flagger set stays through any other step (docs/flagger.md, kubectl).
  std::vector<k8s::ObjectKey> replicas_written;
};

// One `expect:` assertion: METRIC OP VALUE, e.g.
// "services.echo-version.downtimeSeconds <= 0".
struct Expectation {
  enum class Op { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  std::string text;
  std::string metric;   // "services.echo-version.downtimeSeconds"
  Op op = Op::kLessEqual;
  std::optional<double> number;  // the right-hand side, or
  std::optional<bool> boolean;   // true/false
  k8s::Position position;
};

// What an Argo AnalysisTemplate's metric measures (spec.analysis,
// docs/progressive-delivery.md, Analysis): kubesim does not query
// Prometheus; each measurement is read from the simulated requests the
// metric's pods answered over a trailing window, or is a fixed value.
struct AnalysisMeasure {
  std::string key;  // METRIC, or TEMPLATE/METRIC
  enum class Kind : uint8_t { kSuccessRate, kErrorRate, kRequests, kRequestRate, kLatency, kValue };
  Kind kind = Kind::kSuccessRate;
  double quantile = 0.99;  // kLatency: latencyP50 / P90 / P95 / P99
  // Whose requests: the analysis's new ReplicaSet's pods (the canary), the
  // stable ReplicaSet's, or all of the Rollout's.
  enum class Pods : uint8_t { kCanary, kStable, kAll };
  Pods pods = Pods::kCanary;
  std::optional<SimDuration> window;  // [the metric's interval, else 1m]
  double value = 0;                   // kValue
  k8s::Position position;
};

struct Scenario {
  std::string file;                 // the scenario file as named
  std::string name;                 // metadata.name
  uint64_t seed = 1;                // [1]
  std::optional<SimDuration> until;
  Cluster cluster;
  std::map<std::string, ImageProfile, std::less<>> images;
  std::vector<TrafficSource> traffic;
  std::vector<k8s::Object> objects;  // the file's own objects, applied at t=0 in order
  std::vector<Step> timeline;        // by `at` (stable: equal times keep file order)
  std::vector<Expectation> expect;
  std::vector<Slo> slos;             // spec.slo
  std::vector<AnalysisMeasure> analysis;  // spec.analysis
  // The longest window a measurement of spec.analysis reads requests over
  // (0: none reads requests): how long the run keeps them.
  SimDuration analysis_window = SimDuration::Zero();
  k8s::Position position;            // the Scenario document

  // The profile of `image`, or null (then every duration is 0 and it is healthy).
  const ImageProfile* ProfileFor(std::string_view image) const;
  // Whether any image or client uses the load model (docs/load-model.md):
  // reports then hold its metrics; without it they are as they always were.
  bool LoadModel() const;
};

// The version label of an image with no profile version: the tag (the text
// after the last ':' that follows the last '/', before any '@digest'), else
// the digest's first 12 hex digits, else "latest" (docs/scenario-format.md,
// Versions).
std::string ImageTag(std::string_view image);

}  // namespace kubesim::scenario

#endif  // KUBESIM_SCENARIO_SCENARIO_H_
