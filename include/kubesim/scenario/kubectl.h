// The kubectl command lines a scenario's timeline may run, parsed into typed
// commands.
//
// The model: a timeline step is one kubectl invocation as a user types it
// (docs/scenario-format.md) — the seed article's `apply -f` and `patch ... -p '{...}'`, and
// the usual rollout commands:
//
//   apply -f F [-f F...]                     delete -f F [-f F...]
//   delete KIND NAME [NAME...] | KIND/NAME   delete pod NAME
//   patch KIND NAME -p PATCH [--type merge|strategic|json]
//   scale deployment/NAME --replicas=N       set image deployment/NAME C=IMAGE...
//   set env deployment/NAME [-c C] K=V... K-...
//   set resources deployment/NAME [-c C] [--requests=cpu=100m,memory=64Mi] [--limits=...]
//   rollout undo|pause|resume|restart deployment/NAME [--to-revision=N]
//   rollout status deployment/NAME [--timeout=D]             (blocks)
//   wait --for=condition=Available|Progressing deployment/NAME [--timeout=D]   (blocks)
//   wait --for=condition=Ready pod NAME|-l SEL|--all [--timeout=D]             (blocks)
//   annotate [--overwrite] KIND NAME|KIND/NAME|pods -l SEL|pods --all KEY=VALUE|KEY-...
//   cordon|uncordon|drain NODE
//   argo rollouts promote [--full]|abort|retry rollout|pause|undo [--to-revision=N] NAME
//   argo rollouts set image NAME C=IMAGE...
//   argo rollouts status NAME [--timeout=D]                   (blocks)
//
// plus the simulator-only steps `fail: node/NAME` and `recover: node/NAME`
// (ParseNodeStep) and `sleep: D`. A leading `kubectl` word is allowed; `-n NS` /
// `--namespace=NS` selects the namespace (default "default"). Words are split
// as a POSIX shell splits them: blanks separate, '...' is literal, "..."
// honours \" \\ \$ \`, a backslash outside quotes escapes the next character.
// Pipes, redirections and `;`/`&&` are refused — a step is one command.
//
// Errors carry the byte offset in the line of the word at fault, so the
// loader can point at its column.
#ifndef KUBESIM_SCENARIO_KUBECTL_H_
#define KUBESIM_SCENARIO_KUBECTL_H_

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "kubesim/engine/time.h"

