// The API server's side of the model: applying and deleting objects for a
// kubectl step, the writes controllers make (Api), and each change handed to
// the controllers that watch its kind, in a fixed order — what informers
// do in Kubernetes. See api.h and docs/architecture.md.
#include "api_server.h"

#include <fmt/format.h>

#include <algorithm>
#include <limits>

#include "deployment_controller.h"
#include "disruption.h"
#include "endpoints_controller.h"
#include "flagger_controller.h"
#include "kubelet.h"
#include "node_lifecycle_controller.h"
#include "prober.h"
#include "replicaset_controller.h"
#include "rollout_controller.h"
#include "scheduler.h"
#include "traffic.h"

namespace kubesim::cluster {

ApiServer::ApiServer(Store& store, Context& ctx) : store_(store), ctx_(ctx) {}

void ApiServer::Connect(const Controllers& controllers) { c_ = controllers; }

// --- kubectl -------------------------------------------------------------------------

bool ApiServer::RunStep(uint32_t index) {
  const scenario::Step& step = ctx_.scenario().timeline[index];
  if (std::holds_alternative<scenario::SleepCommand>(step.command.body)) {
    ctx_.Emit("sleep", step.text);
    return true;
  }
  ctx_.Emit("kubectl", step.text);
  if (const auto* node = std::get_if<scenario::NodeCommand>(&step.command.body)) {
    RunNodeCommand(*node);
    return true;
  }
  step_label_ = fmt::format("step/{}", step.number);
  running_ = &step;
  for (const k8s::Object& obj : step.objects) Apply(obj);
  running_ = nullptr;
  bool ok = true;
  for (const k8s::ObjectKey& key : step.deleted) ok &= Delete(key);
  if (const auto* a = std::get_if<scenario::AnnotateCommand>(&step.command.body);
      a != nullptr && a->kind == "Pod") {
    ok &= RunAnnotate(*a, step.command.namespace_name);
  }
  if (const auto* a = std::get_if<scenario::ArgoRolloutsCommand>(&step.command.body)) {
    ok &= RunArgoRollouts(*a, step.command.namespace_name);
  }
  return ok;
}

bool ApiServer::RunAnnotate(const scenario::AnnotateCommand& c, const std::string& ns) {
  bool ok = true;
  std::vector<uint32_t> targets;
  if (c.selector || c.all) {
    k8s::LabelSelector selector;
    if (c.selector) {
      auto parsed = k8s::ParseSelector(*c.selector);  // checked by the parser
      if (!parsed) std::abort();
      selector = std::move(*parsed);
    }
    for (uint32_t id = 0; id < store_.pods.size(); ++id) {
      const Pod& p = store_.pods[id];
      if (p.state != PodState::kGone && p.namespace_name == ns && selector.Matches(*p.labels)) {
        targets.push_back(id);
      }
    }
    if (targets.empty()) {
      ctx_.Emit(step_label_, "error: no objects passed to annotate");
      ok = false;
    }
  } else {
    for (const std::string& name : c.names) {
      const uint32_t id = store_.pod_names.Find(store_.pods, ns, name);
      if (id == kNone || store_.pods[id].state == PodState::kGone) {
        ctx_.EmitLazy([&] { return step_label_; },
                      [&] {
                        return fmt::format("Error from server (NotFound): pods \"{}\" not found",
                                           name);
                      });
        ok = false;
        continue;
      }
      targets.push_back(id);
    }
  }
  // Each pod on its own, as kubectl's ContinueOnError visitor takes them.
  for (uint32_t id : targets) {
    Pod& p = store_.pods[id];
    k8s::Labels next = *p.annotations;
    const std::string* conflict = nullptr;
    for (const auto& [key, value] : c.annotations) {
      if (!value) {
        next.erase(key);
        continue;
      }
      if (const auto it = next.find(key);
          it != next.end() && it->second != *value && !c.overwrite && conflict == nullptr) {
        conflict = &key;
      }
      next[key] = *value;
    }
    if (conflict != nullptr) {
      // validateNoAnnotationOverwrites.
      EmitPod(ctx_, store_, id,
              fmt::format("annotate refused: --overwrite is false but found the following "
                          "declared annotation(s): '{}' already has a value ({})",
                          *conflict, p.annotations->at(*conflict)));
      ok = false;
      continue;
    }
    if (next == *p.annotations) continue;
    p.annotations = std::make_shared<const k8s::Labels>(std::move(next));
    p.deletion_cost = k8s::DeletionCostOf(*p.annotations);
    ctx_.MarkChanged();
    EmitPod(ctx_, store_, id, "annotated");
  }
  return ok;
}

// The status patches of kubectl argo rollouts promote, abort and retry
// (their spec patches, and set image / pause / undo, were applied as objects).
bool ApiServer::RunArgoRollouts(const scenario::ArgoRolloutsCommand& c, const std::string& ns) {
  using Action = scenario::ArgoRolloutsCommand::Action;
  if (c.action == Action::kStatus) return true;  // it waits (Script)
  const uint32_t d = store_.FindRollout(ns, c.name);
  if (d == kNone) {
    ctx_.EmitLazy([&] { return step_label_; },
                  [&] {
                    return fmt::format(
                        "Error from server (NotFound): rollouts.argoproj.io \"{}\" not found",
                        c.name);
                  });
    return false;
  }
  switch (c.action) {
    case Action::kPromote:
      c_.rollouts->Promote(d, c.full);
      ctx_.EmitLazy(
          [&] { return step_label_; },
          [&] { return fmt::format("rollout '{}' {}promoted", c.name, c.full ? "fully " : ""); });
      break;
    case Action::kAbort:
      c_.rollouts->Abort(d);
      ctx_.EmitLazy([&] { return step_label_; },
                    [&] { return fmt::format("rollout '{}' aborted", c.name); });
      break;
    case Action::kRetry:
      c_.rollouts->Retry(d);
      ctx_.EmitLazy([&] { return step_label_; },
                    [&] { return fmt::format("rollout '{}' retried", c.name); });
      break;
    case Action::kRestart:
      // restart.go: {"spec":{"restartAt":"<now + in>"}}.
      c_.rollouts->Restart(d, ctx_.Now() + c.in);
      ctx_.EmitLazy(
          [&] { return step_label_; },
          [&] { return fmt::format("rollout '{}' restarts in {}", c.name, FormatDuration(c.in)); });
      break;
    default:
      break;
  }
  return true;
}

uint32_t ApiServer::ImageIndex(const std::string& image) {
  if (auto it = store_.image_index.find(image); it != store_.image_index.end()) return it->second;
  ImageBehaviour b;
  if (const scenario::ImageProfile* p = ctx_.scenario().ProfileFor(image)) {
    b.version = store_.InternVersion(p->version.empty() ? scenario::ImageTag(image) : p->version);
    b.pull = p->pull;
    b.start = p->start;
    b.shutdown = p->shutdown;
    b.drain = p->drain;
    b.healthy = p->healthy;
    b.crash_after = p->crash_after;
    b.exit_after = p->exit_after;
    if (p->latency) b.latency = *p->latency;
    b.concurrency = p->concurrency.value_or(0);
    b.queue = p->queue.value_or(-1);
    b.close_on_drain = p->close_on_drain.value_or(false);
    b.error_rate = p->error_rate;
    store_.any_error_rate = store_.any_error_rate || b.error_rate > 0;
  } else {
    b.version = store_.InternVersion(scenario::ImageTag(image));
  }
  store_.images.push_back(std::move(b));
  for (Node& n : store_.nodes) n.image_cached.push_back(false);
  const auto idx = static_cast<uint32_t>(store_.images.size() - 1);
  store_.image_index.emplace(image, idx);
  return idx;
}

void ApiServer::Apply(const k8s::Object& object) {
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
        } else if constexpr (std::is_same_v<T, k8s::PodDisruptionBudget>) {
          c_.disruption->Apply(o);
        } else if constexpr (std::is_same_v<T, k8s::Rollout>) {
          ApplyRollout(o);
        } else if constexpr (std::is_same_v<T, k8s::FlaggerCanary>) {
          c_.flagger->Apply(o);
        } else if constexpr (std::is_same_v<T, k8s::AnalysisTemplate>) {
          // Read when a Rollout creates an AnalysisRun.
          store_.analysis_templates[(o.cluster_scope ? "" : o.metadata.namespace_name) + "/" +
                                    o.metadata.name] = o;
        }
        // Namespaces need no model.
      },
      object);
}

