#!/usr/bin/env bash
# The npu cost table of bench/RESULTS.md: the bundled Fashion-MNIST example
# at W8A8, W4A4 and W2A2 (every layer at that width) on one npu target,
# through qlip-ptq, qlip-tosa-to-npu and qlip-npu-cost; then the memory-fit
# table: qlip-npu-plan's tiling on that target and on a smaller one; then
# the simulated table: the same models compiled for the smaller target
# (qlip-npu-plan, qlip-npu-lower, qlip-translate --npu-to-binary) and run by
# qlip-npu-sim on the test set, checked bit for bit against qlip-run, its
# --report timing one inference.
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
echo "Simulated (qlip-npu-sim, one inference) on the 16 KiB / 2 KiB target:"
echo
echo "| width | accuracy | weights (B) | weights | peak scratchpad (B) | MAC-array cycles | cycles | vs W8A8 | time (us) | DRAM bytes | energy (nJ) | bit-exact |"
echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
for bits in 8 4 2; do
  "$bin/qlip-run" "$work/int-$bits.mlir" --input examples/fashion_test.npy \
    --output "$work/ref.npy" > /dev/null
  acc=$("$bin/qlip-run" "$work/int-$bits.mlir" --input examples/fashion_test.npy \
          --labels examples/fashion_test_labels.npy | sed -n 's/.*(\(.*\)%)$/\1/p')
  "$bin/qlip-opt" "$work/int-$bits.mlir" -qlip-tosa-to-npu="target='$small'" \
    -qlip-npu-plan=print-report -qlip-npu-lower -o "$work/prog.mlir" 2> "$work/plan.txt"
  "$bin/qlip-translate" --npu-to-binary "$work/prog.mlir" -o "$work/prog.npub"
  "$bin/qlip-npu-sim" "$work/prog.npub" --input examples/fashion_test.npy \
    --output "$work/sim.npy" --report > "$work/sim-$bits.txt"
  exact=no
  cmp -s "$work/ref.npy" "$work/sim.npy" && exact=yes
  weights=$(sed -n 's/^weights: \([0-9]*\) B.*/\1/p' "$work/plan.txt")
  mac=$(awk '$2 ~ /conv2d|matmul/ { n += $7 } END { print n }' "$work/sim-$bits.txt")
  sed -n 's/^total: \([0-9]*\) cycles (\([0-9.]*\) us at [0-9]* MHz), \([0-9]*\) DRAM bytes, \([0-9.]*\) nJ, weights \([a-z]*\), peak scratchpad \([0-9]*\) of [0-9]* B$/\1|\2|\3|\4|\5|\6/p' \
    "$work/sim-$bits.txt" | {
    IFS="|" read -r cycles us dram energy where peak
    [ "$bits" = 8 ] && echo "$cycles" > "$work/base"
    ratio=$(awk -v a="$(cat "$work/base")" -v b="$cycles" 'BEGIN { printf "%.2fx", a / b }')
    echo "| W${bits}A${bits} | $acc% | $weights | $where | $peak | $mac | $cycles | $ratio | $us | $dram | $energy | $exact |"
  }
done
echo
echo "Per layer at W4A4 (qlip-npu-cost):"
echo
echo '```'
cat "$work/cost-4.txt"
echo '```'
for bits in 8 2; do
  echo
  echo "Per layer at W${bits}A${bits} on the 16 KiB / 2 KiB target (qlip-npu-sim --report):"
  echo
  echo '```'
  cat "$work/sim-$bits.txt"
  echo '```'
done
