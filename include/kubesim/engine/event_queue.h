// EventQueue: the pending events of one simulation, in a total order.
//
// The model: an event is a small fixed-size record — what happens (`kind`, a
// number the model layer gives meaning to) and to whom (`target`, a dense
// object id, plus a free `payload`) — scheduled at a SimTime in a phase.
// Nothing is heap-allocated per event and no closure is stored: the
// simulation dispatches on `kind` (see Simulator::RunUntil).
//
// Order: events are totally ordered by (time, phase, sequence number), where
// the sequence number counts Schedule calls. So within one instant, every event
// of a lower phase runs before any of a higher phase (SPEC §3: processes, then
// probes, then controllers, then endpoints, then clients), and equal
// (time, phase) events run in the order they were scheduled. An event that
// schedules another at the same instant and phase runs it after everything
// already scheduled there.
//
// Cancellation is lazy, as in ns-3: Cancel() marks the event dead in O(1); the
// record stays in the heap until it reaches the top and is then discarded.
// An EventId stays valid forever: cancelling an event that has already fired,
// was already cancelled, or a default EventId, is a harmless no-op that
// returns false (slot generations make stale ids miss).
//
// Data structure: an implicit d-ary min-heap of 24-byte entries over a slot
// table (free-listed) holding each event's body and generation. The arity was
// chosen by measurement (bench/event_queue_bench.cc, figures in
// bench/README.md); EventQueue is BasicEventQueue<kDefaultArity>.
//
// Not thread-safe: one queue belongs to one simulation.
#ifndef KUBESIM_ENGINE_EVENT_QUEUE_H_
#define KUBESIM_ENGINE_EVENT_QUEUE_H_

#include <cassert>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "kubesim/engine/time.h"

namespace kubesim {

// The body of an event: interpreted by the model, opaque to the queue.
struct Event {
  uint32_t kind = 0;     // what happens; the model's enum, cast
  uint32_t target = 0;   // dense id of the object it happens to
  uint64_t payload = 0;  // anything else (a generation, a packed pair, ...)
};

// An event as it fires: its body and when.
struct FiredEvent {
  SimTime time;
  uint8_t phase = 0;
  Event event;
};

// Names a scheduled event for Cancel()/IsPending(). Cheap to copy; always
// safe to use, even after the event fired. Default-constructed: no event.
class EventId {
 public:
  constexpr EventId() = default;
  constexpr bool valid() const { return generation_ != 0; }
  constexpr bool operator==(const EventId&) const = default;

 private:
  template <int>
  friend class BasicEventQueue;
  constexpr EventId(uint32_t slot, uint32_t generation) : slot_(slot), generation_(generation) {}
  uint32_t slot_ = 0;
  uint32_t generation_ = 0;  // 0 never names a live event
};

template <int kArity>
class BasicEventQueue {
  static_assert(kArity >= 2 && kArity <= 8, "heap arity");

 public:
  // Phases are 0..kMaxPhase; sequence numbers fill the key's other 56 bits.
  static constexpr int kMaxPhase = 255;

  BasicEventQueue() = default;

  // Schedules `event` at (`at`, `phase`). REQUIRES: 0 <= phase <= kMaxPhase.
  EventId Schedule(SimTime at, uint8_t phase, Event event) {
    uint32_t slot;
    if (free_head_ != kNoSlot) {
      slot = free_head_;
      free_head_ = slots_[slot].next_free;
    } else {
      slot = static_cast<uint32_t>(slots_.size());
      slots_.push_back(Slot{});
    }
    Slot& s = slots_[slot];
    s.event = event;
    s.live = true;
    s.generation = NextGeneration(s.generation);
    const uint64_t order = (static_cast<uint64_t>(phase) << 56) | (next_seq_++ & kSeqMask);
    heap_.push_back(Entry{at.micros(), order, slot, 0});
    SiftUp(heap_.size() - 1);
    ++live_;
    return EventId(slot, s.generation);
  }

