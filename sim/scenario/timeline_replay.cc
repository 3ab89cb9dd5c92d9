// The loader's replay of the timeline against a store of objects, at load
// time: every step is known to run (files read and valid, objects present,
// containers named) before the simulation starts.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <set>

#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/validation.h"
#include "kubesim/metrics/schema.h"
#include "loader.h"

namespace kubesim::scenario::loader {
namespace {

Expected<std::string> ReadStdinOnce() {
  std::string text;
  char buf[65536];
  while (std::cin.read(buf, sizeof buf) || std::cin.gcount() > 0) {
    text.append(buf, static_cast<size_t>(std::cin.gcount()));
    if (text.size() > kMaxFileBytes) {
      return Error{fmt::format("standard input is larger than {} bytes", kMaxFileBytes)};
    }
  }
  return text;
}

// The pod spec of a Deployment's or ReplicaSet's template, or of a Pod
// (null for other kinds), and its path in the object's tree.
const k8s::PodSpec* PodSpecOf(const k8s::Object& object, std::vector<PathElem>* base) {
  if (const auto* tmpl = k8s::TemplateOf(object)) {
    *base = {std::string("spec"), std::string("template"), std::string("spec")};
    return &tmpl->spec;
  }
  if (const auto* pod = std::get_if<k8s::Pod>(&object)) {
    *base = {std::string("spec")};
    return &pod->spec;
  }
  return nullptr;
}

// A step that would turn `key`, which the run has, into a form kubesim
// leaves out of the run (the warning at `at`).
std::string LeftOutChange(const ObjectKey& key, const Position& at) {
  return fmt::format(
      "this step changes {} into a form kubesim leaves out of the run (see the "
      "warning at {}:{}:{}), while the run has it: kubesim cannot run this step",
      key.Describe(), at.file, at.line, at.column);
}

// The `spec.template` node of an object's tree (none if it has none).
NodePtr TemplateTree(const NodePtr& tree) {
  const Node* spec = tree->Get("spec");
  if (spec == nullptr) return nullptr;
  const auto* e = spec->Find("template");
  return e == nullptr ? nullptr : e->value;
}

// Whether Rollout `ro` takes its template from Deployment `name` (a
// workloadRef the controller resolves: apps/v1 only, templateref.go).
bool ReferencesDeployment(const k8s::Rollout& ro, const std::string& name) {
  const auto& w = ro.spec.workload_ref;
  return w && w->kind == "Deployment" && w->api_version == "apps/v1" && w->name == name;
}

}  // namespace

bool Loader::NamespaceExists(const std::string& ns) const {
  // Namespaces every cluster has.
  if (ns == "default" || ns == "kube-system" || ns == "kube-public" || ns == "kube-node-lease") {
    return true;
  }
  return store_.contains(ObjectKey{"Namespace", "", ns});
}

// A ResourceRef's key: in the step's namespace, but a Namespace's.
ObjectKey KeyIn(const ResourceRef& r, const std::string& ns) {
  return ObjectKey{r.kind, r.kind == "Namespace" ? "" : ns, r.name};
}

// Where `name` first appears in the step's line (0 if nowhere).
size_t NameOffset(const Step& step, const std::string& name) {
  const size_t at = step.text.find(name);
  return at == std::string::npos ? 0 : at;
}

void Loader::RecordRevision(const ObjectKey& key, const k8s::PodTemplateSpec& t, NodePtr tree,
                            int32_t limit) {
  auto& hist = history_[key];
  if (!hist.empty() && hist.back().spec == t) return;
  const int64_t next = hist.empty() ? 1 : hist.back().number + 1;
  std::erase_if(hist, [&](const Revision& r) { return r.spec == t; });
  hist.push_back(Revision{next, std::move(tree), t});
  const size_t keep = static_cast<size_t>(std::max(0, limit)) + 1;
  if (hist.size() > keep) hist.erase(hist.begin(), hist.end() - static_cast<long>(keep));
}

void Loader::ApplyObject(const k8s::DecodedObject& d, const std::string& file, Step* step) {
  const ObjectKey key = k8s::KeyOf(d.object);
  if (key.kind != "Namespace" && !NamespaceExists(key.namespace_name)) {
    const Position at = k8s::SourceOf(d.object).At("metadata.namespace");
    diags_.push_back(Diagnostic{
        Severity::kError, at,
        fmt::format("namespaces \"{}\" not found: apply a Namespace named {} before this {}",
                    key.namespace_name, key.namespace_name, key.kind)});
    return;
  }
  const auto* dep = std::get_if<k8s::Deployment>(&d.object);
  const auto* argo = std::get_if<k8s::Rollout>(&d.object);
  // Revisions, for rollout undo and argo rollouts undo.
  if ((dep != nullptr || argo != nullptr) && k8s::TemplateOf(d.object) != nullptr) {
    const int32_t limit =
        dep != nullptr ? dep->spec.revision_history_limit : argo->spec.revision_history_limit;
    RecordRevision(key, *k8s::TemplateOf(d.object), TemplateTree(d.tree), limit);
  }
  // A Rollout with a workloadRef runs the Deployment's template, again at
  // each change of it (rollout/templateref.go): its revisions are the
  // Deployment's templates from when it names it on, which `argo rollouts
  // undo` writes back into the Deployment (undo.go, undoWorkloadRef).
  if (dep != nullptr) {
    for (auto it = store_.lower_bound(ObjectKey{"Rollout", key.namespace_name, ""});
         it != store_.end() && it->first.kind == "Rollout" &&
         it->first.namespace_name == key.namespace_name;
         ++it) {
      const auto* ro = std::get_if<k8s::Rollout>(&it->second.object);
      if (ro != nullptr && ReferencesDeployment(*ro, key.name)) {
        RecordRevision(it->first, dep->spec.template_, TemplateTree(d.tree),
                       ro->spec.revision_history_limit);
      }
    }
  }
  if (argo != nullptr && argo->spec.workload_ref) {
    const auto it =
        store_.find(ObjectKey{"Deployment", key.namespace_name, argo->spec.workload_ref->name});
    if (it != store_.end() && ReferencesDeployment(*argo, it->first.name)) {
      RecordRevision(key, std::get<k8s::Deployment>(it->second.object).spec.template_,
                     TemplateTree(it->second.tree), argo->spec.revision_history_limit);
    }
  }
  if (key.kind == "Deployment" || key.kind == "Rollout") {
    // Both report under `deployments`, by name (docs/progressive-delivery.md).
    const ObjectKey other{key.kind == "Deployment" ? "Rollout" : "Deployment", key.namespace_name,
                          key.name};
    if (store_.contains(other)) {
      const auto* ro =
          std::get_if<k8s::Rollout>(key.kind == "Rollout" ? &d.object : &store_[other].object);
      const bool ref =
          ro != nullptr && ro->spec.workload_ref && ro->spec.workload_ref->name == key.name;
      diags_.push_back(Diagnostic{
          Severity::kError, k8s::SourceOf(d.object).At("metadata.name"),
          fmt::format("a Deployment and a Rollout may not share the name \"{}\" in kubesim: "
                      "their metrics are both reported by name under `deployments`{}",
                      key.name,
                      ref ? " (a Rollout's workloadRef works the same with another name: "
                            "rename the Rollout)"
                          : "")});
      return;
    }
  }
  if (key.kind == "Namespace" && step == nullptr && store_.contains(key)) {
    // Re-applying a namespace changes nothing kubesim models.
  }
  store_[key] = Stored{d.object, d.tree, file};
  left_out_.erase(key);
  ever_.insert(key);
  if (const auto* c = std::get_if<k8s::FlaggerCanary>(&d.object)) {
    // The Services and the primary Deployment Flagger makes
    // (docs/progressive-delivery.md): clients and expect: lines may name them.
    const std::string apex =
        c->spec.service_name.empty() ? c->spec.target_name : c->spec.service_name;
    for (const char* suffix : {"", "-canary", "-primary"}) {
      made_.insert(ObjectKey{"Service", key.namespace_name, apex + suffix});
    }
    made_.insert(ObjectKey{"Deployment", key.namespace_name, c->spec.target_name + "-primary"});
  }
  if (step != nullptr) step->objects.push_back(d.object);
}

std::optional<std::vector<k8s::DecodedObject>> Loader::ReadManifest(const std::string& name,
                                                                    Step* step, int* errors) {
  std::string resolved;
  Expected<std::string> text = Error{""};
  if (name == "-") {
    resolved = "<stdin>";
    if (!stdin_) {
      auto in = options_.read_stdin ? options_.read_stdin() : ReadStdinOnce();
      if (!in) {
        StepError(*step, 0, fmt::format("cannot read standard input: {}", in.error()));
        return std::nullopt;
      }
      stdin_ = *in;
    }
    text = *stdin_;
  } else {
    const std::filesystem::path p(name);
    resolved = p.is_absolute() ? name : (dir_ / p).lexically_normal().string();
    text = options_.read_file ? options_.read_file(resolved) : ReadFileFromDisk(resolved);
    if (!text) {
      StepError(*step, step->text.find(name), fmt::format("{}: {}", name, text.error()));
      return std::nullopt;
    }
  }
  const size_t before = diags_.size();
  auto docs = ParseFile(*text, resolved);
  std::vector<k8s::DecodedObject> objects;
  if (docs) {
    for (const auto& doc : *docs) {
      const Node& root = *doc.root;
      if (root.IsMap() && root.Get("kind") != nullptr && root.Get("kind")->IsScalar() &&
          root.Get("kind")->scalar == "Scenario") {
        diags_.push_back(Diagnostic{Severity::kError,
                                    Position{resolved, root.mark.line + 1, root.mark.column + 1},
                                    "a Scenario cannot be applied with kubectl apply -f"});
        continue;
      }
      Decode(doc.root, resolved, step->command.namespace_name, &objects);
    }
  }
  *errors = 0;
  for (size_t i = before; i < diags_.size(); ++i) {
    *errors += diags_[i].severity == Severity::kError;
  }
  if (*errors > 0) {
    StepError(
        *step, step->text.find(name),
        fmt::format("{} is not valid ({} error{} above)", name, *errors, *errors == 1 ? "" : "s"));
    return std::nullopt;
  }
  if (objects.empty() && docs) {
    // Objects of kinds kubesim does not simulate (an HPA, a ConfigMap) are
    // applied by kubectl; each has had its warning. A file with no object
    // at all is kubectl's error.
    const bool any = std::any_of(docs->begin(), docs->end(), [](const yaml::Document& doc) {
      return doc.root && doc.root->IsMap() && doc.root->Get("kind") != nullptr;
    });
    if (any) return objects;
    StepError(*step, step->text.find(name),
              fmt::format("no objects passed to apply: {} holds no Kubernetes object", name));
    return std::nullopt;
  }
  return objects;
}

void Loader::ApplyManifest(const k8s::DecodedObject& d, const NodePtr& tree, const ObjectKey& key,
                           const std::string& file, Step* step) {
  const auto live = store_.find(key);
  const auto last = last_applied_.find(key);
  NodePtr applied = tree;
  if (live != store_.end() && key.kind != "Namespace") {
    // kubectl apply patches the live object: a three-way merge of the last
    // applied manifest, this one and the live object (ThreeWayMerge).
    applied = ThreeWayMerge(live->second.tree, last == last_applied_.end() ? nullptr : last->second,
                            *tree);
  }
  if (step != nullptr && key.kind == "Deployment") {
    const auto has_replicas = [](const NodePtr& t) {
      const Node* spec = t == nullptr ? nullptr : t->Get("spec");
      return spec != nullptr && spec->IsMap() && spec->Get("replicas") != nullptr;
    };
    if (has_replicas(tree) || (last != last_applied_.end() && has_replicas(last->second))) {
      step->replicas_written.push_back(key);
    }
  }
  last_applied_[key] = tree;
  if (applied == d.tree) {
    ApplyObject(d, file, step);
  } else {
    Replace(Stored{d.object, d.tree, file}, applied, step);
  }
}

void Loader::WarnSilentFootguns(const Scenario& s) {
  std::vector<const k8s::Object*> objects;
  for (const auto& o : s.objects) objects.push_back(&o);
  for (const auto& st : s.timeline) {
    for (const auto& o : st.objects) objects.push_back(&o);
  }
  // The pods' specs: of pod templates and bare pods, with their labels and
  // where the spec is in the object.
  struct PodSpecOf {
    const k8s::Object* object;
    const k8s::PodSpec* spec;
    const k8s::Labels* labels;
    std::string base;
  };
  std::vector<PodSpecOf> pod_specs;
  for (const k8s::Object* o : objects) {
    if (const auto* t = k8s::TemplateOf(*o)) {
      pod_specs.push_back({o, &t->spec, &t->metadata.labels, "spec.template.spec"});
    } else if (const auto* pod = std::get_if<k8s::Pod>(o)) {
      pod_specs.push_back({o, &pod->spec, &pod->metadata.labels, "spec"});
    }
  }
  // Images: every container's, with where it first appears.
  std::map<std::string, Position, std::less<>> used;
  for (const PodSpecOf& p : pod_specs) {
    for (auto [list, name] : {std::pair{&p.spec->init_containers, "initContainers"},
                              std::pair{&p.spec->containers, "containers"}}) {
      for (size_t i = 0; i < list->size(); ++i) {
        const std::string& image = (*list)[i].image;
        if (!used.contains(image)) {
          used.emplace(
              image, k8s::SourceOf(*p.object).At(fmt::format("{}.{}[{}].image", p.base, name, i)));
        }
      }
    }
  }
  for (const auto& [image, at] : used) {
    if (s.ProfileFor(image) != nullptr) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, at,
        fmt::format("image \"{}\" has no profile in spec.images: it pulls and starts in 0s and is "
                    "always healthy{}",
                    image, [&, &image = image]() -> std::string {
                      // A typo in a tag: the nearest profile no container uses.
                      std::vector<std::string_view> names;
                      for (const auto& [k, v] : s.images) {
                        if (!used.contains(k)) names.push_back(k);
                      }
                      if (auto near = Nearest(image, names)) {
                        return fmt::format("; did you mean \"{}\"?", *near);
                      }
                      return "";
                    }())});
  }
  for (const auto& [image, profile] : s.images) {
    if (used.contains(image)) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, profile.position,
        fmt::format("no container runs image \"{}\": this profile is never used", image)});
  }
  // Services: a selector that no pod template or pod of its namespace matches.
  for (const k8s::Object* o : objects) {
    const auto* svc = std::get_if<k8s::Service>(o);
    if (svc == nullptr || svc->spec.selector.empty()) continue;
    const bool any = std::any_of(pod_specs.begin(), pod_specs.end(), [&](const PodSpecOf& p) {
      return k8s::MetaOf(*p.object).namespace_name == svc->metadata.namespace_name &&
             k8s::MapSelectorMatches(svc->spec.selector, *p.labels);
    });
    if (!any) {
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.selector"),
          fmt::format("Service \"{}\" selects {}, which no pod template or pod of the scenario "
                      "has: it never has an endpoint",
                      svc->metadata.name, [&] {
                        std::string sel;
                        for (const auto& [k, v] : svc->spec.selector) {
                          sel += fmt::format("{}{}={}", sel.empty() ? "" : ",", k, v);
                        }
                        return sel;
                      }())});
    }
  }
  // A Service an Argo Rollout names that no object creates: the controller
  // marks the Rollout InvalidSpec (Degraded) and never progresses.
  for (const k8s::Object* o : objects) {
    const auto* ro = std::get_if<k8s::Rollout>(o);
    if (ro == nullptr) continue;
    std::vector<std::pair<std::string, std::string>> named;
    if (ro->spec.blue_green) {
      named = {{"blueGreen.activeService", ro->spec.blue_green->active_service},
               {"blueGreen.previewService", ro->spec.blue_green->preview_service}};
    } else if (ro->spec.canary) {
      named = {{"canary.stableService", ro->spec.canary->stable_service},
               {"canary.canaryService", ro->spec.canary->canary_service}};
    }
    if (const auto& w = ro->spec.workload_ref;
        w && w->kind == "Deployment" && w->api_version != "apps/v1") {
      // templateref.go getInformer: discovery serves apps/v1 only.
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.workloadRef.apiVersion"),
          fmt::format("Rollout \"{}\"'s workloadRef names apiVersion \"{}\", which the API "
                      "server does not serve (apps/v1 does): the controller marks the Rollout "
                      "InvalidSpec (Degraded) and it never progresses",
                      ro->metadata.name, w->api_version)});
    } else if (w &&
               !ever_.contains(ObjectKey{"Deployment", ro->metadata.namespace_name, w->name})) {
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.workloadRef.name"),
          fmt::format("Rollout \"{}\" takes its template from Deployment \"{}\" "
                      "(workloadRef), and no object of the scenario creates it: the controller "
                      "marks the Rollout InvalidSpec (Degraded) and it never progresses",
                      ro->metadata.name, w->name)});
    }
    for (const auto& [field, name] : named) {
      if (name.empty() || ever_.contains(ObjectKey{"Service", ro->metadata.namespace_name, name})) {
        continue;
      }
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.strategy." + field),
          fmt::format("Rollout \"{}\" names Service \"{}\" as its {}, and no object of the "
                      "scenario creates it: the controller marks the Rollout InvalidSpec "
                      "(Degraded) and it never progresses",
                      ro->metadata.name, name, field.substr(field.find('.') + 1))});
    }
  }
  // A canary's traffic router splits the stable Service's requests: the
  // Service's own metrics do not see the split.
  for (const k8s::Object* o : objects) {
    const auto* ro = std::get_if<k8s::Rollout>(o);
    if (ro == nullptr || !ro->spec.canary || !ro->spec.canary->traffic_routing) continue;
    const std::string& stable = ro->spec.canary->stable_service;
    const auto client = std::find_if(s.traffic.begin(), s.traffic.end(), [&](const auto& t) {
      return t.service == stable && t.service_namespace == ro->metadata.namespace_name;
    });
    if (client == s.traffic.end()) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, client->position,
        fmt::format("traffic \"{}\": Rollout \"{}\"'s traffic router sends a share of Service "
                    "\"{}\"'s requests to its canaryService \"{}\": the requests (failed, by "
                    "version) count them all and the version mix counts the versions of both, "
                    "but the Service's downtime, timeline and plot are its own endpoints' while "
                    "the weight is under 100%{}",
                    client->name, ro->metadata.name, stable, ro->spec.canary->canary_service,
                    client->load_balancer &&
                            client->load_balancer->target_type == LoadBalancer::TargetType::kIp
                        ? "; this client comes through a load balancer of targetType ip, whose "
                          "targets it reaches directly: its requests are not split"
                        : "")});
  }
  // A Flagger Canary: its target must exist; its router (any provider but
  // kubernetes) splits the apex Service's requests, which that Service's own
  // metrics do not see.
  for (const k8s::Object* o : objects) {
    const auto* c = std::get_if<k8s::FlaggerCanary>(o);
    if (c == nullptr) continue;
    const std::string& ns = c->metadata.namespace_name;
    if (!ever_.contains(ObjectKey{"Deployment", ns, c->spec.target_name})) {
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.targetRef.name"),
          fmt::format("Canary \"{}\" targets Deployment \"{}\", and no object of the scenario "
                      "creates it: Flagger retries every interval and never initializes",
                      c->metadata.name, c->spec.target_name)});
    }
    if (!k8s::FlaggerRoutes(c->spec)) continue;
    const std::string apex =
        c->spec.service_name.empty() ? c->spec.target_name : c->spec.service_name;
    const std::string provider = c->spec.provider.empty() ? "istio" : c->spec.provider;
    // Ingress controllers split what comes through the ingress, not a
    // Service's in-cluster clients.
    for (const char* ingress :
         {"nginx", "contour", "gloo", "skipper", "traefik", "apisix", "gatewayapi"}) {
      if (!provider.starts_with(ingress)) continue;
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.provider"),
          fmt::format("Canary \"{}\": provider {} splits the requests that come through its "
                      "ingress or gateway; kubesim splits every request sent to Service \"{}\", "
                      "its in-cluster clients' too",
                      c->metadata.name, provider, apex)});
      break;
    }
    if (k8s::FlaggerStrategyOf(c->spec) == k8s::FlaggerStrategy::kABTesting) {
      diags_.push_back(Diagnostic{
          Severity::kWarning, k8s::SourceOf(*o).At("spec.analysis.match"),
          fmt::format("Canary \"{}\": an A/B test routes only the requests its match "
                      "conditions select (headers, cookies), and kubesim's clients carry none: "
                      "no request sent to Service \"{}\" reaches the canary; its checks read "
                      "the requests of clients of \"{}-canary\" alone (none: every check fails "
                      "for no data)",
                      c->metadata.name, apex, apex)});
      continue;
    }
    const auto client = std::find_if(s.traffic.begin(), s.traffic.end(), [&](const auto& t) {
      return t.service == apex && t.service_namespace == ns;
    });
    if (client == s.traffic.end()) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, client->position,
        fmt::format("traffic \"{}\": Canary \"{}\"'s router sends a share of Service \"{}\"'s "
                    "requests to \"{}-canary\": the requests (failed, by version) count them "
                    "all and the version mix counts the versions of both, but the Service's "
                    "downtime, timeline and plot are its own endpoints' (the primary's) while "
                    "the weight is under 100%",
                    client->name, c->metadata.name, apex, apex)});
  }
  // The AWS Load Balancer Controller's readiness gate, on pods no balancer
  // of targetType ip fronts: nothing sets it (docs/load-model.md, 8).
  for (const PodSpecOf& p : pod_specs) {
    if (!k8s::HasLbGate(*p.spec)) continue;
    const std::string& ns = k8s::MetaOf(*p.object).namespace_name;
    const bool fronted = std::any_of(s.traffic.begin(), s.traffic.end(), [&](const auto& t) {
      if (!t.load_balancer || t.load_balancer->target_type != LoadBalancer::TargetType::kIp ||
          t.service_namespace != ns) {
        return false;
      }
      return std::any_of(objects.begin(), objects.end(), [&](const k8s::Object* so) {
        const auto* svc = std::get_if<k8s::Service>(so);
        return svc != nullptr && svc->metadata.name == t.service &&
               svc->metadata.namespace_name == ns && !svc->spec.selector.empty() &&
               k8s::MapSelectorMatches(svc->spec.selector, *p.labels);
      });
    });
    for (size_t i = 0; i < p.spec->readiness_gates.size() && !fronted; ++i) {
      const std::string& gate = p.spec->readiness_gates[i];
      if (!k8s::IsLbGate(gate)) continue;
      diags_.push_back(Diagnostic{
          Severity::kWarning,
          k8s::SourceOf(*p.object).At(fmt::format("{}.readinessGates[{}]", p.base, i)),
          fmt::format("readiness gate \"{}\" is set by the AWS Load Balancer Controller when "
                      "the pod's target is healthy, but no client in spec.traffic comes `via: "
                      "{{loadBalancer: {{targetType: ip}}}}` to a Service selecting these pods: "
                      "they never turn Ready",
                      gate)});
    }
  }
  // Keep-alive behind a balancer: the ALB ends the client's connections.
  for (const auto& t : s.traffic) {
    if (!t.load_balancer || t.connections == 0) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, t.position,
        fmt::format("traffic \"{}\": connections: {} ends at the load balancer, which picks a "
                    "target for every request (an ALB is a layer-7 proxy): the connections pin "
                    "no pod",
                    t.name, t.connections)});
  }
  // A Service some of whose clients come through an ip balancer and some
  // not: its availability is kube-proxy's view (world.cc), which the
  // balancer's clients may not share (docs/load-model.md, 8).
  for (const auto& t : s.traffic) {
    const auto behind = [](const auto& c) {
      return c.load_balancer && c.load_balancer->target_type == LoadBalancer::TargetType::kIp;
    };
    if (!behind(t)) continue;
    const auto other = std::find_if(s.traffic.begin(), s.traffic.end(), [&](const auto& c) {
      return c.service == t.service && c.service_namespace == t.service_namespace && !behind(c);
    });
    if (other == s.traffic.end()) continue;
    diags_.push_back(Diagnostic{
        Severity::kWarning, t.position,
        fmt::format("traffic \"{}\" comes through a load balancer to Service \"{}\", and "
                    "traffic \"{}\" does not: the Service's downtime, version mix, timeline "
                    "and plot are what the clients without a balancer see (requests are "
                    "counted for every client)",
                    t.name, t.service, other->name)});
  }
  int64_t nodes = 0;
  for (const auto& g : s.cluster.nodes) nodes += g.count;
  if (nodes == 0 && !s.cluster.nodes.empty()) {  // no group at all is an error already
    diags_.push_back(Diagnostic{Severity::kWarning, s.position,
                                "the cluster has no node: no pod can be scheduled (add "
                                "spec.cluster.nodes)"});
  }
}

