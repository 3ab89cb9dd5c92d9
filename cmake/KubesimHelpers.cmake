# Uniform helpers for the project's libraries, tests and benchmarks.

# kubesim_library(NAME SOURCES ... DEPS ...): a static library of sim/ with the
# public include/ directory and the project's warnings.
function(kubesim_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/include
                                            PRIVATE ${PROJECT_SOURCE_DIR}/sim)
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE kubesim_warnings)
endfunction()

# kubesim_test(NAME SOURCES ... DEPS ...): a GoogleTest program whose tests
# CTest discovers one by one.
function(kubesim_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/sim)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest_main kubesim_warnings)
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60
                       PROPERTIES ENVIRONMENT "KUBESIM_SOURCE_DIR=${PROJECT_SOURCE_DIR}")
endfunction()

# kubesim_benchmark(NAME SOURCES ... DEPS ...): a Google Benchmark program.
function(kubesim_benchmark name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR}/sim)
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} benchmark::benchmark kubesim_warnings)
endfunction()
