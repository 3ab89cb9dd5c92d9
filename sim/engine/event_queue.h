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
// of a lower phase runs before any of a higher phase (docs/scenario-format.md: processes, then
// probes, then controllers, then endpoints, then clients), and equal
// (time, phase) events run in the order they were scheduled. An event that
// schedules another at the same instant and phase runs it after everything
// already scheduled there.
//
// A caller may instead give the order within (time, phase) itself:
// ScheduleKeyed(at, phase, key, event) orders by `key` (56 bits) where
// Schedule would use the sequence number. A phase whose events are all keyed
// has an order that does not depend on when they were scheduled — how the
// kubelet's probe ticks run by (pod, probe) whether each was scheduled a
// period ago or just now (docs/architecture.md, probe elision).
//
// Cancellation is lazy, as in ns-3: Cancel() marks the event dead in O(1); the
// record stays in the heap until it reaches the top and is then discarded.
// An EventId stays valid forever: cancelling an event that has already fired,
// was already cancelled, or a default EventId, is a harmless no-op that
// returns false (slot generations make stale ids miss).
//
// Data structures: entries of 24 bytes (time, phase|sequence, slot) over a
// free-listed slot table holding each event's body and generation. Two
// orderings of the entries give the same total order: BasicEventQueue<d>, a
// d-ary heap, and BucketEventQueue, a calendar ring of 4 ms buckets with a heap
// for the current bucket and one for the far future. EventQueue is the one the
// benchmark picked (bench/event_queue_bench.cc, figures in bench/README.md).
//
// Not thread-safe: one queue belongs to one simulation.
#ifndef KUBESIM_SIM_ENGINE_EVENT_QUEUE_H_
#define KUBESIM_SIM_ENGINE_EVENT_QUEUE_H_

#include <algorithm>
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
  uint64_t key = 0;  // its order within (time, phase): the sequence number or the caller's key
};

namespace event_queue_internal {
class SlotTable;
}  // namespace event_queue_internal

// Names a scheduled event for Cancel()/IsPending(). Cheap to copy; always
// safe to use, even after the event fired. Default-constructed: no event.
class EventId {
 public:
  constexpr EventId() = default;
  constexpr bool valid() const { return generation_ != 0; }
  constexpr bool operator==(const EventId&) const = default;

 private:
  friend class event_queue_internal::SlotTable;
  constexpr EventId(uint32_t slot, uint32_t generation) : slot_(slot), generation_(generation) {}
  uint32_t slot_ = 0;
  uint32_t generation_ = 0;  // 0 never names a live event
};

namespace event_queue_internal {

inline constexpr uint32_t kNoSlot = 0xFFFFFFFFu;
inline constexpr uint64_t kSeqMask = (uint64_t{1} << 56) - 1;

// One pending (or cancelled, not yet discarded) event in a heap or bucket.
struct Entry {
  int64_t time;    // microseconds
  uint64_t order;  // phase << 56 | sequence number
  uint32_t slot;   // index into the SlotTable
  uint32_t unused;
  // The total order of the file comment: (time, phase, sequence number).
  bool operator<(const Entry& o) const {
    return time < o.time || (time == o.time && order < o.order);
  }
};

// The entry of an event at `at` in `phase`, ordered within them by `key`.
inline Entry MakeEntry(SimTime at, uint8_t phase, uint64_t key, uint32_t slot) {
  return Entry{at.micros(), (static_cast<uint64_t>(phase) << 56) | (key & kSeqMask), slot, 0};
}

// What Pop returns for `e`, whose body is `event`.
inline FiredEvent ToFired(const Entry& e, const Event& event) {
  return FiredEvent{SimTime::FromMicros(e.time), static_cast<uint8_t>(e.order >> 56), event,
                    e.order & kSeqMask};
}

// Event bodies and cancellation state, addressed by slot; slots are recycled
// through a free list and carry a generation so stale EventIds miss.
class SlotTable {
 public:
  // Takes a slot for `event` and returns the id naming it.
  EventId Acquire(Event event) {
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
    s.generation = s.generation + 1 == 0 ? 1 : s.generation + 1;
    ++live_;
    return EventId(slot, s.generation);
  }
  bool IsPending(EventId id) const {
    return id.generation_ != 0 && id.slot_ < slots_.size() &&
           slots_[id.slot_].generation == id.generation_ && slots_[id.slot_].live;
  }
  bool Cancel(EventId id) {
    if (!IsPending(id)) return false;
    slots_[id.slot_].live = false;
    --live_;
    return true;
  }
  bool live(uint32_t slot) const { return slots_[slot].live; }
  // Starts loading a slot's cache line: the next event's liveness and body,
  // read when it pops, arrive while the current event runs.
  void Prefetch(uint32_t slot) const { __builtin_prefetch(&slots_[slot]); }
  // Takes the body of a live event as it fires and frees its slot.
  Event Fire(uint32_t slot) {
    Slot& s = slots_[slot];
    s.live = false;
    --live_;
    Release(slot);
    return s.event;
  }
  // Frees the slot of a cancelled event once its entry is discarded.
  void Release(uint32_t slot) {
    slots_[slot].next_free = free_head_;
    free_head_ = slot;
  }
  static uint32_t SlotOf(EventId id) { return id.slot_; }
  size_t live_count() const { return live_; }

