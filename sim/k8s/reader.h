// Reader: typed, positioned access to a YAML tree, shared by the Kubernetes
// decoder and the Scenario loader.
//
// The model: every getter takes the node (null when the field is absent), its
// field path for messages and the SourceMap, and either stores the value or
// reports one positioned error and returns false. A field that is absent or
// null leaves the destination untouched (its default), as Go's JSON decoding
// does. Types follow Kubernetes' YAML decoding (YAML 1.1 resolution, then
// JSON types): `replicas: "3"` is a string, not an integer; a label value
// `1.0` is a number, not a string.
#ifndef KUBESIM_SIM_K8S_READER_H_
#define KUBESIM_SIM_K8S_READER_H_

#include <cstdint>
#include <optional>
#include <string_view>
#include <string>
#include <vector>

#include "kubesim/k8s/diagnostic.h"
#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/meta.h"
#include "kubesim/k8s/quantity.h"
#include "yaml_tree.h"

namespace kubesim::k8s {

class Reader {
 public:
  // Messages start with `prefix` ("Deployment \"web\": "); positions are
  // recorded in `source` when it is not null.
  Reader(std::string file, Diagnostics* out, std::string prefix, SourceMap* source)
      : file_(std::move(file)), out_(out), prefix_(std::move(prefix)), source_(source) {}

  const std::string& file() const { return file_; }
  Position Pos(yaml::Mark m) const { return Position{file_, m.line + 1, m.column + 1}; }
  void set_prefix(std::string prefix) { prefix_ = std::move(prefix); }
  void set_source(SourceMap* source) { source_ = source; }

  // An error at `mark`: "PREFIX PATH: MESSAGE" (no path if empty).
  void Error(yaml::Mark mark, const std::string& path, const std::string& message);
  void Warning(yaml::Mark mark, const std::string& message);
  // A warning about the field at `path`: "PREFIX PATH: MESSAGE".
  void FieldWarning(yaml::Mark mark, const std::string& path, const std::string& message);
  // "PREFIX MESSAGE", an error of the field at `path` (which validation then skips).
  void FieldError(yaml::Mark mark, const std::string& path, const std::string& message);
  int errors() const { return errors_; }
  // The field paths that had errors (validation skips them and their parts).
  const std::vector<std::string>& error_paths() const { return error_paths_; }
  void Record(const std::string& path, const yaml::Node& n);

  // The node if it is a mapping; null (no error) if absent or null;
  // null with an error otherwise.
  const yaml::Node* Map(const yaml::Node* n, const std::string& path);
  const yaml::Node* Seq(const yaml::Node* n, const std::string& path);

  bool String(const yaml::Node* n, const std::string& path, std::string* out);
  bool Int(const yaml::Node* n, const std::string& path, int64_t lo, int64_t hi, int64_t* out);
  bool Int32(const yaml::Node* n, const std::string& path, int32_t* out);
  bool Int64(const yaml::Node* n, const std::string& path, int64_t* out);
  bool Bool(const yaml::Node* n, const std::string& path, bool* out);
  bool StringMap(const yaml::Node* n, const std::string& path, Labels* out);
  bool StringList(const yaml::Node* n, const std::string& path, std::vector<std::string>* out);
  // A quantity written as a string or a number.
  bool QuantityValue(const yaml::Node* n, const std::string& path, Quantity* out);

 private:
  std::string file_;
  Diagnostics* out_;
  std::string prefix_;
  SourceMap* source_;
  int errors_ = 0;
  std::vector<std::string> error_paths_;
};

// Levenshtein distance, ignoring ASCII case.
size_t EditDistance(std::string_view a, std::string_view b);
// The known name nearest to `word`, if it is near enough to be a typo.
std::optional<std::string> Nearest(std::string_view word,
                                   const std::vector<std::string_view>& known);

// Parses a YAML 1.1 integer (decimal, 0x, 0o, 0b, old-style 0 octal,
// underscores). False if not an integer or beyond int64.
bool ParseYamlInt(std::string_view text, int64_t* out, bool* overflow);

}  // namespace kubesim::k8s

#endif  // KUBESIM_SIM_K8S_READER_H_
