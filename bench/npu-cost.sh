#!/usr/bin/env bash
# The npu cost table of bench/RESULTS.md: the bundled Fashion-MNIST example
# at W8A8, W4A4 and W2A2 (every layer at that width) on one npu target,
# through qlip-ptq, qlip-tosa-to-npu and qlip-npu-cost; then the memory-fit
# table: qlip-npu-plan's tiling on that target and on a smaller one.
#   bench/npu-cost.sh [build-dir]
set -euo pipefail
build=${1:-build}
bin="$build/bin"
target='#npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 65536, weight_buffer = 4096, dram_bytes_per_cycle = 8, clock_mhz = 500>'
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin/qlip-opt" examples/fashion_cnn.mlir -qlip-prepare -o "$work/observed.mlir"
"$bin/qlip-calibrate" "$work/observed.mlir" --calibrate examples/fashion_calib.npy \
  --stats "$work/stats.json" > /dev/null
echo "target: $target"
echo
echo "| width | accuracy | weights (B) | on chip | cycles | time (us) | DRAM bytes | energy (nJ) |"
echo "|---|---|---|---|---|---|---|---|"
for bits in 8 4 2; do
  "$bin/qlip-opt" examples/fashion_cnn.mlir -mlir-print-debuginfo \
    -qlip-ptq="stats=$work/stats.json weight-bits=$bits act-bits=$bits act-clip=aciq bias-correction first-layer-bits=0 last-layer-bits=0" \
    -o "$work/int.mlir"
  acc=$("$bin/qlip-run" "$work/int.mlir" --input examples/fashion_test.npy \
          --labels examples/fashion_test_labels.npy | sed -n 's/.*(\(.*\)%)$/\1/p')
  "$bin/qlip-opt" "$work/int.mlir" -qlip-tosa-to-npu="target='$target'" \
    -qlip-npu-cost -o /dev/null 2> "$work/cost.txt"
  sed -n 's/^total: \([0-9]*\) MACs, \([0-9]*\) cycles (\([0-9.]*\) us), \([0-9]*\) DRAM bytes, weights \([0-9]*\) B \(.*\), \([0-9.]*\) nJ$/\2|\3|\4|\5|\6|\7/p' \
    "$work/cost.txt" | {
    IFS="|" read -r cycles us dram weights where energy
    echo "| W${bits}A${bits} | $acc% | $weights | ${where%% *} | $cycles | $us | $dram | $energy |"
  }
  cp "$work/cost.txt" "$work/cost-$bits.txt"
  cp "$work/int.mlir" "$work/int-$bits.mlir"
done
small='#npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 16384, weight_buffer = 2048, dram_bytes_per_cycle = 8, clock_mhz = 500>'
echo
echo "Memory fit (qlip-npu-plan: double-buffered tiles, DRAM bytes per inference):"
echo
echo "| width | target | weights (B) | weights | peak scratchpad (B) | DRAM bytes | tiles |"
echo "|---|---|---|---|---|---|---|"
for bits in 8 4 2; do
  for t in "64 KiB / 4 KiB|$target" "16 KiB / 2 KiB|$small"; do
    name=${t%%|*}
    "$bin/qlip-opt" "$work/int-$bits.mlir" -qlip-tosa-to-npu="target='${t#*|}'" \
      -qlip-npu-plan=print-report -o /dev/null 2> "$work/plan.txt"
    tiles=$(awk '$3 ~ /^[0-9]+x[0-9]+$/ { n += $4 } END { print n }' "$work/plan.txt")
    sed -n 's/^weights: \([0-9]*\) B, \([A-Za-z ]*\); peak scratchpad \([0-9]*\) of [0-9]* B; DRAM traffic \([0-9]*\) B per inference$/\1|\2|\3|\4/p' \
      "$work/plan.txt" | {
      IFS="|" read -r weights where peak dram
      echo "| W${bits}A${bits} | $name | $weights | ${where%% in*} | $peak | $dram | $tiles |"
    }
  done
done
echo
echo "Per layer at W4A4:"
echo
echo '```'
cat "$work/cost-4.txt"
echo '```'
