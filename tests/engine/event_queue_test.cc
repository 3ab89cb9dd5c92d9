// EventQueue order and cancellation, and the EventLoop that runs it.
#include "engine/event_queue.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <tuple>
#include <cstdint>
#include <vector>

#include "engine/event_loop.h"
#include "kubesim/engine/random.h"

namespace kubesim {
namespace {

SimTime At(int64_t us) { return SimTime::FromMicros(us); }
Event Tagged(uint32_t tag) { return Event{0, tag, 0}; }

template <typename Queue>
std::vector<uint32_t> DrainTargets(Queue& q) {
  std::vector<uint32_t> out;
  while (!q.empty()) out.push_back(q.Pop().event.target);
  return out;
}

TEST(EventQueue, PopsInTimeOrder) {
  EventQueue q;
  q.Schedule(At(30), 0, Tagged(3));
  q.Schedule(At(10), 0, Tagged(1));
  q.Schedule(At(20), 0, Tagged(2));
  EXPECT_EQ(q.size(), 3u);
  EXPECT_EQ(q.NextTime(), At(10));
  EXPECT_EQ(DrainTargets(q), (std::vector<uint32_t>{1, 2, 3}));
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, EqualTimesFireInInsertionOrder) {
  EventQueue q;
  for (uint32_t i = 0; i < 100; ++i) q.Schedule(At(5), 0, Tagged(i));
  std::vector<uint32_t> expected(100);
  for (uint32_t i = 0; i < 100; ++i) expected[i] = i;
  EXPECT_EQ(DrainTargets(q), expected);
}

TEST(EventQueue, LowerPhaseFirstWithinAnInstant) {
  // docs/scenario-format.md: processes, then probes, then controllers, then endpoints, then clients.
  EventQueue q;
  q.Schedule(At(7), 4, Tagged(40));
  q.Schedule(At(7), 2, Tagged(20));
  q.Schedule(At(7), 0, Tagged(0));
  q.Schedule(At(7), 2, Tagged(21));
  q.Schedule(At(6), 4, Tagged(1));
  const std::vector<FiredEvent> fired = [&] {
    std::vector<FiredEvent> v;
    while (!q.empty()) v.push_back(q.Pop());
    return v;
  }();
  ASSERT_EQ(fired.size(), 5u);
  EXPECT_EQ(fired[0].event.target, 1u);
  EXPECT_EQ(fired[1].event.target, 0u);
  EXPECT_EQ(fired[2].event.target, 20u);
  EXPECT_EQ(fired[3].event.target, 21u);
  EXPECT_EQ(fired[4].event.target, 40u);
  EXPECT_EQ(fired[4].phase, 4);
  EXPECT_EQ(fired[4].time, At(7));
}

TEST(EventQueue, CarriesTheWholeEventBody) {
  EventQueue q;
  q.Schedule(At(1), 3, Event{7, 42, 0xDEADBEEFCAFEull});
  const FiredEvent e = q.Pop();
  EXPECT_EQ(e.event.kind, 7u);
  EXPECT_EQ(e.event.target, 42u);
  EXPECT_EQ(e.event.payload, 0xDEADBEEFCAFEull);
}

TEST(EventQueue, CancelledEventNeverFires) {
  EventQueue q;
  q.Schedule(At(1), 0, Tagged(1));
  const EventId id = q.Schedule(At(2), 0, Tagged(2));
  q.Schedule(At(3), 0, Tagged(3));
  EXPECT_TRUE(q.IsPending(id));
  EXPECT_TRUE(q.Cancel(id));
  EXPECT_FALSE(q.IsPending(id));
  EXPECT_EQ(q.size(), 2u);
  EXPECT_EQ(DrainTargets(q), (std::vector<uint32_t>{1, 3}));
}

TEST(EventQueue, CancellingTheEarliestMovesNextTime) {
  EventQueue q;
  const EventId first = q.Schedule(At(1), 0, Tagged(1));
  q.Schedule(At(9), 0, Tagged(9));
  ASSERT_TRUE(q.Cancel(first));
  EXPECT_EQ(q.NextTime(), At(9));
}

TEST(EventQueue, CancelTwiceIsANoOp) {
  EventQueue q;
  const EventId id = q.Schedule(At(2), 0, Tagged(2));
  EXPECT_TRUE(q.Cancel(id));
  EXPECT_FALSE(q.Cancel(id));
  EXPECT_EQ(q.size(), 0u);
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, CancelAfterFireIsANoOpEvenWhenTheSlotIsReused) {
  EventQueue q;
  const EventId old_id = q.Schedule(At(1), 0, Tagged(1));
  EXPECT_EQ(q.Pop().event.target, 1u);
  EXPECT_FALSE(q.IsPending(old_id));
  // The new event reuses the freed slot; the stale id must not reach it.
  const EventId new_id = q.Schedule(At(2), 0, Tagged(2));
  EXPECT_FALSE(q.Cancel(old_id));
  EXPECT_TRUE(q.IsPending(new_id));
  EXPECT_EQ(q.size(), 1u);
  EXPECT_EQ(q.Pop().event.target, 2u);
}

TEST(EventQueue, DefaultEventIdNamesNothing) {
  EventQueue q;
  q.Schedule(At(1), 0, Tagged(1));
  const EventId none;
  EXPECT_FALSE(none.valid());
  EXPECT_FALSE(q.IsPending(none));
  EXPECT_FALSE(q.Cancel(none));
  EXPECT_EQ(q.size(), 1u);
}

TEST(EventQueue, MatchesASortedReferenceUnderRandomChurn) {
  // 20,000 random schedules with ~30% cancelled: the survivors come out sorted
  // by (time, phase, insertion order), for every heap arity we benchmark.
  Rng rng(7);
  BasicEventQueue<2> q2;
  BasicEventQueue<4> q4;
  BucketEventQueue qb;
  struct Ref {
    int64_t time;
    uint8_t phase;
    uint32_t seq;
    bool cancelled;
  };
  std::vector<Ref> ref;
  std::vector<EventId> ids2, ids4, idsb;
  for (uint32_t i = 0; i < 20'000; ++i) {
    const auto t = static_cast<int64_t>(rng.Below(500));
    const auto phase = static_cast<uint8_t>(rng.Below(5));
    ids2.push_back(q2.Schedule(At(t), phase, Tagged(i)));
    ids4.push_back(q4.Schedule(At(t), phase, Tagged(i)));
    idsb.push_back(qb.Schedule(At(t), phase, Tagged(i)));
    ref.push_back({t, phase, i, false});
    if (rng.Below(10) < 3) {
      const auto victim = static_cast<uint32_t>(rng.Below(i + 1));
      const bool was = !ref[victim].cancelled;
      EXPECT_EQ(q2.Cancel(ids2[victim]), was);
      EXPECT_EQ(q4.Cancel(ids4[victim]), was);
      EXPECT_EQ(qb.Cancel(idsb[victim]), was);
      ref[victim].cancelled = true;
    }
  }
  std::vector<uint32_t> expected;
  std::stable_sort(ref.begin(), ref.end(), [](const Ref& a, const Ref& b) {
    return a.time != b.time ? a.time < b.time : a.phase < b.phase;
  });
  for (const Ref& r : ref) {
    if (!r.cancelled) expected.push_back(r.seq);
  }
  EXPECT_EQ(q2.size(), expected.size());
  EXPECT_EQ(DrainTargets(q2), expected);
  EXPECT_EQ(DrainTargets(q4), expected);
  EXPECT_EQ(DrainTargets(qb), expected);
}

// A model-based check, as a simulation uses a queue: interleaved schedules
// (delays from 0 to hours, so entries pass through every part of a bucketed
// queue: the current bucket, the ring, the far heap and back), cancellations
// and pops, against a std::map keyed by (time, phase, sequence).
template <typename Queue>
void CheckAgainstOrderedMap(uint64_t seed) {
  Queue q;
  Rng rng(seed);
  using Key = std::tuple<int64_t, int, uint32_t>;
  std::map<Key, EventId> ref;
  std::vector<std::pair<Key, EventId>> issued;
  int64_t now = 0;
  uint32_t seq = 0;
  for (int op = 0; op < 60'000; ++op) {
    const uint64_t dice = rng.Below(100);
    if (dice < 55) {
      int64_t delay = 0;
      switch (rng.Below(6)) {
        case 0: delay = 0; break;                                                      // same instant
        case 1: delay = static_cast<int64_t>(rng.Below(5'000)); break;                 // same bucket
        case 2: delay = static_cast<int64_t>(rng.Below(20'000'000)); break;            // the ring
        case 3: delay = 10'000'000; break;                                             // a probe period
        case 4: delay = static_cast<int64_t>(rng.Below(3'600'000'000)); break;         // far heap
        default: delay = 16'777'216 + static_cast<int64_t>(rng.Below(100)); break;     // window edge
      }
      const auto phase = static_cast<int>(rng.Below(5));
      const Key key{now + delay, phase, seq};
      const EventId id = q.Schedule(At(now + delay), static_cast<uint8_t>(phase), Tagged(seq));
      ref.emplace(key, id);
      issued.emplace_back(key, id);
      ++seq;
    } else if (dice < 70 && !issued.empty()) {
      const auto& [key, id] = issued[rng.Below(issued.size())];
      const bool pending = ref.count(key) > 0;
      ASSERT_EQ(q.IsPending(id), pending);
      ASSERT_EQ(q.Cancel(id), pending);
      ref.erase(key);
    } else if (!ref.empty()) {
      ASSERT_EQ(q.size(), ref.size());
      ASSERT_EQ(q.NextTime(), At(std::get<0>(ref.begin()->first)));
      const FiredEvent e = q.Pop();
      const Key expected = ref.begin()->first;
      ASSERT_EQ(e.time.micros(), std::get<0>(expected));
      ASSERT_EQ(e.phase, std::get<1>(expected));
      ASSERT_EQ(e.event.target, std::get<2>(expected));
      ref.erase(ref.begin());
      now = e.time.micros();
    }
  }
  while (!ref.empty()) {
    const FiredEvent e = q.Pop();
    ASSERT_EQ(e.event.target, std::get<2>(ref.begin()->first));
    ref.erase(ref.begin());
  }
  EXPECT_TRUE(q.empty());
}

TEST(EventQueue, BinaryHeapMatchesAnOrderedMapUnderSimulationLikeLoad) {
  for (uint64_t seed = 1; seed <= 3; ++seed) CheckAgainstOrderedMap<BasicEventQueue<2>>(seed);
}
TEST(EventQueue, FourAryHeapMatchesAnOrderedMapUnderSimulationLikeLoad) {
  for (uint64_t seed = 1; seed <= 3; ++seed) CheckAgainstOrderedMap<BasicEventQueue<4>>(seed);
}
TEST(EventQueue, BucketQueueMatchesAnOrderedMapUnderSimulationLikeLoad) {
  for (uint64_t seed = 1; seed <= 3; ++seed) CheckAgainstOrderedMap<BucketEventQueue>(seed);
}

TEST(EventQueue, BucketQueueHandlesTheEndOfTime) {
  BucketEventQueue q;
  q.Schedule(SimTime::Max(), 0, Tagged(2));
  q.Schedule(At(5), 0, Tagged(1));
  EXPECT_EQ(DrainTargets(q), (std::vector<uint32_t>{1, 2}));
}

// A handler that records what fired and where instants ended.
struct Recorder {
  EventLoop* loop = nullptr;
  std::vector<std::pair<int64_t, uint32_t>> fired;
  std::vector<int64_t> instants;
  void Fire(const FiredEvent& e) {
    fired.emplace_back(e.time.micros(), e.event.target);
    // Target 100 schedules a follow-up at the same instant, in a later phase.
    if (e.event.target == 100) loop->After(SimDuration::Zero(), 2, Tagged(101));
  }
  void EndInstant(SimTime t) { instants.push_back(t.micros()); }
};

TEST(EventLoop, RunUntilFiresDueEventsAndStopsTheClockThere) {
  EventLoop loop;
  Recorder rec{&loop, {}, {}};
  loop.At(At(10), 0, Tagged(1));
  loop.At(At(20), 0, Tagged(2));
  loop.At(At(30), 0, Tagged(3));
  EXPECT_EQ(loop.RunUntil(At(20), rec), RunOutcome::kReachedUntil);
  EXPECT_EQ(loop.Now(), At(20));
  EXPECT_EQ(rec.fired, (std::vector<std::pair<int64_t, uint32_t>>{{10, 1}, {20, 2}}));
  EXPECT_EQ(loop.pending(), 1u);
  EXPECT_EQ(loop.RunUntil(At(100), rec), RunOutcome::kReachedUntil);
  EXPECT_EQ(loop.Now(), At(100));
  EXPECT_EQ(loop.events_fired(), 3u);
}

TEST(EventLoop, SameInstantFollowUpRunsInItsPhaseBeforeTheInstantEnds) {
  EventLoop loop;
  Recorder rec{&loop, {}, {}};
  loop.At(At(5), 1, Tagged(100));
  loop.At(At(5), 3, Tagged(7));
  loop.At(At(9), 0, Tagged(9));
  ASSERT_EQ(loop.RunUntil(At(50), rec), RunOutcome::kReachedUntil);
  // 101 (phase 2) runs between 100 (phase 1) and 7 (phase 3); one EndInstant per instant.
  EXPECT_EQ(rec.fired,
            (std::vector<std::pair<int64_t, uint32_t>>{{5, 100}, {5, 101}, {5, 7}, {9, 9}}));
  EXPECT_EQ(rec.instants, (std::vector<int64_t>{5, 9}));
}

TEST(EventLoop, RelativeSchedulingCountsFromNow) {
  EventLoop loop;
  Recorder rec{&loop, {}, {}};
  ASSERT_EQ(loop.RunUntil(At(1'000), rec), RunOutcome::kReachedUntil);
  loop.After(SimDuration::Micros(500), 0, Tagged(1));
  ASSERT_EQ(loop.RunUntil(SimTime::Max(), rec), RunOutcome::kReachedUntil);
  EXPECT_EQ(rec.fired, (std::vector<std::pair<int64_t, uint32_t>>{{1'500, 1}}));
}

TEST(EventLoop, CancelThroughTheLoop) {
  EventLoop loop;
  Recorder rec{&loop, {}, {}};
  const EventId id = loop.At(At(5), 0, Tagged(5));
  EXPECT_TRUE(loop.IsPending(id));
  EXPECT_TRUE(loop.Cancel(id));
  EXPECT_FALSE(loop.Cancel(id));
  ASSERT_EQ(loop.RunUntil(At(10), rec), RunOutcome::kReachedUntil);
  EXPECT_TRUE(rec.fired.empty());
}

// A handler whose every event re-arms itself: a run that never ends by itself.
struct Forever {
  EventLoop* loop;
  void Fire(const FiredEvent& e) { loop->After(SimDuration::Seconds(1), 0, e.event); }
};

// A handler that stops the loop at the third event.
struct StopAtThree {
  EventLoop* loop;
  int fired = 0;
  void Fire(const FiredEvent&) {
    if (++fired == 3) loop->Stop();
  }
};

TEST(EventLoop, StopEndsTheRunAfterTheCurrentEvent) {
  EventLoop loop;
  StopAtThree h{&loop};
  for (int i = 1; i <= 5; ++i) loop.At(At(i), 0, Tagged(static_cast<uint32_t>(i)));
  EXPECT_EQ(loop.RunUntil(At(100), h), RunOutcome::kStopped);
  EXPECT_EQ(h.fired, 3);
  EXPECT_EQ(loop.Now(), At(3));
  EXPECT_EQ(loop.pending(), 2u);
}

TEST(EventLoop, BudgetStopsARunawayRun) {
  EventLoop loop(/*max_events=*/1'000);
  Forever forever{&loop};
  loop.At(At(0), 0, Tagged(1));
  EXPECT_EQ(loop.RunUntil(SimTime::Max(), forever), RunOutcome::kBudgetExhausted);
  EXPECT_EQ(loop.events_fired(), 1'000u);
  EXPECT_EQ(loop.Now(), SimTime::Zero() + SimDuration::Seconds(999));
}

}  // namespace
}  // namespace kubesim
