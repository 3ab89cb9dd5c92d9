// Clients: each sends requests to one Service — `every:` at a fixed interval
// (the seed article's curl loop), or `rate:` as a Poisson process — starting
// when the Service first has a client-visible endpoint that serves (or at
// `from:`). A request goes to a visible endpoint chosen uniformly at random
// (kube-proxy iptables mode) and succeeds only if that pod's process serves.
#include "traffic.h"

#include <fmt/format.h>

#include <cmath>

namespace kubesim::cluster {

Traffic::Traffic(Store& store, Context& ctx) : store_(store), ctx_(ctx) {}

void Traffic::StartService(uint32_t sid) {
  Service& s = store_.services[sid];
  if (s.started) return;
  s.started = true;
  std::erase(store_.awaiting_start, sid);  // not there when it waited for `from:`
  store_.MarkServiceChanged(sid);
  ctx_.EmitLazy([&] { return "service/" + s.name; }, [&] { return "clients start sending"; });
  for (Observer* o : ctx_.observers()) o->OnServiceStarted(ctx_.Now(), sid);
  for (uint32_t c = 0; c < store_.clients.size(); ++c) {
    if (store_.clients[c].service == sid) StartClient(c);
  }
}

void Traffic::StartClient(uint32_t c) {
  if (store_.clients[c].running) return;
  store_.clients[c].running = true;
  SendRequest(c);
}

void Traffic::SendRequest(uint32_t c) {
  Client& client = store_.clients[c];
  const Service& s = store_.services[client.service];
  if (s.visible_pods.empty()) {
    for (Observer* o : ctx_.observers())
      o->OnRequest(ctx_.Now(), client.service, std::nullopt, "", false);
  } else {
    // The visible entry carries the pod's serving flag and version (one
    // array, no pod to load), up to date unless a pod changed earlier in
    // this instant: entries are refreshed at its end (touched_pods), so until
    // then the pod itself is read.
    const EndpointInfo& e = s.visible[client.picks.Below(s.visible_pods.size())];
    const bool fresh = store_.touched_pods.empty();
    const bool ok = fresh ? e.serving : store_.pods[e.pod].serving;
    const std::string_view version = fresh ? e.version : store_.pods[e.pod].version;
    for (Observer* o : ctx_.observers()) {
      o->OnRequest(ctx_.Now(), client.service, e.pod, version, ok);
    }
  }
  ScheduleNextRequest(c);
}

void Traffic::ScheduleNextRequest(uint32_t c) {
  Client& client = store_.clients[c];
  SimDuration gap;
  if (client.every) {
    gap = *client.every;
  } else {
    const double seconds = client.arrivals.Exponential(1.0 / client.rate_per_second);
    // A gap beyond SimDuration's range (a rate such as 1e-300/s) is "never":
    // llround would overflow to a negative gap, an event in the past (found by
    // fuzz/run_fuzzer.cc). NaN (an infinite mean times 0) is "never" too.
    const double us = seconds * 1e6;
    gap = us < 9.2e18 ? SimDuration::Micros(std::llround(us)) : SimDuration::Max();
  }
  ctx_.Schedule(gap, kPhaseClient, EventKind::kRequest, c);
}

}  // namespace kubesim::cluster
