// GPTQ rounds every output channel of a layer at once: each with its own
// weights. Channel 0 is the channel of qlip-quantize-weights-gptq.mlir
// (GPTQ gives [1, -1, 1] where nearest gives [1, 0, 1]); channel 1 is its
// negation, which GPTQ rounds to the negated levels (the grid and the
// rounding are symmetric). The channels sit on the last axis, so each is
// gathered from strided elements.

// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max report=%t.json" | FileCheck %s
// RUN: FileCheck %s --check-prefix=REPORT --input-file=%t.json

// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1.000000e+00, -1.000000e+00], [-1.000000e+00, 1.000000e+00], [1.000000e+00, -1.000000e+00]]]> : tensor<1x3x2xf32>}>
// CHECK: qlip.fake_quant %[[W]] {{.*}}scales = [1.0, 1.0]
// REPORT: "output_sqnr_db": 10.09
func.func @fc(%x: tensor<1x1x3xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.6, -0.6], [-0.45, 0.45], [1.0, -1.0]]]> : tensor<1x3x2xf32>}> : () -> tensor<1x3x2xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<[[[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 1.0]]]> : tensor<1x3x3xf64>} : (tensor<1x1x3xf32>, tensor<1x3x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %y : tensor<1x1x2xf32>
}
