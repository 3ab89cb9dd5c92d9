#include "reader.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <limits>

namespace kubesim::k8s {
namespace {
__extension__ typedef unsigned __int128 U128;
__extension__ typedef __int128 I128;
}  // namespace

void Reader::Error(yaml::Mark mark, const std::string& path, const std::string& message) {
  ++errors_;
  error_paths_.push_back(path);
  out_->push_back(Diagnostic{Severity::kError, Pos(mark),
                             path.empty() ? prefix_ + message
                                          : fmt::format("{}{}: {}", prefix_, path, message)});
}

void Reader::FieldError(yaml::Mark mark, const std::string& path, const std::string& message) {
  ++errors_;
  error_paths_.push_back(path);
  out_->push_back(Diagnostic{Severity::kError, Pos(mark), prefix_ + message});
}

void Reader::Warning(yaml::Mark mark, const std::string& message) {
  out_->push_back(Diagnostic{Severity::kWarning, Pos(mark), message});
}

void Reader::FieldWarning(yaml::Mark mark, const std::string& path, const std::string& message) {
  Warning(mark, fmt::format("{}{}: {}", prefix_, path, message));
}

void Reader::Record(const std::string& path, const yaml::Node& n) {
  if (source_ != nullptr) source_->Record(path, Pos(n.mark));
}

const yaml::Node* Reader::Map(const yaml::Node* n, const std::string& path) {
  if (n == nullptr || n->IsNull()) return nullptr;
  Record(path, *n);
  if (n->IsMap()) return n;
  Error(n->mark, path, fmt::format("expected a mapping, got {}", yaml::Describe(*n)));
  return nullptr;
}

const yaml::Node* Reader::Seq(const yaml::Node* n, const std::string& path) {
  if (n == nullptr || n->IsNull()) return nullptr;
  Record(path, *n);
  if (n->IsSequence()) return n;
  Error(n->mark, path, fmt::format("expected a list, got {}", yaml::Describe(*n)));
  return nullptr;
}

bool Reader::String(const yaml::Node* n, const std::string& path, std::string* out) {
  if (n == nullptr || n->IsNull()) return true;
  Record(path, *n);
  if (n->IsScalar() && yaml::Resolve(*n) == yaml::ScalarType::kString) {
    *out = n->scalar;
    return true;
  }
  if (n->IsScalar()) {
    Error(n->mark, path,
          fmt::format("expected a string, got {} (quote it: \"{}\")", yaml::Describe(*n),
                      n->scalar));
  } else {
    Error(n->mark, path, fmt::format("expected a string, got {}", yaml::Describe(*n)));
  }
  return false;
}

bool ParseYamlInt(std::string_view text, int64_t* out, bool* overflow) {
  *overflow = false;
  std::string s;
  for (char c : text) {
    if (c != '_') s.push_back(c);
  }
  std::string_view v = s;
  bool negative = false;
  if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
    negative = v[0] == '-';
    v.remove_prefix(1);
  }
  int base = 10;
  if (v.starts_with("0x")) {
    base = 16;
    v.remove_prefix(2);
  } else if (v.starts_with("0o")) {
    base = 8;
    v.remove_prefix(2);
  } else if (v.starts_with("0b")) {
    base = 2;
    v.remove_prefix(2);
  } else if (v.size() > 1 && v[0] == '0') {
    base = 8;
    v.remove_prefix(1);
  }
  if (v.empty()) return false;
  U128 acc = 0;
  for (char c : v) {
    int d = 0;
    if (c >= '0' && c <= '9') d = c - '0';
    else if (c >= 'a' && c <= 'f') d = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F') d = c - 'A' + 10;
    else return false;
    if (d >= base) return false;
    acc = acc * base + d;
    if (acc > static_cast<U128>(std::numeric_limits<int64_t>::max()) + 1) {
      *overflow = true;
      return false;
    }
  }
  if (!negative && acc > static_cast<U128>(std::numeric_limits<int64_t>::max())) {
    *overflow = true;
    return false;
  }
  *out = negative ? static_cast<int64_t>(-static_cast<I128>(acc)) : static_cast<int64_t>(acc);
  return true;
}

