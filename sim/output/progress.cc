#include "kubesim/output/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <utility>

namespace kubesim::output {

Progress::Progress(std::string label, std::optional<SimDuration> until, Writer write, Clock clock)
    : label_(std::move(label)),
      until_(until),
      write_(std::move(write)),
      clock_(std::move(clock)),
      started_(clock_()) {}

namespace {

// "950", "350k", "1.2M": a rate for a person.
std::string Rate(double per_second) {
  if (per_second >= 1e6) return fmt::format("{:.1f}M", per_second / 1e6);
  if (per_second >= 1e3) return fmt::format("{:.0f}k", per_second / 1e3);
  return fmt::format("{:.0f}", per_second);
}

}  // namespace

void Progress::OnEndInstant(const cluster::ClusterView& view) {
  if (--countdown_ != 0) return;
  countdown_ = kInstantsPerLook;
  const auto now = clock_();
  if (now - started_ < kFirstAfter) return;
  if (drawn_ && now - drawn_at_ < kRedrawEvery) return;
  const SimDuration simulated = view.Now() - SimTime::Zero();
  // Whole simulated seconds: a person reads "2h13m0s", not "2h13m0.661702s".
  const SimDuration whole = SimDuration::Seconds(simulated.micros() / 1'000'000);
  std::string line = fmt::format("\r{}: simulated {}", label_, FormatDuration(whole));
  const double wall = std::chrono::duration<double>(now - started_).count();
  if (until_ && *until_ > SimDuration::Zero()) {
    const double share = std::min(1.0, simulated.seconds() / until_->seconds());
    line += fmt::format(" of {} ({}%)", FormatDuration(*until_), static_cast<int>(share * 100));
  }
  line += fmt::format("  {} events/s", Rate(static_cast<double>(view.EventsFired()) / wall));
  if (until_ && simulated > SimDuration::Zero() && *until_ > simulated) {
    // Simulated time so far per wall second, carried over the rest.
    const double left = (*until_ - simulated).seconds() * wall / simulated.seconds();
    const auto s = static_cast<int64_t>(left + 0.5);
    line += s < 60     ? fmt::format("  ETA {}s", s)
            : s < 3600 ? fmt::format("  ETA {}m{}s", s / 60, s % 60)
                       : fmt::format("  ETA {}h{}m", s / 3600, (s / 60) % 60);
  }
  write_(line + "\x1b[K");
  drawn_ = true;
  drawn_at_ = now;
}

void Progress::OnFinish(const cluster::ClusterView& /*view*/) { Clear(); }

void Progress::Clear() {
  if (!drawn_) return;
  write_("\r\x1b[K");
  drawn_ = false;
}

}  // namespace kubesim::output
