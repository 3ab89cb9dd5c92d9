// Clients and their requests (docs/scenario-format.md `traffic:`): a
// Service's clients start when it first has a serving endpoint (or at
// `from:`), then send every `every` or at Poisson times, each request to a
// uniformly drawn client-visible endpoint.
#ifndef KUBESIM_SIM_CLUSTER_TRAFFIC_H_
#define KUBESIM_SIM_CLUSTER_TRAFFIC_H_

#include <cstdint>

#include "context.h"
#include "store.h"

namespace kubesim::cluster {

class Traffic {
 public:
  Traffic(Store& store, Context& ctx);

  void StartService(uint32_t service);  // its clients start
  void SendRequest(uint32_t client);    // kRequest

 private:
  void StartClient(uint32_t client);
  void ScheduleNextRequest(uint32_t client);

  Store& store_;
  Context& ctx_;
};

}  // namespace kubesim::cluster

#endif  // KUBESIM_SIM_CLUSTER_TRAFFIC_H_
