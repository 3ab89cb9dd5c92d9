// Loading scenario and manifest files: text in, a typed Scenario or
// positioned diagnostics out.
//
// The model: `Load*` never throws and never crashes, whatever the bytes
// (README.md). It collects every error of a file, not only the first, up to
// `max_errors`, each as `FILE:LINE:COL: error: MESSAGE`, plus warnings (kinds
// kubesim does not simulate). A result holds a Scenario only if there was no
// error. Files named by `kubectl apply -f` are read through `read_file`,
// relative to the scenario file's directory; `-f -` reads `read_stdin` (once,
// however many steps name it). Both default to the real file system and
// standard input, and are injectable (tests, the fuzzer).
//
// `ValidateFile` is what `kubesim validate` runs: a file with a Scenario
// document is loaded as a scenario; a file without one is checked as a plain
// Kubernetes manifest (what `kubectl apply -f` would accept).
#ifndef KUBESIM_SCENARIO_LOAD_H_
#define KUBESIM_SCENARIO_LOAD_H_

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kubesim/engine/expected.h"
#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/object.h"
#include "kubesim/scenario/scenario.h"

namespace kubesim::yaml {
struct Node;  // sim/k8s/yaml_tree.h
}  // namespace kubesim::yaml

namespace kubesim::scenario {

// Parsed YAML kept across loads, keyed by a file's text: `kubesim sweep`
// loads the same files once per point, and parsing is most of a load. Its
// entries are immutable trees, shared; it is safe to use from many threads.
class ParseCache;
std::shared_ptr<ParseCache> MakeParseCache();

struct LoadOptions {
  // Reads one file (a path as the loader resolved it). Default: the file
  // system, refusing directories, special files and files over 16 MiB.
  std::function<Expected<std::string>(const std::string& path)> read_file;
  // Standard input for `-f -`. Default: reads std::cin to the end.
  std::function<Expected<std::string>()> read_stdin;
  // Errors reported per file before the loader gives up (plus one line
  // saying it did).
  size_t max_errors = 50;
  // When set, files are parsed once and their trees reused (ParseCache).
  std::shared_ptr<ParseCache> parse_cache;
  // Called on every document the loader parses — the scenario file's and
  // every file a step applies, with the path as resolved — before it is
  // decoded; the document it returns is decoded instead. `kubesim sweep`
  // sets the fields it varies this way (sim/sweep/vary.h).
  std::function<std::shared_ptr<const yaml::Node>(const std::string& file,
                                                  std::shared_ptr<const yaml::Node> root)>
      edit_document;
};

struct LoadResult {
  // Set only when there is no error. Null for a valid plain manifest.
  std::shared_ptr<const Scenario> scenario;
  // The objects of a plain manifest file (ValidateFile on a file without a
  // Scenario).
  std::vector<k8s::Object> objects;
  k8s::Diagnostics diagnostics;  // errors and warnings, in the order found

  bool ok() const { return !k8s::HasErrors(diagnostics); }
};

// Loads the scenario in `path`.
LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options = {});
// Loads a scenario from memory; `display_name` is the file name in messages,
// and its directory is where `apply -f` files are looked up.
LoadResult LoadScenarioText(std::string_view text, const std::string& display_name,
                            const LoadOptions& options = {});

// `kubesim validate`: a scenario, or a manifest when the file has no Scenario.
LoadResult ValidateFile(const std::string& path, const LoadOptions& options = {});
LoadResult ValidateText(std::string_view text, const std::string& display_name,
                        const LoadOptions& options = {});

// The file system reader LoadOptions uses by default.
Expected<std::string> ReadFileFromDisk(const std::string& path);

}  // namespace kubesim::scenario

#endif  // KUBESIM_SCENARIO_LOAD_H_