void Loader::CheckChainOrder(const Scenario& s) {
  const auto& tl = s.timeline;
  // A chained step's time is known when nothing before it in its chain
  // blocks; else it is its predecessor's time or later.
  std::vector<int32_t> blocker(tl.size(), -1);  // the latest blocking step before it
  std::vector<size_t> chain(tl.size());         // the chain's first step
  for (size_t i = 0; i < tl.size(); ++i) {      // predecessors come first (sorted by time)
    chain[i] = i;
    const int32_t a = tl[i].after;
    if (a < 0) continue;
    chain[i] = chain[static_cast<size_t>(a)];
    blocker[i] =
        IsBlocking(tl[static_cast<size_t>(a)].command) ? a : blocker[static_cast<size_t>(a)];
  }
  const auto touches = [](const Step& st) {
    std::set<ObjectKey> keys(st.deleted.begin(), st.deleted.end());
    for (const auto& o : st.objects) keys.insert(k8s::KeyOf(o));
    // argo rollouts pause and promote change spec.paused only when it is not
    // already so, which depends on the order; they touch the Rollout either way.
    if (const auto* a = std::get_if<ArgoRolloutsCommand>(&st.command.body);
        a != nullptr && a->action != ArgoRolloutsCommand::Action::kAbort &&
        a->action != ArgoRolloutsCommand::Action::kRetry &&
        a->action != ArgoRolloutsCommand::Action::kStatus) {
      keys.insert(ObjectKey{"Rollout", st.command.namespace_name, a->name});
    }
    return keys;
  };
  for (size_t i = 0; i < tl.size(); ++i) {
    if (blocker[i] < 0) continue;
    const std::set<ObjectKey> mine = touches(tl[i]);
    if (mine.empty()) continue;
    for (size_t j = 0; j < tl.size(); ++j) {
      if (j == i || chain[j] == chain[i] || tl[j].at < tl[i].at) continue;
      for (const ObjectKey& k : touches(tl[j])) {
        if (!mine.contains(k)) continue;
        const Step& b = tl[static_cast<size_t>(blocker[i])];
        diags_.push_back(Diagnostic{
            Severity::kError, tl[i].position,
            fmt::format("this step and step {} (line {}) both change {}, and which runs first "
                        "depends on when step {} ({}) finishes; kubesim works out each step's "
                        "result before the run, so their order must be known: put step {} in "
                        "this chain, or give this step an at:",
                        tl[j].number, tl[j].position.line, k.Describe(), b.number,
                        CommandName(b.command), tl[j].number)});
        break;
      }
    }
  }
}

