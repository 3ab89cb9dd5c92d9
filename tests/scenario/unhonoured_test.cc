// Fields Kubernetes honours that kubesim reads but does not simulate
// (sim/k8s/unhonoured.h): each row of the one table warns where a manifest
// sets it, the values the model does simulate stay silent, and
// docs/scenario-format.md lists exactly the table's rows.
#include "k8s/unhonoured.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "kubesim/scenario/load.h"

namespace kubesim::scenario {
namespace {

std::string Warnings(const LoadResult& r) {
  std::string s;
  for (const auto& d : r.diagnostics) s += d.ToString() + "\n";
  return s;
}

// Every field of the table set to a value the model does not honour.
constexpr const char* kEverything = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: [example.com/keep]}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}, finalizers: [example.com/keep]}
    spec:
      priorityClassName: high
      priority: 1000
      schedulerName: my-scheduler
      activeDeadlineSeconds: 600
      runtimeClassName: gvisor
      overhead: {cpu: 250m}
      resourceClaims: [{name: gpu, resourceClaimTemplateName: gpu}]
      volumes:
      - {name: cache, emptyDir: {}}
      - {name: data, persistentVolumeClaim: {claimName: data}}
      containers:
      - name: web
        image: nginx
        lifecycle:
          postStart: {exec: {command: [sh, -c, "sleep 5"]}}
        restartPolicy: Never
        restartPolicyRules: [{action: Restart, exitCodes: {operator: In, values: [42]}}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
  sessionAffinity: ClientIP
  internalTrafficPolicy: Local
  externalTrafficPolicy: Local
  trafficDistribution: PreferClose
)";

// The path at which each table row's type sits in kEverything.
std::vector<std::string> PathsOf(std::string_view type) {
  if (type == "PodSpec") return {"Deployment \"web\": spec.template.spec."};
  if (type == "Container") return {"Deployment \"web\": spec.template.spec.containers[0]."};
  if (type == "ServiceSpec") return {"Service \"web\": spec."};
  if (type == "ObjectMeta") {
    return {"Deployment \"web\": metadata.", "Deployment \"web\": spec.template.metadata."};
  }
  return {};
}

TEST(UnhonouredFields, EveryRowOfTheTableWarnsNamingItsFieldOncePerObject) {
  const LoadResult r = ValidateText(kEverything, "app.yaml");
  const std::string all = Warnings(r);
  size_t expected = 0;
  for (const k8s::UnhonouredField& f : k8s::UnhonouredFields()) {
    const std::vector<std::string> paths = PathsOf(f.type);
    ASSERT_FALSE(paths.empty()) << f.type;
    for (const std::string& at : paths) {
      const std::string line =
          fmt::format("warning: {}{}: not honoured by kubesim: {}\n", at, f.field, f.effect);
      const size_t first = all.find(line);
      EXPECT_NE(first, std::string::npos) << line << "in:\n" << all;
      EXPECT_EQ(all.find(line, first + 1), std::string::npos) << "twice: " << line;
      ++expected;
    }
  }
  size_t warned = 0;
  for (size_t at = all.find("not honoured by kubesim"); at != std::string::npos;
       at = all.find("not honoured by kubesim", at + 1)) {
    ++warned;
  }
  EXPECT_EQ(warned, expected) << all;
}

// The values the model simulates (or that change nothing) stay silent: a
// warning there would teach users to ignore warnings.
TEST(UnhonouredFields, TheValuesTheModelSimulatesAreNotWarnedAbout) {
  const LoadResult r = ValidateText(R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web, finalizers: []}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      schedulerName: default-scheduler
      priorityClassName: ""
      priority: 0
      runtimeClassName: ""
      overhead: {}
      resourceClaims: []
      volumes: [{name: cache, emptyDir: {}}, {name: cfg, configMap: {name: cfg}}]
      containers:
      - name: web
        image: nginx
        lifecycle:
          postStart: {exec: {command: [sh, -c, "echo sleepy > /tmp/started"]}}
          preStop: {sleep: {seconds: 5}}
      - name: side
        image: nginx
        lifecycle:
          postStart: {sleep: {seconds: 0}}
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
  sessionAffinity: None
  internalTrafficPolicy: Cluster
  externalTrafficPolicy: Cluster
)",
                                    "app.yaml");
  EXPECT_TRUE(r.ok()) << Warnings(r);
  EXPECT_EQ(Warnings(r), "");
}

