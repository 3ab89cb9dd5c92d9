// A sweep's summary; see include/kubesim/sweep/summary.h.
#include "kubesim/sweep/summary.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "../k8s/yaml_tree.h"
#include "kubesim/output/compare.h"
#include "kubesim/output/report_writers.h"

namespace kubesim::sweep {
namespace {

using Json = nlohmann::ordered_json;

// A YAML value as JSON, typed as Kubernetes' decoder types it.
Json ToJson(const yaml::Node& n) {
  switch (n.kind) {
    case yaml::Kind::kNull:
      return nullptr;
    case yaml::Kind::kScalar:
      switch (yaml::Resolve(n)) {
        case yaml::ScalarType::kNull:
          return nullptr;
        case yaml::ScalarType::kBool:
          return yaml::ResolveBool(n.scalar).value_or(false);
        case yaml::ScalarType::kInt: {
          int64_t v = 0;
          const auto [p, ec] =
              std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), v);
          if (ec == std::errc() && p == n.scalar.data() + n.scalar.size()) return v;
          return n.scalar;  // 0x1F, 1_000: kept as written
        }
        case yaml::ScalarType::kFloat: {
          double v = 0;
          const auto [p, ec] =
              std::from_chars(n.scalar.data(), n.scalar.data() + n.scalar.size(), v);
          if (ec == std::errc() && p == n.scalar.data() + n.scalar.size() && std::isfinite(v))
            return v;
          return n.scalar;
        }
        case yaml::ScalarType::kString:
          return n.scalar;
      }
      return n.scalar;
    case yaml::Kind::kSequence: {
      Json out = Json::array();
      for (const auto& i : n.items) out.push_back(ToJson(*i));
      return out;
    }
    case yaml::Kind::kMap: {
      Json out = Json::object();
      for (const auto& e : n.entries) out[e.key] = ToJson(*e.value);
      return out;
    }
  }
  return nullptr;
}

bool Integral(metrics::Unit u) {
  return u == metrics::Unit::kCount || u == metrics::Unit::kCpuMillis || u == metrics::Unit::kBytes;
}

// A statistic as JSON: an integer where the metric counts and the value is whole.
Json Number(metrics::Unit u, double v) {
  if (Integral(u) && v == std::floor(v) && std::fabs(v) < 9e15) return static_cast<int64_t>(v);
  return v;
}

// A statistic for a person.
std::string Human(metrics::Unit u, double v, bool whole) {
  switch (u) {
    case metrics::Unit::kSeconds:
    case metrics::Unit::kCpuMillis:
    case metrics::Unit::kBytes:
    case metrics::Unit::kRatio:
      return output::HumanValue(u, v);
    case metrics::Unit::kCount:
      if (whole || v == std::floor(v)) return fmt::format("{}", std::llround(v));
      return fmt::format("{:.2f}", v);
    case metrics::Unit::kBoolean:
      return whole ? (v != 0 ? "true" : "false") : fmt::format("{:.2f}", v);
  }
  return fmt::format("{}", v);
}

// The parameters that hold one value across the group, as (path, value index).
std::vector<std::pair<size_t, size_t>> GroupValues(const Sweep& sweep, const PointSummary& p) {
  std::vector<std::pair<size_t, size_t>> out;
  const std::vector<size_t> first = sweep.ValuesAt(p.first_point);
  const std::vector<size_t> last = sweep.ValuesAt(p.first_point + p.points - 1);
  for (size_t i = 0; i < sweep.parameters.size(); ++i) {
    if (p.points == 1 || first[i] == last[i]) out.emplace_back(i, first[i]);
  }
  return out;
}

std::string Title(const Sweep& sweep, const PointSummary& p) {
  std::string out;
  for (const auto& [i, v] : GroupValues(sweep, p)) {
    out += fmt::format("{}{} = {}", out.empty() ? "" : ", ", sweep.parameters[i].path,
                       sweep.parameters[i].texts[v]);
  }
  if (out.empty()) out = "(the scenario as written)";
  if (p.points > 1) out += fmt::format(" ({} points)", p.points);
  return out;
}

std::string Escape(std::string_view s) {  // markdown cell
  std::string out;
  for (char c : s) {
    if (c == '|') out += '\\';
    out += c;
  }
  return out;
}

