# The notebooks of notebooks/, executed headless: one CTest test per notebook
# (label `notebook`; `ctest -L notebook` runs only them). nbconvert runs every
# cell against the kubesim just built and fails the test when a cell raises.
# Included from tests/CMakeLists.txt.
#
# The notebooks need nbconvert, ipykernel, pandas and matplotlib in ONE Python.
# On Debian they are packages of /usr/bin/python3 (jupyter-nbconvert,
# python3-ipykernel, python3-pandas, python3-matplotlib: scripts/install-deps.sh
# --test), while a python3 earlier on PATH (pyenv, a virtualenv) may lack them.
# So the first of KUBESIM_NOTEBOOK_PYTHON, /usr/bin/python3 and the python3 on
# PATH that imports all four runs nbconvert, and the kernel is pinned to that
# same interpreter by a kernelspec written into the build tree (JUPYTER_PATH
# comes before any user's kernels). No such Python: the tests are not
# registered, with a message.

set(KUBESIM_NOTEBOOK_PYTHON "" CACHE FILEPATH
    "Python that runs the notebook tests (needs nbconvert, ipykernel, pandas, matplotlib); empty: /usr/bin/python3, else python3 on PATH")

find_program(_kubesim_nb_system_python python3 PATHS /usr/bin NO_DEFAULT_PATH NO_CACHE)
find_program(_kubesim_nb_path_python python3 NO_CACHE)
set(_kubesim_nb_python "")
foreach(_candidate IN ITEMS "${KUBESIM_NOTEBOOK_PYTHON}" "${_kubesim_nb_system_python}"
                            "${_kubesim_nb_path_python}")
  if(_candidate AND EXISTS "${_candidate}")
    execute_process(COMMAND "${_candidate}" -c "import nbconvert, ipykernel, pandas, matplotlib"
                    RESULT_VARIABLE _kubesim_nb_rc OUTPUT_QUIET ERROR_QUIET)
    if(_kubesim_nb_rc EQUAL 0)
      set(_kubesim_nb_python "${_candidate}")
      break()
    endif()
  endif()
endforeach()

if(NOT _kubesim_nb_python)
  message(STATUS "notebooks: no Python with jupyter nbconvert, ipykernel, pandas and matplotlib "
                 "found; the notebook tests are not registered (Debian: scripts/install-deps.sh --test)")
  return()
endif()
message(STATUS "notebooks: executed by ${_kubesim_nb_python} -m nbconvert")

set(_kubesim_nb_dir "${CMAKE_CURRENT_BINARY_DIR}/notebooks")
set(_kubesim_nb_kernel kubesim-python3)
file(WRITE "${_kubesim_nb_dir}/jupyter/kernels/${_kubesim_nb_kernel}/kernel.json"
"{
  \"argv\": [\"${_kubesim_nb_python}\", \"-m\", \"ipykernel_launcher\", \"-f\", \"{connection_file}\"],
  \"display_name\": \"Python 3 (kubesim notebook tests)\",
  \"language\": \"python\"
}
")

file(GLOB _kubesim_notebooks CONFIGURE_DEPENDS "${PROJECT_SOURCE_DIR}/notebooks/*.ipynb")
foreach(_notebook IN LISTS _kubesim_notebooks)
  get_filename_component(_name "${_notebook}" NAME_WE)
  add_test(NAME notebook.${_name}
           COMMAND "${_kubesim_nb_python}" -m nbconvert --to notebook --execute
                   --ExecutePreprocessor.timeout=300
                   --ExecutePreprocessor.kernel_name=${_kubesim_nb_kernel}
                   --output-dir "${_kubesim_nb_dir}/executed"
                   "${_notebook}"
           WORKING_DIRECTORY "${PROJECT_SOURCE_DIR}")
  set_tests_properties(notebook.${_name} PROPERTIES
    LABELS notebook
    TIMEOUT 600
    ENVIRONMENT "KUBESIM=$<TARGET_FILE:kubesim>;KUBESIM_ROOT=${PROJECT_SOURCE_DIR};MPLBACKEND=Agg;JUPYTER_PATH=${_kubesim_nb_dir}/jupyter;PYDEVD_DISABLE_FILE_VALIDATION=1")
endforeach()
