#!/usr/bin/env bash
# Fuzzing in CI: builds the libFuzzer targets (the `fuzz` CMake preset, clang,
# ASan + UBSan; build dir build/fuzz) and runs each for SECONDS [60] from its
# committed corpus (fuzz/corpus/<target>/), one after the other.
#
#   scripts/fuzz.sh [SECONDS]
#
# New inputs go to a temporary directory, never to the committed corpus. On a
# finding (crash, abort, timeout, leak, out of memory) the failing input is
# kept under build/fuzz/findings/<target>/, the script says where and how to
# reproduce it, and exits 1 once every target has run; every finding becomes
# a regression test (fuzz/CMakeLists.txt says where). Per target it prints the
# executions and executions per second.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${1:-60}"
if ! [[ "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: scripts/fuzz.sh [SECONDS]   (seconds per fuzz target, default 60)" >&2
  exit 2
fi

# libFuzzer comes with clang: without it there is nothing to run, and CI must say so.
if ! command -v clang++ >/dev/null 2>&1; then
  echo "scripts/fuzz.sh: error: clang++ not found; the fuzz targets need clang and its" \
       "libFuzzer runtime (install them with: scripts/install-deps.sh --test)" >&2
  exit 1
fi
fuzzer_rt="$(clang++ -print-file-name=libclang_rt.fuzzer-x86_64.a)"
if [[ "$fuzzer_rt" != /* || ! -f "$fuzzer_rt" ]]; then
  echo "scripts/fuzz.sh: error: clang++ has no libFuzzer runtime (libclang_rt.fuzzer);" \
       "install it with: scripts/install-deps.sh --test" >&2
  exit 1
fi

# target   corpus dirs (the first is its own)        -max_len  dictionary  more flags
# (run_fuzzer: -entropic=0, since the entropic schedule's bookkeeping took
# more than half its time over the many features a simulation touches)
targets=(
  "loader_fuzzer   fuzz/corpus/loader:fuzz/corpus/run   65536  fuzz/dict/scenario.dict  -"
  "kubectl_fuzzer  fuzz/corpus/kubectl                  1024   fuzz/dict/kubectl.dict   -"
  "parsers_fuzzer  fuzz/corpus/parsers                  256    -                        -"
  "run_fuzzer      fuzz/corpus/run                      32768  fuzz/dict/scenario.dict  -entropic=0"
)
names=()
for t in "${targets[@]}"; do names+=("$(awk '{print $1}' <<<"$t")"); done

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz --target "${names[@]}"

work="$(mktemp -d "${TMPDIR:-/tmp}/kubesim-fuzz.XXXXXX")"
trap 'rm -rf "$work"' EXIT
findings_root="build/fuzz/findings"
summary=()
failed=0

for t in "${targets[@]}"; do
  read -r name corpora max_len dict flags <<<"$t"
  new_inputs="$work/$name-new"
  findings="$findings_root/$name"
  mkdir -p "$new_inputs" "$findings"
  IFS=: read -r -a seed_dirs <<<"$corpora"
  args=(-max_total_time="$seconds" -rss_limit_mb=2048 -timeout=25 -max_len="$max_len"
        -print_final_stats=1 -artifact_prefix="$findings/")
  [[ "$dict" != - ]] && args+=(-dict="$dict")
  [[ "$flags" != - ]] && args+=($flags)
  log="$work/$name.log"
  echo "== $name: ${seconds}s from ${seed_dirs[*]}"
  status=0
  # The temporary directory first: libFuzzer writes new inputs only there.
  "build/fuzz/fuzz/$name" "${args[@]}" "$new_inputs" "${seed_dirs[@]}" >"$log" 2>&1 || status=$?
  runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)"
  rate="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)"
  added="$(sed -n 's/^stat::new_units_added: *//p' "$log" | tail -1)"
  line="$(printf '%-15s %12s executions %8s exec/s %6s new inputs' "$name" "${runs:-?}" \
          "${rate:-?}" "${added:-?}")"
  if [[ $status -ne 0 ]]; then
    failed=1
    crash="$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)"
    echo "---- $name FAILED (exit $status); its output ends:" >&2
    tail -n 60 "$log" >&2
    if [[ -n "$crash" ]]; then
      echo "---- the input is $crash; reproduce with: build/fuzz/fuzz/$name $crash" >&2
    else
      cp "$log" "$findings/fuzz.log"
      echo "---- no input was written; the whole log is $findings/fuzz.log" >&2
    fi
    line+="  FINDING: ${crash:-see $findings/fuzz.log}"
  fi
  summary+=("$line")
done

echo "== fuzzing summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
if [[ $failed -ne 0 ]]; then
  echo "scripts/fuzz.sh: a fuzz target found a bug (inputs under $findings_root/); fix it and" \
       "add the input as a regression test (tests/data/fuzz-regressions/)" >&2
  exit 1
fi