void ApiServer::Write(const k8s::Object& object) {
  controller_write_ = true;
  Apply(object);
  controller_write_ = false;
}

void ApiServer::ApplyDeployment(const k8s::Deployment& obj) {
  ApplyWorkload(obj.metadata, obj.spec, nullptr);
}

// An Argo Rollout: a Deployment-shaped entry (its ReplicaSets, revisions and
// rollouts are tracked as a Deployment's, docs/progressive-delivery.md) with
// its strategy and status beside it (ArgoRollout), synced by the
// RolloutController.
void ApiServer::ApplyRollout(const k8s::Rollout& obj) {
  k8s::DeploymentSpec spec;
  spec.replicas = obj.spec.replicas;
  if (obj.spec.selector) spec.selector = *obj.spec.selector;
  if (obj.spec.template_) spec.template_ = *obj.spec.template_;
  spec.min_ready_seconds = obj.spec.min_ready_seconds;
  spec.revision_history_limit = obj.spec.revision_history_limit;
  spec.paused = obj.spec.paused;
  // The Rollout's progress deadline is not simulated (docs/progressive-delivery.md).
  spec.progress_deadline_seconds = std::numeric_limits<int32_t>::max();
  if (obj.spec.workload_ref) {
    // workloadRef (rollout/templateref.go Resolve): the Deployment's
    // template, and its selector when the Rollout has none; until it exists,
    // what the Rollout had (the controller marks it InvalidSpec). The first
    // template it finds is its first revision, not an update.
    const std::string& ns = obj.metadata.namespace_name;
    const uint32_t w = store_.FindDeployment(ns, obj.spec.workload_ref->name);
    const bool resolves = w != kNone && !store_.deployments[w].deleted;
    const uint32_t id = store_.FindRollout(ns, obj.metadata.name);
    const bool first = id == kNone || !store_.deployments[id].argo->workload_resolved;
    if (resolves && (id == kNone || !first)) {
      spec.template_ = store_.deployments[w].spec.template_;
      if (!obj.spec.selector) spec.selector = store_.deployments[w].spec.selector;
    } else if (id != kNone) {
      spec.template_ = store_.deployments[id].spec.template_;
      if (!obj.spec.selector) spec.selector = store_.deployments[id].spec.selector;
    }
    ApplyWorkload(obj.metadata, spec, &obj);
    if (!resolves) return;
    const uint32_t rollout = store_.FindRollout(ns, obj.metadata.name);
    if (id != kNone && first) AdoptWorkloadTemplate(rollout, w);
    store_.deployments[rollout].argo->workload_resolved = true;
    return;
  }
  ApplyWorkload(obj.metadata, spec, &obj);
}

