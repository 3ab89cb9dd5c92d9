// Simulation: one run of one scenario — the cluster model on the event engine.
//
// The model (docs/scenario-format.md): nodes, pods, ReplicaSets, Deployments, Services and
// clients as state machines following Kubernetes' own rules; the scenario's
// objects applied at t=0 and its kubectl steps at their instants; within an
// instant, events run by phase (processes, probes, kubectl steps,
// controllers and the scheduler, endpoints, clients). Observers (observer.h)
// watch it; the model does not know what they compute.
//
// A Simulation is single-use: construct, add observers, Run() once. Runs are
// deterministic: the same scenario and seed give the same events in the same
// order, in any process, on any machine (no wall clock, no global state,
// randomness only from streams of the seed).
#ifndef KUBESIM_CLUSTER_SIMULATION_H_
#define KUBESIM_CLUSTER_SIMULATION_H_

#include <cstdint>
#include <limits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/cluster/observer.h"
#include "kubesim/engine/time.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::cluster {

class World;

struct SimulationOptions {
  // The RNG seed; absent: the scenario's `seed`.
  std::optional<uint64_t> seed;
  // Where to stop; absent: the scenario's `until`, else 1 minute after the
  // later of the last timeline step and the end of every rollout (docs/scenario-format.md).
  std::optional<SimDuration> until;
  // Events the run may fire before it stops with budget_exhausted (a
  // scenario that would run forever). Default: generous.
  uint64_t max_events = 200'000'000;
  // Pods the run may create before it stops with pods_exhausted (a
  // Deployment of millions of replicas: Kubernetes takes 2^31 - 1, a
  // simulation could not hold them). A gone pod keeps its entry to the end
  // of the run, so this bounds its memory: about 1.3 KB a pod created.
  uint64_t max_pods = 2'000'000;
  // Check the model's invariants after every instant (exit code 3, README.md):
  // always in debug and sanitizer builds; in release only when asked
  // (`kubesim run --check`).
#ifdef NDEBUG
  bool check_invariants = false;
#else
  bool check_invariants = true;
#endif
  // Simulate every probe tick (`kubesim run --exact-probes`). By default a
  // probe whose result cannot change (its process serves steadily) schedules
  // no event until something about its pod changes; the report is the same
  // byte for byte, the skipped ticks included in its event count.
  bool exact_probes = false;
};

struct RunResult {
  SimTime end;            // where the run stopped
  uint64_t events = 0;    // events fired
  uint64_t seed = 0;      // the seed used
  bool budget_exhausted = false;
  bool pods_exhausted = false;  // it would have created more than max_pods pods
  // Set when an invariant broke (a bug in kubesim): what, and the event log's
  // last lines before it. The run stopped there; its metrics are meaningless.
  std::optional<std::string> invariant_violation;
  std::vector<std::string> recent_events;
};

class Simulation {
 public:
  Simulation(std::shared_ptr<const scenario::Scenario> scenario, SimulationOptions options = {});
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  // REQUIRES: before Run(). `observer` must outlive Run().
  void AddObserver(Observer* observer);
  // Runs the scenario to its end. REQUIRES: called once.
  RunResult Run();

 private:
  std::unique_ptr<World> world_;
  uint64_t seed_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_CLUSTER_SIMULATION_H_
