// Service (v1): a stable name in front of the pods its selector matches.
//
// The model: a Service's endpoints are the Ready pods (of its namespace) whose
// labels contain every pair of `selector`; clients of the Service reach one
// of them per request. Changing the selector (a blue-green switch) changes
// the endpoint set at once in the API, and for clients after the endpoint
// propagation delay. A Service without a selector has hand-managed endpoints,
// which kubesim models as none.
#ifndef KUBESIM_K8S_SERVICE_H_
#define KUBESIM_K8S_SERVICE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "kubesim/k8s/defaults.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/pod.h"

namespace kubesim::k8s {

struct ServicePort {
  std::string name;
  std::string protocol{defaults::kProtocol};
  int32_t port = 0;
  PortRef target_port;  // defaults to `port` (SetDefaults_Service)
  bool operator==(const ServicePort&) const = default;
};

struct ServiceSpec {
  Labels selector;
  std::vector<ServicePort> ports;
  std::string type{defaults::kServiceType};
  std::string cluster_ip;  // "None": headless
  // Endpoints list every pod with an address, Ready or not, terminating too
  // (EndpointSlice `ready` = publishNotReadyAddresses || (serving && !terminating)).
  bool publish_not_ready_addresses = false;
  bool operator==(const ServiceSpec&) const = default;
};

struct Service {
  ObjectMeta metadata;
  ServiceSpec spec;
  SourceMap source;
  bool operator==(const Service&) const = default;
};

}  // namespace kubesim::k8s

#endif  // KUBESIM_K8S_SERVICE_H_
