// RUN: qlip-opt %s -qlip-strip-observers | FileCheck %s

// CHECK-LABEL: func.func @strip
// CHECK-SAME: (%[[X:.*]]: tensor<1x4xf32>)
// CHECK-NOT: qlip.observe
// CHECK: %[[R:.*]] = tosa.clamp %[[X]]
// CHECK-NEXT: return %[[R]]
func.func @strip(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = qlip.observe "input" %x : tensor<1x4xf32>
  %1 = tosa.clamp %0 {min_val = 0.0 : f32, max_val = 6.0 : f32} : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %2 = qlip.observe "relu6" %1 stats <count = 4, min = 0.0, max = 6.0, mean = 3.0, mad = 1.5, stddev = 2.0, kurtosis = 1.8> : tensor<1x4xf32>
  return %2 : tensor<1x4xf32>
}

// Fake-quant ops are not observers and stay.
// CHECK-LABEL: func.func @keeps_fake_quant
// CHECK: qlip.fake_quant
func.func @keeps_fake_quant(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = qlip.fake_quant %x with <i8, scales = [0.1], clip = [[-12.8, 12.7]], rule = max> : tensor<4xf32>
  %1 = qlip.observe "y" %0 : tensor<4xf32>
  return %1 : tensor<4xf32>
}
