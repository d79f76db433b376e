// RUN: qlip-opt %s -canonicalize -split-input-file | FileCheck %s

// qlip.fake_quant folds a constant input to its fake-quantized values, per
// tensor and per axis, and a repeated fake-quant with the same parameters.

// Per-channel along axis 0: row 0 has scale 0.1 (0.26 -> 0.3, -0.94 clips
// to -0.7 on the 4-bit narrow grid), row 1 scale 0.5 (1.3 -> 1.5, 2.25 ->
// 2.0 by round-half-to-even, 9.0 clips to 3.5).
// CHECK-LABEL: func.func @per_axis_0
// CHECK: %[[C:.*]] = "tosa.const"() <{values = dense<{{\[\[}}1.000000e-01, 3.000000e-01, -0.699999988], [1.500000e+00, 2.000000e+00, 3.500000e+00]]> : tensor<2x3xf32>}>
// CHECK-NOT: qlip.fake_quant
// CHECK: return %[[C]]
func.func @per_axis_0() -> tensor<2x3xf32> {
  %c = "tosa.const"() <{values = dense<[[0.1, 0.26, -0.94], [1.3, 2.25, 9.0]]> : tensor<2x3xf32>}> : () -> tensor<2x3xf32>
  %0 = qlip.fake_quant %c with <i4 narrow, axis = 0, scales = [0.1, 0.5], clip = [[-0.7, 0.7], [-3.5, 3.5]], rule = mse> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// The last axis (depthwise HWCM style): channels alternate in memory.
// CHECK-LABEL: func.func @per_axis_last
// CHECK: dense<{{\[\[}}1.000000e+00, 5.000000e-01], [-1.000000e+00, 2.500000e-01]]>
func.func @per_axis_last() -> tensor<2x2xf32> {
  %c = "tosa.const"() <{values = dense<[[1.2, 0.6], [-0.8, 0.3]]> : tensor<2x2xf32>}> : () -> tensor<2x2xf32>
  %0 = qlip.fake_quant %c with <i8, axis = 1, scales = [1.0, 0.25], clip = [[-128.0, 127.0], [-32.0, 31.75]], rule = max> : tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
}

// -----

// Per tensor, with a zero point: q = round(x / 0.5) + 3 clamped to [0, 7]
// (3-bit unsigned), so the range is [-1.5, 2.0].
// CHECK-LABEL: func.func @per_tensor_zero_point
// CHECK: dense<[-1.500000e+00, -5.000000e-01, 0.000000e+00, 1.000000e+00, 2.000000e+00]>
func.func @per_tensor_zero_point() -> tensor<5xf32> {
  %c = "tosa.const"() <{values = dense<[-7.0, -0.6, 0.1, 1.1, 4.0]> : tensor<5xf32>}> : () -> tensor<5xf32>
  %0 = qlip.fake_quant %c with <ui3, scales = [0.5], zero_points = [3], clip = [[-1.5, 2.0]], rule = max> : tensor<5xf32>
  return %0 : tensor<5xf32>
}

// -----

// A splat constant folds to a splat.
// CHECK-LABEL: func.func @splat
// CHECK: dense<2.500000e-01> : tensor<3x3xf32>
func.func @splat() -> tensor<3x3xf32> {
  %c = "tosa.const"() <{values = dense<0.3> : tensor<3x3xf32>}> : () -> tensor<3x3xf32>
  %0 = qlip.fake_quant %c with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<3x3xf32>
  return %0 : tensor<3x3xf32>
}

// -----

// Weights in a dense_resource blob (as qlip's importer writes them):
// 0x3F000000 = 0.5 and 0x3FC00000 = 1.5, at scale 1.0 -> 0.0 and 2.0.
// CHECK-LABEL: func.func @resource
// CHECK: dense<[0.000000e+00, 2.000000e+00]> : tensor<2xf32>
func.func @resource() -> tensor<2xf32> {
  %c = "tosa.const"() <{values = dense_resource<w> : tensor<2xf32>}> : () -> tensor<2xf32>
  %0 = qlip.fake_quant %c with <i8, scales = [1.0], clip = [[-128.0, 127.0]], rule = max> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      w: "0x040000000000003F0000C03F"
    }
  }
#-}

// -----

// f16 goes through APFloat: 0.3 at scale 0.25 -> 0.25.
// CHECK-LABEL: func.func @f16
// CHECK: dense<[2.500000e-01, -5.000000e-01]> : tensor<2xf16>
func.func @f16() -> tensor<2xf16> {
  %c = "tosa.const"() <{values = dense<[0.3, -0.6]> : tensor<2xf16>}> : () -> tensor<2xf16>
  %0 = qlip.fake_quant %c with <i8, scales = [0.25], clip = [[-32.0, 31.75]], rule = max> : tensor<2xf16>
  return %0 : tensor<2xf16>
}

// -----

// Fake-quantizing twice with the same parameters is fake-quantizing once;
// different parameters are kept.
// CHECK-LABEL: func.func @idempotent
// CHECK-SAME: (%[[X:.*]]: tensor<4xf32>)
// CHECK: %[[A:.*]] = qlip.fake_quant %[[X]] with <i8, scales = [0.1]
// CHECK-NEXT: %[[B:.*]] = qlip.fake_quant %[[A]] with <i4, scales = [0.1]
// CHECK-NEXT: return %[[A]], %[[B]]
func.func @idempotent(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %0 = qlip.fake_quant %x with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  %1 = qlip.fake_quant %0 with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  %2 = qlip.fake_quant %1 with <i4, scales = [0.1], clip = [[-0.8, 0.7]], rule = max> : tensor<4xf32>
  return %1, %2 : tensor<4xf32>, tensor<4xf32>
}

// -----

// An observer is not folded away by canonicalization: calibration needs it.
// CHECK-LABEL: func.func @observer_kept
// CHECK: qlip.observe "x"
func.func @observer_kept(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "x" %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
