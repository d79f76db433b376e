#!/usr/bin/env bash
# Compile time of qlip's default on a ResNet-50 (issue 16, point 6): from
# the ONNX file to an object file, as a user runs it.
#
#   bench/compile-time.sh [build-dir] [--size S] [--samples N] [--bits B]
#
# Makes torchvision's ResNet-50 (seeded random weights, batch 64, 3xSxS
# inputs; bench/models/make_bench_models.py, Debian's python3-torch and
# python3-onnx) and times each step: qlip-import-onnx; qlip-opt
# -qlip-ptq="calib=..." on the first N calibration samples (calibration
# with each layer's input moments, GPTQ, activation rules chosen by
# measuring the integer model), with -mlir-timing; qlip-aot to an object
# file. Prints the steps' wall times, the pass timing, the SQNR the
# autopilot measured and the CPU. Then the same in one command,
# qlip-compile, which also holds out 8 of the samples and measures the
# integer model against float on them (its summary's SQNR). S = 64,
# N = 64 and B = 8 by default.
set -euo pipefail

build=${1:-build}
shift || true
size=64 samples=64 bits=8
while [ $# -gt 0 ]; do
  case "$1" in
    --size) size=$2; shift 2 ;;
    --samples) samples=$2; shift 2 ;;
    --bits) bits=$2; shift 2 ;;
    *) echo "compile-time.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done
bin="$build/bin"
models="$build/bench-models/resnet50-$size"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -f "$models/resnet50_b64.onnx" ]; then
  /usr/bin/python3 "$(dirname "$0")/models/make_bench_models.py" "$models" \
    --size "$size" --models resnet50
fi
/usr/bin/python3 -c "import numpy as np, sys; np.save(sys.argv[2], np.load(sys.argv[1])[:int(sys.argv[3])])" \
  "$models/resnet50_calib.npy" "$work/calib.npy" "$samples"

seconds() { /usr/bin/time -f %e -o "$work/time" "$@"; cat "$work/time"; }
echo "CPU: $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1), $(nproc) cores;" \
  "$(grep -o -w -E 'avx512_vnni|amx_int8|avx_vnni' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "ResNet-50, 3x${size}x${size}, batch 64, $samples calibration samples, W${bits}A${bits}"
import=$(seconds "$bin/qlip-import-onnx" "$models/resnet50_b64.onnx" --io-layout=nhwc -o "$work/float.mlir")
ptq=$(seconds "$bin/qlip-opt" "$work/float.mlir" -mlir-timing \
  -qlip-ptq="calib=$work/calib.npy weight-bits=$bits act-bits=$bits autoquant-report=$work/report.json" \
  -o "$work/int.mlir" 2> "$work/timing.txt")
aot=$(seconds "$bin/qlip-aot" "$work/int.mlir" -o "$work/model.o")
sed -n '/Wall Time/,/Total$/p' "$work/timing.txt" | grep -E "Calibrate|Autoquant|QuantizeWeights|QuantizeToTosa|Total"
/usr/bin/python3 -c "
import json, sys
r = json.load(open(sys.argv[1]))
m = r['measurements']
print('autopilot: act-clip=%s, %d per-activation rules, output SQNR %.2f dB on the calibration samples, %d measurements (%d the same model as an earlier one)'
      % (r['act_clip'], len(r['layer_clip']), r['sqnr_db'], len(m), sum(t['same_model_as_before'] for t in m)))" "$work/report.json"
total=$(/usr/bin/python3 -c "import sys; print('%.1f' % sum(map(float, sys.argv[1:])))" "$import" "$ptq" "$aot")
/usr/bin/time -f %e -o "$work/time" "$bin/qlip-compile" "$models/resnet50_b64.onnx" --io-layout nhwc \
  --calib "$work/calib.npy" --bits "$bits" --holdout 8 -o "$work/one.o" > "$work/summary.txt" 2>/dev/null
compile=$(cat "$work/time")
echo "| import | qlip-ptq | qlip-aot | total | qlip-compile (one command, 8 held out) |"
echo "|---:|---:|---:|---:|---:|"
echo "| $import s | $ptq s | $aot s | $total s | $compile s |"
sed -n 's/^weights: /qlip-compile: weights /p; s/^  output 0 SQNR: /qlip-compile: held-out SQNR /p' "$work/summary.txt"