 private:
  struct Slot {
    Event event;
    uint32_t generation = 0;
    uint32_t next_free = kNoSlot;
    bool live = false;
  };
  std::vector<Slot> slots_;
  uint32_t free_head_ = kNoSlot;
  size_t live_ = 0;
};

// An implicit d-ary min-heap of Entries (hole-based sifts: one write per level).
template <int kArity>
class DaryHeap {
  static_assert(kArity >= 2 && kArity <= 8, "heap arity");

 public:
  bool empty() const { return v_.empty(); }
  size_t size() const { return v_.size(); }
  const Entry& top() const { return v_.front(); }
  void push(const Entry& e) {
    v_.push_back(e);
    size_t i = v_.size() - 1;
    while (i > 0) {
      const size_t parent = (i - 1) / kArity;
      if (!(e < v_[parent])) break;
      v_[i] = v_[parent];
      i = parent;
    }
    v_[i] = e;
  }
  void pop() {
    const Entry last = v_.back();
    v_.pop_back();
    if (v_.empty()) return;
    size_t hole = 0;
    const size_t n = v_.size();
    for (;;) {
      const size_t first_child = hole * kArity + 1;
      if (first_child >= n) break;
      size_t best = first_child;
      const size_t end = first_child + kArity < n ? first_child + kArity : n;
      for (size_t c = first_child + 1; c < end; ++c) {
        if (v_[c] < v_[best]) best = c;
      }
      if (!(v_[best] < last)) break;
      v_[hole] = v_[best];
      hole = best;
    }
    v_[hole] = last;
  }
  // Replaces the contents with `entries` (any order) in O(n); hands the old
  // storage back through `entries` so bucket capacity is recycled.
  void assign_swap(std::vector<Entry>& entries) {
    v_.swap(entries);
    entries.clear();
    if (v_.size() < 2) return;
    for (size_t i = (v_.size() - 2) / kArity + 1; i-- > 0;) SiftDownFrom(i);
  }

 private:
  void SiftDownFrom(size_t hole) {
    const Entry e = v_[hole];
    const size_t n = v_.size();
    for (;;) {
      const size_t first_child = hole * kArity + 1;
      if (first_child >= n) break;
      size_t best = first_child;
      const size_t end = first_child + kArity < n ? first_child + kArity : n;
      for (size_t c = first_child + 1; c < end; ++c) {
        if (v_[c] < v_[best]) best = c;
      }
      if (!(v_[best] < e)) break;
      v_[hole] = v_[best];
      hole = best;
    }
    v_[hole] = e;
  }
  std::vector<Entry> v_;
};

}  // namespace event_queue_internal

// The plain heap queue: one d-ary heap of every pending entry.
template <int kArity>
class BasicEventQueue {
 public:
  // Phases are 0..kMaxPhase; sequence numbers fill the key's other 56 bits.
  static constexpr int kMaxPhase = 255;

