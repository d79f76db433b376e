// RUN: qlip-opt %s -split-input-file -qlip-to-linalg | FileCheck %s

// Per tensor, f32 scale: f32 arithmetic, with the tie of the quotient
// resolved by the sign of fma(-s, q, x); the clamp bounds are the grid's.

// CHECK-LABEL: func.func @per_tensor
//  CHECK-SAME:   %[[X:.*]]: tensor<4xf32>
//   CHECK-NOT:   qlip.
//       CHECK:   %[[INIT:.*]] = tensor.empty() : tensor<4xf32>
//       CHECK:   %[[Y:.*]] = linalg.generic
//  CHECK-SAME:     iterator_types = ["parallel"]
//  CHECK-SAME:     ins(%[[X]] : tensor<4xf32>) outs(%[[INIT]] : tensor<4xf32>)
//       CHECK:   ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
//   CHECK-DAG:     %[[S:.*]] = arith.constant 5.000000e-01 : f32
//   CHECK-DAG:     %[[Z:.*]] = arith.constant 3.000000e+00 : f32
//       CHECK:     %[[Q:.*]] = arith.divf %[[IN]], %[[S]] : f32
//       CHECK:     %[[R:.*]] = math.roundeven %[[Q]] : f32
//       CHECK:     %[[FLOOR:.*]] = math.floor %[[Q]] : f32
//       CHECK:     %[[FRAC:.*]] = arith.subf %[[Q]], %[[FLOOR]] : f32
//       CHECK:     %[[TIE:.*]] = arith.cmpf oeq, %[[FRAC]]
//       CHECK:     %[[NEGS:.*]] = arith.negf %[[S]] : f32
//       CHECK:     %[[REM:.*]] = math.fma %[[NEGS]], %[[Q]], %[[IN]] : f32
//       CHECK:     %[[ABOVE:.*]] = arith.cmpf ogt, %[[REM]]
//       CHECK:     %[[BELOW:.*]] = arith.cmpf olt, %[[REM]]
//       CHECK:     %[[CEIL:.*]] = arith.addf %[[FLOOR]]
//       CHECK:     %[[DOWN:.*]] = arith.select %[[BELOW]], %[[FLOOR]], %[[R]]
//       CHECK:     %[[UPDOWN:.*]] = arith.select %[[ABOVE]], %[[CEIL]], %[[DOWN]]
//       CHECK:     %[[RT:.*]] = arith.select %[[TIE]], %[[UPDOWN]], %[[R]]
//       CHECK:     %[[L:.*]] = arith.addf %[[RT]], %[[Z]] : f32
//   CHECK-DAG:     %[[QMIN:.*]] = arith.constant -1.280000e+02 : f32
//   CHECK-DAG:     %[[QMAX:.*]] = arith.constant 1.270000e+02 : f32
//       CHECK:     %[[LO:.*]] = arith.maximumf %[[L]], %[[QMIN]] : f32
//       CHECK:     %[[HI:.*]] = arith.minimumf %[[LO]], %[[QMAX]] : f32
//       CHECK:     %[[C:.*]] = arith.subf %[[HI]], %[[Z]] : f32
//       CHECK:     %[[D:.*]] = arith.mulf %[[C]], %[[S]] : f32
//       CHECK:     linalg.yield %[[D]] : f32
//       CHECK:   return %[[Y]]
func.func @per_tensor(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.5], zero_points = [3], clip = [[-65.5, 62.0]], rule = max> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Per axis: scales and zero points are constant tensors read at the index
// along the axis (d1 here); the grid is ui4's [0, 15].

