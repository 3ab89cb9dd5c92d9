# The cluster model, its metrics and report writers, and `kubesim run`
# (included at the end of sim/CMakeLists.txt).

# The cluster model: Deployment / ReplicaSet controllers, scheduler, kubelets,
# endpoints, traffic, on the event engine.
kubesim_library(kubesim_cluster
  SOURCES cluster/deployment_util.cc cluster/scheduling.cc cluster/store.cc
          cluster/context.cc cluster/api_server.cc cluster/deployment_controller.cc
          cluster/rollout_controller.cc cluster/analysis_controller.cc
          cluster/flagger_controller.cc cluster/traffic_router.cc
          cluster/replicaset_controller.cc cluster/scheduler.cc cluster/kubelet.cc
          cluster/kubelet_containers.cc cluster/prober.cc cluster/node_lifecycle_controller.cc cluster/disruption.cc
          cluster/pod_topology.cc
          cluster/endpoints_controller.cc cluster/server_queue.cc cluster/traffic.cc cluster/load_balancer.cc
          cluster/invariants.cc
          cluster/script.cc cluster/world.cc cluster/simulation.cc
  DEPS kubesim_scenario kubesim_k8s kubesim_engine fmt::fmt)

# Metrics: the collector that integrates a run into a Report.
kubesim_library(kubesim_metrics
  SOURCES metrics/collector.cc
  DEPS kubesim_cluster kubesim_report kubesim_engine)

# Report writers (JSON, table, expect:) and the observers behind --events / --timeline.
kubesim_library(kubesim_output
  SOURCES output/report_writers.cc output/observers.cc output/compare.cc output/file.cc
          output/trace.cc output/plot.cc output/progress.cc
  DEPS kubesim_metrics kubesim_scenario nlohmann_json::nlohmann_json fmt::fmt)

# Sweeps: the Sweep kind, its grid, the parallel runner, statistics (Eigen),
# the capacity search.
kubesim_library(kubesim_sweep
  SOURCES sweep/vary.cc sweep/sweep_document.cc sweep/runner.cc sweep/summary.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario kubesim_k8s
       Eigen3::Eigen nlohmann_json::nlohmann_json Threads::Threads fmt::fmt)

target_sources(kubesim PRIVATE cli/run.cc cli/compare.cc cli/simulate.cc cli/sweep.cc
                               cli/merge.cc)
target_link_libraries(kubesim PRIVATE kubesim_sweep kubesim_output kubesim_metrics kubesim_cluster)
