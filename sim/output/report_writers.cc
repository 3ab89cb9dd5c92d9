// JSON and table writers for a Report, and the `expect:` check; see
// include/kubesim/output/report_writers.h.
#include "kubesim/output/report_writers.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <cmath>
#include <string_view>
#include <vector>

#include "kubesim/metrics/schema.h"
#include "kubesim/output/compare.h"

namespace kubesim::output {
namespace {

using Json = nlohmann::ordered_json;

// A person's duration: "0s", "350ms", "4.5s", "1m5.2s", "2h3m".
std::string Human(SimDuration d) {
  const int64_t us = d.micros();
  if (us == 0) return "0s";
  if (us < 1'000'000) return fmt::format("{}ms", us / 1000);
  const int64_t tenths = (us + 50'000) / 100'000;
  const int64_t total_s = tenths / 10;
  const int64_t h = total_s / 3600, m = (total_s / 60) % 60, s = total_s % 60, t = tenths % 10;
  std::string out;
  if (h > 0) out += fmt::format("{}h", h);
  if (h > 0 || m > 0) out += fmt::format("{}m", m);
  if (h == 0) out += t ? fmt::format("{}.{}s", s, t) : fmt::format("{}s", s);
  return out;
}

Json ToJson(const metrics::Value& v) {
  using Kind = metrics::Value::Kind;
  switch (v.kind()) {
    case Kind::kNull: return nullptr;
    case Kind::kInteger: return v.integer();
    case Kind::kSeconds: return v.duration().seconds();
    case Kind::kBoolean: return v.integer() != 0;
    case Kind::kRatio: return v.number();
  }
  return nullptr;
}

// Sets o[KEY] for a schema key, nested at its dots ("requests.total").
void Put(Json& o, std::string_view key, Json value) {
  Json* at = &o;
  for (size_t dot; (dot = key.find('.')) != std::string_view::npos; key.remove_prefix(dot + 1)) {
    at = &(*at)[std::string(key.substr(0, dot))];
  }
  (*at)[std::string(key)] = std::move(value);
}

// Every metric of `scope` for one subject, in the schema's order.
void PutScope(Json& o, metrics::Scope scope, const metrics::Subject& subject) {
  for (const metrics::Metric& m : metrics::Schema()) {
    if (m.scope != scope || !m.in_report) continue;
    if (m.load_model && !subject.report->load_model) continue;  // reports as they always were
    if (m.slo && (subject.service == nullptr || !subject.service->slo)) continue;
    if (m.per_version) {
      Json by_version = Json::object();
      for (const auto& [v, n] : subject.service->requests.by_version) by_version[v] = n;
      Put(o, m.key, std::move(by_version));
    } else {
      Put(o, m.key, ToJson(m.read(subject)));
    }
  }
}

// The report as docs/metrics.md's JSON object, read through the metric schema.
Json ReportToJson(const metrics::Report& r) {
  using metrics::Scope;
  Json j;
  j["scenario"] = r.scenario;
  j["seed"] = r.seed;
  PutScope(j, Scope::kRun, {&r});
  Json services = Json::object();
  for (const metrics::ServiceReport& s : r.services) {
    Json o = Json::object();
    PutScope(o, Scope::kService, {&r, &s});
    if (r.load_model) {
      // Percentiles by the answering pod's version (docs/load-model.md).
      Json by_version = Json::object();
      for (const auto& [v, l] : s.latency_by_version) {
        by_version[v] = Json{{"p50", l.p50.seconds()},
                             {"p95", l.p95.seconds()},
                             {"p99", l.p99.seconds()},
                             {"max", l.max.seconds()}};
      }
      o["latencySeconds"]["byVersion"] = std::move(by_version);
    }
    services[s.key] = std::move(o);
  }
  j["services"] = std::move(services);
  Json deployments = Json::object();
  for (const metrics::DeploymentReport& d : r.deployments) {
    Json o = Json::object();
    PutScope(o, Scope::kDeployment, {&r, nullptr, &d});
    Json rollouts = Json::array();
    for (const metrics::RolloutReport& ro : d.rollouts) {
      Json ro_json = Json::object();
      PutScope(ro_json, Scope::kRollout, {&r, nullptr, &d, &ro});
      // An Argo Rollout's canary steps and AnalysisRuns (docs/metrics.md).
      const auto seconds = [](std::optional<SimTime> t) -> Json {
        return t ? Json(t->SinceStart().seconds()) : Json(nullptr);
      };
      if (!ro.steps.empty()) {
        Json steps = Json::array();
        for (const metrics::RolloutStepReport& st : ro.steps) {
          Json sj = {{"index", st.index},
                     {"kind", st.kind},
                     {"startSeconds", st.start.SinceStart().seconds()},
                     {"endSeconds", seconds(st.end)},
                     {"result", st.end ? Json(st.result) : Json(nullptr)},
                     {"weight", st.weight},
                     {"canaryReplicas", st.canary_replicas},
                     {"stableReplicas", st.stable_replicas},
                     {"analysis", st.analysis.empty() ? Json(nullptr) : Json(st.analysis)}};
          steps.push_back(std::move(sj));
        }
        ro_json["steps"] = std::move(steps);
      }
      if (!ro.analysis_runs.empty()) {
        Json runs = Json::array();
        for (const metrics::AnalysisRunReport& ar : ro.analysis_runs) {
          runs.push_back({{"name", ar.name},
                          {"type", ar.type},
                          {"step", ar.step >= 0 ? Json(ar.step) : Json(nullptr)},
                          {"startSeconds", ar.start.SinceStart().seconds()},
                          {"endSeconds", ar.end.SinceStart().seconds()},
                          {"phase", ar.phase},
                          {"message", ar.message},
                          {"measurements", ar.measurements}});
        }
        ro_json["analysisRuns"] = std::move(runs);
      }
      rollouts.push_back(std::move(ro_json));
    }
    o["rollouts"] = std::move(rollouts);
    deployments[d.key] = std::move(o);
  }
  j["deployments"] = std::move(deployments);
  Json resources = Json::object();
  PutScope(resources, Scope::kResources, {&r});
  j["resources"] = std::move(resources);
  // Chained and blocking steps: when each started and finished (docs/metrics.md).
  if (!r.timeline.empty()) {
    Json steps = Json::array();
    for (const metrics::StepReport& st : r.timeline) {
      const auto at = [](const std::optional<SimTime>& t) -> Json {
        return t ? Json(t->SinceStart().seconds()) : Json(nullptr);
      };
      steps.push_back(Json{{"step", st.step},
                           {"line", st.line},
                           {"startedSeconds", at(st.started)},
                           {"finishedSeconds", at(st.finished)},
                           {"result", st.result}});
    }
    j["timeline"] = std::move(steps);
  }
  return j;
}

// One CSV row per (scenario, metric): the report's JSON flattened to dotted paths.
void Flatten(const Json& j, const std::string& prefix, const std::string& scenario,
             std::string& out) {
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      Flatten(it.value(), prefix.empty() ? it.key() : prefix + "." + it.key(), scenario, out);
    }
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) {
      Flatten(j[i], fmt::format("{}[{}]", prefix, i), scenario, out);
    }
  } else {
    std::string value = j.is_string() ? j.get<std::string>() : j.dump();
    if (j.is_null()) value.clear();
    out += fmt::format("{},{},{}\n", CsvField(scenario), CsvField(prefix), CsvField(value));
  }
}

}  // namespace