// A step that sets such a field (a patch) is warned about at the step; a
// field the object had before is not warned about again, nor is a
// manifest applied twice.
TEST(UnhonouredFields, APatchThatSetsOneIsWarnedAboutAtTheStepAndNothingTwice) {
  const std::string scenario = R"(apiVersion: kubesim/v1alpha1
kind: Scenario
metadata: {name: t}
spec:
  cluster:
    nodes: [{name: worker, capacity: {cpu: "4", memory: 8Gi}}]
  images: {"nginx:1.25": {pull: 1s}}
  timeline:
  - {at: 0s, kubectl: apply -f svc.yaml}
  - {at: 1s, kubectl: apply -f svc.yaml}
  - at: 2s
    kubectl: >-
      patch service web --type json
      -p '[{"op":"add","path":"/spec/sessionAffinity","value":"ClientIP"}]'
  - {at: 3s, kubectl: "patch service web -p '{\"spec\":{\"ports\":[{\"port\":81}]}}'"}
)";
  const std::string svc = R"(apiVersion: v1
kind: Service
metadata: {name: web}
spec:
  selector: {app: web}
  ports: [{port: 80}]
  internalTrafficPolicy: Local
)";
  LoadOptions options;
  options.read_file = [&](const std::string& path) -> Expected<std::string> {
    if (path.ends_with("svc.yaml")) return svc;
    return Error{"cannot open: No such file or directory"};
  };
  const LoadResult r = LoadScenarioText(scenario, "s.yaml", options);
  std::string all;
  for (const auto& d : r.diagnostics) {
    if (d.message.find("not honoured") != std::string::npos) all += d.ToString() + "\n";
  }
  EXPECT_EQ(all,
            "svc.yaml:7:26: warning: Service \"web\": spec.internalTrafficPolicy: not honoured by "
            "kubesim: traffic is not routed by node: with Local a client reaches only the "
            "endpoints on its own node, and none where there are none\n"
            "s.yaml:12:14: warning: after kubectl patch: Service \"web\": spec.sessionAffinity: "
            "not honoured by kubesim: each request picks an endpoint: with ClientIP affinity a "
            "client would stay on one pod\n");
}

// The rows of docs/scenario-format.md's "Fields read but not honoured".
std::vector<std::string> DocumentedRows() {
  const char* dir = std::getenv("KUBESIM_SOURCE_DIR");
  std::ifstream in(std::string(dir != nullptr ? dir : KUBESIM_SOURCE_DIR_FALLBACK) +
                   "/docs/scenario-format.md");
  std::vector<std::string> rows;
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.starts_with("#"))
      inside = line.find("Fields read but not honoured") != std::string::npos;
    if (inside && line.starts_with("| `")) rows.push_back(line);
  }
  return rows;
}

TEST(UnhonouredFields, TheDocsListExactlyTheTablesRows) {
  std::vector<std::string> want;
  for (const k8s::UnhonouredField& f : k8s::UnhonouredFields()) {
    want.push_back(fmt::format("| `{}` | `{}` | {} | {} |", f.type, f.field, f.when, f.effect));
  }
  std::string table;
  for (const std::string& row : want) table += row + "\n";
  EXPECT_EQ(DocumentedRows(), want)
      << "docs/scenario-format.md, \"Fields read but not honoured\", should list:\n"
      << table;
}

}  // namespace
}  // namespace kubesim::scenario
