// See server_queue.h and docs/load-model.md.
#include "server_queue.h"

#include <algorithm>
#include <cassert>
#include <functional>
#include <iterator>
#include <utility>

namespace kubesim::cluster {

std::optional<SimTime> ServerQueue::Admit(SimTime now, SimDuration service) {
  assert(active());
  if (servers_ <= 0) return now;  // unlimited: no one ever waits
  if (used_ < servers_) {
    // A server never used so far.
    if (servers_ > kInline) more_.push_back(SimTime::Zero());
    SimTime* const h = heap();  // after the push_back, which may move more_
    h[used_++] = now + service;
    std::push_heap(h, h + used_, std::greater<>());
    return now;
  }
  // FIFO: the request takes the server that frees first, when it does.
  SimTime* const h = heap();
  const SimTime earliest = h[0];
  SimTime start = now;
  if (earliest > now) {
    // (Waiting also drops the started ones: the list holds only those still waiting.)
    const int64_t waiting = Waiting(now);
    if (room_ >= 0 && waiting >= room_) return std::nullopt;  // 503
    start = earliest;
    waiting_.push_back(start);
  }
  // The earliest server's next free time replaces it: sift it down.
  const SimTime next = start + service;
  size_t i = 0;
  const auto n = static_cast<size_t>(used_);
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && h[child + 1] < h[child]) ++child;
    if (!(h[child] < next)) break;
    h[i] = h[child];
    i = child;
  }
  h[i] = next;
  return start;
}

int64_t ServerQueue::Waiting(SimTime now) {
  while (waiting_head_ < waiting_.size() && waiting_[waiting_head_] <= now) ++waiting_head_;
  if (waiting_head_ == waiting_.size()) {
    waiting_.clear();
    waiting_head_ = 0;
  } else if (waiting_head_ >= 1024 && 2 * waiting_head_ >= waiting_.size()) {
    // Drop the started ones, in amortised O(1) per request.
    waiting_.erase(waiting_.begin(), waiting_.begin() + static_cast<std::ptrdiff_t>(waiting_head_));
    waiting_head_ = 0;
  }
  return static_cast<int64_t>(waiting_.size() - waiting_head_);
}

SimDuration ServerQueue::Reset(SimTime now, std::vector<SimTime>* busy_until) {
  SimDuration undone;
  const SimTime* const h = heap();
  for (int32_t i = 0; i < used_; ++i) {
    if (h[i] <= now) continue;
    undone += h[i] - now;
    if (busy_until != nullptr) busy_until->push_back(h[i]);
  }
  used_ = 0;
  more_.clear();
  waiting_.clear();
  waiting_head_ = 0;
  return undone;
}

namespace {

constexpr int64_t kSecond = 1'000'000;

// A step function given by its changes (time, delta), sorted by time; its
// exact integral over [a, b) for nondecreasing a: a walk, O(changes +
// queries), in integers (level x µs stays far below 2^63).
class StepIntegral {
 public:
  explicit StepIntegral(const std::vector<std::pair<int64_t, int64_t>>& changes) : c_(changes) {}
  int64_t Over(int64_t a, int64_t b) {
    while (i_ < c_.size() && c_[i_].first <= a) level_ += c_[i_++].second;
    int64_t sum = 0, t = a, level = level_;
    for (size_t j = i_; j < c_.size() && c_[j].first < b; ++j) {
      sum += level * (c_[j].first - t);
      t = c_[j].first;
      level += c_[j].second;
    }
    return sum + level * (b - t);
  }

 private:
  const std::vector<std::pair<int64_t, int64_t>>& c_;
  size_t i_ = 0;
  int64_t level_ = 0;
};

int64_t FloorSecond(int64_t us) {
  return us >= 0 ? us / kSecond : -((-us + kSecond - 1) / kSecond);
}

}  // namespace

void UtilizationMeter::AddServers(SimTime now, int64_t servers) {
  servers_.push_back({now, servers});
}

int64_t& UtilizationMeter::BusyAt(int64_t second) {
  // Work is added when a request is admitted, for the seconds from its
  // start on: nearly always at or after the last second held.
  if (!busy_.empty()) {
    const auto last = std::prev(busy_.end());
    if (last->first == second) return last->second;
    if (last->first < second) return busy_.emplace_hint(busy_.end(), second, 0)->second;
  }
  return busy_[second];
}

