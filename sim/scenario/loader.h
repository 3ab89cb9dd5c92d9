// The scenario loader's internals, shared by its files (not a public
// header): load.cc (the entry points and Loader::Run),
// scenario_document.cc (the Scenario document), timeline_replay.cc (the
// replay of the timeline against a store of objects) and merge_patch.cc
// (the patches `kubectl patch` and `set` apply).
#ifndef KUBESIM_SIM_SCENARIO_LOADER_H_
#define KUBESIM_SIM_SCENARIO_LOADER_H_

#include <fmt/format.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "k8s/decode.h"
#include "k8s/reader.h"
#include "k8s/yaml_tree.h"
#include "kubesim/scenario/load.h"

namespace kubesim::scenario::loader {

using k8s::Diagnostic;
using k8s::Diagnostics;
using k8s::Nearest;
using k8s::ObjectKey;
using k8s::Position;
using k8s::Reader;
using k8s::Severity;
using yaml::Node;
using yaml::NodePtr;

constexpr size_t kMaxFileBytes = 16u << 20;

inline std::string Sub(const std::string& path, std::string_view field) {
  return path.empty() ? std::string(field) : fmt::format("{}.{}", path, field);
}
inline std::string Idx(const std::string& path, size_t i) { return fmt::format("{}[{}]", path, i); }

inline std::string JoinQuoted(const std::vector<std::string_view>& names) {
  std::string s;
  for (auto n : names) s += fmt::format("{}{}", s.empty() ? "" : ", ", n);
  return s;
}

struct Stored {
  k8s::Object object;
  NodePtr tree;
  std::string file;
};

struct Revision {
  int64_t number = 0;
  NodePtr tree;  // spec.template
  k8s::PodTemplateSpec spec;
};

// A step of a path into a YAML tree for SetIn: a mapping key, or a
// sequence index.
struct PathElem {
  PathElem(std::string k) : key(std::move(k)) {}    // NOLINT: implicit by design
  PathElem(size_t i) : index(i), is_index(true) {}  // NOLINT: implicit by design
  std::string key;
  size_t index = 0;
  bool is_index = false;
};

// Sets `value` at `path` (from its element i) in a copy of `node`, creating
// the mappings on the way.
NodePtr SetIn(const NodePtr& node, const std::vector<PathElem>& path, size_t i,
              const NodePtr& value);
// RFC 7386 JSON merge patch; `strategic` adds the strategic-merge rule that
// lists of named maps merge by name. Nodes the patch adds are placed at `mark`.
NodePtr MergePatch(const NodePtr& target, const Node& patch, bool strategic, yaml::Mark mark);
// RFC 6902 JSON patch (`kubectl patch --type json`): the list of operations
// `patch` applied to `target` as the API server applies it (evanphx/json-patch
// semantics, carried out by nlohmann::json), or the error the server would
// give. Nodes the patch leaves as they were are kept; new ones are placed at
// `mark`.
Expected<NodePtr> JsonPatch(const NodePtr& target, const Node& patch, yaml::Mark mark);
// kubectl apply's three-way merge (client-side apply): the result of
// applying manifest `next` to the live object `live` whose last applied
// manifest was `last` (null: none). Fields `next` sets take its values;
// fields `last` set and `next` drops are removed; fields neither sets keep
// their live value — replicas a `kubectl scale` or an autoscaler set, an
// image `set image` set. Lists of named maps (containers, ports) merge by
// name; other lists are replaced.
NodePtr ThreeWayMerge(const NodePtr& live, const NodePtr& last, const Node& next);

}  // namespace kubesim::scenario::loader

namespace kubesim::scenario {

class ParseCache {
 public:
  // yaml::Parse(text, limits), once per distinct text (a stream with errors
  // is not kept: it is reported where it is read).
  yaml::Stream Parse(std::string_view text, const yaml::Limits& limits);

 private:
  std::mutex mu_;
  std::unordered_map<std::string, std::vector<yaml::Document>> streams_;
};

}  // namespace kubesim::scenario

namespace kubesim::scenario::loader {

class Loader {
 public:
  Loader(std::string_view text, std::string file, const LoadOptions& options)
      : text_(text), file_(std::move(file)), options_(options), r_(file_, &diags_, "", nullptr) {
    dir_ = std::filesystem::path(file_).parent_path();
  }

  LoadResult Run(bool allow_manifest);

 private:
  // Parsing any file of the scenario into documents, errors reported.
  std::optional<std::vector<yaml::Document>> ParseFile(std::string_view text,
                                                       const std::string& file);
  void CheckFields(const Node& map, const std::string& path,
                   const std::vector<std::string_view>& known);
  bool DecodeScenario(const Node& root, Scenario* s);
  std::optional<DurationDistribution> Duration(const Node* n, const std::string& path,
                                               bool allow_distribution);
  std::optional<SimDuration> FixedDuration(const Node* n, const std::string& path);
  void DecodeCluster(const Node* n, yaml::Mark parent, Cluster* c);
  void DecodeTaints(const Node* n, const std::string& path, std::vector<k8s::Taint>* out);
  void DecodeImages(const Node* n, Scenario* s);
  void DecodeTraffic(const Node* n, Scenario* s);
  std::optional<LoadBalancer> DecodeLoadBalancer(const Node* via, const std::string& path);
  void DecodeTimeline(const Node* n, Scenario* s);
  void DecodeExpect(const Node* n, Scenario* s);
  void DecodeSlos(const Node* n, Scenario* s);
  void DecodeAnalysis(const Node* n, Scenario* s);
  std::optional<double> Share(const Node* n, const std::string& path);

