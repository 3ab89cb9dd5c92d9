# Tests of the cluster model, metrics and report writers (included from tests/CMakeLists.txt).
kubesim_test(cluster_test
  SOURCES cluster/deployment_util_test.cc cluster/scheduling_test.cc
  DEPS kubesim_cluster kubesim_k8s fmt::fmt)

kubesim_test(model_test
  SOURCES cluster/model_test.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario fmt::fmt)

kubesim_test(output_test
  SOURCES output/compare_test.cc output/outputs_test.cc
  DEPS kubesim_output kubesim_metrics kubesim_cluster kubesim_scenario fmt::fmt)
