// The World's plumbing: construction from a Scenario, the run loop, event
// dispatch, applying and deleting objects (what the API server does for a
// kubectl step), and the read-only ClusterView. See world.h.
#include "world.h"

#include <fmt/format.h>

#include <algorithm>
#include <cassert>

namespace kubesim::cluster {
namespace {

constexpr SimDuration kDefaultTail = SimDuration::Minutes(1);    // docs/scenario-format.md `until` default
constexpr SimDuration kDefaultUntilCap = SimDuration::Hours(24);  // a rollout that never settles

}  // namespace

std::string_view PodStateName(PodState s) {
  switch (s) {
    case PodState::kPending: return "Pending";
    case PodState::kPulling: return "Pulling";
    case PodState::kStarting: return "Starting";
    case PodState::kReady: return "Ready";
    case PodState::kTerminating: return "Terminating";
    case PodState::kGone: return "Gone";
  }
  return "?";
}

World::World(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed,
             std::optional<SimDuration> until, uint64_t max_events, bool exact_probes,
             bool check_invariants)
    : scenario_(std::move(scenario)),
      seed_(seed),
      until_(until ? until : scenario_->until),
      loop_(max_events),
      max_events_(max_events),
      scheduler_rng_(Rng::Stream(seed, "scheduler")),
      check_invariants_(check_invariants),
      elide_probes_(!exact_probes) {
  for (const scenario::NodeGroup& g : scenario_->cluster.nodes) {
    for (int32_t i = 0; i < g.count; ++i) {
      Node n;
      n.name = g.NodeName(i);
      n.allocatable = Resources{g.cpu.MilliValue(), g.memory.Value(), g.pods};
      n.labels = g.labels;
      node_names_.emplace(n.name, static_cast<uint32_t>(nodes_.size()));
      nodes_.push_back(std::move(n));
    }
  }
  for (const scenario::TrafficSource& t : scenario_->traffic) {
    Client c;
    c.name = t.name;
    c.service = FindService(t.service_namespace, t.service);
    if (c.service == kNone) {
      // Declared before the Service exists: a placeholder the Service's apply fills in.
      Service s;
      s.name = t.service;
      s.namespace_name = t.service_namespace;
      s.key = ObjectKey(t.service_namespace, t.service);
      s.exists = false;
      s.delay_rng = Rng::Stream(seed_, "endpoint-delay/" + s.key);
      service_names_.emplace(NameKey(s.namespace_name, s.name), services_.size());
      services_.push_back(std::move(s));
      c.service = static_cast<uint32_t>(services_.size() - 1);
    }
    if (t.arrival == scenario::TrafficSource::Arrival::kEvery) {
      c.every = t.every;
    } else {
      c.rate_per_second = t.rate_per_second;
    }
    if (t.from) {
      Service& s = services_[c.service];
      s.from = s.from ? std::min(*s.from, SimTime::Zero() + *t.from) : SimTime::Zero() + *t.from;
    }
    c.rng = Rng::Stream(seed_, "traffic/" + t.name);
    clients_.push_back(std::move(c));
  }
  for (uint32_t sid = 0; sid < services_.size(); ++sid) {
    if (services_[sid].from) continue;
    awaiting_start_.push_back(sid);
  }
}

std::string World::NameKey(std::string_view ns, std::string_view name) {
  std::string key(ns);
  key += '/';
  key += name;
  return key;
}

std::string_view World::InternVersion(std::string_view v) {
  auto it = versions_.find(v);
  if (it == versions_.end()) it = versions_.emplace(v).first;
  return *it;
}

std::string World::ObjectKey(std::string_view ns, std::string_view name) const {
  return ns == "default" ? std::string(name) : fmt::format("{}/{}", ns, name);
}

EventId World::Schedule(SimDuration delay, Phase phase, EventKind kind, uint32_t target,
                        uint64_t payload) {
  return loop_.After(delay, phase, Event{static_cast<uint32_t>(kind), target, payload});
}

void World::Emit(std::string_view object, std::string_view what) {
  changed_ = true;
  for (Observer* o : observers_) o->OnEvent(loop_.Now(), object, what);
  if (check_invariants_) {
    constexpr size_t kRecentEvents = 20;
    std::string line = fmt::format("{}s {} {}", FormatSeconds(loop_.Now(), 3), object, what);
    if (recent_.size() < kRecentEvents) {
      recent_.push_back(std::move(line));
    } else {
      recent_[recent_next_] = std::move(line);
      recent_next_ = (recent_next_ + 1) % kRecentEvents;
    }
  }
}

SimDuration World::Draw(const DurationDistribution& d, std::string_view stream,
                        std::string_view key) {
  if (d.is_fixed()) return d.a() < SimDuration::Zero() ? SimDuration::Zero() : d.a();
  // One stream per (what, object, moment): adding an object never shifts another's draws.
  Rng rng = Rng::Stream(seed_, fmt::format("{}/{}/{}", stream, key, loop_.Now().micros()));
  return d.Draw(rng);
}

WorldResult World::Run() {
  logging_ = check_invariants_ ||
             std::any_of(observers_.begin(), observers_.end(),
                         [](const Observer* o) { return o->WantsEvents(); });
  for (Observer* o : observers_) o->OnStart(*this);
  for (const k8s::Object& obj : scenario_->objects) Apply(obj);
  SimTime last_step = SimTime::Zero();
  for (uint32_t i = 0; i < scenario_->timeline.size(); ++i) {
    const SimTime at = SimTime::Zero() + scenario_->timeline[i].at;
    loop_.At(at, kPhaseTimeline, Event{static_cast<uint32_t>(EventKind::kStep), i, 0});
    last_step = std::max(last_step, at);
  }
  for (uint32_t s = 0; s < services_.size(); ++s) {
    if (services_[s].from) {
      loop_.At(*services_[s].from, kPhaseClient,
               Event{static_cast<uint32_t>(EventKind::kServiceStartCheck), s, 1});
    }
  }
  RequestStartCheck(awaiting_start_);

  WorldResult result;
  SimTime end = until_ ? SimTime::Zero() + *until_ : last_step + kDefaultTail;
  for (;;) {
    const RunOutcome outcome = loop_.RunUntil(end, *this);
    if (outcome == RunOutcome::kBudgetExhausted) {
      result.budget_exhausted = true;
      break;
    }
    if (outcome == RunOutcome::kStopped) break;
    if (until_) break;
    // docs/scenario-format.md: 1m after the later of the last step and the end of every rollout.
    SimTime settled = last_step;
    bool unsettled = false;
    for (const Deployment& d : deployments_) {
      for (const Rollout& r : d.rollouts) {
        if (r.complete || r.deadline_exceeded) {
          settled = std::max(settled, r.settled_at);
        } else if (!r.superseded) {
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
  result.end = loop_.Now();
  // Elided probe ticks up to the end count as the events they would have been.
  current_phase_ = 0xFF;
  for (uint32_t id = 0; id < pods_.size(); ++id) {
    for (uint32_t k = 0; k < 3; ++k) {
      if (pods_[id].probes[k].elided) SettleProbe(id, static_cast<ProbeKind>(k));
    }
  }
  result.events = loop_.events_fired();
  // Skipped ticks settled only now may spend the budget too: the run is then
  // refused as a run that fired them would have been (at an earlier time).
  if (result.events > max_events_) result.budget_exhausted = true;
  if (violation_) {
    result.invariant_violation = violation_;
    for (size_t i = 0; i < recent_.size(); ++i) {
      result.recent_events.push_back(recent_[(recent_next_ + i) % recent_.size()]);
    }
    return result;  // the state is not to be trusted: no OnFinish, no report
  }
  for (Observer* o : observers_) o->OnFinish(*this);
  return result;
}

void World::Fire(const FiredEvent& e) {
  current_phase_ = e.phase;
  current_key_ = e.key;
  const uint32_t t = e.event.target;
  const uint64_t p = e.event.payload;
  switch (static_cast<EventKind>(e.event.kind)) {
    case EventKind::kPullDone: PullDone(t, p); break;
    case EventKind::kContainerStart:
      if (pods_[t].container_gen == p && !pods_[t].deleted) RestartContainer(t);
      break;
    case EventKind::kProcessServing: ProcessServing(t, p); break;
    case EventKind::kProcessStopServing: ProcessStopServing(t, p); break;
    case EventKind::kProcessExit: ProcessExit(t, p); break;
    case EventKind::kPreStopDone: PreStopDone(t, p); break;
    case EventKind::kGraceExpired: GraceExpired(t, p); break;
    case EventKind::kProbe: RunProbe(t, p); break;
    case EventKind::kStep: RunStep(t); break;
    case EventKind::kSyncDeployment: SyncDeployment(t); break;
    case EventKind::kSyncReplicaSet: SyncReplicaSet(t); break;
    case EventKind::kSchedule: SchedulePod(t); break;
    case EventKind::kNodeNotReady: NodeNotReady(t, p); break;
    case EventKind::kNodeEvict:
      if (nodes_[t].failure_gen == p && !nodes_[t].ready) {
        for (uint32_t pod : std::vector<uint32_t>(nodes_[t].pods)) {
          if (!pods_[pod].deleted) DeletePod(pod);
        }
      }
      break;
    case EventKind::kEndpoints: RecomputeEndpoints(); break;
    case EventKind::kEndpointsVisible: EndpointsVisible(t, p); break;
    case EventKind::kServiceStartCheck:
      if (p == 1) {
        StartService(t);  // `from:` reached
      } else {
        CheckServiceStarts();
      }
      break;
    case EventKind::kRequest: SendRequest(t); break;
  }
}

void World::SetServing(uint32_t id, bool serving) {
  if (pods_[id].serving == serving) return;
  pods_[id].serving = serving;
  TouchPod(id);
  WakeProbes(id);
}

void World::TouchPod(uint32_t id) {
  changed_ = true;
  if (!pods_[id].visible_in.empty()) touched_pods_.push_back(id);
}

void World::EndInstant(SimTime t) {
  current_phase_ = 0xFF;  // every event of the instant has run
  if (check_invariants_) {
    if (t < last_instant_) violation_ = "simulated time went backwards";
    last_instant_ = t;
    if (!violation_) violation_ = CheckInvariants();
    if (!violation_ && !changed_) violation_ = CheckQuietInstant();
    if (violation_) {
      loop_.Stop();
      return;
    }
  }
  std::vector<uint32_t> dirty;
  dirty.swap(dirty_rollouts_);
  std::sort(dirty.begin(), dirty.end());
  dirty.erase(std::unique(dirty.begin(), dirty.end()), dirty.end());
  for (uint32_t d : dirty) CheckRollouts(d);
  // What observers may re-read: only what changed (ClusterView::Changed*).
  for (uint32_t pod : touched_pods_) {
    for (uint32_t s : pods_[pod].visible_in) {
      RefreshVisibleEntry(s, pod);
      MarkServiceChanged(s);
    }
  }
  touched_pods_.clear();
  std::sort(changed_services_.begin(), changed_services_.end());
  // Indexes change only with something observable (quiet instants are
  // checked to have left the endpoints alone above).
  if (check_invariants_ && !violation_ && changed_) {
    violation_ = CheckIndexes();
    if (violation_) {
      loop_.Stop();
      return;
    }
  }
  changed_deployments_.insert(changed_deployments_.end(), dirty.begin(), dirty.end());
  std::sort(changed_deployments_.begin(), changed_deployments_.end());
  std::sort(changed_pods_.begin(), changed_pods_.end());
  changed_pods_.erase(std::unique(changed_pods_.begin(), changed_pods_.end()), changed_pods_.end());
  changed_deployments_.erase(std::unique(changed_deployments_.begin(), changed_deployments_.end()),
                             changed_deployments_.end());
  for (Observer* o : observers_) o->OnEndInstant(*this);
  for (uint32_t s : changed_services_) services_[s].changed = false;
  changed_services_.clear();
  changed_deployments_.clear();
  changed_pods_.clear();
  changed_ = false;
}

// --- objects ---------------------------------------------------------------------------

uint32_t World::FindDeployment(std::string_view ns, std::string_view name) const {
  auto it = deployment_names_.find(NameKey(ns, name));
  return it == deployment_names_.end() ? kNone : it->second;
}

uint32_t World::FindService(std::string_view ns, std::string_view name) const {
  auto it = service_names_.find(NameKey(ns, name));
  return it == service_names_.end() ? kNone : it->second;
}

uint32_t World::FindNode(std::string_view name) const {
  auto it = node_names_.find(name);
  return it == node_names_.end() ? kNone : it->second;
}

uint32_t World::ImageIndex(const std::string& image) {
  if (auto it = image_index_.find(image); it != image_index_.end()) return it->second;
  ImageBehaviour b;
  if (const scenario::ImageProfile* p = scenario_->ProfileFor(image)) {
    b.version = InternVersion(p->version.empty() ? scenario::ImageTag(image) : p->version);
    b.pull = p->pull;
    b.start = p->start;
    b.shutdown = p->shutdown;
    b.drain = p->drain;
    b.healthy = p->healthy;
    b.crash_after = p->crash_after;
  } else {
    b.version = InternVersion(scenario::ImageTag(image));
  }
  images_.push_back(std::move(b));
  for (Node& n : nodes_) n.image_cached.push_back(false);
  const auto idx = static_cast<uint32_t>(images_.size() - 1);
  image_index_.emplace(image, idx);
  return idx;
}

void World::Apply(const k8s::Object& object) {
  std::visit(
      [&](const auto& o) {
        using T = std::decay_t<decltype(o)>;
        if constexpr (std::is_same_v<T, k8s::Deployment>) {
          ApplyDeployment(o);
        } else if constexpr (std::is_same_v<T, k8s::ReplicaSet>) {
          ApplyReplicaSet(o);
        } else if constexpr (std::is_same_v<T, k8s::Service>) {
          ApplyService(o);
        } else if constexpr (std::is_same_v<T, k8s::Pod>) {
          ApplyPod(o);
        }
        // Namespaces need no model.
      },
      object);
}

void World::ApplyDeployment(const k8s::Deployment& obj) {
  const std::string& ns = obj.metadata.namespace_name;
  uint32_t id = FindDeployment(ns, obj.metadata.name);
  if (id == kNone) {
    Deployment d;
    d.name = obj.metadata.name;
    d.namespace_name = ns;
    d.key = ObjectKey(ns, d.name);
    d.spec = obj.spec;
    deployments_.push_back(std::move(d));
    id = static_cast<uint32_t>(deployments_.size() - 1);
    deployment_names_[NameKey(ns, obj.metadata.name)] = id;
    Emit("deployment/" + obj.metadata.name, "created");
    EnqueueDeployment(id);
    return;
  }
  Deployment& d = deployments_[id];
  const bool template_changed = !(d.spec.template_ == obj.spec.template_);
  if (template_changed) ++d.template_gen;
  const bool resumed = d.spec.paused && !obj.spec.paused;
  const bool paused = !d.spec.paused && obj.spec.paused;
  d.spec = obj.spec;
  if (template_changed) {
    // docs/metrics.md: a rollout starts when the pod template changes after creation.
    for (Rollout& r : d.rollouts) {
      if (!r.complete) r.superseded = true;
    }
    // Its revision will be max(revision) + 1, whether the controller creates a
    // ReplicaSet or adopts an old one with this template (rollout undo).
    int64_t max_revision = 0;
    for (uint32_t rs : d.replica_sets) {
      if (!replica_sets_[rs].deleted) {
        max_revision = std::max(max_revision, replica_sets_[rs].view.revision);
      }
    }
    Rollout r;
    r.info.deployment = id;
    r.info.revision = max_revision + 1;
    r.info.start = loop_.Now();
    d.rollouts.push_back(r);
    MarkDeploymentChanged(id);
    Emit("deployment/" + d.name,
         fmt::format("pod template changed: rollout to revision {} starts", r.info.revision));
    for (Observer* o : observers_) o->OnRolloutStart(loop_.Now(), r.info);
  }
  if (paused) Emit("deployment/" + d.name, "paused");
  if (resumed) {
    // checkPausedConditions: resuming sets DeploymentResumed with a fresh timestamp,
    // so paused time never counts toward the progress deadline.
    d.progressing.reason = ProgressingCondition::Reason::kDeploymentResumed;
    d.progressing.last_update = loop_.Now();
    d.progressing.last_transition = loop_.Now();
    Emit("deployment/" + d.name, "resumed");
  }
  EnqueueDeployment(id);
}

void World::ApplyReplicaSet(const k8s::ReplicaSet& obj) {
  // `kubectl apply` of a ReplicaSet that exists updates it (replicas,
  // template, minReadySeconds; the selector is immutable in apps/v1). A new
  // template applies only to pods created from now on, as in Kubernetes.
  if (auto it = replica_set_names_.find(NameKey(obj.metadata.namespace_name, obj.metadata.name));
      it != replica_set_names_.end()) {
    const uint32_t id = it->second;
    ReplicaSet& rs = replica_sets_[id];
    const bool scaled = rs.view.replicas != obj.spec.replicas;
    const bool changed = *rs.template_ != obj.spec.template_ ||
                         rs.min_ready_seconds != obj.spec.min_ready_seconds;
    if (!scaled && !changed) return;
    if (changed) {
      rs.template_ = std::make_shared<k8s::PodTemplateSpec>(obj.spec.template_);
      rs.match_gen = UINT64_MAX;
    }
    rs.min_ready_seconds = obj.spec.min_ready_seconds;
    rs.view.replicas = obj.spec.replicas;
    Emit("replicaset/" + rs.name,
         scaled ? fmt::format("scaled to {}", obj.spec.replicas) : std::string("configured"));
    EnqueueReplicaSet(id);
    // A Deployment's ReplicaSet: its controller puts the count back.
    if (rs.owner != kNone) EnqueueDeployment(rs.owner);
    return;
  }
  ReplicaSet rs;
  rs.name = obj.metadata.name;
  rs.namespace_name = obj.metadata.namespace_name;
  rs.template_ = std::make_shared<k8s::PodTemplateSpec>(obj.spec.template_);
  rs.selector = obj.spec.selector;
  rs.min_ready_seconds = obj.spec.min_ready_seconds;
  rs.view.id = static_cast<uint32_t>(replica_sets_.size());
  rs.view.replicas = obj.spec.replicas;
  rs.view.creation_order = rs.view.id;
  replica_set_names_.emplace(NameKey(rs.namespace_name, rs.name), rs.view.id);
  replica_sets_.push_back(std::move(rs));
  Emit("replicaset/" + obj.metadata.name, "created");
  EnqueueReplicaSet(static_cast<uint32_t>(replica_sets_.size() - 1));
}

void World::ApplyService(const k8s::Service& obj) {
  const std::string& ns = obj.metadata.namespace_name;
  uint32_t id = FindService(ns, obj.metadata.name);
  if (id == kNone) {
    Service s;
    s.name = obj.metadata.name;
    s.namespace_name = ns;
    s.key = ObjectKey(ns, s.name);
    s.delay_rng = Rng::Stream(seed_, "endpoint-delay/" + s.key);
    s.exists = false;  // created just below
    services_.push_back(std::move(s));
    id = static_cast<uint32_t>(services_.size() - 1);
    service_names_.emplace(NameKey(ns, obj.metadata.name), id);
    awaiting_start_.push_back(id);
  }
  Service& s = services_[id];
  const bool changed = !s.exists || s.selector != obj.spec.selector;
  if (!s.exists) Emit("service/" + s.name, "created");
  else if (changed) Emit("service/" + s.name, "selector changed");
  s.exists = true;
  s.selector = obj.spec.selector;
  if (changed) {
    IndexService(id);
    MarkServiceDirty(id);
    RequestEndpoints();
  }
}

void World::ApplyPod(const k8s::Pod& obj) {
  const std::string& ns = obj.metadata.namespace_name;
  if (auto it = pod_names_.find(ns + "/" + obj.metadata.name);
      it != pod_names_.end() && pods_[it->second].state != PodState::kGone) {
    UpdatePod(it->second, obj);
    return;
  }
  auto spec = std::make_shared<k8s::PodSpec>(obj.spec);
  CreatePod(ns, obj.metadata.name, obj.metadata.labels, std::move(spec), kNone);
}

// `kubectl apply` (or `set image`, `patch`) of a Pod that exists. The API
// server lets an update change labels and a container's image and little
// else (ValidatePodUpdate); the kubelet sees the container's spec hash change,
// stops the container and starts the new image in the same pod
// (kubelet computePodActions: "container spec hash changed").
void World::UpdatePod(uint32_t id, const k8s::Pod& obj) {
  Pod& p = pods_[id];
  if (p.deleted) {
    // The API server refuses updates to an object being deleted only for new
    // finalizers; kubectl apply of a terminating pod changes nothing we model.
    Emit(PodLabel(id), "apply ignored: the pod is terminating");
    return;
  }
  if (p.labels != obj.metadata.labels) {
    p.labels = obj.metadata.labels;
    EmitPod(id, "labels changed");
    IndexPodServices(id);
    PodChanged(id);
  }
  const std::string& old_image = p.spec->containers.empty() ? "" : p.spec->containers[0].image;
  const std::string& new_image = obj.spec.containers.empty() ? "" : obj.spec.containers[0].image;
  if (old_image == new_image) return;
  auto spec = std::make_shared<k8s::PodSpec>(*p.spec);
  for (size_t i = 0; i < spec->containers.size() && i < obj.spec.containers.size(); ++i) {
    spec->containers[i].image = obj.spec.containers[i].image;
  }
  p.spec = spec;
  PointProbes(p);  // the probes live in the spec: the old one may be gone now
  p.image = ImageIndex(new_image);
  pods_[id].version = images_[pods_[id].image].version;
  TouchPod(id);
  changed_pods_.push_back(id);
  Emit(PodLabel(id), fmt::format("container image changed to {}", new_image));
  if (p.node == kNone) return;  // not bound yet: it starts with the new image
  // Stop the old container at once and pull/start the new one.
  WakeProbes(id);
  const bool was_running = p.container_running;
  p.container_running = false;
  SetServing(id, false);
  p.started = false;
  ++p.container_gen;
  SetReady(id, false);
  if (was_running) {
    ++p.restarts;
    for (Observer* o : observers_) o->OnRestart(loop_.Now(), PodAt(id));
  }
  Node& node = nodes_[p.node];
  // Waiting for a pull, or being pulled for (PullDone pulls the new image).
  if (std::find(node.pull_queue.begin(), node.pull_queue.end(), id) != node.pull_queue.end()) return;
  if (node.pulling && node.pulling_pod == id) return;
  SetPodState(id, PodState::kPulling);
  node.pull_queue.push_back(id);
  if (!node.pulling) StartPull(p.node);
}

uint32_t World::CreatePod(const std::string& ns, const std::string& name,
                          const k8s::Labels& labels, std::shared_ptr<const k8s::PodSpec> spec,
                          uint32_t owner_rs) {
  struct Pod p;
  p.name = name;
  p.namespace_name = ns;
  p.labels = labels;
  p.owner_rs = owner_rs;
  p.requests = PodRequests(*spec);
  p.score_requests = PodRequests(*spec, /*non_zero=*/true);
  p.image = spec->containers.empty() ? ImageIndex("") : ImageIndex(spec->containers[0].image);
  p.version = images_[p.image].version;
  if (!spec->containers.empty()) {
    const std::string& policy = spec->containers[0].image_pull_policy;
    p.pull_policy = policy == "Always"  ? Pod::PullPolicy::kAlways
                    : policy == "Never" ? Pod::PullPolicy::kNever
                                        : Pod::PullPolicy::kIfNotPresent;
  }
  p.created = loop_.Now();
  p.spec = std::move(spec);
  PointProbes(p);
  pods_.push_back(std::move(p));
  const auto id = static_cast<uint32_t>(pods_.size() - 1);
  pod_names_[ns + "/" + name] = id;
  ++existing_pods_;
  if (owner_rs != kNone) {
    replica_sets_[owner_rs].pods.push_back(id);
    ++replica_sets_[owner_rs].existing_pods;
    if (replica_sets_[owner_rs].owner != kNone) MarkDeploymentChanged(replica_sets_[owner_rs].owner);
  }
  IndexPodServices(id);
  CountPod(id, +1);
  EmitPod(id, "created");
  changed_pods_.push_back(id);
  for (Observer* o : observers_) o->OnPodState(loop_.Now(), PodAt(id));
  EnqueueSchedule(id);
  return id;
}

// Each probe worker points at its probe in the pod's spec (the first
// container's), so whenever the spec is replaced they are pointed again.
void World::PointProbes(Pod& p) {
  const k8s::Container& c = p.spec->containers.front();
  p.probes[0].probe = c.readiness_probe ? &*c.readiness_probe : nullptr;
  p.probes[1].probe = c.liveness_probe ? &*c.liveness_probe : nullptr;
  p.probes[2].probe = c.startup_probe ? &*c.startup_probe : nullptr;
}

void World::SetPodState(uint32_t id, PodState state) {
  struct Pod& p = pods_[id];
  if (p.state == state) return;
  // Legal transitions (anything may go to Terminating or Gone; Gone is final):
  //   Pending -> Pulling   bound by the scheduler (Bind)
  //   Pulling -> Starting  image present, container created (StartContainer)
  //   Starting <-> Ready   the Ready condition (SetReady)
  assert(p.state != PodState::kGone && "a gone pod never changes again");
  p.state = state;
  changed_pods_.push_back(id);
  EmitPod(id, PodStateName(state));
  for (Observer* o : observers_) o->OnPodState(loop_.Now(), PodAt(id));
}

void World::PodChanged(uint32_t id) {
  const struct Pod& p = pods_[id];
  if (p.owner_rs != kNone) {
    EnqueueReplicaSet(p.owner_rs);
    if (replica_sets_[p.owner_rs].owner != kNone) {
      dirty_rollouts_.push_back(replica_sets_[p.owner_rs].owner);
    }
  }
  for (uint32_t s : p.services) MarkMemberChanged(s, id);
  RequestEndpoints();
}

void World::MarkReplicaSetDeleted(uint32_t id) {
  ReplicaSet& rs = replica_sets_[id];
  rs.deleted = true;
  auto it = replica_set_names_.find(NameKey(rs.namespace_name, rs.name));
  if (it != replica_set_names_.end() && it->second == id) replica_set_names_.erase(it);
}

void World::Delete(const k8s::ObjectKey& key) {
  if (key.kind == "Pod") {
    auto it = pod_names_.find(key.namespace_name + "/" + key.name);
    if (it != pod_names_.end() && !pods_[it->second].deleted) DeletePod(it->second);
  } else if (key.kind == "Deployment") {
    const uint32_t d = FindDeployment(key.namespace_name, key.name);
    if (d == kNone) return;
    deployments_[d].deleted = true;
    deployment_names_.erase(NameKey(key.namespace_name, key.name));
    MarkDeploymentChanged(d);
    Emit("deployment/" + key.name, "deleted");
    // Background cascading deletion: its ReplicaSets, then their pods.
    for (uint32_t rs : deployments_[d].replica_sets) {
      MarkReplicaSetDeleted(rs);
      for (uint32_t pod : replica_sets_[rs].pods) {
        if (!pods_[pod].deleted) DeletePod(pod);
      }
    }
  } else if (key.kind == "ReplicaSet") {
    auto it = replica_set_names_.find(NameKey(key.namespace_name, key.name));
    if (it == replica_set_names_.end()) return;
    const uint32_t id = it->second;
    MarkReplicaSetDeleted(id);
    for (uint32_t pod : replica_sets_[id].pods) {
      if (!pods_[pod].deleted) DeletePod(pod);
    }
  } else if (key.kind == "Service") {
    const uint32_t s = FindService(key.namespace_name, key.name);
    if (s == kNone) return;
    services_[s].exists = false;
    IndexService(s);
    MarkServiceDirty(s);
    Emit("service/" + key.name, "deleted");
    RequestEndpoints();
  }
}

void World::RunStep(uint32_t index) {
  const scenario::Step& step = scenario_->timeline[index];
  Emit("kubectl", step.text);
  if (const auto* node = std::get_if<scenario::NodeCommand>(&step.command.body)) {
    RunNodeCommand(*node);
    return;
  }
  for (const k8s::Object& obj : step.objects) Apply(obj);
  for (const k8s::ObjectKey& key : step.deleted) Delete(key);
}

void World::RunNodeCommand(const scenario::NodeCommand& c) {
  const uint32_t n = FindNode(c.node);
  if (n == kNone) return;  // the loader checked it exists
  Node& node = nodes_[n];
  const std::string label = "node/" + node.name;
  switch (c.action) {
    case scenario::NodeCommand::Action::kCordon:
      node.unschedulable = true;
      Emit(label, "cordoned");
      break;
    case scenario::NodeCommand::Action::kUncordon:
      node.unschedulable = false;
      Emit(label, "uncordoned");
      RetryUnschedulable();
      break;
    case scenario::NodeCommand::Action::kDrain:
      // kubectl drain: cordon, then evict every pod on the node.
      node.unschedulable = true;
      Emit(label, "drained");
      for (uint32_t pod : std::vector<uint32_t>(node.pods)) {
        if (!pods_[pod].deleted) DeletePod(pod);
      }
      break;
    case scenario::NodeCommand::Action::kFail: FailNode(n); break;
    case scenario::NodeCommand::Action::kRecover: RecoverNode(n); break;
  }
}

// --- ClusterView ---------------------------------------------------------------------------

PodInfo World::PodAt(uint32_t id) const {
  const struct Pod& p = pods_[id];
  PodInfo info;
  info.id = id;
  info.name = p.name;
  if (p.owner_rs != kNone) {
    const ReplicaSet& rs = replica_sets_[p.owner_rs];
    info.owner = rs.owner != kNone ? std::string_view(deployments_[rs.owner].key)
                                   : std::string_view(rs.name);
  }
  info.version = p.version;
  info.node = p.node != kNone ? std::string_view(nodes_[p.node].name) : std::string_view();
  info.state = p.state;
  info.serving = p.serving;
  info.restarts = p.restarts;
  return info;
}

std::span<const EndpointInfo> World::VisibleEndpoints(uint32_t s) const {
  return services_[s].visible;
}

int32_t World::ActivePods(uint32_t d) const {
  int32_t n = 0;
  for (uint32_t rs : deployments_[d].replica_sets) n += replica_sets_[rs].active_pods;
  return n;
}

int32_t World::AvailablePods(uint32_t d) const {
  int32_t n = 0;
  for (uint32_t rs : deployments_[d].replica_sets) n += AvailableOf(replica_sets_[rs]);
  return n;
}

void World::CountPod(uint32_t id, int sign) {
  const Pod& p = pods_[id];
  if (p.owner_rs == kNone || p.deleted || p.state == PodState::kGone) return;
  ReplicaSet& rs = replica_sets_[p.owner_rs];
  rs.active_pods += sign;
  rs.ready_active_pods += p.ready ? sign : 0;
}

int32_t World::AvailableOf(const ReplicaSet& rs) const {
  // Without minReadySeconds, available is Ready (IsPodAvailable).
  if (rs.min_ready_seconds == 0) return rs.ready_active_pods;
  int32_t n = 0;
  for (uint32_t pod : rs.pods) n += IsAvailable(pods_[pod], rs.min_ready_seconds);
  return n;
}

}  // namespace kubesim::cluster