void ApiServer::AdoptWorkloadTemplate(uint32_t rollout, uint32_t deployment) {
  // A Rollout's first resolved template: its first revision.
  Deployment& d = store_.deployments[rollout];
  const Deployment& w = store_.deployments[deployment];
  d.spec.template_ = w.spec.template_;
  if (!d.argo->own_selector) d.spec.selector = w.spec.selector;
  d.argo->workload_resolved = true;
  ++d.generation;
  ++d.template_gen;
  ctx_.MarkChanged();
  EnqueueWorkload(rollout);
}

void ApiServer::ResolveWorkloadRefs(uint32_t deployment) {
  // The Deployment informer's handlers (updateRolloutsReferenceAnnotation):
  // each Rollout whose workloadRef names it takes its template again — a
  // changed one starts an update as a changed spec.template does.
  const Deployment& w = store_.deployments[deployment];
  const auto it = store_.workload_refs.find(Store::NameKey(w.namespace_name, w.name));
  if (it == store_.workload_refs.end() || w.deleted) return;
  for (uint32_t id : it->second) {
    Deployment& d = store_.deployments[id];
    if (d.deleted || !d.argo || !d.argo->workload_ref || d.argo->workload_ref->name != w.name) {
      continue;
    }
    if (!d.argo->workload_resolved) {
      AdoptWorkloadTemplate(id, deployment);
      continue;
    }
    k8s::DeploymentSpec spec = d.spec;
    spec.template_ = w.spec.template_;
    if (!d.argo->own_selector) spec.selector = w.spec.selector;
    if (d.spec == spec) {
      // Any change of the Deployment — its replicas, say — patches the
      // Rollout's workload-generation annotation, and so syncs it: a
      // scaleDown holds.
      EnqueueWorkload(id);
      continue;
    }
    ApplyWorkloadSpec(id, spec, "rollout/", nullptr);
  }
}

void ApiServer::ApplyWorkload(const k8s::ObjectMeta& meta, const k8s::DeploymentSpec& spec,
                              const k8s::Rollout* rollout) {
  const std::string& ns = meta.namespace_name;
  const std::string_view kind = rollout != nullptr ? "rollout/" : "deployment/";
  uint32_t id =
      rollout != nullptr ? store_.FindRollout(ns, meta.name) : store_.FindDeployment(ns, meta.name);
  if (id == kNone) {
    Deployment d;
    d.name = meta.name;
    d.namespace_name = ns;
    d.key = Store::ObjectKey(ns, d.name);
    d.spec = spec;
    store_.deployments.push_back(std::move(d));
    id = static_cast<uint32_t>(store_.deployments.size() - 1);
    (rollout != nullptr ? store_.rollout_names
                        : store_.deployment_names)[Store::NameKey(ns, meta.name)] = id;
    if (rollout != nullptr) {
      store_.deployments[id].argo = std::make_unique<ArgoRollout>();
      SetRolloutStrategy(id, *rollout);
    }
    ctx_.MarkChanged();
    ctx_.EmitLazy([&] { return std::string(kind) + meta.name; }, [&] { return "created"; });
    EnqueueWorkload(id);
    if (rollout == nullptr) ResolveWorkloadRefs(id);
    return;
  }
  Deployment& d = store_.deployments[id];
  if (controller_write_) {
    if (d.spec.replicas != spec.replicas) d.controller_scaled = true;
  } else if (rollout == nullptr && d.controller_scaled && running_ != nullptr) {
    // Replicas a controller set are no manifest's: a kubectl step writes them
    // only when its patch has them (Step::replicas_written: an apply whose
    // manifest sets or drops them, scale, a patch of them); set image,
    // annotate, rollout restart and the like keep them — also once the
    // Canary is gone.
    const k8s::ObjectKey key{"Deployment", ns, meta.name};
    const auto& written = running_->replicas_written;
    if (std::find(written.begin(), written.end(), key) == written.end()) {
      k8s::DeploymentSpec kept = spec;
      kept.replicas = d.spec.replicas;
      ApplyWorkloadSpec(id, kept, kind, nullptr);
      ResolveWorkloadRefs(id);
      return;
    }
  }
  ApplyWorkloadSpec(id, spec, kind, rollout);
  if (rollout == nullptr) ResolveWorkloadRefs(id);
}

