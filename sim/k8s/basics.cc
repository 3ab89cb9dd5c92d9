// Diagnostics, quantities, int-or-percent values, label selectors, source
// maps and object helpers: the small value types of include/kubesim/k8s/.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <limits>

#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/int_or_percent.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/node_affinity.h"
#include "kubesim/k8s/object.h"
#include "kubesim/k8s/quantity.h"
#include "kubesim/k8s/validation.h"

namespace kubesim::k8s {

SimDuration ExecSleepDuration(const std::vector<std::string>& command) {
  std::string text;
  for (const std::string& w : command) text += w + " ";
  const size_t at = text.rfind("sleep ");
  if (at == std::string::npos) return SimDuration::Zero();
  const auto d = ParseDuration(text.substr(at + 6, text.find(' ', at + 6) - (at + 6)));
  return d.ok() && *d > SimDuration::Zero() ? *d : SimDuration::Zero();
}

// ---- Diagnostic -------------------------------------------------------------

std::string Diagnostic::ToString() const {
  const char* what = severity == Severity::kError ? "error" : "warning";
  if (position.line <= 0) return fmt::format("{}: {}: {}", position.file, what, message);
  return fmt::format("{}:{}:{}: {}: {}", position.file, position.line, position.column, what,
                     message);
}

bool HasErrors(const Diagnostics& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

// ---- Quantity ---------------------------------------------------------------

int64_t Quantity::Value() const {
  // Ceiling division by 1000 (Quantity.Value() rounds up).
  int64_t q = milli_ / 1000;
  if (milli_ % 1000 > 0) ++q;
  return q;
}

namespace {

__extension__ typedef unsigned __int128 U128;  // exact quantity arithmetic

constexpr std::string_view kSuffixHelp =
    "use Ki, Mi, Gi, Ti, Pi, Ei, m, k, M, G, T, P, E or an exponent like e3";

bool MulOverflows(U128 a, U128 b, U128* out) {
  if (a != 0 && b > std::numeric_limits<U128>::max() / a) return true;
  *out = a * b;
  return false;
}

}  // namespace

Expected<Quantity> ParseQuantity(std::string_view text) {
  const std::string quoted = fmt::format("quantity \"{}\"", text);
  if (text.empty()) return Error{"quantity is empty (write a number such as 500m, 1.5 or 128Mi)"};
  size_t i = 0;
  bool negative = false;
  if (text[i] == '+' || text[i] == '-') {
    negative = text[i] == '-';
    ++i;
  }
  std::string digits;
  int frac_len = 0;
  bool seen_point = false;
  bool any_digit = false;
  for (; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
      any_digit = true;
      if (seen_point) ++frac_len;
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) {
    return Error{fmt::format("{}: expected a number followed by an optional suffix ({})", quoted,
                             kSuffixHelp)};
  }
  const std::string_view suffix = text.substr(i);
  int exp10 = 0;
  int exp2 = 0;
  if (suffix.empty()) {
  } else if (suffix == "Ki") { exp2 = 10;
  } else if (suffix == "Mi") { exp2 = 20;
  } else if (suffix == "Gi") { exp2 = 30;
  } else if (suffix == "Ti") { exp2 = 40;
  } else if (suffix == "Pi") { exp2 = 50;
  } else if (suffix == "Ei") { exp2 = 60;
  } else if (suffix == "n") { exp10 = -9;
  } else if (suffix == "u") { exp10 = -6;
  } else if (suffix == "m") { exp10 = -3;
  } else if (suffix == "k") { exp10 = 3;
  } else if (suffix == "M") { exp10 = 6;
  } else if (suffix == "G") { exp10 = 9;
  } else if (suffix == "T") { exp10 = 12;
  } else if (suffix == "P") { exp10 = 15;
  } else if (suffix == "E") { exp10 = 18;
  } else if (suffix[0] == 'e' || suffix[0] == 'E') {
    size_t j = 1;
    bool exp_negative = false;
    if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) {
      exp_negative = suffix[j] == '-';
      ++j;
    }
    if (j == suffix.size()) {
      return Error{fmt::format("{}: the exponent has no digits ({})", quoted, kSuffixHelp)};
    }
    int64_t e = 0;
    for (; j < suffix.size(); ++j) {
      if (suffix[j] < '0' || suffix[j] > '9') {
        return Error{fmt::format("{}: unknown suffix \"{}\" ({})", quoted, suffix, kSuffixHelp)};
      }
      e = std::min<int64_t>(e * 10 + (suffix[j] - '0'), 100'000);
    }
    exp10 = static_cast<int>(exp_negative ? -e : e);
  } else {
    return Error{fmt::format("{}: unknown suffix \"{}\" ({})", quoted, suffix, kSuffixHelp)};
  }

  // value = digits * 10^(exp10 - frac_len) * 2^exp2; we want ceil(value * 1000).
  size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return Quantity::FromMilli(0);
  digits.erase(0, first);
  int64_t e10 = static_cast<int64_t>(exp10) - frac_len + 3;
  while (digits.size() > 1 && digits.back() == '0') {
    digits.pop_back();
    ++e10;
  }
  const std::string too_large = fmt::format(
      "{}: too large (kubesim holds quantities up to 9223372036854775807m, about 9.2e15)", quoted);
  if (digits.size() > 36) {
    return Error{fmt::format("{}: more than 36 significant digits", quoted)};
  }
  U128 n = 0;
  for (char c : digits) n = n * 10 + static_cast<unsigned>(c - '0');
  if (MulOverflows(n, U128{1} << exp2, &n)) return Error{too_large};
  U128 milli = 0;
  if (e10 >= 0) {
    if (e10 > 38) return Error{too_large};
    U128 p = 1;
    for (int64_t k = 0; k < e10; ++k) p *= 10;
    if (MulOverflows(n, p, &milli)) return Error{too_large};
  } else if (-e10 > 38) {
    milli = 1;  // a positive amount below 10^-38 of a milli-unit rounds up to 1m
  } else {
    U128 p = 1;
    for (int64_t k = 0; k < -e10; ++k) p *= 10;
    milli = n / p + (n % p != 0 ? 1 : 0);
  }
  if (milli > static_cast<U128>(std::numeric_limits<int64_t>::max())) return Error{too_large};
  const auto m = static_cast<int64_t>(milli);
  return Quantity::FromMilli(negative ? -m : m);
}

// ---- IntOrPercent -----------------------------------------------------------

int32_t IntOrPercent::Resolve(int32_t total, bool round_up) const {
  if (!is_percent) return value;
  const int64_t scaled = static_cast<int64_t>(value) * total;
  int64_t r = scaled / 100;
  if (round_up && scaled % 100 > 0) ++r;
  return static_cast<int32_t>(std::clamp<int64_t>(r, std::numeric_limits<int32_t>::min(),
                                                  std::numeric_limits<int32_t>::max()));
}

std::string IntOrPercent::ToString() const {
  return is_percent ? fmt::format("{}%", value) : fmt::format("{}", value);
}

Expected<IntOrPercent> ParsePercent(std::string_view text) {
  const auto bad = [&] {
    return Error{fmt::format(
        "Invalid value: \"{}\": a valid percent string must be a numeric string followed by an "
        "ending '%' (e.g. '1%',  or '93%')",
        text)};
  };
  if (text.size() < 2 || text.back() != '%') return bad();
  int64_t v = 0;
  for (char c : text.substr(0, text.size() - 1)) {
    if (c < '0' || c > '9') return bad();
    v = v * 10 + (c - '0');
    if (v > std::numeric_limits<int32_t>::max()) {
      return Error{fmt::format("Invalid value: \"{}\": the percentage is too large", text)};
    }
  }
  return IntOrPercent::Percent(static_cast<int32_t>(v));
}

// ---- Labels -----------------------------------------------------------------

bool LabelSelectorRequirement::Matches(const Labels& labels) const {
  const auto it = labels.find(key);
  const bool has = it != labels.end();
  const auto in_values = [&] {
    return has && std::find(values.begin(), values.end(), it->second) != values.end();
  };
  switch (op) {
    case Operator::kIn: return in_values();
    case Operator::kNotIn: return !in_values();
    case Operator::kExists: return has;
    case Operator::kDoesNotExist: return !has;
  }
  return false;
}

const char* OperatorName(LabelSelectorRequirement::Operator op) {
  switch (op) {
    case LabelSelectorRequirement::Operator::kIn: return "In";
    case LabelSelectorRequirement::Operator::kNotIn: return "NotIn";
    case LabelSelectorRequirement::Operator::kExists: return "Exists";
    case LabelSelectorRequirement::Operator::kDoesNotExist: return "DoesNotExist";
  }
  return "?";
}

bool LabelSelector::Matches(const Labels& labels) const {
  if (!MapSelectorMatches(match_labels, labels)) return false;
  return std::all_of(match_expressions.begin(), match_expressions.end(),
                     [&](const LabelSelectorRequirement& r) { return r.Matches(labels); });
}

bool MapSelectorMatches(const Labels& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    const auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

Expected<LabelSelector> ParseSelector(std::string_view text) {
  // labels.Parse's lexer: identifiers run to a blank, ',', '(', ')', '=',
  // '!', '<' or '>'; blanks between tokens are skipped.
  using Op = LabelSelectorRequirement::Operator;
  LabelSelector out;
  size_t i = 0;
  const auto skip = [&] {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  };
  const auto word = [&] {
    skip();
    const size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t' && text[i] != ',' &&
           text[i] != '(' && text[i] != ')' && text[i] != '=' && text[i] != '!' && text[i] != '<' &&
           text[i] != '>') {
      ++i;
    }
    return std::string(text.substr(start, i - start));
  };
  const auto fail = [&](std::string why) {
    return Error{fmt::format("unable to parse requirement: {} (in selector \"{}\")", why, text)};
  };
  skip();
  if (i == text.size()) return out;
  while (true) {
    LabelSelectorRequirement r;
    skip();
    const bool negated = i < text.size() && text[i] == '!';
    if (negated) ++i;
    r.key = word();
    if (r.key.empty()) return fail("found no key where one was expected");
    if (auto why = CheckLabelKey(r.key); !why.empty()) {
      return fail(fmt::format("key \"{}\": {}", r.key, why));
    }
    skip();
    const bool at_end = i == text.size() || text[i] == ',';
    if (negated) {
      if (!at_end) return fail(fmt::format("\"!{}\" takes no operator", r.key));
      r.op = Op::kDoesNotExist;
    } else if (at_end) {
      r.op = Op::kExists;
    } else if (text[i] == '=' || text[i] == '!') {
      if (text.substr(i, 2) == "==")
        i += 2;
      else if (text.substr(i, 2) == "!=")
        i += 2, r.op = Op::kNotIn;
      else if (text[i] == '=')
        ++i;
      else
        return fail(fmt::format("expected =, == or != after \"{}\"", r.key));
      if (r.op != Op::kNotIn) r.op = Op::kIn;
      r.values.push_back(word());
    } else {
      const std::string op = word();
      if (op != "in" && op != "notin") {
        return fail(
            fmt::format("unknown operator \"{}\" after \"{}\" (use =, ==, !=, in or "
                        "notin)",
                        op.empty() ? std::string(1, text[i]) : op, r.key));
      }
      r.op = op == "in" ? Op::kIn : Op::kNotIn;
      skip();
      if (i == text.size() || text[i] != '(') return fail(fmt::format("expected ( after {}", op));
      ++i;
      while (true) {
        r.values.push_back(word());
        skip();
        if (i < text.size() && text[i] == ',') {
          ++i;
          continue;
        }
        if (i < text.size() && text[i] == ')') {
          ++i;
          break;
        }
        return fail(fmt::format("expected , or ) in the values of \"{}\"", r.key));
      }
      if (r.values.size() == 1 && r.values[0].empty()) {
        return fail(
            fmt::format("for 'in', 'notin' operators, values set can't be empty "
                        "(\"{}\")",
                        r.key));
      }
    }
    for (const std::string& v : r.values) {
      if (auto why = CheckLabelValue(v); !why.empty()) {
        return fail(fmt::format("value \"{}\": {}", v, why));
      }
    }
    out.match_expressions.push_back(std::move(r));
    skip();
    if (i == text.size()) return out;
    if (text[i] != ',') return fail(fmt::format("expected , at \"{}\"", text.substr(i)));
    ++i;
  }
}

// ---- Annotations ----------------------------------------------------------------

std::optional<int32_t> ParseDeletionCost(std::string_view value) {
  // validFirstDigit: "-", "0" alone, or 1-9 first.
  if (value.empty()) return std::nullopt;
  if (!(value[0] == '-' || value == "0" || (value[0] >= '1' && value[0] <= '9'))) {
    return std::nullopt;
  }
  int32_t n = 0;
  const auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
  if (ec != std::errc() || p != value.data() + value.size()) return std::nullopt;
  return n;
}

int32_t DeletionCostOf(const Labels& annotations) {
  const auto it = annotations.find(kPodDeletionCostAnnotation);
  if (it == annotations.end()) return 0;
  return ParseDeletionCost(it->second).value_or(0);
}

// ---- SourceMap ----------------------------------------------------------------

Position SourceMap::At(std::string_view path) const {
  while (true) {
    if (const auto it = fields_.find(path); it != fields_.end()) return it->second;
    const size_t cut = path.find_last_of(".[");
    if (cut == std::string_view::npos || cut == 0) return document;
    path = path.substr(0, cut);
  }
}

// ---- Pod handler counts ---------------------------------------------------------

int Probe::HandlerCount() const {
  return int{exec.has_value()} + int{http_get.has_value()} + int{tcp_socket.has_value()} +
         int{grpc.has_value()};
}

int LifecycleHandler::HandlerCount() const {
  return int{exec.has_value()} + int{http_get.has_value()} + int{tcp_socket.has_value()} +
         int{sleep.has_value()};
}

// ---- Object -------------------------------------------------------------------

namespace {
template <class... F>
struct Overloaded : F... {
  using F::operator()...;
};
template <class... F>
Overloaded(F...) -> Overloaded<F...>;
}  // namespace

std::string ObjectKey::Describe() const {
  std::string k = kind;
  std::transform(k.begin(), k.end(), k.begin(), [](unsigned char c) { return std::tolower(c); });
  if (namespace_name.empty() || namespace_name == defaults::kNamespace) {
    return fmt::format("{} \"{}\"", k, name);
  }
  return fmt::format("{} \"{}\" in namespace \"{}\"", k, name, namespace_name);
}

std::string_view KindOf(const Object& object) {
  return std::visit(
      Overloaded{[](const Deployment&) { return std::string_view("Deployment"); },
                 [](const ReplicaSet&) { return std::string_view("ReplicaSet"); },
                 [](const Service&) { return std::string_view("Service"); },
                 [](const Pod&) { return std::string_view("Pod"); },
                 [](const PodDisruptionBudget&) { return std::string_view("PodDisruptionBudget"); },
                 [](const Namespace&) { return std::string_view("Namespace"); },
                 [](const Rollout&) { return std::string_view("Rollout"); },
                 [](const AnalysisTemplate& t) {
                   return std::string_view(t.cluster_scope ? "ClusterAnalysisTemplate"
                                                           : "AnalysisTemplate");
                 },
                 [](const FlaggerCanary&) { return std::string_view("Canary"); }},
      object);
}

const ObjectMeta& MetaOf(const Object& object) {
  return std::visit([](const auto& o) -> const ObjectMeta& { return o.metadata; }, object);
}

const SourceMap& SourceOf(const Object& object) {
  return std::visit([](const auto& o) -> const SourceMap& { return o.source; }, object);
}

ObjectKey KeyOf(const Object& object) {
  const ObjectMeta& m = MetaOf(object);
  const auto* t = std::get_if<AnalysisTemplate>(&object);
  const bool is_namespace =
      std::holds_alternative<Namespace>(object) || (t != nullptr && t->cluster_scope);
  return ObjectKey{std::string(KindOf(object)), is_namespace ? std::string() : m.namespace_name,
                   m.name};
}

const PodTemplateSpec* TemplateOf(const Object& object) {
  if (const auto* d = std::get_if<Deployment>(&object)) return &d->spec.template_;
  if (const auto* rs = std::get_if<ReplicaSet>(&object)) return &rs->spec.template_;
  if (const auto* ro = std::get_if<Rollout>(&object)) {
    // With a workloadRef the controller replaces any template of the
    // Rollout's own with the Deployment's before it makes a ReplicaSet
    // (templateref.go): what the Rollout carries is never run.
    return ro->spec.template_ && !ro->spec.workload_ref ? &*ro->spec.template_ : nullptr;
  }
  return nullptr;
}

size_t AppContainerIndex(const ObjectMeta& metadata, const PodSpec& spec) {
  if (const auto it = metadata.annotations.find(kDefaultContainerAnnotation);
      it != metadata.annotations.end()) {
    for (size_t i = 0; i < spec.containers.size(); ++i) {
      if (spec.containers[i].name == it->second) return i;
    }
  }
  return 0;
}

std::string_view ApiVersionOfKind(std::string_view kind) {
  if (kind == "Deployment" || kind == "ReplicaSet") return "apps/v1";
  if (kind == "Service" || kind == "Pod" || kind == "Namespace") return "v1";
  if (kind == "PodDisruptionBudget") return "policy/v1";
  if (kind == "Rollout" || kind == "AnalysisTemplate" || kind == "ClusterAnalysisTemplate") {
    return "argoproj.io/v1alpha1";
  }
  if (kind == "Canary") return kFlaggerApiVersion;
  return {};
}

std::string_view KindOfResource(std::string_view resource) {
  std::string r(resource);
  std::transform(r.begin(), r.end(), r.begin(), [](unsigned char c) { return std::tolower(c); });
  if (r == "deployment" || r == "deployments" || r == "deploy" || r == "deployment.apps" ||
      r == "deployments.apps") {
    return "Deployment";
  }
  if (r == "replicaset" || r == "replicasets" || r == "rs" || r == "replicaset.apps" ||
      r == "replicasets.apps") {
    return "ReplicaSet";
  }
  if (r == "service" || r == "services" || r == "svc") return "Service";
  if (r == "pod" || r == "pods" || r == "po") return "Pod";
  if (r == "namespace" || r == "namespaces" || r == "ns") return "Namespace";
  // Argo Rollouts' CRD: names rollouts, shortNames ro.
  if (r == "rollout" || r == "rollouts" || r == "ro" || r == "rollout.argoproj.io" ||
      r == "rollouts.argoproj.io") {
    return "Rollout";
  }
  // Flagger's Canary CRD: names canaries, shortNames canary.
  if (r == "canary" || r == "canaries" || r == "canary.flagger.app" ||
      r == "canaries.flagger.app") {
    return "Canary";
  }
  // Its AnalysisTemplate CRDs: shortNames at and cat.
  if (r == "analysistemplate" || r == "analysistemplates" || r == "at" ||
      r == "analysistemplates.argoproj.io") {
    return "AnalysisTemplate";
  }
  if (r == "clusteranalysistemplate" || r == "clusteranalysistemplates" || r == "cat" ||
      r == "clusteranalysistemplates.argoproj.io") {
    return "ClusterAnalysisTemplate";
  }
  if (r == "poddisruptionbudget" || r == "poddisruptionbudgets" || r == "pdb" ||
      r == "poddisruptionbudget.policy" || r == "poddisruptionbudgets.policy") {
    return "PodDisruptionBudget";
  }
  return {};
}

// --- node affinity, taints, tolerations --------------------------------------------

bool NodeSelectorRequirement::Matches(const Labels& labels) const {
  // nodeaffinity's nodeSelectorRequirementsAsSelector: Gt and Lt take one
  // integer and compare the label's value, read as an integer, with it.
  const auto it = labels.find(key);
  switch (op) {
    case Operator::kIn:
      return it != labels.end() && std::find(values.begin(), values.end(), it->second) != values.end();
    case Operator::kNotIn:
      return it == labels.end() || std::find(values.begin(), values.end(), it->second) == values.end();
    case Operator::kExists:
      return it != labels.end();
    case Operator::kDoesNotExist:
      return it == labels.end();
    case Operator::kGt:
    case Operator::kLt: {
      if (it == labels.end() || values.size() != 1) return false;
      int64_t have = 0;
      int64_t want = 0;
      const auto parse = [](const std::string& s, int64_t* out) {
        const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
        return ec == std::errc() && end == s.data() + s.size();
      };
      if (!parse(it->second, &have) || !parse(values[0], &want)) return false;
      return op == Operator::kGt ? have > want : have < want;
    }
  }
  return false;
}

bool NodeSelectorTerm::Matches(const Labels& node_labels, std::string_view node_name) const {
  if (match_expressions.empty() && match_fields.empty()) return false;
  for (const auto& r : match_expressions) {
    if (!r.Matches(node_labels)) return false;
  }
  for (const auto& r : match_fields) {
    // metadata.name, the one field (validation refuses others), In or NotIn.
    const bool listed = r.key == "metadata.name" &&
                        std::find(r.values.begin(), r.values.end(), node_name) != r.values.end();
    if (r.op == NodeSelectorRequirement::Operator::kIn ? !listed : listed) return false;
  }
  return true;
}

bool NodeAffinity::RequiredMatches(const Labels& node_labels, std::string_view node_name) const {
  if (!required) return true;
  for (const auto& term : *required) {
    if (term.Matches(node_labels, node_name)) return true;
  }
  return false;
}

int64_t NodeAffinity::PreferredWeight(const Labels& node_labels, std::string_view node_name) const {
  int64_t sum = 0;
  for (const auto& p : preferred) {
    if (p.preference.Matches(node_labels, node_name)) sum += p.weight;
  }
  return sum;
}

bool Toleration::Tolerates(const Taint& taint) const {
  if (!effect.empty() && effect != taint.effect) return false;
  if (!key.empty() && key != taint.key) return false;
  if (op == "Exists") return true;
  return value == taint.value;  // Equal, or empty
}

const Taint* FirstUntolerated(const std::vector<Taint>& taints,
                              const std::vector<Toleration>& tolerations,
                              std::initializer_list<std::string_view> effects) {
  for (const Taint& t : taints) {
    if (std::find(effects.begin(), effects.end(), t.effect) == effects.end()) continue;
    const bool tolerated = std::any_of(tolerations.begin(), tolerations.end(),
                                       [&](const Toleration& tol) { return tol.Tolerates(t); });
    if (!tolerated) return &t;
  }
  return nullptr;
}

}  // namespace kubesim::k8s
