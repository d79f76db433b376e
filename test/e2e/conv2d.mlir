// tosa.conv2d, float, run through qlip-run and checked against values
// computed by hand.

// x = 1..9 as a 3x3 image with one channel:
//   1 2 3
//   4 5 6
//   7 8 9
// RUN: qlip-npy create --dtype f32 --shape 1,3,3,1 --arange=1 -o %t.x.npy

// @two_channels: 2x2 kernels, no padding, stride 1, bias [0.5, -1].
//   oc0 = [[1, 0], [0, 1]] (the diagonal sum):
//     (0,0) 1+5 = 6, (0,1) 2+6 = 8, (1,0) 4+8 = 12, (1,1) 5+9 = 14
//   oc1 = [[0.5, -1], [2, 0.25]]:
//     (0,0) 0.5*1 - 2 + 2*4 + 0.25*5 = 7.75
//     (0,1) 0.5*2 - 3 + 2*5 + 0.25*6 = 9.5
//     (1,0) 0.5*4 - 5 + 2*7 + 0.25*8 = 13
//     (1,1) 0.5*5 - 6 + 2*8 + 0.25*9 = 14.75
//   plus the bias; one output pixel per line, channels across:
// RUN: qlip-run %s --entry two_channels --input %t.x.npy | FileCheck %s --check-prefix=TWO
// TWO:      shape: [1, 2, 2, 2]
// TWO-NEXT: 6.5 6.75
// TWO-NEXT: 8.5 8.5
// TWO-NEXT: 12.5 12
// TWO-NEXT: 14.5 13.75

// @padded_strided: kernel [[1, 2], [3, 4]], pad top 1 and left 1, stride 2.
// The windows start at rows/columns -1 and 1:
//   (0,0) only x[0][0] under k[1][1]:            4*1             = 4
//   (0,1) x[0][1], x[0][2] under k[1][0], k[1][1]: 3*2 + 4*3      = 18
//   (1,0) x[1][0], x[2][0] under k[0][1], k[1][1]: 2*4 + 4*7      = 36
//   (1,1) x[1][1] x[1][2] x[2][1] x[2][2]:   1*5 + 2*6 + 3*8 + 4*9 = 77
// RUN: qlip-run %s --entry padded_strided --input %t.x.npy | FileCheck %s --check-prefix=PAD
// PAD:      shape: [1, 2, 2, 1]
// PAD-NEXT: 4
// PAD-NEXT: 18
// PAD-NEXT: 36
// PAD-NEXT: 77

func.func @two_channels(%x: tensor<1x3x3x1xf32>) -> tensor<1x2x2x2xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [0.0]], [[0.0], [1.0]]], [[[0.5], [-1.0]], [[2.0], [0.25]]]]> : tensor<2x2x2x1xf32>}> : () -> tensor<2x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<[0.5, -1.0]> : tensor<2xf32>}> : () -> tensor<2xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<2x2x2x1xf32>, tensor<2xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x2xf32>
  return %0 : tensor<1x2x2x2xf32>
}

func.func @padded_strided(%x: tensor<1x3x3x1xf32>) -> tensor<1x2x2x1xf32> {
  %w = "tosa.const"() <{values = dense<[[[[1.0], [2.0]], [[3.0], [4.0]]]]> : tensor<1x2x2x1xf32>}> : () -> tensor<1x2x2x1xf32>
  %b = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.conv2d %x, %w, %b, %zp, %zp {acc_type = f32, dilation = array<i64: 1, 1>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x3x3x1xf32>, tensor<1x2x2x1xf32>, tensor<1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %0 : tensor<1x2x2x1xf32>
}
