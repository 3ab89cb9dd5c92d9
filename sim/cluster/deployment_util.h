// The Deployment controller's arithmetic, ported rule for rule from
// Kubernetes: pkg/controller/deployment/util/deployment_util.go, rolling.go,
// recreate.go, sync.go and progress.go. Names follow the Go functions so the
// two can be read side by side.
//
// The model: the Deployment controller never touches pods. It reads the
// Deployment's spec and, of each ReplicaSet it owns, a ReplicaSetView — spec
// replicas, status counts, revision, creation order and the two annotations
// the controller writes (`deployment.kubernetes.io/desired-replicas` and
// `max-replicas`) — and decides new `spec.replicas` values. These functions
// are that decision, pure: they take views, change `replicas` (and the
// annotations, where Kubernetes' scaleReplicaSet writes them) in the views
// they are given, and report what they did. The cluster model applies the
// changed views to its ReplicaSets; the ReplicaSet controller then creates or
// deletes pods.
//
// Conventions, as in Kubernetes:
//   - "old" ReplicaSets are all those of the Deployment but the new one (the
//     one whose template equals the Deployment's);
//   - "active" means spec.replicas > 0 (FilterActiveReplicaSets);
//   - status counts exclude terminating pods (ReplicaSet status ignores pods
//     with a deletionTimestamp), so the controller does not see them.
#ifndef KUBESIM_CLUSTER_DEPLOYMENT_UTIL_H_
#define KUBESIM_CLUSTER_DEPLOYMENT_UTIL_H_

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "kubesim/engine/time.h"
#include "kubesim/k8s/deployment.h"
#include "kubesim/k8s/int_or_percent.h"

namespace kubesim::cluster {

// What the Deployment controller reads (and writes) of one ReplicaSet.
struct ReplicaSetView {
  uint32_t id = 0;                 // the model's handle; untouched here
  int32_t replicas = 0;            // spec.replicas
  int32_t status_replicas = 0;     // status.replicas: non-terminating pods
  int32_t ready_replicas = 0;      // status.readyReplicas
  int32_t available_replicas = 0;  // status.availableReplicas
  int64_t revision = 0;            // deployment.kubernetes.io/revision; 0 when absent
  uint64_t creation_order = 0;     // creationTimestamp, then name: unique, older is smaller
  std::optional<int32_t> desired_replicas;  // deployment.kubernetes.io/desired-replicas
  std::optional<int32_t> max_replicas;      // deployment.kubernetes.io/max-replicas
  bool being_deleted = false;      // has a deletionTimestamp

  bool operator==(const ReplicaSetView&) const = default;
};

// ResolveFenceposts' result: the absolute maxSurge and maxUnavailable.
struct Fenceposts {
  int32_t surge = 0;
  int32_t unavailable = 0;
  bool operator==(const Fenceposts&) const = default;
};

// ResolveFenceposts: surge rounds up, unavailable rounds down; when both come
// out 0, unavailable is 1 ("on the theory that surge might not work due to
// quota"). An unset value is IntOrPercent::Int(0).
Fenceposts ResolveFenceposts(const k8s::IntOrPercent& max_surge,
                             const k8s::IntOrPercent& max_unavailable, int32_t desired);

// MaxUnavailable: 0 unless RollingUpdate with replicas > 0; else the resolved
// unavailable, at most replicas.
int32_t MaxUnavailable(const k8s::DeploymentSpec& d);
// MinAvailable: replicas - MaxUnavailable for RollingUpdate, 0 for Recreate.
int32_t MinAvailable(const k8s::DeploymentSpec& d);
// MaxSurge: the resolved surge for RollingUpdate, 0 otherwise.
int32_t MaxSurge(const k8s::DeploymentSpec& d);

// Sums over ReplicaSets of spec.replicas / status.replicas /
// status.availableReplicas / status.readyReplicas.
int32_t GetReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss);
int32_t GetActualReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss);
int32_t GetAvailableReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss);
int32_t GetReadyReplicaCountForReplicaSets(std::span<const ReplicaSetView> rss);

