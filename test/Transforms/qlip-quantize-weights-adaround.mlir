// rounding=gptq-adaround: GPTQ, then AdaRound on each channel's clip, the
// channel keeping whichever leaves less error at the layer's output.
// One fully-connected channel w = [-0.75, 0.55, -0.65, 1.0] at 2 bits with
// clip=max (scale 1, levels -1, 0, 1); the fourth input is always zero
// (free), the others have H = [1.36 -0.27 0.3; -0.27 1.48 0.92; 0.3 0.92
// 1.25], so w^T H w = 1.5983. GPTQ (and nearest) give q = [-1, 1, -1, 1],
// an output error of 0.3613 (6.46 dB); the best up/down rounding,
// q = [-1, 0, 0, 1], leaves 0.2313 (8.40 dB), and AdaRound finds it.

// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max rounding=gptq-adaround report=%t.json" | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t.json
// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max rounding=gptq report=%t.gptq.json" | FileCheck %s --check-prefix=GPTQ
// RUN: FileCheck %s --check-prefix=GPTQ-REPORT --input-file=%t.gptq.json

// CHECK: "tosa.const"() <{values = dense<{{\[\[\[}}-1.000000e+00], [0.000000e+00], [0.000000e+00], [1.000000e+00]]]> : tensor<1x4x1xf32>}>
// REPORT: "adaround_channels": 1
// REPORT: "output_sqnr_db": 8.39
// REPORT: "rounding": "gptq-adaround"
// GPTQ: "tosa.const"() <{values = dense<{{\[\[\[}}-1.000000e+00], [1.000000e+00], [-1.000000e+00], [1.000000e+00]]]> : tensor<1x4x1xf32>}>
// GPTQ-REPORT: "adaround_channels": 0
// GPTQ-REPORT: "output_sqnr_db": 6.45
// GPTQ-REPORT: "rounding": "gptq"
func.func @fc(%x: tensor<1x1x4xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[-0.75], [0.55], [-0.65], [1.0]]]> : tensor<1x4x1xf32>}> : () -> tensor<1x4x1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<[[[1.36, -0.27, 0.3, 0.0], [-0.27, 1.48, 0.92, 0.0], [0.3, 0.92, 1.25, 0.0], [0.0, 0.0, 0.0, 0.0]]]> : tensor<1x4x4xf64>} : (tensor<1x1x4xf32>, tensor<1x4x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}
