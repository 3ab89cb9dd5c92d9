// libFuzzer target: the scenario loader (kubesim validate) on arbitrary bytes.
// It must return diagnostics for every input — never crash, hang, leak or
// throw. `apply -f web.yaml` reads a small valid manifest; any other file is
// missing; `-f -` reads a fixed manifest.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kubesim/scenario/load.h"

namespace {

constexpr std::string_view kManifest = R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: nginx:1.25}]
---
apiVersion: v1
kind: Service
metadata: {name: web}
spec: {selector: {app: web}, ports: [{port: 80}]}
)";

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  kubesim::scenario::LoadOptions options;
  options.read_file = [](const std::string& path) -> kubesim::Expected<std::string> {
    if (path.ends_with("web.yaml")) return std::string(kManifest);
    return kubesim::Error{"cannot open: No such file or directory"};
  };
  options.read_stdin = []() -> kubesim::Expected<std::string> { return std::string(kManifest); };
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto result = kubesim::scenario::ValidateText(text, "fuzz/scenario.yaml", options);
  for (const auto& d : result.diagnostics) (void)d.ToString();
  return 0;
}
