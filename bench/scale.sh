#!/usr/bin/env bash
# Whole runs of the scale workload (docs/scale.md) at several sizes: wall
# time, peak RSS, events (elided probe ticks included) and events/s, and the
# speed-up over the 30 simulated minutes. Figures: bench/README.md.
#
#   bench/scale.sh [KUBESIM] [DEPLOYMENTS...]   (default: 15 50 150 1500)
#
# D Deployments x 100 replicas on D x 10/3 nodes: 15 -> 1,500 pods on 50
# nodes, 150 -> 15,000 on 500, 1500 -> the 150,000-pod envelope on 5,000.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/release/sim/kubesim}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(15 50 150 1500)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf '| %-8s | %-6s | %-12s | %-9s | %-10s | %-9s | %-10s |\n' \
  pods nodes events wall events/s "peak RSS" "× real time"
printf '|---|---|---|---|---|---|---|\n'
for d in "${sizes[@]}"; do
  nodes=$(( (d * 100 + 29) / 30 ))
  scenarios/scale/generate.py --deployments "$d" --nodes "$nodes" >"$work/s.yaml"
  /usr/bin/time -f '%e %M' -o "$work/t" "$bin" run -q --format json "$work/s.yaml" >"$work/r.json"
  read -r wall rss <"$work/t"
  events=$(sed -n 's/^ *"events": \([0-9]*\),/\1/p' "$work/r.json")
  awk -v p=$((d * 100)) -v n="$nodes" -v e="$events" -v w="$wall" -v r="$rss" 'BEGIN {
    printf "| %-8d | %-6d | %-12d | %7.2f s | %8.1f M | %6.0f MB | %9.0f× |\n",
           p, n, e, w, e / (w > 0 ? w : 0.01) / 1e6, r / 1024, 1800 / (w > 0 ? w : 0.01) }'
done
