#!/usr/bin/env bash
# make demo: the bundled example from its ONNX file to integer models.
#
#   0. qlip-compile: the ONNX file and the calibration images to a W4A4
#      object file in one command, with its summary;
#   1. import  examples/fashion_cnn.onnx (a CNN trained on Fashion-MNIST by
#              examples/train_fashion_cnn.py, exported by torch.onnx) to
#              float TOSA with qlip-import-onnx, and check it against the
#              float accuracy;
#   2. calibrate on the 256 bundled calibration images;
#   3. quantize with qlip-ptq at W8A8, W4A4, W3A3 and W2A2 under several
#      rules (first and last layers at 8 bits), run every integer model on
#      the 1000 bundled test images, and print the accuracy table;
#   4. print the W4A4 ACIQ model's per-layer report and write the HTML one;
#   5. compile the W4A4 model for the npu target, run its command stream in
#      the simulator (bit for bit against qlip-run) and time it.
set -euo pipefail

build=${1:-build}
bin="$build/bin"
out="$build/demo"
mkdir -p "$out"
onnx=examples/fashion_cnn.onnx
ftest=examples/fashion_test.npy
flabels=examples/fashion_test_labels.npy
calib=examples/fashion_calib.npy
accuracy() { sed -n 's/^top-1 accuracy: .*(\(.*\)%)$/\1/p'; }
count() { grep -cE "$1" "$2" || true; }

# --- 0. One command ------------------------------------------------------------
echo "== qlip demo: $onnx (Fashion-MNIST; trained by examples/train_fashion_cnn.py)"
echo "-- one command: the ONNX model and its calibration images to a W4A4 object file"
echo "   qlip-compile $onnx --io-layout nhwc --calib $calib --bits 4 \\"
echo "     --test $ftest --labels $flabels -o $out/fashion-w4.o"
"$bin/qlip-compile" "$onnx" --io-layout nhwc --calib "$calib" --bits 4 \
  --test "$ftest" --labels "$flabels" -o "$out/fashion-w4.o" 2>/dev/null | sed 's/^/   /'
echo
echo "== the same, step by step, with the rules compared"

# --- 1. Import ----------------------------------------------------------------
echo "-- import: qlip-import-onnx $onnx --io-layout=nhwc"
"$bin/qlip-import-onnx" "$onnx" --io-layout=nhwc -o "$out/fashion.mlir"
fmodel="$out/fashion.mlir"
echo "   float TOSA: $(count 'tosa\.conv2d ' "$fmodel") conv2d," \
     "$(count 'tosa\.depthwise_conv2d ' "$fmodel") depthwise_conv2d," \
     "$(count 'tosa\.matmul ' "$fmodel") matmul," \
     "$(count 'BatchNormalization.scale"' "$fmodel") batch norms (a tosa.mul and a tosa.add each)," \
     "$(count 'tosa\.transpose ' "$fmodel") transposes; weights as dense_resource blobs"
float=$("$bin/qlip-run" "$fmodel" --input "$ftest" --labels "$flabels" | accuracy)
echo "   float top-1 accuracy on the $("$bin/qlip-npy" print "$ftest" | sed -n 's/^shape: \[\([0-9]*\),.*/\1/p') bundled test images: $float%"

# --- 2. Calibration -------------------------------------------------------------
echo "-- calibration: qlip-prepare (fold batch norm, observers), qlip-calibrate on $calib"
# qlip-opt keeps the ONNX node names (the model's locations), which the
# reports print.
"$bin/qlip-opt" "$fmodel" -qlip-prepare -o "$out/fashion-observed.mlir"
"$bin/qlip-calibrate" "$out/fashion-observed.mlir" --calibrate "$calib" \
  --stats "$out/fashion-stats.json" | sed -n '1p' | sed 's/^/   /'

# --- 3. Integer models ------------------------------------------------------------
echo
echo "-- integer models (qlip-ptq, first and last layers at 8 bits): top-1 accuracy, float $float%"
printf '   %-30s %7s %7s %7s %7s\n' "rule (weights, activations)" "W8A8" "W4A4" "W3A3" "W2A2"
# One row: its label, a tag for the file names, and qlip-ptq's options
# (the widths are added).
row() {
  local line
  line=$(printf '%-30s' "$1")
  for bits in 8 4 3 2; do
    "$bin/qlip-opt" "$fmodel" -qlip-ptq="$3 weight-bits=$bits act-bits=$bits" \
      -o "$out/fashion-w$bits-$2.mlir"
    line="$line $(printf '%6s%%' "$("$bin/qlip-run" "$out/fashion-w$bits-$2.mlir" --input "$ftest" --labels "$flabels" | accuracy)")"
  done
  echo "   $line"
}
for rule in "max max" "mse percentile" "mse kl" "aciq aciq" "aciq aciq bias-correction" "sawb aciq"; do
  set -- $rule
  row "$1, $2${3:+, $3}" "$1-$2${3:+-$3}" \
    "stats=$out/fashion-stats.json weight-clip=$1 act-clip=$2 ${3:+$3}"
