// Progress: a one-line status of a long run, for a person at a terminal.
//
// The model: an observer that, once a run has taken more than a second of
// wall time, redraws one line — "FILE: simulated 2h13m0s of 87600h0m0s (3%)
// 1.2M events/s  ETA 4m10s" (whole simulated seconds; no share and no ETA
// when the end is not known in advance) — at most four times a
// second, with a carriage return and erase-to-end-of-line, and erases it when
// the run ends. It looks at the wall clock only every 4,096 instants, so it
// costs nothing measurable. The CLI attaches it only when stderr is a
// terminal and --quiet is not given: pipes, files and CI logs never see it.
#ifndef KUBESIM_OUTPUT_PROGRESS_H_
#define KUBESIM_OUTPUT_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "kubesim/cluster/observer.h"
#include "kubesim/engine/time.h"

namespace kubesim::output {

class Progress final : public cluster::Observer {
 public:
  bool WantsEvents() const override { return false; }
  bool WantsPodStates() const override { return false; }
  using Clock = std::function<std::chrono::steady_clock::time_point()>;
  using Writer = std::function<void(std::string_view)>;

  // `label` starts the line (the scenario file); `until` is where the run
  // stops, if known. `write` gets the text to draw; `clock` tells wall time.
  Progress(std::string label, std::optional<SimDuration> until, Writer write,
           Clock clock = [] { return std::chrono::steady_clock::now(); });

  void OnEndInstant(const cluster::ClusterView& view) override;
  void OnFinish(const cluster::ClusterView& view) override;
  // Erases the line if one is drawn (also done by OnFinish).
  void Clear();

  static constexpr uint32_t kInstantsPerLook = 4096;
  static constexpr std::chrono::milliseconds kFirstAfter{1000};
  static constexpr std::chrono::milliseconds kRedrawEvery{250};

 private:
  std::string label_;
  std::optional<SimDuration> until_;
  Writer write_;
  Clock clock_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point drawn_at_;
  uint32_t countdown_ = kInstantsPerLook;
  bool drawn_ = false;
};

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_PROGRESS_H_
