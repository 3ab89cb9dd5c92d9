// The analysis controller: AnalysisRuns measured over the simulated
// requests (analysis_controller.h).
#include "analysis_controller.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>

#include "kubesim/k8s/analysis_condition.h"

namespace kubesim::cluster {

namespace {

using RunPhase = AnalysisRun::Phase;

// DefaultErrorRetryInterval (analysis/analysis.go): a measurement that
// errored is taken again 10 s later.
constexpr SimDuration kErrorRetryInterval = SimDuration::Seconds(10);
// A metric's window when neither spec.analysis nor the metric gives one.
constexpr SimDuration kDefaultWindow = SimDuration::Seconds(60);

bool Completed(RunPhase p) { return p != RunPhase::kPending && p != RunPhase::kRunning; }

// IsTerminating (utils/analysis/helpers.go): cancelled, or a metric (not
// in dry-run) Failed, Error or Inconclusive.
bool IsTerminating(const AnalysisRun& run) {
  if (run.terminate) return true;
  return !run.dry_run && std::any_of(run.metrics.begin(), run.metrics.end(), [](const auto& m) {
    return m.phase == RunPhase::kFailed || m.phase == RunPhase::kError ||
           m.phase == RunPhase::kInconclusive;
  });
}

// analysisStatusOrder (utils/analysis/helpers.go), best to worst.
int Rank(RunPhase p) {
  switch (p) {
    case RunPhase::kSuccessful:
      return 0;
    case RunPhase::kRunning:
      return 1;
    case RunPhase::kPending:
      return 2;
    case RunPhase::kInconclusive:
      return 3;
    case RunPhase::kError:
      return 4;
    case RunPhase::kFailed:
      return 5;
  }
  return 0;
}

// EffectiveCount: count; 1 with neither count nor interval; none (runs
// until cancelled) with an interval alone.
std::optional<int32_t> EffectiveCount(const k8s::AnalysisMetric& m) {
  if (m.count && *m.count != 0) return m.count;
  if (!m.interval_us) return 1;
  return std::nullopt;
}

// assessMetricFailureInconclusiveOrError: a phase and why, or kPending.
RunPhase FailureInconclusiveOrError(const AnalysisRun::Metric& m, std::string* why) {
  RunPhase phase = RunPhase::kPending;
  if (m.spec.failure_limit >= 0 && m.failed > m.spec.failure_limit) {
    phase = RunPhase::kFailed;
    *why = fmt::format("failed ({}) > failureLimit ({})", m.failed, m.spec.failure_limit);
  }
  if (m.inconclusive > m.spec.inconclusive_limit) {
    phase = RunPhase::kInconclusive;
    *why = fmt::format("inconclusive ({}) > inconclusiveLimit ({})", m.inconclusive,
                       m.spec.inconclusive_limit);
  }
  if (m.consecutive_error > m.spec.consecutive_error_limit) {
    phase = RunPhase::kError;
    *why = fmt::format("consecutiveErrors ({}) > consecutiveErrorLimit ({})", m.consecutive_error,
                       m.spec.consecutive_error_limit);
  }
  return phase;
}

// assessMetricStatus.
RunPhase AssessMetric(const AnalysisRun::Metric& m, bool terminating) {
  if (Completed(m.phase)) return m.phase;
  if (!m.last) return terminating ? RunPhase::kSuccessful : RunPhase::kPending;
  std::string why;
  if (const RunPhase p = FailureInconclusiveOrError(m, &why); p != RunPhase::kPending) return p;
  const int32_t success_limit = m.spec.consecutive_success_limit;
  if (success_limit > 0 && m.consecutive_success >= success_limit) return RunPhase::kSuccessful;
  if (const auto count = EffectiveCount(m.spec); count && m.count >= *count) {
    const bool failure_applicable = m.spec.failure_limit >= 0;
    const bool success_applicable = success_limit > 0;
    if (failure_applicable && success_applicable) return RunPhase::kInconclusive;
    if (success_applicable) return RunPhase::kFailed;
    return RunPhase::kSuccessful;
  }
  return terminating ? RunPhase::kSuccessful : RunPhase::kRunning;
}

// "{{args.NAME}}" (fasttemplate, the tag trimmed) replaced by the
// argument's value; an argument without one is left as written.
std::string Substitute(const std::string& text,
                       const std::map<std::string, std::optional<std::string>>& args) {
  std::string out;
  size_t i = 0;
  while (i < text.size()) {
    const size_t open = text.find("{{", i);
    if (open == std::string::npos) break;
    const size_t close = text.find("}}", open + 2);
    if (close == std::string::npos) break;
    std::string tag = text.substr(open + 2, close - open - 2);
    tag.erase(0, tag.find_first_not_of(" \t"));
    tag.erase(tag.find_last_not_of(" \t") + 1);
    out += text.substr(i, open - i);
    const auto it = tag.starts_with("args.") ? args.find(tag.substr(5)) : args.end();
    if (it != args.end() && it->second) {
      out += *it->second;
    } else {
      out += text.substr(open, close + 2 - open);
    }
    i = close + 2;
  }
  return out + text.substr(i);
}

}  // namespace

std::string_view AnalysisPhaseName(RunPhase phase) {
  switch (phase) {
    case RunPhase::kPending:
      return "Pending";
    case RunPhase::kRunning:
      return "Running";
    case RunPhase::kSuccessful:
      return "Successful";
    case RunPhase::kFailed:
      return "Failed";
    case RunPhase::kError:
      return "Error";
    case RunPhase::kInconclusive:
      return "Inconclusive";
  }
  return "";
}

RunPhase EvaluateMeasurement(const k8s::AnalysisMetric& metric, const std::vector<double>& result,
                             bool scalar, std::string* error) {
  bool success = false;
  bool fail = false;
  for (const auto& [which, text, out] :
       {std::tuple{"successCondition", &metric.success_condition, &success},
        std::tuple{"failureCondition", &metric.failure_condition, &fail}}) {
    if (text->empty()) continue;
    auto parsed = k8s::AnalysisCondition::Parse(*text);
    std::optional<Expected<bool>> value;
    if (parsed) value.emplace(parsed->Evaluate(result, scalar));
    if (!parsed || !value->ok()) {
      // formatEvalError.
      *error = result.empty() && !scalar
                   ? fmt::format(
                         "could not evaluate {} \"{}\": metric result is nil or empty: no "
                         "data returned from the metric provider",
                         which, *text)
                   : fmt::format("could not evaluate {} \"{}\": {}", which, *text,
                                 parsed ? value->error() : parsed.error());
      return RunPhase::kError;
    }
    *out = value->value();
  }
  const bool has_success = !metric.success_condition.empty();
  const bool has_failure = !metric.failure_condition.empty();
  if (!has_success && !has_failure) return RunPhase::kSuccessful;
  if (has_success && !has_failure) fail = !success;
  if (!has_success && has_failure) success = !fail;
  if (fail) return RunPhase::kFailed;
  if (!success) return RunPhase::kInconclusive;
  return RunPhase::kSuccessful;
}

AnalysisController::AnalysisController(Store& store, Context& ctx,
                                       std::function<void(uint32_t)> enqueue_rollout)
    : store_(store), ctx_(ctx), enqueue_rollout_(std::move(enqueue_rollout)) {}

namespace {
const k8s::AnalysisTemplate* FindTemplate(const Store& store, const std::string& ns,
                                          const k8s::RolloutAnalysisTemplateRef& ref) {
  const std::string key = (ref.cluster_scope ? std::string() : ns) + "/" + ref.name;
  const auto it = store.analysis_templates.find(key);
  return it == store.analysis_templates.end() ? nullptr : &it->second;
}
}  // namespace

std::string AnalysisController::MissingTemplate(const std::string& ns,
                                                const k8s::RolloutAnalysis& analysis) const {
  for (const auto& ref : analysis.templates) {
    if (FindTemplate(store_, ns, ref) == nullptr) {
      return fmt::format("{} \"{}\" not found",
                         ref.cluster_scope ? "ClusterAnalysisTemplate" : "AnalysisTemplate",
                         ref.name);
    }
  }
  return "";
}

uint32_t AnalysisController::Create(uint32_t d, AnalysisRun::Type type, int32_t step,
                                    const k8s::RolloutAnalysis& analysis, uint32_t new_rs,
                                    uint32_t stable_rs, std::string* error) {
  const Deployment& dep = store_.deployments[d];
  AnalysisRun run;
  run.rollout = d;
  run.type = type;
  run.step = step;
  run.new_rs = new_rs;
  run.stable_rs = stable_rs;
  // (dryRun is not simulated: a load warning says so.)
  // BuildArgumentsForRolloutAnalysisRun, MergeArgs: the templates'
  // defaults, then the Rollout's values.
  std::map<std::string, std::optional<std::string>> args;
  std::vector<std::pair<const k8s::AnalysisTemplate*, std::string>> templates;
  for (const auto& ref : analysis.templates) {
    const k8s::AnalysisTemplate* t = FindTemplate(store_, dep.namespace_name, ref);
    if (t == nullptr) {
      *error = MissingTemplate(dep.namespace_name, analysis);
      return kNone;
    }
    // FilterUniqueTemplates: a template named twice runs once.
    if (std::any_of(templates.begin(), templates.end(),
                    [&](const auto& e) { return e.first == t; })) {
      continue;
    }
    templates.emplace_back(t, ref.name);
    for (const auto& a : t->args) args.try_emplace(a.name, a.value);
  }
  for (const auto& a : analysis.args) {
    if (a.value) args[a.name] = a.value;
  }
  // FlattenTemplates: one list of metrics; two of one name are an error.
  for (const auto& [t, tname] : templates) {
    for (const k8s::AnalysisMetric& spec : t->metrics) {
      for (const AnalysisRun::Metric& other : run.metrics) {
        if (other.spec.name == spec.name) {
          *error = fmt::format("two metrics have the same name '{}'", spec.name);
          return kNone;
        }
      }
      AnalysisRun::Metric m;
      m.spec = spec;
      m.spec.success_condition = Substitute(spec.success_condition, args);
      m.spec.failure_condition = Substitute(spec.failure_condition, args);
      // getResolvedMetricsWithoutSecrets: an argument with no value makes
      // the run an Error at its first reconcile.
      for (const std::string* c : {&m.spec.success_condition, &m.spec.failure_condition}) {
        if (const size_t at = c->find("{{"); at != std::string::npos && run.message.empty()) {
          const size_t end = c->find("}}", at);
          run.message = fmt::format(
              "Unable to resolve metric arguments: failed to resolve {}",
              c->substr(at, end == std::string::npos ? std::string::npos : end + 2 - at));
        }
      }
      m.template_name = tname;
      const auto& measures = ctx_.scenario().analysis;
      for (const std::string& key : {tname + "/" + spec.name, spec.name}) {
        const auto it = std::find_if(measures.begin(), measures.end(),
                                     [&](const auto& a) { return a.key == key; });
        if (it != measures.end()) {
          m.measure = &*it;
          break;
        }
      }
      run.metrics.push_back(std::move(m));
    }
  }
  const ReplicaSet& rs = store_.replica_sets[new_rs];
  static constexpr std::string_view kInfix[] = {"", "", "pre", "post"};
  std::string infix = type == AnalysisRun::Type::kStep
                          ? std::to_string(step)
                          : std::string(kInfix[static_cast<int>(type)]);
  run.name = fmt::format("{}-{}-{}{}{}", dep.name, rs.hash, rs.view.revision,
                         infix.empty() ? "" : "-", infix);
  // CreateWithCollisionCounter: a name taken gets ".1", ".2", ...
  int collisions = 0;
  for (const AnalysisRun& other : store_.analysis_runs) {
    if (other.rollout == d && other.name.starts_with(run.name) &&
        (other.name.size() == run.name.size() || other.name[run.name.size()] == '.')) {
      ++collisions;
    }
  }
  if (collisions > 0) run.name += fmt::format(".{}", collisions);
  if (!dep.rollouts.empty()) run.info = dep.rollouts.back().info;
  run.started = ctx_.Now();  // (until its first reconcile: when it was created)
  const auto id = static_cast<uint32_t>(store_.analysis_runs.size());
  store_.analysis_runs.push_back(std::move(run));
  ctx_.EmitLazy([&] { return WorkloadLabel(dep); },
                [&] { return "created analysisrun/" + store_.analysis_runs[id].name; });
  ctx_.MarkChanged();
  AnalysisRun& r = store_.analysis_runs[id];
  r.timer = ctx_.Schedule(
      ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", r.name),
      kPhaseControl, EventKind::kAnalysisRun, id);
  return id;
}

void AnalysisController::Tell(const AnalysisRun& run) {
  if (!run.info) return;
  static constexpr std::string_view kTypes[] = {"step", "background", "prePromotion",
                                                "postPromotion"};
  AnalysisRunInfo info;
  info.rollout = *run.info;
  info.name = run.name;
  info.type = kTypes[static_cast<int>(run.type)];
  info.step = run.step;
  info.start = run.started;
  info.phase = AnalysisPhaseName(run.phase);
  info.message = run.message;
  for (const AnalysisRun::Metric& m : run.metrics) info.measurements += m.count + m.error;
  for (Observer* o : ctx_.observers()) o->OnAnalysisRun(ctx_.Now(), info);
}

void AnalysisController::Cancel(uint32_t id) {
  AnalysisRun& run = store_.analysis_runs[id];
  if (run.terminate || run.Completed()) return;
  run.terminate = true;
  ctx_.loop().Cancel(run.timer);
  ctx_.EmitLazy([&] { return "analysisrun/" + run.name; }, [&] { return "terminated"; });
  Assess(id);
}

void AnalysisController::Reconcile(uint32_t id) {
  AnalysisRun& run = store_.analysis_runs[id];
  if (run.Completed()) return;
  // (A deleted Rollout's runs are garbage-collected: cancelled then.)
  if (!run.reconciled) {
    run.reconciled = true;
    run.started = ctx_.Now();  // status.startedAt, at its first reconcile
    if (!run.message.empty()) {
      run.phase = RunPhase::kError;
      run.completed = ctx_.Now();
      ctx_.EmitLazy([&] { return "analysisrun/" + run.name; },
                    [&] { return "Error: " + run.message; });
      ctx_.MarkChanged();
      Tell(run);
      enqueue_rollout_(run.rollout);
      return;
    }
  }
  // generateMetricTasks: the measurements due now.
  bool terminating = IsTerminating(run);
  const SimTime now = ctx_.Now();
  for (AnalysisRun::Metric& m : run.metrics) {
    if (Completed(m.phase) || terminating) continue;
    if (!m.last) {
      if (m.spec.initial_delay_us &&
          run.started + SimDuration::Micros(*m.spec.initial_delay_us) > now) {
        continue;
      }
      Measure(run, m);
      continue;
    }
    if (const auto count = EffectiveCount(m.spec); count && m.count >= *count) continue;
    const SimDuration interval = m.last_phase == RunPhase::kError || !m.spec.interval_us
                                     ? kErrorRetryInterval
                                     : SimDuration::Micros(*m.spec.interval_us);
    // (Argo's "now after finishedAt + interval": the requeue lands just past it.)
    if (now >= *m.last + interval) Measure(run, m);
  }
  Assess(id);
  AnalysisRun& after = store_.analysis_runs[id];
  if (after.Completed()) return;
  if (after.terminate_next) {
    ctx_.loop().Cancel(after.timer);
    after.timer = ctx_.Schedule(
        ctx_.Draw(ctx_.scenario().cluster.timing.controller_delay, "controller-delay", after.name),
        kPhaseControl, EventKind::kAnalysisRun, id);
  } else {
    ScheduleNext(id);
  }
}

void AnalysisController::Measure(AnalysisRun& run, AnalysisRun::Metric& m) {
  RunPhase phase = RunPhase::kSuccessful;
  std::string error;
  if (m.measure != nullptr) {
    const double v = Value(run, m);
    // The Prometheus provider gives a vector ([0.97]); the others a number.
    const bool scalar = m.spec.provider != "prometheus";
    m.last_value = {v};
    phase = EvaluateMeasurement(m.spec, m.last_value, scalar, &error);
  } else {
    // Not simulated (a load warning says so): a Job provider's Job, and
    // any unmapped metric, succeed.
    m.last_value.clear();
  }
  m.last = ctx_.Now();
  m.last_phase = phase;
  m.message = error;
  switch (phase) {
    case RunPhase::kSuccessful:
      ++m.successful;
      ++m.count;
      m.consecutive_error = 0;
      ++m.consecutive_success;
      break;
    case RunPhase::kFailed:
    case RunPhase::kInconclusive:
      (phase == RunPhase::kFailed ? m.failed : m.inconclusive) += 1;
      ++m.count;
      m.consecutive_error = 0;
      m.consecutive_success = 0;
      break;
    default:
      ++m.error;
      ++m.consecutive_error;
      m.consecutive_success = 0;
      break;
  }
  ctx_.EmitLazy([&] { return "analysisrun/" + run.name; },
                [&] {
                  return fmt::format("{}: {}{}", m.spec.name,
                                     m.last_value.empty() ? std::string("(not simulated)")
                                                          : fmt::format("{:.4g}", m.last_value[0]),
                                     phase == RunPhase::kSuccessful
                                         ? std::string()
                                         : fmt::format(" {}{}", AnalysisPhaseName(phase),
                                                       error.empty() ? "" : ": " + error));
                });
}

double AnalysisController::Value(const AnalysisRun& run, const AnalysisRun::Metric& m) const {
  using Kind = scenario::AnalysisMeasure::Kind;
  using Pods = scenario::AnalysisMeasure::Pods;
  const scenario::AnalysisMeasure& a = *m.measure;
  if (a.kind == Kind::kValue) return a.value;
  const SimDuration window =
      a.window ? *a.window
               : (m.spec.interval_us ? SimDuration::Micros(*m.spec.interval_us) : kDefaultWindow);
  std::vector<uint32_t> sets;
  if (a.pods == Pods::kCanary) {
    sets = {run.new_rs};
  } else if (a.pods == Pods::kStable) {
    if (run.stable_rs != kNone) sets = {run.stable_rs};
  } else {
    sets = store_.deployments[run.rollout].replica_sets;
  }
  const int64_t from = (ctx_.Now() - window).SinceStart().micros();
  RequestWindow w = RequestsAfter(
      store_.rs_requests, sets, from,
      a.kind == Kind::kLatency ? RequestWindow::Latencies::kOk : RequestWindow::Latencies::kNone);
  const int64_t total = w.total, ok = w.ok;
  switch (a.kind) {
    case Kind::kSuccessRate:  // 0 / 0: NaN, as PromQL divides
      return total == 0 ? std::nan("") : static_cast<double>(ok) / static_cast<double>(total);
    case Kind::kErrorRate:
      return total == 0 ? std::nan("")
                        : static_cast<double>(total - ok) / static_cast<double>(total);
    case Kind::kRequests:
      return static_cast<double>(total);
    case Kind::kRequestRate:
      return static_cast<double>(total) / window.seconds();
    case Kind::kLatency:
      return NearestRankQuantile(w.latencies, a.quantile) / 1e6;  // seconds
    case Kind::kValue:
      break;
  }
  return a.value;
}

void AnalysisController::Assess(uint32_t id) {
  // assessRunStatus.
  AnalysisRun& run = store_.analysis_runs[id];
  bool terminating = IsTerminating(run);
  std::optional<RunPhase> worst;
  std::string worst_message = run.terminate ? "Run Terminated" : "";
  bool everything_completed = true;
  for (AnalysisRun::Metric& m : run.metrics) {
    const RunPhase status = AssessMetric(m, terminating);
    if (status != m.phase) {
      m.phase = status;
      if (Completed(status)) {
        ctx_.EmitLazy([&] { return "analysisrun/" + run.name; },
                      [&] {
                        return fmt::format("metric '{}' completed: {}", m.spec.name,
                                           AnalysisPhaseName(status));
                      });
      }
    }
    if (!Completed(status)) {
      everything_completed = false;
      continue;
    }
    if (run.dry_run) {
      if (!worst) worst = RunPhase::kSuccessful;
      continue;
    }
    if (!worst || Rank(status) > Rank(*worst)) {
      worst = status;
      std::string why;
      FailureInconclusiveOrError(m, &why);
      if (!why.empty()) {
        worst_message = fmt::format("Metric \"{}\" assessed {} due to {}", m.spec.name,
                                    AnalysisPhaseName(status), why);
        if (!m.message.empty()) worst_message += fmt::format(": \"Error Message: {}\"", m.message);
      }
    }
  }
  RunPhase phase = RunPhase::kRunning;
  // A metric that completed Failed, Error or Inconclusive while others
  // still run ends the run at its next reconcile (IsTerminating), which
  // the status update queues at once.
  bool newly_terminating = false;
  for (const AnalysisRun::Metric& m : run.metrics) {
    if (m.phase == RunPhase::kFailed || m.phase == RunPhase::kError ||
        m.phase == RunPhase::kInconclusive) {
      newly_terminating = !terminating;
    }
  }
  run.terminate_next = newly_terminating && !everything_completed;
  if (terminating) {
    phase = worst.value_or(RunPhase::kSuccessful);
  } else if (everything_completed && worst) {
    phase = *worst;
  }
  if (phase == run.phase) return;
  run.phase = phase;
  ctx_.MarkChanged();
  if (!Completed(phase)) return;
  run.message = worst_message;
  run.completed = ctx_.Now();
  ctx_.loop().Cancel(run.timer);
  ctx_.EmitLazy([&] { return "analysisrun/" + run.name; },
                [&] {
                  return fmt::format("{}{}", AnalysisPhaseName(phase),
                                     run.message.empty() ? "" : ": " + run.message);
                });
  Tell(run);
  if (!run.terminate) enqueue_rollout_(run.rollout);
}

void AnalysisController::ScheduleNext(uint32_t id) {
  // calculateNextReconcileTime.
  AnalysisRun& run = store_.analysis_runs[id];
  std::optional<SimTime> next;
  const auto consider = [&](SimTime t) {
    if (!next || t < *next) next = t;
  };
  for (const AnalysisRun::Metric& m : run.metrics) {
    if (Completed(m.phase)) continue;
    if (!m.last) {
      if (m.spec.initial_delay_us) {
        consider(run.started + SimDuration::Micros(*m.spec.initial_delay_us));
      }
      continue;
    }
    if (const auto count = EffectiveCount(m.spec); count && m.count >= *count) continue;
    if (m.last_phase == RunPhase::kError) {
      consider(*m.last + kErrorRetryInterval);
    } else if (m.spec.interval_us) {
      consider(*m.last + SimDuration::Micros(*m.spec.interval_us));
    }
  }
  ctx_.loop().Cancel(run.timer);
  if (!next) return;
  run.timer = ctx_.Schedule(std::max(*next - ctx_.Now(), SimDuration::Zero()), kPhaseControl,
                            EventKind::kAnalysisRun, id);
}

}  // namespace kubesim::cluster