done
# The default: calibration in the pipeline, GPTQ, rules chosen by measuring.
row "default: calib= (autopilot)" auto "calib=$calib"
echo "   (bench/ptq-table.sh makes the full table, bench/ptq-autopilot.sh the default against"
echo "   the best of 50 rule combinations; bench/RESULTS.md has both.)"

# --- 4. Per-layer reports ----------------------------------------------------------
echo
echo "-- the W4A4 ACIQ integer model, layer by layer (qlip-quantize's report):"
"$bin/qlip-opt" "$out/fashion-observed.mlir" -qlip-apply-stats=file="$out/fashion-stats.json" \
  -qlip-quantize-weights="bits=4 clip=aciq first-layer-bits=8 last-layer-bits=8" \
  -qlip-quantize-activations="act-clip=aciq act-bits=4 first-layer-bits=8 last-layer-bits=8" \
  -o "$out/fashion-w4-aciq-fq.mlir"
"$bin/qlip-opt" "$out/fashion-w4-aciq-fq.mlir" -qlip-quantize=print-report -o /dev/null 2>&1 | sed 's/^/   /'
echo
echo "-- where its accuracy goes: each layer's SQNR with float inputs and cumulatively (qlip-report):"
"$bin/qlip-report" "$out/fashion-w4-aciq-fq.mlir" --float "$out/fashion-observed.mlir" \
  --stats "$out/fashion-stats.json" --input "$ftest" -o "$out/fashion-report.html" | sed 's/^/   /'

# --- 5. The npu target ----------------------------------------------------------------
# The W4A4 ACIQ integer model on a 16x16 npu that takes 2-, 4- and 8-bit
# weights: where each layer runs and the cost model's estimate; then tiled,
# lowered to a program, written as a command stream and simulated: its
# outputs against the integer TOSA model's, and the simulator's cycles,
# DRAM traffic and energy.
npu_target='#npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 65536, weight_buffer = 4096, dram_bytes_per_cycle = 8, clock_mhz = 500>'
echo
echo "== the npu: $npu_target"
"$bin/qlip-opt" "$fmodel" \
  -qlip-ptq="stats=$out/fashion-stats.json weight-bits=4 act-bits=4 weight-clip=aciq act-clip=aciq" \
  -o "$out/fashion-w4-npu-input.mlir"
"$bin/qlip-opt" "$out/fashion-w4-npu-input.mlir" \
  -qlip-tosa-to-npu="target='$npu_target' print-report" -qlip-npu-cost \
  -o "$out/fashion-w4-npu.mlir" 2>&1 | sed -e 's/ at loc(.*$//' -e 's/^/   /'
"$bin/qlip-run" "$out/fashion-w4-npu-input.mlir" --input "$ftest" --output "$out/fashion-w4-int.npy"
echo "   npu model top-1 accuracy: $("$bin/qlip-run" "$out/fashion-w4-npu.mlir" --input "$ftest" --labels "$flabels" | accuracy)%;" \
     "against the integer TOSA model: $("$bin/qlip-run" "$out/fashion-w4-npu.mlir" --input "$ftest" \
       --compare "$out/fashion-w4-int.npy" | sed -n 's/^ *\(max abs error: .*\)/\1/p')"
"$bin/qlip-opt" "$out/fashion-w4-npu.mlir" -qlip-npu-plan -qlip-npu-lower \
  -o "$out/fashion-w4-program.mlir"
"$bin/qlip-translate" --npu-to-binary "$out/fashion-w4-program.mlir" -o "$out/fashion-w4.npub"
"$bin/qlip-translate" --npu-to-listing "$out/fashion-w4-program.mlir" -o "$out/fashion-w4.listing"
echo "   command stream: $(wc -c < "$out/fashion-w4.npub") bytes, $(grep -c '^ *[0-9]\+  ' "$out/fashion-w4.listing") commands (listing in $out/fashion-w4.listing)"
"$bin/qlip-npu-sim" "$out/fashion-w4.npub" --input "$ftest" --output "$out/fashion-w4-sim.npy" \
  --report | sed 's/^/   /'
if cmp -s "$out/fashion-w4-int.npy" "$out/fashion-w4-sim.npy"; then
  echo "   simulated outputs equal the integer TOSA model's bit for bit"
else
  echo "   simulated outputs DIFFER from the integer TOSA model's" >&2
  exit 1
fi
echo
echo "Models, statistics and reports are in $out/; open $out/fashion-report.html in a browser."
