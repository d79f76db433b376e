// A layer that carries its input's second moments (qlip.input_moments, as
// qlip-calibrate-model attaches them) is rounded by GPTQ and measured at
// its output. One fully-connected channel w = [0.6, -0.45, 1.0] at 2 bits
// with clip=max (scale 1, levels -1, 0, 1) and inputs 0 and 1 correlated
// (H_01 = 0.8): round to nearest gives q = [1, 0, 1], an output error
// (w-q)^T H (w-q) of 0.6505 against w^T H w = 1.1305 (2.40 dB). GPTQ
// rounds w_0 up by 0.4 and moves w_1 by -0.4 / Hinv_00 * Hinv_01 = -0.317
// (with its 1% damping) to -0.767, so q = [1, -1, 1]: error 0.1105, 10.10
// dB. The attribute is removed.

// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max report=%t.gptq.json" | FileCheck %s --check-prefix=GPTQ
// RUN: FileCheck %s --check-prefix=GPTQ-REPORT --input-file=%t.gptq.json
// RUN: qlip-opt %s -qlip-quantize-weights="bits=2 clip=max rounding=nearest report=%t.nearest.json" | FileCheck %s --check-prefix=NEAREST
// RUN: FileCheck %s --check-prefix=NEAREST-REPORT --input-file=%t.nearest.json

// GPTQ-NOT: qlip.input_moments
// GPTQ: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}1.000000e+00], [-1.000000e+00], [1.000000e+00]]]> : tensor<1x3x1xf32>}>
// GPTQ: qlip.fake_quant %[[W]] {{.*}}scales = [1.0]
// GPTQ-NOT: qlip.input_moments
// GPTQ-REPORT: "output_sqnr_db": 10.09
// GPTQ-REPORT: "rounding": "gptq"

// Nearest rounding keeps the float weights (the fake_quant rounds them)
// and still measures the layer at its output.
// NEAREST-NOT: qlip.input_moments
// NEAREST: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}6.000000e-01], [-4.500000e-01], [1.000000e+00]]]> : tensor<1x3x1xf32>}>
// NEAREST: qlip.fake_quant %[[W]]
// NEAREST-NOT: qlip.input_moments
// NEAREST-REPORT: "output_sqnr_db": 2.40
// NEAREST-REPORT: "rounding": "nearest"
func.func @fc(%x: tensor<1x1x3xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.6], [-0.45], [1.0]]]> : tensor<1x3x1xf32>}> : () -> tensor<1x3x1xf32>
  %y = tosa.matmul %x, %w, %zp, %zp {qlip.input_moments = dense<[[[1.0, 0.8, 0.0], [0.8, 1.0, 0.0], [0.0, 0.0, 1.0]]]> : tensor<1x3x3xf64>} : (tensor<1x1x3xf32>, tensor<1x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %y : tensor<1x1x1xf32>
}