void ApiServer::ApplyWorkloadSpec(uint32_t id, const k8s::DeploymentSpec& spec,
                                  std::string_view kind, const k8s::Rollout* rollout) {
  Deployment& d = store_.deployments[id];
  if (!(d.spec == spec)) ++d.generation;
  const bool template_changed = !(d.spec.template_ == spec.template_);
  if (template_changed) ++d.template_gen;
  const bool resumed = d.spec.paused && !spec.paused;
  const bool paused = !d.spec.paused && spec.paused;
  if (rollout != nullptr &&
      (d.argo->blue_green != rollout->spec.blue_green || d.argo->canary != rollout->spec.canary)) {
    ++d.generation;
  }
  d.spec = spec;
  if (rollout != nullptr) SetRolloutStrategy(id, *rollout);
  if (template_changed) {
    // docs/metrics.md: a rollout starts when the pod template changes after creation.
    // (A Flagger target's are its Canary's to end: FlaggerController.)
    for (Rollout& r : d.rollouts) {
      if (!r.complete && d.flagger_target_of == kNone) r.superseded = true;
    }
    // Its revision will be max(revision) + 1, whether the controller creates a
    // ReplicaSet or adopts an old one with this template (rollout undo).
    int64_t max_revision = 0;
    for (uint32_t rs : d.replica_sets) {
      if (!store_.replica_sets[rs].deleted) {
        max_revision = std::max(max_revision, store_.replica_sets[rs].view.revision);
      }
    }
    Rollout r;
    r.info.deployment = id;
    r.info.revision = max_revision + 1;
    r.info.start = ctx_.Now();
    d.rollouts.push_back(r);
    store_.MarkDeploymentChanged(id);
    ctx_.EmitLazy([&] { return std::string(kind) + d.name; },
                  [&] {
                    return fmt::format("pod template changed: rollout to revision {} starts",
                                       r.info.revision);
                  });
    for (Observer* o : ctx_.observers()) o->OnRolloutStart(ctx_.Now(), r.info);
  }
  if (paused) ctx_.EmitLazy([&] { return std::string(kind) + d.name; }, [&] { return "paused"; });
  if (resumed) {
    // checkPausedConditions: resuming replaces DeploymentPaused with
    // DeploymentResumed and a fresh timestamp, so paused time never counts
    // toward the progress deadline — but a ProgressDeadlineExceeded it
    // found stays ("do not overwrite it with a paused condition").
    if (d.progressing.reason == ProgressingCondition::Reason::kDeploymentPaused) {
      d.progressing.reason = ProgressingCondition::Reason::kDeploymentResumed;
      d.progressing.last_update = ctx_.Now();
      d.progressing.last_transition = ctx_.Now();
    }
    ctx_.EmitLazy([&] { return std::string(kind) + d.name; }, [&] { return "resumed"; });
  }
  EnqueueWorkload(id);
}

