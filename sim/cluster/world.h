// The simulated cluster — the private half of cluster::Simulation
// (include/kubesim/cluster/simulation.h): the store, the controllers, and
// the wiring between them. Kubernetes' shape (docs/architecture.md):
//   store.h                  every object in dense arrays, and the indexes
//   context.h                the event loop, the event log, the seed
//   api.h, api_server.h      writes, and changes handed to their watchers
//   deployment_controller.h  syncDeployment: rolling / recreate / scale / status
//   rollout_controller.h     Argo Rollouts' blueGreen: preview, promotion, switch, scale-down
//   replicaset_controller.h  manageReplicas and status
//   scheduler.h              filter, score, bind; retries of unschedulable pods
//   kubelet.h, prober.h      pulls, containers, restarts, termination; probes
//   node_lifecycle_controller.h  NotReady and eviction of a failed node
//   disruption.h             PodDisruptionBudgets, evictions, kubectl drain
//   endpoints_controller.h   Service members, endpoint sets, their client copies
//   traffic.h                clients and requests
//   load_balancer.h          external load balancers: targets, health, the readiness gate
//   cluster_view.h           what observers read
//   invariants.h             what --check verifies after every instant
// Every happening is an event on the engine's EventLoop with a phase
// (context.h); World fires each at the controller it is for.
#ifndef KUBESIM_SIM_CLUSTER_WORLD_H_
#define KUBESIM_SIM_CLUSTER_WORLD_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "api_server.h"
#include "cluster_view.h"
#include "context.h"
#include "deployment_controller.h"
#include "disruption.h"
#include "endpoints_controller.h"
#include "flagger_controller.h"
#include "kubelet.h"
#include "kubesim/cluster/simulation.h"
#include "load_balancer.h"
#include "node_lifecycle_controller.h"
#include "prober.h"
#include "replicaset_controller.h"
#include "rollout_controller.h"
#include "scheduler.h"
#include "script.h"
#include "store.h"
#include "traffic.h"

namespace kubesim::cluster {

// How the run ended.
struct WorldResult {
  SimTime end;
  uint64_t events = 0;
  bool budget_exhausted = false;
  bool pods_exhausted = false;
  std::optional<std::string> invariant_violation;  // what broke, if an invariant did
  std::vector<std::string> recent_events;          // the event log's last lines then
};

class World {
 public:
  World(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed,
        const SimulationOptions& options);

  void AddObserver(Observer* o) { ctx_.AddObserver(o); }
  WorldResult Run();

  // The engine's handler interface (EventLoop::RunUntil).
  void Fire(const FiredEvent& e);
  void EndInstant(SimTime t);

 private:
  Context ctx_;
  Store store_;
  StoreView view_;
  ApiServer api_;
  Script script_;
  Prober prober_;
  Kubelet kubelet_;
  Scheduler scheduler_;
  ReplicaSetController replica_set_controller_;
  DeploymentController deployment_controller_;
  RolloutController rollout_controller_;
  FlaggerController flagger_controller_;
  EndpointsController endpoints_;
  NodeLifecycleController node_lifecycle_;
  Disruption disruption_;
  Traffic traffic_;
  LoadBalancers balancers_;
  std::optional<SimDuration> until_;
  uint64_t max_events_;
  int64_t declared_pods_ = 0;  // the replicas and pods the scenario's objects declare
  // --check: the full walks run when instants since the last one, times
  // kObjectsPerInstant, reach the number of objects (so in a small cluster
  // at every instant).
  static constexpr size_t kObjectsPerInstant = 16;
  size_t ObjectCount() const;
  size_t instants_since_full_check_ = 0;
  bool full_check_ = false;
  std::optional<std::string> violation_;
  SimTime last_instant_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_WORLD_H_