  // The replay of the timeline against a store of objects.
  void ApplyObject(const k8s::DecodedObject& d, const std::string& file, Step* step);
  bool NamespaceExists(const std::string& ns) const;
  void RunStep(Step* step, const Scenario& s);
  // One per command (RunStep visits the step's).
  void Replay(const ApplyCommand& c, Step* step, const Scenario& s);
  void Replay(const DeleteCommand& c, Step* step, const Scenario& s);
  void Replay(const PatchCommand& c, Step* step, const Scenario& s);
  void Replay(const ScaleCommand& c, Step* step, const Scenario& s);
  void Replay(const SetImageCommand& c, Step* step, const Scenario& s);
  void Replay(const SetEnvCommand& c, Step* step, const Scenario& s);
  void Replay(const SetResourcesCommand& c, Step* step, const Scenario& s);
  void Replay(const RolloutCommand& c, Step* step, const Scenario& s);
  void Replay(const AnnotateCommand& c, Step* step, const Scenario& s);
  void Replay(const WaitCommand& c, Step* step, const Scenario& s);
  void Replay(const SleepCommand& c, Step* step, const Scenario& s);
  void Replay(const NodeCommand& c, Step* step, const Scenario& s);
  void Replay(const ArgoRolloutsCommand& c, Step* step, const Scenario& s);
  // Template `t` (its tree `tree`) as `key`'s next revision, unless it is
  // the newest already; one equal to an older revision takes it over under
  // the new number. Keeps `limit` old revisions besides the newest.
  void RecordRevision(const ObjectKey& key, const k8s::PodTemplateSpec& t, NodePtr tree,
                      int32_t limit);
  // rollout undo / argo rollouts undo: `target`'s template set to that of
  // revision `to_revision` (0 or none: the previous one) of `key`'s history
  // (`target` is `key`'s object, or the Deployment a Rollout's workloadRef
  // names).
  void Undo(const Stored& target, const ObjectKey& key, std::optional<int64_t> to_revision,
            Step* step);
  void ReplaySetContainers(const SetEnvCommand* env, const SetResourcesCommand* res, Step* step,
                           const Scenario& s);
  std::optional<std::vector<k8s::DecodedObject>> ReadManifest(const std::string& name, Step* step,
                                                              int* errors);
  const Stored* Find(const ObjectKey& key, Step* step, size_t offset);
  // Decodes document `root` of `file` into `objects` (k8s::DecodeDocument);
  // one that yields no object and no error (left out of the run, with a
  // warning) is added to decoded_left_out_, in namespace `ns` unless it
  // names its own, for the caller to record or forget.
  void Decode(const yaml::NodePtr& root, const std::string& file, const std::string& ns,
              std::vector<k8s::DecodedObject>* objects);
  void Replace(const Stored& old, NodePtr tree, Step* step);
  void StepError(const Step& step, size_t offset, const std::string& message);
  // Whether `key` (a Pod not in the store) may name a pod a Deployment or
  // ReplicaSet of the store creates.
  bool OwnedPodName(const ObjectKey& key) const;
  // `-f` names with each directory replaced by its manifest files.
  std::vector<std::string> ExpandDirectories(const std::vector<std::string>& names, Step* step);
  // Refuses two steps that change the same object when which runs first
  // depends on when a blocking step finishes: the loader works out each
  // step's objects in the order of their earliest times.
  void CheckChainOrder(const Scenario& s);
  // Warnings for what would otherwise pass without a word and change the
  // result: an image no profile describes (it pulls and starts in 0 s), a
  // profile no container uses, a Service whose selector matches no pod
  // template or pod, a cluster with no node.
  void WarnSilentFootguns(const Scenario& s);
  // spec.analysis against the AnalysisTemplates: what is not measured,
  // what names nothing; and how long requests are kept.
  void CheckAnalysis(Scenario* s);
  // `kubectl apply` of decoded manifest `d` as `tree` (its namespace set)
  // under `key`: a three-way merge onto the live object if there is one.
  void ApplyManifest(const k8s::DecodedObject& d, const NodePtr& tree, const ObjectKey& key,
                     const std::string& file, Step* step);
  void CheckReferences(const Scenario& s);

  std::string_view text_;
  std::string file_;
  std::filesystem::path dir_;
  const LoadOptions& options_;
  Diagnostics diags_;
  Reader r_;

  std::map<ObjectKey, Stored> store_;
  std::set<ObjectKey> ever_;
  // Objects a controller makes at run time (Flagger's Services and primary
  // Deployment), which clients and expect: lines may name.
  std::set<ObjectKey> made_;
  std::map<ObjectKey, std::vector<Revision>> history_;
  // Objects of simulated kinds that decoded without error but are left out
  // of the run with a warning (a Rollout with subset-level routing or a
  // workloadRef to a ReplicaSet, a Canary of a StatefulSet), by key: where
  // each is, so that a step naming one says why it cannot run.
  std::map<ObjectKey, Position> left_out_;
  std::vector<std::pair<ObjectKey, Position>> decoded_left_out_;
  // Each object's last applied manifest (kubectl's
  // last-applied-configuration annotation), for ThreeWayMerge.
  std::map<ObjectKey, NodePtr> last_applied_;
  std::optional<std::string> stdin_;
  // Steps' value nodes (positions of the kubectl line), parallel to timeline.
  std::vector<const Node*> step_nodes_;
};

}  // namespace kubesim::scenario::loader

#endif  // KUBESIM_SIM_SCENARIO_LOADER_H_
