// The API server: objects applied and deleted by kubectl steps, the writes
// controllers make through the Api, and each change handed to the
// controllers that watch its kind, in a fixed order (api_server.cc).
#ifndef KUBESIM_SIM_CLUSTER_API_SERVER_H_
#define KUBESIM_SIM_CLUSTER_API_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class DeploymentController;
class Disruption;
class EndpointsController;
class Kubelet;
class NodeLifecycleController;
class ReplicaSetController;
class Scheduler;
class RolloutController;
class FlaggerController;
class Traffic;

// The controllers the API server hands changes to.
struct Controllers {
  DeploymentController* deployments = nullptr;
  ReplicaSetController* replica_sets = nullptr;
  Scheduler* scheduler = nullptr;
  Kubelet* kubelet = nullptr;
  EndpointsController* endpoints = nullptr;
  Traffic* traffic = nullptr;
  NodeLifecycleController* node_lifecycle = nullptr;
  Disruption* disruption = nullptr;
  RolloutController* rollouts = nullptr;
  FlaggerController* flagger = nullptr;
};

class ApiServer final : public Api {
 public:
  ApiServer(Store& store, Context& ctx);
  void Connect(const Controllers& controllers);

  // kubectl: a scenario's objects at the start, then the timeline's steps.
  void Apply(const k8s::Object& object);
  // Runs a kubectl or node step; false when kubectl would exit 1 (an
  // annotate that found no pod or was refused).
  bool RunStep(uint32_t index);

  // Api.
  uint32_t CreatePod(const std::string& ns, const std::string& name,
                     std::shared_ptr<const k8s::Labels> labels,
                     std::shared_ptr<const k8s::Labels> annotations,
                     std::shared_ptr<const k8s::PodSpec> spec, uint32_t owner_rs,
                     size_t app_container) override;
  void DeletePod(uint32_t pod) override;
  Eviction EvictPod(uint32_t pod) override;
  void BindPod(uint32_t pod, uint32_t node) override;
  void MarkPodNotReady(uint32_t pod) override;
  void PodUpdated(uint32_t pod) override;
  void PodRemoved(uint32_t pod) override;
  void PodServing(uint32_t pod) override;
  void ReplicaSetUpdated(uint32_t rs) override;
  void ReplicaSetStatusUpdated(uint32_t rs) override;
  void NodeUpdated(uint32_t node) override;
  void NodeStatusStopped(uint32_t node) override;
  void ServiceServing(uint32_t service) override;
  void SwitchServiceSelector(uint32_t service, const std::string& hash) override;
  void Write(const k8s::Object& object) override;

 private:
  void ApplyDeployment(const k8s::Deployment& d);
  void ApplyRollout(const k8s::Rollout& r);
  // A Deployment's or Rollout's (non-null `rollout`) apply.
  void ApplyWorkload(const k8s::ObjectMeta& meta, const k8s::DeploymentSpec& spec,
                     const k8s::Rollout* rollout);
  void ApplyWorkloadSpec(uint32_t id, const k8s::DeploymentSpec& spec, std::string_view kind,
                         const k8s::Rollout* rollout);
  // The Rollouts whose workloadRef names Deployment `deployment` take its
  // template again.
  void ResolveWorkloadRefs(uint32_t deployment);
  void AdoptWorkloadTemplate(uint32_t rollout, uint32_t deployment);
  void SetRolloutStrategy(uint32_t d, const k8s::Rollout& obj);
  // Queues a sync of a Deployment, or of a Rollout, by its controller.
  void EnqueueWorkload(uint32_t d);
  void ApplyReplicaSet(const k8s::ReplicaSet& rs);
  void ApplyService(const k8s::Service& s);
  void ApplyPod(const k8s::Pod& p);
  void UpdatePod(uint32_t pod, const k8s::Pod& obj);
  // kubectl delete; false when kubectl would exit 1 (a pod not found).
  bool Delete(const k8s::ObjectKey& key);
  void RunNodeCommand(const scenario::NodeCommand& c);
  // `kubectl annotate` of pods (by name, selector or --all): when the step
  // runs, as which pods exist is known only then.
  bool RunAnnotate(const scenario::AnnotateCommand& c, const std::string& ns);
  bool RunArgoRollouts(const scenario::ArgoRolloutsCommand& c, const std::string& ns);
  std::string step_label_;  // "step/N" of the step running: kubectl's output goes there
  uint32_t ImageIndex(const std::string& image);  // its images[] entry, made on first use

  Store& store_;
  Context& ctx_;
  Controllers c_;
  bool controller_write_ = false;  // Write: a controller's, not kubectl's
  const scenario::Step* running_ = nullptr;  // the step whose objects are being applied
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_API_SERVER_H_
