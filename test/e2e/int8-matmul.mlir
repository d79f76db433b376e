// Integer tosa.matmul with non-zero zero points on both operands, followed
// by a per-channel tosa.rescale (channels on the last axis) with single and
// double rounding. Checked against values computed by hand.

// A = [[1, -2, 3], [4, 0, -1]] with zero point 2: A - 2 = [[-1, -4, 1], [2, -2, -3]]
// B = [[1, 2], [-1, 0], [3, -2]] with zero point -1: B + 1 = [[2, 3], [0, 1], [4, -1]]
// (A - 2)(B + 1) = [[-2 + 0 + 4, -3 - 4 - 1], [4 + 0 - 12, 6 - 2 + 3]]
//                = [[2, -8], [-8, 7]]
// RUN: qlip-npy create --dtype i8 --shape 1,2,3 --values=1,-2,3,4,0,-1 -o %t.a.npy
// RUN: qlip-run %s --input %t.a.npy | FileCheck %s
// CHECK:      result #0
// CHECK-NEXT: dtype: i32
// CHECK-NEXT: shape: [1, 2, 2]
// CHECK-NEXT: 2 -8
// CHECK-NEXT: -8 7

// Rescale x 0.25 (channel 0: 2^30 >> 32) and x 0.1875 (channel 1:
// 3 * 2^29 >> 33), output zero point -5.
// SINGLE_ROUND, floor(v s + 1/2): ch0 0.5 -> 1, -2 -> -2; ch1 -1.5 -> -1, 1.3125 -> 1
// CHECK:      result #1
// CHECK-NEXT: dtype: i8
// CHECK-NEXT: shape: [1, 2, 2]
// CHECK-NEXT: -4 -6
// CHECK-NEXT: -7 -4
// DOUBLE_ROUND, with +-0.25 (ch0) and +-0.125 (ch1) more before the floor:
// ch0 0.5 -> 1, -2 -> -2; ch1 -1.5 -> -2, 1.3125 -> 1
// CHECK:      result #2
// CHECK-NEXT: dtype: i8
// CHECK-NEXT: shape: [1, 2, 2]
// CHECK-NEXT: -4 -7
// CHECK-NEXT: -7 -4

func.func @main(%a: tensor<1x2x3xi8>) -> (tensor<1x2x2xi32>, tensor<1x2x2xi8>, tensor<1x2x2xi8>) {
  %b = "tosa.const"() <{values = dense<[[[1, 2], [-1, 0], [3, -2]]]> : tensor<1x3x2xi8>}> : () -> tensor<1x3x2xi8>
  %azp = "tosa.const"() <{values = dense<2> : tensor<1xi8>}> : () -> tensor<1xi8>
  %bzp = "tosa.const"() <{values = dense<-1> : tensor<1xi8>}> : () -> tensor<1xi8>
  %acc = tosa.matmul %a, %b, %azp, %bzp : (tensor<1x2x3xi8>, tensor<1x3x2xi8>, tensor<1xi8>, tensor<1xi8>) -> tensor<1x2x2xi32>
  %m = "tosa.const"() <{values = dense<[1073741824, 1610612736]> : tensor<2xi32>}> : () -> tensor<2xi32>
  %s = "tosa.const"() <{values = dense<[32, 33]> : tensor<2xi8>}> : () -> tensor<2xi8>
  %zp32 = "tosa.const"() <{values = dense<0> : tensor<1xi32>}> : () -> tensor<1xi32>
  %ozp = "tosa.const"() <{values = dense<-5> : tensor<1xi8>}> : () -> tensor<1xi8>
  %single = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = SINGLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8>
  %double = tosa.rescale %acc, %m, %s, %zp32, %ozp {scale32 = true, rounding_mode = DOUBLE_ROUND, per_channel = true, input_unsigned = false, output_unsigned = false} : (tensor<1x2x2xi32>, tensor<2xi32>, tensor<2xi8>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2xi8>
  return %acc, %single, %double : tensor<1x2x2xi32>, tensor<1x2x2xi8>, tensor<1x2x2xi8>
}
