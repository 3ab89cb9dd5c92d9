// Running a sweep's runs, and its CSV; see include/kubesim/sweep/runner.h.
#include "kubesim/sweep/runner.h"

#include <fmt/format.h>

#include <exception>
#include <mutex>
#include <thread>

#include "kubesim/metrics/collector.h"
#include "kubesim/output/report_writers.h"

namespace kubesim::sweep {

RunRow RunOne(const Sweep& sweep, const std::shared_ptr<const scenario::Scenario>& scenario,
              size_t run, const cluster::SimulationOptions& limits) {
  RunRow row;
  row.run = run;
  row.point = run / sweep.seeds.size();
  row.seed = sweep.seeds[run % sweep.seeds.size()];
  if (scenario == nullptr) {  // its files changed since the sweep was checked
    row.error = "the point's scenario no longer loads (run kubesim validate on the sweep)";
    return row;
  }
  try {
    cluster::SimulationOptions options = limits;
    options.seed = row.seed;
    cluster::Simulation sim(scenario, options);
    metrics::Collector collector(scenario->name, row.seed, scenario->slos);
    sim.AddObserver(&collector);
    const cluster::RunResult result = sim.Run();
    if (result.invariant_violation) {
      row.error = fmt::format("internal error: an invariant of the model broke at {}s: {}",
                              FormatSeconds(result.end, 6), *result.invariant_violation);
    } else if (result.budget_exhausted) {
      row.error = fmt::format("stopped after {} events at {}s (raise --max-events)", result.events,
                              FormatSeconds(result.end, 3));
    } else if (result.pods_exhausted) {
      row.error = fmt::format("would create more than {} pods by {}s (raise --max-pods)",
                              limits.max_pods, FormatSeconds(result.end, 3));
    }
    if (!row.error.empty()) return row;
    const metrics::Report report = collector.TakeReport(result.events);
    row.values.reserve(sweep.metrics.size());
    for (const metrics::MetricPath& m : sweep.metrics)
      row.values.push_back(metrics::Resolve(m, report));
  } catch (const std::exception& e) {  // std::bad_alloc: this run fails, the sweep goes on
    row.values.clear();
    row.error = fmt::format("the run failed: {}", e.what());
  }
  return row;
}

void ParallelFor(size_t n, unsigned jobs, const std::function<void(size_t)>& work,
                 const std::atomic<bool>* stop) {
  std::atomic<size_t> next{0};
  const auto worker = [&] {
    for (;;) {
      if (stop != nullptr && stop->load()) return;
      const size_t i = next.fetch_add(1);
      if (i >= n) return;
      work(i);
    }
  };
  const size_t threads_wanted = std::min<size_t>(std::max(1u, jobs), n);
  std::vector<std::thread> threads;
  for (size_t j = 1; j < threads_wanted; ++j) threads.emplace_back(worker);
  worker();
  for (std::thread& t : threads) t.join();
}

void RunAll(const Sweep& sweep, const std::vector<size_t>& runs, const RunnerOptions& options) {
  std::mutex lock;
  ParallelFor(
      runs.size(), options.jobs,
      [&](size_t i) {
        const size_t run = runs[i];
        std::shared_ptr<const scenario::Scenario> scenario;
        try {
          scenario = options.scenario(run / sweep.seeds.size());
        } catch (const std::exception&) {  // std::bad_alloc: RunOne reports the null scenario
        }
        RunRow row = RunOne(sweep, scenario, run, options.limits);
        const std::lock_guard<std::mutex> hold(lock);
        if (options.on_row) options.on_row(row);
      },
      options.stop);
}

namespace {

std::string Cell(const std::optional<metrics::Value>& v) {
  if (!v || v->is_null()) return "";
  switch (v->kind()) {
    case metrics::Value::Kind::kInteger:
      return fmt::format("{}", v->integer());
    case metrics::Value::Kind::kSeconds:
      return fmt::format("{}", v->duration().seconds());
    case metrics::Value::Kind::kBoolean:
      return v->integer() != 0 ? "true" : "false";
    case metrics::Value::Kind::kRatio:
      return fmt::format("{}", v->number());
    case metrics::Value::Kind::kNull:
      break;
  }
  return "";
}

}  // namespace

std::string CsvHeader(const Sweep& sweep) {
  std::string out = "run";
  for (const Parameter& p : sweep.parameters) out += fmt::format(",{}", output::CsvField(p.path));
  out += ",seed";
  for (const metrics::MetricPath& m : sweep.metrics) {
    out += fmt::format(",{}", output::CsvField(m.text));
  }
  return out + ",error\n";
}

std::string CsvRow(const Sweep& sweep, const RunRow& row) {
  std::string out = fmt::format("{}", row.run);
  const std::vector<size_t> values = sweep.ValuesAt(row.point % sweep.Points());
  for (size_t i = 0; i < sweep.parameters.size(); ++i) {
    out += fmt::format(",{}", output::CsvField(sweep.parameters[i].texts[values[i]]));
  }
  out += fmt::format(",{}", row.seed);
  for (size_t i = 0; i < sweep.metrics.size(); ++i) {
    out += fmt::format(",{}", i < row.values.size() ? Cell(row.values[i]) : std::string());
  }
  // One line per run, whatever the message holds.
  std::string error = row.error;
  for (char& c : error) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out + "," + output::CsvField(error) + "\n";
}

std::optional<std::vector<std::string>> SplitCsvLine(std::string_view line) {
  std::vector<std::string> fields(1);
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (quoted) {
      if (c != '"') {
        fields.back() += c;
      } else if (i + 1 < line.size() && line[i + 1] == '"') {
        fields.back() += '"';
        ++i;
      } else {
        quoted = false;
      }
    } else if (c == '"' && fields.back().empty()) {
      quoted = true;
    } else if (c == ',') {
      fields.emplace_back();
    } else if (c == '"' || c == '\n' || c == '\r') {
      return std::nullopt;
    } else {
      fields.back() += c;
    }
  }
  if (quoted) return std::nullopt;
  return fields;
}

}  // namespace kubesim::sweep
