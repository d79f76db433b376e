#!/usr/bin/env bash
# AdaRound on top of GPTQ against the rounding rules alone (issue 16):
# weight-only quantization (first and last layers at 8 bits, activations
# float) of the bundled CNN and the two bench models at 4, 3 and 2 bits,
# rounded to nearest, by GPTQ, and by GPTQ then AdaRound per channel
# (rounding=gptq-adaround). Prints, per cell, top-1 on the 1000 bundled
# test images, the mean output SQNR of the sub-8-bit layers (from
# qlip-quantize-weights' report), the channels where AdaRound won, and
# the seconds qlip-quantize-weights took.
#   bench/adaround.sh [build-dir]
set -euo pipefail

build=${1:-build}
bin="$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
calib=examples/fashion_calib.npy
test=examples/fashion_test.npy
labels=examples/fashion_test_labels.npy

echo "| model | bits | nearest | gptq | gptq-adaround | AdaRound won | seconds (gptq / gptq-adaround) |"
echo "|---|---|---|---|---|---|---|"
for model in examples/fashion_cnn.mlir bench/models/ptq/resnet_avg.mlir bench/models/ptq/dw_net.mlir; do
  "$bin/qlip-opt" "$model" -qlip-prepare -qlip-calibrate-model="calib=$calib" -o "$work/moments.mlir"
  for bits in 4 3 2; do
    declare -A cell seconds
    for rounding in nearest gptq gptq-adaround; do
      start=$(date +%s.%N)
      "$bin/qlip-opt" "$work/moments.mlir" -qlip-quantize-weights="bits=$bits first-layer-bits=8 last-layer-bits=8 rounding=$rounding report=$work/report.json" -qlip-strip-observers -o "$work/weights.mlir"
      seconds[$rounding]=$(printf "%.2f" "$(echo "$(date +%s.%N) - $start" | bc)")
      accuracy=$("$bin/qlip-run" "$work/weights.mlir" --input "$test" --labels "$labels" | sed -n 's/^top-1 accuracy: .*(\(.*\)%)$/\1/p')
      summary=$(python3 - "$work/report.json" <<'PY'
import json, sys
layers = json.load(open(sys.argv[1]))["layers"]
narrow = [l for l in layers if l["bits"] < 8]
sqnr = sum(l["output_sqnr_db"] for l in narrow) / len(narrow)
won = sum(l["adaround_channels"] for l in narrow)
print(f"{sqnr:.2f} {won}/{sum(len(l['channels']) for l in narrow)}")
PY
)
      cell[$rounding]="$accuracy% (${summary% *} dB)"
      won=${summary#* }
    done
    echo "| $(basename "$model" .mlir) | W$bits | ${cell[nearest]} | ${cell[gptq]} | ${cell[gptq-adaround]} | $won | ${seconds[gptq]} / ${seconds[gptq-adaround]} |"
  done
done
