// The scenario loader; see include/kubesim/scenario/load.h.
//
// Flow: bytes -> yaml::Parse (limits, encoding checks) -> documents ->
// the Scenario document (strict fields, suggestions) and Kubernetes objects
// (k8s::DecodeDocument: defaults + validation) -> a replay of the timeline
// against an object store at load time, so that every step is known to run
// (files read and valid, objects present, containers named) -> Scenario.
#include "kubesim/scenario/load.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <iterator>

#include "kubesim/k8s/defaults.h"
#include "loader.h"

namespace kubesim::scenario {
namespace loader {

LoadResult Loader::Run(bool allow_manifest) {
  LoadResult result;
  const auto finish = [&]() -> LoadResult& {
    // File order: per file (in the order files were first mentioned), by
    // line and column.
    std::map<std::string, size_t> file_rank;
    for (const auto& d : diags_) file_rank.emplace(d.position.file, file_rank.size());
    std::stable_sort(diags_.begin(), diags_.end(), [&](const Diagnostic& a, const Diagnostic& b) {
      const size_t fa = file_rank[a.position.file];
      const size_t fb = file_rank[b.position.file];
      if (fa != fb) return fa < fb;
      if (a.position.line != b.position.line) return a.position.line < b.position.line;
      return a.position.column < b.position.column;
    });
    // A warning once: a manifest applied twice is decoded twice, but its
    // fields are one object's (the first of equal warnings stays).
    std::set<std::tuple<std::string, int, int, std::string>> seen;
    std::erase_if(diags_, [&](const Diagnostic& d) {
      return d.severity == Severity::kWarning &&
             !seen.emplace(d.position.file, d.position.line, d.position.column, d.message).second;
    });
    // Keep the first max_errors errors (warnings before the cut stay).
    size_t errors = 0;
    for (size_t i = 0; i < diags_.size(); ++i) {
      if (diags_[i].severity != Severity::kError) continue;
      if (++errors > options_.max_errors) {
        diags_.resize(i);
        diags_.push_back(Diagnostic{Severity::kError, Position{file_, 0, 0},
                                    fmt::format("too many errors; stopped after {}",
                                                options_.max_errors)});
        break;
      }
    }
    result.diagnostics = std::move(diags_);
    if (!result.ok()) {
      result.scenario.reset();
      result.objects.clear();
    }
    return result;
  };
  auto docs = ParseFile(text_, file_);
  if (!docs) return finish();
  if (docs->empty()) {
    diags_.push_back(Diagnostic{
        Severity::kError, Position{file_, 1, 1},
        allow_manifest ? "the file is empty: it holds no YAML document"
                       : "the file is empty: it holds no Scenario document (apiVersion: "
                         "kubesim/v1alpha1, kind: Scenario)"});
    return finish();
  }
  // Sort the documents: the Scenario, and the Kubernetes objects in order.
  const Node* scenario_root = nullptr;
  std::vector<k8s::DecodedObject> objects;
  for (const auto& doc : *docs) {
    const Node& root = *doc.root;
    const Node* kind = root.IsMap() ? root.Get("kind") : nullptr;
    const Node* api = root.IsMap() ? root.Get("apiVersion") : nullptr;
    const bool kubesim_kind = api != nullptr && api->IsScalar() && api->scalar.starts_with("kubesim/");
    if (kind != nullptr && kind->IsScalar() && kind->scalar == "Scenario") {
      if (scenario_root != nullptr) {
        r_.Error(root.mark, "",
                 fmt::format("a second Scenario document; a file holds exactly one (the first "
                             "is at line {})",
                             scenario_root->mark.line + 1));
        continue;
      }
      scenario_root = &root;
      continue;
    }
    if (kubesim_kind && kind != nullptr && kind->IsScalar() && kind->scalar == "Sweep") {
      if (allow_manifest) {
        r_.Warning(root.mark, "kind Sweep is checked by kubesim sweep, not by validate; skipped");
      } else {
        r_.Error(root.mark, "", "this is a Sweep, not a Scenario: run it with kubesim sweep");
      }
      continue;
    }
    if (kubesim_kind) {
      const Node* where = kind != nullptr ? kind : &root;
      std::string k = kind != nullptr && kind->IsScalar() ? kind->scalar : "";
      auto near = Nearest(k, {"Scenario", "Sweep"});
      r_.Error(where->mark, "kind",
               fmt::format("unknown kubesim kind \"{}\"{}", k,
                           near ? fmt::format("; did you mean \"{}\"?", *near)
                                : " (use Scenario or Sweep)"));
      continue;
    }
    Decode(doc.root, file_, std::string(k8s::defaults::kNamespace), &objects);
  }
  for (auto& [key, at] : decoded_left_out_) left_out_.insert_or_assign(key, at);
  decoded_left_out_.clear();
  if (scenario_root == nullptr) {
    if (allow_manifest) {
      for (auto& d : objects) result.objects.push_back(std::move(d.object));
      return finish();
    }
    diags_.push_back(Diagnostic{
        Severity::kError, r_.Pos((*docs)[0].root->mark),
        "no Scenario document in this file (a document with apiVersion: kubesim/v1alpha1 and "
        "kind: Scenario); to check a plain manifest use kubesim validate"});
    return finish();
  }
  auto scenario = std::make_shared<Scenario>();
  scenario->file = file_;
  DecodeScenario(*scenario_root, scenario.get());
  // The file's own objects, applied at t=0.
  for (const auto& d : objects) {
    Step sink;
    last_applied_[k8s::KeyOf(d.object)] = d.tree;  // applied, as by kubectl apply
    ApplyObject(d, file_, &sink);
    if (!sink.objects.empty()) scenario->objects.push_back(std::move(sink.objects[0]));
  }
  // Chains: a step without `at:` follows the step before it in the file,
  // no earlier than that step (plus its sleep).
  auto& tl = scenario->timeline;
  for (size_t i = 0; i < tl.size(); ++i) {
    if (!tl[i].chained) continue;
    if (i == 0) continue;  // the first step: at 0s
    tl[i].after = static_cast<int32_t>(i - 1);
    tl[i].at = tl[i - 1].at;
    if (const auto* sleep = std::get_if<SleepCommand>(&tl[i - 1].command.body)) {
      tl[i].at += sleep->duration;
    }
  }
  // The timeline, in time order (stable: equal times keep file order, so a
  // chained step stays after the one it follows); `after` follows the move.
  std::vector<size_t> order(tl.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return tl[a].at < tl[b].at; });
  std::vector<int32_t> moved_to(tl.size());
  for (size_t i = 0; i < order.size(); ++i) moved_to[order[i]] = static_cast<int32_t>(i);
  std::vector<Step> sorted;
  sorted.reserve(tl.size());
  for (size_t i : order) {
    sorted.push_back(std::move(tl[i]));
    if (sorted.back().after >= 0) sorted.back().after = moved_to[sorted.back().after];
  }
  tl = std::move(sorted);
  for (auto& step : scenario->timeline) {
    RunStep(&step, *scenario);
    if (scenario->until && step.at > *scenario->until) {
      diags_.push_back(Diagnostic{Severity::kWarning, step.position,
                                  fmt::format("this step at {} is after until: {}; it never runs",
                                              FormatDuration(step.at),
                                              FormatDuration(*scenario->until))});
    }
  }
  CheckChainOrder(*scenario);
  CheckReferences(*scenario);
  WarnSilentFootguns(*scenario);
  CheckAnalysis(scenario.get());
  result.scenario = std::move(scenario);
  return finish();
}

}  // namespace loader

