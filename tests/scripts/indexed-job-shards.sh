#!/usr/bin/env bash
# deploy/sweep-indexed-job.yaml: it passes kubesim validate and yamllint, and
# its shards, run as its pods run them, merge into the file an unsharded
# sweep writes. With a Docker daemon the pods' command runs in the image
# deploy/Dockerfile builds; without one, the same command line runs here,
# with kubesim and /scenarios mapped to the build's and the repository's.
#
#   tests/scripts/indexed-job-shards.sh KUBESIM SOURCE_DIR
set -euo pipefail
bin=$(realpath "$1") src=$(realpath "$2")
job="$src/deploy/sweep-indexed-job.yaml"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$bin" validate -q "$job" 2>/dev/null
if ! command -v yamllint >/dev/null; then
  echo "indexed-job-shards: yamllint is missing (scripts/install-deps.sh --test installs it)" >&2
  exit 1
fi
yamllint -s -c "$src/.yamllint.yaml" "$job"

# The pods' command and the shard count, read from the manifest.
python3 - "$job" "$work" <<'PY'
import sys, yaml
job = yaml.safe_load(open(sys.argv[1]))
spec = job["spec"]
assert job["kind"] == "Job" and spec["completionMode"] == "Indexed", "not an Indexed Job"
n = spec["completions"]
assert spec["parallelism"] == n, "parallelism differs from completions"
cmd = spec["template"]["spec"]["containers"][0]["command"]
assert cmd[:2] == ["sh", "-c"], "the command is not sh -c SCRIPT"
script = cmd[2]
assert f'--shard "$JOB_COMPLETION_INDEX/{n}"' in script, f"--shard does not split into {n}"
open(sys.argv[2] + "/n", "w").write(str(n))
open(sys.argv[2] + "/script", "w").write(script)
PY
n=$(cat "$work/n")
script=$(cat "$work/script")
sweep=$(grep -o '/scenarios/[^ ]*\.yaml' <<<"$script")

docker_ok=false
if command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; then docker_ok=true; fi
if $docker_ok; then
  docker build -q -f "$src/deploy/Dockerfile" -t kubesim-indexed-job-test "$src" >/dev/null
  for ((i = 0; i < n; i++)); do
    docker run --rm -e JOB_COMPLETION_INDEX=$i --entrypoint sh kubesim-indexed-job-test -c "$script" \
      >"$work/part-$i.csv"
  done
  echo "indexed-job-shards: ran $n shards in the image"
else
  mkdir -p "$work/bin"
  ln -s "$bin" "$work/bin/kubesim"
  for ((i = 0; i < n; i++)); do
    mkdir -p "$work/pod-$i"
    # /tmp first: the source directory itself may be under /tmp.
    local_script=${script//\/tmp\//$work/pod-$i/}
    local_script=${local_script//\/scenarios\//$src/scenarios/}
    JOB_COMPLETION_INDEX=$i PATH="$work/bin:$PATH" sh -c "$local_script" >"$work/part-$i.csv"
  done
  echo "indexed-job-shards: no Docker daemon; ran the pods' command line for $n shards here"
fi

"$bin" merge "$work"/part-*.csv --out "$work/merged.csv"
"$bin" sweep -q --out "$work/whole.csv" "$src$sweep" >/dev/null
if ! cmp -s "$work/merged.csv" "$work/whole.csv"; then
  echo "indexed-job-shards: the merged shards differ from the unsharded sweep" >&2
  diff "$work/merged.csv" "$work/whole.csv" | head -5 >&2
  exit 1
fi
echo "indexed-job-shards: $n shards merged into the unsharded sweep's file ($(($(wc -l <"$work/whole.csv") - 1)) runs)"
