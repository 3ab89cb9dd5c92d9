// Clients: each sends requests to one Service — `every:` at a fixed interval
// (the seed article's curl loop), or `rate:` as a Poisson process — starting
// when the Service first has a client-visible endpoint that serves (or at
// `from:`). A request goes to a visible endpoint chosen uniformly at random
// (kube-proxy iptables mode) and succeeds only if that pod's process serves.
#include "traffic.h"

#include <fmt/format.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <functional>

namespace kubesim::cluster {

Traffic::Traffic(Store& store, Context& ctx) : store_(store), ctx_(ctx) {}

void Traffic::StartService(uint32_t sid, bool forced) {
  Service& s = store_.services[sid];
  if (s.started) return;
  if (!forced && s.lb_view != kNone && !store_.balancers[s.lb_view].started) return;
  s.started = true;
  std::erase(store_.awaiting_start, sid);  // not there when it waited for `from:`
  store_.MarkServiceChanged(sid);
  ctx_.EmitLazy([&] { return "service/" + s.name; }, [&] { return "clients start sending"; });
  for (Observer* o : ctx_.observers()) o->OnServiceStarted(ctx_.Now(), sid);
  for (uint32_t c = 0; c < store_.clients.size(); ++c) {
    if (store_.clients[c].service != sid) continue;
    // Through a load balancer: once it can route (LoadBalancers::SetState),
    // unless `from:` says when.
    const uint32_t b = store_.clients[c].balancer;
    if (b != kNone && !store_.balancers[b].started && !forced) continue;
    StartClient(c);
  }
}

void Traffic::StartClient(uint32_t c) {
  if (store_.clients[c].running) return;
  store_.clients[c].running = true;
  SendRequest(c);
}

void Traffic::Tell(SimTime t, const RequestInfo& r) {
  if (store_.request_window > SimDuration::Zero() && r.pod) Record(t, r);
  for (Observer* o : ctx_.observers()) o->OnRequest(t, r);
}

// The requests of each ReplicaSet's pods, for analysis measurements
// (AnalysisController::Value), as long as the longest window reads.
void Traffic::Record(SimTime t, const RequestInfo& r) {
  const uint32_t rs = store_.pods[*r.pod].owner_rs;
  if (rs == kNone) return;
  const uint32_t d = store_.replica_sets[rs].owner;
  if (d == kNone || !store_.deployments[d].records_requests) return;
  if (store_.rs_requests.size() <= rs) store_.rs_requests.resize(rs + 1);
  std::deque<RequestSample>& log = store_.rs_requests[rs];
  const int64_t at = t.SinceStart().micros();
  const int64_t oldest = at - store_.request_window.micros();
  while (!log.empty() && log.front().at_us < oldest) log.pop_front();
  log.push_back(RequestSample{at, r.latency.micros(), r.ok()});
}

// A served request answered with an error: the image's errorRate, drawn
// from the client's own stream (only for such images, so other runs keep
// their draws).
bool Traffic::AnsweredWithError(Client& client, uint32_t image) {
  const double rate = store_.images[image].error_rate;
  return rate > 0 && client.errors.Uniform01() < rate;
}

// A request that reaches no pod (no endpoint, a balancer with nowhere to
// send it, a dead instance) fails at once.
void Traffic::FailUnreached(uint32_t c) {
  Tell(ctx_.Now(), {store_.clients[c].service, std::nullopt, "", RequestResult::kFailed,
                    SimDuration::Zero(), std::nullopt});
}

// Keep-alive (docs/load-model.md): the request goes over the client's next
// connection, to the pod it is pinned to, whether clients still see that pod
// or not — as HTTP/1.1 keep-alive and gRPC do. A closed connection opens
// to an endpoint picked as a request would pick one; a pod that does not
// serve refuses it (the request fails, the connection stays closed). A
// connection closes when its pod's process ends, or, with closeOnDrain,
// when the process stops serving after SIGTERM (an HTTP/2 GOAWAY);
// without it, requests on it fail until the process exits.
void Traffic::SendOverConnection(uint32_t c) {
  Client& client = store_.clients[c];
  Client::Connection& k = client.connections[client.next_connection];
  client.next_connection = (client.next_connection + 1) % client.connections.size();
  if (k.pod != kNone) {
    const Pod& p = store_.pods[k.pod];
    const bool drained = p.sigterm_sent && !p.serving && store_.images[p.image].close_on_drain;
    if (p.container_gen != k.gen || !p.container_running() || drained) k.pod = kNone;
  }
  if (k.pod == kNone) {
    const Service& s = Routed(client);
    if (s.visible_pods.empty()) {
      FailUnreached(c);
      return;
    }
    const uint32_t pod = s.visible[client.picks.Below(s.visible_pods.size())].pod;
    const Pod& p = store_.pods[pod];
    if (!p.serving) {  // connection refused
      Deliver(c, pod, p.version, false);
      return;
    }
    k.pod = pod;
    k.gen = p.container_gen;
  }
  const Pod& p = store_.pods[k.pod];
  Deliver(c, k.pod, p.version, p.serving);
}

// A request that reached `pod`: with the load model, one the pod serves
// waits in its queue (Admit); else it is answered, or fails, at once.
void Traffic::Deliver(uint32_t c, uint32_t pod, std::string_view version, bool serving) {
  if (serving && store_.load.on) {
    Admit(c, pod, version);
    return;
  }
  // (The pod is read only when some image has an errorRate: the fresh path
  // of SendDirect reads none.)
  const bool ok = serving && !(store_.any_error_rate &&
                               AnsweredWithError(store_.clients[c], store_.pods[pod].image));
  Tell(ctx_.Now(),
       {store_.clients[c].service, pod, version, ok ? RequestResult::kOk : RequestResult::kFailed,
        SimDuration::Zero(), std::nullopt});
}

void Traffic::SendRequest(uint32_t c) {
  Client& client = store_.clients[c];
  if (client.balancer != kNone) {
    SendViaBalancer(c);
  } else if (!client.connections.empty() &&
             store_.services[client.service].split_service == kNone) {
    // (Behind a traffic router — an ingress or mesh proxy — the client's
    // connections end at the proxy, which splits every request: SendDirect.)
    SendOverConnection(c);
  } else {
    SendDirect(c, true);
    return;
  }
  ScheduleNextRequest(c);
}

// Through an external load balancer (load_balancer.h): to its next healthy
// target in turn, else (failing open) its next unhealthy one; with neither,
// the balancer answers 503. An ALB is a layer-7 proxy: the client's
// connections end at it, and it picks a target for every request.
void Traffic::SendViaBalancer(uint32_t c) {
  Client& client = store_.clients[c];
  Balancer& b = store_.balancers[client.balancer];
  const std::vector<uint32_t>& targets = b.healthy.empty() ? b.unhealthy : b.healthy;
  if (targets.empty()) {
    FailUnreached(c);
    return;
  }
  const uint32_t target = targets[b.turn++ % targets.size()];
  if (b.ip) {
    const Pod& p = store_.pods[target];
    Deliver(c, target, p.version, p.serving);
  } else if (!store_.nodes[target].ready) {  // the instance does not answer
    FailUnreached(c);
  } else {
    SendDirect(c);  // its kube-proxy sends it on
  }
}

// A traffic router's split (Service::split_weight): this request goes to
// the split Service instead, with that probability. Draws only while a
// split is set, so runs without one keep their random streams.
const Service& Traffic::Routed(Client& client) {
  const Service& s = store_.services[client.service];
  if (s.split_service == kNone || s.split_weight <= 0 || !s.exists) return s;
  if (s.split_weight < 100 && client.picks.Below(100) >= static_cast<uint64_t>(s.split_weight)) {
    return s;
  }
  return store_.services[s.split_service];
}

void Traffic::SendDirect(uint32_t c, bool schedule_next) {
  Client& client = store_.clients[c];
  const Service& s = Routed(client);
  if (s.visible_pods.empty()) {
    FailUnreached(c);
    if (schedule_next) ScheduleNextRequest(c);
  } else {
    // The visible entry carries the pod's serving flag and version (one
    // array, no pod to load), up to date unless a pod changed earlier in
    // this instant: entries are refreshed at its end (touched_pods), so until
    // then the pod itself is read.
    const EndpointInfo& e = s.visible[client.picks.Below(s.visible_pods.size())];
    const bool fresh = store_.touched_pods.empty();
    const bool ok = fresh ? e.serving : store_.pods[e.pod].serving;
    const std::string_view version = fresh ? e.version : store_.pods[e.pod].version;
    const uint32_t pod = e.pod;
    if (schedule_next) {
      // The load model reads the pod's queue next, most likely not in the
      // cache (a random one of many): its load starts now, and the next
      // request's scheduling (a draw of its own stream, an event) runs
      // while it comes. Delivering creates no event, so the order of the
      // two changes nothing.
      if (ok && pod < store_.load.pods.size()) __builtin_prefetch(&store_.load.pods[pod]);
      ScheduleNextRequest(c);
    }
    Deliver(c, pod, version, ok);
  }
}

// The load model (docs/load-model.md): the pod's process is a FIFO queue
// (ServerQueue) whose servers are its `concurrency`; the request starts when
// a server is free, is answered `latency` later, and fails if the process
// ends first. A full waiting room answers 503 at once, as a server with a
// bounded accept queue does.
void Traffic::Admit(uint32_t c, uint32_t pod, std::string_view version) {
  Client& client = store_.clients[c];
  const SimTime now = ctx_.Now();
  PodLoad& load = store_.load.Of(pod);
  if (!load.queue.active()) {
    // Its process's first request: its image's sizes, kept with the queue
    // (which the process's end stops), so later requests read no Pod.
    load.image = store_.pods[pod].image;
    load.queue.Start(store_.images[load.image].concurrency, store_.images[load.image].queue);
  }
  const ImageBehaviour& img = store_.images[load.image];
  SimDuration service =
      img.latency.is_fixed() ? img.latency.a() : img.latency.DrawFast(client.service_times);
  service = std::max(service, SimDuration::Zero());
  const std::optional<SimTime> start = load.queue.Admit(now, service);
  if (!start) {
    Tell(ctx_.Now(), {client.service, pod, version, RequestResult::kRejected, SimDuration::Zero(),
                      std::nullopt});
    return;
  }
  const SimTime answered = *start + service;
  if (load.counted_servers > 0 && answered > *start) {
    store_.load.meters[load.deployment].AddBusy(*start, answered);
  }
  if (answered == now) {  // no wait, no work: answered at once
    const bool ok = !(store_.any_error_rate && AnsweredWithError(client, load.image));
    Tell(ctx_.Now(),
         {client.service, pod, version, ok ? RequestResult::kOk : RequestResult::kFailed,
          SimDuration::Zero(), std::nullopt});
    return;
  }
  LoadState& state = store_.load;
  uint32_t r = 0;
  if (state.free_requests.empty()) {
    r = static_cast<uint32_t>(state.requests.size());
    state.requests.emplace_back();
  } else {
    r = state.free_requests.back();
    state.free_requests.pop_back();
  }
  InFlightRequest& req = state.requests[r];
  req.client = c;
  req.pod = pod;
  req.prev = kNone;
  req.next = load.in_flight;
  if (load.in_flight != kNone) state.requests[load.in_flight].prev = r;
  load.in_flight = r;
  req.sent = now;
  req.answered = answered;
  req.version = version;
  // The client hears back at the answer, or gives up at its timeout.
  const SimTime ends = client.timeout ? std::min(answered, now + *client.timeout) : answered;
  PushEnd(Ending{ends, r, req.gen});
}

void Traffic::PushEnd(const Ending& e) {
  ++pending_;
  const int64_t slot = Slot(e.end);  // at or after the cursor: ends are not in the past
  if (slot - cursor_ >= static_cast<int64_t>(kSlots)) {
    far_.push_back(e);
    std::push_heap(far_.begin(), far_.end(), std::greater<>());
    return;
  }
  const size_t k = static_cast<size_t>(slot) % kSlots;
  wheel_[k].push_back(e);
  slot_min_[k] = std::min(slot_min_[k], e.end);
  occupied_ |= uint64_t{1} << k;
  if (slot == cursor_) cursor_sorted_ = false;
}

void Traffic::Settle(SimTime t, bool inclusive) {
  const int64_t until = Slot(t);
  for (;;) {
    // Ends of the heap that the wheel now reaches.
    while (!far_.empty() && Slot(far_.front().end) - cursor_ < static_cast<int64_t>(kSlots)) {
      const Ending e = far_.front();
      std::pop_heap(far_.begin(), far_.end(), std::greater<>());
      far_.pop_back();
      --pending_;
      PushEnd(e);
    }
    const size_t k = static_cast<size_t>(cursor_) % kSlots;
    std::vector<Ending>& slot = wheel_[k];
    if (!slot.empty()) {
      if (!cursor_sorted_) {
        if (slot.size() > 1) std::sort(slot.begin(), slot.end(), std::greater<>());  // latest first
        cursor_sorted_ = true;
      }
      while (!slot.empty() && (slot.back().end < t || (inclusive && slot.back().end == t))) {
        const Ending e = slot.back();
        slot.pop_back();
        --pending_;
        // Stale: its process ended first, and failed it then.
        if (store_.load.requests[e.request].gen == e.gen) End(e.request, e.end);
      }
      if (slot.empty()) {
        slot_min_[k] = SimTime::Max();
        occupied_ &= ~(uint64_t{1} << k);
      } else {
        slot_min_[k] = slot.back().end;
      }
    }
    if (cursor_ >= until) return;
    // Every end of this slot was before t: on to the next slot that holds
    // one (the heap's ends are all at least kSlots slots on, past it), or,
    // with the wheel empty, straight to t's slot or the heap's first end.
    if (occupied_ == 0) {
      cursor_ = far_.empty() ? until : std::min(until, Slot(far_.front().end));
    } else {
      // The occupied slots, rotated so that bit 0 is the cursor's.
      const uint64_t ahead = std::rotr(occupied_, static_cast<int>(k));
      cursor_ = std::min(until, cursor_ + std::countr_zero(ahead));
    }
    cursor_sorted_ = false;
  }
}

void Traffic::End(uint32_t r, SimTime at) {
  InFlightRequest& req = store_.load.requests[r];
  const uint32_t service = store_.clients[req.client].service;
  const bool answered = req.answered <= at;
  // An answer may be an error (the image's errorRate): failed, at once.
  const bool error = answered && store_.any_error_rate &&
                     AnsweredWithError(store_.clients[req.client], store_.load.pods[req.pod].image);
  const RequestInfo info{service,
                         req.pod,
                         req.version,
                         error      ? RequestResult::kFailed
                         : answered ? RequestResult::kOk
                                    : RequestResult::kTimedOut,
                         answered && !error ? req.answered - req.sent : SimDuration::Zero(),
                         req.sent};
  // A timed-out request still holds its server until the work is done: the
  // process does not learn that the client left (docs/load-model.md).
  Release(r);
  Tell(at, info);
}

void Traffic::Release(uint32_t r) {
  LoadState& state = store_.load;
  InFlightRequest& req = state.requests[r];
  // Unlinked from its pod's list.
  if (req.prev != kNone) {
    state.requests[req.prev].next = req.next;
  } else {
    state.pods[req.pod].in_flight = req.next;
  }
  if (req.next != kNone) state.requests[req.next].prev = req.prev;
  ++req.gen;
  state.free_requests.push_back(r);
}

void Traffic::CountServers(uint32_t pod) {
  const Pod& p = store_.pods[pod];
  const int32_t servers = store_.images[p.image].concurrency;
  if (servers <= 0 || p.owner_rs == kNone) return;
  const uint32_t d = store_.replica_sets[p.owner_rs].owner;
  if (d == kNone) return;
  PodLoad& load = store_.load.Of(pod);
  if (load.counted_servers > 0) return;
  if (store_.load.meters.size() <= d) store_.load.meters.resize(d + 1);
  load.deployment = d;
  load.counted_servers = servers;
  store_.load.meters[d].AddServers(ctx_.Now(), servers);
}

void Traffic::EndRequests(uint32_t pod) {
  const SimTime now = ctx_.Now();
  PodLoad& load = store_.load.pods[pod];
  FailHeld(pod, kNone);  // every request it held: its connection is reset
  if (load.queue.active()) {
    std::vector<SimTime> busy_until;
    load.queue.Reset(now, load.counted_servers > 0 ? &busy_until : nullptr);
    // The work its servers will never do is not busy time.
    for (SimTime t : busy_until) store_.load.meters[load.deployment].AddBusy(now, t, -1);
    load.queue.Stop();  // the next process starts with an empty queue (and its image's sizes)
  }
  if (load.counted_servers > 0) {
    store_.load.meters[load.deployment].AddServers(now, -load.counted_servers);
    load.counted_servers = 0;
  }
}

void Traffic::FailRequests(uint32_t pod, uint32_t c) {
  if (pod < store_.load.pods.size()) FailHeld(pod, c);
}

void Traffic::FailHeld(uint32_t pod, uint32_t client) {
  const SimTime now = ctx_.Now();
  uint32_t r = store_.load.pods[pod].in_flight;
  while (r != kNone) {
    const InFlightRequest& req = store_.load.requests[r];
    const uint32_t next = req.next;
    if (client == kNone || req.client == client) {
      const RequestInfo info{store_.clients[req.client].service,
                             pod,
                             req.version,
                             RequestResult::kFailed,
                             SimDuration::Zero(),
                             req.sent};
      Release(r);
      Tell(now, info);
    }
    r = next;
  }
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
