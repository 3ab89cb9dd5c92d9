#include "kubesim/output/observers.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <limits>
#include <set>

namespace kubesim::output {

void EventLog::OnEvent(SimTime t, std::string_view object, std::string_view what) {
  text_ += fmt::format("{}s {} {}\n", FormatSeconds(t, 3), object, what);
}

namespace {

constexpr std::array<std::string_view, 5> kStates{"pending", "pulling", "starting", "ready",
                                                  "terminating"};

// The timeline's state columns, in PodState's order (kPending .. kTerminating).
static_assert(static_cast<int>(cluster::PodState::kPending) == 0 &&
              static_cast<int>(cluster::PodState::kPulling) == 1 &&
              static_cast<int>(cluster::PodState::kStarting) == 2 &&
              static_cast<int>(cluster::PodState::kReady) == 3 &&
              static_cast<int>(cluster::PodState::kTerminating) == 4);

}  // namespace

void Timeline::OnStart(const cluster::ClusterView& view) { load_ = view.LoadModel(); }

void Timeline::OnEvent(SimTime t, std::string_view object, std::string_view what) {
  if (object == "kubectl") steps_.emplace_back(t, std::string(what));
}

void Timeline::OnTimelineStep(const cluster::StepOutcome& step) {
  step_entries_.push_back(StepEntry{step.step, std::string(step.text), step.started, step.finished,
                                    std::string(step.result)});
}

void Timeline::OnRolloutStep(SimTime /*t*/, const cluster::RolloutStepInfo& s) {
  // (No step running: both 0.)
  canary_steps_[s.rollout.deployment] = {s.ended ? 0 : s.index + 1, s.ended ? 0 : s.weight};
}

namespace {

int64_t Second(SimTime t) { return t.SinceStart().micros() / 1'000'000; }

}  // namespace

// A failed request: its row is held rather than written (the next failure
// in its second replaces it), at the request's own time — with the load
// model a request ends between instants, and is told before the next one.
void Timeline::OnRequest(SimTime t, const cluster::RequestInfo& r) {
  if (load_) {
    // In flight at the start of second k: sent at or before k, ended after
    // it — from the first whole second at or after `sent` to the last one
    // before its end.
    PerSecond& ps = per_second_[r.service];
    const auto ceil_second = [](SimTime x) {
      return (x.SinceStart().micros() + 999'999) / 1'000'000;
    };
    const int64_t from = ceil_second(r.sent.value_or(t)), to = ceil_second(t);
    if (from < to) {
      ++ps.inflight_change[from];
      --ps.inflight_change[to];
    }
    if (r.ok()) {
      // Told in time order: nearly always the last second held.
      const int64_t second = Second(t);
      auto it = ps.latencies.empty() ? ps.latencies.end() : std::prev(ps.latencies.end());
      if (it == ps.latencies.end() || it->first != second) {
        it = ps.latencies.try_emplace(ps.latencies.end(), second);
      }
      // Microseconds as 4 bytes: a response time of more than 71 minutes
      // counts as 71 minutes here (the report's percentiles keep it whole).
      it->second.push_back(static_cast<uint32_t>(
          std::min<int64_t>(r.latency.micros(), std::numeric_limits<uint32_t>::max())));
    }
  }
  if (r.ok()) return;
  // A held failed-requests row of an earlier second is written first, so
  // that every failure stays in its own second.
  if (pending_ && Second(*pending_) < Second(t)) FlushPending();
  ++failed_[r.service];
  pending_ = t;
  pending_failed_ = failed_;
}

void Timeline::OnEndInstant(const cluster::ClusterView& view) {
  if (!view.Changed()) return;  // nothing a column shows changed (failures are held rows)
  if (pending_ && Second(*pending_) < Second(view.Now())) FlushPending();
  pending_.reset();  // this row carries its counts
  Record(view);
}

void Timeline::FlushPending() {
  if (!pending_) return;
  Row row{*pending_, rows_.empty() ? std::map<std::string, int64_t>{} : rows_.back().values};
  for (const auto& [service, n] : pending_failed_) {
    if (service < failed_keys_.size()) row.values[failed_keys_[service]] = n;
  }
  pending_.reset();
  if (rows_.empty() || rows_.back().values != row.values) rows_.push_back(std::move(row));
}

void Timeline::OnFinish(const cluster::ClusterView& view) {
  FlushPending();
  end_ = view.Now();
  // A last row at the end of the run, so that plots and readers see its end.
  if (rows_.empty() || rows_.back().time < end_)
    rows_.push_back(
        Row{end_, rows_.empty() ? std::map<std::string, int64_t>{} : rows_.back().values});
  if (load_) AddPerSecond(view);
}

// The load model's per-second columns. Per Service, they are a step
// function of the second: it changes only at the seconds where a request
// was sent or ended (in flight) or was answered (percentiles), and the
// second after one that answered (back to 0). A row goes in at each such
// whole second (the state of the row before it, so that memory and rows
// grow with the requests, not with simulated time), and every row gets the
// values of its second.
void Timeline::AddPerSecond(const cluster::ClusterView& view) {
  const int64_t last = Second(end_);
  // Nearest rank, as the report's percentiles (docs/metrics.md).
  const auto percentile = [](std::vector<uint32_t>& v, double q) -> int64_t {
    if (v.empty()) return 0;
    const auto rank = static_cast<size_t>(std::ceil(q * static_cast<double>(v.size())));
    const auto nth = v.begin() + static_cast<std::ptrdiff_t>(std::max<size_t>(rank, 1) - 1);
    std::nth_element(v.begin(), nth, v.end());
    return *nth;
  };
  struct Point {
    int64_t second, inflight, p50, p99;
  };
  struct Series {
    std::string inflight, p50, p99;  // column names
    std::vector<Point> points;       // by second: each holds until the next
  };
  std::vector<Series> all;
  std::set<int64_t> seconds;  // where some Service's values change
  for (auto& [service, ps] : per_second_) {
    if (service >= view.ServiceCount()) continue;
    const std::string key(view.ServiceKey(service));
    Series series{"inflight/" + key, "latencyP50/" + key, "latencyP99/" + key, {}};
    std::set<int64_t> at;
    for (const auto& [k, change] : ps.inflight_change) at.insert(k);
    for (const auto& [k, samples] : ps.latencies) {
      at.insert(k);
      at.insert(k + 1);
    }
    int64_t running = 0;
    auto change = ps.inflight_change.begin();
    for (const int64_t k : at) {
      if (k > last) break;
      for (; change != ps.inflight_change.end() && change->first <= k; ++change) {
        running += change->second;
      }
      Point p{k, running, 0, 0};
      if (auto l = ps.latencies.find(k); l != ps.latencies.end()) {
        p.p50 = percentile(l->second, 0.50);
        p.p99 = percentile(l->second, 0.99);
      }
      series.points.push_back(p);
      seconds.insert(k);
    }
    all.push_back(std::move(series));
  }
  // The rows at those seconds.
  std::vector<Row> rows;
  rows.reserve(rows_.size() + seconds.size());
  size_t i = 0;
  for (const int64_t k : seconds) {
    const SimTime at = SimTime::Zero() + SimDuration::Seconds(k);
    while (i < rows_.size() && rows_[i].time < at) rows.push_back(std::move(rows_[i++]));
    if (i == rows_.size() || rows_[i].time != at) {
      rows.push_back(Row{at, rows.empty() ? std::map<std::string, int64_t>{} : rows.back().values});
    }
  }
  while (i < rows_.size()) rows.push_back(std::move(rows_[i++]));
  rows_ = std::move(rows);
  for (const Series& series : all) {
    size_t p = 0;  // the last point at or before the row's second
    for (Row& r : rows_) {
      const int64_t k = Second(r.time);
      while (p < series.points.size() && series.points[p].second <= k) ++p;
      const Point none{k, 0, 0, 0};
      const Point& v = p == 0 ? none : series.points[p - 1];
      r.values[series.inflight] = v.inflight;
      // The percentiles hold for their own second only.
      const bool own = v.second == k;
      r.values[series.p50] = own ? v.p50 : 0;
      r.values[series.p99] = own ? v.p99 : 0;
    }
  }
}

void Timeline::Record(const cluster::ClusterView& view) {
  // Only the pods that changed move between counts.
  if (pod_groups_.size() < view.PodCount()) pod_groups_.resize(view.PodCount());
  for (uint32_t id : view.ChangedPods()) {
    const cluster::PodInfo p = view.PodAt(id);
    PodGroup& pg = pod_groups_[id];
    if (pg.state >= 0)
      --groups_[static_cast<size_t>(pg.group)].counts[static_cast<size_t>(pg.state)];
    pg.state = -1;
    if (pg.group < 0 || pg.version != p.version) {
      // Every state's column exists from the pod's creation on (value 0).
      const std::string owner = p.owner.empty() ? std::string(p.name) : std::string(p.owner);
      std::string prefix = fmt::format("pods/{}/{}/", owner, p.version);
      auto it = group_index_.find(prefix);
      if (it == group_index_.end()) {
        it = group_index_.emplace(prefix, static_cast<int32_t>(groups_.size())).first;
        groups_.push_back(Group{std::move(prefix), {}});
      }
      pg.group = it->second;
      pg.version = std::string(p.version);
    }
    if (p.state == cluster::PodState::kGone) continue;
    const auto state = static_cast<size_t>(p.state);  // kPending .. kTerminating: 0 .. 4
    if (state < kStates.size()) {
      ++groups_[static_cast<size_t>(pg.group)].counts[state];
      pg.state = static_cast<int32_t>(state);
    }
  }
  std::map<std::string, int64_t> row;
  for (const auto& [d, step] : canary_steps_) {
    const std::string key(view.DeploymentKey(d));
    row.emplace("step/" + key, step.first);
    row.emplace("weight/" + key, step.second);
  }
  for (const Group& g : groups_) {
    for (size_t k = 0; k < kStates.size(); ++k) {
      row.emplace(g.prefix + std::string(kStates[k]), g.counts[k]);
    }
  }
  if (failed_keys_.size() < view.ServiceCount()) {
    for (uint32_t s = static_cast<uint32_t>(failed_keys_.size()); s < view.ServiceCount(); ++s) {
      failed_keys_.push_back(fmt::format("failed/{}", view.ServiceKey(s)));
    }
  }
  for (uint32_t s = 0; s < view.ServiceCount(); ++s) {
    const std::string key(view.ServiceKey(s));
    int64_t serving = 0;
    std::map<std::string_view, int64_t> by_version;
    for (const cluster::EndpointInfo& e : view.VisibleEndpoints(s)) {
      ++by_version[e.version];
      serving += e.serving ? 1 : 0;
    }
    for (const auto& [version, n] : by_version)
      row[fmt::format("endpoints/{}/{}", key, version)] = n;
    row[fmt::format("serving/{}", key)] = serving;
    auto it = failed_.find(s);
    row[failed_keys_[s]] = it == failed_.end() ? 0 : it->second;
  }
  // Columns once seen stay (an endpoints/ column that drops to 0, say).
  if (!rows_.empty()) {
    for (const auto& [k, v] : rows_.back().values) row.try_emplace(k, 0);
  }
  if (!rows_.empty() && rows_.back().values == row) return;
  if (!rows_.empty() && rows_.back().time == view.Now()) {
    rows_.back().values = std::move(row);
    return;
  }
  rows_.push_back(Row{view.Now(), std::move(row)});
}

std::vector<std::string> Timeline::Columns() const {
  std::set<std::string> all;
  for (const Row& r : rows_) {
    for (const auto& [k, v] : r.values) all.insert(k);
  }
  // pods/ columns: by owner and version, the states in their life's order.
  const auto state_rank = [](const std::string& c) {
    const std::string_view st = std::string_view(c).substr(c.rfind('/') + 1);
    return static_cast<size_t>(std::find(kStates.begin(), kStates.end(), st) - kStates.begin());
  };
  std::vector<std::string> pods;
  for (const std::string& c : all) {
    if (c.starts_with("pods/")) pods.push_back(c);
  }
  std::sort(pods.begin(), pods.end(), [&](const std::string& a, const std::string& b) {
    const std::string_view pa = std::string_view(a).substr(0, a.rfind('/'));
    const std::string_view pb = std::string_view(b).substr(0, b.rfind('/'));
    if (pa != pb) return pa < pb;
    return state_rank(a) < state_rank(b);
  });
  std::vector<std::string> out = std::move(pods);
  for (const char* group : {"endpoints/", "serving/", "failed/", "inflight/", "latencyP50/",
                            "latencyP99/", "step/", "weight/"}) {
    for (const std::string& c : all) {
      if (c.starts_with(group)) out.push_back(c);
    }
  }
  return out;
}

std::string Timeline::Csv() const {
  const std::vector<std::string> columns = Columns();
  std::string out = "time";
  for (const std::string& c : columns) out += "," + c;
  out += "\n";
  for (const Row& r : rows_) {
    out += FormatSeconds(r.time, 6);
    for (const std::string& c : columns) {
      auto it = r.values.find(c);
      const int64_t v = it == r.values.end() ? 0 : it->second;
      if (c.starts_with("latencyP")) {  // microseconds, written in seconds
        out += fmt::format(",{}.{:06}", v / 1'000'000, v % 1'000'000);
      } else {
        out += fmt::format(",{}", v);
      }
    }
    out += "\n";
  }
  return out;
}

}  // namespace kubesim::output
