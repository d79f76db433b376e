#!/usr/bin/env bash
# Times qlip-quantize-weights on the synthetic ResNet-50 weights with every
# clipping rule, one process each (so each peak memory is its own).
#   bench/run-weight-bench.sh [build-dir] [bits]
set -euo pipefail
build=${1:-build}
bits=${2:-4}
for rule in max aciq-laplace aciq-gauss aciq sawb mse best; do
  "$build/bin/qlip-weight-bench" --clip=$rule --bits=$bits
done
"$build/bin/qlip-weight-bench" --clip=mse --bits=$bits --bias-correction
