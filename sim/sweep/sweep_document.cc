// Loading and checking a `kind: Sweep` document; see include/kubesim/sweep/sweep.h.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <set>

#include "../k8s/reader.h"
#include "kubesim/sweep/sweep.h"
#include "vary.h"

namespace kubesim::sweep {
namespace {

using k8s::Diagnostic;
using k8s::Position;
using k8s::Severity;
using yaml::Node;

constexpr std::string_view kApiVersion = "kubesim/v1alpha1";
constexpr int64_t kMaxSeeds = 1'000'000;
constexpr int64_t kMaxRange = 100'000;   // values of a minimize range
constexpr size_t kMaxPoints = 100'000;   // grid points
constexpr size_t kMaxRuns = 10'000'000;  // grid points x seeds

class SweepLoader {
 public:
  SweepLoader(std::string_view text, std::string file, const scenario::LoadOptions& options)
      : text_(text), file_(std::move(file)), options_(options), r_(file_, &diags_, "", nullptr) {}

  SweepLoad Run();

 private:
  void CheckFields(const Node& map, const std::string& path,
                   const std::vector<std::string_view>& known);
  void DecodeSeeds(const Node* n, Sweep* s);
  std::optional<size_t> DecodeParameter(const Node& n, const std::string& path, Sweep* s);
  void DecodeVary(const Node* n, Sweep* s);
  void DecodeMetrics(const Node* n, Sweep* s);
  void DecodeMinimize(const Node* n, Sweep* s);
  void DecodeSubjectTo(const Node* n, Sweep* s);
  std::optional<size_t> AddMetric(const std::string& text, yaml::Mark mark, const std::string& path,
                                  Sweep* s);
  void CheckPoints(const Sweep& s);

