// RUN: qlip-opt %s | qlip-opt | FileCheck %s

// The cpu ops round-trip on tensors and on buffers.

// CHECK-LABEL: func.func @qconv
// CHECK: cpu.qconv2d ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%{{.*}} : tensor<1x4x4x5xi8>)
// CHECK-SAME: double_round
// CHECK-SAME: isa = "avx2"
// CHECK-SAME: threads = 2
// CHECK-SAME: -> tensor<1x4x4x5xi8>
func.func @qconv(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>) -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = -3 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64, double_round, isa = "avx2", threads = 2 : i64} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}

// A depthwise convolution with 4-bit weights, stride 2, on buffers.
// CHECK-LABEL: func.func @depthwise
// CHECK: cpu.qconv2d ins({{.*}} : memref<2x5x5x8xi8>, memref<72xi8>, memref<16xi32>, memref<16xi32>, memref<16xi8>) outs(%{{.*}} : memref<2x3x3x8xi8>)
// CHECK-SAME: depthwise
// CHECK-NOT: ->
func.func @depthwise(%x: memref<2x5x5x8xi8>, %w: memref<72xi8>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi8>, %out: memref<2x3x3x8xi8>) {
  cpu.qconv2d ins(%x, %w, %b, %m, %s : memref<2x5x5x8xi8>, memref<72xi8>, memref<16xi32>, memref<16xi32>, memref<16xi8>) outs(%out : memref<2x3x3x8xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, depthwise, input_zp = 0 : i64, weight_bits = 4 : i64, output_zp = 0 : i64, output_min = 0 : i64, output_max = 15 : i64}
  return
}

// CHECK-LABEL: func.func @float
// CHECK: cpu.conv2d ins({{.*}} : tensor<1x1x7x6xf32>, tensor<96xf32>, tensor<16xf32>) outs(%{{.*}} : tensor<1x1x7x10xf32>)
// CHECK-SAME: max = 6.000000e+00 : f32, min = 0.000000e+00 : f32
func.func @float(%x: tensor<1x1x7x6xf32>, %w: tensor<96xf32>, %b: tensor<16xf32>, %init: tensor<1x1x7x10xf32>) -> tensor<1x1x7x10xf32> {
  %y = cpu.conv2d ins(%x, %w, %b : tensor<1x1x7x6xf32>, tensor<96xf32>, tensor<16xf32>) outs(%init : tensor<1x1x7x10xf32>) {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, min = 0.0 : f32, max = 6.0 : f32} -> tensor<1x1x7x10xf32>
  return %y : tensor<1x1x7x10xf32>
}