std::vector<std::string> Loader::ExpandDirectories(const std::vector<std::string>& names,
                                                   Step* step) {
  // kubectl's -f DIR: the directory's .yaml, .yml and .json files, in name
  // order, not its subdirectories (no -R).
  std::vector<std::string> out;
  for (const std::string& name : names) {
    const std::filesystem::path p(name);
    const std::filesystem::path resolved = p.is_absolute() ? p : (dir_ / p).lexically_normal();
    std::error_code ec;
    if (name == "-" || !std::filesystem::is_directory(resolved, ec)) {
      out.push_back(name);
      continue;
    }
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::directory_iterator(resolved, ec)) {
      const std::string ext = e.path().extension().string();
      if (e.is_regular_file(ec) && (ext == ".yaml" || ext == ".yml" || ext == ".json")) {
        files.push_back(e.path().filename().string());
      }
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
      StepError(*step, step->text.find(name),
                fmt::format("error reading {}: recognized file extensions are [.json .yaml .yml] "
                            "and the directory holds none",
                            name));
      continue;
    }
    for (const std::string& f : files) out.push_back((p / f).string());
  }
  return out;
}

bool Loader::OwnedPodName(const ObjectKey& key) const {
  // A pod of a Deployment or ReplicaSet: its generated name starts with its
  // owner's name; which pods exist is known only when the step runs.
  for (const auto& [k, v] : store_) {
    if ((k.kind == "Deployment" || k.kind == "ReplicaSet" || k.kind == "Rollout") &&
        k.namespace_name == key.namespace_name && key.name.starts_with(k.name + "-")) {
      return true;
    }
  }
  return false;
}

