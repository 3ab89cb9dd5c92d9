// Flagger's scheduler for Deployment targets (flagger_controller.h). Each
// rule cites the function of fluxcd/flagger 15bd6ad it follows.
#include "flagger_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include "traffic_router.h"

namespace kubesim::cluster {

namespace {

using CanaryPhase = FlaggerCanaryState::Phase;
constexpr int32_t kTotalWeight = 100;

bool InAnalysis(CanaryPhase p) {
  return p == CanaryPhase::kProgressing || p == CanaryPhase::kWaitingPromotion ||
         p == CanaryPhase::kPromoting || p == CanaryPhase::kFinalising;
}

uint32_t FindCanary(const Store& store, const std::string& key) {
  const auto it = store.canary_names.find(key);
  return it == store.canary_names.end() ? kNone : it->second;
}

}  // namespace

std::string_view FlaggerPhaseName(FlaggerCanaryState::Phase phase) {
  using Phase = FlaggerCanaryState::Phase;
  switch (phase) {
    case Phase::kInitializing:
      return "Initializing";
    case Phase::kInitialized:
      return "Initialized";
    case Phase::kWaiting:
      return "Waiting";
    case Phase::kProgressing:
      return "Progressing";
    case Phase::kWaitingPromotion:
      return "WaitingPromotion";
    case Phase::kPromoting:
      return "Promoting";
    case Phase::kFinalising:
      return "Finalising";
    case Phase::kSucceeded:
      return "Succeeded";
    case Phase::kFailed:
      return "Failed";
  }
  return "";
}

FlaggerController::FlaggerController(Store& store, Context& ctx, Api& api)
    : store_(store), ctx_(ctx), api_(api) {}

void FlaggerController::Emit(const FlaggerCanaryState& s, const std::string& what) {
  ctx_.EmitLazy([&] { return "canary/" + s.canary.metadata.name; }, [&] { return what; });
}

void FlaggerController::Apply(const k8s::FlaggerCanary& canary) {
  const std::string key = Store::NameKey(canary.metadata.namespace_name, canary.metadata.name);
  uint32_t c = FindCanary(store_, key);
  if (c == kNone) {
    FlaggerCanaryState s;
    s.canary = canary;
    store_.canaries.push_back(std::move(s));
    c = static_cast<uint32_t>(store_.canaries.size() - 1);
    store_.canary_names[key] = c;
    Emit(store_.canaries[c], "created");
  } else {
    store_.canaries[c].canary = canary;
    Emit(store_.canaries[c], "configured");
  }
  FlaggerCanaryState& s = store_.canaries[c];
  // The requests of the canary's pods are kept as long as a metric reads.
  if (s.canary.spec.analysis) {
    for (const k8s::FlaggerMetric& m : s.canary.spec.analysis->metrics) {
      store_.request_window = std::max(store_.request_window, SimDuration::Micros(m.interval_us));
    }
  }
  StartJob(c);
}

void FlaggerController::StartJob(uint32_t c) {
  // scheduleCanaries (every -control-loop-interval from the controller's
  // start) makes a job for a new Canary, and a new one when the interval
  // changed; the job runs at once, then every interval (job.go Start).
  FlaggerCanaryState& s = store_.canaries[c];
  const int64_t interval = s.canary.spec.analysis ? s.canary.spec.analysis->interval_us
                                                  : SimDuration::Seconds(60).micros();
  if (s.tick.valid() && s.job_interval_us == interval) return;
  ctx_.loop().Cancel(s.tick);
  s.job_interval_us = interval;
  const int64_t period = kControlLoopInterval.micros();
  const int64_t next = (ctx_.Now().micros() / period + 1) * period;
  s.tick = ctx_.Schedule(SimDuration::Micros(next - ctx_.Now().micros()), kPhaseControl,
                         EventKind::kFlaggerTick, c);
}

FlaggerController::Deleted FlaggerController::Delete(const std::string& ns,
                                                     const std::string& name) {
  Deleted out;
  const uint32_t c = FindCanary(store_, Store::NameKey(ns, name));
  if (c == kNone) return out;
  FlaggerCanaryState& s = store_.canaries[c];
  ctx_.loop().Cancel(s.tick);
  s.tick = EventId{};
  s.exists = false;
  store_.canary_names.erase(Store::NameKey(ns, name));
  Emit(s, "deleted");
  // The router goes with it (its VirtualService is the Canary's).
  if (s.apex != kNone) {
    ClearSplit(store_.services[s.apex]);
    store_.MarkServiceChanged(s.apex);
    ctx_.MarkChanged();
  }
  EndStep(s, "aborted");
  if (s.target != kNone) {
    // An analysis cut short: the target is an ordinary Deployment again,
    // and its newest rollout ends as a Deployment's does; earlier ones the
    // analysis never finished are over.
    Deployment& d = store_.deployments[s.target];
    d.flagger_target_of = kNone;
    for (size_t i = 0; i + 1 < d.rollouts.size(); ++i) {
      Rollout& r = d.rollouts[i];
      if (!r.complete && !r.aborted) r.superseded = true;
    }
    store_.MarkDeploymentChanged(s.target);
    s.rollout.reset();
    out.target = s.target;
  }
  // Garbage collection: what Flagger created carries the Canary as its
  // controller owner (createPrimaryDeployment, reconcileService).
  if (s.primary != kNone && s.made_primary) {
    out.owned.push_back(k8s::ObjectKey{"Deployment", ns, store_.deployments[s.primary].name});
  }
  for (const auto& [id, made] :
       {std::pair{s.apex, s.made_apex}, std::pair{s.primary_service, s.made_primary_service},
        std::pair{s.canary_service, s.made_canary_service}}) {
    if (id != kNone && made)
      out.owned.push_back(k8s::ObjectKey{"Service", ns, store_.services[id].name});
  }
  return out;
}

void FlaggerController::Tick(uint32_t c) {
  FlaggerCanaryState& s = store_.canaries[c];
  s.tick = ctx_.Schedule(SimDuration::Micros(s.job_interval_us), kPhaseControl,
                         EventKind::kFlaggerTick, c);
  Advance(c);
}

void FlaggerController::ReconcileService(FlaggerCanaryState& s, const std::string& name,
                                         const std::string& value, uint32_t* id, bool* made) {
  // kubernetes_default.go reconcileService: created, or its ports and
  // selector put back (the rest of its spec stays).
  const std::string& ns = s.canary.metadata.namespace_name;
  const uint32_t existing = store_.FindService(ns, name);
  const bool exists = existing != kNone && store_.services[existing].exists;
  k8s::Labels selector{{s.label, value}};
  if (exists && store_.services[existing].selector == selector) {
    *id = existing;
    return;
  }
  if (!exists) *made = true;  // it carries the Canary as its owner
  k8s::Service svc;
  svc.metadata.name = name;
  svc.metadata.namespace_name = ns;
  svc.spec.selector = std::move(selector);
  if (exists) svc.spec.publish_not_ready_addresses = store_.services[existing].publish_not_ready;
  if (s.canary.spec.port > 0) {
    k8s::ServicePort port;
    port.port = s.canary.spec.port;
    svc.spec.ports.push_back(port);
  }
  api_.Write(svc);
  *id = store_.FindService(ns, name);
}

bool FlaggerController::CreatePrimary(FlaggerCanaryState& s) {
  const Deployment& target = store_.deployments[s.target];
  // getSelectorLabel: the first of -selector-labels in matchLabels.
  if (s.label.empty()) {
    for (const char* key : {"app", "name", "app.kubernetes.io/name"}) {
      const auto it = target.spec.selector.match_labels.find(key);
      if (it == target.spec.selector.match_labels.end()) continue;
      s.label = key;
      s.label_value = it->second;
      break;
    }
    if (s.label.empty()) return false;
  }
  const std::string name = target.name + "-primary";
  const std::string ns = target.namespace_name;  // a copy: Write may move the Deployments
  s.primary = store_.FindDeployment(ns, name);
  if (s.primary != kNone) {
    // An existing one is used as it is (and not owned: it stays when the
    // Canary goes).
    store_.deployments[s.primary].flagger_primary_of =
        static_cast<uint32_t>(&s - store_.canaries.data());
    return true;
  }
  // createPrimaryDeployment: the target's spec, replicas at least 1, the
  // selector and pod label `<value>-primary`.
  k8s::Deployment primary;
  primary.metadata.name = name;
  primary.metadata.namespace_name = ns;
  primary.spec = target.spec;
  primary.spec.replicas = target.spec.replicas > 0 ? target.spec.replicas : 1;
  primary.spec.selector = k8s::LabelSelector{};
  primary.spec.selector.match_labels[s.label] = s.label_value + "-primary";
  primary.spec.template_.metadata.labels[s.label] = s.label_value + "-primary";
  api_.Write(primary);
  s.made_primary = true;
  s.primary = store_.FindDeployment(ns, name);
  store_.deployments[s.primary].flagger_primary_of =
      static_cast<uint32_t>(&s - store_.canaries.data());
  Emit(s, fmt::format("deployment/{} created", name));
  return true;
}

void FlaggerController::Scale(uint32_t d, int32_t replicas) {
  const Deployment& dep = store_.deployments[d];
  if (dep.spec.replicas == replicas) return;
  api_.ScaleDeployment(dep.namespace_name, dep.name, dep.spec, replicas);
}

void FlaggerController::ScaleToZero(FlaggerCanaryState& s) { Scale(s.target, 0); }

void FlaggerController::ScaleFromZero(FlaggerCanaryState& s) {
  // deployment_controller.go ScaleFromZero: the target's own replicas if it
  // has some, else (no autoscaler) the primary's.
  const Deployment& target = store_.deployments[s.target];
  if (target.spec.replicas > 0) return;
  int32_t replicas = 1;
  if (s.primary != kNone && store_.deployments[s.primary].spec.replicas > 0) {
    replicas = store_.deployments[s.primary].spec.replicas;
  }
  Scale(s.target, replicas);
}

void FlaggerController::Promote(FlaggerCanaryState& s) {
  // deployment_controller.go Promote: the target's template (pod label
  // rewritten, a fresh flagger-id annotation), strategy, minReadySeconds,
  // progressDeadlineSeconds, revisionHistoryLimit and (no autoscaler)
  // replicas onto the primary.
  const Deployment& target = store_.deployments[s.target];
  const Deployment& primary = store_.deployments[s.primary];
  k8s::Deployment obj;
  obj.metadata.name = primary.name;
  obj.metadata.namespace_name = primary.namespace_name;
  obj.spec = primary.spec;
  obj.spec.template_ = target.spec.template_;
  obj.spec.template_.metadata.labels[s.label] = s.label_value + "-primary";
  obj.spec.template_.metadata.annotations["flagger-id"] = fmt::format("{}", ++s.promotions);
  obj.spec.strategy = target.spec.strategy;
  obj.spec.min_ready_seconds = target.spec.min_ready_seconds;
  obj.spec.progress_deadline_seconds = target.spec.progress_deadline_seconds;
  obj.spec.revision_history_limit = target.spec.revision_history_limit;
  obj.spec.replicas = target.spec.replicas;
  const std::string what = fmt::format("Copying {}.{} template spec to {}.{}", target.name,
                                       target.namespace_name, primary.name, primary.namespace_name);
  api_.Write(obj);
  Emit(s, what);
}

FlaggerController::Readiness FlaggerController::DeploymentReady(const FlaggerCanaryState& s,
                                                                uint32_t d,
                                                                int32_t threshold) const {
  // deployment_ready.go isDeploymentReady, in its order.
  const Deployment& dep = store_.deployments[d];
  Readiness r;
  r.ready = false;
  if (dep.generation > dep.observed_generation) {
    r.why = fmt::format(
        "waiting for rollout to finish: observed deployment generation less than "
        "desired generation");
    return r;
  }
  // Stuck: Available=False (MinimumReplicasUnavailable) for longer than
  // the Canary's progressDeadlineSeconds makes the waits below final.
  if (dep.progressing.reason != ProgressingCondition::Reason::kNone && dep.unavailable_since &&
      *dep.unavailable_since + SimDuration::Seconds(s.canary.spec.progress_deadline_seconds) <
          ctx_.Now()) {
    r.retriable = false;
  }
  if (dep.progressing.reason == ProgressingCondition::Reason::kProgressDeadlineExceeded) {
    r.retriable = false;
    r.why = fmt::format("deployment \"{}\" exceeded its progress deadline", dep.name);
    return r;
  }
  const DeploymentStatusCounts& st = dep.status;
  if (st.updated_replicas < dep.spec.replicas) {
    r.why =
        fmt::format("waiting for rollout to finish: {} out of {} new replicas have been updated",
                    st.updated_replicas, dep.spec.replicas);
    return r;
  }
  if (st.replicas > st.updated_replicas) {
    r.why = fmt::format("waiting for rollout to finish: {} old replicas are pending termination",
                        st.replicas - st.updated_replicas);
    return r;
  }
  if (const int32_t needed = st.updated_replicas * threshold / 100;
      st.available_replicas < needed) {
    r.why = fmt::format(
        "waiting for rollout to finish: {} of {} (readyThreshold {}%) updated replicas are "
        "available",
        st.available_replicas, needed, threshold);
    return r;
  }
  r.ready = true;
  return r;
}

void FlaggerController::SetRoutes(FlaggerCanaryState& s, int32_t canary_weight) {
  // The mesh router's SetRoutes; the kubernetes provider's is a no-op
  // (router/kubernetes_noop.go).
  if (!k8s::FlaggerRoutes(s.canary.spec) || s.apex == kNone || s.canary_service == kNone) return;
  if (s.route_weight == canary_weight) return;
  s.route_weight = canary_weight;
  Emit(s,
       fmt::format("routes: primary {}%, canary {}%", kTotalWeight - canary_weight, canary_weight));
  SetRouterWeight(store_, ctx_, s.apex, s.canary_service, canary_weight);
}

int32_t FlaggerController::RouteWeight(const FlaggerCanaryState& s) const {
  // GetRoutes. The kubernetes provider's mesh router (NopRouter) answers
  // 0/100 once iterations began, else 100/0.
  if (!k8s::FlaggerRoutes(s.canary.spec)) return s.iterations > 0 ? kTotalWeight : 0;
  return s.route_weight;
}

Rollout* FlaggerController::CurrentRollout(FlaggerCanaryState& s) {
  if (s.target == kNone || !s.rollout) return nullptr;
  Deployment& d = store_.deployments[s.target];
  if (*s.rollout >= d.rollouts.size()) return nullptr;
  Rollout& r = d.rollouts[*s.rollout];
  if (r.superseded || r.complete || r.aborted) return nullptr;
  return &r;
}

void FlaggerController::BindRollout(FlaggerCanaryState& s) {
  Deployment& d = store_.deployments[s.target];
  s.rollout.reset();
  if (d.rollouts.empty()) return;
  for (size_t i = 0; i + 1 < d.rollouts.size(); ++i) {
    Rollout& r = d.rollouts[i];
    if (r.complete || r.aborted || r.superseded) continue;
    r.superseded = true;
    store_.MarkDeploymentChanged(s.target);
  }
  const Rollout& last = d.rollouts.back();
  if (!last.complete && !last.aborted && !last.superseded) s.rollout = d.rollouts.size() - 1;
}

void FlaggerController::SettleRollouts(FlaggerCanaryState& s, std::string_view why) {
  Deployment& d = store_.deployments[s.target];
  for (Rollout& r : d.rollouts) {
    if (r.complete || r.aborted || r.superseded) continue;
    r.superseded = true;
    store_.MarkDeploymentChanged(s.target);
    ctx_.EmitLazy([&] { return WorkloadLabel(d); },
                  [&] { return fmt::format("rollout to revision {}: {}", r.info.revision, why); });
  }
}

void FlaggerController::EndRollout(FlaggerCanaryState& s, bool succeeded) {
  Rollout* r = CurrentRollout(s);
  s.rollout.reset();
  if (r == nullptr) return;
  store_.MarkDeploymentChanged(s.target);
  const Deployment& d = store_.deployments[s.target];
  if (succeeded) {
    r->complete = true;
    r->settled_at = ctx_.Now();
    ctx_.EmitLazy([&] { return WorkloadLabel(d); },
                  [&] { return fmt::format("rollout to revision {} complete", r->info.revision); });
    for (Observer* o : ctx_.observers()) o->OnRolloutComplete(ctx_.Now(), r->info);
  } else {
    r->aborted = true;
    ctx_.EmitLazy([&] { return WorkloadLabel(d); },
                  [&] { return fmt::format("rollout to revision {} failed", r->info.revision); });
  }
}

void FlaggerController::StartStep(FlaggerCanaryState& s, std::string_view kind, int32_t weight) {
  EndStep(s, "completed");
  Rollout* r = CurrentRollout(s);
  if (r == nullptr) return;
  const int32_t index = s.step && s.step_rollout.start == r->info.start ? *s.step + 1 : 0;
  s.step = index;
  s.step_kind = kind;
  s.step_weight = weight;
  s.step_rollout = r->info;
  s.checks = s.failures = 0;
  RolloutStepInfo info;
  info.rollout = r->info;
  info.index = index;
  info.kind = kind;
  info.weight = weight;
  info.canary_replicas = store_.deployments[s.target].spec.replicas;
  info.stable_replicas = s.primary == kNone ? 0 : store_.deployments[s.primary].spec.replicas;
  for (Observer* o : ctx_.observers()) o->OnRolloutStep(ctx_.Now(), info);
}

void FlaggerController::EndStep(FlaggerCanaryState& s, std::string_view result) {
  if (!s.step || s.step_kind.empty()) return;
  RolloutStepInfo info;
  info.rollout = s.step_rollout;
  info.index = *s.step;
  info.kind = s.step_kind;
  info.ended = true;
  info.result = result;
  info.weight = s.step_weight;
  info.canary_replicas = s.target == kNone ? 0 : store_.deployments[s.target].spec.replicas;
  info.stable_replicas = s.primary == kNone ? 0 : store_.deployments[s.primary].spec.replicas;
  info.analysis = s.checks == 0 ? "" : s.failures > 0 ? "Failed" : "Successful";
  s.step_kind = {};
  for (Observer* o : ctx_.observers()) o->OnRolloutStep(ctx_.Now(), info);
}

void FlaggerController::SetPhase(FlaggerCanaryState& s, Phase phase) {
  if (s.phase == phase) return;
  s.phase = phase;
  Emit(s, fmt::format("phase {}", FlaggerPhaseName(phase)));
}

void FlaggerController::SyncStatus(FlaggerCanaryState& s, Phase phase) {
  // status.go syncCanaryStatus: the counters as given (here 0), and
  // lastAppliedSpec the target's template now.
  s.failed_checks = 0;
  s.canary_weight = 0;
  s.iterations = 0;
  s.last_applied = store_.deployments[s.target].spec.template_;
  if (phase == Phase::kInitialized) s.last_promoted = s.last_applied;
  SetPhase(s, phase);
}

void FlaggerController::Rollback(FlaggerCanaryState& s, std::string_view why) {
  // scheduler.go rollback: all traffic to the primary, the canary scaled
  // to zero, Failed (failedChecks back to 0).
  Emit(s, fmt::format("Rolling back {}.{}: {}", s.canary.metadata.name,
                      s.canary.metadata.namespace_name, why));
  SetRoutes(s, 0);
  ScaleToZero(s);
  EndStep(s, "aborted");
  SyncStatus(s, Phase::kFailed);
  EndRollout(s, /*succeeded=*/false);
}

std::optional<double> FlaggerController::Measure(const FlaggerCanaryState& s,
                                                 const k8s::FlaggerMetric& m, bool latency) const {
  // The canary workload's requests over the metric's interval (the http
  // and istio observers select the target's pods, never the primary's).
  const int64_t from = (ctx_.Now() - SimDuration::Micros(m.interval_us)).SinceStart().micros();
  RequestWindow w =
      RequestsAfter(store_.rs_requests, store_.deployments[s.target].replica_sets, from,
                    latency ? RequestWindow::Latencies::kAll : RequestWindow::Latencies::kNone);
  // prometheus.go RunQuery: no sample, or NaN, is ErrNoValuesFound.
  if (w.total == 0) return std::nullopt;
  if (latency) return NearestRankQuantile(w.latencies, 0.99);  // microseconds
  return 100.0 * static_cast<double>(w.ok) / static_cast<double>(w.total);
}

std::optional<std::string> FlaggerController::RunAnalysis(FlaggerCanaryState& s) {
  // scheduler_metrics.go runBuiltinMetricChecks, then runMetricChecks: the
  // first failure ends the analysis of this run.
  using Source = k8s::FlaggerMetric::Source;
  const std::string& name = s.canary.metadata.name;
  const std::string& ns = s.canary.metadata.namespace_name;
  for (const k8s::FlaggerMetric& m : s.canary.spec.analysis->metrics) {
    if (m.source == Source::kTemplated) continue;  // not simulated: warned at load
    if (m.source == Source::kUnusable) {
      return std::string(
          "Metric query failed for no usable metrics template and query were "
          "configured");
    }
    const bool duration = m.source == Source::kDuration;
    const std::optional<double> v = Measure(s, m, duration);
    if (!v) {
      return fmt::format(
          "Halt advancement no values found for {} metric {} probably {}.{} is "
          "not receiving traffic",
          k8s::FlaggerRoutes(s.canary.spec) ? "istio" : "kubernetes", m.name,
          s.canary.spec.target_name, ns);
    }
    if (duration) {
      // A time.Duration against milliseconds: the istio observer reads the
      // p99 in whole ms; a bound converts to whole ms.
      const auto ms = static_cast<int64_t>(*v / 1000.0);
      const auto bound = [](double b) { return static_cast<int64_t>(b); };
      if (m.range) {
        if (m.min && ms < bound(*m.min)) {
          return fmt::format("Halt {}.{} advancement request duration {}ms < {}ms", name, ns, ms,
                             bound(*m.min));
        }
        if (m.max && ms > bound(*m.max)) {
          return fmt::format("Halt {}.{} advancement request duration {}ms > {}ms", name, ns, ms,
                             bound(*m.max));
        }
      } else if (ms > bound(m.threshold)) {
        return fmt::format("Halt {}.{} advancement request duration {}ms > {}ms", name, ns, ms,
                           bound(m.threshold));
      }
      continue;
    }
    if (m.range) {
      if (m.min && *v < *m.min) {
        return fmt::format("Halt {}.{} advancement success rate {:.2f}% < {}%", name, ns, *v,
                           *m.min);
      }
      if (m.max && *v > *m.max) {
        return fmt::format("Halt {}.{} advancement success rate {:.2f}% > {}%", name, ns, *v,
                           *m.max);
      }
    } else if (m.threshold > *v) {
      return fmt::format("Halt {}.{} advancement success rate {:.2f}% < {}%", name, ns, *v,
                         m.threshold);
    }
  }
  return std::nullopt;
}

void FlaggerController::Advance(uint32_t c) {
  FlaggerCanaryState& s = store_.canaries[c];
  const k8s::FlaggerCanarySpec& spec = s.canary.spec;
  if (spec.suspend) return;
  const std::string& ns = s.canary.metadata.namespace_name;
  const uint32_t target = store_.FindDeployment(ns, spec.target_name);
  if (target == kNone) {
    // The target gone (deleted: its rollouts ended with it): an analysis
    // under way stops here.
    EndStep(s, "aborted");
    s.target = kNone;
    s.rollout.reset();
    Emit(s, fmt::format("deployment {}.{} get query error: not found", spec.target_name, ns));
    return;
  }
  s.target = target;
  store_.deployments[s.target].flagger_target_of = c;
  store_.deployments[s.target].records_requests = true;
  // kubeRouter.Initialize (every run): the canary and primary Services;
  // canaryController.Initialize: the primary Deployment.
  if (!CreatePrimary(s)) {
    Emit(s, fmt::format("getSelectorLabel failed: Deployment {}.{} spec.selector.matchLabels "
                        "must contain one of [app name app.kubernetes.io/name]",
                        spec.target_name, ns));
    return;
  }
  const std::string service = spec.service_name.empty() ? spec.target_name : spec.service_name;
  ReconcileService(s, service + "-canary", s.label_value, &s.canary_service,
                   &s.made_canary_service);
  ReconcileService(s, service + "-primary", s.label_value + "-primary", &s.primary_service,
                   &s.made_primary_service);
  const bool skip = spec.skip_analysis || !spec.analysis;  // SkipAnalysis
  const k8s::FlaggerAnalysis no_analysis;
  const k8s::FlaggerAnalysis& analysis = spec.analysis ? *spec.analysis : no_analysis;
  if (s.phase == Phase::kInitializing && !skip) {
    const Readiness r = DeploymentReady(s, s.primary, analysis.primary_ready_threshold);
    if (!r.ready) {
      Emit(s, fmt::format("{}-primary.{} not ready: {}", spec.target_name, ns, r.why));
      if (!r.retriable) Rollback(s, r.why);
      return;
    }
  }
  // kubeRouter.Reconcile: the apex Service selects the primary's pods.
  ReconcileService(s, service, s.label_value + "-primary", &s.apex, &s.made_apex);
  bool initialized = false;
  if (s.phase == Phase::kInitializing) {
    ScaleToZero(s);
    // setPhaseInitialized.
    SyncStatus(s, Phase::kInitialized);
    Emit(s, fmt::format("Initialization done! {}.{}", s.canary.metadata.name, ns));
    initialized = true;
  }
  // shouldAdvance.
  const k8s::PodTemplateSpec& now = store_.deployments[s.target].spec.template_;
  const auto target_changed = [&] {
    // hasSpecChanged: a template back at the promoted one is a manual
    // rollback, not a new revision.
    if (!s.last_applied) return true;
    if (s.last_promoted && *s.last_promoted == now) return false;
    return *s.last_applied != now;
  };
  bool advance = s.phase == Phase::kProgressing || s.phase == Phase::kWaiting ||
                 s.phase == Phase::kWaitingPromotion || s.phase == Phase::kPromoting ||
                 s.phase == Phase::kFinalising;
  if (!advance) {
    advance = target_changed();
    // "Make sure to sync lastAppliedSpec even if the canary is in a failed state."
    if (s.phase == Phase::kFailed) s.last_applied = now;
  }
  if (!advance) {
    // A template change Flagger will not analyse: the promoted template
    // again (a manual rollback), or one it took as applied.
    SettleRollouts(s, initialized ? "changed before Flagger initialized: taken as promoted, "
                                    "never analysed (the primary runs the template it copied)"
                      : s.last_promoted && *s.last_promoted == now
                          ? "the promoted template again: a manual rollback, not analysed"
                          : "taken as applied by Flagger: not analysed");
    return;
  }
  if (!skip) {
    const Readiness r = DeploymentReady(s, s.primary, analysis.primary_ready_threshold);
    if (!r.ready) {
      Emit(s, fmt::format("{}-primary.{} not ready: {}", spec.target_name, ns, r.why));
      if (!r.retriable) {
        if (s.phase == Phase::kPromoting || s.phase == Phase::kFinalising) {
          // handleFailedPromotion: all traffic to the canary, which stays;
          // Failed with the canary's weight at 100.
          SetRoutes(s, kTotalWeight);
          EndStep(s, "aborted");
          SyncStatus(s, Phase::kFailed);
          s.canary_weight = kTotalWeight;
          EndRollout(s, /*succeeded=*/false);
        } else {
          Rollback(s, r.why);
        }
      }
      return;
    }
  }
  const int32_t canary_weight = RouteWeight(s);
  // checkCanaryStatus: a new revision scales the canary up; that is all
  // this run does.
  if (!InAnalysis(s.phase)) {
    Emit(s, fmt::format("New revision detected! Scaling up {}.{}", spec.target_name, ns));
    ScaleFromZero(s);
    SyncStatus(s, Phase::kProgressing);
    BindRollout(s);
    return;
  }
  // hasCanaryRevisionChanged: the target changed again mid-analysis.
  if ((s.phase == Phase::kProgressing || s.phase == Phase::kWaitingPromotion) && target_changed()) {
    Emit(s,
         fmt::format("New revision detected! Restarting analysis for {}.{}", spec.target_name, ns));
    SetRoutes(s, 0);
    EndStep(s, "superseded");
    SyncStatus(s, Phase::kProgressing);
    BindRollout(s);
    return;
  }
  // IsCanaryReady.
  if (const Readiness r = DeploymentReady(s, s.target, analysis.canary_ready_threshold); !r.ready) {
    Emit(s, fmt::format("{}.{} not ready: {}", spec.target_name, ns, r.why));
    if (!r.retriable) Rollback(s, r.why);
    return;
  }
  // shouldSkipAnalysis.
  if (skip) {
    SetRoutes(s, 0);
    Promote(s);
    ScaleToZero(s);
    EndStep(s, "promoted");
    s.last_promoted = s.last_applied;
    SetPhase(s, Phase::kSucceeded);
    EndRollout(s, /*succeeded=*/true);
    return;
  }
  if (s.phase == Phase::kPromoting) {
    // runPromotionTrafficShift: the kubernetes provider finalises at once;
    // a router moves stepWeightPromotion at a time, or all at once.
    if (!k8s::FlaggerRoutes(spec)) {
      SetPhase(s, Phase::kFinalising);
      return;
    }
    if (analysis.step_weight_promotion == 0) {
      SetRoutes(s, 0);
      SetPhase(s, Phase::kFinalising);
      return;
    }
    const int32_t primary =
        std::min(kTotalWeight, kTotalWeight - canary_weight + analysis.step_weight_promotion);
    SetRoutes(s, kTotalWeight - primary);
    s.canary_weight = kTotalWeight - primary;
    if (primary == kTotalWeight) SetPhase(s, Phase::kFinalising);
    return;
  }
  if (s.phase == Phase::kFinalising) {
    // ScaleToZero, then Succeeded (lastPromotedSpec = lastAppliedSpec).
    ScaleToZero(s);
    EndStep(s, "completed");
    s.last_promoted = s.last_applied;
    s.canary_weight = 0;
    s.iterations = 0;
    SetPhase(s, Phase::kSucceeded);
    Emit(s, fmt::format("Promotion completed! Scaling down {}.{}", spec.target_name, ns));
    EndRollout(s, /*succeeded=*/true);
    return;
  }
  // The threshold, before this run's analysis.
  if ((s.phase == Phase::kProgressing || s.phase == Phase::kWaitingPromotion) &&
      s.failed_checks >= analysis.threshold) {
    Rollback(s, fmt::format("failed checks threshold reached {}", s.failed_checks));
    return;
  }
  if (canary_weight == 0 && s.iterations == 0) {
    // The first analysis run: pre-rollout hooks only (not called: they pass).
  } else if (std::optional<std::string> failure = RunAnalysis(s)) {
    ++s.failed_checks;
    ++s.checks;
    ++s.failures;
    Emit(s, *failure);
    return;
  } else {
    ++s.checks;
  }
  const int32_t iterations = k8s::FlaggerIterations(spec);
  const int32_t shown = k8s::FlaggerRoutes(spec) ? s.route_weight : 0;
  switch (k8s::FlaggerStrategyOf(spec)) {
    case k8s::FlaggerStrategy::kABTesting:
      // runAB: the matched requests to the canary (kubesim's clients
      // match no header or cookie: the split moves no request).
      if (iterations > s.iterations) {
        ++s.iterations;
        StartStep(s, "iteration", 0);
        return;
      }
      Promote(s);
      StartStep(s, "promotion", 0);
      SetPhase(s, Phase::kPromoting);
      return;
    case k8s::FlaggerStrategy::kBlueGreen:
      // runBlueGreen.
      if (iterations > s.iterations) {
        ++s.iterations;
        StartStep(s, "iteration", shown);
        return;
      }
      if (iterations == s.iterations) {
        // All traffic to the canary (a router), then one more iteration.
        SetRoutes(s, kTotalWeight);
        ++s.iterations;
        StartStep(s, "iteration", k8s::FlaggerRoutes(spec) ? kTotalWeight : 0);
        return;
      }
      Promote(s);
      StartStep(s, "promotion", shown);
      SetPhase(s, Phase::kPromoting);
      return;
    case k8s::FlaggerStrategy::kCanary: {
      // runCanary.
      const int32_t step = k8s::FlaggerNextStepWeight(analysis, canary_weight);
      if (step <= 0) return;
      if (canary_weight < k8s::FlaggerMaxWeight(analysis)) {
        const int32_t next = std::min(kTotalWeight, canary_weight + step);
        SetRoutes(s, next);
        s.canary_weight = next;
        StartStep(s, "setWeight", next);
        return;
      }
      Promote(s);
      StartStep(s, "promotion", canary_weight);
      SetPhase(s, Phase::kPromoting);
      return;
    }
  }
}

}  // namespace kubesim::cluster
