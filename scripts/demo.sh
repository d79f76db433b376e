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
{ grep -c 'qlip.fake_quant' "$out/w4-mse-folded.mlir" || true; } | sed 's/^/   qlip.fake_quant ops after -canonicalize: /'
echo
echo "Reports (JSON) and models are in $out/."

# --- Activation calibration (issue 5) ---------------------------------------
# Observers on the activations, a calibration run over the bundled samples,
# then each activation rule at 8 and 4 bits (weights with
# qlip-quantize-weights' default rule at the same width), every
# fake-quantized model run on the bundled test samples against the float
# model.
calibrate="$build/bin/qlip-calibrate"
run="$build/bin/qlip-run"
calib_data=examples/tiny_cnn_calib.npy
test_data=examples/tiny_cnn_test.npy

echo
echo "== activation calibration: $model"
"$opt" "$model" -qlip-insert-observers -o "$out/observed.mlir"
echo "   $(grep -c 'qlip.observe' "$out/observed.mlir") observers; calibrating on $calib_data:"
"$calibrate" "$out/observed.mlir" --calibrate "$calib_data" \
  --stats "$out/stats.json" | sed 's/^/   /'
"$run" "$model" --input "$test_data" --output "$out/test-float.npy"
for bits in 8 4; do
  "$opt" "$out/observed.mlir" -qlip-quantize-weights="bits=$bits" \
    -o "$out/observed-w$bits.mlir"
done

echo
echo "-- fake-quantized vs float on $test_data ($("$build/bin/qlip-npy" print "$test_data" | sed -n 's/^shape: \[\([0-9]*\),.*/\1/p') samples)"
printf '   %-11s %22s %22s\n' "" "8-bit weights + acts" "4-bit weights + acts"
printf '   %-11s %10s %11s %10s %11s\n' "act rule" "SQNR" "top-1" "SQNR" "top-1"
for rule in max percentile kl mse aciq; do
  line=$(printf '%-11s' "$rule")
  for bits in 8 4; do
    "$opt" "$out/observed-w$bits.mlir" -qlip-apply-stats=file="$out/stats.json" \
      -qlip-quantize-activations="act-clip=$rule act-bits=$bits" \
      -o "$out/a$bits-$rule.mlir"
    result=$("$run" "$out/a$bits-$rule.mlir" --input "$test_data" \
               --compare "$out/test-float.npy")
    sqnr=$(echo "$result" | sed -n 's/^ *SQNR: *//p')
    top1=$(echo "$result" | sed -n 's/^ *top-1 agreement: *//p')
    line="$line $(printf '%10s %11s' "$sqnr" "$top1")"
  done
  echo "   $line"
done
echo
echo "   The example has random weights and no dataset: top-1 is agreement with"
echo "   the float model's top-1 on the test samples, not accuracy."
# A clamp at [0, alpha] keeps exactly that range under every rule (a PACT
# clip); say how much of it calibration saw used.
pact=$("$opt" "$out/observed.mlir" -qlip-apply-stats=file="$out/stats.json" \
         -qlip-quantize-activations=print-report -o /dev/null 2>&1 |
       awk '$3 == "pact" { print $5, $7; exit }')
if [ -n "$pact" ]; then
  read -r seen clip <<< "$pact"
  echo "   Under every rule the ReLU6 output keeps its clamp's range [0, $clip] (a"
  echo "   PACT clip, whatever calibration saw); calibration saw at most $seen, so"
  echo "   its grid is coarse: the largest error here, above all at 4 bits."
fi
echo "Statistics, models and reports are in $out/."

