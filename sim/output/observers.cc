#include "kubesim/output/observers.h"

#include <fmt/format.h>

#include <set>

namespace kubesim::output {

void EventLog::OnEvent(SimTime t, std::string_view object, std::string_view what) {
  text_ += fmt::format("{}s {} {}\n", FormatSeconds(t, 3), object, what);
}

void Timeline::OnRequest(SimTime /*t*/, uint32_t service, std::optional<uint32_t> /*pod*/,
                         std::string_view /*version*/, bool ok) {
  if (!ok) ++failed_[service];
}

void Timeline::OnEndInstant(const cluster::ClusterView& view) {
  std::map<std::string, int64_t> row;
  for (uint32_t id = 0; id < view.PodCount(); ++id) {
    const cluster::PodInfo p = view.PodAt(id);
    if (p.state == cluster::PodState::kGone) continue;
    std::string state(cluster::PodStateName(p.state));
    for (char& c : state) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string owner = p.owner.empty() ? std::string(p.name) : std::string(p.owner);
    ++row[fmt::format("pods/{}/{}/{}", owner, p.version, state)];
  }
  for (uint32_t s = 0; s < view.ServiceCount(); ++s) {
    for (const cluster::EndpointInfo& e : view.VisibleEndpoints(s)) {
      ++row[fmt::format("endpoints/{}/{}", view.ServiceKey(s), e.version)];
    }
    if (auto it = failed_.find(s); it != failed_.end()) {
      row[fmt::format("failed/{}", view.ServiceKey(s))] = it->second;
    }
  }
  if (!rows_.empty() && rows_.back().second == row) return;
  if (!rows_.empty() && rows_.back().first == view.Now()) {
    rows_.back().second = std::move(row);
    return;
  }
  rows_.emplace_back(view.Now(), std::move(row));
}

std::string Timeline::Csv() const {
  std::set<std::string> columns;
  for (const auto& [t, row] : rows_) {
    for (const auto& [k, v] : row) columns.insert(k);
  }
  std::string out = "time";
  for (const std::string& c : columns) out += "," + c;
  out += "\n";
  for (const auto& [t, row] : rows_) {
    out += FormatSeconds(t, 6);
    for (const std::string& c : columns) {
      auto it = row.find(c);
      out += fmt::format(",{}", it == row.end() ? 0 : it->second);
    }
    out += "\n";
  }
  return out;
}

}  // namespace kubesim::output
