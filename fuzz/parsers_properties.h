// The parsers fuzzer's properties, shared with its regression test
// (tests/cluster/fuzz_regressions_test.cc): the small text parsers —
// durations (engine/time.h), Kubernetes quantities (k8s/quantity.h),
// IntOrString percentages (k8s/int_or_percent.h) and duration distributions
// (engine/random.h, whose text entry point is the scenario loader) — on
// arbitrary input, and the properties their headers promise.
//
// The first byte of an input picks the parser ('d', 'u', 'q', 'p', 'r' below;
// any other byte modulo 5 in that order); the rest is its input:
//   d  ParseDuration(x) = d  =>  ParseDuration(FormatDuration(d)) == d, and
//      "-x" parses to -d; FormatSeconds never crashes
//   u  any int64 d (the next 8 bytes, little-endian)  =>
//      ParseDuration(FormatDuration(d)) == d
//   q  ParseQuantity(x) = q  =>  "<milli>m" parses back to q; "-x" to -q;
//      Value() is the milli-value rounded up; for a plain number x: x and
//      "xe0" agree, "xk" == "xe3", "xM" == "xE6", "xm" == "xe-3"
//   p  ParsePercent(x) = p  =>  ToString() parses back to p; Resolve(total)
//      is never negative and, for 0..100%, at most total
//   r  a duration or distribution as a scenario writes it (`pull: x`): if it
//      loads, its ToString() loads back to the same distribution, and draws
//      are never negative
#ifndef KUBESIM_FUZZ_PARSERS_PROPERTIES_H_
#define KUBESIM_FUZZ_PARSERS_PROPERTIES_H_

#include <fmt/format.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "kubesim/engine/random.h"
#include "kubesim/engine/time.h"
#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/quantity.h"
#include "kubesim/scenario/load.h"