void ApiServer::SetRolloutStrategy(uint32_t id, const k8s::Rollout& obj) {
  ArgoRollout& a = *store_.deployments[id].argo;
  a.blue_green = obj.spec.blue_green;
  a.canary = obj.spec.canary;
  a.progress_deadline_seconds = obj.spec.progress_deadline_seconds;
  a.own_selector = obj.spec.selector.has_value();
  if (obj.spec.workload_ref && a.workload_ref != obj.spec.workload_ref) {
    auto& ids = store_.workload_refs[Store::NameKey(store_.deployments[id].namespace_name,
                                                    obj.spec.workload_ref->name)];
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  a.workload_ref = obj.spec.workload_ref;
  // Any analysis: its ReplicaSets' requests are kept for measurements
  // (when spec.analysis reads requests at all).
  store_.deployments[id].records_requests =
      !k8s::RolloutAnalyses(obj.spec.blue_green, obj.spec.canary).empty();
  // Its Services are looked up by name at each sync (RolloutController::
  // ResolveServices): a Service applied later, or never, needs no
  // placeholder here.
}

void ApiServer::EnqueueWorkload(uint32_t d) {
  if (store_.deployments[d].argo) {
    c_.rollouts->Enqueue(d);
  } else {
    c_.deployments->Enqueue(d);
  }
}

void ApiServer::ApplyReplicaSet(const k8s::ReplicaSet& obj) {
  // `kubectl apply` of a ReplicaSet that exists updates it (replicas,
  // template, minReadySeconds; the selector is immutable in apps/v1). A new
  // template applies only to pods created from now on, as in Kubernetes.
  if (auto it = store_.replica_set_names.find(
          Store::NameKey(obj.metadata.namespace_name, obj.metadata.name));
      it != store_.replica_set_names.end()) {
    const uint32_t id = it->second;
    ReplicaSet& rs = store_.replica_sets[id];
    const bool scaled = rs.view.replicas != obj.spec.replicas;
    const bool changed =
        *rs.template_ != obj.spec.template_ || rs.min_ready_seconds != obj.spec.min_ready_seconds;
    if (!scaled && !changed) return;
    if (changed) {
      rs.template_ = std::make_shared<k8s::PodTemplateSpec>(obj.spec.template_);
      rs.pod_labels = nullptr;
      rs.pod_services_gen = UINT64_MAX;
      rs.match_gen = UINT64_MAX;
    }
    rs.min_ready_seconds = obj.spec.min_ready_seconds;
    rs.view.replicas = obj.spec.replicas;
    ctx_.EmitLazy([&] { return "replicaset/" + rs.name; },
                  [&] {
                    return scaled ? fmt::format("scaled to {}", obj.spec.replicas)
                                  : std::string("configured");
                  });
    c_.replica_sets->Enqueue(id);
    // A Deployment's (or Rollout's) ReplicaSet: its controller puts the count back.
    if (rs.owner != kNone) EnqueueWorkload(rs.owner);
    return;
  }
  ReplicaSet rs;
  rs.name = obj.metadata.name;
  rs.namespace_name = obj.metadata.namespace_name;
  rs.template_ = std::make_shared<k8s::PodTemplateSpec>(obj.spec.template_);
  rs.selector = obj.spec.selector;
  rs.min_ready_seconds = obj.spec.min_ready_seconds;
  rs.view.id = static_cast<uint32_t>(store_.replica_sets.size());
  rs.view.replicas = obj.spec.replicas;
  rs.view.creation_order = rs.view.id;
  store_.replica_set_names.emplace(Store::NameKey(rs.namespace_name, rs.name), rs.view.id);
  store_.replica_sets.push_back(std::move(rs));
  ctx_.EmitLazy([&] { return "replicaset/" + obj.metadata.name; }, [&] { return "created"; });
  c_.replica_sets->Enqueue(static_cast<uint32_t>(store_.replica_sets.size() - 1));
}

void ApiServer::ApplyService(const k8s::Service& obj) {
  const std::string& ns = obj.metadata.namespace_name;
  uint32_t id = store_.FindService(ns, obj.metadata.name);
  if (id == kNone) {
    id = store_.AddService(ns, obj.metadata.name, ctx_.seed());  // created just below
    store_.awaiting_start.push_back(id);
  }
  Service& s = store_.services[id];
  k8s::Labels selector = obj.spec.selector;
  if (!s.rollout_hash.empty()) selector.try_emplace(std::string(kRolloutHashKey), s.rollout_hash);
  const bool changed = !s.exists || s.selector != selector ||
                       s.publish_not_ready != obj.spec.publish_not_ready_addresses;
  if (changed) ctx_.MarkChanged();
  if (!s.exists)
    ctx_.EmitLazy([&] { return "service/" + s.name; }, [&] { return "created"; });
  else if (changed)
    ctx_.EmitLazy([&] { return "service/" + s.name; }, [&] { return "selector changed"; });
  s.exists = true;
  s.selector = std::move(selector);
  s.publish_not_ready = obj.spec.publish_not_ready_addresses;
  if (changed) {
    c_.endpoints->IndexService(id);
    c_.endpoints->MarkServiceDirty(id);
    c_.endpoints->RequestEndpoints();
  }
}

void ApiServer::SwitchServiceSelector(uint32_t service, const std::string& hash) {
  Service& s = store_.services[service];
  const auto it = s.selector.find(std::string(kRolloutHashKey));
  if (hash.empty()) {
    // The Rollout is gone: the key leaves the selector.
    if (it == s.selector.end()) return;
    s.selector.erase(it);
  } else {
    if (it != s.selector.end() && it->second == hash) return;
    s.selector[std::string(kRolloutHashKey)] = hash;
  }
  s.rollout_hash = hash;
  ctx_.MarkChanged();
  c_.endpoints->IndexService(service);
  c_.endpoints->MarkServiceDirty(service);
  c_.endpoints->RequestEndpoints();
}

void ApiServer::ApplyPod(const k8s::Pod& obj) {
  const std::string& ns = obj.metadata.namespace_name;
  if (const uint32_t existing = store_.pod_names.Find(store_.pods, ns, obj.metadata.name);
      existing != kNone && store_.pods[existing].state != PodState::kGone) {
    UpdatePod(existing, obj);
    return;
  }
  auto spec = std::make_shared<k8s::PodSpec>(obj.spec);
  CreatePod(ns, obj.metadata.name, std::make_shared<const k8s::Labels>(obj.metadata.labels),
            std::make_shared<const k8s::Labels>(obj.metadata.annotations), std::move(spec), kNone,
            k8s::AppContainerIndex(obj.metadata, obj.spec));
}

// `kubectl apply` (or `set image`, `patch`) of a Pod that exists. The API
// server lets an update change labels and a container's image and little
// else (ValidatePodUpdate); the kubelet sees the container's spec hash change,
// stops the container and starts the new image in the same pod
// (kubelet computePodActions: "container spec hash changed").
void ApiServer::UpdatePod(uint32_t id, const k8s::Pod& obj) {
  Pod& p = store_.pods[id];
  if (p.deleted) {
    // The API server refuses updates to an object being deleted only for new
    // finalizers; kubectl apply of a terminating pod changes nothing we model.
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] { return "apply ignored: the pod is terminating"; });
    return;
  }
  if (*p.labels != obj.metadata.labels) {
    const std::shared_ptr<const k8s::Labels> old_labels = std::move(p.labels);
    p.labels = std::make_shared<const k8s::Labels>(obj.metadata.labels);
    // InterPodAffinity and PodTopologySpread requeue on UpdatePodLabel.
    if (store_.topology.PodRelabelled(store_, id, *old_labels) && store_.unschedulable_pods > 0) {
      c_.scheduler->RetryTopologyConstrained();
    }
    ctx_.MarkChanged();
    EmitPod(ctx_, store_, id, "labels changed");
    c_.endpoints->IndexPodServices(id);
    c_.disruption->IndexPod(id);
    PodUpdated(id);
  }
  if (*p.applied_annotations != obj.metadata.annotations) {
    // What the apply changed since the last one, over what `kubectl
    // annotate` added meanwhile (a three-way merge, as kubectl apply's).
    k8s::Labels next = *p.annotations;
    for (const auto& [k, v] : *p.applied_annotations) {
      if (!obj.metadata.annotations.contains(k)) next.erase(k);
    }
    for (const auto& [k, v] : obj.metadata.annotations) next[k] = v;
    p.applied_annotations = std::make_shared<const k8s::Labels>(obj.metadata.annotations);
    p.annotations = std::make_shared<const k8s::Labels>(std::move(next));
    p.deletion_cost = k8s::DeletionCostOf(*p.annotations);
  }
  const auto removes_only = [&] {
    return std::all_of(obj.spec.scheduling_gates.begin(), obj.spec.scheduling_gates.end(),
                       [&](const std::string& g) {
                         return std::find(p.spec->scheduling_gates.begin(),
                                          p.spec->scheduling_gates.end(),
                                          g) != p.spec->scheduling_gates.end();
                       });
  };
  if (p.spec->scheduling_gates != obj.spec.scheduling_gates && !removes_only()) {
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] { return "apply refused: scheduling gates may only be removed"; });
  } else if (p.spec->scheduling_gates != obj.spec.scheduling_gates && p.node == kNone) {
    // A pod update may remove scheduling gates (validateSchedulingGates
    // allows nothing else); with the last one gone the scheduler takes it.
    auto spec = std::make_shared<k8s::PodSpec>(*p.spec);
    spec->scheduling_gates = obj.spec.scheduling_gates;
    p.spec = spec;
    Prober::PointProbes(p, store_.SidesOf(p));
    EmitPod(ctx_, store_, id, "scheduling gates changed");
    if (p.spec->scheduling_gates.empty()) c_.scheduler->Enqueue(id);
  }
  // The update may not add or remove containers (ValidatePodUpdate): each
  // keeps its index. The kubelet restarts each container whose image changed.
  std::vector<uint32_t> changed;  // by container index
  for (size_t i = 0; i < p.spec->containers.size() && i < obj.spec.containers.size(); ++i) {
    if (p.spec->containers[i].image != obj.spec.containers[i].image)
      changed.push_back(static_cast<uint32_t>(i));
  }
  // A native sidecar whose image changed restarts too (computeInitContainerActions:
  // "Restart running sidecar containers which have had their definition changed").
  std::vector<uint32_t> changed_sidecars;  // by init container index
  for (size_t i = 0; i < p.spec->init_containers.size() && i < obj.spec.init_containers.size();
       ++i) {
    if (p.spec->init_containers[i].IsSidecar() &&
        p.spec->init_containers[i].image != obj.spec.init_containers[i].image) {
      changed_sidecars.push_back(static_cast<uint32_t>(i));
    }
  }
  if (changed.empty() && changed_sidecars.empty()) return;
  auto spec = std::make_shared<k8s::PodSpec>(*p.spec);
  for (uint32_t i : changed) spec->containers[i].image = obj.spec.containers[i].image;
  for (uint32_t i : changed_sidecars) {
    spec->init_containers[i].image = obj.spec.init_containers[i].image;
  }
  p.spec = spec;
  std::vector<SideContainer>* sides = store_.SidesOf(p);
  Prober::PointProbes(p, sides);  // the probes live in the spec: the old one may be gone now
  // The side container running spec container `index` (an init container
  // when `sidecar`) takes its new image.
  const auto replace_side = [&](bool sidecar, uint32_t index, const std::string& image) {
    for (uint32_t slot = 0; sides != nullptr && slot < sides->size(); ++slot) {
      SideContainer& c = (*sides)[slot];
      if (c.sidecar != sidecar || c.index != index) continue;
      c.image = ImageIndex(image);
      c_.kubelet->SideImageChanged(id, slot);
    }
  };
  for (uint32_t i : changed_sidecars) {
    const std::string& image = p.spec->init_containers[i].image;
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] {
                    return fmt::format("container {} image changed to {}",
                                       p.spec->init_containers[i].name, image);
                  });
    replace_side(true, i, image);
  }
  for (uint32_t i : changed) {
    const std::string& image = p.spec->containers[i].image;
    ctx_.EmitLazy([&] { return store_.PodLabel(id); },
                  [&] {
                    return p.spec->containers.size() == 1
                               ? fmt::format("container image changed to {}", image)
                               : fmt::format("container {} image changed to {}",
                                             p.spec->containers[i].name, image);
                  });
    if (i != p.app) {
      replace_side(false, i, image);
      continue;
    }
    p.image = ImageIndex(image);
    p.version = store_.images[p.image].version;
    c_.kubelet->ImageChanged(id);
  }
}