// NewRSNewReplicas: the size the new ReplicaSet may grow to now. RollingUpdate:
// at most replicas + maxSurge pods over `all` (every ReplicaSet, the new one
// included), and at most replicas; Recreate: replicas.
int32_t NewRSNewReplicas(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> all,
                         const ReplicaSetView& new_rs);

// IsSaturated: the new ReplicaSet has replicas == desired annotation ==
// available == the Deployment's replicas.
bool IsSaturated(const k8s::DeploymentSpec& d, const ReplicaSetView* rs);

// What scaleReplicaSet writes: the new size and, when either changed, the
// desired-replicas / max-replicas annotations (replicas, replicas + MaxSurge).
// Returns true if the view changed (Kubernetes would update the object).
bool ScaleReplicaSet(const k8s::DeploymentSpec& d, ReplicaSetView& rs, int32_t new_scale);
// scaleReplicaSetAndRecordEvent: no-op when the size is already new_scale.
bool ScaleReplicaSetAndRecordEvent(const k8s::DeploymentSpec& d, ReplicaSetView& rs,
                                   int32_t new_scale);

// --- rolling.go ---------------------------------------------------------------

// reconcileNewReplicaSet: scales the new ReplicaSet towards replicas within
// maxSurge (down to replicas if above). `olds` are the other ReplicaSets.
// Returns true if it scaled.
bool ReconcileNewReplicaSet(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> olds,
                            ReplicaSetView& new_rs);

// cleanupUnhealthyReplicas: removes, oldest ReplicaSet first, up to
// `max_cleanup_count` unavailable replicas. Sorts `olds` by creation. Returns
// how many replicas it removed; nullopt, Go's error, when a ReplicaSet's
// stale status (more available than its spec) would scale it up — the
// ReplicaSets scaled before it stay scaled.
std::optional<int32_t> CleanupUnhealthyReplicas(const k8s::DeploymentSpec& d,
                                                std::span<ReplicaSetView> olds,
                                                int32_t max_cleanup_count);

// scaleDownOldReplicaSetsForRollingUpdate: scales old ReplicaSets down,
// oldest first, by (available over all ReplicaSets) - MinAvailable. Sorts
// `olds` by creation. Returns how many replicas it removed.
int32_t ScaleDownOldReplicaSetsForRollingUpdate(const k8s::DeploymentSpec& d,
                                                std::span<ReplicaSetView> olds,
                                                const ReplicaSetView* new_rs);

// reconcileOldReplicaSets: maxScaledDown = Σspec - MinAvailable - (new
// ReplicaSet's unavailable), then cleanupUnhealthyReplicas and
// scaleDownOldReplicaSetsForRollingUpdate. Returns true if it scaled;
// nullopt when cleanupUnhealthyReplicas fails (Go returns false without
// scaling down further; the ReplicaSets cleaned up before stay scaled).
std::optional<bool> ReconcileOldReplicaSets(const k8s::DeploymentSpec& d,
                                            std::span<ReplicaSetView> olds,
                                            const ReplicaSetView& new_rs);

// --- sync.go: scaling events and proportional scaling -------------------------

// isScalingEvent: some active ReplicaSet's desired-replicas annotation differs
// from the Deployment's replicas.
bool IsScalingEvent(const k8s::DeploymentSpec& d, std::span<const ReplicaSetView> olds,
                    const ReplicaSetView* new_rs);

// GetProportion: how many replicas `rs` gets of `to_add` (negative: removes),
// given `added` so far; uses getReplicaSetFraction. `status_replicas` is the
// Deployment's status.replicas, the fallback when the max-replicas annotation
// is missing.
int32_t GetProportion(const k8s::DeploymentSpec& d, int32_t status_replicas,
                      const ReplicaSetView& rs, int32_t to_add, int32_t added);
// getReplicaSetFraction: round(rs.replicas * (replicas + MaxSurge) /
// max-replicas annotation) - rs.replicas, or -rs.replicas when scaling to 0.
int32_t GetReplicaSetFraction(const k8s::DeploymentSpec& d, int32_t status_replicas,
                              const ReplicaSetView& rs);

