#!/usr/bin/env bash
# Runs each libFuzzer target of a build tree (built with QLIP_FUZZ) on a
# working copy of its seed corpus (tools/qlip-fuzz/corpus/<name>) for a
# set time, and prints one line per target: its executions, the corpus it
# grew to, and what it found. Exits non-zero when any target crashed, hung
# (a unit over -timeout) or ran out of memory; the reproducer is kept in
# BUILD/fuzz/<name>/ and named in the output.
#   scripts/fuzz.sh BUILD SECONDS [TARGET...]
set -uo pipefail

build=$(cd "$1" && pwd) seconds=$2
shift 2
src=$(cd "$(dirname "$0")/.." && pwd)
targets=("$@")
if [[ ${#targets[@]} -eq 0 ]]; then
  targets=(npy stats npu-stream onnx-import ptq)
fi

failed=0
for name in "${targets[@]}"; do
  binary="$build/bin/qlip-fuzz-$name"
  work="$build/fuzz/$name"
  mkdir -p "$work/corpus"
  cp -n "$src/tools/qlip-fuzz/corpus/$name/"* "$work/corpus/" 2>/dev/null
  log="$work/fuzz.log"
  # One job on one core: the machine has two. -timeout makes a unit that
  # runs longer than 10 s a finding (a hang).
  (cd "$work" && "$binary" corpus -max_total_time="$seconds" -timeout=10 \
     -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1)
  rc=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  units=$(ls "$work/corpus" | wc -l)
  found=$(ls "$work" | grep -E '^(crash|timeout|oom|leak|slow-unit)-' | tr '\n' ' ')
  if [[ $rc -ne 0 ]]; then
    failed=1
    echo "qlip-fuzz-$name: FAILED after ${runs:-?} executions: ${found:-see $log}"
    grep -m3 -E 'ERROR|SUMMARY' "$log"
  else
    echo "qlip-fuzz-$name: ${runs:-?} executions in ${seconds} s, corpus $units, no crash or hang"
  fi
done
exit $failed