uint32_t ApiServer::CreatePod(const std::string& ns, const std::string& name,
                              std::shared_ptr<const k8s::Labels> labels,
                              std::shared_ptr<const k8s::Labels> annotations,
                              std::shared_ptr<const k8s::PodSpec> spec, uint32_t owner_rs,
                              size_t app_container) {
  if (!ctx_.MayHoldPods(store_.pods.size() + 1)) return kNone;  // the run stops
  struct Pod p;
  p.name = name;
  p.namespace_name = ns;
  p.labels = std::move(labels);
  p.term_labels = p.labels;
  p.deletion_cost = k8s::DeletionCostOf(*annotations);
  p.applied_annotations = annotations;
  p.annotations = std::move(annotations);
  p.owner_rs = owner_rs;
  p.requests = PodRequests(*spec);
  p.score_class = store_.ScoreClass({PodRequests(*spec, /*non_zero=*/true), p.requests});
  p.app = spec->containers.empty() ? 0 : static_cast<uint32_t>(app_container);
  p.image = spec->containers.empty() ? ImageIndex("") : ImageIndex(spec->containers[p.app].image);
  p.version = store_.images[p.image].version;
  if (!spec->containers.empty()) p.pull_policy = PullPolicyOf(spec->containers[p.app]);
  // Its start order (store.h's StartEntry) and its side containers.
  InitList inits;
  std::vector<SideContainer> sides;
  const auto side = [&](const k8s::Container& c, size_t index, bool sidecar) {
    SideContainer s;
    s.index = static_cast<uint32_t>(index);
    s.sidecar = sidecar;
    s.image = ImageIndex(c.image);
    s.pull_policy = PullPolicyOf(c);
    sides.push_back(s);
    return static_cast<uint32_t>(sides.size() - 1);
  };
  for (size_t i = 0; i < spec->init_containers.size(); ++i) {
    const k8s::Container& c = spec->init_containers[i];
    const uint32_t slot = c.IsSidecar() ? side(c, i, true) : kStartMain;
    inits.push_back({static_cast<uint32_t>(i), ImageIndex(c.image), slot});
  }
  size_t app_entry = inits.size();
  if (!sides.empty() || spec->containers.size() > 1) {
    for (size_t i = 0; i < spec->containers.size(); ++i) {
      const k8s::Container& c = spec->containers[i];
      if (i == p.app) app_entry = inits.size();
      inits.push_back(
          {static_cast<uint32_t>(i), ImageIndex(c.image), i == p.app ? kStartMain : side(c, i, false)});
    }
  }
  if (!inits.empty()) {
    const auto [it, added] = store_.init_list_index.try_emplace(
        inits, static_cast<uint32_t>(store_.init_lists.size()));
    if (added) store_.init_lists.push_back(inits);
    p.init_list = it->second;
    p.init_count = static_cast<uint16_t>(std::min<size_t>(app_entry, UINT16_MAX));
  }
  p.start_count = static_cast<uint16_t>(
      std::min<size_t>(sides.empty() ? app_entry + 1 : inits.size(), UINT16_MAX));
  if (!sides.empty()) {
    p.sides = static_cast<uint32_t>(store_.side_lists.size());
    store_.side_lists.push_back(std::move(sides));
  }
  p.created = ctx_.Now();
  p.spec = std::move(spec);
  Prober::PointProbes(p, store_.SidesOf(p));
  store_.pods.push_back(std::move(p));
  const auto id = static_cast<uint32_t>(store_.pods.size() - 1);
  store_.pod_names.Assign(store_.pods, id);
  ++store_.existing_pods;
  if (owner_rs != kNone) {
    store_.replica_sets[owner_rs].pods.push_back(id);
    if (store_.replica_sets[owner_rs].owner != kNone)
      store_.MarkDeploymentChanged(store_.replica_sets[owner_rs].owner);
  }
  c_.endpoints->IndexPodServices(id);
  c_.disruption->IndexPod(id);
  store_.CountPod(id, +1);
  ctx_.MarkChanged();
  EmitPod(ctx_, store_, id, "created");
  store_.changed_pods.push_back(id);
  ctx_.PodStateChanged(store_, id);
  c_.scheduler->Enqueue(id);
  return id;
}