# --- Integer models (issue 6) ------------------------------------------------
# The trained Fashion-MNIST example from float TOSA to integer TOSA with
# qlip-ptq: calibration on its qlip-prepare form, then each rule at W8A8 and
# W4A4 (first and last layers at 8 bits), every integer model run on the
# bundled test images with their labels.
fmodel=examples/fashion_cnn.mlir
ftest=examples/fashion_test.npy
flabels=examples/fashion_test_labels.npy
accuracy() { sed -n 's/^top-1 accuracy: .*(\(.*\)%)$/\1/p'; }
echo
echo "== integer models: $fmodel (Fashion-MNIST, $(grep -cE 'tosa\.(conv2d|depthwise_conv2d|matmul) ' "$fmodel") layers)"
"$opt" "$fmodel" -qlip-prepare -mlir-print-debuginfo -o "$out/fashion-observed.mlir"
"$calibrate" "$out/fashion-observed.mlir" --calibrate examples/fashion_calib.npy \
  --stats "$out/fashion-stats.json" | sed -n '1p' | sed 's/^/   /'
echo "   float top-1 accuracy: $("$run" "$fmodel" --input "$ftest" --labels "$flabels" | accuracy)%"
echo
printf '   %-28s %8s %8s\n' "rule (weights, activations)" "W8A8" "W4A4"
for rule in "max max" "mse percentile" "aciq aciq" "aciq aciq bias-correction" "mse aciq bit-allocation"; do
  set -- $rule
  line=$(printf '%-28s' "$1, $2${3:+, $3}")
  for bits in 8 4; do
    "$opt" "$fmodel" -qlip-ptq="stats=$out/fashion-stats.json weight-bits=$bits act-bits=$bits weight-clip=$1 act-clip=$2 ${3:+$3}" \
      -o "$out/fashion-w$bits-$1-$2${3:+-$3}.mlir"
    line="$line $(printf '%7s%%' "$("$run" "$out/fashion-w$bits-$1-$2${3:+-$3}.mlir" --input "$ftest" --labels "$flabels" | accuracy)")"
  done
  echo "   $line"
done
echo
echo "-- the W4A4 ACIQ integer model, layer by layer (qlip-quantize's report):"
"$opt" "$out/fashion-observed.mlir" -qlip-apply-stats=file="$out/fashion-stats.json" \
  -qlip-quantize-weights="bits=4 clip=aciq first-layer-bits=8 last-layer-bits=8" \
  -qlip-quantize-activations="act-clip=aciq act-bits=4 first-layer-bits=8 last-layer-bits=8" \
  -qlip-quantize=print-report -o /dev/null 2>&1 | sed 's/^/   /'
echo "Integer models are in $out/fashion-*.mlir; bench/ptq-table.sh makes the full table."

# --- The npu target (issue 8, begun) -----------------------------------------
# The W4A4 ACIQ integer model on a 16x16 npu that takes 2-, 4- and 8-bit
# weights: where each layer runs, and the cost model's cycles, DRAM traffic
# and energy.
npu_target='#npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 65536, weight_buffer = 4096, dram_bytes_per_cycle = 8, clock_mhz = 500>'
echo
echo "== the npu: $npu_target"
"$opt" "$fmodel" -mlir-print-debuginfo \
  -qlip-ptq="stats=$out/fashion-stats.json weight-bits=4 act-bits=4 weight-clip=aciq act-clip=aciq" \
  -o "$out/fashion-w4-npu-input.mlir"
"$opt" "$out/fashion-w4-npu-input.mlir" \
  -qlip-tosa-to-npu="target='$npu_target' print-report" -qlip-npu-cost \
  -o "$out/fashion-w4-npu.mlir" 2>&1 | sed -e 's/ at loc(.*$//' -e 's/^/   /'
"$run" "$out/fashion-w4-npu-input.mlir" --input "$ftest" --output "$out/fashion-w4-int.npy"
echo "   npu model top-1 accuracy: $("$run" "$out/fashion-w4-npu.mlir" --input "$ftest" --labels "$flabels" | accuracy)%;" \
     "against the integer TOSA model: $("$run" "$out/fashion-w4-npu.mlir" --input "$ftest" \
       --compare "$out/fashion-w4-int.npy" | sed -n 's/^ *\(max abs error: .*\)/\1/p')"
