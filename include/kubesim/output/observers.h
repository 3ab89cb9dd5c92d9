// Writers that watch a run: the human-readable event log (`--events`) and
// the timeline CSV (`--timeline`).
//
// The event log has one line per happening, in order:
//   12.500s pod/echo-version-7d9f4b-x2k4p Ready
// The timeline has one row per instant at which something it shows changed:
// `time` in seconds, then for every Deployment (or bare owner) and version the
// pods in each state — `pods/OWNER/VERSION/pending|pulling|starting|ready|terminating`
// — and for every Service and version the client-visible endpoints —
// `endpoints/SERVICE/VERSION` — and the Service's failed requests so far
// (`failed/SERVICE`). Columns are sorted by name; a count absent at a time is 0.
#ifndef KUBESIM_OUTPUT_OBSERVERS_H_
#define KUBESIM_OUTPUT_OBSERVERS_H_

#include <map>
#include <string>
#include <vector>

#include "kubesim/cluster/observer.h"

namespace kubesim::output {

class EventLog final : public cluster::Observer {
 public:
  void OnEvent(SimTime t, std::string_view object, std::string_view what) override;
  const std::string& text() const { return text_; }

 private:
  std::string text_;
};

class Timeline final : public cluster::Observer {
 public:
  void OnRequest(SimTime t, uint32_t service, std::optional<uint32_t> pod,
                 std::string_view version, bool ok) override;
  void OnEndInstant(const cluster::ClusterView& view) override;
  // The CSV: a header line, then one line per recorded instant.
  std::string Csv() const;

 private:
  std::map<uint32_t, int64_t> failed_;  // by service
  std::vector<std::pair<SimTime, std::map<std::string, int64_t>>> rows_;
};

}  // namespace kubesim::output

#endif  // KUBESIM_OUTPUT_OBSERVERS_H_