Json PointJson(const Sweep& sweep, const PointSummary& p) {
  Json values = Json::object();
  for (const auto& [i, v] : GroupValues(sweep, p)) {
    values[sweep.parameters[i].path] = ToJson(*sweep.parameters[i].values[v]);
  }
  Json metrics = Json::object();
  for (size_t m = 0; m < sweep.metrics.size(); ++m) {
    const metrics::Summary& s = p.metrics[m];
    const metrics::Unit u = sweep.metrics[m].metric->unit;
    if (s.n == 0) {
      metrics[sweep.metrics[m].text] =
          Json{{"n", 0},         {"mean", nullptr}, {"ci95", nullptr}, {"p50", nullptr},
               {"p95", nullptr}, {"p99", nullptr},  {"max", nullptr}};
      continue;
    }
    metrics[sweep.metrics[m].text] = Json{{"n", s.n},
                                          {"mean", s.mean},
                                          {"ci95", s.ci95},
                                          {"p50", Number(u, s.p50)},
                                          {"p95", Number(u, s.p95)},
                                          {"p99", Number(u, s.p99)},
                                          {"max", Number(u, s.max)}};
  }
  return Json{{"values", values}, {"runs", p.runs}, {"failedRuns", p.failed}, {"metrics", metrics}};
}

}  // namespace

PointSummary SummarizePoints(const Sweep& sweep, const std::vector<RunRow>& rows, size_t first,
                             size_t count) {
  PointSummary out;
  out.first_point = first;
  out.points = count;
  std::vector<std::vector<double>> values(sweep.metrics.size());
  for (const RunRow& r : rows) {
    if (r.point < first || r.point >= first + count) continue;
    ++out.runs;
    if (!r.error.empty()) {
      ++out.failed;
      continue;
    }
    for (size_t m = 0; m < sweep.metrics.size() && m < r.values.size(); ++m) {
      if (r.values[m] && !r.values[m]->is_null()) values[m].push_back(r.values[m]->number());
    }
  }
  for (auto& v : values) out.metrics.push_back(metrics::Summarize(std::move(v)));
  return out;
}

bool Meets(const Sweep& sweep, const PointSummary& s, std::string* why) {
  if (s.failed > 0) {
    if (why) *why = fmt::format("{} of its runs failed", s.failed);
    return false;
  }
  for (const Constraint& c : sweep.subject_to) {
    const metrics::Summary& m = s.metrics[c.metric];
    bool ok = false;
    if (m.n > 0) {
      double v = 0;
      switch (c.stat) {
        case Constraint::Stat::kMean:
          v = m.mean;
          break;
        case Constraint::Stat::kMin:
          v = m.min;
          break;
        case Constraint::Stat::kP50:
          v = m.p50;
          break;
        case Constraint::Stat::kP95:
          v = m.p95;
          break;
        case Constraint::Stat::kP99:
          v = m.p99;
          break;
        case Constraint::Stat::kMax:
          v = m.max;
          break;
      }
      switch (c.op) {
        case Constraint::Op::kLess:
          ok = v < c.bound;
          break;
        case Constraint::Op::kLessEqual:
          ok = v <= c.bound;
          break;
        case Constraint::Op::kGreater:
          ok = v > c.bound;
          break;
        case Constraint::Op::kGreaterEqual:
          ok = v >= c.bound;
          break;
        case Constraint::Op::kEqual:
          ok = v == c.bound;
          break;
        case Constraint::Op::kNotEqual:
          ok = v != c.bound;
          break;
      }
    }
    if (!ok) {
      if (why) *why = m.n == 0 ? fmt::format("{}: no run produced the metric", c.text) : c.text;
      return false;
    }
  }
  return true;
}