  // Schedules `event` at (`at`, `phase`).
  EventId Schedule(SimTime at, uint8_t phase, Event event) {
    return ScheduleKeyed(at, phase, next_seq_++, event);
  }
  // Schedules `event` at (`at`, `phase`), ordered by `key` within them.
  EventId ScheduleKeyed(SimTime at, uint8_t phase, uint64_t key, Event event) {
    const EventId id = slots_.Acquire(event);
    heap_.push(event_queue_internal::MakeEntry(at, phase, key,
                                               event_queue_internal::SlotTable::SlotOf(id)));
    return id;
  }
  // Cancels a pending event. Returns true if it was pending (and now never
  // fires); false if it already fired, was already cancelled, or `id` is empty.
  bool Cancel(EventId id) { return slots_.Cancel(id); }
  // Whether `id` names an event that is scheduled and not cancelled.
  bool IsPending(EventId id) const { return slots_.IsPending(id); }
  // Number of events that will still fire.
  size_t size() const { return slots_.live_count(); }
  bool empty() const { return size() == 0; }

  // The time of the next event to fire. REQUIRES: !empty().
  SimTime NextTime() {
    DropCancelledTop();
    return SimTime::FromMicros(heap_.top().time);
  }
  // Removes and returns the next event to fire. REQUIRES: !empty().
  FiredEvent Pop() {
    DropCancelledTop();
    const event_queue_internal::Entry top = heap_.top();
    heap_.pop();
    return event_queue_internal::ToFired(top, slots_.Fire(top.slot));
  }

 private:
  void DropCancelledTop() {
    assert(!empty());
    while (!slots_.live(heap_.top().slot)) {
      slots_.Release(heap_.top().slot);
      heap_.pop();
    }
  }

  event_queue_internal::SlotTable slots_;
  event_queue_internal::DaryHeap<kArity> heap_;
  uint64_t next_seq_ = 0;
};

// The bucketed queue (a one-level calendar with a heap for the far future):
//   - `near_`: a small heap holding every entry of the current bucket, i.e.
//     with time < the current bucket's end (and any earlier one);
//   - a ring of kBuckets buckets of kBucketWidth µs each, covering the window
//     of buckets after the current one, unsorted, with an occupancy bitmap;
//   - `far_`: a d-ary heap of entries beyond the window.
// Invariant: every entry in near_ precedes every entry in the ring, and every
// ring entry precedes every far_ entry; so popping near_'s top pops the global
// minimum. When near_ runs dry the cursor jumps to the next occupied bucket
// (bitmap scan) or to far_'s first bucket, far_ entries now inside the window
// move into the ring, and that bucket's entries are heapified into near_. Order
// within a bucket is restored by near_'s heap, so the total order is exactly
// the heap queue's. Periodic timers (probes, every 10 s) land in the ring: an
// insert is an append, and each pop sifts a heap of one bucket's entries only.
class BucketEventQueue {
 public:
  static constexpr int kMaxPhase = 255;
  static constexpr int kBucketBits = 12;  // 4.096 ms buckets
  static constexpr int64_t kBucketWidth = int64_t{1} << kBucketBits;
  static constexpr int64_t kBuckets = 4096;  // a window of 16.8 s
  static_assert((kBuckets & (kBuckets - 1)) == 0, "power of two");

  BucketEventQueue() : ring_(kBuckets), occupied_(kBuckets / 64, 0) {}

  EventId Schedule(SimTime at, uint8_t phase, Event event) {
    return ScheduleKeyed(at, phase, next_seq_++, event);
  }
  EventId ScheduleKeyed(SimTime at, uint8_t phase, uint64_t key, Event event) {
    const EventId id = slots_.Acquire(event);
    Place(event_queue_internal::MakeEntry(at, phase, key,
                                          event_queue_internal::SlotTable::SlotOf(id)));
    return id;
  }
  // The next sequence number Schedule would use (for keys that tie-break by it).
  uint64_t next_sequence() const { return next_seq_; }
  bool Cancel(EventId id) { return slots_.Cancel(id); }
  bool IsPending(EventId id) const { return slots_.IsPending(id); }
  size_t size() const { return slots_.live_count(); }
  bool empty() const { return size() == 0; }

