// See server_queue.h and docs/load-model.md.
#include "server_queue.h"

#include <algorithm>
#include <functional>
#include <iterator>
#include <utility>

namespace kubesim::cluster {

std::optional<SimTime> ServerQueue::Admit(SimTime now, SimDuration service) {
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
    if (room_ >= 0 && Waiting(now) >= room_) return std::nullopt;  // 503
    start = earliest;
    waiting_.push_back(start);
  }
  std::pop_heap(h, h + used_, std::greater<>());
  h[used_ - 1] = start + service;
  std::push_heap(h, h + used_, std::greater<>());
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

// The integral over [0, t) of a step function given by its changes (sorted
// by time), evaluated at nondecreasing t: a walk, O(changes + queries).
class Integral {
 public:
  explicit Integral(const std::vector<std::pair<int64_t, int64_t>>& changes) : c_(changes) {}
  // REQUIRES: t never decreases between calls.
  double At(int64_t t) {
    while (i_ < c_.size() && c_[i_].first <= t) {
      sum_ += static_cast<double>(level_) * static_cast<double>(c_[i_].first - at_);
      at_ = c_[i_].first;
      level_ += c_[i_].second;
      ++i_;
    }
    return sum_ + static_cast<double>(level_) * static_cast<double>(t - at_);
  }

 private:
  const std::vector<std::pair<int64_t, int64_t>>& c_;
  size_t i_ = 0;
  int64_t at_ = 0, level_ = 0;
  double sum_ = 0;
};

}  // namespace

void UtilizationMeter::AddServers(SimTime now, int64_t servers) {
  servers_.push_back({now, servers});
}

int64_t& UtilizationMeter::BusyAt(int64_t second) {
  // Work is added when a request is admitted, for the seconds from its
  // start on: at or near the end of the list.
  auto it = busy_.end();
  while (it != busy_.begin() && std::prev(it)->first > second) --it;
  if (it != busy_.begin() && std::prev(it)->first == second) return std::prev(it)->second;
  return busy_.insert(it, {second, 0})->second;
}

void UtilizationMeter::AddBusy(SimTime from, SimTime to, int64_t weight) {
  int64_t a = from.micros();
  const int64_t b = to.micros();
  if (a >= b) return;
  if (b / kSecond - a / kSecond > kLongSeconds) {
    long_busy_.push_back({from, weight});
    long_busy_.push_back({to, -weight});
    return;
  }
  while (a < b) {
    const int64_t second = a / kSecond;
    const int64_t stop = std::min(b, (second + 1) * kSecond);
    BusyAt(second) += weight * (stop - a);
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
  double peak = 0.0;
  const auto share = [](double busy, double available) {
    return available > 0 ? busy / available : 0.0;
  };
  // The seconds short work touched, exactly (integrals read in time order).
  {
    Integral available(servers), long_work(longs);
    for (const auto& [second, busy] : busy_) {
      if (second >= whole) break;
      const int64_t a = second * kSecond, b = a + kSecond;
      const double avail_a = available.At(a), long_a = long_work.At(a);
      const double avail_b = available.At(b), long_b = long_work.At(b);
      peak = std::max(peak, share(static_cast<double>(busy) + long_b - long_a, avail_b - avail_a));
    }
  }
  // Seconds only long work touches: between consecutive changes of either
  // step function the share is constant, so each stretch holding a whole
  // second is one candidate (a second with short work too shares more,
  // and was counted above).
  if (!longs.empty()) {
    std::vector<int64_t> points;
    for (const auto& c : servers) points.push_back(c.first);
    for (const auto& c : longs) points.push_back(c.first);
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    size_t si = 0, li = 0;
    int64_t servers_now = 0, long_now = 0;
    for (size_t i = 0; i + 1 < points.size(); ++i) {
      while (si < servers.size() && servers[si].first <= points[i])
        servers_now += servers[si++].second;
      while (li < longs.size() && longs[li].first <= points[i]) long_now += longs[li++].second;
      // The first whole second inside [points[i], points[i + 1]).
      const int64_t first = (points[i] + kSecond - 1) / kSecond;
      if ((first + 1) * kSecond > points[i + 1] || first + 1 > whole) continue;
      peak = std::max(peak, share(static_cast<double>(long_now), static_cast<double>(servers_now)));
    }
  }
  return peak;
}

}  // namespace kubesim::cluster
