// The kubectl command-line parser: shell word splitting and every command
// docs/scenario-format.md lists.
#include "kubesim/scenario/kubectl.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

namespace kubesim::scenario {
namespace {

Command Parse(std::string_view line) {
  KubectlParse p = ParseKubectl(line);
  EXPECT_TRUE(p.ok()) << line << ": " << p.error.message;
  return p.ok() ? *p.command : Command{};
}

TEST(SplitWords, HonoursSingleAndDoubleQuotesAndBackslashes) {
  auto words = std::get<std::vector<Word>>(SplitWords(R"(a 'b c' "d \"e\"" f\ g)"));
  ASSERT_EQ(words.size(), 4u);
  EXPECT_EQ(words[1].text, "b c");
  EXPECT_EQ(words[1].offset, 2u);
  EXPECT_EQ(words[2].text, "d \"e\"");
  EXPECT_EQ(words[3].text, "f g");
}

TEST(SplitWords, RejectsUnterminatedQuotesAtTheQuote) {
  auto r = SplitWords("patch -p '{\"a\":1}");
  ASSERT_TRUE(std::holds_alternative<KubectlError>(r));
  EXPECT_EQ(std::get<KubectlError>(r).offset, 9u);
}

TEST(Kubectl, ParsesTheSeedArticlesPatchWithItsQuotedJson) {
  Command c = Parse(R"(kubectl patch service echo-version -p '{"spec":{"selector":{"color":"green"}}}')");
  const auto& p = std::get<PatchCommand>(c.body);
  EXPECT_EQ(p.target, (ResourceRef{"Service", "echo-version"}));
  EXPECT_EQ(p.patch, R"({"spec":{"selector":{"color":"green"}}})");
  EXPECT_EQ(p.type, PatchCommand::Type::kStrategic);
  EXPECT_EQ(std::get<PatchCommand>(Parse("patch svc/web --type merge -p {}").body).type,
            PatchCommand::Type::kMerge);
}

// --type json takes -p as written (a list of RFC 6902 operations; the loader
// decodes it); an unknown --type is refused at its word, naming the three.
TEST(Kubectl, ParsesAJsonPatchAndNamesEveryTypeWhenOneIsUnknown) {
  const std::string line =
      R"(kubectl patch deployment web --type json -p '[{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"web:2"}]')";
  const Command c = Parse(line);
  const auto& p = std::get<PatchCommand>(c.body);
  EXPECT_EQ(p.target, (ResourceRef{"Deployment", "web"}));
  EXPECT_EQ(p.type, PatchCommand::Type::kJson);
  EXPECT_EQ(
      p.patch,
      R"([{"op":"replace","path":"/spec/template/spec/containers/0/image","value":"web:2"}])");
  EXPECT_EQ(p.patch_offset, line.find("'[{"));
  EXPECT_EQ(std::get<PatchCommand>(Parse("patch deploy/web --type=json -p []").body).type,
            PatchCommand::Type::kJson);
  const auto bad = ParseKubectl("patch deployment web --type jsonpatch -p []");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error.message, "--type jsonpatch is not supported; use merge, strategic or json");
  EXPECT_EQ(bad.error.offset, 28u);
  const auto missing = ParseKubectl("patch deployment web --type json");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error.message.find("[--type merge|strategic|json]"), std::string::npos)
      << missing.error.message;
}

TEST(Kubectl, ParsesApplyWithSeveralFilesAndStdin) {
  EXPECT_EQ(std::get<ApplyCommand>(Parse("apply -f a.yaml -f - --filename=b.yaml").body).files,
            (std::vector<std::string>{"a.yaml", "-", "b.yaml"}));
}

TEST(Kubectl, ParsesDeleteByFileByKindAndNameAndOfAPod) {
  EXPECT_EQ(std::get<DeleteCommand>(Parse("delete -f a.yaml").body).files,
            std::vector<std::string>{"a.yaml"});
  EXPECT_EQ(std::get<DeleteCommand>(Parse("delete deployment web api").body).resources.size(), 2u);
  EXPECT_EQ(std::get<DeleteCommand>(Parse("delete pod web-7d9f-x2").body).resources[0],
            (ResourceRef{"Pod", "web-7d9f-x2"}));
}

TEST(Kubectl, ParsesScaleSetImageRolloutAndNodeCommands) {
  EXPECT_EQ(std::get<ScaleCommand>(Parse("scale deployment/web --replicas=3").body).replicas, 3);
  EXPECT_EQ(std::get<ScaleCommand>(Parse("scale deploy web --replicas 0").body).replicas, 0);
  const auto set = std::get<SetImageCommand>(
      Parse("set image deployment/echo-version echo-version=gihyodocker/echo-version:0.2.0").body);
  EXPECT_EQ(set.images[0].second, "gihyodocker/echo-version:0.2.0");
  EXPECT_EQ(std::get<RolloutCommand>(Parse("rollout undo deployment/web --to-revision=2").body)
                .to_revision,
            2);
  EXPECT_EQ(std::get<RolloutCommand>(Parse("rollout restart deployment/web").body).action,
            RolloutCommand::Action::kRestart);
  EXPECT_EQ(std::get<NodeCommand>(Parse("drain worker-1 --ignore-daemonsets").body).node,
            "worker-1");
  EXPECT_EQ(std::get<NodeCommand>(Parse("cordon node/worker-0").body).node, "worker-0");
  EXPECT_EQ(Parse("-n shop scale deployment/web --replicas=1").namespace_name, "shop");
}

TEST(Kubectl, ParsesFailAndRecoverSteps) {
  auto p = ParseNodeStep(NodeCommand::Action::kFail, "node/worker-2");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(std::get<NodeCommand>(p.command->body).node, "worker-2");
  EXPECT_FALSE(ParseNodeStep(NodeCommand::Action::kRecover, "worker-2").ok());
}

// kubectl annotate: resources first, then KEY=VALUE and KEY- changes
// (GetResourcesAndPairs); by name, KIND/NAME, -l SELECTOR or --all.
TEST(Kubectl, ParsesAnnotateByNameSelectorAndAll) {
  const auto a = std::get<AnnotateCommand>(
      Parse("annotate pod web-abc12 controller.kubernetes.io/pod-deletion-cost=-5 note- "
            "--overwrite")
          .body);
  EXPECT_EQ(a.kind, "Pod");
  EXPECT_EQ(a.names, std::vector<std::string>{"web-abc12"});
  EXPECT_TRUE(a.overwrite);
  ASSERT_EQ(a.annotations.size(), 2u);
  EXPECT_EQ(a.annotations[0].second, std::optional<std::string>("-5"));
  EXPECT_EQ(a.annotations[1], (std::pair<std::string, std::optional<std::string>>{"note", {}}));
  const auto sel = std::get<AnnotateCommand>(
      Parse("annotate pods -l 'app=web,tier in (a, b),!canary' k=v").body);
  EXPECT_EQ(sel.selector, std::optional<std::string>("app=web,tier in (a, b),!canary"));
  EXPECT_TRUE(sel.names.empty());
  EXPECT_FALSE(sel.overwrite);
  EXPECT_TRUE(std::get<AnnotateCommand>(Parse("annotate po --all k=v").body).all);
  EXPECT_EQ(std::get<AnnotateCommand>(Parse("annotate deployment/web a=b").body).names,
            std::vector<std::string>{"web"});
  EXPECT_EQ(std::get<AnnotateCommand>(Parse("annotate svc a b x=y").body).names,
            (std::vector<std::string>{"a", "b"}));
}

TEST(Kubectl, RefusesAnnotateAsKubectlDoes) {
  // A resource after a change, no change, no resource, both a name and a
  // selector, a selector that does not parse, an invalid key.
  EXPECT_EQ(ParseKubectl("annotate pod a k=v b").error.offset, 19u);
  EXPECT_NE(ParseKubectl("annotate pod a").error.message.find("at least one annotation"),
            std::string::npos);
  EXPECT_FALSE(ParseKubectl("annotate k=v").ok());
  EXPECT_FALSE(ParseKubectl("annotate pod a -l app=web k=v").ok());
  EXPECT_FALSE(ParseKubectl("annotate pod --all -l app=web k=v").ok());
  EXPECT_FALSE(ParseKubectl("annotate pod k=v").ok());
  EXPECT_NE(ParseKubectl("annotate pod -l 'app in ()' k=v").error.message.find("can't be empty"),
            std::string::npos);
  EXPECT_FALSE(ParseKubectl("annotate pod -l 'app ~ x' k=v").ok());
  EXPECT_FALSE(ParseKubectl("annotate pod a 'bad key=v'").ok());
  EXPECT_FALSE(ParseKubectl("annotate pod a k=v k-").ok());
  EXPECT_FALSE(ParseKubectl("annotate deployment -l app=web k=v").ok());
}

// The blocking commands CI scripts type (docs/scenario-format.md 5.2).
TEST(Kubectl, ParsesRolloutStatusAndWait) {
  const auto st =
      std::get<RolloutCommand>(Parse("rollout status deployment/web --timeout=2m30s").body);
  EXPECT_EQ(st.action, RolloutCommand::Action::kStatus);
  EXPECT_EQ(st.timeout, SimDuration::Seconds(150));
  EXPECT_FALSE(std::get<RolloutCommand>(Parse("rollout status deploy web -w").body).timeout);
  EXPECT_FALSE(std::get<RolloutCommand>(Parse("rollout status deploy/web --timeout=0s").body)
                   .timeout);  // 0: wait for good
  EXPECT_TRUE(IsBlocking(Parse("rollout status deployment/web")));
  EXPECT_FALSE(IsBlocking(Parse("rollout restart deployment/web")));

  const auto avail = std::get<WaitCommand>(
      Parse("wait --for=condition=Available deployment/web --timeout=90s").body);
  EXPECT_EQ(avail.condition, WaitCommand::Condition::kAvailable);
  EXPECT_EQ(avail.kind, "Deployment");
  EXPECT_EQ(avail.names, std::vector<std::string>{"web"});
  EXPECT_EQ(avail.timeout, SimDuration::Seconds(90));
  const auto ready =
      std::get<WaitCommand>(Parse("wait --for condition=ready=true pod -l app=web").body);
  EXPECT_EQ(ready.condition, WaitCommand::Condition::kReady);
  EXPECT_EQ(ready.selector, std::optional<std::string>("app=web"));
  EXPECT_EQ(ready.timeout, SimDuration::Seconds(30));  // kubectl wait's default
  EXPECT_EQ(
      std::get<WaitCommand>(Parse("wait --for=condition=Progressing deploy a b").body).names.size(),
      2u);
  EXPECT_EQ(std::get<WaitCommand>(Parse("wait --for=condition=Ready pods --all --timeout=-1s").body)
                .timeout,
            SimDuration::Seconds(7 * 24 * 3600));
  EXPECT_TRUE(IsBlocking(Parse("wait --for=condition=Ready pod/web-1")));
}

TEST(Kubectl, RefusesWaitsItDoesNotModel) {
  EXPECT_FALSE(ParseKubectl("wait deployment/web").ok());          // no --for
  EXPECT_FALSE(ParseKubectl("wait --for=delete pod/web-1").ok());  // not modelled
  EXPECT_FALSE(ParseKubectl("wait --for=jsonpath={.status} deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Complete deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Ready deployment/web").ok());  // a pod's
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Available pod/web-1").ok());   // a deployment's
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Available=false deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Ready pod").ok());  // no names
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Available deployment -l app=web").ok());
  EXPECT_FALSE(ParseKubectl("wait --for=condition=Ready pod -l app=web --timeout=soon").ok());
  EXPECT_FALSE(ParseKubectl("rollout status deployment/web --timeout=-5s").ok());
  {
    const auto r = ParseKubectl("rollout status deployment/web --watch=false");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error.message,
              "rollout status --watch=false prints the status once and does not wait; kubesim "
              "runs rollout status as it waits");
    EXPECT_EQ(r.error.offset, 30u);  // the flag
  }
}