void UtilizationMeter::AddBusyAcross(int64_t a, int64_t b, int64_t weight) {
  if (a >= b) return;
  if (b / kSecond - a / kSecond > kLongSeconds) {
    long_busy_.push_back({SimTime::FromMicros(a), weight});
    long_busy_.push_back({SimTime::FromMicros(b), -weight});
    return;
  }
  while (a < b) {
    const int64_t second = a / kSecond;
    // (The last second before SimTime::Max() ends at b: no overflow.)
    const int64_t stop = second < INT64_MAX / kSecond ? std::min(b, (second + 1) * kSecond) : b;
    int64_t& busy = BusyAt(second);
    busy += weight * (stop - a);
    last_from_ = second * kSecond;
    last_ = &busy;
    a = stop;
  }
}

std::optional<double> UtilizationMeter::Peak(SimTime end) const {
  if (servers_.empty()) return std::nullopt;
  // Whole seconds only: the run's last, cut short at `end`, would count
  // work done after it against servers counted only up to it.
  const int64_t whole = std::max<int64_t>(end.micros() / kSecond, 1);
  std::vector<std::pair<int64_t, int64_t>> servers, longs;
  for (const Change& c : servers_) servers.emplace_back(c.at.micros(), c.delta);
  for (const Change& c : long_busy_) longs.emplace_back(c.at.micros(), c.delta);
  std::sort(longs.begin(), longs.end());
  // Seconds whose share is computed exactly: those short work touched, and
  // those holding a change of either step function (servers, long work).
  std::vector<int64_t> exact;
  for (const auto& [second, busy] : busy_) exact.push_back(second);
  for (const auto& c : servers) exact.push_back(FloorSecond(c.first));
  for (const auto& c : longs) exact.push_back(FloorSecond(c.first));
  std::sort(exact.begin(), exact.end());
  exact.erase(std::unique(exact.begin(), exact.end()), exact.end());
  double peak = 0.0;
  {
    StepIntegral available(servers), long_work(longs);
    for (const int64_t second : exact) {
      if (second < 0) continue;
      if (second >= whole) break;
      const int64_t a = second * kSecond, b = a + kSecond;
      const auto it = busy_.find(second);
      const int64_t busy = (it == busy_.end() ? 0 : it->second) + long_work.Over(a, b);
      const int64_t avail = available.Over(a, b);
      if (avail > 0) {
        peak = std::max(peak, static_cast<double>(busy) / static_cast<double>(avail));
      }
    }
  }
  // The other whole seconds lie strictly between two changes, where both
  // step functions are constant: only long work, if any, is busy there, so
  // each such stretch has one share, counted if a second of it holds no
  // short work (a second that does was computed above).
  if (!longs.empty()) {
    std::vector<int64_t> points;
    for (const auto& c : servers) points.push_back(c.first);
    for (const auto& c : longs) points.push_back(c.first);
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    size_t si = 0, li = 0;
    int64_t servers_now = 0, long_now = 0;
    for (size_t i = 0; i < points.size(); ++i) {
      while (si < servers.size() && servers[si].first <= points[i]) {
        servers_now += servers[si++].second;
      }
      while (li < longs.size() && longs[li].first <= points[i]) long_now += longs[li++].second;
      if (servers_now <= 0 || long_now <= 0) continue;
      // Whole seconds after the one holding points[i] and before the one
      // holding the next point (or the end).
      const int64_t first = FloorSecond(points[i]) + 1;
      int64_t last = whole - 1;
      if (i + 1 < points.size()) last = std::min(last, FloorSecond(points[i + 1]) - 1);
      if (first > last) continue;
      const auto lo = busy_.lower_bound(first);
      const auto hi = busy_.upper_bound(last);
      if (std::distance(lo, hi) > last - first) continue;  // short work in every one
      peak = std::max(peak, static_cast<double>(long_now) / static_cast<double>(servers_now));
    }
  }
  return peak;
}

}  // namespace kubesim::cluster