std::string FormatSweep(const Sweep& sweep, const SweepResult& result, const std::string& format) {
  if (format == "json") {
    Json j;
    j["sweep"] = sweep.name;
    j["runs"] = result.runs;
    j["failedRuns"] = result.failed;
    Json points = Json::array();
    for (const PointSummary& p : result.points) points.push_back(PointJson(sweep, p));
    j["points"] = std::move(points);
    if (sweep.minimize) {
      if (result.minimum && result.at_minimum) {
        const Parameter& p = sweep.parameters[sweep.minimize->parameter];
        j["minimum"] = Json{{"path", p.path},
                            {"value", ToJson(*p.values[*result.minimum])},
                            {"metrics", PointJson(sweep, *result.at_minimum)["metrics"]}};
      } else {
        j["minimum"] = nullptr;
      }
    }
    return j.dump(2) + "\n";
  }
  if (format == "csv") {
    std::string out = "point";
    for (const Parameter& p : sweep.parameters) {
      out += fmt::format(",{}", output::CsvField(p.path));
    }
    out += ",metric,n,mean,ci95,p50,p95,p99,max";
    // A minimize tells which values met every constraint.
    out += sweep.minimize ? ",meets\n" : "\n";
    for (size_t k = 0; k < result.points.size(); ++k) {
      const PointSummary& p = result.points[k];
      const std::vector<size_t> values = sweep.ValuesAt(p.first_point);
      for (size_t m = 0; m < sweep.metrics.size(); ++m) {
        out += fmt::format("{}", p.first_point);
        for (size_t i = 0; i < sweep.parameters.size(); ++i) {
          const bool same =
              p.points == 1 || values[i] == sweep.ValuesAt(p.first_point + p.points - 1)[i];
          out += fmt::format(
              ",{}", same ? output::CsvField(sweep.parameters[i].texts[values[i]]) : std::string());
        }
        const metrics::Summary& s = p.metrics[m];
        out += fmt::format(",{},{}", output::CsvField(sweep.metrics[m].text), s.n);
        if (s.n == 0) {
          out += ",,,,,,";
        } else {
          out += fmt::format(",{},{},{},{},{},{}", s.mean, s.ci95, s.p50, s.p95, s.p99, s.max);
        }
        if (sweep.minimize) out += Meets(sweep, p) ? ",true" : ",false";
        out += "\n";
      }
    }
    return out;
  }
  const bool md = format == "markdown";
  std::string out =
      md ? fmt::format("**sweep {}**: {} runs, {} failed\n", Escape(sweep.name), result.runs,
                       result.failed)
         : fmt::format("sweep {}  {} runs  {} failed\n", sweep.name, result.runs, result.failed);
  const auto block = [&](const PointSummary& p, const std::string& title) {
    if (md) {
      out += fmt::format(
          "\n**{}** ({} runs{})\n\n| metric | n | mean ± 95 % | p50 | p95 | p99 | "
          "max |\n|---|---:|---:|---:|---:|---:|---:|\n",
          Escape(title), p.runs, p.failed ? fmt::format(", {} failed", p.failed) : "");
    } else {
      out += fmt::format("\n{}  ({} runs{})\n", title, p.runs,
                         p.failed ? fmt::format(", {} failed", p.failed) : "");
    }
    size_t width = 6;
    for (const auto& m : sweep.metrics) width = std::max(width, m.text.size());
    if (!md) {
      out += fmt::format("  {:<{}}  {:>5}  {:>20}  {:>10}  {:>10}  {:>10}  {:>10}\n", "metric",
                         width, "n", "mean ± 95 %", "p50", "p95", "p99", "max");
    }
    for (size_t m = 0; m < sweep.metrics.size(); ++m) {
      const metrics::Summary& s = p.metrics[m];
      const metrics::Unit u = sweep.metrics[m].metric->unit;
      const std::string mean =
          s.n == 0 ? "-" : fmt::format("{} ± {}", Human(u, s.mean, false), Human(u, s.ci95, false));
      const auto stat = [&](double v) { return s.n == 0 ? std::string("-") : Human(u, v, true); };
      if (md) {
        out += fmt::format("| {} | {} | {} | {} | {} | {} | {} |\n", Escape(sweep.metrics[m].text),
                           s.n, mean, stat(s.p50), stat(s.p95), stat(s.p99), stat(s.max));
      } else {
        out += fmt::format("  {:<{}}  {:>5}  {:>20}  {:>10}  {:>10}  {:>10}  {:>10}\n",
                           sweep.metrics[m].text, width, s.n, mean, stat(s.p50), stat(s.p95),
                           stat(s.p99), stat(s.max));
      }
    }
  };
  for (const PointSummary& p : result.points) block(p, Title(sweep, p));
  if (sweep.minimize) {
    const Parameter& param = sweep.parameters[sweep.minimize->parameter];
    if (result.minimum && result.at_minimum) {
      const std::string line = fmt::format("minimum: {} = {} meets every constraint", param.path,
                                           param.texts[*result.minimum]);
      out += md ? fmt::format("\n**{}**\n", Escape(line)) : fmt::format("\n{}\n", line);
    } else {
      const std::string line =
          fmt::format("minimum: no value of {} from {} to {} meets every constraint", param.path,
                      sweep.minimize->from, sweep.minimize->to);
      out += md ? fmt::format("\n**{}**\n", Escape(line)) : fmt::format("\n{}\n", line);
    }
  }
  return out;
}

}  // namespace kubesim::sweep
