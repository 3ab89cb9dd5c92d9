#!/usr/bin/env bash
# Quick start, first command: installs what is missing, builds the release
# preset and runs the main job — the seed article's strategies side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
bin=build/release/sim/kubesim
seeds=(scenarios/seed/rolling-update.yaml scenarios/seed/recreate.yaml scenarios/seed/blue-green.yaml)
if "$bin" --help | grep -q '^  compare .*not available'; then
  # Until `kubesim compare` lands, the main job runs the seed scenarios one by one.
  for s in "${seeds[@]}"; do
    echo "== kubesim run $s"
    "$bin" run -q "$s"
    echo
  done
else
  echo "== kubesim compare ${seeds[*]}"
  "$bin" compare "${seeds[@]}"
fi
