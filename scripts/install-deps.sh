#!/usr/bin/env bash
# Installs exactly the Debian 12 packages kubesim needs to build, test and
# benchmark, skipping what is already installed. Idempotent; run as root (or
# with sudo available). Downloads nothing outside Debian's package archive.
#
#   scripts/install-deps.sh          build, run and benchmark (scripts/demo.sh)
#   scripts/install-deps.sh --test   also what the whole test suite needs
#                                    (scripts/test.sh): clang's libFuzzer and
#                                    sanitizer runtimes, Jupyter with pandas and
#                                    matplotlib for notebooks/, rsvg-convert,
#                                    yamllint and PyYAML for deploy/
set -euo pipefail

packages=(
  g++ cmake ninja-build git            # compiler, build system
  libboost-graph-dev                   # multi-service dependency graphs (Boost.Graph)
  libboost-program-options-dev         # the kubesim command line
  libeigen3-dev                        # sweep statistics
  libyaml-cpp-dev                      # scenario files
  nlohmann-json3-dev                   # JSON reports and traces
  libfmt-dev                           # formatting
  libgtest-dev libgmock-dev            # the test suite
  libbenchmark-dev                     # bench/
  python3-simpy3                       # bench/peers/: the SimPy baseline
)
case "${1:-}" in
  "") ;;
  --test)
    packages+=(
      clang libclang-rt-14-dev           # fuzz/: libFuzzer + sanitizer runtimes
      jupyter-nbconvert python3-nbconvert python3-ipykernel  # notebooks/, run headless
      python3-pandas python3-matplotlib  # what the notebooks import
      librsvg2-bin                       # rsvg-convert: the --plot SVG renders to PNG
      yamllint python3-yaml              # deploy/: the Indexed Job manifest's lint and test
    )
    ;;
  *) echo "usage: scripts/install-deps.sh [--test]" >&2; exit 2 ;;
esac

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

echo "install-deps: installing ${missing[*]}"
sudo=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: run as root (missing: ${missing[*]})" >&2; exit 1; }
  sudo=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