using loader::Diagnostic;
using loader::Loader;
using loader::Position;
using loader::Severity;
using loader::kMaxFileBytes;

// ---- Scenario helpers ---------------------------------------------------------

std::string NodeGroup::NodeName(int32_t index) const { return fmt::format("{}-{}", name, index); }

bool Cluster::FindNode(const std::string& name, const NodeGroup** group, int32_t* index) const {
  for (const auto& g : nodes) {
    if (!name.starts_with(g.name + "-")) continue;
    const std::string rest = name.substr(g.name.size() + 1);
    int32_t i = -1;
    const auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), i);
    if (ec != std::errc() || p != rest.data() + rest.size() || i < 0 || i >= g.count) continue;
    if (rest.size() > 1 && rest[0] == '0') continue;
    *group = &g;
    *index = i;
    return true;
  }
  return false;
}

const ImageProfile* Scenario::ProfileFor(std::string_view image) const {
  const auto it = images.find(image);
  return it == images.end() ? nullptr : &it->second;
}

bool Scenario::LoadModel() const {
  for (const auto& [name, profile] : images) {
    if (profile.LoadModel()) return true;
  }
  for (const TrafficSource& t : traffic) {
    if (t.timeout || t.connections > 0) return true;
  }
  for (const Slo& slo : slos) {
    if (slo.latency_p99) return true;  // judged on the load model's latencies
  }
  return false;
}

