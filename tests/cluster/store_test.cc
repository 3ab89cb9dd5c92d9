// Counts the store keeps beside its objects (sim/cluster/store.h), against
// what a walk of the objects gives.
#include <gtest/gtest.h>

#include "cluster/store.h"

namespace kubesim::cluster {
namespace {

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

}  // namespace
}  // namespace kubesim::cluster
