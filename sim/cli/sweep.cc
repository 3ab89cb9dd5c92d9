// `kubesim sweep SWEEP.yaml` (docs/sweeps.md): every (point, seed) run of a
// Sweep, `--jobs` at a time; one CSV row per run appended to `--out` as it
// ends; then per point the statistics of every metric, or for a minimize
// the smallest value meeting every constraint.
//
// Nothing is lost: each row is one write(2) of a whole line, so a crash or a
// signal leaves whole rows only; SIGINT/SIGTERM take the writer's lock
// (no row half-written), and exit 130/143 at once. `--resume` reads the rows
// already in `--out` (a torn last line is cut off) and runs the rest. When
// the sweep ends, `--out` is rewritten sorted by run number (temporary file +
// rename), so it is the same file whatever `--jobs`, the sharding or the
// interruptions were.
#include "kubesim/sweep/sweep.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/program_options.hpp>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "cli/simulate.h"
#include "cli/subcommands.h"
#include "kubesim/output/file.h"
#include "kubesim/sweep/runner.h"
#include "kubesim/sweep/summary.h"

namespace po = boost::program_options;

namespace kubesim::cli {
namespace {

// Set by the handler, read by the main thread (lock-free, so async-signal-safe).
std::atomic<int> g_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
extern "C" void OnStopSignal(int sig) { g_signal = sig; }

struct Shard {
  size_t index = 0, count = 1;
};

std::optional<Shard> ParseShard(const std::string& text) {
  const size_t slash = text.find('/');
  if (slash == std::string::npos) return std::nullopt;
  Shard s;
  const auto read = [](std::string_view t, size_t* out) {
    const auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), *out);
    return !t.empty() && ec == std::errc() && p == t.data() + t.size();
  };
  if (!read(std::string_view(text).substr(0, slash), &s.index) ||
      !read(std::string_view(text).substr(slash + 1), &s.count) || s.count == 0 ||
      s.index >= s.count) {
    return std::nullopt;
  }
  return s;
}

bool SameFile(const std::string& a, const std::string& b) {
  std::error_code ec;
  return std::filesystem::equivalent(a, b, ec) && !ec;
}

// "12m5s", "41s", "<1s": an ETA for a person.
std::string Eta(double seconds) {
  if (!std::isfinite(seconds)) return "?";
  if (seconds < 1) return "<1s";
  const auto s = static_cast<int64_t>(seconds + 0.5);
  if (s < 60) return fmt::format("{}s", s);
  if (s < 3600) return fmt::format("{}m{}s", s / 60, s % 60);
  return fmt::format("{}h{}m", s / 3600, (s / 60) % 60);
}

// A metric cell of the CSV read back (--resume): by the metric's unit.
std::optional<metrics::Value> ReadCell(const metrics::MetricPath& m, const std::string& cell) {
  if (cell.empty()) return std::nullopt;  // null and absent read back alike: no value
  switch (m.metric->unit) {
    case metrics::Unit::kBoolean:
      return metrics::Value::Boolean(cell == "true");
    case metrics::Unit::kRatio: {
      double v = 0;
      const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec != std::errc() || p != cell.data() + cell.size()) return std::nullopt;
      return metrics::Value::Share(v);
    }
    case metrics::Unit::kSeconds: {
      double v = 0;
      const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec != std::errc() || p != cell.data() + cell.size()) return std::nullopt;
      return metrics::Value::Seconds(SimDuration::Micros(std::llround(v * 1e6)));
    }
    default: {
      int64_t v = 0;
      const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
      if (ec != std::errc() || p != cell.data() + cell.size()) return std::nullopt;
      return metrics::Value::Integer(v);
    }
  }
}

struct Written {
  std::map<size_t, std::string> lines;  // run -> its CSV line, newline included
  std::map<size_t, sweep::RunRow> rows;  // run -> its row, for the summary