  // Cancels a pending event. Returns true if it was pending (and now never
  // fires); false if it already fired, was already cancelled, or `id` is empty.
  bool Cancel(EventId id) {
    if (!IsPending(id)) return false;
    slots_[id.slot_].live = false;
    --live_;
    return true;
  }

  // Whether `id` names an event that is scheduled and not cancelled.
  bool IsPending(EventId id) const {
    return id.generation_ != 0 && id.slot_ < slots_.size() &&
           slots_[id.slot_].generation == id.generation_ && slots_[id.slot_].live;
  }

  // Number of events that will still fire.
  size_t size() const { return live_; }
  bool empty() const { return live_ == 0; }

  // The time of the next event to fire. REQUIRES: !empty().
  SimTime NextTime() {
    DropCancelledTop();
    assert(!heap_.empty());
    return SimTime::FromMicros(heap_.front().time);
  }

  // Removes and returns the next event to fire. REQUIRES: !empty().
  FiredEvent Pop() {
    DropCancelledTop();
    assert(!heap_.empty());
    const Entry top = heap_.front();
    Slot& s = slots_[top.slot];
    FiredEvent fired{SimTime::FromMicros(top.time), static_cast<uint8_t>(top.order >> 56), s.event};
    s.live = false;
    --live_;
    ReleaseSlot(top.slot);
    RemoveTop();
    return fired;
  }

 private:
  static constexpr uint32_t kNoSlot = 0xFFFFFFFFu;
  static constexpr uint64_t kSeqMask = (uint64_t{1} << 56) - 1;

  struct Entry {
    int64_t time;    // microseconds
    uint64_t order;  // phase << 56 | sequence number
    uint32_t slot;
    uint32_t unused;
    bool operator<(const Entry& o) const {  // (time, phase, seq): see the file comment
      return time < o.time || (time == o.time && order < o.order);
    }
  };
  struct Slot {
    Event event;
    uint32_t generation = 0;
    uint32_t next_free = kNoSlot;
    bool live = false;
  };

  static uint32_t NextGeneration(uint32_t g) { return g + 1 == 0 ? 1 : g + 1; }

  void ReleaseSlot(uint32_t slot) {
    slots_[slot].next_free = free_head_;
    free_head_ = slot;
  }

  void DropCancelledTop() {
    while (!heap_.empty() && !slots_[heap_.front().slot].live) {
      ReleaseSlot(heap_.front().slot);
      RemoveTop();
    }
  }

  void RemoveTop() {
    const Entry last = heap_.back();
    heap_.pop_back();
    if (heap_.empty()) return;
    // Sift `last` down from the root (hole method: one write per level).
    size_t hole = 0;
    const size_t n = heap_.size();
    for (;;) {
      const size_t first_child = hole * kArity + 1;
      if (first_child >= n) break;
      size_t best = first_child;
      const size_t end = first_child + kArity < n ? first_child + kArity : n;
      for (size_t c = first_child + 1; c < end; ++c) {
        if (heap_[c] < heap_[best]) best = c;
      }
      if (!(heap_[best] < last)) break;
      heap_[hole] = heap_[best];
      hole = best;
    }
    heap_[hole] = last;
  }

  void SiftUp(size_t i) {
    const Entry e = heap_[i];
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!(e < heap_[parent])) break;
      heap_[i] = heap_[parent];
      i = parent;
    }
    heap_[i] = e;
  }

  std::vector<Entry> heap_;
  std::vector<Slot> slots_;
  uint32_t free_head_ = kNoSlot;
  uint64_t next_seq_ = 0;
  size_t live_ = 0;
};

// Chosen by bench/event_queue_bench.cc (see bench/README.md).
inline constexpr int kDefaultEventQueueArity = 4;
using EventQueue = BasicEventQueue<kDefaultEventQueueArity>;

}  // namespace kubesim

#endif  // KUBESIM_ENGINE_EVENT_QUEUE_H_