bool ApiServer::Delete(const k8s::ObjectKey& key) {
  if (key.kind == "Pod") {
    const uint32_t pod = store_.pod_names.Find(store_.pods, key.namespace_name, key.name);
    if (pod == kNone || store_.pods[pod].state == PodState::kGone) {
      // Evicted, deleted or never created: kubectl delete exits 1.
      ctx_.EmitLazy([&] { return step_label_; },
                    [&] {
                      return fmt::format("Error from server (NotFound): pods \"{}\" not found",
                                         key.name);
                    });
      return false;
    }
    if (!store_.pods[pod].deleted) c_.kubelet->DeletePod(pod);
  } else if (key.kind == "Deployment" || key.kind == "Rollout") {
    const bool argo = key.kind == "Rollout";
    const uint32_t d = argo ? store_.FindRollout(key.namespace_name, key.name)
                            : store_.FindDeployment(key.namespace_name, key.name);
    if (d == kNone) return true;
    store_.deployments[d].deleted = true;
    if (argo) {
      ctx_.loop().Cancel(store_.deployments[d].argo->timer);
      c_.rollouts->Deleted(d);
    }
    // Its rollout, if one runs, never completes: it is over (the run's
    // default end does not wait for it).
    for (Rollout& r : store_.deployments[d].rollouts) {
      if (!r.complete) r.superseded = true;
    }
    (argo ? store_.rollout_names : store_.deployment_names)
        .erase(Store::NameKey(key.namespace_name, key.name));
    store_.MarkDeploymentChanged(d);
    ctx_.EmitLazy([&] { return (argo ? "rollout/" : "deployment/") + key.name; },
                  [&] { return "deleted"; });
    // Background cascading deletion: its ReplicaSets, then their pods.
    for (uint32_t rs : store_.deployments[d].replica_sets) {
      store_.MarkReplicaSetDeleted(rs);
      // A copy: a pod with nothing to stop is gone at once, out of the list.
      for (uint32_t pod : std::vector<uint32_t>(store_.replica_sets[rs].pods)) {
        if (!store_.pods[pod].deleted) c_.kubelet->DeletePod(pod);
      }
    }
  } else if (key.kind == "ReplicaSet") {
    auto it = store_.replica_set_names.find(Store::NameKey(key.namespace_name, key.name));
    if (it == store_.replica_set_names.end()) return true;
    const uint32_t id = it->second;
    store_.MarkReplicaSetDeleted(id);
    for (uint32_t pod : std::vector<uint32_t>(store_.replica_sets[id].pods)) {
      if (!store_.pods[pod].deleted) c_.kubelet->DeletePod(pod);
    }
  } else if (key.kind == "Canary") {
    const FlaggerController::Deleted gone = c_.flagger->Delete(key.namespace_name, key.name);
    for (const k8s::ObjectKey& owned : gone.owned) Delete(owned);
    if (gone.target != kNone) EnqueueWorkload(gone.target);
  } else if (key.kind == "AnalysisTemplate" || key.kind == "ClusterAnalysisTemplate") {
    store_.analysis_templates.erase((key.kind == "AnalysisTemplate" ? key.namespace_name : "") +
                                    "/" + key.name);
  } else if (key.kind == "PodDisruptionBudget") {
    c_.disruption->Delete(key.namespace_name, key.name);
  } else if (key.kind == "Service") {
    const uint32_t s = store_.FindService(key.namespace_name, key.name);
    if (s == kNone) return true;
    store_.services[s].exists = false;
    store_.services[s].rollout_hash.clear();  // a Service created again starts without it
    ClearSplit(store_.services[s]);
    store_.MarkServiceChanged(s);
    c_.endpoints->IndexService(s);
    c_.endpoints->MarkServiceDirty(s);
    ctx_.MarkChanged();
    ctx_.EmitLazy([&] { return "service/" + key.name; }, [&] { return "deleted"; });
    c_.endpoints->RequestEndpoints();
  }
  return true;
}