  // The rows of points [first, first + count): a range of run numbers, so
  // summing every point costs the rows once, not once per point.
  std::vector<sweep::RunRow> RowsOf(size_t first, size_t count, size_t seeds) const {
    std::vector<sweep::RunRow> out;
    for (auto it = rows.lower_bound(first * seeds);
         it != rows.end() && it->first < (first + count) * seeds; ++it) {
      out.push_back(it->second);
    }
    return out;
  }
};

// Reads the rows `--out` already holds (--resume); cuts off a torn last line.
// An error when the file was written by another sweep.
std::optional<std::string> ReadExisting(const std::string& path, const sweep::Sweep& sw,
                                        const Shard& shard, Written* out) {
  auto text = scenario::ReadFileFromDisk(path);
  if (!text) return fmt::format("{}: error: --resume: {}", path, text.error());
  const std::string header = sweep::CsvHeader(sw);
  if (text->empty()) return std::nullopt;
  if (!text->starts_with(header)) {
    return fmt::format(
        "{}:1:1: error: --resume: the file does not start with this sweep's header "
        "(another sweep wrote it, or the sweep's parameters or metrics changed)",
        path);
  }
  size_t at = header.size();
  size_t complete = at;
  const size_t params = sw.parameters.size();
  const size_t fields = 1 + params + 1 + sw.metrics.size() + 1;
  int line_no = 1;
  while (at < text->size()) {
    const size_t nl = text->find('\n', at);
    ++line_no;
    if (nl == std::string::npos) break;  // torn: written when the sweep was stopped
    const std::string line = text->substr(at, nl - at);
    const auto f = sweep::SplitCsvLine(line);
    size_t run = 0;
    const bool number = f && !f->empty() && [&] {
      const std::string& cell = (*f)[0];
      const auto [p, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), run);
      return ec == std::errc() && p == cell.data() + cell.size() && !cell.empty();
    }();
    if (!f || f->size() != fields || !number || run >= sw.Runs()) {
      return fmt::format("{}:{}:1: error: --resume: this line is not a row of this sweep", path,
                         line_no);
    }
    sweep::RunRow row;
    row.run = run;
    row.point = run / sw.seeds.size();
    row.seed = sw.seeds[run % sw.seeds.size()];
    // The row must be this sweep's run `run`: the same values and seed.
    const std::string row_text = sweep::CsvRow(sw, row);
    const auto expected = sweep::SplitCsvLine(row_text.substr(0, row_text.size() - 1));
    for (size_t i = 0; i <= params + 1; ++i) {
      if (!expected || (*f)[i] != (*expected)[i]) {
        return fmt::format(
            "{}:{}:1: error: --resume: run {} has {} = {} here, but this sweep "
            "gives it {}",
            path, line_no, run, i == params + 1 ? "seed" : sw.parameters[i - 1].path, (*f)[i],
            expected ? (*expected)[i] : "?");
      }
    }
    if (run % shard.count != shard.index) {
      return fmt::format("{}:{}:1: error: --resume: run {} is not in shard {}/{}", path, line_no,
                         run, shard.index, shard.count);
    }
    for (size_t m = 0; m < sw.metrics.size(); ++m) {
      row.values.push_back(ReadCell(sw.metrics[m], (*f)[params + 2 + m]));
    }
    row.error = f->back();
    if (out->lines.emplace(run, line + "\n").second) out->rows.emplace(run, std::move(row));
    at = nl + 1;
    complete = at;
  }
  if (complete < text->size() && ::truncate(path.c_str(), static_cast<off_t>(complete)) != 0) {
    return fmt::format("{}: error: --resume: cannot cut the torn last line: {}", path,
                       std::strerror(errno));
  }
  return std::nullopt;
}