  std::string_view text_;
  std::string file_;
  const scenario::LoadOptions& options_;
  k8s::Diagnostics diags_;
  k8s::Reader r_;
};

void SweepLoader::CheckFields(const Node& map, const std::string& path,
                              const std::vector<std::string_view>& known) {
  for (const auto& e : map.entries) {
    if (std::find(known.begin(), known.end(), e.key) != known.end()) continue;
    const std::string where = path.empty() ? "" : fmt::format(" in {}", path);
    std::string list;
    for (auto k : known) list += fmt::format("{}{}", list.empty() ? "" : ", ", k);
    if (auto near = k8s::Nearest(e.key, known)) {
      r_.Error(e.key_mark, "",
               fmt::format("unknown field \"{}\"{}; did you mean \"{}\"?", e.key, where, *near));
    } else {
      r_.Error(e.key_mark, "",
               fmt::format("unknown field \"{}\"{} (known fields: {})", e.key, where, list));
    }
  }
}

void SweepLoader::DecodeSeeds(const Node* n, Sweep* s) {
  if (n == nullptr || n->IsNull()) {
    s->seeds = {1};
    return;
  }
  if (n->IsSequence()) {
    if (n->items.empty()) r_.Error(n->mark, "spec.seeds", "the list of seeds is empty");
    for (size_t i = 0; i < n->items.size(); ++i) {
      int64_t seed = 0;
      if (!r_.Int(n->items[i].get(), fmt::format("spec.seeds[{}]", i), 0,
                  std::numeric_limits<int64_t>::max(), &seed)) {
        continue;
      }
      if (std::find(s->seeds.begin(), s->seeds.end(), static_cast<uint64_t>(seed)) !=
          s->seeds.end()) {
        r_.Error(n->items[i]->mark, fmt::format("spec.seeds[{}]", i),
                 fmt::format("seed {} is listed twice", seed));
        continue;
      }
      s->seeds.push_back(static_cast<uint64_t>(seed));
    }
    return;
  }
  int64_t count = 0;
  if (r_.Int(n, "spec.seeds", 1, kMaxSeeds, &count)) {
    for (int64_t i = 1; i <= count; ++i) s->seeds.push_back(static_cast<uint64_t>(i));
  }
}

std::optional<size_t> SweepLoader::DecodeParameter(const Node& n, const std::string& path,
                                                   Sweep* s) {
  const Node* m = r_.Map(&n, path);
  if (m == nullptr) {
    if (n.IsNull()) r_.Error(n.mark, path, "Required value: {path: FIELD, values: [...]}");
    return std::nullopt;
  }
  CheckFields(*m, path, {"path", "values"});
  std::string text;
  const Node* p = m->Get("path");
  if (p == nullptr) {
    r_.Error(m->mark, path + ".path",
             "Required value: the field to vary, such as "
             "Deployment/web.spec.replicas");
    return std::nullopt;
  }
  if (!r_.String(p, path + ".path", &text)) return std::nullopt;
  Expected<Parameter> parsed = ParsePath(text);
  if (!parsed) {
    r_.Error(p->mark, path + ".path", parsed.error());
    return std::nullopt;
  }
  Parameter param = *parsed;
  param.position = r_.Pos(p->mark);
  for (const Parameter& other : s->parameters) {
    if (other.path == param.path) {
      r_.Error(p->mark, path + ".path",
               fmt::format("\"{}\" is varied twice (first at line {})", text, other.position.line));
      return std::nullopt;
    }
  }
  const Node* values = r_.Seq(m->Get("values"), path + ".values");
  if (values == nullptr) {
    if (m->Get("values") == nullptr || m->Get("values")->IsNull()) {
      r_.Error(m->mark, path + ".values", "Required value: the list of values to try");
    }
    return std::nullopt;
  }
  if (values->items.empty()) {
    r_.Error(values->mark, path + ".values", "the list of values is empty");
    return std::nullopt;
  }
  for (const auto& v : values->items) {
    param.values.push_back(v);
    param.texts.push_back(FlowText(*v));
    param.positions.push_back(r_.Pos(v->mark));
  }
  s->parameters.push_back(std::move(param));
  return s->parameters.size() - 1;
}

void SweepLoader::DecodeVary(const Node* n, Sweep* s) {
  const Node* seq = r_.Seq(n, "spec.vary");
  if (seq == nullptr) return;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string path = fmt::format("spec.vary[{}]", i);
    const Node& item = *seq->items[i];
    const Node* zip = item.IsMap() ? item.Get("zip") : nullptr;
    if (zip == nullptr) {
      if (auto p = DecodeParameter(item, path, s)) s->axes.push_back({*p});
      continue;
    }
    CheckFields(item, path, {"zip"});
    const Node* list = r_.Seq(zip, path + ".zip");
    if (list == nullptr) continue;
    if (list->items.size() < 2) {
      r_.Error(list->mark, path + ".zip",
               "a zip varies two or more fields together; list them as {path, values}");
      continue;
    }
    std::vector<size_t> axis;
    for (size_t j = 0; j < list->items.size(); ++j) {
      if (auto p = DecodeParameter(*list->items[j], fmt::format("{}.zip[{}]", path, j), s)) {
        axis.push_back(*p);
      }
    }
    if (axis.size() != list->items.size()) continue;
    const size_t size = s->parameters[axis[0]].values.size();
    for (size_t j = 1; j < axis.size(); ++j) {
      const Parameter& other = s->parameters[axis[j]];
      if (other.values.size() != size) {
        r_.Error(list->items[j]->mark, fmt::format("{}.zip[{}].values", path, j),
                 fmt::format("a zip's fields take their values together: {} values here, {} "
                             "for {}",
                             other.values.size(), size, s->parameters[axis[0]].path));
      }
    }
    s->axes.push_back(std::move(axis));
  }
}

std::optional<size_t> SweepLoader::AddMetric(const std::string& text, yaml::Mark mark,
                                             const std::string& path, Sweep* s) {
  Expected<metrics::MetricPath> m = metrics::ParseMetricPath(text);
  if (!m) {
    r_.Error(mark, path, m.error());
    return std::nullopt;
  }
  for (size_t i = 0; i < s->metrics.size(); ++i) {
    if (s->metrics[i].text == text) return i;
  }
  s->metrics.push_back(*m);
  s->metric_positions.push_back(r_.Pos(mark));
  return s->metrics.size() - 1;
}

void SweepLoader::DecodeMetrics(const Node* n, Sweep* s) {
  const Node* seq = r_.Seq(n, "spec.metrics");
  if (seq == nullptr) return;
  for (size_t i = 0; i < seq->items.size(); ++i) {
    std::string text;
    const std::string path = fmt::format("spec.metrics[{}]", i);
    if (!r_.String(seq->items[i].get(), path, &text)) continue;
    for (const auto& m : s->metrics) {
      if (m.text == text)
        r_.Error(seq->items[i]->mark, path, fmt::format("\"{}\" is listed twice", text));
    }
    AddMetric(text, seq->items[i]->mark, path, s);
  }
}

void SweepLoader::DecodeMinimize(const Node* n, Sweep* s) {
  const Node* m = r_.Map(n, "spec.minimize");
  if (m == nullptr) return;
  CheckFields(*m, "spec.minimize", {"path", "from", "to"});
  int64_t from = 0, to = 0;
  const bool ok_from =
      m->Get("from") != nullptr &&
      r_.Int(m->Get("from"), "spec.minimize.from", std::numeric_limits<int64_t>::min(),
             std::numeric_limits<int64_t>::max(), &from);
  const bool ok_to = m->Get("to") != nullptr &&
                     r_.Int(m->Get("to"), "spec.minimize.to", std::numeric_limits<int64_t>::min(),
                            std::numeric_limits<int64_t>::max(), &to);
  for (const char* f : {"path", "from", "to"}) {
    if (m->Get(f) == nullptr) {
      r_.Error(m->mark, fmt::format("spec.minimize.{}", f),
               "Required value: minimize takes {path: FIELD, from: INTEGER, to: INTEGER}");
    }
  }
  std::string text;
  const Node* p = m->Get("path");
  if (p == nullptr || !r_.String(p, "spec.minimize.path", &text) || !ok_from || !ok_to) return;
  if (to < from) {
    r_.Error(m->Get("to")->mark, "spec.minimize.to",
             fmt::format("to ({}) is below from ({})", to, from));
    return;
  }
  // to - from in unsigned arithmetic, exact for any to >= from (INT64_MIN to
  // INT64_MAX is 2^64 - 1), so a huge range cannot overflow past the limit.
  const uint64_t span = static_cast<uint64_t>(to) - static_cast<uint64_t>(from);
  if (span >= static_cast<uint64_t>(kMaxRange)) {
    r_.Error(m->Get("to")->mark, "spec.minimize.to",
             fmt::format("the range holds {} values; kubesim searches at most {}",
                         span == UINT64_MAX ? std::string("2^64") : std::to_string(span + 1),
                         kMaxRange));
    return;
  }
  const int64_t count = static_cast<int64_t>(span) + 1;
  Expected<Parameter> parsed = ParsePath(text);
  if (!parsed) {
    r_.Error(p->mark, "spec.minimize.path", parsed.error());
    return;
  }
  Parameter param = *parsed;
  param.position = r_.Pos(p->mark);
  for (const Parameter& other : s->parameters) {
    if (other.path == param.path) {
      r_.Error(p->mark, "spec.minimize.path",
               fmt::format("\"{}\" is both varied and minimized", text));
      return;
    }
  }
  for (int64_t i = 0; i < count; ++i) {  // by count: `to` may be INT64_MAX
    const std::string v = std::to_string(from + i);
    param.values.push_back(yaml::MakeScalar(v, p->mark, true));
    param.texts.push_back(v);
    param.positions.push_back(r_.Pos(p->mark));
  }
  s->parameters.push_back(std::move(param));
  s->minimize = Minimize{s->parameters.size() - 1, from, to};
  // The minimized parameter is the outermost axis: a candidate value's runs
  // are one block of consecutive run numbers (include/kubesim/sweep/sweep.h).
  s->axes.insert(s->axes.begin(), {s->parameters.size() - 1});
}

void SweepLoader::DecodeSubjectTo(const Node* n, Sweep* s) {
  const Node* seq = r_.Seq(n, "spec.subjectTo");
  if (seq == nullptr) return;
  static const std::vector<std::pair<std::string_view, Constraint::Stat>> kStats = {
      {"mean", Constraint::Stat::kMean}, {"min", Constraint::Stat::kMin},
      {"p50", Constraint::Stat::kP50},   {"p95", Constraint::Stat::kP95},
      {"p99", Constraint::Stat::kP99},   {"max", Constraint::Stat::kMax}};
  static const std::vector<std::pair<std::string_view, Constraint::Op>> kOps = {
      {"<=", Constraint::Op::kLessEqual}, {">=", Constraint::Op::kGreaterEqual},
      {"==", Constraint::Op::kEqual},     {"!=", Constraint::Op::kNotEqual},
      {"<", Constraint::Op::kLess},       {">", Constraint::Op::kGreater}};
  for (size_t i = 0; i < seq->items.size(); ++i) {
    const std::string path = fmt::format("spec.subjectTo[{}]", i);
    std::string text;
    if (!r_.String(seq->items[i].get(), path, &text)) continue;
    const yaml::Mark mark = seq->items[i]->mark;
    const auto fail = [&](const std::string& why) {
      r_.Error(mark, path,
               fmt::format("{} (write STAT(METRIC) OP NUMBER, STAT one of mean, min, p50, p95, "
                           "p99, max: p95(services.web.downtimeSeconds) <= 0)",
                           why));
    };
    Constraint c;
    c.text = text;
    c.position = r_.Pos(mark);
    const size_t open = text.find('(');
    const size_t close = text.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close < open) {
      fail(fmt::format("\"{}\" is not a constraint", text));
      continue;
    }
    std::string_view stat = std::string_view(text).substr(0, open);
    while (!stat.empty() && stat.back() == ' ') stat.remove_suffix(1);
    while (!stat.empty() && stat.front() == ' ') stat.remove_prefix(1);
    const auto st =
        std::find_if(kStats.begin(), kStats.end(), [&](const auto& k) { return k.first == stat; });
    if (st == kStats.end()) {
      fail(fmt::format("unknown statistic \"{}\"", stat));
      continue;
    }
    c.stat = st->second;
    std::string_view rest = std::string_view(text).substr(close + 1);
    size_t op_len = 0;
    for (const auto& [op, kind] : kOps) {
      const size_t at = rest.find_first_not_of(' ');
      if (at != std::string_view::npos && rest.substr(at).starts_with(op)) {
        c.op = kind;
        op_len = at + op.size();
        break;
      }
    }
    if (op_len == 0) {
      fail(fmt::format("\"{}\" has no comparison after the metric", text));
      continue;
    }
    std::string_view number = rest.substr(op_len);
    while (!number.empty() && number.front() == ' ') number.remove_prefix(1);
    while (!number.empty() && number.back() == ' ') number.remove_suffix(1);
    const auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), c.bound);
    if (number.empty() || ec != std::errc() || ptr != number.data() + number.size() ||
        !std::isfinite(c.bound)) {
      fail(fmt::format("\"{}\" is not a number", number));
      continue;
    }
    std::string metric = text.substr(open + 1, close - open - 1);
    while (!metric.empty() && metric.back() == ' ') metric.pop_back();
    while (!metric.empty() && metric.front() == ' ') metric.erase(0, 1);
    if (auto m = AddMetric(metric, mark, path, s)) {
      c.metric = *m;
      s->subject_to.push_back(std::move(c));
    }
  }
}

