// Seeded random streams and our own distributions; see
// include/kubesim/engine/random.h.
#include "kubesim/engine/random.h"

#include <fmt/format.h>

#include <cassert>
#include <cmath>
#include <numbers>

namespace kubesim {
namespace {

uint64_t SplitMix64(uint64_t& state) {
  uint64_t z = (state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Rounds a non-negative number of microseconds to a SimDuration, saturating;
// negatives and NaN become 0 (draws are clamped at 0, docs/scenario-format.md).
SimDuration ClampedMicros(double us) {
  if (!(us > 0.0)) return SimDuration::Zero();
  if (us >= 9.2e18) return SimDuration::Max();
  return SimDuration::Micros(std::llround(us));
}

}  // namespace

uint64_t StableHash(std::string_view text) {
  uint64_t h = 0xCBF29CE484222325ull;  // FNV-1a 64-bit offset basis
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;  // FNV prime
  }
  return h;
}

Rng::Rng(uint64_t seed) {
  uint64_t sm = seed;
  for (uint64_t& word : s_) word = SplitMix64(sm);
}

Rng Rng::Stream(uint64_t seed, std::string_view name) {
  uint64_t mix = seed;
  const uint64_t a = SplitMix64(mix);
  return Rng(a ^ StableHash(name));
}

double Rng::StandardNormal() {
  // Box–Muller: Z = sqrt(-2 ln(1 - U1)) * cos(2π U2); 1 - U1 is in (0, 1].
  const double u1 = Uniform01();
  const double u2 = Uniform01();
  return std::sqrt(-2.0 * std::log(1.0 - u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

double Rng::Exponential(double mean) { return -mean * std::log(1.0 - Uniform01()); }

DurationDistribution DurationDistribution::Fixed(SimDuration d) {
  DurationDistribution r;
  r.kind_ = Kind::kFixed;
  r.a_ = d;
  return r;
}

DurationDistribution DurationDistribution::Uniform(SimDuration lo, SimDuration hi) {
  assert(lo <= hi);
  DurationDistribution r;
  r.kind_ = Kind::kUniform;
  r.a_ = lo;
  r.b_ = hi;
  return r;
}

DurationDistribution DurationDistribution::Normal(SimDuration mean, SimDuration stddev) {
  assert(stddev >= SimDuration::Zero());
  DurationDistribution r;
  r.kind_ = Kind::kNormal;
  r.a_ = mean;
  r.b_ = stddev;
  return r;
}

DurationDistribution DurationDistribution::Lognormal(SimDuration median, double sigma) {
  assert(sigma >= 0.0);
  DurationDistribution r;
  r.kind_ = Kind::kLognormal;
  r.a_ = median;
  r.sigma_ = sigma;
  return r;
}

DurationDistribution DurationDistribution::Exponential(SimDuration mean) {
  assert(mean >= SimDuration::Zero());
  DurationDistribution r;
  r.kind_ = Kind::kExponential;
  r.a_ = mean;
  return r;
}

SimDuration DurationDistribution::Draw(Rng& rng) const {
  const auto a = static_cast<double>(a_.micros());
  const auto b = static_cast<double>(b_.micros());
  switch (kind_) {
    case Kind::kFixed:
      return a_ < SimDuration::Zero() ? SimDuration::Zero() : a_;
    case Kind::kUniform:
      // Closed interval [a, b] in whole microseconds: a + Below(b - a + 1).
      if (b_ <= a_) return ClampedMicros(a);
      {
        const auto span = static_cast<uint64_t>(b_.micros() - a_.micros());
        const uint64_t off = span == UINT64_MAX ? rng.Next() : rng.Below(span + 1);
        return ClampedMicros(a + static_cast<double>(off));
      }
    case Kind::kNormal:
      return ClampedMicros(a + b * rng.StandardNormal());
    case Kind::kLognormal:
      return ClampedMicros(a * std::exp(sigma_ * rng.StandardNormal()));
    case Kind::kExponential:
      return ClampedMicros(rng.Exponential(a));
  }
  return SimDuration::Zero();
}

std::string DurationDistribution::ToString() const {
  switch (kind_) {
    case Kind::kFixed:
      return FormatDuration(a_);
    case Kind::kUniform:
      return fmt::format("{{uniform: [{}, {}]}}", FormatDuration(a_), FormatDuration(b_));
    case Kind::kNormal:
      return fmt::format("{{normal: {{mean: {}, stddev: {}}}}}", FormatDuration(a_),
                         FormatDuration(b_));
    case Kind::kLognormal:
      return fmt::format("{{lognormal: {{median: {}, sigma: {}}}}}", FormatDuration(a_), sigma_);
    case Kind::kExponential:
      return fmt::format("{{exponential: {{mean: {}}}}}", FormatDuration(a_));
  }
  return "";
}

}  // namespace kubesim
