// Side-by-side comparison of reports; see include/kubesim/output/compare.h.
#include "kubesim/output/compare.h"
#include "kubesim/output/report_writers.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

namespace kubesim::output {
namespace {

using Unit = ComparisonRow::Unit;

std::string HumanSeconds(double s) {
  if (s == 0) return "0s";
  if (s < 1) return fmt::format("{}ms", std::llround(s * 1000));
  const int64_t tenths = std::llround(s * 10);
  const int64_t total = tenths / 10, t = tenths % 10;
  const int64_t h = total / 3600, m = (total / 60) % 60, sec = total % 60;
  std::string out;
  if (h > 0) out += fmt::format("{}h", h);
  if (h > 0 || m > 0) out += fmt::format("{}m", m);
  if (h == 0) out += t ? fmt::format("{}.{}s", sec, t) : fmt::format("{}s", sec);
  return out;
}

std::string Trim(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.size() > 2 && s.substr(s.size() - 2) == ".0") s.resize(s.size() - 2);
  return s;
}

// A share as a percentage a person reads: "0 %", "0.42 %", "12.5 %", "100 %".
std::string Percent(double share) {
  const double p = share * 100;
  if (p == 0 || p == 100) return fmt::format("{} %", std::llround(p));
  if (p < 1) return fmt::format("{:.2f} %", p);
  return fmt::format("{} %", Trim(p));
}

bool Integral(Unit u) { return u == Unit::kCount || u == Unit::kCpuMillis || u == Unit::kBytes; }

// A number for CSV and JSON: counts, millicores and bytes as integers where whole.
std::string CsvNumber(Unit u, double v) {
  if (Integral(u) && v == std::floor(v) && std::fabs(v) < 9e15) {
    return fmt::format("{}", static_cast<int64_t>(v));
  }
  return fmt::format("{}", v);
}
nlohmann::ordered_json JsonNumber(Unit u, std::optional<double> v) {
  if (!v) return nullptr;
  if (Integral(u) && *v == std::floor(*v) && std::fabs(*v) < 9e15) {
    return static_cast<int64_t>(*v);
  }
  return *v;
}

// A statistic for a person: a mean of counts keeps two decimals.
std::string HumanStat(Unit u, double v) {
  if (u == Unit::kCount && v != std::floor(v)) return fmt::format("{:.2f}", v);
  return HumanValue(u, v);
}

// What a cell shows: the value, or over seeds "mean ± ci95, p95 P".
std::string CellText(const ComparisonRow& r, size_t i) {
  if (r.stats.empty() || !r.values[i]) return HumanValue(r.unit, r.values[i]);
  const metrics::Summary& s = r.stats[i];
  return fmt::format("{} ± {}, p95 {}", HumanStat(r.unit, s.mean), HumanStat(r.unit, s.ci95),
                     HumanValue(r.unit, s.p95));
}

}  // namespace

std::optional<double> ComparisonRow::Best() const {
  std::optional<double> best;
  std::set<double> distinct;
  for (const auto& v : values) {
    if (!v) continue;
    distinct.insert(*v);
    if (!best || (higher_is_better ? *v > *best : *v < *best)) best = *v;
  }
  if (distinct.size() < 2) return std::nullopt;
  return best;
}

bool ComparisonRow::IsBest(size_t i) const {
  const auto best = Best();
  return best && i < values.size() && values[i] && *values[i] == *best;
}

std::string HumanValue(Unit unit, std::optional<double> v) {
  if (!v) return "-";
  switch (unit) {
    case Unit::kSeconds: return HumanSeconds(*v);
    case Unit::kCount: return fmt::format("{}", std::llround(*v));
    case Unit::kCpuMillis: return Trim(*v / 1000) + " CPU";
    case Unit::kBoolean: return *v != 0 ? "true" : "false";
    case Unit::kRatio: return Percent(*v);
    case Unit::kBytes: {
      const double mib = *v / (1024.0 * 1024.0);
      return mib >= 1024 ? Trim(mib / 1024) + " GiB" : Trim(mib) + " MiB";
    }
  }
  return "?";
}