//   CHECK-DAG: #[[ID:.*]] = affine_map<(d0, d1) -> (d0, d1)>
//   CHECK-DAG: #[[AXIS:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @per_axis
//   CHECK-DAG:   %[[S:.*]] = arith.constant dense<[5.000000e-01, 2.500000e-01, 2.000000e+00]> : tensor<3xf32>
//   CHECK-DAG:   %[[Z:.*]] = arith.constant dense<[0.000000e+00, 2.000000e+00, 1.000000e+00]> : tensor<3xf32>
//       CHECK:   linalg.generic {indexing_maps = [#[[ID]], #[[AXIS]], #[[AXIS]], #[[ID]]]
//  CHECK-SAME:     ins(%{{.*}}, %[[S]], %[[Z]] : tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>)
//       CHECK:   ^bb0(%[[IN:.*]]: f32, %[[SC:.*]]: f32, %[[ZC:.*]]: f32, %{{.*}}: f32):
//       CHECK:     arith.divf %[[IN]], %[[SC]] : f32
//       CHECK:     math.fma
//       CHECK:     arith.addf %{{.*}}, %[[ZC]] : f32
//       CHECK:     arith.constant 0.000000e+00 : f32
//       CHECK:     arith.constant 1.500000e+01 : f32
func.func @per_axis(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.fake_quant %x with <ui4, axis = 1, scales = [0.5, 0.25, 2.0], zero_points = [0, 2, 1], clip = [[0.0, 7.5], [-0.5, 3.25], [-2.0, 28.0]], rule = max> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// Per axis with equal zero points (qlip's symmetric weights): only the
// scales are a tensor; the axis is d0.

//   CHECK-DAG: #[[AXIS0:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-LABEL: func.func @per_axis_symmetric
//       CHECK:   linalg.generic {indexing_maps = [#{{.*}}, #[[AXIS0]], #{{.*}}]
//  CHECK-SAME:     ins(%{{.*}}, %{{.*}} : tensor<2x3xf32>, tensor<2xf32>)
func.func @per_axis_symmetric(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.fake_quant %x with <i4 narrow, axis = 0, scales = [0.5, 4.0], clip = [[-3.5, 3.5], [-28.0, 28.0]], rule = max> : tensor<2x3xf32>
  return %0 : tensor<2x3xf32>
}

// -----

// 0.1 is not an f32 value, so the arithmetic is f64 (as the folder's), with
// one rounding back to f32 at the end and no tie fix-up.

// CHECK-LABEL: func.func @inexact_scale
//       CHECK:   ^bb0(%[[IN:.*]]: f32, %{{.*}}: f32):
//       CHECK:     %[[X:.*]] = arith.extf %[[IN]] : f32 to f64
//       CHECK:     %[[Q:.*]] = arith.divf %[[X]], %{{.*}} : f64
//       CHECK:     math.roundeven %[[Q]] : f64
//   CHECK-NOT:     math.fma
//       CHECK:     %[[D:.*]] = arith.mulf %{{.*}} : f64
//       CHECK:     %[[Y:.*]] = arith.truncf %[[D]] : f64 to f32
//       CHECK:     linalg.yield %[[Y]] : f32
func.func @inexact_scale(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// A scale below 2^-125 takes f64 too (an f32 remainder could round to 0).
// (Scales below FLT_MIN, denormals, are refused by the verifier.)

// CHECK-LABEL: func.func @tiny_scale
//       CHECK:   arith.divf %{{.*}} : f64
func.func @tiny_scale(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [1.2e-38], clip = [[-1.536e-36, 1.524e-36]], rule = max> : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// f16 goes through f64 and is rounded once; a dynamic dimension sizes the
// result with tensor.dim.

// CHECK-LABEL: func.func @f16_dynamic
//  CHECK-SAME:   %[[X:.*]]: tensor<?x4xf16>
//       CHECK:   %[[DIM:.*]] = tensor.dim %[[X]], %{{.*}} : tensor<?x4xf16>
//       CHECK:   tensor.empty(%[[DIM]]) : tensor<?x4xf16>
//       CHECK:   arith.extf %{{.*}} : f16 to f64
//       CHECK:   arith.truncf %{{.*}} : f64 to f16
func.func @f16_dynamic(%x: tensor<?x4xf16>) -> tensor<?x4xf16> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<?x4xf16>
  return %0 : tensor<?x4xf16>
}

// -----

// f64 stays f64.

// CHECK-LABEL: func.func @f64
//   CHECK-NOT:   arith.extf
//   CHECK-NOT:   arith.truncf
//       CHECK:   arith.divf %{{.*}} : f64
//   CHECK-NOT:   arith.truncf
//       CHECK:   return
func.func @f64(%x: tensor<4xf64>) -> tensor<4xf64> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.5], clip = [[-64.0, 63.5]], rule = max> : tensor<4xf64>
  return %0 : tensor<4xf64>
}

// -----

// An observer is its input (calibration lowers it differently).

// CHECK-LABEL: func.func @observe
//  CHECK-SAME:   %[[X:.*]]: tensor<4xf32>
//  CHECK-NEXT:   %[[Y:.*]] = tosa.abs %[[X]]
//  CHECK-NEXT:   return %[[Y]]
func.func @observe(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "in" %x : tensor<4xf32>
  %1 = tosa.abs %0 : (tensor<4xf32>) -> tensor<4xf32>
  %2 = qlip.observe "out" %1 stats <count = 4, min = 0.0, max = 1.0, mean = 0.5, mad = 0.25, stddev = 0.25, kurtosis = 1.8> : tensor<4xf32>
  return %2 : tensor<4xf32>
}
