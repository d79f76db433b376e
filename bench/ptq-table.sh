#!/usr/bin/env bash
# The post-training quantization table of bench/RESULTS.md: top-1 accuracy
# of the integer model for each clipping rule at W8A8, W4A4, W3A3 and W2A2
# (first and last layers at 8 bits, as qlip-ptq does by default) next to
# the accuracy of the fake-quant model it was made from, how far the two
# are apart (SQNR of the integer logits against the fake-quant ones), and
# the per-layer weight SQNR at 4 bits.
#
#   bench/ptq-table.sh [build-dir] [model calib test labels]
#
# Defaults to the bundled Fashion-MNIST example. Each model is made by the
# stages of qlip-ptq run one by one (tests/Pipelines/qlip-ptq.test shows
# they give the same model), so the fake-quant model between them can be
# run and compared too.
set -euo pipefail

build=${1:-build}
model=${2:-examples/fashion_cnn.mlir}
calib=${3:-examples/fashion_calib.npy}
test=${4:-examples/fashion_test.npy}
labels=${5:-examples/fashion_test_labels.npy}
bin="$build/bin"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Keep NameLocs across files: reports name layers by them.
"$bin/qlip-opt" "$model" -qlip-prepare -mlir-print-debuginfo -o "$work/observed.mlir"
"$bin/qlip-calibrate" "$work/observed.mlir" --calibrate "$calib" \
  --stats "$work/stats.json" > /dev/null
"$bin/qlip-opt" "$work/observed.mlir" -qlip-apply-stats=file="$work/stats.json" \
  -mlir-print-debuginfo -o "$work/applied.mlir"

accuracy() { sed -n 's/^top-1 accuracy: .*(\(.*\)%)$/\1/p'; }
float=$("$bin/qlip-run" "$model" --input "$test" --labels "$labels" | accuracy)

# name:weight-clip:act-clip:extra weight options:qlip-quantize options
rules=(
  "max:max:max::"
  "mse:mse:mse::"
  "percentile:mse:percentile::"
  "kl:mse:kl::"
  "aciq:aciq:aciq::"
  "aciq, double rounding:aciq:aciq::rounding-mode=double"
  "aciq + bias corr.:aciq:aciq:bias-correction:"
  "sawb w, aciq a:sawb:aciq::"
  "best w, aciq a:best:aciq::"
  "max w, aciq a:max:aciq::"
  "mse w, aciq a:mse:aciq::"
  "mse w + bit alloc., aciq a:mse:aciq:bit-allocation:"
)
widths=(8 4 3 2)

declare -A acc fqacc apart sqnr
layers=""
for entry in "${rules[@]}"; do
  IFS=: read -r name wclip aclip extra qopts <<< "$entry"
  for bits in "${widths[@]}"; do
    key="$name/$bits"
    "$bin/qlip-opt" "$work/applied.mlir" \
      -qlip-quantize-weights="bits=$bits clip=$wclip first-layer-bits=8 last-layer-bits=8 $extra report=$work/w.json" \
      -qlip-quantize-activations="act-clip=$aclip act-bits=$bits first-layer-bits=8 last-layer-bits=8 report=$work/a.json" \
      -o "$work/fq.mlir"
    "$bin/qlip-opt" "$work/fq.mlir" -qlip-quantize="$qopts" -canonicalize -cse -o "$work/int.mlir"
    acc[$key]=$("$bin/qlip-run" "$work/int.mlir" --input "$test" --labels "$labels" | accuracy)
    fqacc[$key]=$("$bin/qlip-run" "$work/fq.mlir" --input "$test" --labels "$labels" | accuracy)
    "$bin/qlip-run" "$work/fq.mlir" --input "$test" --output "$work/fq.npy"
    apart[$key]=$("$bin/qlip-run" "$work/int.mlir" --input "$test" --compare "$work/fq.npy" |
                  sed -n 's/^ *SQNR: *\([^ ]*\) dB/\1/p')
    if [ "$bits" = 4 ]; then
      # Layer-level entries of the weight report are indented by six.
      row=$(awk '/^      "name"/ { gsub(/[",]/, "", $2); n = $2 }
                 /^      "sqnr_db"/ { gsub(/,/, "", $2); printf "%s=%.1f ", n, $2 }' "$work/w.json")
      sqnr[$name]=$row
      [ -n "$layers" ] || layers=$(echo "$row" | tr ' ' '\n' | sed -n 's/=.*//p' | tr '\n' ' ')
    fi
  done
done

echo "Float top-1 accuracy: $float% ($(basename "$test"))."
echo
echo "Top-1 accuracy (%) of the integer model / of its fake-quant model:"
echo
echo "| rule (weights, activations) | W8A8 | W4A4 | W3A3 | W2A2 |"
echo "|---|---|---|---|---|"
for entry in "${rules[@]}"; do
  name=${entry%%:*}
  line="| $name |"
  for bits in "${widths[@]}"; do
    line="$line ${acc[$name/$bits]} / ${fqacc[$name/$bits]} |"
  done
  echo "$line"
done
echo
echo "SQNR (dB) of the integer model's logits against the fake-quant model's:"
echo
echo "| rule | W8A8 | W4A4 | W3A3 | W2A2 |"
echo "|---|---|---|---|---|"
for entry in "${rules[@]}"; do
  name=${entry%%:*}
  line="| $name |"
  for bits in "${widths[@]}"; do line="$line ${apart[$name/$bits]} |"; done
  echo "$line"
done
echo
echo "Per-layer weight SQNR (dB) at W4A4 (first and last layers at 8 bits):"
echo
header="| rule |"; sep="|---|"
for l in $layers; do header="$header $l |"; sep="$sep---|"; done
echo "$header"; echo "$sep"
for entry in "${rules[@]}"; do
  name=${entry%%:*}
  line="| $name |"
  for l in $layers; do
    v=$(echo "${sqnr[$name]}" | tr ' ' '\n' | sed -n "s/^$l=//p")
    line="$line $v |"
  done
  echo "$line"
done