void Loader::Decode(const yaml::NodePtr& root, const std::string& file, const std::string& ns,
                    std::vector<k8s::DecodedObject>* objects) {
  const size_t before = objects->size();
  const size_t diags_before = diags_.size();
  k8s::DecodeDocument(root, file, &diags_, objects);
  if (!root->IsMap() ||
      std::any_of(diags_.begin() + static_cast<long>(diags_before), diags_.end(),
                  [](const Diagnostic& d) { return d.severity == Severity::kError; })) {
    return;
  }
  // The objects the document holds: itself, or a v1 List's items.
  std::vector<const Node*> docs;
  const auto is = [&](const char* field, const char* value) {
    const Node* n = root->Get(field);
    return n != nullptr && n->IsScalar() && n->scalar == value;
  };
  if (is("kind", "List") && is("apiVersion", "v1") && root->Get("items") != nullptr &&
      root->Get("items")->IsSequence()) {
    for (const auto& item : root->Get("items")->items) docs.push_back(item.get());
  } else {
    docs.push_back(root.get());
  }
  std::set<std::pair<std::string, std::string>> decoded;  // kind, name
  for (size_t i = before; i < objects->size(); ++i) {
    const k8s::Object& o = (*objects)[i].object;
    decoded.emplace(std::string(k8s::KindOf(o)), k8s::MetaOf(o).name);
  }
  for (const Node* doc : docs) {
    if (!doc->IsMap()) continue;
    const Node* kind = doc->Get("kind");
    const Node* md = doc->Get("metadata");
    const Node* name = md == nullptr ? nullptr : md->Get("name");
    if (kind == nullptr || !kind->IsScalar() || name == nullptr || !name->IsScalar() ||
        decoded.contains({kind->scalar, name->scalar})) {
      continue;
    }
    const Node* given = md->Get("namespace");
    const std::string object_ns =
        given != nullptr && given->IsScalar() && !given->scalar.empty() ? given->scalar : ns;
    decoded_left_out_.emplace_back(ObjectKey{kind->scalar, object_ns, name->scalar},
                                   Position{file, doc->mark.line + 1, doc->mark.column + 1});
  }
}

const Stored* Loader::Find(const ObjectKey& key, Step* step, size_t offset) {
  const auto it = store_.find(key);
  if (it != store_.end()) return &it->second;
  if (const auto out = left_out_.find(key); out != left_out_.end()) {
    StepError(*step, offset,
              fmt::format("{} is left out of the run (see the warning at {}:{}:{}): kubesim "
                          "cannot run this step on it",
                          key.Describe(), out->second.file, out->second.line, out->second.column));
    return nullptr;
  }
  StepError(*step, offset,
            fmt::format("{} not found at {}: no object of the file or earlier step creates it",
                        key.Describe(), FormatDuration(step->at)));
  return nullptr;
}