namespace kubesim::scenario {

// One shell word and where it starts in the line.
struct Word {
  std::string text;
  size_t offset = 0;
  bool operator==(const Word&) const = default;
};

// A resource named on the command line: kind (as k8s::KindOfResource maps
// it) and name.
struct ResourceRef {
  std::string kind;  // "Deployment", "Service", ...
  std::string name;
  bool operator==(const ResourceRef&) const = default;
};

struct ApplyCommand {
  std::vector<std::string> files;  // as written; "-" is standard input
  bool operator==(const ApplyCommand&) const = default;
};
struct DeleteCommand {
  std::vector<std::string> files;       // delete -f F...
  std::vector<ResourceRef> resources;   // delete KIND NAME...
  bool operator==(const DeleteCommand&) const = default;
};
struct PatchCommand {
  // kJson: an RFC 6902 JSON patch, a list of operations (add, remove,
  // replace, move, copy, test).
  enum class Type { kStrategic, kMerge, kJson };
  ResourceRef target;
  std::string patch;                 // the JSON (or YAML) text of -p
  size_t patch_offset = 0;           // where the -p value starts in the line
  Type type = Type::kStrategic;      // kubectl's default
  bool operator==(const PatchCommand&) const = default;
};
struct ScaleCommand {
  ResourceRef target;
  int32_t replicas = 0;
  bool operator==(const ScaleCommand&) const = default;
};
struct SetImageCommand {
  ResourceRef target;
  std::vector<std::pair<std::string, std::string>> images;  // container ("*" = all) -> image
  bool operator==(const SetImageCommand&) const = default;
};
// set env TYPE/NAME [-c CONTAINER] KEY=VALUE... KEY-...
struct SetEnvCommand {
  ResourceRef target;
  std::string container;  // -c: one container by name; empty: every container
  std::vector<std::pair<std::string, std::optional<std::string>>> env;  // nullopt: remove
  bool operator==(const SetEnvCommand&) const = default;
};
// set resources TYPE/NAME [-c CONTAINER] [--requests=cpu=..,memory=..] [--limits=...]
struct SetResourcesCommand {
  ResourceRef target;
  std::string container;
  std::vector<std::pair<std::string, std::string>> requests, limits;  // resource -> quantity
  bool operator==(const SetResourcesCommand&) const = default;
};
struct RolloutCommand {
  enum class Action { kUndo, kPause, kResume, kRestart, kStatus };
  Action action = Action::kUndo;
  ResourceRef target;
  std::optional<int64_t> to_revision;  // undo --to-revision=N (0 means the previous one)
  // status --timeout=D: how long it waits; nullopt (or 0) waits for good.
  std::optional<SimDuration> timeout;
  bool operator==(const RolloutCommand&) const = default;
};
// wait --for=condition=Available|Progressing deployment/NAME
// wait --for=condition=Ready pod NAME...|pod -l SEL|pod --all   [--timeout=D]
struct WaitCommand {
  // kPromoted: a Flagger Canary's Promoted condition (true once
  // initialized, and again once an analysis succeeded).
  enum class Condition { kAvailable, kProgressing, kReady, kPromoted };
  Condition condition = Condition::kAvailable;
  std::string kind;                     // "Deployment", "Pod" or "Canary"
  std::vector<std::string> names;       // empty with a selector or --all
  std::optional<std::string> selector;  // -l / --selector, as written
  bool all = false;
  // kubectl's default is 30s; 0 checks once; a negative one waits a week.
  SimDuration timeout = SimDuration::Seconds(30);
  bool operator==(const WaitCommand&) const = default;
};
// The Argo Rollouts plugin, `kubectl argo rollouts ACTION NAME`
// (argo-rollouts pkg/kubectl-argo-rollouts/cmd): promote [--full], abort,
// retry rollout, pause, status [--watch] [--timeout=D] (blocks), set image
// NAME C=IMAGE..., undo [--to-revision=N], restart [--in=D].
struct ArgoRolloutsCommand {
  enum class Action { kPromote, kAbort, kRetry, kPause, kStatus, kSetImage, kUndo, kRestart };
  Action action = Action::kPromote;
  std::string name;   // the Rollout's
  bool full = false;  // promote --full
  // status --timeout: how long it waits; nullopt (or 0, the plugin's
  // default) waits for good.
  std::optional<SimDuration> timeout;
  std::vector<std::pair<std::string, std::string>> images;  // set image: container ("*") -> image
  std::optional<int64_t> to_revision;  // undo --to-revision=N (0: the previous one)
  SimDuration in;                      // restart --in=D: spec.restartAt is now + D
  bool operator==(const ArgoRolloutsCommand&) const = default;
};
// The simulator's `sleep: D` step.
struct SleepCommand {
  SimDuration duration;
  bool operator==(const SleepCommand&) const = default;
};
// annotate KIND NAME... KEY=VALUE... KEY-...  |  annotate pods -l SEL|--all ...
struct AnnotateCommand {
  std::string kind;                     // as k8s::KindOfResource maps it
  std::vector<std::string> names;       // empty with a selector or --all
  std::optional<std::string> selector;  // -l / --selector, as written
  bool all = false;                     // --all
  bool overwrite = false;               // --overwrite: a key may change its value
  // KEY=VALUE sets, KEY- (value nullopt) removes; in the order given.
  std::vector<std::pair<std::string, std::optional<std::string>>> annotations;
  bool operator==(const AnnotateCommand&) const = default;
};
struct NodeCommand {
  enum class Action { kCordon, kUncordon, kDrain, kFail, kRecover };
  Action action = Action::kCordon;
  std::string node;
  bool operator==(const NodeCommand&) const = default;
};

using CommandBody =
    std::variant<ApplyCommand, DeleteCommand, PatchCommand, ScaleCommand, SetImageCommand,
                 SetEnvCommand, SetResourcesCommand, RolloutCommand, AnnotateCommand, WaitCommand,
                 SleepCommand, NodeCommand, ArgoRolloutsCommand>;

struct Command {
  CommandBody body;
  std::string namespace_name = "default";
  bool operator==(const Command&) const = default;
};

// A parse failure: what is wrong, and the byte offset of the word at fault.
struct KubectlError {
  std::string message;
  size_t offset = 0;
};

// Either a command or an error.
struct KubectlParse {
  std::optional<Command> command;
  KubectlError error;
  bool ok() const { return command.has_value(); }
};

// Splits `line` into shell words. On an unterminated quote or a shell
// operator, returns the error instead.
std::variant<std::vector<Word>, KubectlError> SplitWords(std::string_view line);

// Parses one kubectl command line (without or with the leading `kubectl`).
KubectlParse ParseKubectl(std::string_view line);

// Parses the value of a `fail:` or `recover:` step: "node/NAME".
KubectlParse ParseNodeStep(NodeCommand::Action action, std::string_view value);

// A flag a command accepts, besides -n/--namespace, which every command
// takes (before or after the command).
struct KubectlFlag {
  std::string_view name;       // "filename": --filename
  std::string_view shorthand;  // "f": -f; "" when none
  bool takes_value = false;    // --timeout=D; a flag without one is true/false
};

// A command kubesim runs: the parser's one table of commands and their
// flags. docs/scenario-format.md 5.2 is tested against it (every command a
// row, every flag named), and the unknown-command error lists it.
struct KubectlCommandInfo {
  std::string_view verb;  // "apply", "set", "rollout", "argo rollouts", ...
  std::string_view sub;   // "image" in `set image`; "" for a verb alone
  std::span<const KubectlFlag> flags;
};
std::span<const KubectlCommandInfo> KubectlCommands();

// Whether the command blocks: it finishes when a condition holds (rollout
// status, wait) or its time has passed (sleep), not when it has run.
bool IsBlocking(const Command& command);

// "apply", "delete", "patch", "scale", "set image", "rollout undo", ..., "fail".
std::string CommandName(const Command& command);

}  // namespace kubesim::scenario

#endif  // KUBESIM_SCENARIO_KUBECTL_H_
