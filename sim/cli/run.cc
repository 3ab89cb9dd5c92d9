// `kubesim run SCENARIO.yaml` (README.md): loads the scenario, simulates it and
// prints the report (table by default, or markdown / json / csv); optionally
// writes the event log (--events), the timeline CSV (--timeline), the Chrome
// trace (--trace) and the SVG plot (--plot), each complete or not at all.
// Exit 0, or 1 when an `expect:` assertion failed, 2 on bad input or usage,
// 3 when an invariant of the model broke.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include "cli/simulate.h"
#include "cli/subcommands.h"
#include "kubesim/cluster/simulation.h"
#include "kubesim/output/file.h"
#include "kubesim/output/observers.h"
#include "kubesim/output/plot.h"
#include "kubesim/output/report_writers.h"
#include "kubesim/output/trace.h"

namespace po = boost::program_options;

namespace kubesim::cli {

int RunRun(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()                                                        //
      ("help,h", "print this help")                                            //
      ("format", po::value<std::string>()->default_value("table")->value_name("FORMAT"),
       "report format: table (colour on a terminal unless NO_COLOR is set), markdown, json "
       "or csv")                                                                //
      ("seed", po::value<uint64_t>()->value_name("N"), "RNG seed (default: the scenario's seed)")  //
      ("until", po::value<std::string>()->value_name("DURATION"),
       "stop time, a duration (default: the scenario's until, else 1m after the last "
       "step and every rollout's end)")                                         //
      ("events", po::value<std::string>()->value_name("FILE"), "write the event log to FILE")      //
      ("timeline", po::value<std::string>()->value_name("FILE"),
       "write the state over time as CSV to FILE (columns: docs/outputs.md)")  //
      ("trace", po::value<std::string>()->value_name("FILE"),
       "write a Chrome trace-event JSON to FILE (open in ui.perfetto.dev or "
       "chrome://tracing): a process per node, a track per pod, a span per phase")  //
      ("plot", po::value<std::string>()->value_name("FILE"),
       "write an SVG plot of the run to FILE: pods per version and state, client-visible "
       "endpoints, failed requests, the kubectl steps")                            //
      ("check", "check the model's invariants after every instant (always on in debug builds)")  //
      ("exact-probes", "simulate every probe tick, even those whose result cannot change "
                       "(same report, slower; see docs/scale.md)")  //
      ("quiet,q", "print no warnings and no progress line")                    //
      ("verbose,v", "print the event log after the report");
  AddLimitOptions(visible);
  const auto parsed = ParseArguments(args, visible, "scenario", "run");
  if (!parsed) return kExitBadInput;
  const po::variables_map& vm = *parsed;
  if (vm.count("help")) {
    std::ostringstream opts;
    opts << visible;
    std::fputs(("Usage: kubesim run SCENARIO.yaml [OPTIONS]\n\n"
                "Simulates one scenario and prints its report (every number: docs/metrics.md).\n\n" +
                opts.str() +
                "\nOn a terminal, a run that takes more than a second shows its progress on\n"
                "stderr (simulated time, and the share of `until` when the scenario sets it).\n"
                "\nExit codes: 0 success, 1 an expect: assertion failed, 2 bad input or usage,\n"
                "3 an invariant of the model broke.\n")
                   .c_str(),
               stdout);
    return kExitOk;
  }
  if (!vm.count("scenario") || vm["scenario"].as<std::vector<std::string>>().size() != 1) {
    UsageError("run needs exactly one SCENARIO.yaml; try 'kubesim run --help'");
    return kExitBadInput;
  }
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "markdown" && format != "json" && format != "csv") {
    UsageError(fmt::format("unknown --format '{}' (use table, markdown, json or csv)", format));
    return kExitBadInput;
  }
  cluster::SimulationOptions options;
  if (vm.count("seed")) options.seed = vm["seed"].as<uint64_t>();
  if (vm.count("until")) {
    const auto until = ParseDuration(vm["until"].as<std::string>());
    if (!until.ok() || *until < SimDuration::Zero()) {
      UsageError(fmt::format("--until: {}", until.ok() ? "must not be negative" : until.error()));
      return kExitBadInput;
    }
    options.until = *until;
  }
  ReadLimitOptions(vm, &options);
  if (vm.count("check")) options.check_invariants = true;
  if (vm.count("exact-probes")) options.exact_probes = true;
  const bool quiet = vm.count("quiet") > 0;

