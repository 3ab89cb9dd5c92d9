// The kubectl command-line parser; see include/kubesim/scenario/kubectl.h.
#include "kubesim/scenario/kubectl.h"

#include <fmt/format.h>

#include <cctype>
#include <charconv>
#include <map>

#include "kubesim/k8s/labels.h"
#include "kubesim/k8s/object.h"
#include "kubesim/k8s/validation.h"

namespace kubesim::scenario {
namespace {

KubectlParse Fail(size_t offset, std::string message) {
  KubectlParse p;
  p.error = KubectlError{std::move(message), offset};
  return p;
}

KubectlParse Ok(Command c) {
  KubectlParse p;
  p.command = std::move(c);
  return p;
}

// A flag as given: its name without dashes, its value (if any) and where it was.
struct Flag {
  std::string name;
  std::optional<std::string> value;
  size_t offset = 0;
};

using FlagSpec = KubectlFlag;

constexpr FlagSpec kFile{"filename", "f", true};
constexpr FlagSpec kPatch{"patch", "p", true};
constexpr FlagSpec kType{"type", "", true};
constexpr FlagSpec kReplicas{"replicas", "", true};
constexpr FlagSpec kToRevision{"to-revision", "", true};
constexpr FlagSpec kIgnoreDaemonsets{"ignore-daemonsets", "", false};
constexpr FlagSpec kDeleteEmptyDir{"delete-emptydir-data", "", false};
constexpr FlagSpec kForce{"force", "", false};
constexpr FlagSpec kOverwrite{"overwrite", "", false};
constexpr FlagSpec kSelector{"selector", "l", true};
constexpr FlagSpec kAll{"all", "", false};
constexpr FlagSpec kTimeout{"timeout", "", true};
constexpr FlagSpec kWatch{"watch", "w", false};
constexpr FlagSpec kFor{"for", "", true};
constexpr FlagSpec kContainer{"containers", "c", true};
constexpr FlagSpec kRequests{"requests", "", true};
constexpr FlagSpec kFull{"full", "", false};
constexpr FlagSpec kArgoTimeout{"timeout", "t", true};
constexpr FlagSpec kLimits{"limits", "", true};
constexpr FlagSpec kIn{"in", "i", true};

// Which flags each command takes.
constexpr FlagSpec kApplyFlags[] = {kFile};
constexpr FlagSpec kPatchFlags[] = {kPatch, kType};
constexpr FlagSpec kScaleFlags[] = {kReplicas};
constexpr FlagSpec kUndoFlags[] = {kToRevision};
constexpr FlagSpec kDrainFlags[] = {kIgnoreDaemonsets, kDeleteEmptyDir, kForce};
constexpr FlagSpec kAnnotateFlags[] = {kOverwrite, kSelector, kAll};
constexpr FlagSpec kStatusFlags[] = {kTimeout, kWatch};
constexpr FlagSpec kWaitFlags[] = {kFor, kTimeout, kSelector, kAll};
constexpr FlagSpec kSetEnvFlags[] = {kContainer};
constexpr FlagSpec kSetResourcesFlags[] = {kContainer, kRequests, kLimits};
constexpr FlagSpec kPromoteFlags[] = {kFull};
constexpr FlagSpec kArgoStatusFlags[] = {kWatch, kArgoTimeout};
constexpr FlagSpec kArgoRestartFlags[] = {kIn};

// In the order the unknown-command error names them.
constexpr KubectlCommandInfo kCommands[] = {
    {"apply", "", kApplyFlags},
    {"delete", "", kApplyFlags},
    {"patch", "", kPatchFlags},
    {"scale", "", kScaleFlags},
    {"set", "image", {}},
    {"set", "env", kSetEnvFlags},
    {"set", "resources", kSetResourcesFlags},
    {"rollout", "undo", kUndoFlags},
    {"rollout", "pause", {}},
    {"rollout", "resume", {}},
    {"rollout", "restart", {}},
    {"rollout", "status", kStatusFlags},
    {"annotate", "", kAnnotateFlags},
    {"wait", "", kWaitFlags},
    {"cordon", "", {}},
    {"uncordon", "", {}},
    {"drain", "", kDrainFlags},
    {"argo rollouts", "promote", kPromoteFlags},
    {"argo rollouts", "abort", {}},
    {"argo rollouts", "retry rollout", {}},
    {"argo rollouts", "pause", {}},
    {"argo rollouts", "status", kArgoStatusFlags},
    {"argo rollouts", "set image", {}},
    {"argo rollouts", "undo", kUndoFlags},
    {"argo rollouts", "restart", kArgoRestartFlags},
};

// "apply, delete, ..., set image|env|resources, rollout undo|...|status, ...".
std::string CommandList() {
  std::string out;
  std::string_view last;
  for (const KubectlCommandInfo& c : kCommands) {
    if (!last.empty() && c.verb == last) {
      out += fmt::format("|{}", c.sub);
      continue;
    }
    if (!out.empty()) out += ", ";
    out += c.sub.empty() ? std::string(c.verb) : fmt::format("{} {}", c.verb, c.sub);
    last = c.verb;
  }
  return out;
}

// Separates positional words from flags, as pflag does for kubectl.
// `specs` lists the flags the command accepts (besides -n/--namespace).
std::variant<std::pair<std::vector<Word>, std::vector<Flag>>, KubectlError> SplitFlags(
    const std::vector<Word>& words, std::span<const FlagSpec> specs, std::string_view command) {
  std::vector<Word> positional;
  std::vector<Flag> flags;
  const auto find = [&](std::string_view name, bool shorthand) -> std::optional<FlagSpec> {
    if ((shorthand && name == "n") || (!shorthand && name == "namespace")) {
      return FlagSpec{"namespace", "n", true};
    }
    for (const FlagSpec& s : specs) {
      if (shorthand ? s.shorthand == name : s.name == name) return s;
    }
    return std::nullopt;
  };
  for (size_t i = 0; i < words.size(); ++i) {
    const Word& w = words[i];
    if (w.text.size() < 2 || w.text[0] != '-') {
      positional.push_back(w);
      continue;
    }
    if (w.text == "--") {
      for (++i; i < words.size(); ++i) positional.push_back(words[i]);
      break;
    }
    const bool longform = w.text.starts_with("--");
    std::string body = w.text.substr(longform ? 2 : 1);
    std::optional<std::string> value;
    std::string name;
    if (longform) {
      const size_t eq = body.find('=');
      name = body.substr(0, eq);
      if (eq != std::string::npos) value = body.substr(eq + 1);
    } else {
      name = body.substr(0, 1);
      if (body.size() > 1) value = body.substr(body[1] == '=' ? 2 : 1);
    }
    const auto spec = find(name, !longform);
    if (!spec) {
      return KubectlError{fmt::format("unknown flag: {} (kubectl {} accepts {})", w.text, command,
                                      [&] {
                                        std::string s;
                                        for (const FlagSpec& f : specs) {
                                          s += fmt::format("--{}, ", f.name);
                                        }
                                        return s + "-n/--namespace";
                                      }()),
                          w.offset};
    }
    if (spec->takes_value && !value) {
      if (i + 1 >= words.size()) {
        return KubectlError{fmt::format("flag needs an argument: {}", w.text), w.offset};
      }
      value = words[++i].text;
      flags.push_back(Flag{std::string(spec->name), value, words[i].offset});
      continue;
    }
    if (!spec->takes_value && value && *value != "true" && *value != "false") {
      return KubectlError{fmt::format("flag {} takes no value (or true/false)", w.text), w.offset};
    }
    flags.push_back(Flag{std::string(spec->name), value, w.offset});
  }
  return std::make_pair(std::move(positional), std::move(flags));
}

// KIND/NAME, or KIND NAME (consuming two words); `at` is advanced.
std::variant<ResourceRef, KubectlError> ParseResource(const std::vector<Word>& pos, size_t* at,
                                                      size_t line_end, std::string_view usage) {
  if (*at >= pos.size()) {
    return KubectlError{fmt::format("missing the resource to act on (usage: {})", usage), line_end};
  }
  const Word& w = pos[*at];
  std::string resource = w.text;
  std::string name;
  size_t name_offset = w.offset;
  const size_t slash = resource.find('/');
  if (slash != std::string::npos) {
    name = resource.substr(slash + 1);
    resource = resource.substr(0, slash);
    ++*at;
  } else {
    ++*at;
    if (*at >= pos.size()) {
      return KubectlError{fmt::format("missing the name after \"{}\" (usage: {})", w.text, usage),
                          line_end};
    }
    name = pos[*at].text;
    name_offset = pos[*at].offset;
    ++*at;
  }
  const std::string_view kind = k8s::KindOfResource(resource);
  if (kind.empty()) {
    return KubectlError{fmt::format("the server doesn't have a resource type \"{}\" that kubesim "
                                    "simulates (deployment, replicaset, service, pod, namespace)",
                                    resource),
                        w.offset};
  }
  if (name.empty()) return KubectlError{"the resource name is empty", name_offset};
  return ResourceRef{std::string(kind), name};
}

std::optional<std::string> FlagValue(const std::vector<Flag>& flags, std::string_view name,
                                     size_t* offset = nullptr) {
  std::optional<std::string> v;
  for (const Flag& f : flags) {
    if (f.name == name) {
      v = f.value.value_or("true");
      if (offset != nullptr) *offset = f.offset;
    }
  }
  return v;
}

bool ParseInt64(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

}  // namespace

std::span<const KubectlCommandInfo> KubectlCommands() { return kCommands; }

std::variant<std::vector<Word>, KubectlError> SplitWords(std::string_view line) {
  std::vector<Word> words;
  size_t i = 0;
  while (i < line.size()) {
    const char c = line[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#') break;  // a comment runs to the end, as in a shell
    Word w;
    w.offset = i;
    bool any = false;
    while (i < line.size()) {
      const char d = line[i];
      if (d == ' ' || d == '\t' || d == '\n' || d == '\r') break;
      if (d == '\'') {
        const size_t close = line.find('\'', i + 1);
        if (close == std::string_view::npos) {
          return KubectlError{"unterminated single quote: add the closing '", i};
        }
        w.text.append(line.substr(i + 1, close - i - 1));
        i = close + 1;
        any = true;
      } else if (d == '"') {
        const size_t open = i++;
        bool closed = false;
        while (i < line.size()) {
          const char e = line[i];
          if (e == '"') {
            closed = true;
            ++i;
            break;
          }
          if (e == '\\' && i + 1 < line.size() &&
              (line[i + 1] == '"' || line[i + 1] == '\\' || line[i + 1] == '$' ||
               line[i + 1] == '`' || line[i + 1] == '\n')) {
            if (line[i + 1] != '\n') w.text.push_back(line[i + 1]);
            i += 2;
            continue;
          }
          if (e == '$' || e == '`') {
            return KubectlError{
                "shell expansion ($ or `) is not supported in a kubectl step; "
                "quote with '...'",
                i};
          }
          w.text.push_back(e);
          ++i;
        }
        if (!closed) return KubectlError{"unterminated double quote: add the closing \"", open};
        any = true;
      } else if (d == '\\') {
        if (i + 1 < line.size()) {
          if (line[i + 1] != '\n') w.text.push_back(line[i + 1]);
          i += 2;
        } else {
          ++i;
        }
        any = true;
      } else if (d == '|' || d == ';' || d == '&' || d == '>' || d == '<' || d == '(' || d == ')' ||
                 d == '`' || d == '$') {
        return KubectlError{fmt::format("shell operator '{}' is not supported: a step is one "
                                        "kubectl command (quote it if it is part of an argument)",
                                        d),
                            i};
      } else {
        w.text.push_back(d);
        ++i;
        any = true;
      }
    }
    if (any) words.push_back(std::move(w));
  }
  return words;
}

namespace {

// A command line split into its command, positional words and flags: what
// each command's parser reads.
struct Parsing {
  std::string verb, sub;  // "set", "image"; sub "" for a verb alone
  size_t sub_offset = 0;
  size_t end = 0;  // the line's length: where a missing word is reported
  std::string command_name;
  std::vector<Word> pos;
  std::vector<Flag> flags;
  Command cmd;
  size_t at = 0;  // the next positional word to read
  // An error for a positional word left over, if any.
  std::optional<KubectlParse> Extra() const {
    if (at < pos.size()) {
      return Fail(pos[at].offset, fmt::format("unexpected argument \"{}\" for kubectl {}",
                                              pos[at].text, command_name));
    }
    return std::nullopt;
  }
};

KubectlParse ParseApplyOrDelete(Parsing& parsing) {
  const std::string& verb = parsing.verb;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  std::vector<std::string> files;
  for (const Flag& f : flags) {
    if (f.name == "filename") {
      if (f.value->empty()) return Fail(f.offset, "-f needs a file name");
      if (f.value->starts_with("http://") || f.value->starts_with("https://")) {
        return Fail(f.offset, "kubesim reads local files only, not URLs");
      }
      files.push_back(*f.value);
    }
  }
  if (verb == "apply") {
    if (files.empty()) {
      return Fail(end, "must specify -f (usage: apply -f FILE [-f FILE...])");
    }
    if (auto e = extra()) return *e;
    cmd.body = ApplyCommand{files};
    return Ok(std::move(cmd));
  }
  DeleteCommand del;
  del.files = files;
  if (files.empty()) {
    const std::string u = "delete -f FILE | delete KIND NAME [NAME...] | delete KIND/NAME";
    if (pos.empty()) return Fail(end, fmt::format("missing what to delete (usage: {})", u));
    if (pos[0].text.find('/') != std::string::npos) {
      while (at < pos.size()) {
        if (pos[at].text.find('/') == std::string::npos) {
          return Fail(pos[at].offset, "mix of KIND/NAME and bare names; write KIND/NAME for each");
        }
        auto r = ParseResource(pos, &at, end, u);
        if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
        del.resources.push_back(std::get<ResourceRef>(r));
      }
    } else {
      auto r = ParseResource(pos, &at, end, u);
      if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
      del.resources.push_back(std::get<ResourceRef>(r));
      for (; at < pos.size(); ++at) {
        del.resources.push_back(ResourceRef{del.resources[0].kind, pos[at].text});
      }
    }
  } else if (auto e = extra()) {
    return *e;
  }
  cmd.body = std::move(del);
  return Ok(std::move(cmd));
}

KubectlParse ParsePatch(Parsing& parsing) {
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  const std::string u = "patch KIND NAME -p PATCH [--type merge|strategic|json]";
  auto r = ParseResource(pos, &at, end, u);
  if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
  if (auto e = extra()) return *e;
  PatchCommand p;
  p.target = std::get<ResourceRef>(r);
  size_t patch_offset = end;
  auto patch = FlagValue(flags, "patch", &patch_offset);
  if (!patch) return Fail(end, fmt::format("must specify -p PATCH (usage: {})", u));
  p.patch = *patch;
  p.patch_offset = patch_offset;
  size_t type_offset = 0;
  if (auto type = FlagValue(flags, "type", &type_offset)) {
    if (*type == "merge") {
      p.type = PatchCommand::Type::kMerge;
    } else if (*type == "strategic") {
      p.type = PatchCommand::Type::kStrategic;
    } else if (*type == "json") {
      p.type = PatchCommand::Type::kJson;
    } else {
      return Fail(type_offset,
                  fmt::format("--type {} is not supported; use merge, strategic or json", *type));
    }
  }
  cmd.body = std::move(p);
  return Ok(std::move(cmd));
}

KubectlParse ParseScale(Parsing& parsing) {
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  const std::string u = "scale deployment/NAME --replicas=N";
  auto r = ParseResource(pos, &at, end, u);
  if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
  if (auto e = extra()) return *e;
  size_t off = end;
  auto replicas = FlagValue(flags, "replicas", &off);
  int64_t n = -1;
  if (!replicas || !ParseInt64(*replicas, &n) || n < 0 || n > INT32_MAX) {
    return Fail(off,
                "The --replicas=COUNT flag is required, and COUNT must be greater than or "
                "equal to 0 (and fit a 32-bit integer)");
  }
  ScaleCommand s;
  s.target = std::get<ResourceRef>(r);
  if (s.target.kind != "Deployment" && s.target.kind != "ReplicaSet") {
    return Fail(pos[0].offset, "kubesim scales deployments and replicasets only");
  }
  s.replicas = static_cast<int32_t>(n);
  cmd.body = std::move(s);
  return Ok(std::move(cmd));
}

KubectlParse ParseSetEnvOrResources(Parsing& parsing) {
  const std::string& sub = parsing.sub;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  const std::string u = sub == "env" ? "set env deployment/NAME [-c CONTAINER] KEY=VALUE... KEY-..."
                                     : "set resources deployment/NAME [-c CONTAINER] "
                                       "--requests=cpu=100m,memory=64Mi --limits=...";
  auto r = ParseResource(pos, &at, end, u);
  if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
  const ResourceRef target = std::get<ResourceRef>(r);
  if (target.kind != "Deployment" && target.kind != "ReplicaSet" && target.kind != "Pod") {
    return Fail(pos[0].offset, fmt::format("set {} needs a deployment, replicaset or pod", sub));
  }
  const std::string container = FlagValue(flags, "containers").value_or("");
  if (sub == "env") {
    SetEnvCommand e;
    e.target = target;
    e.container = container;
    for (; at < pos.size(); ++at) {
      const std::string& t = pos[at].text;
      const size_t eq = t.find('=');
      if (eq == std::string::npos && t.size() > 1 && t.back() == '-') {
        e.env.emplace_back(t.substr(0, t.size() - 1), std::nullopt);
      } else if (eq != std::string::npos && eq > 0) {
        e.env.emplace_back(t.substr(0, eq), t.substr(eq + 1));
      } else {
        return Fail(pos[at].offset,
                    fmt::format("expected KEY=VALUE or KEY-, got \"{}\" (usage: {})", t, u));
      }
    }
    if (e.env.empty())
      return Fail(end, fmt::format("at least one environment variable change "
                                   "is required (usage: {})",
                                   u));
    cmd.body = std::move(e);
    return Ok(std::move(cmd));
  }
  if (auto e = extra()) return *e;
  SetResourcesCommand sr;
  sr.target = target;
  sr.container = container;
  for (auto [flag, list] : {std::pair{"requests", &sr.requests}, std::pair{"limits", &sr.limits}}) {
    size_t off = end;
    const auto v = FlagValue(flags, flag, &off);
    if (!v) continue;
    size_t start = 0;
    while (start <= v->size()) {
      const size_t comma = std::min(v->find(',', start), v->size());
      const std::string item = v->substr(start, comma - start);
      const size_t eq = item.find('=');
      if (eq == std::string::npos || eq == 0 || eq + 1 == item.size()) {
        return Fail(off, fmt::format("--{}: expected RESOURCE=QUANTITY, got \"{}\"", flag, item));
      }
      list->emplace_back(item.substr(0, eq), item.substr(eq + 1));
      start = comma + 1;
    }
  }
  if (sr.requests.empty() && sr.limits.empty()) {
    return Fail(end,
                fmt::format("you must specify an update to requests or limits (usage: {})", u));
  }
  cmd.body = std::move(sr);
  return Ok(std::move(cmd));
}

// set image's CONTAINER=IMAGE words, from `*at` to the end (at least one).
std::optional<KubectlParse> ContainerImages(const std::vector<Word>& pos, size_t* at, size_t end,
                                            const std::string& usage,
                                            std::vector<std::pair<std::string, std::string>>* out) {
  for (; *at < pos.size(); ++*at) {
    const std::string& t = pos[*at].text;
    const size_t eq = t.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == t.size()) {
      return Fail(pos[*at].offset,
                  fmt::format("expected CONTAINER=IMAGE, got \"{}\" (usage: {})", t, usage));
    }
    out->emplace_back(t.substr(0, eq), t.substr(eq + 1));
  }
  if (out->empty()) return Fail(end, fmt::format("missing CONTAINER=IMAGE (usage: {})", usage));
  return std::nullopt;
}

// The flags of rollout undo and status (kubectl's and the Argo Rollouts
// plugin's): --to-revision=N, --timeout=D (0: for good), and --watch, which
// may not be false (`status` is the command named in that error).
std::optional<KubectlParse> RolloutFlags(const std::vector<Flag>& flags, std::string_view status,
                                         std::optional<int64_t>* to_revision,
                                         std::optional<SimDuration>* timeout) {
  size_t off = 0;
  if (auto rev = FlagValue(flags, "to-revision", &off)) {
    int64_t n = -1;
    if (!ParseInt64(*rev, &n) || n < 0) {
      return Fail(off, "--to-revision must be a revision number (0: the previous one)");
    }
    *to_revision = n;
  }
  if (auto t = FlagValue(flags, "timeout", &off)) {
    auto d = ParseDuration(*t);
    if (!d) return Fail(off, fmt::format("invalid --timeout: {}", d.error()));
    if (*d < SimDuration::Zero()) return Fail(off, "--timeout must not be negative");
    if (*d > SimDuration::Zero()) *timeout = *d;
  }
  if (FlagValue(flags, "watch", &off) == "false") {
    return Fail(off, fmt::format("{} --watch=false prints the status once and does not wait; "
                                 "kubesim runs {} as it waits",
                                 status, status == "rollout status" ? "rollout status" : "status"));
  }
  return std::nullopt;
}

KubectlParse ParseSetImage(Parsing& parsing) {
  const std::string& sub = parsing.sub;
  const size_t sub_offset = parsing.sub_offset;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  if (sub != "image") {
    return Fail(sub_offset, fmt::format("kubectl set {} is not supported; kubesim runs set image, "
                                        "set env and set resources",
                                        sub));
  }
  const std::string u = "set image deployment/NAME CONTAINER=IMAGE [CONTAINER=IMAGE...]";
  auto r = ParseResource(pos, &at, end, u);
  if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
  SetImageCommand s;
  s.target = std::get<ResourceRef>(r);
  // `set image deployment NAME C=I` parses NAME as the name; a bare
  // `deployment/NAME` is one word — both are handled by ParseResource.
  if (auto e = ContainerImages(pos, &at, end, u, &s.images)) return *e;
  if (s.target.kind != "Deployment" && s.target.kind != "ReplicaSet" && s.target.kind != "Pod") {
    return Fail(pos[0].offset, "set image needs a deployment, replicaset or pod");
  }
  cmd.body = std::move(s);
  return Ok(std::move(cmd));
}

KubectlParse ParseRollout(Parsing& parsing) {
  const std::string& sub = parsing.sub;
  const size_t sub_offset = parsing.sub_offset;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  RolloutCommand ro;
  if (sub == "undo")
    ro.action = RolloutCommand::Action::kUndo;
  else if (sub == "pause")
    ro.action = RolloutCommand::Action::kPause;
  else if (sub == "resume")
    ro.action = RolloutCommand::Action::kResume;
  else if (sub == "restart")
    ro.action = RolloutCommand::Action::kRestart;
  else if (sub == "status")
    ro.action = RolloutCommand::Action::kStatus;
  else {
    return Fail(sub_offset, fmt::format("unknown rollout action \"{}\" (use undo, pause, "
                                        "resume, restart or status)",
                                        sub));
  }
  const std::string u = fmt::format("rollout {} deployment/NAME", sub);
  auto r = ParseResource(pos, &at, end, u);
  if (auto* err = std::get_if<KubectlError>(&r)) return Fail(err->offset, err->message);
  if (auto e = extra()) return *e;
  ro.target = std::get<ResourceRef>(r);
  if (ro.target.kind != "Deployment") {
    return Fail(pos[0].offset, fmt::format("kubectl rollout {} works on deployments here", sub));
  }
  if (auto e = RolloutFlags(flags, "rollout status", &ro.to_revision, &ro.timeout)) return *e;
  cmd.body = std::move(ro);
  return Ok(std::move(cmd));
}

// kubectl argo rollouts ACTION NAME (pkg/kubectl-argo-rollouts/cmd).
KubectlParse ParseArgoRollouts(Parsing& parsing) {
  const std::string& sub = parsing.sub;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  using Action = ArgoRolloutsCommand::Action;
  static constexpr std::pair<std::string_view, Action> kActions[] = {
      {"promote", Action::kPromote},     {"abort", Action::kAbort},
      {"retry rollout", Action::kRetry}, {"pause", Action::kPause},
      {"status", Action::kStatus},       {"set image", Action::kSetImage},
      {"undo", Action::kUndo},           {"restart", Action::kRestart}};
  ArgoRolloutsCommand a;
  bool found = false;
  for (const auto& [name, action] : kActions) {
    if (name == sub) {
      a.action = action;
      found = true;
    }
  }
  if (!found) {
    return Fail(parsing.sub_offset,
                fmt::format("kubectl argo rollouts {} is not simulated (kubesim runs promote, "
                            "abort, retry rollout, pause, status, set image, undo and restart)",
                            sub));
  }
  const std::string u = fmt::format("argo rollouts {} ROLLOUT_NAME{}", sub,
                                    a.action == Action::kSetImage ? " CONTAINER=IMAGE" : "");
  if (at >= pos.size()) return Fail(end, fmt::format("missing the Rollout's name (usage: {})", u));
  a.name = pos[at].text;
  if (a.name.find('/') != std::string::npos) {
    return Fail(
        pos[at].offset,
        fmt::format("kubectl argo rollouts takes the Rollout's name alone, not \"{}\"", a.name));
  }
  ++at;
  if (a.action == Action::kSetImage) {
    if (auto e = ContainerImages(pos, &at, end, u, &a.images)) return *e;
  }
  if (auto e = parsing.Extra()) return *e;
  a.full = FlagValue(flags, "full") == "true";
  if (auto e = RolloutFlags(flags, "argo rollouts status", &a.to_revision, &a.timeout)) return *e;
  size_t in_off = end;
  if (auto in = FlagValue(flags, "in", &in_off)) {
    // restart --in: a DurationString (v1alpha1), as Go's time.ParseDuration reads it.
    auto d = ParseDuration(*in);
    if (!d || *d < SimDuration::Zero()) {
      return Fail(in_off,
                  fmt::format("invalid --in \"{}\": a duration such as 30s, 5m or 1h", *in));
    }
    a.in = *d;
  }
  cmd.body = std::move(a);
  return Ok(std::move(cmd));
}

KubectlParse ParseWait(Parsing& parsing) {
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  // kubectl wait (kubectl/pkg/cmd/wait): --for=condition=NAME[=VALUE].
  const std::string u =
      "wait --for=condition=Available deployment/NAME, wait "
      "--for=condition=Ready pod -l SELECTOR, or wait --for=condition=Promoted canary/NAME "
      "[--timeout=D]";
  WaitCommand w;
  size_t off = end;
  const auto cond = FlagValue(flags, "for", &off);
  if (!cond) return Fail(end, fmt::format("--for must be set (usage: {})", u));
  std::string c = *cond;
  if (!c.starts_with("condition=")) {
    return Fail(off, fmt::format("--for={} is not supported; kubesim waits for "
                                 "--for=condition=Available, Progressing (deployments), "
                                 "Ready (pods) or Promoted (Flagger canaries)",
                                 c));
  }
  c = c.substr(10);
  if (const size_t eq = c.find('='); eq != std::string::npos) {
    if (c.substr(eq + 1) != "true" && c.substr(eq + 1) != "True") {
      return Fail(off, "kubesim waits for a condition to be true only");
    }
    c = c.substr(0, eq);
  }
  std::string lower = c;
  for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lower == "available")
    w.condition = WaitCommand::Condition::kAvailable;
  else if (lower == "progressing")
    w.condition = WaitCommand::Condition::kProgressing;
  else if (lower == "ready")
    w.condition = WaitCommand::Condition::kReady;
  else if (lower == "promoted")
    w.condition = WaitCommand::Condition::kPromoted;
  else {
    return Fail(off, fmt::format("condition \"{}\" is not modelled (use Available or "
                                 "Progressing for a deployment, Ready for pods, Promoted for a "
                                 "Flagger canary)",
                                 c));
  }
  if (pos.empty()) return Fail(end, fmt::format("missing the resource (usage: {})", u));
  std::string type = pos[0].text;
  if (const size_t slash = type.find('/'); slash != std::string::npos) {
    w.names.push_back(type.substr(slash + 1));
    type = type.substr(0, slash);
    if (w.names.back().empty()) return Fail(pos[0].offset, "the resource name is empty");
    at = 1;
    if (auto e = extra()) return *e;
  } else {
    for (size_t i = 1; i < pos.size(); ++i) w.names.push_back(pos[i].text);
  }
  w.kind = std::string(k8s::KindOfResource(type));
  if (w.kind == "Canary" && w.condition != WaitCommand::Condition::kPromoted) {
    return Fail(pos[0].offset, fmt::format("kubesim waits on a canary for condition=Promoted only "
                                           "(wait --for=condition=Promoted canary/NAME), not "
                                           "condition={}",
                                           c));
  }
  if (w.condition == WaitCommand::Condition::kPromoted || w.kind == "Canary") {
    if (w.kind != "Canary") {
      return Fail(pos[0].offset,
                  "condition=Promoted is a Flagger canary's condition (wait "
                  "--for=condition=Promoted canary/NAME)");
    }
  } else if (const bool deployment_condition = w.condition != WaitCommand::Condition::kReady;
             w.kind != (deployment_condition ? "Deployment" : "Pod")) {
    return Fail(pos[0].offset, deployment_condition
                                   ? fmt::format("condition={} is a deployment's condition (wait "
                                                 "--for=condition={} deployment/NAME)",
                                                 c, c)
                                   : std::string("condition=Ready is a pod's condition (wait "
                                                 "--for=condition=Ready pod -l SELECTOR)"));
  }
  size_t sel_off = end;
  w.selector = FlagValue(flags, "selector", &sel_off);
  w.all = FlagValue(flags, "all") == "true";
  if (w.selector && w.all) {
    return Fail(sel_off, "cannot set --all and --selector at the same time");
  }
  if ((w.selector || w.all) && !w.names.empty()) {
    return Fail(pos[0].offset, "you may only specify resources by name or by --selector/--all");
  }
  if (!w.selector && !w.all && w.names.empty()) {
    return Fail(end, fmt::format("resource(s) were provided, but no name was specified (usage: "
                                 "{})",
                                 u));
  }
  if ((w.selector || w.all) && w.kind != "Pod") {
    return Fail(sel_off,
                fmt::format("kubesim waits by --selector or --all for pods only; name the {}",
                            w.kind == "Canary" ? "canary" : "deployment"));
  }
  if (w.selector) {
    if (auto sel = k8s::ParseSelector(*w.selector); !sel) return Fail(sel_off, sel.error());
  }
  if (auto t = FlagValue(flags, "timeout", &off)) {
    auto d = ParseDuration(*t);
    if (!d) return Fail(off, fmt::format("invalid --timeout: {}", d.error()));
    // A negative timeout waits a week (kubectl wait's flag help).
    w.timeout = *d < SimDuration::Zero() ? SimDuration::Seconds(7 * 24 * 3600) : *d;
  }
  cmd.body = std::move(w);
  return Ok(std::move(cmd));
}

KubectlParse ParseAnnotate(Parsing& parsing) {
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  std::vector<Flag>& flags = parsing.flags;
  Command& cmd = parsing.cmd;
  // kubectl annotate (kubectl/pkg/cmd/annotate): resources first, then
  // KEY=VALUE and KEY- changes (GetResourcesAndPairs).
  const std::string u =
      "annotate [--overwrite] KIND NAME KEY=VALUE|KEY- ... (or pods -l "
      "SELECTOR)";
  AnnotateCommand a;
  std::vector<const Word*> resources;
  for (const Word& w : pos) {
    const bool pair = w.text.find('=') != std::string::npos || w.text.ends_with("-");
    if (!pair) {
      if (!a.annotations.empty()) {
        return Fail(w.offset, fmt::format("all resources must be specified before annotation "
                                          "changes: {}",
                                          w.text));
      }
      resources.push_back(&w);
      continue;
    }
    const size_t eq = w.text.find('=');
    std::string key =
        eq == std::string::npos ? w.text.substr(0, w.text.size() - 1) : w.text.substr(0, eq);
    if (key.empty()) return Fail(w.offset, fmt::format("invalid annotation spec: {}", w.text));
    if (auto why = k8s::CheckLabelKey(key); !why.empty()) {
      return Fail(w.offset, fmt::format("invalid annotation key \"{}\": {}", key, why));
    }
    std::optional<std::string> value;
    if (eq != std::string::npos) value = w.text.substr(eq + 1);
    for (const auto& [k, v] : a.annotations) {
      if (k == key) {
        return Fail(w.offset, fmt::format("can not both modify and remove the annotation \"{}\" "
                                          "in the same command",
                                          key));
      }
    }
    a.annotations.emplace_back(std::move(key), std::move(value));
  }
  if (resources.empty()) {
    return Fail(end,
                fmt::format("you must specify the type of resource to annotate (usage: {})", u));
  }
  if (a.annotations.empty()) {
    return Fail(end, fmt::format("at least one annotation update is required (usage: {})", u));
  }
  std::string type = resources[0]->text;
  const size_t slash = type.find('/');
  if (slash != std::string::npos) {
    if (resources.size() > 1) {
      return Fail(resources[1]->offset,
                  "name the resources as KIND/NAME or KIND NAME..., "
                  "not both");
    }
    a.names.push_back(type.substr(slash + 1));
    type = type.substr(0, slash);
    if (a.names.back().empty()) return Fail(resources[0]->offset, "the resource name is empty");
  } else {
    for (size_t i = 1; i < resources.size(); ++i) a.names.push_back(resources[i]->text);
  }
  a.kind = std::string(k8s::KindOfResource(type));
  if (a.kind.empty()) {
    return Fail(resources[0]->offset,
                fmt::format("the server doesn't have a resource type \"{}\" that kubesim "
                            "simulates (deployment, replicaset, service, pod, namespace, "
                            "poddisruptionbudget)",
                            type));
  }
  size_t off = end;
  a.selector = FlagValue(flags, "selector", &off);
  a.all = FlagValue(flags, "all") == "true";
  a.overwrite = FlagValue(flags, "overwrite") == "true";
  if (a.selector && a.all) return Fail(off, "cannot set --all and --selector at the same time");
  if ((a.selector || a.all) && !a.names.empty()) {
    return Fail(resources[a.names.size() == resources.size() ? 0 : 1]->offset,
                "you may only specify resources by name or by --selector/--all, not both");
  }
  if (!a.selector && !a.all && a.names.empty()) {
    return Fail(end, fmt::format("no resources named: give NAME, -l SELECTOR or --all (usage: "
                                 "{})",
                                 u));
  }
  if ((a.selector || a.all) && a.kind != "Pod") {
    return Fail(off == end ? resources[0]->offset : off,
                "kubesim annotates by --selector or --all pods only; name the " + type);
  }
  if (a.selector) {
    if (auto sel = k8s::ParseSelector(*a.selector); !sel) return Fail(off, sel.error());
  }
  cmd.body = std::move(a);
  return Ok(std::move(cmd));
}

KubectlParse ParseNode(Parsing& parsing) {
  const std::string& verb = parsing.verb;
  const size_t end = parsing.end;
  std::vector<Word>& pos = parsing.pos;
  Command& cmd = parsing.cmd;
  size_t& at = parsing.at;
  const auto extra = [&parsing] { return parsing.Extra(); };
  NodeCommand nc;
  nc.action = verb == "cordon"     ? NodeCommand::Action::kCordon
              : verb == "uncordon" ? NodeCommand::Action::kUncordon
                                   : NodeCommand::Action::kDrain;
  if (pos.empty()) return Fail(end, fmt::format("missing the node (usage: {} NODE)", verb));
  std::string node = pos[0].text;
  if (node.starts_with("node/") || node.starts_with("nodes/"))
    node = node.substr(node.find('/') + 1);
  if (node.empty()) return Fail(pos[0].offset, "the node name is empty");
  at = 1;
  if (auto e = extra()) return *e;
  nc.node = node;
  cmd.body = std::move(nc);
  return Ok(std::move(cmd));
}

}  // namespace

KubectlParse ParseKubectl(std::string_view line) {
  auto split = SplitWords(line);
  if (auto* err = std::get_if<KubectlError>(&split)) return Fail(err->offset, err->message);
  std::vector<Word> words = std::move(std::get<std::vector<Word>>(split));
  if (!words.empty() && words[0].text == "kubectl") words.erase(words.begin());
  const size_t end = line.size();
  // Global flags may come before the command: `kubectl -n shop scale ...`.
  std::optional<std::string> leading_namespace;
  while (!words.empty() && words[0].text.size() > 1 && words[0].text[0] == '-') {
    const Word w = words[0];
    words.erase(words.begin());
    if (w.text == "-n" || w.text == "--namespace") {
      if (words.empty()) return Fail(w.offset, fmt::format("flag needs an argument: {}", w.text));
      leading_namespace = words[0].text;
      words.erase(words.begin());
    } else if (w.text.starts_with("--namespace=")) {
      leading_namespace = w.text.substr(12);
    } else if (w.text.starts_with("-n")) {
      leading_namespace = w.text.substr(w.text[2] == '=' ? 3 : 2);
    } else {
      return Fail(w.offset, fmt::format("unknown flag: {} (before the command only -n/--namespace "
                                        "is accepted)",
                                        w.text));
    }
    if (leading_namespace->empty()) return Fail(w.offset, "the namespace is empty");
  }
  if (words.empty()) {
    return Fail(0, "empty kubectl command (for example: apply -f app.yaml)");
  }
  std::string verb = words[0].text;
  const size_t verb_offset = words[0].offset;
  std::vector<Word> rest(words.begin() + 1, words.end());
  std::string sub;  // rollout's / set's subcommand; argo rollouts' action
  size_t sub_offset = 0;
  if (verb == "argo") {
    // The Argo Rollouts plugin: `argo rollouts ACTION`, two words for
    // `set image` and `retry rollout`.
    if (rest.empty() || rest[0].text != "rollouts") {
      return Fail(rest.empty() ? end : rest[0].offset,
                  "kubectl argo: expected \"rollouts\" (kubectl argo rollouts promote|abort|retry "
                  "rollout|pause|status|set image|undo|restart NAME)");
    }
    verb = "argo rollouts";
    rest.erase(rest.begin());
    if (rest.empty() || rest[0].text.starts_with("-")) {
      return Fail(end,
                  "missing the action (kubectl argo rollouts promote|abort|retry "
                  "rollout|pause|status|set image|undo|restart NAME)");
    }
    sub = rest[0].text;
    sub_offset = rest[0].offset;
    rest.erase(rest.begin());
    // retry's object: `rollout` (the plugin's aliases `ro`, `rollouts` too).
    if (!rest.empty() && ((sub == "set" && rest[0].text == "image") ||
                          (sub == "retry" && (rest[0].text == "rollout" || rest[0].text == "ro" ||
                                              rest[0].text == "rollouts")))) {
      sub += sub == "set" ? " image" : " rollout";
      rest.erase(rest.begin());
    }
  } else if (verb == "set" || verb == "rollout") {
    if (rest.empty() || rest[0].text.starts_with("-")) {
      return Fail(end, verb == "set"
                           ? "missing what to set (usage: set image deployment/NAME "
                             "CONTAINER=IMAGE)"
                           : "missing the rollout action (undo, pause, resume, restart or "
                             "status)");
    }
    sub = rest[0].text;
    sub_offset = rest[0].offset;
    rest.erase(rest.begin());
  }
  // The command's flags, from the table (a known verb with an unknown
  // subcommand takes none: its own error follows).
  std::span<const FlagSpec> specs;
  bool known = false;
  for (const KubectlCommandInfo& c : kCommands) {
    if (c.verb != verb) continue;
    known = true;
    if (c.sub == sub) specs = c.flags;
  }
  const std::string command_name = sub.empty() ? verb : verb + " " + sub;
  if (verb == "argo rollouts" && specs.empty() &&
      std::none_of(std::begin(kCommands), std::end(kCommands),
                   [&](const KubectlCommandInfo& c) { return c.verb == verb && c.sub == sub; })) {
    // An action kubesim does not run: its reason, before any flag of it.
    if (sub == "retry") {
      return Fail(sub_offset,
                  "kubesim runs kubectl argo rollouts retry rollout NAME (retry experiment is "
                  "not simulated)");
    }
    return Fail(sub_offset,
                fmt::format("kubectl argo rollouts {} is not simulated (kubesim runs promote, "
                            "abort, retry rollout, pause, status, set image, undo and restart)",
                            sub));
  }
  if (!known) {
    return Fail(verb_offset, fmt::format("unknown kubectl command \"{}\" (kubesim runs {})", verb,
                                         CommandList()));
  }
  auto flags_or = SplitFlags(rest, specs, command_name);
  if (auto* err = std::get_if<KubectlError>(&flags_or)) return Fail(err->offset, err->message);
  std::vector<Word>& pos = std::get<0>(flags_or).first;
  std::vector<Flag>& flags = std::get<0>(flags_or).second;
  Command cmd;
  if (leading_namespace) cmd.namespace_name = *leading_namespace;
  size_t ns_offset = 0;
  if (auto ns = FlagValue(flags, "namespace", &ns_offset)) {
    if (ns->empty()) return Fail(ns_offset, "the namespace is empty");
    cmd.namespace_name = *ns;
  }
  Parsing p{verb,          sub, sub_offset, end, command_name, std::move(pos), std::move(flags),
            std::move(cmd)};
  // Each command's parser (set image apart from set env and set resources).
  static constexpr std::pair<std::string_view, KubectlParse (*)(Parsing&)> kParsers[] = {
      {"apply", ParseApplyOrDelete}, {"delete", ParseApplyOrDelete}, {"patch", ParsePatch},
      {"scale", ParseScale},         {"rollout", ParseRollout},      {"wait", ParseWait},
      {"annotate", ParseAnnotate},   {"cordon", ParseNode},          {"uncordon", ParseNode},
      {"drain", ParseNode}};
  if (verb == "set")
    return sub == "env" || sub == "resources" ? ParseSetEnvOrResources(p) : ParseSetImage(p);
  if (verb == "argo rollouts") return ParseArgoRollouts(p);
  for (const auto& [name, parse] : kParsers) {
    if (name == verb) return parse(p);
  }
  return Fail(verb_offset, fmt::format("kubectl {} has no parser", verb));  // a table without one
}

bool IsBlocking(const Command& command) {
  if (const auto* r = std::get_if<RolloutCommand>(&command.body)) {
    return r->action == RolloutCommand::Action::kStatus;
  }
  if (const auto* a = std::get_if<ArgoRolloutsCommand>(&command.body)) {
    return a->action == ArgoRolloutsCommand::Action::kStatus;
  }
  return std::holds_alternative<WaitCommand>(command.body) ||
         std::holds_alternative<SleepCommand>(command.body);
}

KubectlParse ParseNodeStep(NodeCommand::Action action, std::string_view value) {
  const size_t start = value.find_first_not_of(" \t");
  if (start == std::string_view::npos) return Fail(0, "expected node/NAME");
  std::string_view v = value.substr(start);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  if (!v.starts_with("node/") || v.size() == 5) {
    return Fail(start, fmt::format("expected node/NAME, got \"{}\"", v));
  }
  NodeCommand nc;
  nc.action = action;
  nc.node = std::string(v.substr(5));
  Command c;
  c.body = nc;
  return Ok(std::move(c));
}

std::string CommandName(const Command& command) {
  struct Namer {
    std::string operator()(const ApplyCommand&) const { return "apply"; }
    std::string operator()(const DeleteCommand&) const { return "delete"; }
    std::string operator()(const PatchCommand&) const { return "patch"; }
    std::string operator()(const ScaleCommand&) const { return "scale"; }
    std::string operator()(const SetImageCommand&) const { return "set image"; }
    std::string operator()(const SetEnvCommand&) const { return "set env"; }
    std::string operator()(const SetResourcesCommand&) const { return "set resources"; }
    std::string operator()(const RolloutCommand& r) const {
      switch (r.action) {
        case RolloutCommand::Action::kUndo:
          return "rollout undo";
        case RolloutCommand::Action::kPause:
          return "rollout pause";
        case RolloutCommand::Action::kResume:
          return "rollout resume";
        case RolloutCommand::Action::kRestart:
          return "rollout restart";
        case RolloutCommand::Action::kStatus:
          return "rollout status";
      }
      return "rollout";
    }
    std::string operator()(const AnnotateCommand&) const { return "annotate"; }
    std::string operator()(const WaitCommand&) const { return "wait"; }
    std::string operator()(const SleepCommand&) const { return "sleep"; }
    std::string operator()(const ArgoRolloutsCommand& a) const {
      switch (a.action) {
        case ArgoRolloutsCommand::Action::kPromote:
          return "argo rollouts promote";
        case ArgoRolloutsCommand::Action::kAbort:
          return "argo rollouts abort";
        case ArgoRolloutsCommand::Action::kRetry:
          return "argo rollouts retry rollout";
        case ArgoRolloutsCommand::Action::kPause:
          return "argo rollouts pause";
        case ArgoRolloutsCommand::Action::kStatus:
          return "argo rollouts status";
        case ArgoRolloutsCommand::Action::kSetImage:
          return "argo rollouts set image";
        case ArgoRolloutsCommand::Action::kUndo:
          return "argo rollouts undo";
        case ArgoRolloutsCommand::Action::kRestart:
          return "argo rollouts restart";
      }
      return "argo rollouts";
    }
    std::string operator()(const NodeCommand& n) const {
      switch (n.action) {
        case NodeCommand::Action::kCordon:
          return "cordon";
        case NodeCommand::Action::kUncordon:
          return "uncordon";
        case NodeCommand::Action::kDrain:
          return "drain";
        case NodeCommand::Action::kFail:
          return "fail";
        case NodeCommand::Action::kRecover:
          return "recover";
      }
      return "node";
    }
  };
  return std::visit(Namer{}, command.body);
}

}  // namespace kubesim::scenario
