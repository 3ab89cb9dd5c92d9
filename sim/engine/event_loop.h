// EventLoop: the clock and the pending events of one simulation, and the loop
// that fires them.
//
// The model: Now() starts at t=0 and only moves forward, to the time of each
// event as it fires. Components schedule events At() an absolute time or
// After() a delay, in a phase (see event_queue.h for the order), and may
// Cancel() them. RunUntil(t, handler) fires, in order, every event due at or
// before t, handing each to `handler`; when an instant is over (the next event
// is later, or none is left) it calls handler.EndInstant(now) if the handler
// has one, so observers see the state after the instant, never in between
// (docs/scenario-format.md). Then the clock stands at t.
//
// The handler is any type with `void Fire(const FiredEvent&)` (and optionally
// `void EndInstant(SimTime)`): a template parameter, so dispatch is a direct,
// inlinable call, not a std::function per event.
//
// Budget: RunUntil stops after `max_events` events (counting across calls) and
// says so, so that a scenario that would run forever ends with a message
// instead of a hang.
#ifndef KUBESIM_SIM_ENGINE_EVENT_LOOP_H_
#define KUBESIM_SIM_ENGINE_EVENT_LOOP_H_

#include <cassert>
#include <cstdint>
#include <limits>

#include "engine/event_queue.h"
#include "kubesim/engine/time.h"

namespace kubesim {

// Why RunUntil returned.
enum class RunOutcome {
  kReachedUntil,     // every event due by `until` fired; Now() == until
  kBudgetExhausted,  // max_events events have fired; Now() is the last event's time
  kStopped,          // the handler called Stop(); Now() is the last event's time
};

class EventLoop {
 public:
  // `max_events`: how many events may fire in this loop's life (see Budget).
  explicit EventLoop(uint64_t max_events = std::numeric_limits<uint64_t>::max())
      : max_events_(max_events) {}

  SimTime Now() const { return now_; }
  // Events fired so far.
  uint64_t events_fired() const { return fired_; }
  // Events that will still fire.
  size_t pending() const { return queue_.size(); }
  // Counts `n` events that fired only in effect — ones the model proved could
  // change nothing and never scheduled (skipped probe ticks) — as fired:
  // events_fired() and the budget include them.
  void CountSkipped(uint64_t n) { fired_ += n; }

  // Schedules `event` at `at`. REQUIRES: at >= Now() (the past cannot change).
  EventId At(SimTime at, uint8_t phase, Event event) {
    assert(at >= now_ && "an event may not be scheduled in the past");
    return queue_.Schedule(at, phase, event);
  }
  // Schedules `event` at `at`, ordered by `key` within (at, phase) (EventQueue::ScheduleKeyed).
  EventId AtKeyed(SimTime at, uint8_t phase, uint64_t key, Event event) {
    assert(at >= now_ && "an event may not be scheduled in the past");
    return queue_.ScheduleKeyed(at, phase, key, event);
  }
  // Schedules `event` `delay` from now. REQUIRES: delay >= 0.
  EventId After(SimDuration delay, uint8_t phase, Event event) {
    return At(now_ + delay, phase, event);
  }
  // See EventQueue::Cancel: true if the event was pending and now never fires.
  bool Cancel(EventId id) { return queue_.Cancel(id); }
  bool IsPending(EventId id) const { return queue_.IsPending(id); }

  // Makes RunUntil return kStopped after the current event (and its instant's
  // EndInstant, if that instant ended): how a handler ends a run early.
  void Stop() { stopped_ = true; }

  // Fires every event due at or before `until`, in order. REQUIRES: until >= Now().
  template <typename Handler>
  RunOutcome RunUntil(SimTime until, Handler& handler) {
    assert(until >= now_);
    while (!queue_.empty() && queue_.NextTime() <= until) {
      if (stopped_) return RunOutcome::kStopped;
      if (fired_ >= max_events_) return RunOutcome::kBudgetExhausted;
      const FiredEvent e = queue_.Pop();
      // Causality: the queue never hands back an event earlier than the clock.
      assert(e.time >= now_ && "simulated time went backwards");
      now_ = e.time;
      ++fired_;
      handler.Fire(e);
      if constexpr (requires { handler.EndInstant(now_); }) {
        if (queue_.empty() || queue_.NextTime() != now_) handler.EndInstant(now_);
      }
    }
    if (stopped_) return RunOutcome::kStopped;
    now_ = until;
    return RunOutcome::kReachedUntil;
  }

 private:
  EventQueue queue_;
  SimTime now_ = SimTime::Zero();
  uint64_t fired_ = 0;
  uint64_t max_events_;
  bool stopped_ = false;
};

}  // namespace kubesim

#endif  // KUBESIM_SIM_ENGINE_EVENT_LOOP_H_