Comparison Compare(const std::vector<metrics::Report>& reports) {
  std::vector<std::vector<metrics::Report>> runs;
  std::vector<std::string> titles;
  for (const metrics::Report& r : reports) {
    runs.push_back({r});
    titles.push_back(r.scenario);
  }
  return Compare(runs, titles);
}

Comparison Compare(const std::vector<std::vector<metrics::Report>>& runs,
                   const std::vector<std::string>& titles) {
  using metrics::Scope;
  Comparison c;
  c.scenarios = titles;
  c.seeds = runs.empty() ? 1 : runs[0].size();
  std::set<std::string> services, deployments;
  for (const auto& column : runs) {
    for (const metrics::Report& r : column) {
      for (const auto& s : r.services) services.insert(s.key);
      for (const auto& d : r.deployments) deployments.insert(d.key);
    }
  }
  // The compared metrics of some scopes, in their compare_order.
  const auto compared = [](std::initializer_list<Scope> scopes) {
    std::vector<const metrics::Metric*> out;
    for (const metrics::Metric& m : metrics::Schema()) {
      if (m.compare_order > 0 && std::find(scopes.begin(), scopes.end(), m.scope) != scopes.end()) {
        out.push_back(&m);
      }
    }
    std::stable_sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
      return a->compare_order < b->compare_order;
    });
    return out;
  };
  // A row per metric, read through its path; a row no scenario fills is noise.
  const auto add = [&](const std::string& group, const metrics::Metric& m,
                       const std::string& object, const std::string& prefix) {
    metrics::MetricPath path;
    path.metric = &m;
    path.text = prefix + std::string(m.key);
    path.object = object;
    if (m.scope == Scope::kRollout) path.rollout = metrics::MetricPath::Rollout::kLast;
    ComparisonRow row{group, std::string(m.label), path.text, m.unit, m.higher_is_better, {}, {}};
    bool any = false;
    for (const auto& column : runs) {
      std::vector<double> values;
      for (const metrics::Report& r : column) {
        const std::optional<metrics::Value> v = metrics::Resolve(path, r);
        // A Service that never served has no row values (its request counts too).
        const bool never_served = m.scope == Scope::kService && [&] {
          for (const auto& s : r.services) {
            if (s.key == path.object) return !s.served;
          }
          return true;
        }();
        if (v && !v->is_null() && !never_served) values.push_back(v->number());
      }
      if (c.seeds > 1) {
        row.stats.push_back(metrics::Summarize(values));
        row.values.push_back(values.empty() ? std::nullopt : std::optional(row.stats.back().mean));
      } else {
        row.values.push_back(values.empty() ? std::nullopt : std::optional(values[0]));
      }
      any = any || row.values.back().has_value();
    }
    if (any) c.rows.push_back(std::move(row));
  };
  for (const std::string& key : services) {
    for (const auto* m : compared({Scope::kService})) {
      add("service " + key, *m, key, "services." + key + ".");
    }
  }
  for (const std::string& key : deployments) {
    for (const auto* m : compared({Scope::kDeployment, Scope::kRollout})) {
      add("deployment " + key, *m, key,
          "deployments." + key + (m->scope == Scope::kRollout ? ".lastRollout." : "."));
    }
  }
  for (const auto* m : compared({Scope::kResources})) add("cluster", *m, "", "resources.");
  return c;
}