  // REQUIRES: !empty().
  SimTime NextTime() {
    DropCancelledTop();
    return SimTime::FromMicros(near_.top().time);
  }
  // REQUIRES: !empty().
  FiredEvent Pop() {
    DropCancelledTop();
    const event_queue_internal::Entry top = near_.top();
    near_.pop();
    if (!near_.empty()) slots_.Prefetch(near_.top().slot);
    return event_queue_internal::ToFired(top, slots_.Fire(top.slot));
  }

 private:
  static int64_t BucketOf(int64_t time) { return time >> kBucketBits; }  // floor, also < 0

  void Place(const event_queue_internal::Entry& e) {
    const int64_t b = BucketOf(e.time);
    if (b <= cursor_) {
      near_.push(e);
    } else if (b - cursor_ < kBuckets) {
      const auto i = static_cast<size_t>(b & (kBuckets - 1));
      ring_[i].push_back(e);
      occupied_[i / 64] |= uint64_t{1} << (i % 64);
      ++in_ring_;
    } else {
      far_.push(e);
    }
  }

  // Makes near_'s top the live global minimum. REQUIRES: !empty().
  void DropCancelledTop() {
    assert(!empty());
    for (;;) {
      if (near_.empty()) Advance();
      const uint32_t slot = near_.top().slot;
      if (slots_.live(slot)) return;
      slots_.Release(slot);
      near_.pop();
    }
  }

  // Moves the cursor to the next non-empty bucket. REQUIRES: near_ empty, and
  // some entry (live or not) in the ring or far_.
  void Advance() {
    int64_t next = INT64_MAX;
    if (in_ring_ > 0) next = cursor_ + NextOccupiedOffset();
    if (!far_.empty()) next = std::min(next, BucketOf(far_.top().time));
    assert(next != INT64_MAX);
    cursor_ = next;
    while (!far_.empty() && BucketOf(far_.top().time) - cursor_ < kBuckets) {
      const event_queue_internal::Entry e = far_.top();
      far_.pop();
      Place(e);  // the cursor's own bucket goes straight to near_
    }
    const auto i = static_cast<size_t>(cursor_ & (kBuckets - 1));
    if (occupied_[i / 64] & (uint64_t{1} << (i % 64))) {
      occupied_[i / 64] &= ~(uint64_t{1} << (i % 64));
      in_ring_ -= ring_[i].size();
      if (near_.empty()) {
        near_.assign_swap(ring_[i]);
      } else {
        for (const auto& e : ring_[i]) near_.push(e);
        ring_[i].clear();
      }
    }
  }

  // Offset (1..kBuckets-1) from the cursor to the next occupied ring bucket.
  // REQUIRES: in_ring_ > 0.
  int64_t NextOccupiedOffset() const {
    const auto start = static_cast<size_t>((cursor_ + 1) & (kBuckets - 1));
    size_t word = start / 64;
    uint64_t bits = occupied_[word] & (~uint64_t{0} << (start % 64));
    for (size_t scanned = 0; scanned <= occupied_.size(); ++scanned) {
      if (bits != 0) {
        const size_t i = word * 64 + static_cast<size_t>(__builtin_ctzll(bits));
        return static_cast<int64_t>((i - start) & (kBuckets - 1)) + 1;
      }
      word = (word + 1) % occupied_.size();
      bits = occupied_[word];
    }
    assert(false && "in_ring_ > 0 but no occupied bucket");
    return kBuckets;
  }

  event_queue_internal::SlotTable slots_;
  event_queue_internal::DaryHeap<4> near_;
  std::vector<std::vector<event_queue_internal::Entry>> ring_;
  std::vector<uint64_t> occupied_;
  size_t in_ring_ = 0;
  event_queue_internal::DaryHeap<4> far_;
  int64_t cursor_ = 0;  // absolute bucket number of near_'s bucket
  uint64_t next_seq_ = 0;
};

// Chosen by bench/event_queue_bench.cc (figures in bench/README.md).
using EventQueue = BucketEventQueue;

}  // namespace kubesim

#endif  // KUBESIM_SIM_ENGINE_EVENT_QUEUE_H_