namespace kubesim::fuzz {

using Broken = std::optional<std::string>;  // the property that failed, if one did

namespace parsers_internal {

inline std::string Show(const Expected<SimDuration>& d) {
  return d.ok() ? fmt::format("{}us", d->micros()) : d.error();
}
inline std::string Show(const Expected<k8s::Quantity>& q) {
  return q.ok() ? fmt::format("{}m", q->MilliValue()) : q.error();
}

inline Broken Durations(std::string_view text) {
  const auto d = ParseDuration(text);
  if (!d.ok()) return std::nullopt;
  const std::string formatted = FormatDuration(*d);
  const auto back = ParseDuration(formatted);
  if (!back.ok() || *back != *d) {
    return fmt::format("ParseDuration(\"{}\") = {}us prints as \"{}\", which parses to {}", text,
                       d->micros(), formatted, Show(back));
  }
  for (int decimals = 0; decimals <= 6; ++decimals) (void)FormatSeconds(*d, decimals);
  if (!text.empty() && text.front() != '-' && text.front() != '+') {
    const auto negated = ParseDuration(fmt::format("-{}", text));
    if (!negated.ok() || *negated != -*d) {
      return fmt::format("\"{}\" parses to {}us, but \"-{}\" to {}", text, d->micros(), text,
                         Show(negated));
    }
  }
  return std::nullopt;
}

inline Broken DurationFromMicros(const uint8_t* data, size_t size) {
  uint64_t bits = 0;
  for (size_t i = 0; i < std::min<size_t>(size, 8); ++i) {
    bits |= static_cast<uint64_t>(data[i]) << (8 * i);
  }
  int64_t us = 0;
  std::memcpy(&us, &bits, sizeof us);
  const SimDuration d = SimDuration::Micros(us);
  const std::string formatted = FormatDuration(d);
  const auto back = ParseDuration(formatted);
  if (!back.ok() || *back != d) {
    return fmt::format("FormatDuration({}us) = \"{}\" parses to {}", us, formatted, Show(back));
  }
  return std::nullopt;
}

inline Broken SameQuantity(std::string_view a, std::string_view b) {
  const auto qa = k8s::ParseQuantity(a);
  const auto qb = k8s::ParseQuantity(b);
  if (qa.ok() != qb.ok() || (qa.ok() && *qa != *qb)) {
    return fmt::format("quantities \"{}\" ({}) and \"{}\" ({}) differ", a, Show(qa), b, Show(qb));
  }
  return std::nullopt;
}

inline Broken Quantities(std::string_view text) {
  const auto q = k8s::ParseQuantity(text);
  if (!q.ok()) return std::nullopt;
  const int64_t milli = q->MilliValue();
  if (auto bad = SameQuantity(text, fmt::format("{}m", milli))) return bad;
  // Value(): whole units, rounded up (Kubernetes' Quantity.Value()).
  if (milli >= 0 && q->Value() != milli / 1000 + (milli % 1000 != 0 ? 1 : 0)) {
    return fmt::format("quantity \"{}\" = {}m has Value() {}", text, milli, q->Value());
  }
  if (text.empty() || text.front() == '-' || text.front() == '+') return std::nullopt;
  const auto negated = k8s::ParseQuantity(fmt::format("-{}", text));
  if (!negated.ok() || negated->MilliValue() != -milli) {
    return fmt::format("\"{}\" = {}m, but \"-{}\" = {}", text, milli, text, Show(negated));
  }
  // A plain number: the decimal SI suffixes are exponents.
  if (text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
  for (const auto& [a, b] : {std::pair{"", "e0"}, std::pair{"k", "e3"}, std::pair{"M", "E6"},
                             std::pair{"m", "e-3"}}) {
    if (auto bad = SameQuantity(fmt::format("{}{}", text, a), fmt::format("{}{}", text, b))) {
      return bad;
    }
  }
  return std::nullopt;
}

inline Broken Percents(std::string_view text, int32_t some_total) {
  const auto p = k8s::ParsePercent(text);
  if (!p.ok()) return std::nullopt;
  const std::string printed = p->ToString();
  const auto back = k8s::ParsePercent(printed);
  if (!back.ok() || !(*back == *p)) {
    return fmt::format("ParsePercent(\"{}\") prints as \"{}\", which does not parse back", text,
                       printed);
  }
  for (const int32_t total : {0, 1, some_total, 2'000'000'000}) {
    for (const bool up : {false, true}) {
      const int32_t r = p->Resolve(total, up);
      if (r < 0 || (p->value <= 100 && r > total)) {
        return fmt::format("{} of {} resolves to {}", printed, total, r);
      }
    }
  }
  return std::nullopt;
}

// The pull latency of image `img` in a scenario that writes `pull: TEXT`.
inline std::optional<DurationDistribution> LoadPull(std::string_view pull) {
  const std::string text = fmt::format(R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {{name: parsers}}
spec:
  cluster:
    nodes: [{{name: node, count: 0, capacity: {{cpu: "1", memory: 1Gi}}}}]
  images:
    img:
      pull: {}
)",
                                       pull);
  scenario::LoadOptions options;
  options.read_file = [](const std::string&) -> Expected<std::string> {
    return Error{"no files here"};
  };
  options.read_stdin = []() -> Expected<std::string> { return Error{"no input here"}; };
  const auto r = scenario::LoadScenarioText(text, "parsers.yaml", options);
  if (!r.ok() || !r.scenario) return std::nullopt;
  const scenario::ImageProfile* profile = r.scenario->ProfileFor("img");
  if (profile == nullptr) return std::nullopt;
  return profile->pull;
}

inline Broken Distributions(std::string_view text, uint64_t seed) {
  // One line: the value must not end the `pull:` entry early.
  if (text.find_first_of("\r\n") != std::string_view::npos) return std::nullopt;
  const auto d = LoadPull(text);
  if (!d) return std::nullopt;
  const std::string printed = d->ToString();
  const auto back = LoadPull(printed);
  if (!back || !(*back == *d)) {
    return fmt::format("distribution `{}` prints as `{}`, which loads {}", text, printed,
                       back ? fmt::format("as {}", back->ToString()) : std::string("with errors"));
  }
  Rng rng(seed);
  for (int i = 0; i < 16; ++i) {
    const SimDuration draw = d->Draw(rng);
    if (draw < SimDuration::Zero()) {
      return fmt::format("`{}` drew a negative {}us", printed, draw.micros());
    }
  }
  return std::nullopt;
}

}  // namespace parsers_internal

// Runs the parser the first byte picks on the rest; what broke, if anything.
inline Broken CheckParsers(const uint8_t* data, size_t size) {
  using namespace parsers_internal;
  if (size == 0) return std::nullopt;
  const uint8_t which = data[0];
  const std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
  const int parser = which == 'd'   ? 0
                     : which == 'u' ? 1
                     : which == 'q' ? 2
                     : which == 'p' ? 3
                     : which == 'r' ? 4
                                    : which % 5;
  switch (parser) {
    case 0: return Durations(rest);
    case 1: return DurationFromMicros(data + 1, size - 1);
    case 2: return Quantities(rest);
    case 3: return Percents(rest, which);
    default: return Distributions(rest, which);
  }
}

}  // namespace kubesim::fuzz

#endif  // KUBESIM_FUZZ_PARSERS_PROPERTIES_H_
