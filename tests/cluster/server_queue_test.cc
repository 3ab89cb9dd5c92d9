// The load model's queue arithmetic (sim/cluster/server_queue.h,
// docs/load-model.md): hand-derived timelines, and long runs checked against
// queueing theory — Erlang C for M/M/c, Pollaczek–Khinchine for M/D/1, the
// blocking probability of M/M/1/K.
#include "cluster/server_queue.h"

#include <gtest/gtest.h>

#include <cmath>
#include <optional>
#include <vector>

#include "kubesim/engine/random.h"

namespace kubesim::cluster {
namespace {

SimTime At(double s) { return SimTime::FromMicros(std::llround(s * 1e6)); }
SimDuration Secs(double s) { return SimDuration::Micros(std::llround(s * 1e6)); }

// 2 servers, a waiting room of 1, 1 s per request. Arrivals at 0, 0.1, 0.2,
// 0.3 s: the first two start at once, the third waits for the first server
// (free at 1 s), the fourth finds the room full: 503. At 1.05 s the third has
// started (the room is empty again) and the servers free at 1.1 s (the
// second) and 2 s (the third): the fifth waits for 1.1 s.
TEST(ServerQueue, HandDerivedTwoServersAndARoomOfOne) {
  ServerQueue q(2, 1);
  EXPECT_EQ(q.Admit(At(0), Secs(1)), At(0));
  EXPECT_EQ(q.Admit(At(0.1), Secs(1)), At(0.1));
  EXPECT_EQ(q.Admit(At(0.2), Secs(1)), At(1.0));
  EXPECT_EQ(q.Waiting(At(0.3)), 1);
  EXPECT_EQ(q.Admit(At(0.3), Secs(1)), std::nullopt);
  EXPECT_EQ(q.Waiting(At(1.05)), 0);
  EXPECT_EQ(q.Admit(At(1.05), Secs(1)), At(1.1));
}

// A room of 0: no request ever waits; one that finds every server busy is
// rejected, one that comes as a server frees takes it.
TEST(ServerQueue, NoWaitingRoomRejectsWhenEveryServerIsBusy) {
  ServerQueue q(1, 0);
  EXPECT_EQ(q.Admit(At(0), Secs(1)), At(0));
  EXPECT_EQ(q.Admit(At(0.5), Secs(1)), std::nullopt);
  EXPECT_EQ(q.Admit(At(1.0), Secs(1)), At(1.0));  // freed at 1 s exactly
}

// Unlimited servers: every request starts when it arrives.
TEST(ServerQueue, UnlimitedServersNeverQueue) {
  ServerQueue q(0, 0);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(q.Admit(At(1), Secs(10)), At(1));
}

// An unlimited room (negative): requests wait, in arrival order.
TEST(ServerQueue, UnlimitedRoomServesInArrivalOrder) {
  ServerQueue q(1, -1);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(q.Admit(At(0), Secs(2)), At(2.0 * i));
  EXPECT_EQ(q.Waiting(At(0)), 4);
  EXPECT_EQ(q.Waiting(At(4)), 2);  // those starting at 6 and 8 s
}

// Reset at 1.5 s of 2 servers, one busy until 2 s, the other until 3 s,
// and a third request waiting for the first (start 2 s, done at 4 s): the
// work never done is each server's time after 1.5 s — 0.5 s + 2 s on the
// first (no gap: the third had arrived), 1.5 s on the second.
TEST(ServerQueue, ResetReturnsTheWorkNeverDone) {
  ServerQueue q(2, -1);
  q.Admit(At(0), Secs(2));
  q.Admit(At(0), Secs(3));
  EXPECT_EQ(q.Admit(At(1), Secs(2)), At(2));
  std::vector<SimTime> until;
  EXPECT_EQ(q.Reset(At(1.5), &until), Secs(0.5 + 2 + 1.5));
  EXPECT_EQ(until.size(), 2u);
  EXPECT_EQ(q.Waiting(At(1.5)), 0);
  EXPECT_EQ(q.Admit(At(1.5), Secs(1)), At(1.5));  // an empty queue again
}

// Poisson arrivals at `rate` to c servers; `service` draws service times.
// Returns (share that waited, mean wait in s, share rejected).
struct Measured {
  double waited = 0, mean_wait = 0, rejected = 0;
};
template <typename Service>
Measured RunPoisson(int32_t c, int64_t room, double rate, Service service, int n) {
  ServerQueue q(c, room);
  Rng arrivals(7);
  Rng work(11);
  double t = 0;
  int64_t waited = 0, rejected = 0, admitted = 0;
  double wait_sum = 0;
  for (int i = 0; i < n; ++i) {
    t += arrivals.Exponential(1.0 / rate);
    const SimTime now = At(t);
    const std::optional<SimTime> start = q.Admit(now, service(work));
    if (!start) {
      ++rejected;
      continue;
    }
    ++admitted;
    if (*start > now) ++waited;
    wait_sum += (*start - now).seconds();
  }
  return {static_cast<double>(waited) / admitted, wait_sum / admitted,
          static_cast<double>(rejected) / n};
}

// Erlang C: M/M/4 with λ = 3/s and mean service 1 s (offered load a = 3,
// ρ = 0.75). C(4, 3) = (a^4/4! · 4/(4−3)) / (Σ_{k<4} a^k/k! + a^4/4! · 4)
// = 13.5 / (13 + 13.5) = 0.50943; the mean wait Wq = C / (cμ − λ) = 0.50943 s.
TEST(ServerQueue, MMcMatchesErlangC) {
  const Measured m = RunPoisson(
      4, -1, 3.0, [](Rng& r) { return Secs(r.Exponential(1.0)); }, 1'000'000);
  EXPECT_NEAR(m.waited, 13.5 / 26.5, 0.01);
  EXPECT_NEAR(m.mean_wait, 13.5 / 26.5, 0.03);
  EXPECT_EQ(m.rejected, 0.0);
}

// Erlang C again with more servers than the queue keeps inline (their free
// times on the heap): M/M/16 with λ = 12/s, mean service 1 s (a = 12,
// ρ = 0.75): C(16, 12) = 0.2046 (computed below from the formula), mean
// wait C / (16 − 12) = 0.0511 s.
TEST(ServerQueue, MMcWithManyServersMatchesErlangC) {
  const double a = 12, c = 16;
  double sum = 0, term = 1;  // a^k / k!
  for (int k = 0; k < 16; ++k) {
    sum += term;
    term *= a / (k + 1);
  }
  const double top = term * c / (c - a);  // a^c / c! · c / (c − a)
  const double erlang_c = top / (sum + top);
  EXPECT_NEAR(erlang_c, 0.2046, 0.0005);
  const Measured m = RunPoisson(
      16, -1, 12.0, [](Rng& r) { return Secs(r.Exponential(1.0)); }, 1'000'000);
  EXPECT_NEAR(m.waited, erlang_c, 0.01);
  EXPECT_NEAR(m.mean_wait, erlang_c / (c - a), 0.01);
}

// Pollaczek–Khinchine for M/D/1: λ = 0.5/s, service D = 1 s, ρ = 0.5:
// Wq = ρ·D / (2 (1 − ρ)) = 0.5 s; P(wait) = ρ = 0.5.
TEST(ServerQueue, MD1MatchesPollaczekKhinchine) {
  const Measured m = RunPoisson(
      1, -1, 0.5, [](Rng&) { return Secs(1); }, 1'000'000);
  EXPECT_NEAR(m.mean_wait, 0.5, 0.015);
  EXPECT_NEAR(m.waited, 0.5, 0.01);
}

// M/M/1/K with K = 3 (one in service, a room of 2), ρ = 0.75: an arrival
// finds the system full with P_K = (1−ρ) ρ^K / (1 − ρ^(K+1)) = 0.154286.
TEST(ServerQueue, MM1KRejectsWithTheBlockingProbability) {
  const Measured m = RunPoisson(
      1, 2, 0.75, [](Rng& r) { return Secs(r.Exponential(1.0)); }, 1'000'000);
  const double rho = 0.75;
  EXPECT_NEAR(m.rejected, (1 - rho) * std::pow(rho, 3) / (1 - std::pow(rho, 4)), 0.005);
}

// Utilisation by whole seconds: 2 servers from 0 s; one busy over
// [0.5 s, 2.5 s): second 0 is 25 % busy, second 1 50 %, second 2 25 %.
TEST(UtilizationMeter, BusiestWholeSecond) {
  UtilizationMeter m;
  EXPECT_EQ(m.Peak(At(3)), std::nullopt);
  m.AddServers(At(0), 2);
  m.AddBusy(At(0.5), At(2.5));
  EXPECT_DOUBLE_EQ(*m.Peak(At(3)), 0.5);
  // Work undone (a process that ended) is taken back; servers leave.
  m.AddBusy(At(1.0), At(2.5), -1);
  m.AddServers(At(1), -1);
  // second 1: 0 busy of 1 server; second 0: 0.5 s of 2 s.
  EXPECT_DOUBLE_EQ(*m.Peak(At(3)), 0.25);
}

// The run's last second, cut short, does not count.
TEST(UtilizationMeter, TheLastPartialSecondDoesNotCount) {
  UtilizationMeter m;
  m.AddServers(At(0), 1);
  m.AddBusy(At(0), At(0.5));
  m.AddBusy(At(1.0), At(1.2));
  EXPECT_DOUBLE_EQ(*m.Peak(At(1.1)), 0.5);  // second 1 is not whole by 1.1 s
  EXPECT_DOUBLE_EQ(*m.Peak(At(2)), 0.5);
}

// Work that spans more than kLongSeconds is kept as an interval: a request
// of 10 years costs no memory per second, and the seconds only it touches
// count. 2 servers from 0 s; one busy for 10 years from 0.5 s: 50 % in every
// whole second from 1 s; another busy over [100.25 s, 100.75 s): 75 % in
// second 100.
// Short work in the last second before SimTime::Max(), after only long work
// (a request of 146,000 years, queued twice: found by review): it is added
// to that second, without overflow, and counts half of it.
TEST(UtilizationMeter, ShortWorkInTheLastSecondAfterOnlyLongWork) {
  UtilizationMeter m;
  m.AddServers(SimTime::Zero(), 1);
  m.AddBusy(SimTime::Zero(), SimTime::FromMicros(100'000'000));  // long: an interval
  m.AddBusy(SimTime::FromMicros(INT64_MAX - 500'000), SimTime::Max());
  m.AddBusy(SimTime::FromMicros(INT64_MAX - 200'000), SimTime::Max());  // the fast path now
  const auto peak = m.Peak(SimTime::Max());
  ASSERT_TRUE(peak.has_value());
  EXPECT_EQ(*peak, 1.0);  // seconds 0..99 are wholly busy
  UtilizationMeter last;
  last.AddServers(SimTime::FromMicros(INT64_MAX - 1'000'000), 1);
  last.AddBusy(SimTime::FromMicros(INT64_MAX - 500'000), SimTime::Max());
  last.AddBusy(SimTime::FromMicros(INT64_MAX - 200'000), SimTime::Max());
  // The last whole second ends before Max(): the partial one does not count
  // (TheLastPartialSecondDoesNotCount), so nothing was ever busy.
  EXPECT_EQ(last.Peak(SimTime::Max()), 0.0);
}

TEST(UtilizationMeter, LongWorkIsAnIntervalNotASecondEach) {
  UtilizationMeter m;
  m.AddServers(At(0), 2);
  const SimTime ten_years = At(0.5) + SimDuration::Hours(24 * 365 * 10);
  m.AddBusy(At(0.5), ten_years);
  EXPECT_DOUBLE_EQ(*m.Peak(At(50)), 0.5);
  m.AddBusy(At(100.25), At(100.75));
  EXPECT_DOUBLE_EQ(*m.Peak(ten_years), 0.75);
  // The long work undone from 200 s on: second 100 still peaks.
  m.AddBusy(At(200), ten_years, -1);
  EXPECT_DOUBLE_EQ(*m.Peak(ten_years), 0.75);
  // A server leaving at 300 s: the long work left is gone by then, so 0
  // busy of 1 server; the peak stays.
  m.AddServers(At(300), -1);
  EXPECT_DOUBLE_EQ(*m.Peak(ten_years), 0.75);
}

// The review's cases. (1) Long work undone in a short tail: 2 servers (one
// per pod) from 5 s; one request of 100 s on pod A from 10 s; A's process
// ends at 60 s (its server leaves, the 50 s left undone): every second is
// at most 1 busy of 2 servers until 60 s, then 0 of 1: peak 0.5.
TEST(UtilizationMeter, LongWorkUndoneInAShortTailIsNotBusy) {
  UtilizationMeter m;
  m.AddServers(At(5), 1);
  m.AddServers(At(5), 1);
  m.AddBusy(At(10), At(110));
  m.AddServers(At(60), -1);
  m.AddBusy(At(60), At(110), -1);
  EXPECT_DOUBLE_EQ(*m.Peak(At(300)), 0.5);
}

// (2) A second that holds a change: 1 server from 10.0 s, long work from
// 10.2 s, a second server from 10.9 s: second 10 is 0.8 busy of 1.1
// server-seconds; the whole seconds after it 1 of 2.
TEST(UtilizationMeter, ASecondHoldingAChangeIsComputedExactly) {
  UtilizationMeter m;
  m.AddServers(At(10.0), 1);
  m.AddBusy(At(10.2), At(200.2));
  m.AddServers(At(10.9), 1);
  EXPECT_DOUBLE_EQ(*m.Peak(At(300)), 0.8 / 1.1);
}

// (3) With an unlimited room the list of waiting starts holds only those
// still waiting: a million requests through one busy server keep it short.
TEST(ServerQueue, AnUnlimitedRoomKeepsOnlyTheWaiting) {
  ServerQueue q(1, -1);
  for (int i = 0; i < 500'000; ++i) {
    // 2 requests each ms, 0.4 ms of work each: the second waits 0.4 ms.
    EXPECT_EQ(q.Admit(At(i * 1e-3), Secs(0.4e-3)), At(i * 1e-3));
    EXPECT_EQ(q.Admit(At(i * 1e-3), Secs(0.4e-3)), At(i * 1e-3 + 0.4e-3));
  }
  EXPECT_EQ(q.Waiting(At(1000)), 0);
  EXPECT_LE(q.waiting_capacity_for_test(), 4096u);
}

// Work that arrives out of order (a waiting request's start is later than
// the next request's) lands in its own second.
TEST(UtilizationMeter, WorkAddedOutOfOrderCountsInItsSeconds) {
  UtilizationMeter m;
  m.AddServers(At(0), 1);
  m.AddBusy(At(5.0), At(5.5));
  m.AddBusy(At(3.0), At(3.9));
  m.AddBusy(At(5.5), At(5.8));
  EXPECT_DOUBLE_EQ(*m.Peak(At(10)), 0.9);  // second 3; second 5 is 0.8
}

}  // namespace
}  // namespace kubesim::cluster
