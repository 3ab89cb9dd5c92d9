// Quantity: a Kubernetes resource quantity (`500m`, `1.5`, `128Mi`, `1G`,
// `1e3`), held exactly in milli-units.
//
// The model: Kubernetes writes amounts of CPU, memory and other resources as
// resource.Quantity (k8s.io/apimachinery/pkg/api/resource/quantity.go):
//
//   quantity ::= [+-] digits [. digits] suffix
//   suffix   ::= binarySI (Ki Mi Gi Ti Pi Ei) | decimalSI (n u m "" k M G T P E)
//              | decimalExponent (e|E [+-] digits)
//
// kubesim keeps one exact integer, the value in thousandths (CPU is counted in
// millicores, memory in bytes = MilliValue()/1000). As Kubernetes'
// MilliValue() and Value() do, a value finer than the unit rounds *up*
// (`0.1m` of CPU is 1m; `1.5` bytes is 2 bytes). Values whose milli-value does
// not fit an int64 (beyond about 9.2e15 units, 8 PiB of memory) are refused
// with an error rather than silently saturated.
#ifndef KUBESIM_K8S_QUANTITY_H_
#define KUBESIM_K8S_QUANTITY_H_

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "kubesim/engine/expected.h"

namespace kubesim::k8s {

class Quantity {
 public:
  // Zero.
  constexpr Quantity() = default;
  static constexpr Quantity FromMilli(int64_t milli) { return Quantity(milli); }

  // The amount in thousandths of the unit (millicores for CPU).
  constexpr int64_t MilliValue() const { return milli_; }
  // The amount in whole units (bytes for memory), rounded up as Kubernetes'
  // Quantity.Value() rounds.
  int64_t Value() const;

  constexpr bool IsNegative() const { return milli_ < 0; }
  constexpr bool IsZero() const { return milli_ == 0; }
  constexpr auto operator<=>(const Quantity&) const = default;

 private:
  constexpr explicit Quantity(int64_t milli) : milli_(milli) {}
  int64_t milli_ = 0;
};

// Parses Kubernetes quantity syntax exactly. Errors say what is malformed
// ("quantity \"1.5Gb\": unknown suffix \"Gb\" (use Ki, Mi, Gi, Ti, Pi, Ei, m,
// k, M, G, T, P, E or an exponent like e3)").
Expected<Quantity> ParseQuantity(std::string_view text);

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_QUANTITY_H_