// scale: a scaling event (or a paused Deployment's sync). One active
// ReplicaSet (or none: the newest) goes straight to replicas; a saturated new
// ReplicaSet scales the olds to 0; otherwise, RollingUpdate only, the change
// is shared proportionally, largest first, leftovers to the largest.
// `new_rs` may be null (no ReplicaSet matches the template yet). Returns true
// if anything scaled.
bool Scale(const k8s::DeploymentSpec& d, int32_t status_replicas, std::span<ReplicaSetView> olds,
           ReplicaSetView* new_rs);

// --- recreate.go --------------------------------------------------------------

// scaleDownOldReplicaSetsForRecreate: every active old ReplicaSet to 0.
bool ScaleDownOldReplicaSetsForRecreate(const k8s::DeploymentSpec& d,
                                        std::span<ReplicaSetView> olds);

// --- revision history (sync.go cleanupDeployment) -----------------------------

// The old ReplicaSets cleanupDeployment deletes: of those not being deleted,
// the len - revisionHistoryLimit with the lowest revisions (creation order on
// ties), skipping any with spec or status replicas. Returns their ids.
std::vector<uint32_t> ReplicaSetsToCleanUp(const k8s::DeploymentSpec& d,
                                           std::span<const ReplicaSetView> olds);

// --- status and progress (sync.go calculateStatus, progress.go) -------------

// The Deployment status fields the rollout logic reads.
struct DeploymentStatusCounts {
  int32_t replicas = 0;             // Σ status.replicas
  int32_t updated_replicas = 0;     // the new ReplicaSet's status.replicas
  int32_t ready_replicas = 0;       // Σ status.readyReplicas
  int32_t available_replicas = 0;   // Σ status.availableReplicas
  int32_t unavailable_replicas = 0; // max(0, Σ spec - available)
  bool operator==(const DeploymentStatusCounts&) const = default;
};

// calculateStatus's counts.
DeploymentStatusCounts CalculateStatus(std::span<const ReplicaSetView> all,
                                       const ReplicaSetView* new_rs);

// DeploymentComplete: updated == replicas == available == spec.replicas.
bool DeploymentComplete(const k8s::DeploymentSpec& d, const DeploymentStatusCounts& status);

// DeploymentProgressing: updated up, old pods down, ready up or available up.
bool DeploymentProgressing(const DeploymentStatusCounts& old_status,
                           const DeploymentStatusCounts& new_status);

// The Deployment's Progressing condition, as far as the deadline needs it.
struct ProgressingCondition {
  enum class Reason {
    kNone,                      // no condition yet
    kNewReplicaSetCreated,      // NewReplicaSetCreated
    kFoundNewReplicaSet,        // FoundNewReplicaSet
    kReplicaSetUpdated,         // ReplicaSetUpdated
    kNewReplicaSetAvailable,    // NewReplicaSetAvailable: the rollout completed
    kProgressDeadlineExceeded,  // ProgressDeadlineExceeded: Progressing=False
    kDeploymentPaused,          // DeploymentPaused: Progressing=Unknown
    kDeploymentResumed,         // DeploymentResumed
  };
  Reason reason = Reason::kNone;
  SimTime last_update;      // lastUpdateTime: the last progress
  SimTime last_transition;  // lastTransitionTime
  bool operator==(const ProgressingCondition&) const = default;
};

// DeploymentTimedOut: the deadline is set (not MaxInt32), the rollout is not
// complete, and either the condition already says ProgressDeadlineExceeded
// or lastUpdateTime + progressDeadlineSeconds is strictly before now.
bool DeploymentTimedOut(const k8s::DeploymentSpec& d, const ProgressingCondition& c,
                        SimTime now);

// requeueStuckDeployment: how long until the deadline check must run again,
// or nullopt when it need not (no deadline, no condition, complete, or
// already timed out). Zero means now.
std::optional<SimDuration> RequeueStuckDeployment(const k8s::DeploymentSpec& d,
                                                  const ProgressingCondition& c,
                                                  const DeploymentStatusCounts& status,
                                                  SimTime now);

}  // namespace kubesim::cluster

#endif  // KUBESIM_CLUSTER_DEPLOYMENT_UTIL_H_
