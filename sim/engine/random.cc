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
  // std::llround, inline (the load model draws a service time per
  // request): truncating and the fraction left are exact (below 2^52 by
  // Sterbenz's lemma; from there on `us` is whole), so halves round up as
  // llround rounds them.
  auto whole = static_cast<int64_t>(us);
  if (us - static_cast<double>(whole) >= 0.5) ++whole;
  return SimDuration::Micros(whole);
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

namespace {

// The ziggurat's 128 layers for the standard normal (Doornik, "An Improved
// Ziggurat Method to Generate Normal Random Samples", 2005): x[i] the layers'
// right edges (x[0] = V / f(R) for the base, which holds the tail), ratio[i]
// = x[i+1] / x[i], the share of layer i inside the curve everywhere.
struct Ziggurat {
  static constexpr int kLayers = 128;
  static constexpr double kR = 3.442619855899;       // the tail's start
  static constexpr double kV = 9.91256303526217e-3;  // each layer's area
  std::array<double, kLayers + 1> x{};
  std::array<double, kLayers> ratio{};
  Ziggurat() {
    double f = std::exp(-0.5 * kR * kR);
    x[0] = kV / f;
    x[1] = kR;
    x[kLayers] = 0;
    for (int i = 2; i < kLayers; ++i) {
      x[i] = std::sqrt(-2 * std::log(kV / x[i - 1] + f));
      f = std::exp(-0.5 * x[i] * x[i]);
    }
    for (int i = 0; i < kLayers; ++i) ratio[i] = x[i + 1] / x[i];
  }
};

const Ziggurat& Layers() {
  static const Ziggurat z;  // thread-safe initialization (sweeps run threads)
  return z;
}

}  // namespace

double Rng::ZigguratNormal() {
  const Ziggurat& z = Layers();
  for (;;) {
    const uint64_t bits = Next();
    // u uniform in [-1, 1) from the high 53 bits, the layer from the low 7.
    const double u = 2.0 * (static_cast<double>(bits >> 11) * 0x1.0p-53) - 1.0;
    const auto i = static_cast<int>(bits & 0x7F);
    if (std::fabs(u) < z.ratio[i]) return u * z.x[i];  // inside the layer's rectangle
    if (i == 0) {
      // The base layer's part beyond R: the tail (Marsaglia 1964), with
      // 1 - U in (0, 1] so that the logarithm is finite.
      double tx = 0;
      double ty = 0;
      do {
        tx = std::log(1.0 - Uniform01()) / Ziggurat::kR;
        ty = std::log(1.0 - Uniform01());
      } while (-2 * ty < tx * tx);
      return u < 0 ? tx - Ziggurat::kR : Ziggurat::kR - tx;
    }
    // The wedge between the rectangle and the curve.
    const double xx = u * z.x[i];
    const double f0 = std::exp(-0.5 * (z.x[i] * z.x[i] - xx * xx));
    const double f1 = std::exp(-0.5 * (z.x[i + 1] * z.x[i + 1] - xx * xx));
    if (f1 + Uniform01() * (f0 - f1) < 1.0) return xx;
  }
}

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

SimDuration DurationDistribution::DrawFast(Rng& rng) const {
  switch (kind_) {
    case Kind::kNormal:
      return ClampedMicros(static_cast<double>(a_.micros()) +
                           static_cast<double>(b_.micros()) * rng.ZigguratNormal());
    case Kind::kLognormal:
      return ClampedMicros(static_cast<double>(a_.micros()) *
                           std::exp(sigma_ * rng.ZigguratNormal()));
    default:
      return Draw(rng);
  }
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