void Loader::Replace(const Stored& old, NodePtr tree, Step* step) {
  Diagnostics local;
  std::vector<k8s::DecodedObject> objects;
  k8s::DecodeDocument(tree, old.file, &local, &objects);
  bool bad = false;
  for (auto& d : local) {
    // A warning the object had before the step (a field the step did not
    // add) has been given already; one the step brings (a patch setting
    // sessionAffinity: ClientIP) is given at the step.
    if (d.severity == Severity::kWarning &&
        std::any_of(diags_.begin(), diags_.end(), [&](const Diagnostic& e) {
          return e.severity == Severity::kWarning && e.message.ends_with(d.message);
        })) {
      continue;
    }
    bad = bad || d.severity == Severity::kError;
    diags_.push_back(
        Diagnostic{d.severity, step->position,
                   fmt::format("after kubectl {}: {}", CommandName(step->command), d.message)});
  }
  if (bad) return;
  if (objects.empty()) {
    // Decoded without error into nothing: a form kubesim leaves out.
    const ObjectKey key = k8s::KeyOf(old.object);
    StepError(*step, NameOffset(*step, key.name), LeftOutChange(key, step->position));
    return;
  }
  if (objects.size() != 1) return;
  ApplyObject(objects[0], old.file, step);
}

// Each command's change to the stored objects, one function per command
// (the parser's table is KubectlCommands(); the model's ApiServer::RunStep).
void Loader::RunStep(Step* step, const Scenario& s) {
  std::visit([&](const auto& command) { Replay(command, step, s); }, step->command.body);
}

void Loader::Replay(const ApplyCommand& a, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* apply = &a;
  for (const auto& f : ExpandDirectories(apply->files, step)) {
    int errors = 0;
    decoded_left_out_.clear();
    auto objects = ReadManifest(f, step, &errors);
    if (!objects) continue;
    for (const auto& [key, at] : decoded_left_out_) {
      if (store_.contains(key)) {
        // The run has it: it cannot go on as it was, nor as applied.
        StepError(*step, name_offset(f), LeftOutChange(key, at));
        continue;
      }
      left_out_.insert_or_assign(key, at);
    }
    decoded_left_out_.clear();
    for (const auto& d : *objects) {
      const std::string file = k8s::SourceOf(d.object).document.file;
      if (ns == k8s::defaults::kNamespace || std::holds_alternative<k8s::Namespace>(d.object)) {
        ApplyManifest(d, d.tree, k8s::KeyOf(d.object), file, step);
        continue;
      }
      // `apply -n NS`: objects without a namespace go to NS; one naming
      // another namespace is refused, as kubectl refuses it.
      const Node* md = d.tree->Get("metadata");
      const Node* given = md == nullptr ? nullptr : md->Get("namespace");
      if (given != nullptr && given->IsScalar() && !given->scalar.empty()) {
        if (given->scalar != ns) {
          StepError(*step, name_offset(ns),
                    fmt::format("the namespace from the provided object \"{}\" does not match "
                                "the namespace \"{}\". You must pass '--namespace={}' to "
                                "perform this operation.",
                                given->scalar, ns, given->scalar));
          continue;
        }
        ApplyManifest(d, d.tree, k8s::KeyOf(d.object), file, step);
        continue;
      }
      ObjectKey key = k8s::KeyOf(d.object);
      key.namespace_name = ns;
      ApplyManifest(d,
                    SetIn(d.tree, {std::string("metadata"), std::string("namespace")}, 0,
                          yaml::MakeScalar(ns, d.tree->mark, false)),
                    key, file, step);
    }
  }
}

void Loader::Replay(const DeleteCommand& d, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* del = &d;
  std::vector<std::pair<ObjectKey, size_t>> keys;
  for (const auto& f : ExpandDirectories(del->files, step)) {
    int errors = 0;
    decoded_left_out_.clear();
    auto objects = ReadManifest(f, step, &errors);
    if (!objects) continue;
    for (const auto& d : *objects) keys.emplace_back(k8s::KeyOf(d.object), name_offset(f));
    // Objects left out of the run: deleting them changes nothing it has.
    for (const auto& left : decoded_left_out_) left_out_.erase(left.first);
    decoded_left_out_.clear();
  }
  for (const auto& r : del->resources) keys.emplace_back(key_of(r), name_offset(r.name));
  for (const auto& [key, offset] : keys) {
    if (key.kind == "Pod" && !store_.contains(key) && OwnedPodName(key)) {
      step->deleted.push_back(key);
      continue;
    }
    if (!store_.contains(key) && left_out_.erase(key) > 0) continue;
    if (Find(key, step, offset) == nullptr) continue;
    step->deleted.push_back(key);
    if (key.kind == "Namespace") {
      for (auto it = store_.begin(); it != store_.end();) {
        if (it->first.namespace_name == key.name) {
          // Its objects go with it, their revisions and last-applied too.
          step->deleted.push_back(it->first);
          history_.erase(it->first);
          last_applied_.erase(it->first);
          it = store_.erase(it);
        } else {
          ++it;
        }
      }
      const std::string& gone = key.name;  // (clang 14: no lambda capture of a binding)
      std::erase_if(left_out_, [&gone](const auto& e) { return e.first.namespace_name == gone; });
    }
    store_.erase(key);
    history_.erase(key);
    last_applied_.erase(key);
  }
}

void Loader::Replay(const PatchCommand& command, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* patch = &command;
  const Stored* old = Find(key_of(patch->target), step, name_offset(patch->target.name));
  // A patch that names replicas writes them (Step::replicas_written).
  if (old != nullptr && patch->patch.find("replicas") != std::string::npos) {
    step->replicas_written.push_back(key_of(patch->target));
  }
  if (old == nullptr) return;
  if (patch->target.kind == "Rollout" && patch->type == PatchCommand::Type::kStrategic) {
    // A custom resource takes JSON and merge patches only (the API server's
    // answer to kubectl's default, a strategic merge patch).
    StepError(*step, name_offset(patch->target.name),
              "the body of the request was in an unknown format - accepted media types include: "
              "application/json-patch+json, application/merge-patch+json (a Rollout is a custom "
              "resource: use --type merge or --type json)");
    return;
  }
  yaml::Limits limits;
  limits.max_nodes = 100'000;
  yaml::Stream ps = yaml::Parse(patch->patch, limits);
  const bool json = patch->type == PatchCommand::Type::kJson;
  if (!ps.errors.empty() || ps.documents.size() != 1 || (!json && !ps.documents[0].root->IsMap())) {
    StepError(*step, patch->patch_offset,
              !ps.errors.empty()
                  ? fmt::format("the patch is not valid JSON: {}", ps.errors[0].message)
              : json ? "the patch must be one JSON list of operations, such as "
                       "'[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":3}]'"
                     : "the patch must be one JSON object, such as "
                       "'{\"spec\":{\"selector\":{\"color\":\"green\"}}}'");
    return;
  }
  const Node& p = *ps.documents[0].root;
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  if (json) {
    // kubectl reads -p as YAML or JSON (yaml.ToJSON) and the API server
    // applies the operations to the stored object (JsonPatch). The
    // result may not rename or re-kind the object, as for a merge patch.
    Expected<NodePtr> patched = JsonPatch(old->tree, p, at);
    if (!patched.ok()) {
      StepError(*step, patch->patch_offset, patched.error());
      return;
    }
    NodePtr tree = std::move(patched).value();
    if (!tree->IsMap()) {
      StepError(*step, patch->patch_offset,
                fmt::format("the patched object is {}, not a JSON object", yaml::Describe(*tree)));
      return;
    }
    const auto same = [](const Node* a, const Node* b) {
      if (a == nullptr || b == nullptr) return a == b;
      return a->IsScalar() && b->IsScalar() && a->scalar == b->scalar;
    };
    const auto field = [](const NodePtr& t, std::string_view path) -> const Node* {
      const size_t dot = path.find('.');
      if (dot == std::string_view::npos) return t->Get(path);
      const Node* md = t->Get(path.substr(0, dot));
      return md == nullptr || !md->IsMap() ? nullptr : md->Get(path.substr(dot + 1));
    };
    // A namespace written as the one the object is in already changes
    // nothing (an absent one is "default", as the API server defaults it).
    const auto namespace_of = [&](const NodePtr& t) -> std::string {
      const Node* n = field(t, "metadata.namespace");
      return n == nullptr || !n->IsScalar() || n->scalar.empty()
                 ? std::string(k8s::defaults::kNamespace)
                 : n->scalar;
    };
    if (!std::holds_alternative<k8s::Namespace>(old->object) &&
        namespace_of(old->tree) != namespace_of(tree)) {
      StepError(*step, patch->patch_offset, "the patch may not change metadata.namespace");
      return;
    }
    for (auto f : {"apiVersion", "kind", "metadata.name"}) {
      if (!same(field(old->tree, f), field(tree, f))) {
        StepError(*step, patch->patch_offset, fmt::format("the patch may not change {}", f));
        return;
      }
    }
    Replace(*old, tree, step);
    return;
  }
  for (auto f : {"apiVersion", "kind"}) {
    if (const Node* v = p.Get(f); v != nullptr) {
      const Node* cur = old->tree->Get(f);
      if (cur == nullptr || !v->IsScalar() || v->scalar != cur->scalar) {
        StepError(*step, patch->patch_offset, fmt::format("the patch may not change {}", f));
        return;
      }
    }
  }
  if (const Node* md = p.Get("metadata"); md != nullptr && md->IsMap()) {
    for (auto f : {"name", "namespace"}) {
      const Node* v = md->Get(f);
      if (v == nullptr) continue;
      const k8s::ObjectMeta& meta = k8s::MetaOf(old->object);
      const std::string& cur = std::string_view(f) == "name" ? meta.name : meta.namespace_name;
      if (!v->IsScalar() || v->scalar != cur) {
        StepError(*step, patch->patch_offset,
                  fmt::format("the patch may not change metadata.{}", f));
        return;
      }
    }
  }
  Replace(*old, MergePatch(old->tree, p, patch->type == PatchCommand::Type::kStrategic, at), step);
}

