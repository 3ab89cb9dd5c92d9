// The metric schema: every number a Report holds, named once — its key, unit,
// how `compare` and `sweep` label it, and how to read it from a Report.
//
// The model: a metric is (scope, key). A scope is where it lives in the JSON
// report (docs/metrics.md): the run itself, each Service, each Deployment,
// each rollout of a Deployment, the cluster's resources. A *path* names one
// value of one report, as `expect:` and `sweep` write it:
//
//   simulatedSeconds                               run
//   services.NAME.downtimeSeconds                  Service NAME
//   services.NAME.requests.byVersion.VERSION       Service NAME, one version
//   deployments.NAME.restarts                      Deployment NAME
//   deployments.NAME.rollouts[I].durationSeconds   its rollout I (from 0)
//   deployments.NAME.lastRollout.durationSeconds   its last rollout
//   resources.peakCpuMillis                        the cluster
//
// NAME may hold dots and slashes (`shop/web`, `my.app`), VERSION dots: a
// path is split at the known keys, never at the first dot. The JSON and CSV
// writers, `compare`, `expect:` and `sweep` all read metrics through this
// table, so a metric added here is everywhere at once.
#ifndef KUBESIM_METRICS_SCHEMA_H_
#define KUBESIM_METRICS_SCHEMA_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/engine/expected.h"
#include "kubesim/engine/time.h"
#include "kubesim/metrics/report.h"

namespace kubesim::metrics {

enum class Unit : uint8_t { kSeconds, kCount, kCpuMillis, kBytes, kBoolean, kRatio };

// One metric's value in one report: null where it never happened (a rollout
// that never completed, a Service that never served).
class Value {
 public:
  enum class Kind : uint8_t { kNull, kInteger, kSeconds, kBoolean, kRatio };
  static Value Null() { return Value(); }
  static Value Integer(int64_t v) { return Value(Kind::kInteger, v); }
  static Value Seconds(SimDuration d) { return Value(Kind::kSeconds, d.micros()); }
  static Value Boolean(bool b) { return Value(Kind::kBoolean, b ? 1 : 0); }
  // A share, part / whole; null when whole is 0.
  static Value Ratio(int64_t part, int64_t whole) {
    if (whole == 0) return Null();
    return Share(static_cast<double>(part) / static_cast<double>(whole));
  }
  // A share as a number (read back from a sweep's CSV).
  static Value Share(double share) {
    Value v(Kind::kRatio, 0);
    v.share_ = share;
    return v;
  }
  template <typename T>
  static Value Optional(const std::optional<T>& v) {
    return v ? Seconds(*v) : Null();
  }

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::kNull; }
  int64_t integer() const { return raw_; }                            // kInteger, kBoolean (1 or 0)
  SimDuration duration() const { return SimDuration::Micros(raw_); }  // kSeconds
  // As a number: seconds, the count, 1/0, the share. REQUIRES: !is_null().
  double number() const {
    if (kind_ == Kind::kRatio) return share_;
    return kind_ == Kind::kSeconds ? duration().seconds() : static_cast<double>(raw_);
  }
  friend bool operator==(const Value&, const Value&) = default;

 private:
  Value() = default;
  Value(Kind kind, int64_t raw) : kind_(kind), raw_(raw) {}
  Kind kind_ = Kind::kNull;
  int64_t raw_ = 0;
  double share_ = 0;  // kRatio
};

enum class Scope : uint8_t { kRun, kService, kDeployment, kRollout, kResources };

// What a metric reads: the report, and the Service, Deployment or rollout
// its scope names (null where the scope has none).
struct Subject {
  const Report* report = nullptr;
  const ServiceReport* service = nullptr;
  const DeploymentReport* deployment = nullptr;
  const RolloutReport* rollout = nullptr;
};

struct Metric {
  Scope scope;
  std::string_view key;  // within its scope, as in the JSON: "requests.failed"
  Unit unit;
  // How `compare` and `sweep` name its row ("failed requests"), and where in
  // its group the row goes (1, 2, ...); 0 leaves it out of `compare`.
  std::string_view label;
  int compare_order = 0;
  bool higher_is_better = false;
  Value (*read)(const Subject&) = nullptr;
  // `requests.byVersion`: a map of counts by version, addressed as
  // requests.byVersion.VERSION; `read` is null.
  bool per_version = false;
  // False for a metric derived from others for compare, expect: and sweep
  // (requests.failedShare) that the JSON report does not repeat.
  bool in_report = true;
  // A metric of the load model (docs/load-model.md): in a report only when
  // the scenario uses it, so that reports without it stay as they were.
  bool load_model = false;
  // A metric of a Service's objective (spec.slo): in a report only for a
  // Service that has one.
  bool slo = false;
};

// Every metric, in the order the JSON report lists them within a scope.
std::span<const Metric> Schema();
// The keys of one scope, in that order (for messages: "use one of ...").
std::vector<std::string_view> Keys(Scope scope);
// The metric with this scope and key, or null.
const Metric* Find(Scope scope, std::string_view key);

// A parsed metric path (see above).
struct MetricPath {
  std::string text;  // as written
  const Metric* metric = nullptr;
  std::string object;  // the Service or Deployment key
  enum class Rollout : uint8_t { kNone, kIndex, kLast };
  Rollout rollout = Rollout::kNone;
  size_t rollout_index = 0;
  std::string version;  // requests.byVersion.VERSION
};

// Parses a path, or says why it names no metric (which keys its scope has).
Expected<MetricPath> ParseMetricPath(std::string_view text);

// The value the path names in `report`, or nullopt where it names nothing in
// this report (no such Service, no rollout I, a version that got no request).
std::optional<Value> Resolve(const MetricPath& path, const Report& report);

}  // namespace kubesim::metrics

#endif  // KUBESIM_METRICS_SCHEMA_H_
