// The controllers' shared context; see context.h.
#include "context.h"

#include <fmt/format.h>

#include <algorithm>
#include <iterator>

#include "store.h"

namespace kubesim::cluster {

Context::Context(std::shared_ptr<const scenario::Scenario> scenario, uint64_t seed,
                 uint64_t max_events, uint64_t max_pods, bool check_invariants)
    : scenario_(std::move(scenario)),
      seed_(seed),
      loop_(max_events),
      max_pods_(max_pods),
      check_invariants_(check_invariants) {}

EventId Context::Schedule(SimDuration delay, Phase phase, EventKind kind, uint32_t target,
                          uint64_t payload) {
  return loop_.After(delay, phase, Event{static_cast<uint32_t>(kind), target, payload});
}

SimDuration Context::Draw(const DurationDistribution& d, std::string_view stream,
                          std::string_view key) {
  if (d.is_fixed()) return d.a() < SimDuration::Zero() ? SimDuration::Zero() : d.a();
  // The stream's name in a stack buffer: a draw per pod start and pull.
  fmt::memory_buffer name;
  fmt::format_to(std::back_inserter(name), "{}/{}/{}", stream, key, loop_.Now().micros());
  Rng rng = Rng::Stream(seed_, std::string_view(name.data(), name.size()));
  return d.Draw(rng);
}

void Context::StartLogging() {
  logging_ = check_invariants_ || std::any_of(observers_.begin(), observers_.end(),
                                              [](const Observer* o) { return o->WantsEvents(); });
  pod_states_wanted_ = std::any_of(observers_.begin(), observers_.end(),
                                   [](const Observer* o) { return o->WantsPodStates(); });
}

void Context::PodStateChanged(const Store& store, uint32_t pod) {
  if (!pod_states_wanted_) return;
  const PodInfo info = store.InfoOf(pod);
  for (Observer* o : observers_) o->OnPodState(loop_.Now(), info);
}

void Context::Emit(std::string_view object, std::string_view what) {
  if (!logging_) return;  // no one reads the lines
  for (Observer* o : observers_) o->OnEvent(loop_.Now(), object, what);
  if (check_invariants_) {
    constexpr size_t kRecentEvents = 20;
    std::string line = fmt::format("{}s {} {}", FormatSeconds(loop_.Now(), 3), object, what);
    if (recent_.size() < kRecentEvents) {
      recent_.push_back(std::move(line));
    } else {
      recent_[recent_next_] = std::move(line);
      recent_next_ = (recent_next_ + 1) % kRecentEvents;
    }
  }
}

std::vector<std::string> Context::RecentEvents() const {
  std::vector<std::string> lines;
  for (size_t i = 0; i < recent_.size(); ++i) {
    lines.push_back(recent_[(recent_next_ + i) % recent_.size()]);
  }
  return lines;
}

void EmitPod(Context& ctx, const Store& store, uint32_t pod, std::string_view what) {
  ctx.EmitLazy([&] { return store.PodLabel(pod); }, [&] { return what; });
}

}  // namespace kubesim::cluster