// Writes all of `s`; on failure `*error` gets errno's message.
bool WriteAll(int fd, std::string_view s, std::string* error = nullptr) {
  while (!s.empty()) {
    const ssize_t n = ::write(fd, s.data(), s.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      if (error != nullptr) *error = std::strerror(errno);
      return false;
    }
    s.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

}  // namespace

int RunSweep(std::span<const std::string> args) {
  po::options_description visible("Options");
  visible.add_options()              //
      ("help,h", "print this help")  //
      ("jobs,j", po::value<unsigned>()->value_name("N"),
       "simulations at once (default: the machine's cores)")  //
      ("out,o", po::value<std::string>()->value_name("FILE.csv"),
       "one row per run, appended as each run ends, sorted when the sweep ends")  //
      ("shard", po::value<std::string>()->value_name("I/N"),
       "run only the runs whose number is I modulo N (0 <= I < N)")                          //
      ("resume", "skip the runs --out already holds, and append the rest")                   //
      ("seeds", po::value<uint64_t>()->value_name("N"), "seeds 1..N instead of spec.seeds")  //
      ("format", po::value<std::string>()->default_value("table")->value_name("FORMAT"),
       "the summary: table, markdown, csv or json")  //
      ("quiet,q", "print no warnings and no progress");
  AddLimitOptions(visible);
  const auto parsed = ParseArguments(args, visible, "sweep", "sweep");
  if (!parsed) return kExitBadInput;
  const po::variables_map& vm = *parsed;
  if (vm.count("help")) {
    std::ostringstream opts;
    opts << visible;
    std::fputs(("Usage: kubesim sweep SWEEP.yaml [OPTIONS]\n\n"
                "Runs a Sweep (docs/sweeps.md): its scenario at every point of the grid of\n"
                "varied fields, under every seed, in parallel. Each run is one CSV row in\n"
                "--out (the varied values, the seed, each metric, and an error column for a\n"
                "run that failed); then per point the mean with its 95 % interval, p50, p95,\n"
                "p99 and max of every metric. A Sweep with minimize: prints the smallest\n"
                "value that meets every constraint of subjectTo:. On a terminal a progress\n"
                "line shows runs done, runs/s and the time left.\n\n" +
                opts.str() +
                "\nExit codes: 0 every run ran, 2 bad input or usage (or a run hit --max-events\n"
                "or --max-pods), 3 an invariant of the model broke in some run.\n")
                   .c_str(),
               stdout);
    return kExitOk;
  }
  if (!vm.count("sweep") || vm["sweep"].as<std::vector<std::string>>().size() != 1) {
    UsageError("sweep needs exactly one SWEEP.yaml; try 'kubesim sweep --help'");
    return kExitBadInput;
  }
  const std::string file = vm["sweep"].as<std::vector<std::string>>().front();
  const std::string format = vm["format"].as<std::string>();
  if (format != "table" && format != "markdown" && format != "csv" && format != "json") {
    UsageError(fmt::format("unknown --format '{}' (use table, markdown, csv or json)", format));
    return kExitBadInput;
  }
  const bool quiet = vm.count("quiet") > 0;
  const std::optional<unsigned> jobs_option = ReadJobs(vm);
  if (!jobs_option) return kExitBadInput;
  const unsigned jobs = *jobs_option;
  Shard shard;
  if (vm.count("shard")) {
    const auto s = ParseShard(vm["shard"].as<std::string>());
    if (!s) {
      UsageError(fmt::format("--shard '{}': write I/N with 0 <= I < N, such as 0/4",
                             vm["shard"].as<std::string>()));
      return kExitBadInput;
    }
    shard = *s;
  }
  const bool resume = vm.count("resume") > 0;
  const std::string out_path = vm.count("out") ? vm["out"].as<std::string>() : "";
  if (resume && out_path.empty()) {
    UsageError("--resume needs --out FILE.csv (the file to resume)");
    return kExitBadInput;
  }
  cluster::SimulationOptions limits;
  ReadLimitOptions(vm, &limits);

  sweep::SweepLoad loaded = sweep::LoadSweepFile(file);
  for (const auto& d : loaded.diagnostics) {
    if (quiet && d.severity != k8s::Severity::kError) continue;
    std::fputs((d.ToString() + "\n").c_str(), stderr);
  }
  if (!loaded.ok()) return kExitBadInput;
  auto sw = std::make_shared<sweep::Sweep>(*loaded.sweep);
  if (vm.count("seeds")) {
    const uint64_t n = vm["seeds"].as<uint64_t>();
    if (n == 0 || n > 1'000'000) {
      UsageError("--seeds must be from 1 to 1000000");
      return kExitBadInput;
    }
    sw->seeds.clear();
    for (uint64_t s = 1; s <= n; ++s) sw->seeds.push_back(s);
    if (sw->PointsPerCandidate() > 10'000'000 / n) {
      UsageError(
          fmt::format("--seeds {}: {} points x {} seeds is more than the 10000000 runs a "
                      "sweep takes at once",
                      n, sw->PointsPerCandidate(), n));
      return kExitBadInput;
    }
  }
  if (sw->minimize && shard.count > 1) {
    UsageError(
        "a minimize cannot be sharded: each value it tries depends on the ones before; "
        "shard a grid sweep instead");
    return kExitBadInput;
  }
  // The output file: checked before anything runs; never one of the inputs.
  if (!out_path.empty()) {
    const std::filesystem::path parent = std::filesystem::path(out_path).parent_path();
    std::error_code ec;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ec)) {
      UsageError(
          fmt::format("--out {}: the directory {} does not exist", out_path, parent.string()));
      return kExitBadInput;
    }
    if (SameFile(out_path, file) || SameFile(out_path, sw->scenario_file)) {
      UsageError(
          fmt::format("--out {} names an input of the sweep; choose another file", out_path));
      return kExitBadInput;
    }
  }

  Written written;
  if (resume && std::filesystem::exists(out_path)) {
    if (auto err = ReadExisting(out_path, *sw, shard, &written)) {
      std::fputs(fmt::format("{}\n", *err).c_str(), stderr);
      return kExitBadInput;
    }
  }
  int fd = -1;
  if (!out_path.empty()) {
    const bool append = resume && std::filesystem::exists(out_path);
    fd = ::open(out_path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC),
                0644);
    if (fd < 0 || (!append && !WriteAll(fd, sweep::CsvHeader(*sw)))) {
      UsageError(fmt::format("--out {}: {}", out_path, std::strerror(errno)));
      return kExitBadInput;
    }
    if (append) {
      // A file holding nothing yet (emptied, or created by hand) gets its header.
      struct stat st {};
      if (::fstat(fd, &st) == 0 && st.st_size == 0) WriteAll(fd, sweep::CsvHeader(*sw));
    }
  }

  // Each point's scenario, loaded once by the first run that needs it and
  // freed when the runs move past its point (a map: a minimize's points may
  // number billions, of which it runs a few).
  const size_t points = sw->Points();
  struct Loaded {
    std::once_flag once;
    std::shared_ptr<const scenario::Scenario> scenario;
  };
  std::mutex loaded_lock;  // guards the map, not the loads
  std::map<size_t, std::shared_ptr<Loaded>> loaded_points;
  std::mutex lock;  // guards the file, `written` and the counters
  size_t done = 0, total = 0;
  bool write_failed = false;
  std::string write_error;
  const auto started = std::chrono::steady_clock::now();
  const bool tty = !quiet && ::isatty(STDERR_FILENO) != 0;

  std::signal(SIGINT, OnStopSignal);
  std::signal(SIGTERM, OnStopSignal);
  std::atomic<bool> stop{false};

  // On SIGINT/SIGTERM: under the writer's lock, so that no row is
  // half-written when the process ends, say how far it got and exit.
  const auto stop_now = [&](bool line_drawn) {
    stop = true;
    lock.lock();
    if (fd >= 0) ::fsync(fd);
    std::fputs(fmt::format("{}kubesim: interrupted after {} of {} runs{}\n",
                           line_drawn ? "\r\x1b[K" : "", done, total,
                           out_path.empty() ? ""
                                            : fmt::format("; {} holds every finished run: run "
                                                          "again with --resume to finish",
                                                          out_path))
                   .c_str(),
               stderr);
    std::fflush(stderr);
    std::_Exit(128 + g_signal.load());
  };

  // Runs `runs` in the background while this thread draws progress and
  // watches for a signal.
  const auto run_batch = [&](const std::vector<size_t>& runs) -> bool {
    {
      const std::lock_guard<std::mutex> hold(lock);
      total += runs.size();
    }
    sweep::RunnerOptions options;
    options.jobs = jobs;
    options.limits = limits;
    options.stop = &stop;
    options.scenario = [&](size_t point) {
      std::shared_ptr<Loaded> entry;
      {
        const std::lock_guard<std::mutex> hold(loaded_lock);
        // Runs are handed out in ascending order, so no run still to come
        // needs an earlier point: free them (a run under way holds its own
        // reference). A sweep holds a few scenarios, not one per point.
        loaded_points.erase(loaded_points.begin(), loaded_points.lower_bound(point));
        auto& slot = loaded_points[point];
        if (!slot) slot = std::make_shared<Loaded>();
        entry = slot;
      }
      std::call_once(entry->once, [&] {
        // Null if its files changed since the sweep was checked: a failed run.
        entry->scenario = sweep::LoadPoint(*sw, sw->ValuesAt(point)).scenario;
      });
      return entry->scenario;
    };
    options.on_row = [&](const sweep::RunRow& row) {
      const std::string line = sweep::CsvRow(*sw, row);
      const std::lock_guard<std::mutex> hold(lock);
      if (fd >= 0 && !write_failed && !WriteAll(fd, line, &write_error)) write_failed = true;
      written.lines.emplace(row.run, line);
      written.rows.emplace(row.run, row);
      ++done;
    };
    bool finished = false;
    std::mutex wait_lock;
    std::condition_variable wake;
    std::thread worker([&] {
      sweep::RunAll(*sw, runs, options);
      const std::lock_guard<std::mutex> hold(wait_lock);
      finished = true;
      wake.notify_one();
    });
    auto drawn = std::chrono::steady_clock::now();
    bool line_drawn = false;
    for (;;) {
      if (g_signal != 0) stop_now(line_drawn);
      {
        std::unique_lock<std::mutex> hold(wait_lock);
        wake.wait_for(hold, std::chrono::milliseconds(100), [&] { return finished; });
        if (finished) break;
      }
      if (g_signal != 0) stop_now(line_drawn);
      const auto now = std::chrono::steady_clock::now();
      const auto every = tty ? std::chrono::milliseconds(250) : std::chrono::milliseconds(5000);
      if (quiet || now - drawn < every || now - started < std::chrono::seconds(1)) continue;
      drawn = now;
      size_t d = 0, t = 0;
      {
        const std::lock_guard<std::mutex> hold(lock);
        d = done;
        t = total;
      }
      const double elapsed = std::chrono::duration<double>(now - started).count();
      const double rate = static_cast<double>(d) / elapsed;
      const std::string text =
          fmt::format("{}: {}/{} runs  {:.0f} runs/s  ETA {}", sw->file, d, t, rate,
                      rate > 0 ? Eta(static_cast<double>(t - d) / rate) : "?");
      if (tty) {
        constexpr size_t kBar = 20;
        const size_t filled = t == 0 ? 0 : kBar * d / t;
        std::fputs(fmt::format("\r\x1b[K[{}{}] {}", std::string(filled, '#'),
                               std::string(kBar - filled, '.'), text)
                       .c_str(),
                   stderr);
        line_drawn = true;
      } else {
        std::fputs((text + "\n").c_str(), stderr);
      }
      std::fflush(stderr);
    }
    worker.join();
    if (line_drawn) std::fputs("\r\x1b[K", stderr);
    return !write_failed;
  };

  sweep::SweepResult result;
  const size_t seeds = sw->seeds.size();
  const auto runs_of = [&](size_t first_point, size_t count) {
    std::vector<size_t> runs;
    for (size_t r = first_point * seeds; r < (first_point + count) * seeds; ++r) {
      if (r % shard.count == shard.index && !written.lines.count(r)) runs.push_back(r);
    }
    return runs;
  };
  bool ok = true;
  if (!sw->minimize) {
    ok = run_batch(runs_of(0, points));
    for (size_t p = 0; p < points; ++p) {
      sweep::PointSummary s = sweep::SummarizePoints(*sw, written.RowsOf(p, 1, seeds), p, 1);
      if (s.runs > 0) result.points.push_back(std::move(s));
    }
  } else {
    // The smallest value meeting every constraint: bisection when the
    // constraints hold from some value on (monotone), else every value in order.
    const size_t block = sw->PointsPerCandidate();
    const size_t values = points / block;
    std::map<size_t, sweep::PointSummary> tried;
    const auto meets = [&](size_t v) {
      if (g_signal != 0) stop_now(false);
      if (!tried.count(v)) {
        ok = run_batch(runs_of(v * block, block)) && ok;
        tried.emplace(v, sweep::SummarizePoints(*sw, written.RowsOf(v * block, block, seeds),
                                                v * block, block));
      }
      return sweep::Meets(*sw, tried.at(v));
    };
    result.searched = true;
    if (sw->monotone) {
      if (meets(values - 1)) {
        size_t lo = 0, hi = values - 1;
        while (lo < hi) {
          const size_t mid = lo + (hi - lo) / 2;
          if (meets(mid)) {
            hi = mid;
          } else {
            lo = mid + 1;
          }
        }
        result.minimum = hi;
      }
    } else {
      for (size_t v = 0; v < values && ok; ++v) {
        if (meets(v)) {
          result.minimum = v;
          break;
        }
      }
    }
    for (auto& [v, s] : tried) result.points.push_back(s);
    if (result.minimum) result.at_minimum = tried.at(*result.minimum);
  }
  if (fd >= 0) ::close(fd);
  std::signal(SIGINT, SIG_DFL);
  std::signal(SIGTERM, SIG_DFL);
  if (g_signal != 0) {  // after the last batch
    std::fputs(fmt::format("kubesim: interrupted after {} runs{}\n", written.rows.size(),
                           out_path.empty() ? "" : "; run again with --resume to finish")
                   .c_str(),
               stderr);
    return 128 + g_signal.load();
  }
  if (!ok) {
    UsageError(fmt::format("--out {}: writing failed: {}", out_path, write_error));
    return kExitBadInput;
  }
  result.runs = written.rows.size();
  bool invariant = false, budget = false;
  for (const auto& [run, r] : written.rows) {
    if (r.error.empty()) continue;
    ++result.failed;
    (r.error.starts_with("internal error") ? invariant : budget) = true;
  }
  // The finished file: every row, sorted by run number.
  if (!out_path.empty()) {
    std::string content = sweep::CsvHeader(*sw);
    for (const auto& [run, line] : written.lines) content += line;
    if (auto err = output::WriteFileAtomically(out_path, content)) {
      UsageError(fmt::format("--out: {}", *err));
      return kExitBadInput;
    }
  }
  std::fputs(sweep::FormatSweep(*sw, result, format).c_str(), stdout);
  if (result.failed > 0) {
    std::fputs(
        fmt::format("{}: {} of {} runs failed{}\n", sw->file, result.failed, result.runs,
                    out_path.empty() ? " (run with --out to see why, in the error column)"
                                     : fmt::format(" (see the error column of {})", out_path))
            .c_str(),
        stderr);
  }
  return invariant ? kExitInvariant : budget ? kExitBadInput : kExitOk;
}

}  // namespace kubesim::cli