// Every point's scenario loads: a varied value the scenario rejects is an
// error at that value in the sweep file, before anything runs. A minimize
// range is checked at both ends.
void SweepLoader::CheckPoints(const Sweep& s) {
  std::vector<size_t> matched(s.parameters.size(), 0);
  std::vector<std::vector<size_t>> points;
  const size_t block = s.PointsPerCandidate();
  for (size_t p = 0; p < block; ++p) points.push_back(s.ValuesAt(p));
  if (s.minimize && s.Points() > block) {
    // A minimize range is checked at both ends.
    for (size_t p = s.Points() - block; p < s.Points(); ++p) points.push_back(s.ValuesAt(p));
  }
  size_t errors = 0;
  std::set<std::string> seen;
  bool scenario_known = false;
  std::vector<std::string> services, deployments;
  for (const auto& values : points) {
    PointTrace trace;
    const scenario::LoadResult r = LoadPoint(s, values, options_, &trace);
    for (size_t i = 0; i < matched.size(); ++i) matched[i] += trace.matched[i];
    if (r.ok() && !scenario_known) {
      scenario_known = true;
      // Report keys: NAME in `default`, NAMESPACE/NAME elsewhere (docs/metrics.md).
      const auto note = [&](const k8s::Object& o) {
        const k8s::ObjectKey k = k8s::KeyOf(o);
        const std::string key =
            k.namespace_name == "default" ? k.name : k.namespace_name + "/" + k.name;
        if (k.kind == "Service") services.push_back(key);
        if (k.kind == "Deployment") deployments.push_back(key);
      };
      for (const auto& o : r.scenario->objects) note(o);
      for (const auto& step : r.scenario->timeline) {
        for (const auto& o : step.objects) note(o);
      }
    }
    for (const Diagnostic& d : r.diagnostics) {
      if (d.severity != Severity::kError) continue;
      // The same error at many points is told once, at the first.
      if (!seen.insert(d.ToString()).second) continue;
      if (++errors > options_.max_errors) break;
      // At the varied values, when some are: they made the scenario invalid.
      // The error is placed at the value that went where it points, if one
      // did (the same place, else the same line), else at the first.
      std::string at;
      for (size_t i = 0; i < s.parameters.size(); ++i) {
        at += fmt::format("{}{} = {}", at.empty() ? "" : ", ", s.parameters[i].path,
                          s.parameters[i].texts[values[i]]);
      }
      Position where =
          s.parameters.empty() ? Position{file_, 0, 0} : s.parameters[0].positions[values[0]];
      for (const bool same_column : {false, true}) {
        for (size_t i = s.parameters.size(); i-- > 0;) {
          for (const Position& p : trace.placed[i]) {
            if (p.file == d.position.file && p.line == d.position.line &&
                (!same_column || p.column == d.position.column)) {
              where = s.parameters[i].positions[values[i]];
            }
          }
        }
      }
      diags_.push_back(Diagnostic{
          Severity::kError, where,
          s.parameters.empty() ? d.ToString() : fmt::format("with {}: {}", at, d.ToString())});
    }
    if (errors > options_.max_errors) break;
  }
  if (errors > 0) return;
  for (size_t i = 0; i < s.parameters.size(); ++i) {
    if (matched[i] > 0) continue;
    const Parameter& p = s.parameters[i];
    diags_.push_back(Diagnostic{
        Severity::kError, p.position,
        p.kind == "Scenario"
            ? fmt::format("\"{}\" matches no document: the scenario has no Scenario document",
                          p.path)
            : fmt::format("\"{}\" matches no document: no {} named as the path begins in {} or "
                          "the files its steps apply",
                          p.path, p.kind, s.scenario_file)});
  }
  // The metrics' objects exist, as `expect:` requires of its own.
  for (size_t i = 0; i < s.metrics.size(); ++i) {
    const metrics::MetricPath& m = s.metrics[i];
    const metrics::Scope scope = m.metric->scope;
    const bool service = scope == metrics::Scope::kService;
    if (!service && scope != metrics::Scope::kDeployment && scope != metrics::Scope::kRollout) {
      continue;
    }
    const auto& known = service ? services : deployments;
    if (std::find(known.begin(), known.end(), m.object) == known.end()) {
      diags_.push_back(
          Diagnostic{Severity::kError, s.metric_positions[i],
                     fmt::format("metric \"{}\": no {} \"{}\" in {}", m.text,
                                 service ? "Service" : "Deployment", m.object, s.scenario_file)});
    }
  }
}