std::string FormatComparison(const Comparison& c, const std::string& format, bool color) {
  const size_t n = c.scenarios.size();
  std::string out;
  if (format == "json") {
    nlohmann::ordered_json j;
    j["scenarios"] = c.scenarios;
    if (c.seeds > 1) j["seeds"] = c.seeds;
    j["rows"] = nlohmann::ordered_json::array();
    for (const ComparisonRow& r : c.rows) {
      nlohmann::ordered_json values = nlohmann::ordered_json::array();
      for (const auto& v : r.values) values.push_back(JsonNumber(r.unit, v));
      nlohmann::ordered_json row = {{"key", r.key}, {"group", r.group}, {"metric", r.metric},
                                    {"values", values}};
      if (!r.stats.empty()) {
        nlohmann::ordered_json ci = nlohmann::ordered_json::array(), p95 = ci, n = ci;
        for (const metrics::Summary& st : r.stats) {
          ci.push_back(st.n ? nlohmann::ordered_json(st.ci95) : nullptr);
          p95.push_back(st.n ? JsonNumber(r.unit, st.p95) : nullptr);
          n.push_back(st.n);
        }
        row["ci95"] = ci;
        row["p95"] = p95;
        row["n"] = n;
      }
      j["rows"].push_back(std::move(row));
    }
    return j.dump(2) + "\n";
  }
  if (format == "csv") {
    out = "metric";
    for (const std::string& s : c.scenarios) {
      out += fmt::format(",{}", CsvField(s));
      if (c.seeds > 1) out += fmt::format(",{},{}", CsvField(s + " ci95"), CsvField(s + " p95"));
    }
    out += "\n";
    for (const ComparisonRow& r : c.rows) {
      out += CsvField(r.key);
      for (size_t i = 0; i < r.values.size(); ++i) {
        const auto& v = r.values[i];
        out += v ? fmt::format(",{}", CsvNumber(r.unit, *v)) : ",";
        if (!r.stats.empty()) {
          out += v ? fmt::format(",{},{}", r.stats[i].ci95, CsvNumber(r.unit, r.stats[i].p95)) : ",,";
        }
      }
      out += "\n";
    }
    return out;
  }
  if (format == "markdown") {
    out = "| |";
    for (const std::string& s : c.scenarios) out += " " + s + " |";
    out += "\n|---|";
    for (size_t i = 0; i < n; ++i) out += "---:|";
    out += "\n";
    std::string group;
    for (const ComparisonRow& r : c.rows) {
      if (r.group != group) {
        group = r.group;
        out += "| **" + group + "** |" + std::string(n, '|') + "\n";  // n empty cells
      }
      out += "| " + r.metric + " |";
      for (size_t i = 0; i < n; ++i) {
        const std::string v = CellText(r, i);
        out += " " + (r.IsBest(i) ? "**" + v + "**" : v) + " |";
      }
      out += "\n";
    }
    return out;
  }
  // table
  std::vector<size_t> width(n + 1, 0);
  for (const ComparisonRow& r : c.rows) width[0] = std::max(width[0], r.metric.size() + 2);
  for (size_t i = 0; i < n; ++i) {
    width[i + 1] = c.scenarios[i].size();
    for (const ComparisonRow& r : c.rows) {
      width[i + 1] = std::max(width[i + 1], CellText(r, i).size() + 1);
    }
  }
  out += std::string(width[0], ' ');
  for (size_t i = 0; i < n; ++i) out += fmt::format("  {:<{}}", c.scenarios[i], width[i + 1]);
  out += "\n";
  std::string group;
  for (const ComparisonRow& r : c.rows) {
    if (r.group != group) {
      group = r.group;
      out += group + "\n";
    }
    out += fmt::format("  {:<{}}", r.metric, width[0] - 2);
    for (size_t i = 0; i < n; ++i) {
      std::string v = CellText(r, i);
      if (r.IsBest(i)) v += "*";
      const std::string cell = fmt::format("  {:<{}}", v, width[i + 1]);
      out += r.IsBest(i) && color ? "\x1b[1m" + cell + "\x1b[0m" : cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  out += c.seeds > 1 ? fmt::format("\n* best mean in its row; each cell: mean ± 95 % interval, "
                                   "p95, over seeds 1..{}\n",
                                   c.seeds)
                     : "\n* best in its row\n";
  return out;
}

}  // namespace kubesim::output
