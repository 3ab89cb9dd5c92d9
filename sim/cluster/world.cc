// The World: the store, the context and the controllers wired together,
// the run loop, and the dispatch of each event to the controller it is for.
// See world.h.
#include "world.h"

#include <algorithm>

#include "invariants.h"
#include "traffic_router.h"

namespace kubesim::cluster {
namespace {

constexpr SimDuration kDefaultTail =
    SimDuration::Minutes(1);  // docs/scenario-format.md `until` default
constexpr SimDuration kDefaultUntilCap = SimDuration::Hours(24);  // a rollout that never settles

}  // namespace

std::string_view PodStateName(PodState s) {
  switch (s) {
    case PodState::kPending:
      return "Pending";
    case PodState::kPulling:
      return "Pulling";
    case PodState::kStarting:
      return "Starting";
    case PodState::kReady:
      return "Ready";
    case PodState::kTerminating:
      return "Terminating";
    case PodState::kGone:
      return "Gone";
  }
  return "?";
}

World::World(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed,
             const SimulationOptions& options)
    : ctx_(std::move(scenario), seed, options.max_events, options.max_pods,
           options.check_invariants),
      view_(store_, ctx_),
      api_(store_, ctx_),
      script_(store_, ctx_, api_),
      prober_(store_, ctx_, /*elide=*/!options.exact_probes),
      kubelet_(store_, ctx_, api_, prober_),
      scheduler_(store_, ctx_, api_),
      replica_set_controller_(store_, ctx_, api_),
      deployment_controller_(store_, ctx_, api_),
      rollout_controller_(store_, ctx_, api_, deployment_controller_),
      flagger_controller_(store_, ctx_, api_),
      endpoints_(store_, ctx_, api_),
      node_lifecycle_(store_, ctx_, api_),
      disruption_(store_, ctx_, api_),
      traffic_(store_, ctx_),
      balancers_(store_, ctx_),
      until_(options.until ? options.until : ctx_.scenario().until),
      max_events_(options.max_events) {
  prober_.Connect(&kubelet_);
  kubelet_.ConnectTraffic(&traffic_);
  balancers_.Connect(&kubelet_, &traffic_);
  endpoints_.ConnectBalancers(&balancers_);
  api_.Connect(Controllers{&deployment_controller_, &replica_set_controller_, &scheduler_,
                           &kubelet_, &endpoints_, &traffic_, &node_lifecycle_, &disruption_,
                           &rollout_controller_, &flagger_controller_});
  for (const scenario::NodeGroup& g : ctx_.scenario().cluster.nodes) {
    for (int32_t i = 0; i < g.count; ++i) {
      Node n;
      n.name = g.NodeName(i);
      // The labels every kubelet sets on its Node (initialNode,
      // pkg/kubelet/kubelet_node_status.go), then the group's own, which win
      // as the kubelet's --node-labels do.
      n.labels = {{"kubernetes.io/hostname", n.name},
                  {"kubernetes.io/os", "linux"},
                  {"kubernetes.io/arch", "amd64"},
                  {"beta.kubernetes.io/os", "linux"},
                  {"beta.kubernetes.io/arch", "amd64"}};
      for (const auto& [k, v] : g.labels) n.labels[k] = v;
      n.taints = g.taints;
      n.no_execute = std::any_of(g.taints.begin(), g.taints.end(),
                                 [](const k8s::Taint& t) { return t.effect == "NoExecute"; });
      n.allocatable = Resources{g.cpu.MilliValue(), g.memory.Value(), g.pods};
      const auto id = static_cast<uint32_t>(store_.nodes.size());
      store_.node_names.emplace(n.name, id);
      store_.nodes.push_back(std::move(n));
      store_.node_fit.emplace_back();
      for (const k8s::Taint& t : g.taints) {
        if (t.effect == "PreferNoSchedule") store_.prefer_no_schedule = true;
        else store_.node_fit.back().tainted = true;
      }
      store_.SetRequested(id, Resources{});
    }
  }
  // Room for the declared pods and one rollout's worth more, so that the pod
  // array is not copied, nor its name index rehashed, as they grow (a 150,000-pod scenario moves 70 MB per
  // doubling otherwise). Capped: a typo of a billion replicas reserves nothing
  // it would not also fail to create.
  int64_t declared = 0;
  for (const k8s::Object& obj : ctx_.scenario().objects) {
    if (const auto* d = std::get_if<k8s::Deployment>(&obj)) declared += d->spec.replicas;
    if (const auto* ro = std::get_if<k8s::Rollout>(&obj)) declared += ro->spec.replicas;
    if (const auto* r = std::get_if<k8s::ReplicaSet>(&obj)) declared += r->spec.replicas;
    if (std::holds_alternative<k8s::Pod>(obj)) ++declared;
  }
  declared_pods_ = declared;
  constexpr int64_t kReserveCap = int64_t{1} << 20;
  const auto reserve = static_cast<size_t>(std::clamp<int64_t>(
      2 * declared, 0, std::min<int64_t>(kReserveCap, static_cast<int64_t>(options.max_pods))));
  store_.pods.reserve(reserve);
  store_.pod_names.Reserve(reserve);
  store_.load.on = ctx_.scenario().LoadModel();
  store_.request_window = ctx_.scenario().analysis_window;
  for (const scenario::TrafficSource& t : ctx_.scenario().traffic) {
    Client c;
    c.name = t.name;
    c.service = store_.FindService(t.service_namespace, t.service);
    if (c.service == kNone) {
      // Declared before the Service exists: a placeholder the Service's apply fills in.
      c.service = store_.AddService(t.service_namespace, t.service, ctx_.seed());
    }
    if (t.arrival == scenario::TrafficSource::Arrival::kEvery) {
      c.every = t.every;
    } else {
      c.rate_per_second = t.rate_per_second;
    }
    if (t.from) {
      Service& s = store_.services[c.service];
      s.from = s.from ? std::min(*s.from, SimTime::Zero() + *t.from) : SimTime::Zero() + *t.from;
    }
    c.picks = Rng::Stream(ctx_.seed(), "traffic/" + t.name);
    c.arrivals = Rng::Stream(ctx_.seed(), "traffic-arrivals/" + t.name);
    c.timeout = t.timeout;
    c.service_times = Rng::Stream(ctx_.seed(), "traffic-latency/" + t.name);
    c.errors = Rng::Stream(ctx_.seed(), "traffic-errors/" + t.name);
    // An ALB ends the client's connections and picks a target for every
    // request: keep-alive pins nothing behind it (a load warning says so).
    if (!t.load_balancer) c.connections.resize(static_cast<size_t>(t.connections));
    store_.clients.push_back(std::move(c));
    if (t.load_balancer) {
      balancers_.Create(static_cast<uint32_t>(store_.clients.size() - 1), *t.load_balancer,
                        ctx_.seed());
    }
  }
  // A Service whose clients all come through ip load balancers: what they
  // see is the (first) balancer's routing.
  std::vector<bool> direct(store_.services.size(), false);  // some client is not behind one
  for (const Client& c : store_.clients) {
    const uint32_t b = c.balancer;
    if (b == kNone || !store_.balancers[b].ip) {
      direct[c.service] = true;
    } else if (store_.services[c.service].lb_view == kNone) {
      store_.services[c.service].lb_view = b;
    }
  }
  for (uint32_t sid = 0; sid < store_.services.size(); ++sid) {
    if (direct[sid]) store_.services[sid].lb_view = kNone;
  }
  for (uint32_t sid = 0; sid < store_.services.size(); ++sid) {
    if (store_.services[sid].from) continue;
    store_.awaiting_start.push_back(sid);
  }
}

WorldResult World::Run() {
  WorldResult result;
  // Objects that declare more pods than the run may create are refused
  // before anything runs (SimulationOptions::max_pods).
  if (!ctx_.MayHoldPods(static_cast<uint64_t>(declared_pods_))) {
    result.pods_exhausted = true;
    return result;
  }
  ctx_.StartLogging();
  for (Observer* o : ctx_.observers()) o->OnStart(view_);
  balancers_.Start();
  for (const k8s::Object& obj : ctx_.scenario().objects) api_.Apply(obj);
  SimTime last_step = SimTime::Zero();
  for (const scenario::Step& step : ctx_.scenario().timeline) {
    last_step = std::max(last_step, SimTime::Zero() + step.at);
  }
  script_.Begin();
  for (uint32_t s = 0; s < store_.services.size(); ++s) {
    if (store_.services[s].from) {
      ctx_.loop().At(*store_.services[s].from, kPhaseClient,
                     Event{static_cast<uint32_t>(EventKind::kServiceStartCheck), s, 1});
    }
  }
  endpoints_.RequestStartCheck(store_.awaiting_start);

  SimTime end = until_ ? SimTime::Zero() + *until_ : last_step + kDefaultTail;
  for (;;) {
    const RunOutcome outcome = ctx_.loop().RunUntil(end, *this);
    if (outcome == RunOutcome::kBudgetExhausted) {
      result.budget_exhausted = true;
      break;
    }
    if (outcome == RunOutcome::kStopped) break;
    traffic_.SettleThrough(ctx_.Now());  // requests that ended after the last instant
    if (until_) break;
    // docs/scenario-format.md: 1m after the later of the last step and the end of every rollout.
    SimTime settled = std::max(last_step, script_.LastActivity());
    // A chain still running (a step waiting, or steps after it) keeps the run going.
    bool unsettled = script_.Pending();
    for (const Deployment& d : store_.deployments) {
      // An Argo pod restart (kubectl argo rollouts restart) runs until
      // status.restartedAt is set.
      if (d.argo && d.argo->restart_at && !d.deleted) {
        if (d.argo->restarted_at != d.argo->restart_at) {
          unsettled = true;
        } else {
          settled = std::max(settled, d.argo->restart_done_at);
        }
      }
      for (const Rollout& r : d.rollouts) {
        if (r.complete || r.deadline_exceeded) {
          settled = std::max(settled, r.settled_at);
        } else if (!r.superseded && !r.aborted) {
          unsettled = true;
        }
      }
    }
    SimTime next = std::max(end, settled + kDefaultTail);
    if (unsettled) next = std::max(next, end + kDefaultTail);
    next = std::min(next, SimTime::Zero() + kDefaultUntilCap);
    if (next <= end) break;
    end = next;
  }
  result.end = ctx_.Now();
  // Elided probe ticks up to the end count as the events they would have been.
  ctx_.SetFiring(0xFF, 0);
  prober_.SettleAll();
  result.events = ctx_.loop().events_fired();
  // Skipped ticks settled only now may spend the budget too: the run is then
  // refused as a run that fired them would have been (at an earlier time).
  if (result.events > max_events_) result.budget_exhausted = true;
  result.pods_exhausted = ctx_.pods_exhausted();
  // The last full check, whenever the previous one was (not after a budget
  // cut short an instant: its end-of-instant work has not run).
  if (ctx_.check_invariants() && !violation_ && !result.budget_exhausted &&
      !result.pods_exhausted) {
    violation_ = CheckInvariants(store_, prober_);
    if (!violation_) violation_ = CheckIndexes(store_);
  }
  if (violation_) {
    result.invariant_violation = violation_;
    result.recent_events = ctx_.RecentEvents();
    return result;  // the state is not to be trusted: no OnFinish, no report
  }
  script_.Report();
  for (Observer* o : ctx_.observers()) o->OnFinish(view_);
  return result;
}

void World::Fire(const FiredEvent& e) {
  // Requests that ended between the last instant and this one first, at
  // their own times (the load model, traffic.h).
  traffic_.SettleBefore(e.time);
  ctx_.SetFiring(e.phase, e.key);
  const uint32_t t = e.event.target;
  const uint64_t p = e.event.payload;
  switch (static_cast<EventKind>(e.event.kind)) {
    case EventKind::kPullDone:
      kubelet_.PullDone(t, p);
      break;
    case EventKind::kContainerStart:
      kubelet_.RestartContainer(t, p);
      break;
    case EventKind::kProcessServing:
      kubelet_.ProcessServing(t, p);
      break;
    case EventKind::kProcessStopServing:
      kubelet_.ProcessStopServing(t, p);
      break;
    case EventKind::kProcessExit:
      kubelet_.ProcessExit(t, p);
      break;
    case EventKind::kPreStopDone:
      kubelet_.PreStopDone(t, p);
      break;
    case EventKind::kGraceExpired:
      kubelet_.GraceExpired(t, p);
      break;
    case EventKind::kProbe:
      prober_.RunProbe(t, p);
      break;
    case EventKind::kStep:
      script_.Run(t);
      break;
    case EventKind::kStepDeadline:
      script_.Deadline(t);
      break;
    case EventKind::kSyncDeployment:
      deployment_controller_.Sync(t);
      break;
    case EventKind::kSyncRollout:
      rollout_controller_.Sync(t);
      break;
    case EventKind::kRolloutTimer:
      rollout_controller_.Timer(t);
      break;
    case EventKind::kRolloutResync:
      rollout_controller_.Resync();
      break;
    case EventKind::kAnalysisRun:
      rollout_controller_.analysis().Reconcile(t);
      break;
    case EventKind::kFlaggerTick:
      flagger_controller_.Tick(t);
      break;
    case EventKind::kTrafficWeight:
      RouterWeightVisible(store_, ctx_, t, p);
      break;
    case EventKind::kSyncReplicaSet:
      replica_set_controller_.Sync(t, p);
      break;
    case EventKind::kSchedule:
      scheduler_.Schedule(t);
      break;
    case EventKind::kNodeNotReady:
      node_lifecycle_.NodeNotReady(t, p);
      break;
    case EventKind::kNodeEvict:
      node_lifecycle_.Evict(t, p);
      break;
    case EventKind::kEndpoints:
      endpoints_.RecomputeEndpoints();
      break;
    case EventKind::kEndpointsVisible:
      endpoints_.EndpointsVisible(t, p);
      break;
    case EventKind::kServiceStartCheck:
      if (p == 1) {
        traffic_.StartService(t, /*forced=*/true);  // `from:` reached
      } else {
        endpoints_.CheckServiceStarts();
      }
      break;
    case EventKind::kRequest:
      traffic_.SendRequest(t);
      break;
    case EventKind::kEvictRetry:
      disruption_.Evict(t);
      break;
    case EventKind::kPodEvict:
      node_lifecycle_.EvictPod(t, p);
      break;
    case EventKind::kTaintEvict:
      node_lifecycle_.TaintEvict(t, p);
      break;
    case EventKind::kInitContainerExit:
      kubelet_.InitContainerExit(t, p);
      break;
    case EventKind::kSideContainer:
      kubelet_.SideEvent(t, p);
      break;
    case EventKind::kLbTargets:
      balancers_.TargetsChanged(t, p);
      break;
    case EventKind::kLbHealthCheck:
      balancers_.HealthCheck(t, p);
      break;
    case EventKind::kLbDrainEnd:
      balancers_.DrainEnd(t, p);
      break;
    case EventKind::kLbPoll:
      balancers_.Poll(t, p);
      break;
  }
}

size_t World::ObjectCount() const {
  return store_.pods.size() + store_.nodes.size() + store_.replica_sets.size() +
         store_.services.size();
}

void World::EndInstant(SimTime t) {
  ctx_.SetFiring(0xFF, 0);  // every event of the instant has run
  traffic_.SettleThrough(t);  // requests that end in this instant, after its events
  if (ctx_.check_invariants()) {
    if (t < last_instant_) violation_ = "simulated time went backwards";
    last_instant_ = t;
    if (!violation_) violation_ = ctx_.violation();
    // What changed is checked at every instant; the walks of every object
    // once per as many instants as there are objects / kObjectsPerInstant,
    // so that checking costs the same per instant whatever the cluster's size.
    full_check_ = ++instants_since_full_check_ * kObjectsPerInstant >= ObjectCount();
    if (full_check_) instants_since_full_check_ = 0;
    if (!violation_) {
      violation_ = full_check_ ? CheckInvariants(store_, prober_) : CheckChanged(store_, prober_);
    }
    if (!violation_ && full_check_ && !view_.Changed()) violation_ = CheckQuietInstant(store_);
    if (violation_) {
      ctx_.loop().Stop();
      return;
    }
  }
  script_.CheckWaits();
  const std::vector<uint32_t> dirty = deployment_controller_.CheckDirtyRollouts();
  // What observers may re-read: only what changed (ClusterView::Changed*).
  endpoints_.RefreshTouched();
  std::sort(store_.changed_services.begin(), store_.changed_services.end());
  // Indexes change only with something observable (quiet instants are
  // checked to have left the endpoints alone above).
  if (ctx_.check_invariants() && !violation_ && full_check_ && view_.Changed()) {
    violation_ = CheckIndexes(store_);
    if (violation_) {
      ctx_.loop().Stop();
      return;
    }
  }
  store_.changed_deployments.insert(store_.changed_deployments.end(), dirty.begin(), dirty.end());
  // A Flagger primary's pods count in its target's rollout (StoreView::ActivePods).
  for (size_t i = 0, n = store_.changed_deployments.size(); i < n; ++i) {
    const uint32_t c = store_.deployments[store_.changed_deployments[i]].flagger_primary_of;
    if (c != kNone && store_.canaries[c].target != kNone) {
      store_.changed_deployments.push_back(store_.canaries[c].target);
    }
  }
  std::sort(store_.changed_deployments.begin(), store_.changed_deployments.end());
  std::sort(store_.changed_pods.begin(), store_.changed_pods.end());
  store_.changed_pods.erase(std::unique(store_.changed_pods.begin(), store_.changed_pods.end()),
                            store_.changed_pods.end());
  store_.changed_deployments.erase(
      std::unique(store_.changed_deployments.begin(), store_.changed_deployments.end()),
      store_.changed_deployments.end());
  for (Observer* o : ctx_.observers()) o->OnEndInstant(view_);
  for (uint32_t s : store_.changed_services) store_.services[s].changed = false;
  store_.changed_services.clear();
  store_.changed_deployments.clear();
  store_.changed_pods.clear();
  ctx_.ClearChanged();
}

}  // namespace kubesim::cluster
