// Clients: each sends requests to one Service — `every:` at a fixed interval
// (the seed article's curl loop), or `rate:` as a Poisson process — starting
// when the Service first has a client-visible endpoint that serves (or at
// `from:`). A request goes to a visible endpoint chosen uniformly at random
// (kube-proxy iptables mode) and succeeds only if that pod's process serves.
#include <fmt/format.h>

#include <cmath>

#include "world.h"

namespace kubesim::cluster {

void World::StartService(uint32_t sid) {
  Service& s = services_[sid];
  if (s.started) return;
  s.started = true;
  std::erase(awaiting_start_, sid);  // not there when it waited for `from:`
  MarkServiceChanged(sid);
  Emit("service/" + s.name, "clients start sending");
  for (Observer* o : observers_) o->OnServiceStarted(loop_.Now(), sid);
  for (uint32_t c = 0; c < clients_.size(); ++c) {
    if (clients_[c].service == sid) StartClient(c);
  }
}

void World::StartClient(uint32_t c) {
  if (clients_[c].running) return;
  clients_[c].running = true;
  SendRequest(c);
}

void World::SendRequest(uint32_t c) {
  Client& client = clients_[c];
  const Service& s = services_[client.service];
  if (s.visible_pods.empty()) {
    for (Observer* o : observers_) o->OnRequest(loop_.Now(), client.service, std::nullopt, "", false);
  } else {
    const uint32_t pod = s.visible_pods[client.rng.Below(s.visible_pods.size())];
    const bool ok = pods_[pod].serving;
    for (Observer* o : observers_) {
      o->OnRequest(loop_.Now(), client.service, pod, pods_[pod].version, ok);
    }
  }
  ScheduleNextRequest(c);
}

void World::ScheduleNextRequest(uint32_t c) {
  Client& client = clients_[c];
  SimDuration gap;
  if (client.every) {
    gap = *client.every;
  } else {
    const double seconds = client.rng.Exponential(1.0 / client.rate_per_second);
    // A gap beyond SimDuration's range (a rate such as 1e-300/s) is "never":
    // llround would overflow to a negative gap, an event in the past (found by
    // fuzz/run_fuzzer.cc). NaN (an infinite mean times 0) is "never" too.
    const double us = seconds * 1e6;
    gap = us < 9.2e18 ? SimDuration::Micros(std::llround(us)) : SimDuration::Max();
  }
  Schedule(gap, kPhaseClient, EventKind::kRequest, c);
}

}  // namespace kubesim::cluster