TEST(Kubectl, ParsesSetEnvAndSetResources) {
  const auto env = std::get<SetEnvCommand>(Parse("set env deployment/web -c app A=1 B= C-").body);
  EXPECT_EQ(env.container, "app");
  ASSERT_EQ(env.env.size(), 3u);
  EXPECT_EQ(env.env[1].second, std::optional<std::string>(""));
  EXPECT_FALSE(env.env[2].second.has_value());
  const auto res = std::get<SetResourcesCommand>(
      Parse("set resources deploy web --requests=cpu=100m,memory=64Mi --limits=cpu=1").body);
  EXPECT_EQ(res.requests, (std::vector<std::pair<std::string, std::string>>{{"cpu", "100m"},
                                                                            {"memory", "64Mi"}}));
  EXPECT_EQ(res.limits.size(), 1u);
  EXPECT_FALSE(ParseKubectl("set env deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("set env deployment/web =x").ok());
  EXPECT_FALSE(ParseKubectl("set resources deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("set resources deployment/web --requests=cpu").ok());
  EXPECT_FALSE(ParseKubectl("set env service/web A=1").ok());
  EXPECT_FALSE(ParseKubectl("set serviceaccount deployment/web sa").ok());
  // Kinds without a pod spec (a PodDisruptionBudget crashed the loader).
  EXPECT_FALSE(ParseKubectl("set image pdb/web a=b").ok());
  EXPECT_FALSE(ParseKubectl("set env pdb/web A=1").ok());
  EXPECT_FALSE(ParseKubectl("set image namespace/web a=b").ok());
}

TEST(Kubectl, PointsErrorsAtTheWordAtFault) {
  auto p = ParseKubectl("scale deployment/web --replicas=-1");
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.error.offset, 21u);
  EXPECT_EQ(ParseKubectl("apply -f a.yaml | tee").error.offset, 16u);
  EXPECT_EQ(ParseKubectl("apply --prune -f a").error.offset, 6u);
  EXPECT_FALSE(ParseKubectl("").ok());
  EXPECT_FALSE(ParseKubectl("patch service web").ok());
  EXPECT_FALSE(ParseKubectl("patch service web -p {} --type jsonpatch").ok());
  EXPECT_FALSE(ParseKubectl("rollout history deployment/web").ok());
  EXPECT_FALSE(ParseKubectl("set image deployment/web nginx").ok());
  EXPECT_FALSE(ParseKubectl("apply -f https://example.com/a.yaml").ok());
}

// docs/scenario-format.md 5.2, the section on kubectl commands.
std::string CommandsSection() {
  const char* dir = std::getenv("KUBESIM_SOURCE_DIR");
  std::ifstream in(std::string(dir != nullptr ? dir : KUBESIM_SOURCE_DIR_FALLBACK) +
                   "/docs/scenario-format.md");
  std::stringstream all;
  all << in.rdbuf();
  const std::string doc = all.str();
  const size_t begin = doc.find("### 5.2 Commands");
  const size_t end = doc.find("\n### ", begin + 1);
  return begin == std::string::npos ? "" : doc.substr(begin, end - begin);
}

// Every command of the parser's table has a row of its own in the docs'
// command table, and every flag it accepts is named there (--name, or -x).
TEST(KubectlCommands, TheDocsListEveryCommandAndFlagTheParserAccepts) {
  const std::string section = CommandsSection();
  ASSERT_FALSE(section.empty());
  std::vector<std::string> first_cells;
  std::istringstream lines(section);
  for (std::string line; std::getline(lines, line);) {
    if (line.starts_with("| `")) first_cells.push_back(line.substr(0, line.find(" | ", 2)));
  }
  for (const KubectlCommandInfo& c : KubectlCommands()) {
    const std::string name =
        c.sub.empty() ? std::string(c.verb) : fmt::format("{} {}", c.verb, c.sub);
    const bool row = std::any_of(first_cells.begin(), first_cells.end(), [&](const std::string& f) {
      return f.find("`" + name + " ") != std::string::npos;
    });
    EXPECT_TRUE(row) << "no row for kubectl " << name;
    for (const KubectlFlag& f : c.flags) {
      const bool named = section.find(fmt::format("--{}", f.name)) != std::string::npos ||
                         (!f.shorthand.empty() &&
                          section.find(fmt::format("-{} ", f.shorthand)) != std::string::npos);
      EXPECT_TRUE(named) << "kubectl " << name << ": --" << f.name << " is not documented";
    }
  }
}

// The unknown-command error names the table's commands, as the docs quote it.
TEST(KubectlCommands, AnUnknownCommandNamesEveryCommandOfTheTable) {
  const auto r = ParseKubectl("kubectl logs pod/web");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error.offset, 8u);
  EXPECT_NE(CommandsSection().find("`" + r.error.message + "`"), std::string::npos)
      << r.error.message;
  for (const KubectlCommandInfo& c : KubectlCommands()) {
    EXPECT_NE(r.error.message.find(c.sub.empty() ? c.verb : c.sub), std::string::npos) << c.verb;
  }
}

// The Argo Rollouts plugin (pkg/kubectl-argo-rollouts/cmd): the Rollout's
// name alone, the two-word actions, status as a blocking step, and what is
// not simulated refused with the reason.
TEST(KubectlCommands, ArgoRolloutsCommands) {
  using Action = ArgoRolloutsCommand::Action;
  const auto parse = [](const char* line) {
    const auto r = ParseKubectl(line);
    EXPECT_TRUE(r.ok()) << line << ": " << r.error.message;
    return r.ok() ? std::get<ArgoRolloutsCommand>(r.command->body) : ArgoRolloutsCommand{};
  };
  EXPECT_EQ(parse("kubectl argo rollouts promote web").action, Action::kPromote);
  EXPECT_TRUE(parse("argo rollouts promote web --full").full);
  EXPECT_EQ(parse("argo rollouts abort web").action, Action::kAbort);
  EXPECT_EQ(parse("argo rollouts retry rollout web").action, Action::kRetry);
  EXPECT_EQ(parse("argo rollouts retry ro web").action, Action::kRetry);  // the plugin's aliases
  EXPECT_EQ(parse("argo rollouts retry rollouts web").name, "web");
  EXPECT_EQ(parse("argo rollouts pause web").name, "web");
  const ArgoRolloutsCommand set = parse("argo rollouts set image web web=web:2 side=s:1");
  EXPECT_EQ(set.action, Action::kSetImage);
  EXPECT_EQ(set.images.size(), 2u);
  EXPECT_EQ(parse("argo rollouts undo web --to-revision=2").to_revision, 2);
  EXPECT_EQ(parse("argo rollouts restart web").action, Action::kRestart);
  EXPECT_EQ(parse("argo rollouts restart web").in, SimDuration::Zero());
  EXPECT_EQ(parse("argo rollouts restart web -i 10s").in, SimDuration::Seconds(10));
  const ArgoRolloutsCommand status = parse("argo rollouts status web -t 2m");
  EXPECT_EQ(status.timeout, SimDuration::Seconds(120));
  EXPECT_FALSE(
      parse("argo rollouts status web --timeout 0s").timeout);  // the plugin's default: for good
  {
    const auto r = ParseKubectl("argo rollouts status web -w");
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(IsBlocking(*r.command));
    EXPECT_EQ(CommandName(*r.command), "argo rollouts status");
  }
  EXPECT_EQ(ParseKubectl("-n shop argo rollouts abort web").command->namespace_name, "shop");
  for (const auto& [line, message] : std::vector<std::pair<std::string, std::string>>{
           {"argo rollouts retry web",
            "kubesim runs kubectl argo rollouts retry rollout NAME (retry experiment is not "
            "simulated)"},
           {"argo rollouts restart web --in soon",
            "invalid --in \"soon\": a duration such as 30s, 5m or 1h"},
           {"argo rollouts get rollout web --watch",
            "kubectl argo rollouts get is not simulated (kubesim runs promote, abort, retry "
            "rollout, pause, status, set image, undo and restart)"},
           {"argo rollouts promote rollout/web",
            "kubectl argo rollouts takes the Rollout's name alone, not \"rollout/web\""},
           {"argo rollouts set image web",
            "missing CONTAINER=IMAGE (usage: argo rollouts set "
            "image ROLLOUT_NAME CONTAINER=IMAGE)"},
           {"argo rollouts promote",
            "missing the Rollout's name (usage: argo rollouts promote "
            "ROLLOUT_NAME)"},
           {"argo rollouts status web --watch=false",
            "argo rollouts status --watch=false prints the status once and does not wait; "
            "kubesim runs status as it waits"},
           {"argo promote web",
            "kubectl argo: expected \"rollouts\" (kubectl argo rollouts "
            "promote|abort|retry rollout|pause|status|set image|undo|restart NAME)"},
           {"argo rollouts abort web extra",
            "unexpected argument \"extra\" for kubectl argo "
            "rollouts abort"}}) {
    const auto r = ParseKubectl(line);
    ASSERT_FALSE(r.ok()) << line;
    EXPECT_EQ(r.error.message, message) << line;
  }
}

// A flag outside a command's row of the table is refused, naming the ones
// it takes; one inside is accepted.
TEST(KubectlCommands, EachCommandTakesTheFlagsOfItsRowOnly) {
  const auto wrong = ParseKubectl("rollout status deployment/web --to-revision=2");
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.error.message,
            "unknown flag: --to-revision=2 (kubectl rollout status accepts --timeout, --watch, "
            "-n/--namespace)");
  EXPECT_TRUE(ParseKubectl("rollout undo deployment/web --to-revision=2").ok());
  EXPECT_TRUE(ParseKubectl("rollout status deployment/web -w --timeout=1m").ok());
}

}  // namespace
}  // namespace kubesim::scenario
