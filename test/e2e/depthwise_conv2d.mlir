// tosa.depthwise_conv2d, float, against values computed by hand.

// x[h][w][c] = 1 + 2 * (3h + w) + c, a 3x3 image with two channels:
//   channel 0:  1  3  5     channel 1:  2  4  6
//               7  9 11                 8 10 12
//              13 15 17                14 16 18
// RUN: qlip-npy create --dtype f32 --shape 1,3,3,2 --arange=1 -o %t.x.npy

// Kernels (HWCM, multiplier 1): channel 0 [[1, 0], [0, 1]], channel 1 all
// ones; bias [0, 0.5].
//   channel 0: (0,0) 1+9 = 10, (0,1) 3+11 = 14, (1,0) 7+15 = 22, (1,1) 9+17 = 26
//   channel 1: (0,0) 2+4+8+10 = 24, (0,1) 4+6+10+12 = 32,
//              (1,0) 8+10+14+16 = 48, (1,1) 10+12+16+18 = 56, each + 0.5
// RUN: qlip-run %s --input %t.x.npy | FileCheck %s
// CHECK:      shape: [1, 2, 2, 2]
// CHECK-NEXT: 10 24.5
// CHECK-NEXT: 14 32.5
// CHECK-NEXT: 22 48.5
// CHECK-NEXT: 26 56.5

func.func @main(%x: tensor<1x3x3x2xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [1.0]], [[0.0], [1.0]]], [[[0.0], [1.0]], [[1.0], [1.0]]]]> : tensor<2x2x2x1xf32>}> : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.0, 0.5]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.depthwise_conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x2xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}
