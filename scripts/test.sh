#!/usr/bin/env bash
# Quick start, second command: installs what is missing, builds and runs the
# whole test suite — the release build, then the asan build (AddressSanitizer
# + UndefinedBehaviorSanitizer, halt_on_error; it also checks that its reports
# equal the release build's byte for byte), then every fuzz target for a
# bounded time from its committed corpus. Warnings are errors when CI is set.
#
#   KUBESIM_FUZZ_SECONDS=N   seconds per fuzz target (default 45; 0 skips fuzzing)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
jobs=$(nproc)

echo "== release build and tests"
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j "$jobs"

echo "== asan build and tests"
cmake --preset asan -DKUBESIM_REFERENCE_BINARY="$PWD/build/release/sim/kubesim" >/dev/null
cmake --build --preset asan
ctest --preset asan -j "$jobs"

fuzz_seconds="${KUBESIM_FUZZ_SECONDS:-45}"
if [[ "$fuzz_seconds" == 0 ]]; then
  echo "== fuzzing skipped (KUBESIM_FUZZ_SECONDS=0)"
else
  echo "== fuzzing, $fuzz_seconds s per target"
  scripts/fuzz.sh "$fuzz_seconds"
fi
