// qlip.fake_quant lowered by qlip-to-linalg and run, per tensor and per
// axis, against values computed by hand.

// Per tensor, i8 (grid [-128, 127]), s = 0.1f = 0.100000001490116119384765625
// (written exactly, so the arithmetic is f32). The first four inputs are
// chosen so that the f32 quotient x / s lands exactly on k + 0.5 although
// the exact one does not (the remainder fma(-s, q, x) decides):
//   -12.75     / s = -127.4999981  -> -127 -> -127 s = -12.6999998
//    11.75     / s =  117.4999982  ->  117 ->  117 s =  11.6999998
//    10.8500004 / s = 108.5000002  ->  109 ->  109 s =  10.9000006
//   -10.0500002 / s = -100.5000000 (just below) -> -101 -> -10.1000004
// (rounding the f32 quotient half to even would give -128, 118, 108, -100).
//    0.25 / s = 2.4999999 -> 2 -> 0.200000003
//    1e30 clamps to 127 -> 12.6999998
//   -0.01 / s = -0.0999999985 -> -0.0, and -0.0 + 0 is +0 -> 0
//    NaN stays NaN.
// RUN: qlip-npy create --dtype f32 --shape 8 --values=-12.75,11.75,10.8500004,-10.0500002,0.25,1e30,-0.01,nan -o %t.x.npy
// RUN: qlip-run %s --entry per_tensor --input %t.x.npy | FileCheck %s --check-prefix=TENSOR
// TENSOR:      shape: [8]
// TENSOR-NEXT: -12.6999998 11.6999998 10.9000006 -10.1000004 0.200000003 12.6999998 0 nan

// x = [[1.3, -0.3, 7.0], [20.0, 0.6, -5.0]]
// RUN: qlip-npy create --dtype f32 --shape 2,3 --values=1.3,-0.3,7,20,0.6,-5 -o %t.y.npy
// RUN: qlip-run %s --entry per_axis --input %t.y.npy | FileCheck %s --check-prefix=AXIS

// Along axis 1, ui4 (grid [0, 15]), s = [0.5, 0.25, 2.0], z = [0, 2, 1]:
//   column 0:  1.3/0.5 = 2.6 -> 3 -> 1.5;      20/0.5 = 40 -> 15 -> 7.5
//   column 1: -0.3/0.25 = -1.2 -> -1, +2 = 1 -> (1-2)*0.25 = -0.25;
//              0.6/0.25 = 2.4 -> 2, +2 = 4 -> (4-2)*0.25 = 0.5
//   column 2:  7/2 = 3.5 -> 4 (a real tie: to even), +1 = 5 -> (5-1)*2 = 8;
//             -5/2 = -2.5 -> -2, +1 = -1 -> 0 -> (0-1)*2 = -2
// AXIS:      result #0
// AXIS:      shape: [2, 3]
// AXIS-NEXT: 1.5 -0.25 8
// AXIS-NEXT: 7.5 0.5 -2
// Along axis 0, i4 narrow (grid [-7, 7]), s = [0.5, 4.0]:
//   row 0:  2.6 -> 3 -> 1.5;  -0.6 -> -1 -> -0.5;  14 -> 7 -> 3.5
//   row 1:  5 -> 20;          0.15 -> 0 -> 0;       -1.25 -> -1 -> -4
// AXIS:      result #1
// AXIS:      shape: [2, 3]
// AXIS-NEXT: 1.5 -0.5 3.5
// AXIS-NEXT: 20 0 -4

func.func @per_tensor(%x: tensor<8xf32>) -> tensor<8xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.10000000149011612], clip = [[-12.8, 12.7]], rule = max> : tensor<8xf32>
  return %0 : tensor<8xf32>
}

func.func @per_axis(%x: tensor<2x3xf32>) -> (tensor<2x3xf32>, tensor<2x3xf32>) {
  %0 = qlip.fake_quant %x with <ui4, axis = 1, scales = [0.5, 0.25, 2.0], zero_points = [0, 2, 1], clip = [[0.0, 7.5], [-0.5, 3.25], [-2.0, 28.0]], rule = max> : tensor<2x3xf32>
  %1 = qlip.fake_quant %x with <i4 narrow, axis = 0, scales = [0.5, 4.0], clip = [[-3.5, 3.5], [-28.0, 28.0]], rule = max> : tensor<2x3xf32>
  return %0, %1 : tensor<2x3xf32>, tensor<2x3xf32>
}
