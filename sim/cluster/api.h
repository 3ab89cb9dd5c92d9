// The writes a controller makes and the changes it announces, as the
// Kubernetes API server and its informers carry them: a controller never
// calls another controller. ApiServer (api_server.h) implements this and
// hands each change to the controllers that watch that kind of object, in a
// fixed order (docs/architecture.md).
#ifndef KUBESIM_SIM_CLUSTER_API_H_
#define KUBESIM_SIM_CLUSTER_API_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "kubesim/k8s/object.h"

namespace kubesim::cluster {

// v1alpha1.DefaultRolloutUniqueLabelKey: the label an Argo Rollout's
// ReplicaSets and pods carry their template hash under, and its Services
// select by.
inline constexpr std::string_view kRolloutHashKey = "rollouts-pod-template-hash";

class Api {
 public:
  virtual ~Api() = default;

  // --- writes ---
  // A new pod (ReplicaSet controller, or a bare Pod applied): its id; kNone
  // when the run may create no more (SimulationOptions::max_pods).
  // `labels` and `annotations` may be shared with other pods (they are
  // never changed in place). `app_container`: k8s::AppContainerIndex of the pod's metadata and
  // spec.
  virtual uint32_t CreatePod(const std::string& ns, const std::string& name,
                             std::shared_ptr<const k8s::Labels> labels,
                             std::shared_ptr<const k8s::Labels> annotations,
                             std::shared_ptr<const k8s::PodSpec> spec, uint32_t owner_rs,
                             size_t app_container) = 0;
  // deletionTimestamp set: its kubelet stops it (ReplicaSet controller,
  // eviction, drain, kubectl delete).
  virtual void DeletePod(uint32_t pod) = 0;
  // The eviction subresource (PodDisruptionBudgets honoured), as Argo's
  // pod restarter calls it: evicted (or gone, or terminating already),
  // refused (429 TooManyRequests: a budget), or failed (500: a pod under
  // two budgets).
  enum class Eviction : uint8_t { kEvicted, kRefused, kFailed };
  virtual Eviction EvictPod(uint32_t pod) = 0;
  virtual void BindPod(uint32_t pod, uint32_t node) = 0;  // the scheduler's binding
  virtual void MarkPodNotReady(uint32_t pod) = 0;         // node lifecycle: MarkPodsNotReady
  // An Argo Rollout's controller sets a Service's selector's
  // rollouts-pod-template-hash (kRolloutHashKey) to `hash`
  // (rollout/service.go switchServiceSelector).
  virtual void SwitchServiceSelector(uint32_t service, const std::string& hash) = 0;
  // A controller's create or update of a whole object, as its client's
  // Create or Update call leaves it (Flagger's primary Deployment and
  // Services, its scaling of the target, a promotion's new template).
  virtual void Write(const k8s::Object& object) = 0;
  // A controller's scale of Deployment `ns`/`name` whose spec is `spec`:
  // the whole object written back with `replicas` (Flagger's target,
  // Argo's workloadRef scaleDown).
  void ScaleDeployment(const std::string& ns, const std::string& name, k8s::DeploymentSpec spec,
                       int32_t replicas) {
    k8s::Deployment obj;
    obj.metadata.name = name;
    obj.metadata.namespace_name = ns;
    obj.spec = std::move(spec);
    obj.spec.replicas = replicas;
    Write(obj);
  }

  // --- changes, to the controllers that watch them ---
  // A pod's status, labels or deletion changed (ReplicaSet controller,
  // rollout tracking, endpoints).
  virtual void PodUpdated(uint32_t pod) = 0;
  virtual void PodRemoved(uint32_t pod) = 0;  // gone from the API
  virtual void PodServing(uint32_t pod) = 0;  // its process answers: a Service may start
  // A ReplicaSet's spec changed (its controller syncs it) / its status
  // changed (its Deployment's controller syncs).
  virtual void ReplicaSetUpdated(uint32_t rs) = 0;
  virtual void ReplicaSetStatusUpdated(uint32_t rs) = 0;
  virtual void NodeUpdated(uint32_t node) = 0;        // schedulable again: retry pods
  virtual void NodeStatusStopped(uint32_t node) = 0;  // its kubelet stopped posting status
  virtual void ServiceServing(uint32_t service) = 0;  // first serving endpoint: clients start
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_API_H_
