// The metric schema; see include/kubesim/metrics/schema.h. The definitions
// of the metrics themselves are in docs/metrics.md.
#include "kubesim/metrics/schema.h"

#include <fmt/format.h>

#include <array>

namespace kubesim::metrics {
namespace {

// A Service that never served has null time metrics (its requests still count).
Value Served(const Subject& s, Value v) { return s.service->served ? v : Value::Null(); }

// A percentile of its successful requests' response times; null without any.
Value Latency(const Subject& s, SimDuration LatencyReport::*p) {
  return s.service->latency ? Value::Seconds((*s.service->latency).*p) : Value::Null();
}

constexpr std::array kSchema = {
    // The run.
    Metric{Scope::kRun, "simulatedSeconds", Unit::kSeconds, "", 0, false,
           [](const Subject& s) { return Value::Seconds(s.report->end.SinceStart()); }},
    Metric{Scope::kRun, "events", Unit::kCount, "", 0, false,
           [](const Subject& s) { return Value::Integer(static_cast<int64_t>(s.report->events)); }},
    // Each Service.
    Metric{Scope::kService, "downtimeSeconds", Unit::kSeconds, "downtime", 1, false,
           [](const Subject& s) { return Served(s, Value::Seconds(s.service->downtime)); }},
    Metric{Scope::kService, "degradedSeconds", Unit::kSeconds, "degraded time", 2, false,
           [](const Subject& s) { return Served(s, Value::Seconds(s.service->degraded)); }},
    Metric{Scope::kService, "versionMixSeconds", Unit::kSeconds, "version-mix time", 3, false,
           [](const Subject& s) { return Served(s, Value::Seconds(s.service->version_mix)); }},
    Metric{Scope::kService, "longestOutageSeconds", Unit::kSeconds, "longest outage", 0, false,
           [](const Subject& s) { return Served(s, Value::Seconds(s.service->longest_outage)); }},
    Metric{Scope::kService, "minServingEndpoints", Unit::kCount, "min serving endpoints", 0, true,
           [](const Subject& s) {
             return Served(s, Value::Integer(s.service->min_serving_endpoints));
           }},
    Metric{Scope::kService, "requests.total", Unit::kCount, "requests", 0, false,
           [](const Subject& s) { return Value::Integer(s.service->requests.total); }},
    Metric{Scope::kService, "requests.failed", Unit::kCount, "failed requests", 4, false,
           [](const Subject& s) { return Value::Integer(s.service->requests.failed); }},
    Metric{Scope::kService, "requests.byVersion", Unit::kCount, "requests by version", 0, false,
           nullptr, true},
    Metric{Scope::kService, "requests.failedShare", Unit::kRatio, "failed share", 5, false,
           [](const Subject& s) {
             return Value::Ratio(s.service->requests.failed, s.service->requests.total);
           },
           false, false},
    // The load model's (docs/load-model.md): reported only when the scenario uses it.
    Metric{Scope::kService, "requests.rejected", Unit::kCount, "rejected requests", 0, false,
           [](const Subject& s) { return Value::Integer(s.service->requests.rejected); }, false,
           true, true},
    Metric{Scope::kService, "requests.timedOut", Unit::kCount, "timed-out requests", 0, false,
           [](const Subject& s) { return Value::Integer(s.service->requests.timed_out); }, false,
           true, true},
    Metric{Scope::kService, "latencySeconds.p50", Unit::kSeconds, "p50 latency", 0, false,
           [](const Subject& s) { return Latency(s, &LatencyReport::p50); }, false, true, true},
    Metric{Scope::kService, "latencySeconds.p95", Unit::kSeconds, "p95 latency", 0, false,
           [](const Subject& s) { return Latency(s, &LatencyReport::p95); }, false, true, true},
    Metric{Scope::kService, "latencySeconds.p99", Unit::kSeconds, "p99 latency", 6, false,
           [](const Subject& s) { return Latency(s, &LatencyReport::p99); }, false, true, true},
    Metric{Scope::kService, "latencySeconds.max", Unit::kSeconds, "max latency", 0, false,
           [](const Subject& s) { return Latency(s, &LatencyReport::max); }, false, true, true},
    // Its objective's verdict (docs/load-model.md, SLO): only for a Service that has one.
    Metric{Scope::kService, "slo.availabilityTarget", Unit::kRatio, "", 0, false,
           [](const Subject& s) { return Value::Share(s.service->slo->availability_target); },
           false, true, false, true},
    Metric{Scope::kService, "slo.latencyP99TargetSeconds", Unit::kSeconds, "", 0, false,
           [](const Subject& s) { return Value::Optional(s.service->slo->latency_p99_target); },
           false, true, false, true},
    Metric{Scope::kService, "slo.windowSeconds", Unit::kSeconds, "", 0, false,
           [](const Subject& s) { return Value::Seconds(s.service->slo->window); }, false, true,
           false, true},
    Metric{Scope::kService, "slo.availability", Unit::kRatio, "", 0, false,
           [](const Subject& s) {
             return s.service->slo->availability ? Value::Share(*s.service->slo->availability)
                                                 : Value::Null();
           },
           false, true, false, true},
    Metric{Scope::kService, "slo.errorBudgetBurned", Unit::kRatio, "error budget burned", 8,
           false,
           [](const Subject& s) {
             return s.service->slo->error_budget_burned
                        ? Value::Share(*s.service->slo->error_budget_burned)
                        : Value::Null();
           },
           false, true, false, true},
    Metric{Scope::kService, "slo.kept", Unit::kBoolean, "SLO kept", 7, true,
           [](const Subject& s) { return Value::Boolean(s.service->slo->kept); }, false, true,
           false, true},
    // Each Deployment.
    Metric{Scope::kDeployment, "restarts", Unit::kCount, "restarts", 3, false,
           [](const Subject& s) { return Value::Integer(s.deployment->restarts); }},
    Metric{Scope::kDeployment, "peakUtilization", Unit::kRatio, "peak utilization", 6, false,
           [](const Subject& s) {
             return s.deployment->peak_utilization ? Value::Share(*s.deployment->peak_utilization)
                                                   : Value::Null();
           },
           false, true, true},
    // Each rollout of a Deployment.
    Metric{Scope::kRollout, "revision", Unit::kCount, "revision", 0, false,
           [](const Subject& s) { return Value::Integer(s.rollout->revision); }},
    Metric{Scope::kRollout, "startSeconds", Unit::kSeconds, "rollout start", 0, false,
           [](const Subject& s) { return Value::Seconds(s.rollout->start.SinceStart()); }},
    Metric{Scope::kRollout, "completeSeconds", Unit::kSeconds, "rollout complete", 0, false,
           [](const Subject& s) {
             return s.rollout->complete ? Value::Seconds(s.rollout->complete->SinceStart())
                                        : Value::Null();
           }},
    Metric{Scope::kRollout, "durationSeconds", Unit::kSeconds, "rollout duration", 1, false,
           [](const Subject& s) { return Value::Optional(s.rollout->duration()); }},
    Metric{Scope::kRollout, "rolloutStatusSeconds", Unit::kSeconds, "rollout status", 0, false,
           [](const Subject& s) {
             return s.rollout->rollout_status
                        ? Value::Seconds(s.rollout->rollout_status->SinceStart())
                        : Value::Null();
           }},
    Metric{Scope::kRollout, "peakActivePods", Unit::kCount, "peak active pods", 5, false,
           [](const Subject& s) { return Value::Integer(s.rollout->peak_active_pods); }},
    Metric{Scope::kRollout, "minAvailablePods", Unit::kCount, "min available", 4, true,
           [](const Subject& s) { return Value::Integer(s.rollout->min_available_pods); }},
    Metric{Scope::kRollout, "deadlineExceeded", Unit::kBoolean, "deadline exceeded", 0, false,
           [](const Subject& s) { return Value::Boolean(s.rollout->deadline_exceeded); }},
    // How long `kubectl rollout status` waits: from the rollout's start to rolloutStatusSeconds.
    Metric{Scope::kRollout, "rolloutStatusDurationSeconds", Unit::kSeconds, "rollout status time",
           2, false,
           [](const Subject& s) {
             return s.rollout->rollout_status
                        ? Value::Seconds(*s.rollout->rollout_status - s.rollout->start)
                        : Value::Null();
           },
           false, false},
    // The cluster.
    Metric{Scope::kResources, "peakPods", Unit::kCount, "peak pods", 1, false,
           [](const Subject& s) { return Value::Integer(s.report->resources.peak_pods); }},
    Metric{Scope::kResources, "peakCpuMillis", Unit::kCpuMillis, "peak CPU", 2, false,
           [](const Subject& s) { return Value::Integer(s.report->resources.peak_cpu_millis); }},
    Metric{Scope::kResources, "peakMemoryBytes", Unit::kBytes, "peak memory", 3, false,
           [](const Subject& s) { return Value::Integer(s.report->resources.peak_memory_bytes); }},
    Metric{Scope::kResources, "pendingPodSeconds", Unit::kSeconds, "pending pod-seconds", 4, false,
           [](const Subject& s) { return Value::Seconds(s.report->resources.pending_pod_time); }},
};

std::string Quoted(const std::vector<std::string_view>& keys) {
  std::string out;
  for (std::string_view k : keys) out += fmt::format("{}{}", out.empty() ? "" : ", ", k);
  return out;
}

// `text` ends with ".KEY" for a key of `scope` and something before it: the
// longest such key (so "requests.failed" is never read as "failed").
const Metric* SuffixKey(Scope scope, std::string_view text) {
  const Metric* best = nullptr;
  for (const Metric& m : kSchema) {
    if (m.scope != scope || m.per_version) continue;
    if (text.size() > m.key.size() + 1 && text.ends_with(m.key) &&
        text[text.size() - m.key.size() - 1] == '.' &&
        (best == nullptr || m.key.size() > best->key.size())) {
      best = &m;
    }
  }
  return best;
}

}  // namespace

std::span<const Metric> Schema() { return kSchema; }

std::vector<std::string_view> Keys(Scope scope) {
  std::vector<std::string_view> out;
  for (const Metric& m : kSchema) {
    if (m.scope == scope) out.push_back(m.key);
  }
  return out;
}

const Metric* Find(Scope scope, std::string_view key) {
  for (const Metric& m : kSchema) {
    if (m.scope == scope && m.key == key) return &m;
  }
  return nullptr;
}

Expected<MetricPath> ParseMetricPath(std::string_view text) {
  MetricPath p;
  p.text = std::string(text);
  if (const Metric* m = Find(Scope::kRun, text)) {
    p.metric = m;
    return p;
  }
  if (text.starts_with("resources.")) {
    p.metric = Find(Scope::kResources, text.substr(10));
    if (p.metric == nullptr) {
      return Error{fmt::format("unknown metric \"{}\" (resources has {})", text,
                               Quoted(Keys(Scope::kResources)))};
    }
    return p;
  }
  if (text.starts_with("services.")) {
    const std::string_view rest = text.substr(9);
    static constexpr std::string_view kByVersion = ".requests.byVersion.";
    if (const size_t bv = rest.find(kByVersion);
        bv != std::string_view::npos && bv > 0 && bv + kByVersion.size() < rest.size()) {
      p.metric = Find(Scope::kService, "requests.byVersion");
      p.object = std::string(rest.substr(0, bv));
      p.version = std::string(rest.substr(bv + kByVersion.size()));
      return p;
    }
    p.metric = SuffixKey(Scope::kService, rest);
    if (p.metric == nullptr) {
      std::vector<std::string_view> keys;
      for (std::string_view k : Keys(Scope::kService)) {
        if (k != "requests.byVersion") keys.push_back(k);
      }
      return Error{
          fmt::format("unknown Service metric in \"{}\" (use services.NAME. followed by "
                      "{}, or requests.byVersion.VERSION)",
                      text, Quoted(keys))};
    }
    p.object = std::string(rest.substr(0, rest.size() - p.metric->key.size() - 1));
    return p;
  }
  if (text.starts_with("deployments.")) {
    const std::string_view rest = text.substr(12);
    // Object names never hold brackets (DNS subdomain names): "rollouts[0].restarts"
    // is a rollout key that does not exist, not a Deployment "web.rollouts[0]".
    if (const Metric* m = SuffixKey(Scope::kDeployment, rest);
        m != nullptr && rest.find('[') == std::string_view::npos) {
      p.metric = m;
      p.object = std::string(rest.substr(0, rest.size() - m->key.size() - 1));
      return p;
    }
    const std::string rollout_error = fmt::format(
        "expected deployments.NAME.rollouts[INDEX].KEY or "
        "deployments.NAME.lastRollout.KEY with KEY one of {}",
        Quoted(Keys(Scope::kRollout)));
    std::string_view key;
    if (const size_t last = rest.rfind(".lastRollout.");
        last != std::string_view::npos && last > 0) {
      p.rollout = MetricPath::Rollout::kLast;
      p.object = std::string(rest.substr(0, last));
      key = rest.substr(last + 13);
    } else if (const size_t ro = rest.rfind(".rollouts["); ro != std::string_view::npos && ro > 0) {
      const size_t close = rest.find("].", ro);
      if (close == std::string_view::npos) return Error{rollout_error};
      const std::string_view index = rest.substr(ro + 10, close - ro - 10);
      if (index.empty() || index.size() > 9 ||
          index.find_first_not_of("0123456789") != std::string_view::npos) {
        return Error{rollout_error};
      }
      p.rollout = MetricPath::Rollout::kIndex;
      for (char c : index) p.rollout_index = p.rollout_index * 10 + static_cast<size_t>(c - '0');
      p.object = std::string(rest.substr(0, ro));
      key = rest.substr(close + 2);
    } else {
      return Error{
          fmt::format("unknown Deployment metric in \"{}\" (use deployments.NAME.restarts, "
                      "deployments.NAME.peakUtilization, "
                      "deployments.NAME.rollouts[INDEX].KEY or "
                      "deployments.NAME.lastRollout.KEY)",
                      text)};
    }
    p.metric = Find(Scope::kRollout, key);
    if (p.metric == nullptr) return Error{rollout_error};
    return p;
  }
  return Error{
      fmt::format("unknown metric \"{}\" (metrics start with services., deployments. or "
                  "resources., or are simulatedSeconds or events)",
                  text)};
}

std::optional<Value> Resolve(const MetricPath& path, const Report& report) {
  if (path.metric == nullptr) return std::nullopt;
  // A load-model metric names nothing in a run without the load model.
  if (path.metric->load_model && !report.load_model) return std::nullopt;
  Subject s{&report};
  switch (path.metric->scope) {
    case Scope::kRun:
    case Scope::kResources:
      return path.metric->read(s);
    case Scope::kService:
      for (const ServiceReport& svc : report.services) {
        if (svc.key != path.object) continue;
        if (path.metric->per_version) {
          const auto it = svc.requests.by_version.find(path.version);
          if (it == svc.requests.by_version.end()) return std::nullopt;
          return Value::Integer(it->second);
        }
        if (path.metric->slo && !svc.slo) return std::nullopt;  // no objective for it
        s.service = &svc;
        return path.metric->read(s);
      }
      return std::nullopt;
    case Scope::kDeployment:
    case Scope::kRollout:
      for (const DeploymentReport& d : report.deployments) {
        if (d.key != path.object) continue;
        s.deployment = &d;
        if (path.metric->scope == Scope::kDeployment) return path.metric->read(s);
        if (d.rollouts.empty()) return std::nullopt;
        if (path.rollout == MetricPath::Rollout::kLast) {
          s.rollout = &d.rollouts.back();
        } else if (path.rollout_index < d.rollouts.size()) {
          s.rollout = &d.rollouts[path.rollout_index];
        } else {
          return std::nullopt;
        }
        return path.metric->read(s);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace kubesim::metrics
