# Tests of the cluster model, metrics and report writers (included from tests/CMakeLists.txt).
kubesim_test(cluster_test
  SOURCES cluster/deployment_util_test.cc cluster/scheduling_test.cc cluster/lifecycle_test.cc
          cluster/store_test.cc cluster/disruption_test.cc cluster/pod_topology_test.cc
          cluster/server_queue_test.cc cluster/argo_canary_test.cc
  DEPS kubesim_cluster kubesim_k8s fmt::fmt)

kubesim_test(model_test
  SOURCES cluster/model_rollout_test.cc cluster/model_container_test.cc
          cluster/model_node_test.cc cluster/model_pod_test.cc cluster/model_script_test.cc
          cluster/model_topology_test.cc cluster/model_containers_test.cc
          cluster/model_load_test.cc cluster/model_balancer_test.cc cluster/model_argo_test.cc cluster/model_argo_analysis_test.cc cluster/model_flagger_test.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario fmt::fmt)

kubesim_test(output_test
  SOURCES output/compare_test.cc output/outputs_test.cc output/progress_test.cc
          output/metric_schema_test.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario fmt::fmt)

# Determinism across builds: with KUBESIM_REFERENCE_BINARY set to a
# kubesim built otherwise (scripts/test.sh passes the release build's to the
# asan build), this build's reports must match it byte for byte.
set(KUBESIM_REFERENCE_BINARY "" CACHE FILEPATH
    "a kubesim from another build whose reports this build's must equal")
if(KUBESIM_REFERENCE_BINARY)
  add_test(NAME DeterminismAcrossBuilds.SameReportsAsTheReferenceBinary
           COMMAND ${PROJECT_SOURCE_DIR}/tests/scripts/same-reports.sh
                   ${KUBESIM_REFERENCE_BINARY} $<TARGET_FILE:kubesim> ${PROJECT_SOURCE_DIR})
endif()

# Replays of what the fuzzers found (tests/data/fuzz-regressions/run/ and
# parsers/) through the fuzzers' own harnesses (fuzz/*.h), in the normal suite.
kubesim_test(fuzz_regressions_test
  SOURCES cluster/fuzz_regressions_test.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario kubesim_k8s kubesim_engine
       nlohmann_json::nlohmann_json fmt::fmt)
target_include_directories(fuzz_regressions_test PRIVATE ${PROJECT_SOURCE_DIR}/fuzz)
target_compile_definitions(fuzz_regressions_test PRIVATE
                           KUBESIM_SOURCE_DIR_FALLBACK="${PROJECT_SOURCE_DIR}")

# Reports kept from before the object store (tests/data/reports-before-store/):
# every scenario still prints them byte for byte. The sanitizer build checks
# the quick ones (scenarios/bench and scale take minutes under its checks).
if(CMAKE_BUILD_TYPE STREQUAL "Release")
  set(_reports_mode "")
else()
  set(_reports_mode "--quick")
endif()
add_test(NAME ReportsUnchanged.EveryScenarioPrintsItsKeptReport
         COMMAND ${PROJECT_SOURCE_DIR}/tests/scripts/reports-unchanged.sh
                 $<TARGET_FILE:kubesim> ${PROJECT_SOURCE_DIR} ${_reports_mode})

# deploy/sweep-indexed-job.yaml passes kubesim validate and yamllint, and its
# pods' command, run shard by shard (in the deploy/Dockerfile image when a
# Docker daemon is there), merges into the unsharded sweep's file.
add_test(NAME Deploy.IndexedJobShardsMergeIntoTheUnshardedSweep
         COMMAND ${PROJECT_SOURCE_DIR}/tests/scripts/indexed-job-shards.sh
                 $<TARGET_FILE:kubesim> ${PROJECT_SOURCE_DIR})

# Probe elision changes nothing a user sees: every scenario under scenarios/
# prints the same report, timeline and trace with and without --exact-probes.
add_test(NAME ProbeElision.SameOutputsAsExactProbesOnEveryScenario
         COMMAND ${PROJECT_SOURCE_DIR}/tests/scripts/exact-probes.sh
                 $<TARGET_FILE:kubesim> ${PROJECT_SOURCE_DIR} ${_reports_mode})

# Sweeps: the Sweep kind, its grid, statistics and the parallel runner.
kubesim_test(sweep_test
  SOURCES sweep/sweep_test.cc
  DEPS kubesim_sweep kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario kubesim_k8s
       fmt::fmt)
