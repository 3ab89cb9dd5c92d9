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
      resourceClaims: []
      volumes: [{name: cache, emptyDir: {}}, {name: cfg, configMap: {name: cfg}}]
      containers:
      - name: web
        image: nginx
        lifecycle:
          postStart: {exec: {command: [sh, -c, "echo started > /tmp/started"]}}
          preStop: {sleep: {seconds: 5}}
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
