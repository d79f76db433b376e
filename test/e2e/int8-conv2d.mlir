// Integer tosa.conv2d with a non-zero input zero point, followed by a
// per-channel tosa.rescale to i8 with single and with double rounding; the
// same convolution with i4 weights. Checked against values computed by
// hand.

// x = [[-4, 7, -2], [0, 3, 1], [-8, 5, 2]], input zero point -1, so the
// convolution sees x + 1 = [[-3, 8, -1], [1, 4, 2], [-7, 6, 3]].
// RUN: qlip-npy create --dtype i8 --shape 1,3,3,1 --values=-4,7,-2,0,3,1,-8,5,2 -o %t.x.npy
// RUN: qlip-run %s --entry conv_i8 --input %t.x.npy | FileCheck %s
// RUN: qlip-run %s --entry conv_i4 --input %t.x.npy | FileCheck %s --check-prefix=I4

// Kernels oc0 = [[1, 2], [3, 4]], oc1 = [[-1, 2], [1, -2]], bias [1, -8]:
//   oc0: (0,0) -3 + 16 + 3 + 16 = 32, (0,1) 8 - 2 + 12 + 8 = 26,
//        (1,0) 1 + 8 - 21 + 24 = 12,  (1,1) 4 + 4 + 18 + 12 = 38, each + 1
//   oc1: (0,0) 3 + 16 + 1 - 8 = 12,   (0,1) -8 - 2 + 4 - 4 = -10,
//        (1,0) -1 + 8 - 7 - 12 = -12, (1,1) -4 + 4 + 6 - 6 = 0, each - 8
// CHECK:      result #0
// CHECK-NEXT: dtype: i32
// CHECK-NEXT: shape: [1, 2, 2, 2]
// CHECK-NEXT: 33 4
// CHECK-NEXT: 27 -18
// CHECK-NEXT: 13 -20
// CHECK-NEXT: 39 -8

// Rescale, output zero point 3. Channel 0: multiplier 2^30, shift 32, i.e.
// x 0.25; channel 1: multiplier 3 * 2^29, shift 33, i.e. x 0.1875.
// SINGLE_ROUND is floor(v * scale + 1/2):
//   ch0: 8.25 -> 8, 6.75 -> 7, 3.25 -> 3, 9.75 -> 10
//   ch1: 0.75 -> 1, -3.375 -> -3, -3.75 -> -4, -1.5 -> -1
// CHECK:      result #1
// CHECK-NEXT: dtype: i8
// CHECK-NEXT: shape: [1, 2, 2, 2]
// CHECK-NEXT: 11 4
// CHECK-NEXT: 10 0
// CHECK-NEXT: 6 -1
// CHECK-NEXT: 13 2
// DOUBLE_ROUND adds 2^30 (v >= 0) or -2^30 to the rounding term before the
// shift, i.e. +-0.25 (ch0) and +-0.125 (ch1) before the floor:
//   ch0: 8.25 + 0.75 -> 9, 6.75 -> 7, 3.25 + 0.75 -> 4, 9.75 -> 10
//   ch1: 0.75 -> 1, -3.375 -> -3, -3.75 -> -4, -1.5 + 0.375 -> -2
// CHECK:      result #2
// CHECK-NEXT: dtype: i8
// CHECK-NEXT: shape: [1, 2, 2, 2]
// CHECK-NEXT: 12 4
// CHECK-NEXT: 10 0
// CHECK-NEXT: 7 -1
// CHECK-NEXT: 13 1

// I4:      result #0
// I4-NEXT: dtype: i32
// I4-NEXT: shape: [1, 2, 2, 2]
// I4-NEXT: 33 4
// I4-NEXT: 27 -18
// I4-NEXT: 13 -20
// I4-NEXT: 39 -8
// I4:      result #1
// I4-NEXT: dtype: i8
// I4-NEXT: shape: [1, 2, 2, 2]
// I4-NEXT: 12 4
// I4-NEXT: 10 0
// I4-NEXT: 7 -1
// I4-NEXT: 13 1

func.func @conv_i8(%x: tensor<1x3x3x1xi8>) -> (tensor<1x2x2x2xi32>, tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>) {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [2]], [[1], [-2]]]]> : tensor<2x2x2x1xi8>}> : () -> tensor<2x2x2x1xi8>
  %b = "tosa.const"() <{values = dense<[1, -8]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi8>, tensor<2xi32>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[32, 33]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %single = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  %double = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  return %acc, %single, %double : tensor<1x2x2x2xi32>, tensor<1x2x2x2xi8>, tensor<1x2x2x2xi8>
}

func.func @conv_i4(%x: tensor<1x3x3x1xi8>) -> (tensor<1x2x2x2xi32>, tensor<1x2x2x2xi8>) {
  %w = "tosa.const"() <{values = dense<[[[[1], [2]], [[3], [4]]], [[[-1], [2]], [[1], [-2]]]]> : tensor<2x2x2x1xi4>}> : () -> tensor<2x2x2x1xi4>
  %b = "tosa.const"() <{values = dense<[1, -8]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %izp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %wzp = "tosa.const"() <{values = dense<0> : tensor<1xi4>}> : () -> tensor<1xi4>
  %acc = tosa.conv2d %x, %w, %b, %izp, %wzp {acc_type = i32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xi8>, tensor<2x2x2x1xi4>, tensor<2xi32>, tensor<1xi8>, tensor<1xi4>) -> tensor<1x2x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[32, 33]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<3> : tensor<1xi8>}> : () -> tensor<1xi8>
  %double = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x2xi8>
  return %acc, %double : tensor<1x2x2x2xi32>, tensor<1x2x2x2xi8>
}
