// Counts the store keeps beside its objects (sim/cluster/store.h), against
// what a walk of the objects gives.
#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "cluster/store.h"
#include "kubesim/engine/random.h"

namespace kubesim::cluster {
namespace {

// maxContainerRestarts (controller_utils.go), which the scale-down ranking
// reads: the most restarts of one container, not the pod's sum. A pod with
// 5 restarts, 3 of them its sidecar's and 1 its log container's, ranks by 3
// (the app restarted once); with 1 + 1 on the side containers, by the
// app's 3.
TEST(Store, MaxContainerRestartsIsOneContainersNotThePodsSum) {
  Store store;
  Pod p;
  p.restarts = 5;
  EXPECT_EQ(store.MaxContainerRestarts(p), 5);  // one container
  store.side_lists.push_back(std::vector<SideContainer>(2));
  p.sides = 0;
  store.side_lists[0][0].restarts = 3;
  store.side_lists[0][1].restarts = 1;
  EXPECT_EQ(store.MaxContainerRestarts(p), 3);
  store.side_lists[0][0].restarts = 1;
  EXPECT_EQ(store.MaxContainerRestarts(p), 3);  // the app's 5 - 1 - 1
}

// The collector classifies a Service (down, degraded, versions mixed) from
// these counts, not from a walk of its endpoints.
TEST(ServiceServingCounts, FollowServingEntriesAndDropEmptyVersions) {
  Service s;
  const EndpointInfo v1a{1, "1.0", true};
  const EndpointInfo v1b{2, "1.0", true};
  const EndpointInfo v2_starting{3, "2.0", false};
  const EndpointInfo v2{4, "2.0", true};
  for (const EndpointInfo& e : {v1a, v1b, v2_starting}) s.CountServing(e, +1);
  EXPECT_EQ(s.visible_serving, 2);
  ASSERT_EQ(s.serving_versions.size(), 1u);  // a version with nothing serving is not one
  EXPECT_EQ(s.serving_versions[0].first, "1.0");
  EXPECT_EQ(s.serving_versions[0].second, 2);
  s.CountServing(v2, +1);  // two versions served: mixed
  EXPECT_EQ(s.visible_serving, 3);
  EXPECT_EQ(s.serving_versions.size(), 2u);
  s.CountServing(v1a, -1);
  s.CountServing(v1b, -1);  // the last 1.0 endpoint leaves
  EXPECT_EQ(s.visible_serving, 1);
  ASSERT_EQ(s.serving_versions.size(), 1u);
  EXPECT_EQ(s.serving_versions[0].first, "2.0");
  s.CountServing(v2_starting, -1);  // leaving while not serving changes nothing
  EXPECT_EQ(s.visible_serving, 1);
}

// The pod name index against a std::map under random creations, removals
// and reuses of a small set of names (so that names collide with live and
// removed pods, probes wrap, tombstones are reused and the table rebuilds).
TEST(PodNameIndex, AgreesWithAMapUnderChurn) {
  std::vector<Pod> pods;
  PodNameIndex index;
  std::map<std::pair<std::string, std::string>, uint32_t> expect;
  Rng rng(7);
  const char* namespaces[] = {"default", "prod"};
  for (int step = 0; step < 20000; ++step) {
    const std::string ns = namespaces[rng.Below(2)];
    const std::string name = "web-" + std::to_string(rng.Below(300));
    const auto key = std::make_pair(ns, name);
    if (rng.Below(3) != 0) {  // create (a newer pod of a name replaces the older)
      Pod p;
      p.namespace_name = ns;
      p.name = name;
      pods.push_back(std::move(p));
      const auto id = static_cast<uint32_t>(pods.size() - 1);
      index.Assign(pods, id);
      expect[key] = id;
    } else if (!pods.empty()) {  // remove some pod: only its own entry goes
      const auto id = static_cast<uint32_t>(rng.Below(pods.size()));
      index.Erase(pods, id);
      const auto it = expect.find({pods[id].namespace_name, pods[id].name});
      if (it != expect.end() && it->second == id) expect.erase(it);
    }
    if (step % 97 == 0) {
      for (const char* n : namespaces) {
        for (int i = 0; i < 300; ++i) {
          const std::string probe = "web-" + std::to_string(i);
          const auto it = expect.find({n, probe});
          ASSERT_EQ(index.Find(pods, n, probe), it == expect.end() ? kNone : it->second)
              << n << "/" << probe << " at step " << step;
        }
      }
      ASSERT_EQ(index.size(), expect.size());
    }
  }
  EXPECT_EQ(index.Find(pods, "default", "absent"), kNone);
  EXPECT_EQ(index.Find(pods, "default/web-1", ""), kNone);  // "ns/name" is not split anew
}

}  // namespace
}  // namespace kubesim::cluster
