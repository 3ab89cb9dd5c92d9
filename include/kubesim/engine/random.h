// Rng and DurationDistribution: seeded, explicit randomness with results that
// are identical on every standard library.
//
// The model: there is no global random source. A simulation derives one Rng
// *stream* per stable name from the scenario's seed —
// Rng::Stream(seed, "image-pull/echo-version-7d9f-x2") — so adding a pod or a
// client never shifts anyone else's draws, and the same seed gives the same
// run. The generator is xoshiro256** (Blackman & Vigna), seeded through
// SplitMix64 from the seed and a 64-bit FNV-1a hash of the name.
//
// Distributions are our own, not std::*_distribution, whose algorithms differ
// between standard libraries (docs/architecture.md). They use only IEEE arithmetic
// and std::log / std::exp / std::sqrt / std::cos of one libm; the exact
// formulas are written down in random.cc.
//
// DurationDistribution is what a scenario writes for a latency (docs/scenario-format.md): a
// fixed duration, or {uniform: [a, b]}, {normal: {mean, stddev}},
// {lognormal: {median, sigma}}, {exponential: {mean}}. Draws are rounded to the
// nearest microsecond and clamped at 0 (and at SimDuration::Max()).
#ifndef KUBESIM_ENGINE_RANDOM_H_
#define KUBESIM_ENGINE_RANDOM_H_

#include <array>
#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>

#include "kubesim/engine/time.h"

namespace kubesim {

class Rng {
 public:
  // A generator seeded with `seed` alone.
  explicit Rng(uint64_t seed);
  // The stream named `name` of a run seeded with `seed`: independent of every
  // other name's stream, and the same in every run with that seed.
  static Rng Stream(uint64_t seed, std::string_view name);

  // 64 uniformly random bits. (Inline, with Uniform01 and Below: the
  // scheduler draws once per tied node, millions of times in a large run.)
  uint64_t Next() {  // xoshiro256** 1.0
    const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
    const uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = Rotl(s_[3], 45);
    return result;
  }
  // Uniform in [0, 1), with 53 random bits.
  double Uniform01() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  // Uniform integer in [0, n), unbiased (Lemire's method). REQUIRES: n > 0.
  uint64_t Below(uint64_t n) {
    assert(n > 0);
    __extension__ typedef unsigned __int128 U128;
    uint64_t x = Next();
    U128 m = static_cast<U128>(x) * n;
    auto low = static_cast<uint64_t>(m);
    if (low < n) {
      const uint64_t threshold = (0 - n) % n;
      while (low < threshold) {
        x = Next();
        m = static_cast<U128>(x) * n;
        low = static_cast<uint64_t>(m);
      }
    }
    return static_cast<uint64_t>(m >> 64);
  }
  // Standard normal (mean 0, stddev 1), Box–Muller; one draw per call.
  double StandardNormal();
  // Standard normal by the ziggurat method (Marsaglia & Tsang 2000, with
  // Doornik's 2005 fix: the layer and the uniform from disjoint bits): the
  // same distribution as StandardNormal, about 5 times faster, a different
  // sequence. For the load model's per-request service times.
  double ZigguratNormal();
  // Exponential with mean `mean`: -mean * log(1 - U).
  double Exponential(double mean);

 private:
  static constexpr uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::array<uint64_t, 4> s_;
};

// 64-bit FNV-1a of `text`: the stable name hash behind Rng::Stream.
uint64_t StableHash(std::string_view text);

class DurationDistribution {
 public:
  enum class Kind { kFixed, kUniform, kNormal, kLognormal, kExponential };

  // Zero, fixed.
  DurationDistribution() = default;

  static DurationDistribution Fixed(SimDuration d);
  // Uniform in [lo, hi]. REQUIRES: lo <= hi.
  static DurationDistribution Uniform(SimDuration lo, SimDuration hi);
  // Normal with `mean` and `stddev`. REQUIRES: stddev >= 0.
  static DurationDistribution Normal(SimDuration mean, SimDuration stddev);
  // Lognormal: median * exp(sigma * Z). REQUIRES: sigma >= 0.
  static DurationDistribution Lognormal(SimDuration median, double sigma);
  // Exponential with `mean`. REQUIRES: mean >= 0.
  static DurationDistribution Exponential(SimDuration mean);

  Kind kind() const { return kind_; }
  bool is_fixed() const { return kind_ == Kind::kFixed; }
  // The fixed value, the uniform's lower bound, the normal's or exponential's
  // mean, or the lognormal's median.
  SimDuration a() const { return a_; }
  // The uniform's upper bound or the normal's stddev; zero otherwise.
  SimDuration b() const { return b_; }
  // The lognormal's sigma; zero otherwise.
  double sigma() const { return sigma_; }

  // One draw, rounded to the nearest microsecond, clamped to [0, Max()].
  // A fixed distribution does not touch `rng`.
  SimDuration Draw(Rng& rng) const;
  // The same distribution, with normals from Rng::ZigguratNormal: for draws
  // made millions of times (the load model's service times). A different
  // sequence than Draw's.
  SimDuration DrawFast(Rng& rng) const;

  // The distribution as a scenario would write it: "1.5s",
  // "{uniform: [1s, 3s]}", "{lognormal: {median: 2s, sigma: 0.3}}", ...
  std::string ToString() const;

  bool operator==(const DurationDistribution&) const = default;

 private:
  Kind kind_ = Kind::kFixed;
  SimDuration a_;
  SimDuration b_;
  double sigma_ = 0.0;
};

}  // namespace kubesim

#endif  // KUBESIM_ENGINE_RANDOM_H_
