#include "traffic_router.h"

#include <fmt/format.h>

#include <algorithm>

namespace kubesim::cluster {

void SetRouterWeight(Store& store, Context& ctx, uint32_t service, uint32_t to, int32_t weight) {
  Service& svc = store.services[service];
  SimTime at =
      ctx.Now() + ctx.Draw(ctx.scenario().cluster.timing.endpoint_delay, "traffic-weight", svc.key);
  at = std::max(at, svc.split_visible_at);
  svc.split_visible_at = at;
  ctx.Schedule(
      at - ctx.Now(), kPhaseEndpoints, EventKind::kTrafficWeight, service,
      (uint64_t{to} << 32) | ((svc.split_gen & 0xFFFFu) << 16) | static_cast<uint32_t>(weight));
}

void RouterWeightVisible(Store& store, Context& ctx, uint32_t service, uint64_t payload) {
  Service& s = store.services[service];
  // A weight set before its router was dropped (Rollout, Canary or Service
  // deleted: Service::split_gen moved on) never arrives.
  if (((payload >> 16) & 0xFFFFu) != (s.split_gen & 0xFFFFu)) return;
  s.split_service = static_cast<uint32_t>(payload >> 32);
  s.split_weight = static_cast<int32_t>(payload & 0xFFFFu);
  std::vector<uint32_t>& from = store.services[s.split_service].split_from;
  if (std::find(from.begin(), from.end(), service) == from.end()) from.push_back(service);
  store.MarkServiceChanged(service);
  ctx.EmitLazy([&] { return "service/" + s.name; },
               [&] {
                 return fmt::format("clients send {}% to service/{}", s.split_weight,
                                    store.services[s.split_service].name);
               });
  ctx.MarkChanged();
}

}  // namespace kubesim::cluster
