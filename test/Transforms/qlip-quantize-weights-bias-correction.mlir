// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=2 bias-correction" | FileCheck %s
// The corrected weights lie on the grid: folding the fake-quant keeps them.
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=2 bias-correction" -canonicalize | FileCheck %s --check-prefix=FOLDED
// RUN: qlip-opt %s -qlip-quantize-weights="clip=max bits=2 bias-correction report=-" -o /dev/null | FileCheck %s --check-prefix=JSON

// Channel 0 of the weight is [0.5, 0.25] on the 2-bit grid {-1, 0, 1} * s.
// max: alpha = 0.5, s = 0.5, levels [1, 0] (0.5 rounds half to even), i.e.
// [0.5, 0.0]. Variance: std [0.5, 0.0] = 0.25 vs std w = 0.125, so s = 0.25.
// Mean: sum w / s - sum q = 0.75 / 0.25 - 1 = 2 levels up; level 1 is at
// qmax, so only the second moves: [1, 1] * 0.25. Channel 1, [1, -1], is
// exact and stays.
// CHECK-LABEL: func.func @fc
// CHECK: %[[W:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}5.000000e-01, 1.000000e+00], [2.500000e-01, -1.000000e+00]]]>
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.500000e-01, 1.000000e+00], [2.500000e-01, -1.000000e+00]]]>
// CHECK: %[[FQ:.*]] = qlip.fake_quant %[[C]] with <i2 narrow, axis = 2, scales = [0.25, 1.0], clip = {{\[\[}}-0.25, 0.25], [-1.0, 1.0]], rule = max>
// CHECK: tosa.matmul %{{.*}}, %[[FQ]],
// FOLDED: "tosa.const"() <{values = dense<{{\[\[\[}}2.500000e-01, 1.000000e+00], [2.500000e-01, -1.000000e+00]]]>
// FOLDED-NOT: qlip.fake_quant
// JSON: "bias_corrected": true
func.func @fc(%x: tensor<1x1x2xf32>) -> tensor<1x1x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[0.5, 1.0], [0.25, -1.0]]]> : tensor<1x2x2xf32>}> : () -> tensor<1x2x2xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf32>, tensor<1x2x2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x2xf32>
  return %0 : tensor<1x1x2xf32>
}

// A per-axis layout whose channels are strided (depthwise HWCM, axis 2):
// the corrected values go back to the right places. Channel 0 is [1, 3]:
// s = 3, levels [0, 1]; variance: std [0, 3] = 1.5 vs 1, so s = 2; mean:
// 4 / 2 - 1 = 1 level up, on the value nearest its boundary (1 / 3 - 0 is
// the largest residual): [1, 1] * 2. Channel 1, [-2, -2], is exact. In
// memory the channels interleave: [c0[0], c1[0], c0[1], c1[1]].
// CHECK-LABEL: func.func @strided
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[\[}}2.000000e+00], [-2.000000e+00]], {{\[\[}}2.000000e+00], [-2.000000e+00]]]]>
// CHECK: qlip.fake_quant %[[C]] with <i2 narrow, axis = 2, scales = [2.0, 2.0]
func.func @strided(%x: tensor<1x4x4x2xf32>) -> tensor<1x4x3x2xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<[[[[1.0], [-2.0]], [[3.0], [-2.0]]]]> : tensor<1x2x2x1xf32>}> : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x4x4x2xf32>, tensor<1x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x4x3x2xf32>
  return %0 : tensor<1x4x3x2xf32>
}

// A large weight (more than 4096 values) is rewritten as a dense_resource
// blob, filled in place, rather than an inline attribute.
// CHECK-LABEL: func.func @large
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense_resource<qlip_corrected_matmul_{{[0-9]+}}> : tensor<1x4100x1xf32>}>
// CHECK: qlip.fake_quant %[[C]]
// FOLDED-LABEL: func.func @large
// FOLDED: dense<5.000000e-01> : tensor<1x4100x1xf32>
func.func @large(%x: tensor<1x1x4100xf32>) -> tensor<1x1x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %w = "tosa.const"() <{values = dense<0.5> : tensor<1x4100x1xf32>}> : () -> tensor<1x4100x1xf32>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x4100xf32>, tensor<1x4100x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x1x1xf32>
  return %0 : tensor<1x1x1xf32>
}

// An f16 weight gets its corrected values in f16 (they are computed in f32
// and are exact in f16 here): the same channels as @fc.
// CHECK-LABEL: func.func @fc_f16
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[\[}}2.500000e-01, 1.000000e+00], [2.500000e-01, -1.000000e+00]]]> : tensor<1x2x2xf16>}>
// CHECK: qlip.fake_quant %[[C]] with <i2 narrow, axis = 2, scales = [0.25, 1.0]
func.func @fc_f16(%x: tensor<1x1x2xf16>) -> tensor<1x1x2xf16> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf16>}> : () -> tensor<1xf16>
  %w = "tosa.const"() <{values = dense<[[[0.5, 1.0], [0.25, -1.0]]]> : tensor<1x2x2xf16>}> : () -> tensor<1x2x2xf16>
  %0 = tosa.matmul %x, %w, %zp, %zp : (tensor<1x1x2xf16>, tensor<1x2x2xf16>, tensor<1xf16>, tensor<1xf16>) -> tensor<1x1x2xf16>
  return %0 : tensor<1x1x2xf16>
}
