// IntOrPercent: the Kubernetes IntOrString used by `maxSurge` and
// `maxUnavailable` — an absolute count (`1`) or a percentage of the desired
// replicas (`"25%"`).
//
// The model: validation looks at the literal value (`0` and `0%` are both
// "zero"), while the Deployment controller resolves a percentage against the
// replica count, rounding surge up and unavailability down
// (GetScaledValueFromIntOrPercent in
// k8s.io/apimachinery/pkg/util/intstr/intstr.go, used by ResolveFenceposts).
#ifndef KUBESIM_K8S_INT_OR_PERCENT_H_
#define KUBESIM_K8S_INT_OR_PERCENT_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "kubesim/engine/expected.h"

namespace kubesim::k8s {

struct IntOrPercent {
  bool is_percent = false;
  int32_t value = 0;  // the count, or the percentage when is_percent

  static IntOrPercent Int(int32_t v) { return {false, v}; }
  static IntOrPercent Percent(int32_t p) { return {true, p}; }

  // Validation's view: the literal value is 0 or 0%.
  bool IsZero() const { return value == 0; }
  // The absolute count for `total` replicas: a percentage is scaled and
  // rounded up (`round_up`) or down. An integer is returned as is.
  int32_t Resolve(int32_t total, bool round_up) const;
  // "1" or "25%".
  std::string ToString() const;

  bool operator==(const IntOrPercent&) const = default;
};

// Parses the string form of an IntOrString percentage, "25%". Kubernetes
// requires a whole number followed by '%' ("a valid percent string must be a
// numeric string followed by an ending '%'", ValidatePercent in
// pkg/apis/apps/validation/validation.go).
Expected<IntOrPercent> ParsePercent(std::string_view text);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_INT_OR_PERCENT_H_
