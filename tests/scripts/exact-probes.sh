#!/usr/bin/env bash
# Probe elision changes nothing a user sees: for every scenario under
# scenarios/ and several seeds, `kubesim run` prints the same report, timeline
# and trace, byte for byte, with and without --exact-probes (every probe tick
# simulated). The event count in the report includes the skipped ticks.
#
#   tests/scripts/exact-probes.sh KUBESIM SOURCE_DIR [--quick]
#
# --quick leaves out scenarios/bench/ and scenarios/scale/ and uses fewer
# seeds (the sanitizer build's per-instant checks make them take minutes).
set -euo pipefail
bin=$1 src=$2 mode=${3:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
excludes=()
seeds=(1 2 7 42 1234567)
if [[ $mode == --quick ]]; then
  excludes=(--exclude-dir=bench --exclude-dir=scale)
  seeds=(1 7)
fi
mapfile -t scenarios < <(grep -rl --include='*.yaml' "${excludes[@]}" '^kind: Scenario' "$src/scenarios" | sort)
if [[ ${#scenarios[@]} -eq 0 ]]; then echo "exact-probes: no scenario under $src/scenarios" >&2; exit 1; fi
checked=0
for s in "${scenarios[@]}"; do
  run_seeds=("${seeds[@]}")
  # Large runs: one seed, and no timeline or trace (their size is not the point here).
  outputs=1
  if [[ $s == */bench/* || $s == */scale/* ]]; then run_seeds=(1); outputs=0; fi
  for seed in "${run_seeds[@]}"; do
    for m in elided exact; do
      flag=(); [[ $m == exact ]] && flag=(--exact-probes)
      files=(); [[ $outputs == 1 ]] && files=(--timeline "$work/$m.csv" --trace "$work/$m.trace.json")
      set +e
      "$bin" run -q --seed "$seed" --format json "${flag[@]}" "${files[@]}" "$s" >"$work/$m.json" 2>"$work/$m.err"
      echo "exit $?" >>"$work/$m.json"
      set -e
    done
    exts=(json err); [[ $outputs == 1 ]] && exts+=(csv trace.json)
    for f in "${exts[@]}"; do
      if ! cmp -s "$work/elided.$f" "$work/exact.$f"; then
        echo "exact-probes: $s --seed $seed: the $f output differs with --exact-probes" >&2
        diff "$work/elided.$f" "$work/exact.$f" | head -20 >&2
        exit 1
      fi
    done
    checked=$((checked + 1))
  done
done
echo "exact-probes: $checked runs identical with and without --exact-probes"
