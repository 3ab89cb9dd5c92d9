// Expected<T>: a value or an error message, the return type of everything in
// kubesim that can fail on bad input.
//
// The model: parsing user text either yields a value or says, in one sentence
// a user can act on, what is wrong. Callers must look (the type is
// [[nodiscard]]); positions (FILE:LINE:COL) are added by the layer that knows
// them, the scenario loader. Failures inside the simulated cluster are model
// states, never Expected errors, and broken invariants are assertions.
#ifndef KUBESIM_ENGINE_EXPECTED_H_
#define KUBESIM_ENGINE_EXPECTED_H_

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace kubesim {

// The error half of an Expected: a message that says what is wrong and, where
// it can, how to fix it ("duration \"5x\": unknown unit \"x\" (use ns, us, ms,
// s, m or h)").
struct Error {
  std::string message;
};

template <typename T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}   // NOLINT: implicit by design
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  // REQUIRES: ok().
  const T& value() const& {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  const T* operator->() const { return &value(); }

  // REQUIRES: !ok().
  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(state_).message;
  }

 private:
  std::variant<T, Error> state_;
};

}  // namespace kubesim

#endif  // KUBESIM_ENGINE_EXPECTED_H_
