// Deployment and ReplicaSet (apps/v1), as the API defines them.
//
// The model: a ReplicaSet keeps `replicas` pods matching its selector alive,
// created from its pod template. A Deployment owns ReplicaSets, one per
// distinct pod template (revision); changing the template starts a rollout
// that moves replicas from the old ReplicaSets to the new one, either all at
// once (`Recreate`: old ones scaled to zero and gone before new ones start)
// or gradually (`RollingUpdate`, bounded by maxSurge extra and maxUnavailable
// missing pods). `paused` stops rollouts (not scaling); `minReadySeconds` is
// how long a Ready pod must stay Ready to count as available;
// `progressDeadlineSeconds` is when a stalled rollout is reported failed.
// Defaults come from defaults.h (SetDefaults_Deployment).
#ifndef KUBESIM_K8S_DEPLOYMENT_H_
#define KUBESIM_K8S_DEPLOYMENT_H_

#include <cstdint>
#include <optional>

#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::k8s {

struct RollingUpdateDeployment {
  IntOrPercent max_surge = defaults::kMaxSurge;
  IntOrPercent max_unavailable = defaults::kMaxUnavailable;
  bool operator==(const RollingUpdateDeployment&) const = default;
};

struct DeploymentStrategy {
  enum class Type { kRollingUpdate, kRecreate };
  Type type = Type::kRollingUpdate;  // SetDefaults_Deployment
  // Set (to the defaults if the manifest gives none) for RollingUpdate; for
  // Recreate only if the manifest wrongly gives one (validation rejects it).
  std::optional<RollingUpdateDeployment> rolling_update;
  bool operator==(const DeploymentStrategy&) const = default;
};

struct DeploymentSpec {
  int32_t replicas = defaults::kDeploymentReplicas;
  LabelSelector selector;
  PodTemplateSpec template_;
  DeploymentStrategy strategy;
  int32_t min_ready_seconds = defaults::kMinReadySeconds;
  int32_t revision_history_limit = defaults::kRevisionHistoryLimit;
  int32_t progress_deadline_seconds = defaults::kProgressDeadlineSeconds;
  bool paused = false;
  bool operator==(const DeploymentSpec&) const = default;
};

struct Deployment {
  ObjectMeta metadata;
  DeploymentSpec spec;
  SourceMap source;
  bool operator==(const Deployment&) const = default;
};

struct ReplicaSetSpec {
  int32_t replicas = defaults::kReplicaSetReplicas;
  int32_t min_ready_seconds = defaults::kMinReadySeconds;
  LabelSelector selector;
  PodTemplateSpec template_;
  bool operator==(const ReplicaSetSpec&) const = default;
};

struct ReplicaSet {
  ObjectMeta metadata;
  ReplicaSetSpec spec;
  SourceMap source;
  bool operator==(const ReplicaSet&) const = default;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_DEPLOYMENT_H_
