// Simulated time: SimDuration (a span) and SimTime (a point), both exact
// integer microseconds.
//
// The model: a kubesim run starts at SimTime::Zero() (t=0, when the scenario's
// own objects are applied) and only moves forward. Every latency of the model
// (image pulls, probe periods, endpoint propagation) is a SimDuration. Both
// types are value types over int64 microseconds, built only from factories and
// parsers, never from a bare double, so that reports are exact and identical on
// every machine. 1 µs resolution covers ±292,000 years.
//
// Arithmetic saturates at SimDuration::Max() / Min() instead of overflowing
// (like absl::Duration's infinities): a 10-year crash loop cannot wrap around
// to the past. SimTime minus SimTime is a SimDuration; SimTime plus SimDuration
// is a SimTime.
//
// Text: ParseDuration reads Go/Kubernetes durations (`250ms`, `1.5s`, `2m30s`,
// `1h`) and bare numbers of seconds (`5`, `0.25`), as docs/scenario-format.md requires;
// FormatDuration prints Go's time.Duration.String() form (`1m30s`, `250ms`).
#ifndef KUBESIM_ENGINE_TIME_H_
#define KUBESIM_ENGINE_TIME_H_

#include <compare>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "kubesim/engine/expected.h"

namespace kubesim {

namespace time_internal {
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
constexpr int64_t kMin = std::numeric_limits<int64_t>::min();

constexpr int64_t SaturatingAdd(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_add_overflow(a, b, &r)) return b > 0 ? kMax : kMin;
  return r;
}
constexpr int64_t SaturatingSub(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_sub_overflow(a, b, &r)) return b < 0 ? kMax : kMin;
  return r;
}
constexpr int64_t SaturatingMul(int64_t a, int64_t b) {
  int64_t r = 0;
  if (__builtin_mul_overflow(a, b, &r)) return ((a < 0) != (b < 0)) ? kMin : kMax;
  return r;
}
}  // namespace time_internal

// A signed span of simulated time, in whole microseconds.
class SimDuration {
 public:
  // Zero.
  constexpr SimDuration() = default;

  static constexpr SimDuration Micros(int64_t n) { return SimDuration(n); }
  static constexpr SimDuration Millis(int64_t n) {
    return SimDuration(time_internal::SaturatingMul(n, 1'000));
  }
  static constexpr SimDuration Seconds(int64_t n) {
    return SimDuration(time_internal::SaturatingMul(n, 1'000'000));
  }
  static constexpr SimDuration Minutes(int64_t n) {
    return SimDuration(time_internal::SaturatingMul(n, 60'000'000));
  }
  static constexpr SimDuration Hours(int64_t n) {
    return SimDuration(time_internal::SaturatingMul(n, 3'600'000'000));
  }
  static constexpr SimDuration Zero() { return SimDuration(0); }
  // The saturation bounds; also "never" where a duration is required.
  static constexpr SimDuration Max() { return SimDuration(time_internal::kMax); }
  static constexpr SimDuration Min() { return SimDuration(time_internal::kMin); }

  constexpr int64_t micros() const { return us_; }
  // For reports and statistics only; never feed it back into the model.
  constexpr double seconds() const { return static_cast<double>(us_) / 1e6; }

  constexpr auto operator<=>(const SimDuration&) const = default;

  constexpr SimDuration operator-() const {
    return SimDuration(us_ == time_internal::kMin ? time_internal::kMax : -us_);
  }
  constexpr SimDuration operator+(SimDuration o) const {
    return SimDuration(time_internal::SaturatingAdd(us_, o.us_));
  }
  constexpr SimDuration operator-(SimDuration o) const {
    return SimDuration(time_internal::SaturatingSub(us_, o.us_));
  }
  constexpr SimDuration operator*(int64_t k) const {
    return SimDuration(time_internal::SaturatingMul(us_, k));
  }
  // Integer division, truncating towards zero. REQUIRES: k != 0.
  constexpr SimDuration operator/(int64_t k) const {
    if (us_ == time_internal::kMin && k == -1) return Max();
    return SimDuration(us_ / k);
  }
  constexpr SimDuration& operator+=(SimDuration o) { return *this = *this + o; }
  constexpr SimDuration& operator-=(SimDuration o) { return *this = *this - o; }

 private:
  constexpr explicit SimDuration(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// A point in simulated time: microseconds since the run's t=0.
class SimTime {
 public:
  // t=0.
  constexpr SimTime() = default;

  static constexpr SimTime Zero() { return SimTime(0); }
  static constexpr SimTime FromMicros(int64_t us) { return SimTime(us); }
  // The end of time: later than every event the model can schedule.
  static constexpr SimTime Max() { return SimTime(time_internal::kMax); }

  constexpr int64_t micros() const { return us_; }
  // Seconds since t=0, for reports only.
  constexpr double seconds() const { return static_cast<double>(us_) / 1e6; }
  // The span since t=0.
  constexpr SimDuration SinceStart() const { return SimDuration::Micros(us_); }

  constexpr auto operator<=>(const SimTime&) const = default;

  constexpr SimTime operator+(SimDuration d) const {
    return SimTime(time_internal::SaturatingAdd(us_, d.micros()));
  }
  constexpr SimTime operator-(SimDuration d) const {
    return SimTime(time_internal::SaturatingSub(us_, d.micros()));
  }
  constexpr SimDuration operator-(SimTime o) const {
    return SimDuration::Micros(time_internal::SaturatingSub(us_, o.us_));
  }
  constexpr SimTime& operator+=(SimDuration d) { return *this = *this + d; }

 private:
  constexpr explicit SimTime(int64_t us) : us_(us) {}
  int64_t us_ = 0;
};

// Parses a Go/Kubernetes duration or a bare number of seconds:
//   "250ms", "1.5s", "2m30s", "1h", "-3s", "+5s", "0", "5" (= 5s), "0.25" (= 250ms).
// Units: ns, us, µs (U+00B5 or U+03BC), ms, s, m, h. A value must be a whole
// number of microseconds ("1ns" is an error: finer than the simulator's
// resolution); values beyond ±292,000 years are an error. No white space.
// Whether a negative duration is allowed is the caller's rule (docs/scenario-format.md forbids
// it for every fixed duration of a scenario).
Expected<SimDuration> ParseDuration(std::string_view text);

// Go's time.Duration.String(): "0s", "250ms", "1.5µs", "1m30s", "1h0m0s",
// "-2.5s". ParseDuration(FormatDuration(d)) == d for every d.
std::string FormatDuration(SimDuration d);

// Seconds with exactly `decimals` digits after the point, for event logs and
// CSV: FormatSeconds(SimTime::FromMicros(12'500'000), 3) == "12.500".
// REQUIRES: 0 <= decimals <= 6. Rounds half away from zero.
std::string FormatSeconds(SimDuration d, int decimals);
inline std::string FormatSeconds(SimTime t, int decimals) {
  return FormatSeconds(t.SinceStart(), decimals);
}

}  // namespace kubesim

#endif  // KUBESIM_ENGINE_TIME_H_
