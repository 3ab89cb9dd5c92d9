#include "unhonoured.h"

#include <array>
#include <string>
#include <vector>

#include "kubesim/engine/time.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::k8s {
namespace {

bool ScalarIs(const yaml::Node& v, std::string_view value) {
  return v.IsScalar() && v.scalar == value;
}
bool NonEmptyList(const yaml::Node& v) { return !v.IsSequence() || !v.items.empty(); }
bool NonEmptyMap(const yaml::Node& v) { return !v.IsMap() || !v.entries.empty(); }
// "" (and null) is the field unset.
bool NonEmptyScalar(const yaml::Node& v) { return !v.IsScalar() || !v.scalar.empty(); }
// 0 is no priority, as without a priority class.
bool NonZero(const yaml::Node& v) {
  return !v.IsScalar() || (v.scalar != "0" && !v.scalar.empty());
}
// "" defaults to default-scheduler (SetDefaults_PodSpec).
bool OtherScheduler(const yaml::Node& v) {
  return !v.IsScalar() || (!v.scalar.empty() && v.scalar != "default-scheduler");
}

// A lifecycle handler that takes time as kubesim reads a preStop's
// (PreStopDuration): a sleep action of more than 0 s, or an exec with a
// positive ExecSleepDuration.
bool HandlerTakesTime(const yaml::Node& h) {
  if (!h.IsMap()) return false;
  if (const yaml::Node* sleep = h.Get("sleep"); sleep != nullptr && sleep->IsMap()) {
    const yaml::Node* seconds = sleep->Get("seconds");
    return seconds != nullptr && NonZero(*seconds) && !seconds->IsNull();
  }
  const yaml::Node* exec = h.Get("exec");
  const yaml::Node* command = exec != nullptr && exec->IsMap() ? exec->Get("command") : nullptr;
  if (command == nullptr || !command->IsSequence()) return false;
  std::vector<std::string> words;
  for (const yaml::NodePtr& word : command->items) {
    if (word->IsScalar()) words.push_back(word->scalar);
  }
  return ExecSleepDuration(words) > SimDuration::Zero();
}

bool AnyPersistentVolumeClaim(const yaml::Node& volumes) {
  if (!volumes.IsSequence()) return false;
  for (const yaml::NodePtr& v : volumes.items) {
    const yaml::Node* claim = v->IsMap() ? v->Get("persistentVolumeClaim") : nullptr;
    if (claim != nullptr && !claim->IsNull()) return true;
  }
  return false;
}

constexpr std::string_view kPreemption =
    "pod priority and preemption are not simulated: the pod is scheduled in its turn and never "
    "preempts a pod of lower priority";

const std::array kFields = {
    // PodSpec (k8s.io/api core/v1 types.go).
    UnhonouredField{"PodSpec", "priorityClassName", "not empty", kPreemption, NonEmptyScalar},
    UnhonouredField{"PodSpec", "priority", "not 0", kPreemption, NonZero},
    UnhonouredField{"PodSpec", "schedulerName", "other than `default-scheduler` (or empty)",
                    "kubesim's scheduler places the pod; in Kubernetes it stays Pending until the "
                    "scheduler it names binds it",
                    OtherScheduler},
    UnhonouredField{"PodSpec", "activeDeadlineSeconds", "any value",
                    "the kubelet would fail the pod this many seconds after it started "
                    "(DeadlineExceeded); kubesim never does"},
    UnhonouredField{"PodSpec", "runtimeClassName", "not empty",
                    "a RuntimeClass's pod overhead and node selector are not applied: the "
                    "pod's requests and placement ignore them",
                    NonEmptyScalar},
    UnhonouredField{"PodSpec", "overhead", "not empty",
                    "pod overhead is not added to the pod's requests", NonEmptyMap},
    UnhonouredField{"PodSpec", "resourceClaims", "a non-empty list",
                    "dynamic resource allocation is not simulated: the pod schedules without "
                    "its claims",
                    NonEmptyList},
    UnhonouredField{"PodSpec", "volumes", "an item with `persistentVolumeClaim`",
                    "persistent volumes are not simulated: no volume binding, attach or mount "
                    "time, and the scheduler ignores the volume's node affinity",
                    AnyPersistentVolumeClaim},
    // Container.
    UnhonouredField{"Container", "lifecycle.postStart",
                    "a `sleep` of more than 0 s, or an `exec` of `sleep N`",
                    "the hook takes no time in kubesim; the kubelet waits for it before it "
                    "starts the pod's next container",
                    HandlerTakesTime},
    UnhonouredField{"Container", "restartPolicyRules", "a non-empty list",
                    "container restart rules are not simulated: the container restarts as "
                    "the pod's restartPolicy says",
                    NonEmptyList},
    // ServiceSpec.
    UnhonouredField{"ServiceSpec", "sessionAffinity", "`ClientIP`",
                    "each request picks an endpoint: with ClientIP affinity a client would "
                    "stay on one pod",
                    [](const yaml::Node& v) { return ScalarIs(v, "ClientIP"); }},
    UnhonouredField{"ServiceSpec", "internalTrafficPolicy", "`Local`",
                    "traffic is not routed by node: with Local a client reaches only the "
                    "endpoints on its own node, and none where there are none",
                    [](const yaml::Node& v) { return ScalarIs(v, "Local"); }},
    UnhonouredField{"ServiceSpec", "externalTrafficPolicy", "`Local`",
                    "traffic is not routed by node: with Local an external client's node "
                    "forwards only to endpoints on that node",
                    [](const yaml::Node& v) { return ScalarIs(v, "Local"); }},
    UnhonouredField{"ServiceSpec", "trafficDistribution", "any value",
                    "topology-aware routing is not simulated: requests spread over every "
                    "endpoint, whatever its zone or node"},
    // ObjectMeta, of any object and of a pod template.
    UnhonouredField{"ObjectMeta", "finalizers", "a non-empty list",
                    "finalizers are not simulated: a deleted object goes when its deletion "
                    "finishes, without waiting for a controller to remove them",
                    NonEmptyList},
};

}  // namespace

std::span<const UnhonouredField> UnhonouredFields() { return kFields; }

const yaml::Node* FieldAt(const yaml::Node& map, std::string_view dotted) {
  const yaml::Node* n = &map;
  while (n != nullptr) {
    const size_t dot = dotted.find('.');
    if (!n->IsMap()) return nullptr;
    n = n->Get(dotted.substr(0, dot));
    if (dot == std::string_view::npos) return n;
    dotted.remove_prefix(dot + 1);
  }
  return nullptr;
}

}  // namespace kubesim::k8s
