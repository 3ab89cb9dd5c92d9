// libFuzzer target: the kubectl command-line parser on arbitrary lines. Every
// input parses to a command or to an error whose offset lies within the line.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "kubesim/scenario/kubectl.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);
  const auto p = kubesim::scenario::ParseKubectl(line);
  if (!p.ok() && p.error.offset > line.size()) std::abort();
  if (p.ok()) (void)kubesim::scenario::CommandName(*p.command);
  const auto n = kubesim::scenario::ParseNodeStep(kubesim::scenario::NodeCommand::Action::kFail, line);
  if (!n.ok() && n.error.offset > line.size()) std::abort();
  return 0;
}