bool Reader::Int(const yaml::Node* n, const std::string& path, int64_t lo, int64_t hi,
                 int64_t* out) {
  if (n == nullptr || n->IsNull()) return true;
  Record(path, *n);
  if (!n->IsScalar() || yaml::Resolve(*n) != yaml::ScalarType::kInt) {
    Error(n->mark, path, fmt::format("expected an integer, got {}", yaml::Describe(*n)));
    return false;
  }
  int64_t v = 0;
  bool overflow = false;
  if (!ParseYamlInt(n->scalar, &v, &overflow) || v < lo || v > hi) {
    Error(n->mark, path,
          fmt::format("{} is out of range (an integer from {} to {})",
                      n->scalar.size() > 40 ? n->scalar.substr(0, 40) + "..." : n->scalar, lo, hi));
    return false;
  }
  *out = v;
  return true;
}

bool Reader::Int32(const yaml::Node* n, const std::string& path, int32_t* out) {
  int64_t v = *out;
  if (!Int(n, path, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max(), &v)) {
    return false;
  }
  *out = static_cast<int32_t>(v);
  return true;
}

bool Reader::Int64(const yaml::Node* n, const std::string& path, int64_t* out) {
  return Int(n, path, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(),
             out);
}

bool Reader::Bool(const yaml::Node* n, const std::string& path, bool* out) {
  if (n == nullptr || n->IsNull()) return true;
  Record(path, *n);
  if (n->IsScalar() && yaml::Resolve(*n) == yaml::ScalarType::kBool) {
    *out = *yaml::ResolveBool(n->scalar);
    return true;
  }
  Error(n->mark, path, fmt::format("expected true or false, got {}", yaml::Describe(*n)));
  return false;
}

bool Reader::StringMap(const yaml::Node* n, const std::string& path, Labels* out) {
  const yaml::Node* m = Map(n, path);
  if (m == nullptr) return n == nullptr || n->IsNull();
  bool ok = true;
  for (const auto& e : m->entries) {
    std::string v;
    const std::string p = fmt::format("{}.{}", path, e.key);
    if (String(e.value.get(), p, &v)) {
      (*out)[e.key] = v;
    } else {
      ok = false;
    }
  }
  return ok;
}

bool Reader::StringList(const yaml::Node* n, const std::string& path,
                        std::vector<std::string>* out) {
  const yaml::Node* s = Seq(n, path);
  if (s == nullptr) return n == nullptr || n->IsNull();
  bool ok = true;
  for (size_t i = 0; i < s->items.size(); ++i) {
    std::string v;
    ok = String(s->items[i].get(), fmt::format("{}[{}]", path, i), &v) && ok;
    out->push_back(std::move(v));
  }
  return ok;
}

bool Reader::QuantityValue(const yaml::Node* n, const std::string& path, Quantity* out) {
  if (n == nullptr || n->IsNull()) return true;
  Record(path, *n);
  const auto t = yaml::Resolve(*n);
  if (!n->IsScalar() || t == yaml::ScalarType::kBool) {
    Error(n->mark, path, fmt::format("expected a quantity (such as 500m, 1.5 or 128Mi), got {}",
                                     yaml::Describe(*n)));
    return false;
  }
  auto q = ParseQuantity(n->scalar);
  if (!q) {
    Error(n->mark, path, q.error());
    return false;
  }
  *out = *q;
  return true;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
    }
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The known name nearest to `word`, if it is near enough to be a typo.
std::optional<std::string> Nearest(std::string_view word,
                                   const std::vector<std::string_view>& known) {
  std::optional<std::string> best;
  size_t best_d = std::numeric_limits<size_t>::max();
  for (auto k : known) {
    const size_t d = EditDistance(word, k);
    if (d < best_d) {
      best_d = d;
      best = std::string(k);
    }
  }
  const size_t limit = std::max<size_t>(2, std::min(word.size(), size_t{12}) / 3);
  if (best && best_d <= limit) return best;
  return std::nullopt;
}

}  // namespace kubesim::k8s
