#include "kubesim/output/trace.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

namespace kubesim::output {
namespace {

using JsonValue = nlohmann::ordered_json;

constexpr int kClusterPid = 1;
constexpr int kDeploymentsPid = 2;

int64_t Us(SimTime t) { return t.SinceStart().micros(); }

JsonValue Meta(const char* what, int pid, int tid, const std::string& name) {
  return JsonValue{
      {"name", what}, {"ph", "M"}, {"pid", pid}, {"tid", tid}, {"args", {{"name", name}}}};
}

JsonValue SortIndex(int pid, int index) {
  return JsonValue{{"name", "process_sort_index"},
                   {"ph", "M"},
                   {"pid", pid},
                   {"tid", 0},
                   {"args", {{"sort_index", index}}}};
}

}  // namespace

void TraceWriter::OnEvent(SimTime t, std::string_view object, std::string_view what) {
  if (object == "kubectl") {
    steps_.emplace_back(t, std::string(what));
  } else if (what == "serving" || what == "stopped serving") {
    if (auto it = pod_ids_.find(object); it != pod_ids_.end()) {
      pods_[it->second].marks.emplace_back(t, std::string(what));
    }
  } else if (what.starts_with("container ")) {
    if (auto it = pod_ids_.find(object); it != pod_ids_.end()) {
      ContainerEvent(t, pods_[it->second], what);
    }
  }
}

// "container NAME started", "container NAME preStop hook (..)", "container
// NAME: SIGTERM", "container NAME waits for ...", "container NAME exited",
// "container NAME killed: ..." (kubelet_containers.cc); the app container's
// lines name no container ("container started") and stay on the pod's track.
void TraceWriter::ContainerEvent(SimTime t, PodTrack& track, std::string_view what) {
  what.remove_prefix(std::string_view("container ").size());
  const size_t end = what.find_first_of(" :");
  if (end == std::string_view::npos) return;
  const std::string_view name = what.substr(0, end);
  std::string_view rest = what.substr(end);
  if (rest.starts_with(":")) rest.remove_prefix(1);
  if (rest.starts_with(" ")) rest.remove_prefix(1);
  if (name == "started" || name == "image") return;  // the app container's
  auto c = std::find_if(track.containers.begin(), track.containers.end(),
                        [&](const ContainerTrack& x) { return x.name == name; });
  if (c == track.containers.end()) {
    if (rest != "started") return;
    track.containers.push_back(ContainerTrack{std::string(name), {}, false});
    c = track.containers.end() - 1;
  }
  const auto open = [&](const char* state) {
    if (c->open) c->spans.back().end = t;
    c->spans.push_back(Span{state, t, t, "", 0});
    c->open = true;
  };
  if (rest == "started") {
    open("Running");
  } else if (rest.starts_with("preStop") || rest.starts_with("SIGTERM") ||
             rest.starts_with("waits")) {
    if (c->open && c->spans.back().name == "Running") open("Stopping");
  } else if (rest.starts_with("exited") || rest.starts_with("killed") ||
             rest.starts_with("stopped")) {
    if (c->open) c->spans.back().end = t;
    c->open = false;
  }
}

void TraceWriter::OnPodState(SimTime t, const cluster::PodInfo& pod) {
  PodTrack& track = pods_[pod.id];
  if (track.name.empty()) {
    track.name = fmt::format("pod/{}", pod.name);
    pod_ids_.emplace(track.name, pod.id);
  }
  if (!pod.node.empty()) track.node = std::string(pod.node);
  if (track.open) {
    Span& last = track.spans.back();
    // Same state again (a restart while Starting): keep one span.
    if (last.name == cluster::PodStateName(pod.state)) {
      last.restarts = pod.restarts;
      return;
    }
    last.end = t;
    track.open = false;
  }
  if (pod.state == cluster::PodState::kGone) {
    for (ContainerTrack& c : track.containers) {  // none outlives its pod
      if (c.open) c.spans.back().end = t;
      c.open = false;
    }
    return;
  }
  track.spans.push_back(Span{std::string(cluster::PodStateName(pod.state)), t, t,
                             std::string(pod.version), pod.restarts});
  track.open = true;
}

void TraceWriter::OnRequest(SimTime t, const cluster::RequestInfo& r) {
  if (!r.ok()) ++failed_per_second_[r.service][t.SinceStart().micros() / 1'000'000];
}

void TraceWriter::OnRolloutStart(SimTime t, const cluster::RolloutInfo& r) {
  rollouts_.push_back(Rollout{r.deployment, "", r.revision, t, std::nullopt});
}

void TraceWriter::OnRolloutComplete(SimTime t, const cluster::RolloutInfo& r) {
  for (auto it = rollouts_.rbegin(); it != rollouts_.rend(); ++it) {
    if (it->deployment == r.deployment && it->revision == r.revision && !it->end) {
      it->end = t;
      return;
    }
  }
}

void TraceWriter::OnRolloutStep(SimTime t, const cluster::RolloutStepInfo& s) {
  if (!s.ended) {
    step_spans_.push_back(StepSpan{s.rollout.deployment,
                                   fmt::format("step {} {}", s.index, s.kind),
                                   "canaryStep",
                                   t,
                                   std::nullopt,
                                   {},
                                   {}});
    return;
  }
  const std::string name = fmt::format("step {} {}", s.index, s.kind);
  for (auto it = step_spans_.rbegin(); it != step_spans_.rend(); ++it) {
    if (it->deployment != s.rollout.deployment || it->name != name || it->end) continue;
    it->end = t;
    it->text = {{"result", std::string(s.result)}};
    if (!s.analysis.empty()) it->text["analysis"] = s.analysis;
    it->numbers = {{"weight", s.weight},
                   {"canaryReplicas", s.canary_replicas},
                   {"stableReplicas", s.stable_replicas}};
    return;
  }
}

void TraceWriter::OnAnalysisRun(SimTime t, const cluster::AnalysisRunInfo& r) {
  step_spans_.push_back(StepSpan{r.rollout.deployment,
                                 fmt::format("analysisrun/{}", r.name),
                                 "analysis",
                                 r.start,
                                 t,
                                 {{"type", std::string(r.type)},
                                  {"phase", std::string(r.phase)},
                                  {"message", std::string(r.message)}},
                                 {{"measurements", r.measurements}}});
}

void TraceWriter::OnTimelineStep(const cluster::StepOutcome& step) {
  step_entries_.push_back(StepEntry{step.step, step.line, std::string(step.text), step.started,
                                    step.finished, std::string(step.result)});
}

void TraceWriter::OnEndInstant(const cluster::ClusterView& view) {
  if (!view.Changed()) return;  // the endpoints are as they were
  for (uint32_t s = 0; s < view.ServiceCount(); ++s) {
    std::map<std::string, int64_t> counts;
    const std::string key(view.ServiceKey(s));
    auto& last = last_endpoints_[key];
    for (const auto& [version, n] : last) counts[version] = 0;  // a version that left: 0
    for (const cluster::EndpointInfo& e : view.VisibleEndpoints(s))
      ++counts[std::string(e.version)];
    if (counts.empty() || counts == last) continue;
    last = counts;
    endpoint_samples_.emplace_back(view.Now(), key, std::move(counts));
  }
}

void TraceWriter::OnFinish(const cluster::ClusterView& view) {
  end_ = view.Now();
  finished_ = true;
  for (auto& [id, track] : pods_) {
    if (track.open) track.spans.back().end = end_;
    track.open = false;
    for (ContainerTrack& c : track.containers) {
      if (c.open) c.spans.back().end = end_;
      c.open = false;
    }
  }
  service_names_.clear();
  for (uint32_t s = 0; s < view.ServiceCount(); ++s)
    service_names_.emplace_back(view.ServiceKey(s));
  for (Rollout& r : rollouts_) {
    if (r.deployment < view.DeploymentCount())
      r.name = std::string(view.DeploymentKey(r.deployment));
  }
}

std::string TraceWriter::Json() const {
  std::vector<JsonValue> events;
  events.push_back(Meta("process_name", kClusterPid, 0, "cluster"));
  events.push_back(SortIndex(kClusterPid, 0));
  events.push_back(Meta("thread_name", kClusterPid, 0, "kubectl steps"));
  for (const auto& [t, text] : steps_) {
    events.push_back({{"name", text},
                      {"cat", "step"},
                      {"ph", "i"},
                      {"s", "g"},
                      {"ts", Us(t)},
                      {"pid", kClusterPid},
                      {"tid", 0}});
  }
  // The report's timeline entries: a span from each step's start to its
  // finish, or to the end of the run for one still waiting. A step that
  // never ran (skipped, notReached) has none. Spans on one track must not
  // overlap (a viewer would nest them, as if one called the other): a span
  // that overlaps the last one of every track so far opens a new track.
  std::vector<const StepEntry*> ran;
  for (const StepEntry& e : step_entries_) {
    if (e.started) ran.push_back(&e);
  }
  std::stable_sort(ran.begin(), ran.end(), [&](const StepEntry* a, const StepEntry* b) {
    return *a->started < *b->started;
  });
  std::vector<SimTime> lane_ends;  // by track: where its last span ends
  for (const StepEntry* e : ran) {
    const SimTime start = *e->started;
    const SimTime end = std::max(start, e->finished.value_or(end_));
    size_t lane = 0;
    while (lane < lane_ends.size() && start < lane_ends[lane]) ++lane;
    if (lane == lane_ends.size()) {
      lane_ends.push_back(end);
      if (lane > 0) {
        events.push_back(Meta("thread_name", kClusterPid, static_cast<int>(lane),
                              fmt::format("kubectl steps ({})", lane + 1)));
      }
    }
    lane_ends[lane] = end;
    events.push_back({{"name", e->text},
                      {"cat", "step"},
                      {"ph", "X"},
                      {"ts", Us(start)},
                      {"dur", (end - start).micros()},
                      {"pid", kClusterPid},
                      {"tid", static_cast<int>(lane)},
                      {"args", {{"step", e->step}, {"line", e->line}, {"result", e->result}}}});
  }
  for (const auto& [t, service, counts] : endpoint_samples_) {
    JsonValue args = JsonValue::object();
    for (const auto& [version, n] : counts) args[version] = n;
    events.push_back({{"name", fmt::format("endpoints {}", service)},
                      {"cat", "service"},
                      {"ph", "C"},
                      {"ts", Us(t)},
                      {"pid", kClusterPid},
                      {"args", args}});
  }
  for (const auto& [service, seconds] : failed_per_second_) {
    const std::string name = fmt::format(
        "failed requests/s {}", service < service_names_.size() ? service_names_[service] : "?");
    int64_t previous_second = -1;
    bool first = true;
    for (const auto& [second, n] : seconds) {
      if (!first && second != previous_second + 1) {  // back to 0 after a gap
        events.push_back({{"name", name},
                          {"cat", "service"},
                          {"ph", "C"},
                          {"ts", (previous_second + 1) * 1'000'000},
                          {"pid", kClusterPid},
                          {"args", {{"failed", 0}}}});
      }
      events.push_back({{"name", name},
                        {"cat", "service"},
                        {"ph", "C"},
                        {"ts", second * 1'000'000},
                        {"pid", kClusterPid},
                        {"args", {{"failed", n}}}});
      previous_second = second;
      first = false;
    }
    events.push_back({{"name", name},
                      {"cat", "service"},
                      {"ph", "C"},
                      {"ts", (previous_second + 1) * 1'000'000},
                      {"pid", kClusterPid},
                      {"args", {{"failed", 0}}}});
  }

  // Rollouts: a track per Deployment.
  events.push_back(Meta("process_name", kDeploymentsPid, 0, "deployments"));
  events.push_back(SortIndex(kDeploymentsPid, 1));
  std::map<std::string, int> deployment_tid;
  for (const Rollout& r : rollouts_) deployment_tid.emplace(r.name, 0);
  int next_tid = 1;
  for (auto& [name, tid] : deployment_tid) {
    tid = next_tid++;
    events.push_back(Meta("thread_name", kDeploymentsPid, tid, fmt::format("deployment/{}", name)));
  }
  for (const Rollout& r : rollouts_) {
    const SimTime end = r.end.value_or(end_);
    events.push_back({{"name", fmt::format("rollout to revision {}", r.revision)},
                      {"cat", "rollout"},
                      {"ph", "X"},
                      {"ts", Us(r.start)},
                      {"dur", (end - r.start).micros()},
                      {"pid", kDeploymentsPid},
                      {"tid", deployment_tid.at(r.name)},
                      {"args", {{"complete", r.end.has_value()}}}});
  }
  for (const StepSpan& st : step_spans_) {
    const auto tid = std::find_if(rollouts_.begin(), rollouts_.end(),
                                  [&](const Rollout& r) { return r.deployment == st.deployment; });
    if (tid == rollouts_.end()) continue;
    const SimTime end = st.end.value_or(end_);
    JsonValue args = JsonValue::object();
    for (const auto& [k, v] : st.text) args[k] = v;
    for (const auto& [k, v] : st.numbers) args[k] = v;
    events.push_back({{"name", st.name},
                      {"cat", st.cat},
                      {"ph", "X"},
                      {"ts", Us(st.start)},
                      {"dur", (end - st.start).micros()},
                      {"pid", kDeploymentsPid},
                      {"tid", deployment_tid.at(tid->name)},
                      {"args", std::move(args)}});
  }

  // Nodes: sorted by name; then the pods never bound.
  std::set<std::string> nodes;
  for (const auto& [id, track] : pods_) {
    if (!track.node.empty()) nodes.insert(track.node);
  }
  std::map<std::string, int> node_pid;
  int pid = kDeploymentsPid + 1;
  for (const std::string& n : nodes) {
    node_pid[n] = pid;
    events.push_back(Meta("process_name", pid, 0, fmt::format("node/{}", n)));
    events.push_back(SortIndex(pid, pid));
    ++pid;
  }
  const int unscheduled_pid = pid;
  bool any_unscheduled = false;
  int container_tid = pods_.empty() ? 1 : static_cast<int>(pods_.rbegin()->first) + 2;
  for (const auto& [id, track] : pods_) {
    const int p = track.node.empty() ? unscheduled_pid : node_pid.at(track.node);
    any_unscheduled = any_unscheduled || track.node.empty();
    const int tid = static_cast<int>(id) + 1;
    events.push_back(Meta("thread_name", p, tid, track.name));
    for (const Span& s : track.spans) {
      if (s.end == s.start) continue;  // passed through within one instant
      events.push_back({{"name", s.name},
                        {"cat", "pod"},
                        {"ph", "X"},
                        {"ts", Us(s.start)},
                        {"dur", (s.end - s.start).micros()},
                        {"pid", p},
                        {"tid", tid},
                        {"args", {{"version", s.version}, {"restarts", s.restarts}}}});
    }
    for (const auto& [t, what] : track.marks) {
      events.push_back({{"name", what},
                        {"cat", "process"},
                        {"ph", "i"},
                        {"s", "t"},
                        {"ts", Us(t)},
                        {"pid", p},
                        {"tid", tid}});
    }
    // Its side containers' tracks, after every pod's (tids past the pods').
    for (const ContainerTrack& c : track.containers) {
      const int ctid = container_tid++;
      events.push_back(
          Meta("thread_name", p, ctid, fmt::format("container {} of {}", c.name, track.name)));
      for (const Span& s : c.spans) {
        if (s.end == s.start) continue;
        events.push_back({{"name", s.name},
                          {"cat", "container"},
                          {"ph", "X"},
                          {"ts", Us(s.start)},
                          {"dur", (s.end - s.start).micros()},
                          {"pid", p},
                          {"tid", ctid}});
      }
    }
  }
  if (any_unscheduled) {
    events.push_back(Meta("process_name", unscheduled_pid, 0, "unscheduled"));
    events.push_back(SortIndex(unscheduled_pid, unscheduled_pid));
  }

  // One event per line: valid JSON that diffs and greps well.
  std::string out = "{\"displayTimeUnit\":\"ms\",\"traceEvents\":[\n";
  for (size_t i = 0; i < events.size(); ++i) {
    out += events[i].dump();
    out += i + 1 < events.size() ? ",\n" : "\n";
  }
  out += "]}\n";
  return out;
}

}  // namespace kubesim::output
