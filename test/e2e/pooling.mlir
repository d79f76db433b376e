// tosa.avg_pool2d and tosa.max_pool2d, float, against values computed by
// hand.

// x = 1..16 as a 4x4 image:
//    1  2  3  4
//    5  6  7  8
//    9 10 11 12
//   13 14 15 16
// RUN: qlip-npy create --dtype f32 --shape 1,4,4,1 --arange=1 -o %t.x16.npy

// Average of each 2x2 block (stride 2): (1+2+5+6)/4 = 3.5, (3+4+7+8)/4 = 5.5,
// (9+10+13+14)/4 = 11.5, (11+12+15+16)/4 = 13.5.
// RUN: qlip-run %s --entry avg --input %t.x16.npy | FileCheck %s --check-prefix=AVG
// AVG:      shape: [1, 2, 2, 1]
// AVG-NEXT: 3.5
// AVG-NEXT: 5.5
// AVG-NEXT: 11.5
// AVG-NEXT: 13.5

// 3x3 windows over 1..9 with one pixel of padding: TOSA divides by the
// number of real pixels, so corners average 4 values, edges 6, the
// center 9: (1+2+4+5)/4 = 3, (1+2+3+4+5+6)/6 = 3.5, (2+3+5+6)/4 = 4,
// (1+2+4+5+7+8)/6 = 4.5, 45/9 = 5, (2+3+5+6+8+9)/6 = 5.5, (4+5+7+8)/4 = 6,
// (4+5+6+7+8+9)/6 = 6.5, (5+6+8+9)/4 = 7.
// RUN: qlip-npy create --dtype f32 --shape 1,3,3,1 --arange=1 -o %t.x9.npy
// RUN: qlip-run %s --entry avg_padded --input %t.x9.npy | FileCheck %s --check-prefix=AVGPAD
// AVGPAD:      shape: [1, 3, 3, 1]
// AVGPAD-NEXT: 3
// AVGPAD-NEXT: 3.5
// AVGPAD-NEXT: 4
// AVGPAD-NEXT: 4.5
// AVGPAD-NEXT: 5
// AVGPAD-NEXT: 5.5
// AVGPAD-NEXT: 6
// AVGPAD-NEXT: 6.5
// AVGPAD-NEXT: 7

// Max pooling of -8..7:
//   -8 -7 -6 -5
//   -4 -3 -2 -1
//    0  1  2  3
//    4  5  6  7
// 2x2 blocks: -3, -1, 5, 7.
// RUN: qlip-npy create --dtype f32 --shape 1,4,4,1 --arange=-8 -o %t.neg.npy
// RUN: qlip-run %s --entry max --input %t.neg.npy | FileCheck %s --check-prefix=MAX
// MAX:      shape: [1, 2, 2, 1]
// MAX-NEXT: -3
// MAX-NEXT: -1
// MAX-NEXT: 5
// MAX-NEXT: 7

// 3x3 windows, stride 2, padding on top and left: the first window covers
// only -8 -7 -4 -3 and padding, so its maximum is -3 (padding is -inf, not
// 0); the others: max(-7 -6 -5 -3 -2 -1) = -1, max(-4 -3 0 1 4 5) = 5, 7.
// RUN: qlip-run %s --entry max_padded --input %t.neg.npy | FileCheck %s --check-prefix=MAX
func.func @avg(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x2x2x1xf32>
  return %0 : tensor<1x2x2x1xf32>
}

func.func @avg_padded(%x: tensor<1x3x3x1xf32>) -> tensor<1x3x3x1xf32> {
  %zp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %0 = tosa.avg_pool2d %x, %zp, %zp {acc_type = f32, kernel = array<i64: 3, 3>, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>} : (tensor<1x3x3x1xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<1x3x3x1xf32>
  return %0 : tensor<1x3x3x1xf32>
}

func.func @max(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = tosa.max_pool2d %x {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  return %0 : tensor<1x2x2x1xf32>
}

func.func @max_padded(%x: tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32> {
  %0 = tosa.max_pool2d %x {kernel = array<i64: 3, 3>, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>} : (tensor<1x4x4x1xf32>) -> tensor<1x2x2x1xf32>
  return %0 : tensor<1x2x2x1xf32>
}