void Loader::Replay(const ScaleCommand& c, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* scale = &c;
  const Stored* old = Find(key_of(scale->target), step, name_offset(scale->target.name));
  if (old == nullptr) return;
  step->replicas_written.push_back(key_of(scale->target));
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  Replace(*old,
          SetIn(old->tree, {std::string("spec"), std::string("replicas")}, 0,
                yaml::MakeScalar(std::to_string(scale->replicas), at, true)),
          step);
}

void Loader::Replay(const SetImageCommand& c, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* set = &c;
  const Stored* old = Find(key_of(set->target), step, name_offset(set->target.name));
  if (old == nullptr) return;
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  std::vector<PathElem> base;
  const k8s::PodSpec* spec = PodSpecOf(old->object, &base);
  if (spec == nullptr) return;  // the parser takes pod-bearing kinds only
  NodePtr tree = old->tree;
  for (const auto& [container, image] : set->images) {
    bool found = false;
    for (auto [list, name] : {std::pair{&spec->init_containers, "initContainers"},
                              std::pair{&spec->containers, "containers"}}) {
      for (size_t i = 0; i < list->size(); ++i) {
        if (container != "*" && (*list)[i].name != container) continue;
        found = true;
        std::vector<PathElem> path = base;
        path.push_back(std::string(name));
        path.push_back(i);
        path.push_back(std::string("image"));
        tree = SetIn(tree, path, 0, yaml::MakeScalar(image, at, false));
      }
    }
    if (!found) {
      std::string names;
      for (const auto& c : spec->containers)
        names += fmt::format("{}{}", names.empty() ? "" : ", ", c.name);
      StepError(*step, name_offset(container + "="),
                fmt::format("unable to find container named \"{}\" in {} (its containers: {})",
                            container, key_of(set->target).Describe(), names));
      return;
    }
  }
  Replace(*old, tree, step);
}

void Loader::Replay(const RolloutCommand& c, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* ro = &c;
  const ObjectKey key = key_of(ro->target);
  const Stored* old = Find(key, step, name_offset(ro->target.name));
  if (old == nullptr) return;
  const auto& dep = std::get<k8s::Deployment>(old->object);
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  const std::vector<PathElem> paused = {std::string("spec"), std::string("paused")};
  switch (ro->action) {
    case RolloutCommand::Action::kStatus:
      return;  // it waits when it runs (Script)
    case RolloutCommand::Action::kPause:
      if (dep.spec.paused) {
        StepError(*step, name_offset(ro->target.name),
                  fmt::format("{} is already paused", key.Describe()));
        return;
      }
      Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("true", at, true)), step);
      return;
    case RolloutCommand::Action::kResume:
      if (!dep.spec.paused) {
        StepError(*step, name_offset(ro->target.name),
                  fmt::format("{} is not paused", key.Describe()));
        return;
      }
      Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("false", at, true)), step);
      return;
    case RolloutCommand::Action::kRestart:
      if (dep.spec.paused) {
        StepError(
            *step, name_offset(ro->target.name),
            fmt::format("can't restart paused {} (run rollout resume first)", key.Describe()));
        return;
      }
      // kubectl sets this annotation to the current time; the step's time
      // makes every restart a new template, reproducibly.
      Replace(*old,
              SetIn(old->tree,
                    {std::string("spec"), std::string("template"), std::string("metadata"),
                     std::string("annotations"), std::string("kubectl.kubernetes.io/restartedAt")},
                    0, yaml::MakeScalar(FormatDuration(step->at), at, false)),
              step);
      return;
    case RolloutCommand::Action::kUndo: {
      if (dep.spec.paused) {
        // kubectl's DeploymentRollbacker refuses it.
        StepError(*step, name_offset(ro->target.name),
                  "you cannot rollback a paused deployment; resume it first with 'kubectl "
                  "rollout resume' and try again");
        return;
      }
      Undo(*old, key, ro->to_revision, step);
      return;
    }
  }
}

void Loader::Undo(const Stored& target_object, const ObjectKey& key,
                  std::optional<int64_t> to_revision, Step* step) {
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto& hist = history_[key];
  const Revision* target = nullptr;
  if (to_revision.value_or(0) == 0) {
    if (hist.size() >= 2) target = &hist[hist.size() - 2];
    if (target == nullptr) {
      StepError(*step, name_offset(key.name),
                fmt::format("no rollout history found for {}: nothing to undo at {}",
                            key.Describe(), FormatDuration(step->at)));
      return;
    }
  } else {
    for (const auto& r : hist) {
      if (r.number == *to_revision) target = &r;
    }
    if (target == nullptr) {
      StepError(*step, name_offset("--to-revision"),
                fmt::format("unable to find specified revision {} in history of {}", *to_revision,
                            key.Describe()));
      return;
    }
  }
  if (target->tree == nullptr) return;
  Replace(
      target_object,
      SetIn(target_object.tree, {std::string("spec"), std::string("template")}, 0, target->tree),
      step);
}

void Loader::Replay(const ArgoRolloutsCommand& c, Step* step, const Scenario& s) {
  const std::string& ns = step->command.namespace_name;
  const ObjectKey key{"Rollout", ns, c.name};
  const Stored* old = Find(key, step, NameOffset(*step, c.name));
  if (old == nullptr) return;
  const auto& ro = std::get<k8s::Rollout>(old->object);
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  const std::vector<PathElem> paused = {std::string("spec"), std::string("paused")};
  using Action = ArgoRolloutsCommand::Action;
  switch (c.action) {
    case Action::kSetImage:
      // set image (cmd/set/set_image.go): the Rollout's template, as kubectl
      // set image changes a Deployment's — with a workloadRef, the
      // referenced Deployment's.
      if (ro.spec.workload_ref) {
        Replay(SetImageCommand{ResourceRef{"Deployment", ro.spec.workload_ref->name}, c.images},
               step, s);
        return;
      }
      Replay(SetImageCommand{ResourceRef{"Rollout", c.name}, c.images}, step, s);
      return;
    case Action::kPause:
      // pause.go: {"spec":{"paused":true}}.
      if (!ro.spec.paused) {
        Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("true", at, true)), step);
      }
      return;
    case Action::kPromote:
      // promote.go: {"spec":{"paused":false}} when paused; the status part
      // (pause conditions, promoteFull) is the controller's, at run time.
      if (ro.spec.paused) {
        Replace(*old, SetIn(old->tree, paused, 0, yaml::MakeScalar("false", at, true)), step);
      }
      return;
    case Action::kUndo:
      // undo.go: the template of revision N, by default the previous one.
      if (const auto& w = ro.spec.workload_ref; w && w->kind == "Deployment") {
        // undoWorkloadRef: the Rollout's revision patched into the
        // Deployment's template, which the Rollout then takes.
        const Stored* target =
            Find(ObjectKey{"Deployment", ns, w->name}, step, NameOffset(*step, c.name));
        if (target != nullptr) Undo(*target, key, c.to_revision, step);
        return;
      }
      // (A workloadRef to a ReplicaSet or PodTemplate: the Rollout is left
      // out of the run with a warning, and so is not found here.)
      Undo(*old, key, c.to_revision, step);
      return;
    case Action::kAbort:
    case Action::kRetry:
    case Action::kStatus:
    case Action::kRestart:  // spec.restartAt: a time of the run
      return;  // the Rollout's status, at run time
  }
}

