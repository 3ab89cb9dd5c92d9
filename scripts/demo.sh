#!/usr/bin/env bash
# Quick start, first command: installs what is missing, builds the release
# preset and runs the main job — the seed article's strategies side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
bin=build/release/sim/kubesim
# The seed article's strategies side by side (the manifests among the files
# are skipped: only the Scenario files become columns).
echo "== kubesim compare scenarios/seed/*.yaml"
"$bin" compare scenarios/seed/*.yaml
