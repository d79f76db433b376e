// RUN: qlip-opt %s | qlip-opt | FileCheck %s
// RUN: qlip-opt %s -mlir-print-op-generic | qlip-opt | FileCheck %s

// The target attribute and every tensor-level op survive printing and
// parsing.

// CHECK: module attributes {npu.target = #npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 262144, weight_buffer = 131072, dram_bytes_per_cycle = 16, clock_mhz = 500>}
module attributes {npu.target = #npu.target<rows = 16, cols = 16, widths = [2, 4, 8], scratchpad = 262144, weight_buffer = 131072, dram_bytes_per_cycle = 16, clock_mhz = 500>} {

// CHECK-LABEL: func.func @layers
// CHECK: npu.conv2d %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} {clamp_max = 127 : i64, clamp_min = -128 : i64, dilation = array<i64: 1, 1>, input_zp = -3 : i64, output_zp = 5 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, weight_bits = 4 : i64} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
// CHECK: npu.depthwise_conv2d {{.*}} -> tensor<1x2x2x6xi8>
// CHECK: npu.matmul {{.*}} -> tensor<1x1x10xi8>
func.func @layers(%x: tensor<1x4x4x2xi8>, %w: tensor<3x3x3x2xi8>, %b: tensor<3xi32>, %m: tensor<3xi32>, %s: tensor<3xi8>,
                  %dw: tensor<3x3x2x3xi8>, %db: tensor<6xi32>, %m1: tensor<1xi32>, %s1: tensor<1xi8>,
                  %a: tensor<1x1x32xi8>, %fw: tensor<1x32x10xi8>, %fb: tensor<10xi32>) -> (tensor<1x4x4x3xi8>, tensor<1x2x2x6xi8>, tensor<1x1x10xi8>) {
  %0 = npu.conv2d %x, %w, %b, %m, %s {input_zp = -3 : i64, output_zp = 5 : i64, weight_bits = 4 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64, pad = array<i64: 1, 1, 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x3x2xi8>, tensor<3xi32>, tensor<3xi32>, tensor<3xi8>) -> tensor<1x4x4x3xi8>
  %1 = npu.depthwise_conv2d %x, %dw, %db, %m1, %s1 {input_zp = 0 : i64, output_zp = -128 : i64, weight_bits = 2 : i64, clamp_min = -128 : i64, clamp_max = 0 : i64, pad = array<i64: 1, 0, 1, 0>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>} : (tensor<1x4x4x2xi8>, tensor<3x3x2x3xi8>, tensor<6xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x2x2x6xi8>
  %2 = npu.matmul %a, %fw, %fb, %m1, %s1 {input_zp = -128 : i64, output_zp = 0 : i64, weight_bits = 8 : i64, clamp_min = -128 : i64, clamp_max = 127 : i64} : (tensor<1x1x32xi8>, tensor<1x32x10xi8>, tensor<10xi32>, tensor<1xi32>, tensor<1xi8>) -> tensor<1x1x10xi8>
  return %0, %1, %2 : tensor<1x4x4x3xi8>, tensor<1x2x2x6xi8>, tensor<1x1x10xi8>
}
}

// CHECK-LABEL: func.func @pool_and_add
// CHECK: npu.max_pool2d %{{.*}} {kernel = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>, stride = array<i64: 2, 2>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
// CHECK: npu.add %{{.*}}, %{{.*}} {a_multiplier = 1073741824 : i64, a_shift = 9 : i64, a_zp = 3 : i64, b_multiplier = 1073741824 : i64, b_shift = 10 : i64, b_zp = 0 : i64, clamp_max = 127 : i64, clamp_min = 0 : i64, multiplier = 1073741824 : i64, output_zp = -1 : i64, shift = 52 : i64} : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x4xi8>
func.func @pool_and_add(%x: tensor<1x4x4x2xi8>, %a: tensor<1x4xi8>, %b: tensor<1x4xi8>) -> (tensor<1x2x2x2xi8>, tensor<1x4xi8>) {
  %0 = npu.max_pool2d %x {kernel = array<i64: 2, 2>, stride = array<i64: 2, 2>, pad = array<i64: 0, 0, 0, 0>} : tensor<1x4x4x2xi8> -> tensor<1x2x2x2xi8>
  %1 = npu.add %a, %b {a_zp = 3 : i64, a_multiplier = 1073741824 : i64, a_shift = 9 : i64, b_zp = 0 : i64, b_multiplier = 1073741824 : i64, b_shift = 10 : i64, multiplier = 1073741824 : i64, shift = 52 : i64, output_zp = -1 : i64, clamp_min = 0 : i64, clamp_max = 127 : i64} : (tensor<1x4xi8>, tensor<1x4xi8>) -> tensor<1x4xi8>
  return %0, %1 : tensor<1x2x2x2xi8>, tensor<1x4xi8>
}

// CHECK-LABEL: func.func @rescale
// CHECK: npu.rescale %{{.*}} {clamp_max = 15 : i64, clamp_min = 0 : i64, input_zp = -2 : i64, multiplier = 1569485685 : i64, output_zp = 1 : i64, shift = 31 : i64} : tensor<1x4x4x2xi8> -> tensor<1x4x4x2xi8>
func.func @rescale(%x: tensor<1x4x4x2xi8>) -> tensor<1x4x4x2xi8> {
  %0 = npu.rescale %x {input_zp = -2 : i64, multiplier = 1569485685 : i64, shift = 31 : i64, output_zp = 1 : i64, clamp_min = 0 : i64, clamp_max = 15 : i64} : tensor<1x4x4x2xi8> -> tensor<1x4x4x2xi8>
  return %0 : tensor<1x4x4x2xi8>
}
