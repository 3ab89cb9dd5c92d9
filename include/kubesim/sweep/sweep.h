// Sweep: the `kind: Sweep` document (docs/sweeps.md) — a scenario, the
// fields to vary and their values, the seeds, the metrics to collect, and
// optionally a smallest value to find — loaded, checked and expanded into
// runs.
//
// The model: the parameters form axes. A `vary` entry is one axis; a `zip`
// entry is one axis whose parameters take their i-th values together. The
// points are the cartesian product of the axes, the first axis outermost;
// each point runs under every seed. Runs are numbered point × seeds + seed
// index, so a run's number says what it is, whatever the order runs finish
// in, whichever shard runs it.
//
// A parameter's path names a field of the Scenario document
// (`Scenario.spec.cluster.nodes[0].count`) or of a Kubernetes object by kind
// and name (`Deployment/web.spec.replicas`, `Deployment/shop/web...` for a
// namespace), in the scenario file or in any file its steps apply. A point's
// scenario is the scenario loaded with each field set to the point's value
// (LoadPoint): the loader checks it as it checks any scenario, so an invalid
// value is an error before anything runs.
#ifndef KUBESIM_SWEEP_SWEEP_H_
#define KUBESIM_SWEEP_SWEEP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/k8s/diagnostic.h"
#include "kubesim/metrics/schema.h"
#include "kubesim/scenario/load.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::sweep {

// One step of a field path: a mapping key or a list index.
struct Segment {
  std::string key;
  std::optional<size_t> index;
};

struct Parameter {
  std::string path;            // as written
  std::string kind;            // "Scenario", "Deployment", ...
  std::string object;          // "web" or "shop/web"; empty for the Scenario
  std::vector<Segment> field;  // "spec.replicas" as segments
  std::vector<std::shared_ptr<const yaml::Node>> values;
  std::vector<std::string> texts;        // each value as the CSV shows it (flow YAML)
  std::vector<k8s::Position> positions;  // each value in the sweep file
  k8s::Position position;                // the path
  size_t matched = 0;                    // documents the path matched (set by LoadSweep)
};

// A constraint of `subjectTo`: STAT(METRIC) OP BOUND over a value's runs.
struct Constraint {
  enum class Stat : uint8_t { kMean, kMin, kP50, kP95, kP99, kMax };
  enum class Op : uint8_t { kLess, kLessEqual, kGreater, kGreaterEqual, kEqual, kNotEqual };
  std::string text;
  Stat stat = Stat::kMax;
  size_t metric = 0;  // into Sweep::metrics
  Op op = Op::kLessEqual;
  double bound = 0;
  k8s::Position position;
};

struct Minimize {
  // Into Sweep::parameters: its values are from..to, and it is axes[0].
  size_t parameter = 0;
  int64_t from = 0, to = 0;
};

struct Sweep {
  std::string file;           // the sweep file as named
  std::string name;           // metadata.name
  std::string scenario_file;  // resolved against the sweep file's directory
  std::vector<uint64_t> seeds;
  std::vector<Parameter> parameters;
  std::vector<std::vector<size_t>> axes;  // parameter indexes; a zip is one axis
  std::vector<metrics::MetricPath> metrics;
  std::vector<k8s::Position> metric_positions;  // in the sweep file
  std::optional<Minimize> minimize;
  std::vector<Constraint> subject_to;
  bool monotone = false;
  // The scenario's files parsed once for every point (LoadPoint).
  std::shared_ptr<scenario::ParseCache> parse_cache = scenario::MakeParseCache();

  size_t Points() const;  // the product of the axes' sizes (1 without parameters)
  // With a minimize, the points that share one value of the minimized
  // parameter (it is the outermost axis, so they are consecutive); else Points().
  size_t PointsPerCandidate() const;
  size_t Runs() const { return Points() * seeds.size(); }
  // Each parameter's value index at `point`. REQUIRES: point < Points().
  std::vector<size_t> ValuesAt(size_t point) const;
};

struct SweepLoad {
  std::shared_ptr<const Sweep> sweep;  // set only without errors
  k8s::Diagnostics diagnostics;
  bool ok() const { return !k8s::HasErrors(diagnostics); }
};

// Loads and checks a Sweep file: its fields, its paths and metrics, and the
// scenario at every point of the grid (errors in a varied value are
// reported at the value in the sweep file).
SweepLoad LoadSweepFile(const std::string& path, const scenario::LoadOptions& options = {});
SweepLoad LoadSweepText(std::string_view text, const std::string& display_name,
                        const scenario::LoadOptions& options = {});

// Whether `text` holds a `kind: Sweep` document (so `validate` loads it as one).
bool IsSweepText(std::string_view text);

// Where a point's values went, for messages: per parameter, the documents
// its path matched, and the places in the scenario's files its value took.
struct PointTrace {
  std::vector<size_t> matched;
  std::vector<std::vector<k8s::Position>> placed;
};

// The scenario with each parameter set to its value at `values` (indexes
// from ValuesAt); `trace`, if given, is filled in.
scenario::LoadResult LoadPoint(const Sweep& sweep, const std::vector<size_t>& values,
                               const scenario::LoadOptions& options = {},
                               PointTrace* trace = nullptr);

}  // namespace kubesim::sweep

#endif  // KUBESIM_SWEEP_SWEEP_H_
