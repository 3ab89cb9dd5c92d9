#include "kubesim/output/progress.h"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

namespace kubesim::output {

Progress::Progress(std::string label, std::optional<SimDuration> until, Writer write, Clock clock)
    : label_(std::move(label)),
      until_(until),
      write_(std::move(write)),
      clock_(std::move(clock)),
      started_(clock_()) {}

void Progress::OnEndInstant(const cluster::ClusterView& view) {
  if (--countdown_ != 0) return;
  countdown_ = kInstantsPerLook;
  const auto now = clock_();
  if (now - started_ < kFirstAfter) return;
  if (drawn_ && now - drawn_at_ < kRedrawEvery) return;
  const SimDuration simulated = view.Now() - SimTime::Zero();
  std::string line = fmt::format("\r{}: simulated {}", label_, FormatDuration(simulated));
  if (until_ && *until_ > SimDuration::Zero()) {
    const double share = std::min(1.0, simulated.seconds() / until_->seconds());
    line += fmt::format(" of {} ({}%)", FormatDuration(*until_), static_cast<int>(share * 100));
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