void Loader::Replay(const WaitCommand& c, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* w = &c;
  // Named objects must exist when the step starts; pods by selector, and
  // a ReplicaSet's pods by name, are looked up when it runs.
  for (const std::string& name : w->names) {
    const ObjectKey key{w->kind, ns, name};
    if (key.kind == "Pod" && !store_.contains(key) && OwnedPodName(key)) continue;
    if (Find(key, step, name_offset(name)) == nullptr) return;
  }
}

void Loader::Replay(const AnnotateCommand& c, Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const auto* an = &c;
  const auto pair_offset = [&](const std::string& key) { return name_offset(key); };
  // The API server validates a pod's deletion cost (ValidatePodSpecificAnnotations).
  if (an->kind == "Pod") {
    for (const auto& [key, value] : an->annotations) {
      if (key == k8s::kPodDeletionCostAnnotation && value && !k8s::ParseDeletionCost(*value)) {
        StepError(*step, pair_offset(key),
                  fmt::format("The Pod is invalid: metadata.annotations[{}]: Invalid value: "
                              "\"{}\": must be a 32bit integer",
                              key, *value));
        return;
      }
    }
  }
  // Pods are annotated when the step runs (ApiServer::RunAnnotate): a
  // bare pod may be gone by then (evicted, say), a ReplicaSet's are
  // named only then. Here a named one must be able to exist.
  if (an->kind == "Pod") {
    for (const std::string& name : an->names) {
      const ObjectKey key{"Pod", ns, name};
      if (!store_.contains(key) && !OwnedPodName(key) &&
          Find(key, step, name_offset(name)) == nullptr) {
        return;
      }
    }
    return;
  }
  for (const std::string& name : an->names) {
    const ObjectKey key{an->kind, an->kind == "Namespace" ? "" : ns, name};
    const Stored* old = Find(key, step, name_offset(name));
    if (old == nullptr) return;
    const k8s::Labels& current = k8s::MetaOf(old->object).annotations;
    const yaml::Mark at{step->position.line - 1, step->position.column - 1};
    std::vector<yaml::Entry> changes;
    for (const auto& [k, v] : an->annotations) {
      const auto it = current.find(k);
      if (v && it != current.end() && it->second != *v && !an->overwrite) {
        // validateNoAnnotationOverwrites (kubectl annotate).
        StepError(*step, pair_offset(k),
                  fmt::format("--overwrite is false but found the following declared "
                              "annotation(s): '{}' already has a value ({}) on {}",
                              k, it->second, key.Describe()));
        return;
      }
      changes.push_back(
          yaml::Entry{k, at, v ? yaml::MakeScalar(*v, at, false) : yaml::MakeNull(at)});
    }
    const NodePtr patch = yaml::MakeMap(
        {yaml::Entry{
            "metadata", at,
            yaml::MakeMap({yaml::Entry{"annotations", at, yaml::MakeMap(std::move(changes), at)}},
                          at)}},
        at);
    Replace(*old, MergePatch(old->tree, *patch, /*strategic=*/false, at), step);
  }
}

void Loader::Replay(const SetEnvCommand& c, Step* step, const Scenario& s) {
  ReplaySetContainers(&c, nullptr, step, s);
}

void Loader::Replay(const SetResourcesCommand& c, Step* step, const Scenario& s) {
  ReplaySetContainers(nullptr, &c, step, s);
}

// set env and set resources: the same choice of containers, one field each.
void Loader::ReplaySetContainers(const SetEnvCommand* env, const SetResourcesCommand* res,
                                 Step* step, const Scenario& /*s*/) {
  const std::string& ns = step->command.namespace_name;
  const auto key_of = [&](const ResourceRef& r) { return KeyIn(r, ns); };
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const ResourceRef& target = env != nullptr ? env->target : res->target;
  const std::string& container = env != nullptr ? env->container : res->container;
  const Stored* old = Find(key_of(target), step, name_offset(target.name));
  if (old == nullptr) return;
  const yaml::Mark at{step->position.line - 1, step->position.column - 1};
  std::vector<PathElem> base;
  const k8s::PodSpec* spec = PodSpecOf(old->object, &base);
  if (spec == nullptr) return;
  // The containers it changes: -c's, or every regular container (kubectl
  // set env/resources select containers as set image does, init ones too
  // when named).
  NodePtr tree = old->tree;
  bool found = false;
  for (auto [list, field] : {std::pair{&spec->init_containers, "initContainers"},
                             std::pair{&spec->containers, "containers"}}) {
    for (size_t i = 0; i < list->size(); ++i) {
      const bool init = list == &spec->init_containers;
      if (container.empty() ? init : (*list)[i].name != container) continue;
      found = true;
      std::vector<PathElem> path = base;
      path.push_back(std::string(field));
      path.push_back(i);
      if (env != nullptr) {
        // The container's env list as it stands in the tree, changed by name.
        const Node* c = old->tree.get();
        for (const PathElem& e : path) {
          if (c == nullptr) break;
          c = e.is_index ? (c->IsSequence() && e.index < c->items.size() ? c->items[e.index].get()
                                                                         : nullptr)
                         : c->Get(e.key);
        }
        std::vector<NodePtr> items;
        if (c != nullptr && c->Get("env") != nullptr && c->Get("env")->IsSequence()) {
          items = c->Get("env")->items;
        }
        for (const auto& [k, v] : env->env) {
          const std::string& key = k;  // a plain name: lambdas may not capture bindings
          auto it = std::find_if(items.begin(), items.end(), [&](const NodePtr& n) {
            return n->IsMap() && n->Get("name") != nullptr && n->Get("name")->scalar == key;
          });
          if (!v) {
            if (it != items.end()) items.erase(it);
            continue;
          }
          NodePtr entry = yaml::MakeMap({yaml::Entry{"name", at, yaml::MakeScalar(k, at, false)},
                                         yaml::Entry{"value", at, yaml::MakeScalar(*v, at, false)}},
                                        at);
          if (it != items.end()) {
            *it = entry;
          } else {
            items.push_back(entry);
          }
        }
        path.push_back(std::string("env"));
        tree = SetIn(tree, path, 0, yaml::MakeSequence(std::move(items), at));
      } else {
        for (auto [name, pairs] :
             {std::pair{"requests", &res->requests}, std::pair{"limits", &res->limits}}) {
          for (const auto& [resource, quantity] : *pairs) {
            std::vector<PathElem> p = path;
            p.push_back(std::string("resources"));
            p.push_back(std::string(name));
            p.push_back(resource);
            tree = SetIn(tree, p, 0, yaml::MakeScalar(quantity, at, false));
          }
        }
      }
    }
  }
  if (!found) {
    StepError(*step, name_offset(container),
              fmt::format("unable to find container named \"{}\" in {}", container,
                          key_of(target).Describe()));
    return;
  }
  Replace(*old, tree, step);
}

void Loader::Replay(const SleepCommand& /*c*/, Step* /*step*/, const Scenario& /*s*/) {}

void Loader::Replay(const NodeCommand& node, Step* step, const Scenario& s) {
  const auto name_offset = [&](const std::string& name) { return NameOffset(*step, name); };
  const NodeGroup* group = nullptr;
  int32_t index = 0;
  if (!s.cluster.FindNode(node.node, &group, &index)) {
    std::vector<std::string> names;
    for (const auto& g : s.cluster.nodes) {
      if (g.count > 0)
        names.push_back(g.count == 1 ? g.NodeName(0) : g.name + "-0.." + g.NodeName(g.count - 1));
    }
    std::string list;
    for (const auto& n : names) list += fmt::format("{}{}", list.empty() ? "" : ", ", n);
    StepError(*step, name_offset(node.node),
              fmt::format("node \"{}\" not found (the cluster's nodes: {})", node.node,
                          list.empty() ? "none" : list));
  }
}

