// The timeline as a script runs it; see script.h.
#include "script.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

#include "api_server.h"
#include "deployment_util.h"
#include "rollout_controller.h"

namespace kubesim::cluster {

namespace {

const char* ResultName(uint8_t state) {
  static constexpr const char* kNames[] = {"notReached", "waiting", "ok",
                                           "failed",     "timeout", "skipped"};
  return kNames[state];
}

}  // namespace

Script::Script(Store& store, Context& ctx, ApiServer& api) : store_(store), ctx_(ctx), api_(api) {}

void Script::Begin() {
  const auto& timeline = ctx_.scenario().timeline;
  runs_.assign(timeline.size(), StepRun{});
  unfinished_ = static_cast<int64_t>(timeline.size());
  for (uint32_t i = 0; i < timeline.size(); ++i) {
    if (timeline[i].after >= 0) runs_[static_cast<size_t>(timeline[i].after)].follower = i;
  }
  for (uint32_t i = 0; i < timeline.size(); ++i) {
    if (timeline[i].after < 0) {
      ctx_.loop().At(SimTime::Zero() + timeline[i].at, kPhaseTimeline,
                     Event{static_cast<uint32_t>(EventKind::kStep), i, 0});
    }
  }
}

void Script::Schedule(uint32_t index) {
  ctx_.loop().At(ctx_.Now(), kPhaseTimeline,
                 Event{static_cast<uint32_t>(EventKind::kStep), index, 0});
}

void Script::Run(uint32_t index) {
  // An ordinary step's follower runs at once, in this same event: before
  // the steps of later `at:`s of this instant, as the loader ordered them.
  while (true) {
    const std::optional<uint32_t> next = Start(index);
    if (!next) return;
    index = *next;
  }
}

std::optional<uint32_t> Script::Start(uint32_t index) {
  const scenario::Step& step = ctx_.scenario().timeline[index];
  StepRun& run = runs_[index];
  run.started = ctx_.Now();
  last_activity_ = ctx_.Now();
  const bool ok = api_.RunStep(index);
  if (!scenario::IsBlocking(step.command)) {
    Finish(index, ok ? State::kOk : State::kFailed, "", /*schedule=*/false);
    if (ok && run.follower) return static_cast<uint32_t>(*run.follower);
    return std::nullopt;
  }
  run.state = State::kWaiting;
  const std::string& ns = step.command.namespace_name;
  std::optional<SimDuration> limit;
  if (const auto* sleep = std::get_if<scenario::SleepCommand>(&step.command.body)) {
    limit = sleep->duration;
  } else if (const auto* ro = std::get_if<scenario::RolloutCommand>(&step.command.body)) {
    limit = ro->timeout;
  } else if (const auto* ar = std::get_if<scenario::ArgoRolloutsCommand>(&step.command.body)) {
    limit = ar->timeout;
  } else if (const auto* w = std::get_if<scenario::WaitCommand>(&step.command.body)) {
    limit = w->timeout;
    if (w->kind == "Pod") {
      // kubectl wait resolves its pods once, when it starts (the resource
      // builder's list), then waits on each of them.
      if (w->selector || w->all) {
        k8s::LabelSelector selector;
        if (w->selector) {
          auto parsed = k8s::ParseSelector(*w->selector);  // the parser checked it
          if (!parsed) std::abort();
          selector = std::move(*parsed);
        }
        for (uint32_t id = 0; id < store_.pods.size(); ++id) {
          const Pod& p = store_.pods[id];
          if (p.state != PodState::kGone && p.namespace_name == ns && selector.Matches(*p.labels)) {
            run.pods.push_back(id);
          }
        }
        if (run.pods.empty()) {
          Finish(index, State::kFailed, "error: no matching resources found");
          return std::nullopt;
        }
      } else {
        for (const std::string& name : w->names) {
          const uint32_t id = store_.pod_names.Find(store_.pods, ns, name);
          if (id == kNone || store_.pods[id].state == PodState::kGone) {
            Finish(index, State::kFailed,
                   fmt::format("Error from server (NotFound): pods \"{}\" not found", name));
            return std::nullopt;
          }
          run.pods.push_back(id);
        }
      }
    }
  }
  if (limit) {
    run.deadline = ctx_.loop().At(ctx_.Now() + *limit, kPhaseTimeline,
                                  Event{static_cast<uint32_t>(EventKind::kStepDeadline), index, 0});
  }
  if (!std::holds_alternative<scenario::SleepCommand>(step.command.body)) {
    waiting_.push_back(index);
  }
  return std::nullopt;
}

Script::Check Script::Evaluate(uint32_t index) {
  const scenario::Step& step = ctx_.scenario().timeline[index];
  const std::string& ns = step.command.namespace_name;
  Check c;
  const auto deployment = [&](const std::string& name) -> const Deployment* {
    const uint32_t d = store_.FindDeployment(ns, name);
    if (d == kNone || store_.deployments[d].deleted) {
      c.error =
          fmt::format("Error from server (NotFound): deployments.apps \"{}\" not found", name);
      return nullptr;
    }
    return &store_.deployments[d];
  };
  using Reason = ProgressingCondition::Reason;
  if (const auto* ar = std::get_if<scenario::ArgoRolloutsCommand>(&step.command.body)) {
    // kubectl argo rollouts status --watch (cmd/status/status.go): returns
    // on Healthy; Degraded is an error (exit 1); Paused keeps it waiting.
    const uint32_t d = store_.FindRollout(ns, ar->name);
    if (d == kNone || store_.deployments[d].deleted) {
      c.error = fmt::format("Error from server (NotFound): rollouts.argoproj.io \"{}\" not found",
                            ar->name);
      return c;
    }
    const auto [phase, message] = RolloutStatusPhase(store_.deployments[d]);
    if (phase == ArgoRollout::Phase::kDegraded) {
      c.error = fmt::format("The rollout is in a degraded state with message: {}", message);
      return c;
    }
    c.done = phase == ArgoRollout::Phase::kHealthy;
    return c;
  }
  if (const auto* ro = std::get_if<scenario::RolloutCommand>(&step.command.body)) {
    // DeploymentStatusViewer.Status (kubectl/pkg/polymorphichelpers/rollout_status.go).
    const Deployment* d = deployment(ro->target.name);
    if (d == nullptr) return c;
    if (d->generation > d->observed_generation) return c;  // spec update not yet observed
    if (d->progressing.reason == Reason::kProgressDeadlineExceeded) {
      c.error = fmt::format("error: deployment \"{}\" exceeded its progress deadline", d->name);
      return c;
    }
    const DeploymentStatusCounts& s = d->status;
    c.done = s.updated_replicas >= d->spec.replicas && s.replicas <= s.updated_replicas &&
             s.available_replicas >= s.updated_replicas;
    return c;
  }
  const auto& w = std::get<scenario::WaitCommand>(step.command.body);
  if (w.kind == "Canary") {
    // Flagger's Promoted condition (pkg/canary/status.go MakeStatusConditions):
    // True once Initialized and once Succeeded; Unknown while an analysis
    // runs, False when it failed — kubectl wait goes on waiting then.
    c.done = true;
    for (const std::string& name : w.names) {
      const auto it = store_.canary_names.find(Store::NameKey(ns, name));
      if (it == store_.canary_names.end()) {
        c.done = false;
        continue;
      }
      const FlaggerCanaryState::Phase p = store_.canaries[it->second].phase;
      c.done &= p == FlaggerCanaryState::Phase::kInitialized ||
                p == FlaggerCanaryState::Phase::kSucceeded;
    }
    return c;
  }
  if (w.kind == "Deployment") {
    c.done = true;
    for (const std::string& name : w.names) {
      const Deployment* d = deployment(name);
      if (d == nullptr) return c;
      if (d->generation > d->observed_generation) {
        // kubectl wait's checkCondition: a condition the controller wrote
        // for an older generation does not count.
        c.done = false;
        continue;
      }
      if (w.condition == scenario::WaitCommand::Condition::kAvailable) {
        // syncRolloutStatus: Available when availableReplicas >= replicas - maxUnavailable.
        c.done &= d->status.available_replicas >= d->spec.replicas - MaxUnavailable(d->spec);
      } else {
        // Progressing=True for each reason but ProgressDeadlineExceeded (False)
        // and DeploymentPaused (Unknown); none without a progress deadline.
        const Reason r = d->progressing.reason;
        c.done &= r != Reason::kNone && r != Reason::kProgressDeadlineExceeded &&
                  r != Reason::kDeploymentPaused;
      }
    }
    return c;
  }
  c.done = true;
  for (uint32_t id : runs_[index].pods) {
    const Pod& p = store_.pods[id];
    if (p.state == PodState::kGone) {
      c.error = fmt::format("error: pod \"{}\" was deleted while kubectl waited for it", p.name);
      return c;
    }
    if (!p.ready && c.done) {
      c.done = false;
      c.waiting_for = "pods/" + p.name;
    }
  }
  return c;
}

void Script::CheckWaits() {
  if (waiting_.empty()) return;
  // A copy: Finish changes the list, and may start the next steps.
  const std::vector<uint32_t> now = waiting_;
  for (uint32_t index : now) {
    if (runs_[index].state != State::kWaiting) continue;
    const Check c = Evaluate(index);
    if (c.error) {
      Finish(index, State::kFailed, *c.error);
    } else if (c.done) {
      const scenario::Step& step = ctx_.scenario().timeline[index];
      std::string message;
      if (const auto* ro = std::get_if<scenario::RolloutCommand>(&step.command.body)) {
        message = fmt::format("deployment \"{}\" successfully rolled out", ro->target.name);
      } else if (std::holds_alternative<scenario::ArgoRolloutsCommand>(step.command.body)) {
        message = "Healthy";
      } else {
        const auto& w = std::get<scenario::WaitCommand>(step.command.body);
        if (w.kind == "Deployment" || w.kind == "Canary") {
          for (const std::string& n : w.names) {
            message +=
                fmt::format("{}{}/{} condition met", message.empty() ? "" : "; ",
                            w.kind == "Canary" ? "canary.flagger.app" : "deployment.apps", n);
          }
        } else {
          message = fmt::format("{} pod{} condition met", runs_[index].pods.size(),
                                runs_[index].pods.size() == 1 ? "" : "s");
        }
      }
      Finish(index, State::kOk, message);
    }
  }
}

void Script::Deadline(uint32_t index) {
  StepRun& run = runs_[index];
  if (run.state != State::kWaiting) return;
  const scenario::Step& step = ctx_.scenario().timeline[index];
  if (std::holds_alternative<scenario::SleepCommand>(step.command.body)) {
    Finish(index, State::kOk, "");
    return;
  }
  // The condition may hold at this very instant: kubectl's watch would have
  // seen it before its timer.
  const Check c = Evaluate(index);
  if (c.error) {
    Finish(index, State::kFailed, *c.error);
  } else if (c.done) {
    CheckWaits();
  } else if (const auto* w = std::get_if<scenario::WaitCommand>(&step.command.body)) {
    Finish(index, State::kTimeout,
           fmt::format("error: timed out waiting for the condition on {}",
                       w->kind == "Deployment" ? "deployments/" + w->names.front()
                       : w->kind == "Canary"   ? "canaries/" + w->names.front()
                                               : c.waiting_for));
  } else if (std::holds_alternative<scenario::ArgoRolloutsCommand>(step.command.body)) {
    Finish(index, State::kTimeout, "Error: Rollout status watch exceeded timeout");
  } else {
    Finish(index, State::kTimeout, "error: timed out waiting for the condition");
  }
}

void Script::Finish(uint32_t index, State state, const std::string& message, bool schedule) {
  StepRun& run = runs_[index];
  run.state = state;
  run.finished = ctx_.Now();
  last_activity_ = ctx_.Now();
  --unfinished_;
  if (run.deadline.valid()) ctx_.loop().Cancel(run.deadline);
  std::erase(waiting_, index);
  // kubectl's output, under the step's number (an event-log line of
  // object "kubectl" is a step run, for the trace and --timeline).
  if (!message.empty()) ctx_.Emit(StepLabel(index), message);
  ctx_.MarkChanged();
  if (!run.follower) return;
  if (state == State::kOk) {
    if (schedule) Schedule(static_cast<uint32_t>(*run.follower));
    return;
  }
  // The chain ends here: the steps after it never run.
  for (std::optional<int32_t> next = run.follower; next;
       next = runs_[static_cast<size_t>(*next)].follower) {
    StepRun& skipped = runs_[static_cast<size_t>(*next)];
    skipped.state = State::kSkipped;
    --unfinished_;
    const scenario::Step& s = ctx_.scenario().timeline[static_cast<size_t>(*next)];
    ctx_.EmitLazy([&] { return StepLabel(static_cast<uint32_t>(*next)); },
                  [&] {
                    return fmt::format("not run (step {} failed): {}",
                                       ctx_.scenario().timeline[index].number, s.text);
                  });
  }
}

std::string Script::StepLabel(uint32_t index) const {
  return fmt::format("step/{}", ctx_.scenario().timeline[index].number);
}

void Script::Report() const {
  const auto& timeline = ctx_.scenario().timeline;
  std::vector<uint32_t> order;
  for (uint32_t i = 0; i < timeline.size(); ++i) {
    if (timeline[i].chained || scenario::IsBlocking(timeline[i].command) ||
        runs_[i].state == State::kFailed) {
      order.push_back(i);
    }
  }
  std::sort(order.begin(), order.end(),
            [&](uint32_t a, uint32_t b) { return timeline[a].number < timeline[b].number; });
  for (uint32_t i : order) {
    StepOutcome o;
    o.step = timeline[i].number;
    o.line = timeline[i].position.line;
    o.started = runs_[i].started;
    o.finished = runs_[i].finished;
    o.result = ResultName(static_cast<uint8_t>(runs_[i].state));
    const bool sleep = std::holds_alternative<scenario::SleepCommand>(timeline[i].command.body);
    const std::string text = sleep ? "sleep " + timeline[i].text : std::string();
    o.text = sleep ? std::string_view(text) : std::string_view(timeline[i].text);
    for (Observer* obs : ctx_.observers()) obs->OnTimelineStep(o);
  }
}

}  // namespace kubesim::cluster