SweepLoad SweepLoader::Run() {
  SweepLoad result;
  const auto finish = [&]() -> SweepLoad& {
    result.diagnostics = std::move(diags_);
    if (!result.ok()) result.sweep.reset();
    return result;
  };
  yaml::Stream stream = yaml::Parse(text_);
  for (const auto& e : stream.errors) {
    diags_.push_back(Diagnostic{Severity::kError,
                                Position{file_, e.mark.line + 1, e.mark.column + 1}, e.message});
  }
  if (!stream.errors.empty()) return finish();
  const Node* root = nullptr;
  for (const auto& d : stream.documents) {
    if (d.root->IsNull()) continue;
    const Node* kind = d.root->IsMap() ? d.root->Get("kind") : nullptr;
    if (kind != nullptr && kind->IsScalar() && kind->scalar == "Sweep") {
      if (root != nullptr) {
        r_.Error(d.root->mark, "",
                 fmt::format("a second Sweep document; a file holds exactly one "
                             "(the first is at line {})",
                             root->mark.line + 1));
        continue;
      }
      root = d.root.get();
    } else {
      r_.Error(d.root->mark, "",
               "a sweep file holds one document, the Sweep; the scenario and its objects go in "
               "the file spec.scenario names");
    }
  }
  if (root == nullptr) {
    if (diags_.empty()) {
      diags_.push_back(Diagnostic{Severity::kError, Position{file_, 1, 1},
                                  "no Sweep document in this file (apiVersion: kubesim/v1alpha1, "
                                  "kind: Sweep)"});
    }
    return finish();
  }
  auto s = std::make_shared<Sweep>();
  s->file = file_;
  CheckFields(*root, "", {"apiVersion", "kind", "metadata", "spec"});
  std::string api;
  r_.String(root->Get("apiVersion"), "apiVersion", &api);
  if (api != kApiVersion) {
    const Node* av = root->Get("apiVersion");
    r_.Error(av ? av->mark : root->mark, "apiVersion",
             fmt::format("use {} for kind Sweep{}", kApiVersion,
                         api.empty() ? "" : fmt::format(" (got \"{}\")", api)));
  }
  if (const Node* md = r_.Map(root->Get("metadata"), "metadata")) {
    CheckFields(*md, "metadata", {"name", "labels", "annotations"});
    r_.String(md->Get("name"), "metadata.name", &s->name);
    k8s::Labels ignored;
    r_.StringMap(md->Get("labels"), "metadata.labels", &ignored);
    r_.StringMap(md->Get("annotations"), "metadata.annotations", &ignored);
  }
  if (s->name.empty()) s->name = std::filesystem::path(file_).stem().string();
  const Node* spec = r_.Map(root->Get("spec"), "spec");
  if (spec == nullptr) {
    if (root->Get("spec") == nullptr || root->Get("spec")->IsNull()) {
      r_.Error(root->mark, "spec",
               "Required value: a Sweep needs a spec (scenario, vary, metrics)");
    }
    return finish();
  }
  CheckFields(*spec, "spec",
              {"scenario", "seeds", "vary", "metrics", "minimize", "subjectTo", "monotone"});
  if (const Node* sc = spec->Get("scenario"); sc == nullptr || sc->IsNull()) {
    r_.Error(spec->mark, "spec.scenario", "Required value: the scenario file to sweep");
  } else if (r_.String(sc, "spec.scenario", &s->scenario_file)) {
    if (s->scenario_file.empty()) {
      r_.Error(sc->mark, "spec.scenario", "the scenario file name is empty");
    } else if (std::filesystem::path(s->scenario_file).is_relative()) {
      s->scenario_file = (std::filesystem::path(file_).parent_path() / s->scenario_file)
                             .lexically_normal()
                             .string();
    }
  }
  DecodeSeeds(spec->Get("seeds"), s.get());
  DecodeVary(spec->Get("vary"), s.get());
  DecodeMetrics(spec->Get("metrics"), s.get());
  DecodeMinimize(spec->Get("minimize"), s.get());
  DecodeSubjectTo(spec->Get("subjectTo"), s.get());
  r_.Bool(spec->Get("monotone"), "spec.monotone", &s->monotone);
  if (s->metrics.empty() && spec->Get("metrics") == nullptr) {
    r_.Error(spec->mark, "spec.metrics",
             "Required value: the report keys to collect, such as "
             "[services.web.downtimeSeconds, resources.peakCpuMillis] (docs/metrics.md)");
  }
  if (s->minimize && s->subject_to.empty()) {
    r_.Error(spec->Get("minimize")->mark, "spec.subjectTo",
             "Required value: minimize needs the constraints the smallest value must meet");
  }
  if (!s->minimize && !s->subject_to.empty()) {
    r_.Error(spec->Get("subjectTo")->mark, "spec.subjectTo",
             "subjectTo constrains a minimize: add spec.minimize, or drop it");
  }
  if (!s->minimize && spec->Get("monotone") != nullptr) {
    r_.Error(spec->Get("monotone")->mark, "spec.monotone", "monotone applies to a minimize");
  }
  if (!result.ok() || k8s::HasErrors(diags_)) return finish();
  // Every point is loaded to be checked (about 0.2 ms each): 100,000 points
  // take 20 s before the first run. A minimize's range is not a grid axis here.
  const size_t grid = s->PointsPerCandidate();
  size_t grid_runs = 0;
  if (__builtin_mul_overflow(grid, s->seeds.size(), &grid_runs)) grid_runs = SIZE_MAX;
  if (grid > kMaxPoints || grid_runs > kMaxRuns) {
    diags_.push_back(Diagnostic{
        Severity::kError, r_.Pos(spec->mark),
        fmt::format("the grid has {} points and {} runs; kubesim sweeps at most {} points and "
                    "{} runs at once (split it into several sweeps)",
                    grid, grid_runs, kMaxPoints, kMaxRuns)});
    return finish();
  }
  CheckPoints(*s);
  result.sweep = std::move(s);
  return finish();
}

}  // namespace

