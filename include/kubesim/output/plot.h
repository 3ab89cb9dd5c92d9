// `kubesim run --plot FILE.svg`: the timeline as a self-contained
// SVG that any browser or image viewer shows, no other tool needed.
//
// Panels, one above another on a shared time axis (seconds of simulated time):
//   pods       stacked areas: per Deployment (or bare pod) and version, its
//              pods Ready (solid), Starting, Pulling, Pending (lighter) and
//              Terminating (hatched)
//   endpoints  per Service: the client-visible endpoints per version (steps)
//   failed     per Service: failed requests per second (bars)
// Every timeline step (kubectl command, node failure) is a dashed vertical
// line through all panels, numbered, with its text in the legend below.
// Each entry of the report's `timeline` that ran (a chained, blocking or
// failed step) also gets, above the panels, a bar from its start to its
// finish (dashed to the end of the run if it still waited) labelled with
// its number and result ("3 ok", "5 timeout"; a `sleep:` by its text), and
// a dotted line through the panels at its finish; failed and timed-out
// steps in red. Its legend line says "[RESULT at FINISHs]". Both step lines
// and results are capped at 30 (the rest are counted).
#ifndef KUBESIM_OUTPUT_PLOT_H_
#define KUBESIM_OUTPUT_PLOT_H_

#include <string>

#include "kubesim/output/observers.h"

namespace kubesim::output {

// The SVG of a finished run's timeline; `title` heads it (the scenario's name).
std::string PlotSvg(const Timeline& timeline, const std::string& title);

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_PLOT_H_
