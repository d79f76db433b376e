#!/usr/bin/env bash
# The accuracy autopilot against the hand sweep (issue 16): for each model,
# top-1 accuracy of qlip-ptq's default with calib= (calibration in the
# pipeline, GPTQ, clips chosen at each layer's output, activation rules
# chosen by measuring the integer model) against the best single global
# combination of qlip's rules with a statistics file (weight-clip x
# act-clip x bias-correction: 50 cells), at W8A8, W4A4, W3A3 and W2A2, and
# weight-only at W4, W3 and W2 (activations float: the fake-quant model of
# qlip-quantize-weights alone). First and last layers at 8 bits throughout.
#
#   bench/ptq-autopilot.sh [build-dir] [name:model.mlir:calib.npy:test.npy:labels.npy ...]
#
# Defaults to the bundled Fashion-MNIST CNN and the two models of
# bench/models/train_ptq_models.py (bench/models/ptq/, checked in), all on
# the example's calibration and test images. Prints a
# Markdown table per model, and the winning cell of the sweep.
set -euo pipefail

build=${1:-build}
shift || true
bin="$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

models=("$@")
if [ ${#models[@]} -eq 0 ]; then
  models=("fashion_cnn:examples/fashion_cnn.mlir:examples/fashion_calib.npy:examples/fashion_test.npy:examples/fashion_test_labels.npy")
  # The same images as the example's (train_ptq_models.py writes copies).
  for m in resnet_avg dw_net; do
    e=examples
    [ -f "bench/models/ptq/$m.mlir" ] && models+=("$m:bench/models/ptq/$m.mlir:$e/fashion_calib.npy:$e/fashion_test.npy:$e/fashion_test_labels.npy")
  done
fi

accuracy() { sed -n 's/^top-1 accuracy: .*(\(.*\)%)$/\1/p'; }
ends="first-layer-bits=8 last-layer-bits=8"
wclips=(max mse aciq sawb best)
aclips=(max percentile mse kl aciq)

for entry in "${models[@]}"; do
  IFS=: read -r name model calib test labels <<< "$entry"
  run() { "$bin/qlip-run" "$1" --input "$test" --labels "$labels" | accuracy; }
  "$bin/qlip-opt" "$model" -qlip-prepare -o "$work/observed.mlir"
  "$bin/qlip-calibrate" "$work/observed.mlir" --calibrate "$calib" --stats "$work/stats.json" > /dev/null
  "$bin/qlip-opt" "$work/observed.mlir" -qlip-apply-stats=file="$work/stats.json" -o "$work/applied.mlir"
  "$bin/qlip-opt" "$work/observed.mlir" -qlip-calibrate-model="calib=$calib" -o "$work/moments.mlir"
  float=$(run "$model")
  echo "### $name (float $float%)"
  echo
  echo "| width | default (calib=) | seconds | best global cell (stats=) | its rules |"
  echo "|---|---|---|---|---|"
  for width in W8A8 W4A4 W3A3 W2A2 W4 W3 W2; do
    bits=${width:1:1}
    best=-1; bestcell=""
    if [ ${#width} -eq 4 ]; then
      start=$(date +%s.%N)
      # The default refuses a model below its SQNR floor (sqnr-floor):
      # the table says so.
      if "$bin/qlip-opt" "$model" -qlip-ptq="calib=$calib weight-bits=$bits act-bits=$bits" -o "$work/default.mlir" 2>"$work/error.txt"; then
        default=$(run "$work/default.mlir")
      else
        grep -q "below the floor" "$work/error.txt" || { cat "$work/error.txt" >&2; exit 1; }
        default="refused (SQNR $(sed -n 's/.* is \([-0-9.]*\) dB, below.*/\1/p' "$work/error.txt") dB)"
      fi
      seconds=$(echo "$(date +%s.%N) - $start" | bc)
      for w in "${wclips[@]}"; do for a in "${aclips[@]}"; do for bc in false true; do
        "$bin/qlip-opt" "$model" -qlip-ptq="stats=$work/stats.json weight-bits=$bits act-bits=$bits weight-clip=$w act-clip=$a bias-correction=$bc" -o "$work/cell.mlir"
        acc=$(run "$work/cell.mlir")
        if (( $(echo "$acc > $best" | bc) )); then best=$acc; bestcell="$w, $a, bias-correction=$bc"; fi
      done; done; done
    else
      # Weight-only: the fake-quant model with float activations.
      start=$(date +%s.%N)
      "$bin/qlip-opt" "$work/moments.mlir" -qlip-quantize-weights="bits=$bits $ends" -qlip-strip-observers -o "$work/default.mlir"
      seconds=$(echo "$(date +%s.%N) - $start" | bc)
      default=$(run "$work/default.mlir")
      for w in "${wclips[@]}"; do for bc in false true; do
        "$bin/qlip-opt" "$work/applied.mlir" -qlip-quantize-weights="bits=$bits $ends clip=$w bias-correction=$bc" -qlip-strip-observers -o "$work/cell.mlir"
        acc=$(run "$work/cell.mlir")
        if (( $(echo "$acc > $best" | bc) )); then best=$acc; bestcell="$w, bias-correction=$bc"; fi
      done; done
    fi
    printf "| %s | %s | %.1f | %s | %s |\n" "$width" "$default" "$seconds" "$best" "$bestcell"
  done
  echo
done