void Loader::CheckReferences(const Scenario& s) {
  const auto known = [&](std::string_view kind, const std::string& ref) {
    std::string ns = "default";
    std::string name = ref;
    if (const size_t slash = ref.find('/'); slash != std::string::npos) {
      ns = ref.substr(0, slash);
      name = ref.substr(slash + 1);
    }
    const ObjectKey key{std::string(kind), ns, name};
    return ever_.contains(key) || made_.contains(key);
  };
  const auto names_of = [&](std::string_view kind) {
    std::vector<std::string> out;
    for (const auto& k : ever_) {
      if (k.kind == kind) {
        out.push_back(k.namespace_name == "default" ? k.name : k.namespace_name + "/" + k.name);
      }
    }
    return out;
  };
  const auto hint = [&](std::string_view kind, const std::string& name) {
    const auto names = names_of(kind);
    std::vector<std::string_view> views(names.begin(), names.end());
    if (auto near = Nearest(name, views)) return fmt::format("; did you mean \"{}\"?", *near);
    if (names.empty()) return fmt::format("; the scenario creates no {}", kind);
    return fmt::format(" (known: {})", JoinQuoted(views));
  };
  for (const auto& t : s.traffic) {
    const std::string ref =
        t.service_namespace == "default" ? t.service : t.service_namespace + "/" + t.service;
    if (!t.service.empty() && !known("Service", ref)) {
      diags_.push_back(Diagnostic{
          Severity::kError, t.position,
          fmt::format("traffic \"{}\": Service \"{}\" is never created by the file or a timeline "
                      "step{}",
                      t.name, ref, hint("Service", ref))});
    }
  }
  // The metric paths, against the schema every report writer reads (docs/metrics.md).
  for (const auto& e : s.expect) {
    const auto fail = [&](const std::string& why) {
      diags_.push_back(
          Diagnostic{Severity::kError, e.position, fmt::format("expect \"{}\": {}", e.text, why)});
    };
    const Expected<metrics::MetricPath> path = metrics::ParseMetricPath(e.metric);
    if (!path) {
      std::string why = path.error();
      if (e.metric.starts_with("resources.")) {
        if (auto near = Nearest(std::string_view(e.metric).substr(10),
                                metrics::Keys(metrics::Scope::kResources))) {
          why =
              fmt::format("unknown metric \"{}\"; did you mean \"resources.{}\"?", e.metric, *near);
        }
      }
      fail(why);
      continue;
    }
    switch (path->metric->scope) {
      case metrics::Scope::kService:
        if (!known("Service", path->object)) {
          fail(fmt::format("no Service \"{}\" in this scenario{}", path->object,
                           hint("Service", path->object)));
        }
        break;
      case metrics::Scope::kDeployment:
      case metrics::Scope::kRollout:
        // An Argo Rollout's metrics are a Deployment's (docs/progressive-delivery.md).
        if (!known("Deployment", path->object) && !known("Rollout", path->object)) {
          const std::string rollouts = hint("Rollout", path->object);
          fail(fmt::format("no Deployment or Rollout \"{}\" in this scenario{}", path->object,
                           rollouts.find("did you mean") != std::string::npos
                               ? rollouts
                               : hint("Deployment", path->object)));
        }
        break;
      case metrics::Scope::kRun:
      case metrics::Scope::kResources:
        break;
    }
  }
}

// spec.analysis and the AnalysisTemplates (docs/progressive-delivery.md,
// Analysis): a metric kubesim cannot measure is named, a measure that names
// no metric is an error, and the run keeps each ReplicaSet's requests for
// the longest window a measurement reads.
void Loader::CheckAnalysis(Scenario* s) {
  std::vector<const k8s::Object*> objects;
  for (const auto& o : s->objects) objects.push_back(&o);
  for (const auto& st : s->timeline) {
    for (const auto& o : st.objects) objects.push_back(&o);
  }
  std::set<std::string> used;
  SimDuration window = SimDuration::Zero();
  bool reads_requests = false;
  for (const k8s::Object* o : objects) {
    const auto* t = std::get_if<k8s::AnalysisTemplate>(o);
    if (t == nullptr) continue;
    for (size_t i = 0; i < t->metrics.size(); ++i) {
      const k8s::AnalysisMetric& m = t->metrics[i];
      const AnalysisMeasure* measure = nullptr;
      for (const std::string& key : {t->metadata.name + "/" + m.name, m.name}) {
        for (const AnalysisMeasure& a : s->analysis) {
          if (a.key == key && measure == nullptr) {
            measure = &a;
            used.insert(key);
          }
        }
      }
      const Position at = k8s::SourceOf(*o).At(fmt::format("spec.metrics[{}].provider", i));
      if (measure == nullptr) {
        if (m.provider == "job") {
          diags_.push_back(Diagnostic{
              Severity::kWarning, at,
              fmt::format("{} \"{}\": metric \"{}\" runs a Job, which kubesim does not run: each "
                          "measurement is Successful (give spec.analysis.{} a value to judge)",
                          k8s::KindOf(*o), t->metadata.name, m.name, m.name)});
        } else {
          diags_.push_back(Diagnostic{
              Severity::kWarning, at,
              fmt::format("{} \"{}\": metric \"{}\" queries {}, which kubesim does not: each "
                          "measurement is Successful. Say what it measures in spec.analysis, such "
                          "as `{}: {{measure: successRate}}`",
                          k8s::KindOf(*o), t->metadata.name, m.name, m.provider, m.name)});
        }
        continue;
      }
      if (measure->kind == AnalysisMeasure::Kind::kValue) continue;
      reads_requests = true;
      window = std::max(window, measure->window ? *measure->window
                                : m.interval_us ? SimDuration::Micros(*m.interval_us)
                                                : SimDuration::Seconds(60));
      if (measure->kind == AnalysisMeasure::Kind::kLatency && !s->LoadModel()) {
        diags_.push_back(Diagnostic{
            Severity::kWarning, measure->position,
            fmt::format("spec.analysis.{}: without the load model every request takes 0s, so its "
                        "latency is 0 (give the images a `latency`, docs/load-model.md)",
                        measure->key)});
      }
    }
  }
  // An AnalysisTemplate a Rollout names that no object creates: the
  // controller marks the Rollout InvalidSpec and it never progresses.
  for (const k8s::Object* o : objects) {
    const auto* ro = std::get_if<k8s::Rollout>(o);
    if (ro == nullptr) continue;
    for (const auto& [field, analysis] :
         k8s::RolloutAnalyses(ro->spec.blue_green, ro->spec.canary)) {
      for (const auto& ref : analysis->templates) {
        const bool exists = std::any_of(objects.begin(), objects.end(), [&](const k8s::Object* t) {
          const auto* at = std::get_if<k8s::AnalysisTemplate>(t);
          return at != nullptr && at->metadata.name == ref.name &&
                 at->cluster_scope == ref.cluster_scope &&
                 (ref.cluster_scope || at->metadata.namespace_name == ro->metadata.namespace_name);
        });
        if (exists) continue;
        diags_.push_back(Diagnostic{
            Severity::kWarning, k8s::SourceOf(*o).At("spec.strategy." + field),
            fmt::format("Rollout \"{}\" names {} \"{}\" in its {}, and no object of the scenario "
                        "creates it: the controller marks the Rollout InvalidSpec (Degraded) and "
                        "it never progresses",
                        ro->metadata.name,
                        ref.cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate",
                        ref.name, field)});
      }
    }
  }
  for (const AnalysisMeasure& a : s->analysis) {
    if (used.contains(a.key)) continue;
    diags_.push_back(Diagnostic{
        Severity::kError, a.position,
        fmt::format("spec.analysis.{}: no AnalysisTemplate of the scenario has this metric (write "
                    "METRIC or TEMPLATE/METRIC)",
                    a.key)});
  }
  if (reads_requests) s->analysis_window = window;
}

}  // namespace kubesim::scenario::loader
