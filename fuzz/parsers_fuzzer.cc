// libFuzzer target: the small text parsers — durations, Kubernetes
// quantities, percentages and duration distributions — and the round-trip
// properties their headers promise (parsers_properties.h says which; the
// first byte of an input picks the parser: "d1m30s", "q128Mi", "p25%",
// "r{uniform: [1s, 3s]}", "u" + 8 bytes of microseconds). A property that
// fails aborts, so libFuzzer saves the input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>

#include <fmt/format.h>

#include "parsers_properties.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (const auto broken = kubesim::fuzz::CheckParsers(data, size)) {
    fmt::print(stderr, "parsers_fuzzer: property violated: {}\n", *broken);
    std::abort();
  }
  return 0;
}
