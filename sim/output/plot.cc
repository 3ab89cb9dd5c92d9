#include "kubesim/output/plot.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <vector>

namespace kubesim::output {
namespace {

constexpr double kWidth = 1000;
constexpr double kLeft = 60;
constexpr double kRight = 260;  // legend column
constexpr double kPlotWidth = kWidth - kLeft - kRight;
constexpr double kTop = 44;
constexpr double kGap = 48;
constexpr double kPodsHeight = 200;
constexpr double kEndpointsHeight = 120;
constexpr double kFailedHeight = 90;
constexpr double kInFlightHeight = 90;  // the load model's panels
constexpr double kLatencyHeight = 100;
constexpr size_t kMaxServices = 6;    // panels beyond are left out (and said so)
constexpr size_t kMaxStepLines = 30;  // legend lines for steps; also results marked
constexpr double kResultsStrip = 24;  // above the panels: the results' bars and labels

constexpr std::array<std::string_view, 8> kPalette{"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728",
                                                   "#9467bd", "#8c564b", "#e377c2", "#17becf"};
constexpr std::array<std::string_view, 5> kStates{"ready", "starting", "pulling", "pending",
                                                  "terminating"};
constexpr std::array<double, 5> kStateOpacity{0.85, 0.5, 0.32, 0.18, 0.3};

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        // XML 1.0 allows no control characters but tab, newline, return.
        if (static_cast<unsigned char>(c) < 0x20) {
          out += ' ';
        } else {
          out += c;
        }
    }
  }
  return out;
}

std::string Shorten(std::string_view s, size_t max) {
  if (s.size() <= max) return std::string(s);
  return std::string(s.substr(0, max - 3)) + "...";
}

// A "nice" tick step (1, 2 or 5 times a power of ten) giving about `n` ticks.
double TickStep(double range, int n) {
  const double raw = range / n;
  const double p = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0}) {
    if (m * p >= raw) return m * p;
  }
  return 10 * p;
}

std::string Num(double v) {
  std::string s = fmt::format("{:.1f}", v);
  if (s.ends_with(".0")) s.resize(s.size() - 2);
  return s;
}

struct Frame {
  double top = 0, height = 0, ymax = 1;
  double Y(double v) const { return top + height - v / ymax * height; }
};

class Svg {
 public:
  explicit Svg(double tmax) : tmax_(tmax) {}
  double X(double t) const { return kLeft + t / tmax_ * kPlotWidth; }
  std::string& out() { return out_; }

  void Text(double x, double y, std::string_view text, std::string_view extra = "") {
    out_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\"{}{}>{}</text>\n", x, y,
                        extra.empty() ? "" : " ", extra, Escape(text));
  }
  void Line(double x1, double y1, double x2, double y2, std::string_view style) {
    out_ += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" {}/>\n", x1,
                        y1, x2, y2, style);
  }
  // Axes, grid and title of a panel.
  void Axes(const Frame& f, std::string_view title) {
    out_ += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#fafafa\" "
        "stroke=\"#999\"/>\n",
        kLeft, f.top, kPlotWidth, f.height);
    Text(kLeft, f.top - 8, title, "font-weight=\"bold\"");
    const double ystep = std::max(1.0, TickStep(f.ymax, 4));
    for (double v = 0; v <= f.ymax + 1e-9; v += ystep) {
      Line(kLeft, f.Y(v), kLeft + kPlotWidth, f.Y(v), "stroke=\"#e4e4e4\"");
      Text(kLeft - 6, f.Y(v) + 4, Num(v), "text-anchor=\"end\"");
    }
    const double tstep = TickStep(tmax_, 10);
    for (double t = 0; t <= tmax_ + 1e-9; t += tstep) {
      Line(X(t), f.top + f.height, X(t), f.top + f.height + 4, "stroke=\"#999\"");
      Text(X(t), f.top + f.height + 16, Num(t), "text-anchor=\"middle\"");
    }
  }
  void Legend(double y, std::string_view color, double opacity, std::string_view label,
              bool hatched = false) {
    const double x = kLeft + kPlotWidth + 14;
    out_ += fmt::format(
        "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"10\" fill=\"{}\" "
        "fill-opacity=\"{:.2f}\" stroke=\"{}\"/>\n",
        x, y - 9, color, opacity, color);
    if (hatched) {
      out_ += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"12\" height=\"10\" fill=\"url(#hatch)\"/>\n", x,
          y - 9);
    }
    Text(x + 18, y, Shorten(label, 38), "font-size=\"10\"");
  }

 private:
  double tmax_;
  std::string out_;
};