void ApiServer::RunNodeCommand(const scenario::NodeCommand& c) {
  const uint32_t n = store_.FindNode(c.node);
  if (n == kNone) return;  // the loader checked it exists
  Node& node = store_.nodes[n];
  const std::string label = "node/" + node.name;
  switch (c.action) {
    case scenario::NodeCommand::Action::kCordon:
      store_.node_fit[n].unschedulable = true;
      ctx_.Emit(label, "cordoned");
      break;
    case scenario::NodeCommand::Action::kUncordon:
      store_.node_fit[n].unschedulable = false;
      ctx_.Emit(label, "uncordoned");
      c_.scheduler->RetryUnschedulable();
      break;
    case scenario::NodeCommand::Action::kDrain:
      // kubectl drain: cordon, then evict every pod on the node through the
      // Eviction API, which honours PodDisruptionBudgets.
      store_.node_fit[n].unschedulable = true;
      ctx_.Emit(label, "drained");
      c_.disruption->DrainNode(n);
      break;
    case scenario::NodeCommand::Action::kFail:
      c_.kubelet->FailNode(n);
      break;
    case scenario::NodeCommand::Action::kRecover:
      c_.kubelet->RecoverNode(n);
      break;
  }
}

// --- Api: writes ---------------------------------------------------------------------

void ApiServer::DeletePod(uint32_t pod) { c_.kubelet->DeletePod(pod); }

Api::Eviction ApiServer::EvictPod(uint32_t pod) {
  return c_.disruption->Evict(pod, /*retry=*/false);
}

void ApiServer::BindPod(uint32_t pod, uint32_t node) {
  const bool counted = c_.kubelet->Bind(pod, node);
  if (store_.nodes[node].no_execute || !store_.node_fit[node].condition_ready) {
    c_.node_lifecycle->PodBound(pod);
  }
  // InterPodAffinity and PodTopologySpread requeue pods when an assigned pod
  // is added (their EventsToRegister; their queueing hints, when it
  // matches a term or constraint): a pod bound may be the one a waiting
  // pod's affinity needs, or raise a domain a spread counts from.
  if (counted && store_.unschedulable_pods > 0) c_.scheduler->RetryTopologyConstrained();
  // The pod has an address now: a Service that publishes not-ready
  // addresses lists it (ShouldPodBeInEndpoints).
  for (uint32_t s : store_.pods[pod].services) {
    if (store_.services[s].publish_not_ready) {
      c_.endpoints->PodUpdated(pod);
      break;
    }
  }
}

void ApiServer::MarkPodNotReady(uint32_t pod) { c_.kubelet->SetReady(pod, false); }

// --- Api: changes, to their watchers -----------------------------------------------------

void ApiServer::PodUpdated(uint32_t pod) {
  c_.replica_sets->PodUpdated(pod);
  c_.deployments->PodUpdated(pod);
  c_.endpoints->PodUpdated(pod);
}

void ApiServer::PodRemoved(uint32_t id) {
  const Pod& p = store_.pods[id];
  c_.endpoints->UnindexPod(id);
  c_.disruption->UnindexPod(id);
  --store_.existing_pods;
  store_.pod_names.Erase(store_.pods, id);
  if (p.owner_rs != kNone) {
    ReplicaSet& rs = store_.replica_sets[p.owner_rs];
    auto it = std::lower_bound(rs.pods.begin(), rs.pods.end(), id);
    if (it != rs.pods.end() && *it == id) rs.pods.erase(it);
  }
  // deletePod: a Recreate waits for the last old pod; a Rollout's
  // controller watches its pods too.
  if (p.owner_rs != kNone && store_.replica_sets[p.owner_rs].owner != kNone) {
    EnqueueWorkload(store_.replica_sets[p.owner_rs].owner);
  }
  PodUpdated(id);
  c_.scheduler->RetryUnschedulable();  // its node has room again
}

void ApiServer::PodServing(uint32_t pod) {
  c_.endpoints->RequestStartCheck(store_.pods[pod].visible_in);
}

void ApiServer::ReplicaSetUpdated(uint32_t rs) { c_.replica_sets->Enqueue(rs); }

void ApiServer::ReplicaSetStatusUpdated(uint32_t rs) {
  if (store_.replica_sets[rs].owner != kNone) EnqueueWorkload(store_.replica_sets[rs].owner);
}

void ApiServer::NodeUpdated(uint32_t /*node*/) { c_.scheduler->RetryUnschedulable(); }

void ApiServer::NodeStatusStopped(uint32_t node) { c_.node_lifecycle->StatusStopped(node); }

void ApiServer::ServiceServing(uint32_t service) { c_.traffic->StartService(service); }

}  // namespace kubesim::cluster
