// See server_queue.h and docs/load-model.md.
#include "server_queue.h"

#include <algorithm>
#include <functional>

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

void UtilizationMeter::Spread(std::vector<int64_t>& per_second, SimTime from, SimTime to,
                              int64_t weight) {
  constexpr int64_t kSecond = 1'000'000;
  int64_t a = from.micros();
  const int64_t b = to.micros();
  while (a < b) {
    const int64_t second = a / kSecond;
    const int64_t end = std::min(b, (second + 1) * kSecond);
    if (per_second.size() <= static_cast<size_t>(second)) per_second.resize(second + 1, 0);
    per_second[second] += weight * (end - a);
    a = end;
  }
}

void UtilizationMeter::Advance(SimTime now) {
  if (now > since_ && servers_ != 0) Spread(available_, since_, now, servers_);
  since_ = std::max(since_, now);
}

void UtilizationMeter::AddServers(SimTime now, int64_t servers) {
  Advance(now);
  servers_ += servers;
  any_ = true;
}

void UtilizationMeter::AddBusy(SimTime from, SimTime to, int64_t weight) {
  Spread(busy_, from, to, weight);
}

std::optional<double> UtilizationMeter::Peak(SimTime end) const {
  if (!any_) return std::nullopt;
  // The servers available since the last change, up to `end`, not yet in available_.
  std::vector<int64_t> tail;
  if (end > since_ && servers_ != 0) Spread(tail, since_, end, servers_);
  // Whole seconds only: the run's last, cut short at `end`, would count
  // work done after it against servers counted only up to it.
  const auto whole = static_cast<size_t>(std::max<int64_t>(end.micros() / 1'000'000, 1));
  const size_t seconds = std::min({busy_.size(), std::max(available_.size(), tail.size()), whole});
  double peak = 0.0;
  for (size_t k = 0; k < seconds; ++k) {
    const int64_t available =
        (k < available_.size() ? available_[k] : 0) + (k < tail.size() ? tail[k] : 0);
    if (available <= 0) continue;
    peak = std::max(peak, static_cast<double>(busy_[k]) / static_cast<double>(available));
  }
  return peak;
}

}  // namespace kubesim::cluster