std::string FormatJson(const metrics::Report& report) {
  return ReportToJson(report).dump(2) + "\n";
}

std::string FormatCsv(const metrics::Report& report) {
  std::string out = "scenario,metric,value\n";
  Flatten(ReportToJson(report), "", report.scenario, out);
  return out;
}

namespace {

// What `table` and `markdown` show: the same lines, grouped in sections.
struct Line {
  std::string label, value;
  int tone = 0;  // 0 plain, 1 good, -1 bad (coloured on a terminal)
};
struct Section {
  std::string title;
  std::vector<Line> lines;
};

using Unit = ComparisonRow::Unit;

int Tone(bool bad) { return bad ? -1 : 1; }

// A response time as people read one: "20 ms", "1.25 s".
std::string Latency(SimDuration d) {
  if (d < SimDuration::Seconds(1))
    return fmt::format("{:g} ms", static_cast<double>(d.micros()) / 1e3);
  if (d >= SimDuration::Seconds(60)) return Human(d);  // "3m25s", never 2.05e+02
  return fmt::format("{:g} s", d.seconds());
}

std::vector<Section> Summarize(const metrics::Report& r) {
  std::vector<Section> out;
  for (const metrics::ServiceReport& s : r.services) {
    Section sec{fmt::format("service {}", s.key), {}};
    if (!s.served) {
      sec.lines.push_back({"never served", "no endpoint ever answered", -1});
      out.push_back(std::move(sec));
      continue;
    }
    sec.lines.push_back({"downtime", Human(s.downtime), Tone(s.downtime > SimDuration::Zero())});
    sec.lines.push_back({"longest outage", Human(s.longest_outage), 0});
    sec.lines.push_back({"degraded", Human(s.degraded), 0});
    sec.lines.push_back({"version mix", Human(s.version_mix), 0});
    sec.lines.push_back({"min serving endpoints", fmt::format("{}", s.min_serving_endpoints),
                         s.min_serving_endpoints == 0 ? -1 : 0});
    std::string versions;
    for (const auto& [v, n] : s.requests.by_version) {
      versions += fmt::format("{}{} {}", versions.empty() ? "" : ", ", v, n);
    }
    sec.lines.push_back({"requests",
                         fmt::format("{} failed of {}{}", s.requests.failed, s.requests.total,
                                     versions.empty() ? "" : " (" + versions + ")"),
                         Tone(s.requests.failed > 0)});
    if (r.load_model) {
      sec.lines.push_back({"rejected, timed out",
                           fmt::format("{}, {}", s.requests.rejected, s.requests.timed_out),
                           Tone(s.requests.rejected + s.requests.timed_out > 0)});
      sec.lines.push_back({"latency",
                           s.latency ? fmt::format("p50 {}, p95 {}, p99 {}, max {}",
                                                   Latency(s.latency->p50), Latency(s.latency->p95),
                                                   Latency(s.latency->p99), Latency(s.latency->max))
                                     : "no successful request",
                           0});
    }
    if (s.slo) {
      const metrics::SloReport& o = *s.slo;
      std::string v = fmt::format(
          "{}: {} of the {} error budget burned (availability {} of {})",
          o.kept ? "kept" : "not kept", HumanValue(Unit::kRatio, o.error_budget_burned.value_or(0)),
          o.window.micros() % (int64_t{86'400} * 1'000'000) == 0
              ? fmt::format("{}d", o.window.micros() / (int64_t{86'400} * 1'000'000))
              : Human(o.window),
          o.availability ? HumanValue(Unit::kRatio, *o.availability) : "-",
          HumanValue(Unit::kRatio, o.availability_target));
      if (o.latency_p99_target) {
        v += fmt::format(", p99 {} of at most {}", s.latency ? Latency(s.latency->p99) : "-",
                         Latency(*o.latency_p99_target));
      }
      sec.lines.push_back({"SLO", v, o.kept ? 1 : -1});
    }
    out.push_back(std::move(sec));
  }
  for (const metrics::DeploymentReport& d : r.deployments) {
    Section sec{fmt::format("deployment {}", d.key), {}};
    sec.lines.push_back({"restarts", fmt::format("{}", d.restarts), d.restarts > 0 ? -1 : 0});
    for (const metrics::RolloutReport& ro : d.rollouts) {
      std::string v = fmt::format("{} -> {}", Human(ro.start.SinceStart()),
                                  ro.complete ? Human(ro.complete->SinceStart()) : "never completed");
      if (ro.duration()) v += fmt::format(" (took {})", Human(*ro.duration()));
      v += fmt::format(", peak {} pods, min {} available", ro.peak_active_pods, ro.min_available_pods);
      if (ro.deadline_exceeded) v += ", progress deadline exceeded";
      sec.lines.push_back({fmt::format("rollout to revision {}", ro.revision), v,
                           ro.complete && !ro.deadline_exceeded ? 0 : -1});
      // An Argo canary's step table: one line per step.
      for (const metrics::RolloutStepReport& st : ro.steps) {
        std::string sv = fmt::format("{} -> {}{}, weight {}%, {} canary / {} stable",
                                     Human(st.start.SinceStart()),
                                     st.end ? Human(st.end->SinceStart()) : "running",
                                     st.end ? fmt::format(" {}", st.result) : "", st.weight,
                                     st.canary_replicas, st.stable_replicas);
        if (!st.analysis.empty()) sv += fmt::format(", analysis {}", st.analysis);
        sec.lines.push_back(
            {fmt::format("  step {} {}", st.index, st.kind), sv, st.result == "aborted" ? -1 : 0});
      }
      for (const metrics::AnalysisRunReport& ar : ro.analysis_runs) {
        sec.lines.push_back(
            {fmt::format("  analysis {}", ar.name),
             fmt::format("{} -> {} {}{}", Human(ar.start.SinceStart()), Human(ar.end.SinceStart()),
                         ar.phase, ar.message.empty() ? "" : ": " + ar.message),
             ar.phase == "Successful" ? 0 : -1});
      }
    }
    if (d.rollouts.empty()) sec.lines.push_back({"rollouts", "none", 0});
    if (d.peak_utilization) {
      sec.lines.push_back({"peak utilization", HumanValue(Unit::kRatio, *d.peak_utilization),
                           *d.peak_utilization >= 1.0 ? -1 : 0});
    }
    out.push_back(std::move(sec));
  }
  Section res{"resources", {}};
  res.lines.push_back({"peak pods", fmt::format("{}", r.resources.peak_pods), 0});
  res.lines.push_back(
      {"peak CPU requested",
       HumanValue(Unit::kCpuMillis, static_cast<double>(r.resources.peak_cpu_millis)), 0});
  res.lines.push_back(
      {"peak memory requested",
       HumanValue(Unit::kBytes, static_cast<double>(r.resources.peak_memory_bytes)), 0});
  res.lines.push_back({"pending pod-seconds", FormatSeconds(r.resources.pending_pod_time, 1),
                       r.resources.pending_pod_time > SimDuration::Zero() ? -1 : 0});
  out.push_back(std::move(res));
  if (!r.timeline.empty()) {
    Section tl{"timeline", {}};
    for (const metrics::StepReport& st : r.timeline) {
      std::string v = st.started ? Human(st.started->SinceStart()) : "never started";
      if (st.started && st.finished) v += fmt::format(" -> {}", Human(st.finished->SinceStart()));
      v += fmt::format(", {}", st.result);
      tl.lines.push_back(
          {fmt::format("step {} (line {})", st.step, st.line), v, st.result == "ok" ? 0 : -1});
    }
    out.push_back(std::move(tl));
  }
  return out;
}

std::string Header(const metrics::Report& r) {
  return fmt::format("scenario {}  seed {}  simulated {}  events {}", r.scenario, r.seed,
                     Human(r.end.SinceStart()), r.events);
}

std::string MarkdownCell(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string FormatTable(const metrics::Report& r, bool color) {
  // fmt::format rather than string `+` chains: GCC 12 reports a false -Wrestrict
  // on `"\n" + std::string` at -O3, and CI builds with -Werror.
  const auto bold = [color](const std::string& s) {
    return color ? fmt::format("\x1b[1m{}\x1b[0m", s) : s;
  };
  std::string out = fmt::format("{}\n", bold(Header(r)));
  for (const Section& sec : Summarize(r)) {
    out += fmt::format("\n{}\n", bold(sec.title));
    for (const Line& l : sec.lines) {
      std::string value = l.value;
      if (color && l.tone != 0) {
        value = fmt::format("{}{}\x1b[0m", l.tone > 0 ? "\x1b[32m" : "\x1b[31m", value);
      }
      // A label too long for the column ("rollout to revision 12") keeps a gap.
      out += fmt::format("  {:<22}{}{}\n", l.label, l.label.size() < 22 ? "" : " ", value);
    }
  }
  return out;
}

std::string FormatMarkdown(const metrics::Report& r) {
  std::string out = fmt::format("**{}**\n\n| | |\n|---|---|\n", MarkdownCell(Header(r)));
  for (const Section& sec : Summarize(r)) {
    out += fmt::format("| **{}** | |\n", MarkdownCell(sec.title));
    for (const Line& l : sec.lines) {
      out += fmt::format("| {} | {} |\n", MarkdownCell(l.label), MarkdownCell(l.value));
    }
  }
  return out;
}

namespace {

bool Compare(double a, scenario::Expectation::Op op, double b) {
  using Op = scenario::Expectation::Op;
  switch (op) {
    case Op::kLess: return a < b;
    case Op::kLessEqual: return a <= b;
    case Op::kGreater: return a > b;
    case Op::kGreaterEqual: return a >= b;
    case Op::kEqual: return a == b;
    case Op::kNotEqual: return a != b;
  }
  return false;
}

}  // namespace

std::vector<ExpectFailure> CheckExpectations(const scenario::Scenario& s,
                                             const metrics::Report& r) {
  std::vector<ExpectFailure> failures;
  if (s.expect.empty()) return failures;
  for (const scenario::Expectation& e : s.expect) {
    // The loader checked the path against the schema (docs/metrics.md).
    const Expected<metrics::MetricPath> path = metrics::ParseMetricPath(e.metric);
    const std::optional<metrics::Value> v =
        path ? metrics::Resolve(*path, r) : std::optional<metrics::Value>();
    if (!v) {
      failures.push_back({&e, fmt::format("{}: no such metric in the report", e.text)});
      continue;
    }
    if (v->is_null()) {
      failures.push_back({&e, fmt::format("{}: the value is null (it never happened)", e.text)});
      continue;
    }
    const bool is_boolean = v->kind() == metrics::Value::Kind::kBoolean;
    if (e.boolean.has_value() != is_boolean) {
      failures.push_back(
          {&e, fmt::format("{}: the value {} is not comparable", e.text, ToJson(*v).dump())});
      continue;
    }
    const bool ok = e.boolean ? Compare(v->number(), e.op, *e.boolean ? 1 : 0)
                              : Compare(v->number(), e.op, *e.number);
    if (!ok) failures.push_back({&e, fmt::format("{}: the value is {}", e.text, ToJson(*v).dump())});
  }
  return failures;
}

}  // namespace kubesim::output