  const std::string file = vm["scenario"].as<std::vector<std::string>>().front();
  const auto loaded = LoadOrReport(file, quiet);
  if (!loaded) return kExitBadInput;
  const scenario::Scenario& sc = *loaded;

  // Output paths are checked before the run: a missing directory, or an
  // output that would overwrite the scenario or a manifest it reads, is a
  // usage error now, not after a long simulation.
  {
    std::vector<std::string> inputs{sc.file};
    const auto add = [&](const k8s::Object& o) {
      const std::string& f = k8s::SourceOf(o).document.file;
      if (!f.empty() && std::find(inputs.begin(), inputs.end(), f) == inputs.end()) {
        inputs.push_back(f);
      }
    };
    for (const k8s::Object& o : sc.objects) add(o);
    for (const scenario::Step& st : sc.timeline) {
      for (const k8s::Object& o : st.objects) add(o);
    }
    std::vector<std::pair<std::string, std::string>> outputs;  // flag, path
    for (const char* flag : {"events", "timeline", "trace", "plot"}) {
      if (!vm.count(flag)) continue;
      const std::string path = vm[flag].as<std::string>();
      if (auto err = output::CheckOutputPath(path, inputs)) {
        UsageError(fmt::format("--{}: {}", flag, *err));
        return kExitBadInput;
      }
      for (const auto& [other, other_path] : outputs) {
        if (path != "-" && path == other_path) {
          UsageError(fmt::format("--{} and --{} both write {}", other, flag, path));
          return kExitBadInput;
        }
      }
      outputs.emplace_back(flag, path);
    }
  }
  // --until cuts the steps after it, as `until:` does: say which.
  if (options.until && !quiet) {
    for (const scenario::Step& st : sc.timeline) {
      if (st.at <= *options.until) continue;
      std::fputs(fmt::format("{}:{}:{}: warning: this step {} {} is after --until {}; it never "
                             "runs\n",
                             st.position.file, st.position.line, st.position.column,
                             st.chained ? "(chained) at the earliest" : "at", FormatDuration(st.at),
                             FormatDuration(*options.until))
                     .c_str(),
                 stderr);
    }
  }

  output::EventLog event_log;
  output::Timeline timeline;
  output::TraceWriter trace;
  std::vector<cluster::Observer*> extra;
  if (vm.count("events") || vm.count("verbose")) extra.push_back(&event_log);
  if (vm.count("timeline") || vm.count("plot")) extra.push_back(&timeline);
  if (vm.count("trace")) extra.push_back(&trace);
  const Simulated simulated =
      SimulateScenario(loaded, options, extra, ShowProgress(quiet) ? file : std::string());
  if (simulated.exit_code != 0) return simulated.exit_code;
  const metrics::Report& report = simulated.report;
  if (!quiet) WarnNeverServed(file, report);

  // File outputs, each written whole (temporary file + rename) or not at all.
  const std::vector<std::pair<const char*, std::function<std::string()>>> files{
      {"events", [&] { return event_log.text(); }},
      {"timeline", [&] { return timeline.Csv(); }},
      {"trace", [&] { return trace.Json(); }},
      {"plot", [&] { return output::PlotSvg(timeline, sc.name); }},
  };
  for (const auto& [flag, content] : files) {
    if (!vm.count(flag)) continue;
    if (auto err = output::WriteFileAtomically(vm[flag].as<std::string>(), content())) {
      UsageError(fmt::format("--{}: {}", flag, *err));
      return kExitBadInput;
    }
  }

  std::string out;
  if (format == "json") {
    out = output::FormatJson(report);
  } else if (format == "csv") {
    out = output::FormatCsv(report);
  } else if (format == "markdown") {
    out = output::FormatMarkdown(report);
  } else {
    const bool color = ::isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr;
    out = output::FormatTable(report, color);
    if (vm.count("verbose")) out += "\nevents:\n" + event_log.text();
  }
  std::fputs(out.c_str(), stdout);

  const auto failures = output::CheckExpectations(sc, report);
  for (const output::ExpectFailure& f : failures) {
    const k8s::Position& at = f.expectation->position;
    std::fputs(fmt::format("{}:{}:{}: expect failed: {}\n", at.file, at.line, at.column, f.message)
                   .c_str(),
               stderr);
  }
  return failures.empty() ? kExitOk : kExitExpectFailed;
}

}  // namespace kubesim::cli
