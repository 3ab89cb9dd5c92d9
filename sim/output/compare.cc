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
    case Unit::kBytes: {
      const double mib = *v / (1024.0 * 1024.0);
      return mib >= 1024 ? Trim(mib / 1024) + " GiB" : Trim(mib) + " MiB";
    }
  }
  return "?";
}

Comparison Compare(const std::vector<metrics::Report>& reports) {
  Comparison c;
  for (const metrics::Report& r : reports) c.scenarios.push_back(r.scenario);
  std::set<std::string> services, deployments;
  for (const metrics::Report& r : reports) {
    for (const auto& s : r.services) services.insert(s.key);
    for (const auto& d : r.deployments) deployments.insert(d.key);
  }
  auto add = [&](std::string group, std::string metric, std::string key, Unit unit, bool higher,
                 auto value_of) {
    ComparisonRow row{std::move(group), std::move(metric), std::move(key), unit, higher, {}};
    bool any = false;
    for (const metrics::Report& r : reports) {
      row.values.push_back(value_of(r));
      any = any || row.values.back().has_value();
    }
    if (any) c.rows.push_back(std::move(row));  // a row no scenario fills is noise
  };
  for (const std::string& key : services) {
    auto find = [key](const metrics::Report& r) -> const metrics::ServiceReport* {
      for (const auto& s : r.services) {
        if (s.key == key && s.served) return &s;
      }
      return nullptr;
    };
    const std::string g = "service " + key, k = "services." + key + ".";
    add(g, "downtime", k + "downtimeSeconds", Unit::kSeconds, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* s = find(r)) return s->downtime.seconds();
          return std::nullopt;
        });
    add(g, "degraded time", k + "degradedSeconds", Unit::kSeconds, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* s = find(r)) return s->degraded.seconds();
          return std::nullopt;
        });
    add(g, "version-mix time", k + "versionMixSeconds", Unit::kSeconds, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* s = find(r)) return s->version_mix.seconds();
          return std::nullopt;
        });
    add(g, "failed requests", k + "requests.failed", Unit::kCount, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* s = find(r)) return static_cast<double>(s->requests.failed);
          return std::nullopt;
        });
  }
  for (const std::string& key : deployments) {
    auto last = [key](const metrics::Report& r) -> const metrics::RolloutReport* {
      for (const auto& d : r.deployments) {
        if (d.key == key && !d.rollouts.empty()) return &d.rollouts.back();
      }
      return nullptr;
    };
    const std::string g = "deployment " + key, k = "deployments." + key + ".lastRollout.";
    add(g, "rollout duration", k + "durationSeconds", Unit::kSeconds, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* ro = last(r); ro && ro->duration()) return ro->duration()->seconds();
          return std::nullopt;
        });
    add(g, "min available", k + "minAvailablePods", Unit::kCount, true,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* ro = last(r)) return ro->min_available_pods;
          return std::nullopt;
        });
    add(g, "peak active pods", k + "peakActivePods", Unit::kCount, false,
        [&](const metrics::Report& r) -> std::optional<double> {
          if (auto* ro = last(r)) return ro->peak_active_pods;
          return std::nullopt;
        });
  }
  add("cluster", "peak pods", "resources.peakPods", Unit::kCount, false,
      [](const metrics::Report& r) -> std::optional<double> {
        return static_cast<double>(r.resources.peak_pods);
      });
  add("cluster", "peak CPU", "resources.peakCpuMillis", Unit::kCpuMillis, false,
      [](const metrics::Report& r) -> std::optional<double> {
        return static_cast<double>(r.resources.peak_cpu_millis);
      });
  add("cluster", "peak memory", "resources.peakMemoryBytes", Unit::kBytes, false,
      [](const metrics::Report& r) -> std::optional<double> {
        return static_cast<double>(r.resources.peak_memory_bytes);
      });
  return c;
}

std::string FormatComparison(const Comparison& c, const std::string& format, bool color) {
  const size_t n = c.scenarios.size();
  std::string out;
  if (format == "json") {
    nlohmann::ordered_json j;
    j["scenarios"] = c.scenarios;
    j["rows"] = nlohmann::ordered_json::array();
    for (const ComparisonRow& r : c.rows) {
      nlohmann::ordered_json values = nlohmann::ordered_json::array();
      for (const auto& v : r.values) values.push_back(v ? nlohmann::ordered_json(*v) : nullptr);
      j["rows"].push_back({{"key", r.key}, {"group", r.group}, {"metric", r.metric},
                           {"values", values}});
    }
    return j.dump(2) + "\n";
  }
  if (format == "csv") {
    out = "metric";
    for (const std::string& s : c.scenarios) out += "," + CsvField(s);
    out += "\n";
    for (const ComparisonRow& r : c.rows) {
      out += CsvField(r.key);
      for (const auto& v : r.values) out += v ? fmt::format(",{}", *v) : ",";
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
        const std::string v = HumanValue(r.unit, r.values[i]);
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
      width[i + 1] = std::max(width[i + 1], HumanValue(r.unit, r.values[i]).size() + 1);
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
      std::string v = HumanValue(r.unit, r.values[i]);
      if (r.IsBest(i)) v += "*";
      const std::string cell = fmt::format("  {:<{}}", v, width[i + 1]);
      out += r.IsBest(i) && color ? "\x1b[1m" + cell + "\x1b[0m" : cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    out += "\n";
  }
  out += "\n* best in its row\n";
  return out;
}

}  // namespace kubesim::output
