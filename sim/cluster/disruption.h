// Voluntary disruption: PodDisruptionBudgets, the eviction subresource that
// honours them, and `kubectl drain`'s eviction loop. One object for the
// three, since each is a few lines of the others' arithmetic:
//   - the disruption controller's status of a budget (expected pods,
//     healthy pods, desired healthy, disruptions allowed), computed from the
//     live state when an eviction asks, as the controller keeps it current
//     (pkg/controller/disruption/disruption.go);
//   - the eviction subresource (pkg/registry/core/pod/storage/eviction.go):
//     a pod that is Pending or already terminating goes at once; a pod under
//     two budgets is refused; one that would leave its budget short gets
//     429 TooManyRequests;
//   - kubectl drain (k8s.io/kubectl/pkg/drain/drain.go): cordon, then evict
//     every pod of the node at once, each refused eviction retried every
//     5 s (EvictErrorRetryDelay) until it succeeds or the pod is gone.
// An eviction the API allows deletes the pod at once, so the controller's
// DisruptedPods map (pods evicted but not yet deleted) is never needed: a
// deleted pod is not healthy anyway.
#ifndef KUBESIM_SIM_CLUSTER_DISRUPTION_H_
#define KUBESIM_SIM_CLUSTER_DISRUPTION_H_

#include <cstdint>

#include "api.h"
#include "context.h"
#include "kubesim/k8s/policy.h"
#include "store.h"

namespace kubesim::cluster {

// A budget's status, as PodDisruptionBudgetStatus has it.
struct BudgetStatus {
  int32_t expected_pods = 0;
  int32_t current_healthy = 0;
  int32_t desired_healthy = 0;
  int32_t disruptions_allowed = 0;
  bool operator==(const BudgetStatus&) const = default;
};

// updatePdbStatus after getExpectedPodCount: the status of a budget whose
// selector matches `pods` pods, `healthy` of them Ready and not terminating,
// whose controllers' scale adds up to `controllers_scale`; `sync_failed`
// when a pod's controller could not be found (the controller then allows
// no disruption).
BudgetStatus ComputeBudgetStatus(const k8s::PodDisruptionBudgetSpec& spec, int32_t pods,
                                 int32_t healthy, int32_t controllers_scale, bool sync_failed);

class Disruption {
 public:
  Disruption(Store& store, Context& ctx, Api& api);

  // `kubectl apply` / `delete` of a budget.
  void Apply(const k8s::PodDisruptionBudget& obj);
  void Delete(std::string_view ns, std::string_view name);
  // The members index: a pod created or relabelled, and a pod gone.
  void IndexPod(uint32_t pod);
  void UnindexPod(uint32_t pod);

  // The disruption controller's status of budget `b` now.
  BudgetStatus StatusOf(uint32_t b) const;
  // `kubectl drain`'s evictions of the pods of node `n` (already cordoned).
  void DrainNode(uint32_t n);
  // kEvictRetry: kubectl's retry of a refused eviction, 5 s later.
  void Evict(uint32_t pod);
  // The eviction subresource (Api::EvictPod's outcomes); a 429 refusal is
  // retried 5 s later when `retry` (kubectl drain).
  Api::Eviction Evict(uint32_t pod, bool retry);

 private:
  bool Matches(const DisruptionBudget& b, const Pod& p) const;

  Store& store_;
  Context& ctx_;
  Api& api_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_DISRUPTION_H_
