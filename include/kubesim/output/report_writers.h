// Report writers: a Report (metrics/report.h) as the JSON of docs/metrics.md and as
// the human-readable table of `kubesim run` — plus the `expect:` check,
// which reads metrics by their JSON path.
//
// The model: writers only format; every number was computed by the
// collector. The JSON keeps docs/metrics.md's keys and order (services, deployments,
// resources), seconds as numbers with microsecond precision, and `null` for
// what never happened (a rollout that never completed, a Service that never
// served). Output is byte-identical for identical reports.
#ifndef KUBESIM_OUTPUT_REPORT_WRITERS_H_
#define KUBESIM_OUTPUT_REPORT_WRITERS_H_

#include <string>
#include <vector>

#include "kubesim/metrics/report.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::output {

// The report as docs/metrics.md's JSON object, printed with two-space
// indentation and a final newline.
std::string FormatJson(const metrics::Report& report);
// The same values as CSV (`--format csv`): a header, then one row per
// (scenario, metric) with the metric's dotted JSON path ("services.web.
// downtimeSeconds", list items as "[i]") and its value, empty for null.
std::string FormatCsv(const metrics::Report& report);
// The one-screen summary of `kubesim run --format table`: per Service and
// Deployment the headline numbers, the rollouts' start and end, the
// cluster's peaks. `color`: ANSI bold headings, good values green and bad
// ones red (the caller decides: a TTY and no NO_COLOR).
std::string FormatTable(const metrics::Report& report, bool color = false);
// A CSV field as RFC 4180 writes it: as is, or in double quotes (doubled
// inside) when it holds a comma, a quote or a line break.
std::string CsvField(std::string_view field);
// The same lines as a markdown table, for a pull request.
std::string FormatMarkdown(const metrics::Report& report);

// A failed `expect:` assertion: the assertion's text and why it failed
// ("services.web.downtimeSeconds <= 0: the value is 4.5").
struct ExpectFailure {
  const scenario::Expectation* expectation;
  std::string message;
};
// Evaluates every `expect:` of the scenario against the report, each metric
// read by its path in the report's JSON. A metric path that names nothing
// fails with a message saying so.
std::vector<ExpectFailure> CheckExpectations(const scenario::Scenario& s,
                                             const metrics::Report& report);

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_REPORT_WRITERS_H_
