#!/usr/bin/env bash
# Quick start, second command: installs what is missing, builds and runs the
# whole test suite (release preset; warnings are errors when CI is set).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
cmake --preset release >/dev/null
cmake --build --preset release
ctest --preset release -j "$(nproc)"