std::string ImageTag(std::string_view image) {
  const k8s::ImageReference ref = k8s::ParseImageReference(image);
  if (ref.tag && !ref.tag->empty()) return std::string(*ref.tag);
  // Pinned by digest alone (`app@sha256:4f1c...`): its first 12 hex digits,
  // as `docker images` shortens an id.
  if (ref.digest) {
    std::string_view hex = *ref.digest;
    if (const size_t algo = hex.find(':'); algo != std::string_view::npos) hex.remove_prefix(algo + 1);
    if (!hex.empty()) return std::string(hex.substr(0, 12));
  }
  return "latest";
}

// ---- The parse cache ----------------------------------------------------------

std::shared_ptr<ParseCache> MakeParseCache() { return std::make_shared<ParseCache>(); }

yaml::Stream ParseCache::Parse(std::string_view text, const yaml::Limits& limits) {
  {
    const std::lock_guard<std::mutex> hold(mu_);
    if (const auto it = streams_.find(std::string(text)); it != streams_.end()) {
      return yaml::Stream{it->second, {}};
    }
  }
  yaml::Stream stream = yaml::Parse(text, limits);  // outside the lock: parses run in parallel
  if (stream.errors.empty()) {
    const std::lock_guard<std::mutex> hold(mu_);
    streams_.emplace(std::string(text), stream.documents);
  }
  return stream;
}

// ---- Entry points -------------------------------------------------------------

Expected<std::string> ReadFileFromDisk(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    return Error{fmt::format("cannot open: {}", std::strerror(errno))};
  }
  if (S_ISDIR(st.st_mode)) {
    return Error{"is a directory, not a file (name the YAML files in it)"};
  }
  if (!S_ISREG(st.st_mode)) return Error{"is not a regular file"};
  if (static_cast<uint64_t>(st.st_size) > kMaxFileBytes) {
    return Error{fmt::format("is {} bytes, more than kubesim reads ({} bytes)", st.st_size,
                             kMaxFileBytes)};
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{fmt::format("cannot open: {}", std::strerror(errno))};
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return Error{fmt::format("cannot read: {}", std::strerror(errno))};
  return text;
}

namespace {
LoadResult LoadPath(const std::string& path, const LoadOptions& options, bool allow_manifest) {
  auto text = options.read_file ? options.read_file(path) : ReadFileFromDisk(path);
  if (!text) {
    LoadResult r;
    r.diagnostics.push_back(Diagnostic{Severity::kError, Position{path, 0, 0}, text.error()});
    return r;
  }
  return Loader(*text, path, options).Run(allow_manifest);
}
}  // namespace

LoadResult LoadScenarioFile(const std::string& path, const LoadOptions& options) {
  return LoadPath(path, options, false);
}

LoadResult LoadScenarioText(std::string_view text, const std::string& display_name,
                            const LoadOptions& options) {
  return Loader(text, display_name, options).Run(false);
}

LoadResult ValidateFile(const std::string& path, const LoadOptions& options) {
  return LoadPath(path, options, true);
}

LoadResult ValidateText(std::string_view text, const std::string& display_name,
                        const LoadOptions& options) {
  return Loader(text, display_name, options).Run(true);
}

}  // namespace kubesim::scenario

