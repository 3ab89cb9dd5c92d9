// The timeline as a script runs it: steps at fixed times, and chains of steps
// each of which starts when the one before it has finished — at once after
// an ordinary kubectl command, when its condition holds after a blocking one
// (`rollout status`, `wait`), when its time is up after a `sleep:`. A step
// that fails (a timeout, kubectl's exit 1) ends its chain: the steps after
// it never run, as `set -e` stops a CI script. See docs/scenario-format.md
// (3.7, 5.2) and docs/metrics.md ("timeline").
#ifndef KUBESIM_SIM_CLUSTER_SCRIPT_H_
#define KUBESIM_SIM_CLUSTER_SCRIPT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class ApiServer;

class Script {
 public:
  Script(Store& store, Context& ctx, ApiServer& api);

  // Schedules the steps with a fixed time and the first step if chained.
  void Begin();
  // kStep: step `index` starts.
  void Run(uint32_t index);
  // kStepDeadline: a blocking step's --timeout, or a sleep's end.
  void Deadline(uint32_t index);
  // At the end of every instant: the waiting steps whose condition now
  // holds (or has failed) finish.
  void CheckWaits();
  // Whether a step is still to run or to finish.
  bool Pending() const { return unfinished_ > 0; }
  // The latest time a step started or finished.
  SimTime LastActivity() const { return last_activity_; }
  // Each chained or blocking step's outcome, to the observers.
  void Report() const;

 private:
  enum class State : uint8_t { kNotReached, kWaiting, kOk, kFailed, kTimeout, kSkipped };
  struct StepRun {
    State state = State::kNotReached;
    std::optional<SimTime> started, finished;
    std::optional<int32_t> follower;  // the chained step after it
    EventId deadline;
    std::vector<uint32_t> pods;  // wait --for=condition=Ready: the pods it waits for
  };
  // Whether a waiting step's condition holds: true, false (wait on), or an
  // error kubectl would exit 1 with.
  struct Check {
    bool done = false;
    std::optional<std::string> error;
    std::string waiting_for;  // a pod not Ready yet: "pods/NAME"
  };
  // Runs step `index`; the follower to run next in this same event, if the
  // step finished at once and has one.
  std::optional<uint32_t> Start(uint32_t index);
  // "step/N": the object kubectl's output is logged under.
  std::string StepLabel(uint32_t index) const;
  Check Evaluate(uint32_t index);
  // `schedule`: queue its follower (false: the caller runs it).
  void Finish(uint32_t index, State state, const std::string& message, bool schedule = true);
  void Schedule(uint32_t index);

  Store& store_;
  Context& ctx_;
  ApiServer& api_;
  std::vector<StepRun> runs_;
  std::vector<uint32_t> waiting_;  // step indexes, in the order they started
  int64_t unfinished_ = 0;
  SimTime last_activity_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_SCRIPT_H_
