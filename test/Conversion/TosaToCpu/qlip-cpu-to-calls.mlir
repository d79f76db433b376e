// RUN: qlip-opt %s -split-input-file -verify-diagnostics -qlip-cpu-to-calls | FileCheck %s

// A bufferized cpu.qconv2d becomes a call of the kernels: its descriptor a
// constant global (qlip_conv_field order), every buffer flattened to 1-D,
// the callee declared once with llvm.emit_c_interface (the descriptor
// keeps its static size: every descriptor has the same fields).

// The depthwise call's descriptor: input 2x5x5x8, output 3x3x8, kernel 3x3,
// stride 2, dilation 1, pad 1, depthwise, path 2 (avx2), 4 threads, signed
// input with zero point -7, 4-bit weights, output zero point 0 in [0, 15],
// single rounding.
// CHECK-DAG: memref.global "private" constant @__qlip_conv_desc : memref<28xi64> = dense<[2, 5, 5, 8, 3, 3, 8, 3, 3, 2, 2, 1, 1, 1, 1, 1, 2, 4, 1, -7, 4, 0, 0, 15, 0, 0, 0, 0]>
// The float call's: min 0.0 and max 6.0 as the bits of two floats.
// CHECK-DAG: memref.global "private" constant @__qlip_conv_desc_0 : memref<28xi64> = dense<[1, 1, 2, 3, 1, 2, 16, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1086324736, 0]>
// CHECK-DAG: func.func private @qlip_conv2d_f32(memref<28xi64>, memref<?xf32>, memref<?xf32>, memref<?xf32>, memref<?xf32>) attributes {llvm.emit_c_interface}
// CHECK-DAG: func.func private @qlip_qconv2d(memref<28xi64>, memref<?xi8>, memref<?xi8>, memref<?xi32>, memref<?xi32>, memref<?xi8>, memref<?xi8>) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @depthwise
// CHECK: %[[D:.*]] = memref.get_global @__qlip_conv_desc : memref<28xi64>
// CHECK: %[[X:.*]] = memref.collapse_shape %arg0 {{\[}}[0, 1, 2, 3]] : memref<2x5x5x8xi8> into memref<400xi8>
// CHECK: %[[XC:.*]] = memref.cast %[[X]] : memref<400xi8> to memref<?xi8>
// CHECK: call @qlip_qconv2d(%[[D]], %[[XC]], %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (memref<28xi64>, memref<?xi8>, memref<?xi8>, memref<?xi32>, memref<?xi32>, memref<?xi8>, memref<?xi8>) -> ()
// CHECK-NOT: cpu.qconv2d
// A strided output is computed in a contiguous buffer and copied back.
// CHECK-LABEL: func.func @strided_output
// CHECK: %[[T:.*]] = memref.alloc() : memref<1x1x2x16xf32>
// CHECK: call @qlip_conv2d_f32(
// CHECK: memref.copy %[[T]], %arg3
// CHECK: memref.dealloc %[[T]]
func.func @depthwise(%x: memref<2x5x5x8xi8>, %w: memref<72xi8>, %b: memref<16xi32>, %m: memref<16xi32>, %s: memref<16xi8>, %out: memref<2x3x3x8xi8>) {
  cpu.qconv2d ins(%x, %w, %b, %m, %s : memref<2x5x5x8xi8>, memref<72xi8>, memref<16xi32>, memref<16xi32>, memref<16xi8>) outs(%out : memref<2x3x3x8xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 2, 2>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, depthwise, input_zp = -7 : i64, weight_bits = 4 : i64, output_zp = 0 : i64, output_min = 0 : i64, output_max = 15 : i64, isa = "avx2", threads = 4 : i64}
  return
}

func.func @strided_output(%x: memref<1x1x2x3xf32>, %w: memref<48xf32>, %b: memref<16xf32>, %out: memref<1x1x2x16xf32, strided<[64, 64, 32, 1]>>) {
  cpu.conv2d ins(%x, %w, %b : memref<1x1x2x3xf32>, memref<48xf32>, memref<16xf32>) outs(%out : memref<1x1x2x16xf32, strided<[64, 64, 32, 1]>>) {kernel = array<i64: 1, 1>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 0, 0, 0, 0>, min = 0.0 : f32, max = 6.0 : f32}
  return
}

// -----

// expected-error@+2 {{'cpu.qconv2d' op must be bufferized before qlip-cpu-to-calls}}
func.func @tensors(%x: tensor<1x4x4x3xi8>, %w: tensor<576xi8>, %b: tensor<16xi32>, %m: tensor<16xi32>, %s: tensor<16xi8>, %init: tensor<1x4x4x5xi8>) -> tensor<1x4x4x5xi8> {
  %y = cpu.qconv2d ins(%x, %w, %b, %m, %s : tensor<1x4x4x3xi8>, tensor<576xi8>, tensor<16xi32>, tensor<16xi32>, tensor<16xi8>) outs(%init : tensor<1x4x4x5xi8>) {kernel = array<i64: 3, 3>, stride = array<i64: 1, 1>, dilation = array<i64: 1, 1>, pad = array<i64: 1, 1, 1, 1>, input_zp = 0 : i64, weight_bits = 8 : i64, output_zp = 0 : i64, output_min = -128 : i64, output_max = 127 : i64} -> tensor<1x4x4x5xi8>
  return %y : tensor<1x4x4x5xi8>
}