// A step result's color: failed or timed out red, done dark, still waiting grey.
std::string_view ResultColor(bool bad, bool finished) {
  return bad ? "#d62728" : finished ? "#444" : "#888";
}

double Seconds(SimTime t) { return static_cast<double>(t.SinceStart().micros()) / 1e6; }

int64_t Value(const Timeline::Row& r, const std::string& column) {
  auto it = r.values.find(column);
  return it == r.values.end() ? 0 : it->second;
}

}  // namespace

std::string PlotSvg(const Timeline& timeline, const std::string& title) {
  const auto& rows = timeline.rows();
  const double tmax = std::max(1.0, Seconds(timeline.end()));
  std::vector<double> xs;  // row start times, then the end
  for (const auto& r : rows) xs.push_back(Seconds(r.time));
  xs.push_back(tmax);
  const size_t n = rows.size();

  // Pod groups ("owner version") in the timeline's column order.
  struct Group {
    std::string prefix;  // "pods/OWNER/VERSION/"
    std::string label;   // "OWNER VERSION"
  };
  std::vector<Group> groups;
  std::vector<std::string> services;
  for (const std::string& c : timeline.Columns()) {
    if (c.starts_with("pods/")) {
      const size_t state_at = c.rfind('/');
      const std::string prefix = c.substr(0, state_at + 1);
      if (groups.empty() || groups.back().prefix != prefix) {
        const std::string ov = prefix.substr(5, prefix.size() - 6);  // OWNER/VERSION
        const size_t v = ov.rfind('/');
        groups.push_back({prefix, fmt::format("{} {}", ov.substr(0, v), ov.substr(v + 1))});
      }
    } else if (c.starts_with("serving/")) {
      services.push_back(c.substr(8));
    }
  }
  const size_t shown_services = std::min(services.size(), kMaxServices);
  // Versions seen at each Service's endpoints.
  std::map<std::string, std::vector<std::string>> service_versions;
  for (const std::string& c : timeline.Columns()) {
    if (!c.starts_with("endpoints/")) continue;
    const std::string sv = c.substr(10);
    const size_t v = sv.rfind('/');
    service_versions[sv.substr(0, v)].push_back(sv.substr(v + 1));
  }
  std::map<std::string, std::string_view> version_color;
  for (const auto& [svc, versions] : service_versions) {
    for (const std::string& v : versions) {
      version_color.try_emplace(v, kPalette[version_color.size() % kPalette.size()]);
    }
  }

  // Steps, grouped by time.
  std::vector<std::pair<double, std::vector<size_t>>> step_marks;
  const auto& steps = timeline.steps();
  for (size_t i = 0; i < steps.size(); ++i) {
    const double t = Seconds(steps[i].first);
    if (step_marks.empty() || step_marks.back().first != t) step_marks.push_back({t, {}});
    step_marks.back().second.push_back(i + 1);
  }

  // The report's timeline entries that ran (chained, blocking, failed
  // steps): each is matched to its start's mark (the kubectl line at that
  // time with that text; a `sleep:` has none) and marked where it finished.
  struct Result {
    const Timeline::StepEntry* entry = nullptr;
    std::optional<size_t> mark;  // its index in `steps`
  };
  std::vector<Result> results;
  std::vector<std::optional<size_t>> result_of_step(steps.size());  // index in `results`
  size_t unmarked_results = 0;
  for (const Timeline::StepEntry& e : timeline.step_entries()) {
    if (!e.started) continue;  // skipped, notReached: never ran
    if (results.size() == kMaxStepLines) {
      ++unmarked_results;
      continue;
    }
    Result r{&e, std::nullopt};
    for (size_t i = 0; i < steps.size(); ++i) {
      if (!result_of_step[i] && steps[i].first == *e.started && steps[i].second == e.text) {
        r.mark = i;
        result_of_step[i] = results.size();
        break;
      }
    }
    results.push_back(r);
  }
  const auto failed_result = [](const Timeline::StepEntry& e) {
    return e.result == "failed" || e.result == "timeout";
  };
  // Room above the panels for the results' bars and labels.
  const double results_strip = results.empty() ? 0 : kResultsStrip;

  // Panel frames.
  Frame pods{kTop + 18 + results_strip, kPodsHeight, 1};
  for (size_t i = 0; i < n; ++i) {
    double total = 0;
    for (const Group& g : groups) {
      for (std::string_view st : kStates)
        total += static_cast<double>(Value(rows[i], g.prefix + std::string(st)));
    }
    pods.ymax = std::max(pods.ymax, total);
  }
  std::vector<Frame> endpoint_frames, failed_frames;
  // The load model's per-second columns (docs/outputs.md): in flight, and
  // the p50 / p99 response times in ms.
  std::set<std::string> columns_seen;
  for (const std::string& c : timeline.Columns()) columns_seen.insert(c);
  std::vector<std::optional<std::pair<Frame, Frame>>> load_frames(shown_services);
  std::vector<std::map<int64_t, int64_t>> failed_per_second(shown_services);
  double y = pods.top + pods.height + kGap + 12;
  for (size_t s = 0; s < shown_services; ++s) {
    Frame e{y, kEndpointsHeight, 1};
    for (const auto& r : rows) {
      for (const std::string& v : service_versions[services[s]]) {
        e.ymax = std::max(
            e.ymax, static_cast<double>(Value(r, fmt::format("endpoints/{}/{}", services[s], v))));
      }
    }
    endpoint_frames.push_back(e);
    y += kEndpointsHeight + kGap;
    int64_t previous = 0;
    for (const auto& r : rows) {
      const int64_t now = Value(r, "failed/" + services[s]);
      if (now > previous)
        failed_per_second[s][r.time.SinceStart().micros() / 1'000'000] += now - previous;
      previous = now;
    }
    Frame f{y, kFailedHeight, 1};
    for (const auto& [sec, count] : failed_per_second[s])
      f.ymax = std::max(f.ymax, static_cast<double>(count));
    failed_frames.push_back(f);
    y += kFailedHeight + kGap;
    if (columns_seen.contains("inflight/" + services[s])) {
      Frame in{y, kInFlightHeight, 1};
      y += kInFlightHeight + kGap;
      Frame lat{y, kLatencyHeight, 1};
      y += kLatencyHeight + kGap;
      for (const auto& r : rows) {
        in.ymax = std::max(in.ymax, static_cast<double>(Value(r, "inflight/" + services[s])));
        lat.ymax =
            std::max(lat.ymax, static_cast<double>(Value(r, "latencyP99/" + services[s])) / 1000.0);
      }
      load_frames[s] = std::pair{in, lat};
    }
  }
  const double steps_top = y + 4;
  const size_t step_lines = std::min(steps.size(), kMaxStepLines);
  const double height =
      steps_top +
      16.0 * static_cast<double>(step_lines + (steps.size() > step_lines ? 1 : 0) +
                                 (unmarked_results > 0 ? 1 : 0)) +
      16;

  Svg svg(tmax);
  std::string& out = svg.out();
  out += fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{:.0f}\" height=\"{:.0f}\" "
      "viewBox=\"0 0 {:.0f} {:.0f}\" font-family=\"sans-serif\" font-size=\"11\">\n",
      kWidth, height, kWidth, height);
  out +=
      "<defs><pattern id=\"hatch\" patternUnits=\"userSpaceOnUse\" width=\"6\" height=\"6\">"
      "<path d=\"M0,6 l6,-6\" stroke=\"#000\" stroke-opacity=\"0.45\"/></pattern></defs>\n";
  out += fmt::format("<rect width=\"{:.0f}\" height=\"{:.0f}\" fill=\"white\"/>\n", kWidth, height);
  svg.Text(kLeft, 20, fmt::format("kubesim run: {}", title),
           "font-size=\"15\" font-weight=\"bold\"");
  svg.Text(kLeft + kPlotWidth, 20, "time in seconds of simulated time",
           "text-anchor=\"end\" fill=\"#555\"");

  // Pods: stacked step areas.
  svg.Axes(pods, "pods by version and state");
  std::vector<double> bottom(n, 0);
  double legend_y = pods.top + 10;
  for (size_t g = 0; g < groups.size(); ++g) {
    const std::string_view color = kPalette[g % kPalette.size()];
    for (size_t k = 0; k < kStates.size(); ++k) {
      const std::string column = groups[g].prefix + std::string(kStates[k]);
      std::vector<double> top(n);
      bool any = false;
      for (size_t i = 0; i < n; ++i) {
        const auto v = static_cast<double>(Value(rows[i], column));
        top[i] = bottom[i] + v;
        any = any || v > 0;
      }
      if (any) {
        std::string points;
        for (size_t i = 0; i < n; ++i) {
          points += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", svg.X(xs[i]), pods.Y(top[i]),
                                svg.X(xs[i + 1]), pods.Y(top[i]));
        }
        for (size_t i = n; i-- > 0;) {
          points += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", svg.X(xs[i + 1]), pods.Y(bottom[i]),
                                svg.X(xs[i]), pods.Y(bottom[i]));
        }
        out += fmt::format("<polygon points=\"{}\" fill=\"{}\" fill-opacity=\"{:.2f}\"/>\n", points,
                           color, kStateOpacity[k]);
        if (kStates[k] == "terminating") {
          out += fmt::format("<polygon points=\"{}\" fill=\"url(#hatch)\"/>\n", points);
        }
        if (legend_y < pods.top + pods.height + 4) {
          svg.Legend(legend_y, color, kStateOpacity[k],
                     fmt::format("{} {}", groups[g].label, kStates[k]),
                     kStates[k] == "terminating");
          legend_y += 14;
        }
      }
      bottom = top;
    }
  }

  // A column as steps: each row's value (divided by `scale`) held until the
  // next row.
  const auto step_points = [&](const Frame& frame, const std::string& column, double scale) {
    std::string points;
    for (size_t i = 0; i < n; ++i) {
      const double val = static_cast<double>(Value(rows[i], column)) / scale;
      points += fmt::format("{:.1f},{:.1f} {:.1f},{:.1f} ", svg.X(xs[i]), frame.Y(val),
                            svg.X(xs[i + 1]), frame.Y(val));
    }
    return points;
  };

  // Per Service: endpoints (steps) and failed requests per second (bars).
  for (size_t s = 0; s < shown_services; ++s) {
    const Frame& e = endpoint_frames[s];
    svg.Axes(e, fmt::format("service {}: client-visible endpoints per version", services[s]));
    double ly = e.top + 10;
    for (const std::string& v : service_versions[services[s]]) {
      const std::string points = step_points(e, fmt::format("endpoints/{}/{}", services[s], v), 1);
      out +=
          fmt::format("<polyline points=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"2\"/>\n",
                      points, version_color[v]);
      svg.Legend(ly, version_color[v], 0.85, fmt::format("version {}", v));
      ly += 14;
    }
    const Frame& f = failed_frames[s];
    svg.Axes(f, fmt::format("service {}: failed requests per second", services[s]));
    const double bar = std::max(1.0, svg.X(1) - svg.X(0));
    for (const auto& [sec, count] : failed_per_second[s]) {
      out += fmt::format(
          "<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"{:.1f}\" height=\"{:.1f}\" fill=\"#d62728\"/>\n",
          svg.X(static_cast<double>(sec)), f.Y(static_cast<double>(count)), bar,
          f.top + f.height - f.Y(static_cast<double>(count)));
    }
    int64_t total = 0;
    for (const auto& [sec, count] : failed_per_second[s]) total += count;
    svg.Text(kLeft + kPlotWidth + 14, f.top + 10, fmt::format("{} failed in all", total));
    if (!load_frames[s]) continue;
    // Per second: each row holds its second's values.
    const auto& [in, lat] = *load_frames[s];
    svg.Axes(in, fmt::format("service {}: requests in flight (each second's start)", services[s]));
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#555\" stroke-width=\"1.5\"/>\n",
        step_points(in, "inflight/" + services[s], 1));
    svg.Axes(lat, fmt::format("service {}: response time per second, ms", services[s]));
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\"/>\n",
        step_points(lat, "latencyP50/" + services[s], 1000));
    out += fmt::format(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#d62728\" stroke-width=\"1.5\"/>\n",
        step_points(lat, "latencyP99/" + services[s], 1000));
    svg.Legend(lat.top + 10, "#1f77b4", 0.85, "p50 of the second's answers");
    svg.Legend(lat.top + 24, "#d62728", 0.85, "p99 of the second's answers");
  }
  if (services.size() > shown_services) {
    svg.Text(kLeft, y - kGap + 14,
             fmt::format("({} more services not shown: see --timeline)",
                         services.size() - shown_services),
             "fill=\"#555\"");
  }

  // Steps: dashed lines through every panel, numbered; the texts below.
  const double bottom_y = y - kGap;
  for (const auto& [t, numbers] : step_marks) {
    const double x = svg.X(t);
    svg.Line(x, pods.top, x, bottom_y, "stroke=\"#444\" stroke-dasharray=\"4,3\"");
    const std::string label = numbers.size() == 1
                                  ? fmt::format("{}", numbers.front())
                                  : fmt::format("{}-{}", numbers.front(), numbers.back());
    svg.Text(x + 2, kTop - 6, label, "fill=\"#444\" font-size=\"10\"");
  }
  // Results: a bar from the step's start to its finish (dashed to the end
  // of the run while it still waits); at each finish time a tick and a
  // dotted line through the panels, labelled with the step's mark number
  // (or its text) and result, several finishing at once in one label
  // ("2 ok, 3 ok"); failed and timed-out steps in red.
  // Bars that overlap in time go one below the other (up to three rows).
  std::vector<double> row_ends;  // by row: where its last bar ends
  // (x, finished) -> label, any failed
  std::map<std::pair<double, bool>, std::pair<std::string, bool>> finishes;
  for (const Result& r : results) {
    const Timeline::StepEntry& e = *r.entry;
    const bool finished = e.finished.has_value();
    const bool bad = failed_result(e);
    const double x0 = svg.X(Seconds(*e.started));
    const double x1 = svg.X(finished ? Seconds(*e.finished) : tmax);
    size_t row = 0;
    while (row < row_ends.size() && row < 2 && x0 < row_ends[row]) ++row;
    if (row == row_ends.size()) row_ends.push_back(x1);
    row_ends[row] = std::max(row_ends[row], x1);
    const double bar_y = kTop - 1 + 4 * static_cast<double>(row);
    svg.Line(x0, bar_y, x1, bar_y,
             fmt::format("stroke=\"{}\" stroke-width=\"{}\"{}", ResultColor(bad, finished),
                         bad ? 2 : 1, finished ? "" : " stroke-dasharray=\"4,3\""));
    auto& [label, any_bad] = finishes[{x1, finished}];
    label += fmt::format("{}{} {}", label.empty() ? "" : ", ",
                         r.mark ? fmt::format("{}", *r.mark + 1) : Shorten(e.text, 16), e.result);
    any_bad = any_bad || bad;
  }
  for (const auto& [at, text] : finishes) {
    const auto& [x, finished] = at;
    const auto& [label, bad] = text;
    const std::string_view color = ResultColor(bad, finished);
    if (finished) {
      svg.Line(x, kTop - 4, x, kTop + 10, fmt::format("stroke=\"{}\" stroke-width=\"2\"", color));
      svg.Line(x, pods.top, x, bottom_y,
               fmt::format("stroke=\"{}\" stroke-dasharray=\"1,3\"", color));
    }
    // Right of the finish; left of it near the plot's right edge (and for
    // a step still waiting at the end).
    const bool left = !finished || x > kLeft + kPlotWidth - 80;
    svg.Text(left ? x - 2 : x + 2, kTop + 18, label,
             fmt::format("class=\"step-result\" fill=\"{}\" font-size=\"10\"{}{}", color,
                         bad ? " font-weight=\"bold\"" : "", left ? " text-anchor=\"end\"" : ""));
  }
  for (size_t i = 0; i < step_lines; ++i) {
    std::string suffix;
    std::string extra = "font-family=\"monospace\" xml:space=\"preserve\"";
    if (result_of_step[i]) {
      const Timeline::StepEntry& e = *results[*result_of_step[i]].entry;
      suffix = e.finished ? fmt::format("  [{} at {}s]", e.result, FormatSeconds(*e.finished, 3))
                          : fmt::format("  [{} at the end]", e.result);
      if (failed_result(e)) extra += " fill=\"#d62728\"";
    }
    svg.Text(
        kLeft, steps_top + 16.0 * static_cast<double>(i) + 12,
        fmt::format("{:>3}  {}s  {}{}", i + 1, FormatSeconds(steps[i].first, 3),
                    Shorten(steps[i].second, 110 - std::min<size_t>(suffix.size(), 60)), suffix),
        extra);
  }
  double note_y = steps_top + 16.0 * static_cast<double>(step_lines) + 12;
  if (steps.size() > step_lines) {
    svg.Text(kLeft, note_y,
             fmt::format("... and {} more steps (see --events)", steps.size() - step_lines),
             "font-family=\"monospace\" fill=\"#555\"");
    note_y += 16;
  }
  if (unmarked_results > 0) {
    svg.Text(kLeft, note_y,
             fmt::format("... and {} more step results not marked (see the report's timeline)",
                         unmarked_results),
             "font-family=\"monospace\" fill=\"#555\"");
  }
  out += "</svg>\n";
  return out;
}

}  // namespace kubesim::output
