// Duration parsing and printing; see include/kubesim/engine/time.h.
#include "kubesim/engine/time.h"

#include <fmt/format.h>

#include <array>
#include <cstdint>
#include <string>

namespace kubesim {
namespace {

__extension__ typedef __int128 Int128;  // exact arithmetic while parsing

struct Unit {
  std::string_view name;
  int64_t nanos;
};

// Go's time.ParseDuration units (unitMap in src/time/format.go).
constexpr std::array<Unit, 8> kUnits = {{
    {"ns", 1},
    {"us", 1'000},
    {"\xC2\xB5s", 1'000},  // U+00B5 micro sign
    {"\xCE\xBCs", 1'000},  // U+03BC Greek small letter mu
    {"ms", 1'000'000},
    {"s", 1'000'000'000},
    {"m", 60'000'000'000},
    {"h", 3'600'000'000'000},
}};

constexpr Int128 kMaxNanos = static_cast<Int128>(time_internal::kMax) * 1000;

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Error Bad(std::string_view text, std::string_view why) {
  return Error{fmt::format("invalid duration \"{}\": {}", text, why)};
}

}  // namespace

Expected<SimDuration> ParseDuration(std::string_view text) {
  std::string_view s = text;
  if (s.empty()) return Bad(text, "empty (write e.g. 250ms, 1.5s, 2m30s or a number of seconds)");
  bool negative = false;
  if (s.front() == '-' || s.front() == '+') {
    negative = s.front() == '-';
    s.remove_prefix(1);
  }
  if (s.empty()) return Bad(text, "a sign without a number");
  // The largest magnitude: int64's range is one larger below zero, so that
  // SimDuration::Min() (what FormatDuration prints as "-2562047788h0m54.775808s")
  // parses back (found by fuzz/parsers_fuzzer.cc).
  const Int128 max_nanos = negative ? kMaxNanos + 1000 : kMaxNanos;

  Int128 total_nanos = 0;
  bool first = true;
  while (!s.empty()) {
    // The number: digits, optionally '.', optionally digits (".5" and "1." are Go's too).
    Int128 whole = 0;
    int whole_digits = 0;
    while (!s.empty() && IsDigit(s.front())) {
      if (whole_digits >= 25) return Bad(text, "out of range");
      whole = whole * 10 + (s.front() - '0');
      ++whole_digits;
      s.remove_prefix(1);
    }
    Int128 frac = 0;
    Int128 frac_scale = 1;
    int frac_digits = 0;
    bool nonzero_beyond = false;  // digits past what we can keep exactly
    if (!s.empty() && s.front() == '.') {
      s.remove_prefix(1);
      while (!s.empty() && IsDigit(s.front())) {
        if (frac_digits < 18) {
          frac = frac * 10 + (s.front() - '0');
          frac_scale *= 10;
        } else if (s.front() != '0') {
          nonzero_beyond = true;
        }
        ++frac_digits;
        s.remove_prefix(1);
      }
      if (whole_digits == 0 && frac_digits == 0) return Bad(text, "a '.' without digits");
    } else if (whole_digits == 0) {
      return Bad(text, fmt::format("expected a number at \"{}\"", s));
    }

    // The unit: a run of non-digit, non-'.' characters.
    size_t unit_len = 0;
    while (unit_len < s.size() && !IsDigit(s[unit_len]) && s[unit_len] != '.') ++unit_len;
    std::string_view unit_text = s.substr(0, unit_len);
    s.remove_prefix(unit_len);

    int64_t unit_nanos = 0;
    if (unit_text.empty()) {
      // A bare number of seconds is allowed only as the whole text ("5", "0.25").
      if (!first || !s.empty()) return Bad(text, "missing unit (use ns, us, ms, s, m or h)");
      unit_nanos = 1'000'000'000;
    } else {
      for (const Unit& u : kUnits) {
        if (u.name == unit_text) unit_nanos = u.nanos;
      }
      if (unit_nanos == 0) {
        return Bad(text,
                   fmt::format("unknown unit \"{}\" (use ns, us, ms, s, m or h)", unit_text));
      }
    }

    const Int128 frac_nanos_scaled = frac * unit_nanos;
    if (nonzero_beyond || frac_nanos_scaled % frac_scale != 0) {
      return Bad(text, "finer than the simulator's 1us resolution");
    }
    total_nanos += whole * unit_nanos + frac_nanos_scaled / frac_scale;
    if (total_nanos > max_nanos) return Bad(text, "out of range (more than 292,000 years)");
    first = false;
  }
  if (total_nanos % 1000 != 0) return Bad(text, "finer than the simulator's 1us resolution");
  const Int128 micros = total_nanos / 1000;
  return SimDuration::Micros(static_cast<int64_t>(negative ? -micros : micros));
}

namespace {

// Appends `v` / 10^prec with the fraction's trailing zeros (and a lone '.') dropped,
// like Go's fmtFrac + fmtInt.
void AppendFraction(std::string& out, uint64_t v, int prec) {
  uint64_t scale = 1;
  for (int i = 0; i < prec; ++i) scale *= 10;
  out += std::to_string(v / scale);
  uint64_t frac = v % scale;
  if (frac == 0) return;
  std::string digits(static_cast<size_t>(prec), '0');
  for (int i = prec - 1; i >= 0; --i) {
    digits[static_cast<size_t>(i)] = static_cast<char>('0' + frac % 10);
    frac /= 10;
  }
  while (!digits.empty() && digits.back() == '0') digits.pop_back();
  out += '.';
  out += digits;
}

uint64_t Magnitude(int64_t v) {
  return v < 0 ? ~static_cast<uint64_t>(v) + 1 : static_cast<uint64_t>(v);
}

}  // namespace

std::string FormatDuration(SimDuration d) {
  const int64_t us = d.micros();
  if (us == 0) return "0s";
  std::string out = us < 0 ? "-" : "";
  const uint64_t u = Magnitude(us);
  if (u < 1'000) {
    out += std::to_string(u);
    out += "\xC2\xB5s";  // Go prints the micro sign
  } else if (u < 1'000'000) {
    AppendFraction(out, u, 3);
    out += "ms";
  } else {
    const uint64_t secs = u / 1'000'000;
    const uint64_t hours = secs / 3600;
    const uint64_t minutes = (secs / 60) % 60;
    if (hours > 0) out += std::to_string(hours) + "h";
    if (hours > 0 || minutes > 0) out += std::to_string(minutes) + "m";
    AppendFraction(out, (secs % 60) * 1'000'000 + u % 1'000'000, 6);
    out += "s";
  }
  return out;
}

std::string FormatSeconds(SimDuration d, int decimals) {
  const int64_t us = d.micros();
  uint64_t whole = Magnitude(us) / 1'000'000;
  uint64_t frac = Magnitude(us) % 1'000'000;
  uint64_t scale = 1;
  for (int i = decimals; i < 6; ++i) scale *= 10;
  uint64_t limit = 1'000'000 / scale;
  uint64_t q = (frac + scale / 2) / scale;
  if (q == limit) {
    ++whole;
    q = 0;
  }
  std::string out = us < 0 ? "-" : "";
  out += std::to_string(whole);
  if (decimals > 0) out += fmt::format(".{:0{}}", q, decimals);
  return out;
}

}  // namespace kubesim
