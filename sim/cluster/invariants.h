// The model's invariants, checked in debug and sanitizer builds and by
// `kubesim run --check`: a violation is a bug in kubesim, never a property
// of the scenario. Each returns what broke, or nullopt. World runs
// CheckChanged after every instant and the full walks (CheckInvariants,
// CheckQuietInstant, CheckIndexes) once per so many instants that their
// cost per instant stays constant, and at the end of the run.
#ifndef KUBESIM_SIM_CLUSTER_INVARIANTS_H_
#define KUBESIM_SIM_CLUSTER_INVARIANTS_H_

#include <optional>
#include <string>

#include "store.h"

namespace kubesim::cluster {

class Prober;

// Node accounting, pod counters, Ready pods bound and running, elided probe
// workers steady, endpoints listing only live Ready selected pods.
std::optional<std::string> CheckInvariants(const Store& store, const Prober& prober);
// CheckInvariants' per-object checks for only what changed in this instant:
// the changed and touched pods, their ReplicaSets, the changed Services.
std::optional<std::string> CheckChanged(const Store& store, const Prober& prober);
// An instant that logged nothing left the client-visible endpoints alone.
std::optional<std::string> CheckQuietInstant(const Store& store);
// The store's indexes equal what a walk of every object finds: Service
// members, the pods' Services and visible Services, nodes' pods, and the
// visible endpoints' serving flags and versions once changes are applied.
std::optional<std::string> CheckIndexes(const Store& store);

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_INVARIANTS_H_