namespace {
// The product of the axes' sizes from `first` on, saturated at SIZE_MAX.
size_t AxesProduct(const Sweep& s, size_t first) {
  size_t n = 1;
  for (size_t a = first; a < s.axes.size(); ++a) {
    if (__builtin_mul_overflow(n, s.parameters[s.axes[a][0]].values.size(), &n)) return SIZE_MAX;
  }
  return n;
}
}  // namespace

size_t Sweep::PointsPerCandidate() const { return AxesProduct(*this, minimize ? 1 : 0); }

size_t Sweep::Points() const { return AxesProduct(*this, 0); }

std::vector<size_t> Sweep::ValuesAt(size_t point) const {
  std::vector<size_t> values(parameters.size(), 0);
  // The first axis outermost: the last one changes fastest.
  for (size_t a = axes.size(); a-- > 0;) {
    const size_t size = parameters[axes[a][0]].values.size();
    for (size_t p : axes[a]) values[p] = point % size;
    point /= size;
  }
  return values;
}

scenario::LoadResult LoadPoint(const Sweep& sweep, const std::vector<size_t>& values,
                               const scenario::LoadOptions& options, PointTrace* trace) {
  scenario::LoadOptions o = options;
  if (!o.parse_cache) o.parse_cache = sweep.parse_cache;
  std::vector<std::string> errors;
  if (trace != nullptr) {
    trace->matched.resize(sweep.parameters.size());
    trace->placed.resize(sweep.parameters.size());
  }
  o.edit_document = [&](const std::string& file, yaml::NodePtr root) {
    for (size_t i = 0; i < sweep.parameters.size(); ++i) {
      const Parameter& p = sweep.parameters[i];
      const auto field = FieldFor(p, *root);
      if (!field) continue;
      if (trace != nullptr) {
        ++trace->matched[i];
        const yaml::Mark m = TargetMark(*root, *field);
        trace->placed[i].push_back(Position{file, m.line + 1, m.column + 1});
      }
      Expected<yaml::NodePtr> set = SetField(root, *field, p.values[values[i]]);
      if (!set) {
        errors.push_back(fmt::format("{}: {}", p.path, set.error()));
        continue;
      }
      root = *set;
    }
    return root;
  };
  scenario::LoadResult r = scenario::LoadScenarioFile(sweep.scenario_file, o);
  for (const std::string& e : errors) {
    r.diagnostics.push_back(Diagnostic{Severity::kError, Position{sweep.scenario_file, 0, 0}, e});
    r.scenario.reset();
  }
  return r;
}

bool IsSweepText(std::string_view text) {
  const yaml::Stream stream = yaml::Parse(text);
  for (const auto& d : stream.documents) {
    const Node* kind = d.root->IsMap() ? d.root->Get("kind") : nullptr;
    if (kind != nullptr && kind->IsScalar() && kind->scalar == "Sweep") return true;
  }
  return false;
}

SweepLoad LoadSweepText(std::string_view text, const std::string& display_name,
                        const scenario::LoadOptions& options) {
  return SweepLoader(text, display_name, options).Run();
}

SweepLoad LoadSweepFile(const std::string& path, const scenario::LoadOptions& options) {
  auto text = options.read_file ? options.read_file(path) : scenario::ReadFileFromDisk(path);
  if (!text) {
    SweepLoad r;
    r.diagnostics.push_back(Diagnostic{Severity::kError, Position{path, 0, 0}, text.error()});
    return r;
  }
  return LoadSweepText(*text, path, options);
}

}  // namespace kubesim::sweep
