#!/usr/bin/env bash
# make demo: runs qlip's furthest working stage on the bundled example model
# and prints what it chose. Today that is weight quantization: per-channel
# ranges chosen from the constants by each clipping rule, at 8 and 4 bits,
# with the per-layer SQNR each rule achieves.
set -euo pipefail

build=${1:-build}
opt="$build/bin/qlip-opt"
model=examples/tiny_cnn.mlir
out="$build/demo"
mkdir -p "$out"

echo "== qlip demo: $model"
echo "   $(grep -cE 'tosa\.(conv2d|depthwise_conv2d|matmul)' "$model") weight layers:" \
     "$(grep -oE 'tosa\.(conv2d|depthwise_conv2d|matmul)' "$model" | tr '\n' ' ')"
echo

# quantize NAME OPTIONS: quantizes the weights and prints the report table.
quantize() {
  local name=$1 options=$2
  echo "-- weights $name ($options)"
  "$opt" "$model" \
    -qlip-quantize-weights="$options print-report report=$out/$name.json" \
    -o "$out/$name.mlir" 2>&1
  echo
}

quantize w8-max "bits=8 clip=max"
quantize w8-mse "bits=8 clip=mse"
quantize w4-max-per-tensor "bits=4 clip=max granularity=per-tensor"
quantize w4-max "bits=4 clip=max"
quantize w4-mse "bits=4 clip=mse"
quantize w4-best "bits=4 clip=best"
quantize w2-sawb "bits=2 clip=sawb"
quantize w2-best "bits=2 clip=best"

echo "-- the fake-quantized model still runs in float; its weights after folding:"
"$opt" "$out/w4-mse.mlir" -canonicalize -o "$out/w4-mse-folded.mlir"
grep -c 'qlip.fake_quant' "$out/w4-mse.mlir" | sed 's/^/   qlip.fake_quant ops before folding: /'
grep -c 'qlip.fake_quant' "$out/w4-mse-folded.mlir" | sed 's/^/   qlip.fake_quant ops after -canonicalize: /'
echo
echo "Reports (JSON) and models are in $out/."
