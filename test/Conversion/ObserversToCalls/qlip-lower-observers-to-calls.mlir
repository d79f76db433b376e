// RUN: qlip-opt %s -split-input-file -verify-diagnostics -qlip-lower-observers-to-calls | FileCheck %s

// Each observer becomes a call with its index and its values as an
// unranked tensor; its uses read the observed value. Indices follow the
// first appearance of each id: "b" in @second shares index 1 with "b" in
// @main. The callee is declared once, first, read-only for bufferization.

// CHECK-LABEL: module
// CHECK:       func.func private @qlip_calibration_observe(i64, tensor<*xf32> {bufferization.access = "read"})
// CHECK-LABEL: func.func @main
// CHECK-SAME:    (%[[X:.*]]: tensor<2x3xf32>)
// CHECK-DAG:     %[[C0:.*]] = arith.constant 0 : i64
// CHECK-DAG:     %[[U0:.*]] = tensor.cast %[[X]] : tensor<2x3xf32> to tensor<*xf32>
// CHECK:         call @qlip_calibration_observe(%[[C0]], %[[U0]]) : (i64, tensor<*xf32>) -> ()
// CHECK:         %[[Y:.*]] = tosa.abs %[[X]]
// CHECK-DAG:     %[[C1:.*]] = arith.constant 1 : i64
// CHECK-DAG:     %[[U1:.*]] = tensor.cast %[[Y]] : tensor<2x3xf32> to tensor<*xf32>
// CHECK:         call @qlip_calibration_observe(%[[C1]], %[[U1]])
// CHECK:         return %[[Y]]
// CHECK-LABEL: func.func @second
// CHECK:         %[[C1B:.*]] = arith.constant 1 : i64
// CHECK:         call @qlip_calibration_observe(%[[C1B]],
// CHECK-NOT:     qlip.observe
func.func @main(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %0 = qlip.observe "a" %x : tensor<2x3xf32>
  %1 = tosa.abs %0 : (tensor<2x3xf32>) -> tensor<2x3xf32>
  %2 = qlip.observe "b" %1 : tensor<2x3xf32>
  return %2 : tensor<2x3xf32>
}
func.func @second(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "b" %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Other float types are converted to f32 for the runtime; the observed
// value itself goes on unchanged. Statistics already attached do not
// matter.

// CHECK-LABEL: func.func @half
// CHECK-SAME:    (%[[X:.*]]: tensor<4xf16>)
// CHECK:         %[[E:.*]] = tensor.empty() : tensor<4xf32>
// CHECK:         %[[F:.*]] = linalg.generic {{.*}} ins(%[[X]] : tensor<4xf16>) outs(%[[E]] : tensor<4xf32>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:         %[[U:.*]] = tensor.cast %[[F]] : tensor<4xf32> to tensor<*xf32>
// CHECK:         call @qlip_calibration_observe(%{{.*}}, %[[U]])
// CHECK:         return %[[X]] : tensor<4xf16>
func.func @half(%x: tensor<4xf16>) -> tensor<4xf16> {
  %0 = qlip.observe "h" %x : tensor<4xf16>
  return %0 : tensor<4xf16>
}

// CHECK-LABEL: func.func @double
// CHECK:         arith.truncf %{{.*}} : f64 to f32
// CHECK:         call @qlip_calibration_observe
func.func @double(%x: tensor<?xf64>) -> tensor<?xf64> {
  %0 = qlip.observe "d" %x stats <count = 2, min = 0.0, max = 1.0, mean = 0.5, mad = 0.5, stddev = 0.7, kurtosis = 1.0> : tensor<?xf64>
  return %0 : tensor<?xf64>
}

// -----

// Without observers nothing changes; no callee is declared.

// CHECK-LABEL: func.func @plain
// CHECK-NOT:   qlip_calibration_observe
func.func @plain(%x: tensor<4xf32>) -> tensor<4xf32> {
  return %x : tensor<4xf32>
}

// -----

// A callee that is already declared with the right type is reused.

// CHECK:     func.func private @qlip_calibration_observe(i64, tensor<*xf32>)
// CHECK-NOT: func.func private @qlip_calibration_observe
func.func private @qlip_calibration_observe(i64, tensor<*xf32>)
func.func @reuse(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "r" %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// expected-error@+1 {{'qlip_calibration_observe' is the callee of the observers; it must be a function of type '(i64, tensor<*xf32>) -> ()'}}
func.func private @qlip_calibration_observe(tensor<*xf32>)
func.func @clash(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.observe "c" %x : tensor<4xf32>
  return %0 : tensor<4xf32>
}
