// Flagger's scheduler (fluxcd/flagger pkg/controller/scheduler.go at 15bd6ad)
// for Canaries whose target is a Deployment: one analysis job per Canary,
// started at the controller's next 10-second scheduleCanaries pass after
// the Canary appears, run at once and then every `analysis.interval`. Each
// run is one advanceCanary: the primary Deployment and the Services made or
// put back, the target scaled to zero once initialized, a new revision
// detected and the canary scaled up, readiness checked, the threshold and
// the builtin metrics judged over the simulated requests, the weight or
// iteration advanced, the primary promoted by a rolling update, or the
// canary rolled back (docs/progressive-delivery.md, "Flagger").
//
// Flagger writes through the API (Api::Write) as its clients do: the
// primary Deployment is an ordinary Deployment, synced by the Deployment
// controller. With any provider but `kubernetes` the router is an exact
// split of the apex Service's requests to the canary Service
// (traffic_router.h); the kubernetes provider has no router: production
// traffic stays on the primary, and the analysis is blue/green.
#ifndef KUBESIM_SIM_CLUSTER_FLAGGER_CONTROLLER_H_
#define KUBESIM_SIM_CLUSTER_FLAGGER_CONTROLLER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "api.h"
#include "context.h"
#include "store.h"

namespace kubesim::cluster {

std::string_view FlaggerPhaseName(FlaggerCanaryState::Phase phase);

class FlaggerController {
 public:
  FlaggerController(Store& store, Context& ctx, Api& api);

  // A Canary applied (created or changed).
  void Apply(const k8s::FlaggerCanary& canary);
  // A Canary deleted: its job stops and its router goes. What the garbage
  // collector then deletes (the objects Flagger created, which it owns:
  // the primary Deployment, its Services) is returned, with the target,
  // which its Deployment controller takes back.
  struct Deleted {
    std::vector<k8s::ObjectKey> owned;
    uint32_t target = kNone;
  };
  Deleted Delete(const std::string& ns, const std::string& name);
  // kFlaggerTick: the Canary's analysis job runs (advanceCanary).
  void Tick(uint32_t c);

  // The controller's scheduleCanaries period (-control-loop-interval).
  static constexpr SimDuration kControlLoopInterval = SimDuration::Seconds(10);

 private:
  using Phase = FlaggerCanaryState::Phase;
  void Advance(uint32_t c);  // advanceCanary
  void StartJob(uint32_t c);
  // The objects Flagger makes: Services (kubernetes_default.go
  // reconcileService) and the primary Deployment (createPrimaryDeployment).
  void ReconcileService(FlaggerCanaryState& s, const std::string& name, const std::string& value,
                        uint32_t* id, bool* made);
  bool CreatePrimary(FlaggerCanaryState& s);  // false: the target has no selector label
  void Scale(uint32_t d, int32_t replicas);
  void ScaleToZero(FlaggerCanaryState& s);
  void ScaleFromZero(FlaggerCanaryState& s);
  void Promote(FlaggerCanaryState& s);
  // isDeploymentReady (deployment_ready.go): ready; else whether a retry may help.
  struct Readiness {
    bool ready = true;
    bool retriable = true;
    std::string why;
  };
  Readiness DeploymentReady(const FlaggerCanaryState& s, uint32_t d, int32_t threshold) const;
  void SetRoutes(FlaggerCanaryState& s, int32_t canary_weight);
  // The routes the router reports (GetRoutes): the canary's weight.
  int32_t RouteWeight(const FlaggerCanaryState& s) const;
  void SyncStatus(FlaggerCanaryState& s, Phase phase);  // a new run: counters to 0
  void SetPhase(FlaggerCanaryState& s, Phase phase);
  void Rollback(FlaggerCanaryState& s, std::string_view why);
  // runAnalysis's builtin metrics: the first failing check's message, or
  // nullopt when every metric passed.
  std::optional<std::string> RunAnalysis(FlaggerCanaryState& s);
  std::optional<double> Measure(const FlaggerCanaryState& s, const k8s::FlaggerMetric& m,
                                bool latency) const;
  // Observers: a step (weight, iteration, promotion) started or ended.
  void StartStep(FlaggerCanaryState& s, std::string_view kind, int32_t weight);
  void EndStep(FlaggerCanaryState& s, std::string_view result);
  // The target's rollout the current analysis judges (null: none).
  Rollout* CurrentRollout(FlaggerCanaryState& s);
  // A new analysis judges the target's newest template: earlier template
  // changes it never saw end superseded.
  void BindRollout(FlaggerCanaryState& s);
  // Idle (no analysis to run): a template change Flagger will not analyse
  // (back at the promoted one, a manual rollback; or one it took as
  // applied) ends superseded.
  void SettleRollouts(FlaggerCanaryState& s, std::string_view why);
  void EndRollout(FlaggerCanaryState& s, bool succeeded);
  void Emit(const FlaggerCanaryState& s, const std::string& what);

  Store& store_;
  Context& ctx_;
  Api& api_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_FLAGGER_CONTROLLER_H_
