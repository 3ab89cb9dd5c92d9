#!/usr/bin/env bash
# kubesim and the SimPy baseline (simpy_probes.py) on the same scale workload,
# side by side in one run: wall time of each and kubesim's speed-up.
#
#   bench/peers/side-by-side.sh [KUBESIM] [DEPLOYMENTS...]   (default: 15 150)
#
# Each size is D Deployments x 100 replicas on D x 10/3 nodes (the committed
# scenarios/scale sizes: 15 -> 1,500 pods on 50 nodes, 150 -> 15,000 on 500).
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-build/release/sim/kubesim}
shift || true
sizes=("$@")
[[ ${#sizes[@]} -eq 0 ]] && sizes=(15 150)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
seconds() { /usr/bin/time -f %e -o "$work/t" "$@" >/dev/null 2>&1; cat "$work/t"; }
printf '%-8s %-7s %12s %12s %8s\n' pods nodes kubesim simpy ratio
for d in "${sizes[@]}"; do
  nodes=$(( (d * 100 + 29) / 30 ))
  scenarios/scale/generate.py --deployments "$d" --nodes "$nodes" >"$work/s.yaml"
  k=$(seconds "$bin" run -q --format json "$work/s.yaml")
  p=$(seconds /usr/bin/python3 bench/peers/simpy_probes.py --deployments "$d")
  printf '%-8s %-7s %11ss %11ss %7.1fx\n' $((d * 100)) "$nodes" "$k" "$p" "$(awk -v p="$p" -v k="$k" 'BEGIN { print p / k }')"
done
